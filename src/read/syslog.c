/*
 * syslog.c — Linux/BSD syslog files: RFC 3164, RFC 5424 and rsyslog's
 * high-precision form, one message per line.
 *
 *   [<PRI>]Mar  1 12:00:00 host prog[123]: msg                      RFC 3164
 *   <PRI>1 2003-10-11T22:14:15.003Z host app procid msgid [sd] msg  RFC 5424
 *   [<PRI>]2024-03-01T12:00:00.123456+01:00 host prog[123]: msg     rsyslog
 *
 * The header is split without copying; the tag "prog[pid]:" is optional
 * (rsyslog writes "last message repeated 3 times" without one), and an RFC
 * 3164 line whose first word after the time is already a tag has no host
 * name (logs written straight to a file by syslogd on the same machine).
 * RFC 5424 structured data become native fields named "SD-ID.PARAM" with
 * \" \\ \] unescaped (in the arena, only when escaped); NILVALUE "-" means
 * absent. A UTF-8 BOM before the message is dropped.
 *
 * Every message then goes through authmsg (see authmsg.h) with the tag's
 * program, so sshd, PAM, sudo, su, FTP and mail log-ins become EK_AUTH
 * events; the line that does not count as an attempt gets the native field
 * auth_note saying why, a summary line auth_attempts.
 *
 * Year inference (RFC 3164 writes no year): the year is read_opts.
 * default_year when set, else the year of the file's modification time
 * (else of the current time). For the first dated line, when no year was
 * given and the date with that year would lie more than one day after the
 * file's mtime, the file began the year before (a log from December read in
 * January). Within a file the month is tracked: when it goes back by six
 * months or more (Dec → Jan) the year rolls forward; a smaller step back is
 * a line written out of order and changes nothing.
 */
#include <string.h>

#include "core/error.h"
#include "core/timeparse.h"
#include "event/fieldname.h"
#include "read/authmsg.h"
#include "read/format.h"

#define SYSLOG_FIELDS(X)                                                                           \
	X(TIMESTAMP, "timestamp")                                                                  \
	X(HOSTNAME, "hostname")                                                                    \
	X(PROGRAM, "program")                                                                      \
	X(PID, "pid")                                                                              \
	X(MSGID, "msgid")                                                                          \
	X(FACILITY, "facility")                                                                    \
	X(SEVERITY, "severity")                                                                    \
	X(MESSAGE, "message")                                                                      \
	X(AUTH_NOTE, "auth_note")                                                                  \
	X(AUTH_ATTEMPTS, "auth_attempts")

enum syslog_field {
#define X(id, name) SF_##id,
	SYSLOG_FIELDS(X)
#undef X
	    SF_COUNT
};

static const char *const syslog_field_names[SF_COUNT] = {
#define X(id, name) name,
    SYSLOG_FIELDS(X)
#undef X
};

static const char *const facility_names[24] = {
    "kern",   "user",   "mail",     "daemon", "auth",   "syslog",   "lpr",     "news",
    "uucp",   "cron",   "authpriv", "ftp",    "ntp",    "security", "console", "solaris-cron",
    "local0", "local1", "local2",   "local3", "local4", "local5",   "local6",  "local7",
};

static const char *const severity_names[8] = {"emerg",   "alert",  "crit", "err",
					      "warning", "notice", "info", "debug"};

enum syslog_form { FORM_3164, FORM_5424, FORM_ISO };

struct syslog_hdr {
	int pri; /* -1: none */
	enum syslog_form form;
	struct slice ts, host, prog, pid, msgid, sd, msg;
};

struct syslog_state {
	bool fields;
	int year;       /* year assumed for RFC 3164 dates; 0 until the first one */
	int last_month; /* month of the previous RFC 3164 date, 0 before */
	bool year_given;
	int64_t mtime;
	uint32_t id[SF_COUNT];
};

/* ---- header ------------------------------------------------------------ */

static size_t word_end(struct slice s, size_t i)
{
	while (i < s.len && s.ptr[i] != ' ')
		i++;
	return i;
}

static bool is_digit(char c)
{
	return c >= '0' && c <= '9';
}

static bool is_month(const char *p)
{
	static const char months[] = "JanFebMarAprMayJunJulAugSepOctNovDec";
	for (int i = 0; i < 12; i++)
		if (memcmp(p, months + 3 * i, 3) == 0)
			return true;
	return false;
}

static bool sd_name_char(char c)
{
	return c > ' ' && c != '=' && c != ']' && c != '"' && c != 127;
}

/* Check and skip RFC 5424 structured data starting at i: "-" or one or
 * more [SD-ID *(SP PARAM="VALUE")]. Returns the index after it or -1 when
 * malformed, whether or not native fields are wanted, so that a line is
 * accepted or rejected the same way on both paths. */
static long sd_skip(struct slice s, size_t i)
{
	if (i < s.len && s.ptr[i] == '-')
		return (long)i + 1;
	if (i >= s.len || s.ptr[i] != '[')
		return -1;
	while (i < s.len && s.ptr[i] == '[') {
		size_t n = ++i;
		while (i < s.len && sd_name_char(s.ptr[i]))
			i++;
		if (i == n)
			return -1;
		while (i < s.len && s.ptr[i] == ' ') {
			n = ++i;
			while (i < s.len && sd_name_char(s.ptr[i]))
				i++;
			if (i == n || i + 1 >= s.len || s.ptr[i] != '=' || s.ptr[i + 1] != '"')
				return -1;
			for (i += 2; i < s.len && s.ptr[i] != '"'; i++)
				if (s.ptr[i] == '\\')
					i++;
			if (i >= s.len)
				return -1;
			i++; /* closing quote */
		}
		if (i >= s.len || s.ptr[i] != ']')
			return -1;
		i++;
	}
	return (long)i;
}

/* "prog[pid]: msg", "prog: msg" or a message without a tag. */
static void tag_split(struct slice rest, struct syslog_hdr *h)
{
	size_t i = 0;
	while (i < rest.len && i < 64 && rest.ptr[i] != ':' && rest.ptr[i] != '[' &&
	       rest.ptr[i] != ' ')
		i++;
	if (i == 0 || i >= rest.len || i >= 64 || rest.ptr[i] == ' ') {
		h->msg = rest;
		return;
	}
	size_t prog_end = i;
	if (rest.ptr[i] == '[') {
		size_t j = i + 1;
		while (j < rest.len && rest.ptr[j] != ']' && j - i < 24)
			j++;
		if (j >= rest.len || rest.ptr[j] != ']' || j + 1 >= rest.len ||
		    rest.ptr[j + 1] != ':') {
			h->msg = rest;
			return;
		}
		h->pid = slice_make(rest.ptr + i + 1, j - i - 1);
		i = j + 1;
	}
	h->prog = slice_make(rest.ptr, prog_end);
	i++; /* ':' */
	if (i < rest.len && rest.ptr[i] == ' ')
		i++;
	h->msg = slice_make(rest.ptr + i, rest.len - i);
}

/* Does the first word look like a tag rather than a host name? */
static bool word_is_tag(struct slice w)
{
	return w.len >= 2 && w.ptr[w.len - 1] == ':';
}

static int syslog_split(struct slice s, struct syslog_hdr *h, const char **why)
{
	memset(h, 0, sizeof *h);
	h->pri = -1;
	size_t i = 0;
	if (s.len && s.ptr[0] == '<') {
		int pri = 0;
		i = 1;
		while (i < s.len && i < 5 && is_digit(s.ptr[i]))
			pri = pri * 10 + (s.ptr[i++] - '0');
		if (i == 1 || i >= s.len || s.ptr[i] != '>' || pri > 191) {
			*why = "bad <PRI>";
			return AS_EPARSE;
		}
		h->pri = pri;
		i++;
	}
	if (i + 2 <= s.len && is_digit(s.ptr[i]) && s.ptr[i] != '0' &&
	    (s.ptr[i + 1] == ' ' ||
	     (i + 2 < s.len && is_digit(s.ptr[i + 1]) && s.ptr[i + 2] == ' '))) {
		/* RFC 5424: VERSION SP TIMESTAMP SP HOSTNAME SP APP SP PROCID SP MSGID SP SD */
		h->form = FORM_5424;
		i = s.ptr[i + 1] == ' ' ? i + 2 : i + 3;
		struct slice *w[5] = {&h->ts, &h->host, &h->prog, &h->pid, &h->msgid};
		for (int k = 0; k < 5; k++) {
			size_t e = word_end(s, i);
			if (e == i || e >= s.len) {
				*why = "RFC 5424 header cut short";
				return AS_EPARSE;
			}
			*w[k] = slice_make(s.ptr + i, e - i);
			if (w[k]->len == 1 && w[k]->ptr[0] == '-')
				*w[k] = SLICE_NULL;
			i = e + 1;
		}
		long e = sd_skip(s, i);
		if (e < 0) {
			*why = "malformed RFC 5424 structured data";
			return AS_EPARSE;
		}
		if (s.ptr[i] == '[')
			h->sd = slice_make(s.ptr + i, (size_t)e - i);
		i = (size_t)e;
		if (i < s.len && s.ptr[i] != ' ') {
			*why = "no space after RFC 5424 structured data";
			return AS_EPARSE;
		}
		if (i < s.len)
			i++;
		h->msg = slice_make(s.ptr + i, s.len - i);
		if (slice_starts(h->msg, "\xEF\xBB\xBF"))
			h->msg = slice_sub(h->msg, 3, h->msg.len);
		return 0;
	}
	if (i + 5 <= s.len && is_digit(s.ptr[i]) && is_digit(s.ptr[i + 1]) &&
	    is_digit(s.ptr[i + 2]) && is_digit(s.ptr[i + 3]) && s.ptr[i + 4] == '-') {
		h->form = FORM_ISO;
		size_t e = word_end(s, i);
		h->ts = slice_make(s.ptr + i, e - i);
		i = e;
	} else if (i + 15 <= s.len && is_month(s.ptr + i) && s.ptr[i + 3] == ' ' &&
		   s.ptr[i + 6] == ' ' && s.ptr[i + 9] == ':' && s.ptr[i + 12] == ':') {
		h->form = FORM_3164;
		size_t e = i + 15;
		if (e < s.len && s.ptr[e] == '.')
			for (e++; e < s.len && is_digit(s.ptr[e]);)
				e++;
		h->ts = slice_make(s.ptr + i, e - i);
		i = e;
	} else {
		*why = "no syslog time stamp";
		return AS_EPARSE;
	}
	if (i < s.len && s.ptr[i] != ' ') {
		*why = "no space after the time stamp";
		return AS_EPARSE;
	}
	while (i < s.len && s.ptr[i] == ' ')
		i++;
	size_t e = word_end(s, i);
	struct slice w = slice_make(s.ptr + i, e - i);
	if (w.len && !word_is_tag(w)) {
		h->host = w;
		i = e < s.len ? e + 1 : e;
	}
	tag_split(slice_make(s.ptr + i, s.len - i), h);
	return 0;
}

/* ---- reading ------------------------------------------------------------ */

static int syslog_init(void *state, const struct read_opts *opts)
{
	struct syslog_state *st = state;
	st->fields = opts && opts->fields;
	st->mtime = opts ? opts->file_mtime_us : AS_TIME_NONE;
	if (opts && opts->default_year > 0) {
		st->year = opts->default_year;
		st->year_given = true;
	}
	for (int k = 0; k < SF_COUNT; k++) {
		st->id[k] = fieldname_intern(slice_cstr(syslog_field_names[k]));
		if (st->id[k] == FIELDNAME_NONE)
			return AS_ENOMEM;
	}
	return 0;
}

static int month_of(struct slice ts)
{
	static const char months[] = "JanFebMarAprMayJunJulAugSepOctNovDec";
	for (int i = 0; i < 12; i++)
		if (memcmp(ts.ptr, months + 3 * i, 3) == 0)
			return i + 1;
	return 0;
}

static int time_3164(struct syslog_state *st, struct slice ts, int64_t *us)
{
	int m = month_of(ts);
	if (!st->year) {
		int64_t ref = st->mtime != AS_TIME_NONE ? st->mtime : time_now_us();
		st->year = time_year(ref);
		int64_t t;
		if (time_parse_syslog(ts, st->year, &t) == 0 && t > ref + 86400LL * 1000000)
			st->year--;
	} else if (st->last_month && st->last_month - m >= 6) {
		st->year++;
	}
	if (!st->last_month || m > st->last_month || st->last_month - m >= 6)
		st->last_month = m;
	return time_parse_syslog(ts, st->year, us);
}

static int add(struct event *ev, struct arena *a, uint32_t id, enum field_type t, struct slice v,
	       struct diag *why)
{
	int rc = event_field_add(ev, a, id, t, v);
	if (rc)
		return diag_set(why, rc, "native field: %s", as_strerror(rc));
	return 0;
}

/* RFC 5424 PARAM-VALUE: only \" \\ \] are escapes. */
static int sd_unescape(struct slice v, struct arena *a, struct slice *out)
{
	if (!memchr(v.ptr, '\\', v.len)) {
		*out = v;
		return 0;
	}
	char *d = arena_alloc(a, v.len + 1);
	if (!d)
		return AS_ENOMEM;
	size_t n = 0;
	for (size_t i = 0; i < v.len; i++) {
		if (v.ptr[i] == '\\' && i + 1 < v.len &&
		    (v.ptr[i + 1] == '"' || v.ptr[i + 1] == '\\' || v.ptr[i + 1] == ']'))
			i++;
		d[n++] = v.ptr[i];
	}
	*out = slice_make(d, n);
	return 0;
}

/* "[id k="v" …][id2 …]" → native fields "id.k". */
static int sd_fields(struct slice sd, struct event *ev, struct arena *a, struct diag *why)
{
	size_t i = 0;
	char name[AS_MAX_FIELD_NAME];
	while (i < sd.len && sd.ptr[i] == '[') {
		size_t s = ++i;
		while (i < sd.len && sd.ptr[i] != ' ' && sd.ptr[i] != ']')
			i++;
		struct slice id = slice_make(sd.ptr + s, i - s);
		while (i < sd.len && sd.ptr[i] == ' ') {
			i++;
			size_t ks = i;
			while (i < sd.len && sd.ptr[i] != '=' && sd.ptr[i] != ' ' &&
			       sd.ptr[i] != ']')
				i++;
			struct slice key = slice_make(sd.ptr + ks, i - ks);
			if (i + 1 >= sd.len || sd.ptr[i] != '=' || sd.ptr[i + 1] != '"')
				return diag_set(why, AS_EPARSE, "structured data: bad parameter");
			i += 2;
			size_t vs = i;
			while (i < sd.len && sd.ptr[i] != '"')
				i += sd.ptr[i] == '\\' ? 2 : 1;
			if (i >= sd.len)
				return diag_set(why, AS_EPARSE, "structured data: open quote");
			struct slice v = slice_make(sd.ptr + vs, i - vs), plain;
			i++;
			if (id.len + 1 + key.len >= sizeof name)
				return diag_set(why, AS_ETOOBIG, "structured data: name too long");
			memcpy(name, id.ptr, id.len);
			name[id.len] = '.';
			memcpy(name + id.len + 1, key.ptr, key.len);
			int rc = sd_unescape(v, a, &plain);
			if (rc)
				return diag_set(why, rc, "structured data: %s", as_strerror(rc));
			uint32_t fid = fieldname_intern(slice_make(name, id.len + 1 + key.len));
			if ((rc = add(ev, a, fid, FT_STRING, plain, why)))
				return rc;
		}
		if (i >= sd.len || sd.ptr[i] != ']')
			return diag_set(why, AS_EPARSE, "structured data: missing ']'");
		i++;
	}
	return 0;
}

static int syslog_line(void *state, struct slice line, struct event *ev, struct arena *a,
		       struct diag *why)
{
	struct syslog_state *st = state;
	struct syslog_hdr h;
	const char *reason = NULL;
	if (!line.len)
		return LINE_SKIP;
	ev->raw = line;
	if (syslog_split(line, &h, &reason))
		return diag_set(why, AS_EPARSE, "%s", reason);

	ev->time = AS_TIME_NONE;
	if (h.ts.len) {
		int rc = h.form == FORM_3164 ? time_3164(st, h.ts, &ev->time)
					     : time_parse_rfc3339(h.ts, &ev->time);
		if (rc)
			return diag_set(why, AS_EPARSE, "bad time stamp \"%.*s\"",
					(int)(h.ts.len > 40 ? 40 : h.ts.len), h.ts.ptr);
	}
	if (h.host.len)
		ev->str[ES_HOST] = h.host;
	if (h.prog.len)
		ev->str[ES_SERVICE] = h.prog;
	uint64_t pid;
	if (h.pid.len && slice_to_u64(h.pid, &pid) == 0 && pid <= INT64_MAX)
		event_set_num(ev, EN_PID, (int64_t)pid);
	if (h.msg.len)
		ev->str[ES_MESSAGE] = h.msg;

	struct authmsg am = {0};
	bool auth = authmsg_parse(h.prog, h.msg, ev, &am);
	if (!st->fields)
		return LINE_EVENT;

	int rc;
	const uint32_t *id = st->id;
	if (h.ts.len && (rc = add(ev, a, id[SF_TIMESTAMP], FT_STRING, h.ts, why)))
		return rc;
	if (h.host.len && (rc = add(ev, a, id[SF_HOSTNAME], FT_STRING, h.host, why)))
		return rc;
	if (h.prog.len && (rc = add(ev, a, id[SF_PROGRAM], FT_STRING, h.prog, why)))
		return rc;
	if (h.pid.len && (rc = add(ev, a, id[SF_PID],
				   event_has_num(ev, EN_PID) ? FT_NUMBER : FT_STRING, h.pid, why)))
		return rc;
	if (h.msgid.len && (rc = add(ev, a, id[SF_MSGID], FT_STRING, h.msgid, why)))
		return rc;
	if (h.pri >= 0) {
		if ((rc = add(ev, a, id[SF_FACILITY], FT_STRING,
			      slice_cstr(facility_names[h.pri >> 3]), why)) ||
		    (rc = add(ev, a, id[SF_SEVERITY], FT_STRING,
			      slice_cstr(severity_names[h.pri & 7]), why)))
			return rc;
	}
	if ((rc = add(ev, a, id[SF_MESSAGE], FT_STRING, h.msg, why)))
		return rc;
	if (h.sd.len && (rc = sd_fields(h.sd, ev, a, why)))
		return rc;
	if (auth && am.note &&
	    (rc = add(ev, a, id[SF_AUTH_NOTE], FT_STRING, slice_cstr(am.note), why)))
		return rc;
	if (auth && am.attempts_text.len &&
	    (rc = add(ev, a, id[SF_AUTH_ATTEMPTS], FT_NUMBER, am.attempts_text, why)))
		return rc;
	return LINE_EVENT;
}

/* Syslog when the first complete lines (up to eight) split as syslog
 * headers: 65, above the generic JSON reader and below the specific JSON
 * formats, which never start with a syslog time stamp anyway. */
static int syslog_probe(struct slice head)
{
	size_t i = 0;
	int good = 0, bad = 0;
	while (i < head.len && good + bad < 8) {
		const char *nl = memchr(head.ptr + i, '\n', head.len - i);
		size_t n = nl ? (size_t)(nl - (head.ptr + i)) : head.len - i;
		struct slice line = slice_make(head.ptr + i, n);
		if (line.len && line.ptr[line.len - 1] == '\r')
			line.len--;
		i += n + 1;
		if (!line.len)
			continue;
		if (line.ptr[0] == '{')
			return 0;
		struct syslog_hdr h;
		const char *why;
		if (syslog_split(line, &h, &why) == 0)
			good++;
		else if (nl) /* a cut last line does not count against */
			bad++;
		if (!nl)
			break;
	}
	if (!good || bad > good)
		return 0;
	return bad ? 45 : 65;
}

const struct format format_syslog = {
    .name = "syslog",
    .summary = "syslog: RFC 3164, RFC 5424, rsyslog ISO time; sshd/PAM/sudo/FTP/mail log-ins",
    .probe = syslog_probe,
    .state_size = sizeof(struct syslog_state),
    .init = syslog_init,
    .line = syslog_line,
};
