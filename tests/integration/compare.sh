#!/usr/bin/env bash
# `vssd compare` as a user runs it: the five default variants side by side
# on equal devices, its JSON the variants' own `vssd sim` reports, the same
# whether they run at once or one by one, plots, and bad variants named.
# usage: compare.sh VSSD SOURCE_DIR
set -u
vssd=$1
src=$2
# shellcheck source=lib.sh
. "$(dirname "$0")/lib.sh" "$src"

# a 288 MiB device and a fill then random overwrites of 1.5x it
small=(--set channels=2 --set luns_per_channel=2 --set blocks_per_plane=96 --set
	pages_per_block=48 --set op=0.2)
printf '[fill]\nrw=write\nbs=128k\niodepth=8\n[rand]\nstonewall\nrw=randwrite\nbs=4k\niodepth=16\nio_size=150%%\n' \
	>"$tmp/job.fio"
strip='walk(if type == "object" then del(.wall_s, .host_ios_per_wall_s) else . end)'

# 1. the table: five variants, the same capacity, two groups, a best marked,
# the host FTLs' WAF split into the host's part and the device's
if "$vssd" compare "${small[@]}" "$tmp/job.fio" >"$tmp/table.txt" 2>"$tmp/table.err" &&
	[ "$(grep -c '^  [a-z-]* *capacity ' "$tmp/table.txt")" = 5 ] &&
	[ "$(sed -n 's/^  [a-z-]* *capacity \([0-9.]*\) GiB.*/\1/p' "$tmp/table.txt" | sort -u | wc -l)" = 1 ] &&
	! grep -q differs "$tmp/table.txt" &&
	grep -q '^group 1$' "$tmp/table.txt" &&
	grep -q '^fdp-persistently' "$tmp/table.txt" && grep -q '\*' "$tmp/table.txt" &&
	grep -q '^variant *WAF *host WAF *dev WAF ' "$tmp/table.txt" &&
	awk '$1 == "zns-host" && $3 > 1 && $4 == "1.000*" { z++ } $1 == "conv" && $3 == "1.000*" { c++ }
		END { exit !(z == 1 && c == 1) }' <(sed -n '/^group 1$/,$p' "$tmp/table.txt"); then
	ok "compare: five variants on equal devices"
else
	bad "compare table: $(cat "$tmp/table.txt" "$tmp/table.err")"
fi

# 2. at once or one by one, the same reports; each a variant's own sim report
"$vssd" compare "${small[@]}" --json -j 4 "$tmp/job.fio" | jq -S "$strip" >"$tmp/par.json"
"$vssd" compare "${small[@]}" --json -j 1 "$tmp/job.fio" | jq -S "$strip" >"$tmp/seq.json"
"$vssd" sim "${small[@]}" --set ftl=pblk --json+ "$tmp/job.fio" | jq -S "$strip" >"$tmp/pblk.json"
if [ -s "$tmp/par.json" ] && cmp -s "$tmp/par.json" "$tmp/seq.json" &&
	jq -e '.variants | length == 5' "$tmp/par.json" >/dev/null &&
	jq -e '.variants[4].zftl.gc_zones > 0' "$tmp/par.json" >/dev/null &&
	jq -S '.variants[3] | del(.variant)' "$tmp/par.json" | cmp -s - "$tmp/pblk.json"; then
	ok "compare --json: -j 4 equals -j 1, each variant its own sim report"
else
	bad "compare --json: parallel and sequential reports differ"
fi

# 3. plots, a line per variant
if command -v gnuplot >/dev/null; then
	if "$vssd" compare "${small[@]}" --variant a:gc_policy=greedy \
		--variant b:gc_policy=cost_benefit --plot-dir "$tmp/plots" "$tmp/job.fio" \
		>/dev/null && [ -s "$tmp/plots/waf.png" ] && [ -s "$tmp/plots/free_lines.png" ] &&
		[ -s "$tmp/plots/write_latency_cdf.png" ]; then
		ok "compare --plot-dir: three plots"
	else
		bad "compare --plot-dir"
	fi
else
	echo "skipped: gnuplot not installed, no plots to check"
fi

# 4. a block trace as the workload: each variant replays it in its own time
# unit (MSR: 100 ns ticks); a request past the device's end names its line
awk 'BEGIN { for (i = 0; i < 2000; i++) printf "%.0f,h,0,%s,%d,4096,0\n", 128000000000 + i * 1000,
	i % 3 ? "Write" : "Read", (i * 7919 % 40000) * 4096 }' >"$tmp/t.csv"
printf '[replay]\nread_iolog=%s\niodepth=8\n' "$tmp/t.csv" >"$tmp/trace.fio"
if "$vssd" compare "${small[@]}" --json "$tmp/trace.fio" >"$tmp/trace.json" &&
	jq -e '[.variants[].jobs[0].trace | .reads + .writes] | length == 5 and all(. == 2000)' \
		"$tmp/trace.json" >/dev/null &&
	jq -e '[.variants[].jobs[0].job_runtime] | all(. >= 199)' "$tmp/trace.json" >/dev/null; then
	ok "compare: a trace replayed by every variant, in its own time unit"
else
	bad "compare: a trace"
fi
echo "128000000000,h,0,Write,999999999999,4096,0" >>"$tmp/t.csv"
if ! "$vssd" compare "${small[@]}" "$tmp/trace.fio" >/dev/null 2>"$tmp/trace.err" &&
	grep -q "variant conv failed" "$tmp/trace.err" && grep -q "t.csv:2001" "$tmp/trace.err"; then
	ok "compare: a trace line past the device's end named"
else
	bad "compare: a trace past the end: $(cat "$tmp/trace.err")"
fi

# 5. bad variants, named
expect() { # DESCRIPTION NEEDLE ARGS...
	local what=$1 needle=$2
	shift 2
	if "$vssd" compare "$@" >"$tmp/out" 2>"$tmp/err"; then
		bad "$what: exited 0"
	elif grep -qF -- "$needle" "$tmp/err"; then
		ok "$what"
	else
		bad "$what: '$(cat "$tmp/err")' lacks '$needle'"
	fi
}
expect "a variant's bad parameter" "variant x failed" \
	--variant x:gc_policy=fastest "$tmp/job.fio"
expect "the bad parameter named" "gc_policy=fastest" --variant x:gc_policy=fastest "$tmp/job.fio"
expect "a variant that is not KEY=VALUE" "--variant x: 'oops' is not KEY=VALUE" \
	--variant x:oops "$tmp/job.fio"
expect "a variant named twice" "--variant a: named twice" --variant a:op=0.1 \
	--variant a:op=0.2 "$tmp/job.fio"
expect "no job file" "expected one JOBFILE"

[ $fail -eq 0 ]
