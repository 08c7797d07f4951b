// New-lead alerts without assets: a short WebAudio beep, and a browser Notification when
// the tab is hidden. Permission is only ever asked from a user gesture (enableAlerts).
import { signal } from '@preact/signals';

type Permission = 'default' | 'granted' | 'denied' | 'unsupported';

const notificationSupported = () => typeof window !== 'undefined' && 'Notification' in window;
export const notificationPermission = signal<Permission>(notificationSupported() ? (Notification.permission as Permission) : 'unsupported');
export const soundOn = signal(true);

let audio: AudioContext | null = null;

function audioContext(): AudioContext | null {
  if (audio) return audio;
  const Ctor =
    typeof window !== 'undefined'
      ? (window.AudioContext ?? (window as unknown as { webkitAudioContext?: typeof AudioContext }).webkitAudioContext)
      : undefined;
  if (!Ctor) return null;
  try {
    audio = new Ctor();
  } catch {
    audio = null;
  }
  return audio;
}

/** Call from a click: unlocks audio and asks for notification permission. */
export async function enableAlerts(): Promise<void> {
  const ctx = audioContext();
  if (ctx && ctx.state === 'suspended') await ctx.resume().catch(() => {});
  if (notificationSupported() && Notification.permission === 'default') {
    const result = await Notification.requestPermission().catch(() => 'denied' as const);
    notificationPermission.value = result as Permission;
  }
}

/** Any click on the page unlocks audio (browsers block sound until a gesture). */
export function unlockAudioOnGesture(): void {
  if (typeof window === 'undefined') return;
  const unlock = () => {
    const ctx = audioContext();
    if (ctx && ctx.state === 'suspended') void ctx.resume().catch(() => {});
  };
  window.addEventListener('pointerdown', unlock, { once: true, capture: true });
  window.addEventListener('keydown', unlock, { once: true, capture: true });
}

export function beep(): void {
  if (!soundOn.value) return;
  const ctx = audio; // never create a context outside a gesture
  if (ctx?.state !== 'running') return;
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
}

export function notifyIfHidden(title: string, body: string, tag: string): void {
  if (typeof document === 'undefined' || document.visibilityState !== 'hidden') return;
  if (!notificationSupported() || Notification.permission !== 'granted') return;
  try {
    const n = new Notification(title, { body, tag });
    n.onclick = () => {
      window.focus();
      n.close();
    };
  } catch {
    /* some platforms only allow notifications from a service worker */
  }
}
