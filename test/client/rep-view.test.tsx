// @vitest-environment happy-dom
import { cleanup, fireEvent, render, screen, waitFor, within } from '@testing-library/preact';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { RepView } from '../../client/src/components/RepView';
import { createRepModel, type RepModel } from '../../client/src/state/repModel';
import { EV } from '../../shared/events';
import { type ErrorCode, MODES, type Mode, type PoolState } from '../../shared/protocol';
import { connected, type FakeEmitter, fakeEmitter, fullLead, poolState, rep, view } from './fixtures';

let emitter: FakeEmitter;
let model: RepModel;
beforeEach(() => {
  emitter = fakeEmitter();
  model = createRepModel(emitter, connected());
});
afterEach(cleanup);

const claimButtons = () => screen.queryAllByRole('button', { name: 'Claim' });
const leads = [fullLead('a', { company: 'Acme Robotics' }), fullLead('b', { company: 'Blue Labs', industry: 'Fintech', country: 'FR' })];

describe('rep pool per mode', () => {
  it('shark-tank: an alert card per lead, a Claim button each, teaser only', () => {
    model.applyPoolState(poolState('shark-tank', leads));
    render(<RepView model={model} />);
    expect(screen.getByRole('heading', { name: 'Shark tank' })).toBeTruthy();
    expect(claimButtons()).toHaveLength(2);
    expect(screen.getByText('Fintech · FR')).toBeTruthy();
    // shark-tank teasers carry no company, and no contact details at all
    expect(screen.queryByText('Acme Robotics')).toBeNull();
    expect(document.body.textContent).not.toContain('@acme.example');
    expect(document.querySelector('a[href^="tel:"]')).toBeNull();
  });

  it('cherry-pick: a sortable, filterable table with a Claim button per row', async () => {
    model.applyPoolState(poolState('cherry-pick', leads));
    render(<RepView model={model} />);
    const table = screen.getByRole('table');
    expect(within(table).getAllByRole('button', { name: 'Claim' })).toHaveLength(2);
    expect(within(table).getByText('Acme Robotics')).toBeTruthy();
    expect(document.body.textContent).not.toContain('@acme.example');

    fireEvent.input(screen.getByRole('searchbox', { name: 'Filter' }), { target: { value: 'fintech' } });
    await waitFor(() => expect(claimButtons()).toHaveLength(1));
    expect(screen.queryByText('Acme Robotics')).toBeNull();
    fireEvent.input(screen.getByRole('searchbox', { name: 'Filter' }), { target: { value: '' } });

    fireEvent.click(screen.getByRole('button', { name: /Company/ }));
    await waitFor(() => expect(screen.getByRole('columnheader', { name: /Company/ }).getAttribute('aria-sort')).toBe('ascending'));
    const rows = within(table).getAllByRole('row').slice(1);
    expect(rows[0].textContent).toContain('Acme Robotics');
    fireEvent.click(screen.getByRole('button', { name: /Company/ }));
    await waitFor(() => expect(within(table).getAllByRole('row')[1].textContent).toContain('Blue Labs'));
  });

  it('blind-pull: only the count and the oldest age, one Pull next lead button, no lead detail', () => {
    model.applyPoolState(poolState('blind-pull', leads));
    render(<RepView model={model} />);
    expect(claimButtons()).toHaveLength(0);
    expect(screen.getByRole('button', { name: 'Pull next lead' })).toBeTruthy();
    expect(screen.getByTestId('waiting-count').textContent).toBe('2');
    expect(screen.getByText(/^1m 0\ds$/)).toBeTruthy();
    for (const l of leads) {
      expect(document.body.textContent).not.toContain(l.company!);
      expect(document.body.textContent).not.toContain(l.industry!);
    }
  });

  it('hybrid: this rep’s restricted pool with Claim buttons', () => {
    model.applyPoolState(poolState('hybrid', [leads[0]]));
    render(<RepView model={model} />);
    expect(screen.getByRole('heading', { name: 'Your pool' })).toBeTruthy();
    expect(claimButtons()).toHaveLength(1);
  });

  it('round-robin: a note that leads are assigned automatically, nothing to claim', () => {
    model.applyPoolState(poolState('round-robin', leads));
    render(<RepView model={model} />);
    expect(screen.getByText('Leads are assigned automatically')).toBeTruthy();
    expect(claimButtons()).toHaveLength(0);
    expect(screen.queryByRole('button', { name: 'Pull next lead' })).toBeNull();
  });

  it.each(MODES)('%s: never shows a contact field of a lead it does not own', (mode) => {
    model.applyPoolState(poolState(mode, leads));
    render(<RepView model={model} />);
    expect(document.body.textContent).not.toMatch(/Person [ab]|@acme\.example|\+49 30/);
  });
});

describe('live changes', () => {
  it('switching to blind-pull drops every lead detail at once, before the snapshot', async () => {
    model.applyPoolState(poolState('cherry-pick', leads));
    render(<RepView model={model} />);
    expect(screen.getByText('Acme Robotics')).toBeTruthy();
    model.modeChanged({ mode: 'blind-pull', poolId: 'default' });
    await waitFor(() => expect(screen.queryByText('Acme Robotics')).toBeNull());
    expect(claimButtons()).toHaveLength(0);
    expect(screen.getByRole('button', { name: 'Pull next lead' })).toBeTruthy();
  });

  it('a snapshot replaces the state, never merges (reconnect)', async () => {
    model.applyPoolState(poolState('cherry-pick', leads, [fullLead('m1', { status: 'claimed' })]));
    render(<RepView model={model} />);
    model.applyPoolState(poolState('cherry-pick', [fullLead('c', { company: 'Cedar Health' })]));
    await waitFor(() => expect(screen.queryByText('Acme Robotics')).toBeNull());
    expect(screen.getByText('Cedar Health')).toBeTruthy();
    expect(screen.queryByText('Person m1')).toBeNull();
    expect(claimButtons()).toHaveLength(1);
  });

  it('a new lead is offered live and announced in the polite live region', async () => {
    model.applyPoolState(poolState('shark-tank', []));
    render(<RepView model={model} />);
    const region = screen.getByTestId('live-region');
    expect(region.getAttribute('aria-live')).toBe('polite');
    model.offered(view(fullLead('n', { industry: 'Healthcare' }), 'shark-tank'));
    await waitFor(() => expect(claimButtons()).toHaveLength(1));
    expect(region.textContent).toContain('New lead');
    expect(region.textContent).toContain('Healthcare');
  });

  it('lead:gone removes the lead at once; "Taken by another rep" only for a lead the rep was on', async () => {
    model.applyPoolState(poolState('shark-tank', leads));
    render(<RepView model={model} />);
    // A bystander: the lead just leaves the list, no message.
    model.gone({ leadId: 'a', poolId: 'default', reason: 'claimed' });
    await waitFor(() => expect(claimButtons()).toHaveLength(1));
    expect(screen.queryByText('Taken by another rep')).toBeNull();
    // The rep's pointer is on the other lead when someone takes it: that race was the rep's.
    fireEvent.pointerEnter(document.querySelector('[data-lead-id="b"]')!);
    model.gone({ leadId: 'b', poolId: 'default', reason: 'claimed' });
    await waitFor(() => expect(claimButtons()).toHaveLength(0));
    expect(screen.getByText('Taken by another rep')).toBeTruthy();
  });
});

describe('claiming and my leads', () => {
  it('a successful claim moves the lead to My leads with tel: and mailto: links and the cap count', async () => {
    model.applyPoolState(poolState('cherry-pick', leads));
    emitter.answer(EV.claim, ({ leadId }) => ({
      ok: true,
      lead: fullLead(leadId, { status: 'claimed', claimedBy: 'rep_1', claimedAt: new Date().toISOString() }),
    }));
    render(<RepView model={model} />);
    expect(screen.getByTestId('cap-count').textContent).toBe('0 / 3');
    fireEvent.click(claimButtons()[0]);
    const mine = await screen.findByRole('article', { name: 'Person a' });
    expect(emitter.calls).toEqual([{ event: EV.claim, payload: { leadId: 'a' } }]);
    expect(
      within(mine)
        .getByRole('link', { name: /\+49 30 1234567/ })
        .getAttribute('href'),
    ).toBe('tel:+49301234567');
    expect(
      within(mine)
        .getByRole('link', { name: /a@acme\.example/ })
        .getAttribute('href'),
    ).toBe('mailto:a@acme.example');
    expect(screen.getByTestId('cap-count').textContent).toBe('1 / 3');
    expect(claimButtons()).toHaveLength(1);
    // Focus follows the claimed lead (its Claim button is gone).
    await waitFor(() => expect(document.activeElement).toBe(mine));
  });

  it('a lost race says "Taken by another rep" and removes the lead', async () => {
    model.applyPoolState(poolState('shark-tank', leads));
    emitter.answer(EV.claim, { ok: false, error: { code: 'ALREADY_CLAIMED', message: 'another rep claimed this lead first' } });
    render(<RepView model={model} />);
    fireEvent.click(claimButtons()[0]);
    expect(await screen.findByText('Taken by another rep')).toBeTruthy();
    expect(claimButtons()).toHaveLength(1);
  });

  it.each<[ErrorCode, RegExp]>([
    ['CAP_REACHED', /as many leads as your cap allows/],
    ['COOLDOWN', /Cooling down/],
    ['UNAVAILABLE', /You are set to away/],
    ['WINDOW_CAP', /claims allowed in this time window/],
  ])('error ack %s is shown as a readable message and keeps the lead', async (code, text) => {
    model.applyPoolState(poolState('cherry-pick', leads));
    emitter.answer(EV.claim, { ok: false, error: { code, message: code } });
    render(<RepView model={model} />);
    fireEvent.click(claimButtons()[0]);
    expect(await screen.findByText(text)).toBeTruthy();
    expect(claimButtons()).toHaveLength(2);
  });

  it('blind-pull: Pull next lead emits lead:pull and shows the lead under My leads', async () => {
    model.applyPoolState(poolState('blind-pull', leads));
    emitter.answer(EV.pull, { ok: true, lead: fullLead('a', { status: 'claimed' }) });
    render(<RepView model={model} />);
    fireEvent.click(screen.getByRole('button', { name: 'Pull next lead' }));
    const mine = await screen.findByRole('article', { name: 'Person a' });
    expect(emitter.calls[0]).toEqual({ event: EV.pull, payload: { poolId: 'default' } });
    expect(within(mine).getByRole('link', { name: /a@acme\.example/ })).toBeTruthy();
  });

  it('outcome buttons emit lead:outcome; a closing outcome removes the lead after its Undo period, contacted keeps it', async () => {
    model = createRepModel(emitter, connected(), { outcomeGraceMs: 50 });
    const a = fullLead('a', { status: 'claimed' });
    const b = fullLead('b', { status: 'claimed' });
    model.applyPoolState(poolState('shark-tank', [], [a, b]));
    emitter.answer(EV.outcome, ({ leadId, outcome }) => ({
      ok: true,
      lead: fullLead(leadId, { status: outcome === 'contacted' ? 'claimed' : 'closed', outcome }),
    }));
    render(<RepView model={model} />);
    const cardA = screen.getByRole('article', { name: 'Person a' });
    fireEvent.click(within(cardA).getByRole('button', { name: 'Won' }));
    await waitFor(() => expect(screen.queryByRole('article', { name: 'Person a' })).toBeNull());
    const cardB = screen.getByRole('article', { name: 'Person b' });
    fireEvent.click(within(cardB).getByRole('button', { name: 'Contacted' }));
    await waitFor(() =>
      expect(within(screen.getByRole('article', { name: 'Person b' })).getByText('Contacted', { selector: 'strong' })).toBeTruthy(),
    );
    expect(emitter.calls.map((c) => c.payload)).toEqual([
      { leadId: 'a', outcome: 'won' },
      { leadId: 'b', outcome: 'contacted' },
    ]);
  });

  it('release emits lead:release and removes the lead from My leads', async () => {
    model.applyPoolState(poolState('shark-tank', [], [fullLead('a', { status: 'claimed' })]));
    render(<RepView model={model} />);
    fireEvent.click(screen.getByRole('button', { name: 'Release' }));
    await waitFor(() => expect(screen.queryByRole('article', { name: 'Person a' })).toBeNull());
    expect(emitter.calls[0]).toEqual({ event: EV.release, payload: { leadId: 'a' } });
  });

  it('lead:assigned adds to My leads; lead:revoked takes it away', async () => {
    model.applyPoolState(poolState('round-robin', []));
    render(<RepView model={model} />);
    model.assigned(fullLead('z', { status: 'claimed' }));
    expect(await screen.findByRole('article', { name: 'Person z' })).toBeTruthy();
    model.revoked({ leadId: 'z', poolId: 'default', reason: 'reassigned' });
    await waitFor(() => expect(screen.queryByRole('article', { name: 'Person z' })).toBeNull());
  });

  it('mine:changed from another tab moves a pool lead to My leads, then drops it when closed', async () => {
    model.applyPoolState(poolState('shark-tank', [leads[0]]));
    render(<RepView model={model} />);
    expect(claimButtons()).toHaveLength(1);
    model.mineChanged({ leadId: 'a', poolId: 'default', lead: fullLead('a', { status: 'claimed' }) });
    expect(await screen.findByRole('article', { name: 'Person a' })).toBeTruthy();
    expect(claimButtons()).toHaveLength(0);
    expect(screen.queryByText(/taken by another rep/i)).toBeNull();
    model.mineChanged({ leadId: 'a', poolId: 'default', lead: fullLead('a', { status: 'closed', outcome: 'won' }) });
    await waitFor(() => expect(screen.queryByRole('article', { name: 'Person a' })).toBeNull());
  });
});

describe('header', () => {
  it('shows the connection state and a presence switch that sends presence:set', async () => {
    const conn = connected();
    model = createRepModel(emitter, conn);
    model.applyPoolState(poolState('shark-tank', leads));
    render(<RepView model={model} />);
    expect(screen.getByText('Connected')).toBeTruthy();
    const sw = screen.getByRole('switch', { name: 'Available' });
    expect(sw.getAttribute('aria-checked')).toBe('true');
    fireEvent.click(sw);
    await waitFor(() => expect(screen.getByRole('switch', { name: 'Available' }).getAttribute('aria-checked')).toBe('false'));
    expect(emitter.calls[0]).toEqual({ event: EV.presenceSet, payload: { status: 'away' } });

    conn.value = 'reconnecting';
    expect(await screen.findByText('Reconnecting…')).toBeTruthy();
    // Stale leads stay visible (no flicker) but cannot be claimed until reconnected.
    expect(claimButtons().every((b) => (b as HTMLButtonElement).disabled)).toBe(true);
    conn.value = 'offline';
    expect(await screen.findByText('Offline')).toBeTruthy();
  });
});

describe('several pools', () => {
  const you = rep({ pools: ['default', 'sales'] });
  const inSales = (id: string, over: Parameters<typeof fullLead>[1] = {}) => fullLead(id, { poolId: 'sales', ...over });
  const sales = (
    mode: Mode,
    list: ReturnType<typeof fullLead>[],
    mine: ReturnType<typeof fullLead>[] = [],
    over: Partial<PoolState> = {},
  ) => poolState(mode, list, mine, { poolId: 'sales', poolName: 'Sales', you, ...over });
  const home = (mode: Mode, list: ReturnType<typeof fullLead>[], mine: ReturnType<typeof fullLead>[] = [], over: Partial<PoolState> = {}) =>
    poolState(mode, list, mine, { you, ...over });
  const region = (name: string) => screen.getByRole('region', { name });

  it('shows one section per pool, each with its own mode, and the pool’s name on every card', () => {
    model.applyPoolState(home('shark-tank', leads));
    model.applyPoolState(sales('cherry-pick', [inSales('s1', { company: 'Sales Co' })]));
    render(<RepView model={model} />);
    const def = region('Default');
    const sal = region('Sales');
    expect(within(def).getByText('Shark tank')).toBeTruthy();
    expect(within(sal).getByText('Cherry-pick')).toBeTruthy();
    expect(within(def).getAllByRole('button', { name: 'Claim' })).toHaveLength(2);
    expect(within(sal).getAllByRole('button', { name: 'Claim' })).toHaveLength(1);
    // The pool's name is on each card (visible) and in each lead's description.
    for (const card of within(def).getAllByRole('listitem')) expect(within(card).getByText('Default')).toBeTruthy();
    expect(within(sal).getByRole('row', { name: /Sales Co/ }).textContent).toContain('Sales');
    // No single mode in the header when the pools differ.
    expect(document.querySelector('.topbar .pill-mode')).toBeNull();
    // A link to each pool's section, with what waits there.
    const nav = screen.getByRole('navigation', { name: 'Your pools' });
    expect(within(nav).getByRole('link', { name: 'Sales 1 waiting' }).getAttribute('href')).toBe('#pool-sales');
    expect(within(nav).getByRole('link', { name: 'Default 2 waiting' })).toBeTruthy();
  });

  it('claims in each pool: the lead leaves its pool and shows its pool’s name under My leads', async () => {
    model.applyPoolState(home('shark-tank', [leads[0]]));
    model.applyPoolState(sales('cherry-pick', [inSales('s1', { company: 'Sales Co' })]));
    emitter.answer(EV.claim, ({ leadId }) => ({
      ok: true,
      lead: fullLead(leadId, { status: 'claimed', poolId: leadId === 's1' ? 'sales' : 'default', claimedAt: new Date().toISOString() }),
    }));
    render(<RepView model={model} />);
    fireEvent.click(within(region('Sales')).getByRole('button', { name: 'Claim' }));
    const s1 = await screen.findByRole('article', { name: 'Person s1' });
    expect(within(s1).getByTestId('mine-pool').textContent).toContain('Sales');
    expect(within(region('Sales')).queryAllByRole('button', { name: 'Claim' })).toHaveLength(0);
    expect(within(region('Default')).getAllByRole('button', { name: 'Claim' })).toHaveLength(1);
    fireEvent.click(within(region('Default')).getByRole('button', { name: 'Claim' }));
    const a = await screen.findByRole('article', { name: 'Person a' });
    expect(within(a).getByTestId('mine-pool').textContent).toContain('Default');
    expect(emitter.calls.map((c) => c.payload)).toEqual([{ leadId: 's1' }, { leadId: 'a' }]);
  });

  it('blind-pull per pool: its own count, and the pull names the pool', async () => {
    model.applyPoolState(home('blind-pull', leads));
    model.applyPoolState(sales('blind-pull', [inSales('s1')]));
    emitter.answer(EV.pull, (payload) => ({ ok: true, lead: fullLead('p1', { status: 'claimed', poolId: payload?.poolId }) }));
    render(<RepView model={model} />);
    const def = screen.getByRole('group', { name: 'Default' });
    const sal = screen.getByRole('group', { name: 'Sales' });
    expect(within(def).getByTestId('waiting-count').textContent).toBe('2');
    expect(within(sal).getByTestId('waiting-count').textContent).toBe('1');
    // The visible text stays "Pull next lead"; the group tells the pools apart.
    fireEvent.click(within(sal).getByRole('button', { name: 'Pull next lead' }));
    const mine = await screen.findByRole('article', { name: 'Person p1' });
    expect(emitter.calls[0]).toEqual({ event: EV.pull, payload: { poolId: 'sales' } });
    expect(within(mine).getByTestId('mine-pool').textContent).toContain('Sales');
  });

  it('one blind-pull pool among others: getByRole("button", { name: "Pull next lead" }) still finds it', () => {
    model.applyPoolState(home('shark-tank', leads));
    model.applyPoolState(sales('blind-pull', [inSales('s1')]));
    render(<RepView model={model} />);
    expect(screen.getByRole('button', { name: 'Pull next lead' })).toBeTruthy();
  });

  it('mode:changed, pool:waiting and lead:gone apply to their pool only', async () => {
    model.applyPoolState(home('cherry-pick', leads));
    model.applyPoolState(sales('cherry-pick', [inSales('s1', { company: 'Sales Co' })]));
    render(<RepView model={model} />);
    model.modeChanged({ mode: 'blind-pull', poolId: 'sales' });
    await waitFor(() => expect(within(region('Sales')).getByRole('button', { name: 'Pull next lead' })).toBeTruthy());
    expect(screen.queryByText('Sales Co')).toBeNull();
    expect(within(region('Default')).getAllByRole('button', { name: 'Claim' })).toHaveLength(2);

    model.waitingChanged({ poolId: 'sales', waiting: 7, oldestAgeMs: 1000 });
    await waitFor(() => expect(within(region('Sales')).getByTestId('waiting-count').textContent).toBe('7'));

    // A lead:gone changes its own pool only.
    model.gone({ leadId: 'b', poolId: 'default', reason: 'withdrawn' });
    await waitFor(() => expect(within(region('Default')).getAllByRole('button', { name: 'Claim' })).toHaveLength(1));
    expect(within(region('Default')).getByText('Acme Robotics')).toBeTruthy();
    expect(within(region('Sales')).getByTestId('waiting-count').textContent).toBe('7');
  });

  it('pool:left removes that pool’s section and its offered leads, and says so', async () => {
    model.applyPoolState(home('shark-tank', leads));
    model.applyPoolState(sales('shark-tank', [inSales('s1', { industry: 'Solar' })]));
    render(<RepView model={model} />);
    expect(screen.getByText('Solar · DE')).toBeTruthy();
    model.poolLeft({ poolId: 'sales' });
    await waitFor(() => expect(screen.queryByRole('region', { name: 'Sales' })).toBeNull());
    expect(screen.queryByText('Solar · DE')).toBeNull();
    expect(screen.getByText('You no longer get leads from Sales')).toBeTruthy();
    // Back to the pool `default` only: the v1 look, the mode as the heading.
    expect(screen.getByRole('heading', { name: 'Shark tank' })).toBeTruthy();
  });

  it('joining a pool adds its section live and announces it', async () => {
    model.applyPoolState(home('shark-tank', leads));
    render(<RepView model={model} />);
    expect(screen.queryByRole('region', { name: 'Sales' })).toBeNull();
    model.applyPoolState(sales('cherry-pick', [inSales('s1', { company: 'Sales Co' })]));
    expect(await screen.findByRole('region', { name: 'Sales' })).toBeTruthy();
    expect(screen.getByTestId('live-region').textContent).toContain('Sales');
  });

  it('a lead offered live lands in its pool', async () => {
    model.applyPoolState(home('shark-tank', []));
    model.applyPoolState(sales('shark-tank', []));
    render(<RepView model={model} />);
    model.offered(view(inSales('n', { industry: 'Healthcare' }), 'shark-tank'));
    await waitFor(() => expect(within(region('Sales')).getAllByRole('button', { name: 'Claim' })).toHaveLength(1));
    expect(within(region('Default')).queryAllByRole('button', { name: 'Claim' })).toHaveLength(0);
    expect(screen.getByTestId('live-region').textContent).toContain('in Sales');
  });

  it('My leads counts against each pool’s cap, or the rep’s own cap over all pools', async () => {
    model.applyPoolState(home('shark-tank', [], [fullLead('m1', { status: 'claimed' })], { maxActive: 3 }));
    model.applyPoolState(sales('shark-tank', [], [inSales('m2', { status: 'claimed' })], { maxActive: 1 }));
    render(<RepView model={model} />);
    const counts = screen.getAllByTestId('cap-count').map((c) => c.textContent);
    expect(counts).toEqual(['Default 1 / 3', 'Sales 1 / 1']);
    expect(screen.getByText(/at your cap in Sales/)).toBeTruthy();
    // Both held leads stay: each pool's snapshot carries its own.
    expect(screen.getAllByRole('article')).toHaveLength(2);

    const own = rep({ pools: ['default', 'sales'], maxActive: 5 });
    model.applyPoolState(home('shark-tank', [], [fullLead('m1', { status: 'claimed' })], { you: own, maxActive: 5 }));
    await waitFor(() => expect(screen.getByTestId('cap-count').textContent).toBe('2 / 5'));
  });

  it('after a reconnect, a pool that sends no snapshot is gone (the rep left it meanwhile)', async () => {
    model.applyPoolState(home('shark-tank', leads));
    model.applyPoolState(sales('shark-tank', [inSales('s1')]));
    render(<RepView model={model} />);
    model.syncStarted();
    model.applyPoolState(home('shark-tank', leads));
    expect(screen.getByRole('region', { name: 'Sales' })).toBeTruthy();
    model.syncSettled();
    await waitFor(() => expect(screen.queryByRole('region', { name: 'Sales' })).toBeNull());
  });
});

describe('a rep in no pool', () => {
  it('sees a clear message once connected without any pool snapshot', async () => {
    render(<RepView model={model} />);
    expect(screen.getByText('Loading the pool…')).toBeTruthy();
    model.syncStarted();
    model.syncSettled();
    expect(await screen.findByRole('heading', { name: 'You are not in any pool' })).toBeTruthy();
    expect(claimButtons()).toHaveLength(0);
  });

  it('sees it when it leaves its last pool, and its pool when added again', async () => {
    model.applyPoolState(poolState('shark-tank', leads));
    render(<RepView model={model} />);
    model.poolLeft({ poolId: 'default' });
    expect(await screen.findByRole('heading', { name: 'You are not in any pool' })).toBeTruthy();
    expect(claimButtons()).toHaveLength(0);
    model.applyPoolState(
      poolState('shark-tank', leads, [], {
        poolId: 'sales',
        poolName: 'Sales',
        leads: leads.map((l) => view({ ...l, poolId: 'sales' }, 'shark-tank')),
      }),
    );
    expect(await screen.findByRole('region', { name: 'Sales' })).toBeTruthy();
    expect(claimButtons()).toHaveLength(2);
  });
});

describe('one pool, the v1 look', () => {
  it('names no pool on cards or My leads, and shows the mode in the header', () => {
    model.applyPoolState(poolState('shark-tank', leads, [fullLead('m1', { status: 'claimed' })]));
    render(<RepView model={model} />);
    expect(screen.queryByText('Default')).toBeNull();
    expect(screen.queryByTestId('mine-pool')).toBeNull();
    expect(screen.queryByRole('navigation', { name: 'Your pools' })).toBeNull();
    expect(document.querySelector('.topbar .pill-mode')?.textContent).toBe('Mode: Shark tank');
    expect(screen.getByTestId('cap-count').textContent).toBe('1 / 3');
  });
});
