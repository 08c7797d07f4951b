import { DEFAULT_POOL } from '../../../shared/protocol';
import type { RepModel } from '../state/repModel';
import { MyLeadCard } from './MyLeadCard';

/** The leads this rep holds in every pool, with the count against the cap. */
export function MyLeads({ model }: { model: RepModel }) {
  const leads = model.held.value;
  const caps = model.caps.value;
  const busy = model.busy.value;
  const closing = model.closing.value;
  const notes = model.notes.value;
  const disabled = !model.live.value;
  const named = model.showPoolNames.value;
  const full = caps.filter((c) => c.max > 0 && c.held >= c.max);
  const single = caps.length === 1 && caps[0].label === undefined ? caps[0] : null;
  return (
    <section class="panel mine-panel" id="mine" aria-labelledby="mine-title">
      <div class="panel-head">
        <h2 id="mine-title">My leads</h2>
        {single ? (
          <span class={`pill ${full.length ? 'pill-warn' : ''}`} title={`${single.held} of ${single.max} leads held`}>
            <span data-testid="cap-count" aria-hidden="true">
              {single.held} / {single.max}
            </span>
            <span class="sr-only">{`${single.held} of ${single.max} leads held`}</span>
          </span>
        ) : (
          <span class="row-tight cap-list">
            {caps.map((c) => (
              <span key={c.label} class={`pill ${c.max > 0 && c.held >= c.max ? 'pill-warn' : ''}`}>
                <span aria-hidden="true" data-testid="cap-count">
                  {c.label} {c.held} / {c.max}
                </span>
                <span class="sr-only">{`${c.label}: ${c.held} of ${c.max} leads held`}</span>
              </span>
            ))}
            {caps.length === 0 && <span class="pill">{leads.length} held</span>}
          </span>
        )}
      </div>
      {full.length > 0 && (
        <p class="hint">
          {single
            ? 'You are at your cap: close or release a lead to claim another.'
            : `You are at your cap in ${full.map((c) => c.label).join(', ')}: close or release a lead there to take another.`}
        </p>
      )}
      {leads.length === 0 ? (
        <p class="muted pad">No leads yet. Leads you claim appear here with their contact details.</p>
      ) : (
        <div class="mine-list">
          {leads.map((l) => {
            const poolId = l.poolId ?? DEFAULT_POOL;
            return (
              <MyLeadCard
                key={l.id}
                lead={l}
                poolName={named ? model.poolName(poolId) : undefined}
                busy={busy.has(l.id)}
                disabled={disabled}
                closing={closing.get(l.id)}
                note={notes.get(l.id) ?? ''}
                claimTimeoutMs={model.claimTimeoutOf(poolId)}
                onNote={model.setNote}
                onOutcome={model.chooseOutcome}
                onUndo={model.undoOutcome}
                onRelease={(id) => void model.release(id)}
              />
            );
          })}
        </div>
      )}
    </section>
  );
}
