// How many claims one Redis can decide: the claim rate with Redis as the only limit. The
// storm through three server processes (bench/run.ts claimStorm) is bounded by the CPU the
// servers and the bench's clients take on the same cores; here the bench drives Redis
// directly, as three servers' store connections would (Leadpool: RedisStore.claim, the
// claim.lua a server runs; the floor: its SET NX), and reads what each claim costs Redis in
// CPU (INFO cpu, only while claiming). One claim costing Redis `c` µs of CPU means one Redis
// core decides at most 1,000,000 / c claims a second, whatever the servers in front of it.
//
// Both pay, per lead won, one PUBLISH of a lead:gone-sized message to three subscribers: the
// broadcast each server's Redis adapter makes. Runs alone with `npx tsx
// bench/redis-claim-ceiling.ts` (a throwaway redis-server); `npm run bench -- --claims N`
// calls benchRedisClaimCeiling().
import { randomUUID } from 'node:crypto';
import { createClient } from 'redis';
import { fakeLead, seeded } from '../scripts/fake-leads.js';
import { RedisStore } from '../server/store/redis/store.js';
import { DEFAULT_POOL } from '../shared/protocol.js';
// (vitest is imported there, not used: the bench already starts its Redis with test/support/redis.ts)
import { makeRep } from '../test/support/store-harness.js';

/** The shape of the storm through the servers (bench/run.ts RATE_STORM): reps, racers per lead. */
const REPS = 48;
const RACERS = 4;
/** Store connections, as three server processes have. */
const CONNECTIONS = 3;
/** Leads claimed at once per connection. */
const IN_FLIGHT = 16;
/** Leads per measured pass, and measured passes per server, alternating (Leadpool, floor, Leadpool, ...): the median is reported. */
const SHAPE = { leads: 5_000, passes: 3 };
/** The bench's smoke run (npm test): the same code, briefly. */
export const SMOKE_SHAPE = { leads: 100, passes: 1 };

type Client = ReturnType<typeof createClient>;
export interface CeilingRow {
  server: 'leadpool' | 'floor';
  claims: number;
  leads: number;
  /** Redis CPU per claim (µs), the median pass. */
  redisMicros: number;
  /** Claims per second the bench reached (its own CPU shares the machine). */
  rate: number;
}

async function redisCpuMicros(client: Client): Promise<number> {
  const info = await client.info('cpu');
  const seconds = (name: string) => Number(new RegExp(`^${name}:([\\d.]+)`, 'm').exec(info)?.[1] ?? Number.NaN);
  return (seconds('used_cpu_user') + seconds('used_cpu_sys')) * 1e6;
}

const median = (xs: number[]) => [...xs].sort((a, b) => a - b)[Math.floor(xs.length / 2)];

/** `claim(leadId, racer)` for every lead by RACERS racers at once, IN_FLIGHT leads per connection; Redis CPU and wall time of it all. */
async function storm(
  info: Client,
  leadIds: string[],
  claim: (connection: number, leadId: string, racer: number) => Promise<boolean>,
  publish: (connection: number, leadId: string) => Promise<unknown>,
): Promise<{ micros: number; ms: number; claims: number; doubleWins: number }> {
  let next = 0;
  let claims = 0;
  let doubleWins = 0;
  const before = await redisCpuMicros(info);
  const started = performance.now();
  await Promise.all(
    Array.from({ length: CONNECTIONS * IN_FLIGHT }, async (_, lane) => {
      const connection = lane % CONNECTIONS;
      while (next < leadIds.length) {
        const i = next++;
        const won = await Promise.all(Array.from({ length: RACERS }, (_, k) => claim(connection, leadIds[i], (i + k) % REPS)));
        claims += RACERS;
        const winners = won.filter(Boolean).length;
        if (winners > 1) doubleWins++;
        if (winners) await publish(connection, leadIds[i]);
      }
    }),
  );
  const ms = performance.now() - started;
  return { micros: (await redisCpuMicros(info)) - before, ms, claims, doubleWins };
}

/** The median pass of each server, Leadpool and floor alternating. */
export async function benchRedisClaimCeiling(redisUrl: string, shape = SHAPE): Promise<CeilingRow[]> {
  const prefix = `ceiling${randomUUID().slice(0, 8)}`;
  const connect = async () => {
    const c: Client = createClient({ url: redisUrl, commandOptions: { timeout: 0 } });
    c.on('error', () => {});
    await c.connect();
    return c;
  };
  const info = await connect();
  const publishers = await Promise.all(Array.from({ length: CONNECTIONS }, connect));
  // The three servers' adapter subscriptions: every PUBLISH is delivered to each.
  const subscribers = await Promise.all(Array.from({ length: CONNECTIONS }, connect));
  const channel = `${prefix}#io#/rep#pool:default#`;
  for (const s of subscribers) await s.subscribe(channel, () => {});
  const gone = (leadId: string) => JSON.stringify(['lead:gone', { leadId, poolId: DEFAULT_POOL, reason: 'claimed' }]);
  const publish = (connection: number, leadId: string) => publishers[connection].publish(channel, gone(leadId));

  const stores = Array.from(
    { length: CONNECTIONS },
    (_, i) => new RedisStore({ url: redisUrl, keyPrefix: prefix, nodeId: `bench-ceiling-${i}` }),
  );
  const passes: Record<CeilingRow['server'], { micros: number; ms: number; claims: number; leads: number }[]> = { leadpool: [], floor: [] };
  try {
    for (const store of stores) await store.init();
    const repIds = Array.from({ length: REPS }, (_, i) => `rep_ceiling_${i}`);
    for (const id of repIds) await stores[0].createRep(makeRep(id));
    const random = seeded(11);
    const newLeads = async (n: number): Promise<string[]> => {
      const ids: string[] = [];
      for (let done = 0; done < n; done += 500) {
        const drafts = Array.from({ length: Math.min(500, n - done) }, (_, i) => ({
          ...fakeLead(done + i, random),
          poolId: DEFAULT_POOL,
          status: 'open' as const,
          eligible: '*' as const,
        }));
        for (const r of await stores[0].insertLeads(drafts)) if ('lead' in r) ids.push(r.lead.id);
      }
      return ids;
    };
    const leadpool = (connection: number, leadId: string, racer: number) =>
      stores[connection].claim(leadId, repIds[racer]).then((r) => r.ok);
    const floor = (connection: number, leadId: string, racer: number) =>
      publishers[connection].set(`${prefix}:claim:${leadId}`, repIds[racer], { NX: true }).then((r) => r === 'OK');
    // A warm-up pass of each (scripts loaded, connections busy once), not counted.
    const warm = await newLeads(Math.min(500, shape.leads));
    await storm(info, warm, leadpool, publish);
    await storm(info, warm, floor, publish);
    for (let pass = 0; pass < shape.passes; pass++) {
      for (const [server, claim] of [
        ['leadpool', leadpool],
        ['floor', floor],
      ] as const) {
        const ids = await newLeads(shape.leads);
        const r = await storm(info, ids, claim, publish);
        if (r.doubleWins) throw new Error(`${server}: ${r.doubleWins} leads won twice`);
        passes[server].push({ ...r, leads: ids.length });
      }
    }
  } finally {
    await Promise.all(stores.map((s) => s.close().catch(() => {})));
    for (const c of [info, ...publishers, ...subscribers]) await c.quit().catch(() => {});
  }
  return (['leadpool', 'floor'] as const).map((server) => {
    const perClaim = passes[server].map((p) => p.micros / p.claims);
    const mid = passes[server][perClaim.indexOf(median(perClaim))];
    return { server, claims: mid.claims, leads: mid.leads, redisMicros: median(perClaim), rate: mid.claims / (mid.ms / 1000) };
  });
}

/** The rows as the bench's report prints them. */
export function ceilingTable(rows: CeilingRow[]): string[][] {
  return rows.map((r) => [
    r.server,
    String(r.claims),
    `${r.redisMicros.toFixed(1)} µs`,
    `${Math.round(1e6 / r.redisMicros).toLocaleString('en-US')} claims/s`,
    `${Math.round(r.rate).toLocaleString('en-US')} claims/s`,
  ]);
}
/** The shape of the run, as the report states it. */
export const ceilingShape = (shape = SHAPE) =>
  `${REPS} reps, ${RACERS} racers per lead, ${CONNECTIONS} connections with ${IN_FLIGHT} leads in flight each, ${shape.leads.toLocaleString('en-US')} leads per pass, the median of ${shape.passes} passes`;
export const CEILING_HEAD = ['server', 'claims', 'Redis CPU per claim', 'one Redis core decides at most', 'the bench reached'];

if (import.meta.url === `file://${process.argv[1]}`) {
  const { startRedis } = await import('../test/support/redis.js');
  const redis = await startRedis();
  try {
    const rows = await benchRedisClaimCeiling(redis.url);
    console.log([CEILING_HEAD, ...ceilingTable(rows)].map((r) => r.join(' | ')).join('\n'));
  } finally {
    await redis.stop();
  }
  process.exit(0);
}
