/**
 * Journey: the diagram never overlaps. Topics of 6 and 10 partitions make every broker card
 * much taller, a producer and consumers in a new group are added: the automatic layout
 * moves everything clear, read from the node boxes the browser drew. A broker the user
 * dragged stays where it was put when the cluster changes again; Tidy lays it out anew.
 */
import type { Page } from '@playwright/test';
import { canvasPosition, dragBy, expect, openPlayground, pause, play, screenshot, test, layoutSettled } from './fixtures';

type Box = { id: string; type: string; x: number; y: number; w: number; h: number };

async function nodeBoxes(page: Page): Promise<Box[]> {
  return page.locator('.react-flow__node').evaluateAll((els) =>
    els.map((el) => {
      const r = el.getBoundingClientRect();
      const type = [...el.classList].find((c) => c.startsWith('react-flow__node-'))?.slice('react-flow__node-'.length) ?? '';
      return { id: el.getAttribute('data-id') ?? '', type, x: r.left, y: r.top, w: r.width, h: r.height };
    }),
  );
}

/** Pairs of nodes whose boxes overlap; a consumer inside its group's container is not one. */
function overlaps(boxes: Box[]): string[] {
  const out: string[] = [];
  const inside = (a: Box, b: Box) => a.x >= b.x - 1 && a.y >= b.y - 1 && a.x + a.w <= b.x + b.w + 1 && a.y + a.h <= b.y + b.h + 1;
  for (let i = 0; i < boxes.length; i++) {
    for (let j = i + 1; j < boxes.length; j++) {
      const a = boxes[i]!;
      const b = boxes[j]!;
      if (a.w === 0 || b.w === 0) continue;
      const hit = a.x < b.x + b.w && b.x < a.x + a.w && a.y < b.y + b.h && b.y < a.y + a.h;
      const parentChild = (a.type === 'consumer' && b.type === 'consumerGroup' && inside(a, b)) || (b.type === 'consumer' && a.type === 'consumerGroup' && inside(b, a));
      if (hit && !parentChild) out.push(`${a.id} / ${b.id}`);
    }
  }
  return out;
}

async function createTopic(page: Page, name: string, partitions: number): Promise<void> {
  await page.getByTestId('menu-cluster').click();
  await page.getByTestId('menu-topic.create').click();
  const dialog = page.getByTestId('dialog-create-topic');
  await dialog.getByTestId('topic-name').fill(name);
  await dialog.getByLabel('Partitions').fill(String(partitions));
  await dialog.getByTestId('dialog-create-topic-submit').click();
  await expect(dialog).toBeHidden();
  await expect(page.getByTestId(`replica-${name}-${partitions - 1}-b1`).or(page.getByTestId(`replica-${name}-${partitions - 1}-b2`)).first()).toBeAttached();
}

test('the layout keeps nodes apart as topics and clients are added, keeps dragged nodes, and Tidy resets them', async ({ page }) => {
  // A big cluster on a busy machine: room for the many steps.
  test.setTimeout(240_000);
  await openPlayground(page);
  await layoutSettled(page);
  expect(overlaps(await nodeBoxes(page))).toEqual([]);
  // Kafka's short names on a replica row say what they mean on hover.
  const row = page.getByTestId('replica-orders-0-b1');
  await expect(row.locator('abbr[title^="log end offset"]')).toHaveText('LEO');
  await expect(row.locator('abbr[title^="high watermark"]')).toHaveText('HW');
  await expect(row.locator('abbr[title^="log start offset"]')).toHaveText('start');
  await expect(page.locator('[data-role="leader"] abbr[title^="leader epoch"]').first()).toHaveText('epoch');

  await createTopic(page, 'six', 6);
  await createTopic(page, 'eight', 8);
  // A producer, and a new group of two consumers.
  await page.getByTestId('menu-producers').click();
  await page.getByTestId('menu-producer.add').click();
  await page.getByTestId('dialog-add-producer-submit').click();
  await expect(page.getByTestId('producer-producer-1')).toBeVisible();
  for (const id of ['audit-1', 'audit-2']) {
    await page.getByTestId('menu-consumers').click();
    await page.getByTestId('menu-consumer.add').click();
    const dialog = page.getByTestId('dialog-add-consumer');
    await dialog.getByTestId('consumer-group').fill('audit');
    await dialog.getByTestId('consumer-id').fill(id);
    await dialog.getByTestId('dialog-add-consumer-submit').click();
    await expect(page.getByTestId(`consumer-${id}`)).toBeVisible();
  }
  // Stopped, the page only has the layout to do: the checks read a still picture.
  await pause(page);
  await layoutSettled(page);
  // 17 replica rows a broker, 2 producers, 2 groups: nothing overlaps.
  await expect.poll(async () => overlaps(await nodeBoxes(page))).toEqual([]);
  const boxes = await nodeBoxes(page);
  expect(boxes.filter((b) => b.type === 'broker')).toHaveLength(3);
  expect(boxes.find((b) => b.id === 'broker-1')!.h).toBeGreaterThan(boxes.find((b) => b.id === 'group-billing')!.h * 3);
  await screenshot(page, '14-layout-grown');

  // The user drags broker 3 off to the right: it stays there when another topic comes.
  const header = page.getByTestId('broker-3').getByRole('button', { name: /^Broker 3/ });
  await dragBy(page, 'broker-3', header, 100, 40);
  const dragged = await canvasPosition(page, 'broker-3');
  await play(page);
  await createTopic(page, 'more', 2);
  await pause(page);
  await layoutSettled(page);
  expect(await canvasPosition(page, 'broker-3')).toBe(dragged);
  await expect.poll(async () => overlaps(await nodeBoxes(page))).toEqual([]);

  // Tidy forgets the drag: broker 3 goes back into the row, level with broker 1.
  await page.getByTestId('diagram-tidy').click();
  await expect.poll(() => canvasPosition(page, 'broker-3')).not.toBe(dragged);
  await layoutSettled(page);
  const y = (t: string) => /translate\([^,]+,\s*([-\d.]+)px\)/.exec(t)?.[1];
  await expect.poll(async () => y(await canvasPosition(page, 'broker-3'))).toBe(y(await canvasPosition(page, 'broker-1')));
  await expect.poll(async () => overlaps(await nodeBoxes(page))).toEqual([]);
  await screenshot(page, '14-layout-tidy');
});
