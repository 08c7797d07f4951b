// One client process of `npm run bench` (forked by bench/run.ts): holds a share of the
// rep sockets, so the server is measured, not the bench. Talks to the runner over IPC:
//   connect {reps}       opens the sockets (a few in flight), answers each one's connect time
//                        (io() until its first pool:state)
//   claims {policy, k}   what to do with each new lead: `race` = k of this process's sockets
//                        claim it as soon as offered; `one` = the process chosen by the lead id
//                        claims it once; `collect` = its id is kept for `offered`; `none`
//   offered {count}      the ids of the next `count` leads offered to every socket here
//                        (collected), once they have come (fewer after 60 s without a new one)
//   report               per lead: offers received, the last arrival (epoch ms, high
//                        resolution, comparable across processes), claim acks and their latency
//   storm {leadIds, k}   claim throughput: k of this process's sockets claim each lead, a
//                        window of claims in flight; answers attempts, wins per lead, time
//   settle {inFlight}    every lead won here since the last settle gets its outcome (won), as
//                        a rep records it once the lead is worked: the next round's snapshots
//                        then carry no leads held from this one (the floor's never do)
//   close                closes every socket
// In race/one mode a lead whose offers and claims are all done here is announced (`done`).
// A message with a `seq` is answered with it, so answers may come in any order.
import { io as connect, type Socket } from 'socket.io-client';
import { EV } from '../shared/events.js';

type Msg =
  | { type: 'connect'; reps: { url: string; token: string }[]; inFlight: number }
  | { type: 'claims'; policy: 'race' | 'one' | 'collect' | 'none'; k: number; worker: number; workers: number }
  | { type: 'report' }
  | { type: 'offered'; count: number }
  | { type: 'storm'; leadIds: string[]; perLead: number; inFlight: number }
  | { type: 'settle'; inFlight: number }
  | { type: 'close' };

/** What `report` answers, per lead seen since the last report. */
export interface WorkerReport {
  type: 'report';
  sockets: number;
  leads: { leadId: string; offers: number; last: number; wins: number; losses: number; ackMs: number[] }[];
}
export interface Connected {
  type: 'connected';
  times: number[];
  failed: number;
}
export interface Offered {
  type: 'offered';
  ids: string[];
}
export interface Settled {
  type: 'settled';
  settled: number;
  failed: number;
}
export interface Stormed {
  type: 'stormed';
  attempts: number;
  errors: number;
  wins: Record<string, number>;
  ms: number;
}

interface LeadTrack {
  offers: number;
  last: number;
  claimsPending: number;
  wins: number;
  losses: number;
  ackMs: number[];
}

const now = () => performance.timeOrigin + performance.now();
let sockets: Socket[] = [];
let policy: Extract<Msg, { type: 'claims' }> = { type: 'claims', policy: 'none', k: 0, worker: 0, workers: 1 };
let nextRacer = 0;
let leads = new Map<string, LeadTrack>();
/** Leads won by `claim` (race and one policies) and not settled yet, with the socket that won each. */
let won: { socket: Socket; leadId: string }[] = [];

const send = (m: unknown) => process.send?.(m);

// `collect`: each lead's id once every socket of this process was offered it (so claiming
// starts after the fan-out, and a lost offer shows), in order of completion.
const collected: string[] = [];
const offersSeen = new Map<string, number>();
let collectWaiter: { count: number; resolve: (ids: string[]) => void } | null = null;

function collect(id: string): void {
  const n = (offersSeen.get(id) ?? 0) + 1;
  if (n >= sockets.length) {
    offersSeen.delete(id);
    collected.push(id);
  } else offersSeen.set(id, n);
  if (collectWaiter && collected.length >= collectWaiter.count) {
    collectWaiter.resolve(collected.splice(0, collectWaiter.count));
    collectWaiter = null;
  }
}

async function offered(count: number): Promise<string[]> {
  let last = collected.length;
  for (;;) {
    if (collected.length >= count) return collected.splice(0, count);
    const ids = await new Promise<string[] | null>((resolve) => {
      const timer = setTimeout(() => resolve(null), 60_000);
      collectWaiter = {
        count,
        resolve: (ids) => {
          clearTimeout(timer);
          resolve(ids);
        },
      };
    });
    if (ids) return ids;
    collectWaiter = null;
    if (collected.length === last) return collected.splice(0, collected.length);
    last = collected.length;
  }
}

/** A stable small hash of a lead id: which process claims it under the `one` policy. */
const owner = (id: string) => {
  let h = 0;
  for (let i = 0; i < id.length; i++) h = (h * 31 + id.charCodeAt(i)) | 0;
  return Math.abs(h) % policy.workers;
};

function maybeDone(id: string, t: LeadTrack): void {
  if (policy.policy !== 'none' && t.offers === sockets.length && t.claimsPending === 0) send({ type: 'done', leadId: id, last: t.last });
}

function claim(socket: Socket, id: string, t: LeadTrack): void {
  t.claimsPending++;
  const start = performance.now();
  socket.timeout(30_000).emit(EV.claim, { leadId: id }, (err: unknown, ack: { ok: boolean } | undefined) => {
    t.claimsPending--;
    if (!err) t.ackMs.push(performance.now() - start);
    if (ack?.ok) {
      t.wins++;
      won.push({ socket, leadId: id });
    } else t.losses++;
    maybeDone(id, t);
  });
}

function onOffered(lead: { id: string }): void {
  if (policy.policy === 'collect') return void collect(lead.id);
  const at = now();
  let t = leads.get(lead.id);
  const first = !t;
  if (!t) {
    t = { offers: 0, last: 0, claimsPending: 0, wins: 0, losses: 0, ackMs: [] };
    leads.set(lead.id, t);
  }
  t.offers++;
  t.last = Math.max(t.last, at);
  if (first && policy.policy === 'race') {
    for (let i = 0; i < Math.min(policy.k, sockets.length); i++) claim(sockets[nextRacer++ % sockets.length], lead.id, t);
  } else if (first && policy.policy === 'one' && owner(lead.id) === policy.worker && sockets.length) {
    claim(sockets[nextRacer++ % sockets.length], lead.id, t);
  }
  maybeDone(lead.id, t);
}

/** Runs `task(i)` for i = 0..count-1, `inFlight` at a time, each window taking the next index as it frees. */
async function inWindows(count: number, inFlight: number, task: (i: number) => Promise<unknown>): Promise<void> {
  let next = 0;
  await Promise.all(
    Array.from({ length: inFlight }, async () => {
      while (next < count) await task(next++);
    }),
  );
}

async function open(reps: { url: string; token: string }[], inFlight: number): Promise<{ times: number[]; failed: number }> {
  const times: number[] = [];
  let failed = 0;
  const one = (rep: { url: string; token: string }) =>
    new Promise<void>((resolve) => {
      const start = performance.now();
      const s = connect(`${rep.url}/rep`, { auth: { token: rep.token }, transports: ['websocket'], forceNew: true, reconnection: false });
      const timer = setTimeout(() => {
        failed++;
        s.close();
        resolve();
      }, 60_000);
      s.once(EV.poolState, () => {
        clearTimeout(timer);
        times.push(performance.now() - start);
        s.on(EV.leadOffered, onOffered);
        sockets.push(s);
        resolve();
      });
      s.once('connect_error', () => {
        clearTimeout(timer);
        failed++;
        resolve();
      });
    });
  await inWindows(reps.length, inFlight, (i) => one(reps[i]));
  return { times, failed };
}

/** Every lead claimed by `perLead` sockets at once (the racers of one lead on different sockets), `inFlight` leads at a time. */
async function storm(leadIds: string[], perLead: number, inFlight: number) {
  const wins: Record<string, number> = {};
  let attempts = 0;
  let errors = 0;
  const start = performance.now();
  const one = (socket: Socket, leadId: string) =>
    new Promise<void>((resolve) => {
      socket.timeout(30_000).emit(EV.claim, { leadId }, (err: unknown, ack: { ok: boolean; error?: { code: string } } | undefined) => {
        attempts++;
        if (err || (!ack?.ok && ack?.error?.code !== 'ALREADY_CLAIMED')) errors++;
        if (ack?.ok) wins[leadId] = (wins[leadId] ?? 0) + 1;
        resolve();
      });
    });
  await inWindows(leadIds.length, inFlight, (i) =>
    Promise.all(
      Array.from({ length: Math.min(perLead, sockets.length) }, (_, k) => one(sockets[(i * perLead + k) % sockets.length], leadIds[i])),
    ),
  );
  return { attempts, errors, wins, ms: performance.now() - start };
}

async function settle(inFlight: number): Promise<{ settled: number; failed: number }> {
  const todo = won;
  won = [];
  let settled = 0;
  let failed = 0;
  const one = ({ socket, leadId }: (typeof todo)[number]) =>
    new Promise<void>((resolve) => {
      socket.timeout(30_000).emit(EV.outcome, { leadId, outcome: 'won' }, (err: unknown, ack: { ok: boolean } | undefined) => {
        if (!err && ack?.ok) settled++;
        else failed++;
        resolve();
      });
    });
  await inWindows(todo.length, inFlight, (i) => one(todo[i]));
  return { settled, failed };
}

process.on('message', async (m: Msg & { seq?: number }) => {
  const send = (answer: object) => process.send?.(m.seq === undefined ? answer : { ...answer, seq: m.seq });
  if (m.type === 'connect') send({ type: 'connected', ...(await open(m.reps, m.inFlight)) });
  else if (m.type === 'claims') {
    policy = m;
    send({ type: 'ok' });
  } else if (m.type === 'offered') {
    send({ type: 'offered', ids: await offered(m.count) });
  } else if (m.type === 'report') {
    const out = [...leads].map(([leadId, t]) => ({
      leadId,
      offers: t.offers,
      last: t.last,
      wins: t.wins,
      losses: t.losses,
      ackMs: t.ackMs,
    }));
    leads = new Map();
    send({ type: 'report', sockets: sockets.length, leads: out });
  } else if (m.type === 'storm') {
    send({ type: 'stormed', ...(await storm(m.leadIds, m.perLead, m.inFlight)) });
  } else if (m.type === 'settle') {
    send({ type: 'settled', ...(await settle(m.inFlight)) });
  } else if (m.type === 'close') {
    for (const s of sockets) s.close();
    sockets = [];
    leads = new Map();
    won = [];
    send({ type: 'closed' });
  }
});
process.on('disconnect', () => process.exit(0));
