/**
 * Settings forms for producers, consumers and the brokers (issue 12): which keys each shows,
 * Kafka's default for each, and the alterConfig a filled-in form asks for, checked as the
 * cluster checks it (kafka/config.ts: ConfigDef types and ranges, acks, the consumer's
 * heartbeat < session rule) so a bad value is refused in the form with the cluster's words.
 */
import { BROKER_DEFAULTS, CONSUMER_DEFAULTS, PRODUCER_DEFAULTS, consumerConfigProblem, invalidConfig, parseAcks, producerConfigProblem, type ConfigValue } from '../../kafka/config';
import type { ConfigMap } from '../../scenario/types';

export type ConfigFormEntity = 'producer' | 'consumer' | 'broker';

export const FORM_KEYS: Record<ConfigFormEntity, readonly string[]> = {
  producer: [
    'acks',
    'linger.ms',
    'batch.size',
    'compression.type',
    'enable.idempotence',
    'max.in.flight.requests.per.connection',
    'retries',
    'delivery.timeout.ms',
    'request.timeout.ms',
    'retry.backoff.ms',
    'max.request.size',
    'partitioner.ignore.keys',
    'transactional.id',
    'transaction.timeout.ms',
  ],
  consumer: [
    'enable.auto.commit',
    'auto.offset.reset',
    'auto.commit.interval.ms',
    'max.poll.records',
    'max.poll.interval.ms',
    'session.timeout.ms',
    'heartbeat.interval.ms',
    'partition.assignment.strategy',
    'group.instance.id',
    'group.protocol',
    'group.remote.assignor',
    'fetch.min.bytes',
    'fetch.max.wait.ms',
    'isolation.level',
  ],
  broker: Object.keys(BROKER_DEFAULTS).filter((k) => k !== 'offsets.retention.minutes'),
};

const DEFAULTS: Record<ConfigFormEntity, Readonly<Record<string, ConfigValue>>> = {
  producer: PRODUCER_DEFAULTS,
  consumer: CONSUMER_DEFAULTS,
  broker: BROKER_DEFAULTS,
};

/** Kafka's default for a key, as the form shows it ("all", "5", "null"). */
export function defaultText(entity: ConfigFormEntity, key: string): string {
  const v = DEFAULTS[entity][key];
  return v === null || v === undefined ? 'null' : String(v);
}

/** A field's text as the value Kafka's type for the key wants. */
function valueOf(entity: ConfigFormEntity, key: string, text: string): ConfigValue {
  const d = DEFAULTS[entity][key];
  if (key === 'acks') return text === 'all' || text === '-1' ? 'all' : Number(text);
  if (typeof d === 'number') return text.trim() === '' ? NaN : Number(text);
  if (typeof d === 'boolean') return text === 'true' ? true : text === 'false' ? false : text;
  return text;
}

/**
 * The alterConfig a form asks for. `overrides`: what is set now; `fields`: the form's text
 * per key ('' = Kafka's default). Unchanged fields are left out. Emptying a set field goes
 * back to the default: for the brokers the override is deleted (null, kafka-configs
 * --delete-config); a client is given the default value itself.
 */
export function configFormChanges(
  entity: ConfigFormEntity,
  overrides: ConfigMap,
  fields: Record<string, string>,
): { config: ConfigMap; error: string | null } {
  const config: ConfigMap = {};
  for (const key of FORM_KEYS[entity]) {
    const text = (fields[key] ?? '').trim();
    const was = Object.hasOwn(overrides, key) ? overrides[key] : undefined;
    if (text === '') {
      if (was !== undefined && was !== null) config[key] = entity === 'broker' ? null : DEFAULTS[entity][key] ?? null;
      continue;
    }
    const value = valueOf(entity, key, text);
    if (typeof value === 'number' && !Number.isFinite(value)) return { config: {}, error: `Invalid value "${text}" for configuration ${key}: expected a number.` };
    const bad = invalidConfig({ [key]: value });
    if (bad) return { config: {}, error: `${bad.message}.` };
    if (was === undefined || String(was) !== String(value)) config[key] = value;
  }
  const merged: ConfigMap = { ...overrides, ...config };
  if (entity === 'consumer') {
    const problem = consumerConfigProblem(merged);
    if (problem) return { config: {}, error: `${problem}.` };
  }
  if (entity === 'producer') {
    // A transactional.id needs idempotence and acks=all (ProducerConfig), as the cluster checks it.
    const problem = producerConfigProblem(merged);
    if (problem) return { config: {}, error: problem };
  }
  if (entity === 'producer' && merged['enable.idempotence'] !== undefined && String(merged['enable.idempotence']) === 'true' && merged.acks !== undefined) {
    // ProducerConfig.postProcessAndValidateIdempotenceConfigs: an explicit idempotence needs acks=all.
    let acks: 0 | 1 | 'all' = 'all';
    try {
      acks = parseAcks(merged.acks);
    } catch {
      /* reported above */
    }
    if (acks !== 'all') return { config: {}, error: 'Must set acks to all in order to use the idempotent producer. Otherwise we cannot guarantee idempotence (set enable.idempotence=false, or acks=all).' };
  }
  return { config, error: null };
}
