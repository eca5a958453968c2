/**
 * Journey: the diagram exported as PNG and SVG files from the diagram's Export menu. The
 * files download (no network needed: the renderer is part of the build), the PNG starts
 * with PNG's signature and is a real picture, the SVG is an <svg> document holding the nodes.
 */
import { readFileSync } from 'node:fs';
import { expect, openPlayground, test, layoutSettled } from './fixtures';

test('the diagram downloads as a PNG and as an SVG', async ({ page }) => {
  await openPlayground(page);
  await layoutSettled(page);

  await page.getByTestId('diagram-export').click();
  const [png] = await Promise.all([page.waitForEvent('download'), page.getByTestId('diagram-export-png').click()]);
  expect(png.suggestedFilename()).toBe('kafka-playground-diagram.png');
  const pngBytes = readFileSync((await png.path())!);
  await png.saveAs('e2e/screenshots/17-exported.png');
  expect([...pngBytes.subarray(0, 8)]).toEqual([0x89, 0x50, 0x4e, 0x47, 0x0d, 0x0a, 0x1a, 0x0a]);
  expect(pngBytes.length).toBeGreaterThan(20_000);
  // IHDR: width and height (big-endian at 16 and 20) as large as the three brokers side by side.
  expect(pngBytes.readUInt32BE(16)).toBeGreaterThan(3 * 264);
  expect(pngBytes.readUInt32BE(20)).toBeGreaterThan(200);

  await page.getByTestId('diagram-export').click();
  const [svg] = await Promise.all([page.waitForEvent('download'), page.getByTestId('diagram-export-svg').click()]);
  expect(svg.suggestedFilename()).toBe('kafka-playground-diagram.svg');
  const svgText = readFileSync((await svg.path())!, 'utf8');
  expect(svgText.length).toBeGreaterThan(20_000);
  expect(svgText.trimStart()).toMatch(/^<svg[\s>]/);
  expect(svgText.trimEnd().endsWith('</svg>')).toBe(true);
  expect(svgText).toContain('Broker 1');
  expect(svgText).toContain('billing-1');
  // The edges are drawn too: their paths carry their stroke colour into the file.
  expect(svgText).toMatch(/class="react-flow__edge-path kedge kedge-replication[^"]*"[^>]*style="[^"]*stroke: rgb\(108, 155, 216\)/);
  // Export leaves the page as it was: the menu closed, focus back on its button.
  await expect(page.getByTestId('diagram-export')).toBeFocused();
});
