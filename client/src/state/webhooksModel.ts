// The manager's webhooks (docs/API.md, Webhooks): the list, the secret of a new one (shown
// once, held by the panel, never kept here), enable/disable, test events, and each
// webhook's delivery log with redeliver. Over HTTP; the log is read again on demand.
import { signal } from '@preact/signals';
import type { Webhook, WebhookDelivery, WebhookEventType } from '../../../shared/protocol';
import { describeHttpError, type Http } from '../lib/http';
import type { Result } from './managerModel';
import type { Notices } from './notices';

export interface WebhookInput {
  url: string;
  events: WebhookEventType[];
  /** Absent: every pool. */
  poolIds?: string[];
}

const path = (id: string) => encodeURIComponent(id);

export function createWebhooksModel(api: Http, notices: Notices) {
  /** null until loaded. */
  const webhooks = signal<Webhook[] | null>(null);
  /** Each webhook's delivery log as last read (newest first). */
  const deliveries = signal<Record<string, WebhookDelivery[]>>({});

  const fail = (what: string, err: unknown) => {
    notices.push('error', `${what}: ${describeHttpError(err)}`);
    return false;
  };
  const replace = (hook: Webhook) => {
    webhooks.value = (webhooks.value ?? []).map((h) => (h.id === hook.id ? hook : h));
  };

  return {
    webhooks,
    deliveries,
    async load(): Promise<boolean> {
      try {
        webhooks.value = (await api.get<{ webhooks: Webhook[] }>('/api/webhooks')).webhooks;
        return true;
      } catch (err) {
        return fail('Webhooks not loaded', err);
      }
    },
    /** A new webhook: the answer holds its secret, shown once. */
    async create(input: WebhookInput): Promise<Result<{ webhook: Webhook; secret: string }>> {
      try {
        const r = await api.post<{ webhook: Webhook; secret: string }>('/api/webhooks', input);
        webhooks.value = [...(webhooks.value ?? []), r.webhook];
        notices.push('success', 'Webhook created');
        return { ok: true, ...r };
      } catch (err) {
        return { ok: false, message: describeHttpError(err) };
      }
    },
    async setEnabled(id: string, enabled: boolean): Promise<boolean> {
      try {
        replace((await api.patch<{ webhook: Webhook }>(`/api/webhooks/${path(id)}`, { enabled })).webhook);
        notices.push('info', enabled ? 'Webhook enabled' : 'Webhook disabled: it gets no deliveries until enabled again');
        return true;
      } catch (err) {
        return fail('Webhook not changed', err);
      }
    },
    async remove(id: string): Promise<boolean> {
      try {
        await api.del(`/api/webhooks/${path(id)}`);
        webhooks.value = (webhooks.value ?? []).filter((h) => h.id !== id);
        const { [id]: _gone, ...rest } = deliveries.value;
        deliveries.value = rest;
        notices.push('info', 'Webhook deleted');
        return true;
      } catch (err) {
        return fail('Webhook not deleted', err);
      }
    },
    async loadDeliveries(id: string): Promise<boolean> {
      try {
        const list = (await api.get<{ deliveries: WebhookDelivery[] }>(`/api/webhooks/${path(id)}/deliveries`)).deliveries;
        deliveries.value = { ...deliveries.value, [id]: list };
        return true;
      } catch (err) {
        return fail('Delivery log not loaded', err);
      }
    },
    /** "Send test event": a `ping` delivery. */
    async ping(id: string): Promise<boolean> {
      try {
        await api.post(`/api/webhooks/${path(id)}/ping`, {});
        notices.push('info', 'Test event queued: see the delivery log');
        return true;
      } catch (err) {
        return fail('Test event not sent', err);
      }
    },
    async redeliver(id: string, deliveryId: string): Promise<boolean> {
      try {
        await api.post(`/api/webhooks/${path(id)}/deliveries/${path(deliveryId)}/redeliver`, {});
        notices.push('info', 'Delivery queued again');
        return true;
      } catch (err) {
        return fail('Not redelivered', err);
      }
    },
  };
}

export type WebhooksModel = ReturnType<typeof createWebhooksModel>;
