/**
 * kafka-consumer-groups.sh, after org.apache.kafka.tools.consumer.group.ConsumerGroupCommand
 * (Kafka 4.x): --list [--state], --describe with --offsets (the default), --members
 * [--verbose] and --state, and --reset-offsets (--to-earliest, --to-latest, --to-offset,
 * --to-datetime, --by-duration, --shift-by, --to-current; --dry-run or --execute) with the
 * same column layout. Members have no host in the playground: HOST is `/127.0.0.1` for
 * every client, as if each ran on this machine. A broker's host:port is `broker<id>:9092`.
 * --delete and --delete-offsets are not modelled (the coordinator cannot forget a group).
 */
import type { ClusterSnapshot, GroupView } from '../kafka/snapshot';
import type { OffsetResetTarget } from '../scenario/types';
import { BOOTSTRAP_SERVER, helpOrVersion, noFiles, usageError } from './common';
import { exceptionClass, padRight, type CliContext, type Tool, type ToolIO } from './context';
import { OptionError, invalidCombination, missingRequired, parseOptions, specName, withDefaults, type OptionSpec } from './options';

export const CLIENT_HOST = '/127.0.0.1';

export const GROUPS_OPTIONS: OptionSpec[] = [
  { ...BOOTSTRAP_SERVER, description: 'REQUIRED: The server(s) to connect to.' },
  { name: 'group', description: 'The consumer group we wish to act on.', arg: 'required', argName: 'consumer group' },
  {
    name: 'topic',
    description:
      'The topic whose consumer group information should be deleted or topic whose should be included in the reset offset process. In `reset-offsets` case, partitions can be specified using this format: `topic1:0,1,2`, where 0,1,2 are the partition to be included in the process. Reset-offsets also supports multiple topic inputs.',
    arg: 'required',
    argName: 'topic',
  },
  { name: 'all-topics', description: 'Consider all topics assigned to a group in the `reset-offsets` process.' },
  { name: 'list', description: 'List all consumer groups.' },
  { name: 'describe', description: 'Describe consumer group and list offset lag (number of messages not yet processed) related to given group.' },
  { name: 'all-groups', description: 'Apply to all consumer groups.' },
  { name: 'delete', description: 'Pass in groups to delete topic partition offsets and ownership information over the entire consumer group. For instance --group g1 --group g2' },
  { name: 'timeout', description: 'The timeout that can be set for some use cases.', arg: 'required', argName: 'timeout (ms)', type: 'Long', defaultValue: '5000' },
  { name: 'command-config', description: 'Property file containing configs to be passed to Admin Client and Consumer.', arg: 'required', argName: 'command config property file' },
  {
    name: 'reset-offsets',
    description:
      'Reset offsets of consumer group. Supports one consumer group at the time, and instances should be inactive\nHas 2 execution options: --dry-run (the default) to plan which offsets to reset, and --execute to update the offsets. Additionally, the --export option is used to export the results to a CSV format.\nYou must choose one of the following reset specifications: --to-datetime, --by-duration, --to-earliest, --to-latest, --shift-by, --from-file, --to-current, --to-offset.\nTo define the scope use --all-topics or --topic. One scope must be specified unless you use \'--from-file\'.',
  },
  { name: 'delete-offsets', description: 'Delete offsets of consumer group. Supports one consumer group at the time, and multiple topics.' },
  { name: 'dry-run', description: 'Only show results without executing changes on Consumer Groups. Supported operations: reset-offsets.' },
  { name: 'execute', description: 'Execute operation. Supported operations: reset-offsets.' },
  { name: 'export', description: 'Export operation execution to a CSV file. Supported operations: reset-offsets.' },
  { name: 'to-offset', description: 'Reset offsets to a specific offset.', arg: 'required', argName: 'offset', type: 'Long' },
  { name: 'from-file', description: 'Reset offsets to values defined in CSV file.', arg: 'required', argName: 'path to CSV file' },
  { name: 'to-datetime', description: "Reset offsets to offset from datetime. Format: 'YYYY-MM-DDTHH:mm:SS.sss'", arg: 'required', argName: 'datetime' },
  { name: 'by-duration', description: "Reset offsets to offset by duration from current timestamp. Format: 'PnDTnHnMnS'", arg: 'required', argName: 'duration' },
  { name: 'to-earliest', description: 'Reset offsets to earliest offset.' },
  { name: 'to-latest', description: 'Reset offsets to latest offset.' },
  { name: 'to-current', description: 'Reset offsets to current offset.' },
  { name: 'shift-by', description: "Reset offsets shifting current offset by 'n', where 'n' can be positive or negative.", arg: 'required', argName: 'number-of-offsets', type: 'Long' },
  { name: 'members', description: "Describe members of the group. This option may be used with '--describe' and '--bootstrap-server' options only." },
  { name: 'verbose', description: "Provide additional information, if any, when describing the group. This option may be used with '--offsets'/'--members'/'--state' and '--bootstrap-server' options only." },
  { name: 'offsets', description: "Describe the group and list all topic partitions in the group along with their offset lag. This is the default sub-action of and may be used with '--describe' and '--bootstrap-server' options only." },
  { name: 'state', description: "When specified with '--describe', includes the state of the group. When specified with '--list', it displays the state of all groups. It can also be used to list groups with specific states.", arg: 'optional' },
  { name: 'type', description: "When specified with '--list', it displays the types of all the groups. It can also be used to list groups with specific types.", arg: 'optional' },
];

const PURPOSE = 'This tool helps to list all consumer groups, describe a consumer group, delete consumer group info, or reset consumer group offsets.';
const RESET_SCENARIOS = ['to-offset', 'shift-by', 'to-datetime', 'by-duration', 'to-earliest', 'to-latest', 'to-current', 'from-file'];
const GROUP_STATES = ['PreparingRebalance', 'CompletingRebalance', 'Stable', 'Dead', 'Empty'];

/** ConsumerGroupCommand.printError: on stdout, after an empty line. */
function printError(io: ToolIO, message: string): void {
  io.out(`\nError: ${message}\n`);
}

function liveGroups(snap: ClusterSnapshot): GroupView[] {
  return snap.groups.filter((g) => g.state !== 'Dead').sort((a, b) => (a.groupId < b.groupId ? -1 : 1));
}

/** shouldPrintMemberState: the notes Kafka prints before a group's table; false when there is nothing to print. */
function noteState(io: ToolIO, group: string, g: GroupView | undefined, rows: number): boolean {
  if (!g || g.state === 'Dead') {
    printError(io, `Consumer group '${group}' does not exist.`);
    return false;
  }
  if (g.state === 'Empty') io.err(`\nConsumer group '${group}' has no active members.\n`);
  if (g.state === 'PreparingRebalance' || g.state === 'CompletingRebalance') io.err(`\nWarning: Consumer group '${group}' is rebalancing.\n`);
  return rows > 0;
}

interface OffsetRow {
  group: string;
  topic: string;
  partition: string;
  offset: string;
  logEndOffset: string;
  lag: string;
  consumerId: string;
  host: string;
  clientId: string;
}

/** The rows of `--describe --offsets`: assigned partitions by member, then partitions with offsets and no owner. */
export function offsetRows(g: GroupView): OffsetRow[] {
  const rows: OffsetRow[] = [];
  const byTp = new Map(g.offsets.map((o) => [`${o.topic}-${o.partition}`, o]));
  const assigned = new Set<string>();
  const dash = '-';
  for (const m of g.members) {
    const tps = [...m.assignment].sort((a, b) => (a.topic < b.topic ? -1 : a.topic > b.topic ? 1 : a.partition - b.partition));
    for (const tp of tps) {
      const key = `${tp.topic}-${tp.partition}`;
      assigned.add(key);
      const o = byTp.get(key);
      rows.push({
        group: g.groupId,
        topic: tp.topic,
        partition: String(tp.partition),
        offset: o?.committed != null ? String(o.committed) : dash,
        logEndOffset: o ? String(o.logEndOffset) : dash,
        lag: o?.lag != null ? String(o.lag) : dash,
        consumerId: m.memberId,
        host: CLIENT_HOST,
        clientId: m.clientId,
      });
    }
  }
  for (const o of g.offsets) {
    if (assigned.has(`${o.topic}-${o.partition}`) || o.committed === null) continue;
    rows.push({
      group: g.groupId,
      topic: o.topic,
      partition: String(o.partition),
      offset: String(o.committed),
      logEndOffset: String(o.logEndOffset),
      lag: o.lag !== null ? String(o.lag) : dash,
      consumerId: dash,
      host: dash,
      clientId: dash,
    });
  }
  return rows;
}

/** printOffsets: `"\n%-Gs %-Ts %-10s %-15s %-15s %-15s %-Cs %-Hs %s"` for the header and each row. */
export function formatOffsets(rows: OffsetRow[]): string {
  let g = 15;
  let t = 15;
  let c = 15;
  let h = 15;
  for (const r of rows) {
    g = Math.max(g, r.group.length);
    t = Math.max(t, r.topic.length);
    c = Math.max(c, r.consumerId.length);
    h = Math.max(h, r.host.length);
  }
  const line = (r: OffsetRow) =>
    `\n${padRight(r.group, g)} ${padRight(r.topic, t)} ${padRight(r.partition, 10)} ${padRight(r.offset, 15)} ${padRight(r.logEndOffset, 15)} ${padRight(r.lag, 15)} ${padRight(r.consumerId, c)} ${padRight(r.host, h)} ${r.clientId}`;
  const header: OffsetRow = {
    group: 'GROUP',
    topic: 'TOPIC',
    partition: 'PARTITION',
    offset: 'CURRENT-OFFSET',
    logEndOffset: 'LOG-END-OFFSET',
    lag: 'LAG',
    consumerId: 'CONSUMER-ID',
    host: 'HOST',
    clientId: 'CLIENT-ID',
  };
  return `${line(header)}${rows.map(line).join('')}\n`;
}

function formatMembers(g: GroupView, verbose: boolean): string {
  let gl = 15;
  let cl = 15;
  let il = 17;
  let hl = 15;
  let kl = 15;
  const withInstance = g.members.some((m) => m.groupInstanceId);
  for (const m of g.members) {
    gl = Math.max(gl, g.groupId.length);
    cl = Math.max(cl, m.memberId.length);
    il = Math.max(il, (m.groupInstanceId ?? '').length);
    hl = Math.max(hl, CLIENT_HOST.length);
    kl = Math.max(kl, m.clientId.length);
  }
  const cols = (group: string, id: string, inst: string, host: string, client: string, n: string) =>
    withInstance
      ? `${padRight(group, gl)} ${padRight(id, cl)} ${padRight(inst, il)} ${padRight(host, hl)} ${padRight(client, kl)} ${padRight(n, 15)} `
      : `${padRight(group, gl)} ${padRight(id, cl)} ${padRight(host, hl)} ${padRight(client, kl)} ${padRight(n, 15)} `;
  let out = `\n${cols('GROUP', 'CONSUMER-ID', 'GROUP-INSTANCE-ID', 'HOST', 'CLIENT-ID', '#PARTITIONS')}${verbose ? 'ASSIGNMENT' : ''}\n`;
  for (const m of g.members) {
    out += cols(g.groupId, m.memberId, m.groupInstanceId ?? '', CLIENT_HOST, m.clientId, String(m.assignment.length));
    if (verbose) {
      const byTopic = new Map<string, number[]>();
      for (const tp of m.assignment) byTopic.set(tp.topic, [...(byTopic.get(tp.topic) ?? []), tp.partition]);
      const parts = [...byTopic.entries()].map(([topic, ps]) => `${topic}(${ps.map(String).sort().join(',')})`).sort();
      out += parts.length > 0 ? parts.join(', ') : '-';
    }
    out += '\n';
  }
  return out;
}

function formatState(g: GroupView): string {
  const coordinator = g.coordinator >= 0 ? `broker${g.coordinator}:9092  (${g.coordinator})` : ':-1  (-1)';
  const w = Math.max(25, coordinator.length);
  const line = (a: string, b: string, c: string, d: string, e: string) => `\n${padRight(a, w)} ${padRight(b, 25)} ${padRight(c, 20)} ${padRight(d, 15)} ${e}`;
  return `${line('GROUP', 'COORDINATOR (ID)', 'ASSIGNMENT-STRATEGY', 'STATE', '#MEMBERS')}${line(g.groupId, coordinator, g.assignor ?? '', g.state, String(g.members.length))}\n`;
}

/** printOffsetsToReset: `"%n%-30s %-30s %-10s %-15s"` per row, then a newline. */
export function formatResetOffsets(rows: { group: string; topic: string; partition: number; offset: number }[]): string {
  const line = (a: string, b: string, c: string, d: string) => `\n${padRight(a, 30)} ${padRight(b, 30)} ${padRight(c, 10)} ${padRight(d, 15)}`;
  if (rows.length === 0) return '\n';
  return `${line('GROUP', 'TOPIC', 'PARTITION', 'NEW-OFFSET')}${rows.map((r) => line(r.group, r.topic, String(r.partition), String(r.offset))).join('')}\n`;
}

/** 'YYYY-MM-DDTHH:mm:SS.sss' with an optional zone; without one, UTC (the virtual clock starts at the epoch). */
export function parseDateTime(s: string): number | null {
  const m = /^(\d{4})-(\d{2})-(\d{2})T(\d{2}):(\d{2}):(\d{2})(?:\.(\d{1,3}))?(Z|[+-]\d{2}:?\d{2})?$/.exec(s.trim());
  if (!m) return null;
  const zone = m[8] ?? 'Z';
  const ms = (m[7] ?? '0').padEnd(3, '0');
  const t = Date.parse(`${m[1]}-${m[2]}-${m[3]}T${m[4]}:${m[5]}:${m[6]}.${ms}${zone === 'Z' ? 'Z' : zone.replace(/^([+-]\d{2})(\d{2})$/, '$1:$2')}`);
  return Number.isNaN(t) ? null : t;
}

/** java.time.Duration.parse for 'PnDTnHnMnS' (seconds may have a fraction); ms, or null. */
export function parseDuration(s: string): number | null {
  const m = /^P(?:(\d+)D)?(?:T(?:(\d+)H)?(?:(\d+)M)?(?:(\d+(?:\.\d+)?)S)?)?$/i.exec(s.trim());
  if (!m || s.trim().toUpperCase() === 'P' || /T$/i.test(s.trim())) return null;
  return (Number(m[1] ?? 0) * 86400 + Number(m[2] ?? 0) * 3600 + Number(m[3] ?? 0) * 60 + Number(m[4] ?? 0)) * 1000;
}

/** The first offset whose record's timestamp is at or after `ts` (ListOffsets by timestamp), else the log end. */
/** A --reset-offsets scenario (ResetOffsetsCommand), as the dialog and the tool both give it. */
export type ResetSpec =
  | { kind: 'to-earliest' }
  | { kind: 'to-latest' }
  | { kind: 'to-current' }
  | { kind: 'to-offset'; offset: number }
  | { kind: 'shift-by'; by: number }
  | { kind: 'to-datetime'; timestamp: number };

/** --topic t (every partition), --topic t:0,1, or --all-topics (those the group has offsets for). */
export type ResetScope = { topic: string; partitions?: number[] }[] | 'all-topics';

/** One row of the --dry-run table, with the committed offset it replaces (null: none yet). */
export interface ResetPlanRow {
  group: string;
  topic: string;
  partition: number;
  offset: number;
  current: number | null;
  /** The row comes from a whole topic (--topic t), not a listed partition. */
  all: boolean;
}

export type ResetPlan = { rows: ResetPlanRow[] } | { error: string; kind: 'inactive' | 'usage' | 'fatal' };

/**
 * The new offsets --reset-offsets would set (ConsumerGroupCommand.prepareOffsetsToReset):
 * what --dry-run prints and --execute commits. One path for the terminal and the reset
 * dialog's preview. `warn` gets Kafka's out-of-range warnings. A group with active members
 * is refused, as Kafka refuses it.
 */
export async function planResetOffsets(ctx: CliContext, snap: ClusterSnapshot, groupId: string, scope: ResetScope, spec: ResetSpec, warn: (text: string) => void): Promise<ResetPlan> {
  const g = snap.groups.find((x) => x.groupId === groupId);
  if (g && g.members.length > 0) {
    return { error: `Assignments can only be reset if the group '${groupId}' is inactive, but the current state is ${g.state}.`, kind: 'inactive' };
  }
  const scopeTps: { topic: string; partition: number; all: boolean }[] = [];
  if (scope === 'all-topics') {
    for (const off of g?.offsets ?? []) scopeTps.push({ topic: off.topic, partition: off.partition, all: false });
  } else {
    for (const item of scope) {
      const t = snap.topics.find((x) => x.name === item.topic);
      if (!t) return { error: `Executing consumer group command failed due to ${exceptionClass('UNKNOWN_TOPIC_OR_PARTITION')}: This server does not host this topic-partition.`, kind: 'fatal' };
      const ps = item.partitions ?? [...Array(t.partitions).keys()];
      for (const p of ps) scopeTps.push({ topic: item.topic, partition: p, all: item.partitions === undefined });
    }
  }
  const committed = (topic: string, p: number) => g?.offsets.find((x) => x.topic === topic && x.partition === p)?.committed ?? null;
  const rows: ResetPlanRow[] = [];
  for (const tp of scopeTps) {
    const pv = snap.partitions.find((x) => x.topic === tp.topic && x.partition === tp.partition);
    if (!pv) continue;
    const start = pv.logStartOffset;
    const end = pv.highWatermark;
    const clamp = (n: number) => {
      if (n < start) {
        warn(`\nWarn: Partition ${tp.partition} from topic ${tp.topic} is out of range. Value will be set to ${start}\n`);
        return start;
      }
      if (n > end) {
        warn(`\nWarn: New offset (${n}) is higher than latest offset for topic partition ${tp.topic}-${tp.partition}. Value will be set to ${end}\n`);
        return end;
      }
      return n;
    };
    const current = committed(tp.topic, tp.partition);
    let offset: number;
    switch (spec.kind) {
      case 'to-earliest':
        offset = start;
        break;
      case 'to-latest':
        offset = end;
        break;
      case 'to-offset':
        offset = clamp(spec.offset);
        break;
      case 'to-current':
        offset = current ?? end;
        break;
      case 'shift-by':
        if (current === null) return { error: `Cannot shift offset for partition ${tp.topic}-${tp.partition} since there is no current committed offset`, kind: 'usage' };
        offset = clamp(current + spec.by);
        break;
      case 'to-datetime':
        offset = (await offsetForTimestamp(ctx, tp.topic, tp.partition, spec.timestamp)) ?? end;
        break;
    }
    rows.push({ group: groupId, topic: tp.topic, partition: tp.partition, offset, current, all: tp.all });
  }
  return { rows };
}

/**
 * --execute: commits a plan as timeline actions. The same target for a whole topic goes as
 * one action with Kafka's own target (earliest, latest, a time); per-partition values go
 * partition by partition. The cluster's refusal (the group became active), else null.
 */
export async function executeResetOffsets(ctx: CliContext, groupId: string, rows: ResetPlanRow[], spec: ResetSpec): Promise<string | null> {
  const named = spec.kind === 'to-earliest' || spec.kind === 'to-latest' || spec.kind === 'to-datetime';
  const done = new Set<string>();
  for (const p of rows) {
    let to: OffsetResetTarget;
    let partition: number | undefined;
    if (named) {
      to = spec.kind === 'to-earliest' ? 'earliest' : spec.kind === 'to-latest' ? 'latest' : { timestamp: spec.timestamp };
      if (p.all) {
        if (done.has(p.topic)) continue;
        done.add(p.topic);
      } else partition = p.partition;
    } else {
      to = p.offset;
      partition = p.partition;
    }
    const r = await ctx.perform({ op: 'resetOffsets', group: groupId, topic: p.topic, to, ...(partition !== undefined ? { partition } : {}) });
    if (r.rejected) return r.rejected.message;
  }
  return null;
}

async function offsetForTimestamp(ctx: CliContext, topic: string, partition: number, ts: number): Promise<number | null> {
  const first = await ctx.readLog(topic, partition, undefined, 1);
  if (!first) return null;
  let from = first.logStartOffset;
  for (;;) {
    const page = await ctx.readLog(topic, partition, from, 1000);
    if (!page) return null;
    const hit = page.records.find((r) => r.offset < page.highWatermark && r.timestamp >= ts);
    if (hit) return hit.offset;
    const last = page.records[page.records.length - 1];
    if (!last || last.offset + 1 >= page.highWatermark) return page.highWatermark;
    from = last.offset + 1;
  }
}

async function run(argv: string[], ctx: CliContext, io: ToolIO): Promise<number> {
  const specs = withDefaults(GROUPS_OPTIONS);
  let o;
  try {
    o = parseOptions(specs, argv);
  } catch (e) {
    if (e instanceof OptionError) return usageError(io, e.message, GROUPS_OPTIONS);
    throw e;
  }
  const hv = helpOrVersion(io, argv, (n) => o.has(n), PURPOSE, GROUPS_OPTIONS);
  if (hv !== null) return hv;
  const req = missingRequired(o, 'bootstrap-server');
  if (req) return usageError(io, req, GROUPS_OPTIONS);
  // availableIf: these need their action.
  for (const [opt, needs] of [
    ['members', ['describe']],
    ['verbose', ['describe']],
    ['offsets', ['describe']],
    ['state', ['describe', 'list']],
    ['type', ['list']],
  ] as const) {
    if (o.has(opt) && !needs.some((n) => o.has(n))) {
      return usageError(io, `Option ${opt} is unavailable without one of: ${needs.map((n) => `--${n}`).join(', ')}`, GROUPS_OPTIONS);
    }
  }
  const groupScope = `${specName('group')}, ${specName('all-groups')}`;
  if (o.has('describe')) {
    if (!o.has('group') && !o.has('all-groups')) return usageError(io, `Option ${specName('describe')} takes one of these options: ${groupScope}`, GROUPS_OPTIONS);
    if (['members', 'offsets', 'state'].filter((n) => o.has(n)).length > 1) {
      return usageError(io, `Option ${specName('describe')} takes at most one of these options: ${specName('members')}, ${specName('offsets')}, ${specName('state')}`, GROUPS_OPTIONS);
    }
    if (o.has('state') && o.value('state') !== undefined) return usageError(io, `Option ${specName('describe')} does not take a value for ${specName('state')}`, GROUPS_OPTIONS);
  }
  if (o.has('reset-offsets')) {
    if (o.has('dry-run') && o.has('execute')) return usageError(io, `Option ${specName('reset-offsets')} only accepts one of ${specName('execute')} and ${specName('dry-run')}`, GROUPS_OPTIONS);
    if (!o.has('dry-run') && !o.has('execute')) {
      io.err(
        'WARN: No action will be performed as the --execute option is missing. In a future major release, the default behavior of this command will be to prompt the user before executing the reset rather than doing a dry run. You should add the --dry-run option explicitly if you are scripting this command and want to keep the current default behavior without prompting.\n',
      );
    }
    if (!o.has('group') && !o.has('all-groups')) return usageError(io, `Option ${specName('reset-offsets')} takes one of these options: ${groupScope}`, GROUPS_OPTIONS);
    for (const s of RESET_SCENARIOS) {
      const m = invalidCombination(o, s, RESET_SCENARIOS.filter((x) => x !== s));
      if (m) return usageError(io, m, GROUPS_OPTIONS);
    }
  }
  const m1 = invalidCombination(o, 'group', ['all-groups']);
  if (m1) return usageError(io, m1, GROUPS_OPTIONS);
  const m2 = invalidCombination(o, 'group', ['list']);
  if (m2) return usageError(io, m2, GROUPS_OPTIONS);
  const m3 = invalidCombination(o, 'topic', ['list', 'describe']);
  if (m3) return usageError(io, m3, GROUPS_OPTIONS);
  const actions = ['list', 'describe', 'delete', 'reset-offsets', 'delete-offsets'].filter((a) => o.has(a));
  if (actions.length !== 1) return usageError(io, 'Command must include exactly one action: --list, --describe, --delete, --reset-offsets, --delete-offsets', GROUPS_OPTIONS);
  if (o.has('command-config')) {
    printError(io, `Executing consumer group command failed due to ${noFiles('command-config')}`);
    return 1;
  }
  const snap = ctx.snapshot();
  if (!snap) {
    printError(io, 'Executing consumer group command failed due to org.apache.kafka.common.errors.TimeoutException: Timed out waiting for a node assignment.');
    return 1;
  }
  const groups = liveGroups(snap);

  if (o.has('list')) {
    if (!o.has('state') && !o.has('type')) {
      if (groups.length > 0) io.out(`${groups.map((g) => g.groupId).join('\n')}\n`);
      return 0;
    }
    let wanted: Set<string> | null = null;
    const sv = o.value('state');
    if (sv !== undefined && sv !== '') {
      const asked = sv.split(',').map((s) => s.trim());
      const parsed = asked.map((s) => GROUP_STATES.find((x) => x.toLowerCase() === s.toLowerCase()));
      if (parsed.some((p) => p === undefined)) return usageError(io, `Invalid state list '${sv}'. Valid states are: ${GROUP_STATES.join(', ')}`, GROUPS_OPTIONS);
      wanted = new Set(parsed as string[]);
    }
    const tv = o.value('type');
    if (tv !== undefined && tv !== '' && !tv.toLowerCase().split(',').every((t) => ['classic', 'consumer', 'share', 'streams'].includes(t.trim()))) {
      return usageError(io, `Invalid types list '${tv}'. Valid types are: classic, consumer, share, streams`, GROUPS_OPTIONS);
    }
    const shown = groups.filter((g) => (wanted ? wanted.has(g.state) : true)).filter(() => tv === undefined || tv === '' || tv.toLowerCase().split(',').map((t) => t.trim()).includes('classic'));
    const w = Math.max(15, ...shown.map((g) => g.groupId.length)) + 10;
    const cols = (id: string, type: string, state: string) => `${padRight(id, w)}${o.has('type') ? ` ${padRight(type, 20)}` : ''}${o.has('state') ? ` ${padRight(state, 20)}` : ''}`;
    let out = `${cols('GROUP', 'TYPE', 'STATE')}\n`;
    for (const g of shown) out += `${cols(g.groupId, 'Classic', g.state)}\n`;
    io.out(out);
    return 0;
  }

  const targets = o.has('all-groups') ? groups.map((g) => g.groupId) : o.all('group');

  if (o.has('describe')) {
    for (const id of targets) {
      const g = snap.groups.find((x) => x.groupId === id);
      if (o.has('state')) {
        if (noteState(io, id, g, 1)) io.out(formatState(g!));
      } else if (o.has('members')) {
        // As Kafka: the notes, then the header whatever the state (rows only for members).
        noteState(io, id, g, g?.members.length ?? 0);
        io.out(formatMembers(g ?? { groupId: id, state: 'Dead', generation: 0, assignor: null, coordinator: -1, leader: null, members: [], offsets: [] }, o.has('verbose')));
      } else {
        const rows = g ? offsetRows(g) : [];
        if (noteState(io, id, g, rows.length)) io.out(formatOffsets(rows));
      }
    }
    return 0;
  }

  if (o.has('delete') || o.has('delete-offsets')) {
    printError(io, 'Executing consumer group command failed due to: deleting groups and their offsets is not modelled by the playground (its group coordinator keeps every group).');
    return 1;
  }

  // --reset-offsets
  if (!o.has('topic') && !o.has('all-topics')) {
    return usageError(io, 'Option [reset-offsets] takes one of these options: [all-topics], [topic]', GROUPS_OPTIONS);
  }
  if (o.has('from-file')) {
    printError(io, `Executing consumer group command failed due to ${noFiles('from-file')}`);
    return 1;
  }
  if (!RESET_SCENARIOS.some((s) => o.has(s))) {
    return usageError(io, `Option '${specName('reset-offsets')}' requires one of the following scenarios: ${RESET_SCENARIOS.map(specName).join(', ')}`, GROUPS_OPTIONS);
  }
  const execute = o.has('execute');
  let spec: ResetSpec;
  if (o.has('to-earliest')) spec = { kind: 'to-earliest' };
  else if (o.has('to-latest')) spec = { kind: 'to-latest' };
  else if (o.has('to-offset')) spec = { kind: 'to-offset', offset: Number(o.value('to-offset')) };
  else if (o.has('to-current')) spec = { kind: 'to-current' };
  else if (o.has('shift-by')) spec = { kind: 'shift-by', by: Number(o.value('shift-by')) };
  else if (o.has('to-datetime')) {
    const t = parseDateTime(o.value('to-datetime')!);
    if (t === null) {
      printError(io, `Executing consumer group command failed due to Error parsing datetime '${o.value('to-datetime')}'. Format: 'YYYY-MM-DDTHH:mm:SS.sss'`);
      return 1;
    }
    spec = { kind: 'to-datetime', timestamp: t };
  } else {
    const d = parseDuration(o.value('by-duration')!);
    if (d === null) return usageError(io, `Error parsing duration '${o.value('by-duration')}'. Format: 'PnDTnHnMnS'`, GROUPS_OPTIONS);
    spec = { kind: 'to-datetime', timestamp: snap.time - d };
  }
  const scope: ResetScope = o.has('all-topics')
    ? 'all-topics'
    : o.all('topic').map((t) => {
        const [topic, list] = t.split(':') as [string, string | undefined];
        return list !== undefined && list.trim() !== '' ? { topic, partitions: list.split(',').map((x) => Number(x.trim())) } : { topic };
      });
  const allRows: ResetPlanRow[] = [];
  for (const id of targets) {
    const plan = await planResetOffsets(ctx, snap, id, scope, spec, (line) => io.out(line));
    if ('error' in plan) {
      if (plan.kind === 'usage') {
        usageError(io, plan.error, GROUPS_OPTIONS);
        return 1;
      }
      printError(io, plan.error);
      if (plan.kind === 'fatal') return 1;
      continue;
    }
    if (execute) {
      const refused = await executeResetOffsets(ctx, id, plan.rows, spec);
      if (refused) {
        printError(io, refused);
        return 1;
      }
    }
    allRows.push(...plan.rows);
  }
  io.out(formatResetOffsets(allRows));
  return 0;
}

export const kafkaConsumerGroups: Tool = {
  name: 'kafka-consumer-groups',
  summary: 'List, describe consumer groups; reset their offsets.',
  options: GROUPS_OPTIONS,
  run,
};
