/**
 * Builds the Blobs of a flush's large chunks off the cluster worker's thread.
 *
 * Storing a chunk as a Blob copies its bytes once, synchronously, into memory the browser
 * owns (`new Blob(parts)`). That copy is the bulk of what a flush costs the worker: at a
 * busy load, 100+ MB of batches copied in a few seconds of run, each copy into freshly
 * mapped memory (page faults, about ten times slower than copying into memory already
 * touched). Here the cluster's thread only copies the chunks' batches into one reused
 * ArrayBuffer (warm memory) and transfers it to a helper worker, which builds one Blob per
 * chunk (the slow copy, on its own thread), hands the Blobs back (a Blob is a handle:
 * cheap to post) and the buffer with them, for the next flush.
 *
 * The bytes are the same bytes: a Blob per chunk, its batches back to back, as
 * idb-store.ts `chunkValue` builds it on the thread (nothing in the stored layout changes).
 * Every answer is checked (one Blob per chunk, of the chunk's size); any failure (a
 * helper that errs, answers wrongly, or goes silent) rejects `pack`, the store then builds
 * that flush's values itself (nothing is lost), and the packer stops being used.
 */
import type { ChunkWrite } from './types';

/** What the cluster's thread sends: the chunks' bytes back to back, and each chunk's size. */
export interface PackRequest {
  id: number;
  buffer: ArrayBuffer;
  sizes: number[];
}

/** What the helper answers: one Blob per size, in order, and the buffer handed back. */
export type PackReply = { id: number; blobs: Blob[]; buffer: ArrayBuffer } | { id: number; error: string; buffer?: ArrayBuffer };

/** The helper's side (chunk-packer.worker.ts): cuts the buffer into Blobs (each one copies its bytes). */
export function packReply(req: PackRequest): { reply: PackReply; transfer: Transferable[] } {
  try {
    const bytes = new Uint8Array(req.buffer);
    const blobs: Blob[] = [];
    let at = 0;
    for (const n of req.sizes) {
      if (!Number.isInteger(n) || n < 0 || at + n > bytes.length) throw new Error(`a chunk of ${String(n)} bytes at ${at} is outside the ${bytes.length}-byte buffer`);
      blobs.push(new Blob([bytes.subarray(at, at + n)]));
      at += n;
    }
    return { reply: { id: req.id, blobs, buffer: req.buffer }, transfer: [req.buffer] };
  } catch (err) {
    const buffer = req.buffer instanceof ArrayBuffer ? req.buffer : undefined;
    return { reply: { id: req.id, error: err instanceof Error ? err.message : String(err), buffer }, transfer: buffer ? [buffer] : [] };
  }
}

/** The helper's end as the packer sees it: a Worker, or a MessagePort in tests. */
export interface PackPort {
  postMessage(message: unknown, transfer: Transferable[]): void;
  onmessage: ((ev: MessageEvent) => unknown) | null;
  onerror?: ((ev: never) => unknown) | null;
}

export interface ChunkPackerOptions {
  /** Bytes packed per round trip (a flush holding more is sent in several): bounds the buffer kept. */
  roundBytes?: number;
  /** A helper silent for this long is taken for gone. */
  timeoutMs?: number;
  setTimer?: (fn: () => void, ms: number) => unknown;
  clearTimer?: (handle: unknown) => void;
  /** Called once when the packer gives up (the helper failed): release it. */
  onBroken?: (reason: string) => void;
}

export class ChunkPackerError extends Error {
  constructor(message: string) {
    super(message);
    this.name = 'ChunkPackerError';
  }
}

type Pending = { resolve: (r: PackReply) => void; reject: (e: Error) => void; timer: unknown };

export class ChunkPacker {
  private readonly roundBytes: number;
  private readonly timeoutMs: number;
  private nextId = 1;
  private readonly pending = new Map<number, Pending>();
  /** The buffer the helper handed back, reused by the next round (warm memory). */
  private spare: ArrayBuffer | null = null;
  /** Why the packer is no longer used, once the helper failed. */
  broken: string | null = null;

  constructor(
    private readonly port: PackPort,
    private readonly opts: ChunkPackerOptions = {},
  ) {
    this.roundBytes = opts.roundBytes ?? 32 << 20;
    this.timeoutMs = opts.timeoutMs ?? 30_000;
    port.onmessage = (ev) => this.answer(ev.data as PackReply);
    if ('onerror' in port) port.onerror = () => this.fail('the chunk packer worker failed');
  }

  /**
   * One Blob per chunk, each the chunk's batches back to back. The batches are copied here,
   * synchronously, into the reused buffer; the Blobs are built by the helper. Rejects with
   * a ChunkPackerError when the helper fails or answers wrongly (the caller builds the values itself).
   */
  async pack(chunks: readonly Pick<ChunkWrite, 'batches' | 'size'>[]): Promise<Blob[]> {
    if (this.broken) throw new ChunkPackerError(this.broken);
    // Rounds of at most roundBytes (one chunk at least), sent one after the other: one buffer in use.
    const rounds: (typeof chunks)[number][][] = [];
    let size = 0;
    for (const c of chunks) {
      const last = rounds[rounds.length - 1];
      if (last && size + c.size <= this.roundBytes) {
        last.push(c);
        size += c.size;
      } else {
        rounds.push([c]);
        size = c.size;
      }
    }
    const out: Blob[] = [];
    for (const round of rounds) out.push(...(await this.packRound(round)));
    return out;
  }

  private async packRound(chunks: readonly Pick<ChunkWrite, 'batches' | 'size'>[]): Promise<Blob[]> {
    let total = 0;
    for (const c of chunks) total += c.size;
    let buffer = this.spare;
    this.spare = null;
    // A new buffer holds a whole round (or the one chunk larger than that), so every later
    // round fits it: its pages are touched once, then reused warm (copying into freshly mapped
    // memory is what makes a Blob slow). Pages never written to are never mapped.
    if (!buffer || buffer.byteLength < total) buffer = new ArrayBuffer(Math.max(total, this.roundBytes));
    const bytes = new Uint8Array(buffer);
    const sizes: number[] = [];
    let at = 0;
    for (const c of chunks) {
      const from = at;
      for (const b of c.batches) {
        bytes.set(b, at);
        at += b.length;
      }
      if (at - from !== c.size) throw new ChunkPackerError(`a chunk's batches hold ${at - from} bytes, not the ${c.size} it names`);
      sizes.push(c.size);
    }
    const id = this.nextId++;
    const reply = await new Promise<PackReply>((resolve, reject) => {
      const set = this.opts.setTimer ?? ((fn: () => void, ms: number) => setTimeout(fn, ms));
      const timer = set(() => this.fail(`the chunk packer worker did not answer within ${this.timeoutMs} ms`), this.timeoutMs);
      this.pending.set(id, { resolve, reject, timer });
      try {
        this.port.postMessage({ id, buffer, sizes } satisfies PackRequest, [buffer]);
      } catch (err) {
        this.fail(`the chunk packer worker could not be reached (${err instanceof Error ? err.message : String(err)})`);
      }
    });
    if (reply.buffer instanceof ArrayBuffer && reply.buffer.byteLength > 0) this.spare = reply.buffer;
    if ('error' in reply) throw this.fail(`the chunk packer worker failed: ${reply.error}`);
    const blobs = reply.blobs;
    if (!Array.isArray(blobs) || blobs.length !== sizes.length) throw this.fail(`the chunk packer worker answered ${Array.isArray(blobs) ? blobs.length : 'no'} Blobs for ${sizes.length} chunks`);
    for (let i = 0; i < sizes.length; i++) {
      const b = blobs[i];
      if (!(b instanceof Blob) || b.size !== sizes[i]) throw this.fail(`the chunk packer worker answered a Blob of ${b instanceof Blob ? b.size : 'no'} bytes for a chunk of ${sizes[i]}`);
    }
    return blobs;
  }

  private answer(reply: PackReply): void {
    const id = (reply as { id?: unknown } | null)?.id;
    const p = typeof id === 'number' ? this.pending.get(id) : undefined;
    if (!p) return; // late (after a timeout) or not ours
    this.pending.delete(id as number);
    (this.opts.clearTimer ?? ((h: unknown) => clearTimeout(h as ReturnType<typeof setTimeout>)))(p.timer);
    p.resolve(reply);
  }

  /** Gives up on the helper: every waiting round rejects; later packs reject at once. */
  private fail(reason: string): ChunkPackerError {
    const err = new ChunkPackerError(reason);
    if (!this.broken) {
      this.broken = reason;
      this.opts.onBroken?.(reason);
    }
    for (const [id, p] of this.pending) {
      this.pending.delete(id);
      (this.opts.clearTimer ?? ((h: unknown) => clearTimeout(h as ReturnType<typeof setTimeout>)))(p.timer);
      p.reject(err);
    }
    return err;
  }
}
