// A tab that connects while leads arrive and go misses none and keeps none that went; so
// does a tab that gets a fresh pool:state (a mode switch, its rep changed) meanwhile, and
// a manager's dashboard connecting meanwhile. The documented client replaces a
// pool with each pool:state and then applies lead:offered and lead:gone: so whatever
// reaches a tab before its pool:state must be in that snapshot, and whatever is not in it
// must reach the tab after it. Tabs connect while leads are posted, on one process and,
// on Redis, through another process too.
import { describe, expect, it } from 'vitest';
import { EV } from '../shared/events.js';
import type { DashboardState, Lead, LeadView, PoolState } from '../shared/protocol.js';
import {
  barrier,
  codeOf,
  connectManager,
  connectRep,
  createReps,
  emitAck,
  leadInput,
  type ManagerClient,
  type RepClient,
} from './support/clients.js';
import { type Started, serversOf, stores } from './support/stores.js';

/** The open leads as a dashboard keeps them: dashboard:state replaces them, then lead:created, lead:claimed. */
function openAsDashboardSees(dashboard: ManagerClient): Set<string> {
  const open = new Set<string>();
  for (const { event, payload } of dashboard.rec.events) {
    if (event === EV.dashboardState) {
      open.clear();
      for (const lead of (payload as DashboardState).open) open.add(lead.id);
    } else if (event === EV.leadCreated && (payload as Lead).status === 'open') open.add((payload as Lead).id);
    else if (event === EV.leadClaimed) open.delete((payload as Lead).id);
  }
  return open;
}

/** The pool as the client in docs/API.md keeps it: each pool:state replaces it, then the live events. */
function poolAsClientSees(tab: RepClient): Set<string> {
  const pool = new Set<string>();
  for (const { event, payload } of tab.rec.events) {
    if (event === EV.poolState) {
      pool.clear();
      for (const view of (payload as PoolState).leads) pool.add(view.id);
    } else if (event === EV.leadOffered) pool.add((payload as LeadView).id);
    else if (event === EV.leadGone) pool.delete((payload as { leadId: string }).leadId);
  }
  return pool;
}

/**
 * Leads posted in waves (on Redis, through the peer process too), one of each wave claimed
 * by a rep already online, as a rep would, once offered (lead:gone to the others; a lead
 * posted to the peer reaches this process through Redis).
 */
async function leadWaves({ server, p }: Started, peer: Started | null) {
  const feeds = peer ? [p.feed, peer.p.feed] : [p.feed];
  const [claimer] = await createReps(p.manager, 1, { name: 'Claimer', maxActive: 100 });
  const claiming = await connectRep(server.url, claimer.token);
  const posted: string[] = [];
  const claimed = new Set<string>();
  return {
    async wave(): Promise<void> {
      const answers = await Promise.all(feeds.flatMap((feed) => [0, 1].map(() => feed.post('/api/leads', leadInput()))));
      for (const r of answers) {
        expect(r.status).toBe(201);
        posted.push(r.body.lead.id);
      }
      const leadId = answers[claimed.size % answers.length].body.lead.id;
      await claiming.rec.waitFor(EV.leadOffered, (view) => view.id === leadId);
      expect(codeOf(await emitAck(claiming.socket, EV.claim, { leadId }))).toBe('ok');
      claimed.add(leadId);
    },
    /** Every tab ends with exactly the open leads (a peer's last events may still be on the way through Redis). */
    async seenBy(tabs: RepClient[]): Promise<void> {
      await Promise.all(tabs.map((t) => barrier(t.socket)));
      for (const tab of tabs) await expect.poll(() => [...poolAsClientSees(tab)].sort(), { timeout: 5000 }).toEqual(this.open());
    },
    /** So does every dashboard. */
    async seenByDashboards(dashboards: ManagerClient[]): Promise<void> {
      for (const d of dashboards) await expect.poll(() => [...openAsDashboardSees(d)].sort(), { timeout: 5000 }).toEqual(this.open());
    },
    open(): string[] {
      const open = posted.filter((id) => !claimed.has(id)).sort();
      expect(open).toHaveLength(posted.length - claimed.size);
      return open;
    },
  };
}

describe.each(stores)('a tab while leads come and go ($name store)', (factory) => {
  const fresh = serversOf(factory);

  it('connecting: ends with exactly the open leads, whatever came before or after its pool:state', async () => {
    const started = await fresh();
    const leads = await leadWaves(started, await fresh.peer(started.server));
    const reps = await createReps(started.p.manager, 40);
    const posting = (async () => {
      for (let wave = 0; wave < 20; wave++) await leads.wave();
    })();
    // Tabs open a few at a time over the whole posting.
    const tabs: RepClient[] = [];
    for (let i = 0; i < reps.length; i += 4) {
      tabs.push(...(await Promise.all(reps.slice(i, i + 4).map((r) => connectRep(started.url, r.token)))));
    }
    await posting;
    await leads.seenBy(tabs);
  });

  it('a dashboard connecting: ends with exactly the open leads, whatever came before or after its dashboard:state', async () => {
    const started = await fresh();
    const leads = await leadWaves(started, await fresh.peer(started.server));
    const posting = (async () => {
      for (let wave = 0; wave < 20; wave++) await leads.wave();
    })();
    const dashboards: ManagerClient[] = [];
    for (let i = 0; i < 10; i++) {
      dashboards.push(...(await Promise.all([0, 1].map(() => connectManager(started.url, started.server.managerToken)))));
    }
    await posting;
    await leads.seenByDashboards(dashboards);
  });

  it('online through mode switches and rep changes: ends with exactly the open leads', async () => {
    const started = await fresh();
    const peer = await fresh.peer(started.server);
    const leads = await leadWaves(started, peer);
    const reps = await createReps(started.p.manager, 20);
    // On Redis the tabs are spread over both processes: each refreshes its own.
    const urls = peer ? [started.url, peer.url] : [started.url];
    const tabs = await Promise.all(reps.map((r, i) => connectRep(urls[i % urls.length], r.token)));
    const modes = ['cherry-pick', 'shark-tank'] as const;
    for (let wave = 0; wave < 12; wave++) {
      // Meanwhile: the pool's mode switches (every tab's snapshot), or one rep changes (its tabs' snapshot).
      const changing =
        wave % 2 === 0
          ? started.p.manager.put('/api/pool/mode', { mode: modes[(wave / 2) % 2] })
          : started.p.manager.patch(`/api/reps/${reps[wave].rep.id}`, { name: `Renamed ${wave}` });
      const [changed] = await Promise.all([changing, leads.wave()]);
      expect(changed.status).toBe(200);
    }
    for (const tab of tabs) expect(tab.rec.of(EV.poolState).length).toBeGreaterThan(1);
    await leads.seenBy(tabs);
  });
});
