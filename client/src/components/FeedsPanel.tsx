import { useEffect, useState } from 'preact/hooks';
import type { Feed, PoolOverview } from '../../../shared/protocol';
import { formatTime } from '../lib/format';
import type { Result } from '../state/managerModel';
import { CopyButton } from './CopyButton';

interface Props {
  feeds: Feed[] | null;
  pools: PoolOverview[];
  /** The pool preselected for a new key (the one the dashboard shows). */
  selected: string;
  origin?: string;
  onLoad(): Promise<boolean>;
  onCreate(input: { name: string; pools: string[] }): Promise<Result<{ feed: Feed; key: string }>>;
  onRotate(id: string): Promise<Result<{ feed: Feed; key: string }>>;
  onRevoke(id: string): Promise<boolean>;
}

/** Where a source posts its leads into `poolId`. */
export const poolLeadsUrl = (origin: string, poolId: string) => `${origin}/api/pools/${encodeURIComponent(poolId)}/leads`;

/** What stands for a key that is not shown any more (the source keeps it in this variable). */
export const KEY_PLACEHOLDER = '$LEADPOOL_KEY';

/** A copy-paste request that posts one lead with `key` into `poolId`. */
export function curlExample(origin: string, poolId: string, key: string): string {
  return [
    `curl -X POST ${poolLeadsUrl(origin, poolId)} \\`,
    `  -H "Authorization: Bearer ${key}" \\`,
    `  -H 'Content-Type: application/json' \\`,
    `  -d '{"name":"Ada Lovelace","email":"ada@example.com","company":"Analytical Engines","country":"GB"}'`,
  ].join('\n');
}

const dateOf = (iso: string) => {
  const d = new Date(iso);
  return Number.isNaN(d.getTime())
    ? ''
    : `${d.toLocaleDateString([], { year: 'numeric', month: 'short', day: 'numeric' })} ${formatTime(iso)}`;
};

/** The key of a feed, shown once: copy it, a curl example, and the URL of each of its pools. */
function KeyOnce({
  feed,
  keyText,
  origin,
  poolName,
  onDone,
}: {
  feed: Feed;
  keyText: string;
  origin: string;
  poolName(id: string): string;
  onDone(): void;
}) {
  const first = feed.pools[0];
  return (
    <div class="created" role="status" data-testid="feed-key-once">
      <p>
        The key of <strong>{feed.name}</strong> — copy it now, it is shown only once:
      </p>
      <div class="link-box">
        <input
          readOnly
          value={keyText}
          aria-label={`Key of ${feed.name}`}
          onFocus={(e) => e.currentTarget.select()}
          data-testid="feed-key"
        />
        <CopyButton text={keyText} label="Copy key" copiedText="Key copied to the clipboard" />
      </div>
      {first && (
        <>
          <p class="small">Send a lead with it (a JSON body, one lead per request):</p>
          <pre class="code" data-testid="feed-curl">
            {curlExample(origin, first, keyText)}
          </pre>
          <CopyButton text={curlExample(origin, first, keyText)} label="Copy example" copiedText="Example copied to the clipboard" />
        </>
      )}
      <PoolUrls feed={feed} origin={origin} poolName={poolName} />
      <button type="button" class="btn btn-sm btn-ghost" onClick={onDone}>
        Done
      </button>
    </div>
  );
}

function PoolUrls({ feed, origin, poolName }: { feed: Feed; origin: string; poolName(id: string): string }) {
  if (!feed.pools.length) return <p class="small field-error">This key posts into no pool any more: revoke it or create a new one.</p>;
  return (
    <dl class="feed-urls">
      {feed.pools.map((p, i) => (
        <div key={p}>
          <dt>
            {poolName(p)}
            {i === 0 && feed.pools.length > 1 ? ' (also POST /api/leads)' : ''}
          </dt>
          <dd class="mono">{poolLeadsUrl(origin, p)}</dd>
        </div>
      ))}
    </dl>
  );
}

function FeedRow({
  feed,
  origin,
  poolName,
  onRotate,
  onRevoke,
}: { feed: Feed; origin: string; poolName(id: string): string } & Pick<Props, 'onRotate' | 'onRevoke'>) {
  const [confirm, setConfirm] = useState<'rotate' | 'revoke' | null>(null);
  const [key, setKey] = useState<string | null>(null);
  const [error, setError] = useState('');
  const [busy, setBusy] = useState(false);
  return (
    <li class="rep-row" data-feed-id={feed.id}>
      <div class="rep-summary">
        <div>
          <strong>{feed.name}</strong> <span class="muted small">created {dateOf(feed.createdAt)}</span>
          <div class="chips">
            <span class="sr-only">Pools: </span>
            {feed.pools.map((p) => (
              <span class="chip" key={p}>
                {poolName(p)}
              </span>
            ))}
          </div>
        </div>
        <div />
        <div class="row-tight">
          {confirm ? (
            <>
              <button
                type="button"
                class={`btn btn-sm ${confirm === 'revoke' ? 'btn-danger' : 'btn-primary'}`}
                disabled={busy}
                onClick={async () => {
                  setBusy(true);
                  setError('');
                  if (confirm === 'revoke') await onRevoke(feed.id);
                  else {
                    const r = await onRotate(feed.id);
                    if (r.ok) setKey(r.key);
                    else setError(r.message);
                  }
                  setBusy(false);
                  setConfirm(null);
                }}
              >
                {confirm === 'revoke' ? 'Confirm revoke' : 'Confirm new key'}
              </button>
              <button type="button" class="btn btn-sm btn-ghost" onClick={() => setConfirm(null)}>
                Keep
              </button>
            </>
          ) : (
            <>
              <button type="button" class="btn btn-sm" aria-label={`New key for ${feed.name}`} onClick={() => setConfirm('rotate')}>
                New key
              </button>
              <button type="button" class="btn btn-sm btn-ghost" aria-label={`Revoke ${feed.name}`} onClick={() => setConfirm('revoke')}>
                Revoke
              </button>
            </>
          )}
        </div>
      </div>
      {confirm && (
        <p class="hint">
          {confirm === 'revoke'
            ? `The key of ${feed.name} stops working at once; the source can no longer post leads.`
            : `The current key of ${feed.name} stops working at once; the new one is shown once.`}
        </p>
      )}
      {error && (
        <p class="field-error" role="alert">
          {error}
        </p>
      )}
      {key ? (
        <KeyOnce feed={feed} keyText={key} origin={origin} poolName={poolName} onDone={() => setKey(null)} />
      ) : (
        <details class="small feed-howto">
          <summary>How this source sends leads</summary>
          {feed.pools[0] && (
            <>
              <p>
                With its key (shown once when it was created; <strong>New key</strong> gives a new one), one lead per request:
              </p>
              <pre class="code" data-testid="feed-row-curl">
                {curlExample(origin, feed.pools[0], KEY_PLACEHOLDER)}
              </pre>
              <CopyButton
                text={curlExample(origin, feed.pools[0], KEY_PLACEHOLDER)}
                label="Copy example"
                copiedText="Example copied: put the source’s key in LEADPOOL_KEY"
              />
            </>
          )}
          <PoolUrls feed={feed} origin={origin} poolName={poolName} />
        </details>
      )}
    </li>
  );
}

/** Feed keys: connect a lead source (the key once, a curl example, the URL per pool), list, rotate, revoke. */
export function FeedsPanel({ feeds, pools, selected, origin = location.origin, onLoad, onCreate, onRotate, onRevoke }: Props) {
  const [name, setName] = useState('');
  const [chosen, setChosen] = useState<string[]>([selected]);
  const [error, setError] = useState('');
  const [busy, setBusy] = useState(false);
  const [created, setCreated] = useState<{ feed: Feed; key: string } | null>(null);
  useEffect(() => {
    void onLoad();
  }, []);
  const poolName = (id: string) => pools.find((p) => p.id === id)?.name ?? id;
  const one = pools.length <= 1;
  const toggle = (id: string, on: boolean) => setChosen(on ? [...chosen.filter((x) => x !== id), id] : chosen.filter((x) => x !== id));
  return (
    <div class="stack-lg">
      <section class="panel" aria-labelledby="connect-title">
        <div class="panel-head">
          <div>
            <h2 id="connect-title">Connect a lead source</h2>
            <p class="muted small">
              Give each source (web form, ad platform, CRM) its own key: it posts only into its pools, and you can revoke it alone.
            </p>
          </div>
        </div>
        <div class="pad">
          <form
            class="rep-form"
            aria-label="New feed key"
            onSubmit={async (e) => {
              e.preventDefault();
              if (!name.trim()) return setError('A name is required.');
              const list = one ? pools.map((p) => p.id) : pools.map((p) => p.id).filter((id) => chosen.includes(id));
              if (!list.length) return setError('Choose at least one pool.');
              setError('');
              setBusy(true);
              const r = await onCreate({ name: name.trim(), pools: list });
              setBusy(false);
              if (!r.ok) return setError(r.message);
              setCreated({ feed: r.feed, key: r.key });
              setName('');
            }}
          >
            <div class="form-grid">
              <div class="field">
                <label for="feed-new-name">Source name</label>
                <input
                  id="feed-new-name"
                  value={name}
                  maxLength={100}
                  autoComplete="off"
                  placeholder="Website form"
                  aria-describedby="feed-new-name-hint"
                  onInput={(e) => setName(e.currentTarget.value)}
                />
                <small id="feed-new-name-hint" class="muted">
                  Also the leads’ source when they name none
                </small>
              </div>
            </div>
            {!one && (
              <fieldset>
                <legend>Pools it posts into</legend>
                <div class="checks">
                  {pools.map((p) => (
                    <label class="check" key={p.id}>
                      <input type="checkbox" checked={chosen.includes(p.id)} onChange={(e) => toggle(p.id, e.currentTarget.checked)} />
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
                Create feed key
              </button>
            </div>
          </form>
          {created && (
            <KeyOnce feed={created.feed} keyText={created.key} origin={origin} poolName={poolName} onDone={() => setCreated(null)} />
          )}
        </div>
      </section>
      <section class="panel" aria-labelledby="feeds-title">
        <div class="panel-head">
          <h2 id="feeds-title">Feed keys</h2>
          <span class="pill">{feeds?.length ?? '…'}</span>
        </div>
        {feeds === null ? (
          <p class="muted pad">Loading…</p>
        ) : feeds.length === 0 ? (
          <p class="muted pad">No feed keys yet. The key from the server’s configuration (LEADPOOL_FEED_KEY) posts into every pool.</p>
        ) : (
          <ul class="rep-list">
            {feeds.map((f) => (
              <FeedRow key={f.id} feed={f} origin={origin} poolName={poolName} onRotate={onRotate} onRevoke={onRevoke} />
            ))}
          </ul>
        )}
      </section>
    </div>
  );
}
