#!/usr/bin/env bash
# Program/erase suspend (issue 19, item 2): 70/30 random 4 KiB reads and
# writes at QD 16 over the first half of a TLC drive (written first), one
# virtual second, with suspend=off (the baseline: a read waits for the
# program or erase on its die) and suspend=on, side by side: read and write
# IOPS and latency, and the read tail with suspend over the tail without.
# The two run at once, one per core. Default: dc_tlc with 128 blocks per
# plane (its 64 dies, an eighth of its blocks).
# usage: bench/suspend.sh [BUILD_DIR] [--profile P] [--set KEY=VALUE]...
set -euo pipefail
build=${1:-build}
shift || true
. "$(dirname "$0")/sim_env.sh"
opts=("$@")
[ ${#opts[@]} -gt 0 ] || opts=(--profile dc_tlc --set blocks_per_plane=128)

cat >"$tmp/mix.fio" <<'EOF'
[fill]
rw=write
bs=128k
iodepth=32
size=50%
[mix]
stonewall
rw=randrw
rwmixread=70
bs=4k
size=50%
iodepth=16
time_based
runtime=1
EOF
for s in off on; do
	"$vssd" sim "${opts[@]}" --set suspend=$s --json "$tmp/mix.fio" >"$tmp/$s.json" &
done
wait
echo "70/30 random read/write, 4 KiB, QD 16 (${opts[*]})"
printf "%-8s %9s %9s %9s %9s %10s %9s %9s %9s\n" suspend "read IOPS" "mean us" "p50 us" \
	"p99 us" "p99.9 us" "wr IOPS" "wr mean" "wr p99"
for s in off on; do
	jq -r --arg s "$s" '.jobs[1] as $j | $j.read.clat_ns.percentile as $r |
		[$s, $j.read.iops, $j.read.lat_ns.mean / 1e3, $r["50.000000"] / 1e3,
		 $r["99.000000"] / 1e3, $r["99.900000"] / 1e3, $j.write.iops,
		 $j.write.lat_ns.mean / 1e3, $j.write.clat_ns.percentile["99.000000"] / 1e3] | @tsv' \
		"$tmp/$s.json" |
		awk -F'\t' '{ printf "%-8s %9.0f %9.1f %9.1f %9.1f %10.1f %9.0f %9.1f %9.1f\n",
			$1, $2, $3, $4, $5, $6, $7, $8, $9 }'
done
jq -s -r '.[0].jobs[1].read.clat_ns.percentile as $off | .[1].jobs[1].read.clat_ns.percentile as $on |
	"read p99 on / off: \($on["99.000000"] / $off["99.000000"]), p99.9: \($on["99.900000"] / $off["99.900000"])"' \
	"$tmp/off.json" "$tmp/on.json"
