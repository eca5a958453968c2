/**
 * call() keeps a method's name (found once per method, then kept on the method) and checks,
 * every time, that the method is the target's own under that name: a copy of the target
 * answers to the name, so a wrong pairing must fail where it is made, not when it runs.
 */
import { describe, expect, it } from 'vitest';
import { call, invoke } from './call';

class Counter {
  n = 0;
  add(k: number, extra?: number): number {
    this.n += k + (extra ?? 0);
    return this.n;
  }
}

class Other {
  add(k: number): number {
    return -k;
  }
}

class Sub extends Counter {
  override add(k: number): number {
    return super.add(k * 10);
  }
}

describe('call', () => {
  it('keeps the method name and runs it on the target, extra arguments last', () => {
    const c = new Counter();
    const x = call(c, c.add, 2);
    expect(x.method).toBe('add');
    expect(invoke(x)).toBe(2);
    expect(invoke(x, 5)).toBe(9);
  });

  it('checks the pairing every time, also once the method name is known', () => {
    const c = new Counter();
    const o = new Other();
    const s = new Sub();
    call(c, c.add, 1); // the name is known from here on
    expect(() => call(o, c.add, 1)).toThrow(/add is not a method of Other/);
    expect(() => call(s, c.add, 1)).toThrow(/add is not a method of Sub/); // overridden
    expect(() => call(c, s.add, 1)).toThrow(/add is not a method of Counter/);
    expect(invoke(call(s, s.add, 1))).toBe(10);
    expect(() => call(c, (() => 1) as unknown as Counter['add'], 1)).toThrow(/is not a method of Counter/);
  });
});
