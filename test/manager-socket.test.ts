// The /manager namespace's read events: what the HTTP manager routes read, over the socket.
import { afterAll, afterEach, describe, expect, it } from 'vitest';
import { EV } from '../shared/events.js';
import { closeAllSockets, codeOf, connectManager, emitAck, emitRawAck, okAck, pool, postLead, repsOnline } from './support/clients.js';
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

    const all = await okAck(m.socket, EV.leadsList, undefined);
    expect(all.leads.map((l) => l.id)).toEqual([second.id, first.id]);
    const claimed = await okAck(m.socket, EV.leadsList, { status: 'claimed', repId: rep.id });
    expect(claimed.leads).toEqual((await manager.get(`/api/leads?status=claimed&repId=${rep.id}`)).body.leads);
    expect(codeOf(await emitRawAck(m.socket, EV.leadsList, [{ status: 'nope' }]))).toBe('INVALID');

    expect((await okAck(m.socket, EV.leadGet, { leadId: first.id })).lead).toMatchObject({
      id: first.id,
      claimedBy: rep.id,
      email: first.email,
    });
    expect(codeOf(await emitAck(m.socket, EV.leadGet, { leadId: 'ld_nope' }))).toBe('NOT_FOUND');
    expect((await okAck(m.socket, EV.repsList, undefined)).reps).toMatchObject([{ id: rep.id, presence: 'available', activeCount: 1 }]);
    expect(await emitAck(m.socket, EV.poolGet, undefined)).toMatchObject({
      ok: true,
      mode: 'shark-tank',
      rules: [],
      settings: { maxActivePerRep: 10 },
    });
  });
});
