/**
 * Journey: a student opens the exactly-once lesson. With a transaction open, the partition's
 * log shows the last stable offset held below the high watermark and the read_committed
 * consumer waiting there; the fenced zombie's transaction ends with an ABORT marker. Then
 * the student drives the transactional producer `tx-2` from its inspector: begin, produce,
 * commit (a COMMIT marker; the read_committed consumer reads the record), begin, produce,
 * abort (an ABORT marker; only the read_uncommitted consumer reads it).
 */
import type { Page } from '@playwright/test';
import { expect, openPlayground, screenshot, selectPartition, setSpeed, test } from './fixtures';

test.use({ actionTimeout: 60_000 });
const expectSlow = expect.configure({ timeout: 60_000 });

/** Escape clears the selection: the inspector shows the overview with the lesson's chapters again. */
async function backToOverview(page: Page): Promise<void> {
  await page.evaluate(() => (document.activeElement as HTMLElement | null)?.blur());
  await page.keyboard.press('Escape');
  await expect(page.getByTestId('inspector-overview')).toBeVisible();
}

async function showLog(page: Page): Promise<void> {
  await selectPartition(page, 'payments-0', 1);
  await page.getByTestId('inspector-partition').getByLabel('Replica').selectOption('');
}

async function produceWith(page: Page, value: string): Promise<void> {
  await page.getByTestId('cmd-producer.produce').click();
  const dialog = page.getByTestId('dialog-produce');
  await dialog.getByTestId('produce-key').fill(value);
  await dialog.getByTestId('produce-value').fill(value);
  await dialog.getByTestId('dialog-produce-submit').click();
  await expect(dialog).toBeHidden();
}

test('transactions: LSO and markers in the log, read_committed against read_uncommitted, commit and abort by hand', async ({ page }) => {
  test.setTimeout(600_000);
  await openPlayground(page);
  await page.getByTestId('menu-scenario').click();
  await page.getByTestId('menu-lesson.exactly-once-transactions').click();
  await expectSlow(page.getByTestId('inspector-overview').getByRole('heading', { level: 2 })).toHaveText('Exactly-once: transactions, markers and read_committed');
  await expectSlow(page.getByTestId('speed')).toBeEnabled();
  await setSpeed(page, 10);
  const now = page.getByTestId('chapter-now');

  // Chapter 1: the resend, read twice by both consumers.
  await expectSlow(now).toContainText('Chapter 1 of 6');
  await expect(page.getByTestId('consumer-isolation-rc')).toHaveText('read_committed');
  await expectSlow(page.getByTestId('consumer-rc')).toContainText('consumed 2');
  await expectSlow(page.getByTestId('consumer-ru')).toContainText('consumed 2');

  // Chapter 3: tx has a transaction open; the LSO stays at its first record.
  await page.getByTestId('chapter-next').click();
  await expectSlow(now).toContainText('Chapter 2 of 6');
  await page.getByTestId('chapter-next').click();
  await expectSlow(now).toContainText('Chapter 3 of 6');
  await expectSlow(page.getByTestId('clock')).toHaveAttribute('data-ms', '12000');
  await expect(page.getByTestId('producer-txn-tx')).toHaveText('in transaction');
  await showLog(page);
  await expectSlow(page.getByTestId('partition-lso')).toContainText('4');
  await expect(page.getByTestId('partition-lso')).toContainText('held by an open transaction');
  const log = page.getByTestId('partition-log');
  await expectSlow(log.getByTestId('log-lso')).toHaveText('4');
  await expect(log.getByTestId('log-hw')).toHaveText('5');
  await expect(log.getByTestId('marker-lso')).toBeVisible();
  await expect(log.getByTestId('log-row-3')).toHaveAttribute('data-control', 'COMMIT');
  await expect(log.getByTestId('log-row-4')).toContainText('pay-3');
  await expect(log.getByTestId('log-row-4')).toContainText('txn');
  // read_committed waits at the LSO; read_uncommitted already read the open transaction's record.
  await expectSlow(page.getByTestId('consumer-rc')).toContainText('consumed 3');
  await expectSlow(page.getByTestId('consumer-ru')).toContainText('consumed 4');
  await screenshot(page, '21-lso-open-transaction');

  // Chapter 4: tx-2 fenced tx; the coordinator aborted its transaction.
  await backToOverview(page);
  await page.getByTestId('chapter-next').click();
  await expectSlow(now).toContainText('Chapter 4 of 6');
  await expect(page.locator('[data-testid="event"][data-type="ProducerFenced"]').first()).toBeVisible();
  await showLog(page);
  await expectSlow(log.getByTestId('log-row-5')).toHaveAttribute('data-control', 'ABORT');
  await expect(log.getByTestId('marker-lso')).toHaveCount(0);
  await backToOverview(page);

  // To the end of the lesson (chapter 6): every transaction decided.
  await page.getByTestId('chapter-next').click();
  await expectSlow(now).toContainText('Chapter 5 of 6');
  await page.getByTestId('chapter-next').click();
  await expectSlow(now).toContainText('Chapter 6 of 6');
  await expectSlow(page.getByTestId('consumer-rc')).toContainText('consumed 4');
  await expectSlow(page.getByTestId('consumer-ru')).toContainText('consumed 6');

  // By hand: tx-2 begins, produces and commits.
  await page.getByTestId('producer-tx-2').getByRole('button').first().click();
  const inspector = page.getByTestId('inspector-producer');
  await expect(inspector).toBeVisible();
  await expectSlow(inspector.getByTestId('producer-txn-state')).toContainText('READY');
  await page.getByTestId('cmd-producer.beginTransaction').click();
  await expectSlow(inspector.getByTestId('producer-txn-state')).toContainText('IN_TRANSACTION');
  await expect(page.getByTestId('cmd-producer.beginTransaction')).toBeDisabled();
  await produceWith(page, 'bonus-5');
  await page.getByTestId('play-pause').click();
  await expectSlow(page.getByTestId('consumer-ru')).toContainText('consumed 7');
  await page.getByTestId('cmd-producer.commitTransaction').click();
  await expectSlow(inspector.getByTestId('producer-txn-state')).toContainText('READY');
  await expectSlow(page.getByTestId('consumer-rc')).toContainText('consumed 5');
  await expect(page.locator('[data-testid="event"][data-type="TransactionCommitted"]').first()).toBeVisible();

  // Then begins, produces and aborts: only read_uncommitted reads it.
  await page.getByTestId('cmd-producer.beginTransaction').click();
  await expectSlow(inspector.getByTestId('producer-txn-state')).toContainText('IN_TRANSACTION');
  await produceWith(page, 'oops-6');
  await expectSlow(page.getByTestId('consumer-ru')).toContainText('consumed 8');
  await page.getByTestId('cmd-producer.abortTransaction').click();
  await expectSlow(inspector.getByTestId('producer-txn-state')).toContainText('READY');
  await expectSlow(page.locator('[data-testid="event"][data-type="TransactionAborted"]').filter({ hasText: 'aborted' }).nth(2)).toBeVisible();
  await expect(page.getByTestId('consumer-rc')).toContainText('consumed 5');

  // The log shows both markers: COMMIT after bonus-5, ABORT after oops-6.
  await showLog(page);
  await expectSlow(log.getByTestId('log-row-10')).toContainText('bonus-5');
  await expectSlow(log.getByTestId('log-row-11')).toHaveAttribute('data-control', 'COMMIT');
  await expectSlow(log.getByTestId('log-row-12')).toContainText('oops-6');
  await expectSlow(log.getByTestId('log-row-13')).toHaveAttribute('data-control', 'ABORT');
  await screenshot(page, '21-markers');
});
