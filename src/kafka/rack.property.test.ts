/**
 * Property test for racks (KIP-881 assignment, KIP-392 fetch from followers) under random
 * faults: the random topologies and fault schedules of cluster.property.test.ts, with
 * replica.selector.class set to the RackAwareReplicaSelector and every consumer in a random
 * rack. For each seed:
 * - every step: the usual invariants, among them "a Stable group gives each partition
 *   exactly one owner" (rack-aware assignors included);
 * - whatever a follower hands a consumer ends at or below that follower's HW at that moment,
 *   checked where it is served (Partition.fetchForConsumer), and the leader of the same epoch
 *   holds everything below a follower's HW (a follower never serves what is not committed).
 *   A consumer's position may well be past the HW of the follower it reads from: the leader
 *   picks a follower whose log end offset reaches the position (ReplicaManager's
 *   findPreferredReadReplica filters on the log end, not the HW), and a position taken from
 *   the leader or from a committed offset can be ahead of that follower's HW for a while, as
 *   in Kafka, where the follower answers with no records until its HW catches up. (Checked
 *   as positions, that was seen as a violation in 4 of 100 seeds: 21, 70, 83 and 94.)
 * - at the end: every record a (read_uncommitted) consumer saw is in the final log at its
 *   offset with its value: nothing consumed was later truncated, and acknowledged records
 *   survive exactly once.
 */
import { describe, expect, it } from 'vitest';
import type { Scenario } from '../scenario/types';
import { Cluster } from './cluster';
import { checkAcknowledgedRecords, checkStepInvariants, newInvariantState } from './invariants/invariants';
import { FAULT_END_MS, SETTLE_MS, randomRackScenario as rackScenario } from './invariants/random-scenario';
import { Partition } from './broker/partition';
import { batchNextOffset, decodeRecords } from './log/record-batch';

/**
 * Every consumer read a follower answers with records is checked as it is served: its last
 * batch ends at or below the follower's HW. `serving` collects for the run going on.
 */
const serving = { served: 0, violations: [] as string[] };
const fetchForConsumer = Partition.prototype.fetchForConsumer;
Partition.prototype.fetchForConsumer = function (this: Partition, ...args: Parameters<Partition['fetchForConsumer']>) {
  const r = fetchForConsumer.apply(this, args);
  const last = r.batches[r.batches.length - 1];
  if (this.role === 'follower' && r.error === 'NONE' && last !== undefined) {
    serving.served++;
    const hw = this.log.highWatermark;
    if (batchNextOffset(last) > hw) serving.violations.push(`follower served ${this.topic}-${this.partition} up to offset ${batchNextOffset(last) - 1} (fetch at ${args[0]}) beyond its HW ${hw}`);
  }
  return r;
};

const decoder = new TextDecoder();

function runChecked(seed: number): { violations: string[]; scenario: Scenario; followerSteps: number; followerServes: number } {
  const scenario = rackScenario(seed);
  serving.served = 0;
  serving.violations = [];
  const cluster = new Cluster(scenario, { recordConsumed: true, recordProduced: true });
  const state = newInvariantState();
  const violations: string[] = [];
  let followerSteps = 0;
  const end = FAULT_END_MS + SETTLE_MS;
  for (let t = 50; t <= end && violations.length === 0; t += 50) {
    cluster.runUntil(t);
    for (const v of checkStepInvariants(cluster, state)) violations.push(`t=${t}: ${v}`);
    for (const v of serving.violations) violations.push(`by t=${t}: ${v}`);
    serving.violations = [];
    for (const c of cluster.snapshot().consumers) {
      for (const pos of c.positions) {
        if (pos.readReplica === undefined) continue;
        followerSteps++;
        const key = `${pos.topic}-${pos.partition}`;
        const follower = cluster.brokers.get(pos.readReplica);
        const flog = follower?.running ? follower.logs.get(key) : undefined;
        const reg = cluster.controller.topics.get(pos.topic)?.partitions[pos.partition];
        const leader = reg && reg.leader >= 0 ? cluster.brokers.get(reg.leader) : undefined;
        const lp = leader?.running ? leader.partitions.get(key) : undefined;
        // What the follower may serve is committed: the leader of the same epoch holds all of it.
        // (Its own HW may trail for a moment after an election, as in Kafka: the new leader
        // learns the committed offset from its followers' fetches.)
        if (flog && lp?.isLeader && lp.leaderEpoch === reg!.leaderEpoch && follower!.partitions.get(key)?.leaderEpoch === lp.leaderEpoch && flog.highWatermark > lp.logEndOffset) {
          violations.push(`t=${t}: follower ${pos.readReplica}'s HW ${flog.highWatermark} above leader ${reg!.leader}'s log end ${lp.logEndOffset} on ${key}`);
        }
      }
    }
  }
  if (violations.length === 0) violations.push(...checkAcknowledgedRecords(cluster));
  if (violations.length === 0) {
    // Nothing a consumer saw was truncated later: it is in the final leader log, same value.
    const finalLogs = new Map<string, Map<number, string | null>>();
    for (const t of cluster.controller.sortedTopics()) {
      t.partitions.forEach((reg, p) => {
        const key = `${t.name}-${p}`;
        const log = cluster.brokers.get(reg.leader)?.logs.get(key);
        const m = new Map<number, string | null>();
        if (log) for (const b of log.read(log.logStartOffset, Number.MAX_SAFE_INTEGER, log.logEndOffset).batches) for (const rec of decodeRecords(b)) m.set(rec.offset, rec.value === null ? null : decoder.decode(rec.value));
        finalLogs.set(key, m);
      });
    }
    for (const row of cluster.output().consumed) {
      const log = finalLogs.get(`${row.topic}-${row.partition}`);
      if (!log || !log.has(row.offset)) {
        violations.push(`${row.consumer} consumed ${row.topic}-${row.partition}@${row.offset}, which is not in the final log (truncated)`);
        break;
      }
      if (log.get(row.offset) !== row.value) {
        violations.push(`${row.consumer} consumed ${row.topic}-${row.partition}@${row.offset} = ${row.value}, the log has ${log.get(row.offset)}`);
        break;
      }
    }
  }
  return { violations, scenario, followerSteps, followerServes: serving.served };
}

const SEEDS = Number(process.env.RACK_PROPERTY_SEEDS ?? 20);

describe('racks under random faults (KIP-881, KIP-392)', () => {
  for (let chunk = 0; chunk < SEEDS; chunk += 10) {
    it(`seeds ${chunk + 1}–${Math.min(SEEDS, chunk + 10)}: one owner per partition, followers serve only committed data, nothing consumed is truncated`, () => {
      const failures: string[] = [];
      let followerSteps = 0;
      let followerServes = 0;
      for (let seed = chunk + 1; seed <= Math.min(SEEDS, chunk + 10); seed++) {
        const r = runChecked(seed);
        followerSteps += r.followerSteps;
        followerServes += r.followerServes;
        if (r.violations.length > 0) failures.push(`seed ${seed}:\n  ${r.violations.slice(0, 5).join('\n  ')}\nreproduce with this scenario:\n${JSON.stringify(r.scenario)}`);
      }
      expect(failures, failures.join('\n\n')).toEqual([]);
      // Not vacuous: consumers did read from followers in these runs.
      expect(followerSteps).toBeGreaterThan(100);
      expect(followerServes).toBeGreaterThan(100);
    });
  }
});
