#!/bin/sh
# evtx.sh — EVTX reading speed: aptscope's evtx reader against evtxexport
# (libevtx-utils) on the same files, in the same run.
#
#   bench/evtx.sh [BUILD_DIR] [DIR]
#
# BUILD_DIR defaults to build (aptscope is BUILD_DIR/aptscope), DIR to
# ../shared/corpora/evtx-attack-samples beside the checkout. Every tool reads
# every record and recovered record:
#   aptscope events --format evtx FILE…   renders each record as XML through
#                                         libevtx, parses it, maps it, prints JSON
#   evtxexport -m all -f xml FILE         renders each record as XML, prints it
#   evtxexport -m all -f text FILE        libevtx's values without the XML
#                                         rendering: the floor for a libevtx reader
# evtxexport takes one file per process, so aptscope is also timed that way
# (same start-up cost); "one process" is how aptscope is used. Rates are per
# CPU second (user + sys of the tool and its children), which a busy shared
# machine disturbs far less than wall time; wall time is shown too. Each
# command runs REPEAT times (default 3) and the lowest CPU time is kept.
set -eu
here=$(cd "$(dirname "$0")/.." && pwd)
bin=${1:-$here/build}/aptscope
dir=${2:-$here/../shared/corpora/evtx-attack-samples}
repeat=${REPEAT:-3}
command -v evtxexport >/dev/null || { echo "evtxexport not found (Debian: libevtx-utils)"; exit 1; }
[ -x /usr/bin/time ] || { echo "/usr/bin/time not found (Debian: time)"; exit 1; }
[ -x "$bin" ] || { echo "no aptscope binary at $bin"; exit 1; }
[ -d "$dir" ] || { echo "no corpus at $dir"; exit 1; }
list=$(mktemp)
tf=$(mktemp)
trap 'rm -f "$list" "$tf"' EXIT
find "$dir" -name '*.evtx' -print0 | sort -z >"$list"
files=$(tr -cd '\0' <"$list" | wc -c)
bytes=$(xargs -0 cat <"$list" | wc -c)
export bin list

# best "cpu wall" of the shell command $1 over $repeat runs
best() {
	b=""
	i=0
	while [ $i -lt "$repeat" ]; do
		/usr/bin/time -f "%U %S %e" -o "$tf" sh -c "$1" >/dev/null 2>&1 || true
		set -- "$1" $(cat "$tf")
		cpu=$(echo "$2 + $3" | bc)
		if [ -z "$b" ] || [ "$(echo "$cpu < ${b% *}" | bc)" = 1 ]; then b="$cpu $4"; fi
		i=$((i + 1))
	done
	echo "$b"
}

apt_one='xargs -0 "$bin" events --format evtx <"$list"'
apt_each='xargs -0 -n1 "$bin" events --format evtx <"$list"'
exp_xml='xargs -0 -n1 evtxexport -m all -f xml <"$list"'
exp_txt='xargs -0 -n1 evtxexport -m all -f text <"$list"'

events=$(sh -c "$apt_one" 2>/dev/null | wc -l)
exported=$(sh -c "$exp_xml" 2>/dev/null | grep -c '^<Event ')

echo "corpus: $files files, $bytes bytes; aptscope $events events, evtxexport $exported XML events"
printf '%-44s %8s %8s %12s\n' "" "cpu s" "wall s" "records/cpu-s"
r_one=$(best "$apt_one")
r_each=$(best "$apt_each")
r_xml=$(best "$exp_xml")
r_txt=$(best "$exp_txt")
line() { printf '%-44s %8.2f %8.2f %12.0f\n' "$1" "${2% *}" "${2#* }" "$(echo "$3 / ${2% *}" | bc -l)"; }
line "aptscope events --format evtx (one process)" "$r_one" "$events"
line "aptscope events --format evtx (per file)" "$r_each" "$events"
line "evtxexport -m all -f xml (per file)" "$r_xml" "$exported"
line "evtxexport -m all -f text (per file)" "$r_txt" "$exported"
printf 'ratio aptscope/evtxexport-xml, records per cpu-s: %.2f (per file), %.2f (one process)\n' \
	"$(echo "($events / ${r_each% *}) / ($exported / ${r_xml% *})" | bc -l)" \
	"$(echo "($events / ${r_one% *}) / ($exported / ${r_xml% *})" | bc -l)"
