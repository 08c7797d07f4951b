// @vitest-environment happy-dom
// The manager's reps for large teams (issue #14): one rep's change applied in place, counts
// kept by the events, a rep's open lead count following the lead events without reading
// the rep list again, and pages of a filtered list.
import { describe, expect, it, vi } from 'vitest';
import { createManagerModel } from '../../client/src/state/managerModel';
import { createRoster } from '../../client/src/state/roster';
import { connected, dashboard, fakeHttp, fullLead, rep } from './fixtures';

const many = (n: number) =>
  Array.from({ length: n }, (_, i) =>
    rep({
      id: `rep_${i}`,
      name: `Rep ${String(i).padStart(4, '0')}`,
      presence: i % 3 === 0 ? 'available' : 'offline',
      teams: [`t${i % 5}`],
    }),
  );

describe('roster', () => {
  it('pages a filtered list in name order, available reps first when asked', () => {
    const roster = createRoster();
    roster.replace(many(120).reverse());
    const first = roster.query({ offset: 0, limit: 50 });
    expect(first.total).toBe(120);
    expect(first.reps.map((r) => r.name).slice(0, 2)).toEqual(['Rep 0000', 'Rep 0001']);
    expect(roster.query({ offset: 100, limit: 50 }).reps).toHaveLength(20);
    // every word must match: "Rep 0011" and "Rep 0110" to "Rep 0119"
    expect(roster.query({ text: 'rep 011', limit: 50 }).reps.map((r) => r.id)).toEqual([
      'rep_11',
      ...Array.from({ length: 10 }, (_, i) => `rep_${110 + i}`),
    ]);
    expect(roster.query({ text: 't2 available' }).total).toBe(8);
    const byPresence = roster.query({ order: 'presence', limit: 40 }).reps;
    expect(byPresence.every((r) => r.presence === 'available')).toBe(true);
    expect(byPresence[0].name).toBe('Rep 0000');
  });

  it('keeps per-pool counts through presence changes, updates, pool moves and removals', () => {
    const roster = createRoster();
    roster.replace([rep({ id: 'a', presence: 'available' }), rep({ id: 'b', presence: 'away', pools: ['default', 'sales'] })]);
    expect(roster.counts('default')).toEqual({ members: 2, online: 2, available: 1 });
    expect(roster.counts('sales')).toEqual({ members: 1, online: 1, available: 0 });
    roster.patch('a', { presence: 'offline' });
    roster.put(rep({ id: 'b', presence: 'available', pools: ['sales'] }));
    roster.put(rep({ id: 'c', presence: 'off-shift' }));
    expect(roster.counts('default')).toEqual({ members: 2, online: 1, available: 0 });
    expect(roster.counts('sales')).toEqual({ members: 1, online: 1, available: 1 });
    roster.remove('b');
    roster.patch('nobody', { presence: 'available' });
    expect(roster.counts()).toEqual({ members: 2, online: 1, available: 0 });
    expect(roster.counts('sales')).toEqual({ members: 0, online: 0, available: 0 });
  });
});

describe('the manager model with many reps', () => {
  const setup = () => {
    const api = fakeHttp();
    const model = createManagerModel(api.http, connected());
    model.applyDashboard(dashboard({ reps: many(300), open: [fullLead('l1')], recent: [] }));
    return { api, model };
  };
  const count = (model: ReturnType<typeof setup>['model'], id: string) => model.roster.get(id)?.activeCount ?? 0;

  it('counts open leads from the lead events: claim, a repeat of it, reassignment, release, close', () => {
    const { api, model } = setup();
    const claimed = { ...fullLead('l1'), status: 'claimed' as const, claimedBy: 'rep_1', claimedAt: new Date().toISOString() };
    model.leadClaimed(claimed);
    model.leadClaimed(claimed); // the assign answer, then its broadcast: once
    expect(count(model, 'rep_1')).toBe(1);
    model.leadClaimed({ ...claimed, claimedBy: 'rep_2' });
    expect([count(model, 'rep_1'), count(model, 'rep_2')]).toEqual([0, 1]);
    model.leadReleased({
      ...fullLead('l1'),
      releasedBy: { role: 'manager' },
      reason: 'manager',
      previousOwner: 'rep_2',
    });
    expect(count(model, 'rep_2')).toBe(0);
    // A lead this dashboard never saw: the event says who held it.
    model.leadClaimed({ ...fullLead('l7'), status: 'claimed', claimedBy: 'rep_3' });
    model.leadClosed({ ...fullLead('l8'), status: 'closed', claimedBy: 'rep_4', outcome: 'won' });
    model.leadReleased({ ...fullLead('l9'), releasedBy: { role: 'system' }, reason: 'expired', previousOwner: 'rep_5' });
    expect([count(model, 'rep_3'), count(model, 'rep_4'), count(model, 'rep_5')]).toEqual([1, 0, 0]);
    model.leadClosed({ ...fullLead('l7'), status: 'closed', claimedBy: 'rep_3', outcome: 'won' });
    expect(count(model, 'rep_3')).toBe(0);
    expect(api.get).not.toHaveBeenCalledWith(expect.stringMatching(/^\/api\/reps/));
  });

  it('applies rep:changed in place; the coalesced whole list is then not applied again', () => {
    const { model } = setup();
    const before = model.roster.get('rep_7');
    model.repChanged({ repId: 'rep_7', rep: rep({ id: 'rep_7', name: 'Renamed', presence: 'available' }) });
    expect(model.roster.get('rep_7')?.name).toBe('Renamed');
    expect(model.roster.get('rep_8')).toBe(model.roster.get('rep_8')); // others untouched
    model.repsChanged({ reps: [before!] });
    expect(model.roster.size.value).toBe(300);
    expect(model.roster.get('rep_7')?.name).toBe('Renamed');
    model.repPresence({ repId: 'rep_7', presence: 'offline' });
    expect(model.roster.counts('default').available).toBe(100);
  });

  it('reads the reps page by page when a snapshot comes without them', async () => {
    const api = fakeHttp();
    api.get.mockImplementation(async (path: string) => {
      const m = /^\/api\/reps\?limit=(\d+)&offset=(\d+)$/.exec(path);
      if (!m) return {};
      const [limit, offset] = [Number(m[1]), Number(m[2])];
      const all = many(1500);
      return { reps: all.slice(offset, offset + limit), total: all.length, next: offset + limit < all.length ? offset + limit : null };
    });
    const model = createManagerModel(api.http, connected());
    const { reps: _, ...withoutReps } = dashboard();
    model.applyDashboard(withoutReps as never);
    await new Promise((r) => setTimeout(r, 10));
    expect(model.roster.size.value).toBe(1500);
    expect(api.get).toHaveBeenCalledWith('/api/reps?limit=1000&offset=1000');
  });
});

describe('rep pickers and rules in a large pool', () => {
  it('assigning searches by name instead of listing every rep; a rule adds reps by name', async () => {
    const { cleanup, fireEvent, render, screen, within } = await import('@testing-library/preact');
    const { h } = await import('preact');
    const { ManagerView } = await import('../../client/src/components/ManagerView');
    const { RulesEditor } = await import('../../client/src/components/RulesEditor');
    const api = fakeHttp();
    api.post.mockResolvedValueOnce({ lead: { ...fullLead('l1'), status: 'claimed', claimedBy: 'rep_13' } });
    const model = createManagerModel(api.http, connected());
    model.applyDashboard(dashboard({ reps: many(300), open: [fullLead('l1')], recent: [] }));
    render(h(ManagerView, { model }));
    const row = document.querySelector('tr[data-lead-id="l1"]') as HTMLElement;
    expect(row.querySelectorAll('option')).toHaveLength(0);
    const box = within(row).getByRole('combobox');
    fireEvent.input(box, { target: { value: 'rep 001' } });
    expect(row.querySelectorAll('datalist option')).toHaveLength(11); // Rep 0001, Rep 0010 to Rep 0019
    fireEvent.input(box, { target: { value: 'Rep 0013 (offline)' } });
    fireEvent.click(within(row).getByRole('button', { name: 'Assign anyway' }));
    await vi.waitFor(() => expect(api.post).toHaveBeenCalledWith('/api/leads/l1/assign', { repId: 'rep_13' }));
    cleanup();

    const saved: unknown[] = [];
    render(
      h(RulesEditor, {
        rules: [{ name: 'VIP', when: {}, to: { reps: ['rep_5'] } }],
        reps: [],
        roster: model.roster,
        poolId: 'default',
        onSave: async (r) => {
          saved.push(r);
          return { ok: true };
        },
      }),
    );
    const picks = screen.getByRole('group', { name: 'Or these reps' });
    expect(
      within(picks)
        .getAllByRole('checkbox')
        .map((c) => c.parentElement?.textContent),
    ).toEqual(['Rep 0005']);
    fireEvent.input(screen.getByRole('combobox', { name: 'Add a rep' }), { target: { value: 'Rep 0042' } });
    expect(within(screen.getByRole('group', { name: 'Or these reps' })).getAllByRole('checkbox')).toHaveLength(2);
    cleanup();
  });
});
