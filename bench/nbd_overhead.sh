#!/usr/bin/env bash
# NBD protocol overhead (issue #5): fio's nbd engine, 4 KiB random writes,
# against vssd (timing=off, media=ram: no modelled latency, data kept) and
# against nbdkit's own memory plugin, in the same run, at (iodepth 1, one
# connection) and (iodepth 32, four connections). Prints IOPS and the ratio.
# usage: bench/nbd_overhead.sh [BUILD_DIR] [SECONDS]
set -euo pipefail
build=${1:-build}
secs=${2:-5}
cd "$(dirname "$0")/.."
export VSSD_PROFILE_DIR=$PWD/profiles
plugin=$PWD/$build/nbdkit-vssd-plugin.so
size=1g

# iops SERVER_ARGS... -- FIO_ARGS...
iops() {
	local server=() fio_args=()
	while [ "$1" != -- ]; do server+=("$1"); shift; done
	shift
	fio_args=("$@")
	nbdkit -U - "${server[@]}" --run "fio --name=w --ioengine=nbd --uri=\"\$uri\" \
		--rw=randwrite --bs=4k --size=$size --time_based --runtime=$secs \
		--output-format=json ${fio_args[*]} | sed -n '/^{/,\$p'" 2>/dev/null |
		jq '[.jobs[].write.iops] | add | floor'
}

echo "| point | vssd IOPS | memory plugin IOPS | ratio |"
echo "|---|---|---|---|"
for point in "qd1-1conn:--iodepth=1 --numjobs=1" "qd32-4conn:--iodepth=32 --numjobs=4"; do
	name=${point%%:*}
	args=${point#*:}
	# shellcheck disable=SC2086
	v=$(iops "$plugin" timing=off media=ram -- $args)
	# shellcheck disable=SC2086
	m=$(iops memory size=6g -- $args)
	awk -v n="$name" -v v="$v" -v m="$m" 'BEGIN { printf "| %s | %d | %d | %.3f |\n", n, v, m, v / m }'
done
