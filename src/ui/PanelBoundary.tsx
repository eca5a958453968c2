/**
 * Error boundaries: a render error in one part of the app (the diagram, a panel, a dialog)
 * replaces that part with what failed, in plain text, and two ways on: try drawing it
 * again, or reset the playground (the existing reset, with its confirmation). Without them
 * React unmounts the whole tree and the page goes blank; when the run that causes it was
 * saved, reopening is blank again and *Reset playground* cannot be reached (issue 8).
 *
 * `PanelBoundary` wraps each part inside the app and opens the app's reset dialog;
 * `RootBoundary` wraps the app itself, for an error no panel caught (the toolbar, the frame),
 * and carries its own confirmation since nothing else of the app is left to show one.
 */
import { Component, useState, type ReactNode } from 'react';
import { useUiStore } from '../state/ui-store';
import { resetPlayground } from './storage/StorageNotices';

function describe(error: unknown): string {
  if (error instanceof Error) return `${error.name}: ${error.message}`;
  return String(error);
}

interface BoundaryState {
  error: unknown;
  failed: boolean;
}

interface PanelBoundaryProps {
  /** Test id prefix and what the message calls the part ("diagram", "inspector"). */
  name: string;
  label: string;
  /** The failed part keeps its place in the layout (the grid area's class). */
  className?: string;
  /** Floating (for overlays: dialogs, menus, notices), instead of filling the part's place. */
  floating?: boolean;
  children: ReactNode;
}

export class PanelBoundary extends Component<PanelBoundaryProps & { resetSeq: number }, BoundaryState> {
  override state: BoundaryState = { error: null, failed: false };

  static getDerivedStateFromError(error: unknown): BoundaryState {
    return { error, failed: true };
  }

  override componentDidUpdate(prev: { resetSeq: number }): void {
    // After a confirmed reset the cause is most likely gone: draw again.
    if (this.state.failed && prev.resetSeq !== this.props.resetSeq) this.retry();
  }

  private retry = () => this.setState({ error: null, failed: false });

  override render(): ReactNode {
    if (!this.state.failed) return this.props.children;
    const { name, label, className, floating } = this.props;
    return (
      <section
        className={`panel-failure${floating ? ' floating' : ''}${className ? ` ${className}` : ''}`}
        role="alert"
        data-testid={`${name}-error`}
        aria-label={`The ${label} failed`}
      >
        <strong>The {label} could not be drawn.</strong>
        <pre className="panel-failure-message" data-testid={`${name}-error-message`}>
          {describe(this.state.error)}
        </pre>
        <p>The cluster itself runs on. Try drawing it again; if it fails again, resetting the playground starts over from the default cluster.</p>
        <div className="panel-failure-actions">
          <button type="button" className="btn" onClick={this.retry} data-testid={`${name}-retry`}>
            Try again
          </button>
          <button type="button" className="btn btn-danger" onClick={() => useUiStore.getState().openReset()} data-testid={`${name}-reset`}>
            Reset playground…
          </button>
        </div>
      </section>
    );
  }
}

/** A PanelBoundary that retries after a confirmed reset. */
export function Boundary(props: PanelBoundaryProps) {
  const resetSeq = useUiStore((s) => s.resetSeq);
  return <PanelBoundary {...props} resetSeq={resetSeq} />;
}

function RootFallback({ error, retry }: { error: unknown; retry: () => void }) {
  const [confirming, setConfirming] = useState(false);
  return (
    <main className="root-failure" role="alert" data-testid="app-failure">
      <h1>The playground could not be drawn</h1>
      <pre className="panel-failure-message">{describe(error)}</pre>
      {confirming ? (
        <>
          <p>
            This deletes everything this browser saved of the playground: every topic and record, consumer offsets, the
            timeline and the diagram layout. The default cluster starts again. This cannot be undone.
          </p>
          <div className="panel-failure-actions">
            <button type="button" className="btn" onClick={() => setConfirming(false)}>
              Cancel
            </button>
            <button
              type="button"
              className="btn btn-danger"
              data-testid="app-failure-reset-confirm"
              onClick={() => {
                resetPlayground();
                retry();
              }}
            >
              Delete and start over
            </button>
          </div>
        </>
      ) : (
        <div className="panel-failure-actions">
          <button type="button" className="btn" onClick={retry}>
            Try again
          </button>
          <button type="button" className="btn btn-danger" onClick={() => setConfirming(true)} data-testid="app-failure-reset">
            Reset playground…
          </button>
        </div>
      )}
    </main>
  );
}

export class RootBoundary extends Component<{ children: ReactNode }, BoundaryState> {
  override state: BoundaryState = { error: null, failed: false };

  static getDerivedStateFromError(error: unknown): BoundaryState {
    return { error, failed: true };
  }

  override render(): ReactNode {
    if (!this.state.failed) return this.props.children;
    return <RootFallback error={this.state.error} retry={() => this.setState({ error: null, failed: false })} />;
  }
}
