/**
 * Command-line parsing as Kafka's tools do it: each tool declares its options the way its
 * Java class declares them with joptsimple (`parser.accepts("topic", "...").withRequiredArg()
 * .describedAs("topic")`), and parsing fails with joptsimple's own messages:
 *
 * - `foo is not a recognized option` (UnrecognizedOptionException),
 * - `Option topic requires an argument` (OptionMissingRequiredArgumentException),
 * - `Missing required argument "[topic]"` (CommandLineUtils.checkRequiredArgs),
 * - `Option "[create]" can't be used with option "[alter]"` (CommandLineUtils.checkInvalidArgs).
 *
 * joptsimple accepts any unambiguous prefix of a long option (`--boot` for
 * `--bootstrap-server`) and `--opt=value`; so does this parser. `--help` prints the option
 * table as joptsimple's BuiltinHelpFormatter lays it out. Framework-free: runs in Node.
 */

export interface OptionSpec {
  name: string;
  description: string;
  /** none: a flag; required: takes a value; optional: may take one. */
  arg?: 'none' | 'required' | 'optional';
  /** The value's description in the help (describedAs), e.g. "topic". */
  argName?: string;
  /** The value's Java type in the help (`<String: topic>`, `<Integer: # of partitions>`). */
  type?: 'String' | 'Integer' | 'Long';
  /** defaultsTo, shown in the help's Description column as `(default: ...)`. */
  defaultValue?: string;
}

/** What the parse of one command line found. */
export class ParsedOptions {
  constructor(
    readonly values: Map<string, string[]>,
    readonly nonOptions: string[],
  ) {}
  has(name: string): boolean {
    return this.values.has(name);
  }
  /** The last value given, else undefined. */
  value(name: string): string | undefined {
    const v = this.values.get(name);
    return v && v.length > 0 ? v[v.length - 1] : undefined;
  }
  all(name: string): string[] {
    return this.values.get(name) ?? [];
  }
}

/** A joptsimple OptionException: the message is what the tool prints. */
export class OptionError extends Error {
  constructor(
    message: string,
    readonly kind: 'unrecognized' | 'missingArgument' | 'ambiguous' | 'badValue',
  ) {
    super(message);
  }
}

/** Every tool accepts these (CommandDefaultOptions). */
export const DEFAULT_OPTIONS: OptionSpec[] = [
  { name: 'help', description: 'Print usage information.' },
  { name: 'version', description: 'Display Kafka version.' },
];

export function withDefaults(specs: OptionSpec[]): OptionSpec[] {
  const names = new Set(specs.map((s) => s.name));
  return [...specs, ...DEFAULT_OPTIONS.filter((d) => !names.has(d.name))];
}

function findSpec(specs: readonly OptionSpec[], given: string): OptionSpec {
  const exact = specs.find((s) => s.name === given);
  if (exact) return exact;
  const matches = specs.filter((s) => s.name.startsWith(given));
  if (matches.length === 1 && given.length > 0) return matches[0]!;
  if (matches.length > 1) {
    throw new OptionError(`Option '${given}' cannot be resolved: it could be ${matches.map((m) => m.name).join(', ')}`, 'ambiguous');
  }
  throw new OptionError(`${given} is not a recognized option`, 'unrecognized');
}

/** Parses argv (without the tool's name) against the tool's options, as joptsimple's OptionParser.parse. */
export function parseOptions(specs: readonly OptionSpec[], argv: readonly string[]): ParsedOptions {
  const values = new Map<string, string[]>();
  const nonOptions: string[] = [];
  for (let i = 0; i < argv.length; i++) {
    const token = argv[i]!;
    if (token === '--') {
      nonOptions.push(...argv.slice(i + 1));
      break;
    }
    if (!token.startsWith('-') || token === '-') {
      nonOptions.push(token);
      continue;
    }
    const body = token.replace(/^--?/, '');
    const eq = body.indexOf('=');
    const name = eq >= 0 ? body.slice(0, eq) : body;
    const spec = findSpec(specs, name);
    const list = values.get(spec.name) ?? [];
    values.set(spec.name, list);
    const arg = spec.arg ?? 'none';
    if (arg === 'none') {
      if (eq >= 0) throw new OptionError(`Option ${spec.name} does not take an argument`, 'badValue');
      continue;
    }
    if (eq >= 0) {
      list.push(body.slice(eq + 1));
      continue;
    }
    const next = argv[i + 1];
    // joptsimple: a required argument takes the next token whatever it is; an optional one
    // only a token that does not look like an option (a negative number does not).
    if (arg === 'required') {
      if (next === undefined) throw new OptionError(`Option ${spec.name} requires an argument`, 'missingArgument');
      list.push(next);
      i++;
    } else if (next !== undefined && (!next.startsWith('-') || /^-\d/.test(next))) {
      list.push(next);
      i++;
    }
    if (spec.type === 'Integer' || spec.type === 'Long') {
      const v = list[list.length - 1];
      if (v !== undefined && !/^-?\d+$/.test(v.trim())) {
        throw new OptionError(`Cannot parse argument '${v}' of option ${spec.name}`, 'badValue');
      }
    }
  }
  return new ParsedOptions(values, nonOptions);
}

/** joptsimple's `[name]` (an OptionSpec's toString), as CommandLineUtils quotes it. */
export function specName(name: string): string {
  return `[${name}]`;
}

/** CommandLineUtils.checkRequiredArgs: the message of the first missing option, else null. */
export function missingRequired(opts: ParsedOptions, ...names: string[]): string | null {
  for (const n of names) if (!opts.has(n)) return `Missing required argument "${specName(n)}"`;
  return null;
}

/** CommandLineUtils.checkInvalidArgs: `used` cannot go with any of `invalid`. */
export function invalidCombination(opts: ParsedOptions, used: string, invalid: readonly string[]): string | null {
  if (!opts.has(used)) return null;
  for (const n of invalid) if (opts.has(n)) return `Option "${specName(used)}" can't be used with option "${specName(n)}"`;
  return null;
}

// ---- help ---------------------------------------------------------------------------------

const LEFT = 41;
const RIGHT = 39;

function wrap(text: string, width: number): string[] {
  const out: string[] = [];
  for (const para of text.split('\n')) {
    let line = '';
    for (const word of para.split(/\s+/).filter((w) => w.length > 0)) {
      if (line.length === 0) line = word;
      else if (line.length + 1 + word.length <= width) line += ` ${word}`;
      else {
        out.push(line);
        line = word;
      }
    }
    out.push(line);
  }
  return out;
}

/** The option table joptsimple's BuiltinHelpFormatter prints (80 columns, options sorted by name). */
export function formatHelp(specs: readonly OptionSpec[]): string {
  const rows: string[] = [];
  rows.push(`${'Option'.padEnd(LEFT)}Description`);
  rows.push(`${'------'.padEnd(LEFT)}-----------`);
  const sorted = [...specs].sort((a, b) => (a.name < b.name ? -1 : a.name > b.name ? 1 : 0));
  for (const s of sorted) {
    let left = `--${s.name}`;
    const arg = s.arg ?? 'none';
    if (arg !== 'none') {
      const inner = `${s.type ?? 'String'}${s.argName ? `: ${s.argName}` : ''}`;
      left += arg === 'required' ? ` <${inner}>` : ` [${inner}]`;
    }
    const leftLines = wrap(left, LEFT - 2).map((l, i) => (i === 0 ? l : `  ${l}`));
    const description = s.defaultValue !== undefined ? `${s.description} (default: ${s.defaultValue})` : s.description;
    const rightLines = wrap(description, RIGHT - 2).map((l, i) => (i === 0 ? l : `  ${l}`));
    const n = Math.max(leftLines.length, rightLines.length);
    for (let i = 0; i < n; i++) rows.push(`${(leftLines[i] ?? '').padEnd(LEFT)}${rightLines[i] ?? ''}`.trimEnd());
  }
  return rows.join('\n');
}

// ---- tokens -------------------------------------------------------------------------------

/** Splits a command line as a POSIX shell does: quotes ('…', "…") and backslash escapes. */
export function tokenize(line: string): { tokens: string[]; error: string | null } {
  const tokens: string[] = [];
  let cur = '';
  let inToken = false;
  let quote: '"' | "'" | null = null;
  for (let i = 0; i < line.length; i++) {
    const ch = line[i]!;
    if (quote) {
      if (ch === quote) quote = null;
      else if (ch === '\\' && quote === '"' && (line[i + 1] === '"' || line[i + 1] === '\\')) cur += line[++i];
      else cur += ch;
      continue;
    }
    if (ch === '"' || ch === "'") {
      quote = ch;
      inToken = true;
    } else if (ch === '\\' && i + 1 < line.length) {
      cur += line[++i];
      inToken = true;
    } else if (/\s/.test(ch)) {
      if (inToken) tokens.push(cur);
      cur = '';
      inToken = false;
    } else {
      cur += ch;
      inToken = true;
    }
  }
  if (quote) return { tokens, error: `unexpected EOF while looking for matching \`${quote}'` };
  if (inToken) tokens.push(cur);
  return { tokens, error: null };
}
