// Feed simulator: `npm run feed -- --rate 2` posts realistic fake leads to a running
// server, like an ad network or web form would. `--help` prints the usage below.
import { parseArgs } from 'node:util';
import { fakeLead } from './fake-leads.js';

const USAGE = `Usage: npm run feed -- [options]

Posts realistic fake leads to a running Leadpool server, as a lead source would.

Options:
  --url <address>   server address (default http://127.0.0.1:$PORT, or :3000)
  --key <key>       feed key (default $LEADPOOL_FEED_KEY; printed by the server on its first start,
                    or create one per source in the dashboard)
  --pool <id>       post into this pool (POST /api/pools/<id>/leads); default: the key's first pool
  --rate <n>        leads per second (default 1)
  --count <n>       stop after this many (default: run until Ctrl-C)
  -h, --help        show this help`;

function parse() {
  try {
    return parseArgs({
      options: {
        url: { type: 'string', default: `http://127.0.0.1:${process.env.PORT ?? 3000}` },
        key: { type: 'string', default: process.env.LEADPOOL_FEED_KEY },
        pool: { type: 'string' },
        rate: { type: 'string', default: '1' },
        count: { type: 'string' },
        help: { type: 'boolean', short: 'h', default: false },
      },
    }).values;
  } catch (err) {
    // An unknown flag or a missing value: one line, then where the usage is.
    console.error(`feed: ${(err as Error).message.split('\n')[0]} (see npm run feed -- --help)`);
    process.exit(2);
  }
}

const values = parse();
if (values.help) {
  console.log(USAGE);
  process.exit(0);
}
const rate = Number(values.rate);
const count = values.count === undefined ? Infinity : Number(values.count);
if (!values.key) {
  console.error('feed: no feed key. Pass --key <key> or set LEADPOOL_FEED_KEY (the server prints it on its first start).');
  process.exit(2);
}
if (!(rate > 0) || !(count > 0)) {
  console.error('feed: --rate and --count must be positive numbers');
  process.exit(2);
}

let sent = 0;
let stopped = false;
process.on('SIGINT', () => (stopped = true));

while (!stopped && sent < count) {
  const lead = fakeLead(sent);
  try {
    const path = values.pool ? `/api/pools/${encodeURIComponent(values.pool)}/leads` : '/api/leads';
    const res = await fetch(`${values.url}${path}`, {
      method: 'POST',
      headers: { authorization: `Bearer ${values.key}`, 'content-type': 'application/json' },
      body: JSON.stringify(lead),
    });
    const body = (await res.json()) as { lead?: { id: string; status: string }; error?: { code: string; message: string } };
    if (res.ok) console.log(`${res.status} ${body.lead!.id} ${body.lead!.status} ${lead.country} ${lead.industry} ${lead.companySize}`);
    else console.log(`${res.status} ${body.error?.code}: ${body.error?.message}`);
    if (res.status === 401 || res.status === 403) process.exit(1);
  } catch (err) {
    console.log(`cannot reach ${values.url}: ${(err as Error).message}`);
  }
  sent++;
  if (sent < count) await new Promise((r) => setTimeout(r, 1000 / rate));
}
