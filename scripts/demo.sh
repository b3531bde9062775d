#!/usr/bin/env bash
# demo.sh — the main job on bundled data: simulate a year of APT activity
# against a dozen organisations, hunt it with the bundled defaults, and write
# the threat-landscape report. Everything lands in demo/.
# Usage: scripts/demo.sh [path/to/aptscope]
set -euo pipefail
here=$(cd "$(dirname "$0")/.." && pwd)
bin=${1:-$here/build/aptscope}
out=$here/demo
rm -rf "$out"
mkdir -p "$out"

# A year that spans the disclosure of Log4Shell, ProxyShell and the Confluence
# OGNL flaw, so the report shows 0-day, 1-day and n-day exploitation.
echo "== aptscope simulate: a year of telemetry of 12 organisations (demo/sim)"
"$bin" simulate --seed 2024 --from 2021-07-01 --to 2022-06-30 -o "$out/sim"

echo
echo "== aptscope hunt: bundled Sigma rules, indicators, behavioural detectors, knowledge base"
"$bin" hunt --db "$out/aptscope.db" --no-progress \
	--assets "$out/sim/assets.csv" \
	--ioc "$here/data/ioc/signature-base-c2-iocs.txt" --ioc "$out/sim/intel/indicators.csv" \
	"$out"/sim/org-* >"$out/hunt.txt"
grep -c '^INCIDENT' "$out/hunt.txt" | sed 's/^/incidents: /'
sed -n '1,6p' "$out/hunt.txt"
echo "(all incidents in demo/hunt.txt; 'aptscope incidents --db demo/aptscope.db' lists them)"

echo
echo "== aptscope report"
for f in html md json stix; do
	"$bin" report --db "$out/aptscope.db" --format "$f" -o "$out/report.$f"
done
if command -v chromium >/dev/null 2>&1; then
	chromium --headless --no-sandbox --disable-gpu --disable-background-networking \
		--disable-component-update --disable-sync --no-first-run \
		--user-data-dir="$(mktemp -d)" --window-size=1280,2400 \
		--screenshot="$out/report.png" "file://$out/report.html" >/dev/null 2>&1 || true
fi
echo
echo "The report: demo/report.html (also .md, .json, .stix$( [ -f "$out/report.png" ] && echo ', and a screenshot demo/report.png'))"
