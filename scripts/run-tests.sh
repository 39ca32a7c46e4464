#!/usr/bin/env bash
# Runs the test suite in every build directory given, each as DIR or
# DIR:SUITE (only that suite), and ends with one line: "N passed, N failed".
set -u
passed=0
failed=0
skipped=0
for arg in "$@"; do
	dir=${arg%%:*}
	suite=()
	[ "$arg" != "$dir" ] && suite=(--suite "${arg#*:}")
	echo "== tests in $dir ${suite[*]}"
	rm -f "$dir/meson-logs/testlog.json"
	meson test -C "$dir" --print-errorlogs --num-processes 2 "${suite[@]}"
	log="$dir/meson-logs/testlog.json"
	if [ ! -s "$log" ]; then
		echo "no test log in $dir"
		failed=$((failed + 1))
		continue
	fi
	p=$(grep -c '"result": "OK"' "$log")
	f=$(grep -c '"result": "\(FAIL\|TIMEOUT\|ERROR\|UNEXPECTEDPASS\)"' "$log")
	skipped=$((skipped + $(grep -c '"result": "SKIP"' "$log")))
	passed=$((passed + p))
	failed=$((failed + f))
done
[ "$skipped" -gt 0 ] && echo "($skipped skipped: see their logs for why)"
echo "$passed passed, $failed failed"
[ "$failed" -eq 0 ] && [ "$passed" -gt 0 ]
