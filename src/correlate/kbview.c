/*
 * kbview.c — the only file of src/correlate/ that reads the knowledge base:
 * the victim's organisation from the assets, CVE dates and platforms,
 * technique tactics and platforms. Every function accepts a NULL kb and then
 * knows nothing, so correlation works without intel.
 */
#include <string.h>

#include "core/timeparse.h"
#include "correlate/correlate_int.h"
#include "intel/intel.h"

void kbview_victim(const struct kb *kb, const struct ip *ip, const char *host, const char *path,
		   struct victim_info *out)
{
	*out = (struct victim_info){0};
	struct kb_asset_hit hit;
	if (!kb || kb_asset_match(kb, ip, host ? slice_cstr(host) : SLICE_NULL,
				  path ? slice_cstr(path) : SLICE_NULL, &hit))
		return;
	out->org = hit.org;
	out->sector = hit.sector;
	out->country = hit.country;
}

const char *kbview_vendor_server(const struct kb *kb, const struct ip *addr, const char *victim_org)
{
	struct kb_asset_hit hit;
	if (!kb || !addr || !addr->family ||
	    kb_asset_match(kb, addr, SLICE_NULL, SLICE_NULL, &hit) || !hit.org || !hit.sector)
		return NULL;
	if (strcmp(hit.sector, "it") || (victim_org && !strcmp(victim_org, hit.org)))
		return NULL;
	return hit.org;
}

bool kbview_cve(const struct kb *kb, const char *id, int64_t *published, int64_t *fixed, bool *kev,
		uint32_t *platforms)
{
	*published = *fixed = AS_TIME_NONE;
	*kev = false;
	*platforms = 0;
	const struct kb_cve *c = kb ? kb_cve_find(kb, slice_cstr(id)) : NULL;
	if (!c)
		return false;
	*published = c->published;
	*fixed = c->fixed;
	*kev = c->known_exploited;
	for (uint32_t i = 0; i < c->platforms.n; i++) {
		int p = platform_parse(slice_cstr(c->platforms.v[i]));
		if (p >= 0)
			*platforms |= 1u << p;
	}
	return true;
}

uint32_t kbview_tactics(const struct kb *kb, const char *technique)
{
	const struct kb_technique *t = kb ? kb_technique_find(kb, slice_cstr(technique)) : NULL;
	if (!t && kb && strlen(technique) > 5 && technique[5] == '.')
		t = kb_technique_find(kb, slice_make(technique, 5));
	uint32_t s = 0;
	for (uint32_t i = 0; t && i < t->tactics.n; i++) {
		int k = killchain_parse(t->tactics.v[i]);
		if (k >= 0)
			s |= 1u << k;
	}
	return s;
}

uint32_t kbview_technique_platforms(const struct kb *kb, const char *technique, unsigned *nnames)
{
	*nnames = 0;
	const struct kb_technique *t = kb ? kb_technique_find(kb, slice_cstr(technique)) : NULL;
	uint32_t p = 0;
	for (uint32_t i = 0; t && i < t->platforms.n; i++) {
		int k = platform_parse(slice_cstr(t->platforms.v[i]));
		if (k >= 0)
			p |= 1u << k;
	}
	if (t)
		*nnames = t->platforms.n;
	return p;
}
