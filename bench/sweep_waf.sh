#!/usr/bin/env bash
# WAF against spare capacity, the figure of Desnoyers (SYSTOR 2012) and Van
# Houdt (SIGMETRICS 2013), reproduced with vssd sweep: greedy and
# cost-benefit GC under uniform random writes and under hot/cold writes
# (90% of them to 10% of the LBAs), op from 0.05 to 0.6, three seeds, on a
# device of 128 lines without timing; steady state after a fill and eight
# drive-writes of 4 KiB overwrites. The analytic uniform greedy curve
# (docs/MODEL.md: alpha / (alpha + W0(-alpha e^-alpha)), alpha the data
# capable physical units over the logical ones) is drawn beside it.
# Prints the table of means and writes the plot to PNG (default
# waf_op.png).
# usage: bench/sweep_waf.sh [BUILD_DIR] [PNG]
set -euo pipefail
build=${1:-build}
png=$(realpath -m "${2:-waf_op.png}")
. "$(dirname "$0")/sim_env.sh"

for kind in uniform hotcold; do
	{
		printf '[fill]\nrw=write\nbs=128k\n[w]\nstonewall\nrw=randwrite\nbs=4k\nnorandommap\nio_size=800%%\n'
		[ $kind = hotcold ] && printf 'random_distribution=zoned:90/10:10/90\n'
	} >"$tmp/$kind.fio"
done
cat >"$tmp/spec.ini" <<'EOF'
[sweep]
job = uniform.fio, hotcold.fio
[set]
channels = 2
luns_per_channel = 2
blocks_per_plane = 128
pages_per_block = 96
timing = off
[axes]
op = 0.05, 0.1, 0.15, 0.2, 0.3, 0.4, 0.6
gc_policy = greedy, cost_benefit
seed = 1..3
EOF
"$vssd" sweep --out "$tmp/out" "$tmp/spec.ini"

# the measured group's WAF, mean over seeds, a column per job and policy
awk -F, 'NR > 1 && $6 == 1 { k = $3 " " $2 " " $4; s[k] += $7; n[k]++; ops[$3] = 1 }
	END { for (k in s) print k, s[k] / n[k] }' "$tmp/out/results.csv" | sort -n >"$tmp/means"
# the analytic uniform greedy curve: 128 lines, free lines between 2 and 3,
# a host and a GC line open
awk 'function w0(x,   w, i) { for (i = 0; i < 200; i++) w -= (w * exp(w) - x) / (exp(w) * (w + 1))
		return w } # Newton from 0: the principal branch, for -1/e < x < 0
	BEGIN { for (op = 0.04; op <= 0.62; op += 0.01) {
		a = (128 - 2.5 - 1) / 128 * (1 + op)
		printf "%.2f %.4f\n", op, a / (a + w0(-a * exp(-a))) } }' >"$tmp/analytic"
printf "%-6s %-12s %-14s %8s\n" op job gc_policy WAF
awk '{ printf "%-6s %-12s %-14s %8.3f\n", $1, $2, $3, $4 }' "$tmp/means"
for j in uniform hotcold; do
	for p in greedy cost_benefit; do
		awk -v j="$j.fio" -v p="$p" '$2 == j && $3 == p { print $1, $4 }' "$tmp/means" \
			>"$tmp/$j-$p.dat"
	done
done
if command -v gnuplot >/dev/null; then
	gnuplot <<EOF
set terminal pngcairo size 900,550 noenhanced
set output "$png"
set title "WAF against spare capacity (vssd sweep: 128 lines, steady state, mean of 3 seeds)"
set xlabel "op (spare / logical capacity)"; set ylabel "WAF"; set grid; set key top right
set logscale y
plot "$tmp/analytic" using 1:2 with lines dt 2 lw 2 title "uniform, greedy: analytic", \
     "$tmp/uniform-greedy.dat" using 1:2 with linespoints title "uniform, greedy", \
     "$tmp/uniform-cost_benefit.dat" using 1:2 with linespoints title "uniform, cost-benefit", \
     "$tmp/hotcold-greedy.dat" using 1:2 with linespoints title "hot/cold 90/10, greedy", \
     "$tmp/hotcold-cost_benefit.dat" using 1:2 with linespoints title "hot/cold 90/10, cost-benefit"
EOF
	echo "plot: $png"
fi
