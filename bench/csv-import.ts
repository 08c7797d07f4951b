// CSV import throughput: a 10,000-row file (realistic fake leads, a few duplicates, invalid
// and disqualified rows) through the real route, POST /api/pools/:poolId/leads/import, on an
// in-process server with the embedded store and, when redis-server is installed, Redis.
// Reports rows per second (every row: parsed, validated, deduped, stored durably, fanned
// out). `npx tsx bench/csv-import.ts` runs it alone; bench/run.ts may call benchCsvImport().
import { fakeLead, seeded } from '../scripts/fake-leads.js';
import type { CsvImportResult } from '../shared/protocol.js';
import { api } from '../test/support/api.js';
import { startInProcess } from '../test/support/server.js';

const ROWS = Number(process.env.BENCH_CSV_ROWS ?? 10_000);

const cell = (v: unknown) => {
  const s = v === undefined || v === null ? '' : String(v);
  return /[",\n\r]/.test(s) ? `"${s.replace(/"/g, '""')}"` : s;
};

/** ROWS data lines: 1 in 100 repeats an earlier externalId, 1 in 100 has a bad email, the rest fake leads. */
export function csvFile(rows = ROWS): string {
  const rand = seeded(42);
  const lines = ['externalId,name,email,phone,company,companySize,country,language,industry,jobTitle,source,campaign'];
  for (let i = 0; i < rows; i++) {
    const lead = fakeLead(i, rand);
    const id = i % 100 === 99 ? `csv-${i - 50}` : `csv-${i}`;
    const email = i % 100 === 42 ? 'not-an-email' : (lead.email ?? '');
    lines.push(
      [
        id,
        lead.name,
        email,
        lead.phone,
        lead.company,
        lead.companySize,
        lead.country,
        lead.language,
        lead.industry,
        lead.jobTitle,
        lead.source,
        `spring-${i % 7}`,
      ]
        .map(cell)
        .join(','),
    );
  }
  return `${lines.join('\n')}\n`;
}

async function importOnce(env: Record<string, string>, label: string, text: string): Promise<{ what: string; value: string }> {
  const server = await startInProcess({ env });
  try {
    const manager = api(server.url, server.managerToken);
    const start = performance.now();
    const res = await manager.post<CsvImportResult>('/api/pools/default/leads/import', text, { 'content-type': 'text/csv' });
    const ms = performance.now() - start;
    if (res.status !== 200) throw new Error(`import answered ${res.status}: ${JSON.stringify(res.body).slice(0, 300)}`);
    const { created, duplicates, disqualified, rejected } = res.body;
    const rows = created + duplicates + disqualified + rejected.length;
    return {
      what: `CSV import, ${label}: ${rows} rows (${created} created, ${duplicates} duplicates, ${rejected.length} rejected) in ${(ms / 1000).toFixed(2)} s`,
      value: `${Math.round(rows / (ms / 1000))} rows/s`,
    };
  } finally {
    await server.close();
  }
}

export async function benchCsvImport(): Promise<{ what: string; value: string }[]> {
  const text = csvFile();
  const out = [await importOnce({}, 'embedded', text)];
  let redis: { url: string; stop(): Promise<void> } | null = null;
  try {
    const { startRedis } = await import('../test/support/redis.js');
    redis = await startRedis();
  } catch (err) {
    out.push({ what: 'CSV import, redis', value: `skipped (${(err as Error).message})` });
  }
  if (redis) {
    try {
      out.push(await importOnce({ REDIS_URL: redis.url, LEADPOOL_REDIS_PREFIX: `benchcsv${Date.now()}` }, 'redis', text));
    } finally {
      await redis.stop();
    }
  }
  return out;
}

if (import.meta.url === `file://${process.argv[1]}` || process.argv[1]?.endsWith('bench/csv-import.ts')) {
  benchCsvImport()
    .then((rows) => {
      for (const r of rows) console.log(`${r.what}: ${r.value}`);
      process.exit(0);
    })
    .catch((err) => {
      console.error(err);
      process.exit(1);
    });
}
