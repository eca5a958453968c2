/**
 * Builds the environment commands run in from the live stores and the worker client. Read
 * at call time (getState), so a keyboard handler registered once never sees stale state.
 */
import { useClusterStore } from '../state/cluster-store';
import { useUiStore } from '../state/ui-store';
import { getWorkerClient } from '../state/worker-client';
import { downloadScenario, importScenarioFile, openLesson, restartWithDefault, shareLink } from './share';
import { run, type Command, type CommandEnv } from './commands';

export function commandEnv(): CommandEnv {
  const cluster = useClusterStore.getState();
  const ui = useUiStore.getState();
  const client = getWorkerClient();
  return {
    snapshot: cluster.snapshot,
    selection: ui.selection,
    status: cluster.status,
    perform: (action) => client?.perform(action),
    openDialog: (d) => ui.openDialog(d),
    select: (s) => ui.select(s),
    playback: {
      play: () => client?.play(),
      pause: () => client?.pause(),
      step: (ms) => client?.step(ms),
      setSpeed: (speed) => client?.setSpeed(speed),
    },
    time: {
      seek: (t) => client?.seek(t),
      stepBack: (ms) => client?.stepBack(ms),
      seekMarker: (dir) => client?.seekMarker(dir),
      undo: () => client?.undo(),
      redo: () => client?.redo(),
    },
    history: { canUndo: cluster.timeline.canUndo, canRedo: cluster.timeline.canRedo },
    shareLink: () => void shareLink(),
    exportScenario: () => void downloadScenario(),
    importScenario: () => importScenarioFile(),
    restart: () => restartWithDefault(),
    openLesson: (id) => openLesson(id),
    toggleTerminal: () => ui.setTerminalOpen(!useUiStore.getState().terminalOpen),
  };
}

export function runCommand(c: Command): boolean {
  return run(c, commandEnv());
}
