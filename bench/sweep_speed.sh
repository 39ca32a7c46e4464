#!/usr/bin/env bash
# vssd sweep's local executor against running its points one after another
# (issue 18): a 12-point sweep (op x gc_policy x seed over a fill and two
# drive-writes of random overwrites, timing on) with -j 1, the baseline,
# and with -j of the machine's cores, each into a fresh folder, in the same
# run. Prints both wall times and the ratio (the target on 2 cores: at most
# 0.6), and checks both merged the same results.
# usage: bench/sweep_speed.sh [BUILD_DIR]
set -euo pipefail
build=${1:-build}
. "$(dirname "$0")/sim_env.sh"

printf '[fill]\nrw=write\nbs=128k\niodepth=16\n[w]\nstonewall\nrw=randwrite\nbs=4k\niodepth=16\nio_size=200%%\n' \
	>"$tmp/u.fio"
cat >"$tmp/spec.ini" <<'EOF'
[sweep]
job = u.fio
[set]
channels = 2
luns_per_channel = 2
blocks_per_plane = 512
pages_per_block = 96
[axes]
op = 0.1, 0.2, 0.3
gc_policy = greedy, cost_benefit
seed = 1..2
EOF
cores=$(nproc)
wall() { # -j, out dir: seconds
	local t0 t1
	t0=$(date +%s.%N)
	"$vssd" sweep -j "$1" --out "$tmp/$2" "$tmp/spec.ini" 2>/dev/null
	t1=$(date +%s.%N)
	awk -v a="$t0" -v b="$t1" 'BEGIN { print b - a }'
}
one=$(wall 1 one)
all=$(wall "$cores" all)
cmp -s "$tmp/one/results.csv" "$tmp/all/results.csv" || { echo "the results differ" >&2; exit 1; }
awk -v a="$one" -v b="$all" -v c="$cores" 'BEGIN {
	printf "12 points one after another (-j 1): %.2f s\n", a
	printf "12 points on %d cores (-j %d):       %.2f s\n", c, c, b
	printf "ratio: %.3f\n", b / a
}'
