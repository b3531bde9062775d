/*
 * webauth.h — is this HTTP request a log-in attempt, and did it succeed?
 *
 * Shared by the web log readers (access, w3c, weberror) so that a password
 * spray against /wp-login.php looks the same to the brute-force detectors
 * whether it came from an nginx access log or an IIS W3C log. The rules are
 * documented at the top of webauth.c.
 */
#ifndef AS_READ_WEBAUTH_H
#define AS_READ_WEBAUTH_H

#include <stdbool.h>

#include "core/slice.h"
#include "event/event.h"

struct webauth_verdict {
	enum outcome outcome;    /* OUTCOME_UNKNOWN when the status does not tell */
	const char *auth_method; /* "form", "token", "basic", "portal" (static) */
	struct slice user;       /* user named in the query string (raw), or empty */
};

/* Decide whether a request is a log-in attempt. method, path (URI stem,
 * without the query) and query (without '?', may be empty) as logged;
 * status 0 or negative when unknown. Returns true and fills *v for an
 * attempt; false otherwise (*v untouched). Pure: no allocation. */
bool webauth_classify(struct slice method, struct slice path, struct slice query, int status,
		      struct webauth_verdict *v);

/* Classify ev from its canonical HTTP fields (http_method, url, http_status)
 * and, for an attempt, turn it into EK_AUTH with outcome, auth_method and
 * service ("http" unless already set) while keeping every HTTP field. The
 * user is taken from the query string only when the log had none. Returns
 * true when ev became an auth event. */
bool webauth_apply(struct event *ev);

#endif
