// The hosted lead form pages, for anyone: GET /form/:formId (the form), POST /form/:formId
// (a visitor's urlencoded submission), GET /form.css. HTML comes from shared/form-page.ts
// (the dashboard's preview uses the same). Each form page may be framed only by the form's
// embedOrigins (CSP frame-ancestors; none when empty), and may post only to this server and
// (after a 303) to the form's redirectUrl (form-action). A per-address budget of submissions
// on this process (rate-limiter-flexible) answers 429 beyond it.
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import express, { type Request, type Response } from 'express';
import { RateLimiterMemory, RateLimiterRes } from 'rate-limiter-flexible';
import { FORM_CSS_PATH, type FormState, renderFormPage, renderMessagePage, renderSuccessPage } from '../../shared/form-page.js';
import type { HostedForm } from '../../shared/protocol.js';
import { readSubmission } from '../domain/form-submission.js';
import { toApiError } from '../errors.js';
import type { FormCommands } from '../service/forms.js';
import type { Logger } from '../service/logger.js';
import type { StoredForm } from '../store/types.js';
import { allowFormAction, allowFraming } from './security.js';

const FORM_CSS = readFileSync(join(import.meta.dirname, 'form.css'), 'utf8');

export interface FormPagesOptions {
  forms: FormCommands;
  log: Logger;
  /** Submissions one address may send per minute to this process (0 = no limit). */
  submitsPerMinute: number;
}

/** The form as the API answers it: with its absolute address. */
export function publicForm(form: StoredForm, origin: string): HostedForm {
  return { ...form, url: `${origin}/form/${encodeURIComponent(form.id)}` };
}

/** The origin the client reached us at (LEADPOOL_PUBLIC_ORIGIN's first entry wins, if set). */
export function requestOrigin(req: Request, publicOrigin?: string): string {
  return publicOrigin ?? `${req.protocol}://${req.get('host') ?? 'localhost'}`;
}

export function formPages(opts: FormPagesOptions): express.Router {
  const { forms, log } = opts;
  const router = express.Router();
  const limiter = opts.submitsPerMinute > 0 ? new RateLimiterMemory({ points: opts.submitsPerMinute, duration: 60 }) : null;
  const urlencoded = express.urlencoded({ extended: false, limit: '16kb', parameterLimit: 100 });

  const html = (res: Response, status: number, body: string) => {
    res.status(status).type('html').send(body);
  };
  /** The form's own framing and form-action rules, and no caching of what holds a visitor's input. */
  const formHeaders = (res: Response, form: StoredForm, cache: 'no-cache' | 'no-store') => {
    res.setHeader('Cache-Control', cache);
    allowFraming(res, form.embedOrigins);
    if (form.redirectUrl) allowFormAction(res, [new URL(form.redirectUrl).origin]);
  };
  const notFound = (res: Response) =>
    html(res, 404, renderMessagePage('Form not found', 'This form does not exist or is no longer available.'));

  router.get(FORM_CSS_PATH, (_req, res) => {
    res.locals.route = FORM_CSS_PATH;
    res.setHeader('Cache-Control', 'public, max-age=3600');
    // the dashboard's preview (a sandboxed srcdoc frame, an opaque origin) loads it too
    res.setHeader('Cross-Origin-Resource-Policy', 'cross-origin');
    res.type('css').send(FORM_CSS);
  });

  router.get('/form/:formId', async (req, res) => {
    res.locals.route = '/form/:formId';
    try {
      const form = await forms.find(String(req.params.formId));
      if (!form) return notFound(res);
      formHeaders(res, form, 'no-cache');
      html(res, 200, renderFormPage(form));
    } catch (err) {
      trouble(res, err, log);
    }
  });

  router.post('/form/:formId', async (req, res) => {
    res.locals.route = '/form/:formId';
    res.setHeader('Cache-Control', 'no-store');
    let form: StoredForm | null = null;
    let state: FormState = {};
    try {
      if (limiter) {
        try {
          await limiter.consume(req.socket.remoteAddress ?? 'unknown');
        } catch (err) {
          if (!(err instanceof RateLimiterRes)) throw err;
          res.setHeader('Retry-After', String(Math.max(1, Math.ceil(err.msBeforeNext / 1000))));
          return html(
            res,
            429,
            renderMessagePage('Too many submissions', 'Too many forms were sent from your address. Please try again in a minute.'),
          );
        }
      }
      form = await forms.find(String(req.params.formId));
      if (!form) return notFound(res);
      formHeaders(res, form, 'no-store');
      const body = await new Promise<Record<string, unknown>>((resolve, reject) =>
        urlencoded(req, res, (err?: unknown) => (err ? reject(err) : resolve((req.body ?? {}) as Record<string, unknown>))),
      ).catch((err: { status?: number; type?: string }) => {
        if (err?.type === 'entity.too.large')
          throw new PageError(413, 'Too much text', 'The form was larger than we accept. Shorten it and send it again.');
        throw new PageError(400, 'The form could not be read', 'Please go back and send it again.');
      });
      const result = readSubmission(form, body);
      if (result.ok === 'bot') return html(res, 200, renderSuccessPage(form));
      if (result.ok === false) {
        state = result.state;
        return html(res, 422, renderFormPage(form, result.state));
      }
      state = { values: Object.fromEntries(Object.entries(body).filter(([, v]) => typeof v === 'string')) as FormState['values'] };
      await forms.submit(form, result.input, result.consented);
      if (form.redirectUrl) return res.redirect(303, form.redirectUrl);
      html(res, 200, renderSuccessPage(form));
    } catch (err) {
      if (err instanceof PageError) return html(res, err.status, renderMessagePage(err.title, err.message));
      const apiError = toApiError(err);
      if (apiError.code === 'NOT_FOUND') return notFound(res); // its pool was deleted
      if (apiError.code === 'INTERNAL') log.error('form submission failed', err);
      if (form) {
        // the visitor keeps what they typed and can send it again
        return html(
          res,
          apiError.status,
          renderFormPage(form, { ...state, notice: 'We could not take your details just now. Please send the form again in a moment.' }),
        );
      }
      trouble(res, err, log);
    }
  });

  return router;
}

class PageError extends Error {
  constructor(
    readonly status: number,
    readonly title: string,
    message: string,
  ) {
    super(message);
  }
}

function trouble(res: Response, err: unknown, log: Logger): void {
  const apiError = toApiError(err);
  if (apiError.code === 'INTERNAL') log.error('form page failed', err);
  if (res.headersSent) return;
  res
    .status(apiError.status)
    .type('html')
    .send(renderMessagePage('Please try again', 'This form cannot be shown just now. Please try again in a moment.'));
}
