#!/usr/bin/env bash
# Engine rate (issue #5): the fio engine with timing=off, 4 KiB random reads
# at iodepth 32 over a written 1 GiB device, one job, against fio's own null
# engine (fio's ceiling on this machine) in the same run. media=none (the
# default: mapping and the NVMe path, no data) is the engine's rate;
# media=ram adds a 4 KiB copy out of the media per read.
# usage: bench/fio_engine_rate.sh [BUILD_DIR] [SECONDS]
set -euo pipefail
build=${1:-build}
secs=${2:-5}
cd "$(dirname "$0")/.."
export VSSD_PROFILE_DIR=$PWD/profiles
engine=$PWD/$build/libvssd-fio.so
[ -f "$engine" ] || { echo "no $engine: the fio engine was not built" >&2; exit 1; }

# IOPS of the randread job (after a sequential fill) with these engine options
randread_iops() {
	fio --thread --bs=4k --size=1g --output-format=json \
		--name=fill --rw=write --iodepth=32 "$@" \
		--name=randread --stonewall --rw=randread --iodepth=32 --time_based \
		--runtime="$secs" "$@" 2>/dev/null |
		jq '.jobs[] | select(.jobname == "randread") | .read.iops | floor'
}

device="timing=off blocks_per_plane=64 op=0.5" # 1 GiB logical
null=$(randread_iops --ioengine=null)
none=$(randread_iops --ioengine=external:"$engine" --vssd_params="$device media=none")
ram=$(randread_iops --ioengine=external:"$engine" --vssd_params="$device media=ram")
echo "| engine | randread IOPS | ratio to null |"
echo "|---|---|---|"
for row in "null:$null" "vssd media=none:$none" "vssd media=ram:$ram"; do
	awk -v n="${row%%:*}" -v v="${row#*:}" -v b="$null" \
		'BEGIN { printf "| %s | %d | %.3f |\n", n, v, v / b }'
done
