// @vitest-environment happy-dom
import { cleanup, fireEvent, render, screen, waitFor, within } from '@testing-library/preact';
import { afterEach, beforeEach, describe, expect, it, vi } from 'vitest';
import { ManagerView } from '../../client/src/components/ManagerView';
import { parseRulesJson } from '../../client/src/components/RulesEditor';
import { draftToPatch } from '../../client/src/components/SettingsForm';
import { type Http, HttpError } from '../../client/src/lib/http';
import { createManagerModel, type ManagerModel } from '../../client/src/state/managerModel';
import { connected, dashboard, fullLead, rep } from './fixtures';

/**
 * A fake API: mocks that record each call (GET /api/reps lists nobody, PUT answers its
 * body, the rest `{}`, DELETE nothing), and `http`, the Http the model gets, which
 * answers whatever the mocks resolve to.
 */
function fakeHttp() {
  const mocks = {
    get: vi.fn(async (path: string): Promise<unknown> => (path === '/api/reps' ? { reps: [] } : {})),
    post: vi.fn(async (_p: string, _b?: unknown): Promise<unknown> => ({})),
    put: vi.fn(async (_p: string, b?: unknown): Promise<unknown> => b),
    patch: vi.fn(async (_p: string, _b?: unknown): Promise<unknown> => ({})),
    del: vi.fn(async (_p: string): Promise<unknown> => undefined),
  };
  const http: Http = {
    get: <T,>(...args: [string]) => mocks.get(...args) as Promise<T>,
    post: <T,>(...args: [string, unknown?]) => mocks.post(...args) as Promise<T>,
    put: <T,>(...args: [string, unknown?]) => mocks.put(...args) as Promise<T>,
    patch: <T,>(...args: [string, unknown?]) => mocks.patch(...args) as Promise<T>,
    del: <T,>(...args: [string]) => mocks.del(...args) as Promise<T>,
  };
  return { ...mocks, http };
}

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
  it('has a select labelled Mode that sets the mode through PUT /api/pool/mode', async () => {
    render(<ManagerView model={model} />);
    const select = screen.getByRole('combobox', { name: 'Mode' }) as HTMLSelectElement;
    expect(select.value).toBe('shark-tank');
    fireEvent.change(select, { target: { value: 'blind-pull' } });
    await waitFor(() => expect(api.put).toHaveBeenCalledWith('/api/pool/mode', { mode: 'blind-pull' }));
    await waitFor(() => expect((screen.getByRole('combobox', { name: 'Mode' }) as HTMLSelectElement).value).toBe('blind-pull'));
  });

  it('shows the HTTP error message and keeps the mode when the change fails', async () => {
    api.put.mockRejectedValueOnce(new HttpError(503, 'STORE_UNAVAILABLE', 'the store cannot be reached; nothing was changed'));
    render(<ManagerView model={model} />);
    const select = screen.getByRole('combobox', { name: 'Mode' }) as HTMLSelectElement;
    fireEvent.change(select, { target: { value: 'hybrid' } });
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

  it('updates live from events: presence, new lead, claim (and refreshes counts)', async () => {
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
      expect(api.get).toHaveBeenCalledWith('/api/reps');
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
    fireEvent.click(within(row).getByRole('button', { name: 'Assign' }));
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

  it('saves settings through PATCH /api/pool/settings', async () => {
    api.patch.mockImplementationOnce(async (_p, body) => ({ settings: { ...model.settings.value!, ...(body as object) } }));
    render(<ManagerView model={model} />);
    openTab(/^Settings/);
    fireEvent.input(screen.getByLabelText('Max open leads per rep'), { target: { value: '5' } });
    fireEvent.input(screen.getByLabelText('Claim timeout (s)'), { target: { value: '90' } });
    fireEvent.click(screen.getByRole('button', { name: 'Save settings' }));
    await waitFor(() => expect(api.patch).toHaveBeenCalled());
    const [path, body] = api.patch.mock.calls[0];
    expect(path).toBe('/api/pool/settings');
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
    expect(api.put).toHaveBeenCalledWith('/api/rules', {
      rules: [{ name: 'Rule 1', when: { country: ['Germany'] }, to: { teams: ['dach'] } }],
    });

    fireEvent.click(screen.getByRole('checkbox', { name: 'Edit as JSON' }));
    fireEvent.input(screen.getByLabelText('Rules (JSON)'), { target: { value: '[{"name": "x"' } });
    fireEvent.click(screen.getByRole('button', { name: 'Save rules' }));
    expect(await screen.findByText(/Not valid JSON/)).toBeTruthy();
  });

  it('loads the reports summary', async () => {
    api.get.mockImplementation(async (path: string) =>
      path === '/api/reports/summary'
        ? {
            generatedAt: new Date().toISOString(),
            leads: { total: 10, open: 2, claimed: 3, closed: 5, disqualified: 0 },
            speedToClaimMs: { count: 8, median: 3000, p90: 9000, mean: 4000 },
            perRep: [
              {
                repId: 'rep_1',
                name: 'Maya Chen',
                claimed: 8,
                active: 3,
                outcomes: { contacted: 1, won: 3, lost: 1, unreachable: 0 },
                medianSpeedToClaimMs: 3000,
              },
            ],
            fairness: { jainIndex: 1, maxShare: 1 },
            outcomes: { contacted: 1, won: 3, lost: 1, unreachable: 0 },
          }
        : { reps: [] },
    );
    render(<ManagerView model={model} />);
    openTab(/^Reports/);
    const panel = await screen.findByRole('region', { name: 'Reports' });
    await waitFor(() => expect(within(panel).getByText('1.00')).toBeTruthy());
    expect(within(panel).getByRole('cell', { name: 'Maya Chen' })).toBeTruthy();
  });

  it('tabs are keyboard operable (arrow keys)', async () => {
    render(<ManagerView model={model} />);
    const live = screen.getByRole('tab', { name: 'Live' });
    fireEvent.keyDown(live, { key: 'ArrowRight' });
    await waitFor(() => expect(screen.getByRole('tab', { name: /^Reps/ }).getAttribute('aria-selected')).toBe('true'));
    fireEvent.keyDown(screen.getByRole('tab', { name: /^Reps/ }), { key: 'End' });
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
