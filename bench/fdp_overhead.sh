#!/usr/bin/env bash
# The cost of FDP in the simulator (issue #4): steady-state 4 KiB random
# writes with fdp=off, then with fdp=on and one handle (every write carrying
# placement ID 0 through the data placement directive), in the same run.
# Prints both speeds and their ratio; the target is no slowdown beyond 10%.
# usage: bench/fdp_overhead.sh [BUILD_DIR] [LOGICAL_GIB]
set -euo pipefail
build=${1:-build}
gib=${2:-16}
cd "$(dirname "$0")/.."
export VSSD_PROFILE_DIR=$PWD/profiles
rate() { "$build/bench/bench_speed" "$gib" 100 vssd "$@" | sed -n 's/^vssd: *\([0-9.]*\) M media.*/\1/p'; }
off=$(rate)
on=$(rate fdp=on fdp_nruh=1)
off2=$(rate)
echo "fdp=off: $off M media writes/s; fdp=on, one handle: $on M; fdp=off again: $off2 M"
awk -v a="$off" -v b="$on" -v c="$off2" 'BEGIN { printf "fdp=on / fdp=off = %.3f (against the mean of both fdp=off runs)\n", b / ((a + c) / 2) }'
