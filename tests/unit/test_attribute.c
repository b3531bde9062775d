/*
 * test_attribute.c — observations (lists, the JSON contract, MISP, STIX),
 * scoring and evidence weights, options, the JSON result, calibration and
 * clustering, over the small knowledge base in tests/data/attribute/; and,
 * when the shared corpora are present, over the real ATT&CK bundle.
 */
#include <jansson.h>
#include <math.h>
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <cmocka.h>
#include <fuzzy.h>

#include "attribute/attribute.h"
#include "core/error.h"
#include "core/timeparse.h"
#include "intel/intel.h"

static const char *fixture(const char *name)
{
	static char path[4][1200];
	static int k;
	const char *dir = getenv("APTSCOPE_TEST_DATA");
	k = (k + 1) % 4;
	snprintf(path[k], sizeof path[k], "%s/attribute/%s", dir ? dir : "tests/data", name);
	return path[k];
}

static char *slurp(const char *path, size_t *len)
{
	FILE *f = fopen(path, "rb");
	assert_non_null(f);
	fseek(f, 0, SEEK_END);
	long n = ftell(f);
	fseek(f, 0, SEEK_SET);
	char *b = malloc((size_t)n + 1);
	assert_non_null(b);
	assert_int_equal(fread(b, 1, (size_t)n, f), (size_t)n);
	b[n] = 0;
	fclose(f);
	*len = (size_t)n;
	return b;
}

static int parse_file(struct observations *o, const char *name)
{
	size_t len;
	char *d = slurp(fixture(name), &len);
	struct diag_sink ds;
	diag_sink_init(&ds, NULL);
	int rc = observations_parse(o, name, d, len, &ds);
	diag_sink_fini(&ds);
	free(d);
	return rc;
}

struct env {
	struct kb *kb;
	struct attr_model *m;
};

static int setup(void **state)
{
	struct env *e = calloc(1, sizeof *e);
	const char *p = fixture("kb_small.json");
	if (!e || kb_load_files(&e->kb, &p, 1, NULL) || attr_model_build(&e->m, e->kb))
		return -1;
	*state = e;
	return 0;
}

static int teardown(void **state)
{
	struct env *e = *state;
	attr_model_free(e->m);
	kb_free(e->kb);
	free(e);
	return 0;
}

static void test_lists(void **state)
{
	struct observations *o;
	assert_int_equal(observations_new(&o), 0);
	assert_int_equal(observations_add(o, ATTR_OBS_TECHNIQUE, slice_cstr("T1059.001")), 0);
	assert_int_equal(observations_add(o, ATTR_OBS_TECHNIQUE, slice_cstr("t1059.001")), 0);
	assert_int_equal(observations_add(o, ATTR_OBS_TECHNIQUE, slice_cstr("  ")), 0);
	assert_int_equal(o->list[ATTR_OBS_TECHNIQUE].n, 1);
	assert_int_equal(observations_add(o, ATTR_OBS_KINDS, slice_cstr("x")), AS_EINVAL);
	char big[AS_MAX_ATTR_VALUE + 2];
	memset(big, 'a', sizeof big - 1);
	big[sizeof big - 1] = 0;
	assert_int_equal(observations_add(o, ATTR_OBS_SOFTWARE, slice_cstr(big)), AS_ETOOBIG);
	struct slice g[] = {SLICE_LIT("APT32"), SLICE_LIT("APT32")};
	assert_int_equal(
	    observations_add_indicator(o, SLICE_LIT("ipv4-addr"), SLICE_LIT("192.0.2.1"), g, 2), 0);
	assert_int_equal(o->nind, 1);
	assert_int_equal(o->ind[0].groups.n, 1);
	int64_t t;
	assert_int_equal(time_parse_rfc3339(SLICE_LIT("2024-03-04T02:10:00Z"), &t), 0);
	observations_add_time(o, t);
	observations_add_time(o, AS_TIME_NONE);
	assert_int_equal(o->hours[2], 1);
	observations_free(o);
	observations_free(NULL);
}

static void test_parse_contract(void **state)
{
	struct observations *o;
	assert_int_equal(observations_new(&o), 0);
	assert_int_equal(parse_file(o, "pass_contract.json"), 0);
	assert_int_equal(o->list[ATTR_OBS_TECHNIQUE].n, 2);
	assert_int_equal(o->list[ATTR_OBS_SOFTWARE].n, 2);
	assert_int_equal(o->nind, 2);
	assert_string_equal(o->ind[1].groups.v[0], "OceanLotus");
	assert_int_equal(o->list[ATTR_OBS_SECTOR].n, 1);
	assert_int_equal(o->list[ATTR_OBS_VICTIM_COUNTRY].n, 1);
	assert_int_equal(o->list[ATTR_OBS_SOURCE_COUNTRY].n, 1);
	assert_int_equal(o->hours[2], 2);
	observations_free(o);
}

static void test_parse_misp_stix(void **state)
{
	struct observations *o;
	assert_int_equal(observations_new(&o), 0);
	assert_int_equal(parse_file(o, "pass_misp_event.json"), 0);
	assert_int_equal(o->list[ATTR_OBS_TECHNIQUE].n, 1);
	assert_string_equal(o->list[ATTR_OBS_TECHNIQUE].v[0], "T1574.002");
	assert_string_equal(o->list[ATTR_OBS_SOFTWARE].v[0], "PlugX");
	assert_int_equal(o->nind, 3); /* ip, sha256, domain in an object */
	assert_string_equal(o->list[ATTR_OBS_INFRA].v[0], "AS:AS64500");
	assert_true(o->skipped >= 1); /* the attribute without a type */
	observations_free(o);

	assert_int_equal(observations_new(&o), 0);
	assert_int_equal(parse_file(o, "pass_stix_bundle.json"), 0);
	assert_string_equal(o->list[ATTR_OBS_TECHNIQUE].v[0], "T1059.001");
	assert_string_equal(o->list[ATTR_OBS_SOFTWARE].v[0], "Cobalt Strike");
	assert_int_equal(o->nind, 2);
	assert_string_equal(o->ind[1].value, "c2.example.com");
	assert_int_equal(o->list[ATTR_OBS_SECTOR].n, 1);
	assert_string_equal(o->list[ATTR_OBS_VICTIM_COUNTRY].v[0], "RU");
	assert_int_equal(o->skipped, 1);
	observations_free(o);
}

/* ssdeep hashes become fuzzy-hash observations from every document shape */
static void test_parse_ssdeep(void **state)
{
	static const char *const docs[] = {
	    "{\"ssdeep\":[\"48:abcdefghijk:abcdefg\"]}",
	    "{\"Event\":{\"Attribute\":[{\"type\":\"ssdeep\","
	    "\"value\":\"48:abcdefghijk:abcdefg\"}]}}",
	    "{\"type\":\"bundle\",\"objects\":[{\"type\":\"indicator\",\"id\":\"indicator--1\","
	    "\"pattern\":\"[file:hashes.'SSDEEP' = '48:abcdefghijk:abcdefg']\"}]}",
	};
	for (size_t i = 0; i < sizeof docs / sizeof *docs; i++) {
		struct observations *o;
		assert_int_equal(observations_new(&o), 0);
		assert_int_equal(observations_parse(o, "doc", docs[i], strlen(docs[i]), NULL), 0);
		assert_int_equal(o->list[ATTR_OBS_FUZZY].n, 1);
		assert_string_equal(o->list[ATTR_OBS_FUZZY].v[0], "48:abcdefghijk:abcdefg");
		observations_free(o);
	}
	/* a SHA-256 in a STIX pattern is not a fuzzy hash */
	const char *sha =
	    "{\"type\":\"bundle\",\"objects\":[{\"type\":\"indicator\","
	    "\"id\":\"indicator--2\",\"pattern\":\"[file:hashes.'SHA-256' = 'ab']\"}]}";
	struct observations *o;
	assert_int_equal(observations_new(&o), 0);
	assert_int_equal(observations_parse(o, "doc", sha, strlen(sha), NULL), 0);
	assert_int_equal(o->list[ATTR_OBS_FUZZY].n, 0);
	assert_int_equal(o->nind, 1);
	observations_free(o);
}

static void test_parse_bad(void **state)
{
	struct observations *o;
	assert_int_equal(observations_new(&o), 0);
	assert_int_equal(parse_file(o, "fail_truncated.json"), AS_EPARSE);
	assert_int_equal(parse_file(o, "fail_not_object.json"), AS_EFORMAT);
	assert_int_equal(observations_parse(o, "empty", "", 0, NULL), AS_EPARSE);
	observations_free(o);
}

static const struct attr_evidence *evidence(const struct attr_candidate *c, const char *value)
{
	for (size_t i = 0; i < c->nev; i++)
		if (!strcmp(c->ev[i].value, value))
			return &c->ev[i];
	return NULL;
}

static void test_rank_and_weights(void **state)
{
	struct env *e = *state;
	struct observations *o;
	struct attr_result r;
	assert_int_equal(observations_new(&o), 0);
	observations_add(o, ATTR_OBS_SOFTWARE, SLICE_LIT("Denis"));
	observations_add(o, ATTR_OBS_SOFTWARE, SLICE_LIT("Cobalt Strike"));
	observations_add(o, ATTR_OBS_TECHNIQUE, SLICE_LIT("T1574.002"));
	assert_int_equal(attribute_observations(e->m, o, NULL, &r), 0);
	assert_true(r.n >= 2);
	assert_string_equal(r.cand[0].group->name, "APT32");
	/* an implant one group uses outweighs a tool two groups share */
	const struct attr_evidence *den = evidence(&r.cand[0], "Denis");
	const struct attr_evidence *cs = evidence(&r.cand[0], "Cobalt Strike");
	assert_non_null(den);
	assert_non_null(cs);
	assert_true(den->weight > cs->weight);
	for (size_t i = 0; i < r.n; i++)
		assert_true(r.cand[i].confidence >= 0 && r.cand[i].confidence <= 1);
	assert_true(r.cand[0].confidence >= r.cand[1].confidence);
	assert_true(r.cand[0].score > r.cand[1].score);
	attr_result_free(&r);
	observations_free(o);

	/* an alias of a software resolves */
	assert_int_equal(observations_new(&o), 0);
	observations_add(o, ATTR_OBS_SOFTWARE, SLICE_LIT("Korplug"));
	assert_int_equal(attribute_observations(e->m, o, NULL, &r), 0);
	assert_int_equal(r.n, 1);
	assert_string_equal(r.cand[0].group->name, "Mustang Panda");
	attr_result_free(&r);
	observations_free(o);

	/* nothing known: no candidate, unattributed */
	assert_int_equal(observations_new(&o), 0);
	observations_add(o, ATTR_OBS_SOFTWARE, SLICE_LIT("NeverSeenBefore"));
	assert_int_equal(attribute_observations(e->m, o, NULL, &r), 0);
	assert_int_equal(r.n, 0);
	assert_int_equal(r.verdict, ATTR_UNATTRIBUTED);
	attr_result_free(&r);
	attr_result_free(NULL);
	observations_free(o);
}

static void test_options_and_feed(void **state)
{
	struct env *e = *state;
	struct observations *o;
	struct attr_result r;
	assert_int_equal(observations_new(&o), 0);
	struct slice g = SLICE_LIT("OceanLotus");
	observations_add_indicator(o, SLICE_LIT("domain-name"), SLICE_LIT("a.example"), &g, 1);
	observations_add(o, ATTR_OBS_TECHNIQUE, SLICE_LIT("T1566.001"));
	assert_int_equal(attribute_observations(e->m, o, NULL, &r), 0);
	assert_string_equal(r.cand[0].group->name, "APT32");
	assert_non_null(evidence(&r.cand[0], "a.example"));
	attr_result_free(&r);

	const char *ex[] = {"APT-C-00"};
	struct attr_options opt = {.exclude = ex, .nexclude = 1, .top = 1};
	assert_int_equal(attribute_observations(e->m, o, &opt, &r), 0);
	assert_int_equal(r.n, 1);
	assert_string_not_equal(r.cand[0].group->name, "APT32");
	attr_result_free(&r);
	observations_free(o);
}

static void test_json(void **state)
{
	struct env *e = *state;
	struct observations *o;
	struct attr_result r;
	struct buf b = BUF_INIT;
	assert_int_equal(observations_new(&o), 0);
	assert_int_equal(parse_file(o, "pass_contract.json"), 0);
	assert_int_equal(attribute_observations(e->m, o, NULL, &r), 0);
	assert_int_equal(attr_result_to_json(&r, &b), 0);
	json_error_t err;
	json_t *j = json_loadb(b.data, b.len, 0, &err);
	assert_non_null(j);
	const char *v = json_string_value(json_object_get(j, "verdict"));
	assert_non_null(v);
	assert_true(!strcmp(v, "attributed") || !strcmp(v, "suspected") ||
		    !strcmp(v, "unattributed"));
	json_t *c0 = json_array_get(json_object_get(j, "candidates"), 0);
	static const char *const keys[] = {"group",  "id",         "aliases", "country",
					   "region", "confidence", "evidence"};
	for (size_t i = 0; i < sizeof keys / sizeof *keys; i++)
		assert_non_null(json_object_get(c0, keys[i]));
	assert_string_equal(json_string_value(json_object_get(c0, "group")), "APT32");
	json_t *ev0 = json_array_get(json_object_get(c0, "evidence"), 0);
	assert_non_null(json_object_get(ev0, "kind"));
	assert_non_null(json_object_get(ev0, "weight"));
	json_decref(j);
	buf_free(&b);
	attr_result_free(&r);
	observations_free(o);
}

static void test_calibration(void **state)
{
	/* right more often as the lead grows */
	double x[200][2];
	int y[200];
	for (int i = 0; i < 200; i++) {
		x[i][0] = (i % 20) * 0.5;
		x[i][1] = 1.0;
		y[i] = (i % 20) > 6 || (i % 7 == 0);
	}
	struct attr_calib c;
	assert_int_equal(attr_calib_fit((const double(*)[2])x, y, 200, &c), 0);
	assert_true(c.a > 0);
	assert_int_equal(attr_calib_fit((const double(*)[2])x, y, 0, &c), AS_EINVAL);
}

static int64_t at(const char *t)
{
	int64_t us;
	assert_int_equal(time_parse_rfc3339(slice_cstr(t), &us), 0);
	return us;
}

static void test_cluster(void **state)
{
	struct env *e = *state;
	struct attr_clusterer *c;
	struct observations *a, *b, *d;
	int64_t t1 = at("2024-02-01T00:00:00Z"), t2 = at("2024-05-01T00:00:00Z");
	assert_int_equal(observations_new(&a), 0);
	assert_int_equal(observations_new(&b), 0);
	assert_int_equal(observations_new(&d), 0);
	observations_add_indicator(a, SLICE_LIT("domain-name"), SLICE_LIT("x.example"), NULL, 0);
	observations_add(a, ATTR_OBS_SOFTWARE, SLICE_LIT("NewLoader"));
	observations_add_indicator(b, SLICE_LIT("domain-name"), SLICE_LIT("X.example"), NULL, 0);
	observations_add(d, ATTR_OBS_SOFTWARE, SLICE_LIT("Cobalt Strike"));
	assert_int_equal(attr_clusterer_new(&c), 0);
	assert_int_equal(attr_cluster_add(c, "inc-11", "org-a", t2, t2, a), 0);
	assert_int_equal(attr_cluster_add(c, "inc-12", "org-b", t1, t1, b), 0);
	assert_int_equal(attr_cluster_add(c, "inc-13", "org-a", t1, t1, d), 0);
	assert_int_equal(attr_cluster_add(c, "inc-13", "org-a", t1, t1, a), 0); /* ignored */
	assert_int_equal(attr_cluster_add(c, "", "org-a", t1, t1, a), AS_EINVAL);
	const struct attr_cluster *cl;
	size_t n;
	for (int round = 0; round < 2; round++) {
		assert_int_equal(attr_cluster_run(c, e->kb, &cl, &n), 0);
		assert_int_equal(n, 1);
		assert_string_equal(cl[0].name, "UNK-2024-001");
		assert_int_equal(cl[0].nincidents, 2);
		assert_int_equal(cl[0].norgs, 2);
		assert_int_equal(cl[0].first_seen, t1);
		assert_int_equal(cl[0].last_seen, t2);
		assert_false(cl[0].known);
		assert_true(cl[0].grown);
		assert_ptr_equal(attr_cluster_of(c, "inc-12"), &cl[0]);
		assert_null(attr_cluster_of(c, "inc-13"));
	}
	struct buf out = BUF_INIT;
	assert_int_equal(attr_cluster_to_json(&cl[0], &out), 0);
	json_t *j = json_loadb(out.data, out.len, 0, NULL);
	assert_non_null(j);
	assert_string_equal(json_string_value(json_object_get(j, "name")), "UNK-2024-001");
	assert_int_equal(json_array_size(json_object_get(j, "organisation_names")), 2);
	json_decref(j);
	buf_free(&out);
	attr_clusterer_free(c);
	attr_clusterer_free(NULL);
	observations_free(a);
	observations_free(b);
	observations_free(d);
}

/* A reproducible pseudo-random buffer (a file's content): splitmix64, whose
 * streams from different seeds do not overlap as an LCG's shifted ones do. */
static void fill(unsigned char *p, size_t n, uint64_t seed)
{
	uint64_t x = (seed ^ 0x2545f4914f6cdd1dull) * 0xbf58476d1ce4e5b9ull;
	x ^= x >> 29; /* a start far from every other seed's */
	x *= 0x94d049bb133111ebull;
	for (size_t i = 0; i < n; i++) {
		uint64_t z = (x += 0x9e3779b97f4a7c15ull);
		z = (z ^ (z >> 30)) * 0xbf58476d1ce4e5b9ull;
		z = (z ^ (z >> 27)) * 0x94d049bb133111ebull;
		p[i] = (unsigned char)(z ^ (z >> 31));
	}
}

static void fuzzy_of(const unsigned char *p, size_t n, char out[FUZZY_MAX_RESULT])
{
	assert_int_equal(fuzzy_hash_buf(p, (uint32_t)n, out), 0);
}

/* ssdeep: a variant of a file (a few bytes patched) joins its original; an
 * unrelated file does not; two hundred unrelated files cost a handful of
 * comparisons, not the 20,000 pairs of all-against-all. */
static void test_cluster_ssdeep(void **state)
{
	(void)state;
	enum { SZ = 48 << 10, FILLER = 200 };
	unsigned char *buf = malloc(SZ);
	assert_non_null(buf);
	char h[3][FUZZY_MAX_RESULT];
	fill(buf, SZ, 1);
	fuzzy_of(buf, SZ, h[0]);
	for (size_t i = 0; i < SZ; i += 8192)
		buf[i] ^= 0x5a; /* the same implant rebuilt with other settings */
	fuzzy_of(buf, SZ, h[1]);
	assert_true(fuzzy_compare(h[0], h[1]) >= ATTR_SSDEEP_MATCH);
	fill(buf, SZ, 2);
	fuzzy_of(buf, SZ, h[2]);
	assert_true(fuzzy_compare(h[0], h[2]) < ATTR_SSDEEP_MATCH);
	struct attr_clusterer *c;
	assert_int_equal(attr_clusterer_new(&c), 0);
	int64_t t = at("2025-03-01T00:00:00Z");
	for (int i = 0; i < 3; i++) {
		struct observations *o;
		char id[16];
		assert_int_equal(observations_new(&o), 0);
		observations_add(o, ATTR_OBS_FUZZY, slice_cstr(h[i]));
		snprintf(id, sizeof id, "inc-%d", i);
		assert_int_equal(attr_cluster_add(c, id, i ? "org-b" : "org-a", t, t, o), 0);
		observations_free(o);
	}
	for (uint32_t i = 0; i < FILLER; i++) {
		struct observations *o;
		char id[16], fh[FUZZY_MAX_RESULT];
		fill(buf, 4096, 100 + i);
		fuzzy_of(buf, 4096, fh);
		assert_int_equal(observations_new(&o), 0);
		observations_add(o, ATTR_OBS_FUZZY, slice_cstr(fh));
		snprintf(id, sizeof id, "f-%u", i);
		assert_int_equal(attr_cluster_add(c, id, "org-c", t, t, o), 0);
		observations_free(o);
	}
	const struct attr_cluster *cl;
	size_t n;
	assert_int_equal(attr_cluster_run(c, NULL, &cl, &n), 0);
	assert_int_equal(n, 1);
	assert_int_equal(cl[0].nincidents, 2);
	assert_ptr_equal(attr_cluster_of(c, "inc-1"), &cl[0]);
	assert_null(attr_cluster_of(c, "inc-2"));
	struct attr_cluster_stats st;
	attr_clusterer_stats(c, &st);
	assert_true(st.compared >= 1);
	assert_true(st.compared < 200);
	attr_clusterer_free(c);
	free(buf);
}

/* Decoys: eight organisations, all with Mimikatz, Cobalt Strike and the
 * techniques every group of the kb uses; two of them share a C2 domain and
 * two others five rare techniques. Only those pairs are clusters. */
static void test_cluster_decoys(void **state)
{
	(void)state;
	struct kb *kb;
	const char *p = fixture("kb_decoys.json");
	assert_int_equal(kb_load_files(&kb, &p, 1, NULL), 0);
	assert_true(attr_software_common(kb, "mimikatz"));
	assert_false(attr_software_common(kb, "RareLoader"));
	assert_false(attr_software_common(kb, "never heard of"));
	static const char *const common[] = {"T1059.001", "T1105",     "T1027",
					     "T1566.001", "T1204.002", "T1003.001"};
	static const char *const rare[] = {"T1588.002", "T1132.001", "T1573.002", "T1090.003",
					   "T1021.004"};
	struct attr_clusterer *c;
	assert_int_equal(attr_clusterer_new(&c), 0);
	for (int i = 0; i < 8; i++) {
		struct observations *o;
		char id[16], org[16], dom[32];
		assert_int_equal(observations_new(&o), 0);
		observations_add(o, ATTR_OBS_SOFTWARE, SLICE_LIT("Mimikatz"));
		observations_add(o, ATTR_OBS_SOFTWARE, SLICE_LIT("cobalt strike"));
		for (size_t k = 0; k < 6; k++)
			observations_add(o, ATTR_OBS_TECHNIQUE, slice_cstr(common[k]));
		if (i >= 6)
			for (size_t k = 0; k < 5; k++)
				observations_add(o, ATTR_OBS_TECHNIQUE, slice_cstr(rare[k]));
		snprintf(dom, sizeof dom, "c2-%d.example", i < 2 ? 0 : i);
		observations_add_indicator(o, SLICE_LIT("domain-name"), slice_cstr(dom), NULL, 0);
		snprintf(id, sizeof id, "inc-%d", i);
		snprintf(org, sizeof org, "org-%d", i);
		int64_t t = at(i < 6 ? "2025-01-10T00:00:00Z" : "2025-02-10T00:00:00Z");
		assert_int_equal(attr_cluster_add(c, id, org, t, t, o), 0);
		observations_free(o);
	}
	const struct attr_cluster *cl;
	size_t n;
	assert_int_equal(attr_cluster_run(c, kb, &cl, &n), 0);
	assert_int_equal(n, 2);
	assert_int_equal(cl[0].nincidents, 2);
	assert_int_equal(cl[1].nincidents, 2);
	assert_string_equal(cl[0].name, "UNK-2025-001");
	assert_ptr_equal(attr_cluster_of(c, "inc-0"), attr_cluster_of(c, "inc-1"));
	assert_ptr_equal(attr_cluster_of(c, "inc-6"), attr_cluster_of(c, "inc-7"));
	assert_string_equal(attr_cluster_of(c, "inc-6")->name, "UNK-2025-002");
	for (int i = 2; i < 6; i++) {
		char id[16];
		snprintf(id, sizeof id, "inc-%d", i);
		assert_null(attr_cluster_of(c, id));
	}
	/* without the kb nothing says Mimikatz is common: one big cluster */
	assert_int_equal(attr_cluster_run(c, NULL, &cl, &n), 0);
	assert_int_equal(n, 1);
	assert_int_equal(cl[0].nincidents, 8);
	attr_clusterer_free(c);
	kb_free(kb);
}

static char *cluster_json(const struct attr_cluster *cl)
{
	struct buf b = BUF_INIT;
	assert_int_equal(attr_cluster_to_json(cl, &b), 0);
	char *s = strdup(b.data);
	buf_free(&b);
	return s;
}

static void add_domain(struct attr_clusterer *c, const char *id, const char *org, const char *t,
		       const char *domain)
{
	struct observations *o;
	assert_int_equal(observations_new(&o), 0);
	observations_add_indicator(o, SLICE_LIT("domain-name"), slice_cstr(domain), NULL, 0);
	assert_int_equal(attr_cluster_add(c, id, org, at(t), at(t), o), 0);
	observations_free(o);
}

/* Names stay: a later run given the stored clusters keeps UNK-2024-001 for
 * its incidents and the ones that join it, numbers a new cluster after it
 * even when that one began earlier, and never merges two known clusters. */
static void test_cluster_known(void **state)
{
	(void)state;
	struct attr_clusterer *c;
	const struct attr_cluster *cl;
	size_t n;
	assert_int_equal(attr_clusterer_new(&c), 0);
	add_domain(c, "inc-a", "org-a", "2024-06-01T00:00:00Z", "one.example");
	add_domain(c, "inc-b", "org-b", "2024-06-05T00:00:00Z", "one.example");
	add_domain(c, "inc-c", "org-c", "2024-08-01T00:00:00Z", "two.example");
	add_domain(c, "inc-d", "org-c", "2024-08-02T00:00:00Z", "two.example");
	assert_int_equal(attr_cluster_run(c, NULL, &cl, &n), 0);
	assert_int_equal(n, 2);
	assert_string_equal(cl[0].name, "UNK-2024-001");
	assert_string_equal(cl[1].name, "UNK-2024-002");
	char *k1 = cluster_json(&cl[0]), *k2 = cluster_json(&cl[1]);
	attr_clusterer_free(c);

	/* the later hunt: inc-a comes back with other evidence, inc-e joins by
	 * the domain, inc-f and inc-g began before and make a new cluster,
	 * inc-h holds both known domains */
	assert_int_equal(attr_clusterer_new(&c), 0);
	assert_int_equal(attr_cluster_add_known(c, k1, strlen(k1)), 0);
	assert_int_equal(attr_cluster_add_known(c, k2, strlen(k2)), 0);
	assert_int_equal(attr_cluster_add_known(c, k2, strlen(k2)), 0); /* twice: once */
	assert_int_equal(attr_cluster_add_known(c, "{\"name\":\"APT1\"}", 15), AS_EPARSE);
	assert_int_equal(attr_cluster_add_known(c, "{", 1), AS_EPARSE);
	add_domain(c, "inc-a", "org-a", "2024-06-01T00:00:00Z", "elsewhere.example");
	add_domain(c, "inc-e", "org-e", "2024-09-01T00:00:00Z", "one.example");
	add_domain(c, "inc-f", "org-f", "2024-01-01T00:00:00Z", "three.example");
	add_domain(c, "inc-g", "org-g", "2024-01-02T00:00:00Z", "three.example");
	struct observations *o;
	assert_int_equal(observations_new(&o), 0);
	observations_add_indicator(o, SLICE_LIT("domain"), SLICE_LIT("one.example"), NULL, 0);
	observations_add_indicator(o, SLICE_LIT("domain"), SLICE_LIT("two.example"), NULL, 0);
	assert_int_equal(attr_cluster_add(c, "inc-h", "org-h", at("2024-10-01T00:00:00Z"),
					  at("2024-10-01T00:00:00Z"), o),
			 0);
	observations_free(o);
	for (int round = 0; round < 2; round++) {
		assert_int_equal(attr_cluster_run(c, NULL, &cl, &n), 0);
		assert_int_equal(n, 3);
		const struct attr_cluster *one = attr_cluster_of(c, "inc-a");
		assert_non_null(one);
		assert_string_equal(one->name, "UNK-2024-001");
		assert_true(one->known);
		assert_true(one->grown);
		assert_ptr_equal(attr_cluster_of(c, "inc-b"), one); /* from the store */
		assert_ptr_equal(attr_cluster_of(c, "inc-e"), one);
		assert_int_equal(one->nincidents, 4); /* a, b, e, and h met it first */
		assert_string_equal(attr_cluster_of(c, "inc-c")->name, "UNK-2024-002");
		assert_false(attr_cluster_of(c, "inc-c")->grown);
		assert_string_equal(attr_cluster_of(c, "inc-f")->name, "UNK-2024-003");
		assert_ptr_equal(attr_cluster_of(c, "inc-h"), one);
		struct attr_cluster_stats st;
		attr_clusterer_stats(c, &st);
		assert_int_equal(st.refused, 1);
	}
	attr_clusterer_free(c);
	free(k1);
	free(k2);
}

/* A later knowledge base names a cluster: the indicator it holds is one of
 * APT-Test's; a value two groups list names nobody; a stored link stays. */
static void test_cluster_named(void **state)
{
	(void)state;
	struct kb *kb;
	const char *p = fixture("kb_decoys.json");
	assert_int_equal(kb_load_files(&kb, &p, 1, NULL), 0);
	struct attr_clusterer *c;
	const struct attr_cluster *cl;
	size_t n;
	assert_int_equal(attr_clusterer_new(&c), 0);
	add_domain(c, "inc-a", "org-a", "2024-06-01T00:00:00Z", "c2.named.example");
	add_domain(c, "inc-b", "org-b", "2024-06-05T00:00:00Z", "C2.named.example");
	add_domain(c, "inc-c", "org-c", "2024-07-01T00:00:00Z", "shared.example");
	add_domain(c, "inc-d", "org-d", "2024-07-05T00:00:00Z", "shared.example");
	assert_int_equal(attr_cluster_run(c, NULL, &cl, &n), 0);
	assert_int_equal(n, 2);
	assert_null(cl[0].linked_group);
	char *k1 = cluster_json(&cl[0]), *k2 = cluster_json(&cl[1]);
	attr_clusterer_free(c);
	/* the import: only the stored clusters, no incidents */
	assert_int_equal(attr_clusterer_new(&c), 0);
	assert_int_equal(attr_cluster_add_known(c, k1, strlen(k1)), 0);
	assert_int_equal(attr_cluster_add_known(c, k2, strlen(k2)), 0);
	assert_int_equal(attr_cluster_run(c, kb, &cl, &n), 0);
	assert_int_equal(n, 2);
	assert_string_equal(cl[0].name, "UNK-2024-001");
	assert_non_null(cl[0].linked_group);
	assert_string_equal(cl[0].linked_group, "APT-Test");
	assert_non_null(strstr(cl[0].linked_reason, "c2.named.example"));
	assert_true(cl[0].newly_linked);
	assert_false(cl[0].grown);
	assert_null(cl[1].linked_group);
	char *k3 = cluster_json(&cl[0]);
	attr_clusterer_free(c);
	/* kept: a run without the kb still knows the name */
	assert_int_equal(attr_clusterer_new(&c), 0);
	assert_int_equal(attr_cluster_add_known(c, k3, strlen(k3)), 0);
	assert_int_equal(attr_cluster_run(c, NULL, &cl, &n), 0);
	assert_string_equal(cl[0].linked_group, "APT-Test");
	assert_false(cl[0].newly_linked);
	attr_clusterer_free(c);
	/* exclusive software names a cluster too */
	assert_int_equal(attr_clusterer_new(&c), 0);
	for (int i = 0; i < 2; i++) {
		struct observations *o;
		assert_int_equal(observations_new(&o), 0);
		observations_add(o, ATTR_OBS_SOFTWARE, SLICE_LIT("rareloader"));
		assert_int_equal(attr_cluster_add(c, i ? "x" : "y", NULL,
						  at("2023-01-01T00:00:00Z"), AS_TIME_NONE, o),
				 0);
		observations_free(o);
	}
	assert_int_equal(attr_cluster_run(c, kb, &cl, &n), 0);
	assert_int_equal(n, 1);
	assert_string_equal(cl[0].name, "UNK-2023-001");
	assert_string_equal(cl[0].linked_group, "APT-Test");
	assert_non_null(strstr(cl[0].linked_reason, "RareLoader"));
	attr_clusterer_free(c);
	/* so does the feed that flagged an indicator, when it names one group;
	 * naming two is a tie that names nobody */
	for (int both = 0; both < 2; both++) {
		assert_int_equal(attr_clusterer_new(&c), 0);
		for (int i = 0; i < 2; i++) {
			struct observations *o;
			struct slice g[2] = {SLICE_LIT("apt-test"), SLICE_LIT("Group 03")};
			assert_int_equal(observations_new(&o), 0);
			observations_add_indicator(o, SLICE_LIT("ipv4"), SLICE_LIT("198.51.100.7"),
						   g, both ? 2 : 1);
			assert_int_equal(attr_cluster_add(c, i ? "x" : "y", NULL,
							  at("2023-01-01T00:00:00Z"), AS_TIME_NONE,
							  o),
					 0);
			observations_free(o);
		}
		assert_int_equal(attr_cluster_run(c, kb, &cl, &n), 0);
		assert_int_equal(n, 1);
		if (both) {
			assert_null(cl[0].linked_group);
		} else {
			assert_string_equal(cl[0].linked_group, "APT-Test");
			assert_string_equal(
			    cl[0].linked_reason,
			    "indicator 198.51.100.7 is tied to APT-Test by its feed");
		}
		attr_clusterer_free(c);
	}
	free(k1);
	free(k2);
	free(k3);
	kb_free(kb);
}

/* The real ATT&CK bundle: an exclusive implant and its group. */
static void test_attack_corpus(void **state)
{
	const char *shared = getenv("APTSCOPE_SHARED");
	char path[1200];
	snprintf(path, sizeof path, "%s/corpora/attack/enterprise-attack.json",
		 shared ? shared : "../shared");
	FILE *f = fopen(path, "rb");
	if (!f) {
		print_message("skipped: %s not found (set APTSCOPE_SHARED)\n", path);
		skip();
	}
	fclose(f);
	struct kb *kb;
	struct attr_model *m;
	const char *p = path;
	assert_int_equal(kb_load_files(&kb, &p, 1, NULL), 0);
	assert_int_equal(attr_model_build(&m, kb), 0);
	struct observations *o;
	struct attr_result r;
	assert_int_equal(observations_new(&o), 0);
	observations_add(o, ATTR_OBS_SOFTWARE, SLICE_LIT("KONNI"));
	observations_add(o, ATTR_OBS_SOFTWARE, SLICE_LIT("BabyShark"));
	observations_add(o, ATTR_OBS_TECHNIQUE, SLICE_LIT("T1566.001"));
	assert_int_equal(attribute_observations(m, o, NULL, &r), 0);
	assert_true(r.n >= 1);
	assert_string_equal(r.cand[0].group->name, "Kimsuky");
	attr_result_free(&r);
	observations_free(o);

	/* real decoys: six organisations with Mimikatz, Cobalt Strike and the
	 * techniques of the simulated campaigns (used by dozens of ATT&CK
	 * groups) make no cluster; the two that also hold BabyShark, Kimsuky's
	 * own implant, do, and are named after it */
	static const char *const everyday[] = {"T1059.001", "T1027", "T1566.001", "T1204.002",
					       "T1053.005", "T1105", "T1003.001", "T1560.001"};
	struct attr_clusterer *c;
	assert_int_equal(attr_clusterer_new(&c), 0);
	for (int i = 0; i < 6; i++) {
		char id[16], org[16];
		assert_int_equal(observations_new(&o), 0);
		observations_add(o, ATTR_OBS_SOFTWARE, SLICE_LIT("Mimikatz"));
		observations_add(o, ATTR_OBS_SOFTWARE, SLICE_LIT("Cobalt Strike"));
		for (size_t k = 0; k < sizeof everyday / sizeof *everyday; k++)
			observations_add(o, ATTR_OBS_TECHNIQUE, slice_cstr(everyday[k]));
		if (i >= 4)
			observations_add(o, ATTR_OBS_SOFTWARE, SLICE_LIT("BabyShark"));
		snprintf(id, sizeof id, "inc-%d", i);
		snprintf(org, sizeof org, "org-%d", i);
		assert_int_equal(attr_cluster_add(c, id, org, at("2025-01-01T00:00:00Z"),
						  at("2025-01-02T00:00:00Z"), o),
				 0);
		observations_free(o);
	}
	const struct attr_cluster *cl;
	size_t n;
	assert_int_equal(attr_cluster_run(c, kb, &cl, &n), 0);
	assert_int_equal(n, 1);
	assert_int_equal(cl[0].nincidents, 2);
	assert_ptr_equal(attr_cluster_of(c, "inc-4"), &cl[0]);
	assert_string_equal(cl[0].linked_group, "Kimsuky");
	attr_clusterer_free(c);
	attr_model_free(m);
	kb_free(kb);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
	    cmocka_unit_test(test_lists),
	    cmocka_unit_test(test_parse_contract),
	    cmocka_unit_test(test_parse_misp_stix),
	    cmocka_unit_test(test_parse_ssdeep),
	    cmocka_unit_test(test_parse_bad),
	    cmocka_unit_test(test_rank_and_weights),
	    cmocka_unit_test(test_options_and_feed),
	    cmocka_unit_test(test_json),
	    cmocka_unit_test(test_calibration),
	    cmocka_unit_test(test_cluster),
	    cmocka_unit_test(test_cluster_ssdeep),
	    cmocka_unit_test(test_cluster_decoys),
	    cmocka_unit_test(test_cluster_known),
	    cmocka_unit_test(test_cluster_named),
	    cmocka_unit_test(test_attack_corpus),
	};
	return cmocka_run_group_tests(tests, setup, teardown);
}
