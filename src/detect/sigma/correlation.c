/*
 * correlation.c — Sigma correlation rules (placeholder while being written).
 */
#include <stdio.h>

#include "core/error.h"
#include "detect/sigma/sigma_int.h"

int sigma_corr_parse(struct sigma_compile_ctx *cc, struct sigma_rule *r, const struct sy_node *n,
		     char *err, size_t errcap, unsigned *line)
{
	snprintf(err, errcap, "correlation rules are not supported yet");
	*line = n->line;
	return AS_EUNSUPPORTED;
}

int sigma_corr_link(struct sigma_ruleset *rs, struct sigma_rule *r, char *err, size_t errcap)
{
	return AS_EUNSUPPORTED;
}

int sigma_corr_worker_new(struct sigma_corr_worker **out, const struct sigma_ruleset *rs)
{
	*out = NULL;
	return 0;
}

void sigma_corr_worker_free(struct sigma_corr_worker *w)
{
}

int sigma_corr_feed(struct sigma_worker *w, const struct sigma_rule *r, const struct event *ev,
		    struct alert_sink *out)
{
	return 0;
}

int sigma_corr_flush(struct sigma_worker *w, struct alert_sink *out)
{
	return 0;
}
