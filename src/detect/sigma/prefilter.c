/*
 * prefilter.c — one Hyperscan pass names the rules worth checking.
 *
 * For each detection rule we derive a necessary condition in conjunctive
 * form: up to eight clauses, each a set of literals, such that if the rule
 * matches an event, every clause has one of its literals in one of the
 * event's field values. Over the condition tree an AND joins the clauses of
 * both sides, an OR keeps the union of each side's best clause, a NOT gives
 * nothing. All literals of all rules go into one Hyperscan literal database;
 * per event the field values are scanned once, each literal hit marks its
 * (rule, clause) pairs, and a rule whose clauses are all marked becomes a
 * candidate. The exact matchers then run on candidates only, so cost grows
 * with the literals that
 * occur, not with the number of rules. Rules without such a set (regex-only,
 * numeric, negated) are checked on every event of their logsource.
 *
 * A frequent logsource key gets a sub-database: per field, only the literals
 * of the items testing that field (one small Hyperscan database each, built
 * on first use), and literals only ever compared whole or as a file name
 * (`endswith \\name`) are looked up in a hash map instead of scanned for.
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "core/error.h"
#include "core/limits.h"
#include "detect/sigma/sigma_int.h"
#include "event/fieldname.h"

#define PF_MIN_LITERAL 3 /* shorter literals would make nearly every rule a candidate */
#define PF_MAX_SET     4096

struct lset {
	uint32_t *lit; /* literal indexes; NULL with none == true: no set */
	size_t n;
	bool none;
	size_t minlen;
};

/* A Hyperscan database with, per literal id, the (rule, clause) pairs it marks. */
struct sigma_pfdb {
	hs_database_t *db;
	const uint32_t *start; /* literal id → first pair; nlit + 1 entries */
	const uint32_t *pairs;
	uint32_t *own_start, *own_pairs; /* allocated here (sub-databases) */
	/* sub-databases: per field id, the literals of the items that test it
	 * (CSR into flits) plus the keyword literals; index nfields holds the
	 * keyword literals alone, for fields no rule names */
	const struct sigma_prefilter *pf;
	uint32_t nfields;
	uint32_t *flit_start; /* nfields + 2: field f holds [start[f], start[f + 1]) */
	uint32_t *flits;
	hs_database_t **fdb; /* compiled on first use */
	/* literals found by a hash look-up instead: field id + 't' + the value's
	 * tail from its last backslash, or field id + 'e' + the whole value
	 * (lower-cased) → literal id; fhash per field: 1 tails, 2 exact values */
	struct map hashed;
	uint8_t *fhash;
	uint16_t *fmax;  /* per field: the longest hashed literal (longer values cannot hit) */
	uint8_t *fstate; /* 0 not built, 1 built (NULL: no literals), 2 failed */
};

struct sigma_prefilter {
	struct sigma_pfdb all;
	hs_database_t *db;
	uint32_t *rule_class; /* rule → logsource class, UINT32_MAX: not a detection rule */
	/* literal → rules (CSR) */
	uint32_t *lit_start; /* nlit + 1 */
	uint32_t *lit_rules; /* rule << 3 | clause */
	size_t nlit;
	uint8_t *full; /* per rule: the clause mask that makes it a candidate */
	/* the literal texts, for the per-logsource databases */
	char **text;
	size_t *len;
	unsigned *flags;
	/* per class: the literals its detection and filter rules use (CSR) */
	uint32_t *cls_start;
	uint32_t *cls_lits;
	size_t nclasses;
	/* per class: rules not prefiltered */
	uint32_t *always_start; /* nclasses + 1 */
	uint32_t *always;
	size_t nrules;
};

struct sigma_pf_scratch {
	hs_scratch_t *s;
	uint64_t *lithit;     /* literals seen in this event */
	uint32_t *littouched; /* which, to clear them */
	size_t nlittouched;
	uint8_t *mask;     /* per rule: clauses seen in this event */
	uint32_t *touched; /* rules whose mask is not zero */
	size_t ntouched;
	char *kwbuf; /* values of fields only keyword literals look at, for one scan */
	size_t kwcap;
};

struct lit_table {
	struct map idx; /* (cased byte + bytes) → index */
	char **text;
	size_t *len;
	bool *cased;
	size_t n, cap;
};

static int lit_add(struct lit_table *t, const char *p, size_t n, bool cased, uint32_t *out)
{
	char key[1024];
	if (n + 1 > sizeof key)
		n = sizeof key - 1; /* a prefix of a literal is still necessary */
	key[0] = cased ? 'c' : 'i';
	memcpy(key + 1, p, n);
	uint64_t v = t->n;
	bool existed;
	int rc = map_put_new(&t->idx, slice_make(key, n + 1), &v, &existed);
	if (rc)
		return rc;
	if (!existed) {
		if (t->n == t->cap) {
			size_t nc = t->cap ? t->cap * 2 : 1024;
			char **nt = realloc(t->text, nc * sizeof *nt);
			size_t *nl = nt ? realloc(t->len, nc * sizeof *nl) : NULL;
			bool *ncs = nl ? realloc(t->cased, nc * sizeof *ncs) : NULL;
			if (nt)
				t->text = nt;
			if (nl)
				t->len = nl;
			if (!ncs)
				return AS_ENOMEM;
			t->cased = ncs;
			t->cap = nc;
		}
		t->text[t->n] = malloc(n ? n : 1);
		if (!t->text[t->n])
			return AS_ENOMEM;
		memcpy(t->text[t->n], p, n);
		t->len[t->n] = n;
		t->cased[t->n] = cased;
		t->n++;
	}
	*out = (uint32_t)v;
	return 0;
}

static void lset_free(struct lset *s)
{
	free(s->lit);
	s->lit = NULL;
	s->n = 0;
}

static struct lset none_set(void)
{
	return (struct lset){.none = true};
}

/* Longest run of literal bytes in a glob matcher. */
static void longest_run(const struct sigma_matcher *m, size_t *from, size_t *len)
{
	*from = 0;
	*len = m->len;
	if (m->shape != SH_GLOB)
		return;
	size_t best = 0, bestf = 0, cur = 0;
	for (size_t i = 0; i <= m->len; i++) {
		if (i == m->len || m->wild[i]) {
			if (cur > best) {
				best = cur;
				bestf = i - cur;
			}
			cur = 0;
		} else {
			cur++;
		}
	}
	*from = bestf;
	*len = best;
}

/* Give every glob matcher its literal (so it can skip early), once. */
static int matcher_lit(struct lit_table *t, struct sigma_matcher *m)
{
	m->lit = UINT32_MAX;
	if (m->kind != SM_GLOB || m->shape == SH_ANY)
		return 0;
	size_t from, len;
	longest_run(m, &from, &len);
	/* non-ASCII bytes are rare in logs: a two-byte letter (Cyrillic
	 * homoglyphs, symbols) still narrows well */
	bool rare = false;
	for (size_t i = 0; i < len; i++)
		rare |= (unsigned char)m->pat[from + i] >= 0x80;
	if (len < (rare ? 2 : PF_MIN_LITERAL))
		return 0;
	return lit_add(t, m->pat + from, len, m->cased, &m->lit);
}

static int detection_lits(struct lit_table *t, struct sigma_detection *d)
{
	int rc = 0;
	for (uint32_t s = 0; s < d->nsels; s++)
		for (uint32_t g = 0; g < d->sels[s].n; g++)
			for (uint32_t i = 0; i < d->sels[s].groups[g].n; i++) {
				struct sigma_item *it = &d->sels[s].groups[g].items[i];
				for (uint32_t k = 0; k < it->nm && !rc; k++)
					rc = matcher_lit(t, &it->m[k]);
			}
	return rc;
}

static int matcher_set(struct lit_table *t, const struct sigma_matcher *m, struct lset *out)
{
	*out = none_set();
	if (m->lit == UINT32_MAX || m->neq)
		return 0;
	uint32_t li = m->lit;
	size_t from, len;
	longest_run(m, &from, &len);
	out->lit = malloc(sizeof *out->lit);
	if (!out->lit)
		return AS_ENOMEM;
	out->lit[0] = li;
	out->n = 1;
	out->none = false;
	out->minlen = len;
	return 0;
}

/* a := a ∪ b (b consumed). */
static int lset_union(struct lset *a, struct lset *b)
{
	if (a->none || b->none || a->n + b->n > PF_MAX_SET) {
		lset_free(a);
		lset_free(b);
		*a = none_set();
		return 0;
	}
	uint32_t *n = realloc(a->lit, (a->n + b->n) * sizeof *n);
	if (!n) {
		lset_free(b);
		return AS_ENOMEM;
	}
	memcpy(n + a->n, b->lit, b->n * sizeof *n);
	a->lit = n;
	a->n += b->n;
	if (b->minlen < a->minlen)
		a->minlen = b->minlen;
	lset_free(b);
	return 0;
}

static bool better(const struct lset *a, const struct lset *b)
{
	if (a->none)
		return false;
	if (b->none)
		return true;
	size_t la = a->minlen > 8 ? 8 : a->minlen, lb = b->minlen > 8 ? 8 : b->minlen;
	return la != lb ? la > lb : a->n < b->n;
}

/* A necessary condition in conjunctive form: every clause must have one of
 * its literals in the event. n == 0: no condition (the rule always runs). */
#define PF_MAX_CLAUSES 8
struct cnf {
	struct lset cl[PF_MAX_CLAUSES];
	unsigned n;
};

static void cnf_free(struct cnf *c)
{
	for (unsigned i = 0; i < c->n; i++)
		lset_free(&c->cl[i]);
	c->n = 0;
}

/* Index of the clause that narrows most. */
static unsigned cnf_best(const struct cnf *c)
{
	unsigned b = 0;
	for (unsigned i = 1; i < c->n; i++)
		if (better(&c->cl[i], &c->cl[b]))
			b = i;
	return b;
}

/* a := a AND b (b consumed); when full, the weakest clause goes. */
static void cnf_and(struct cnf *a, struct cnf *b)
{
	for (unsigned i = 0; i < b->n; i++) {
		if (a->n < PF_MAX_CLAUSES) {
			a->cl[a->n++] = b->cl[i];
			continue;
		}
		unsigned worst = 0;
		for (unsigned k = 1; k < a->n; k++)
			if (better(&a->cl[worst], &a->cl[k]))
				worst = k;
		if (better(&b->cl[i], &a->cl[worst])) {
			lset_free(&a->cl[worst]);
			a->cl[worst] = b->cl[i];
		} else {
			lset_free(&b->cl[i]);
		}
	}
	b->n = 0;
}

/* a := a OR b (b consumed): the union of each side's best clause. */
static int cnf_or(struct cnf *a, struct cnf *b)
{
	if (!a->n || !b->n) {
		cnf_free(a);
		cnf_free(b);
		return 0;
	}
	unsigned ia = cnf_best(a), ib = cnf_best(b);
	struct lset x = a->cl[ia], y = b->cl[ib];
	a->cl[ia] = none_set();
	b->cl[ib] = none_set();
	cnf_free(a);
	cnf_free(b);
	int rc = lset_union(&x, &y);
	if (rc) {
		lset_free(&x);
		return rc;
	}
	if (!x.none)
		a->cl[a->n++] = x;
	return 0;
}

/* OR over matchers [from, to): one clause, or none. */
static int range_cnf(struct lit_table *t, const struct sigma_item *it, uint32_t from, uint32_t to,
		     struct cnf *out)
{
	int rc = 0;
	out->n = 0;
	for (uint32_t i = from; i < to && !rc; i++) {
		struct cnf m = {.n = 0};
		if ((rc = matcher_set(t, &it->m[i], &m.cl[0])))
			break;
		if (!m.cl[0].none)
			m.n = 1;
		if (i == from)
			*out = m;
		else
			rc = cnf_or(out, &m);
	}
	return rc;
}

static int item_cnf(struct lit_table *t, const struct sigma_item *it, struct cnf *out)
{
	if (!it->all)
		return range_cnf(t, it, 0, it->nm, out);
	int rc = 0;
	out->n = 0;
	for (uint32_t g = 0; g < it->ngroups && !rc; g++) {
		struct cnf gc;
		rc = range_cnf(t, it, g ? it->gend[g - 1] : 0, it->gend[g], &gc);
		if (!rc)
			cnf_and(out, &gc);
	}
	return rc;
}

static int sel_cnf(struct lit_table *t, const struct sigma_sel *sel, struct cnf *out)
{
	int rc = 0;
	out->n = 0;
	for (uint32_t g = 0; g < sel->n && !rc; g++) {
		struct cnf gc = {.n = 0};
		for (uint32_t i = 0; i < sel->groups[g].n && !rc; i++) {
			struct cnf ic;
			rc = item_cnf(t, &sel->groups[g].items[i], &ic);
			if (!rc)
				cnf_and(&gc, &ic);
		}
		if (g == 0)
			*out = gc;
		else if (!rc)
			rc = cnf_or(out, &gc);
		else
			cnf_free(&gc);
	}
	return rc;
}

static int cond_cnf(struct lit_table *t, const struct sigma_detection *d,
		    const struct sigma_cond *c, struct cnf *out)
{
	struct cnf a, b;
	int rc;
	out->n = 0;
	switch (c->op) {
	case C_SEL:
		return sel_cnf(t, &d->sels[c->sel], out);
	case C_NOT:
		return 0;
	case C_AND:
	case C_OR:
		if ((rc = cond_cnf(t, d, c->a, &a)))
			return rc;
		if ((rc = cond_cnf(t, d, c->b, &b))) {
			cnf_free(&a);
			return rc;
		}
		if (c->op == C_AND)
			cnf_and(&a, &b);
		else if ((rc = cnf_or(&a, &b)))
			return rc;
		*out = a;
		return 0;
	case C_OF:
		for (uint32_t i = 0; i < c->nof; i++) {
			if ((rc = sel_cnf(t, &d->sels[c->of[i]], &b)))
				return rc;
			if (c->need == c->nof)
				cnf_and(out, &b);
			else if (i == 0)
				*out = b;
			else if ((rc = cnf_or(out, &b)))
				return rc;
		}
		return 0;
	}
	return 0;
}

void sigma_prefilter_free(struct sigma_prefilter *pf)
{
	if (!pf)
		return;
	hs_free_database(pf->db);
	free(pf->lit_start);
	free(pf->lit_rules);
	free(pf->always_start);
	free(pf->always);
	free(pf->full);
	for (size_t l = 0; pf->text && l < pf->nlit; l++)
		free(pf->text[l]);
	free(pf->text);
	free(pf->len);
	free(pf->flags);
	free(pf->cls_start);
	free(pf->cls_lits);
	free(pf->rule_class);
	free(pf);
}

static void collect_lits(const struct sigma_detection *d, uint32_t *mark, uint32_t stamp,
			 uint32_t *out, size_t *n)
{
	for (uint32_t s = 0; s < d->nsels; s++)
		for (uint32_t g = 0; g < d->sels[s].n; g++)
			for (uint32_t i = 0; i < d->sels[s].groups[g].n; i++) {
				const struct sigma_item *it = &d->sels[s].groups[g].items[i];
				for (uint32_t k = 0; k < it->nm; k++) {
					uint32_t l = it->m[k].lit;
					if (l == UINT32_MAX || mark[l] == stamp)
						continue;
					mark[l] = stamp;
					if (out)
						out[*n] = l;
					(*n)++;
				}
			}
}

/* For each logsource class, the literals of its detection and filter rules. */
static int class_literals(struct sigma_ruleset *rs, struct sigma_prefilter *pf)
{
	uint32_t *mark = calloc(pf->nlit + 1, sizeof *mark);
	pf->nclasses = rs->nclasses;
	pf->cls_start = calloc(rs->nclasses + 1, sizeof *pf->cls_start);
	if (!mark || !pf->cls_start) {
		free(mark);
		return AS_ENOMEM;
	}
	for (int pass = 0; pass < 2; pass++) {
		size_t n = 0;
		for (size_t c = 0; c < rs->nclasses; c++) {
			pf->cls_start[c] = (uint32_t)n;
			uint32_t stamp = (uint32_t)(pass * rs->nclasses + c + 1);
			for (size_t i = 0; i < rs->nrules; i++) {
				const struct sigma_rule *r = rs->rules[i];
				if (r->kind != SK_CORRELATION && r->lsclass == c)
					collect_lits(&r->det, mark, stamp,
						     pass ? pf->cls_lits : NULL, &n);
			}
		}
		pf->cls_start[rs->nclasses] = (uint32_t)n;
		if (!pass && !(pf->cls_lits = malloc((n ? n : 1) * sizeof *pf->cls_lits))) {
			free(mark);
			return AS_ENOMEM;
		}
	}
	free(mark);
	return 0;
}

void sigma_pfdb_free(struct sigma_pfdb *d)
{
	if (!d)
		return;
	if (d->db)
		hs_free_database(d->db);
	for (uint32_t f = 0; d->fdb && f <= d->nfields; f++)
		if (d->fdb[f])
			hs_free_database(d->fdb[f]);
	free(d->fdb);
	free(d->fstate);
	free(d->fhash);
	free(d->fmax);
	map_free(&d->hashed);
	free(d->flit_start);
	free(d->flits);
	free(d->own_start);
	free(d->own_pairs);
	free(d);
}

static bool active(const uint64_t *classes, uint32_t c)
{
	return c != UINT32_MAX && ((classes[c / 64] >> (c % 64)) & 1);
}

struct fl_pairs {
	uint64_t *v; /* field << 32 | literal */
	size_t n, cap;
};

static int fl_push(struct fl_pairs *p, uint64_t x)
{
	if (p->n == p->cap) {
		size_t nc = p->cap ? p->cap * 2 : 1024;
		uint64_t *nv = realloc(p->v, nc * sizeof *nv);
		if (!nv)
			return AS_ENOMEM;
		p->v = nv;
		p->cap = nc;
	}
	p->v[p->n++] = x;
	return 0;
}

static int cmp_u64(const void *a, const void *b)
{
	uint64_t x = *(const uint64_t *)a, y = *(const uint64_t *)b;
	return x < y ? -1 : x > y;
}

/* How a matcher's literal may be found without Hyperscan: bit 0 clear when
 * "ends with it" equals "its tail from the last backslash is it", bit 1
 * clear when only an equal value matters. */
#define FL_NOTAIL  1u
#define FL_NOEXACT 2u
static unsigned lit_use(const struct sigma_matcher *m)
{
	if (m->kind != SM_GLOB || m->cased || m->len >= 1024 ||
	    (m->shape != SH_EXACT && m->shape != SH_SUFFIX))
		return FL_NOTAIL | FL_NOEXACT;
	unsigned u = m->shape == SH_EXACT ? 0 : FL_NOEXACT;
	if (m->pat[0] != '\\' || memchr(m->pat + 1, '\\', m->len - 1))
		u |= FL_NOTAIL;
	return u;
}

/* The (field, literal, use) triples of a detection; keyword literals get field nf. */
static int detection_field_lits(const struct sigma_detection *det, uint32_t nf, struct fl_pairs *p)
{
	int rc = 0;
	for (uint32_t s = 0; s < det->nsels; s++)
		for (uint32_t g = 0; g < det->sels[s].n; g++)
			for (uint32_t i = 0; i < det->sels[s].groups[g].n && !rc; i++) {
				const struct sigma_item *it = &det->sels[s].groups[g].items[i];
				for (uint32_t k = 0; k < it->nm && !rc; k++) {
					uint64_t l = it->m[k].lit;
					if (l == UINT32_MAX)
						continue;
					uint64_t u = lit_use(&it->m[k]);
					if (it->keyword) {
						rc = fl_push(p, (uint64_t)nf << 34 | l << 2 | 3);
						continue;
					}
					for (unsigned a = 0; a < it->field.nids && !rc; a++)
						if (it->field.ids[a] < nf)
							rc = fl_push(p, (uint64_t)it->field.ids[a]
										<< 34 |
									    l << 2 | u);
				}
			}
	return rc;
}

static int hashed_put(struct sigma_pfdb *d, uint32_t f, char tag, const char *t, size_t n,
		      uint32_t l)
{
	char key[1024 + 5];
	memcpy(key, &f, 4);
	key[4] = tag;
	memcpy(key + 5, t, n);
	d->fhash[f] |= tag == 't' ? 1 : 2;
	if (n > d->fmax[f])
		d->fmax[f] = (uint16_t)n;
	return map_put(&d->hashed, slice_make(key, n + 5), l, NULL);
}

/* Per field: the literals of the items testing it, keyword literals apart;
 * those only ever compared whole or as a file name go to the hash map. */
static int subdb_fields(const struct sigma_ruleset *rs, const uint64_t *classes,
			struct sigma_pfdb *d)
{
	const struct sigma_prefilter *pf = rs->pf;
	struct fl_pairs p = {0};
	uint32_t nf = fieldname_count();
	uint8_t *kw = calloc(pf->nlit + 1, 1);
	int rc = kw ? 0 : AS_ENOMEM;
	map_init(&d->hashed);
	for (size_t i = 0; i < rs->nrules && !rc; i++) {
		const struct sigma_rule *r = rs->rules[i];
		if (r->kind != SK_CORRELATION && active(classes, r->lsclass))
			rc = detection_field_lits(&r->det, nf, &p);
	}
	d->nfields = nf;
	d->flit_start = rc ? NULL : calloc((size_t)nf + 2, sizeof *d->flit_start);
	d->flits = rc ? NULL : malloc((p.n ? p.n : 1) * sizeof *d->flits);
	d->fdb = rc ? NULL : calloc((size_t)nf + 1, sizeof *d->fdb);
	d->fstate = rc ? NULL : calloc((size_t)nf + 1, 1);
	d->fhash = rc ? NULL : calloc((size_t)nf + 1, 1);
	d->fmax = rc ? NULL : calloc((size_t)nf + 1, sizeof *d->fmax);
	if (!rc && (!d->flit_start || !d->flits || !d->fdb || !d->fstate || !d->fhash || !d->fmax))
		rc = AS_ENOMEM;
	if (!rc && p.n)
		qsort(p.v, p.n, sizeof *p.v, cmp_u64);
	for (size_t k = 0; !rc && k < p.n; k++)
		if ((p.v[k] >> 34) == nf)
			kw[(uint32_t)(p.v[k] >> 2)] = 1;
	size_t n = 0;
	for (size_t k = 0; !rc && k < p.n; k++) {
		uint32_t f = (uint32_t)(p.v[k] >> 34), l = (uint32_t)(p.v[k] >> 2) & 0xffffffffu;
		unsigned u = 0;
		size_t e = k;
		for (; e < p.n && p.v[e] >> 2 == p.v[k] >> 2; e++)
			u |= (unsigned)p.v[e] & 3;
		k = e - 1; /* one (field, literal): every use must allow the look-up */
		if (f < nf && kw[l])
			continue; /* a keyword literal is scanned in every field anyway */
		if (f < nf && !(u & FL_NOTAIL)) {
			rc = hashed_put(d, f, 't', pf->text[l], pf->len[l], l);
			continue;
		}
		if (f < nf && !(u & FL_NOEXACT)) {
			rc = hashed_put(d, f, 'e', pf->text[l], pf->len[l], l);
			continue;
		}
		d->flits[n++] = l;
		d->flit_start[f + 1]++; /* sorted: the fields come in order */
	}
	for (uint32_t f = 0; !rc && f <= nf; f++)
		d->flit_start[f + 1] += d->flit_start[f];
	free(kw);
	free(p.v);
	return rc;
}

/* The database of field f (f >= nfields: a field no rule names), built on first use. */
static int field_db(const struct sigma_prefilter *pf, struct sigma_pfdb *d,
		    struct sigma_pf_scratch *s, uint32_t f, hs_database_t **out)
{
	if (f >= d->nfields || d->flit_start[f] == d->flit_start[f + 1])
		f = d->nfields; /* no literal of its own: the keyword literals only */
	if (d->fstate[f] == 1) {
		*out = d->fdb[f];
		return 0;
	}
	if (d->fstate[f] == 2)
		return AS_EENGINE;
	d->fstate[f] = 2;
	uint32_t kb = d->flit_start[d->nfields], ke = d->flit_start[d->nfields + 1];
	uint32_t fb = f < d->nfields ? d->flit_start[f] : 0;
	uint32_t fe = f < d->nfields ? d->flit_start[f + 1] : 0;
	size_t n = (size_t)(fe - fb) + (ke - kb);
	if (!n) {
		d->fstate[f] = 1;
		*out = NULL;
		return 0;
	}
	const char **exprs = malloc(n * sizeof *exprs);
	unsigned *flags = malloc(n * sizeof *flags);
	unsigned *ids = malloc(n * sizeof *ids);
	size_t *lens = malloc(n * sizeof *lens);
	int rc = 0;
	if (!exprs || !flags || !ids || !lens) {
		rc = AS_ENOMEM;
		goto exit;
	}
	size_t k = 0;
	for (uint32_t j = fb; j < fe; j++, k++)
		ids[k] = d->flits[j];
	for (uint32_t j = kb; j < ke; j++, k++)
		ids[k] = d->flits[j];
	for (k = 0; k < n; k++) {
		exprs[k] = pf->text[ids[k]];
		flags[k] = pf->flags[ids[k]];
		lens[k] = pf->len[ids[k]];
	}
	hs_compile_error_t *cerr = NULL;
	if (hs_compile_lit_multi(exprs, flags, ids, lens, (unsigned)n, HS_MODE_BLOCK, NULL,
				 &d->fdb[f], &cerr) != HS_SUCCESS) {
		if (cerr)
			hs_free_compile_error(cerr);
		d->fdb[f] = NULL;
		rc = AS_EENGINE;
		goto exit;
	}
	if (hs_alloc_scratch(d->fdb[f], &s->s) != HS_SUCCESS) {
		rc = AS_ENOMEM;
		goto exit;
	}
	d->fstate[f] = 1;
	*out = d->fdb[f];
exit:
	free(exprs);
	free(flags);
	free(ids);
	free(lens);
	return rc;
}

int sigma_prefilter_subdb(const struct sigma_ruleset *rs, const uint64_t *classes,
			  struct sigma_pfdb **out)
{
	const struct sigma_prefilter *pf = rs->pf;
	*out = NULL;
	struct sigma_pfdb *d = calloc(1, sizeof *d);
	uint8_t *mark = calloc(pf->nlit + 1, 1);
	int rc = 0;
	if (!d || !mark) {
		rc = AS_ENOMEM;
		goto exit;
	}
	d->pf = pf;
	for (size_t c = 0; c < pf->nclasses; c++) {
		if (!active(classes, (uint32_t)c))
			continue;
		for (uint32_t k = pf->cls_start[c]; k < pf->cls_start[c + 1]; k++)
			mark[pf->cls_lits[k]] = 1;
	}
	/* the pairs of rules that can see these events only */
	d->own_start = calloc(pf->nlit + 2, sizeof *d->own_start);
	size_t np = 0;
	for (size_t l = 0; d->own_start && l < pf->nlit; l++)
		for (uint32_t p = pf->lit_start[l]; mark[l] && p < pf->lit_start[l + 1]; p++)
			np += active(classes, pf->rule_class[pf->lit_rules[p] >> 3]);
	d->own_pairs = malloc((np ? np : 1) * sizeof *d->own_pairs);
	if (!d->own_start || !d->own_pairs) {
		rc = AS_ENOMEM;
		goto exit;
	}
	for (size_t l = 0; l < pf->nlit; l++) {
		d->own_start[l + 1] = d->own_start[l];
		if (!mark[l])
			continue;
		for (uint32_t p = pf->lit_start[l]; p < pf->lit_start[l + 1]; p++)
			if (active(classes, pf->rule_class[pf->lit_rules[p] >> 3]))
				d->own_pairs[d->own_start[l + 1]++] = pf->lit_rules[p];
	}
	d->start = d->own_start;
	d->pairs = d->own_pairs;
	rc = subdb_fields(rs, classes, d);
exit:
	free(mark);
	if (rc)
		sigma_pfdb_free(d);
	else
		*out = d;
	return rc;
}

int sigma_pf_scratch_fit(struct sigma_pf_scratch *s, const struct sigma_pfdb *d)
{
	if (!d->db)
		return 0;
	return hs_alloc_scratch(d->db, &s->s) == HS_SUCCESS ? 0 : AS_ENOMEM;
}

const struct sigma_pfdb *sigma_prefilter_db(const struct sigma_prefilter *pf)
{
	return &pf->all;
}

int sigma_prefilter_build(struct sigma_ruleset *rs)
{
	struct lit_table t = {0};
	struct cnf *sets = calloc(rs->nrules ? rs->nrules : 1, sizeof *sets);
	struct sigma_prefilter *pf = calloc(1, sizeof *pf);
	int rc = 0;
	map_init(&t.idx);
	if (!sets || !pf) {
		rc = AS_ENOMEM;
		goto exit;
	}
	pf->nrules = rs->nrules;
	pf->full = calloc(rs->nrules ? rs->nrules : 1, 1);
	if (!pf->full) {
		rc = AS_ENOMEM;
		goto exit;
	}
	size_t pairs = 0;
	for (size_t i = 0; i < rs->nrules && !rc; i++) {
		struct sigma_rule *r = rs->rules[i];
		sets[i].n = 0;
		if (r->kind != SK_CORRELATION)
			rc = detection_lits(&t, &r->det);
		if (rc || r->kind != SK_DETECTION)
			continue;
		rc = cond_cnf(&t, &r->det, r->det.cond, &sets[i]);
		r->prefiltered = sets[i].n > 0;
		pf->full[i] = (uint8_t)((1u << sets[i].n) - 1);
		for (unsigned c = 0; c < sets[i].n; c++)
			pairs += sets[i].cl[c].n;
	}
	if (rc)
		goto exit;
	/* literal → rules */
	pf->nlit = t.n;
	pf->lit_start = calloc(t.n + 2, sizeof *pf->lit_start);
	pf->lit_rules = malloc((pairs ? pairs : 1) * sizeof *pf->lit_rules);
	if (!pf->lit_start || !pf->lit_rules) {
		rc = AS_ENOMEM;
		goto exit;
	}
	for (size_t i = 0; i < rs->nrules; i++)
		for (unsigned c = 0; c < sets[i].n; c++)
			for (size_t k = 0; k < sets[i].cl[c].n; k++)
				pf->lit_start[sets[i].cl[c].lit[k] + 1]++;
	for (size_t l = 0; l < t.n; l++)
		pf->lit_start[l + 1] += pf->lit_start[l];
	{
		uint32_t *fill = calloc(t.n + 1, sizeof *fill);
		if (!fill) {
			rc = AS_ENOMEM;
			goto exit;
		}
		for (size_t i = 0; i < rs->nrules; i++)
			for (unsigned c = 0; c < sets[i].n; c++)
				for (size_t k = 0; k < sets[i].cl[c].n; k++) {
					uint32_t l = sets[i].cl[c].lit[k];
					pf->lit_rules[pf->lit_start[l] + fill[l]++] =
					    (uint32_t)i << 3 | c;
				}
		free(fill);
	}
	/* per class: the rules that always run */
	pf->always_start = calloc(rs->nclasses + 2, sizeof *pf->always_start);
	pf->always = malloc((rs->nrules ? rs->nrules : 1) * sizeof *pf->always);
	if (!pf->always_start || !pf->always) {
		rc = AS_ENOMEM;
		goto exit;
	}
	{
		size_t k = 0;
		for (size_t c = 0; c < rs->nclasses; c++) {
			pf->always_start[c] = (uint32_t)k;
			for (size_t i = 0; i < rs->nrules; i++) {
				struct sigma_rule *r = rs->rules[i];
				if (r->kind == SK_DETECTION && !r->prefiltered && r->lsclass == c)
					pf->always[k++] = (uint32_t)i;
			}
		}
		pf->always_start[rs->nclasses] = (uint32_t)k;
	}
	if ((rc = class_literals(rs, pf)))
		goto exit;
	if (t.n) {
		const char **exprs = malloc(t.n * sizeof *exprs);
		unsigned *flags = malloc(t.n * sizeof *flags);
		unsigned *ids = malloc(t.n * sizeof *ids);
		if (!exprs || !flags || !ids) {
			free(exprs);
			free(flags);
			free(ids);
			rc = AS_ENOMEM;
			goto exit;
		}
		pf->flags = malloc(t.n * sizeof *pf->flags);
		if (!pf->flags) {
			free(exprs);
			free(flags);
			free(ids);
			rc = AS_ENOMEM;
			goto exit;
		}
		for (size_t l = 0; l < t.n; l++) {
			exprs[l] = t.text[l];
			flags[l] = HS_FLAG_SINGLEMATCH | (t.cased[l] ? 0 : HS_FLAG_CASELESS);
			pf->flags[l] = flags[l];
			ids[l] = (unsigned)l;
		}
		hs_compile_error_t *cerr = NULL;
		if (hs_compile_lit_multi(exprs, flags, ids, t.len, (unsigned)t.n, HS_MODE_BLOCK,
					 NULL, &pf->db, &cerr) != HS_SUCCESS) {
			if (cerr)
				hs_free_compile_error(cerr);
			rc = AS_EENGINE;
		}
		free(exprs);
		free(flags);
		free(ids);
	}
exit:
	for (size_t i = 0; sets && i < rs->nrules; i++)
		cnf_free(&sets[i]);
	free(sets);
	if (!rc && pf) {
		pf->all = (struct sigma_pfdb){
		    .db = pf->db, .start = pf->lit_start, .pairs = pf->lit_rules};
		pf->rule_class = malloc((rs->nrules + 1) * sizeof *pf->rule_class);
		if (!pf->rule_class)
			rc = AS_ENOMEM;
		for (size_t i = 0; pf->rule_class && i < rs->nrules; i++)
			pf->rule_class[i] =
			    rs->rules[i]->kind == SK_DETECTION ? rs->rules[i]->lsclass : UINT32_MAX;
	}
	if (!rc && pf) {
		/* the texts stay for the per-logsource databases */
		pf->text = t.text;
		pf->len = t.len;
	} else {
		for (size_t l = 0; l < t.n; l++)
			free(t.text[l]);
		free(t.text);
		free(t.len);
	}
	free(t.cased);
	map_free(&t.idx);
	if (rc) {
		sigma_prefilter_free(pf);
		return rc;
	}
	rs->pf = pf;
	return 0;
}

int sigma_pf_scratch_new(const struct sigma_prefilter *pf, struct sigma_pf_scratch **out)
{
	struct sigma_pf_scratch *s = calloc(1, sizeof *s);
	if (!s)
		return AS_ENOMEM;
	s->mask = calloc(pf->nrules + 1, 1);
	s->lithit = calloc(pf->nlit / 64 + 1, sizeof *s->lithit);
	s->littouched = malloc((pf->nlit + 1) * sizeof *s->littouched);
	if (!s->lithit || !s->littouched) {
		sigma_pf_scratch_free(s);
		return AS_ENOMEM;
	}
	s->touched = malloc((pf->nrules + 1) * sizeof *s->touched);
	if (!s->mask || !s->touched) {
		sigma_pf_scratch_free(s);
		return AS_ENOMEM;
	}
	if (pf->db && hs_alloc_scratch(pf->db, &s->s) != HS_SUCCESS) {
		free(s);
		return AS_ENOMEM;
	}
	*out = s;
	return 0;
}

void sigma_pf_scratch_free(struct sigma_pf_scratch *s)
{
	if (!s)
		return;
	if (s->s)
		hs_free_scratch(s->s);
	free(s->mask);
	free(s->touched);
	free(s->lithit);
	free(s->littouched);
	free(s->kwbuf);
	free(s);
}

struct hit_ctx {
	const struct sigma_prefilter *pf;
	const struct sigma_pfdb *d;
	struct sigma_pf_scratch *s;
	uint64_t *bits;
};

static int on_hit(unsigned id, unsigned long long from, unsigned long long to, unsigned flags,
		  void *ctx)
{
	struct hit_ctx *h = ctx;
	uint64_t *word = &h->s->lithit[id / 64], bit = 1ull << (id % 64);
	if (*word & bit)
		return 0; /* seen in an earlier field: its pairs are marked */
	*word |= bit;
	h->s->littouched[h->s->nlittouched++] = id;
	for (uint32_t k = h->d->start[id]; k < h->d->start[id + 1]; k++) {
		uint32_t r = h->d->pairs[k] >> 3, c = h->d->pairs[k] & 7;
		uint8_t *m = &h->s->mask[r];
		if (!*m)
			h->s->touched[h->s->ntouched++] = r;
		*m |= (uint8_t)(1u << c);
		if (*m == h->pf->full[r])
			h->bits[r / 64] |= 1ull << (r % 64);
	}
	return 0;
}

int sigma_prefilter_scan(const struct sigma_prefilter *pf, const struct sigma_pfdb *d,
			 struct sigma_pf_scratch *s, const char *buf, size_t len,
			 uint64_t *rulebits)
{
	for (size_t i = 0; i < s->nlittouched; i++)
		s->lithit[s->littouched[i] / 64] = 0;
	s->nlittouched = 0;
	s->ntouched = 0;
	if (!d->db || !len)
		return 0;
	struct hit_ctx h = {pf, d, s, rulebits};
	hs_error_t e = hs_scan(d->db, buf, (unsigned)len, 0, s->s, on_hit, &h);
	for (size_t i = 0; i < s->ntouched; i++)
		s->mask[s->touched[i]] = 0;
	return e == HS_SUCCESS ? 0 : AS_EENGINE;
}

/* The hash look-ups of field f's value v: its file name, the whole value. */
static void hashed_find(const struct sigma_pfdb *d, uint32_t f, struct slice v, struct hit_ctx *h)
{
	char key[1024 + 5];
	uint64_t l;
	memcpy(key, &f, 4);
	if (d->fhash[f] & 1) {
		const char *b = memrchr(v.ptr, '\\', v.len);
		size_t n = b ? v.len - (size_t)(b - v.ptr) : 0;
		if (b && n <= d->fmax[f]) {
			key[4] = 't';
			for (size_t i = 0; i < n; i++)
				key[5 + i] =
				    (b[i] >= 'A' && b[i] <= 'Z') ? (char)(b[i] | 32) : b[i];
			if (map_get(&d->hashed, slice_make(key, n + 5), &l))
				on_hit((unsigned)l, 0, 0, 0, h);
		}
	}
	if ((d->fhash[f] & 2) && v.len <= d->fmax[f]) {
		key[4] = 'e';
		for (size_t i = 0; i < v.len; i++)
			key[5 + i] =
			    (v.ptr[i] >= 'A' && v.ptr[i] <= 'Z') ? (char)(v.ptr[i] | 32) : v.ptr[i];
		if (map_get(&d->hashed, slice_make(key, v.len + 5), &l))
			on_hit((unsigned)l, 0, 0, 0, h);
	}
}

/* Append v to the keyword-only buffer; false when it does not fit. */
static bool kw_append(struct sigma_pf_scratch *s, size_t *len, struct slice v)
{
	if (*len + v.len + 1 > s->kwcap) {
		size_t nc = s->kwcap ? s->kwcap : 1024;
		while (nc < *len + v.len + 1)
			nc *= 2;
		char *nb = nc <= AS_SIGMA_MAX_SCAN ? realloc(s->kwbuf, nc) : NULL;
		if (!nb)
			return false;
		s->kwbuf = nb;
		s->kwcap = nc;
	}
	memcpy(s->kwbuf + *len, v.ptr, v.len);
	*len += v.len;
	s->kwbuf[(*len)++] = '\n';
	return true;
}

int sigma_prefilter_scan_fields(const struct sigma_prefilter *pf, struct sigma_pfdb *d,
				struct sigma_pf_scratch *s, const struct event *ev,
				uint64_t *rulebits)
{
	for (size_t i = 0; i < s->nlittouched; i++)
		s->lithit[s->littouched[i] / 64] = 0;
	s->nlittouched = 0;
	s->ntouched = 0;
	struct hit_ctx h = {pf, d, s, rulebits};
	hs_database_t *kwdb = NULL;
	size_t kwlen = 0;
	int rc = 0;
	for (uint32_t i = 0; i < ev->nfields && !rc; i++) {
		struct slice v = ev->fields[i].value;
		hs_database_t *db;
		if (!v.len || v.len > UINT32_MAX)
			continue;
		uint32_t f = ev->fields[i].name;
		if (f < d->nfields && d->fhash[f])
			hashed_find(d, f, v, &h);
		if ((rc = field_db(pf, d, s, f, &db)) || !db)
			continue;
		/* fields with the keyword literals only share one scan (a hit
		 * across the separator only adds a candidate) */
		if ((f >= d->nfields || d->flit_start[f] == d->flit_start[f + 1]) &&
		    kw_append(s, &kwlen, v)) {
			kwdb = db;
			continue;
		}
		if (hs_scan(db, v.ptr, (unsigned)v.len, 0, s->s, on_hit, &h) != HS_SUCCESS)
			rc = AS_EENGINE;
	}
	if (!rc && kwdb &&
	    hs_scan(kwdb, s->kwbuf, (unsigned)kwlen, 0, s->s, on_hit, &h) != HS_SUCCESS)
		rc = AS_EENGINE;
	for (size_t i = 0; i < s->ntouched; i++)
		s->mask[s->touched[i]] = 0;
	return rc;
}

const uint64_t *sigma_pf_scratch_hits(const struct sigma_pf_scratch *s)
{
	return s->lithit;
}

const uint32_t *sigma_prefilter_always(const struct sigma_prefilter *pf, uint32_t cls, size_t *n)
{
	*n = pf->always_start[cls + 1] - pf->always_start[cls];
	return pf->always + pf->always_start[cls];
}
