/*
 * engines.h — the detection engines a command runs, built from its options.
 *
 * `hunt` (and later `serve`) share the engine options (--ioc, --rules, …):
 * engines_options() adds them to a getopt table, engines_option() takes one,
 * engines_build() loads and compiles every engine asked for (or the bundled
 * defaults when none is), ready for the pipeline.
 */
#ifndef AS_APP_ENGINES_H
#define AS_APP_ENGINES_H

#include <getopt.h>
#include <stddef.h>

#include "core/diag.h"
#include "detect/detector.h"

struct kb;
struct yara_rules;

#define ENGINES_OPT_BASE   2000
#define ENGINES_MAX        8
#define ENGINES_MAX_INPUTS 256

struct engines {
	struct detector detectors[ENGINES_MAX];
	size_t n;
	const char *ioc[ENGINES_MAX_INPUTS];
	size_t nioc;
	const char *rules[ENGINES_MAX_INPUTS];
	size_t nrules;
	const char *placeholders;
	const char *yara[ENGINES_MAX_INPUTS];
	size_t nyara;
	const char *manifest;
	const char *behavior_config; /* NULL: data/behavior.conf when present */
	const char *geoip;           /* NULL: data/geoip/… when present */
	int no_behavior;
	struct detector *behavior;     /* the behaviour detector once built, or NULL */
	const struct kb *kb;           /* set before engines_build: links rules to groups */
	struct yara_rules *yara_rules; /* compiled, when --yara was given (owned) */
	int no_defaults;
	size_t sigma_loaded, sigma_total; /* after engines_build */
	size_t ioc_count, ioc_skipped;    /* after engines_build */
};

/* The folder of bundled data: $APTSCOPE_DATA, else the build-time default. */
const char *engines_data_dir(void);

void engines_init(struct engines *e);
/* Append the engine options to opts (room entries free); returns how many. */
size_t engines_options(struct option *opts, size_t room);
/* Take one option (its getopt code and argument): 0, or -1 when not ours. */
int engines_option(struct engines *e, int code, const char *arg);
/* The option lines for --help. */
const char *engines_help(void);
/* Load and compile. Problems in inputs are reported on d; returns non-zero
 * only when an engine cannot be built at all. */
int engines_build(struct engines *e, struct diag_sink *d);
void engines_fini(struct engines *e);

#endif
