// @vitest-environment happy-dom
import { cleanup, fireEvent, render, screen, waitFor, within } from '@testing-library/preact';
import { afterEach, beforeEach, describe, expect, it, vi } from 'vitest';
import { ManagerView } from '../../client/src/components/ManagerView';
import { parseRulesJson } from '../../client/src/components/RulesEditor';
import { draftToPatch } from '../../client/src/components/SettingsForm';
import { HttpError } from '../../client/src/lib/http';
import { createManagerModel, type ManagerModel } from '../../client/src/state/managerModel';
import { DEFAULT_SETTINGS, type Feed } from '../../shared/protocol';
import { connected, dashboard, fakeHttp, fullLead, liveStats, poolOverview, rep } from './fixtures';

let api: ReturnType<typeof fakeHttp>;
let model: ManagerModel;
beforeEach(() => {
  api = fakeHttp();
  model = createManagerModel(api.http, connected());
  model.applyDashboard(dashboard());
});
afterEach(cleanup);

const openTab = (name: RegExp) => fireEvent.click(screen.getByRole('tab', { name }));

describe('manager dashboard', () => {
  it('has a select labelled Mode that sets the pool’s mode through PUT /api/pools/default/mode', async () => {
    render(<ManagerView model={model} />);
    const select = screen.getByRole('combobox', { name: 'Mode' }) as HTMLSelectElement;
    expect(select.value).toBe('shark-tank');
    fireEvent.change(select, { target: { value: 'blind-pull' } });
    // Two leads wait: it says what the switch does, and asks.
    const dialog = await screen.findByRole('dialog', { name: 'Switch to Blind pull?' });
    expect(dialog.textContent).toContain('hides the 2 waiting leads from reps');
    expect(api.put).not.toHaveBeenCalled();
    fireEvent.click(within(dialog).getByRole('button', { name: 'Switch to Blind pull' }));
    await waitFor(() => expect(api.put).toHaveBeenCalledWith('/api/pools/default/mode', { mode: 'blind-pull' }));
    await waitFor(() => expect((screen.getByRole('combobox', { name: 'Mode' }) as HTMLSelectElement).value).toBe('blind-pull'));
  });

  it('shows the HTTP error message and keeps the mode when the change fails', async () => {
    api.put.mockRejectedValueOnce(new HttpError(503, 'STORE_UNAVAILABLE', 'the store cannot be reached; nothing was changed'));
    render(<ManagerView model={model} />);
    const select = screen.getByRole('combobox', { name: 'Mode' }) as HTMLSelectElement;
    fireEvent.change(select, { target: { value: 'hybrid' } });
    fireEvent.click(await screen.findByRole('button', { name: 'Switch to Hybrid' }));
    expect(await screen.findByText(/the store cannot be reached/)).toBeTruthy();
    await waitFor(() => expect(select.value).toBe('shark-tank'));
  });

  it('shows live tiles, the presence board with open lead counts and a feed', () => {
    render(<ManagerView model={model} />);
    const tiles = screen.getByRole('group', { name: 'Live statistics' });
    expect(within(tiles).getByText('Waiting leads')).toBeTruthy();
    expect(within(tiles).getByText('4.2s')).toBeTruthy(); // median speed-to-claim
    const team = screen.getByRole('region', { name: 'Team' });
    expect(within(team).getByText('Maya Chen')).toBeTruthy();
    expect(within(team).getByText('1 open leads of 10')).toBeTruthy();
    expect(within(team).getByText('away')).toBeTruthy();
    const feed = screen.getByRole('region', { name: 'Live feed' });
    expect(within(feed).getAllByText('Claimed').length).toBe(1);
  });

  it('updates live from events: presence, new lead, claim (counts from the events, no list read)', async () => {
    vi.useFakeTimers();
    try {
      render(<ManagerView model={model} />);
      model.repPresence({ repId: 'rep_3', presence: 'available' });
      model.leadCreated(fullLead('l9', { company: 'Nova Energy' }));
      await vi.advanceTimersByTimeAsync(10);
      const leads = screen.getByRole('region', { name: 'Leads' });
      expect(within(leads).getByText('Nova Energy')).toBeTruthy();
      model.leadClaimed({
        ...fullLead('l9', { company: 'Nova Energy' }),
        status: 'claimed',
        claimedBy: 'rep_2',
        claimedAt: new Date().toISOString(),
      });
      await vi.advanceTimersByTimeAsync(500);
      expect(within(screen.getByRole('region', { name: 'Leads' })).queryByText('Nova Energy')).toBeNull();
      // The claim itself counts for Jonas; the rep list is not read again.
      const team = screen.getByRole('region', { name: 'Team' });
      expect(within(team).getByText('1 open leads of 10', { selector: `[data-rep-id="rep_2"] *` })).toBeTruthy();
      expect(api.get).not.toHaveBeenCalledWith(expect.stringMatching(/^\/api\/reps/));
    } finally {
      vi.useRealTimers();
    }
  });

  it('a dashboard snapshot replaces everything (no stale leads after reconnect)', async () => {
    render(<ManagerView model={model} />);
    const leads = () => screen.getByRole('region', { name: 'Leads' });
    expect(within(leads()).getByText('Blue Labs')).toBeTruthy();
    model.applyDashboard(dashboard({ open: [fullLead('x', { company: 'Fresh Co' })], recent: [] }));
    await waitFor(() => expect(screen.queryByText('Blue Labs')).toBeNull());
    expect(within(leads()).getByText('Fresh Co')).toBeTruthy();
  });

  it('assigns a waiting lead to a rep manually', async () => {
    api.post.mockResolvedValueOnce({ lead: { ...fullLead('l1'), status: 'claimed', claimedBy: 'rep_2' } });
    render(<ManagerView model={model} />);
    const row = document.querySelector('tr[data-lead-id="l1"]') as HTMLElement;
    fireEvent.change(within(row).getByRole('combobox'), { target: { value: 'rep_2' } });
    // Jonas is away: it warns before assigning.
    expect(within(row).getByText(/Jonas Weber is away/)).toBeTruthy();
    fireEvent.click(within(row).getByRole('button', { name: 'Assign anyway' }));
    await waitFor(() => expect(api.post).toHaveBeenCalledWith('/api/leads/l1/assign', { repId: 'rep_2' }));
  });

  it('creates a rep and shows its link once, with a copy button', async () => {
    api.post.mockResolvedValueOnce({ rep: rep({ id: 'rep_9', name: 'Ines Duarte' }), token: 'r_secret' });
    render(<ManagerView model={model} origin="https://leads.example" />);
    openTab(/^Reps/);
    fireEvent.input(screen.getByLabelText('Name'), { target: { value: 'Ines Duarte' } });
    fireEvent.input(screen.getByLabelText('Languages'), { target: { value: 'PT, en' } });
    fireEvent.click(screen.getByRole('button', { name: 'Create rep' }));
    const link = (await screen.findByTestId('rep-link')) as HTMLInputElement;
    expect(link.value).toBe('https://leads.example/rep#token=r_secret');
    expect(screen.getByRole('button', { name: 'Copy link' })).toBeTruthy();
    expect(api.post).toHaveBeenCalledWith('/api/reps', {
      name: 'Ines Duarte',
      skills: [],
      languages: ['pt', 'en'],
      countries: [],
      teams: [],
      weight: 1,
    });
  });

  it('edits and removes a rep', async () => {
    api.patch.mockResolvedValueOnce({ rep: rep({ maxActive: 4 }) });
    render(<ManagerView model={model} />);
    openTab(/^Reps/);
    fireEvent.click(screen.getByRole('button', { name: 'Edit Maya Chen' }));
    const form = screen.getByRole('form', { name: 'Edit Maya Chen' });
    fireEvent.input(within(form).getByLabelText('Max open leads'), { target: { value: '4' } });
    fireEvent.click(within(form).getByRole('button', { name: 'Save' }));
    await waitFor(() =>
      expect(api.patch).toHaveBeenCalledWith('/api/reps/rep_1', expect.objectContaining({ maxActive: 4, name: 'Maya Chen' })),
    );

    fireEvent.click(screen.getByRole('button', { name: 'Remove Jonas Weber' }));
    fireEvent.click(screen.getByRole('button', { name: 'Confirm remove' }));
    await waitFor(() => expect(api.del).toHaveBeenCalledWith('/api/reps/rep_2'));
    await waitFor(() => expect(screen.queryByText('Jonas Weber')).toBeNull());
  });

  it('saves settings through PATCH /api/pools/default/settings', async () => {
    api.patch.mockImplementationOnce(async (_p, body) => ({ settings: { ...model.settings.value!, ...(body as object) } }));
    render(<ManagerView model={model} />);
    openTab(/^Settings/);
    fireEvent.input(screen.getByLabelText('Max open leads per rep'), { target: { value: '5' } });
    fireEvent.input(screen.getByLabelText('Claim timeout (s)'), { target: { value: '90' } });
    fireEvent.click(screen.getByRole('button', { name: 'Save settings' }));
    await waitFor(() => expect(api.patch).toHaveBeenCalled());
    const [path, body] = api.patch.mock.calls[0];
    expect(path).toBe('/api/pools/default/settings');
    expect(body).toMatchObject({ maxActivePerRep: 5, claimTimeoutMs: 90_000, escalateAfterMs: null, weighted: false });
  });

  it('edits hybrid rules and shows validation errors', async () => {
    api.put.mockRejectedValueOnce(
      new HttpError(422, 'INVALID', 'the request is invalid', [{ path: 'rules.0.when.country.0', message: 'ISO 3166-1 alpha-2 code' }]),
    );
    render(<ManagerView model={model} />);
    openTab(/^Rules/);
    fireEvent.click(screen.getByRole('button', { name: 'Add rule' }));
    fireEvent.change(screen.getByLabelText('Country'), { target: { value: 'Germany' } });
    fireEvent.change(screen.getByLabelText('Teams'), { target: { value: 'dach' } });
    fireEvent.click(screen.getByRole('button', { name: 'Save rules' }));
    expect(await screen.findByText(/rules\.0\.when\.country\.0: ISO 3166-1 alpha-2 code/)).toBeTruthy();
    expect(api.put).toHaveBeenCalledWith('/api/pools/default/rules', {
      rules: [{ name: 'Rule 1', when: { country: ['Germany'] }, to: { teams: ['dach'] } }],
    });

    fireEvent.click(screen.getByRole('checkbox', { name: 'Edit as JSON' }));
    fireEvent.input(screen.getByLabelText('Rules (JSON)'), { target: { value: '[{"name": "x"' } });
    fireEvent.click(screen.getByRole('button', { name: 'Save rules' }));
    expect(await screen.findByText(/Not valid JSON/)).toBeTruthy();
  });

  it('loads the reports summary for the chosen range, with the fairness sentence and charts', async () => {
    const figures = (leads: number) => ({
      leads,
      claimed: leads,
      contacted: 1,
      won: 3,
      lost: 1,
      unreachable: 0,
      winRate: 0.75,
      speedToClaimMs: { count: leads, p50: 3000, p90: 9000, max: 12000 },
    });
    const summary = (leadsIn: number) => ({
      generatedAt: new Date().toISOString(),
      range: { from: null, to: null, poolId: null },
      leads: { total: leadsIn, open: 2, claimed: 3, closed: 5, disqualified: 0 },
      speedToClaimMs: { count: 8, median: 3000, p90: 9000, mean: 4000, p50: 3000, max: 12000 },
      perRep: [
        {
          repId: 'rep_1',
          name: 'Maya Chen',
          active: 3,
          outcomes: { contacted: 1, won: 3, lost: 1, unreachable: 0 },
          medianSpeedToClaimMs: 3000,
          share: 1,
          ...figures(8),
        },
      ],
      fairness: {
        jainIndex: 1,
        maxShare: 1,
        gini: 0,
        activeReps: 1,
        busiest: { repId: 'rep_1', name: 'Maya Chen', share: 1 },
        text: 'One rep, Maya Chen, took every lead (8).',
      },
      outcomes: { contacted: 1, won: 3, lost: 1, unreachable: 0 },
      flow: { in: leadsIn, disqualified: 0, claimed: 8, closed: 5, open: 2 },
      disqualifiedByReason: {},
      perSource: [{ source: 'web', disqualified: 0, ...figures(8) }],
      perPool: [],
      perMode: [],
      series: { intervalMs: 86_400_000, buckets: [{ start: new Date().toISOString(), leads: 8, claimed: 8, p50: 3000, p90: 9000 }] },
      overdue: null,
    });
    const asked: string[] = [];
    api.get.mockImplementation(async (path: string) => {
      if (!path.startsWith('/api/reports/summary')) return { reps: [] };
      asked.push(path);
      return summary(path.includes('from=') ? 10 : 42);
    });
    render(<ManagerView model={model} />);
    openTab(/^Reports/);
    const panel = await screen.findByRole('region', { name: 'Reports' });
    await waitFor(() => expect(within(panel).getByTestId('report-leads-in').textContent).toBe('10'));
    expect(asked[0]).toMatch(/^\/api\/reports\/summary\?from=/); // 30 days by default
    expect(within(within(panel).getByRole('table', { name: 'Per rep' })).getByRole('cell', { name: 'Maya Chen' })).toBeTruthy();
    expect(within(panel).getByText('One rep, Maya Chen, took every lead (8).')).toBeTruthy();
    expect(within(panel).getByRole('img', { name: /Speed to claim over time/ })).toBeTruthy();
    expect(within(panel).getByRole('img', { name: /Leads per rep/ })).toBeTruthy();
    fireEvent.click(within(panel).getByRole('button', { name: 'All time' }));
    await waitFor(() => expect(within(panel).getByTestId('report-leads-in').textContent).toBe('42'));
    expect(asked.at(-1)).toBe('/api/reports/summary');
  });

  it('tabs are keyboard operable (arrow keys)', async () => {
    render(<ManagerView model={model} />);
    const live = screen.getByRole('tab', { name: 'Live' });
    fireEvent.keyDown(live, { key: 'ArrowRight' });
    await waitFor(() => expect(screen.getByRole('tab', { name: /^Pools/ }).getAttribute('aria-selected')).toBe('true'));
    fireEvent.keyDown(screen.getByRole('tab', { name: /^Pools/ }), { key: 'End' });
    await waitFor(() => expect(screen.getByRole('tab', { name: 'Reports' }).getAttribute('aria-selected')).toBe('true'));
  });
});

describe('form helpers', () => {
  it('draftToPatch converts seconds to ms, empty to off, and validates', () => {
    const base: Parameters<typeof draftToPatch>[0] = {
      maxActivePerRep: '7',
      teaserFields: ['country'],
      requireFields: [],
      countries: 'de, at',
      minVisits: '',
      minSecondsOnSite: '',
      escalateAfter: '',
      claimTimeout: '30',
      claimCooldown: '',
      maxClaimsPerWindow: '',
      claimWindow: '',
      duplicateWindow: '1.5',
      weighted: true,
    };
    const { patch, errors } = draftToPatch(base);
    expect(errors).toEqual({});
    expect(patch).toMatchObject({
      maxActivePerRep: 7,
      claimTimeoutMs: 30_000,
      claimCooldownMs: 0,
      duplicateWindowMs: 1500,
      filters: { countries: ['DE', 'AT'] },
      weighted: true,
    });
    expect(draftToPatch({ ...base, maxActivePerRep: '0' }).errors.maxActivePerRep).toBeTruthy();
    expect(draftToPatch({ ...base, maxClaimsPerWindow: '3' }).errors.maxClaimsPerWindow).toMatch(/both/);
  });

  it('parseRulesJson accepts a list or { rules } and explains what is wrong', () => {
    expect(parseRulesJson('[{"name":"a","when":{},"to":{}}]')).toEqual({ rules: [{ name: 'a', when: {}, to: {} }] });
    expect(parseRulesJson('{"rules":[]}')).toEqual({ rules: [] });
    expect(parseRulesJson('[{"when":{},"to":{}}]')).toEqual({ error: 'Rule 1 needs a "name"' });
    expect('error' in parseRulesJson('nope')).toBe(true);
  });
});

describe('several pools', () => {
  const salesLead = (id: string, over: Parameters<typeof fullLead>[1] = {}) => fullLead(id, { poolId: 'sales', ...over });
  const salesPool = poolOverview({
    id: 'sales',
    name: 'Sales',
    mode: 'blind-pull',
    settings: { ...DEFAULT_SETTINGS, maxActivePerRep: 4 },
    waiting: 1,
    claimed: 0,
    oldestAgeMs: 125_000,
    repsOnline: 1,
  });
  const twoPools = () =>
    dashboard({
      pools: [poolOverview(), salesPool],
      open: [fullLead('l1'), fullLead('l2', { company: 'Blue Labs' }), salesLead('s1', { company: 'Sales Co' })],
      reps: [
        rep({ activeCount: 1 }),
        rep({ id: 'rep_2', name: 'Jonas Weber', presence: 'away', pools: ['default', 'sales'] }),
        rep({ id: 'rep_3', name: 'Sam Okafor', presence: 'available', pools: ['sales'] }),
      ],
      stats: liveStats({
        open: 3,
        pools: {
          default: { open: 2, claimed: 1, oldestWaitingMs: 65_000, repsOnline: 2 },
          sales: { open: 1, claimed: 0, oldestWaitingMs: 125_000, repsOnline: 1 },
        },
      }),
    });
  const poolSelect = () => screen.getByRole('combobox', { name: 'Pool' }) as HTMLSelectElement;
  const modeSelect = () => screen.getByRole('combobox', { name: 'Mode' }) as HTMLSelectElement;
  const overviewRow = (id: string) => document.querySelector(`tr[data-pool-id="${id}"]`) as HTMLElement;

  beforeEach(() => model.applyDashboard(twoPools()));

  it('with one pool the switcher is there but compact, and there is no pool overview', () => {
    model.applyDashboard(dashboard());
    render(<ManagerView model={model} />);
    expect(poolSelect().options).toHaveLength(1);
    expect(poolSelect().closest('.pool-switcher-one')).toBeTruthy();
    expect(screen.queryByRole('region', { name: 'All pools' })).toBeNull();
    expect(screen.getByRole('group', { name: 'Live statistics' })).toBeTruthy();
  });

  it('the switcher selects the pool that drives Mode, leads, tiles and team', async () => {
    render(<ManagerView model={model} />);
    const leads = () => screen.getByRole('region', { name: /^Leads/ });
    expect(within(leads()).getByText('Blue Labs')).toBeTruthy();
    expect(within(leads()).queryByText('Sales Co')).toBeNull();
    fireEvent.change(poolSelect(), { target: { value: 'sales' } });
    await waitFor(() => expect(modeSelect().value).toBe('blind-pull'));
    expect(within(leads()).getByText('Sales Co')).toBeTruthy();
    expect(within(leads()).queryByText('Blue Labs')).toBeNull();
    const tiles = screen.getByRole('group', { name: 'Live statistics: Sales' });
    // Counted from the list below: one lead waits, 65 s old.
    expect(within(tiles).getByTestId('tile-waiting-leads').textContent).toMatch(/^Waiting leads1oldest 1m 0\ds$/);
    expect(within(tiles).getByText('of 2 in this pool')).toBeTruthy();
    const team = screen.getByRole('region', { name: 'Team' });
    expect(within(team).getByText('Sam Okafor')).toBeTruthy();
    expect(within(team).queryByText('Maya Chen')).toBeNull();

    fireEvent.change(modeSelect(), { target: { value: 'cherry-pick' } });
    fireEvent.click(await screen.findByRole('button', { name: 'Switch to Cherry-pick' }));
    await waitFor(() => expect(api.put).toHaveBeenCalledWith('/api/pools/sales/mode', { mode: 'cherry-pick' }));
    await waitFor(() => expect(within(overviewRow('sales')).getByText('Cherry-pick')).toBeTruthy());
    expect(within(overviewRow('default')).getByText('Shark tank')).toBeTruthy();
  });

  it('All pools: name, mode, waiting, oldest and reps online, kept live from stats and pools:changed', async () => {
    render(<ManagerView model={model} />);
    const table = within(screen.getByRole('region', { name: 'All pools' })).getByRole('table');
    const cells = (id: string) => [...overviewRow(id).querySelectorAll('th, td')].map((c) => c.textContent?.trim());
    expect(cells('sales')).toEqual(['Salessales', 'Blind pull', '1', '2m 05s', '1', 'Show']);
    expect(within(table).getAllByRole('row')).toHaveLength(3);

    model.statsChanged(
      liveStats({
        pools: {
          default: { open: 2, claimed: 1, oldestWaitingMs: 65_000, repsOnline: 2 },
          sales: { open: 4, claimed: 1, oldestWaitingMs: 3_000, repsOnline: 2 },
        },
      }),
    );
    await waitFor(() => expect(cells('sales')).toEqual(['Salessales', 'Blind pull', '4', '3s', '2', 'Show']));

    model.poolsChanged({ pools: [poolOverview(), salesPool, poolOverview({ id: 'emea', name: 'EMEA', mode: 'round-robin', waiting: 0 })] });
    await waitFor(() => expect(overviewRow('emea')).toBeTruthy());
    expect(cells('emea')).toEqual(['EMEAemea', 'Round-robin', '0', '—', '2', 'Show']);
    expect(poolSelect().options).toHaveLength(3);
    // Live figures stay from the last stats until the next one.
    expect(cells('sales')[2]).toBe('4');

    fireEvent.click(within(table).getByRole('button', { name: 'Show EMEA' }));
    await waitFor(() => expect(poolSelect().value).toBe('emea'));
    expect(modeSelect().value).toBe('round-robin');
  });

  it('pool-scoped events change their pool only', async () => {
    render(<ManagerView model={model} />);
    model.modeChanged({ mode: 'hybrid', poolId: 'sales' });
    await waitFor(() => expect(within(overviewRow('sales')).getByText('Hybrid')).toBeTruthy());
    expect(modeSelect().value).toBe('shark-tank');
    model.settingsChanged({ poolId: 'sales', settings: { ...DEFAULT_SETTINGS, maxActivePerRep: 9 } });
    model.rulesChanged({ poolId: 'sales', rules: [{ name: 'R', when: {}, to: { teams: ['x'] } }] });
    expect(model.settings.value?.maxActivePerRep).toBe(10);
    model.selectPool('sales');
    await waitFor(() => expect(modeSelect().value).toBe('hybrid'));
    expect(model.settings.value?.maxActivePerRep).toBe(9);
    expect(model.rules.value).toHaveLength(1);
  });

  it('settings and rules are the selected pool’s (PATCH and PUT under /api/pools/<id>)', async () => {
    api.patch.mockImplementationOnce(async (_p, body) => ({ settings: { ...salesPool.settings, ...(body as object) } }));
    render(<ManagerView model={model} />);
    fireEvent.change(poolSelect(), { target: { value: 'sales' } });
    openTab(/^Settings/);
    expect(screen.getByRole('heading', { name: 'Settings of Sales' })).toBeTruthy();
    await waitFor(() => expect((screen.getByLabelText('Max open leads per rep') as HTMLInputElement).value).toBe('4'));
    fireEvent.input(screen.getByLabelText('Max open leads per rep'), { target: { value: '6' } });
    fireEvent.click(screen.getByRole('button', { name: 'Save settings' }));
    await waitFor(() =>
      expect(api.patch).toHaveBeenCalledWith('/api/pools/sales/settings', expect.objectContaining({ maxActivePerRep: 6 })),
    );

    openTab(/^Rules/);
    fireEvent.click(screen.getByRole('button', { name: 'Add rule' }));
    // Only the pool's reps can be picked in a rule.
    const picks = screen.getByRole('group', { name: 'Or these reps' });
    expect(within(picks).queryByText('Maya Chen')).toBeNull();
    expect(within(picks).getByText('Sam Okafor')).toBeTruthy();
    fireEvent.change(screen.getByLabelText('Teams'), { target: { value: 'dach' } });
    fireEvent.click(screen.getByRole('button', { name: 'Save rules' }));
    await waitFor(() =>
      expect(api.put).toHaveBeenCalledWith('/api/pools/sales/rules', { rules: [{ name: 'Rule 1', when: {}, to: { teams: ['dach'] } }] }),
    );
  });
});

describe('pools panel', () => {
  beforeEach(() => model.applyDashboard(dashboard({ pools: [poolOverview(), poolOverview({ id: 'sales', name: 'Sales', waiting: 3 })] })));

  it('creates a pool (id from the name, a mode) and selects it', async () => {
    api.post.mockImplementationOnce(async (_p, body) => ({
      pool: { ...(body as object), settings: DEFAULT_SETTINGS, createdAt: new Date().toISOString() },
    }));
    render(<ManagerView model={model} />);
    openTab(/^Pools/);
    const form = screen.getByRole('form', { name: 'New pool' });
    fireEvent.input(within(form).getByLabelText('Name'), { target: { value: 'EMEA Inbound' } });
    expect((within(form).getByLabelText('Id') as HTMLInputElement).value).toBe('emea-inbound');
    fireEvent.change(within(form).getByLabelText('Pool mode'), { target: { value: 'cherry-pick' } });
    fireEvent.click(within(form).getByRole('button', { name: 'Create pool' }));
    await waitFor(() =>
      expect(api.post).toHaveBeenCalledWith('/api/pools', { id: 'emea-inbound', name: 'EMEA Inbound', mode: 'cherry-pick' }),
    );
    await waitFor(() => expect((screen.getByRole('combobox', { name: 'Pool' }) as HTMLSelectElement).value).toBe('emea-inbound'));
    expect((screen.getByRole('combobox', { name: 'Mode' }) as HTMLSelectElement).value).toBe('cherry-pick');
    expect(within(screen.getByRole('region', { name: 'Pools' })).getByText('EMEA Inbound')).toBeTruthy();
  });

  it('explains a taken id and a bad id', async () => {
    api.post.mockRejectedValueOnce(new HttpError(409, 'CONFLICT', 'a pool with this id exists'));
    render(<ManagerView model={model} />);
    openTab(/^Pools/);
    const form = screen.getByRole('form', { name: 'New pool' });
    fireEvent.input(within(form).getByLabelText('Name'), { target: { value: 'Sales' } });
    fireEvent.click(within(form).getByRole('button', { name: 'Create pool' }));
    expect(await within(form).findByText('A pool with the id “sales” already exists.')).toBeTruthy();
    fireEvent.input(within(form).getByLabelText('Id'), { target: { value: 'Bad Id' } });
    fireEvent.click(within(form).getByRole('button', { name: 'Create pool' }));
    expect(await within(form).findByText(/lower-case letters, digits and dashes/)).toBeTruthy();
    expect(api.post).toHaveBeenCalledTimes(1);
  });

  it('renames a pool', async () => {
    api.patch.mockResolvedValueOnce({
      pool: { id: 'sales', name: 'Sales EU', mode: 'shark-tank', settings: DEFAULT_SETTINGS, createdAt: '' },
    });
    render(<ManagerView model={model} />);
    openTab(/^Pools/);
    fireEvent.click(screen.getByRole('button', { name: 'Rename Sales' }));
    const form = screen.getByRole('form', { name: 'Rename Sales' });
    fireEvent.input(within(form).getByLabelText('New name'), { target: { value: 'Sales EU' } });
    fireEvent.click(within(form).getByRole('button', { name: 'Save name' }));
    await waitFor(() => expect(api.patch).toHaveBeenCalledWith('/api/pools/sales', { name: 'Sales EU' }));
    await waitFor(() => expect(within(screen.getByRole('region', { name: 'Pools' })).getByText('Sales EU')).toBeTruthy());
  });

  it('deletes a pool after a confirmation; a pool with leads: "move or close its leads first"; default cannot be deleted', async () => {
    api.del.mockRejectedValueOnce(new HttpError(409, 'CONFLICT', 'the pool holds open or claimed leads'));
    render(<ManagerView model={model} />);
    openTab(/^Pools/);
    expect(screen.queryByRole('button', { name: 'Delete Default' })).toBeNull();
    expect(screen.getByText('cannot be deleted')).toBeTruthy();
    fireEvent.click(screen.getByRole('button', { name: 'Delete Sales' }));
    fireEvent.click(screen.getByRole('button', { name: 'Confirm delete' }));
    expect(await screen.findByText('Sales still holds open or claimed leads: move or close its leads first.')).toBeTruthy();
    expect(api.del).toHaveBeenCalledWith('/api/pools/sales');

    fireEvent.click(screen.getByRole('button', { name: 'Delete Sales' }));
    fireEvent.click(screen.getByRole('button', { name: 'Confirm delete' }));
    await waitFor(() => expect(screen.queryByRole('button', { name: 'Delete Sales' })).toBeNull());
    expect((screen.getByRole('combobox', { name: 'Pool' }) as HTMLSelectElement).options).toHaveLength(1);
  });
});

describe('feed keys', () => {
  const feed = (over: Partial<Feed> = {}): Feed => ({
    id: 'feed_1',
    name: 'Website form',
    pools: ['sales'],
    createdAt: new Date().toISOString(),
    ...over,
  });
  beforeEach(() => {
    model.applyDashboard(dashboard({ pools: [poolOverview(), poolOverview({ id: 'sales', name: 'Sales' })] }));
    api.get.mockImplementation(async (path: string) => (path === '/api/feeds' ? { feeds: [feed()] } : { reps: [] }));
  });

  it('connects a lead source: the key once with a copy button, a curl example and the URL per pool', async () => {
    api.post.mockResolvedValueOnce({ feed: feed({ id: 'feed_2', name: 'Ads', pools: ['sales', 'default'] }), key: 'lpf_secret' });
    render(<ManagerView model={model} origin="https://leads.example" />);
    openTab(/^Feeds/);
    const list = await screen.findByRole('region', { name: 'Feed keys' });
    await waitFor(() => expect(within(list).getByText('Website form')).toBeTruthy());
    expect(api.get).toHaveBeenCalledWith('/api/feeds');
    const form = screen.getByRole('form', { name: 'New feed key' });
    fireEvent.input(within(form).getByLabelText('Source name'), { target: { value: 'Ads' } });
    fireEvent.click(within(form).getByRole('checkbox', { name: 'Sales' }));
    fireEvent.click(within(form).getByRole('button', { name: 'Create feed key' }));
    await waitFor(() => expect(api.post).toHaveBeenCalledWith('/api/feeds', { name: 'Ads', pools: ['default', 'sales'] }));
    expect(((await screen.findByTestId('feed-key')) as HTMLInputElement).value).toBe('lpf_secret');
    expect(screen.getByRole('button', { name: 'Copy key' })).toBeTruthy();
    const curl = screen.getByTestId('feed-curl').textContent ?? '';
    expect(curl).toContain('curl -X POST https://leads.example/api/pools/sales/leads');
    expect(curl).toContain('Authorization: Bearer lpf_secret"');
    const once = screen.getByTestId('feed-key-once');
    expect(within(once).getByText('https://leads.example/api/pools/sales/leads')).toBeTruthy();
    expect(within(once).getByText('https://leads.example/api/pools/default/leads')).toBeTruthy();
    // Listed (never with its key), and the key goes once Done.
    expect(within(list).getByText('Ads')).toBeTruthy();
    fireEvent.click(within(once).getByRole('button', { name: 'Done' }));
    await waitFor(() => expect(screen.queryByText('lpf_secret')).toBeNull());
    expect(document.body.innerHTML).not.toContain('lpf_secret');
  });

  it('a new key for a feed is shown once; revoking asks first', async () => {
    api.post.mockResolvedValueOnce({ feed: feed(), key: 'lpf_rotated' });
    render(<ManagerView model={model} origin="https://leads.example" />);
    openTab(/^Feeds/);
    await screen.findByText('Website form');
    fireEvent.click(screen.getByRole('button', { name: 'New key for Website form' }));
    fireEvent.click(screen.getByRole('button', { name: 'Confirm new key' }));
    await waitFor(() => expect(api.post).toHaveBeenCalledWith('/api/feeds/feed_1/key', {}));
    expect(((await screen.findByTestId('feed-key')) as HTMLInputElement).value).toBe('lpf_rotated');

    fireEvent.click(screen.getByRole('button', { name: 'Revoke Website form' }));
    expect(api.del).not.toHaveBeenCalled();
    fireEvent.click(screen.getByRole('button', { name: 'Confirm revoke' }));
    await waitFor(() => expect(api.del).toHaveBeenCalledWith('/api/feeds/feed_1'));
    await waitFor(() => expect(screen.queryByText('Website form')).toBeNull());
  });

  it('feeds:changed replaces the list', async () => {
    render(<ManagerView model={model} />);
    openTab(/^Feeds/);
    await screen.findByText('Website form');
    model.feedsChanged({ feeds: [feed({ id: 'feed_9', name: 'CRM sync', pools: ['default'] })] });
    expect(await screen.findByText('CRM sync')).toBeTruthy();
    expect(screen.queryByText('Website form')).toBeNull();
  });
});

describe('reps in pools', () => {
  beforeEach(() =>
    model.applyDashboard(
      dashboard({
        pools: [poolOverview(), poolOverview({ id: 'sales', name: 'Sales' })],
        reps: [rep(), rep({ id: 'rep_2', name: 'Jonas Weber', pools: ['default', 'sales'] })],
      }),
    ),
  );

  it('creates a rep in the pools ticked (the shown pool by default)', async () => {
    api.post.mockResolvedValueOnce({ rep: rep({ id: 'rep_9', name: 'Ines Duarte', pools: ['sales'] }), token: 'r_secret' });
    render(<ManagerView model={model} />);
    fireEvent.change(screen.getByRole('combobox', { name: 'Pool' }), { target: { value: 'sales' } });
    openTab(/^Reps/);
    const form = screen.getByRole('form', { name: 'New rep' });
    const pools = within(form).getByRole('group', { name: 'Pools' });
    expect((within(pools).getByRole('checkbox', { name: 'Sales' }) as HTMLInputElement).checked).toBe(true);
    expect((within(pools).getByRole('checkbox', { name: 'Default' }) as HTMLInputElement).checked).toBe(false);
    fireEvent.input(within(form).getByLabelText('Name'), { target: { value: 'Ines Duarte' } });
    fireEvent.click(within(form).getByRole('button', { name: 'Create rep' }));
    await waitFor(() =>
      expect(api.post).toHaveBeenCalledWith('/api/reps', expect.objectContaining({ name: 'Ines Duarte', pools: ['sales'] })),
    );
  });

  it('lists each rep’s pools and edits them', async () => {
    api.patch.mockResolvedValueOnce({ rep: rep({ pools: ['default', 'sales'] }) });
    render(<ManagerView model={model} />);
    openTab(/^Reps/);
    const row = (id: string) => document.querySelector(`li[data-rep-id="${id}"]`) as HTMLElement;
    expect(within(row('rep_2')).getByTestId('rep-pools').textContent).toBe('Pools: DefaultSales');
    expect(within(row('rep_1')).getByTestId('rep-pools').textContent).toBe('Pools: Default');
    fireEvent.click(screen.getByRole('button', { name: 'Edit Maya Chen' }));
    const form = screen.getByRole('form', { name: 'Edit Maya Chen' });
    fireEvent.click(within(form).getByRole('checkbox', { name: 'Sales' }));
    fireEvent.click(within(form).getByRole('button', { name: 'Save' }));
    await waitFor(() =>
      expect(api.patch).toHaveBeenCalledWith('/api/reps/rep_1', expect.objectContaining({ pools: ['default', 'sales'] })),
    );
    await waitFor(() => expect(within(row('rep_1')).getByTestId('rep-pools').textContent).toBe('Pools: DefaultSales'));
  });

  it('with one pool the rep form has no pool choice and sends none (v1)', async () => {
    model.applyDashboard(dashboard());
    render(<ManagerView model={model} />);
    openTab(/^Reps/);
    expect(screen.queryByRole('group', { name: 'Pools' })).toBeNull();
    expect(screen.queryByTestId('rep-pools')).toBeNull();
  });
});
