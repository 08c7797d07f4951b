// A CSV file of leads (POST /api/pools/:poolId/leads/import) as LeadInputs: the header row
// names the columns, matched to lead fields case-insensitively and ignoring spaces, dashes
// and underscores, with common aliases (e-mail, telephone, organisation, employees, ...);
// `first name` + `last name` make `name`; every other column goes into `attributes` under
// its header. Each row is validated by the API's own schema (LeadInputSchema) and either
// becomes an input or a rejection with its line and reason. A file that cannot be read as a
// whole (broken quoting, no header naming email or phone, a column named twice) is a
// CsvError: nothing of it is imported. Pure.
import type { LeadInput } from '../../shared/protocol.js';
import { LeadInputSchema } from '../../shared/schemas.js';
import { CsvError, parseCsv } from './csv.js';

type Target =
  | 'externalId'
  | 'name'
  | 'firstName'
  | 'lastName'
  | 'email'
  | 'phone'
  | 'company'
  | 'companySize'
  | 'country'
  | 'language'
  | 'industry'
  | 'jobTitle'
  | 'source'
  | 'tags'
  | 'visits'
  | 'secondsOnSite';

/** Normalized header -> field. */
const ALIASES: Record<string, Target> = {};
const alias = (target: Target, ...names: string[]) => {
  for (const n of names) ALIASES[n] = target;
};
alias('externalId', 'externalid', 'extid', 'id', 'leadid', 'reference', 'ref');
alias('name', 'name', 'fullname', 'contact', 'contactname', 'leadname');
alias('firstName', 'firstname', 'givenname', 'forename');
alias('lastName', 'lastname', 'surname', 'familyname');
alias('email', 'email', 'emailaddress', 'mail', 'emailaddr');
alias('phone', 'phone', 'phonenumber', 'telephone', 'tel', 'mobile', 'mobilephone', 'cell', 'cellphone');
alias('company', 'company', 'companyname', 'organization', 'organisation', 'org', 'account', 'accountname');
alias('companySize', 'companysize', 'employees', 'numberofemployees', 'employeecount', 'headcount', 'size');
alias('country', 'country', 'countrycode');
alias('language', 'language', 'languagecode', 'lang');
alias('industry', 'industry', 'sector', 'vertical');
alias('jobTitle', 'jobtitle', 'title', 'position', 'role');
alias('source', 'source', 'leadsource', 'utmsource');
alias('tags', 'tags', 'tag', 'labels');
alias('visits', 'visits', 'pageviews', 'sessions');
alias('secondsOnSite', 'secondsonsite', 'timeonsite', 'timeonsiteseconds');

const normalize = (header: string) => header.toLowerCase().replace(/[\s_\-.]/g, '');

export interface CsvLeads {
  rows: { line: number; input: LeadInput }[];
  rejected: { line: number; reason: string }[];
}

/** How each column is read: a lead field, or an attribute named by its header. */
type Column = { kind: 'field'; target: Target; header: string } | { kind: 'attribute'; key: string } | { kind: 'skip' };

function columnsOf(header: string[], line: number): Column[] {
  const seen = new Map<string, string>();
  const columns = header.map((raw): Column => {
    const h = raw.trim();
    if (h === '') return { kind: 'skip' };
    const target = ALIASES[normalize(h)];
    const key = target ? `field:${target}` : `attr:${h.toLowerCase()}`;
    const before = seen.get(key);
    if (before !== undefined) throw new CsvError(`the columns "${before}" and "${h}" name the same thing`, line);
    seen.set(key, h);
    if (target) return { kind: 'field', target, header: h };
    if (h.length > 64) throw new CsvError(`the column name "${h.slice(0, 20)}…" is longer than 64 characters`, line);
    return { kind: 'attribute', key: h };
  });
  if (!columns.some((c) => c.kind === 'field' && (c.target === 'email' || c.target === 'phone')))
    throw new CsvError('the first line must be a header naming the columns, one of them email or phone', line);
  return columns;
}

/** A number cell: digits with optional thousands separators; NaN otherwise. */
const count = (value: string) => (/^\d{1,3}(?:[,' ]?\d{3})*$|^\d+$/.test(value) ? Number(value.replace(/[,' ]/g, '')) : Number.NaN);

export function csvToLeads(text: string): CsvLeads {
  const records = parseCsv(text);
  if (records.length === 0) throw new CsvError('the file is empty: the first line must be a header naming the columns', 1);
  const [head, ...body] = records;
  const columns = columnsOf(head.cells, head.line);
  const out: CsvLeads = { rows: [], rejected: [] };
  for (const { line, cells } of body) {
    if (cells.length > columns.length && cells.slice(columns.length).some((c) => c.trim() !== '')) {
      out.rejected.push({ line, reason: `${cells.length} cells, but the header names ${columns.length} columns` });
      continue;
    }
    const input: Record<string, unknown> = {};
    const attributes: Record<string, string> = {};
    const problems: string[] = [];
    let first = '';
    let last = '';
    columns.forEach((col, k) => {
      let value = (cells[k] ?? '').trim();
      // a cell an export guarded against formula injection ('=..., '+..., '-..., '@...)
      if (/^'[=+\-@]/.test(value)) value = value.slice(1);
      if (value === '' || col.kind === 'skip') return;
      if (col.kind === 'attribute') {
        attributes[col.key] = value;
        return;
      }
      switch (col.target) {
        case 'firstName':
          first = value;
          return;
        case 'lastName':
          last = value;
          return;
        case 'companySize':
        case 'visits': {
          const n = count(value);
          if (Number.isNaN(n)) problems.push(`${col.header}: not a whole number`);
          else if (col.target === 'companySize') input.companySize = n;
          else input.engagement = { ...(input.engagement as object), visits: n };
          return;
        }
        case 'secondsOnSite': {
          const n = Number(value);
          if (!Number.isFinite(n)) problems.push(`${col.header}: not a number`);
          else input.engagement = { ...(input.engagement as object), secondsOnSite: n };
          return;
        }
        case 'tags':
          input.tags = value
            .split(/[;,|]/)
            .map((t) => t.trim())
            .filter(Boolean);
          return;
        default:
          input[col.target] = value;
      }
    });
    if (input.name === undefined && (first || last)) input.name = [first, last].filter(Boolean).join(' ');
    if (Object.keys(attributes).length) input.attributes = attributes;
    if (problems.length) {
      out.rejected.push({ line, reason: problems.join('; ') });
      continue;
    }
    const parsed = LeadInputSchema.safeParse(input);
    if (!parsed.success) {
      const reason = parsed.error.issues
        .slice(0, 5)
        .map((i) => (i.path.length ? `${i.path.join('.')}: ${i.message}` : i.message))
        .join('; ');
      out.rejected.push({ line, reason });
      continue;
    }
    out.rows.push({ line, input: parsed.data });
  }
  return out;
}
