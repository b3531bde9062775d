#!/bin/sh
# build-intel-data.sh — regenerate the bundled threat-intel catalogue,
# data/intel/kb.jsonl.gz, from the public corpora, with aptscope itself:
# every ATT&CK STIX bundle and every MISP galaxy are imported (in the kb's
# order of precedence, whatever order they are listed in) and exported as
# JSON lines, then gzipped without a name or time stamp so that the same
# corpora always give the same bytes.
#
# usage: scripts/build-intel-data.sh [CORPORA]     (default: ../shared/corpora
#        beside the project). APTSCOPE=path/to/aptscope picks the binary; by
#        default build/aptscope is built if it is not there.
set -eu

root=$(cd "$(dirname "$0")/.." && pwd)
corpora=${1:-$root/../shared/corpora}
out=$root/data/intel/kb.jsonl.gz

if [ ! -d "$corpora/attack" ] || [ ! -d "$corpora/misp-galaxy/clusters" ]; then
	echo "build-intel-data: no attack/ or misp-galaxy/clusters/ under $corpora" >&2
	exit 1
fi

aptscope=${APTSCOPE:-$root/build/aptscope}
if [ ! -x "$aptscope" ]; then
	cmake -S "$root" -B "$root/build" >/dev/null
	cmake --build "$root/build" -j2 --target aptscope >/dev/null
	aptscope=$root/build/aptscope
fi

set --
for f in "$corpora"/attack/*-attack.json "$corpora"/misp-galaxy/clusters/*.json; do
	[ -f "$f" ] && set -- "$@" --kb "$f"
done
# Publication and KEV dates of the CVEs APT groups are known to exploit
# (kept in the project: data/intel/cve-dates.json).
set -- "$@" --kb "$root/data/intel/cve-dates.json"

tmp=$(mktemp)
trap 'rm -f "$tmp"' EXIT
# The importers report what they skip (revoked and deprecated ATT&CK objects,
# unmapped sector names) on stderr; keep it for the record, quietly.
"$aptscope" intel "$@" export -o "$tmp" 2>"$root/data/intel/import.log" || {
	echo "build-intel-data: import failed, see data/intel/import.log" >&2
	exit 1
}
# no absolute paths in the committed log
sed -i -e "s|$corpora/||g" -e "s|$root/||g" "$root/data/intel/import.log"
gzip -n -9 -c "$tmp" >"$out"
echo "build-intel-data: wrote $out ($(wc -c <"$out") bytes)"
