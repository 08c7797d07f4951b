// The scale curve of `npm run bench` as a small standalone SVG: for each store, the
// Leadpool / floor ratios (fan-out p50 and p99, connect, claim ack p50) against the number
// of connected reps (log scale). Null when the run measured fewer than two team sizes.

interface Point {
  store: string;
  reps: number;
  lp: Record<'connect' | 'fanoutP50' | 'fanoutP99' | 'claimP50', number>;
  floor: Record<'connect' | 'fanoutP50' | 'fanoutP99' | 'claimP50', number>;
}

const SERIES = [
  { key: 'fanoutP50', label: 'fan-out p50', color: '#2563eb' },
  { key: 'fanoutP99', label: 'fan-out p99', color: '#9333ea' },
  { key: 'connect', label: 'connect p50', color: '#16a34a' },
  { key: 'claimP50', label: 'claim ack p50', color: '#ea580c' },
] as const;

const esc = (s: string) => s.replace(/&/g, '&amp;').replace(/</g, '&lt;');

export function scaleChart(points: Point[]): string | null {
  const stores = [...new Set(points.map((p) => p.store))].filter((s) => points.filter((p) => p.store === s).length >= 2);
  if (stores.length === 0) return null;
  const W = 300;
  const H = 220;
  const pad = { l: 40, r: 10, t: 28, b: 36 };
  const ratios = points.flatMap((p) => SERIES.map((s) => p.lp[s.key] / p.floor[s.key])).filter(Number.isFinite);
  const yMax = Math.max(2, Math.ceil(Math.max(...ratios) * 2) / 2);
  const reps = points.map((p) => p.reps);
  const [xMin, xMax] = [Math.log10(Math.min(...reps)), Math.log10(Math.max(...reps))];
  const x = (n: number) => pad.l + ((Math.log10(n) - xMin) / (xMax - xMin || 1)) * (W - pad.l - pad.r);
  const y = (r: number) => H - pad.b - (r / yMax) * (H - pad.t - pad.b);
  const panels = stores.map((store, i) => {
    const pts = points.filter((p) => p.store === store).sort((a, b) => a.reps - b.reps);
    const grid = [0, 0.5, 1, 1.5, 2, 3, 4, 5, 6, 8, 10]
      .filter((g) => g <= yMax)
      .map(
        (g) =>
          `<line x1="${pad.l}" x2="${W - pad.r}" y1="${y(g)}" y2="${y(g)}" stroke="${g === 1 ? '#111' : '#ddd'}" stroke-dasharray="${g === 1 ? '4 3' : ''}"/><text x="${pad.l - 4}" y="${y(g) + 3}" text-anchor="end">${g}×</text>`,
      );
    const ticks = pts.map((p) => `<text x="${x(p.reps)}" y="${H - pad.b + 14}" text-anchor="middle">${p.reps.toLocaleString('en')}</text>`);
    const lines = SERIES.map((s) => {
      const xy = pts.map((p) => [x(p.reps), y(p.lp[s.key] / p.floor[s.key])] as const).filter(([, v]) => Number.isFinite(v));
      return `<polyline fill="none" stroke="${s.color}" stroke-width="2" points="${xy.map(([a, b]) => `${a.toFixed(1)},${b.toFixed(1)}`).join(' ')}"/>${xy.map(([a, b]) => `<circle cx="${a.toFixed(1)}" cy="${b.toFixed(1)}" r="2.5" fill="${s.color}"/>`).join('')}`;
    });
    return `<g transform="translate(${i * W},0)"><text x="${W / 2}" y="16" text-anchor="middle" font-weight="bold">${esc(store)}</text>${grid.join('')}${ticks.join('')}<text x="${W / 2}" y="${H - 6}" text-anchor="middle">connected reps</text>${lines.join('')}</g>`;
  });
  const legend = SERIES.map(
    (s, i) =>
      `<g transform="translate(${10 + i * 130},${H + 8})"><rect width="12" height="4" y="-4" fill="${s.color}"/><text x="16" y="0">${s.label}</text></g>`,
  );
  const width = W * stores.length;
  return `<svg xmlns="http://www.w3.org/2000/svg" width="${width}" height="${H + 20}" viewBox="0 0 ${width} ${H + 20}" font-family="sans-serif" font-size="10" role="img" aria-label="Leadpool / floor ratios by connected reps"><title>Leadpool / floor ratios by connected reps (1× = the floor)</title><rect width="100%" height="100%" fill="#fff"/>${panels.join('')}${legend.join('')}</svg>\n`;
}
