// `npm start`: builds the web app when it is missing or stale, then runs the server
// in this process (TypeScript through tsx), so signals reach it directly.
import { register } from 'tsx/esm/api';
import { ensureClientBuilt } from './build-client.mjs';

await ensureClientBuilt();
register();
await import('../server/main.ts');
