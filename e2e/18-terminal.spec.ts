/**
 * Journey: the Kafka command line. The terminal (xterm.js) is loaded only when it is first
 * opened; then each of Kafka's tools runs against the playground cluster and prints what
 * Kafka 4.x prints; Tab completes, Up recalls; what a command changes is a timeline action
 * and shows on the diagram.
 */
import type { Page } from '@playwright/test';
import { expect, openPlayground, screenshot, test } from './fixtures';

const B = '--bootstrap-server localhost:9092';

async function transcript(page: Page): Promise<string> {
  return (await page.getByTestId('terminal-transcript').textContent()) ?? '';
}

/** Types a command line, presses Enter, waits until it has finished and returns what it printed. */
async function run(page: Page, line: string, opts: { keys?: (page: Page) => Promise<void> } = {}): Promise<string> {
  const panel = page.getByTestId('terminal-panel');
  const before = Number(await panel.getAttribute('data-completed'));
  await page.keyboard.type(line);
  await page.keyboard.press('Enter');
  if (opts.keys) await opts.keys(page);
  await expect(panel).toHaveAttribute('data-completed', String(before + 1), { timeout: 60_000 });
  const all = await transcript(page);
  const start = all.lastIndexOf(`$ ${line}\n`);
  expect(start, `the transcript shows the command ${line}`).toBeGreaterThanOrEqual(0);
  return all.slice(start + line.length + 3);
}

test('the Kafka command line runs each tool against the cluster, in Kafka\'s output format', async ({ page }) => {
  // A long journey (a dozen commands, each waiting for the cluster): room on a busy machine.
  test.setTimeout(300_000);
  const requested: string[] = [];
  page.on('request', (r) => requested.push(r.url()));
  await openPlayground(page);
  await expect(page.locator('.xterm')).toHaveCount(0);
  expect(requested.filter((u) => /xterm/i.test(u)), 'xterm.js is not loaded before the terminal opens').toEqual([]);

  // Opened from the keyboard: the ` shortcut (also the toolbar's Terminal button).
  await page.keyboard.press('Backquote');
  const panel = page.getByTestId('terminal-panel');
  await expect(panel).toBeVisible();
  await expect(page.locator('.xterm')).toHaveCount(1);
  await expect.poll(() => requested.some((u) => /xterm/i.test(u))).toBe(true);
  await expect(page.getByTestId('terminal-transcript')).toContainText("Type 'help'");
  await page.getByTestId('terminal').click();

  expect(await run(page, `kafka-topics.sh ${B} --list`)).toBe('orders\n');

  // --create is a timeline action: the topic appears on the diagram.
  expect(await run(page, `kafka-topics.sh ${B} --create --topic payments --partitions 2 --replication-factor 3 --config min.insync.replicas=2`)).toBe('Created topic payments.\n');
  await expect(page.locator('[data-testid^="replica-payments-0-b"]')).toHaveCount(3);
  await expect(page.locator('[data-testid="tl-marker"][data-kind="action"]').first()).toBeAttached();

  // Tab completes the topic name; the describe output is Kafka's.
  await page.keyboard.type(`kafka-topics.sh ${B} --describe --topic pay`);
  await page.keyboard.press('Tab');
  const panel0 = page.getByTestId('terminal-panel');
  const done = Number(await panel0.getAttribute('data-completed'));
  await page.keyboard.press('Enter');
  await expect(panel0).toHaveAttribute('data-completed', String(done + 1), { timeout: 60_000 });
  const all = await transcript(page);
  // The completed line (Tab added the rest of the name, and maybe a space), then Kafka's output.
  const at = all.lastIndexOf(`$ kafka-topics.sh ${B} --describe --topic payments`);
  expect(at, 'Tab completed the topic name').toBeGreaterThanOrEqual(0);
  expect(all.slice(at, all.indexOf('\n', at)).trimEnd()).toBe(`$ kafka-topics.sh ${B} --describe --topic payments`);
  const cmd = all.slice(at, all.indexOf('\n', at) + 1);
  const out = all.slice(at + cmd.length).split('\n');
  expect(out[0]).toBe('Topic: payments\tPartitionCount: 2\tReplicationFactor: 3\tConfigs: min.insync.replicas=2');
  expect(out[1]).toMatch(/^\tTopic: payments\tPartition: 0\tLeader: [123]\tReplicas: [123],[123],[123]\tIsr: [123],[123],[123]\tElr: \tLastKnownElr: $/);
  expect(out[2]).toMatch(/^\tTopic: payments\tPartition: 1\tLeader: [123]\tReplicas: [123],[123],[123]\tIsr: [123],[123],[123]\tElr: \tLastKnownElr: $/);

  // Up recalls the last command.
  const completedBefore = Number(await panel.getAttribute('data-completed'));
  await page.keyboard.press('ArrowUp');
  await page.keyboard.press('Enter');
  await expect(panel).toHaveAttribute('data-completed', String(completedBefore + 1));
  expect((await transcript(page)).split(cmd).length - 1).toBe(2);

  // An unknown flag gets kafka-topics' own error.
  expect(await run(page, `kafka-topics.sh ${B} --describe --topc orders`)).toBe('Error while executing topic command : topc is not a recognized option\n');
  const help = await run(page, 'kafka-topics.sh --help');
  expect(help).toContain('This tool helps to create, delete, describe, or change a topic.\nOption                                   Description\n------                                   -----------\n--alter ');

  // The console producer reads lines until Ctrl+D; the consumer prints them back with their keys.
  const produced = await run(page, `kafka-console-producer.sh ${B} --topic payments --property parse.key=true --property key.separator=:`, {
    keys: async (p) => {
      await expect(page.getByTestId('terminal-transcript')).toContainText('key.separator=:\n');
      await p.keyboard.type('alice:10');
      await p.keyboard.press('Enter');
      // Typed on at once, as people do: the terminal keeps typeahead while the line is sent.
      await p.keyboard.type('bob:20');
      await p.keyboard.press('Enter');
      await expect.poll(() => transcript(page)).toContain('>bob:20\n');
      await p.keyboard.press('Control+D');
    },
  });
  expect(produced).toBe('>alice:10\n>bob:20\n');
  const consumed = await run(page, `kafka-console-consumer.sh ${B} --topic payments --from-beginning --property print.key=true --property print.partition=true --max-messages 2`);
  const records = consumed.split('\n').filter((l) => l.startsWith('Partition:')).sort();
  expect(records).toHaveLength(2);
  expect(records.map((l) => l.replace(/^Partition:[01]\t/, '')).sort()).toEqual(['alice\t10', 'bob\t20']);
  expect(consumed).toContain('Processed a total of 2 messages\n');

  // kafka-consumer-groups: the describe table in Kafka's columns; a reset refused while the group is active.
  expect(await run(page, `kafka-consumer-groups.sh ${B} --list`)).toMatch(/^billing\n/m);
  const groups = (await run(page, `kafka-consumer-groups.sh ${B} --describe --group billing`)).split('\n');
  expect(groups[1]).toMatch(/^GROUP {11}TOPIC {11}PARTITION {2}CURRENT-OFFSET {2}LOG-END-OFFSET {2}LAG {13}CONSUMER-ID +HOST +CLIENT-ID$/);
  expect(groups[2]).toMatch(/^billing {9}orders {10}0 {10}(\d+|-) +\d+ +(\d+|-) +billing-\d\S* +\/127\.0\.0\.1 +billing-\d$/);
  expect(await run(page, `kafka-consumer-groups.sh ${B} --reset-offsets --group billing --topic orders --to-earliest --execute`)).toBe(
    "\nError: Assignments can only be reset if the group 'billing' is inactive, but the current state is Stable.\n\n",
  );

  expect(await run(page, `kafka-configs.sh ${B} --alter --topic payments --add-config retention.ms=60000`)).toBe('Completed updating config for topic payments.\n');
  expect(await run(page, `kafka-configs.sh ${B} --describe --topic payments`)).toBe(
    'Dynamic configs for topic payments are:\n  min.insync.replicas=2 sensitive=false synonyms={DYNAMIC_TOPIC_CONFIG:min.insync.replicas=2}\n  retention.ms=60000 sensitive=false synonyms={DYNAMIC_TOPIC_CONFIG:retention.ms=60000}\n',
  );
  expect(await run(page, `kafka-leader-election.sh ${B} --election-type preferred --topic orders --partition 0`)).toBe('Valid replica already elected for partitions orders-0\n');
  expect(await run(page, `kafka-reassign-partitions.sh ${B} --list`)).toBe('No partition reassignments found.\n');
  const offsets = await run(page, `kafka-get-offsets.sh ${B} --topic payments`);
  const m = /^payments:0:(\d+)\npayments:1:(\d+)\n$/.exec(offsets);
  expect(m, offsets).not.toBeNull();
  expect(Number(m![1]) + Number(m![2])).toBe(2);

  await screenshot(page, '18-terminal');

  // Escape closes the panel; reopened, the session is as it was.
  await page.keyboard.press('Escape');
  await expect(panel).toBeHidden();
  await page.getByTestId('toolbar-terminal').click();
  await expect(panel).toBeVisible();
  await expect(page.getByTestId('terminal-transcript')).toContainText('No partition reassignments found.');
});
