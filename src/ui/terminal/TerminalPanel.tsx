/**
 * The Kafka command line: a panel at the bottom of the page with a terminal (xterm.js).
 * xterm.js and its CSS are loaded by dynamic import the first time the panel opens: they
 * are about 300 KB that most visits never need, so they stay out of the main bundle.
 * Closing the panel hides it; the session (and a consumer still running in it) stays.
 */
import { useEffect, useRef, useState } from 'react';
import { useUiStore } from '../../state/ui-store';
import { browserCliContext } from './browser-context';
import { TerminalSession } from './session';
import './terminal.css';

export function TerminalPanel() {
  const open = useUiStore((s) => s.terminalOpen);
  const [everOpened, setEverOpened] = useState(false);
  useEffect(() => {
    if (open) setEverOpened(true);
  }, [open]);
  if (!everOpened && !open) return null;
  return <TerminalBody open={open} />;
}

function TerminalBody({ open }: { open: boolean }) {
  const host = useRef<HTMLDivElement>(null);
  const focusRef = useRef<(() => void) | null>(null);
  const fitRef = useRef<(() => void) | null>(null);
  const [transcript, setTranscript] = useState('');
  const [completed, setCompleted] = useState(0);
  const [state, setState] = useState<'loading' | 'ready' | 'failed'>('loading');
  const [failure, setFailure] = useState('');
  const close = () => useUiStore.getState().setTerminalOpen(false);

  useEffect(() => {
    let disposed = false;
    let cleanup = () => undefined as void;
    (async () => {
      try {
        const [{ Terminal }, { FitAddon }] = await Promise.all([import('@xterm/xterm'), import('@xterm/addon-fit'), import('@xterm/xterm/css/xterm.css')]);
        if (disposed || !host.current) return;
        const term = new Terminal({
          fontFamily: "ui-monospace, 'SFMono-Regular', Menlo, Consolas, 'Liberation Mono', monospace",
          fontSize: 13,
          cursorBlink: true,
          scrollback: 5000,
          convertEol: false,
          theme: { background: '#1d2330', foreground: '#e6e9ef', cursor: '#f59e0b' },
        });
        const fit = new FitAddon();
        term.loadAddon(fit);
        term.open(host.current);
        fit.fit();
        const session = new TerminalSession(term, browserCliContext());
        let pending = 0;
        session.onTranscript = () => {
          // One update per frame at most: a consumer can print thousands of lines a second.
          // The frame shows the transcript as it is then, not as it was when it was scheduled.
          if (pending) return;
          pending = requestAnimationFrame(() => {
            pending = 0;
            setTranscript(session.transcript);
          });
        };
        // A finished command's output is in the transcript in the same render as the count.
        session.onCompleted = (n) => {
          setTranscript(session.transcript);
          setCompleted(n);
        };
        term.onData((d) => session.input(d));
        // Escape leaves the terminal (the keys typed in it are the terminal's, not the app's shortcuts).
        term.attachCustomKeyEventHandler((e) => {
          if (e.type === 'keydown' && e.key === 'Escape') {
            close();
            return false;
          }
          return true;
        });
        session.start();
        focusRef.current = () => term.focus();
        fitRef.current = () => {
          try {
            fit.fit();
          } catch {
            /* not laid out yet */
          }
        };
        const ro = new ResizeObserver(() => fitRef.current?.());
        ro.observe(host.current);
        setState('ready');
        term.focus();
        cleanup = () => {
          ro.disconnect();
          session.dispose();
          term.dispose();
        };
      } catch (e) {
        setFailure(e instanceof Error ? e.message : String(e));
        setState('failed');
      }
    })();
    return () => {
      disposed = true;
      cleanup();
    };
  }, []);

  useEffect(() => {
    if (open) {
      fitRef.current?.();
      focusRef.current?.();
    }
  }, [open]);

  return (
    <section className={`terminal-panel${open ? '' : ' terminal-hidden'}`} aria-label="Kafka command line" data-testid="terminal-panel" data-completed={completed} hidden={!open}>
      <header className="terminal-head">
        <span className="terminal-title">Kafka command line</span>
        <span className="terminal-hint">kafka-topics.sh, kafka-console-producer.sh, … · Tab completes · Esc closes</span>
        <button type="button" className="btn-ghost terminal-close" onClick={close} aria-label="Close the command line" data-testid="terminal-close">
          ✕
        </button>
      </header>
      {state === 'loading' && <p className="terminal-status">Loading the terminal…</p>}
      {state === 'failed' && (
        <p className="terminal-status" role="alert">
          The terminal could not be loaded: {failure}
        </p>
      )}
      <div ref={host} className="terminal-host" data-testid="terminal" />
      <pre className="sr-only" aria-live="polite" data-testid="terminal-transcript">
        {transcript}
      </pre>
    </section>
  );
}
