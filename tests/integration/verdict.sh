# For the scripts that check the source itself (layering.sh, sizes.sh):
#   verdict WHAT FINDINGS   ok when nothing was found, else FAIL and the findings
#   verdicts_done           the summary line, and the exit status
pass=0 fail=0
verdict() {
	if [ -z "$2" ]; then
		echo "ok: $1"
		pass=$((pass + 1))
	else
		echo "FAIL: not true that $1:"
		echo "$2"
		fail=$((fail + 1))
	fi
}
verdicts_done() {
	echo "$pass passed, $fail failed"
	[ "$fail" -eq 0 ]
}
