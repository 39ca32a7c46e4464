#!/usr/bin/env bash
# What a careless or hostile user once broke (issue 20): files saved by other
# editors, odd numbers, misbehaving NBD clients, damaged device files. Each
# check names the issue's item it guards; a hang counts as a failure.
# usage: hardening.sh VSSD PLUGIN SOURCE_DIR
set -uo pipefail
vssd=$1
plugin=$2
src=$3
# shellcheck source=lib.sh
. "$(dirname "$0")/lib.sh" "$src" "$plugin"

# the issue's small device: 4 dies x 64 blocks x 96 pages of 16 KiB
cat >"$tmp/small.conf" <<'EOF'
channels = 2
luns_per_channel = 2
blocks_per_plane = 64
pages_per_block = 96
op = 0.28
EOF
sim=("$vssd" sim --profile "$tmp/small.conf")

# writes_1m NAME FILE: the job file runs as the one 1 MiB sequential write it says
writes_1m() {
	if timeout 120 "${sim[@]}" --json "$2" >"$tmp/w.json" 2>"$tmp/w.err" &&
		jq -e '.jobs | length == 1 and .[0].write.io_bytes == 1048576 and
			.[0].read.io_bytes == 0' "$tmp/w.json" >/dev/null
	then ok "$1"; else bad "$1: $(cat "$tmp/w.err")"; fi
}

# items 1 and 2: byte-order marks, form feeds, CR and CRLF line ends
printf '\xef\xbb\xbf[j]\nrw=write\nsize=1m\n' >"$tmp/bom.fio"
printf '\f[j]\nrw=write\nsize=1m\n\f' >"$tmp/ff.fio"
printf '[j]\r\nrw=write\r\nsize=1m\r' >"$tmp/crlf.fio"
printf '[j]\rrw=write\rsize=1m\r' >"$tmp/cr.fio"
writes_1m "item 1: a job file with a UTF-8 byte-order mark" "$tmp/bom.fio"
writes_1m "item 1: form feeds around the job" "$tmp/ff.fio"
writes_1m "item 2: CRLF lines, the last ending in a lone CR" "$tmp/crlf.fio"
writes_1m "item 2: CR-only lines" "$tmp/cr.fio"

# item 5: too many sections fail fast with the limit named
awk 'BEGIN { for (i = 0; i < 200000; i++) printf "[j%d]\nrw=write\nsize=4k\n", i }' \
	>"$tmp/many.fio"
expect_error "item 5: 200,000 job sections" "more than 4096 jobs (fio's limit)" "${sim[@]}" "$tmp/many.fio"
printf '[global]\nrw=write\nsize=4k\nnumjobs=1024\n[a]\n[b]\n[c]\n[d]\n[e]\nnumjobs=1\n' \
	>"$tmp/numjobs.fio"
expect_error "item 5: numjobs past fio's limit" "more than 4096 jobs after numjobs" \
	"${sim[@]}" "$tmp/numjobs.fio"

# item 9 and 12: NaN, infinity and endless runs refused with the key named
bad_value() { # ITEM NEEDLE OPTION...: a job with these options is refused
	local item=$1 needle=$2
	shift 2
	printf '[j]\nrw=randwrite\nsize=1m\n' >"$tmp/v.fio"
	printf '%s\n' "$@" >>"$tmp/v.fio"
	expect_error "item $item: $*" "$needle" "${sim[@]}" "$tmp/v.fio"
}
bad_value 9 "random_distribution=pareto:nan: bad value" random_distribution=pareto:nan
bad_value 9 "random_distribution=zipf:inf: bad value" random_distribution=zipf:inf
bad_value 9 "random_distribution=zoned:nan/50:50/50: bad value" random_distribution=zoned:nan/50:50/50
bad_value 9 "rwmixread=nan: bad value" rwmixread=nan
bad_value 9 "size=nan%: bad value" size=nan%
bad_value 9 "offset=inf%: bad value" offset=inf%
bad_value 12 "time_based needs a runtime above 0" time_based
bad_value 12 "time_based needs a runtime above 0" time_based runtime=0
bad_value 12 "runtime=inf: bad value, expected a finite time" runtime=inf
bad_value 12 "runtime=1e30: bad value, expected a finite time" runtime=1e30
bad_value 12 "thinktime=nan: bad value" thinktime=nan

# item 3: torture on media that keeps nothing is refused, not hung
expect_error "item 3: torture with media=none" "media=none keeps no data" \
	"$vssd" torture --set media=none --cycles 1

# item 10: pblk over media whose writes mostly fail gives up with the reason
expect_error "item 10: sim, pblk with ocssd_write_fail=0.7" "failed to write 8 times" \
	"${sim[@]}" --set ftl=pblk --set ocssd_write_fail=0.7 "$tmp/crlf.fio"
expect_error "item 10: torture, pblk with ocssd_write_fail=0.7" "could not be sent" \
	"$vssd" torture --set ftl=pblk --set ocssd_write_fail=0.7 --cycles 1

# item 13: a raw open-channel device under a block host says what it needs
expect_error "item 13: sim on ftl=ocssd" "needs a host FTL such as ftl=pblk" \
	"${sim[@]}" --set ftl=ocssd "$tmp/crlf.fio"
expect_error "item 13: torture on ftl=ocssd" "needs a host FTL such as ftl=pblk" \
	"$vssd" torture --set ftl=ocssd --cycles 1

# NBD clients, through libnbd's Python binding (Debian's python3, not a
# python3 earlier on PATH that lacks the module)
nbd_small=(timing=off media=ram channels=2 luns_per_channel=2 blocks_per_plane=64
	pages_per_block=48 op=0.25)
nbd_py() { timeout 60 /usr/bin/python3 - "$nbd_uri"; }

# item 6: a fast zero is answered (ENOTSUP unless it may deallocate), not an
# assertion in nbdkit that drops every client
fast_zero() {
	nbd_py <<'EOF' && kill -0 "$server"
import sys, nbd
h = nbd.NBD()
h.connect_uri(sys.argv[1])
assert h.can_fast_zero()
h.pwrite(b"\xab" * 65536, 0)
try:
    h.zero(65536, 0, nbd.CMD_FLAG_FAST_ZERO | nbd.CMD_FLAG_NO_HOLE)
    sys.exit("a fast zero that would write zeros was accepted")
except nbd.Error as e:
    assert e.errnum == 95, e  # ENOTSUP: the client writes zeros itself
assert h.pread(4096, 0) == b"\xab" * 4096
h.zero(65536, 0, nbd.CMD_FLAG_FAST_ZERO)
assert h.pread(65536, 0) == bytes(65536)
EOF
}
# item 13: the 64th connection is refused with the limit named in the log
connection_limit() {
	nbd_py <<'EOF' && grep -q "all 63 are in use" "$tmp/server.err"
import sys, nbd
hs = []
for i in range(64):
    h = nbd.NBD()
    try:
        h.connect_uri(sys.argv[1])
    except nbd.Error:
        sys.exit(0 if i == 63 else "connection %d refused" % (i + 1))
    hs.append(h)
sys.exit("64 connections accepted")
EOF
}
if server_start "$plugin" "${nbd_small[@]}"; then
	check "item 6: NBD fast zero" fast_zero
	check "item 13: the 64th NBD connection" connection_limit
	server_stop
else
	bad "items 6, 13: nbdkit did not start"
fi
expect_error "item 13: NBD on ftl=ocssd" "needs a host FTL such as ftl=pblk" \
	env LD_PRELOAD="$asan_preload" nbdkit -U - "$plugin" "${nbd_small[@]}" ftl=ocssd --run true


# item 11: media=ram beyond the machine's memory is refused, naming the
# sizes, unless asked for
printf '[r]\nrw=read\nsize=1m\n' >"$tmp/r.fio"
expect_error "item 11: media=ram of dc_tlc (1.1 TiB)" "more than this machine's" \
	"$vssd" sim --profile dc_tlc --set media=ram "$tmp/r.fio"
check "item 11: ram_beyond_memory=on runs it" \
	"$vssd" sim --profile dc_tlc --set media=ram --set ram_beyond_memory=on "$tmp/r.fio"

# item 14: an empty file is not taken for a new device
: >"$tmp/empty.vssd"
expect_error "item 14: an empty device file" "an empty file, not a vssd device file" \
	"${sim[@]}" --set media=file --set path="$tmp/empty.vssd" "$tmp/r.fio"

# item 15: the command line
expect_error "item 15: --csv-interval-ms -5" "expected a whole number of milliseconds" \
	"${sim[@]}" --csv-interval-ms -5 "$tmp/r.fio"
expect_error "item 15: --profile naming a directory" "a profile must be a regular file" \
	"$vssd" sim --profile "$tmp" "$tmp/r.fio"
expect_error "item 15: --profile /dev/zero" "a profile must be a regular file" \
	"$vssd" sim --profile /dev/zero "$tmp/r.fio"
expect_error "item 15: serve --stats in a missing folder" "--stats $tmp/no/such: No such file" \
	"$vssd" serve --stats "$tmp/no/such" --run true
expect_error "item 15: sim with an extra argument" "expected one JOBFILE" \
	"${sim[@]}" "$tmp/r.fio" extra
expect_error "item 15: nvme with an extra argument" "unexpected argument 'extra'" \
	"$vssd" nvme id-ctrl extra
expect_error "item 15: params with an extra argument" "unexpected argument 'extra'" \
	"$vssd" params extra
expect_error "item 15: torture with an extra argument" "unexpected argument 'extra'" \
	"$vssd" torture --cycles 1 extra


# found on the way: a trim job trimmed nothing (its command count wrapped to 0)
printf '[t]\nrw=trim\nbs=64k\nsize=15m\n' >"$tmp/trim.fio"
if [ "$("${sim[@]}" --json "$tmp/trim.fio" | jq '.device.host_trim_bytes')" = 15728640 ]; then
	ok "rw=trim trims its 15 MiB"
else
	bad "rw=trim trims its 15 MiB"
fi

# item 13: an iolog version vssd does not read is named as such
printf 'fio version 4 iolog\n/dev/x add\n' >"$tmp/v4.log"
printf '[r]\nread_iolog=%s\n' "$tmp/v4.log" >"$tmp/v4.fio"
expect_error "item 13: iolog version 4" "an iolog version this vssd does not read" \
	"${sim[@]}" "$tmp/v4.fio"


# item 14: a --powerloss past the end of the run is said, not skipped
if "${sim[@]}" --set media=ram --powerloss at=100s "$tmp/r.fio" 2>&1 >/dev/null |
	grep -q "1 of 1 --powerloss cuts came after the run's end"; then
	ok "item 14: --powerloss past the end is reported"
else
	bad "item 14: --powerloss past the end is reported"
fi


# item 14: die utilisation stays at or under 100%, also when writes complete
# from the write buffer before their programs end, and across a power cut
printf '[w]\nrw=write\nbs=128k\niodepth=32\nsize=8m\n' >"$tmp/burst.fio"
for cut in "" "--set media=ram --powerloss after=40"; do
	# shellcheck disable=SC2086 # $cut is two options or none
	if "${sim[@]}" $cut --json "$tmp/burst.fio" 2>"$tmp/u.err" >"$tmp/u.json" &&
		jq -e '(.device.die_utilization | max) <= 1 and (.device.die_utilization | max) > 0.9
			and .device.die_utilization_window_s >= .sim.virtual_s' "$tmp/u.json" >/dev/null
	then ok "item 14: die utilisation at most 100% ${cut:-(no cut)}"
	else bad "item 14: die utilisation at most 100% ${cut:-(no cut)}: $(jq -c .device.die_utilization "$tmp/u.json") $(cat "$tmp/u.err")"; fi
done


# item 14: what a trace replay cannot do is refused, not ignored (issue 21:
# loops and number_ios are honoured, replay options need a trace)
printf 'fio version 3 iolog\n0 /dev/x add\n5 /dev/x write 4096 4096\n' >"$tmp/v3.log"
printf '[r]\nread_iolog=%s\ntime_based\nruntime=1s\n' "$tmp/v3.log" >"$tmp/replay.fio"
expect_error "item 14: read_iolog with time_based" "time_based with read_iolog is not supported" \
	"${sim[@]}" "$tmp/replay.fio"
for opt in "loops=3:3" "number_ios=1:1"; do
	printf '[r]\nread_iolog=%s\n%s\n' "$tmp/v3.log" "${opt%%:*}" >"$tmp/replay.fio"
	if "${sim[@]}" --json "$tmp/replay.fio" 2>"$tmp/replay.err" | jq -e ".sim.host_ios == ${opt##*:}" >/dev/null; then
		ok "issue 21: read_iolog with ${opt%%:*} replays ${opt##*:} requests"
	else
		bad "issue 21: read_iolog with ${opt%%:*}: $(cat "$tmp/replay.err")"
	fi
done
printf '[w]\nrw=write\nsize=1m\nreplay_scale=2\n' >"$tmp/replay.fio"
expect_error "issue 21: a replay option without a trace" "replay_scale needs read_iolog" \
	"${sim[@]}" "$tmp/replay.fio"


# item 14: a blktrace file cut short or naming a sector past any device is
# refused, not read as something else
/usr/bin/python3 - "$tmp" <<'PY'
import struct, sys
rec = lambda sec, pdu=0: struct.pack("<IIQQIIIIIHH", 0x65617407, 0, 1000, sec, 4096,
                                     (2 << 16) | 1, 0, 0, 0, 0, pdu)
for name, data in (("cut", rec(8) + rec(16)[:30]), ("pdu", rec(8) + rec(16, 100) + b"x" * 10),
                   ("sector", rec(8) + rec(2**62))):
    open(sys.argv[1] + "/" + name + ".blk", "wb").write(data)
PY
for c in "cut:truncated (30 of its 48 bytes)" "pdu:truncated (its 100-byte payload)" \
	"sector:sector 4611686018427387904 is past any device"; do
	printf '[r]\nread_iolog=%s\n' "$tmp/${c%%:*}.blk" >"$tmp/blk.fio"
	expect_error "item 14: blktrace, ${c%%:*}" "${c#*:}" "${sim[@]}" "$tmp/blk.fio"
done


# item 14: trace times: one past 146 years is refused, not wrapped; a
# request 46 days in is replayed, not dropped
printf 'fio version 3 iolog\n0 /dev/x add\n0 /dev/x write 0 4096\n18446744073709551615 /dev/x read 0 4096\n' \
	>"$tmp/big.log"
printf '[r]\nread_iolog=%s\n' "$tmp/big.log" >"$tmp/big.fio"
expect_error "item 14: the largest iolog timestamp" "a time more than 146 years into the trace" \
	"${sim[@]}" "$tmp/big.fio"
printf 'fio version 3 iolog\n0 /dev/x add\n0 /dev/x write 0 4096\n4000000000 /dev/x read 0 4096\n' \
	>"$tmp/far.log"
printf '[r]\nread_iolog=%s\n' "$tmp/far.log" >"$tmp/far.fio"
if [ "$("${sim[@]}" --json "$tmp/far.fio" | jq -c '[.jobs[0].read.total_ios, .jobs[0].write.total_ios]')" = "[1,1]" ]; then
	ok "item 14: a request 46 days into a trace is replayed"
else
	bad "item 14: a request 46 days into a trace is replayed"
fi

summary
