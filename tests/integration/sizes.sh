#!/usr/bin/env bash
# One concept per file, short functions (issue 15): no file under src/ over
# 650 lines, no function there over 60 (from its first line to its closing
# brace) unless a comment at its top says why with "long because".
# usage: sizes.sh SOURCE_DIR
set -uo pipefail
here=$(cd "$(dirname "$0")" && pwd)
cd "$1" || exit 1
# shellcheck source=verdict.sh
. "$here/verdict.sh"

big=$(find src -name '*.[ch]' -exec wc -l {} + | awk '$2 != "total" && $1 > 650 { print $2 ": " $1 " lines" }')
verdict "no file under src/ is over 650 lines" "$big"

# a definition starts at column 0 with a name and "(" and its body's "{" is
# alone at column 0; it ends at the first "}" alone at column 0
long=$(find src -name '*.c' | sort | xargs awk '
	FNR == 1 { start = 0; why = 0 }
	/long because/ { why = FNR }
	/^[a-z].*\(/ && !/;[ \t]*$/ && !start { start = FNR; name = $0; sub(/\(.*/, "", name); sub(/.* \**/, "", name) }
	/^{/ && start { inbody = 1 }
	/^}/ && inbody {
		if (FNR - start + 1 > 60 && !(why && start - why < 4))
			print FILENAME ":" start ": " name " is " FNR - start + 1 " lines"
		start = 0; inbody = 0
	}
	/;[ \t]*$/ && start && !inbody { start = 0 }')
verdict "no function under src/ is over 60 lines" "$long"
verdicts_done
