#!/usr/bin/env bash
# Fetches the source of the fio that Debian installed here and configures it
# as Debian's build does, so the vssd fio engine (frontends/fio) compiles
# against exactly the headers of the fio that will load it: an engine's
# structures (struct io_u, struct thread_data) change with fio's version
# and with its configure results.
#
#   scripts/fio-source.sh DEST     DEST/fio ends up a configured source tree
#
# The source comes from Debian's source packages: when apt has no deb-src
# entry, one is derived from the system's own Debian sources list
# (debian.sources or sources.list), never from a host named here. If any
# step fails the engine is skipped: this prints why and exits 0, and the
# build and the tests say "skipped".
set -uo pipefail
dest=${1:?usage: fio-source.sh DEST}
mkdir -p "$dest"
dest=$(cd "$dest" && pwd)

skip() {
	echo "fio engine: skipped: $*" >&2
	rm -rf "$dest/fio"
	exit 0
}

version=$(dpkg-query -W -f='${Version}' fio 2>/dev/null) || skip "fio is not installed"
if [ -f "$dest/fio/config-host.h" ] && [ "$(cat "$dest/fio/.debian-version" 2>/dev/null)" = "$version" ]; then
	exit 0 # already there for this version
fi

# deb-src entries from the Debian sources the system has
derive_deb_src() {
	local out=/etc/apt/sources.list.d/vssd-deb-src
	if [ -f /etc/apt/sources.list.d/debian.sources ]; then
		awk 'BEGIN { RS = ""; ORS = "\n\n" }
			/(^|\n)Types:[^\n]*[ \t]deb([ \t]|\n|$)/ {
				sub(/Types:[^\n]*/, "Types: deb-src"); print }' \
			/etc/apt/sources.list.d/debian.sources >"$out.sources"
	elif [ -f /etc/apt/sources.list ]; then
		sed -n 's/^[ \t]*deb[ \t]/deb-src /p' /etc/apt/sources.list >"$out.list"
	else
		return 1
	fi
	apt-get update -qq
}

if [ -z "$(apt-cache showsrc fio 2>/dev/null)" ]; then
	[ "$(id -u)" -eq 0 ] || skip "no deb-src entry for fio, and adding one needs root"
	echo "fio engine: adding deb-src entries derived from the Debian sources list" >&2
	derive_deb_src || skip "no Debian sources list to derive a deb-src entry from"
	[ -n "$(apt-cache showsrc fio 2>/dev/null)" ] || skip "apt has no source package for fio"
fi

work=$(mktemp -d "$dest/fetch.XXXXXX")
trap 'rm -rf "$work"' EXIT
echo "fio engine: fetching Debian's fio $version source" >&2
(cd "$work" && apt-get source -qq "fio=$version" >/dev/null 2>"$work/log") ||
	skip "apt-get source fio=$version failed: $(tail -1 "$work/log")"
tree=$(find "$work" -mindepth 1 -maxdepth 1 -type d -name 'fio-*' | head -1)
[ -n "$tree" ] || skip "the fio source package unpacked nothing"

# Debian's configure line, less the GTK front end (gfio: a separate program
# whose libraries change nothing the fio binary or an engine sees)
flags=$(sed -n 's/^[ \t]*\.\/configure[ \t]*//p' "$tree/debian/rules" | head -1)
[ -n "$flags" ] || skip "no ./configure line in debian/rules"
flags=${flags//--enable-gfio/}
echo "fio engine: ./configure $flags" >&2
# shellcheck disable=SC2086
(cd "$tree" && ./configure $flags >"$work/configure.log" 2>&1) ||
	skip "fio's configure failed: $(grep -m1 ERROR: "$work/configure.log" || tail -1 "$work/configure.log")"
echo "$version" >"$tree/.debian-version"
rm -rf "$dest/fio"
mv "$tree" "$dest/fio"
echo "fio engine: fio $version source ready in $dest/fio" >&2
