# lib.sh — shell helpers the peer-comparison scripts of bench/ share.
# Sourced, not run. Expects $repeat (runs per figure) and $tf (a scratch file).

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
