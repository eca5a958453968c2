/**
 * Kafka's short names, spelled out. The screen keeps the names Kafka uses (LEO, HW, ISR:
 * they are what the docs, the metrics and the CLI tools say) and explains each on hover and
 * to screen readers through <abbr title>; where space allows the full words are shown.
 */
import type { ReactNode } from 'react';
import './glossary.css';

export const GLOSSARY = {
  LEO: 'log end offset: the offset the next record appended to this replica will get',
  HW: 'high watermark: records below it are on every in-sync replica, and only those can be read by consumers',
  ISR: 'in-sync replicas: the leader and the followers that have caught up with it (within replica.lag.time.max.ms)',
  start: 'log start offset: the oldest offset still in the log (retention and deleteRecords move it up)',
  ep: 'leader epoch: how many times the partition has had a new leader; a replica that sees a higher epoch follows the new leader',
} as const;

export type Term = keyof typeof GLOSSARY;

/** A short name with its meaning on hover; children replace the visible text if given. */
export function Abbr({ term, children }: { term: Term; children?: ReactNode }) {
  return (
    <abbr className="term" title={GLOSSARY[term]}>
      {children ?? term}
    </abbr>
  );
}
