// The token travels in the URL fragment (#token=...), so it never reaches server logs.
// It is kept in sessionStorage (reload works) and stripped from the address bar.
export type Role = 'rep' | 'manager';

const key = (role: Role) => `leadpool.token.${role}`;

/** Reads the token for `role` from the fragment (then strips it) or from sessionStorage. */
export function takeToken(role: Role, loc: Location = location, storage: Storage = sessionStorage): string | null {
  const params = new URLSearchParams(loc.hash.replace(/^#/, ''));
  const fromHash = params.get('token')?.trim();
  if (fromHash) {
    try {
      storage.setItem(key(role), fromHash);
    } catch {
      /* storage disabled: the token lives for this page only */
    }
    history.replaceState(history.state, '', loc.pathname + loc.search);
    return fromHash;
  }
  try {
    return storage.getItem(key(role));
  } catch {
    return null;
  }
}

export const viewLink = (role: Role, token: string, origin: string = location.origin) =>
  `${origin}/${role}#token=${encodeURIComponent(token)}`;
