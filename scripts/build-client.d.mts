/** True when dist/client is missing or older than a source file. */
export function clientBuildStale(): boolean;
/** Builds the web app with Vite when stale (or forced); resolves to true when it built. */
export function ensureClientBuilt(options?: { force?: boolean; quiet?: boolean }): Promise<boolean>;
