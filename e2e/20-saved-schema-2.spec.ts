/**
 * Issue 10 (IndexedDB without copies): a playground saved by the previous storage layout
 * (schema 2, a copy of every batch per replica) is the user's data. The frozen database
 * src/storage/fixtures/v2-db.bin.gz (written by the schema-2 code) is put into the browser's
 * IndexedDB as it was stored; the app then opens it, migrates it to shared chunks, restores
 * it at the saved time with every record (the brokers restart from their disks: the exact
 * moment was written by code whose cluster classes had other fields, CLUSTER_SHAPE), says
 * why, and goes on saving in the new layout.
 */
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { deserialize } from 'node:v8';
import { gunzipSync } from 'node:zlib';
import { expect, screenshot, test } from './fixtures';

interface Dump {
  version: number;
  meta: [string, unknown][];
  chunks: [[number, string, number], Uint8Array][];
}

/** Byte arrays as base64 (the rest of the stored values cross to the page as they are). */
function encode(v: unknown): unknown {
  if (v instanceof Uint8Array) return { $bytes: Buffer.from(v).toString('base64') };
  if (Array.isArray(v)) return v.map(encode);
  if (v !== null && typeof v === 'object') return Object.fromEntries(Object.entries(v).map(([k, x]) => [k, encode(x)]));
  return v;
}

test('a playground saved by the previous layout (a copy per replica) reopens with every record, and saving goes on in the new one', async ({ page }) => {
  const dump = deserialize(gunzipSync(readFileSync(join(import.meta.dirname, '..', 'src', 'storage', 'fixtures', 'v2-db.bin.gz')))) as Dump;
  expect(dump.version).toBe(2);
  const manifest = dump.meta.find(([k]) => k === 'manifest')![1] as { timeMs: number; logs: { tp: string; logEndOffset: number }[] };
  const best = new Map<string, number>();
  for (const l of manifest.logs) best.set(l.tp, Math.max(best.get(l.tp) ?? 0, l.logEndOffset));
  const records = [...best.values()].reduce((n, x) => n + x, 0);
  expect(records).toBeGreaterThan(100);

  // Same origin, no app running (an empty page served by the test): write the database as
  // the previous version left it.
  await page.route('**/before-the-upgrade', (route) => route.fulfill({ contentType: 'text/html', body: '<!doctype html><link rel="icon" href="data:,"><title>before</title>' }));
  await page.goto('/before-the-upgrade');
  await page.evaluate(async (d) => {
    const decode = (v: unknown): unknown => {
      if (Array.isArray(v)) return v.map(decode);
      if (v !== null && typeof v === 'object') {
        const o = v as Record<string, unknown>;
        if (typeof o.$bytes === 'string') return Uint8Array.from(atob(o.$bytes), (c) => c.charCodeAt(0));
        return Object.fromEntries(Object.entries(o).map(([k, x]) => [k, decode(x)]));
      }
      return v;
    };
    const dump = decode(d) as { meta: [string, unknown][]; chunks: [IDBValidKey, Uint8Array][] };
    const db = await new Promise<IDBDatabase>((resolve, reject) => {
      const req = indexedDB.open('kafka-playground', 2);
      req.onupgradeneeded = () => {
        req.result.createObjectStore('meta');
        req.result.createObjectStore('chunks');
      };
      req.onsuccess = () => resolve(req.result);
      req.onerror = () => reject(req.error);
    });
    const tx = db.transaction(['meta', 'chunks'], 'readwrite');
    for (const [k, v] of dump.meta) tx.objectStore('meta').put(v, k);
    for (const [k, v] of dump.chunks) tx.objectStore('chunks').put(v, k);
    await new Promise<void>((resolve, reject) => {
      tx.oncomplete = () => resolve();
      tx.onerror = () => reject(tx.error);
    });
    db.close();
  }, encode(dump));

  await page.goto('/');
  const restored = page.getByTestId('storage-restored');
  await expect(restored).toBeVisible();
  await expect(restored).toHaveAttribute('data-exact', 'false');
  await expect(restored).toHaveAttribute('data-time-ms', String(manifest.timeMs));
  await expect(restored).toHaveAttribute('data-records', String(records));
  await expect(restored).toHaveAttribute('data-cut-offsets', '0');
  await expect(restored).toContainText('the brokers restarted from their disks (the exact moment could not be read: the saved moment was written by an older version of the playground)');
  for (const b of [1, 2, 3]) await expect(page.getByTestId(`broker-${b}`)).toBeVisible();
  await screenshot(page, 'saved-schema-2-restored');

  // It saves again, in the new layout: version 6, shared chunks (each a Blob from 64 KiB up, a Uint8Array below), a later moment (a compact image, format 2).
  const stored = () =>
    page.evaluate(
      () =>
        new Promise<{ version: number; stores: string[]; timeMs: number; refs: number; chunks: number; valuesAsStored: boolean; momentFormat: unknown; momentNodes: boolean }>((resolve, reject) => {
          const req = indexedDB.open('kafka-playground');
          req.onsuccess = () => {
            const db = req.result;
            const stores = [...db.objectStoreNames].sort();
            const tx = db.transaction(['meta', 'partitionChunks']);
            const get = tx.objectStore('meta').get('manifest');
            const all = tx.objectStore('partitionChunks').getAll();
            tx.oncomplete = () => {
              const m = get.result as { timeMs: number; logs: { refs?: unknown[] }[]; moment?: { image?: { format?: unknown; nodes?: unknown } } };
              db.close();
              const values = all.result as unknown[];
              const valuesAsStored = values.every((v) => (v instanceof Blob && v.size >= 65536) || v instanceof Uint8Array);
              resolve({ version: db.version, stores, timeMs: m.timeMs, refs: m.logs.every((l) => Array.isArray(l.refs)) ? 1 : 0, chunks: values.length, valuesAsStored, momentFormat: m.moment?.image?.format, momentNodes: m.moment?.image?.nodes instanceof Int32Array });
            };
            get.onerror = () => reject(get.error);
          };
          req.onerror = () => reject(req.error);
        }),
    );
  await expect.poll(async () => (await stored()).timeMs, { timeout: 30_000 }).toBeGreaterThan(manifest.timeMs);
  expect(await stored()).toMatchObject({ version: 6, stores: ['meta', 'partitionChunks'], refs: 1, valuesAsStored: true, momentFormat: 2, momentNodes: true });
  expect((await stored()).chunks).toBeGreaterThan(0);
});
