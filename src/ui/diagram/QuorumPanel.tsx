/**
 * The KRaft controller quorum on the diagram: each voter (controller-only, or the controller
 * role of a combined broker) with its Raft state, epoch and metadata log offsets, the active
 * controller starred; buttons kill / restart / isolate / heal a voter (the timeline ops
 * killController, restartController, isolateController, healController).
 */
import { useClusterStore } from '../../state/cluster-store';
import { getWorkerClient } from '../../state/worker-client';
import './quorum-panel.css';
import type { TimelineAction } from '../../scenario/types';

type ControllerOp = Extract<TimelineAction, { controller: number }>['op'];

function perform(op: ControllerOp, controller: number): void {
  getWorkerClient()?.perform({ op, controller });
}

export function QuorumPanel() {
  const quorum = useClusterStore((s) => s.snapshot?.quorum);
  if (!quorum || quorum.voters.length === 0) return null;
  return (
    <section className="quorum-panel" aria-label="Controller quorum" data-testid="quorum-panel">
      <details>
      <summary className="quorum-head" data-testid="quorum-summary" title="The KRaft controller quorum: open for its voters">
        <strong>KRaft</strong>{' '}
        <span className={`quorum-active${quorum.leaderId >= 0 ? '' : ' none'}`} data-testid="quorum-active">
          {quorum.leaderId >= 0 ? `active controller ${quorum.leaderId}` : 'no active controller'}
        </span>{' '}
        · epoch <span data-testid="quorum-epoch">{quorum.epoch}</span>
      </summary>
      <div className="quorum-drop">
      <p className="quorum-meta">
        {quorum.leaderId >= 0 ? `Controller ${quorum.leaderId} is the active controller (the Raft leader)` : 'No voter leads: without a majority there is no active controller'} in epoch {quorum.epoch}; the metadata log is committed up to offset{' '}
        <span data-testid="quorum-hw">{quorum.highWatermark}</span>.
      </p>
      <ul className="quorum-voters">
        {quorum.nodes.map((n) => {
          const active = n.id === quorum.leaderId;
          return (
            <li key={n.id} className={`quorum-voter state-${n.state}${active ? ' active' : ''}`} data-testid={`voter-${n.id}`} data-state={n.state} data-active={active ? 'true' : 'false'}>
              <span className="voter-name">
                {active ? '★ ' : ''}
                {n.roles === 'controller' ? `controller ${n.id}` : `broker ${n.id} (broker,controller)`}
              </span>
              <span className="voter-state">{n.state}</span>
              <span className="voter-offsets" title="epoch · log end offset · high watermark">
                e{n.epoch} · LEO {n.logEndOffset} · HW {n.highWatermark}
              </span>
              {n.roles === 'controller' && (
                <span className="voter-actions">
                  {n.running ? (
                    <button type="button" className="btn small" aria-label={`Kill controller ${n.id}`} onClick={() => perform('killController', n.id)}>
                      Kill
                    </button>
                  ) : (
                    <button type="button" className="btn small" aria-label={`Restart controller ${n.id}`} onClick={() => perform('restartController', n.id)}>
                      Restart
                    </button>
                  )}
                  <button type="button" className="btn small" aria-label={`Isolate controller ${n.id}`} onClick={() => perform('isolateController', n.id)}>
                    Isolate
                  </button>
                  <button type="button" className="btn small" aria-label={`Heal controller ${n.id}`} onClick={() => perform('healController', n.id)}>
                    Heal
                  </button>
                </span>
              )}
            </li>
          );
        })}
      </ul>
      </div>
      </details>
    </section>
  );
}
