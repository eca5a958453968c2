/**
 * Journey: a student takes every built-in lesson. Each opens from the Scenario menu, pauses
 * at its first chapter with that chapter's caption, Next plays on to the second chapter,
 * and one of its *Try this* buttons applies its change: the diagram or the event log shows
 * it (a "from the start" one opens the lesson again, paused at its first chapter).
 */
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import type { Page } from '@playwright/test';
import { expect, openPlayground, screenshot, setSpeed, test } from './fixtures';

interface LessonDoc {
  name: string;
  checkpoints: { at: number; caption: string }[];
  tryThis: { label: string; from?: 'start' | 'now' }[];
}

const readLesson = (id: string): LessonDoc => JSON.parse(readFileSync(join(import.meta.dirname, '..', 'src', 'scenario', 'lessons', `${id}.json`), 'utf8')) as LessonDoc;

/** The rendered caption's opening words (Markdown marks gone). */
const opening = (md: string) => md.replace(/[`*_]/g, '').slice(0, 40);

const event = (page: Page, type: string, text: string) => page.locator(`[data-testid="event"][data-type="${type}"]`).filter({ hasText: text }).first();

/** Which Try this each lesson's journey presses, and what shows that it applied. */
const TOUR: { id: string; tryThis: number; shows(page: Page): Promise<void> }[] = [
  { id: 'keys-order-per-partition', tryThis: 0, shows: (p) => expect(p.getByTestId('replica-orders-0-b1')).toHaveAttribute('data-leo', '5') },
  { id: 'replication-leader-followers', tryThis: 0, shows: (p) => expect(p.getByTestId('broker-1')).toHaveAttribute('data-status', 'down') },
  { id: 'acks-0-fire-and-forget', tryThis: 0, shows: (p) => expect(p.getByTestId('producer-acks-p')).toHaveText('acks=all') },
  { id: 'acks-1-loses-acknowledged-writes', tryThis: 0, shows: (p) => expect(event(p, 'ConfigAltered', 'min.insync.replicas=2')).toBeVisible() },
  { id: 'min-insync-replicas', tryThis: 0, shows: (p) => expect(event(p, 'ConfigAltered', 'min.insync.replicas=1')).toBeVisible() },
  { id: 'leader-election-failover', tryThis: 1, shows: (p) => expect(p.getByTestId('broker-2')).toHaveAttribute('data-status', 'down') },
  { id: 'kraft-controller-quorum', tryThis: 0, shows: (p) => expect(event(p, 'ControllerDown', 'Controller 3002 (quorum voter) is down')).toBeVisible() },
  { id: 'unclean-leader-election', tryThis: 0, shows: (p) => expect(event(p, 'ConfigAltered', 'unclean.leader.election.enable=false')).toBeVisible() },
  { id: 'consumer-group-scaling', tryThis: 0, shows: (p) => expect(event(p, 'ClientRemoved', 'Consumer c1 closed')).toBeVisible() },
  { id: 'consumer-lag', tryThis: 0, shows: (p) => expect(p.getByTestId('consumer-c2')).toBeVisible() },
  { id: 'rebalance-storm', tryThis: 0, shows: (p) => expect(event(p, 'ConfigAltered', 'max.poll.records=10')).toBeVisible() },
  { id: 'static-member-rejoins', tryThis: 0, shows: (p) => expect(event(p, 'ClientRemoved', 'Consumer c2 crashed')).toBeVisible() },
  { id: 'kip848-consumer-protocol', tryThis: 0, shows: (p) => expect(event(p, 'ClientRemoved', 'Consumer b1 crashed')).toBeVisible() },
  { id: 'at-least-once-duplicates', tryThis: 0, shows: (p) => expect(event(p, 'ConfigAltered', 'auto.commit.interval.ms=200')).toBeVisible() },
  { id: 'exactly-once-transactions', tryThis: 0, shows: (p) => expect(event(p, 'ConfigAltered', 'isolation.level=read_uncommitted')).toBeVisible() },
  { id: 'replay-reset-offsets', tryThis: 0, shows: (p) => expect(event(p, 'OffsetsReset', 'reset to 7')).toBeVisible() },
  { id: 'retention-time-and-size', tryThis: 0, shows: (p) => expect(event(p, 'ConfigAltered', 'retention.bytes=3000')).toBeVisible() },
  { id: 'compaction-latest-per-key', tryThis: 0, shows: (p) => expect(event(p, 'ConfigAltered', 'delete.retention.ms=600000')).toBeVisible() },
];

// Eighteen lessons in one journey on a shared 2-core machine: a starved renderer can take
// longer than the default 20 s to answer a click, so this journey waits longer per step.
test.use({ actionTimeout: 60_000 });
const expectSlow = expect.configure({ timeout: 60_000 });

test('every lesson opens, pauses at its chapters, and its Try this applies', async ({ page }) => {
  test.setTimeout(1_500_000);
  await openPlayground(page);
  const now = page.getByTestId('chapter-now');
  for (const { id, tryThis, shows } of TOUR) {
    const doc = readLesson(id);
    const chapters = [...doc.checkpoints].sort((a, b) => a.at - b.at);
    await page.getByTestId('menu-scenario').click();
    await page.getByTestId(`menu-lesson.${id}`).click();
    await expectSlow(page.getByTestId('inspector-overview').getByRole('heading', { level: 2 })).toHaveText(doc.name);
    await expectSlow(page.getByTestId('speed')).toBeEnabled();
    await setSpeed(page, 10);

    // Chapter 1: paused at its moment, its caption shown.
    await expectSlow(now).toContainText(`Chapter 1 of ${chapters.length}`, { timeout: 60_000 });
    await expectSlow(page.getByTestId('clock')).toHaveAttribute('data-ms', String(chapters[0]!.at));
    await expectSlow(page.getByTestId('play-pause')).toHaveAttribute('aria-label', 'Play');
    await expectSlow(now).toContainText(opening(chapters[0]!.caption));

    // Next: on to chapter 2.
    await page.getByTestId('chapter-next').click();
    await expectSlow(now).toContainText(`Chapter 2 of ${chapters.length}`, { timeout: 60_000 });
    await expectSlow(page.getByTestId('clock')).toHaveAttribute('data-ms', String(chapters[1]!.at));
    await expectSlow(now).toContainText(opening(chapters[1]!.caption));

    // Try this.
    const item = page.getByTestId(`try-this-${tryThis}`);
    await expectSlow(item).toContainText(doc.tryThis[tryThis]!.label);
    await page.getByTestId(`try-this-apply-${tryThis}`).click();
    await expectSlow(page.getByTestId('toast').filter({ hasText: `Try this: ${doc.tryThis[tryThis]!.label}` })).toBeVisible();
    if ((doc.tryThis[tryThis]!.from ?? 'start') === 'start') {
      // The lesson starts again with the change: it pauses at its first chapter again.
      await expectSlow(now).toContainText(`Chapter 1 of ${chapters.length}`, { timeout: 60_000 });
      await expectSlow(page.getByTestId('clock')).toHaveAttribute('data-ms', String(chapters[0]!.at));
    } else {
      await page.getByTestId('chapter-next').click();
    }
    await shows(page);
    if (id === 'min-insync-replicas' || id === 'consumer-group-scaling') await screenshot(page, `18-lesson-${id}`);
  }
});
