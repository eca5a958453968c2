/**
 * A follower applies a fetch answer only to the fetch state it was asked for
 * (AbstractFetcherThread.processFetchRequest: the partition's fetch offset and current leader
 * epoch must still be those of the request). A replica removed and added again while its
 * fetch was in flight (a reassignment away and back, a topic deleted and created again) is a
 * new fetch state: the old answer, for the old log's offsets, must not land in the new log.
 */
import { describe, expect, it } from 'vitest';
import { defaultScenario } from '../../scenario/default-scenario';
import { Cluster } from '../cluster';
import type { Broker } from './broker';
import type { FollowerFetchAnswer } from './partition';

type Respond = (...args: unknown[]) => void;

describe('a replica fetch answer', () => {
  it('for a replica removed and added again while the fetch was in flight is not applied to the new replica', () => {
    const c = new Cluster(defaultScenario, { recordConsumed: false, recordProduced: false });
    const key = 'orders-0';
    c.runUntil(3000);
    const b = [...c.brokers.values()].find((x) => x.partitions.get(key)?.role === 'follower')! as Broker;
    const leaderId = b.partitions.get(key)!.leaderId;
    const leader = c.brokers.get(leaderId)!;
    const registration = c.controller.registrationsFor(b.brokerId).find((r) => `${r.topic}-${r.partition}` === key)!;
    // The follower's answer handler, wrapped: the first answer bringing records for the key
    // (the replica behind, the leader sending it batches) finds the replica removed and
    // added again since the fetch left: a new, empty Partition under the same key.
    const target = b as unknown as Record<string, Respond>;
    const respond = target.onReplicaFetchResponse!;
    let staleOffset = -1;
    target.onReplicaFetchResponse = function onReplicaFetchResponse(this: Broker, ...args: unknown[]): void {
      const resp = args.at(-1) as FollowerFetchAnswer[];
      const a = resp.find((x) => x.key === key && x.batches.length > 0);
      if (staleOffset < 0 && a !== undefined) {
        staleOffset = this.partitions.get(key)!.log.logEndOffset;
        this.removePartition(key, true);
        this.applyRegistration(registration.topic, registration.partition, registration.reg);
      }
      respond.apply(this, args);
    };
    for (let t = 3001; t <= 8000 && staleOffset < 0; t++) c.runUntil(t);
    // The answer came, for offsets the old log had reached; the new replica starts empty.
    expect(staleOffset).toBeGreaterThan(0);
    const fresh = b.partitions.get(key)!;
    expect(fresh.role).toBe('follower');
    expect(fresh.log.logEndOffset).toBe(0);
    // It fetches anew from its own log end: its log is the leader's from offset 0, no gap.
    c.runUntil(c.scheduler.now + 3000);
    const mine = fresh.log.segments.flatMap((s) => s.batchList());
    const theirs = leader.partitions.get(key)!.log.segments.flatMap((s) => s.batchList());
    expect(mine.length).toBeGreaterThan(0);
    expect(fresh.log.logStartOffset).toBe(0);
    for (let i = 0; i < mine.length; i++) expect(mine[i]).toEqual(theirs[i]);
  });
});
