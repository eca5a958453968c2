/**
 * Starts the chunk packer's helper worker from the cluster worker (or the benchmark's):
 * undefined where workers cannot start workers, and the store then builds its Blobs itself.
 */
import { ChunkPacker } from './chunk-packer';

export function startChunkPacker(): ChunkPacker | undefined {
  if (typeof Worker === 'undefined') return undefined;
  try {
    const worker = new Worker(new URL('./chunk-packer.worker.ts', import.meta.url), { type: 'module' });
    return new ChunkPacker(worker, { onBroken: () => worker.terminate() });
  } catch {
    return undefined;
  }
}
