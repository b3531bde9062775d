/*
 * cluster.c — activity nobody has named yet: unattributed incidents grouped
 * into candidate new groups, kept under stable names, and named when the
 * knowledge base later learns who they are.
 *
 * Union-find over nodes: one per incident of this run and one per cluster
 * known from an earlier run (attr_cluster_add_known). Two nodes join when
 *
 *   - they share an indicator, an infrastructure value or an exact file hash
 *     (one hash map from value to the first node that had it);
 *   - they share software that is not common: known to at most one group of
 *     the knowledge base, or unknown (new tooling is the best sign of a new
 *     actor; Mimikatz or Cobalt Strike, used by dozens, say nothing);
 *   - two of their ssdeep hashes score ≥ ATTR_SSDEEP_MATCH. Only hashes that
 *     share a 7-character run of one chunk at one block size are compared
 *     (libfuzzy scores 0 without one): every 7-gram, keyed with its block
 *     size, goes into a sorted list and only the members of one key's run
 *     are compared, each pair once, in runs of at most AS_ATTR_CLUSTER_BUCKET
 *     (a run longer than that is a string everything has, a packer stub);
 *   - their distinctive techniques are close: Jaccard ≥ 0.5 over at least
 *     five techniques each, counting only techniques that fewer than 10 % of
 *     the knowledge base's groups with known techniques use (T1059.001 or
 *     T1105 would make everyone one cluster). Candidate pairs come from the same kind of
 *     inverted list.
 *
 * A known cluster's node is joined first by the incidents it already held
 * (a re-run or a later hunt that extends them), then by evidence; two known
 * clusters are never merged — a bridge between them is refused and counted,
 * so an existing UNK name never changes meaning. A component is a cluster
 * when it holds a known cluster or two incidents or more: activity that
 * recurs. New clusters are named UNK-<year of first activity>-<NNN>,
 * numbered after the highest number known for that year, in order of first
 * activity, so re-running the same incidents gives the same names.
 *
 * With a knowledge base, a cluster not yet linked is named after the group
 * whose own evidence it holds: an indicator, hash or infrastructure value
 * the kb lists for exactly one group (or that the feed which flagged it
 * ties to a group), an ssdeep hash close to one the kb lists, or software
 * only that group uses; the group with most matches wins, a tie names
 * nobody. This is how a later import names a cluster.
 */
#include <fuzzy.h>
#include <jansson.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "attribute/attr_impl.h"
#include "core/error.h"
#include "core/hash.h"
#include "core/limits.h"
#include "core/timeparse.h"
#include "intel/intel.h"

#define CLUSTER_MIN_TECHNIQUES 5
#define CLUSTER_JACCARD        0.5
#define CLUSTER_TECH_COMMON    0.10 /* share of the kb's groups from which a technique is common */

struct node {
	char *id; /* incident id; NULL for a known cluster */
	char *org;
	int64_t first, last;
	struct observations *o;
	uint32_t parent;
	int32_t known; /* at a root: the known cluster of the component, or -1 */
};

struct known {
	char name[24];
	int year, seq;
	char **ids, **orgs;
	size_t nids, norgs;
	char *linked, *reason;
	uint32_t node;
};

struct attr_clusterer {
	struct node *nd;
	size_t n, cap, nincidents;
	struct known *kn;
	size_t nk, capk;
	struct map by_id; /* incident id → node */
	struct attr_cluster *out;
	size_t nout;
	struct map out_of; /* incident id → index in out */
	struct attr_cluster_stats st;
};

int attr_clusterer_new(struct attr_clusterer **out)
{
	*out = calloc(1, sizeof **out);
	if (!*out)
		return AS_ENOMEM;
	map_init(&(*out)->by_id);
	map_init(&(*out)->out_of);
	return 0;
}

static void strv_free(char **v, size_t n)
{
	for (size_t i = 0; i < n; i++)
		free(v[i]);
	free(v);
}

static void clusters_free(struct attr_clusterer *c)
{
	for (size_t i = 0; i < c->nout; i++) {
		struct attr_cluster *cl = &c->out[i];
		strv_free(cl->incidents, cl->nincidents);
		strv_free(cl->orgs, cl->norgs);
		observations_free(cl->profile);
		free(cl->linked_group);
		free(cl->linked_reason);
	}
	free(c->out);
	c->out = NULL;
	c->nout = 0;
	map_free(&c->out_of);
	map_init(&c->out_of);
}

void attr_clusterer_free(struct attr_clusterer *c)
{
	if (!c)
		return;
	clusters_free(c);
	for (size_t i = 0; i < c->n; i++) {
		free(c->nd[i].id);
		free(c->nd[i].org);
		observations_free(c->nd[i].o);
	}
	free(c->nd);
	for (size_t i = 0; i < c->nk; i++) {
		strv_free(c->kn[i].ids, c->kn[i].nids);
		strv_free(c->kn[i].orgs, c->kn[i].norgs);
		free(c->kn[i].linked);
		free(c->kn[i].reason);
	}
	free(c->kn);
	map_free(&c->by_id);
	map_free(&c->out_of);
	free(c);
}

void attr_clusterer_stats(const struct attr_clusterer *c, struct attr_cluster_stats *st)
{
	*st = c->st;
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

static struct node *node_push(struct attr_clusterer *c)
{
	if (c->n >= AS_MAX_ATTR_INCIDENTS)
		return NULL;
	if (c->n == c->cap) {
		size_t cap = c->cap ? c->cap * 2 : 64;
		struct node *n = realloc(c->nd, cap * sizeof *n);
		if (!n)
			return NULL;
		c->nd = n;
		c->cap = cap;
	}
	struct node *m = &c->nd[c->n];
	memset(m, 0, sizeof *m);
	m->parent = (uint32_t)c->n;
	m->known = -1;
	m->first = m->last = AS_TIME_NONE;
	return m;
}

int attr_cluster_add(struct attr_clusterer *c, const char *incident, const char *org, int64_t first,
		     int64_t last, const struct observations *o)
{
	if (!incident || !*incident)
		return AS_EINVAL;
	if (map_get(&c->by_id, slice_cstr(incident), NULL))
		return 0; /* given twice: the first stays */
	struct node *m = node_push(c);
	if (!m)
		return c->n >= AS_MAX_ATTR_INCIDENTS ? AS_ETOOBIG : AS_ENOMEM;
	m->first = first;
	m->last = last;
	if (!(m->id = strdup(incident)) || (org && !(m->org = strdup(org))) ||
	    observations_new(&m->o) || obs_merge(m->o, o) ||
	    map_put(&c->by_id, slice_cstr(incident), c->n, NULL)) {
		free(m->id);
		free(m->org);
		observations_free(m->o);
		return AS_ENOMEM;
	}
	c->n++;
	c->nincidents++;
	return 0;
}

static int strv_push(char ***v, size_t *n, const char *s)
{
	for (size_t i = 0; i < *n; i++)
		if (!strcmp((*v)[i], s))
			return 0;
	char **nv = realloc(*v, (*n + 1) * sizeof *nv);
	if (!nv)
		return AS_ENOMEM;
	*v = nv;
	if (!(nv[*n] = strdup(s)))
		return AS_ENOMEM;
	(*n)++;
	return 0;
}

static int64_t jtime(json_t *o, const char *key)
{
	const char *s = json_string_value(json_object_get(o, key));
	int64_t t;
	return s && !time_parse_rfc3339(slice_cstr(s), &t) ? t : AS_TIME_NONE;
}

int attr_cluster_add_known(struct attr_clusterer *c, const char *json, size_t len)
{
	json_t *o = json_loadb(json, len, 0, NULL);
	const char *name = json_string_value(json_object_get(o, "name"));
	int year, seq, rc = AS_EPARSE;
	char tail;
	if (!o || !name || strlen(name) >= sizeof c->kn->name ||
	    sscanf(name, "UNK-%d-%d%c", &year, &seq, &tail) != 2 || seq <= 0)
		goto out;
	rc = AS_ETOOBIG;
	if (c->nk >= AS_MAX_ATTR_CLUSTERS)
		goto out;
	for (size_t i = 0; i < c->nk; i++)
		if (!strcmp(c->kn[i].name, name)) {
			rc = 0; /* the same cluster twice: the first stays */
			goto out;
		}
	rc = AS_ENOMEM;
	if (c->nk == c->capk) {
		size_t cap = c->capk ? c->capk * 2 : 16;
		struct known *nk = realloc(c->kn, cap * sizeof *nk);
		if (!nk)
			goto out;
		c->kn = nk;
		c->capk = cap;
	}
	struct node *m = node_push(c);
	if (!m || observations_new(&m->o))
		goto out;
	struct known *k = &c->kn[c->nk];
	memset(k, 0, sizeof *k);
	snprintf(k->name, sizeof k->name, "%s", name);
	k->year = year;
	k->seq = seq;
	k->node = (uint32_t)c->n;
	m->known = (int32_t)c->nk;
	m->first = jtime(o, "first_seen");
	m->last = jtime(o, "last_seen");
	c->n++;
	c->nk++;
	/* the profile is the contract's lists ("techniques", "indicators", …) */
	observations_parse(m->o, name, json, len, NULL);
	size_t i;
	json_t *v;
	rc = 0;
	json_array_foreach(json_object_get(o, "incidents"), i, v)
	{
		if (json_is_string(v) && !rc)
			rc = strv_push(&k->ids, &k->nids, json_string_value(v));
	}
	json_array_foreach(json_object_get(o, "organisation_names"), i, v)
	{
		if (json_is_string(v) && !rc)
			rc = strv_push(&k->orgs, &k->norgs, json_string_value(v));
	}
	const char *lg = json_string_value(json_object_get(o, "linked_group"));
	const char *lr = json_string_value(json_object_get(o, "linked_reason"));
	if (!rc && lg && (!(k->linked = strdup(lg)) || (lr && !(k->reason = strdup(lr)))))
		rc = AS_ENOMEM;
out:
	json_decref(o);
	return rc;
}

static uint32_t find(struct node *m, uint32_t i)
{
	while (m[i].parent != i) {
		m[i].parent = m[m[i].parent].parent;
		i = m[i].parent;
	}
	return i;
}

/* Join the components of a and b, unless each holds a different known
 * cluster: names given by earlier runs are never merged. */
static void unite(struct attr_clusterer *c, uint32_t a, uint32_t b)
{
	struct node *m = c->nd;
	a = find(m, a);
	b = find(m, b);
	if (a == b)
		return;
	if (m[a].known >= 0 && m[b].known >= 0) {
		c->st.refused++;
		return;
	}
	uint32_t root = a < b ? a : b, child = a < b ? b : a;
	m[child].parent = root;
	if (m[root].known < 0)
		m[root].known = m[child].known;
}

/* Link nodes sharing a value of key (prefix + lower-case value). */
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
		unite(c, (uint32_t)first, i);
	return rc;
}

bool attr_software_common(const struct kb *kb, const char *name)
{
	const struct kb_software *sw = kb ? kb_software_find(kb, slice_cstr(name)) : NULL;
	return sw && sw->groups.n >= 2;
}

/* --- inverted lists: candidate pairs without comparing all pairs ---------- */

struct post {
	uint64_t key;
	uint32_t node;
	uint32_t item; /* which value of the node (fuzzy hashes) */
};

static int post_cmp(const void *x, const void *y)
{
	const struct post *a = x, *b = y;
	if (a->key != b->key)
		return a->key < b->key ? -1 : 1;
	if (a->node != b->node)
		return a->node < b->node ? -1 : 1;
	return a->item < b->item ? -1 : a->item > b->item;
}

struct posts {
	struct post *v;
	size_t n, cap;
};

static int posts_push(struct posts *p, uint64_t key, uint32_t node, uint32_t item)
{
	if (p->n >= AS_ATTR_CLUSTER_POSTS)
		return AS_ETOOBIG;
	if (p->n == p->cap) {
		size_t cap = p->cap ? p->cap * 2 : 256;
		struct post *n = realloc(p->v, cap * sizeof *n);
		if (!n)
			return AS_ENOMEM;
		p->v = n;
		p->cap = cap;
	}
	p->v[p->n++] = (struct post){key, node, item};
	return 0;
}

/* Call fn on every pair of distinct nodes sharing a key, once per pair of
 * items, skipping runs longer than AS_ATTR_CLUSTER_BUCKET and pairs already
 * in one component; at most AS_ATTR_CLUSTER_PAIRS calls. */
static int posts_pairs(struct attr_clusterer *c, struct posts *p,
		       bool (*fn)(struct attr_clusterer *c, const struct post *a,
				  const struct post *b, void *ctx),
		       void *ctx)
{
	struct map done;
	int rc = 0;
	map_init(&done);
	if (p->n)
		qsort(p->v, p->n, sizeof *p->v, post_cmp);
	for (size_t i = 0; i < p->n && !rc;) {
		size_t j = i;
		while (j < p->n && p->v[j].key == p->v[i].key)
			j++;
		if (j - i > AS_ATTR_CLUSTER_BUCKET) {
			c->st.buckets_skipped++;
			i = j;
			continue;
		}
		for (size_t x = i; x < j && !rc; x++)
			for (size_t y = x + 1; y < j && !rc; y++) {
				const struct post *a = &p->v[x], *b = &p->v[y];
				if (a->node == b->node ||
				    find(c->nd, a->node) == find(c->nd, b->node))
					continue;
				uint32_t pair[4] = {a->node, a->item, b->node, b->item};
				bool existed;
				uint64_t one = 1;
				if ((rc = map_put_new(&done,
						      slice_make((const char *)pair, sizeof pair),
						      &one, &existed)))
					break;
				if (existed)
					continue;
				if (c->st.compared >= AS_ATTR_CLUSTER_PAIRS) {
					c->st.pairs_skipped++;
					continue;
				}
				c->st.compared++;
				if (fn(c, a, b, ctx))
					unite(c, a->node, b->node);
			}
		i = j;
	}
	map_free(&done);
	return rc == AS_ETOOBIG ? 0 : rc;
}

/* ssdeep "blocksize:chunk:chunk[,name]" → block size and the two chunks
 * with runs of more than three equal characters cut to three (as libfuzzy
 * does before comparing). false when it is not one. */
static bool ssdeep_split(const char *s, unsigned long *bs, char c1[72], char c2[72])
{
	char *end;
	*bs = strtoul(s, &end, 10);
	if (end == s || *end != ':' || *bs == 0 || *bs > (1ul << 40))
		return false;
	const char *p = end + 1;
	char *dst[2] = {c1, c2};
	for (int k = 0; k < 2; k++) {
		size_t n = 0;
		while (*p && *p != ':' && *p != ',' && n < 71) {
			if (!(n >= 3 && dst[k][n - 1] == *p && dst[k][n - 2] == *p &&
			      dst[k][n - 3] == *p))
				dst[k][n++] = *p;
			p++;
		}
		dst[k][n] = 0;
		if (k == 0) {
			if (*p != ':')
				return false;
			p++;
		}
	}
	return true;
}

static int fuzzy_post(struct posts *p, uint32_t node, uint32_t item, unsigned long bs,
		      const char *chunk)
{
	size_t n = strlen(chunk);
	for (size_t i = 0; i + 7 <= n; i++) {
		char k[8 + 7];
		uint64_t b = bs;
		memcpy(k, &b, 8);
		memcpy(k + 8, chunk + i, 7);
		int rc = posts_push(p, hash_bytes(k, sizeof k), node, item);
		if (rc)
			return rc;
	}
	return 0;
}

static bool fuzzy_close(struct attr_clusterer *c, const struct post *a, const struct post *b,
			void *ctx)
{
	(void)ctx;
	const char *x = c->nd[a->node].o->list[ATTR_OBS_FUZZY].v[a->item];
	const char *y = c->nd[b->node].o->list[ATTR_OBS_FUZZY].v[b->item];
	return fuzzy_compare(x, y) >= ATTR_SSDEEP_MATCH;
}

static int link_fuzzy(struct attr_clusterer *c)
{
	struct posts p = {0};
	int rc = 0;
	for (uint32_t i = 0; i < c->n && !rc; i++) {
		const struct attr_strs *f = &c->nd[i].o->list[ATTR_OBS_FUZZY];
		for (uint32_t j = 0; j < f->n && !rc; j++) {
			unsigned long bs;
			char c1[72], c2[72];
			if (!ssdeep_split(f->v[j], &bs, c1, c2))
				continue;
			/* the second chunk is the signature at twice the block size */
			if (!(rc = fuzzy_post(&p, i, j, bs, c1)))
				rc = fuzzy_post(&p, i, j, bs * 2, c2);
		}
	}
	if (rc == AS_ETOOBIG) {
		c->st.posts_over++;
		rc = 0;
	}
	if (!rc)
		rc = posts_pairs(c, &p, fuzzy_close, NULL);
	free(p.v);
	return rc;
}

/* Distinctive techniques: unknown to the kb, or used by fewer than
 * CLUSTER_TECH_COMMON of its groups (and by at most one when it has few). */
struct tech_ctx {
	struct map uses; /* lower-case technique → groups using it */
	size_t ngroups;
};

static bool tech_distinct(const struct tech_ctx *t, const char *id)
{
	char k[64];
	long n = attr_tok_key(TK_TECH, slice_cstr(id), k, sizeof k);
	uint64_t uses = 0;
	if (n < 0 || !map_get(&t->uses, slice_make(k, (size_t)n), &uses))
		return true;
	return uses < 2 || (double)uses < CLUSTER_TECH_COMMON * (double)t->ngroups;
}

static int tech_ctx_build(struct tech_ctx *t, const struct kb *kb)
{
	map_init(&t->uses);
	t->ngroups = 0;
	/* the share is of the groups whose techniques the kb knows: a MISP
	 * galaxy's thousand actors without any would make everything rare */
	for (size_t g = 0; kb && g < kb_group_count(kb); g++) {
		const struct kb_group *gr = kb_group_at(kb, g);
		t->ngroups += gr->techniques.n > 0;
		for (uint32_t i = 0; i < gr->techniques.n; i++) {
			char k[64];
			long n =
			    attr_tok_key(TK_TECH, slice_cstr(gr->techniques.v[i]), k, sizeof k);
			uint64_t one = 0;
			bool existed;
			if (n < 0)
				continue;
			int rc = map_put_new(&t->uses, slice_make(k, (size_t)n), &one, &existed);
			if (rc)
				return rc;
			if (existed) {
				map_get(&t->uses, slice_make(k, (size_t)n), &one);
				map_put(&t->uses, slice_make(k, (size_t)n), one + 1, NULL);
			} else {
				map_put(&t->uses, slice_make(k, (size_t)n), 1, NULL);
			}
		}
	}
	return 0;
}

struct tech_sets {
	const struct tech_ctx *t;
	char ***v; /* per node: its distinctive techniques */
	uint32_t *nv;
};

static bool tech_close(struct attr_clusterer *c, const struct post *a, const struct post *b,
		       void *ctx)
{
	(void)c;
	struct tech_sets *s = ctx;
	char **x = s->v[a->node], **y = s->v[b->node];
	uint32_t nx = s->nv[a->node], ny = s->nv[b->node], both = 0;
	for (uint32_t i = 0; i < nx; i++)
		for (uint32_t j = 0; j < ny; j++)
			if (!strcasecmp(x[i], y[j])) {
				both++;
				break;
			}
	uint32_t all = nx + ny - both;
	return all && (double)both / (double)all >= CLUSTER_JACCARD;
}

static int link_techniques(struct attr_clusterer *c, const struct kb *kb)
{
	struct tech_ctx t;
	struct tech_sets s = {.t = &t};
	struct posts p = {0};
	int rc = tech_ctx_build(&t, kb);
	s.v = calloc(c->n + 1, sizeof *s.v);
	s.nv = calloc(c->n + 1, sizeof *s.nv);
	if (!rc && (!s.v || !s.nv))
		rc = AS_ENOMEM;
	for (uint32_t i = 0; i < c->n && !rc; i++) {
		const struct attr_strs *l = &c->nd[i].o->list[ATTR_OBS_TECHNIQUE];
		if (!(s.v[i] = calloc(l->n + 1, sizeof *s.v[i]))) {
			rc = AS_ENOMEM;
			break;
		}
		for (uint32_t j = 0; j < l->n; j++)
			if (tech_distinct(&t, l->v[j]))
				s.v[i][s.nv[i]++] = l->v[j]; /* borrowed */
		if (s.nv[i] < CLUSTER_MIN_TECHNIQUES)
			continue;
		for (uint32_t j = 0; j < s.nv[i] && !rc; j++) {
			char k[64];
			long n = attr_tok_key(TK_TECH, slice_cstr(s.v[i][j]), k, sizeof k);
			if (n > 0)
				rc = posts_push(&p, hash_bytes(k, (size_t)n), i, 0);
		}
	}
	if (rc == AS_ETOOBIG) {
		c->st.posts_over++;
		rc = 0;
	}
	if (!rc)
		rc = posts_pairs(c, &p, tech_close, &s);
	for (uint32_t i = 0; s.v && i < c->n; i++)
		free(s.v[i]);
	free(s.v);
	free(s.nv);
	free(p.v);
	map_free(&t.uses);
	return rc;
}

/* --- naming from the knowledge base --------------------------------------- */

struct namer {
	const struct kb *kb;
	struct map ind;     /* lower-case indicator value → group id + 1, 0 if several */
	char **fuzzy;       /* the kb's ssdeep indicators … */
	uint32_t *fuzzy_of; /* … and their group */
	size_t nfuzzy;
};

static int namer_build(struct namer *nm, const struct kb *kb)
{
	memset(nm, 0, sizeof *nm);
	nm->kb = kb;
	map_init(&nm->ind);
	for (size_t g = 0; g < kb_group_count(kb); g++) {
		const struct kb_group *gr = kb_group_at(kb, g);
		for (uint32_t i = 0; i < gr->indicators.n; i++) {
			const char *s = gr->indicators.v[i], *colon = strchr(s, ':');
			const char *v = colon ? colon + 1 : s;
			if (colon && !strncasecmp(s, "ssdeep:", 7)) {
				char **nf = realloc(nm->fuzzy, (nm->nfuzzy + 1) * sizeof *nf);
				uint32_t *no =
				    nf ? realloc(nm->fuzzy_of, (nm->nfuzzy + 1) * sizeof *no)
				       : NULL;
				if (nf)
					nm->fuzzy = nf;
				if (!no)
					return AS_ENOMEM;
				nm->fuzzy_of = no;
				nm->fuzzy[nm->nfuzzy] = (char *)v; /* lives as long as the kb */
				nm->fuzzy_of[nm->nfuzzy++] = (uint32_t)g;
				continue;
			}
			char key[AS_MAX_ATTR_VALUE + 4];
			long n = attr_tok_key(TK_IND, slice_cstr(v), key, sizeof key);
			uint64_t val = g + 1;
			bool existed;
			if (n < 0)
				continue;
			int rc = map_put_new(&nm->ind, slice_make(key, (size_t)n), &val, &existed);
			if (rc)
				return rc;
			if (existed && val != g + 1)
				map_put(&nm->ind, slice_make(key, (size_t)n), 0, NULL);
		}
	}
	return 0;
}

static void namer_free(struct namer *nm)
{
	map_free(&nm->ind);
	free(nm->fuzzy);
	free(nm->fuzzy_of);
}

struct vote {
	uint32_t group, count, nalso;
	char first[AS_MAX_ATTR_VALUE + 96]; /* the first match, said in full */
	char also[256];                     /* the values of the next few */
};

static void vote_add(struct vote *v, size_t *n, size_t cap, uint32_t group, const char *why,
		     const char *value)
{
	for (size_t i = 0; i < *n; i++)
		if (v[i].group == group) {
			size_t used = strlen(v[i].also);
			if (strstr(v[i].first, value) || strstr(v[i].also, value))
				return; /* one value said twice (the kb's and its feed's) */
			v[i].count++;
			if (v[i].nalso < 3 && used + strlen(value) + 3 < sizeof v[i].also) {
				snprintf(v[i].also + used, sizeof v[i].also - used, "%s%s",
					 used ? ", " : "", value);
				v[i].nalso++;
			}
			return;
		}
	if (*n >= cap)
		return;
	v[*n].group = group;
	v[*n].count = 1;
	v[*n].nalso = 0;
	v[*n].also[0] = 0;
	snprintf(v[*n].first, sizeof v[*n].first, "%s", why);
	(*n)++;
}

static int namer_link(const struct namer *nm, struct attr_cluster *cl)
{
	struct vote v[32];
	size_t nv = 0;
	char why[AS_MAX_ATTR_VALUE + 96];
	const struct observations *p = cl->profile;
	for (uint32_t i = 0; i < p->nind + p->list[ATTR_OBS_INFRA].n; i++) {
		const char *val =
		    i < p->nind ? p->ind[i].value : p->list[ATTR_OBS_INFRA].v[i - p->nind];
		char key[AS_MAX_ATTR_VALUE + 4];
		uint64_t g;
		long n = attr_tok_key(TK_IND, slice_cstr(val), key, sizeof key);
		const char *colon = i >= p->nind ? strchr(val, ':') : NULL;
		if (n >= 0 && !(map_get(&nm->ind, slice_make(key, (size_t)n), &g) && g) && colon)
			n = attr_tok_key(TK_IND, slice_cstr(colon + 1), key, sizeof key);
		if (n < 0 || !map_get(&nm->ind, slice_make(key, (size_t)n), &g) || !g)
			continue;
		snprintf(why, sizeof why, "%s %s is an indicator of %s",
			 i < p->nind ? "indicator" : "infrastructure", val,
			 kb_group_at(nm->kb, g - 1)->name);
		vote_add(v, &nv, 32, (uint32_t)(g - 1), why, val);
	}
	/* the feeds that flagged an indicator may name its group themselves */
	for (uint32_t i = 0; i < p->nind; i++)
		for (uint32_t j = 0; j < p->ind[i].groups.n; j++) {
			const struct kb_group *g =
			    kb_group_find(nm->kb, slice_cstr(p->ind[i].groups.v[j]));
			if (!g)
				continue;
			snprintf(why, sizeof why, "indicator %s is tied to %s by its feed",
				 p->ind[i].value, g->name);
			vote_add(v, &nv, 32, g->id, why, p->ind[i].value);
		}
	const struct attr_strs *f = &p->list[ATTR_OBS_FUZZY];
	for (uint32_t i = 0; i < f->n; i++)
		for (size_t j = 0; j < nm->nfuzzy; j++) {
			int score = fuzzy_compare(f->v[i], nm->fuzzy[j]);
			if (score < ATTR_SSDEEP_MATCH)
				continue;
			snprintf(why, sizeof why,
				 "ssdeep %s is %d %% similar to an ssdeep indicator of %s", f->v[i],
				 score, kb_group_at(nm->kb, nm->fuzzy_of[j])->name);
			vote_add(v, &nv, 32, nm->fuzzy_of[j], why, f->v[i]);
		}
	const struct attr_strs *sw = &p->list[ATTR_OBS_SOFTWARE];
	for (uint32_t i = 0; i < sw->n; i++) {
		const struct kb_software *s = kb_software_find(nm->kb, slice_cstr(sw->v[i]));
		const struct kb_group *g = s && s->groups.n == 1
					       ? kb_group_find(nm->kb, slice_cstr(s->groups.v[0]))
					       : NULL;
		if (!g)
			continue;
		snprintf(why, sizeof why, "software %s is used only by %s", s->name, g->name);
		vote_add(v, &nv, 32, g->id, why, s->name);
	}
	size_t best = SIZE_MAX;
	bool tie = false;
	for (size_t i = 0; i < nv; i++) {
		if (best == SIZE_MAX || v[i].count > v[best].count) {
			best = i;
			tie = false;
		} else if (v[i].count == v[best].count) {
			tie = true;
		}
	}
	if (best == SIZE_MAX || tie)
		return 0;
	const struct kb_group *g = kb_group_at(nm->kb, v[best].group);
	char reason[sizeof v[best].first + sizeof v[best].also + 64];
	uint32_t rest = v[best].count - 1 - v[best].nalso;
	if (v[best].nalso && rest)
		snprintf(reason, sizeof reason, "%s; also %s and %u more", v[best].first,
			 v[best].also, rest);
	else if (v[best].nalso)
		snprintf(reason, sizeof reason, "%s; also %s", v[best].first, v[best].also);
	else
		snprintf(reason, sizeof reason, "%s", v[best].first);
	if (!(cl->linked_group = strdup(g->name)) || !(cl->linked_reason = strdup(reason)))
		return AS_ENOMEM;
	cl->newly_linked = true;
	return 0;
}

/* --- the run ---------------------------------------------------------------- */

static int cmp_first(const void *x, const void *y)
{
	const struct attr_cluster *a = x, *b = y;
	if (a->first_seen != b->first_seen)
		return a->first_seen < b->first_seen ? -1 : 1;
	return strcmp(a->incidents[0], b->incidents[0]);
}

static int cmp_name(const void *x, const void *y)
{
	const struct attr_cluster *a = x, *b = y;
	return strcmp(a->name, b->name);
}

static int link_all(struct attr_clusterer *c, const struct kb *kb)
{
	int rc = 0;
	/* the incidents a known cluster held: whatever the evidence now says */
	for (size_t k = 0; k < c->nk; k++)
		for (size_t i = 0; i < c->kn[k].nids; i++) {
			uint64_t node;
			if (map_get(&c->by_id, slice_cstr(c->kn[k].ids[i]), &node))
				unite(c, c->kn[k].node, (uint32_t)node);
		}
	struct map seen;
	map_init(&seen);
	for (uint32_t i = 0; !rc && i < c->n; i++) {
		const struct observations *o = c->nd[i].o;
		for (uint32_t j = 0; !rc && j < o->nind; j++)
			rc = link_value(c, &seen, i, 'i', o->ind[j].value);
		for (uint32_t j = 0; !rc && j < o->list[ATTR_OBS_INFRA].n; j++)
			rc = link_value(c, &seen, i, 'i', o->list[ATTR_OBS_INFRA].v[j]);
		for (uint32_t j = 0; !rc && j < o->list[ATTR_OBS_SOFTWARE].n; j++) {
			const char *name = o->list[ATTR_OBS_SOFTWARE].v[j];
			const struct kb_software *sw =
			    kb ? kb_software_find(kb, slice_cstr(name)) : NULL;
			if (!attr_software_common(kb, name))
				rc = link_value(c, &seen, i, 's', sw ? sw->name : name);
		}
	}
	map_free(&seen);
	if (!rc)
		rc = link_fuzzy(c);
	if (!rc)
		rc = link_techniques(c, kb);
	return rc;
}

/* Fill cluster cl from node i's component members. */
static int cluster_take(struct attr_cluster *cl, const struct node *m, const struct known *k)
{
	if (m->first != AS_TIME_NONE &&
	    (cl->first_seen == AS_TIME_NONE || m->first < cl->first_seen))
		cl->first_seen = m->first;
	if (m->last != AS_TIME_NONE && (cl->last_seen == AS_TIME_NONE || m->last > cl->last_seen))
		cl->last_seen = m->last;
	int rc = 0;
	if (k) {
		for (size_t i = 0; i < k->nids && !rc; i++)
			rc = strv_push(&cl->incidents, &cl->nincidents, k->ids[i]);
		for (size_t i = 0; i < k->norgs && !rc; i++)
			rc = strv_push(&cl->orgs, &cl->norgs, k->orgs[i]);
	} else {
		rc = strv_push(&cl->incidents, &cl->nincidents, m->id);
		if (!rc && m->org && strcmp(m->org, "unknown"))
			rc = strv_push(&cl->orgs, &cl->norgs, m->org);
		cl->grown = true;
	}
	return rc ? rc : obs_merge(cl->profile, m->o);
}

int attr_cluster_run(struct attr_clusterer *c, const struct kb *kb, const struct attr_cluster **out,
		     size_t *n)
{
	int rc = 0;
	size_t *size = NULL;
	long *slot = NULL;
	clusters_free(c);
	memset(&c->st, 0, sizeof c->st);
	for (size_t i = 0; i < c->n; i++) {
		c->nd[i].parent = (uint32_t)i;
		c->nd[i].known = c->nd[i].id ? -1 : c->nd[i].known;
	}
	for (size_t k = 0; k < c->nk; k++)
		c->nd[c->kn[k].node].known = (int32_t)k;
	if ((rc = link_all(c, kb)))
		goto done;
	/* roots holding a known cluster or two incidents become clusters */
	size = calloc(c->n + 1, sizeof *size);
	slot = malloc((c->n + 1) * sizeof *slot);
	if (!size || !slot) {
		rc = AS_ENOMEM;
		goto done;
	}
	for (size_t i = 0; i < c->n; i++)
		if (c->nd[i].id)
			size[find(c->nd, (uint32_t)i)]++;
	size_t nclusters = 0;
	for (size_t i = 0; i < c->n; i++)
		slot[i] = find(c->nd, (uint32_t)i) == i && (size[i] >= 2 || c->nd[i].known >= 0)
			      ? (long)nclusters++
			      : -1;
	if (!(c->out = calloc(nclusters + 1, sizeof *c->out))) {
		rc = AS_ENOMEM;
		goto done;
	}
	c->nout = nclusters;
	for (size_t i = 0; i < c->nout; i++) {
		c->out[i].first_seen = c->out[i].last_seen = AS_TIME_NONE;
		if (observations_new(&c->out[i].profile)) {
			rc = AS_ENOMEM;
			goto done;
		}
	}
	/* members in node order: a known cluster's earlier incidents come first */
	for (size_t i = 0; i < c->n && !rc; i++) {
		uint32_t r = find(c->nd, (uint32_t)i);
		if (slot[r] < 0)
			continue;
		struct attr_cluster *cl = &c->out[slot[r]];
		const struct known *k = c->nd[i].id ? NULL : &c->kn[c->nd[i].known];
		if (k) {
			snprintf(cl->name, sizeof cl->name, "%s", k->name);
			cl->known = true;
			if (k->linked && (!(cl->linked_group = strdup(k->linked)) ||
					  (k->reason && !(cl->linked_reason = strdup(k->reason)))))
				rc = AS_ENOMEM;
		}
		if (!rc)
			rc = cluster_take(cl, &c->nd[i], k);
	}
	if (rc)
		goto done;
	/* new clusters: numbered after the highest number known for their year */
	qsort(c->out, c->nout, sizeof *c->out, cmp_first);
	struct {
		int year, seq;
	} *last = calloc(c->nk + c->nout + 1, sizeof *last);
	size_t nlast = 0;
	if (!last) {
		rc = AS_ENOMEM;
		goto done;
	}
	for (size_t k = 0; k < c->nk; k++) {
		size_t j = 0;
		while (j < nlast && last[j].year != c->kn[k].year)
			j++;
		if (j == nlast)
			last[nlast++].year = c->kn[k].year;
		if (c->kn[k].seq > last[j].seq)
			last[j].seq = c->kn[k].seq;
	}
	for (size_t i = 0; i < c->nout; i++) {
		struct attr_cluster *cl = &c->out[i];
		if (cl->known)
			continue;
		int y = cl->first_seen != AS_TIME_NONE ? time_year(cl->first_seen) : 0;
		if (y < 0 || y > 9999)
			y = 0;
		size_t j = 0;
		while (j < nlast && last[j].year != y)
			j++;
		if (j == nlast)
			last[nlast++].year = y;
		snprintf(cl->name, sizeof cl->name, "UNK-%04d-%03d", y, ++last[j].seq);
	}
	free(last);
	qsort(c->out, c->nout, sizeof *c->out, cmp_name);
	if (kb) {
		struct namer nm;
		rc = namer_build(&nm, kb);
		for (size_t i = 0; i < c->nout && !rc; i++)
			if (!c->out[i].linked_group)
				rc = namer_link(&nm, &c->out[i]);
		namer_free(&nm);
	}
	for (size_t i = 0; i < c->nout && !rc; i++)
		for (size_t j = 0; j < c->out[i].nincidents && !rc; j++)
			rc = map_put(&c->out_of, slice_cstr(c->out[i].incidents[j]), i, NULL);
	if (!rc) {
		*out = c->out;
		*n = c->nout;
	}
done:
	free(size);
	free(slot);
	if (rc)
		clusters_free(c);
	return rc;
}

const struct attr_cluster *attr_cluster_of(const struct attr_clusterer *c, const char *incident)
{
	uint64_t i;
	return map_get(&c->out_of, slice_cstr(incident), &i) ? &c->out[i] : NULL;
}

static void strs_json(struct jw *w, const char *key, const struct attr_strs *s)
{
	jw_key(w, key);
	jw_arr(w);
	for (uint32_t i = 0; i < s->n; i++)
		jw_cstr(w, s->v[i]);
	jw_arr_end(w);
}

static void strv_json(struct jw *w, const char *key, char *const *v, size_t n)
{
	jw_key(w, key);
	jw_arr(w);
	for (size_t i = 0; i < n; i++)
		jw_cstr(w, v[i]);
	jw_arr_end(w);
}

void attr_cluster_jw(const struct attr_cluster *cl, struct jw *w)
{
	char t[AS_TIME_STRLEN];
	const struct observations *p = cl->profile;
	jw_obj(w);
	jw_kcstr(w, "name", cl->name);
	jw_kcstr(w, "first_seen",
		 cl->first_seen != AS_TIME_NONE ? time_format(cl->first_seen, t) : NULL);
	jw_kcstr(w, "last_seen",
		 cl->last_seen != AS_TIME_NONE ? time_format(cl->last_seen, t) : NULL);
	strv_json(w, "incidents", cl->incidents, cl->nincidents);
	jw_kint(w, "organisations", (int64_t)cl->norgs);
	strv_json(w, "organisation_names", cl->orgs, cl->norgs);
	strs_json(w, "techniques", &p->list[ATTR_OBS_TECHNIQUE]);
	strs_json(w, "software", &p->list[ATTR_OBS_SOFTWARE]);
	strs_json(w, "infrastructure", &p->list[ATTR_OBS_INFRA]);
	jw_key(w, "indicators");
	jw_arr(w);
	for (uint32_t i = 0; i < p->nind; i++)
		jw_cstr(w, p->ind[i].value);
	jw_arr_end(w);
	strs_json(w, "ssdeep", &p->list[ATTR_OBS_FUZZY]);
	strs_json(w, "sectors", &p->list[ATTR_OBS_SECTOR]);
	strs_json(w, "victim_countries", &p->list[ATTR_OBS_VICTIM_COUNTRY]);
	jw_kcstr(w, "linked_group", cl->linked_group);
	jw_kcstr(w, "linked_reason", cl->linked_reason);
	jw_obj_end(w);
}

int attr_cluster_to_json(const struct attr_cluster *cl, struct buf *out)
{
	struct jw w;
	jw_init(&w, out);
	attr_cluster_jw(cl, &w);
	return out->err;
}
