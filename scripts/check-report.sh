#!/bin/sh
# check-report.sh — open an HTML report in headless Chromium and check that it
# renders: the DOM Chromium builds holds the report's heading, the page logs no
# error to the console, and a screenshot of it holds more than a screenshot of
# a blank page of the same size does (PNG compresses a blank page to almost
# nothing, so a much larger file means something was drawn).
#
# usage: scripts/check-report.sh REPORT.html [SCREENSHOT.png]
# Exit status: 0 ok, 1 a check failed, 2 usage, 77 chromium is not installed.
set -u
[ $# -ge 1 ] || { echo "usage: $0 REPORT.html [SCREENSHOT.png]" >&2; exit 2; }
report=$1
browser=
for b in chromium chromium-browser google-chrome; do
	if command -v "$b" >/dev/null 2>&1; then browser=$b; break; fi
done
[ -n "$browser" ] || { echo "check-report: chromium not found" >&2; exit 77; }
[ -f "$report" ] || { echo "check-report: $report: no such file" >&2; exit 1; }

work=$(mktemp -d)
trap 'rm -rf "$work"' EXIT
shot=${2:-$work/report.png}
abs=$(cd "$(dirname "$report")" && pwd)/$(basename "$report")

run() { # run URL ARGS… — Chromium with the flags of a quiet, offline run
	url=$1
	shift
	timeout 180 "$browser" --headless --no-sandbox --disable-gpu \
		--disable-background-networking --disable-component-update --disable-sync \
		--no-first-run --user-data-dir="$(mktemp -d -p "$work")" \
		--window-size=1280,2000 "$@" "$url"
}

run "file://$abs" --dump-dom --enable-logging=stderr --v=0 >"$work/dom.html" 2>"$work/log.txt"
if ! grep -q "<h1>Threat landscape</h1>" "$work/dom.html"; then
	echo "check-report: the DOM has no report heading" >&2
	tail -20 "$work/log.txt" >&2
	exit 1
fi
if grep -E "CONSOLE.*(Error|error)|Uncaught|Failed to load" "$work/log.txt" >&2; then
	echo "check-report: the page logged errors" >&2
	exit 1
fi
run "file://$abs" --screenshot="$shot" >/dev/null 2>&1
printf '<!DOCTYPE html><html><body></body></html>' >"$work/blank.html"
run "file://$work/blank.html" --screenshot="$work/blank.png" >/dev/null 2>&1
[ -s "$shot" ] || { echo "check-report: no screenshot" >&2; exit 1; }
size=$(wc -c <"$shot")
blank=$(wc -c <"$work/blank.png" 2>/dev/null || echo 0)
if [ "$size" -le $((blank * 4)) ]; then
	echo "check-report: screenshot of $size bytes, a blank page gives $blank" >&2
	exit 1
fi
echo "check-report: ok ($size-byte screenshot, blank page $blank bytes)"
