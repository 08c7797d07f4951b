// The cost of one rep is per change, not per team (issue #14), shown without a clock: the
// store calls the service makes to create or change one rep, or to report a claim of a
// hybrid lead, are the same with 50 reps as with 500, and none of them reads every rep
// (listReps, or presence and held counts without naming the reps). On Redis, the presence
// heartbeat of a live cluster passes no rep, and still drops the tabs of a dead process.
import { createClient } from 'redis';
import { afterAll, describe, expect, it } from 'vitest';
import type { Fanout } from '../server/realtime/fanout.js';
import { createService } from '../server/service/index.js';
import { RedisStore } from '../server/store/redis/store.js';
import type { Store } from '../server/store/types.js';
import { DEFAULT_POOL } from '../shared/protocol.js';
import { randomPrefix, startRedis, type TestRedis } from './support/redis.js';
import { draft, makeRep, storeFactories } from './support/store-harness.js';

/** The store, each call recorded by method name (with `*` when it reads every rep). */
function counted(store: Store): { store: Store; calls: string[] } {
  const calls: string[] = [];
  const wholeTeam: Record<string, (args: unknown[]) => boolean> = {
    listReps: () => true,
    onlinePresence: (args) => args[0] === undefined,
    heldCounts: (args) => args[1] === undefined,
  };
  const proxy = new Proxy(store, {
    get(target, name, receiver) {
      const value = Reflect.get(target, name, receiver);
      if (typeof value !== 'function' || typeof name !== 'string') return value;
      return (...args: unknown[]) => {
        calls.push(wholeTeam[name]?.(args) ? `${name}*` : name);
        return value.apply(target, args);
      };
    },
  });
  return { store: proxy, calls };
}

/** A fan-out that sends nothing (no Socket.IO) and has no manager connected. */
const answers: Record<string, () => unknown> = {
  hasManagers: () => false,
  managersAnywhere: () => false,
  connectedRepIds: async () => [],
};
const silentFanout = new Proxy({} as Fanout, { get: (_, name) => answers[String(name)] ?? (() => {}) });
const quietLog = { info() {}, error() {} };

/** Store calls per step: a team of `size`, German speakers a rule targets, a DE lead waiting for them. */
async function callsAt(make: () => Promise<{ store: Store }>, size: number): Promise<Record<string, string[]>> {
  const { store: raw } = await make();
  for (let i = 0; i < size; i++) await raw.createRep(makeRep(`r${String(i).padStart(4, '0')}`, { skills: i < 3 ? ['german'] : [] }));
  await raw.setMode(DEFAULT_POOL, 'hybrid');
  await raw.setRules(DEFAULT_POOL, [{ name: 'de', when: { country: ['DE'] }, to: { skills: ['german'] } }]);
  await raw.insertLead(draft({ country: 'DE', eligible: ['r0000', 'r0001', 'r0002'] }));
  const claimed = await raw.insertLead(draft({ country: 'DE', eligible: ['r0000', 'r0001', 'r0002'] }));
  await raw.tabOpened('r0001', 't1');
  const { store, calls } = counted(raw);
  const service = createService(store, silentFanout, quietLog);
  const step = async (run: () => Promise<unknown>) => {
    calls.length = 0;
    await run();
    return [...calls];
  };
  const created = await step(() => service.reps.create({ name: 'new', skills: ['german'] }));
  const newId = (await raw.listRepsPage(size, 1)).reps[0].id;
  return {
    create: created,
    createPlain: await step(() => service.reps.create({ name: 'plain' })),
    changeSkills: await step(() => service.reps.update('r0005', { skills: ['german'] })),
    unlearn: await step(() => service.reps.update(newId, { skills: [] })),
    rename: await step(() => service.reps.update('r0001', { name: 'renamed' })),
    claim: await step(() => service.leads.claim(claimed.lead.id, 'r0001')),
    page: await step(() => service.reads.listRepsPage(0, 20)),
    getRep: await step(() => service.reads.getRep('r0001')),
  };
}

describe.each(storeFactories())('the cost of one rep: $name', ({ make }) => {
  it('creating, changing, reading one rep and claiming a hybrid lead make the same store calls with 50 reps as with 500, none reading every rep', async () => {
    const sorted = (steps: Record<string, string[]>) => Object.fromEntries(Object.entries(steps).map(([k, v]) => [k, [...v].sort()]));
    const small = sorted(await callsAt(make, 50));
    const large = sorted(await callsAt(make, 500));
    expect(large).toEqual(small);
    for (const [step, calls] of Object.entries(large))
      expect({ step, calls: calls.filter((c) => c.endsWith('*')) }).toEqual({ step, calls: [] });
  });
});

describe('the presence heartbeat on Redis', () => {
  let redis: TestRedis | null = null;
  const opened: RedisStore[] = [];
  afterAll(async () => {
    await Promise.all(opened.map((s) => s.close()));
    await redis?.stop();
  });

  async function cluster() {
    redis ??= await startRedis();
    const keyPrefix = randomPrefix();
    const open = async (nodeId: string) => {
      const s = new RedisStore({ url: redis!.url, keyPrefix, nodeId });
      await s.init();
      opened.push(s);
      return s;
    };
    return { a: await open('node-a'), b: await open('node-b'), nodes: `${keyPrefix}:{default}:nodes` };
  }

  /** How many KEYS each script the store sends while `run` runs passes. */
  async function keysSent(store: RedisStore, run: () => Promise<unknown>): Promise<number[]> {
    type Eval = (name: string, keys: string[], args: string[]) => Promise<string>;
    const target = store as unknown as { evalScript: Eval };
    const original = target.evalScript;
    const sent: number[] = [];
    target.evalScript = function (this: unknown, name, keys, args) {
      sent.push(keys.length);
      return original.call(this, name, keys, args);
    };
    try {
      await run();
    } finally {
      delete (target as Partial<typeof target>).evalScript;
    }
    return sent;
  }

  it('with every node alive it passes no rep, with 200 reps online as with none', async () => {
    const { a, b } = await cluster();
    await a.sweepPresence(); // the first probe of a process also looks for tabs of unknown nodes
    const empty = await keysSent(a, () => a.sweepPresence());
    for (let i = 0; i < 200; i++) {
      await b.createRep(makeRep(`r${i}`));
      await b.tabOpened(`r${i}`, `t${i}`);
    }
    const full = await keysSent(a, () => a.sweepPresence());
    expect(full).toEqual(empty);
    expect(full).toHaveLength(1);
    expect(Object.keys(await a.onlinePresence())).toHaveLength(200);
  });

  it("a dead node's tabs are dropped by a live node's sweep, once, and the dead node is forgotten", async () => {
    const { a, b, nodes } = await cluster();
    for (const id of ['x', 'y', 'z']) await a.createRep(makeRep(id));
    await b.tabOpened('x', 'tx');
    await b.tabOpened('y', 'ty');
    await a.tabOpened('y', 'ty2');
    await a.tabOpened('z', 'tz');
    const raw = createClient({ url: redis!.url });
    await raw.connect();
    try {
      await raw.zAdd(nodes, { score: 1, value: 'node-b' }); // its heartbeat stopped long ago
      const changes = await a.sweepPresence();
      expect(changes).toEqual([{ repId: 'x', before: 'available', after: 'offline', pools: ['default'] }]);
      expect(await a.onlinePresence()).toEqual({ y: 'available', z: 'available' });
      expect(await raw.zScore(nodes, 'node-b')).toBeNull();
      expect(await a.sweepPresence()).toEqual([]);
    } finally {
      await raw.quit();
    }
  });

  it('tabs of a node no longer listed (a sweep before this one) are dropped by the first sweep of a process', async () => {
    const { a, nodes } = await cluster();
    await a.createRep(makeRep('x'));
    await a.tabOpened('x', 'tx');
    const raw = createClient({ url: redis!.url });
    await raw.connect();
    try {
      await raw.zRem(nodes, 'node-a'); // as an older sweep did, leaving the tab behind
      const fresh = new RedisStore({ url: redis!.url, keyPrefix: nodes.split(':{')[0], nodeId: 'node-c' });
      await fresh.init();
      opened.push(fresh);
      expect(await fresh.sweepPresence()).toEqual([{ repId: 'x', before: 'available', after: 'offline', pools: ['default'] }]);
    } finally {
      await raw.quit();
    }
  });
});
