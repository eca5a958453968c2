/**
 * Built-in lessons: small scenario documents, each showing one thing Kafka really does,
 * with a markdown `description` for the lesson panel. They are plain JSON files so they
 * are exactly what a share link or an exported file carries, and the headless runner can
 * run them as they are (`npm run scenario -- src/scenario/lessons/<id>.json`).
 *
 * A lesson is loaded through restoreScenario like any link or file: the JSON imports are
 * typed loosely (`acks: 1` widens to number), so nothing here trusts them as `Scenario`.
 * A test checks that every lesson restores.
 */
import { unknownLesson } from '../messages';
import { restoreScenario, type RestoreResult } from '../restore';
import acks0 from './acks-0-fire-and-forget.json';
import acks1 from './acks-1-loses-acknowledged-writes.json';
import dups from './at-least-once-duplicates.json';
import exactlyOnce from './exactly-once-transactions.json';
import compaction from './compaction-latest-per-key.json';
import groups from './consumer-group-scaling.json';
import lag from './consumer-lag.json';
import keys from './keys-order-per-partition.json';
import kip848 from './kip848-consumer-protocol.json';
import kraft from './kraft-controller-quorum.json';
import election from './leader-election-failover.json';
import minIsr from './min-insync-replicas.json';
import storm from './rebalance-storm.json';
import replay from './replay-reset-offsets.json';
import replication from './replication-leader-followers.json';
import retention from './retention-time-and-size.json';
import staticMember from './static-member-rejoins.json';
import unclean from './unclean-leader-election.json';

export interface Lesson {
  /** Stable id (the file name): lesson links and saved progress refer to it. */
  id: string;
  title: string;
  /** The raw document; load it with `loadLesson` (or restoreScenario). */
  document: unknown;
}

function lesson(id: string, document: { name: string }): Lesson {
  return { id, title: document.name, document };
}

/** In the order of a Kafka introduction: the menu lists them so. */
export const LESSONS: readonly Lesson[] = [
  lesson('keys-order-per-partition', keys),
  lesson('replication-leader-followers', replication),
  lesson('acks-0-fire-and-forget', acks0),
  lesson('acks-1-loses-acknowledged-writes', acks1),
  lesson('min-insync-replicas', minIsr),
  lesson('leader-election-failover', election),
  lesson('unclean-leader-election', unclean),
  lesson('kraft-controller-quorum', kraft),
  lesson('consumer-group-scaling', groups),
  lesson('consumer-lag', lag),
  lesson('rebalance-storm', storm),
  lesson('static-member-rejoins', staticMember),
  lesson('kip848-consumer-protocol', kip848),
  lesson('at-least-once-duplicates', dups),
  lesson('exactly-once-transactions', exactlyOnce),
  lesson('replay-reset-offsets', replay),
  lesson('retention-time-and-size', retention),
  lesson('compaction-latest-per-key', compaction),
];

/** The lesson's scenario, restored; an unknown id is reported like any load failure. */
export function loadLesson(id: string): RestoreResult {
  const found = LESSONS.find((l) => l.id === id);
  if (!found) return { ok: false, error: { path: '', message: unknownLesson(id) } };
  return restoreScenario(found.document);
}
