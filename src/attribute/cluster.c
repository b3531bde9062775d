/*
 * cluster.c — activity nobody has named yet: unattributed incidents grouped
 * into candidate new groups.
 *
 * Union-find over the incidents added. Two incidents join when they share
 * an indicator or an infrastructure value (one hash map from value to the
 * first incident that had it), a piece of software that is not common in
 * the knowledge base (known to at most one group, or unknown: new tooling
 * is the best sign of a new actor), or when their technique sets are close
 * (Jaccard ≥ 0.5 over at least five techniques each). A set of two or more
 * incidents is a cluster; clusters are named UNK-<year>-<NNN> in order of
 * first activity, so re-running the same incidents gives the same names.
 * When a model is given, each cluster's merged profile is attributed: if a
 * later import makes that "attributed", the cluster is linked to the group.
 */
#include <stdlib.h>
#include <string.h>

#include "attribute/attr_impl.h"
#include "core/error.h"
#include "core/limits.h"
#include "core/timeparse.h"
#include "intel/intel.h"

#define CLUSTER_MIN_TECHNIQUES 5
#define CLUSTER_JACCARD        0.5

struct member {
	uint64_t id;
	char *org;
	int64_t first, last;
	struct observations *o;
	uint32_t parent;
	long cluster; /* index in c->out or -1 */
};

struct attr_clusterer {
	struct member *mem;
	size_t n, cap;
	struct attr_cluster *out;
	size_t nout;
};

int attr_clusterer_new(struct attr_clusterer **out)
{
	*out = calloc(1, sizeof **out);
	return *out ? 0 : AS_ENOMEM;
}

static void clusters_free(struct attr_clusterer *c)
{
	for (size_t i = 0; i < c->nout; i++) {
		free(c->out[i].incidents);
		observations_free(c->out[i].profile);
	}
	free(c->out);
	c->out = NULL;
	c->nout = 0;
}

void attr_clusterer_free(struct attr_clusterer *c)
{
	if (!c)
		return;
	clusters_free(c);
	for (size_t i = 0; i < c->n; i++) {
		free(c->mem[i].org);
		observations_free(c->mem[i].o);
	}
	free(c->mem);
	free(c);
}

/* Copy every observation of src into dst. */
static int obs_merge(struct observations *dst, const struct observations *src)
{
	int rc = 0;
	for (int k = 0; k < ATTR_OBS_KINDS; k++)
		for (uint32_t i = 0; i < src->list[k].n; i++)
			if ((rc = observations_add(dst, (enum attr_obs_kind)k,
						   slice_cstr(src->list[k].v[i]))) == AS_ENOMEM)
				return rc;
	for (uint32_t i = 0; i < src->nind; i++) {
		struct slice g[64];
		size_t ng = 0;
		for (uint32_t j = 0; j < src->ind[i].groups.n && ng < 64; j++)
			g[ng++] = slice_cstr(src->ind[i].groups.v[j]);
		if ((rc = observations_add_indicator(dst, slice_cstr(src->ind[i].type),
						     slice_cstr(src->ind[i].value), g, ng)) ==
		    AS_ENOMEM)
			return rc;
	}
	for (int h = 0; h < 24; h++)
		dst->hours[h] += src->hours[h];
	return 0;
}

int attr_cluster_add(struct attr_clusterer *c, uint64_t incident, const char *org, int64_t first,
		     int64_t last, const struct observations *o)
{
	if (c->n >= AS_MAX_ATTR_INCIDENTS)
		return AS_ETOOBIG;
	if (c->n == c->cap) {
		size_t cap = c->cap ? c->cap * 2 : 64;
		struct member *n = realloc(c->mem, cap * sizeof *n);
		if (!n)
			return AS_ENOMEM;
		c->mem = n;
		c->cap = cap;
	}
	struct member *m = &c->mem[c->n];
	memset(m, 0, sizeof *m);
	m->id = incident;
	m->first = first;
	m->last = last;
	m->parent = (uint32_t)c->n;
	if ((org && !(m->org = strdup(org))) || observations_new(&m->o) || obs_merge(m->o, o)) {
		free(m->org);
		observations_free(m->o);
		return AS_ENOMEM;
	}
	c->n++;
	return 0;
}

static uint32_t find(struct member *m, uint32_t i)
{
	while (m[i].parent != i) {
		m[i].parent = m[m[i].parent].parent;
		i = m[i].parent;
	}
	return i;
}

static void unite(struct member *m, uint32_t a, uint32_t b)
{
	a = find(m, a);
	b = find(m, b);
	if (a != b)
		m[a < b ? b : a].parent = a < b ? a : b;
}

/* Link incidents sharing a value of key (prefix + lower-case value). */
static int link_value(struct attr_clusterer *c, struct map *seen, uint32_t i, char prefix,
		      const char *v)
{
	char key[AS_MAX_ATTR_VALUE + 4];
	long n = attr_tok_key(TK_IND, slice_cstr(v), key, sizeof key);
	if (n < 0)
		return 0;
	key[0] = prefix;
	uint64_t first = i;
	bool existed;
	int rc = map_put_new(seen, slice_make(key, (size_t)n), &first, &existed);
	if (!rc && existed)
		unite(c->mem, (uint32_t)first, i);
	return rc;
}

static bool software_rare(const struct attr_model *m, const char *name)
{
	if (!m)
		return true;
	const struct kb_software *sw = kb_software_find(m->kb, slice_cstr(name));
	long t = attr_tok_find(m, TK_SW, slice_cstr(sw ? sw->name : name));
	return t < 0 || m->post_off[t + 1] - m->post_off[t] <= 1;
}

static double jaccard(const struct attr_strs *a, const struct attr_strs *b)
{
	size_t both = 0;
	for (uint32_t i = 0; i < a->n; i++)
		for (uint32_t j = 0; j < b->n; j++)
			if (!strcasecmp(a->v[i], b->v[j])) {
				both++;
				break;
			}
	size_t all = a->n + b->n - both;
	return all ? (double)both / (double)all : 0;
}

static int cmp_first(const void *x, const void *y)
{
	const struct attr_cluster *a = x, *b = y;
	if (a->first_seen != b->first_seen)
		return a->first_seen < b->first_seen ? -1 : 1;
	return a->incidents[0] < b->incidents[0] ? -1 : a->incidents[0] > b->incidents[0];
}

int attr_cluster_run(struct attr_clusterer *c, const struct attr_model *m,
		     const struct attr_cluster **out, size_t *n)
{
	struct map seen;
	int rc = 0;
	clusters_free(c);
	map_init(&seen);
	for (size_t i = 0; i < c->n; i++)
		c->mem[i].parent = (uint32_t)i;
	for (uint32_t i = 0; !rc && i < c->n; i++) {
		const struct observations *o = c->mem[i].o;
		for (uint32_t j = 0; !rc && j < o->nind; j++)
			rc = link_value(c, &seen, i, 'i', o->ind[j].value);
		for (uint32_t j = 0; !rc && j < o->list[ATTR_OBS_INFRA].n; j++)
			rc = link_value(c, &seen, i, 'i', o->list[ATTR_OBS_INFRA].v[j]);
		for (uint32_t j = 0; !rc && j < o->list[ATTR_OBS_SOFTWARE].n; j++)
			if (software_rare(m, o->list[ATTR_OBS_SOFTWARE].v[j]))
				rc = link_value(c, &seen, i, 's', o->list[ATTR_OBS_SOFTWARE].v[j]);
	}
	map_free(&seen);
	if (rc)
		return rc;
	/* technique profiles: pairwise, only between incidents with enough of them */
	for (size_t i = 0; i < c->n; i++) {
		const struct attr_strs *a = &c->mem[i].o->list[ATTR_OBS_TECHNIQUE];
		if (a->n < CLUSTER_MIN_TECHNIQUES)
			continue;
		for (size_t j = i + 1; j < c->n; j++) {
			const struct attr_strs *b = &c->mem[j].o->list[ATTR_OBS_TECHNIQUE];
			if (b->n >= CLUSTER_MIN_TECHNIQUES &&
			    find(c->mem, (uint32_t)i) != find(c->mem, (uint32_t)j) &&
			    jaccard(a, b) >= CLUSTER_JACCARD)
				unite(c->mem, (uint32_t)i, (uint32_t)j);
		}
	}
	/* roots with two or more members become clusters */
	size_t *size = calloc(c->n + 1, sizeof *size);
	long *slot = malloc((c->n + 1) * sizeof *slot);
	if (!size || !slot) {
		free(size);
		free(slot);
		return AS_ENOMEM;
	}
	for (size_t i = 0; i < c->n; i++)
		size[find(c->mem, (uint32_t)i)]++;
	size_t nclusters = 0;
	for (size_t i = 0; i < c->n; i++)
		slot[i] = size[i] >= 2 ? (long)nclusters++ : -1;
	c->out = calloc(nclusters + 1, sizeof *c->out);
	if (!c->out) {
		rc = AS_ENOMEM;
		goto done;
	}
	c->nout = nclusters;
	for (size_t i = 0; i < c->n; i++) {
		long s = slot[i];
		if (s >= 0) {
			struct attr_cluster *cl = &c->out[s];
			cl->first_seen = cl->last_seen = AS_TIME_NONE;
			if (!(cl->incidents = calloc(size[i], sizeof *cl->incidents)) ||
			    observations_new(&cl->profile)) {
				rc = AS_ENOMEM;
				goto done;
			}
		}
	}
	for (size_t i = 0; i < c->n; i++) {
		struct member *mb = &c->mem[i];
		long s = slot[find(c->mem, (uint32_t)i)];
		if (s < 0)
			continue;
		struct attr_cluster *cl = &c->out[s];
		cl->incidents[cl->nincidents++] = mb->id;
		if (mb->first != AS_TIME_NONE &&
		    (cl->first_seen == AS_TIME_NONE || mb->first < cl->first_seen))
			cl->first_seen = mb->first;
		if (mb->last != AS_TIME_NONE &&
		    (cl->last_seen == AS_TIME_NONE || mb->last > cl->last_seen))
			cl->last_seen = mb->last;
		bool seen_org = !mb->org;
		for (size_t j = 0; j < i && !seen_org; j++)
			seen_org = c->mem[j].org && slot[find(c->mem, (uint32_t)j)] == s &&
				   !strcmp(c->mem[j].org, mb->org);
		cl->norgs += !seen_org;
		if ((rc = obs_merge(cl->profile, mb->o)))
			goto done;
	}
	qsort(c->out, c->nout, sizeof *c->out, cmp_first);
	int year = 0, seq = 0;
	for (size_t i = 0; i < c->nout; i++) {
		struct attr_cluster *cl = &c->out[i];
		int y = cl->first_seen != AS_TIME_NONE ? time_year(cl->first_seen) : 0;
		seq = y == year ? seq + 1 : 1;
		year = y;
		snprintf(cl->name, sizeof cl->name, "UNK-%04d-%03d", y > 0 && y < 10000 ? y : 0,
			 seq % 1000);
		if (m) {
			struct attr_result r;
			if (!attribute_observations(m, cl->profile, NULL, &r)) {
				if (r.verdict == ATTR_ATTRIBUTED_V && r.n) {
					cl->linked = r.cand[0].group;
					cl->linked_confidence = r.cand[0].confidence;
				}
				attr_result_free(&r);
			}
		}
	}
	*out = c->out;
	*n = c->nout;
done:
	free(size);
	free(slot);
	if (rc)
		clusters_free(c);
	return rc;
}

const struct attr_cluster *attr_cluster_of(const struct attr_clusterer *c, uint64_t incident)
{
	for (size_t i = 0; i < c->nout; i++)
		for (size_t j = 0; j < c->out[i].nincidents; j++)
			if (c->out[i].incidents[j] == incident)
				return &c->out[i];
	return NULL;
}

static void strs_json(struct jw *w, const char *key, const struct attr_strs *s)
{
	jw_key(w, key);
	jw_arr(w);
	for (uint32_t i = 0; i < s->n; i++)
		jw_cstr(w, s->v[i]);
	jw_arr_end(w);
}

int attr_cluster_to_json(const struct attr_cluster *cl, struct buf *out)
{
	struct jw w;
	char t[AS_TIME_STRLEN];
	const struct observations *p = cl->profile;
	jw_init(&w, out);
	jw_obj(&w);
	jw_kcstr(&w, "name", cl->name);
	jw_kcstr(&w, "first_seen",
		 cl->first_seen != AS_TIME_NONE ? time_format(cl->first_seen, t) : NULL);
	jw_kcstr(&w, "last_seen",
		 cl->last_seen != AS_TIME_NONE ? time_format(cl->last_seen, t) : NULL);
	jw_key(&w, "incidents");
	jw_arr(&w);
	for (size_t i = 0; i < cl->nincidents; i++)
		jw_int(&w, (int64_t)cl->incidents[i]);
	jw_arr_end(&w);
	jw_kint(&w, "organisations", (int64_t)cl->norgs);
	strs_json(&w, "techniques", &p->list[ATTR_OBS_TECHNIQUE]);
	strs_json(&w, "software", &p->list[ATTR_OBS_SOFTWARE]);
	strs_json(&w, "infrastructure", &p->list[ATTR_OBS_INFRA]);
	jw_key(&w, "indicators");
	jw_arr(&w);
	for (uint32_t i = 0; i < p->nind; i++)
		jw_cstr(&w, p->ind[i].value);
	jw_arr_end(&w);
	strs_json(&w, "sectors", &p->list[ATTR_OBS_SECTOR]);
	strs_json(&w, "victim_countries", &p->list[ATTR_OBS_VICTIM_COUNTRY]);
	jw_kcstr(&w, "linked_group", cl->linked ? cl->linked->name : NULL);
	jw_obj_end(&w);
	return out->err;
}
