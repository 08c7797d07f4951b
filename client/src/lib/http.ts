// JSON over HTTP with the manager's bearer token; errors arrive in the envelope
// { error: { code, message, details? } } and are thrown as HttpError.
export class HttpError extends Error {
  constructor(
    readonly status: number,
    readonly code: string,
    message: string,
    readonly details?: unknown,
  ) {
    super(message);
  }
}

export interface Http {
  get<T>(path: string): Promise<T>;
  post<T>(path: string, body?: unknown): Promise<T>;
  put<T>(path: string, body?: unknown): Promise<T>;
  patch<T>(path: string, body?: unknown): Promise<T>;
  del<T = void>(path: string): Promise<T>;
  /** A GET answering text (CSV). */
  getText?(path: string): Promise<string>;
}

export function http(token: string, base = '', fetchImpl: typeof fetch = (...a) => fetch(...a)): Http {
  const call = async <T>(method: string, path: string, body?: unknown): Promise<T> => {
    let res: Response;
    try {
      res = await fetchImpl(base + path, {
        method,
        headers: {
          authorization: `Bearer ${token}`,
          ...(body !== undefined ? { 'content-type': 'application/json' } : {}),
        },
        body: body === undefined ? undefined : JSON.stringify(body),
      });
    } catch {
      throw new HttpError(0, 'NETWORK', 'The server cannot be reached. Check the connection and try again.');
    }
    const text = await res.text();
    let parsed: unknown;
    try {
      parsed = text ? JSON.parse(text) : undefined;
    } catch {
      parsed = undefined;
    }
    if (!res.ok) {
      const error = (parsed as { error?: { code?: string; message?: string; details?: unknown } } | undefined)?.error;
      throw new HttpError(
        res.status,
        error?.code ?? `HTTP_${res.status}`,
        error?.message ?? `Request failed (${res.status})`,
        error?.details,
      );
    }
    return parsed as T;
  };
  return {
    get: (p) => call('GET', p),
    post: (p, b) => call('POST', p, b),
    put: (p, b) => call('PUT', p, b),
    patch: (p, b) => call('PATCH', p, b),
    del: (p) => call('DELETE', p),
    getText: async (p) => {
      let res: Response;
      try {
        res = await fetchImpl(base + p, { headers: { authorization: `Bearer ${token}` } });
      } catch {
        throw new HttpError(0, 'NETWORK', 'The server cannot be reached. Check the connection and try again.');
      }
      if (!res.ok) throw new HttpError(res.status, `HTTP_${res.status}`, `Request failed (${res.status})`);
      return res.text();
    },
  };
}

/** A readable message for an HttpError, including zod issue details when present. */
export function describeHttpError(err: unknown): string {
  if (!(err instanceof HttpError)) return err instanceof Error ? err.message : String(err);
  const issues = Array.isArray(err.details) ? (err.details as { path?: string; message?: string }[]) : [];
  const detail = issues
    .filter((i) => i && typeof i.message === 'string')
    .slice(0, 5)
    .map((i) => (i.path ? `${i.path}: ${i.message}` : i.message))
    .join('; ');
  return detail ? `${err.message} (${detail})` : err.message;
}
