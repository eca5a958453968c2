/**
 * scenario.md, "Determinism": the same document gives the same result, byte for byte, in
 * Node and in the browser. The check page runs a scenario headless in a Web Worker in
 * Chromium; this test runs it in Node and compares the two documents.
 */
import { expect, test } from '@playwright/test';
import { Cluster } from '../src/kafka/cluster';
import { defaultScenario } from '../src/scenario/default-scenario';
import type { Scenario } from '../src/scenario/types';
import { encodeScenarioToFragment } from '../src/scenario/url';

const scenario: Scenario = {
  ...defaultScenario,
  timeline: [
    ...(defaultScenario.timeline ?? []),
    { at: 3000, op: 'produce', producer: 'checkout', topic: 'orders', key: 'user-7', value: 'paid', headers: { source: 'e2e' } },
    { at: 4000, op: 'killBroker', broker: 2 },
    { at: 6000, op: 'addConsumer', id: 'billing-3', groupId: 'billing', topics: ['orders'], config: { 'partition.assignment.strategy': 'cooperative-sticky,range' } },
    { at: 16000, op: 'restartBroker', broker: 2 },
  ],
};

test('a scenario run in the browser matches the same run in Node byte for byte', async ({ page }) => {
  const until = 25000;
  const node = new Cluster(scenario, { recordConsumed: true });
  node.runUntil(until);
  const expected = JSON.stringify(node.output());
  expect(expected.length).toBeGreaterThan(10000);

  const fragment = await encodeScenarioToFragment(scenario);
  await page.goto(`/src/check/determinism.html#${fragment}&until=${until}`);
  const output = page.locator('#output[data-state="done"]');
  await expect(output).toBeAttached({ timeout: 60000 });
  const browser = await output.textContent();
  expect(browser?.length).toBe(expected.length);
  expect(browser === expected).toBe(true);
});
