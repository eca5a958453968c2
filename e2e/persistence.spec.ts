/**
 * Journeys of persistence (issue 4): the playground survives a reload with the same logs
 * and offsets; a page that dies mid-load reopens with consistent logs and says what unsaved
 * tail was lost; a second tab is told the playground is open elsewhere and can take over;
 * reset clears it all after a confirmation; unreadable saved data gets a message and a way
 * out instead of a blank page.
 */
import { deflateRawSync } from 'node:zlib';
import type { BrowserContext, Page } from '@playwright/test';
import { clockMs, dragBy, expect, layoutSettled, pause, screenshot, setSpeed, test } from './fixtures';

interface ScenarioDoc {
  version: 1;
  name: string;
  seed: number;
  cluster: { brokers: { id: number; rack: string }[]; network?: { latencyMs: number; jitterMs: number } };
  topics: { name: string; partitions: number; replicationFactor: number; config?: Record<string, number | string> }[];
  clients: ({ kind: 'producer'; id: string; config?: Record<string, string | number> } | { kind: 'consumer'; id: string; groupId: string; topics: string[]; config?: Record<string, string | number> })[];
  timeline: Record<string, unknown>[];
}

function scenario(name: string, ratePerSec: number, stopAt: number | null): ScenarioDoc {
  return {
    version: 1,
    name,
    seed: 4,
    cluster: {
      brokers: [
        { id: 1, rack: 'a' },
        { id: 2, rack: 'b' },
        { id: 3, rack: 'c' },
      ],
      network: { latencyMs: 2, jitterMs: 1 },
    },
    topics: [{ name: 'orders', partitions: 3, replicationFactor: 3, config: { 'min.insync.replicas': 2 } }],
    clients: [
      { kind: 'producer', id: 'checkout', config: { acks: 'all', 'linger.ms': 5 } },
      { kind: 'consumer', id: 'billing-1', groupId: 'billing', topics: ['orders'], config: { 'auto.offset.reset': 'earliest', 'auto.commit.interval.ms': 1000 } },
      { kind: 'consumer', id: 'billing-2', groupId: 'billing', topics: ['orders'], config: { 'auto.offset.reset': 'earliest', 'auto.commit.interval.ms': 1000 } },
    ],
    timeline: [
      { at: 100, op: 'startLoad', producer: 'checkout', topic: 'orders', ratePerSec, keys: 50, valueBytes: 100 },
      ...(stopAt === null ? [] : [{ at: stopAt, op: 'stopLoad', producer: 'checkout', topic: 'orders' }]),
    ],
  };
}

/** A share link, as scenario.md defines it: raw DEFLATE, base64url without padding. */
function link(doc: ScenarioDoc): string {
  return `/#scenario=${deflateRawSync(Buffer.from(JSON.stringify(doc))).toString('base64url')}`;
}

type Replicas = Record<string, { leo: number; hw: number }>;

/**
 * Every replica row of the diagram: "orders-0@b2" → LEO and HW. Read in one go in the page:
 * row by row, a live diagram re-renders between two reads (a row read later than another is
 * from a later snapshot, or gone).
 */
async function replicas(page: Page): Promise<Replicas> {
  const rows = await page
    .locator('[data-testid^="replica-"][data-partition]')
    .evaluateAll((els) => els.map((e) => [e.getAttribute('data-testid')!, e.getAttribute('data-leo'), e.getAttribute('data-hw')] as const));
  const out: Replicas = {};
  for (const [id, leo, hw] of rows) out[id] = { leo: Number(leo), hw: Number(hw) };
  return out;
}

const total = (r: Replicas, field: 'leo' | 'hw') => {
  // One number per partition: the highest over its replicas.
  const best = new Map<string, number>();
  for (const [id, v] of Object.entries(r)) {
    const key = /^replica-(.+)-b\d+$/.exec(id)![1]!;
    best.set(key, Math.max(best.get(key) ?? 0, v[field]));
  }
  return [...best.values()].reduce((s, n) => s + n, 0);
};

/** kafka-consumer-groups --describe, as the group inspector shows it: partition → committed offset. */
async function committed(page: Page, group: string): Promise<Record<string, string>> {
  await page.getByTestId(`group-${group}`).getByRole('button', { name: new RegExp(`Consumer group ${group}`) }).click();
  const table = page.getByTestId('group-describe');
  await expect(table).toBeVisible();
  // One read of the whole table (it re-renders with every snapshot).
  const rows = await table
    .locator('tbody tr')
    .evaluateAll((trs) => trs.map((tr) => [...(tr as HTMLTableRowElement).cells].map((c) => c.innerText)));
  const out: Record<string, string> = {};
  for (const cells of rows) out[`${cells[1]}-${cells[2]}`] = (cells[3] ?? '').trim();
  return out;
}

/** The newest records of a partition as its log inspector shows them: offset → value. */
async function logRows(page: Page, key: string, broker: number): Promise<Map<number, string>> {
  await page.getByTestId(`replica-${key}-b${broker}`).getByRole('button').click();
  const log = page.getByTestId('partition-log');
  await expect(log).toBeVisible();
  // One read of the whole table: row by row, a live log gains and drops rows between reads
  // (a row index that existed a moment ago waits for ever).
  const rows = await log
    .locator('tr[data-testid^="log-row-"]')
    .evaluateAll((trs) => trs.map((tr) => [(tr as HTMLTableRowElement).cells[0]!.innerText, (tr as HTMLTableRowElement).cells[2]!.innerText] as const));
  return new Map(rows.map(([offset, value]) => [Number(offset), value]));
}

async function waitSaved(page: Page): Promise<void> {
  await expect(page.getByTestId('storage-status')).toHaveAttribute('data-state', 'saving');
}

test('10,000 records produced, then a reload: the same logs, offsets and committed offsets', async ({ page }) => {
  // 2,000 records/s from 0.1 s to 5.1 s: exactly 10,000 records.
  await page.goto(link(scenario('ten thousand', 2000, 5100)));
  await expect(page.getByTestId('broker-3')).toBeVisible();
  await waitSaved(page);
  // The flushes are committed by the IO worker the cluster worker starts (storage/remote-store.ts), not its fallback.
  await expect.poll(() => page.workers().map((w) => w.url().replace(/^.*\/assets\//, '').replace(/-[\w-]+\.js$/, ''))).toEqual(expect.arrayContaining(['cluster.worker', 'io.worker']));
  await setSpeed(page, 10);
  await expect.poll(async () => total(await replicas(page), 'hw'), { timeout: 60_000 }).toBe(10_000);
  // Every replica caught up, and the group committed everything.
  await expect
    .poll(async () => {
      const r = await replicas(page);
      return ['orders-0', 'orders-1', 'orders-2'].every((k) => new Set([1, 2, 3].map((id) => r[`replica-${k}-b${id}`]!.leo)).size === 1);
    }, { timeout: 30_000 })
    .toBe(true);
  await expect
    .poll(async () => Object.values(await committed(page, 'billing')).reduce((s, v) => s + Number(v), 0), { timeout: 60_000 })
    .toBe(10_000);
  await pause(page);
  const before = { clock: await clockMs(page), replicas: await replicas(page), committed: await committed(page, 'billing'), rows: await logRows(page, 'orders-1', 2) };
  expect(total(before.replicas, 'leo')).toBe(10_000);
  // The pause is saved too (a flush after the last change).
  await expect(page.getByTestId('storage-status')).toHaveAttribute('data-time-ms', String(before.clock));
  await screenshot(page, 'persistence-before-reload');

  await page.reload();
  const restored = page.getByTestId('storage-restored');
  await expect(restored).toBeVisible();
  await expect(restored).toHaveAttribute('data-time-ms', String(before.clock));
  await expect(restored).toHaveAttribute('data-records', '10000');
  await expect(restored).toHaveAttribute('data-lost-records', '0');
  await expect(restored).toContainText('Nothing unsaved was lost');
  await pause(page);
  await expect.poll(() => replicas(page)).toEqual(before.replicas);
  expect(await committed(page, 'billing')).toEqual(before.committed);
  expect(await logRows(page, 'orders-1', 2)).toEqual(before.rows);
  expect(before.rows.size).toBeGreaterThan(50);
  await screenshot(page, 'persistence-after-reload');
});

test('a page that dies in the middle of a steady load reopens with consistent logs and reports the lost tail', async ({ page, context }) => {
  await page.goto(link(scenario('steady', 3000, null)));
  await expect(page.getByTestId('broker-3')).toBeVisible();
  await waitSaved(page);
  await setSpeed(page, 10);
  await expect.poll(() => clockMs(page), { timeout: 30_000 }).toBeGreaterThan(6000);
  const seen = await logRows(page, 'orders-0', 1);
  const lastClock = await clockMs(page);
  // The page goes away without its unload handlers (there are none to rely on anyway); the
  // worker dies with it, mid-flush or not.
  await page.close({ runBeforeUnload: false });

  const again = await reopen(context);
  const restored = again.getByTestId('storage-restored');
  await expect(restored).toBeVisible();
  const restoredAt = Number(await restored.getAttribute('data-time-ms'));
  expect(restoredAt).toBeGreaterThan(0);
  const lost = Number(await restored.getAttribute('data-lost-records'));
  if (lost > 0) await expect(again.getByTestId('storage-lost')).toContainText('had not been saved yet');
  else await expect(restored).toContainText('Nothing unsaved was lost');
  expect(lastClock).toBeGreaterThan(0);
  await screenshot(again, 'persistence-after-crash');
  await pause(again);
  // Prefix: every record the log showed before the crash that is still there is the same record.
  const after = await logRows(again, 'orders-0', 1);
  let common = 0;
  for (const [offset, value] of after) {
    if (!seen.has(offset)) continue;
    common++;
    expect(value).toBe(seen.get(offset));
  }
  expect(common + seen.size).toBeGreaterThan(0);
  // Consistent replicas, as restored: a follower never ahead of its leader, the leader's HW
  // within every ISR member's log (all three are in the ISR here).
  const r = await replicas(again);
  for (const k of ['orders-0', 'orders-1', 'orders-2']) {
    const leader = await again.locator(`[data-partition="${k}"][data-role="leader"]`).getAttribute('data-testid');
    const leaderLeo = r[leader!]!.leo;
    for (const b of [1, 2, 3]) {
      expect(r[`replica-${k}-b${b}`]!.leo).toBeLessThanOrEqual(leaderLeo);
      expect(r[leader!]!.hw).toBeLessThanOrEqual(r[`replica-${k}-b${b}`]!.leo);
    }
  }
  // And it runs on from there: the load resumes and the logs grow.
  const hwBefore = total(r, 'hw');
  await again.getByTestId('play-pause').click();
  await expect.poll(async () => total(await replicas(again), 'hw'), { timeout: 30_000 }).toBeGreaterThan(hwBefore + 1000);
});

async function reopen(context: BrowserContext): Promise<Page> {
  const page = await context.newPage();
  page.on('pageerror', (e) => {
    throw e;
  });
  await page.goto('/');
  await expect(page.getByTestId('broker-3')).toBeVisible();
  return page;
}

test('a second tab says the playground is open elsewhere, and can take over', async ({ page, context }) => {
  await page.goto('/');
  await expect(page.getByTestId('broker-1')).toBeVisible();
  await waitSaved(page);
  await expect.poll(() => clockMs(page)).toBeGreaterThan(1500);

  const second = await context.newPage();
  await second.goto('/');
  const overlay = second.getByTestId('storage-other-tab');
  await expect(overlay).toBeVisible();
  await expect(overlay).toContainText('The playground is open in another tab');
  await screenshot(second, 'persistence-second-tab');

  await overlay.getByTestId('storage-take-over').click();
  await expect(overlay).toBeHidden();
  await expect(second.getByTestId('storage-restored')).toBeVisible();
  await expect(second.getByTestId('broker-1')).toBeVisible();
  await waitSaved(second);
  // The first tab stopped saving and says so. Look at it as a user would: brought to the
  // front. In the background, Chromium gives its renderer low priority and draws no frames,
  // so on a busy machine checks and screenshots of it took longer than their timeouts.
  await page.bringToFront();
  await expect(page.getByTestId('storage-lost-ownership')).toBeVisible();
  await expect(page.getByTestId('storage-status')).toHaveAttribute('data-state', 'lost');
  await screenshot(page, 'persistence-first-tab-taken-over');
  await second.close();
});

test('reset playground clears everything after a confirmation', async ({ page }) => {
  await page.goto(link(scenario('to be reset', 500, null)));
  await expect(page.getByTestId('broker-3')).toBeVisible();
  await waitSaved(page);
  await setSpeed(page, 10);
  await expect.poll(() => clockMs(page), { timeout: 30_000 }).toBeGreaterThan(5000);
  await page.getByTestId('storage-reset').click();
  const dialog = page.getByTestId('storage-reset-dialog');
  await expect(dialog).toContainText('deletes everything');
  await screenshot(page, 'persistence-reset-confirm');
  await dialog.getByRole('button', { name: 'Cancel' }).click();
  await expect(dialog).toBeHidden();
  expect(await clockMs(page)).toBeGreaterThan(5000);

  // Back to 1x (the speed outlives a reset), so the new run stays small until it is paused.
  await setSpeed(page, 1);
  await page.getByTestId('storage-reset').click();
  await page.getByTestId('storage-reset-confirm').click();
  // The default playground runs instead. (Not "the clock went back below 5 s": at 10x the
  // new run passes 5 s within half a second, which a busy machine's poll can miss.)
  await expect(page.getByTestId('inspector-overview')).toContainText('Three brokers, one topic, one consumer group');
  await expect(page.getByTestId('inspector-overview')).not.toContainText('to be reset');
  await pause(page);
  await waitSaved(page);
  await page.reload();
  // What reopens is the default playground saved after the reset, not the old run.
  await expect(page.getByTestId('storage-restored')).toBeVisible();
  await expect(page.getByTestId('producer-checkout')).toBeVisible();
  expect(Number(await page.getByTestId('storage-restored').getAttribute('data-records'))).toBeLessThan(1000);
});

test('saved data this version cannot read gets a message and a reset, never a blank page', async ({ page }) => {
  await page.goto('/');
  await expect(page.getByTestId('broker-1')).toBeVisible();
  await waitSaved(page);
  // A newer version upgraded the database (the worker's connection closes for it).
  await page.evaluate(
    () =>
      new Promise<void>((resolve, reject) => {
        const req = indexedDB.open('kafka-playground', 99);
        req.onupgradeneeded = () => req.result.createObjectStore('from-the-future');
        req.onsuccess = () => {
          req.result.close();
          resolve();
        };
        req.onerror = () => reject(req.error);
      }),
  );
  await page.reload();
  const banner = page.getByTestId('storage-unreadable');
  await expect(banner).toBeVisible();
  await expect(banner).toContainText('newer version');
  await expect(page.getByTestId('broker-1')).toBeVisible();
  await screenshot(page, 'persistence-unreadable');
  await banner.getByTestId('storage-unreadable-reset').click();
  await page.getByTestId('storage-reset-confirm').click();
  await expect(banner).toBeHidden();
  await waitSaved(page);
});

test('when the browser refuses a write for quota: says so, keeps running in memory, and saves again once space is freed', async ({ page, context, baseURL }) => {
  const doc = scenario('quota', 3000, null);
  doc.topics.push({ name: 'audit', partitions: 1, replicationFactor: 3 });
  await page.goto(link(doc));
  await expect(page.getByTestId('broker-3')).toBeVisible();
  await waitSaved(page);
  // Chromium's DevTools protocol shrinks this origin's quota: IndexedDB throws a real QuotaExceededError.
  const cdp = await context.newCDPSession(page);
  const origin = new URL(baseURL ?? 'http://localhost:4173').origin;
  await cdp.send('Storage.overrideQuotaForOrigin', { origin, quotaSize: 4 * 1024 * 1024 });
  await setSpeed(page, 10);
  const banner = page.getByTestId('storage-quota');
  await expect(banner).toBeVisible({ timeout: 60_000 });
  await expect(banner).toContainText('no more storage space');
  await expect(page.getByTestId('storage-status')).toHaveAttribute('data-state', 'quota');
  // The run goes on in memory.
  const t = await clockMs(page);
  await expect.poll(() => clockMs(page)).toBeGreaterThan(t + 2000);
  await screenshot(page, 'persistence-quota');

  // Free space: delete the topic that holds the data; the browser gives the room back (its
  // own files shrink only after compaction, so the test lifts the quota), then try again.
  await banner.getByTestId('storage-delete-topic-orders').click();
  // Its three partitions and their data go. The producer still sends to orders and
  // auto.create.topics.enable is Kafka's default, so it comes back empty with num.partitions=1
  // and default.replication.factor=1: one replica row, no orders-1.
  await expect(page.locator('[data-partition="orders-1"]')).toHaveCount(0);
  await expect(page.locator('[data-partition="orders-0"]')).toHaveCount(1);
  await cdp.send('Storage.overrideQuotaForOrigin', { origin });
  // "Try again" saves now. The persister also retries by itself (every 10 s): on a slow
  // machine that retry can succeed first and take the banner, button and all, away.
  await expect(async () => {
    if (await banner.isVisible()) await banner.getByTestId('storage-retry').click({ timeout: 2000 });
    await expect(page.getByTestId('storage-status')).toHaveAttribute('data-state', 'saving', { timeout: 2000 });
  }).toPass({ timeout: 30_000 });
  await expect(banner).toBeHidden();
  // What is saved now is the run as it went on in memory: reopening finds it.
  await pause(page);
  const clock = await clockMs(page);
  await expect(page.getByTestId('storage-status')).toHaveAttribute('data-time-ms', String(clock));
  await page.reload();
  await expect(page.getByTestId('storage-restored')).toHaveAttribute('data-time-ms', String(clock));
  await expect(page.locator('[data-partition="audit-0"]').first()).toBeVisible();
  await expect(page.locator('[data-partition="orders-1"]')).toHaveCount(0);
  await expect(page.locator('[data-partition="orders-0"]')).toHaveCount(1);
});

test('a page that dies while saving was failing reopens at the last save and says how much was lost', async ({ page, context, baseURL }) => {
  await page.goto(link(scenario('unsaved tail', 500, null)));
  await expect(page.getByTestId('broker-3')).toBeVisible();
  await waitSaved(page);
  const origin = new URL(baseURL ?? 'http://localhost:4173').origin;
  const cdp = await context.newCDPSession(page);
  await cdp.send('Storage.overrideQuotaForOrigin', { origin, quotaSize: 1024 * 1024 });
  await setSpeed(page, 5);
  await expect(page.getByTestId('storage-quota')).toBeVisible({ timeout: 60_000 });
  const failedAt = await clockMs(page);
  await expect.poll(() => clockMs(page), { timeout: 30_000 }).toBeGreaterThan(failedAt + 5000);
  // Paused, the page's marker settles on what it shows (it is written at most every 200 ms).
  await pause(page);
  const shownMs = await clockMs(page);
  const shown = total(await replicas(page), 'leo');
  // Wait for the marker itself to say what the page shows (not for a fixed time).
  await expect
    .poll(() => page.evaluate(() => JSON.parse(localStorage.getItem('kafka-playground:tail') ?? 'null') as { timeMs: number; records: number } | null))
    .toMatchObject({ timeMs: shownMs, records: shown });
  await page.close({ runBeforeUnload: false });

  const again = await context.newPage();
  const cdp2 = await context.newCDPSession(again);
  await cdp2.send('Storage.overrideQuotaForOrigin', { origin });
  await again.goto('/');
  const restored = again.getByTestId('storage-restored');
  await expect(restored).toBeVisible();
  const lostMs = Number(await restored.getAttribute('data-lost-ms'));
  const lostRecords = Number(await restored.getAttribute('data-lost-records'));
  expect(lostMs).toBeGreaterThan(4000);
  expect(lostRecords).toBeGreaterThan(1000);
  // What was lost is exactly what the page showed beyond what was saved.
  expect(lostRecords).toBe(shown - Number(await restored.getAttribute('data-records')));
  expect(lostMs).toBe(shownMs - Number(await restored.getAttribute('data-time-ms')));
  await expect(again.getByTestId('storage-lost')).toContainText('had not been saved yet');
  await screenshot(again, 'persistence-lost-tail');
  await again.close();
});

test('a share link never replaces the saved playground without asking', async ({ page }) => {
  await page.goto(link(scenario('mine', 200, null)));
  await expect(page.getByTestId('broker-3')).toBeVisible();
  await waitSaved(page);
  await expect.poll(() => clockMs(page)).toBeGreaterThan(2000);
  await pause(page);
  const saved = await clockMs(page);
  await expect(page.getByTestId('storage-status')).toHaveAttribute('data-time-ms', String(saved));

  // Someone sends a link; this tab opens it (a page load: a fragment-only change does not reload).
  await page.goto('about:blank');
  await page.goto(link(scenario('theirs', 50, null)));
  const ask = page.getByTestId('storage-confirm-replace');
  await expect(ask).toBeVisible();
  await expect(ask).toContainText('“mine”');
  await screenshot(page, 'persistence-confirm-replace');
  await ask.getByTestId('storage-keep').click();
  await expect(page.getByTestId('storage-restored')).toHaveAttribute('data-time-ms', String(saved));
  // The link's fragment is gone: a reload continues the saved playground.
  expect(new URL(page.url()).hash).toBe('');

  await page.goto('about:blank');
  await page.goto(link(scenario('theirs', 50, null)));
  await page.getByTestId('storage-replace').click();
  await expect.poll(() => clockMs(page)).toBeLessThan(saved);
  await waitSaved(page);
  await page.reload();
  await expect(page.getByTestId('storage-restored')).toBeVisible();
  await expect(page.getByTestId('inspector-overview')).toContainText('theirs');
});

test('the diagram reopens as it was left: a dragged broker and a killed one', async ({ page }) => {
  await page.goto('/');
  await expect(page.getByTestId('broker-3')).toBeVisible();
  await waitSaved(page);
  await page.getByTestId('broker-2').getByRole('button', { name: /^Broker 2/ }).click();
  await page.getByTestId('cmd-broker.kill').click();
  await expect(page.getByTestId('broker-2')).toHaveAttribute('data-status', 'down');
  const header = page.getByTestId('broker-3').getByRole('button', { name: /^Broker 3/ });
  // The drop re-runs the layout (the others move clear of the dragged broker): dragBy returns once it applied.
  await dragBy(page, 'broker-3', header, 60, 120);
  // Where broker 3 sits relative to broker 1, in broker widths (the view re-fits on load, so the zoom may differ).
  const relative = async () => {
    const b1 = (await page.getByTestId('broker-1').boundingBox())!;
    const b3 = (await page.getByTestId('broker-3').boundingBox())!;
    return { dx: (b3.x - b1.x) / b1.width, dy: (b3.y - b1.y) / b1.width };
  };
  // Read once two reads agree (a layout that just applied may still move a node by its measured size).
  let moved = await relative();
  await expect
    .poll(async () => {
      const now = await relative();
      const same = Math.abs(now.dx - moved.dx) < 1e-3 && Math.abs(now.dy - moved.dy) < 1e-3;
      moved = now;
      return same;
    })
    .toBe(true);
  expect(moved.dy).toBeGreaterThan(0.3);
  await pause(page);
  const clock = await clockMs(page);
  await expect(page.getByTestId('storage-status')).toHaveAttribute('data-time-ms', String(clock));

  await page.reload();
  await expect(page.getByTestId('storage-restored')).toHaveAttribute('data-time-ms', String(clock));
  await expect(page.getByTestId('broker-2')).toHaveAttribute('data-status', 'down');
  // The reopened page draws an estimate first, then the layout (in its own worker) places
  // the brokers the user did not drag: compared once that layout applied.
  await layoutSettled(page);
  await expect.poll(async () => (await relative()).dx).toBeCloseTo(moved.dx, 2);
  await expect.poll(async () => (await relative()).dy).toBeCloseTo(moved.dy, 2);
  await screenshot(page, 'persistence-diagram-reopened');
});
