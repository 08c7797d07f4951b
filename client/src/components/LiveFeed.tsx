import { formatTime } from '../lib/format';
import type { FeedItem } from '../state/managerModel';

/** Who released a lead and why, in words ("by Maya Chen", "claim timed out (Maya Chen)"). */
export function releaseText(item: FeedItem, repName: (id: string | undefined) => string): string {
  const r = item.release;
  if (!r) return '';
  // The names as they were when it happened; else as known now (a removed rep has none).
  const name = (id: string | undefined, then: string | undefined) => then ?? (id ? repName(id) : '');
  const from = name(r.previousOwner, item.names?.from);
  switch (r.reason) {
    case 'rep':
      return `by ${name(r.releasedBy.repId ?? r.previousOwner, item.names?.by ?? item.names?.from)}`;
    case 'manager':
      return `by a manager${from ? `, from ${from}` : ''}`;
    case 'expired':
      return `claim timed out${from ? ` (${from})` : ''}`;
    case 'removed':
      return `${item.names?.from ?? 'its rep'} was removed`;
    default:
      return '';
  }
}

const VERB: Record<FeedItem['kind'], string> = {
  created: 'New lead',
  claimed: 'Claimed',
  released: 'Released',
  closed: 'Closed',
  updated: 'Contacted',
  disqualified: 'Disqualified',
};

/** Leads, claims and outcomes as they happen, newest first. */
export function LiveFeed({
  items,
  repName,
  poolName,
}: {
  items: FeedItem[];
  repName(id: string | undefined): string;
  /** A lead's pool name, with several pools (the feed shows every pool). */
  poolName?(id: string): string;
}) {
  return (
    <section class="panel" aria-labelledby="feed-title">
      <div class="panel-head">
        <h2 id="feed-title">Live feed</h2>
      </div>
      {items.length === 0 ? (
        <p class="muted pad">Nothing yet. New leads, claims and outcomes show up here.</p>
      ) : (
        <ol class="feed">
          {items.slice(0, 40).map((f) => {
            const who = f.lead.company ?? f.lead.name ?? f.lead.email ?? f.lead.id;
            const detail =
              f.kind === 'claimed'
                ? `by ${repName(f.lead.claimedBy)}`
                : f.kind === 'closed'
                  ? `${f.lead.outcome ?? ''}${f.lead.claimedBy ? ` · ${repName(f.lead.claimedBy)}` : ''}`
                  : f.kind === 'created'
                    ? [f.lead.industry, f.lead.country].filter(Boolean).join(' · ')
                    : f.kind === 'disqualified'
                      ? (f.lead.disqualifiedReasons ?? []).join(', ')
                      : f.kind === 'released'
                        ? releaseText(f, repName)
                        : '';
            return (
              <li
                key={f.key}
                class={`feed-item feed-${f.kind}${f.kind === 'closed' && f.lead.outcome ? ` outcome-${f.lead.outcome}` : ''}`}
              >
                <time class="feed-time" dateTime={f.at}>
                  {formatTime(f.at)}
                </time>
                <span class={`tag tag-${f.kind}`}>{VERB[f.kind]}</span>
                <span class="feed-text">
                  <strong>{who}</strong> {detail && <span class="muted">{detail}</span>}
                  {poolName && <span class="pill pill-pool feed-pool">{poolName(f.lead.poolId ?? 'default')}</span>}
                </span>
              </li>
            );
          })}
        </ol>
      )}
    </section>
  );
}
