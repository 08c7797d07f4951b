// Builds the web app (client/) into dist/client, which the server serves for /, /rep and
// /manager. `npm run dev` runs this config's dev server on 5173, proxying the API and
// Socket.IO to the server on PORT (default 3000).
import { resolve } from 'node:path';
import preact from '@preact/preset-vite';
import { defineConfig } from 'vite';

const ROOT = import.meta.dirname;
const target = `http://127.0.0.1:${process.env.PORT ?? 3000}`;

export default defineConfig(({ command }) => ({
  root: resolve(ROOT, 'client'),
  // Preact devtools hooks only in the dev server (their transform breaks build sourcemaps).
  plugins: [preact({ devToolsEnabled: command === 'serve' })],
  // Everything ships in the bundle: no CDN, no external fonts.
  build: {
    outDir: resolve(ROOT, 'dist/client'),
    emptyOutDir: true,
    target: 'es2022',
    // No source maps in the build: the server would serve the app's sources to anyone.
    sourcemap: false,
  },
  server: {
    port: 5173,
    strictPort: true,
    proxy: {
      '/api': { target },
      '/healthz': { target },
      // The browser's Origin is this dev server's: scripts/dev.mjs allows it on the server
      // (LEADPOOL_ALLOWED_ORIGINS).
      '/socket.io': { target, ws: true },
    },
  },
}));
