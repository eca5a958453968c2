/**
 * Journey: charts (issue 11). The metrics panel lists Kafka's metric names with their
 * meaning and opens each one's chart; a group's charts show lag in records and in time,
 * its trend and the time to drain: lag in time grows while a consumer is slowed (a
 * processing time per record) and drains after it is restored; the charts follow the
 * timeline (a seek back shows the samples up to the playhead). Charts also open from a
 * partition (ISR size) and a broker (MessagesInPerSec, never negative after a kill).
 */
import type { Page } from '@playwright/test';
import { clockMs, expect, openPlayground, pause, screenshot, selectBroker, selectPartition, setSpeed, test } from './fixtures';

async function lastOf(page: Page, panel: string): Promise<(number | null)[]> {
  return JSON.parse((await page.getByTestId(`chart-${panel}`).getAttribute('data-last')) ?? '[]') as (number | null)[];
}

async function summary(page: Page, id: 'lag' | 'lag-ms' | 'drain' | 'trend'): Promise<number> {
  const v = await page.getByTestId(`summary-${id}`).getAttribute('data-value');
  return v === null || v === '' ? NaN : Number(v);
}

async function setProcessingTime(page: Page, consumer: string, ms: number): Promise<void> {
  await page.getByTestId(`consumer-${consumer}`).getByRole('button', { name: new RegExp(`^Consumer ${consumer}`) }).click();
  await expect(page.getByTestId('inspector-consumer')).toBeVisible();
  await page.getByTestId('inspector-consumer').getByRole('button', { name: 'Set processing time…' }).click();
  const dialog = page.getByTestId('dialog-processing');
  await dialog.locator('input[type="number"]').fill(String(ms));
  await dialog.getByTestId('dialog-processing-submit').click();
  await expect(dialog).toHaveCount(0);
}

async function openGroupCharts(page: Page): Promise<void> {
  await page.getByTestId('group-billing').getByRole('button').first().click();
  await page.getByTestId('inspector-group').getByTestId('open-charts').click();
  await expect(page.getByTestId('charts-title')).toHaveText('Group billing');
}

test('metrics panel, lag in time grows under a slow consumer and drains, charts follow the timeline, partition and broker charts', async ({ page }) => {
  // A long journey: minutes of virtual time at 50x on a busy machine.
  test.setTimeout(300_000);
  await openPlayground(page);

  // The metrics panel: Kafka's names, each with a one-line meaning.
  await page.getByTestId('toolbar-metrics').click();
  const list = page.getByTestId('metric-list');
  for (const name of ['UnderReplicatedPartitions', 'OfflinePartitionsCount', 'IsrShrinksPerSec', 'MessagesInPerSec', 'BytesInPerSec', 'records-lag-max', 'records-consumed-rate', 'record-send-rate', 'InSyncReplicasCount']) {
    await expect(list.getByTestId(`metric-${name}`)).toBeVisible();
  }
  await expect(list.getByTestId('metric-OfflinePartitionsCount')).toContainText('no reachable leader');
  await expect(list.getByTestId('metric-kafka_consumergroup_group_max_lag_seconds')).toContainText('how old the oldest unconsumed record is');
  await screenshot(page, '18-metrics-panel');

  // One metric's chart: uPlot is loaded on first use and draws the samples so far.
  await list.getByRole('button', { name: 'record-send-rate' }).click();
  await expect(page.getByTestId('charts-title')).toHaveText('record-send-rate');
  await expect(page.getByTestId('uplot-host').first()).toHaveAttribute('data-ready', 'yes');
  await expect(page.locator('.charts-panel canvas').first()).toBeVisible();
  await expect.poll(async () => Number(await page.getByTestId('chart-sent').getAttribute('data-points'))).toBeGreaterThan(2);
  // The default load sends 20 records a second.
  await expect.poll(async () => (await lastOf(page, 'sent'))[0]).toBeCloseTo(20, -1);
  await page.getByTestId('charts-back').click();
  await expect(list).toBeVisible();
  await page.getByTestId('charts-close').click();
  await expect(page.getByTestId('charts-panel')).toHaveCount(0);

  // The group's charts.
  await openGroupCharts(page);
  for (const panel of ['lag', 'lag-time', 'throughput', 'drain']) await expect(page.getByTestId(`chart-${panel}`)).toBeVisible();
  // Committed every auto.commit.interval.ms (5 s): keeping up, the oldest uncommitted record is at most about that old.
  await expect.poll(() => summary(page, 'lag-ms')).toBeLessThan(6500);

  // Slow billing-1 (it owns two of the three partitions: 13 records/s arrive, it handles 3).
  await setSpeed(page, 50);
  await setProcessingTime(page, 'billing-1', 300);
  await openGroupCharts(page);
  await expect.poll(() => summary(page, 'lag-ms'), { timeout: 120_000 }).toBeGreaterThan(20_000);
  await expect.poll(() => summary(page, 'trend')).toBeGreaterThan(0);
  expect((await lastOf(page, 'lag-time'))[0]).toBeGreaterThan(15);
  expect(await summary(page, 'lag')).toBeGreaterThan(100);
  await pause(page);
  await screenshot(page, '18-lag-in-time-growing');
  const slowedAt = await clockMs(page);
  const peakMs = await summary(page, 'lag-ms');

  // Restore it: the backlog drains, the charts show the age falling back.
  await setProcessingTime(page, 'billing-1', 0);
  await openGroupCharts(page);
  await setSpeed(page, 50);
  await page.getByTestId('play-pause').click();
  await expect.poll(() => summary(page, 'lag-ms'), { timeout: 120_000 }).toBeLessThan(6500);
  await pause(page);
  expect(await summary(page, 'lag')).toBeLessThan(150);
  await expect(page.getByTestId('summary-drain')).not.toHaveText('–');
  await screenshot(page, '18-lag-drained');

  // Follow the timeline: back to when the lag was at its height, the chart ends there.
  const pointsNow = Number(await page.getByTestId('chart-lag-time').getAttribute('data-points'));
  const track = page.getByTestId('timeline-track');
  await track.focus();
  while ((await clockMs(page)) > slowedAt + 5000) {
    const before = await clockMs(page);
    await page.keyboard.press('PageDown');
    await expect.poll(() => clockMs(page)).toBeLessThan(before);
  }
  const at = await clockMs(page);
  await expect.poll(async () => Number(await page.getByTestId('chart-lag-time').getAttribute('data-points'))).toBe(Math.floor(at / 1000));
  expect(Math.floor(at / 1000)).toBeLessThan(pointsNow);
  expect(await summary(page, 'lag-ms')).toBeGreaterThan(peakMs / 2);
  await screenshot(page, '18-charts-after-seek-back');
  await page.keyboard.press('End');
  await expect.poll(async () => Number(await page.getByTestId('chart-lag-time').getAttribute('data-points'))).toBe(pointsNow);

  // A partition's charts: its ISR size.
  await selectPartition(page, 'orders-0', 1);
  await page.getByTestId('inspector-partition').getByTestId('open-charts').click();
  await expect(page.getByTestId('charts-title')).toHaveText('Partition orders-0');
  await expect.poll(async () => (await lastOf(page, 'isr'))[0]).toBe(3);
  await expect(page.getByTestId('chart-lag')).toContainText('per group');
  await screenshot(page, '18-partition-charts');

  // A broker's charts; kill it: MessagesInPerSec falls to 0, never below (the inspector too).
  await selectBroker(page, 2);
  await page.getByTestId('inspector-broker').getByTestId('open-charts').click();
  await expect(page.getByTestId('charts-title')).toHaveText('Broker 2');
  await page.keyboard.press('k');
  await expect(page.getByTestId('broker-2')).toHaveAttribute('data-status', 'down');
  await setSpeed(page, 5);
  await page.getByTestId('play-pause').click();
  const start = await clockMs(page);
  await expect.poll(() => clockMs(page), { timeout: 30_000 }).toBeGreaterThan(start + 3000);
  await expect.poll(async () => (await lastOf(page, 'messages-in'))[0]).toBe(0);
  expect(Number(await page.getByTestId('chart-messages-in').getAttribute('data-min'))).toBe(0);
  await screenshot(page, '18-broker-killed');
  // Closing the charts shows the broker again: its inspector says 0/s, not a negative rate.
  await page.getByTestId('charts-close').click();
  const messagesIn = page.getByTestId('inspector-broker').locator('dd').filter({ hasText: /\/s$/ });
  await expect(messagesIn).toHaveText('0/s');

  // Under-replicated and offline counts, cluster-wide, from the metrics panel.
  await page.getByTestId('toolbar-metrics').click();
  await page.getByTestId('metric-list').getByRole('button', { name: 'UnderReplicatedPartitions' }).click();
  await expect.poll(async () => (await lastOf(page, 'urp'))[0], { timeout: 30_000 }).toBe(3);
  await screenshot(page, '18-under-replicated');
});
