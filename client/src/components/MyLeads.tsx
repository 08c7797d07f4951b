import { DEFAULT_POOL, type Lead, type Outcome } from '../../../shared/protocol';
import type { CapCount } from '../state/repModel';
import { MyLeadCard } from './MyLeadCard';

interface Props {
  leads: Lead[];
  /** One cap (one pool, or the rep's own cap over all pools), one per pool, or none (no pool). */
  caps: CapCount[];
  busy: ReadonlySet<string>;
  disabled: boolean;
  /** The name of a lead's pool, when the rep sees several pools (shown on each card). */
  poolName?(poolId: string): string;
  onOutcome(leadId: string, outcome: Outcome): void;
  onRelease(leadId: string): void;
}

/** The leads this rep holds in every pool, with the count against the cap. */
export function MyLeads({ leads, caps, busy, disabled, poolName, onOutcome, onRelease }: Props) {
  const full = caps.filter((c) => c.max > 0 && c.held >= c.max);
  const single = caps.length === 1 && caps[0].label === undefined ? caps[0] : null;
  return (
    <section class="panel" aria-labelledby="mine-title">
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
          {leads.map((l) => (
            <MyLeadCard
              key={l.id}
              lead={l}
              poolName={poolName?.(l.poolId ?? DEFAULT_POOL)}
              busy={busy.has(l.id)}
              disabled={disabled}
              onOutcome={onOutcome}
              onRelease={onRelease}
            />
          ))}
        </div>
      )}
    </section>
  );
}
