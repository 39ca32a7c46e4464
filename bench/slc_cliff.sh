#!/usr/bin/env bash
# The SLC cache's write cliff (issue 19, item 3): a sequential 128 KiB QD32
# write of the whole drive, its write speed every 500 ms of virtual time
# against the data written so far, for a profile with an SLC cache and the
# same profile without one (slc_cache_bytes=0 slc_dynamic_bytes=0, the
# baseline). Prints where the speed first falls below 80% of its start and
# the speeds before and after, and with gnuplot draws both to PNG.
# usage: bench/slc_cliff.sh [BUILD_DIR] [PROFILE] [PNG]
set -euo pipefail
build=${1:-build}
profile=${2:-samsung_970evoplus}
png=${3:-}
[ -z "$png" ] || png=$(realpath -m "$png")
. "$(dirname "$0")/sim_env.sh"

printf '[fill]\nrw=write\nbs=128k\niodepth=32\nsize=100%%\n' >"$tmp/fill.fio"
"$vssd" sim --profile "$profile" --csv-dir "$tmp/cache" --csv-interval-ms 500 "$tmp/fill.fio" \
	>/dev/null &
"$vssd" sim --profile "$profile" --set slc_cache_bytes=0 --set slc_dynamic_bytes=0 \
	--csv-dir "$tmp/none" --csv-interval-ms 500 "$tmp/fill.fio" >/dev/null &
wait

for run in cache none; do # GB written, MB/s in each interval
	awk -F, 'BEGIN { gb = 0; t0 = 0 } NR == 1 { for (i = 1; i <= NF; i++) col[$i] = i; next }
		{ t = $col["time_s"]; r = $col["write_MBps"] + 0; gb += r * (t - t0) / 1e3; t0 = t
		  printf "%.3f %.1f\n", gb, r }' "$tmp/$run/timeseries.csv" >"$tmp/$run.dat"
	awk -v run="$run" '{ gb[n] = $1; r[n++] = $2 } END {
		hi = r[0]; for (i = 1; i < 10 && i < n; i++) if (r[i] > hi) hi = r[i]
		for (c = 0; c < n && r[c] >= 0.8 * hi; c++) ;
		if (c == n) { printf "%-14s %.0f MB/s to the end (%.1f GB)\n", run, hi, gb[n - 1]; exit }
		printf "%-14s %.0f MB/s for the first %.1f GB, then %.0f MB/s\n", run, hi,
			c ? gb[c - 1] : 0, r[c + 10 < n ? c + 10 : n - 1] }' "$tmp/$run.dat"
done | sed 's/^cache /with cache/; s/^none /no cache  /'

if [ -n "$png" ] && command -v gnuplot >/dev/null; then
	gnuplot <<EOF
set terminal pngcairo size 800,400 font ",10" noenhanced
set output "$png"
set xlabel "data written (GB)"
set ylabel "write MB/s (500 ms intervals)"
set yrange [0:*]
set key bottom left
set title "$profile: sequential 128 KiB QD32 write of the whole drive"
plot "$tmp/cache.dat" using 1:2 with lines title "SLC cache", \
     "$tmp/none.dat" using 1:2 with lines title "no cache"
EOF
	echo "plot: $png"
fi
