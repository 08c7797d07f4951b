// The Redis store's scripts reach Redis by hash (EVALSHA). When Redis does not have one
// cached (a process's first burst of a script, or Redis restarted empty), every call in
// flight is refused with NOSCRIPT at once: they must share one SCRIPT LOAD, never each send
// the whole source, and every call must still run exactly once. Each script is sent without
// the included helpers it never calls (scripts.ts withoutUnusedFunctions).
import { describe, expect, it } from 'vitest';
import { SCRIPTS, withoutUnusedFunctions } from '../server/store/redis/scripts.js';
import { randomPrefix, useRedisWithClient } from './support/redis.js';
import { makeRep } from './support/store-harness.js';

const db = useRedisWithClient();

/** Calls of a command so far (INFO commandstats), e.g. `evalsha`, `eval`, `script|load`. */
async function calls(command: string): Promise<{ calls: number; failed: number }> {
  const info = await db.raw.info('commandstats');
  const m = new RegExp(`^cmdstat_${command.replace('|', '\\|')}:calls=(\\d+),.*failed_calls=(\\d+)`, 'm').exec(info);
  return { calls: Number(m?.[1] ?? 0), failed: Number(m?.[2] ?? 0) };
}

describe('Redis store scripts', () => {
  it('a burst of a script Redis has not cached: one SCRIPT LOAD for all of it, no EVAL, each call run once', async () => {
    const store = await db.open(randomPrefix());
    const burst = async (tag: string) => {
      const loads = (await calls('script|load')).calls;
      const evals = (await calls('eval')).calls;
      // 40 reps created at once, each its own call of createRep's script (never run on this Redis yet, or flushed)
      const reps = Array.from({ length: 40 }, (_, i) => makeRep(`${tag}${i}`));
      await Promise.all(reps.map((r) => store.createRep(r)));
      for (const rep of reps) expect((await store.getRep(rep.id))?.name).toBe(rep.name);
      expect((await calls('script|load')).calls - loads).toBe(1);
      expect((await calls('eval')).calls - evals).toBe(0);
    };
    await burst('a');
    // Redis loses its script cache (as a restart would), the store's process runs on.
    await db.raw.sendCommand(['SCRIPT', 'FLUSH']);
    await burst('b');
    // Each call ran once: one rep.created event per rep.
    const { events } = await store.listEvents({ type: 'rep.created', limit: 1000 });
    expect(events.map((e) => e.repId).sort()).toEqual(
      [...['a', 'b'].flatMap((t) => Array.from({ length: 40 }, (_, i) => `${t}${i}`))].sort(),
    );
  });

  it('every script compiles in Redis and defines no function it never calls', async () => {
    for (const script of Object.values(SCRIPTS)) {
      expect(await db.raw.scriptLoad(script.source), script.name).toBe(script.sha);
      const defined = [...script.source.matchAll(/^local function (\w+)\(/gm)].map((m) => m[1]);
      const calledNowhere = defined.filter((fn) => script.source.match(new RegExp(`\\b${fn}\\b`, 'g'))?.length === 1);
      expect(calledNowhere, script.name).toEqual([]);
    }
  });
});

describe('withoutUnusedFunctions', () => {
  const lua = [
    '-- helpers',
    'local function used(x) return x + 1 end',
    'local function onlyForUnused(x)',
    '  return x * 2',
    'end',
    'local function unused(x)',
    '  if x then',
    '    return onlyForUnused(x)',
    '  end',
    'end',
    'local function unusedOneLiner() return 1 end',
    "local function passedAsValue() return 'v' end",
    'local handlers = { passedAsValue }',
    'return used(1) + #handlers',
  ].join('\n');

  it('removes the functions nothing calls, and those only they called; keeps every other line', () => {
    expect(withoutUnusedFunctions(lua)).toBe(
      [
        '-- helpers',
        'local function used(x) return x + 1 end',
        "local function passedAsValue() return 'v' end",
        'local handlers = { passedAsValue }',
        'return used(1) + #handlers',
      ].join('\n'),
    );
  });

  it('refuses a function whose extent it cannot tell (an unindented line before its end, or no end line)', () => {
    expect(() => withoutUnusedFunctions('local function f()\nreturn 1\nend\nreturn f()', 'x.lua')).toThrow(
      /x\.lua: local function f has an unindented line/,
    );
    expect(() => withoutUnusedFunctions('local function f()\n  return 1\n  end', 'x.lua')).toThrow(/no `end` line/);
  });
});
