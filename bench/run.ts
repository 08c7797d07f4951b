// `npm run bench`: end-to-end figures on this machine, each reported as a ratio against a
// baseline measured in the same run (absolute numbers vary between machines; ratios
// travel). Real servers on loopback, real stores: embedded (lowdb files) and, when
// redis-server is installed, Redis (a throwaway redis-server on a free port).
//
//   baseline HTTP   GET /healthz round trips (no store work)
//   ingest          POST /api/leads (validate, dedupe, store durably, fan out)
//   baseline socket an ack round trip answered by validation alone (INVALID payload)
//   race            one lead posted, R reps claim it at once: time to the last ack
//   pull            blind-pull: P reps pull leads as fast as acks come back
import { io as connect } from 'socket.io-client';
import { fakeLead, seeded } from '../scripts/fake-leads.js';
import { EV } from '../shared/events.js';
import { api } from '../test/support/api.js';
import { emitAck, emitRawAck, type RepSocket } from '../test/support/clients.js';
import { startInProcess } from '../test/support/server.js';

const N_HTTP = Number(process.env.BENCH_HTTP ?? 2000);
const N_RACES = Number(process.env.BENCH_RACES ?? 200);
const RACERS = Number(process.env.BENCH_RACERS ?? 16);
const CONCURRENCY = 16;

type Row = { store: string; what: string; value: string; ratio: string };
const rows: Row[] = [];

async function pool<T>(n: number, concurrency: number, task: (i: number) => Promise<T>): Promise<void> {
  let next = 0;
  await Promise.all(
    Array.from({ length: concurrency }, async () => {
      while (next < n) await task(next++);
    }),
  );
}

const median = (xs: number[]) => {
  const s = [...xs].sort((a, b) => a - b);
  return s[Math.floor(s.length / 2)];
};
const p99 = (xs: number[]) => {
  const s = [...xs].sort((a, b) => a - b);
  return s[Math.min(s.length - 1, Math.floor(s.length * 0.99))];
};

const ACK_TIMEOUT_MS = 10_000;

/** A claim that validation refuses (a lead id must be a string): the cheapest answer the server gives. */
const invalidClaim = (socket: RepSocket) => emitRawAck(socket, EV.claim, [{ leadId: 42 }], ACK_TIMEOUT_MS);

async function repSockets(url: string, tokens: string[]): Promise<RepSocket[]> {
  return Promise.all(
    tokens.map(
      (token) =>
        new Promise<RepSocket>((resolve, reject) => {
          const s: RepSocket = connect(`${url}/rep`, { auth: { token }, transports: ['websocket'], forceNew: true });
          s.once(EV.poolState, () => resolve(s));
          s.once('connect_error', reject);
        }),
    ),
  );
}

async function benchStore(label: string, env: Record<string, string>): Promise<void> {
  // The ingest flood guard and the socket event budgets are off: this measures the server, not the guards.
  const server = await startInProcess({
    env: { ...env, LEADPOOL_INGEST_RATE: '0', LEADPOOL_SOCKET_EVENTS_PER_SECOND: '0', LEADPOOL_REP_EVENTS_PER_SECOND: '0' },
  });
  const manager = api(server.url, server.managerToken);
  const feed = api(server.url, server.feedKey);
  const rnd = seeded(42);
  try {
    await manager.patch('/api/pool/settings', { maxActivePerRep: 100_000, maxActionsPerSecond: 0 });

    // HTTP baseline vs ingest, same concurrency.
    let t = performance.now();
    await pool(N_HTTP, CONCURRENCY, () => fetch(`${server.url}/healthz`).then((r) => r.text()));
    const healthzPerSec = N_HTTP / ((performance.now() - t) / 1000);
    t = performance.now();
    await pool(N_HTTP, CONCURRENCY, async (i) => {
      const r = await feed.post('/api/leads', fakeLead(i, rnd));
      if (r.status !== 201) throw new Error(`ingest answered ${r.status}`);
    });
    const ingestPerSec = N_HTTP / ((performance.now() - t) / 1000);
    rows.push({ store: label, what: 'GET /healthz (baseline)', value: `${healthzPerSec.toFixed(0)} req/s`, ratio: '1.00' });
    rows.push({
      store: label,
      what: `POST /api/leads, ${CONCURRENCY} in flight`,
      value: `${ingestPerSec.toFixed(0)} leads/s`,
      ratio: (ingestPerSec / healthzPerSec).toFixed(2),
    });

    // Reps for the socket figures. Start from an empty pool: claim everything ingested.
    const tokens: string[] = [];
    for (let i = 0; i < RACERS; i++) tokens.push((await manager.post('/api/reps', { name: `bench ${i}` })).body.token);
    await manager.put('/api/pool/mode', { mode: 'blind-pull' });
    const sockets = await repSockets(server.url, tokens);

    // Socket baseline: acks answered by validation alone, one at a time, then from every rep at once.
    const rtts: number[] = [];
    for (let i = 0; i < 500; i++) {
      const s = performance.now();
      await invalidClaim(sockets[i % sockets.length]);
      rtts.push(performance.now() - s);
    }
    t = performance.now();
    await Promise.all(
      sockets.map(async (s) => {
        for (let i = 0; i < 200; i++) await invalidClaim(s);
      }),
    );
    const baselineAcksPerSec = (200 * sockets.length) / ((performance.now() - t) / 1000);
    rows.push({
      store: label,
      what: 'socket ack round trip, validation only (baseline)',
      value: `${median(rtts).toFixed(2)} ms median`,
      ratio: '1.00',
    });
    rows.push({
      store: label,
      what: `socket acks, ${RACERS} reps at once, validation only (baseline)`,
      value: `${baselineAcksPerSec.toFixed(0)} acks/s`,
      ratio: '1.00',
    });

    // Pull throughput: every rep pulls until the pool is empty.
    t = performance.now();
    let pulled = 0;
    await Promise.all(
      sockets.map(async (s) => {
        for (;;) {
          const r = await emitAck(s, EV.pull, {}, ACK_TIMEOUT_MS);
          if (!r.ok) break;
          pulled++;
        }
      }),
    );
    const pullPerSec = pulled / ((performance.now() - t) / 1000);
    rows.push({
      store: label,
      what: `lead:pull, ${RACERS} reps draining ${pulled} leads`,
      value: `${pullPerSec.toFixed(0)} pulls/s`,
      ratio: (pullPerSec / baselineAcksPerSec).toFixed(2),
    });

    // Races: post a lead, every rep claims it as soon as it is offered.
    await manager.put('/api/pool/mode', { mode: 'shark-tank' });
    const raceMs: number[] = [];
    for (let i = 0; i < N_RACES; i++) {
      const offered = sockets.map((s) => new Promise<string>((res) => s.once(EV.leadOffered, (v) => res(v.id))));
      const start = performance.now();
      await feed.post('/api/leads', fakeLead(N_HTTP + i, rnd));
      const acks = await Promise.all(offered.map(async (p, k) => emitAck(sockets[k], EV.claim, { leadId: await p }, ACK_TIMEOUT_MS)));
      raceMs.push(performance.now() - start);
      const taken = acks.filter((a) => a.ok).length;
      if (taken !== 1) throw new Error(`race ${i}: ${taken} claims took the lead`);
    }
    rows.push({
      store: label,
      what: `race: post → offer → ${RACERS} claims → all acks`,
      value: `${median(raceMs).toFixed(1)} ms median, ${p99(raceMs).toFixed(1)} ms p99`,
      ratio: `${(median(raceMs) / median(rtts)).toFixed(1)} (median / baseline RTT)`,
    });

    for (const s of sockets) s.close();
  } finally {
    await server.close();
  }
}

async function main(): Promise<void> {
  console.log(
    `Leadpool benchmark — ${new Date().toISOString()}, node ${process.version}, ${(await import('node:os')).cpus().length} cores`,
  );
  await benchStore('embedded', {});
  let redis: { url: string; stop(): Promise<void> } | null = null;
  try {
    const { startRedis } = await import('../test/support/redis.js');
    redis = await startRedis();
  } catch (err) {
    console.log(`(Redis figures skipped: ${(err as Error).message})`);
  }
  if (redis) {
    try {
      await benchStore('redis', { REDIS_URL: redis.url, LEADPOOL_REDIS_PREFIX: `bench${Date.now()}` });
    } finally {
      await redis.stop();
    }
  }
  console.log('\n| store | measure | value | ratio to baseline |\n|---|---|---|---|');
  for (const r of rows) console.log(`| ${r.store} | ${r.what} | ${r.value} | ${r.ratio} |`);
  process.exit(0);
}

main().catch((err) => {
  console.error(err);
  process.exit(1);
});
