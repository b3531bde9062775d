#!/bin/sh
# evtx.sh — EVTX reading speed and Sigma over EVTX, against evtxexport
# (libevtx-utils) dumping the same files, in the same run.
#
#   bench/evtx.sh [BUILD_DIR] [DIR]
#
# BUILD_DIR defaults to build, DIR to ../shared/corpora/evtx-attack-samples
# beside the checkout. Two inputs: the files of DIR, and one large file made
# of DIR's densest real chunks (bench/evtx_synth.py; BIG_CHUNKS, default
# 2000, of those with at least 40 records), renumbered with fresh CRC32s.
# Every tool reads the allocated records once (evtxexport's default mode):
#   bench_evtx FILE…                     our reader alone, native fields on,
#                                        nothing printed (BUILD/bench)
#   APTSCOPE_EVTX=libevtx bench_evtx …   each record rendered as XML by
#                                        libevtx, parsed, mapped
#   evtxexport -f xml FILE               libevtx renders each record as XML
#                                        and prints it (one process a file)
#   aptscope hunt --no-db --json --rules SIGMA/rules/windows FILE…
#                                        read + the whole SigmaHQ Windows rule
#                                        set, behaviour detectors off; also
#                                        less a run over a file with no event
#                                        (rule load and compile, start-up:
#                                        once compiling the rules' databases,
#                                        then reading them back from the cache)
# A third input, five times the large file (LARGE_CHUNKS; 0 leaves it out),
# is hunted end to end, start-up included, with its peak memory.
# Rates are per CPU second (user + sys, children included; the reader's own
# thread CPU time for bench_evtx), which a busy shared machine disturbs far
# less than wall time. Each command runs REPEAT times (default 3), the lowest
# CPU time kept. hunt also reads 4 files with --threads 1 and 2: CPU / wall
# near 2 shows both cores at work. CALLGRIND=1 also counts instructions per
# record with valgrind (the repeatable figure), on the corpus and on a
# 200-chunk synthetic file.
set -eu
here=$(cd "$(dirname "$0")/.." && pwd)
build=${1:-$here/build}
bin=$build/aptscope
bench=$build/bench/bench_evtx
dir=${2:-$here/../shared/corpora/evtx-attack-samples}
rules=${RULES:-$here/../shared/corpora/sigma/rules/windows}
repeat=${REPEAT:-3}
chunks=${BIG_CHUNKS:-2000}
command -v evtxexport >/dev/null || { echo "evtxexport not found (Debian: libevtx-utils)"; exit 1; }
command -v python3 >/dev/null || { echo "python3 not found"; exit 1; }
[ -x /usr/bin/time ] || { echo "/usr/bin/time not found (Debian: time)"; exit 1; }
[ -x "$bin" ] && [ -x "$bench" ] || { echo "no aptscope or bench/bench_evtx in $build"; exit 1; }
[ -d "$dir" ] || { echo "no corpus at $dir"; exit 1; }
[ -d "$rules" ] || { echo "no Sigma rules at $rules"; exit 1; }
tmp=$(mktemp -d)
trap 'rm -rf "$tmp"' EXIT
tf=$tmp/time
find "$dir" -name '*.evtx' -print0 | sort -z >"$tmp/corpuslist"
python3 "$here/bench/evtx_synth.py" "$dir" "$tmp/big.evtx" "$chunks" 40 >"$tmp/synth.txt"
python3 "$here/bench/evtx_synth.py" "$dir" "$tmp/mid.evtx" 200 40 >/dev/null
python3 "$here/bench/evtx_synth.py" "$dir" "$tmp/part.evtx" $((chunks / 4)) 40 >/dev/null
head -c 4096 "$tmp/big.evtx" >"$tmp/empty.evtx" # a header and no chunk
for k in 1 2 3 4; do
	cp "$tmp/part.evtx" "$tmp/part$k.evtx"
	printf '%s\0' "$tmp/part$k.evtx"
done >"$tmp/partlist"
for f in big mid empty; do printf '%s\0' "$tmp/$f.evtx" >"$tmp/${f}list"; done
export bin bench rules

# best(): "cpu wall" of a shell command over $repeat runs
. "$here/bench/lib.sh"

# best thread CPU seconds of bench_evtx over the files of list $1, mode $2
reader() {
	APTSCOPE_EVTX=$2 xargs -0 "$bench" -r "$repeat" <"$1" | sed 's/.* cpu_s \([0-9.]*\) .*/\1/'
}

events_of() { xargs -0 "$bench" -r 1 <"$1" | sed 's/.* events \([0-9]*\) .*/\1/'; }

rate() { echo "$1 / $2" | bc -l; }

hunt1='xargs -0 "$bin" hunt --no-db --json --no-behavior --threads 1 --rules "$rules" <"$l"'
hunt2='xargs -0 "$bin" hunt --no-db --json --no-behavior --threads 2 --rules "$rules" <"$l"'

# compiled rule databases are kept between runs (docs/sigma.md): the first
# run compiles them into a cache of this run's own, the others read it back
export APTSCOPE_CACHE_DIR=$tmp/rule-cache
export l=$tmp/emptylist
repeat_all=$repeat
repeat=1
hc=$(best "$hunt1")
repeat=$repeat_all
h0=$(best "$hunt1")
echo "hunt over a file with no event (start-up): ${hc% *} s cpu compiling the rules, ${h0% *} s cpu with them cached"
for input in corpus big; do
	l=$tmp/${input}list
	events=$(events_of "$l")
	exported=$(xargs -0 -n1 evtxexport -f xml <"$l" 2>/dev/null | grep -c '^<Event ')
	n_cpu=$(reader "$l" native)
	l_cpu=$(reader "$l" libevtx)
	x=$(best 'xargs -0 -n1 evtxexport -f xml <"$l"')
	h=$(best "$hunt1")
	hp=$(echo "${h% *} - ${h0% *}" | bc -l)
	if [ $input = corpus ]; then
		echo "corpus: $(tr -cd '\0' <"$l" | wc -c) files, $(xargs -0 cat <"$l" | wc -c) bytes"
	else
		sed "s|$tmp/||" "$tmp/synth.txt"
	fi
	echo "  events: aptscope $events, evtxexport $exported"
	printf '  %-50s %8s %8s %14s\n' "" "cpu s" "wall s" "events/cpu-s"
	printf '  %-50s %8.3f %8s %14.0f\n' "reader alone, native (bench_evtx)" "$n_cpu" "-" \
		"$(rate "$events" "$n_cpu")"
	printf '  %-50s %8.3f %8s %14.0f\n' "reader alone, APTSCOPE_EVTX=libevtx" "$l_cpu" "-" \
		"$(rate "$events" "$l_cpu")"
	printf '  %-50s %8.3f %8.2f %14.0f\n' "evtxexport -f xml" "${x% *}" "${x#* }" \
		"$(rate "$exported" "${x% *}")"
	printf '  %-50s %8.3f %8.2f %14.0f\n' "hunt, SigmaHQ windows rules, 1 thread" \
		"${h% *}" "${h#* }" "$(rate "$events" "${h% *}")"
	printf '  %-50s %8.3f %8s %14.0f\n' "hunt less the run with no event" "$hp" "-" \
		"$(rate "$events" "$hp")"
	printf '  ratios (events per cpu-s): reader native / evtxexport %.1f, native / libevtx path %.1f, hunt / evtxexport %.2f (less start-up %.2f)\n' \
		"$(echo "($events / $n_cpu) / ($exported / ${x% *})" | bc -l)" \
		"$(echo "$l_cpu / $n_cpu" | bc -l)" \
		"$(echo "($events / ${h% *}) / ($exported / ${x% *})" | bc -l)" \
		"$(echo "($events / $hp) / ($exported / ${x% *})" | bc -l)"
done

# end to end over a file five times the large one (LARGE_CHUNKS): the whole
# run, start-up included, and its peak memory, which must not grow with the
# input (evtxexport is not run on it: its rate is the one above)
large=${LARGE_CHUNKS:-$((chunks * 5))}
if [ "$large" -gt 0 ]; then
	python3 "$here/bench/evtx_synth.py" "$dir" "$tmp/large.evtx" "$large" 40 >"$tmp/synth-large.txt"
	printf '%s\0' "$tmp/large.evtx" >"$tmp/largelist"
	l=$tmp/largelist
	events=$(events_of "$l")
	h=$(best "$hunt1")
	/usr/bin/time -f "%M" -o "$tf" sh -c "$hunt1" >/dev/null 2>&1 || true
	sed "s|$tmp/||" "$tmp/synth-large.txt"
	printf '  hunt, SigmaHQ windows rules, 1 thread, start-up included: %.3f s cpu %.2f s wall, %.0f events/cpu-s, peak memory %.0f MB\n' \
		"${h% *}" "${h#* }" "$(rate "$events" "${h% *}")" "$(echo "$(cat "$tf") / 1024" | bc -l)"
	rm -f "$tmp/large.evtx"
fi

# two threads over several files (4 copies of a quarter of the large file)
l=$tmp/partlist
h1=$(best "$hunt1")
h2=$(best "$hunt2")
printf 'hunt over 4 files of %s events: 1 thread %.2f s cpu %.2f s wall; 2 threads %.2f s cpu %.2f s wall (cpu/wall %.2f, wall 1 thread / 2 threads %.2f)\n' \
	"$(events_of "$tmp/partlist")" "${h1% *}" "${h1#* }" "${h2% *}" "${h2#* }" \
	"$(echo "${h2% *} / ${h2#* }" | bc -l)" "$(echo "${h1#* } / ${h2#* }" | bc -l)"
# CPU seconds of each thread of the 2-thread run (sampled from /proc): the
# workers' shares show both cores at work whatever else loads the machine
xargs -0 "$bin" hunt --no-db --json --no-behavior --threads 2 --rules "$rules" <"$l" \
	>/dev/null 2>&1 &
pid=$!
sleep 0.1
while kill -0 $pid 2>/dev/null; do
	for c in $(pgrep -P $pid) $pid; do
		cat /proc/$c/task/*/stat 2>/dev/null | awk '{ print $1, $14 + $15 }'
	done
	sleep 0.2
done >"$tmp/threads"
wait $pid || true
awk -v hz="$(getconf CLK_TCK)" '{ if ($2 > m[$1]) m[$1] = $2 } END { for (t in m) printf "%.2f\n", m[t] / hz }' \
	"$tmp/threads" | sort -rn | tr '\n' ' ' | sed 's/^/  CPU seconds per thread, 2 threads: /; s/$/\n/'
a1=$(sh -c "$hunt1" 2>/dev/null | wc -l)
a2=$(sh -c "$hunt2" 2>/dev/null | wc -l)
echo "  alerts: 1 thread $a1, 2 threads $a2"

# instructions per record, with valgrind (slow)
cg() { # command → instructions of the whole process tree
	valgrind --trace-children=yes --tool=callgrind --callgrind-out-file="$tmp/cg.%p" \
		sh -c "$1" >/dev/null 2>"$tmp/cgerr" || true
	grep -h Collected "$tmp/cgerr" | awk '{ s += $4 } END { printf "%.0f", s }'
	rm -f "$tmp"/cg.*
}
if [ "${CALLGRIND:-0}" = 1 ] && command -v valgrind >/dev/null; then
	for input in corpus mid; do
		l=$tmp/${input}list
		events=$(events_of "$l")
		n_i=$(cg 'APTSCOPE_EVTX=native xargs -0 "$bench" -r 1 <"$l"')
		l_i=$(cg 'APTSCOPE_EVTX=libevtx xargs -0 "$bench" -r 1 <"$l"')
		x_i=$(cg 'xargs -0 -n1 evtxexport -f xml <"$l"')
		printf 'instructions per record (%s, %d records): reader native %.0f, libevtx path %.0f, evtxexport -f xml %.0f; evtxexport / native %.1f\n' \
			"$input" "$events" "$(echo "$n_i / $events" | bc -l)" \
			"$(echo "$l_i / $events" | bc -l)" "$(echo "$x_i / $events" | bc -l)" \
			"$(echo "$x_i / $n_i" | bc -l)"
	done
fi
