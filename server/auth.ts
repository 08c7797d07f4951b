// Credentials: the manager token and feed key (from the environment or generated on first
// start and kept as hashes in the store), rep tokens and per-source feed keys (hashes
// only, looked up in the store on every request and connection: no cache, so a deleted
// rep, a revoked or a rotated feed key is refused at once on every process).
import { createHash, randomBytes, timingSafeEqual } from 'node:crypto';
import type { SecretName, Store } from './store/types.js';

export type Role = 'manager' | 'feed' | 'rep';
/** A feed key of the store (POST /api/feeds): it posts only into its pools. */
export interface FeedPrincipal {
  id: string;
  name: string;
  pools: string[];
}
/**
 * Who holds a token. A feed is `feed: null` for the deployment's own key
 * (LEADPOOL_FEED_KEY, or generated), which posts into every pool.
 */
export type Principal = { role: 'manager' } | { role: 'feed'; feed: FeedPrincipal | null } | { role: 'rep'; repId: string };

export const hashToken = (token: string): string => createHash('sha256').update(token).digest('hex');

export const newToken = (kind: 'm' | 'f' | 'r'): string => `lp${kind}_${randomBytes(24).toString('base64url')}`;

function sameHash(a: string, b: string): boolean {
  const x = Buffer.from(a, 'hex');
  const y = Buffer.from(b, 'hex');
  return x.length === y.length && timingSafeEqual(x, y);
}

export interface GeneratedSecrets {
  managerToken?: string;
  feedKey?: string;
}

export class Credentials {
  private constructor(
    private readonly store: Store,
    private readonly managerHash: string,
    private readonly feedHash: string,
    /** Secrets that live in the store (not given by the environment). */
    private readonly stored: SecretName[],
  ) {}

  /** After the store was wiped (Redis restarted empty): write our secrets back, first writer wins. */
  async restore(): Promise<void> {
    for (const name of this.stored) await this.store.ensureSecret(name, name === 'manager' ? this.managerHash : this.feedHash);
  }

  /**
   * Manager token and feed key: from the environment when given; otherwise generated once
   * and kept (as a hash) in the store, first writer wins. Returns what was generated now,
   * so the caller can print it this once.
   */
  static async load(
    store: Store,
    env: { managerToken?: string; feedKey?: string },
  ): Promise<{ credentials: Credentials; generated: GeneratedSecrets }> {
    const generated: GeneratedSecrets = {};
    const resolve = async (name: SecretName, fromEnv: string | undefined, kind: 'm' | 'f') => {
      if (fromEnv) return hashToken(fromEnv);
      const token = newToken(kind);
      const { hash, created } = await store.ensureSecret(name, hashToken(token));
      if (created) generated[name === 'manager' ? 'managerToken' : 'feedKey'] = token;
      return hash;
    };
    const managerHash = await resolve('manager', env.managerToken, 'm');
    const feedHash = await resolve('feed', env.feedKey, 'f');
    const stored = (['manager', 'feed'] as const).filter((n) => !(n === 'manager' ? env.managerToken : env.feedKey));
    return { credentials: new Credentials(store, managerHash, feedHash, stored), generated };
  }

  /** Who holds this token, or null when nobody does. */
  async identify(token: string | undefined): Promise<Principal | null> {
    if (!token || token.length > 200) return null;
    const hash = hashToken(token);
    if (sameHash(hash, this.managerHash)) return { role: 'manager' };
    if (sameHash(hash, this.feedHash)) return { role: 'feed', feed: null };
    // Generated rep tokens start lpr_, feed keys lpf_: ask the likely table first.
    const lookups = token.startsWith('lpf_') ? [this.feedOf, this.repOf] : [this.repOf, this.feedOf];
    for (const lookup of lookups) {
      const who = await lookup(hash);
      if (who) return who;
    }
    return null;
  }

  private readonly repOf = async (hash: string): Promise<Principal | null> => {
    const repId = await this.store.repIdByTokenHash(hash);
    return repId ? { role: 'rep', repId } : null;
  };

  private readonly feedOf = async (hash: string): Promise<Principal | null> => {
    const feed = await this.store.feedByKeyHash(hash);
    return feed ? { role: 'feed', feed: { id: feed.id, name: feed.name, pools: feed.pools } } : null;
  };
}
