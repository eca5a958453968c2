/**
 * A partition's log as a table, newest first, read from the worker (`requestLog`) while it
 * is on screen. The high watermark, the last stable offset (when an open transaction holds
 * it below the HW) and the log start offset are drawn as marker rows; records above the
 * high watermark are not committed yet and say so. Transaction markers (control records)
 * are rows of their own, COMMIT or ABORT; records in a transaction are tagged with their
 * producer id. Values are React text, never HTML.
 */
import { Fragment, useEffect, useState } from 'react';
import type { RecordView } from '../../kafka/snapshot';
import { getWorkerClient } from '../../state/worker-client';
import { useUiStore } from '../../state/ui-store';
import type { LogResult } from '../../worker/protocol';
import { formatTime } from '../events/phrase';

const POLL_MS = 400;
const LIMIT = 100;

function headersText(h: RecordView['headers']): string {
  return h ? Object.entries(h).map(([k, v]) => `${k}=${v}`).join(', ') : '';
}

export function PartitionLog({ topic, partition, broker }: { topic: string; partition: number; broker?: number }) {
  const [log, setLog] = useState<LogResult | null | 'loading'>('loading');
  // The record a produce just wrote here, if any (its outcome's toast points at it).
  const highlight = useUiStore((st) => st.highlight);
  const highlighted = highlight && highlight.topic === topic && highlight.partition === partition ? highlight.offset : null;
  useEffect(() => {
    let alive = true;
    setLog('loading');
    const read = () => {
      const client = getWorkerClient();
      if (!client) return;
      client
        .requestLog(topic, partition, broker === undefined ? { limit: LIMIT } : { broker, limit: LIMIT })
        .then((r) => alive && setLog(r))
        .catch(() => alive && setLog(null));
    };
    read();
    const timer = setInterval(read, POLL_MS);
    return () => {
      alive = false;
      clearInterval(timer);
    };
  }, [topic, partition, broker]);

  if (log === 'loading') return <p className="muted">Reading the log…</p>;
  if (log === null) return <p className="muted">No replica of this partition to read.</p>;
  const records = [...log.records].reverse();
  const reachedStart = log.records.length === 0 || log.records[0]!.offset <= log.logStartOffset;
  return (
    <div className="log-view" data-testid="partition-log">
      <p className="log-caption">
        Broker {log.broker}'s replica: log start <strong data-testid="log-start">{log.logStartOffset}</strong> · high watermark{' '}
        <strong data-testid="log-hw">{log.highWatermark}</strong>
        {log.lastStableOffset !== undefined && (
          <>
            {' '}
            · last stable offset{' '}
            <strong data-testid="log-lso" title="read_committed consumers read below the last stable offset: the first offset of the oldest open transaction, or the high watermark">
              {log.lastStableOffset}
            </strong>
          </>
        )}{' '}
        · log end <strong data-testid="log-leo">{log.logEndOffset}</strong>
        {log.logEndOffset - log.logStartOffset > LIMIT ? ` · newest ${LIMIT} shown` : ''}
      </p>
      <div className="table-scroll">
        <table className="data-table log-table">
          <thead>
            <tr>
              <th scope="col">Offset</th>
              <th scope="col">Key</th>
              <th scope="col">Value</th>
              <th scope="col">Timestamp</th>
              <th scope="col">Headers</th>
            </tr>
          </thead>
          <tbody>
            {records.length === 0 && (
              <tr>
                <td colSpan={5} className="muted">
                  empty
                </td>
              </tr>
            )}
            {records.map((r, i) => {
              const uncommitted = r.offset >= log.highWatermark;
              const lso = log.lastStableOffset;
              const next = records[i + 1];
              // The LSO line, when an open transaction holds it below the HW: under its first record.
              const lsoBelow = lso !== undefined && lso < log.highWatermark && r.offset >= lso && (next === undefined || next.offset < lso);
              // The HW line goes under the lowest uncommitted record (or above the first committed one).
              const hwBelow = uncommitted && (next === undefined || next.offset < log.highWatermark);
              const hwAbove = i === 0 && !uncommitted;
              return (
                <Fragment key={r.offset}>
                  {hwAbove && <MarkerRow text={`high watermark ${log.highWatermark}: everything below is committed`} kind="hw" />}
                  <tr
                    className={[uncommitted ? 'uncommitted' : '', r.offset === highlighted ? 'produced' : '', r.control ? `control control-${r.control.toLowerCase()}` : '', r.transactional && !r.control ? 'transactional' : ''].join(' ').trim() || undefined}
                    data-testid={`log-row-${r.offset}`}
                    data-control={r.control}
                    aria-current={r.offset === highlighted ? 'true' : undefined}
                    title={r.offset === highlighted ? 'the record you just produced' : r.control ? `${r.control} marker of producer id ${r.transactional?.producerId ?? '?'}: a control record, never handed to consumers` : r.transactional ? `in a transaction of producer id ${r.transactional.producerId}` : undefined}
                  >
                    <td className="num">{r.offset}</td>
                    {r.control ? (
                      <td className="mono control-cell" colSpan={2}>
                        <span className="control-badge">{r.control}</span> marker · producer id {r.transactional?.producerId ?? '?'}
                      </td>
                    ) : (
                      <>
                        <td className="mono">
                          {r.key ?? <span className="muted">null</span>}
                          {r.transactional && <span className="txn-badge" title={`in a transaction of producer id ${r.transactional.producerId}`}>txn</span>}
                        </td>
                        <td className="mono value" title={r.value ?? 'null (tombstone)'}>
                          {r.value ?? <span className="muted">null</span>}
                        </td>
                      </>
                    )}
                    <td className="num">{formatTime(r.timestamp)}</td>
                    <td className="mono headers" title={headersText(r.headers)}>
                      {headersText(r.headers)}
                    </td>
                  </tr>
                  {hwBelow && <MarkerRow text={`high watermark ${log.highWatermark}: above, not committed yet`} kind="hw" />}
                  {lsoBelow && <MarkerRow text={`last stable offset ${lso}: an open transaction starts here; read_committed consumers read only below`} kind="lso" />}
                </Fragment>
              );
            })}
            {reachedStart && <MarkerRow text={`log start offset ${log.logStartOffset}`} kind="start" />}
          </tbody>
        </table>
      </div>
    </div>
  );
}

function MarkerRow({ text, kind }: { text: string; kind: 'hw' | 'start' | 'lso' }) {
  return (
    <tr className={`marker marker-${kind}`} data-testid={`marker-${kind}`}>
      <td colSpan={5}>{text}</td>
    </tr>
  );
}
