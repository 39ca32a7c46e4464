#!/usr/bin/env bash
# Runs the test suite in every build directory given (release, then the
# ASan+UBSan build) and ends with one line: "N passed, N failed".
set -u
passed=0
failed=0
for dir in "$@"; do
	echo "== tests in $dir"
	meson test -C "$dir" --print-errorlogs --num-processes 2
	log="$dir/meson-logs/testlog.json"
	if [ ! -s "$log" ]; then
		echo "no test log in $dir"
		failed=$((failed + 1))
		continue
	fi
	p=$(grep -c '"result": "OK"' "$log")
	f=$(grep -c '"result": "\(FAIL\|TIMEOUT\|ERROR\|UNEXPECTEDPASS\)"' "$log")
	passed=$((passed + p))
	failed=$((failed + f))
done
echo "$passed passed, $failed failed"
[ "$failed" -eq 0 ] && [ "$passed" -gt 0 ]
