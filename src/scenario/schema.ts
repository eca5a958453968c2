/**
 * The scenario document's validator (../shared/spec/scenario.md, types in ./types.ts): turns
 * untrusted input (a share link, a file, IndexedDB, a lesson) into a typed `Scenario`, or
 * into ONE error that names the field by its JSON path, e.g.
 *   timeline[3].broker: expected a broker id (an integer ≥ 1), got "two"
 *
 * What is a document error here, and what is not: the shape and types of every field, and
 * cross-field facts that no run could give meaning to (two brokers with one id, two clients
 * with one id, a consumer subscribed to nothing). What the *cluster* would refuse at run
 * time (produce to a missing topic, RF above the live brokers, an unknown broker id) is not
 * a document error: it becomes an error event in the run, as Kafka answers with an error
 * code, so it must pass here.
 *
 * Unknown fields are kept (loose objects): the spec lets later builds add fields without a
 * version bump, and a document that round-trips through an older build must not lose them.
 *
 * This module validates the current version only; `restore.ts` checks `version` and
 * migrates older documents first. Everything that loads a document goes through there.
 */
import { invalidConfigValue } from '../kafka/config';
import { LIMITS, loadRateProblem } from '../kafka/limits';
import { z } from 'zod';
import { badVersion, invalidField, newerVersion, quote } from './messages';
import type {
  BrokerSpec,
  ConsumerSpec,
  LessonAction,
  LessonTryThis,
  NetworkSpec,
  ProducerSpec,
  Scenario,
  TimelineAction,
  TimelineOp,
  TopicSpec,
} from './types';
import { SCENARIO_VERSION } from './types';

export interface ScenarioError {
  /** JSON path of the offending field (`timeline[3].broker`), '' for the whole document. */
  path: string;
  /** One line, starting with the path when there is one. */
  message: string;
}

export type ParseResult = { ok: true; scenario: Scenario } | { ok: false; error: ScenarioError };

/** The playground's limits live in one place (kafka/limits.ts); re-exported for the load paths. */
export { LIMITS };

// ---- describing values and expectations ---------------------------------------------------

/** How a value is shown after "got": literals as JSON, containers by kind. */
export function describeValue(v: unknown): string {
  if (v === undefined) return 'nothing';
  if (v === null) return 'null';
  if (typeof v === 'string') return quote(v.length > 40 ? `${v.slice(0, 40)}…` : v);
  if (typeof v === 'number') return String(v);
  if (typeof v === 'boolean') return String(v);
  if (Array.isArray(v)) return v.length === 0 ? 'an empty array' : 'an array';
  if (typeof v === 'object') return 'an object';
  return `a ${typeof v}`;
}

/** `expected X, got Y`, or `missing; expected X` when the field is absent. */
function expectation(expected: string, input: unknown): string {
  return input === undefined ? `missing; ${expected}` : `${expected}, got ${describeValue(input)}`;
}

const TYPE_NAMES: Record<string, string> = {
  number: 'a number',
  int: 'an integer',
  string: 'a string',
  boolean: 'a boolean',
  object: 'an object',
  array: 'an array',
  null: 'null',
  record: 'an object',
};

function typeName(expected: string): string {
  return Object.hasOwn(TYPE_NAMES, expected) ? TYPE_NAMES[expected]! : expected;
}

function orList(items: string[]): string {
  if (items.length <= 1) return items.join('');
  return `${items.slice(0, -1).join(', ')} or ${items[items.length - 1]}`;
}

/** The subset of zod's raw issue we read; the error map sees issues before paths are final. */
interface RawIssue {
  code?: string;
  input?: unknown;
  expected?: string;
  minimum?: number | bigint;
  maximum?: number | bigint;
  inclusive?: boolean;
  origin?: string;
  values?: readonly unknown[];
  note?: string;
  discriminator?: string;
  options?: readonly unknown[];
  errors?: readonly (readonly RawIssue[])[];
  message?: string;
}

/**
 * The fallback wording for every issue whose schema did not word it itself. Passed per
 * parse (not globally via z.config) so other users of zod in the app are unaffected.
 */
function genericMessage(iss: RawIssue): string {
  switch (iss.code) {
    case 'invalid_type':
      return expectation(`expected ${typeName(iss.expected ?? 'value')}`, iss.input);
    case 'too_small': {
      const min = Number(iss.minimum);
      if (iss.origin === 'array') return expectation(`expected at least ${min} item${min === 1 ? '' : 's'}`, iss.input);
      if (iss.origin === 'string') return expectation('expected a non-empty string', iss.input);
      return expectation(`expected a number ${iss.inclusive ? '≥' : '>'} ${min}`, iss.input);
    }
    case 'too_big': {
      const max = Number(iss.maximum);
      if (iss.origin === 'array') return expectation(`expected at most ${max} items`, iss.input);
      if (iss.origin === 'string') return expectation(`expected at most ${max} characters`, iss.input);
      return expectation(`expected a number ${iss.inclusive ? '≤' : '<'} ${max}`, iss.input);
    }
    case 'invalid_value': {
      const values = (iss.values ?? []).map((v) => JSON.stringify(v));
      return expectation(values.length === 1 ? `expected ${values[0]}` : `expected one of ${orList(values)}`, iss.input);
    }
    case 'invalid_union': {
      if (iss.note === 'No matching discriminator') {
        const options = (iss.options ?? []).map(String);
        const field = iss.discriminator ?? 'op';
        const value =
          iss.input !== null && typeof iss.input === 'object' ? (iss.input as Record<string, unknown>)[field] : undefined;
        const list = `expected one of ${options.join(', ')}`;
        if (typeof value === 'string') return `unknown ${field} ${quote(value)} (${list})`;
        return expectation(list, value);
      }
      // A union of plain types (a config value): list what would have been accepted.
      const expected: string[] = [];
      for (const branch of iss.errors ?? []) {
        const first = branch[0];
        if (branch.length === 1 && first?.code === 'invalid_type' && first.expected) expected.push(typeName(first.expected));
        else return expectation('expected a value of another shape', iss.input);
      }
      return expectation(`expected ${orList(expected)}`, iss.input);
    }
    case 'invalid_format':
      return expectation('expected a string of another format', iss.input);
    default:
      return expectation('expected another value', iss.input);
  }
}

/** A schema-level error in our wording; zod calls it with the raw issue (input included). */
function says(expected: string) {
  return { error: (iss: RawIssue): string => expectation(expected, iss.input) };
}

// ---- leaf schemas -------------------------------------------------------------------------

function intBetween(min: number, max: number, noun = 'an integer') {
  const range = max >= Number.MAX_SAFE_INTEGER ? `≥ ${min}` : `from ${min} to ${max}`;
  const e = says(`expected ${noun} ${range}`);
  return z.number(e).int(e).min(min, e).max(max, e);
}

const atMs = (() => {
  const e = says(`expected a time in ms (a number from 0 to ${LIMITS.timeMs}, 24 h)`);
  return z.number(e).min(0, e).max(LIMITS.timeMs, e);
})();
const brokerIdSchema = (() => {
  const e = says('expected a broker id (an integer ≥ 1)');
  return z.number(e).int(e).min(1, e).max(LIMITS.brokerId, e);
})();

const nonNegativeMs = (() => {
  const e = says(`expected a duration in ms (a number from 0 to ${LIMITS.timeMs}, 24 h)`);
  return z.number(e).min(0, e).max(LIMITS.timeMs, e);
})();
const partitionIndex = intBetween(0, LIMITS.partitions - 1, 'a partition index');
const offset = (() => {
  const e = says('expected an offset (an integer ≥ 0)');
  return z.number(e).int(e).min(0, e);
})();

/** A non-empty identifier: client ids, group ids, entity names. */
const id = (what: string) => {
  const e = says(`expected ${what} (a non-empty string)`);
  return z.string(e).min(1, e);
};

/** Kafka's Topic.validate: legal chars, 1–249 long, not "." or "..". */
export function isLegalTopicName(name: string): boolean {
  return /^[a-zA-Z0-9._-]{1,249}$/.test(name) && name !== '.' && name !== '..';
}

const topicName = z.string(says('expected a topic name (a string)')).refine(isLegalTopicName, {
  error: (iss: RawIssue) =>
    expectation('expected a legal Kafka topic name (1–249 of a–z, A–Z, 0–9, ".", "_", "-"; not "." or "..")', iss.input),
});

const configValue = z.union([z.string(), z.number(), z.boolean(), z.null()], says('expected a string, a number, a boolean or null'));

const ACKS_VALUES: readonly unknown[] = [0, 1, 'all', -1, '0', '1', '-1'];

/**
 * A Kafka config map. `acks` is checked here because a bad value is unambiguous in any map;
 * the string forms "0"/"1"/"-1" pass too, since Kafka reads properties as strings (and so
 * does `parseAcks` in kafka/config.ts).
 */
const configMap = z.record(z.string(), configValue).superRefine((map, ctx) => {
  if (Object.prototype.hasOwnProperty.call(map, 'acks') && !ACKS_VALUES.includes(map.acks)) {
    ctx.addIssue({
      code: 'custom',
      path: ['acks'],
      input: map.acks,
      message: expectation('expected 0, 1, "all" or -1', map.acks),
    });
  }
  // Every key the cluster reads has Kafka's type and range (ConfigDef): "retention.ms": "abc" is refused here.
  for (const [key, value] of Object.entries(map)) {
    if (key === 'acks') continue;
    const problem = invalidConfigValue(key, value);
    if (problem !== null) ctx.addIssue({ code: 'custom', path: [key], input: value, message: problem });
  }
});

const rack = z.union([z.string(), z.null()], says('expected a rack name (a string) or null'));

const offsetResetTarget = z.union(
  [z.literal('earliest'), z.literal('latest'), offset, z.looseObject({ timestamp: z.number().min(0) })],
  says('expected "earliest", "latest", an offset (an integer ≥ 0) or { "timestamp": ms }'),
);

// ---- document parts -----------------------------------------------------------------------

const processRoles = z.union(
  [z.literal('broker'), z.literal('broker,controller')],
  says('expected process.roles "broker" or "broker,controller" (controller-only nodes are not modelled: a voter is a combined broker)'),
);

const brokerSpec = z.looseObject({ id: brokerIdSchema, rack: rack.optional(), 'process.roles': processRoles.optional() });

const bandwidthMBps = (() => {
  const e = says('expected a bandwidth in MB/s (a number > 0)');
  return z.number(e).positive(e);
})();

const networkSpec = z.looseObject({
  latencyMs: nonNegativeMs.optional(),
  jitterMs: nonNegativeMs.optional(),
  bandwidthMBps: bandwidthMBps.optional(),
});

const clusterSpec = z.looseObject({
  brokers: z.array(brokerSpec).max(LIMITS.brokers, {
    error: (iss: RawIssue) => `at most ${LIMITS.brokers} brokers (the playground's limit), got ${Array.isArray(iss.input) ? iss.input.length : '?'}`,
  }),
  controllers: z.array(z.looseObject({ id: brokerIdSchema })).min(1, says('expected at least one controller')).max(9, says('expected at most 9 controllers (quorum voters)')).optional(),
  config: configMap.optional(),
  network: networkSpec.optional(),
});

const partitionCount = intBetween(1, LIMITS.partitions, 'a partition count');
const replicationFactor = intBetween(1, LIMITS.replicationFactor, 'a replication factor');

const topicSpec = z.looseObject({
  name: topicName,
  partitions: partitionCount,
  replicationFactor,
  config: configMap.optional(),
  assignments: z.array(z.array(brokerIdSchema)).optional(),
});

const subscribedTopics = z
  .array(topicName, says('expected a list of topic names'))
  .min(1, { error: 'a consumer must subscribe to at least one topic, got an empty list' });

const producerSpec = z.looseObject({ kind: z.literal('producer'), id: id('a client id'), config: configMap.optional() });
const consumerSpec = z.looseObject({
  kind: z.literal('consumer'),
  id: id('a client id'),
  groupId: id('a group id'),
  topics: subscribedTopics,
  config: configMap.optional(),
});
const clientSpec = z.discriminatedUnion('kind', [producerSpec, consumerSpec]);

const headers = z.record(z.string(), z.string(says('expected a header value (a string)')));

const op = <K extends TimelineOp, S extends z.ZodRawShape>(name: K, shape: S) =>
  z.looseObject({ at: atMs, op: z.literal(name), ...shape });

const brokerOp = <K extends TimelineOp>(name: K) => op(name, { broker: brokerIdSchema });

const timelineAction = z.discriminatedUnion('op', [
  op('createTopic', { name: topicName, partitions: partitionCount, replicationFactor, config: configMap.optional() }),
  op('deleteTopic', { name: topicName }),
  op('alterConfig', {
    entity: z.enum(['broker', 'topic', 'client']),
    name: id('an entity name'),
    config: configMap,
  }),
  op('addBroker', { id: brokerIdSchema, rack: rack.optional() }),
  brokerOp('removeBroker'),
  brokerOp('killBroker'),
  brokerOp('restartBroker'),
  brokerOp('isolateBroker'),
  brokerOp('healBroker'),
  op('killController', { controller: brokerIdSchema }),
  op('restartController', { controller: brokerIdSchema }),
  op('isolateController', { controller: brokerIdSchema }),
  op('healController', { controller: brokerIdSchema }),
  op('slowBroker', { broker: brokerIdSchema, delayMs: nonNegativeMs }),
  op('addProducer', { id: id('a client id'), config: configMap.optional() }),
  op('removeProducer', { id: id('a client id') }),
  op('produce', {
    producer: id('a producer id'),
    topic: topicName,
    key: z.union([z.string(), z.null()], says('expected a key (a string) or null')).optional(),
    value: z.union([z.string(), z.null()], says('expected a value (a string), or null for a tombstone')),
    headers: headers.optional(),
    partition: partitionIndex.optional(),
  }),
  op('startLoad', {
    producer: id('a producer id'),
    topic: topicName,
    ratePerSec: (() => {
      const e = says(`expected records per second (a number > 0, at most ${LIMITS.ratePerSec})`);
      return z.number(e).gt(0, e).max(LIMITS.ratePerSec, e);
    })(),
    keys: intBetween(1, LIMITS.keys, 'a key count').optional(),
    valueBytes: intBetween(0, LIMITS.valueBytes, 'a value size in bytes').optional(),
  }).superRefine((a, ctx) => {
    const problem = loadRateProblem(a.ratePerSec, a.valueBytes ?? 100);
    if (problem !== null) ctx.addIssue({ code: 'custom', path: ['ratePerSec'], input: a.ratePerSec, message: problem });
  }),
  op('stopLoad', { producer: id('a producer id'), topic: topicName.optional() }),
  op('addConsumer', { id: id('a client id'), groupId: id('a group id'), topics: subscribedTopics, config: configMap.optional() }),
  op('removeConsumer', { id: id('a client id'), graceful: z.boolean().optional() }),
  op('restartConsumer', { id: id('a client id') }),
  op('subscribe', { consumer: id('a consumer id'), topics: z.array(topicName, says('expected a list of topic names')) }),
  op('changeGroup', { consumer: id('a consumer id'), groupId: id('a group id') }),
  op('setProcessingTime', { consumer: id('a consumer id'), msPerRecord: nonNegativeMs }),
  op('resetOffsets', { group: id('a group id'), topic: topicName, to: offsetResetTarget, partition: partitionIndex.optional() }),
  op('electLeaders', { topic: topicName, partition: partitionIndex, type: z.enum(['preferred', 'unclean']) }),
  op('addPartitions', { topic: topicName, partitions: partitionCount }),
  op('reassignPartitions', {
    topic: topicName,
    partition: partitionIndex,
    replicas: z.union([z.array(brokerIdSchema, says('expected a list of broker ids')).min(1, says('expected at least one replica')).max(LIMITS.brokers, says(`expected at most ${LIMITS.brokers} replicas`)), z.null()], says('expected a list of broker ids, or null to cancel')),
    throttleBytesPerSec: (() => {
      const e = says('expected a throttle in bytes per second (a whole number > 0)');
      return z.number(e).int(e).gt(0, e).max(Number.MAX_SAFE_INTEGER, e);
    })().optional(),
  }),
  op('powerCut', {}),
  op('beginTransaction', { producer: id('a producer id') }),
  op('commitTransaction', { producer: id('a producer id') }),
  op('abortTransaction', { producer: id('a producer id') }),
  op('sendOffsetsToTransaction', {
    producer: id('a producer id'),
    group: id('a group id'),
    offsets: z
      .array(
        z.looseObject({
          topic: topicName,
          partition: partitionIndex,
          offset: (() => {
            const e = says('expected an offset (an integer ≥ 0)');
            return z.number(e).int(e).min(0, e).max(Number.MAX_SAFE_INTEGER, e);
          })(),
        }),
        says('expected a list of {topic, partition, offset}'),
      )
      .optional(),
  }),
]);

/** A lesson chapter: a moment and what to look at then. */
const lessonCheckpoint = z.looseObject({
  at: atMs,
  caption: z.string(says('expected a caption (text)')).min(1, says('expected a caption (text), got an empty one')).max(4000, says('expected a caption of at most 4000 characters')),
});

/**
 * A Try this action: a timeline action without `at` (it applies when its button is
 * pressed). Checked with the timeline's own schema, so its messages and limits are the same.
 */
const lessonAction = z
  .custom<LessonAction>((v) => v !== null && typeof v === 'object' && !Array.isArray(v), says('expected an action (an object with "op")'))
  .transform((v, ctx) => {
    const input = v as Record<string, unknown>;
    if (Object.hasOwn(input, 'at')) {
      ctx.addIssue({ code: 'custom', path: ['at'], input: input.at, message: 'a Try this action takes no "at": it applies when its button is pressed' });
      return z.NEVER;
    }
    const parsed = timelineAction.safeParse({ ...input, at: 0 }, { error: (iss) => genericMessage(iss as RawIssue) });
    if (!parsed.success) {
      const issue = parsed.error.issues[0]!;
      ctx.addIssue({ code: 'custom', path: issue.path, input: undefined, message: issue.message });
      return z.NEVER;
    }
    const { at: _at, ...action } = parsed.data;
    keepProtoKeys(input, action);
    return action as LessonAction;
  });

const TRY_THIS_ACTIONS_MAX = 20;
const lessonTryThis = z.looseObject({
  label: z.string(says('expected a label (text)')).min(1, says('expected a label (text), got an empty one')).max(80, says('expected a label of at most 80 characters')),
  explanation: z
    .string(says('expected an explanation (text)'))
    .min(1, says('expected an explanation (text), got an empty one'))
    .max(4000, says('expected an explanation of at most 4000 characters')),
  from: z.enum(['start', 'now'], says('expected "start" or "now"')).optional(),
  actions: z
    .array(lessonAction, says('expected a list of actions'))
    .min(1, says('expected at least one action'))
    .max(TRY_THIS_ACTIONS_MAX, says(`expected at most ${TRY_THIS_ACTIONS_MAX} actions`)),
});

const layout = z.record(
  z.string(),
  z.looseObject({ x: z.number(), y: z.number() }),
);

export const scenarioSchema = z.looseObject({
  version: z.literal(SCENARIO_VERSION),
  name: z.string().optional(),
  description: z.string().optional(),
  seed: (() => {
    // The PRNG reads the seed as an unsigned 32-bit integer (kafka/sim/prng.ts).
    const e = says('expected a seed (an integer from 0 to 4294967295)');
    return z.number(e).int(e).min(0, e).max(0xffffffff, e);
  })(),
  cluster: clusterSpec,
  topics: z.array(topicSpec).optional(),
  clients: z
    .array(clientSpec)
    .max(LIMITS.clients, { error: (iss: RawIssue) => `at most ${LIMITS.clients} clients (the playground's limit), got ${Array.isArray(iss.input) ? iss.input.length : '?'}` })
    .optional(),
  timeline: z
    .array(timelineAction)
    .max(LIMITS.timelineActions, {
      error: (iss: RawIssue) => `at most ${LIMITS.timelineActions} actions (the playground's limit), got ${Array.isArray(iss.input) ? iss.input.length : '?'}`,
    })
    .optional(),
  checkpoints: z.array(lessonCheckpoint).max(100, says('expected at most 100 checkpoints')).optional(),
  tryThis: z.array(lessonTryThis, says('expected a list of Try this suggestions')).max(20, says('expected at most 20 Try this suggestions')).optional(),
  layout: layout.optional(),
});

/** The ops the schema knows, in the order of the spec's table (for messages and the UI). */
export const TIMELINE_OPS: readonly TimelineOp[] = timelineAction.options.map((o) => o.shape.op.value);

// ---- compile-time agreement with types.ts -------------------------------------------------
// The schema must accept exactly the fields types.ts declares, with the same types. Loose
// objects add an index signature, so compare with it removed, both ways.

type NoIndex<T> = { [K in keyof T as string extends K ? never : number extends K ? never : K]: T[K] };
type Same<A, B> = [A] extends [B] ? ([B] extends [A] ? true : false) : false;
type Assert<T extends true> = T;
type SchemaAction<K extends TimelineOp> = NoIndex<Extract<z.output<typeof timelineAction>, { op: K }>>;
type ActionAgrees<K extends TimelineOp> = K extends TimelineOp ? Same<SchemaAction<K>, Extract<TimelineAction, { op: K }>> : never;
type Out = z.output<typeof scenarioSchema>;

export type _SchemaMatchesTypes = [
  Assert<Same<z.output<typeof timelineAction>['op'], TimelineOp>>,
  Assert<ActionAgrees<TimelineOp>>,
  Assert<Same<NoIndex<z.output<typeof brokerSpec>>, BrokerSpec>>,
  Assert<Same<NoIndex<z.output<typeof networkSpec>>, NetworkSpec>>,
  Assert<Same<NoIndex<z.output<typeof topicSpec>>, TopicSpec>>,
  Assert<Same<NoIndex<z.output<typeof producerSpec>>, ProducerSpec>>,
  Assert<Same<NoIndex<z.output<typeof consumerSpec>>, ConsumerSpec>>,
  Assert<Same<keyof NoIndex<Out>, keyof Scenario>>,
  Assert<Out extends Scenario ? true : false>,
  Assert<Same<keyof NoIndex<z.output<typeof lessonTryThis>>, keyof LessonTryThis>>,
];

// ---- parsing ------------------------------------------------------------------------------

/** `timeline[3].broker`, `topics[0].config["min.insync.replicas"]`. */
export function formatPath(path: readonly PropertyKey[]): string {
  let out = '';
  for (const seg of path) {
    if (typeof seg === 'number') out += `[${seg}]`;
    else {
      const key = String(seg);
      if (/^[A-Za-z_$][\w$]*$/.test(key)) out += out ? `.${key}` : key;
      else out += `[${quote(key)}]`;
    }
  }
  return out;
}

export function fieldError(path: readonly PropertyKey[], problem: string): ScenarioError {
  const p = formatPath(path);
  return { path: p, message: invalidField(p, problem) };
}

/**
 * The version gate shared with restore.ts: undefined when `version` is the current one,
 * otherwise the error to report. (restore.ts migrates older versions before calling us.)
 */
function checkCurrentVersion(doc: Record<string, unknown>): ScenarioError | undefined {
  const v = doc.version;
  if (v === SCENARIO_VERSION) return undefined;
  if (typeof v === 'number' && Number.isInteger(v) && v > SCENARIO_VERSION) {
    return { path: 'version', message: newerVersion(v, SCENARIO_VERSION) };
  }
  if (v === undefined) return undefined; // worded by the schema: "version: missing (expected 1)"
  if (typeof v !== 'number' || !Number.isInteger(v)) return { path: 'version', message: badVersion(describeValue(v)) };
  return fieldError(['version'], `expected ${SCENARIO_VERSION}, got ${v} (older documents go through restoreScenario)`);
}

/** Cross-field checks that no run could give meaning to. Runs on schema-valid documents. */
function documentErrors(s: Scenario): ScenarioError | undefined {
  const brokerAt = new Map<number, number>();
  for (const [i, b] of s.cluster.brokers.entries()) {
    const first = brokerAt.get(b.id);
    if (first !== undefined) {
      return fieldError(['cluster', 'brokers', i, 'id'], `duplicate broker id ${b.id} (also cluster.brokers[${first}].id)`);
    }
    brokerAt.set(b.id, i);
  }
  const controllerAt = new Map<number, number>();
  for (const [i, c] of (s.cluster.controllers ?? []).entries()) {
    // Kafka's node.id is one namespace: a controller-only node cannot share a broker's id.
    if (brokerAt.has(c.id)) return fieldError(['cluster', 'controllers', i, 'id'], `node id ${c.id} is already broker ${c.id} (cluster.brokers[${brokerAt.get(c.id)}]); a combined node is a broker with "process.roles": "broker,controller"`);
    const first = controllerAt.get(c.id);
    if (first !== undefined) return fieldError(['cluster', 'controllers', i, 'id'], `duplicate controller id ${c.id} (also cluster.controllers[${first}].id)`);
    controllerAt.set(c.id, i);
  }
  let partitions = 0;
  let replicas = 0;
  for (const [i, t] of (s.topics ?? []).entries()) {
    partitions += t.partitions;
    replicas += t.partitions * t.replicationFactor;
    if (partitions > LIMITS.totalPartitions) {
      return fieldError(['topics', i, 'partitions'], `the topics have ${partitions} partitions in all so far, more than the playground's limit of ${LIMITS.totalPartitions}`);
    }
    if (replicas > LIMITS.totalReplicas) {
      return fieldError(
        ['topics', i, 'replicationFactor'],
        `the topics have ${replicas} partition replicas (partitions x replication factor) in all so far, more than the playground's limit of ${LIMITS.totalReplicas}`,
      );
    }
  }
  const topicAt = new Map<string, number>();
  for (const [i, t] of (s.topics ?? []).entries()) {
    const first = topicAt.get(t.name);
    if (first !== undefined) {
      return fieldError(['topics', i, 'name'], `duplicate topic ${JSON.stringify(t.name)} (also topics[${first}].name)`);
    }
    topicAt.set(t.name, i);
    if (t.assignments) {
      if (t.assignments.length !== t.partitions) {
        return fieldError(
          ['topics', i, 'assignments'],
          `expected one replica list per partition (${t.partitions}), got ${t.assignments.length}`,
        );
      }
      for (const [p, replicas] of t.assignments.entries()) {
        if (replicas.length !== t.replicationFactor) {
          return fieldError(
            ['topics', i, 'assignments', p],
            `expected ${t.replicationFactor} broker ids (the replication factor), got ${replicas.length}`,
          );
        }
        if (new Set(replicas).size !== replicas.length) {
          return fieldError(['topics', i, 'assignments', p], 'a broker appears twice in one replica list');
        }
      }
    }
  }
  // Client ids name clients across kinds (alterConfig entity "client" looks them up by id).
  const clientAt = new Map<string, number>();
  for (const [i, c] of (s.clients ?? []).entries()) {
    const first = clientAt.get(c.id);
    if (first !== undefined) {
      return fieldError(['clients', i, 'id'], `duplicate client id ${quote(c.id)} (also clients[${first}].id)`);
    }
    clientAt.set(c.id, i);
  }
  return undefined;
}

/**
 * zod leaves out a key named "__proto__" (writing it would replace the output's prototype),
 * but to the document it is an unknown key like any other: a config map keeps it, and the
 * cluster reports it as ConfigIgnored. Walks input and output side by side (iteratively:
 * restore.ts has already bounded the depth) and puts each such key back as a plain own
 * property, with a copy of its value.
 */
function keepProtoKeys(input: unknown, output: unknown): void {
  const stack: [unknown, unknown][] = [[input, output]];
  while (stack.length > 0) {
    const [from, to] = stack.pop()!;
    if (from === null || typeof from !== 'object' || to === null || typeof to !== 'object') continue;
    if (Array.isArray(from) !== Array.isArray(to)) continue;
    const src = from as Record<string, unknown>;
    const dst = to as Record<string, unknown>;
    if (Object.hasOwn(src, '__proto__') && !Object.hasOwn(dst, '__proto__')) {
      Object.defineProperty(dst, '__proto__', { value: structuredClone(src['__proto__']), writable: true, enumerable: true, configurable: true });
    }
    for (const k of Object.keys(src)) if (k !== '__proto__' && Object.hasOwn(dst, k)) stack.push([src[k], dst[k]]);
  }
}

/**
 * Validates a current-version document. Never throws. The first problem found is reported,
 * in document order, as one line.
 */
export function parseScenario(input: unknown): ParseResult {
  if (input === null || typeof input !== 'object' || Array.isArray(input)) {
    return { ok: false, error: { path: '', message: invalidField('', `expected a scenario (a JSON object), got ${describeValue(input)}`) } };
  }
  const versionError = checkCurrentVersion(input as Record<string, unknown>);
  if (versionError) return { ok: false, error: versionError };

  const parsed = scenarioSchema.safeParse(input, { error: (iss) => genericMessage(iss as RawIssue) });
  if (!parsed.success) {
    const issue = parsed.error.issues[0];
    if (!issue) return { ok: false, error: { path: '', message: 'the scenario is invalid' } };
    return { ok: false, error: fieldError(issue.path, issue.message) };
  }
  const scenario: Scenario = parsed.data;
  keepProtoKeys(input, scenario);
  const crossError = documentErrors(scenario);
  if (crossError) return { ok: false, error: crossError };
  return { ok: true, scenario };
}
