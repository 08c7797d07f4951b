// @vitest-environment happy-dom
// The web app's side of distribution v2 (docs/web-app.md): the "No lead stranded" settings,
// the dashboard's lead alerts (lead:stranded, lead:overdue), the Overdue badge in the
// waiting list and the rep's pool, and the notice when a snapshot lost the rep's leads.
import { cleanup, fireEvent, render, screen, waitFor, within } from '@testing-library/preact';
import { afterEach, describe, expect, it } from 'vitest';
import { ManagerView } from '../../client/src/components/ManagerView';
import { RepView } from '../../client/src/components/RepView';
import { draftToPatch } from '../../client/src/components/SettingsForm';
import { createManagerModel } from '../../client/src/state/managerModel';
import { createRepModel } from '../../client/src/state/repModel';
import { DEFAULT_SETTINGS } from '../../shared/protocol';
import { connected, dashboard, fakeEmitter, fakeHttp, fullLead, poolOverview, poolState, view } from './fixtures';

afterEach(cleanup);

const twoPools = () => {
  const api = fakeHttp();
  const model = createManagerModel(api.http, connected());
  model.applyDashboard(dashboard({ pools: [poolOverview(), poolOverview({ id: 'night', name: 'Night shift' })] }));
  return { api, model };
};

describe('distribution v2 in the web app', () => {
  it('settings: when nobody is available (fallback pools listed), reclaim delay and SLA, saved as one patch', async () => {
    const { api, model } = twoPools();
    api.patch.mockImplementationOnce(async (_p, body) => ({ settings: { ...model.settings.value!, ...(body as object) } }));
    render(<ManagerView model={model} />);
    fireEvent.click(screen.getByRole('tab', { name: /^Settings/ }));
    const select = screen.getByRole('combobox', { name: 'When nobody available may take a lead' }) as HTMLSelectElement;
    expect(select.value).toBe('everyone');
    expect([...select.options].map((o) => o.text)).toEqual([
      'Offer it to every available rep',
      'Wait (managers are alerted)',
      'Move it to Night shift',
    ]);
    fireEvent.change(select, { target: { value: 'pool:night' } });
    fireEvent.input(screen.getByLabelText('Reclaim after away or offline (s)'), { target: { value: '300' } });
    fireEvent.input(screen.getByLabelText('Lead SLA (s)'), { target: { value: '60' } });
    fireEvent.click(screen.getByRole('button', { name: 'Save settings' }));
    await waitFor(() => expect(api.patch).toHaveBeenCalled());
    expect(api.patch.mock.calls[0][1]).toMatchObject({
      whenNobodyEligible: { pool: 'night' },
      reclaimAfterOfflineMs: 300_000,
      slaMs: 60_000,
    });
  });

  it('draftToPatch: empty delays are off, wait stays wait', () => {
    const { patch, errors } = draftToPatch({
      maxActivePerRep: '10',
      teaserFields: [],
      requireFields: [],
      countries: '',
      minVisits: '',
      minSecondsOnSite: '',
      whenNobodyEligible: 'wait',
      reclaimAfterOffline: '',
      sla: '-1',
    });
    expect(patch).toMatchObject({ whenNobodyEligible: 'wait', reclaimAfterOfflineMs: null });
    expect(errors.sla).toBeTruthy();
  });

  it('dashboard: stranded and overdue leads raise alerts (once each, dismissable); the waiting list flags overdue leads', async () => {
    const { model } = twoPools();
    render(<ManagerView model={model} />);
    const lead = { ...fullLead('l1'), overdueAt: new Date().toISOString() };
    model.leadOverdue({ leadId: 'l1', poolId: 'default', overdueAt: lead.overdueAt, lead });
    model.leadOverdue({ leadId: 'l1', poolId: 'default', overdueAt: lead.overdueAt, lead });
    const moved = { ...fullLead('l2'), poolId: 'night' };
    model.leadStranded({ leadId: 'l2', poolId: 'default', action: 'moved', toPoolId: 'night', lead: moved });
    const alerts = await screen.findByRole('list', { name: 'Stranded and overdue leads' });
    expect(within(alerts).getAllByRole('listitem')).toHaveLength(2);
    expect(alerts.textContent).toContain('Nobody available for a lead in Default: moved to Night shift');
    expect(alerts.textContent).toContain('A lead in Default is overdue');
    const waiting = screen.getByRole('table', { name: 'Waiting leads' });
    expect(within(waiting).getByText('Overdue')).toBeTruthy();
    fireEvent.click(within(alerts).getAllByRole('button', { name: /^Dismiss/ })[0]);
    await waitFor(() => expect(within(alerts).getAllByRole('listitem')).toHaveLength(1));
  });

  it('rep: an overdue lead carries the badge in the pool; a snapshot without a held lead says it went back', () => {
    const model = createRepModel(fakeEmitter(), connected());
    const a = { ...fullLead('a'), overdueAt: new Date().toISOString() };
    model.applyPoolState(poolState('cherry-pick', [a, fullLead('b')]));
    render(<RepView model={model} />);
    expect(screen.getAllByText('Overdue')).toHaveLength(1);
    model.offered({ ...view(fullLead('b'), 'cherry-pick'), overdueAt: new Date().toISOString() });
    return waitFor(() => expect(screen.getAllByText('Overdue')).toHaveLength(2)).then(() => {
      const held = fullLead('h', { status: 'claimed', claimedBy: 'rep_1', claimedAt: new Date().toISOString(), company: 'Held Co' });
      model.applyPoolState(poolState('cherry-pick', [], [held]));
      model.applyPoolState(poolState('cherry-pick', [], []));
      expect(model.notices.list.value.map((n) => n.text)).toContain('Held Co went back to the pool while you were away');
    });
  });

  it('settings form defaults follow DEFAULT_SETTINGS', () => {
    expect(DEFAULT_SETTINGS).toMatchObject({ whenNobodyEligible: 'everyone', reclaimAfterOfflineMs: null, slaMs: null });
  });
});
