/**
 * What *New* starts from (issue 12): an empty canvas and clusters of brokers with no topics
 * and no clients, to build on by dragging from the palette and drawing edges. Each is an
 * ordinary scenario document, loaded through restoreScenario like a link or a file.
 */
import type { Scenario } from '../../scenario/types';

export interface Template {
  id: string;
  title: string;
  /** One line: what it is for. */
  purpose: string;
  scenario: Scenario;
}

const doc = (name: string, brokers: { id: number; rack?: string | null }[], config?: Scenario['cluster']['config']): Scenario => ({
  version: 1,
  name,
  seed: 1,
  cluster: config ? { brokers, config } : { brokers },
  topics: [],
  clients: [],
  timeline: [],
});

export const TEMPLATES: readonly Template[] = [
  {
    id: 'empty',
    title: 'Empty canvas',
    purpose: 'Nothing at all: drag brokers, then a topic, a producer and a consumer from the palette.',
    scenario: doc('Empty canvas', []),
  },
  {
    id: 'one-broker',
    title: 'One broker',
    purpose: 'The smallest cluster, as a laptop runs it: every topic has replication factor 1, nothing survives the broker.',
    scenario: doc('One broker', [{ id: 1 }]),
  },
  {
    id: 'three-racks',
    title: 'Three brokers in three racks',
    purpose: 'The usual production minimum: replication factor 3 with min.insync.replicas=2 survives losing any one broker or rack.',
    scenario: doc(
      'Three brokers in three racks',
      [
        { id: 1, rack: 'rack-a' },
        { id: 2, rack: 'rack-b' },
        { id: 3, rack: 'rack-c' },
      ],
      { 'default.replication.factor': 3, 'min.insync.replicas': 2 },
    ),
  },
  {
    id: 'two-dcs',
    title: 'Six brokers in two data centres',
    purpose: 'A cluster stretched over two data centres: broker.rack names the data centre (dc1, dc2), so rack-aware placement puts replicas of every partition in both.',
    scenario: doc(
      'Six brokers in two data centres',
      [
        { id: 1, rack: 'dc1' },
        { id: 2, rack: 'dc1' },
        { id: 3, rack: 'dc1' },
        { id: 4, rack: 'dc2' },
        { id: 5, rack: 'dc2' },
        { id: 6, rack: 'dc2' },
      ],
      { 'default.replication.factor': 3, 'min.insync.replicas': 2 },
    ),
  },
];

export function templateById(id: string): Template | undefined {
  return TEMPLATES.find((t) => t.id === id);
}
