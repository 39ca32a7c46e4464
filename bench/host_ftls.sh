#!/usr/bin/env bash
# Every FTL on the same NAND and the same spare (issue 17): the device FTL,
# FDP with initially and with persistently isolated handles, pblk over an
# open-channel device and zftl over a zoned one (ftl=zns-host), each
# `vssd compare`'s default variant. The default profile (6 GiB raw, op 0.07:
# 5.61 GiB for every variant), 4 KiB random overwrites of 80% of the
# capacity after a fill and two passes to reach steady state, uniform
# (jobs/overwrite80_uniform.fio) and hot/cold (jobs/overwrite80_hotcold.fio,
# hot and cold in jobs of their own, so FDP places them apart). Prints the
# measured group of each: WAF (the stack's; the host FTL's part, what the
# device was sent over what the user wrote; the device's part), write
# latency percentiles and IOPS, every figure the same on every run; then
# the simulator's speed on each host FTL against the device FTL's (wall
# clock: the median of ROUNDS runs).
# usage: [ROUNDS=N] bench/host_ftls.sh [BUILD_DIR] [--set KEY=VALUE]...
set -euo pipefail
build=${1:-build}
shift || true
. "$(dirname "$0")/sim_env.sh"

for w in uniform hotcold; do
	job=jobs/overwrite80_$w.fio
	echo "== $w: $vssd compare ${*:+$* }$job (the measured group)"
	"$vssd" compare "$@" "$job" >"$tmp/$w.txt"
	last=$(grep -c '^group ' "$tmp/$w.txt")
	awk -v g="group $((last - 1))" '$0 == g { on = 1; next } on && NF' "$tmp/$w.txt" |
		awk '{ printf "%-18s %8s %9s %8s %9s %10s %11s\n", $1, $2, $3, $4, $5, $8, $9 }' |
		sed '1s/^variant.*/variant               WAF  host WAF  dev WAF      IOPS   w p99 us  w p99.9 us/'
done

# The simulator's own speed on each FTL (wall clock, so noisy: the median
# of ROUNDS runs of the uniform workload, the FTLs' rounds interleaved),
# and its ratio to the device FTL's.
rounds=${ROUNDS:-3}
echo "== the simulator's speed, host I/Os per wall second (median of $rounds)"
for r in $(seq "$rounds"); do
	for ftl in conv pblk zns-host; do
		"$vssd" sim "$@" --set ftl=$ftl --json jobs/overwrite80_uniform.fio |
			jq -r --arg f $ftl '"\($f) \(.sim.host_ios_per_wall_s | floor)"'
	done
done >"$tmp/speed.txt"
sort -k1,1 -k2,2n "$tmp/speed.txt" | awk -v n="$rounds" '
	{ v[$1, ++c[$1]] = $2 } END {
		base = v["conv", int((n + 1) / 2)]
		for (f in c) { m = v[f, int((n + 1) / 2)]; printf "%-10s %10d  %.2f of conv\n", f, m, m / base } }' |
	sort
