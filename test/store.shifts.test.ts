// Working hours and performance weights in the store, on both implementations: the offShift
// flag (presence off-shift, claims and pulls UNAVAILABLE, round-robin skips), its idempotent
// write from several processes, schedules stored, and weights passed to autoAssign.
import { describe, expect, it } from 'vitest';
import type { Store } from '../server/store/types.js';
import type { Schedule } from '../shared/protocol.js';
import { draft, type Harness, makeRep, storeFactories } from './support/store-harness.js';

const schedule: Schedule = {
  timeZone: 'Europe/Berlin',
  weekly: [{ day: 1, from: '09:00', to: '17:00' }],
  off: [{ from: '2026-12-24', to: '2026-12-26' }],
};

describe.each(storeFactories())('Store shifts: $name', ({ make }) => {
  let h: Harness;
  let store: Store;
  const setup = async (...ids: string[]) => {
    h = await make();
    store = h.store;
    for (const id of ids) await store.createRep(makeRep(id));
  };

  it('a schedule is stored with the rep, replaced and removed by updateRep, and survives a reopen', async () => {
    await setup();
    await store.createRep(makeRep('a', { schedule }));
    expect((await store.getRep('a'))?.schedule).toEqual(schedule);
    const other = { ...schedule, timeZone: 'Asia/Kolkata', off: [] };
    expect((await store.updateRep('a', { schedule: other }))?.schedule).toEqual(other);
    const again = await h.reopen();
    expect((await again.getRep('a'))?.schedule).toEqual(other);
    await again.updateRep('a', { schedule: null });
    expect((await again.getRep('a'))?.schedule ?? null).toBeNull();
  });

  it('setOffShift: an online rep reads off-shift (even when away), back on shift it is as before; offline stays offline', async () => {
    await setup('a', 'b');
    await store.tabOpened('a', 't1');
    expect(await store.setOffShift('a', true)).toEqual({ repId: 'a', before: 'available', after: 'off-shift', pools: ['default'] });
    expect(await store.onlinePresence()).toEqual({ a: 'off-shift' });
    await store.setAway('a', true);
    expect(await store.onlinePresence()).toEqual({ a: 'off-shift' });
    expect(await store.setOffShift('a', false)).toEqual({ repId: 'a', before: 'off-shift', after: 'away' });
    expect(await store.setOffShift('b', true)).toEqual({ repId: 'b', before: 'offline', after: 'offline' });
    expect((await store.getRep('b'))?.offShift).toBe(true);
    // a tab opening does not put it on shift (unlike away, which it clears)
    expect(await store.tabOpened('b', 't2')).toEqual({ repId: 'b', before: 'offline', after: 'off-shift' });
    expect(await store.setOffShift('ghost', true)).toEqual({ repId: 'ghost', before: 'offline', after: 'offline' });
  });

  it('setOffShift is idempotent from two processes: only the first write changes the presence', async () => {
    await setup('a');
    await store.tabOpened('a', 't1');
    const peer = await h.peer();
    const [x, y] = await Promise.all([store.setOffShift('a', true), peer.setOffShift('a', true)]);
    const changes = [x, y].filter((c) => c.before !== c.after);
    expect(changes).toEqual([{ repId: 'a', before: 'available', after: 'off-shift', pools: ['default'] }]);
    expect(await peer.onlinePresence()).toEqual({ a: 'off-shift' });
  });

  it('updateRep cannot write offShift; it survives a reopen', async () => {
    await setup('a');
    await store.setOffShift('a', true);
    await store.updateRep('a', { offShift: false } as never);
    expect((await store.getRep('a'))?.offShift).toBe(true);
    expect((await (await h.reopen()).getRep('a'))?.offShift).toBe(true);
  });

  it('an off-shift rep claims and pulls UNAVAILABLE (after lead state and eligibility, like away)', async () => {
    await setup('a', 'b');
    const lead = (await store.insertLead(draft())).lead;
    await store.setOffShift('b', true);
    expect(await store.claim(lead.id, 'b')).toEqual({ ok: false, code: 'UNAVAILABLE' });
    expect(await store.pull('b')).toEqual({ ok: false, code: 'UNAVAILABLE' });
    expect(await store.pull('b', 'default')).toEqual({ ok: false, code: 'UNAVAILABLE' });
    expect(await store.claim(lead.id, 'a')).toMatchObject({ ok: true });
    expect(await store.claim(lead.id, 'b')).toEqual({ ok: false, code: 'ALREADY_CLAIMED' });
    await store.setOffShift('b', false);
    await store.insertLead(draft());
    expect(await store.pull('b')).toMatchObject({ ok: true, lead: { claimedBy: 'b' } });
  });

  it('round-robin skips off-shift reps, and takes them back in turn when on shift again', async () => {
    await setup('a', 'b', 'c');
    await store.setMode('default', 'round-robin');
    for (let i = 0; i < 6; i++) await store.insertLead(draft());
    await store.setOffShift('b', true);
    const owners: string[] = [];
    for (let i = 0; i < 4; i++) owners.push((await store.autoAssign('default', ['a', 'b', 'c']))!.lead.claimedBy!);
    expect(owners).toEqual(['a', 'c', 'a', 'c']);
    await store.setOffShift('b', false);
    expect((await store.autoAssign('default', ['a', 'b', 'c']))!.lead.claimedBy).toBe('b');
  });

  it('autoAssign weighs by the weights passed (weightBy performance), else by each rep weight', async () => {
    await setup();
    await store.createRep(makeRep('light', { weight: 3 }));
    await store.createRep(makeRep('heavy', { weight: 1 }));
    await store.patchSettings('default', { weighted: true, weightBy: 'performance', maxActivePerRep: 1000 });
    await store.setMode('default', 'round-robin');
    for (let i = 0; i < 40; i++) await store.insertLead(draft());
    const count: Record<string, number> = {};
    for (let i = 0; i < 40; i++) {
      const r = await store.autoAssign('default', ['light', 'heavy'], { light: 0.5, heavy: 1.5 });
      count[r!.lead.claimedBy!] = (count[r!.lead.claimedBy!] ?? 0) + 1;
    }
    expect(count).toEqual({ light: 10, heavy: 30 });
    expect((await store.getPool('default'))?.settings.weightBy).toBe('performance');
  });
});
