/* ioc_stix.c — STIX 2.x bundles (placeholder until the pattern reader lands). */
#include "detect/ioc/ioc_internal.h"

#include "core/error.h"

int ioc_load_stix(struct ioc_set *s, const char *name, const char *data, size_t n,
		  struct diag_sink *diags, struct ioc_load_stats *st)
{
	if (diags)
		diag_note(diags, "%s: STIX bundles are not supported yet", name);
	return AS_EUNSUPPORTED;
}
