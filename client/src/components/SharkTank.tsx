import { useState } from 'preact/hooks';
import type { LeadView } from '../../../shared/protocol';
import { now } from '../lib/clock';
import { leadSummary } from '../lib/format';
import { type LeadOrder, NEW_FOR_MS } from '../state/repModel';
import { Age } from './Age';
import { FieldList } from './FieldList';
import { OverdueBadge } from './OverdueBadge';

/** Past this many leads the pool is listed as compact rows (a long pool stays quick to scan and to render). */
export const COMPACT_AFTER = 24;
/** Rows rendered at a time; "Show more" adds as many. */
export const PAGE_SIZE = 50;

interface Props {
  leads: LeadView[];
  pending: ReadonlySet<string>;
  disabled: boolean;
  order: LeadOrder;
  onClaim(leadId: string): void;
  /** The rep's pointer or focus entered (true) or left (false) a lead. */
  onEngage(leadId: string, on: boolean): void;
  /** Shown on every card when the rep sees several pools. */
  poolName?: string;
}

/** Pointer and focus on a lead make a race for it the rep's own race ("Taken by another rep"). */
export const engageHandlers = (id: string, onEngage: (leadId: string, on: boolean) => void) => ({
  onPointerEnter: () => onEngage(id, true),
  onPointerLeave: () => onEngage(id, false),
  onFocusIn: () => onEngage(id, true),
  onFocusOut: () => onEngage(id, false),
});

/** "New" for a minute after a lead arrived, fading during its last seconds. */
export function NewBadge({ createdAt, label = 'New' }: { createdAt: string; label?: string }) {
  const age = now.value - Date.parse(createdAt);
  if (!(age < NEW_FOR_MS)) return null;
  return <span class={`pill pill-new${age > NEW_FOR_MS - 10_000 ? ' pill-fading' : ''}`}>{label}</span>;
}

/** The teaser fields below the title: industry and country make the title. */
const teaserFields = (lead: LeadView) =>
  Object.keys(lead).filter((k) => !['id', 'poolId', 'feedId', 'createdAt', 'status', 'industry', 'country', 'overdueAt'].includes(k));

/**
 * Shark-tank: every lead on offer with a Claim button, newest (or oldest) first. A short
 * pool shows alert cards; a long one compact rows, a page at a time.
 */
export function SharkTank({ leads, pending, disabled, order, onClaim, onEngage, poolName }: Props) {
  const [shown, setShown] = useState(PAGE_SIZE);
  if (leads.length === 0) {
    return (
      <div class="empty">
        <p class="empty-title">Waiting for the next lead…</p>
        <p>New leads appear here the moment they arrive. The first rep to claim one gets it.</p>
      </div>
    );
  }
  const sorted = order === 'newest' ? [...leads].reverse() : leads;
  const compact = leads.length > COMPACT_AFTER;
  const visible = sorted.slice(0, shown);
  const label = poolName ? `Leads on offer in ${poolName}` : 'Leads on offer';
  return (
    <>
      <ul class={compact ? 'shark-rows' : 'shark-list'} aria-label={label}>
        {visible.map((lead) => {
          const descId = `teaser-${lead.id}`;
          const title = [lead.industry, lead.country].filter(Boolean).join(' · ') || 'New lead';
          const claim = (
            <button
              type="button"
              class={`btn btn-primary ${compact ? 'btn-sm' : 'btn-claim-lg'}`}
              aria-describedby={descId}
              disabled={disabled || pending.has(lead.id)}
              onClick={() => onClaim(lead.id)}
            >
              Claim
            </button>
          );
          const described = <span class="sr-only">{` — ${leadSummary(lead)}${poolName ? ` (${poolName})` : ''}`}</span>;
          if (compact) {
            return (
              <li key={lead.id} class="shark-row" data-lead-id={lead.id} {...engageHandlers(lead.id, onEngage)}>
                <span class="shark-row-title" id={descId}>
                  <NewBadge createdAt={lead.createdAt} />
                  <OverdueBadge lead={lead} />
                  <strong>{title}</strong>
                  <span class="muted shark-row-rest" aria-hidden="true">
                    {[lead.language?.toUpperCase(), lead.companySize ? `${lead.companySize.toLocaleString('en')} emp.` : '', lead.source]
                      .filter(Boolean)
                      .join(' · ')}
                  </span>
                  {described}
                </span>
                <span class="muted small">
                  <Age since={lead.createdAt} />
                </span>
                {claim}
              </li>
            );
          }
          const fields = teaserFields(lead);
          return (
            <li key={lead.id} class="shark-card" data-lead-id={lead.id} {...engageHandlers(lead.id, onEngage)}>
              <div class="shark-head">
                <span class="row-tight">
                  <NewBadge createdAt={lead.createdAt} label="New lead" />
                  <OverdueBadge lead={lead} />
                  {poolName && <span class="pill pill-pool">{poolName}</span>}
                </span>
                <span class="muted">
                  <Age since={lead.createdAt} /> ago
                </span>
              </div>
              <p class="shark-title" id={descId}>
                {title}
                {described}
              </p>
              {fields.length > 0 && <FieldList lead={lead} fields={fields} class="teaser" />}
              {claim}
            </li>
          );
        })}
      </ul>
      {sorted.length > visible.length && (
        <div class="show-more">
          <button type="button" class="btn btn-sm" onClick={() => setShown(shown + PAGE_SIZE)}>
            Show {Math.min(PAGE_SIZE, sorted.length - visible.length)} more
          </button>
          <span class="muted small">
            {visible.length} of {sorted.length} shown
          </span>
        </div>
      )}
    </>
  );
}
