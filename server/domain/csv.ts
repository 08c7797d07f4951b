// CSV both ways. Reading (CSV import): RFC 4180 into records, strictly (below). Writing (the
// lead export GET /api/reports/leads.csv and the report's CSV, docs/API.md): RFC 4180 cells,
// and a cell a spreadsheet would run as a formula (starting with =, +, - or @) prefixed with '.
import type { Lead } from '../../shared/protocol.js';

// CSV (RFC 4180) into records, strictly: a field is quoted whole or not at all, a quote in a
// quoted field is doubled, line breaks may sit inside quotes. Anything else (a stray quote,
// text after a closing quote, a quote never closed) is a CsvError naming the line, so a
// broken file is refused whole rather than read wrong. Also: a UTF-8 byte order mark is
// skipped, CRLF, LF and CR all end a record, blank lines are skipped, and the delimiter is
// the comma unless the header line has more semicolons or tabs (spreadsheets in many
// locales write `;`). Pure.

export class CsvError extends Error {
  constructor(
    message: string,
    /** The file's line (1 = the first) where the problem is. */
    readonly line: number,
  ) {
    super(`line ${line}: ${message}`);
  }
}

export interface CsvRecord {
  /** The line the record starts on (1 = the first). */
  line: number;
  cells: string[];
}

/** The delimiter the header line uses most among comma, semicolon and tab (comma on a tie). */
export function detectDelimiter(text: string): ',' | ';' | '\t' {
  const end = text.search(/[\r\n]/);
  const first = (end < 0 ? text : text.slice(0, end)).replace(/"[^"]*"/g, '');
  const count = (c: string) => first.split(c).length - 1;
  const [comma, semi, tab] = [count(','), count(';'), count('\t')];
  if (semi > comma && semi >= tab) return ';';
  if (tab > comma && tab > semi) return '\t';
  return ',';
}

export function parseCsv(input: string, delimiter: string = detectDelimiter(input.replace(/^\uFEFF/, ''))): CsvRecord[] {
  const text = input.startsWith('\uFEFF') ? input.slice(1) : input;
  const records: CsvRecord[] = [];
  const n = text.length;
  let i = 0;
  let line = 1;
  let cells: string[] = [];
  let recordLine = 1;
  const endRecord = () => {
    if (!(cells.length === 1 && cells[0] === '')) records.push({ line: recordLine, cells });
    cells = [];
  };
  /** At a line break: consumes it (CRLF as one), counts the line. */
  const newline = () => {
    if (text[i] === '\r' && text[i + 1] === '\n') i++;
    i++;
    line++;
  };
  while (i <= n) {
    if (cells.length === 0) recordLine = line;
    if (text[i] === '"') {
      // a quoted field
      const openedOn = line;
      let value = '';
      i++;
      for (;;) {
        const q = text.indexOf('"', i);
        if (q < 0) throw new CsvError('a quoted field is never closed', openedOn);
        const chunk = text.slice(i, q);
        for (const ch of chunk) if (ch === '\n') line++;
        // a lone CR inside quotes counts as a line too
        line += (chunk.match(/\r(?!\n)/g) ?? []).length;
        value += chunk;
        if (text[q + 1] === '"') {
          value += '"';
          i = q + 2;
          continue;
        }
        i = q + 1;
        break;
      }
      cells.push(value);
      const c = text[i];
      if (i >= n) {
        endRecord();
        break;
      }
      if (c === delimiter) {
        i++;
        if (i >= n) {
          cells.push('');
          endRecord();
          break;
        }
        continue;
      }
      if (c === '\r' || c === '\n') {
        newline();
        endRecord();
        continue;
      }
      throw new CsvError('text after the closing quote of a field (a quote inside a quoted field must be doubled: "")', line);
    }
    // an unquoted field: up to the delimiter or the end of the line
    let j = i;
    while (j < n && text[j] !== delimiter && text[j] !== '\r' && text[j] !== '\n') j++;
    const value = text.slice(i, j);
    if (value.includes('"')) throw new CsvError('a quote inside an unquoted field (quote the whole field and double the quote: "")', line);
    cells.push(value);
    i = j;
    if (i >= n) {
      endRecord();
      break;
    }
    if (text[i] === delimiter) {
      i++;
      if (i >= n) {
        cells.push('');
        endRecord();
        break;
      }
      continue;
    }
    newline();
    endRecord();
  }
  return records;
}

// ---- writing ----------------------------------------------------------------------------

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
  if (/^[=+\-@\t\r]/.test(text)) text = `'${text}`;
  return /[",\r\n]/.test(text) ? `"${text.replace(/"/g, '""')}"` : text;
}

export const csvHeader = () => `${LEAD_CSV_COLUMNS.join(',')}\r\n`;

export function csvRow(lead: Lead, duplicates = 0): string {
  const row: Record<string, unknown> = { ...lead, duplicates: duplicates || undefined };
  return `${LEAD_CSV_COLUMNS.map((c) => csvCell(row[c])).join(',')}\r\n`;
}
