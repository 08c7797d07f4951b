import { enableAlerts, notificationPermission, soundOn } from '../lib/alerts';

/** Turns on sound and desktop notifications (permission is asked from this click). */
export function AlertsToggle() {
  const perm = notificationPermission.value;
  const needsPermission = perm === 'default';
  return (
    <div class="alerts-toggle">
      {needsPermission ? (
        <button type="button" class="btn btn-sm btn-ghost" onClick={() => void enableAlerts()}>
          Enable alerts
        </button>
      ) : (
        <label class="check">
          <input
            type="checkbox"
            checked={soundOn.value}
            onChange={(e) => {
              soundOn.value = e.currentTarget.checked;
              void enableAlerts();
            }}
          />
          Sound
        </label>
      )}
    </div>
  );
}
