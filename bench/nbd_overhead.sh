#!/usr/bin/env bash
# NBD protocol overhead (issue #5): fio's nbd engine, 4 KiB random writes,
# against vssd (timing=off, media=ram: no modelled latency, data kept) and
# against nbdkit's own memory plugin of the same size, in the same run, at
# (iodepth 1, one connection) and (iodepth 32, four connections).
#
# Both are measured in steady state: each server is first written for
# WARM seconds, more than vssd's whole physical space, because the first
# write of a never-written memory page costs a page fault (several µs on a
# virtual machine) that vssd, writing log-structured over all of its
# physical space, would otherwise pay on every write of a short run.
# Prints IOPS, the ratio, and vssd's WAF over the run (GC is part of its cost).
# usage: bench/nbd_overhead.sh [BUILD_DIR] [SECONDS] [WARM_SECONDS]
set -euo pipefail
build=${1:-build}
secs=${2:-5}
warm=${3:-12}
cd "$(dirname "$0")/.."
export VSSD_PROFILE_DIR=$PWD/profiles
plugin=$PWD/$build/nbdkit-vssd-plugin.so
tmp=$(mktemp -d)
trap 'rm -rf "$tmp"' EXIT

# 1 GiB logical over 1.5 GiB physical: the warm-up wraps it several times
vssd_args=(timing=off media=ram blocks_per_plane=64 op=0.5)

# The script each server runs: warm-up, then one fio run per point, each
# printing its summed write IOPS on a line "POINT IOPS". Its argument is
# the server's URI.
cat >"$tmp/points.sh" <<EOF
set -eo pipefail
uri=\$1
fio_w() { # name runtime fio-args...
	local name=\$1 t=\$2
	shift 2
	fio --name=w --ioengine=nbd --uri="\$uri" --rw=randwrite --bs=4k --size=\$(nbdinfo --size "\$uri") \
		--time_based --runtime=\$t --output-format=json "\$@" | sed -n '/^{/,\$p' |
		jq -r --arg n "\$name" '"\(\$n) \([.jobs[].write.iops] | add | floor)"'
}
fio_w warm $warm --iodepth=32 --numjobs=4 >/dev/null
fio_w qd1-1conn $secs --iodepth=1 --numjobs=1
fio_w qd32-4conn $secs --iodepth=32 --numjobs=4
EOF

echo "vssd: warming up for ${warm} s, then ${secs} s per point" >&2
nbdkit -U - "$plugin" "${vssd_args[@]}" stats="$tmp/stats.json" --run "bash $tmp/points.sh \"\$uri\"" \
	2>/dev/null >"$tmp/vssd.txt"
size=$(nbdkit -U - "$plugin" "${vssd_args[@]}" --run 'nbdinfo --size "$uri"' 2>/dev/null)
echo "memory plugin (size=$size): the same" >&2
nbdkit -U - memory size="$size" --run "bash $tmp/points.sh \"\$uri\"" 2>/dev/null >"$tmp/memory.txt"

echo "| point | vssd IOPS | memory plugin IOPS | ratio |"
echo "|---|---|---|---|"
join "$tmp/vssd.txt" "$tmp/memory.txt" |
	awk '{ printf "| %s | %d | %d | %.3f |\n", $1, $2, $3, $2 / $3 }'
jq -r '"vssd over the whole run: WAF \(.device.waf), GC copied \(.device.gc_copied_pages) pages"' \
	"$tmp/stats.json"
