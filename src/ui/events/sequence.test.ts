import { describe, expect, it } from 'vitest';
import { mermaidText, toMermaidSequence } from './sequence';

describe('events as a Mermaid sequence diagram', () => {
  it('draws the controller fencing a broker and electing a leader, members joining, notes for the rest', () => {
    const text = toMermaidSequence([
      { at: 6, type: 'MemberJoined', groupId: 'billing', memberId: 'billing-1-1', clientId: 'billing-1' },
      { at: 6, type: 'GroupStateChanged', groupId: 'billing', state: 'PreparingRebalance', generation: 0 },
      { at: 2000, type: 'BrokerDown', broker: 2 },
      { at: 11000, type: 'BrokerFenced', broker: 2 },
      { at: 11000, type: 'LeaderElected', topic: 'orders', partition: 0, leader: 3, leaderEpoch: 1, isr: [3, 1], reason: 'failover' },
    ]);
    expect(text.split('\n')).toEqual([
      'sequenceDiagram',
      '  participant p1 as Controller',
      '  participant p2 as Consumer billing-1',
      '  participant p3 as Group billing',
      '  participant p4 as Broker 2',
      '  participant p5 as Broker 3',
      '  p2->>p3: 0.006 s · JoinGroup (billing-1-1)',
      '  Note over p4: 2.000 s · Broker 2 is down (the controller fences it after broker.session.timeout.ms without a heartbeat)',
      '  p1-xp4: 11.000 s · fenced∶ no heartbeat within broker.session.timeout.ms',
      '  p1->>p5: 11.000 s · lead orders-0, epoch 1, ISR [3,1] (failover)',
    ]);
  });

  it('keeps only the last events asked for', () => {
    const many = Array.from({ length: 50 }, (_, i) => ({ at: i, type: 'BrokerUp' as const, broker: 1 }));
    const lines = toMermaidSequence(many, 10).split('\n');
    expect(lines.filter((l) => l.includes('Note over'))).toHaveLength(10);
    expect(lines.at(-1)).toContain('0.049 s');
  });

  it('never lets a name write Mermaid syntax', () => {
    expect(mermaidText('a;b#c:d\nparticipant x')).toBe('a,b c∶d participant x');
    const text = toMermaidSequence([{ at: 1, type: 'MemberJoined', groupId: 'g;Note over p1: x', memberId: 'm', clientId: 'c\nx' }]);
    expect(text.split('\n')).toHaveLength(5); // header, three participants, one message
    expect(text).not.toMatch(/;|#/);
  });

  it('is empty but valid with no events', () => {
    expect(toMermaidSequence([])).toBe('sequenceDiagram');
  });
});
