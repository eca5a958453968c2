/** The registry's commands for a selection kind, as buttons (inspector). */
import type { ClusterSnapshot } from '../../kafka/snapshot';
import type { Selection } from '../../state/selection';
import { commandsFor, shortcutLabel } from '../commands';
import { runCommand } from '../command-env';

export function CommandButtons({ snapshot, selection }: { snapshot: ClusterSnapshot; selection: Selection }) {
  const cmds = commandsFor(selection.kind);
  return (
    <div className="command-buttons" role="group" aria-label="Actions">
      {cmds.map((c) => {
        const label = c.label(snapshot, selection);
        return (
          <button
            key={c.id}
            type="button"
            className="btn"
            disabled={!c.enabled(snapshot, selection)}
            onClick={() => runCommand(c)}
            data-testid={`cmd-${c.id}`}
            aria-keyshortcuts={c.shortcut ? shortcutLabel(c.shortcut) : undefined}
            title={c.shortcut ? `${label} (${shortcutLabel(c.shortcut)})` : label}
          >
            {label}
          </button>
        );
      })}
    </div>
  );
}
