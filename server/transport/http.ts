// HTTP API: authenticate, parse, call the service, answer. Thin by design; every error
// leaves in the envelope `{ error: { code, message, details? } }`. Every answer carries the
// security headers (transport/security.ts) and an X-Request-Id, and is logged as one JSON
// line (server/log.ts) and counted (server/metrics.ts).
import { createHash, randomUUID, timingSafeEqual } from 'node:crypto';
import express, { type NextFunction, type Request, type Response } from 'express';
import type { ZodType } from 'zod';
import { type AuditActor, DEFAULT_POOL } from '../../shared/protocol.js';
import {
  AssignSchema,
  EventsQuery,
  FeedCreateSchema,
  FormCreateSchema,
  FormPatchSchema,
  issuesOf,
  LeadInputSchema,
  LeadListQuery,
  ModeSchema,
  MyLeadsQuery,
  PoolCreateSchema,
  PoolPatchSchema,
  RepCreateSchema,
  RepListQuery,
  ReportQuery,
  RepPatchSchema,
  RulesPreviewSchema,
  RulesSchema,
  SettingsPatchSchema,
  WebhookCreateSchema,
  WebhookPatchSchema,
} from '../../shared/schemas.js';
import type { CredentialSource, Credentials, Principal, Role } from '../auth.js';
import { CsvError, csvHeader, csvRow } from '../domain/csv.js';
import { csvToLeads } from '../domain/csv-leads.js';
import { ApiError, toApiError } from '../errors.js';
import type { RequestLine } from '../log.js';
import { httpRequests, metricsText } from '../metrics.js';
import type { Service } from '../service/index.js';
import type { Logger } from '../service/logger.js';
import type { Viewer } from '../service/reads.js';
import { formPages, publicForm, requestOrigin } from './forms.js';
import { securityHeaders } from './security.js';

interface HttpDeps {
  service: Service;
  credentials: Credentials;
  /** With `request`, one line per answered request (server/log.ts). */
  log: Logger & { request?(line: RequestLine): void; readonly requests?: boolean };
  /** /healthz: store and (Redis) adapter connections ready. */
  health(): Promise<boolean>;
  storeKind: 'embedded' | 'redis';
  /** POST /api/leads per credential per second on this process (0 = off). */
  ingestRate: number;
  /** Serves the web app (static build) after the API routes. */
  web?: express.Router;
  /** GET /metrics also takes this bearer token (LEADPOOL_METRICS_TOKEN), besides the manager's. */
  metricsToken?: string;
  /** true once the process is stopping: every answer closes its connection, so clients reconnect elsewhere. */
  closing?(): boolean;
  /** Hosted forms: the origin their `url` starts with (else the request's), the submissions one address may send per minute (0 = off). */
  forms?: { publicOrigin?: string; submitsPerMinute: number };
}

type Handler = (req: Request, res: Response, who: Principal) => Promise<void>;

function parse<T>(schema: ZodType<T>, value: unknown): T {
  if (value === undefined) throw new ApiError('INVALID', 'a JSON body is required');
  const result = schema.safeParse(value);
  if (!result.success) throw new ApiError('INVALID', 'the request is invalid', issuesOf(result.error));
  return result.data;
}

/** A request id from the client or a proxy (X-Request-Id) when it is a plain token, else a new one. */
function requestId(header: string | string[] | undefined): string {
  return typeof header === 'string' && /^[A-Za-z0-9._:-]{1,128}$/.test(header) ? header : randomUUID();
}

const sha256 = (s: string) => createHash('sha256').update(s).digest();

/** Where a bearer token comes from: wrong ones count against the address (429 with Retry-After past its budget). */
const credentialSource = (req: Request, res: Response): CredentialSource => ({
  address: req.socket.remoteAddress,
  retryAfter: (seconds) => res.setHeader('Retry-After', String(seconds)),
});

function bearer(req: Request): string | undefined {
  const header = req.headers.authorization;
  const match = header ? /^Bearer\s+(\S+)\s*$/i.exec(header) : null;
  return match?.[1];
}

export function createHttpApp(deps: HttpDeps): express.Express {
  const { credentials, log } = deps;
  const { leads, pool, reps, feeds, reads } = deps.service;
  const app = express();
  app.disable('x-powered-by');
  app.set('trust proxy', false);

  // First: the request id, the log line and the count of every answer, whatever answers it.
  app.use((req, res, next) => {
    const start = performance.now();
    const reqId = requestId(req.headers['x-request-id']);
    res.locals.reqId = reqId;
    res.setHeader('X-Request-Id', reqId);
    if (deps.closing?.()) res.setHeader('Connection', 'close');
    res.once('close', () => {
      const route: string = res.locals.route ?? (res.statusCode === 404 ? 'unmatched' : 'web');
      httpRequests.inc({ method: req.method, route, status: String(res.statusCode) });
      if (!log.request || log.requests === false) return;
      log.request({
        reqId,
        method: req.method,
        path: req.originalUrl.split('?')[0].slice(0, 200),
        status: res.statusCode,
        ms: Math.round((performance.now() - start) * 10) / 10,
        ...(res.locals.role ? { role: res.locals.role as string } : {}),
        ...(res.writableFinished ? {} : { aborted: true }),
      });
    });
    next();
  });
  app.use(securityHeaders());

  // Any content type is read as JSON: feeds are not always careful with headers.
  const jsonBody = express.json({ limit: '64kb', type: () => true, strict: false });
  const readBody = (req: Request, res: Response) =>
    new Promise<void>((resolve, reject) => jsonBody(req, res, (err?: unknown) => (err ? reject(bodyError(err) ?? err) : resolve())));

  /** A CSV upload (text/csv, at most CSV_MAX_BYTES) as req.body, a string. */
  const csvBody = express.text({ type: () => true, limit: CSV_MAX_BYTES, defaultCharset: 'utf-8' });
  const readCsv = (req: Request, res: Response) => {
    if (!req.is(['text/csv', 'application/csv'])) {
      return Promise.reject(new ApiError('BAD_CSV', 'send the file as Content-Type: text/csv'));
    }
    return new Promise<void>((resolve, reject) =>
      csvBody(req, res, (err?: unknown) => {
        if (!err) return resolve();
        const type = (err as { type?: string }).type;
        if (type === 'entity.too.large')
          return reject(new ApiError('TOO_LARGE', `the file is larger than ${CSV_MAX_BYTES / 1024 / 1024} MiB`));
        reject(new ApiError('BAD_CSV', 'the file could not be read'));
      }),
    );
  };

  /** Authenticates, checks the role, then reads the body, runs the handler, maps errors to the envelope. */
  const route =
    (roles: Role[], handler: Handler, read = readBody) =>
    async (req: Request, res: Response) => {
      res.locals.route = `${req.baseUrl}${req.route?.path ?? ''}`;
      // Answers may hold contact fields: no cache, no proxy keeps them.
      res.setHeader('Cache-Control', 'no-store');
      try {
        const who = await credentials.identify(bearer(req), credentialSource(req, res));
        if (!who) throw new ApiError('UNAUTHORIZED', 'a valid bearer token is required');
        res.locals.role = who.role;
        if (!roles.includes(who.role)) throw new ApiError('FORBIDDEN', `this route is for: ${roles.join(', ')}`);
        await read(req, res);
        await handler(req, res, who);
      } catch (err) {
        sendError(res, err, log);
      }
    };

  app.get('/healthz', async (_req, res) => {
    res.locals.route = '/healthz';
    res.setHeader('Cache-Control', 'no-store');
    const ok = await deps.health().catch(() => false);
    if (ok) res.json({ status: 'ok', store: deps.storeKind });
    else
      res.status(503).json({
        status: 'unavailable',
        store: deps.storeKind,
        error: { code: 'STORE_UNAVAILABLE', message: 'the store cannot be reached' },
      });
  });

  // Prometheus text: the manager token or LEADPOOL_METRICS_TOKEN (a scraper need not be a manager).
  const metricsHash = deps.metricsToken ? sha256(deps.metricsToken) : null;
  app.get('/metrics', async (req, res) => {
    res.locals.route = '/metrics';
    res.setHeader('Cache-Control', 'no-store');
    try {
      const token = bearer(req);
      const isScraper = metricsHash !== null && token !== undefined && timingSafeEqual(sha256(token), metricsHash);
      if (!isScraper) {
        const who = await credentials.identify(token, credentialSource(req, res));
        if (!who) throw new ApiError('UNAUTHORIZED', 'a valid bearer token is required');
        res.locals.role = who.role;
        if (who.role !== 'manager') throw new ApiError('FORBIDDEN', 'this route is for: manager, metrics scraper');
      } else {
        res.locals.role = 'metrics';
      }
      const { contentType, text } = await metricsText();
      res.type(contentType).send(text);
    } catch (err) {
      sendError(res, err, log);
    }
  });

  const api = express.Router();

  const ingestLimiter = new TokenBuckets(deps.ingestRate, deps.ingestRate * 2);
  /**
   * POST /api/leads (poolId undefined: the manager's and the deployment key's `default`, a
   * feed key's first pool) and POST /api/pools/:poolId/leads (a feed key bound to it).
   */
  const ingest = async (req: Request, res: Response, who: Principal, poolId: string | undefined) => {
    const feed = who.role === 'feed' ? who.feed : null;
    let target = poolId ?? DEFAULT_POOL;
    if (feed) {
      if (poolId === undefined && feed.pools.length === 0) throw new ApiError('FORBIDDEN', 'this feed key is bound to no pool');
      if (poolId !== undefined && !feed.pools.includes(poolId))
        throw new ApiError('FORBIDDEN', `this feed key may not post into pool ${poolId}`);
      target = poolId ?? feed.pools[0];
    }
    const wait = ingestLimiter.take(feed ? `feed:${feed.id}` : who.role);
    if (wait > 0) {
      res.setHeader('Retry-After', String(Math.ceil(wait / 1000)));
      throw new ApiError('RATE_LIMITED', `more than ${deps.ingestRate} leads per second; retry after ${Math.ceil(wait)} ms`);
    }
    const input = parse(LeadInputSchema, req.body);
    const actor: AuditActor = feed ? { role: 'feed', id: feed.id } : { role: who.role === 'feed' ? 'feed' : 'manager' };
    const { lead, duplicate } = await leads.ingest(input, { poolId: target, actor, ...(feed ? { feed } : {}) });
    if (duplicate) res.status(200).json({ lead, duplicate: true });
    else res.status(201).json({ lead });
  };
  api.post(
    '/leads',
    route(['feed', 'manager'], (req, res, who) => ingest(req, res, who, undefined)),
  );
  api.post(
    '/pools/:poolId/leads',
    route(['feed', 'manager'], (req, res, who) => ingest(req, res, who, String(req.params.poolId))),
  );

  api.get(
    '/leads',
    route(['manager'], async (req, res) => {
      const q = parse(LeadListQuery, req.query);
      res.json(await reads.searchLeads(q));
    }),
  );

  api.get(
    '/events',
    route(['manager'], async (req, res) => {
      res.json(await reads.events(parse(EventsQuery, req.query)));
    }),
  );

  api.get(
    '/leads/:id/explain',
    route(['manager'], async (req, res) => {
      res.json(await reads.explain(String(req.params.id)));
    }),
  );

  api.get(
    '/leads/:id',
    route(['manager', 'rep'], async (req, res, who) => {
      res.json({ lead: await reads.getLead(String(req.params.id), who as Viewer) });
    }),
  );

  api.post(
    '/leads/:id/assign',
    route(['manager'], async (req, res) => {
      const { repId } = parse(AssignSchema, req.body);
      res.json({ lead: await leads.assign(String(req.params.id), repId) });
    }),
  );

  api.post(
    '/leads/:id/release',
    route(['manager', 'rep'], async (req, res, who) => {
      const leadId = String(req.params.id);
      if (who.role === 'rep') {
        try {
          res.json({ lead: await leads.release(leadId, who.repId) });
        } catch (err) {
          // A rep asking about a lead it does not own gets 404, so ids cannot be probed.
          if (err instanceof ApiError && err.code === 'NOT_OWNER') throw new ApiError('NOT_FOUND', 'no such lead');
          throw err;
        }
      } else {
        res.json({ lead: await leads.release(leadId) });
      }
    }),
  );

  api.post(
    '/reps',
    route(['manager'], async (req, res) => {
      res.status(201).json(await reps.create(parse(RepCreateSchema, req.body)));
    }),
  );
  api.get(
    '/reps',
    route(['manager'], async (req, res) => {
      const { limit, offset } = parse(RepListQuery, req.query);
      if (limit === undefined && offset === undefined) return void res.json({ reps: await reads.listReps() });
      res.json(await reads.listRepsPage(offset ?? 0, limit ?? 100));
    }),
  );
  api.get(
    '/reps/:id',
    route(['manager'], async (req, res) => {
      res.json({ rep: await reads.getRep(String(req.params.id)) });
    }),
  );
  api.patch(
    '/reps/:id',
    route(['manager'], async (req, res) => {
      res.json({ rep: await reps.update(String(req.params.id), parse(RepPatchSchema, req.body)) });
    }),
  );
  api.post(
    '/reps/:id/token',
    route(['manager'], async (req, res) => {
      res.json(await reps.rotateToken(String(req.params.id)));
    }),
  );
  api.delete(
    '/reps/:id',
    route(['manager'], async (req, res) => {
      await reps.delete(String(req.params.id));
      res.status(204).end();
    }),
  );

  api.get(
    '/me',
    route(['rep'], async (_req, res, who) => {
      res.json({ rep: await reads.getRep((who as { repId: string }).repId) });
    }),
  );
  api.get(
    '/me/leads',
    route(['rep'], async (req, res, who) => {
      const query = parse(MyLeadsQuery, req.query);
      res.json({ leads: await reads.repLeads((who as { repId: string }).repId, query) });
    }),
  );

  // ---- the v1 pool routes: the pool `default` ------------------------------------------------
  api.get(
    '/pool',
    route(['manager'], async (_req, res) => {
      const { mode, settings } = await reads.poolConfig(DEFAULT_POOL);
      res.json({ mode, settings });
    }),
  );
  api.put(
    '/pool/mode',
    route(['manager'], async (req, res) => {
      res.json({ mode: await pool.setMode(DEFAULT_POOL, parse(ModeSchema, req.body).mode) });
    }),
  );
  api.patch(
    '/pool/settings',
    route(['manager'], async (req, res) => {
      res.json({ settings: await pool.patchSettings(DEFAULT_POOL, parse(SettingsPatchSchema, req.body)) });
    }),
  );
  api.get(
    '/rules',
    route(['manager'], async (_req, res) => {
      res.json({ rules: (await reads.poolConfig(DEFAULT_POOL)).rules });
    }),
  );
  api.put(
    '/rules',
    route(['manager'], async (req, res) => {
      res.json({ rules: await pool.setRules(DEFAULT_POOL, parse(RulesSchema, req.body).rules) });
    }),
  );

  // ---- pools ---------------------------------------------------------------------------------
  const poolParam = (req: Request) => String(req.params.poolId);
  api.get(
    '/pools',
    route(['manager'], async (_req, res) => {
      res.json({ pools: await reads.poolOverviews() });
    }),
  );
  api.post(
    '/pools',
    route(['manager'], async (req, res) => {
      res.status(201).json({ pool: await pool.create(parse(PoolCreateSchema, req.body)) });
    }),
  );
  api.get(
    '/pools/:poolId',
    route(['manager'], async (req, res) => {
      res.json({ pool: await reads.poolOverview(poolParam(req)) });
    }),
  );
  api.patch(
    '/pools/:poolId',
    route(['manager'], async (req, res) => {
      res.json({ pool: await pool.rename(poolParam(req), parse(PoolPatchSchema, req.body).name) });
    }),
  );
  api.delete(
    '/pools/:poolId',
    route(['manager'], async (req, res) => {
      await pool.delete(poolParam(req));
      res.status(204).end();
    }),
  );
  api.put(
    '/pools/:poolId/mode',
    route(['manager'], async (req, res) => {
      res.json({ mode: await pool.setMode(poolParam(req), parse(ModeSchema, req.body).mode) });
    }),
  );
  api.patch(
    '/pools/:poolId/settings',
    route(['manager'], async (req, res) => {
      res.json({ settings: await pool.patchSettings(poolParam(req), parse(SettingsPatchSchema, req.body)) });
    }),
  );
  api.get(
    '/pools/:poolId/rules',
    route(['manager'], async (req, res) => {
      res.json({ rules: (await reads.poolConfig(poolParam(req))).rules });
    }),
  );
  api.put(
    '/pools/:poolId/rules',
    route(['manager'], async (req, res) => {
      res.json({ rules: await pool.setRules(poolParam(req), parse(RulesSchema, req.body).rules) });
    }),
  );

  // ---- feed keys -------------------------------------------------------------------------------
  api.post(
    '/feeds',
    route(['manager'], async (req, res) => {
      res.status(201).json(await feeds.create(parse(FeedCreateSchema, req.body)));
    }),
  );
  api.get(
    '/feeds',
    route(['manager'], async (_req, res) => {
      res.json({ feeds: await reads.listFeeds() });
    }),
  );
  api.delete(
    '/feeds/:id',
    route(['manager'], async (req, res) => {
      await feeds.delete(String(req.params.id));
      res.status(204).end();
    }),
  );
  api.post(
    '/feeds/:id/key',
    route(['manager'], async (req, res) => {
      res.json(await feeds.rotate(String(req.params.id)));
    }),
  );

  // ---- hosted forms and CSV import -----------------------------------------------------------
  const formOrigin = (req: Request) => requestOrigin(req, deps.forms?.publicOrigin);
  api.post(
    '/forms',
    route(['manager'], async (req, res) => {
      const form = await deps.service.forms.create(parse(FormCreateSchema, req.body));
      res.status(201).json({ form: publicForm(form, formOrigin(req)) });
    }),
  );
  api.get(
    '/forms',
    route(['manager'], async (req, res) => {
      res.json({ forms: (await deps.service.forms.list()).map((f) => publicForm(f, formOrigin(req))) });
    }),
  );
  api.get(
    '/forms/:id',
    route(['manager'], async (req, res) => {
      res.json({ form: publicForm(await deps.service.forms.get(String(req.params.id)), formOrigin(req)) });
    }),
  );
  api.patch(
    '/forms/:id',
    route(['manager'], async (req, res) => {
      const form = await deps.service.forms.update(String(req.params.id), parse(FormPatchSchema, req.body));
      res.json({ form: publicForm(form, formOrigin(req)) });
    }),
  );
  api.delete(
    '/forms/:id',
    route(['manager'], async (req, res) => {
      await deps.service.forms.delete(String(req.params.id));
      res.status(204).end();
    }),
  );
  api.post(
    '/pools/:poolId/leads/import',
    route(
      ['manager'],
      async (req, res) => {
        let parsed: ReturnType<typeof csvToLeads>;
        try {
          parsed = csvToLeads(typeof req.body === 'string' ? req.body : '');
        } catch (err) {
          if (err instanceof CsvError)
            throw new ApiError('BAD_CSV', `the file is not valid CSV: ${err.message}; nothing was imported`, { line: err.line });
          throw err;
        }
        const counts = await leads.importLeads(
          parsed.rows.map((r) => r.input),
          poolParam(req),
        );
        res.json({ ...counts, rejected: parsed.rejected });
      },
      readCsv,
    ),
  );

  // ---- webhooks ----------------------------------------------------------------------------------
  const { webhooks } = deps.service;
  const hookParam = (req: Request) => String(req.params.id);
  api.post(
    '/webhooks',
    route(['manager'], async (req, res) => {
      res.status(201).json(await webhooks.create(parse(WebhookCreateSchema, req.body)));
    }),
  );
  api.get(
    '/webhooks',
    route(['manager'], async (_req, res) => {
      res.json({ webhooks: await webhooks.list() });
    }),
  );
  api.patch(
    '/webhooks/:id',
    route(['manager'], async (req, res) => {
      res.json({ webhook: await webhooks.update(hookParam(req), parse(WebhookPatchSchema, req.body)) });
    }),
  );
  api.delete(
    '/webhooks/:id',
    route(['manager'], async (req, res) => {
      await webhooks.delete(hookParam(req));
      res.status(204).end();
    }),
  );
  api.get(
    '/webhooks/:id/deliveries',
    route(['manager'], async (req, res) => {
      res.json({ deliveries: await webhooks.deliveries(hookParam(req)) });
    }),
  );
  api.post(
    '/webhooks/:id/deliveries/:deliveryId/redeliver',
    route(['manager'], async (req, res) => {
      res.json({ delivery: await webhooks.redeliver(hookParam(req), String(req.params.deliveryId)) });
    }),
  );
  api.post(
    '/webhooks/:id/ping',
    route(['manager'], async (req, res) => {
      res.status(201).json({ delivery: await webhooks.ping(hookParam(req)) });
    }),
  );

  api.get(
    '/reports/summary',
    route(['manager'], async (req, res) => {
      res.json(await reads.summary(parse(ReportQuery, req.query)));
    }),
  );
  // Extension: the same report as CSV (one table, a `section` column; docs/API.md).
  api.get(
    '/reports/summary.csv',
    route(['manager'], async (req, res) => {
      const csv = await reads.summaryCsv(parse(ReportQuery, req.query));
      res.setHeader('Content-Disposition', 'attachment; filename="leadpool-report.csv"');
      res.type('text/csv; charset=utf-8').send(csv);
    }),
  );
  api.post(
    '/rules/preview',
    route(['manager'], async (req, res) => {
      const { rules, limit } = parse(RulesPreviewSchema, req.body);
      res.json(await reads.previewRules(DEFAULT_POOL, rules, limit));
    }),
  );
  api.post(
    '/pools/:poolId/rules/preview',
    route(['manager'], async (req, res) => {
      const { rules, limit } = parse(RulesPreviewSchema, req.body);
      res.json(await reads.previewRules(poolParam(req), rules, limit));
    }),
  );

  api.get(
    '/reports/leads.csv',
    route(['manager'], async (req, res) => {
      const query = parse(LeadListQuery.omit({ limit: true, before: true }), req.query);
      res.status(200).setHeader('Content-Type', 'text/csv; charset=utf-8');
      res.setHeader('Content-Disposition', 'attachment; filename="leads.csv"');
      // Streamed a page at a time: a large export never sits in memory whole.
      const write = (chunk: string) => (res.write(chunk) ? Promise.resolve() : new Promise<void>((r) => res.once('drain', () => r())));
      try {
        await write(csvHeader());
        let before: string | undefined;
        do {
          const page = await reads.searchLeads({ ...query, limit: 1000, ...(before ? { before } : {}) });
          if (page.leads.length) await write(page.leads.map((l) => csvRow(l, page.duplicates[l.id])).join(''));
          before = page.next;
        } while (before !== undefined && !res.destroyed);
        res.end();
      } catch (err) {
        // The status line is gone: cut the response short rather than end it as if complete.
        res.destroy(err as Error);
      }
    }),
  );

  api.use((_req, res) => {
    sendError(res, new ApiError('NOT_FOUND', 'no such route'), log);
  });
  // Errors raised before a route runs: a path parameter that is not valid
  // percent-encoding (URIError from the router) cannot name anything.
  api.use((err: unknown, _req: Request, res: Response, _next: NextFunction) => {
    sendError(res, err instanceof URIError ? new ApiError('NOT_FOUND', 'no such resource') : err, log);
  });

  app.use('/api', api);
  app.use(formPages({ forms: deps.service.forms, log, submitsPerMinute: deps.forms?.submitsPerMinute ?? 0 }));
  if (deps.web) app.use(deps.web);
  app.use((_req, res) => sendError(res, new ApiError('NOT_FOUND', 'no such route'), log));
  return app;
}

/** The largest CSV file POST /api/pools/:poolId/leads/import takes (about 50,000 leads). */
const CSV_MAX_BYTES = 10 * 1024 * 1024;

/**
 * A token bucket per key: `rate` tokens a second, at most `burst` saved. A flood guard
 * for one process (feeds post to one address; the Redis store's own limits stay exact).
 */
class TokenBuckets {
  private buckets = new Map<string, { tokens: number; at: number }>();
  constructor(
    private readonly rate: number,
    private readonly burst: number,
  ) {}

  /** Takes a token: 0 when granted, else the ms until one is available. */
  take(key: string, now = performance.now()): number {
    if (this.rate <= 0) return 0;
    const b = this.buckets.get(key) ?? { tokens: this.burst, at: now };
    b.tokens = Math.min(this.burst, b.tokens + ((now - b.at) / 1000) * this.rate);
    b.at = now;
    this.buckets.set(key, b);
    if (b.tokens >= 1) {
      b.tokens -= 1;
      return 0;
    }
    return ((1 - b.tokens) / this.rate) * 1000;
  }
}

function bodyError(err: unknown): ApiError | null {
  const type = (err as { type?: string } | null)?.type;
  if (type === 'entity.parse.failed') return new ApiError('BAD_JSON', 'the body is not valid JSON');
  if (type === 'entity.too.large') return new ApiError('TOO_LARGE', 'the body is larger than 64 KiB');
  if (type === 'encoding.unsupported' || type === 'charset.unsupported') return new ApiError('INVALID', 'unsupported body encoding');
  // Any other client error of the body parser (a body that does not inflate as its
  // Content-Encoding says, an aborted or mis-sized body): the body could not be read.
  const status = (err as { status?: unknown } | null)?.status;
  if (typeof status === 'number' && status >= 400 && status < 500) return new ApiError('BAD_JSON', 'the body could not be read');
  return null;
}

function sendError(res: Response, err: unknown, log: Logger): void {
  const apiError = toApiError(err);
  if (apiError.code === 'INTERNAL') log.error('request failed', err);
  if (res.headersSent) return;
  res.status(apiError.status).json({ error: apiError.toBody() });
}
