/**
 * kafka-reassign-partitions.sh (org.apache.kafka.tools.reassign.ReassignPartitionsCommand):
 * --generate, --execute (with --throttle and --additional), --verify (which removes the
 * throttles once every move completed), --cancel and --list, in the words Kafka prints.
 *
 * The playground has no file system: --reassignment-json-file and --topics-to-move-json-file
 * take the JSON itself, quoted (`--reassignment-json-file '{"version":1,"partitions":[...]}'`),
 * which is what --generate prints and what --execute prints for a rollback.
 */
import type { ClusterSnapshot, PartitionView } from '../kafka/snapshot';
import type { PartitionReassignment } from '../scenario/types';
import { BOOTSTRAP_SERVER, COMMAND_CONFIG, helpOrVersion, noFiles, usageError } from './common';
import type { CliContext, Tool, ToolIO } from './context';
import { OptionError, parseOptions, withDefaults, type OptionSpec } from './options';

const INLINE = ' The playground has no files: give the JSON itself, in single quotes.';

export const REASSIGN_OPTIONS: OptionSpec[] = [
  { ...BOOTSTRAP_SERVER, description: 'REQUIRED: the server(s) to use for bootstrapping.' },
  { ...COMMAND_CONFIG, description: 'Property file containing configs to be passed to Admin Client.' },
  { name: 'verify', description: 'Verify if the reassignment completed as specified by the --reassignment-json-file option. If there is a throttle engaged for the replicas specified, and the rebalance has completed, the throttle will be removed' },
  { name: 'generate', description: 'Generate a candidate partition reassignment configuration. Note that this only generates a candidate assignment, it does not execute it.' },
  { name: 'execute', description: 'Kick off the reassignment as specified by the --reassignment-json-file option.' },
  { name: 'cancel', description: 'Cancel an active reassignment.' },
  { name: 'list', description: 'List all active partition reassignments.' },
  {
    name: 'reassignment-json-file',
    description: `The JSON file with the partition reassignment configuration. The format to use is - {"partitions": [{"topic": "foo", "partition": 1, "replicas": [1,2,3] }], "version":1}.${INLINE}`,
    arg: 'required',
    argName: 'manual assignment json file path',
  },
  {
    name: 'topics-to-move-json-file',
    description: `Generate a reassignment configuration to move the partitions of the specified topics to the list of brokers specified by the --broker-list option. The format to use is - {"topics": [{"topic": "foo"},{"topic": "foo1"}], "version":1}.${INLINE}`,
    arg: 'required',
    argName: 'topics to reassign json file path',
  },
  { name: 'broker-list', description: 'The list of brokers to which the partitions need to be reassigned in the form "0,1,2". This is required if --topics-to-move-json-file is used to generate reassignment configuration', arg: 'required', argName: 'brokerlist' },
  { name: 'disable-rack-aware', description: 'Disable rack aware replica assignment' },
  {
    name: 'throttle',
    description: 'The movement of partitions between brokers will be throttled to this value (bytes/sec). This option can be included with --execute when a reassignment is started, and it can be altered by resubmitting the current reassignment along with the --additional flag. The throttle rate should be at least 1 KB/s.',
    arg: 'required',
    argName: 'throttle',
    type: 'Long',
    defaultValue: '-1',
  },
  { name: 'preserve-throttles', description: 'Do not modify broker or topic throttles.' },
  { name: 'timeout', description: 'The maximum time in ms to wait for log directory replica assignment to begin.', arg: 'required', argName: 'timeout', type: 'Long', defaultValue: '10000' },
  { name: 'additional', description: 'Execute this reassignment in addition to any other ongoing ones. This option can also be used to change the throttle of an ongoing reassignment.' },
];

/** Kafka's reassignment JSON, compact as its Json.encodeAsString writes it. */
export function reassignmentJson(parts: { topic: string; partition: number; replicas: number[] }[]): string {
  return JSON.stringify({
    version: 1,
    partitions: parts.map((p) => ({ topic: p.topic, partition: p.partition, replicas: p.replicas, log_dirs: p.replicas.map(() => 'any') })),
  });
}

class Terse extends Error {}

function readJson(o: { value(n: string): string | undefined }, option: string): unknown {
  const raw = o.value(option)!.trim();
  if (!raw.startsWith('{')) throw new Terse(`${noFiles(option)} Give the JSON itself, quoted: --${option} '{"version":1,...}'`);
  try {
    return JSON.parse(raw);
  } catch (e) {
    throw new Terse(`Error: --${option} is not valid JSON: ${(e as Error).message}`);
  }
}

/** ReassignPartitionsCommand.parsePartitionReassignmentData, with its checks. */
export function parseReassignment(data: unknown, snap: ClusterSnapshot): PartitionReassignment[] {
  const d = data as { version?: unknown; partitions?: unknown };
  if (typeof d !== 'object' || d === null || !Array.isArray(d.partitions)) throw new Terse('The reassignment JSON must be an object with "version":1 and a "partitions" list.');
  if (d.version !== undefined && d.version !== 1) throw new Terse(`Not supported version field value ${String(d.version)}`);
  if (d.partitions.length === 0) throw new Terse('Partition reassignment list cannot be empty');
  const out: PartitionReassignment[] = [];
  for (const item of d.partitions as unknown[]) {
    const it = item as { topic?: unknown; partition?: unknown; replicas?: unknown };
    if (typeof it?.topic !== 'string' || typeof it.partition !== 'number' || !Number.isInteger(it.partition) || !Array.isArray(it.replicas) || !it.replicas.every((r) => typeof r === 'number' && Number.isInteger(r))) {
      throw new Terse(`Each partition must be {"topic": string, "partition": integer, "replicas": [broker ids]}, got ${JSON.stringify(item)}`);
    }
    out.push({ topic: it.topic, partition: it.partition, replicas: it.replicas as number[] });
  }
  const keys = out.map((p) => `${p.topic}-${p.partition}`);
  const dup = keys.filter((k, i) => keys.indexOf(k) !== i);
  if (dup.length > 0) throw new Terse(`Partition reassignment contains duplicate topic partitions: ${[...new Set(dup)].join(',')}`);
  const dupReplicas = out.filter((p) => new Set(p.replicas).size !== p.replicas!.length);
  if (dupReplicas.length > 0) throw new Terse(`Partition replica lists may not contain duplicate entries: ${dupReplicas.map((p) => `${p.topic}-${p.partition}: ${p.replicas!.join(',')}`).join(', ')}`);
  const empty = out.find((p) => p.replicas!.length === 0);
  if (empty) throw new Terse(`Partition replica list for ${empty.topic}-${empty.partition} cannot be empty`);
  const missing = out.filter((p) => !snap.partitions.some((x) => x.topic === p.topic && x.partition === p.partition));
  if (missing.length > 0) throw new Terse(`Topic or partition not found: ${missing.map((p) => `${p.topic}-${p.partition}`).join(', ')}`);
  const brokers = new Set(snap.brokers.map((b) => b.id));
  const unknown = [...new Set(out.flatMap((p) => p.replicas!).filter((id) => !brokers.has(id)))].sort((a, b) => a - b);
  if (unknown.length > 0) throw new Terse(`Unknown broker id(s) ${unknown.join(',')}`);
  return out;
}

/** The partition's replicas as they were before a reassignment in progress (adding ones left out). */
function currentReplicas(p: PartitionView): number[] {
  return p.replicas.filter((id) => !(p.addingReplicas ?? []).includes(id));
}

/**
 * AdminUtils.assignReplicasToBrokersRackUnaware: the first replica round-robin from a random
 * start, the others shifted by a random amount that grows every full round.
 */
export function assignRackUnaware(partitions: number, rf: number, brokers: number[], startIndex: number, shift: number): number[][] {
  const n = brokers.length;
  const out: number[][] = [];
  let nextReplicaShift = shift;
  for (let p = 0; p < partitions; p++) {
    if (p > 0 && p % n === 0) nextReplicaShift++;
    const first = (p + startIndex) % n;
    const replicas = [brokers[first]!];
    for (let j = 0; j < rf - 1; j++) {
      const s = 1 + ((nextReplicaShift + j) % (n - 1));
      replicas.push(brokers[(first + s) % n]!);
    }
    out.push(replicas);
  }
  return out;
}

async function run(argv: string[], ctx: CliContext, io: ToolIO): Promise<number> {
  let o;
  try {
    o = parseOptions(withDefaults(REASSIGN_OPTIONS), argv);
  } catch (e) {
    if (e instanceof OptionError) return usageError(io, e.message, REASSIGN_OPTIONS);
    throw e;
  }
  const hv = helpOrVersion(io, argv, (n) => o.has(n), 'This tool helps to move topic partitions between replicas.', REASSIGN_OPTIONS);
  if (hv !== null) return hv;
  const actions = ['generate', 'execute', 'verify', 'cancel', 'list'].filter((a) => o.has(a));
  if (actions.length !== 1) return usageError(io, 'Command must include exactly one action: --generate, --execute, --verify, --cancel, or --list', REASSIGN_OPTIONS);
  if (!o.has('bootstrap-server')) return usageError(io, 'Please specify --bootstrap-server', REASSIGN_OPTIONS);
  const action = actions[0]!;
  const needs: Record<string, string[]> = { generate: ['topics-to-move-json-file', 'broker-list'], execute: ['reassignment-json-file'], verify: ['reassignment-json-file'], cancel: ['reassignment-json-file'], list: [] };
  const lacking = needs[action]!.filter((n) => !o.has(n));
  if (lacking.length > 0) return usageError(io, `Missing required argument "[${lacking.join(', ')}]"`, REASSIGN_OPTIONS);
  if (o.has('throttle') && action !== 'execute') return usageError(io, `Option "[throttle]" can't be used with option "[${action}]"`, REASSIGN_OPTIONS);
  if (o.has('command-config')) return fail(io, noFiles('command-config'));
  const snap = ctx.snapshot();
  if (!snap) return fail(io, 'Timed out waiting for a node assignment. Call: listPartitionReassignments');
  try {
    switch (action) {
      case 'list':
        return list(snap, io);
      case 'generate':
        return generate(o, snap, ctx, io);
      case 'execute':
        return await execute(o, snap, ctx, io);
      case 'verify':
        return await verify(o, snap, ctx, io);
      default:
        return await cancel(o, snap, ctx, io);
    }
  } catch (e) {
    if (e instanceof Terse) return fail(io, e.message);
    throw e;
  }
}

function fail(io: ToolIO, message: string): number {
  io.out(`${message}\n`);
  return 1;
}

function list(snap: ClusterSnapshot, io: ToolIO): number {
  const moving = snap.partitions.filter((p) => p.addingReplicas !== undefined);
  if (moving.length === 0) {
    io.out('No partition reassignments found.\n');
    return 0;
  }
  const lines = moving.map((p) => `${p.topic}-${p.partition}: replicas: ${p.replicas.join(',')}. adding: ${p.addingReplicas!.join(',')}. removing: ${(p.removingReplicas ?? []).join(',')}.`);
  io.out(`Current partition reassignments:\n${lines.join('\n')}\n`);
  return 0;
}

function generate(o: { value(n: string): string | undefined; has(n: string): boolean }, snap: ClusterSnapshot, ctx: CliContext, io: ToolIO): number {
  const data = readJson(o, 'topics-to-move-json-file') as { topics?: unknown };
  if (!Array.isArray(data.topics) || data.topics.length === 0) throw new Terse('List of topics to reassign contains no topics: use {"topics": [{"topic": "foo"}], "version":1}');
  const topics = (data.topics as { topic?: unknown }[]).map((t) => t?.topic);
  if (!topics.every((t): t is string => typeof t === 'string')) throw new Terse('Each topic must be {"topic": "name"}');
  const dupTopics = topics.filter((t, i) => topics.indexOf(t) !== i);
  if (dupTopics.length > 0) throw new Terse(`List of topics to reassign contains duplicate entries: ${[...new Set(dupTopics)].join(',')}`);
  const rawBrokers = o.value('broker-list')!.split(',').map((s) => s.trim());
  const brokers = rawBrokers.map(Number);
  if (brokers.some((b, i) => !Number.isInteger(b) || rawBrokers[i] === '')) throw new Terse(`Invalid broker list: ${o.value('broker-list')}`);
  const dupBrokers = brokers.filter((b, i) => brokers.indexOf(b) !== i);
  if (dupBrokers.length > 0) throw new Terse(`Broker list contains duplicate entries: ${[...new Set(dupBrokers)].join(',')}`);
  const known = new Set(snap.brokers.map((b) => b.id));
  const unknown = brokers.filter((b) => !known.has(b));
  if (unknown.length > 0) throw new Terse(`Unknown broker id(s) ${unknown.join(',')}`);
  const missing = topics.filter((t) => !snap.topics.some((x) => x.name === t));
  if (missing.length > 0) throw new Terse(`Topic${missing.length > 1 ? 's' : ''} ${missing.join(', ')} not found`);
  const sorted = [...brokers].sort((a, b) => a - b);
  const current: { topic: string; partition: number; replicas: number[] }[] = [];
  const proposed: { topic: string; partition: number; replicas: number[] }[] = [];
  for (const t of [...topics].sort()) {
    const parts = snap.partitions.filter((p) => p.topic === t).sort((a, b) => a.partition - b.partition);
    const rf = currentReplicas(parts[0]!).length;
    if (rf > sorted.length) throw new Terse(`Replication factor: ${rf} larger than available brokers: ${sorted.length}.`);
    for (const p of parts) current.push({ topic: t, partition: p.partition, replicas: currentReplicas(p) });
    const placed = assignRackUnaware(parts.length, rf, sorted, ctx.randomInt(sorted.length), ctx.randomInt(sorted.length));
    placed.forEach((replicas, i) => proposed.push({ topic: t, partition: parts[i]!.partition, replicas }));
  }
  io.out(`Current partition replica assignment\n${reassignmentJson(current)}\n\nProposed partition reassignment configuration\n${reassignmentJson(proposed)}\n`);
  return 0;
}

async function execute(o: { value(n: string): string | undefined; has(n: string): boolean }, snap: ClusterSnapshot, ctx: CliContext, io: ToolIO): Promise<number> {
  const target = parseReassignment(readJson(o, 'reassignment-json-file'), snap);
  const throttleRaw = o.value('throttle');
  const throttle = throttleRaw === undefined ? -1 : Number(throttleRaw);
  if (!Number.isSafeInteger(throttle)) throw new Terse(`Invalid throttle: ${throttleRaw}`);
  const inProgress = snap.partitions.some((p) => p.addingReplicas !== undefined);
  if (inProgress && !o.has('additional')) {
    throw new Terse(
      'Cannot execute because there is an existing partition assignment.  Use --additional to override this and create a new partition assignment in addition to the existing one. The --additional flag can also be used to change the throttle by resubmitting the current reassignment.',
    );
  }
  const current = target.map((t) => {
    const p = snap.partitions.find((x) => x.topic === t.topic && x.partition === t.partition)!;
    return { topic: t.topic, partition: t.partition, replicas: currentReplicas(p) };
  });
  let out = `Current partition replica assignment\n\n${reassignmentJson(current)}\n\nSave this to use as the --reassignment-json-file option during rollback\n`;
  if (throttle >= 0) out += 'Warning: You must run --verify periodically, until the reassignment completes, to ensure the throttle is removed.\n';
  io.out(out);
  // AlterPartitionReassignments answers per partition: one timeline op each, at one instant.
  const refused: string[] = [];
  for (const t of target) {
    const r = await ctx.perform({ op: 'reassignPartitions', topic: t.topic, partition: t.partition, replicas: t.replicas, ...(throttle > 0 ? { throttleBytesPerSec: throttle } : {}) });
    if (r.rejected) refused.push(`${t.topic}-${t.partition}: ${r.rejected.message}`);
  }
  if (throttle > 0) io.out(`The inter-broker throttle limit was set to ${throttle} B/s\n`);
  if (refused.length > 0) return fail(io, `Error reassigning partition(s):\n${refused.join('\n')}`);
  io.out(`Successfully started partition reassignments for ${target.map((t) => `${t.topic}-${t.partition}`).join(',')}\n`);
  return 0;
}

/** Removes the throttle configs --execute set (ReassignPartitionsCommand.clearAllThrottles). */
async function clearThrottles(snap: ClusterSnapshot, topics: string[], ctx: CliContext): Promise<string> {
  const brokers = snap.brokers.map((b) => b.id).sort((a, b) => a - b);
  await ctx.perform({ op: 'alterConfig', entity: 'broker', name: 'cluster', config: { 'leader.replication.throttled.rate': null, 'follower.replication.throttled.rate': null } });
  const sorted = [...new Set(topics)].sort();
  for (const t of sorted) {
    await ctx.perform({ op: 'alterConfig', entity: 'topic', name: t, config: { 'leader.replication.throttled.replicas': null, 'follower.replication.throttled.replicas': null } });
  }
  return `Clearing broker-level throttles on brokers ${brokers.join(',')}\nClearing topic-level throttles on topic${sorted.length > 1 ? 's' : ''} ${sorted.join(',')}\n`;
}

async function verify(o: { value(n: string): string | undefined; has(n: string): boolean }, snap: ClusterSnapshot, ctx: CliContext, io: ToolIO): Promise<number> {
  const target = parseReassignment(readJson(o, 'reassignment-json-file'), snap);
  const lines: string[] = [];
  let allDone = true;
  for (const t of target) {
    const p = snap.partitions.find((x) => x.topic === t.topic && x.partition === t.partition)!;
    const key = `${t.topic}-${t.partition}`;
    if (p.addingReplicas !== undefined) {
      allDone = false;
      lines.push(`Reassignment of partition ${key} is still in progress.`);
    } else if (p.replicas.join(',') === t.replicas!.join(',')) {
      lines.push(`Reassignment of partition ${key} is completed.`);
    } else {
      lines.push(`There is no active reassignment of partition ${key}, but replica set is ${p.replicas.join(',')} rather than ${t.replicas!.join(',')}.`);
    }
  }
  let out = `Status of partition reassignment:\n${lines.join('\n')}\n`;
  if (allDone && !o.has('preserve-throttles')) out += `\n${await clearThrottles(snap, target.map((t) => t.topic), ctx)}`;
  io.out(out);
  return 0;
}

async function cancel(o: { value(n: string): string | undefined; has(n: string): boolean }, snap: ClusterSnapshot, ctx: CliContext, io: ToolIO): Promise<number> {
  const target = parseReassignment(readJson(o, 'reassignment-json-file'), snap);
  const moving = target.filter((t) => snap.partitions.find((x) => x.topic === t.topic && x.partition === t.partition)!.addingReplicas !== undefined);
  let out = '';
  if (moving.length > 0) {
    const refused: string[] = [];
    for (const t of moving) {
      const r = await ctx.perform({ op: 'reassignPartitions', topic: t.topic, partition: t.partition, replicas: null });
      if (r.rejected) refused.push(`${t.topic}-${t.partition}: ${r.rejected.message}`);
    }
    if (refused.length > 0) return fail(io, `Error cancelling partition reassignment(s):\n${refused.join('\n')}`);
    out += `Successfully cancelled partition reassignment(s) for: ${moving.map((t) => `${t.topic}-${t.partition}`).join(',')}\n`;
  } else out += 'None of the specified partition reassignments are active.\n';
  if (!o.has('preserve-throttles')) out += await clearThrottles(snap, target.map((t) => t.topic), ctx);
  io.out(out);
  return 0;
}

export const kafkaReassignPartitions: Tool = { name: 'kafka-reassign-partitions', summary: 'Move partitions between brokers, throttled (--generate, --execute, --verify, --cancel, --list).', options: REASSIGN_OPTIONS, run };
