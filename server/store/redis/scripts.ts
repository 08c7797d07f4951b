// The Lua side of the Redis store: every race-deciding operation is one script in lua/,
// each file opening with what it does, its KEYS, its ARGV and its reply. A script pulls in
// shared helpers from lua/includes/ with `--- @include "name"` lines, resolved here (each
// include once per script, where first named, its own includes first). Every script is
// prefixed with a constants header generated from the TypeScript that owns the values
// (shared/protocol.ts, keys.ts), so no such value is repeated as a literal in Lua.
//
// The order of checks in claim.lua and pull.lua mirrors server/domain/policy.ts
// (checkClaim, checkPull, pullPools, checkRepLimits, capReached, checkPacing,
// strictestRate, claimWindowToKeep, recordClaim, nextInRotation, advanceRotation) and
// server/domain/view.ts (mayClaim) exactly; each Lua helper names the function it mirrors.
// Change them together.
//
// Operations: every script that changes something (all but READ_ONLY) is wrapped so it acts
// at most once per operation id (keys.ts, Operation ids): its last KEY is the call's op key;
// a stored reply (or tombstone) there is answered without doing anything, else the script
// runs and its reply is stored there for OP_TTL_MS.
import { createHash } from 'node:crypto';
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { CLOSING_OUTCOMES, DEFAULT_MODE, DEFAULT_POOL, DEFAULT_POOL_NAME, DEFAULT_SETTINGS, type Lead } from '../../../shared/protocol.js';
import { DEFAULT_AUDIT_MAX_EVENTS } from '../audit.js';
import { DELIVERIES_KEPT_PER_WEBHOOK } from '../types.js';
import {
  GLOBAL_KEYS,
  type GlobalKey,
  LAYOUT,
  LEAD_COLUMNS,
  OP_TTL_MS,
  POOL_KEYS,
  REP_KEYS,
  SEP,
  STATUS_KEYS,
  V1_POOL_KEYS,
} from './keys.js';

const SCRIPT_NAMES = [
  'migrateV1',
  'migratePools',
  'install',
  'ensureSecret',
  'createPool',
  'renamePool',
  'deletePool',
  'setMode',
  'patchSettings',
  'setRules',
  'createFeed',
  'setFeedKey',
  'deleteFeed',
  'createForm',
  'updateForm',
  'deleteForm',
  'createRep',
  'updateRep',
  'setRepToken',
  'deleteRep',
  'insertLead',
  'insertLeads',
  'reroute',
  'statusCounts',
  'openSummary',
  'readLeads',
  'repView',
  'claim',
  'pull',
  'release',
  'assign',
  'outcome',
  'autoAssign',
  'runDue',
  'tabOpened',
  'tabClosed',
  'setAway',
  'sweepPresence',
  'setOffShift',
  'indexTimes',
  'indexTokenPools',
  'strand',
  'createWebhook',
  'updateWebhook',
  'deleteWebhook',
  'addDeliveries',
  'claimDeliveries',
  'finishDelivery',
  'redeliver',
] as const;
export type ScriptName = (typeof SCRIPT_NAMES)[number];

/**
 * Scripts sent without an operation id: those that only read, and the migrations and the
 * install run at every connection (idempotent: running one twice changes nothing more).
 */
const READ_ONLY = new Set<ScriptName>([
  'migrateV1',
  'migratePools',
  'install',
  'statusCounts',
  'openSummary',
  'readLeads',
  'repView',
  'indexTimes',
  'indexTokenPools',
]);
/** Whether a script changes something: its call passes an op key, last in KEYS. */
export const isOperation = (name: ScriptName) => !READ_ONLY.has(name);

interface Script {
  name: ScriptName;
  /** What EVAL runs: the constants header, then the script with its includes resolved. */
  source: string;
  sha: string;
  /** The global keys its KEYS start with (keys.ts Keys.script), in GLOBAL_KEYS order. */
  globalKeys: readonly GlobalKey[];
}

const LUA_DIR = join(import.meta.dirname, 'lua');

const table = (items: string[]) => (items.length ? `{ ${items.join(', ')} }` : '{}');

/** A Lua literal of a JSON value (null: nil, i.e. absent from a table). */
function lua(value: unknown): string {
  if (value === null) return 'nil';
  if (typeof value === 'boolean') return String(value);
  if (typeof value === 'number') {
    if (!Number.isFinite(value)) throw new Error(`no Lua literal for ${value}`);
    return String(value);
  }
  if (typeof value === 'string') {
    // Printable ASCII as is; every other byte (SEP is NUL) as a decimal escape.
    let out = '';
    for (const byte of Buffer.from(value, 'utf8')) {
      const c = String.fromCharCode(byte);
      out += byte >= 0x20 && byte < 0x7f && c !== "'" && c !== '\\' ? c : `\\${String(byte).padStart(3, '0')}`;
    }
    return `'${out}'`;
  }
  if (Array.isArray(value)) return table(value.map(lua));
  if (typeof value === 'object') return table(Object.entries(value).map(([k, v]) => `[${lua(k)}] = ${lua(v)}`));
  throw new Error(`no Lua literal for ${typeof value}`);
}

const EVERYONE: Lead['eligible'] = '*';

/** The values every script may use, from the TypeScript that owns them. */
const CONSTANTS = {
  POOL_KEY_COUNT: POOL_KEYS.length,
  REP_KEY_COUNT: REP_KEYS.length,
  STATUS_KEY_NAMES: STATUS_KEYS,
  LEAD_COLUMNS,
  SEP,
  LAYOUT,
  /** the pool v1 data becomes, and that cannot be deleted */
  DEFAULT_POOL,
  DEFAULT_POOL_NAME,
  /** a rep's `pools` when its hash has none (as decode.ts reads it), as a list and as stored */
  DEFAULT_POOL_LIST: [DEFAULT_POOL],
  DEFAULT_POOL_JSON: JSON.stringify([DEFAULT_POOL]),
  /** migratePools: the pool key each of v1's single-pool keys becomes (keys.ts V1_POOL_KEYS order) */
  V1_POOL_TARGETS: Object.values(V1_POOL_KEYS),
  DEFAULT_MODE,
  DEFAULT_SETTINGS,
  /** a set: outcome -> true */
  CLOSING_OUTCOMES: Object.fromEntries(CLOSING_OUTCOMES.map((o) => [o, true])),
  /** `eligible` as stored for a lead offered to everyone */
  EVERYONE_JSON: JSON.stringify(EVERYONE),
  /** how long an operation's reply stays at its op key */
  OP_TTL_MS,
  /** finished deliveries kept per webhook (includes/outbox.lua trimLog) */
  DELIVERIES_KEPT: DELIVERIES_KEPT_PER_WEBHOOK,
  /** the audit trail's bound when a call's context has none (includes/audit.lua) */
  DEFAULT_AUDIT_MAX_EVENTS,
};

/**
 * The constants header of a script: those of CONSTANTS its body names (a script runs its
 * header on every call: building tables it never reads is waste), then, when it includes
 * the key bindings (includes/keys.lua), K, the global keys it is passed, and poolBlock, a
 * pool's keys, each written out as one table constructor.
 */
function header(body: string, globalKeys: readonly GlobalKey[], bindsKeys: boolean): string {
  const fields = (names: readonly string[], index: (i: number) => string) =>
    names.map((name, i) => `[${lua(name)}] = KEYS[${index(i)}]`).join(', ');
  return [
    '-- Constants generated by server/store/redis/scripts.ts from shared/protocol.ts and keys.ts.',
    ...Object.entries(CONSTANTS)
      .filter(([name]) => new RegExp(`\\b${name}\\b`).test(body))
      .map(([name, value]) => `local ${name} = ${lua(value)}`),
    ...(bindsKeys
      ? [
          `local GLOBAL_KEY_COUNT = ${globalKeys.length}`,
          `local K = { ${fields(globalKeys, (i) => String(i + 1))} }`,
          `local function poolBlock(id, base) return { id = id, ${fields(POOL_KEYS, (i) => `base + ${i + 1}`)} } end`,
        ]
      : []),
    '',
  ].join('\n');
}

const INCLUDE = /^--- @include "([A-Za-z0-9_-]+)"[ \t]*$/gm;

/**
 * A Lua file with its includes resolved; `seen` holds the includes this script already has,
 * `files` gets the text of each file pulled in (the script's own first).
 */
function resolve(file: string, seen: Set<string>, files: string[]): string {
  const text = readFileSync(file, 'utf8');
  files.push(text);
  return text.replace(INCLUDE, (_line, name: string) => {
    if (seen.has(name)) return `-- (include "${name}": above)`;
    seen.add(name);
    return resolve(join(LUA_DIR, 'includes', `${name}.lua`), seen, files).trimEnd();
  });
}

const KEYS_BINDING = readFileSync(join(LUA_DIR, 'includes', 'keys.lua'), 'utf8');
const STATUS_SET_KEYS = Object.values(STATUS_KEYS) as GlobalKey[];

/**
 * The global keys a script uses, in GLOBAL_KEYS order: each it names as `K.<name>`, the
 * status sets when it uses STATUS_SET, the lead columns when it reads them by name
 * (includes/leadColumns.lua), and all of them when it indexes `K` any other way. A call
 * passes only these: every KEY is encoded, sent and bound on every call, and a connect or
 * a claim needs a handful of the fifty. A `K.<name>` that is no global key fails here, at
 * load, instead of as a nil key in Redis.
 */
function globalKeysOf(name: string, files: string[]): GlobalKey[] {
  const used = new Set<GlobalKey>();
  for (const text of files) {
    for (const [, key] of text.matchAll(/\bK\.([A-Za-z_]\w*)/g)) {
      if (!(GLOBAL_KEYS as readonly string[]).includes(key))
        throw new Error(`lua/${name}.lua: K.${key} is no global key (keys.ts GLOBAL_KEYS)`);
      used.add(key as GlobalKey);
    }
    // The binding itself (its helpers are named above): it indexes K to bind it.
    if (text === KEYS_BINDING) continue;
    if (text.includes('STATUS_SET')) for (const key of STATUS_SET_KEYS) used.add(key);
    const indexed = [...text.matchAll(/\bK\[([^\]]*)\]/g)].map((m) => m[1]);
    if (indexed.length && indexed.every((i) => i === 'c') && text.includes('in ipairs(LEAD_COLUMNS)'))
      for (const key of LEAD_COLUMNS) used.add(key);
    else if (indexed.length) return [...GLOBAL_KEYS];
  }
  return GLOBAL_KEYS.filter((key) => used.has(key));
}

/**
 * A script that changes something, run at most once per op key (the last KEY). Its body
 * may return a second JSON value: a read made in the same step, answered with the reply as
 * `[reply, read]` but not stored (a replayed operation answers the stored reply alone, and
 * its caller reads again).
 */
function operation(body: string): string {
  return [
    "-- Operation (server/store/redis/scripts.ts): the last KEY is this call's op key. A reply or a",
    '-- tombstone stored there is answered as is, doing nothing; else the script runs and its reply is stored.',
    'local OP_KEY = KEYS[#KEYS]',
    "local OP_DONE = redis.call('GET', OP_KEY)",
    'if OP_DONE then return OP_DONE end',
    'local function OP_BODY()',
    body.trimEnd(),
    'end',
    'local OP_REPLY, OP_READ = OP_BODY()',
    "redis.call('SET', OP_KEY, OP_REPLY, 'PX', OP_TTL_MS)",
    "if OP_READ then return '[' .. OP_REPLY .. ',' .. OP_READ .. ']' end",
    'return OP_REPLY',
    '',
  ].join('\n');
}

/** How many blocks a line opens minus how many it closes (`function`, `if`, `do` ... `end`). */
const blockBalance = (line: string) => (line.match(/\b(function|if|do)\b/g)?.length ?? 0) - (line.match(/\bend\b/g)?.length ?? 0);

/**
 * The script without the top-level local functions it never calls, to a fixpoint (a function
 * only a removed one called goes too). Why: a script runs its whole text on every call, and
 * each `local function` there makes a closure (binding its upvalues) each time: an include's
 * helpers that this script does not use cost Redis CPU on every claim. A function is removed
 * only when its name appears nowhere else in the script, so nothing that calls it can remain.
 * Top-level functions are written either on one line, or from `local function name(` to a
 * line `end` with only indented (or blank) lines between; any other shape fails here, at load.
 */
export function withoutUnusedFunctions(script: string, name = 'script'): string {
  let lines = script.split('\n');
  for (let removed = true; removed; ) {
    removed = false;
    const uses = new Map<string, number>();
    for (const word of lines.join('\n').match(/\b[A-Za-z_]\w*\b/g) ?? []) uses.set(word, (uses.get(word) ?? 0) + 1);
    const kept: string[] = [];
    for (let i = 0; i < lines.length; i++) {
      const fn = /^local function ([A-Za-z_]\w*)\(/.exec(lines[i])?.[1];
      let end = i;
      if (fn && blockBalance(lines[i]) !== 0) {
        for (end = i + 1; end < lines.length && lines[end] !== 'end'; end++)
          if (lines[end] !== '' && !/^\s/.test(lines[end]))
            throw new Error(`lua/${name}: local function ${fn} has an unindented line before its \`end\``);
        if (end === lines.length) throw new Error(`lua/${name}: local function ${fn} has no \`end\` line`);
      }
      if (fn && uses.get(fn) === 1) removed = true;
      else kept.push(...lines.slice(i, end + 1));
      i = end;
    }
    lines = kept; // again: what only a removed function called may be unused now
  }
  return lines.join('\n');
}

function load(name: ScriptName): Script {
  const files: string[] = [];
  const body = withoutUnusedFunctions(resolve(join(LUA_DIR, `${name}.lua`), new Set(), files), `${name}.lua`);
  const globalKeys = globalKeysOf(name, files);
  const code = isOperation(name) ? operation(body) : body;
  const source = `${header(code, globalKeys, files.includes(KEYS_BINDING))}\n${code}`;
  return { name, source, sha: createHash('sha1').update(source).digest('hex'), globalKeys };
}

export const SCRIPTS = Object.fromEntries(SCRIPT_NAMES.map((name) => [name, load(name)])) as Record<ScriptName, Script>;
