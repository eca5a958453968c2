/**
 * kafka-transactions.sh (org.apache.kafka.tools.TransactionsCommand), Kafka 4.x: the `list`
 * and `describe --transactional-id` subcommands, read from the transaction coordinator's
 * state in the snapshot. Output as its prettyPrintTable prints it: a header row, then one row
 * per transaction, columns left-aligned and separated by spaces.
 */
import type { ClusterSnapshot, TransactionView } from '../kafka/snapshot';
import type { CliContext, Tool, ToolIO } from './context';
import { BOOTSTRAP_SERVER } from './common';
import type { OptionSpec } from './options';

export const TRANSACTIONS_OPTIONS: OptionSpec[] = [
  { ...BOOTSTRAP_SERVER, description: 'hostname and port for the broker to connect to, in the form `host:port`  (multiple comma-separated entries can be given)' },
  { name: 'transactional-id', description: 'Transactional id (describe)', arg: 'required', argName: 'TRANSACTIONAL-ID' },
];

const USAGE =
  'usage: kafka-transactions.sh [-h] [-v] [--command-config FILE] --bootstrap-server host:port COMMAND ...\n' +
  '\n' +
  'This tool is used to analyze the transactional state of producers in the cluster. It can be used to detect and recover from hanging transactions.\n' +
  '\n' +
  'commands (subcommands, modelled here):\n' +
  '  list                   List transactions\n' +
  '  describe               Describe the state of an active transactional-id.\n' +
  '\n' +
  'named arguments:\n' +
  '  --bootstrap-server host:port\n' +
  '                         hostname and port for the broker to connect to, in the form `host:port`  (multiple comma-separated entries can be given)\n';

/** ToolsUtils.prettyPrintTable: columns as wide as their widest cell, one space of margin. */
function table(headers: string[], rows: string[][]): string {
  const widths = headers.map((h, i) => Math.max(h.length, ...rows.map((r) => r[i]!.length)));
  const line = (cells: string[]) => cells.map((c, i) => (i === cells.length - 1 ? c : c.padEnd(widths[i]! + 1))).join('') + '\n';
  return line(headers) + rows.map(line).join('');
}

function describeRow(t: TransactionView, now: number): string[] {
  const open = t.state === 'Ongoing' || t.state === 'PrepareCommit' || t.state === 'PrepareAbort';
  return [
    String(t.coordinator),
    t.transactionalId,
    String(t.producerId),
    String(t.producerEpoch),
    t.state,
    String(t.timeoutMs),
    open && t.startedAt >= 0 ? String(t.startedAt) : 'None',
    open && t.startedAt >= 0 ? String(now - t.startedAt) : 'None',
    open ? t.partitions.map((p) => `${p.topic}-${p.partition}`).join(',') : '',
  ];
}

async function run(argv: string[], ctx: CliContext, io: ToolIO): Promise<number> {
  if (argv.length === 0 || argv.includes('-h') || argv.includes('--help')) {
    io.out(USAGE);
    return argv.length === 0 ? 1 : 0;
  }
  let bootstrap: string | undefined;
  let tid: string | undefined;
  const words: string[] = [];
  for (let i = 0; i < argv.length; i++) {
    const a = argv[i]!;
    const eq = a.indexOf('=');
    const name = a.startsWith('--') ? (eq > 0 ? a.slice(2, eq) : a.slice(2)) : null;
    const value = () => (eq > 0 ? a.slice(eq + 1) : argv[++i]);
    if (name === 'bootstrap-server') bootstrap = value();
    else if (name === 'transactional-id') tid = value();
    else if (name !== null) {
      io.err(`${USAGE}kafka-transactions.sh: error: unrecognized arguments: '${a}'\n`);
      return 1;
    } else words.push(a);
  }
  if (bootstrap === undefined) {
    io.err(`${USAGE}kafka-transactions.sh: error: argument --bootstrap-server is required\n`);
    return 1;
  }
  const command = words[0];
  const snap: ClusterSnapshot | null = ctx.snapshot();
  if (!snap) return 1;
  const txns = snap.transactions ?? [];
  if (command === 'list') {
    io.out(table(['TransactionalId', 'Coordinator', 'ProducerId', 'TransactionState'], txns.map((t) => [t.transactionalId, String(t.coordinator), String(t.producerId), t.state])));
    return 0;
  }
  if (command === 'describe') {
    if (tid === undefined) {
      io.err(`${USAGE}kafka-transactions.sh: error: argument --transactional-id is required\n`);
      return 1;
    }
    const t = txns.find((x) => x.transactionalId === tid);
    if (!t) {
      io.err(`org.apache.kafka.common.errors.TransactionalIdNotFoundException: The transactionalId could not be found\n`);
      return 1;
    }
    io.out(
      table(
        ['CoordinatorId', 'TransactionalId', 'ProducerId', 'ProducerEpoch', 'TransactionState', 'TransactionTimeoutMs', 'CurrentTransactionStartTimeMs', 'TransactionDurationMs', 'TopicPartitions'],
        [describeRow(t, snap.time)],
      ),
    );
    return 0;
  }
  io.err(`${USAGE}kafka-transactions.sh: error: ${command === undefined ? 'too few arguments' : `argument COMMAND: invalid choice: '${command}' (choose from 'list', 'describe')`}\n`);
  return 1;
}

export const kafkaTransactions: Tool = { name: 'kafka-transactions', summary: 'List and describe transactions (list, describe --transactional-id).', options: TRANSACTIONS_OPTIONS, run };
