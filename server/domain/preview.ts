// Routing, explained: how a set of rules (not saved yet) would route a pool's recent leads
// now, who could take each, and which leads no available rep could take ("the Spanish leads
// reach only an offline rep"). Pure; the matching itself is routing.ts (matchIndex and
// routeBy, which make up `route`, the function that routes every arriving lead).
import type { Lead, Presence, PreviewLead, Rule, RulesPreview } from '../../shared/protocol.js';
import { matchIndex, routeBy } from './routing.js';

export interface PreviewRep {
  id: string;
  name: string;
  skills: string[];
  languages: string[];
  countries: string[];
  teams: string[];
  presence: Presence;
}

/** What a preview shows of a lead besides its id: what rules match on (no contact field). */
const ROUTING_FIELDS = ['country', 'language', 'industry', 'source', 'companySize'] as const;

const describe = (reps: PreviewRep[]) => reps.map((r) => `${r.name} (${r.presence})`).join(', ');

/**
 * `reps`: the pool's members with their presence. A lead is stranded when none of the reps
 * the rules give it is available (online, not away); "everyone" means every member.
 */
export function previewRules(poolId: string, leads: Lead[], rules: Rule[], reps: PreviewRep[]): RulesPreview {
  const perRule = [...rules.map((r) => ({ rule: r.name as string | null, leads: 0, stranded: 0 })), { rule: null, leads: 0, stranded: 0 }];
  const eligibleCount = new Map(reps.map((r) => [r.id, 0]));
  const byId = new Map(reps.map((r) => [r.id, r]));
  const items: RulesPreview['items'] = [];
  const stranded: RulesPreview['stranded'] = [];
  for (const lead of leads) {
    if (lead.status === 'disqualified') continue;
    const index = matchIndex(rules, lead);
    const { eligible, rule } = routeBy(rules[index], reps);
    const who = eligible === '*' ? reps : eligible.map((id) => byId.get(id)!);
    for (const r of who) eligibleCount.set(r.id, (eligibleCount.get(r.id) ?? 0) + 1);
    const available = who.filter((r) => r.presence === 'available').length;
    const row = perRule[index < 0 ? rules.length : index];
    row.leads++;
    const base: PreviewLead = { leadId: lead.id, rule };
    for (const f of ROUTING_FIELDS) if (lead[f] !== undefined) Object.assign(base, { [f]: lead[f] });
    items.push({ ...base, createdAt: lead.createdAt, status: lead.status, eligible, available });
    if (available === 0) {
      row.stranded++;
      const reason =
        who.length === 0
          ? 'the pool has no reps'
          : eligible === '*'
            ? `no rep of the pool is available: ${describe(who)}`
            : `only ${describe(who)} could take it${rule ? ` (rule "${rule}")` : ''}`;
      stranded.push({ ...base, eligible, reason });
    }
  }
  return {
    poolId,
    leads: items.length,
    perRule,
    perRep: reps.map((r) => ({ repId: r.id, name: r.name, presence: r.presence, eligible: eligibleCount.get(r.id) ?? 0 })),
    items,
    stranded,
  };
}
