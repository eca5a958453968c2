/**
 * What the UI and the worker say to each other about storage: plain, structured-clone-safe
 * data carried by the worker protocol (`{type: 'storage', ...}` both ways).
 */
import type { Scenario } from '../scenario/types';
import type { RestoreReport } from './image';

export type { RestoreReport };

/** The Web Lock that makes one tab the owner (writer) of the database. */
export const OWNER_LOCK = 'kafka-playground-db';

export type StorageCommand =
  /**
   * Page open: restore the saved playground if this tab can own it, else run `fallback`.
   * `fresh` (a share link): run `fallback` as a new run that replaces what was saved.
   */
  | { op: 'open'; fallback: Scenario; play?: boolean; fresh?: boolean }
  /** Take the database from the tab that has it (Web Locks steal) and continue its playground here. */
  | { op: 'takeOver' }
  /** Reset playground: delete everything saved, then run `scenario` afresh (and save it). */
  | { op: 'reset'; scenario: Scenario }
  /** Try saving again now (after freeing space). */
  | { op: 'retry' }
  /** Save now if anything changed (the page is being hidden or unloaded: best effort). */
  | { op: 'flush' }
  /** The answer to 'confirm-replace': open the link (replacing what was saved), or keep the saved playground. */
  | { op: 'replace'; accept: boolean };

export type StorageState =
  /** Looking for the lock, opening and reading the database. */
  | { state: 'opening' }
  /** Saving: the last committed flush. */
  | { state: 'saving'; flushSeq: number; timeMs: number; savedAtWallMs: number; logBytes: number }
  /** A share link was opened while a playground is saved here: ask before replacing it. */
  | { state: 'confirm-replace'; saved: { timeMs: number; savedAtWallMs: number; records: number; name: string | null } }
  /** Another tab owns the database; this tab runs nothing, or a share link in memory (`runningHere`). */
  | { state: 'other-tab'; runningHere: boolean }
  /** This tab owned the database and another one took it over: nothing is saved from here any more. */
  | { state: 'lost'; message: string }
  | { state: 'quota'; message: string }
  /** The saved data cannot be read by this version: offer a reset (the run goes on in memory). */
  | { state: 'unreadable'; message: string }
  /** No storage at all here (IndexedDB disabled): the run is in memory only. */
  | { state: 'unavailable'; message: string }
  | { state: 'error'; message: string };

export interface StorageEvent {
  status: StorageState;
  /** Sent once, right after a saved playground was restored. */
  restored?: RestoreReport;
  /**
   * The share link of an 'open' could not be run here (building its cluster threw): why.
   * Nothing saved was touched; the UI opens the playground again without the link.
   */
  linkRefused?: string;
}
