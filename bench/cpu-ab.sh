#!/bin/bash
# CPU ratio new/old over a fixed virtual span, separate processes alternating old/new
# (bench/cpu-span.ts): `bench/cpu-ab.sh OLD_TREE NEW_TREE brokers partitions spanMs [pairs=5]`.
# Prints each pair's CPU seconds and ratio, then the median ratio (< 1: the new tree costs less).
set -euo pipefail
old=$(cd "$1" && pwd); new=$(cd "$2" && pwd); b=$3; p=$4; span=$5; pairs=${6:-5}
here=$(cd "$(dirname "$0")/.." && pwd)
# tsx compiles each tree under the tsconfig.json it finds above the file: without one in the
# tree, class fields compile otherwise and the tree runs ~20% slower (measured), a false ratio.
for t in "$old" "$new"; do [[ -f $t/tsconfig.json ]] || { echo "no tsconfig.json in $t: copy the project's (see common.md)" >&2; exit 1; }; done
run() { (cd "$here" && npx tsx bench/cpu-span.ts "$1" "$b" "$p" "$span") | awk '/^cpu/ {print $2}'; }
ratios=(); olds=(); news=()
for i in $(seq 1 "$pairs"); do
  if (( i % 2 )); then o=$(run "$old"); n=$(run "$new"); else n=$(run "$new"); o=$(run "$old"); fi
  r=$(awk -v o="$o" -v n="$n" 'BEGIN {printf "%.3f", n / o}')
  echo "pair $i: old ${o}s new ${n}s ratio $r"
  ratios+=("$r"); olds+=("$o"); news+=("$n")
done
printf '%s\n' "${ratios[@]}" | sort -n | awk -v b="$b" -v p="$p" '{a[NR]=$1} END {print b "x" p " median new/old CPU ratio " a[int((NR+1)/2)]}'
# On this shared machine a run is sometimes ~35% slower for reasons outside it (bimodal, A/A
# measured): the fastest run of each tree is the steadier figure then.
mo=$(printf '%s\n' "${olds[@]}" | sort -n | head -1); mn=$(printf '%s\n' "${news[@]}" | sort -n | head -1)
awk -v b="$b" -v p="$p" -v o="$mo" -v n="$mn" 'BEGIN {printf "%sx%s fastest new/fastest old CPU ratio %.3f (%.4fs / %.4fs)\n", b, p, n / o, n, o}'
