// Credentials: the manager token and feed key (from the environment or generated on first
// start and kept as hashes in the store), rep tokens and per-source feed keys (hashes
// only, looked up in the store on every request and connection: no cache, so a deleted
// rep, a revoked or a rotated feed key is refused at once on every process).
import { hash as oneShotHash, randomBytes, timingSafeEqual } from 'node:crypto';
import { ApiError } from './errors.js';
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
/** A rep comes with its pools as they were when it signed in (a tab joins their rooms at once). */
export type Principal =
  | { role: 'manager' }
  | { role: 'feed'; feed: FeedPrincipal | null }
  | { role: 'rep'; repId: string; pools: string[] };

// One-shot: no Hash object per request and connection.
export const hashToken = (token: string): string => oneShotHash('sha256', token, 'hex');

export const newToken = (kind: 'm' | 'f' | 'r'): string => `lp${kind}_${randomBytes(24).toString('base64url')}`;

function sameHash(a: string, b: string): boolean {
  const x = Buffer.from(a, 'hex');
  const y = Buffer.from(b, 'hex');
  return x.length === y.length && timingSafeEqual(x, y);
}

/** Where a credential comes from: the client's address (and, HTTP, where to say when to retry). */
export interface CredentialSource {
  address?: string;
  /** Called with the seconds to wait when the address is refused for its failed attempts (HTTP: Retry-After). */
  retryAfter?(seconds: number): void;
}

/** `::ffff:127.0.0.1` and `127.0.0.1` are one address. */
const addressKey = (address: string): string => address.replace(/^::ffff:(?=\d+\.\d+\.\d+\.\d+$)/, '');

/**
 * Failed credential attempts per address: a token bucket of `perMinute` attempts, refilled
 * over a minute. Only failures take from it; 0 = off. Bounded: full buckets are forgotten.
 */
export class FailureThrottle {
  private readonly buckets = new Map<string, { tokens: number; at: number }>();
  constructor(private readonly perMinute: number) {}

  private level(address: string, now: number): { tokens: number; at: number } | undefined {
    const b = this.buckets.get(address);
    if (!b) return undefined;
    b.tokens = Math.min(this.perMinute, b.tokens + ((now - b.at) / 60_000) * this.perMinute);
    b.at = now;
    return b;
  }

  /** Milliseconds until `address` may present an unknown credential again; 0 = now. */
  wait(address: string, now = Date.now()): number {
    if (this.perMinute <= 0) return 0;
    const b = this.level(address, now);
    return !b || b.tokens >= 1 ? 0 : ((1 - b.tokens) / this.perMinute) * 60_000;
  }

  failed(address: string, now = Date.now()): void {
    if (this.perMinute <= 0) return;
    if (this.buckets.size >= 100_000) {
      for (const [key, b] of this.buckets)
        if (b.tokens + ((now - b.at) / 60_000) * this.perMinute >= this.perMinute) this.buckets.delete(key);
    }
    const b = this.level(address, now) ?? { tokens: this.perMinute, at: now };
    b.tokens = Math.max(0, b.tokens - 1);
    this.buckets.set(address, b);
  }
}

/** Token hashes that identified someone lately (at most 10 000, for an hour): they still pass a throttled address. */
class RecentHashes {
  private readonly seen = new Map<string, number>();
  has(hash: string, now = Date.now()): boolean {
    const until = this.seen.get(hash);
    if (until === undefined) return false;
    if (until > now) return true;
    this.seen.delete(hash);
    return false;
  }
  add(hash: string, now = Date.now()): void {
    this.seen.delete(hash);
    this.seen.set(hash, now + 3_600_000);
    if (this.seen.size > 10_000) this.seen.delete(this.seen.keys().next().value as string);
  }
  delete(hash: string): void {
    this.seen.delete(hash);
  }
}

export interface GeneratedSecrets {
  managerToken?: string;
  feedKey?: string;
}

export class Credentials {
  private readonly throttle: FailureThrottle;
  private readonly recent = new RecentHashes();

  private constructor(
    private readonly store: Store,
    private readonly managerHash: string,
    private readonly feedHash: string,
    /** Secrets that live in the store (not given by the environment). */
    private readonly stored: SecretName[],
    failuresPerMinute: number,
  ) {
    this.throttle = new FailureThrottle(failuresPerMinute);
  }

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
    env: { managerToken?: string; feedKey?: string; authFailuresPerMinute?: number },
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
    return { credentials: new Credentials(store, managerHash, feedHash, stored, env.authFailuresPerMinute ?? 0), generated };
  }

  /**
   * Who holds this token, or null when nobody does. With `from.address`, a wrong token
   * (presented, but nobody's) counts against that address; past its budget
   * (LEADPOOL_AUTH_FAILURES_PER_MINUTE) tokens from it are refused with RATE_LIMITED
   * before they are looked up, except the manager token, the deployment's feed key and
   * tokens that identified someone lately: successes are unaffected.
   */
  async identify(token: string | undefined, from?: CredentialSource): Promise<Principal | null> {
    if (!token) return null; // nothing presented: not an attempt
    const hash = token.length > 200 ? null : hashToken(token);
    if (hash && sameHash(hash, this.managerHash)) return { role: 'manager' };
    if (hash && sameHash(hash, this.feedHash)) return { role: 'feed', feed: null };
    const address = from?.address === undefined ? undefined : addressKey(from.address);
    if (address !== undefined && !(hash && this.recent.has(hash))) {
      const wait = this.throttle.wait(address);
      if (wait > 0) {
        const seconds = Math.ceil(wait / 1000);
        from?.retryAfter?.(seconds);
        throw new ApiError('RATE_LIMITED', `too many wrong credentials from this address; retry after ${seconds} s`);
      }
    }
    const who = hash ? await this.lookup(hash, token) : null;
    if (who && hash) this.recent.add(hash);
    else {
      if (hash) this.recent.delete(hash);
      if (address !== undefined) this.throttle.failed(address);
    }
    return who;
  }

  private async lookup(hash: string, token: string): Promise<Principal | null> {
    // Generated rep tokens start lpr_, feed keys lpf_: ask the likely table first.
    const lookups = token.startsWith('lpf_') ? [this.feedOf, this.repOf] : [this.repOf, this.feedOf];
    for (const lookup of lookups) {
      const who = await lookup(hash);
      if (who) return who;
    }
    return null;
  }

  private readonly repOf = async (hash: string): Promise<Principal | null> => {
    const rep = await this.store.repByTokenHash(hash);
    return rep ? { role: 'rep', repId: rep.id, pools: rep.pools } : null;
  };

  private readonly feedOf = async (hash: string): Promise<Principal | null> => {
    const feed = await this.store.feedByKeyHash(hash);
    return feed ? { role: 'feed', feed: { id: feed.id, name: feed.name, pools: feed.pools } } : null;
  };
}
