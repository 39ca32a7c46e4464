#!/usr/bin/env bash
# Wear levelling (issue 19): hot/cold traffic (90% of 4 KiB random writes
# to 10% of the LBAs) of 50 drive capacities after a fill, timing off, on a
# 384 MiB slice of the default profile (2 channels x 2 LUNs, 128 lines), at
# op 0.07 and 0.28, with wear_levelling=off (the baseline), dynamic and
# static: erases per block (min, mean, max, stdev), max/mean, the moves and
# the WAF they cost.
# usage: bench/wear_levelling.sh [BUILD_DIR] [--set KEY=VALUE]...
set -euo pipefail
build=${1:-build}
shift || true
. "$(dirname "$0")/sim_env.sh"

printf '[fill]\nrw=write\nbs=128k\niodepth=8\n[hotcold]\nstonewall\nrw=randwrite\nbs=4k\niodepth=32\nnorandommap\nrandom_distribution=zoned:90/10:10/90\nio_size=5000%%\n' \
	>"$tmp/hotcold.fio"
printf "%-5s %-8s %6s %8s %6s %7s %9s %7s %8s\n" op wear min mean max stdev max/mean moves WAF
for op in 0.07 0.28; do
	for w in off dynamic static; do
		"$vssd" sim --profile default --set channels=2 --set luns_per_channel=2 \
			--set blocks_per_plane=128 --set timing=off --set op=$op \
			--set wear_levelling=$w "$@" --json "$tmp/hotcold.fio" >"$tmp/out.json"
		jq -r --arg op $op --arg w $w '.device as $d | $d.erase_count as $e |
			[$op, $w, $e.min, $e.mean, $e.max, $e.stdev, $e.max / $e.mean, $d.wear_moves,
			 .groups[1].device.waf] | @tsv' "$tmp/out.json" |
			awk -F'\t' '{ printf "%-5s %-8s %6d %8.1f %6d %7.1f %9.3f %7d %8.3f\n",
				$1, $2, $3, $4, $5, $6, $7, $8, $9 }'
	done
done
