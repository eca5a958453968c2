/**
 * The chunk packer (chunk-packer.ts): large chunks' Blobs built by a helper, here the
 * helper's own code behind a Node MessageChannel (the transfer of the buffer and the Blobs'
 * round trip are real), and helpers that fail in every way: the flush still stores every
 * byte (built on the thread instead) and the packer says why it is no longer used.
 */
import 'fake-indexeddb/auto';
import { openDB } from 'idb';
import { afterEach, describe, expect, it } from 'vitest';
import { Cluster } from '../kafka/cluster';
import { exportDurableState, restoreCluster } from '../kafka/durable';
import { ChunkPacker, ChunkPackerError, packReply, type PackPort, type PackReply, type PackRequest } from './chunk-packer';
import { scenario } from './fixtures/scenario';
import { FlushPlanner } from './flush-planner';
import { chunkBytes, DB_VERSION, INLINE_CHUNK_BYTES, IdbClusterStore } from './idb-store';
import { imageToDurableState, imageToMoment } from './image';

let dbCount = 0;
const freshName = () => `kafka-playground-packer-test-${++dbCount}`;
const ports: MessagePort[] = [];
afterEach(() => {
  for (const p of ports.splice(0)) p.close();
});

/**
 * A helper behind a MessageChannel running `answer` (packReply, the helper worker's code, by
 * default); `requests` records what reached it (the buffer's size, the chunk sizes).
 */
function channelHelper(answer: (req: PackRequest) => { reply: unknown; transfer: Transferable[] } | null = packReply) {
  const { port1, port2 } = new MessageChannel();
  ports.push(port1, port2);
  const requests: { bufferBytes: number; sizes: number[] }[] = [];
  port2.onmessage = (e: MessageEvent<PackRequest>) => {
    requests.push({ bufferBytes: e.data.buffer.byteLength, sizes: e.data.sizes });
    const out = answer(e.data);
    if (out) port2.postMessage(out.reply, out.transfer);
  };
  return { port: port1 as unknown as PackPort, requests };
}

const bytesOf = async (b: Blob) => [...(await chunkBytes(b))!];

function logBytes(c: Cluster): Map<string, string> {
  const out = new Map<string, string>();
  for (const l of exportDurableState(c).logs) {
    out.set(`${l.info.broker}/${l.info.tp}`, `${l.info.logStartOffset}-${l.info.logEndOffset}-${l.info.highWatermark}:` + l.segments.map((s) => `${s.baseOffset}:${Buffer.from(s.bytes).toString('base64')}`).join('|'));
  }
  return out;
}

/** A real run (the storage fixture scenario) flushed every 500 ms of virtual time through `packer`, to `until`. */
async function savedRun(packer: ChunkPacker, until: number, everyMs = 500) {
  const name = freshName();
  const store = await IdbClusterStore.open({ name, packer });
  const epoch = await store.claim();
  const cluster = new Cluster(scenario());
  const planner = new FlushPlanner(undefined, () => true);
  let largeChunks = 0;
  for (let t = everyMs; t <= until; t += everyMs) {
    cluster.runUntil(t);
    const planned = planner.plan(cluster, 1_700_000_000_000 + t);
    largeChunks += planned.plan.chunks.filter((c) => c.size >= INLINE_CHUNK_BYTES).length;
    await store.write(planned.plan, epoch);
    planned.commit();
  }
  store.close();
  return { name, cluster, largeChunks };
}

/** Reopens a saved run: every log byte for byte as the run holds it, and the exact moment resumes as the run goes on. */
async function expectExactReopen(name: string, cluster: Cluster): Promise<void> {
  const store = await IdbClusterStore.open({ name });
  const image = (await store.load())!;
  store.close();
  expect(image.problems).toEqual([]);
  expect(logBytes(restoreCluster(imageToDurableState(image).state))).toEqual(logBytes(cluster));
  const moment = imageToMoment(image);
  if (!('cluster' in moment)) throw new Error(`no exact moment: ${moment.reason}`);
  expect(moment.cluster.now).toBe(cluster.now);
  const until = cluster.now + 1000;
  moment.cluster.runUntil(until);
  cluster.runUntil(until);
  expect(logBytes(moment.cluster)).toEqual(logBytes(cluster));
}

/** The stored chunk values: Blobs from 64 KiB up, Uint8Arrays below, as without a packer. */
async function storedValues(name: string): Promise<unknown[]> {
  const raw = await openDB(name, DB_VERSION);
  const values: unknown[] = await raw.getAll('partitionChunks');
  raw.close();
  return values;
}

describe('the helper side (packReply)', () => {
  it('cuts the buffer into one Blob per size, byte for byte, and hands the buffer back', async () => {
    const buffer = new ArrayBuffer(16);
    new Uint8Array(buffer).set([1, 2, 3, 4, 5, 6, 7, 8, 9, 10]);
    const { reply, transfer } = packReply({ id: 7, buffer, sizes: [3, 0, 7] });
    if ('error' in reply) throw new Error(reply.error);
    expect(reply.id).toBe(7);
    expect(reply.buffer).toBe(buffer);
    expect(transfer).toEqual([buffer]);
    expect(await Promise.all(reply.blobs.map(bytesOf))).toEqual([[1, 2, 3], [], [4, 5, 6, 7, 8, 9, 10]]);
  });

  it('sizes that do not fit the buffer are an error naming them, with the buffer handed back', () => {
    const buffer = new ArrayBuffer(8);
    for (const sizes of [[5, 4], [-1], [1.5]]) {
      const { reply } = packReply({ id: 1, buffer, sizes });
      expect('error' in reply && reply.error).toMatch(/outside the 8-byte buffer/);
      expect(reply.buffer).toBe(buffer);
    }
  });
});

describe('ChunkPacker', () => {
  it('packs chunks into Blobs of their batches back to back, in rounds of at most roundBytes, reusing one buffer', async () => {
    const { port, requests } = channelHelper();
    const packer = new ChunkPacker(port, { roundBytes: 10 });
    const chunks = [
      { batches: [new Uint8Array([1, 2]), new Uint8Array([3])], size: 3 },
      { batches: [new Uint8Array([4, 5, 6, 7, 8, 9])], size: 6 },
      { batches: [new Uint8Array([10, 11]), new Uint8Array([12, 13, 14])], size: 5 },
      { batches: [new Uint8Array(12).fill(15)], size: 12 }, // over roundBytes: a round of its own
    ];
    const blobs = await packer.pack(chunks);
    expect(await Promise.all(blobs.map(bytesOf))).toEqual([[1, 2, 3], [4, 5, 6, 7, 8, 9], [10, 11, 12, 13, 14], new Array(12).fill(15)]);
    expect(requests.map((r) => r.sizes)).toEqual([[3, 6], [5], [12]]);
    // One buffer of a round's size, sent again each round (handed back by the helper); the
    // chunk larger than a round gets one of its own size, kept for the rounds after it.
    expect(requests.map((r) => r.bufferBytes)).toEqual([10, 10, 12]);
    await packer.pack([chunks[0]!]);
    expect(requests[3]!.bufferBytes).toBe(12);
    expect(packer.broken).toBeNull();
  });

  it('a real run saved through the helper: large chunks are its Blobs, and the reopen has every log byte for byte and resumes exactly', async () => {
    const { port, requests } = channelHelper();
    const packer = new ChunkPacker(port);
    const { name, cluster, largeChunks } = await savedRun(packer, 6000);
    expect(largeChunks).toBeGreaterThan(0);
    expect(requests.reduce((n, r) => n + r.sizes.length, 0)).toBe(largeChunks);
    expect(requests.every((r) => r.sizes.every((s) => s >= INLINE_CHUNK_BYTES))).toBe(true);
    expect(packer.broken).toBeNull();
    const values = await storedValues(name);
    expect(values.some((v) => v instanceof Blob)).toBe(true);
    expect(values.every((v) => (v instanceof Blob ? v.size >= INLINE_CHUNK_BYTES : v instanceof Uint8Array && v.length < INLINE_CHUNK_BYTES))).toBe(true);
    await expectExactReopen(name, cluster);
  });

  const hostile: [string, (req: PackRequest) => { reply: unknown; transfer: Transferable[] } | null, RegExp][] = [
    ['answers an error', (req) => ({ reply: { id: req.id, error: 'out of memory', buffer: req.buffer }, transfer: [req.buffer] }), /failed: out of memory/],
    ['answers one Blob too few', (req) => ({ reply: { id: req.id, blobs: [], buffer: req.buffer }, transfer: [req.buffer] }), /answered 0 Blobs for \d+ chunks/],
    [
      'answers Blobs of the wrong size',
      (req) => ({ reply: { id: req.id, blobs: req.sizes.map((n) => new Blob([new Uint8Array(n + 1)])), buffer: req.buffer }, transfer: [req.buffer] }),
      /a Blob of \d+ bytes for a chunk of \d+/,
    ],
    ['answers no Blobs at all', (req) => ({ reply: { id: req.id, blobs: 'nope' }, transfer: [] }), /answered no Blobs/],
    ['answers something that is not a Blob', (req) => ({ reply: { id: req.id, blobs: req.sizes.map((n) => new Uint8Array(n)) }, transfer: [] }), /a Blob of no bytes/],
  ];
  for (const [what, answer, message] of hostile) {
    it(`a helper that ${what}: every flush still stores every byte (built on the thread), and the packer says why it stopped`, async () => {
      const { port, requests } = channelHelper(answer);
      const packer = new ChunkPacker(port);
      const { name, cluster, largeChunks } = await savedRun(packer, 8000, 4000);
      expect(largeChunks).toBeGreaterThan(1);
      expect(packer.broken).toMatch(message);
      expect(requests.length).toBe(1); // asked once, never again
      await expect(packer.pack([{ batches: [new Uint8Array(1)], size: 1 }])).rejects.toThrow(ChunkPackerError);
      await expectExactReopen(name, cluster);
    });
  }

  it('a helper that never answers is given up after timeoutMs (its late answer ignored); the flush stores every byte', async () => {
    const timers: (() => void)[] = [];
    const sent: PackRequest[] = [];
    let onmessage: ((ev: MessageEvent) => unknown) | null = null;
    const port: PackPort = {
      postMessage: (m) => void sent.push(m as PackRequest),
      get onmessage() {
        return onmessage;
      },
      set onmessage(f) {
        onmessage = f;
      },
    };
    let broke = '';
    const packer = new ChunkPacker(port, { timeoutMs: 5000, setTimer: (fn) => timers.push(fn), clearTimer: () => undefined, onBroken: (r) => (broke = r) });
    const name = freshName();
    const store = await IdbClusterStore.open({ name, packer });
    const epoch = await store.claim();
    const cluster = new Cluster(scenario());
    cluster.runUntil(8000);
    const planner = new FlushPlanner(undefined, () => true);
    const planned = planner.plan(cluster, 0);
    expect(planned.plan.chunks.some((c) => c.size >= INLINE_CHUNK_BYTES)).toBe(true);
    const written = store.write(planned.plan, epoch);
    await new Promise((r) => setImmediate(r));
    expect(sent.length).toBe(1);
    expect(timers.length).toBe(1);
    timers[0]!(); // the timeout fires
    await written;
    planned.commit();
    expect(broke).toMatch(/did not answer within 5000 ms/);
    expect(packer.broken).toBe(broke);
    // Its answer, arriving late, changes nothing.
    const late = packReply(sent[0]!).reply as PackReply;
    onmessage!({ data: late } as MessageEvent);
    store.close();
    await expectExactReopen(name, cluster);
  });

  it('a helper worker that fails (an error event) rejects what waits on it and is not asked again', async () => {
    const port: PackPort = { postMessage: () => undefined, onmessage: null, onerror: null };
    let broke = '';
    const packer = new ChunkPacker(port, { onBroken: (r) => (broke = r) });
    const waiting = packer.pack([{ batches: [new Uint8Array(4)], size: 4 }]);
    (port.onerror as (ev: unknown) => void)({});
    await expect(waiting).rejects.toThrow(/the chunk packer worker failed/);
    expect(broke).toMatch(/the chunk packer worker failed/);
    await expect(packer.pack([{ batches: [new Uint8Array(4)], size: 4 }])).rejects.toThrow(ChunkPackerError);
  });

  it("a chunk whose batches do not hold its size is refused before anything is sent (the store builds it on the thread)", async () => {
    const { port, requests } = channelHelper();
    const packer = new ChunkPacker(port);
    await expect(packer.pack([{ batches: [new Uint8Array(3)], size: 4 }])).rejects.toThrow(/hold 3 bytes, not the 4 it names/);
    expect(requests).toEqual([]);
  });
});
