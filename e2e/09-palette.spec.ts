/**
 * Journey: build on the cluster by dragging things in from the palette. A broker dropped
 * beside the brokers appears there and joins the cluster; a producer dropped on the canvas
 * opens its form and lands where it was dropped; a consumer dropped on a group joins that
 * group; a palette item pressed from the keyboard does the same without a drag.
 */
import type { Locator, Page } from '@playwright/test';
import { expect, openPlayground, screenshot, test, layoutSettled } from './fixtures';

/** Drags a palette item onto the diagram at a fraction of its size (or onto a locator). */
async function dropFromPalette(page: Page, item: string, onto: Locator, at?: { fx: number; fy: number }): Promise<void> {
  const box = (await onto.boundingBox())!;
  const position = at ? { x: box.width * at.fx, y: box.height * at.fy } : { x: box.width / 2, y: Math.min(20, box.height / 2) };
  // force: an edge's wide, invisible hit path may lie over the drop point (it did over the
  // group's header at 1280 x 720); a person's drop there lands on the edge and bubbles to the
  // diagram's drop handler, which finds the group by position, so Playwright's check that
  // the target itself receives the pointer does not apply.
  await page.getByTestId(`palette-${item}`).dragTo(onto, { targetPosition: position, force: true });
}

test('dragging from the palette adds a broker, a producer and consumers where they are dropped', async ({ page }) => {
  await openPlayground(page);
  const diagram = page.getByTestId('diagram');
  const palette = page.getByRole('button', { name: /Add a broker/ });
  await expect(palette).toBeVisible();

  // Pressing the consumer item (keyboard reachable) opens the form without a drag: a new group.
  await page.getByTestId('palette-consumer').focus();
  await page.keyboard.press('Enter');
  const addConsumer = page.getByTestId('dialog-add-consumer');
  await expect(addConsumer).toBeVisible();
  await addConsumer.getByTestId('consumer-group').fill('audit');
  await addConsumer.getByTestId('dialog-add-consumer-submit').click();
  const audit = page.getByTestId('group-audit');
  await expect(audit).toBeVisible();

  // A consumer dropped on the audit group joins audit (the form defaults to another group).
  await dropFromPalette(page, 'consumer', audit);
  await expect(addConsumer).toBeVisible();
  await expect(addConsumer.getByTestId('consumer-group')).toHaveValue('audit');
  await addConsumer.getByTestId('dialog-add-consumer-submit').click();
  await expect(page.getByTestId('consumer-audit-2')).toBeVisible();
  await expect(page.getByTestId('group-state-audit')).toHaveText('Stable', { timeout: 30_000 });

  // A broker dropped low on the right, under the row of brokers and beside the groups
  // (zoomed out first, as a person makes room on a full canvas).
  await page.getByRole('button', { name: 'Zoom Out' }).click();
  await page.getByRole('button', { name: 'Zoom Out' }).click();
  await dropFromPalette(page, 'broker', diagram, { fx: 0.88, fy: 0.8 });
  const b4 = page.getByTestId('broker-4');
  await expect(b4).toBeVisible();
  await expect(b4).toHaveAttribute('data-status', 'up');
  // The view refits to show it, so compare with the nodes as they are drawn once laid out.
  await layoutSettled(page);
  const b1Box = (await page.getByTestId('broker-1').boundingBox())!;
  const b4Box = (await b4.boundingBox())!;
  const billingBox = (await page.getByTestId('group-billing').boundingBox())!;
  expect(b4Box.y).toBeGreaterThan(b1Box.y + b1Box.height);
  expect(b4Box.x).toBeGreaterThan(billingBox.x + billingBox.width);
  await expect(page.getByTestId('event').filter({ hasText: /Broker 4/ }).first()).toBeVisible();

  // A producer dropped on the canvas: its form opens, and the node appears after Add.
  await dropFromPalette(page, 'producer', diagram, { fx: 0.9, fy: 0.12 });
  const addProducer = page.getByTestId('dialog-add-producer');
  await expect(addProducer).toBeVisible();
  await addProducer.getByTestId('dialog-add-producer-submit').click();
  const newProducer = page.getByTestId('producer-producer-1');
  await expect(newProducer).toBeVisible();
  const checkoutBox = (await page.getByTestId('producer-checkout').boundingBox())!;
  const newProducerBox = (await newProducer.boundingBox())!;
  expect(newProducerBox.x).toBeGreaterThan(checkoutBox.x + checkoutBox.width);

  // The topic item opens the create-topic form.
  await page.getByTestId('palette-topic').click();
  await expect(page.getByTestId('dialog-create-topic')).toBeVisible();
  await page.keyboard.press('Escape');
  await expect(page.getByTestId('dialog-create-topic')).toBeHidden();
  await screenshot(page, '09-palette');
});
