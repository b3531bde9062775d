#!/usr/bin/env bash
# run.sh — every benchmark, each printing ratios against a peer measured in
# the same run where one exists. Usage: bench/run.sh [BUILD_DIR]
set -uo pipefail
here=$(cd "$(dirname "$0")/.." && pwd)
build=${1:-$here/build}
echo "== reader throughput (bench_read, 100 MB per format)"
"$build/bench/bench_read" 100
for s in "$here"/bench/*.sh; do
  [ "$(basename "$s")" = run.sh ] && continue
  echo "== $(basename "$s")"
  bash "$s" "$build" || echo "(failed: $s)"
done
