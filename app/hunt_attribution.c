/* hunt_attribution.c — incidents to observations to attribution, see hunt_attribution.h. */
#include "hunt_attribution.h"

#include <jansson.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "attribute/attribute.h"
#include "core/buf.h"
#include "core/error.h"
#include "core/hash.h"
#include "core/json.h"
#include "core/map.h"
#include "core/timeparse.h"
#include "intel/intel.h"
#include "store/cluster_store.h"
#include "store/store.h"

struct member {
	struct incident *inc;
	char id[40];
	char *json; /* the attribution block written for it */
};

struct hunt_attribution {
	const struct kb *kb;
	struct store *store;
	struct attr_model *model; /* built for the first incident, see model_of */
	int model_rc;
	struct attr_clusterer *clusterer;
	struct member *m;
	size_t n, cap;
	struct map summaries; /* incident id → index in lines */
	char **lines;
	size_t nlines;
};

int hunt_attribution_new(struct hunt_attribution **out, const struct kb *kb, struct store *store)
{
	*out = NULL;
	if (!kb || kb_group_count(kb) == 0)
		return 0;
	struct hunt_attribution *h = calloc(1, sizeof *h);
	if (!h)
		return AS_ENOMEM;
	h->kb = kb;
	h->store = store;
	map_init(&h->summaries);
	int rc = attr_clusterer_new(&h->clusterer);
	size_t bad = 0;
	if (!rc && store && (rc = cluster_store_load(store, h->clusterer, &bad)) == AS_EDB) {
		fprintf(stderr, "aptscope hunt: stored clusters not read: %s\n",
			store_errmsg(store));
		rc = 0; /* new clusters may then reuse a name: said above, not fatal */
	}
	if (bad)
		fprintf(stderr, "aptscope hunt: %zu stored clusters unreadable, skipped\n", bad);
	if (rc) {
		hunt_attribution_free(h);
		return rc;
	}
	*out = h;
	return 0;
}

static void add_strings(struct observations *o, enum attr_obs_kind kind, json_t *arr)
{
	size_t i;
	json_t *v;
	json_array_foreach(arr, i, v) if (json_is_string(v))
	    observations_add(o, kind, slice_cstr(json_string_value(v)));
}

/* Group names a feed label gives in passing ("Sofacy report Dec 2015",
 * "APT10 C2 IOCs"): each word and word pair that is a known alias. */
static size_t label_groups(const struct kb *kb, const char *label, struct slice *out, size_t cap)
{
	size_t n = 0;
	const char *p = label;
	const char *prev = NULL;
	while (*p && n < cap) {
		while (*p == ' ' || *p == ',' || *p == '(' || *p == ')' || *p == '/')
			p++;
		const char *w = p;
		while (*p && *p != ' ' && *p != ',' && *p != '(' && *p != ')' && *p != '/')
			p++;
		size_t len = (size_t)(p - w);
		if (len >= 4 && strncmp(w, "http", 4) != 0) {
			const struct kb_group *g = kb_group_find(kb, slice_make(w, len));
			if (!g && prev)
				g = kb_group_find(kb, slice_make(prev, (size_t)(p - prev)));
			if (g)
				out[n++] = slice_cstr(g->name);
		}
		prev = len ? w : prev;
	}
	return n;
}

/* Remove the indicator of this value, if o has it. */
static void drop_indicator(struct observations *o, const char *value)
{
	for (uint32_t i = 0; i < o->nind; i++) {
		if (strcasecmp(o->ind[i].value, value))
			continue;
		free(o->ind[i].type);
		free(o->ind[i].value);
		for (uint32_t j = 0; j < o->ind[i].groups.n; j++)
			free(o->ind[i].groups.v[j]);
		free(o->ind[i].groups.v);
		memmove(&o->ind[i], &o->ind[i + 1], (o->nind - i - 1) * sizeof *o->ind);
		o->nind--;
		return;
	}
}

static void observe(const struct kb *kb, json_t *inc, struct observations *o)
{
	add_strings(o, ATTR_OBS_TECHNIQUE, json_object_get(inc, "techniques"));
	add_strings(o, ATTR_OBS_SOFTWARE, json_object_get(inc, "malware"));
	json_t *victim = json_object_get(inc, "victim");
	const char *sector = json_string_value(json_object_get(victim, "sector"));
	const char *country = json_string_value(json_object_get(victim, "country"));
	if (sector && strcmp(sector, "unknown"))
		observations_add(o, ATTR_OBS_SECTOR, slice_cstr(sector));
	if (country && strcmp(country, "unknown"))
		observations_add(o, ATTR_OBS_VICTIM_COUNTRY, slice_cstr(country));
	add_strings(o, ATTR_OBS_SOURCE_COUNTRY,
		    json_object_get(json_object_get(inc, "sources"), "countries"));
	/* Indicators, with the groups their feeds name directly or in labels. */
	struct slice groups[16];
	size_t ng = 0;
	size_t i;
	json_t *v;
	json_array_foreach(json_object_get(inc, "groups"), i, v)
	{
		if (json_is_string(v) && ng < 16)
			groups[ng++] = slice_cstr(json_string_value(v));
	}
	json_array_foreach(json_object_get(inc, "labels"), i, v)
	{
		if (json_is_string(v))
			ng += label_groups(kb, json_string_value(v), groups + ng, 16 - ng);
	}
	json_array_foreach(json_object_get(inc, "indicators"), i, v)
	{
		const char *type = json_string_value(json_object_get(v, "type"));
		const char *value = json_string_value(json_object_get(v, "value"));
		if (type && value)
			observations_add_indicator(o, slice_cstr(type), slice_cstr(value), groups,
						   ng);
	}
	/* Files: their hashes link incidents (exact) and their ssdeep (close),
	 * unless common software names them — a stock Mimikatz binary says
	 * nothing about who ran it; its hashes are then left out of the
	 * indicators too. */
	json_array_foreach(json_object_get(inc, "files"), i, v)
	{
		bool common = false;
		size_t k;
		json_t *sw;
		json_array_foreach(json_object_get(v, "software"), k, sw)
		{
			if (json_is_string(sw))
				common |= attr_software_common(kb, json_string_value(sw));
		}
		static const char *const kinds[] = {"sha256", "sha1", "md5"};
		for (size_t x = 0; x < 3; x++) {
			const char *hv = json_string_value(json_object_get(v, kinds[x]));
			if (hv && common)
				drop_indicator(o, hv);
			else if (hv)
				observations_add_indicator(o, slice_cstr(kinds[x]), slice_cstr(hv),
							   NULL, 0);
		}
		const char *fz = json_string_value(json_object_get(v, "ssdeep"));
		if (fz && !common)
			observations_add(o, ATTR_OBS_FUZZY, slice_cstr(fz));
	}
	int64_t t;
	const char *first = json_string_value(json_object_get(inc, "first_seen"));
	if (first && time_parse_rfc3339(slice_cstr(first), &t) == 0)
		observations_add_time(o, t);
}

static char *line_for(const struct attr_result *r)
{
	if (!r->n || r->verdict == ATTR_UNATTRIBUTED)
		return NULL;
	char *s = malloc(160);
	if (s)
		snprintf(s, 160, "%s %s (confidence %.2f)",
			 r->verdict == ATTR_ATTRIBUTED_V ? "Attributed to" : "Suspected:",
			 r->cand[0].group->name, r->cand[0].confidence);
	return s;
}

static void remember(struct hunt_attribution *h, const char *id, char *line)
{
	if (!line)
		return;
	char **grown = realloc(h->lines, (h->nlines + 1) * sizeof *grown);
	if (!grown) {
		free(line);
		return;
	}
	h->lines = grown;
	h->lines[h->nlines] = line;
	map_put(&h->summaries, slice_cstr(id), h->nlines++, NULL);
}

/* The group profiles, built when the first incident asks: most hunts make
 * none, and building them was a twentieth of the start-up of a hunt with a
 * rule set. A failure is said once; incidents are then left unattributed. */
static const struct attr_model *model_of(struct hunt_attribution *h)
{
	if (!h->model && !h->model_rc && (h->model_rc = attr_model_build(&h->model, h->kb)) != 0)
		fprintf(stderr, "aptscope hunt: no attribution: %s\n", as_strerror(h->model_rc));
	return h->model;
}

static void each(void *ctx, struct incident *inc)
{
	struct hunt_attribution *h = ctx;
	struct buf text = BUF_INIT;
	json_t *doc = NULL;
	struct observations *o = NULL;
	struct attr_result r = {0};
	if (incident_to_json(inc, &text) || !(doc = json_loadb(text.data, text.len, 0, NULL)) ||
	    observations_new(&o))
		goto out;
	observe(h->kb, doc, o);
	struct attr_options opt = {.top = 3};
	const struct attr_model *model = model_of(h);
	if (!model || attribute_observations(model, o, &opt, &r))
		goto out;
	buf_reset(&text);
	if (attr_result_to_json(&r, &text))
		goto out;
	incident_set_attribution(inc, buf_slice(&text));
	remember(h, incident_id(inc), line_for(&r));
	if (r.verdict == ATTR_UNATTRIBUTED && h->n < (1u << 20)) {
		if (h->n == h->cap) {
			size_t cap = h->cap ? h->cap * 2 : 64;
			struct member *m = realloc(h->m, cap * sizeof *m);
			if (!m)
				goto out;
			h->m = m;
			h->cap = cap;
		}
		struct member *m = &h->m[h->n];
		memset(m, 0, sizeof *m);
		m->inc = inc;
		snprintf(m->id, sizeof m->id, "%s", incident_id(inc));
		m->json = strdup(text.data);
		if (m->json &&
		    attr_cluster_add(h->clusterer, m->id, incident_org(inc),
				     incident_first_seen(inc), incident_last_seen(inc), o) == 0)
			h->n++;
		else
			free(m->json);
	}
out:
	attr_result_free(&r);
	observations_free(o);
	json_decref(doc);
	buf_free(&text);
}

/* Unattributed incidents that recur together become a candidate new group;
 * clusters made, grown or named in this run are saved. */
static void all(void *ctx, struct incident *const *v, size_t n)
{
	(void)v;
	(void)n;
	struct hunt_attribution *h = ctx;
	const struct attr_cluster *clusters;
	size_t nc;
	if ((!h->n && !h->store) || attr_cluster_run(h->clusterer, h->kb, &clusters, &nc))
		return;
	struct buf b = BUF_INIT;
	for (size_t i = 0; i < h->n; i++) {
		struct member *m = &h->m[i];
		const struct attr_cluster *cl = attr_cluster_of(h->clusterer, m->id);
		if (!cl)
			continue;
		json_t *doc = json_loads(m->json, 0, NULL);
		if (!doc)
			continue;
		json_object_set_new(doc, "verdict", json_string("new-cluster"));
		json_object_set_new(doc, "cluster", json_string(cl->name));
		if (cl->linked_group) {
			json_object_set_new(doc, "linked_group", json_string(cl->linked_group));
			json_object_set_new(
			    doc, "linked_reason",
			    json_string(cl->linked_reason ? cl->linked_reason : ""));
		}
		char *s = json_dumps(doc, JSON_COMPACT);
		if (s) {
			incident_set_attribution(m->inc, slice_cstr(s));
			buf_reset(&b);
			buf_printf(&b, "%s cluster %s (%zu incidents, %zu organisations)",
				   cl->known ? "Known" : "New", cl->name, cl->nincidents,
				   cl->norgs);
			if (cl->linked_group)
				buf_printf(&b, ", named %s: %s", cl->linked_group,
					   cl->linked_reason ? cl->linked_reason : "");
			remember(h, m->id, strdup(b.data));
			free(s);
		}
		json_decref(doc);
	}
	buf_free(&b);
	for (size_t i = 0; h->store && i < nc; i++) {
		const struct attr_cluster *cl = &clusters[i];
		if (cl->known && !cl->grown && !cl->newly_linked)
			continue;
		size_t marked = 0;
		if (cluster_store_put(h->store, cl) ||
		    (cl->newly_linked && cluster_store_mark(h->store, cl, &marked)))
			fprintf(stderr, "aptscope hunt: cluster %s not stored: %s\n", cl->name,
				store_errmsg(h->store));
		if (cl->newly_linked)
			fprintf(stderr, "aptscope hunt: cluster %s is %s: %s\n", cl->name,
				cl->linked_group, cl->linked_reason ? cl->linked_reason : "");
	}
}

static const struct correlate_hooks hooks = {.each = each, .all = all};

const struct correlate_hooks *hunt_attribution_hooks(void)
{
	return &hooks;
}

const char *hunt_attribution_summary(const struct hunt_attribution *h, const char *incident_id)
{
	uint64_t i;
	if (!h || !map_get(&h->summaries, slice_cstr(incident_id), &i))
		return NULL;
	return h->lines[i];
}

void hunt_attribution_free(struct hunt_attribution *h)
{
	if (!h)
		return;
	for (size_t i = 0; i < h->n; i++)
		free(h->m[i].json);
	free(h->m);
	for (size_t i = 0; i < h->nlines; i++)
		free(h->lines[i]);
	free(h->lines);
	map_free(&h->summaries);
	attr_clusterer_free(h->clusterer);
	attr_model_free(h->model);
	free(h);
}
