#!/usr/bin/env bash
# The nbdkit plugin with real clients: nbdinfo, nbdcopy, qemu-io, fio's nbd
# engine (verify through GC), placement by export name, bad parameters,
# and `vssd serve` around it.
# Each check starts and stops its own server (nbdkit -U - ... --run).
# usage: nbd.sh PLUGIN SOURCE_DIR
set -uo pipefail
plugin=$1
src=$2
# shellcheck source=lib.sh
. "$(dirname "$0")/lib.sh" "$src" "$plugin"

# a 160 MiB device: 4 dies x 64 blocks x 48 pages of 16 KiB, op 0.25
small=(channels=2 luns_per_channel=2 blocks_per_plane=64 pages_per_block=48 op=0.25 media=ram)
serve() {
	local args=() prev=""
	for a in "$@"; do
		[ "$prev" = --run ] && a="unset LD_PRELOAD; $a"
		args+=("$a")
		prev=$a
	done
	LD_PRELOAD=$asan_preload nbdkit -U - "$plugin" "${args[@]}"
}

# 1. size and block sizes as the device reports them
info_matches() {
	serve "${small[@]}" lba_bytes=512 --run 'nbdinfo --json "$uri"' >"$tmp/info.json" &&
		jq -e '.exports[0] | .["export-size"] == 161058816 and
			.["block_size_minimum"] == 512 and .["block_size_preferred"] == 16384 and
			.["block_size_maximum"] == 262144 and .["can_multi_conn"] and
			.["can_fua"] and .["can_trim"] and .["can_zero"]' "$tmp/info.json"
}
check "nbdinfo: size and block sizes" info_matches

# 2. nbdcopy in and out, byte for byte
copy_round_trip() {
	head -c 96M /dev/urandom >"$tmp/in.bin"
	serve "${small[@]}" --run "nbdcopy '$tmp/in.bin' \"\$uri\" && nbdcopy \"\$uri\" '$tmp/out.bin'" &&
		cmp -n $((96 << 20)) "$tmp/in.bin" "$tmp/out.bin"
}
check "nbdcopy round trip" copy_round_trip

# 3. qemu-io: write, read back, discard and write-zeroes read as zeros
qemu_io() {
	serve "${small[@]}" --run 'qemu-io -f raw "$uri" \
		-c "write -P 0xab 1M 256k" -c "read -P 0xab 1M 256k" \
		-c "discard 1M 64k" -c "read -P 0 1M 64k" -c "read -P 0xab 1088k 192k" \
		-c "write -z 4M 64k" -c "read -P 0 4M 64k" -c "flush"' >"$tmp/qemu.txt" &&
		! grep -qi "pattern verification failed\|error" "$tmp/qemu.txt"
}
check "qemu-io read/write/discard/zero" qemu_io

# 4. fio through NBD: random overwrites of 3x the capacity with crc32c
# verify, so GC moves data under the verifier; the stats file shows GC ran.
# serialize_overlap: two writes of one block in flight at once may land in
# either order (on any device), which fio's verifier would call corruption.
# usage: verify_3x NAME STATS_CHECK DEVICE_PARAMS...
verify_3x() {
	local name=$1 stats_check=$2
	shift 2
	serve "$@" timing=off stats="$tmp/$name.stats.json" --run '
		size=$(nbdinfo --size "$uri")
		fio --name=verify --ioengine=nbd --uri="$uri" --rw=randwrite --bs=4k \
			--size=$size --io_size=$((size * 3)) --norandommap --serialize_overlap=1 \
			--iodepth=16 --verify=crc32c --verify_fatal=1 --verify_state_save=0 --output-format=json | sed -n "/^{/,\$p"' \
		>"$tmp/$name.fio.json" &&
		jq -e '.jobs[0].error == 0 and .jobs[0].read.io_bytes > 0' "$tmp/$name.fio.json" >/dev/null &&
		jq -e "$stats_check" "$tmp/$name.stats.json"
}
check "fio nbd verify through GC" verify_3x conv '.device.gc_copied_pages > 0 and .device.waf > 1' \
	"${small[@]}"
# the same through pblk (ftl=pblk): the host FTL's GC moves the data
check "fio nbd verify through pblk, 3x its capacity" verify_3x pblk \
	'.pblk.gc_lines > 0 and .pblk.waf > 1 and .pblk.read_errors == 0' \
	ftl=pblk channels=2 luns_per_channel=2 blocks_per_plane=64 pages_per_block=48 media=ram

# an uncorrectable page (2% of the pages of blocks worn to 100 erases)
# reaches fio as an I/O error at the offset of the LBA the device lost, as
# its stats name it, and never as data that fails verification
lost_read() {
	serve "${small[@]}" timing=off initial_pe_cycles=100 uncorrectable_pe=100 \
		uncorrectable_rate=0.02 stats="$tmp/lost.stats.json" --run '
		fio --name=verify --ioengine=nbd --uri="$uri" --rw=write --bs=4k --size=8m \
			--verify=crc32c --verify_fatal=1 --verify_state_save=0 >'"$tmp/lost.fio.txt"' 2>&1
		true' 2>"$tmp/lost.server.txt"
	local off lba
	off=$(sed -n 's/.*Input\/output error: read offset=\([0-9]*\),.*/\1/p' "$tmp/lost.fio.txt")
	lba=$(jq '.device.media_faults.first_lost_lbas[0]' "$tmp/lost.stats.json")
	echo "fio: read error at byte $off; the device lost LBA $lba"
	[ -n "$off" ] && [ "$off" -gt 0 ] && [ "$off" = $((lba * 4096)) ] &&
		! grep -qi "verify.*fail\|bad magic\|crc32c" "$tmp/lost.fio.txt" &&
		grep -q "read at byte $off failed: NVMe status 2/81h (Unrecovered Read Error)" \
			"$tmp/lost.server.txt"
}
check "fio nbd verify: a lost page is an I/O error at its offset" lost_read

# 5. placement by export name: four jobs, each on its own pid=N export
placement() {
	cat >"$tmp/place.sh" <<'EOF'
sock=$1
nbdinfo --list "nbd+unix:///?socket=$sock" | grep -q 'export="pid=3"' || exit 1
args=()
for p in 0 1 2 3; do
	args+=(--name=h$p --uri="nbd+unix:///pid=$p?socket=$sock" --offset=$((p * 32))m --size=32m)
done
fio --ioengine=nbd --rw=randwrite --bs=4k --iodepth=8 "${args[@]}" >/dev/null
EOF
	serve "${small[@]}" timing=off fdp=on fdp_nruh=4 stats="$tmp/fdp.json" \
		--run "bash '$tmp/place.sh' \"\$unixsocket\"" &&
		jq -e '[.device.fdp.handles[] | select(.host_write_bytes == 33554432)] | length == 4' \
			"$tmp/fdp.json" >/dev/null &&
		jq -e '[.jobs[].jobname] | sort == ["pid=0", "pid=1", "pid=2", "pid=3"]' "$tmp/fdp.json"
}
check "four pid=N exports write through four handles" placement

# 6. an export that is not a placement identifier is refused by name
bad_export() {
	serve "${small[@]}" fdp=on fdp_nruh=2 --run 'nbdinfo "nbd+unix:///pid=7?socket=$unixsocket"' \
		>"$tmp/e.txt" 2>&1
	[ $? -ne 0 ] && grep -q "export 'pid=7': not an export of this device" "$tmp/e.txt"
}
check "unknown export refused by name" bad_export

# 7. a bad parameter stops nbdkit with vssd's message
bad_param() {
	! serve channels=0 --run true 2>"$tmp/p.txt" &&
		grep -q "channels=0: out of range" "$tmp/p.txt" &&
		! serve nosuchkey=1 --run true 2>"$tmp/p.txt" &&
		grep -q "unknown parameter 'nosuchkey'" "$tmp/p.txt"
}
check "bad parameters named" bad_param

# a zoned namespace: NBD cannot carry zones, and the plugin says so
zoned_refused() {
	serve ftl=zns media=ram --run 'nbdinfo "$uri"' >"$tmp/zns.out" 2>&1
	[ $? -ne 0 ] && grep -q "ftl=zns is a zoned namespace" "$tmp/zns.out"
}
check "NBD cannot carry zones: refused with the reason" zoned_refused

# 8. vssd serve: prints the URI when ready, serves until Ctrl-C, then the
# final report; the statistics file has the writes
vssd=$(dirname "$plugin")/vssd
small_sets=() # the same device as vssd serve options
for p in "${small[@]}"; do small_sets+=(--set "$p"); done
serve_unix() {
	local uri
	LD_PRELOAD=$asan_preload "$vssd" serve "${small_sets[@]}" --stats "$tmp/serve.json" \
		>"$tmp/uri.txt" 2>"$tmp/serve.err" &
	local pid=$!
	for _ in $(seq 300); do [ -s "$tmp/uri.txt" ] && break; sleep 0.1; done
	uri=$(head -1 "$tmp/uri.txt")
	[[ $uri == nbd+unix:///\?socket=* ]] &&
		[ "$(nbdinfo --size "$uri")" = 161058816 ] &&
		head -c 4M /dev/urandom >"$tmp/s.bin" && nbdcopy "$tmp/s.bin" "$uri" &&
		kill -INT $pid && wait $pid &&
		grep -q "^device: 2 ch x 2 LUN" "$tmp/serve.err" &&
		jq -e '.device.host_write_bytes == 4194304' "$tmp/serve.json"
	local rc=$?
	kill $pid 2>/dev/null
	return $rc
}
check "vssd serve on a Unix socket, Ctrl-C, final report" serve_unix

# 9. on a TCP port of the loopback address, with --run
serve_tcp() {
	local port=$((20000 + $$ % 20000))
	LD_PRELOAD=$asan_preload "$vssd" serve "${small_sets[@]}" --port $port \
		--run 'unset LD_PRELOAD; nbdinfo --size "$uri"' >"$tmp/tcp.txt" 2>"$tmp/tcp.err" &&
		grep -qx "nbd://127.0.0.1:$port/" "$tmp/tcp.txt" && grep -qx 161058816 "$tmp/tcp.txt"
}
check "vssd serve --port" serve_tcp

# 10. bad parameters stop it before nbdkit starts, in vssd's words
serve_bad() {
	! "$vssd" serve --set channels=0 2>"$tmp/b.txt" && grep -q "^vssd: channels=0: out of range" "$tmp/b.txt" &&
		! "$vssd" serve --port 70000 2>"$tmp/b.txt" && grep -q -- "--port 70000" "$tmp/b.txt"
}
check "vssd serve: bad input named" serve_bad

summary
