// The floor of `npm run bench`: a bare Express + Socket.IO server doing the least possible
// for each job the bench measures, with Leadpool's wire names (shared/events.ts), so the
// same clients drive both and a ratio of 1 means "Leadpool adds nothing to Socket.IO".
//   POST /api/reps   a token for a rep (kept in a Map; Redis: a hash, so every process knows it)
//   /rep connect     token looked up (one HGET on Redis), `pool:state` with the open leads
//   POST /api/leads  an id, kept open, `lead:offered` to every connected rep
//   POST /api/pools/default/leads/import   the same for each row of the bench's CSV
//   lead:claim       first wins (a Map; Redis: SET NX), ack, `lead:gone` to the others
//   lead:outcome     ack (the bench's reps settle what they won between rounds; nothing is kept)
//   GET /metrics     the two memory figures the bench reads (same names as prom-client's)
// Run: `tsx bench/floor-server.ts` (PORT, REDIS_URL, FLOOR_PREFIX, LEADPOOL_MANAGER_TOKEN,
// LEADPOOL_FEED_KEY); prints "listening on http://host:port" like server/main.ts.
import { randomBytes, randomUUID } from 'node:crypto';
import { createServer } from 'node:http';
import { createAdapter } from '@socket.io/redis-adapter';
import express from 'express';
import { createClient } from 'redis';
import { Server } from 'socket.io';
import { EV } from '../shared/events.js';

const managerToken = process.env.LEADPOOL_MANAGER_TOKEN ?? 'floor-manager';
const feedKey = process.env.LEADPOOL_FEED_KEY ?? 'floor-feed';
const redisUrl = process.env.REDIS_URL;
const prefix = process.env.FLOOR_PREFIX ?? 'floor';
const POOL = 'default';

type Lead = Record<string, unknown> & { id: string; createdAt: string; poolId: string; status: string };

const app = express();
app.use(express.json({ limit: '1mb' }));
const http = createServer(app);
const io = new Server(http, { transports: ['websocket'] });
const reps = io.of('/rep');

const tokens = new Map<string, string>();
const open = new Map<string, Lead>();
const claimed = new Set<string>();
let redis: ReturnType<typeof createClient> | null = null;

const bearer = (h: string | undefined) => (h?.startsWith('Bearer ') ? h.slice(7) : undefined);

app.post('/api/reps', async (req, res) => {
  if (bearer(req.headers.authorization) !== managerToken) return void res.status(401).end();
  const id = `rep_${randomUUID().slice(0, 16)}`;
  const token = `r_${randomBytes(16).toString('hex')}`;
  if (redis) await redis.hSet(`${prefix}:tokens`, token, id);
  else tokens.set(token, id);
  res.status(201).json({ rep: { id, name: req.body?.name }, token });
});

function offer(input: Record<string, unknown>): Lead {
  const lead: Lead = {
    ...input,
    id: `lead_${randomUUID().slice(0, 16)}`,
    poolId: POOL,
    status: 'open',
    createdAt: new Date().toISOString(),
  };
  // Redis: no shared open set (the bench claims every lead, so snapshots are empty anyway).
  if (!redis) open.set(lead.id, lead);
  reps.emit(EV.leadOffered, lead);
  return lead;
}

app.post('/api/leads', (req, res) => {
  if (bearer(req.headers.authorization) !== feedKey) return void res.status(401).end();
  res.status(201).json({ lead: offer(req.body), duplicate: false });
});

// The bench's CSV (bench/run.ts leadsCsv: a header, no quoting): each row a lead as POST /api/leads takes it.
app.post('/api/pools/:poolId/leads/import', express.text({ type: 'text/csv', limit: '10mb' }), (req, res) => {
  if (bearer(req.headers.authorization) !== managerToken) return void res.status(401).end();
  const [header, ...rows] = String(req.body).split('\n');
  const fields = header.split(',');
  let created = 0;
  for (const row of rows) {
    if (!row) continue;
    const cells = row.split(',');
    const input = Object.fromEntries(fields.flatMap((f, i) => (cells[i] ? [[f, cells[i]]] : [])));
    offer(input);
    created++;
  }
  res.json({ created, duplicates: 0, disqualified: 0, rejected: [] });
});

app.get('/metrics', (_req, res) => {
  const m = process.memoryUsage();
  res.type('text/plain').send(`process_resident_memory_bytes ${m.rss}\nnodejs_heap_size_used_bytes ${m.heapUsed}\n`);
});

reps.use(async (socket, next) => {
  const token = (socket.handshake.auth as { token?: unknown })?.token;
  let repId: string | null | undefined;
  try {
    repId = typeof token !== 'string' ? undefined : redis ? await redis.hGet(`${prefix}:tokens`, token) : tokens.get(token);
  } catch {
    return next(new Error('store unavailable'));
  }
  if (!repId) return next(new Error('unauthorized'));
  socket.data.repId = repId;
  next();
});

reps.on('connection', (socket) => {
  socket.on('error', () => {});
  const leads = [...open.values()].slice(0, 500);
  socket.emit(EV.poolState, { poolId: POOL, mode: 'shark-tank', you: { id: socket.data.repId }, leads, mine: [], waiting: open.size });
  socket.on(EV.claim, async (payload: { leadId?: unknown }, ack: (a: unknown) => void) => {
    if (typeof ack !== 'function') return;
    const leadId = payload?.leadId;
    if (typeof leadId !== 'string') return ack({ ok: false, error: { code: 'INVALID', message: 'leadId' } });
    let won: boolean;
    try {
      won = redis ? (await redis.set(`${prefix}:claim:${leadId}`, socket.data.repId, { NX: true })) === 'OK' : !claimed.has(leadId);
    } catch {
      // (unanswered, a rejection here would end the process: a third of the bench's sockets)
      return ack({ ok: false, error: { code: 'STORE_UNAVAILABLE', message: 'store' } });
    }
    if (!won) return ack({ ok: false, error: { code: 'ALREADY_CLAIMED', message: 'claimed' } });
    claimed.add(leadId);
    const lead = { ...(open.get(leadId) ?? { id: leadId, poolId: POOL }), status: 'claimed', claimedBy: socket.data.repId };
    open.delete(leadId);
    ack({ ok: true, lead });
    socket.broadcast.emit(EV.leadGone, { leadId, poolId: POOL, reason: 'claimed' });
  });
  socket.on(EV.outcome, (payload: { leadId?: unknown; outcome?: unknown }, ack: (a: unknown) => void) => {
    if (typeof ack !== 'function') return;
    const { leadId, outcome } = payload ?? {};
    if (typeof leadId !== 'string' || typeof outcome !== 'string')
      return ack({ ok: false, error: { code: 'INVALID', message: 'leadId, outcome' } });
    ack({ ok: true, lead: { id: leadId, poolId: POOL, status: outcome, claimedBy: socket.data.repId } });
  });
});

async function main(): Promise<void> {
  if (redisUrl) {
    // No per-command timeout, as Leadpool's clients (server/store/redis/store.ts): no timer per command.
    redis = createClient({ url: redisUrl, commandOptions: { timeout: 0 } });
    const pub = createClient({ url: redisUrl, RESP: 2, commandOptions: { timeout: 0 } });
    const sub = pub.duplicate();
    for (const c of [redis, pub, sub]) c.on('error', () => {});
    await Promise.all([redis.connect(), pub.connect(), sub.connect()]);
    io.adapter(createAdapter(pub, sub, { key: `${prefix}:sio` }));
  }
  await new Promise<void>((r) => http.listen(Number(process.env.PORT ?? 0), process.env.HOST ?? '127.0.0.1', r));
  const { address, port } = http.address() as { address: string; port: number };
  console.log(`floor listening on http://${address}:${port}${redisUrl ? ' (redis)' : ''}`);
  process.on('SIGTERM', () => {
    io.close();
    process.exit(0);
  });
}

main().catch((err) => {
  console.error(err);
  process.exit(1);
});
