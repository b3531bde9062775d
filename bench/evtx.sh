#!/bin/sh
# evtx.sh — EVTX reading speed: aptscope's own BinXML parser against its
# libevtx path and against evtxexport (libevtx-utils), same files, same run.
#
#   bench/evtx.sh [BUILD_DIR] [DIR]
#
# BUILD_DIR defaults to build (aptscope is BUILD_DIR/aptscope), DIR to
# ../shared/corpora/evtx-attack-samples beside the checkout. Every tool reads
# every record and recovered record:
#   aptscope events --format evtx FILE…   the native path (default): our BinXML
#                                         parser for allocated records, libevtx
#                                         for recovered ones; prints JSON
#   APTSCOPE_EVTX=libevtx aptscope …      renders each record as XML through
#                                         libevtx, parses it, maps it, prints JSON
#   evtxexport -m all -f xml FILE         renders each record as XML, prints it
#   evtxexport -m all -f text FILE        libevtx's values without the XML
#                                         rendering: the floor for a libevtx reader
# evtxexport takes one file per process, so aptscope is also timed that way
# (same start-up cost); "one process" is how aptscope is used. Rates are per
# CPU second (user + sys of the tool and its children), which a busy shared
# machine disturbs far less than wall time; wall time is shown too. Each
# command runs REPEAT times (default 3) and the lowest CPU time is kept.
# With perf available, user-space instructions per record are printed too
# (the steadiest figure on a loaded machine). CALLGRIND=1 also counts, with
# valgrind, the instructions of the reader alone per allocated record (no
# start-up, no JSON, no recovered records): our parser (evtx_binxml_record,
# chunk and record headers, CRC32, mapping) against libevtx's record
# look-up and XML rendering plus winevent.c's XML parse and mapping.
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

# user-space instructions of the shell command $1 (children included), or 0
insns() {
	command -v perf >/dev/null || { echo 0; return; }
	perf stat -x, -e instructions:u -o "$tf" sh -c "$1" >/dev/null 2>&1 || { echo 0; return; }
	awk -F, '/instructions/ { print $1 + 0; exit }' "$tf"
}

nat_one='APTSCOPE_EVTX=native xargs -0 "$bin" events --format evtx <"$list"'
nat_each='APTSCOPE_EVTX=native xargs -0 -n1 "$bin" events --format evtx <"$list"'
lib_one='APTSCOPE_EVTX=libevtx xargs -0 "$bin" events --format evtx <"$list"'
lib_each='APTSCOPE_EVTX=libevtx xargs -0 -n1 "$bin" events --format evtx <"$list"'
exp_xml='xargs -0 -n1 evtxexport -m all -f xml <"$list"'
exp_txt='xargs -0 -n1 evtxexport -m all -f text <"$list"'

events=$(sh -c "$nat_one" 2>/dev/null | wc -l)
lib_events=$(sh -c "$lib_one" 2>/dev/null | wc -l)
exported=$(sh -c "$exp_xml" 2>/dev/null | grep -c '^<Event ')
# which path read what (the reader's debug counters)
paths=$(APTSCOPE_EVTX_DEBUG=1 sh -c "$nat_one" 2>&1 >/dev/null | grep 'evtx debug' |
	sed 's/.*: native \([0-9]*\), libevtx for rejected records \([0-9]*\) .*libevtx for the file \([0-9]*\), recovered \([0-9]*\)$/\1 \2 \3 \4/' |
	awk '{ n += $1; f += $2; w += $3; r += $4 }
	     END { printf "native %d, libevtx after a refusal %d, libevtx whole file %d, recovered %d", n, f, w, r }')

echo "corpus: $files files, $bytes bytes; aptscope $events events (libevtx path $lib_events), evtxexport $exported XML events"
echo "records by path: $paths"
printf '%-48s %8s %8s %12s %10s\n' "" "cpu s" "wall s" "records/cpu-s" "insn/rec"
r_nat1=$(best "$nat_one")
r_nate=$(best "$nat_each")
r_lib1=$(best "$lib_one")
r_libe=$(best "$lib_each")
r_xml=$(best "$exp_xml")
r_txt=$(best "$exp_txt")
i_nat1=$(insns "$nat_one")
i_lib1=$(insns "$lib_one")
i_xml=$(insns "$exp_xml")
line() {
	printf '%-48s %8.2f %8.2f %12.0f %10.0f\n' "$1" "${2% *}" "${2#* }" \
		"$(echo "$3 / ${2% *}" | bc -l)" "$(echo "${4:-0} / $3" | bc -l)"
}
line "aptscope native (one process)" "$r_nat1" "$events" "$i_nat1"
line "aptscope native (per file)" "$r_nate" "$events"
line "aptscope APTSCOPE_EVTX=libevtx (one process)" "$r_lib1" "$lib_events" "$i_lib1"
line "aptscope APTSCOPE_EVTX=libevtx (per file)" "$r_libe" "$lib_events"
line "evtxexport -m all -f xml (per file)" "$r_xml" "$exported" "$i_xml"
line "evtxexport -m all -f text (per file)" "$r_txt" "$exported"
ratio() { echo "($1 / ${2% *}) / ($3 / ${4% *})" | bc -l; }
printf 'records per cpu-s, native / libevtx path: %.2f (one process), %.2f (per file)\n' \
	"$(ratio "$events" "$r_nat1" "$lib_events" "$r_lib1")" \
	"$(ratio "$events" "$r_nate" "$lib_events" "$r_libe")"
printf 'records per cpu-s, native / evtxexport-xml: %.2f (per file), %.2f (one process)\n' \
	"$(ratio "$events" "$r_nate" "$exported" "$r_xml")" \
	"$(ratio "$events" "$r_nat1" "$exported" "$r_xml")"
if [ "$i_nat1" != 0 ] && [ "$i_lib1" != 0 ]; then
	printf 'instructions per record, libevtx path / native: %.2f\n' \
		"$(echo "($i_lib1 / $lib_events) / ($i_nat1 / $events)" | bc -l)"
fi

# reader-only instructions per allocated record, with valgrind (slow)
cg() { # mode, toggles… → instructions collected
	m=$1
	shift
	o=$(mktemp -d)
	t=""
	for f in "$@"; do t="$t --toggle-collect=$f"; done
	APTSCOPE_EVTX=$m valgrind --trace-children=yes --tool=callgrind \
		--callgrind-out-file="$o/cg.%p" $t sh -c 'xargs -0 "$bin" events --format evtx <"$list"' \
		>/dev/null 2>"$o/err" || true
	grep -h Collected "$o/err" | awk '{ s += $4 } END { printf "%.0f", s }'
	rm -rf "$o"
}
if [ "${CALLGRIND:-0}" = 1 ] && command -v valgrind >/dev/null; then
	alloc=$(echo "$paths" | sed 's/^native \([0-9]*\), libevtx after a refusal \([0-9]*\),.*/\1 + \2/' | bc)
	n_i=$(cg native evtx_binxml_record winevent_finish evtx_record_open evtx_chunk_open evtx_chunk_check)
	rec_i=$(cg native evtx_record) # recovered records, the same on both paths
	l_i=$(cg libevtx libevtx_file_get_record_by_index evtx_record libevtx_record_free)
	printf 'reader instructions per allocated record: native %.0f, libevtx path %.0f; ratio %.1f\n' \
		"$(echo "$n_i / $alloc" | bc -l)" "$(echo "($l_i - $rec_i) / $alloc" | bc -l)" \
		"$(echo "($l_i - $rec_i) / $n_i" | bc -l)"
fi
