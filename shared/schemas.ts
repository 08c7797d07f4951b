// zod schemas for every input the server accepts (HTTP bodies and socket payloads).
// One place, so the HTTP API, the socket API and the tests agree on what is valid.
import { z } from 'zod';
import { CONTACT_FIELDS, LEAD_INPUT_FIELDS, LEAD_STATUSES, type LeadInputField, MODES, OUTCOMES, POOL_ID_PATTERN } from './protocol.js';

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
  maxActionsPerSecond: z.number().int().min(0).max(100_000).optional(),
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

const repFields = {
  name: text(100),
  skills: stringList(50).optional(),
  languages: z.array(languageCode).max(50).optional(),
  countries: z.array(countryCode).max(300).optional(),
  teams: stringList(50).optional(),
  maxActive: z.number().int().min(1).max(100_000).nullable().optional(),
  weight: z.number().min(0.01).max(1000).optional(),
  pools: poolIds.optional(),
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
});

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

/** Flattens zod issues into `details` of an INVALID error. */
export function issuesOf(err: z.ZodError): { path: string; message: string }[] {
  return err.issues.map((i) => ({ path: i.path.join('.'), message: i.message }));
}
