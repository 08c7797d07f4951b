// The token travels in the URL fragment (#token=...), so it never reaches server logs.
// A rep's token is kept in sessionStorage (a reload works; the tab forgets it when
// closed). The manager's is kept in localStorage, so the dashboard opened in another tab
// of the same origin works without pasting it again; Sign out forgets it.
export type Role = 'rep' | 'manager';

const key = (role: Role) => `leadpool.token.${role}`;

/** Where `role`'s token is kept. */
export function tokenStorage(role: Role): Storage | null {
  try {
    return role === 'manager' ? localStorage : sessionStorage;
  } catch {
    return null;
  }
}

/** Reads the token for `role` from the fragment (then strips it) or from storage. */
export function takeToken(role: Role, loc: Location = location, storage: Storage | null = tokenStorage(role)): string | null {
  const params = new URLSearchParams(loc.hash.replace(/^#/, ''));
  const fromHash = params.get('token')?.trim();
  if (fromHash) {
    try {
      storage?.setItem(key(role), fromHash);
    } catch {
      /* storage disabled: the token lives for this page only */
    }
    history.replaceState(history.state, '', loc.pathname + loc.search);
    return fromHash;
  }
  try {
    return storage?.getItem(key(role)) ?? null;
  } catch {
    return null;
  }
}

/** Forgets `role`'s token wherever it was kept (sign out, or a token the server refused). */
export function forgetToken(role: Role): void {
  const all = (): (Storage | null)[] => {
    try {
      return [localStorage, sessionStorage];
    } catch {
      return [];
    }
  };
  for (const storage of all()) {
    try {
      storage?.removeItem(key(role));
    } catch {
      /* nothing kept */
    }
  }
}

export const viewLink = (role: Role, token: string, origin: string = location.origin) =>
  `${origin}/${role}#token=${encodeURIComponent(token)}`;
