// A real webhook receiver for tests: node:http on a free loopback port. It records every
// request (headers, raw body), answers as the test says (a status, or hang: never answer),
// verifies signatures the way docs/API.md tells receivers to, and tracks the attempts in
// flight per delivery id (no two at once, in a cluster).
import { createHmac, timingSafeEqual } from 'node:crypto';
import { createServer, type IncomingHttpHeaders, type IncomingMessage, type ServerResponse } from 'node:http';
import type { AddressInfo } from 'node:net';
import type { WebhookPayload } from '../../shared/protocol.js';

export interface Received {
  headers: IncomingHttpHeaders;
  raw: string;
  body: WebhookPayload;
  /** What the receiver answered (null: it hung). */
  answered: number | null;
}

/** What to answer to a request: a status, a status after a delay, or 'hang' (never). */
export type Answer = number | { status: number; afterMs: number } | 'hang';

export interface Receiver {
  url: string;
  received: Received[];
  /** Decides each answer; default 200. `n` is this delivery id's attempt number here (1, 2, ...). */
  answer: (req: Received, n: number) => Answer;
  /** Requests per delivery id. */
  attempts(deliveryId: string): number;
  /** The most requests for one delivery id seen in flight at once. */
  maxConcurrentPerDelivery(): number;
  /** Requests answered 2xx, per delivery id. */
  delivered(): Map<string, number>;
  close(): Promise<void>;
}

/** Verifies `Leadpool-Signature` as docs/API.md shows a receiver doing it. */
export function verifySignature(secret: string, raw: string, header: string | undefined, toleranceS = 300): boolean {
  const parts = Object.fromEntries((header ?? '').split(',').map((kv) => kv.split('=', 2) as [string, string]));
  const t = Number(parts.t);
  if (!Number.isInteger(t) || Math.abs(Date.now() / 1000 - t) > toleranceS || !parts.v1) return false;
  const expected = createHmac('sha256', secret).update(`${t}.${raw}`).digest();
  const given = Buffer.from(parts.v1, 'hex');
  return given.length === expected.length && timingSafeEqual(given, expected);
}

export async function startReceiver(answer: Receiver['answer'] = () => 200): Promise<Receiver> {
  const received: Received[] = [];
  const counts = new Map<string, number>();
  const inFlight = new Map<string, number>();
  const ok = new Map<string, number>();
  const hanging = new Set<ServerResponse>();
  let maxConcurrent = 0;
  const r: Receiver = {
    url: '',
    received,
    answer,
    attempts: (id) => counts.get(id) ?? 0,
    maxConcurrentPerDelivery: () => maxConcurrent,
    delivered: () => ok,
    close: () =>
      new Promise((resolve) => {
        for (const res of hanging) res.destroy();
        server.closeAllConnections();
        server.close(() => resolve());
      }),
  };
  const server = createServer((req: IncomingMessage, res: ServerResponse) => {
    const chunks: Buffer[] = [];
    req.on('data', (c: Buffer) => chunks.push(c));
    req.on('end', () => {
      const raw = Buffer.concat(chunks).toString('utf8');
      let body: WebhookPayload;
      try {
        body = JSON.parse(raw) as WebhookPayload;
      } catch {
        res.writeHead(400).end();
        return;
      }
      const id = String(req.headers['leadpool-delivery'] ?? '');
      const n = (counts.get(id) ?? 0) + 1;
      counts.set(id, n);
      const now = (inFlight.get(id) ?? 0) + 1;
      inFlight.set(id, now);
      maxConcurrent = Math.max(maxConcurrent, now);
      const entry: Received = { headers: req.headers, raw, body, answered: null };
      received.push(entry);
      const done = (status: number) => {
        inFlight.set(id, (inFlight.get(id) ?? 1) - 1);
        entry.answered = status;
        if (status >= 200 && status < 300) ok.set(id, (ok.get(id) ?? 0) + 1);
        res.writeHead(status, { 'content-type': 'text/plain' }).end('ok');
      };
      const a = r.answer(entry, n);
      if (a === 'hang') {
        hanging.add(res);
        res.on('close', () => {
          if (entry.answered === null) inFlight.set(id, (inFlight.get(id) ?? 1) - 1);
        });
      } else if (typeof a === 'number') done(a);
      else setTimeout(() => done(a.status), a.afterMs);
    });
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  r.url = `http://127.0.0.1:${(server.address() as AddressInfo).port}/hook`;
  return r;
}
