/**
 * A share link pasted into the address bar of an open playground changes only the URL
 * fragment. It must open like any link: here, with a saved playground, by asking first.
 */
import { expect, test } from '@playwright/test';
import type { Scenario } from '../src/scenario/types';
import { encodeScenarioToFragment } from '../src/scenario/url';

test('pasting a share link into an open tab opens it (asking before replacing the saved playground)', async ({ page }) => {
  await page.goto('/');
  await expect(page.getByTestId('broker-3')).toBeVisible();
  await expect(page.getByTestId('storage-status')).toContainText(/Saved/, { timeout: 30000 });
  const pasted: Scenario = {
    version: 1,
    name: 'pasted link',
    seed: 9,
    cluster: { brokers: [{ id: 1, rack: 'a' }, { id: 2, rack: 'b' }] },
    topics: [{ name: 'pasted', partitions: 2, replicationFactor: 2 }],
    clients: [{ kind: 'producer', id: 'p' }],
    timeline: [{ at: 0, op: 'startLoad', producer: 'p', topic: 'pasted', ratePerSec: 10, keys: 2, valueBytes: 20 }],
  };
  const fragment = await encodeScenarioToFragment(pasted);
  await page.evaluate((f) => {
    location.hash = f;
  }, fragment);
  const ask = page.getByTestId('storage-confirm-replace');
  await expect(ask).toBeVisible({ timeout: 30000 });
  await page.getByTestId('storage-replace').click();
  await expect(page.getByTestId('inspector-overview')).toContainText('pasted link', { timeout: 30000 });
  await expect(page.getByTestId('broker-3')).toHaveCount(0);
});
