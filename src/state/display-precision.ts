/**
 * Rates as the diagram prints them, and at the precision it prints them (issue 10): a value
 * rounded here prints exactly as the value itself, so a node whose rate moved below what is
 * drawn keeps its data and React leaves it alone; the worker sends broker bytes rates so
 * rounded (snapshot-delta.ts wireSnapshot), so they travel only when what is drawn changes.
 * Pure, no DOM (the worker imports it).
 */

/** Records per second as the diagram prints them: whole numbers, then tenths of a thousand (1.2k), then thousands (12k). */
export function formatRate(perSec: number): string {
  if (perSec >= 10_000) return `${Math.round(perSec / 1000)}k`;
  if (perSec >= 1000) return `${(perSec / 1000).toFixed(1)}k`;
  return String(Math.round(perSec));
}

/** A count drawn where there is room for a few characters only (compact nodes): as formatRate, 1.2k, 12k, then 1.2M. */
export function formatCount(n: number): string {
  if (n >= 10_000_000) return `${Math.round(n / 1_000_000)}M`;
  if (n >= 1_000_000) return `${(n / 1_000_000).toFixed(1)}M`;
  return formatRate(n);
}

/** Bytes per second as a broker card prints them. */
export function formatBytes(perSec: number): string {
  if (perSec >= 1_000_000) return `${(perSec / 1_000_000).toFixed(1)} MB/s`;
  if (perSec >= 1000) return `${(perSec / 1000).toFixed(perSec >= 10_000 ? 0 : 1)} kB/s`;
  return `${Math.round(perSec)} B/s`;
}

/** `x` rounded to `step`, if that prints the same; else `x` itself (near a boundary of the format). */
function asPrinted(x: number, step: number, format: (n: number) => string): number {
  if (!Number.isFinite(x)) return x;
  const r = Math.round(x / step) * step;
  return format(r) === format(x) ? r : x;
}

/** A rate rounded to what formatRate prints. */
export function rateForDisplay(perSec: number): number {
  return asPrinted(perSec, perSec >= 10_000 ? 1000 : perSec >= 1000 ? 100 : 1, formatRate);
}

/** Bytes per second rounded to what formatBytes prints: B/s below 1,000, tenths of a kB/s, whole kB/s from 10 kB/s, tenths of a MB/s. */
export function bytesForDisplay(perSec: number): number {
  return asPrinted(perSec, perSec >= 1_000_000 ? 100_000 : perSec >= 10_000 ? 1000 : perSec >= 1000 ? 100 : 1, formatBytes);
}
