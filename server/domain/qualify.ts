// Qualification filters (settings.filters): a lead failing them is stored as disqualified
// with its reasons and never distributed.
import type { Filters, LeadInput } from '../../shared/protocol.js';

export function disqualificationReasons(lead: LeadInput, filters: Filters): string[] {
  const reasons: string[] = [];
  for (const field of filters.requireFields ?? []) {
    const value = (lead as Record<string, unknown>)[field];
    if (value === undefined || value === '' || (Array.isArray(value) && value.length === 0)) {
      reasons.push(`missing required field ${field}`);
    }
  }
  if (filters.countries && filters.countries.length > 0) {
    if (!lead.country || !filters.countries.includes(lead.country.toUpperCase())) {
      reasons.push(`country ${lead.country ?? '(none)'} is not accepted`);
    }
  }
  if (filters.minVisits !== undefined && (lead.engagement?.visits ?? 0) < filters.minVisits) {
    reasons.push(`fewer than ${filters.minVisits} visits`);
  }
  if (filters.minSecondsOnSite !== undefined && (lead.engagement?.secondsOnSite ?? 0) < filters.minSecondsOnSite) {
    reasons.push(`less than ${filters.minSecondsOnSite} seconds on site`);
  }
  return reasons;
}
