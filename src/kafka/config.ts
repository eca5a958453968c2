/**
 * Kafka 4.x configuration defaults under Kafka's own names, and typed readers.
 * Sources: the "Configuration" chapter of Kafka's docs; ServerLogConfigs,
 * ReplicationConfigs, ProducerConfig, ConsumerConfig, GroupCoordinatorConfig.
 */
import type { ConfigMap } from '../scenario/types';
import { assignorByName } from './consumer/assignors';

export const BROKER_DEFAULTS = {
  'broker.heartbeat.interval.ms': 2000,
  'broker.session.timeout.ms': 9000,
  'controller.quorum.election.timeout.ms': 1000,
  'controller.quorum.fetch.timeout.ms': 2000,
  /** Empty: the voters come from the brokers' process.roles, else the three lowest broker ids. */
  'controller.quorum.voters': '',
  'replica.lag.time.max.ms': 30000,
  'replica.fetch.wait.max.ms': 500,
  'replica.fetch.max.bytes': 1048576,
  'replica.fetch.response.max.bytes': 10485760,
  'replica.fetch.backoff.ms': 1000,
  'unclean.leader.election.enable': false,
  'auto.leader.rebalance.enable': true,
  'leader.imbalance.check.interval.seconds': 300,
  'leader.imbalance.per.broker.percentage': 10,
  'min.insync.replicas': 1,
  'default.replication.factor': 1,
  'num.partitions': 1,
  'log.retention.check.interval.ms': 300000,
  'log.cleaner.backoff.ms': 15000,
  'group.initial.rebalance.delay.ms': 3000,
  'group.min.session.timeout.ms': 6000,
  'group.max.session.timeout.ms': 1800000,
  /** The consumer group protocol (KIP-848): heartbeat interval and session timeout are the broker's. */
  'group.consumer.heartbeat.interval.ms': 5000,
  'group.consumer.session.timeout.ms': 45000,
  'offsets.retention.minutes': 10080,
  'auto.create.topics.enable': true,
  // Replication throttles (ReplicationConfigs / QuotaConfig): bytes per second, Long.MAX_VALUE = none.
  'leader.replication.throttled.rate': 9223372036854775807,
  'follower.replication.throttled.rate': 9223372036854775807,
  /** KIP-392: null = consumers always read from the leader; org.apache.kafka.common.replica.RackAwareReplicaSelector. */
  'replica.selector.class': null,
} as const;

/** Topic-level defaults (the broker's log.* settings seen from a topic). */
export const TOPIC_DEFAULTS = {
  'cleanup.policy': 'delete',
  'retention.ms': 604800000,
  'retention.bytes': -1,
  'segment.bytes': 1073741824,
  'segment.ms': 604800000,
  'delete.retention.ms': 86400000,
  'min.cleanable.dirty.ratio': 0.5,
  'min.compaction.lag.ms': 0,
  'max.compaction.lag.ms': 9223372036854775807,
  'min.insync.replicas': 1,
  'unclean.leader.election.enable': false,
  'max.message.bytes': 1048588,
  'message.timestamp.type': 'CreateTime',
  /** partition:broker pairs (or *) whose replication the broker throttles (kafka-reassign-partitions --throttle sets them). */
  'leader.replication.throttled.replicas': '',
  'follower.replication.throttled.replicas': '',
} as const;

export const PRODUCER_DEFAULTS = {
  acks: 'all',
  'enable.idempotence': true,
  retries: 2147483647,
  'delivery.timeout.ms': 120000,
  'request.timeout.ms': 30000,
  'batch.size': 16384,
  'linger.ms': 5,
  'max.in.flight.requests.per.connection': 5,
  'retry.backoff.ms': 100,
  'retry.backoff.max.ms': 1000,
  'partitioner.ignore.keys': false,
  'compression.type': 'none',
  'max.request.size': 1048576,
  /** KIP-98: set, the producer is transactional (it needs enable.idempotence). */
  'transactional.id': null,
  'transaction.timeout.ms': 60000,
} as const;

export const CONSUMER_DEFAULTS = {
  'auto.offset.reset': 'latest',
  'enable.auto.commit': true,
  'auto.commit.interval.ms': 5000,
  'max.poll.records': 500,
  'fetch.min.bytes': 1,
  'fetch.max.wait.ms': 500,
  'fetch.max.bytes': 52428800,
  'max.partition.fetch.bytes': 1048576,
  'session.timeout.ms': 45000,
  'heartbeat.interval.ms': 3000,
  'max.poll.interval.ms': 300000,
  'partition.assignment.strategy': 'range,cooperative-sticky',
  'group.instance.id': null,
  'group.protocol': 'classic',
  /** KIP-848: the server-side assignor the member asks for (null: the broker's default, uniform). */
  'group.remote.assignor': null,
  'allow.auto.create.topics': true,
  'request.timeout.ms': 30000,
  'retry.backoff.ms': 100,
  'isolation.level': 'read_uncommitted',
  /** KIP-881 / KIP-392: the consumer's rack, sent in its subscription and its fetches ('' = none). */
  'client.rack': '',
  /** How long a preferred read replica stays valid before the leader is asked again (KIP-392). */
  'metadata.max.age.ms': 300000,
} as const;

export type ConfigValue = string | number | boolean | null;

/**
 * Maps keyed by user input (config maps, and the tables they are looked up in) are read and
 * written by own key only: a key named like an Object.prototype member ("constructor",
 * "toString", "__proto__") is an unknown key like any other, never the inherited member,
 * and storing "__proto__" must add a key, not replace the map's prototype.
 */
export function ownValue<T>(map: Readonly<Record<string, T>>, key: string): T | undefined {
  return Object.hasOwn(map, key) ? map[key] : undefined;
}

/** `map[key] = value` as a plain own property, whatever the key is named. */
export function putOwn<T>(map: Record<string, T>, key: string, value: NoInfer<T>): void {
  Object.defineProperty(map, key, { value, writable: true, enumerable: true, configurable: true });
}

/** Layered config: the first layer that has a key wins. */
export class Config {
  /**
   * Values already looked up, by key: hot paths read configs per record or per fetch, and
   * walking the layers each time showed in issue 10's profile. Whoever changes a layer in
   * place calls invalidate() (the cluster's broker config); other Configs are replaced
   * whole when they change.
   */
  private memo = new Map<string, ConfigValue | undefined>();

  constructor(private readonly layers: readonly (ConfigMap | Readonly<Record<string, ConfigValue>> | undefined)[]) {}

  /** A layer changed in place: forget what was read. */
  invalidate(): void {
    this.memo = new Map();
  }

  raw(key: string): ConfigValue | undefined {
    const m = this.memo;
    const hit = m.get(key);
    if (hit !== undefined || m.has(key)) return hit;
    const v = this.lookup(key);
    m.set(key, v);
    return v;
  }

  private lookup(key: string): ConfigValue | undefined {
    for (const layer of this.layers) {
      if (layer && Object.hasOwn(layer, key)) return layer[key];
    }
    return undefined;
  }

  has(key: string): boolean {
    return this.raw(key) !== undefined;
  }

  /** Kafka accepts numbers written as strings; so do we. */
  int(key: string): number {
    const v = this.raw(key);
    const n = typeof v === 'string' ? Number(v) : v;
    if (typeof n !== 'number' || !Number.isFinite(n)) throw new Error(`config ${key} is not a number: ${String(v)}`);
    return n;
  }

  bool(key: string): boolean {
    const v = this.raw(key);
    if (typeof v === 'boolean') return v;
    if (v === 'true') return true;
    if (v === 'false') return false;
    throw new Error(`config ${key} is not a boolean: ${String(v)}`);
  }

  str(key: string): string {
    const v = this.raw(key);
    if (v === undefined || v === null) throw new Error(`config ${key} is not set`);
    return String(v);
  }

  /** A list config ("range,cooperative-sticky"). */
  list(key: string): string[] {
    const v = this.raw(key);
    if (v === undefined || v === null) return [];
    return String(v)
      .split(',')
      .map((s) => s.trim())
      .filter((s) => s.length > 0);
  }

  /** Flattened view of every key set in any layer (first layer wins). */
  entries(): Record<string, ConfigValue> {
    const out: Record<string, ConfigValue> = {};
    for (let i = this.layers.length - 1; i >= 0; i--) for (const [k, v] of Object.entries(this.layers[i] ?? {})) putOwn(out, k, v);
    return out;
  }
}

/** `acks` as Kafka reads it: "all" and -1 are the same. */
export function parseAcks(v: ConfigValue | undefined): 0 | 1 | 'all' {
  if (v === 0 || v === '0') return 0;
  if (v === 1 || v === '1') return 1;
  if (v === 'all' || v === -1 || v === '-1' || v === undefined || v === null) return 'all';
  throw new Error(`acks must be 0, 1, "all" or -1, got ${String(v)}`);
}

/** Broker-level log.* settings and the topic-level names they default (LogConfig.TopicConfigSynonyms). */
const TOPIC_SYNONYMS: Record<string, string> = {
  'log.retention.ms': 'retention.ms',
  'log.retention.bytes': 'retention.bytes',
  'log.segment.bytes': 'segment.bytes',
  'log.roll.ms': 'segment.ms',
  'log.cleanup.policy': 'cleanup.policy',
  'log.cleaner.delete.retention.ms': 'delete.retention.ms',
  'log.cleaner.min.cleanable.ratio': 'min.cleanable.dirty.ratio',
  'log.cleaner.min.compaction.lag.ms': 'min.compaction.lag.ms',
  'min.insync.replicas': 'min.insync.replicas',
  'unclean.leader.election.enable': 'unclean.leader.election.enable',
};

/** The topic's effective config: its own keys, then the broker's defaults for topics, then Kafka's. */
export function topicConfig(topicOverrides: ConfigMap | undefined, brokerConfig: ConfigMap | undefined): Config {
  const fromBroker: Record<string, ConfigValue> = {};
  if (brokerConfig) {
    for (const [k, v] of Object.entries(brokerConfig)) {
      const t = ownValue(TOPIC_SYNONYMS, k);
      if (t !== undefined) fromBroker[t] = v;
      else if (Object.hasOwn(TOPIC_DEFAULTS, k)) fromBroker[k] = v;
    }
  }
  return new Config([topicOverrides, fromBroker, TOPIC_DEFAULTS]);
}

/** What a config map configures. */
export type ConfigEntity = 'broker' | 'topic' | 'producer' | 'consumer';

/**
 * Keys each entity accepts though the playground does not model them, each with why: Kafka
 * takes them, so a config pasted from a real client or server.properties is not refused; the
 * cluster reports each as ConfigIgnored (notModelled), never drops one silently. `modelled`
 * names the one value whose behaviour is the playground's (compression.type=none is what it
 * does), which raises nothing.
 */
interface Unmodelled {
  why: string;
  modelled?: ConfigValue;
}
const IDENTITY = 'the playground names clients and brokers itself (their id in the scenario)';
const CONNECTION = 'there are no sockets to connect or bytes to (de)serialize: clients reach brokers directly';
const ACCEPTED_UNMODELLED: Record<ConfigEntity, Readonly<Record<string, Unmodelled>>> = {
  broker: {
    'broker.id': { why: IDENTITY },
    'node.id': { why: IDENTITY },
    'broker.rack': { why: 'racks are set per broker in the scenario (cluster.brokers[].rack)' },
    'process.roles': { why: 'the controller role is not a quorum yet: it sits on the lowest-id reachable broker' },
    listeners: { why: CONNECTION },
    'offsets.retention.minutes': { why: 'committed offsets of empty groups do not expire', modelled: 10080 },
    'max.compaction.lag.ms': { why: 'the cleaner runs by min.cleanable.dirty.ratio and min.compaction.lag.ms only', modelled: 9223372036854775807 },
    'message.timestamp.type': { why: "records keep the producer's CreateTime", modelled: 'CreateTime' },
  },
  topic: {
    'max.compaction.lag.ms': { why: 'the cleaner runs by min.cleanable.dirty.ratio and min.compaction.lag.ms only', modelled: 9223372036854775807 },
    'message.timestamp.type': { why: "records keep the producer's CreateTime", modelled: 'CreateTime' },
    'compression.type': { why: "batches are stored as the producer wrote them, uncompressed", modelled: 'producer' },
  },
  producer: {
    'client.id': { why: IDENTITY },
    'bootstrap.servers': { why: CONNECTION },
    'key.serializer': { why: CONNECTION },
    'value.serializer': { why: CONNECTION },
    'buffer.memory': { why: 'the record accumulator has no memory bound' },
    'max.block.ms': { why: 'send() never blocks: metadata is read directly' },
    'compression.type': { why: 'record batches are written uncompressed', modelled: 'none' },
  },
  consumer: {
    'client.id': { why: IDENTITY },
    'bootstrap.servers': { why: CONNECTION },
    'key.deserializer': { why: CONNECTION },
    'value.deserializer': { why: CONNECTION },
    'group.id': { why: 'the group is the consumer\'s groupId in the scenario' },
  },
};

const KNOWN_KEYS: Record<ConfigEntity, ReadonlySet<string>> = {
  broker: new Set([...Object.keys(BROKER_DEFAULTS), ...Object.keys(TOPIC_SYNONYMS), ...Object.keys(TOPIC_DEFAULTS), ...Object.keys(ACCEPTED_UNMODELLED.broker)]),
  topic: new Set([...Object.keys(TOPIC_DEFAULTS), ...Object.keys(ACCEPTED_UNMODELLED.topic)]),
  producer: new Set([...Object.keys(PRODUCER_DEFAULTS), ...Object.keys(ACCEPTED_UNMODELLED.producer)]),
  consumer: new Set([...Object.keys(CONSUMER_DEFAULTS), ...Object.keys(ACCEPTED_UNMODELLED.consumer)]),
};

/** Where a misplaced key is said to belong, when several entities read it: topic first. */
const BELONGS_ORDER: readonly ConfigEntity[] = ['topic', 'broker', 'producer', 'consumer'];

export interface IgnoredConfig {
  key: string;
  /** Where the key does belong, when it is another entity's config; else null. */
  belongsTo: ConfigEntity | null;
  /** A key the entity accepts but the playground does not model: why (absent for unknown keys). */
  notModelled?: string;
}

/**
 * The keys of `config` that `entity` does not know. Kafka accepts these and logs a warning
 * ("supplied but isn't a known config"); so does the playground, as an event.
 */
export function ignoredConfigKeys(entity: ConfigEntity, config: ConfigMap | undefined): IgnoredConfig[] {
  if (!config) return [];
  const out: IgnoredConfig[] = [];
  for (const key of Object.keys(config)) {
    const unmodelled = ownValue(ACCEPTED_UNMODELLED[entity], key);
    if (unmodelled) {
      const value = ownValue(config, key);
      const modelled = unmodelled.modelled !== undefined && (value === unmodelled.modelled || String(value) === String(unmodelled.modelled));
      if (!modelled) out.push({ key, belongsTo: null, notModelled: unmodelled.why });
      continue;
    }
    if (KNOWN_KEYS[entity].has(key)) continue;
    const belongsTo = BELONGS_ORDER.find((e) => e !== entity && KNOWN_KEYS[e].has(key)) ?? null;
    out.push({ key, belongsTo });
  }
  return out;
}

// ---- value types (ConfigDef): what each key accepts ----------------------------------------

type ConfigType =
  | { type: 'int' | 'long'; min?: number }
  | { type: 'double'; min: number; max: number }
  | { type: 'boolean' }
  | { type: 'enum'; values: readonly string[] }
  /** A comma-separated list; `expected` names what an item may be. */
  | { type: 'list'; accepts: (item: string) => boolean; expected: string; emptyOk?: boolean }
  | { type: 'string?' };

const int = (min = 0): ConfigType => ({ type: 'int', min });
const long = (min = 0): ConfigType => ({ type: 'long', min });
const bool: ConfigType = { type: 'boolean' };
const CLEANUP_POLICY: ConfigType = { type: 'list', accepts: (p) => p === 'delete' || p === 'compact', expected: 'delete, compact' };

/** The keys whose values the cluster reads, with the type and range Kafka's ConfigDef gives them. */
const CONFIG_TYPES: Record<string, ConfigType> = {
  // broker
  'broker.heartbeat.interval.ms': int(1),
  'broker.session.timeout.ms': int(1),
  'controller.quorum.election.timeout.ms': int(1),
  'controller.quorum.fetch.timeout.ms': int(1),
  'controller.quorum.voters': { type: 'list', accepts: (v) => /^\d+(@[^@,]*)?$/.test(v), expected: '{id}@{host}:{port}', emptyOk: true },
  'replica.lag.time.max.ms': long(1),
  'replica.fetch.wait.max.ms': int(0),
  'replica.fetch.max.bytes': int(0),
  'replica.fetch.response.max.bytes': int(0),
  'replica.fetch.backoff.ms': int(0),
  'auto.leader.rebalance.enable': bool,
  'leader.imbalance.check.interval.seconds': long(1),
  'leader.imbalance.per.broker.percentage': int(0),
  'default.replication.factor': int(1),
  'num.partitions': int(1),
  'log.retention.check.interval.ms': long(1),
  'log.cleaner.backoff.ms': long(0),
  'group.initial.rebalance.delay.ms': int(0),
  'group.min.session.timeout.ms': int(0),
  'group.max.session.timeout.ms': int(0),
  'group.consumer.heartbeat.interval.ms': int(1),
  'group.consumer.session.timeout.ms': int(1),
  'offsets.retention.minutes': int(1),
  'auto.create.topics.enable': bool,
  'leader.replication.throttled.rate': long(0),
  'follower.replication.throttled.rate': long(0),
  'log.retention.ms': long(-1),
  'log.retention.bytes': long(-1),
  'log.segment.bytes': int(14),
  'log.roll.ms': long(1),
  'log.cleanup.policy': CLEANUP_POLICY,
  'log.cleaner.delete.retention.ms': long(0),
  'log.cleaner.min.cleanable.ratio': { type: 'double', min: 0, max: 1 },
  'log.cleaner.min.compaction.lag.ms': long(0),
  // topic
  'cleanup.policy': CLEANUP_POLICY,
  'retention.ms': long(-1),
  'retention.bytes': long(-1),
  'segment.bytes': int(14),
  'segment.ms': long(1),
  'delete.retention.ms': long(0),
  'min.cleanable.dirty.ratio': { type: 'double', min: 0, max: 1 },
  'min.compaction.lag.ms': long(0),
  'max.compaction.lag.ms': long(1),
  'min.insync.replicas': int(1),
  'unclean.leader.election.enable': bool,
  'max.message.bytes': int(0),
  'message.timestamp.type': { type: 'enum', values: ['CreateTime', 'LogAppendTime'] },
  // producer
  'enable.idempotence': bool,
  retries: int(0),
  'delivery.timeout.ms': int(0),
  'request.timeout.ms': int(0),
  'batch.size': int(0),
  'linger.ms': long(0),
  'max.in.flight.requests.per.connection': int(1),
  'retry.backoff.ms': long(0),
  'retry.backoff.max.ms': long(0),
  'partitioner.ignore.keys': bool,
  'max.request.size': int(0),
  'transactional.id': { type: 'string?' },
  'transaction.timeout.ms': int(1),
  'compression.type': { type: 'enum', values: ['none', 'gzip', 'snappy', 'lz4', 'zstd'] },
  // consumer
  'auto.offset.reset': { type: 'enum', values: ['earliest', 'latest', 'none'] },
  'enable.auto.commit': bool,
  'auto.commit.interval.ms': int(0),
  'max.poll.records': int(1),
  'fetch.min.bytes': int(0),
  'fetch.max.wait.ms': int(0),
  'fetch.max.bytes': int(0),
  'max.partition.fetch.bytes': int(0),
  'session.timeout.ms': int(0),
  'heartbeat.interval.ms': int(0),
  'max.poll.interval.ms': int(1),
  // The assignors the consumer can run, by short name or Java class name.
  'partition.assignment.strategy': { type: 'list', accepts: (n) => assignorByName(n) !== undefined, expected: 'range, roundrobin, sticky, cooperative-sticky' },
  'group.instance.id': { type: 'string?' },
  'group.protocol': { type: 'enum', values: ['classic', 'consumer'] },
  'group.remote.assignor': { type: 'string?' },
  'allow.auto.create.topics': bool,
  'isolation.level': { type: 'enum', values: ['read_uncommitted', 'read_committed'] },
  'client.rack': { type: 'string?' },
  'metadata.max.age.ms': long(0),
  // broker (KIP-392): the class name is checked in invalidConfigValue
  'replica.selector.class': { type: 'string?' },
};

/** The ReplicaSelector implementations Kafka ships (org.apache.kafka.common.replica). */
export const RACK_AWARE_REPLICA_SELECTOR = 'org.apache.kafka.common.replica.RackAwareReplicaSelector';

const show = (v: unknown) => JSON.stringify(v);

/**
 * Why `value` is not a valid `key`, in the words of Kafka's ConfigException ("Invalid value
 * x for configuration y: ..."), or null when it is (or the key is not one the cluster
 * reads: those are reported by ignoredConfigKeys). Numbers and booleans may be written as
 * strings, as in a properties file. `acks` is checked by parseAcks.
 */
export function invalidConfigValue(key: string, value: ConfigValue): string | null {
  const t = ownValue(CONFIG_TYPES, key);
  if (!t || value === null) {
    if (t && t.type !== 'string?' && value === null) return `Invalid value null for configuration ${key}: it needs a value (omit it for the default)`;
    return null;
  }
  const bad = (why: string) => `Invalid value ${show(value)} for configuration ${key}: ${why}`;
  if (key === 'client.rack' && value === '') return null; // Kafka's default: no rack
  if (key === 'replica.selector.class' && value !== RACK_AWARE_REPLICA_SELECTOR && value !== 'RackAwareReplicaSelector') {
    // Kafka loads the class by name; the playground has this one.
    return bad(`Class ${String(value)} cannot be found; use ${RACK_AWARE_REPLICA_SELECTOR} (or null: consumers read from the leader)`);
  }
  switch (t.type) {
    case 'int':
    case 'long': {
      const n = typeof value === 'string' && value.trim() !== '' ? Number(value) : value;
      if (typeof n !== 'number' || !Number.isInteger(n)) return bad(`expected ${t.type === 'int' ? 'an integer' : 'a whole number'}`);
      if (t.min !== undefined && n < t.min) return bad(`value must be at least ${t.min}`);
      return null;
    }
    case 'double': {
      const n = typeof value === 'string' && value.trim() !== '' ? Number(value) : value;
      if (typeof n !== 'number' || !Number.isFinite(n)) return bad('expected a number');
      if (n < t.min || n > t.max) return bad(`value must be between ${t.min} and ${t.max}`);
      return null;
    }
    case 'boolean':
      return value === true || value === false || value === 'true' || value === 'false' ? null : bad('expected true or false');
    case 'enum':
      return typeof value === 'string' && t.values.includes(value) ? null : bad(`expected one of ${t.values.join(', ')}`);
    case 'list': {
      if (typeof value !== 'string') return bad(`expected a comma-separated list of ${t.expected}`);
      const items = value.split(',').map((s) => s.trim()).filter((s) => s !== '');
      if (items.length === 0 && !t.emptyOk) return bad('the list is empty');
      const unknown = items.find((s) => !t.accepts(s));
      return unknown === undefined ? null : bad(`${show(unknown)} is not one of ${t.expected}`);
    }
    case 'string?':
      return typeof value === 'string' && value.trim() !== '' ? null : bad('expected a non-empty string or null');
  }
}

/**
 * What KafkaConsumer's constructor refuses beyond single values (Heartbeat's constructor:
 * "Heartbeat must be set lower than the session timeout"), or null.
 */
export function consumerConfigProblem(config: ConfigMap | undefined): string | null {
  const c = new Config([config, CONSUMER_DEFAULTS]);
  const consumerProtocol = String(c.raw('group.protocol')).toLowerCase() === 'consumer';
  const remote = c.raw('group.remote.assignor');
  if (!consumerProtocol && remote !== null && remote !== undefined && remote !== '') {
    // ConsumerConfig.checkGroupRemoteAssignor.
    return `Failed to construct kafka consumer: group.remote.assignor cannot be set when group.protocol=CLASSIC`;
  }
  if (consumerProtocol && config && Object.hasOwn(config, 'partition.assignment.strategy')) {
    // The consumer protocol assigns on the broker: the client's assignors are not used, and Kafka's client refuses them.
    return `Failed to construct kafka consumer: partition.assignment.strategy cannot be set when group.protocol=CONSUMER; the broker assigns partitions, choose its assignor with group.remote.assignor (uniform or range)`;
  }
  const heartbeat = c.int('heartbeat.interval.ms');
  const session = c.int('session.timeout.ms');
  if (heartbeat >= session) {
    return `Failed to construct kafka consumer: heartbeat.interval.ms (${heartbeat}) must be set lower than session.timeout.ms (${session})`;
  }
  return null;
}

/**
 * ProducerConfig.postProcessAndValidateIdempotenceConfigs for a transactional producer: a
 * transactional.id needs idempotence, and idempotence needs acks=all (Kafka's messages).
 */
export function producerConfigProblem(config: ConfigMap | undefined): string | null {
  const c = new Config([config, PRODUCER_DEFAULTS]);
  const tid = c.raw('transactional.id');
  if (tid === null || tid === undefined || tid === '') return null;
  if (config && Object.hasOwn(config, 'enable.idempotence') && !c.bool('enable.idempotence')) {
    return 'Cannot set a transactional.id without also enabling idempotence.';
  }
  if (parseAcks(c.raw('acks')) !== 'all') {
    return 'Must set acks to all in order to use the idempotent producer. Otherwise we cannot guarantee idempotence.';
  }
  return null;
}

/** The first invalid entry of a config map, as { key, message }, or null. */
export function invalidConfig(config: ConfigMap | undefined): { key: string; message: string } | null {
  if (!config) return null;
  for (const [key, value] of Object.entries(config)) {
    const message = key === 'acks' ? acksProblem(value) : invalidConfigValue(key, value);
    if (message !== null) return { key, message };
  }
  return null;
}

function acksProblem(v: ConfigValue): string | null {
  try {
    parseAcks(v);
    return null;
  } catch {
    return `Invalid value ${show(v)} for configuration acks: expected 0, 1, "all" or -1`;
  }
}

/** The values a key takes when it is a choice (an enum, a boolean), for forms; null for free values. */
export function configValueChoices(key: string): readonly string[] | null {
  const t = ownValue(CONFIG_TYPES, key);
  if (!t) return null;
  if (t.type === 'boolean') return ['true', 'false'];
  if (t.type === 'enum') return t.values;
  return null;
}
