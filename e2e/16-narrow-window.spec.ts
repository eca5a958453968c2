/**
 * Journey: the playground at 800 × 600. The inspector and the event log are drawers: the
 * diagram has the window; selecting a broker slides its inspector in, readable and inside
 * the window; Escape closes it; the Events button opens the log. At 1280 × 720 the panels
 * stay in the frame and there are no drawer buttons.
 */
import { expect, openPlayground, screenshot, selectBroker, test } from './fixtures';

test.use({ viewport: { width: 800, height: 600 } });

test('at 800 px the side panels are drawers: a broker inspector and the event log open over the diagram', async ({ page }) => {
  await openPlayground(page);
  const inspector = page.getByTestId('inspector');
  const log = page.getByTestId('event-log');
  await expect(inspector).toBeHidden();
  await expect(log).toBeHidden();
  // The diagram has the whole width.
  const diagram = (await page.getByTestId('diagram').boundingBox())!;
  expect(diagram.width).toBeGreaterThan(780);
  await screenshot(page, '16-narrow-closed');

  await selectBroker(page, 1);
  const broker = page.getByTestId('inspector-broker');
  await expect(broker).toContainText('Broker 1');
  await expect(page.getByTestId('drawer-inspector')).toHaveAttribute('aria-expanded', 'true');
  // Inside the window, not pushed off its right edge.
  await expect.poll(async () => {
    const box = (await inspector.boundingBox())!;
    return box.x >= 0 && box.x + box.width <= 800 + 0.5;
  }).toBe(true);
  await screenshot(page, '16-narrow-inspector');

  await page.keyboard.press('Escape');
  await expect(inspector).toBeHidden();

  await page.getByTestId('drawer-log').click();
  await expect(log).toBeVisible();
  await expect(log.getByTestId('event').first()).toBeVisible();
  await expect.poll(async () => {
    const box = (await log.boundingBox())!;
    return box.y >= 0 && box.y + box.height <= 600 + 0.5 && box.width <= 800 + 0.5;
  }).toBe(true);
  await screenshot(page, '16-narrow-events');
  await page.getByTestId('drawer-log').click();
  await expect(log).toBeHidden();
});

test('at 1280 px the inspector and the event log stay in the frame, without drawer buttons', async ({ page }) => {
  await page.setViewportSize({ width: 1280, height: 720 });
  await openPlayground(page);
  await expect(page.getByTestId('inspector')).toBeVisible();
  await expect(page.getByTestId('event-log')).toBeVisible();
  await expect(page.getByTestId('drawer-inspector')).toBeHidden();
  const box = (await page.getByTestId('inspector').boundingBox())!;
  expect(box.x + box.width).toBeLessThanOrEqual(1280.5);
  await screenshot(page, '16-wide');
});
