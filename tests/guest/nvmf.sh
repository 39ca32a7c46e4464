#!/bin/sh
# The NVMe/TCP suite, run inside the guest by tests/guest/run.sh: the stock
# Linux host (nvme-tcp, nvme-cli, ext4, fio) against vssd's target, then
# the steps that do not depend on vssd's FTL against the guest kernel's own
# target (nvmet-tcp over a file) as the reference. Each step prints
# "ok - TARGET: STEP" or "not ok - TARGET: STEP: why"; a table compares the
# two targets; the last line is "guest: N passed, N failed".
set -u
export PATH=/usr/local/bin:$PATH
dev_params="--set media=ram --set channels=2 --set luns_per_channel=2 --set blocks_per_plane=40
	--set pages_per_block=48 --set op=0.3 --set fdp=on --set fdp_nruh=4 --set timing=off"
file_params="--set media=file --set path=/tmp/vssd.dev --set channels=2 --set luns_per_channel=2
	--set blocks_per_plane=40 --set pages_per_block=48 --set op=0.3 --set timing=off"
pblk_params="--set ftl=pblk --set media=ram --set channels=2 --set luns_per_channel=2
	--set blocks_per_plane=40 --set pages_per_block=48 --set timing=off"
pblk_file_params="--set ftl=pblk --set media=file --set path=/tmp/vssd.dev --set channels=2
	--set luns_per_channel=2 --set blocks_per_plane=40 --set pages_per_block=48 --set timing=off"
zns_params="--set ftl=zns --set media=ram --set channels=2 --set luns_per_channel=2
	--set blocks_per_plane=40 --set pages_per_block=48 --set timing=off --set zns_max_open=8"
meta_params="--set seed=2 --set media=ram --set channels=2 --set luns_per_channel=2 --set blocks_per_plane=24
	--set pages_per_block=48 --set op=0.3 --set timing=off"
results=/tmp/results
: >"$results"
passed=0 failed=0
target=vssd

# Where the kernel's target answers otherwise than vssd's, and why: a step
# whose results differ and is not here fails the run.
known_differences="nvme get-feature -f 1|nvmet serves no Arbitration feature: Invalid Field
nvme get-feature -f 2|nvmet serves no Power Management feature: Invalid Field"

# step NAME COMMAND...: runs COMMAND, its output kept in /tmp/step.out. A
# vssd step counts; a reference (nvmet) step is compared at the end.
step() {
	name=$1
	shift
	t0=$(date +%s)
	if "$@" >/tmp/step.out 2>&1; then
		result=ok
		echo "ok - $target: $name ($(($(date +%s) - t0)) s)"
	else
		result=FAILED
		echo "$([ $target = vssd ] && echo "not ok" || echo "note") - $target: $name:" \
			"$(tail -n 3 /tmp/step.out | tr '\n' ' ')"
	fi
	echo "$target|$name|$result" >>"$results"
	[ $target = vssd ] || return 0
	if [ $result = ok ]; then passed=$((passed + 1)); else failed=$((failed + 1)); fi
}

# Each step both targets took: the same result, or a difference said above.
compare_targets() {
	echo
	echo "step|vssd|nvmet|"
	while IFS='|' read -r t name result; do
		[ "$t" = nvmet ] || continue
		mine=$(awk -F'|' -v n="$name" '$1 == "vssd" && $2 == n { print $3 }' "$results")
		why=$(echo "$known_differences" | awk -F'|' -v n="$name" '$1 == n { print $2 }')
		if [ -z "$mine" ]; then
			note="the reference's own"
		elif [ "$mine" = "$result" ]; then
			note=same
		elif [ -n "$why" ]; then
			note="differs: $why"
		else
			note="differs, and nothing says why"
			failed=$((failed + 1))
		fi
		echo "$name|${mine:--}|$result|$note"
	done <"$results"
}

fail() {
	echo "$*" >&2
	return 1
}

ctrl_dev() { # the controller the host made for subsystem $1
	for c in /sys/class/nvme/nvme*; do
		[ "$(cat "$c/subsysnqn" 2>/dev/null)" = "$1" ] && { echo "/dev/${c##*/}"; return 0; }
	done
	return 1
}

wait_for() { # a path to appear, for up to 10 s
	i=0
	while [ ! -e "$1" ] && [ $i -lt 100 ]; do sleep 0.1; i=$((i + 1)); done
	[ -e "$1" ]
}

# --- the targets -------------------------------------------------------------

serve() { # OUT ERR ARGS...: vssd serve --transport tcp in the background (its pid in
	# served_pid), its output in OUT and ERR; returns once it says how to connect
	out=$1 err=$2
	shift 2
	vssd serve --transport tcp "$@" >"$out" 2>"$err" &
	served_pid=$!
	i=0
	while ! grep -q "connect with" "$out" 2>/dev/null; do
		sleep 0.1
		i=$((i + 1))
		[ $i -lt 300 ] || fail "the target did not start: $(cat "$err")" || return 1
	done
}

start_vssd() { # PARAMS...: serves a device; its output in /tmp/target.out
	serve /tmp/target.out /tmp/target.err "$@" || return 1
	vssd_pid=$served_pid
	nqn=$(awk '/connect with/ { print $NF }' /tmp/target.out)
}

stop_vssd() { # SIGTERM: the target ends cleanly and prints its report
	kill -TERM "$vssd_pid" && wait "$vssd_pid"
}

start_nvmet() { # the kernel's target over a file of the same size
	cfg=/sys/kernel/config/nvmet
	nqn=nqn.2026-12.io.vssd:nvmet-reference
	truncate -s "$1" /tmp/nvmet.img
	mkdir -p $cfg/subsystems/$nqn/namespaces/1 $cfg/ports/1
	echo 1 >$cfg/subsystems/$nqn/attr_allow_any_host
	echo /tmp/nvmet.img >$cfg/subsystems/$nqn/namespaces/1/device_path
	echo 1 >$cfg/subsystems/$nqn/namespaces/1/buffered_io # tmpfs has no O_DIRECT
	echo 1 >$cfg/subsystems/$nqn/namespaces/1/enable
	echo 127.0.0.1 >$cfg/ports/1/addr_traddr
	echo tcp >$cfg/ports/1/addr_trtype
	echo 4420 >$cfg/ports/1/addr_trsvcid
	echo ipv4 >$cfg/ports/1/addr_adrfam
	ln -s $cfg/subsystems/$nqn $cfg/ports/1/subsystems/$nqn
}

# --- steps both targets take ---------------------------------------------------

discover() {
	nvme discover -t tcp -a 127.0.0.1 -s "$1" | tee /tmp/disc
	grep -q "subnqn: *$nqn" /tmp/disc || fail "the discovery log does not list $nqn"
}

connect() {
	nvme connect -t tcp -a 127.0.0.1 -s 4420 -n "$nqn" "$@" || return 1
	ctrl=$(ctrl_dev "$nqn") || fail "no controller for $nqn in /sys/class/nvme"
	ns=${ctrl}n1
	ng=$(echo "$ctrl" | sed 's/nvme/ng/')n1
	wait_for "$ns" && wait_for "$ng"
}

size_and_format() { # the namespace's size and LBA format as the device says
	want_bytes=$1 want_lba=$2
	got_bytes=$(blockdev --getsize64 "$ns")
	got_lba=$(blockdev --getss "$ns")
	echo "$ns: $got_bytes bytes, $got_lba-byte LBAs"
	[ "$got_bytes" = "$want_bytes" ] || fail "size $got_bytes, expected $want_bytes"
	[ "$got_lba" = "$want_lba" ] || fail "LBA size $got_lba, expected $want_lba"
}

nvme_list() {
	nvme list | tee /tmp/list
	grep -q "^$ns " /tmp/list || fail "nvme list does not show $ns"
}

ext4_roundtrip() {
	mkfs.ext4 -q -F "$ns" || return 1
	mkdir -p /mnt/t && mount "$ns" /mnt/t || return 1
	for i in 1 2 3 4; do
		dd if=/dev/urandom of=/mnt/t/f$i bs=1M count=2 2>/dev/null || return 1
	done
	(cd /mnt/t && sha256sum f1 f2 f3 f4 >/tmp/sums)
	umount /mnt/t || return 1
	e2fsck -fn "$ns" || fail "e2fsck found damage"
	mount "$ns" /mnt/t || return 1
	(cd /mnt/t && sha256sum -c /tmp/sums) || fail "checksums differ after remounting"
	umount /mnt/t
}

fio_verify_libaio() { # random writes over twice the namespace (GC), verified
	fio --name=verify --filename="$ns" --ioengine=libaio --direct=1 --iodepth=32 \
		--numjobs=1 --rw=randwrite --bs=64k --io_size=$(($(blockdev --getsize64 "$ns") * 2)) \
		--verify=crc32c --verify_fatal=1 --do_verify=1 --output-format=terse \
		--randrepeat=0 >/tmp/fio.out || { cat /tmp/fio.out; return 1; }
	echo "fio: $(awk -F';' '{ print "wrote " $48 " KiB at " $49 " KiB/s" }' /tmp/fio.out)"
}

fio_io_uring_cmd() { # NVMe passthrough on the generic character device
	fio --name=passthru --filename="$ng" --ioengine=io_uring_cmd --cmd_type=nvme \
		--iodepth=16 --rw=randwrite --bs=4k --size=16M --verify=crc32c --verify_fatal=1 \
		--do_verify=1 --output-format=terse >/tmp/fio.out || { cat /tmp/fio.out; return 1; }
}

io_queues() { # how many I/O queues (TCP connections) the host opened
	n=$(ls -d /sys/class/nvme/${ctrl##*/}/nvme* 2>/dev/null | wc -l)
	q=$(dmesg | grep "${ctrl##*/}: mapped" | tail -1)
	echo "$q"
	echo "$q" | grep -q "mapped $1/" || fail "expected $1 default queues: $q"
}

disconnect() {
	nvme disconnect -n "$nqn" | tee /tmp/disc_out
	grep -q "disconnected 1 controller" /tmp/disc_out
}

connect_steps() { # PORT_FOR_DISCOVERY BYTES LBA
	step "nvme discover" discover "$1"
	step "nvme connect" connect -i 4
	step "namespace size and LBA format" size_and_format "$2" "$3"
	step "4 I/O queues" io_queues 4
	step "nvme list" nvme_list
	for cmd in id-ctrl smart-log error-log; do
		step "nvme $cmd" nvme "$cmd" "$ctrl"
	done
	step "nvme id-ns" nvme id-ns "$ns"
	for f in 1 2 6 7; do
		step "nvme get-feature -f $f" nvme get-feature "$ctrl" -f "$f"
	done
}

io_steps() { # PREFIX of the steps' names
	step "${1}mkfs.ext4, mount, e2fsck, remount, checksums" ext4_roundtrip
	step "${1}fio verify=crc32c, libaio QD32, twice the namespace" fio_verify_libaio
	step "${1}fio io_uring_cmd on ng0n1" fio_io_uring_cmd
	step "${1}nvme disconnect" disconnect
}

# --- steps of vssd's own -------------------------------------------------------

# Flattens JSON to "path<TAB>value" lines, strings trimmed.
flat() {
	jq -r 'paths(scalars) as $p | "\($p | map(tostring) | join("."))\t\(getpath($p) | tostring | sub("\\s+$"; ""))"'
}

# nvme-cli's view of a log or structure against `vssd nvme`'s of the same
# device, key by key where both name a field; SKIP lists fields a fabric
# changes (a regular expression of keys).
same_view() { # WHAT SKIP NVME_ARGS...
	what=$1 skip=$2
	shift 2
	# shellcheck disable=SC2086
	vssd nvme $what $dev_params -o json | flat | sort >/tmp/a || return 1
	nvme "$@" -o json | flat | sort >/tmp/b || return 1
	awk -F'\t' -v skip="^($skip)\$" 'NR == FNR { a[$1] = $2; next }
		($1 in a) && (skip == "^()$" || $1 !~ skip) { print $1 "\t" a[$1] "\t" $2 }' \
		/tmp/a /tmp/b >/tmp/common
	n=$(wc -l </tmp/common)
	awk -F'\t' '$2 != $3 { print "differs: " $1 ": vssd nvme " $2 ", nvme-cli " $3; bad = 1 }
		END { exit bad }' /tmp/common || return 1
	echo "$n fields agree"
	[ "$n" -ge "$(( $(wc -l </tmp/a) / 2 ))" ] ||
		fail "only $n of $(wc -l </tmp/a) fields in common: nvme-cli says $(head -c 300 /tmp/b)"
}

# Reclaim Unit Handle Status, raw: nvme-cli 2.3's `fdp status` prints its
# last descriptor as zeros (the device's data is whole: io-passthru shows it)
ruamw_of() { # PID
	nvme io-passthru "$ns" --opcode=0x12 --namespace-id=1 --cdw10=1 --cdw11=1023 \
		--data-len=4096 -r -b >/tmp/ruhs.bin 2>/dev/null || return 1
	od -An -t u8 -j $((16 + 32 * $1 + 8)) -N 8 /tmp/ruhs.bin | tr -d ' '
}

fdp_write_on_handle_3() {
	nvme fdp status "$ns" || return 1
	for pid in 0 1 2 3; do eval "before_$pid=\$(ruamw_of $pid)" || return 1; done
	hb=$(nvme fdp stats "$ctrl" -e 1 -o json | jq -r '.hbmw') || return 1
	head -c 4096 /dev/urandom >/tmp/data
	nvme write "$ns" -z 4096 -s 128 -c 0 -T 2 -S 3 -d /tmp/data || return 1
	ha=$(nvme fdp stats "$ctrl" -e 1 -o json | jq -r '.hbmw') || return 1
	echo "host bytes written (FDP statistics): $hb -> $ha"
	[ "$ha" = "$((hb + 4096))" ] || fail "expected +4096"
	for pid in 0 1 2 3; do
		a=$(ruamw_of $pid) || return 1
		eval "b=\$before_$pid"
		echo "placement id $pid: available media writes $b -> $a"
		if [ "$pid" = 3 ]; then
			[ "$a" = "$((b - 1))" ] || fail "handle 3 did not take the 4 KiB write"
		else
			[ "$a" = "$b" ] || fail "handle $pid changed"
		fi
	done
	nvme read "$ns" -z 4096 -s 128 -c 0 -d /tmp/back && cmp /tmp/data /tmp/back
}

target_report() { # [A LINE THE REPORT HAS]
	stop_vssd || return 1
	cat /tmp/target.out
	grep -q "^device:" /tmp/target.out || fail "no final report"
	grep -q "WAF" /tmp/target.out || return 1
	[ $# -eq 0 ] || grep -q "$1" /tmp/target.out || fail "the report has no line $1"
}

# media=file: what was flushed survives kill -9 of the target
crash_keeps_flushed() { # PARAMS...
	rm -f /tmp/vssd.dev
	start_vssd "$@" || return 1
	connect -i 1 || return 1
	dd if=/dev/urandom of=/tmp/flushed bs=1M count=8 2>/dev/null
	dd if=/tmp/flushed of="$ns" bs=1M oflag=direct conv=fsync 2>/dev/null || return 1
	dd if=/dev/urandom of="$ns" bs=1M seek=16 count=4 oflag=direct 2>/dev/null # not flushed
	kill -9 "$vssd_pid"
	wait "$vssd_pid" 2>/dev/null
	nvme disconnect -n "$nqn" >/dev/null
	start_vssd "$@" || return 1
	grep -i "recover" /tmp/target.err
	connect -i 1 || return 1
	dd if="$ns" of=/tmp/back bs=1M count=8 iflag=direct 2>/dev/null
	cmp /tmp/flushed /tmp/back || fail "flushed data lost over kill -9"
	disconnect && stop_vssd
}

# ftl=pblk: a block namespace of the host FTL, as Linux's pblk made one
pblk_lbas() { # the namespace's LBAs, as the target says them at start
	awk '/namespace 1 / { print $(NF - 4) }' /tmp/target.out
}

pblk_id_ns() { # one LBA format of 4 KiB, all of pblk's capacity
	nvme id-ns "$ns" -o json | tee /tmp/idns | jq -e --argjson n "$(pblk_lbas)" \
		'.nsze == $n and .ncap == $n and .nlbaf == 0 and .flbas == 0 and .lbafs[0].ds == 12' ||
		fail "id-ns: $(head -c 300 /tmp/idns)"
}

pblk_id_ctrl() { # a volatile write cache (pblk's buffer); Write Zeroes, DSM; no Format
	nvme id-ctrl "$ctrl" -o json | tee /tmp/idctrl |
		jq -e '(.vwc % 2) == 1 and .oncs == 76 and ((.oacs / 2 | floor) % 2) == 0' ||
		fail "id-ctrl: vwc $(jq .vwc /tmp/idctrl), oncs $(jq .oncs /tmp/idctrl), oacs $(jq .oacs /tmp/idctrl)"
}

pblk_steps() {
	# shellcheck disable=SC2086
	step "pblk: vssd serve --transport tcp, ftl=pblk" start_vssd $pblk_params
	step "pblk: nvme connect" connect -i 2
	step "pblk: namespace size and LBA format" size_and_format $(($(pblk_lbas) * 4096)) 4096
	step "pblk: nvme id-ns: pblk's capacity, one 4 KiB LBA format" pblk_id_ns
	step "pblk: nvme id-ctrl: a volatile write cache, Write Zeroes and DSM" pblk_id_ctrl
	io_steps "pblk: "
	step "pblk: the target's report, with pblk's" target_report "^pblk: capacity"
	# shellcheck disable=SC2086
	step "pblk: media=file: flushed data survives kill -9 (pblk recovers)" \
		crash_keeps_flushed $pblk_file_params
}

# ftl=zns: a zoned namespace, as the kernel's zoned block layer sees it
zones_of() { # the zones the target says it has: LBAs over the zone size
	vssd nvme id-ns $zns_params -o json | jq .nsze >/tmp/nsze || return 1
	echo $(($(cat /tmp/nsze) / 1024)) # 4 MiB zones of 4 KiB LBAs
}

zns_sysfs() { # host-managed, the zone size, count and limits Identify gave
	q=/sys/block/${ns##*/}/queue
	for f in zoned chunk_sectors nr_zones max_open_zones max_active_zones \
		zone_append_max_bytes; do
		echo "$f: $(cat $q/$f)"
	done
	[ "$(cat $q/zoned)" = host-managed ] || fail "not host-managed"
	[ "$(cat $q/chunk_sectors)" = 8192 ] || fail "zone size: expected 8192 sectors"
	[ "$(cat $q/nr_zones)" = "$(zones_of)" ] || fail "zones: expected $(zones_of)"
	[ "$(cat $q/max_open_zones)" = 8 ] && [ "$(cat $q/max_active_zones)" = 0 ] ||
		fail "open/active limits: expected 8 and none"
}

# The kernel keeps a zoned NVMe namespace's writes in order only through
# mq-deadline's zone write locking, which it does not choose by itself for
# one (as zonedstorage.io tells users of NVMe ZNS drives to set)
zns_scheduler() {
	echo mq-deadline >/sys/block/${ns##*/}/queue/scheduler &&
		grep -q "\[mq-deadline\]" /sys/block/${ns##*/}/queue/scheduler
}

zns_blkzone() { # every zone, empty, sequential write required, its capacity
	blkzone report "$ns" | tee /tmp/zones | head -3
	[ "$(grep -c 'zcond: 1(em) \[type: 2(SEQ_WRITE_REQUIRED)\]' /tmp/zones)" = "$(zones_of)" ] ||
		fail "expected $(zones_of) empty sequential zones"
	grep -q "len 0x002000, cap 0x001800" /tmp/zones || fail "zone length or capacity"
}

# Identify CNS 1Ch: one command set combination, the NVM and zoned sets
# (bits 0 and 2 of its vector)
zns_iocs() {
	nvme id-iocs "$ctrl" | tee /tmp/iocs || return 1
	grep -Eq 'Combination\[0\]: *(0x)?5$' /tmp/iocs || fail "the first vector is not 5"
	[ "$(grep -c Combination /tmp/iocs)" = 1 ] || fail "more than one combination"
}

zns_report_zones() { # nvme-cli's zoned commands: the same zones, then a reset
	nvme zns id-ns "$ns" | tee /tmp/zidns | grep -E "mar|mor|zsze" || return 1
	grep -q "zsze: *1024" /tmp/zidns || grep -q "zsze *: *1024" /tmp/zidns || fail "ZSZE"
	nvme zns report-zones "$ns" -d 2 | tee /tmp/rz
	grep -q "nr_zones: $(zones_of)" /tmp/rz || fail "report-zones: not $(zones_of) zones"
}

# fio's zoned mode through the kernel: three passes (loops=3), verified, no
# error. fio 3.33 ends each pass over this device early (20 to 45 MiB of its
# 120 MiB of zone capacity in all, varying from run to run, whatever
# max_open_zones or rw says; not followed up): what is checked is that it
# wrote more than one zone holds, so more than one zone, and verified it
# all. Three times the capacity is the fio engine's test
# (tests/integration/fio_engine.sh).
fio_zbd() {
	fio --name=zbd --filename="$ns" --ioengine=libaio --direct=1 --zonemode=zbd \
		--max_open_zones=8 --rw=randwrite --bs=64k --iodepth=16 --size=100% --loops=3 \
		--verify=crc32c --verify_fatal=1 --do_verify=1 \
		--output-format=terse >/tmp/fio.out || { cat /tmp/fio.out; return 1; }
	wrote=$(awk -F';' '{ print $48 }' /tmp/fio.out)
	echo "fio: wrote $wrote KiB, verified"
	[ "$wrote" -gt $((3 * 1024)) ] || fail "fio wrote no more than one zone holds"
}

# f2fs over the zones: its metadata on a second vssd target's namespace
# (NVMe zoned namespaces have no conventional zones), files, remount, sums
f2fs_zoned() {
	# shellcheck disable=SC2086
	serve /tmp/meta.out /tmp/meta.err --port 4421 --discovery-port 0 \
		--nqn nqn.2026-12.io.vssd:f2fs-meta $meta_params || return 1
	meta_pid=$served_pid
	nvme connect -t tcp -a 127.0.0.1 -s 4421 -n nqn.2026-12.io.vssd:f2fs-meta -i 1 || return 1
	meta=$(ctrl_dev nqn.2026-12.io.vssd:f2fs-meta)n1
	wait_for "$meta" || return 1
	echo "metadata on $meta, $(blockdev --getsize64 "$meta") bytes"
	blkzone reset "$ns" || return 1
	mkfs.f2fs -f -m -c "$ns" "$meta" >/tmp/mkfs.out 2>&1 || { cat /tmp/mkfs.out; return 1; }
	grep -i "zone" /tmp/mkfs.out | head -3
	mkdir -p /mnt/f && mount -t f2fs "$meta" /mnt/f || return 1
	for i in 1 2 3 4 5 6; do
		dd if=/dev/urandom of=/mnt/f/f$i bs=1M count=6 2>/dev/null || return 1
	done
	(cd /mnt/f && sha256sum f1 f2 f3 f4 f5 f6 >/tmp/fsums)
	umount /mnt/f && mount -t f2fs "$meta" /mnt/f || return 1
	(cd /mnt/f && sha256sum -c /tmp/fsums) || fail "checksums differ after remounting"
	umount /mnt/f
	blkzone report "$ns" | grep -vc "zcond: 1(em)" | awk '{ print "zones written: " $1 }'
	nvme disconnect -n nqn.2026-12.io.vssd:f2fs-meta >/dev/null
	kill -TERM "$meta_pid" && wait "$meta_pid"
}

zns_steps() {
	# shellcheck disable=SC2086
	step "zns: vssd serve --transport tcp, ftl=zns" start_vssd $zns_params
	step "zns: nvme connect" connect -i 2
	step "zns: a host-managed zoned device, its zone size, count and limits" zns_sysfs
	step "zns: the mq-deadline scheduler (zone write locking)" zns_scheduler
	step "zns: blkzone report: every zone empty, its length and capacity" zns_blkzone
	step "zns: nvme zns id-ns and report-zones" zns_report_zones
	step "zns: nvme id-iocs: the NVM and zoned command sets" zns_iocs
	step "zns: fio zonemode=zbd verify=crc32c, three passes" fio_zbd
	step "zns: f2fs over the zones (mkfs.f2fs -m), files, remount, checksums" f2fs_zoned
	step "zns: nvme disconnect" disconnect
	step "zns: the target's report, with the zones'" target_report "zones"
}

# --- what the host sent, and what each target answered ------------------------

# The kernel's own tracepoints (nvme_setup_cmd, nvme_complete_rq) see every
# command the host sends, whichever target answers: the same record for both.
trace=/sys/kernel/tracing
trace_start() {
	mount -t tracefs nodev $trace 2>/dev/null
	echo 8192 >$trace/buffer_size_kb
	echo 1 >$trace/events/nvme/nvme_setup_cmd/enable
	echo 1 >$trace/events/nvme/nvme_complete_rq/enable
	echo >$trace/trace
}

# Each command by name (its CNS, FID, LID or property) and the statuses it
# got, from the trace so far, into /tmp/answers.$target; then a fresh trace.
trace_save() {
	awk '
	function name(cmd,   n, a) {
		n = cmd; sub(/^cmd=\(/, "", n); sub(/ .*/, "", n); sub(/\)$/, "", n)
		sub(/^nvme_(admin_|cmd_|fabrics_type_)/, "", n)
		if (match(cmd, /cns=[0-9]+/)) n = n " CNS " substr(cmd, RSTART + 4, RLENGTH - 4)
		if (match(cmd, /fid=0x[0-9a-f]+/)) n = n " FID " substr(cmd, RSTART + 4, RLENGTH - 4)
		if (match(cmd, /ofst=0x[0-9a-f]+/)) n = n " " substr(cmd, RSTART + 5, RLENGTH - 5)
		if (n ~ /^connect/) n = n (cmd ~ / qid=0,/ ? " (admin queue)" : " (I/O queue)")
		if (n ~ /^get_log_page/ && match(cmd, /cdw10=[0-9a-f][0-9a-f]/))
			n = n " LID 0x" substr(cmd, RSTART + 6, 2)
		return n
	}
	/nvme_setup_cmd:/ {
		match($0, /nvme[0-9]+: /); c = substr($0, RSTART, RLENGTH)
		match($0, /qid=[0-9]+, cmdid=[0-9]+/); k = c substr($0, RSTART, RLENGTH)
		match($0, /cmd=\(.*\)$/); pending[k] = name(substr($0, RSTART, RLENGTH))
	}
	/nvme_complete_rq:/ {
		match($0, /nvme[0-9]+: /); c = substr($0, RSTART, RLENGTH)
		match($0, /qid=[0-9]+, cmdid=[0-9]+/); k = c substr($0, RSTART, RLENGTH)
		match($0, /status=0x[0-9a-f]+/); st = substr($0, RSTART + 7, RLENGTH - 7)
		if (k in pending) { seen[pending[k] "|" st]++; delete pending[k] }
	}
	END { for (x in seen) print x "|" seen[x] }' $trace/trace | sort >"/tmp/answers.$target"
	echo >$trace/trace
}

# The conformance table: each command, what vssd and what nvmet answered
# (status: count), as docs/NVMF.md records it.
conformance_table() {
	echo
	echo "conformance: command|vssd|nvmet"
	for t in vssd nvmet; do
		awk -F'|' -v t=$t '{ print $1 "|" t "|" $2 " x" $3 }' /tmp/answers.$t
	done | sort | awk -F'|' '
		{ key = $1; a[key, $2] = (a[key, $2] ? a[key, $2] ", " : "") $3; if (!(key in k)) { k[key] = 1; o[++n] = key } }
		END { for (i = 1; i <= n; i++) printf "conformance: %s|%s|%s\n", o[i],
			((o[i], "vssd") in a) ? a[o[i], "vssd"] : "-", ((o[i], "nvmet") in a) ? a[o[i], "nvmet"] : "-" }'
}

# --- the run -------------------------------------------------------------------

echo "guest: $(uname -r); $(nvme version | head -1); $(fio --version)"
trace_start
target=vssd
# shellcheck disable=SC2086
step "vssd serve --transport tcp" start_vssd $dev_params
lbas=$(vssd nvme id-ns $dev_params -o json | jq .nsze)
connect_steps 8009 $((lbas * 4096)) 4096
# before any write: the device as vssd nvme builds it, seen through nvme-cli
step "id-ctrl agrees with vssd nvme" same_view id-ctrl \
	"cntlid|ctratt|sgls|maxcmd|kas|ioccsz|iorcsz|icdoff|fcatt|msdbd" id-ctrl "$ctrl"
step "id-ns agrees with vssd nvme" same_view id-ns "" id-ns "$ns"
step "smart-log agrees with vssd nvme" same_view smart-log \
	"data_units_read|host_read_commands|power_on_hours|temperature" smart-log "$ctrl"
for what in configs usage stats events; do
	step "nvme fdp $what agrees with vssd nvme" same_view "fdp $what" "" fdp "$what" "$ctrl" -e 1
done
step "nvme fdp status" nvme fdp status "$ns"
step "nvme fdp update" nvme fdp update "$ns" -p 0,1
step "nvme write -T 2 -S 3: the bytes on handle 3" fdp_write_on_handle_3
io_steps ""
trace_save
step "the target's report" target_report
# shellcheck disable=SC2086
step "media=file: flushed data survives kill -9" crash_keeps_flushed $file_params
pblk_steps
zns_steps

target=nvmet
echo >$trace/trace # the crash test's commands are vssd's own
step "nvmet-tcp over a file" start_nvmet $((lbas * 4096))
connect_steps 4420 $((lbas * 4096)) 4096 # a file on tmpfs: 4 KiB blocks
io_steps ""
trace_save
conformance_table

compare_targets
echo "guest: $passed passed, $failed failed"
[ "$failed" -eq 0 ]
