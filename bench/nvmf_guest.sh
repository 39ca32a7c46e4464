#!/usr/bin/env bash
# The NVMe/TCP target inside the QEMU guest (issue 16), the same boot
# measuring both: fio in the guest, 4 KiB random reads and writes at QD 1
# and QD 32 (libaio, direct, one job), against vssd's target (timing=off,
# the namespace written through first; media=ram, and media=none, which
# keeps no data, as null_blk keeps none) and against the guest kernel's own
# nvmet-tcp over null_blk. Prints IOPS and the ratios vssd over nvmet. Then timing=on with the samsung_970pro profile: fio's QD 1 read
# latency in the guest beside the modelled latency of the same reads
# (`vssd sim` of the same job), and the difference: what the emulated
# guest, its TCP stack and the target add.
#
# The guest's 4 vCPUs share this machine's 2 cores, so the timing=off runs
# set rt_spin_ns=0: a target spinning for its next command would take host
# time from the very threads (fio, the kernel's nvme-tcp) that send it. The
# timing=on run keeps the default, as a user would.
# usage: bench/nvmf_guest.sh [BUILD_DIR] [SECONDS]
set -euo pipefail
build=${1:-build}
secs=${2:-8}
cd "$(dirname "$0")/.."
tmp=$(mktemp -d)
trap 'rm -rf "$tmp"' EXIT

cat >"$tmp/inside.sh" <<'EOF'
set -eu
secs=$1
dev="--set timing=off --set blocks_per_plane=64 --set pages_per_block=48 --set op=0.2
	--set rt_spin_ns=0"
nqn_of() { awk '/connect with/ { print $NF }' /tmp/target.out; }
start() { # PARAMS...
	vssd serve --transport tcp --discovery-port 0 "$@" >/tmp/target.out 2>/tmp/target.err &
	while ! grep -q "connect with" /tmp/target.out 2>/dev/null; do sleep 0.1; done
}
connect() { # NQN
	nvme connect -t tcp -a 127.0.0.1 -s 4420 -n "$1" -i 1 >/dev/null
	while [ ! -e /dev/nvme0n1 ]; do sleep 0.1; done
}
point() { # TARGET NAME RW QD [fio args]
	t=$1 name=$2 rw=$3 qd=$4
	shift 4
	fio --name=p --filename=/dev/nvme0n1 --ioengine=libaio --direct=1 --bs=4k --rw=$rw \
		--iodepth=$qd --time_based --runtime=$secs --output-format=json "$@" |
		jq -r --arg t $t --arg n $name --arg rw ${rw#rand} \
			'"point \($t) \($n) \(.jobs[0][$rw].iops | floor) \(.jobs[0][$rw].lat_ns.mean | floor)"'
}
run_points() { # TARGET
	for rw in randread randwrite; do
		for qd in 1 32; do point $1 "${rw#rand}-qd$qd" $rw $qd; done
	done
}

# vssd, timing off, written through once so reads find data
for media in ram none; do
	start $dev --set media=$media
	connect "$(nqn_of)"
	fio --name=fill --filename=/dev/nvme0n1 --ioengine=libaio --direct=1 --bs=128k --rw=write \
		--iodepth=16 >/dev/null
	run_points vssd-$media
	nvme disconnect -n "$(nqn_of)" >/dev/null
	kill %1 && wait %1 || true
done

# nvmet-tcp over null_blk
cfg=/sys/kernel/config/nvmet
nqn=nqn.2026-12.io.vssd:nvmet-null
mkdir -p $cfg/subsystems/$nqn/namespaces/1 $cfg/ports/1
echo 1 >$cfg/subsystems/$nqn/attr_allow_any_host
echo /dev/nullb0 >$cfg/subsystems/$nqn/namespaces/1/device_path
echo 1 >$cfg/subsystems/$nqn/namespaces/1/enable
echo 127.0.0.1 >$cfg/ports/1/addr_traddr
echo tcp >$cfg/ports/1/addr_trtype
echo 4420 >$cfg/ports/1/addr_trsvcid
echo ipv4 >$cfg/ports/1/addr_adrfam
ln -s $cfg/subsystems/$nqn $cfg/ports/1/subsystems/$nqn
connect $nqn
run_points nvmet
nvme disconnect -n $nqn >/dev/null
rm $cfg/ports/1/subsystems/$nqn

# timing on, the 970 PRO: QD 1 reads of 64 MiB written first, in the guest
# and in the model (vssd sim of the same job)
cat >/tmp/q1.fio <<JOB
[global]
bs=4k
size=64m
[fill]
rw=write
iodepth=8
[read]
stonewall
rw=randread
iodepth=1
number_ios=20000
JOB
model=$(vssd sim --profile samsung_970pro /tmp/q1.fio --json | jq '.jobs[1].read.lat_ns.mean | floor')
start --profile samsung_970pro
connect "$(nqn_of)"
fio --name=fill --filename=/dev/nvme0n1 --ioengine=libaio --direct=1 --bs=4k --size=64m \
	--rw=write --iodepth=8 >/dev/null
sync
point vssd-970pro read-qd1 randread 1 --size=64m | awk -v m=$model '{ print $0, m }'
nvme disconnect -n "$(nqn_of)" >/dev/null
kill %1 && wait %1 || true
EOF

if ! out=$(tests/guest/run.sh --smp 4 "$build" "$tmp/inside.sh" "$secs" | tr -d '\r'); then
	echo "$out" | tail -n 30 >&2
	echo "bench/nvmf_guest.sh: the guest run failed (its last lines above)" >&2
	exit 1
fi
echo "$out" | grep -E '^guest: (booting|kernel)' >&2
echo "| point | vssd media=ram IOPS | vssd media=none IOPS | nvmet-tcp (null_blk) IOPS | ratio ram | ratio none |"
echo "|---|---|---|---|---|---|"
echo "$out" | awk '$1 == "point" && ($2 ~ /^vssd-(ram|none)$/ || $2 == "nvmet") { iops[$2, $3] = $4; if (!($3 in seen)) { seen[$3] = 1; order[++n] = $3 } }
	END { for (i = 1; i <= n; i++) { p = order[i]; r = iops["vssd-ram", p]; z = iops["vssd-none", p]; m = iops["nvmet", p]
		printf "| %s | %d | %d | %d | %.2f | %.2f |\n", p, r, z, m, r / m, z / m } }'
echo "$out" | awk '$1 == "point" && $2 == "vssd-970pro" {
	printf "\ntiming=on, samsung_970pro, QD 1 4 KiB random reads: fio in the guest %.1f us mean, the model %.1f us: %.1f us added by the guest, its TCP and the target\n", $5 / 1000, $6 / 1000, ($5 - $6) / 1000 }'
