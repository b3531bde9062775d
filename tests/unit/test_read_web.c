/*
 * test_read_web.c — the web server log readers (access, w3c, weberror) and
 * the log-in attempt rules they share (webauth).
 *
 * Single lines are checked against a table of expectations, written as
 * "name=value" pairs joined by '|': a canonical field by its JSON name
 * (event.h), kind, outcome, time, src_ip, dst_ip, user_invalid, "@name" for
 * a native field, or "!name" / "!@name" for a field that must be absent.
 *
 * Fixture files in tests/data/web/ (pass_*.log, fail_*.log) are read whole
 * through the reader driver (format detected from content for pass_*,
 * forced for fail_*) and again line by line through the format's line();
 * both ways must give the same events. The real corpora in
 * APTSCOPE_SHARED (EVTX-ATTACK-SAMPLES web logs) are read whole when present.
 */
#include "core/buf.h"
#include "core/error.h"
#include "read/webauth.h"
#include "read_test.h"

extern const struct format format_access;
extern const struct format format_w3c;
extern const struct format format_weberror;

static const char *data_path(const char *name)
{
	return test_data_path("web", name);
}

/* ---- single lines ---------------------------------------------------- */

struct line_case {
	const struct format *fmt;
	const char *pre; /* header lines fed first, '\n'-separated, or NULL */
	const char *line;
	int rc;           /* LINE_EVENT, LINE_SKIP, or a negative code */
	const char *want; /* expectations when rc == LINE_EVENT */
};

#define IIS_HDR                                                                                    \
	"#Software: Microsoft Internet Information Services 10.0\n#Version: 1.0\n"                 \
	"#Date: 2019-09-03 10:04:35\n#Fields: date time s-ip cs-method cs-uri-stem cs-uri-query "  \
	"s-port cs-username c-ip cs(User-Agent) cs(Referer) sc-status sc-substatus "               \
	"sc-win32-status time-taken"

static const struct line_case line_cases[] = {
    /* access: CLF, Combined, nginx, vhost, IPv6, escapes, junk */
    {&format_access, NULL,
     "127.0.0.1 - frank [10/Oct/2000:13:55:36 -0700] \"GET /a.gif HTTP/1.0\" 200 2326", LINE_EVENT,
     "kind=http|time=2000-10-10T20:55:36Z|src_ip=127.0.0.1|user=frank|http_method=GET|url=/a.gif|"
     "http_status=200|bytes_in=2326|!user_agent|@cs-version=HTTP/1.0|@date=10/Oct/2000|"
     "@time=13:55:36 -0700|@cs-username=frank|@sc-bytes=2326"},
    {&format_access, NULL,
     "10.0.0.1 - - [01/Mar/2024:12:00:00 +0000] \"GET /s?q=1&r=2 HTTP/1.1\" 404 - \"http://r/\" "
     "\"Mozilla/5.0 (X11)\"",
     LINE_EVENT,
     "kind=http|url=/s?q=1&r=2|@cs-uri-stem=/s|@cs-uri-query=q=1&r=2|!bytes_in|@sc-bytes=null|"
     "user_agent=Mozilla/5.0 (X11)|@cs-referrer=http://r/|@cs-user-agent=Mozilla/5.0 (X11)|!user|"
     "@cs-username=null"},
    {&format_access, NULL,
     "2001:db8::1 - - [01/Mar/2024:12:00:00 +0000] \"GET / HTTP/2.0\" 200 5 \"-\" \"curl/8\"",
     LINE_EVENT, "src_ip=2001:db8::1|@c-ip=2001:db8::1|@cs-referrer=null"},
    {&format_access, NULL,
     "::ffff:10.1.2.3 - - [01/Mar/2024:12:00:00 +0000] \"GET / HTTP/1.1\" 200 5", LINE_EVENT,
     "src_ip=10.1.2.3"},
    {&format_access, NULL,
     "gw.example.net - - [01/Mar/2024:12:00:00 +0000] \"GET / HTTP/1.1\" 200 5", LINE_EVENT,
     "!src_ip|src_host=gw.example.net"},
    {&format_access, NULL,
     "shop.example.com:443 192.0.2.9 - bob [01/Mar/2024:12:00:00 +0000] \"GET /c HTTP/1.1\" 200 "
     "9 \"-\" \"UA\"",
     LINE_EVENT,
     "domain=shop.example.com|dst_port=443|src_ip=192.0.2.9|user=bob|@cs-host=shop.example.com:"
     "443"},
    {&format_access, NULL,
     "shop 192.0.2.9 - - [01/Mar/2024:12:00:00 +0000] \"GET /c HTTP/1.1\" 200 9", LINE_EVENT,
     "domain=shop|!dst_port|src_ip=192.0.2.9"},
    {&format_access, NULL,
     "192.0.2.9 - John Smith [01/Mar/2024:12:00:00 +0000] \"GET /c HTTP/1.1\" 200 9", LINE_EVENT,
     "user=John Smith|src_ip=192.0.2.9|!domain"},
    {&format_access, NULL,
     "1.2.3.4 - - [01/Mar/2024:12:00:00 +0000] \"GET /a\\\"b HTTP/1.1\" 400 0 \"-\" \"x \\\"y\\\" "
     "z\"",
     LINE_EVENT, "url=/a\"b|user_agent=x \"y\" z"},
    {&format_access, NULL,
     "1.2.3.4 - - [01/Mar/2024:12:00:00 +0000] \"GET /\\x22x\\x22 HTTP/1.1\" 400 0 \"-\" "
     "\"a\\x22b\\\\c\"",
     LINE_EVENT, "url=/\"x\"|user_agent=a\"b\\c"},
    {&format_access, NULL, "1.2.3.4 - - [01/Mar/2024:12:00:00 +0000] \"-\" 400 0", LINE_EVENT,
     "kind=http|http_status=400|!http_method|!url|@request=null"},
    {&format_access, NULL,
     "1.2.3.4 - - [01/Mar/2024:12:00:00 +0000] \"\\x16\\x03\\x01\" 400 157 \"-\" \"-\"", LINE_EVENT,
     "http_status=400|!http_method|!url|!user_agent|@request=\x16\x03\x01"},
    {&format_access, NULL,
     "1.2.3.4 - - [01/Mar/2024:12:00:00 +0000] \"some invalid request\" 505 -", LINE_EVENT,
     "http_status=505|!http_method|@request=some invalid request"},
    {&format_access, NULL, "1.2.3.4 - - [01/Mar/2024:12:00:00 +0000] \"GET /old\" 200 10",
     LINE_EVENT, "http_method=GET|url=/old|!@cs-version"},
    /* Tomcat does not escape: a raw quote inside the request */
    {&format_access, NULL, "1.2.3.4 - - [01/Mar/2024:12:00:00 +0000] \"GET /a\"b HTTP/1.1\" 400 -",
     LINE_EVENT, "url=/a\"b|http_status=400"},
    {&format_access, NULL,
     "1.2.3.4 - - [01/Mar/2024:12:00:00 +0000] \"GET / HTTP/1.1\" 200 612 \"-\" \"UA\" \"10.1.1.1, "
     "10.2.2.2\" 0.250 0.249",
     LINE_EVENT,
     "@x-forwarded-for=10.1.1.1, 10.2.2.2|duration_us=250000|@request-time=0.250|"
     "@upstream-response-time=0.249"},
    {&format_access, NULL,
     "1.2.3.4 - - [01/Mar/2024:12:00:00 +0000] \"GET / HTTP/1.1\" 200 612 \"-\" \"UA\" rt=0.004 "
     "uct=\"0.000\" cache=HIT",
     LINE_EVENT, "duration_us=4000|@request-time=0.004|@cache=HIT|@uct=\"0.000\""},
    {&format_access, NULL, "1.2.3.4 - - [99/Xyz/2024:12:00:00 +0000] \"GET / HTTP/1.1\" 200 1",
     LINE_EVENT, "!time|http_status=200"},
    {&format_access, NULL,
     "203.0.113.7 - - [01/Mar/2024:12:00:00 +0000] \"POST /wp-login.php HTTP/1.1\" 200 4523",
     LINE_EVENT,
     "kind=auth|outcome=failure|auth_method=form|service=http|http_status=200|url=/wp-login.php"},
    {&format_access, NULL,
     "203.0.113.7 - - [01/Mar/2024:12:00:00 +0000] \"GET /login?user=root&password=x HTTP/1.1\" "
     "401 0",
     LINE_EVENT, "kind=auth|outcome=failure|user=root"},
    {&format_access, NULL, "not an access log", AS_EPARSE, NULL},
    {&format_access, NULL, "1.2.3.4 - - [01/Mar/2024:12:00:00 +0000] GET / 200 1", AS_EPARSE, NULL},
    {&format_access, NULL, "1.2.3.4 - - [01/Mar/2024:12:00:00 +0000] \"GET /\" abc 1", AS_EPARSE,
     NULL},
    {&format_access, NULL, "1.2.3.4 - - [01/Mar/2024:12:00:00 +0000", AS_EPARSE, NULL},
    {&format_access, NULL, "1.2.3.4 - - [01/Mar/2024:12:00:00 +0000] \"GET / HTTP/1.1", AS_EPARSE,
     NULL},
    {&format_access, NULL, "a b c d e f g [01/Mar/2024:12:00:00 +0000] \"GET /\" 200 1", AS_EPARSE,
     NULL},

    /* w3c */
    {&format_w3c, NULL, "#Software: Microsoft Internet Information Services 10.0", LINE_SKIP, NULL},
    {&format_w3c, IIS_HDR,
     "2019-09-03 10:13:36 10.0.2.15 GET /erp/conn.aspx proxy&port=3389&ip=127.0.0.1 80 - "
     "10.0.2.17 - - 200 0 0 7",
     LINE_EVENT,
     "kind=http|time=2019-09-03T10:13:36Z|dst_ip=10.0.2.15|dst_port=80|src_ip=10.0.2.17|"
     "http_method=GET|url=/erp/conn.aspx?proxy&port=3389&ip=127.0.0.1|http_status=200|"
     "duration_us=7000|service=iis|!user|@cs-uri-query=proxy&port=3389&ip=127.0.0.1|"
     "@cs(User-Agent)=null|@cs-user-agent=null|@sc-win32-status=0|@s-port=80"},
    {&format_w3c, IIS_HDR,
     "2019-09-03 10:13:36 10.0.2.15 POST /owa/auth.owa - 443 CONTOSO\\bob 203.0.113.5 "
     "Mozilla/5.0+(Windows+NT+10.0) https://mail/owa/ 302 0 0 15",
     LINE_EVENT,
     "kind=auth|!outcome|auth_method=portal|user=CONTOSO\\bob|url=/owa/auth.owa|"
     "user_agent=Mozilla/5.0 (Windows NT 10.0)|@cs(User-Agent)=Mozilla/5.0 (Windows NT 10.0)|"
     "@cs-user-agent=Mozilla/5.0 (Windows NT 10.0)|@cs(Referer)=https://mail/owa/|"
     "@cs-referrer=https://mail/owa/"},
    {&format_w3c, IIS_HDR, "2019-09-03 10:13:36 10.0.2.15 GET / - 80 - 10.0.2.17 - - 200 0 0",
     AS_EPARSE, NULL},
    {&format_w3c, IIS_HDR, "2019-09-03 10:13:36 10.0.2.15 GET / - 80 - 10.0.2.17 - - 200 0 0 7 8",
     AS_EPARSE, NULL},
    {&format_w3c, NULL, "2019-09-03 10:13:36 10.0.2.15 GET / - 80", AS_EPARSE, NULL},
    {&format_w3c, "#Date: 2024-05-06 00:00:00\n#Fields: time c-ip cs-method cs-uri-stem sc-status",
     "07:08:09 192.0.2.1 GET /x 200", LINE_EVENT,
     "time=2024-05-06T07:08:09Z|src_ip=192.0.2.1|url=/x"},
    {&format_w3c, "#Fields: date time c-ip cs-uri-stem sc-status\n#Fields: c-ip sc-status",
     "192.0.2.1 500", LINE_EVENT, "src_ip=192.0.2.1|http_status=500|!time|!url|@sc-status=500"},
    {&format_w3c, "#Fields: date time c-ip cs(User-Agent) cs-host sc-bytes cs-bytes",
     "2024-01-02 03:04:05 192.0.2.1 \"Quoted \"\"UA\"\"\" www.example.com:8080 100 200", LINE_EVENT,
     "user_agent=Quoted \"UA\"|domain=www.example.com|bytes_in=100|bytes_out=200|"
     "@cs-host=www.example.com:8080|@sc-bytes=100"},
    {&format_w3c, "#Fields: date time c-ip cs-uri-stem", "2024-01-02 03:04:05 \"open /x", AS_EPARSE,
     NULL},

    /* weberror: Apache 2.4 / 2.2 */
    {&format_weberror, NULL,
     "[Wed Oct 11 14:32:52.123456 2000] [auth_basic:error] [pid 123:tid 456] [client "
     "1.2.3.4:5678] AH01618: user foo not found: /secret",
     LINE_EVENT,
     "kind=auth|outcome=failure|user_invalid=1|user=foo|src_ip=1.2.3.4|src_port=5678|url=/secret|"
     "service=apache|auth_method=basic|time=2000-10-11T14:32:52.123456Z|pid=123|@module=auth_basic|"
     "@level=error|@tid=456|@error_code=AH01618"},
    {&format_weberror, NULL,
     "[Wed Oct 11 14:32:52.123456 2000] [auth_basic:error] [pid 123:tid 456] [client "
     "1.2.3.4:5678] AH01617: user x: authentication failure for \"/admin\": Password Mismatch",
     LINE_EVENT, "kind=auth|outcome=failure|user_invalid=0|user=x|url=/admin"},
    {&format_weberror, NULL,
     "[Wed Oct 11 14:32:52.123456 2000] [auth_basic:error] [pid 123:tid 456] [client "
     "::1:5678] AH01614: client used wrong authentication scheme: /p",
     LINE_EVENT, "kind=auth|outcome=failure|!user|src_ip=::1|src_port=5678|url=/p"},
    {&format_weberror, NULL,
     "[Wed Oct 11 14:32:52 2000] [error] [client 1.2.3.4] user x not found: /", LINE_EVENT,
     "kind=auth|user=x|user_invalid=1|src_ip=1.2.3.4|!src_port|time=2000-10-11T14:32:52Z|"
     "!@module"},
    {&format_weberror, NULL,
     "[Wed Oct 11 14:32:52 2000] [error] [client ::1] File does not exist: /var/www/favicon.ico",
     LINE_EVENT,
     "kind=other|src_ip=::1|!src_port|message=File does not exist: /var/www/favicon.ico"},
    {&format_weberror, NULL,
     "[Thu Mar 07 10:00:01.000000 2024] [core:error] [pid 100:tid 140] (13)Permission denied: "
     "[client 192.0.2.6:51001] AH00035: access to / denied, referer: http://e/",
     LINE_EVENT,
     "kind=other|src_ip=192.0.2.6|message=AH00035: access to / denied|@referer=http://e/|"
     "@level=error"},
    {&format_weberror, NULL,
     "[Thu Mar 07 10:00:02.000000 2024] [mpm_event:notice] [pid 1:tid 2] AH00489: Apache "
     "configured",
     LINE_EVENT, "kind=other|service=apache|!src_ip|@level=notice|@module=mpm_event"},
    /* nginx */
    {&format_weberror, NULL,
     "2024/03/01 12:00:00 [error] 123#0: *1 user \"x\": password mismatch, client: 1.2.3.4, "
     "server: example.com, request: \"GET /adm HTTP/1.1\", host: \"example.com\"",
     LINE_EVENT,
     "kind=auth|outcome=failure|user=x|user_invalid=0|src_ip=1.2.3.4|service=nginx|"
     "auth_method=basic|domain=example.com|http_method=GET|url=/adm|time=2024-03-01T12:00:00Z|"
     "pid=123|@connection=1|@server=example.com|@request=GET /adm HTTP/1.1"},
    {&format_weberror, NULL,
     "2024/03/01 12:00:01 [error] 123#0: *2 user \"ghost\" was not found in "
     "\"/etc/nginx/.htpasswd\", client: 1.2.3.5, server: s, request: \"GET / HTTP/1.1\"",
     LINE_EVENT, "kind=auth|user=ghost|user_invalid=1|domain=s"},
    {&format_weberror, NULL,
     "2024/03/01 12:00:02 [error] 123#0: *3 no user/password was provided for basic "
     "authentication, client: 2001:db8::5, server: s, request: \"GET / HTTP/1.1\"",
     LINE_EVENT, "kind=auth|outcome=failure|!user|src_ip=2001:db8::5"},
    {&format_weberror, NULL, "2024/03/01 12:00:04 [notice] 1#1: signal process started", LINE_EVENT,
     "kind=other|message=signal process started|@level=notice|service=nginx"},
    {&format_weberror, NULL, "PHP Warning: x", AS_EPARSE, NULL},
    {&format_weberror, NULL, "[Wed Oct 11 14:32:52 2000]", AS_EPARSE, NULL},
    {&format_weberror, NULL, "[Wed Foo 11 14:32:52 2000] [error] x", AS_EPARSE, NULL},
    {&format_weberror, NULL, "2024/13/01 12:00:00 [error] 1#0: x", AS_EPARSE, NULL},
};

static void *state_new(const struct format *f)
{
	void *st = calloc(1, f->state_size ? f->state_size : 1);
	assert_non_null(st);
	struct read_opts o = {.fields = true, .file_mtime_us = AS_TIME_NONE};
	if (f->init)
		assert_int_equal(f->init(st, &o), 0);
	return st;
}

static void state_free(const struct format *f, void *st)
{
	if (f->fini)
		f->fini(st);
	free(st);
}

static void test_lines(void **unused)
{
	struct arena a;
	arena_init(&a, 0);
	for (size_t i = 0; i < sizeof line_cases / sizeof line_cases[0]; i++) {
		const struct line_case *c = &line_cases[i];
		void *st = state_new(c->fmt);
		struct event ev;
		struct diag d = {0};
		char what[64];
		snprintf(what, sizeof what, "%s case %zu", c->fmt->name, i);
		if (c->pre) {
			char *pre = strdup(c->pre);
			for (char *save = NULL, *l = strtok_r(pre, "\n", &save); l;
			     l = strtok_r(NULL, "\n", &save)) {
				event_clear(&ev);
				int rc = c->fmt->line(st, slice_cstr(l), &ev, &a, &d);
				if (rc != LINE_SKIP)
					fail_msg("%s: header line gave %d (%s)", what, rc, d.msg);
			}
			free(pre);
		}
		event_clear(&ev);
		int rc = c->fmt->line(st, slice_cstr(c->line), &ev, &a, &d);
		if (rc != c->rc)
			fail_msg("%s: rc %d, expected %d (%s)", what, rc, c->rc, d.msg);
		if (rc < 0 && !d.msg[0])
			fail_msg("%s: rejected without a reason", what);
		if (rc == LINE_EVENT && c->want)
			check_event(&ev, c->want, what);
		/* Without native fields the canonical face is the same. */
		if (rc == LINE_EVENT) {
			void *st2 = calloc(1, c->fmt->state_size);
			struct read_opts o = {.fields = false};
			c->fmt->init(st2, &o);
			if (c->pre) {
				char *pre = strdup(c->pre);
				for (char *save = NULL, *l = strtok_r(pre, "\n", &save); l;
				     l = strtok_r(NULL, "\n", &save)) {
					struct event e;
					event_clear(&e);
					c->fmt->line(st2, slice_cstr(l), &e, &a, &d);
				}
				free(pre);
			}
			struct event e2;
			event_clear(&e2);
			assert_int_equal(c->fmt->line(st2, slice_cstr(c->line), &e2, &a, &d),
					 LINE_EVENT);
			assert_int_equal(e2.nfields, 0);
			assert_int_equal(e2.kind, ev.kind);
			assert_true(slice_eq(e2.str[ES_URL], ev.str[ES_URL]));
			assert_true(slice_eq(e2.str[ES_USER], ev.str[ES_USER]));
			state_free(c->fmt, st2);
		}
		state_free(c->fmt, st);
		arena_reset(&a);
	}
	arena_free(&a);
}

/* ---- webauth ---------------------------------------------------------- */

struct auth_case {
	const char *method, *url;
	int status;
	int attempt; /* 0 no, 1 yes */
	enum outcome outcome;
	const char *auth_method; /* NULL: do not check */
	const char *user;        /* from the query, NULL: none */
};

static const struct auth_case auth_cases[] = {
    {"POST", "/wp-login.php", 200, 1, OUTCOME_FAILURE, "form", NULL},
    {"POST", "/wp-login.php", 302, 1, OUTCOME_SUCCESS, "form", NULL},
    {"POST", "/blog/wp-login.php", 200, 1, OUTCOME_FAILURE, "form", NULL},
    {"GET", "/wp-login.php", 200, 0, 0, NULL, NULL},
    {"GET", "/wp-login.php?log=admin&pwd=secret", 200, 1, OUTCOME_FAILURE, "form", "admin"},
    {"POST", "/xmlrpc.php", 200, 1, OUTCOME_UNKNOWN, "portal", NULL},
    {"POST", "/xmlrpc.php", 403, 1, OUTCOME_FAILURE, "portal", NULL},
    {"POST", "/login", 302, 1, OUTCOME_SUCCESS, "form", NULL},
    {"POST", "/login", 303, 1, OUTCOME_SUCCESS, "form", NULL},
    {"POST", "/login", 200, 1, OUTCOME_FAILURE, "form", NULL},
    {"POST", "/LOGIN", 401, 1, OUTCOME_FAILURE, "form", NULL},
    {"POST", "/login.php", 403, 1, OUTCOME_FAILURE, "form", NULL},
    {"POST", "/account/login.aspx", 302, 1, OUTCOME_SUCCESS, "form", NULL},
    {"POST", "/login/", 200, 1, OUTCOME_FAILURE, "form", NULL},
    {"POST", "/loginx", 200, 0, 0, NULL, NULL},
    {"POST", "/blog/login-help", 200, 0, 0, NULL, NULL},
    {"GET", "/login", 200, 0, 0, NULL, NULL},
    {"GET", "/login?next=/home", 200, 0, 0, NULL, NULL},
    {"GET", "/login?username=bob&password=x", 302, 1, OUTCOME_SUCCESS, "form", "bob"},
    {"GET", "/login?username=b%40x&password=x", 302, 1, OUTCOME_SUCCESS, "form", "b%40x"},
    {"POST", "/signin", 200, 1, OUTCOME_FAILURE, "form", NULL},
    {"POST", "/sign-in", 302, 1, OUTCOME_SUCCESS, "form", NULL},
    {"POST", "/users/sign_in", 422, 1, OUTCOME_FAILURE, "form", NULL},
    {"POST", "/user/login", 303, 1, OUTCOME_SUCCESS, "form", NULL},
    {"POST", "/admin/login/", 200, 1, OUTCOME_FAILURE, "form", NULL},
    {"POST", "/manager/j_security_check", 302, 1, OUTCOME_SUCCESS, "form", NULL},
    {"POST", "/app/j_security_check;jsessionid=ABC", 200, 1, OUTCOME_FAILURE, "form", NULL},
    {"POST", "/api/auth", 200, 1, OUTCOME_SUCCESS, "token", NULL},
    {"POST", "/api/auth/login", 401, 1, OUTCOME_FAILURE, "token", NULL},
    {"POST", "/api/authenticate", 204, 1, OUTCOME_SUCCESS, "token", NULL},
    {"POST", "/api/login", 400, 1, OUTCOME_FAILURE, "token", NULL},
    {"POST", "/v2/api/login", 201, 1, OUTCOME_SUCCESS, "token", NULL},
    {"POST", "/oauth/token", 200, 1, OUTCOME_SUCCESS, "token", NULL},
    {"POST", "/oauth/token", 400, 1, OUTCOME_FAILURE, "token", NULL},
    {"GET", "/oauth/token?grant_type=password&username=u&password=p", 200, 1, OUTCOME_SUCCESS,
     "token", "u"},
    {"GET", "/oauth/token?grant_type=client_credentials", 200, 0, 0, NULL, NULL},
    {"POST", "/connect/token", 500, 1, OUTCOME_UNKNOWN, "token", NULL},
    {"POST", "/auth", 200, 1, OUTCOME_SUCCESS, "token", NULL},
    {"POST", "/owa/auth.owa", 302, 1, OUTCOME_UNKNOWN, "portal", NULL},
    {"POST", "/OWA/auth.owa", 401, 1, OUTCOME_FAILURE, "portal", NULL},
    {"POST", "/remote/logincheck", 200, 1, OUTCOME_UNKNOWN, "portal", NULL},
    {"POST", "/dana-na/auth/url_default/login.cgi", 302, 1, OUTCOME_UNKNOWN, "portal", NULL},
    {"GET", "/dana-na/auth/url_default/welcome.cgi", 200, 0, 0, NULL, NULL},
    {"POST", "/+CSCOE+/logon.html", 200, 1, OUTCOME_UNKNOWN, "portal", NULL},
    {"GET", "/+CSCOE+/logon.html", 200, 0, 0, NULL, NULL},
    {"POST", "/+webvpn+/index.html", 403, 1, OUTCOME_FAILURE, "portal", NULL},
    {"GET", "/manager/html", 401, 1, OUTCOME_FAILURE, "basic", NULL},
    {"PROPFIND", "/dav/", 401, 1, OUTCOME_FAILURE, "basic", NULL},
    {"GET", "/", 407, 1, OUTCOME_FAILURE, "basic", NULL},
    {"GET", "/secret", 403, 0, 0, NULL, NULL},
    {"POST", "/comment", 401, 1, OUTCOME_FAILURE, "basic", NULL},
    {"POST", "/comment", 200, 0, 0, NULL, NULL},
    {"POST", "/wp-login.php", 404, 1, OUTCOME_FAILURE, "form", NULL},
    {"POST", "/wp-login.php", 503, 1, OUTCOME_UNKNOWN, "form", NULL},
    {"HEAD", "/login", 200, 0, 0, NULL, NULL},
    {"POST", "", 401, 1, OUTCOME_FAILURE, "basic", NULL},
    {"POST", "/login", 0, 1, OUTCOME_UNKNOWN, "form", NULL},
};

static void test_webauth(void **unused)
{
	assert_true(sizeof auth_cases / sizeof auth_cases[0] >= 30);
	for (size_t i = 0; i < sizeof auth_cases / sizeof auth_cases[0]; i++) {
		const struct auth_case *c = &auth_cases[i];
		struct slice url = slice_cstr(c->url), path = url, query = SLICE_NULL;
		long q = slice_index(url, '?');
		if (q >= 0) {
			path = slice_sub(url, 0, (size_t)q);
			query = slice_sub(url, (size_t)q + 1, url.len);
		}
		struct webauth_verdict v = {0};
		bool got = webauth_classify(slice_cstr(c->method), path, query, c->status, &v);
		if (got != (bool)c->attempt)
			fail_msg("webauth case %zu (%s %s %d): attempt %d, expected %d", i,
				 c->method, c->url, c->status, got, c->attempt);
		if (!got)
			continue;
		if (v.outcome != c->outcome)
			fail_msg("webauth case %zu (%s %s %d): outcome %s, expected %s", i,
				 c->method, c->url, c->status, outcome_name(v.outcome),
				 outcome_name(c->outcome));
		if (c->auth_method && strcmp(v.auth_method, c->auth_method) != 0)
			fail_msg("webauth case %zu: method %s, expected %s", i, v.auth_method,
				 c->auth_method);
		if (c->user ? !slice_eq_cstr(v.user, c->user) : v.user.len != 0)
			fail_msg("webauth case %zu: user \"" SLICE_FMT "\"", i, SLICE_ARG(v.user));
	}

	/* webauth_apply keeps the HTTP fields and a user from the log. */
	struct event ev;
	event_clear(&ev);
	ev.kind = EK_HTTP;
	ev.str[ES_HTTP_METHOD] = SLICE_LIT("GET");
	ev.str[ES_URL] = SLICE_LIT("/wp-login.php?log=admin&pwd=x");
	ev.str[ES_USER] = SLICE_LIT("frank");
	event_set_num(&ev, EN_HTTP_STATUS, 200);
	assert_true(webauth_apply(&ev));
	assert_int_equal(ev.kind, EK_AUTH);
	assert_int_equal(ev.outcome, OUTCOME_FAILURE);
	assert_true(slice_eq_cstr(ev.str[ES_USER], "frank"));
	assert_true(slice_eq_cstr(ev.str[ES_SERVICE], "http"));
	assert_true(slice_eq_cstr(ev.str[ES_HTTP_METHOD], "GET"));
	/* an encoded user name from the query is not used raw */
	event_clear(&ev);
	ev.str[ES_HTTP_METHOD] = SLICE_LIT("GET");
	ev.str[ES_URL] = SLICE_LIT("/login?user=a%20b&password=x");
	assert_true(webauth_apply(&ev));
	assert_null(ev.str[ES_USER].ptr);
	event_clear(&ev);
	ev.str[ES_HTTP_METHOD] = SLICE_LIT("GET");
	ev.str[ES_URL] = SLICE_LIT("/index.html");
	event_set_num(&ev, EN_HTTP_STATUS, 200);
	assert_false(webauth_apply(&ev));
	assert_int_equal(ev.kind, EK_OTHER);
}

/* ---- fixture files ---------------------------------------------------- */

struct file_case {
	const char *name;
	const struct format *fmt;
	bool detect; /* read with detection (must pick fmt) rather than forced */
	uint64_t events, errors, auth;
};

static const struct file_case file_cases[] = {
    {"pass_combined.log", &format_access, true, 15, 0, 5},
    {"pass_tomcat_attack.log", &format_access, true, 35, 0, 6},
    {"pass_iis_tunna.log", &format_w3c, true, 17, 0, 0},
    {"pass_iis_full.log", &format_w3c, true, 5, 0, 3},
    {"pass_apache_error.log", &format_weberror, true, 9, 0, 6},
    {"pass_nginx_error.log", &format_weberror, true, 6, 0, 3},
    {"fail_access.log", &format_access, false, 0, 6, 0},
    {"fail_w3c.log", &format_w3c, false, 0, 6, 0},
    {"fail_weberror.log", &format_weberror, false, 0, 6, 0},
};

struct file_result {
	uint64_t events, errors, auth;
	struct buf json; /* every event's JSON, one a line */
};

static void add_event(void *ctx, const struct event *ev)
{
	struct file_result *res = ctx;
	res->events++;
	res->auth += ev->kind == EK_AUTH;
	event_to_json(ev, &res->json);
	buf_append(&res->json, "\n", 1);
}

static void read_whole(const char *path, const struct format *force, const struct format *want,
		       struct file_result *res)
{
	struct read_opts o = {.fields = true, .file_mtime_us = AS_TIME_NONE};
	struct read_run run;
	if (read_run(&run, path, force, &o, add_event, res))
		fail_msg("%s: %s", path, run.open_msg);
	if (run.fmt != want)
		fail_msg("%s: detected as %s, expected %s", path, run.fmt->name, want->name);
	assert_true(run.end_rc == 0);
	res->errors = run.st.errors;
	read_run_free(&run);
}

static void add_line(void *ctx, int rc, const struct line_feeder *fd)
{
	struct file_result *res = ctx;
	if (rc == LINE_EVENT)
		add_event(res, &fd->ev);
	else if (rc < 0)
		res->errors++;
}

/* The same file fed line by line to line(), as a driver that splits on
 * '\n' and drops one '\r' would. */
static void read_by_line(const char *path, const struct format *fmt, struct file_result *res)
{
	size_t n;
	char *data = slurp(path, &n);
	struct source src = {.path = path, .format = fmt->name};
	struct read_opts o = {.fields = true, .file_mtime_us = AS_TIME_NONE};
	struct line_feeder fd;
	feeder_open(&fd, fmt, &o);
	fd.src = &src;
	feed_text(&fd, data, n, add_line, res);
	feeder_close(&fd);
	free(data);
}

static void test_files(void **unused)
{
	for (size_t i = 0; i < sizeof file_cases / sizeof file_cases[0]; i++) {
		const struct file_case *c = &file_cases[i];
		const char *path = data_path(c->name);
		struct file_result whole = {0}, lines = {0};
		read_whole(path, c->detect ? NULL : c->fmt, c->fmt, &whole);
		if (whole.events != c->events || whole.errors != c->errors || whole.auth != c->auth)
			fail_msg(
			    "%s: %llu events, %llu errors, %llu auth; expected %llu, %llu, %llu",
			    c->name, (unsigned long long)whole.events,
			    (unsigned long long)whole.errors, (unsigned long long)whole.auth,
			    (unsigned long long)c->events, (unsigned long long)c->errors,
			    (unsigned long long)c->auth);
		read_by_line(path, c->fmt, &lines);
		assert_int_equal(lines.events, whole.events);
		assert_int_equal(lines.errors, whole.errors);
		assert_int_equal(lines.json.len, whole.json.len);
		assert_memory_equal(lines.json.data, whole.json.data, whole.json.len);
		buf_free(&whole.json);
		buf_free(&lines.json);
	}
}

/* Detection: each reader scores its own fixtures above every other reader. */
static void test_probe(void **unused)
{
	static const struct {
		const char *name;
		const struct format *fmt;
	} cases[] = {
	    {"pass_combined.log", &format_access},       {"pass_tomcat_attack.log", &format_access},
	    {"pass_iis_tunna.log", &format_w3c},         {"pass_iis_full.log", &format_w3c},
	    {"pass_apache_error.log", &format_weberror}, {"pass_nginx_error.log", &format_weberror},
	};
	for (size_t i = 0; i < sizeof cases / sizeof cases[0]; i++) {
		size_t n;
		char *data = slurp(data_path(cases[i].name), &n);
		struct slice head = slice_make(data, n < AS_PROBE_BYTES ? n : AS_PROBE_BYTES);
		int conf = 0;
		const struct format *got = format_detect(head, &conf);
		if (got != cases[i].fmt)
			fail_msg("%s detected as %s", cases[i].name, got ? got->name : "nothing");
		/* the other two web readers say no */
		const struct format *mine[] = {&format_access, &format_w3c, &format_weberror};
		for (size_t k = 0; k < 3; k++)
			if (mine[k] != cases[i].fmt && mine[k]->probe(head) >= AS_PROBE_MIN)
				fail_msg("%s: %s probes %d", cases[i].name, mine[k]->name,
					 mine[k]->probe(head));
		/* cut mid-line, as the probe window may be */
		assert_true(cases[i].fmt->probe(slice_make(data, n > 300 ? 300 : n)) >=
			    AS_PROBE_MIN);
		free(data);
	}
	const char *others[] = {"", "{\"a\":1}\n", "Mar  1 12:00:00 host sshd[1]: x\n",
				"#separator \\x09\n#fields\tts\tuid\n"};
	for (size_t i = 0; i < sizeof others / sizeof others[0]; i++) {
		struct slice h = slice_cstr(others[i]);
		assert_true(format_access.probe(h) < AS_PROBE_MIN);
		assert_true(format_w3c.probe(h) < AS_PROBE_MIN);
		assert_true(format_weberror.probe(h) < AS_PROBE_MIN);
	}
}

/* The real EVTX-ATTACK-SAMPLES web logs, when ../shared is present. */
static void test_shared_corpora(void **unused)
{
	const char *shared = getenv("APTSCOPE_SHARED");
	static const struct {
		const char *rel;
		const struct format *fmt;
		uint64_t events;
	} cases[] = {
	    {"corpora/evtx-attack-samples/Command and Control/"
	     "web_attack_and_isp_webshell_localhost_access_log.txt",
	     &format_access, 2661},
	    {"corpora/evtx-attack-samples/Command and Control/Tunna_rdp_tunnel_IIS.log",
	     &format_w3c, 4298},
	};
	for (size_t i = 0; i < sizeof cases / sizeof cases[0]; i++) {
		char path[2048];
		snprintf(path, sizeof path, "%s/%s", shared ? shared : "", cases[i].rel);
		FILE *f = shared ? fopen(path, "rb") : NULL;
		if (!f) {
			print_message("skipped: %s not found (set APTSCOPE_SHARED)\n",
				      cases[i].rel);
			continue;
		}
		fclose(f);
		struct file_result res = {0};
		read_whole(path, NULL, cases[i].fmt, &res);
		assert_int_equal(res.errors, 0);
		assert_int_equal(res.events, cases[i].events);
		buf_free(&res.json);
	}
}

int main(void)
{
	const struct CMUnitTest tests[] = {
	    cmocka_unit_test(test_lines),          cmocka_unit_test(test_webauth),
	    cmocka_unit_test(test_files),          cmocka_unit_test(test_probe),
	    cmocka_unit_test(test_shared_corpora),
	};
	return cmocka_run_group_tests(tests, NULL, NULL);
}
