#!/usr/bin/env bash
# Boots the guest (build-image.sh's kernel and busybox) under QEMU's
# software emulation with this machine's vssd, nvme-cli, fio, e2fsprogs and
# jq copied in (and any --tool, perf say, with its libraries), and runs
# SCRIPT ARGS in it from /guest (where the script, the profiles and any
# --file sit). Prints the guest's console and exits with the script's
# status; 77 (skipped) when QEMU or the image cannot be had.
#
#   tests/guest/run.sh [--smp N] [--mem MIB] [--timeout S] [--file PATH]...
#                      [--tool PATH]... BUILD SCRIPT [ARGS...]
set -euo pipefail

here=$(cd "$(dirname "$0")" && pwd)
smp=2 mem=1024 timeout_s=900
files=() extra_tools=()
while [ $# -gt 0 ]; do
	case $1 in
	--tool) extra_tools+=("$2"); shift 2 ;;
	--smp) smp=$2; shift 2 ;;
	--mem) mem=$2; shift 2 ;;
	--timeout) timeout_s=$2; shift 2 ;;
	--file) files+=("$2"); shift 2 ;;
	*) break ;;
	esac
done
[ $# -ge 2 ] || { echo "usage: $0 [--smp N] [--mem MIB] [--timeout S] [--file PATH]... [--tool PATH]... BUILD SCRIPT [ARGS...]" >&2; exit 2; }
build=$(cd "$1" && pwd)
script=$2
shift 2

command -v qemu-system-x86_64 >/dev/null || { echo "guest: skipped: qemu-system-x86_64 is not installed" >&2; exit 77; }
image=$("$here/build-image.sh" "${GUEST_CACHE:-$here/../../.deps/guest}") || exit $?
tools=("$build/vssd" "$(command -v nvme)" "$(command -v fio)" "$(command -v mke2fs)"
	"$(command -v e2fsck)" "$(command -v jq)" "$(command -v blkzone)"
	"$(command -v mkfs.f2fs)" "${extra_tools[@]}")
for t in "${tools[@]}"; do
	[ -x "$t" ] || { echo "guest: skipped: a tool the guest needs is missing ($t)" >&2; exit 77; }
done

work=$(mktemp -d)
trap 'rm -rf "$work"' EXIT
root="$work/root"
mkdir -p "$root"/{usr/local/bin,lib/x86_64-linux-gnu,lib64,guest,etc/nvme}
# each tool and every library it loads, where the dynamic linker looks
for t in "${tools[@]}"; do
	cp "$t" "$root/usr/local/bin/"
	ldd "$t" | awk '/=> \// { print $3 } /^\t\/lib64/ { print $1 }' | while read -r lib; do
		case $lib in
		/lib64/*) cp -L "$lib" "$root/lib64/" ;;
		*) cp -nL "$lib" "$root/lib/x86_64-linux-gnu/" ;;
		esac
	done
done
ln -s mke2fs "$root/usr/local/bin/mkfs.ext4"
ln -s e2fsck "$root/usr/local/bin/fsck.ext4"
cp -r "$here/../../profiles" "$root/guest/profiles"
cp "$script" "$root/guest/"
for f in "${files[@]}"; do cp "$f" "$root/guest/"; done
{
	printf 'export VSSD_PROFILE_DIR=/guest/profiles\n'
	printf '%q ' sh "./$(basename "$script")" "$@"
	printf '\n'
} >"$root/guest/run"
cp "$here/init" "$root/init"
chmod +x "$root/init"
# a host identity of its own, so nvme-cli does not make one up
echo "nqn.2014-08.org.nvmexpress:uuid:6b2d9e0e-2f3c-4c55-9a55-7a6f3c1e0001" >"$root/etc/nvme/hostnqn"
echo "6b2d9e0e-2f3c-4c55-9a55-7a6f3c1e0001" >"$root/etc/nvme/hostid"
# the kernel unpacks concatenated archives in order: the cached base, then ours
(cd "$root" && find . -mindepth 1 | "$image/busybox" cpio -o -H newc 2>/dev/null) >"$work/tools.cpio"
cat "$image/base.cpio" "$work/tools.cpio" >"$work/initrd"

echo "guest: booting $(cat "$image/kernel.version") under qemu-system-x86_64 -accel tcg ($smp CPUs, $mem MiB); $(nvme version | head -1)"
set +e
timeout --foreground -k 10 "$timeout_s" qemu-system-x86_64 -accel tcg -cpu max -smp "$smp" -m "$mem" \
	-nic none -display none -monitor none -serial stdio -no-reboot \
	-kernel "$image/vmlinuz" -initrd "$work/initrd" \
	-append "console=ttyS0 panic=-1 quiet loglevel=4 clocksource=tsc tsc=reliable" </dev/null | tee "$work/console" | tr -d '\r'
rc=${PIPESTATUS[0]}
set -e
[ "$rc" -eq 124 ] && { echo "guest: no answer after $timeout_s s: stopped"; exit 1; }
status=$(tr -d '\r' <"$work/console" | awk '/^guest: exit [0-9]+$/ { s = $3 } END { print s }')
[ -n "$status" ] || { echo "guest: ended without its script's status (qemu exit $rc)"; exit 1; }
exit "$status"
