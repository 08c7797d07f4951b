// Security headers on every HTTP answer (API JSON, error envelopes, /healthz, /metrics,
// the web app's HTML and its static assets), by helmet. docs/SECURITY.md says what each
// one defends against.
//
// The web app is one same-origin bundle (no inline script or style, no CDN, no fonts from
// elsewhere; its Socket.IO connection is same-origin WebSocket), so the Content Security
// Policy allows 'self' only. Nothing may frame a page (frame-ancestors 'none' and
// X-Frame-Options DENY): a route that must be framed (the hosted forms, transport/forms.ts) calls
// allowFraming(res, origins) before answering, which replaces frame-ancestors for that
// answer only and drops X-Frame-Options (it cannot name origins; browsers that know CSP
// ignore it when frame-ancestors is set).
import type { IncomingMessage, OutgoingHttpHeaders } from 'node:http';
import type { RequestHandler, Response } from 'express';
import helmet from 'helmet';

const CSP_DIRECTIVES = {
  defaultSrc: ["'self'"],
  scriptSrc: ["'self'"],
  styleSrc: ["'self'"],
  // the favicon is an inline SVG data: URL
  imgSrc: ["'self'", 'data:'],
  fontSrc: ["'self'"],
  // 'self' covers the same-origin ws:/wss: of Socket.IO (CSP level 3)
  connectSrc: ["'self'"],
  objectSrc: ["'none'"],
  baseUri: ["'none'"],
  formAction: ["'self'"],
  frameAncestors: ["'none'"],
  // Off: it would send the app's own requests to https:// on a plain-HTTP deployment (a
  // LAN, 127.0.0.1). Behind TLS every URL the app uses is relative, hence https already.
  upgradeInsecureRequests: null,
};

/** helmet with Leadpool's policy: mount before every route. */
export function securityHeaders(): RequestHandler {
  return helmet({
    contentSecurityPolicy: { useDefaults: false, directives: CSP_DIRECTIVES },
    xFrameOptions: { action: 'deny' },
    referrerPolicy: { policy: 'no-referrer' },
    // Only honoured over HTTPS (docs/SECURITY.md: deploy behind TLS); not for subdomains,
    // which may be other services.
    strictTransportSecurity: { maxAge: 180 * 24 * 3600, includeSubDomains: false },
    crossOriginResourcePolicy: { policy: 'same-origin' },
    crossOriginOpenerPolicy: { policy: 'same-origin' },
  });
}

/**
 * Lets `origins` (e.g. `https://www.example.com`) frame this one answer: call it in the
 * route, before the body is sent. An empty list keeps framing forbidden.
 */
export function allowFraming(res: Response, origins: readonly string[]): void {
  if (origins.length === 0) return;
  for (const origin of origins) {
    // a source expression, never a directive separator or a keyword smuggled in
    if (!/^https?:\/\/[A-Za-z0-9.-]+(?::\d{1,5})?$/.test(origin)) throw new Error(`not an origin: ${origin}`);
  }
  const csp = res.getHeader('Content-Security-Policy');
  if (typeof csp === 'string') {
    const directives = csp.split(';').filter((d) => d.trim() && !/^\s*frame-ancestors\b/i.test(d));
    res.setHeader('Content-Security-Policy', [...directives, `frame-ancestors ${origins.join(' ')}`].join(';'));
  }
  res.removeHeader('X-Frame-Options');
}

/**
 * Lets this one answer's forms post to `origins` besides 'self' (a hosted form whose 303
 * leads to the manager's thank-you page: browsers check form-action on redirects too).
 */
export function allowFormAction(res: Response, origins: readonly string[]): void {
  for (const origin of origins) {
    if (!/^https?:\/\/[A-Za-z0-9.-]+(?::\d{1,5})?$/.test(origin)) throw new Error(`not an origin: ${origin}`);
  }
  const csp = res.getHeader('Content-Security-Policy');
  if (typeof csp !== 'string' || origins.length === 0) return;
  const directives = csp.split(';').filter((d) => d.trim() && !/^\s*form-action\b/i.test(d));
  res.setHeader('Content-Security-Policy', [...directives, `form-action 'self' ${origins.join(' ')}`].join(';'));
}

/**
 * The headers of the same policy that make sense on Socket.IO's own HTTP answers (long-
 * polling, the handshake), which do not go through express: engine.io's `headers` event.
 */
export function socketIoHeaders(headers: OutgoingHttpHeaders, _req: IncomingMessage): void {
  headers['X-Content-Type-Options'] = 'nosniff';
  headers['X-Frame-Options'] = 'DENY';
  headers['Referrer-Policy'] = 'no-referrer';
  headers['Content-Security-Policy'] = "default-src 'none'; frame-ancestors 'none'";
}
