import type { Lead, Outcome } from '../../../shared/protocol';
import { MyLeadCard } from './MyLeadCard';

interface Props {
  leads: Lead[];
  maxActive: number;
  busy: ReadonlySet<string>;
  disabled: boolean;
  onOutcome(leadId: string, outcome: Outcome): void;
  onRelease(leadId: string): void;
}

/** The leads this rep holds, with the count against the cap. */
export function MyLeads({ leads, maxActive, busy, disabled, onOutcome, onRelease }: Props) {
  const full = maxActive > 0 && leads.length >= maxActive;
  return (
    <section class="panel" aria-labelledby="mine-title">
      <div class="panel-head">
        <h2 id="mine-title">My leads</h2>
        <span class={`pill ${full ? 'pill-warn' : ''}`} title={`${leads.length} of ${maxActive} leads held`}>
          <span data-testid="cap-count" aria-hidden="true">
            {leads.length} / {maxActive}
          </span>
          <span class="sr-only">{`${leads.length} of ${maxActive} leads held`}</span>
        </span>
      </div>
      {full && <p class="hint">You are at your cap: close or release a lead to claim another.</p>}
      {leads.length === 0 ? (
        <p class="muted pad">No leads yet. Leads you claim appear here with their contact details.</p>
      ) : (
        <div class="mine-list">
          {leads.map((l) => (
            <MyLeadCard key={l.id} lead={l} busy={busy.has(l.id)} disabled={disabled} onOutcome={onOutcome} onRelease={onRelease} />
          ))}
        </div>
      )}
    </section>
  );
}
