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
  Taken,
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

/** cjson encodes an empty Lua table as {}: every list a script answers goes through here. */
const luaList = <T extends z.ZodType>(item: T) => z.preprocess((v) => (isObject(v) && Object.keys(v).length === 0 ? [] : v), z.array(item));

const mode = z.enum(MODES);

/** The feed input as insertLead stored it (LeadDraft minus poolId, status and eligible). */
type LeadDoc = LeadInput & Pick<Lead, 'feedId' | 'disqualifiedReasons'>;

// ---- the hot shapes, decoded by hand ---------------------------------------------------------------
// A lead, a rep, a pool, and the replies of every connect, claim, pull and new lead are decoded
// by the plain functions below, not by zod. In a busy server zod's generic code (shared by every
// schema) runs cold: one connecting tab's reply cost about 200 µs to decode there (30 µs decoded
// again at once), a tenth of the connect's CPU; these check the same shapes for a fraction. A
// wrong shape throws ShapeError (where, what was expected), which becomes RedisReplyError like
// a zod issue. `asSchema` lends each to the zod schemas of the rarer replies.

class ShapeError extends Error {
  constructor(
    readonly path: (string | number)[],
    readonly expected: string,
  ) {
    super(`expected ${expected}`);
  }
}
const mismatch = (expected: string): never => {
  throw new ShapeError([], expected);
};
type Decode<T> = (value: unknown) => T;

/** `decode` applied to `obj[key]`; a ShapeError below says it was under `key`. */
function field<T>(obj: Record<string, unknown>, key: string | number, decode: Decode<T>): T {
  try {
    return decode(obj[key]);
  } catch (err) {
    if (err instanceof ShapeError) err.path.unshift(key);
    throw err;
  }
}

const str: Decode<string> = (v) => (typeof v === 'string' ? v : mismatch('a string'));
const num: Decode<number> = (v) => (typeof v === 'number' ? v : mismatch('a number'));
const bool: Decode<boolean> = (v) => (typeof v === 'boolean' ? v : mismatch('a boolean'));
const hash = (v: unknown): Record<string, unknown> => (isObject(v) ? v : mismatch('an object'));
const optional =
  <T>(decode: Decode<T>): Decode<T | undefined> =>
  (v) =>
    v === undefined ? undefined : decode(v);
function oneOf<const T extends string>(values: readonly T[]): Decode<T> {
  const known = new Set<string>(values);
  return (v) => (typeof v === 'string' && known.has(v) ? (v as T) : mismatch(`one of ${values.join(', ')}`));
}
/** A JSON array of `item`. */
function arrayOf<T>(item: Decode<T>): Decode<T[]> {
  return (v) => {
    if (!Array.isArray(v)) return mismatch('an array');
    const out: T[] = new Array(v.length);
    for (let i = 0; i < v.length; i++) out[i] = field(v as unknown as Record<number, unknown>, i, item);
    return out;
  };
}
/** A list a script answers (cjson encodes an empty Lua table as {}). */
function luaListOf<T>(item: Decode<T>): Decode<T[]> {
  const array = arrayOf(item);
  return (v) => (isObject(v) && Object.keys(v).length === 0 ? [] : array(v));
}
const strings = arrayOf(str);
const luaStrings = luaListOf(str);
/** A string holding JSON, parsed. */
const jsonText: Decode<unknown> = (v) => {
  const text = str(v);
  try {
    return JSON.parse(text) as unknown;
  } catch {
    return mismatch('JSON');
  }
};
/** Store-clock ms as a script answers a time column, as the ISO string of the contract. */
const storeTime: Decode<string> = (v) =>
  typeof v === 'string' && /^\d+$/.test(v) ? new Date(Number(v)).toISOString() : mismatch('store-clock ms');
/** A hash whose values are JSON (field -> JSON), parsed. */
function jsonHash(v: unknown): Record<string, unknown> {
  const fields = hash(v);
  const out: Record<string, unknown> = {};
  for (const key in fields) out[key] = field(fields, key, jsonText);
  return out;
}

const modeOf = oneOf(MODES);
const statusOf = oneOf(LEAD_STATUSES);
const outcomeOf = oneOf(OUTCOMES);
const presenceOf = oneOf(['available', 'away', 'offline', 'off-shift'] satisfies Presence[]);
const strandActionOf = oneOf(['everyone', 'wait', 'moved']);
/** The reps a lead is open to: "*" or their ids (JSON). */
const eligibleOf: Decode<'*' | string[]> = (v) => {
  const value = jsonText(v);
  return value === '*' ? value : strings(value);
};
const strandedOf: Decode<NonNullable<Lead['stranded']>> = (v) => {
  const s = hash(jsonText(v));
  return { at: new Date(field(s, 'at', num)).toISOString(), action: field(s, 'action', strandActionOf), poolId: field(s, 'poolId', str) };
};
// The doc is not re-validated field by field: it was validated on the way in
// (shared/schemas.ts), and a rule tightened since must not make stored leads unreadable.
const leadDocOf: Decode<LeadDoc> = (v) => {
  const doc = jsonText(v);
  return isObject(doc) ? (doc as LeadDoc) : mismatch('a JSON object');
};

/** A lead as the scripts answer it (includes/leadColumns.lua leadOut): its id and columns. */
function leadOf(v: unknown): Lead {
  const c = hash(v);
  const out: Lead = {
    ...field(c, 'doc', leadDocOf),
    id: field(c, 'id', str),
    poolId: field(c, 'poolId', str),
    status: field(c, 'status', statusOf),
    createdAt: field(c, 'createdAt', storeTime),
  };
  if (c.claimedBy !== undefined) out.claimedBy = field(c, 'claimedBy', str);
  if (c.claimedAt !== undefined) out.claimedAt = field(c, 'claimedAt', storeTime);
  if (c.outcome !== undefined) out.outcome = field(c, 'outcome', outcomeOf);
  if (c.outcomeNote !== undefined) out.outcomeNote = field(c, 'outcomeNote', str);
  if (c.closedAt !== undefined) out.closedAt = field(c, 'closedAt', storeTime);
  if (c.escalatedAt !== undefined) out.escalatedAt = field(c, 'escalatedAt', storeTime);
  if (c.eligible !== undefined) out.eligible = field(c, 'eligible', eligibleOf);
  if (c.claimMode !== undefined) out.claimMode = field(c, 'claimMode', modeOf);
  if (c.overdueAt !== undefined) out.overdueAt = field(c, 'overdueAt', storeTime);
  if (c.stranded !== undefined) out.stranded = field(c, 'stranded', strandedOf);
  return out;
}
const leadsOf = luaListOf(leadOf);

/** A rep hash: StoredRep field -> JSON (fields beyond StoredRep's are kept). */
function repOf(v: unknown): StoredRep {
  const r = jsonHash(v);
  for (const key of ['id', 'name', 'createdAt', 'tokenHash']) field(r, key, str);
  for (const key of ['skills', 'languages', 'countries', 'teams']) field(r, key, strings);
  // absent on a rep no migration reached yet: the pool every v1 rep was in (eligibility.lua repPools)
  if (r.pools === undefined) r.pools = [DEFAULT_POOL];
  else field(r, 'pools', strings);
  if (r.maxActive !== null) field(r, 'maxActive', num);
  field(r, 'weight', num);
  field(r, 'away', bool);
  // absent until the shift keeper first writes it (server/service/shifts.ts)
  field(r, 'offShift', optional(bool));
  return r as unknown as StoredRep;
}

/**
 * The settings hash (name -> JSON) over DEFAULT_SETTINGS. Values come only from
 * SettingsPatchSchema output (patchSettings) and DEFAULT_SETTINGS (install), so they are
 * not re-validated: a rule tightened since must not make the pool unreadable. The values
 * were parsed just now and belong to nobody else: no copy (mergeSettings copies each).
 */
const settingsOf = (v: unknown): Settings => ({ ...DEFAULT_SETTINGS, ...(jsonHash(v) as Partial<Settings>) });

// Rules were validated on the way in (shared/schemas.ts RuleSchema) and are not re-validated.
const rulesOf: Decode<Rule[]> = (v) => {
  const rules = jsonText(v);
  return Array.isArray(rules) ? (rules as Rule[]) : mismatch('a JSON array');
};

/** A pool's config hash (name, createdAt, mode, rules JSON) and settings hash, as a PoolRecord. */
function poolRecordOf(id: string, stored: { config: unknown; settings: unknown }): PoolRecord {
  const config = field(stored, 'config', hash);
  const configField = <T>(key: string, decode: Decode<T>) => {
    try {
      return field(config, key, decode);
    } catch (err) {
      if (err instanceof ShapeError) err.path.unshift('config');
      throw err;
    }
  };
  return {
    id,
    name: configField('name', str),
    mode: config.mode === undefined ? DEFAULT_MODE : configField('mode', modeOf),
    settings: field(stored, 'settings', settingsOf),
    createdAt: configField('createdAt', str),
    rules: config.rules === undefined ? [] : configField('rules', rulesOf),
  };
}

/** A hand-written decoder as a zod schema, for the zod schemas of the rarer replies. */
function asSchema<T>(decode: Decode<T>): z.ZodType<T> {
  return z.unknown().transform((v, ctx) => {
    try {
      return decode(v);
    } catch (err) {
      if (!(err instanceof ShapeError)) throw err;
      ctx.addIssue({ code: 'custom', message: err.message, path: err.path });
      return z.NEVER;
    }
  });
}

const lead = asSchema(leadOf);
const rep = asSchema(repOf);
const settings = asSchema(settingsOf);

/** The PoolRecord of pool `id` from its two stored hashes. */
const poolOf = (id: string, stored: { config: unknown; settings: unknown }): PoolRecord =>
  decodeWith(() => poolRecordOf(id, stored), `the stored pool ${id} is damaged`);

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

/** A presence change (includes/presence.lua changeOf): with the rep's pools when an available rep stopped being available. */
const presenceChangeOf: Decode<Omit<PresenceChange, 'repId'>> = (v) => {
  const c = hash(v);
  const change: Omit<PresenceChange, 'repId'> = { before: field(c, 'before', presenceOf), after: field(c, 'after', presenceOf) };
  if (c.pools !== undefined) change.pools = field(c, 'pools', luaStrings);
  return change;
};
/** sweepPresence.lua's changes name their reps. */
const sweptChangeOf: Decode<PresenceChange> = (v) => ({ repId: field(hash(v), 'repId', str), ...presenceChangeOf(v) });

/** claim.lua and pull.lua: the lead taken, its pool's mode and whether the rep has other tabs, or a failure code of `codes`. */
function wonOr<const C extends string>(codes: readonly C[]) {
  const codeOf = oneOf(codes);
  return (v: unknown): Taken | { ok: false; code: C } => {
    const r = hash(v);
    if (r.ok === undefined) return { ok: false, code: field(r, 'code', codeOf) };
    if (r.ok !== true) return field(r, 'ok', () => mismatch('true'));
    return { ok: true, lead: field(r, 'lead', leadOf), mode: field(r, 'mode', modeOf), otherTabs: field(r, 'otherTabs', bool) };
  };
}

/** insertLead.lua (and each result of insertLeads.lua): the lead, new or the duplicate found. */
const DUPLICATE_BY = ['externalId', 'email', 'phone'] as const;
const duplicateByOf = oneOf(DUPLICATE_BY);
type Inserted = { duplicate: false; lead: Lead } | { duplicate: true; lead: Lead; by: (typeof DUPLICATE_BY)[number] };
const insertedOf: Decode<Inserted> = (v) => {
  const r = hash(v);
  if (r.duplicate === false) return { duplicate: false, lead: field(r, 'lead', leadOf) };
  if (r.duplicate === true) return { duplicate: true, lead: field(r, 'lead', leadOf), by: field(r, 'by', duplicateByOf) };
  return field(r, 'duplicate', () => mismatch('a boolean'));
};
const insertLeadOf = (v: unknown): Inserted | { code: 'NO_POOL' } => {
  const r = hash(v);
  return r.code === undefined ? insertedOf(r) : { code: field(r, 'code', oneOf(['NO_POOL'])) };
};

/** includes/repView.lua: the pools the views of one call name, each read once (id -> its read). */
type SharedPools = Map<string, { order: number; pool: PoolRecord; open: Lead[] }>;
function sharedPoolsOf(v: unknown): SharedPools {
  const pools = hash(v);
  const out: SharedPools = new Map();
  for (const id in pools)
    out.set(
      id,
      field(pools, id, (p) => {
        const read = hash(p);
        return {
          order: field(read, 'order', num),
          pool: poolRecordOf(id, read as { config: unknown; settings: unknown }),
          open: field(read, 'open', leadsOf),
        };
      }),
    );
  return out;
}

/** includes/repView.lua repViewOf: false when the rep does not exist, else its pools by id. */
type RepViewRead = { rep: StoredRep; pools: string[]; missing: string[]; held: Lead[] } | null;
const repViewOf: Decode<RepViewRead> = (v) => {
  const view = hash(v);
  if (view.rep === false) return null;
  return {
    rep: field(view, 'rep', repOf),
    pools: field(view, 'pools', luaStrings),
    missing: field(view, 'missing', luaStrings),
    held: field(view, 'held', leadsOf),
  };
};

/** A view with its pools from the call's shared reads, in creation order (the same Lead objects in every view: read-only). */
function withPools(view: RepViewRead, shared: SharedPools) {
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
const repViewReplyOf = (v: unknown) => {
  const r = hash(v);
  return withPools(field(r, 'view', repViewOf), field(r, 'pools', sharedPoolsOf));
};

/** tabOpened.lua: one change per tab; connecting tabs' reads come with them, a replayed operation answers the changes alone. */
const changesOf = (v: unknown) => field(hash(v), 'changes', arrayOf(presenceChangeOf));
const viewsOf = arrayOf(repViewOf);
const readsOf = (v: unknown) => {
  const reads = hash(v);
  const pools = field(reads, 'pools', sharedPoolsOf);
  return field(reads, 'views', viewsOf).map((view) => withPools(view, pools));
};
const tabOpenedOf = (v: unknown) => {
  if (!Array.isArray(v)) return { changes: changesOf(v), views: undefined };
  const reply = v as unknown as Record<number, unknown>;
  return { changes: field(reply, 0, changesOf), views: field(reply, 1, readsOf) };
};

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
  insertLead: insertLeadOf,
  insertLeads: z.union([
    z.object({
      results: asSchema(luaListOf(insertedOf)),
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
  repView: repViewReplyOf,
  indexTimes: z.object({ indexed: z.number() }),
  indexTokenPools: z.object({ indexed: z.number() }),
  claim: arrayOf(wonOr(CLAIM_CODES)),
  pull: arrayOf(wonOr(PULL_CODES)),
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
  tabOpened: tabOpenedOf,
  tabClosed: luaListOf(presenceChangeOf),
  setAway: presenceChangeOf,
  setOffShift: presenceChangeOf,
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
  sweepPresence: (v: unknown) => {
    const r = hash(v);
    return { changes: field(r, 'changes', luaListOf(sweptChangeOf)), reps: field(r, 'reps', luaStrings) };
  },
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
} satisfies Record<ScriptName, z.ZodType | Decode<unknown>>;

/** What each script's reply decodes to. */
export type ScriptReply<N extends ScriptName> = (typeof REPLIES)[N] extends z.ZodType
  ? z.output<(typeof REPLIES)[N]>
  : (typeof REPLIES)[N] extends Decode<infer T>
    ? T
    : never;

function parse<T extends z.ZodType>(schema: T, value: unknown, what: string): z.output<T> {
  const parsed = schema.safeParse(value);
  if (!parsed.success) throw new RedisReplyError(`${what}: ${z.prettifyError(parsed.error)}`);
  return parsed.data;
}

/** A hand-written decoder's result; a wrong shape, as `what` and where (the same words as a zod issue's). */
function decodeWith<T>(decode: () => T, what: string): T {
  try {
    return decode();
  } catch (err) {
    if (!(err instanceof ShapeError)) throw err;
    throw new RedisReplyError(`${what}: ✖ ${err.message}${err.path.length ? `\n  → at ${err.path.join('.')}` : ''}`);
  }
}

/** The typed result of a script's reply (its JSON, parsed). */
export function decodeReply<N extends ScriptName>(name: N, reply: unknown): ScriptReply<N> {
  const decoder: z.ZodType | Decode<unknown> = REPLIES[name];
  const what = `Redis script ${name} answered an unexpected reply`;
  // The generic index loses the link between N and its decoder; REPLIES[N] gives ScriptReply<N>.
  return (typeof decoder === 'function' ? decodeWith(() => decoder(reply), what) : parse(decoder, reply, what)) as ScriptReply<N>;
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
  return decodeWith(() => repOf(fields), 'a stored rep is damaged');
}

/** A `tokenpools` entry (the rep's pools JSON, as its hash holds it). */
export function decodeTokenPools(value: string): string[] {
  return decodeWith(() => luaStrings(jsonText(value)), 'a stored tokenpools entry is damaged');
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
