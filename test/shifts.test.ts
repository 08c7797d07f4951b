// Working hours through the real server, on both stores: a rep outside its schedule reads
// off-shift (connected or not) in pool:state, GET /api/reps and to managers; its claims and
// pulls answer UNAVAILABLE; round-robin skips it; boundaries flip it with real timers;
// with Redis, a second process sees the same. Also weightBy performance in GET /api/reps.
import { describe, expect, it } from 'vitest';
import { EV } from '../shared/events.js';
import type { Rep, Schedule } from '../shared/protocol.js';
import {
  codeOf,
  connectManager,
  connectRep,
  createReps,
  emitAck,
  eventually,
  patchSettings,
  postLead,
  setMode,
} from './support/clients.js';
import { serversOf, stores } from './support/stores.js';

const iso = (t: number) => new Date(t).toISOString();
/** Off from `fromMs` to `toMs` (relative to now), always on otherwise. */
const offBetween = (fromMs: number, toMs: number): Schedule => ({
  timeZone: 'Europe/Berlin',
  weekly: [],
  off: [{ from: iso(Date.now() + fromMs), to: iso(Date.now() + toMs) }],
});
const HOUR = 3600_000;

describe.each(stores)('working hours ($name)', (factory) => {
  const fresh = serversOf(factory);

  it('off shift: presence off-shift with a tab open, "until" shown, claims and pulls UNAVAILABLE', async () => {
    const {
      server,
      p: { manager, feed },
    } = await fresh();
    const schedule = offBetween(-HOUR, HOUR);
    const [off] = await createReps(manager, 1, { schedule });
    expect(off.rep).toMatchObject({ schedule, shift: { onShift: false, until: schedule.off![0].to } });
    const tab = await connectRep(server.url, off.token);
    expect(tab.state.you).toMatchObject({ presence: 'off-shift', shift: { onShift: false } });
    const lead = await postLead(feed);
    expect(codeOf(await emitAck(tab.socket, EV.claim, { leadId: lead.id }))).toBe('UNAVAILABLE');
    expect(codeOf(await emitAck(tab.socket, EV.pull, {}))).toBe('UNAVAILABLE');
    const reps = (await manager.get('/api/reps')).body.reps as Rep[];
    expect(reps[0]).toMatchObject({ presence: 'off-shift', shift: { onShift: false } });
    // Schedule removed: on shift at once, told to the rep and to managers
    const boss = await connectManager(server.url, server.managerToken);
    const mark = tab.rec.mark();
    expect((await manager.patch(`/api/reps/${off.rep.id}`, { schedule: null })).status).toBe(200);
    await tab.rec.waitFor(EV.poolState, (s) => s.you.presence === 'available' && s.you.shift === undefined, { from: mark });
    await boss.rec.waitFor(EV.repPresence, (c) => c.repId === off.rep.id && c.presence === 'available');
    expect((await emitAck(tab.socket, EV.claim, { leadId: lead.id })).ok).toBe(true);
  });

  it('a boundary flips the rep with real timers: off shift, then back on', async () => {
    const {
      server,
      p: { manager },
    } = await fresh();
    // Off from 1.5 s from now for 1.5 s
    const [rep] = await createReps(manager, 1, { schedule: offBetween(1500, 3000) });
    const tab = await connectRep(server.url, rep.token);
    const boss = await connectManager(server.url, server.managerToken);
    expect(tab.state.you.presence).toBe('available');
    const off = await tab.rec.waitFor(EV.poolState, (s) => s.you.presence === 'off-shift', { timeoutMs: 15_000 });
    expect(off.you.shift?.onShift).toBe(false);
    await boss.rec.waitFor(EV.repPresence, (c) => c.presence === 'off-shift', { timeoutMs: 15_000 });
    await tab.rec.waitFor(EV.poolState, (s) => s.you.presence === 'available', { from: tab.rec.mark(), timeoutMs: 15_000 });
    await boss.rec.waitFor(EV.repPresence, (c) => c.presence === 'available', { timeoutMs: 15_000 });
  });

  it('round-robin skips an off-shift rep and takes it back when its shift starts', async () => {
    const {
      server,
      p: { manager, feed },
    } = await fresh();
    const [onDuty, later] = await createReps(manager, 2, (i) => (i === 1 ? { schedule: offBetween(-HOUR, HOUR) } : {}));
    await Promise.all([connectRep(server.url, onDuty.token), connectRep(server.url, later.token)]);
    await setMode(manager, 'round-robin');
    for (let i = 0; i < 4; i++) await postLead(feed);
    const owners = async () => ((await manager.get('/api/leads?status=claimed')).body.leads ?? []).map((l) => l.claimedBy);
    await eventually(async () => (await owners()).length === 4, 10_000);
    expect(new Set(await owners())).toEqual(new Set([onDuty.rep.id]));
    await manager.patch(`/api/reps/${later.rep.id}`, { schedule: null });
    await postLead(feed);
    await eventually(async () => (await owners()).includes(later.rep.id), 10_000);
  });

  it('a bad schedule is refused with INVALID and nothing changes', async () => {
    const {
      p: { manager },
    } = await fresh();
    const [rep] = await createReps(manager, 1);
    for (const schedule of [
      { timeZone: 'Nowhere/Land', weekly: [] },
      { timeZone: 'UTC', weekly: [{ day: 0, from: '09:00', to: '17:00' }] },
      { timeZone: 'UTC', weekly: [{ day: 1, from: '09:00', to: '09:00' }] },
    ]) {
      const res = await manager.patch(`/api/reps/${rep.rep.id}`, { schedule });
      expect(res.status).toBe(422);
      expect(res.body.error.code).toBe('INVALID');
    }
    expect((await manager.get('/api/reps')).body.reps[0].schedule).toBeUndefined();
  });

  it('weightBy performance: each rep of the pool shows its measured weight in GET /api/reps', async () => {
    const {
      p: { manager },
    } = await fresh();
    await createReps(manager, 2);
    expect((await manager.get('/api/reps')).body.reps[0].performanceWeights).toBeUndefined();
    await patchSettings(manager, { weighted: true, weightBy: 'performance' });
    const reps = (await manager.get('/api/reps')).body.reps as Rep[];
    expect(reps.map((r) => r.performanceWeights)).toEqual([{ default: 1 }, { default: 1 }]);
    expect((await manager.get('/api/pools/default')).body.pool.settings.weightBy).toBe('performance');
  });

  it('with Redis, another process sees the rep off shift', async () => {
    const { server, p } = await fresh();
    const peer = await fresh.peer(server);
    if (!peer) return; // embedded: one process
    const [rep] = await createReps(p.manager, 1, { schedule: offBetween(-HOUR, HOUR) });
    const tab = await connectRep(peer.url, rep.token);
    expect(tab.state.you.presence).toBe('off-shift');
    const lead = await postLead(p.feed);
    expect(codeOf(await emitAck(tab.socket, EV.claim, { leadId: lead.id }))).toBe('UNAVAILABLE');
    expect((await peer.p.manager.get('/api/reps')).body.reps[0].presence).toBe('off-shift');
  });
});
