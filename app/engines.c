/* engines.c — building the detection engines from command options, see engines.h. */
#include "engines.h"

#include <stdio.h>
#include <string.h>

#include "core/error.h"

enum { OPT_IOC = ENGINES_OPT_BASE, OPT_NO_DEFAULTS };

void engines_init(struct engines *e)
{
	memset(e, 0, sizeof *e);
}

size_t engines_options(struct option *opts, size_t room)
{
	static const struct option mine[] = {
	    {"ioc", required_argument, 0, OPT_IOC},
	    {"no-defaults", no_argument, 0, OPT_NO_DEFAULTS},
	};
	size_t n = sizeof mine / sizeof *mine;
	if (n > room)
		n = room;
	memcpy(opts, mine, n * sizeof *mine);
	return n;
}

const char *engines_help(void)
{
	return "  --no-defaults   do not load the bundled default content\n";
}

static int add_input(const char **list, size_t *n, const char *arg)
{
	if (*n >= ENGINES_MAX_INPUTS) {
		fprintf(stderr, "aptscope: more than %d inputs for one engine\n", ENGINES_MAX_INPUTS);
		return -1;
	}
	list[(*n)++] = arg;
	return 0;
}

int engines_option(struct engines *e, int code, const char *arg)
{
	switch (code) {
	case OPT_IOC:
		return add_input(e->ioc, &e->nioc, arg);
	case OPT_NO_DEFAULTS:
		e->no_defaults = 1;
		return 0;
	default:
		return -1;
	}
}

int engines_build(struct engines *e, struct diag_sink *d)
{
	(void)d;
	return 0;
}

void engines_fini(struct engines *e)
{
	for (size_t i = 0; i < e->n; i++)
		if (e->detectors[i].shared_free)
			e->detectors[i].shared_free(e->detectors[i].shared);
	e->n = 0;
}
