import { LEAD_OFFERING_MODES, type Mode } from '../../../shared/protocol';
import type { RepModel } from '../state/repModel';
import { BlindPull } from './BlindPull';
import { PoolTable } from './PoolTable';
import { RoundRobinNote } from './RoundRobinNote';
import { SharkTank } from './SharkTank';

const TITLES: Record<Mode, string> = {
  'shark-tank': 'Shark tank',
  'cherry-pick': 'Cherry-pick',
  'blind-pull': 'Blind pull',
  hybrid: 'Your pool',
  'round-robin': 'Round-robin',
};

const HINTS: Record<Mode, string> = {
  'shark-tank': 'First to claim wins. Details unlock once a lead is yours.',
  'cherry-pick': 'Pick the leads that suit you. Contact details unlock once claimed.',
  'blind-pull': 'Take the next lead in line; details unlock once it is yours.',
  hybrid: 'Leads routed to you by your team’s rules.',
  'round-robin': 'Leads are handed out in turn.',
};

/** The pool as the current mode dictates. */
export function RepPool({ model }: { model: RepModel }) {
  const mode = model.mode.value;
  const disabled = !model.live.value;
  if (!mode) {
    return (
      <section class="panel" aria-busy="true">
        <p class="muted pad">Loading the pool…</p>
      </section>
    );
  }
  // Keyboard and screen-reader users land on the lead they just claimed (its button is gone).
  const focusMine = (id?: string) =>
    requestAnimationFrame(() => {
      const el = id
        ? document.querySelector<HTMLElement>(`.mine-card[data-lead-id="${CSS.escape(id)}"]`)
        : document.querySelector<HTMLElement>('.mine-card');
      el?.focus();
    });
  const claim = async (id: string) => {
    if (await model.claim(id)) focusMine(id);
  };
  return (
    <section class="panel" aria-labelledby="pool-title" data-mode={mode}>
      <div class="panel-head">
        <div>
          <h2 id="pool-title">{TITLES[mode]}</h2>
          <p class="muted small">{HINTS[mode]}</p>
        </div>
        {LEAD_OFFERING_MODES.includes(mode) && (
          <span class="pill" data-testid="pool-count">
            {model.leads.value.length} open
          </span>
        )}
      </div>
      {mode === 'shark-tank' && <SharkTank leads={model.leads.value} pending={model.pending.value} disabled={disabled} onClaim={claim} />}
      {(mode === 'cherry-pick' || mode === 'hybrid') && (
        <PoolTable
          leads={model.leads.value}
          pending={model.pending.value}
          disabled={disabled}
          onClaim={claim}
          label={mode === 'hybrid' ? 'Leads routed to you' : 'Open leads'}
          emptyText={mode === 'hybrid' ? 'No lead routed to you is waiting. New ones appear here live.' : 'New leads appear here live.'}
        />
      )}
      {mode === 'blind-pull' && (
        <BlindPull
          waiting={model.waiting.value}
          oldestAt={model.oldestAt.value}
          pulling={model.pending.value.has('*pull')}
          disabled={disabled}
          onPull={async () => {
            if (await model.pull()) focusMine();
          }}
        />
      )}
      {mode === 'round-robin' && <RoundRobinNote available={model.you.value?.presence === 'available'} />}
    </section>
  );
}
