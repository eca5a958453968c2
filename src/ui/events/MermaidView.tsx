/**
 * Renders Mermaid source as SVG. Mermaid is large, so it is loaded only when a diagram is
 * first shown (a separate chunk of the build: it still works offline). securityLevel
 * 'strict' has Mermaid sanitize what it draws; the source itself is built by
 * toMermaidSequence, which strips Mermaid syntax out of names.
 *
 * The drawing is scaled to the dialog's width (it can be thousands of pixels wide: one
 * column per participant, messages as long as their text) and scrolls inside the dialog
 * when tall; "Actual size" shows it unscaled, scrolling both ways.
 */
import { useEffect, useRef, useState } from 'react';
import './mermaid-view.css';

let renderSeq = 0;

export function MermaidView({ source, label }: { source: string; label: string }) {
  const ref = useRef<HTMLDivElement>(null);
  const [error, setError] = useState<string | null>(null);
  const [fit, setFit] = useState(true);
  useEffect(() => {
    let cancelled = false;
    void (async () => {
      try {
        const { default: mermaid } = await import('mermaid');
        mermaid.initialize({
          startOnLoad: false,
          securityLevel: 'strict',
          theme: 'neutral',
          fontFamily: 'system-ui, sans-serif',
          sequence: {
            useMaxWidth: false,
            actorFontSize: 13,
            messageFontSize: 12,
            noteFontSize: 12,
            width: 120,
            height: 40,
            actorMargin: 40,
            boxMargin: 6,
            messageMargin: 28,
            mirrorActors: true,
          },
        });
        const { svg } = await mermaid.render(`mermaid-${++renderSeq}`, source);
        if (!cancelled && ref.current) {
          ref.current.innerHTML = svg;
          // The newest events are at the bottom: start there.
          ref.current.scrollTop = ref.current.scrollHeight;
          setError(null);
        }
      } catch (err) {
        if (!cancelled) setError(err instanceof Error ? err.message : String(err));
      }
    })();
    return () => {
      cancelled = true;
    };
  }, [source]);
  return (
    <>
      <div className="mermaid-toolbar">
        <button type="button" className="btn" aria-pressed={!fit} onClick={() => setFit((f) => !f)} data-testid="mermaid-size">
          {fit ? 'Actual size' : 'Fit to width'}
        </button>
      </div>
      <div ref={ref} className={`mermaid-view${fit ? ' fit' : ''}`} role="img" aria-label={label} data-testid="mermaid-view" />
      {error && (
        <p className="form-error" role="alert">
          The diagram could not be drawn: {error}
        </p>
      )}
    </>
  );
}
