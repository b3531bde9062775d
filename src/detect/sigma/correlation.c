/*
 * correlation.c — Sigma correlation rules (Sigma 2.x): counts, distinct values,
 * temporal proximity and aggregates over the matches of other rules.
 *
 * When a rule named by a correlation matches, the event is fed here: its
 * group-by key (the values of the group-by fields, through the correlation's
 * aliases for that rule) selects a window of entries {time, rule, value}
 * held per key in the worker. Entries older than the timespan (by event
 * time) are dropped as new ones arrive.
 *
 * Conditions that only grow within a window (event_count, value_count and
 * value_sum with gt/gte, temporal, temporal_ordered) are checked on arrival
 * over the sliding window; the others (lt, lte, eq, neq, value_avg,
 * value_percentile) are judged when a window closes — timespan after its
 * first entry, or at the end of input. A window that fires is emptied, so
 * one burst raises one alert. A correlation that fires feeds the
 * correlations that name it in turn.
 *
 * State is per worker and bounded: AS_SIGMA_MAX_CORR_KEYS keys per
 * correlation (expired keys are compacted away when the table fills) and
 * AS_SIGMA_MAX_CORR_EVENTS entries per key and AS_SIGMA_MAX_CORR_ALL in all
 * the windows of a worker (so memory stays bounded whatever the input); what
 * does not fit is counted as shed. A correlation sees the events of its own
 * worker only.
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "core/error.h"
#include "core/hash.h"
#include "core/json.h"
#include "core/limits.h"
#include "core/timeparse.h"
#include "detect/sigma/sigma_int.h"
#include "event/fieldname.h"

#define CORR_TYPES(X)                                                                              \
	X(EVENT_COUNT, "event_count")                                                              \
	X(VALUE_COUNT, "value_count")                                                              \
	X(TEMPORAL, "temporal")                                                                    \
	X(TEMPORAL_ORDERED, "temporal_ordered")                                                    \
	X(VALUE_SUM, "value_sum")                                                                  \
	X(VALUE_AVG, "value_avg")                                                                  \
	X(VALUE_PERCENTILE, "value_percentile")

enum corr_type {
#define X(id, name) CT_##id,
	CORR_TYPES(X)
#undef X
};

static const char *const type_names[] = {
#define X(id, name) name,
    CORR_TYPES(X)
#undef X
};

enum { OP_GT, OP_GTE, OP_LT, OP_LTE, OP_EQ, OP_NEQ };
static const char *const op_names[] = {"gt", "gte", "lt", "lte", "eq", "neq"};

#define CORR_MAX_GROUP      8
#define CORR_MAX_REFS       32
#define CORR_MAX_FEED_DEPTH 8

struct corr_ref {
	const char *name; /* as the correlation writes it */
	uint32_t rule;    /* index in the set */
	struct sigma_field group[CORR_MAX_GROUP];
	struct sigma_field value; /* the condition's field, when any */
};

struct sigma_corr {
	uint8_t type;
	bool monotone; /* checked on arrival */
	int64_t span;  /* µs */
	const char *group_names[CORR_MAX_GROUP];
	unsigned ngroup;
	uint8_t op[2];
	double num[2];
	unsigned nops;
	const char *field;
	struct corr_ref refs[CORR_MAX_REFS];
	unsigned nrefs;
	const struct sy_node *aliases; /* copied into the rule set's arena */
	bool generate;                 /* the rules named also alert on their own */
	uint32_t slot;                 /* index among the set's correlations */
};

struct centry {
	int64_t time;
	uint32_t ref;
	uint64_t vhash;
	double num;
};

struct cstate {
	struct centry *e;
	uint32_t start, n, cap; /* live entries are e[start .. start+n) */
	char *key;
	size_t keylen;
};

struct cslot {
	const struct sigma_rule *rule;
	struct map keys; /* group key → index into st */
	struct cstate *st;
	size_t nst, capst;
	uint64_t shed;
};

struct sigma_corr_worker {
	struct cslot *slots;
	size_t n;
	struct buf key;
	size_t entries; /* entries allocated over all windows (AS_SIGMA_MAX_CORR_ALL) */
};

/* ---- parsing ---- */

static int parse_span(const char *s, int64_t *us)
{
	char *end;
	long long v = strtoll(s, &end, 10);
	if (end == s || v <= 0 || end[1])
		return AS_EPARSE;
	int64_t unit = *end == 's'   ? 1
		       : *end == 'm' ? 60
		       : *end == 'h' ? 3600
		       : *end == 'd' ? 86400
		       : *end == 'w' ? 604800
				     : 0;
	if (!unit || v > INT64_MAX / 1000000 / unit)
		return AS_EPARSE;
	*us = (int64_t)v * unit * 1000000;
	return 0;
}

#define FAIL(node, ...)                                                                            \
	do {                                                                                       \
		snprintf(err, errcap, __VA_ARGS__);                                                \
		*line = (node) ? (node)->line : n->line;                                           \
		return AS_EINVAL;                                                                  \
	} while (0)

int sigma_corr_parse(struct sigma_compile_ctx *cc, struct sigma_rule *r, const struct sy_node *n,
		     char *err, size_t errcap, unsigned *line)
{
	struct arena *a = &cc->rs->arena;
	if (n->kind != SY_MAP)
		FAIL(n, "correlation must be a map");
	struct sigma_corr *c = arena_alloc(a, sizeof *c);
	if (!c)
		return AS_ENOMEM;
	memset(c, 0, sizeof *c);
	const struct sy_node *t = sy_get(n, "type");
	if (!t || t->kind != SY_SCALAR)
		FAIL(t, "correlation has no type");
	unsigned k;
	for (k = 0; k < sizeof type_names / sizeof *type_names; k++)
		if (!strcmp(t->s, type_names[k]))
			break;
	if (k == sizeof type_names / sizeof *type_names)
		FAIL(t, "unknown correlation type '%s'", t->s);
	c->type = (uint8_t)k;
	const struct sy_node *rules = sy_get(n, "rules");
	if (!rules || (rules->kind != SY_SEQ && rules->kind != SY_SCALAR))
		FAIL(rules, "correlation names no rules");
	size_t nr = rules->kind == SY_SEQ ? rules->n : 1;
	if (nr == 0 || nr > CORR_MAX_REFS)
		FAIL(rules, "correlation must name 1 to %d rules", CORR_MAX_REFS);
	for (size_t i = 0; i < nr; i++) {
		const struct sy_node *x = rules->kind == SY_SEQ ? rules->items[i] : rules;
		if (x->kind != SY_SCALAR)
			FAIL(x, "rule references must be names or ids");
		if (!(c->refs[c->nrefs++].name = arena_strndup(a, x->s, x->len)))
			return AS_ENOMEM;
	}
	const struct sy_node *gb = sy_get(n, "group-by");
	if (gb) {
		size_t ng = gb->kind == SY_SEQ ? gb->n : 1;
		if (ng > CORR_MAX_GROUP)
			FAIL(gb, "more than %d group-by fields", CORR_MAX_GROUP);
		for (size_t i = 0; i < ng; i++) {
			const struct sy_node *x = gb->kind == SY_SEQ ? gb->items[i] : gb;
			if (x->kind != SY_SCALAR)
				FAIL(x, "group-by fields must be names");
			if (!(c->group_names[c->ngroup++] = arena_strndup(a, x->s, x->len)))
				return AS_ENOMEM;
		}
	}
	const struct sy_node *ts = sy_get(n, "timespan");
	if (!ts)
		ts = sy_get(n, "timeframe");
	if (!ts || ts->kind != SY_SCALAR || parse_span(ts->s, &c->span))
		FAIL(ts, "correlation needs a timespan like 5m, 1h, 2d");
	const struct sy_node *cond = sy_get(n, "condition");
	bool temporal = c->type == CT_TEMPORAL || c->type == CT_TEMPORAL_ORDERED;
	if (!cond && !temporal)
		FAIL(n, "correlation has no condition");
	if (cond && cond->kind != SY_MAP)
		FAIL(cond, "correlation condition must be a map");
	for (size_t i = 0; cond && i < cond->n; i++) {
		const struct sy_node *ck = cond->items[2 * i], *cv = cond->items[2 * i + 1];
		if (ck->kind != SY_SCALAR || cv->kind != SY_SCALAR)
			FAIL(ck, "bad correlation condition");
		if (!strcmp(ck->s, "field")) {
			c->field = arena_strndup(a, cv->s, cv->len);
			continue;
		}
		unsigned op;
		for (op = 0; op < 6; op++)
			if (!strcmp(ck->s, op_names[op]))
				break;
		if (op == 6)
			FAIL(ck, "unknown correlation condition '%s'", ck->s);
		if (c->nops == 2)
			FAIL(ck, "more than two correlation conditions");
		if (slice_to_double(slice_make(cv->s, cv->len), &c->num[c->nops]))
			FAIL(cv, "correlation condition needs a number, not '%s'", cv->s);
		c->op[c->nops++] = (uint8_t)op;
	}
	if (cond && !c->nops)
		FAIL(cond, "correlation condition has no comparison");
	bool needs_field = c->type == CT_VALUE_COUNT || c->type == CT_VALUE_SUM ||
			   c->type == CT_VALUE_AVG || c->type == CT_VALUE_PERCENTILE;
	if (needs_field && !c->field)
		FAIL(cond, "%s needs a field in its condition", type_names[c->type]);
	bool grows = c->type == CT_EVENT_COUNT || c->type == CT_VALUE_COUNT ||
		     c->type == CT_VALUE_SUM || temporal;
	c->monotone = grows;
	for (unsigned i = 0; i < c->nops; i++)
		if (c->op[i] != OP_GT && c->op[i] != OP_GTE)
			c->monotone = false;
	const struct sy_node *al = sy_get(n, "aliases");
	if (al && al->kind != SY_MAP)
		FAIL(al, "aliases must be a map");
	c->aliases = NULL;
	if (al) {
		/* the YAML tree is freed after loading: keep a copy of the pairs */
		struct sy_node *copy = arena_alloc(a, sizeof *copy);
		struct sy_node **items = arena_alloc(a, (2 * al->n + 1) * sizeof *items);
		if (!copy || !items)
			return AS_ENOMEM;
		*copy = *al;
		copy->items = items;
		for (size_t i = 0; i < 2 * al->n; i++) {
			const struct sy_node *x = al->items[i];
			struct sy_node *y = arena_alloc(a, sizeof *y);
			if (!y)
				return AS_ENOMEM;
			*y = *x;
			if (x->kind == SY_MAP) {
				y->items = arena_alloc(a, (2 * x->n + 1) * sizeof *y->items);
				if (!y->items)
					return AS_ENOMEM;
				for (size_t j = 0; j < 2 * x->n; j++) {
					struct sy_node *z = arena_alloc(a, sizeof *z);
					if (!z || x->items[j]->kind != SY_SCALAR)
						FAIL(x,
						     "aliases map an alias to rule: field pairs");
					*z = *x->items[j];
					z->s = arena_strndup(a, z->s, z->len);
					y->items[j] = z;
				}
			} else if (x->kind == SY_SCALAR) {
				y->s = arena_strndup(a, x->s, x->len);
			} else {
				FAIL(x, "aliases map an alias to rule: field pairs");
			}
			items[i] = y;
		}
		c->aliases = copy;
	}
	const struct sy_node *gen = sy_get(n, "generate");
	if (gen && (gen->kind != SY_SCALAR || (strcmp(gen->s, "true") && strcmp(gen->s, "false"))))
		FAIL(gen, "generate must be true or false");
	c->generate = gen && !strcmp(gen->s, "true");
	r->generate = true; /* the correlation's own alerts */
	r->corr = c;
	return 0;
}

/* The field an alias stands for in the events of rule ref. */
static const char *alias_for(const struct sigma_corr *c, const char *name,
			     const struct sigma_rule *ref)
{
	const struct sy_node *m = sy_get(c->aliases, name);
	if (!m || m->kind != SY_MAP)
		return name;
	for (size_t i = 0; i < m->n; i++) {
		const char *rn = m->items[2 * i]->s;
		if ((ref->name && !strcmp(rn, ref->name)) || (ref->id && !strcmp(rn, ref->id)))
			return m->items[2 * i + 1]->s;
	}
	return name;
}

struct sigma_rule *sigma_ruleset_find(const struct sigma_ruleset *rs, const char *idname);

int sigma_corr_link(struct sigma_ruleset *rs, struct sigma_rule *r, char *err, size_t errcap)
{
	struct sigma_corr *c = r->corr;
	if (!c) {
		snprintf(err, errcap, "correlation did not load");
		return AS_EINVAL;
	}
	for (unsigned i = 0; i < c->nrefs; i++) {
		struct sigma_rule *t = sigma_ruleset_find(rs, c->refs[i].name);
		if (!t || t->kind == SK_FILTER) {
			snprintf(err, errcap, "correlation names unknown rule '%s'",
				 c->refs[i].name);
			return AS_ENOTFOUND;
		}
		if (t == r) {
			snprintf(err, errcap, "correlation names itself");
			return AS_ELOOP;
		}
		c->refs[i].rule = t->index;
		for (unsigned g = 0; g < c->ngroup; g++)
			sigma_field_resolve(&c->refs[i].group[g],
					    alias_for(c, c->group_names[g], t));
		if (c->field)
			sigma_field_resolve(&c->refs[i].value, alias_for(c, c->field, t));
	}
	for (unsigned i = 0; i < c->nrefs; i++) {
		struct sigma_rule *t = rs->rules[c->refs[i].rule];
		bool dup = false;
		for (uint32_t k = 0; k < t->nusers; k++)
			dup |= t->users[k] == r->index;
		if (dup)
			continue;
		uint32_t *nu = arena_alloc(&rs->arena, (t->nusers + 1) * sizeof *nu);
		if (!nu)
			return AS_ENOMEM;
		if (t->nusers)
			memcpy(nu, t->users, t->nusers * sizeof *nu);
		nu[t->nusers++] = r->index;
		t->users = nu;
		/* referenced rules alert on their own only when a correlation says so */
		t->genvote |= c->generate ? 2 : 1;
	}
	return 0;
}

/* Number the correlations of a compiled set: their slot in each worker. */
void sigma_corr_number(struct sigma_ruleset *rs)
{
	uint32_t k = 0;
	for (size_t i = 0; i < rs->nrules; i++)
		if (rs->rules[i]->corr)
			rs->rules[i]->corr->slot = k++;
}

/* ---- state ---- */

int sigma_corr_worker_new(struct sigma_corr_worker **out, const struct sigma_ruleset *rs)
{
	struct sigma_corr_worker *w = calloc(1, sizeof *w);
	if (!w)
		return AS_ENOMEM;
	for (size_t i = 0; i < rs->nrules; i++)
		if (rs->rules[i]->corr)
			w->n++;
	w->slots = calloc(w->n ? w->n : 1, sizeof *w->slots);
	if (!w->slots) {
		free(w);
		return AS_ENOMEM;
	}
	size_t k = 0;
	for (size_t i = 0; i < rs->nrules; i++) {
		if (!rs->rules[i]->corr)
			continue;
		w->slots[k].rule = rs->rules[i]; /* k == corr->slot, see sigma_corr_number */
		map_init(&w->slots[k].keys);
		k++;
	}
	*out = w;
	return 0;
}

static void slot_clear(struct cslot *s)
{
	for (size_t i = 0; i < s->nst; i++) {
		free(s->st[i].e);
		free(s->st[i].key);
	}
	free(s->st);
	s->st = NULL;
	s->nst = s->capst = 0;
	map_free(&s->keys);
	map_init(&s->keys);
}

void sigma_corr_worker_free(struct sigma_corr_worker *w)
{
	if (!w)
		return;
	for (size_t i = 0; i < w->n; i++)
		slot_clear(&w->slots[i]);
	free(w->slots);
	buf_free(&w->key);
	free(w);
}

static int cmp_u64(const void *a, const void *b)
{
	uint64_t x = *(const uint64_t *)a, y = *(const uint64_t *)b;
	return x < y ? -1 : x > y;
}

static bool test(const struct sigma_corr *c, double v)
{
	for (unsigned i = 0; i < c->nops; i++) {
		double n = c->num[i];
		bool ok = c->op[i] == OP_GT    ? v > n
			  : c->op[i] == OP_GTE ? v >= n
			  : c->op[i] == OP_LT  ? v < n
			  : c->op[i] == OP_LTE ? v <= n
			  : c->op[i] == OP_EQ  ? v == n
					       : v != n;
		if (!ok)
			return false;
	}
	return true;
}

/* The window's measure and whether the condition holds; last = the newest entry. */
static bool judge(const struct sigma_corr *c, const struct cstate *s, double *measure)
{
	const struct centry *e = s->e + s->start;
	uint32_t n = s->n;
	double v = 0;
	if (!n)
		return false;
	switch (c->type) {
	case CT_EVENT_COUNT:
		v = n;
		break;
	case CT_VALUE_COUNT:
	case CT_TEMPORAL: {
		uint64_t *h = malloc(n * sizeof *h);
		if (!h)
			return false;
		for (uint32_t i = 0; i < n; i++)
			h[i] = c->type == CT_TEMPORAL ? e[i].ref : e[i].vhash;
		qsort(h, n, sizeof *h, cmp_u64);
		uint32_t d = 1;
		for (uint32_t i = 1; i < n; i++)
			d += h[i] != h[i - 1];
		free(h);
		v = d;
		if (c->type == CT_TEMPORAL && !c->nops) {
			*measure = v;
			return d == c->nrefs;
		}
		break;
	}
	case CT_TEMPORAL_ORDERED: {
		/* the rules in their listed order, as a subsequence of the window */
		unsigned next = 0;
		for (uint32_t i = 0; i < n && next < c->nrefs; i++)
			if (e[i].ref == next)
				next++;
		*measure = next;
		return c->nops ? test(c, next) : next == c->nrefs;
	}
	case CT_VALUE_SUM:
	case CT_VALUE_AVG:
		for (uint32_t i = 0; i < n; i++)
			v += e[i].num;
		if (c->type == CT_VALUE_AVG)
			v /= n;
		break;
	case CT_VALUE_PERCENTILE: {
		/* share (percent) of the window's entries holding the newest value */
		uint32_t same = 0;
		for (uint32_t i = 0; i < n; i++)
			same += e[i].vhash == e[n - 1].vhash;
		v = 100.0 * same / n;
		break;
	}
	}
	*measure = v;
	return test(c, v);
}

int sigma_corr_feed_depth(struct sigma_worker *w, const struct sigma_rule *r,
			  const struct event *ev, struct alert_sink *out, int depth);

static int fire(struct sigma_worker *w, const struct sigma_rule *cr, struct cstate *s,
		double measure, const struct event *ev, struct alert_sink *out, int depth)
{
	const struct sigma_corr *c = cr->corr;
	struct buf b = BUF_INIT;
	struct jw j;
	jw_init(&j, &b);
	jw_obj(&j);
	jw_key(&j, "correlation");
	jw_obj(&j);
	jw_kcstr(&j, "type", type_names[c->type]);
	jw_key(&j, "group");
	jw_obj(&j);
	const char *p = s->key, *end = s->key + s->keylen;
	for (unsigned g = 0; g < c->ngroup; g++) {
		const char *sep = memchr(p, '\x1f', (size_t)(end - p));
		size_t len = sep ? (size_t)(sep - p) : (size_t)(end - p);
		jw_kstr(&j, c->group_names[g], slice_make(p, len));
		p += len + (sep ? 1 : 0);
	}
	jw_obj_end(&j);
	jw_key(&j, "value");
	jw_double(&j, measure);
	jw_kint(&j, "events", s->n);
	jw_kint(&j, "timespan_s", c->span / 1000000);
	char t0[AS_TIME_STRLEN];
	if (s->n && s->e[s->start].time != AS_TIME_NONE)
		jw_kcstr(&j, "first_seen", time_format(s->e[s->start].time, t0));
	jw_obj_end(&j);
	jw_obj_end(&j);
	int rc = AS_ENOMEM;
	if (!b.err && b.len > 2) {
		/* spliced into the alert's evidence object: without its braces */
		b.data[b.len - 1] = 0;
		rc = 0;
		struct event closed;
		if (!ev) {
			/* a window judged after it closed: the alert takes its last time */
			event_clear(&closed);
			closed.time = s->e[s->start + s->n - 1].time;
		}
		if (cr->generate)
			rc = sigma_alert_emit(w, cr, ev ? ev : &closed, b.data + 1, out);
	}
	buf_free(&b);
	s->start = 0;
	s->n = 0;
	if (!rc && cr->nusers && ev)
		rc = sigma_corr_feed_depth(w, cr, ev, out, depth + 1);
	return rc;
}

/* Rebuild the key table keeping only keys with live entries. */
static void compact(struct cslot *sl, int64_t now, int64_t span, size_t *entries)
{
	struct map nk;
	map_init(&nk);
	size_t k = 0;
	for (size_t i = 0; i < sl->nst; i++) {
		struct cstate *s = &sl->st[i];
		bool live =
		    s->n && (now == AS_TIME_NONE || s->e[s->start + s->n - 1].time >= now - span);
		if (!live || map_put(&nk, slice_make(s->key, s->keylen), k, NULL)) {
			*entries -= s->cap;
			free(s->e);
			free(s->key);
			continue;
		}
		sl->st[k++] = *s;
	}
	map_free(&sl->keys);
	sl->keys = nk;
	sl->nst = k;
}

static struct cstate *state_get(struct cslot *sl, struct slice key, int64_t now, int64_t span,
				size_t *entries)
{
	uint64_t idx;
	if (!key.ptr)
		key.ptr = ""; /* no group-by: one key, the empty one */
	if (map_get(&sl->keys, key, &idx))
		return &sl->st[idx];
	if (sl->nst >= AS_SIGMA_MAX_CORR_KEYS)
		compact(sl, now, span, entries);
	if (sl->nst >= AS_SIGMA_MAX_CORR_KEYS)
		return NULL;
	if (sl->nst == sl->capst) {
		size_t nc = sl->capst ? sl->capst * 2 : 16;
		struct cstate *ns = realloc(sl->st, nc * sizeof *ns);
		if (!ns)
			return NULL;
		sl->st = ns;
		sl->capst = nc;
	}
	struct cstate *s = &sl->st[sl->nst];
	memset(s, 0, sizeof *s);
	s->key = malloc(key.len + 1);
	if (!s->key || map_put(&sl->keys, key, sl->nst, NULL)) {
		free(s->key);
		return NULL;
	}
	if (key.len)
		memcpy(s->key, key.ptr, key.len);
	s->keylen = key.len;
	return &sl->st[sl->nst++];
}

/* Append e; *entries counts the entries allocated in all windows of the
 * worker, which stay under AS_SIGMA_MAX_CORR_ALL whatever the input. */
static int push(struct cstate *s, const struct centry *e, size_t *entries)
{
	if (s->start && s->start + s->n == s->cap) {
		memmove(s->e, s->e + s->start, s->n * sizeof *s->e);
		s->start = 0;
	}
	if (s->start + s->n == s->cap) {
		if (s->cap >= AS_SIGMA_MAX_CORR_EVENTS)
			return AS_ETOOBIG;
		uint32_t nc = s->cap ? s->cap * 2 : 8;
		if (*entries + (nc - s->cap) > AS_SIGMA_MAX_CORR_ALL)
			return AS_ETOOBIG;
		struct centry *ne = realloc(s->e, nc * sizeof *ne);
		if (!ne)
			return AS_ENOMEM;
		*entries += nc - s->cap;
		s->e = ne;
		s->cap = nc;
	}
	s->e[s->start + s->n++] = *e;
	return 0;
}

int sigma_corr_feed_depth(struct sigma_worker *w, const struct sigma_rule *r,
			  const struct event *ev, struct alert_sink *out, int depth)
{
	struct sigma_corr_worker *cw = w->corr;
	const struct sigma_ruleset *rs = w->rs;
	if (!cw || depth > CORR_MAX_FEED_DEPTH)
		return 0;
	int rc = 0;
	for (uint32_t u = 0; u < r->nusers && !rc; u++) {
		const struct sigma_rule *cr = rs->rules[r->users[u]];
		const struct sigma_corr *c = cr->corr;
		if (!c)
			continue;
		unsigned ref;
		for (ref = 0; ref < c->nrefs; ref++)
			if (c->refs[ref].rule == r->index)
				break;
		if (ref == c->nrefs)
			continue;
		struct cslot *sl = &cw->slots[c->slot];
		buf_reset(&cw->key);
		for (unsigned g = 0; g < c->ngroup; g++) {
			const struct field *f = sigma_worker_field(w, &c->refs[ref].group[g]);
			if (g)
				buf_putc(&cw->key, '\x1f');
			if (f)
				buf_append_slice(&cw->key, f->value);
		}
		if (cw->key.err)
			continue;
		int64_t now = ev->time;
		struct cstate *s = state_get(sl, buf_slice(&cw->key), now, c->span, &cw->entries);
		if (!s) {
			sl->shed++;
			continue;
		}
		struct centry e = {.time = now, .ref = ref};
		if (c->field) {
			const struct field *f = sigma_worker_field(w, &c->refs[ref].value);
			if (!f && c->type != CT_VALUE_COUNT)
				continue; /* nothing to aggregate */
			if (f) {
				e.vhash = hash_bytes(f->value.ptr, f->value.len) | 1;
				if (slice_to_double(slice_trim(f->value), &e.num) &&
				    c->type != CT_VALUE_COUNT && c->type != CT_VALUE_PERCENTILE)
					continue; /* not a number */
			} else {
				continue; /* value_count counts values, not their absence */
			}
		}
		double measure;
		if (!c->monotone && s->n && now != AS_TIME_NONE &&
		    s->e[s->start].time != AS_TIME_NONE && now - s->e[s->start].time > c->span) {
			/* the window closed: judge it before this event opens the next */
			if (judge(c, s, &measure))
				rc = fire(w, cr, s, measure, NULL, out, depth);
			s->start = s->n = 0;
		}
		if (c->monotone && now != AS_TIME_NONE)
			while (s->n && s->e[s->start].time != AS_TIME_NONE &&
			       s->e[s->start].time < now - c->span) {
				s->start++;
				s->n--;
			}
		if (push(s, &e, &cw->entries)) {
			sl->shed++;
			continue;
		}
		if (c->monotone && judge(c, s, &measure))
			rc = fire(w, cr, s, measure, ev, out, depth);
	}
	return rc;
}

int sigma_corr_feed(struct sigma_worker *w, const struct sigma_rule *r, const struct event *ev,
		    struct alert_sink *out)
{
	return sigma_corr_feed_depth(w, r, ev, out, 0);
}

int sigma_corr_flush(struct sigma_worker *w, struct alert_sink *out)
{
	struct sigma_corr_worker *cw = w->corr;
	int rc = 0;
	if (!cw)
		return 0;
	w->nmatched = 0;
	for (size_t i = 0; i < cw->n && !rc; i++) {
		struct cslot *sl = &cw->slots[i];
		const struct sigma_corr *c = sl->rule->corr;
		if (c && !c->monotone)
			for (size_t k = 0; k < sl->nst && !rc; k++) {
				double measure;
				if (judge(c, &sl->st[k], &measure))
					rc = fire(w, sl->rule, &sl->st[k], measure, NULL, out, 0);
			}
		slot_clear(sl);
	}
	return rc;
}
