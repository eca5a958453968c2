/**
 * The cluster's topology as a Mermaid flowchart: brokers (in their racks), topics with the
 * brokers leading their partitions, producers and what they send to, consumer groups with
 * their members and what each is assigned. Pure text out (tested under Node), so it can be
 * copied into docs or slides and is rendered by the same lazily loaded Mermaid as the
 * sequence diagram.
 *
 * Names are free text from the scenario (client ids, group ids): nodes get generated ids
 * and every label goes through mermaidText and has its quotes replaced, so no name can
 * inject Mermaid syntax. Long lists are cut with "…" so a 1,000-partition cluster still
 * gives a chart a person can read (one edge per topic and leading broker, not per partition).
 */
import type { ClusterSnapshot, TopicPartition } from '../../kafka/snapshot';
import { mermaidText } from '../events/sequence';

/** At most this many items in a label's list before "… and n more". */
const LIST_MAX = 8;

function label(s: string): string {
  return mermaidText(s).replace(/"/g, '′').replace(/[[\]{}()|]/g, (c) => ({ '[': '⟦', ']': '⟧', '{': '❴', '}': '❵', '(': '❨', ')': '❩', '|': '¦' })[c]!);
}

function list(items: readonly (string | number)[]): string {
  if (items.length <= LIST_MAX) return items.join(', ');
  return `${items.slice(0, LIST_MAX).join(', ')} … and ${items.length - LIST_MAX} more`;
}

function partitionsByTopic(tps: readonly TopicPartition[]): string {
  const by = new Map<string, number[]>();
  for (const tp of tps) by.set(tp.topic, [...(by.get(tp.topic) ?? []), tp.partition]);
  return [...by]
    .sort(([a], [b]) => (a < b ? -1 : a > b ? 1 : 0))
    .map(([t, ps]) => `${t} ${list(ps.sort((a, b) => a - b))}`)
    .join('; ');
}

export function toMermaidFlowchart(s: ClusterSnapshot): string {
  const lines: string[] = ['flowchart LR'];
  const ids = new Map<string, string>();
  const id = (key: string, prefix: string) => {
    let v = ids.get(key);
    if (v === undefined) {
      v = `${prefix}${ids.size}`;
      ids.set(key, v);
    }
    return v;
  };

  // Brokers, grouped by rack; the cluster box names the controller.
  const controller = s.controller >= 0 ? `controller: broker ${s.controller}` : 'no controller';
  lines.push(`  subgraph cluster["Kafka cluster · ${label(controller)}"]`);
  lines.push('    direction TB');
  const racks = new Map<string, number[]>();
  for (const b of s.brokers) racks.set(b.rack ?? '', [...(racks.get(b.rack ?? '') ?? []), b.id]);
  for (const [rack, brokers] of [...racks].sort(([a], [b]) => (a < b ? -1 : a > b ? 1 : 0))) {
    const indent = rack === '' ? '    ' : '      ';
    if (rack !== '') lines.push(`    subgraph ${id(`rack:${rack}`, 'r')}["rack ${label(rack)}"]`);
    for (const bid of brokers.sort((a, b) => a - b)) {
      const b = s.brokers.find((x) => x.id === bid)!;
      const state = b.status === 'up' ? (b.fenced ? 'fenced' : 'up') : b.status;
      const leads = s.partitions.filter((p) => p.leader === bid).length;
      lines.push(`${indent}${id(`broker:${bid}`, 'b')}["Broker ${bid}${bid === s.controller ? ' ★' : ''}<br/>${state} · leads ${leads}"]`);
    }
    if (rack !== '') lines.push('    end');
  }
  lines.push('  end');

  // Topics, and which brokers lead their partitions.
  for (const t of [...s.topics].sort((a, b) => (a.name < b.name ? -1 : a.name > b.name ? 1 : 0))) {
    const parts = s.partitions.filter((p) => p.topic === t.name);
    // Offline: no leader, or one whose broker is down (no controller may be left to say so).
    const reachable = (b: number) => s.brokers.some((x) => x.id === b && x.status === 'up');
    const offline = parts.filter((p) => p.leader < 0 || !reachable(p.leader)).length;
    const under = parts.filter((p) => p.leader >= 0 && reachable(p.leader) && p.isr.length < p.replicas.length).length;
    const health = [offline > 0 ? `${offline} offline` : '', under > 0 ? `${under} under-replicated` : ''].filter(Boolean).join(', ');
    const tid = id(`topic:${t.name}`, 't');
    lines.push(`  ${tid}[("${label(t.name)}<br/>${t.partitions} partition${t.partitions === 1 ? '' : 's'} · RF ${t.replicationFactor}${health ? `<br/>${health}` : ''}")]`);
    const byLeader = new Map<number, number[]>();
    for (const p of parts) if (p.leader >= 0 && reachable(p.leader)) byLeader.set(p.leader, [...(byLeader.get(p.leader) ?? []), p.partition]);
    for (const [leader, ps] of [...byLeader].sort(([a], [b]) => a - b)) {
      if (!ids.has(`broker:${leader}`)) continue;
      lines.push(`  ${tid} -. "leader of ${label(list(ps.sort((a, b) => a - b)))}" .- ${id(`broker:${leader}`, 'b')}`);
    }
  }

  // Producers and what they send to (load generators and partitions they reached).
  for (const p of [...s.producers].sort((a, b) => (a.id < b.id ? -1 : a.id > b.id ? 1 : 0))) {
    const pid = id(`producer:${p.id}`, 'p');
    lines.push(`  ${pid}(["Producer ${label(p.id)}<br/>acks=${p.acks}${p.idempotent ? ' · idempotent' : ''}"])`);
    const topics = new Map<string, string>();
    for (const l of p.loads) topics.set(l.topic, `${l.ratePerSec}/s`);
    for (const tp of p.targets) if (!topics.has(tp.topic)) topics.set(tp.topic, 'produces');
    for (const [topic, how] of [...topics].sort(([a], [b]) => (a < b ? -1 : a > b ? 1 : 0))) {
      if (!ids.has(`topic:${topic}`)) continue;
      lines.push(`  ${pid} -- "${label(how)}" --> ${id(`topic:${topic}`, 't')}`);
    }
  }

  // Consumer groups: the group reads its topics; each member is assigned partitions.
  for (const g of [...s.groups].sort((a, b) => (a.groupId < b.groupId ? -1 : a.groupId > b.groupId ? 1 : 0))) {
    const gid = id(`group:${g.groupId}`, 'g');
    lines.push(`  ${gid}{{"Group ${label(g.groupId)}<br/>${g.state} · ${g.type === 'consumer' ? `consumer protocol · epoch ${g.groupEpoch ?? g.generation}` : `generation ${g.generation}`}${g.assignor ? ` · ${label(g.assignor)}` : ''}"}}`);
    const topics = new Set<string>();
    for (const o of g.offsets) topics.add(o.topic);
    for (const m of g.members) for (const tp of m.assignment) topics.add(tp.topic);
    for (const c of s.consumers) if (c.groupId === g.groupId) for (const tp of c.assignment) topics.add(tp.topic);
    for (const topic of [...topics].sort()) {
      if (ids.has(`topic:${topic}`)) lines.push(`  ${id(`topic:${topic}`, 't')} -- "read by" --> ${gid}`);
    }
    if (g.coordinator >= 0 && ids.has(`broker:${g.coordinator}`)) lines.push(`  ${gid} -. "coordinator" .- ${id(`broker:${g.coordinator}`, 'b')}`);
  }
  for (const c of [...s.consumers].sort((a, b) => (a.id < b.id ? -1 : a.id > b.id ? 1 : 0))) {
    const cid = id(`consumer:${c.id}`, 'c');
    lines.push(`  ${cid}(["Consumer ${label(c.id)}<br/>${c.status}${c.groupInstanceId ? ' · static' : ''}"])`);
    const gid = ids.get(`group:${c.groupId}`);
    const assigned = c.assignment.length > 0 ? label(partitionsByTopic(c.assignment)) : 'idle: no partitions';
    if (gid) lines.push(`  ${gid} -- "${assigned}" --> ${cid}`);
  }
  return lines.join('\n') + '\n';
}
