#!/bin/bash
# What a tree's cluster makes the young-generation GC do over a span of virtual time: scavenges,
# bytes promoted to the old generation, and the scavenges' and full GCs' pauses, from V8's
# --trace-gc-nvp lines (bench/cpu-span.ts runs the span).
#
#   bench/gc-promoted.sh TREE brokers partitions [spanMs=20000] [runs=2]
#
# Bytes promoted are nearly the same run after run (measured at 6 x 50 over 20 virtual s:
# 45.3 and 45.5 MB), where CPU time on the shared machine swings 1.3-2.1 s with the host's
# load: use them to compare two trees' memory layouts (objects the logs keep survive two
# scavenges and are copied twice; old-space pages they fill are fresh, a page fault each),
# then confirm a CPU difference with bench/cpu-ab.sh. Measured with it: dropping the
# segments' `bases` array took 6 x 50 from 45.4 to 33 MB promoted and 9% fewer page faults,
# with no CPU difference that 8 alternating runs could see.
set -euo pipefail
tree=$(cd "$1" && pwd); b=$2; p=$3; span=${4:-20000}; runs=${5:-2}
here=$(cd "$(dirname "$0")/.." && pwd)
for i in $(seq 1 "$runs"); do
  (cd "$here" && node --trace-gc-nvp --import tsx bench/cpu-span.ts "$tree" "$b" "$p" "$span") 2>&1 | awk -v b="$b" -v p="$p" '
    function field(k,   m) { return match($0, " " k "=[0-9.]+") ? substr($0, RSTART + length(k) + 2, RLENGTH - length(k) - 2) : 0 }
    / gc=s / { n++; promoted += field("promoted"); spause += field("pause") }
    / gc=(mc|mmc) / { mpause += field("pause") }
    /^cpu / { cpu = $2 }
    END { printf "%sx%s: %d scavenges, %.1f MB promoted, scavenge pause %.0f ms, full GC pause %.0f ms, cpu %s s (warm-up included but cpu)\n", b, p, n, promoted / 1e6, spause, mpause, cpu }'
done
