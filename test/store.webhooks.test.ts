// The Store contract of webhooks and their outbox, run against both stores: webhooks CRUD,
// the cursor compare-and-set, claims with a lease (one claim per attempt), attempt results
// and the retry schedule's due times, redelivery, retention, and durability across a reopen.
import { describe, expect, it } from 'vitest';
import { DELIVERIES_KEPT_PER_WEBHOOK, type NewDelivery, type Store, type StoredWebhook } from '../server/store/types.js';
import { type Harness, sleep, storeFactories } from './support/store-harness.js';

const factories = storeFactories();

const hook = (id: string, over: Partial<StoredWebhook> = {}): StoredWebhook => ({
  id,
  url: `http://127.0.0.1:9/${id}`,
  events: ['lead.created', 'lead.claimed'],
  enabled: true,
  createdAt: new Date().toISOString(),
  secret: `secret-of-${id}-0123456789`,
  ...over,
});

const delivery = (id: string, webhookId: string, over: Partial<NewDelivery> = {}): NewDelivery => ({
  id,
  webhookId,
  event: 'lead.created',
  createdAt: new Date().toISOString(),
  body: JSON.stringify({ id, type: 'lead.created', text: 'Zoë «ü» 日本 "q" \\ /' }),
  ...over,
});

describe.each(factories)('Store webhooks: $name', ({ name, make }) => {
  let h: Harness;
  let store: Store;
  const setup = async () => {
    h = await make();
    store = h.store;
  };

  it('webhooks are created, listed in creation order, changed and deleted', async () => {
    await setup();
    await store.createWebhook(hook('wh_a'));
    await store.createWebhook(hook('wh_b', { poolIds: ['default'] }));
    expect((await store.listWebhooks()).map((w) => w.id)).toEqual(['wh_a', 'wh_b']);
    expect(await store.getWebhook('wh_b')).toEqual(
      hook('wh_b', { poolIds: ['default'], createdAt: (await store.getWebhook('wh_b'))!.createdAt }),
    );
    const changed = await store.updateWebhook('wh_b', {
      url: 'https://example.com/x',
      enabled: false,
      poolIds: null,
      events: ['lead.closed'],
    });
    expect(changed).toMatchObject({ id: 'wh_b', url: 'https://example.com/x', enabled: false, events: ['lead.closed'] });
    expect(changed!.poolIds).toBeUndefined();
    expect(changed!.secret).toBe('secret-of-wh_b-0123456789');
    expect(await store.getWebhook('wh_b')).toEqual(changed);
    expect(await store.updateWebhook('wh_nope', { enabled: true })).toBeNull();
    expect(await store.deleteWebhook('wh_a')).toBe(true);
    expect(await store.deleteWebhook('wh_a')).toBe(false);
    expect((await store.listWebhooks()).map((w) => w.id)).toEqual(['wh_b']);
  });

  it('addDeliveries with a cursor stores only while the cursor is unchanged, and moves it in the same step', async () => {
    await setup();
    await store.createWebhook(hook('wh_a'));
    expect(await store.outboxCursor()).toBeNull();
    expect(await store.addDeliveries([delivery('d1', 'wh_a')], { expected: null, next: 'ev_1' })).toBe(true);
    expect(await store.outboxCursor()).toBe('ev_1');
    // A second process that read the cursor before: refused, nothing stored.
    expect(await store.addDeliveries([delivery('d2', 'wh_a')], { expected: null, next: 'ev_1' })).toBe(false);
    expect(await store.getDelivery('d2')).toBeNull();
    expect(await store.addDeliveries([delivery('d2', 'wh_a')], { expected: 'ev_1', next: 'ev_2' })).toBe(true);
    // Known ids and webhooks gone are skipped; without a cursor it just adds.
    expect(await store.addDeliveries([delivery('d2', 'wh_a', { body: 'other' }), delivery('d3', 'wh_gone')])).toBe(true);
    expect((await store.getDelivery('d2'))!.body).not.toBe('other');
    expect(await store.getDelivery('d3')).toBeNull();
    expect(await store.outboxCursor()).toBe('ev_2');
    const d1 = await store.getDelivery('d1');
    expect(d1).toMatchObject({ id: 'd1', webhookId: 'wh_a', event: 'lead.created', status: 'pending', attempts: 0 });
    expect(d1!.body).toBe(delivery('d1', 'wh_a').body);
    expect((await store.listDeliveries('wh_a', 10)).map((d) => d.id)).toEqual(['d2', 'd1']);
  });

  it('a due delivery is claimed once per attempt; a lost lease ignores its result; results set status, due time and attempts', async () => {
    await setup();
    await store.createWebhook(hook('wh_a'));
    await store.addDeliveries([delivery('d1', 'wh_a'), delivery('d2', 'wh_a')]);
    const peer = await h.peer();
    const [mine, theirs] = await Promise.all([store.claimDeliveries(10, 60_000), peer.claimDeliveries(10, 60_000)]);
    const all = [...mine, ...theirs];
    expect(all.map((c) => c.delivery.id).sort()).toEqual(['d1', 'd2']);
    expect(all[0]).toMatchObject({ url: 'http://127.0.0.1:9/wh_a', secret: 'secret-of-wh_a-0123456789' });
    expect(all.every((c) => c.delivery.attempts === 1)).toBe(true);
    // Leased: nothing due now.
    expect(await store.claimDeliveries(10, 60_000)).toEqual([]);

    const c1 = all.find((c) => c.delivery.id === 'd1')!;
    const c2 = all.find((c) => c.delivery.id === 'd2')!;
    expect(await store.finishDelivery('d1', 'not-the-lease', { ok: true, status: 200, retryInMs: null })).toBe(false);
    expect(await store.finishDelivery('d1', c1.lease, { ok: false, status: 500, error: 'HTTP 500', retryInMs: 0 })).toBe(true);
    expect(await store.finishDelivery('d1', c1.lease, { ok: true, status: 200, retryInMs: null })).toBe(false);
    expect(await store.getDelivery('d1')).toMatchObject({ status: 'pending', attempts: 1, lastStatus: 500, lastError: 'HTTP 500' });
    // Due again at once (retryInMs 0): the second attempt.
    const again = await store.claimDeliveries(10, 60_000);
    expect(again.map((c) => [c.delivery.id, c.delivery.attempts])).toEqual([['d1', 2]]);
    expect(await store.finishDelivery('d1', again[0].lease, { ok: true, status: 204, retryInMs: null })).toBe(true);
    const done = await store.getDelivery('d1');
    expect(done).toMatchObject({ status: 'delivered', attempts: 2, lastStatus: 204 });
    expect(done!.lastError).toBeUndefined();
    expect(done!.dueAt).toBeUndefined();
    expect(Date.parse(done!.lastAttemptAt!)).toBeGreaterThan(Date.now() - 60_000);

    // A retry far away is not due; no more attempts is failed.
    expect(await store.finishDelivery('d2', c2.lease, { ok: false, error: 'timed out', retryInMs: 3_600_000 })).toBe(true);
    const later = await store.getDelivery('d2');
    expect(later).toMatchObject({ status: 'pending', lastError: 'timed out' });
    expect(later!.lastStatus).toBeUndefined();
    expect(later!.dueAt!).toBeGreaterThan(Date.now() + 3_000_000);
    expect(await store.claimDeliveries(10, 60_000)).toEqual([]);
    // Redeliver: due now, attempts from 0, first in the log.
    expect(await store.redeliver('d2')).toMatchObject({ id: 'd2', status: 'pending', attempts: 0 });
    const [c3] = await store.claimDeliveries(10, 60_000);
    expect(c3.delivery).toMatchObject({ id: 'd2', attempts: 1 });
    expect(await store.finishDelivery('d2', c3.lease, { ok: false, status: 410, error: 'HTTP 410', retryInMs: null })).toBe(true);
    expect(await store.getDelivery('d2')).toMatchObject({ status: 'failed', attempts: 1, lastStatus: 410 });
    expect(await store.redeliver('d_nope')).toBeNull();
  });

  it('a lease that runs out makes the delivery due again (a process died mid-attempt)', async () => {
    await setup();
    await store.createWebhook(hook('wh_a'));
    await store.addDeliveries([delivery('d1', 'wh_a')]);
    const [first] = await store.claimDeliveries(10, 50);
    await sleep(120);
    const peer = await h.peer();
    const [second] = await peer.claimDeliveries(10, 60_000);
    expect(second.delivery).toMatchObject({ id: 'd1', attempts: 2 });
    expect(second.lease).not.toBe(first.lease);
    expect(await store.finishDelivery('d1', first.lease, { ok: true, status: 200, retryInMs: null })).toBe(false);
    expect(await peer.finishDelivery('d1', second.lease, { ok: true, status: 200, retryInMs: null })).toBe(true);
  });

  it('a disabled webhook fails its due deliveries instead of attempting them; deleting a webhook drops its deliveries', async () => {
    await setup();
    await store.createWebhook(hook('wh_a'));
    await store.createWebhook(hook('wh_b'));
    await store.addDeliveries([delivery('d1', 'wh_a'), delivery('d2', 'wh_b')]);
    await store.updateWebhook('wh_a', { enabled: false });
    const claimed = await store.claimDeliveries(10, 60_000);
    expect(claimed.map((c) => c.delivery.id)).toEqual(['d2']);
    expect(await store.getDelivery('d1')).toMatchObject({ status: 'failed', lastError: 'the webhook is disabled' });
    await store.deleteWebhook('wh_b');
    expect(await store.getDelivery('d2')).toBeNull();
    expect(await store.listDeliveries('wh_b', 10)).toEqual([]);
    expect(await store.finishDelivery('d2', claimed[0].lease, { ok: true, status: 200, retryInMs: null })).toBe(false);
  });

  it(`keeps the newest ${DELIVERIES_KEPT_PER_WEBHOOK} deliveries of a webhook; pending ones always stay`, async () => {
    await setup();
    await store.createWebhook(hook('wh_a'));
    const n = DELIVERIES_KEPT_PER_WEBHOOK + 5;
    await store.addDeliveries([delivery('first-pending', 'wh_a')]);
    await store.claimDeliveries(1, 3_600_000); // leased: stays pending
    const ids = Array.from({ length: n }, (_, i) => `d${String(i).padStart(4, '0')}`);
    await store.addDeliveries(ids.map((id) => delivery(id, 'wh_a')));
    for (;;) {
      const claimed = await store.claimDeliveries(100, 60_000);
      if (claimed.length === 0) break;
      for (const c of claimed) await store.finishDelivery(c.delivery.id, c.lease, { ok: true, status: 200, retryInMs: null });
    }
    const kept = await store.listDeliveries('wh_a', 1000);
    expect(kept.length).toBe(DELIVERIES_KEPT_PER_WEBHOOK);
    expect(kept[0].id).toBe(ids[n - 1]);
    expect(kept.map((d) => d.id)).toContain('first-pending');
    expect(kept.map((d) => d.id)).not.toContain(ids[0]);
  }, 60_000);

  it('webhooks, deliveries and the cursor survive a reopen', async () => {
    await setup();
    await store.createWebhook(hook('wh_a'));
    await store.addDeliveries([delivery('d1', 'wh_a')], { expected: null, next: 'ev_9' });
    const [c] = await store.claimDeliveries(1, 60_000);
    await store.finishDelivery('d1', c.lease, { ok: false, status: 503, retryInMs: 10 });
    store = await h.reopen();
    expect((await store.listWebhooks()).map((w) => w.secret)).toEqual(['secret-of-wh_a-0123456789']);
    expect(await store.outboxCursor()).toBe('ev_9');
    expect(await store.getDelivery('d1')).toMatchObject({ status: 'pending', attempts: 1, lastStatus: 503 });
    expect(name).toBeTruthy();
  });
});
