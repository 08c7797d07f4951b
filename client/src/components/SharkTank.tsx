import type { LeadView } from '../../../shared/protocol';
import { leadSummary } from '../lib/format';
import { Age } from './Age';
import { FieldList } from './FieldList';

interface Props {
  leads: LeadView[];
  pending: ReadonlySet<string>;
  disabled: boolean;
  onClaim(leadId: string): void;
  /** Shown on every card when the rep sees several pools. */
  poolName?: string;
}

/** Shark-tank: every new lead as an alert card with a big Claim button; newest first. */
export function SharkTank({ leads, pending, disabled, onClaim, poolName }: Props) {
  const newestFirst = [...leads].reverse();
  if (newestFirst.length === 0) {
    return (
      <div class="empty">
        <p class="empty-title">Waiting for the next lead…</p>
        <p>New leads appear here the moment they arrive. The first rep to claim one gets it.</p>
      </div>
    );
  }
  return (
    <ul class="shark-list" aria-label={poolName ? `Leads on offer in ${poolName}` : 'Leads on offer'}>
      {newestFirst.map((lead) => {
        // Industry and country make the title; the rest of the teaser is listed below it.
        const fields = Object.keys(lead).filter(
          (k) => !['id', 'poolId', 'feedId', 'createdAt', 'status', 'industry', 'country'].includes(k),
        );
        const descId = `teaser-${lead.id}`;
        return (
          <li key={lead.id} class="shark-card" data-lead-id={lead.id}>
            <div class="shark-head">
              <span class="row-tight">
                <span class="pill pill-new">New lead</span>
                {poolName && <span class="pill pill-pool">{poolName}</span>}
              </span>
              <span class="muted">
                <Age since={lead.createdAt} /> ago
              </span>
            </div>
            <p class="shark-title" id={descId}>
              {[lead.industry, lead.country].filter(Boolean).join(' · ') || 'New lead'}
              <span class="sr-only">{` — ${leadSummary(lead)}${poolName ? ` (${poolName})` : ''}`}</span>
            </p>
            {fields.length > 0 && <FieldList lead={lead} fields={fields} class="teaser" />}
            <button
              type="button"
              class="btn btn-primary btn-claim-lg"
              aria-describedby={descId}
              disabled={disabled || pending.has(lead.id)}
              onClick={() => onClaim(lead.id)}
            >
              Claim
            </button>
          </li>
        );
      })}
    </ul>
  );
}
