#!/usr/bin/env bash
# vssd serve --transport tcp on this machine's loopback, against the
# project's own NVMe/TCP host (tests/nvmf/probe): discovery, a controller,
# data every way it travels, digests, and every PDU or Connect that breaks
# a rule (each ending its own connection with the right termination
# request or status, while another queue keeps its acknowledged data).
# Then the target's error lines, and its report when SIGTERM stops it.
# usage: nvmf.sh VSSD PROBE SOURCE_DIR
set -uo pipefail
vssd=$1 probe=$2
here=$(cd "$(dirname "$0")" && pwd)
# shellcheck source=lib.sh
. "$here/lib.sh" "$3"

# two free ports of the loopback address
ports=($(python3 -c 'import socket
s = [socket.socket() for _ in range(2)]
for x in s: x.bind(("127.0.0.1", 0))
print(*[x.getsockname()[1] for x in s])'))
# Starts a target on the two ports with the device parameters given.
start_target() {
	"$vssd" serve --transport tcp --port "${ports[0]}" --discovery-port "${ports[1]}" \
		--set media=ram --set blocks_per_plane=64 --set pages_per_block=48 "$@" \
		>"$tmp/target.out" 2>"$tmp/target.err" &
	target=$!
	for _ in $(seq 100); do grep -q "connect with" "$tmp/target.out" 2>/dev/null && break; sleep 0.1; done
}

# The probe's cases, each an ok or a failure of its own named with prefix
# (and "zoned": the cases of a zoned target).
run_probe() {
	local prefix=$1 probe_rc line
	shift
	timeout 120 "$probe" 127.0.0.1 "${ports[0]}" "${ports[1]}" "$@" >"$tmp/probe.out" 2>&1
	probe_rc=$?
	while read -r line; do
		case $line in
		"ok - "*) ok "$prefix${line#ok - }" ;;
		"not ok - "*) bad "$prefix${line#not ok - }" ;;
		*) echo "$line" ;;
		esac
	done <"$tmp/probe.out"
	[ $probe_rc -eq 0 ] || [ $probe_rc -eq 1 ] || bad "${prefix}the probe ended with status $probe_rc"
}

start_target --set op=0.2
check "the target listens and says how to connect" grep -q "nvme connect -t tcp -a 127.0.0.1 -s ${ports[0]} -n nqn" "$tmp/target.out"
run_probe ""

check "a protocol error is said with its field" grep -q "protocol error: CapsuleCmd with HLEN 70 (it is 72)" "$tmp/target.err"
check "a refused Connect is said" grep -q "Connect refused: I/O queue 1 for controller 60, which does not exist" "$tmp/target.err"
check "a silent host's controller ends" grep -q "no keep alive within its 1000 ms timeout" "$tmp/target.err"
expect_error "a port in use" "cannot listen on 127.0.0.1:${ports[0]}: Address already in use" \
	"$vssd" serve --transport tcp --port "${ports[0]}" --discovery-port 0 \
	--set media=ram --set blocks_per_plane=64 --set pages_per_block=48 --set op=0.2
kill -TERM "$target"
wait "$target"
check "SIGTERM: a clean stop" test $? -eq 0
check "the final report" grep -q "^device:.*lines" "$tmp/target.out"
check "the report counts the host's I/O" grep -q "served: [1-9][0-9]* host I/Os" "$tmp/target.out"

# bad options say what is wrong
expect_error "--socket with tcp" "--socket: not supported with --transport tcp" \
	"$vssd" serve --transport tcp --socket /tmp/x.sock
expect_error "an unknown transport" "--transport rdma: expected nbd or tcp" "$vssd" serve --transport rdma
expect_error "--nqn needs tcp" "--nqn: only with --transport tcp" "$vssd" serve --nqn x
expect_error "a raw open-channel device over NVMe/TCP" "ftl=ocssd over NVMe/TCP: not supported" \
	"$vssd" serve --transport tcp --port "${ports[0]}" --set ftl=ocssd --set media=ram

# ftl=pblk: the same cases on pblk's block namespace
start_target --set ftl=pblk --stats "$tmp/stats.json"
run_probe "pblk: "
kill -TERM "$target"
wait "$target"
check "pblk: SIGTERM: a clean stop" test $? -eq 0
check "pblk: the report has pblk's figures" grep -q "^pblk: capacity" "$tmp/target.out"
check "pblk: the host's writes went through pblk" grep -Eq "^  wrote: user [1-9]" "$tmp/target.out"
check "pblk: the report counts the host's I/O" grep -q "served: [1-9][0-9]* host I/Os" "$tmp/target.out"
check "pblk: --stats: a job for the host, its writes, pblk's figures" jq -e \
	'.jobs[0].jobname == "nqn.2014-08.io.vssd:test-host" and .jobs[0].write.io_bytes > 0 and .pblk.capacity_bytes > 0 and .pblk.user_sectors > 0' \
	"$tmp/stats.json"

# ftl=zns: the command sets a host chooses with CC.CSS
start_target --set ftl=zns
run_probe "zns: " zoned
check "zns: a CC.CSS it does not have is said" grep -q "CC.CSS 7 is not a command set choice it has" "$tmp/target.err"
kill -TERM "$target"
wait "$target"
check "zns: SIGTERM: a clean stop" test $? -eq 0

echo "$pass passed, $fail failed"
[ "$fail" -eq 0 ]
