/*
 * sigma.h — the Sigma detection engine: load, compile, detect.
 *
 * A rule set is built once and then shared read-only by every worker:
 *
 *   sigma_ruleset_new()       an empty set
 *   sigma_ruleset_placeholders()  optional: values for `|expand` placeholders
 *   sigma_ruleset_load()      YAML files (a file or a directory, recursively);
 *                             each rule that cannot load is reported with its
 *                             file, line and reason, and loading goes on
 *   sigma_ruleset_compile()   logsource classes, the Hyperscan prefilter over
 *                             the literals of all rules, correlation and filter links
 *   sigma_detector_init()     a struct detector (detector.h) running the set;
 *                             the detector then owns the set
 *
 * Per worker the engine keeps scratch memory and the bounded windows of
 * correlation rules: a correlation sees the events of its own worker only.
 * See docs/sigma.md for the semantics, the logsource mapping and the limits.
 */
#ifndef AS_DETECT_SIGMA_SIGMA_H
#define AS_DETECT_SIGMA_SIGMA_H

#include <stddef.h>
#include <stdio.h>

#include "detect/detector.h"

struct sigma_ruleset;

/* One rule (YAML document) that could not be loaded. */
struct sigma_load_error {
	char *file;    /* path as given / found (malloc'd) */
	unsigned line; /* 1-based line of the offending node, 0 when unknown */
	char *title;   /* the rule's title when known, else NULL */
	char *reason;  /* what is wrong (malloc'd) */
};

/* Outcome of one or more sigma_ruleset_load() calls. Zero-initialise. */
struct sigma_load_report {
	size_t total;  /* rule documents seen (detection, correlation and filter rules) */
	size_t loaded; /* of which loaded */
	struct sigma_load_error *errors;
	size_t nerrors;
	size_t cap;
};

/* An empty rule set in *out. Free with sigma_ruleset_free(). */
int sigma_ruleset_new(struct sigma_ruleset **out);

/* Placeholder values for `|expand` from a YAML file mapping each name (with or
 * without %…%) to a value or a list of values. Call before loading rules. */
int sigma_ruleset_placeholders(struct sigma_ruleset *rs, const char *path);

/* Load every *.yml / *.yaml under path (a file or a directory). Rules that
 * cannot load are appended to rep (may be NULL) and skipped. Returns 0, or
 * AS_ENOENT when path cannot be opened, AS_ENOMEM, AS_ETOOBIG (rule cap). */
int sigma_ruleset_load(struct sigma_ruleset *rs, const char *path, struct sigma_load_report *rep);

/* Load one YAML text (one or more documents) named name in reports. */
int sigma_ruleset_load_text(struct sigma_ruleset *rs, const char *name, const char *text,
			    size_t len, struct sigma_load_report *rep);

/* Build the prefilter, logsource classes and correlation/filter links. After
 * this the set is read-only. Problems found while linking (a correlation or
 * filter naming an unknown rule) go to rep (may be NULL). */
int sigma_ruleset_compile(struct sigma_ruleset *rs, struct sigma_load_report *rep);

/* Number of detection, correlation and filter rules loaded. */
size_t sigma_ruleset_count(const struct sigma_ruleset *rs);

/* Rules that loaded but whose logsource no reader provides (they see no event). */
size_t sigma_ruleset_unmapped(const struct sigma_ruleset *rs);

/* Fill *d (name "sigma", needs_fields true). The detector owns rs from now on
 * (its shared_free frees it). rs must be compiled. */
int sigma_detector_init(struct detector *d, struct sigma_ruleset *rs);

/* A worker's value cache (the literals of recently seen field values): how
 * many values it knew and how many it did not since the last call, and it
 * starts empty again. For benchmarks that repeat the same events. */
void sigma_worker_forget(void *worker, unsigned long long *hits, unsigned long long *misses);

void sigma_ruleset_free(struct sigma_ruleset *rs);          /* accepts NULL */
void sigma_load_report_free(struct sigma_load_report *rep); /* accepts NULL */

#endif
