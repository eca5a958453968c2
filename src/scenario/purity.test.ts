/**
 * scenario/ runs in the browser (the app, the worker) as well as in Node (the runner), so
 * its modules import no Node built-ins and nothing from the UI. Tests may.
 */
import { readdirSync, readFileSync, statSync } from 'node:fs';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { describe, expect, it } from 'vitest';

const root = fileURLToPath(new URL('.', import.meta.url));

function sources(dir: string): string[] {
  return readdirSync(dir).flatMap((name) => {
    const path = join(dir, name);
    if (statSync(path).isDirectory()) return sources(path);
    return /\.ts$/.test(name) && !/\.test\.ts$/.test(name) ? [path] : [];
  });
}

const FORBIDDEN = /from\s+['"](node:[^'"]+|fs|path|os|crypto|zlib|buffer|react|react-dom|zustand|@xyflow\/react|idb|\.\.\/(ui|state|worker|storage|cli)\/[^'"]*)['"]/;

describe('scenario/ purity', () => {
  it('imports no Node built-ins, UI, storage or CLI modules, and uses no Buffer', () => {
    const files = sources(root);
    expect(files.length).toBeGreaterThan(5);
    for (const file of files) {
      const text = readFileSync(file, 'utf8');
      expect(text, file).not.toMatch(FORBIDDEN);
      expect(text, file).not.toMatch(/\bBuffer\./);
    }
  });
});
