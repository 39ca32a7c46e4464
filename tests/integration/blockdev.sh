#!/usr/bin/env bash
# ext4 on a vssd block device (scripts/blockdev.sh: nbdkit + nbdfuse +
# losetup): mkfs, mount, copy a tree, unmount, e2fsck -f clean, remount and
# compare checksums. Skipped (exit 77) where the kernel or the user cannot
# make the device: no root, no /dev/fuse, no loop devices.
# usage: blockdev.sh PLUGIN SOURCE_DIR
set -uo pipefail
plugin=$1
src=$2
[ "$(id -u)" -eq 0 ] || { echo "skipped: needs root"; exit 77; }
[ -e /dev/fuse ] || { echo "skipped: no /dev/fuse"; exit 77; }
[ -e /dev/loop-control ] || { echo "skipped: no loop devices"; exit 77; }
if [ -n "$(ldd "$plugin" | awk '/libasan/ { print $3 }')" ]; then
	echo "skipped: a sanitizer build's plugin cannot load into nbdkit under nbdfuse"
	exit 77
fi
export VSSD_PLUGIN=$plugin
tmp=$(mktemp -d)
# Can this machine make the device at all? Probe with no vssd code: a loop
# device over a plain file, and nbdfuse over nbdkit's memory plugin.
probe() {
	local img=$tmp/probe.img loop
	truncate -s 1M "$img"
	loop=$(losetup --find --show "$img" 2>/dev/null) || return 1
	losetup -d "$loop"
	mkdir -p "$tmp/probe"
	timeout 10 nbdfuse "$tmp/probe/f" [ nbdkit memory 1M ] >/dev/null 2>&1 &
	for _ in $(seq 50); do [ -e "$tmp/probe/f" ] && break; sleep 0.1; done
	[ -e "$tmp/probe/f" ] || return 1
	umount "$tmp/probe"
	wait
}
if ! probe; then
	echo "skipped: this machine cannot make loop devices or FUSE mounts"
	rm -rf "$tmp"
	exit 77
fi
state=$tmp/state
mnt=$tmp/mnt
mkdir -p "$mnt"
cleanup() {
	mountpoint -q "$mnt" && umount "$mnt"
	"$src/scripts/blockdev.sh" down --dir "$state"
	rm -rf "$tmp"
}
trap cleanup EXIT
fail() { echo "FAIL: $*"; exit 1; }

# a 300 MiB device (op 0.25), data kept, timing on: the real model
dev=$("$src/scripts/blockdev.sh" up --dir "$state" channels=2 luns_per_channel=2 \
	blocks_per_plane=128 pages_per_block=48 op=0.25 media=ram) || fail "blockdev up"
echo "device: $dev"
# a tree of files: the project's sources, twice, plus some random data
mkdir -p "$tmp/tree"
cp -a "$src/src" "$src/docs" "$tmp/tree/"
cp -a "$src/src" "$tmp/tree/src2"
head -c 20M /dev/urandom >"$tmp/tree/random.bin"
(cd "$tmp/tree" && find . -type f -print0 | sort -z | xargs -0 sha256sum) >"$tmp/want"

mkfs.ext4 -q -F "$dev" || fail "mkfs.ext4"
mount "$dev" "$mnt" || fail "mount"
cp -a "$tmp/tree/." "$mnt/" || fail "copy"
umount "$mnt" || fail "umount"
e2fsck -f -n "$dev" >"$tmp/fsck" 2>&1 || { cat "$tmp/fsck"; fail "e2fsck -f found problems"; }
mount "$dev" "$mnt" || fail "remount"
(cd "$mnt" && find . -type f ! -path './lost+found/*' -print0 | sort -z | xargs -0 sha256sum) \
	>"$tmp/got"
umount "$mnt"
cmp "$tmp/want" "$tmp/got" || fail "checksums differ after remount"
echo "ok: ext4 round trip on $dev ($(wc -l <"$tmp/want") files), e2fsck clean"
