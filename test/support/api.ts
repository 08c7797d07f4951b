// A tiny JSON HTTP client for tests: real fetch against a real server.
import type { ErrorBody, Feed, Lead, Mode, PoolOverview, Rep, Rule, Settings } from '../../shared/protocol.js';

/**
 * The top-level fields of the JSON bodies the HTTP routes answer (docs/API.md), merged:
 * a body has the fields its route answers, and a test reads those. Other shapes (the
 * reports summary) are asked for by type argument: `get<ReportSummary>(...)`.
 */
export interface ApiBody {
  lead: Lead;
  leads: Lead[];
  duplicate: boolean;
  rep: Rep;
  reps: Rep[];
  token: string;
  mode: Mode;
  settings: Settings;
  rules: Rule[];
  pool: PoolOverview;
  pools: PoolOverview[];
  feed: Feed;
  feeds: Feed[];
  /** A feed key, shown once (POST /api/feeds, POST /api/feeds/:id/key). */
  key: string;
  error: ErrorBody;
  /** /healthz */
  status: string;
  store: string;
}

interface ApiResponse<T> {
  status: number;
  body: T;
}

export function api(baseUrl: string, token?: string) {
  const call = async <T = ApiBody>(
    method: string,
    path: string,
    body?: unknown,
    headers: Record<string, string> = {},
  ): Promise<ApiResponse<T>> => {
    const res = await fetch(baseUrl + path, {
      method,
      headers: {
        ...(token ? { authorization: `Bearer ${token}` } : {}),
        ...(body !== undefined ? { 'content-type': 'application/json' } : {}),
        ...headers,
      },
      body: body === undefined ? undefined : typeof body === 'string' ? body : JSON.stringify(body),
    });
    const text = await res.text();
    let parsed: unknown = text;
    try {
      parsed = text ? JSON.parse(text) : undefined;
    } catch {
      /* not JSON: keep the text */
    }
    return { status: res.status, body: parsed as T };
  };
  return {
    get: <T = ApiBody>(path: string) => call<T>('GET', path),
    post: <T = ApiBody>(path: string, body?: unknown, headers?: Record<string, string>) => call<T>('POST', path, body, headers),
    put: <T = ApiBody>(path: string, body?: unknown) => call<T>('PUT', path, body),
    patch: <T = ApiBody>(path: string, body?: unknown) => call<T>('PATCH', path, body),
    del: <T = ApiBody>(path: string) => call<T>('DELETE', path),
    raw: call,
  };
}
export type Api = ReturnType<typeof api>;
