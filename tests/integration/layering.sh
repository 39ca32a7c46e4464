#!/usr/bin/env bash
# The layering DESIGN.md promises, checked on the source:
# - no file names a specific FTL (its headers, functions, structs, or the
#   ftl= values) outside the FTL's own folder, the one table that lists the
#   FTLs (src/ftl/ftl.c) and the parameter that declares the values;
# - no frontend includes a header from under src/: they use include/vssd/.
# usage: layering.sh SOURCE_DIR
set -uo pipefail
here=$(cd "$(dirname "$0")" && pwd)
cd "$1" || exit 1
# shellcheck source=verdict.sh
. "$here/verdict.sh"

ftl_refs=$(grep -rnE '#include "ftl/(conv|ocssd)/|\bconv_[a-z_]+\(|struct conv_|struct ocssd\b|ocssd_of\b|\bFTL_(CONV|OCSSD|PBLK)\b' \
	src frontends include | grep -vE '^src/ftl/(conv|ocssd)/|^src/ftl/ftl\.c:|^src/config/params\.[ch]:')
verdict "no FTL is named outside its folder and src/ftl/ftl.c" "$ftl_refs"

# a frontend's own headers sit beside it; fio's and nbdkit's come from their -I
internal=$(grep -rnE '^#include "' frontends | while IFS= read -r line; do
	file=${line%%:*}
	header=$(sed -E 's/.*#include "([^"]+)".*/\1/' <<<"$line")
	[ -e "$(dirname "$file")/$header" ] || [ -e "include/$header" ] && continue
	[ -e "src/$header" ] || [ -e "$header" ] && echo "$line"
done)
verdict "no frontend includes a header under src/" "$internal"
verdicts_done
