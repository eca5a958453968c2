/**
 * Cluster events in plain words, with the thing each one names (clicking an event in the
 * log selects it). Exhaustive over ClusterEvent: a new event type fails to compile here
 * until it has a phrasing.
 */
import type { ClusterEvent } from '../../kafka/snapshot';
import type { Selection } from '../../state/selection';

export type Tone = 'info' | 'good' | 'warn' | 'bad';

export interface Phrase {
  text: string;
  target: Selection | null;
  tone: Tone;
}

const tp = (topic: string, partition: number) => `${topic}-${partition}`;
const list = (ids: number[]) => `[${ids.join(',')}]`;
const partitionSel = (topic: string, partition: number): Selection => ({ kind: 'partition', topic, partition });

export function phrase(e: ClusterEvent): Phrase {
  switch (e.type) {
    case 'BrokerDown':
      return {
        text: `Broker ${e.broker} is down (the controller fences it after broker.session.timeout.ms without a heartbeat)`,
        target: { kind: 'broker', id: e.broker },
        tone: 'bad',
      };
    case 'PowerCut':
      return { text: `Power cut: every machine goes down and restarts from its disk (brokers ${list(e.brokers)})`, target: null, tone: 'bad' };
    case 'BrokerUp':
      return { text: `Broker ${e.broker} is up`, target: { kind: 'broker', id: e.broker }, tone: 'good' };
    case 'BrokerIsolated':
      return { text: `Broker ${e.broker} is cut off from the network`, target: { kind: 'broker', id: e.broker }, tone: 'bad' };
    case 'BrokerHealed':
      return { text: `Broker ${e.broker}'s network is back`, target: { kind: 'broker', id: e.broker }, tone: 'good' };
    case 'BrokerSlowed':
      return {
        text: e.delayMs > 0 ? `Broker ${e.broker} slowed by ${e.delayMs} ms` : `Broker ${e.broker} is at normal speed again`,
        target: { kind: 'broker', id: e.broker },
        tone: e.delayMs > 0 ? 'warn' : 'good',
      };
    case 'BrokerFenced':
      return {
        text: `Controller fenced broker ${e.broker} (no heartbeat)`,
        target: { kind: 'broker', id: e.broker },
        tone: 'bad',
      };
    case 'BrokerUnfenced':
      return { text: `Controller unfenced broker ${e.broker}`, target: { kind: 'broker', id: e.broker }, tone: 'good' };
    case 'BrokerAdded':
      return {
        text: `Broker ${e.broker} joined${e.rack ? ` (rack ${e.rack})` : ''}`,
        target: { kind: 'broker', id: e.broker },
        tone: 'good',
      };
    case 'BrokerUnregistered':
      return {
        text:
          `Broker ${e.broker} removed: stopped and unregistered from the controller` +
          (e.replicas > 0 ? `; ${e.replicas} partition${e.replicas === 1 ? '' : 's'} still list it as a replica (offline or under-replicated until reassigned)` : ''),
        target: null,
        tone: e.replicas > 0 ? 'warn' : 'info',
      };
    case 'Subscribed':
      return {
        text: e.topics.length > 0 ? `Consumer ${e.consumer} subscribes to ${e.topics.join(', ')}: group ${e.groupId} rebalances` : `Consumer ${e.consumer} subscribes to nothing: it keeps no partition of group ${e.groupId}`,
        target: { kind: 'consumer', id: e.consumer },
        tone: 'info',
      };
    case 'ControllerElected':
      return { text: `Controller ${e.broker} is the active controller`, target: null, tone: 'info' };
    case 'ControllerLost':
      return { text: `No active controller (controller ${e.broker} lost its quorum leadership): nothing is decided until a voter is elected`, target: null, tone: 'bad' };
    case 'ControllerDown':
      return { text: `Controller ${e.controller} (quorum voter) is down`, target: null, tone: 'bad' };
    case 'ControllerUp':
      return { text: `Controller ${e.controller} (quorum voter) is up and rejoins the quorum`, target: null, tone: 'good' };
    case 'ControllerIsolated':
      return { text: `Controller ${e.controller} is cut off from the network`, target: null, tone: 'bad' };
    case 'ControllerHealed':
      return { text: `Controller ${e.controller}'s network is back`, target: null, tone: 'good' };
    case 'QuorumLeaderElected':
      return {
        text: `Controller ${e.leader} elected quorum leader in epoch ${e.epoch} by a majority of voters ${e.voters.join(', ')}`,
        target: null,
        tone: 'info',
      };
    case 'QuorumLeaderResigned':
      return { text: `Controller ${e.leader} stops leading epoch ${e.epoch}: ${e.reason}`, target: null, tone: 'warn' };
    case 'TopicCreated':
      return {
        text:
          `Topic ${e.topic} created: ${e.partitions} partition${e.partitions === 1 ? '' : 's'}, RF ${e.replicationFactor}` +
          (e.autoCreatedBy ? ` (auto-created for ${e.autoCreatedBy}'s metadata request: auto.create.topics.enable, num.partitions, default.replication.factor)` : ''),
        target: { kind: 'topic', name: e.topic },
        tone: 'good',
      };
    case 'TopicDeleted':
      return { text: `Topic ${e.topic} deleted`, target: null, tone: 'warn' };
    case 'ConfigAltered': {
      const cfg = Object.entries(e.config)
        .map(([k, v]) => `${k}=${String(v)}`)
        .join(', ');
      const target: Selection | null =
        e.entity === 'broker'
          ? Number.isInteger(Number(e.name)) && e.name !== ''
            ? { kind: 'broker', id: Number(e.name) }
            : null
          : e.entity === 'topic'
            ? { kind: 'topic', name: e.name }
            : null;
      return { text: `Config of ${e.entity} ${e.name}: ${cfg}`, target, tone: 'info' };
    }
    case 'ConfigIgnored': {
      const target: Selection | null =
        e.entity === 'producer' || e.entity === 'consumer'
          ? { kind: e.entity, id: e.name }
          : e.entity === 'topic'
            ? { kind: 'topic', name: e.name }
            : Number.isInteger(Number(e.name))
              ? { kind: 'broker', id: Number(e.name) }
              : null;
      const who = e.entity === 'broker' && target === null ? 'The brokers' : `${e.entity[0]!.toUpperCase()}${e.entity.slice(1)} ${e.name}`;
      const why = e.notModelled ? `accepted, not modelled in the playground (${e.notModelled})` : e.belongsTo ? `it is a ${e.belongsTo} config` : `not a known ${e.entity} config`;
      return { text: `${who} ignore${target === null ? '' : 's'} ${e.key}: ${why}`, target, tone: 'warn' };
    }
    case 'LeaderElected': {
      const why =
        e.reason === 'unclean'
          ? ' (unclean: an out-of-sync replica)'
          : e.reason === 'preferred'
            ? ' (preferred leader)'
            : e.reason === 'failover'
              ? ' (failover)'
              : e.reason === 'reassignment'
                ? ' (reassignment: the old leader was removed)'
                : '';
      return {
        text: `${tp(e.topic, e.partition)}: leader is now broker ${e.leader} (epoch ${e.leaderEpoch}); ISR ${list(e.isr)}${why}`,
        target: partitionSel(e.topic, e.partition),
        tone: e.reason === 'unclean' ? 'bad' : e.reason === 'initial' ? 'info' : 'warn',
      };
    }
    case 'PartitionOffline':
      return {
        text: `${tp(e.topic, e.partition)} is offline: no eligible leader (epoch ${e.leaderEpoch})`,
        target: partitionSel(e.topic, e.partition),
        tone: 'bad',
      };
    case 'PartitionsCreated':
      return {
        text: `${e.topic} now has ${e.to} partitions (was ${e.from}): keyed records hash over ${e.to}, so many keys move to another partition`,
        target: { kind: 'topic', name: e.topic },
        tone: 'info',
      };
    case 'PartitionReassignmentStarted':
      return {
        text: `${tp(e.topic, e.partition)}: reassignment to ${list(e.replicas)} started (adding ${list(e.addingReplicas)}, removing ${list(e.removingReplicas)})`,
        target: partitionSel(e.topic, e.partition),
        tone: 'info',
      };
    case 'PartitionReassignmentCompleted':
      return {
        text: `${tp(e.topic, e.partition)}: reassignment completed; replicas ${list(e.replicas)}${e.removedReplicas.length > 0 ? `, removed ${list(e.removedReplicas)}` : ''}`,
        target: partitionSel(e.topic, e.partition),
        tone: 'good',
      };
    case 'PartitionReassignmentCancelled':
      return {
        text: `${tp(e.topic, e.partition)}: reassignment cancelled; replicas back to ${list(e.replicas)}`,
        target: partitionSel(e.topic, e.partition),
        tone: 'warn',
      };
    case 'ReplicaDeleted':
      return {
        text: `Broker ${e.broker} deleted its replica of ${tp(e.topic, e.partition)} (no longer assigned to it)`,
        target: partitionSel(e.topic, e.partition),
        tone: 'info',
      };
    case 'IsrShrink':
      return {
        text: `${tp(e.topic, e.partition)}: broker ${e.broker} left the ISR; ISR ${list(e.isr)}`,
        target: partitionSel(e.topic, e.partition),
        tone: 'warn',
      };
    case 'IsrExpand':
      return {
        text: `${tp(e.topic, e.partition)}: broker ${e.broker} caught up and rejoined the ISR; ISR ${list(e.isr)}`,
        target: partitionSel(e.topic, e.partition),
        tone: 'good',
      };
    case 'LogTruncated':
      return {
        text: `${tp(e.topic, e.partition)} on broker ${e.broker}: log truncated from offset ${e.fromOffset} to ${e.toOffset}`,
        target: { kind: 'partition', topic: e.topic, partition: e.partition, broker: e.broker },
        tone: 'warn',
      };
    case 'RecordsLost':
      return {
        text: `${tp(e.topic, e.partition)}: records ${e.fromOffset}–${e.toOffset - 1} lost (unclean leader election)`,
        target: partitionSel(e.topic, e.partition),
        tone: 'bad',
      };
    case 'SegmentsDeleted':
      return {
        text: `${tp(e.topic, e.partition)} on broker ${e.broker}: old segments deleted by ${e.reason}; log starts at ${e.logStartOffset}`,
        target: { kind: 'partition', topic: e.topic, partition: e.partition, broker: e.broker },
        tone: 'info',
      };
    case 'LogCompacted':
      return {
        text: `${tp(e.topic, e.partition)} on broker ${e.broker}: compaction removed ${e.removedRecords} record${e.removedRecords === 1 ? '' : 's'}`,
        target: { kind: 'partition', topic: e.topic, partition: e.partition, broker: e.broker },
        tone: 'info',
      };
    case 'GroupStateChanged':
      return {
        text: `Group ${e.groupId} is ${e.state} (${e.protocol === 'consumer' ? 'group epoch' : 'generation'} ${e.generation})`,
        target: { kind: 'group', id: e.groupId },
        tone: e.state === 'Stable' ? 'good' : 'info',
      };
    case 'RebalanceStarted':
      return {
        text: `Group ${e.groupId} started rebalancing: ${e.reason}`,
        target: { kind: 'group', id: e.groupId },
        tone: 'warn',
      };
    case 'RebalanceCompleted':
      return {
        text: `Group ${e.groupId} rebalanced to generation ${e.generation} (${e.members} member${e.members === 1 ? '' : 's'})`,
        target: { kind: 'group', id: e.groupId },
        tone: 'good',
      };
    case 'GroupEpochBumped':
      return { text: `Group ${e.groupId} epoch bumped to ${e.groupEpoch}: ${e.reason}`, target: { kind: 'group', id: e.groupId }, tone: 'info' };
    case 'TargetAssignmentComputed':
      return {
        text: `Group ${e.groupId}: the ${e.assignor} assignor computed the target assignment for epoch ${e.groupEpoch} (${e.members} member${e.members === 1 ? '' : 's'})`,
        target: { kind: 'group', id: e.groupId },
        tone: 'info',
      };
    case 'MemberAssignmentUpdated': {
      const list = (tps: { topic: string; partition: number }[]) => (tps.length === 0 ? 'nothing' : tps.map((x) => `${x.topic}-${x.partition}`).join(', '));
      const revoking = e.pendingRevocation.length > 0 ? `, revoking ${list(e.pendingRevocation)}` : '';
      return {
        text: `Group ${e.groupId}: member ${e.memberId} at epoch ${e.memberEpoch} (${e.state}) owns ${list(e.assigned)}${revoking}`,
        target: { kind: 'group', id: e.groupId },
        tone: e.state === 'STABLE' ? 'good' : 'info',
      };
    }
    case 'MemberJoined':
      return { text: `${e.clientId} joined group ${e.groupId}`, target: { kind: 'consumer', id: e.clientId }, tone: 'info' };
    case 'MemberLeft': {
      const text =
        e.reason === 'LeaveGroup'
          ? `${e.clientId} left group ${e.groupId}`
          : `${e.clientId} was removed from group ${e.groupId} (${e.reason === 'session.timeout.ms' ? 'session.timeout.ms expired' : 'max.poll.interval.ms exceeded'})`;
      return { text, target: { kind: 'group', id: e.groupId }, tone: e.reason === 'LeaveGroup' ? 'info' : 'warn' };
    }
    case 'ProduceFailed':
      return {
        text: `Producer ${e.producer}: ${e.records} record${e.records === 1 ? '' : 's'} to ${tp(e.topic, e.partition)} failed with ${e.error}`,
        target: { kind: 'producer', id: e.producer },
        tone: 'bad',
      };
    case 'ActionRejected':
      return { text: `${e.op} refused: ${e.error}${e.message ? ` (${e.message})` : ''}`, target: null, tone: 'bad' };
    case 'OffsetsReset':
      return {
        text: `Group ${e.groupId}: offset of ${tp(e.topic, e.partition)} reset to ${e.offset}`,
        target: { kind: 'group', id: e.groupId },
        tone: 'info',
      };
    case 'CoordinatorMoved':
      return {
        text:
          e.to < 0
            ? `Group ${e.groupId} has no coordinator: no live replica of its __consumer_offsets partition (was broker ${e.from})`
            : e.from < 0
              ? `Group ${e.groupId}'s coordinator is broker ${e.to}`
              : `Group ${e.groupId}'s coordinator moved from broker ${e.from} to broker ${e.to} (its __consumer_offsets partition has a new leader)`,
        target: { kind: 'group', id: e.groupId },
        tone: e.to < 0 ? 'bad' : 'warn',
      };
    case 'ClientAdded':
      return {
        text:
          e.kind === 'producer'
            ? `Producer ${e.id} added`
            : `Consumer ${e.id} ${e.restarted ? 'restarted with its config' : 'added'}${e.groupId ? ` (group ${e.groupId})` : ''}`,
        target: { kind: e.kind, id: e.id },
        tone: 'good',
      };
    case 'ClientRemoved': {
      if (e.kind === 'producer') return { text: `Producer ${e.id} closed`, target: null, tone: 'info' };
      const text = !e.crashed
        ? `Consumer ${e.id} closed${e.groupInstanceId ? ` (static member ${e.groupInstanceId}: no LeaveGroup, it keeps its partitions until session.timeout.ms)` : ' and sent LeaveGroup'}`
        : e.groupInstanceId
          ? `Consumer ${e.id} crashed; static member ${e.groupInstanceId} keeps its partitions, unread, until session.timeout.ms or its return`
          : `Consumer ${e.id} crashed (no LeaveGroup: the group notices after session.timeout.ms)`;
      return { text, target: { kind: 'consumer', id: e.id }, tone: e.crashed ? 'bad' : 'info' };
    }
    case 'StaticMemberRejoined':
      return {
        text: e.rebalance
          ? `Static member ${e.groupInstanceId} rejoined group ${e.groupId} as ${e.memberId}: the group rebalances`
          : `Static member ${e.groupInstanceId} returned to group ${e.groupId} as ${e.memberId} and kept its partitions: no rebalance (KIP-345)`,
        target: { kind: 'group', id: e.groupId },
        tone: 'good',
      };
    case 'RecordProduced': {
      const key = e.key === null ? 'a record with no key' : `record with key "${e.key}"`;
      if (e.error) {
        const where = e.partition < 0 ? e.topic : tp(e.topic, e.partition);
        return { text: `Producer ${e.producer}: ${key} to ${where} failed with ${e.error}`, target: { kind: 'producer', id: e.producer }, tone: 'bad' };
      }
      return {
        text:
          e.offset === null
            ? `Producer ${e.producer}: ${key} sent to ${tp(e.topic, e.partition)} (acks=0: no acknowledgement, no offset)`
            : `Producer ${e.producer}: ${key} acknowledged (acks=${e.acks}) at ${tp(e.topic, e.partition)} offset ${e.offset}`,
        target: partitionSel(e.topic, e.partition),
        tone: 'good',
      };
    }
    case 'TransactionInitialized':
      return {
        text: `Producer ${e.producer}: transactional.id ${e.transactionalId} has producer id ${e.producerId}, epoch ${e.producerEpoch} (coordinator broker ${e.coordinator})`,
        target: { kind: 'producer', id: e.producer },
        tone: 'info',
      };
    case 'TransactionBegun':
      return { text: `Producer ${e.producer} began a transaction (${e.transactionalId})`, target: { kind: 'producer', id: e.producer }, tone: 'info' };
    case 'TransactionPrepared': {
      const why = e.reason === 'client' ? '' : e.reason === 'fenced' ? ' (a new producer with the same transactional.id fenced it)' : ' (transaction.timeout.ms passed)';
      return {
        text: `Transaction ${e.transactionalId}: ${e.result === 'COMMIT' ? 'PrepareCommit' : 'PrepareAbort'}${why}; writing ${e.result} markers to ${e.partitions.length} partition${e.partitions.length === 1 ? '' : 's'}`,
        target: null,
        tone: e.result === 'COMMIT' ? 'info' : 'warn',
      };
    }
    case 'TransactionCommitted':
    case 'TransactionAborted':
      return {
        text: `Transaction ${e.transactionalId} ${e.type === 'TransactionCommitted' ? 'committed' : 'aborted'}: markers written to ${e.partitions.map((p) => tp(p.topic, p.partition)).join(', ') || 'no partition'}${e.groups.length > 0 ? `; offsets of ${e.groups.join(', ')} ${e.type === 'TransactionCommitted' ? 'committed' : 'dropped'}` : ''}`,
        target: e.partitions[0] ? partitionSel(e.partitions[0].topic, e.partitions[0].partition) : null,
        tone: e.type === 'TransactionCommitted' ? 'good' : 'warn',
      };
    case 'ProducerFenced':
      return { text: `transactional.id ${e.transactionalId}: epoch bumped to ${e.producerEpoch} by ${e.by}; the older producer is fenced (PRODUCER_FENCED)`, target: { kind: 'producer', id: e.by }, tone: 'warn' };
    case 'TransactionError':
      return { text: `Producer ${e.producer}: ${e.op} failed with ${e.error} (${e.message})`, target: { kind: 'producer', id: e.producer }, tone: 'bad' };
    default: {
      const never: never = e;
      return { text: JSON.stringify(never), target: null, tone: 'info' };
    }
  }
}

/** Virtual time as the clock shows it: 12.345 s, or 2:03.456 past a minute. */
export function formatTime(ms: number): string {
  const total = Math.max(0, Math.floor(ms));
  const minutes = Math.floor(total / 60_000);
  const seconds = ((total % 60_000) / 1000).toFixed(3);
  return minutes > 0 ? `${minutes}:${seconds.padStart(6, '0')}` : `${seconds} s`;
}
