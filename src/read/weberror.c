/*
 * weberror.c — Apache httpd (2.2 and 2.4) and nginx error logs.
 *
 *   [Wed Oct 11 14:32:52.123456 2000] [auth_basic:error] [pid 123:tid 456]
 *       [client 1.2.3.4:5678] AH01618: user foo not found: /secret
 *   [Wed Oct 11 14:32:52 2000] [error] [client 1.2.3.4] user x not found: /
 *   2024/03/01 12:00:00 [error] 123#0: *1 user "x": password mismatch,
 *       client: 1.2.3.4, server: example.com, request: "GET / HTTP/1.1", host: "…"
 *
 * Apache: the bracketed groups after the time (level or module:level, pid
 * and tid, client or remote) are taken while they are known; a source
 * position "file.c(12): " or an OS error "(13)Permission denied: " before
 * "[client …]" is skipped over; "AHnnnnn: " names the message; a trailing
 * ", referer: X" is split off. nginx: "level pid#tid: *connection" then the
 * message up to ", client: ", then the "key: value" context nginx appends.
 *
 * Neither server writes a time zone in its error log: the times are taken
 * as UTC. A server that logs local time will be off by its UTC offset.
 *
 * HTTP basic/digest failures become EK_AUTH (outcome failure, user,
 * user_invalid when the user does not exist, src_ip/src_port of the client,
 * service "apache"/"nginx", auth_method "basic" or "digest"):
 *   Apache AH01618 / 2.2  user NAME not found: URI
 *   Apache AH01617 / 2.2  user NAME: authentication failure for "URI": Password Mismatch
 *   Apache AH01614        client used wrong authentication scheme: URI
 *   Apache AH01790        (digest) user `NAME' in realm `R' not found: URI
 *   Apache AH01792        (digest) user NAME: password mismatch: URI
 *   nginx  user "NAME": password mismatch
 *   nginx  user "NAME" was not found in "FILE"
 *   nginx  no user/password was provided for basic authentication
 * Every other line is EK_OTHER with its level, module and message.
 */
#include <string.h>

#include "core/error.h"
#include "core/ip.h"
#include "core/timeparse.h"
#include "event/fieldname.h"
#include "read/format.h"

#define WE_FIELDS(X)                                                                               \
	X(LEVEL, "level")                                                                          \
	X(MODULE, "module")                                                                        \
	X(PID, "pid")                                                                              \
	X(TID, "tid")                                                                              \
	X(CID, "connection")                                                                       \
	X(CLIENT, "client")                                                                        \
	X(REMOTE, "remote")                                                                        \
	X(CODE, "error_code")                                                                      \
	X(MESSAGE, "message")                                                                      \
	X(REFERER, "referer")                                                                      \
	X(SERVER, "server")                                                                        \
	X(REQUEST, "request")                                                                      \
	X(UPSTREAM, "upstream")                                                                    \
	X(HOST, "host")

enum we_field {
#define X(id, name) WF_##id,
	WE_FIELDS(X)
#undef X
	    WF_COUNT
};

static const char *const we_field_names[] = {
#define X(id, name) name,
    WE_FIELDS(X)
#undef X
};

struct we_state {
	bool fields;
	uint32_t id[WF_COUNT];
};

struct we_rec {
	struct slice v[WF_COUNT];
	bool nginx;
};

static int we_init(void *state, const struct read_opts *opts)
{
	struct we_state *st = state;
	st->fields = opts && opts->fields;
	if (st->fields)
		for (int i = 0; i < WF_COUNT; i++)
			st->id[i] = fieldname_intern(slice_cstr(we_field_names[i]));
	return 0;
}

static bool is_digit(char c)
{
	return c >= '0' && c <= '9';
}

static bool num(const char *p, int n, unsigned *out)
{
	unsigned v = 0;
	for (int i = 0; i < n; i++) {
		if (!is_digit(p[i]))
			return false;
		v = v * 10 + (unsigned)(p[i] - '0');
	}
	*out = v;
	return true;
}

static int month_of(struct slice s)
{
	static const char names[] = "JanFebMarAprMayJunJulAugSepOctNovDec";
	if (s.len != 3)
		return 0;
	for (int i = 0; i < 12; i++)
		if (slice_eq_nocase(s, slice_make(names + 3 * i, 3)))
			return i + 1;
	return 0;
}

static bool make_time(unsigned y, unsigned mo, unsigned d, unsigned h, unsigned mi, unsigned s,
		      int64_t frac_us, int64_t *us)
{
	if (y < 1970 || y > 9999 || mo < 1 || mo > 12 || d < 1 || d > 31 || h > 23 || mi > 59 ||
	    s > 60)
		return false;
	int64_t days = time_days_from_civil(y, mo, d);
	*us = ((days * 86400) + h * 3600 + mi * 60 + s) * 1000000 + frac_us;
	return true;
}

/* "Wed Oct 11 14:32:52.123456 2000" (apr_ctime, with or without µs). */
static bool apache_time(struct slice s, int64_t *us)
{
	struct slice w[5];
	int n = 0;
	struct slice rest = s;
	while (n < 5 && rest.len) {
		struct slice head;
		struct slice next = slice_cut(rest, ' ', &head);
		if (head.len)
			w[n++] = head;
		if (!next.ptr)
			break;
		rest = next;
	}
	unsigned d, y, h, mi, sec;
	int mo;
	if (n != 5 || w[0].len != 3 || !(mo = month_of(w[1])) || w[2].len < 1 || w[2].len > 2 ||
	    !num(w[2].ptr, (int)w[2].len, &d) || w[4].len != 4 || !num(w[4].ptr, 4, &y))
		return false;
	struct slice c = w[3];
	if (c.len < 8 || c.ptr[2] != ':' || c.ptr[5] != ':' || !num(c.ptr, 2, &h) ||
	    !num(c.ptr + 3, 2, &mi) || !num(c.ptr + 6, 2, &sec))
		return false;
	int64_t frac = 0;
	if (c.len > 8) {
		if (c.ptr[8] != '.' || c.len > 15 || c.len == 9)
			return false;
		int digits = 0;
		for (size_t i = 9; i < c.len; i++, digits++) {
			if (!is_digit(c.ptr[i]))
				return false;
			frac = frac * 10 + (c.ptr[i] - '0');
		}
		for (; digits < 6; digits++)
			frac *= 10;
	}
	return make_time(y, (unsigned)mo, d, h, mi, sec, frac, us);
}

/* "2024/03/01 12:00:00" */
static bool nginx_time(struct slice s, int64_t *us)
{
	unsigned y, mo, d, h, mi, sec;
	const char *p = s.ptr;
	if (s.len < 19 || p[4] != '/' || p[7] != '/' || p[10] != ' ' || p[13] != ':' ||
	    p[16] != ':' || !num(p, 4, &y) || !num(p + 5, 2, &mo) || !num(p + 8, 2, &d) ||
	    !num(p + 11, 2, &h) || !num(p + 14, 2, &mi) || !num(p + 17, 2, &sec))
		return false;
	return make_time(y, mo, d, h, mi, sec, 0, us);
}

/* "1.2.3.4:5678", "::1:5678" (2.4 always adds the port), "1.2.3.4" (2.2). */
static void client_addr(struct slice c, bool with_port, struct event *ev)
{
	if (with_port) {
		long i = (long)c.len - 1;
		while (i >= 0 && is_digit(c.ptr[i]))
			i--;
		uint64_t port;
		if (i > 0 && c.ptr[i] == ':' &&
		    slice_to_u64(slice_sub(c, (size_t)i + 1, c.len), &port) == 0 && port <= 65535 &&
		    ip_parse(slice_sub(c, 0, (size_t)i), &ev->src_ip) == 0) {
			event_set_num(ev, EN_SRC_PORT, (int64_t)port);
			return;
		}
	}
	ip_parse(c, &ev->src_ip);
}

static void auth_failure(struct event *ev, struct slice user, bool invalid, const char *service,
			 const char *method)
{
	ev->kind = EK_AUTH;
	ev->outcome = OUTCOME_FAILURE;
	if (user.len)
		ev->str[ES_USER] = user;
	ev->user_invalid = invalid;
	ev->str[ES_SERVICE] = slice_cstr(service);
	ev->str[ES_AUTH_METHOD] = slice_cstr(method);
}

static struct slice find(struct slice hay, const char *needle)
{
	size_t n = strlen(needle);
	const char *p = memmem(hay.ptr, hay.len, needle, n);
	return p ? slice_make(p, n) : SLICE_NULL;
}

static struct slice between(const char *a, const char *b)
{
	return slice_make(a, (size_t)(b - a));
}

static void apache_auth(struct slice body, struct slice module, struct event *ev)
{
	struct slice end = SLICE_NULL, sep;
	bool digest = slice_eq_cstr(module, "auth_digest");
	const char *method = digest ? "digest" : "basic";
	if (slice_starts(body, "client used wrong authentication scheme")) {
		sep = find(body, ": ");
		if (sep.ptr)
			ev->str[ES_URL] = between(sep.ptr + 2, body.ptr + body.len);
		auth_failure(ev, SLICE_NULL, false, "apache", method);
		return;
	}
	if (!slice_starts(body, "user "))
		return;
	struct slice rest = slice_sub(body, 5, body.len);
	if ((sep = find(rest, ": authentication failure for \"")).ptr) {
		struct slice user = between(rest.ptr, sep.ptr);
		const char *u = sep.ptr + sep.len;
		const char *q = memchr(u, '"', (size_t)(rest.ptr + rest.len - u));
		if (q)
			ev->str[ES_URL] = between(u, q);
		auth_failure(ev, user, false, "apache", method);
	} else if ((sep = find(rest, ": password mismatch: ")).ptr) {
		ev->str[ES_URL] = between(sep.ptr + sep.len, rest.ptr + rest.len);
		auth_failure(ev, between(rest.ptr, sep.ptr), false, "apache", "digest");
	} else if ((end = find(rest, " not found: ")).ptr) {
		struct slice user = between(rest.ptr, end.ptr);
		/* digest: user `NAME' in realm `R' */
		if (user.len && user.ptr[0] == '`') {
			long q = slice_index(user, '\'');
			user = q > 0 ? slice_sub(user, 1, (size_t)q - 1) : SLICE_NULL;
			method = "digest";
		}
		ev->str[ES_URL] = between(end.ptr + end.len, rest.ptr + rest.len);
		auth_failure(ev, user, true, "apache", method);
	}
}

static int apache_line(struct slice line, struct event *ev, struct we_rec *r, struct diag *why)
{
	const char *end = line.ptr + line.len;
	const char *rb = memchr(line.ptr, ']', line.len);
	if (!rb || !apache_time(between(line.ptr + 1, rb), &ev->time))
		return diag_set(why, AS_EPARSE, "no Apache [time]");
	const char *p = rb + 1;
	bool v24 = false, first = true;
	while (end - p >= 2 && p[0] == ' ' && p[1] == '[') {
		const char *e = memchr(p + 2, ']', (size_t)(end - p - 2));
		if (!e)
			break;
		struct slice g = between(p + 2, e);
		if (first) {
			struct slice lvl = slice_cut(g, ':', &r->v[WF_MODULE]);
			if (lvl.ptr) {
				v24 = true;
				r->v[WF_LEVEL] = lvl;
			} else {
				r->v[WF_LEVEL] = g;
				r->v[WF_MODULE] = SLICE_NULL;
			}
			first = false;
		} else if (slice_starts(g, "pid ")) {
			struct slice pid;
			struct slice tid = slice_cut(slice_sub(g, 4, g.len), ':', &pid);
			r->v[WF_PID] = pid;
			if (tid.ptr && slice_starts(tid, "tid "))
				r->v[WF_TID] = slice_sub(tid, 4, tid.len);
		} else if (slice_starts(g, "client ")) {
			r->v[WF_CLIENT] = slice_sub(g, 7, g.len);
		} else if (slice_starts(g, "remote ")) {
			r->v[WF_REMOTE] = slice_sub(g, 7, g.len);
		} else {
			break;
		}
		p = e + 1;
	}
	if (first)
		return diag_set(why, AS_EPARSE, "no [level] after the Apache time");
	while (p < end && *p == ' ')
		p++;
	struct slice msg = between(p, end);
	/* "file.c(12): (13)Permission denied: [client a:p] message" */
	if (!r->v[WF_CLIENT].ptr) {
		struct slice c = find(msg, "[client ");
		if (c.ptr && c.ptr > msg.ptr && c.ptr[-1] == ' ' && c.ptr - msg.ptr >= 2 &&
		    c.ptr[-2] == ':') {
			const char *e = memchr(c.ptr, ']', (size_t)(end - c.ptr));
			if (e) {
				r->v[WF_CLIENT] = between(c.ptr + c.len, e);
				msg = slice_trim(between(e + 1, end));
			}
		}
	}
	struct slice ref = find(msg, ", referer: ");
	if (ref.ptr) {
		r->v[WF_REFERER] = between(ref.ptr + ref.len, end);
		msg = between(msg.ptr, ref.ptr);
	}
	r->v[WF_MESSAGE] = msg;
	struct slice body = msg;
	if (msg.len > 9 && msg.ptr[0] == 'A' && msg.ptr[1] == 'H' && msg.ptr[7] == ':' &&
	    msg.ptr[8] == ' ') {
		unsigned code;
		if (num(msg.ptr + 2, 5, &code)) {
			r->v[WF_CODE] = slice_sub(msg, 0, 7);
			body = slice_sub(msg, 9, msg.len);
		}
	}
	ev->kind = EK_OTHER;
	ev->str[ES_MESSAGE] = msg;
	if (r->v[WF_CLIENT].len)
		client_addr(r->v[WF_CLIENT], v24, ev);
	else if (r->v[WF_REMOTE].len)
		client_addr(r->v[WF_REMOTE], v24, ev);
	uint64_t pid;
	if (slice_to_u64(r->v[WF_PID], &pid) == 0 && pid <= INT64_MAX)
		event_set_num(ev, EN_PID, (int64_t)pid);
	apache_auth(body, r->v[WF_MODULE], ev);
	return 0;
}

/* The ", client: …, server: …, request: "…", host: "…"" context. */
static void nginx_context(struct slice ctx, struct we_rec *r)
{
	const char *p = ctx.ptr, *end = ctx.ptr + ctx.len;
	while (p < end) {
		while (p < end && (*p == ',' || *p == ' '))
			p++;
		const char *colon = memchr(p, ':', (size_t)(end - p));
		if (!colon || colon + 1 >= end || colon[1] != ' ')
			return;
		struct slice key = between(p, colon);
		p = colon + 2;
		struct slice val;
		if (p < end && *p == '"') {
			const char *q = p + 1;
			for (;;) {
				q = memchr(q, '"', (size_t)(end - q));
				if (!q || q + 1 == end || q[1] == ',')
					break;
				q++;
			}
			if (!q)
				q = end;
			val = between(p + 1, q);
			p = q < end ? q + 1 : end;
		} else {
			const char *c = memmem(p, (size_t)(end - p), ", ", 2);
			if (!c)
				c = end;
			val = between(p, c);
			p = c;
		}
		int k = slice_eq_cstr(key, "client")     ? WF_CLIENT
			: slice_eq_cstr(key, "server")   ? WF_SERVER
			: slice_eq_cstr(key, "request")  ? WF_REQUEST
			: slice_eq_cstr(key, "upstream") ? WF_UPSTREAM
			: slice_eq_cstr(key, "host")     ? WF_HOST
			: slice_eq_cstr(key, "referrer") ? WF_REFERER
							 : -1;
		if (k >= 0)
			r->v[k] = val;
	}
}

static int nginx_line(struct slice line, struct event *ev, struct we_rec *r, struct diag *why)
{
	const char *end = line.ptr + line.len;
	if (!nginx_time(line, &ev->time) || line.len < 22 || line.ptr[19] != ' ' ||
	    line.ptr[20] != '[')
		return diag_set(why, AS_EPARSE, "not an Apache or nginx error log line");
	const char *rb = memchr(line.ptr + 21, ']', line.len - 21);
	if (!rb)
		return diag_set(why, AS_EPARSE, "unterminated nginx [level]");
	r->nginx = true;
	r->v[WF_LEVEL] = between(line.ptr + 21, rb);
	const char *p = rb + 1;
	while (p < end && *p == ' ')
		p++;
	/* pid#tid: */
	const char *hash = p;
	while (hash < end && is_digit(*hash))
		hash++;
	if (hash > p && hash < end && *hash == '#') {
		r->v[WF_PID] = between(p, hash);
		const char *t = hash + 1;
		while (t < end && is_digit(*t))
			t++;
		r->v[WF_TID] = between(hash + 1, t);
		p = t;
		if (p < end && *p == ':')
			p++;
		while (p < end && *p == ' ')
			p++;
	}
	if (p < end && *p == '*') {
		const char *c = p + 1;
		while (c < end && is_digit(*c))
			c++;
		r->v[WF_CID] = between(p + 1, c);
		p = c;
		while (p < end && *p == ' ')
			p++;
	}
	struct slice msg = between(p, end);
	struct slice ctx = find(msg, ", client: ");
	if (ctx.ptr) {
		nginx_context(between(ctx.ptr, end), r);
		msg = between(p, ctx.ptr);
	}
	r->v[WF_MESSAGE] = msg;
	ev->kind = EK_OTHER;
	ev->str[ES_MESSAGE] = msg;
	if (r->v[WF_CLIENT].len)
		ip_parse(r->v[WF_CLIENT], &ev->src_ip);
	uint64_t pid;
	if (slice_to_u64(r->v[WF_PID], &pid) == 0 && pid <= INT64_MAX)
		event_set_num(ev, EN_PID, (int64_t)pid);
	struct slice host = r->v[WF_HOST].len ? r->v[WF_HOST] : r->v[WF_SERVER];
	if (host.len)
		ev->str[ES_DOMAIN] = host;
	struct slice req = r->v[WF_REQUEST];
	if (req.len) {
		struct slice m;
		struct slice rest = slice_cut(req, ' ', &m);
		if (rest.ptr) {
			ev->str[ES_HTTP_METHOD] = m;
			struct slice target;
			struct slice ver = slice_cut(rest, ' ', &target);
			(void)ver;
			ev->str[ES_URL] = target;
		}
	}
	struct slice sep;
	if (slice_starts(msg, "user \"")) {
		struct slice rest = slice_sub(msg, 6, msg.len);
		long q = slice_index(rest, '"');
		if (q >= 0) {
			struct slice user = slice_sub(rest, 0, (size_t)q);
			struct slice after = slice_sub(rest, (size_t)q + 1, rest.len);
			if (slice_starts(after, ": password mismatch"))
				auth_failure(ev, user, false, "nginx", "basic");
			else if (slice_starts(after, " was not found in "))
				auth_failure(ev, user, true, "nginx", "basic");
		}
	} else if ((sep = find(msg, "no user/password was provided for basic authentication"))
		       .ptr) {
		auth_failure(ev, SLICE_NULL, false, "nginx", "basic");
	}
	return 0;
}

static int we_parse(struct slice line, struct event *ev, struct we_rec *r, struct diag *why)
{
	memset(r, 0, sizeof *r);
	if (line.len && line.ptr[0] == '[')
		return apache_line(line, ev, r, why);
	return nginx_line(line, ev, r, why);
}

static int we_line(void *state, struct slice line, struct event *ev, struct arena *a,
		   struct diag *why)
{
	struct we_state *st = state;
	struct we_rec r;
	int rc = we_parse(line, ev, &r, why);
	if (rc < 0)
		return rc;
	if (!ev->str[ES_SERVICE].ptr)
		ev->str[ES_SERVICE] = r.nginx ? SLICE_LIT("nginx") : SLICE_LIT("apache");
	if (!st->fields)
		return LINE_EVENT;
	for (int i = 0; i < WF_COUNT; i++) {
		if (!r.v[i].ptr)
			continue;
		bool number = (i == WF_PID || i == WF_TID || i == WF_CID) && r.v[i].len;
		for (size_t k = 0; number && k < r.v[i].len; k++)
			number = is_digit(r.v[i].ptr[k]);
		rc = event_field_add(ev, a, st->id[i], number ? FT_NUMBER : FT_STRING, r.v[i]);
		if (rc)
			return diag_set(why, rc, "native fields: %s", as_strerror(rc));
	}
	return LINE_EVENT;
}

static int we_probe(struct slice head)
{
	unsigned good = 0, seen = 0;
	struct slice rest = head;
	while (rest.len && seen < 8) {
		struct slice line;
		struct slice next = slice_cut(rest, '\n', &line);
		if (!next.ptr && seen)
			break; /* partial last line */
		if (line.len && line.ptr[line.len - 1] == '\r')
			line.len--;
		if (line.len) {
			seen++;
			struct event ev;
			struct we_rec r;
			struct diag d;
			event_clear(&ev);
			if (we_parse(line, &ev, &r, &d) == 0)
				good++;
		}
		if (!next.ptr)
			break;
		rest = next;
	}
	if (!good)
		return 0;
	return good == seen ? 90 : good * 2 > seen ? 60 : 20;
}

const struct format format_weberror = {
    .name = "weberror",
    .summary = "Apache httpd and nginx error logs; HTTP auth failures as auth events",
    .probe = we_probe,
    .state_size = sizeof(struct we_state),
    .init = we_init,
    .line = we_line,
};
