/**
 * The chunk packer's helper worker (chunk-packer.ts): started by the cluster worker, it
 * turns the bytes of a flush's large chunks into Blobs on its own thread.
 */
import { packReply, type PackRequest } from './chunk-packer';

const scope = self as unknown as DedicatedWorkerGlobalScope;
scope.onmessage = (e: MessageEvent<PackRequest>) => {
  const { reply, transfer } = packReply(e.data);
  scope.postMessage(reply, transfer);
};
