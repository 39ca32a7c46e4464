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
# latency percentiles and IOPS. Every figure is the same on every run.
# usage: bench/host_ftls.sh [BUILD_DIR] [--set KEY=VALUE]...
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
