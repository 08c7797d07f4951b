// Serves the built web app (dist/client): static assets, and index.html for the app's
// routes (/, /rep, /manager) so the browser router takes over. Source maps are never
// served (the build makes none; a stray one would give anyone the app's sources).
import { existsSync } from 'node:fs';
import { join, resolve } from 'node:path';
import express from 'express';

const CLIENT_DIST = resolve(import.meta.dirname, '../../dist/client');
const APP_ROUTES = ['/', '/rep', '/manager'];

export function webRouter(dist = CLIENT_DIST): express.Router {
  const router = express.Router();
  const index = join(dist, 'index.html');
  router.use((req, _res, next) => next(/\.map$/i.test(req.path) ? 'router' : undefined));
  router.use(express.static(dist, { index: false, maxAge: '1h', setHeaders: noCacheHtml, dotfiles: 'ignore' }));
  router.get(APP_ROUTES, (_req, res) => {
    if (!existsSync(index)) {
      res.status(503).type('text').send('The web app is not built yet: run `npm run build` (npm start does it for you).');
      return;
    }
    res.setHeader('Cache-Control', 'no-cache');
    res.sendFile(index);
  });
  return router;
}

function noCacheHtml(res: express.Response, path: string): void {
  if (path.endsWith('.html')) res.setHeader('Cache-Control', 'no-cache');
}
