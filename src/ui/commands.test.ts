import { LESSONS } from '../scenario/lessons';
import { describe, expect, it } from 'vitest';
import type { Selection } from '../state/selection';
import type { ActionRequest } from '../worker/protocol';
import { COMMANDS, command, commandForKey, commandsFor, nextRack, nextSpeed, run, type CommandEnv, type DialogRequest } from './commands';
import { fixtureSnapshot } from './test/fixture';

function env(selection: Selection | null, playing = true) {
  const performed: ActionRequest[] = [];
  const dialogs: DialogRequest[] = [];
  const calls: string[] = [];
  const e: CommandEnv = {
    snapshot: fixtureSnapshot(),
    selection,
    status: { playing, speed: 1 },
    perform: (a) => performed.push(a),
    openDialog: (d) => dialogs.push(d),
    select: () => undefined,
    playback: {
      play: () => calls.push('play'),
      pause: () => calls.push('pause'),
      step: (ms) => calls.push(`step ${ms}`),
      setSpeed: (s) => calls.push(`speed ${s}`),
    },
    time: {
      seek: (t) => calls.push(`seek ${t}`),
      stepBack: (ms) => calls.push(`back ${ms}`),
      seekMarker: (dir) => calls.push(`marker ${dir}`),
      undo: () => calls.push('undo'),
      redo: () => calls.push('redo'),
    },
    shareLink: () => calls.push('share'),
    exportScenario: () => calls.push('export'),
    importScenario: () => calls.push('import'),
    restart: () => calls.push('restart'),
    openLesson: (id) => calls.push(`lesson:${id}`),
    toggleTerminal: () => calls.push('terminal'),
  };
  return { e, performed, dialogs, calls };
}

const enabled = (id: string, sel: Selection | null) => command(id).enabled(fixtureSnapshot(), sel);

describe('the command line', () => {
  it('the ` key toggles the terminal', () => {
    const { e, calls } = env(null);
    const c = commandForKey('`')!;
    expect(c.id).toBe('terminal.toggle');
    expect(run(c, e)).toBe(true);
    expect(calls).toEqual(['terminal']);
  });
});

describe('time travel commands', () => {
  it('step back, previous / next event by key; undo / redo by Ctrl chords, only when there is something to undo', () => {
    const { e, calls } = env(null);
    expect(run(commandForKey(',')!, e)).toBe(true);
    expect(run(commandForKey('<', { shift: true })!, e)).toBe(true);
    expect(run(commandForKey('>', { shift: true })!, e)).toBe(true);
    expect(calls).toEqual(['back 100', 'marker -1', 'marker 1']);
    const undo = commandForKey('z', { mod: true })!;
    expect(undo.id).toBe('time.undo');
    expect(commandForKey('Z', { mod: true, shift: true })!.id).toBe('time.redo');
    expect(run(undo, e)).toBe(false);
    e.history = { canUndo: true, canRedo: false };
    expect(run(undo, e)).toBe(true);
    expect(run(command('time.redo'), e)).toBe(false);
    expect(calls.at(-1)).toBe('undo');
    // A plain z is still "crash consumer", not undo.
    expect(commandForKey('z')!.id).toBe('consumer.crash');
  });
});

describe('command registry', () => {
  it('has unique ids and unique shortcuts', () => {
    const ids = COMMANDS.map((c) => c.id);
    expect(new Set(ids).size).toBe(ids.length);
    const keys = COMMANDS.flatMap((c) => (c.shortcut ? [c.shortcut] : []));
    expect(new Set(keys).size).toBe(keys.length);
  });

  it('enables broker commands by the broker state', () => {
    const up = { kind: 'broker', id: 1 } as const;
    const down = { kind: 'broker', id: 2 } as const;
    expect(enabled('broker.kill', up)).toBe(true);
    expect(enabled('broker.restart', up)).toBe(false);
    expect(enabled('broker.kill', down)).toBe(false);
    expect(enabled('broker.restart', down)).toBe(true);
    expect(enabled('broker.heal', up)).toBe(false);
    expect(enabled('broker.isolate', up)).toBe(true);
    expect(enabled('broker.kill', null)).toBe(false);
    expect(command('broker.kill').label(fixtureSnapshot(), up)).toBe('Kill broker 1');
  });

  it('needs a partition for elections and kills its leader broker', () => {
    const p = { kind: 'partition', topic: 'orders', partition: 0 } as const;
    expect(enabled('partition.electPreferred', null)).toBe(false);
    expect(enabled('partition.electUnclean', p)).toBe(true);
    const t = env(p);
    expect(run(command('partition.killLeader'), t.e)).toBe(true);
    expect(t.performed).toEqual([{ op: 'killBroker', broker: 3 }]);
    run(command('partition.electPreferred'), t.e);
    expect(t.performed[1]).toEqual({ op: 'electLeaders', topic: 'orders', partition: 0, type: 'preferred' });
  });

  it('does nothing when a disabled command is run', () => {
    const t = env({ kind: 'broker', id: 2 });
    expect(run(command('broker.kill'), t.e)).toBe(false);
    expect(t.performed).toEqual([]);
  });

  it('turns consumer commands into graceful and crash removals', () => {
    const t = env({ kind: 'consumer', id: 'billing-2' });
    run(command('consumer.close'), t.e);
    run(command('consumer.crash'), t.e);
    expect(t.performed).toEqual([
      { op: 'removeConsumer', id: 'billing-2', graceful: true },
      { op: 'removeConsumer', id: 'billing-2', graceful: false },
    ]);
    run(command('group.resetOffsets'), t.e);
    expect(t.dialogs).toEqual([{ kind: 'resetOffsets', group: 'billing' }]);
  });

  it('restarts only a consumer that is not running, saying when it is static', () => {
    const sel = { kind: 'consumer', id: 'billing-2' } as const;
    expect(command('consumer.restart').enabled(fixtureSnapshot(), sel)).toBe(false);
    const t = env(sel);
    const crashed = fixtureSnapshot();
    crashed.consumers = crashed.consumers.map((c) => (c.id === 'billing-2' ? { ...c, status: 'crashed' as const, groupInstanceId: 'b2' } : c));
    t.e.snapshot = crashed;
    expect(command('consumer.restart').label(crashed, sel)).toBe('Restart billing-2 (static: b2)');
    expect(run(command('consumer.restart'), t.e)).toBe(true);
    expect(t.performed).toEqual([{ op: 'restartConsumer', id: 'billing-2' }]);
  });

  it('opens the produce dialog prefilled from the selection', () => {
    const t = env({ kind: 'partition', topic: 'orders', partition: 1, broker: 3 });
    run(command('producer.produce'), t.e);
    expect(t.dialogs).toEqual([{ kind: 'produce', producer: 'checkout', topic: 'orders', partition: 1 }]);
  });

  it('stops every load of the selected producer', () => {
    const t = env({ kind: 'producer', id: 'checkout' });
    expect(command('producer.stopLoad').label(t.e.snapshot, t.e.selection)).toBe("Stop checkout's load");
    run(command('producer.stopLoad'), t.e);
    expect(t.performed).toEqual([{ op: 'stopLoad', producer: 'checkout', topic: 'orders' }]);
  });

  it('adds a broker with the next id on the least used rack', () => {
    const t = env(null);
    run(command('broker.add'), t.e);
    expect(t.performed).toEqual([{ op: 'addBroker', id: 4, rack: 'a' }]);
    expect(nextRack({ ...fixtureSnapshot(), brokers: [] })).toBeNull();
  });

  it('drives playback and speed in steps between 0.1x and 100x', () => {
    const t = env(null, true);
    run(command('playback.toggle'), t.e);
    run(command('playback.step'), t.e);
    run(command('playback.faster'), t.e);
    expect(t.calls).toEqual(['pause', 'step 100', 'speed 2']);
    expect(nextSpeed(100, 1)).toBe(100);
    expect(nextSpeed(0.1, -1)).toBe(0.1);
    expect(nextSpeed(3, -1)).toBe(2);
  });

  it('finds commands by key and by selection kind', () => {
    expect(commandForKey('K')?.id).toBe('broker.kill');
    expect(commandForKey(' ')?.id).toBe('playback.toggle');
    expect(commandsFor('broker').map((c) => c.id)).toContain('broker.slow');
    expect(commandsFor('group').map((c) => c.id)).toEqual(['consumer.add', 'group.resetOffsets']);
  });

  it('is disabled before the first snapshot, except loading another scenario', () => {
    const enabledEarly = COMMANDS.filter((c) => c.enabled(null, null)).map((c) => c.id);
    expect(enabledEarly.filter((id) => !id.startsWith('lesson.'))).toEqual(['scenario.import', 'scenario.restart']);
    // Lessons are other scenarios: they open even when the current run never started.
    expect(enabledEarly.filter((id) => id.startsWith('lesson.')).length).toBe(LESSONS.length);
  });
});

describe('lessons', () => {
  it('offers every built-in lesson in the scenario menu, by its title', () => {
    const lessons = COMMANDS.filter((c) => c.id.startsWith('lesson.'));
    expect(lessons.map((c) => c.id)).toEqual([
      'lesson.keys-order-per-partition',
      'lesson.replication-leader-followers',
      'lesson.acks-0-fire-and-forget',
      'lesson.acks-1-loses-acknowledged-writes',
      'lesson.min-insync-replicas',
      'lesson.leader-election-failover',
      'lesson.unclean-leader-election',
      'lesson.kraft-controller-quorum',
      'lesson.consumer-group-scaling',
      'lesson.consumer-lag',
      'lesson.rebalance-storm',
      'lesson.static-member-rejoins',
      'lesson.kip848-consumer-protocol',
      'lesson.at-least-once-duplicates',
      'lesson.exactly-once-transactions',
      'lesson.replay-reset-offsets',
      'lesson.retention-time-and-size',
      'lesson.compaction-latest-per-key',
    ]);
    expect(lessons.every((c) => c.group === 'scenario' && c.label(null, null).startsWith('Lesson: '))).toBe(true);
    const t = env(null);
    run(command('lesson.unclean-leader-election'), t.e);
    expect(t.calls).toEqual(['lesson:unclean-leader-election']);
  });
});

describe('building by drawing: remove, settings, New', () => {
  it('Delete (and Backspace) removes what is selected: a broker, a producer, a live consumer', () => {
    expect(commandForKey('Delete')?.id).toBe('selection.remove');
    expect(commandForKey('Backspace')?.id).toBe('selection.remove');
    const cases: [Selection, string, ActionRequest][] = [
      [{ kind: 'broker', id: 3 }, 'Remove broker 3 (stop and unregister)', { op: 'removeBroker', broker: 3 }],
      [{ kind: 'producer', id: 'checkout' }, 'Remove producer checkout (close it)', { op: 'removeProducer', id: 'checkout' }],
      [{ kind: 'consumer', id: 'billing-1' }, 'Remove consumer billing-1 (close it, leave group)', { op: 'removeConsumer', id: 'billing-1', graceful: true }],
    ];
    for (const [sel, label, action] of cases) {
      const e = env(sel);
      const c = command('selection.remove');
      expect(c.label(e.e.snapshot, sel)).toBe(label);
      expect(run(c, e.e)).toBe(true);
      expect(e.performed).toEqual([action]);
    }
    // Nothing removable selected (a partition): the key does nothing.
    const none = env({ kind: 'partition', topic: 'orders', partition: 0 });
    expect(run(command('selection.remove'), none.e)).toBe(false);
    expect(none.performed).toEqual([]);
  });

  it('settings and New open their forms; the context menus offer them', () => {
    const p = env({ kind: 'producer', id: 'checkout' });
    run(command('producer.config'), p.e);
    expect(p.dialogs).toEqual([{ kind: 'clientConfig', client: 'checkout' }]);
    const c = env({ kind: 'consumer', id: 'billing-2' });
    run(command('consumer.config'), c.e);
    expect(c.dialogs).toEqual([{ kind: 'clientConfig', client: 'billing-2' }]);
    const b = env({ kind: 'broker', id: 1 });
    run(command('broker.config'), b.e);
    expect(b.dialogs).toEqual([{ kind: 'brokerConfig' }]);
    expect(commandsFor('broker').map((x) => x.id)).toEqual(expect.arrayContaining(['selection.remove', 'broker.config']));
    expect(commandsFor('producer').map((x) => x.id)).toEqual(expect.arrayContaining(['selection.remove', 'producer.config']));
    const n = env(null);
    expect(commandForKey('n')?.id).toBe('scenario.new');
    run(command('scenario.new'), n.e);
    expect(n.dialogs).toEqual([{ kind: 'newScenario' }]);
  });
});

describe('transaction commands', () => {
  it('begin, commit and abort follow the selected transactional producer’s state, and perform the ops', () => {
    const snap = (state: string) =>
      ({
        producers: [
          { id: 'plain', transaction: undefined },
          { id: 'tx', transaction: { transactionalId: 't', state, producerEpoch: 0, partitions: [], error: null } },
        ],
      }) as unknown as Parameters<(typeof COMMANDS)[number]['enabled']>[0];
    const cmd = (id: string) => COMMANDS.find((c) => c.id === id)!;
    const sel = { kind: 'producer', id: 'tx' } as const;
    expect(cmd('producer.beginTransaction').enabled(snap('READY'), sel)).toBe(true);
    expect(cmd('producer.commitTransaction').enabled(snap('READY'), sel)).toBe(false);
    expect(cmd('producer.commitTransaction').enabled(snap('IN_TRANSACTION'), sel)).toBe(true);
    expect(cmd('producer.abortTransaction').enabled(snap('ABORTABLE_ERROR'), sel)).toBe(true);
    expect(cmd('producer.beginTransaction').enabled(snap('FATAL_ERROR'), sel)).toBe(false);
    // A selected producer without transactional.id offers none of them.
    expect(cmd('producer.beginTransaction').enabled(snap('READY'), { kind: 'producer', id: 'plain' })).toBe(false);
    expect(cmd('producer.commitTransaction').label(snap('IN_TRANSACTION'), sel)).toBe("Commit tx's transaction");
    const performed: unknown[] = [];
    cmd('producer.abortTransaction').perform({ snapshot: snap('IN_TRANSACTION'), selection: sel, perform: (a: unknown) => performed.push(a) } as unknown as Parameters<(typeof COMMANDS)[number]['perform']>[0]);
    expect(performed).toEqual([{ op: 'abortTransaction', producer: 'tx' }]);
  });
});
