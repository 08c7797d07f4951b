// The manager's reps, kept for teams of thousands: one map by id changed in place
// by each event (rep:changed, rep:presence, a lead changing hands), a version signal that
// tells the views, per-pool counts kept up to date by those same changes, and pages of a
// filtered list read from a name order that is sorted again only when a rep is added,
// removed or renamed. Nothing here walks every rep on a presence or lead event.
import { computed, signal } from '@preact/signals';
import { DEFAULT_POOL, type Rep } from '../../../shared/protocol';

/** How many reps of a pool there are, and how many have a tab open (`online`) or take leads now (`available`). */
export interface RepCounts {
  members: number;
  online: number;
  available: number;
}

export interface RosterQuery {
  /** Only the reps of this pool. */
  poolId?: string;
  /** Words every one of which is in the rep's name, skills, languages, countries, teams or presence. */
  text?: string;
  /** `presence`: available first, then away, off shift, offline; each by name. Default: by name. */
  order?: 'name' | 'presence';
  offset?: number;
  limit?: number;
}

export interface RosterPage {
  reps: Rep[];
  /** How many reps match (all pages). */
  total: number;
}

const PRESENCE_ORDER = ['available', 'away', 'off-shift', 'offline'] as const;
const EMPTY: RepCounts = { members: 0, online: 0, available: 0 };
const collator = new Intl.Collator(undefined, { sensitivity: 'base', numeric: true });

export const repPools = (r: Pick<Rep, 'pools'>) => r.pools ?? [DEFAULT_POOL];
const sameList = (a: string[], b: string[]) => a.length === b.length && a.every((x, i) => x === b[i]);

/** What a filter box matches: the rep's name, its chips and its presence, lower case. */
const searchText = (r: Rep) =>
  [r.name, ...r.skills, ...r.languages, ...r.countries, ...r.teams, r.presence === 'off-shift' ? 'off shift' : r.presence]
    .join(' ')
    .toLowerCase();

export function createRoster() {
  const byId = new Map<string, Rep>();
  /** Bumped on every change: views that show reps read it. */
  const version = signal(0);
  /** Bumped when the name order may change (a rep added, removed, renamed). */
  const namesVersion = signal(0);
  const counts = new Map<string, RepCounts>();
  const total = { ...EMPTY };
  const countsVersion = signal(0);

  const tally = (r: Rep, sign: 1 | -1) => {
    const online = r.presence !== 'offline' ? sign : 0;
    const available = r.presence === 'available' ? sign : 0;
    for (const id of [...repPools(r), '']) {
      const c = id === '' ? total : (counts.get(id) ?? counts.set(id, { ...EMPTY }).get(id)!);
      c.members += sign;
      c.online += online;
      c.available += available;
    }
  };
  const changed = (names: boolean) => {
    version.value++;
    countsVersion.value++;
    if (names) namesVersion.value++;
  };

  const byName = computed(() => {
    namesVersion.value;
    return [...byId.values()].sort((a, b) => collator.compare(a.name, b.name) || a.id.localeCompare(b.id)).map((r) => r.id);
  });

  const roster = {
    version,
    /** The number of reps known. */
    size: computed(() => {
      version.value;
      return byId.size;
    }),
    get(id: string | undefined): Rep | undefined {
      return id ? byId.get(id) : undefined;
    },
    /** Every rep, in creation order (walks them all: for small teams and tests). */
    list(): Rep[] {
      return [...byId.values()];
    },
    /** A pool's counts (the deployment's without `poolId`); read inside a view, it follows every change. */
    counts(poolId?: string): RepCounts {
      countsVersion.value;
      return { ...(poolId === undefined ? total : (counts.get(poolId) ?? EMPTY)) };
    },
    /** Replaces every rep (a snapshot, or the whole list of reps:changed). */
    replace(reps: Rep[]): void {
      byId.clear();
      counts.clear();
      Object.assign(total, EMPTY);
      for (const r of reps) {
        byId.set(r.id, r);
        tally(r, 1);
      }
      changed(true);
    },
    /** One rep as it is now: replaced where it was (creation order kept), or appended. */
    put(rep: Rep): void {
      const was = byId.get(rep.id);
      if (was) tally(was, -1);
      byId.set(rep.id, rep);
      tally(rep, 1);
      changed(!was || was.name !== rep.name);
    },
    remove(id: string): void {
      const was = byId.get(id);
      if (!was) return;
      tally(was, -1);
      byId.delete(id);
      changed(true);
    },
    /** Changes some fields of one rep (presence, open lead count); an unknown rep is left alone. */
    patch(id: string, fields: Partial<Rep>): void {
      const was = byId.get(id);
      if (!was) return;
      const next = { ...was, ...fields };
      tally(was, -1);
      byId.set(id, next);
      tally(next, 1);
      changed(next.name !== was.name || !sameList(repPools(was), repPools(next)));
    },
    /** One page of the reps matching `q` (reads `version`, so a view calling it follows every change). */
    query(q: RosterQuery = {}): RosterPage {
      version.value;
      const words = (q.text ?? '').toLowerCase().split(/\s+/).filter(Boolean);
      const matches: Rep[] = [];
      for (const id of byName.value) {
        const r = byId.get(id);
        if (!r) continue;
        if (q.poolId && !repPools(r).includes(q.poolId)) continue;
        if (words.length) {
          const text = searchText(r);
          if (!words.every((w) => text.includes(w))) continue;
        }
        matches.push(r);
      }
      // Name order is kept; grouping by presence keeps it within each group (no sort per event).
      const ordered = q.order === 'presence' ? PRESENCE_ORDER.flatMap((p) => matches.filter((r) => r.presence === p)) : matches;
      const offset = Math.max(0, q.offset ?? 0);
      return { reps: ordered.slice(offset, offset + (q.limit ?? ordered.length)), total: ordered.length };
    },
  };
  return roster;
}
export type Roster = ReturnType<typeof createRoster>;
