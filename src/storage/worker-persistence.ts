/**
 * Persistence inside the cluster worker: which tab owns the database (Web Locks), opening
 * and restoring the saved playground, the flush loop for whatever cluster the host runs,
 * takeover, reset, and the status the UI shows.
 *
 * Ownership: the tab holding the `kafka-playground-db` Web Lock is the only writer. A tab
 * that finds it held says so and offers to take over; taking over steals the lock (the
 * other tab's request rejects, so it stops saving and says so) and claims a new owner
 * epoch in the database, which also refuses any write the old owner still had in flight.
 *
 * The host knows nothing of IndexedDB: it passes `storage` commands here and calls
 * `changed()` when the cluster moved; the worker entry tells us about every cluster it
 * creates (`clusterCreated`).
 */
import type { Cluster } from '../kafka/cluster';
import { restoreCluster } from '../kafka/durable';
import type { Scenario } from '../scenario/types';
import { FlushPlanner } from './flush-planner';
import { deleteIdbDatabase } from './idb-store';
import { imageToDurableState, imageToMoment } from './image';
import { Persister, type PersistStatus } from './persister';
import { OWNER_LOCK, type StorageCommand, type StorageEvent, type StorageState } from './status';
import { StorageUnreadableError, storedBytes, type ClusterStore } from './types';

/** What persistence needs from the worker host. */
export interface PersistenceHost {
  /** Runs a scenario from its start (the host's `load`). */
  loadScenario(scenario: Scenario, play: boolean): void;
  /** Runs an already built (restored) cluster. */
  installCluster(cluster: Cluster, doc: Scenario, play: boolean, exact?: boolean): void;
  /** Whether the run is playing (saved with the moment, so a reload resumes the same way). */
  isPlaying(): boolean;
  /** The scenario document with the diagram layout, as it should be saved. */
  scenarioDocument(): Scenario;
}

/** The part of the Web Locks API used here (navigator.locks). */
export interface LockManagerLike {
  request(name: string, options: { ifAvailable?: boolean; steal?: boolean }, callback: (lock: unknown) => unknown): Promise<unknown>;
}

export interface WorkerPersistenceDeps {
  post(ev: StorageEvent): void;
  openStore(): Promise<ClusterStore>;
  /** Deletes the database outright (reset of an unreadable one). */
  destroyStore?(): Promise<void>;
  locks: LockManagerLike | null;
  /** Wall clock (ms since the epoch). */
  wallNow(): number;
  setTimer(fn: () => void, ms: number): unknown;
  clearTimer(handle: unknown): void;
  minIntervalMs?: number;
  /** How long an open waits for the lock before saying another tab holds it (a reload's old worker lets go late). */
  lockGraceMs?: number;
}

export class WorkerPersistence {
  private store: ClusterStore | null = null;
  private persister: Persister | null = null;
  private planner: FlushPlanner | null = null;
  private cluster: Cluster | null = null;
  private owner = false;
  private releaseLock: (() => void) | null = null;
  private host: PersistenceHost | null = null;
  private status: StorageState = { state: 'opening' };
  /** Set while a restore installs its cluster, so clusterCreated does not take it for a new run. */
  private restoring = false;
  /** A share link waiting for the user's answer: replace the saved playground or not. */
  private pendingLink: { fallback: Scenario; play: boolean } | null = null;

  constructor(private readonly deps: WorkerPersistenceDeps) {}

  /** Figures for the benchmark: flushes, bytes written, wall ms spent in writes. */
  get figures() {
    return this.persister?.figures ?? { flushes: 0, bytes: 0, wallMs: 0, planMs: 0, syncMs: 0 };
  }

  handle(cmd: StorageCommand, host: PersistenceHost): void {
    this.host = host;
    switch (cmd.op) {
      case 'open':
        void this.open(cmd.fallback, cmd.play ?? true, false, cmd.fresh ?? false);
        return;
      case 'takeOver':
        void this.open(null, true, true);
        return;
      case 'reset':
        void this.reset(cmd.scenario);
        return;
      case 'retry':
        this.persister?.retry();
        return;
      case 'flush':
        // Asked when the page is hidden or going away: an urgent flush (queued within the call).
        if (this.persister && this.persister.status.state === 'saving') void this.persister.flushNow(true);
        return;
      case 'replace':
        void this.answerReplace(cmd.accept);
        return;
      default: {
        const never: never = cmd;
        void never;
      }
    }
  }

  /** The host built a cluster from a scenario: a new run, saved from scratch (replacing what was stored). */
  clusterCreated(cluster: Cluster): void {
    this.cluster = cluster;
    if (this.restoring) return;
    this.planner?.forgetStored();
    this.persister?.requestFlush();
  }

  /**
   * The run goes on in `cluster`, an exact copy of the one saved so far (time travel keeps
   * the original as a checkpoint): same moment, same logs, nothing to rewrite.
   */
  clusterContinued(cluster: Cluster): void {
    const prev = this.cluster;
    this.cluster = cluster;
    if (prev && prev !== cluster) this.planner?.follow(prev, cluster);
  }

  /** The cluster moved (time ran, an action, a layout change). */
  changed(what: 'run' | 'action' | 'layout'): void {
    if (what !== 'run') this.planner?.markScenarioChanged();
    this.persister?.requestFlush();
  }

  /** Flush now (tests, benchmark). */
  async flushNow(): Promise<void> {
    await this.persister?.flushNow();
  }

  private setStatus(status: StorageState, extra: Omit<StorageEvent, 'status'> = {}): void {
    this.status = status;
    this.deps.post({ status, ...extra });
  }

  /**
   * Opens the saved playground, or runs `fallback`. Never rejects: whatever fails ends in a
   * status the UI shows (a link that cannot run is refused, an unexpected failure is an
   * error), never in an endless 'opening'.
   */
  private async open(fallback: Scenario | null, play: boolean, steal: boolean, fresh = false): Promise<void> {
    try {
      await this.openOrThrow(fallback, play, steal, fresh);
    } catch (err) {
      this.stopSaving();
      this.setStatus({ state: 'error', message: `The playground could not be opened (${messageOf(err)}).` });
    }
  }

  /**
   * Runs a share link's scenario as a new run. Building its cluster can throw (a document the
   * schema let through but the cluster cannot run): then nothing is saved from it, nothing
   * saved is touched, and the UI is told why (it opens the playground again without the link).
   */
  private runLink(link: Scenario, play: boolean): boolean {
    try {
      this.host!.loadScenario(link, play);
      return true;
    } catch (err) {
      this.stopSaving();
      this.pendingLink = null;
      this.setStatus({ state: 'opening' }, { linkRefused: messageOf(err) });
      return false;
    }
  }

  private async openOrThrow(fallback: Scenario | null, play: boolean, steal: boolean, fresh: boolean): Promise<void> {
    const host = this.host!;
    this.setStatus({ state: 'opening' });
    this.stopSaving();
    this.owner = await this.acquire(steal);
    // A reload: the closing page's worker may hold the lock a moment longer while it is torn
    // down. Ask again for a short while before saying another tab has it.
    for (let waited = 0; !this.owner && !steal && waited < (this.deps.lockGraceMs ?? 3000); waited += 250) {
      await new Promise<void>((resolve) => this.deps.setTimer(resolve, 250));
      this.owner = await this.acquire(false);
    }
    if (!this.owner) {
      // A share link still opens (in memory); a plain reopen waits for "Take over here".
      const runningHere = fresh && fallback !== null;
      if (runningHere && !this.runLink(fallback, play)) return;
      this.setStatus({ state: 'other-tab', runningHere });
      return;
    }
    let store: ClusterStore;
    try {
      store = this.store ?? (await this.deps.openStore());
    } catch (err) {
      return this.failOpen(err, fallback, play, fresh);
    }
    this.store = store;
    try {
      const epoch = await store.claim();
      const image = await store.load();
      const planner = new FlushPlanner(() => host.scenarioDocument(), () => host.isPlaying());
      this.planner = planner;
      if (fresh && image && fallback) {
        // Never replace a saved playground without asking: the link waits for the answer.
        this.pendingLink = { fallback, play };
        this.epoch = epoch;
        const { report } = imageToDurableState(image);
        this.setStatus({
          state: 'confirm-replace',
          saved: { timeMs: report.timeMs, savedAtWallMs: report.savedAtWallMs, records: report.records, name: (image.scenario as Scenario | null)?.name ?? null },
        });
        return;
      }
      if (image && !fresh) {
        const { state, report } = imageToDurableState(image);
        // The exact moment when it was saved (time travel's checkpoint image); else the
        // brokers restart from their disks, as after a power cut.
        const moment = imageToMoment(image);
        let cluster: Cluster;
        if ('cluster' in moment) {
          cluster = moment.cluster;
          report.exact = true;
        } else {
          report.notExactBecause = moment.reason;
          try {
            cluster = restoreCluster(state);
          } catch (err) {
            throw new StorageUnreadableError(`The saved playground could not be restarted (${(err as Error)?.message ?? String(err)}).`, { cause: err });
          }
        }
        planner.adopt(cluster, image);
        this.restoring = true;
        try {
          if ('cluster' in moment) host.installCluster(cluster, state.scenario, moment.playing, true);
          else host.installCluster(cluster, state.scenario, play);
        } finally {
          this.restoring = false;
        }
        this.cluster = cluster;
        this.startSaving(store, planner, epoch);
        this.setStatus({ state: 'saving', flushSeq: image.manifest.flushSeq, timeMs: image.manifest.timeMs, savedAtWallMs: image.manifest.savedAtWallMs, logBytes: storedBytes(image.manifest) }, { restored: report });
      } else {
        this.startSaving(store, planner, epoch);
        if (fallback && fresh) this.runLink(fallback, play);
        else if (fallback) host.loadScenario(fallback, play);
        else this.persister?.requestFlush();
      }
    } catch (err) {
      return this.failOpen(err, fallback, play, fresh);
    }
  }

  /** Opening failed: say why and keep the page useful with the fallback in memory. */
  private failOpen(err: unknown, fallback: Scenario | null, play: boolean, fresh: boolean): void {
    const message = messageOf(err);
    this.stopSaving();
    this.pendingLink = null;
    if (fallback && fresh) {
      // The link's own cluster may be what failed: run it once more in memory; if it throws
      // again it is refused (and the UI reopens without it).
      if (!this.runLink(fallback, play)) return;
    } else if (fallback) {
      this.host!.loadScenario(fallback, play);
    }
    if (err instanceof StorageUnreadableError) this.setStatus({ state: 'unreadable', message });
    else this.setStatus({ state: 'unavailable', message: `The playground cannot be saved in this browser (${message}). It runs in memory only.` });
  }

  private startSaving(store: ClusterStore, planner: FlushPlanner, ownerEpoch: number): void {
    const persister: Persister = new Persister(
      {
        store,
        planner,
        ownerEpoch,
        cluster: () => this.cluster,
        wallNow: () => this.deps.wallNow(),
        setTimer: (fn, ms) => this.deps.setTimer(fn, ms),
        clearTimer: (h) => this.deps.clearTimer(h),
        onStatus: (s) => this.onPersistStatus(persister, s),
      },
      { minIntervalMs: this.deps.minIntervalMs ?? 100 },
    );
    this.persister = persister;
  }

  private stopSaving(): void {
    this.persister?.stop();
    this.persister = null;
  }

  private onPersistStatus(from: Persister, s: PersistStatus): void {
    // A stopped persister's write may still complete (or fail) after ownership was lost or
    // the run was replaced: its news is stale and must not overwrite the current status
    // (a late 'saving' used to hide the 'lost' banner of a tab that was taken over).
    if (from !== this.persister) return;
    switch (s.state) {
      case 'saving':
        this.setStatus({ state: 'saving', flushSeq: s.flushSeq, timeMs: s.timeMs, savedAtWallMs: s.savedAtWallMs, logBytes: s.logBytes });
        return;
      case 'quota':
        this.setStatus({ state: 'quota', message: s.message });
        return;
      case 'fenced':
        this.lost('The playground was taken over by another tab, which now saves it. This tab no longer saves: what happens here is not kept.');
        return;
      case 'error':
        this.setStatus({ state: 'error', message: s.message });
        return;
      case 'off':
        return;
      default: {
        const never: never = s;
        void never;
      }
    }
  }

  private epoch = 0;

  private async answerReplace(accept: boolean): Promise<void> {
    const link = this.pendingLink;
    if (!link || !this.store) return;
    this.pendingLink = null;
    if (accept) {
      // A new run: its first flush replaces everything stored (FlushPlanner.replaceAll).
      this.planner = new FlushPlanner(() => this.host!.scenarioDocument(), () => this.host!.isPlaying());
      this.startSaving(this.store, this.planner, this.epoch);
      this.runLink(link.fallback, link.play);
      return;
    }
    await this.open(null, link.play, false);
  }

  /** Another tab opened the database with a newer schema: our connection is gone for good. */
  versionChanged(): void {
    this.store = null;
    this.lost('A newer version of the playground was opened in another tab and took over its saved data. This tab no longer saves; reload it to continue with the newer version.');
  }

  private lost(message: string): void {
    if (this.status.state === 'lost') return;
    this.owner = false;
    this.stopSaving();
    this.setStatus({ state: 'lost', message });
  }

  private async reset(scenario: Scenario): Promise<void> {
    const host = this.host!;
    if (!this.owner) {
      // Another tab owns the saved playground: never delete it from here; just start afresh in memory.
      host.loadScenario(scenario, true);
      return;
    }
    this.stopSaving();
    try {
      if (this.status.state === 'unreadable' || !this.store) {
        // A database this version cannot read (or could not open): delete it outright.
        this.store?.close();
        this.store = null;
        await (this.deps.destroyStore ?? (() => deleteIdbDatabase()))();
      } else {
        await this.store.clear();
      }
    } catch (err) {
      this.setStatus({ state: 'error', message: `The saved playground could not be deleted (${(err as Error)?.message ?? String(err)}).` });
      host.loadScenario(scenario, true);
      return;
    }
    await this.open(scenario, true, false);
  }

  /** Resolves true once this tab holds the lock, false when another tab does. */
  private acquire(steal: boolean): Promise<boolean> {
    const locks = this.deps.locks;
    if (!locks) return Promise.resolve(true); // no Web Locks: the owner epoch still fences writers
    if (this.releaseLock) return Promise.resolve(true); // already ours
    return new Promise<boolean>((resolve) => {
      const options = steal ? { steal: true } : { ifAvailable: true };
      locks
        .request(OWNER_LOCK, options, (lock) => {
          if (!lock) {
            resolve(false);
            return undefined;
          }
          resolve(true);
          // Held until released (reset to another tab's run never happens) or stolen.
          return new Promise<void>((release) => {
            this.releaseLock = release;
          });
        })
        .catch(() => {
          // Stolen: another tab took over.
          this.releaseLock = null;
          this.lost('The playground was taken over by another tab, which now saves it. This tab no longer saves: what happens here is not kept.');
        });
    });
  }
}

function messageOf(err: unknown): string {
  return err instanceof Error ? err.message : String(err);
}
