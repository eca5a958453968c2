/**
 * Kafka's command-line tools against a real cluster in Node: the parser's errors in
 * joptsimple's and Kafka's words, each tool's output in the format Kafka 4.x prints, and
 * every change recorded on the timeline (so a share link replays it).
 */
import { describe, expect, it } from 'vitest';
import { Cluster } from '../kafka/cluster';
import { defaultScenario } from '../scenario/default-scenario';
import { CapturedIO, NodeCliContext } from './node-context';
import { OptionError, formatHelp, parseOptions, tokenize, withDefaults } from './options';
import { complete, runLine } from './shell';
import { TOPICS_OPTIONS } from './topics';
import { parseDateTime, parseDuration } from './consumer-groups';
import { parseAddConfig } from './admin';
import { readLineRecord, formatRecord, formatterProps } from './console';

const B = '--bootstrap-server localhost:9092';

async function sh(ctx: NodeCliContext, line: string, stdin: string[] = []): Promise<{ code: number; out: string; err: string }> {
  const io = new CapturedIO(stdin);
  const code = await runLine(line, ctx, io);
  return { code, out: io.stdout, err: io.stderr };
}

function fresh(ms = 5000): NodeCliContext {
  const ctx = new NodeCliContext(defaultScenario);
  ctx.advance(ms);
  return ctx;
}

describe('option parser (joptsimple)', () => {
  const specs = withDefaults(TOPICS_OPTIONS);
  it('reads flags, values, --opt=value and unambiguous prefixes', () => {
    const o = parseOptions(specs, ['--bootstrap', 'h:1', '--topic=orders', '--partitions', '3', '--create', '--config', 'a=1', '--config', 'b=2']);
    expect(o.value('bootstrap-server')).toBe('h:1');
    expect(o.value('topic')).toBe('orders');
    expect(o.value('partitions')).toBe('3');
    expect(o.has('create')).toBe(true);
    expect(o.all('config')).toEqual(['a=1', 'b=2']);
  });
  it('names an unknown option as joptsimple does', () => {
    expect(() => parseOptions(specs, ['--topc', 'x'])).toThrow(new OptionError('topc is not a recognized option', 'unrecognized'));
  });
  it('says an option requires an argument', () => {
    expect(() => parseOptions(specs, ['--list', '--topic'])).toThrow('Option topic requires an argument');
  });
  it('refuses a non-number for an Integer option', () => {
    expect(() => parseOptions(specs, ['--partitions', 'three'])).toThrow("Cannot parse argument 'three' of option partitions");
  });
  it('an ambiguous prefix is an error naming the candidates', () => {
    expect(() => parseOptions(specs, ['--under', 'x'])).toThrow("Option 'under' cannot be resolved: it could be under-replicated-partitions, under-min-isr-partitions");
  });
  it('tokenizes like a shell: quotes and escapes', () => {
    expect(tokenize(`a 'b c' "d \\"e\\"" f\\ g`).tokens).toEqual(['a', 'b c', 'd "e"', 'f g']);
    expect(tokenize(`a 'b`).error).toMatch(/matching/);
  });
  it('--help lays options out in two columns of an 80-column table, sorted', () => {
    const help = formatHelp(withDefaults(TOPICS_OPTIONS));
    const lines = help.split('\n');
    expect(lines[0]).toBe(`${'Option'.padEnd(41)}Description`);
    expect(lines[1]).toBe(`${'------'.padEnd(41)}-----------`);
    for (const l of lines) expect(l.length).toBeLessThanOrEqual(80);
    const flags = lines.filter((l) => l.startsWith('--')).map((l) => l.split(' ')[0]);
    expect(flags).toEqual([...flags].sort());
    expect(help).toContain('--bootstrap-server <String: server to');
    expect(help).toContain('--partitions <Integer: # of partitions>');
  });
});

describe('kafka-topics.sh', () => {
  it('--list and --describe print what Kafka prints', async () => {
    const ctx = fresh();
    expect(await sh(ctx, `kafka-topics.sh ${B} --list`)).toEqual({ code: 0, out: 'orders\n', err: '' });
    const d = await sh(ctx, `kafka-topics.sh ${B} --describe --topic orders`);
    const lines = d.out.split('\n');
    expect(lines).toHaveLength(5);
    expect(lines[4]).toBe('');
    expect(lines[0]).toBe('Topic: orders\tPartitionCount: 3\tReplicationFactor: 3\tConfigs: min.insync.replicas=2');
    const snap = ctx.snapshot();
    for (let p = 0; p < 3; p++) {
      const v = snap.partitions.find((x) => x.topic === 'orders' && x.partition === p)!;
      expect(lines[p + 1]).toBe(`\tTopic: orders\tPartition: ${p}\tLeader: ${v.leader}\tReplicas: ${v.replicas.join(',')}\tIsr: ${v.isr.join(',')}\tElr: \tLastKnownElr: `);
    }
  });

  it('--create makes a topic through a timeline action; a second create fails as Kafka says', async () => {
    const ctx = fresh();
    const r = await sh(ctx, `kafka-topics.sh ${B} --create --topic payments --partitions 2 --replication-factor 2 --config retention.ms=60000`);
    expect(r).toEqual({ code: 0, out: 'Created topic payments.\n', err: '' });
    const t = ctx.snapshot().topics.find((x) => x.name === 'payments')!;
    expect(t).toMatchObject({ partitions: 2, replicationFactor: 2, config: { 'retention.ms': 60000 } });
    expect(ctx.cluster.scenario().timeline!.some((a) => a.op === 'createTopic' && a.name === 'payments')).toBe(true);
    expect(await sh(ctx, `kafka-topics.sh ${B} --create --topic payments`)).toEqual({ code: 1, out: "Error while executing topic command : Topic 'payments' already exists.\n", err: '' });
    expect((await sh(ctx, `kafka-topics.sh ${B} --create --topic payments --if-not-exists`)).code).toBe(0);
  });

  it('a refused create reports the cluster\'s error (replication factor over the brokers)', async () => {
    const ctx = fresh();
    const r = await sh(ctx, `kafka-topics.sh ${B} --create --topic wide --partitions 1 --replication-factor 5`);
    expect(r.code).toBe(1);
    expect(r.out).toMatch(/^Error while executing topic command : Unable to replicate the partition 5 time\(s\)/);
  });

  it('errors: unknown flag, missing --topic, no action, no --bootstrap-server, missing topic', async () => {
    const ctx = fresh();
    expect(await sh(ctx, `kafka-topics.sh ${B} --describe --topc orders`)).toEqual({ code: 1, out: 'Error while executing topic command : topc is not a recognized option\n', err: '' });
    const miss = await sh(ctx, `kafka-topics.sh ${B} --create`);
    expect(miss.code).toBe(1);
    expect(miss.err.split('\n')[0]).toBe('Missing required argument "[topic]"');
    expect(miss.err).toContain('Option                                   Description');
    expect((await sh(ctx, `kafka-topics.sh ${B} --topic orders`)).err.split('\n')[0]).toBe('Command must include exactly one action: --list, --describe, --create, --alter or --delete');
    expect(await sh(ctx, 'kafka-topics.sh --list')).toEqual({ code: 1, out: '', err: '--bootstrap-server must be specified\n' });
    expect(await sh(ctx, `kafka-topics.sh ${B} --describe --topic nope`)).toEqual({ code: 1, out: '', err: "Topic 'nope' does not exist as expected\n" });
    expect((await sh(ctx, `kafka-topics.sh ${B} --list --replication-factor 2`)).err.split('\n')[0]).toBe(`Option "[replication-factor]" can't be used with option "[list]"`);
  });

  it('--help prints the purpose and the table; --alter --partitions adds partitions (never fewer); --delete removes the topic', async () => {
    const ctx = fresh();
    const h = await sh(ctx, 'kafka-topics.sh --help');
    expect(h.code).toBe(0);
    expect(h.err.split('\n')[0]).toBe('This tool helps to create, delete, describe, or change a topic.');
    expect(await sh(ctx, `kafka-topics.sh ${B} --alter --topic orders --partitions 2`)).toEqual({
      code: 1,
      out: 'Error while executing topic command : Topic currently has 3 partitions, which is higher than the requested 2.\n',
      err: '',
    });
    expect((await sh(ctx, `kafka-topics.sh ${B} --alter --topic orders --partitions 3`)).out).toBe('Error while executing topic command : Topic already has 3 partitions.\n');
    expect((await sh(ctx, `kafka-topics.sh ${B} --alter --topic orders`)).err.split('\n')[0]).toBe('Missing required argument "[partitions]"');
    expect(await sh(ctx, `kafka-topics.sh ${B} --alter --topic orders --partitions 6`)).toEqual({ code: 0, out: '', err: '' });
    ctx.advance(1000);
    expect(ctx.snapshot().topics.find((t) => t.name === 'orders')!.partitions).toBe(6);
    expect((await sh(ctx, `kafka-topics.sh ${B} --describe --topic orders`)).out.split('\n')[0]).toMatch(/^Topic: orders\tPartitionCount: 6\t/);
    expect(ctx.cluster.scenario().timeline!.filter((a) => a.op === 'addPartitions')).toEqual([expect.objectContaining({ topic: 'orders', partitions: 6 })]);
    expect(await sh(ctx, `kafka-topics.sh ${B} --delete --topic orders`)).toEqual({ code: 0, out: '', err: '' });
    expect(ctx.snapshot().topics).toEqual([]);
  });

  it('describe filters: --under-replicated-partitions shows only those after a broker dies', async () => {
    const ctx = fresh();
    expect((await sh(ctx, `kafka-topics.sh ${B} --describe --under-replicated-partitions`)).out).toBe('');
    await ctx.perform({ op: 'killBroker', broker: 3 });
    ctx.advance(40_000);
    const r = await sh(ctx, `kafka-topics.sh ${B} --describe --under-replicated-partitions`);
    const lines = r.out.trimEnd().split('\n');
    expect(lines).toHaveLength(3);
    for (const l of lines) expect(l).toMatch(/^\tTopic: orders\tPartition: \d\tLeader: [12]\tReplicas: [\d,]+\tIsr: [12],[12]\t/);
  });
});

describe('console producer and consumer', () => {
  it('LineMessageReader: parse.key with a separator, null.marker, and the error for a line without one', () => {
    const p = { parseKey: true, keySeparator: ':', ignoreError: false, nullMarker: 'NULL' };
    expect(readLineRecord('k:v:w', 1, p)).toEqual({ key: 'k', value: 'v:w' });
    expect(readLineRecord('NULL:v', 1, p)).toEqual({ key: null, value: 'v' });
    expect(readLineRecord('nokey', 3, p)).toEqual({ error: "No key separator found on line number 3: 'nokey'" });
    expect(readLineRecord('nokey', 3, { ...p, ignoreError: true })).toEqual({ key: null, value: 'nokey' });
  });

  it('DefaultMessageFormatter: the columns in Kafka\'s order', () => {
    const f = formatterProps({ 'print.key': 'true', 'print.offset': 'true', 'print.partition': 'true', 'print.timestamp': 'true' });
    expect(formatRecord({ offset: 5, key: 'k', value: 'v', timestamp: 42 }, 1, f)).toBe('CreateTime:42\tPartition:1\tOffset:5\tk\tv\n');
    expect(formatRecord({ offset: 5, key: null, value: 'v', timestamp: 42 }, 1, formatterProps({ 'print.key': 'true' }))).toBe('null\tv\n');
    expect(formatRecord({ offset: 5, key: 'k', value: 'v', timestamp: 42 }, 1, formatterProps({}))).toBe('v\n');
  });

  it('produces keyed lines as timeline actions and consumes them back with keys, offsets and partitions', async () => {
    const ctx = fresh();
    await sh(ctx, `kafka-topics.sh ${B} --create --topic payments --partitions 1 --replication-factor 3`);
    const p = await sh(ctx, `kafka-console-producer.sh ${B} --topic payments --property parse.key=true --property key.separator=:`, ['alice:10', 'bob:20']);
    expect(p).toEqual({ code: 0, out: '>>>', err: '' });
    const produced = ctx.cluster.scenario().timeline!.filter((a) => a.op === 'produce');
    expect(produced.map((a) => a.op === 'produce' && [a.key, a.value])).toEqual([
      ['alice', '10'],
      ['bob', '20'],
    ]);
    expect(ctx.snapshot().producers.find((x) => x.id === 'console-producer')).toBeUndefined();
    const c = await sh(ctx, `kafka-console-consumer.sh ${B} --topic payments --from-beginning --property print.key=true --property print.offset=true --property print.partition=true --max-messages 2`);
    expect(c).toEqual({ code: 0, out: 'Partition:0\tOffset:0\talice\t10\nPartition:0\tOffset:1\tbob\t20\n', err: 'Processed a total of 2 messages\n' });
    // It was a real member of a generated group, without auto commit, and it left.
    const added = ctx.cluster.scenario().timeline!.find((a) => a.op === 'addConsumer');
    expect(added).toMatchObject({ groupId: expect.stringMatching(/^console-consumer-\d+$/), config: { 'auto.offset.reset': 'earliest', 'enable.auto.commit': false } });
    expect(ctx.cluster.scenario().timeline!.some((a) => a.op === 'removeConsumer')).toBe(true);
  });

  it('a line without the separator ends the producer with Kafka\'s exception', async () => {
    const ctx = fresh();
    const p = await sh(ctx, `kafka-console-producer.sh ${B} --topic orders --property parse.key=true`, ['nokey']);
    expect(p.code).toBe(1);
    expect(p.err).toBe("org.apache.kafka.common.KafkaException: No key separator found on line number 1: 'nokey'\n");
  });

  it('a send that fails prints ErrorLoggingCallback\'s line (NOT_ENOUGH_REPLICAS with two brokers down)', async () => {
    const ctx = fresh();
    await ctx.perform({ op: 'killBroker', broker: 2 });
    await ctx.perform({ op: 'killBroker', broker: 3 });
    ctx.advance(40_000);
    const p = await sh(ctx, `kafka-console-producer.sh ${B} --topic orders --producer-property delivery.timeout.ms=5000 --producer-property request.timeout.ms=2000`, ['x']);
    expect(p.err).toMatch(/^\[1970-01-01 00:00:\d\d,\d{3}\] ERROR Error when sending message to topic orders with key: null, value: 1 bytes with error: \(org\.apache\.kafka\.clients\.producer\.internals\.ErrorLoggingCallback\)\norg\.apache\.kafka\.common\.errors\.(NotEnoughReplicas|Timeout)Exception/);
  });

  it('with --group the consumer joins that group, and stops after --timeout-ms without records', async () => {
    const ctx = fresh();
    await sh(ctx, `kafka-topics.sh ${B} --create --topic quiet --partitions 1 --replication-factor 1`);
    const c = await sh(ctx, `kafka-console-consumer.sh ${B} --topic quiet --group audit --timeout-ms 3000`);
    expect(c.code).toBe(0);
    expect(c.err).toMatch(/ERROR Error processing message, terminating consumer process: {2}\(org\.apache\.kafka\.tools\.consumer\.ConsoleConsumer\)\norg\.apache\.kafka\.common\.errors\.TimeoutException\nProcessed a total of 0 messages\n$/);
    expect(ctx.cluster.scenario().timeline!.find((a) => a.op === 'addConsumer')).toMatchObject({ groupId: 'audit', topics: ['quiet'] });
  });

  it('the consumer\'s errors: unknown flag, no topic', async () => {
    const ctx = fresh();
    const u = await sh(ctx, `kafka-console-consumer.sh ${B} --topic orders --from-begining`);
    expect(u.code).toBe(1);
    expect(u.err.split('\n')[0]).toBe('from-begining is not a recognized option');
    expect((await sh(ctx, `kafka-console-consumer.sh ${B}`)).err.split('\n')[0]).toBe('Exactly one of include/topic is required.');
    expect((await sh(ctx, `kafka-console-producer.sh ${B}`)).err.split('\n')[0]).toBe('Missing required argument "[topic]"');
  });
});

describe('kafka-consumer-groups.sh', () => {
  it('--list, --describe (offsets, members, state) in Kafka\'s columns', async () => {
    const ctx = fresh(12_000);
    expect((await sh(ctx, `kafka-consumer-groups.sh ${B} --list`)).out).toBe('billing\n');
    const d = await sh(ctx, `kafka-consumer-groups.sh ${B} --describe --group billing`);
    const lines = d.out.split('\n');
    expect(lines[0]).toBe('');
    const header = lines[1]!;
    expect(header).toMatch(/^GROUP {11}TOPIC {11}PARTITION {2}CURRENT-OFFSET {2}LOG-END-OFFSET {2}LAG {13}CONSUMER-ID +HOST +CLIENT-ID$/);
    const g = ctx.snapshot().groups.find((x) => x.groupId === 'billing')!;
    const rows = lines.slice(2).filter((l) => l !== '');
    expect(rows).toHaveLength(3);
    for (const row of rows) {
      // Every column starts where its header starts.
      for (const col of ['TOPIC', 'PARTITION', 'CURRENT-OFFSET', 'LOG-END-OFFSET', 'LAG', 'CONSUMER-ID', 'HOST', 'CLIENT-ID']) {
        const at = header.indexOf(col);
        expect(row[at - 1]).toBe(' ');
        expect(row[at]).not.toBe(' ');
      }
      const [group, topic, partition, current, end, lag] = row.split(/\s+/);
      const o = g.offsets.find((x) => x.topic === topic && x.partition === Number(partition))!;
      expect([group, current, end, lag]).toEqual(['billing', String(o.committed ?? '-'), String(o.logEndOffset), String(o.lag ?? '-')]);
    }
    const m = await sh(ctx, `kafka-consumer-groups.sh ${B} --describe --group billing --members --verbose`);
    expect(m.out.split('\n')[1]).toMatch(/^GROUP {11}CONSUMER-ID +HOST {12}CLIENT-ID {7}#PARTITIONS {5}ASSIGNMENT$/);
    expect(m.out).toMatch(/billing +\S+ +\/127\.0\.0\.1 +billing-1 +2 +orders\(0,1\)\n/);
    const s = await sh(ctx, `kafka-consumer-groups.sh ${B} --describe --group billing --state`);
    expect(s.out.split('\n')[1]).toMatch(/^GROUP {21}COORDINATOR \(ID\) {10}ASSIGNMENT-STRATEGY {2}STATE {11}#MEMBERS$/);
    expect(s.out.split('\n')[2]).toMatch(/^billing +broker\d:9092 {2}\(\d\) +range +Stable +2$/);
    const list = await sh(ctx, `kafka-consumer-groups.sh ${B} --list --state`);
    expect(list.out).toBe(`${'GROUP'.padEnd(25)} ${'STATE'.padEnd(20)}\n${'billing'.padEnd(25)} ${'Stable'.padEnd(20)}\n`);
  });

  it('a group that does not exist, and an unknown flag', async () => {
    const ctx = fresh();
    expect(await sh(ctx, `kafka-consumer-groups.sh ${B} --describe --group nope`)).toEqual({ code: 0, out: "\nError: Consumer group 'nope' does not exist.\n", err: '' });
    const u = await sh(ctx, `kafka-consumer-groups.sh ${B} --describe --grop billing`);
    expect(u.code).toBe(1);
    expect(u.err.split('\n')[0]).toBe('grop is not a recognized option');
    expect((await sh(ctx, `kafka-consumer-groups.sh ${B} --describe`)).err.split('\n')[0]).toBe('Option [describe] takes one of these options: [group], [all-groups]');
  });

  it('--reset-offsets: refused while members are active; dry run changes nothing; --execute is a timeline action', async () => {
    const ctx = fresh(12_000);
    const busy = await sh(ctx, `kafka-consumer-groups.sh ${B} --reset-offsets --group billing --topic orders --to-earliest --execute`);
    expect(busy.out).toBe("\nError: Assignments can only be reset if the group 'billing' is inactive, but the current state is Stable.\n\n");
    await ctx.perform({ op: 'removeConsumer', id: 'billing-1' });
    await ctx.perform({ op: 'removeConsumer', id: 'billing-2' });
    ctx.advance(2000);
    const before = ctx.snapshot().groups.find((g) => g.groupId === 'billing')!.offsets.map((o) => o.committed);
    const dry = await sh(ctx, `kafka-consumer-groups.sh ${B} --reset-offsets --group billing --topic orders --to-earliest`);
    expect(dry.err).toMatch(/^WARN: No action will be performed as the --execute option is missing/);
    const fmt = (a: string, b: string, c: string, d: string) => `\n${a.padEnd(30)} ${b.padEnd(30)} ${c.padEnd(10)} ${d.padEnd(15)}`;
    expect(dry.out).toBe(`${fmt('GROUP', 'TOPIC', 'PARTITION', 'NEW-OFFSET')}${fmt('billing', 'orders', '0', '0')}${fmt('billing', 'orders', '1', '0')}${fmt('billing', 'orders', '2', '0')}\n`);
    expect(ctx.snapshot().groups.find((g) => g.groupId === 'billing')!.offsets.map((o) => o.committed)).toEqual(before);
    const ex = await sh(ctx, `kafka-consumer-groups.sh ${B} --reset-offsets --group billing --topic orders --to-earliest --execute`);
    expect(ex.out).toBe(dry.out);
    ctx.advance(100);
    expect(ctx.snapshot().groups.find((g) => g.groupId === 'billing')!.offsets.map((o) => o.committed)).toEqual([0, 0, 0]);
    expect(ctx.cluster.scenario().timeline!.filter((a) => a.op === 'resetOffsets')).toEqual([expect.objectContaining({ group: 'billing', topic: 'orders', to: 'earliest' })]);
    // --shift-by and --to-offset on one partition: per-partition actions with the computed offset.
    await sh(ctx, `kafka-consumer-groups.sh ${B} --reset-offsets --group billing --topic orders:1 --to-offset 5 --execute`);
    const shifted = await sh(ctx, `kafka-consumer-groups.sh ${B} --reset-offsets --group billing --topic orders:1 --shift-by 2 --execute`);
    expect(shifted.out).toBe(`${fmt('GROUP', 'TOPIC', 'PARTITION', 'NEW-OFFSET')}${fmt('billing', 'orders', '1', '7')}\n`);
    ctx.advance(100);
    expect(ctx.snapshot().groups.find((g) => g.groupId === 'billing')!.offsets.map((o) => o.committed)).toEqual([0, 7, 0]);
    const latest = await sh(ctx, `kafka-consumer-groups.sh ${B} --reset-offsets --group billing --all-topics --to-latest --dry-run`);
    const hw = ctx.snapshot().partitions.filter((p) => p.topic === 'orders').map((p) => p.highWatermark);
    expect(latest.out).toContain(fmt('billing', 'orders', '2', String(hw[2])));
    const both = await sh(ctx, `kafka-consumer-groups.sh ${B} --reset-offsets --group billing --topic orders --to-earliest --to-latest`);
    expect(both.err.split('\n').find((l) => l.startsWith('Option'))).toMatch(/^Option "\[to-(earliest|latest)\]" can't be used with option "\[to-(earliest|latest)\]"$/);
  });

  it('--to-datetime and --by-duration find offsets by record time', async () => {
    expect(parseDateTime('1970-01-01T00:00:02.500')).toBe(2500);
    expect(parseDateTime('1970-01-01T01:00:00.000+01:00')).toBe(0);
    expect(parseDateTime('yesterday')).toBeNull();
    expect(parseDuration('PT1M30S')).toBe(90_000);
    expect(parseDuration('P1DT2H')).toBe(93_600_000);
    expect(parseDuration('nope')).toBeNull();
    const ctx = fresh(10_000);
    await ctx.perform({ op: 'removeConsumer', id: 'billing-1' });
    await ctx.perform({ op: 'removeConsumer', id: 'billing-2' });
    ctx.advance(2000);
    const r = await sh(ctx, `kafka-consumer-groups.sh ${B} --reset-offsets --group billing --topic orders:0 --to-datetime 1970-01-01T00:00:05.000 --dry-run`);
    const log = ctx.cluster.readLog('orders', 0, { fromOffset: 0, limit: 5000 })!;
    const expected = log.records.find((x) => x.timestamp >= 5000)!.offset;
    expect(r.out.trimEnd().split('\n').pop()!.trim().split(/\s+/)).toEqual(['billing', 'orders', '0', String(expected)]);
  });
});

describe('kafka-configs.sh', () => {
  it('describes, adds and deletes topic configs as timeline actions', async () => {
    const ctx = fresh();
    expect((await sh(ctx, `kafka-configs.sh ${B} --describe --topic orders`)).out).toBe(
      'Dynamic configs for topic orders are:\n  min.insync.replicas=2 sensitive=false synonyms={DYNAMIC_TOPIC_CONFIG:min.insync.replicas=2}\n',
    );
    expect((await sh(ctx, `kafka-configs.sh ${B} --alter --entity-type topics --entity-name orders --add-config retention.ms=60000,cleanup.policy=[delete]`)).out).toBe(
      'Completed updating config for topic orders.\n',
    );
    expect(ctx.snapshot().topics[0]!.config).toEqual({ 'min.insync.replicas': 2, 'retention.ms': 60000, 'cleanup.policy': 'delete' });
    await sh(ctx, `kafka-configs.sh ${B} --alter --topic orders --delete-config retention.ms`);
    expect(ctx.snapshot().topics[0]!.config).toEqual({ 'min.insync.replicas': 2, 'cleanup.policy': 'delete' });
    expect(ctx.cluster.scenario().timeline!.filter((a) => a.op === 'alterConfig')).toHaveLength(2);
  });

  it('broker defaults are cluster-wide; a per-broker alter and a bad value say why', async () => {
    const ctx = fresh();
    expect((await sh(ctx, `kafka-configs.sh ${B} --alter --entity-type brokers --entity-default --add-config unclean.leader.election.enable=true`)).out).toBe(
      'Completed updating default config for brokers in the cluster.\n',
    );
    expect((await sh(ctx, `kafka-configs.sh ${B} --describe --broker-defaults`)).out).toContain(
      '  unclean.leader.election.enable=true sensitive=false synonyms={DYNAMIC_DEFAULT_BROKER_CONFIG:unclean.leader.election.enable=true}\n',
    );
    const per = await sh(ctx, `kafka-configs.sh ${B} --alter --broker 1 --add-config log.retention.ms=1000`);
    expect(per.code).toBe(1);
    expect(per.err).toMatch(/cluster-wide/);
    const bad = await sh(ctx, `kafka-configs.sh ${B} --alter --topic orders --add-config min.insync.replicas=lots`);
    expect(bad.code).toBe(1);
    expect(bad.err).toMatch(/min\.insync\.replicas/);
    expect(parseAddConfig('a=1,b=[x,y],c=3')).toEqual([
      { key: 'a', value: '1' },
      { key: 'b', value: 'x,y' },
      { key: 'c', value: '3' },
    ]);
    expect((await sh(ctx, `kafka-configs.sh ${B} --describe --topik orders`)).err).toBe('topik is not a recognized option\n');
  });
});

describe('kafka-leader-election.sh, kafka-reassign-partitions.sh, kafka-get-offsets.sh', () => {
  it('a preferred election moves leadership back, as an action; then there is nothing to do', async () => {
    const ctx = fresh();
    const p0 = () => ctx.snapshot().partitions.find((p) => p.topic === 'orders' && p.partition === 0)!;
    const preferred = p0().replicas[0]!;
    await ctx.perform({ op: 'killBroker', broker: preferred });
    ctx.advance(20_000);
    await ctx.perform({ op: 'restartBroker', broker: preferred });
    ctx.advance(20_000);
    expect(p0().leader).not.toBe(preferred);
    expect(p0().isr).toContain(preferred);
    const r = await sh(ctx, `kafka-leader-election.sh ${B} --election-type preferred --topic orders --partition 0`);
    expect(r).toEqual({ code: 0, out: 'Successfully completed leader election (PREFERRED) for partitions orders-0\n', err: '' });
    ctx.advance(100);
    expect(p0().leader).toBe(preferred);
    expect(await sh(ctx, `kafka-leader-election.sh ${B} --election-type preferred --topic orders --partition 0`)).toEqual({
      code: 0,
      out: 'Valid replica already elected for partitions orders-0\n',
      err: '',
    });
    expect(ctx.cluster.scenario().timeline!.some((a) => a.op === 'electLeaders')).toBe(true);
    expect((await sh(ctx, `kafka-leader-election.sh ${B} --topic orders --partition 0`)).err).toBe('Missing required option(s): election-type\n');
    expect((await sh(ctx, `kafka-leader-election.sh ${B} --election-type preferred`)).err).toBe(
      'One and only one of the following options is required: topic, all-topic-partitions, path-to-json-file\n',
    );
  });

  it('reassignment: --generate proposes, --execute --throttle starts it, --list and describe show it, --verify clears the throttles once done', async () => {
    const ctx = fresh();
    await ctx.perform({ op: 'addBroker', id: 4 });
    ctx.advance(5000);
    expect(await sh(ctx, `kafka-reassign-partitions.sh ${B} --list`)).toEqual({ code: 0, out: 'No partition reassignments found.\n', err: '' });
    const gen = await sh(ctx, `kafka-reassign-partitions.sh ${B} --generate --topics-to-move-json-file '{"topics":[{"topic":"orders"}],"version":1}' --broker-list 2,3,4`);
    expect(gen.code).toBe(0);
    const [, cur, , , proposedJson] = gen.out.split('\n');
    expect(gen.out.split('\n')[0]).toBe('Current partition replica assignment');
    expect(gen.out.split('\n')[3]).toBe('Proposed partition reassignment configuration');
    expect(JSON.parse(cur!).partitions).toHaveLength(3);
    const proposed = JSON.parse(proposedJson!) as { partitions: { replicas: number[]; log_dirs: string[] }[] };
    for (const p of proposed.partitions) {
      expect([...p.replicas].sort()).toEqual([2, 3, 4]);
      expect(p.log_dirs).toEqual(['any', 'any', 'any']);
    }
    const p0 = ctx.snapshot().partitions.find((p) => p.topic === 'orders' && p.partition === 0)!;
    const plan = `'{"version":1,"partitions":[{"topic":"orders","partition":0,"replicas":[4,2,3]}]}'`;
    const ex = await sh(ctx, `kafka-reassign-partitions.sh ${B} --execute --reassignment-json-file ${plan} --throttle 20000`);
    expect(ex.code).toBe(0);
    expect(ex.out).toBe(
      'Current partition replica assignment\n\n' +
        `{"version":1,"partitions":[{"topic":"orders","partition":0,"replicas":[${p0.replicas.join(',')}],"log_dirs":["any","any","any"]}]}\n\n` +
        'Save this to use as the --reassignment-json-file option during rollback\n' +
        'Warning: You must run --verify periodically, until the reassignment completes, to ensure the throttle is removed.\n' +
        'The inter-broker throttle limit was set to 20000 B/s\n' +
        'Successfully started partition reassignments for orders-0\n',
    );
    const action = ctx.cluster.scenario().timeline!.find((a) => a.op === 'reassignPartitions');
    expect(action).toMatchObject({ topic: 'orders', partition: 0, replicas: [4, 2, 3], throttleBytesPerSec: 20000 });
    const moving = ctx.snapshot().partitions.find((p) => p.topic === 'orders' && p.partition === 0)!;
    const removing = p0.replicas.filter((id) => ![4, 2, 3].includes(id));
    if (moving.addingReplicas !== undefined) {
      expect((await sh(ctx, `kafka-reassign-partitions.sh ${B} --list`)).out).toBe(
        `Current partition reassignments:\norders-0: replicas: ${moving.replicas.join(',')}. adding: 4. removing: ${removing.join(',')}.\n`,
      );
      expect((await sh(ctx, `kafka-topics.sh ${B} --describe --topic orders`)).out).toContain(`\tAdding Replicas: 4\tRemoving Replicas: ${removing.join(',')}\tElr: `);
      expect((await sh(ctx, `kafka-reassign-partitions.sh ${B} --verify --reassignment-json-file ${plan}`)).out).toBe(
        'Status of partition reassignment:\nReassignment of partition orders-0 is still in progress.\n',
      );
      expect((await sh(ctx, `kafka-reassign-partitions.sh ${B} --execute --reassignment-json-file ${plan}`)).out).toMatch(/^Cannot execute because there is an existing partition assignment\./);
    }
    expect(ctx.snapshot().brokerConfig).toMatchObject({ 'leader.replication.throttled.rate': 20000 });
    ctx.advance(60_000);
    expect(ctx.snapshot().partitions.find((p) => p.topic === 'orders' && p.partition === 0)!.replicas).toEqual([4, 2, 3]);
    expect((await sh(ctx, `kafka-reassign-partitions.sh ${B} --verify --reassignment-json-file ${plan}`)).out).toBe(
      'Status of partition reassignment:\nReassignment of partition orders-0 is completed.\n\nClearing broker-level throttles on brokers 1,2,3,4\nClearing topic-level throttles on topic orders\n',
    );
    ctx.advance(100);
    expect(ctx.snapshot().brokerConfig?.['leader.replication.throttled.rate']).toBeUndefined();
    expect(ctx.snapshot().topics.find((t) => t.name === 'orders')!.config['leader.replication.throttled.replicas']).toBeUndefined();
  });

  it('reassignment errors are in Kafka words', async () => {
    const ctx = fresh();
    const run = (args: string) => sh(ctx, `kafka-reassign-partitions.sh ${B} ${args}`);
    expect((await run('--execute --reassignment-json-file plan.json')).out).toMatch(/^The playground has no file system: --reassignment-json-file cannot be read here\. Give the JSON itself/);
    expect((await run(`--execute --reassignment-json-file '{"version":1,"partitions":[{"topic":"orders","partition":0,"replicas":[1,9]}]}'`)).out).toBe('Unknown broker id(s) 9\n');
    expect((await run(`--execute --reassignment-json-file '{"version":1,"partitions":[{"topic":"orders","partition":0,"replicas":[1,1]}]}'`)).out).toBe(
      'Partition replica lists may not contain duplicate entries: orders-0: 1,1\n',
    );
    expect((await run(`--execute --reassignment-json-file '{"version":1,"partitions":[]}'`)).out).toBe('Partition reassignment list cannot be empty\n');
    expect((await run(`--execute --reassignment-json-file '{"version":1,"partitions":[{"topic":"orders","partition":9,"replicas":[1]}]}'`)).out).toBe('Topic or partition not found: orders-9\n');
    expect((await run(`--generate --topics-to-move-json-file '{"topics":[{"topic":"orders"}],"version":1}' --broker-list 1,2`)).out).toBe('Replication factor: 3 larger than available brokers: 2.\n');
    expect((await run('--verify')).err.split('\n')[0]).toBe('Missing required argument "[reassignment-json-file]"');
    expect((await run('--list --execute')).err.split('\n')[0]).toBe('Command must include exactly one action: --generate, --execute, --verify, --cancel, or --list');
    expect((await run('--list --throttle 5')).err.split('\n')[0]).toBe('Option "[throttle]" can\'t be used with option "[list]"');
    expect(ctx.cluster.scenario().timeline!.some((a) => a.op === 'reassignPartitions')).toBe(false);
  });

  it('get-offsets prints topic:partition:offset for latest, earliest, a time and max-timestamp', async () => {
    const ctx = fresh();
    const parts = ctx.snapshot().partitions.filter((p) => p.topic === 'orders');
    expect((await sh(ctx, `kafka-get-offsets.sh ${B} --topic orders`)).out).toBe(parts.map((p) => `orders:${p.partition}:${p.highWatermark}\n`).join(''));
    expect((await sh(ctx, `kafka-get-offsets.sh ${B} --topic orders --time -2`)).out).toBe('orders:0:0\norders:1:0\norders:2:0\n');
    expect((await sh(ctx, `kafka-get-offsets.sh ${B} --topic-partitions orders:1`)).out).toBe(`orders:1:${parts[1]!.highWatermark}\n`);
    const log = ctx.cluster.readLog('orders', 2, { fromOffset: 0, limit: 5000 })!;
    const at = log.records.find((r) => r.timestamp >= 2000)!.offset;
    expect((await sh(ctx, `kafka-get-offsets.sh ${B} --topic orders --partitions 2 --time 2000`)).out).toBe(`orders:2:${at}\n`);
    expect((await sh(ctx, `kafka-get-offsets.sh ${B} --topic nope`)).err).toBe('Error occurred: Could not match any topic-partitions with the specified filters\n');
    expect((await sh(ctx, `kafka-get-offsets.sh ${B} --topic orders --time soon`)).err).toMatch(/^Error occurred: Malformed time argument soon\./);
  });
});

describe('the shell', () => {
  it('completes tool names, flags and the cluster\'s names', () => {
    const snap = fresh().snapshot();
    expect(complete('kafka-to', snap)).toEqual({ line: 'kafka-topics.sh ', candidates: [] });
    expect(complete('kafka-co', snap).candidates).toEqual(['kafka-configs.sh', 'kafka-console-consumer.sh', 'kafka-console-producer.sh', 'kafka-consumer-groups.sh']);
    expect(complete('kafka-topics.sh --bootstrap-server localhost:9092 --desc', snap).line).toBe('kafka-topics.sh --bootstrap-server localhost:9092 --describe ');
    expect(complete('kafka-topics.sh --describe --topic o', snap).line).toBe('kafka-topics.sh --describe --topic orders ');
    expect(complete('kafka-consumer-groups.sh --describe --group ', snap).line).toBe('kafka-consumer-groups.sh --describe --group billing ');
    expect(complete('kafka-topics.sh --bootstrap-server ', snap).line).toBe('kafka-topics.sh --bootstrap-server localhost:9092 ');
  });

  it('an unknown command and help', async () => {
    const ctx = fresh();
    expect(await sh(ctx, 'kafka-topic.sh --list')).toEqual({ code: 127, out: '', err: 'bash: kafka-topic.sh: command not found (try: help)\n' });
    expect((await sh(ctx, 'help')).out).toContain('kafka-consumer-groups.sh');
    expect((await sh(ctx, `bin/kafka-topics.sh ${B} --list`)).out).toBe('orders\n');
  });

  it('what the commands did replays from the recorded document (a share link)', async () => {
    const ctx = fresh();
    await sh(ctx, `kafka-topics.sh ${B} --create --topic payments --partitions 2 --replication-factor 3`);
    await sh(ctx, `kafka-console-producer.sh ${B} --topic payments --property parse.key=true`, ['a\t1', 'b\t2', 'c\t3']);
    await sh(ctx, `kafka-configs.sh ${B} --alter --topic payments --add-config retention.ms=60000`);
    ctx.advance(1000);
    const replay = new Cluster(ctx.cluster.scenario());
    replay.runUntil(ctx.cluster.now);
    const a = replay.snapshot();
    const b = ctx.cluster.snapshot();
    expect(a.topics).toEqual(b.topics);
    expect(a.partitions.map((p) => [p.topic, p.partition, p.highWatermark])).toEqual(b.partitions.map((p) => [p.topic, p.partition, p.highWatermark]));
    expect(replay.readLog('payments', 0, { fromOffset: 0 })!.records.concat(replay.readLog('payments', 1, { fromOffset: 0 })!.records).map((r) => r.key).sort()).toEqual(['a', 'b', 'c']);
  });
});

describe('kafka-transactions.sh', () => {
  it('lists and describes transactional ids as the coordinator has them; an unknown id is TransactionalIdNotFoundException', async () => {
    const scenario = structuredClone(defaultScenario);
    scenario.clients = [...(scenario.clients ?? []), { kind: 'producer', id: 'tx', config: { 'transactional.id': 'orders-tx' } }];
    scenario.timeline = [
      { at: 1000, op: 'beginTransaction', producer: 'tx' },
      { at: 1010, op: 'produce', producer: 'tx', topic: 'orders', value: 'x', partition: 1 },
    ];
    const ctx = new NodeCliContext(scenario);
    ctx.advance(3000);
    const list = await sh(ctx, `kafka-transactions.sh ${B} list`);
    expect(list.code).toBe(0);
    const [header, row] = list.out.trim().split('\n');
    expect(header!.split(/\s+/)).toEqual(['TransactionalId', 'Coordinator', 'ProducerId', 'TransactionState']);
    expect(row!.split(/\s+/)).toEqual(['orders-tx', expect.stringMatching(/^[123]$/), '1000000', 'Ongoing']);
    const d = await sh(ctx, `kafka-transactions.sh ${B} describe --transactional-id orders-tx`);
    expect(d.code).toBe(0);
    const cells = d.out.trim().split('\n')[1]!.split(/\s+/);
    expect(cells.slice(1, 6)).toEqual(['orders-tx', '1000000', '0', 'Ongoing', '60000']);
    // The transaction starts when its first AddPartitionsToTxn reaches the coordinator.
    expect(Number(cells[6])).toBeGreaterThan(1010);
    expect(Number(cells[6])).toBeLessThan(1100);
    expect(cells[8]).toBe('orders-1');
    expect((await sh(ctx, `kafka-transactions.sh ${B} describe --transactional-id nope`)).err).toContain('TransactionalIdNotFoundException');
    expect((await sh(ctx, 'kafka-transactions.sh list')).err).toContain('argument --bootstrap-server is required');
    expect((await sh(ctx, `kafka-transactions.sh ${B} abort`)).err).toContain("invalid choice: 'abort'");
  });
});
