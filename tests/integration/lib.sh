# Shared by the integration scripts that run real clients: a scratch folder,
# pass/fail counting, and the sanitizer runtime a module built with ASan
# needs in the program that loads it.
#   . lib.sh SOURCE_DIR MODULE     sets tmp, asan_preload; check NAME CMD...
export VSSD_PROFILE_DIR=$1/profiles
tmp=$(mktemp -d)
trap 'rm -rf "$tmp"' EXIT
pass=0 fail=0

# libasan's path when MODULE links it: load it first in the program that
# loads the module, and only there (awk reads all of ldd's output: grep -q
# would stop early, and the SIGPIPE ldd then gets fails a pipefail pipeline)
asan_preload=$(ldd "$2" | awk '/libasan/ { print $3 }')
[ -n "$asan_preload" ] && export ASAN_OPTIONS=detect_leaks=0 # the host program's allocations are not ours

ok() { echo "ok: $1"; pass=$((pass + 1)); }
bad() { echo "FAIL: $1"; fail=$((fail + 1)); }
check() { # name, command...
	local name=$1
	shift
	if "$@" >"$tmp/out" 2>&1; then ok "$name"; else bad "$name"; tail -20 "$tmp/out"; fi
}
summary() {
	echo "$pass passed, $fail failed"
	[ "$fail" -eq 0 ]
}
