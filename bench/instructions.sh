#!/bin/bash
# Instructions a scale workload runs in a window of virtual time, counted by valgrind (callgrind),
# for before/after comparisons that the shared machine's load cannot blur. Measured: the same
# tree at 12 x 200 gave 688, 739, 782, 810, 822 and 943 M in separate runs (the window's count is
# the difference of two much larger counts), so run each tree several times and compare medians;
# a single pair says nothing under ~15%. They miss cache misses, which matter at 50 x 1,000:
# confirm a change there with bench/cpu-ab.sh (many pairs) or a profile too.
#
#   bench/instructions.sh TREE brokers partitions [warmMs=1000] [windowMs=500] [rate=20000]
#
# TREE is a directory holding src/ and bench/ (e.g. `git archive main src bench | tar -x -C /tmp/old`).
# The tree is bundled with esbuild (no loader thread) and run with --single-threaded --predictable;
# the window's count is the difference of two runs (warm only, warm + window).
set -euo pipefail
tree=$(cd "$1" && pwd); b=$2; p=$3; warm=${4:-1000}; win=${5:-500}; rate=${6:-20000}
here=$(cd "$(dirname "$0")/.." && pwd)
out=$(mktemp -d)
cat > "$tree/.instructions-entry.ts" <<'EOT'
import { Cluster } from './src/kafka/cluster';
import { scaleScenario } from './bench/workload';
const [b, p, warm, ms, rate] = process.argv.slice(2).map(Number);
const c = new Cluster(scaleScenario(b!, p!, rate!, 1e9));
c.runUntil(warm!);
c.runUntil(warm! + ms!);
EOT
"$here/node_modules/.bin/esbuild" "$tree/.instructions-entry.ts" --bundle --platform=node --format=esm --outfile="$out/run.mjs" --log-level=warning
rm "$tree/.instructions-entry.ts"
count() { valgrind --tool=callgrind --callgrind-out-file=/dev/null --smc-check=all-non-file node --single-threaded --predictable "$out/run.mjs" "$b" "$p" "$warm" "$1" "$rate" 2>&1 | awk '/Collected/ {print $4}'; }
base=$(count 0); total=$(count "$win")
echo "$1 ${b}x${p} at $rate/s: $(( (total - base) / 1000000 )) M instructions in ${win} virtual ms (after ${warm} ms)"
rm -rf "$out"
