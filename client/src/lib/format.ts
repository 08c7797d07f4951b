// Small formatting helpers shared by the views.
import type { ErrorBody, LeadView } from '../../../shared/protocol';

/** "4s", "2m 05s", "3h 10m", "2d 4h". */
export function formatAge(ms: number | null | undefined): string {
  if (ms === null || ms === undefined || !Number.isFinite(ms)) return '—';
  const s = Math.max(0, Math.floor(ms / 1000));
  if (s < 60) return `${s}s`;
  const m = Math.floor(s / 60);
  if (m < 60) return `${m}m ${String(s % 60).padStart(2, '0')}s`;
  const h = Math.floor(m / 60);
  if (h < 24) return `${h}h ${String(m % 60).padStart(2, '0')}m`;
  const d = Math.floor(h / 24);
  return `${d}d ${h % 24}h`;
}

export function formatMs(ms: number | null | undefined): string {
  if (ms === null || ms === undefined) return '—';
  if (ms < 1000) return `${Math.round(ms)} ms`;
  if (ms < 10_000) return `${(ms / 1000).toFixed(1)}s`;
  return formatAge(ms);
}

export function formatTime(iso: string | undefined): string {
  if (!iso) return '';
  const d = new Date(iso);
  return Number.isNaN(d.getTime()) ? '' : d.toLocaleTimeString([], { hour: '2-digit', minute: '2-digit', second: '2-digit' });
}

export const FIELD_LABELS: Record<string, string> = {
  externalId: 'External id',
  name: 'Name',
  email: 'Email',
  phone: 'Phone',
  company: 'Company',
  companySize: 'Company size',
  country: 'Country',
  language: 'Language',
  industry: 'Industry',
  jobTitle: 'Job title',
  source: 'Source',
  engagement: 'Engagement',
  tags: 'Tags',
  attributes: 'Attributes',
};

/** A field's value as short text (arrays joined, engagement summarized). */
export function fieldText(lead: Partial<LeadView>, field: string): string {
  const v = (lead as Record<string, unknown>)[field];
  if (v === undefined || v === null || v === '') return '';
  if (field === 'companySize' && typeof v === 'number') return `${v.toLocaleString('en')} employees`;
  if (field === 'engagement' && typeof v === 'object') {
    const e = v as { visits?: number; secondsOnSite?: number };
    const parts = [];
    if (e.visits !== undefined) parts.push(`${e.visits} visit${e.visits === 1 ? '' : 's'}`);
    if (e.secondsOnSite !== undefined) parts.push(`${formatAge(e.secondsOnSite * 1000)} on site`);
    return parts.join(', ');
  }
  if (Array.isArray(v)) return v.join(', ');
  if (typeof v === 'object')
    return Object.entries(v as Record<string, unknown>)
      .map(([k, x]) => `${k}: ${x}`)
      .join(', ');
  return String(v);
}

/** One line that describes a lead without contact details: "Software · DE · 50 employees". */
export function leadSummary(lead: Partial<LeadView>): string {
  const parts = [
    lead.industry,
    lead.country,
    lead.language?.toUpperCase?.(),
    lead.companySize ? `${lead.companySize.toLocaleString('en')} employees` : undefined,
    lead.source,
  ];
  const text = parts.filter(Boolean).join(' · ');
  return text || 'New lead';
}

const REP_MESSAGES: Record<string, string> = {
  ALREADY_CLAIMED: 'Taken by another rep',
  NOT_OPEN: 'This lead is no longer open.',
  NOT_FOUND: 'This lead no longer exists.',
  NOT_ELIGIBLE: 'This lead is routed to other reps.',
  CAP_REACHED: 'You hold as many leads as your cap allows. Close or release one first.',
  MODE_FORBIDS: 'The current pool mode does not allow this.',
  UNAVAILABLE: 'You are set to away. Switch to available to claim leads.',
  COOLDOWN: 'Cooling down after a win: wait a moment before claiming again.',
  WINDOW_CAP: 'You reached the number of claims allowed in this time window.',
  RATE_LIMITED: 'Too many requests: slow down a little.',
  POOL_EMPTY: 'No lead is waiting for you right now.',
  NOT_OWNER: 'You no longer hold this lead.',
  STORE_UNAVAILABLE: 'The server cannot save right now; nothing was changed. Try again shortly.',
  INVALID: 'The server rejected this request as invalid.',
};

/** A readable message for an error ack. */
export function errorMessage(error: ErrorBody | { code: string; message: string }): string {
  return REP_MESSAGES[error.code] ?? error.message ?? error.code;
}

export const splitList = (s: string): string[] =>
  s
    .split(',')
    .map((x) => x.trim())
    .filter(Boolean);
