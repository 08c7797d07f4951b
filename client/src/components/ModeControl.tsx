import { useState } from 'preact/hooks';
import { MODES, type Mode } from '../../../shared/protocol';
import { ConfirmDialog } from './ConfirmDialog';

export const MODE_INFO: Record<Mode, { label: string; hint: string }> = {
  'shark-tank': { label: 'Shark tank', hint: 'Every rep sees a teaser of each new lead; first to claim wins.' },
  'cherry-pick': { label: 'Cherry-pick', hint: 'Reps browse the open pool (no contact details) and pick.' },
  'blind-pull': { label: 'Blind pull', hint: 'Reps see only counts and pull the oldest lead.' },
  hybrid: { label: 'Hybrid', hint: 'Rules route each lead to a group of reps; optional escalation to all.' },
  'round-robin': { label: 'Round-robin', hint: 'Leads are assigned in turn to available reps.' },
};

/**
 * The pool mode, as a <select> labelled "Mode". When a switch would do something worth
 * weighing (`impact` says what: leads assigned, hidden or offered), it asks first.
 */
export function ModeControl({
  mode,
  disabled,
  onChange,
  impact,
}: {
  mode: Mode | null;
  disabled?: boolean;
  onChange(m: Mode): Promise<boolean>;
  impact?(next: Mode): string | null;
}) {
  const [busy, setBusy] = useState(false);
  const [asking, setAsking] = useState<{ next: Mode; text: string } | null>(null);
  const change = async (next: Mode) => {
    setBusy(true);
    await onChange(next);
    setBusy(false);
  };
  return (
    <div class="mode-control">
      <label class="mode-label" for="mode-select">
        Mode
      </label>
      <select
        id="mode-select"
        value={mode ?? ''}
        disabled={disabled || busy || !mode}
        aria-describedby="mode-hint"
        onChange={(e) => {
          const next = e.currentTarget.value as Mode;
          // The select shows the mode in force until the switch is done (or confirmed).
          if (mode) e.currentTarget.value = mode;
          const text = impact?.(next) ?? null;
          if (text) setAsking({ next, text });
          else void change(next);
        }}
      >
        {MODES.map((m) => (
          <option key={m} value={m}>
            {MODE_INFO[m].label}
          </option>
        ))}
      </select>
      <span id="mode-hint" class="muted small mode-hint">
        {mode ? MODE_INFO[mode].hint : ''}
      </span>
      {asking && (
        <ConfirmDialog
          title={`Switch to ${MODE_INFO[asking.next].label}?`}
          confirmLabel={`Switch to ${MODE_INFO[asking.next].label}`}
          onCancel={() => setAsking(null)}
          onConfirm={() => {
            const { next } = asking;
            setAsking(null);
            void change(next);
          }}
        >
          <p>{asking.text}</p>
          <p class="muted small">{MODE_INFO[asking.next].hint}</p>
        </ConfirmDialog>
      )}
    </div>
  );
}
