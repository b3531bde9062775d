/*
 * landscape.c — the model behind the threat-landscape report: the incidents
 * of a period read from the store and counted once into every figure.
 *
 * Each incident adds itself to the rows it belongs to (its sector, victim
 * country, month, furthest kill-chain stage, group, …); a row remembers the
 * indices of its incidents so each figure can be traced back. Tallies are
 * hash-indexed (core/map.h) and capped at AS_REPORT_MAX_KEYS keys, so a
 * hostile store cannot make a figure grow without bound.
 *
 * Group of an incident, in order: the first candidate of an "attributed" or
 * "suspected" verdict; the cluster of a "new-cluster" verdict (a new group);
 * the first group named by a matched indicator ("indicator"); else none.
 * Known groups are renamed to the knowledge base's canonical name so that
 * APT32, OceanLotus and APT-C-00 count as one.
 */
#include <jansson.h>
#include <sqlite3.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>

#include "core/error.h"
#include "core/limits.h"
#include "core/timeparse.h"
#include "correlate/incident.h"
#include "intel/intel.h"
#include "report/report.h"
#include "store/store.h"

static const char *jstr(json_t *o, const char *key)
{
	const char *s = json_string_value(json_object_get(o, key));
	return s && *s ? s : NULL;
}

static char *dup_or(const char *s, const char *dflt)
{
	return strdup(s ? s : dflt);
}

static int64_t jtime(json_t *o, const char *key)
{
	const char *s = jstr(o, key);
	int64_t t;
	return s && !time_parse_rfc3339(slice_cstr(s), &t) ? t : AS_TIME_NONE;
}

/* --- tallies --------------------------------------------------------------- */

static struct rep_row *tally_row(struct rep_tally *t, const char *key)
{
	if (!t->idx.max)
		t->idx.max = AS_REPORT_MAX_KEYS;
	uint64_t v = t->n;
	bool existed = false;
	if (t->n == t->cap) {
		size_t cap = t->cap ? t->cap * 2 : 8;
		struct rep_row *rows = realloc(t->rows, cap * sizeof *rows);
		if (!rows)
			return NULL;
		t->rows = rows;
		t->cap = cap;
	}
	int rc = map_put_new(&t->idx, slice_cstr(key), &v, &existed);
	if (rc) {
		t->over = rc == AS_ETOOBIG; /* a full tally drops keys; no memory is an error */
		return NULL;
	}
	if (existed)
		return &t->rows[v];
	struct rep_row *r = &t->rows[t->n];
	memset(r, 0, sizeof *r);
	if (!(r->key = strdup(key)))
		return NULL;
	t->n++;
	return r;
}

static int row_add(struct rep_row *r, uint32_t inc)
{
	r->count++;
	if (r->ninc && r->inc[r->ninc - 1] == inc)
		return 0;
	if (r->ninc == r->cap) {
		size_t cap = r->cap ? r->cap * 2 : 4;
		uint32_t *v = realloc(r->inc, cap * sizeof *v);
		if (!v)
			return AS_ENOMEM;
		r->inc = v;
		r->cap = cap;
	}
	r->inc[r->ninc++] = inc;
	return 0;
}

static struct rep_row *tally_add(struct landscape *l, struct rep_tally *t, const char *key,
				 uint32_t inc)
{
	struct rep_row *r = tally_row(t, key);
	if (!r) {
		if (!t->over)
			l->err = AS_ENOMEM;
		return NULL;
	}
	if (row_add(r, inc))
		l->err = AS_ENOMEM;
	r->volume += l->inc[inc].alerts;
	return r;
}

static enum rep_order sort_mode;

static int stage_rank(const char *k)
{
	int s = killchain_parse(k);
	return s < 0 ? 99 : s;
}

static int row_cmp(const void *a, const void *b)
{
	const struct rep_row *x = *(struct rep_row *const *)a, *y = *(struct rep_row *const *)b;
	if (sort_mode == REP_BY_STAGE) {
		int d = stage_rank(x->key) - stage_rank(y->key);
		if (d)
			return d;
	} else if (sort_mode == REP_BY_COUNT) {
		if (x->ninc != y->ninc)
			return x->ninc > y->ninc ? -1 : 1;
		if (x->count != y->count)
			return x->count > y->count ? -1 : 1;
	}
	/* "unknown" and "unattributed" last among equals */
	bool ux = !strcmp(x->key, "unknown") || !strcmp(x->key, "unattributed");
	bool uy = !strcmp(y->key, "unknown") || !strcmp(y->key, "unattributed");
	if (ux != uy)
		return ux ? 1 : -1;
	return strcmp(x->key, y->key);
}

static int tally_sort(struct rep_tally *t, enum rep_order mode)
{
	free(t->order);
	t->order = NULL;
	if (!t->n)
		return 0;
	if (!(t->order = malloc(t->n * sizeof *t->order)))
		return AS_ENOMEM;
	for (size_t i = 0; i < t->n; i++)
		t->order[i] = &t->rows[i];
	sort_mode = mode;
	qsort(t->order, t->n, sizeof *t->order, row_cmp);
	return 0;
}

static void group_free(struct rep_group *g)
{
	if (!g)
		return;
	free(g->name);
	free(g->named);
	free(g->attack_id);
	for (size_t i = 0; i < g->naliases; i++)
		free(g->aliases[i]);
	free(g->aliases);
	free(g->country);
	free(g->region);
	free(g);
}

void rep_tally_free(struct rep_tally *t)
{
	if (!t)
		return;
	for (size_t i = 0; i < t->n; i++) {
		free(t->rows[i].key);
		free(t->rows[i].inc);
		group_free(t->rows[i].group);
	}
	free(t->rows);
	free(t->order);
	map_free(&t->idx);
	memset(t, 0, sizeof *t);
}

const struct rep_row *rep_tally_find(const struct rep_tally *t, const char *key)
{
	uint64_t v;
	return key && map_get(&t->idx, slice_cstr(key), &v) ? &t->rows[v] : NULL;
}

double rep_share(const struct landscape *l, uint64_t n)
{
	return l->ninc ? (double)n / (double)l->ninc : 0.0;
}

const char *rep_sector_label(const char *id)
{
	const char *n = id ? intel_sector_name(id) : NULL;
	return n ? n : (id ? id : "unknown");
}

/* --- groups ---------------------------------------------------------------- */

static void alias_add(struct rep_group *g, const char *a)
{
	if (!a || !*a || (g->name && !strcasecmp(a, g->name)))
		return;
	for (size_t i = 0; i < g->naliases; i++)
		if (!strcasecmp(g->aliases[i], a))
			return;
	if (g->naliases >= AS_MAX_KB_LIST)
		return;
	char **v = realloc(g->aliases, (g->naliases + 1) * sizeof *v);
	if (!v)
		return;
	g->aliases = v;
	char *d = strdup(a);
	if (!d)
		return;
	/* APT-C numbers first: readers of the landscape look groups up by them */
	size_t at = g->naliases;
	if (!strncasecmp(a, "APT-C-", 6))
		while (at > 0 && strncasecmp(v[at - 1], "APT-C-", 6))
			at--;
	memmove(v + at + 1, v + at, (g->naliases - at) * sizeof *v);
	v[at] = d;
	g->naliases++;
}

static void set_once(char **dst, const char *s)
{
	if (!*dst && s && *s)
		*dst = strdup(s);
}

/* Fill a group's profile from the incident's candidate and the kb. */
static void group_fill(struct rep_group *g, json_t *cand, const struct kb_group *kg)
{
	if (kg) {
		set_once(&g->attack_id, kg->attack_id);
		set_once(&g->country, kg->country[0] ? kg->country : NULL);
		set_once(&g->region, kg->region);
		for (uint32_t i = 0; i < kg->aliases.n; i++)
			alias_add(g, kg->aliases.v[i]);
	}
	if (cand) {
		const char *orig = jstr(cand, "group");
		if (orig)
			alias_add(g, orig);
		set_once(&g->attack_id, jstr(cand, "id"));
		set_once(&g->country, jstr(cand, "country"));
		set_once(&g->region, jstr(cand, "region"));
		json_t *a;
		size_t i;
		json_array_foreach(json_object_get(cand, "aliases"), i, a)
		    alias_add(g, json_string_value(a));
	}
	if (!g->region && g->country) {
		const char *r = intel_country_region(g->country);
		set_once(&g->region, r);
	}
}

static const char *cluster_name(json_t *attr)
{
	json_t *c = json_object_get(attr, "cluster");
	if (json_is_string(c))
		return json_string_value(c);
	const char *n = jstr(c, "name");
	return n ? n : jstr(c, "id");
}

/* --- one incident ---------------------------------------------------------- */

static const struct {
	const char *name;
	const char *match[4]; /* folded (lower case, no separators) substrings */
} commercial[] = {
    {"Cobalt Strike", {"cobaltstrike", "cobeacon"}},
    {"Brute Ratel C4", {"bruteratel", "brc4"}},
    {"Metasploit", {"metasploit", "meterpreter"}},
    {"Sliver", {"sliver"}},
    {"Havoc", {"havoc"}},
    {"Mythic", {"mythic"}},
    {"PowerShell Empire", {"powershellempire", "empire"}},
    {"Covenant", {"covenant"}},
    {"PoshC2", {"poshc2"}},
    {"Nighthawk", {"nighthawk"}},
    {"Core Impact", {"coreimpact"}},
    {"Immunity Canvas", {"immunitycanvas"}},
};

static const char *commercial_of(const char *malware)
{
	char f[128];
	size_t n = 0;
	for (const char *p = malware; *p && n + 1 < sizeof f; p++)
		if (*p != ' ' && *p != '-' && *p != '_' && *p != '.')
			f[n++] = (char)((*p >= 'A' && *p <= 'Z') ? *p + 32 : *p);
	f[n] = 0;
	for (size_t i = 0; i < sizeof commercial / sizeof commercial[0]; i++)
		for (int j = 0; j < 4 && commercial[i].match[j]; j++)
			if (strstr(f, commercial[i].match[j]))
				return commercial[i].name;
	return NULL;
}

static const char *month_key(int64_t t, char *dst)
{
	if (t == AS_TIME_NONE)
		return "unknown";
	char s[AS_TIME_STRLEN];
	time_format(t, s);
	memcpy(dst, s, 7);
	dst[7] = 0;
	return dst;
}

static bool in_period(const struct landscape *l, int64_t t)
{
	if (l->from == AS_TIME_NONE && l->to == AS_TIME_NONE)
		return true;
	if (t == AS_TIME_NONE)
		return false;
	return (l->from == AS_TIME_NONE || t >= l->from) && (l->to == AS_TIME_NONE || t < l->to);
}

static void resolve_group(struct landscape *l, struct rep_inc *ri, json_t *o, const struct kb *kb,
			  uint32_t idx)
{
	json_t *attr = json_object_get(o, "attribution");
	const char *verdict = jstr(attr, "verdict");
	json_t *cand = json_array_get(json_object_get(attr, "candidates"), 0);
	const char *name = NULL;
	bool cluster = false;
	if (verdict && (!strcmp(verdict, "attributed") || !strcmp(verdict, "suspected")) &&
	    jstr(cand, "group")) {
		name = jstr(cand, "group");
		json_t *c = json_object_get(cand, "confidence");
		ri->confidence = json_is_number(c) ? json_number_value(c) : 0.0;
	} else if (verdict && !strcmp(verdict, "new-cluster") && cluster_name(attr)) {
		name = cluster_name(attr);
		cluster = true;
		/* the attribution scored known groups below the bar: the best is
		 * the nearest relative, part of the new group's profile */
		if (jstr(cand, "group"))
			ri->nearest = strdup(jstr(cand, "group"));
		cand = NULL;
	} else {
		const char *g = json_string_value(json_array_get(json_object_get(o, "groups"), 0));
		if (g && *g) {
			name = g;
			verdict = "indicator";
		}
		cand = NULL;
	}
	if (!name) {
		ri->verdict = strdup("unattributed");
		tally_add(l, &l->regions, "unattributed", idx);
		tally_add(l, &l->origins, "unattributed", idx);
		return;
	}
	const struct kb_group *kg = kb && !cluster ? kb_group_find(kb, slice_cstr(name)) : NULL;
	if (kg)
		name = kg->name;
	ri->group = strdup(name);
	ri->verdict = strdup(verdict);
	struct rep_row *r = tally_add(l, cluster ? &l->new_groups : &l->groups, name, idx);
	if (!r)
		return;
	if (!r->group) {
		if (!(r->group = calloc(1, sizeof *r->group)))
			return;
		r->group->name = strdup(name);
		r->group->cluster = cluster;
		r->group->first_seen = r->group->last_seen = AS_TIME_NONE;
	}
	struct rep_group *g = r->group;
	group_fill(g, cand, kg);
	const char *named = cluster ? jstr(attr, "linked_group") : NULL;
	if (named && !g->named)
		g->named = strdup(named);
	if (ri->first_seen != AS_TIME_NONE &&
	    (g->first_seen == AS_TIME_NONE || ri->first_seen < g->first_seen))
		g->first_seen = ri->first_seen;
	int64_t last = ri->last_seen != AS_TIME_NONE ? ri->last_seen : ri->first_seen;
	if (last != AS_TIME_NONE && (g->last_seen == AS_TIME_NONE || last > g->last_seen))
		g->last_seen = last;
	if (!cluster) {
		tally_add(l, &l->regions, g->region ? g->region : "unknown", idx);
		tally_add(l, &l->origins, g->country ? g->country : "unknown", idx);
	} else {
		tally_add(l, &l->regions, "new group (origin unknown)", idx);
		tally_add(l, &l->origins, "unknown", idx);
	}
}

static const char *top_stage(json_t *o)
{
	const char *st = jstr(o, "stage");
	if (st)
		return st;
	int top = -1;
	json_t *t;
	size_t i;
	json_array_foreach(json_object_get(o, "tactics"), i, t)
	{
		int s = killchain_parse(json_string_value(t));
		if (s > top)
			top = s;
	}
	return top >= 0 ? killchain_name(top) : "unknown";
}

static void tally_incident(struct landscape *l, const struct kb *kb, uint32_t idx, json_t *o)
{
	struct rep_inc *ri = &l->inc[idx];
	char m[8];
	tally_add(l, &l->sectors, ri->sector, idx);
	tally_add(l, &l->countries, ri->country, idx);
	tally_add(l, &l->orgs, ri->org, idx);
	tally_add(l, &l->months, month_key(ri->first_seen, m), idx);
	tally_add(l, &l->stages, ri->stage, idx);
	tally_add(l, &l->kinds, ri->kind, idx);
	if (ri->campaign)
		tally_add(l, &l->campaigns, ri->campaign, idx);
	resolve_group(l, ri, o, kb, idx);

	json_t *v;
	size_t i;
	json_array_foreach(json_object_get(json_object_get(o, "sources"), "countries"), i, v)
	{
		const char *c = json_string_value(v);
		if (c && *c)
			tally_add(l, &l->src_countries, c, idx);
	}
	json_array_foreach(json_object_get(o, "platforms"), i, v)
	{
		const char *p = json_string_value(v);
		if (p && (!strcmp(p, "android") || !strcmp(p, "ios")))
			ri->mobile = true;
	}
	json_array_foreach(json_object_get(o, "cves"), i, v)
	{
		const char *id = jstr(v, "id"), *cls = jstr(v, "class");
		if (!id)
			continue;
		if (!cls || (strcmp(cls, "0day") && strcmp(cls, "1day") && strcmp(cls, "nday")))
			cls = "unknown";
		ri->exploited = true;
		tally_add(l, &l->classes, cls, idx);
		tally_add(l, &l->cves, id, idx);
	}
	json_array_foreach(json_object_get(o, "platforms"), i, v)
	{
		const char *p = json_string_value(v);
		if (!p || !*p)
			continue;
		tally_add(l, &l->platforms, p, idx);
		if (ri->exploited)
			tally_add(l, &l->exploit_platforms, p, idx);
	}
	if (ri->exploited) {
		tally_add(l, &l->exploit_months, m, idx);
		if (ri->mobile)
			tally_add(l, &l->mobile_months, m, idx);
	}
	json_t *sc = json_object_get(o, "supply_chain");
	if (json_is_object(sc)) {
		char key[512];
		const char *ve = jstr(sc, "vendor"), *ch = jstr(sc, "channel");
		snprintf(key, sizeof key, "%s · %s", ve ? ve : "unknown", ch ? ch : "unknown");
		tally_add(l, &l->supply, key, idx);
	}
	bool brute = !strcmp(ri->kind, "bruteforce"), ddos = !strcmp(ri->kind, "ddos");
	if (!brute && !ddos && strcmp(ri->kind, "apt")) {
		/* an incident of another kind (exploit, intrusion) that is mostly
		 * password guessing or flooding still belongs in the table */
		json_array_foreach(json_object_get(o, "techniques"), i, v)
		{
			const char *t = json_string_value(v);
			if (t && !strncmp(t, "T1110", 5))
				brute = true;
			else if (t && (!strncmp(t, "T1498", 5) || !strncmp(t, "T1499", 5)))
				ddos = true;
		}
	}
	if (brute || ddos) {
		char key[512];
		json_t *victim = json_object_get(o, "victim");
		const char *target =
		    json_string_value(json_array_get(json_object_get(victim, "hosts"), 0));
		snprintf(key, sizeof key, "%s · %s",
			 !strcmp(ri->kind, "ddos") ? "DDoS" : "brute force",
			 target && *target ? target : ri->org);
		tally_add(l, &l->services, key, idx);
	}
	json_array_foreach(json_object_get(o, "malware"), i, v)
	{
		const char *mw = json_string_value(v);
		const char *c = mw ? commercial_of(mw) : NULL;
		if (c)
			tally_add(l, &l->commercial, c, idx);
	}
}

/* What the renderers still read of an incident once it is tallied; the rest
 * of the parsed object (alert links, evidence, candidates) is released, as it
 * is most of the memory. NULL (read as empty lists) when out of memory. */
static json_t *keep_lists(json_t *o)
{
	static const char *const keys[] = {"techniques", "malware", "indicators", "cves", "story"};
	json_t *k = json_object();
	for (size_t i = 0; k && i < sizeof keys / sizeof keys[0]; i++) {
		json_t *v = json_object_get(o, keys[i]);
		if (v && json_object_set(k, keys[i], v))
			break;
	}
	json_t *src = json_object_get(json_object_get(o, "sources"), "countries");
	if (k && src)
		json_object_set_new(k, "sources", json_pack("{sO}", "countries", src));
	json_decref(o);
	return k;
}

int landscape_add_json(struct landscape *l, const struct kb *kb, const char *text, size_t len)
{
	if (!l || !text)
		return AS_EINVAL;
	if (len > AS_REPORT_MAX_JSON || l->ninc >= AS_REPORT_MAX_INCIDENTS) {
		l->skipped++;
		return AS_ETOOBIG;
	}
	json_t *o = json_loadb(text, len, 0, NULL);
	const char *id = jstr(o, "id");
	if (!json_is_object(o) || !id) {
		json_decref(o);
		l->skipped++;
		return AS_EPARSE;
	}
	int64_t first = jtime(o, "first_seen");
	if (!in_period(l, first)) {
		json_decref(o);
		return 0;
	}
	if (l->ninc == l->cap) {
		size_t cap = l->cap ? l->cap * 2 : 64;
		struct rep_inc *v = realloc(l->inc, cap * sizeof *v);
		if (!v) {
			json_decref(o);
			return AS_ENOMEM;
		}
		l->inc = v;
		l->cap = cap;
	}
	struct rep_inc *ri = &l->inc[l->ninc];
	memset(ri, 0, sizeof *ri);
	json_t *victim = json_object_get(o, "victim");
	ri->id = strdup(id);
	ri->first_seen = first;
	ri->last_seen = jtime(o, "last_seen");
	ri->org = dup_or(jstr(victim, "org"), "unknown");
	ri->sector = dup_or(jstr(victim, "sector"), "unknown");
	ri->country = dup_or(jstr(victim, "country"), "unknown");
	ri->kind = dup_or(jstr(o, "kind"), "unknown");
	ri->severity = dup_or(jstr(o, "severity"), "unknown");
	ri->stage = strdup(top_stage(o));
	ri->campaign = jstr(o, "campaign") ? strdup(jstr(o, "campaign")) : NULL;
	json_int_t n = json_integer_value(json_object_get(o, "alert_count"));
	ri->alerts = n > 0 ? (uint64_t)n : 0;
	ri->json = o;
	if (!ri->id || !ri->org || !ri->sector || !ri->country || !ri->kind || !ri->severity ||
	    !ri->stage) {
		l->ninc++; /* so that landscape_free releases it */
		return AS_ENOMEM;
	}
	uint32_t idx = (uint32_t)l->ninc++;
	tally_incident(l, kb, idx, o);
	ri->json = keep_lists(o);
	return l->err;
}

/* Months with no incident still get a row, so the time series has no holes. */
static void fill_months(struct landscape *l)
{
	int lo = -1, hi = -1; /* year * 12 + month - 1 */
	for (size_t i = 0; i < l->months.n; i++) {
		int y, mo;
		if (sscanf(l->months.rows[i].key, "%4d-%2d", &y, &mo) != 2)
			continue;
		int k = y * 12 + mo - 1;
		if (lo < 0 || k < lo)
			lo = k;
		if (k > hi)
			hi = k;
	}
	int from = -1, to = -1;
	char b[AS_TIME_STRLEN];
	if (l->from != AS_TIME_NONE && l->to != AS_TIME_NONE) {
		int y, mo;
		if (sscanf(time_format(l->from, b), "%4d-%2d", &y, &mo) == 2)
			from = y * 12 + mo - 1;
		if (sscanf(time_format(l->to - 1, b), "%4d-%2d", &y, &mo) == 2)
			to = y * 12 + mo - 1;
	}
	if (from >= 0 && to >= from) {
		lo = lo < 0 || from < lo ? from : lo;
		hi = to > hi ? to : hi;
	}
	if (lo < 0 || hi - lo > 240)
		return;
	for (int k = lo; k <= hi; k++) {
		char key[16];
		snprintf(key, sizeof key, "%04d-%02d", k / 12, k % 12 + 1);
		tally_row(&l->months, key);
		tally_row(&l->exploit_months, key);
		tally_row(&l->mobile_months, key);
	}
}

void landscape_finish(struct landscape *l)
{
	if (!l)
		return;
	fill_months(l);
	struct rep_tally *by_count[] = {
	    &l->sectors,    &l->countries,  &l->orgs,    &l->campaigns,         &l->kinds,
	    &l->groups,     &l->new_groups, &l->regions, &l->origins,           &l->src_countries,
	    &l->cves,       &l->platforms,  &l->supply,  &l->exploit_platforms, &l->services,
	    &l->commercial,
	};
	for (size_t i = 0; i < sizeof by_count / sizeof by_count[0]; i++)
		if (tally_sort(by_count[i], REP_BY_COUNT))
			l->err = AS_ENOMEM;
	struct rep_tally *by_key[] = {&l->months, &l->exploit_months, &l->mobile_months,
				      &l->classes};
	for (size_t i = 0; i < sizeof by_key / sizeof by_key[0]; i++)
		if (tally_sort(by_key[i], REP_BY_KEY))
			l->err = AS_ENOMEM;
	if (tally_sort(&l->stages, REP_BY_STAGE))
		l->err = AS_ENOMEM;
}

int landscape_new(struct landscape **out, int64_t from, int64_t to)
{
	struct landscape *l = calloc(1, sizeof *l);
	if (!l)
		return AS_ENOMEM;
	l->from = from;
	l->to = to;
	*out = l;
	return 0;
}

void landscape_free(struct landscape *l)
{
	if (!l)
		return;
	for (size_t i = 0; i < l->ninc; i++) {
		struct rep_inc *ri = &l->inc[i];
		free(ri->id);
		free(ri->org);
		free(ri->sector);
		free(ri->country);
		free(ri->kind);
		free(ri->severity);
		free(ri->stage);
		free(ri->campaign);
		free(ri->group);
		free(ri->verdict);
		free(ri->nearest);
		json_decref(ri->json);
	}
	free(l->inc);
	struct rep_tally *all[] = {
	    &l->sectors,        &l->countries,     &l->months,    &l->stages,
	    &l->kinds,          &l->orgs,          &l->campaigns, &l->groups,
	    &l->new_groups,     &l->regions,       &l->origins,   &l->src_countries,
	    &l->classes,        &l->cves,          &l->platforms, &l->exploit_platforms,
	    &l->exploit_months, &l->mobile_months, &l->supply,    &l->services,
	    &l->commercial,
	};
	for (size_t i = 0; i < sizeof all / sizeof all[0]; i++)
		rep_tally_free(all[i]);
	free(l);
}

static bool table_exists(sqlite3 *db)
{
	sqlite3_stmt *st = NULL;
	bool yes = false;
	if (sqlite3_prepare_v2(
		db, "SELECT 1 FROM sqlite_master WHERE type='table' AND name='incidents'", -1, &st,
		NULL) == SQLITE_OK)
		yes = sqlite3_step(st) == SQLITE_ROW;
	sqlite3_finalize(st);
	return yes;
}

int landscape_build(struct landscape **out, struct store *s, const struct kb *kb, int64_t from,
		    int64_t to)
{
	sqlite3 *db = store_sqlite(s);
	if (!out || !db)
		return AS_EINVAL;
	struct landscape *l = NULL;
	int rc = landscape_new(&l, from, to);
	if (rc)
		return rc;
	if (table_exists(db)) {
		sqlite3_stmt *st = NULL;
		if (sqlite3_prepare_v2(db, "SELECT json FROM incidents ORDER BY first_seen, id", -1,
				       &st, NULL) != SQLITE_OK) {
			landscape_free(l);
			return AS_EDB;
		}
		int step;
		while ((step = sqlite3_step(st)) == SQLITE_ROW) {
			const char *text = (const char *)sqlite3_column_text(st, 0);
			int n = sqlite3_column_bytes(st, 0);
			rc = text ? landscape_add_json(l, kb, text, (size_t)n) : AS_EPARSE;
			if (!text)
				l->skipped++;
			if (rc == AS_ENOMEM)
				break;
			rc = 0;
		}
		if (!rc && step != SQLITE_DONE)
			rc = AS_EDB;
		sqlite3_finalize(st);
	}
	landscape_finish(l);
	if (!rc)
		rc = l->err;
	if (rc) {
		landscape_free(l);
		return rc;
	}
	*out = l;
	return 0;
}

void landscape_headline(const struct landscape *l, struct rep_headline *h)
{
	memset(h, 0, sizeof *h);
	h->incidents = l->ninc;
	h->campaigns = l->campaigns.n;
	for (size_t i = 0; i < l->orgs.n; i++)
		h->orgs += strcmp(l->orgs.rows[i].key, "unknown") != 0;
	for (size_t i = 0; i < l->sectors.n; i++)
		h->sectors += strcmp(l->sectors.rows[i].key, "unknown") != 0;
	h->groups = l->groups.n + l->new_groups.n;
	h->new_groups = l->new_groups.n;
	for (size_t i = 0; i < l->ninc; i++)
		h->exploited += l->inc[i].exploited;
	for (size_t i = 0; i < l->supply.n; i++)
		h->supply += l->supply.rows[i].ninc;
}

static void field_values(const struct rep_inc *ri, enum rep_field f, const char **one, json_t **arr)
{
	json_t *o = ri->json;
	*one = NULL;
	*arr = NULL;
	switch (f) {
	case RF_ORG:
		*one = ri->org;
		break;
	case RF_SECTOR:
		*one = ri->sector;
		break;
	case RF_COUNTRY:
		*one = ri->country;
		break;
	case RF_GROUP:
		*one = ri->group ? ri->group : "unattributed";
		break;
	case RF_SRC_COUNTRY:
		*arr = json_object_get(json_object_get(o, "sources"), "countries");
		break;
	case RF_TECHNIQUE:
		*arr = json_object_get(o, "techniques");
		break;
	case RF_NEAREST:
		*one = ri->nearest;
		break;
	case RF_MALWARE:
		*arr = json_object_get(o, "malware");
		break;
	}
}

int rep_row_breakdown(const struct landscape *l, const struct rep_row *r, enum rep_field f,
		      struct rep_tally *out)
{
	memset(out, 0, sizeof *out);
	struct landscape tmp = *l; /* tally_add reads alert counts and sets err here */
	tmp.err = 0;
	for (size_t i = 0; i < r->ninc; i++) {
		uint32_t idx = r->inc[i];
		const char *one;
		json_t *arr, *v;
		size_t j;
		field_values(&l->inc[idx], f, &one, &arr);
		if (one)
			tally_add(&tmp, out, one, idx);
		json_array_foreach(arr, j, v)
		{
			const char *s = json_string_value(v);
			if (s && *s)
				tally_add(&tmp, out, s, idx);
		}
	}
	if (!tmp.err)
		tmp.err = tally_sort(out, REP_BY_COUNT);
	if (tmp.err)
		rep_tally_free(out);
	return tmp.err;
}

void rep_mobile_trend(const struct landscape *l, struct rep_trend *t)
{
	memset(t, 0, sizeof *t);
	for (size_t i = 0; i < l->ninc; i++)
		if (l->inc[i].exploited) {
			t->exploited++;
			t->mobile += l->inc[i].mobile;
		}
	t->share = t->exploited ? (double)t->mobile / (double)t->exploited : 0.0;
	double sx = 0, sy = 0, sxx = 0, sxy = 0;
	unsigned n = 0;
	for (size_t i = 0; i < l->exploit_months.n; i++) {
		const struct rep_row *e = l->exploit_months.order[i];
		if (!e->ninc || !strcmp(e->key, "unknown"))
			continue;
		const struct rep_row *m = rep_tally_find(&l->mobile_months, e->key);
		double y = (double)(m ? m->ninc : 0) / (double)e->ninc, x = (double)i;
		sx += x, sy += y, sxx += x * x, sxy += x * y;
		n++;
	}
	double den = n * sxx - sx * sx;
	t->slope = n >= 2 && den != 0 ? (n * sxy - sx * sy) / den : 0.0;
	t->direction = t->slope > 0.005 ? "rising" : t->slope < -0.005 ? "falling" : "flat";
}

int rep_compare(const struct rep_tally *now, const struct rep_tally *before, struct rep_delta **out,
		size_t *n)
{
	size_t cap = now->n + (before ? before->n : 0);
	*out = NULL;
	*n = 0;
	if (!cap)
		return 0;
	struct rep_delta *d = calloc(cap, sizeof *d);
	if (!d)
		return AS_ENOMEM;
	size_t k = 0;
	for (size_t i = 0; i < now->n; i++) {
		const struct rep_row *r = now->order ? now->order[i] : &now->rows[i];
		const struct rep_row *b = before ? rep_tally_find(before, r->key) : NULL;
		d[k++] = (struct rep_delta){r->key, r->count, b ? b->count : 0};
	}
	for (size_t i = 0; before && i < before->n; i++) {
		const struct rep_row *b = before->order ? before->order[i] : &before->rows[i];
		if (!rep_tally_find(now, b->key))
			d[k++] = (struct rep_delta){b->key, 0, b->count};
	}
	*out = d;
	*n = k;
	return 0;
}

const char *rep_day(int64_t t, bool is_to, char *dst)
{
	if (t == AS_TIME_NONE) {
		strcpy(dst, "…");
		return dst;
	}
	time_format(is_to ? t - 1 : t, dst);
	dst[10] = 0;
	return dst;
}
