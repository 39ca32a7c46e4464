#!/usr/bin/env bash
# GC pacing (issue 19): the demo's steady-state 4 KiB random writes at QD 32
# (jobs/demo.fio: fill, then two drive-writes of random overwrites) with
# gc_pacing=line (NVMeVirt: a victim's NAND work at once) and proportional
# (in slices over the host writes it pays for), side by side: WAF, IOPS and
# write latency of the random-write group, and the tail over the mean. Line
# pacing is the baseline; the two run at once, one per core.
# usage: bench/gc_pacing.sh [BUILD_DIR] [--set KEY=VALUE]...
set -euo pipefail
build=${1:-build}
shift || true
. "$(dirname "$0")/sim_env.sh"

for p in line proportional; do
	"$vssd" sim --profile default --set gc_pacing=$p "$@" --json jobs/demo.fio >"$tmp/$p.json" &
done
wait
echo "default profile, jobs/demo.fio, group 'randwrite' ($*)"
printf "%-13s %8s %8s %9s %9s %9s %9s %9s %11s\n" gc_pacing WAF IOPS "mean ms" "p99 ms" \
	"p99.9 ms" "p99.99 ms" "max ms" "p99.99/mean"
for p in line proportional; do
	jq -r --arg p "$p" '.jobs[1] as $j | .groups[1].device.waf as $w |
		$j.write.clat_ns.percentile as $c |
		[$p, $w, $j.write.iops, $j.write.lat_ns.mean / 1e6, $c["99.000000"] / 1e6,
		 $c["99.900000"] / 1e6, $c["99.990000"] / 1e6, $j.write.lat_ns.max / 1e6,
		 $c["99.990000"] / $j.write.lat_ns.mean] | @tsv' "$tmp/$p.json" |
		awk -F'\t' '{ printf "%-13s %8.3f %8.0f %9.2f %9.2f %9.2f %9.2f %9.2f %11.1f\n",
			$1, $2, $3, $4, $5, $6, $7, $8, $9 }'
done
jq -s -r '"proportional / line: WAF \(.[1].groups[1].device.waf / .[0].groups[1].device.waf), IOPS \(.[1].jobs[1].write.iops / .[0].jobs[1].write.iops)"' \
	"$tmp/line.json" "$tmp/proportional.json"
