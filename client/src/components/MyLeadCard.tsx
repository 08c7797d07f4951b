import type { Lead, Outcome } from '../../../shared/protocol';
import { OUTCOMES } from '../../../shared/protocol';
import { fieldText } from '../lib/format';
import { Age } from './Age';
import { FieldList } from './FieldList';

const OUTCOME_LABEL: Record<Outcome, string> = { contacted: 'Contacted', won: 'Won', lost: 'Lost', unreachable: 'Unreachable' };
const DETAIL_FIELDS = ['industry', 'companySize', 'country', 'language', 'source', 'engagement', 'tags', 'attributes'];

interface Props {
  lead: Lead;
  /** The lead's pool, shown when the rep sees several pools. */
  poolName?: string;
  busy: boolean;
  disabled: boolean;
  onOutcome(leadId: string, outcome: Outcome): void;
  onRelease(leadId: string): void;
}

/** One of my leads: full contact details, outcome buttons, release. */
export function MyLeadCard({ lead, poolName, busy, disabled, onOutcome, onRelease }: Props) {
  const headingId = `mine-${lead.id}`;
  const details = DETAIL_FIELDS.filter((f) => fieldText(lead, f) !== '');
  return (
    <article class="card mine-card" aria-labelledby={headingId} data-lead-id={lead.id} tabIndex={-1}>
      <header class="mine-head">
        <div>
          <h3 id={headingId}>{lead.name ?? lead.company ?? lead.email ?? lead.phone ?? 'Lead'}</h3>
          {(lead.jobTitle || lead.company) && <p class="muted">{[lead.jobTitle, lead.company].filter(Boolean).join(' · ')}</p>}
        </div>
        <span class="mine-meta">
          {poolName && (
            <span class="pill pill-pool" data-testid="mine-pool">
              <span class="sr-only">Pool: </span>
              {poolName}
            </span>
          )}
          <span class="muted small">
            claimed <Age since={lead.claimedAt ?? lead.createdAt} /> ago
          </span>
        </span>
      </header>
      <div class="contact">
        {lead.phone && (
          <a class="contact-link" href={`tel:${lead.phone.replace(/[^\d+]/g, '')}`}>
            <span aria-hidden="true">☎</span> <span class="addr">{lead.phone}</span>
          </a>
        )}
        {lead.email && (
          <a class="contact-link" href={`mailto:${lead.email}`} title={lead.email}>
            <span aria-hidden="true">✉</span> <span class="addr">{lead.email}</span>
          </a>
        )}
      </div>
      {details.length > 0 && <FieldList lead={lead} fields={details} class="details" />}
      {lead.outcome && (
        <p class="small">
          Last outcome: <strong>{OUTCOME_LABEL[lead.outcome]}</strong>
        </p>
      )}
      <div class="actions" role="group" aria-label={`Outcome for ${lead.name ?? 'this lead'}`}>
        {OUTCOMES.map((o) => (
          <button
            key={o}
            type="button"
            class={`btn btn-sm btn-outcome btn-${o}`}
            disabled={busy || disabled}
            onClick={() => onOutcome(lead.id, o)}
          >
            {OUTCOME_LABEL[o]}
          </button>
        ))}
        <button type="button" class="btn btn-sm btn-ghost" disabled={busy || disabled} onClick={() => onRelease(lead.id)}>
          Release
        </button>
      </div>
    </article>
  );
}
