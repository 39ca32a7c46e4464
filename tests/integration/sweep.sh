#!/usr/bin/env bash
# `vssd sweep` as a user runs it: a 12-point grid merged into one CSV (a
# row per point and group) and one JSON file, a resumed sweep running only
# the missing point, the print executor's commands run by sh, a plot, and
# bad specs refused naming their line.
# usage: sweep.sh VSSD SOURCE_DIR
set -u
vssd=$1
src=$2
# shellcheck source=lib.sh
. "$(dirname "$0")/lib.sh" "$src"

printf '[fill]\nrw=write\nbs=128k\n[w]\nstonewall\nrw=randwrite\nbs=4k\nio_size=100%%\n' \
	>"$tmp/u.fio"
cat >"$tmp/spec.ini" <<'EOF'
# a 160 MiB device without timing: the points take a moment each
[sweep]
job = u.fio          ; relative to the spec
[set]
channels = 2
luns_per_channel = 2
blocks_per_plane = 64
pages_per_block = 48
timing = off
[axes]
op = 0.1, 0.2, 0.3
gc_policy = greedy, cost_benefit
seed = 1..2
EOF

# 1. twelve points, two groups each: 24 rows, WAF falling with op
if "$vssd" sweep --out "$tmp/a" --plot 'X=op Y=waf BY=gc_policy' "$tmp/spec.ini" 2>"$tmp/a.err" &&
	[ "$(wc -l <"$tmp/a/results.csv")" = 25 ] &&
	head -1 "$tmp/a/results.csv" | grep -q '^point,job,op,gc_policy,seed,group,waf,' &&
	jq -e '.points | length == 12' "$tmp/a/results.json" >/dev/null &&
	awk -F, '$6 == 1 && $4 == "greedy" && $5 == 1 { w[$3] = $7 }
		END { exit !(w["0.1"] > w["0.2"] && w["0.2"] > w["0.3"]) }' "$tmp/a/results.csv"; then
	ok "sweep: 12 points merged, WAF falls as op grows"
else
	bad "sweep: $(cat "$tmp/a.err")"
fi
if command -v gnuplot >/dev/null; then
	if [ -s "$tmp/a/plot.png" ] && [ "$(grep -c . "$tmp/a/plot.dat")" = 6 ]; then
		ok "sweep --plot: waf against op, a line per gc_policy"
	else
		bad "sweep --plot"
	fi
fi

# 2. resume: a lost point runs again, the others do not
rm "$tmp/a/points/000007.json"
cp "$tmp/a/results.csv" "$tmp/first.csv"
if "$vssd" sweep --out "$tmp/a" "$tmp/spec.ini" 2>"$tmp/b.err" &&
	grep -q "11 of 12 points done already" "$tmp/b.err" &&
	cmp -s "$tmp/a/results.csv" "$tmp/first.csv"; then
	ok "sweep resumes: only the missing point ran, the same results"
else
	bad "sweep resume: $(cat "$tmp/b.err")"
fi

# 3. the print executor: a command a point, which sh runs; then merged
if "$vssd" sweep --executor print --out "$tmp/p" "$tmp/spec.ini" >"$tmp/cmds.sh" 2>/dev/null &&
	[ "$(wc -l <"$tmp/cmds.sh")" = 12 ] && sh "$tmp/cmds.sh" &&
	"$vssd" sweep --out "$tmp/p" "$tmp/spec.ini" 2>"$tmp/p.err" &&
	grep -q "12 of 12 points done already" "$tmp/p.err" &&
	cmp -s "$tmp/p/results.csv" "$tmp/first.csv"; then
	ok "sweep --executor print: sh runs the points, the same results"
else
	bad "sweep --executor print"
fi

# 4. a spec of another sweep in the same --out is refused
sed 's/op = 0.1, 0.2, 0.3/op = 0.15/' "$tmp/spec.ini" >"$tmp/other.ini"
if ! "$vssd" sweep --out "$tmp/a" "$tmp/other.ini" 2>"$tmp/o.err" &&
	grep -q "holds the points of another spec" "$tmp/o.err"; then
	ok "sweep: another spec's --out refused"
else
	bad "sweep: another spec's --out: $(cat "$tmp/o.err")"
fi

# 5. bad specs, named by line
bad_spec() { # DESCRIPTION NEEDLE SPEC-TEXT
	printf '%b' "$3" >"$tmp/bad.ini"
	if "$vssd" sweep --out "$tmp/bad" "$tmp/bad.ini" >/dev/null 2>"$tmp/bad.err"; then
		bad "$1: exited 0"
	elif grep -qF -- "$2" "$tmp/bad.err"; then
		ok "$1"
	else
		bad "$1: '$(cat "$tmp/bad.err")' lacks '$2'"
	fi
}
cp "$tmp/u.fio" "$tmp/bad.fio"
bad_spec "an unknown parameter" "bad.ini:4: unknown parameter 'nosuch'" \
	'[sweep]\njob = bad.fio\n[set]\nnosuch = 1\n'
bad_spec "an empty axis" "bad.ini:4: op: no values" '[sweep]\njob = bad.fio\n[axes]\nop =\n'
bad_spec "a bad range" "bad.ini:4: seed = 5..1: '5..1' is not a range" \
	'[sweep]\njob = bad.fio\n[axes]\nseed = 5..1\n'
bad_spec "a bad value" "bad.ini:5: gc_policy=fastest" \
	'[sweep]\njob = bad.fio\n[axes]\nop = 0.2\ngc_policy = greedy, fastest\n'
bad_spec "an unknown section" "bad.ini:2: [runs]: not a section" '[runs]\nx = 1\n'
bad_spec "no job files" "no job files" '[axes]\nop = 0.2\n'
bad_spec "a point that cannot be built" "point 0 cannot be built" \
	'[sweep]\njob = bad.fio\n[axes]\nop = 0.001\n'
if "$vssd" sweep --plot 'X=op Y=speed' "$tmp/spec.ini" 2>"$tmp/pl.err"; then
	bad "a bad --plot: exited 0"
elif grep -q "expected X=AXIS Y=FIGURE" "$tmp/pl.err"; then
	ok "a bad --plot figure named"
else
	bad "a bad --plot: $(cat "$tmp/pl.err")"
fi

[ $fail -eq 0 ]
