#!/usr/bin/env bash
# A device file on a disk that fills up: a 192 MiB device on a 40 MiB
# tmpfs. Data written and flushed first stays readable while later writes
# fail with Write Fault (02/80h) as the disk runs out, and still after a
# restart on the same file. Skipped (exit 77) where tmpfs cannot be mounted.
# usage: fulldisk.sh PLUGIN SOURCE_DIR
set -uo pipefail
plugin=$1
src=$2
# shellcheck source=lib.sh
. "$(dirname "$0")/lib.sh" "$src" "$plugin"

mkdir "$tmp/disk"
if ! mount -t tmpfs -o size=40m tmpfs "$tmp/disk" 2>"$tmp/mount.err"; then
	echo "skipped: cannot mount a tmpfs: $(cat "$tmp/mount.err")"
	exit 77
fi
trap 'umount "$tmp/disk"; rm -rf "$tmp"' EXIT

params=(media=file path="$tmp/disk/dev.vssd" channels=2 luns_per_channel=2
	blocks_per_plane=64 pages_per_block=48 op=0.25)

if server_start "$plugin" "${params[@]}" &&
	fio_pass 1 16m --do_verify=0 >"$tmp/fio1.out" 2>&1; then
	ok "16 MiB written and flushed"
else
	bad "16 MiB written and flushed"
	tail -5 "$tmp/fio1.out"
fi
if ! fio_pass 2 120m --offset=32m --do_verify=0 >"$tmp/fio2.out" 2>&1 &&
	grep -q "Write Fault.*the store's last write failed: No space left on device" \
		"$tmp/server.err" && grep -q "No space left on device" "$tmp/fio2.out"; then
	ok "writing 120 MiB more fails: $(grep -m1 "Write Fault" "$tmp/server.err" | sed 's/.*vssd: //')"
else
	bad "writing 120 MiB more on a 40 MiB disk: no Write Fault with its cause, ENOSPC"
	tail -5 "$tmp/fio2.out" "$tmp/server.err"
fi
if fio_pass 1 16m --verify_only=1 >"$tmp/fio3.out" 2>&1; then
	ok "the 16 MiB acknowledged before the disk filled read back intact"
else
	bad "the 16 MiB acknowledged before the disk filled are damaged"
	grep -m5 -i "verify" "$tmp/fio3.out"
fi
if server_stop && server_start "$plugin" "${params[@]}" &&
	fio_pass 1 16m --verify_only=1 >"$tmp/fio4.out" 2>&1; then
	ok "and again after a restart on the same file"
else
	bad "after a restart, the 16 MiB do not read back"
	tail -5 "$tmp/fio4.out" "$tmp/server.err"
fi
server_stop
summary
