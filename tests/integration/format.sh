#!/usr/bin/env bash
# Every C file of the tree follows .clang-format (clang-format 14, as
# Debian 12 has it): a file that does not fails the suite, with the diff.
# Fix with: clang-format -i FILE
# usage: format.sh SOURCE_DIR
set -uo pipefail
cd "$1" || exit 1
if ! command -v clang-format >/dev/null; then
	echo "skipped: clang-format is not installed (scripts/deps.sh installs it)"
	exit 77
fi
bad=0 n=0
while IFS= read -r f; do
	n=$((n + 1))
	if ! clang-format --style=file --dry-run --Werror "$f" 2>/dev/null; then
		echo "FAIL: $f does not follow .clang-format:"
		clang-format --style=file "$f" | diff -u "$f" - | head -20
		bad=$((bad + 1))
	fi
done < <(find src include frontends tests bench examples -name '*.[ch]' | sort)
[ "$bad" -eq 0 ] && echo "ok: all $n C files follow .clang-format"
echo "$((n - bad)) passed, $bad failed"
[ "$bad" -eq 0 ]
