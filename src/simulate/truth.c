/*
 * truth.c — DIR/truth.jsonl: what really happened, one JSON object per simulated attack.
 *
 * The fields mirror the incident contract of `hunt --json` (victim org, sector and country,
 * first/last seen, techniques, CVEs with their 0-day/1-day/n-day class) so that a test can
 * score detection, attribution and the landscape report against them; `kind` says which of
 * the scenario's threads the attack belongs to, `indicators`, `hosts` and `sources` what it
 * touched and came from.
 */
#include <string.h>

#include "core/json.h"
#include "simulate/sim_int.h"

static void time_field(struct jw *w, const char *k, int64_t t)
{
	char ts[48];
	sim_fmt_time(t, TS_ISO_Z, ts, sizeof ts);
	jw_kcstr(w, k, ts);
}

int sim_truth_write(const struct sim_world *w, struct buf *out)
{
	for (size_t i = 0; i < w->n_attacks; i++) {
		const struct sim_attack *a = &w->attacks[i];
		const struct sim_org *o = &w->orgs[a->org];
		struct jw j;
		jw_init(&j, out);
		jw_obj(&j);
		jw_kint(&j, "id", a->id);
		jw_kcstr(&j, "kind", sim_kind_name(a->kind));
		jw_kcstr(&j, "campaign", a->campaign);
		jw_kcstr(&j, "group", a->group);
		jw_key(&j, "new_group");
		jw_bool(&j, a->new_group);
		jw_kcstr(&j, "org", o->name);
		jw_kcstr(&j, "org_dir", o->dir);
		jw_kcstr(&j, "sector", o->sector);
		jw_kcstr(&j, "country", o->country);
		time_field(&j, "first_seen", a->first_seen);
		time_field(&j, "last_seen", a->last_seen);
		jw_key(&j, "techniques");
		jw_arr(&j);
		for (size_t k = 0; k < a->n_techniques; k++)
			jw_cstr(&j, a->techniques[k]);
		jw_arr_end(&j);
		jw_key(&j, "cves");
		jw_arr(&j);
		for (size_t k = 0; k < a->n_cves; k++) {
			jw_obj(&j);
			jw_kcstr(&j, "id", a->cves[k].id);
			jw_kcstr(&j, "class", a->cves[k].cls);
			jw_obj_end(&j);
		}
		jw_arr_end(&j);
		jw_key(&j, "indicators");
		jw_arr(&j);
		for (size_t k = 0; k < a->n_indicators; k++) {
			const char *v = strchr(a->indicators[k], ':');
			jw_obj(&j);
			jw_key(&j, "type");
			jw_str(&j, slice_make(a->indicators[k], (size_t)(v - a->indicators[k])));
			jw_kcstr(&j, "value", v + 1);
			jw_obj_end(&j);
		}
		jw_arr_end(&j);
		jw_key(&j, "hosts");
		jw_arr(&j);
		for (size_t k = 0; k < a->n_hosts; k++)
			jw_cstr(&j, a->hosts[k]);
		jw_arr_end(&j);
		jw_key(&j, "sources");
		jw_arr(&j);
		for (size_t k = 0; k < a->n_sources; k++)
			jw_cstr(&j, a->sources[k]);
		jw_arr_end(&j);
		jw_kint(&j, "records", (int64_t)a->records);
		jw_obj_end(&j);
		buf_putc(out, '\n');
	}
	return out->err;
}
