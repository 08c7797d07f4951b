// The rules of a claim, a pull and a round-robin assignment, as pure functions over a
// snapshot. The embedded store calls them inside its synchronous critical section; the
// Redis store implements the same order of checks in Lua (server/store/redis/).
// Order matters and is part of the contract:
//   claim: rep gone -> NOT_FOUND, mode -> MODE_FORBIDS, lead gone -> NOT_FOUND,
//          lead taken -> ALREADY_CLAIMED, lead closed -> NOT_OPEN, hybrid -> NOT_ELIGIBLE,
//          then the rep's own limits: UNAVAILABLE, RATE_LIMITED, CAP_REACHED, COOLDOWN, WINDOW_CAP.
//   Lead state comes first so that every loser of a race hears ALREADY_CLAIMED.
import type { Lead, Mode, Settings } from '../../shared/protocol.js';
import { mayClaim } from './view.js';

export interface RepLimits {
  away: boolean;
  maxActive: number | null;
  /** Leads this rep holds now (status claimed). */
  held: number;
  /** Store-clock ms of this rep's last successful claim or pull, 0 when none. */
  lastClaimAt: number;
  /** Store-clock ms of this rep's successful claims and pulls inside the current claim window. */
  recentClaims: number[];
  /** Claims and pulls this rep attempted in the current one-second bucket, this one included. */
  actionsThisSecond: number;
}

type LimitFailure = 'UNAVAILABLE' | 'RATE_LIMITED' | 'CAP_REACHED' | 'COOLDOWN' | 'WINDOW_CAP';

export function capOf(maxActive: number | null, settings: Settings): number {
  return maxActive ?? settings.maxActivePerRep;
}

/** The rep-side checks shared by claim and pull, in contract order. */
function checkRepLimits(rep: RepLimits, settings: Settings, now: number): LimitFailure | null {
  if (rep.away) return 'UNAVAILABLE';
  if (settings.maxActionsPerSecond > 0 && rep.actionsThisSecond > settings.maxActionsPerSecond) return 'RATE_LIMITED';
  if (rep.held >= capOf(rep.maxActive, settings)) return 'CAP_REACHED';
  if (settings.claimCooldownMs > 0 && rep.lastClaimAt > 0 && now - rep.lastClaimAt < settings.claimCooldownMs) return 'COOLDOWN';
  if (settings.maxClaimsPerWindow && settings.claimWindowMs) {
    const since = now - settings.claimWindowMs;
    if (rep.recentClaims.filter((t) => t > since).length >= settings.maxClaimsPerWindow) return 'WINDOW_CAP';
  }
  return null;
}

type ClaimCheck = 'NOT_FOUND' | 'MODE_FORBIDS' | 'ALREADY_CLAIMED' | 'NOT_OPEN' | 'NOT_ELIGIBLE' | LimitFailure | null;

export function checkClaim(
  lead: Lead | null,
  repId: string,
  rep: RepLimits | null,
  mode: Mode,
  settings: Settings,
  now: number,
): ClaimCheck {
  if (!rep) return 'NOT_FOUND';
  if (mode === 'blind-pull' || mode === 'round-robin') return 'MODE_FORBIDS';
  if (!lead) return 'NOT_FOUND';
  if (lead.status === 'claimed') return 'ALREADY_CLAIMED';
  if (lead.status !== 'open') return 'NOT_OPEN';
  if (!mayClaim(lead, repId, mode)) return 'NOT_ELIGIBLE';
  return checkRepLimits(rep, settings, now);
}

type PullCheck = 'NOT_FOUND' | 'MODE_FORBIDS' | LimitFailure | null;

export function checkPull(rep: RepLimits | null, mode: Mode, settings: Settings, now: number): PullCheck {
  if (!rep) return 'NOT_FOUND';
  if (mode === 'round-robin') return 'MODE_FORBIDS';
  return checkRepLimits(rep, settings, now);
}

/** Window bookkeeping: the claims still inside the window after a new claim (or pull) at `now`. */
export function recordClaim(recentClaims: number[], settings: Settings, now: number): number[] {
  const windowMs = settings.claimWindowMs ?? 0;
  const kept = windowMs > 0 ? recentClaims.filter((t) => t > now - windowMs) : [];
  return windowMs > 0 ? [...kept, now] : kept;
}

export interface RotationEntry {
  repId: string;
  /** Virtual time of the rep in the rotation; lowest goes next. */
  score: number;
  lastAssignedAt: number;
  weight: number;
}

/**
 * Round-robin: the candidate with the lowest score goes next (ties: longest since its
 * last assignment, then candidate order). After an assignment its score becomes
 * max(score, lowest score) + 1/weight (weighted) or + 1, so a newcomer joins the rotation
 * at the current front instead of receiving a burst, and weights hold in proportion.
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
