import { beforeEach, describe, expect, it } from 'vitest';
import type { Scenario } from '../scenario/types';
import { encodeScenarioToFragment } from '../scenario/url';
import type { StorageState } from '../storage/status';
import type { UiCommand } from '../worker/protocol';
import { useClusterStore } from './cluster-store';
import { LinkOpener, linkRefusedMessage } from './link-open';
import { useStorageStore } from './storage-store';

const linked: Scenario = { version: 1, name: 'linked', seed: 2, cluster: { brokers: [{ id: 1 }] } };

function env(hash: string, opts: { sendThrows?: (cmd: UiCommand) => Error | null } = {}) {
  const e = {
    hash,
    sent: [] as UiCommand[],
    reloads: 0,
    cleared: 0,
  };
  const opener = new LinkOpener({
    hash: () => e.hash,
    clearHash: () => {
      e.hash = '';
      e.cleared++;
    },
    reload: () => e.reloads++,
    send: (cmd) => {
      const err = opts.sendThrows?.(cmd);
      if (err) throw err;
      e.sent.push(cmd);
    },
  });
  return { e, opener };
}

const opens = (sent: UiCommand[]) =>
  sent.flatMap((c) => (c.type === 'storage' && c.op === 'open' ? [{ fresh: c.fresh, name: c.fallback.name }] : []));
const status = (s: StorageState) => useStorageStore.getState().receive({ status: s });
const error = () => useClusterStore.getState().lastError?.message ?? null;

let opener: LinkOpener | null = null;
beforeEach(() => {
  opener?.stop();
  useClusterStore.setState({ lastError: null });
  useStorageStore.setState({ status: { state: 'opening' } });
});

describe('opening the playground with a link', () => {
  it('without a link: opens the saved playground (the default as fallback), nothing to clear', async () => {
    const t = env('');
    opener = t.opener;
    await t.opener.start();
    expect(opens(t.e.sent)).toEqual([{ fresh: false, name: 'Three brokers, one topic, one consumer group' }]);
    expect(error()).toBeNull();
  });

  it('a broken link is refused with one clear line, dropped, and never offered as a replacement', async () => {
    const t = env('#scenario=this-is-not-a-valid-link!!');
    opener = t.opener;
    await t.opener.start();
    expect(error()).toMatch(/^This link could not be opened: This link is broken .* nothing saved was touched\.$/);
    expect(t.e.hash).toBe('');
    // The saved playground opens as without the link: fresh false, so nothing asks to replace it.
    expect(opens(t.e.sent)).toEqual([{ fresh: false, name: 'Three brokers, one topic, one consumer group' }]);
  });

  it('a good link keeps its fragment until the open settles (a reload during the replace question asks again)', async () => {
    const t = env(`#${await encodeScenarioToFragment(linked)}`);
    opener = t.opener;
    await t.opener.start();
    expect(opens(t.e.sent)).toEqual([{ fresh: true, name: 'linked' }]);
    status({ state: 'confirm-replace', saved: { timeMs: 1, savedAtWallMs: 1, records: 1, name: 'mine' } });
    expect(t.e.hash).toMatch(/^#scenario=/);
    status({ state: 'saving', flushSeq: 1, timeMs: 0, savedAtWallMs: 1, logBytes: 0 });
    expect(t.e.hash).toBe('');
    expect(error()).toBeNull();
  });

  it('a link postMessage cannot carry (DataCloneError) is refused and the playground opens without it', async () => {
    const t = env(`#${await encodeScenarioToFragment(linked)}`, {
      sendThrows: (cmd) => (cmd.type === 'storage' && cmd.op === 'open' && cmd.fresh ? new DOMException('could not be cloned', 'DataCloneError') : null),
    });
    opener = t.opener;
    await t.opener.start();
    expect(error()).toContain('it cannot be handed to the cluster (DataCloneError: could not be cloned)');
    expect(opens(t.e.sent)).toEqual([{ fresh: false, name: 'Three brokers, one topic, one consumer group' }]);
    expect(t.e.hash).toBe('');
  });

  it('a link the worker cannot build is refused and the playground reopens without it', async () => {
    const t = env(`#${await encodeScenarioToFragment(linked)}`);
    opener = t.opener;
    await t.opener.start();
    t.opener.linkRefusedByWorker('Maximum call stack size exceeded');
    expect(error()).toContain('This link could not be opened: Maximum call stack size exceeded.');
    expect(opens(t.e.sent)).toEqual([
      { fresh: true, name: 'linked' },
      { fresh: false, name: 'Three brokers, one topic, one consumer group' },
    ]);
    expect(t.e.hash).toBe('');
  });

  it('a worker failure while opening ends in a message, never an endless "Opening…"', async () => {
    const withLink = env(`#${await encodeScenarioToFragment(linked)}`);
    opener = withLink.opener;
    await withLink.opener.start();
    withLink.opener.workerFailed('a message to the cluster worker could not be read');
    expect(error()).toContain('the cluster worker failed on it');
    expect(opens(withLink.e.sent).map((o) => o.fresh)).toEqual([true, false]);
    opener.stop();

    const plain = env('');
    opener = plain.opener;
    await plain.opener.start();
    plain.opener.workerFailed('boom');
    expect(useStorageStore.getState().status).toEqual({ state: 'error', message: 'The playground could not be opened: the cluster worker failed (boom).' });
    // Once settled, a later failure is not about opening.
    useStorageStore.setState({ status: { state: 'opening' } });
    plain.opener.workerFailed('later');
    expect(useStorageStore.getState().status.state).toBe('opening');
  });

  it('a pasted link: a bad one is refused in place, a good one reloads to open as a page load would', async () => {
    const t = env('');
    opener = t.opener;
    await t.opener.start();
    t.e.hash = '#scenario=AAAA-broken';
    await t.opener.hashChanged();
    expect(t.e.reloads).toBe(0);
    expect(t.e.hash).toBe('');
    expect(error()).toContain('This link could not be opened');
    t.e.hash = `#${await encodeScenarioToFragment(linked)}`;
    await t.opener.hashChanged();
    expect(t.e.reloads).toBe(1);
    t.e.hash = '#other=1';
    await t.opener.hashChanged();
    expect(t.e.reloads).toBe(1);
  });

  it('says what failed and that nothing was touched, in one line', () => {
    expect(linkRefusedMessage('bad\nthing')).toBe('This link could not be opened: bad thing. The playground stays as it was; nothing saved was touched.');
  });
});
