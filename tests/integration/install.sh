#!/usr/bin/env bash
# `make install` into a DESTDIR, used as someone else would: examples/hello.c
# built with pkg-config against the installed headers and libvssd.so and
# run; the installed nbdkit plugin found by name (`nbdkit vssd`, and the
# installed `vssd serve`), seen through a private mount of the DESTDIR's
# plugin folder over nbdkit's own so the machine's stays untouched.
# usage: install.sh BUILD SOURCE_DIR
set -uo pipefail
build=$1
src=$2
# shellcheck source=lib.sh
. "$(dirname "$0")/lib.sh" "$src" "$build/libvssd.so"

root=$tmp/root
# buildoption NAME: the value BUILD was set up with
buildoption() {
	meson introspect "$build" --buildoptions |
		python3 -c "import json, sys; print(next(o['value'] for o in json.load(sys.stdin) if o['name'] == '$1'))"
}
prefix=$(buildoption prefix)
libdir=$prefix/$(buildoption libdir)
plugindir=$(pkg-config --variable=plugindir nbdkit)

if DESTDIR=$root "$src/scripts/install.sh" "$build" >"$tmp/install.out" 2>&1; then
	ok "make install DESTDIR=$root"
else
	bad "make install DESTDIR=$root"
	tail -20 "$tmp/install.out"
fi
missing=0
for f in "$prefix/bin/vssd" "$prefix/include/vssd/vssd.h" "$prefix/include/vssd/nvme.h" \
	"$prefix/include/vssd/sim.h" "$prefix/include/vssd/served.h" "$libdir/libvssd.so" \
	"$libdir/pkgconfig/vssd.pc" "$prefix/share/vssd/profiles/default.conf" \
	"$plugindir/nbdkit-vssd-plugin.so"; do
	[ -e "$root$f" ] || { bad "installed: no $f"; missing=1; }
done
if [ -e "$build/libvssd-fio.so" ] && [ ! -e "$root$libdir/libvssd-fio.so" ]; then
	bad "installed: no $libdir/libvssd-fio.so, the fio engine"
	missing=1
fi
[ $missing = 0 ] && ok "installed files in place"

# the library exports exactly the functions its installed headers declare
grep -ohE '\bvssd_[a-z0-9_]+\(' "$root$prefix"/include/vssd/*.h | tr -d '(' | sort -u >"$tmp/declared"
nm -D --defined-only "$root$libdir/libvssd.so" | awk '$2 == "T" { sub(/@.*/, "", $3); print $3 }' |
	sort -u >"$tmp/exported"
if diff "$tmp/declared" "$tmp/exported" >"$tmp/nm.out"; then
	ok "libvssd.so exports the $(wc -l <"$tmp/declared") functions include/vssd/*.h declares, no more"
else
	bad "libvssd.so's exports differ from include/vssd/*.h (< declared only, > exported only): $(head -8 "$tmp/nm.out")"
fi

export PKG_CONFIG_PATH=$root$libdir/pkgconfig PKG_CONFIG_SYSROOT_DIR=$root
flags=$(pkg-config --cflags --libs vssd)
export VSSD_PROFILE_DIR=$root$prefix/share/vssd/profiles
if cc -Wall -Werror -o "$tmp/hello" "$src/examples/hello.c" $flags 2>"$tmp/cc.out" &&
	LD_LIBRARY_PATH=$root$libdir LD_PRELOAD=$asan_preload "$tmp/hello" >"$tmp/hello.out" 2>&1 &&
	grep -q 'read back: "hello from LBA 42"' "$tmp/hello.out" &&
	grep -q 'ftl=conv: the host wrote 4096 bytes' "$tmp/hello.out"; then
	ok "examples/hello.c built with pkg-config ($flags) and run"
else
	bad "examples/hello.c with pkg-config $flags"
	cat "$tmp/cc.out" "$tmp/hello.out" 2>/dev/null | tail -10
fi
# (ldd's whole output first: grep -q stopping early would fail the pipeline on SIGPIPE)
LD_LIBRARY_PATH=$root$libdir ldd "$tmp/hello" >"$tmp/ldd.out" 2>&1
if grep -q "$root$libdir/libvssd.so" "$tmp/ldd.out"; then
	ok "hello runs on the installed libvssd.so"
else
	bad "hello does not load the installed libvssd.so"
fi

if [ -e "$root$libdir/libvssd-fio.so" ]; then
	if LD_PRELOAD=$asan_preload fio --thread --ioengine="external:$root$libdir/libvssd-fio.so" \
		--vssd_params="profile=default media=ram" --name=w --rw=write --bs=64k --size=4m \
		--verify=crc32c --verify_state_save=0 >"$tmp/fio.out" 2>&1; then
		ok "fio with the installed engine wrote and verified 4 MiB"
	else
		bad "fio with the installed engine"
		tail -10 "$tmp/fio.out"
	fi
fi

# nbdkit finds plugins by name in its plugin folder only
probe="nbdinfo --size \$uri"
by_name="mount --bind '$root$plugindir' '$plugindir' &&
	LD_PRELOAD='$asan_preload' nbdkit -U - vssd profile=default media=ram --run '$probe' &&
	LD_PRELOAD='$asan_preload' '$root$prefix/bin/vssd' serve --set media=ram --run '$probe'"
if ! unshare -m true 2>"$tmp/unshare.err"; then
	echo "skipped: nbdkit vssd by name: no private mount namespace here: $(cat "$tmp/unshare.err")"
elif unshare -m sh -c "$by_name" >"$tmp/byname.out" 2>&1 && [ "$(grep -c '^[0-9]\+$' "$tmp/byname.out")" = 2 ]; then
	ok "nbdkit vssd (by name) and the installed vssd serve each served $(head -1 "$tmp/byname.out") bytes"
else
	bad "nbdkit vssd by name"
	tail -10 "$tmp/byname.out"
fi
summary
