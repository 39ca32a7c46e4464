#!/usr/bin/env bash
# Durable media as a user sees it: power cuts (vssd torture) on the
# conventional FTL, with FDP, on a device file and through pblk; a device file reopened
# after a clean shutdown with the same contents and SMART counters; and bad
# device files failing with a message that names what is wrong.
set -u
vssd=$1
plugin=$2
src=$3
. "$src/tests/integration/lib.sh" "$src" "$plugin"

small=(--set channels=2 --set luns_per_channel=2 --set blocks_per_plane=64
	--set pages_per_block=48 --set op=0.25)

# torture NAME ARGS...: at least 50 power cuts, zero violations, zero errors
torture() {
	local name=$1
	shift
	if "$vssd" torture --cycles 50 "$@" >"$tmp/out" 2>"$tmp/err" &&
		grep -q "^torture: 50 power cuts, .* 0 violations, 0 command errors; FTL invariants held after 50 recoveries" "$tmp/out"; then
		ok "torture: $name: $(head -1 "$tmp/out" | sed 's/.*; //')"
	else
		bad "torture: $name"
		tail -5 "$tmp/out" "$tmp/err"
	fi
}
torture "conventional FTL"
torture "FDP, 4 persistently isolated handles" --set fdp=on --set fdp_nruh=4 \
	--set fdp_ruh_type=persistently
torture "device file" --ops 500 --set media=file --set path="$tmp/torture.vssd"
# pblk, the host FTL: what it holds in its write buffer is lost at a cut;
# a new pblk rebuilds its map from the lines (on a device file too)
torture "pblk" --set ftl=pblk
torture "pblk on a device file" --ops 500 --set ftl=pblk --set media=file \
	--set path="$tmp/torture-pblk.vssd"
# zones: write pointers and data of what was acknowledged, resets and
# finishes in flight at the cut (torture_zns.c)
torture "zoned namespace" --set ftl=zns
torture "zoned namespace on a device file" --ops 500 --set ftl=zns --set media=file \
	--set path="$tmp/torture-zns.vssd"

# power cuts in vssd sim, by virtual time and by I/O count: each recovers by
# a scan, loses at most the I/Os in flight, and the job still issues all it
# should (what completed plus what was lost is the whole io_size)
cat >"$tmp/cut.fio" <<'JOB'
[w]
rw=randwrite
bs=4k
iodepth=16
size=100%
io_size=300m
JOB
if "$vssd" sim "${small[@]}" --set media=ram --powerloss at=0.5s --powerloss after=50000 \
	--json "$tmp/cut.fio" >"$tmp/cut.json" 2>"$tmp/err" &&
	jq -e '(.power_losses | length == 2) and
		all(.power_losses[]; .ios_lost > 0 and .ios_lost <= 16 and
			.recovery.from_checkpoint == false and .recovery.units_scanned > 0) and
		.power_losses[0].virtual_s == 0.5 and .power_losses[1].host_ios_before >= 50000 and
		.jobs[0].write.io_bytes + 4096 * ([.power_losses[].ios_lost] | add) == 314572800 and
		.device.host_write_bytes == 314572800' "$tmp/cut.json" >/dev/null; then
	ok "vssd sim --powerloss: $(jq -c '[.power_losses[] | {virtual_s, ios_lost,
		units: .recovery.units_scanned}]' "$tmp/cut.json")"
else
	bad "vssd sim --powerloss"
	cat "$tmp/err"
	jq '.power_losses, .jobs[0].write.io_bytes, .device' "$tmp/cut.json"
fi

# a device file written by vssd sim, then read back twice through nbdkit:
# each open after a clean close must find the same data from its checkpoint
dev=(--set media=file --set path="$tmp/dev.vssd")
cat >"$tmp/fill.fio" <<'JOB'
[fill]
rw=randwrite
bs=16k
size=100%
io_size=40m
JOB
dump() { # OUT: the whole device through the plugin, as a client reads it
	local params=(media=file path="$tmp/dev.vssd" channels=2 luns_per_channel=2
		blocks_per_plane=64 pages_per_block=48 op=0.25)
	LD_PRELOAD=$asan_preload nbdkit -U - "$plugin" "${params[@]}" \
		--run "nbdcopy \"\$uri\" $1" >/dev/null 2>&1
}
smart() { # OUT: SMART without the counters a reopen changes
	"$vssd" nvme smart-log "${small[@]}" "${dev[@]}" -o json |
		jq 'del(.power_cycles, .power_on_hours)' >"$1"
}
if "$vssd" sim "${small[@]}" "${dev[@]}" "$tmp/fill.fio" >/dev/null 2>"$tmp/err" &&
	dump "$tmp/a.img" && smart "$tmp/s1" && smart "$tmp/s2" && dump "$tmp/b.img" &&
	cmp -s "$tmp/a.img" "$tmp/b.img" && cmp -s "$tmp/s1" "$tmp/s2" &&
	[ "$(tr -d '\0' <"$tmp/a.img" | head -c 1 | wc -c)" -eq 1 ] &&
	[ "$(jq .data_units_written "$tmp/s1")" -gt 0 ] &&
	[ "$(jq .data_units_read "$tmp/s1")" -gt 0 ]; then
	ok "reopen after a clean shutdown: same contents, same SMART counters"
else
	bad "reopen after a clean shutdown"
	cat "$tmp/err"
	diff "$tmp/s1" "$tmp/s2"
fi

if "$vssd" sim "${small[@]}" "${dev[@]}" --json "$tmp/fill.fio" >"$tmp/open.json" &&
	jq -e '.opened.from_checkpoint and .opened.mapped_bytes > 0' "$tmp/open.json" >/dev/null; then
	ok "the report of a reopened device file: $(jq -c .opened "$tmp/open.json")"
else
	bad "the report of a reopened device file lacks how it came up"
fi

# expect_error WHAT NEEDLE ARGS...: vssd sim fails, naming NEEDLE
expect_error() {
	local what=$1 needle=$2
	shift 2
	if "$vssd" sim "$@" "$tmp/fill.fio" >/dev/null 2>"$tmp/err"; then
		bad "$what: it ran"
	elif grep -qF -- "$needle" "$tmp/err"; then
		ok "$what: $(head -1 "$tmp/err")"
	else
		bad "$what: '$(cat "$tmp/err")' lacks '$needle'"
	fi
}
expect_error "another geometry" "was made with channels=2 (asked 4)" "${dev[@]}"
cp "$tmp/dev.vssd" "$tmp/trunc.vssd"
truncate -s 100M "$tmp/trunc.vssd"
expect_error "truncated file" "is truncated" "${small[@]}" --set media=file \
	--set path="$tmp/trunc.vssd"
head -c 1M /dev/urandom >"$tmp/junk"
expect_error "not a device file" "not a vssd device file" "${small[@]}" --set media=file \
	--set path="$tmp/junk"
# a file even root may not write
expect_error "read-only path" "cannot open for reading and writing" --set media=file \
	--set path=/sys/kernel/notes
expect_error "media=file without path" "media=file needs path=" --set media=file
expect_error "path without media=file" "needs media=file" --set path="$tmp/x.vssd"
summary
