// zod schemas for every input the server accepts (HTTP bodies and socket payloads).
// One place, so the HTTP API, the socket API and the tests agree on what is valid.
import { z } from 'zod';
import {
  AUDIT_EVENT_TYPES,
  CONTACT_FIELDS,
  FORM_FIELDS,
  type FormField,
  LEAD_INPUT_FIELDS,
  LEAD_STATUSES,
  type LeadInputField,
  MODES,
  OUTCOMES,
  POOL_ID_PATTERN,
  WEBHOOK_EVENTS,
  WEIGHT_BY,
} from './protocol.js';

const text = (max: number) => z.string().trim().min(1).max(max);
const id = z.string().min(1).max(128);
const stringList = (maxItems: number, maxLen = 64) => z.array(text(maxLen)).max(maxItems);

const countryCode = z
  .string()
  .regex(/^[A-Za-z]{2}$/, 'ISO 3166-1 alpha-2 code')
  .transform((s) => s.toUpperCase());
const languageCode = z
  .string()
  .regex(/^[A-Za-z]{2}$/, 'ISO 639-1 code')
  .transform((s) => s.toLowerCase());

const phone = z
  .string()
  .trim()
  .min(3)
  .max(40)
  .regex(/^[0-9 +()\-./]+$/, 'digits, spaces and +()-./ only');

export const LeadInputSchema = z
  .strictObject({
    externalId: text(128).optional(),
    name: text(200).optional(),
    email: z.string().trim().max(254).pipe(z.email()).optional(),
    phone: phone.optional(),
    company: text(200).optional(),
    companySize: z.number().int().min(1).max(10_000_000).optional(),
    country: countryCode.optional(),
    language: languageCode.optional(),
    industry: text(100).optional(),
    jobTitle: text(200).optional(),
    source: text(100).optional(),
    engagement: z
      .strictObject({
        visits: z.number().int().min(0).max(1_000_000_000).optional(),
        secondsOnSite: z.number().min(0).max(1_000_000_000).optional(),
      })
      .optional(),
    tags: stringList(50, 64).optional(),
    attributes: z
      .record(z.string().min(1).max(64), z.union([z.string().max(1000), z.number(), z.boolean()]))
      .refine((r) => Object.keys(r).length <= 50, 'at most 50 attributes')
      .optional(),
  })
  .refine((l) => l.email !== undefined || l.phone !== undefined, {
    message: 'at least one of email or phone is required',
    path: ['email'],
  });

const leadField = z.enum(LEAD_INPUT_FIELDS as unknown as [LeadInputField, ...LeadInputField[]]);

const nonNegMs = z
  .number()
  .int()
  .min(0)
  .max(365 * 24 * 3600 * 1000);
/** A duration setting: a number of ms, or null / 0 for off. */
const optionalMs = nonNegMs.nullable().transform((v) => (v === 0 ? null : v));

const FiltersSchema = z.strictObject({
  requireFields: z.array(leadField).max(LEAD_INPUT_FIELDS.length).optional(),
  countries: z.array(countryCode).max(300).optional(),
  minVisits: z.number().int().min(0).optional(),
  minSecondsOnSite: z.number().min(0).optional(),
});

export const SettingsPatchSchema = z.strictObject({
  maxActivePerRep: z.number().int().min(1).max(100_000).optional(),
  teaserFields: z
    .array(leadField)
    .max(LEAD_INPUT_FIELDS.length)
    .refine(
      (fs) => !fs.some((f) => (CONTACT_FIELDS as readonly string[]).includes(f)),
      'contact fields (name, email, phone) cannot be teaser fields',
    )
    .optional(),
  filters: FiltersSchema.optional(),
  escalateAfterMs: optionalMs.optional(),
  claimTimeoutMs: optionalMs.optional(),
  claimCooldownMs: nonNegMs.optional(),
  maxClaimsPerWindow: z
    .number()
    .int()
    .min(0)
    .max(1_000_000)
    .nullable()
    .transform((v) => (v === 0 ? null : v))
    .optional(),
  claimWindowMs: optionalMs.optional(),
  duplicateWindowMs: optionalMs.optional(),
  weighted: z.boolean().optional(),
  weightBy: z.enum(WEIGHT_BY).optional(),
  maxActionsPerSecond: z.number().int().min(0).max(100_000).optional(),
  // The fallback pool must exist and differ from the pool: checked by the service (422).
  whenNobodyEligible: z
    .union([z.enum(['everyone', 'wait']), z.strictObject({ pool: z.string().regex(POOL_ID_PATTERN, 'a pool id') })])
    .optional(),
  reclaimAfterOfflineMs: optionalMs.optional(),
  slaMs: optionalMs.optional(),
});
export type SettingsPatch = z.infer<typeof SettingsPatchSchema>;

export const ModeSchema = z.strictObject({ mode: z.enum(MODES) });

export const poolId = z
  .string()
  .regex(POOL_ID_PATTERN, 'lower-case letters, digits and dashes, starting with a letter or digit, at most 40');
/** A list of pool ids (a rep's or a feed's pools): no repeats. */
const poolIds = z
  .array(poolId)
  .max(100)
  .refine((ids) => new Set(ids).size === ids.length, 'a pool is listed twice');

export const PoolCreateSchema = z.strictObject({
  id: poolId,
  name: text(100),
  mode: z.enum(MODES).optional(),
  settings: SettingsPatchSchema.optional(),
});
export type PoolCreate = z.infer<typeof PoolCreateSchema>;
export const PoolPatchSchema = z.strictObject({ name: text(100) });

export const FeedCreateSchema = z.strictObject({ name: text(100), pools: poolIds.min(1).optional() });
export type FeedCreate = z.infer<typeof FeedCreateSchema>;

/** An IANA zone this runtime knows (Intl throws a RangeError for any other). */
const timeZone = z
  .string()
  .min(1)
  .max(64)
  .refine((tz) => {
    try {
      new Intl.DateTimeFormat('en-US', { timeZone: tz });
      return true;
    } catch {
      return false;
    }
  }, 'an IANA time zone, e.g. Europe/Berlin');
const hhmm = z.string().regex(/^([01]\d|2[0-3]):[0-5]\d$|^24:00$/, '"HH:MM", 00:00 to 24:00');
/** An absence edge: an ISO date, a local ISO time (no offset) or an ISO time with Z or an offset. */
const absenceEdge = z
  .string()
  .regex(/^\d{4}-\d{2}-\d{2}(T\d{2}:\d{2}(:\d{2}(\.\d{1,3})?)?(Z|[+-]\d{2}:\d{2})?)?$/, 'an ISO date or time')
  .refine((v) => !Number.isNaN(Date.parse(v.length === 10 ? v : /Z|[+-]\d{2}:\d{2}$/.test(v) ? v : `${v}Z`)), 'not a real date');
/** Where an absence edge falls, roughly (local times read as UTC; a date `to` is the end of that day): for ordering only. */
const roughEdge = (v: string, end: boolean) =>
  Date.parse(v.length === 10 ? `${v}T00:00:00Z` : /Z|[+-]\d{2}:\d{2}$/.test(v) ? v : `${v}Z`) + (end && v.length === 10 ? 86_400_000 : 0);
export const ScheduleSchema = z.strictObject({
  timeZone,
  weekly: z
    .array(
      z
        .strictObject({ day: z.number().int().min(1).max(7), from: hhmm, to: hhmm })
        .refine((w) => w.from !== w.to, { message: 'from and to are the same time', path: ['to'] })
        .refine((w) => w.from !== '24:00', { message: 'a shift cannot start at 24:00', path: ['from'] }),
    )
    .max(100),
  off: z
    .array(
      z
        .strictObject({ from: absenceEdge, to: absenceEdge })
        .refine((a) => roughEdge(a.from, false) < roughEdge(a.to, true), { message: 'to is before from', path: ['to'] }),
    )
    .max(500)
    .optional(),
});
/** A webhook's URL: http or https only, no credentials in it (they would show in the list). */
const webhookUrl = z
  .string()
  .trim()
  .max(2000)
  .refine((v) => {
    const url = URL.canParse(v) ? new URL(v) : null;
    return !!url && /^https?:$/.test(url.protocol) && !url.username && !url.password;
  }, 'an http:// or https:// URL without credentials');
const webhookEvents = z
  .array(z.enum(WEBHOOK_EVENTS))
  .min(1)
  .refine((list) => new Set(list).size === list.length, 'an event is listed twice');
export const WebhookCreateSchema = z.strictObject({
  url: webhookUrl,
  events: webhookEvents,
  poolIds: poolIds.min(1).optional(),
  /** Given: used as is (e.g. the receiver's existing secret); else generated. */
  secret: z.string().min(16).max(200).optional(),
});
export type WebhookCreate = z.infer<typeof WebhookCreateSchema>;
export const WebhookPatchSchema = z.strictObject({
  url: webhookUrl.optional(),
  events: webhookEvents.optional(),
  /** null: every pool again. */
  poolIds: poolIds.min(1).nullable().optional(),
  enabled: z.boolean().optional(),
});
export type WebhookPatch = z.infer<typeof WebhookPatchSchema>;

const repFields = {
  name: text(100),
  skills: stringList(50).optional(),
  languages: z.array(languageCode).max(50).optional(),
  countries: z.array(countryCode).max(300).optional(),
  teams: stringList(50).optional(),
  maxActive: z.number().int().min(1).max(100_000).nullable().optional(),
  weight: z.number().min(0.01).max(1000).optional(),
  pools: poolIds.optional(),
  /** null (PATCH) removes it: always on shift. */
  schedule: ScheduleSchema.nullable().optional(),
};
export const RepCreateSchema = z.strictObject(repFields);
export type RepCreate = z.infer<typeof RepCreateSchema>;
export const RepPatchSchema = z.strictObject({ ...repFields, name: repFields.name.optional() });
export type RepPatch = z.infer<typeof RepPatchSchema>;

const RuleSchema = z.strictObject({
  name: text(100),
  when: z.strictObject({
    country: z.array(countryCode).max(300).optional(),
    language: z.array(languageCode).max(200).optional(),
    industry: stringList(100, 100).optional(),
    source: stringList(100, 100).optional(),
    tags: stringList(100).optional(),
    companySize: z.strictObject({ min: z.number().int().min(0).optional(), max: z.number().int().min(0).optional() }).optional(),
  }),
  to: z.strictObject({
    reps: z.array(id).max(1000).optional(),
    countries: z.array(countryCode).max(300).optional(),
    languages: z.array(languageCode).max(200).optional(),
    skills: stringList(100).optional(),
    teams: stringList(100).optional(),
  }),
});
export const RulesSchema = z.strictObject({ rules: z.array(RuleSchema).max(500) });

export const AssignSchema = z.strictObject({ repId: id });
// Socket payloads are strict like the HTTP bodies: an unknown key is a malformed payload
// (INVALID), not something to ignore. A pull takes `{}` or nothing.
export const LeadIdPayload = z.strictObject({ leadId: id });
export const PullPayload = z.strictObject({ poolId: poolId.optional() }).nullish();
export const OutcomePayload = z.strictObject({
  leadId: id,
  outcome: z.enum(OUTCOMES),
  note: z.string().max(2000).optional(),
});
export const PresencePayload = z.strictObject({ status: z.enum(['available', 'away']) });

export const LeadListQuery = z.object({
  poolId: poolId.optional(),
  status: z.enum(LEAD_STATUSES).optional(),
  repId: id.optional(),
  limit: z.coerce.number().int().min(1).max(1000).default(100),
  // v2 lead list (docs/API.md, GET /api/leads): search words, facets, a time range, the cursor
  q: z.string().trim().max(200).optional(),
  source: text(100).optional(),
  country: countryCode.optional(),
  from: z.lazy(() => isoTime).optional(),
  to: z.lazy(() => isoTime).optional(),
  before: z
    .string()
    .regex(/^\d{1,15}$/, 'the `next` of a previous page')
    .optional(),
});
export type LeadListRequest = z.infer<typeof LeadListQuery>;

/** An ISO time in a query (`2026-11-29T10:00:00Z`, or a date). */
const isoTime = z
  .string()
  .max(40)
  .refine((s) => /^\d{4}-\d{2}-\d{2}/.test(s) && !Number.isNaN(Date.parse(s)), 'an ISO time like 2026-11-29T10:00:00Z')
  .transform((s) => new Date(Date.parse(s)).toISOString());

/** GET /api/events (docs/API.md, Audit trail): `type` is a type or its prefix (`lead`, `pool`, `rep`, `feed`). */
export const EventsQuery = z.object({
  leadId: id.optional(),
  repId: id.optional(),
  poolId: poolId.optional(),
  type: z.enum([...AUDIT_EVENT_TYPES, 'lead', 'pool', 'rep', 'feed']).optional(),
  since: isoTime.optional(),
  until: isoTime.optional(),
  before: z
    .string()
    .regex(/^\d{1,15}-\d{1,15}$/, 'the `next` of a previous page')
    .optional(),
  limit: z.coerce.number().int().min(1).max(1000).default(100),
});
export type EventsRequest = z.infer<typeof EventsQuery>;

/** GET /api/reps?limit=&offset=: one page of the team (either given); neither = every rep (v1). */
export const RepListQuery = z.object({
  limit: z.coerce.number().int().min(1).max(1000).optional(),
  offset: z.coerce.number().int().min(0).optional(),
});

/** GET /api/me/leads: a rep's own leads, closed (Recent) or still held, of the last `days` days. */
export const MyLeadsQuery = z.object({
  status: z.enum(['closed', 'claimed']).default('closed'),
  days: z.coerce.number().int().min(1).max(90).default(7),
  limit: z.coerce.number().int().min(1).max(500).default(100),
});
export type MyLeadsRequest = z.infer<typeof MyLeadsQuery>;

// ---- hosted lead forms -------------------------------------------------------------------

const formField = z.enum(FORM_FIELDS as unknown as [FormField, ...FormField[]]);
const formFields = z
  .array(formField)
  .min(1)
  .max(FORM_FIELDS.length)
  .refine((fs) => new Set(fs).size === fs.length, 'a field is listed twice');
/** An origin allowed to frame a form: scheme, host and port only (a CSP source, no path, no wildcard). */
export const embedOrigin = z
  .string()
  .trim()
  .max(200)
  .refine((s) => /^https?:\/\/[A-Za-z0-9.-]+(?::\d{1,5})?$/.test(s), 'an origin like https://www.example.com (no path)')
  .transform((s) => new URL(s).origin);
const httpUrl = z
  .string()
  .trim()
  .max(2000)
  .refine((s) => URL.canParse(s) && /^https?:$/.test(new URL(s).protocol), 'an absolute http(s) URL');
/** Optional texts of a form; on PATCH, null removes one. */
const formTexts = {
  title: text(200),
  intro: text(2000),
  submitLabel: text(60),
  consentText: text(2000),
  successMessage: text(2000),
  redirectUrl: httpUrl,
};
const formShape = {
  // `form:<name>` is the leads' source (at most 100 characters)
  name: text(80),
  poolId,
  fields: formFields,
  required: z.array(formField).max(FORM_FIELDS.length),
  embedOrigins: z.array(embedOrigin).max(50),
};
/** A form's fields: it must ask for an email or a phone (a lead needs one), and require only fields it asks for. */
const formRefinement = (f: { fields?: FormField[]; required?: FormField[] }, ctx: z.RefinementCtx) => {
  if (f.fields && !f.fields.includes('email') && !f.fields.includes('phone'))
    ctx.addIssue({ code: 'custom', path: ['fields'], message: 'a form must ask for email or phone' });
  const asked = f.fields;
  if (asked && f.required)
    for (const [i, r] of f.required.entries())
      if (!asked.includes(r)) ctx.addIssue({ code: 'custom', path: ['required', i], message: `${r} is not one of the form's fields` });
};
export const FormCreateSchema = z
  .strictObject({
    name: formShape.name,
    poolId: formShape.poolId.optional(),
    fields: formShape.fields.optional(),
    required: formShape.required.optional(),
    embedOrigins: formShape.embedOrigins.optional(),
    title: formTexts.title.optional(),
    intro: formTexts.intro.optional(),
    submitLabel: formTexts.submitLabel.optional(),
    consentText: formTexts.consentText.optional(),
    successMessage: formTexts.successMessage.optional(),
    redirectUrl: formTexts.redirectUrl.optional(),
  })
  .superRefine(formRefinement);
export type FormCreate = z.infer<typeof FormCreateSchema>;
export const FormPatchSchema = z
  .strictObject({
    name: formShape.name.optional(),
    poolId: formShape.poolId.optional(),
    fields: formShape.fields.optional(),
    required: formShape.required.optional(),
    embedOrigins: formShape.embedOrigins.optional(),
    title: formTexts.title.optional(),
    submitLabel: formTexts.submitLabel.optional(),
    successMessage: formTexts.successMessage.optional(),
    intro: formTexts.intro.nullable().optional(),
    consentText: formTexts.consentText.nullable().optional(),
    redirectUrl: formTexts.redirectUrl.nullable().optional(),
  })
  .superRefine(formRefinement);
export type FormPatch = z.infer<typeof FormPatchSchema>;

/** Flattens zod issues into `details` of an INVALID error. */
export function issuesOf(err: z.ZodError): { path: string; message: string }[] {
  return err.issues.map((i) => ({ path: i.path.join('.'), message: i.message }));
}

/** The same as epoch ms (report ranges compare numbers). */
const isoTimeMs = isoTime.transform((iso) => Date.parse(iso));

/** GET /api/reports/summary(.csv): leads that arrived in [from, to), in one pool or all. */
export const ReportQuery = z
  .strictObject({ from: isoTimeMs.optional(), to: isoTimeMs.optional(), poolId: poolId.optional() })
  .refine((q) => q.from === undefined || q.to === undefined || q.from < q.to, { message: '`from` must be before `to`', path: ['from'] });
export type ReportRequest = z.infer<typeof ReportQuery>;

/** The most leads a rules preview looks at. */
export const PREVIEW_MAX_LEADS = 5000;
/** POST /api/rules/preview: the rules to try (not saved) on the pool's latest `limit` leads. */
export const RulesPreviewSchema = z.strictObject({
  rules: RulesSchema.shape.rules,
  limit: z.number().int().min(1).max(PREVIEW_MAX_LEADS).default(500),
});
