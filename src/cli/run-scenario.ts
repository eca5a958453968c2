/**
 * `npm run scenario -- FILE.json [--until MS]`: the headless runner's entry (the logic, and
 * its documentation, is in runner.ts). Runs a scenario in Node and prints one JSON document
 * (RunnerOutput) on stdout. Default --until: the last timeline action's `at` + 30000 ms.
 * Exit 2 with one line on stderr for bad input; exit 1 with one line for an internal
 * failure (DEBUG=1 adds the stack).
 */
import { readFileSync } from 'node:fs';
import { startSlabWarmer, type SlabWarmer } from '../node/slab-warmer';
import { runCli } from './runner';

// `... | head` closes the pipe early: that is the reader's choice, not an error to report.
process.stdout.on('error', (e: NodeJS.ErrnoException) => {
  if (e.code === 'EPIPE') process.exit(process.exitCode ?? 0);
  throw e;
});

async function main(): Promise<void> {
  const debug = process.env.DEBUG === '1';
  // The logs' slabs pre-touched on another thread (a long or busy run spends a third of its
  // time on first touches otherwise); the run is the same without it.
  let warmer: SlabWarmer | null = null;
  try {
    warmer = startSlabWarmer();
  } catch {
    // No worker threads here: batchBytes allocates its slabs, as without a warmer.
  }
  try {
    const r = await runCli(process.argv.slice(2), { readFile: (path) => readFileSync(path, 'utf8'), debug });
    if (r.stdout) process.stdout.write(r.stdout);
    if (r.stderr) process.stderr.write(r.stderr);
    // exitCode, not exit(): a large stdout must drain into a pipe before the process ends.
    process.exitCode = r.exitCode;
  } catch (e) {
    // runCli never throws; this is the last guard, still one line.
    const message = e instanceof Error ? e.message : String(e);
    process.stderr.write(`internal error: ${message.replace(/\s+/g, ' ')}\n`);
    if (debug && e instanceof Error && e.stack) process.stderr.write(`${e.stack}\n`);
    process.exitCode = 1;
  } finally {
    warmer?.stop();
  }
}

void main();
