#!/usr/bin/env bash
# NVMe/TCP against NBD on this machine (issue 16): 4 KiB random reads and
# writes on one device (timing=off, media=ram) served by
# `vssd serve --transport tcp` and driven by the project's own NVMe/TCP load
# generator (bench/nvmf_load), against the same device served over NBD
# (`vssd serve`, nbdkit and the vssd plugin) and driven by fio's nbd engine,
# in the same run, at QD 1 on one queue and QD 32 on four. Each server is
# written for WARM seconds first, so both measure a device in steady state.
# Prints IOPS and the ratio NVMe/TCP over NBD.
# usage: bench/nvmf.sh [BUILD_DIR] [SECONDS] [WARM_SECONDS]
set -euo pipefail
build=${1:-build}
secs=${2:-5}
warm=${3:-10}
cd "$(dirname "$0")/.."
export VSSD_PROFILE_DIR=$PWD/profiles
vssd=$PWD/$build/vssd
load=$PWD/$build/bench/nvmf_load
tmp=$(mktemp -d)
trap 'kill $(jobs -p) 2>/dev/null; rm -rf "$tmp"' EXIT
dev=(--set timing=off --set media=ram --set blocks_per_plane=64 --set op=0.5)
port=$((20000 + RANDOM % 20000))

# NVMe/TCP: "POINT IOPS" lines
"$vssd" serve --transport tcp --port $port --discovery-port 0 "${dev[@]}" >"$tmp/tcp.out" 2>/dev/null &
for _ in $(seq 100); do grep -q "connect with" "$tmp/tcp.out" 2>/dev/null && break; sleep 0.1; done
nqn=$(awk '/connect with/ { print $NF }' "$tmp/tcp.out")
echo "NVMe/TCP: warming up for ${warm} s, then ${secs} s per point" >&2
"$load" 127.0.0.1 $port "$nqn" write 4 32 "$warm" >/dev/null
for rw in read write; do
	for point in "1 1" "4 32"; do
		set -- $point
		"$load" 127.0.0.1 $port "$nqn" $rw "$1" "$2" "$secs" |
			awk -v n="$rw-qd$2-$1q" '{ print n, $(NF - 1) }'
	done
done >"$tmp/tcp.txt"
kill %1
wait %1 || true

# NBD: the same device, fio's nbd engine, a job per queue
cat >"$tmp/points.sh" <<'EOF'
set -eo pipefail
uri=$1 secs=$2 warm=$3
run() { # name rw runtime fio-args...
	local name=$1 rw=$2 t=$3
	shift 3
	fio --name=j --ioengine=nbd --uri="$uri" --rw=rand$rw --bs=4k --size=$(nbdinfo --size "$uri") \
		--time_based --runtime=$t --output-format=json "$@" | sed -n '/^{/,$p' |
		jq -r --arg n "$name" --arg rw $rw '"\($n) \([.jobs[][$rw].iops] | add | floor)"'
}
run warm write $warm --iodepth=32 --numjobs=4 >/dev/null
for rw in read write; do
	run $rw-qd1-1q $rw $secs --iodepth=1 --numjobs=1
	run $rw-qd32-4q $rw $secs --iodepth=32 --numjobs=4
done
EOF
echo "NBD: the same" >&2
"$vssd" serve "${dev[@]}" --run "bash $tmp/points.sh \"\$uri\" $secs $warm" 2>/dev/null |
	grep -v '^nbd' >"$tmp/nbd.txt"

echo "| point | NVMe/TCP IOPS | NBD IOPS | ratio |"
echo "|---|---|---|---|"
join <(sort "$tmp/tcp.txt") <(sort "$tmp/nbd.txt") |
	awk '{ printf "| %s | %d | %d | %.2f |\n", $1, $2, $3, $2 / $3 }'
