import type { Signal } from '@preact/signals';
import type { ConnectionState } from '../lib/socket';

const LABEL: Record<ConnectionState, string> = {
  connecting: 'Connecting…',
  connected: 'Connected',
  reconnecting: 'Reconnecting…',
  offline: 'Offline',
};

/** Always-visible connection state. */
export function ConnectionStatus({ state }: { state: Signal<ConnectionState> }) {
  const s = state.value;
  return (
    <span class={`conn conn-${s}`} role="status" aria-label={`Connection: ${LABEL[s]}`} data-state={s}>
      <span class="conn-dot" aria-hidden="true" />
      {LABEL[s]}
    </span>
  );
}
