// The lead list on a 100,000-lead store (docs/API.md, GET /api/leads): the embedded store
// filled through the Store API directly (LEADS, BENCH_LEAD_SEARCH_LEADS), then each search
// and filter of the dashboard's Leads tab timed (median of RUNS). Runs alone with
// `npx tsx bench/lead-search.ts`; `npm run bench` may call benchLeadSearch().
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fakeLead, seeded } from '../scripts/fake-leads.js';
import type { LeadSearch } from '../server/domain/search.js';
import { EmbeddedStore } from '../server/store/embedded.js';
import { DEFAULT_POOL } from '../shared/protocol.js';

const LEADS = Number(process.env.BENCH_LEAD_SEARCH_LEADS ?? 100_000);
const RUNS = 21;
const BATCH = 2_000;

const median = (xs: number[]) => [...xs].sort((a, b) => a - b)[Math.floor(xs.length / 2)];

export async function benchLeadSearch(): Promise<{ what: string; value: string }[]> {
  const dir = mkdtempSync(join(tmpdir(), 'leadpool-bench-search-'));
  const store = new EmbeddedStore(dir);
  const out: { what: string; value: string }[] = [];
  try {
    await store.init();
    const random = seeded(7);
    const started = performance.now();
    let probeEmail = '';
    for (let done = 0; done < LEADS; done += BATCH) {
      const n = Math.min(BATCH, LEADS - done);
      // A batch at once: the group commit writes it in a few file writes, as under load.
      await Promise.all(
        Array.from({ length: n }, (_, i) => {
          const input = fakeLead(done + i, random);
          if (done + i === Math.floor(LEADS / 3)) probeEmail = input.email ?? '';
          return store.insertLead({ ...input, poolId: DEFAULT_POOL, status: 'open', eligible: '*' });
        }),
      );
    }
    out.push({
      what: `fill: ${LEADS} leads through Store.insertLead`,
      value: `${Math.round(LEADS / ((performance.now() - started) / 1000))} leads/s`,
    });
    const start = performance.now();
    await store.close();
    const reopened = new EmbeddedStore(dir);
    await reopened.init();
    out.push({ what: `load ${LEADS} leads and build the indexes`, value: `${Math.round(performance.now() - start)} ms` });
    const first = await reopened.searchLeads({ limit: 50 });
    const time = async (what: string, q: Omit<LeadSearch, 'limit'>) => {
      const ms: number[] = [];
      let found = 0;
      for (let i = 0; i < RUNS; i++) {
        const t = performance.now();
        found = (await reopened.searchLeads({ limit: 50, ...q })).leads.length;
        ms.push(performance.now() - t);
      }
      out.push({ what: `search: ${what} (${found} shown)`, value: `${median(ms).toFixed(2)} ms median` });
    };
    const mid = first.leads[0].createdAt;
    await time('newest 50, no filter', {});
    await time('by an email (full)', { q: probeEmail });
    await time('by an email prefix (4 letters)', { q: probeEmail.slice(0, 4) });
    await time('by a 2-letter prefix (scan in order)', { q: probeEmail.slice(0, 2) });
    await time('status open', { status: 'open' });
    await time('status closed (none: every lead checked)', { status: 'closed' });
    await time('country GB and a source', { country: 'GB', source: first.leads[0].source ?? 'web' });
    await time('a time range (before the newest)', { to: mid });
    await time('page 2 with the cursor', { ...(first.next ? { before: first.next } : {}) });
    await reopened.close();
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
  return out;
}

if (import.meta.url === `file://${process.argv[1]}`) {
  const rows = await benchLeadSearch();
  for (const r of rows) console.log(`${r.what.padEnd(60)} ${r.value}`);
}
