/*
 * webauth.c — the rules that call an HTTP request a log-in attempt.
 *
 * A web log shows the request and the status, never the response body or
 * the Location header, so the outcome is read from the status code and from
 * what each kind of log-in endpoint is known to answer.
 *
 * A request is a log-in attempt when
 *   1. it was answered 401 (or 407 from a proxy): credentials were asked for
 *      or refused, whatever the path or method (HTTP basic/digest/NTLM);
 *   2. it is a POST to a log-in endpoint (table below, matched on the path
 *      without query string or ";jsessionid=…", case-insensitively, at any
 *      mount point: /blog/wp-login.php counts);
 *   3. it is a GET to a log-in endpoint whose query carries a credential
 *      parameter (password, passwd, pwd, pass, j_password, or
 *      grant_type=password).
 * A GET of the log-in page without credentials only shows the form: not an
 * attempt.
 *
 * Outcome, by endpoint class:
 *   form   (/login, /signin, /wp-login.php, /j_security_check, /user/login,
 *          /users/sign_in, /admin/login …): 302/303 = success (the app
 *          redirects away from the form once logged in); 200 = failure (the
 *          form is rendered again with an error: WordPress, Drupal, Django
 *          admin, Tomcat form auth and Devise all do this).
 *   token  (/api/auth*, /api/login, /oauth/token, /connect/token, /auth …):
 *          200/201/204 = success (a token was issued).
 *   portal (/xmlrpc.php, /owa/auth.owa, /remote/logincheck (Fortinet),
 *          /dana-na/auth/ (Pulse Secure), /+CSCOE+/ and /+webvpn+/ (Cisco
 *          ASA)): these answer the same 200 or 302 whether the password was
 *          right or not, so 2xx/3xx leave the outcome unknown.
 *   every class: any 4xx = failure (401/403 refused, 400/422 rejected,
 *          429 throttled, 404/405 nothing there to log in to); 1xx/5xx and
 *          unknown statuses leave the outcome unknown.
 * A 401 on a path that is no log-in endpoint is a "basic" failure.
 */
#include "read/webauth.h"

#include <string.h>

enum match { M_SUFFIX, M_CONTAINS, M_LAST };
enum klass { C_FORM, C_TOKEN, C_PORTAL };

struct endpoint {
	const char *pat; /* lower case */
	enum match match;
	enum klass klass;
};

/* First match wins: the specific entries come before the generic names. */
static const struct endpoint endpoints[] = {
    {"/api/auth", M_CONTAINS, C_TOKEN},
    {"/api/login", M_CONTAINS, C_TOKEN},
    {"/oauth/token", M_SUFFIX, C_TOKEN},
    {"/oauth2/token", M_SUFFIX, C_TOKEN},
    {"/connect/token", M_SUFFIX, C_TOKEN},
    {"/xmlrpc.php", M_SUFFIX, C_PORTAL},
    {"/owa/auth.owa", M_SUFFIX, C_PORTAL},
    {"/remote/logincheck", M_SUFFIX, C_PORTAL},
    {"/dana-na/auth/", M_CONTAINS, C_PORTAL},
    {"/+cscoe+/", M_CONTAINS, C_PORTAL},
    {"/+webvpn+/", M_CONTAINS, C_PORTAL},
    {"/wp-login.php", M_SUFFIX, C_FORM},
    {"/j_security_check", M_SUFFIX, C_FORM},
    {"/users/sign_in", M_SUFFIX, C_FORM},
    {"/user/login", M_SUFFIX, C_FORM},
    {"/admin/login", M_SUFFIX, C_FORM},
    {"auth", M_LAST, C_TOKEN},
    {"authenticate", M_LAST, C_TOKEN},
    {"login", M_LAST, C_FORM},
    {"logon", M_LAST, C_FORM},
    {"signin", M_LAST, C_FORM},
    {"sign-in", M_LAST, C_FORM},
    {"sign_in", M_LAST, C_FORM},
    {"session", M_LAST, C_FORM},
};

/* Page extensions a log-in script may carry: /login.php is /login. */
static const char *const page_exts[] = {".php", ".jsp", ".aspx",   ".asp", ".html",
					".htm", ".do",  ".action", ".cgi", ".pl"};

static const char *const cred_params[] = {"password", "passwd", "pwd", "pass", "j_password"};
static const char *const user_params[] = {"log",        "user",  "username", "login",
					  "j_username", "email", "uname"};

static const char *const method_names[] = {"form", "token", "portal"};

static inline unsigned char fold(unsigned char c)
{
	return (c >= 'A' && c <= 'Z') ? (unsigned char)(c + 32) : c;
}

/* slice_eq_nocase_cstr() without the strlen: every request's query
 * parameters are compared with a dozen names, and most differ at once. */
static bool eq_nocase(struct slice a, const char *s)
{
	size_t i = 0;
	for (; i < a.len; i++)
		if (!s[i] || fold((unsigned char)a.ptr[i]) != fold((unsigned char)s[i]))
			return false;
	return s[i] == 0;
}

static bool ends_nocase(struct slice s, const char *suffix)
{
	return slice_ends_nocase(s, suffix);
}

static bool last_segment_is(struct slice path, const char *name)
{
	while (path.len > 1 && path.ptr[path.len - 1] == '/')
		path.len--;
	size_t start = path.len;
	while (start > 0 && path.ptr[start - 1] != '/')
		start--;
	struct slice seg = slice_sub(path, start, path.len - start);
	if (eq_nocase(seg, name))
		return true;
	size_t n = strlen(name);
	if (seg.len <= n || !eq_nocase(slice_sub(seg, 0, n), name))
		return false;
	struct slice ext = slice_sub(seg, n, seg.len - n);
	for (size_t i = 0; i < sizeof page_exts / sizeof page_exts[0]; i++)
		if (eq_nocase(ext, page_exts[i]))
			return true;
	return false;
}

static const struct endpoint *endpoint_find(struct slice path)
{
	for (size_t i = 0; i < sizeof endpoints / sizeof endpoints[0]; i++) {
		const struct endpoint *e = &endpoints[i];
		bool hit = false;
		switch (e->match) {
		case M_SUFFIX:
			hit = ends_nocase(path, e->pat) ||
			      (path.len > 1 && path.ptr[path.len - 1] == '/' &&
			       ends_nocase(slice_sub(path, 0, path.len - 1), e->pat));
			break;
		case M_CONTAINS:
			hit = slice_contains_nocase(path, slice_cstr(e->pat));
			break;
		case M_LAST:
			hit = last_segment_is(path, e->pat);
			break;
		}
		if (hit)
			return e;
	}
	return NULL;
}

/* Value of the first query parameter whose name is in names (raw, not
 * percent-decoded); found tells whether the name was there at all. */
static struct slice query_param(struct slice q, const char *const *names, size_t n, bool *found)
{
	*found = false;
	while (q.len) {
		struct slice pair;
		struct slice rest = slice_cut(q, '&', &pair);
		struct slice name;
		struct slice value = slice_cut(pair, '=', &name);
		for (size_t i = 0; i < n; i++)
			if (eq_nocase(name, names[i])) {
				*found = true;
				return value.ptr ? value : SLICE_NULL;
			}
		if (!rest.ptr)
			break;
		q = rest;
	}
	return SLICE_NULL;
}

static bool has_credentials(struct slice query)
{
	bool found;
	query_param(query, cred_params, sizeof cred_params / sizeof cred_params[0], &found);
	if (found)
		return true;
	static const char *const grant[] = {"grant_type"};
	struct slice g = query_param(query, grant, 1, &found);
	return found && eq_nocase(g, "password");
}

static enum outcome outcome_of(enum klass k, int status)
{
	if (status >= 400 && status < 500)
		return OUTCOME_FAILURE;
	switch (k) {
	case C_FORM:
		if (status == 302 || status == 303)
			return OUTCOME_SUCCESS;
		if (status == 200)
			return OUTCOME_FAILURE;
		break;
	case C_TOKEN:
		if (status == 200 || status == 201 || status == 204)
			return OUTCOME_SUCCESS;
		break;
	case C_PORTAL:
		break;
	}
	return OUTCOME_UNKNOWN;
}

bool webauth_classify(struct slice method, struct slice path, struct slice query, int status,
		      struct webauth_verdict *v)
{
	/* ";jsessionid=…" and other path parameters do not name the endpoint. */
	long semi = slice_index(path, ';');
	if (semi >= 0)
		path.len = (size_t)semi;
	/* The cheap tests first: most requests are GETs without credentials,
	 * and the endpoint table is only walked for the few that may be. */
	bool candidate = status == 401 || status == 407 || eq_nocase(method, "POST") ||
			 (query.len && eq_nocase(method, "GET") && has_credentials(query));
	if (!candidate)
		return false;
	const struct endpoint *e = path.len ? endpoint_find(path) : NULL;
	if (!e && status != 401 && status != 407)
		return false;
	if (e) {
		v->outcome = outcome_of(e->klass, status);
		v->auth_method = method_names[e->klass];
	} else {
		v->outcome = OUTCOME_FAILURE;
		v->auth_method = "basic";
	}
	bool found;
	v->user =
	    query_param(query, user_params, sizeof user_params / sizeof user_params[0], &found);
	return true;
}

bool webauth_apply(struct event *ev)
{
	struct slice url = ev->str[ES_URL];
	struct slice path = url, query = SLICE_NULL;
	long q = slice_index(url, '?');
	if (q >= 0) {
		path = slice_sub(url, 0, (size_t)q);
		query = slice_sub(url, (size_t)q + 1, url.len);
	}
	int status = event_has_num(ev, EN_HTTP_STATUS) ? (int)ev->num[EN_HTTP_STATUS] : 0;
	struct webauth_verdict v;
	if (!webauth_classify(ev->str[ES_HTTP_METHOD], path, query, status, &v))
		return false;
	ev->kind = EK_AUTH;
	ev->outcome = (uint8_t)v.outcome;
	ev->str[ES_AUTH_METHOD] = slice_cstr(v.auth_method);
	if (!ev->str[ES_SERVICE].ptr)
		ev->str[ES_SERVICE] = SLICE_LIT("http");
	/* A percent- or plus-encoded name would need decoding into the arena;
	 * such names are rare enough to leave to the native fields. */
	if (!ev->str[ES_USER].ptr && v.user.len && slice_index(v.user, '%') < 0 &&
	    slice_index(v.user, '+') < 0)
		ev->str[ES_USER] = v.user;
	return true;
}
