/*
 * score.c — ranking groups for one set of observations, and the result's JSON.
 *
 * Observations become model tokens (names resolved through the kb's aliases,
 * techniques also as their family). Each group's score is a sum over
 * evidence kinds k of beta_k times a smoothed multinomial log-likelihood
 * ratio against the background:
 *
 *     score(g) = Σ_k beta_k · ( m_k·log(alpha_k / (n_k(g) + alpha_k))
 *                               + Σ_{o observed, o ∈ g} log(1 + 1/(alpha_k·bg(o))) )
 *
 * m_k: observed tokens of kind k that the kb knows, n_k(g): the size of g's
 * profile in k (the mean size when g has none: unknown is not empty). Only the
 * postings of observed tokens are walked, so a set of 30 observations costs
 * a few thousand additions whatever the size of the kb. Indicators that a
 * feed ties to a group, the source country and the working hours add
 * evidence outside the multinomial (fixed weights, below).
 */
#include <ctype.h>
#include <math.h>
#include <stdlib.h>
#include <string.h>

#include "attribute/attr_impl.h"
#include "core/error.h"
#include "core/limits.h"
#include "intel/intel.h"

/* A feed that names the group behind an indicator is strong but not proof
 * (feeds mislabel, indicators are reused): the first such indicator adds
 * ATTR_W_FEED, the n-th ATTR_W_FEED/n. */
#define ATTR_W_FEED 6.0
/* Source country and working hours: weak, easily spoofed. */
#define ATTR_BETA_ORIGIN 0.5
#define ATTR_BETA_HOURS  1.0
#define ATTR_MIN_HOURS   6 /* timed observations needed before hours count */

const char *attr_verdict_name(enum attr_verdict v)
{
	switch (v) {
	case ATTR_ATTRIBUTED_V:
		return "attributed";
	case ATTR_SUSPECTED_V:
		return "suspected";
	default:
		return "unattributed";
	}
}

struct otok {
	uint32_t tok;
	uint8_t kind;
	const char *ekind; /* evidence kind shown */
	const char *value; /* as observed */
};

struct scratch {
	struct otok *t;
	size_t n, cap;
};

static int otok_push(struct scratch *s, long tok, int kind, const char *ekind, const char *value)
{
	if (tok < 0)
		return 0;
	for (size_t i = 0; i < s->n; i++)
		if (s->t[i].tok == (uint32_t)tok)
			return 0;
	if (s->n == s->cap) {
		size_t cap = s->cap ? s->cap * 2 : 32;
		struct otok *n = realloc(s->t, cap * sizeof *n);
		if (!n)
			return AS_ENOMEM;
		s->t = n;
		s->cap = cap;
	}
	s->t[s->n++] = (struct otok){(uint32_t)tok, (uint8_t)kind, ekind, value};
	return 0;
}

static int collect(const struct attr_model *m, const struct observations *o, struct scratch *s)
{
	int rc = 0;
	const struct attr_strs *l = &o->list[ATTR_OBS_TECHNIQUE];
	for (uint32_t i = 0; !rc && i < l->n; i++) {
		char id[32], fam[32];
		struct slice v = slice_trim(slice_cstr(l->v[i]));
		if (v.len >= sizeof id)
			continue;
		for (size_t j = 0; j < v.len; j++)
			id[j] = (char)toupper((unsigned char)v.ptr[j]);
		id[v.len] = 0;
		size_t fl = strcspn(id, ".");
		memcpy(fam, id, fl);
		fam[fl] = 0;
		rc = otok_push(s, attr_tok_find(m, TK_TECH, slice_cstr(id)), TK_TECH, "technique",
			       l->v[i]);
		if (!rc)
			rc = otok_push(s, attr_tok_find(m, TK_FAM, slice_cstr(fam)), TK_FAM,
				       "technique-family", l->v[i]);
	}
	l = &o->list[ATTR_OBS_SOFTWARE];
	for (uint32_t i = 0; !rc && i < l->n; i++) {
		const struct kb_software *sw = kb_software_find(m->kb, slice_cstr(l->v[i]));
		long t = attr_tok_find(m, TK_SW, slice_cstr(sw ? sw->name : l->v[i]));
		rc = otok_push(s, t, TK_SW, "software", l->v[i]);
	}
	for (uint32_t i = 0; !rc && i < o->nind; i++)
		rc = otok_push(s, attr_tok_find(m, TK_IND, slice_cstr(o->ind[i].value)), TK_IND,
			       "indicator", o->ind[i].value);
	l = &o->list[ATTR_OBS_INFRA];
	for (uint32_t i = 0; !rc && i < l->n; i++) {
		long t = attr_tok_find(m, TK_IND, slice_cstr(l->v[i]));
		const char *c = strchr(l->v[i], ':');
		if (t < 0 && c)
			t = attr_tok_find(m, TK_IND, slice_cstr(c + 1));
		rc = otok_push(s, t, TK_IND, "infrastructure", l->v[i]);
	}
	l = &o->list[ATTR_OBS_SECTOR];
	for (uint32_t i = 0; !rc && i < l->n; i++) {
		const char *ids[8];
		size_t n = intel_sector_map(slice_cstr(l->v[i]), ids, 8);
		rc = otok_push(s, attr_tok_find(m, TK_SECTOR, slice_cstr(l->v[i])), TK_SECTOR,
			       "sector", l->v[i]);
		for (size_t j = 0; !rc && j < n; j++)
			rc = otok_push(s, attr_tok_find(m, TK_SECTOR, slice_cstr(ids[j])),
				       TK_SECTOR, "sector", l->v[i]);
	}
	l = &o->list[ATTR_OBS_VICTIM_COUNTRY];
	for (uint32_t i = 0; !rc && i < l->n; i++) {
		char iso[3];
		long t = intel_country_parse(slice_cstr(l->v[i]), iso)
			     ? attr_tok_find(m, TK_VCOUNTRY, slice_cstr(iso))
			     : attr_tok_find(m, TK_VCOUNTRY, slice_cstr(l->v[i]));
		rc = otok_push(s, t, TK_VCOUNTRY, "victim-country", l->v[i]);
	}
	return rc;
}

static bool group_has(const struct attr_model *m, uint32_t g, uint32_t tok)
{
	const uint32_t *lo = m->prof + m->prof_off[g], *hi = m->prof + m->prof_off[g + 1];
	while (lo < hi) {
		const uint32_t *mid = lo + (hi - lo) / 2;
		if (*mid == tok)
			return true;
		if (*mid < tok)
			lo = mid + 1;
		else
			hi = mid;
	}
	return false;
}

/* Standard-time UTC offsets (hours) of the countries most groups are said to
 * come from; working hours are 08:00–18:59 local. */
static const struct {
	char cc[3];
	double off;
} tz[] = {{"CN", 8},  {"RU", 3},  {"KP", 9}, {"KR", 9},   {"IR", 3.5}, {"VN", 7}, {"IN", 5.5},
	  {"PK", 5},  {"US", -5}, {"IL", 2}, {"LB", 2},   {"PS", 2},   {"TR", 3}, {"BY", 3},
	  {"UA", 2},  {"AE", 4},  {"SA", 3}, {"GB", 0},   {"FR", 1},   {"DE", 1}, {"ES", 1},
	  {"IT", 1},  {"NL", 1},  {"KZ", 5}, {"SY", 2},   {"EG", 2},   {"NG", 1}, {"BR", -3},
	  {"CO", -5}, {"MX", -6}, {"TW", 8}, {"JP", 9},   {"SG", 8},   {"MY", 8}, {"ID", 7},
	  {"TH", 7},  {"PH", 8},  {"BD", 6}, {"LK", 5.5}, {"KW", 3},   {"QA", 3}, {"IQ", 3},
	  {"YE", 3},  {"AF", 4.5}};

/* Share of activity inside the working hours of country cc; -1 unknown. */
static double working_share(const uint32_t hours[24], const char *cc)
{
	double off = 0;
	bool found = false;
	for (size_t i = 0; i < sizeof tz / sizeof *tz && !found; i++)
		if (!strcmp(tz[i].cc, cc)) {
			off = tz[i].off;
			found = true;
		}
	if (!found)
		return -1;
	double in = 0, all = 0;
	for (int h = 0; h < 24; h++) {
		double local = fmod(h + off + 48.0, 24.0);
		all += hours[h];
		if (local >= 8.0 && local < 19.0)
			in += hours[h];
	}
	return all > 0 ? in / all : -1;
}

struct ev_acc {
	struct attr_evidence *ev;
	size_t n;
};

static int ev_add(struct ev_acc *a, const char *kind, const char *value, double w)
{
	struct attr_evidence *n = realloc(a->ev, (a->n + 1) * sizeof *n);
	if (!n)
		return AS_ENOMEM;
	a->ev = n;
	if (!(n[a->n].value = strdup(value ? value : "")))
		return AS_ENOMEM;
	n[a->n].kind = kind;
	n[a->n].weight = w;
	a->n++;
	return 0;
}

static int cmp_ev(const void *a, const void *b)
{
	double x = ((const struct attr_evidence *)a)->weight;
	double y = ((const struct attr_evidence *)b)->weight;
	return x < y ? 1 : x > y ? -1 : 0;
}

/* Feed groups named on the indicators, per group, in the order met. */
static void feed_scores(const struct attr_model *m, const struct observations *o, double *score,
			uint32_t *nfeed)
{
	for (uint32_t i = 0; i < o->nind; i++)
		for (uint32_t j = 0; j < o->ind[i].groups.n; j++) {
			const struct kb_group *g =
			    kb_group_find(m->kb, slice_cstr(o->ind[i].groups.v[j]));
			if (!g)
				continue;
			/* one indicator naming the same group twice counts once */
			bool dup = false;
			for (uint32_t k = 0; k < j && !dup; k++)
				dup = kb_group_find(m->kb, slice_cstr(o->ind[i].groups.v[k])) == g;
			if (dup)
				continue;
			nfeed[g->id]++;
			score[g->id] += ATTR_W_FEED / nfeed[g->id];
		}
}

static double origin_weight(const struct attr_model *m, uint32_t g)
{
	double share = m->country_share[g];
	return share > 0 ? ATTR_BETA_ORIGIN * log(1.0 + 1.0 / (4.0 * share)) : 0;
}

static bool origin_match(const struct observations *o, const struct kb_group *g)
{
	const struct attr_strs *l = &o->list[ATTR_OBS_SOURCE_COUNTRY];
	for (uint32_t i = 0; g->country[0] && i < l->n; i++) {
		char iso[3];
		if (intel_country_parse(slice_cstr(l->v[i]), iso) && !strcmp(iso, g->country))
			return true;
	}
	return false;
}

static double hours_weight(const struct observations *o, const struct kb_group *g, double *share)
{
	uint32_t total = 0;
	for (int h = 0; h < 24; h++)
		total += o->hours[h];
	*share = -1;
	if (total < ATTR_MIN_HOURS || !g->country[0])
		return 0;
	*share = working_share(o->hours, g->country);
	/* only a clear fit counts; being off-hours says little (shifts, automation) */
	return *share >= 0.75 ? ATTR_BETA_HOURS * (*share - 0.5) * 2.0 : 0;
}

static int evidence_for(const struct attr_model *m, const struct observations *o,
			const struct scratch *s, const struct kb_group *g, struct attr_candidate *c)
{
	struct ev_acc a = {0};
	int rc = 0;
	for (size_t i = 0; !rc && i < s->n; i++) {
		double w = m->param[s->t[i].kind].beta * m->tok_weight[s->t[i].tok];
		if (w > 0 && group_has(m, g->id, s->t[i].tok))
			rc = ev_add(&a, s->t[i].ekind, s->t[i].value, w);
	}
	uint32_t nf = 0;
	for (uint32_t i = 0; !rc && i < o->nind; i++)
		for (uint32_t j = 0; j < o->ind[i].groups.n; j++)
			if (kb_group_find(m->kb, slice_cstr(o->ind[i].groups.v[j])) == g) {
				nf++;
				rc = ev_add(&a, "indicator", o->ind[i].value, ATTR_W_FEED / nf);
				break;
			}
	if (!rc && origin_match(o, g))
		rc = ev_add(&a, "source-country", g->country, origin_weight(m, g->id));
	double share, hw = hours_weight(o, g, &share);
	if (!rc && hw > 0) {
		char v[64];
		snprintf(v, sizeof v, "%.0f%% in %s working hours", share * 100, g->country);
		rc = ev_add(&a, "activity-hours", v, hw);
	}
	if (a.n)
		qsort(a.ev, a.n, sizeof *a.ev, cmp_ev);
	/* keep the strongest; the rest stay in the score */
	while (a.n > AS_MAX_ATTR_EVIDENCE)
		free(a.ev[--a.n].value);
	c->ev = a.ev;
	c->nev = a.n;
	return rc;
}

int attribute_observations(const struct attr_model *m, const struct observations *o,
			   const struct attr_options *opt, struct attr_result *out)
{
	size_t G = m->ngroups;
	unsigned top = opt && opt->top ? opt->top : AS_ATTR_DEFAULT_TOP;
	struct scratch s = {0};
	int rc = AS_ENOMEM;
	memset(out, 0, sizeof *out);
	if (top > AS_ATTR_MAX_TOP)
		top = AS_ATTR_MAX_TOP;
	double *score = calloc(G + 1, sizeof *score);
	uint32_t *nfeed = calloc(G + 1, sizeof *nfeed);
	uint8_t *flag = calloc(G + 1, 1); /* 1 evidence, 2 excluded */
	size_t *rank = calloc(top + 1, sizeof *rank);
	if (!score || !nfeed || !flag || !rank)
		goto done;
	if ((rc = collect(m, o, &s)))
		goto done;
	double mk[TK_KINDS] = {0}, mtotal = 0;
	for (size_t i = 0; i < s.n; i++)
		mk[s.t[i].kind]++;
	for (int k = 0; k < TK_KINDS; k++)
		mtotal += mk[k];
	for (size_t g = 0; g < G; g++)
		for (int k = 0; k < TK_KINDS; k++) {
			if (!mk[k])
				continue;
			double n = m->gcount[g][k] ? m->gcount[g][k] : m->mean_count[k];
			double a = m->param[k].alpha;
			score[g] += m->param[k].beta * mk[k] * log(a / (n + a));
		}
	for (size_t i = 0; i < s.n; i++) {
		uint32_t t = s.t[i].tok;
		double w = m->param[s.t[i].kind].beta * m->tok_weight[t];
		for (uint32_t p = m->post_off[t]; p < m->post_off[t + 1]; p++) {
			score[m->post[p]] += w;
			flag[m->post[p]] = 1;
		}
	}
	feed_scores(m, o, score, nfeed);
	for (size_t g = 0; g < G; g++) {
		const struct kb_group *kg = kb_group_at(m->kb, g);
		double share;
		if (nfeed[g])
			flag[g] = 1;
		if (origin_match(o, kg)) {
			score[g] += origin_weight(m, g);
			flag[g] = 1;
		}
		score[g] += hours_weight(o, kg, &share);
	}
	mtotal += o->list[ATTR_OBS_SOURCE_COUNTRY].n ? 1 : 0;
	for (uint32_t i = 0; i < o->nind; i++)
		mtotal += o->ind[i].groups.n ? 1 : 0;
	for (size_t i = 0; opt && i < opt->nexclude; i++) {
		const struct kb_group *g = kb_group_find(m->kb, slice_cstr(opt->exclude[i]));
		if (g)
			flag[g->id] = 2;
	}
	/* top candidates among groups with evidence; the best other score for the lead */
	size_t nr = 0;
	for (size_t g = 0; g < G; g++) {
		if (flag[g] != 1)
			continue;
		size_t j = nr < top ? nr++ : top;
		if (j == top && score[g] <= score[rank[top - 1]])
			continue;
		if (j == top)
			j = top - 1;
		while (j > 0 && score[rank[j - 1]] < score[g]) {
			rank[j] = rank[j - 1];
			j--;
		}
		rank[j] = g;
	}
	out->verdict = ATTR_UNATTRIBUTED;
	if (!nr) {
		rc = 0;
		goto done;
	}
	double s1 = score[rank[0]], s2 = -INFINITY;
	for (size_t g = 0; g < G; g++)
		if (g != rank[0] && flag[g] != 2 && score[g] > s2)
			s2 = score[g];
	if (!isfinite(s2))
		s2 = s1 - 10.0; /* a kb of one group: nothing to tell it from */
	out->lead = s1 - s2;
	out->density = s1 / (mtotal > 0 ? mtotal : 1);
	out->cand = calloc(nr, sizeof *out->cand);
	if (!out->cand) {
		rc = AS_ENOMEM;
		goto done;
	}
	double conf = attr_calib_apply(&m->calib, out->lead, out->density);
	double rest = 0;
	for (size_t g = 0; g < G; g++)
		if (g != rank[0] && flag[g] != 2)
			rest += exp(score[g] - s1);
	for (size_t i = 0; i < nr; i++) {
		struct attr_candidate *c = &out->cand[i];
		c->group = kb_group_at(m->kb, rank[i]);
		c->score = score[rank[i]];
		c->confidence =
		    i == 0 ? conf : (rest > 0 ? (1.0 - conf) * exp(c->score - s1) / rest : 0);
		/* a runner-up is never surer than the leader, whatever the split */
		if (i && c->confidence > conf)
			c->confidence = conf;
		out->n++;
		if ((rc = evidence_for(m, o, &s, c->group, c)))
			goto done;
	}
	out->verdict = conf >= ATTR_ATTRIBUTED  ? ATTR_ATTRIBUTED_V
		       : conf >= ATTR_SUSPECTED ? ATTR_SUSPECTED_V
						: ATTR_UNATTRIBUTED;
	rc = 0;
done:
	if (rc)
		attr_result_free(out);
	free(s.t);
	free(score);
	free(nfeed);
	free(flag);
	free(rank);
	return rc;
}

void attr_result_free(struct attr_result *r)
{
	if (!r)
		return;
	for (size_t i = 0; i < r->n; i++) {
		for (size_t j = 0; j < r->cand[i].nev; j++)
			free(r->cand[i].ev[j].value);
		free(r->cand[i].ev);
	}
	free(r->cand);
	memset(r, 0, sizeof *r);
}

void attr_result_jw(const struct attr_result *r, struct jw *w)
{
	jw_obj(w);
	jw_key(w, "candidates");
	jw_arr(w);
	for (size_t i = 0; i < r->n; i++) {
		const struct attr_candidate *c = &r->cand[i];
		jw_obj(w);
		jw_kcstr(w, "group", c->group->name);
		jw_kcstr(w, "id", c->group->attack_id);
		jw_key(w, "aliases");
		jw_arr(w);
		for (uint32_t j = 0; j < c->group->aliases.n; j++)
			jw_cstr(w, c->group->aliases.v[j]);
		jw_arr_end(w);
		jw_kcstr(w, "country", c->group->country[0] ? c->group->country : NULL);
		jw_kcstr(w, "region", c->group->region);
		jw_key(w, "confidence");
		jw_double(w, round(c->confidence * 1000) / 1000);
		jw_key(w, "evidence");
		jw_arr(w);
		for (size_t j = 0; j < c->nev; j++) {
			jw_obj(w);
			jw_kcstr(w, "kind", c->ev[j].kind);
			jw_kcstr(w, "value", c->ev[j].value);
			jw_key(w, "weight");
			jw_double(w, round(c->ev[j].weight * 100) / 100);
			jw_obj_end(w);
		}
		jw_arr_end(w);
		jw_obj_end(w);
	}
	jw_arr_end(w);
	jw_kcstr(w, "verdict", attr_verdict_name(r->verdict));
	jw_obj_end(w);
}

int attr_result_to_json(const struct attr_result *r, struct buf *out)
{
	struct jw w;
	jw_init(&w, out);
	attr_result_jw(r, &w);
	return out->err;
}
