#!/usr/bin/env bash
# kill -9 through NBD: fio writes a device file through nbdkit with a flush
# every 8 writes, the server is killed mid-run, started again on the same
# file (recovery by scan), and every range written before the last flush
# that completed must verify as the new data. What was acknowledged is read
# from nbdkit's log filter: the server's own record of completions, written
# as it replies. Before that run the region holds an older pass (another
# pattern), so old data coming back fails the verify; a verify of the whole
# region shows it does (the tail past the cut still holds the older pass).
# Past the last flush each LBA may be old or new, never anything else.
# usage: crash.sh PLUGIN SOURCE_DIR
set -uo pipefail
plugin=$1
src=$2
# shellcheck source=lib.sh
. "$(dirname "$0")/lib.sh" "$src" "$plugin"

params=(media=file path="$tmp/dev.vssd" channels=2 luns_per_channel=2 blocks_per_plane=64
	pages_per_block=48 op=0.25)
region=$((120 << 20)) # of the 153.6 MiB device
start() { server_start --filter=log "$plugin" logfile="$1" "${params[@]}"; }
# BYTES of the region whose writes completed before the last flush that did
flushed_bytes() {
	awk '
		function hex(s, i, n) { # mawk has no strtonum
			for (i = 3; i <= length(s); i++) n = n * 16 + index("0123456789abcdef", substr(s, i, 1)) - 1
			return n
		}
		function field(name) { match($0, name "=[0-9a-fx]+"); return substr($0, RSTART + length(name) + 1, RLENGTH - length(name) - 1) }
		/ Write id=/ { off[field("id")] = hex(field("offset")); len[field("id")] = hex(field("count")) }
		/\.\.\.Write id=.* return=0/ { id = field("id"); if (off[id] + len[id] > acked) acked = off[id] + len[id] }
		/\.\.\.Flush id=.* return=0/ { flushed = acked; flushes++ }
		END { printf "%d %d\n", flushed, flushes }' "$1"
}

# the older pass, then a clean shutdown
if start "$tmp/log0" && fio_pass 1 $region --do_verify=0 >"$tmp/fio0.out" 2>&1 && server_stop; then
	ok "an older pass written and checkpointed"
else
	bad "an older pass"
	tail -5 "$tmp/fio0.out" "$tmp/server.err"
fi

# the new pass, killed once it has made a few dozen flushes
start "$tmp/log1"
fio_pass 2 $region --do_verify=0 >"$tmp/fio1.out" 2>&1 &
fio_pid=$!
for _ in $(seq 300); do
	[ "$(grep -c '\.\.\.Flush id=.* return=0' "$tmp/log1")" -ge 40 ] && break
	sleep 0.05
done
{ kill -9 "$server" && wait "$server"; } 2>/dev/null # no "Killed" from the shell
wait "$fio_pid"
fio_rc=$?
read -r flushed flushes < <(flushed_bytes "$tmp/log1")
if [ "$fio_rc" -ne 0 ] && [ "$flushed" -gt 0 ] && [ "$flushed" -lt $region ]; then
	ok "kill -9 mid-run: $flushes flushes completed, $((flushed >> 10)) KiB written before the last"
else
	bad "kill -9 mid-run: fio status $fio_rc, $flushed bytes flushed of $region"
	tail -5 "$tmp/fio1.out"
fi

# restart on the same file: the flushed prefix is the new pass, the rest is not
if start "$tmp/log2" && fio_pass 2 "$flushed" --verify_only=1 >"$tmp/fio2.out" 2>&1; then
	ok "after restart, all $((flushed >> 10)) KiB acknowledged before the last flush verify"
else
	bad "after restart, the flushed prefix does not verify"
	grep -m5 -i "verify\|bad\|err" "$tmp/fio2.out"
fi
if ! fio_pass 2 $region --verify_only=1 >"$tmp/fio3.out" 2>&1; then
	ok "the whole region does not verify: the check can tell old data from new"
else
	bad "the whole region verifies, though the run was killed before its end"
	grep -m5 -i "verify\|rw=\|io=" "$tmp/fio3.out"
fi
# every 4 KiB block (an LBA: a write past the last flush may be torn between
# them, as NVMe allows) is one pass's or the other's
block_of() { head -c 4096 /dev/zero | tr '\0' "\\$1" | md5sum | cut -d' ' -f1; }
old=$(block_of 021) new=$(block_of 042) # 0x11, 0x22
mkdir "$tmp/blocks"
if nbdcopy "$nbd_uri" "$tmp/dev.img" && truncate -s $region "$tmp/dev.img" &&
	split -a 4 -b 4096 "$tmp/dev.img" "$tmp/blocks/b" &&
	md5sum "$tmp/blocks"/b* | cut -d' ' -f1 | sort | uniq -c >"$tmp/kinds" &&
	! grep -v -e " $old\$" -e " $new\$" "$tmp/kinds" >/dev/null &&
	[ "$(awk -v h="$new" '$2 == h { print $1 }' "$tmp/kinds")" -ge $((flushed >> 12)) ]; then
	ok "every 4 KiB block of the region is the old pass or the new: $(awk -v h="$new" \
		'$2 == h { n = $1 } END { print n + 0 }' "$tmp/kinds") new, the rest old"
else
	bad "blocks that are neither pass"
	cat "$tmp/kinds"
fi
server_stop
summary
