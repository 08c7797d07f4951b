// A rep's alerts without assets: a short WebAudio beep, a browser notification when the
// tab is not in front, and a counter in the tab's title. Each rep chooses which arrivals
// alert (leads offered to it, leads assigned to it) and whether there is sound; the
// choice is kept in localStorage per rep. Notification permission is only ever asked
// from a click (requestNotifications), and audio starts only after a gesture (browsers
// block both otherwise).
import { signal } from '@preact/signals';

type Permission = 'default' | 'granted' | 'denied' | 'unsupported';
/** `locked`: the browser allows sound only after a click or key press on the page. */
type AudioState = 'locked' | 'ready' | 'unsupported';
/** What reached the rep: a lead it may take (offered, or waiting in blind-pull), or one that is now its own. */
export type AlertKind = 'offer' | 'assigned';

export interface AlertPrefs {
  /** New leads on offer (shark-tank, cherry-pick, hybrid; a blind-pull lead waiting). */
  offers: boolean;
  /** Leads assigned to this rep (round-robin, a manager's assignment). */
  assigned: boolean;
  sound: boolean;
}

export const DEFAULT_ALERT_PREFS: AlertPrefs = { offers: true, assigned: true, sound: true };

const notificationSupported = () => typeof window !== 'undefined' && 'Notification' in window;
const readPermission = (): Permission => (notificationSupported() ? (Notification.permission as Permission) : 'unsupported');

export const notificationPermission = signal<Permission>(readPermission());
export const audioState = signal<AudioState>('locked');
export const alertPrefs = signal<AlertPrefs>({ ...DEFAULT_ALERT_PREFS });

let prefsKey = 'leadpool.alerts';
const store = (): Storage | null => {
  try {
    return typeof localStorage === 'undefined' ? null : localStorage;
  } catch {
    return null;
  }
};

/** Loads the choices of `repId` (each rep on a shared computer keeps its own). */
export function loadAlertPrefs(repId: string): AlertPrefs {
  prefsKey = `leadpool.alerts.${repId}`;
  let saved: Partial<AlertPrefs> = {};
  try {
    const raw = store()?.getItem(prefsKey);
    if (raw) saved = JSON.parse(raw) as Partial<AlertPrefs>;
  } catch {
    saved = {};
  }
  const next = { ...DEFAULT_ALERT_PREFS };
  for (const k of Object.keys(next) as (keyof AlertPrefs)[]) if (typeof saved[k] === 'boolean') next[k] = saved[k];
  alertPrefs.value = next;
  return next;
}

export function setAlertPrefs(patch: Partial<AlertPrefs>): void {
  alertPrefs.value = { ...alertPrefs.value, ...patch };
  try {
    store()?.setItem(prefsKey, JSON.stringify(alertPrefs.value));
  } catch {
    /* storage disabled: the choice lasts for this page */
  }
}

let audio: AudioContext | null = null;

function audioContext(): AudioContext | null {
  if (audio) return audio;
  const Ctor =
    typeof window !== 'undefined'
      ? (window.AudioContext ?? (window as unknown as { webkitAudioContext?: typeof AudioContext }).webkitAudioContext)
      : undefined;
  if (!Ctor) {
    audioState.value = 'unsupported';
    return null;
  }
  try {
    audio = new Ctor();
  } catch {
    audio = null;
    audioState.value = 'unsupported';
  }
  return audio;
}

async function unlockAudio(): Promise<void> {
  const ctx = audioContext();
  if (!ctx) return;
  if (ctx.state === 'suspended') await ctx.resume().catch(() => {});
  audioState.value = ctx.state === 'running' ? 'ready' : 'locked';
}

/** Call from a click: asks for notification permission (and unlocks audio). */
export async function requestNotifications(): Promise<void> {
  void unlockAudio();
  if (!notificationSupported()) return;
  if (Notification.permission === 'default') {
    const result = await Promise.resolve(Notification.requestPermission()).catch(() => 'denied' as const);
    notificationPermission.value = result as Permission;
  } else {
    notificationPermission.value = readPermission();
  }
}

/** Any click or key press on the page unlocks audio (browsers block sound until a gesture). */
export function unlockAudioOnGesture(): () => void {
  if (typeof window === 'undefined') return () => {};
  const unlock = () => {
    void unlockAudio().then(() => {
      if (audioState.value === 'ready') remove();
    });
  };
  const remove = () => {
    window.removeEventListener('pointerdown', unlock, true);
    window.removeEventListener('keydown', unlock, true);
  };
  window.addEventListener('pointerdown', unlock, true);
  window.addEventListener('keydown', unlock, true);
  // The permission may change in the browser's settings while the page is open.
  const recheck = () => {
    notificationPermission.value = readPermission();
  };
  document.addEventListener('visibilitychange', recheck);
  return () => {
    remove();
    document.removeEventListener('visibilitychange', recheck);
  };
}

/** Plays the two-tone beep; false when the browser does not allow sound yet. */
export function beep(): boolean {
  const ctx = audio; // never create a context outside a gesture
  if (ctx?.state !== 'running') return false;
  const t = ctx.currentTime;
  const osc = ctx.createOscillator();
  const gain = ctx.createGain();
  osc.type = 'sine';
  osc.frequency.setValueAtTime(880, t);
  osc.frequency.setValueAtTime(1320, t + 0.09);
  gain.gain.setValueAtTime(0.0001, t);
  gain.gain.exponentialRampToValueAtTime(0.18, t + 0.01);
  gain.gain.exponentialRampToValueAtTime(0.0001, t + 0.22);
  osc.connect(gain).connect(ctx.destination);
  osc.start(t);
  osc.stop(t + 0.25);
  return true;
}

/** Whether the rep is looking elsewhere (another tab, another window): then a notification helps. */
const inBackground = () =>
  typeof document !== 'undefined' &&
  (document.visibilityState === 'hidden' || (typeof document.hasFocus === 'function' && !document.hasFocus()));

/** A desktop notification, when allowed and the tab is not in front; false when none was shown. */
export function notify(title: string, body: string, tag: string): boolean {
  if (!inBackground()) return false;
  if (!notificationSupported() || Notification.permission !== 'granted') return false;
  try {
    const n = new Notification(title, { body, tag });
    n.onclick = () => {
      window.focus();
      n.close();
    };
    return true;
  } catch {
    /* some platforms only allow notifications from a service worker */
    return false;
  }
}

// ---- the tab's title counts arrivals while the rep looks elsewhere ------------------------

let baseTitle = '';
let unseen = 0;

/** Sets the title the counter prefixes, and resets the counter whenever the tab is looked at again. */
export function trackTitle(title: string): () => void {
  baseTitle = title;
  unseen = 0;
  if (typeof document === 'undefined') return () => {};
  document.title = title;
  const seen = () => {
    if (document.visibilityState === 'visible') {
      unseen = 0;
      document.title = baseTitle;
    }
  };
  document.addEventListener('visibilitychange', seen);
  window.addEventListener('focus', seen);
  return () => {
    document.removeEventListener('visibilitychange', seen);
    window.removeEventListener('focus', seen);
  };
}

export interface RaisedAlert {
  sound: boolean;
  notification: boolean;
  title: boolean;
}

/**
 * A lead reached the rep: beep, notify and count in the title as the rep chose for this
 * kind of arrival. Returns what fired (nothing when the rep turned this kind off).
 */
export function raiseAlert(kind: AlertKind, title: string, body: string, tag: string): RaisedAlert {
  const prefs = alertPrefs.value;
  const on = kind === 'offer' ? prefs.offers : prefs.assigned;
  const raised: RaisedAlert = { sound: false, notification: false, title: false };
  if (!on) return raised;
  if (typeof document !== 'undefined' && inBackground() && baseTitle) {
    unseen += 1;
    document.title = `(${unseen}) ${baseTitle}`;
    raised.title = true;
  }
  if (prefs.sound) raised.sound = beep();
  raised.notification = notify(title, body, tag);
  return raised;
}

/** For tests: forget the audio context and the title counter. */
export function resetAlertsForTests(): void {
  audio = null;
  unseen = 0;
  baseTitle = '';
  audioState.value = 'locked';
  notificationPermission.value = readPermission();
  alertPrefs.value = { ...DEFAULT_ALERT_PREFS };
  prefsKey = 'leadpool.alerts';
}

/** For the sound test button: unlock (this is a click) and beep once. */
export async function testSound(): Promise<boolean> {
  await unlockAudio();
  return beep();
}
