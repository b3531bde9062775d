/*
 * rule.c — one YAML document to a compiled rule: detection, correlation or filter.
 *
 * The meta data become what every alert carries (id, title, level, the
 * ATT&CK techniques of attack.tNNNN tags, group and CVE tags as evidence);
 * the detection section becomes selections of AND-groups of items, and the
 * condition a tree over them (cond.c). Anything the engine cannot evaluate
 * exactly as specified makes the whole rule fail with a reason and the line
 * of the offending node: a rule runs completely or not at all.
 */
#include <ctype.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "core/buf.h"
#include "core/error.h"
#include "core/json.h"
#include "detect/sigma/sigma_int.h"

#define FAIL(node, code, ...)                                                                      \
	do {                                                                                       \
		snprintf(err, ec, __VA_ARGS__);                                                    \
		*line = (node) ? (node)->line : 0;                                                 \
		return code;                                                                       \
	} while (0)

static const char *dup_scalar(struct sigma_compile_ctx *cc, const struct sy_node *n)
{
	if (!n || n->kind != SY_SCALAR)
		return NULL;
	return arena_strndup(&cc->rs->arena, n->s, n->len);
}

static const char *dup_lower(struct sigma_compile_ctx *cc, const struct sy_node *n)
{
	char *s = (char *)dup_scalar(cc, n);
	for (char *p = s; p && *p; p++)
		*p = (char)tolower((unsigned char)*p);
	return s;
}

/* One key: value of a selection map. */
static int item_parse(struct sigma_compile_ctx *cc, const struct sy_node *key,
		      const struct sy_node *val, struct sigma_item *it, char *err, size_t ec,
		      unsigned *line)
{
	struct sigma_mods mods;
	const char *bar = strchr(key->s, '|');
	memset(it, 0, sizeof *it);
	if (sigma_mods_parse(bar ? bar + 1 : NULL, &mods, err, ec)) {
		*line = key->line;
		return AS_EUNSUPPORTED;
	}
	size_t flen = bar ? (size_t)(bar - key->s) : key->len;
	if (flen == 0) {
		it->keyword = true;
	} else {
		const char *fname = arena_strndup(&cc->rs->arena, key->s, flen);
		if (!fname)
			return AS_ENOMEM;
		sigma_field_resolve(&it->field, fname);
		if (!it->field.nids)
			return AS_ENOMEM;
	}
	if (it->keyword && (mods.seen & ((1u << MOD_EXISTS) | (1u << MOD_FIELDREF))))
		FAIL(key, AS_EINVAL, "exists/fieldref need a field name");
	/* a keyword is searched for anywhere in a value, as in a full-text
	 * search of the log message, unless the rule says where */
	const uint32_t placed = (1u << MOD_CONTAINS) | (1u << MOD_STARTSWITH) |
				(1u << MOD_ENDSWITH) | (1u << MOD_RE) | (1u << MOD_CIDR) |
				(1u << MOD_LT) | (1u << MOD_LTE) | (1u << MOD_GT) | (1u << MOD_GTE);
	if (it->keyword && !(mods.seen & placed) && mods.norder < SIGMA_MAX_MODS) {
		mods.order[mods.norder++] = MOD_CONTAINS;
		mods.seen |= 1u << MOD_CONTAINS;
	}
	/* neq: different from every value listed, so its values are AND-ed */
	it->all = mods.all || (mods.seen & (1u << MOD_NEQ));
	struct sigma_matcher *ms = NULL;
	size_t n = 0, cap = 0, nv = val->kind == SY_SEQ ? val->n : 1;
	int rc = 0;
	err[0] = 0;
	if (val->kind == SY_SEQ && val->n == 0)
		FAIL(val, AS_EINVAL, "field '%s' has an empty list", key->s);
	/* one value may compile to several variants (windash, base64offset,
	 * expand): they are alternatives, so `all` works on groups of them */
	uint32_t *gend = it->all ? arena_alloc(&cc->rs->arena, nv * sizeof *gend) : NULL;
	if (it->all && !gend)
		return AS_ENOMEM;
	for (size_t i = 0; i < nv && !rc; i++) {
		const struct sy_node *one = val->kind == SY_SEQ ? val->items[i] : val;
		rc = sigma_value_compile(cc, &mods, one, &ms, &n, &cap, err, ec);
		if (rc)
			*line = one->line;
		else if (gend)
			gend[i] = (uint32_t)n;
	}
	if (gend) {
		it->gend = gend;
		it->ngroups = (uint32_t)nv;
	}
	if (!rc && n) {
		it->m = arena_alloc(&cc->rs->arena, n * sizeof *ms);
		if (!it->m)
			rc = AS_ENOMEM;
		else
			memcpy(it->m, ms, n * sizeof *ms);
		it->nm = (uint32_t)n;
	}
	free(ms);
	if (rc && !err[0])
		snprintf(err, ec, "%s", as_strerror(rc));
	return rc;
}

static int group_parse(struct sigma_compile_ctx *cc, const struct sy_node *map,
		       struct sigma_group *g, char *err, size_t ec, unsigned *line)
{
	g->n = (uint32_t)map->n;
	g->items = arena_alloc(&cc->rs->arena, (map->n ? map->n : 1) * sizeof *g->items);
	if (!g->items)
		return AS_ENOMEM;
	for (size_t i = 0; i < map->n; i++) {
		const struct sy_node *k = map->items[2 * i], *v = map->items[2 * i + 1];
		if (k->kind != SY_SCALAR)
			FAIL(k, AS_EINVAL, "a field name must be a scalar");
		int rc = item_parse(cc, k, v, &g->items[i], err, ec, line);
		if (rc)
			return rc;
	}
	return 0;
}

/* A selection: a map (AND of fields), a list of maps (OR), or a list of
 * plain values (keywords, OR). */
static int sel_parse(struct sigma_compile_ctx *cc, const struct sy_node *v, struct sigma_sel *s,
		     char *err, size_t ec, unsigned *line)
{
	struct arena *a = &cc->rs->arena;
	if (v->kind == SY_MAP) {
		s->n = 1;
		s->groups = arena_alloc(a, sizeof *s->groups);
		return s->groups ? group_parse(cc, v, s->groups, err, ec, line) : AS_ENOMEM;
	}
	if (v->kind == SY_SCALAR) {
		if (sy_is_null(v))
			FAIL(v, AS_EINVAL, "search identifier '%s' is empty", s->name);
		/* a single keyword */
		static struct sy_node empty_key = {.kind = SY_SCALAR, .s = "", .len = 0};
		s->n = 1;
		s->groups = arena_alloc(a, sizeof *s->groups);
		if (!s->groups)
			return AS_ENOMEM;
		s->groups->n = 1;
		s->groups->items = arena_alloc(a, sizeof *s->groups->items);
		if (!s->groups->items)
			return AS_ENOMEM;
		empty_key.line = v->line;
		return item_parse(cc, &empty_key, v, s->groups->items, err, ec, line);
	}
	if (v->n == 0)
		FAIL(v, AS_EINVAL, "search identifier '%s' is an empty list", s->name);
	bool maps = v->items[0]->kind == SY_MAP;
	for (size_t i = 0; i < v->n; i++)
		if ((v->items[i]->kind == SY_MAP) != maps)
			FAIL(v->items[i], AS_EINVAL, "a list mixes maps and plain values");
	if (!maps) {
		static struct sy_node empty_key = {.kind = SY_SCALAR, .s = "", .len = 0};
		s->n = 1;
		s->groups = arena_alloc(a, sizeof *s->groups);
		if (!s->groups)
			return AS_ENOMEM;
		s->groups->n = 1;
		s->groups->items = arena_alloc(a, sizeof *s->groups->items);
		if (!s->groups->items)
			return AS_ENOMEM;
		return item_parse(cc, &empty_key, v, s->groups->items, err, ec, line);
	}
	s->n = (uint32_t)v->n;
	s->groups = arena_alloc(a, v->n * sizeof *s->groups);
	if (!s->groups)
		return AS_ENOMEM;
	for (size_t i = 0; i < v->n; i++) {
		int rc = group_parse(cc, v->items[i], &s->groups[i], err, ec, line);
		if (rc)
			return rc;
	}
	return 0;
}

int sigma_detection_parse(struct sigma_compile_ctx *cc, const struct sy_node *det,
			  struct sigma_detection *out, char *err, size_t ec, unsigned *line)
{
	struct arena *a = &cc->rs->arena;
	if (!det || det->kind != SY_MAP)
		FAIL(det, AS_EINVAL, "detection must be a map");
	const struct sy_node *cond = NULL;
	out->sels = arena_alloc(a, (det->n ? det->n : 1) * sizeof *out->sels);
	if (!out->sels)
		return AS_ENOMEM;
	out->nsels = 0;
	for (size_t i = 0; i < det->n; i++) {
		const struct sy_node *k = det->items[2 * i], *v = det->items[2 * i + 1];
		if (k->kind != SY_SCALAR)
			FAIL(k, AS_EINVAL, "a search identifier must be a scalar");
		if (!strcmp(k->s, "condition")) {
			cond = v;
			continue;
		}
		if (!strcmp(k->s, "timeframe"))
			FAIL(k, AS_EUNSUPPORTED,
			     "timeframe (Sigma 1.x aggregation) is not supported; use a "
			     "correlation rule");
		struct sigma_sel *s = &out->sels[out->nsels++];
		memset(s, 0, sizeof *s);
		s->name = dup_scalar(cc, k);
		if (!s->name)
			return AS_ENOMEM;
		int rc = sel_parse(cc, v, s, err, ec, line);
		if (rc)
			return rc;
	}
	if (!cond)
		FAIL(det, AS_EINVAL, "detection has no condition");
	/* a list of conditions is their OR (Sigma 1.x form) */
	const struct sy_node *const *cl = (const struct sy_node *const *)&cond;
	size_t ncl = 1;
	if (cond->kind == SY_SEQ) {
		cl = (const struct sy_node *const *)cond->items;
		ncl = cond->n;
	}
	out->cond = NULL;
	for (size_t i = 0; i < ncl; i++) {
		if (cl[i]->kind != SY_SCALAR)
			FAIL(cl[i], AS_EINVAL, "condition must be a string");
		struct sigma_cond *c;
		if (sigma_cond_parse(a, cl[i]->s, out->sels, out->nsels, &c, err, ec)) {
			*line = cl[i]->line;
			return AS_EPARSE;
		}
		if (!out->cond) {
			out->cond = c;
		} else {
			struct sigma_cond *o = arena_alloc(a, sizeof *o);
			if (!o)
				return AS_ENOMEM;
			*o = (struct sigma_cond){.op = C_OR, .a = out->cond, .b = c};
			out->cond = o;
		}
	}
	if (!out->cond)
		FAIL(cond, AS_EINVAL, "empty condition list");
	return 0;
}

static bool is_technique(const char *t)
{
	/* attack.t1234 or attack.t1234.001 */
	if ((t[0] | 32) != 't')
		return false;
	int d = 0;
	for (t++; *t >= '0' && *t <= '9'; t++)
		d++;
	if (d != 4)
		return false;
	if (!*t)
		return true;
	if (*t != '.')
		return false;
	for (d = 0, t++; *t >= '0' && *t <= '9'; t++)
		d++;
	return d == 3 && !*t;
}

static int tags_parse(struct sigma_compile_ctx *cc, const struct sy_node *tags, char *err,
		      size_t ec, unsigned *line)
{
	struct sigma_rule *r = cc->rule;
	if (!tags)
		return 0;
	if (tags->kind != SY_SEQ)
		FAIL(tags, AS_EINVAL, "tags must be a list");
	struct buf b = BUF_INIT;
	struct jw w;
	jw_init(&w, &b);
	const char *keys[] = {"groups", "software", "cves", "tags"};
	jw_obj(&w);
	for (int pass = 0; pass < 4; pass++) {
		bool open = false;
		for (size_t i = 0; i < tags->n; i++) {
			const struct sy_node *t = tags->items[i];
			if (t->kind != SY_SCALAR)
				continue;
			const char *s = t->s;
			int kind = 3;
			if (!strncasecmp(s, "attack.g", 8) && isdigit((unsigned char)s[8]))
				kind = 0;
			else if (!strncasecmp(s, "attack.s", 8) && isdigit((unsigned char)s[8]))
				kind = 1;
			else if (!strncasecmp(s, "cve.", 4))
				kind = 2;
			if (kind != pass)
				continue;
			if (!open) {
				jw_key(&w, keys[pass]);
				jw_arr(&w);
				open = true;
			}
			char v[64];
			if (kind == 0 || kind == 1) {
				snprintf(v, sizeof v, "%s", s + 7);
				for (char *p = v; *p; p++)
					*p = (char)toupper((unsigned char)*p);
				jw_cstr(&w, v);
			} else if (kind == 2) {
				snprintf(v, sizeof v, "CVE-%s", s + 4);
				for (char *p = v; *p; p++)
					*p = (char)toupper((unsigned char)*p);
				jw_cstr(&w, v);
			} else {
				jw_cstr(&w, s);
			}
			if (pass == 3 && !strncasecmp(s, "attack.", 7) && is_technique(s + 7) &&
			    r->ntech < AS_MAX_ALERT_TECHNIQUES) {
				char *tc = arena_strndup(&cc->rs->arena, s + 7, strlen(s + 7));
				if (!tc) {
					buf_free(&b);
					return AS_ENOMEM;
				}
				tc[0] = 'T';
				r->techniques[r->ntech++] = tc;
			}
		}
		if (open)
			jw_arr_end(&w);
	}
	jw_obj_end(&w);
	if (b.err) {
		buf_free(&b);
		return AS_ENOMEM;
	}
	if (b.len > 2) /* kept without the braces, to be spliced into the evidence object */
		r->evidence_tags = arena_strndup(&cc->rs->arena, b.data + 1, b.len - 2);
	buf_free(&b);
	return 0;
}

static int logsource_parse(struct sigma_compile_ctx *cc, const struct sy_node *ls, char *err,
			   size_t ec, unsigned *line)
{
	struct sigma_rule *r = cc->rule;
	if (!ls || ls->kind != SY_MAP)
		FAIL(ls, AS_EINVAL, "logsource missing or not a map");
	r->ls.product = dup_lower(cc, sy_get(ls, "product"));
	r->ls.category = dup_lower(cc, sy_get(ls, "category"));
	r->ls.service = dup_lower(cc, sy_get(ls, "service"));
	if (!r->ls.product && !r->ls.category && !r->ls.service)
		FAIL(ls, AS_EINVAL, "logsource names no product, category or service");
	return 0;
}

int sigma_rule_parse(struct sigma_compile_ctx *cc, const struct sy_node *doc, char *err, size_t ec,
		     unsigned *line)
{
	struct sigma_rule *r = cc->rule;
	if (doc->kind != SY_MAP)
		FAIL(doc, AS_EINVAL, "a rule must be a YAML map");
	const struct sy_node *title = sy_get(doc, "title");
	if (!title || title->kind != SY_SCALAR || !title->len)
		FAIL(doc, AS_EINVAL, "rule has no title");
	r->title = dup_scalar(cc, title);
	r->id = dup_scalar(cc, sy_get(doc, "id"));
	r->name = dup_scalar(cc, sy_get(doc, "name"));
	r->status = dup_scalar(cc, sy_get(doc, "status"));
	r->level = AL_MEDIUM;
	r->generate = true;
	const struct sy_node *lv = sy_get(doc, "level");
	if (lv && lv->kind == SY_SCALAR) {
		int l = alert_level_parse(slice_make(lv->s, lv->len));
		if (l < 0)
			FAIL(lv, AS_EINVAL, "unknown level '%s'", lv->s);
		r->level = (enum alert_level)l;
	}
	int rc = tags_parse(cc, sy_get(doc, "tags"), err, ec, line);
	if (rc)
		return rc;
	const struct sy_node *corr = sy_get(doc, "correlation");
	const struct sy_node *filt = sy_get(doc, "filter");
	const struct sy_node *det = sy_get(doc, "detection");
	if (corr) {
		r->kind = SK_CORRELATION;
		return sigma_corr_parse(cc, r, corr, err, ec, line);
	}
	if ((rc = logsource_parse(cc, sy_get(doc, "logsource"), err, ec, line)))
		return rc;
	if (filt) {
		r->kind = SK_FILTER;
		if (filt->kind != SY_MAP)
			FAIL(filt, AS_EINVAL, "filter must be a map");
		const struct sy_node *rules = sy_get(filt, "rules");
		if (!rules || (rules->kind != SY_SEQ && rules->kind != SY_SCALAR))
			FAIL(filt, AS_EINVAL, "filter names no rules");
		size_t n = rules->kind == SY_SEQ ? rules->n : 1;
		r->filter_targets = arena_alloc(&cc->rs->arena, (n ? n : 1) * sizeof(char *));
		if (!r->filter_targets)
			return AS_ENOMEM;
		for (size_t i = 0; i < n; i++) {
			const struct sy_node *t = rules->kind == SY_SEQ ? rules->items[i] : rules;
			if (t->kind != SY_SCALAR)
				FAIL(t, AS_EINVAL, "filter rules must be ids or names");
			r->filter_targets[r->ntargets++] = dup_scalar(cc, t);
		}
		/* the filter map minus `rules` is a detection section */
		struct sy_node copy = *filt;
		struct sy_node **items = arena_alloc(&cc->rs->arena, 2 * filt->n * sizeof *items);
		if (!items)
			return AS_ENOMEM;
		copy.items = items;
		copy.n = 0;
		for (size_t i = 0; i < filt->n; i++) {
			const struct sy_node *k = filt->items[2 * i];
			if (k->kind != SY_SCALAR || !k->s)
				FAIL(k, AS_EINVAL, "filter keys must be names");
			if (!strcmp(k->s, "rules"))
				continue;
			items[2 * copy.n] = filt->items[2 * i];
			items[2 * copy.n + 1] = filt->items[2 * i + 1];
			copy.n++;
		}
		return sigma_detection_parse(cc, &copy, &r->det, err, ec, line);
	}
	r->kind = SK_DETECTION;
	if (!det)
		FAIL(doc, AS_EINVAL, "rule has no detection");
	return sigma_detection_parse(cc, det, &r->det, err, ec, line);
}
