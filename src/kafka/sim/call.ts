/**
 * A method call held as data: what the scheduler runs later, what the network delivers,
 * what a response hands to its sender. `{ target, method, args }` instead of a closure, so
 * the cluster's whole state, timers and messages in flight included, is a graph of plain
 * data and class instances that `kafka/checkpoint.ts` can copy exactly (a closure's
 * captured variables cannot be copied; an object's fields can).
 *
 * `call(this, this.onHeartbeatResponse, inc)` checks the leading arguments against the
 * method's parameters and keeps the method's name; arguments given when it runs (a
 * response, a timeout's value) come after them: `invoke(c, response)` calls
 * `target.onHeartbeatResponse(inc, response)`.
 *
 * Methods run this way are marked `@scheduled` where they are declared: they are entry
 * points of the event loop, not meant to be called directly.
 */

// eslint-disable-next-line @typescript-eslint/no-explicit-any
type Fn = (...args: any[]) => any;

/** Every leading part of a parameter list: [a, b] gives [] | [a] | [a, b]. */
type Leading<P extends unknown[]> = P extends [...infer H, unknown] ? P | Leading<H> : P;

export interface Call {
  readonly target: object;
  readonly method: string;
  readonly args: readonly unknown[];
}

const NO_ARGS: readonly unknown[] = Object.freeze([]);

/**
 * A method's name, kept on the method itself the first time it is called this way: reading
 * `Function.prototype.name` is a call into the runtime each time (about 1% of the CPU at
 * 6 x 50, tens of thousands of calls per virtual second); a property of its own, the same
 * symbol on every method, is a plain load.
 */
const CALL_NAME: unique symbol = Symbol('call name');

function nameOnce(method: Fn): string {
  const name = method.name;
  Object.defineProperty(method, CALL_NAME, { value: name });
  return name;
}

/**
 * A call of `method` (one of target's own methods, given as `this.name` so its parameters
 * are type-checked) with these leading arguments, to be made later. Only the method's name
 * is kept: a copy of the target answers to the same name.
 */
export function call<P extends unknown[]>(target: object, method: (...args: P) => unknown, ...args: Leading<P>): Call {
  let name = (method as { [CALL_NAME]?: string })[CALL_NAME];
  if (name === undefined) name = nameOnce(method);
  if ((target as Record<string, unknown>)[name] !== method) {
    throw new Error(`call: ${name || 'an anonymous function'} is not a method of ${target.constructor.name}`);
  }
  return { target, method: name, args: args.length === 0 ? NO_ARGS : args };
}

/**
 * Makes the call, with `extra` (when given, even as undefined) appended to its arguments.
 * Every event, message and answer goes through here: no rest array and no spread copy of
 * the arguments per call (they were a steady share of the garbage at scale).
 */
export function invoke(c: Call, extra?: unknown): unknown {
  const target = c.target;
  const fn = (target as Record<string, Fn>)[c.method];
  if (typeof fn !== 'function') throw new Error(`no method ${c.method} on ${target.constructor.name}`);
  const a = c.args;
  if (arguments.length < 2) return fn.apply(target, a as unknown[]);
  switch (a.length) {
    case 0:
      return fn.call(target, extra);
    case 1:
      return fn.call(target, a[0], extra);
    case 2:
      return fn.call(target, a[0], a[1], extra);
    case 3:
      return fn.call(target, a[0], a[1], a[2], extra);
    case 4:
      return fn.call(target, a[0], a[1], a[2], a[3], extra);
    case 5:
      return fn.call(target, a[0], a[1], a[2], a[3], a[4], extra);
    default:
      return fn.apply(target, [...a, extra]);
  }
}

/** The same call with more leading arguments bound (a response's value, say). */
export function withArgs(c: Call, ...more: unknown[]): Call {
  return { target: c.target, method: c.method, args: [...c.args, ...more] };
}

/**
 * A closure as a Call, for tests and tools outside the cluster. A cluster that holds one
 * cannot be copied (checkpoint.ts refuses it), so nothing in kafka/ uses it.
 */
export function callOf(fn: (...args: never[]) => unknown): Call {
  return { target: { run: fn }, method: 'run', args: NO_ARGS };
}
