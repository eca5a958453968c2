/**
 * What every browser benchmark starts with: Debian's Chromium launched headless (Playwright's
 * own where it is missing), and the benchmark page (this folder's Vite config: bench.worker.ts
 * and its page) or the playground's production build, built and served locally.
 */
import { existsSync } from 'node:fs';
import { fileURLToPath } from 'node:url';
import { chromium, type Browser } from '@playwright/test';
import { build, preview, type InlineConfig } from 'vite';

export const CHROMIUM = '/usr/bin/chromium';

export function launch(): Promise<Browser> {
  return chromium.launch({
    ...(existsSync(CHROMIUM) ? { executablePath: CHROMIUM } : {}),
    args: ['--no-sandbox', '--disable-gpu'],
  });
}

/** A served build: its URL and a closer. */
export interface Served {
  base: string;
  close(): Promise<void>;
}

/**
 * Builds with `config` and serves the output with Vite's preview on `port` (or the next
 * free one). `minify: false` keeps function names readable for profiles.
 */
async function buildAndServe(config: InlineConfig, port: number, minify: boolean): Promise<Served> {
  await build({ ...config, ...(minify ? {} : { build: { minify: false } }) });
  const server = await preview({ ...config, preview: { port, strictPort: false, host: '127.0.0.1' } });
  const base = server.resolvedUrls?.local[0] ?? `http://127.0.0.1:${port}/`;
  return { base, close: () => new Promise<void>((resolve) => server.httpServer.close(() => resolve())) };
}

/** The benchmark page (this folder's Vite config: bench.worker.ts and its page), built and served. */
export function serveBenchPage(port: number, opts: { minify?: boolean } = {}): Promise<Served> {
  return buildAndServe({ configFile: fileURLToPath(new URL('./vite.config.ts', import.meta.url)) }, port, opts.minify !== false);
}

/** The playground's production build (the repository's vite.config.ts), built and served. */
export function serveApp(port = 4191, opts: { minify?: boolean } = {}): Promise<Served> {
  return buildAndServe({ root: fileURLToPath(new URL('../..', import.meta.url)), logLevel: 'warn' }, port, opts.minify !== false);
}
