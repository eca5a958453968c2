/**
 * Journey (issue 12): on a template from *New*, delete drawn edges (Delete on a selected
 * edge stops the load; an edge's context menu unsubscribes), change a producer's settings in
 * its form (a bad value is refused with the cluster's message and nothing is lost), remove a
 * producer with the Delete key and a broker from its context menu (its replicas stay
 * assigned: the partitions it held show under-replicated), and undo brings the broker back.
 */
import { drawEdge, expect, screenshot, selectBroker, test, layoutSettled } from './fixtures';

test('edit what was built: delete edges, change settings, remove a producer and a broker, undo', async ({ page }) => {
  test.setTimeout(240_000);
  await page.goto('/');
  await expect(page.getByTestId('broker-1')).toBeVisible();
  await page.keyboard.press('n');
  await page.getByTestId('template-three-racks').click();
  await page.getByTestId('dialog-new-submit').click();
  await expect(page.getByTestId('broker-3')).toContainText('rack rack-c');
  await expect(page.locator('[data-testid^="producer-"]')).toHaveCount(0);

  // A topic (RF 3, as the template's brokers default to), a producer and a consumer, from the palette.
  await page.getByTestId('palette-topic').click();
  await page.getByTestId('topic-name').fill('orders');
  await page.getByTestId('dialog-create-topic').getByLabel('Partitions').fill('2');
  await page.getByTestId('dialog-create-topic-submit').click();
  for (const b of [1, 2, 3]) await expect(page.getByTestId(`replica-orders-1-b${b}`)).toBeVisible();
  await page.getByTestId('palette-producer').click();
  await page.getByTestId('dialog-add-producer-submit').click();
  await page.getByTestId('palette-consumer').click();
  await page.getByTestId('consumer-group').fill('billing');
  await page.getByTestId('dialog-add-consumer-submit').click();
  await expect(page.getByTestId('group-state-billing')).toHaveText('Stable', { timeout: 30_000 });
  await layoutSettled(page);

  // producer → orders, drawn onto any replica row of orders.
  await drawEdge(page, page.getByTestId('connect-producer-producer-1'), page.locator('[data-testid^="replica-orders-0-b"]').first());
  await expect(page.getByTestId('producer-producer-1')).toContainText('10/s → orders');
  const consumer = page.getByTestId('consumer-billing-1');
  await expect.poll(async () => Number(/consumed (\d+)/.exec((await consumer.textContent()) ?? '')?.[1] ?? 0), { timeout: 30_000 }).toBeGreaterThan(3);

  // Select the produce edge by its label, press Delete: the load stops (an action on the timeline).
  const produceLabel = page.locator('[data-testid^="edge-label-produce:producer-1->orders-"]').first();
  await produceLabel.click();
  await expect(produceLabel).toHaveAttribute('data-selected', 'true');
  await screenshot(page, '20-edge-selected');
  await page.keyboard.press('Delete');
  await expect(page.getByTestId('producer-producer-1')).toContainText('no steady load');
  await expect(page.getByTestId('toast').filter({ hasText: 'producer-1 stops sending to orders.' })).toBeVisible();

  // The consumer's edge, right-clicked: Unsubscribe. It keeps no partition.
  const at = await page.locator('[data-testid^="rf__edge-consume:orders-"] path.react-flow__edge-interaction').first().evaluate((path: SVGPathElement) => {
    // A point on the line itself (its box's centre may lie off a curve).
    const p = path.getPointAtLength(path.getTotalLength() * 0.4);
    const m = path.getScreenCTM()!;
    return { x: p.x * m.a + p.y * m.c + m.e, y: p.x * m.b + p.y * m.d + m.f };
  });
  // On the edge itself: a label or a crossing edge can lie over any one point of a busy
  // diagram (a mouse click there opened nothing once in two runs), so the event goes to the edge.
  await page
    .locator('[data-testid^="rf__edge-consume:orders-"] path.react-flow__edge-interaction')
    .first()
    .dispatchEvent('contextmenu', { clientX: at.x, clientY: at.y, button: 2 });
  await expect(page.getByTestId('edge-menu')).toContainText('Unsubscribe billing-1 from orders');
  await page.getByTestId('edge-menu').getByRole('menuitem').click();
  await expect(consumer).toContainText('no partitions', { timeout: 30_000 });

  // Settings of the producer: a bad linger.ms is refused naming it, a good one is applied.
  await page.getByTestId('producer-producer-1').getByRole('button').first().click({ button: 'right' });
  await page.getByRole('menuitem', { name: /Settings of producer-1/ }).click();
  const form = page.getByTestId('dialog-config-producer');
  await expect(form.getByTestId('config-linger.ms')).toHaveAttribute('placeholder', 'default: 5');
  await expect(form).toContainText('In Kafka a producer\'s settings are fixed when it is created');
  await form.getByTestId('config-linger.ms').fill('soon');
  await form.getByTestId('config-batch.size').fill('32768');
  await form.getByTestId('dialog-config-producer-submit').click();
  await expect(form.getByRole('alert')).toHaveText('Invalid value "soon" for configuration linger.ms: expected a number.');
  // Nothing typed is lost: the other field keeps its value.
  await expect(form.getByTestId('config-batch.size')).toHaveValue('32768');
  await form.getByTestId('config-linger.ms').fill('20');
  await form.getByTestId('config-acks').selectOption('1');
  await form.getByTestId('config-enable.idempotence').selectOption('false');
  await screenshot(page, '20-producer-settings');
  await form.getByTestId('dialog-config-producer-submit').click();
  await expect(form).toHaveCount(0);
  await expect(page.getByTestId('producer-acks-producer-1')).toHaveText('acks=1');
  await expect(page.getByTestId('event').filter({ hasText: /linger\.ms=20/ }).first()).toBeVisible();

  // Remove the producer: select it, press Delete.
  await page.getByTestId('producer-producer-1').getByRole('button').first().click();
  await page.keyboard.press('Delete');
  await expect(page.getByTestId('producer-producer-1')).toHaveCount(0);

  // Remove broker 3 from its context menu: gone from the diagram, its replicas still assigned.
  await selectBroker(page, 3);
  await page.getByTestId('broker-3').getByRole('button', { name: /^Broker 3/ }).click({ button: 'right' });
  await page.getByRole('menuitem', { name: /Remove broker 3/ }).click();
  await expect(page.getByTestId('broker-3')).toHaveCount(0);
  await expect(page.getByTestId('event').filter({ hasText: /Broker 3 removed: stopped and unregistered/ }).first()).toContainText('still list it as a replica');
  await expect(page.locator('[data-testid^="under-replicated-orders-"]')).toHaveCount(2, { timeout: 30_000 });
  await screenshot(page, '20-broker-removed');

  // Undo brings broker 3 back (the removal was an action on the timeline like any other).
  await page.keyboard.press('Control+z');
  await expect(page.getByTestId('broker-3')).toBeVisible();
});
