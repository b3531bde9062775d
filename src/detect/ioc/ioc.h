/*
 * ioc.h — the indicator-of-compromise engine: indicator sets and their matching.
 *
 * Life of a set:
 *
 *   ioc_set_new ─► ioc_set_load (files: lists, CSV, signature-base, STIX, MISP)
 *               └► ioc_set_add  (programmatic)
 *               ─► ioc_set_finish (freeze: compile file-name patterns)
 *               ─► ioc_detector_init (a struct detector owning the set)
 *                  or ioc_matcher_new + ioc_matcher_match (direct use, tests)
 *
 * A finished set is read-only and shared by every worker thread; each thread
 * matches with its own struct ioc_matcher (regex scratch space, hit list).
 *
 * Indicators are typed (enum ioc_type) and each keeps where it came from
 * (struct ioc_meta: feed, label, groups, malware, score, validity). Matching
 * checks every canonical field of an event against the indicators of its type:
 *   src_ip, dst_ip   IPv4/IPv6 exact and CIDR
 *   domain           the domain and each parent domain (a.b.evil.com → evil.com)
 *   url              normalised (see ioc_url_normalise); a path is joined to domain
 *   md5 sha1 sha256 ja3 ja3s  hex, any case
 *   email, user_agent
 *   file_path        its base name against file names; the whole path against
 *                    file-name regular expressions (signature-base filename-iocs)
 */
#ifndef AS_DETECT_IOC_IOC_H
#define AS_DETECT_IOC_IOC_H

#include <stddef.h>
#include <stdint.h>

#include "core/diag.h"
#include "core/slice.h"
#include "detect/detector.h"
#include "event/event.h"

#define IOC_TYPE_LIST(X)                                                                           \
	X(IPV4, "ipv4")                                                                            \
	X(IPV6, "ipv6")                                                                            \
	X(CIDR, "cidr")                                                                            \
	X(DOMAIN, "domain")                                                                        \
	X(URL, "url")                                                                              \
	X(MD5, "md5")                                                                              \
	X(SHA1, "sha1")                                                                            \
	X(SHA256, "sha256")                                                                        \
	X(JA3, "ja3")                                                                              \
	X(JA3S, "ja3s")                                                                            \
	X(EMAIL, "email")                                                                          \
	X(USER_AGENT, "user_agent")                                                                \
	X(FILENAME, "filename")                                                                    \
	X(FILENAME_RE, "filename_regex")

enum ioc_type {
#define X(id, name) IOC_##id,
	IOC_TYPE_LIST(X)
#undef X
	    IOC_TYPE_COUNT
};

/* Where an indicator came from. Every string is copied by the set. */
struct ioc_meta {
	const char *source;         /* feed (file path as given), may be NULL */
	const char *label;          /* campaign / description, may be NULL */
	const char *const *groups;  /* NULL-terminated threat-actor names, may be NULL */
	const char *const *malware; /* NULL-terminated malware / tool names, may be NULL */
	const char *ref;            /* STIX indicator id, MISP attribute uuid; may be NULL */
	int score;                  /* 0..100 from the source, -1 when it gives none */
	int64_t valid_from;         /* µs; AS_TIME_NONE: no bound */
	int64_t valid_until;        /* µs, exclusive; AS_TIME_NONE: no bound */
};

/* Counts of one load (added to, never reset, by the loaders). */
struct ioc_load_stats {
	uint64_t records;    /* lines / attributes / indicator objects seen */
	uint64_t loaded;     /* indicators added */
	uint64_t duplicates; /* same type, value and metadata as one already loaded */
	uint64_t skipped;    /* rejected, each reported on diags with the reason */
};

struct ioc_set;

/* A new empty set; free with ioc_set_free(). 0 or AS_ENOMEM. */
int ioc_set_new(struct ioc_set **out);
void ioc_set_free(struct ioc_set *s); /* accepts NULL */

/* Load one feed file; the format is detected from its content (and the
 * signature-base file-name conventions: *filename*, *hash*, *c2*, *keyword*).
 * Rejected records are reported on diags (may be NULL) as FILE:LINE: REASON,
 * counted in *st (may be NULL), and loading goes on. Returns 0, or an error
 * when the file cannot be read or its format is not known at all. */
int ioc_set_load(struct ioc_set *s, const char *path, struct diag_sink *diags,
		 struct ioc_load_stats *st);
/* The same on a buffer in memory; name is used as the source and in reports. */
int ioc_set_load_mem(struct ioc_set *s, const char *name, const char *data, size_t n,
		     struct diag_sink *diags, struct ioc_load_stats *st);

/* Add one indicator. type is a type name or alias ("ipv4", "ip-dst", "domain",
 * "hostname", "sha256", "filename|md5" is not one: callers split it), or
 * "auto"/NULL to infer it from the value's shape. The value may be defanged
 * (evil[.]com, hxxp://). meta may be NULL. Returns 0 when added, 1 when the
 * same value with the same metadata is there already, or AS_EINVAL /
 * AS_EPARSE / AS_EUNSUPPORTED / AS_ETOOBIG / AS_ENOMEM with the reason in
 * *why (may be NULL); AS_EINVAL after ioc_set_finish. */
int ioc_set_add(struct ioc_set *s, const char *type, struct slice value,
		const struct ioc_meta *meta, struct diag *why);

/* Freeze the set for matching (compiles the file-name patterns; patterns that
 * cannot be compiled are reported on diags and dropped). 0 or AS_ENOMEM. */
int ioc_set_finish(struct ioc_set *s, struct diag_sink *diags);

size_t ioc_set_count(const struct ioc_set *s);                       /* indicators */
size_t ioc_set_count_type(const struct ioc_set *s, enum ioc_type t); /* of one type */
size_t ioc_set_memory(const struct ioc_set *s);                      /* bytes held */

const char *ioc_type_name(enum ioc_type t);
/* A type name or alias (case-insensitive) → enum ioc_type, or -1. */
int ioc_type_parse(struct slice name);
/* The type a value's shape suggests (after refanging), or -1. */
int ioc_type_infer(struct slice value);

/* Undo defanging ([.] (.) {.} [dot] hxxp hxxps [:] [@] [at] …) into dst[cap];
 * returns the length or -1 when it does not fit. */
long ioc_refang(struct slice in, char *dst, size_t cap);
/* The comparison form of a URL into dst[cap]: scheme dropped, host lower-case,
 * default port (80, 443) dropped, empty path → "/", fragment dropped. A value
 * starting with '/' is joined to host (may be empty). Length or -1. */
long ioc_url_normalise(struct slice url, struct slice host, char *dst, size_t cap);

/* ---- Matching ---------------------------------------------------------- */

struct ioc_hit {
	enum ioc_type type;
	enum event_str field;  /* which event field matched (ES_COUNT+0: src_ip, +1: dst_ip) */
	uint32_t id;           /* the indicator (opaque) */
	uint16_t sub;          /* opaque (CIDR prefix length) */
	struct slice observed; /* the event's value that matched (valid with the event) */
};

#define IOC_FIELD_SRC_IP ((enum event_str)(ES_COUNT + 0))
#define IOC_FIELD_DST_IP ((enum event_str)(ES_COUNT + 1))

struct ioc_matcher;

/* A per-thread matcher over a finished set (which must outlive it). */
int ioc_matcher_new(const struct ioc_set *s, struct ioc_matcher **out);
void ioc_matcher_free(struct ioc_matcher *m); /* accepts NULL */
/* The indicators ev matches, at most cap of them, in hits; returns how many.
 * Indicators whose validity excludes the event's time are not reported. */
size_t ioc_matcher_match(struct ioc_matcher *m, const struct event *ev, struct ioc_hit *hits,
			 size_t cap);

/* About a hit's indicator: its metadata, and its value as text (into dst[cap],
 * NUL-terminated; returns the length). */
const struct ioc_meta *ioc_hit_meta(const struct ioc_set *s, const struct ioc_hit *h);
size_t ioc_hit_value(const struct ioc_set *s, const struct ioc_hit *h, char *dst, size_t cap);
const char *ioc_field_name(enum event_str field);

/* ---- Detector ------------------------------------------------------------ */

/* Fill *d as the "ioc" detector over s (finishing it if needed). From then on
 * d owns s: d->shared_free(d->shared) frees it. One alert per matching event. */
int ioc_detector_init(struct detector *d, struct ioc_set *s);

#endif
