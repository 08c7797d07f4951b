// CSV import (docs/API.md, "CSV import"): the RFC 4180 reader, the header mapping, and
// POST /api/pools/:poolId/leads/import on both stores: good, duplicate, invalid and
// disqualified rows give the right counts and line numbers; a malformed file (broken
// quoting, no header, wrong content type, too large) is refused whole and imports nothing.
import { describe, expect, it } from 'vitest';
import { CsvError, parseCsv } from '../server/domain/csv.js';
import { csvToLeads } from '../server/domain/csv-leads.js';
import type { CsvImportResult, Lead } from '../shared/protocol.js';
import type { Api } from './support/api.js';
import { serversOf, stores } from './support/stores.js';

describe('parseCsv (RFC 4180)', () => {
  it('reads quoted fields with delimiters, doubled quotes and line breaks; counts lines; skips blank lines and a BOM', () => {
    const text = '\uFEFFa,b,c\r\n1,"x, y","say ""hi"""\r\n\r\n"multi\nline",,z\n"last"';
    expect(parseCsv(text)).toEqual([
      { line: 1, cells: ['a', 'b', 'c'] },
      { line: 2, cells: ['1', 'x, y', 'say "hi"'] },
      { line: 4, cells: ['multi\nline', '', 'z'] },
      { line: 6, cells: ['last'] },
    ]);
    expect(parseCsv('a,b\n1,\n')).toEqual([
      { line: 1, cells: ['a', 'b'] },
      { line: 2, cells: ['1', ''] },
    ]);
    expect(parseCsv('')).toEqual([]);
  });

  it('takes semicolons or tabs when the header uses them', () => {
    expect(parseCsv('email;name\na@example.com;"Doe; Jane"')[1].cells).toEqual(['a@example.com', 'Doe; Jane']);
    expect(parseCsv('email\tname\na@example.com\tJane')[1].cells).toEqual(['a@example.com', 'Jane']);
  });

  it('refuses broken quoting with the line', () => {
    const line = (text: string) => {
      try {
        parseCsv(text);
      } catch (err) {
        expect(err).toBeInstanceOf(CsvError);
        return (err as CsvError).line;
      }
      throw new Error('no error');
    };
    expect(line('a,b\n1,"never closed\n2,3\n')).toBe(2);
    expect(line('a,b\n1,2\n3,"x"y\n')).toBe(3);
    expect(line('a,b\n1,ab"c\n')).toBe(2);
  });
});

describe('csvToLeads', () => {
  it('maps headers case-insensitively with aliases; first + last name; extra columns into attributes; numbers, tags', () => {
    const { rows, rejected } = csvToLeads(
      'E-Mail,First Name,Last_Name,Organisation,Employees,Country,Tags,Plan,Visits,Phone\n' +
        'ada@example.com,Ada,Lovelace,Engines,"1,200",gb,a;b,Pro,3,\'+44 20 7946 0000\n',
    );
    expect(rejected).toEqual([]);
    expect(rows).toEqual([
      {
        line: 2,
        input: {
          email: 'ada@example.com',
          name: 'Ada Lovelace',
          company: 'Engines',
          companySize: 1200,
          country: 'GB',
          tags: ['a', 'b'],
          attributes: { Plan: 'Pro' },
          engagement: { visits: 3 },
          phone: '+44 20 7946 0000',
        },
      },
    ]);
  });

  it('refuses a file without a header naming email or phone, or naming a column twice', () => {
    expect(() => csvToLeads('ada@example.com,Ada\nbob@example.com,Bob\n')).toThrow(CsvError);
    expect(() => csvToLeads('name,company\nAda,Engines\n')).toThrow(/header/);
    expect(() => csvToLeads('email,E-mail\na@example.com,b@example.com\n')).toThrow(/same thing/);
    expect(() => csvToLeads('')).toThrow(/empty/);
  });
});

/** A file with good, duplicate, invalid and disqualified rows (line numbers count the header as 1 and a quoted line break). */
const MIXED = [
  'external_id,name,email,phone,country,company size,notes',
  'x-1,Ada Lovelace,ada@example.com,,GB,40,first', // 2 created
  'x-2,Bob,bob@example.com,,DE,,', // 3 created
  'x-1,Ada again,ada2@example.com,,GB,,dup of line 2', // 4 duplicate (externalId)
  'x-3,No contact,,,GB,,', // 5 rejected: no email nor phone
  'x-4,Bad mail,not-an-email,,GB,,', // 6 rejected: email
  'x-5,"Carol, ""CJ""",carol@example.com,,FR,,"multi', // 7 disqualified (FR filtered out)
  'line note"',
  'x-6,Dan,dan@example.com,,GB,lots,', // 9 rejected: company size
  'x-7,Eve,eve@example.com,,GB,,,,extra', // 10 rejected: too many cells
  '',
  'x-8,Fay,,+44 1234 5678,GB,,', // 12 created
].join('\n');

async function importCsv(manager: Api, poolId: string, body: string, contentType = 'text/csv') {
  return manager.post<CsvImportResult & { error: { code: string; message: string } }>(`/api/pools/${poolId}/leads/import`, body, {
    'content-type': contentType,
  });
}

describe.each(stores)('POST /api/pools/:poolId/leads/import ($name store)', (factory) => {
  const fresh = serversOf(factory);

  it('counts created, duplicates, disqualified and rejected rows with their lines; the pool filters and dedup apply', async () => {
    const { p } = await fresh();
    await p.manager.post('/api/pools', { id: 'imports', name: 'Imports', settings: { filters: { countries: ['GB', 'DE'] } } });
    const res = await importCsv(p.manager, 'imports', MIXED);
    expect(res.status, JSON.stringify(res.body)).toBe(200);
    expect(res.body.created).toBe(3);
    expect(res.body.duplicates).toBe(1);
    expect(res.body.disqualified).toBe(1);
    expect(res.body.rejected.map((r) => r.line)).toEqual([5, 6, 9, 10]);
    expect(res.body.rejected[0].reason).toMatch(/email or phone/);
    expect(res.body.rejected[1].reason).toMatch(/^email:/);
    expect(res.body.rejected[2].reason).toMatch(/company size: not a whole number/);
    expect(res.body.rejected[3].reason).toMatch(/cells/);

    const leads = (await p.manager.get<{ leads: Lead[] }>('/api/leads?poolId=imports')).body.leads;
    expect(leads.map((l) => l.externalId).reverse()).toEqual(['x-1', 'x-2', 'x-5', 'x-8']);
    const carol = leads.find((l) => l.externalId === 'x-5')!;
    expect(carol).toMatchObject({ name: 'Carol, "CJ"', status: 'disqualified', attributes: { notes: 'multi\nline note' } });
    expect(leads.find((l) => l.externalId === 'x-1')).toMatchObject({
      name: 'Ada Lovelace',
      companySize: 40,
      attributes: { notes: 'first' },
    });
    // the default pool got nothing; importing again makes only duplicates
    expect((await p.manager.get<{ leads: Lead[] }>('/api/leads?poolId=default')).body.leads).toEqual([]);
    const again = await importCsv(p.manager, 'imports', MIXED);
    expect([again.body.created, again.body.duplicates, again.body.disqualified]).toEqual([0, 5, 0]);
  });

  it('a malformed file is refused whole (400 BAD_CSV / 413) and nothing is imported', async () => {
    const { p } = await fresh();
    const good = 'email,name\na@example.com,A\nb@example.com,B\n';
    const cases: [string, string, number][] = [
      [`${good}c@example.com,"broken\n`, 'text/csv', 400], // a quote never closed
      [`${good}c@example.com,C"D\n`, 'text/csv', 400], // a stray quote
      ['a@example.com,A\nb@example.com,B\n', 'text/csv', 400], // no header
      [good, 'application/json', 400], // wrong content type
      [good, 'text/plain', 400],
    ];
    for (const [body, type, status] of cases) {
      const res = await importCsv(p.manager, 'default', body, type);
      expect(res.status, `${type}: ${body}`).toBe(status);
      expect(res.body.error.code).toBe('BAD_CSV');
    }
    const big = `email\n${'x'.repeat(200)}@example.com\n`.repeat(1).padEnd(11 * 1024 * 1024, 'y');
    const tooLarge = await importCsv(p.manager, 'default', big);
    expect(tooLarge.status).toBe(413);
    expect(tooLarge.body.error.code).toBe('TOO_LARGE');
    expect((await p.manager.get<{ leads: Lead[] }>('/api/leads')).body.leads).toEqual([]);
  });

  it('manager only; an unknown pool is 404', async () => {
    const { p } = await fresh();
    const body = 'email\na@example.com\n';
    expect((await importCsv(p.feed, 'default', body)).status).toBe(403);
    expect((await importCsv(p.manager, 'ghost', body)).status).toBe(404);
  });
});
