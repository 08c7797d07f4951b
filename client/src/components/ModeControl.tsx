import { useState } from 'preact/hooks';
import { MODES, type Mode } from '../../../shared/protocol';

export const MODE_INFO: Record<Mode, { label: string; hint: string }> = {
  'shark-tank': { label: 'Shark tank', hint: 'Every rep sees a teaser of each new lead; first to claim wins.' },
  'cherry-pick': { label: 'Cherry-pick', hint: 'Reps browse the open pool (no contact details) and pick.' },
  'blind-pull': { label: 'Blind pull', hint: 'Reps see only counts and pull the oldest lead.' },
  hybrid: { label: 'Hybrid', hint: 'Rules route each lead to a group of reps; optional escalation to all.' },
  'round-robin': { label: 'Round-robin', hint: 'Leads are assigned in turn to available reps.' },
};

/** The pool mode, as a <select> labelled "Mode". */
export function ModeControl({ mode, disabled, onChange }: { mode: Mode | null; disabled?: boolean; onChange(m: Mode): Promise<boolean> }) {
  const [busy, setBusy] = useState(false);
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
        onChange={async (e) => {
          const next = e.currentTarget.value as Mode;
          const select = e.currentTarget;
          setBusy(true);
          const ok = await onChange(next);
          setBusy(false);
          if (!ok && mode) select.value = mode;
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
    </div>
  );
}
