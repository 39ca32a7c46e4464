#!/usr/bin/env bash
# `make install`: installs a built tree, under DESTDIR when it is set.
#   scripts/install.sh BUILD [PREFIX]
# With PREFIX (and it differs from the one BUILD was set up with) the tree
# is set up again for it and rebuilt first. What goes where:
#   PREFIX/bin/vssd, PREFIX/include/vssd/*.h, PREFIX/LIBDIR/libvssd.so.*,
#   PREFIX/LIBDIR/pkgconfig/vssd.pc, PREFIX/LIBDIR/libvssd-fio.so (the fio
#   engine, when it was built), PREFIX/share/vssd/profiles, and the nbdkit
#   plugin into nbdkit's own plugin folder, so `nbdkit vssd` finds it by name.
set -euo pipefail
build=$1
prefix=${2:-}

configured=$(meson introspect "$build" --buildoptions |
	python3 -c 'import json, sys; print(next(o["value"] for o in json.load(sys.stdin) if o["name"] == "prefix"))')
if [ -n "$prefix" ] && [ "$prefix" != "$configured" ]; then
	meson configure "$build" -Dprefix="$prefix"
	ninja -C "$build"
fi
meson install -C "$build" --no-rebuild --quiet ${DESTDIR:+--destdir "$DESTDIR"}
