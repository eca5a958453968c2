import { describe, expect, it } from 'vitest';
import { Cluster } from '../../kafka/cluster';
import { defaultScenario } from '../../scenario/default-scenario';
import type { Scenario } from '../../scenario/types';
import { toMermaidFlowchart } from './topology';

describe('the topology as a Mermaid flowchart', () => {
  it('draws the default cluster: brokers in racks, the topic and its leaders, the producer, the group and what each member owns', () => {
    const c = new Cluster(defaultScenario);
    c.runUntil(5000);
    const s = c.snapshot();
    const text = toMermaidFlowchart(s);
    expect(text.startsWith('flowchart LR\n')).toBe(true);
    expect(text).toContain(`Kafka cluster · controller∶ broker ${s.controller}`);
    for (const b of s.brokers) expect(text).toMatch(new RegExp(`\\["Broker ${b.id}( ★)?<br/>up · leads \\d+"\\]`));
    expect(text).toMatch(/subgraph r\d+\["rack a"\]/);
    expect(text).toContain('[("orders<br/>3 partitions · RF 3")]');
    // Every partition's leader is named once on a topic→broker edge.
    const leaderEdges = text.split('\n').filter((l) => l.includes('leader of'));
    const named = leaderEdges.flatMap((l) => /leader of ([\d, ]+)"/.exec(l)![1]!.split(', ').map(Number));
    expect(named.sort()).toEqual([0, 1, 2]);
    expect(text).toMatch(/Producer checkout<br\/>acks=all · idempotent/);
    expect(text).toMatch(/p\d+ -- "\d+\/s" --> t\d+/);
    expect(text).toMatch(/Group billing<br\/>Stable · generation \d+/);
    const billing = s.groups.find((g) => g.groupId === 'billing')!;
    for (const m of billing.members) {
      const c1 = s.consumers.find((x) => x.memberId === m.memberId)!;
      const parts = c1.assignment.map((tp) => tp.partition).sort((a, b) => a - b).join(', ');
      expect(text).toContain(`"orders ${parts}" --> `);
    }
  });

  it('shows an idle consumer, a dead broker and offline partitions', () => {
    const doc: Scenario = {
      version: 1,
      seed: 2,
      cluster: { brokers: [{ id: 1 }, { id: 2 }] },
      topics: [{ name: 't', partitions: 1, replicationFactor: 1 }],
      clients: [
        { kind: 'consumer', id: 'a', groupId: 'g', topics: ['t'], config: { 'group.initial.rebalance.delay.ms': 0 } },
        { kind: 'consumer', id: 'b', groupId: 'g', topics: ['t'], config: {} },
      ],
      timeline: [{ at: 8000, op: 'killBroker', broker: 1 }, { at: 8000, op: 'killBroker', broker: 2 }],
    };
    const c = new Cluster(doc);
    c.runUntil(7000);
    expect(toMermaidFlowchart(c.snapshot())).toContain('"idle: no partitions" --> ');
    c.runUntil(30_000);
    const text = toMermaidFlowchart(c.snapshot());
    expect(text).toMatch(/Broker 1( ★)?<br\/>down/);
    expect(text).toContain('1 offline');
  });

  it('no name can break out of its label (quotes, brackets, arrows, line breaks, Mermaid directives)', () => {
    const evil = 'x"]; click b0 call alert(1) %%{init}%% --> y\n[(z)]|';
    const doc: Scenario = {
      version: 1,
      seed: 1,
      cluster: { brokers: [{ id: 1, rack: 'r"];end' }] },
      topics: [{ name: 'safe', partitions: 1, replicationFactor: 1 }],
      clients: [{ kind: 'producer', id: evil, config: {} }, { kind: 'consumer', id: evil + '2', groupId: evil, topics: ['safe'], config: {} }],
      timeline: [{ at: 0, op: 'startLoad', producer: evil, topic: 'safe', ratePerSec: 5 }],
    };
    const c = new Cluster(doc);
    c.runUntil(3000);
    const text = toMermaidFlowchart(c.snapshot());
    for (const line of text.trim().split('\n').slice(1)) {
      // Each label is one double-quoted string with no quote inside, and nothing follows the shape's end.
      const labels = line.match(/"[^"]*"/g) ?? [];
      expect(line.replace(/"[^"]*"/g, '""')).not.toMatch(/[\n;%]|click|alert/);
      for (const l of labels) expect(l).not.toMatch(/[[\](){}|;\n]/);
    }
    expect(text).not.toContain('%%{');
  });

  it('stays readable at 12 brokers × 200 partitions: one leader edge per topic and broker, lists cut short', () => {
    const doc: Scenario = {
      version: 1,
      seed: 4,
      cluster: { brokers: Array.from({ length: 12 }, (_, i) => ({ id: i + 1 })) },
      topics: [{ name: 'big', partitions: 200, replicationFactor: 3 }],
      clients: [],
      timeline: [],
    };
    const c = new Cluster(doc);
    c.runUntil(1000);
    const text = toMermaidFlowchart(c.snapshot());
    const leaderEdges = text.split('\n').filter((l) => l.includes('leader of'));
    expect(leaderEdges.length).toBe(12);
    for (const l of leaderEdges) expect(l).toMatch(/… and \d+ more/);
    expect(text.split('\n').length).toBeLessThan(40);
  });
});
