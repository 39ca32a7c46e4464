#!/usr/bin/env bash
# FDP hot/cold (issue #4): 80% of the writes go to a hot 20% of the LBAs, 20%
# to the cold 80%, each uniformly random in its range (i.i.d.). Measured WAF
# with uniform writes over the whole device (the reference), hot/cold mixed
# through one write pointer, and hot and cold on their own handles
# (initially and persistently isolated). Greedy GC chooses victims globally.
# usage: bench/fdp_hotcold.sh [BUILD_DIR] [--set KEY=VALUE]...
set -euo pipefail
build=${1:-build}
shift || true
. "$(dirname "$0")/sim_env.sh"

# hot: 20% of the LBAs at QD 16; cold: 80% at QD 4 (4:1 write rates, and
# io_size in the same ratio so both end together)
hotcold() {
	local hot="" cold=""
	[ "$1" = on ] && hot=$'fdp=1\nfdp_pli=0' && cold=$'fdp=1\nfdp_pli=1'
	cat <<JOB
[fill]
rw=write
bs=128k
iodepth=16
[hot-warm]
stonewall
rw=randwrite
bs=4k
norandommap
size=20%
io_size=400%
iodepth=16
$hot
[cold-warm]
rw=randwrite
bs=4k
norandommap
offset=20%
size=80%
io_size=100%
iodepth=4
$cold
[hot]
stonewall
rw=randwrite
bs=4k
norandommap
size=20%
io_size=240%
iodepth=16
$hot
[cold]
rw=randwrite
bs=4k
norandommap
offset=20%
size=80%
io_size=60%
iodepth=4
$cold
JOB
}

uniform() {
	cat <<JOB
[fill]
rw=write
bs=128k
iodepth=16
[warm]
stonewall
rw=randwrite
bs=4k
norandommap
io_size=500%
iodepth=20
[measure]
stonewall
rw=randwrite
bs=4k
norandommap
io_size=300%
iodepth=20
JOB
}

run() {
	"$vssd" sim --json "$@" "$tmp/job.fio" | jq -r '.groups[-1].device.waf'
}

echo "(greedy GC; WAF of the measured group)"
uniform >"$tmp/job.fio"
printf "%-40s %s\n" "uniform random over the whole device" "$(run "$@")"
hotcold off >"$tmp/job.fio"
printf "%-40s %s\n" "hot/cold 80/20, one write pointer" "$(run "$@")"
hotcold on >"$tmp/job.fio"
for t in initially persistently; do
	printf "%-40s %s\n" "hot/cold 80/20, FDP, $t isolated" \
		"$(run --set fdp=on --set fdp_nruh=2 --set fdp_ruh_type=$t "$@")"
done
