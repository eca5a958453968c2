/**
 * Run by checkpoint-shape.test.ts in a child process with `--allow-natives-syntax` (V8's
 * own checks, which plain JavaScript cannot see): how the objects of a running cluster, of
 * its copy (cloneCluster) and of a cluster read back from an image are held. Prints JSON:
 * for each of the three, the classes with an object in dictionary mode and the number of
 * holey arrays. A copy that is held differently from the original runs slower (a copy in
 * dictionary mode ran 2-3x slower), and after the first checkpoint the live run is a copy.
 */
import { cloneCluster, readClusterImage, writeClusterImage } from '../checkpoint';
import { Cluster } from '../cluster';
import { defaultScenario } from '../../scenario/default-scenario';

const hasFastProperties = new Function('o', 'return %HasFastProperties(o)') as (o: object) => boolean;
const hasHoleyElements = new Function('o', 'return %HasHoleyElements(o)') as (o: unknown[]) => boolean;

function census(root: unknown): { dictionaryMode: string[]; holeyArrays: number; objects: number } {
  const slow = new Set<string>();
  let holeyArrays = 0;
  let objects = 0;
  const seen = new Set<object>();
  const stack: unknown[] = [root];
  while (stack.length > 0) {
    const v = stack.pop();
    // Byte buffers hold no properties (a segment's BatchList points at the slabs its batches lie in).
    if (v === null || typeof v !== 'object' || seen.has(v) || ArrayBuffer.isView(v) || v instanceof ArrayBuffer || v instanceof SharedArrayBuffer) continue;
    seen.add(v);
    if (v instanceof Map) for (const [k, x] of v) stack.push(k, x);
    else if (v instanceof Set) for (const x of v) stack.push(x);
    else if (Array.isArray(v)) {
      if (v.length > 0 && hasHoleyElements(v)) holeyArrays++;
      for (const x of v) stack.push(x);
    } else {
      objects++;
      if (Object.getPrototypeOf(v) !== null && !hasFastProperties(v)) slow.add((v as object).constructor.name);
      for (const x of Object.values(v)) stack.push(x);
    }
  }
  return { dictionaryMode: [...slow].sort(), holeyArrays, objects };
}

const original = new Cluster(defaultScenario);
original.runUntil(8000);
const copy = cloneCluster(original);
const image = readClusterImage(structuredClone(writeClusterImage(original)));
const copyOfImage = cloneCluster(image);
console.log(JSON.stringify({ original: census(original), copy: census(copy), image: census(image), copyOfImage: census(copyOfImage) }));
