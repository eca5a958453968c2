/**
 * One edge type for produce, replication and consumption: a bezier path coloured by kind
 * and tone, with an HTML label. Replication labels sit near the follower, in the gap between
 * brokers, so a label is never hidden behind a broker the edge passes under.
 */
import { memo } from 'react';
import { BaseEdge, EdgeLabelRenderer, Position, getBezierPath, type EdgeProps } from '@xyflow/react';
import type { FlowEdge } from './flow';

const NEAR_TARGET_PX = 36;

export const KafkaEdge = memo(function KafkaEdge(props: EdgeProps<FlowEdge>) {
  const { id, sourceX, sourceY, targetX, targetY, sourcePosition, targetPosition, data, markerEnd } = props;
  const [path, midX, midY] = getBezierPath({ sourceX, sourceY, sourcePosition, targetX, targetY, targetPosition });
  let x = midX;
  let y = midY;
  if (data?.labelAt === 'target') {
    x = targetX + (targetPosition === Position.Left ? -NEAR_TARGET_PX : targetPosition === Position.Right ? NEAR_TARGET_PX : 0);
    y = targetY + (targetPosition === Position.Top ? -18 : targetPosition === Position.Bottom ? 18 : 0);
  }
  const kind = data?.kind ?? 'produce';
  const tone = data?.tone ?? 'normal';
  const heavy = (data?.rate ?? 0) >= 50;
  return (
    <>
      <BaseEdge id={id} path={path} markerEnd={markerEnd} className={`kedge kedge-${kind} tone-${tone}${heavy ? ' heavy' : ''}`} />
      {data?.label && (
        <EdgeLabelRenderer>
          <div
            className={`edge-label edge-label-${kind} tone-${tone}`}
            style={{ transform: `translate(-50%, -50%) translate(${x}px, ${y}px)` }}
            data-testid={`edge-label-${id}`}
          >
            {data.label}
          </div>
        </EdgeLabelRenderer>
      )}
    </>
  );
});

export const edgeTypes = { kafka: KafkaEdge };
