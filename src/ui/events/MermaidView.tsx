/**
 * Renders Mermaid source as SVG. Mermaid is large, so it is loaded only when a diagram is
 * first shown (a separate chunk of the build: it still works offline). securityLevel
 * 'strict' has Mermaid sanitize what it draws; the source itself is built by
 * toMermaidSequence, which strips Mermaid syntax out of names.
 */
import { useEffect, useRef, useState } from 'react';

let renderSeq = 0;

export function MermaidView({ source, label }: { source: string; label: string }) {
  const ref = useRef<HTMLDivElement>(null);
  const [error, setError] = useState<string | null>(null);
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
      <div ref={ref} className="mermaid-view" role="img" aria-label={label} data-testid="mermaid-view" />
      {error && (
        <p className="form-error" role="alert">
          The diagram could not be drawn: {error}
        </p>
      )}
    </>
  );
}
