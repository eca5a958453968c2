/**
 * Journey: racks for clients (KIP-392). A three-rack cluster whose brokers run the
 * RackAwareReplicaSelector; a consumer with client.rack=b reads orders-0 from the follower
 * on broker 2 (rack b) instead of the leader on broker 1, and the diagram draws that edge
 * from broker 2's replica row, labelled "reads from follower (rack b)". Killing broker 2
 * sends the consumer back to the leader, and it keeps consuming.
 */
import type { Scenario } from '../src/scenario/types';
import { encodeScenarioToFragment } from '../src/scenario/url';
import { expect, screenshot, setSpeed, test } from './fixtures';

const scenario: Scenario = {
  version: 1,
  name: 'fetch from the closest replica',
  seed: 5,
  cluster: {
    brokers: [
      { id: 1, rack: 'a' },
      { id: 2, rack: 'b' },
      { id: 3, rack: 'c' },
    ],
    network: { latencyMs: 1, jitterMs: 1 },
    config: { 'replica.selector.class': 'org.apache.kafka.common.replica.RackAwareReplicaSelector' },
  },
  topics: [{ name: 'orders', partitions: 1, replicationFactor: 3, assignments: [[1, 2, 3]], config: { 'min.insync.replicas': 2 } }],
  clients: [
    { kind: 'producer', id: 'p', config: { acks: 'all' } },
    { kind: 'consumer', id: 'reader', groupId: 'billing', topics: ['orders'], config: { 'client.rack': 'b', 'auto.offset.reset': 'earliest' } },
  ],
  timeline: [{ at: 0, op: 'startLoad', producer: 'p', topic: 'orders', ratePerSec: 20, keys: 5 }],
};

test('a consumer reads from the follower in its rack, and from the leader once that follower dies', async ({ page }) => {
  await page.goto(`/#${await encodeScenarioToFragment(scenario)}`);
  await expect(page.getByTestId('broker-2')).toBeVisible();
  await expect(page.getByTestId('replica-orders-0-b1')).toHaveAttribute('data-role', 'leader');
  await setSpeed(page, 5);

  // The leader names broker 2 (rack b) as the preferred read replica: the edge leaves broker 2.
  const followerLabel = page.locator('.edge-label-consumption').filter({ hasText: 'reads from follower (rack b)' });
  await expect(followerLabel).toBeVisible({ timeout: 30_000 });
  await expect(followerLabel).toHaveAttribute('data-testid', /consume:orders-0@2->reader/);
  // And the consumer really consumes from there.
  await expect(page.locator('.kedge-consumption')).toHaveCount(1);
  await setSpeed(page, 1);
  // Closer, so the edge from broker 2's row can be seen.
  const zoomIn = page.getByRole('button', { name: 'Zoom In' });
  await zoomIn.click();
  await zoomIn.click();
  await expect(followerLabel).toBeVisible();
  await screenshot(page, '20-reads-from-follower');

  // Kill broker 2 from its context menu.
  await page.getByTestId('broker-2').click({ button: 'right' });
  const menu = page.getByTestId('context-menu');
  await expect(menu).toBeVisible();
  await menu.getByRole('menuitem', { name: 'Kill broker 2' }).click();
  await expect(page.getByTestId('broker-2')).toHaveAttribute('data-status', 'down');
  await setSpeed(page, 10);

  // Back to the leader: the edge leaves broker 1 with the plain lag label.
  const leaderLabel = page.locator('.edge-label-consumption').filter({ hasText: /^records-lag \d+$/ });
  await expect(leaderLabel).toBeVisible({ timeout: 30_000 });
  await expect(leaderLabel).toHaveAttribute('data-testid', /consume:orders-0->reader/);
  await expect(followerLabel).toHaveCount(0);
  // Still consuming: the lag stays small while the load runs.
  await expect.poll(async () => Number(((await leaderLabel.textContent()) ?? '').replace('records-lag ', '')), { timeout: 30_000 }).toBeLessThan(50);
  await setSpeed(page, 1);
  await screenshot(page, '20-back-to-leader');
});
