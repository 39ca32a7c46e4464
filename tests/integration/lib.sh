# Shared by the integration scripts that run real clients: a scratch folder,
# pass/fail counting, and the sanitizer runtime a module built with ASan
# needs in the program that loads it.
#   . lib.sh SOURCE_DIR [MODULE]   sets tmp, asan_preload; check NAME CMD...
export VSSD_PROFILE_DIR=$1/profiles
tmp=$(mktemp -d)
trap 'rm -rf "$tmp"' EXIT
pass=0 fail=0

# libasan's path when MODULE links it: load it first in the program that
# loads the module, and only there (awk reads all of ldd's output: grep -q
# would stop early, and the SIGPIPE ldd then gets fails a pipefail pipeline)
asan_preload=$([ -n "${2:-}" ] && ldd "$2" | awk '/libasan/ { print $3 }')
[ -n "$asan_preload" ] && export ASAN_OPTIONS=detect_leaks=0 # the host program's allocations are not ours

ok() { echo "ok: $1"; pass=$((pass + 1)); }
bad() { echo "FAIL: $1"; fail=$((fail + 1)); }
check() { # name, command...
	local name=$1
	shift
	if "$@" >"$tmp/out" 2>&1; then ok "$name"; else bad "$name"; tail -20 "$tmp/out"; fi
}
# expect_error NAME NEEDLE COMMAND...: the command fails within a minute,
# without a signal, and its output has NEEDLE
expect_error() {
	local name=$1 needle=$2 rc
	shift 2
	timeout 60 "$@" >"$tmp/out" 2>&1
	rc=$?
	if [ $rc -eq 0 ]; then bad "$name: exited 0"
	elif [ $rc -eq 124 ]; then bad "$name: still running after 60 s"
	elif [ $rc -ge 128 ]; then bad "$name: killed by signal $((rc - 128))"
	elif ! grep -qF -- "$needle" "$tmp/out"; then bad "$name: no '$needle' in: $(head -c 600 "$tmp/out")"
	else ok "$name"; fi
}
# A server in the background, for checks that kill it or run several
# clients: server_start NBDKIT_ARG... (plugin or filters first) starts
# nbdkit on $nbd_sock and sets $server; server_stop is a clean shutdown.
nbd_sock=$tmp/nbd.sock
nbd_uri="nbd+unix:///?socket=$nbd_sock"
server=
server_start() {
	rm -f "$nbd_sock"
	LD_PRELOAD=$asan_preload nbdkit -f -U "$nbd_sock" "$@" 2>>"$tmp/server.err" &
	server=$!
	for _ in $(seq 100); do [ -S "$nbd_sock" ] && return 0; sleep 0.1; done
	echo "nbdkit did not start:"
	cat "$tmp/server.err"
	return 1
}
server_stop() { kill "$server" && wait "$server"; }

# fio_pass PASS SIZE [FIO_OPTION...]: a sequential pass over SIZE bytes
# through the server, every block all of the pass's own pattern (PASS is
# a digit: pass 1 writes 0x11 bytes), a flush every 8 writes of 64 KiB
fio_pass() {
	local pattern=0x$1$1$1$1$1$1$1$1 size=$2
	shift 2
	fio --name=pass --ioengine=nbd --uri="$nbd_uri" --rw=write --bs=64k --iodepth=1 \
		--fsync=8 --size="$size" --verify=pattern --verify_pattern="$pattern" \
		--verify_state_save=0 "$@"
}

summary() {
	echo "$pass passed, $fail failed"
	[ "$fail" -eq 0 ]
}
