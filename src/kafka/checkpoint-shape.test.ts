/**
 * A copied cluster (cloneCluster) and a cluster read back from an image (reload resume) are
 * held by V8 as the original is: no object in dictionary mode. Made with Object.create and
 * a store per key, every Partition, Broker, Consumer, Producer and the Cluster itself were
 * dictionaries, and since the live run is a copy after the first checkpoint, the app ran
 * 2-3x slower at 6 x 50 than the same cluster in the scale bench. V8's own checks need
 * `--allow-natives-syntax`, so test-support/hidden-classes.ts runs in a child process.
 */
import { spawnSync } from 'node:child_process';
import { fileURLToPath } from 'node:url';
import { describe, expect, it } from 'vitest';

type Census = { dictionaryMode: string[]; holeyArrays: number; objects: number };

describe('checkpoint copies keep the original hidden classes', () => {
  it('a copy, an image read back and a copy of that hold no object in dictionary mode; an image read back holds no more holey arrays than the original', () => {
    const script = fileURLToPath(new URL('./test-support/hidden-classes.ts', import.meta.url));
    const run = spawnSync(process.execPath, ['--allow-natives-syntax', '--import', 'tsx', script], { encoding: 'utf8', timeout: 110_000 });
    expect(run.status, run.stderr).toBe(0);
    const out = JSON.parse(run.stdout.trim().split('\n').at(-1)!) as Record<'original' | 'copy' | 'image' | 'copyOfImage', Census>;
    // The census saw the cluster: brokers, partitions, clients and the rest.
    expect(out.original.objects).toBeGreaterThan(500);
    for (const k of ['copy', 'image', 'copyOfImage'] as const) expect(out[k].objects, k).toBe(out.original.objects);
    expect(out.original.dictionaryMode).toEqual([]);
    expect(out.copy.dictionaryMode).toEqual([]);
    expect(out.image.dictionaryMode).toEqual([]);
    expect(out.copyOfImage.dictionaryMode).toEqual([]);
    expect(out.image.holeyArrays).toBeLessThanOrEqual(out.original.holeyArrays);
  });
});
