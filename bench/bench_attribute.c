/*
 * bench_attribute.c — how often attribution names the right group, how
 * honest its confidence is, and how fast it runs.
 *
 * Held-out cases are made from the ATT&CK bundles (MITRE ATT&CK, © The MITRE
 * Corporation, licence in the bundle's folder): nothing evaluated is in the
 * knowledge base it is evaluated against.
 *
 *  report   leave-one-report-out: every group "uses" relationship cites the
 *           reports it comes from. In round r each group with enough cited
 *           activity gives up its r-th largest report: every relationship of
 *           that group citing it is removed from the bundle, the kb and the
 *           model are rebuilt from what is left, and the group is attributed
 *           from the removed techniques and software alone. Rounds 1–3.
 *  campaign the attributed campaigns of the mobile and ICS bundles: the
 *           campaign's own uses, its attributed-to link (through which the
 *           importer would copy its activity into the group) and the group's
 *           uses citing the campaign's sources are removed; the campaign is
 *           attributed from its techniques and software.
 *
 * Calibration: Platt scaling is fitted on the cases of groups whose name
 * hashes even and tested on the rest; the reliability table is printed.
 * The peer is an IDF-weighted cosine over the same tokens, run on the same
 * cases. Speed: attributing 10,000 sets of observations against the full
 * enterprise model.
 *
 *   bench_attribute [SHARED_DIR]   (default $APTSCOPE_SHARED or ../shared)
 */
#include <jansson.h>
#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include "attribute/attr_impl.h"
#include "core/hash.h"
#include "intel/intel.h"

struct kase {
	char group[128];  /* the truth: intrusion-set name */
	char source[160]; /* the report or campaign held out */
	struct observations *o;
	int rank_ours, rank_peer; /* 1-based, 0 = not ranked */
	double lead, density, conf;
	bool fit;    /* in the calibration fit half */
	bool sparse; /* a cut-down copy, for calibration only */
};

static struct kase *cases;
static size_t ncases, capcases;

static double now(void)
{
	struct timespec t;
	clock_gettime(CLOCK_MONOTONIC, &t);
	return t.tv_sec + t.tv_nsec / 1e9;
}

static const char *jstr(json_t *o, const char *k)
{
	return json_string_value(json_object_get(o, k));
}

static bool dead(json_t *o)
{
	return json_is_true(json_object_get(o, "revoked")) ||
	       json_is_true(json_object_get(o, "x_mitre_deprecated"));
}

static const char *attack_id(json_t *o)
{
	size_t i;
	json_t *r;
	json_array_foreach(json_object_get(o, "external_references"), i, r)
	{
		const char *s = jstr(r, "source_name");
		if (s && !strncmp(s, "mitre", 5) && jstr(r, "external_id"))
			return jstr(r, "external_id");
	}
	return NULL;
}

/* id → object, over several bundles */
static json_t *byid;

static void index_bundle(json_t *b)
{
	size_t i;
	json_t *o;
	json_array_foreach(json_object_get(b, "objects"), i, o)
	{
		if (jstr(o, "id"))
			json_object_set(byid, jstr(o, "id"), o);
	}
}

/* Add what a uses relationship points at to o. */
static void add_target(struct observations *o, const char *dst)
{
	json_t *t = json_object_get(byid, dst);
	const char *type = jstr(t, "type");
	if (!t || dead(t) || !type)
		return;
	if (!strcmp(type, "attack-pattern") && attack_id(t))
		observations_add(o, ATTR_OBS_TECHNIQUE, slice_cstr(attack_id(t)));
	else if ((!strcmp(type, "malware") || !strcmp(type, "tool")) && jstr(t, "name"))
		observations_add(o, ATTR_OBS_SOFTWARE, slice_cstr(jstr(t, "name")));
}

static bool is_uses_of(json_t *r, const char *src_type)
{
	const char *rt = jstr(r, "relationship_type"), *src = jstr(r, "source_ref");
	return rt && src && !strcmp(rt, "uses") && !strncmp(src, src_type, strlen(src_type));
}

static bool cites(json_t *r, const char *source)
{
	size_t i;
	json_t *e;
	json_array_foreach(json_object_get(r, "external_references"), i, e)
	{
		const char *s = jstr(e, "source_name");
		if (s && !strcmp(s, source))
			return true;
	}
	return false;
}

/* Every citation of r is source. */
static bool only_cites(json_t *r, const char *source)
{
	size_t i;
	json_t *e;
	json_array_foreach(json_object_get(r, "external_references"), i, e)
	{
		const char *s = jstr(e, "source_name");
		if (s && strcmp(s, source))
			return false;
	}
	return true;
}

/* Build a kb from the bundles with the relationships flagged in drop[b][i]
 * left out. */
static int build_kb(json_t **bundles, size_t nb, char **drop, struct kb **out)
{
	int rc = kb_new(out);
	for (size_t b = 0; !rc && b < nb; b++) {
		json_t *copy = json_object(), *objs = json_array(), *o;
		size_t i;
		json_object_set(copy, "type", json_object_get(bundles[b], "type"));
		json_object_set(copy, "id", json_object_get(bundles[b], "id"));
		json_object_set_new(copy, "spec_version", json_string("2.1"));
		json_array_foreach(json_object_get(bundles[b], "objects"), i, o)
		{
			if (!drop || !drop[b] || !drop[b][i])
				json_array_append(objs, o);
		}
		json_object_set_new(copy, "objects", objs);
		char *text = json_dumps(copy, JSON_COMPACT);
		json_decref(copy);
		if (!text)
			return -1;
		struct diag_sink ds;
		diag_sink_init(&ds, NULL);
		rc = kb_import_mem(*out, "attack", text, strlen(text), &ds, NULL);
		diag_sink_fini(&ds);
		free(text);
	}
	return rc;
}

static struct kase *case_new(const char *group, const char *source)
{
	if (ncases == capcases) {
		capcases = capcases ? capcases * 2 : 256;
		cases = realloc(cases, capcases * sizeof *cases);
	}
	struct kase *k = &cases[ncases++];
	memset(k, 0, sizeof *k);
	snprintf(k->group, sizeof k->group, "%s", group);
	snprintf(k->source, sizeof k->source, "%s", source);
	observations_new(&k->o);
	k->fit = hash_bytes_seeded(group, strlen(group), 7) % 2 == 0;
	return k;
}

/* --- the peer: IDF-weighted cosine over the model's tokens ------------------ */

static int peer_rank(const struct attr_model *m, const struct observations *o, size_t truth)
{
	size_t G = m->ngroups;
	double *dot = calloc(G, sizeof *dot), *norm = calloc(G, sizeof *norm), qn = 0;
	long toks[2048];
	size_t nt = 0;
	for (uint32_t i = 0; i < o->list[ATTR_OBS_TECHNIQUE].n && nt < 2047; i++) {
		long t = attr_tok_find(m, TK_TECH, slice_cstr(o->list[ATTR_OBS_TECHNIQUE].v[i]));
		if (t >= 0)
			toks[nt++] = t;
	}
	for (uint32_t i = 0; i < o->list[ATTR_OBS_SOFTWARE].n && nt < 2047; i++) {
		const struct kb_software *sw =
		    kb_software_find(m->kb, slice_cstr(o->list[ATTR_OBS_SOFTWARE].v[i]));
		long t = attr_tok_find(m, TK_SW, slice_cstr(sw ? sw->name : ""));
		if (t >= 0)
			toks[nt++] = t;
	}
	for (size_t g = 0; g < G; g++)
		for (uint32_t p = m->prof_off[g]; p < m->prof_off[g + 1]; p++) {
			uint32_t t = m->prof[p];
			if (m->tok_kind[t] != TK_TECH && m->tok_kind[t] != TK_SW)
				continue;
			double idf = log((double)G / (m->post_off[t + 1] - m->post_off[t]));
			norm[g] += idf * idf;
		}
	for (size_t i = 0; i < nt; i++) {
		uint32_t t = (uint32_t)toks[i];
		double idf = log((double)G / (m->post_off[t + 1] - m->post_off[t]));
		qn += idf * idf;
		for (uint32_t p = m->post_off[t]; p < m->post_off[t + 1]; p++)
			dot[m->post[p]] += idf * idf;
	}
	double mine = norm[truth] > 0 && qn > 0 ? dot[truth] / sqrt(norm[truth] * qn) : 0;
	int rank = 1;
	for (size_t g = 0; g < G; g++) {
		double c = norm[g] > 0 && qn > 0 ? dot[g] / sqrt(norm[g] * qn) : 0;
		if (g != truth && c >= mine)
			rank++;
	}
	free(dot);
	free(norm);
	return mine > 0 ? rank : 0;
}

/* BENCH_PARAMS="K:ALPHA:BETA,…" (K the kind's index in attr_impl.h) replaces
 * the defaults of the kinds it names, to explore weights without a rebuild. */
static void env_params(struct attr_model *m)
{
	const char *e = getenv("BENCH_PARAMS");
	struct attr_kind_param p[TK_KINDS];
	memcpy(p, attr_default_params, sizeof p);
	while (e && *e) {
		int k;
		double a, b;
		if (sscanf(e, "%d:%lf:%lf", &k, &a, &b) == 3 && k >= 0 && k < TK_KINDS)
			p[k] = (struct attr_kind_param){a, b};
		e = strchr(e, ',');
		e = e ? e + 1 : NULL;
	}
	attr_model_set_params(m, p);
}

/* Score the cases [from, to) against m. */
static void score_cases(struct attr_model *m, size_t from, size_t to)
{
	struct attr_options opt = {.top = AS_ATTR_MAX_TOP};
	for (size_t i = from; i < to; i++) {
		struct kase *k = &cases[i];
		const struct kb_group *truth = kb_group_find(m->kb, slice_cstr(k->group));
		struct attr_result r;
		k->rank_ours = k->rank_peer = 0;
		if (!truth || attribute_observations(m, k->o, &opt, &r))
			continue;
		for (size_t j = 0; j < r.n; j++)
			if (r.cand[j].group == truth) {
				k->rank_ours = (int)j + 1;
				break;
			}
		k->lead = r.lead;
		k->density = r.density;
		k->conf = r.n ? r.cand[0].confidence : 0;
		k->rank_peer = peer_rank(m, k->o, truth->id);
		if (getenv("BENCH_DEBUG"))
			fprintf(stderr,
				"%s / %s: %u techniques %u software -> rank %d (top %s) truth has "
				"%u/%u\n",
				k->group, k->source, k->o->list[ATTR_OBS_TECHNIQUE].n,
				k->o->list[ATTR_OBS_SOFTWARE].n, k->rank_ours,
				r.n ? r.cand[0].group->name : "-", truth->techniques.n,
				truth->software.n);
		attr_result_free(&r);
	}
}

static void summary(const char *label, size_t from, size_t to)
{
	size_t n = 0, o1 = 0, o3 = 0, p1 = 0, p3 = 0;
	for (size_t i = from; i < to; i++) {
		if (cases[i].sparse)
			continue;
		n++;
		o1 += cases[i].rank_ours == 1;
		o3 += cases[i].rank_ours >= 1 && cases[i].rank_ours <= 3;
		p1 += cases[i].rank_peer == 1;
		p3 += cases[i].rank_peer >= 1 && cases[i].rank_peer <= 3;
	}
	if (!n)
		return;
	printf("%-34s %5zu  top-1 %5.1f %%  top-3 %5.1f %%   | cosine peer top-1 %5.1f %% top-3 "
	       "%5.1f %%  (ratio top-1 %.2f)\n",
	       label, n, 100.0 * o1 / n, 100.0 * o3 / n, 100.0 * p1 / n, 100.0 * p3 / n,
	       p1 ? (double)o1 / p1 : 0);
}

/* A small grid over the smoothing and weights, on round 1 only (the
 * development set); the defaults in profile.c come from here. */
static void tune(struct attr_model *m, size_t from, size_t to)
{
	static const double ta[] = {16, 64, 256, 1024}, sa[] = {4, 16, 64}, sb[] = {1, 2, 4};
	static const double fb[] = {0, 0.25, 0.5};
	for (size_t i = 0; i < 4; i++)
		for (size_t j = 0; j < 3; j++)
			for (size_t k = 0; k < 3; k++)
				for (size_t l = 0; l < 3; l++) {
					struct attr_kind_param p[TK_KINDS];
					memcpy(p, attr_default_params, sizeof p);
					p[TK_TECH].alpha = p[TK_FAM].alpha = ta[i];
					p[TK_SW].alpha = sa[j];
					p[TK_SW].beta = sb[k];
					p[TK_FAM].beta = fb[l];
					attr_model_set_params(m, p);
					score_cases(m, from, to);
					size_t n = to - from, o1 = 0, o3 = 0;
					for (size_t c = from; c < to; c++) {
						o1 += cases[c].rank_ours == 1;
						o3 += cases[c].rank_ours >= 1 &&
						      cases[c].rank_ours <= 3;
					}
					printf("tune tech-alpha %5.2f sw-alpha %5.2f sw-beta %4.1f "
					       "fam-beta %3.1f: top-1 %5.1f %% top-3 %5.1f %%\n",
					       ta[i], sa[j], sb[k], fb[l], 100.0 * o1 / n,
					       100.0 * o3 / n);
				}
	attr_model_set_params(m, attr_default_params);
}

/* --- report hold-out ------------------------------------------------------- */

struct cite {
	const char *name;
	size_t n;
};

static int cmp_cite(const void *a, const void *b)
{
	const struct cite *x = a, *y = b;
	return x->n < y->n ? 1 : x->n > y->n ? -1 : strcmp(x->name, y->name);
}

/* Cases of round r (0-based) over bundle 0; returns the cases' range. With
 * keep_software the group keeps the report's software in the kb: how ATT&CK
 * itself records a campaign (its malware stays on the attributed group's
 * page while its techniques live on the campaign's). */
static void report_round(json_t **bundles, int round, bool keep_software, size_t *from, size_t *to)
{
	json_t *objs = json_object_get(bundles[0], "objects"), *o;
	size_t nobj = json_array_size(objs), i;
	char *drop = calloc(nobj, 1);
	*from = ncases;
	json_array_foreach(objs, i, o)
	{
		const char *type = jstr(o, "type");
		if (!type || strcmp(type, "intrusion-set") || dead(o) || !jstr(o, "name"))
			continue;
		const char *gid = jstr(o, "id");
		/* the group's uses and their citations */
		struct cite c[512];
		size_t nc = 0, total = 0, j;
		json_t *r;
		json_array_foreach(objs, j, r)
		{
			if (!is_uses_of(r, "intrusion-set") || strcmp(jstr(r, "source_ref"), gid))
				continue;
			total++;
			size_t e;
			json_t *ref;
			json_array_foreach(json_object_get(r, "external_references"), e, ref)
			{
				const char *s = jstr(ref, "source_name");
				size_t k = 0;
				if (!s)
					continue;
				while (k < nc && strcmp(c[k].name, s))
					k++;
				if (k == nc && nc < 512)
					c[nc++] = (struct cite){s, 0};
				if (k < nc)
					c[k].n++;
			}
		}
		qsort(c, nc, sizeof *c, cmp_cite);
		if ((size_t)round >= nc || c[round].n < 4 || total - c[round].n < 4)
			continue;
		struct kase *k = case_new(jstr(o, "name"), c[round].name);
		json_array_foreach(objs, j, r)
		{
			if (!is_uses_of(r, "intrusion-set") || strcmp(jstr(r, "source_ref"), gid) ||
			    !cites(r, c[round].name))
				continue;
			/* what other reports also say stays known */
			drop[j] = only_cites(r, c[round].name) &&
				  !(keep_software &&
				    strncmp(jstr(r, "target_ref"), "attack-pattern--", 16));
			add_target(k->o, jstr(r, "target_ref"));
		}
	}
	/* A hunt's incident often holds a handful of techniques and one tool, far
	 * less than a report: cut-down copies of the cases (the first k
	 * techniques, the first software) teach the calibration what little
	 * evidence is worth. They are scored, but only calibration sees them. */
	size_t whole = ncases;
	for (size_t c = *from; c < whole; c++) {
		static const unsigned keep[] = {1, 2, 3, 5};
		for (size_t v = 0; v < sizeof keep / sizeof *keep; v++) {
			const struct attr_strs *t = &cases[c].o->list[ATTR_OBS_TECHNIQUE];
			const struct attr_strs *sw = &cases[c].o->list[ATTR_OBS_SOFTWARE];
			if (t->n <= keep[v])
				continue;
			char g[sizeof cases->group], src[sizeof cases->source];
			memcpy(g, cases[c].group, sizeof g);
			memcpy(src, cases[c].source, sizeof src);
			struct kase *k = case_new(g, src); /* may move cases */
			k->sparse = true;
			for (unsigned j = 0; j < keep[v]; j++)
				observations_add(k->o, ATTR_OBS_TECHNIQUE, slice_cstr(t->v[j]));
			if (sw->n && v % 2)
				observations_add(k->o, ATTR_OBS_SOFTWARE, slice_cstr(sw->v[0]));
		}
	}
	*to = ncases;
	char *dv[1] = {drop};
	struct kb *kb;
	struct attr_model *m;
	if (build_kb(bundles, 1, dv, &kb) || attr_model_build(&m, kb)) {
		fprintf(stderr, "bench_attribute: cannot build the kb\n");
		exit(1);
	}
	env_params(m);
	if (round == 0 && keep_software == !!getenv("BENCH_TUNE_KEEP") && getenv("BENCH_TUNE"))
		tune(m, *from, *to);
	score_cases(m, *from, *to);
	attr_model_free(m);
	kb_free(kb);
	free(drop);
}

/* --- campaigns ------------------------------------------------------------- */

static void campaigns(json_t **bundles, size_t nb, size_t *from, size_t *to)
{
	char *drop[3] = {0};
	*from = ncases;
	for (size_t b = 0; b < nb; b++)
		drop[b] = calloc(json_array_size(json_object_get(bundles[b], "objects")) + 1, 1);
	for (size_t b = 0; b < nb; b++) {
		json_t *objs = json_object_get(bundles[b], "objects"), *r;
		size_t i;
		json_array_foreach(objs, i, r)
		{
			const char *rt = jstr(r, "relationship_type");
			if (!rt || strcmp(rt, "attributed-to") ||
			    strncmp(jstr(r, "source_ref"), "campaign--", 10))
				continue;
			json_t *camp = json_object_get(byid, jstr(r, "source_ref"));
			json_t *grp = json_object_get(byid, jstr(r, "target_ref"));
			if (!camp || !grp || dead(camp) || !jstr(grp, "name"))
				continue;
			drop[b][i] = 1;
			struct kase *k = case_new(jstr(grp, "name"), jstr(camp, "name"));
			/* the campaign's sources: its own references */
			json_t *srcs = json_object_get(camp, "external_references");
			for (size_t bb = 0; bb < nb; bb++) {
				json_t *os = json_object_get(bundles[bb], "objects"), *u;
				size_t j;
				json_array_foreach(os, j, u)
				{
					const char *src = jstr(u, "source_ref");
					if (!is_uses_of(u, "campaign--") &&
					    !is_uses_of(u, "intrusion-set"))
						continue;
					if (!strcmp(src, jstr(camp, "id"))) {
						drop[bb][j] = 1;
						add_target(k->o, jstr(u, "target_ref"));
						continue;
					}
					if (strcmp(src, jstr(grp, "id")))
						continue;
					size_t e;
					json_t *ref;
					json_array_foreach(srcs, e, ref)
					{
						const char *s = jstr(ref, "source_name");
						if (s && strncmp(s, "mitre", 5) && cites(u, s))
							drop[bb][j] = 1;
					}
				}
			}
		}
	}
	*to = ncases;
	struct kb *kb;
	struct attr_model *m;
	if (build_kb(bundles, nb, drop, &kb) || attr_model_build(&m, kb)) {
		fprintf(stderr, "bench_attribute: cannot build the kb\n");
		exit(1);
	}
	env_params(m);
	score_cases(m, *from, *to);
	for (size_t i = *from; i < *to; i++)
		printf("  campaign %-40s -> %-20s rank %d (peer %d) confidence %.2f\n",
		       cases[i].source, cases[i].group, cases[i].rank_ours, cases[i].rank_peer,
		       cases[i].conf);
	attr_model_free(m);
	kb_free(kb);
	for (size_t b = 0; b < nb; b++)
		free(drop[b]);
}

/* --- calibration ------------------------------------------------------------ */

static void calibrate(size_t from, size_t to)
{
	size_t n = 0;
	double(*x)[2] = calloc(to - from + 1, sizeof *x);
	int *y = calloc(to - from + 1, sizeof *y);
	for (size_t i = from; i < to; i++)
		if (cases[i].fit) {
			x[n][0] = cases[i].lead;
			x[n][1] = cases[i].density;
			y[n++] = cases[i].rank_ours == 1;
		}
	struct attr_calib c;
	if (attr_calib_fit((const double(*)[2])x, y, n, &c)) {
		printf("calibration: fit failed\n");
		return;
	}
	printf("\nPlatt fit on %zu cases: a=%.4f b=%.4f c=%.4f\n", n, c.a, c.b, c.c);
	printf("reliability on the other half (test):\n  confidence   cases  mean-conf  "
	       "accuracy\n");
	size_t bn[5] = {0}, bok[5] = {0};
	double bs[5] = {0}, brier = 0;
	size_t nt = 0, att = 0, att_ok = 0;
	for (size_t i = from; i < to; i++) {
		if (cases[i].fit)
			continue;
		double p = attr_calib_apply(&c, cases[i].lead, cases[i].density);
		int ok = cases[i].rank_ours == 1;
		int b = p >= 1.0 ? 4 : (int)(p * 5);
		bn[b]++;
		bok[b] += ok;
		bs[b] += p;
		brier += (p - ok) * (p - ok);
		nt++;
		if (p >= ATTR_ATTRIBUTED) {
			att++;
			att_ok += ok;
		}
	}
	for (int b = 0; b < 5; b++)
		if (bn[b])
			printf("  %.1f–%.1f   %6zu     %5.2f     %5.2f\n", b / 5.0, (b + 1) / 5.0,
			       bn[b], bs[b] / bn[b], (double)bok[b] / bn[b]);
	printf("  Brier score %.3f over %zu test cases; 'attributed' (≥ %.2f): %zu cases, %.1f "
	       "%% right\n",
	       nt ? brier / nt : 0, nt, ATTR_ATTRIBUTED, att, att ? 100.0 * att_ok / att : 0);
	free(x);
	free(y);
}

/* --- speed ------------------------------------------------------------------ */

static void speed(json_t **bundles, size_t from, size_t to)
{
	struct kb *kb;
	struct attr_model *m;
	double t0 = now();
	if (build_kb(bundles, 1, NULL, &kb))
		return;
	double t1 = now();
	attr_model_build(&m, kb);
	double t2 = now();
	size_t n = 0;
	struct attr_options opt = {.top = 5};
	while (n < 10000 && from < to)
		for (size_t i = from; i < to && n < 10000; i++, n++) {
			struct attr_result r;
			if (!attribute_observations(m, cases[i].o, &opt, &r))
				attr_result_free(&r);
		}
	double t3 = now();
	printf("\nspeed: kb import %.2f s, model build %.3f s (%zu groups, %zu tokens); 10,000 "
	       "attributions %.3f s (%.0f per second)\n",
	       t1 - t0, t2 - t1, m->ngroups, m->ntok, t3 - t2, 10000 / (t3 - t2));
	attr_model_free(m);
	kb_free(kb);
}

int main(int argc, char **argv)
{
	const char *shared = argc > 1 ? argv[1] : getenv("APTSCOPE_SHARED");
	char path[3][1024];
	json_t *bundles[3];
	const char *names[3] = {"enterprise-attack.json", "mobile-attack.json", "ics-attack.json"};
	if (!shared)
		shared = "../shared";
	byid = json_object();
	for (int i = 0; i < 3; i++) {
		json_error_t err;
		snprintf(path[i], sizeof path[i], "%s/corpora/attack/%s", shared, names[i]);
		if (!(bundles[i] = json_load_file(path[i], 0, &err))) {
			fprintf(stderr, "bench_attribute: %s: %s\n", path[i], err.text);
			return 1;
		}
		index_bundle(bundles[i]);
	}
	size_t f[3], t[3], cf, ct;
	printf("leave-one-report-out over %s (cases: techniques + software of one cited "
	       "report)\n",
	       names[0]);
	for (int r = 0; r < 3; r++) {
		char label[64];
		if (getenv("BENCH_KEPT_ONLY")) {
			f[r] = t[r] = ncases;
			continue;
		}
		report_round(bundles, r, false, &f[r], &t[r]);
		snprintf(label, sizeof label, "  round %d (each group's #%d report)", r + 1, r + 1);
		summary(label, f[r], t[r]);
	}
	summary("  all rounds", f[0], t[2]);
	size_t kf[3], kt[3];
	printf("\nthe same reports, their software kept on the group (as ATT&CK keeps a "
	       "campaign's software)\n");
	for (int r = 0; r < 3; r++) {
		char label[64];
		report_round(bundles, r, true, &kf[r], &kt[r]);
		snprintf(label, sizeof label, "  round %d (each group's #%d report)", r + 1, r + 1);
		summary(label, kf[r], kt[r]);
	}
	summary("  all rounds", kf[0], kt[2]);
	printf("\ncampaigns with a known group (mobile + ICS bundles, enterprise as "
	       "background)\n");
	campaigns(bundles, 3, &cf, &ct);
	summary("  campaigns", cf, ct);
	calibrate(f[0], kt[2]);
	speed(bundles, kf[0], kt[2]);
	for (size_t i = 0; i < ncases; i++)
		observations_free(cases[i].o);
	free(cases);
	for (int i = 0; i < 3; i++)
		json_decref(bundles[i]);
	json_decref(byid);
	return 0;
}
