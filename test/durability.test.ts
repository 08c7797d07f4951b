// Durability of the embedded store with the real entry point in a child process: what was
// acknowledged survives SIGKILL; SIGTERM exits 0; a corrupt data file stops the start with
// a clear message and is left untouched.
import { createHash } from 'node:crypto';
import { readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { afterEach, describe, expect, it } from 'vitest';
import { EV } from '../shared/events.js';
import type { Lead, ReportSummary } from '../shared/protocol.js';
import { api } from './support/api.js';
import { closeAllSockets, connectRep, emitAck, leadInput, okAck } from './support/clients.js';
import { startServer, type TestServer, tempDir } from './support/server.js';

const running: TestServer[] = [];
async function start(opts: Parameters<typeof startServer>[0] = {}) {
  const server = await startServer(opts);
  running.push(server);
  return server;
}
/** The same data folder and credentials, a new process (and port). */
const restart = (s: TestServer) => start({ dataDir: s.dataDir, managerToken: s.managerToken, feedKey: s.feedKey });

afterEach(async () => {
  closeAllSockets();
  await Promise.all(running.splice(0).map((s) => s.kill()));
});

describe('durability (embedded store, child process)', () => {
  it('SIGKILL right after a 201 (one, then a burst): every acknowledged lead is there after a restart', async () => {
    const s1 = await start();
    const feed = api(s1.url, s1.feedKey);
    const burst = await Promise.all(Array.from({ length: 40 }, () => feed.post('/api/leads', leadInput())));
    expect(burst.every((r) => r.status === 201)).toBe(true);
    const input = leadInput({ externalId: 'kill-me' });
    const res = await feed.post('/api/leads', input);
    expect(res.status).toBe(201);
    await s1.kill(); // right after the last 201

    const s2 = await restart(s1);
    const m2 = api(s2.url, s2.managerToken);
    const got = await m2.get(`/api/leads/${res.body.lead.id}`);
    expect(got.status).toBe(200);
    expect(got.body.lead).toEqual(res.body.lead);
    const listed = (await m2.get('/api/leads?limit=1000')).body.leads;
    expect(new Set(listed.map((l) => l.id))).toEqual(new Set([...burst, res].map((r) => r.body.lead.id)));
    // And it still dedupes by its externalId.
    const again = await api(s2.url, s2.feedKey).post('/api/leads', input);
    expect(again.status).toBe(200);
    expect(again.body.lead.id).toBe(res.body.lead.id);
  });

  it('a claim acknowledged just before SIGKILL survives; reps, tokens, outcomes, mode, settings and rules too', async () => {
    const s1 = await start();
    const manager = api(s1.url, s1.managerToken);
    const feed = api(s1.url, s1.feedKey);
    const created = await manager.post('/api/reps', { name: 'Durable Dana', countries: ['DE'], maxActive: 7 });
    expect(created.status).toBe(201);
    const { rep, token } = created.body;
    const leads: Lead[] = [];
    for (let i = 0; i < 3; i++) leads.push((await feed.post('/api/leads', leadInput())).body.lead);

    const tab = await connectRep(s1.url, token);
    expect((await emitAck(tab.socket, EV.claim, { leadId: leads[1].id })).ok).toBe(true);
    expect((await emitAck(tab.socket, EV.outcome, { leadId: leads[1].id, outcome: 'won', note: 'signed' })).ok).toBe(true);
    const rules = [{ name: 'DE', when: { country: ['DE'] }, to: { countries: ['DE'] } }];
    expect((await manager.put('/api/rules', { rules })).status).toBe(200);
    const settings = (await manager.patch('/api/pool/settings', { maxActivePerRep: 3, claimCooldownMs: 5, teaserFields: ['country'] })).body
      .settings;
    expect((await manager.put('/api/pool/mode', { mode: 'cherry-pick' })).status).toBe(200);
    // The last thing before the kill: a claim, acknowledged.
    const claim = await okAck(tab.socket, EV.claim, { leadId: leads[0].id });
    expect(claim.ok).toBe(true);
    await s1.kill();

    const s2 = await restart(s1);
    const m2 = api(s2.url, s2.managerToken);
    expect((await m2.get(`/api/leads/${leads[0].id}`)).body.lead).toMatchObject({
      status: 'claimed',
      claimedBy: rep.id,
      claimedAt: claim.lead.claimedAt,
    });
    expect((await m2.get(`/api/leads/${leads[1].id}`)).body.lead).toMatchObject({
      status: 'closed',
      outcome: 'won',
      outcomeNote: 'signed',
      claimedBy: rep.id,
    });
    expect((await m2.get(`/api/leads/${leads[2].id}`)).body.lead).toMatchObject({ status: 'open' });
    expect(await m2.get('/api/pool')).toMatchObject({ status: 200, body: { mode: 'cherry-pick', settings } });
    expect((await m2.get('/api/rules')).body.rules).toEqual(rules);
    expect((await m2.get('/api/reps')).body.reps).toEqual([{ ...rep, presence: 'offline', activeCount: 1 }]);

    // The rep reconnects with the same token and holds its lead.
    const again = await connectRep(s2.url, token);
    expect(again.state.you.id).toBe(rep.id);
    expect(again.state.mode).toBe('cherry-pick');
    expect(again.state.mine.map((l) => l.id)).toEqual([leads[0].id]);
    expect(again.state.mine[0].email).toBe(leads[0].email);
    expect(again.state.leads.map((l) => l.id)).toEqual([leads[2].id]);
    expect((await api(s2.url, token).get('/api/me')).body.rep.id).toBe(rep.id);
    // Work continues where it stopped.
    expect((await okAck(again.socket, EV.outcome, { leadId: leads[0].id, outcome: 'lost' })).lead.status).toBe('closed');
    const report = (await m2.get<ReportSummary>('/api/reports/summary')).body;
    expect(report.leads).toMatchObject({ total: 3, closed: 2, open: 1 });
  });

  it('time-based work survives a SIGKILL: a claim timeout due after the restart still fires', async () => {
    const s1 = await start();
    const manager = api(s1.url, s1.managerToken);
    expect((await manager.patch('/api/pool/settings', { claimTimeoutMs: 2500 })).status).toBe(200);
    const { rep, token } = (await manager.post('/api/reps', { name: 'Slow Sam' })).body;
    const lead = (await api(s1.url, s1.feedKey).post('/api/leads', leadInput())).body.lead;
    const tab = await connectRep(s1.url, token);
    expect((await emitAck(tab.socket, EV.claim, { leadId: lead.id })).ok).toBe(true);
    const claimedAt = Date.now();
    await s1.kill();

    const s2 = await restart(s1);
    const m2 = api(s2.url, s2.managerToken);
    const again = await connectRep(s2.url, token);
    expect(again.state.mine.map((l) => l.id)).toEqual([lead.id]);
    const revoked = await again.rec.waitFor(EV.leadRevoked, (e) => e.leadId === lead.id, { timeoutMs: 10_000 });
    expect(revoked).toEqual({ leadId: lead.id, poolId: 'default', reason: 'expired' });
    expect(Date.now() - claimedAt).toBeGreaterThanOrEqual(2400);
    expect((await m2.get(`/api/leads/${lead.id}`)).body.lead).toMatchObject({ status: 'open' });
    expect((await m2.get(`/api/leads/${lead.id}`)).body.lead).not.toHaveProperty('claimedBy');
    expect(rep.id).toBe(again.state.you.id);
  });

  it('SIGTERM exits 0 and loses nothing; generated credentials persist across restarts', async () => {
    const dataDir = tempDir();
    // No credentials from the environment: generated on first start, printed once.
    const s1 = await start({ dataDir, env: { LEADPOOL_MANAGER_TOKEN: '', LEADPOOL_FEED_KEY: '' } });
    const printed = /manager token:\s+(\S+)/.exec(s1.output());
    const printedFeed = /feed key:\s+(\S+)/.exec(s1.output());
    expect(printed, s1.output()).not.toBeNull();
    expect(printedFeed).not.toBeNull();
    const managerToken = printed![1];
    const feedKey = printedFeed![1];
    const res = await api(s1.url, feedKey).post('/api/leads', leadInput());
    expect(res.status).toBe(201);
    expect(await s1.stop()).toBe(0);

    const s2 = await start({ dataDir, env: { LEADPOOL_MANAGER_TOKEN: '', LEADPOOL_FEED_KEY: '' } });
    expect(s2.output()).not.toContain(managerToken);
    expect(s2.output()).not.toMatch(/manager token:/);
    expect((await api(s2.url, managerToken).get(`/api/leads/${res.body.lead.id}`)).status).toBe(200);
    expect((await api(s2.url, feedKey).post('/api/leads', leadInput())).status).toBe(201);
    expect((await api(s2.url, 'wrong').get('/api/pool')).status).toBe(401);
    // SIGTERM with a rep connected still exits 0.
    const rep = (await api(s2.url, managerToken).post('/api/reps', { name: 'R' })).body;
    await connectRep(s2.url, rep.token);
    expect(await s2.stop()).toBe(0);
  });

  it('a corrupt leads.json stops the start with a clear message and a non-zero exit, and is left byte-identical', async () => {
    const s1 = await start();
    expect((await api(s1.url, s1.feedKey).post('/api/leads', leadInput())).status).toBe(201);
    expect(await s1.stop()).toBe(0);
    const file = join(s1.dataDir, 'leads.json');
    const original = readFileSync(file);
    const corrupt = Buffer.concat([original.subarray(0, Math.floor(original.length / 2)), Buffer.from('\u0000garbage{{')]);
    writeFileSync(file, corrupt);
    const digest = createHash('sha256').update(corrupt).digest('hex');

    const error = await startServer({ dataDir: s1.dataDir, managerToken: s1.managerToken, feedKey: s1.feedKey }).then(
      (s) => {
        running.push(s);
        return null;
      },
      (err: Error) => err,
    );
    expect(error).not.toBeNull();
    const message = error!.message;
    expect(message).toMatch(/server exited with [1-9]\d*/);
    expect(message).toContain('leads.json');
    expect(message).toMatch(/cannot start/i);
    expect(createHash('sha256').update(readFileSync(file)).digest('hex')).toBe(digest);

    // Same for a file that is valid JSON but not the store's shape.
    writeFileSync(file, '[1, 2, 3]');
    const second = await startServer({ dataDir: s1.dataDir }).then(
      () => null,
      (err: Error) => err,
    );
    expect(second?.message).toMatch(/server exited with [1-9]/);
    expect(second?.message).toContain('leads');
    expect(readFileSync(file, 'utf8')).toBe('[1, 2, 3]');
  }, 90_000); // three server starts
});
