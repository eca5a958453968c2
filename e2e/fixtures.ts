/**
 * Small page helpers for the journeys, and a `test` that fails on any console error or
 * uncaught exception in the page (the playground must run clean).
 */
import { mkdirSync } from 'node:fs';
import { join } from 'node:path';
import { test as base, expect, type Locator, type Page } from '@playwright/test';

export { expect };

export const test = base.extend<{ consoleErrors: string[] }>({
  consoleErrors: [
    async ({ page }, use) => {
      const errors: string[] = [];
      page.on('console', (msg) => {
        if (msg.type() === 'error') errors.push(`console.error: ${msg.text()}`);
      });
      page.on('pageerror', (err) => errors.push(`page error: ${err.message}`));
      await use(errors);
      expect(errors, 'the page logged errors').toEqual([]);
    },
    { auto: true },
  ],
});

const SHOTS = join(import.meta.dirname, 'screenshots');

export async function screenshot(page: Page, name: string): Promise<void> {
  mkdirSync(SHOTS, { recursive: true });
  // A screenshot needs a fresh frame (and the fonts): a starved renderer on a busy machine
  // can take longer than a click to draw one.
  await page.screenshot({ path: join(SHOTS, `${name}.png`), timeout: 30_000 });
}

/** Opens the playground on the default cluster and waits until it is drawn. */
export async function openPlayground(page: Page): Promise<void> {
  await page.goto('/');
  await expect(page.getByTestId('broker-1')).toBeVisible();
  await expect(page.getByTestId('broker-3')).toBeVisible();
  await expect(page.getByTestId('clock')).not.toHaveText('0.000 s');
}

export async function clockMs(page: Page): Promise<number> {
  return Number(await page.getByTestId('clock').getAttribute('data-ms'));
}

export async function setSpeed(page: Page, speed: number): Promise<void> {
  await page.getByTestId('speed').selectOption(String(speed));
}

export async function pause(page: Page): Promise<void> {
  const button = page.getByTestId('play-pause');
  if ((await button.getAttribute('aria-label')) === 'Pause') await button.click();
  await expect(button).toHaveAttribute('aria-label', 'Play');
}

export async function play(page: Page): Promise<void> {
  const button = page.getByTestId('play-pause');
  if ((await button.getAttribute('aria-label')) === 'Play') await button.click();
  await expect(button).toHaveAttribute('aria-label', 'Pause');
}

/** A replica row on the diagram: `orders-0` on broker 2. */
export function replica(page: Page, key: string, broker: number): Locator {
  return page.getByTestId(`replica-${key}-b${broker}`);
}

export async function replicaNumber(page: Page, key: string, broker: number, attr: 'leo' | 'hw' | 'epoch'): Promise<number> {
  return Number(await replica(page, key, broker).getAttribute(`data-${attr}`));
}

export async function selectPartition(page: Page, key: string, broker: number): Promise<void> {
  await replica(page, key, broker).getByRole('button').click();
  await expect(page.getByTestId('inspector-partition')).toBeVisible();
}

export async function selectBroker(page: Page, id: number): Promise<void> {
  await page.getByTestId(`broker-${id}`).getByRole('button', { name: new RegExp(`^Broker ${id}`) }).click();
  await expect(page.getByTestId('inspector-broker')).toBeVisible();
}

/** The inspector's partition fields (partition selected). */
export async function partitionFields(page: Page): Promise<{ leader: number; epoch: number; isr: number[] }> {
  const inspector = page.getByTestId('inspector-partition');
  const leaderText = (await inspector.getByTestId('partition-leader').innerText()).trim();
  const m = /broker (\d+)/.exec(leaderText);
  const isrText = await inspector.getByTestId('partition-isr').innerText();
  return {
    leader: m ? Number(m[1]) : -1,
    epoch: Number(await inspector.getByTestId('partition-epoch').innerText()),
    isr: (isrText.match(/\d+/g) ?? []).map(Number),
  };
}

/** Leader of a partition as the diagram shows it (the broker whose replica row says leader). */
export async function diagramLeader(page: Page, key: string): Promise<number> {
  const row = page.locator(`[data-partition="${key}"][data-role="leader"]`);
  await expect(row).toHaveCount(1);
  const id = await row.getAttribute('data-testid');
  return Number(/-b(\d+)$/.exec(id ?? '')?.[1] ?? -1);
}
