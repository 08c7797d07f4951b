// Feed key commands: create (the key is shown once, only its hash is stored), rotate,
// revoke. Credentials look feed keys up in the store on every request, so a rotation or
// revocation holds at once on every process. Managers get `feeds:changed` (never a key).
import { randomUUID } from 'node:crypto';
import { EV } from '../../shared/events.js';
import { DEFAULT_POOL, type Feed } from '../../shared/protocol.js';
import type { FeedCreate } from '../../shared/schemas.js';
import { hashToken, newToken } from '../auth.js';
import { ApiError } from '../errors.js';
import type { Fanout } from '../realtime/fanout.js';
import type { Store, StoredFeed } from '../store/types.js';
import { publicFeed, type ReadModels } from './reads.js';

export class FeedCommands {
  constructor(
    private readonly store: Store,
    private readonly fanout: Fanout,
    private readonly reads: ReadModels,
  ) {}

  async create(input: FeedCreate): Promise<{ feed: Feed; key: string }> {
    const pools = input.pools ?? [DEFAULT_POOL];
    const known = new Set((await this.store.listPools()).map((p) => p.id));
    const unknown = pools.map((id, i) => ({ id, i })).filter(({ id }) => !known.has(id));
    if (unknown.length) {
      throw new ApiError(
        'INVALID',
        `no such pool: ${unknown.map(({ id }) => id).join(', ')}`,
        unknown.map(({ id, i }) => ({ path: `pools.${i}`, message: `no such pool: ${id}` })),
      );
    }
    const key = newToken('f');
    const stored: StoredFeed = {
      id: `feed_${randomUUID().replace(/-/g, '').slice(0, 16)}`,
      name: input.name,
      pools,
      createdAt: new Date().toISOString(),
      keyHash: hashToken(key),
    };
    await this.store.createFeed(stored);
    // The store drops a pool deleted meanwhile: answer what it kept.
    const feed = publicFeed((await this.store.getFeed(stored.id)) ?? stored);
    await this.feedsChanged();
    return { feed, key };
  }

  /** A new key for the feed; the old one is refused from now on. */
  async rotate(feedId: string): Promise<{ feed: Feed; key: string }> {
    const key = newToken('f');
    const stored = await this.store.setFeedKey(feedId, hashToken(key));
    if (!stored) throw new ApiError('NOT_FOUND', 'no such feed');
    await this.feedsChanged();
    return { feed: publicFeed(stored), key };
  }

  /** Revokes the feed's key (the feed goes; its leads keep their feedId). */
  async delete(feedId: string): Promise<void> {
    if (!(await this.store.deleteFeed(feedId))) throw new ApiError('NOT_FOUND', 'no such feed');
    await this.feedsChanged();
  }

  private async feedsChanged(): Promise<void> {
    this.fanout.toManagers(EV.feedsChanged, { feeds: await this.reads.listFeeds() });
  }
}
