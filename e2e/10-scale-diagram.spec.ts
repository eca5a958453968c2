/**
 * Issue 10, the diagram at scale: a 12-broker, 200-partition cluster is readable at
 * 1280x720 zoomed out (compact broker cards, nothing overlapping), zooming in shows every
 * replica row, a topic can be filtered to or collapsed, and a partition found by search is
 * selected and centred. The default three-broker scenario keeps every replica row. The
 * layout runs in a worker of its own, never on the main thread.
 */
import type { Locator, Page } from '@playwright/test';
import { scaleScenario } from '../bench/workload';
import type { Scenario } from '../src/scenario/types';
import { encodeScenarioToFragment } from '../src/scenario/url';
import { boxesOverlap, expect, openPlayground, screenshot, test, type Box, layoutSettled } from './fixtures';

const BROKERS = 12;

// A 12 x 200 cluster in the worker on a busy 2-core machine: opening it alone takes a while.
test.describe.configure({ timeout: 240_000 });

/** 12 brokers x 200 partitions of `bench`, plus a 6-partition topic `orders`, with a light load. */
function bigCluster(): Scenario {
  const s = scaleScenario(BROKERS, 200, 500, 3_600_000);
  s.name = 'twelve brokers';
  s.topics = [...(s.topics ?? []), { name: 'orders', partitions: 6, replicationFactor: 3 }];
  return s;
}

async function openBig(page: Page): Promise<void> {
  const fragment = await encodeScenarioToFragment(bigCluster());
  await page.goto(`/${fragment.startsWith('#') ? fragment : `#${fragment}`}`);
  await expect(page.getByTestId(`broker-${BROKERS}`)).toBeVisible({ timeout: 60_000 });
  await layoutSettled(page, 60_000);
  // ELK ran in its own worker, not on the main thread (src/ui/diagram/elk-layout.ts).
  await expect(page.getByTestId('diagram')).toHaveAttribute('data-layout-engine', 'worker');
}


async function box(l: Locator): Promise<Box> {
  const b = await l.boundingBox();
  if (!b) throw new Error('no box');
  return b;
}

/** The shortest line of text drawn inside `root` (its text nodes' boxes on screen, each line apart), and its text. */
async function smallestText(root: Locator): Promise<{ px: number; text: string }> {
  return root.evaluate((el) => {
    let px = Infinity;
    let text = '';
    const walker = document.createTreeWalker(el, NodeFilter.SHOW_TEXT);
    for (let n = walker.nextNode(); n; n = walker.nextNode()) {
      if (!n.textContent?.trim()) continue;
      const range = document.createRange();
      range.selectNodeContents(n);
      for (const r of range.getClientRects()) {
        if (r.width < 1) continue; // hidden (display: none) or clipped away
        if (r.height < px) {
          px = r.height;
          text = n.textContent.trim();
        }
      }
    }
    return { px, text };
  });
}

test('12 brokers x 200 partitions: compact cards, readable and apart at 1280x720; zooming in shows the replica rows', async ({ page }) => {
  await openBig(page);
  const diagram = await box(page.getByTestId('diagram'));
  const boxes: Box[] = [];
  for (let id = 1; id <= BROKERS; id++) {
    const broker = page.getByTestId(`broker-${id}`);
    await expect(broker).toHaveAttribute('data-detail', 'card');
    await expect(page.getByTestId(`broker-card-${id}`)).toBeVisible();
    const b = await box(broker);
    // Inside the diagram, all of it: the whole cluster is on screen.
    expect(b.x).toBeGreaterThanOrEqual(diagram.x - 1);
    expect(b.y).toBeGreaterThanOrEqual(diagram.y - 1);
    expect(b.x + b.width).toBeLessThanOrEqual(diagram.x + diagram.width + 1);
    expect(b.y + b.height).toBeLessThanOrEqual(diagram.y + diagram.height + 1);
    boxes.push(b);
  }
  boxes.push(await box(page.getByTestId('producer-p')), await box(page.getByTestId('group-g')));
  for (let i = 0; i < boxes.length; i++) for (let j = i + 1; j < boxes.length; j++) expect(boxesOverlap(boxes[i]!, boxes[j]!), `boxes ${i} and ${j} overlap`).toBe(false);
  // Readable: the card's numbers are drawn at least 9 px tall on screen.
  const num = await box(page.getByTestId('card-leaders-1').locator('.card-num'));
  expect(num.height).toBeGreaterThanOrEqual(9);
  // ... and the words beside them (leaders, replicas, URP, offline) at least 8 px.
  const label = await box(page.getByTestId('card-urp-1').locator('.card-label'));
  expect(label.height).toBeGreaterThanOrEqual(8);
  // Every word on the cards (bytes in and out too), the producer, the group and its members
  // is drawn as large as those words: nothing on screen is too small to read.
  for (const id of ['broker-card-1', 'producer-p', 'group-g', 'consumer-c1']) {
    const smallest = await smallestText(page.getByTestId(id));
    expect(smallest.px, `${id}: "${smallest.text}" is drawn ${smallest.px.toFixed(1)} px tall`).toBeGreaterThanOrEqual(8);
  }
  // No count or byte rate spills past its card's padding (two equal columns spilled "replicas" onto its border).
  for (let id = 1; id <= BROKERS; id++) {
    const spills = await page.getByTestId(`broker-card-${id}`).evaluate((card) => {
      // The card's content box (inside its padding) on screen.
      const box = card.getBoundingClientRect();
      const style = getComputedStyle(card);
      const zoom = box.width / (card as HTMLElement).offsetWidth;
      const edge = { left: box.left + parseFloat(style.paddingLeft) * zoom, right: box.right - parseFloat(style.paddingRight) * zoom };
      const out: string[] = [];
      for (const el of card.querySelectorAll('.card-count, .card-bytes > span')) {
        const range = document.createRange();
        range.selectNodeContents(el);
        const r = range.getBoundingClientRect();
        if (r.left < edge.left - 0.5 || r.right > edge.right + 0.5) out.push(`${el.textContent} (${r.left.toFixed(1)}-${r.right.toFixed(1)} in ${edge.left.toFixed(1)}-${edge.right.toFixed(1)})`);
      }
      return out;
    });
    expect(spills, `broker ${id}`).toEqual([]);
  }
  // Beside the cards a consumer counts its partitions (the list is in its title).
  await expect(page.getByTestId('consumer-c1').locator('.consumer-parts')).toHaveText(/^\d+ partitions?$/);
  await expect(page.getByTestId('consumer-c1')).toContainText(/\/s · records-lag \d/);
  // The leaders of all cards add up to the partitions (206), each card's count from its own strip.
  let leaders = 0;
  for (let id = 1; id <= BROKERS; id++) leaders += Number(await page.getByTestId(`card-leaders-${id}`).locator('.card-num').innerText());
  expect(leaders).toBe(206);
  // Each card's strip is one canvas with a square per replica the broker holds (drawn: its
  // first square has a role's colour), and the square under the pointer names its replica and role.
  const strip = page.getByTestId('broker-card-1').getByTestId('card-strip');
  const held = await page.getByTestId('card-replicas-1').locator('.card-num').innerText();
  expect(Number(held)).toBeGreaterThan(30);
  await expect(strip).toHaveAttribute('data-cells', held);
  const firstSquare = () =>
    strip.evaluate((el) => {
      const c = el as HTMLCanvasElement;
      const ratio = c.width / c.offsetWidth; // canvas pixels per CSS px
      const [r, g, b, a] = c.getContext('2d')!.getImageData(Math.floor(4 * ratio), Math.floor(4 * ratio), 1, 1).data;
      return `${r},${g},${b},${a}`;
    });
  // The leader's blue (#2f5fd0) or in sync's green (#3f9d5a), opaque.
  await expect.poll(firstSquare).toMatch(/^(47,95,208|63,157,90),255$/);
  const s = await box(strip);
  await page.mouse.move(s.x + 1, s.y + 1);
  await expect(strip).toHaveAttribute('title', /^(bench|orders)-\d+: (leader|in sync)$/);
  // No replica rows while zoomed out.
  await expect(page.locator('[data-testid^="replica-bench-"]')).toHaveCount(0);
  // The bundles between brokers are paths of one SVG layer, not an xyflow edge each (issue 10);
  // the producer's and the group's edges stay xyflow's.
  await expect(page.getByTestId('edge-layer')).toHaveAttribute('data-edges', /^[1-9]\d*$/);
  await expect(page.locator('.react-flow__edge[data-id^="repl"]')).toHaveCount(0);
  await expect(page.locator('.react-flow__edge[data-id^="consume"]').first()).toBeAttached();
  await screenshot(page, '10-scale-12x200-cards');

  // Zoom in: every broker shows its rows.
  const zoomIn = page.getByRole('button', { name: 'Zoom In' });
  for (let i = 0; i < 8 && (await page.getByTestId('diagram').getAttribute('data-zoomed-in')) !== 'true'; i++) await zoomIn.click();
  await expect(page.getByTestId('diagram')).toHaveAttribute('data-zoomed-in', 'true');
  // Only what is on screen is drawn at this size: every broker drawn shows its rows.
  const drawn = page.locator('.react-flow__node-broker > [data-detail]');
  await expect(drawn.first()).toHaveAttribute('data-detail', 'rows');
  await expect(page.locator('.react-flow__node-broker > [data-detail="card"]')).toHaveCount(0);
  // Each broker holds about 200 x 3 / 12 = 50 bench replicas, every one a row.
  const rows = await drawn.first().locator('[data-testid^="replica-bench-"]').count();
  expect(rows).toBeGreaterThan(30);
  await layoutSettled(page);
  await screenshot(page, '10-scale-12x200-zoomed-in');
});

test('12 x 200: filter to one topic, search a partition (selected and centred)', async ({ page }) => {
  await openBig(page);
  // Only `orders`: six partitions, so each broker is small enough to show its rows.
  await page.getByTestId('topic-filter').selectOption('orders');
  await expect(page.locator('[data-testid^="replica-bench-"]')).toHaveCount(0);
  await expect(page.locator('[data-partition^="orders-"][data-role="leader"]')).toHaveCount(6);
  await layoutSettled(page);
  await screenshot(page, '10-scale-filter-orders');
  await page.getByTestId('topic-filter').selectOption('');
  await expect(page.getByTestId('broker-1')).toHaveAttribute('data-detail', 'card');

  // A partition that does not exist: said plainly, nothing selected.
  await page.getByTestId('find-partition').fill('bench-999');
  await page.getByTestId('find-partition').press('Enter');
  await expect(page.getByTestId('find-error')).toContainText('partitions 0 to 199');
  await expect(page.getByTestId('inspector-partition')).toHaveCount(0);

  await page.getByTestId('find-partition').fill('bench-137');
  await page.getByTestId('find-partition').press('Enter');
  await expect(page.getByTestId('inspector-partition')).toBeVisible();
  await expect(page.getByTestId('inspector-partition')).toHaveAttribute('aria-label', 'Partition bench-137');
  const leaderRow = page.locator('[data-partition="bench-137"][data-role="leader"]');
  await expect(leaderRow).toHaveCount(1);
  await expect(leaderRow).toHaveClass(/is-selected/);
  // Centred: the row is on screen, near the middle of the diagram.
  const diagram = await box(page.getByTestId('diagram'));
  await expect
    .poll(async () => {
      const r = await leaderRow.boundingBox();
      if (!r) return Infinity;
      return Math.max(Math.abs(r.x + r.width / 2 - (diagram.x + diagram.width / 2)), Math.abs(r.y + r.height / 2 - (diagram.y + diagram.height / 2)));
    })
    .toBeLessThan(60);
  const row = await box(leaderRow);
  // Close enough to read the row (48 px at zoom 1).
  expect(row.height).toBeGreaterThanOrEqual(30);
  await screenshot(page, '10-scale-search-bench-137');
});

test('the default scenario shows every replica row; a topic collapses into one row per broker and expands again', async ({ page }) => {
  await openPlayground(page);
  for (const b of [1, 2, 3]) {
    await expect(page.getByTestId(`broker-${b}`)).toHaveAttribute('data-detail', 'rows');
    for (const p of [0, 1, 2]) await expect(page.getByTestId(`replica-orders-${p}-b${b}`)).toBeVisible();
  }
  await page.getByTestId('collapse-topics').click();
  await page.getByTestId('collapse-topic-orders').check();
  for (const b of [1, 2, 3]) await expect(page.getByTestId(`topic-row-orders-b${b}`)).toBeVisible();
  await expect(page.locator('[data-testid^="replica-orders-"]')).toHaveCount(0);
  await expect(page.getByTestId('topic-row-orders-b1')).toContainText('3 replicas');
  await layoutSettled(page);
  await screenshot(page, '10-scale-collapsed-orders');
  // The collapsed row's button expands it.
  await page.getByTestId('topic-row-orders-b2').getByRole('button').click();
  for (const b of [1, 2, 3]) for (const p of [0, 1, 2]) await expect(page.getByTestId(`replica-orders-${p}-b${b}`)).toBeVisible();
  await expect(page.getByTestId('collapse-topic-orders')).not.toBeChecked();
});
