/**
 * One edge type for produce, replication and consumption: a bezier path coloured by kind
 * and tone, with an HTML label. Labels go in the viewport portal, above the nodes (the edge
 * label layer lies under them, and the group containers would veil it); replication labels
 * sit near the follower, in the gap between brokers, so they do not cover a broker.
 */
import React, { memo, useMemo, type ReactNode } from 'react';
import { createPortal } from 'react-dom';
import { BaseEdge, Position, getBezierPath, useStore, type EdgeProps, type ReactFlowState } from '@xyflow/react';
import { isHeavyRate, type FlowEdge } from './flow';
import { useEdgeStore } from '../build/edge-store';
import { useUiStore } from '../../state/ui-store';

const NEAR_TARGET_PX = 36;

const domNodeOf = (s: ReactFlowState) => s.domNode;

/**
 * xyflow's ViewportPortal, with the portal element looked up once: ViewportPortal's store
 * selector runs querySelector on every store update, once per label, which at a few
 * hundred labels was a tenth of the main thread (issue 10 profile).
 */
function LabelPortal({ children }: { children: ReactNode }) {
  const domNode = useStore(domNodeOf);
  const target = useMemo(() => domNode?.querySelector('.react-flow__viewport-portal') ?? null, [domNode]);
  return target ? createPortal(children, target) : null;
}

export const KafkaEdge = memo(function KafkaEdge(props: EdgeProps<FlowEdge>) {
  const { id, sourceX, sourceY, targetX, targetY, sourcePosition, targetPosition, data, markerEnd } = props;
  const [path, midX, midY] = getBezierPath({ sourceX, sourceY, sourcePosition, targetX, targetY, targetPosition });
  let x = midX;
  let y = midY;
  if (data?.labelAt === 'source') {
    x = sourceX;
    y = sourceY + 14;
  } else if (data?.labelAt === 'target') {
    x = targetX + (targetPosition === Position.Left ? -NEAR_TARGET_PX : targetPosition === Position.Right ? NEAR_TARGET_PX : 0);
    y = targetY + (targetPosition === Position.Top ? -13 : targetPosition === Position.Bottom ? 13 : 0);
  }
  // Neighbouring labels on one node's edge are staggered so they do not overlap.
  y -= data?.labelLift ?? 0;
  const kind = data?.kind ?? 'produce';
  const tone = data?.tone ?? 'normal';
  const heavy = isHeavyRate(data?.rate ?? 0);
  const link = data?.link;
  const selected = useEdgeStore((st) => st.selected?.id === id);
  // A load's edge is selected by its label too (under the producer, easier to hit than a line);
  // consumption labels sit on the group's edge, where a palette drop must reach the group.
  const labelEvents = link && kind === 'produce'
    ? {
        onClick: () => {
          useUiStore.getState().select(null);
          useEdgeStore.getState().selectEdge({ id, link });
        },
        onContextMenu: (e: React.MouseEvent) => {
          e.preventDefault();
          useUiStore.getState().select(null);
          useEdgeStore.getState().selectEdge({ id, link });
          useEdgeStore.getState().openMenu({ x: e.clientX, y: e.clientY, link });
        },
      }
    : {};
  return (
    <>
      {/* Only drawn edges (a load, a subscription) take clicks; the others stay out of the way of the nodes. */}
      <BaseEdge id={id} path={path} markerEnd={markerEnd} interactionWidth={link ? 14 : 0} className={`kedge kedge-${kind} tone-${tone}${heavy ? ' heavy' : ''}${selected ? ' is-selected' : ''}`} />
      {data?.label && (
        <LabelPortal>
          <div
            className={`edge-label edge-label-${kind} tone-${tone}${link ? ' has-link' : ''}${selected ? ' is-selected' : ''}`}
            style={{ transform: `translate(-50%, -50%) translate(${x}px, ${y}px)` }}
            data-testid={`edge-label-${id}`}
            data-selected={selected ? 'true' : undefined}
            title={link ? `${LABEL_MEANING[kind]}. Select it and press Delete, or right-click, to ${link.kind === 'load' ? 'stop the load' : 'unsubscribe'}.` : LABEL_MEANING[kind]}
            {...labelEvents}
          >
            {data.label}
          </div>
        </LabelPortal>
      )}
    </>
  );
});

/** What an edge's label measures, on hover (a consumer's lag is not the group's committed lag). */
const LABEL_MEANING: Record<string, string> = {
  produce: 'Records per second sent to this partition leader',
  replication: "How many offsets this follower's log end is behind the leader's",
  consumption: "records-lag: the high watermark minus this consumer's position (the group's LAG counts from the committed offset)",
};

export const edgeTypes = { kafka: KafkaEdge };
