/**
 * restoreScenario, the one load path: version gate, migrations (with a synthetic v0 → v1
 * step kept here, since version 1 is the first released one), validation, defaults.
 */
import { describe, expect, it } from 'vitest';
import specExample from './fixtures/spec-example.json';
import { LESSONS, loadLesson } from './lessons';
import { migrate, MIGRATIONS, oldestReadableVersion, type MigrationTable, type ScenarioDoc } from './migrations';
import { restoreScenario, restoreScenarioOrThrow, ScenarioLoadError } from './restore';
import { defaultScenario } from './default-scenario';

/** `any`: each test breaks a different field on purpose. */
function example(): Record<string, any> {
  return structuredClone(specExample) as Record<string, any>;
}

/**
 * A made-up version 0 of the document, to exercise the machinery: brokers were a list of
 * ids with racks in a separate map, and the timeline was called `actions` with `t` for `at`.
 */
const v0Document = {
  version: 0,
  seed: 5,
  brokers: [1, 2],
  racks: { '1': 'a', '2': 'b' },
  actions: [
    { t: 500, op: 'killBroker', broker: 2 },
    { t: 100, op: 'createTopic', name: 'orders', partitions: 1, replicationFactor: 2 },
  ],
};

const v0ToV1: MigrationTable = {
  0: (doc: ScenarioDoc): ScenarioDoc => {
    const racks = doc.racks as Record<string, string>;
    const { brokers, racks: _racks, actions, ...rest } = doc;
    return {
      ...rest,
      cluster: { brokers: (brokers as number[]).map((id) => ({ id, rack: racks[String(id)] ?? null })) },
      timeline: (actions as { t: number }[]).map(({ t, ...a }) => ({ at: t, ...a })),
    };
  },
};

describe('restoreScenario', () => {
  it("restores the spec's example, the default scenario and every lesson", () => {
    expect(restoreScenario(example()).ok).toBe(true);
    expect(restoreScenario(defaultScenario).ok).toBe(true);
    for (const l of LESSONS) expect(loadLesson(l.id), l.id).toMatchObject({ ok: true });
    expect(loadLesson('no-such-lesson')).toMatchObject({ ok: false });
  });

  it('a current document is not reported as migrated', () => {
    const r = restoreScenario(example());
    expect(r.ok && r.migratedFrom).toBeUndefined();
  });

  it('fills the defaults the spec implies', () => {
    const r = restoreScenario({ version: 1, seed: 1, cluster: { brokers: [{ id: 1 }] } });
    expect(r.ok).toBe(true);
    if (!r.ok) return;
    expect(r.scenario.topics).toEqual([]);
    expect(r.scenario.clients).toEqual([]);
    expect(r.scenario.timeline).toEqual([]);
    expect(r.scenario.cluster.network).toEqual({ latencyMs: 1, jitterMs: 1 });
    const partial = restoreScenario({ version: 1, seed: 1, cluster: { brokers: [], network: { latencyMs: 5 } } });
    expect(partial.ok && partial.scenario.cluster.network).toEqual({ latencyMs: 5, jitterMs: 1 });
  });

  it('sorts the timeline by `at`, stably (same-time actions keep document order)', () => {
    const d = example();
    d.timeline = [
      { at: 300, op: 'killBroker', broker: 1 },
      { at: 100, op: 'killBroker', broker: 2 },
      { at: 300, op: 'restartBroker', broker: 1 },
      { at: 100, op: 'restartBroker', broker: 2 },
      { at: 0, op: 'healBroker', broker: 3 },
    ];
    const r = restoreScenario(d);
    expect(r.ok).toBe(true);
    if (!r.ok) return;
    expect(r.scenario.timeline.map((a) => `${a.at}:${a.op}`)).toEqual([
      '0:healBroker',
      '100:killBroker',
      '100:restartBroker',
      '300:killBroker',
      '300:restartBroker',
    ]);
    // The caller's document is untouched.
    expect(d.timeline[0].at).toBe(300);
  });

  it('refuses a missing version, a non-integer one, and a newer one', () => {
    const d = example();
    delete d.version;
    expect(restoreScenario(d)).toEqual({
      ok: false,
      error: { path: 'version', message: 'version: missing; this is not a playground scenario, or it was damaged.' },
    });
    d.version = 1.5;
    expect(restoreScenario(d)).toMatchObject({ ok: false, error: { path: 'version' } });
    d.version = 7;
    const r = restoreScenario(d);
    expect(r.ok).toBe(false);
    if (!r.ok) expect(r.error.message).toMatch(/^version: this scenario was made by a newer version of the playground/);
  });

  it('refuses a version older than any migration reaches', () => {
    const d = example();
    d.version = 0;
    const r = restoreScenario(d);
    expect(r).toMatchObject({ ok: false, error: { path: 'version' } });
    if (!r.ok) expect(r.error.message).toBe('version: 0 is not a scenario version this playground can open (the oldest it opens is 1).');
  });

  it('refuses what is not an object', () => {
    for (const v of [null, 'scenario', 42, [example()]]) {
      const r = restoreScenario(v);
      expect(r.ok).toBe(false);
      if (!r.ok) expect(r.error.message).toMatch(/^This is not a playground scenario: expected a JSON object/);
    }
  });

  it('reports schema errors of the (migrated) document by their path', () => {
    const d = example();
    d.timeline[3].broker = 'two';
    expect(restoreScenario(d)).toMatchObject({ ok: false, error: { path: 'timeline[3].broker' } });
  });

  it('restoreScenarioOrThrow throws a ScenarioLoadError with the same one line', () => {
    expect(restoreScenarioOrThrow(example()).version).toBe(1);
    try {
      restoreScenarioOrThrow({ version: 9 });
      expect.unreachable();
    } catch (e) {
      expect(e).toBeInstanceOf(ScenarioLoadError);
      expect((e as ScenarioLoadError).path).toBe('version');
      expect((e as Error).message).toMatch(/newer version/);
    }
  });
});

describe('migrations', () => {
  it('version 1 is the first released version: the real table has no steps yet', () => {
    expect(MIGRATIONS).toEqual({});
    expect(oldestReadableVersion()).toBe(1);
  });

  it('runs a synthetic v0 → v1 step through restoreScenario, then validates and fills defaults', () => {
    const input = structuredClone(v0Document);
    const r = restoreScenario(input, { migrations: v0ToV1 });
    expect(r.ok).toBe(true);
    if (!r.ok) return;
    expect(r.migratedFrom).toBe(0);
    expect(r.scenario.version).toBe(1);
    expect(r.scenario.cluster.brokers).toEqual([
      { id: 1, rack: 'a' },
      { id: 2, rack: 'b' },
    ]);
    expect(r.scenario.timeline).toEqual([
      { at: 100, op: 'createTopic', name: 'orders', partitions: 1, replicationFactor: 2 },
      { at: 500, op: 'killBroker', broker: 2 },
    ]);
    expect(input).toEqual(v0Document); // steps work on a copy
  });

  it('chains steps and sets the version after each one', () => {
    const seen: unknown[] = [];
    const table: MigrationTable = {
      0: (d) => {
        seen.push(d.version);
        return { ...d, a: 1 };
      },
      1: (d) => {
        seen.push(d.version);
        return { ...d, b: 2 };
      },
    };
    const r = migrate({ version: 0 }, 0, table, 2);
    expect(r).toEqual({ ok: true, doc: { version: 2, a: 1, b: 2 } });
    expect(seen).toEqual([0, 1]);
    expect(oldestReadableVersion(table, 2)).toBe(0);
    expect(migrate({ version: 0 }, 0, { 1: table[1]! }, 2)).toEqual({ ok: false, reason: 'no-path', oldest: 1 });
  });

  it('a step that throws is reported as one line, not thrown', () => {
    const r = restoreScenario({ version: 0 }, { migrations: v0ToV1 });
    expect(r.ok).toBe(false);
    if (!r.ok) {
      expect(r.error.path).toBe('version');
      expect(r.error.message).toMatch(/^version: could not upgrade this scenario from version 0 to 1: /);
      expect(r.error.message).not.toMatch(/\n/);
    }
  });

  it('a migrated document that is still invalid is reported by its path', () => {
    const bad = { ...structuredClone(v0Document), brokers: [1, 'two'] };
    const r = restoreScenario(bad, { migrations: v0ToV1 });
    expect(r).toMatchObject({ ok: false, error: { path: 'cluster.brokers[1].id' } });
  });
});
