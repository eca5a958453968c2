/**
 * Journey: what the user does is recorded. Kill a broker and drag a node; the exported
 * scenario carries the killBroker action with its virtual time and the node's position,
 * and the share link opens the same run in a new tab (the broker is down there too).
 */
import { readFileSync } from 'node:fs';
import type { Scenario } from '../src/scenario/types';
import { dragBy, expect, openPlayground, selectBroker, test } from './fixtures';

test('actions and layout are recorded into the exported scenario and the share link replays them', async ({ page, context }) => {
  await openPlayground(page);
  await selectBroker(page, 2);
  await page.getByTestId('cmd-broker.kill').click();
  await expect(page.getByTestId('broker-2')).toHaveAttribute('data-status', 'down');

  // Drag broker 3 by its header.
  const header = page.getByTestId('broker-3').getByRole('button', { name: /^Broker 3/ });
  await dragBy(page, 'broker-3', header, 60, 80);

  await page.getByTestId('menu-scenario').click();
  const downloadPromise = page.waitForEvent('download');
  await page.getByTestId('menu-scenario.export').click();
  const download = await downloadPromise;
  const scenario = JSON.parse(readFileSync((await download.path())!, 'utf8')) as Scenario;
  const kill = scenario.timeline?.find((a) => a.op === 'killBroker');
  expect(kill).toMatchObject({ op: 'killBroker', broker: 2 });
  expect(kill!.at).toBeGreaterThan(0);
  expect(scenario.layout?.['broker-3']).toBeDefined();
  expect(scenario.layout!['broker-3']!.y).toBeGreaterThan(100);

  // The share link replays the recorded run in a fresh tab.
  await page.getByTestId('menu-scenario').click();
  await page.getByTestId('menu-scenario.share').click();
  await expect.poll(() => page.evaluate(() => location.hash)).toMatch(/^#scenario=/);
  const url = page.url();
  const other = await context.newPage();
  const errors: string[] = [];
  other.on('pageerror', (e) => errors.push(e.message));
  other.on('console', (m) => m.type() === 'error' && errors.push(m.text()));
  await other.goto(url);
  await expect(other.getByTestId('broker-2')).toHaveAttribute('data-status', 'down', { timeout: 30_000 });
  expect(errors).toEqual([]);
});
