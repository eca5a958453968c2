/**
 * No render error blanks the app (issue 8): the diagram and each panel fail alone, say what
 * failed in plain text, and offer to try again or to reset the playground (with the reset's
 * confirmation).
 *
 * The failures are injected where the real ones came from. The diagram: @xyflow/react's
 * querySelector(`.react-flow__node[data-id="…"]`) throws, as it did for a client id with a
 * quote in it before node ids were encoded. That query runs when a drawn node's handles move
 * (xyflow measures a node that just mounted by itself), so the journeys create a topic: every
 * broker's replica rows change. (A consumer's first assignment moves its handles too, but may
 * arrive before its node is drawn on a slow machine.) The inspector: a helper its group view uses
 * throws. These tests expect errors on the console (React reports what a boundary caught),
 * so they use Playwright's plain `test`, not the fixture that fails on any console error.
 */
import { expect, test, type Page } from '@playwright/test';
import { screenshot } from './fixtures';

declare global {
  interface Window {
    breakDiagram?: boolean;
    breakInspector?: boolean;
  }
}

async function injectFailures(page: Page, initially: { diagram: boolean }): Promise<void> {
  await page.addInitScript((diagram) => {
    window.breakDiagram = diagram;
    const querySelector = Element.prototype.querySelector;
    Element.prototype.querySelector = function (this: Element, selector: string) {
      if (window.breakDiagram && selector.includes('.react-flow__node[data-id=')) {
        throw new DOMException(`Failed to execute 'querySelector' on 'Element': '${selector}' is not a valid selector.`, 'SyntaxError');
      }
      return querySelector.call(this, selector);
    } as typeof Element.prototype.querySelector;
    const padStart = String.prototype.padStart;
    String.prototype.padStart = function (this: string, length: number, fill?: string) {
      // describeGroup (the group inspector) pads partitions to 8 digits; nothing else does.
      if (window.breakInspector && length === 8) throw new TypeError('injected failure in the group view');
      return padStart.call(this, length, fill);
    };
  }, initially.diagram);
}

/** Opens the playground and creates a topic from the Cluster menu (outside the diagram), so drawn nodes' handles move. */
async function openAndMoveHandles(page: Page): Promise<void> {
  await page.goto('/');
  await expect(page.getByTestId('broker-1').or(page.getByTestId('diagram-error')).first()).toBeVisible();
  await page.getByTestId('menu-cluster').click();
  await page.getByTestId('menu-topic.create').click();
  const dialog = page.getByTestId('dialog-create-topic');
  await dialog.getByTestId('topic-name').fill('moved');
  await dialog.getByTestId('dialog-create-topic-submit').click();
  await expect(dialog).toBeHidden();
}

test('a diagram that fails to draw shows the error and a way on, and the rest of the app keeps working', async ({ page }) => {
  await injectFailures(page, { diagram: true });
  await openAndMoveHandles(page);
  const failure = page.getByTestId('diagram-error');
  await expect(failure).toBeVisible();
  await expect(page.getByTestId('diagram-error-message')).toContainText('is not a valid selector');
  // The rest of the app is there: the toolbar's clock runs, the inspector shows the cluster.
  await expect(page.getByTestId('inspector-overview')).toBeVisible();
  const clock = page.getByTestId('clock');
  const t = Number(await clock.getAttribute('data-ms'));
  await expect.poll(async () => Number(await clock.getAttribute('data-ms'))).toBeGreaterThan(t);
  await screenshot(page, 'error-boundary-diagram');

  // Try again once the cause is gone: the diagram is back.
  await page.evaluate(() => (window.breakDiagram = false));
  await failure.getByTestId('diagram-retry').click();
  await expect(page.getByTestId('broker-1')).toBeVisible();
  await expect(failure).toHaveCount(0);
});

test('reset playground from a failed diagram asks first, then starts over and draws again', async ({ page }) => {
  await injectFailures(page, { diagram: true });
  await openAndMoveHandles(page);
  const failure = page.getByTestId('diagram-error');
  await expect(failure).toBeVisible();
  await failure.getByTestId('diagram-reset').click();
  const dialog = page.getByTestId('storage-reset-dialog');
  await expect(dialog).toContainText('deletes everything');
  await dialog.getByRole('button', { name: 'Cancel' }).click();
  await expect(dialog).toHaveCount(0);
  await expect(failure).toBeVisible();

  await failure.getByTestId('diagram-reset').click();
  await page.evaluate(() => (window.breakDiagram = false));
  await page.getByTestId('storage-reset-confirm').click();
  await expect(page.getByTestId('broker-1')).toBeVisible();
  await expect(failure).toHaveCount(0);
  await expect(page.getByTestId('storage-status')).toHaveAttribute('data-state', 'saving');
});

test('a panel that fails to draw fails alone: the inspector says what failed, the diagram goes on', async ({ page }) => {
  await injectFailures(page, { diagram: false });
  await page.goto('/');
  await expect(page.getByTestId('broker-1')).toBeVisible();
  await page.evaluate(() => (window.breakInspector = true));
  await page.getByTestId('group-billing').getByRole('button', { name: /Consumer group billing/ }).click();
  const failure = page.getByTestId('inspector-error');
  await expect(failure).toBeVisible();
  await expect(page.getByTestId('inspector-error-message')).toHaveText('TypeError: injected failure in the group view');
  await expect(page.getByTestId('broker-3')).toBeVisible();
  await expect(page.getByTestId('event-log')).toBeVisible();
  await screenshot(page, 'error-boundary-inspector');

  await page.evaluate(() => (window.breakInspector = false));
  await failure.getByTestId('inspector-retry').click();
  await expect(page.getByTestId('inspector-group')).toBeVisible();
  await expect(failure).toHaveCount(0);
});
