#!/usr/bin/env bash
# Trace replay speed against queue depth (issue 21): a read-mostly trace of
# N requests (default 1 M; 90% 4 KiB random reads over 4 GiB, one request
# every 5 us), replayed on the default profile at iodepth 1, 32 and 256 with
# its timestamps, and at 32 and 256 with replay_no_stall. Prints each run's
# wall time and replayed I/Os per wall second, and the ratio of iodepth 256
# to iodepth 32 (the baseline, same run): replay should cost the same per
# I/O whatever the depth. Each run is repeated REPEAT times (default 3) and
# the fastest kept: on a shared machine the slower ones measure the others.
# usage: [REPEAT=N] [GAP_TICKS=T] bench/replay.sh [BUILD_DIR] [REQUESTS]
set -euo pipefail
build=${1:-build}
n=${2:-1000000}
cd "$(dirname "$0")/.."
export VSSD_PROFILE_DIR=$PWD/profiles
vssd=$build/vssd
tmp=$(mktemp -d)
trap 'rm -rf "$tmp"' EXIT

# MSR Cambridge CSV: Timestamp (100 ns ticks),Hostname,DiskNumber,Type,Offset,Size,ResponseTime
awk -v n="$n" -v gap="${GAP_TICKS:-50}" 'BEGIN {
	srand(21)
	for (i = 0; i < n; i++) {
		off = int(rand() * 1048576) * 4096
		type = rand() < 0.9 ? "Read" : "Write"
		printf "%.0f,bench,0,%s,%.0f,4096,0\n", 1000000000 + i * gap, type, off
	}
}' >"$tmp/trace.csv"
echo "== replay of $n requests (MSR CSV, 90% reads, $(( ${GAP_TICKS:-50} / 10 )) us apart)"

run() { # iodepth, no_stall (0/1): prints the fastest run's wall seconds and I/Os per wall second
	printf '[replay]\nread_iolog=%s\niodepth=%s\nreplay_no_stall=%s\n' "$tmp/trace.csv" "$1" "$2" \
		>"$tmp/job.fio"
	for _ in $(seq "${REPEAT:-3}"); do
		"$vssd" sim --json "$tmp/job.fio" >"$tmp/out.json"
		jq -r '"\(.sim.wall_s) \(.sim.host_ios_per_wall_s)"' "$tmp/out.json"
	done | sort -n | head -1
}
declare -A wall
for mode in 0 1; do
	for qd in 1 32 256; do
		[ "$mode" = 1 ] && [ "$qd" = 1 ] && continue
		read -r w rate < <(run "$qd" "$mode")
		wall[$mode,$qd]=$w
		printf "%-16s iodepth %-4s %8.3f s wall  %10.0f I/Os per wall second\n" \
			"$([ "$mode" = 1 ] && echo replay_no_stall || echo timestamped)" "$qd" "$w" "$rate"
	done
done
awk -v a="${wall[0,256]}" -v b="${wall[0,32]}" -v c="${wall[1,256]}" -v d="${wall[1,32]}" 'BEGIN {
	printf "ratio: iodepth 256 / iodepth 32 wall time = %.2f timestamped, %.2f replay_no_stall\n", a / b, c / d
}'
