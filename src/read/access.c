/*
 * access.c — web server access logs: Common and Combined Log Format as Apache,
 * nginx, Tomcat and most proxies write them.
 *
 *   [vhost[:port]] client ident user [time] "request" status bytes
 *       ["referer" "user-agent" [extras…]]
 *
 * The line is cut with memchr, left to right, with no copy: a token is a
 * slice of the line. Quoted values may hold \" \\ \xHH (Apache and nginx
 * escapes); only those are unescaped, into the batch arena. Tomcat does not
 * escape at all, so the request ends at the first even-escaped quote that is
 * followed by a status token; a request of binary junk, "-" or a bare word
 * is kept with what could be read (400 probes are worth seeing).
 *
 * A vhost column (Apache vhost_combined "%v:%p") is told from a user name
 * with a space by its position: four tokens before the time, the second of
 * which is an address, or the first of which ends in ":port".
 *
 * Extras after the user agent are the usual nginx additions: a quoted
 * "$http_x_forwarded_for", bare $request_time / $upstream_response_time
 * (seconds with a dot, in that order), or key=value pairs (rt=, urt=, …)
 * kept as native fields under their key.
 *
 * Canonical: EK_HTTP, src_ip = client, user, http_method, url (request
 * target as written), http_status, bytes_in = response size (what the client
 * received), user_agent, domain/dst_port from the vhost. Log-in attempts
 * (webauth.c) become EK_AUTH. Native fields use the Sigma webserver
 * taxonomy names (c-ip, cs-method, cs-uri-stem, …).
 */
#include <string.h>

#include "core/error.h"
#include "core/ip.h"
#include "core/timeparse.h"
#include "event/fieldname.h"
#include "read/format.h"
#include "read/webauth.h"

#define ACCESS_FIELDS(X)                                                                           \
	X(CIP, "c-ip")                                                                             \
	X(HOST, "cs-host")                                                                         \
	X(IDENT, "ident")                                                                          \
	X(USER, "cs-username")                                                                     \
	X(DATE, "date")                                                                            \
	X(TIME, "time")                                                                            \
	X(REQUEST, "request")                                                                      \
	X(METHOD, "cs-method")                                                                     \
	X(STEM, "cs-uri-stem")                                                                     \
	X(QUERY, "cs-uri-query")                                                                   \
	X(VERSION, "cs-version")                                                                   \
	X(STATUS, "sc-status")                                                                     \
	X(BYTES, "sc-bytes")                                                                       \
	X(REFERER, "cs-referrer")                                                                  \
	X(UA, "cs-user-agent")                                                                     \
	X(XFF, "x-forwarded-for")                                                                  \
	X(RTIME, "request-time")                                                                   \
	X(URTIME, "upstream-response-time")

enum access_field {
#define X(id, name) AF_##id,
	ACCESS_FIELDS(X)
#undef X
	    AF_COUNT
};

static const char *const access_field_names[] = {
#define X(id, name) name,
    ACCESS_FIELDS(X)
#undef X
};

#define ACCESS_MAX_EXTRAS 8 /* key=value extras kept per line */

struct access_rec {
	struct slice vhost, client, ident, user, when; /* when: with its brackets */
	struct slice request, status, bytes, referer, ua;
	struct slice xff, rtime, urtime;
	struct slice extra_key[ACCESS_MAX_EXTRAS], extra_val[ACCESS_MAX_EXTRAS];
	unsigned nextra;
	bool combined;
};

struct access_state {
	bool fields;
	uint32_t id[AF_COUNT];
};

static bool is_digit(char c)
{
	return c >= '0' && c <= '9';
}

static bool all_digits(struct slice s)
{
	if (!s.len)
		return false;
	for (size_t i = 0; i < s.len; i++)
		if (!is_digit(s.ptr[i]))
			return false;
	return true;
}

static bool is_dash(struct slice s)
{
	return s.len == 1 && s.ptr[0] == '-';
}

/* Whether the quote at q is escaped by an odd run of backslashes. */
static bool quote_escaped(const char *start, const char *q)
{
	size_t n = 0;
	while (q > start && q[-1] == '\\') {
		q--;
		n++;
	}
	return n & 1;
}

/* The next space-separated token at *p (spaces skipped first). */
static struct slice token_next(const char **p, const char *end)
{
	const char *s = *p;
	while (s < end && *s == ' ')
		s++;
	const char *e = memchr(s, ' ', (size_t)(end - s));
	if (!e)
		e = end;
	*p = e;
	return slice_make(s, (size_t)(e - s));
}

/* A status token: three digits or "-", then a space or the end. */
static bool status_follows(const char *p, const char *end)
{
	if (p < end && *p == '-')
		return p + 1 == end || p[1] == ' ';
	if (end - p < 3 || !is_digit(p[0]) || !is_digit(p[1]) || !is_digit(p[2]))
		return false;
	return p + 3 == end || p[3] == ' ';
}

/* End of the quoted value opening at s (s points after the quote): the first
 * unescaped quote followed by a space or the end of the line; for the request
 * the space must also lead to a status. NULL when there is none. */
static const char *quoted_end(const char *s, const char *end, bool request)
{
	const char *first = NULL;
	for (const char *q = s; q < end; q++) {
		q = memchr(q, '"', (size_t)(end - q));
		if (!q)
			break;
		if (quote_escaped(s, q))
			continue;
		if (q + 1 == end || q[1] == ' ') {
			if (!request || (q + 1 < end && status_follows(q + 2, end)))
				return q;
			if (!first)
				first = q;
		}
	}
	return first;
}

static bool ip_like(struct slice s)
{
	struct ip ip;
	return ip_parse(s, &ip) == 0;
}

/* host:port with digits after the last colon, and the host no address. */
static bool vhost_like(struct slice s)
{
	long i = (long)s.len - 1;
	while (i >= 0 && is_digit(s.ptr[i]))
		i--;
	return i > 0 && i < (long)s.len - 1 && s.ptr[i] == ':' && !ip_like(s);
}

static int access_parse(struct slice line, struct access_rec *r, struct diag *why)
{
	memset(r, 0, sizeof *r);
	const char *p = line.ptr, *end = line.ptr + line.len;
	const char *lb = memchr(p, '[', line.len);
	if (!lb || lb == p || lb[-1] != ' ')
		return diag_set(why, AS_EPARSE, "no [time] after the client columns");

	struct slice tok[6];
	unsigned nt = 0;
	const char *t = p;
	while (t < lb - 1) {
		if (nt == 6)
			return diag_set(why, AS_EPARSE, "too many columns before the [time]");
		tok[nt++] = token_next(&t, lb - 1);
		while (t < lb - 1 && *t == ' ')
			t++;
	}
	unsigned first = 0;
	if (nt < 3)
		return diag_set(why, AS_EPARSE,
				"expected client, ident and user before the [time]");
	if (nt >= 4 && (ip_like(tok[1]) || vhost_like(tok[0]))) {
		r->vhost = tok[0];
		first = 1;
	}
	if (nt - first < 3)
		return diag_set(why, AS_EPARSE,
				"expected client, ident and user before the [time]");
	r->client = tok[first];
	r->ident = tok[first + 1];
	/* A user name with spaces: everything up to the time. */
	const char *ue = tok[nt - 1].ptr + tok[nt - 1].len;
	r->user = slice_make(tok[first + 2].ptr, (size_t)(ue - tok[first + 2].ptr));

	const char *rb = memchr(lb, ']', (size_t)(end - lb));
	if (!rb)
		return diag_set(why, AS_EPARSE, "unterminated [time]");
	r->when = slice_make(lb, (size_t)(rb + 1 - lb));
	p = rb + 1;
	if (end - p < 2 || p[0] != ' ' || p[1] != '"')
		return diag_set(why, AS_EPARSE, "no quoted request after the [time]");
	p += 2;
	const char *qe = quoted_end(p, end, true);
	if (!qe)
		return diag_set(why, AS_EPARSE, "unterminated request");
	r->request = slice_make(p, (size_t)(qe - p));
	p = qe + 1;

	r->status = token_next(&p, end);
	if (!is_dash(r->status) && !(r->status.len == 3 && all_digits(r->status)))
		return diag_set(why, AS_EPARSE, "status is not a number: \"" SLICE_FMT "\"",
				SLICE_ARG(slice_sub(r->status, 0, 32)));
	r->bytes = token_next(&p, end);

	while (p < end && *p == ' ')
		p++;
	if (p < end && *p == '"') {
		const char *e = quoted_end(p + 1, end, false);
		if (!e)
			return diag_set(why, AS_EPARSE, "unterminated referer");
		r->referer = slice_make(p + 1, (size_t)(e - p - 1));
		p = e + 1;
		while (p < end && *p == ' ')
			p++;
		if (p < end && *p == '"') {
			e = quoted_end(p + 1, end, false);
			if (!e)
				return diag_set(why, AS_EPARSE, "unterminated user agent");
			r->ua = slice_make(p + 1, (size_t)(e - p - 1));
			p = e + 1;
			r->combined = true;
		}
	}

	/* nginx additions. */
	unsigned nquoted = 0, nbare = 0;
	while (p < end) {
		while (p < end && *p == ' ')
			p++;
		if (p == end)
			break;
		if (*p == '"') {
			const char *e = quoted_end(p + 1, end, false);
			if (!e)
				return diag_set(why, AS_EPARSE, "unterminated quoted extra column");
			if (nquoted++ == 0)
				r->xff = slice_make(p + 1, (size_t)(e - p - 1));
			p = e + 1;
			continue;
		}
		struct slice tk = token_next(&p, end);
		struct slice key;
		struct slice val = slice_cut(tk, '=', &key);
		if (val.ptr) {
			if (slice_eq_cstr(key, "rt") || slice_eq_cstr(key, "request_time"))
				r->rtime = val;
			else if (slice_eq_cstr(key, "urt") ||
				 slice_eq_cstr(key, "upstream_response_time"))
				r->urtime = val;
			else if (r->nextra < ACCESS_MAX_EXTRAS && key.len) {
				r->extra_key[r->nextra] = key;
				r->extra_val[r->nextra++] = val;
			}
		} else if (nbare == 0) {
			r->rtime = tk;
			nbare++;
		} else if (nbare == 1) {
			r->urtime = tk;
			nbare++;
		}
	}
	return 0;
}

static int hex_value(char h)
{
	if (is_digit(h))
		return h - '0';
	h = (char)(h | 0x20);
	return h >= 'a' && h <= 'f' ? h - 'a' + 10 : -1;
}

/* Apache/nginx escapes: \" \\ \xHH \n \r \t \b \v \f. Returns s itself when
 * it holds no backslash, else an arena copy; ptr NULL when out of memory. */
static struct slice unescape(struct slice s, struct arena *a)
{
	if (!memchr(s.ptr, '\\', s.len))
		return s;
	char *d = arena_alloc(a, s.len + 1);
	if (!d)
		return SLICE_NULL;
	size_t n = 0;
	for (size_t i = 0; i < s.len; i++) {
		char c = s.ptr[i];
		if (c != '\\' || i + 1 == s.len) {
			d[n++] = c;
			continue;
		}
		char e = s.ptr[++i];
		switch (e) {
		case 'n':
			d[n++] = '\n';
			break;
		case 'r':
			d[n++] = '\r';
			break;
		case 't':
			d[n++] = '\t';
			break;
		case 'b':
			d[n++] = '\b';
			break;
		case 'v':
			d[n++] = '\v';
			break;
		case 'f':
			d[n++] = '\f';
			break;
		case 'x': {
			int v = 0, k = 0;
			while (k < 2 && i + 1 < s.len) {
				char h = s.ptr[i + 1];
				int x = hex_value(h);
				if (x < 0)
					break;
				v = v * 16 + x;
				i++;
				k++;
			}
			if (k == 0) {
				d[n++] = '\\';
				d[n++] = 'x';
			} else {
				d[n++] = (char)v;
			}
			break;
		}
		default: /* \" \\ and anything unknown: the character itself */
			d[n++] = e;
		}
	}
	d[n] = 0;
	return slice_make(d, n);
}

static int access_init(void *state, const struct read_opts *opts)
{
	struct access_state *st = state;
	st->fields = opts && opts->fields;
	if (st->fields)
		for (int i = 0; i < AF_COUNT; i++)
			st->id[i] = fieldname_intern(slice_cstr(access_field_names[i]));
	return 0;
}

static int add(struct event *ev, struct arena *a, uint32_t name, struct slice v, bool number)
{
	if (is_dash(v) || !v.len)
		return event_field_add(ev, a, name, FT_NULL, SLICE_LIT(""));
	return event_field_add(ev, a, name, number && all_digits(v) ? FT_NUMBER : FT_STRING, v);
}

static bool http_method_like(struct slice s)
{
	if (!s.len || s.len > 24)
		return false;
	for (size_t i = 0; i < s.len; i++) {
		char c = s.ptr[i];
		if (!((c >= 'A' && c <= 'Z') || c == '-' || c == '_'))
			return false;
	}
	return true;
}

/* Seconds with a fraction ("0.123") to microseconds. */
static bool seconds_to_us(struct slice s, int64_t *us)
{
	if (!memchr(s.ptr, '.', s.len))
		return false;
	double d;
	if (slice_to_double(s, &d) || d < 0 || d > 1e9)
		return false;
	*us = (int64_t)(d * 1e6 + 0.5);
	return true;
}

static int access_line(void *state, struct slice line, struct event *ev, struct arena *a,
		       struct diag *why)
{
	struct access_state *st = state;
	struct access_rec r;
	int rc = access_parse(line, &r, why);
	if (rc < 0)
		return rc;

	ev->kind = EK_HTTP;
	if (time_parse_clf(r.when, &ev->time))
		ev->time = AS_TIME_NONE;
	if (ip_parse(r.client, &ev->src_ip) && !is_dash(r.client))
		ev->str[ES_SRC_HOST] = r.client;
	if (!is_dash(r.user) && r.user.len)
		ev->str[ES_USER] = r.user;
	if (r.vhost.len) {
		struct slice host = r.vhost;
		long c = (long)host.len - 1;
		while (c >= 0 && is_digit(host.ptr[c]))
			c--;
		uint64_t port;
		if (c > 0 && host.ptr[c] == ':' &&
		    slice_to_u64(slice_sub(host, (size_t)c + 1, host.len), &port) == 0 &&
		    port <= 65535) {
			event_set_num(ev, EN_DST_PORT, (int64_t)port);
			host.len = (size_t)c;
		}
		if (!is_dash(host))
			ev->str[ES_DOMAIN] = host;
	}

	struct slice req = unescape(r.request, a);
	if (!req.ptr)
		return diag_set(why, AS_ENOMEM, "arena full");
	struct slice method = SLICE_NULL, target = SLICE_NULL, version = SLICE_NULL;
	if (!is_dash(req)) {
		struct slice rest = slice_cut(req, ' ', &method);
		if (rest.ptr && http_method_like(method)) {
			const char *sp = NULL;
			for (size_t i = rest.len; i > 0; i--)
				if (rest.ptr[i - 1] == ' ') {
					sp = rest.ptr + i - 1;
					break;
				}
			target = rest;
			if (sp &&
			    slice_starts(slice_make(sp + 1, (size_t)(rest.ptr + rest.len - sp - 1)),
					 "HTTP/")) {
				version =
				    slice_make(sp + 1, (size_t)(rest.ptr + rest.len - sp - 1));
				target = slice_make(rest.ptr, (size_t)(sp - rest.ptr));
			}
			ev->str[ES_HTTP_METHOD] = method;
			if (target.len)
				ev->str[ES_URL] = target;
		} else {
			method = SLICE_NULL;
		}
	}
	uint64_t v;
	if (slice_to_u64(r.status, &v) == 0)
		event_set_num(ev, EN_HTTP_STATUS, (int64_t)v);
	if (slice_to_u64(r.bytes, &v) == 0 && v <= INT64_MAX)
		event_set_num(ev, EN_BYTES_IN, (int64_t)v);
	struct slice ua = SLICE_NULL, ref = SLICE_NULL, xff = SLICE_NULL;
	if (r.combined) {
		ua = unescape(r.ua, a);
		ref = unescape(r.referer, a);
		if (!ua.ptr || !ref.ptr)
			return diag_set(why, AS_ENOMEM, "arena full");
		if (ua.len && !is_dash(ua))
			ev->str[ES_USER_AGENT] = ua;
	}
	if (r.xff.ptr) {
		xff = unescape(r.xff, a);
		if (!xff.ptr)
			return diag_set(why, AS_ENOMEM, "arena full");
	}
	int64_t dur;
	if (r.rtime.len && seconds_to_us(r.rtime, &dur))
		event_set_num(ev, EN_DURATION_US, dur);
	webauth_apply(ev);

	if (!st->fields)
		return LINE_EVENT;
	const uint32_t *id = st->id;
	struct slice when = slice_sub(r.when, 1, r.when.len - 2);
	struct slice date;
	struct slice clock = slice_cut(when, ':', &date);
	struct slice stem = target, query = SLICE_NULL;
	long qm = slice_index(target, '?');
	if (qm >= 0) {
		stem = slice_sub(target, 0, (size_t)qm);
		query = slice_sub(target, (size_t)qm + 1, target.len);
	}
	rc = add(ev, a, id[AF_CIP], r.client, false);
	if (!rc && r.vhost.len)
		rc = add(ev, a, id[AF_HOST], r.vhost, false);
	if (!rc)
		rc = add(ev, a, id[AF_IDENT], r.ident, false);
	if (!rc)
		rc = add(ev, a, id[AF_USER], r.user, false);
	if (!rc)
		rc = add(ev, a, id[AF_DATE], date, false);
	if (!rc)
		rc = add(ev, a, id[AF_TIME], clock, false);
	if (!rc)
		rc = add(ev, a, id[AF_REQUEST], req, false);
	if (!rc && method.len) {
		rc = add(ev, a, id[AF_METHOD], method, false);
		if (!rc)
			rc = add(ev, a, id[AF_STEM], stem, false);
		if (!rc)
			rc = add(ev, a, id[AF_QUERY], query, false);
		if (!rc && version.len)
			rc = add(ev, a, id[AF_VERSION], version, false);
	}
	if (!rc)
		rc = add(ev, a, id[AF_STATUS], r.status, true);
	if (!rc)
		rc = add(ev, a, id[AF_BYTES], r.bytes, true);
	if (!rc && r.combined) {
		rc = add(ev, a, id[AF_REFERER], ref, false);
		if (!rc)
			rc = add(ev, a, id[AF_UA], ua, false);
	}
	if (!rc && xff.ptr)
		rc = add(ev, a, id[AF_XFF], xff, false);
	if (!rc && r.rtime.len)
		rc = event_field_add(ev, a, id[AF_RTIME], FT_NUMBER, r.rtime);
	if (!rc && r.urtime.len)
		rc = add(ev, a, id[AF_URTIME], r.urtime, false);
	for (unsigned i = 0; !rc && i < r.nextra; i++)
		rc = add(ev, a, fieldname_intern(r.extra_key[i]), r.extra_val[i], false);
	if (rc)
		return diag_set(why, rc, "native fields: %s", as_strerror(rc));
	return LINE_EVENT;
}

/* Up to eight complete lines of head must parse, with a CLF time. */
static int access_probe(struct slice head)
{
	unsigned good = 0, seen = 0;
	const char *p = head.ptr, *end = head.ptr + head.len;
	while (p < end && seen < 8) {
		const char *nl = memchr(p, '\n', (size_t)(end - p));
		if (!nl && seen)
			break; /* a partial last line says nothing */
		const char *e = nl ? nl : end;
		struct slice line = slice_make(p, (size_t)(e - p));
		if (line.len && line.ptr[line.len - 1] == '\r')
			line.len--;
		p = nl ? nl + 1 : end;
		if (!line.len)
			continue;
		seen++;
		struct access_rec r;
		struct diag d;
		int64_t t;
		if (access_parse(line, &r, &d) == 0 && time_parse_clf(r.when, &t) == 0)
			good++;
	}
	if (!seen || !good)
		return 0;
	if (good == seen)
		return 90;
	return good * 2 > seen ? 60 : 20;
}

const struct format format_access = {
    .name = "access",
    .summary = "web access log: Common/Combined Log Format (Apache, nginx, Tomcat, vhost)",
    .probe = access_probe,
    .state_size = sizeof(struct access_state),
    .init = access_init,
    .line = access_line,
};
