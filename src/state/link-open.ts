/**
 * Opening the playground at page load, with or without a share link in the fragment, and
 * links pasted into an open tab. A link is untrusted input (scenario.md, "The share URL"):
 *
 * - a link that does not decode, or that cannot even be handed to the worker (postMessage
 *   throws, say a DataCloneError for a document nested too deep), or whose cluster the worker
 *   cannot build, is refused: a clear message, and the playground opens as without the link.
 *   A bad link never asks to replace anything, and nothing saved is touched;
 * - a good link keeps its fragment until it has been opened or refused (the user may be
 *   answering "replace the saved playground?": a reload then must ask again, not drop the
 *   link); once settled, the fragment is cleared so a reload continues the saved run;
 * - whatever fails while opening (a worker error, a message the worker cannot read) ends in
 *   a message on screen, never in an endless "Opening…".
 *
 * The environment (location, history, the worker client) is injected, so Vitest drives it.
 */
import { defaultScenario } from '../scenario/default-scenario';
import { restoreScenarioOrThrow } from '../scenario/restore';
import type { Scenario } from '../scenario/types';
import { decodeScenarioFragment, scenarioParam } from '../scenario/url';
import type { StorageState } from '../storage/status';
import type { UiCommand } from '../worker/protocol';
import { useClusterStore } from './cluster-store';
import { useStorageStore } from './storage-store';

export interface LinkEnv {
  /** location.hash */
  hash(): string;
  /** Drops the fragment without a reload or a hashchange (history.replaceState). */
  clearHash(): void;
  reload(): void;
  /** To the worker; may throw (postMessage's DataCloneError). */
  send(cmd: UiCommand): void;
  /** Does the link's run start playing? (false for a link at a moment, &t=: it opens paused there). */
  playLink?: boolean;
}

const KEPT = 'The playground stays as it was; nothing saved was touched.';

/** The one line shown for a refused link. */
export function linkRefusedMessage(reason: string): string {
  const r = reason.trim().replace(/\s+/g, ' ');
  return `This link could not be opened: ${r}${/[.!?]$/.test(r) ? '' : '.'} ${KEPT}`;
}

function messageOf(err: unknown): string {
  return err instanceof Error ? `${err.name === 'Error' ? '' : `${err.name}: `}${err.message}` : String(err);
}

/** States in which an 'open' has not been settled yet. */
const unsettled = (s: StorageState) => s.state === 'opening' || s.state === 'confirm-replace';

export class LinkOpener {
  /** The 'open' sent and not settled yet: did it carry a link? */
  private pending: { withLink: boolean } | null = null;
  private unsubscribe: (() => void) | null = null;

  constructor(private readonly env: LinkEnv) {}

  /** Page load: opens the saved playground, or the link in the fragment. */
  async start(): Promise<void> {
    this.watch();
    if (scenarioParam(this.env.hash()) === null) {
      this.open(null);
      return;
    }
    const link = await this.decode();
    if (link.ok) this.open(link.scenario);
    else {
      this.refuse(link.reason);
      this.open(null);
    }
  }

  /** The fragment changed in an open tab: a bad link is refused in place; a good one opens as on a page load. */
  async hashChanged(): Promise<void> {
    if (scenarioParam(this.env.hash()) === null) return;
    const link = await this.decode();
    if (link.ok) this.env.reload();
    else this.refuse(link.reason);
  }

  /** The worker could not build the link's cluster: refuse it and open without it. */
  linkRefusedByWorker(reason: string): void {
    if (!this.pending?.withLink) return;
    this.refuse(reason);
    this.open(null);
  }

  /**
   * The worker failed (an uncaught error, a message it could not read) while an 'open' was
   * pending: a link is refused and the playground opened without it; a plain open says so.
   */
  workerFailed(reason: string): void {
    const p = this.pending;
    if (!p) return;
    if (p.withLink) {
      this.refuse(`the cluster worker failed on it (${reason})`);
      this.open(null);
      return;
    }
    this.pending = null;
    useStorageStore.getState().receive({ status: { state: 'error', message: `The playground could not be opened: the cluster worker failed (${reason}).` } });
  }

  private async decode(): Promise<{ ok: true; scenario: Scenario } | { ok: false; reason: string }> {
    try {
      const decoded = await decodeScenarioFragment(this.env.hash());
      return decoded.ok ? { ok: true, scenario: decoded.scenario } : { ok: false, reason: decoded.error.message };
    } catch (err) {
      // decodeScenarioFragment promises not to throw; a document that defeats it anyway is refused all the same.
      return { ok: false, reason: messageOf(err) };
    }
  }

  private open(link: Scenario | null): void {
    const fallback = link ?? restoreScenarioOrThrow(defaultScenario);
    this.pending = { withLink: link !== null };
    try {
      this.env.send({ type: 'storage', op: 'open', fallback, play: link !== null ? (this.env.playLink ?? true) : true, fresh: link !== null });
    } catch (err) {
      if (link === null) {
        this.pending = null;
        useStorageStore.getState().receive({ status: { state: 'error', message: `The playground could not be opened (${messageOf(err)}).` } });
        return;
      }
      this.refuse(`it cannot be handed to the cluster (${messageOf(err)})`);
      this.open(null);
    }
  }

  private refuse(reason: string): void {
    useClusterStore.getState().reportError(linkRefusedMessage(reason));
    if (scenarioParam(this.env.hash()) !== null) this.env.clearHash();
  }

  /** Once the open has settled (opened, kept, refused), the link leaves the address bar. */
  private watch(): void {
    if (this.unsubscribe) return;
    this.unsubscribe = useStorageStore.subscribe((s, prev) => {
      if (s.status === prev.status || !this.pending || unsettled(s.status)) return;
      const { withLink } = this.pending;
      this.pending = null;
      if (withLink && scenarioParam(this.env.hash()) !== null) this.env.clearHash();
    });
  }

  stop(): void {
    this.unsubscribe?.();
    this.unsubscribe = null;
  }
}
