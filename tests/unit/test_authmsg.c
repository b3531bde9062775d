/*
 * test_authmsg.c — daemon messages to auth events (src/read/authmsg.c).
 *
 * One table row per message shape: program, message and the expected
 * result as "key=value" pairs joined by '|': outcome (success, failure,
 * unknown), user, invalid (0/1), method, ip, port, service, note (1 when the
 * line must not count as an attempt), attempts. A NULL expectation means
 * "not an auth message". Keys not named are not checked, except that a
 * counting row (no note=1) is checked to have no note and vice versa.
 *
 * The message shapes follow the daemons' own log formats (OpenSSH auth.c,
 * Linux-PAM pam_unix, sudo, util-linux su, shadow login, vsftpd, ProFTPD,
 * Pure-FTPd, Dovecot, Postfix, Exim, Courier, Cyrus) and the variants
 * collected in fail2ban's filter test logs (GPL-2.0); the addresses are
 * documentation ranges, the lines written for this test.
 */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <cmocka.h>

#include "core/ip.h"
#include "read/authmsg.h"

struct row {
	const char *prog;
	const char *msg;
	const char *expect; /* NULL: not an auth message */
};

static const struct row rows[] = {
    /* sshd: the lines that count */
    {"sshd", "Failed password for root from 203.0.113.5 port 51234 ssh2",
     "outcome=failure|user=root|invalid=0|method=password|ip=203.0.113.5|port=51234|service=sshd"},
    {"sshd", "Failed password for invalid user admin from 203.0.113.5 port 40022 ssh2",
     "outcome=failure|user=admin|invalid=1|method=password|ip=203.0.113.5|port=40022"},
    {"sshd", "Failed publickey for git from 192.0.2.1 port 57904 ssh2: RSA SHA256:v3dpapGleDaUKf",
     "outcome=failure|user=git|invalid=0|method=publickey|ip=192.0.2.1|port=57904"},
    {"sshd",
     "Failed publickey for invalid user graysky from 2001:db8::1:1 port 37955 ssh2: RSA "
     "SHA256:v3dpapGleDaUKf",
     "outcome=failure|user=graysky|invalid=1|method=publickey|ip=2001:db8::1:1|port=37955"},
    {"sshd",
     "Failed keyboard-interactive/pam for invalid user jamie from 198.51.100.77 port 33723 ssh2",
     "outcome=failure|user=jamie|invalid=1|method=keyboard-interactive/pam|ip=198.51.100.77"},
    {"sshd", "Failed keyboard-interactive/pam for james from 198.51.100.42 port 54520 ssh2",
     "outcome=failure|user=james|invalid=0|method=keyboard-interactive/pam|port=54520"},
    {"sshd", "Failed password for invalid user ROOT from 2001:db8:cccc:1234::1:1",
     "outcome=failure|user=ROOT|invalid=1|ip=2001:db8:cccc:1234::1:1|port="},
    {"sshd", "Failed password for dan from 127.0.0.1 port 45416 ssh1",
     "outcome=failure|user=dan|ip=127.0.0.1|port=45416"},
    {"sshd", "Failed password for invalid user oracle from ::ffff:192.0.2.66 port 4000 ssh2",
     "outcome=failure|user=oracle|ip=192.0.2.66"},
    {"sshd-session", "Failed password for root from 203.0.113.9 port 2222 ssh2",
     "outcome=failure|user=root|service=sshd|ip=203.0.113.9"},
    {"sshd",
     "Failed hostbased for dan from 127.0.0.1 port 45785 ssh2: RSA 8c:e3:aa:0f, client user "
     "\"dan\", client host \"localhost\"",
     "outcome=failure|user=dan|method=hostbased|ip=127.0.0.1"},
    /* an address injected in the user name does not displace the real one */
    {"sshd",
     "Failed password for invalid user test from 10.10.1.2 port 55555 ssh2 from 192.0.2.9 port "
     "58946 ssh2",
     "outcome=failure|user=test from 10.10.1.2 port 55555 ssh2|ip=192.0.2.9|port=58946"},
    {"sshd", "Failed password for invalid user a b from 192.0.2.10 port 1 ssh2",
     "outcome=failure|user=a b|ip=192.0.2.10"},
    {"sshd", "Accepted password for alice from 198.51.100.20 port 52100 ssh2",
     "outcome=success|user=alice|method=password|ip=198.51.100.20|port=52100"},
    {"sshd",
     "Accepted publickey for deploy from 192.0.2.30 port 40100 ssh2: ED25519 "
     "SHA256:Ab1c2d3e4f5g6h7i8j9",
     "outcome=success|user=deploy|method=publickey|ip=192.0.2.30"},
    {"sshd", "Accepted keyboard-interactive/pam for bob from 192.0.2.31 port 40101 ssh2",
     "outcome=success|user=bob|method=keyboard-interactive/pam"},
    {"sshd", "Accepted gssapi-with-mic for carol from 192.0.2.32 port 40102 ssh2",
     "outcome=success|user=carol|method=gssapi-with-mic|port=40102"},
    {"sshd",
     "[ID 800047 auth.info] Failed keyboard-interactive for <invalid username> from "
     "198.51.100.35 port 42742 ssh2",
     "outcome=failure|invalid=1|user=|ip=198.51.100.35"},
    /* sshd: the lines that do not count */
    {"sshd", "Invalid user admin from 203.0.113.5 port 44004",
     "outcome=unknown|user=admin|invalid=1|ip=203.0.113.5|port=44004|note=1"},
    {"sshd", "Invalid user ftp from 192.0.2.1", "outcome=unknown|user=ftp|invalid=1|port=|note=1"},
    {"sshd", "Invalid user  from 192.0.2.68 port 34916",
     "outcome=unknown|user=|invalid=1|ip=192.0.2.68|note=1"},
    {"sshd", "Connection closed by authenticating user root 192.0.2.10 port 46038 [preauth]",
     "outcome=unknown|user=root|invalid=0|ip=192.0.2.10|port=46038|note=1"},
    {"sshd", "Connection closed by invalid user guest 192.0.2.11 port 46039 [preauth]",
     "outcome=unknown|user=guest|invalid=1|ip=192.0.2.11|note=1"},
    {"sshd", "Connection reset by authenticating user root 192.0.2.20 port 1558 [preauth]",
     "outcome=unknown|user=root|ip=192.0.2.20|port=1558|note=1"},
    {"sshd", "Disconnected from invalid user test 203.0.113.6 port 33553 [preauth]",
     "outcome=unknown|user=test|invalid=1|ip=203.0.113.6|port=33553|note=1"},
    {"sshd", "Disconnected from authenticating user admin 192.0.2.6 port 33553 [preauth]",
     "outcome=unknown|user=admin|invalid=0|note=1"},
    {"sshd",
     "error: maximum authentication attempts exceeded for root from 203.0.113.5 port 51234 ssh2 "
     "[preauth]",
     "outcome=unknown|user=root|invalid=0|ip=203.0.113.5|port=51234|note=1"},
    {"sshd",
     "error: maximum authentication attempts exceeded for invalid user pi from 203.0.113.7 port "
     "1234 ssh2 [preauth]",
     "outcome=unknown|user=pi|invalid=1|ip=203.0.113.7|note=1"},
    {"sshd", "User root from 203.0.113.49 not allowed because not listed in AllowUsers",
     "outcome=unknown|user=root|ip=203.0.113.49|note=1"},
    {"sshd", "User root from 198.51.100.54 not allowed because a group is listed in DenyGroups",
     "outcome=unknown|user=root|ip=198.51.100.54|note=1"},
    {"sshd", "Did not receive identification string from 203.0.113.114",
     "outcome=unknown|user=|ip=203.0.113.114|note=1"},
    {"sshd", "Did not receive identification string from 192.0.2.5 port 35836",
     "ip=192.0.2.5|port=35836|note=1"},
    {"sshd",
     "PAM 2 more authentication failures; logname= uid=0 euid=0 tty=ssh ruser= rhost=203.0.113.5 "
     " user=root",
     "outcome=unknown|user=root|ip=203.0.113.5|note=1"},
    {"sshd",
     "pam_unix(sshd:auth): authentication failure; logname= uid=0 euid=0 tty=ssh ruser= "
     "rhost=203.0.113.5  user=root",
     "outcome=unknown|user=root|ip=203.0.113.5|service=sshd|note=1"},
    {"sshd", "pam_unix(sshd:auth): check pass; user unknown",
     "outcome=unknown|invalid=1|service=sshd|note=1"},
    {"sshd", "error: PAM: Authentication failure for james from 198.51.100.99 via 192.168.1.201",
     "outcome=unknown|user=james|ip=198.51.100.99|note=1"},
    {"sshd", "Failed none for invalid user admin from 203.0.113.5 port 3333 ssh2",
     "outcome=unknown|invalid=1|method=none|note=1"},
    {"sshd", "Postponed keyboard-interactive for bob from 192.0.2.31 port 40101 ssh2 [preauth]",
     "outcome=unknown|user=bob|note=1"},
    {"sshd", "pam_unix(sshd:session): session opened for user alice(uid=1000) by (uid=0)",
     "outcome=unknown|user=alice|note=1"},
    /* sshd lines that are not log-in attempts */
    {"sshd", "Received disconnect from 203.0.113.5 port 51234:11: Bye Bye [preauth]", NULL},
    {"sshd", "Disconnected from user alice 198.51.100.20 port 52100", NULL},
    {"sshd", "Connection closed by 203.0.113.5 port 51234 [preauth]", NULL},
    {"sshd", "Server listening on 0.0.0.0 port 22.", NULL},
    {"sshd", "pam_unix(sshd:session): session closed for user alice", NULL},
    {"sshd", "Failed", NULL},
    {"sshd", "Failed password for", NULL},
    {"sshd", "Accepted password for bob", NULL},
    /* PAM elsewhere */
    {"vsftpd",
     "pam_unix(vsftpd:auth): authentication failure; logname= uid=0 euid=0 tty=ftp ruser=test "
     "rhost=198.51.100.161",
     "outcome=failure|user=test|ip=198.51.100.161|service=vsftpd|method=password"},
    {"dovecot",
     "pam_unix(dovecot:auth): authentication failure; logname= uid=0 euid=0 tty=dovecot "
     "ruser=root rhost=198.51.100.225  user=root",
     "outcome=failure|user=root|ip=198.51.100.225|service=dovecot"},
    {"daemon",
     "pam_unix(auth): authentication failure; logname= uid=0 euid=0 tty=xxx ruser= "
     "rhost=192.0.2.2 user=test rhost=192.0.2.152",
     "outcome=failure|user=test|ip=192.0.2.2|service=daemon"},
    {"daemon",
     "pam_unix(auth): authentication failure; logname= uid=0 euid=0 tty=xxx ruser=test "
     "rhost=192.0.2.151 rhost=192.0.2.1",
     "outcome=failure|ip=192.0.2.1"},
    {"proftpd",
     "(pam_unix) authentication failure; logname= uid=0 euid=0 tty= ruser= rhost=198.51.100.62 "
     " user=mark",
     "outcome=failure|user=mark|ip=198.51.100.62|service=proftpd"},
    {"cockpit-session",
     "pam_unix(cockpit:auth): authentication failure; logname= uid=0 euid=0 tty= ruser= "
     "rhost=192.0.2.77 user=admin",
     "outcome=failure|user=admin|service=cockpit"},
    {"CRON", "pam_unix(cron:session): session opened for user root(uid=0) by (uid=0)", NULL},
    {"systemd", "pam_unix(systemd-user:session): session opened for user alice by (uid=0)", NULL},
    /* sudo */
    {"sudo", "   alice : TTY=pts/0 ; PWD=/home/alice ; USER=root ; COMMAND=/usr/bin/apt update",
     "outcome=success|user=alice|command=/usr/bin/apt update|service=sudo"},
    {"sudo",
     "    mallory : 3 incorrect password attempts ; TTY=pts/1 ; PWD=/home/mallory ; USER=root ; "
     "COMMAND=/bin/bash",
     "outcome=failure|user=mallory|method=password|attempts=3|command=/bin/bash"},
    {"sudo",
     "    eve : user NOT in sudoers ; TTY=pts/2 ; PWD=/home/eve ; USER=root ; COMMAND=/bin/sh",
     "outcome=failure|user=eve"},
    {"sudo",
     "pam_unix(sudo:auth): authentication failure; logname=mallory uid=1001 euid=0 tty=/dev/pts/1 "
     "ruser=mallory rhost=  user=mallory",
     "outcome=unknown|user=mallory|ip=|service=sudo|note=1"},
    {"sudo", "pam_unix(sudo:session): session opened for user root(uid=0) by alice(uid=1000)",
     "outcome=unknown|user=root|note=1"},
    {"sudo", "pam_unix(sudo:session): session closed for user root", NULL},
    /* su and login */
    {"su", "FAILED SU (to root) mallory on pts/1",
     "outcome=failure|user=mallory|method=password|service=su"},
    {"su", "(to root) alice on pts/0", "outcome=success|user=alice"},
    {"su", "Successful su for root by alice", "outcome=success|user=alice"},
    {"su", "FAILED su for root by mallory", "outcome=failure|user=mallory"},
    {"su",
     "pam_unix(su:auth): authentication failure; logname=mallory uid=1001 euid=0 tty=pts/1 "
     "ruser=mallory rhost=  user=root",
     "outcome=unknown|user=root|note=1"},
    {"su", "pam_unix(su:session): session opened for user root(uid=0) by alice(uid=1000)",
     "outcome=unknown|user=root|note=1"},
    {"login", "FAILED LOGIN (1) on '/dev/tty1' FOR 'operator', Authentication failure",
     "outcome=failure|user=operator|service=login"},
    {"login", "FAILED LOGIN 1 FROM 192.0.2.40 FOR root, Authentication failure",
     "outcome=failure|user=root|ip=192.0.2.40"},
    {"login", "ROOT LOGIN  on '/dev/tty1'", "outcome=success|user=root"},
    /* FTP */
    {"vsftpd", "[pid 27202] [anonymous] FAIL LOGIN: Client \"198.51.100.98\"",
     "outcome=failure|user=anonymous|ip=198.51.100.98|service=vsftpd"},
    {"vsftpd",
     "[guest] FAIL LOGIN: Client \"::ffff:192.0.2.1\", \"User is not in the allow user list.\"",
     "outcome=failure|user=guest|ip=192.0.2.1"},
    {"vsftpd", "[pid 3] [ftpuser] OK LOGIN: Client \"::ffff:192.0.2.8\"",
     "outcome=success|user=ftpuser|ip=192.0.2.8"},
    {"vsftpd", "[pid 3] CONNECT: Client \"::ffff:192.0.2.8\"", NULL},
    {"proftpd",
     "ftp.example.org (mail.example.net[::ffff:198.51.100.66]) - USER webmaster (Login failed): "
     "Incorrect password.",
     "outcome=failure|user=webmaster|invalid=0|ip=198.51.100.66|service=proftpd"},
    {"proftpd",
     "ftp.example.org (192.0.2.13[192.0.2.13]) - USER nobody: no such user found from 192.0.2.13 "
     "[192.0.2.13] to 192.0.2.1:21",
     "outcome=failure|user=nobody|invalid=1|ip=192.0.2.13"},
    {"proftpd", "ftp.example.org (192.0.2.14[192.0.2.14]) - USER web: Login successful.",
     "outcome=success|user=web|ip=192.0.2.14"},
    {"pure-ftpd", "(?@203.0.113.194) [WARNING] Authentication failed for user [Administrator]",
     "outcome=failure|user=Administrator|ip=203.0.113.194|service=pure-ftpd"},
    {"pure-ftpd", "(?@192.0.2.9) [INFO] ftpuser is now logged in",
     "outcome=success|user=ftpuser|ip=192.0.2.9"},
    /* mail */
    {"dovecot",
     "imap-login: Disconnected (auth failed, 1 attempts in 9 secs): "
     "user=<administrator@example.com>, "
     "method=PLAIN, rip=192.0.2.3, lip=192.168.1.2, TLS",
     "outcome=failure|user=administrator@example.com|method=PLAIN|ip=192.0.2.3|attempts=1|service="
     "dovecot"},
    {"dovecot",
     "pop3-login: Aborted login (auth failed, 3 attempts in 12 secs): user=<info>, method=LOGIN, "
     "rip=203.0.113.44, lip=192.0.2.1, session=<abc>",
     "outcome=failure|user=info|attempts=3|ip=203.0.113.44"},
    {"imap-login",
     "Login aborted: Connection closed (auth failed, 2 attempts in 4 secs) (auth_failed): "
     "user=<bob>, method=PLAIN, rip=198.51.100.8, lip=192.0.2.1, rport=50123, lport=993",
     "outcome=failure|user=bob|attempts=2|ip=198.51.100.8|port=50123|service=imap-login"},
    {"dovecot",
     "imap-login: Login: user=<alice@example.com>, method=PLAIN, rip=198.51.100.20, "
     "lip=192.0.2.1, mpid=1234, TLS",
     "outcome=success|user=alice@example.com|method=PLAIN|ip=198.51.100.20"},
    {"dovecot", "auth: passwd-file(ghost,203.0.113.44): unknown user",
     "outcome=unknown|user=ghost|invalid=1|ip=203.0.113.44|note=1"},
    {"dovecot", "imap-login: Disconnected (no auth attempts in 0 secs): user=<>, rip=192.0.2.5",
     NULL},
    {"postfix/smtpd",
     "warning: unknown[203.0.113.150]: SASL LOGIN authentication failed: UGFzc3dvcmQ6",
     "outcome=failure|method=LOGIN|ip=203.0.113.150|service=postfix/smtpd"},
    {"postfix/submission/smtpd",
     "warning: mail.example.com[198.51.100.74]: SASL PLAIN authentication failed: (reason "
     "unavailable), sasl_username=info@example.com",
     "outcome=failure|user=info@example.com|method=PLAIN|ip=198.51.100.74"},
    {"postfix/smtpd",
     "4F1C2C0A3: client=client.example.net[198.51.100.3], sasl_method=LOGIN, "
     "sasl_username=alice",
     "outcome=success|user=alice|method=LOGIN|ip=198.51.100.3"},
    {"postfix/smtpd", "connect from unknown[203.0.113.150]", NULL},
    {"exim",
     "login authenticator failed for (ylmf-pc) [203.0.113.45]:51234: 535 Incorrect "
     "authentication data (set_id=brian)",
     "outcome=failure|user=brian|method=login|ip=203.0.113.45|port=51234|service=exim"},
    {"exim",
     "dovecot_login authenticator failed for host.example.com ([192.168.2.33]) [198.51.100.74]: "
     "535 Incorrect authentication data",
     "outcome=failure|method=dovecot_login|ip=198.51.100.74"},
    {"exim",
     "1rfL2a-000Abc-3x <= alice@example.com H=(laptop) [198.51.100.12]:50000 P=esmtpsa "
     "A=dovecot_plain:alice S=1234",
     "outcome=success|user=alice|method=dovecot_plain|ip=198.51.100.12|port=50000"},
    {"courierpop3login", "LOGIN FAILED, user=user@example.org, ip=[::ffff:203.0.113.4]",
     "outcome=failure|user=user@example.org|ip=203.0.113.4|service=courierpop3login"},
    {"imapd", "LOGIN FAILED, user=tester, ip=[::ffff:192.0.2.5], port=[255]",
     "outcome=failure|user=tester|ip=192.0.2.5|port=255"},
    {"imapd-ssl", "LOGIN FAILED, method=PLAIN, ip=[::ffff:192.0.2.4]",
     "outcome=failure|user=|method=PLAIN|ip=192.0.2.4"},
    {"imapd", "LOGIN, user=alice, ip=[::ffff:198.51.100.20], port=[40000], protocol=IMAP",
     "outcome=success|user=alice|ip=198.51.100.20|port=40000"},
    {"cyrus/imap",
     "badlogin: host.example.com [203.0.113.4] plaintext mail0001 SASL(-13): authentication "
     "failure: checkpass failed",
     "outcome=failure|user=mail0001|method=plaintext|ip=203.0.113.4|service=cyrus/imap"},
    {"cyrus/imap", "login: host.example.com [198.51.100.20] alice plaintext User logged in",
     "outcome=success|user=alice|ip=198.51.100.20"},
    /* no program: the message decides */
    {"", "Failed password for root from 203.0.113.5 port 51234 ssh2",
     "outcome=failure|user=root|service=sshd"},
    {"", "[pid 27202] [anonymous] FAIL LOGIN: Client \"198.51.100.98\"",
     "outcome=failure|service=vsftpd"},
    {"",
     "H=(ylmf-pc) [203.0.113.45]:1 login authenticator failed for (ylmf-pc) [203.0.113.45]:1: "
     "535 Incorrect authentication data",
     "outcome=failure|ip=203.0.113.45|service=exim"},
    /* noise */
    {"CRON", "(root) CMD (cd / && run-parts --report /etc/cron.hourly)", NULL},
    {"systemd", "Started Session 12 of user alice.", NULL},
    {"kernel", "[UFW BLOCK] IN=eth0 OUT= SRC=203.0.113.5 DST=192.0.2.1", NULL},
    {"sshd", "", NULL},
};

static bool expect_get(const char *expect, const char *key, char *out, size_t cap)
{
	size_t kn = strlen(key);
	for (const char *p = expect; p && *p;) {
		const char *end = strchr(p, '|');
		size_t n = end ? (size_t)(end - p) : strlen(p);
		if (n > kn && strncmp(p, key, kn) == 0 && p[kn] == '=') {
			snprintf(out, cap, "%.*s", (int)(n - kn - 1), p + kn + 1);
			return true;
		}
		p = end ? end + 1 : NULL;
	}
	return false;
}

static void text_of(struct slice s, char *out, size_t cap)
{
	if (!s.ptr) {
		out[0] = 0;
		return;
	}
	snprintf(out, cap, SLICE_FMT, SLICE_ARG(s));
}

static void check_row(const struct row *r)
{
	struct event ev;
	event_clear(&ev);
	struct authmsg am;
	memset(&am, 0xa5, sizeof am);
	bool got = authmsg_parse(slice_cstr(r->prog), slice_cstr(r->msg), &ev, &am);
	if (!r->expect) {
		if (got)
			fail_msg("row \"%s\": parsed as auth, expected not", r->msg);
		assert_int_equal(ev.kind, EK_OTHER);
		assert_null(ev.str[ES_USER].ptr);
		return;
	}
	if (!got)
		fail_msg("row \"%s\": not recognised", r->msg);
	assert_int_equal(ev.kind, EK_AUTH);
	char want[256], have[256];
	if (expect_get(r->expect, "outcome", want, sizeof want))
		if (strcmp(want, outcome_name((enum outcome)ev.outcome)) != 0)
			fail_msg("row \"%s\": outcome %s, want %s", r->msg,
				 outcome_name((enum outcome)ev.outcome), want);
	static const struct {
		const char *key;
		enum event_str k;
	} strs[] = {{"user", ES_USER},
		    {"method", ES_AUTH_METHOD},
		    {"service", ES_SERVICE},
		    {"command", ES_COMMAND_LINE}};
	for (size_t i = 0; i < sizeof strs / sizeof strs[0]; i++) {
		if (!expect_get(r->expect, strs[i].key, want, sizeof want))
			continue;
		text_of(ev.str[strs[i].k], have, sizeof have);
		if (strcmp(want, have) != 0)
			fail_msg("row \"%s\": %s \"%s\", want \"%s\"", r->msg, strs[i].key, have,
				 want);
	}
	if (expect_get(r->expect, "invalid", want, sizeof want))
		if (atoi(want) != ev.user_invalid)
			fail_msg("row \"%s\": invalid %d, want %s", r->msg, ev.user_invalid, want);
	if (expect_get(r->expect, "ip", want, sizeof want)) {
		char t[IP_STRLEN] = "";
		if (ev.src_ip.family != IP_NONE)
			ip_format(&ev.src_ip, t);
		if (strcmp(want, t) != 0)
			fail_msg("row \"%s\": ip \"%s\", want \"%s\"", r->msg, t, want);
	}
	if (expect_get(r->expect, "port", want, sizeof want)) {
		if (event_has_num(&ev, EN_SRC_PORT))
			snprintf(have, sizeof have, "%lld", (long long)ev.num[EN_SRC_PORT]);
		else
			have[0] = 0;
		if (strcmp(want, have) != 0)
			fail_msg("row \"%s\": port \"%s\", want \"%s\"", r->msg, have, want);
	}
	bool nonc = expect_get(r->expect, "note", want, sizeof want) && strcmp(want, "1") == 0;
	if (nonc != (am.note != NULL))
		fail_msg("row \"%s\": note %s, want %s", r->msg, am.note ? am.note : "(none)",
			 nonc ? "one" : "none");
	if (nonc) {
		assert_int_equal(ev.outcome, OUTCOME_UNKNOWN);
		assert_int_equal(am.attempts, 0);
	} else {
		assert_int_not_equal(ev.outcome, OUTCOME_UNKNOWN);
		assert_true(am.attempts >= 1);
	}
	if (expect_get(r->expect, "attempts", want, sizeof want))
		assert_int_equal(am.attempts, atoi(want));
}

static void test_table(void **state)
{
	(void)state;
	size_t n = sizeof rows / sizeof rows[0];
	assert_true(n >= 60);
	for (size_t i = 0; i < n; i++)
		check_row(&rows[i]);
}

/* The parser never reads past the message: each message is copied to a
 * buffer of exactly its length and every prefix of it is parsed too. */
static void test_prefixes(void **state)
{
	(void)state;
	for (size_t i = 0; i < sizeof rows / sizeof rows[0]; i++) {
		size_t n = strlen(rows[i].msg);
		for (size_t k = 0; k <= n; k++) {
			char *copy = malloc(k ? k : 1);
			assert_non_null(copy);
			memcpy(copy, rows[i].msg, k);
			struct event ev;
			event_clear(&ev);
			authmsg_parse(slice_cstr(rows[i].prog), slice_make(copy, k), &ev, NULL);
			free(copy);
		}
	}
}

/* A message that is not an attempt leaves the event exactly as it was. */
static void test_untouched(void **state)
{
	(void)state;
	struct event ev, before;
	event_clear(&ev);
	ev.str[ES_SERVICE] = SLICE_LIT("sshd");
	ev.str[ES_MESSAGE] = SLICE_LIT("Failed password for");
	before = ev;
	assert_false(authmsg_parse(SLICE_LIT("sshd"), SLICE_LIT("Failed password for"), &ev, NULL));
	assert_memory_equal(&ev, &before, sizeof ev);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
	    cmocka_unit_test(test_table),
	    cmocka_unit_test(test_prefixes),
	    cmocka_unit_test(test_untouched),
	};
	return cmocka_run_group_tests(tests, NULL, NULL);
}
