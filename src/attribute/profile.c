/*
 * profile.c — group profiles built from the knowledge base.
 *
 * Every group's techniques (and their families), software, indicators,
 * victim sectors and countries become tokens. Two passes: the first interns
 * tokens and counts, per token, how many groups hold it (its group
 * frequency, df); the second fills the CSR postings and the sorted
 * per-group profiles. A token's weight is log(1 + 1/(alpha·bg)) with
 * bg = (df + 0.5) / (Σdf + 0.5·V) over the tokens of its kind: the
 * likelihood ratio a match brings under a smoothed multinomial, which is
 * high for what one group alone uses and near zero for what all use.
 */
#include <ctype.h>
#include <math.h>
#include <stdlib.h>
#include <string.h>

#include "attribute/attr_impl.h"
#include "core/error.h"
#include "intel/intel.h"

/* Tuned on round 1 of bench_attribute's report hold-out in which the group
 * keeps the report's software (the shape of an ATT&CK campaign); its rounds
 * 2 and 3, the strict hold-out and the campaigns are the check. */
const struct attr_kind_param attr_default_params[TK_KINDS] = {
    [TK_TECH] = {.alpha = 256.0, .beta = 1.0}, [TK_FAM] = {.alpha = 64.0, .beta = 0.0},
    [TK_SW] = {.alpha = 64.0, .beta = 3.0},    [TK_IND] = {.alpha = 1.0, .beta = 2.0},
    [TK_SECTOR] = {.alpha = 4.0, .beta = 0.5}, [TK_VCOUNTRY] = {.alpha = 4.0, .beta = 0.5},
};

static const char tok_prefix[TK_KINDS] = {'t', 'f', 's', 'i', 'e', 'v'};

long attr_tok_key(int kind, struct slice value, char *dst, size_t cap)
{
	value = slice_trim(value);
	if (value.len + 3 > cap || kind < 0 || kind >= TK_KINDS)
		return -1;
	dst[0] = tok_prefix[kind];
	dst[1] = ':';
	for (size_t i = 0; i < value.len; i++)
		dst[2 + i] = (char)tolower((unsigned char)value.ptr[i]);
	dst[2 + value.len] = 0;
	return (long)value.len + 2;
}

long attr_tok_find(const struct attr_model *m, int kind, struct slice value)
{
	char key[AS_MAX_ATTR_VALUE + 4];
	long n = attr_tok_key(kind, value, key, sizeof key);
	uint64_t v;
	if (n < 0 || !map_get(&m->tok, slice_make(key, (size_t)n), &v))
		return -1;
	return (long)v;
}

/* One pass over a group's facts: fn is called with each (kind, value). */
struct build {
	struct attr_model *m;
	/* the last group that counted a token, so a group that lists a family
	 * twice (two sub-techniques) counts it once */
	uint32_t *last_group;
	uint32_t *df;
	uint32_t *fill_post, *fill_prof;
};

typedef int (*tok_fn)(struct build *b, uint32_t g, int kind, const char *value);

static int group_walk(struct build *m, const struct kb_group *g, tok_fn fn)
{
	int rc = 0;
	for (uint32_t i = 0; !rc && i < g->techniques.n; i++) {
		const char *t = g->techniques.v[i];
		char fam[16];
		size_t n = strcspn(t, ".");
		rc = fn(m, g->id, TK_TECH, t);
		if (!rc && n < sizeof fam) {
			memcpy(fam, t, n);
			fam[n] = 0;
			rc = fn(m, g->id, TK_FAM, fam);
		}
	}
	for (uint32_t i = 0; !rc && i < g->software.n; i++)
		rc = fn(m, g->id, TK_SW, g->software.v[i]);
	for (uint32_t i = 0; !rc && i < g->indicators.n; i++) {
		/* "type:value": the value alone, so a bare observed value matches */
		const char *c = strchr(g->indicators.v[i], ':');
		rc = fn(m, g->id, TK_IND, c ? c + 1 : g->indicators.v[i]);
	}
	for (uint32_t i = 0; !rc && i < g->sectors.n; i++)
		rc = fn(m, g->id, TK_SECTOR, g->sectors.v[i]);
	for (uint32_t i = 0; !rc && i < g->victims.n; i++)
		rc = fn(m, g->id, TK_VCOUNTRY, g->victims.v[i]);
	return rc;
}

static int pass_count(struct build *b, uint32_t g, int kind, const char *value)
{
	struct attr_model *m = b->m;
	char key[AS_MAX_ATTR_VALUE + 4];
	long n = attr_tok_key(kind, slice_cstr(value), key, sizeof key);
	if (n < 0)
		return 0; /* too long to be a useful token */
	uint64_t idx = m->ntok;
	bool existed;
	int rc = map_put_new(&m->tok, slice_make(key, (size_t)n), &idx, &existed);
	if (rc)
		return rc;
	if (!existed) {
		size_t cap = m->ntok + 1;
		if ((cap & (cap - 1)) == 0 || m->ntok == 0) {
			size_t nc = cap < 16 ? 16 : cap * 2;
			uint8_t *k = realloc(m->tok_kind, nc);
			if (k)
				m->tok_kind = k;
			uint32_t *lg = realloc(b->last_group, nc * sizeof *lg);
			if (lg)
				b->last_group = lg;
			uint32_t *d = realloc(b->df, nc * sizeof *d);
			if (d)
				b->df = d;
			if (!k || !lg || !d)
				return AS_ENOMEM;
		}
		m->tok_kind[idx] = (uint8_t)kind;
		b->last_group[idx] = UINT32_MAX;
		b->df[idx] = 0;
		m->ntok++;
	}
	if (b->last_group[idx] != g) {
		b->last_group[idx] = g;
		b->df[idx]++;
		m->gcount[g][kind]++;
	}
	return 0;
}

static int pass_fill(struct build *b, uint32_t g, int kind, const char *value)
{
	struct attr_model *m = b->m;
	long t = attr_tok_find(m, kind, slice_cstr(value));
	if (t < 0 || b->last_group[t] == g)
		return 0;
	b->last_group[t] = g;
	m->post[b->fill_post[t]++] = g;
	m->prof[b->fill_prof[g]++] = (uint32_t)t;
	return 0;
}

static int cmp_u32(const void *a, const void *b)
{
	uint32_t x = *(const uint32_t *)a, y = *(const uint32_t *)b;
	return x < y ? -1 : x > y;
}

void attr_model_reweigh(struct attr_model *m)
{
	double sum[TK_KINDS] = {0}, vocab[TK_KINDS] = {0};
	for (size_t t = 0; t < m->ntok; t++) {
		sum[m->tok_kind[t]] += m->post_off[t + 1] - m->post_off[t];
		vocab[m->tok_kind[t]]++;
	}
	for (size_t t = 0; t < m->ntok; t++) {
		int k = m->tok_kind[t];
		double d = m->post_off[t + 1] - m->post_off[t];
		double bg = (d + 0.5) / (sum[k] + 0.5 * vocab[k]);
		m->tok_weight[t] = log(1.0 + 1.0 / (m->param[k].alpha * bg));
	}
}

void attr_model_set_params(struct attr_model *m, const struct attr_kind_param *p)
{
	memcpy(m->param, p, sizeof m->param);
	attr_model_reweigh(m);
}

void attr_model_set_calib(struct attr_model *m, const struct attr_calib *c)
{
	m->calib = *c;
}

const struct kb *attr_model_kb(const struct attr_model *m)
{
	return m->kb;
}

int attr_model_build(struct attr_model **out, const struct kb *kb)
{
	struct attr_model *m = calloc(1, sizeof *m);
	int rc = AS_ENOMEM;
	*out = NULL;
	if (!m)
		return AS_ENOMEM;
	m->kb = kb;
	m->ngroups = kb_group_count(kb);
	memcpy(m->param, attr_default_params, sizeof m->param);
	m->calib = attr_default_calib;
	map_init(&m->tok);
	struct build b = {.m = m};
	m->gcount = calloc(m->ngroups + 1, sizeof *m->gcount);
	m->country_share = calloc(m->ngroups + 1, sizeof *m->country_share);
	if (!m->gcount || !m->country_share)
		goto out;
	for (size_t g = 0; g < m->ngroups; g++)
		if ((rc = group_walk(&b, kb_group_at(kb, g), pass_count)))
			goto out;
	rc = AS_ENOMEM;
	size_t total = 0;
	for (size_t t = 0; t < m->ntok; t++)
		total += b.df[t];
	m->post_off = calloc(m->ntok + 1, sizeof *m->post_off);
	m->prof_off = calloc(m->ngroups + 1, sizeof *m->prof_off);
	m->post = malloc((total + 1) * sizeof *m->post);
	m->prof = malloc((total + 1) * sizeof *m->prof);
	m->tok_weight = calloc(m->ntok + 1, sizeof *m->tok_weight);
	b.fill_post = calloc(m->ntok + 1, sizeof *b.fill_post);
	b.fill_prof = calloc(m->ngroups + 1, sizeof *b.fill_prof);
	if (!m->post_off || !m->prof_off || !m->post || !m->prof || !m->tok_weight ||
	    !b.fill_post || !b.fill_prof)
		goto out;
	for (size_t t = 0; t < m->ntok; t++) {
		m->post_off[t + 1] = m->post_off[t] + b.df[t];
		b.fill_post[t] = m->post_off[t];
		b.last_group[t] = UINT32_MAX;
	}
	for (size_t g = 0; g < m->ngroups; g++) {
		uint32_t n = 0;
		for (int k = 0; k < TK_KINDS; k++)
			n += m->gcount[g][k];
		m->prof_off[g + 1] = m->prof_off[g] + n;
		b.fill_prof[g] = m->prof_off[g];
	}
	for (size_t g = 0; g < m->ngroups; g++)
		group_walk(&b, kb_group_at(kb, g), pass_fill);
	for (size_t g = 0; g < m->ngroups; g++)
		qsort(m->prof + m->prof_off[g], m->prof_off[g + 1] - m->prof_off[g],
		      sizeof *m->prof, cmp_u32);
	for (int k = 0; k < TK_KINDS; k++) {
		double s = 0, n = 0;
		for (size_t g = 0; g < m->ngroups; g++)
			if (m->gcount[g][k]) {
				s += m->gcount[g][k];
				n++;
			}
		m->mean_count[k] = n ? s / n : 1.0;
	}
	/* share of groups from each group's country: a source-country match with a
	 * country many groups come from says less */
	for (size_t g = 0; g < m->ngroups; g++) {
		const struct kb_group *ga = kb_group_at(kb, g);
		size_t same = 0, known = 0;
		if (!ga->country[0])
			continue;
		for (size_t h = 0; h < m->ngroups; h++) {
			const struct kb_group *gb = kb_group_at(kb, h);
			known += gb->country[0] != 0;
			same += !strcmp(ga->country, gb->country);
		}
		m->country_share[g] = (double)same / (double)(known ? known : 1);
	}
	attr_model_reweigh(m);
	rc = 0;
out:
	free(b.last_group);
	free(b.df);
	free(b.fill_post);
	free(b.fill_prof);
	if (rc)
		attr_model_free(m);
	else
		*out = m;
	return rc;
}

void attr_model_free(struct attr_model *m)
{
	if (!m)
		return;
	map_free(&m->tok);
	free(m->tok_kind);
	free(m->tok_weight);
	free(m->post_off);
	free(m->post);
	free(m->prof_off);
	free(m->prof);
	free(m->gcount);
	free(m->country_share);
	free(m);
}
