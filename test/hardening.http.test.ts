// Hardening of what the HTTP server answers: the security headers on every kind of
// answer (API JSON, error envelopes, /healthz, /metrics, the web app's HTML, a static
// asset, Socket.IO's own handshake), the route-specific framing hook, no source map served
// or referenced, the credential checked before the body is read, request ids.
import { mkdirSync, mkdtempSync, readdirSync, readFileSync, writeFileSync } from 'node:fs';
import type { Server } from 'node:http';
import { tmpdir } from 'node:os';
import { join, resolve } from 'node:path';
import express from 'express';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { ensureClientBuilt } from '../scripts/build-client.mjs';
import { allowFraming, securityHeaders } from '../server/transport/security.js';
import { webRouter } from '../server/transport/web.js';
import { api } from './support/api.js';
import { createReps, leadInput, pool } from './support/clients.js';
import { type InProcessServer, startInProcess } from './support/server.js';

const DIST = resolve(import.meta.dirname, '../dist/client');

let server: InProcessServer;
const others: Server[] = [];
beforeAll(async () => {
  await ensureClientBuilt({ quiet: true });
  server = await startInProcess();
}, 120_000);
afterAll(async () => {
  await server?.close();
  await Promise.all(others.map((s) => new Promise((r) => s.close(r))));
});

/** The files of a folder, recursively, relative to it. */
function filesOf(dir: string, prefix = ''): string[] {
  return readdirSync(dir, { withFileTypes: true }).flatMap((e) =>
    e.isDirectory() ? filesOf(join(dir, e.name), `${prefix}${e.name}/`) : [`${prefix}${e.name}`],
  );
}

async function fetchRaw(path: string, init: RequestInit = {}, base = server.url) {
  const res = await fetch(base + path, init);
  return { res, text: await res.text() };
}

/** The headers every answer carries, whatever answered it. */
function expectSecurityHeaders(res: Response, what: string) {
  const h = res.headers;
  const csp = h.get('content-security-policy') ?? '';
  expect(csp, `${what}: CSP`).toContain("default-src 'self'");
  expect(csp, `${what}: CSP`).toContain("script-src 'self'");
  expect(csp, `${what}: CSP`).toContain("object-src 'none'");
  expect(csp, `${what}: CSP`).toContain("frame-ancestors 'none'");
  expect(csp, `${what}: no inline script allowed`).not.toContain('unsafe-inline');
  expect(h.get('x-content-type-options'), what).toBe('nosniff');
  expect(h.get('x-frame-options'), what).toBe('DENY');
  expect(h.get('referrer-policy'), what).toBe('no-referrer');
  expect(h.get('strict-transport-security'), what).toMatch(/^max-age=\d+/);
  expect(h.get('cross-origin-resource-policy'), what).toBe('same-origin');
  expect(h.get('x-powered-by'), what).toBeNull();
  expect(h.get('x-request-id'), what).toMatch(/^[A-Za-z0-9._:-]{1,128}$/);
}

describe('security headers on every kind of answer', () => {
  it('API JSON (200, 201), error envelopes (401, 403, 404, 422, 400), /healthz, /metrics', async () => {
    const { manager } = pool(server);
    const [rep] = await createReps(manager, 1);
    const cases: [string, string, RequestInit, number][] = [
      ['API JSON', '/api/reps', { headers: { authorization: `Bearer ${server.managerToken}` } }, 200],
      [
        'API 201',
        '/api/leads',
        { method: 'POST', headers: { authorization: `Bearer ${server.feedKey}` }, body: JSON.stringify(leadInput()) },
        201,
      ],
      ['401 envelope', '/api/reps', {}, 401],
      ['403 envelope', '/api/reps', { headers: { authorization: `Bearer ${rep.token}` } }, 403],
      ['404 envelope (API)', '/api/nothing-here', { headers: { authorization: `Bearer ${server.managerToken}` } }, 404],
      ['404 envelope (outside the API)', '/nothing-here', {}, 404],
      [
        '422 envelope',
        '/api/leads',
        { method: 'POST', headers: { authorization: `Bearer ${server.feedKey}` }, body: JSON.stringify({ country: 'GB' }) },
        422,
      ],
      ['400 envelope', '/api/leads', { method: 'POST', headers: { authorization: `Bearer ${server.feedKey}` }, body: '{"email":' }, 400],
      ['/healthz', '/healthz', {}, 200],
      ['/metrics 401', '/metrics', {}, 401],
      ['/metrics', '/metrics', { headers: { authorization: `Bearer ${server.managerToken}` } }, 200],
    ];
    for (const [what, path, init, status] of cases) {
      const { res, text } = await fetchRaw(path, init);
      expect(res.status, `${what}: ${text}`).toBe(status);
      expectSecurityHeaders(res, what);
      if (status >= 400) expect(JSON.parse(text).error.code, what).toBeTypeOf('string');
    }
  });

  it('API answers are not cached (they may hold contact fields); /healthz and /metrics neither', async () => {
    for (const [path, token] of [
      ['/api/leads', server.managerToken],
      ['/api/reps', undefined],
      ['/healthz', undefined],
      ['/metrics', server.managerToken],
    ] as const) {
      const { res } = await fetchRaw(path, token ? { headers: { authorization: `Bearer ${token}` } } : {});
      expect(res.headers.get('cache-control'), path).toBe('no-store');
    }
  });

  it('the web app: its HTML pages and a static asset', async () => {
    for (const path of ['/', '/rep', '/manager']) {
      const { res, text } = await fetchRaw(path);
      expect(res.status, path).toBe(200);
      expect(res.headers.get('content-type')).toMatch(/^text\/html/);
      expect(text).toContain('<div id="app">');
      expectSecurityHeaders(res, `HTML ${path}`);
      // the page's own references are allowed by its CSP: same-origin script and style, nothing inline
      expect(text).not.toMatch(/<script(?![^>]*\bsrc=)[^>]*>/);
      expect(text).not.toMatch(/<style\b|\sstyle="/);
      for (const ref of text.matchAll(/(?:src|href)="([^"]+)"/g)) expect(ref[1], 'same-origin or data: only').toMatch(/^(\/|data:)/);
    }
    const assets = filesOf(join(DIST, 'assets'));
    const js = assets.find((f) => f.endsWith('.js'))!;
    const css = assets.find((f) => f.endsWith('.css'))!;
    for (const asset of [js, css]) {
      const { res } = await fetchRaw(`/assets/${asset}`);
      expect(res.status, asset).toBe(200);
      expectSecurityHeaders(res, `static /assets/${asset}`);
    }
  });

  it("Socket.IO's own HTTP answers (the long-polling handshake) carry nosniff, DENY, no-referrer and a CSP", async () => {
    const { res, text } = await fetchRaw('/socket.io/?EIO=4&transport=polling');
    expect(res.status, text).toBe(200);
    expect(text).toMatch(/^0\{"sid"/);
    expect(res.headers.get('x-content-type-options')).toBe('nosniff');
    expect(res.headers.get('x-frame-options')).toBe('DENY');
    expect(res.headers.get('referrer-policy')).toBe('no-referrer');
    expect(res.headers.get('content-security-policy')).toContain("frame-ancestors 'none'");
    // answered by Socket.IO alone (no express answer mixed in)
    expect(res.headers.get('x-request-id')).toBeNull();
  });
});

describe('framing: forbidden everywhere, a hook for a route that must be framed', () => {
  it('allowFraming(res, origins) lets those origins frame that one answer; the policy is otherwise unchanged', async () => {
    const app = express();
    app.use(securityHeaders());
    app.get('/form', (_req, res) => {
      allowFraming(res, ['https://www.example.com', 'https://shop.example.org:8443']);
      res.type('html').send('<form></form>');
    });
    app.get('/other', (_req, res) => {
      res.type('html').send('<p></p>');
    });
    app.get('/bad', (_req, res) => {
      try {
        allowFraming(res, ["'self'; script-src *"]);
        res.send('allowed');
      } catch {
        res.status(500).send('refused');
      }
    });
    const http = app.listen(0, '127.0.0.1');
    others.push(http);
    await new Promise((r) => http.once('listening', r));
    const base = `http://127.0.0.1:${(http.address() as { port: number }).port}`;

    const framed = (await fetchRaw('/form', {}, base)).res;
    const csp = framed.headers.get('content-security-policy')!;
    expect(csp).toContain('frame-ancestors https://www.example.com https://shop.example.org:8443');
    expect(csp).not.toContain("frame-ancestors 'none'");
    expect(csp).toContain("default-src 'self'");
    expect(csp).toContain("script-src 'self'");
    expect(framed.headers.get('x-frame-options')).toBeNull();
    expect(framed.headers.get('x-content-type-options')).toBe('nosniff');

    const other = (await fetchRaw('/other', {}, base)).res;
    expect(other.headers.get('content-security-policy')).toContain("frame-ancestors 'none'");
    expect(other.headers.get('x-frame-options')).toBe('DENY');

    expect((await fetchRaw('/bad', {}, base)).text).toBe('refused');
  });
});

describe('source maps', () => {
  it('the build has no .map file and no sourceMappingURL in any file', () => {
    const files = filesOf(DIST);
    expect(files.some((f) => f.endsWith('.js'))).toBe(true);
    expect(files.filter((f) => f.endsWith('.map'))).toEqual([]);
    for (const f of files) expect(readFileSync(join(DIST, f), 'utf8'), f).not.toMatch(/sourceMappingURL/);
  });

  it('no .map is served: the bundle map is a 404 envelope', async () => {
    const js = filesOf(join(DIST, 'assets')).find((f) => f.endsWith('.js'))!;
    for (const path of [`/assets/${js}.map`, '/assets/index.js.map', '/index.html.map']) {
      const { res, text } = await fetchRaw(path);
      expect(res.status, path).toBe(404);
      expect(JSON.parse(text).error.code).toBe('NOT_FOUND');
    }
  });

  it('a stray .map in the build folder is not served either', async () => {
    const dist = mkdtempSync(join(tmpdir(), 'leadpool-dist-'));
    mkdirSync(join(dist, 'assets'));
    writeFileSync(join(dist, 'index.html'), '<!doctype html><div id="app"></div>');
    writeFileSync(join(dist, 'assets', 'app.js'), 'console.log(1)');
    writeFileSync(join(dist, 'assets', 'app.js.map'), '{"version":3,"sources":["secret.ts"]}');
    writeFileSync(join(dist, 'assets', 'APP.JS.MAP'), '{"version":3}');
    const app = express();
    app.use(webRouter(dist));
    app.use((_req, res) => {
      res.status(404).send('not found');
    });
    const http = app.listen(0, '127.0.0.1');
    others.push(http);
    await new Promise((r) => http.once('listening', r));
    const base = `http://127.0.0.1:${(http.address() as { port: number }).port}`;
    expect((await fetchRaw('/assets/app.js', {}, base)).res.status).toBe(200);
    expect((await fetchRaw('/assets/app.js.map', {}, base)).res.status).toBe(404);
    expect((await fetchRaw('/assets/APP.JS.MAP', {}, base)).res.status).toBe(404);
  });
});

describe('the credential is checked before the body is read (docs/API.md, Authentication)', () => {
  it('no or a bad token: 401, even with a malformed or oversized body; a valid token then gets 400 / 413', async () => {
    const big = JSON.stringify({ email: 'a@example.com', attributes: { x: 'y'.repeat(100_000) } });
    const anonymous = api(server.url);
    const wrong = api(server.url, 'not-a-valid-token');
    const feed = api(server.url, server.feedKey);
    for (const client of [anonymous, wrong]) {
      expect((await client.post('/api/leads', '{"email":')).status).toBe(401);
      expect((await client.post('/api/leads', big)).status).toBe(401);
    }
    expect((await feed.post('/api/leads', '{"email":')).status).toBe(400);
    expect((await feed.post('/api/leads', big)).status).toBe(413);
  });
});

describe('request ids', () => {
  it('X-Request-Id: a plain one from the client or a proxy is kept, anything else replaced by a fresh one', async () => {
    const kept = (await fetchRaw('/healthz', { headers: { 'x-request-id': 'edge-7f3a.42:1' } })).res;
    expect(kept.headers.get('x-request-id')).toBe('edge-7f3a.42:1');
    const replaced = (await fetchRaw('/healthz', { headers: { 'x-request-id': 'bad id with spaces' } })).res;
    expect(replaced.headers.get('x-request-id')).toMatch(/^[0-9a-f-]{36}$/);
    const a = (await fetchRaw('/healthz')).res.headers.get('x-request-id');
    const b = (await fetchRaw('/healthz')).res.headers.get('x-request-id');
    expect(a).not.toBe(b);
  });
});
