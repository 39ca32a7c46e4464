#!/usr/bin/env bash
# Timing seen by a client (issue #5): QD1 4 KiB random reads (of data on
# NAND) and writes on the nvmevirt_970pro profile, through NBD with fio's nbd
# engine against `vssd serve`, beside the modelled latency of the same job
# file run by `vssd sim` in virtual time and through the fio engine (no
# protocol), in the same run. The difference is what NBD and nbdkit add.
# usage: bench/nbd_timing.sh [BUILD_DIR] [SECONDS]
set -euo pipefail
build=${1:-build}
secs=${2:-5}
cd "$(dirname "$0")/.."
export VSSD_PROFILE_DIR=$PWD/profiles
vssd=$PWD/$build/vssd
tmp=$(mktemp -d)
trap 'rm -rf "$tmp"' EXIT

cat >"$tmp/job.fio" <<JOB
[global]
bs=4k
size=1g
[fill]
rw=write
bs=128k
iodepth=8
[randread]
stonewall
rw=randread
iodepth=1
time_based
runtime=$secs
[randwrite]
stonewall
rw=randwrite
iodepth=1
time_based
runtime=$secs
JOB

# modelled: the simulator, virtual time
"$vssd" sim --profile nvmevirt_970pro --json "$tmp/job.fio" >"$tmp/sim.json"
# seen by the client: fio through NBD, the same jobs
"$vssd" serve --profile nvmevirt_970pro --stats "$tmp/served.json" --run "
	sed \"s|^\\[global\\]|[global]\\nioengine=nbd\\nuri=\$uri|\" '$tmp/job.fio' >'$tmp/nbd.fio' &&
	fio --output-format=json '$tmp/nbd.fio' | sed -n '/^{/,\$p' >'$tmp/fio.json'" >/dev/null 2>"$tmp/serve.err" || { cat "$tmp/serve.err" >&2; exit 1; }

# through the fio engine: the device in fio's process
engine=$PWD/$build/libvssd-fio.so
sed "s|^\[global\]|[global]\nthread\nioengine=external:$engine\nvssd_params=profile=nvmevirt_970pro|" \
	"$tmp/job.fio" >"$tmp/engine.fio"
fio --output-format=json "$tmp/engine.fio" 2>/dev/null >"$tmp/engine.json"

# latency (µs) of job J, direction D, statistic S (mean or a percentile)
lat() { # file job dir stat
	jq -r --arg j "$2" --arg d "$3" --arg s "$4" '.jobs[] | select(.jobname == $j) | .[$d].clat_ns |
		(if $s == "mean" then .mean else .percentile[$s] end) / 1000' "$1"
}
echo "| QD1 4 KiB | modelled (vssd sim) | fio engine | fio through NBD | NBD overhead |"
echo "|---|---|---|---|---|"
for row in "randread read" "randwrite write"; do
	set -- $row
	for stat in mean 50.000000 99.000000; do
		m=$(lat "$tmp/sim.json" "$1" "$2" "$stat")
		e=$(lat "$tmp/engine.json" "$1" "$2" "$stat")
		c=$(lat "$tmp/fio.json" "$1" "$2" "$stat")
		name=$stat
		[ "$stat" != mean ] && name="p${stat%%.*}"
		awk -v n="$1 $name" -v m="$m" -v e="$e" -v c="$c" \
			'BEGIN { printf "| %s | %.1f µs | %.1f µs | %.1f µs | %.1f µs |\n", n, m, e, c, c - m }'
	done
done
jq -r '"IOPS through NBD: randread \(.jobs[] | select(.jobname == "randread") | .read.iops | floor), randwrite \(.jobs[] | select(.jobname == "randwrite") | .write.iops | floor)"' "$tmp/fio.json"
