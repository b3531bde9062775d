#!/bin/sh
# ioc.sh — aptscope hunt --ioc vs grep -F -f on the same generated Suricata EVE
# log, for feeds of 10k, 100k and 1M indicators; prints times, their ratio and
# peak memory (/usr/bin/time -v).
#   bench/ioc.sh BUILD_DIR [EVE_LINES]     (default 1000000 lines, about 0.5 GB)
set -eu
B=${1:?usage: bench/ioc.sh BUILD_DIR [EVE_LINES]}
LINES=${2:-1000000}
T=$(mktemp -d)
trap 'rm -rf "$T"' EXIT
"$B/bench/bench_ioc" eve 1000000 "$LINES" "$T/eve.json"
echo "EVE: $LINES lines, $(du -m "$T/eve.json" | cut -f1) MB"
peak() { sed -n 's/.*Maximum resident set size (kbytes): //p' "$1"; }
secs() { sed -n 's/.*Elapsed (wall clock) time (h:mm:ss or m:ss): //p' "$1" |
	awk -F: '{ s = 0; for (i = 1; i <= NF; i++) s = s * 60 + $i; print s }'; }
printf '%-10s %10s %10s %8s %12s %12s\n' indicators aptscope_s grep_s ratio aptscope_MB grep_MB
for n in 10000 100000 1000000; do
	"$B/bench/bench_ioc" feed "$n" "$T/feed.txt"
	/usr/bin/time -v "$B/aptscope" hunt --no-db --no-defaults --no-behavior --no-incidents --ioc "$T/feed.txt" --json -o /dev/null \
		"$T/eve.json" 2>"$T/a.time" >/dev/null || true
	/usr/bin/time -v grep -F -c -f "$T/feed.txt.values" "$T/eve.json" 2>"$T/g.time" >/dev/null || true
	a=$(secs "$T/a.time"); g=$(secs "$T/g.time")
	printf '%-10s %10.2f %10.2f %8.2f %12.1f %12.1f\n' "$n" "$a" "$g" \
		"$(echo "$g $a" | awk '{ print ($2 > 0 ? $1 / $2 : 0) }')" \
		"$(echo "$(peak "$T/a.time")" | awk '{ print $1 / 1024 }')" \
		"$(echo "$(peak "$T/g.time")" | awk '{ print $1 / 1024 }')"
done
echo "ratio = grep time / aptscope time (above 1: aptscope faster)"
