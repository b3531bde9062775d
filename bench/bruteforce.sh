#!/usr/bin/env bash
# bruteforce.sh — auth-log brute-force detection throughput: aptscope's
# syslog reader + behavior detector vs. fail2ban-regex with fail2ban's own
# sshd filter, on the same generated sshd log, timed in the same run.
#
#   bench/bruteforce.sh [LINES] [BUILD_DIR]
#
# The log (LINES lines, default 300000) mixes what a public SSH server sees:
# password guessing from 80 sources, invalid users, PAM failure lines,
# pre-auth disconnects, and normal key log-ins from the office. Target
# (DESIGN.md): aptscope >= 50 x fail2ban-regex.
set -euo pipefail

lines=${1:-300000}
build=${2:-build}
here=$(cd "$(dirname "$0")/.." && pwd)
bench="$here/$build/bench/bench_beacon"
filter=/etc/fail2ban/filter.d/sshd.conf
[ -x "$bench" ] || { echo "bruteforce.sh: build $bench first" >&2; exit 1; }
command -v fail2ban-regex >/dev/null || { echo "bruteforce.sh: fail2ban-regex missing" >&2; exit 1; }

tmp=$(mktemp -d)
trap 'rm -rf "$tmp"' EXIT
log="$tmp/auth.log"
awk -v n="$lines" 'BEGIN {
	srand(7);
	split("root admin test oracle postgres ubuntu git user ftp guest pi deploy", users, " ");
	t = 0;
	for (i = 0; i < n; i++) {
		t += rand() * 0.5;
		s = int(t); h = int(s / 3600) % 24; m = int(s / 60) % 60; sec = s % 60;
		ts = sprintf("Mar %2d %02d:%02d:%02d", 1 + int(s / 86400) % 28, h, m, sec);
		a = int(rand() * 80);
		ip = sprintf("%d.%d.%d.%d", 45 + a % 150, (a * 7) % 250, (a * 13) % 250, a % 250 + 1);
		u = users[1 + int(rand() * 12)];
		pid = 1000 + int(rand() * 60000);
		port = 1024 + int(rand() * 60000);
		r = rand();
		if (r < 0.45)
			printf "%s vpn sshd[%d]: Failed password for %s from %s port %d ssh2\n", ts, pid, u, ip, port;
		else if (r < 0.60)
			printf "%s vpn sshd[%d]: Failed password for invalid user %s from %s port %d ssh2\n", ts, pid, u, ip, port;
		else if (r < 0.70)
			printf "%s vpn sshd[%d]: Invalid user %s from %s port %d\n", ts, pid, u, ip, port;
		else if (r < 0.80)
			printf "%s vpn sshd[%d]: pam_unix(sshd:auth): authentication failure; logname= uid=0 euid=0 tty=ssh ruser= rhost=%s  user=%s\n", ts, pid, ip, u;
		else if (r < 0.90)
			printf "%s vpn sshd[%d]: Connection closed by authenticating user %s %s port %d [preauth]\n", ts, pid, u, ip, port;
		else if (r < 0.97)
			printf "%s vpn sshd[%d]: Disconnected from invalid user %s %s port %d [preauth]\n", ts, pid, u, ip, port;
		else
			printf "%s vpn sshd[%d]: Accepted publickey for deploy from 10.20.1.%d port %d ssh2: ED25519 SHA256:abc\n", ts, pid, 1 + int(rand() * 50), port;
	}
}' > "$log"
size=$(wc -c < "$log")
echo "log: $lines lines, $size bytes"

t0=$(date +%s.%N)
fail2ban-regex "$log" "$filter" > "$tmp/f2b.out" 2>&1 || true
t1=$(date +%s.%N)
"$bench" --files "$log" > "$tmp/aps.out"
t2=$(date +%s.%N)

f2b=$(echo "$t1 - $t0" | bc -l)
aps=$(echo "$t2 - $t1" | bc -l)
echo "fail2ban-regex (sshd filter): $(printf %.3f "$f2b") s; $(grep -E '^Lines:' "$tmp/f2b.out" || true)"
echo "aptscope (syslog reader + behavior detector): $(printf %.3f "$aps") s"
sed 's/^/  /' "$tmp/aps.out"
echo "ratio: $(printf %.1f "$(echo "$f2b / $aps" | bc -l)") x  (lines/s: fail2ban $(printf %.0f "$(echo "$lines / $f2b" | bc -l)"), aptscope $(printf %.0f "$(echo "$lines / $aps" | bc -l)"))"
