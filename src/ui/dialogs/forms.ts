/**
 * Dialog forms turned into cluster actions. Pure, for tests: the dialogs only collect
 * fields and call these.
 */
import type { ConfigMap, Headers, OffsetResetTarget } from '../../scenario/types';
import type { ActionRequest } from '../../worker/protocol';

export type Acks = 0 | 1 | 'all';

export function parseAcks(v: string): Acks {
  return v === '0' ? 0 : v === '1' ? 1 : 'all';
}

/** "name=value" per line (or comma-separated); blank lines ignored. */
export function parseHeaders(text: string): { headers: Headers; error: string | null } {
  const headers: Headers = {};
  for (const raw of text.split(/[\n,]/)) {
    const line = raw.trim();
    if (!line) continue;
    const eq = line.indexOf('=');
    if (eq <= 0) return { headers, error: `Header "${line}" needs the form name=value` };
    headers[line.slice(0, eq).trim()] = line.slice(eq + 1).trim();
  }
  return { headers, error: null };
}

export interface ProduceForm {
  producer: string;
  topic: string;
  /** '' = let the partitioner choose (by key, or sticky without a key). */
  partition: string;
  key: string;
  value: string;
  tombstone: boolean;
  headers: string;
  acks: Acks;
}

/**
 * acks is a producer config, not a per-record setting: a different choice first alters the
 * producer's config (recorded as alterConfig), then produces.
 */
export function produceActions(form: ProduceForm, currentAcks: Acks): { actions: ActionRequest[]; error: string | null } {
  const h = parseHeaders(form.headers);
  if (h.error) return { actions: [], error: h.error };
  const actions: ActionRequest[] = [];
  if (form.acks !== currentAcks) {
    actions.push({ op: 'alterConfig', entity: 'client', name: form.producer, config: { acks: form.acks } });
  }
  const produce: Extract<ActionRequest, { op: 'produce' }> = {
    op: 'produce',
    producer: form.producer,
    topic: form.topic,
    value: form.tombstone ? null : form.value,
  };
  if (form.key !== '') produce.key = form.key;
  if (form.partition !== '') produce.partition = Number(form.partition);
  if (Object.keys(h.headers).length > 0) produce.headers = h.headers;
  actions.push(produce);
  return { actions, error: null };
}

export interface CreateTopicForm {
  name: string;
  partitions: number;
  replicationFactor: number;
  minInsyncReplicas: number;
  cleanupPolicy: 'delete' | 'compact' | 'delete,compact';
  retentionMs: string;
}

export function createTopicAction(f: CreateTopicForm): { action: ActionRequest | null; error: string | null } {
  const name = f.name.trim();
  if (!/^[a-zA-Z0-9._-]{1,249}$/.test(name)) {
    return { action: null, error: 'A topic name uses letters, digits, ".", "_" and "-" only.' };
  }
  if (!(f.partitions >= 1)) return { action: null, error: 'At least one partition.' };
  if (!(f.replicationFactor >= 1)) return { action: null, error: 'Replication factor is at least 1.' };
  const config: ConfigMap = { 'min.insync.replicas': f.minInsyncReplicas, 'cleanup.policy': f.cleanupPolicy };
  if (f.retentionMs.trim() !== '') config['retention.ms'] = Number(f.retentionMs);
  return {
    action: { op: 'createTopic', name, partitions: f.partitions, replicationFactor: f.replicationFactor, config },
    error: null,
  };
}

export const ASSIGNORS = ['range', 'roundrobin', 'sticky', 'cooperative-sticky'] as const;
/** group.consumer.assignors: the broker's assignors for group.protocol=consumer (KIP-848), the default first. */
export const REMOTE_ASSIGNORS = ['uniform', 'range'] as const;

export interface AddConsumerForm {
  id: string;
  groupId: string;
  topics: string[];
  assignor: string;
  autoOffsetReset: 'earliest' | 'latest';
  /** group.instance.id: '' for a dynamic member, else a static one (KIP-345). */
  groupInstanceId?: string;
  /** group.protocol: 'classic' (default) or 'consumer' (KIP-848: the broker assigns with `remoteAssignor`). */
  groupProtocol?: 'classic' | 'consumer';
  /** group.remote.assignor for the consumer protocol ('' = the broker's default, uniform). */
  remoteAssignor?: string;
}

export function addConsumerAction(f: AddConsumerForm): { action: ActionRequest | null; error: string | null } {
  if (!f.id.trim()) return { action: null, error: 'The consumer needs an id.' };
  if (!f.groupId.trim()) return { action: null, error: 'The consumer needs a group.' };
  if (f.topics.length === 0) return { action: null, error: 'Subscribe to at least one topic.' };
  return {
    action: {
      op: 'addConsumer',
      id: f.id.trim(),
      groupId: f.groupId.trim(),
      topics: f.topics,
      config: {
        // The consumer protocol assigns on the broker: partition.assignment.strategy is refused with it.
        ...(f.groupProtocol === 'consumer'
          ? { 'group.protocol': 'consumer', ...(f.remoteAssignor ? { 'group.remote.assignor': f.remoteAssignor } : {}) }
          : { 'partition.assignment.strategy': f.assignor }),
        'auto.offset.reset': f.autoOffsetReset,
        ...(f.groupInstanceId?.trim() ? { 'group.instance.id': f.groupInstanceId.trim() } : {}),
      },
    },
    error: null,
  };
}

/** A fresh client id: `${base}-${n}` not yet taken. */
export function freshId(base: string, taken: string[]): string {
  for (let n = 1; ; n++) if (!taken.includes(`${base}-${n}`)) return `${base}-${n}`;
}

export type ResetMode = 'earliest' | 'latest' | 'offset' | 'timestamp';

export function resetTarget(mode: ResetMode, value: string): { to: OffsetResetTarget | null; error: string | null } {
  if (mode === 'earliest' || mode === 'latest') return { to: mode, error: null };
  const n = Number(value);
  if (value.trim() === '' || !Number.isInteger(n) || n < 0) return { to: null, error: 'Enter a whole number, 0 or more.' };
  return { to: mode === 'offset' ? n : { timestamp: n }, error: null };
}

/** The topic configs the "Change configs" form offers, in its order. */
export const EDITABLE_TOPIC_CONFIGS = [
  'cleanup.policy',
  'retention.ms',
  'retention.bytes',
  'segment.ms',
  'segment.bytes',
  'min.insync.replicas',
  'unclean.leader.election.enable',
  'delete.retention.ms',
  'min.cleanable.dirty.ratio',
  'min.compaction.lag.ms',
] as const;
export type EditableTopicConfig = (typeof EDITABLE_TOPIC_CONFIGS)[number];

const TEXT_VALUED = new Set<string>(['cleanup.policy']);
const BOOLEAN_VALUED = new Set<string>(['unclean.leader.election.enable']);

/**
 * The alterConfig a topic form asks for, as `kafka-configs --alter` would send it: a field
 * changed to a value sets it; a field emptied deletes the override (back to the default);
 * untouched fields are left out. Values are checked as the cluster checks them.
 */
export function topicConfigChanges(
  overrides: Record<string, string | number | boolean | null>,
  fields: Partial<Record<EditableTopicConfig, string>>,
  check: (key: string, value: string | number | boolean) => string | null,
): { config: ConfigMap; error: string | null } {
  const config: ConfigMap = {};
  for (const key of EDITABLE_TOPIC_CONFIGS) {
    const text = fields[key];
    if (text === undefined) continue;
    const was = overrides[key];
    const trimmed = text.trim();
    if (trimmed === '') {
      if (was !== undefined && was !== null) config[key] = null;
      continue;
    }
    const value = TEXT_VALUED.has(key) ? trimmed : BOOLEAN_VALUED.has(key) ? trimmed === 'true' : Number(trimmed);
    if (typeof value === 'number' && !Number.isFinite(value)) return { config: {}, error: `${key} must be a number, got "${trimmed}".` };
    const problem = check(key, value);
    if (problem) return { config: {}, error: problem };
    if (String(was) !== String(value)) config[key] = value;
  }
  return { config, error: null };
}
