import { useEffect, useState } from 'preact/hooks';
import {
  type AuditEvent,
  LEAD_STATUSES,
  type Lead,
  type LeadExplanation,
  type LeadListPage,
  type PoolOverview,
} from '../../../shared/protocol';
import { saveCsv } from '../lib/download';
import { formatAge, formatTime } from '../lib/format';
import type { Roster } from '../state/roster';
import { RepPicker } from './RepPicker';

/** What the Leads tab needs of the manager's model (managerModel.ts). */
interface LeadListModel {
  searchLeads(query: string): Promise<LeadListPage | undefined>;
  leadTimeline(leadId: string): Promise<AuditEvent[] | undefined>;
  explainLead(leadId: string): Promise<LeadExplanation | undefined>;
  leadsCsv(query: string): Promise<string | undefined>;
  assign(leadId: string, repId: string): Promise<boolean>;
  release(leadId: string): Promise<boolean>;
  repName(id: string | undefined): string;
}

interface Filters {
  q: string;
  status: string;
  poolId: string;
  repId: string;
  source: string;
  country: string;
  from: string;
  to: string;
}

const EMPTY: Filters = { q: '', status: '', poolId: '', repId: '', source: '', country: '', from: '', to: '' };

/** The filters as a query string (datetime-local inputs are local times: sent as ISO). */
function queryOf(f: Filters, extra: Record<string, string> = {}): string {
  const params = new URLSearchParams();
  for (const [k, v] of Object.entries(f)) {
    if (!v.trim()) continue;
    params.set(k, k === 'from' || k === 'to' ? new Date(v).toISOString() : v.trim());
  }
  for (const [k, v] of Object.entries(extra)) params.set(k, v);
  return params.toString();
}

const who = (lead: Lead) => lead.name ?? lead.email ?? lead.phone ?? lead.company ?? lead.id;

/**
 * The Leads tab: every lead in any status, searchable and filterable, paged; a lead's page
 * (its fields, why it waits, its timeline from the audit trail, assign and release); CSV
 * export of what the filters select.
 */
export function LeadList({ model, roster, pools }: { model: LeadListModel; roster: Roster; pools: PoolOverview[] }) {
  const [filters, setFilters] = useState<Filters>(EMPTY);
  const [page, setPage] = useState<LeadListPage | null>(null);
  const [busy, setBusy] = useState(false);
  const [openId, setOpenId] = useState<string | null>(null);

  const search = async (f = filters) => {
    setBusy(true);
    const r = await model.searchLeads(queryOf(f, { limit: '50' }));
    setBusy(false);
    if (r) setPage(r);
  };
  const more = async () => {
    if (!page?.next) return;
    setBusy(true);
    const r = await model.searchLeads(queryOf(filters, { limit: '50', before: page.next }));
    setBusy(false);
    if (r) setPage({ leads: [...page.leads, ...r.leads], duplicates: { ...page.duplicates, ...r.duplicates }, next: r.next });
  };
  const exportCsv = async () => {
    const text = await model.leadsCsv(queryOf(filters));
    if (text === undefined) return;
    saveCsv(text, 'leads.csv');
  };
  useEffect(() => {
    void search(EMPTY);
  }, []);
  const set = (k: keyof Filters) => (e: Event) => setFilters({ ...filters, [k]: (e.currentTarget as HTMLInputElement).value });
  const opened = page?.leads.find((l) => l.id === openId) ?? null;

  return (
    <section class="panel" aria-labelledby="lead-list-title">
      <div class="panel-head">
        <h2 id="lead-list-title">Leads</h2>
        <button type="button" class="btn btn-sm" onClick={() => void exportCsv()}>
          Export CSV
        </button>
      </div>
      <form
        class="pad row lead-filters"
        aria-label="Find leads"
        onSubmit={(e) => {
          e.preventDefault();
          void search();
        }}
      >
        <label class="field">
          <span>Search leads</span>
          <input type="search" value={filters.q} onInput={set('q')} placeholder="Name, email, phone, company, external id" />
        </label>
        <label class="field">
          <span>Status</span>
          <select value={filters.status} onChange={set('status')}>
            <option value="">Any</option>
            {LEAD_STATUSES.map((s) => (
              <option key={s} value={s}>
                {s}
              </option>
            ))}
          </select>
        </label>
        {pools.length > 1 && (
          <label class="field">
            <span>In pool</span>
            <select value={filters.poolId} onChange={set('poolId')}>
              <option value="">Any</option>
              {pools.map((p) => (
                <option key={p.id} value={p.id}>
                  {p.name}
                </option>
              ))}
            </select>
          </label>
        )}
        <label class="field" for="lead-filter-rep">
          <span>Held by</span>
          <RepPicker
            id="lead-filter-rep"
            roster={roster}
            value={filters.repId}
            onChange={(repId) => setFilters({ ...filters, repId })}
            emptyLabel="Anyone"
            withPresence={false}
          />
        </label>
        <label class="field">
          <span>Source</span>
          <input value={filters.source} onInput={set('source')} size={10} />
        </label>
        <label class="field">
          <span>Country</span>
          <input value={filters.country} onInput={set('country')} size={3} maxLength={2} placeholder="GB" />
        </label>
        <label class="field">
          <span>From</span>
          <input type="datetime-local" value={filters.from} onInput={set('from')} />
        </label>
        <label class="field">
          <span>To</span>
          <input type="datetime-local" value={filters.to} onInput={set('to')} />
        </label>
        <button type="submit" class="btn btn-primary" disabled={busy}>
          Search
        </button>
        <button
          type="button"
          class="btn btn-ghost"
          onClick={() => {
            setFilters(EMPTY);
            void search(EMPTY);
          }}
        >
          Clear
        </button>
      </form>
      {!page ? (
        <p class="muted pad">Loading…</p>
      ) : page.leads.length === 0 ? (
        <p class="muted pad">No lead matches.</p>
      ) : (
        <div class="table-scroll">
          <table class="table lead-list">
            <caption class="sr-only">Leads, newest first</caption>
            <thead>
              <tr>
                <th scope="col">Lead</th>
                <th scope="col">Status</th>
                <th scope="col">Held by</th>
                <th scope="col">Source</th>
                <th scope="col">Arrived</th>
              </tr>
            </thead>
            <tbody>
              {page.leads.map((l) => (
                <tr key={l.id}>
                  <td>
                    <button type="button" class="btn-link" onClick={() => setOpenId(l.id)} aria-label={`Open ${who(l)}`}>
                      {who(l)}
                    </button>
                    {l.email && l.name && <div class="muted small">{l.email}</div>}
                    {page.duplicates[l.id] ? (
                      <div class="muted small">
                        +{page.duplicates[l.id]} duplicate{page.duplicates[l.id] === 1 ? '' : 's'}
                      </div>
                    ) : null}
                  </td>
                  <td>
                    {l.status}
                    {l.status === 'disqualified' && l.disqualifiedReasons?.length ? (
                      <div class="muted small">{l.disqualifiedReasons.join(', ')}</div>
                    ) : null}
                    {l.outcome && <div class="muted small">{l.outcome}</div>}
                  </td>
                  <td>{model.repName(l.claimedBy) || '—'}</td>
                  <td>{l.source ?? '—'}</td>
                  <td>{formatTime(l.createdAt)}</td>
                </tr>
              ))}
            </tbody>
          </table>
        </div>
      )}
      {page?.next && (
        <div class="pad">
          <button type="button" class="btn btn-sm" disabled={busy} onClick={() => void more()}>
            Load more
          </button>
        </div>
      )}
      {opened && (
        <LeadPage
          key={opened.id}
          lead={opened}
          model={model}
          roster={roster}
          onClose={() => setOpenId(null)}
          onChanged={() => void search()}
        />
      )}
    </section>
  );
}

const FIELDS: (keyof Lead)[] = [
  'name',
  'email',
  'phone',
  'company',
  'companySize',
  'jobTitle',
  'country',
  'language',
  'industry',
  'source',
  'externalId',
  'poolId',
  'status',
  'createdAt',
  'claimedAt',
  'outcome',
  'outcomeNote',
  'closedAt',
];

/** One audit event as a line a manager reads. */
function eventText(e: AuditEvent, repName: (id: string | undefined) => string): string {
  const by =
    e.actor.role === 'rep' ? repName(e.actor.id) : e.actor.role === 'feed' ? 'a feed' : e.actor.role === 'form' ? 'a form' : e.actor.role;
  const rep = repName(e.repId);
  const d = e.data ?? {};
  switch (e.type) {
    case 'lead.created':
      return `Arrived from ${d.source ?? by}`;
    case 'lead.disqualified':
      return `Disqualified: ${((d.reasons as string[]) ?? []).join(', ')}`;
    case 'lead.duplicate':
      return `Posted again (duplicate by ${d.by})`;
    case 'lead.claimed':
      return `Claimed by ${rep}`;
    case 'lead.pulled':
      return `Pulled by ${rep}`;
    case 'lead.assigned':
      return `Assigned to ${rep} (${d.via})${by === 'system' ? '' : ` by ${by}`}`;
    case 'lead.revoked':
      return `Taken back from ${rep} (${d.reason})`;
    case 'lead.released':
      return `Released from ${rep} by ${by} (${d.reason})`;
    case 'lead.expired':
      return `Back to the pool: ${rep} gave no outcome in time`;
    case 'lead.escalated':
      return 'Offered to everyone (escalated)';
    case 'lead.outcome':
      return `${rep}: ${d.outcome}${d.note ? ` — “${d.note}”` : ''}`;
    case 'lead.closed':
      return `Closed (${d.outcome})`;
    default:
      return e.type;
  }
}

function LeadPage({
  lead,
  model,
  roster,
  onClose,
  onChanged,
}: {
  lead: Lead;
  model: LeadListModel;
  roster: Roster;
  onClose(): void;
  onChanged(): void;
}) {
  const [events, setEvents] = useState<AuditEvent[] | null>(null);
  const [why, setWhy] = useState<LeadExplanation | null>(null);
  const [repId, setRepId] = useState('');
  const load = async () => {
    const [t, x] = await Promise.all([model.leadTimeline(lead.id), model.explainLead(lead.id)]);
    setEvents(t ?? []);
    setWhy(x ?? null);
  };
  useEffect(() => {
    void load();
  }, [lead.id]);
  const after = async (ok: boolean) => {
    if (!ok) return;
    onChanged();
    await load();
  };
  return (
    <div class="dialog-backdrop">
      <div class="dialog lead-page" role="dialog" aria-modal="true" aria-labelledby="lead-page-title">
        <div class="row">
          <h3 id="lead-page-title">{who(lead)}</h3>
          <button type="button" class="btn btn-sm btn-ghost" onClick={onClose} aria-label="Close lead">
            Close
          </button>
        </div>
        <dl class="lead-fields">
          {FIELDS.filter((f) => lead[f] !== undefined).map((f) => (
            <div key={f} class="row-tight">
              <dt class="muted small">{f}</dt>
              <dd>{String(lead[f])}</dd>
            </div>
          ))}
          {lead.disqualifiedReasons && (
            <div class="row-tight">
              <dt class="muted small">disqualified for</dt>
              <dd>{lead.disqualifiedReasons.join(', ')}</dd>
            </div>
          )}
        </dl>
        <section aria-labelledby="lead-why-title">
          <h4 id="lead-why-title">Why it is waiting</h4>
          {!why ? (
            <p class="muted small">Loading…</p>
          ) : (
            <>
              <ul class="small">
                {why.why.map((w) => (
                  <li key={w}>{w}</li>
                ))}
              </ul>
              {lead.status === 'open' && (
                <p class="small">
                  Eligible:{' '}
                  {why.reps
                    .filter((r) => r.eligible)
                    .map((r) => `${r.name} (${r.presence}${r.atCap ? ', at cap' : ''})`)
                    .join(', ') || 'nobody'}
                  {why.waitingMs !== null && ` · waiting ${formatAge(why.waitingMs)}`}
                </p>
              )}
            </>
          )}
        </section>
        <section aria-labelledby="lead-timeline-title">
          <h4 id="lead-timeline-title">Timeline</h4>
          {!events ? (
            <p class="muted small">Loading…</p>
          ) : (
            <ol class="lead-timeline small" aria-label="Timeline">
              {[...events].reverse().map((e) => (
                <li key={e.id}>
                  <time dateTime={e.at}>{formatTime(e.at)}</time> {eventText(e, model.repName)}
                </li>
              ))}
            </ol>
          )}
        </section>
        {(lead.status === 'open' || lead.status === 'claimed') && (
          <div class="row dialog-actions">
            <label class="field-inline" for="lead-page-assign">
              <span>Assign to</span>
              <RepPicker
                id="lead-page-assign"
                roster={roster}
                poolId={lead.poolId}
                value={repId}
                onChange={setRepId}
                emptyLabel="Choose a rep"
                withPresence={false}
              />
            </label>
            <button
              type="button"
              class="btn btn-sm btn-primary"
              disabled={!repId}
              onClick={async () => after(await model.assign(lead.id, repId))}
            >
              Assign
            </button>
            {lead.status === 'claimed' && (
              <button type="button" class="btn btn-sm" onClick={async () => after(await model.release(lead.id))}>
                Release
              </button>
            )}
          </div>
        )}
      </div>
    </div>
  );
}
