/**
 * Small page helpers for the journeys, and a `test` that fails on any console error or
 * uncaught exception in the page (the playground must run clean).
 */
import { mkdirSync } from 'node:fs';
import { join } from 'node:path';
import { test as base, expect, type Locator, type Page } from '@playwright/test';

export { expect };

/** A rectangle on the page, as Locator.boundingBox gives it. */
export type Box = { x: number; y: number; width: number; height: number };

/** Do two boxes share any area (touching edges do not)? */
export const boxesOverlap = (a: Box, b: Box): boolean => a.x < b.x + b.width && b.x < a.x + a.width && a.y < b.y + b.height && b.y < a.y + a.height;

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

/**
 * Waits until the diagram's layout has settled: it first draws an estimate, then ELK's
 * layout (in a worker of its own) places the nodes, and again after nodes change size.
 * Read node positions, or press on a node, only then.
 */
export async function layoutSettled(page: Page, timeout?: number): Promise<void> {
  await expect(page.getByTestId('diagram')).toHaveAttribute('data-layout', 'settled', timeout === undefined ? undefined : { timeout });
}

/** Opens the playground on the default cluster and waits until it is drawn. */
export async function openPlayground(page: Page): Promise<void> {
  await page.goto('/');
  await expect(page.getByTestId('broker-1')).toBeVisible();
  await expect(page.getByTestId('broker-3')).toBeVisible();
  await expect(page.getByTestId('clock')).not.toHaveText('0.000 s');
  await layoutSettled(page);
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

/**
 * Draws an edge as a person does: presses on a connector, moves in steps onto the target and
 * (unless told not to) releases. The diagram pans by itself while a connection's pointer is
 * near its border (xyflow's autoPanOnConnect: a connector at the diagram's right edge starts
 * there), which moves the target: the pointer follows the target's box until it stays put.
 */
export async function drawEdge(page: Page, from: Locator, to: Locator, release = true): Promise<void> {
  const a = (await from.boundingBox())!;
  const ax = a.x + a.width / 2;
  const ay = a.y + a.height / 2;
  await page.mouse.move(ax, ay);
  await page.mouse.down();
  let b = (await to.boundingBox())!;
  // A first short move, towards the target (not out of the diagram), starts the connection.
  await page.mouse.move(ax + Math.sign(b.x + b.width / 2 - ax) * 20, ay + Math.sign(b.y + b.height / 2 - ay) * 20, { steps: 4 });
  b = (await to.boundingBox())!;
  await page.mouse.move(b.x + b.width / 2, b.y + b.height / 2, { steps: 12 });
  for (let i = 0; i < 10; i++) {
    const now = (await to.boundingBox())!;
    if (Math.abs(now.x - b.x) < 1 && Math.abs(now.y - b.y) < 1) break;
    b = now;
    await page.mouse.move(b.x + b.width / 2, b.y + b.height / 2, { steps: 4 });
  }
  if (release) await page.mouse.up();
}

/** The node's position on the canvas (xyflow's transform, independent of zoom and pan). */
export async function canvasPosition(page: Page, id: string): Promise<string> {
  return page.locator(`.react-flow__node[data-id="${id}"]`).evaluate((el) => (el as HTMLElement).style.transform);
}

/**
 * Drags a node by its handle (dx, dy pixels on screen), the way a person does. A node can
 * still move under the pointer: a kill or a new topic changes node sizes and the layout
 * runs again. So the drag starts once the layout is settled and the handle has stopped
 * moving, and it is made again if the node did not move (the press landed beside it).
 */
export async function dragBy(page: Page, id: string, handle: Locator, dx: number, dy: number): Promise<void> {
  await expect(async () => {
    await layoutSettled(page);
    const first = (await handle.boundingBox())!;
    await expect
      .poll(async () => {
        const b = (await handle.boundingBox())!;
        return Math.abs(b.x - first.x) + Math.abs(b.y - first.y);
      })
      .toBe(0);
    const before = await canvasPosition(page, id);
    const x = first.x + first.width / 2;
    const y = first.y + first.height / 2;
    await page.mouse.move(x, y);
    await page.mouse.down();
    await page.mouse.move(x + dx, y + dy, { steps: 8 });
    await page.mouse.up();
    expect(await canvasPosition(page, id)).not.toBe(before);
  }).toPass({ timeout: 30_000 });
  await layoutSettled(page);
}
