#!/usr/bin/env bash
# Speed and memory of steady-state 4 KiB random writes (issue #2's figures):
#  1. a 64 GiB device (op 0.28, media=none, timing on) and the bare greedy
#     loop in the same run: media writes per wall second and their ratio;
#     RAM per 4 KiB of capacity;
#  2. callgrind instructions per host write in steady state: two runs on a
#     4 GiB device that differ only in how long they measure, so start-up,
#     fill and warm-up cancel out of the difference.
# usage: bench/speed.sh [BUILD_DIR] [LOGICAL_GIB]
set -euo pipefail
build=${1:-build}
gib=${2:-64}
cd "$(dirname "$0")/.."
export VSSD_PROFILE_DIR=$PWD/profiles
bench=$build/bench/bench_speed

echo "== speed and memory, ${gib} GiB"
"$bench" "$gib" 50

if ! command -v valgrind >/dev/null; then
	echo "== callgrind: valgrind not installed, skipped"
	exit 0
fi
echo "== callgrind instructions per host write (4 GiB device, steady state)"
declare -A ir writes
for pct in 100 200; do
	out=$(valgrind --tool=callgrind --callgrind-out-file=/dev/null "$bench" 4 "$pct" vssd 2>&1)
	ir[$pct]=$(echo "$out" | sed -n 's/.*Collected : \([0-9]*\).*/\1/p')
	writes[$pct]=$(echo "$out" | sed -n 's/.*(\([0-9]*\) host writes.*/\1/p')
done
awk -v a="${ir[100]}" -v b="${ir[200]}" -v wa="${writes[100]}" -v wb="${writes[200]}" \
	'BEGIN { printf "%.0f instructions per host write (%d more host writes cost %.0f more instructions)\n", (b - a) / (wb - wa), wb - wa, b - a }'
