/**
 * Journey: a follower that missed a lot catches up over time, visibly, as it does in Kafka.
 * The network is slow here (cluster.network.bandwidthMBps 0.4, replica.fetch.max.bytes
 * 64 KiB) so the catch-up takes seconds: kill a follower's broker while a load runs, let
 * it miss about a megabyte, restart it, and watch its log end offset climb through many
 * values (the replica row says "catching up n / m" with a bar) before the ISR expands.
 */
import type { Page } from '@playwright/test';
import type { Scenario } from '../src/scenario/types';
import { encodeScenarioToFragment } from '../src/scenario/url';
import { clockMs, expect, pause, replica, screenshot, selectBroker, setSpeed, test } from './fixtures';

const scenario: Scenario = {
  version: 1,
  name: 'catch-up',
  seed: 5,
  cluster: {
    brokers: [
      { id: 1, rack: 'a' },
      { id: 2, rack: 'b' },
      { id: 3, rack: 'c' },
    ],
    config: { 'replica.fetch.max.bytes': 65536 },
    network: { latencyMs: 1, jitterMs: 0, bandwidthMBps: 0.4 },
  },
  topics: [{ name: 'big', partitions: 1, replicationFactor: 3, assignments: [[1, 2, 3]], config: { 'min.insync.replicas': 1 } }],
  clients: [{ kind: 'producer', id: 'p', config: { acks: 1, 'linger.ms': 0 } }],
  // 100 records/s of 1 kB: 100 kB/s, a quarter of each link.
  timeline: [{ at: 0, op: 'startLoad', producer: 'p', topic: 'big', ratePerSec: 100, valueBytes: 1000 }],
};

/** "12.345 s" or "1:02.345" (formatTime) in ms. */
function eventMs(text: string): number {
  const m = /^(?:(\d+):)?(\d+(?:\.\d+)?)(?: s)?$/.exec(text.trim());
  if (!m) throw new Error(`not a time: ${text}`);
  return Math.round((Number(m[1] ?? 0) * 60 + Number(m[2])) * 1000);
}

async function eventTime(page: Page, type: string, text: string): Promise<number> {
  const ev = page.locator(`[data-testid="event"][data-type="${type}"]`).filter({ hasText: text }).first();
  await expect(ev).toBeVisible({ timeout: 60_000 });
  return eventMs(await ev.locator('time').innerText());
}

test('a follower that missed a megabyte catches up over seconds, then rejoins the ISR', async ({ page }) => {
  // Stepping through the catch-up is 60-120 steps, each a click and a few reads: on a busy
  // 2-core CI machine that alone took more than the default 90 s (seen once).
  test.setTimeout(240_000);
  await page.goto(`/#${await encodeScenarioToFragment(scenario)}`);
  const b3 = replica(page, 'big-0', 3);
  await expect(b3).toHaveAttribute('data-role', 'in-sync');
  await expect(replica(page, 'big-0', 1)).toHaveAttribute('data-role', 'leader');

  // Kill the follower on broker 3 while the load runs.
  await selectBroker(page, 3);
  await page.getByTestId('inspector-broker').getByTestId('cmd-broker.kill').click();
  await expect(page.getByTestId('broker-3')).toHaveAttribute('data-status', 'down');
  const killedAt = await clockMs(page);
  // Let it miss about a megabyte (10 s of load), then pause at once: every second the run
  // goes on at 5x before the pause is 500 more records to catch up (a slow poll once let it
  // miss 25 s, and the stepping below ran out of time).
  await setSpeed(page, 5);
  await expect.poll(() => clockMs(page), { timeout: 60_000, intervals: [20] }).toBeGreaterThan(killedAt + 10_000);
  await pause(page);
  await setSpeed(page, 1);
  const leo3 = Number(await b3.getAttribute('data-leo'));
  const leaderLeo = Number(await replica(page, 'big-0', 1).getAttribute('data-leo'));
  expect(leaderLeo - leo3).toBeGreaterThan(900);

  // Restart it and watch, 100 virtual ms at a time: paused and stepped, every sample is a
  // moment of the run however slow the machine (a playing run sampled by a starved
  // renderer can jump from the restart to the ISR expand in a couple of samples).
  await page.getByTestId('inspector-broker').getByTestId('cmd-broker.restart').click();
  const seen: { leo: number; role: string }[] = [];
  let shot = false;
  for (let step = 0; step < 400; step++) {
    const before = await clockMs(page);
    await page.getByTestId('step').click();
    await expect.poll(() => clockMs(page), { intervals: [20] }).toBeGreaterThanOrEqual(before + 100);
    const leo = Number(await b3.getAttribute('data-leo'));
    const role = (await b3.getAttribute('data-role')) ?? '';
    seen.push({ leo, role });
    const bar = page.getByTestId('catchup-big-0-b3');
    if (!shot && role === 'out-of-sync' && (await bar.count()) > 0) {
      const f = Number(await bar.getAttribute('data-fraction'));
      if (f > 0.3 && f < 0.8) {
        await screenshot(page, '19-catch-up');
        shot = true;
      }
    }
    if (role === 'in-sync') break;
  }
  expect(seen.at(-1)?.role).toBe('in-sync');
  const upAt = await eventTime(page, 'BrokerUp', 'Broker 3 is up');
  const expandAt = await eventTime(page, 'IsrExpand', 'big-0: broker 3 caught up and rejoined the ISR');

  // The log end climbed through many values while out of sync, each no lower than the last.
  const climbing = seen.filter((s) => s.role === 'out-of-sync').map((s) => s.leo);
  const distinct = [...new Set(climbing)];
  // Many distinct log ends while out of sync: the catch-up takes seconds at 0.4 MB/s.
  expect(distinct.length).toBeGreaterThanOrEqual(5);
  for (let i = 1; i < climbing.length; i++) expect(climbing[i]!).toBeGreaterThanOrEqual(climbing[i - 1]!);
  expect(Math.min(...distinct)).toBeLessThan(leaderLeo);
  // It took virtual seconds, not one fetch: the bytes at the bandwidth.
  expect(expandAt - upAt).toBeGreaterThan(2000);
  expect(shot).toBe(true);
  await expect(page.getByTestId('catchup-big-0-b3')).toHaveCount(0);
  console.log(`catch-up: ${leaderLeo - leo3} records behind at restart; ${distinct.length} distinct log ends seen; ISR expand ${expandAt - upAt} ms after the restart`);
});
