/**
 * Journey: the admin actions of issue 12, as a person does them. Add partitions to a topic
 * (keys move, the group rebalances onto the new partitions); add a broker and reassign a
 * partition onto it with a throttle, watching the new replica catch up and the move finish
 * (then --verify in the terminal clears the throttle); elect preferred leaders for a topic
 * after a broker came back; preview an offset reset (the dry-run table) and execute it.
 */
import type { Page } from '@playwright/test';
import { expect, openPlayground, pause, play, replica, screenshot, selectPartition, setSpeed, test } from './fixtures';

const B = '--bootstrap-server localhost:9092';

async function runInTerminal(page: Page, line: string): Promise<string> {
  const panel = page.getByTestId('terminal-panel');
  const before = Number(await panel.getAttribute('data-completed'));
  await page.keyboard.type(line);
  await page.keyboard.press('Enter');
  await expect(panel).toHaveAttribute('data-completed', String(before + 1), { timeout: 60_000 });
  const all = (await page.getByTestId('terminal-transcript').textContent()) ?? '';
  return all.slice(all.lastIndexOf(`$ ${line}\n`) + line.length + 3);
}

test('add partitions, a throttled reassignment, preferred leader election and an offset reset with a dry-run preview', async ({ page }) => {
  test.setTimeout(300_000);
  await openPlayground(page);
  const event = (text: string | RegExp) => page.getByTestId('event').filter({ hasText: text }).first();

  // ---- add partitions ----
  await page.getByTestId('inspector-overview').getByRole('button', { name: 'orders' }).click();
  const topicInspector = page.getByTestId('inspector-topic');
  await topicInspector.getByTestId('cmd-topic.addPartitions').click();
  const add = page.getByTestId('dialog-add-partitions');
  // Fewer is refused in Kafka's words, and the form stays.
  await add.getByTestId('add-partitions-count').fill('2');
  await add.getByTestId('dialog-add-partitions-submit').click();
  await expect(add).toContainText('Topic currently has 3 partitions, which is higher than the requested 2.');
  await add.getByTestId('add-partitions-count').fill('6');
  // Where sample keys go: some move to another partition.
  await expect(add.getByTestId('add-partitions-keys').locator('tr.moved').first()).toBeVisible();
  await screenshot(page, '20-add-partitions-dialog');
  await add.getByTestId('dialog-add-partitions-submit').click();
  await expect(add).toBeHidden();
  await expect(event(/orders now has 6 partitions \(was 3\)/)).toBeVisible();
  await expect(page.locator('[data-partition="orders-5"]')).toHaveCount(3);
  // The group leader sees the new partition count and the group rebalances onto them.
  await expect(event(/Group billing started rebalancing/)).toBeVisible({ timeout: 30_000 });
  const groupParts = page.getByTestId('group-billing');
  await expect(page.getByTestId('consumer-billing-1').locator('.consumer-parts').or(page.getByTestId('consumer-billing-2').locator('.consumer-parts')).filter({ hasText: /orders-[345]/ }).first()).toBeVisible({ timeout: 30_000 });
  await expect(groupParts).toBeVisible();

  // ---- a throttled reassignment onto a new broker ----
  await page.keyboard.press('Escape');
  await page.keyboard.press('b'); // Add broker 4
  await expect(page.getByTestId('broker-4')).toBeVisible();
  await expect(event('Broker 4 is up')).toBeVisible();
  // Let orders-0 hold some data first.
  await setSpeed(page, 10);
  await expect.poll(async () => Number(await replica(page, 'orders-0', 1).getAttribute('data-leo')), { timeout: 60_000 }).toBeGreaterThan(250);
  await setSpeed(page, 1);
  const leaderRow = page.locator('[data-partition="orders-0"][data-role="leader"]');
  const leaderTestId = (await leaderRow.getAttribute('data-testid'))!;
  const leader = Number(/-b(\d+)$/.exec(leaderTestId)![1]);
  await selectPartition(page, 'orders-0', leader);
  await page.getByTestId('inspector-partition').getByTestId('cmd-partition.reassign').click();
  const re = page.getByTestId('dialog-reassign');
  // Move it off its leader's broker onto broker 4, throttled to 2000 B/s.
  await re.getByTestId(`reassign-broker-${leader}`).uncheck();
  await re.getByTestId('reassign-broker-4').check();
  await re.getByTestId('reassign-leader').selectOption('4');
  await re.getByTestId('reassign-throttle').fill('2000');
  const others = [1, 2, 3].filter((b) => b !== leader);
  await expect(re.getByTestId('reassign-target')).toHaveText(`Target replicas: [4,${others.join(',')}]`);
  await re.getByTestId('dialog-reassign-submit').click();
  await expect(re).toBeHidden();
  await expect(event(/orders-0: reassignment to \[4,.*\] started \(adding \[4\], removing \[\d\]\)/)).toBeVisible();
  // The new replica row shows it is being added and catching up, throttled.
  await expect(page.getByTestId('reassign-orders-0-b4')).toHaveText('+ adding');
  await expect(page.getByTestId(`reassign-orders-0-b${leader}`)).toHaveText('− removing');
  await expect(page.getByTestId('catchup-orders-0-b4')).toBeVisible();
  await expect(page.getByTestId('partition-reassignment')).toContainText(`adding [4], removing [${leader}]`);
  await screenshot(page, '20-reassignment-in-progress');
  const fractions: number[] = [];
  await expect
    .poll(
      async () => {
        const f = await page.getByTestId('catchup-orders-0-b4').getAttribute('data-fraction').catch(() => null);
        if (f !== null) fractions.push(Number(f));
        return new Set(fractions).size;
      },
      { timeout: 60_000 },
    )
    .toBeGreaterThan(1);
  // It finishes: broker 4 joins the ISR, leads (the preferred leader), the old replica is deleted.
  await setSpeed(page, 10);
  await expect(event(/orders-0: reassignment completed; replicas \[4,/)).toBeVisible({ timeout: 120_000 });
  await setSpeed(page, 1);
  await expect(event(new RegExp(`Broker ${leader} deleted its replica of orders-0`))).toBeVisible();
  await expect(replica(page, 'orders-0', 4)).toHaveAttribute('data-role', 'leader');
  await expect(replica(page, 'orders-0', leader)).toHaveCount(0);
  await expect(page.getByTestId('reassign-orders-0-b4')).toHaveCount(0);
  await screenshot(page, '20-reassignment-done');

  // --verify in the terminal says it completed and removes the throttle.
  await page.keyboard.press('Escape');
  await page.getByTestId('toolbar-terminal').click();
  await expect(page.getByTestId('terminal-panel')).toBeVisible();
  await page.getByTestId('terminal').click();
  const plan = `'{"version":1,"partitions":[{"topic":"orders","partition":0,"replicas":[4,${others.join(',')}]}]}'`;
  const verify = await runInTerminal(page, `kafka-reassign-partitions.sh ${B} --verify --reassignment-json-file ${plan}`);
  expect(verify).toContain('Reassignment of partition orders-0 is completed.');
  expect(verify).toContain('Clearing broker-level throttles on brokers 1,2,3,4');
  expect(verify).toContain('Clearing topic-level throttles on topic orders');
  // The controller's own preferred election (auto.leader.rebalance.enable, every
  // leader.imbalance.check.interval.seconds = 300 s) would race the button below on a slow
  // machine running at 10x: switch it off so the election is the person's.
  const off = await runInTerminal(page, `kafka-configs.sh ${B} --alter --entity-type brokers --entity-default --add-config auto.leader.rebalance.enable=false`);
  expect(off).toContain('Completed updating default config for brokers in the cluster.');
  await page.getByTestId('toolbar-terminal').click();

  // ---- preferred leader election ----
  // Kill the leader of orders-1 and bring it back: it rejoins the ISR but does not lead.
  const p1Leader = Number(/-b(\d+)$/.exec((await page.locator('[data-partition="orders-1"][data-role="leader"]').getAttribute('data-testid'))!)![1]);
  await selectPartition(page, 'orders-1', p1Leader);
  await page.getByTestId('inspector-partition').getByTestId('cmd-partition.killLeader').click();
  await setSpeed(page, 10);
  await expect(page.locator('[data-partition="orders-1"][data-role="leader"]')).not.toHaveAttribute('data-testid', `replica-orders-1-b${p1Leader}`, { timeout: 30_000 });
  await setSpeed(page, 1);
  await page.getByTestId(`broker-${p1Leader}`).getByRole('button', { name: new RegExp(`^Broker ${p1Leader}`) }).click();
  await page.getByTestId('inspector-broker').getByTestId('cmd-broker.restart').click();
  await setSpeed(page, 10);
  await expect(replica(page, 'orders-1', p1Leader)).toHaveAttribute('data-role', 'in-sync', { timeout: 60_000 });
  await setSpeed(page, 1);
  await page.keyboard.press('Escape');
  await page.getByTestId('inspector-overview').getByRole('button', { name: 'orders' }).click();
  await page.getByTestId('inspector-topic').getByTestId('cmd-topic.electPreferred').click();
  await expect(event(/orders-1: .*preferred leader/)).toBeVisible();
  await expect(replica(page, 'orders-1', p1Leader)).toHaveAttribute('data-role', 'leader');

  // ---- offset reset: refused while the group is active, previewed, executed ----
  await page.keyboard.press('Escape');
  await page.getByTestId('group-billing').getByRole('button', { name: /Consumer group billing/ }).click();
  const groupInspector = page.getByTestId('inspector-group');
  await groupInspector.getByTestId('cmd-group.resetOffsets').click();
  const reset = page.getByTestId('dialog-reset');
  await reset.getByTestId('dialog-reset-submit').click();
  await expect(reset).toContainText("Assignments can only be reset if the group 'billing' is inactive, but the current state is Stable.");
  await reset.getByRole('button', { name: 'Cancel' }).click();
  for (const id of ['billing-1', 'billing-2']) {
    await page.getByTestId(`consumer-${id}`).getByRole('button').first().click();
    await page.getByTestId('inspector-consumer').getByTestId('cmd-consumer.close').click();
  }
  await expect(page.getByTestId('group-state-billing')).toHaveText('Empty', { timeout: 30_000 });
  await pause(page);
  await page.getByTestId('group-billing').getByRole('button', { name: /Consumer group billing/ }).click();
  await page.getByTestId('inspector-group').getByTestId('cmd-group.resetOffsets').click();
  await reset.getByTestId('reset-mode').selectOption('shift');
  await reset.getByTestId('reset-value').fill('-5');
  await expect(reset.getByTestId('dialog-reset-submit')).toHaveText('Preview (dry run)');
  await reset.getByTestId('dialog-reset-submit').click();
  const preview = reset.getByTestId('reset-preview');
  await expect(preview).toBeVisible();
  await expect(preview.locator('thead')).toHaveText('GROUPTOPICPARTITIONCURRENT-OFFSETNEW-OFFSET');
  const rows = preview.locator('tbody tr');
  await expect(rows).toHaveCount(6);
  // Each row: the new offset is the current one minus 5 (never below the log start).
  for (let i = 0; i < 6; i++) {
    const cells = await rows.nth(i).locator('td').allInnerTexts();
    expect(cells[0]).toBe('billing');
    expect(cells[1]).toBe('orders');
    if (cells[3] !== '-' && Number(cells[3]) >= 5) expect(Number(cells[4])).toBe(Number(cells[3]) - 5);
  }
  await screenshot(page, '20-reset-preview');
  const expected = (await rows.nth(0).locator('td').allInnerTexts())[4];
  await expect(reset.getByTestId('dialog-reset-submit')).toHaveText('Execute');
  await reset.getByTestId('dialog-reset-submit').click();
  await expect(reset).toBeHidden();
  await play(page);
  await expect(event(`Group billing: offset of orders-0 reset to ${expected}`)).toBeVisible({ timeout: 30_000 });
});
