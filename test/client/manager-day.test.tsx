// @vitest-environment happy-dom
// The manager's day (issue #12): rep links, lead sources, a mode switch that says what it
// does, live figures that agree with the lists, warnings, who released a lead, rep chips,
// rules placeholders, the token kept for new tabs, messages in the header.
import { cleanup, fireEvent, render, screen, waitFor, within } from '@testing-library/preact';
import { afterEach, beforeEach, describe, expect, it, vi } from 'vitest';
import { ManagerView } from '../../client/src/components/ManagerView';
import { now } from '../../client/src/lib/clock';
import { modeSwitchImpact } from '../../client/src/lib/modeImpact';
import { forgetToken, takeToken } from '../../client/src/lib/token';
import { createManagerModel, type ManagerModel } from '../../client/src/state/managerModel';
import type { Feed, Lead } from '../../shared/protocol';
import { connected, dashboard, fakeHttp, fullLead, liveStats, rep } from './fixtures';

let api: ReturnType<typeof fakeHttp>;
let model: ManagerModel;
beforeEach(() => {
  api = fakeHttp();
  model = createManagerModel(api.http, connected());
  model.applyDashboard(dashboard());
});
afterEach(() => {
  cleanup();
  now.value = Date.now();
  localStorage.clear();
  sessionStorage.clear();
});

const ago = (ms: number) => new Date(Date.now() - ms).toISOString();
const openTab = (name: RegExp) => fireEvent.click(screen.getByRole('tab', { name }));
const tile = (name: string) => screen.getByTestId(`tile-${name}`).textContent ?? '';
const listCount = (name: RegExp) => Number(within(screen.getByRole('button', { name })).getByText(/^\d+$/).textContent);

describe('rep links', () => {
  it('every new rep’s link stays copyable until dismissed, also across tabs; a new link for a rep asks first', async () => {
    api.post
      .mockResolvedValueOnce({ rep: rep({ id: 'rep_8', name: 'Ada Quinn' }), token: 'lpr_ada' })
      .mockResolvedValueOnce({ rep: rep({ id: 'rep_9', name: 'Ben Ortiz' }), token: 'lpr_ben' });
    render(<ManagerView model={model} origin="https://leads.example" />);
    openTab(/^Reps/);
    for (const name of ['Ada Quinn', 'Ben Ortiz']) {
      fireEvent.input(screen.getByLabelText('Name'), { target: { value: name } });
      fireEvent.click(screen.getByRole('button', { name: 'Create rep' }));
      await screen.findByRole('textbox', { name: `Link for ${name}` });
    }
    const links = () => screen.getAllByTestId('rep-link').map((i) => (i as HTMLInputElement).value);
    expect(links()).toEqual(['https://leads.example/rep#token=lpr_ben', 'https://leads.example/rep#token=lpr_ada']);
    expect(screen.getAllByRole('button', { name: 'Copy link' })).toHaveLength(2);
    openTab(/^Live/);
    openTab(/^Reps/);
    expect(links()).toHaveLength(2);
    fireEvent.click(screen.getByRole('button', { name: 'Done with the link for Ben Ortiz' }));
    await waitFor(() => expect(links()).toEqual(['https://leads.example/rep#token=lpr_ada']));

    api.post.mockResolvedValueOnce({ rep: rep(), token: 'lpr_maya_2' });
    fireEvent.click(screen.getByRole('button', { name: 'New link for Maya Chen' }));
    expect(screen.getByText(/Maya Chen’s current link stops working at once and their open pages close/)).toBeTruthy();
    expect(api.post).toHaveBeenCalledTimes(2);
    fireEvent.click(screen.getByRole('button', { name: 'Confirm new link' }));
    await waitFor(() => expect(api.post).toHaveBeenCalledWith('/api/reps/rep_1/token', {}));
    const row = document.querySelector('li[data-rep-id="rep_1"]') as HTMLElement;
    const box = await within(row).findByTestId('rep-link-box');
    expect(box.textContent).toContain('the old one no longer works');
    expect((within(box).getByTestId('rep-link') as HTMLInputElement).value).toBe('https://leads.example/rep#token=lpr_maya_2');
  });
});

describe('lead sources', () => {
  it('each feed key shows how its source sends leads: a copyable curl example and the URL of each pool', async () => {
    const feed: Feed = { id: 'feed_1', name: 'Website form', pools: ['default'], createdAt: new Date().toISOString() };
    api.get.mockImplementation(async (path: string) => (path === '/api/feeds' ? { feeds: [feed] } : { reps: [] }));
    render(<ManagerView model={model} origin="https://leads.example" />);
    openTab(/^Feeds/);
    await screen.findByText('Website form');
    const row = document.querySelector('li[data-feed-id="feed_1"]') as HTMLElement;
    fireEvent.click(within(row).getByText('How this source sends leads'));
    const curl = within(row).getByTestId('feed-row-curl').textContent ?? '';
    expect(curl).toContain('curl -X POST https://leads.example/api/pools/default/leads');
    expect(curl).toContain('Authorization: Bearer $LEADPOOL_KEY');
    expect(within(row).getByRole('button', { name: 'Copy example' })).toBeTruthy();
    expect(within(row).getByText('https://leads.example/api/pools/default/leads')).toBeTruthy();
  });
});

describe('a mode switch says what it will do, and asks', () => {
  it('to round-robin with leads waiting: how many are assigned now, to how many available reps; Cancel changes nothing', async () => {
    render(<ManagerView model={model} />);
    const select = screen.getByRole('combobox', { name: 'Mode' }) as HTMLSelectElement;
    fireEvent.change(select, { target: { value: 'round-robin' } });
    const dialog = await screen.findByRole('dialog', { name: 'Switch to Round-robin?' });
    expect(dialog.textContent).toContain(
      'Switching the pool to round-robin assigns the 2 waiting leads now, in turn, to the 1 available rep',
    );
    expect(document.activeElement?.textContent).toBe('Cancel');
    expect(select.value).toBe('shark-tank');
    fireEvent.keyDown(dialog, { key: 'Escape' });
    await waitFor(() => expect(screen.queryByRole('dialog')).toBeNull());
    expect(api.put).not.toHaveBeenCalled();
    expect(select.value).toBe('shark-tank');
  });

  it('a switch that changes nothing for the waiting leads goes through at once', async () => {
    render(<ManagerView model={model} />);
    fireEvent.change(screen.getByRole('combobox', { name: 'Mode' }), { target: { value: 'cherry-pick' } });
    await waitFor(() => expect(api.put).toHaveBeenCalledWith('/api/pools/default/mode', { mode: 'cherry-pick' }));
    expect(screen.queryByRole('dialog')).toBeNull();
  });

  it('modeSwitchImpact, case by case', () => {
    const ctx = { waiting: 4, availableReps: 3, rules: 0 };
    expect(modeSwitchImpact('shark-tank', 'round-robin', ctx)).toBe(
      'Switching the pool to round-robin assigns the 4 waiting leads now, in turn, to the 3 available reps (up to their caps). Reps can no longer claim or pull.',
    );
    expect(modeSwitchImpact('shark-tank', 'round-robin', { ...ctx, availableReps: 0, poolName: 'Sales' })).toMatch(
      /^Switching Sales to round-robin assigns the 4 waiting leads in turn as soon as a rep is available \(none is now\)/,
    );
    expect(modeSwitchImpact('cherry-pick', 'round-robin', { ...ctx, waiting: 0 })).toMatch(/assigns new leads in turn/);
    expect(modeSwitchImpact('shark-tank', 'hybrid', ctx)).toMatch(/has no routing rules yet, so every lead is offered to every rep/);
    expect(modeSwitchImpact('shark-tank', 'hybrid', { ...ctx, rules: 2, waiting: 1 })).toMatch(
      /offers the waiting lead only to the reps the 2 rules/,
    );
    expect(modeSwitchImpact('shark-tank', 'hybrid', { ...ctx, rules: 2, waiting: 0 })).toBeNull();
    expect(modeSwitchImpact('cherry-pick', 'blind-pull', ctx)).toMatch(/hides the 4 waiting leads from reps/);
    expect(modeSwitchImpact('cherry-pick', 'blind-pull', { ...ctx, waiting: 0 })).toBeNull();
    expect(modeSwitchImpact('blind-pull', 'shark-tank', ctx)).toMatch(/offers the 4 waiting leads to every rep of the pool at once/);
    expect(modeSwitchImpact('shark-tank', 'cherry-pick', ctx)).toBeNull();
    expect(modeSwitchImpact('hybrid', 'hybrid', ctx)).toBeNull();
  });
});

describe('live figures agree with the lists', () => {
  const claimedBy = (l: Lead, repId: string): Lead => ({ ...l, status: 'claimed', claimedBy: repId, claimedAt: new Date().toISOString() });

  it('the shown pool’s lists are read in full, and the tiles count them', async () => {
    const open = [fullLead('o1', { createdAt: ago(90_000) }), fullLead('o2'), fullLead('o3')];
    const claimed = [claimedBy(fullLead('c1'), 'rep_1')];
    api.get.mockImplementation(async (path: string) =>
      path.startsWith('/api/leads?poolId=default&status=open')
        ? { leads: open }
        : path.startsWith('/api/leads?poolId=default&status=claimed')
          ? { leads: claimed }
          : { reps: [] },
    );
    model.applyDashboard(dashboard());
    render(<ManagerView model={model} />);
    expect(api.get).toHaveBeenCalledWith('/api/leads?poolId=default&status=open&limit=1000');
    expect(api.get).toHaveBeenCalledWith('/api/leads?poolId=default&status=claimed&limit=1000');
    // The snapshot had l1, l2 (open) and l3 (claimed); the server's lists say otherwise.
    await waitFor(() => expect(listCount(/^Waiting/)).toBe(3));
    expect(tile('waiting-leads')).toMatch(/^Waiting leads3oldest 1m 3\ds$/);
    expect(listCount(/^Being worked/)).toBe(1);
    expect(tile('being-worked')).toMatch(/^Being worked1/);
  });

  it('after a switch to round-robin the tiles follow the assignments, whatever stale stats say', async () => {
    const four = ['a', 'b', 'c', 'd'].map((id) => fullLead(id));
    const three = ['x', 'y', 'z'].map((id) => claimedBy(fullLead(id), 'rep_1'));
    model.applyDashboard(dashboard({ open: four, recent: three, stats: liveStats({ open: 4, claimed: 3 }) }));
    render(<ManagerView model={model} />);
    expect(tile('waiting-leads')).toMatch(/^Waiting leads4/);
    expect(tile('being-worked')).toMatch(/^Being worked3/);
    model.modeChanged({ mode: 'round-robin', poolId: 'default' });
    for (const l of four) model.leadClaimed(claimedBy(l, 'rep_2'));
    // The stats pushed before the assignments still say 4 waiting, 3 being worked.
    model.statsChanged(liveStats({ open: 4, claimed: 3 }));
    await waitFor(() => expect(tile('waiting-leads')).toMatch(/^Waiting leads0none waiting$/));
    expect(tile('being-worked')).toMatch(/^Being worked7/);
    expect(listCount(/^Waiting/)).toBe(0);
    expect(listCount(/^Being worked/)).toBe(7);
  });

  it('the oldest wait ticks', async () => {
    model.applyDashboard(dashboard({ open: [fullLead('o1', { createdAt: ago(30_000) })], recent: [] }));
    render(<ManagerView model={model} />);
    expect(tile('waiting-leads')).toMatch(/oldest 3\ds$/);
    now.value = Date.now() + 60_000;
    await waitFor(() => expect(tile('waiting-leads')).toMatch(/oldest 1m 3\ds$/));
  });
});

describe('assignment and the live feed', () => {
  it('assigning to an offline rep warns; to an available one it does not', async () => {
    render(<ManagerView model={model} />);
    const row = document.querySelector('tr[data-lead-id="l1"]') as HTMLElement;
    const select = within(row).getByRole('combobox');
    fireEvent.change(select, { target: { value: 'rep_3' } });
    expect(within(row).getByText('Sam Okafor is offline: nobody works the lead until they open Leadpool again.')).toBeTruthy();
    expect(within(row).getByRole('button', { name: 'Assign anyway' })).toBeTruthy();
    fireEvent.change(select, { target: { value: 'rep_1' } });
    await waitFor(() => expect(within(row).queryByText(/is offline/)).toBeNull());
    expect(within(row).getByRole('button', { name: 'Assign' })).toBeTruthy();
  });

  it('the live feed says who released a lead and why', async () => {
    render(<ManagerView model={model} />);
    const open = (id: string) => fullLead(id, { company: `Released ${id}` });
    model.leadReleased({ ...open('r1'), releasedBy: { role: 'rep', repId: 'rep_1' }, reason: 'rep', previousOwner: 'rep_1' });
    model.leadReleased({ ...open('r2'), releasedBy: { role: 'manager' }, reason: 'manager', previousOwner: 'rep_2' });
    model.leadReleased({ ...open('r3'), releasedBy: { role: 'system' }, reason: 'expired', previousOwner: 'rep_1' });
    model.leadReleased({ ...open('r4'), releasedBy: { role: 'manager' }, reason: 'removed', previousOwner: 'rep_2' });
    model.leadReleased({ ...open('r5'), releasedBy: { role: 'manager' }, reason: 'removed', previousOwner: 'rep_gone' });
    // Jonas is removed after it happened: the feed keeps his name.
    model.repsChanged({ reps: model.reps.value.filter((r) => r.id !== 'rep_2') });
    const feed = screen.getByRole('region', { name: 'Live feed' });
    const item = (company: string) => within(feed).getByText(company).closest('li')?.textContent;
    await waitFor(() => expect(item('Released r1')).toContain('by Maya Chen'));
    await waitFor(() => expect(item('Released r2')).toContain('by a manager, from Jonas Weber'));
    expect(item('Released r3')).toContain('claim timed out (Maya Chen)');
    expect(item('Released r4')).toContain('Jonas Weber was removed');
    expect(item('Released r5')).toContain('its rep was removed');
    // The lead itself is stored without the extra fields.
    expect(model.leads.value.get('r1')).not.toHaveProperty('releasedBy');
  });
});

describe('reps, rules, phone-sized panels', () => {
  it('skills, languages, countries and teams look different from each other and say what they are', () => {
    model.repsChanged({
      reps: [rep({ skills: ['enterprise'], languages: ['de'], countries: ['AT'], teams: ['dach'] })],
    });
    render(<ManagerView model={model} />);
    openTab(/^Reps/);
    const row = document.querySelector('li[data-rep-id="rep_1"]') as HTMLElement;
    const chip = (kind: string) => row.querySelector(`.chip-${kind}`);
    expect(chip('skill')?.textContent).toBe('skillSkill: enterprise');
    expect(chip('lang')?.textContent).toBe('langLanguage: de');
    expect(chip('country')?.textContent).toBe('ctryCountry: AT');
    expect(chip('team')?.textContent).toBe('teamTeam: dach');
  });

  it('the rules editor’s placeholders read as examples, not values', () => {
    render(<ManagerView model={model} />);
    openTab(/^Rules/);
    fireEvent.click(screen.getByRole('button', { name: 'Add rule' }));
    for (const label of ['Country', 'Language', 'Industry', 'Source', 'Tags', 'Teams', 'Skills', 'Languages', 'Countries']) {
      expect((screen.getByLabelText(label) as HTMLInputElement).placeholder, label).toMatch(/^e\.g\. /);
    }
  });
});

describe('the manager’s token and messages', () => {
  it('is kept in localStorage (a new tab works without pasting it), and Sign out forgets it', () => {
    history.replaceState(null, '', '/manager#token=lpm_secret');
    expect(takeToken('manager')).toBe('lpm_secret');
    expect(location.hash).toBe('');
    expect(localStorage.getItem('leadpool.token.manager')).toBe('lpm_secret');
    // Another tab: no fragment, same origin.
    expect(takeToken('manager')).toBe('lpm_secret');
    // A rep's token stays in its tab.
    history.replaceState(null, '', '/rep#token=lpr_tab');
    expect(takeToken('rep')).toBe('lpr_tab');
    expect(localStorage.getItem('leadpool.token.rep')).toBeNull();
    forgetToken('manager');
    expect(takeToken('manager')).toBeNull();
  });

  it('Sign out is in the header; messages are in the header’s line, not over the page', async () => {
    const signOut = vi.fn();
    render(<ManagerView model={model} onSignOut={signOut} />);
    fireEvent.click(screen.getByRole('button', { name: 'Sign out' }));
    expect(signOut).toHaveBeenCalled();
    model.notices.push('success', 'Assigned to Maya Chen');
    const notice = await screen.findByText('Assigned to Maya Chen');
    expect(notice.closest('header.topbar')).toBeTruthy();
  });
});
