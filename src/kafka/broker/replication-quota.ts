/**
 * A broker's replication throttle for one direction (Kafka's ReplicationQuotaManager, one
 * for the leader side and one for the follower side): bytes of throttled partitions are
 * recorded into one-second windows, and the quota is exceeded when their rate over the
 * last replication.quota.window.num windows passes the configured bytes per second
 * (leader.replication.throttled.rate / follower.replication.throttled.rate).
 *
 * As Kafka's Rate measures it: the elapsed time is at least (windows - 1) seconds, so a move
 * that starts may send up to that many seconds' worth before the throttle bites.
 * Plain data (a class, no closures): it lives in the broker's process memory.
 */
export const QUOTA_WINDOW_MS = 1000;
export const QUOTA_WINDOWS = 11;

export class ReplicationQuota {
  /** [window start ms, bytes] from oldest to newest. */
  private windows: [number, number][] = [];

  record(nowMs: number, bytes: number): void {
    if (bytes <= 0) return;
    const start = Math.floor(nowMs / QUOTA_WINDOW_MS) * QUOTA_WINDOW_MS;
    const last = this.windows[this.windows.length - 1];
    if (last && last[0] === start) last[1] += bytes;
    else this.windows.push([start, bytes]);
    this.purge(nowMs);
  }

  private purge(nowMs: number): void {
    const oldest = nowMs - QUOTA_WINDOW_MS * QUOTA_WINDOWS;
    while (this.windows.length > 0 && this.windows[0]![0] + QUOTA_WINDOW_MS <= oldest) this.windows.shift();
  }

  /** Bytes per second over the kept windows. */
  rate(nowMs: number): number {
    this.purge(nowMs);
    if (this.windows.length === 0) return 0;
    let total = 0;
    for (const [, b] of this.windows) total += b;
    const elapsed = Math.max(nowMs - this.windows[0]![0], (QUOTA_WINDOWS - 1) * QUOTA_WINDOW_MS);
    return (total * 1000) / elapsed;
  }

  isQuotaExceeded(nowMs: number, bytesPerSec: number): boolean {
    return this.rate(nowMs) > bytesPerSec;
  }
}

/**
 * Whether `<direction>.replication.throttled.replicas` (a topic config) throttles this
 * broker's replica of the partition: "*" throttles all, else a list of partition:broker.
 */
export function isThrottledReplica(value: unknown, partition: number, brokerId: number): boolean {
  if (typeof value !== 'string' || value.trim() === '') return false;
  const v = value.trim();
  if (v === '*') return true;
  for (const item of v.split(',')) {
    const [p, b] = item.trim().split(':');
    if (Number(p) === partition && Number(b) === brokerId) return true;
  }
  return false;
}
