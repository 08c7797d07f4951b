import { useEffect, useState } from 'preact/hooks';
import type { LeadFigures, ReportSummary } from '../../../shared/protocol';
import { saveCsv } from '../lib/download';
import { formatMs, formatTime } from '../lib/format';
import { RANGE_PRESETS, type ReportRange } from '../lib/reportRange';
import { RepBarChart, SpeedChart } from './Charts';

interface Props {
  summary: ReportSummary | null;
  range: ReportRange;
  /** The pools to filter by (id, name); the filter shows with several. */
  pools: { id: string; name: string }[];
  onLoad(range?: ReportRange): Promise<boolean>;
  /** The report as CSV text, or null. */
  onCsv?(): Promise<string | null>;
}

const rate = (r: number | null) => (r === null ? '—' : `${Math.round(r * 100)}%`);
const today = () => {
  const d = new Date();
  return `${d.getFullYear()}-${String(d.getMonth() + 1).padStart(2, '0')}-${String(d.getDate()).padStart(2, '0')}`;
};

function FigureCells({ f, label }: { f: LeadFigures; label: string }) {
  return (
    <>
      <td data-label="Leads" class="num">
        {f.leads}
      </td>
      <td data-label="Claimed" class="num">
        {f.claimed}
      </td>
      <td data-label="Won" class="num">
        {f.won}
      </td>
      <td data-label="Lost" class="num">
        {f.lost}
      </td>
      <td data-label="Win rate" class="num" title={`${label}: won of the leads closed`}>
        {rate(f.winRate)}
      </td>
      <td data-label="Median speed" class="num">
        {formatMs(f.speedToClaimMs.p50)}
      </td>
    </>
  );
}

const FIGURE_HEADS = ['Leads', 'Claimed', 'Won', 'Lost', 'Win rate', 'Median speed'];

/** GET /api/reports/summary for a time range and pool: figures, charts, fairness in words, tables, CSV. */
export function ReportsPanel({ summary, range, pools, onLoad, onCsv }: Props) {
  const [busy, setBusy] = useState(false);
  const load = async (next: ReportRange = range) => {
    setBusy(true);
    await onLoad(next);
    setBusy(false);
  };
  useEffect(() => {
    void load();
  }, []);
  const set = (patch: Partial<ReportRange>) => {
    const next = { ...range, ...patch };
    if (next.preset === 'custom') {
      next.fromDay ??= today();
      next.toDay ??= today();
    }
    void load(next);
  };
  const s = summary;
  return (
    <section class="panel" aria-labelledby="reports-title">
      <div class="panel-head">
        <div>
          <h2 id="reports-title">Reports</h2>
          {s && (
            <p class="muted small" aria-live="polite">
              {s.range.from ? `From ${formatTime(s.range.from)}` : 'All time'}
              {s.range.to ? ` to ${formatTime(s.range.to)}` : ''} · generated {formatTime(s.generatedAt)}
            </p>
          )}
        </div>
        <div class="row-tight">
          <button type="button" class="btn btn-sm" disabled={busy} onClick={() => void load()}>
            Refresh
          </button>
          {onCsv && (
            <button
              type="button"
              class="btn btn-sm"
              onClick={async () => {
                const text = await onCsv();
                if (text !== null) saveCsv(text, 'leadpool-report.csv');
              }}
            >
              Download CSV
            </button>
          )}
        </div>
      </div>
      <div class="pad stack-lg">
        <div class="report-controls">
          <div class="seg" role="group" aria-label="Time range">
            {RANGE_PRESETS.map((p) => (
              <button
                type="button"
                key={p.id}
                class={range.preset === p.id ? 'active' : ''}
                aria-pressed={range.preset === p.id}
                onClick={() => set({ preset: p.id })}
              >
                {p.label}
              </button>
            ))}
          </div>
          {range.preset === 'custom' && (
            <>
              <label class="field" for="report-from">
                <span>From</span>
                <input id="report-from" type="date" value={range.fromDay} onChange={(e) => set({ fromDay: e.currentTarget.value })} />
              </label>
              <label class="field" for="report-to">
                <span>To (included)</span>
                <input id="report-to" type="date" value={range.toDay} onChange={(e) => set({ toDay: e.currentTarget.value })} />
              </label>
            </>
          )}
          {pools.length > 1 && (
            <label class="field" for="report-pool">
              <span>Pools shown</span>
              <select id="report-pool" value={range.poolId} onChange={(e) => set({ poolId: e.currentTarget.value })}>
                <option value="">Every pool</option>
                {pools.map((p) => (
                  <option key={p.id} value={p.id}>
                    {p.name}
                  </option>
                ))}
              </select>
            </label>
          )}
        </div>
        {!s ? (
          <p class="muted">Loading…</p>
        ) : (
          <>
            <div class="tiles tiles-4" data-testid="report-tiles">
              <div class="tile">
                <span class="tile-label">Leads in</span>
                <span class="tile-value" data-testid="report-leads-in">
                  {s.flow.in}
                </span>
                <span class="tile-sub">
                  {s.flow.disqualified} disqualified · {s.flow.claimed} claimed · {s.flow.closed} closed
                </span>
              </div>
              <div class="tile">
                <span class="tile-label">Speed-to-claim (median)</span>
                <span class="tile-value">{formatMs(s.speedToClaimMs.p50)}</span>
                <span class="tile-sub">
                  p90 {formatMs(s.speedToClaimMs.p90)} · max {formatMs(s.speedToClaimMs.max)}
                </span>
              </div>
              <div class="tile">
                <span class="tile-label">Won</span>
                <span class="tile-value">{s.outcomes.won}</span>
                <span class="tile-sub">
                  win rate{' '}
                  {rate(
                    s.outcomes.won + s.outcomes.lost + s.outcomes.unreachable
                      ? s.outcomes.won / (s.outcomes.won + s.outcomes.lost + s.outcomes.unreachable)
                      : null,
                  )}{' '}
                  · {s.outcomes.lost} lost
                </span>
              </div>
              <div class="tile">
                <span class="tile-label">Fairness (Gini)</span>
                <span class="tile-value">{s.fairness.gini === null ? '—' : s.fairness.gini.toFixed(2)}</span>
                <span class="tile-sub">
                  busiest rep {s.fairness.busiest ? `${Math.round(s.fairness.busiest.share * 100)}%` : '—'}
                  {s.overdue !== null ? ` · ${s.overdue} overdue` : ''}
                </span>
              </div>
            </div>
            <div class="report-grid">
              <div class="stack">
                <h3>Speed to claim over time</h3>
                <SpeedChart buckets={s.series.buckets} intervalMs={s.series.intervalMs} />
              </div>
              <div class="stack">
                <h3>Leads per rep</h3>
                <p class="fairness-text" data-testid="fairness-text">
                  {s.fairness.text}
                </p>
                <RepBarChart rows={s.perRep} />
              </div>
            </div>
            <div class="table-scroll">
              <table class="table table-cards reports-table">
                <caption>Per rep</caption>
                <thead>
                  <tr>
                    <th scope="col">Rep</th>
                    {FIGURE_HEADS.slice(0, 2).map((h) => (
                      <th scope="col" class="num" key={h}>
                        {h}
                      </th>
                    ))}
                    <th scope="col" class="num">
                      Share
                    </th>
                    <th scope="col" class="num">
                      Contacted
                    </th>
                    <th scope="col" class="num">
                      Won
                    </th>
                    <th scope="col" class="num">
                      Lost
                    </th>
                    <th scope="col" class="num">
                      Unreachable
                    </th>
                    <th scope="col" class="num">
                      Win rate
                    </th>
                    <th scope="col" class="num">
                      Median speed
                    </th>
                  </tr>
                </thead>
                <tbody>
                  {s.perRep.length === 0 && (
                    <tr>
                      <td colSpan={10} class="muted">
                        No reps.
                      </td>
                    </tr>
                  )}
                  {s.perRep.map((r) => (
                    <tr key={r.repId}>
                      <td data-label="Rep">{r.name}</td>
                      <td data-label="Leads" class="num">
                        {r.leads}
                      </td>
                      <td data-label="Claimed" class="num">
                        {r.claimed}
                      </td>
                      <td data-label="Share" class="num">
                        {rate(r.share)}
                      </td>
                      <td data-label="Contacted" class="num">
                        {r.contacted}
                      </td>
                      <td data-label="Won" class="num">
                        {r.won}
                      </td>
                      <td data-label="Lost" class="num">
                        {r.lost}
                      </td>
                      <td data-label="Unreachable" class="num">
                        {r.unreachable}
                      </td>
                      <td data-label="Win rate" class="num">
                        {rate(r.winRate)}
                      </td>
                      <td data-label="Median speed" class="num">
                        {formatMs(r.medianSpeedToClaimMs)}
                      </td>
                    </tr>
                  ))}
                </tbody>
              </table>
            </div>
            <div class="table-scroll">
              <table class="table table-cards reports-table">
                <caption>Per source: what each lead source is worth</caption>
                <thead>
                  <tr>
                    <th scope="col">Source</th>
                    {FIGURE_HEADS.map((h) => (
                      <th scope="col" class="num" key={h}>
                        {h}
                      </th>
                    ))}
                    <th scope="col" class="num">
                      Disqualified
                    </th>
                  </tr>
                </thead>
                <tbody>
                  {s.perSource.length === 0 && (
                    <tr>
                      <td colSpan={8} class="muted">
                        No lead arrived in this period.
                      </td>
                    </tr>
                  )}
                  {s.perSource.map((r) => (
                    <tr key={r.source}>
                      <td data-label="Source">{r.source}</td>
                      <FigureCells f={r} label={r.source} />
                      <td data-label="Disqualified" class="num">
                        {r.disqualified}
                      </td>
                    </tr>
                  ))}
                </tbody>
              </table>
            </div>
            {s.perPool.length > 1 && (
              <div class="table-scroll">
                <table class="table table-cards reports-table">
                  <caption>Per pool</caption>
                  <thead>
                    <tr>
                      <th scope="col">Pool</th>
                      {FIGURE_HEADS.map((h) => (
                        <th scope="col" class="num" key={h}>
                          {h}
                        </th>
                      ))}
                    </tr>
                  </thead>
                  <tbody>
                    {s.perPool.map((r) => (
                      <tr key={r.poolId}>
                        <td data-label="Pool">{r.name}</td>
                        <FigureCells f={r} label={r.name} />
                      </tr>
                    ))}
                  </tbody>
                </table>
              </div>
            )}
            <div class="report-grid">
              <div class="table-scroll">
                <table class="table reports-table">
                  <caption>Speed by mode</caption>
                  <thead>
                    <tr>
                      <th scope="col">Mode when claimed</th>
                      <th scope="col" class="num">
                        Claims
                      </th>
                      <th scope="col" class="num">
                        Median
                      </th>
                      <th scope="col" class="num">
                        p90
                      </th>
                    </tr>
                  </thead>
                  <tbody>
                    {s.perMode.length === 0 && (
                      <tr>
                        <td colSpan={4} class="muted">
                          No claims recorded with their mode.
                        </td>
                      </tr>
                    )}
                    {s.perMode.map((m) => (
                      <tr key={m.mode}>
                        <td>{m.mode}</td>
                        <td class="num">{m.speedToClaimMs.count}</td>
                        <td class="num">{formatMs(m.speedToClaimMs.p50)}</td>
                        <td class="num">{formatMs(m.speedToClaimMs.p90)}</td>
                      </tr>
                    ))}
                  </tbody>
                </table>
              </div>
              <div class="table-scroll">
                <table class="table reports-table">
                  <caption>Disqualified, by reason</caption>
                  <thead>
                    <tr>
                      <th scope="col">Reason</th>
                      <th scope="col" class="num">
                        Leads
                      </th>
                    </tr>
                  </thead>
                  <tbody>
                    {Object.keys(s.disqualifiedByReason).length === 0 && (
                      <tr>
                        <td colSpan={2} class="muted">
                          None.
                        </td>
                      </tr>
                    )}
                    {Object.entries(s.disqualifiedByReason).map(([reason, n]) => (
                      <tr key={reason}>
                        <td>{reason}</td>
                        <td class="num">{n}</td>
                      </tr>
                    ))}
                  </tbody>
                </table>
              </div>
            </div>
          </>
        )}
      </div>
    </section>
  );
}
