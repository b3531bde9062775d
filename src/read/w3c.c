/*
 * w3c.c — W3C Extended Log File Format, as IIS (and Exchange, some proxies)
 * write it.
 *
 *   #Software: Microsoft Internet Information Services 10.0
 *   #Version: 1.0
 *   #Date: 2019-09-03 10:04:35
 *   #Fields: date time s-ip cs-method cs-uri-stem cs-uri-query s-port …
 *   2019-09-03 10:13:36 10.0.2.15 GET /erp/conn.aspx proxy&port=3389 80 - …
 *
 * The #Fields directive names the columns; it is parsed once per header
 * (each name interned once, given a role for the canonical mapping) and may
 * come again mid-file when the server restarts or the configuration changes:
 * the newest header rules the lines after it. Values are separated by single
 * spaces, "-" is empty, "+" stands for a space in cs(User-Agent) and
 * cs(Cookie), and a value in double quotes may hold spaces ("" is a quote).
 * A data line whose value count differs from the header's is rejected.
 *
 * Times are UTC (IIS always logs W3C times in UTC); a log with a time column
 * but no date column takes the date of the last #Date directive.
 *
 * Native fields carry the names exactly as #Fields writes them, and also the
 * Sigma webserver taxonomy name where it differs (cs(User-Agent) is also
 * cs-user-agent, cs(Referer) is also cs-referrer), so Sigma rules written
 * for either spelling match.
 */
#include <string.h>

#include "core/error.h"
#include "core/ip.h"
#include "core/limits.h"
#include "core/timeparse.h"
#include "event/fieldname.h"
#include "read/format.h"
#include "read/webauth.h"

enum role {
	R_NONE,
	R_DATE,
	R_TIME,
	R_SIP,
	R_SPORT,
	R_CIP,
	R_CPORT,
	R_METHOD,
	R_STEM,
	R_QUERY,
	R_URI,
	R_USER,
	R_UA,
	R_REFERER,
	R_COOKIE,
	R_STATUS,
	R_TIMETAKEN,
	R_HOST,
	R_SCBYTES,
	R_CSBYTES,
	R_COMPUTER,
	R_NUMBER, /* numeric, no canonical meaning */
};

struct role_name {
	const char *name;
	enum role role;
	const char *alias; /* Sigma taxonomy name, or NULL */
};

static const struct role_name role_names[] = {
    {"date", R_DATE, NULL},
    {"time", R_TIME, NULL},
    {"s-ip", R_SIP, NULL},
    {"s-port", R_SPORT, NULL},
    {"c-ip", R_CIP, NULL},
    {"c-port", R_CPORT, NULL},
    {"cs-method", R_METHOD, NULL},
    {"cs-uri-stem", R_STEM, NULL},
    {"cs-uri-query", R_QUERY, NULL},
    {"cs-uri", R_URI, NULL},
    {"cs-username", R_USER, NULL},
    {"cs(User-Agent)", R_UA, "cs-user-agent"},
    {"cs(Referer)", R_REFERER, "cs-referrer"},
    {"cs(Referrer)", R_REFERER, "cs-referrer"},
    {"cs(Cookie)", R_COOKIE, "cs-cookie"},
    {"cs(Host)", R_HOST, "cs-host"},
    {"cs-host", R_HOST, NULL},
    {"cs(X-Forwarded-For)", R_NONE, "x-forwarded-for"},
    {"sc-status", R_STATUS, NULL},
    {"sc-substatus", R_NUMBER, NULL},
    {"sc-win32-status", R_NUMBER, NULL},
    {"time-taken", R_TIMETAKEN, NULL},
    {"sc-bytes", R_SCBYTES, NULL},
    {"cs-bytes", R_CSBYTES, NULL},
    {"s-computername", R_COMPUTER, NULL},
};

struct w3c_col {
	uint32_t id;    /* name as written (FIELDNAME_NONE when fields are off) */
	uint32_t alias; /* Sigma name, or FIELDNAME_NONE */
	uint8_t role;
};

struct w3c_state {
	bool fields;
	bool iis;
	bool have_date;
	unsigned ncols; /* 0: no #Fields seen yet */
	char date[16];  /* from #Date: YYYY-MM-DD */
	struct w3c_col col[AS_MAX_W3C_COLUMNS];
};

static int w3c_init(void *state, const struct read_opts *opts)
{
	struct w3c_state *st = state;
	st->fields = opts && opts->fields;
	return 0;
}

static struct slice next_word(struct slice *rest)
{
	struct slice s = *rest;
	size_t i = 0;
	while (i < s.len && (s.ptr[i] == ' ' || s.ptr[i] == '\t'))
		i++;
	size_t j = i;
	while (j < s.len && s.ptr[j] != ' ' && s.ptr[j] != '\t')
		j++;
	*rest = slice_sub(s, j, s.len);
	return slice_sub(s, i, j - i);
}

static int fields_parse(struct w3c_state *st, struct slice spec, struct diag *why)
{
	unsigned n = 0;
	struct slice rest = spec;
	for (;;) {
		struct slice w = next_word(&rest);
		if (!w.len)
			break;
		if (n == AS_MAX_W3C_COLUMNS) {
			st->ncols = 0;
			return diag_set(why, AS_ETOOBIG, "#Fields has more than %u columns",
					AS_MAX_W3C_COLUMNS);
		}
		struct w3c_col *c = &st->col[n++];
		c->role = R_NONE;
		c->id = c->alias = FIELDNAME_NONE;
		const char *alias = NULL;
		for (size_t i = 0; i < sizeof role_names / sizeof role_names[0]; i++)
			if (slice_eq_nocase_cstr(w, role_names[i].name)) {
				c->role = (uint8_t)role_names[i].role;
				alias = role_names[i].alias;
				break;
			}
		if (st->fields) {
			c->id = fieldname_intern(w);
			if (alias)
				c->alias = fieldname_intern(slice_cstr(alias));
		}
	}
	st->ncols = n;
	if (!n)
		return diag_set(why, AS_EPARSE, "#Fields names no column");
	return LINE_SKIP;
}

static int directive(struct w3c_state *st, struct slice line, struct diag *why)
{
	if (slice_starts(line, "#Fields:"))
		return fields_parse(st, slice_sub(line, 8, line.len), why);
	if (slice_starts(line, "#Date:")) {
		struct slice rest = slice_sub(line, 6, line.len);
		struct slice d = next_word(&rest);
		st->have_date = d.len == 10 && slice_copy_cstr(d, st->date, sizeof st->date);
	} else if (slice_starts(line, "#Software:")) {
		st->iis = slice_contains_nocase(line, SLICE_LIT("Internet Information Services"));
	}
	return LINE_SKIP;
}

/* "+" to space (IIS writes spaces in header values as "+"). */
static struct slice plus_to_space(struct slice s, struct arena *a)
{
	if (!memchr(s.ptr, '+', s.len))
		return s;
	char *d = arena_strndup(a, s.ptr, s.len);
	if (!d)
		return SLICE_NULL;
	for (size_t i = 0; i < s.len; i++)
		if (d[i] == '+')
			d[i] = ' ';
	return slice_make(d, s.len);
}

/* A quoted value: "" inside stands for one quote. */
static struct slice unquote(struct slice s, struct arena *a)
{
	s = slice_sub(s, 1, s.len - 2);
	const char *q = memchr(s.ptr, '"', s.len);
	if (!q)
		return s;
	char *d = arena_alloc(a, s.len + 1);
	if (!d)
		return SLICE_NULL;
	size_t n = 0;
	for (size_t i = 0; i < s.len; i++) {
		d[n++] = s.ptr[i];
		if (s.ptr[i] == '"' && i + 1 < s.len && s.ptr[i + 1] == '"')
			i++;
	}
	return slice_make(d, n);
}

static bool is_dash(struct slice s)
{
	return s.len == 1 && s.ptr[0] == '-';
}

static bool all_digits(struct slice s)
{
	if (!s.len)
		return false;
	for (size_t i = 0; i < s.len; i++)
		if (s.ptr[i] < '0' || s.ptr[i] > '9')
			return false;
	return true;
}

static void set_port(struct event *ev, enum event_num k, struct slice v)
{
	uint64_t n;
	if (slice_to_u64(v, &n) == 0 && n <= 65535)
		event_set_num(ev, k, (int64_t)n);
}

static void set_count(struct event *ev, enum event_num k, struct slice v, int64_t scale)
{
	uint64_t n;
	if (slice_to_u64(v, &n) == 0 && n <= (uint64_t)(INT64_MAX / scale))
		event_set_num(ev, k, (int64_t)n * scale);
}

static int w3c_line(void *state, struct slice line, struct event *ev, struct arena *a,
		    struct diag *why)
{
	struct w3c_state *st = state;
	if (!line.len)
		return LINE_SKIP;
	if (line.ptr[0] == '#')
		return directive(st, line, why);
	if (!st->ncols)
		return diag_set(why, AS_EPARSE, "data line before any #Fields header");

	struct slice val[AS_MAX_W3C_COLUMNS];
	unsigned n = 0;
	const char *p = line.ptr, *end = line.ptr + line.len;
	while (p < end) {
		if (n == st->ncols)
			return diag_set(why, AS_EPARSE, "more values than the %u #Fields columns",
					st->ncols);
		const char *e;
		if (*p == '"') {
			e = p + 1;
			for (;;) {
				e = memchr(e, '"', (size_t)(end - e));
				if (!e)
					return diag_set(why, AS_EPARSE,
							"unterminated quoted value");
				if (e + 1 < end && e[1] == '"') {
					e += 2;
					continue;
				}
				break;
			}
			e++;
			if (e < end && *e != ' ')
				return diag_set(why, AS_EPARSE, "text after a quoted value");
		} else {
			e = memchr(p, ' ', (size_t)(end - p));
			if (!e)
				e = end;
		}
		val[n++] = slice_make(p, (size_t)(e - p));
		p = e < end ? e + 1 : end;
	}
	if (n != st->ncols)
		return diag_set(why, AS_EPARSE, "%u values for %u #Fields columns", n, st->ncols);

	ev->kind = EK_HTTP;
	if (st->iis)
		ev->str[ES_SERVICE] = SLICE_LIT("iis");
	struct slice date = SLICE_NULL, tod = SLICE_NULL, stem = SLICE_NULL, query = SLICE_NULL;
	for (unsigned i = 0; i < n; i++) {
		struct slice v = val[i];
		if (v.len >= 2 && v.ptr[0] == '"') {
			v = val[i] = unquote(v, a);
			if (!v.ptr)
				return diag_set(why, AS_ENOMEM, "arena full");
		}
		if (is_dash(v))
			continue;
		switch ((enum role)st->col[i].role) {
		case R_DATE:
			date = v;
			break;
		case R_TIME:
			tod = v;
			break;
		case R_SIP:
			ip_parse(v, &ev->dst_ip);
			break;
		case R_SPORT:
			set_port(ev, EN_DST_PORT, v);
			break;
		case R_CIP:
			if (ip_parse(v, &ev->src_ip))
				ev->str[ES_SRC_HOST] = v;
			break;
		case R_CPORT:
			set_port(ev, EN_SRC_PORT, v);
			break;
		case R_METHOD:
			ev->str[ES_HTTP_METHOD] = v;
			break;
		case R_STEM:
			stem = v;
			break;
		case R_QUERY:
			query = v;
			break;
		case R_URI:
			ev->str[ES_URL] = v;
			break;
		case R_USER:
			ev->str[ES_USER] = v;
			break;
		case R_UA:
			v = val[i] = plus_to_space(v, a);
			if (!v.ptr)
				return diag_set(why, AS_ENOMEM, "arena full");
			ev->str[ES_USER_AGENT] = v;
			break;
		case R_COOKIE:
			val[i] = plus_to_space(v, a);
			if (!val[i].ptr)
				return diag_set(why, AS_ENOMEM, "arena full");
			break;
		case R_STATUS:
			set_count(ev, EN_HTTP_STATUS, v, 1);
			break;
		case R_TIMETAKEN:
			set_count(ev, EN_DURATION_US, v, 1000);
			break;
		case R_HOST: {
			struct slice host = v;
			long c = slice_index(host, ':');
			if (c > 0 && slice_index(slice_sub(host, (size_t)c + 1, host.len), ':') < 0)
				host.len = (size_t)c;
			ev->str[ES_DOMAIN] = host;
			break;
		}
		case R_SCBYTES:
			set_count(ev, EN_BYTES_IN, v, 1);
			break;
		case R_CSBYTES:
			set_count(ev, EN_BYTES_OUT, v, 1);
			break;
		case R_COMPUTER:
			ev->str[ES_HOST] = v;
			break;
		case R_REFERER:
		case R_NUMBER:
		case R_NONE:
			break;
		}
	}

	if (!ev->str[ES_URL].ptr && stem.len) {
		if (query.len) {
			char *u = arena_alloc(a, stem.len + query.len + 2);
			if (!u)
				return diag_set(why, AS_ENOMEM, "arena full");
			memcpy(u, stem.ptr, stem.len);
			u[stem.len] = '?';
			memcpy(u + stem.len + 1, query.ptr, query.len);
			u[stem.len + 1 + query.len] = 0;
			ev->str[ES_URL] = slice_make(u, stem.len + 1 + query.len);
		} else {
			ev->str[ES_URL] = stem;
		}
	}

	ev->time = AS_TIME_NONE;
	if (tod.len) {
		if (!date.len && st->have_date)
			date = slice_cstr(st->date);
		char buf[64];
		struct slice when = tod;
		if (date.len && date.ptr + date.len + 1 == tod.ptr) {
			when = slice_make(date.ptr, date.len + 1 + tod.len);
		} else if (date.len && date.len + tod.len + 2 <= sizeof buf) {
			memcpy(buf, date.ptr, date.len);
			buf[date.len] = ' ';
			memcpy(buf + date.len + 1, tod.ptr, tod.len);
			when = slice_make(buf, date.len + 1 + tod.len);
		}
		int64_t t;
		if (date.len && time_parse_rfc3339(when, &t) == 0)
			ev->time = t;
	}
	webauth_apply(ev);

	if (!st->fields)
		return LINE_EVENT;
	for (unsigned i = 0; i < n; i++) {
		const struct w3c_col *c = &st->col[i];
		struct slice v = val[i];
		enum field_type ft = FT_STRING;
		if (is_dash(v) || !v.len) {
			ft = FT_NULL;
			v = SLICE_LIT("");
		} else if ((c->role == R_STATUS || c->role == R_NUMBER || c->role == R_SPORT ||
			    c->role == R_CPORT || c->role == R_TIMETAKEN || c->role == R_SCBYTES ||
			    c->role == R_CSBYTES) &&
			   all_digits(v)) {
			ft = FT_NUMBER;
		}
		int rc = event_field_add(ev, a, c->id, ft, v);
		if (!rc && c->alias != FIELDNAME_NONE)
			rc = event_field_add(ev, a, c->alias, ft, v);
		if (rc)
			return diag_set(why, rc, "native fields: %s", as_strerror(rc));
	}
	return LINE_EVENT;
}

static int w3c_probe(struct slice head)
{
	int score = 0;
	struct slice rest = head;
	while (rest.len) {
		struct slice line;
		struct slice next = slice_cut(rest, '\n', &line);
		if (!line.len || line.ptr[0] != '#')
			break; /* the directives come first */
		if (slice_starts(line, "#Software: Microsoft Internet Information Services"))
			score = 95;
		else if (slice_starts(line, "#Fields: ") && score < 85)
			score = 85;
		else if (slice_starts(line, "#Version: 1.0") && score < 50)
			score = 50;
		if (!next.ptr)
			break;
		rest = next;
	}
	return score;
}

const struct format format_w3c = {
    .name = "w3c",
    .summary = "W3C extended log (IIS, Exchange): columns from #Fields",
    .probe = w3c_probe,
    .state_size = sizeof(struct w3c_state),
    .init = w3c_init,
    .line = w3c_line,
};
