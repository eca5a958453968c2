/**
 * TEST HARNESS, not shipped code: a small fake of the cluster around the group coordinator
 * and consumers, so they can be tested without the real brokers and controller. Brokers
 * are processes on the simulated network that serve Fetch and ListOffsets from fake
 * partition logs (real record batches from RecordBatchBuilder); metadata is a plain view
 * over them; killing a broker moves its partition leaders to the next live broker.
 */
import { callOf } from '../sim/call';
import { BROKER_DEFAULTS, Config } from '../config';
import type { BrokerApi, ClusterContext, ClusterEventBody, FetchPartitionResponse, FetchRequest, FetchResponse, ListOffsetsResponse, MetadataView } from '../context';
import type { KafkaError } from '../errors';
import { RecordBatchBuilder, batchLastOffset, batchNextOffset, setBatchBaseOffset } from '../log/record-batch';
import { Deferred, Network, brokerNode } from '../sim/network';
import { Prng } from '../sim/prng';
import { Scheduler } from '../sim/scheduler';
import type { ClusterEvent, ConsumedRow } from '../snapshot';
import type { ConfigMap } from '../../scenario/types';
import { Consumer } from './consumer';
import { GroupCoordinator } from './group-coordinator';

interface FakeLog {
  topic: string;
  partition: number;
  leader: number;
  leaderEpoch: number;
  logStartOffset: number;
  /** Next offset (also the high watermark: every record is committed at once here). */
  endOffset: number;
  batches: Uint8Array[];
  timestamps: number[];
}

export interface FakeClusterOptions {
  seed?: number;
  brokers?: number[];
  topics?: { name: string; partitions: number }[];
  brokerConfig?: ConfigMap;
  recordingConsumed?: boolean;
  latencyMs?: number;
}

const encoder = new TextEncoder();

export class FakeCluster {
  readonly scheduler = new Scheduler();
  readonly prng: Prng;
  readonly network: Network;
  readonly events: ClusterEvent[] = [];
  readonly consumed: ConsumedRow[] = [];
  readonly consumers = new Map<string, Consumer>();
  readonly ctx: ClusterContext;
  readonly coordinator: GroupCoordinator;
  private readonly up = new Set<number>();
  private readonly brokerIds: number[];
  private readonly logs = new Map<string, FakeLog>();
  private readonly apis = new Map<number, BrokerApi>();

  constructor(opts: FakeClusterOptions = {}) {
    this.prng = new Prng(opts.seed ?? 1);
    this.network = new Network(this.scheduler, this.prng, { latencyMs: opts.latencyMs ?? 1, jitterMs: 0 });
    this.brokerIds = (opts.brokers ?? [1, 2, 3]).slice().sort((a, b) => a - b);
    for (const id of this.brokerIds) {
      this.up.add(id);
      this.network.up(brokerNode(id));
      this.apis.set(id, this.brokerApi(id));
    }
    for (const t of opts.topics ?? [{ name: 'orders', partitions: 4 }]) this.createTopic(t.name, t.partitions);
    const self = this;
    const metadata: MetadataView = {
      topicExists: (t) => self.partitionCount(t) > 0,
      partitionCount: (t) => self.partitionCount(t),
      leader: (t, p) => {
        const l = self.logs.get(`${t}-${p}`);
        return l ? { leader: l.leader, leaderEpoch: l.leaderEpoch } : null;
      },
      version: () => {
        // Every leader move here bumps an epoch, and topics only come: a sum that only grows.
        let v = self.logs.size;
        for (const l of self.logs.values()) v += l.leaderEpoch;
        return v;
      },
      liveBrokers: () => self.brokerIds.filter((b) => self.up.has(b)),
      replicas: (t, p) => {
        const l = self.logs.get(`${t}-${p}`);
        return l ? [l.leader] : [];
      },
      brokerRack: () => null,
      brokerOnline: (id) => self.up.has(id),
      highWatermark: (t, p) => self.logs.get(`${t}-${p}`)?.endOffset ?? 0,
      logStartOffset: (t, p) => self.logs.get(`${t}-${p}`)?.logStartOffset ?? 0,
      offsetForTimestamp: (t, p, ts) => {
        const l = self.logs.get(`${t}-${p}`);
        if (!l) return 0;
        for (let o = l.logStartOffset; o < l.endOffset; o++) if ((l.timestamps[o] ?? 0) >= ts) return o;
        return l.endOffset;
      },
    };
    const brokerConfig = new Config([opts.brokerConfig ?? {}, BROKER_DEFAULTS]);
    this.ctx = {
      scheduler: this.scheduler,
      network: this.network,
      prng: this.prng,
      brokerConfig,
      metadata,
      emit: (e: ClusterEventBody) => this.events.push({ ...e, at: this.scheduler.now } as ClusterEvent),
      brokerApi: (id) => (this.up.has(id) ? this.apis.get(id) : undefined),
      recordProduced: () => {},
      recordConsumed: (row) => this.consumed.push(row),
      recordingConsumed: opts.recordingConsumed ?? true,
      recordingProduced: false,
      fetchSessionMinParts: Infinity,
    };
    this.coordinator = new GroupCoordinator(this.ctx);
  }

  get now(): number {
    return this.scheduler.now;
  }

  run(untilMs: number): void {
    this.scheduler.runUntil(untilMs);
  }

  createTopic(name: string, partitions: number): void {
    for (let p = 0; p < partitions; p++) {
      const leader = this.brokerIds[p % this.brokerIds.length]!;
      this.logs.set(`${name}-${p}`, { topic: name, partition: p, leader, leaderEpoch: 0, logStartOffset: 0, endOffset: 0, batches: [], timestamps: [] });
    }
  }

  partitionCount(topic: string): number {
    let n = 0;
    while (this.logs.has(`${topic}-${n}`)) n++;
    return n;
  }

  /** Appends one batch of n records ("k<i>" / "v<offset>") to a partition. */
  produce(topic: string, partition: number, n: number): void {
    const l = this.logs.get(`${topic}-${partition}`)!;
    const b = new RecordBatchBuilder({ baseTimestamp: this.now, batchSize: 1 << 20 });
    for (let i = 0; i < n; i++) b.tryAppend(this.now, encoder.encode(`k${i}`), encoder.encode(`v${l.endOffset + i}`));
    const batch = b.build();
    setBatchBaseOffset(batch, l.endOffset);
    l.batches.push(batch);
    for (let i = 0; i < n; i++) l.timestamps[l.endOffset + i] = this.now;
    l.endOffset = batchNextOffset(batch);
  }

  /** Produces n records to every partition of the topic. */
  produceAll(topic: string, n: number): void {
    for (let p = 0; p < this.partitionCount(topic); p++) this.produce(topic, p, n);
  }

  /** Deletes whole batches below offset (retention). */
  truncateStart(topic: string, partition: number, offset: number): void {
    const l = this.logs.get(`${topic}-${partition}`)!;
    l.batches = l.batches.filter((b) => batchLastOffset(b) >= offset);
    l.logStartOffset = Math.min(offset, l.endOffset);
  }

  killBroker(id: number): void {
    if (!this.up.delete(id)) return;
    this.network.down(brokerNode(id));
    const live = this.brokerIds.filter((b) => this.up.has(b));
    for (const l of this.logs.values()) {
      if (l.leader !== id) continue;
      l.leader = live.length > 0 ? live[(l.partition + l.leaderEpoch + 1) % live.length]! : -1;
      l.leaderEpoch++;
    }
    this.coordinator.onBrokerChange();
  }

  restartBroker(id: number): void {
    if (this.up.has(id)) return;
    this.up.add(id);
    this.network.up(brokerNode(id));
    for (const l of this.logs.values()) {
      if (l.leader === -1) {
        l.leader = id;
        l.leaderEpoch++;
      }
    }
    this.coordinator.onBrokerChange();
  }

  addConsumer(id: string, groupId: string, topics: string[], config: ConfigMap = {}): Consumer {
    const c = new Consumer(this.ctx, this.coordinator, { id, groupId, topics, config });
    this.consumers.set(id, c);
    c.start();
    return c;
  }

  eventsOf<T extends ClusterEvent['type']>(type: T): Extract<ClusterEvent, { type: T }>[] {
    return this.events.filter((e): e is Extract<ClusterEvent, { type: T }> => e.type === type);
  }

  private brokerApi(id: number): BrokerApi {
    const answer = (req: FetchRequest): FetchResponse => ({
      error: 'NONE',
      partitions: req.partitions.map((fp): FetchPartitionResponse => {
        const l = this.logs.get(`${fp.topic}-${fp.partition}`);
        const base = { topic: fp.topic, partition: fp.partition, highWatermark: l?.endOffset ?? -1, logStartOffset: l?.logStartOffset ?? -1, batches: [] as Uint8Array[] };
        let error: KafkaError = 'NONE';
        if (!l) error = 'UNKNOWN_TOPIC_OR_PARTITION';
        else if (l.leader !== id) error = 'NOT_LEADER_OR_FOLLOWER';
        else if (fp.currentLeaderEpoch >= 0 && fp.currentLeaderEpoch !== l.leaderEpoch) error = 'FENCED_LEADER_EPOCH';
        else if (fp.fetchOffset < l.logStartOffset || fp.fetchOffset > l.endOffset) error = 'OFFSET_OUT_OF_RANGE';
        if (error !== 'NONE' || !l) return { ...base, error };
        let bytes = 0;
        const batches: Uint8Array[] = [];
        for (const b of l.batches) {
          if (batchLastOffset(b) < fp.fetchOffset) continue;
          if (batches.length > 0 && bytes + b.length > fp.partitionMaxBytes) break;
          batches.push(b);
          bytes += b.length;
        }
        return { ...base, error, batches };
      }),
    });
    return {
      id,
      handleFetch: (req) => {
        const now = answer(req);
        if (req.maxWaitMs <= 0 || now.partitions.some((p) => p.error !== 'NONE' || p.batches.length > 0)) return now;
        // Long poll: answer after fetch.max.wait.ms with whatever is there then.
        const d = new Deferred<FetchResponse>();
        this.scheduler.after(req.maxWaitMs, callOf(() => d.resolve(this.up.has(id) ? answer(req) : now)));
        return d;
      },
      handleListOffsets: (topic, partition, timestamp): ListOffsetsResponse => {
        const l = this.logs.get(`${topic}-${partition}`);
        if (!l) return { error: 'UNKNOWN_TOPIC_OR_PARTITION', offset: -1 };
        if (l.leader !== id) return { error: 'NOT_LEADER_OR_FOLLOWER', offset: -1 };
        if (timestamp === -2) return { error: 'NONE', offset: l.logStartOffset };
        if (timestamp === -1) return { error: 'NONE', offset: l.endOffset };
        return { error: 'NONE', offset: this.ctx.metadata.offsetForTimestamp(topic, partition, timestamp) };
      },
    };
  }
}

/**
 * The consumers of a group property test: `add()` starts `c0`, `c1`, ... in group `g` with a
 * fresh `config()` and `topics()` (drawn in that order), and skips one whose
 * group.instance.id is already live: one live process per static member, as in a real
 * deployment. `live` holds the ids of the running consumers.
 */
export function groupJoiner(c: FakeCluster, config: () => ConfigMap, topics: () => string[]): { live: Set<string>; add: () => void } {
  let n = 0;
  const live = new Set<string>();
  const add = () => {
    const id = `c${n++}`;
    const conf = config();
    const inst = conf['group.instance.id'];
    if (inst !== undefined && [...live].some((x) => c.consumers.get(x)!.view().groupInstanceId === inst)) return;
    c.addConsumer(id, 'g', topics(), conf);
    live.add(id);
  };
  return { live, add };
}

/**
 * One random step of the group property tests: a consumer joins (`add`), one closes (with or
 * without LeaveGroup), records are produced, or a broker is killed and restarted later.
 */
export function randomGroupStep(
  c: FakeCluster,
  r: Prng,
  live: Set<string>,
  add: () => void,
  faults: { killChance: number; restartMaxMs: number },
): void {
  const what = r.int(5);
  if (what === 0 || live.size === 0) add();
  else if (what === 1) {
    const id = r.pick([...live].sort());
    c.consumers.get(id)!.close(r.bool());
    live.delete(id);
  } else if (what === 2) c.produceAll(r.bool() ? 'a' : 'b', r.range(1, 50));
  else if (what === 3 && r.bool(faults.killChance)) {
    const b = r.pick([1, 2, 3]);
    c.killBroker(b);
    c.scheduler.after(r.range(500, faults.restartMaxMs), callOf(() => c.restartBroker(b)));
  }
}
