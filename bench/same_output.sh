#!/usr/bin/env bash
# Do two vssd binaries give the same results? Runs a fixed set of simulations
# (device FTL, FDP, open-channel with pblk, a trace, power cuts, a device
# file) with each and compares their JSON reports byte for byte, wall-clock
# figures and parameters the old binary lacks removed. For refactors that
# must not change behaviour, and new features off.
# usage: same_output.sh OLD_VSSD NEW_VSSD [SOURCE_DIR]
set -euo pipefail
old=$1
new=$2
src=${3:-$(dirname "$0")/..}
tmp=$(mktemp -d)
trap 'rm -rf "$tmp"' EXIT

cat >"$tmp/small.conf" <<'EOF'
channels = 2
luns_per_channel = 2
blocks_per_plane = 64
pages_per_block = 96
op = 0.28
EOF
printf '[w]\nrw=write\nbs=128k\niodepth=32\nsize=8m\n' >"$tmp/burst.fio"
printf '[p]\nrw=write\nbs=128k\nsize=100%%\n[r]\nstonewall\nrw=randrw\nbs=4k\niodepth=16\nio_size=150%%\nverify=crc32c\n' \
	>"$tmp/verify.fio"
printf '[hot]\nrw=randwrite\nbs=4k\nsize=30%%\nio_size=120%%\nfdp=1\nplids=0\n[cold]\nrw=randwrite\nbs=16k\noffset=40%%\nsize=50%%\nio_size=60%%\nfdp=1\nplids=1\n' \
	>"$tmp/fdp.fio"
printf '[t]\nrw=trim\nbs=64k\nsize=15m\n[w]\nstonewall\nrw=randwrite\nbs=8k\nio_size=20m\n' >"$tmp/trim.fio"
printf 'fio version 2 iolog\n/dev/x add\n/dev/x open\n/dev/x write 0 65536\n/dev/x read 4096 8192\n/dev/x trim 0 4096\n/dev/x write 1048576 4096\n/dev/x close\n' \
	>"$tmp/t.log"
printf '[r]\nread_iolog=%s\n' "$tmp/t.log" >"$tmp/trace.fio"
# timestamped MSR requests in bursts, at a depth most slots spend waiting
awk 'BEGIN { for (i = 0; i < 3000; i++) printf "%.0f,h,0,%s,%.0f,%d,0\n", 1000 + int(i / 8) * 2000,
	i % 5 ? "Read" : "Write", (i * 7919 % 2048) * 4096, 4096 * (1 + i % 4) }' >"$tmp/msr.csv"
printf '[r]\nread_iolog=%s\niodepth=128\n' "$tmp/msr.csv" >"$tmp/trace-deep.fio"

# name | options | job file
cases=(
	"demo|--profile $tmp/small.conf|$src/jobs/demo.fio"
	"demo-default|--profile default --set blocks_per_plane=96 --set op=0.2|$src/jobs/demo.fio"
	"burst|--profile $tmp/small.conf|$tmp/burst.fio"
	"verify|--profile $tmp/small.conf --set media=ram|$tmp/verify.fio"
	"fdp|--profile $tmp/small.conf --set fdp=on --set fdp_nruh=2|$tmp/fdp.fio"
	"fdp-persistent|--profile $tmp/small.conf --set fdp=on --set fdp_nrg=2 --set fdp_nruh=2 --set fdp_ruh_type=persistently|$tmp/fdp.fio"
	"trim|--profile $tmp/small.conf|$tmp/trim.fio"
	"trace|--profile $tmp/small.conf|$tmp/trace.fio"
	"trace-deep|--profile $tmp/small.conf|$tmp/trace-deep.fio"
	"powerloss|--profile $tmp/small.conf --set media=ram --powerloss after=40 --powerloss at=5ms|$tmp/burst.fio"
	"powerloss-gc|--profile $tmp/small.conf --set media=ram --powerloss at=400ms|$src/jobs/demo.fio"
	"pblk|--profile $tmp/small.conf --set ftl=pblk|$src/jobs/demo.fio"
	"pblk-powerloss|--profile $tmp/small.conf --set ftl=pblk --set media=ram --powerloss at=300ms|$src/jobs/demo.fio"
	"file|--profile $tmp/small.conf --set media=file --set path=@FILE@|$tmp/verify.fio"
	"file-reopen|--profile $tmp/small.conf --set media=file --set path=@FILE@|$tmp/trim.fio"
)

strip_wall='walk(if type == "object" then del(.wall_s, .host_ios_per_wall_s) else . end)'
run() { # BINARY OPTIONS JOB -> prints the JSON without wall-clock figures
	local opts=${2//@FILE@/$tmp/device.file}
	# shellcheck disable=SC2086 # opts holds several options
	"$1" sim $opts --seed 7 --json "$3" 2>"$tmp/err" | jq "$strip_wall" ||
		{ echo "failed: $1 sim $opts $3: $(cat "$tmp/err")" >&2; return 1; }
}

# each binary runs every case in turn, the device file starting afresh
for pass in old new; do
	rm -f "$tmp/device.file"
	for c in "${cases[@]}"; do
		IFS='|' read -r name opts job <<<"$c"
		run "${!pass}" "$opts" "$job" >"$tmp/$name.$pass.json"
	done
done
differ=0
for c in "${cases[@]}"; do
	name=${c%%|*}
	# parameters the old binary did not have yet are not differences
	jq --slurpfile old "$tmp/$name.old.json" \
		'.parameters |= with_entries(select(.key | in($old[0].parameters)))' \
		"$tmp/$name.new.json" >"$tmp/$name.new.cut" && mv "$tmp/$name.new.cut" "$tmp/$name.new.json"
	if cmp -s "$tmp/$name.old.json" "$tmp/$name.new.json"; then
		echo "same: $name ($(wc -c <"$tmp/$name.new.json") bytes)"
	else
		echo "DIFFERENT: $name"
		diff "$tmp/$name.old.json" "$tmp/$name.new.json" | head -20 || true
		differ=$((differ + 1))
	fi
done
echo "$((${#cases[@]} - differ)) same, $differ different"
[ "$differ" = 0 ]
