#!/bin/sh
# evtx.sh — EVTX reading speed: aptscope's evtx reader against evtxexport
# (libevtx-utils) on the same files, in the same run.
#
#   bench/evtx.sh [BUILD_DIR] [DIR]
#
# BUILD_DIR defaults to build (aptscope is BUILD_DIR/aptscope), DIR to
# ../shared/corpora/evtx-attack-samples beside the checkout. Each tool is
# started once per file, so start-up costs the same to both; both read every
# record and recovered record:
#   aptscope events --format evtx FILE…   (renders each record as XML through
#                                         libevtx, parses it, maps it, prints JSON)
#   evtxexport -m all -f xml FILE         (renders each record as XML and prints it)
#   evtxexport -m all -f text FILE        (libevtx's values without the XML
#                                         rendering: the floor of any libevtx reader)
# Each is run REPEAT times (default 3) and the best time is kept.
set -eu
here=$(cd "$(dirname "$0")/.." && pwd)
bin=${1:-$here/build}/aptscope
dir=${2:-$here/../shared/corpora/evtx-attack-samples}
repeat=${REPEAT:-3}
command -v evtxexport >/dev/null || { echo "evtxexport not found (Debian: libevtx-utils)"; exit 1; }
[ -x "$bin" ] || { echo "no aptscope binary at $bin"; exit 1; }
[ -d "$dir" ] || { echo "no corpus at $dir"; exit 1; }
list=$(mktemp)
trap 'rm -f "$list"' EXIT
find "$dir" -name '*.evtx' -print0 | sort -z >"$list"
files=$(tr -cd '\0' <"$list" | wc -c)
bytes=$(xargs -0 cat <"$list" | wc -c)

now() { date +%s.%N; }
best() { # best wall time of "$@" over $repeat runs
	b=""
	i=0
	while [ $i -lt "$repeat" ]; do
		t0=$(now)
		"$@" >/dev/null 2>&1 || true
		t=$(echo "$(now) - $t0" | bc)
		if [ -z "$b" ] || [ "$(echo "$t < $b" | bc)" = 1 ]; then b=$t; fi
		i=$((i + 1))
	done
	echo "$b"
}
run_aptscope() { xargs -0 -n1 "$bin" events --format evtx <"$list"; }
run_export_xml() { xargs -0 -n1 evtxexport -m all -f xml <"$list"; }
run_export_text() { xargs -0 -n1 evtxexport -m all -f text <"$list"; }

events=$(xargs -0 -n1 "$bin" events --format evtx <"$list" 2>/dev/null | wc -l)
exported=$(xargs -0 -n1 evtxexport -m all -f xml <"$list" 2>/dev/null | grep -c '^<Event ')

t_apt=$(best run_aptscope)
t_xml=$(best run_export_xml)
t_txt=$(best run_export_text)
rate() { echo "scale=0; $1 / $2" | bc; }
echo "corpus: $files files, $bytes bytes"
echo "records: aptscope $events events, evtxexport $exported XML events"
printf '%-34s %8.3f s %9s records/s\n' "aptscope events --format evtx" "$t_apt" "$(rate "$events" "$t_apt")"
printf '%-34s %8.3f s %9s records/s\n' "evtxexport -m all -f xml" "$t_xml" "$(rate "$exported" "$t_xml")"
printf '%-34s %8.3f s %9s records/s\n' "evtxexport -m all -f text" "$t_txt" "$(rate "$exported" "$t_txt")"
echo "ratio aptscope/evtxexport-xml (records/s): $(echo "scale=2; ($events / $t_apt) / ($exported / $t_xml)" | bc)"
