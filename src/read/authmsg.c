/*
 * authmsg.c — daemon messages to auth events, without a regex engine.
 *
 * The brute-force detectors read millions of auth.log lines, so recognition
 * must cost little more than reading the line: dispatch on the program name
 * (its first byte, then a compare), then on fixed message prefixes, then a
 * left-to-right scan with memcmp/memchr. A message that matches no prefix
 * is rejected after a handful of byte compares.
 *
 * Every parser fills a struct am (what the line says) and only a complete
 * match is copied into the event, so a line that looks like the start of a
 * known message but is not leaves the event untouched.
 *
 * User names are attacker-controlled and may contain spaces and even
 * " from 1.2.3.4 port 22" (sshd logs them as sent). Where the client
 * address follows the user, the last " from " whose tail is a well-formed
 * "ADDR[ port N][ sshN][ [preauth]]" ending the line (or followed by sshd's
 * ": key info") is taken, so an injected address in the user name cannot
 * displace the real one.
 *
 * Which line of a multi-line attempt counts is explained in
 * docs/auth-messages.md; in short: the daemon's own verdict counts, PAM's
 * echo of it and sshd's announcements ("Invalid user", "Connection closed
 * by authenticating user", "maximum authentication attempts exceeded") do
 * not.
 */
#include <string.h>

#include "core/ip.h"
#include "read/authmsg.h"

/* Notes for non-counting lines (also in docs/auth-messages.md). */
#define NOTE_ANNOUNCE "announces a user; attempts are counted on the Failed/Accepted lines"
#define NOTE_PAM_ECHO "PAM echo of an attempt the service logs on its own line"
#define NOTE_SUMMARY  "summary of failures already counted one by one"
#define NOTE_CLOSED                                                                                \
	"connection ended during authentication; attempts are counted on their own lines"
#define NOTE_DENIED   "account refused by configuration; attempts are counted on the Failed lines"
#define NOTE_NOAUTH   "connection without authentication"
#define NOTE_NONE     "method none only asks which methods the server offers"
#define NOTE_SESSION  "session opened after a log-in counted on its own line"
#define NOTE_POSTPONE "step of a multi-step authentication"
#define NOTE_UNKNOWN  "user lookup failure; the attempt is counted on the service's line"

struct am {
	enum outcome outcome;
	bool invalid;
	struct slice method;
	struct slice user;
	struct slice addr;
	int64_t port; /* -1: none */
	struct slice service;
	bool service_force; /* PAM: the service named in the message wins */
	struct slice command;
	const char *note;
	uint32_t attempts;
	struct slice attempts_text;
};

/* ---- scanning helpers ------------------------------------------------ */

struct sc {
	const char *p, *e;
};

static bool sc_lit_n(struct sc *s, const char *lit, size_t n)
{
	if ((size_t)(s->e - s->p) < n || memcmp(s->p, lit, n) != 0)
		return false;
	s->p += n;
	return true;
}

#define LIT(s, l) sc_lit_n((s), (l), sizeof(l) - 1)

static bool starts(struct slice m, const char *lit, size_t n)
{
	return m.len >= n && memcmp(m.ptr, lit, n) == 0;
}

#define STARTS(m, l) starts((m), (l), sizeof(l) - 1)

static bool ends(struct slice m, const char *lit, size_t n)
{
	return m.len >= n && memcmp(m.ptr + m.len - n, lit, n) == 0;
}

#define ENDS(m, l) ends((m), (l), sizeof(l) - 1)

static struct slice sc_rest(const struct sc *s)
{
	return slice_make(s->p, (size_t)(s->e - s->p));
}

/* First occurrence of needle in [p, e). Not memmem: its set-up costs more
 * than a whole message here. Candidates are found by the needle's second
 * byte, since most needles start with a space and spaces are everywhere. */
static const char *find(const char *p, const char *e, const char *needle, size_t n)
{
	if (p >= e || (size_t)(e - p) < n)
		return NULL;
	if (n < 2)
		return n ? memchr(p, needle[0], (size_t)(e - p)) : p;
	const char *last = e - n; /* last possible start */
	for (const char *s = p; s <= last; s++) {
		const char *h = memchr(s + 1, needle[1], (size_t)(last - s) + 1);
		if (!h)
			return NULL;
		s = h - 1;
		if (s[0] == needle[0] && memcmp(s + 2, needle + 2, n - 2) == 0)
			return s;
	}
	return NULL;
}

#define FIND(p, e, l) find((p), (e), (l), sizeof(l) - 1)

/* Last occurrence of needle in [p, e). */
static const char *rfind(const char *p, const char *e, const char *needle, size_t n)
{
	const char *last = NULL;
	for (const char *q = find(p, e, needle, n); q; q = find(q + 1, e, needle, n))
		last = q;
	return last;
}

#define RFIND(p, e, l) rfind((p), (e), (l), sizeof(l) - 1)

/* Token up to a space (or the end). */
static struct slice sc_word(struct sc *s)
{
	const char *q = s->p;
	while (q < s->e && *q != ' ')
		q++;
	struct slice w = slice_make(s->p, (size_t)(q - s->p));
	s->p = q;
	return w;
}

static bool sc_uint(struct sc *s, int64_t *v, struct slice *text)
{
	const char *q = s->p;
	int64_t n = 0;
	while (q < s->e && *q >= '0' && *q <= '9' && q - s->p < 10)
		n = n * 10 + (*q++ - '0');
	if (q == s->p)
		return false;
	if (text)
		*text = slice_make(s->p, (size_t)(q - s->p));
	s->p = q;
	*v = n;
	return true;
}

static struct slice trim_left(struct slice m)
{
	while (m.len && m.ptr[0] == ' ') {
		m.ptr++;
		m.len--;
	}
	return m;
}

/* Value of "key=" in a "k=v k=v" or "k=v, k=v" list: up to sep or the end.
 * key must include the '=' and is matched at a word start. */
static struct slice kv_get(struct slice m, const char *key, char sep)
{
	size_t kn = strlen(key);
	const char *e = m.ptr + m.len;
	for (const char *q = find(m.ptr, e, key, kn); q; q = find(q + 1, e, key, kn)) {
		if (q != m.ptr && q[-1] != ' ' && q[-1] != ',' && q[-1] != ';' && q[-1] != '(')
			continue;
		const char *v = q + kn, *end = v;
		while (end < e && *end != sep && *end != ' ')
			end++;
		if (sep == ',' && end < e && *end == ' ') {
			/* "user=<a b>" may hold spaces: run on to the ',' */
			if (v < e && *v == '<') {
				const char *gt = memchr(v, '>', (size_t)(e - v));
				if (gt)
					end = gt + 1;
			}
		}
		return slice_make(v, (size_t)(end - v));
	}
	return SLICE_NULL;
}

static struct slice strip_brackets(struct slice s, char open, char close)
{
	if (s.len >= 2 && s.ptr[0] == open && s.ptr[s.len - 1] == close)
		return slice_make(s.ptr + 1, s.len - 2);
	return s;
}

static void am_init(struct am *a)
{
	memset(a, 0, sizeof *a);
	a->port = -1;
	a->attempts = 1;
}

static bool am_noncounting(struct am *a, const char *note)
{
	a->outcome = OUTCOME_UNKNOWN;
	a->note = note;
	a->attempts = 0;
	return true;
}

static bool pam_parse(struct slice m, struct am *a);
static struct slice pam_rhost(struct slice m);
static bool pam_parse_prog(struct slice m, struct slice program, struct am *a);

/* ---- sshd ------------------------------------------------------------- */

/* t: what follows " from ". Accepts "ADDR[ port N][ on X][ sshN][ [preauth]]"
 * then the end, or ": info" holding no further " from ". */
static bool ssh_from_tail(const char *p, const char *e, struct slice *addr, int64_t *port)
{
	struct sc s = {p, e};
	struct slice a = sc_word(&s);
	if (!a.len)
		return false;
	int64_t pt = -1;
	if (LIT(&s, " port ")) {
		if (!sc_uint(&s, &pt, NULL))
			return false;
	}
	if (LIT(&s, " on ")) /* Solaris: "on ssh" */
		sc_word(&s);
	if (!LIT(&s, " ssh2"))
		(void)LIT(&s, " ssh1");
	(void)LIT(&s, " [preauth]");
	if (s.p != s.e) {
		if (!LIT(&s, ": "))
			return false;
		if (FIND(s.p, s.e, " from "))
			return false;
	}
	*addr = a;
	*port = pt;
	return true;
}

/* "USER from ADDR…": the user and address, with the last sound " from ". */
static bool ssh_user_from(struct slice m, struct am *a)
{
	const char *e = m.ptr + m.len;
	const char *best = NULL;
	struct slice addr = SLICE_NULL;
	int64_t port = -1;
	for (const char *q = FIND(m.ptr, e, " from "); q; q = FIND(q + 1, e, " from ")) {
		struct slice ad;
		int64_t pt;
		if (ssh_from_tail(q + 6, e, &ad, &pt)) {
			best = q;
			addr = ad;
			port = pt;
		}
	}
	/* The user may be empty: "Invalid user  from …" leaves "" before " from ". */
	if (!best) {
		if (STARTS(m, "from ") && ssh_from_tail(m.ptr + 5, e, &addr, &port)) {
			a->user = slice_make(m.ptr, 0);
			a->addr = addr;
			a->port = port;
			return true;
		}
		return false;
	}
	a->user = slice_make(m.ptr, (size_t)(best - m.ptr));
	a->addr = addr;
	a->port = port;
	return true;
}

/* "USER ADDR port N[ [preauth]]" read from the right (no "from"). */
static bool ssh_user_addr_port(struct slice m, struct am *a)
{
	if (ENDS(m, " [preauth]"))
		m.len -= 10;
	const char *e = m.ptr + m.len;
	const char *pp = RFIND(m.ptr, e, " port ");
	if (pp) {
		struct sc s = {pp + 6, e};
		int64_t port;
		if (!sc_uint(&s, &port, NULL) || s.p != s.e)
			return false;
		a->port = port;
		e = pp;
	}
	const char *sp = e;
	while (sp > m.ptr && sp[-1] != ' ')
		sp--;
	if (sp == e)
		return false;
	a->addr = slice_make(sp, (size_t)(e - sp));
	a->user = sp > m.ptr ? slice_make(m.ptr, (size_t)(sp - 1 - m.ptr)) : slice_make(m.ptr, 0);
	return true;
}

/* "Failed METHOD for [invalid user ]USER from ADDR port N ssh2[: info]" and
 * "Accepted METHOD for USER from …". */
static bool ssh_failed_accepted(struct sc *s, struct am *a, bool ok)
{
	struct slice method = sc_word(s);
	if (!method.len || !LIT(s, " for "))
		return false;
	if (LIT(s, "invalid user ") || LIT(s, "illegal user "))
		a->invalid = true;
	if (!ssh_user_from(sc_rest(s), a))
		return false;
	if (slice_eq_cstr(a->user, "<invalid username>")) { /* Solaris */
		a->user = SLICE_NULL;
		a->invalid = true;
	}
	a->method = method;
	a->outcome = ok ? OUTCOME_SUCCESS : OUTCOME_FAILURE;
	if (!ok && slice_eq_cstr(method, "none"))
		return am_noncounting(a, NOTE_NONE);
	return true;
}

/* "PAM N more authentication failure(s); logname= uid=0 euid=0 tty=ssh ruser= rhost=IP  user=X" */
static bool ssh_pam_more(struct sc *s, struct am *a)
{
	int64_t n;
	if (!sc_uint(s, &n, NULL) || !LIT(s, " more authentication failure"))
		return false;
	struct slice rest = sc_rest(s);
	a->addr = pam_rhost(rest);
	a->user = kv_get(rest, "user=", ' ');
	a->method = SLICE_LIT("password");
	return am_noncounting(a, NOTE_SUMMARY);
}

static bool ssh_parse(struct slice m, struct am *a)
{
	struct sc s = {m.ptr, m.ptr + m.len};
	(void)(LIT(&s, "error: ") || LIT(&s, "fatal: "));
	if (s.p >= s.e)
		return false;
	switch (*s.p) {
	case 'F':
		if (LIT(&s, "Failed "))
			return ssh_failed_accepted(&s, a, false);
		return false;
	case 'A':
		if (LIT(&s, "Accepted "))
			return ssh_failed_accepted(&s, a, true);
		return false;
	case 'I':
	case 'i':
		if (LIT(&s, "Invalid user ") || LIT(&s, "Illegal user ") ||
		    LIT(&s, "input_userauth_request: invalid user ")) {
			a->invalid = true;
			struct slice rest = sc_rest(&s);
			if (!ssh_user_from(rest, a)) {
				/* "input_userauth_request: invalid user X [preauth]" */
				if (ENDS(rest, " [preauth]"))
					rest.len -= 10;
				a->user = rest;
			}
			return am_noncounting(a, NOTE_ANNOUNCE);
		}
		return false;
	case 'C':
		if (LIT(&s, "Connection closed by ") || LIT(&s, "Connection reset by ")) {
			if (LIT(&s, "invalid user "))
				a->invalid = true;
			else if (!LIT(&s, "authenticating user "))
				return false;
			if (!ssh_user_addr_port(sc_rest(&s), a))
				return false;
			return am_noncounting(a, NOTE_CLOSED);
		}
		return false;
	case 'D':
		if (LIT(&s, "Disconnected from ") || LIT(&s, "Disconnecting ")) {
			if (LIT(&s, "invalid user "))
				a->invalid = true;
			else if (!LIT(&s, "authenticating user "))
				return false;
			struct slice rest = sc_rest(&s);
			const char *colon = FIND(rest.ptr, rest.ptr + rest.len, ": ");
			if (colon) /* "Disconnecting invalid user X IP port N: Change of …" */
				rest.len = (size_t)(colon - rest.ptr);
			if (!ssh_user_addr_port(rest, a))
				return false;
			return am_noncounting(a, NOTE_CLOSED);
		}
		if (LIT(&s, "Did not receive identification string from ")) {
			struct sc t = s;
			a->addr = sc_word(&t);
			if (LIT(&t, " port "))
				sc_uint(&t, &a->port, NULL);
			if (!a->addr.len)
				return false;
			return am_noncounting(a, NOTE_NOAUTH);
		}
		return false;
	case 'm':
		if (LIT(&s, "maximum authentication attempts exceeded for ")) {
			if (LIT(&s, "invalid user "))
				a->invalid = true;
			if (!ssh_user_from(sc_rest(&s), a))
				return false;
			return am_noncounting(a, NOTE_SUMMARY);
		}
		return false;
	case 'U':
		if (LIT(&s, "User ")) {
			/* "User X from ADDR not allowed because …" */
			const char *e = s.e;
			const char *na = RFIND(s.p, e, " not allowed because ");
			if (!na)
				return false;
			const char *fr = RFIND(s.p, na, " from ");
			if (fr) {
				a->user = slice_make(s.p, (size_t)(fr - s.p));
				a->addr = slice_make(fr + 6, (size_t)(na - fr - 6));
			} else {
				a->user = slice_make(s.p, (size_t)(na - s.p));
			}
			return am_noncounting(a, NOTE_DENIED);
		}
		return false;
	case 'P':
		if (LIT(&s, "PAM: ")) {
			/* "PAM: Authentication failure for [illegal user ]X from ADDR" */
			if (!LIT(&s, "Authentication failure for ") &&
			    !LIT(&s, "Authentication error for "))
				return false;
			if (LIT(&s, "illegal user "))
				a->invalid = true;
			struct slice rest = sc_rest(&s);
			const char *via = FIND(rest.ptr, rest.ptr + rest.len, " via ");
			if (via)
				rest.len = (size_t)(via - rest.ptr);
			if (!ssh_user_from(rest, a))
				return false;
			return am_noncounting(a, NOTE_PAM_ECHO);
		}
		if (LIT(&s, "PAM "))
			return ssh_pam_more(&s, a);
		if (LIT(&s, "Postponed ")) {
			if (!ssh_failed_accepted(&s, a, true))
				return false;
			return am_noncounting(a, NOTE_POSTPONE);
		}
		return false;
	case 'p':
		return pam_parse(m, a);
	default:
		return false;
	}
}

/* ---- PAM -------------------------------------------------------------- */

/* Services that write their own line for every attempt to the same log
 * (auth/authpriv): their PAM line is an echo and does not count. */
static bool pam_service_logs_itself(struct slice svc)
{
	static const char *const own[] = {"sshd", "su", "su-l", "sudo", "sudo-i", "login"};
	for (size_t i = 0; i < sizeof own / sizeof own[0]; i++)
		if (slice_eq_cstr(svc, own[i]))
			return true;
	return false;
}

/* pam_unix(SERVICE:TYPE): authentication failure; logname= uid= euid= tty= ruser= rhost= [user=]
 * pam_unix(SERVICE:auth): check pass; user unknown
 * pam_unix(SERVICE:session): session opened for user X[(uid=N)] by Y[(uid=N)] */
/* rhost= is followed by " user=" or the end; ruser before it and user
 * after it are the client's words and may hold "rhost=" themselves, so the
 * first one in the right place is the one PAM wrote. */
static struct slice pam_rhost(struct slice m)
{
	const char *e = m.ptr + m.len;
	for (const char *q = FIND(m.ptr, e, "rhost="); q; q = FIND(q + 1, e, "rhost=")) {
		if (q != m.ptr && q[-1] != ' ')
			continue;
		struct sc s = {q + 6, e};
		struct slice v = sc_word(&s);
		while (LIT(&s, " "))
			;
		if (s.p == s.e || LIT(&s, "user="))
			return v;
	}
	return SLICE_NULL;
}

/* pam_unix(SERVICE:TYPE): authentication failure; logname= uid= euid= tty= ruser= rhost= [user=]
 * pam_unix(SERVICE:auth): check pass; user unknown
 * pam_unix(SERVICE:session): session opened for user X[(uid=N)] by Y[(uid=N)]
 * Older PAM: "(pam_unix) authentication failure; …", "pam_unix: …", "pam_unix(auth): …"
 * (no service: the program's). */
static bool pam_parse_prog(struct slice m, struct slice program, struct am *a)
{
	struct sc s = {m.ptr, m.ptr + m.len};
	struct slice svc = program, type = SLICE_LIT("auth");
	if (LIT(&s, "(pam_")) {
		const char *rp = memchr(s.p, ')', (size_t)(s.e - s.p));
		if (!rp || rp - s.p > 32)
			return false;
		s.p = rp + 1;
	} else if (LIT(&s, "pam_")) {
		const char *q = s.p;
		while (q < s.e && q - s.p < 32 && *q != '(' && *q != ':' && *q != ' ')
			q++;
		if (q < s.e && *q == '(') {
			const char *rp = memchr(q, ')', (size_t)(s.e - q));
			if (!rp || rp + 2 > s.e || rp[1] != ':')
				return false;
			const char *colon = memchr(q, ':', (size_t)(rp - q));
			if (colon) {
				svc = slice_make(q + 1, (size_t)(colon - q - 1));
				type = slice_make(colon + 1, (size_t)(rp - colon - 1));
			} else {
				type = slice_make(q + 1, (size_t)(rp - q - 1));
			}
			s.p = rp + 2;
		} else if (q < s.e && *q == ':') {
			s.p = q + 1;
		} else {
			return false;
		}
	} else {
		return false;
	}
	while (s.p < s.e && *s.p == ' ')
		s.p++;
	if (svc.len) {
		a->service = svc;
		a->service_force = true;
	}
	bool own = pam_service_logs_itself(svc);
	if (slice_eq_cstr(type, "auth")) {
		if (LIT(&s, "authentication failure;")) {
			struct slice rest = sc_rest(&s);
			a->addr = pam_rhost(rest);
			a->user = kv_get(rest, "user=", ' ');
			if (!a->user.len) {
				a->user = kv_get(rest, "ruser=", ' ');
				if (!a->user.len)
					a->user = SLICE_NULL;
			}
			a->method = SLICE_LIT("password");
			a->outcome = OUTCOME_FAILURE;
			if (own)
				return am_noncounting(a, NOTE_PAM_ECHO);
			return true;
		}
		if (LIT(&s, "check pass; user unknown")) {
			a->invalid = true;
			return am_noncounting(a, NOTE_UNKNOWN);
		}
		return false;
	}
	if (slice_eq_cstr(type, "session") && LIT(&s, "session opened for user ")) {
		if (!own)
			return false; /* cron, systemd-user: not a log-in */
		struct slice rest = sc_rest(&s);
		const char *by = FIND(rest.ptr, rest.ptr + rest.len, " by ");
		struct slice u = by ? slice_make(rest.ptr, (size_t)(by - rest.ptr)) : rest;
		long par = slice_index(u, '(');
		if (par >= 0)
			u.len = (size_t)par;
		a->user = u;
		return am_noncounting(a, NOTE_SESSION);
	}
	return false;
}

static bool pam_parse(struct slice m, struct am *a)
{
	return pam_parse_prog(m, SLICE_NULL, a);
}

/* ---- sudo, su, login ---------------------------------------------------- */

/* "USER : TTY=pts/0 ; PWD=/home/x ; USER=root ; COMMAND=/bin/ls"
 * "USER : 3 incorrect password attempts ; TTY=…"
 * "USER : user NOT in sudoers ; TTY=…", "USER : command not allowed ; …" */
static bool sudo_parse(struct slice m, struct am *a)
{
	m = trim_left(m);
	if (STARTS(m, "pam_"))
		return pam_parse(m, a);
	const char *e = m.ptr + m.len;
	const char *sep = FIND(m.ptr, e, " : ");
	if (!sep || sep == m.ptr)
		return false;
	a->user = slice_make(m.ptr, (size_t)(sep - m.ptr));
	struct sc s = {sep + 3, e};
	a->method = SLICE_LIT("password");
	const char *cmd = FIND(s.p, e, "COMMAND=");
	if (cmd)
		a->command = slice_make(cmd + 8, (size_t)(e - cmd - 8));
	if (LIT(&s, "TTY=") || LIT(&s, "PWD=") || LIT(&s, "HOST=")) {
		if (!cmd)
			return false;
		a->outcome = OUTCOME_SUCCESS;
		a->method = SLICE_NULL; /* NOPASSWD and cached credentials ask nothing */
		return true;
	}
	int64_t n;
	struct slice nt;
	struct sc t = s;
	if (sc_uint(&t, &n, &nt) && LIT(&t, " incorrect password attempt")) {
		a->outcome = OUTCOME_FAILURE;
		a->attempts = n > 0 && n < 1000 ? (uint32_t)n : 1;
		a->attempts_text = nt;
		return true;
	}
	if (LIT(&s, "user NOT in sudoers") || LIT(&s, "user NOT authorized on host") ||
	    LIT(&s, "command not allowed")) {
		a->outcome = OUTCOME_FAILURE;
		a->method = SLICE_NULL;
		return true;
	}
	return false;
}

/* util-linux: "FAILED SU (to root) X on pts/0", "(to root) X on pts/0";
 * shadow: "FAILED su for root by X", "Successful su for root by X". */
static bool su_parse(struct slice m, struct am *a)
{
	struct sc s = {m.ptr, m.ptr + m.len};
	if (STARTS(m, "pam_"))
		return pam_parse(m, a);
	bool failed = LIT(&s, "FAILED SU ");
	if (LIT(&s, "(to ")) {
		const char *rp = memchr(s.p, ')', (size_t)(s.e - s.p));
		if (!rp || rp + 1 >= s.e || rp[1] != ' ')
			return false;
		s.p = rp + 2;
		const char *on = RFIND(s.p, s.e, " on ");
		a->user = slice_make(s.p, on ? (size_t)(on - s.p) : (size_t)(s.e - s.p));
	} else if (!failed && (LIT(&s, "FAILED su for ") || LIT(&s, "Successful su for "))) {
		failed = m.ptr[0] == 'F';
		const char *by = FIND(s.p, s.e, " by ");
		if (!by)
			return false;
		a->user = slice_make(by + 4, (size_t)(s.e - by - 4));
	} else {
		return false;
	}
	a->method = SLICE_LIT("password");
	a->outcome = failed ? OUTCOME_FAILURE : OUTCOME_SUCCESS;
	return true;
}

/* "FAILED LOGIN (1) on '/dev/tty1' FOR 'x', Authentication failure"
 * "FAILED LOGIN 1 FROM host FOR x, Authentication failure"
 * "ROOT LOGIN  on '/dev/tty1'", "LOGIN ON tty1 BY x" */
static bool login_parse(struct slice m, struct am *a)
{
	struct sc s = {m.ptr, m.ptr + m.len};
	if (STARTS(m, "pam_"))
		return pam_parse(m, a);
	if (LIT(&s, "FAILED LOGIN ")) {
		const char *from = FIND(s.p, s.e, " FROM ");
		const char *fo = RFIND(s.p, s.e, " FOR ");
		if (!fo)
			return false;
		if (from && from < fo) {
			struct sc t = {from + 6, fo};
			struct slice h = sc_word(&t);
			if (t.p == fo)
				a->addr = h;
		}
		struct slice u = slice_make(fo + 5, (size_t)(s.e - fo - 5));
		const char *comma = RFIND(u.ptr, u.ptr + u.len, ", ");
		if (comma)
			u.len = (size_t)(comma - u.ptr);
		a->user = strip_brackets(u, '\'', '\'');
		a->method = SLICE_LIT("password");
		a->outcome = OUTCOME_FAILURE;
		return true;
	}
	if (LIT(&s, "ROOT LOGIN ")) {
		a->user = SLICE_LIT("root");
		a->outcome = OUTCOME_SUCCESS;
		return true;
	}
	if (LIT(&s, "LOGIN ON ")) {
		const char *by = FIND(s.p, s.e, " BY ");
		if (!by)
			return false;
		struct sc t = {by + 4, s.e};
		a->user = sc_word(&t);
		if (LIT(&t, " FROM "))
			a->addr = sc_word(&t);
		a->outcome = OUTCOME_SUCCESS;
		return true;
	}
	return false;
}

/* ---- FTP ---------------------------------------------------------------- */

/* "[pid 12] [user] FAIL LOGIN: Client "::ffff:1.2.3.4"" and "OK LOGIN: …" */
static bool vsftpd_parse(struct slice m, struct am *a)
{
	struct sc s = {m.ptr, m.ptr + m.len};
	if (STARTS(m, "pam_"))
		return pam_parse(m, a);
	if (LIT(&s, "[pid ")) {
		const char *rb = memchr(s.p, ']', (size_t)(s.e - s.p));
		if (!rb)
			return false;
		s.p = rb + 1;
		(void)LIT(&s, " ");
	}
	if (s.p < s.e && *s.p == '[') {
		const char *rb = memchr(s.p, ']', (size_t)(s.e - s.p));
		if (!rb)
			return false;
		a->user = slice_make(s.p + 1, (size_t)(rb - s.p - 1));
		s.p = rb + 1;
		(void)LIT(&s, " ");
	}
	if (LIT(&s, "FAIL LOGIN: Client "))
		a->outcome = OUTCOME_FAILURE;
	else if (LIT(&s, "OK LOGIN: Client "))
		a->outcome = OUTCOME_SUCCESS;
	else
		return false;
	struct slice c = sc_word(&s);
	if (ENDS(c, ","))
		c.len--;
	a->addr = strip_brackets(c, '"', '"');
	a->method = SLICE_LIT("password");
	return true;
}

/* "host (name[1.2.3.4]) - USER x (Login failed): Incorrect password"
 * "host (name[1.2.3.4]) - USER x: no such user found from name [1.2.3.4] to …"
 * "host (name[1.2.3.4]) - USER x: Login successful." */
static bool proftpd_parse(struct slice m, struct am *a)
{
	const char *e = m.ptr + m.len;
	const char *u = FIND(m.ptr, e, " - USER ");
	if (!u) {
		if (STARTS(m, "pam_"))
			return pam_parse(m, a);
		return false;
	}
	const char *rb = u;
	while (rb > m.ptr && rb[-1] != '[')
		rb--;
	if (rb > m.ptr && u - 2 >= rb && u[-1] == ')' && u[-2] == ']')
		a->addr = slice_make(rb, (size_t)(u - 2 - rb));
	struct sc s = {u + 8, e};
	const char *lf = FIND(s.p, e, " (Login failed): ");
	const char *nsu = FIND(s.p, e, ": no such user found");
	const char *ok = FIND(s.p, e, ": Login successful");
	a->method = SLICE_LIT("password");
	if (lf) {
		a->user = slice_make(s.p, (size_t)(lf - s.p));
		a->outcome = OUTCOME_FAILURE;
	} else if (nsu) {
		a->user = slice_make(s.p, (size_t)(nsu - s.p));
		a->outcome = OUTCOME_FAILURE;
		a->invalid = true;
	} else if (ok) {
		a->user = slice_make(s.p, (size_t)(ok - s.p));
		a->outcome = OUTCOME_SUCCESS;
	} else {
		return false;
	}
	return true;
}

/* "(?@1.2.3.4) [WARNING] Authentication failed for user [x]"
 * "(?@1.2.3.4) [INFO] x is now logged in" */
static bool pureftpd_parse(struct slice m, struct am *a)
{
	struct sc s = {m.ptr, m.ptr + m.len};
	if (!LIT(&s, "("))
		return false;
	const char *rp = memchr(s.p, ')', (size_t)(s.e - s.p));
	if (!rp)
		return false;
	const char *at = memchr(s.p, '@', (size_t)(rp - s.p));
	if (at)
		a->addr = slice_make(at + 1, (size_t)(rp - at - 1));
	s.p = rp + 1;
	a->method = SLICE_LIT("password");
	if (LIT(&s, " [WARNING] Authentication failed for user [")) {
		const char *rb = RFIND(s.p, s.e, "]");
		if (!rb)
			return false;
		a->user = slice_make(s.p, (size_t)(rb - s.p));
		a->outcome = OUTCOME_FAILURE;
		return true;
	}
	if (LIT(&s, " [INFO] ")) {
		const char *il = FIND(s.p, s.e, " is now logged in");
		if (!il)
			return false;
		a->user = slice_make(s.p, (size_t)(il - s.p));
		a->outcome = OUTCOME_SUCCESS;
		return true;
	}
	return false;
}

/* ---- mail --------------------------------------------------------------- */

/* dovecot: "imap-login: Disconnected (auth failed, 1 attempts in 2 secs): user=<x>,
 * method=PLAIN, rip=1.2.3.4, lip=…", "imap-login: Login: user=<x>, method=PLAIN, rip=…",
 * "auth: passwd-file(x,1.2.3.4): unknown user", "auth-worker(9): pam(x,1.2.3.4): unknown user" */
static bool dovecot_parse(struct slice m, struct am *a)
{
	const char *e = m.ptr + m.len;
	struct sc s = {m.ptr, e};
	if (STARTS(m, "pam_"))
		return pam_parse(m, a);
	/* the "imap-login: " / "pop3-login: " prefix when dovecot is the tag */
	const char *colon = FIND(m.ptr, e, "-login: ");
	if (colon && colon - m.ptr < 40 && memchr(m.ptr, ' ', (size_t)(colon - m.ptr)) == NULL)
		s.p = colon + 8;
	struct slice body = sc_rest(&s);
	const char *af = FIND(s.p, e, "(auth failed, ");
	if (af) {
		struct sc t = {af + 14, e};
		int64_t n;
		if (!sc_uint(&t, &n, &a->attempts_text))
			return false;
		a->attempts = n > 0 && n < 100000 ? (uint32_t)n : 1;
		a->outcome = OUTCOME_FAILURE;
	} else if (LIT(&s, "Login: ")) {
		a->outcome = OUTCOME_SUCCESS;
	} else {
		/* "passwd-file(x,1.2.3.4): unknown user", "pam(x,1.2.3.4,<s>): unknown user" */
		if (!ENDS(body, "unknown user") && !FIND(s.p, e, "): unknown user"))
			return false;
		const char *lp = memchr(s.p, '(', (size_t)(e - s.p));
		if (!lp)
			return false;
		const char *rp = memchr(lp, ')', (size_t)(e - lp));
		if (!rp)
			return false;
		struct sc t = {lp + 1, rp};
		const char *c1 = memchr(t.p, ',', (size_t)(t.e - t.p));
		if (!c1)
			return false;
		a->user = slice_make(t.p, (size_t)(c1 - t.p));
		const char *c2 = memchr(c1 + 1, ',', (size_t)(t.e - c1 - 1));
		a->addr = slice_make(c1 + 1, (size_t)((c2 ? c2 : t.e) - c1 - 1));
		a->invalid = true;
		return am_noncounting(a, NOTE_UNKNOWN);
	}
	struct slice u = kv_get(body, "user=", ',');
	a->user = strip_brackets(u, '<', '>');
	if (!a->user.len)
		a->user = SLICE_NULL;
	a->method = kv_get(body, "method=", ',');
	a->addr = kv_get(body, "rip=", ',');
	struct slice rport = kv_get(body, "rport=", ',');
	uint64_t p;
	if (rport.len && slice_to_u64(rport, &p) == 0 && p < 65536)
		a->port = (int64_t)p;
	if (!a->method.len)
		a->method = SLICE_NULL;
	return true;
}

/* "warning: unknown[1.2.3.4]: SASL LOGIN authentication failed: …[, sasl_username=x]"
 * "ABC123: client=host[1.2.3.4], sasl_method=LOGIN, sasl_username=x" */
static bool postfix_parse(struct slice m, struct am *a)
{
	const char *e = m.ptr + m.len;
	struct sc s = {m.ptr, e};
	if (LIT(&s, "warning: ")) {
		const char *sasl = FIND(s.p, e, "]: SASL ");
		if (!sasl)
			return false;
		const char *lb = memchr(s.p, '[', (size_t)(sasl - s.p));
		if (!lb)
			return false;
		a->addr = slice_make(lb + 1, (size_t)(sasl - lb - 1));
		struct sc t = {sasl + 8, e};
		a->method = sc_word(&t);
		if (!LIT(&t, " authentication failed"))
			return false;
		struct slice un = kv_get(sc_rest(&t), "sasl_username=", ',');
		if (un.len)
			a->user = un;
		a->outcome = OUTCOME_FAILURE;
		return true;
	}
	const char *sm = FIND(s.p, e, "sasl_method=");
	if (!sm)
		return false;
	struct slice rest = sc_rest(&s);
	struct slice client = kv_get(rest, "client=", ',');
	const char *lb = client.len ? memchr(client.ptr, '[', client.len) : NULL;
	if (lb && client.ptr[client.len - 1] == ']')
		a->addr = slice_make(lb + 1, (size_t)(client.ptr + client.len - 1 - lb - 1));
	a->method = kv_get(rest, "sasl_method=", ',');
	a->user = kv_get(rest, "sasl_username=", ',');
	if (!a->user.len)
		return false;
	a->outcome = OUTCOME_SUCCESS;
	return true;
}

/* "dovecot_login authenticator failed for (helo) [1.2.3.4]:5678: 535 Incorrect
 * authentication data (set_id=x)"; "<= a@b H=(helo) [1.2.3.4] P=esmtpa A=dovecot_plain:x …" */
static bool exim_parse(struct slice m, struct am *a)
{
	const char *e = m.ptr + m.len;
	const char *af = FIND(m.ptr, e, " authenticator failed for ");
	if (af) {
		/* "name (helo) [ip]:port": the HELO is the client's word and may
		 * hold brackets; the address is the first " [IP]" followed by ':'. */
		const char *lb = NULL, *rb = NULL;
		for (const char *q = memchr(af, '[', (size_t)(e - af)); q;
		     q = q + 1 < e ? memchr(q + 1, '[', (size_t)(e - q - 1)) : NULL) {
			const char *r = memchr(q, ']', (size_t)(e - q));
			struct ip ip;
			if (q[-1] == ' ' && r && r + 1 < e && r[1] == ':' &&
			    ip_parse(slice_make(q + 1, (size_t)(r - q - 1)), &ip) == 0) {
				lb = q;
				rb = r;
				break;
			}
		}
		if (!lb)
			return false;
		a->addr = slice_make(lb + 1, (size_t)(rb - lb - 1));
		struct sc t = {rb + 1, e};
		if (LIT(&t, ":"))
			sc_uint(&t, &a->port, NULL);
		const char *sid = FIND(rb, e, "(set_id=");
		if (sid) {
			const char *rp = RFIND(sid, e, ")");
			if (rp)
				a->user = slice_make(sid + 8, (size_t)(rp - sid - 8));
		}
		const char *w = af;
		while (w > m.ptr && w[-1] != ' ')
			w--;
		a->method = slice_make(w, (size_t)(af - w));
		a->outcome = OUTCOME_FAILURE;
		return true;
	}
	const char *arrow = FIND(m.ptr, e, "<= ");
	const char *au = arrow ? FIND(arrow, e, " A=") : NULL;
	if (!au)
		return false;
	struct sc t = {au + 3, e};
	struct slice w = sc_word(&t);
	long c = slice_index(w, ':');
	if (c <= 0)
		return false;
	a->method = slice_make(w.ptr, (size_t)c);
	a->user = slice_make(w.ptr + c + 1, w.len - (size_t)c - 1);
	const char *h = FIND(arrow, au, " H=");
	if (h) {
		const char *lb = memchr(h, '[', (size_t)(au - h));
		const char *rb = lb ? memchr(lb, ']', (size_t)(au - lb)) : NULL;
		if (rb) {
			a->addr = slice_make(lb + 1, (size_t)(rb - lb - 1));
			struct sc p = {rb + 1, au};
			if (LIT(&p, ":"))
				sc_uint(&p, &a->port, NULL);
		}
	}
	a->outcome = OUTCOME_SUCCESS;
	return true;
}

/* courier: "LOGIN FAILED, user=x, ip=[::ffff:1.2.3.4]", "LOGIN, user=x, ip=[…], port=[…]" */
static bool courier_parse(struct slice m, struct am *a)
{
	struct sc s = {m.ptr, m.ptr + m.len};
	if (LIT(&s, "LOGIN FAILED, "))
		a->outcome = OUTCOME_FAILURE;
	else if (LIT(&s, "LOGIN, "))
		a->outcome = OUTCOME_SUCCESS;
	else
		return false;
	struct slice rest = sc_rest(&s);
	a->user = kv_get(rest, "user=", ',');
	if (!a->user.len)
		a->user = SLICE_NULL;
	a->addr = strip_brackets(kv_get(rest, "ip=", ','), '[', ']');
	struct slice port = strip_brackets(kv_get(rest, "port=", ','), '[', ']');
	uint64_t p;
	if (port.len && slice_to_u64(port, &p) == 0 && p < 65536)
		a->port = (int64_t)p;
	struct slice method = kv_get(rest, "method=", ',');
	a->method = method.len ? method : SLICE_LIT("password");
	return true;
}

/* cyrus: "badlogin: name [1.2.3.4] plaintext x SASL(-13): authentication failure: …"
 * "login: name [1.2.3.4] x plaintext User logged in" */
static bool cyrus_parse(struct slice m, struct am *a)
{
	struct sc s = {m.ptr, m.ptr + m.len};
	bool bad = LIT(&s, "badlogin: ");
	if (!bad && !LIT(&s, "login: "))
		return false;
	const char *lb = memchr(s.p, '[', (size_t)(s.e - s.p));
	const char *rb = lb ? memchr(lb, ']', (size_t)(s.e - lb)) : NULL;
	if (!rb)
		return false;
	a->addr = slice_make(lb + 1, (size_t)(rb - lb - 1));
	s.p = rb + 1;
	if (!LIT(&s, " "))
		return false;
	struct slice w1 = sc_word(&s);
	(void)LIT(&s, " ");
	struct slice w2 = sc_word(&s);
	if (bad) {
		a->method = w1;
		a->user = w2;
		a->outcome = OUTCOME_FAILURE;
	} else {
		if (!FIND(s.p, s.e, "User logged in"))
			return false;
		a->user = w1;
		a->method = w2;
		a->outcome = OUTCOME_SUCCESS;
	}
	if (!a->user.len)
		a->user = SLICE_NULL;
	return true;
}

/* ---- dispatch ----------------------------------------------------------- */

enum daemon {
	D_NONE,
	D_SSHD,
	D_SUDO,
	D_SU,
	D_LOGIN,
	D_VSFTPD,
	D_PROFTPD,
	D_PUREFTPD,
	D_DOVECOT,
	D_POSTFIX,
	D_EXIM,
	D_COURIER,
	D_CYRUS,
	D_PAM_ONLY,
};

static const char *const daemon_name[D_PAM_ONLY + 1] = {
    [D_SSHD] = "sshd",          [D_SUDO] = "sudo",       [D_SU] = "su",
    [D_LOGIN] = "login",        [D_VSFTPD] = "vsftpd",   [D_PROFTPD] = "proftpd",
    [D_PUREFTPD] = "pure-ftpd", [D_DOVECOT] = "dovecot", [D_POSTFIX] = "postfix",
    [D_EXIM] = "exim",          [D_COURIER] = "courier", [D_CYRUS] = "cyrus",
    [D_PAM_ONLY] = "pam",
};

#define PEQ(p, l) slice_eq_cstr((p), (l))

static enum daemon daemon_of(struct slice p)
{
	if (!p.len)
		return D_NONE;
	switch (p.ptr[0]) {
	case 's':
		if (PEQ(p, "sshd") || PEQ(p, "sshd-session") || PEQ(p, "sshd-auth"))
			return D_SSHD;
		if (PEQ(p, "sudo"))
			return D_SUDO;
		if (PEQ(p, "su"))
			return D_SU;
		break;
	case 'l':
		if (PEQ(p, "login"))
			return D_LOGIN;
		break;
	case 'v':
		if (PEQ(p, "vsftpd"))
			return D_VSFTPD;
		break;
	case 'p':
		if (PEQ(p, "proftpd"))
			return D_PROFTPD;
		if (PEQ(p, "pure-ftpd"))
			return D_PUREFTPD;
		if (STARTS(p, "postfix"))
			return D_POSTFIX;
		if (PEQ(p, "pop3-login"))
			return D_DOVECOT;
		if (PEQ(p, "pop3d") || PEQ(p, "pop3d-ssl"))
			return D_COURIER;
		break;
	case 'd':
		if (PEQ(p, "dovecot"))
			return D_DOVECOT;
		break;
	case 'i':
		if (PEQ(p, "imap-login"))
			return D_DOVECOT;
		if (PEQ(p, "imapd") || PEQ(p, "imapd-ssl"))
			return D_COURIER;
		break;
	case 'a':
		if (PEQ(p, "auth") || STARTS(p, "auth-worker"))
			return D_DOVECOT;
		break;
	case 'e':
		if (PEQ(p, "exim") || PEQ(p, "exim4"))
			return D_EXIM;
		break;
	case 'c':
		if (STARTS(p, "courier"))
			return D_COURIER;
		if (STARTS(p, "cyrus"))
			return D_CYRUS;
		break;
	case 'm':
		if (STARTS(p, "managesieve-login") || STARTS(p, "submission-login"))
			return D_DOVECOT;
		break;
	default:
		break;
	}
	return D_PAM_ONLY;
}

static bool daemon_parse(enum daemon d, struct slice m, struct am *a)
{
	switch (d) {
	case D_SSHD:
		return ssh_parse(m, a);
	case D_SUDO:
		return sudo_parse(m, a);
	case D_SU:
		return su_parse(m, a);
	case D_LOGIN:
		return login_parse(m, a);
	case D_VSFTPD:
		return vsftpd_parse(m, a);
	case D_PROFTPD:
		return proftpd_parse(m, a);
	case D_PUREFTPD:
		return pureftpd_parse(m, a);
	case D_DOVECOT:
		return dovecot_parse(m, a);
	case D_POSTFIX:
		return postfix_parse(m, a);
	case D_EXIM:
		return exim_parse(m, a);
	case D_COURIER:
		return courier_parse(m, a);
	case D_CYRUS:
		return cyrus_parse(m, a);
	case D_PAM_ONLY:
		return pam_parse(m, a);
	default:
		return false;
	}
}

/* No program name (a daemon's own log file, a bare message): the message
 * alone decides, trying the daemons whose messages cannot be mistaken. */
static bool guess_parse(struct slice m, struct am *a, enum daemon *d)
{
	static const enum daemon order[] = {D_SSHD,    D_VSFTPD,  D_PUREFTPD, D_PROFTPD,
					    D_DOVECOT, D_POSTFIX, D_EXIM,     D_COURIER,
					    D_CYRUS,   D_LOGIN,   D_SU};
	if (STARTS(m, "pam_")) {
		*d = D_PAM_ONLY;
		return pam_parse(m, a);
	}
	for (size_t i = 0; i < sizeof order / sizeof order[0]; i++) {
		am_init(a);
		if (daemon_parse(order[i], m, a)) {
			*d = order[i];
			return true;
		}
	}
	return false;
}

bool authmsg_parse(struct slice program, struct slice msg, struct event *ev, struct authmsg *out)
{
	struct am a;
	am_init(&a);
	if (!msg.ptr || !msg.len)
		return false;
	/* Solaris prefixes "[ID 800047 auth.info] " */
	if (STARTS(msg, "[ID ")) {
		const char *rb = memchr(msg.ptr, ']', msg.len);
		if (rb && rb + 2 <= msg.ptr + msg.len) {
			size_t skip = (size_t)(rb - msg.ptr) + 1;
			if (skip < msg.len && msg.ptr[skip] == ' ')
				skip++;
			msg = slice_make(msg.ptr + skip, msg.len - skip);
		}
	}
	enum daemon d = daemon_of(program);
	bool ok;
	if (STARTS(msg, "pam_") || STARTS(msg, "(pam_")) {
		/* PAM writes the same words whichever program loaded it */
		struct slice svc = d == D_SSHD ? SLICE_LIT("sshd") : program;
		ok = pam_parse_prog(msg, svc, &a);
		if (d == D_NONE)
			d = D_PAM_ONLY;
	} else {
		ok = d == D_NONE ? guess_parse(msg, &a, &d) : daemon_parse(d, msg, &a);
	}
	if (!ok)
		return false;

	ev->kind = EK_AUTH;
	ev->outcome = (uint8_t)a.outcome;
	ev->user_invalid = a.invalid;
	if (a.user.ptr && a.user.len)
		ev->str[ES_USER] = a.user;
	if (a.method.ptr && a.method.len)
		ev->str[ES_AUTH_METHOD] = a.method;
	if (a.command.ptr && a.command.len)
		ev->str[ES_COMMAND_LINE] = a.command;
	if (a.addr.len) {
		struct ip ip;
		if (ip_parse(a.addr, &ip) == 0)
			ev->src_ip = ip;
		else if (!ev->str[ES_SRC_HOST].ptr && !slice_eq_cstr(a.addr, "unknown"))
			ev->str[ES_SRC_HOST] = a.addr; /* sshd with UseDNS logs a name */
	}
	if (a.port >= 0 && a.port < 65536)
		event_set_num(ev, EN_SRC_PORT, a.port);
	if (a.service_force && a.service.len)
		ev->str[ES_SERVICE] = a.service;
	else if (!ev->str[ES_SERVICE].ptr || d == D_SSHD) {
		if (d == D_SSHD || !program.len)
			ev->str[ES_SERVICE] = slice_cstr(daemon_name[d] ? daemon_name[d] : "pam");
		else
			ev->str[ES_SERVICE] = program;
	}
	if (out) {
		out->note = a.note;
		out->attempts = a.note ? 0 : a.attempts;
		out->attempts_text = a.note ? SLICE_NULL : a.attempts_text;
	}
	return true;
}
