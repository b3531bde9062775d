/*
 * json.c — the threat-landscape report as one JSON object: every number of
 * the other renderers, each row with the ids of the incidents behind it
 * ("incident_ids"), and an "incidents" appendix. Field names are a contract
 * (docs/report.md): fields may be added, never renamed.
 */
#include <jansson.h>
#include <stdlib.h>
#include <string.h>

#include "core/json.h"
#include "core/timeparse.h"
#include "intel/intel.h"
#include "report/report.h"

static void w_time(struct jw *w, const char *key, int64_t t)
{
	char s[AS_TIME_STRLEN];
	jw_key(w, key);
	if (t == AS_TIME_NONE)
		jw_null(w);
	else
		jw_cstr(w, time_format(t, s));
}

static void w_share(struct jw *w, double share)
{
	jw_key(w, "share");
	jw_double(w, (double)(int64_t)(share * 10000.0 + 0.5) / 10000.0);
}

static void w_ids(struct jw *w, const struct landscape *l, const struct rep_row *r)
{
	jw_key(w, "incident_ids");
	jw_arr(w);
	for (size_t i = 0; i < r->ninc; i++)
		jw_cstr(w, l->inc[r->inc[i]].id);
	jw_arr_end(w);
}

/* [{key: …, incidents, share, incident_ids}] */
static void w_rows(struct jw *w, const struct landscape *l, const char *name,
		   const struct rep_tally *t, const char *keyname)
{
	jw_key(w, name);
	jw_arr(w);
	for (size_t i = 0; i < t->n; i++) {
		const struct rep_row *r = t->order[i];
		jw_obj(w);
		jw_kcstr(w, keyname, r->key);
		if (!strcmp(keyname, "sector"))
			jw_kcstr(w, "name", rep_sector_label(r->key));
		if (!strcmp(keyname, "country")) {
			const char *cn = intel_country_name(r->key);
			jw_kcstr(w, "name", cn ? cn : r->key);
		}
		jw_kint(w, "incidents", (int64_t)r->ninc);
		w_share(w, rep_share(l, r->ninc));
		w_ids(w, l, r);
		jw_obj_end(w);
	}
	jw_arr_end(w);
}

static void w_names(struct jw *w, const char *key, const struct rep_tally *t, size_t most)
{
	jw_key(w, key);
	jw_arr(w);
	for (size_t i = 0; i < t->n && i < most; i++)
		jw_cstr(w, t->order[i]->key);
	jw_arr_end(w);
}

static void w_group(struct jw *w, const struct landscape *l, const struct rep_row *r)
{
	const struct rep_group *g = r->group;
	jw_obj(w);
	jw_kcstr(w, "group", r->key);
	jw_kcstr(w, "id", g ? g->attack_id : NULL);
	jw_key(w, "aliases");
	jw_arr(w);
	for (size_t i = 0; g && i < g->naliases; i++)
		jw_cstr(w, g->aliases[i]);
	jw_arr_end(w);
	jw_kcstr(w, "country", g ? g->country : NULL);
	jw_kcstr(w, "region", g ? g->region : NULL);
	jw_kint(w, "incidents", (int64_t)r->ninc);
	w_share(w, rep_share(l, r->ninc));
	struct rep_tally orgs, sectors;
	if (!rep_row_breakdown(l, r, RF_ORG, &orgs)) {
		uint64_t n = 0;
		for (size_t i = 0; i < orgs.n; i++)
			n += strcmp(orgs.rows[i].key, "unknown") != 0;
		jw_kint(w, "organisations", (int64_t)n);
		rep_tally_free(&orgs);
	}
	if (!rep_row_breakdown(l, r, RF_SECTOR, &sectors)) {
		w_names(w, "sectors", &sectors, sectors.n);
		rep_tally_free(&sectors);
	}
	w_time(w, "first_seen", g ? g->first_seen : AS_TIME_NONE);
	w_time(w, "last_seen", g ? g->last_seen : AS_TIME_NONE);
	if (g && g->cluster) {
		jw_kcstr(w, "later_named", g->named);
		struct rep_tally t;
		if (!rep_row_breakdown(l, r, RF_TECHNIQUE, &t)) {
			w_names(w, "techniques", &t, 20);
			rep_tally_free(&t);
		}
		if (!rep_row_breakdown(l, r, RF_MALWARE, &t)) {
			w_names(w, "malware", &t, 20);
			rep_tally_free(&t);
		}
		if (!rep_row_breakdown(l, r, RF_COUNTRY, &t)) {
			w_names(w, "victim_countries", &t, t.n);
			rep_tally_free(&t);
		}
		if (!rep_row_breakdown(l, r, RF_NEAREST, &t)) {
			w_names(w, "nearest_known_groups", &t, t.n);
			rep_tally_free(&t);
		}
	}
	w_ids(w, l, r);
	jw_obj_end(w);
}

/* "a · b" keys of supply and services back into their parts */
static void w_split(struct jw *w, const char *key, const char *k1, const char *k2)
{
	const char *dot = strstr(key, " · ");
	jw_key(w, k1);
	jw_str(w, slice_make(key, dot ? (size_t)(dot - key) : strlen(key)));
	jw_kcstr(w, k2, dot ? dot + strlen(" · ") : "unknown");
}

static void w_compare(struct jw *w, const char *name, const struct rep_tally *now,
		      const struct rep_tally *before, const char *keyname)
{
	struct rep_delta *d;
	size_t n;
	jw_key(w, name);
	jw_arr(w);
	if (!rep_compare(now, before, &d, &n)) {
		for (size_t i = 0; i < n; i++) {
			jw_obj(w);
			jw_kcstr(w, keyname, d[i].key);
			jw_kint(w, "now", (int64_t)d[i].now);
			jw_kint(w, "before", (int64_t)d[i].before);
			jw_kint(w, "change", (int64_t)d[i].now - (int64_t)d[i].before);
			jw_key(w, "change_pct");
			if (d[i].before)
				jw_double(
				    w, (double)(int64_t)(((double)d[i].now - (double)d[i].before) *
							 1000.0 / (double)d[i].before) /
					   10.0);
			else
				jw_null(w);
			jw_obj_end(w);
		}
		free(d);
	}
	jw_arr_end(w);
}

static void w_period(struct jw *w, const struct landscape *l)
{
	jw_key(w, "period");
	jw_obj(w);
	w_time(w, "from", l->from);
	w_time(w, "to", l->to);
	jw_obj_end(w);
}

static void finding(void *ctx, const char *sentence)
{
	jw_cstr(ctx, sentence);
}

int report_json(const struct landscape *l, const struct landscape *prev, struct buf *out)
{
	struct jw w;
	struct rep_headline h;
	landscape_headline(l, &h);
	jw_init(&w, out);
	jw_obj(&w);
	jw_kcstr(&w, "type", "aptscope-report");
	jw_kint(&w, "version", 1);
	w_period(&w, l);
	jw_key(&w, "headline");
	jw_obj(&w);
	jw_kint(&w, "incidents", (int64_t)h.incidents);
	jw_kint(&w, "campaigns", (int64_t)h.campaigns);
	jw_kint(&w, "organisations", (int64_t)h.orgs);
	jw_kint(&w, "sectors", (int64_t)h.sectors);
	jw_kint(&w, "groups_active", (int64_t)h.groups);
	jw_kint(&w, "new_groups", (int64_t)h.new_groups);
	jw_kint(&w, "exploited", (int64_t)h.exploited);
	jw_kint(&w, "supply_chain", (int64_t)h.supply);
	jw_kint(&w, "skipped", (int64_t)l->skipped);
	jw_obj_end(&w);

	jw_key(&w, "findings");
	jw_arr(&w);
	rep_findings(l, prev, finding, &w);
	jw_arr_end(&w);
	w_rows(&w, l, "sectors", &l->sectors, "sector");
	w_rows(&w, l, "countries", &l->countries, "country");
	w_rows(&w, l, "months", &l->months, "month");
	w_rows(&w, l, "stages", &l->stages, "stage");
	w_rows(&w, l, "kinds", &l->kinds, "kind");
	jw_key(&w, "groups");
	jw_arr(&w);
	for (size_t i = 0; i < l->groups.n; i++)
		w_group(&w, l, l->groups.order[i]);
	jw_arr_end(&w);
	w_rows(&w, l, "regions", &l->regions, "region");
	w_rows(&w, l, "origin_countries", &l->origins, "country");
	w_rows(&w, l, "source_countries", &l->src_countries, "country");
	jw_key(&w, "new_groups");
	jw_arr(&w);
	for (size_t i = 0; i < l->new_groups.n; i++)
		w_group(&w, l, l->new_groups.order[i]);
	jw_arr_end(&w);

	jw_key(&w, "exploitation");
	jw_obj(&w);
	uint64_t pairs = 0;
	for (size_t i = 0; i < l->classes.n; i++)
		pairs += l->classes.rows[i].count;
	static const char *const classes[] = {"0day", "1day", "nday", "unknown"};
	for (int c = 0; c < 4; c++) {
		const struct rep_row *r = rep_tally_find(&l->classes, classes[c]);
		jw_key(&w, classes[c]);
		jw_obj(&w);
		jw_kint(&w, "exploitations", r ? (int64_t)r->count : 0);
		w_share(&w, pairs && r ? (double)r->count / (double)pairs : 0.0);
		jw_kint(&w, "incidents", r ? (int64_t)r->ninc : 0);
		jw_key(&w, "incident_ids");
		jw_arr(&w);
		for (size_t i = 0; r && i < r->ninc; i++)
			jw_cstr(&w, l->inc[r->inc[i]].id);
		jw_arr_end(&w);
		jw_obj_end(&w);
	}
	jw_obj_end(&w);
	w_rows(&w, l, "cves", &l->cves, "cve");
	jw_key(&w, "platforms");
	jw_arr(&w);
	for (size_t i = 0; i < l->platforms.n; i++) {
		const struct rep_row *r = l->platforms.order[i];
		const struct rep_row *e = rep_tally_find(&l->exploit_platforms, r->key);
		jw_obj(&w);
		jw_kcstr(&w, "platform", r->key);
		jw_kint(&w, "incidents", (int64_t)r->ninc);
		w_share(&w, rep_share(l, r->ninc));
		jw_kint(&w, "exploited", e ? (int64_t)e->ninc : 0);
		w_ids(&w, l, r);
		jw_obj_end(&w);
	}
	jw_arr_end(&w);
	struct rep_trend tr;
	rep_mobile_trend(l, &tr);
	jw_key(&w, "mobile");
	jw_obj(&w);
	jw_kint(&w, "exploited_incidents", (int64_t)tr.exploited);
	jw_kint(&w, "mobile_incidents", (int64_t)tr.mobile);
	w_share(&w, tr.share);
	jw_kcstr(&w, "trend", tr.direction);
	jw_key(&w, "slope");
	jw_double(&w, (double)(int64_t)(tr.slope * 10000.0) / 10000.0);
	jw_key(&w, "months");
	jw_arr(&w);
	for (size_t i = 0; i < l->exploit_months.n; i++) {
		const struct rep_row *e = l->exploit_months.order[i];
		const struct rep_row *m = rep_tally_find(&l->mobile_months, e->key);
		jw_obj(&w);
		jw_kcstr(&w, "month", e->key);
		jw_kint(&w, "exploited", (int64_t)e->ninc);
		jw_kint(&w, "mobile", m ? (int64_t)m->ninc : 0);
		if (m)
			w_ids(&w, l, m);
		jw_obj_end(&w);
	}
	jw_arr_end(&w);
	jw_obj_end(&w);

	jw_key(&w, "supply_chain");
	jw_arr(&w);
	for (size_t i = 0; i < l->supply.n; i++) {
		const struct rep_row *r = l->supply.order[i];
		struct rep_tally v;
		jw_obj(&w);
		w_split(&w, r->key, "vendor", "channel");
		jw_kint(&w, "incidents", (int64_t)r->ninc);
		if (!rep_row_breakdown(l, r, RF_ORG, &v)) {
			w_names(&w, "victims", &v, v.n);
			rep_tally_free(&v);
		}
		w_ids(&w, l, r);
		jw_obj_end(&w);
	}
	jw_arr_end(&w);
	jw_key(&w, "online_services");
	jw_arr(&w);
	for (size_t i = 0; i < l->services.n; i++) {
		const struct rep_row *r = l->services.order[i];
		struct rep_tally v;
		jw_obj(&w);
		w_split(&w, r->key, "attack", "target");
		jw_kint(&w, "incidents", (int64_t)r->ninc);
		jw_kint(&w, "alerts", (int64_t)r->volume);
		if (!rep_row_breakdown(l, r, RF_SRC_COUNTRY, &v)) {
			jw_key(&w, "source_countries");
			jw_arr(&w);
			for (size_t j = 0; j < v.n; j++) {
				jw_obj(&w);
				jw_kcstr(&w, "country", v.order[j]->key);
				jw_kint(&w, "incidents", (int64_t)v.order[j]->ninc);
				jw_obj_end(&w);
			}
			jw_arr_end(&w);
			rep_tally_free(&v);
		}
		w_ids(&w, l, r);
		jw_obj_end(&w);
	}
	jw_arr_end(&w);
	jw_key(&w, "commercial_platforms");
	jw_arr(&w);
	for (size_t i = 0; i < l->commercial.n; i++) {
		const struct rep_row *r = l->commercial.order[i];
		struct rep_tally v;
		jw_obj(&w);
		jw_kcstr(&w, "platform", r->key);
		jw_kint(&w, "incidents", (int64_t)r->ninc);
		if (!rep_row_breakdown(l, r, RF_GROUP, &v)) {
			w_names(&w, "groups", &v, v.n);
			rep_tally_free(&v);
		}
		w_ids(&w, l, r);
		jw_obj_end(&w);
	}
	jw_arr_end(&w);
	w_rows(&w, l, "campaigns", &l->campaigns, "campaign");

	if (prev) {
		struct rep_headline ph;
		landscape_headline(prev, &ph);
		jw_key(&w, "comparison");
		jw_obj(&w);
		w_period(&w, prev);
		jw_key(&w, "headline");
		jw_obj(&w);
		jw_kint(&w, "incidents", (int64_t)ph.incidents);
		jw_kint(&w, "organisations", (int64_t)ph.orgs);
		jw_kint(&w, "groups_active", (int64_t)ph.groups);
		jw_kint(&w, "new_groups", (int64_t)ph.new_groups);
		jw_obj_end(&w);
		w_compare(&w, "sectors", &l->sectors, &prev->sectors, "sector");
		w_compare(&w, "groups", &l->groups, &prev->groups, "group");
		w_compare(&w, "exploitation", &l->classes, &prev->classes, "class");
		w_compare(&w, "regions", &l->regions, &prev->regions, "region");
		jw_obj_end(&w);
	}

	jw_key(&w, "incidents");
	jw_arr(&w);
	for (size_t i = 0; i < l->ninc; i++) {
		const struct rep_inc *ri = &l->inc[i];
		jw_obj(&w);
		jw_kcstr(&w, "id", ri->id);
		w_time(&w, "first_seen", ri->first_seen);
		w_time(&w, "last_seen", ri->last_seen);
		jw_kcstr(&w, "org", ri->org);
		jw_kcstr(&w, "sector", ri->sector);
		jw_kcstr(&w, "country", ri->country);
		jw_kcstr(&w, "kind", ri->kind);
		jw_kcstr(&w, "severity", ri->severity);
		jw_kcstr(&w, "stage", ri->stage);
		jw_kcstr(&w, "campaign", ri->campaign);
		jw_kcstr(&w, "group", ri->group);
		jw_kcstr(&w, "verdict", ri->verdict);
		jw_kint(&w, "alerts", (int64_t)ri->alerts);
		jw_obj_end(&w);
	}
	jw_arr_end(&w);
	jw_obj_end(&w);
	buf_putc(out, '\n');
	return out->err;
}
