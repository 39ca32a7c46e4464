#!/usr/bin/env bash
# Runs a libFuzzer target from the committed seeds, growing its corpus in a
# temporary directory (the seeds stay as they are). Extra arguments go to
# libFuzzer: `make test` passes a fixed number of runs; docs/TESTING.md
# shows a long run.
set -euo pipefail
target=$1
seeds=$2
shift 2
corpus=$(mktemp -d)
trap 'rm -rf "$corpus"' EXIT
"$target" "$corpus" "$seeds" -max_len=4096 -len_control=20 "$@" 2>&1 | tail -n 14
