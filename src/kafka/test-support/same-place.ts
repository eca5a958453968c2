/**
 * Whether two byte arrays are the same bytes in memory (buffer, start and length): a log's
 * batch is a new view each time it is read (log-segment.ts BatchList), so tests that once
 * asked for the same object ask for the same place.
 */
export function samePlace(a: Uint8Array | undefined, b: Uint8Array | undefined): boolean {
  return a !== undefined && b !== undefined && a.buffer === b.buffer && a.byteOffset === b.byteOffset && a.byteLength === b.byteLength;
}
