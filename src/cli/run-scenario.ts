/**
 * `npm run scenario -- FILE.json [--until MS]`: runs a scenario in Node as fast as the CPU
 * allows and prints the resulting cluster as one JSON document (scenario.md). Exit 2 with
 * one line for bad input; exit 1 with one line for an internal failure (DEBUG=1 for the stack).
 */
import { readFileSync } from 'node:fs';
import { parseArgs, runScenarioText } from './runner';

function main(): number {
  const args = parseArgs(process.argv.slice(2));
  if ('error' in args) {
    process.stderr.write(args.error + '\n');
    return 2;
  }
  let text: string;
  try {
    text = readFileSync(args.file, 'utf8');
  } catch (e) {
    const code = (e as NodeJS.ErrnoException).code;
    process.stderr.write(`${args.file}: cannot read the file${code ? ` (${code})` : ''}\n`);
    return 2;
  }
  try {
    const r = runScenarioText(text, args.file, args.untilMs);
    if (r.stdout) process.stdout.write(r.stdout);
    if (r.stderr) process.stderr.write(r.stderr);
    return r.exitCode;
  } catch (e) {
    process.stderr.write(`internal error: ${e instanceof Error ? e.message : String(e)}\n`);
    if (process.env.DEBUG === '1' && e instanceof Error) process.stderr.write(`${e.stack}\n`);
    return 1;
  }
}

process.exitCode = main();
