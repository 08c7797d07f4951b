// The lead export (GET /api/reports/leads.csv, docs/API.md): RFC 4180 cells, and a cell
// a spreadsheet would run as a formula (starting with =, +, - or @) prefixed with '.
import type { Lead } from '../../shared/protocol.js';

/** The export's columns, in order: header names are the Lead field names. */
export const LEAD_CSV_COLUMNS = [
  'id',
  'createdAt',
  'poolId',
  'status',
  'source',
  'externalId',
  'name',
  'email',
  'phone',
  'company',
  'companySize',
  'country',
  'language',
  'industry',
  'jobTitle',
  'feedId',
  'claimedBy',
  'claimedAt',
  'outcome',
  'outcomeNote',
  'closedAt',
  'disqualifiedReasons',
  'duplicates',
] as const;

/** One cell: formula-looking text neutralized, quoted when it holds a comma, a quote or a line break. */
export function csvCell(value: unknown): string {
  if (value === undefined || value === null) return '';
  let text = Array.isArray(value) ? value.join('; ') : typeof value === 'object' ? JSON.stringify(value) : String(value);
  if (/^[=+\-@]/.test(text)) text = `'${text}`;
  return /[",\r\n]/.test(text) ? `"${text.replace(/"/g, '""')}"` : text;
}

export const csvHeader = () => `${LEAD_CSV_COLUMNS.join(',')}\r\n`;

export function csvRow(lead: Lead, duplicates = 0): string {
  const row: Record<string, unknown> = { ...lead, duplicates: duplicates || undefined };
  return `${LEAD_CSV_COLUMNS.map((c) => csvCell(row[c])).join(',')}\r\n`;
}
