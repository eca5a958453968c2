/**
 * Playwright journeys against the production build (`vite build`, then `vite preview` on
 * 4173), in Debian's Chromium when it is installed (Playwright's own download is not
 * available here), as a new user would open the playground.
 */
import { existsSync } from 'node:fs';
import { defineConfig, devices } from '@playwright/test';

const SYSTEM_CHROMIUM = '/usr/bin/chromium';
/** 4173 is vite preview's port; PLAYWRIGHT_PORT lets two runs in one tree not share a server. */
const PORT = Number(process.env.PLAYWRIGHT_PORT ?? 4173);
const hasSystemChromium = existsSync(SYSTEM_CHROMIUM);

export default defineConfig({
  testDir: 'e2e',
  testMatch: /.*\.spec\.ts/,
  timeout: 90_000,
  expect: { timeout: 20_000 },
  fullyParallel: false,
  workers: 2,
  retries: 0,
  reporter: [['list'], ['json', { outputFile: 'test-results/playwright.json' }]],
  outputDir: 'test-results/playwright',
  use: {
    baseURL: `http://localhost:${PORT}`,
    viewport: { width: 1280, height: 720 },
    // As long as an expectation may wait: on a busy 2-core machine (CI) a starved renderer
    // took more than 10 s to take a click, with the app working as it should.
    actionTimeout: 20_000,
    navigationTimeout: 30_000,
    trace: 'retain-on-failure',
    screenshot: 'only-on-failure',
  },
  projects: [
    {
      name: 'chromium',
      use: {
        ...devices['Desktop Chrome'],
        viewport: { width: 1280, height: 720 },
        launchOptions: {
          ...(hasSystemChromium ? { executablePath: SYSTEM_CHROMIUM } : {}),
          args: [
            '--no-sandbox',
            '--disable-gpu',
            '--disable-background-networking',
            '--disable-component-update',
            '--disable-sync',
            '--no-first-run',
          ],
        },
      },
    },
  ],
  webServer: {
    // The build is done by `npm run test:e2e` (vite build && playwright test); serve it.
    command: `npx vite preview --port ${PORT} --strictPort`,
    url: `http://localhost:${PORT}`,
    reuseExistingServer: !process.env.CI,
    timeout: 60_000,
  },
});
