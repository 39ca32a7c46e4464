#!/usr/bin/env bash
# A profile against the datasheet it cites (issue 19, item 6): the figures
# its `# datasheet: KEY = VALUE` lines give, measured with `vssd sim` in the
# shapes datasheets use, on a fresh drive. Six figures are the classic
# ones: sequential read and write at 128 KiB QD32 one job, 4 KiB random
# read and write at QD1 one job and at QD32 four jobs, within 10%. A
# profile with an SLC cache also gives its cache size and its sequential
# write speed in the cache and after it (128 KiB QD32 over the whole
# drive, from the run's time series), within 5%.
# Prints a row per figure: model, datasheet, model / datasheet, and ok or
# OFF against the tolerance; exits 1 if any is off.
# usage: bench/calibrate.sh PROFILE [BUILD_DIR]
set -euo pipefail
profile=${1:?usage: bench/calibrate.sh PROFILE [BUILD_DIR]}
build=${2:-build}
file=$profile
[ -f "$file" ] && file=$(realpath "$file") # sim_env.sh moves to the project root
. "$(dirname "$0")/sim_env.sh"
[ -f "$file" ] || file=profiles/$profile.conf
[ -f "$file" ] || { echo "calibrate: no profile '$profile'" >&2; exit 2; }
declare -A sheet=()
while read -r key value; do
	sheet[$key]=$value
done < <(sed -n 's/^# datasheet: *\([A-Za-z0-9_]*\) *= *\([0-9.]*\) *$/\1 \2/p' "$file")
[ ${#sheet[@]} -gt 0 ] || { echo "calibrate: $file has no '# datasheet:' lines" >&2; exit 2; }

# the classic six, each its own stonewall group; reads over data written first
cat >"$tmp/classic.fio" <<'EOF'
[global]
size=16g
[seq_write]
rw=write
bs=128k
iodepth=32
[seq_read]
stonewall
rw=read
bs=128k
iodepth=32
[rand_read_qd1]
stonewall
rw=randread
bs=4k
iodepth=1
time_based
runtime=1
[rand_read_qd32x4]
stonewall
rw=randread
bs=4k
iodepth=32
numjobs=4
time_based
runtime=1
[rand_write_qd1]
stonewall
rw=randwrite
bs=4k
iodepth=1
time_based
runtime=1
[rand_write_qd32x4]
stonewall
rw=randwrite
bs=4k
iodepth=32
numjobs=4
time_based
runtime=1
EOF
declare -A model=()
"$vssd" sim --profile "$file" --json "$tmp/classic.fio" >"$tmp/classic.json"
while read -r name iops mbps; do
	case $name in
	seq_*) model[${name}_MBps]=$mbps ;;
	*) model[${name}_iops]=$iops ;;
	esac
done < <(jq -r '.jobs | group_by(.groupid)[] | [.[0].jobname,
	(map(.read.iops + .write.iops) | add),
	(map(.read.bw_bytes + .write.bw_bytes) | add / 1e6)] | @tsv' "$tmp/classic.json")

# the SLC cache: a sequential write of the whole drive, its write speed
# each 100 ms; the cache ends at the first interval below 80% of the
# fastest of the first ten; the speed in it is the median before that, the
# speed after it the median over the next quarter of the drive
if [ -n "${sheet[slc_cache_GB]:-}" ]; then
	printf '[fill]\nrw=write\nbs=128k\niodepth=32\nsize=100%%\n' >"$tmp/fill.fio"
	"$vssd" sim --profile "$file" --csv-dir "$tmp/csv" --csv-interval-ms 100 \
		"$tmp/fill.fio" >"$tmp/fill.txt"
	read -r cache in_cache after < <(awk -F, '
		function median(a, n,   b, i, j, v) { # insertion sort: mawk has no asort
			for (i = 0; i < n; i++) { v = a[i]
				for (j = i; j > 0 && b[j - 1] > v; j--) b[j] = b[j - 1]
				b[j] = v }
			return n ? b[int(n / 2)] : 0 }
		BEGIN { n = 0; gb[0] = 0; t0 = 0 }
		NR == 1 { for (i = 1; i <= NF; i++) col[$i] = i; next }
		{ t = $col["time_s"]; r[n] = $col["write_MBps"] + 0; gb[n + 1] = gb[n] + r[n] * (t - t0) / 1e3
		  t0 = t; n++ }
		END {
			for (i = 0; i < 10 && i < n; i++) if (r[i] > hi) hi = r[i]
			for (c = 0; c < n && r[c] >= 0.8 * hi; c++) in_c[c] = r[c]
			for (i = c + 1; i < n && gb[i] < gb[c] + gb[n] / 4; i++) out[m++] = r[i]
			printf "%.2f %.0f %.0f\n", gb[c], median(in_c, c), median(out, m)
		}' "$tmp/csv/timeseries.csv")
	model[slc_cache_GB]=$cache
	model[slc_write_MBps]=$in_cache
	model[after_slc_write_MBps]=$after
fi

echo "$file against its datasheet"
printf "%-24s %12s %12s %8s %6s\n" figure model datasheet ratio ""
off=0
for key in seq_read_MBps seq_write_MBps rand_read_qd1_iops rand_read_qd32x4_iops \
	rand_write_qd1_iops rand_write_qd32x4_iops slc_cache_GB slc_write_MBps after_slc_write_MBps; do
	[ -n "${sheet[$key]:-}" ] || continue
	tol=0.10
	case $key in *slc*) tol=0.05 ;; esac
	verdict=$(awk -v m="${model[$key]:-0}" -v d="${sheet[$key]}" -v t=$tol 'BEGIN {
		r = m / d; printf "%.3f %s", r, (r >= 1 - t && r <= 1 + t) ? "ok" : "OFF" }')
	printf "%-24s %12.1f %12s %8s %6s\n" "$key" "${model[$key]:-0}" "${sheet[$key]}" $verdict
	case $verdict in *OFF) off=1 ;; esac
done
exit $off
