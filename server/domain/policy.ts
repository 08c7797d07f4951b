// The rules of a claim, a pull and a round-robin assignment, as pure functions over a
// snapshot. The embedded store calls them inside its synchronous critical section; the
// Redis store implements the same order of checks in Lua (server/store/redis/).
// Order matters and is part of the contract:
//   claim: rep gone -> NOT_FOUND, lead gone -> NOT_FOUND, the lead's pool's mode ->
//          MODE_FORBIDS, lead taken -> ALREADY_CLAIMED, lead closed -> NOT_OPEN, rep not in
//          the lead's pool or (hybrid) not routed to -> NOT_ELIGIBLE, then the rep's own
//          limits: UNAVAILABLE (away or off-shift), RATE_LIMITED, CAP_REACHED, COOLDOWN, WINDOW_CAP.
//   pull in a pool: rep gone -> NOT_FOUND, pool gone -> NOT_FOUND, rep not in it ->
//          NOT_ELIGIBLE, round-robin -> MODE_FORBIDS, the limits, then POOL_EMPTY.
//   pull in any of the rep's pools: see pullPools.
//   Lead state comes first so that every loser of a race hears ALREADY_CLAIMED.
// Thresholds come from the settings of the pool of the lead being taken; the rep's
// counters (last claim, recent claims, actions this second, held leads) span all pools.
import { AVAILABLE, type Lead, type Mode, type Presence, type Settings, type WhenNobodyEligible } from '../../shared/protocol.js';
import { mayClaim, type RepRef } from './view.js';

/** What the checks know of the rep taking a lead, read in the same atomic section. */
export interface RepState {
  id: string;
  /** The pools whose leads the rep may take. */
  pools: readonly string[];
  away: boolean;
  /** Outside its schedule (server/domain/schedule.ts): refused like away. Absent = on shift. */
  offShift?: boolean;
  maxActive: number | null;
  /** Leads this rep holds (status claimed) in the pool of the lead being taken. */
  heldInPool: number;
  /** Leads this rep holds in every pool together. */
  heldTotal: number;
  /** Store-clock ms of this rep's last successful claim or pull (any pool), 0 when none. */
  lastClaimAt: number;
  /** Store-clock ms of this rep's successful claims and pulls (any pool) still kept (see recordClaim). */
  recentClaims: number[];
  /** Claims and pulls this rep attempted in the current one-second bucket (any pool), this one included. */
  actionsThisSecond: number;
}

/** The part of a pool the checks read. */
export interface PoolRules {
  id: string;
  mode: Mode;
  settings: Settings;
}

type LimitFailure = 'UNAVAILABLE' | 'RATE_LIMITED' | 'CAP_REACHED' | 'COOLDOWN' | 'WINDOW_CAP';

/**
 * The cap that applies to a rep (what pool:state shows as `maxActive`): its own maxActive,
 * which counts its held leads in all pools together, or else the pool's maxActivePerRep,
 * which counts its held leads in that pool only.
 */
export function capOf(maxActive: number | null, settings: Settings): number {
  return maxActive ?? settings.maxActivePerRep;
}

/**
 * Whether the rep may take no more leads in a pool with these settings: with rep.maxActive
 * set, its held leads in all pools against it (the pool's per-rep cap does not apply);
 * without, its held leads in that pool against settings.maxActivePerRep.
 */
export function capReached(rep: { maxActive: number | null }, heldInPool: number, heldTotal: number, settings: Settings): boolean {
  return rep.maxActive !== null ? heldTotal >= rep.maxActive : heldInPool >= settings.maxActivePerRep;
}

/** Cooldown and window: checked against the settings of the pool of the lead being taken. */
export function checkPacing(rep: RepState, settings: Settings, now: number): 'COOLDOWN' | 'WINDOW_CAP' | null {
  if (settings.claimCooldownMs > 0 && rep.lastClaimAt > 0 && now - rep.lastClaimAt < settings.claimCooldownMs) return 'COOLDOWN';
  if (settings.maxClaimsPerWindow && settings.claimWindowMs) {
    const since = now - settings.claimWindowMs;
    if (rep.recentClaims.filter((t) => t > since).length >= settings.maxClaimsPerWindow) return 'WINDOW_CAP';
  }
  return null;
}

const rateLimited = (rep: RepState, maxActionsPerSecond: number) => maxActionsPerSecond > 0 && rep.actionsThisSecond > maxActionsPerSecond;

/** The rep-side checks shared by claim and pull in one pool, in contract order. */
function checkRepLimits(rep: RepState, settings: Settings, now: number): LimitFailure | null {
  if (rep.away || rep.offShift) return 'UNAVAILABLE';
  if (rateLimited(rep, settings.maxActionsPerSecond)) return 'RATE_LIMITED';
  if (capReached(rep, rep.heldInPool, rep.heldTotal, settings)) return 'CAP_REACHED';
  return checkPacing(rep, settings, now);
}

type ClaimCheck = 'NOT_FOUND' | 'MODE_FORBIDS' | 'ALREADY_CLAIMED' | 'NOT_OPEN' | 'NOT_ELIGIBLE' | LimitFailure | null;

/** `pool` is the lead's pool (null if it is gone: only closed leads outlive their pool). */
export function checkClaim(lead: Lead | null, rep: RepState | null, pool: PoolRules | null, now: number): ClaimCheck {
  if (!rep) return 'NOT_FOUND';
  if (!lead) return 'NOT_FOUND';
  if (pool && (pool.mode === 'blind-pull' || pool.mode === 'round-robin')) return 'MODE_FORBIDS';
  if (lead.status === 'claimed') return 'ALREADY_CLAIMED';
  if (lead.status !== 'open') return 'NOT_OPEN';
  if (!pool || !mayClaim(lead, rep, pool.mode)) return 'NOT_ELIGIBLE';
  return checkRepLimits(rep, pool.settings, now);
}

type PullCheck = 'NOT_FOUND' | 'NOT_ELIGIBLE' | 'MODE_FORBIDS' | LimitFailure | null;

/** A pull in one named pool (null: no such pool); then the oldest open lead the rep may claim there, or POOL_EMPTY. */
export function checkPull(rep: RepState | null, pool: PoolRules | null, now: number): PullCheck {
  if (!rep) return 'NOT_FOUND';
  if (!pool) return 'NOT_FOUND';
  if (!rep.pools.includes(pool.id)) return 'NOT_ELIGIBLE';
  if (pool.mode === 'round-robin') return 'MODE_FORBIDS';
  return checkRepLimits(rep, pool.settings, now);
}

/**
 * A pull without a pool, first step: the pools it may take from. Candidates are the rep's
 * pools (of `pools`, every existing pool) whose mode is not round-robin (none:
 * MODE_FORBIDS); then UNAVAILABLE; RATE_LIMITED against the strictest maxActionsPerSecond
 * of the candidates; pools where capReached are dropped (all: CAP_REACHED; with
 * rep.maxActive set that is the global cap). `heldIn(poolId)` is the rep's held count there.
 * Second step (the store): the open lead with the lowest seq in those pools that the rep
 * may claim (none: POOL_EMPTY); third: checkPacing with that lead's pool's settings.
 */
export function pullPools(
  rep: RepState | null,
  pools: readonly PoolRules[],
  heldIn: (poolId: string) => number,
): { ok: true; pools: PoolRules[] } | { ok: false; code: 'NOT_FOUND' | 'MODE_FORBIDS' | 'UNAVAILABLE' | 'RATE_LIMITED' | 'CAP_REACHED' } {
  if (!rep) return { ok: false, code: 'NOT_FOUND' };
  const candidates = pools.filter((p) => rep.pools.includes(p.id) && p.mode !== 'round-robin');
  if (candidates.length === 0) return { ok: false, code: 'MODE_FORBIDS' };
  if (rep.away || rep.offShift) return { ok: false, code: 'UNAVAILABLE' };
  if (rateLimited(rep, strictestRate(candidates.map((p) => p.settings)))) return { ok: false, code: 'RATE_LIMITED' };
  const open = candidates.filter((p) => !capReached(rep, heldIn(p.id), rep.heldTotal, p.settings));
  if (open.length === 0) return { ok: false, code: 'CAP_REACHED' };
  return { ok: true, pools: open };
}

/** The lowest maxActionsPerSecond that is on (> 0), or 0 (off) when none is. */
export function strictestRate(settings: readonly Settings[]): number {
  const on = settings.map((s) => s.maxActionsPerSecond).filter((n) => n > 0);
  return on.length ? Math.min(...on) : 0;
}

/**
 * How long a rep's claims must be kept for the window checks: the longest claimWindowMs of
 * any pool (0 when no pool has one, so claims made while no window is set never count).
 */
export function claimWindowToKeep(settings: Iterable<Settings>): number {
  let longest = 0;
  for (const s of settings) longest = Math.max(longest, s.claimWindowMs ?? 0);
  return longest;
}

/** Window bookkeeping: the claims still inside `keepMs` (claimWindowToKeep) after a new claim (or pull) at `now`. */
export function recordClaim(recentClaims: number[], keepMs: number, now: number): number[] {
  return keepMs > 0 ? [...recentClaims.filter((t) => t > now - keepMs), now] : [];
}

export interface RotationEntry {
  repId: string;
  /** Virtual time of the rep in the pool's rotation; lowest goes next. */
  score: number;
  lastAssignedAt: number;
  weight: number;
}

/**
 * Round-robin (each pool has its own rotation): the candidate with the lowest score goes
 * next (ties: longest since its last assignment, then candidate order). After an
 * assignment its score becomes max(score, lowest score) + 1/weight (weighted) or + 1, so a
 * newcomer joins the rotation at the current front instead of receiving a burst, and
 * weights hold in proportion.
 */
export function nextInRotation(entries: RotationEntry[]): RotationEntry | null {
  let best: RotationEntry | null = null;
  for (const e of entries) {
    if (!best || e.score < best.score || (e.score === best.score && e.lastAssignedAt < best.lastAssignedAt)) best = e;
  }
  return best;
}

export function advanceRotation(entry: RotationEntry, lowestScore: number, weighted: boolean): number {
  return Math.max(entry.score, lowestScore) + (weighted ? 1 / Math.max(entry.weight, 0.01) : 1);
}

/**
 * The one presence predicate of distribution: only `available` takes leads; away, offline
 * (and off-shift) are unavailable for stranding, reclaiming and round-robin alike. The Redis
 * scripts mirror it (lua/includes/presence.lua isAvailable).
 */
export function isAvailable(presence: Presence | undefined): boolean {
  return presence === AVAILABLE;
}

/**
 * Whether an open lead is stranded: no rep that may take it (mayClaim: in its pool and, in
 * hybrid, routed to) is available. `reps` are the candidates (any superset of the pool's
 * members); `presenceOf` their presence. A lead handled once already (`stranded`) is not.
 * A lead open to the whole pool (not narrowed by hybrid rules) counts only under a fallback
 * pool: "everyone" would change nothing for it and "wait" is what happens anyway.
 */
export function isStranded(
  lead: Pick<Lead, 'eligible' | 'poolId' | 'status' | 'stranded'>,
  mode: Mode,
  policy: WhenNobodyEligible,
  reps: readonly RepRef[],
  presenceOf: (repId: string) => Presence | undefined,
): boolean {
  if (!mayStrand(lead, mode, policy)) return false;
  return !reps.some((rep) => mayClaim(lead, rep, mode) && isAvailable(presenceOf(rep.id)));
}

/**
 * Whether isStranded could hold for this lead whoever is available: an open lead not handled
 * yet, narrowed by hybrid rules or under a fallback pool (a cheap check before reading presence).
 */
export function mayStrand(lead: Pick<Lead, 'eligible' | 'status' | 'stranded'>, mode: Mode, policy: WhenNobodyEligible): boolean {
  if (lead.status !== 'open' || lead.stranded) return false;
  return (mode === 'hybrid' && Array.isArray(lead.eligible)) || typeof policy === 'object';
}

/** Whether whenNobodyEligible opened the lead to everyone (or moved it): rules no longer narrow it, as after an escalation. */
export function openedByStranding(lead: Pick<Lead, 'stranded'>): boolean {
  return !!lead.stranded && lead.stranded.action !== 'wait';
}
