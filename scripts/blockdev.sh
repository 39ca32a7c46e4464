#!/usr/bin/env bash
# A real block device backed by vssd, for mkfs, mount, databases, VMs:
# nbdkit serves the device, nbdfuse shows it as a file, losetup makes that
# file a loop device. Needs root, /dev/fuse and loop devices (no nbd module).
#
#   scripts/blockdev.sh up [--dir DIR] [KEY=VALUE]...   prints the /dev/loopN
#   scripts/blockdev.sh down [--dir DIR]
#
# KEY=VALUE are the plugin's arguments: profile=, any `vssd params` key,
# stats=PATH (default DIR/stats.json). DIR (default /run/vssd-blockdev)
# holds the mount point and the state `down` needs. A failure in `up`
# undoes what it did.
set -euo pipefail
here=$(cd "$(dirname "$0")/.." && pwd)
plugin=${VSSD_PLUGIN:-$here/build/nbdkit-vssd-plugin.so}
export VSSD_PROFILE_DIR=${VSSD_PROFILE_DIR:-$here/profiles}
dir=/run/vssd-blockdev

die() { echo "blockdev: $*" >&2; exit 1; }

down() {
	[ -f "$dir/loop" ] && losetup -d "$(cat "$dir/loop")" 2>/dev/null || true
	rm -f "$dir/loop"
	if mountpoint -q "$dir/fuse" 2>/dev/null; then
		umount "$dir/fuse" || umount -l "$dir/fuse"
	fi
	if [ -f "$dir/nbdfuse.pid" ]; then # nbdfuse exits once unmounted; nbdkit with it
		local pid
		pid=$(cat "$dir/nbdfuse.pid")
		for _ in $(seq 100); do kill -0 "$pid" 2>/dev/null || break; sleep 0.1; done
		rm -f "$dir/nbdfuse.pid"
	fi
	rmdir "$dir/fuse" 2>/dev/null || true
}

up() {
	local args=("$@") stats=no
	for a in "${args[@]}"; do [[ $a == stats=* ]] && stats=yes; done
	[ $stats = no ] && args+=("stats=$dir/stats.json")
	[ "$(id -u)" -eq 0 ] || die "needs root (losetup, FUSE mounts)"
	[ -e /dev/fuse ] || die "no /dev/fuse: the kernel has no FUSE"
	[ -e /dev/loop-control ] || die "no /dev/loop-control: the kernel has no loop devices"
	[ -f "$plugin" ] || die "no plugin at $plugin (run make, or set VSSD_PLUGIN)"
	command -v nbdfuse >/dev/null || die "nbdfuse missing (apt-get install libnbd-bin)"
	[ -f "$dir/loop" ] && die "already up: $(cat "$dir/loop") (run: $0 down --dir $dir)"
	mkdir -p "$dir/fuse"
	trap 'echo "blockdev: failed; cleaning up" >&2; down' ERR
	# nbdfuse runs the server itself (socket activation) and writes its pid
	# file once the file is there
	nbdfuse -P "$dir/nbdfuse.pid" "$dir/fuse/vssd" \
		[ nbdkit --exit-with-parent "$plugin" "${args[@]}" ] >"$dir/server.log" 2>&1 &
	for _ in $(seq 100); do
		[ -s "$dir/nbdfuse.pid" ] && [ -e "$dir/fuse/vssd" ] && break
		kill -0 $! 2>/dev/null || { cat "$dir/server.log" >&2; false; }
		sleep 0.1
	done
	[ -e "$dir/fuse/vssd" ] || { cat "$dir/server.log" >&2; false; }
	# 4 KiB sectors: every request a whole 4 KiB mapping unit, so also
	# whole LBAs (512 or 4096 bytes), as the plugin asks of its clients
	losetup --find --show --direct-io=on --sector-size 4096 "$dir/fuse/vssd" >"$dir/loop"
	trap - ERR
	cat "$dir/loop"
}

cmd=${1:-}
shift || true
if [ "${1:-}" = --dir ]; then
	dir=$2
	shift 2
fi
case $cmd in
up) up "$@" ;;
down) down ;;
*) die "usage: $0 up [--dir DIR] [KEY=VALUE]... | down [--dir DIR]" ;;
esac
