import type { Lead, Outcome } from '../../../shared/protocol';
import { OUTCOMES } from '../../../shared/protocol';
import { now } from '../lib/clock';
import { fieldText, formatAge } from '../lib/format';
import { OUTCOME_LABEL, type PendingOutcome } from '../state/repModel';
import { Age } from './Age';
import { FieldList } from './FieldList';

const DETAIL_FIELDS = ['industry', 'companySize', 'country', 'language', 'source', 'engagement', 'tags', 'attributes'];

interface Props {
  lead: Lead;
  /** The lead's pool, shown when the rep sees several pools. */
  poolName?: string;
  busy: boolean;
  disabled: boolean;
  /** A closing outcome waiting out its Undo period. */
  closing?: PendingOutcome;
  /** The note typed so far (sent with the next outcome). */
  note: string;
  /** The pool's claim timeout: the lead goes back to the pool this long after its claim unless an outcome is recorded. */
  claimTimeoutMs: number | null;
  onNote(leadId: string, text: string): void;
  onOutcome(leadId: string, outcome: Outcome): void;
  onUndo(leadId: string): void;
  onRelease(leadId: string): void;
}

/** Time left before an unworked lead goes back to the pool (the claim timeout), ticking. */
function Countdown({ until }: { until: number }) {
  // The clock signal re-renders this every second; the time itself is read fresh.
  const left = until - Math.max(now.value, Date.now());
  const soon = left < 60_000;
  return (
    <p class={`countdown small${soon ? ' countdown-soon' : ''}`} data-testid="claim-countdown">
      {left > 0 ? (
        <>
          Back to the pool in <strong>{formatAge(left)}</strong> unless you record an outcome
        </>
      ) : (
        'Going back to the pool…'
      )}
    </p>
  );
}

/** A closing outcome's Undo period: what was chosen, the seconds left, Undo. */
function Closing({ lead, closing, onUndo }: { lead: Lead; closing: PendingOutcome; onUndo(id: string): void }) {
  const label = OUTCOME_LABEL[closing.outcome];
  const left = Math.max(0, Math.ceil((closing.dueAt - Math.max(now.value, Date.now())) / 1000));
  return (
    <div class={`closing closing-${closing.outcome}`} data-testid="closing">
      <p role="status">
        <strong>{label}</strong>
        {closing.state === 'sending'
          ? ' — recording…'
          : closing.state === 'queued'
            ? ' — recorded once the connection is back'
            : ` — recorded in ${left} s`}
        {closing.note && <span class="closing-note"> · note: “{closing.note}”</span>}
      </p>
      {closing.state !== 'sending' && (
        <button
          type="button"
          class="btn btn-sm"
          onClick={() => onUndo(lead.id)}
          aria-label={`Undo ${label} for ${lead.name ?? 'this lead'}`}
        >
          Undo
        </button>
      )}
    </div>
  );
}

/** One of my leads: full contact details, a note, outcome buttons (closing ones with Undo), release, the claim timeout. */
export function MyLeadCard({ lead, poolName, busy, disabled, closing, note, claimTimeoutMs, onNote, onOutcome, onUndo, onRelease }: Props) {
  const headingId = `mine-${lead.id}`;
  const noteId = `note-${lead.id}`;
  const details = DETAIL_FIELDS.filter((f) => fieldText(lead, f) !== '');
  const claimedAt = Date.parse(lead.claimedAt ?? '');
  // The server returns an unworked lead to the pool after the timeout; an outcome (even Contacted) stops it.
  const expiresAt = claimTimeoutMs && !lead.outcome && Number.isFinite(claimedAt) ? claimedAt + claimTimeoutMs : null;
  return (
    <article class={`card mine-card${closing ? ' mine-closing' : ''}`} aria-labelledby={headingId} data-lead-id={lead.id} tabIndex={-1}>
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
      {expiresAt !== null && !closing && <Countdown until={expiresAt} />}
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
          {lead.outcomeNote && <span class="muted"> — “{lead.outcomeNote}”</span>}
        </p>
      )}
      {closing ? (
        <Closing lead={lead} closing={closing} onUndo={onUndo} />
      ) : (
        <>
          <div class="field note-field">
            <label for={noteId}>Note</label>
            <textarea
              id={noteId}
              rows={2}
              maxLength={2000}
              value={note}
              disabled={disabled}
              placeholder="What happened? Saved with the outcome you pick."
              onInput={(e) => onNote(lead.id, e.currentTarget.value)}
            />
          </div>
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
        </>
      )}
    </article>
  );
}
