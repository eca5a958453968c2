/**
 * The KRaft quorum alone (raft.ts, quorum.ts), on a virtual clock and a network that can
 * kill and cut voters. Cases follow Kafka's own tests: KafkaRaftClientTest (elections),
 * QuorumStateTest (transitions, one vote per epoch), LeaderStateTest (high watermark by
 * majority, only once the leader's epoch is committed), and a property test over random
 * seeds with kills, isolations and heals.
 */
import { describe, expect, it } from 'vitest';
import { Scheduler } from '../sim/scheduler';
import { Network, brokerNode } from '../sim/network';
import { Prng } from '../sim/prng';
import { Quorum, parseQuorumVoters, type QuorumListener } from './quorum';
import { RaftNode, type MetadataRecordBody, type RaftConfig, type RaftHost } from './raft';
import type { Call } from '../sim/call';

/** A quorum of `ids` (combined-style node names) with its events recorded. */
class Harness implements QuorumListener {
  readonly scheduler = new Scheduler();
  readonly network: Network;
  readonly quorum: Quorum;
  readonly elected: { at: number; leader: number; epoch: number }[] = [];
  readonly resigned: { at: number; leader: number; epoch: number; reason: string }[] = [];
  readonly active: { at: number; id: number }[] = [];

  constructor(
    readonly ids: number[],
    seed = 1,
  ) {
    this.network = new Network(this.scheduler, new Prng(seed), { latencyMs: 1, jitterMs: 1 });
    for (const id of ids) this.network.up(brokerNode(id));
    this.quorum = new Quorum(this.scheduler, this.network, seed, this);
    const boot: MetadataRecordBody[] = [{ type: 'RegisterBrokerRecord', broker: 1, rack: null, incarnation: 1, fenced: false }];
    this.quorum.start(ids, () => true, boot);
  }

  config(): RaftConfig {
    return { electionTimeoutMs: 1000, fetchTimeoutMs: 2000 };
  }
  activeChanged(_previous: number, next: number): void {
    this.active.push({ at: this.scheduler.now, id: next });
  }
  leaderElected(leader: number, epoch: number): void {
    this.elected.push({ at: this.scheduler.now, leader, epoch });
  }
  leaderResigned(leader: number, epoch: number, reason: string): void {
    this.resigned.push({ at: this.scheduler.now, leader, epoch, reason });
  }

  node(id: number): RaftNode {
    return this.quorum.nodes.get(id)!;
  }
  run(ms: number): void {
    this.scheduler.runUntil(this.scheduler.now + ms);
  }
  kill(id: number): void {
    this.network.down(brokerNode(id));
    this.quorum.stopNode(id);
  }
  restart(id: number): void {
    this.network.up(brokerNode(id));
    this.quorum.startNode(id);
  }
  isolate(id: number): void {
    this.network.isolate(brokerNode(id));
  }
  heal(id: number): void {
    this.network.heal(brokerNode(id));
  }
  write(n: number): void {
    for (let i = 0; i < n; i++) this.quorum.append({ type: 'FenceBrokerRecord', broker: 1 });
  }
  leaders(): RaftNode[] {
    return [...this.quorum.nodes.values()].filter((n) => n.running && n.state === 'leader');
  }
}

describe('KafkaRaftClientTest: elections', () => {
  it('testInitializeAsLeaderFromStateStore: the bootstrapped quorum has the lowest voter leading epoch 1, its LeaderChangeRecord committed', () => {
    const h = new Harness([1, 2, 3]);
    expect(h.quorum.activeId).toBe(1);
    expect(h.node(1).state).toBe('leader');
    expect([h.node(2).state, h.node(3).state]).toEqual(['follower', 'follower']);
    expect(h.node(1).log.at(-1)).toMatchObject({ type: 'LeaderChangeRecord', leader: 1, epoch: 1 });
    expect(h.quorum.committedOffset).toBe(2);
  });

  it('testElectionTimeoutAfterUserInitiatedResign / leader dies: a follower stands after the fetch timeout and wins with a majority, epoch + 1', () => {
    const h = new Harness([1, 2, 3]);
    h.run(1000);
    h.kill(1);
    expect(h.quorum.activeId).toBe(-1);
    expect(h.resigned.at(-1)).toMatchObject({ leader: 1, epoch: 1 });
    // Nothing before controller.quorum.fetch.timeout.ms since the last answered fetch.
    h.run(1400);
    expect(h.leaders()).toEqual([]);
    h.run(6000);
    const [leader] = h.leaders();
    expect([2, 3]).toContain(leader!.id);
    expect(leader!.epoch).toBeGreaterThanOrEqual(2);
    expect(h.quorum.activeId).toBe(leader!.id);
    expect(leader!.log.at(-1)).toMatchObject({ type: 'LeaderChangeRecord', leader: leader!.id, epoch: leader!.epoch });
  });

  it('testVoteRequestRejectedIfLogIsBehind: a candidate whose log is behind gets no vote; the up-to-date voter wins', () => {
    const h = new Harness([1, 2, 3]);
    h.isolate(2);
    h.write(5);
    h.run(100);
    // 1 and 3 have the 5 records committed; 2 does not.
    expect(h.node(3).logEndOffset).toBe(h.node(1).logEndOffset);
    expect(h.node(2).logEndOffset).toBeLessThan(h.node(1).logEndOffset);
    h.kill(1);
    h.heal(2);
    h.run(10000);
    expect(h.leaders().map((n) => n.id)).toEqual([3]);
    // 2 caught up from 3 and holds every committed record.
    expect(h.node(2).log.slice(0, 7)).toEqual(h.node(3).log.slice(0, 7));
  });

  it('testHandleBeginQuorumEpoch / restart: the old leader comes back as a follower of the new epoch and truncates nothing committed', () => {
    const h = new Harness([1, 2, 3]);
    h.write(3);
    h.run(50);
    const committed = h.quorum.committedOffset;
    h.kill(1);
    h.run(8000);
    const leader = h.leaders()[0]!;
    h.restart(1);
    h.run(3000);
    expect(h.node(1).state).toBe('follower');
    expect(h.node(1).leaderId).toBe(leader.id);
    expect(h.node(1).epoch).toBe(leader.epoch);
    expect(h.node(1).highWatermark).toBeGreaterThanOrEqual(committed);
    expect(h.node(1).log).toEqual(leader.log);
  });

  it('check-quorum: a leader cut off from the majority resigns after 1.5x the fetch timeout; the majority elects another', () => {
    const h = new Harness([1, 2, 3]);
    h.run(500);
    h.isolate(1);
    h.run(2900);
    expect(h.node(1).state).toBe('leader');
    h.run(600);
    expect(h.node(1).state).toBe('resigned');
    expect(h.resigned).toContainEqual(expect.objectContaining({ leader: 1, epoch: 1, reason: 'no fetch from a majority of voters' }));
    h.run(6000);
    const others = h.leaders().filter((n) => n.id !== 1);
    expect(others).toHaveLength(1);
    expect(h.quorum.activeId).toBe(others[0]!.id);
  });

  it('pre-vote (KIP-996): an isolated minority follower does not bump the epoch and rejoins the leader when healed', () => {
    const h = new Harness([1, 2, 3]);
    h.isolate(3);
    h.run(20000);
    expect(h.node(3).epoch).toBe(1);
    expect(h.node(1).state).toBe('leader');
    h.heal(3);
    h.run(5000);
    expect(h.node(3)).toMatchObject({ state: 'follower', leaderId: 1, epoch: 1 });
    expect(h.elected.filter((e) => e.at > 0)).toEqual([]);
  });

  it('a single voter elects itself at once after a restart', () => {
    const h = new Harness([7]);
    h.kill(7);
    expect(h.quorum.activeId).toBe(-1);
    h.restart(7);
    h.run(3000);
    expect(h.node(7)).toMatchObject({ state: 'leader', epoch: 2 });
    expect(h.quorum.activeId).toBe(7);
  });

  it('no majority, no leader: two of three voters down leave the third without one', () => {
    const h = new Harness([1, 2, 3]);
    h.kill(1);
    h.kill(2);
    h.run(30000);
    expect(h.leaders()).toEqual([]);
    expect(h.quorum.activeId).toBe(-1);
    h.restart(2);
    h.run(10000);
    expect(h.leaders()).toHaveLength(1);
  });
});

describe('QuorumStateTest', () => {
  /** A lone node with a host that records what it sends. */
  function lone(voters: number[]): { node: RaftNode; sent: { to: number; method: string; args: readonly unknown[] }[]; scheduler: Scheduler } {
    const scheduler = new Scheduler();
    const sent: { to: number; method: string; args: readonly unknown[] }[] = [];
    const prng = new Prng(3);
    const host: RaftHost = {
      scheduler,
      config: () => ({ electionTimeoutMs: 1000, fetchTimeoutMs: 2000 }),
      send: (_from: number, to: number, c: Call) => void sent.push({ to, method: c.method, args: c.args }),
      random: (n: number) => prng.int(n),
      onLeaderElected: () => {},
      onLeaderResigned: () => {},
      onCommit: () => {},
      voterNode: () => node,
    };
    const node: RaftNode = new RaftNode(voters[0]!, voters, host);
    node.bootstrap([{ type: 'LeaderChangeRecord', leader: voters[1]!, voters, offset: 0, epoch: 1 }], 1, voters[1]!);
    return { node, sent, scheduler };
  }

  it('testVotedStateTransition: grants one vote per epoch, to the first up-to-date candidate only', () => {
    const { node, sent } = lone([1, 2, 3]);
    node.handleVoteRequest(5, 2, 1, 1, false);
    expect(node).toMatchObject({ epoch: 5, votedId: 2, state: 'unattached' });
    node.handleVoteRequest(5, 3, 1, 1, false);
    expect(node.votedId).toBe(2);
    const answers = sent.filter((m) => m.method === 'handleVoteResponse').map((m) => [m.to, m.args[2]]);
    expect(answers).toEqual([
      [2, true],
      [3, false],
    ]);
  });

  it('rejects a stale epoch and a candidate whose log is behind (last epoch lower, or same epoch and shorter)', () => {
    const { node, sent } = lone([1, 2, 3]);
    node.handleVoteRequest(0, 2, 0, 0, false);
    node.handleVoteRequest(6, 2, 0, 5, false); // last epoch 0 < 1
    node.handleVoteRequest(7, 3, 1, 0, false); // same last epoch, end offset 0 < 1
    expect(sent.filter((m) => m.method === 'handleVoteResponse').map((m) => m.args[2])).toEqual([false, false, false]);
    expect(node.epoch).toBe(7);
  });

  it('pre-vote changes nothing and is refused while the leader is heard from', () => {
    const { node, sent } = lone([1, 2, 3]);
    node.handleFetchResponse(1, 2, [], -1, -1, 1); // a fetch answered by leader 2
    node.handleVoteRequest(2, 3, 1, 1, true);
    expect(node).toMatchObject({ epoch: 1, votedId: 2, state: 'follower', leaderId: 2 });
    expect(sent.filter((m) => m.method === 'handleVoteResponse').at(-1)!.args[2]).toBe(false);
  });

  it('a fetch response from a higher epoch makes a follower of its leader', () => {
    const { node } = lone([1, 2, 3]);
    node.handleFetchResponse(4, 3, null, -1, -1, 0);
    expect(node).toMatchObject({ epoch: 4, state: 'follower', leaderId: 3, votedId: -1 });
  });
});

describe('LeaderStateTest: high watermark', () => {
  it('testUpdateHighWatermarkQuorumSizeThree: advances to the offset a majority has, never back', () => {
    const h = new Harness([1, 2, 3]);
    const leader = h.node(1);
    const start = h.quorum.committedOffset;
    h.isolate(2);
    h.isolate(3);
    h.write(4);
    h.run(100);
    expect(leader.highWatermark).toBe(start);
    h.heal(3);
    h.run(2000);
    expect(leader.highWatermark).toBe(start + 4);
    expect(h.node(2).logEndOffset).toBe(start);
  });

  it('testHighWatermarkDoesNotAdvanceBeforeEpochStart: a new leader commits nothing until its own LeaderChangeRecord is on a majority', () => {
    const h = new Harness([1, 2, 3]);
    h.kill(1);
    h.isolate(3);
    h.run(10000);
    // 2 alone cannot be elected; with 3 back it can, and its epoch's first record is committed.
    expect(h.leaders()).toEqual([]);
    h.heal(3);
    h.run(10000);
    const leader = h.leaders()[0]!;
    expect(leader.highWatermark).toBeGreaterThan(leader.epochStartOffset);
    expect(leader.log[leader.epochStartOffset]).toMatchObject({ type: 'LeaderChangeRecord', epoch: leader.epoch });
  });

  it('testUpdateHighWatermarkQuorumSizeFive: needs three of five', () => {
    const h = new Harness([1, 2, 3, 4, 5]);
    const start = h.quorum.committedOffset;
    h.isolate(4);
    h.isolate(5);
    h.isolate(3);
    h.write(2);
    h.run(200);
    expect(h.node(1).highWatermark).toBe(start);
    h.heal(3);
    h.run(2000);
    expect(h.node(1).highWatermark).toBe(start + 2);
  });
});

describe('controller.quorum.voters', () => {
  it('parses {id}@{host}:{port} lists and bare ids, and names what is wrong', () => {
    expect(parseQuorumVoters('1@localhost:9093,2@localhost:9094, 3@h:1')).toEqual([1, 2, 3]);
    expect(parseQuorumVoters('3000,3001')).toEqual([3000, 3001]);
    expect(parseQuorumVoters('x@h:1')).toBe('controller.quorum.voters: "x@h:1" is not {id}@{host}:{port} with a whole-number id');
    expect(parseQuorumVoters('1@a:1,1@b:2')).toBe('controller.quorum.voters: voter 1 is listed twice');
  });
});

describe('property: random kills, isolations and heals', () => {
  const SEEDS = 150;
  it(`over ${SEEDS} seeds: at most one leader per epoch, committed records never diverge, the high watermark never goes back`, () => {
    for (let seed = 1; seed <= SEEDS; seed++) {
      const r = new Prng(seed * 7919);
      const ids = r.int(2) === 0 ? [1, 2, 3] : [1, 2, 3, 4, 5];
      const h = new Harness(ids, seed);
      const leaderOfEpoch = new Map<number, number>();
      let maxCommitted = h.quorum.committedOffset;
      const fail = (msg: string) => {
        throw new Error(`seed ${seed} (voters ${ids.join(',')}), t=${h.scheduler.now}: ${msg}`);
      };
      const check = () => {
        for (const n of h.quorum.nodes.values()) {
          if (n.state !== 'leader' || !n.running) continue;
          const known = leaderOfEpoch.get(n.epoch);
          if (known !== undefined && known !== n.id) fail(`two leaders in epoch ${n.epoch}: ${known} and ${n.id}`);
          leaderOfEpoch.set(n.epoch, n.id);
        }
        // Every voter's committed prefix agrees with every other's.
        const nodes = [...h.quorum.nodes.values()];
        for (const a of nodes) {
          for (const b of nodes) {
            const upTo = Math.min(a.highWatermark, b.highWatermark);
            for (let o = 0; o < upTo; o++) {
              const x = a.log[o];
              const y = b.log[o];
              if (!x || !y || x.epoch !== y.epoch || x.type !== y.type) fail(`voters ${a.id} and ${b.id} disagree at committed offset ${o}`);
            }
          }
          if (a.highWatermark > a.logEndOffset) fail(`voter ${a.id}: HW ${a.highWatermark} past its log end ${a.logEndOffset}`);
        }
        if (h.quorum.committedOffset < maxCommitted) fail(`committed offset went back from ${maxCommitted} to ${h.quorum.committedOffset}`);
        maxCommitted = h.quorum.committedOffset;
      };
      for (let step = 0; step < 60; step++) {
        const id = ids[r.int(ids.length)]!;
        const n = h.node(id);
        switch (r.int(6)) {
          case 0:
            if (n.running) h.kill(id);
            break;
          case 1:
            if (!n.running) h.restart(id);
            break;
          case 2:
            h.isolate(id);
            break;
          case 3:
            h.heal(id);
            break;
          default:
            if (h.quorum.activeId >= 0) h.write(1 + r.int(3));
        }
        const until = h.scheduler.now + 50 + r.int(3000);
        while (h.scheduler.peekTime() <= until) {
          h.scheduler.step(until);
          check();
        }
        h.scheduler.advanceTo(until);
      }
      // Heal everything: the quorum elects a leader and every voter catches up.
      for (const id of ids) {
        h.heal(id);
        if (!h.node(id).running) h.restart(id);
      }
      h.run(30000);
      check();
      expect(h.leaders().length, `seed ${seed}`).toBeGreaterThanOrEqual(1);
      expect(h.quorum.activeId, `seed ${seed}`).toBeGreaterThanOrEqual(0);
      const active = h.node(h.quorum.activeId);
      for (const n of h.quorum.nodes.values()) expect(n.highWatermark, `seed ${seed} voter ${n.id}`).toBe(active.highWatermark);
    }
  }, 120_000);
});
