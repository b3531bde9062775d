/*
 * incident_json.c — what an incident says about itself: its kind, severity
 * and CVE classes (worked out once, when it is handed out), the JSON object
 * of DESIGN.md with the store's extra fields, and the readable story.
 *
 * The JSON holds everything correlation needs to take the incident up again
 * in a later run (victim addresses, processes, the per-rule links), so the
 * store keeps one text column and incident_from_json() reverses this file.
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "core/error.h"
#include "core/json.h"
#include "core/timeparse.h"
#include "correlate/correlate_int.h"
#include "intel/intel.h"

const char *incident_id(const struct incident *inc)
{
	return inc->id;
}
int64_t incident_first_seen(const struct incident *inc)
{
	return inc->first_seen;
}
int64_t incident_last_seen(const struct incident *inc)
{
	return inc->last_seen;
}
uint64_t incident_alert_count(const struct incident *inc)
{
	return inc->nalerts;
}
const char *incident_kind(const struct incident *inc)
{
	return inc->kind ? inc->kind : "intrusion";
}
const char *incident_org(const struct incident *inc)
{
	return inc->org ? inc->org : "unknown";
}
const char *incident_campaign(const struct incident *inc)
{
	return inc->campaign;
}
bool incident_supply_chain(const struct incident *inc)
{
	return inc->supply;
}

enum alert_level incident_severity_level(const struct incident *inc)
{
	return killchain_severity(inc->stages, inc->max_level);
}

const char *incident_severity(const struct incident *inc)
{
	return alert_level_name(incident_severity_level(inc));
}

static bool has_technique(const struct incident *inc, const char *prefix)
{
	for (uint32_t i = 0; i < inc->techniques.n; i++)
		if (!strncmp(inc->techniques.v[i], prefix, strlen(prefix)))
			return true;
	return false;
}

static bool has_rule_word(const struct incident *inc, const char *word)
{
	for (uint32_t i = 0; i < inc->nrules; i++)
		if (inc->rules[i].title && strcasestr(inc->rules[i].title, word))
			return true;
	return false;
}

static unsigned popcount(uint32_t x)
{
	return (unsigned)__builtin_popcount(x);
}

static const char *kind_of(const struct incident *inc)
{
	if (inc->supply)
		return "supply_chain";
	if (popcount(inc->stages) >= 3 || inc->groups.n)
		return "apt";
	if (has_technique(inc, "T1486") || has_rule_word(inc, "ransom"))
		return "ransomware";
	if (inc->ncves || has_technique(inc, "T1190"))
		return "exploit";
	if (has_technique(inc, "T1498") || has_technique(inc, "T1499") ||
	    has_rule_word(inc, "ddos"))
		return "ddos";
	if (has_technique(inc, "T1110") || has_rule_word(inc, "brute"))
		return "bruteforce";
	if (has_rule_word(inc, "beacon") || inc->stages == 1u << KC_COMMAND_AND_CONTROL)
		return "beacon";
	if (popcount(inc->stages) >= 2)
		return "apt";
	return "intrusion";
}

void incident_finalize(struct incident *inc, const struct kb *kb, int64_t oneday)
{
	for (uint32_t i = 0; i < inc->ncves; i++) {
		struct inc_cve *cv = &inc->cves[i];
		uint32_t pf = 0;
		kbview_cve(kb, cv->id, &cv->published, &cv->fixed, &cv->known_exploited, &pf);
		inc->platforms |= pf;
		cv->cls = vuln_classify(cv->seen, cv->published, cv->fixed, oneday);
	}
	free(inc->kind);
	inc->kind = strdup(kind_of(inc));
}

static void w_time(struct jw *w, const char *key, int64_t t)
{
	char s[AS_TIME_STRLEN];
	jw_key(w, key);
	if (t == AS_TIME_NONE)
		jw_null(w);
	else
		jw_cstr(w, time_format(t, s));
}

static void w_set(struct jw *w, const char *key, const struct strset *s)
{
	jw_key(w, key);
	jw_arr(w);
	for (uint32_t i = 0; i < s->n; i++)
		jw_cstr(w, s->v[i]);
	jw_arr_end(w);
}

static void w_ids(struct jw *w, const char (*ids)[17], unsigned n, unsigned start)
{
	jw_arr(w);
	for (unsigned i = 0; i < n; i++)
		jw_cstr(w, ids[(start + i) % n]);
	jw_arr_end(w);
}

/* "files":[{"sha256","sha1","md5","ssdeep","name","software":[…]}], empty parts left out */
static void w_files(struct jw *w, const struct strset *files)
{
	jw_key(w, "files");
	jw_arr(w);
	for (uint32_t i = 0; i < files->n; i++) {
		char rec[AS_CORR_MAX_KEY];
		struct inc_file f;
		snprintf(rec, sizeof rec, "%s", files->v[i]);
		inc_file_parse(rec, &f);
		jw_obj(w);
		const char *keys[] = {"sha256", "sha1", "md5", "ssdeep", "name"};
		const char *vals[] = {f.sha256, f.sha1, f.md5, f.ssdeep, f.name};
		for (size_t k = 0; k < 5; k++)
			if (vals[k][0])
				jw_kcstr(w, keys[k], vals[k]);
		jw_key(w, "software");
		jw_arr(w);
		for (char *p = f.software; *p;) {
			size_t n = strcspn(p, ",");
			jw_str(w, slice_make(p, n));
			p += n + (p[n] == ',');
		}
		jw_arr_end(w);
		jw_obj_end(w);
	}
	jw_arr_end(w);
}

/* last_ids is a ring once full: its oldest entry is at last_pos */
static unsigned ring_start(const struct inc_rule *r)
{
	return r->nlast == AS_CORR_RULE_IDS ? r->last_pos : 0;
}

static void w_alert_ids(struct jw *w, const struct incident *inc)
{
	jw_key(w, "alerts");
	jw_arr(w);
	for (uint32_t i = 0; i < inc->nrules; i++) {
		const struct inc_rule *r = &inc->rules[i];
		for (unsigned j = 0; j < r->nfirst; j++)
			jw_cstr(w, r->first_ids[j]);
		for (unsigned j = 0; j < r->nlast; j++)
			jw_cstr(w, r->last_ids[(ring_start(r) + j) % r->nlast]);
	}
	jw_arr_end(w);
}

int incident_to_json(const struct incident *inc, struct buf *out)
{
	if (!inc || !out)
		return AS_EINVAL;
	struct jw w;
	jw_init(&w, out);
	jw_obj(&w);
	jw_kcstr(&w, "type", "incident");
	jw_kcstr(&w, "id", inc->id);
	w_time(&w, "first_seen", inc->first_seen);
	w_time(&w, "last_seen", inc->last_seen);
	jw_kint(&w, "alert_count", (int64_t)inc->nalerts);
	jw_key(&w, "victim");
	jw_obj(&w);
	w_set(&w, "hosts", inc->hosts.n ? &inc->hosts : &inc->ips);
	w_set(&w, "ips", &inc->ips);
	w_set(&w, "users", &inc->users);
	jw_kcstr(&w, "org", inc->org ? inc->org : "unknown");
	jw_kcstr(&w, "sector", inc->sector ? inc->sector : "unknown");
	const char *sn = inc->sector ? intel_sector_name(inc->sector) : NULL;
	jw_kcstr(&w, "sector_name", sn ? sn : (inc->sector ? inc->sector : "unknown"));
	jw_kcstr(&w, "country", inc->country ? inc->country : "unknown");
	jw_obj_end(&w);
	w_alert_ids(&w, inc);
	w_set(&w, "techniques", &inc->techniques);
	jw_key(&w, "tactics");
	jw_arr(&w);
	int top = -1;
	for (int s = 0; s < KC_COUNT; s++)
		if (inc->stages & (1u << s)) {
			jw_cstr(&w, killchain_name(s));
			top = s;
		}
	jw_arr_end(&w);
	jw_kcstr(&w, "stage", top >= 0 ? killchain_name(top) : "unknown");
	jw_kcstr(&w, "severity", incident_severity(inc));
	jw_kcstr(&w, "kind", incident_kind(inc));
	jw_key(&w, "cves");
	jw_arr(&w);
	for (uint32_t i = 0; i < inc->ncves; i++) {
		const struct inc_cve *cv = &inc->cves[i];
		jw_obj(&w);
		jw_kcstr(&w, "id", cv->id);
		jw_kcstr(&w, "class", vuln_class_name(cv->cls));
		w_time(&w, "first_seen", cv->seen);
		w_time(&w, "published", cv->published);
		w_time(&w, "fixed", cv->fixed);
		jw_key(&w, "known_exploited");
		jw_bool(&w, cv->known_exploited);
		jw_kcstr(&w, "rule", cv->rule);
		jw_obj_end(&w);
	}
	jw_arr_end(&w);
	jw_key(&w, "platforms");
	jw_arr(&w);
	for (int p = 0; p < PF_COUNT; p++)
		if (inc->platforms & (1u << p))
			jw_cstr(&w, platform_name(p));
	jw_arr_end(&w);
	if (inc->campaign)
		jw_kcstr(&w, "campaign", inc->campaign);
	if (inc->supply) {
		jw_key(&w, "supply_chain");
		jw_obj(&w);
		jw_kcstr(&w, "vendor", inc->vendor ? inc->vendor : "unknown");
		jw_kcstr(&w, "channel", inc->channel ? inc->channel : "unknown");
		jw_obj_end(&w);
	}
	w_set(&w, "malware", &inc->malware);
	jw_key(&w, "indicators");
	jw_arr(&w);
	for (uint32_t i = 0; i < inc->indicators.n; i++) {
		const char *s = inc->indicators.v[i], *colon = strchr(s, ':');
		jw_obj(&w);
		jw_key(&w, "type");
		jw_str(&w, slice_make(s, colon ? (size_t)(colon - s) : 0));
		jw_kcstr(&w, "value", colon ? colon + 1 : s);
		jw_obj_end(&w);
	}
	jw_arr_end(&w);
	w_set(&w, "labels", &inc->labels);
	w_set(&w, "groups", &inc->groups);
	jw_key(&w, "endpoints");
	jw_arr(&w);
	for (uint32_t i = 0; i < inc->endpoints.n; i++) {
		const char *s = inc->endpoints.v[i], *sp = strchr(s, ' ');
		jw_obj(&w);
		jw_key(&w, "ip");
		jw_str(&w, slice_make(s, sp ? (size_t)(sp - s) : strlen(s)));
		jw_kcstr(&w, "country", sp ? sp + 1 : NULL);
		jw_obj_end(&w);
	}
	jw_arr_end(&w);
	jw_key(&w, "sources");
	jw_obj(&w);
	w_set(&w, "countries", &inc->src_countries);
	w_set(&w, "ips", &inc->src_ips);
	jw_obj_end(&w);
	w_set(&w, "processes", &inc->processes);
	w_files(&w, &inc->files);
	jw_key(&w, "links");
	jw_arr(&w);
	for (uint32_t i = 0; i < inc->nrules; i++) {
		const struct inc_rule *r = &inc->rules[i];
		jw_obj(&w);
		jw_kcstr(&w, "detector", r->detector);
		jw_kcstr(&w, "rule_id", r->rule_id);
		jw_kcstr(&w, "title", r->title);
		jw_kcstr(&w, "level", alert_level_name(r->level));
		jw_kint(&w, "count", (int64_t)r->count);
		w_time(&w, "first_seen", r->first);
		w_time(&w, "last_seen", r->last);
		jw_key(&w, "first");
		w_ids(&w, r->first_ids, r->nfirst, 0);
		jw_key(&w, "last");
		jw_arr(&w);
		for (unsigned j = 0; j < r->nlast; j++)
			jw_cstr(&w, r->last_ids[(ring_start(r) + j) % r->nlast]);
		jw_arr_end(&w);
		jw_key(&w, "why");
		jw_arr(&w);
		for (int k = 0; k < LINK_COUNT; k++)
			if (r->why[k]) {
				jw_obj(&w);
				jw_kcstr(&w, "kind", link_name(k));
				jw_kint(&w, "count", (int64_t)r->why[k]);
				jw_kcstr(&w, "value", r->why_value[k]);
				jw_obj_end(&w);
			}
		jw_arr_end(&w);
		jw_obj_end(&w);
	}
	jw_arr_end(&w);
	if (inc->rules_over)
		jw_kint(&w, "alerts_unlisted", (int64_t)inc->rules_over);
	jw_key(&w, "attribution");
	if (inc->attribution) {
		jw_raw(&w, slice_cstr(inc->attribution));
	} else {
		jw_obj(&w);
		jw_kcstr(&w, "verdict", "unattributed");
		jw_key(&w, "candidates");
		jw_arr(&w);
		jw_arr_end(&w);
		jw_obj_end(&w);
	}
	struct buf story = BUF_INIT;
	incident_story(inc, &story);
	jw_key(&w, "story");
	jw_str(&w, buf_slice(&story));
	buf_free(&story);
	jw_obj_end(&w);
	return out->err;
}

static void list_set(struct buf *b, const struct strset *s, unsigned most)
{
	for (uint32_t i = 0; i < s->n && i < most; i++)
		buf_printf(b, "%s%s", i ? ", " : "", s->v[i]);
	if (s->n > most || s->over)
		buf_printf(b, " and %llu more",
			   (unsigned long long)(s->n - (s->n > most ? most : s->n) + s->over));
}

int incident_story(const struct incident *inc, struct buf *b)
{
	char t1[AS_TIME_STRLEN] = "an unknown time", t2[AS_TIME_STRLEN] = "";
	if (inc->first_seen != AS_TIME_NONE)
		time_format(inc->first_seen / 1000000 * 1000000, t1);
	if (inc->last_seen != AS_TIME_NONE)
		time_format(inc->last_seen / 1000000 * 1000000, t2);
	const char *sev = incident_severity(inc);
	buf_printf(b, "%c%s %s", sev[0] - 32, sev + 1, incident_kind(inc));
	if (inc->org) {
		const char *sn = inc->sector ? intel_sector_name(inc->sector) : NULL;
		buf_printf(b, " against %s (%s%s%s)", inc->org, sn ? sn : "sector unknown",
			   inc->country ? ", " : "", inc->country ? inc->country : "");
	} else {
		buf_puts(b, " against an unknown organisation");
	}
	buf_puts(b, ": ");
	const struct strset *hosts = inc->hosts.n ? &inc->hosts : &inc->ips;
	buf_printf(b, "%llu alert%s on ", (unsigned long long)inc->nalerts,
		   inc->nalerts == 1 ? "" : "s");
	if (hosts->n)
		list_set(b, hosts, 3);
	else
		buf_puts(b, "the logged service");
	if (inc->users.n) {
		buf_puts(b, " (account ");
		list_set(b, &inc->users, 3);
		buf_puts(b, ")");
	}
	if (t2[0] && strcmp(t1, t2))
		buf_printf(b, " from %s to %s.", t1, t2);
	else
		buf_printf(b, " at %s.", t1);
	int top = -1;
	for (int s = 0; s < KC_COUNT; s++)
		if (inc->stages & (1u << s))
			top = s;
	if (top >= 0) {
		buf_printf(b, " It got as far as %s (", killchain_name(top));
		bool first = true;
		for (int s = 0; s < KC_COUNT; s++)
			if (inc->stages & (1u << s)) {
				buf_printf(b, "%s%s", first ? "" : " → ", killchain_name(s));
				first = false;
			}
		buf_puts(b, ")");
		if (inc->techniques.n) {
			buf_puts(b, " using ");
			list_set(b, &inc->techniques, 5);
		}
		buf_puts(b, ".");
	}
	for (uint32_t i = 0; i < inc->ncves; i++)
		buf_printf(b, "%s%s (%s)%s", i ? ", " : " Exploited ", inc->cves[i].id,
			   vuln_class_name(inc->cves[i].cls), i + 1 == inc->ncves ? "." : "");
	if (inc->supply)
		buf_printf(b, " Arrived through a software supply chain: %s via %s.",
			   inc->vendor ? inc->vendor : "an unknown vendor",
			   inc->channel ? inc->channel : "an unknown channel");
	if (inc->malware.n) {
		buf_puts(b, " Malware or tools: ");
		list_set(b, &inc->malware, 5);
		buf_puts(b, ".");
	}
	if (inc->endpoints.n) {
		buf_puts(b, " External endpoints: ");
		list_set(b, &inc->endpoints, 5);
		buf_puts(b, ".");
	}
	if (inc->labels.n) {
		buf_puts(b, " Indicators from: ");
		list_set(b, &inc->labels, 2);
		buf_puts(b, ".");
	}
	if (inc->campaign)
		buf_printf(b, " Part of campaign %s.", inc->campaign);
	return b->err;
}
