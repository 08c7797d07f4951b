// @vitest-environment happy-dom
// The rep's day (issue #12): alerts for every lead that reaches the rep, races only the
// rep took part in, notes and Undo, Recent, time made visible, long pools, mode notices,
// phone shortcuts, a refused link.
import { cleanup, fireEvent, render, screen, waitFor, within } from '@testing-library/preact';
import { afterEach, beforeEach, describe, expect, it, vi } from 'vitest';
import { AlertsMenu } from '../../client/src/components/AlertsMenu';
import { RepView } from '../../client/src/components/RepView';
import { COMPACT_AFTER, PAGE_SIZE } from '../../client/src/components/SharkTank';
import {
  alertPrefs,
  audioState,
  loadAlertPrefs,
  raiseAlert,
  requestNotifications,
  resetAlertsForTests,
  setAlertPrefs,
  trackTitle,
  unlockAudioOnGesture,
} from '../../client/src/lib/alerts';
import { now } from '../../client/src/lib/clock';
import { type Arrival, createRepModel, type RepModel } from '../../client/src/state/repModel';
import { EV } from '../../shared/events';
import { connected, type FakeEmitter, fakeEmitter, fullLead, poolState, rep, view } from './fixtures';

let emitter: FakeEmitter;
let model: RepModel;
let arrivals: Arrival[];
beforeEach(() => {
  emitter = fakeEmitter();
  arrivals = [];
  model = createRepModel(emitter, connected(), { onArrival: (a) => arrivals.push(a), storage: null });
});
afterEach(() => {
  cleanup();
  vi.useRealTimers();
  now.value = Date.now();
  vi.unstubAllGlobals();
  localStorage.clear();
  resetAlertsForTests();
});

const ago = (ms: number) => new Date(Date.now() - ms).toISOString();
const claimButtons = () => screen.queryAllByRole('button', { name: 'Claim' });

describe('an alert for every lead that reaches the rep', () => {
  it('offers in shark-tank, cherry-pick and hybrid, a blind-pull lead waiting, and every assignment alert; mine:changed does not', () => {
    model.applyPoolState(poolState('shark-tank', []));
    model.applyPoolState(poolState('cherry-pick', [], [], { poolId: 'pick', poolName: 'Pick' }));
    model.applyPoolState(poolState('hybrid', [], [], { poolId: 'hy', poolName: 'Hybrid pool' }));
    model.applyPoolState(poolState('blind-pull', [], [], { poolId: 'bp', poolName: 'Blind' }));
    model.applyPoolState(poolState('round-robin', [], [], { poolId: 'rr', poolName: 'Turns' }));
    model.offered(view(fullLead('s1'), 'shark-tank'));
    model.offered(view(fullLead('c1', { poolId: 'pick' }), 'cherry-pick'));
    model.offered(view(fullLead('h1', { poolId: 'hy' }), 'hybrid'));
    model.waitingChanged({ poolId: 'bp', waiting: 1, oldestAgeMs: 0 });
    // A round-robin push and a manager's assignment arrive the same way: lead:assigned.
    model.assigned(fullLead('r1', { poolId: 'rr', status: 'claimed', claimedBy: 'rep_1' }));
    model.assigned(fullLead('m1', { status: 'claimed', claimedBy: 'rep_1' }));
    // Not arrivals: the same offer again, fewer waiting, the rep's own claim in another tab.
    model.offered(view(fullLead('s1'), 'shark-tank'));
    model.waitingChanged({ poolId: 'bp', waiting: 0, oldestAgeMs: null });
    model.mineChanged({ leadId: 'x', poolId: 'default', lead: fullLead('x', { status: 'claimed' }) });
    expect(arrivals.map((a) => [a.kind, a.poolId])).toEqual([
      ['offer', 'default'],
      ['offer', 'pick'],
      ['offer', 'hy'],
      ['offer', 'bp'],
      ['assigned', 'rr'],
      ['assigned', 'default'],
    ]);
    expect(arrivals[4]).toMatchObject({ title: 'Lead assigned to you', body: 'Person r1 · Turns', tag: 'r1' });
  });

  describe('sound, notification and the title, as the rep chose', () => {
    let notifications: { title: string; body?: string }[];
    let beeps: number;
    beforeEach(() => {
      notifications = [];
      beeps = 0;
      class FakeNotification {
        static permission = 'granted';
        static requestPermission = async () => 'granted';
        onclick: (() => void) | null = null;
        constructor(title: string, opts?: { body?: string }) {
          notifications.push({ title, body: opts?.body });
        }
        close() {}
      }
      class FakeAudioContext {
        state = 'suspended';
        currentTime = 0;
        destination = {};
        async resume() {
          this.state = 'running';
        }
        createOscillator() {
          const param = { setValueAtTime() {}, exponentialRampToValueAtTime() {} };
          return {
            type: '',
            frequency: param,
            connect: (g: unknown) => g,
            start: () => {
              beeps += 1;
            },
            stop() {},
          };
        }
        createGain() {
          const param = { setValueAtTime() {}, exponentialRampToValueAtTime() {} };
          return { gain: param, connect: (d: unknown) => d };
        }
      }
      vi.stubGlobal('Notification', FakeNotification);
      vi.stubGlobal('AudioContext', FakeAudioContext);
      Object.defineProperty(document, 'visibilityState', { configurable: true, get: () => 'hidden' });
      resetAlertsForTests();
    });
    afterEach(() => {
      Reflect.deleteProperty(document, 'visibilityState');
    });

    it('beeps, notifies and counts in the title; nothing for a kind the rep turned off; no sound when muted', async () => {
      const stop = unlockAudioOnGesture();
      fireEvent.pointerDown(window);
      await waitFor(() => expect(audioState.value).toBe('ready'));
      stop();
      const untrack = trackTitle('Leadpool — Rep');
      expect(raiseAlert('offer', 'New lead in the pool', 'Software · DE', 'l2')).toEqual({ sound: true, notification: true, title: true });
      expect(document.title).toBe('(1) Leadpool — Rep');
      expect(notifications.at(-1)).toEqual({ title: 'New lead in the pool', body: 'Software · DE' });

      setAlertPrefs({ offers: false });
      expect(raiseAlert('offer', 'New lead', 'x', 'l3')).toEqual({ sound: false, notification: false, title: false });
      expect(raiseAlert('assigned', 'Lead assigned to you', 'y', 'l4').notification).toBe(true);
      setAlertPrefs({ sound: false });
      const before = beeps;
      expect(raiseAlert('assigned', 'Lead assigned to you', 'z', 'l5').sound).toBe(false);
      expect(beeps).toBe(before);
      untrack();
    });

    it('keeps each rep’s choices in localStorage', () => {
      loadAlertPrefs('rep_1');
      setAlertPrefs({ offers: false, sound: false });
      expect(JSON.parse(localStorage.getItem('leadpool.alerts.rep_1')!)).toEqual({ offers: false, assigned: true, sound: false });
      loadAlertPrefs('rep_2');
      expect(alertPrefs.value).toEqual({ offers: true, assigned: true, sound: true });
      loadAlertPrefs('rep_1');
      expect(alertPrefs.value).toEqual({ offers: false, assigned: true, sound: false });
    });

    it('the Alerts menu: which alerts, sound, and permission asked from a click', async () => {
      (Notification as unknown as { permission: string }).permission = 'default';
      resetAlertsForTests();
      const ask = vi.spyOn(Notification, 'requestPermission');
      render(<AlertsMenu />);
      fireEvent.click(screen.getByRole('button', { name: /Alerts/ }));
      const panel = screen.getByRole('group', { name: 'Alerts' });
      fireEvent.click(within(panel).getByRole('checkbox', { name: 'Leads assigned to me' }));
      expect(alertPrefs.value.assigned).toBe(false);
      fireEvent.click(within(panel).getByRole('checkbox', { name: 'Sound' }));
      expect(alertPrefs.value.sound).toBe(false);
      expect(ask).not.toHaveBeenCalled();
      fireEvent.click(within(panel).getByRole('button', { name: 'Allow desktop notifications' }));
      await waitFor(() => expect(ask).toHaveBeenCalledTimes(1));
      expect(await within(panel).findByText(/Desktop notifications are on/)).toBeTruthy();
    });
  });

  it('explains a browser that blocks notifications, and one without them', async () => {
    vi.stubGlobal(
      'Notification',
      Object.assign(() => {}, { permission: 'denied', requestPermission: async () => 'denied' }),
    );
    resetAlertsForTests();
    render(<AlertsMenu />);
    fireEvent.click(screen.getByRole('button', { name: /Alerts/ }));
    expect(screen.getByTestId('notifications-blocked').textContent).toMatch(
      /blocks notifications from this site.*site settings.*Allow.*reload/,
    );
    cleanup();
    vi.unstubAllGlobals();
    Reflect.deleteProperty(window, 'Notification');
    resetAlertsForTests();
    render(<AlertsMenu />);
    fireEvent.click(screen.getByRole('button', { name: /Alerts/ }));
    expect(screen.getByText(/This browser cannot show desktop notifications/)).toBeTruthy();
    await requestNotifications();
  });
});

describe('"Taken by another rep" only for the rep’s own race', () => {
  const leads = [fullLead('a'), fullLead('b', { industry: 'Fintech' })];

  it('a bystander sees the lead leave quietly; the rep who clicked Claim and lost is told', async () => {
    model.applyPoolState(poolState('cherry-pick', leads));
    let answer: (a: { ok: false; error: { code: 'ALREADY_CLAIMED'; message: string } }) => void = () => {};
    emitter.request = async (event, payload) => {
      emitter.calls.push({ event, payload });
      return new Promise((resolve) => {
        answer = resolve as typeof answer;
      });
    };
    render(<RepView model={model} />);
    model.gone({ leadId: 'b', poolId: 'default', reason: 'claimed' });
    await waitFor(() => expect(claimButtons()).toHaveLength(1));
    expect(screen.queryByText('Taken by another rep')).toBeNull();
    expect(screen.getByTestId('live-region').textContent).not.toContain('Taken');

    fireEvent.click(claimButtons()[0]);
    // The lead:gone of the winner's claim arrives before this rep's ack.
    model.gone({ leadId: 'a', poolId: 'default', reason: 'claimed' });
    expect(await screen.findByText('Taken by another rep')).toBeTruthy();
    answer({ ok: false, error: { code: 'ALREADY_CLAIMED', message: 'taken' } });
    await waitFor(() => expect(claimButtons()).toHaveLength(0));
  });

  it('focus on a lead’s Claim button is being on it; a withdrawn lead is never "taken"', async () => {
    model.applyPoolState(poolState('shark-tank', leads));
    render(<RepView model={model} />);
    const card = document.querySelector('[data-lead-id="a"]')!;
    fireEvent.focusIn(within(card as HTMLElement).getByRole('button', { name: 'Claim' }));
    model.gone({ leadId: 'a', poolId: 'default', reason: 'withdrawn' });
    await waitFor(() => expect(claimButtons()).toHaveLength(1));
    expect(screen.queryByText('Taken by another rep')).toBeNull();
    fireEvent.pointerEnter(document.querySelector('[data-lead-id="b"]')!);
    fireEvent.pointerLeave(document.querySelector('[data-lead-id="b"]')!);
    model.gone({ leadId: 'b', poolId: 'default', reason: 'assigned' });
    await waitFor(() => expect(claimButtons()).toHaveLength(0));
    expect(screen.queryByText('Taken by another rep')).toBeNull();
  });

  it('messages sit in the header’s message line, never over the page', async () => {
    model.applyPoolState(poolState('shark-tank', leads));
    emitter.answer(EV.claim, { ok: false, error: { code: 'ALREADY_CLAIMED', message: 'taken' } });
    render(<RepView model={model} />);
    fireEvent.click(claimButtons()[0]);
    const notice = await screen.findByText('Taken by another rep');
    expect(notice.closest('header.topbar')).toBeTruthy();
    expect(notice.closest('main')).toBeNull();
  });
});

describe('working a lead: a note, Undo, Recent', () => {
  const mine = () => screen.getByRole('article', { name: 'Person a' });
  const answerOutcomes = () =>
    emitter.answer(EV.outcome, ({ leadId, outcome, note }) => ({
      ok: true,
      lead: fullLead(leadId, {
        status: outcome === 'contacted' ? 'claimed' : 'closed',
        outcome,
        ...(note ? { outcomeNote: note } : {}),
        ...(outcome === 'contacted' ? {} : { closedAt: new Date().toISOString() }),
      }),
    }));

  it('Won waits 5 s with Undo: Undo sends nothing; the next Won goes out with the note and lands in Recent', async () => {
    vi.useFakeTimers({ shouldAdvanceTime: true });
    model = createRepModel(emitter, connected(), { loadRecent: async () => [], storage: null });
    model.applyPoolState(poolState('shark-tank', [], [fullLead('a', { status: 'claimed' })]));
    answerOutcomes();
    await model.loadRecent();
    render(<RepView model={model} />);
    fireEvent.input(within(mine()).getByRole('textbox', { name: 'Note' }), { target: { value: 'Signed the pilot' } });
    fireEvent.click(within(mine()).getByRole('button', { name: 'Won' }));
    const closing = await within(mine()).findByTestId('closing');
    expect(closing.textContent).toMatch(/Won — recorded in 5 s/);
    expect(closing.textContent).toContain('Signed the pilot');
    await vi.advanceTimersByTimeAsync(2000);
    now.value = Date.now();
    await waitFor(() => expect(within(mine()).getByTestId('closing').textContent).toMatch(/recorded in 3 s/));
    fireEvent.click(within(mine()).getByRole('button', { name: /Undo Won/ }));
    await vi.advanceTimersByTimeAsync(6000);
    expect(emitter.calls).toEqual([]);
    // The lead and its note are still there.
    expect((within(mine()).getByRole('textbox', { name: 'Note' }) as HTMLTextAreaElement).value).toBe('Signed the pilot');

    fireEvent.click(within(mine()).getByRole('button', { name: 'Won' }));
    await vi.advanceTimersByTimeAsync(4900);
    expect(emitter.calls).toEqual([]);
    await vi.advanceTimersByTimeAsync(200);
    expect(emitter.calls).toEqual([{ event: EV.outcome, payload: { leadId: 'a', outcome: 'won', note: 'Signed the pilot' } }]);
    await waitFor(() => expect(screen.queryByRole('article', { name: 'Person a' })).toBeNull());
    const recent = screen.getByRole('region', { name: 'Recent' });
    expect(within(recent).getByText('Person a')).toBeTruthy();
    expect(within(recent).getByText('Won')).toBeTruthy();
    expect(within(recent).getByText('“Signed the pilot”')).toBeTruthy();
  });

  it('Contacted goes out at once with its note; the card shows it; the claim timeout stops', async () => {
    model.applyPoolState(
      poolState('shark-tank', [], [fullLead('a', { status: 'claimed', claimedAt: ago(60_000) })], {
        claimTimeoutMs: 300_000,
      }),
    );
    answerOutcomes();
    render(<RepView model={model} />);
    expect(within(mine()).getByTestId('claim-countdown').textContent).toMatch(/Back to the pool in (4m 0\d|3m 5\d)s/);
    fireEvent.input(within(mine()).getByRole('textbox', { name: 'Note' }), { target: { value: 'Call back Tuesday' } });
    fireEvent.click(within(mine()).getByRole('button', { name: 'Contacted' }));
    await waitFor(() => expect(within(mine()).getByText('— “Call back Tuesday”')).toBeTruthy());
    expect(emitter.calls[0].payload).toEqual({ leadId: 'a', outcome: 'contacted', note: 'Call back Tuesday' });
    expect(within(mine()).queryByTestId('claim-countdown')).toBeNull();
    expect((within(mine()).getByRole('textbox', { name: 'Note' }) as HTMLTextAreaElement).value).toBe('');
  });

  it('offline when the Undo period ends: sent once the connection is back', async () => {
    vi.useFakeTimers({ shouldAdvanceTime: true });
    const conn = connected();
    model = createRepModel(emitter, conn, { outcomeGraceMs: 1000, storage: null });
    model.applyPoolState(poolState('shark-tank', [], [fullLead('a', { status: 'claimed' })]));
    answerOutcomes();
    render(<RepView model={model} />);
    fireEvent.click(within(mine()).getByRole('button', { name: 'Lost' }));
    conn.value = 'reconnecting';
    await vi.advanceTimersByTimeAsync(1500);
    expect(emitter.calls).toEqual([]);
    expect(within(mine()).getByTestId('closing').textContent).toMatch(/once the connection is back/);
    conn.value = 'connected';
    await waitFor(() => expect(emitter.calls).toHaveLength(1));
    expect(emitter.calls[0].payload).toEqual({ leadId: 'a', outcome: 'lost' });
  });

  it('closing the page during the Undo period sends the outcome; a lead taken back meanwhile sends nothing', async () => {
    model = createRepModel(emitter, connected(), { outcomeGraceMs: 60_000, storage: null });
    model.applyPoolState(poolState('shark-tank', [], [fullLead('a', { status: 'claimed' }), fullLead('b', { status: 'claimed' })]));
    answerOutcomes();
    model.chooseOutcome('a', 'unreachable');
    model.chooseOutcome('b', 'won');
    model.revoked({ leadId: 'b', poolId: 'default', reason: 'released' });
    model.flushOutcomes();
    await waitFor(() => expect(emitter.calls).toHaveLength(1));
    expect(emitter.calls[0].payload).toEqual({ leadId: 'a', outcome: 'unreachable' });
  });

  it('Recent lists the closed leads of the last days with outcome and note; a failure can be retried', async () => {
    let fail = true;
    const closed = [
      fullLead('old', { status: 'closed', outcome: 'lost', closedAt: ago(8 * 86_400_000) }),
      fullLead('r1', { status: 'closed', outcome: 'unreachable', closedAt: ago(3 * 3_600_000), outcomeNote: 'No answer twice' }),
      fullLead('r2', { status: 'closed', outcome: 'won', closedAt: ago(60_000) }),
    ];
    model = createRepModel(emitter, connected(), {
      storage: null,
      loadRecent: async () => {
        if (fail) throw new Error('404');
        return closed;
      },
    });
    model.applyPoolState(poolState('shark-tank', []));
    await model.loadRecent();
    render(<RepView model={model} />);
    const recent = screen.getByRole('region', { name: 'Recent' });
    fail = false;
    fireEvent.click(within(recent).getByRole('button', { name: 'Try again' }));
    await waitFor(() => expect(within(recent).getAllByRole('listitem')).toHaveLength(2));
    const [first, second] = within(recent).getAllByRole('listitem');
    expect(first.textContent).toContain('Person r2');
    expect(first.textContent).toContain('Won');
    expect(second.textContent).toContain('Unreachable');
    expect(second.textContent).toContain('“No answer twice”');
    expect(recent.textContent).not.toContain('Person old');
  });
});

describe('time made visible', () => {
  it('a countdown on a held lead when its pool has a claim timeout, none otherwise', () => {
    model.applyPoolState(
      poolState('shark-tank', [], [fullLead('a', { status: 'claimed', claimedAt: ago(250_000) })], {
        claimTimeoutMs: 300_000,
      }),
    );
    model.applyPoolState(
      poolState('shark-tank', [], [fullLead('b', { poolId: 'other', status: 'claimed', claimedAt: ago(10_000) })], {
        poolId: 'other',
        poolName: 'Other',
      }),
    );
    render(<RepView model={model} />);
    const a = screen.getByRole('article', { name: 'Person a' });
    const countdown = within(a).getByTestId('claim-countdown');
    expect(countdown.textContent).toMatch(/Back to the pool in (4\d|50)s unless you record an outcome/);
    expect(countdown.className).toContain('countdown-soon');
    expect(within(screen.getByRole('article', { name: 'Person b' })).queryByTestId('claim-countdown')).toBeNull();
  });

  it('the "New" badge shows for a minute after arrival', () => {
    model.applyPoolState(
      poolState('shark-tank', [fullLead('fresh', { createdAt: ago(5_000) }), fullLead('stale', { createdAt: ago(70_000) })]),
    );
    render(<RepView model={model} />);
    expect(within(document.querySelector('[data-lead-id="fresh"]') as HTMLElement).queryByText('New lead')).toBeTruthy();
    expect(within(document.querySelector('[data-lead-id="stale"]') as HTMLElement).queryByText('New lead')).toBeNull();
  });

  it('a long pool: compact rows a page at a time, newest or oldest first', async () => {
    const many = Array.from({ length: 500 }, (_, i) =>
      fullLead(`l${String(i).padStart(3, '0')}`, { createdAt: ago((500 - i) * 1000), industry: `Industry ${i}` }),
    );
    model.applyPoolState(poolState('shark-tank', many));
    render(<RepView model={model} />);
    expect(500).toBeGreaterThan(COMPACT_AFTER);
    expect(document.querySelectorAll('.shark-card')).toHaveLength(0);
    expect(document.querySelectorAll('.shark-row')).toHaveLength(PAGE_SIZE);
    expect(document.querySelectorAll('main *').length).toBeLessThan(2000);
    // Newest first by default.
    expect(document.querySelector('.shark-row')!.getAttribute('data-lead-id')).toBe('l499');
    fireEvent.click(screen.getByRole('button', { name: 'Show 50 more' }));
    await waitFor(() => expect(document.querySelectorAll('.shark-row')).toHaveLength(PAGE_SIZE * 2));
    fireEvent.click(screen.getByRole('button', { name: 'Oldest first' }));
    await waitFor(() => expect(document.querySelector('.shark-row')!.getAttribute('data-lead-id')).toBe('l000'));
    expect(model.orderOf('default')).toBe('oldest');
    // 50 quick arrivals stay a page long.
    for (let i = 0; i < 50; i++) model.offered(view(fullLead(`n${i}`), 'shark-tank'));
    await waitFor(() => expect(screen.getByTestId('pool-count').textContent).toBe('550 open'));
    expect(document.querySelectorAll('.shark-row').length).toBeLessThanOrEqual(PAGE_SIZE * 2);
  });

  it('a long cherry-pick table shows a page of rows; the order toggle sorts by arrival', async () => {
    const many = Array.from({ length: 120 }, (_, i) => fullLead(`t${i}`, { createdAt: ago((120 - i) * 1000), company: `Co ${i}` }));
    model.applyPoolState(poolState('cherry-pick', many));
    render(<RepView model={model} />);
    const rows = () => within(screen.getByRole('table')).getAllByRole('row').slice(1);
    expect(rows()).toHaveLength(PAGE_SIZE);
    expect(rows()[0].textContent).toContain('Co 0');
    fireEvent.click(screen.getByRole('button', { name: 'Newest first' }));
    await waitFor(() => expect(rows()[0].textContent).toContain('Co 119'));
  });
});

describe('mode changes, phones, a refused link', () => {
  it('a mode switch is a notice, not only the header pill, and the section says it just changed', async () => {
    model.applyPoolState(poolState('shark-tank', [fullLead('a')]));
    render(<RepView model={model} />);
    model.modeChanged({ mode: 'round-robin', poolId: 'default' });
    expect(
      await within(screen.getByTestId('notices')).findByText(/The pool switched to Round-robin: leads are assigned to you in turn/),
    ).toBeTruthy();
    expect(screen.getByText('Mode just changed')).toBeTruthy();
    // The snapshot that follows does not say it twice.
    model.applyPoolState(poolState('round-robin', []));
    expect(model.notices.list.value.filter((n) => n.text.includes('switched'))).toHaveLength(1);
  });

  it('a switch seen only in a snapshot (another node was faster) is announced too', async () => {
    model.applyPoolState(poolState('cherry-pick', [], [], { poolId: 'sales', poolName: 'Sales', you: rep({ pools: ['sales'] }) }));
    render(<RepView model={model} />);
    model.applyPoolState(poolState('blind-pull', [], [], { poolId: 'sales', poolName: 'Sales', you: rep({ pools: ['sales'] }) }));
    expect(await within(screen.getByTestId('notices')).findByText(/Sales switched to Blind pull/)).toBeTruthy();
  });

  it('the rep’s name and mode are in the header, and My leads is one link away', () => {
    model.applyPoolState(poolState('shark-tank', [fullLead('a')], [fullLead('m', { status: 'claimed' })]));
    render(<RepView model={model} />);
    expect(document.querySelector('.topbar .who')?.textContent).toBe('Maya Chen');
    expect(document.querySelector('.topbar .pill-mode')?.textContent).toContain('Shark tank');
    const jump = screen.getByRole('link', { name: 'My leads 1' });
    expect(jump.getAttribute('href')).toBe('#mine');
    expect(document.getElementById('mine')?.getAttribute('aria-labelledby')).toBe('mine-title');
  });

  it('a removed or wrong link says so and stops there (no "Loading the pool…" for ever)', () => {
    render(<RepView model={model} authError="unauthorized" />);
    expect(screen.getByRole('alert').textContent).toMatch(/This link is no longer valid.*Ask your manager for a new link/);
    expect(screen.queryByText('Loading the pool…')).toBeNull();
    expect(screen.queryByRole('region', { name: 'My leads' })).toBeNull();
    expect(screen.queryByRole('switch', { name: 'Available' })).toBeNull();
  });
});
