#!/usr/bin/env bash
# FDP reclaim groups (issue #4): two tenants on one drive. A reader does 4 KiB
# random reads (QD 4) over its data while a writer does 4 KiB random writes
# (QD 16) over its own data, enough to keep GC busy. Three runs on the
# default profile (4 ch x 2 dies): the reader alone; both tenants in one
# reclaim group (fdp_nrg=1, a handle each, every die shared); each tenant in
# its own reclaim group (fdp_nrg=2: the reader's data on the dies of LUN 1,
# the writer's on LUN 0; the channels stay shared). Prints the reader's
# latency percentiles, the writer's IOPS and the device's WAF.
# usage: bench/fdp_groups.sh [BUILD_DIR] [--set KEY=VALUE]...
set -euo pipefail
build=${1:-build}
shift || true
. "$(dirname "$0")/sim_env.sh"

# READER_PLI / WRITER_PLI: indices into the handle status list, which runs
# handle by handle, each handle group by group (index = handle x nrg + group)
jobs() {
	local reader_pli=$1 writer_pli=$2 writer=$3
	cat <<JOB
[global]
bs=4k
fdp=1
[fill-reader]
rw=write
bs=128k
iodepth=16
size=40%
fdp_pli=$reader_pli
[fill-writer]
rw=write
bs=128k
iodepth=16
offset=50%
size=40%
fdp_pli=$writer_pli
[churn-writer]
stonewall
rw=randwrite
iodepth=16
offset=50%
size=40%
io_size=60%
fdp_pli=$writer_pli
[reader]
stonewall
rw=randread
iodepth=4
size=40%
time_based
runtime=2s
JOB
	[ "$writer" = yes ] && cat <<JOB
[writer]
rw=randwrite
iodepth=16
offset=50%
size=40%
time_based
runtime=2s
fdp_pli=$writer_pli
JOB
	return 0
}

run() {
	local name=$1 nrg=$2 reader_pli=$3 writer_pli=$4 writer=$5
	shift 5
	jobs "$reader_pli" "$writer_pli" "$writer" >"$tmp/$name.fio"
	"$vssd" sim --set fdp=on --set fdp_nruh=2 --set fdp_nrg="$nrg" "$@" --json \
		"$tmp/$name.fio" >"$tmp/$name.json"
	jq -r --arg name "$name" '
		(.jobs[] | select(.jobname == "reader") | .read) as $r
		| ((.jobs[] | select(.jobname == "writer") | .write.iops) // 0) as $w
		| (.groups[-1].device.waf // 0) as $waf
		| [$name, ($r.clat_ns.percentile["50.000000"] / 1000),
		   ($r.clat_ns.percentile["99.000000"] / 1000),
		   ($r.clat_ns.percentile["99.900000"] / 1000), $r.iops, $w, $waf]
		| "| \(.[0]) | \(.[1]) | \(.[2]) | \(.[3]) | \(.[4] | floor) | \(.[5] | floor) | \(.[6] * 1000 | round / 1000) |"
	' "$tmp/$name.json"
}

echo "| case | reader p50 (us) | p99 (us) | p99.9 (us) | reader IOPS | writer IOPS | WAF (measured group) |"
echo "|---|---|---|---|---|---|---|"
# nrg=2: handle 0 in group 1 is index 1, handle 1 in group 0 is index 2
run reader-alone 2 1 2 no "$@"
run one-group 1 0 1 yes "$@"
run two-groups 2 1 2 yes "$@"
