// Unit tests of the pure domain: views, routing, qualification, claim policy, rotation, reports.
import { describe, expect, it } from 'vitest';
import {
  advanceRotation,
  capOf,
  capReached,
  checkClaim,
  checkPacing,
  checkPull,
  claimWindowToKeep,
  nextInRotation,
  type PoolRules,
  pullPools,
  type RepState,
  type RotationEntry,
  recordClaim,
  strictestRate,
} from '../server/domain/policy.js';
import { disqualificationReasons } from '../server/domain/qualify.js';
import { liveStats, summarize } from '../server/domain/reports.js';
import { route, ruleMatches } from '../server/domain/routing.js';
import { mergeSettings } from '../server/domain/settings.js';
import { leadView, mayClaim, ownerView, viewFor } from '../server/domain/view.js';
import { DEFAULT_SETTINGS, type Lead, type Rule, type Settings } from '../shared/protocol.js';
import { LeadInputSchema, SettingsPatchSchema } from '../shared/schemas.js';

const settings: Settings = structuredClone(DEFAULT_SETTINGS);
const lead: Lead = {
  id: 'ld_1',
  poolId: 'default',
  status: 'open',
  createdAt: '2026-01-01T00:00:00.000Z',
  name: 'Ada Lovelace',
  email: 'ada@example.com',
  phone: '+44 20 1234',
  company: 'Analytical',
  companySize: 40,
  country: 'GB',
  language: 'en',
  industry: 'SaaS',
  source: 'web',
  jobTitle: 'CTO',
  tags: ['trial'],
  eligible: ['rep_a'],
};
const CONTACT = ['name', 'email', 'phone'];
/** A rep of the pool `default` (the pool of `lead`). */
const inDefault = (id: string) => ({ id, pools: ['default'] });

describe('views', () => {
  it('shark-tank shows id, createdAt, poolId and the teaser fields only', () => {
    expect(leadView(lead, 'shark-tank', settings)).toEqual({
      id: 'ld_1',
      createdAt: lead.createdAt,
      poolId: 'default',
      country: 'GB',
      language: 'en',
      industry: 'SaaS',
      companySize: 40,
      source: 'web',
    });
    expect(leadView(lead, 'shark-tank', { ...settings, teaserFields: ['industry'] })).toEqual({
      id: 'ld_1',
      createdAt: lead.createdAt,
      poolId: 'default',
      industry: 'SaaS',
    });
  });

  it('cherry-pick and hybrid show everything but contact fields and eligibility', () => {
    for (const mode of ['cherry-pick', 'hybrid'] as const) {
      const view = leadView(lead, mode, settings)!;
      for (const f of [...CONTACT, 'eligible']) expect(view).not.toHaveProperty(f);
      expect(view).toMatchObject({ company: 'Analytical', jobTitle: 'CTO', tags: ['trial'] });
    }
  });

  it('blind-pull and round-robin show nothing per lead', () => {
    expect(leadView(lead, 'blind-pull', settings)).toBeNull();
    expect(leadView(lead, 'round-robin', settings)).toBeNull();
  });

  const claimed: Lead = { ...lead, status: 'claimed', claimedBy: 'rep_b' };

  it('the owner gets its lead with the contact fields, even in a mode that shows nothing per lead', () => {
    expect(viewFor(claimed, inDefault('rep_b'), 'blind-pull', settings)).toMatchObject({ email: 'ada@example.com', name: 'Ada Lovelace' });
  });

  it('the owner view never includes eligibility', () => {
    expect(ownerView(claimed)).not.toHaveProperty('eligible');
  });

  it('a rep gets nothing of a lead another rep holds', () => {
    expect(viewFor(claimed, inDefault('rep_a'), 'cherry-pick', settings)).toBeNull();
  });

  it('in hybrid a rep gets nothing of an open lead not routed to it', () => {
    expect(viewFor(lead, inDefault('rep_z'), 'hybrid', settings)).toBeNull();
  });

  it('a rep an open lead is routed to gets a view without contact fields', () => {
    expect(viewFor(lead, inDefault('rep_a'), 'hybrid', settings)).not.toHaveProperty('email');
  });

  it('in hybrid only the reps a lead is routed to (or everyone, for "*") may claim it', () => {
    expect(mayClaim(lead, inDefault('rep_z'), 'hybrid')).toBe(false);
    expect(mayClaim(lead, inDefault('rep_a'), 'hybrid')).toBe(true);
    expect(mayClaim({ eligible: '*', poolId: 'default' }, inDefault('rep_z'), 'hybrid')).toBe(true);
  });

  it('other modes ignore eligibility', () => {
    expect(mayClaim(lead, inDefault('rep_z'), 'shark-tank')).toBe(true);
  });

  it('a rep not in the lead’s pool may not claim it, in any mode, even when routed to it', () => {
    const elsewhere = { id: 'rep_a', pools: ['other'] };
    for (const mode of ['shark-tank', 'cherry-pick', 'hybrid'] as const) expect(mayClaim(lead, elsewhere, mode)).toBe(false);
    expect(mayClaim({ eligible: '*', poolId: 'default' }, { id: 'rep_a', pools: [] }, 'shark-tank')).toBe(false);
  });

  it('a rep gets nothing of an open lead of a pool it is not in', () => {
    expect(viewFor(lead, { id: 'rep_a', pools: ['other'] }, 'cherry-pick', settings)).toBeNull();
  });

  it('the owner still gets its lead after leaving the lead’s pool', () => {
    expect(viewFor(claimed, { id: 'rep_b', pools: [] }, 'cherry-pick', settings)).toMatchObject({ email: 'ada@example.com' });
  });
});

describe('routing rules', () => {
  const reps = [
    { id: 'de1', skills: ['enterprise'], languages: ['de'], countries: ['DE'], teams: ['emea'] },
    { id: 'us1', skills: ['smb'], languages: ['en'], countries: ['US'], teams: ['amer'] },
    { id: 'us2', skills: ['enterprise'], languages: ['en'], countries: ['US'], teams: ['amer'] },
  ];
  const rules: Rule[] = [
    { name: 'big', when: { companySize: { min: 1000 } }, to: { skills: ['enterprise'] } },
    { name: 'dach', when: { country: ['DE', 'AT', 'CH'] }, to: { languages: ['de'] } },
    { name: 'named', when: { tags: ['vip'] }, to: { reps: ['us1'] } },
  ];

  it('the first matching rule decides', () => {
    expect(route({ country: 'DE', companySize: 5000 }, rules, reps)).toEqual({ eligible: ['de1', 'us2'], rule: 'big' });
  });

  it('a rule target matches the reps having any listed value', () => {
    expect(route({ country: 'AT', companySize: 10 }, rules, reps)).toEqual({ eligible: ['de1'], rule: 'dach' });
    expect(route({ tags: ['VIP'] }, rules, reps)).toEqual({ eligible: ['us1'], rule: 'named' });
  });

  it('no match offers the lead to everyone', () => {
    expect(route({ country: 'FR' }, rules, reps)).toEqual({ eligible: '*', rule: null });
    expect(route({ country: 'FR' }, [], reps).eligible).toBe('*');
  });

  it('a company size range does not match a lead without a size', () => {
    expect(ruleMatches(rules[0], { country: 'DE' })).toBe(false);
  });

  it('rule lists match case-insensitively', () => {
    expect(ruleMatches({ name: 'x', when: { industry: ['saas'] }, to: {} }, { industry: 'SaaS' })).toBe(true);
  });
});

describe('qualification filters', () => {
  it('lists every failed filter', () => {
    const reasons = disqualificationReasons(
      { email: 'a@b.co', country: 'FR', engagement: { visits: 1, secondsOnSite: 5 } },
      { requireFields: ['company', 'email'], countries: ['DE'], minVisits: 2, minSecondsOnSite: 30 },
    );
    expect(reasons).toHaveLength(4);
    expect(reasons.join(' ')).toMatch(/company/);
  });
  it('passes a lead that meets them', () => {
    expect(
      disqualificationReasons(
        { email: 'a@b.co', company: 'X', country: 'DE', engagement: { visits: 3, secondsOnSite: 60 } },
        { requireFields: ['company'], countries: ['DE'], minVisits: 2, minSecondsOnSite: 30 },
      ),
    ).toEqual([]);
  });
});

describe('claim policy', () => {
  const rep = (over: Partial<RepState> = {}): RepState => ({
    id: 'rep_a',
    pools: ['default'],
    away: false,
    maxActive: null,
    heldInPool: 0,
    heldTotal: 0,
    lastClaimAt: 0,
    recentClaims: [],
    actionsThisSecond: 1,
    ...over,
  });
  const pool = (over: Partial<PoolRules> = {}): PoolRules => ({ id: 'default', mode: 'shark-tank', settings, ...over });
  const now = 1_000_000;

  it('a claimed lead is ALREADY_CLAIMED before the rep’s own limits, so every loser of a race hears it', () => {
    expect(checkClaim({ ...lead, status: 'claimed' }, rep({ heldInPool: 99, heldTotal: 99, away: true }), pool(), now)).toBe(
      'ALREADY_CLAIMED',
    );
  });

  it('a closed lead is NOT_OPEN', () => {
    expect(checkClaim({ ...lead, status: 'closed' }, rep(), pool(), now)).toBe('NOT_OPEN');
  });

  it('a closed lead whose pool is gone is NOT_OPEN (no mode to check)', () => {
    expect(checkClaim({ ...lead, status: 'closed' }, rep(), null, now)).toBe('NOT_OPEN');
  });

  it('a missing lead or rep is NOT_FOUND', () => {
    expect(checkClaim(null, rep(), pool(), now)).toBe('NOT_FOUND');
    expect(checkClaim(lead, null, pool(), now)).toBe('NOT_FOUND');
  });

  it('a missing lead is NOT_FOUND before the mode is checked (the mode is the lead’s pool’s)', () => {
    expect(checkClaim(null, rep(), pool({ mode: 'blind-pull' }), now)).toBe('NOT_FOUND');
  });

  it('blind-pull and round-robin forbid claims: MODE_FORBIDS', () => {
    expect(checkClaim(lead, rep(), pool({ mode: 'blind-pull' }), now)).toBe('MODE_FORBIDS');
    expect(checkClaim(lead, rep(), pool({ mode: 'round-robin' }), now)).toBe('MODE_FORBIDS');
  });

  it('in hybrid a rep the lead is not routed to is NOT_ELIGIBLE', () => {
    expect(checkClaim(lead, rep({ id: 'rep_z' }), pool({ mode: 'hybrid' }), now)).toBe('NOT_ELIGIBLE');
  });

  it('a rep not in the lead’s pool is NOT_ELIGIBLE, before its own limits', () => {
    expect(checkClaim(lead, rep({ pools: ['other'], away: true }), pool(), now)).toBe('NOT_ELIGIBLE');
  });

  it('an away rep is UNAVAILABLE', () => {
    expect(checkClaim(lead, rep({ away: true }), pool(), now)).toBe('UNAVAILABLE');
  });

  it('past settings.maxActionsPerSecond a rep is RATE_LIMITED', () => {
    expect(checkClaim(lead, rep({ actionsThisSecond: 201 }), pool(), now)).toBe('RATE_LIMITED');
  });

  it('a rep holding settings.maxActivePerRep leads in the lead’s pool is CAP_REACHED', () => {
    expect(checkClaim(lead, rep({ heldInPool: 10, heldTotal: 10 }), pool(), now)).toBe('CAP_REACHED');
  });

  it('the pool’s maxActivePerRep counts only the leads held in that pool', () => {
    expect(checkClaim(lead, rep({ heldInPool: 9, heldTotal: 30 }), pool(), now)).toBeNull();
  });

  it('a rep maxActive replaces the setting as its cap, above or below it', () => {
    expect(checkClaim(lead, rep({ heldInPool: 10, heldTotal: 10, maxActive: 11 }), pool(), now)).toBeNull();
    expect(checkClaim(lead, rep({ heldInPool: 2, heldTotal: 2, maxActive: 2 }), pool(), now)).toBe('CAP_REACHED');
  });

  it('a rep maxActive counts the leads held in every pool', () => {
    expect(checkClaim(lead, rep({ heldInPool: 0, heldTotal: 2, maxActive: 2 }), pool(), now)).toBe('CAP_REACHED');
  });

  it('capReached: the rep’s maxActive against all its held leads, else the pool’s cap against those in the pool', () => {
    expect(capReached({ maxActive: null }, 9, 50, settings)).toBe(false);
    expect(capReached({ maxActive: null }, 10, 10, settings)).toBe(true);
    expect(capReached({ maxActive: 3 }, 0, 3, settings)).toBe(true);
    expect(capReached({ maxActive: 30 }, 20, 20, settings)).toBe(false);
  });

  it('capOf is the cap shown to a rep: its maxActive, else the pool’s maxActivePerRep', () => {
    expect(capOf(null, settings)).toBe(10);
    expect(capOf(3, settings)).toBe(3);
  });

  it('COOLDOWN within claimCooldownMs of the last claim, none after', () => {
    const cooled = pool({ settings: { ...settings, claimCooldownMs: 5000 } });
    expect(checkClaim(lead, rep({ lastClaimAt: now - 1000 }), cooled, now)).toBe('COOLDOWN');
    expect(checkClaim(lead, rep({ lastClaimAt: now - 6000 }), cooled, now)).toBeNull();
  });

  it('WINDOW_CAP at maxClaimsPerWindow claims inside claimWindowMs; older claims do not count', () => {
    const windowed = pool({ settings: { ...settings, maxClaimsPerWindow: 2, claimWindowMs: 60_000 } });
    expect(checkClaim(lead, rep({ recentClaims: [now - 10, now - 20] }), windowed, now)).toBe('WINDOW_CAP');
    expect(checkClaim(lead, rep({ recentClaims: [now - 10, now - 70_000] }), windowed, now)).toBeNull();
  });

  it('checkPacing alone checks the cooldown and the window', () => {
    expect(checkPacing(rep({ lastClaimAt: now - 1 }), { ...settings, claimCooldownMs: 10 }, now)).toBe('COOLDOWN');
    expect(checkPacing(rep({ recentClaims: [now - 1] }), { ...settings, maxClaimsPerWindow: 1, claimWindowMs: 10 }, now)).toBe(
      'WINDOW_CAP',
    );
    expect(checkPacing(rep({ away: true, heldInPool: 99 }), settings, now)).toBeNull();
  });

  it('pull is forbidden only in round-robin', () => {
    expect(checkPull(rep(), pool({ mode: 'round-robin' }), now)).toBe('MODE_FORBIDS');
    expect(checkPull(rep(), pool({ mode: 'blind-pull' }), now)).toBeNull();
  });

  it('pull applies the rep’s own limits like claim (UNAVAILABLE)', () => {
    expect(checkPull(rep({ away: true }), pool({ mode: 'cherry-pick' }), now)).toBe('UNAVAILABLE');
  });

  it('pull in an unknown pool is NOT_FOUND; in a pool the rep is not in, NOT_ELIGIBLE before the mode', () => {
    expect(checkPull(rep(), null, now)).toBe('NOT_FOUND');
    expect(checkPull(rep({ pools: ['other'] }), pool({ mode: 'round-robin' }), now)).toBe('NOT_ELIGIBLE');
  });

  it('recordClaim keeps the claims inside the kept window and adds the new one', () => {
    expect(recordClaim([now - 500, now - 50], 100, now)).toEqual([now - 50, now]);
  });

  it('recordClaim keeps nothing when no window is kept', () => {
    expect(recordClaim([now - 50], 0, now)).toEqual([]);
  });

  it('claims are kept for the longest claimWindowMs of any pool', () => {
    expect(claimWindowToKeep([settings, { ...settings, claimWindowMs: 500 }, { ...settings, claimWindowMs: 100 }])).toBe(500);
    expect(claimWindowToKeep([settings])).toBe(0);
  });
});

describe('pull across pools', () => {
  const rep = (over: Partial<RepState> = {}): RepState => ({
    id: 'rep_a',
    pools: ['a', 'b'],
    away: false,
    maxActive: null,
    heldInPool: 0,
    heldTotal: 0,
    lastClaimAt: 0,
    recentClaims: [],
    actionsThisSecond: 1,
    ...over,
  });
  const a: PoolRules = { id: 'a', mode: 'blind-pull', settings };
  const b: PoolRules = { id: 'b', mode: 'shark-tank', settings: { ...settings, maxActivePerRep: 1 } };
  const rr: PoolRules = { id: 'rr', mode: 'round-robin', settings };
  const c: PoolRules = { id: 'c', mode: 'cherry-pick', settings };
  const none = () => 0;
  const ids = (r: ReturnType<typeof pullPools>) => (r.ok ? r.pools.map((p) => p.id) : r.code);

  it('candidates are the rep’s pools that are not round-robin', () => {
    expect(ids(pullPools(rep({ pools: ['a', 'b', 'rr'] }), [a, b, rr, c], none))).toEqual(['a', 'b']);
  });

  it('no candidate pool (only round-robin ones, or none at all) is MODE_FORBIDS', () => {
    expect(ids(pullPools(rep({ pools: ['rr'] }), [a, rr], none))).toBe('MODE_FORBIDS');
    expect(ids(pullPools(rep({ pools: [] }), [a, rr], none))).toBe('MODE_FORBIDS');
  });

  it('an unknown rep is NOT_FOUND; an away rep UNAVAILABLE', () => {
    expect(ids(pullPools(null, [a], none))).toBe('NOT_FOUND');
    expect(ids(pullPools(rep({ away: true }), [a, b], none))).toBe('UNAVAILABLE');
  });

  it('the strictest maxActionsPerSecond that is on among the candidates applies', () => {
    const slow = { ...a, settings: { ...settings, maxActionsPerSecond: 2 } };
    const off = { ...b, settings: { ...settings, maxActionsPerSecond: 0 } };
    expect(strictestRate([slow.settings, off.settings, settings])).toBe(2);
    expect(strictestRate([off.settings])).toBe(0);
    expect(ids(pullPools(rep({ actionsThisSecond: 3 }), [slow, off], none))).toBe('RATE_LIMITED');
    expect(ids(pullPools(rep({ actionsThisSecond: 3 }), [off], none))).toEqual(['b']);
  });

  it('pools where the rep is at the pool’s cap are skipped; all of them: CAP_REACHED', () => {
    const held = (id: string) => (id === 'b' ? 1 : 0);
    expect(ids(pullPools(rep({ heldTotal: 1 }), [a, b], held))).toEqual(['a']);
    expect(ids(pullPools(rep({ pools: ['b'], heldTotal: 1 }), [a, b], held))).toBe('CAP_REACHED');
  });

  it('a rep maxActive is a cap across pools and overrides the pools’ caps', () => {
    const held = (id: string) => (id === 'b' ? 1 : 0);
    expect(ids(pullPools(rep({ maxActive: 5, heldTotal: 1 }), [a, b], held))).toEqual(['a', 'b']);
    expect(ids(pullPools(rep({ maxActive: 1, heldTotal: 1 }), [a, b], held))).toBe('CAP_REACHED');
  });
});

describe('round-robin rotation', () => {
  function simulate(weights: number[], rounds: number, weighted: boolean): number[] {
    const entries: RotationEntry[] = weights.map((w, i) => ({ repId: `r${i}`, score: 0, lastAssignedAt: 0, weight: w }));
    const counts = weights.map(() => 0);
    for (let t = 1; t <= rounds; t++) {
      const next = nextInRotation(entries)!;
      const lowest = Math.min(...entries.map((e) => e.score));
      next.score = advanceRotation(next, lowest, weighted);
      next.lastAssignedAt = t;
      counts[Number(next.repId.slice(1))]++;
    }
    return counts;
  }
  it('rotates evenly when unweighted', () => {
    expect(simulate([1, 5, 1], 30, false)).toEqual([10, 10, 10]);
  });
  it('assigns in proportion to weight when weighted', () => {
    expect(simulate([1, 3], 40, true)).toEqual([10, 30]);
  });
  it('a newcomer joins at the front of the rotation, not with a burst', () => {
    const old: RotationEntry = { repId: 'old', score: 50, lastAssignedAt: 5, weight: 1 };
    const fresh: RotationEntry = { repId: 'new', score: 0, lastAssignedAt: 0, weight: 1 };
    expect(nextInRotation([old, fresh])!.repId).toBe('new');
    expect(advanceRotation(fresh, 0, false)).toBe(1);
    expect(advanceRotation(fresh, 50, false)).toBe(51);
  });
});

describe('schemas', () => {
  it('accepts a full lead and normalises codes', () => {
    const parsed = LeadInputSchema.parse({
      email: 'a@b.co',
      country: 'gb',
      language: 'EN',
      attributes: { plan: 'pro', seats: 3, paid: true },
    });
    expect(parsed).toMatchObject({ country: 'GB', language: 'en' });
  });
  it.each([
    ['an unknown key', { email: 'a@b.co', foo: 1 }],
    ['neither email nor phone', { name: 'x' }],
    ['a bad email', { email: 'nope' }],
    ['a phone with letters', { phone: 'call me' }],
    ['a phone too short', { phone: '12' }],
    ['a company size of 0', { email: 'a@b.co', companySize: 0 }],
    ['a country code that is not ISO alpha-2', { email: 'a@b.co', country: 'GBR' }],
    ['an externalId over 128 characters', { email: 'a@b.co', externalId: 'x'.repeat(129) }],
  ])('rejects a lead with %s', (_, bad) => {
    expect(LeadInputSchema.safeParse(bad).success, JSON.stringify(bad)).toBe(false);
  });
  it('settings refuse contact fields as teaser fields', () => {
    expect(SettingsPatchSchema.safeParse({ teaserFields: ['country', 'email'] }).success).toBe(false);
  });
  it('a timer setting of 0 is off (null)', () => {
    expect(SettingsPatchSchema.parse({ claimTimeoutMs: 0 }).claimTimeoutMs).toBeNull();
  });
  it('mergeSettings applies a patch', () => {
    expect(mergeSettings(settings, { maxActivePerRep: 3 }).maxActivePerRep).toBe(3);
  });
});

describe('reports', () => {
  const at = (ms: number) => new Date(Date.UTC(2026, 0, 1) + ms).toISOString();
  const leads: Lead[] = [
    { id: '1', poolId: 'default', status: 'closed', createdAt: at(0), claimedBy: 'a', claimedAt: at(1000), outcome: 'won' },
    { id: '2', poolId: 'default', status: 'claimed', createdAt: at(0), claimedBy: 'a', claimedAt: at(3000) },
    { id: '3', poolId: 'default', status: 'closed', createdAt: at(0), claimedBy: 'b', claimedAt: at(2000), outcome: 'lost' },
    { id: '4', poolId: 'default', status: 'open', createdAt: at(0) },
    { id: '5', poolId: 'default', status: 'disqualified', createdAt: at(0) },
  ];
  const summary = () =>
    summarize(leads, [
      { id: 'a', name: 'A' },
      { id: 'b', name: 'B' },
      { id: 'c', name: 'C' },
    ]);

  it('the summary counts the leads in each status', () => {
    expect(summary().leads).toEqual({ total: 5, open: 1, claimed: 1, closed: 2, disqualified: 1 });
  });

  it('the summary gives the speed to claim over every claimed lead', () => {
    expect(summary().speedToClaimMs).toMatchObject({ count: 3, median: 2000, mean: 2000 });
  });

  it('the summary counts per rep the leads claimed, still held and each outcome', () => {
    expect(summary().perRep.find((r) => r.repId === 'a')).toMatchObject({ claimed: 2, active: 1, outcomes: { won: 1 } });
  });

  it('the summary measures fairness over the reps that claimed', () => {
    const s = summary();
    expect(s.fairness.jainIndex).toBeCloseTo(9 / 10);
    expect(s.fairness.maxShare).toBeCloseTo(2 / 3);
  });

  it('the summary counts each outcome', () => {
    expect(summary().outcomes).toMatchObject({ won: 1, lost: 1 });
  });

  it('live stats: counts, presence, oldest waiting, and the median speed to claim of the recent leads', () => {
    const stats = liveStats(
      {
        counts: { open: 1, claimed: 1, closed: 2, disqualified: 1 },
        oldestOpenCreatedAt: at(0),
        recent: leads,
        presence: { a: 'available', b: 'away' },
      },
      Date.UTC(2026, 0, 1) + 10_000,
    );
    expect(stats).toEqual({
      open: 1,
      claimed: 1,
      closed: 2,
      disqualified: 1,
      repsOnline: 2,
      repsAvailable: 1,
      medianSpeedToClaimMs: 2000,
      oldestWaitingMs: 10_000,
      pools: {},
    });
  });

  it('live stats: only the 100 latest claims among the recent leads count toward the median speed', () => {
    const many: Lead[] = Array.from({ length: 150 }, (_, i) => ({
      id: `m${i}`,
      poolId: 'default',
      status: 'claimed',
      createdAt: at(0),
      claimedAt: at(i < 100 ? 100_000 + i : 1000),
    }));
    // only the 100 latest claims count (all of them 100+ s after creation)
    expect(
      liveStats({ counts: { open: 0, claimed: 150, closed: 0, disqualified: 0 }, oldestOpenCreatedAt: null, recent: many, presence: {} })
        .medianSpeedToClaimMs,
    ).toBeGreaterThanOrEqual(100_000);
  });
});
