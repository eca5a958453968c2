/**
 * The message browser: a topic's records (one partition or all) as a consumer would see
 * them, read by the worker from each partition's leader up to the high watermark
 * (src/kafka/browse.ts), a page at a time. From the newest, the oldest, an offset, a
 * timestamp, or live (the newest page again with every snapshot); filtered by key, value
 * text and header; values that are JSON are pretty-printed when a row is opened; the
 * records loaded export as CSV or JSON.
 *
 * Not modal: the timeline stays usable, and a seek or step while paused reads again at the
 * moment shown. Everything is React text (never HTML), with control and direction
 * characters shown as escapes.
 */
import { Fragment, useCallback, useEffect, useRef, useState, type FormEvent } from 'react';
import { createPortal } from 'react-dom';
import type { BrowseFilter, BrowseRequest, BrowseResult, BrowseStart, BrowsedRecord } from '../../kafka/browse';
import { useClusterStore } from '../../state/cluster-store';
import { useUiStore } from '../../state/ui-store';
import { getWorkerClient } from '../../state/worker-client';
import { formatTime } from '../events/phrase';
import './browser.css';
import { download, exportName, parseHeaderFilter, parseTimeInput, prettyJson, toCsv, toJsonExport, visibleBlock, visibleText } from './format';

type Mode = 'newest' | 'oldest' | 'offset' | 'timestamp' | 'live';

const LIMITS = [50, 100, 500, 1000];
const PREVIEW_CHARS = 160;
const LIVE_EVERY_MS = 200;

interface Query {
  request: BrowseRequest;
  mode: Mode;
}

/** The form's fields as a request, or the problem with them. */
function buildQuery(
  topic: string,
  partition: number | undefined,
  f: { mode: Mode; offset: string; time: string; key: string; value: string; header: string; limit: number },
): Query | string {
  let start: BrowseStart;
  switch (f.mode) {
    case 'newest':
    case 'live':
      start = { from: 'newest' };
      break;
    case 'oldest':
      start = { from: 'oldest' };
      break;
    case 'offset': {
      const t = f.offset.trim();
      if (!/^\d+$/.test(t)) return `Offset must be a whole number of 0 or more (got "${f.offset}").`;
      start = { from: 'offset', offset: Number(t) };
      break;
    }
    case 'timestamp': {
      const ms = parseTimeInput(f.time);
      if (ms === null) return `Timestamp must be a virtual time like 12.5 s, 1:05.000 or 12500 (ms) (got "${f.time}").`;
      start = { from: 'timestamp', timestamp: ms };
      break;
    }
  }
  const filter: BrowseFilter = {};
  if (f.key !== '') filter.key = f.key;
  if (f.value !== '') filter.value = f.value;
  const h = parseHeaderFilter(f.header);
  if (h) {
    filter.headerKey = h.key;
    if (h.value !== undefined) filter.headerValue = h.value;
  }
  const request: BrowseRequest = { topic, start, limit: f.limit, filter };
  if (partition !== undefined) request.partitions = [partition];
  return { request, mode: f.mode };
}

export function MessageBrowser({ topic, partition: initialPartition }: { topic: string; partition?: number | undefined }) {
  const close = useUiStore((s) => s.closeDialog);
  const snapshot = useClusterStore((s) => s.snapshot);
  const playing = useClusterStore((s) => s.status.playing);
  const now = snapshot?.time ?? 0;
  const partitionCount = snapshot?.topics.find((t) => t.name === topic)?.partitions ?? 0;

  const [partition, setPartition] = useState<number | undefined>(initialPartition);
  const [mode, setMode] = useState<Mode>('newest');
  const [offset, setOffset] = useState('0');
  const [time, setTime] = useState('0 s');
  const [key, setKey] = useState('');
  const [value, setValue] = useState('');
  const [header, setHeader] = useState('');
  const [limit, setLimit] = useState(100);
  const [problem, setProblem] = useState<string | null>(null);

  const [query, setQuery] = useState<Query | null>(null);
  const [result, setResult] = useState<BrowseResult | null>(null);
  const [records, setRecords] = useState<BrowsedRecord[]>([]);
  const [busy, setBusy] = useState(false);
  /** Answers received (a page or a problem): lets a watcher know a read finished. */
  const [answers, setAnswers] = useState(0);
  const [open, setOpen] = useState<string | null>(null);
  const inFlight = useRef(false);
  /** A read asked for while one was on its way: done when that one answers (live never misses the last moment). */
  const queued = useRef<{ q: Query; more: BrowseResult | null } | null>(null);
  const panel = useRef<HTMLElement>(null);

  /** Reads the first page of a query (replacing what is shown), or the next one (appending). */
  const read = useCallback((q: Query, more: BrowseResult | null) => {
    const client = getWorkerClient();
    if (!client) return;
    if (inFlight.current) {
      queued.current = { q, more };
      return;
    }
    inFlight.current = true;
    setBusy(true);
    const request = more ? { ...q.request, resume: more.resume } : q.request;
    const next = () => {
      inFlight.current = false;
      setAnswers((n) => n + 1);
      const q2 = queued.current;
      queued.current = null;
      if (q2) readRef.current(q2.q, q2.more);
      else setBusy(false);
    };
    client.browse(request).then(
      (r) => {
        setProblem(null);
        setResult(r);
        setRecords((prev) => (more ? prev.concat(r.records) : r.records));
        next();
      },
      (err: Error) => {
        setProblem(err.message);
        next();
      },
    );
  }, []);
  const readRef = useRef(read);
  readRef.current = read;

  const submit = (e?: FormEvent) => {
    e?.preventDefault();
    const q = buildQuery(topic, partition, { mode, offset, time, key, value, header, limit });
    if (typeof q === 'string') {
      setProblem(q);
      setAnswers((n) => n + 1);
      return;
    }
    setProblem(null);
    setQuery(q);
    setOpen(null);
    read(q, null);
  };

  // The first read, on opening: the newest records.
  useEffect(() => {
    submit();
    panel.current?.querySelector<HTMLElement>('select, input')?.focus();
    // eslint-disable-next-line react-hooks/exhaustive-deps
  }, []);

  // Live: the newest page again whenever the moment shown changes. Otherwise a change of the
  // moment while paused (a seek, a step, undo) reads the same query again at that moment.
  // Live reads at most every LIVE_EVERY_MS (snapshots come 30 a second), and once more after the last change.
  const lastTime = useRef(now);
  const liveTimer = useRef<ReturnType<typeof setTimeout> | null>(null);
  const queryRef = useRef(query);
  queryRef.current = query;
  useEffect(() => {
    if (now === lastTime.current) return;
    lastTime.current = now;
    if (!query) return;
    if (query.mode === 'live') {
      if (liveTimer.current === null) {
        liveTimer.current = setTimeout(() => {
          liveTimer.current = null;
          const q = queryRef.current;
          if (q?.mode === 'live') readRef.current(q, null);
        }, LIVE_EVERY_MS);
      }
    } else if (!playing) read(query, null);
  }, [now, playing, query, read]);
  useEffect(() => () => {
    if (liveTimer.current !== null) clearTimeout(liveTimer.current);
  }, []);

  // Escape closes (focus anywhere in the panel or on the page outside a field).
  useEffect(() => {
    const onKey = (e: KeyboardEvent) => {
      if (e.key === 'Escape' && !e.defaultPrevented) {
        e.preventDefault();
        close();
      }
    };
    document.addEventListener('keydown', onKey);
    return () => document.removeEventListener('keydown', onKey);
  }, [close]);

  const stale = result !== null && result.now !== now && query?.mode !== 'live';
  const exportMeta = { topic, readAt: result?.now ?? now };
  const offline = result?.partitions.filter((p) => p.leader < 0) ?? [];

  // Over the diagram (the timeline and the inspector stay usable), else over the page.
  const host = document.querySelector('main.center') ?? document.body;
  return createPortal(
    <section ref={panel} className="message-browser" role="dialog" aria-modal="false" aria-labelledby="message-browser-title" data-testid="message-browser" data-answers={answers} aria-busy={busy}>
      <header className="mb-head">
        <h2 id="message-browser-title">
          Messages in <span className="mono">{topic}</span>
        </h2>
        <button type="button" className="btn-ghost" onClick={close} aria-label="Close the message browser" data-testid="mb-close">
          ✕
        </button>
      </header>
      <form className="mb-controls" onSubmit={submit}>
        <label>
          <span>Partition</span>
          <select
            value={partition === undefined ? 'all' : String(partition)}
            onChange={(e) => setPartition(e.target.value === 'all' ? undefined : Number(e.target.value))}
            data-testid="mb-partition"
          >
            <option value="all">All partitions</option>
            {Array.from({ length: Math.min(partitionCount, 1000) }, (_, i) => (
              <option key={i} value={i}>
                {i}
              </option>
            ))}
          </select>
        </label>
        <label>
          <span>From</span>
          <select value={mode} onChange={(e) => setMode(e.target.value as Mode)} data-testid="mb-mode">
            <option value="newest">Newest (newest first)</option>
            <option value="oldest">Oldest</option>
            <option value="offset">Offset…</option>
            <option value="timestamp">Timestamp…</option>
            <option value="live">Live (follow new records)</option>
          </select>
        </label>
        {mode === 'offset' && (
          <label>
            <span>Offset</span>
            <input value={offset} onChange={(e) => setOffset(e.target.value)} inputMode="numeric" size={8} data-testid="mb-offset" />
          </label>
        )}
        {mode === 'timestamp' && (
          <label>
            <span>At or after</span>
            <input value={time} onChange={(e) => setTime(e.target.value)} size={9} placeholder="12.5 s" data-testid="mb-time" />
          </label>
        )}
        <label>
          <span>Key contains</span>
          <input value={key} onChange={(e) => setKey(e.target.value)} size={10} data-testid="mb-key" />
        </label>
        <label>
          <span>Value contains</span>
          <input value={value} onChange={(e) => setValue(e.target.value)} size={12} data-testid="mb-value" />
        </label>
        <label>
          <span>Header</span>
          <input value={header} onChange={(e) => setHeader(e.target.value)} size={12} placeholder="name or name=text" data-testid="mb-header" />
        </label>
        <label>
          <span>Max</span>
          <select value={limit} onChange={(e) => setLimit(Number(e.target.value))} data-testid="mb-limit">
            {LIMITS.map((n) => (
              <option key={n} value={n}>
                {n}
              </option>
            ))}
          </select>
        </label>
        <button type="submit" className="btn btn-primary" data-testid="mb-read">
          Read
        </button>
        <span className="mb-exports">
          <button
            type="button"
            className="btn"
            disabled={records.length === 0}
            onClick={() => download(exportName(topic, 'csv'), toCsv(records), 'text/csv;charset=utf-8')}
            data-testid="mb-export-csv"
          >
            Export CSV
          </button>
          <button
            type="button"
            className="btn"
            disabled={records.length === 0}
            onClick={() => download(exportName(topic, 'json'), toJsonExport(records, exportMeta), 'application/json')}
            data-testid="mb-export-json"
          >
            Export JSON
          </button>
        </span>
      </form>
      {problem && (
        <p className="form-error" role="alert" data-testid="mb-problem">
          {problem}
        </p>
      )}
      <p className="mb-caption" data-testid="mb-caption">
        {query?.mode === 'live' && (
          <span className="mb-live" data-testid="mb-live">
            ● live
          </span>
        )}{' '}
        Read from each partition's leader up to its high watermark: what a consumer would see (records above it are not committed yet).
        {result && (
          <>
            {' '}
            As of <strong data-testid="mb-read-at">{formatTime(result.now)}</strong>: <strong data-testid="mb-count">{records.length}</strong> record
            {records.length === 1 ? '' : 's'}
            {result.budgetHit ? ` (stopped after examining ${result.scanned} records: read on for more)` : ''}.
            {stale && (
              <>
                {' '}
                The run has moved on since.{' '}
                <button type="button" className="link" onClick={() => query && read(query, null)} data-testid="mb-refresh">
                  Read again
                </button>
              </>
            )}
          </>
        )}
      </p>
      {result && (
        <p className="mb-partitions" data-testid="mb-partitions">
          {result.partitions.length <= 12
            ? result.partitions.map((p) => (
                <span key={p.partition} className={`mb-part${p.leader < 0 ? ' offline' : ''}`} data-testid={`mb-part-${p.partition}`}>
                  P{p.partition}:{' '}
                  {p.leader < 0 ? (
                    'no leader, nothing to read'
                  ) : (
                    <>
                      leader {p.leader} · HW {p.highWatermark}
                      {p.logEndOffset > p.highWatermark ? ` · log end ${p.logEndOffset} (${p.logEndOffset - p.highWatermark} not committed)` : ''}
                    </>
                  )}
                </span>
              ))
            : `${result.partitions.length} partitions${offline.length > 0 ? `, ${offline.length} without a leader (nothing to read there)` : ''}`}
        </p>
      )}
      <div className="mb-table table-scroll">
        <table className="data-table" data-testid="mb-table">
          <thead>
            <tr>
              <th scope="col">Partition</th>
              <th scope="col">Offset</th>
              <th scope="col">Timestamp</th>
              <th scope="col">Key</th>
              <th scope="col">Value</th>
              <th scope="col">Headers</th>
            </tr>
          </thead>
          <tbody>
            {records.length === 0 && (
              <tr>
                <td colSpan={6} className="muted" data-testid="mb-empty">
                  {busy ? 'Reading…' : 'No records match.'}
                </td>
              </tr>
            )}
            {records.map((r) => {
              const id = `${r.partition}:${r.offset}`;
              const isOpen = open === id;
              return (
                <Fragment key={id}>
                  <RecordRow r={r} open={isOpen} toggle={() => setOpen(isOpen ? null : id)} />
                  {isOpen && <RecordDetail r={r} />}
                </Fragment>
              );
            })}
          </tbody>
        </table>
      </div>
      {result && !result.exhausted && query && query.mode !== 'live' && (
        <div className="mb-more">
          <button type="button" className="btn" disabled={busy} onClick={() => read(query, result)} data-testid="mb-more">
            {result.direction === 'backward' ? `Older ${query.request.limit ?? 100}` : `Next ${query.request.limit ?? 100}`}
          </button>
        </div>
      )}
    </section>,
    host,
  );
}

function preview(s: string): string {
  const v = visibleText(s.length > PREVIEW_CHARS * 2 ? s.slice(0, PREVIEW_CHARS * 2) : s);
  return v.length > PREVIEW_CHARS ? `${v.slice(0, PREVIEW_CHARS)}…` : v;
}

function headersLine(h: BrowsedRecord['headers']): string {
  return h.map(([k, v]) => `${k}=${v === null ? 'null' : v}`).join(', ');
}

function RecordRow({ r, open, toggle }: { r: BrowsedRecord; open: boolean; toggle(): void }) {
  const json = prettyJson(r.value) !== null;
  return (
    <tr
      className={`mb-row${open ? ' open' : ''}`}
      data-testid={`mb-row-${r.partition}-${r.offset}`}
      data-partition={r.partition}
      data-offset={r.offset}
      data-ts={r.timestamp}
      tabIndex={0}
      aria-expanded={open}
      onClick={toggle}
      onKeyDown={(e) => {
        if (e.key === 'Enter' || e.key === ' ') {
          e.preventDefault();
          toggle();
        }
      }}
    >
      <td className="num">{r.partition}</td>
      <td className="num">{r.offset}</td>
      <td className="num">{formatTime(r.timestamp)}</td>
      <td className="mono">{r.key === null ? <span className="muted">null</span> : preview(r.key)}</td>
      <td className="mono value">
        {json && <span className="mb-badge">JSON</span>}
        {r.value === null ? <span className="muted">null (tombstone)</span> : preview(r.value)}
      </td>
      <td className="mono headers">{preview(headersLine(r.headers))}</td>
    </tr>
  );
}

function RecordDetail({ r }: { r: BrowsedRecord }) {
  const pretty = prettyJson(r.value);
  return (
    <tr className="mb-detail" data-testid={`mb-detail-${r.partition}-${r.offset}`}>
      <td colSpan={6}>
        <dl>
          <dt>Key</dt>
          <dd className="mono">{r.key === null ? 'null' : visibleBlock(r.key)}</dd>
          <dt>Value{pretty !== null ? ' (JSON, pretty-printed)' : ''}</dt>
          <dd>
            {r.value === null ? (
              'null (a tombstone)'
            ) : (
              <pre className="mb-value" data-testid="mb-full-value">
                {visibleBlock(pretty ?? r.value)}
              </pre>
            )}
            {r.valueTruncated && (
              <span className="form-hint">
                Shown: the first {r.value?.length ?? 0} characters of {r.valueBytes} bytes.
              </span>
            )}
          </dd>
          {r.headers.length > 0 && (
            <>
              <dt>Headers</dt>
              <dd>
                <ul className="mb-headers">
                  {r.headers.map(([k, v], i) => (
                    <li key={i} className="mono">
                      {visibleText(k)} = {v === null ? <span className="muted">null</span> : visibleText(v)}
                    </li>
                  ))}
                </ul>
              </dd>
            </>
          )}
        </dl>
      </td>
    </tr>
  );
}
