// Simulation: `npm run simulate` replays a day of leads (a morning and an afternoon peak,
// bursts, several countries and languages) against simulated reps of unequal speed, skill
// and working hours, through the real server and store (in process, embedded store in a
// temporary folder, or `--redis <url>`), once per mode and settings preset, and prints per
// run: leads per rep, the Gini of leads per active rep, speed-to-claim p50/p90, the longest
// wait and the leads left stranded. Time is compressed: the day lasts `--day-seconds`, every
// delay (reactions, work, escalation, schedules) is scaled to it, and real timers run.
// Schedules are absences relative to the start of the run (the server reads the wall clock).
// `--help` prints the usage below.
import { pathToFileURL } from 'node:url';
import { parseArgs } from 'node:util';
import { io, type Socket } from 'socket.io-client';
import { EV, type RepClientToServer, type RepServerToClient } from '../shared/events.js';
import type { Lead, Mode, Rule, Schedule } from '../shared/protocol.js';
import type { SettingsPatch } from '../shared/schemas.js';
import { startInProcess } from '../test/support/server.js';
import { fakeLead, seeded } from './fake-leads.js';

const USAGE = `Usage: npm run simulate -- [options]

Replays a day of leads against simulated reps through the real server, per mode and preset.

Options:
  --leads <n>          leads in the day (default 300; at most 1000)
  --reps <n>           simulated reps (default 8)
  --day-seconds <s>    how long the compressed day lasts (default 30)
  --short              a quick run: 60 leads, 6 reps, a 6-second day
  --presets <a,b>      only these presets (default: all): ${'{PRESETS}'}
  --redis <url>        use this Redis as the store (default: embedded, temporary folder)
  --seed <n>           random seed (default 1)
  -h, --help           show this help`;

export interface Preset {
  name: string;
  mode: Mode;
  /** Settings with delays as fractions of the day (scaled at run time). */
  settings?: SettingsPatch;
  /**
   * Settings given in fractions of the day: escalateAfterMs, claimCooldownMs; claimWindow
   * also sets maxClaimsPerWindow to twice a rep's even share of the leads in that window.
   */
  scaled?: { escalateAfter?: number; claimCooldown?: number; claimWindow?: number };
  rules?: Rule[];
  /** Counts as a fairness preset (README, the suite's check). */
  fairness?: boolean;
}

const LANGUAGE_RULES: Rule[] = ['de', 'es', 'fr'].map((lang) => ({
  name: `${lang} speakers`,
  when: { language: [lang] },
  to: { languages: [lang] },
}));

export const PRESETS: Preset[] = [
  { name: 'shark-tank', mode: 'shark-tank' },
  { name: 'shark-tank-fair', mode: 'shark-tank', scaled: { claimWindow: 0.1 }, fairness: true },
  { name: 'blind-pull', mode: 'blind-pull' },
  { name: 'cherry-pick', mode: 'cherry-pick' },
  { name: 'hybrid', mode: 'hybrid', rules: LANGUAGE_RULES, scaled: { escalateAfter: 0.02 } },
  { name: 'round-robin', mode: 'round-robin', fairness: true },
  { name: 'round-robin-performance', mode: 'round-robin', settings: { weighted: true, weightBy: 'performance' } },
];

export interface SimOptions {
  leads: number;
  reps: number;
  dayMs: number;
  presets: string[];
  redisUrl?: string;
  seed: number;
}

export interface RunResult {
  preset: string;
  fairness: boolean;
  leads: number;
  /** Rep name -> leads it took. */
  perRep: Record<string, number>;
  /** Gini of leads per rep, each divided by the share of the run the rep was on shift. */
  gini: number;
  p50Ms: number | null;
  p90Ms: number | null;
  longestWaitMs: number;
  stranded: number;
}

interface SimRep {
  name: string;
  /** Mean reaction time to a new lead, in fractions of the day. */
  reaction: number;
  /** Mean time from claim to outcome, in fractions of the day. */
  work: number;
  /** Chance a lead ends won. */
  skill: number;
  languages: string[];
  /** Off shift during this part of the run (fractions), if any. */
  off?: [number, number];
}

/** Reps of unequal speed, skill, languages and hours (deterministic for a seed). */
function makeReps(n: number, rnd: () => number): SimRep[] {
  return Array.from({ length: n }, (_, i) => {
    const languages = ['en'];
    if (i % 3 === 0) languages.push('de');
    if (i % 4 === 1) languages.push('es');
    if (i % 4 === 2) languages.push('fr');
    const off: [number, number] | undefined = i === 2 ? [0.3, 0.55] : i === n - 1 ? [0.7, 1.5] : undefined;
    return {
      name: `rep${i + 1}`,
      // from 0.2% to 3% of the day: the fastest answers ten times sooner than the slowest
      reaction: 0.002 + (0.028 * i) / Math.max(1, n - 1) + rnd() * 0.002,
      work: 0.02 + rnd() * 0.04,
      skill: 0.15 + rnd() * 0.4,
      languages,
      ...(off ? { off } : {}),
    };
  });
}

/** Arrival times (fractions of the day, sorted): two peaks of the working day plus four bursts. */
function arrivals(n: number, rnd: () => number): number[] {
  const out: number[] = [];
  const bursts = [0.12, 0.38, 0.61, 0.8];
  for (let i = 0; i < n; i++) {
    const r = rnd();
    if (r < 0.3) out.push(Math.min(0.98, bursts[i % bursts.length] + rnd() * 0.02));
    else {
      const peak = r < 0.65 ? 0.28 : 0.68;
      // a triangular spread around the peak
      out.push(Math.min(0.98, Math.max(0, peak + (rnd() + rnd() - 1) * 0.25)));
    }
  }
  return out.sort((a, b) => a - b);
}

export function gini(values: number[]): number {
  const n = values.length;
  const mean = values.reduce((a, b) => a + b, 0) / (n || 1);
  if (n === 0 || mean === 0) return 0;
  let sum = 0;
  for (const a of values) for (const b of values) sum += Math.abs(a - b);
  return sum / (2 * n * n * mean);
}

function percentile(sorted: number[], p: number): number | null {
  if (sorted.length === 0) return null;
  return sorted[Math.min(sorted.length - 1, Math.max(0, Math.ceil(p * sorted.length) - 1))];
}

const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms));

/** One simulated rep on its own socket: claims (or pulls) what it may, works it, records an outcome. */
class RepClient {
  private known = new Map<string, { createdAt: string; language?: string }>();
  private held = new Set<string>();
  private waiting = 0;
  private cap = 10;
  private pending: NodeJS.Timeout | null = null;
  private busy = false;
  private stopped = false;
  readonly socket: Socket<RepServerToClient, RepClientToServer>;

  constructor(
    url: string,
    token: string,
    private readonly rep: SimRep,
    private readonly mode: Mode,
    private readonly dayMs: number,
    private readonly rnd: () => number,
  ) {
    this.socket = io(`${url}/rep`, { auth: { token }, transports: ['websocket'], forceNew: true, reconnection: false });
    this.socket.on(EV.poolState, (s) => {
      this.known = new Map(s.leads.map((l) => [l.id, { createdAt: l.createdAt, language: l.language }]));
      this.held = new Set(s.mine.filter((l) => l.status === 'claimed').map((l) => l.id));
      this.waiting = s.waiting;
      this.cap = s.maxActive;
      this.consider();
    });
    this.socket.on(EV.leadOffered, (l) => {
      this.known.set(l.id, { createdAt: l.createdAt, language: l.language });
      this.consider();
    });
    this.socket.on(EV.leadGone, (g) => this.known.delete(g.leadId));
    this.socket.on(EV.poolWaiting, (w) => {
      this.waiting = w.waiting;
      this.consider();
    });
    this.socket.on(EV.leadAssigned, (lead) => this.took(lead));
  }

  connected(): Promise<void> {
    return new Promise((resolve, reject) => {
      this.socket.once(EV.poolState, () => resolve());
      this.socket.once('connect_error', reject);
    });
  }

  stop(): void {
    this.stopped = true;
    if (this.pending) clearTimeout(this.pending);
    this.socket.disconnect();
  }

  private scaled(fraction: number): number {
    return Math.max(1, fraction * this.dayMs * (0.5 + this.rnd()));
  }

  /** After its reaction time, takes a lead if it may. */
  private consider(delayMs = this.scaled(this.rep.reaction)): void {
    if (this.stopped || this.pending || this.busy || this.mode === 'round-robin') return;
    if (this.held.size >= this.cap) return;
    if (this.mode === 'blind-pull' ? this.waiting === 0 : this.known.size === 0) return;
    this.pending = setTimeout(() => {
      this.pending = null;
      void this.act();
    }, delayMs);
  }

  /** Which lead it goes for: cherry-picking, one in its languages first; else any it sees (reps click different alerts). */
  private pick(): string | undefined {
    const leads = [...this.known.entries()];
    if (this.mode === 'cherry-pick') {
      const mine = leads.filter(([, l]) => l.language && this.rep.languages.includes(l.language));
      if (mine.length) return mine[Math.floor(this.rnd() * mine.length)][0];
    }
    return leads[Math.floor(this.rnd() * leads.length)]?.[0];
  }

  private async act(): Promise<void> {
    if (this.stopped) return;
    this.busy = true;
    let retryMs: number | null = null;
    try {
      if (this.mode === 'blind-pull') {
        const ack = await this.socket.timeout(10_000).emitWithAck(EV.pull, {});
        if (ack.ok) this.took(ack.lead);
        else if (ack.error.code === 'POOL_EMPTY') this.waiting = 0;
        else retryMs = this.dayMs * 0.01;
      } else {
        const leadId = this.pick();
        if (!leadId) return;
        const ack = await this.socket.timeout(10_000).emitWithAck(EV.claim, { leadId });
        if (ack.ok) {
          this.known.delete(leadId);
          this.took(ack.lead);
        } else if (['ALREADY_CLAIMED', 'NOT_OPEN', 'NOT_ELIGIBLE', 'NOT_FOUND'].includes(ack.error.code)) this.known.delete(leadId);
        else retryMs = this.dayMs * 0.01; // UNAVAILABLE (off shift), COOLDOWN, CAP_REACHED, ...
      }
    } catch {
      retryMs = this.dayMs * 0.01;
    } finally {
      this.busy = false;
    }
    this.consider(retryMs ?? this.scaled(this.rep.reaction));
  }

  /** A lead is its own: works it, then records won or lost. */
  private took(lead: Lead): void {
    if (this.held.has(lead.id)) return;
    this.held.add(lead.id);
    setTimeout(() => {
      if (this.stopped) return;
      const outcome = this.rnd() < this.rep.skill ? 'won' : 'lost';
      this.socket
        .timeout(10_000)
        .emitWithAck(EV.outcome, { leadId: lead.id, outcome })
        .catch(() => {})
        .finally(() => {
          this.held.delete(lead.id);
          this.consider();
        });
    }, this.scaled(this.rep.work));
  }
}

async function json(url: string, token: string, method: string, path: string, body?: unknown) {
  const res = await fetch(url + path, {
    method,
    headers: { authorization: `Bearer ${token}`, ...(body ? { 'content-type': 'application/json' } : {}) },
    body: body ? JSON.stringify(body) : undefined,
  });
  const parsed = await res.json();
  if (res.status >= 300) throw new Error(`${method} ${path}: ${res.status} ${JSON.stringify(parsed)}`);
  return parsed;
}

/** Runs one preset on a fresh server; resolves with its figures. */
export async function runPreset(preset: Preset, opts: SimOptions): Promise<RunResult> {
  const rnd = seeded(opts.seed);
  const reps = makeReps(opts.reps, rnd);
  const times = arrivals(opts.leads, rnd);
  const env: Record<string, string> = opts.redisUrl
    ? { REDIS_URL: opts.redisUrl, LEADPOOL_REDIS_PREFIX: `sim${Date.now().toString(36)}${Math.floor(rnd() * 1e6)}` }
    : {};
  const server = await startInProcess({ env });
  const clients: RepClient[] = [];
  try {
    const m = (method: string, path: string, body?: unknown) => json(server.url, server.managerToken, method, path, body);
    const start = Date.now() + 1000; // reps connect during the first second
    const settings: SettingsPatch = { ...preset.settings };
    if (preset.scaled?.escalateAfter) settings.escalateAfterMs = Math.round(preset.scaled.escalateAfter * opts.dayMs);
    if (preset.scaled?.claimCooldown) settings.claimCooldownMs = Math.round(preset.scaled.claimCooldown * opts.dayMs);
    if (preset.scaled?.claimWindow) {
      settings.claimWindowMs = Math.round(preset.scaled.claimWindow * opts.dayMs);
      settings.maxClaimsPerWindow = Math.max(1, Math.ceil((2 * opts.leads * preset.scaled.claimWindow) / opts.reps));
    }
    if (Object.keys(settings).length) await m('PATCH', '/api/pool/settings', settings);
    if (preset.rules) await m('PUT', '/api/rules', { rules: preset.rules });
    await m('PUT', '/api/pool/mode', { mode: preset.mode });
    for (const rep of reps) {
      const at = (f: number) => new Date(start + f * opts.dayMs).toISOString();
      const schedule: Schedule | undefined = rep.off
        ? { timeZone: 'UTC', weekly: [], off: [{ from: at(rep.off[0]), to: at(rep.off[1]) }] }
        : undefined;
      const { token } = await m('POST', '/api/reps', { name: rep.name, languages: rep.languages, ...(schedule ? { schedule } : {}) });
      const client = new RepClient(server.url, token, rep, preset.mode, opts.dayMs, seeded(opts.seed + clients.length + 1));
      clients.push(client);
      await client.connected();
    }
    await sleep(Math.max(0, start - Date.now()));
    // The day: each lead posted at its time.
    const leadRnd = seeded(opts.seed + 1000);
    for (let i = 0; i < times.length; i++) {
      await sleep(Math.max(0, start + times[i] * opts.dayMs - Date.now()));
      await json(server.url, server.feedKey, 'POST', '/api/leads', fakeLead(i, leadRnd));
    }
    // Then until every lead is taken, or a fifth of a day more at most.
    const until = Date.now() + Math.max(3000, opts.dayMs * 0.2);
    let leads: Lead[] = [];
    for (;;) {
      leads = (await m('GET', `/api/leads?limit=${Math.min(1000, opts.leads)}`)).leads;
      if (!leads.some((l) => l.status === 'open') || Date.now() > until) break;
      await sleep(100);
    }
    const end = Date.now();
    const names = new Map(((await m('GET', '/api/reps')).reps as { id: string; name: string }[]).map((r) => [r.id, r.name]));
    const perRep: Record<string, number> = Object.fromEntries(reps.map((r) => [r.name, 0]));
    for (const l of leads) if (l.claimedBy) perRep[names.get(l.claimedBy) ?? l.claimedBy] += 1;
    // Leads per active rep: each rep's count over the share of the run it was on shift.
    const runMs = end - start;
    const perActive = reps.map((r) => {
      const offMs = r.off ? Math.max(0, Math.min(runMs, r.off[1] * opts.dayMs) - r.off[0] * opts.dayMs) : 0;
      return perRep[r.name] / Math.max(0.05, 1 - offMs / runMs);
    });
    const speeds = leads
      .filter((l) => l.claimedAt)
      .map((l) => Date.parse(l.claimedAt!) - Date.parse(l.createdAt))
      .sort((a, b) => a - b);
    const waits = leads.map((l) => (l.claimedAt ? Date.parse(l.claimedAt) : end) - Date.parse(l.createdAt));
    return {
      preset: preset.name,
      fairness: preset.fairness === true,
      leads: leads.length,
      perRep,
      gini: Math.round(gini(perActive) * 1000) / 1000,
      p50Ms: percentile(speeds, 0.5),
      p90Ms: percentile(speeds, 0.9),
      longestWaitMs: Math.max(0, ...waits),
      stranded: leads.filter((l) => l.status === 'open').length,
    };
  } finally {
    for (const c of clients) c.stop();
    await server.close();
  }
}

export async function simulate(opts: SimOptions, onResult: (r: RunResult) => void = () => {}): Promise<RunResult[]> {
  const out: RunResult[] = [];
  for (const preset of PRESETS.filter((p) => opts.presets.includes(p.name))) {
    const result = await runPreset(preset, opts);
    onResult(result);
    out.push(result);
  }
  return out;
}

const ms = (v: number | null) => (v === null ? '-' : v >= 10_000 ? `${(v / 1000).toFixed(1)} s` : `${Math.round(v)} ms`);

/** One line per run, as printed and put in the README. */
export function formatResult(r: RunResult): string {
  return [
    r.preset.padEnd(24),
    `gini ${r.gini.toFixed(3)}`,
    `p50 ${ms(r.p50Ms).padStart(7)}`,
    `p90 ${ms(r.p90Ms).padStart(7)}`,
    `longest wait ${ms(r.longestWaitMs).padStart(7)}`,
    `stranded ${r.stranded}`,
    `per rep ${Object.values(r.perRep).join(' ')}`,
  ].join(' | ');
}

async function main(): Promise<void> {
  const { values } = parseArgs({
    options: {
      leads: { type: 'string' },
      reps: { type: 'string' },
      'day-seconds': { type: 'string' },
      short: { type: 'boolean', default: false },
      presets: { type: 'string' },
      redis: { type: 'string' },
      seed: { type: 'string', default: '1' },
      help: { type: 'boolean', short: 'h', default: false },
    },
  });
  if (values.help) {
    console.log(USAGE.replace('{PRESETS}', PRESETS.map((p) => p.name).join(', ')));
    return;
  }
  const short = values.short === true;
  const opts: SimOptions = {
    leads: Math.min(1000, Number(values.leads ?? (short ? 60 : 300))),
    reps: Number(values.reps ?? (short ? 6 : 8)),
    dayMs: Number(values['day-seconds'] ?? (short ? 6 : 30)) * 1000,
    presets: values.presets ? values.presets.split(',') : PRESETS.map((p) => p.name),
    redisUrl: values.redis,
    seed: Number(values.seed),
  };
  if (!Number.isInteger(opts.leads) || opts.leads < 1 || !Number.isInteger(opts.reps) || opts.reps < 2 || !(opts.dayMs > 0)) {
    console.error(USAGE);
    process.exit(2);
  }
  console.log(`${opts.leads} leads, ${opts.reps} reps, a day of ${opts.dayMs / 1000} s, store: ${opts.redisUrl ? 'redis' : 'embedded'}`);
  await simulate(opts, (r) => console.log(formatResult(r)));
}

if (process.argv[1] && import.meta.url === pathToFileURL(process.argv[1]).href) {
  main().then(
    () => process.exit(0),
    (err) => {
      console.error(err);
      process.exit(1);
    },
  );
}
