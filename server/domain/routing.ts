// Hybrid routing: rules narrow a lead to the reps it should be offered to.
// The first matching rule decides; no match (or no rules) offers the lead to everyone.
import type { LeadInput, Rule, RuleTo } from '../../shared/protocol.js';

type RoutableRep = { id: string; skills: string[]; languages: string[]; countries: string[]; teams: string[] };

const lower = (s: string) => s.toLowerCase();
const anyOf = (values: string[] | undefined, value: string | undefined) =>
  values === undefined || values.length === 0 || (value !== undefined && values.map(lower).includes(lower(value)));

export function ruleMatches(rule: Rule, lead: LeadInput): boolean {
  const w = rule.when;
  if (!anyOf(w.country, lead.country)) return false;
  if (!anyOf(w.language, lead.language)) return false;
  if (!anyOf(w.industry, lead.industry)) return false;
  if (!anyOf(w.source, lead.source)) return false;
  if (w.tags && w.tags.length > 0) {
    const tags = (lead.tags ?? []).map(lower);
    if (!w.tags.some((t) => tags.includes(lower(t)))) return false;
  }
  if (w.companySize) {
    const size = lead.companySize;
    if (size === undefined) return false;
    if (w.companySize.min !== undefined && size < w.companySize.min) return false;
    if (w.companySize.max !== undefined && size > w.companySize.max) return false;
  }
  return true;
}

const overlaps = (wanted: string[] | undefined, has: string[]) =>
  wanted !== undefined && wanted.length > 0 && wanted.some((w) => has.map(lower).includes(lower(w)));

/** A `to` matches reps having any listed value (rep ids, countries, languages, skills, teams). */
export function repMatchesTarget(to: RuleTo, rep: RoutableRep): boolean {
  return (
    (to.reps?.includes(rep.id) ?? false) ||
    overlaps(to.countries, rep.countries) ||
    overlaps(to.languages, rep.languages) ||
    overlaps(to.skills, rep.skills) ||
    overlaps(to.teams, rep.teams)
  );
}

interface Routing {
  eligible: string[] | '*';
  rule: string | null;
}

/** The place of the first rule matching the lead (first match wins), -1 when none does. */
export function matchIndex(rules: Rule[], lead: LeadInput): number {
  return rules.findIndex((r) => ruleMatches(r, lead));
}

/**
 * Resolves a lead's eligible reps now, from the rules and the current reps. A matching
 * rule whose target no rep meets offers the lead to everyone: a lead nobody may claim
 * would be a lead lost.
 */
export function route(lead: LeadInput, rules: Rule[], reps: RoutableRep[]): Routing {
  return routeBy(rules[matchIndex(rules, lead)], reps);
}

/** The eligible reps under the rule a lead matched (undefined: none matched, everyone). */
export function routeBy(rule: Rule | undefined, reps: RoutableRep[]): Routing {
  if (!rule) return { eligible: '*', rule: null };
  const eligible = reps.filter((rep) => repMatchesTarget(rule.to, rep)).map((r) => r.id);
  return eligible.length ? { eligible, rule: rule.name } : { eligible: '*', rule: rule.name };
}
