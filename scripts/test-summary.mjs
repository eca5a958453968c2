// Reads the JSON reports of Vitest and Playwright and prints one line
// "N passed, N failed" over all suites. A report that is missing counts as one failure
// (its suite did not run), so a broken build can never look green.
import { existsSync, readFileSync } from 'node:fs';

const [vitestPath, playwrightPath] = process.argv.slice(2);
let passed = 0;
let failed = 0;

if (vitestPath && existsSync(vitestPath)) {
  const r = JSON.parse(readFileSync(vitestPath, 'utf8'));
  passed += r.numPassedTests ?? 0;
  failed += (r.numFailedTests ?? 0) + (r.numFailedTestSuites ?? 0) - 0;
  if ((r.numTotalTests ?? 0) === 0) failed += 1;
} else {
  failed += 1;
}

if (playwrightPath && existsSync(playwrightPath)) {
  const r = JSON.parse(readFileSync(playwrightPath, 'utf8'));
  const s = r.stats ?? {};
  passed += s.expected ?? 0;
  failed += (s.unexpected ?? 0) + (s.flaky ?? 0) * 0;
  if ((s.expected ?? 0) + (s.unexpected ?? 0) + (s.flaky ?? 0) === 0) failed += 1;
  passed += s.flaky ?? 0;
  if ((r.errors ?? []).length > 0) failed += r.errors.length;
} else {
  failed += 1;
}

console.log(`${passed} passed, ${failed} failed`);
