/**
 * The cluster is framework-free: nothing under src/kafka imports React, the DOM, idb,
 * zustand or Node built-ins, and nothing reads the wall clock or Math.random. This is the
 * lint rule the architecture asks for, run as a test so it cannot be forgotten.
 */
import { readFileSync, readdirSync, statSync } from 'node:fs';
import { join, relative } from 'node:path';
import { describe, expect, it } from 'vitest';

const root = join(import.meta.dirname, '.');

function sourceFiles(dir: string): string[] {
  const out: string[] = [];
  for (const name of readdirSync(dir)) {
    const p = join(dir, name);
    if (statSync(p).isDirectory()) out.push(...sourceFiles(p));
    else if (/\.tsx?$/.test(name) && !/\.test\.tsx?$/.test(name)) out.push(p);
  }
  return out;
}

const FORBIDDEN_IMPORT = /from\s+['"](react|react-dom|idb|zustand|@xyflow\/react|node:[^'"]+|fs|path|os|crypto|worker_threads)['"]/;
const FORBIDDEN_CALL = /\b(Date\.now|Math\.random|setTimeout|setInterval|performance\.now|new Date\(\s*\))/;

describe('src/kafka purity', () => {
  const files = sourceFiles(root);
  it('has source files to check', () => {
    expect(files.length).toBeGreaterThan(3);
  });
  for (const file of files) {
    it(`${relative(root, file)} imports no framework and reads no wall clock`, () => {
      const text = readFileSync(file, 'utf8')
        .split('\n')
        .filter((l) => !l.trim().startsWith('//') && !l.trim().startsWith('*'))
        .join('\n');
      expect(text).not.toMatch(FORBIDDEN_IMPORT);
      expect(text).not.toMatch(FORBIDDEN_CALL);
    });
  }
});
