// The audit trail's shared rules, for both stores: event ids, the filter of listEvents and
// the retention bound. Redis names events by their stream entry id, `<ms>-<n>`; the embedded
// store makes its ids the same way (eventIdAfter), so both compare with compareEventIds.
import type { AuditEvent } from '../../shared/protocol.js';
import type { EventFilter } from './types.js';

/** LEADPOOL_AUDIT_MAX_EVENTS when unset: how many events are kept at least. */
export const DEFAULT_AUDIT_MAX_EVENTS = 200_000;
/** listEvents without a limit, and its largest. */
export const DEFAULT_EVENTS_LIMIT = 100;
export const MAX_EVENTS_LIMIT = 1000;

/** What an event id looks like (a Redis stream entry id). */
export const EVENT_ID_PATTERN = /^\d{1,15}-\d{1,15}$/;

function parts(id: string): [number, number] {
  const at = id.indexOf('-');
  return [Number(id.slice(0, at)), Number(id.slice(at + 1))];
}

/** <0, 0, >0 as `a` was recorded before, with, after `b`. */
export function compareEventIds(a: string, b: string): number {
  const [am, an] = parts(a);
  const [bm, bn] = parts(b);
  return am - bm || an - bn;
}

/** The id after `last` for an event recorded at `nowMs` (as Redis: never going back when the clock does). */
export function eventIdAfter(last: string | null, nowMs: number): string {
  if (last === null) return `${nowMs}-0`;
  const [ms, n] = parts(last);
  return nowMs > ms ? `${nowMs}-0` : `${ms}-${n + 1}`;
}

/** The ms part of an id: the time bounds of a filter become id bounds. */
export const eventIdMs = (id: string) => parts(id)[0];

/** Whether an event passes a filter's field conditions (the id and time bounds are the caller's). */
export function eventMatches(e: AuditEvent, f: EventFilter): boolean {
  if (f.leadId !== undefined && e.leadId !== f.leadId) return false;
  if (f.repId !== undefined && e.repId !== f.repId && !(e.actor.role === 'rep' && e.actor.id === f.repId)) return false;
  if (f.poolId !== undefined && e.poolId !== f.poolId) return false;
  if (f.type !== undefined && e.type !== f.type && !e.type.startsWith(`${f.type}.`)) return false;
  return true;
}

/** The id range a filter allows, inclusive: [low, high] ms (since/until) and strictly before `before`. */
export function eventBounds(f: EventFilter): { lowMs: number; highMs: number; before?: string } {
  return {
    lowMs: f.since === undefined ? 0 : Date.parse(f.since),
    highMs: f.until === undefined ? Number.MAX_SAFE_INTEGER : Date.parse(f.until),
    ...(f.before === undefined ? {} : { before: f.before }),
  };
}

export const eventsLimit = (f: EventFilter) => Math.min(Math.max(1, f.limit ?? DEFAULT_EVENTS_LIMIT), MAX_EVENTS_LIMIT);
