import { useEffect } from 'preact/hooks';
import { OUTCOMES, type ReportSummary } from '../../../shared/protocol';
import { formatMs, formatTime } from '../lib/format';

/** GET /api/reports/summary: speed-to-claim, per-rep counts and outcomes, fairness. */
export function ReportsPanel({ summary, onLoad }: { summary: ReportSummary | null; onLoad(): Promise<boolean> }) {
  useEffect(() => {
    void onLoad();
  }, []);
  return (
    <section class="panel" aria-labelledby="reports-title">
      <div class="panel-head">
        <div>
          <h2 id="reports-title">Reports</h2>
          {summary && <p class="muted small">Generated {formatTime(summary.generatedAt)}</p>}
        </div>
        <button type="button" class="btn btn-sm" onClick={() => void onLoad()}>
          Refresh
        </button>
      </div>
      {!summary ? (
        <p class="muted pad">Loading…</p>
      ) : (
        <div class="pad stack-lg">
          <div class="tiles tiles-4">
            <div class="tile">
              <span class="tile-label">Leads</span>
              <span class="tile-value">{summary.leads.total}</span>
              <span class="tile-sub">
                {summary.leads.open} open · {summary.leads.claimed} claimed · {summary.leads.closed} closed
              </span>
            </div>
            <div class="tile">
              <span class="tile-label">Speed-to-claim (median)</span>
              <span class="tile-value">{formatMs(summary.speedToClaimMs.median)}</span>
              <span class="tile-sub">
                p90 {formatMs(summary.speedToClaimMs.p90)} · {summary.speedToClaimMs.count} claims
              </span>
            </div>
            <div class="tile">
              <span class="tile-label">Fairness (Jain)</span>
              <span class="tile-value">{summary.fairness.jainIndex === null ? '—' : summary.fairness.jainIndex.toFixed(2)}</span>
              <span class="tile-sub">
                top share {summary.fairness.maxShare === null ? '—' : `${Math.round(summary.fairness.maxShare * 100)}%`}
              </span>
            </div>
            <div class="tile">
              <span class="tile-label">Won</span>
              <span class="tile-value">{summary.outcomes.won}</span>
              <span class="tile-sub">
                {summary.outcomes.lost} lost · {summary.outcomes.unreachable} unreachable
              </span>
            </div>
          </div>
          <div class="table-scroll">
            <table class="table table-cards reports-table">
              <caption class="sr-only">Per rep</caption>
              <thead>
                <tr>
                  <th scope="col">Rep</th>
                  <th scope="col" class="num">
                    Claimed
                  </th>
                  <th scope="col" class="num">
                    Open now
                  </th>
                  {OUTCOMES.map((o) => (
                    <th scope="col" class="num" key={o}>
                      {o[0].toUpperCase() + o.slice(1)}
                    </th>
                  ))}
                  <th scope="col" class="num">
                    Median speed
                  </th>
                </tr>
              </thead>
              <tbody>
                {summary.perRep.length === 0 && (
                  <tr>
                    <td colSpan={8} class="muted">
                      No claims yet.
                    </td>
                  </tr>
                )}
                {summary.perRep.map((r) => (
                  <tr key={r.repId}>
                    <td data-label="Rep">{r.name}</td>
                    <td data-label="Claimed" class="num">
                      {r.claimed}
                    </td>
                    <td data-label="Open now" class="num">
                      {r.active}
                    </td>
                    {OUTCOMES.map((o) => (
                      <td data-label={o[0].toUpperCase() + o.slice(1)} class="num" key={o}>
                        {r.outcomes[o] ?? 0}
                      </td>
                    ))}
                    <td data-label="Median speed" class="num">
                      {formatMs(r.medianSpeedToClaimMs)}
                    </td>
                  </tr>
                ))}
              </tbody>
            </table>
          </div>
        </div>
      )}
    </section>
  );
}
