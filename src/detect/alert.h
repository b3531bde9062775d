/*
 * alert.h — one finding of one detector, with its evidence.
 *
 * An alert outlives the batch that raised it, so it owns its strings (in its
 * own arena). Detectors build one with alert_new(), fill it with the alert_set_*
 * helpers, and hand it to an alert_sink, which takes ownership.
 * alert_to_json() writes the JSON line of DESIGN.md ("type":"alert").
 */
#ifndef AS_DETECT_ALERT_H
#define AS_DETECT_ALERT_H

#include <stdint.h>

#include "core/arena.h"
#include "core/buf.h"
#include "core/ip.h"
#include "core/limits.h"
#include "core/slice.h"
#include "event/event.h"

#define ALERT_LEVEL_LIST(X)                                                                        \
	X(INFORMATIONAL, "informational")                                                          \
	X(LOW, "low")                                                                              \
	X(MEDIUM, "medium")                                                                        \
	X(HIGH, "high")                                                                            \
	X(CRITICAL, "critical")

enum alert_level {
#define X(id, name) AL_##id,
	ALERT_LEVEL_LIST(X)
#undef X
	    AL_COUNT
};

struct alert_indicator {
	const char *type;    /* "ipv4", "domain", "sha256", … */
	const char *value;   /* as listed in the feed (refanged) */
	const char *field;   /* the event field it matched: "dst_ip", "domain" … */
	const char *source;  /* feed file */
	const char *label;   /* campaign/description from the feed, may be NULL */
	const char **groups; /* NULL-terminated, may be NULL */
	const char **malware;
};

struct alert {
	char id[17];          /* 16 hex digits, stable for the same finding */
	int64_t time;         /* event time (µs), AS_TIME_NONE if unknown */
	const char *detector; /* "ioc", "sigma", "yara", "behavior", "supply" (static) */
	const char *rule_id;
	const char *rule_title;
	enum alert_level level;
	const char *techniques[AS_MAX_ALERT_TECHNIQUES];
	unsigned ntechniques;
	const char *host;
	struct ip src_ip, dst_ip;
	const char *user;
	struct alert_indicator indicators[AS_MAX_ALERT_INDICATORS];
	unsigned nindicators;
	const struct source *source; /* lives for the run */
	uint64_t record;
	const char *evidence; /* a JSON object (text), NULL for {} */
	struct arena arena;   /* owns every string above */
};

/* A new empty alert (malloc'd); NULL when out of memory. Free with alert_free(). */
struct alert *alert_new(const char *detector);
void alert_free(struct alert *a); /* accepts NULL */

/* Copy a string into the alert's arena (NULL for an empty/NULL input). */
const char *alert_strdup(struct alert *a, struct slice s);
/* Fill time, host, ips, user, source and record from the event that fired. */
void alert_from_event(struct alert *a, const struct event *ev);
int alert_add_technique(struct alert *a, struct slice technique);
/* Returns the added indicator (its strings copied) or NULL when full. */
struct alert_indicator *alert_add_indicator(struct alert *a, const char *type, struct slice value,
					    const char *field);
/* Compute a->id from detector, rule, source, record and indicator values. */
void alert_compute_id(struct alert *a);

const char *alert_level_name(enum alert_level l);
int alert_level_parse(struct slice s); /* -1 when unknown */

/* The JSON line of DESIGN.md, without a newline. */
int alert_to_json(const struct alert *a, struct buf *out);

/* Where detectors put alerts. emit() takes ownership of a (even on error). */
struct alert_sink {
	int (*emit)(struct alert_sink *self, struct alert *a);
};

#endif
