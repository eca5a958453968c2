/**
 * Journey: browse a topic's messages. Open the browser from a topic; read from the newest,
 * the oldest, an offset and a timestamp; filter by key, value text and header; open a JSON
 * value pretty-printed; see hostile content as text; export CSV and JSON; seek back and see
 * the records of that moment; follow new records live.
 */
import { readFile } from 'node:fs/promises';
import type { Page } from '@playwright/test';
import type { Scenario, TimelineAction } from '../src/scenario/types';
import { encodeScenarioToFragment } from '../src/scenario/url';
import { clockMs, expect, pause, play, screenshot, setSpeed, test } from './fixtures';

const HOSTILE_KEY = '<img src=x onerror="window.__pwned=1">';
const HOSTILE_VALUE = '<script>window.__pwned=2</script>\u0000\u202Eevil, "quoted"\nsecond line';

const timeline: TimelineAction[] = [
  ...Array.from({ length: 30 }, (_, i) => ({
    at: 100 + i * 100,
    op: 'produce' as const,
    producer: 'p',
    topic: 'orders',
    key: `user-${i}`,
    value: i % 3 === 0 ? JSON.stringify({ id: i, kind: 'order', items: [i, i + 1] }) : `plain ${i}`,
    ...(i % 5 === 0 ? { headers: { source: i % 10 === 0 ? 'web' : 'mobile' } } : {}),
  })),
  { at: 3200, op: 'produce', producer: 'p', topic: 'orders', key: HOSTILE_KEY, value: HOSTILE_VALUE, headers: { trace: '<b>bold</b>' } },
  { at: 9000, op: 'startLoad', producer: 'p', topic: 'orders', ratePerSec: 20, keys: 3 },
];

const scenario: Scenario = {
  version: 1,
  name: 'message browser',
  seed: 11,
  cluster: {
    brokers: [
      { id: 1, rack: 'a' },
      { id: 2, rack: 'b' },
      { id: 3, rack: 'c' },
    ],
    network: { latencyMs: 1, jitterMs: 1 },
  },
  topics: [{ name: 'orders', partitions: 3, replicationFactor: 3, config: { 'min.insync.replicas': 2 } }],
  clients: [{ kind: 'producer', id: 'p', config: { acks: 'all', 'linger.ms': 0 } }],
  timeline,
};

const rows = (page: Page) => page.getByTestId('message-browser').locator('tr.mb-row');

async function rowNumbers(page: Page, attr: 'ts' | 'offset' | 'partition'): Promise<number[]> {
  return (await rows(page).evaluateAll((els, a) => els.map((e) => Number(e.getAttribute(`data-${a}`))), attr)) as number[];
}

/** Presses Read and waits for its answer (a page or a problem). */
async function read(page: Page): Promise<void> {
  const panel = page.getByTestId('message-browser');
  const before = Number(await panel.getAttribute('data-answers'));
  await page.getByTestId('mb-read').click();
  await expect.poll(async () => Number(await panel.getAttribute('data-answers'))).toBeGreaterThan(before);
  await expect(panel).toHaveAttribute('aria-busy', 'false');
}

test('browse a topic: positions, filters, JSON, hostile text, export, time travel and live', async ({ page }) => {
  // Opened paused at 5 s (a link's moment): every record of the first 3.2 s and none of the
  // load that starts at 9 s. Playing and pausing by hand could overshoot 9 s on a busy machine.
  await page.goto(`/#${await encodeScenarioToFragment(scenario)}&t=5000`);
  await expect(page.getByTestId('broker-3')).toBeVisible();
  await expect.poll(() => clockMs(page), { timeout: 30_000 }).toBe(5000);
  await pause(page);
  await setSpeed(page, 2);
  const end = await clockMs(page);

  // Open from the topic.
  await page.getByTestId('inspector-overview').getByRole('button', { name: 'orders' }).click();
  await page.getByTestId('inspector-topic').getByTestId('cmd-topic.browse').click();
  const browser = page.getByTestId('message-browser');
  await expect(browser).toBeVisible();
  await expect(browser.getByTestId('mb-caption')).toContainText('up to its high watermark: what a consumer would see');
  // Newest first: the hostile record (produced last) heads the list, every record is there.
  await expect(browser.getByTestId('mb-count')).toHaveText('31');
  const newest = await rowNumbers(page, 'ts');
  expect(newest[0]).toBe(3200);
  expect([...newest].sort((a, b) => b - a)).toEqual(newest);
  expect(new Set(await rowNumbers(page, 'partition')).size).toBe(3);

  // Hostile content is text: no element made from it, no script run, controls made visible.
  const hostileRow = rows(page).first();
  await expect(hostileRow).toContainText(HOSTILE_KEY);
  await expect(hostileRow).toContainText('<script>window.__pwned=2</script>\\u0000\\u202eevil, "quoted"↵second line');
  await expect(browser.locator('img, script, b')).toHaveCount(0);
  await hostileRow.click();
  await expect(browser.getByTestId('mb-full-value')).toHaveText('<script>window.__pwned=2</script>\\u0000\\u202eevil, "quoted"\nsecond line');
  await expect(browser.locator('.mb-detail')).toContainText('trace = <b>bold</b>');
  expect(await page.evaluate(() => (window as unknown as { __pwned?: number }).__pwned)).toBeUndefined();
  await screenshot(page, '18-browser-newest');

  // From the oldest: user-0 first, ascending.
  await browser.getByTestId('mb-mode').selectOption('oldest');
  await read(page);
  await expect(rows(page).first()).toHaveAttribute('data-ts', '100');
  const oldest = await rowNumbers(page, 'ts');
  expect([...oldest].sort((a, b) => a - b)).toEqual(oldest);

  // From an offset, in one partition.
  await browser.getByTestId('mb-partition').selectOption('1');
  await browser.getByTestId('mb-mode').selectOption('offset');
  await browser.getByTestId('mb-offset').fill('x');
  await read(page);
  await expect(browser.getByTestId('mb-problem')).toHaveText('Offset must be a whole number of 0 or more (got "x").');
  await browser.getByTestId('mb-offset').fill('2');
  await read(page);
  await expect(browser.getByTestId('mb-problem')).toHaveCount(0);
  await expect(rows(page).first()).toHaveAttribute('data-offset', '2');
  expect(new Set(await rowNumbers(page, 'partition'))).toEqual(new Set([1]));
  expect(Math.min(...(await rowNumbers(page, 'offset')))).toBe(2);

  // From a timestamp, every partition.
  await browser.getByTestId('mb-partition').selectOption('all');
  await browser.getByTestId('mb-mode').selectOption('timestamp');
  await browser.getByTestId('mb-time').fill('2.05 s');
  await read(page);
  await expect(rows(page).first()).toHaveAttribute('data-ts', '2100');
  expect(Math.min(...(await rowNumbers(page, 'ts')))).toBe(2100);
  await expect(browser.getByTestId('mb-count')).toHaveText('11');

  // Filters: key, value text, header.
  await browser.getByTestId('mb-mode').selectOption('oldest');
  await browser.getByTestId('mb-key').fill('USER-1');
  await read(page);
  await expect(browser.getByTestId('mb-count')).toHaveText('11');
  await browser.getByTestId('mb-key').fill('');
  await browser.getByTestId('mb-value').fill('"kind":"order"');
  await read(page);
  await expect(browser.getByTestId('mb-count')).toHaveText('10');
  // A JSON value opens pretty-printed.
  await rows(page).first().click();
  await expect(browser.getByTestId('mb-full-value')).toHaveText(JSON.stringify({ id: 0, kind: 'order', items: [0, 1] }, null, 2));
  await expect(rows(page).first()).toContainText('JSON');
  await screenshot(page, '18-browser-json');
  await browser.getByTestId('mb-value').fill('');
  await browser.getByTestId('mb-header').fill('source=web');
  await read(page);
  await expect(browser.getByTestId('mb-count')).toHaveText('3');
  await browser.getByTestId('mb-header').fill('source');
  await read(page);
  await expect(browser.getByTestId('mb-count')).toHaveText('6');

  // Export what is shown.
  const [csvDownload] = await Promise.all([page.waitForEvent('download'), browser.getByTestId('mb-export-csv').click()]);
  expect(csvDownload.suggestedFilename()).toBe('orders-messages.csv');
  const csv = await readFile((await csvDownload.path())!, 'utf8');
  const lines = csv.trimEnd().split('\r\n');
  expect(lines[0]).toBe('partition,offset,timestamp,key,value,value_bytes,value_truncated,headers');
  expect(lines).toHaveLength(7);
  expect(lines[1]).toMatch(/^\d,\d+,100,user-0,"\{""id"":0,""kind"":""order"",""items"":\[0,1\]\}",\d+,false,"\{""source"":""web""\}"$/);
  const [jsonDownload] = await Promise.all([page.waitForEvent('download'), browser.getByTestId('mb-export-json').click()]);
  expect(jsonDownload.suggestedFilename()).toBe('orders-messages.json');
  const doc = JSON.parse(await readFile((await jsonDownload.path())!, 'utf8'));
  expect(doc.topic).toBe('orders');
  expect(doc.records).toHaveLength(6);
  expect(doc.records.map((r: { key: string }) => r.key)).toEqual(['user-0', 'user-5', 'user-10', 'user-15', 'user-20', 'user-25']);
  expect(doc.records[2].headers).toEqual({ source: 'web' });

  // Time travel: seek back; the same query reads again at that moment.
  await browser.getByTestId('mb-header').fill('');
  await browser.getByTestId('mb-mode').selectOption('newest');
  await read(page);
  await expect(browser.getByTestId('mb-count')).toHaveText('31');
  const track = page.getByTestId('timeline-track');
  const box = (await track.boundingBox())!;
  await track.click({ position: { x: box.width * (1500 / end), y: box.height / 2 } });
  await expect.poll(() => clockMs(page)).toBeLessThan(2500);
  const then = await clockMs(page);
  await expect(browser.getByTestId('mb-read-at')).toHaveText(`${(then / 1000).toFixed(3)} s`);
  const past = await rowNumbers(page, 'ts');
  expect(past.length).toBeGreaterThan(0);
  expect(past.length).toBeLessThan(31);
  expect(Math.max(...past)).toBeLessThanOrEqual(then);
  await screenshot(page, '18-browser-seek');

  // Live: follows new records as they arrive (the load starts at 9 s).
  await browser.getByTestId('mb-mode').selectOption('live');
  await read(page);
  await expect(browser.getByTestId('mb-live')).toBeVisible();
  await setSpeed(page, 10);
  await play(page);
  await expect.poll(async () => (await rowNumbers(page, 'ts'))[0] ?? 0, { timeout: 40_000 }).toBeGreaterThan(9000);
  const first = (await rowNumbers(page, 'ts'))[0]!;
  await expect.poll(async () => (await rowNumbers(page, 'ts'))[0] ?? 0, { timeout: 40_000 }).toBeGreaterThan(first);
  await pause(page);
  await screenshot(page, '18-browser-live');

  // Escape closes it.
  await page.keyboard.press('Escape');
  await expect(browser).toHaveCount(0);

  // Opened from a partition, it reads that partition.
  await page.getByTestId('replica-orders-1-b1').getByRole('button').click();
  await page.getByTestId('inspector-partition').getByTestId('cmd-topic.browse').click();
  await expect(browser.getByTestId('mb-partition')).toHaveValue('1');
  await expect(rows(page).first()).toBeVisible();
  expect(new Set(await rowNumbers(page, 'partition'))).toEqual(new Set([1]));
  await expect(browser.getByTestId('mb-partitions')).toContainText('P1: leader');
  await expect(browser.getByTestId('mb-part-0')).toHaveCount(0);
});
