import { useEffect, useState } from 'preact/hooks';
import { type PoolOverview, WEBHOOK_EVENTS, type Webhook, type WebhookDelivery, type WebhookEventType } from '../../../shared/protocol';
import { formatTime } from '../lib/format';
import type { WebhooksModel } from '../state/webhooksModel';
import { CopyButton } from './CopyButton';

const EVENT_LABELS: Record<WebhookEventType, string> = {
  'lead.created': 'Lead created',
  'lead.disqualified': 'Lead disqualified',
  'lead.claimed': 'Lead claimed or assigned',
  'lead.released': 'Lead released',
  'lead.outcome': 'Outcome recorded',
  'lead.closed': 'Lead closed',
};

/** How often an open delivery log is read again. */
const LOG_REFRESH_MS = 3000;

const when = (iso: string | undefined) => (iso ? formatTime(iso) : '');

/** The secret of a new webhook, shown once. */
function SecretOnce({ webhook, secret, onDone }: { webhook: Webhook; secret: string; onDone(): void }) {
  return (
    <div class="created" role="status" data-testid="webhook-secret-once">
      <p>
        The signing secret of <span class="mono">{webhook.url}</span> — copy it into the receiving system now, it is shown only once:
      </p>
      <div class="link-box">
        <input readOnly value={secret} aria-label="Signing secret" onFocus={(e) => e.currentTarget.select()} data-testid="webhook-secret" />
        <CopyButton text={secret} label="Copy secret" copiedText="Secret copied to the clipboard" />
      </div>
      <p class="small muted">
        Each request carries <span class="mono">Leadpool-Signature</span>: an HMAC-SHA256 of the timestamp and body with this secret.
      </p>
      <button type="button" class="btn btn-sm btn-ghost" onClick={onDone}>
        Done
      </button>
    </div>
  );
}

function DeliveryLog({ webhook, model }: { webhook: Webhook; model: WebhooksModel }) {
  const list = model.deliveries.value[webhook.id];
  useEffect(() => {
    void model.loadDeliveries(webhook.id);
    const timer = setInterval(() => void model.loadDeliveries(webhook.id), LOG_REFRESH_MS);
    return () => clearInterval(timer);
  }, [webhook.id]);
  if (!list) return <p class="muted pad">Loading…</p>;
  if (list.length === 0) return <p class="muted pad">No deliveries yet. Send a test event to try the endpoint.</p>;
  return (
    <div class="table-scroll">
      <table class="table table-cards" data-testid="delivery-log">
        <caption class="sr-only">Deliveries to {webhook.url}, newest first</caption>
        <thead>
          <tr>
            <th scope="col">Event</th>
            <th scope="col">Status</th>
            <th scope="col">Attempts</th>
            <th scope="col">Response</th>
            <th scope="col">Error</th>
            <th scope="col">Next attempt</th>
            <th scope="col">
              <span class="sr-only">Action</span>
            </th>
          </tr>
        </thead>
        <tbody>
          {list.map((d: WebhookDelivery) => (
            <tr key={d.id} data-delivery-id={d.id} data-status={d.status}>
              <td data-label="Event">
                <span class="cell-main">{d.event}</span>
                <span class="cell-sub muted">{when(d.createdAt)}</span>
              </td>
              <td data-label="Status">
                <span class={`pill ${d.status === 'delivered' ? 'pill-ok' : d.status === 'failed' ? 'pill-bad' : ''}`}>{d.status}</span>
              </td>
              <td data-label="Attempts" class="num">
                {d.attempts}
              </td>
              <td data-label="Response">{d.lastStatus ?? ''}</td>
              <td data-label="Error">{d.lastError ?? ''}</td>
              <td data-label="Next attempt">{d.status === 'pending' ? when(d.nextAttemptAt) : ''}</td>
              <td class="cell-action">
                <button
                  type="button"
                  class="btn btn-sm"
                  aria-label={`Redeliver ${d.event} ${d.id}`}
                  onClick={async () => {
                    if (await model.redeliver(webhook.id, d.id)) await model.loadDeliveries(webhook.id);
                  }}
                >
                  Redeliver
                </button>
              </td>
            </tr>
          ))}
        </tbody>
      </table>
    </div>
  );
}

function WebhookRow({ webhook, model, poolName }: { webhook: Webhook; model: WebhooksModel; poolName(id: string): string }) {
  const [showLog, setShowLog] = useState(false);
  const [confirmDelete, setConfirmDelete] = useState(false);
  const logId = `webhook-log-${webhook.id}`;
  return (
    <li class="rep-row" data-webhook-id={webhook.id}>
      <div class="rep-summary">
        <div>
          <strong class="mono">{webhook.url}</strong>{' '}
          <span class={`pill ${webhook.enabled ? 'pill-ok' : ''}`}>{webhook.enabled ? 'enabled' : 'disabled'}</span>
          <div class="chips">
            <span class="sr-only">Events: </span>
            {webhook.events.map((e) => (
              <span class="chip" key={e}>
                {e}
              </span>
            ))}
            <span class="sr-only">Pools: </span>
            <span class="chip">{webhook.poolIds ? webhook.poolIds.map(poolName).join(', ') : 'every pool'}</span>
          </div>
        </div>
        <div />
        <div class="row-tight">
          <button
            type="button"
            class="btn btn-sm"
            aria-label={`Send test event to ${webhook.url}`}
            onClick={async () => {
              if (await model.ping(webhook.id)) {
                setShowLog(true);
                await model.loadDeliveries(webhook.id);
              }
            }}
          >
            Send test event
          </button>
          <button
            type="button"
            class="btn btn-sm"
            aria-label={`${webhook.enabled ? 'Disable' : 'Enable'} ${webhook.url}`}
            onClick={() => void model.setEnabled(webhook.id, !webhook.enabled)}
          >
            {webhook.enabled ? 'Disable' : 'Enable'}
          </button>
          <button
            type="button"
            class="btn btn-sm btn-ghost"
            aria-expanded={showLog}
            aria-controls={logId}
            onClick={() => setShowLog(!showLog)}
          >
            Delivery log
          </button>
          {confirmDelete ? (
            <>
              <button type="button" class="btn btn-sm btn-danger" onClick={() => void model.remove(webhook.id)}>
                Confirm delete
              </button>
              <button type="button" class="btn btn-sm btn-ghost" onClick={() => setConfirmDelete(false)}>
                Keep
              </button>
            </>
          ) : (
            <button type="button" class="btn btn-sm btn-ghost" aria-label={`Delete ${webhook.url}`} onClick={() => setConfirmDelete(true)}>
              Delete
            </button>
          )}
        </div>
      </div>
      {confirmDelete && <p class="hint">The webhook and its delivery log are removed; pending deliveries are not sent.</p>}
      {showLog && (
        <div id={logId}>
          <DeliveryLog webhook={webhook} model={model} />
        </div>
      )}
    </li>
  );
}

/** Webhooks: send lead events to the company's systems, signed; the delivery log per webhook. */
export function WebhooksPanel({ model, pools }: { model: WebhooksModel; pools: PoolOverview[] }) {
  const [url, setUrl] = useState('');
  const [events, setEvents] = useState<WebhookEventType[]>([...WEBHOOK_EVENTS]);
  const [allPools, setAllPools] = useState(true);
  const [chosen, setChosen] = useState<string[]>([]);
  const [error, setError] = useState('');
  const [busy, setBusy] = useState(false);
  const [created, setCreated] = useState<{ webhook: Webhook; secret: string } | null>(null);
  useEffect(() => {
    void model.load();
  }, []);
  const poolName = (id: string) => pools.find((p) => p.id === id)?.name ?? id;
  const hooks = model.webhooks.value;
  const toggleEvent = (e: WebhookEventType, on: boolean) =>
    setEvents(on ? WEBHOOK_EVENTS.filter((x) => x === e || events.includes(x)) : events.filter((x) => x !== e));
  const togglePool = (id: string, on: boolean) => setChosen(on ? [...chosen.filter((x) => x !== id), id] : chosen.filter((x) => x !== id));
  return (
    <div class="stack-lg">
      <section class="panel" aria-labelledby="webhook-new-title">
        <div class="panel-head">
          <div>
            <h2 id="webhook-new-title">Send lead events to your systems</h2>
            <p class="muted small">
              Leadpool POSTs each event as signed JSON to your endpoint (CRM, Zapier, your own service), retrying for hours until it answers
              2xx.
            </p>
          </div>
        </div>
        <div class="pad">
          <form
            class="rep-form"
            aria-label="New webhook"
            onSubmit={async (e) => {
              e.preventDefault();
              const target = url.trim();
              if (!/^https?:\/\/\S+$/i.test(target)) return setError('Enter an http:// or https:// URL.');
              if (!events.length) return setError('Choose at least one event.');
              if (!allPools && !chosen.length) return setError('Choose at least one pool, or every pool.');
              setError('');
              setBusy(true);
              const r = await model.create({ url: target, events, ...(allPools ? {} : { poolIds: chosen }) });
              setBusy(false);
              if (!r.ok) return setError(r.message);
              setCreated({ webhook: r.webhook, secret: r.secret });
              setUrl('');
            }}
          >
            <div class="form-grid">
              <div class="field">
                <label for="webhook-url">Endpoint URL</label>
                <input
                  id="webhook-url"
                  type="url"
                  value={url}
                  maxLength={2000}
                  autoComplete="off"
                  placeholder="https://crm.example.com/leadpool"
                  onInput={(e) => setUrl(e.currentTarget.value)}
                />
              </div>
            </div>
            <fieldset>
              <legend>Events</legend>
              <div class="checks">
                {WEBHOOK_EVENTS.map((e) => (
                  <label class="check" key={e}>
                    <input type="checkbox" checked={events.includes(e)} onChange={(ev) => toggleEvent(e, ev.currentTarget.checked)} />
                    {EVENT_LABELS[e]} <span class="muted small mono">{e}</span>
                  </label>
                ))}
              </div>
            </fieldset>
            {pools.length > 1 && (
              <fieldset>
                <legend>Pools</legend>
                <div class="checks">
                  <label class="check">
                    <input type="checkbox" checked={allPools} onChange={(ev) => setAllPools(ev.currentTarget.checked)} />
                    Every pool
                  </label>
                  {!allPools &&
                    pools.map((p) => (
                      <label class="check" key={p.id}>
                        <input
                          type="checkbox"
                          checked={chosen.includes(p.id)}
                          onChange={(ev) => togglePool(p.id, ev.currentTarget.checked)}
                        />
                        {p.name}
                      </label>
                    ))}
                </div>
              </fieldset>
            )}
            {error && (
              <p class="field-error" role="alert">
                {error}
              </p>
            )}
            <div class="row">
              <button type="submit" class="btn btn-primary" disabled={busy}>
                Create webhook
              </button>
            </div>
          </form>
          {created && <SecretOnce webhook={created.webhook} secret={created.secret} onDone={() => setCreated(null)} />}
        </div>
      </section>
      <section class="panel" aria-labelledby="webhooks-title">
        <div class="panel-head">
          <h2 id="webhooks-title">Webhooks</h2>
          <span class="pill">{hooks?.length ?? '…'}</span>
        </div>
        {hooks === null ? (
          <p class="muted pad">Loading…</p>
        ) : hooks.length === 0 ? (
          <p class="muted pad">No webhooks yet.</p>
        ) : (
          <ul class="rep-list">
            {hooks.map((h) => (
              <WebhookRow key={h.id} webhook={h} model={model} poolName={poolName} />
            ))}
          </ul>
        )}
      </section>
    </div>
  );
}
