#!/usr/bin/env bash
# FDP separation (issue #4): a log-structured stream (sequential, circular
# over its own LBA range) shares the device with uniform random 4 KiB writes
# over another range, both writing at the same rate. Measured WAF without
# FDP, and with each stream on its own reclaim unit handle (initially and
# persistently isolated), at device utilisations of 50% and 100%; plus each
# handle's own WAF (media written into its units / host writes through it).
# usage: bench/fdp_separation.sh [BUILD_DIR] [--set KEY=VALUE]...
set -euo pipefail
build=${1:-build}
shift || true
. "$(dirname "$0")/sim_env.sh"

# job file for utilisation U (percent of the logical capacity in use)
jobs() {
	local u=$1 fdp=$2 half=$(($1 / 2))
	local log="fdp=1
fdp_pli=0" rnd="fdp=1
fdp_pli=1"
	[ "$fdp" = off ] && log="" rnd=""
	cat <<JOB
[global]
iodepth=16
[fill-log]
rw=write
bs=128k
size=${half}%
$log
[fill-rand]
rw=write
bs=128k
offset=${half}%
size=${half}%
$rnd
[log]
stonewall
rw=write
bs=64k
size=${half}%
io_size=$((half * 4))%
$log
[rand]
rw=randwrite
bs=4k
norandommap
offset=${half}%
size=${half}%
io_size=$((half * 4))%
$rnd
[log-measure]
stonewall
rw=write
bs=64k
size=${half}%
io_size=$((half * 3))%
$log
[rand-measure]
rw=randwrite
bs=4k
norandommap
offset=${half}%
size=${half}%
io_size=$((half * 3))%
$rnd
JOB
}

printf "%-11s %-26s %8s %10s %10s\n" "utilisation" "placement" "WAF" "log WAF" "rand WAF"
for u in 50 100; do
	for mode in off initially persistently; do
		jobs "$u" "$([ $mode = off ] && echo off || echo on)" >"$tmp/job.fio"
		set_fdp=()
		[ $mode != off ] && set_fdp=(--set fdp=on --set fdp_nruh=2 --set fdp_ruh_type=$mode)
		"$vssd" sim --json "${set_fdp[@]}" "$@" "$tmp/job.fio" >"$tmp/out.json"
		jq -r --arg u "$u%" --arg m "$mode" '
			def hw(h): if h.host_write_bytes > 0 then h.media_write_bytes / h.host_write_bytes else 0 end;
			.groups[-1].device.waf as $w
			| (if .device.fdp then [hw(.device.fdp.handles[0]), hw(.device.fdp.handles[1])] else [null, null] end) as $h
			| [$u, (if $m == "off" then "none (one write pointer)" else "fdp, \($m) isolated" end), $w,
			   (if $h[0] then $h[0] else "-" end), (if $h[1] then $h[1] else "-" end)]
			| "\(.[0])         \(.[1] | . + " " * (26 - length)) \(.[2] | tostring | .[0:6])   \(.[3] | tostring | .[0:6])     \(.[4] | tostring | .[0:6])"' "$tmp/out.json"
	done
done
echo "(WAF: the measured group; log/rand WAF: whole run, media written into the handle's units over host writes through it; with initially isolated handles GC writes go to shared units and count in no handle)"
