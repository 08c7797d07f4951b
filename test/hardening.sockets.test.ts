// Issue #13, the socket side: one socket cannot stall everyone, a client cannot write the
// server log, and the smaller doors (the default namespace, the Origin check, wrong tokens,
// connections per address). Each test fails on the code before the guard
// (server/transport/socket-guard.ts) and passes with it. Timings are compared with a
// baseline measured in the same test, never with an absolute bound.
import { Worker } from 'node:worker_threads';
import { io, Manager } from 'socket.io-client';
import { afterAll, afterEach, describe, expect, it } from 'vitest';
import { storeDuration } from '../server/metrics.js';
import { clientText } from '../server/transport/log-text.js';
import { Bucket, moreElementsThan } from '../server/transport/socket-guard.js';
import { EV } from '../shared/events.js';
import {
  closeAllSockets,
  codeOf,
  connectError,
  connectRep,
  createReps,
  disconnected,
  emitAck,
  emitRaw,
  emitRawAck,
  eventually,
  pool,
  postLead,
  type RepClient,
} from './support/clients.js';
import { type InProcessServer, startInProcess, startServer } from './support/server.js';
import { stores } from './support/stores.js';

const median = (xs: number[]) => [...xs].sort((a, b) => a - b)[Math.floor(xs.length / 2)];

interface FloodResult {
  sent: number;
  counts: Record<string, number>;
  /** Why the flooding socket went away ('io server disconnect', ...), or null if it did not. */
  reason: string | null;
}

/**
 * A rep socket in a worker thread (so the test's own event loop measures the server, not
 * the flood) emitting `event` with the payload `payloadSource` evaluates to, `perTurn` at a
 * time, for `durationMs` or until disconnected. `started` resolves once it floods.
 */
function flood(opts: {
  url: string;
  token: string;
  event: string;
  payloadSource: string;
  durationMs: number;
  perTurn: number;
  /** Stop after this many emits (default: no limit). */
  total?: number;
}) {
  const worker = new Worker(
    `
    const { io } = require('socket.io-client');
    const { parentPort, workerData: o } = require('node:worker_threads');
    const payload = new Function('return ' + o.payloadSource)();
    const s = io(o.url + '/rep', { auth: { token: o.token }, transports: ['websocket'], forceNew: true, reconnection: false });
    const counts = {};
    let sent = 0, reason = null, done = false;
    let answered = 0;
    const finish = () => {
      if (done) return;
      done = true;
      // Every ack answered (or the socket gone, or 15 s), then a moment for stragglers.
      const until = Date.now() + 15000;
      const wait = () => {
        if (answered < sent && reason === null && Date.now() < until) return setTimeout(wait, 50);
        setTimeout(() => { parentPort.postMessage({ type: 'done', sent, counts, reason }); s.close(); }, 300);
      };
      wait();
    };
    s.on('disconnect', (r) => { reason = r; finish(); });
    s.on('connect_error', (e) => { reason = 'connect_error: ' + e.message; finish(); });
    s.on('connect', () => {
      const until = Date.now() + o.durationMs;
      parentPort.postMessage({ type: 'started' });
      const turn = () => {
        if (!s.connected || Date.now() > until || sent >= (o.total ?? Infinity)) return finish();
        for (let i = 0; i < o.perTurn && sent < (o.total ?? Infinity); i++) {
          sent++;
          s.emit(o.event, payload, (a) => { const k = a && a.ok === false ? a.error.code : 'ok'; counts[k] = (counts[k] || 0) + 1; answered++; });
        }
        setImmediate(turn);
      };
      turn();
    });`,
    { eval: true, workerData: opts },
  );
  let onStarted: () => void = () => {};
  const started = new Promise<void>((resolve) => (onStarted = resolve));
  const result = new Promise<FloodResult>((resolve, reject) => {
    worker.on('message', (m: { type: string } & FloodResult) => {
      if (m.type === 'started') onStarted();
      else {
        resolve(m);
        void worker.terminate();
      }
    });
    worker.on('error', reject);
  });
  return { started, result };
}

/** Claims fresh leads one after another on `rep`, each ack's round trip in ms. */
async function claimTimes(p: ReturnType<typeof pool>, rep: RepClient, n: number): Promise<number[]> {
  const leads = [];
  for (let i = 0; i < n; i++) leads.push(await postLead(p.feed));
  const times: number[] = [];
  for (const lead of leads) {
    const t = performance.now();
    const answer = await emitAck(rep.socket, EV.claim, { leadId: lead.id }, 20_000);
    times.push(performance.now() - t);
    expect(codeOf(answer)).toBe('ok');
  }
  return times;
}

const servers: InProcessServer[] = [];
afterEach(() => closeAllSockets());
afterAll(async () => {
  await Promise.all(servers.map((s) => s.close()));
  for (const f of stores) await f.teardown?.();
});
async function fresh(env: Record<string, string> = {}): Promise<InProcessServer> {
  const server = await startInProcess({ env });
  servers.push(server);
  return server;
}

describe.each(stores)('one socket cannot stall everyone ($name store)', (factory) => {
  it('a rep flooding presence:set is answered RATE_LIMITED and disconnected; another rep stays fast, memory stays bounded', async () => {
    const server = await factory.start();
    servers.push(server);
    const p = pool(server);
    await p.manager.patch('/api/pool/settings', { maxActivePerRep: 10_000 });
    const [flooder, other] = await createReps(p.manager, 2);
    const bystander = await connectRep(server.url, other.token);

    const baseline = median(await claimTimes(p, bystander, 20));
    const heapBefore = process.memoryUsage().heapUsed;
    const f = flood({
      url: server.url,
      token: flooder.token,
      event: EV.presenceSet,
      payloadSource: "({ status: 'away' })",
      durationMs: 2500,
      perTurn: 500,
    });
    await f.started;
    const during = await claimTimes(p, bystander, 20);
    const result = await f.result;

    // Refused before any work, then disconnected: a few hundred accepted, not hundreds of thousands.
    expect(result.counts.RATE_LIMITED, JSON.stringify(result)).toBeGreaterThan(0);
    expect(result.counts.ok ?? 0).toBeLessThan(1000);
    expect(result.reason).toBe('io server disconnect');
    // The other rep's acks stay in the baseline's range (a generous factor of it).
    expect(median(during), `baseline ${baseline.toFixed(2)} ms, during ${during.map((t) => t.toFixed(1)).join(' ')}`).toBeLessThan(
      Math.max(baseline, 1) * 15,
    );
    expect(process.memoryUsage().heapUsed - heapBefore).toBeLessThan(256 * 1024 * 1024);
    // The flooder sits out a while; the other rep is untouched.
    expect(await connectError(server.url, '/rep', flooder.token)).toBe('rate limited');
    expect(bystander.socket.connected).toBe(true);
    expect((await fetch(`${server.url}/healthz`)).status).toBe(200);
  });
});

describe('budgets', () => {
  it('twenty ~1 MB payloads with 80,000 unknown keys are answered without stalling another rep', async () => {
    const server = await fresh();
    const p = pool(server);
    await p.manager.patch('/api/pool/settings', { maxActivePerRep: 10_000 });
    const [heavy, other] = await createReps(p.manager, 2);
    const bystander = await connectRep(server.url, other.token);
    const baseline = median(await claimTimes(p, bystander, 20));
    const f = flood({
      url: server.url,
      token: heavy.token,
      event: EV.claim,
      payloadSource: 'Object.fromEntries(Array.from({ length: 80000 }, (_, i) => ["k" + i, 1]))',
      durationMs: 10_000,
      perTurn: 20,
      total: 20,
    });
    await f.started;
    const during = await claimTimes(p, bystander, 20);
    const result = await f.result;
    // Each is answered (INVALID: too large for /rep, or RATE_LIMITED: over the byte budget), none disconnects.
    expect((result.counts.INVALID ?? 0) + (result.counts.RATE_LIMITED ?? 0), JSON.stringify(result)).toBe(20);
    expect(median(during), `baseline ${baseline.toFixed(2)} ms, during ${during.map((t) => t.toFixed(1)).join(' ')}`).toBeLessThan(
      Math.max(baseline, 1) * 15,
    );
  });

  it('unknown events (an `error` event too) are budgeted: answered INVALID, then RATE_LIMITED, then the socket is disconnected', async () => {
    const server = await fresh();
    const p = pool(server);
    const [r] = await createReps(p.manager, 1);
    const rep = await connectRep(server.url, r.token);
    expect(await emitRawAck(rep.socket, 'no:such:event', [{ a: 1 }])).toMatchObject({ ok: false, error: { code: 'INVALID' } });
    expect(await emitRawAck(rep.socket, 'error', ['boom'])).toMatchObject({ ok: false, error: { code: 'INVALID' } });
    const answers = await Promise.all(
      Array.from({ length: 300 }, () => emitRawAck(rep.socket, 'no:such:event', [{}], 3000).catch(() => 'no answer' as const)),
    );
    const count = (what: string) => answers.filter((a) => (typeof a === 'string' ? a : codeOf(a)) === what).length;
    // The burst of a socket's budget (twice LEADPOOL_SOCKET_EVENTS_PER_SECOND = 200) answered, then refusals.
    expect(count('INVALID')).toBeGreaterThan(150);
    expect(count('INVALID')).toBeLessThan(230);
    expect(count('RATE_LIMITED')).toBeGreaterThan(0);
    await eventually(() => !rep.socket.connected);
    // The budget is per process and per rep: the pre-check of maxActionsPerSecond is separate (ActionGate).
    expect((await fetch(`${server.url}/healthz`)).status).toBe(200);
  });

  it('maxActionsPerSecond: once the store refused a rep RATE_LIMITED, the rest of its burst never reaches the store', async () => {
    // The socket budgets out of the way: this is the store's rate limit and its local pre-check.
    const server = await fresh({ LEADPOOL_SOCKET_EVENTS_PER_SECOND: '0', LEADPOOL_REP_EVENTS_PER_SECOND: '0' });
    const p = pool(server);
    expect((await p.manager.put('/api/pool/mode', { mode: 'blind-pull' })).status).toBe(200);
    expect((await p.manager.patch('/api/pool/settings', { maxActionsPerSecond: 5 })).status).toBe(200);
    const [r] = await createReps(p.manager, 1);
    const rep = await connectRep(server.url, r.token);
    const storePulls = async () =>
      (await storeDuration.get()).values
        .filter((v) => v.metricName?.endsWith('_count') && v.labels.op === 'pull')
        .reduce((n, v) => n + v.value, 0);
    const before = await storePulls();
    const answers = await Promise.all(Array.from({ length: 200 }, () => emitAck(rep.socket, EV.pull, {}, 10_000)));
    const calls = (await storePulls()) - before;
    const codes = answers.map(codeOf);
    expect(codes.filter((c) => c === 'POOL_EMPTY').length).toBeGreaterThanOrEqual(5);
    expect(codes.filter((c) => c === 'RATE_LIMITED').length).toBeGreaterThan(150);
    // About maxActionsPerSecond + 1 store calls a second, not 200.
    expect(calls).toBeGreaterThanOrEqual(6);
    expect(calls).toBeLessThan(40);
  });

  it('a message over the transport limit (1.1 MB) closes that connection only; up to 1 MB is answered', async () => {
    const server = await fresh();
    const p = pool(server);
    const [a, b] = await createReps(p.manager, 2);
    const big = await connectRep(server.url, a.token);
    const other = await connectRep(server.url, b.token);
    expect(codeOf(await emitRawAck(big.socket, EV.claim, [{ leadId: 'x'.repeat(1000 * 1000 - 100) }], 10_000))).toBe('INVALID');
    const gone = disconnected(big.socket);
    emitRaw(big.socket, EV.claim, { leadId: 'x'.repeat(1_800_000) });
    expect(await gone).toBe('transport close');
    expect(codeOf(await emitAck(other.socket, EV.release, { leadId: 'ld_nope' }))).toBe('NOT_FOUND');
  });

  it('token buckets and the element count: the building blocks', () => {
    const b = new Bucket(10, 20, 0);
    let taken = 0;
    while (b.take(1, 0)) taken++;
    expect(taken).toBe(20);
    expect(b.take(1, 50)).toBe(false);
    expect(b.take(1, 100)).toBe(true); // 0.1 s at 10/s
    expect(new Bucket(0, 0).take(1e9)).toBe(true); // 0 = off
    expect(moreElementsThan('["a",{"b":[1,2,3]}]', 0, 6)).toBe(true);
    expect(moreElementsThan('["a,b,c,d,e,f,g,h"]', 0, 2)).toBe(false); // inside a string: not elements
    expect(moreElementsThan('["a\\",b,c,d,e,f,g,h"]', 0, 2)).toBe(false); // an escaped quote stays in the string
  });
});

describe('a client does not write the server log', () => {
  it('an `error` event with a forged line (and 40 large ones) leaves no line of its own and does not grow the log', async () => {
    const server = await startServer();
    try {
      const manager = pool({ url: server.url, managerToken: server.managerToken, feedKey: server.feedKey }).manager;
      const [r] = await createReps(manager, 1);
      const rep = await connectRep(server.url, r.token);
      const before = server.output().length;
      const forged = '\n2026-01-01 INFO forged';
      expect(codeOf(await emitRawAck(rep.socket, 'error', [forged]))).toBe('INVALID');
      emitRaw(rep.socket, 'error', `${forged}\r\n2026-01-01 INFO forged again`);
      emitRaw(rep.socket, 'error', { message: forged, stack: forged });
      const large = `${forged}${'y'.repeat(900 * 1024)}`;
      for (let i = 0; i < 40; i++) emitRaw(rep.socket, 'error', large);
      // A round trip: everything above was handled before this answer.
      await emitRawAck(rep.socket, EV.release, [{ leadId: 'ld_none' }], 10_000).catch(() => null);
      await new Promise((r) => setTimeout(r, 300));
      const log = server.output().slice(before);
      expect(log.split(/\r?\n/).filter((line) => line.startsWith('2026-01-01 INFO forged'))).toEqual([]);
      expect(log.length).toBeLessThan(64 * 1024);
    } finally {
      await server.stop();
    }
  });

  it('client text, when logged at all, is escaped and bounded', () => {
    const text = clientText(`\n2026-01-01 INFO forged\u2028\u001b[31m${'z'.repeat(5000)}`);
    for (const c of ['\n', '\r', '\u2028', '\u2029', '\u001b']) expect(text).not.toContain(c);
    expect(text.length).toBeLessThan(300);
  });
});

describe('smaller doors', () => {
  it('the default namespace refuses every connection; a connection that joins no namespace is closed after 5 s', async () => {
    const server = await fresh();
    const s = io(server.url, { transports: ['websocket'], forceNew: true, reconnection: false });
    const message = await new Promise<string>((resolve, reject) => {
      s.once('connect_error', (err) => resolve(err.message));
      s.once('connect', () => reject(new Error('the default namespace accepted a socket')));
    });
    s.close();
    expect(message).toBe('invalid namespace');

    const m = new Manager(server.url, { transports: ['websocket'], reconnection: false, autoConnect: false });
    const closedAt = new Promise<number>((resolve) => m.on('close', () => resolve(performance.now())));
    const openedAt = await new Promise<number>((resolve, reject) => m.open((err) => (err ? reject(err) : resolve(performance.now()))));
    const closed = await Promise.race([closedAt, new Promise<null>((r) => setTimeout(() => r(null), 8000))]);
    expect(closed, 'an idle connection in no namespace is still open after 8 s').not.toBeNull();
    expect((closed as number) - openedAt).toBeGreaterThan(4000);
  });

  it('Origin: a foreign one is refused (Host header forged alike), the configured public origin accepted', async () => {
    const server = await fresh({ LEADPOOL_PUBLIC_ORIGIN: 'https://leads.example.test' });
    const [r] = await createReps(pool(server).manager, 1);
    const attempt = (headers: Record<string, string>) =>
      new Promise<string>((resolve) => {
        const s = io(`${server.url}/rep`, {
          auth: { token: r.token },
          transports: ['websocket'],
          forceNew: true,
          reconnection: false,
          extraHeaders: headers,
        });
        s.once('connect', () => {
          s.close();
          resolve('connected');
        });
        s.once('connect_error', () => {
          s.close();
          resolve('refused');
        });
      });
    expect(await attempt({ origin: 'https://evil.example' })).toBe('refused');
    expect(await attempt({ origin: 'https://evil.example', host: 'evil.example' })).toBe('refused');
    expect(await attempt({ origin: server.url })).toBe('refused'); // a public origin is configured: only it
    expect(await attempt({ origin: 'https://leads.example.test' })).toBe('connected');
    expect(await attempt({})).toBe('connected'); // no Origin: not a browser

    // Nothing configured: the listening address and its localhost equivalents.
    const plain = await fresh();
    const [r2] = await createReps(pool(plain).manager, 1);
    const attemptPlain = (origin: string) =>
      new Promise<string>((resolve) => {
        const s = io(`${plain.url}/rep`, {
          auth: { token: r2.token },
          transports: ['websocket'],
          forceNew: true,
          reconnection: false,
          extraHeaders: { origin },
        });
        s.once('connect', () => {
          s.close();
          resolve('connected');
        });
        s.once('connect_error', () => {
          s.close();
          resolve('refused');
        });
      });
    expect(await attemptPlain(plain.url)).toBe('connected');
    expect(await attemptPlain(`http://localhost:${plain.port}`)).toBe('connected');
    expect(await attemptPlain(`http://evil.example:${plain.port}`)).toBe('refused');
  });

  it('wrong tokens are throttled per address (HTTP and sockets together); successes are unaffected', async () => {
    const server = await fresh({ LEADPOOL_AUTH_FAILURES_PER_MINUTE: '20' });
    const p = pool(server);
    const [r] = await createReps(p.manager, 1);
    const rep = await connectRep(server.url, r.token); // a token that identified someone
    const wrong = (i: number) => fetch(`${server.url}/api/me`, { headers: { authorization: `Bearer lpr_wrong-${i}-000000000000` } });
    for (let i = 0; i < 15; i++) expect((await wrong(i)).status).toBe(401);
    for (let i = 0; i < 5; i++) expect(await connectError(server.url, '/rep', `lpr_wrong-socket-${i}-0000000`)).toBe('unauthorized');
    const refused = await wrong(99);
    expect(refused.status).toBe(429);
    expect(await refused.json()).toMatchObject({ error: { code: 'RATE_LIMITED' } });
    expect(Number(refused.headers.get('retry-after'))).toBeGreaterThanOrEqual(1);
    expect(await connectError(server.url, '/rep', 'lpr_wrong-socket-x-0000000')).toBe('rate limited');
    // Successes: the manager, a known rep (HTTP and a new tab), the connected tab.
    expect((await p.manager.get('/api/reps')).status).toBe(200);
    expect((await fetch(`${server.url}/api/me`, { headers: { authorization: `Bearer ${r.token}` } })).status).toBe(200);
    expect((await connectRep(server.url, r.token)).socket.connected).toBe(true);
    expect(codeOf(await emitAck(rep.socket, EV.release, { leadId: 'ld_nope' }))).toBe('NOT_FOUND');
  });

  it('connections per address are capped, and so are connections in no namespace', async () => {
    const server = await fresh({ LEADPOOL_CONNECTIONS_PER_ADDRESS: '4', LEADPOOL_PENDING_CONNECTIONS_PER_ADDRESS: '2' });
    const [r] = await createReps(pool(server).manager, 1);
    const open = (): Promise<Manager | null> =>
      new Promise((resolve) => {
        const m = new Manager(server.url, { transports: ['websocket'], reconnection: false, autoConnect: false });
        m.open((err) => resolve(err ? null : m));
      });
    const pending = [await open(), await open()];
    expect(pending.every(Boolean)).toBe(true);
    expect(await open()).toBeNull(); // a third connection in no namespace
    for (const m of pending) m?.engine.close();
    await eventually(() => server.leadpool.io.engine.clientsCount === 0);
    const tabs = [];
    for (let i = 0; i < 4; i++) tabs.push(await connectRep(server.url, r.token));
    await expect(connectRep(server.url, r.token)).rejects.toThrow(/connect_error/);
    tabs[0].close();
    await eventually(async () => (await connectRep(server.url, r.token).catch(() => null)) !== null);
  });
});
