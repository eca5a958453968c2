/**
 * What every browser benchmark starts with: Debian's Chromium launched headless (Playwright's
 * own where it is missing), and the benchmark page (this folder's Vite config: bench.worker.ts
 * and its page) built and served locally.
 */
import { existsSync } from 'node:fs';
import { fileURLToPath } from 'node:url';
import { chromium, type Browser } from '@playwright/test';
import { build, preview } from 'vite';

export const CHROMIUM = '/usr/bin/chromium';

export function launch(): Promise<Browser> {
  return chromium.launch({
    ...(existsSync(CHROMIUM) ? { executablePath: CHROMIUM } : {}),
    args: ['--no-sandbox', '--disable-gpu'],
  });
}

/**
 * Builds the benchmark page and serves it on `port` (or the next free one); returns its URL
 * and a closer. `minify: false` keeps function names readable for profiles.
 */
export async function serveBenchPage(port: number, opts: { minify?: boolean } = {}): Promise<{ base: string; close(): Promise<void> }> {
  const configFile = fileURLToPath(new URL('./vite.config.ts', import.meta.url));
  await build({ configFile, ...(opts.minify === false ? { build: { minify: false } } : {}) });
  const server = await preview({ configFile, preview: { port, strictPort: false, host: '127.0.0.1' } });
  const base = server.resolvedUrls?.local[0] ?? `http://127.0.0.1:${port}/`;
  return { base, close: () => new Promise<void>((resolve) => server.httpServer.close(() => resolve())) };
}
