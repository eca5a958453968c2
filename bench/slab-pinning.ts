/**
 * How much memory the logs pin through the 64 KiB slabs their batches are views into
 * (record-batch.ts batchBytes): `tsx bench/slab-pinning.ts [tree=.] [brokers=12] [partitions=200] [loadMs=60000] [afterMs=20000]`.
 * The scale workload with retention.ms 10 s (segment.ms 2 s, retention checked every second),
 * plus a quiet topic ('audit', 10 records/s, default retention) beside it. Prints, per topic,
 * the bytes the logs hold (each batch once, however many replicas share it) and the bytes of
 * the distinct buffers those batches keep alive; at the end of the load and after it stopped.
 */
import { scaleScenario } from './workload';

interface Figures {
  batches: number;
  held: number;
  buffers: number;
  pinned: number;
}

async function main(): Promise<void> {
  const [tree = '.', b = '12', p = '200', loadMs = '60000', afterMs = '20000'] = process.argv.slice(2);
  const root = tree.startsWith('/') ? tree : `${process.cwd()}/${tree}`;
  const { Cluster } = await import(`${root}/src/kafka/cluster.ts`);
  const s = scaleScenario(Number(b), Number(p), 20000, Number(loadMs));
  s.cluster.config = { ...s.cluster.config, 'log.retention.check.interval.ms': 1000 };
  s.topics = [
    { ...s.topics![0]!, config: { ...s.topics![0]!.config, 'retention.ms': 10000, 'segment.ms': 2000 } },
    { name: 'audit', partitions: 12, replicationFactor: 3, config: { 'min.insync.replicas': 2 } },
  ];
  s.clients = [...s.clients!, { kind: 'producer', id: 'a', config: { acks: 'all', 'enable.idempotence': true, 'linger.ms': 5 } }];
  s.timeline = [...s.timeline!, { at: 0, op: 'startLoad', producer: 'a', topic: 'audit', ratePerSec: 10, keys: 100, valueBytes: 100 }];
  const c = new Cluster(s, { recordConsumed: false, recordProduced: false });
  const measure = (label: string): void => {
    const byTopic = new Map<string, { seen: Set<Uint8Array>; buffers: Set<ArrayBufferLike>; f: Figures }>();
    for (const broker of c.brokers.values()) {
      for (const [key, log] of broker.logs) {
        const topic = key.slice(0, key.lastIndexOf('-'));
        let t = byTopic.get(topic);
        if (!t) byTopic.set(topic, (t = { seen: new Set(), buffers: new Set(), f: { batches: 0, held: 0, buffers: 0, pinned: 0 } }));
        for (const seg of log.segments) {
          for (const x of seg.batches as Uint8Array[]) {
            if (t.seen.has(x)) continue;
            t.seen.add(x);
            t.f.batches++;
            t.f.held += x.byteLength;
            if (!t.buffers.has(x.buffer)) {
              t.buffers.add(x.buffer);
              t.f.buffers++;
              t.f.pinned += x.buffer.byteLength;
            }
          }
        }
      }
    }
    const all = new Set<ArrayBufferLike>();
    let held = 0;
    for (const [topic, t] of [...byTopic].sort()) {
      for (const x of t.buffers) all.add(x);
      held += t.f.held;
      console.log(`${label} ${topic}: ${t.f.batches} batches, ${(t.f.held / 1e6).toFixed(2)} MB held, ${t.f.buffers} buffers, ${(t.f.pinned / 1e6).toFixed(2)} MB pinned (${(t.f.pinned / Math.max(1, t.f.held)).toFixed(1)}x)`);
    }
    let pinned = 0;
    for (const x of all) pinned += x.byteLength;
    console.log(`${label} all: ${(held / 1e6).toFixed(2)} MB held, ${(pinned / 1e6).toFixed(2)} MB pinned (${(pinned / Math.max(1, held)).toFixed(1)}x)`);
  };
  c.runUntil(Number(loadMs));
  measure(`t=${loadMs}`);
  c.runUntil(Number(loadMs) + Number(afterMs));
  measure(`t=${Number(loadMs) + Number(afterMs)}`);
}

void main();
