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
import acks1 from './acks-1-loses-acknowledged-writes.json';
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

export const LESSONS: readonly Lesson[] = [
  lesson('acks-1-loses-acknowledged-writes', acks1),
  lesson('unclean-leader-election', unclean),
  lesson('static-member-rejoins', staticMember),
];

/** The lesson's scenario, restored; an unknown id is reported like any load failure. */
export function loadLesson(id: string): RestoreResult {
  const found = LESSONS.find((l) => l.id === id);
  if (!found) return { ok: false, error: { path: '', message: unknownLesson(id) } };
  return restoreScenario(found.document);
}
