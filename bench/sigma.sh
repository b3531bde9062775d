#!/bin/sh
# sigma.sh — the SigmaHQ Windows rule set over real EVTX files, against
# evtxexport (libevtx-utils) merely dumping the same files, in the same run.
#
#   bench/sigma.sh [BUILD_DIR] [EVTX_DIR] [SIGMA_DIR]
#
# BUILD_DIR defaults to build, EVTX_DIR to ../shared/corpora/evtx-attack-samples
# and SIGMA_DIR to ../shared/corpora/sigma beside the checkout. The rules are
# rules/windows, rules-emerging-threats and rules-threat-hunting (their
# non-Windows rules see no EVTX event). Three figures:
#   aptscope hunt, one thread    reads every file, runs every Sigma rule (no
#                                IOC, YARA or behaviour content, no incidents,
#                                no store), writes the alerts as JSON lines
#   evtxexport -m all -f xml     renders every record as XML, one process per
#                                file (it takes one file)
#   bench_sigma --evtx           the Sigma detector alone over the same events
#                                read into memory first
# Rates are events per CPU second (user + sys), best of REPEAT runs (default
# 3): a busy shared machine disturbs CPU time far less than wall time.
set -eu
here=$(cd "$(dirname "$0")/.." && pwd)
build=${1:-$here/build}
dir=${2:-$here/../shared/corpora/evtx-attack-samples}
sigma=${3:-$here/../shared/corpora/sigma}
repeat=${REPEAT:-3}
command -v evtxexport >/dev/null || { echo "evtxexport not found (Debian: libevtx-utils)"; exit 1; }
[ -x /usr/bin/time ] || { echo "/usr/bin/time not found (Debian: time)"; exit 1; }
[ -x "$build/aptscope" ] || { echo "no aptscope binary in $build"; exit 1; }
[ -d "$dir" ] && [ -d "$sigma/rules/windows" ] || { echo "no corpus at $dir or $sigma"; exit 1; }
list=$(mktemp)
tf=$(mktemp)
cache=$(mktemp -d)
trap 'rm -rf "$list" "$tf" "$cache"' EXIT
# compiled rule databases are kept between runs (docs/sigma.md), here in a
# cache of this run's own: the run counting alerts compiles them, the timed
# runs read them back, as every run after a user's first does
export APTSCOPE_CACHE_DIR=$cache
find "$dir" -name '*.evtx' -print0 | sort -z >"$list"
rules="--rules $sigma/rules/windows --rules $sigma/rules-emerging-threats --rules $sigma/rules-threat-hunting"
export list

# best(): "cpu wall" of a shell command over $repeat runs
. "$here/bench/lib.sh"

hunt="xargs -0 $build/aptscope hunt --no-db --no-defaults --no-behavior --no-incidents --threads 1 $rules --json -o /dev/null <\"\$list\""
dump='xargs -0 -n1 evtxexport -m all -f xml <"$list"'

events=$(xargs -0 "$build/aptscope" events --format evtx <"$list" 2>/dev/null | wc -l)
exported=$(sh -c "$dump" 2>/dev/null | grep -c '^<Event ')
alerts=$(xargs -0 "$build/aptscope" hunt --no-db --no-defaults --no-behavior --no-incidents \
	--threads 1 $rules --json <"$list" 2>/dev/null | grep -c '"type":"alert"' || true)
echo "corpus: $(tr -cd '\0' <"$list" | wc -c) EVTX files; aptscope $events events, $alerts alerts; evtxexport $exported records"
r_hunt=$(best "$hunt")
r_dump=$(best "$dump")
printf '%-44s %8s %8s %14s\n' "" "cpu s" "wall s" "events/cpu-s"
line() {
	printf '%-44s %8.2f %8.2f %14.0f\n' "$1" "${2% *}" "${2#* }" "$(echo "$3 / ${2% *}" | bc -l)"
}
line "aptscope hunt, Windows Sigma rules (1 thread)" "$r_hunt" "$events"
line "evtxexport -m all -f xml (per file)" "$r_dump" "$exported"
printf 'events per cpu-s, aptscope hunt with all rules / evtxexport dumping: %.2f\n' \
	"$(echo "($events / ${r_hunt% *}) / ($exported / ${r_dump% *})" | bc -l)"
if [ -x "$build/bench/bench_sigma" ]; then
	"$build/bench/bench_sigma" --evtx "$dir" "$sigma/rules/windows" \
		"$sigma/rules-emerging-threats" "$sigma/rules-threat-hunting" 3 >"$tf"
	grep -E '^(rules|evtx)' "$tf"
	det=$(sed -n 's/.* = \([0-9]*\) events\/s on one core, Sigma detector alone/\1/p' "$tf")
	printf 'events per cpu-s, Sigma detector alone / evtxexport dumping: %.1f\n' \
		"$(echo "$det / ($exported / ${r_dump% *})" | bc -l)"
fi
