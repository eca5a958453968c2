/**
 * Journey: the story so far as a sequence diagram. After a broker is killed, the recent
 * events open as a Mermaid sequence diagram: the controller fences the broker and hands
 * leadership to another, as arrows between participants; the source can be copied.
 */
import { expect, openPlayground, screenshot, selectBroker, setSpeed, test } from './fixtures';

test('recent events open as a sequence diagram of who did what to whom', async ({ page, context }) => {
  await context.grantPermissions(['clipboard-read', 'clipboard-write']);
  await openPlayground(page);
  await selectBroker(page, 2);
  await page.keyboard.press('k');
  await setSpeed(page, 10);
  await expect(page.getByTestId('event').filter({ hasText: 'Controller fenced broker 2' }).first()).toBeVisible({ timeout: 30_000 });
  await setSpeed(page, 1);

  await page.getByTestId('events-sequence').click();
  const dialog = page.getByTestId('dialog-sequence');
  const svg = dialog.getByTestId('mermaid-view').locator('svg');
  await expect(svg).toBeVisible({ timeout: 20_000 });
  // Participants and the controller's messages, drawn as text in the SVG.
  await expect(svg).toContainText('Controller');
  await expect(svg).toContainText('Broker 2');
  await expect(svg).toContainText('fenced');
  await expect(svg).toContainText(/lead orders-\d, epoch 1/);
  await expect(dialog.getByTestId('mermaid-source')).toContainText('sequenceDiagram', { useInnerText: false });
  await screenshot(page, '13-sequence-diagram');

  await dialog.getByTestId('dialog-sequence-submit').click();
  await expect(dialog).toBeHidden();
  const copied = await page.evaluate(() => navigator.clipboard.readText());
  expect(copied.startsWith('sequenceDiagram\n  participant p1 as Controller')).toBe(true);
});
