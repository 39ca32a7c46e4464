#!/usr/bin/env bash
# The fio engine (libvssd-fio.so) inside Debian's fio: verify through GC,
# per-job placement by plid= and by write_hint=, bad options named.
# usage: fio_engine.sh ENGINE SOURCE_DIR   (ENGINE empty: it was not built)
set -uo pipefail
engine=$1
src=$2
if [ -z "$engine" ]; then
	echo "skipped: the fio engine was not built (meson setup says why; scripts/fio-source.sh fetches fio's source)"
	exit 77
fi
# shellcheck source=lib.sh
. "$(dirname "$0")/lib.sh" "$src" "$engine"
run_fio() { LD_PRELOAD=$asan_preload fio --thread --ioengine=external:"$engine" "$@"; }

# a 160 MiB device: 4 dies x 64 blocks x 48 pages of 16 KiB, op 0.25
small="channels=2 luns_per_channel=2 blocks_per_plane=64 pages_per_block=48 op=0.25 media=ram"

# 1. random overwrites of 3x the capacity (161058816 bytes) with crc32c verify: GC moves
# data under the verifier (serialize_overlap: see nbd.sh)
verify_through_gc() {
	run_fio --name=verify --vssd_params="$small timing=off" --vssd_stats="$tmp/v.json" \
		--rw=randwrite --bs=4k --size=100% --io_size=$((161058816 * 3)) --norandommap \
		--serialize_overlap=1 --iodepth=16 --verify=crc32c --verify_fatal=1 \
		--verify_state_save=0 --output-format=json >"$tmp/verify.json" &&
		jq -e '.jobs[0].error == 0 and .jobs[0].read.io_bytes > 0' "$tmp/verify.json" >/dev/null &&
		jq -e '.device.gc_copied_pages > 0 and .device.waf > 1' "$tmp/v.json"
}
check "fio verify through GC" verify_through_gc

# 2. four jobs on one device, each writing through its own handle (plid=)
placement_by_plid() {
	local jobs=()
	for p in 0 1 2 3; do
		jobs+=(--name=h$p --plid=$p --offset=$((p * 32))m --size=32m)
	done
	run_fio --vssd_params="$small timing=off fdp=on fdp_nruh=4" --vssd_stats="$tmp/p.json" \
		--rw=randwrite --bs=4k --iodepth=8 "${jobs[@]}" >/dev/null &&
		jq -e '[.device.fdp.handles[] | select(.host_write_bytes == 33554432)] | length == 4' \
			"$tmp/p.json" >/dev/null &&
		jq -e '[.jobs[].jobname] | sort == ["h0", "h1", "h2", "h3"]' "$tmp/p.json"
}
check "four jobs write through four handles (plid=)" placement_by_plid

# 3. write_hint=medium is status-list entry 2, so handle 2 gets the bytes
placement_by_hint() {
	run_fio --name=hint --vssd_params="$small timing=off fdp=on fdp_nruh=4" \
		--vssd_stats="$tmp/h.json" --write_hint=medium --rw=write --bs=64k --size=16m \
		>/dev/null &&
		jq -e '.device.fdp.handles[2].host_write_bytes == 16777216 and
			.device.fdp.handles[0].host_write_bytes == 0' "$tmp/h.json"
}
check "write_hint picks a handle" placement_by_hint

# 4. bad input says what is wrong
bad_options() {
	! run_fio --name=b --vssd_params="channels=0" --rw=read --size=1m >"$tmp/b1.txt" 2>&1 &&
		grep -q "channels=0: out of range" "$tmp/b1.txt" &&
		! run_fio --name=b --vssd_params="$small fdp=on fdp_nruh=2" --plid=5 --rw=write \
			--size=1m >"$tmp/b2.txt" 2>&1 &&
		grep -q "plid asks for placement identifier entry 5, but the device has 2" "$tmp/b2.txt" &&
		! run_fio --name=b --vssd_params="$small" --plid=1 --rw=write --size=1m \
			>"$tmp/b3.txt" 2>&1 &&
		grep -q "fdp is off" "$tmp/b3.txt"
}
check "bad options named" bad_options

# 5. what the device cannot do is said before the job starts (issue 20, item 13)
refused_up_front() {
	! run_fio --name=b --vssd_params="$small" --rw=write --bs=1m --size=8m \
		>"$tmp/r1.txt" 2>&1 &&
		grep -q "bs of 1048576 bytes is over the device's largest transfer (MDTS) of 262144" \
			"$tmp/r1.txt" &&
		! run_fio --name=b --vssd_params="${small/media=ram/media=none}" --rw=write \
			--size=1m --verify=crc32c >"$tmp/r2.txt" 2>&1 &&
		grep -q "media=none keeps no data" "$tmp/r2.txt"
}
check "bs over MDTS and verify on media=none refused" refused_up_front

# a zoned namespace: fio's zonemode=zbd through the engine's zone hooks
# (model, reports, resets, the open limit), three passes over a 96 MiB
# device (32 zones of 768 LBAs), each verified: 3 x its capacity written,
# every zone reset between passes
zoned="ftl=zns media=ram channels=2 luns_per_channel=2 blocks_per_plane=32 pages_per_block=48 timing=off zns_max_open=6"
zoned_verify() {
	run_fio --name=z --vssd_params="$zoned" --vssd_stats="$tmp/z.json" --zonemode=zbd \
		--direct=1 --rw=randwrite --bs=16k --iodepth=8 --size=100% --loops=3 \
		--verify=crc32c --verify_fatal=1 --verify_state_save=0 --output-format=json \
		>"$tmp/zv.json" &&
		jq -e '.jobs[0].error == 0 and .jobs[0].write.io_bytes == 3 * 100663296' \
			"$tmp/zv.json" >/dev/null &&
		jq -e '.device.zoned.zones == 32 and .device.zoned.resets >= 64' "$tmp/z.json"
}
check "zonemode=zbd verify over 3x a zoned namespace, with resets" zoned_verify
# a job without zonemode=zbd would write anywhere: refused up front
zoned_refused() {
	run_fio --name=z --vssd_params="ftl=zns media=ram" --rw=write --bs=4k --size=1m \
		>"$tmp/z.txt" 2>&1
	[ $? -ne 0 ] && grep -q "ftl=zns is a zoned namespace: the job needs zonemode=zbd" "$tmp/z.txt"
}
check "a zoned namespace without zonemode=zbd refused with the reason" zoned_refused

summary
