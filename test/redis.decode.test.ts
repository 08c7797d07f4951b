// The decoders of the Redis store's hot replies (server/store/redis/decode.ts): a connect's,
// a claim's, a new lead's. Their right shapes are exercised by every store test on Redis;
// here, what they make of each optional column, and that a wrong shape fails loudly, naming
// where (a damaged store or a script out of step with its decoder), never a half-read value.
import { describe, expect, it } from 'vitest';
import { decodePool, decodeRep, decodeReply, decodeTokenPools } from '../server/store/redis/decode.js';
import { DEFAULT_POOL, DEFAULT_SETTINGS } from '../shared/protocol.js';

const MS = '1796000000000';
const ISO = new Date(Number(MS)).toISOString();
const columns = (extra: Record<string, unknown> = {}) => ({
  id: 'lead_1',
  doc: JSON.stringify({ name: 'Ada', email: 'ada@example.com', country: 'DE' }),
  poolId: DEFAULT_POOL,
  status: 'open',
  createdAt: MS,
  ...extra,
});
const repHash = (extra: Record<string, unknown> = {}) =>
  Object.fromEntries(
    Object.entries({
      id: 'rep_1',
      name: 'Rep',
      skills: ['saas'],
      languages: ['en'],
      countries: [],
      teams: [],
      pools: [DEFAULT_POOL],
      maxActive: null,
      weight: 1,
      createdAt: ISO,
      tokenHash: 'h',
      away: false,
      ...extra,
    }).map(([k, v]) => [k, JSON.stringify(v)]),
  );
const poolRead = (order: number, mode = 'shark-tank', open: unknown = {}) => ({
  order,
  config: { name: 'Pool', createdAt: ISO, mode },
  settings: { maxActivePerRep: '3' },
  open,
});

describe('Redis reply decoders', () => {
  it('a won claim (one answer per claim of the call): the lead with its columns as the contract has them, and its mode', () => {
    const lead = columns({
      status: 'claimed',
      claimedBy: 'rep_1',
      claimedAt: MS,
      claimMode: 'hybrid',
      eligible: JSON.stringify(['rep_1', 'rep_2']),
      stranded: JSON.stringify({ at: Number(MS), action: 'wait', poolId: 'p2' }),
      overdueAt: MS,
    });
    const [won] = decodeReply('claim', [{ ok: true, mode: 'hybrid', lead, otherTabs: false }]);
    expect(won).toEqual({
      ok: true,
      mode: 'hybrid',
      otherTabs: false,
      lead: {
        name: 'Ada',
        email: 'ada@example.com',
        country: 'DE',
        id: 'lead_1',
        poolId: DEFAULT_POOL,
        status: 'claimed',
        createdAt: ISO,
        claimedBy: 'rep_1',
        claimedAt: ISO,
        claimMode: 'hybrid',
        eligible: ['rep_1', 'rep_2'],
        stranded: { at: ISO, action: 'wait', poolId: 'p2' },
        overdueAt: ISO,
      },
    });
    expect(decodeReply('pull', [{ ok: true, mode: 'shark-tank', lead: columns({ eligible: '"*"' }), otherTabs: true }])).toMatchObject([
      { lead: { eligible: '*' }, otherTabs: true },
    ]);
  });

  it('a refused claim or pull: its code, and only the codes that action answers', () => {
    expect(decodeReply('claim', [{ code: 'ALREADY_CLAIMED' }, { code: 'COOLDOWN' }])).toEqual([
      { ok: false, code: 'ALREADY_CLAIMED' },
      { ok: false, code: 'COOLDOWN' },
    ]);
    expect(decodeReply('pull', [{ code: 'POOL_EMPTY' }])).toEqual([{ ok: false, code: 'POOL_EMPTY' }]);
    expect(() => decodeReply('claim', [{ code: 'ALREADY_CLAIMED' }, { code: 'POOL_EMPTY' }])).toThrow(
      /claim answered an unexpected reply.*\n.*at 1\.code/,
    );
    expect(() => decodeReply('claim', [{ ok: false }])).toThrow(/expected true\n.*at 0\.ok/);
    expect(() => decodeReply('claim', { code: 'ALREADY_CLAIMED' })).toThrow(/expected an array/);
  });

  it('a damaged lead names the column', () => {
    expect(() =>
      decodeReply('claim', [{ ok: true, mode: 'shark-tank', lead: columns({ createdAt: 'yesterday' }), otherTabs: false }]),
    ).toThrow(/expected store-clock ms\n.*at 0\.lead\.createdAt/);
    expect(() => decodeReply('claim', [{ ok: true, mode: 'shark-tank', lead: columns({ doc: '[1]' }) }])).toThrow(/at 0\.lead\.doc/);
    expect(() => decodeReply('claim', [{ ok: true, mode: 'shark-tank', lead: columns({ status: 'lost' }) }])).toThrow(/at 0\.lead\.status/);
    expect(() => decodeReply('claim', [{ ok: true, mode: 'nope', lead: columns() }])).toThrow(/at 0\.mode/);
  });

  it('a new lead, a duplicate, a lead for no pool', () => {
    expect(decodeReply('insertLead', { duplicate: false, lead: columns() })).toMatchObject({ duplicate: false, lead: { id: 'lead_1' } });
    expect(decodeReply('insertLead', { duplicate: true, by: 'email', lead: columns() })).toMatchObject({ duplicate: true, by: 'email' });
    expect(decodeReply('insertLead', { code: 'NO_POOL' })).toEqual({ code: 'NO_POOL' });
    expect(() => decodeReply('insertLead', { duplicate: true, by: 'name', lead: columns() })).toThrow(/at by/);
    const many = decodeReply('insertLeads', {
      results: [
        { duplicate: false, lead: columns() },
        { duplicate: true, by: 'phone', lead: columns() },
      ],
    });
    expect(many).toMatchObject({ results: [{ duplicate: false }, { duplicate: true, by: 'phone' }] });
    expect(decodeReply('insertLeads', { results: {} })).toEqual({ results: [] });
  });

  it('connecting tabs: their changes, and each view with its pools in creation order from the reads the call shares', () => {
    const reply = [
      {
        changes: [
          { before: 'offline', after: 'available' },
          { before: 'away', after: 'away' },
        ],
      },
      {
        views: [
          {
            rep: repHash({ pools: ['b', 'a'] }),
            pools: ['b', 'a'],
            missing: {},
            held: [columns({ status: 'claimed', claimedBy: 'rep_1' })],
          },
          { rep: false },
        ],
        pools: { a: poolRead(1, 'cherry-pick', [columns()]), b: poolRead(2) },
      },
    ];
    const { changes, views } = decodeReply('tabOpened', reply);
    expect(changes).toEqual([
      { before: 'offline', after: 'available' },
      { before: 'away', after: 'away' },
    ]);
    expect(views?.[1]).toBeNull();
    const view = views?.[0];
    expect(view?.rep).toMatchObject({ id: 'rep_1', pools: ['b', 'a'], skills: ['saas'], maxActive: null, away: false });
    expect(view?.pools.map((p) => [p.pool.id, p.pool.mode, p.open.length])).toEqual([
      ['a', 'cherry-pick', 1],
      ['b', 'shark-tank', 0],
    ]);
    expect(view?.pools[0].pool).toEqual({
      id: 'a',
      name: 'Pool',
      mode: 'cherry-pick',
      createdAt: ISO,
      rules: [],
      settings: { ...DEFAULT_SETTINGS, maxActivePerRep: 3 },
    });
    expect(view?.held.map((l) => l.claimedBy)).toEqual(['rep_1']);
    // A replayed call answers the changes alone.
    expect(decodeReply('tabOpened', reply[0])).toEqual({ changes, views: undefined });
  });

  it('a damaged connect reply names where', () => {
    const reply = (view: unknown, pools: unknown = { a: poolRead(1) }) => [{ changes: [] }, { views: [view], pools }];
    const view = (extra: Record<string, unknown> = {}) => ({ rep: repHash(), pools: ['a'], missing: {}, held: {}, ...extra });
    expect(() => decodeReply('tabOpened', reply(view({ rep: repHash({ skills: 'saas' }) })))).toThrow(/at 1\.views\.0\.rep\.skills/);
    expect(() => decodeReply('tabOpened', reply(view({ rep: { ...repHash(), name: 'not json' } })))).toThrow(
      /expected JSON\n.*at 1\.views\.0\.rep\.name/,
    );
    expect(() => decodeReply('tabOpened', reply(view(), { a: { ...poolRead(1), config: { createdAt: ISO } } }))).toThrow(
      /at 1\.pools\.a\.config\.name/,
    );
    expect(() => decodeReply('tabOpened', reply(view(), { a: poolRead(1, 'shark-tank', [{}]) }))).toThrow(/at 1\.pools\.a\.open\.0/);
    expect(() => decodeReply('tabOpened', reply(view({ pools: ['z'] })))).toThrow(/names the pool z its call did not answer/);
    expect(() => decodeReply('tabOpened', [{ changes: [{ before: 'gone', after: 'away' }] }, { views: [], pools: {} }])).toThrow(
      /at 0\.changes\.0\.before/,
    );
  });

  it('hashes read with plain commands: a rep, a pool, a token’s pools', () => {
    const { pools, ...v1Rep } = repHash();
    expect(decodeRep(v1Rep)?.pools).toEqual([DEFAULT_POOL]);
    expect(decodeRep(repHash({ offShift: true, extra: 'kept' }))).toMatchObject({ offShift: true, extra: 'kept' });
    expect(decodeRep({})).toBeNull();
    expect(() => decodeRep(repHash({ weight: 'heavy' }))).toThrow(/a stored rep is damaged: ✖ expected a number\n.*at weight/);
    expect(() => decodeRep(repHash({ maxActive: '3' }))).toThrow(/at maxActive/);
    expect(decodePool('p', { name: 'P', createdAt: ISO }, {})).toEqual({
      id: 'p',
      name: 'P',
      mode: 'shark-tank',
      createdAt: ISO,
      rules: [],
      settings: DEFAULT_SETTINGS,
    });
    expect(decodePool('p', {}, {})).toBeNull();
    expect(() => decodePool('p', { name: 'P', createdAt: ISO, rules: '{}' }, {})).toThrow(
      /the stored pool p is damaged.*\n.*at config\.rules/,
    );
    expect(decodeTokenPools('["a","b"]')).toEqual(['a', 'b']);
    expect(decodeTokenPools('{}')).toEqual([]);
    expect(() => decodeTokenPools('[1]')).toThrow(/tokenpools entry is damaged.*\n.*at 0/);
  });
});
