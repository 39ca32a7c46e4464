#!/usr/bin/env bash
# `vssd sweep --executor slurm` against a real Slurm: munged, slurmctld and
# slurmd of Debian's slurm-wlm and munge, a one-node cluster of this
# machine in a temporary folder (its own config, ports, key and state),
# a 6-point sweep through it, its merged CSV equal to the local executor's.
# The daemons are stopped at the end. Skipped, saying why, when the
# packages are not installed or the cluster does not come up.
# usage: slurm.sh VSSD SOURCE_DIR
set -u
vssd=$1
src=$2
export VSSD_PROFILE_DIR=$src/profiles

for c in munged slurmctld slurmd sbatch squeue sinfo; do
	if ! command -v "$c" >/dev/null; then
		echo "skipped: $c is not installed (scripts/deps.sh installs slurm-wlm and munge)"
		exit 77
	fi
done
t=$(mktemp -d /tmp/vssd-slurm-XXXXXX)
stop() { # every daemon has this folder in its command line
	pkill -f -- "-f $t/slurm.conf" 2>/dev/null
	pkill -f -- "--socket=$t/munge.socket" 2>/dev/null
	sleep 1
	rm -rf "$t"
}
trap stop EXIT
skip() {
	echo "skipped: $1"
	tail -5 "$t"/*.log 2>/dev/null
	exit 77
}

# a port pair no one listens on
port=$((20000 + RANDOM % 20000))
while ss -ltn 2>/dev/null | grep -q ":$port \|:$((port + 1)) "; do port=$((port + 2)); done
host=$(hostname -s)
mkdir -p "$t/state" "$t/spool"
head -c 1024 /dev/urandom >"$t/munge.key"
chmod 400 "$t/munge.key"
chmod 755 "$t" # munge's socket must be reachable by every user
munged --socket="$t/munge.socket" --key-file="$t/munge.key" --pid-file="$t/munged.pid" \
	--log-file="$t/munged.log" --seed-file="$t/munged.seed" --force ||
	skip "munged would not start"
cat >"$t/slurm.conf" <<EOF
ClusterName=vssdtest
SlurmctldHost=$host
SlurmUser=$(id -un)
SlurmdUser=$(id -un)
SlurmctldPort=$port
SlurmdPort=$((port + 1))
StateSaveLocation=$t/state
SlurmdSpoolDir=$t/spool
SlurmctldLogFile=$t/slurmctld.log
SlurmdLogFile=$t/slurmd.log
ProctrackType=proctrack/linuxproc
TaskPlugin=task/none
SchedulerType=sched/builtin
SelectType=select/cons_tres
SelectTypeParameters=CR_CPU
AuthType=auth/munge
AuthInfo=socket=$t/munge.socket
CredType=cred/munge
MpiDefault=none
ReturnToService=2
AccountingStorageType=accounting_storage/none
JobAcctGatherType=jobacct_gather/none
NodeName=$host CPUs=$(nproc) State=UNKNOWN
PartitionName=vssd Nodes=$host Default=YES MaxTime=INFINITE State=UP
EOF
export SLURM_CONF=$t/slurm.conf
slurmctld -f "$t/slurm.conf" || skip "slurmctld would not start"
slurmd -f "$t/slurm.conf" || skip "slurmd would not start"
for _ in $(seq 30); do
	sinfo -h -o %T 2>/dev/null | grep -q idle && break
	sleep 1
done
sinfo -h -o %T 2>/dev/null | grep -q idle || skip "the node did not come up idle"

printf '[w]\nrw=randwrite\nbs=4k\nio_size=150%%\n' >"$t/u.fio"
cat >"$t/spec.ini" <<'EOF'
[sweep]
job = u.fio
[set]
channels = 2
luns_per_channel = 2
blocks_per_plane = 64
pages_per_block = 48
timing = off
[axes]
op = 0.1, 0.2, 0.3
gc_policy = greedy, cost_benefit
EOF
if "$vssd" sweep --executor slurm --out "$t/slurm" "$t/spec.ini" 2>"$t/sweep.err" &&
	grep -q "Slurm job [0-9]*: 6 points" "$t/sweep.err" &&
	[ -s "$t/slurm/sweep.sbatch" ] &&
	"$vssd" sweep --out "$t/local" "$t/spec.ini" 2>/dev/null &&
	cmp -s "$t/slurm/results.csv" "$t/local/results.csv" &&
	[ "$(wc -l <"$t/slurm/results.csv")" = 7 ]; then
	echo "ok - sweep --executor slurm: 6 points on a one-node cluster, the local executor's CSV"
else
	echo "FAIL - sweep --executor slurm:"
	cat "$t/sweep.err"
	exit 1
fi
