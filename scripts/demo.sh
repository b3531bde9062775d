#!/usr/bin/env bash
# demo.sh — hunt the bundled sample telemetry with the bundled defaults.
# Usage: scripts/demo.sh [path/to/aptscope]
set -euo pipefail
here=$(cd "$(dirname "$0")/.." && pwd)
bin=${1:-$here/build/aptscope}
out=$here/demo
mkdir -p "$out"
rm -f "$out/aptscope.db" "$out/aptscope.db-wal" "$out/aptscope.db-shm"
echo "== aptscope hunt data/sample (alerts also in demo/alerts.jsonl, stored in demo/aptscope.db)"
"$bin" hunt --db "$out/aptscope.db" --no-progress "$here/data/sample"
"$bin" hunt --no-db --json --no-progress -o "$out/alerts.jsonl" "$here/data/sample" 2>/dev/null
