/**
 * Issue 10, opening a share link to a big cluster: the diagram fits its view to the nodes
 * without forcing the page's layout. The strip along the diagram's top (the quorum's line and
 * the legend) sets the fit's top padding; its box is read where the browser has just laid the
 * page out (a ResizeObserver's report), never in the effect that fits the view right after
 * the nodes were committed (that read forced a layout of the whole page, done again by the
 * next frame). The fit still keeps every node clear of the strip. The toolbar's height (which
 * the storage banners float below, as --toolbar-height) is read the same way: its read in a
 * layout effect forced the page's first layout inside the app's first commit.
 */
import { scaleScenario } from '../bench/workload';
import { encodeScenarioToFragment } from '../src/scenario/url';
import { expect, layoutSettled, test } from './fixtures';

test.describe.configure({ timeout: 180_000 });

test('opening a 6 x 50 link fits the diagram below its top strip without reading the strip or the toolbar outside the layout', async ({ page }) => {
  await page.addInitScript(() => {
    const w = window as unknown as { __kpStripReads: string[] };
    w.__kpStripReads = [];
    // Inside a ResizeObserver's callback the page has just been laid out: reads there are free.
    let inObserver = 0;
    const RO = window.ResizeObserver;
    window.ResizeObserver = class extends RO {
      constructor(cb: ResizeObserverCallback) {
        super((entries, ro) => {
          inObserver++;
          try {
            cb(entries, ro);
          } finally {
            inObserver--;
          }
        });
      }
    };
    const watched = (el: Element) => el.classList?.contains('diagram-top') || el.classList?.contains('toolbar');
    const watch = (proto: object, prop: string) => {
      const d = Object.getOwnPropertyDescriptor(proto, prop)!;
      Object.defineProperty(proto, prop, {
        ...d,
        get(this: HTMLElement) {
          if (inObserver === 0 && watched(this)) w.__kpStripReads.push(`${this.className}.${prop}`);
          return d.get!.call(this);
        },
      });
    };
    for (const p of ['offsetTop', 'offsetHeight', 'offsetWidth', 'clientHeight']) watch(HTMLElement.prototype, p);
    const gbcr = Element.prototype.getBoundingClientRect;
    Element.prototype.getBoundingClientRect = function (this: Element) {
      if (inObserver === 0 && watched(this)) w.__kpStripReads.push(`${this.className}.getBoundingClientRect`);
      return gbcr.call(this);
    };
  });
  const fragment = await encodeScenarioToFragment(scaleScenario(6, 50, 500, 3_600_000));
  await page.goto(`/${fragment.startsWith('#') ? fragment : `#${fragment}`}`);
  await expect(page.getByTestId('broker-6')).toBeVisible({ timeout: 60_000 });
  await layoutSettled(page, 60_000);
  // The view has been fitted to the nodes (zoomed out from 1 to hold the cluster).
  await expect.poll(() => page.evaluate(() => document.querySelector<HTMLElement>('.react-flow__viewport')?.style.transform ?? ''), { timeout: 30_000 }).toMatch(/scale\(0\.\d+\)/);

  expect(await page.evaluate(() => (window as unknown as { __kpStripReads: string[] }).__kpStripReads)).toEqual([]);

  // The toolbar's height reached the page as --toolbar-height (what the storage banners sit below).
  const toolbar = await page.locator('header.toolbar').boundingBox();
  expect(toolbar).not.toBeNull();
  await expect
    .poll(() => page.evaluate(() => document.documentElement.style.getPropertyValue('--toolbar-height')))
    .toBe(`${Math.ceil(toolbar!.height)}px`);

  // Every node sits below the strip, as before.
  const strip = await page.locator('.diagram-top').boundingBox();
  expect(strip).not.toBeNull();
  const tops = await page.locator('.react-flow__node').evaluateAll((els) => els.map((el) => el.getBoundingClientRect().top));
  expect(tops.length).toBeGreaterThan(6);
  for (const top of tops) expect(top).toBeGreaterThanOrEqual(strip!.y + strip!.height);
});
