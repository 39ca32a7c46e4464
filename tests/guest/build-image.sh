#!/usr/bin/env bash
# Builds the parts of a small Linux guest from Debian's own packages, once,
# into a cache folder (default .deps/guest): the kernel Debian's
# linux-image-amd64 names today, the modules the guest tests load (with
# everything they depend on) and a static busybox. Nothing is installed on
# this machine: the packages are fetched with apt-get download and unpacked
# with dpkg-deb -x.
#
#   tests/guest/build-image.sh [CACHE]
#
# Prints the cache folder holding vmlinuz, base.cpio (busybox, the modules
# and their modules.dep), busybox itself and kernel.version. Exits 77 (skipped) with the
# reason when a package cannot be had.
set -euo pipefail

cache=${1:-.deps/guest}
# What the tests load: the kernel's NVMe/TCP host and target, a RAM block
# device for the reference target, ext4, f2fs (over zones), CRC32C (digests,
# ext4's metadata) and CRC32 (f2fs's).
modules=(nvme-tcp nvmet-tcp null_blk ext4 f2fs crc32_generic crc32c_generic crc32c-intel)

skip() {
	echo "guest image: skipped: $*" >&2
	exit 77
}

kernel_package() {
	apt-cache depends linux-image-amd64 2>/dev/null |
		awk '/Depends: linux-image-[0-9]/ { print $2; exit }'
}

# Fetches and unpacks package $1 into $2 (a temporary folder).
unpack() {
	local pkg=$1 into=$2 dl
	dl=$(mktemp -d)
	(cd "$dl" && apt-get download -q "$pkg" >/dev/null 2>&1) ||
		{ rm -rf "$dl"; skip "apt-get download $pkg failed"; }
	dpkg-deb -x "$dl"/*.deb "$into"
	rm -rf "$dl"
}

# The modules named and every module they depend on, from a modules.dep
# (paths relative to the module folder).
module_closure() {
	local dep=$1
	shift
	awk -v want="$*" '
		BEGIN { n = split(want, w, " "); for (i = 1; i <= n; i++) { gsub("-", "_", w[i]); wanted[w[i]] = 1 } }
		function base(p) { sub(".*/", "", p); sub("\\.ko.*", "", p); gsub("-", "_", p); return p }
		{ key = $1; sub(":$", "", key); deps[key] = ""; for (i = 2; i <= NF; i++) deps[key] = deps[key] " " $i; byname[base(key)] = key }
		function add(p,   i, n, d) { if (p in seen) return; seen[p] = 1; print p; n = split(deps[p], d, " "); for (i = 1; i <= n; i++) add(d[i]) }
		END { for (m in wanted) { if (!(m in byname)) { print "missing " m > "/dev/stderr"; exit 1 } add(byname[m]) } }
	' "$dep"
}

pkg=$(kernel_package)
[ -n "$pkg" ] || skip "apt-cache knows no kernel linux-image-amd64 depends on"
version=${pkg#linux-image-}
out="$cache/$version"
# a cache built for another list of modules is built again
if [ -s "$out/base.cpio" ] && [ -s "$out/vmlinuz" ] && [ -x "$out/busybox" ] &&
	[ "$(cat "$out/modules.list" 2>/dev/null)" = "${modules[*]}" ]; then
	echo "$out"
	exit 0
fi

work=$(mktemp -d)
trap 'rm -rf "$work"' EXIT
echo "guest image: building $out from $pkg and busybox-static" >&2
unpack "$pkg" "$work/kernel"
unpack busybox-static "$work/busybox"
bb="$work/busybox/bin/busybox"
moddir="lib/modules/$version"
"$bb" depmod -b "$work/kernel" "$version"

root="$work/root"
mkdir -p "$root"/{bin,sbin,dev,proc,sys,tmp,etc,"$moddir"}
cp "$bb" "$root/bin/busybox"
module_closure "$work/kernel/$moddir/modules.dep" "${modules[@]}" >"$work/mods"
while read -r m; do
	mkdir -p "$root/$moddir/$(dirname "$m")"
	cp "$work/kernel/$moddir/$m" "$root/$moddir/$m"
done <"$work/mods"
"$bb" depmod -b "$root" "$version"
mkdir -p "$out"
(cd "$root" && find . | "$bb" cpio -o -H newc >"$work/base.cpio" 2>/dev/null)
cp "$work/kernel/boot/vmlinuz-$version" "$out/vmlinuz"
cp "$bb" "$out/busybox" # for run.sh's archive of the tools
mv "$work/base.cpio" "$out/base.cpio"
echo "$version" >"$out/kernel.version"
echo "${modules[*]}" >"$out/modules.list"
echo "$out"
