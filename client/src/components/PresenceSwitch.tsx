import { useState } from 'preact/hooks';
import type { Presence, PresenceStatus } from '../../../shared/protocol';

/** Available / away, as a switch (presence:set). */
export function PresenceSwitch({
  presence,
  disabled,
  onChange,
}: {
  presence: Presence | undefined;
  disabled?: boolean;
  onChange(status: PresenceStatus): Promise<unknown>;
}) {
  const [busy, setBusy] = useState(false);
  const available = presence === 'available';
  const toggle = async () => {
    setBusy(true);
    try {
      await onChange(available ? 'away' : 'available');
    } finally {
      setBusy(false);
    }
  };
  return (
    <button
      type="button"
      role="switch"
      aria-checked={available}
      class={`switch ${available ? 'switch-on' : ''}`}
      disabled={disabled || busy}
      onClick={toggle}
    >
      <span class="switch-track" aria-hidden="true">
        <span class="switch-thumb" />
      </span>
      <span class="switch-label">Available</span>
      <span class="switch-state" aria-hidden="true">
        {available ? '' : presence === 'off-shift' ? '(off shift)' : '(away)'}
      </span>
    </button>
  );
}
