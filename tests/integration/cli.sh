#!/usr/bin/env bash
# The `vssd` program as a user runs it: the demo, params, JSON and CSV output,
# and every kind of bad input failing with one message that names the culprit.
set -u
vssd=$1
src=$2
tmp=$(mktemp -d)
trap 'rm -rf "$tmp"' EXIT
export VSSD_PROFILE_DIR=$src/profiles
fails=0

ok() { echo "ok - $1"; }
bad() { echo "FAIL - $1"; fails=$((fails + 1)); }

# expect_error DESCRIPTION NEEDLE COMMAND...: non-zero exit, one line naming NEEDLE
expect_error() {
	local what=$1 needle=$2
	shift 2
	"$@" >"$tmp/out" 2>"$tmp/err"
	local rc=$?
	if [ $rc -eq 0 ]; then bad "$what: exited 0"; return; fi
	if [ $rc -ge 128 ]; then bad "$what: crashed (status $rc)"; return; fi
	if ! grep -qF -- "$needle" "$tmp/err"; then
		bad "$what: message '$(cat "$tmp/err")' lacks '$needle'"; return
	fi
	ok "$what"
}

small="--set blocks_per_plane=128 --set pages_per_block=24"
cat >"$tmp/job.fio" <<'JOB'
[fill]
rw=write
bs=128k
iodepth=8
[rand]
stonewall
rw=randwrite
bs=4k
iodepth=8
norandommap
io_size=50%
JOB

if "$vssd" sim $small "$tmp/job.fio" >"$tmp/text" 2>"$tmp/err" && grep -q "WAF" "$tmp/text" &&
	grep -q "die utilisation" "$tmp/text"; then ok "text report"; else bad "text report: $(cat "$tmp/err")"; fi

if "$vssd" sim $small --json "$tmp/job.fio" >"$tmp/a.json" &&
	jq -e '.jobs[1].write.clat_ns.percentile["99.000000"] > 0 and (.groups | length) == 2
	       and .groups[1].device.waf >= 1 and .device.logical_bytes > 0
	       and .sim.host_ios > 0 and (.device.die_utilization | length) == 8' "$tmp/a.json" >/dev/null
then ok "json report"; else bad "json report"; fi

if "$vssd" sim $small --csv-dir "$tmp/csv" --csv-interval-ms 20 "$tmp/job.fio" >/dev/null &&
	[ "$(wc -l <"$tmp/csv/timeseries.csv")" -gt 3 ] &&
	head -1 "$tmp/csv/timeseries.csv" | grep -q "waf_interval"; then
	ok "csv time series"
	if command -v gnuplot >/dev/null; then
		if [ -s "$tmp/csv/waf.png" ]; then ok "plots"; else bad "plots: no waf.png"; fi
	fi
else bad "csv time series"; fi

if "$vssd" params | grep -q "^op " && "$vssd" params --profile nvmevirt_970pro | grep -q "pcie_mbps = 3360"
then ok "params"; else bad "params"; fi

# vssd nvme: the same answers a device gives nvme-cli, in text and JSON
if "$vssd" nvme id-ctrl -o json | jq -e '.mdts == 6 and .sqes == 102 and .nn == 1 and
	(.sn | startswith("VSSD"))' >/dev/null &&
	"$vssd" nvme id-ns --profile samsung_970pro -o json | jq -e '.nsze == .ncap and .nuse == 0
	and .flbas == 0' >/dev/null &&
	"$vssd" nvme smart-log -o json | jq -e '.avail_spare == 100 and .host_writes == 0' >/dev/null &&
	"$vssd" nvme error-log -o json | jq -e '(.errors | length) == 64' >/dev/null &&
	"$vssd" nvme get-feature -f 7 | grep -q "Number of Queues), Current value:0x003e003e" &&
	"$vssd" nvme id-ctrl | grep -q "^mn  *: vssd virtual NVMe SSD"
then ok "vssd nvme"; else bad "vssd nvme"; fi

if "$vssd" nvme fdp configs --set fdp=on --set fdp_nruh=4 -o json | jq -e '.n == 0
	and .configs[0].nruh == 4 and .configs[0].nrg == 1 and (.configs[0].ruhs | length) == 4' >/dev/null &&
	"$vssd" nvme fdp usage --set fdp=on --set fdp_nruh=4 -o json | jq -e '.nruh == 4
	and ([.ruhus[].ruha] == [1, 1, 1, 1])' >/dev/null &&
	"$vssd" nvme fdp status --set fdp=on --set fdp_nruh=4 -o json | jq -e '(.ruhss | length) == 4
	and .ruhss[3].ruamw > 0' >/dev/null &&
	"$vssd" nvme fdp stats --set fdp=on -o json | jq -e '.hbmw == 0 and .mbmw == 0' >/dev/null &&
	"$vssd" nvme fdp events -E --set fdp=on -o json | jq -e '(.events | length) == 0' >/dev/null &&
	"$vssd" nvme fdp update --set fdp=on --pids 0,3 | grep -q "update: success"
then ok "vssd nvme fdp"; else bad "vssd nvme fdp"; fi

printf '[j]\nrw=write\nsize=1m\n' >"$tmp/ok.fio"
printf '[j]\nrw=write\nbogus=1\n' >"$tmp/unsup.fio"
printf '[j]\nrw=write\n=oops\n' >"$tmp/malformed.fio"
printf 'fio version 2 iolog\n/dev/x write 0 4096\n/dev/x write abc\n' >"$tmp/bad.log"
printf '[j]\nread_iolog=%s\n' "$tmp/bad.log" >"$tmp/trace.fio"

expect_error "unknown parameter" "unknown parameter 'nope'" "$vssd" sim --set nope=1 "$tmp/ok.fio"
expect_error "value out of range" "channels=999: out of range" "$vssd" sim --set channels=999 "$tmp/ok.fio"
expect_error "zero channels" "channels=0: out of range" "$vssd" sim --set channels=0 "$tmp/ok.fio"
expect_error "flash page under 4 KiB" "flash_page_bytes=2048" "$vssd" sim --set flash_page_bytes=2048 "$tmp/ok.fio"
expect_error "too few lines for GC" "fewer lines than GC needs" "$vssd" sim --set blocks_per_plane=3 "$tmp/ok.fio"
expect_error "ftl=ocssd with fdp" "ftl=ocssd needs fdp=off" "$vssd" sim --set ftl=ocssd --set fdp=on "$tmp/ok.fio"
expect_error "ftl=ocssd with 512-byte LBAs" "ftl=ocssd needs lba_bytes=4096" "$vssd" sim --set ftl=ocssd --set lba_bytes=512 "$tmp/ok.fio"
expect_error "block writes on a raw open-channel device" "needs a host FTL such as ftl=pblk" "$vssd" sim --set ftl=ocssd "$tmp/ok.fio"
expect_error "sim jobs on a zoned namespace" "ftl=zns is a zoned namespace" "$vssd" sim --set ftl=zns "$tmp/ok.fio"
expect_error "a zns parameter with another FTL" "zns_zone_dies: only with ftl=zns" "$vssd" sim --set zns_zone_dies=2 "$tmp/ok.fio"
expect_error "op with ftl=zns" "op=0.3: not supported with ftl=zns" "$vssd" nvme id-ns --set ftl=zns --set op=0.3
expect_error "conventional zones" "zns_conv_zones: not supported: NVMe zoned namespaces have sequential-write-required zones only" "$vssd" sim --set ftl=zns --set zns_conv_zones=4 "$tmp/ok.fio"
expect_error "zftl with one open zone" "zftl: the device opens 1 zone(s) at once; it needs 2" "$vssd" sim --set ftl=zns-host --set zns_max_open=1 "$tmp/ok.fio"
expect_error "zftl with too little spare" "give a larger op" "$vssd" sim --set ftl=zns-host --set blocks_per_plane=32 "$tmp/ok.fio"
expect_error "ftl=zns-host outside the simulator" "ftl=zns-host puts zftl" "$vssd" torture --set ftl=zns-host
expect_error "power cuts under zftl" "power cuts with ftl=zns-host: not supported" "$vssd" sim --set ftl=zns-host --set media=ram --powerloss at=1ms "$tmp/ok.fio"
# zftl keeps its map in host memory: a device file it wrote is refused when
# reopened, not overwritten
zdev=(--set ftl=zns-host --set blocks_per_plane=32 --set op=0.15 --set media=file
	--set path="$tmp/zoned.vssd")
if "$vssd" sim "${zdev[@]}" "$tmp/ok.fio" >/dev/null 2>&1; then
	expect_error "zftl over a zoned device that holds data" "zftl keeps its map in host memory" \
		"$vssd" sim "${zdev[@]}" "$tmp/ok.fio"
else
	bad "zftl on a new device file"
fi
expect_error "a device too small for pblk" "too small for pblk" "$vssd" sim --set ftl=pblk --set channels=1 --set luns_per_channel=2 --set blocks_per_plane=5 --set pages_per_block=24 "$tmp/ok.fio"
expect_error "pblk_op out of range" "pblk_op=95: out of range" "$vssd" sim --set ftl=pblk --set pblk_op=95 "$tmp/ok.fio"

# ftl=pblk: a fill then 2x the capacity of random overwrites through pblk;
# its figures join the report, and power cuts rebuild it from the media
pblk_small="--set ftl=pblk --set channels=2 --set luns_per_channel=2 --set blocks_per_plane=64 --set pages_per_block=48 --set media=ram"
printf '[fill]\nrw=write\nsize=100%%\n[rand]\nstonewall\nrw=randwrite\niodepth=16\nio_size=200%%\n[check]\nstonewall\nrw=randread\nio_size=16m\n' >"$tmp/pblk.fio"
# shellcheck disable=SC2086
if "$vssd" sim $pblk_small --json --powerloss at=3s "$tmp/pblk.fio" >"$tmp/pblk.json" 2>"$tmp/pblk.err" &&
	jq -e '.pblk.gc_lines > 0 and .pblk.waf > 1 and .pblk.read_errors == 0 and
		.pblk.write_errors == 0 and .jobs[2].read.io_bytes > 0 and
		.power_losses[0].pblk_recovered_lines > 0 and .device.open_channel.resets > 0 and
		.device.logical_bytes == .pblk.capacity_bytes and
		.device.open_channel_device.host_write_bytes > .device.host_write_bytes' \
		"$tmp/pblk.json" >/dev/null; then
	ok "sim ftl=pblk: GC, figures in the report, a power cut recovered"
else
	bad "sim ftl=pblk: $(head -c 300 "$tmp/pblk.err")"
fi
# fio's verify in the simulator: the job file nbd.sh runs with fio itself,
# 3x pblk's capacity in random overwrites, then every block read back
printf '[verify]\nrw=randwrite\nbs=4k\niodepth=16\nio_size=300%%\nnorandommap\nserialize_overlap=1\nverify=crc32c\nverify_fatal=1\nverify_state_save=0\n' >"$tmp/verify.fio"
# shellcheck disable=SC2086
if "$vssd" sim $pblk_small --json "$tmp/verify.fio" >"$tmp/verify.json" 2>"$tmp/verify.err" &&
	jq -e '.jobs[0].error == 0 and .jobs[0].verify.blocks > 30000 and .jobs[0].verify.bad == 0 and
		.jobs[0].read.total_ios == .jobs[0].verify.blocks and .pblk.gc_lines > 0' \
		"$tmp/verify.json" >/dev/null; then
	ok "sim verify=crc32c through pblk, 3x its capacity"
else
	bad "sim verify through pblk: $(head -c 300 "$tmp/verify.err")"
fi
# a reader with verify over blocks never written: the report, then exit 1
printf '[w]\nrw=write\nsize=20%%\nverify=crc32c\ndo_verify=0\n[r]\nstonewall\nrw=read\nsize=40%%\nverify=crc32c\n' >"$tmp/verify_bad.fio"
# shellcheck disable=SC2086
expect_error "sim verify failure" "job 'r': verify failed: " "$vssd" sim ${pblk_small/ftl=pblk/ftl=conv} --set op=0.25 "$tmp/verify_bad.fio"
if grep -q "verify: .* bad; the first at offset .*: bad magic" "$tmp/out"; then
	ok "sim verify failure in the report"
else
	bad "sim verify failure in the report: $(grep verify "$tmp/out")"
fi
expect_error "verify without kept data" "verify=crc32c: the media must keep the data" "$vssd" sim --set media=none "$tmp/verify.fio"
expect_error "unsupported fio option" "unsup.fio:3: fio option 'bogus' is not supported" "$vssd" sim "$tmp/unsup.fio"
expect_error "malformed job line" "malformed.fio:3:" "$vssd" sim "$tmp/malformed.fio"
expect_error "malformed trace line" "bad.log:3: malformed iolog v2 line" "$vssd" sim "$tmp/trace.fio"
expect_error "missing job file" "cannot open job file" "$vssd" sim "$tmp/none.fio"
expect_error "unknown profile" "profile 'nosuch' not found" "$vssd" sim --profile nosuch "$tmp/ok.fio"
expect_error "bad --seed" "seed=x" "$vssd" sim --seed x "$tmp/ok.fio"
printf '[j]\nrw=write\nsize=1m\nfdp=1\n' >"$tmp/fdp.fio"
printf '[j]\nrw=write\nsize=1m\nfdp=1\nfdp_pli=0,9\n' >"$tmp/fdp9.fio"
printf '[j]\nrw=write\nsize=1m\nplids=3-1\n' >"$tmp/plids.fio"
expect_error "fdp job on a device without fdp" "fdp=1, but the device has fdp=off" "$vssd" sim "$tmp/fdp.fio"
expect_error "placement index past the handles" "placement ID index 9, but the device has 8" "$vssd" sim --set fdp=on "$tmp/fdp9.fio"
expect_error "bad plids" "plids.fio:4: plids=3-1: bad value" "$vssd" sim "$tmp/plids.fio"
if "$vssd" sim --set fdp=on --set fdp_nruh=2 --json "$tmp/fdp.fio" | jq -e '.device.fdp.handles | length == 2' >/dev/null
then ok "fdp report"; else bad "fdp report"; fi
expect_error "powerloss: bad value" "powerloss at=soon: expected at=TIME" "$vssd" sim --powerloss at=soon "$tmp/job.fio"
expect_error "powerloss: no data kept" "media=none keeps none" "$vssd" sim --set media=none --powerloss after=10 "$tmp/job.fio"
expect_error "nvme: bad output format" "-o yaml: expected normal or json" "$vssd" nvme id-ctrl -o yaml
expect_error "nvme: unknown feature" "0/02h (Invalid Field in Command)" "$vssd" nvme get-feature -f 0x55
expect_error "debug=nvme: the rejection said with its field" \
	"vssd: nvme: get-feature nsid=0: CDW10.FID 0x55 is not a feature this controller has (Invalid Field in Command)" \
	"$vssd" nvme get-feature -f 0x55 --set debug=nvme
if "$vssd" nvme get-feature -f 0x55 2>&1 | grep -q "vssd: nvme:"; then
	bad "debug off: no rejection lines"; else ok "debug off: no rejection lines"; fi
expect_error "nvme: bad parameter" "lba_bytes=1000" "$vssd" nvme id-ns --set lba_bytes=1000
expect_error "nvme: unknown command" "unknown command 'id-foo'" "$vssd" nvme id-foo
expect_error "wear levelling on the open-channel device" \
	"wear_levelling: the open-channel device leaves wear to the host" \
	"$vssd" nvme id-ctrl --set ftl=ocssd --set wear_levelling=static
expect_error "suspend on the open-channel device" \
	"suspend=on: not supported by the open-channel device" \
	"$vssd" nvme id-ctrl --set ftl=pblk --set suspend=on
expect_error "nvme fdp: FDP off" "0/29h (FDP Disabled)" "$vssd" nvme fdp stats
expect_error "nvme fdp: bad pids" "--pids x: expected placement identifiers" "$vssd" nvme fdp update --set fdp=on --pids x
expect_error "nvme fdp: no such handle" "0/02h (Invalid Field in Command)" "$vssd" nvme fdp update --set fdp=on --pids 12
expect_error "nvme fdp: unknown command" "unknown command 'foo'" "$vssd" nvme fdp foo

# trace-stat: a DiskSim trace's summary, as text and JSON, and its errors
printf '0 0 0 8 0\n1000 0 4 16 1\n' >"$tmp/ds.trace"
if "$vssd" trace-stat "$tmp/ds.trace" >"$tmp/ts.out" 2>&1 &&
	grep -q 'trace (disksim): 2 requests (1 reads, 1 writes, 0 trims, 0 flushes) over 0.000001 s' "$tmp/ts.out" &&
	"$vssd" trace-stat --json "$tmp/ds.trace" |
	jq -e '.footprint_bytes == 12288 and .writes == 1 and .size_histogram[1] == 1' >/dev/null; then
	ok "trace-stat: counts, span and footprint"
else
	bad "trace-stat: $(cat "$tmp/ts.out")"
fi
expect_error "trace-stat: a format the file is not" "trace_format=iolog, but the file is not in that format" \
	"$vssd" trace-stat --format iolog "$tmp/ds.trace"
expect_error "trace-stat: no such trace" "cannot open trace" "$vssd" trace-stat "$tmp/none"
expect_error "trace-stat: a bad volume" "trace_volume=x: expected a volume number" \
	"$vssd" trace-stat --volume x "$tmp/ds.trace"

# a trace's times that look wrong: warnings with the line in trace-stat and
# its JSON, and on stderr before a replay, which runs all the same
printf '0 0 0 8 0\n1000 0 8 8 1\n500 0 16 8 1\n' >"$tmp/back.trace"
printf '[r]\nread_iolog=%s\n' "$tmp/back.trace" >"$tmp/back.fio"
want="back.trace:3: a time earlier than a request before it (requests out of order: 1, by up to 500 ns)"
if "$vssd" trace-stat "$tmp/back.trace" | grep -qF "warning: $tmp/$want" &&
	"$vssd" trace-stat --json "$tmp/back.trace" | jq -e '.warnings | length == 1' >/dev/null &&
	"$vssd" sim "$tmp/back.fio" 2>"$tmp/back.err" >/dev/null &&
	grep -qF "vssd: warning: job 'r': $tmp/$want" "$tmp/back.err"; then
	ok "trace warnings: out-of-order times named by line"
else
	bad "trace warnings: $(cat "$tmp/back.err" 2>/dev/null)"
fi

# --json+: fio's json+ bins, which fio's own fio_jsonplus_clat2csv reads
printf '[w]\nrw=randwrite\nbs=4k\nnumber_ios=3000\n' >"$tmp/bins.fio"
if "$vssd" sim --json+ "$tmp/bins.fio" >"$tmp/bins.json" &&
	jq -e '[.jobs[0].write.clat_ns.bins[]] | add == 3000' "$tmp/bins.json" >/dev/null; then
	if command -v fio_jsonplus_clat2csv >/dev/null; then
		(cd "$tmp" && fio_jsonplus_clat2csv bins.json bins >/dev/null 2>&1)
		# columns: nsec, then count, cumulative and percentile per kind; the
		# write clat cumulative count ends at every write
		if [ -s "$tmp/bins_job0" ] &&
			tail -1 "$tmp/bins_job0" | awk -F', ' '$15 == 3000 { ok = 1 } END { exit !ok }'; then
			ok "--json+ bins, read by fio_jsonplus_clat2csv"
		else
			bad "--json+: fio_jsonplus_clat2csv did not read it"
		fi
	else
		ok "--json+ bins (fio_jsonplus_clat2csv not installed: not read back)"
	fi
else
	bad "--json+: no bins"
fi

[ $fails -eq 0 ]
