/**
 * The controller quorum inside a cluster: brokers heartbeat to the active controller and are
 * fenced by it (BrokerHeartbeatManagerTest), decisions wait for a majority, combined
 * broker,controller nodes, and a checkpoint taken mid-election continues exactly.
 */
import { describe, expect, it } from 'vitest';
import { Cluster } from '../cluster';
import { cloneCluster } from '../checkpoint';
import { threeRacks } from '../test-support/three-racks';
import type { Scenario, TimelineAction } from '../../scenario/types';

function scenario(timeline: TimelineAction[], combined = false): Scenario {
  return {
    version: 1,
    seed: 3,
    cluster: threeRacks({ combined }),
    topics: [{ name: 't', partitions: 3, replicationFactor: 3, config: { 'min.insync.replicas': 2 } }],
    clients: [{ kind: 'producer', id: 'p', config: { acks: 'all' } }],
    timeline: [{ at: 0, op: 'startLoad', producer: 'p', topic: 't', ratePerSec: 20, keys: 5 }, ...timeline],
  };
}

describe('BrokerHeartbeatManagerTest: fencing by the active controller', () => {
  it('testFenceStaleBrokers: a broker cut off from the quorum is fenced after broker.session.timeout.ms, while it keeps its logs and process', () => {
    const c = new Cluster(scenario([{ at: 5000, op: 'isolateBroker', broker: 2 }]));
    c.runUntil(5000);
    const last = c.controller.brokers.get(2)!.lastHeartbeatMs;
    expect(last).toBeGreaterThan(5000 - 2000 - 1);
    c.runUntil(last + 9000);
    expect(c.snapshot().brokers.find((b) => b.id === 2)).toMatchObject({ status: 'isolated', fenced: false });
    c.runUntil(last + 9000 + 1000);
    const b2 = c.snapshot().brokers.find((b) => b.id === 2)!;
    expect(b2).toMatchObject({ status: 'isolated', fenced: true });
    // Still running: its logs are there, it is only out of every ISR.
    expect(c.brokers.get(2)!.running).toBe(true);
    for (const p of c.snapshot().partitions) expect(p.isr).not.toContain(2);
    // The fencing is a FenceBrokerRecord, committed a few ms later on a majority of voters.
    c.runUntil(last + 9000 + 1100);
    const active = c.quorum.nodes.get(c.quorum.activeId)!;
    expect(active.log.slice(0, active.highWatermark).some((r) => r.type === 'FenceBrokerRecord' && r.broker === 2)).toBe(true);
  });

  it('testTouchUnfencesAfterHeal: the healed broker heartbeats again, is unfenced and catches up to the committed metadata offset', () => {
    const c = new Cluster(scenario([{ at: 2000, op: 'isolateBroker', broker: 2 }, { at: 20000, op: 'healBroker', broker: 2 }]));
    c.runUntil(19000);
    expect(c.snapshot().brokers.find((b) => b.id === 2)!.fenced).toBe(true);
    const offsetWhileCut = c.snapshot().brokers.find((b) => b.id === 2)!.metadataOffset!;
    expect(offsetWhileCut).toBeLessThan(c.snapshot().quorum!.highWatermark);
    // Its connection to the controller resumes at TCP's first retransmission after the heal:
    // the heartbeat lost at the cut (2 s) is sent again 0.2, 0.6, 1.4, 3, 6.2, 12.6 and 25.4 s
    // after, so at 27.4 s, and the heartbeats behind it on that connection follow.
    c.runUntil(27000);
    expect(c.snapshot().brokers.find((b) => b.id === 2)!.fenced).toBe(true);
    c.runUntil(30000);
    const s = c.snapshot();
    expect(s.brokers.find((b) => b.id === 2)!.fenced).toBe(false);
    expect(s.events.some((e) => e.type === 'BrokerUnfenced' && e.broker === 2)).toBe(true);
    expect(s.brokers.find((b) => b.id === 2)!.metadataOffset).toBeGreaterThan(offsetWhileCut);
  });

  it('a new active controller gives every broker a fresh session: none is fenced for heartbeats the old one got', () => {
    const c = new Cluster(scenario([{ at: 3000, op: 'killController', controller: 3000 }]));
    c.runUntil(20000);
    expect([3001, 3002]).toContain(c.quorum.activeId);
    expect(c.allEvents().filter((e) => e.type === 'BrokerFenced')).toEqual([]);
    expect(c.snapshot().producers[0]!.acked).toBeGreaterThan(300);
  });
});

describe('decisions need the quorum', () => {
  it('with no majority nothing is decided: admin ops get NOT_CONTROLLER, a dead broker is not fenced; with the majority back it is', () => {
    const c = new Cluster(
      scenario([
        { at: 1000, op: 'killController', controller: 3000 },
        { at: 1000, op: 'killController', controller: 3001 },
        { at: 2000, op: 'killBroker', broker: 3 },
        { at: 8000, op: 'createTopic', name: 'late', partitions: 1, replicationFactor: 1 },
        { at: 30000, op: 'restartController', controller: 3001 },
      ]),
    );
    c.runUntil(29000);
    expect(c.snapshot().controller).toBe(-1);
    expect(c.allEvents()).toContainEqual(expect.objectContaining({ type: 'ActionRejected', op: 'createTopic', error: 'NOT_CONTROLLER' }));
    expect(c.snapshot().brokers.find((b) => b.id === 3)!.fenced).toBe(false);
    c.runUntil(50000);
    expect([3001, 3002]).toContain(c.snapshot().controller);
    expect(c.snapshot().brokers.find((b) => b.id === 3)!.fenced).toBe(true);
  });

  it('combined broker,controller nodes: killing two of three brokers takes the quorum with them', () => {
    const c = new Cluster(scenario([{ at: 2000, op: 'killBroker', broker: 1 }, { at: 2000, op: 'killBroker', broker: 2 }], true));
    expect(c.snapshot().quorum).toMatchObject({ leaderId: 1, voters: [1, 2, 3] });
    expect(c.snapshot().brokers.map((b) => b.processRoles)).toEqual(['broker,controller', 'broker,controller', 'broker,controller']);
    c.runUntil(30000);
    expect(c.snapshot().controller).toBe(-1);
    expect(c.allEvents().filter((e) => e.type === 'ControllerDown').map((e) => (e.type === 'ControllerDown' ? e.controller : 0))).toEqual([1, 2]);
    // killController on a combined node is its broker's kill.
    c.perform({ op: 'killController', controller: 3 });
    c.runUntil(30010);
    expect(c.snapshot().brokers.find((b) => b.id === 3)!.status).toBe('down');
  });

  it('refuses an unknown controller and a controller id for a new broker, by name', () => {
    const c = new Cluster(scenario([{ at: 100, op: 'killController', controller: 9 }, { at: 200, op: 'addBroker', id: 3001 }]));
    c.runUntil(300);
    const rejected = c.allEvents().filter((e) => e.type === 'ActionRejected');
    expect(rejected).toEqual([
      expect.objectContaining({ op: 'killController', error: 'INVALID_REQUEST', message: 'There is no controller 9 (voters: 3000, 3001, 3002).' }),
      expect.objectContaining({ op: 'addBroker', error: 'DUPLICATE_BROKER_REGISTRATION' }),
    ]);
  });
});

describe('checkpoints of the quorum', () => {
  it('a copy taken every 700 ms through a controller failover and an isolation continues exactly', () => {
    const s = scenario([
      { at: 3000, op: 'killController', controller: 3000 },
      { at: 9000, op: 'isolateController', controller: 3001 },
      { at: 14000, op: 'restartController', controller: 3000 },
      { at: 20000, op: 'healController', controller: 3001 },
    ]);
    const straight = new Cluster(s, { recordConsumed: true });
    straight.runUntil(30000);
    let c = new Cluster(s, { recordConsumed: true });
    for (let t = 700; t <= 30000; t += 700) {
      c.runUntil(t);
      c = cloneCluster(c);
    }
    c.runUntil(30000);
    expect(JSON.stringify(c.output())).toBe(JSON.stringify(straight.output()));
  });
});
