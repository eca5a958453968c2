/**
 * Validation of the scenario document (../shared/spec/scenario.md) with zod: unknown input
 * in, a typed Scenario out, or one line that names the field by its JSON path. Unknown
 * extra fields are kept (later versions add fields). Actions the cluster refuses at run
 * time (a missing topic, RF above the broker count) are not document errors.
 */
import { z } from 'zod';
import type { Scenario } from './types';

const configValue = z.union([z.string(), z.number(), z.boolean(), z.null()]);
const configMap = z.record(z.string(), configValue);
const at = z.number().finite().nonnegative();
const brokerId = z.number().int().nonnegative();
const topicName = z.string().regex(/^[a-zA-Z0-9._-]{1,249}$/, 'a topic name is 1–249 of [a-zA-Z0-9._-]');
const nonEmpty = z.string().min(1);
const offsetTarget = z.union([z.literal('earliest'), z.literal('latest'), z.number().int().nonnegative(), z.looseObject({ timestamp: z.number() })]);

const op = <T extends string, S extends z.ZodRawShape>(name: T, shape: S) => z.looseObject({ at, op: z.literal(name), ...shape });

export const TIMELINE_OPS = [
  op('createTopic', { name: topicName, partitions: z.number().int().positive(), replicationFactor: z.number().int().positive(), config: configMap.optional() }),
  op('deleteTopic', { name: topicName }),
  op('alterConfig', { entity: z.enum(['broker', 'topic', 'client']), name: z.string(), config: configMap }),
  op('addBroker', { id: brokerId, rack: z.string().nullable().optional() }),
  op('killBroker', { broker: brokerId }),
  op('restartBroker', { broker: brokerId }),
  op('isolateBroker', { broker: brokerId }),
  op('healBroker', { broker: brokerId }),
  op('slowBroker', { broker: brokerId, delayMs: z.number().finite().nonnegative() }),
  op('addProducer', { id: nonEmpty, config: configMap.optional() }),
  op('removeProducer', { id: nonEmpty }),
  op('produce', {
    producer: nonEmpty,
    topic: topicName,
    key: z.string().nullable().optional(),
    value: z.string().nullable(),
    headers: z.record(z.string(), z.string()).optional(),
    partition: z.number().int().nonnegative().optional(),
  }),
  op('startLoad', {
    producer: nonEmpty,
    topic: topicName,
    ratePerSec: z.number().finite().positive().max(10_000_000),
    keys: z.number().int().nonnegative().optional(),
    valueBytes: z.number().int().nonnegative().max(1_000_000).optional(),
  }),
  op('stopLoad', { producer: nonEmpty, topic: topicName.optional() }),
  op('addConsumer', { id: nonEmpty, groupId: nonEmpty, topics: z.array(topicName).min(1), config: configMap.optional() }),
  op('removeConsumer', { id: nonEmpty, graceful: z.boolean().optional() }),
  op('setProcessingTime', { consumer: nonEmpty, msPerRecord: z.number().finite().nonnegative() }),
  op('resetOffsets', { group: nonEmpty, topic: topicName, to: offsetTarget }),
  op('electLeaders', { topic: topicName, partition: z.number().int().nonnegative(), type: z.enum(['preferred', 'unclean']) }),
] as const;

export const OP_NAMES: readonly string[] = TIMELINE_OPS.map((o) => o.shape.op.value);

const timelineAction = z.discriminatedUnion('op', [...TIMELINE_OPS]);

const producerSpec = z.looseObject({ kind: z.literal('producer'), id: nonEmpty, config: configMap.optional() });
const consumerSpec = z.looseObject({ kind: z.literal('consumer'), id: nonEmpty, groupId: nonEmpty, topics: z.array(topicName).min(1), config: configMap.optional() });

export const scenarioSchema = z.looseObject({
  version: z.literal(1),
  name: z.string().optional(),
  description: z.string().optional(),
  seed: z.number().int(),
  cluster: z.looseObject({
    brokers: z.array(z.looseObject({ id: brokerId, rack: z.string().nullable().optional() })).min(1),
    config: configMap.optional(),
    network: z.looseObject({ latencyMs: z.number().finite().nonnegative().optional(), jitterMs: z.number().finite().nonnegative().optional() }).optional(),
  }),
  topics: z
    .array(
      z.looseObject({
        name: topicName,
        partitions: z.number().int().positive(),
        replicationFactor: z.number().int().positive(),
        config: configMap.optional(),
        assignments: z.array(z.array(brokerId)).optional(),
      }),
    )
    .optional(),
  clients: z.array(z.discriminatedUnion('kind', [producerSpec, consumerSpec])).optional(),
  timeline: z.array(timelineAction).optional(),
  layout: z.record(z.string(), z.looseObject({ x: z.number(), y: z.number() })).optional(),
});

export interface ScenarioIssue {
  path: string;
  message: string;
}

/** `timeline[3].broker` from zod's path. */
export function formatPath(path: readonly PropertyKey[]): string {
  let out = '';
  for (const p of path) out += typeof p === 'number' ? `[${p}]` : out === '' ? String(p) : `.${String(p)}`;
  return out || '(document)';
}

function describe(v: unknown): string {
  if (v === null) return 'null';
  if (Array.isArray(v)) return 'an array';
  if (typeof v === 'string') return JSON.stringify(v.length > 40 ? v.slice(0, 40) + '…' : v);
  if (typeof v === 'object') return 'an object';
  return String(v);
}

function valueAt(input: unknown, path: readonly PropertyKey[]): unknown {
  let v: unknown = input;
  for (const p of path) {
    if (v === null || typeof v !== 'object') return undefined;
    v = (v as Record<PropertyKey, unknown>)[p];
  }
  return v;
}

/** Validates a document; the first problem comes back as one line naming the field. */
export function parseScenario(input: unknown): { ok: true; scenario: Scenario } | { ok: false; error: ScenarioIssue } {
  const r = scenarioSchema.safeParse(input);
  if (!r.success) {
    const issue = r.error.issues[0]!;
    const path = formatPath(issue.path);
    const got = valueAt(input, issue.path);
    let message: string;
    if (issue.path[issue.path.length - 1] === 'op' || (issue.code === 'invalid_union' && path.startsWith('timeline[') && typeof (got as { op?: unknown })?.op === 'string')) {
      const opValue = issue.path[issue.path.length - 1] === 'op' ? got : (got as { op?: unknown }).op;
      message = `${path.endsWith('.op') ? path : `${path}.op`}: unknown op ${describe(opValue)} (expected one of ${OP_NAMES.join(', ')})`;
    } else if (got === undefined && issue.code === 'invalid_type') {
      message = `${path}: missing (expected ${issue.expected})`;
    } else if (issue.code === 'invalid_type') {
      message = `${path}: expected ${issue.expected}, got ${describe(got)}`;
    } else {
      message = `${path}: ${issue.message}${got !== undefined && typeof got !== 'object' ? ` (got ${describe(got)})` : ''}`;
    }
    return { ok: false, error: { path, message } };
  }
  const s = r.data as unknown as Scenario;
  const dup = <T>(xs: T[], key: (x: T) => string): string | null => {
    const seen = new Set<string>();
    for (const x of xs) {
      const k = key(x);
      if (seen.has(k)) return k;
      seen.add(k);
    }
    return null;
  };
  const b = dup(s.cluster.brokers, (x) => String(x.id));
  if (b !== null) return { ok: false, error: { path: 'cluster.brokers', message: `cluster.brokers: broker id ${b} appears twice` } };
  const c = dup(s.clients ?? [], (x) => x.id);
  if (c !== null) return { ok: false, error: { path: 'clients', message: `clients: client id "${c}" appears twice` } };
  const t = dup(s.topics ?? [], (x) => x.name);
  if (t !== null) return { ok: false, error: { path: 'topics', message: `topics: topic "${t}" appears twice` } };
  return { ok: true, scenario: s };
}
