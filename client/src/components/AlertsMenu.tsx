import { useEffect, useRef, useState } from 'preact/hooks';
import { alertPrefs, audioState, notificationPermission, requestNotifications, setAlertPrefs, testSound } from '../lib/alerts';

/** A bell (struck through when the sound is off): no icon font, no emoji font needed. */
function BellIcon({ muted }: { muted: boolean }) {
  return (
    <svg class="icon" width="16" height="16" viewBox="0 0 16 16" aria-hidden="true" focusable="false">
      <path d="M8 1.5a4 4 0 0 0-4 4v2.7L2.7 10.5v1h10.6v-1L12 8.2V5.5a4 4 0 0 0-4-4Zm-1.6 11.2a1.6 1.6 0 0 0 3.2 0Z" fill="currentColor" />
      {muted && <path d="M2 2l12 12" stroke="currentColor" stroke-width="1.6" stroke-linecap="round" />}
    </svg>
  );
}

/** What the browser allows, in words, and what the rep can do about it. */
function NotificationStatus() {
  const perm = notificationPermission.value;
  if (perm === 'granted') {
    return <p class="small">Desktop notifications are on: they show while this tab is in the background.</p>;
  }
  if (perm === 'default') {
    return (
      <div class="stack-sm">
        <p class="small">Desktop notifications are off: allow them to hear of leads while you work in another tab.</p>
        <button type="button" class="btn btn-sm btn-primary" onClick={() => void requestNotifications()}>
          Allow desktop notifications
        </button>
      </div>
    );
  }
  if (perm === 'denied') {
    return (
      <p class="small alerts-blocked" data-testid="notifications-blocked">
        <strong>Your browser blocks notifications from this site.</strong> To allow them, open the site settings (the icon left of the
        address), set Notifications to Allow, then reload this page. Sound and the tab title still alert you meanwhile.
      </p>
    );
  }
  return (
    <p class="small alerts-blocked">
      This browser cannot show desktop notifications. Sound and the count in the tab title still alert you.
    </p>
  );
}

/** The rep's alert choices: which arrivals alert, sound, and desktop notifications (permission asked from a click). */
export function AlertsMenu() {
  const [open, setOpen] = useState(false);
  const root = useRef<HTMLDivElement>(null);
  const prefs = alertPrefs.value;
  const perm = notificationPermission.value;
  const attention = perm === 'default' || perm === 'denied' || (!prefs.offers && !prefs.assigned);
  useEffect(() => {
    if (!open) return;
    const close = (e: Event) => {
      if (e instanceof KeyboardEvent ? e.key === 'Escape' : !root.current?.contains(e.target as Node)) setOpen(false);
    };
    document.addEventListener('pointerdown', close);
    document.addEventListener('keydown', close);
    return () => {
      document.removeEventListener('pointerdown', close);
      document.removeEventListener('keydown', close);
    };
  }, [open]);
  return (
    <div class="alerts-menu" ref={root}>
      <button
        type="button"
        class={`btn btn-sm btn-ghost${attention ? ' alerts-attention' : ''}`}
        aria-expanded={open}
        aria-controls="alerts-panel"
        onClick={() => setOpen(!open)}
      >
        <BellIcon muted={!prefs.sound} /> Alerts
      </button>
      {open && (
        <div class="alerts-panel" id="alerts-panel" role="group" aria-label="Alerts">
          <fieldset>
            <legend>Alert me for</legend>
            <label class="check">
              <input type="checkbox" checked={prefs.offers} onChange={(e) => setAlertPrefs({ offers: e.currentTarget.checked })} />
              New leads on offer
            </label>
            <label class="check">
              <input type="checkbox" checked={prefs.assigned} onChange={(e) => setAlertPrefs({ assigned: e.currentTarget.checked })} />
              Leads assigned to me
            </label>
          </fieldset>
          <div class="row-tight">
            <label class="check">
              <input
                type="checkbox"
                checked={prefs.sound}
                onChange={(e) => {
                  setAlertPrefs({ sound: e.currentTarget.checked });
                  if (e.currentTarget.checked) void testSound();
                }}
              />
              Sound
            </label>
            <button type="button" class="btn btn-sm btn-ghost" disabled={!prefs.sound} onClick={() => void testSound()}>
              Test sound
            </button>
          </div>
          {prefs.sound && audioState.value === 'unsupported' && <p class="small alerts-blocked">This browser cannot play sounds.</p>}
          <NotificationStatus />
          <p class="muted small">Kept in this browser for you.</p>
        </div>
      )}
    </div>
  );
}
