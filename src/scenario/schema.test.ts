/**
 * The scenario schema: what it accepts (the spec's example, the default scenario, every
 * lesson, unknown fields) and the one line it gives for each kind of mistake.
 */
import { describe, expect, it } from 'vitest';
import { defaultScenario } from './default-scenario';
import specExample from './fixtures/spec-example.json';
import { LESSONS } from './lessons';
import { formatPath, isLegalTopicName, parseScenario, TIMELINE_OPS } from './schema';

/** A fresh copy of the spec's example; `any` because each test breaks a different field on purpose. */
function example(): Record<string, any> {
  return structuredClone(specExample) as Record<string, any>;
}

function errorOf(doc: unknown): { path: string; message: string } {
  const r = parseScenario(doc);
  if (r.ok) throw new Error('expected the document to be rejected');
  expect(r.error.message).not.toMatch(/\n/);
  return r.error;
}

describe('parseScenario accepts', () => {
  it("the spec's example document", () => {
    const r = parseScenario(example());
    expect(r.ok).toBe(true);
    if (!r.ok) return;
    expect(r.scenario.timeline).toHaveLength(4);
    expect(r.scenario.clients?.[0]).toMatchObject({ kind: 'producer', id: 'checkout' });
  });

  it('the default scenario', () => {
    expect(parseScenario(defaultScenario)).toMatchObject({ ok: true });
  });

  it.each(LESSONS.map((l) => [l.id, l.document] as const))('the lesson %s', (_id, doc) => {
    const r = parseScenario(doc);
    expect(r).toMatchObject({ ok: true });
    if (r.ok) expect(r.scenario.description?.length).toBeGreaterThan(100);
  });

  it('unknown fields anywhere, and keeps them (later versions add fields)', () => {
    const d = example();
    d.futureTopLevel = { anything: [1, 2] };
    d.timeline[0].futureField = 'x';
    d.cluster.brokers[0].zone = 'eu-1';
    const r = parseScenario(d);
    expect(r.ok).toBe(true);
    if (!r.ok) return;
    expect((r.scenario as unknown as Record<string, unknown>).futureTopLevel).toEqual({ anything: [1, 2] });
    expect((r.scenario.timeline?.[0] as unknown as Record<string, unknown>).futureField).toBe('x');
  });

  it('every acks form Kafka reads', () => {
    for (const acks of [0, 1, 'all', -1, '0', '1', '-1']) {
      const d = example();
      d.clients[0].config.acks = acks;
      expect(parseScenario(d).ok).toBe(true);
    }
  });

  it('every op of the spec, with its fields', () => {
    const d = example();
    d.timeline = [
      { at: 0, op: 'createTopic', name: 'payments', partitions: 2, replicationFactor: 2, config: { 'cleanup.policy': 'compact' } },
      { at: 1, op: 'deleteTopic', name: 'payments' },
      { at: 2, op: 'alterConfig', entity: 'topic', name: 'orders', config: { 'retention.ms': 1000, x: null } },
      { at: 3, op: 'addBroker', id: 4, rack: null },
      { at: 4, op: 'killBroker', broker: 1 },
      { at: 5, op: 'restartBroker', broker: 1 },
      { at: 6, op: 'isolateBroker', broker: 2 },
      { at: 7, op: 'healBroker', broker: 2 },
      { at: 8, op: 'slowBroker', broker: 3, delayMs: 250 },
      { at: 9, op: 'addProducer', id: 'p2', config: { acks: 0 } },
      { at: 10, op: 'removeProducer', id: 'p2' },
      { at: 11, op: 'produce', producer: 'checkout', topic: 'orders', key: null, value: null, headers: { h: 'v' }, partition: 1 },
      { at: 12, op: 'startLoad', producer: 'checkout', topic: 'orders', ratePerSec: 0.5 },
      { at: 13, op: 'stopLoad', producer: 'checkout' },
      { at: 14, op: 'addConsumer', id: 'c9', groupId: 'g', topics: ['orders'] },
      { at: 15, op: 'removeConsumer', id: 'c9', graceful: true },
      { at: 15, op: 'restartConsumer', id: 'c9' },
      { at: 16, op: 'setProcessingTime', consumer: 'billing-1', msPerRecord: 20 },
      { at: 17, op: 'resetOffsets', group: 'billing', topic: 'orders', to: { timestamp: 5 } },
      { at: 18, op: 'resetOffsets', group: 'billing', topic: 'orders', to: 42 },
      { at: 19, op: 'electLeaders', topic: 'orders', partition: 0, type: 'preferred' },
      { at: 20, op: 'powerCut' },
      { at: 21, op: 'addPartitions', topic: 'orders', partitions: 6 },
      { at: 22, op: 'reassignPartitions', topic: 'orders', partition: 0, replicas: [3, 2, 1], throttleBytesPerSec: 10000 },
      { at: 22, op: 'reassignPartitions', topic: 'orders', partition: 1, replicas: null },
      { at: 21, op: 'subscribe', consumer: 'billing-1', topics: ['orders', 'payments'] },
      { at: 21, op: 'subscribe', consumer: 'billing-1', topics: [] },
      { at: 22, op: 'changeGroup', consumer: 'billing-1', groupId: 'audit' },
      { at: 23, op: 'removeBroker', broker: 3 },
      { at: 24, op: 'beginTransaction', producer: 'checkout' },
      { at: 25, op: 'sendOffsetsToTransaction', producer: 'checkout', group: 'billing', offsets: [{ topic: 'orders', partition: 0, offset: 12 }] },
      { at: 25, op: 'sendOffsetsToTransaction', producer: 'checkout', group: 'billing' },
      { at: 26, op: 'commitTransaction', producer: 'checkout' },
      { at: 27, op: 'abortTransaction', producer: 'checkout' },
      { at: 28, op: 'killController', controller: 3000 },
      { at: 29, op: 'restartController', controller: 3000 },
      { at: 30, op: 'isolateController', controller: 3001 },
      { at: 31, op: 'healController', controller: 3001 },
    ];
    const r = parseScenario(d);
    expect(r).toMatchObject({ ok: true });
    const bad = example();
    bad.timeline = [{ at: 1, op: 'reassignPartitions', topic: 'orders', partition: 0, replicas: [], throttleBytesPerSec: -1 }];
    expect(parseScenario(bad).ok).toBe(false);
    const badOffsets = example();
    badOffsets.timeline = [{ at: 1, op: 'sendOffsetsToTransaction', producer: 'checkout', group: 'billing', offsets: [{ topic: 'orders', partition: 0, offset: -3 }] }];
    const badOffsetsResult = parseScenario(badOffsets);
    expect(badOffsetsResult.ok).toBe(false);
    if (!badOffsetsResult.ok) expect(badOffsetsResult.error.message).toContain('timeline[0].offsets[0].offset');
    const badCount = example();
    badCount.timeline = [{ at: 1, op: 'addPartitions', topic: 'orders', partitions: 0 }];
    expect(parseScenario(badCount).ok).toBe(false);
    expect(new Set(d.timeline.map((a: { op: string }) => a.op))).toEqual(new Set(TIMELINE_OPS));
  });

  it('cluster.controllers and process.roles: controller-only nodes beside brokers; a shared id or a controller-only role is refused by name', () => {
    const d = example();
    d.cluster.controllers = [{ id: 3000 }, { id: 3001 }, { id: 3002 }];
    expect(parseScenario(d).ok).toBe(true);
    const shared = example();
    shared.cluster.controllers = [{ id: 1 }];
    expect(parseScenario(shared)).toMatchObject({ ok: false, error: { path: 'cluster.controllers[0].id' } });
    const roles = example();
    roles.cluster.brokers[0]['process.roles'] = 'controller';
    const r = parseScenario(roles);
    expect(r.ok).toBe(false);
    if (!r.ok) expect(r.error.message).toContain('process.roles');
    const combined = example();
    combined.cluster.brokers[0]['process.roles'] = 'broker,controller';
    expect(parseScenario(combined).ok).toBe(true);
  });

  it('refuses a subscribe with a bad topic name, naming the field', () => {
    const d = example();
    d.timeline = [{ at: 1, op: 'subscribe', consumer: 'billing-1', topics: ['ok', 'no spaces <b>'] }];
    const r = parseScenario(d);
    expect(r.ok).toBe(false);
    if (!r.ok) expect(r.error.path).toBe('timeline[0].topics[1]');
    d.timeline = [{ at: 1, op: 'changeGroup', consumer: 'billing-1' }];
    const r2 = parseScenario(d);
    expect(r2.ok).toBe(false);
    if (!r2.ok) expect(r2.error.path).toBe('timeline[0].groupId');
  });

  it('what the cluster, not the document, refuses: a missing topic, RF above the brokers, an unknown broker', () => {
    const d = example();
    d.topics.push({ name: 'big', partitions: 1, replicationFactor: 7 });
    d.timeline.push({ at: 3000, op: 'produce', producer: 'nobody', topic: 'no-such-topic', value: 'x' });
    d.timeline.push({ at: 3000, op: 'killBroker', broker: 99 });
    expect(parseScenario(d).ok).toBe(true);
  });
});

describe('parseScenario rejects with one line naming the field', () => {
  it('a field of the wrong type', () => {
    const d = example();
    d.timeline[3].broker = 'two';
    expect(errorOf(d)).toEqual({
      path: 'timeline[3].broker',
      message: 'timeline[3].broker: expected a broker id (an integer ≥ 1), got "two"',
    });
  });

  it('an unknown op, listing the known ones', () => {
    const d = example();
    d.timeline[1].op = 'explode';
    const e = errorOf(d);
    expect(e.path).toBe('timeline[1].op');
    expect(e.message).toMatch(/^timeline\[1\]\.op: unknown op "explode" \(expected one of createTopic, deleteTopic, /);
    for (const op of TIMELINE_OPS) expect(e.message).toContain(op);
  });

  it('a missing field', () => {
    const d = example();
    delete d.timeline[2].broker;
    expect(errorOf(d).message).toBe('timeline[2].broker: missing; expected a broker id (an integer ≥ 1)');
    const d2 = example();
    delete d2.cluster;
    expect(errorOf(d2).message).toBe('cluster: missing; expected an object');
    const d3 = example();
    delete d3.timeline[0].value;
    expect(errorOf(d3).path).toBe('timeline[0].value');
  });

  it('a missing op', () => {
    const d = example();
    delete d.timeline[1].op;
    expect(errorOf(d).message).toMatch(/^timeline\[1\]\.op: missing; expected one of createTopic/);
  });

  it('a bad version, and a newer one', () => {
    const d = example();
    d.version = '1';
    expect(errorOf(d)).toMatchObject({ path: 'version', message: 'version: expected a whole number such as 1, got "1".' });
    d.version = 2;
    const e = errorOf(d);
    expect(e.path).toBe('version');
    expect(e.message).toMatch(/made by a newer version of the playground \(scenario version 2; this one opens up to version 1\)/);
    d.version = 0;
    expect(errorOf(d).path).toBe('version');
    delete d.version;
    expect(errorOf(d).message).toBe('version: missing; expected 1');
  });

  it('acks outside 0, 1, "all", -1', () => {
    const d = example();
    d.clients[0].config.acks = 'most';
    expect(errorOf(d).message).toBe('clients[0].config.acks: expected 0, 1, "all" or -1, got "most"');
  });

  it('a config value that is not a string, number, boolean or null, quoting a dotted key', () => {
    const d = example();
    d.topics[0].config['retention.ms'] = [1];
    expect(errorOf(d)).toEqual({
      path: 'topics[0].config["retention.ms"]',
      message: 'topics[0].config["retention.ms"]: expected a string, a number, a boolean or null, got an array',
    });
  });

  it("a config value of the wrong type or range for its key, in Kafka's words, naming the field", () => {
    const d = example();
    d.topics[0].config['retention.ms'] = 'a week';
    expect(errorOf(d)).toEqual({
      path: 'topics[0].config["retention.ms"]',
      message: 'topics[0].config["retention.ms"]: Invalid value "a week" for configuration retention.ms: expected a whole number',
    });
    const d2 = example();
    d2.clients[0].config['enable.idempotence'] = 'yes';
    expect(errorOf(d2).path).toBe('clients[0].config["enable.idempotence"]');
    const d3 = example();
    d3.timeline.push({ at: 50, op: 'createTopic', name: 'x', partitions: 1, replicationFactor: 1, config: { 'cleanup.policy': 'forever' } });
    expect(errorOf(d3).message).toMatch(/^timeline\[\d+\]\.config\["cleanup.policy"\]: Invalid value "forever" for configuration cleanup.policy/);
  });

  it('lesson Try this: a label, an explanation and timeline actions without `at`', () => {
    const ok = example();
    ok.tryThis = [
      { label: 'Use acks=all', explanation: 'No loss.', actions: [{ op: 'alterConfig', entity: 'client', name: 'checkout', config: { acks: 'all' } }] },
      { label: 'Kill broker 2', explanation: 'Now.', from: 'now', actions: [{ op: 'killBroker', broker: 2 }] },
    ];
    const r = parseScenario(ok);
    expect(r).toMatchObject({ ok: true, scenario: { tryThis: [{ label: 'Use acks=all' }, { from: 'now', actions: [{ op: 'killBroker', broker: 2 }] }] } });
    if (r.ok) expect(r.scenario.tryThis![1]!.actions[0]).not.toHaveProperty('at');
    // Documents without the field stay valid (old documents).
    expect(parseScenario(example())).toMatchObject({ ok: true });
    const bad = (tryThis: unknown) => {
      const d = example();
      d.tryThis = tryThis;
      return errorOf(d);
    };
    expect(bad('soon').message).toBe('tryThis: expected a list of Try this suggestions, got "soon"');
    expect(bad([{ label: '', explanation: 'x', actions: [{ op: 'killBroker', broker: 1 }] }]).path).toBe('tryThis[0].label');
    expect(bad([{ label: 'x', actions: [{ op: 'killBroker', broker: 1 }] }]).path).toBe('tryThis[0].explanation');
    expect(bad([{ label: 'x', explanation: 'y', actions: [] }]).message).toBe('tryThis[0].actions: expected at least one action, got an empty array');
    expect(bad([{ label: 'x', explanation: 'y', from: 'later', actions: [{ op: 'killBroker', broker: 1 }] }]).message).toBe('tryThis[0].from: expected "start" or "now", got "later"');
    expect(bad([{ label: 'x', explanation: 'y', actions: [{ at: 5, op: 'killBroker', broker: 1 }] }]).message).toBe(
      'tryThis[0].actions[0].at: a Try this action takes no "at": it applies when its button is pressed',
    );
    expect(bad([{ label: 'x', explanation: 'y', actions: [{ op: 'killBroker', broker: 'two' }] }]).message).toBe(
      'tryThis[0].actions[0].broker: expected a broker id (an integer ≥ 1), got "two"',
    );
    expect(bad([{ label: 'x', explanation: 'y', actions: [{ op: 'explode' }] }]).path).toBe('tryThis[0].actions[0].op');
    expect(bad([{ label: 'x', explanation: 'y', actions: [null] }]).message).toBe('tryThis[0].actions[0]: expected an action (an object with "op"), got null');
    expect(bad([{ label: 'x', explanation: 'y', actions: [{ op: 'alterConfig', entity: 'topic', name: 't', config: { 'retention.ms': 'abc' } }] }]).path).toBe(
      'tryThis[0].actions[0].config["retention.ms"]',
    );
    expect(bad([{ label: 'x'.repeat(81), explanation: 'y', actions: [{ op: 'killBroker', broker: 1 }] }]).path).toBe('tryThis[0].label');
    expect(bad([{ label: 'x', explanation: 'y', actions: Array.from({ length: 21 }, () => ({ op: 'powerCut' })) }]).path).toBe('tryThis[0].actions');
  });

  it('a Try this action keeps a "__proto__" config key as data, never as a prototype', () => {
    const d = example();
    d.tryThis = JSON.parse('[{"label":"x","explanation":"y","actions":[{"op":"alterConfig","entity":"topic","name":"t","config":{"__proto__":{"polluted":1}}}]}]');
    const r = parseScenario(d);
    expect(r.ok).toBe(true);
    if (!r.ok) return;
    const config = (r.scenario.tryThis![0]!.actions[0] as { config: Record<string, unknown> }).config;
    expect(Object.hasOwn(config, '__proto__')).toBe(true);
    expect(Object.getPrototypeOf(config)).toBe(Object.prototype);
    expect(({} as Record<string, unknown>).polluted).toBeUndefined();
  });

  it('lesson checkpoints: a time and a caption each', () => {
    const ok = example();
    ok.checkpoints = [{ at: 4000, caption: 'Look at the ISR.' }];
    expect(parseScenario(ok)).toMatchObject({ ok: true, scenario: { checkpoints: [{ at: 4000, caption: 'Look at the ISR.' }] } });
    const d = example();
    d.checkpoints = [{ at: -1, caption: 'x' }];
    expect(errorOf(d).message).toBe('checkpoints[0].at: expected a time in ms (a number from 0 to 86400000, 24 h), got -1');
    const d2 = example();
    d2.checkpoints = [{ at: 5, caption: '' }];
    expect(errorOf(d2).path).toBe('checkpoints[0].caption');
    const d3 = example();
    d3.checkpoints = [{ at: 5 }];
    expect(errorOf(d3).path).toBe('checkpoints[0].caption');
    const d4 = example();
    d4.checkpoints = 'soon';
    expect(errorOf(d4).path).toBe('checkpoints');
  });

  it('negative times, non-positive or fractional broker ids, a fractional seed', () => {
    const d = example();
    d.timeline[0].at = -1;
    expect(errorOf(d).message).toBe('timeline[0].at: expected a time in ms (a number from 0 to 86400000, 24 h), got -1');
    const d2 = example();
    d2.cluster.brokers[0].id = 0;
    expect(errorOf(d2).path).toBe('cluster.brokers[0].id');
    const d3 = example();
    d3.cluster.brokers[0].id = 1.5;
    expect(errorOf(d3).message).toContain('got 1.5');
    const d4 = example();
    d4.seed = 1.5;
    expect(errorOf(d4).path).toBe('seed');
  });

  it('an illegal topic name', () => {
    const d = example();
    d.topics[0].name = 'orders and more';
    expect(errorOf(d).message).toMatch(/^topics\[0\]\.name: expected a legal Kafka topic name .*, got "orders and more"$/);
    const d2 = example();
    d2.timeline[0].topic = 'x'.repeat(250);
    expect(errorOf(d2).path).toBe('timeline[0].topic');
  });

  it('enums: alterConfig entity, electLeaders type, client kind, resetOffsets target', () => {
    const d = example();
    d.timeline.push({ at: 1, op: 'alterConfig', entity: 'cluster', name: 'x', config: {} });
    expect(errorOf(d).message).toBe('timeline[4].entity: expected one of "broker", "topic" or "client", got "cluster"');
    const d2 = example();
    d2.clients[0].kind = 'admin';
    expect(errorOf(d2).message).toBe('clients[0].kind: unknown kind "admin" (expected one of producer, consumer)');
    const d3 = example();
    d3.timeline.push({ at: 1, op: 'resetOffsets', group: 'g', topic: 't', to: 'middle' });
    expect(errorOf(d3).path).toBe('timeline[4].to');
    const d4 = example();
    d4.timeline.push({ at: 1, op: 'electLeaders', topic: 't', partition: 0, type: 'random' });
    expect(errorOf(d4).path).toBe('timeline[4].type');
  });

  it('duplicate broker ids, client ids and topic names', () => {
    const d = example();
    d.cluster.brokers[2].id = 1;
    expect(errorOf(d)).toEqual({
      path: 'cluster.brokers[2].id',
      message: 'cluster.brokers[2].id: duplicate broker id 1 (also cluster.brokers[0].id)',
    });
    const d2 = example();
    d2.clients[1].id = 'checkout';
    expect(errorOf(d2).message).toBe('clients[1].id: duplicate client id "checkout" (also clients[0].id)');
    const d3 = example();
    d3.topics.push({ name: 'orders', partitions: 1, replicationFactor: 1 });
    expect(errorOf(d3).path).toBe('topics[1].name');
  });

  it('a consumer with no topics, in clients and in addConsumer', () => {
    const d = example();
    d.clients[1].topics = [];
    expect(errorOf(d).message).toBe('clients[1].topics: a consumer must subscribe to at least one topic, got an empty list');
    const d2 = example();
    d2.timeline.push({ at: 1, op: 'addConsumer', id: 'c', groupId: 'g', topics: [] });
    expect(errorOf(d2).path).toBe('timeline[4].topics');
  });

  it('explicit assignments that do not match partitions and replication factor', () => {
    const d = example();
    d.topics[0].assignments = [[1, 2, 3]];
    expect(errorOf(d).message).toBe('topics[0].assignments: expected one replica list per partition (3), got 1');
    d.topics[0].assignments = [[1, 2, 3], [2, 3, 1], [3, 1]];
    expect(errorOf(d).path).toBe('topics[0].assignments[2]');
    d.topics[0].assignments = [[1, 2, 3], [2, 3, 1], [3, 3, 1]];
    expect(errorOf(d).message).toContain('a broker appears twice');
  });

  it('a document that is not an object', () => {
    for (const v of [null, 3, 'x', [], undefined]) expect(errorOf(v).path).toBe('');
  });
});

describe('helpers', () => {
  it('formatPath writes JSON paths', () => {
    expect(formatPath(['timeline', 3, 'broker'])).toBe('timeline[3].broker');
    expect(formatPath(['topics', 0, 'config', 'min.insync.replicas'])).toBe('topics[0].config["min.insync.replicas"]');
    expect(formatPath([])).toBe('');
  });

  it("isLegalTopicName follows Kafka's Topic.validate", () => {
    expect(isLegalTopicName('orders.v2_eu-1')).toBe(true);
    expect(isLegalTopicName('x'.repeat(249))).toBe(true);
    for (const bad of ['', '.', '..', 'x'.repeat(250), 'a/b', 'a b', 'ünï']) expect(isLegalTopicName(bad)).toBe(false);
  });
});

describe('cluster.network.bandwidthMBps', () => {
  it('is accepted as a number above 0', () => {
    const d = example();
    d.cluster.network = { latencyMs: 2, jitterMs: 1, bandwidthMBps: 12.5 };
    const r = parseScenario(d);
    expect(r.ok).toBe(true);
    if (r.ok) expect(r.scenario.cluster.network?.bandwidthMBps).toBe(12.5);
  });

  it('refuses 0 and non-numbers, naming the field', () => {
    const d = example();
    d.cluster.network = { bandwidthMBps: 0 };
    expect(errorOf(d).message).toBe('cluster.network.bandwidthMBps: expected a bandwidth in MB/s (a number > 0), got 0');
    d.cluster.network = { bandwidthMBps: 'fast' };
    expect(errorOf(d).message).toBe('cluster.network.bandwidthMBps: expected a bandwidth in MB/s (a number > 0), got "fast"');
  });
});
