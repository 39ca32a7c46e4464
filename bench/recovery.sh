#!/usr/bin/env bash
# Recovery time of a device file full of data (issue #7): opened after a
# clean close (the checkpoint is loaded) and after a power cut (every
# programmed unit's OOB is scanned), against the baseline of reading the
# file's OOB area raw with dd, in the same run. The page cache is dropped
# before each measurement when we may (root), so all three read from disk.
# The device is 64 GiB logical (default profile, more blocks), filled once
# sequentially with timing off; the file takes about as much disk.
# usage: bench/recovery.sh [BUILD_DIR] [DIR_FOR_THE_DEVICE_FILE] [BLOCKS_PER_PLANE]
set -euo pipefail
build=${1:-build}
dir=${2:-/var/tmp}
blocks=${3:-2936} # 8 dies x 2936 blocks x 192 pages x 16 KiB = 68.8 GiB raw, 64 GiB logical
cd "$(dirname "$0")/.."
export VSSD_PROFILE_DIR=$PWD/profiles
vssd=$PWD/$build/vssd
tmp=$(mktemp -d)
file=$dir/vssd-recovery-bench.vssd
trap 'rm -rf "$tmp" "$file"' EXIT
dev=(--profile default --set blocks_per_plane="$blocks" --set media=file --set path="$file")

drop_caches() {
	sync
	if [ -w /proc/sys/vm/drop_caches ]; then echo 3 >/proc/sys/vm/drop_caches; fi
}
cat >"$tmp/fill.fio" <<'JOB'
[fill]
rw=write
bs=1m
iodepth=4
size=100%
JOB
cat >"$tmp/one.fio" <<'JOB'
[one]
rw=randread
bs=4k
number_ios=1
JOB

rm -f "$file"
echo "filling a $(("$blocks" * 8 * 192 * 16 / 1024)) MiB-raw device at $file (timing off) ..." >&2
t0=$(date +%s.%N)
"$vssd" sim "${dev[@]}" --set timing=off "$tmp/fill.fio" >/dev/null
echo "filled and closed in $(echo "$(date +%s.%N) - $t0" | bc) s" >&2

# each measurement ROUNDS times, cache dropped before each; medians printed
rounds=${ROUNDS:-3}
read -r oob_off data_off < <(od -An -t u8 -j 40 -N 16 "$file") # from the file's header
oob_mib=$(((data_off - oob_off) >> 20))
for r in $(seq "$rounds"); do
	drop_caches
	"$vssd" sim "${dev[@]}" --json "$tmp/one.fio" >"$tmp/ckpt.json"
	jq .opened.wall_s "$tmp/ckpt.json" >>"$tmp/ckpt.s"
	drop_caches
	"$vssd" sim "${dev[@]}" --json --powerloss after=1 "$tmp/one.fio" >"$tmp/scan.json"
	jq '.power_losses[0].recovery.wall_s' "$tmp/scan.json" >>"$tmp/scan.s"
	# the baseline: the OOB area read raw
	drop_caches
	t0=$(date +%s.%N)
	dd if="$file" of=/dev/null bs=1M skip=$((oob_off >> 20)) count=$oob_mib status=none
	echo "$(date +%s.%N) - $t0" | bc >>"$tmp/raw.s"
	echo "round $r of $rounds: checkpoint $(tail -1 "$tmp/ckpt.s") s, scan $(tail -1 "$tmp/scan.s") s," \
		"dd $(tail -1 "$tmp/raw.s") s" >&2
done
median() { sort -g "$1" | awk '{ v[NR] = $1 } END { print v[int((NR + 1) / 2)] }'; }
ckpt_s=$(median "$tmp/ckpt.s")
scan_s=$(median "$tmp/scan.s")
raw_s=$(median "$tmp/raw.s")
units=$(jq '.power_losses[0].recovery.units_scanned' "$tmp/scan.json")
data_gib=$(jq '.opened.mapped_bytes / 1073741824' "$tmp/ckpt.json")
jq -e '.opened.from_checkpoint and (.power_losses[0].recovery.from_checkpoint | not)' \
	"$tmp/scan.json" >/dev/null
cache="dropped"
[ -w /proc/sys/vm/drop_caches ] || cache="NOT dropped (not root)"
printf "device: %.2f GiB of data; page cache %s before each; medians of %d rounds\n" \
	"$data_gib" "$cache" "$rounds"
printf "%-40s %10.3f s\n" "from the checkpoint (clean close)" "$ckpt_s"
printf "%-40s %10.3f s  (%d units, %.0f ns each)\n" "by scanning OOB (after a power cut)" \
	"$scan_s" "$units" "$(echo "$scan_s * 1000000000 / $units" | bc -l)"
printf "%-40s %10.3f s  (%d MiB)\n" "baseline: dd of the OOB area" "$raw_s" "$oob_mib"
printf "ratios: scan / checkpoint %.1f, scan / raw OOB read %.2f\n" \
	"$(echo "$scan_s / $ckpt_s" | bc -l)" "$(echo "$scan_s / $raw_s" | bc -l)"
