// One decoder per script reply: each checks the JSON a script answers (the "Output" of
// lua/<name>.lua) and returns the store's typed result; plus the decoders of the hashes the
// store reads with plain commands (reps, pools, feeds). A reply of any other shape means the script
// and its decoder are out of step, or the data is damaged: RedisReplyError.
// Failure codes other than NOINSTALL and RETRY (which RedisStore handles for every script) are
// part of the shape, so a script answering a code its caller does not expect fails loudly.
import { z } from 'zod';
import {
  AUDIT_EVENT_TYPES,
  AUDIT_ROLES,
  type AuditEvent,
  DEFAULT_MODE,
  DEFAULT_POOL,
  DEFAULT_SETTINGS,
  DELIVERY_STATUSES,
  FORM_FIELDS,
  LEAD_STATUSES,
  type Lead,
  type LeadInput,
  MODES,
  OUTCOMES,
  type Presence,
  type Rule,
  type Settings,
  WEBHOOK_EVENTS,
} from '../../../shared/protocol.js';
import type {
  ClaimedDelivery,
  ClaimFailure,
  DueEvent,
  PoolRecord,
  PresenceChange,
  PullResult,
  StoredDelivery,
  StoredFeed,
  StoredForm,
  StoredRep,
  StoredWebhook,
  StrandEvent,
} from '../types.js';
import type { ScriptName } from './scripts.js';

class RedisReplyError extends Error {}

const isObject = (v: unknown): v is Record<string, unknown> => typeof v === 'object' && v !== null && !Array.isArray(v);

/** A string holding JSON, parsed. */
const json = z.string().transform((s, ctx) => {
  try {
    return JSON.parse(s) as unknown;
  } catch {
    ctx.addIssue({ code: 'custom', message: 'not JSON' });
    return z.NEVER;
  }
});

/**
 * A hash whose values are JSON (field -> JSON), parsed in one pass: the same as
 * z.record(z.string(), json) at a fraction of its cost (a rep and a pool's settings are read
 * on every connect).
 */
const jsonFields = z.unknown().transform((fields, ctx) => {
  if (!isObject(fields)) {
    ctx.addIssue({ code: 'custom', message: 'not a hash' });
    return z.NEVER;
  }
  const out: Record<string, unknown> = {};
  for (const field in fields) {
    const value = fields[field];
    try {
      if (typeof value !== 'string') throw new TypeError();
      out[field] = JSON.parse(value) as unknown;
    } catch {
      ctx.addIssue({ code: 'custom', message: 'not JSON', path: [field] });
      return z.NEVER;
    }
  }
  return out;
});

/** cjson encodes an empty Lua table as {}: every list a script answers goes through here. */
const luaList = <T extends z.ZodType>(item: T) => z.preprocess((v) => (isObject(v) && Object.keys(v).length === 0 ? [] : v), z.array(item));

/** Store-clock ms as a script answers a time column, as the ISO string of the contract. */
const time = z
  .string()
  .regex(/^\d+$/)
  .transform((ms) => new Date(Number(ms)).toISOString());

const mode = z.enum(MODES);
const presence = z.enum(['available', 'away', 'offline', 'off-shift'] satisfies Presence[]);

/** The feed input as insertLead stored it (LeadDraft minus poolId, status and eligible). */
type LeadDoc = LeadInput & Pick<Lead, 'feedId' | 'disqualifiedReasons'>;
// Not re-validated field by field: it was validated on the way in (shared/schemas.ts), and a
// rule tightened since must not make stored leads unreadable.
const leadDoc = json.pipe(z.custom<LeadDoc>(isObject, 'a JSON object'));

/** A lead as the scripts answer it (includes/leadColumns.lua leadOut): its id and columns. */
const lead = z
  .object({
    id: z.string(),
    doc: leadDoc,
    poolId: z.string(),
    status: z.enum(LEAD_STATUSES),
    createdAt: time,
    claimedBy: z.string().optional(),
    claimedAt: time.optional(),
    outcome: z.enum(OUTCOMES).optional(),
    outcomeNote: z.string().optional(),
    closedAt: time.optional(),
    escalatedAt: time.optional(),
    eligible: json.pipe(z.union([z.literal('*'), z.array(z.string())])).optional(),
    claimMode: mode.optional(),
    overdueAt: time.optional(),
    stranded: json
      .pipe(z.object({ at: z.number(), action: z.enum(['everyone', 'wait', 'moved']), poolId: z.string() }))
      .transform((s) => ({ ...s, at: new Date(s.at).toISOString() }))
      .optional(),
  })
  .transform(({ doc, id, poolId, status, createdAt, ...set }): Lead => {
    const out: Lead = { ...doc, id, poolId, status, createdAt };
    if (set.claimedBy !== undefined) out.claimedBy = set.claimedBy;
    if (set.claimedAt !== undefined) out.claimedAt = set.claimedAt;
    if (set.outcome !== undefined) out.outcome = set.outcome;
    if (set.outcomeNote !== undefined) out.outcomeNote = set.outcomeNote;
    if (set.closedAt !== undefined) out.closedAt = set.closedAt;
    if (set.escalatedAt !== undefined) out.escalatedAt = set.escalatedAt;
    if (set.eligible !== undefined) out.eligible = set.eligible;
    if (set.claimMode !== undefined) out.claimMode = set.claimMode;
    if (set.overdueAt !== undefined) out.overdueAt = set.overdueAt;
    if (set.stranded !== undefined) out.stranded = set.stranded;
    return out;
  });

/** A rep hash: StoredRep field -> JSON (fields beyond StoredRep's are kept). */
const rep: z.ZodType<StoredRep> = jsonFields.pipe(
  z.looseObject({
    id: z.string(),
    name: z.string(),
    skills: z.array(z.string()),
    languages: z.array(z.string()),
    countries: z.array(z.string()),
    teams: z.array(z.string()),
    // absent on a rep no migration reached yet: the pool every v1 rep was in (eligibility.lua repPools)
    pools: z.array(z.string()).default([DEFAULT_POOL]),
    maxActive: z.number().nullable(),
    weight: z.number(),
    createdAt: z.string(),
    tokenHash: z.string(),
    away: z.boolean(),
    // absent until the shift keeper first writes it (server/service/shifts.ts)
    offShift: z.boolean().optional(),
  }),
);

/**
 * The settings hash (name -> JSON) over DEFAULT_SETTINGS. Values come only from
 * SettingsPatchSchema output (patchSettings) and DEFAULT_SETTINGS (install), so they are
 * not re-validated: a rule tightened since must not make the pool unreadable. The values
 * were parsed just now and belong to nobody else: no copy (mergeSettings copies each).
 */
const settings = jsonFields.transform((stored): Settings => ({ ...DEFAULT_SETTINGS, ...(stored as Partial<Settings>) }));

// Rules were validated on the way in (shared/schemas.ts RuleSchema) and are not re-validated.
const rules = json.pipe(z.custom<Rule[]>(Array.isArray, 'a JSON array'));

/**
 * A pool's config hash (name, createdAt, mode, rules JSON) and settings hash, as a PoolRecord
 * without its id (poolOf adds it). One schema for every pool: building one per read made zod
 * compile its fast path on every connect.
 */
const poolFields = z
  .object({
    config: z.object({ name: z.string(), createdAt: z.string(), mode: mode.default(DEFAULT_MODE), rules: rules.default([]) }),
    settings,
  })
  .transform(
    ({ config, settings }): Omit<PoolRecord, 'id'> => ({
      name: config.name,
      mode: config.mode,
      settings,
      createdAt: config.createdAt,
      rules: config.rules,
    }),
  );

/** The PoolRecord of pool `id` from its two stored hashes. */
const poolOf = (id: string, stored: { config: unknown; settings: unknown }): PoolRecord => ({
  id,
  ...parse(poolFields, stored, `the stored pool ${id} is damaged`),
});

/** A feed as stored (JSON; written by RedisStore, or re-encoded by a script's cjson). */
const feed: z.ZodType<StoredFeed> = json.pipe(
  z.object({ id: z.string(), name: z.string(), pools: luaList(z.string()), createdAt: z.string(), keyHash: z.string() }),
);

/** A hosted form as stored (JSON; written by RedisStore, or re-encoded by updateForm.lua's cjson). */
const form: z.ZodType<StoredForm> = json.pipe(
  z.looseObject({
    id: z.string(),
    name: z.string(),
    poolId: z.string(),
    fields: luaList(z.enum(FORM_FIELDS)),
    required: luaList(z.enum(FORM_FIELDS)),
    title: z.string(),
    intro: z.string().optional(),
    submitLabel: z.string(),
    consentText: z.string().optional(),
    successMessage: z.string(),
    redirectUrl: z.string().optional(),
    embedOrigins: luaList(z.string()),
    createdAt: z.string(),
  }),
);

const ok = z.literal(true);
/** A failure reply: { code } with one of `codes`, as the store's `{ ok: false, code }`. */
const failure = <const C extends string>(codes: readonly [C, ...C[]]) =>
  z.object({ code: z.enum(codes) }).transform(({ code }) => ({ ok: false as const, code }));

const CLAIM_CODES = [
  'NOT_FOUND',
  'MODE_FORBIDS',
  'ALREADY_CLAIMED',
  'NOT_OPEN',
  'NOT_ELIGIBLE',
  'UNAVAILABLE',
  'RATE_LIMITED',
  'CAP_REACHED',
  'COOLDOWN',
  'WINDOW_CAP',
] as const satisfies readonly ClaimFailure['code'][];
const PULL_CODES = [
  'NOT_FOUND',
  'NOT_ELIGIBLE',
  'MODE_FORBIDS',
  'UNAVAILABLE',
  'RATE_LIMITED',
  'CAP_REACHED',
  'COOLDOWN',
  'WINDOW_CAP',
  'POOL_EMPTY',
] as const satisfies readonly Extract<PullResult, { ok: false }>['code'][];

const won = z.object({ ok, mode, lead }).transform(({ mode, lead }) => ({ ok: true as const, lead, mode }));
const presenceChange = z.object({ before: presence, after: presence });

/** includes/repView.lua: the pools the views of one call name, each read once (id -> its read). */
const sharedPools = z
  .record(z.string(), z.object({ order: z.number(), config: z.unknown(), settings: z.unknown(), open: luaList(lead) }))
  .transform((pools) => {
    const out = new Map<string, { order: number; pool: PoolRecord; open: Lead[] }>();
    for (const [id, p] of Object.entries(pools)) out.set(id, { order: p.order, pool: poolOf(id, p), open: p.open });
    return out;
  });

/** includes/repView.lua repViewOf: false when the rep does not exist, else its pools by id. */
const repViewOf = z.union([
  z.object({ rep: z.literal(false) }).transform(() => null),
  z.object({ rep, pools: luaList(z.string()), missing: luaList(z.string()), held: luaList(lead) }),
]);

type SharedPools = z.output<typeof sharedPools>;

/** A view with its pools from the call's shared reads, in creation order (the same Lead objects in every view: read-only). */
function withPools(view: z.output<typeof repViewOf>, shared: SharedPools) {
  if (!view) return null;
  const pools = view.pools.map((id) => {
    const read = shared.get(id);
    if (!read) throw new RedisReplyError(`a view names the pool ${id} its call did not answer`);
    return read;
  });
  pools.sort((a, b) => a.order - b.order);
  return { rep: view.rep, missing: view.missing, held: view.held, pools: pools.map(({ pool, open }) => ({ pool, open })) };
}

/** repView.lua: one view and the pools it names; null when the rep does not exist. */
const repViewReply = z.object({ view: repViewOf, pools: sharedPools }).transform(({ view, pools }) => withPools(view, pools));

/** A webhook as stored (StoredWebhook JSON; cjson turns an empty list into {}). */
const webhook = z
  .object({
    id: z.string(),
    url: z.string(),
    events: luaList(z.enum(WEBHOOK_EVENTS)),
    poolIds: luaList(z.string()).optional(),
    enabled: z.boolean(),
    createdAt: z.string(),
    secret: z.string(),
  })
  .transform((h): StoredWebhook => {
    const out: StoredWebhook = { id: h.id, url: h.url, events: h.events, enabled: h.enabled, createdAt: h.createdAt, secret: h.secret };
    if (h.poolIds) out.poolIds = h.poolIds;
    return out;
  });
const webhookJson = json.pipe(webhook);

/** A delivery as stored (includes/outbox.lua): times of the store clock in ms, its log seq dropped. */
const delivery = z
  .object({
    id: z.string(),
    webhookId: z.string(),
    event: z.enum([...WEBHOOK_EVENTS, 'ping']),
    status: z.enum(DELIVERY_STATUSES),
    attempts: z.number(),
    createdAt: z.string(),
    body: z.string(),
    lastStatus: z.number().optional(),
    lastError: z.string().optional(),
    lastAttemptAt: z.number().optional(),
    dueAt: z.number().optional(),
    lease: z.string().optional(),
  })
  .transform(({ lastAttemptAt, ...d }): StoredDelivery => {
    const out: StoredDelivery = { ...d };
    if (lastAttemptAt !== undefined) out.lastAttemptAt = new Date(lastAttemptAt).toISOString();
    for (const k of Object.keys(out) as (keyof StoredDelivery)[]) if (out[k] === undefined) delete out[k];
    return out;
  });
const deliveryJson = json.pipe(delivery);

const REPLIES = {
  migrateV1: z.object({ renamed: z.number(), deleted: z.number() }),
  migratePools: z.object({ migrated: z.boolean(), leads: z.number(), reps: z.number() }),
  install: z.object({ id: z.string(), fresh: z.boolean() }),
  ensureSecret: z.object({ hash: z.string(), created: z.boolean() }),
  createPool: z.object({ created: z.boolean() }).transform((r) => r.created),
  // the pool's id is added by RedisStore.renamePool (decodePool)
  renamePool: z.union([
    z.object({ config: z.record(z.string(), z.string()), settings: z.record(z.string(), z.string()) }),
    z.object({ code: z.literal('NOT_FOUND') }).transform(() => null),
  ]),
  deletePool: z.union([
    z.object({ ok, repIds: luaList(z.string()) }).transform(({ repIds }) => ({ ok: true as const, repIds })),
    failure(['NOT_FOUND', 'CONFLICT']),
  ]),
  setMode: z.union([z.object({ previous: mode }), z.object({ code: z.literal('NOT_FOUND') }).transform(() => null)]),
  patchSettings: z.union([
    z.object({ settings }).transform((r): Settings => r.settings),
    z.object({ code: z.literal('NOT_FOUND') }).transform(() => null),
  ]),
  setRules: z.union([z.object({ ok }).transform(() => true), z.object({ code: z.literal('NOT_FOUND') }).transform(() => false)]),
  createFeed: z.object({ ok }),
  setFeedKey: z.union([z.object({ feed }).transform((r) => r.feed), z.object({ code: z.literal('NOT_FOUND') }).transform(() => null)]),
  deleteFeed: z.union([z.object({ feed }).transform((r) => r.feed), z.object({ code: z.literal('NOT_FOUND') }).transform(() => null)]),
  createForm: z.union([z.object({ ok }).transform(() => true), z.object({ code: z.literal('NO_POOL') }).transform(() => false)]),
  updateForm: z.union([
    z.object({ form }).transform((r): StoredForm | 'NO_POOL' => r.form),
    z.object({ code: z.literal('NOT_FOUND') }).transform(() => null),
    z.object({ code: z.literal('NO_POOL') }).transform(() => 'NO_POOL' as const),
  ]),
  deleteForm: z.union([z.object({ ok }).transform(() => true), z.object({ code: z.literal('NOT_FOUND') }).transform(() => false)]),
  createRep: z.object({ ok }),
  updateRep: z.union([
    z.object({ ok, rep }).transform((r): StoredRep => r.rep),
    z.object({ code: z.literal('NOT_FOUND') }).transform(() => null),
  ]),
  setRepToken: z.union([z.object({ ok }).transform(() => true), z.object({ code: z.literal('NOT_FOUND') }).transform(() => false)]),
  deleteRep: z.union([
    z.object({ ok, rep, released: luaList(lead) }).transform(({ rep, released }) => ({ rep, released })),
    z.object({ code: z.literal('NOT_FOUND') }).transform(() => null),
  ]),
  insertLead: z.union([
    z.object({ duplicate: z.literal(false), lead }),
    z.object({ duplicate: z.literal(true), lead, by: z.enum(['externalId', 'email', 'phone']) }),
    z.object({ code: z.literal('NO_POOL') }),
  ]),
  insertLeads: z.union([
    z.object({
      results: luaList(
        z.union([
          z.object({ duplicate: z.literal(false), lead }),
          z.object({ duplicate: z.literal(true), lead, by: z.enum(['externalId', 'email', 'phone']) }),
        ]),
      ),
    }),
    z.object({ code: z.literal('NO_POOL') }),
  ]),
  reroute: z.object({ changed: luaList(z.string()) }).transform((r) => r.changed),
  statusCounts: z.object({ open: z.number(), claimed: z.number(), closed: z.number(), disqualified: z.number() }),
  openSummary: z.object({ count: z.number(), oldest: z.union([z.number(), z.literal(false)]) }).transform(({ count, oldest }) => ({
    count,
    oldestCreatedAt: oldest === false ? null : new Date(oldest).toISOString(),
  })),
  readLeads: z.object({ leads: luaList(lead) }).transform((r) => r.leads),
  repView: repViewReply,
  indexTimes: z.object({ indexed: z.number() }),
  indexTokenPools: z.object({ indexed: z.number() }),
  claim: z.union([won, failure(CLAIM_CODES)]),
  pull: z.union([won, failure(PULL_CODES)]),
  release: z.union([
    z.object({ ok, mode, previousOwner: z.string(), lead }).transform(({ mode, previousOwner, lead }) => ({
      ok: true as const,
      lead,
      previousOwner,
      mode,
    })),
    failure(['NOT_FOUND', 'NOT_OWNER']),
  ]),
  assign: z.union([
    z.object({ ok, mode, previousOwner: z.string().optional(), lead }).transform(({ mode, previousOwner, lead }) => ({
      ok: true as const,
      lead,
      previousOwner: previousOwner ?? null,
      mode,
    })),
    z
      .object({ code: z.literal('NOT_FOUND'), what: z.enum(['lead', 'rep']) })
      .transform(({ code, what }) => ({ ok: false as const, code, what })),
    failure(['NOT_OPEN', 'NOT_ELIGIBLE']),
  ]),
  outcome: z.union([z.object({ ok, lead }).transform(({ lead }) => ({ ok: true as const, lead })), failure(['NOT_FOUND', 'NOT_OWNER'])]),
  autoAssign: z.union([
    z.object({ ok, mode, lead }).transform(({ mode, lead }) => ({ lead, mode })),
    z.object({ none: z.literal(true) }).transform(() => null),
  ]),
  runDue: z.object({
    popped: z.number(),
    events: luaList(
      z.union([
        // previousEligible: rep ids, never "*" (runDue.lua escalates only leads not open to everyone)
        z
          .object({ kind: z.literal('escalated'), mode, lead, previousEligible: json.pipe(z.array(z.string())) })
          .transform((e): DueEvent => ({ kind: 'escalated', lead: e.lead, mode: e.mode, previousEligible: e.previousEligible })),
        z
          .object({ kind: z.enum(['expired', 'reclaimed']), mode, previousOwner: z.string(), lead })
          .transform((e): DueEvent => ({ kind: e.kind, lead: e.lead, previousOwner: e.previousOwner, mode: e.mode })),
        z.object({ kind: z.literal('overdue'), mode, lead }).transform((e): DueEvent => ({ kind: 'overdue', lead: e.lead, mode: e.mode })),
      ]),
    ),
  }),
  // One change per tab; connecting tabs' reads come with them, a replayed operation answers the changes alone.
  tabOpened: z.union([
    z.object({ changes: z.array(presenceChange) }).transform(({ changes }) => ({ changes, views: undefined })),
    z
      .tuple([z.object({ changes: z.array(presenceChange) }), z.object({ views: z.array(repViewOf), pools: sharedPools })])
      .transform(([{ changes }, { views, pools }]) => ({ changes, views: views.map((view) => withPools(view, pools)) })),
  ]),
  tabClosed: presenceChange,
  setAway: presenceChange,
  setOffShift: presenceChange,
  strand: z
    .object({
      events: luaList(
        z.object({
          action: z.enum(['everyone', 'wait', 'moved']),
          mode,
          fromPoolId: z.string(),
          fromMode: mode,
          previousEligible: json.pipe(z.union([z.literal('*'), z.array(z.string())])),
          lead,
        }),
      ),
    })
    .transform((r): StrandEvent[] => r.events),
  sweepPresence: z.object({
    changes: luaList(z.object({ repId: z.string(), before: presence, after: presence })).transform((c): PresenceChange[] => c),
    reps: luaList(z.string()),
  }),
  createWebhook: z.object({ ok }),
  updateWebhook: z.union([
    z.object({ hook: webhookJson }).transform((r) => r.hook),
    z.object({ code: z.literal('NOT_FOUND') }).transform(() => null),
  ]),
  deleteWebhook: z.union([z.object({ ok }).transform(() => true), z.object({ code: z.literal('NOT_FOUND') }).transform(() => false)]),
  addDeliveries: z.object({ ok: z.boolean() }).transform((r) => r.ok),
  claimDeliveries: z
    .object({ claimed: luaList(z.object({ delivery: deliveryJson, url: z.string(), secret: z.string(), lease: z.string() })) })
    .transform((r): ClaimedDelivery[] => r.claimed),
  finishDelivery: z.object({ ok: z.boolean() }).transform((r) => r.ok),
  redeliver: z.union([
    z.object({ delivery: deliveryJson }).transform((r) => r.delivery),
    z.object({ code: z.literal('NOT_FOUND') }).transform(() => null),
  ]),
} satisfies Record<ScriptName, z.ZodType>;

/** What each script's reply decodes to. */
export type ScriptReply<N extends ScriptName> = z.output<(typeof REPLIES)[N]>;

function parse<T extends z.ZodType>(schema: T, value: unknown, what: string): z.output<T> {
  const parsed = schema.safeParse(value);
  if (!parsed.success) throw new RedisReplyError(`${what}: ${z.prettifyError(parsed.error)}`);
  return parsed.data;
}

/** The typed result of a script's reply (its JSON, parsed). */
export function decodeReply<N extends ScriptName>(name: N, reply: unknown): ScriptReply<N> {
  // The generic index loses the link between N and its schema; REPLIES[N] is ScriptReply<N>.
  return parse(REPLIES[name], reply, `Redis script ${name} answered an unexpected reply`) as ScriptReply<N>;
}

/** A write script's answer on an empty store (includes/keys.lua installed). */
export function isNoInstall(reply: unknown): boolean {
  return isObject(reply) && reply.code === 'NOINSTALL';
}

/** A script's answer when the pools (or reps) the caller passed are no longer the registry (keys.ts). */
export function isRetry(reply: unknown): boolean {
  return isObject(reply) && reply.code === 'RETRY';
}

/** install's answer on a v1 store that migratePools has not migrated. */
export function isNoMigrate(reply: unknown): boolean {
  return isObject(reply) && reply.code === 'NOMIGRATE';
}

/** A rep hash read with HGETALL (getRep, listReps): null when the rep does not exist. */
export function decodeRep(fields: unknown): StoredRep | null {
  if (isObject(fields) && Object.keys(fields).length === 0) return null;
  return parse(rep, fields, 'a stored rep is damaged');
}

const tokenPools = json.pipe(luaList(z.string()));

/** A `tokenpools` entry (the rep's pools JSON, as its hash holds it). */
export function decodeTokenPools(value: string): string[] {
  return parse(tokenPools, value, 'a stored tokenpools entry is damaged');
}

/** A pool's config and settings hashes, read with HGETALL: null when the pool has no config (gone). */
export function decodePool(id: string, configFields: unknown, settingsFields: unknown): PoolRecord | null {
  if (isObject(configFields) && Object.keys(configFields).length === 0) return null;
  return poolOf(id, { config: configFields, settings: settingsFields });
}

/** A form's JSON read with HGET: null when absent. */
export function decodeForm(value: unknown): StoredForm | null {
  if (value === null || value === undefined) return null;
  return parse(form, value, 'a stored form is damaged');
}

/** A feed's JSON read with HGET: null when absent. */
export function decodeFeed(value: unknown): StoredFeed | null {
  if (value === null || value === undefined) return null;
  return parse(feed, value, 'a stored feed is damaged');
}

/** A webhook's JSON read with HGET: null when absent. */
export function decodeWebhook(value: unknown): StoredWebhook | null {
  if (value === null || value === undefined) return null;
  return parse(webhookJson, value, 'a stored webhook is damaged');
}

/** A delivery's JSON read with HGET: null when absent. */
export function decodeDelivery(value: unknown): StoredDelivery | null {
  if (value === null || value === undefined) return null;
  return parse(deliveryJson, value, 'a stored delivery is damaged');
}

/** Lists an event's data may hold: cjson wrote an empty one as {} (includes/audit.lua). */
const EVENT_LISTS = ['reasons', 'rules', 'pools', 'fields', 'previousEligible'];

const auditEntry = z.object({
  at: z.string(),
  type: z.enum(AUDIT_EVENT_TYPES),
  poolId: z.string().optional(),
  leadId: z.string().optional(),
  repId: z.string().optional(),
  actor: z.object({ role: z.enum(AUDIT_ROLES), id: z.string().optional() }),
  data: z.record(z.string(), z.unknown()).optional(),
});

/** A stream entry of the audit trail (id, fields): the event; null for an entry of another shape (skipped, never fatal). */
export function decodeEvent(id: string, fields: unknown): AuditEvent | null {
  const raw = isObject(fields) ? fields.e : undefined;
  if (typeof raw !== 'string') return null;
  let parsed: unknown;
  try {
    parsed = JSON.parse(raw);
  } catch {
    return null;
  }
  const res = auditEntry.safeParse(parsed);
  if (!res.success) return null;
  const { data, actor, ...rest } = res.data;
  const event: AuditEvent = { id, ...rest, actor: actor.id === undefined ? { role: actor.role } : { role: actor.role, id: actor.id } };
  if (data !== undefined) {
    for (const k of EVENT_LISTS) if (isObject(data[k]) && Object.keys(data[k]).length === 0) data[k] = [];
    event.data = data;
  }
  return event;
}
