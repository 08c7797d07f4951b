// Plain SVG charts for the reports view (no library, nothing from a CDN). Each chart is an
// image with a title and a description for screen readers, and its figures as a table
// beside it (a disclosure), so nothing is only in the picture.
import type { ReportBucket } from '../../../shared/protocol';
import { formatMs } from '../lib/format';

const W = 640;
const H = 200;
const PAD = { left: 56, right: 12, top: 12, bottom: 28 };

/** A bucket start as a short label: hours within a day or two, else the date. */
function bucketLabel(iso: string, intervalMs: number): string {
  const d = new Date(iso);
  return intervalMs < 86_400_000
    ? d.toLocaleString(undefined, { month: 'short', day: 'numeric', hour: '2-digit', minute: '2-digit' })
    : d.toLocaleDateString(undefined, { month: 'short', day: 'numeric' });
}

/** Speed to claim over time: p50 (solid) and p90 (dashed) per arrival bucket. */
export function SpeedChart({ buckets, intervalMs }: { buckets: ReportBucket[]; intervalMs: number }) {
  const values = buckets.flatMap((b) => [b.p50, b.p90]).filter((v): v is number => v !== null);
  const top = Math.max(1, ...values);
  const n = Math.max(1, buckets.length - 1);
  const x = (i: number) => PAD.left + (i / n) * (W - PAD.left - PAD.right);
  const y = (v: number) => H - PAD.bottom - (v / top) * (H - PAD.top - PAD.bottom);
  /** A polyline per run of buckets that have a value (gaps where nothing was claimed). */
  const runs = (pick: (b: ReportBucket) => number | null) => {
    const out: string[] = [];
    let cur: string[] = [];
    buckets.forEach((b, i) => {
      const v = pick(b);
      if (v === null) {
        if (cur.length) out.push(cur.join(' '));
        cur = [];
      } else cur.push(`${x(i).toFixed(1)},${y(v).toFixed(1)}`);
    });
    if (cur.length) out.push(cur.join(' '));
    return out;
  };
  const claimed = buckets.reduce((s, b) => s + b.claimed, 0);
  const worst = buckets.reduce<ReportBucket | null>((w, b) => (b.p50 !== null && (w?.p50 ?? -1) < b.p50 ? b : w), null);
  const desc = claimed
    ? `Median and 90th percentile speed to claim of ${claimed} claimed leads, in ${buckets.length} buckets. ` +
      (worst ? `Slowest median: ${formatMs(worst.p50)} for leads that arrived ${bucketLabel(worst.start, intervalMs)}.` : '')
    : 'No lead was claimed in this period.';
  return (
    <figure class="chart">
      <svg viewBox={`0 0 ${W} ${H}`} role="img" aria-labelledby="speed-chart-title speed-chart-desc" class="chart-svg">
        <title id="speed-chart-title">Speed to claim over time</title>
        <desc id="speed-chart-desc">{desc}</desc>
        <line x1={PAD.left} y1={H - PAD.bottom} x2={W - PAD.right} y2={H - PAD.bottom} class="chart-axis" />
        <line x1={PAD.left} y1={PAD.top} x2={PAD.left} y2={H - PAD.bottom} class="chart-axis" />
        <text x={PAD.left - 6} y={PAD.top + 4} class="chart-label" text-anchor="end">
          {formatMs(top)}
        </text>
        <text x={PAD.left - 6} y={H - PAD.bottom} class="chart-label" text-anchor="end">
          0
        </text>
        {buckets.length > 0 && (
          <>
            <text x={PAD.left} y={H - 8} class="chart-label">
              {bucketLabel(buckets[0].start, intervalMs)}
            </text>
            <text x={W - PAD.right} y={H - 8} class="chart-label" text-anchor="end">
              {bucketLabel(buckets[buckets.length - 1].start, intervalMs)}
            </text>
          </>
        )}
        {runs((b) => b.p90).map((pts) => (
          <polyline key={`p90${pts}`} points={pts} class="chart-line chart-line-p90" />
        ))}
        {runs((b) => b.p50).map((pts) => (
          <polyline key={`p50${pts}`} points={pts} class="chart-line" />
        ))}
        {buckets.map((b, i) => (b.p50 === null ? null : <circle key={b.start} cx={x(i)} cy={y(b.p50)} r={2.5} class="chart-dot" />))}
      </svg>
      <figcaption class="small muted">
        <span class="chart-key" /> median <span class="chart-key chart-key-p90" /> 90th percentile, by arrival time
      </figcaption>
      <details class="chart-table">
        <summary>Speed to claim as a table</summary>
        <div class="table-scroll">
          <table class="table">
            <caption class="sr-only">Speed to claim by arrival time</caption>
            <thead>
              <tr>
                <th scope="col">Arrived from</th>
                <th scope="col" class="num">
                  Leads
                </th>
                <th scope="col" class="num">
                  Claimed
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
              {buckets
                .filter((b) => b.leads > 0)
                .map((b) => (
                  <tr key={b.start}>
                    <td>{bucketLabel(b.start, intervalMs)}</td>
                    <td class="num">{b.leads}</td>
                    <td class="num">{b.claimed}</td>
                    <td class="num">{formatMs(b.p50)}</td>
                    <td class="num">{formatMs(b.p90)}</td>
                  </tr>
                ))}
            </tbody>
          </table>
        </div>
      </details>
    </figure>
  );
}

/** Leads per rep as horizontal bars (busiest first), with each rep's share. */
export function RepBarChart({ rows }: { rows: { repId: string; name: string; leads: number; share: number }[] }) {
  const list = rows.filter((r) => r.leads > 0).sort((a, b) => b.leads - a.leads);
  const top = Math.max(1, ...list.map((r) => r.leads));
  const rowH = 26;
  const h = Math.max(1, list.length) * rowH + 8;
  const labelW = 150;
  const barW = W - labelW - 90;
  const desc = list.length
    ? list.map((r) => `${r.name}: ${r.leads} (${Math.round(r.share * 100)}%)`).join('; ')
    : 'No rep took a lead in this period.';
  return (
    <figure class="chart">
      <svg viewBox={`0 0 ${W} ${h}`} role="img" aria-labelledby="rep-chart-title rep-chart-desc" class="chart-svg">
        <title id="rep-chart-title">Leads per rep</title>
        <desc id="rep-chart-desc">{desc}</desc>
        {list.map((r, i) => {
          const y0 = 4 + i * rowH;
          const w = Math.max(2, (r.leads / top) * barW);
          return (
            <g key={r.repId}>
              <text x={labelW - 8} y={y0 + rowH / 2 + 4} class="chart-label" text-anchor="end">
                {r.name.length > 22 ? `${r.name.slice(0, 21)}…` : r.name}
              </text>
              <rect x={labelW} y={y0 + 3} width={w} height={rowH - 8} rx={3} class="chart-bar" />
              <text x={labelW + w + 6} y={y0 + rowH / 2 + 4} class="chart-label">
                {r.leads} · {Math.round(r.share * 100)}%
              </text>
            </g>
          );
        })}
      </svg>
      <details class="chart-table">
        <summary>Leads per rep as a table</summary>
        <div class="table-scroll">
          <table class="table">
            <caption class="sr-only">Leads per rep</caption>
            <thead>
              <tr>
                <th scope="col">Rep</th>
                <th scope="col" class="num">
                  Leads
                </th>
                <th scope="col" class="num">
                  Share
                </th>
              </tr>
            </thead>
            <tbody>
              {list.map((r) => (
                <tr key={r.repId}>
                  <td>{r.name}</td>
                  <td class="num">{r.leads}</td>
                  <td class="num">{Math.round(r.share * 100)}%</td>
                </tr>
              ))}
            </tbody>
          </table>
        </div>
      </details>
    </figure>
  );
}
