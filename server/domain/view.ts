// What a rep may see of a lead. Every lead that leaves the server for a rep goes through
// here: contact fields only for the owner, `eligible` never, per-mode detail otherwise.
import { CONTACT_FIELDS, LEAD_OFFERING_MODES, type Lead, type LeadView, type Mode, type Settings } from '../../shared/protocol.js';

/** Fields no rep ever receives, even for its own lead (routing internals). */
const MANAGER_ONLY = ['eligible', 'stranded'] as const;

/** The lead as its owner sees it: everything but manager-only fields. */
export function ownerView(lead: Lead): Lead {
  const { eligible: _eligible, stranded: _stranded, ...rest } = lead;
  return rest;
}

/**
 * The LeadView a rep that does not own `lead` gets in `mode`, or null when that mode
 * shows nothing per lead (blind-pull, round-robin). Eligibility (hybrid) is decided by
 * the caller through `mayClaim`; this only decides which fields.
 */
export function leadView(lead: Lead, mode: Mode, settings: Settings): LeadView | null {
  switch (mode) {
    case 'shark-tank': {
      const view: Record<string, unknown> = { id: lead.id, createdAt: lead.createdAt, poolId: lead.poolId };
      // Aging is not a teaser field: every mode that shows a lead shows that it is overdue.
      if (lead.overdueAt) view.overdueAt = lead.overdueAt;
      for (const field of settings.teaserFields) {
        if ((CONTACT_FIELDS as readonly string[]).includes(field)) continue;
        const value = (lead as unknown as Record<string, unknown>)[field];
        if (value !== undefined) view[field] = value;
      }
      return view as LeadView;
    }
    case 'cherry-pick':
    case 'hybrid': {
      const view: Record<string, unknown> = { ...lead };
      for (const field of [...CONTACT_FIELDS, ...MANAGER_ONLY]) delete view[field];
      return view as LeadView;
    }
    case 'blind-pull':
    case 'round-robin':
      return null;
  }
}

/** A rep as far as pools and eligibility go: a Rep or a StoredRep. */
export interface RepRef {
  id: string;
  pools: readonly string[];
}

/**
 * What this rep gets of this lead: its own claimed lead (ownerView, in any pool), an open
 * lead it may take as `mode` (the lead's pool's) shows it (leadView), else nothing.
 */
export function viewFor(lead: Lead, rep: RepRef, mode: Mode, settings: Settings): Lead | LeadView | null {
  if (lead.claimedBy === rep.id && lead.status === 'claimed') return ownerView(lead);
  if (lead.status !== 'open' || !mayClaim(lead, rep, mode)) return null;
  return leadView(lead, mode, settings);
}

/**
 * Whether `rep` may take this open lead, `mode` being the mode of the lead's pool: the rep
 * is in the lead's pool, and in hybrid the lead is routed to it (or to everyone, "*").
 */
export function mayClaim(lead: Pick<Lead, 'eligible' | 'poolId'>, rep: RepRef, mode: Mode): boolean {
  if (!rep.pools.includes(lead.poolId)) return false;
  if (mode !== 'hybrid') return true;
  const eligible = lead.eligible ?? '*';
  return eligible === '*' || eligible.includes(rep.id);
}

/** Whether reps are shown individual leads in this mode (else only counts, or nothing). */
export function offersLeads(mode: Mode): boolean {
  return LEAD_OFFERING_MODES.includes(mode);
}
