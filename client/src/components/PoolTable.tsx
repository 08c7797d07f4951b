import { useMemo, useState } from 'preact/hooks';
import type { LeadView } from '../../../shared/protocol';
import { fieldText, leadSummary } from '../lib/format';
import type { LeadOrder } from '../state/repModel';
import { Age } from './Age';
import { OverdueBadge } from './OverdueBadge';
import { engageHandlers, NewBadge, PAGE_SIZE } from './SharkTank';

interface Props {
  leads: LeadView[];
  pending: ReadonlySet<string>;
  disabled: boolean;
  onClaim(leadId: string): void;
  /** The rep's pointer or focus entered (true) or left (false) a lead. */
  onEngage(leadId: string, on: boolean): void;
  /** Newest or oldest first (sorting by Waiting changes it). */
  order: LeadOrder;
  onOrder(order: LeadOrder): void;
  /** Heading shown above the table. */
  label: string;
  emptyText: string;
  /** Shown on every row when the rep sees several pools. */
  poolName?: string;
}

type Col = { key: string; label: string; sortValue(l: LeadView): string | number };
const COLUMNS: Col[] = [
  { key: 'createdAt', label: 'Waiting', sortValue: (l) => -Date.parse(l.createdAt) },
  { key: 'company', label: 'Company', sortValue: (l) => (l.company ?? '').toLowerCase() },
  { key: 'industry', label: 'Industry', sortValue: (l) => (l.industry ?? '').toLowerCase() },
  { key: 'country', label: 'Market', sortValue: (l) => `${l.country ?? ''}${l.language ?? ''}` },
  { key: 'companySize', label: 'Size', sortValue: (l) => l.companySize ?? -1 },
  { key: 'source', label: 'Source', sortValue: (l) => (l.source ?? '').toLowerCase() },
];

const searchable = (l: LeadView) =>
  [l.company, l.jobTitle, l.industry, l.country, l.language, l.source, ...(l.tags ?? []), l.companySize?.toString()]
    .filter(Boolean)
    .join(' ')
    .toLowerCase();

/** Cherry-pick and hybrid: a sortable, filterable table of the pool, a Claim per row. */
export function PoolTable({ leads, pending, disabled, onClaim, onEngage, order, onOrder, label, emptyText, poolName }: Props) {
  const [query, setQuery] = useState('');
  const [shown, setShown] = useState(PAGE_SIZE);
  // Another column, or by arrival (Waiting), as the rep's newest/oldest choice says.
  const [column, setColumn] = useState<{ key: string; dir: 1 | -1 } | null>(null);
  const sort = column ?? { key: 'createdAt', dir: order === 'newest' ? 1 : -1 };
  const rows = useMemo(() => {
    const q = query.trim().toLowerCase();
    const col = COLUMNS.find((c) => c.key === sort.key) ?? COLUMNS[0];
    const filtered = q ? leads.filter((l) => q.split(/\s+/).every((word) => searchable(l).includes(word))) : leads;
    return [...filtered].sort((a, b) => {
      const x = col.sortValue(a);
      const y = col.sortValue(b);
      return (x < y ? -1 : x > y ? 1 : 0) * sort.dir;
    });
  }, [leads, query, sort.key, sort.dir]);
  const toggleSort = (key: string) => {
    if (key === 'createdAt') {
      setColumn(null);
      onOrder(sort.key === 'createdAt' && order === 'newest' ? 'oldest' : 'newest');
    } else setColumn(sort.key === key ? { key, dir: sort.dir === 1 ? -1 : 1 } : { key, dir: 1 });
  };
  const visible = rows.slice(0, shown);

  return (
    <div class="pool-table">
      <div class="table-tools">
        <label class="field-inline">
          <span>Filter</span>
          <input type="search" value={query} placeholder="industry, country, source…" onInput={(e) => setQuery(e.currentTarget.value)} />
        </label>
        <OrderToggle
          order={sort.key === 'createdAt' ? order : null}
          onOrder={(o) => {
            setColumn(null);
            onOrder(o);
          }}
        />
        <span class="muted" aria-live="off">
          {rows.length === leads.length ? `${leads.length} ${leads.length === 1 ? 'lead' : 'leads'}` : `${rows.length} of ${leads.length}`}
        </span>
      </div>
      {leads.length === 0 ? (
        <div class="empty">
          <p class="empty-title">The pool is empty</p>
          <p>{emptyText}</p>
        </div>
      ) : (
        <div class="table-scroll">
          <table class="table table-cards">
            <caption class="sr-only">{label}</caption>
            <thead>
              <tr>
                {COLUMNS.map((c) => (
                  <th key={c.key} scope="col" aria-sort={sort.key === c.key ? (sort.dir === 1 ? 'ascending' : 'descending') : undefined}>
                    <button type="button" class="th-sort" onClick={() => toggleSort(c.key)}>
                      {c.label}
                      <span aria-hidden="true" class="sort-mark">
                        {sort.key === c.key ? (sort.dir === 1 ? '▲' : '▼') : ''}
                      </span>
                    </button>
                  </th>
                ))}
                <th scope="col" class="cell-sticky">
                  <span class="sr-only">Action</span>
                </th>
              </tr>
            </thead>
            <tbody>
              {visible.map((lead) => (
                <tr key={lead.id} data-lead-id={lead.id} {...engageHandlers(lead.id, onEngage)}>
                  <td data-label="Waiting">
                    <span class="row-tight">
                      <Age since={lead.createdAt} />
                      <NewBadge createdAt={lead.createdAt} />
                      <OverdueBadge lead={lead} />
                    </span>
                  </td>
                  <td data-label="Company" id={`row-${lead.id}`}>
                    <span class="sr-only">{`${leadSummary(lead)}${poolName ? ` (${poolName})` : ''} `}</span>
                    <span class="cell-main">{lead.company ?? '—'}</span>
                    {poolName && (
                      <span class="pill pill-pool" aria-hidden="true">
                        {poolName}
                      </span>
                    )}
                    {lead.jobTitle && <span class="cell-sub muted">{lead.jobTitle}</span>}
                  </td>
                  <td data-label="Industry">{lead.industry ?? ''}</td>
                  <td data-label="Market">{[lead.country, lead.language].filter(Boolean).join(' · ')}</td>
                  <td data-label="Size" class="num">
                    {lead.companySize?.toLocaleString('en') ?? ''}
                  </td>
                  <td data-label="Source">
                    <span class="cell-main">{lead.source ?? ''}</span>
                    {lead.engagement && <span class="cell-sub muted">{fieldText(lead, 'engagement')}</span>}
                  </td>
                  <td class="cell-action cell-sticky">
                    <button
                      type="button"
                      class="btn btn-primary btn-sm"
                      aria-describedby={`row-${lead.id}`}
                      disabled={disabled || pending.has(lead.id)}
                      onClick={() => onClaim(lead.id)}
                    >
                      Claim
                    </button>
                  </td>
                </tr>
              ))}
            </tbody>
          </table>
          {rows.length === 0 && <p class="muted pad">No lead matches “{query}”.</p>}
          {rows.length > visible.length && (
            <div class="show-more">
              <button type="button" class="btn btn-sm" onClick={() => setShown(shown + PAGE_SIZE)}>
                Show {Math.min(PAGE_SIZE, rows.length - visible.length)} more
              </button>
              <span class="muted small">
                {visible.length} of {rows.length} shown
              </span>
            </div>
          )}
        </div>
      )}
    </div>
  );
}

/** Newest or oldest first: a two-button switch (null: the list is sorted by another column). */
export function OrderToggle({ order, onOrder }: { order: LeadOrder | null; onOrder(order: LeadOrder): void }) {
  return (
    <div class="seg seg-sm" role="group" aria-label="Order">
      {(['newest', 'oldest'] as const).map((o) => (
        <button key={o} type="button" class={order === o ? 'active' : ''} aria-pressed={order === o} onClick={() => onOrder(o)}>
          {o === 'newest' ? 'Newest first' : 'Oldest first'}
        </button>
      ))}
    </div>
  );
}
