// The /manager namespace's read events: what the HTTP manager routes read, over the socket.
import { afterAll, afterEach, describe, expect, it } from 'vitest';
import { EV } from '../shared/events.js';
import { closeAllSockets, connectManager, emitAck, pool, postLead, repsOnline } from './support/clients.js';
import type { InProcessServer } from './support/server.js';
import { embedded } from './support/stores.js';

describe('manager socket reads', () => {
  let server: InProcessServer;
  afterEach(async () => {
    closeAllSockets();
    await server?.close();
  });
  afterAll(async () => {
    await embedded.teardown?.();
  });

  it('leads:list, lead:get, reps:list and pool:get answer like their HTTP routes', async () => {
    server = await embedded.start();
    const { feed, manager } = pool(server);
    const [rep] = await repsOnline(server, 1);
    const first = await postLead(feed);
    const second = await postLead(feed);
    expect((await emitAck(rep.socket, EV.claim, { leadId: first.id })).ok).toBe(true);
    const m = await connectManager(server.url, server.managerToken);

    const all = await emitAck(m.socket, 'leads:list');
    expect(all.leads.map((l: { id: string }) => l.id)).toEqual([second.id, first.id]);
    const claimed = await emitAck(m.socket, 'leads:list', { status: 'claimed', repId: rep.id });
    expect(claimed.leads).toEqual((await manager.get(`/api/leads?status=claimed&repId=${rep.id}`)).body.leads);
    expect((await emitAck(m.socket, 'leads:list', { status: 'nope' })).error.code).toBe('INVALID');

    expect((await emitAck(m.socket, 'lead:get', { leadId: first.id })).lead).toMatchObject({
      id: first.id,
      claimedBy: rep.id,
      email: first.email,
    });
    expect((await emitAck(m.socket, 'lead:get', { leadId: 'ld_nope' })).error.code).toBe('NOT_FOUND');
    expect((await emitAck(m.socket, 'reps:list')).reps).toMatchObject([{ id: rep.id, presence: 'available', activeCount: 1 }]);
    expect(await emitAck(m.socket, 'pool:get')).toMatchObject({
      ok: true,
      mode: 'shark-tank',
      rules: [],
      settings: { maxActivePerRep: 10 },
    });
  });
});
