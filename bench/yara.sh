#!/bin/sh
# bench/yara.sh — `aptscope scan --yara` against the `yara` command on the same
# rules and files, single-threaded and with two threads; prints the ratios.
#
#   bench/yara.sh [BUILD_DIR] [MB]
#
# Generates MB megabytes (default 256) of pseudo-random files with a few
# planted markers and a set of rules in the signature-base style under a
# temporary folder, warms the page cache, then times each tool (best of 3).
set -eu
BUILD=${1:-build}
MB=${2:-256}
APT="$BUILD/aptscope"
command -v yara >/dev/null || { echo "yara command not found"; exit 1; }
[ -x "$APT" ] || { echo "$APT not built"; exit 1; }
W=$(mktemp -d)
trap 'rm -rf "$W"' EXIT
mkdir -p "$W/files"
i=0
while [ $i -lt "$MB" ]; do
	head -c 1048576 /dev/urandom > "$W/files/f$i.bin"
	[ $((i % 16)) -eq 0 ] && printf 'MZ LZ_DROPPER_STAGE1 cmd.exe /c whoami' >> "$W/files/f$i.bin"
	i=$((i + 1))
done
{
	n=0
	while [ $n -lt 100 ]; do
		cat <<RULE
rule APT_Bench_$n {
	meta:
		description = "bench rule $n"
		score = 70
	strings:
		\$a = "marker_$n-$((n * 7919))" ascii wide
		\$b = { 4D 5A ?? 4C 5A 5F 44 $(printf '%02X' $((n % 256))) }
		\$c = /evil[0-9]{2}\.example\.$n/
	condition:
		any of them and filesize < 10MB
}
RULE
		n=$((n + 1))
	done
	cat <<'RULE'
rule APT_Bench_Hit {
	strings:
		$a = "LZ_DROPPER_STAGE1"
	condition:
		$a
}
RULE
} > "$W/rules.yar"
cat "$W"/files/* > /dev/null
best() { # best wall time of three runs of "$@", in seconds
	b=
	for _ in 1 2 3; do
		s=$(date +%s.%N)
		"$@" > /dev/null 2>&1
		e=$(date +%s.%N)
		t=$(echo "$e - $s" | bc -l)
		if [ -z "$b" ] || [ "$(echo "$t < $b" | bc -l)" = 1 ]; then b=$t; fi
	done
	echo "$b"
}
for t in 1 2; do
	y=$(best yara -p "$t" -r "$W/rules.yar" "$W/files")
	a=$(best "$APT" scan --no-kb --threads "$t" --yara "$W/rules.yar" --json "$W/files")
	printf 'threads=%d  files=%d MiB  yara %.3fs (%.0f MB/s)  aptscope %.3fs (%.0f MB/s)  ratio aptscope/yara time %.3f\n' \
		"$t" "$MB" "$y" "$(echo "$MB / $y" | bc -l)" "$a" "$(echo "$MB / $a" | bc -l)" \
		"$(echo "$a / $y" | bc -l)"
done
