/* test_simulate.c — `aptscope simulate`: deterministic, readable, truthful, detectable. */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <cmocka.h>
#include <ftw.h>

#include "core/error.h"
#include "core/ip.h"
#include "core/json_scan.h"
#include "core/timeparse.h"
#include "detect/ioc/ioc.h"
#include "intel/intel.h"
#include "read/reader.h"
#include "read/walk.h"
#include "simulate/simulate.h"

/* Three months around the disclosure of Log4Shell (2021-12-10), six organisations, a fifth of
 * the background: small, and every thread of the scenario is in it. */
static void small_opts(struct sim_opts *o, const char *dir, uint64_t seed)
{
	sim_opts_default(o);
	o->seed = seed;
	o->from_us = time_days_from_civil(2021, 11, 1) * 86400ll * 1000000;
	o->to_us = time_days_from_civil(2022, 2, 1) * 86400ll * 1000000;
	o->orgs = 6;
	o->scale = 0.2;
	o->out_dir = dir;
}

static int rm_one(const char *path, const struct stat *st, int flag, struct FTW *ftw)
{
	(void)st;
	(void)flag;
	(void)ftw;
	return remove(path);
}

static void rm_tree(const char *dir)
{
	nftw(dir, rm_one, 16, FTW_DEPTH | FTW_PHYS);
}

static char dir_a[64], dir_b[64], dir_c[64];
static struct sim_result *res_a;

static int setup(void **state)
{
	(void)state;
	snprintf(dir_a, sizeof dir_a, "sim_a_XXXXXX");
	snprintf(dir_b, sizeof dir_b, "sim_b_XXXXXX");
	snprintf(dir_c, sizeof dir_c, "sim_c_XXXXXX");
	if (!mkdtemp(dir_a) || !mkdtemp(dir_b) || !mkdtemp(dir_c))
		return -1;
	struct sim_opts o;
	small_opts(&o, dir_a, 7);
	return sim_run(&o, &res_a) ? -1 : 0;
}

static int teardown(void **state)
{
	(void)state;
	sim_result_free(res_a);
	rm_tree(dir_a);
	rm_tree(dir_b);
	rm_tree(dir_c);
	return 0;
}

static char *slurp(const char *path, size_t *n)
{
	FILE *f = fopen(path, "rb");
	if (!f)
		return NULL;
	fseek(f, 0, SEEK_END);
	long len = ftell(f);
	fseek(f, 0, SEEK_SET);
	char *p = malloc((size_t)len + 1);
	if (p && fread(p, 1, (size_t)len, f) != (size_t)len) {
		free(p);
		p = NULL;
	}
	if (p)
		p[len] = 0;
	fclose(f);
	*n = (size_t)len;
	return p;
}

static void list_files(const char *dir, struct file_list *l)
{
	char *paths[] = {(char *)dir};
	memset(l, 0, sizeof *l);
	assert_int_equal(walk_paths(paths, 1, l, NULL), 0);
	assert_true(l->n > 0);
}

/* Are the trees under a and b the same files with the same bytes? */
static bool same_tree(const char *a, const char *b)
{
	struct file_list la, lb;
	list_files(a, &la);
	list_files(b, &lb);
	bool same = la.n == lb.n;
	for (size_t i = 0; same && i < la.n; i++) {
		const char *ra = la.paths[i] + strlen(a), *rb = lb.paths[i] + strlen(b);
		if (strcmp(ra, rb)) {
			same = false;
			break;
		}
		size_t na, nb;
		char *pa = slurp(la.paths[i], &na), *pb = slurp(lb.paths[i], &nb);
		assert_non_null(pa);
		assert_non_null(pb);
		same = na == nb && !memcmp(pa, pb, na);
		free(pa);
		free(pb);
	}
	file_list_free(&la);
	file_list_free(&lb);
	return same;
}

static void test_same_seed_same_bytes(void **state)
{
	(void)state;
	struct sim_opts o;
	struct sim_result *r;
	small_opts(&o, dir_b, 7);
	assert_int_equal(sim_run(&o, &r), 0);
	assert_int_equal(r->n_attacks, res_a->n_attacks);
	assert_int_equal(r->bytes, res_a->bytes);
	sim_result_free(r);
	assert_true(same_tree(dir_a, dir_b));
}

static void test_other_seed_other_bytes(void **state)
{
	(void)state;
	struct sim_opts o;
	struct sim_result *r;
	small_opts(&o, dir_c, 8);
	assert_int_equal(sim_run(&o, &r), 0);
	sim_result_free(r);
	assert_false(same_tree(dir_a, dir_c));
}

static const char *expected_format(const char *path)
{
	static const struct {
		const char *suffix, *format;
	} t[] = {{"/zeek/conn.log", "zeek"},    {"/zeek/dns.log", "zeek"},
		 {"/zeek/http.log", "zeek"},    {"/zeek/ssl.log", "zeek"},
		 {"/suricata/eve.json", "eve"}, {"/syslog/auth.log", "syslog"},
		 {"/web/access.log", "access"}, {"/windows/sysmon.jsonl", "winjson"},
		 {"/truth.jsonl", "jsonl"}};
	size_t n = strlen(path);
	for (size_t i = 0; i < sizeof t / sizeof t[0]; i++) {
		size_t k = strlen(t[i].suffix);
		if (n >= k && !strcmp(path + n - k, t[i].suffix))
			return t[i].format;
	}
	return NULL;
}

static void test_every_record_reads(void **state)
{
	(void)state;
	struct file_list l;
	list_files(dir_a, &l);
	size_t logs = 0;
	uint64_t events = 0;
	for (size_t i = 0; i < l.n; i++) {
		const char *want = expected_format(l.paths[i]);
		if (!want)
			continue; /* assets.csv, intel/indicators.csv: not logs */
		struct source src = {.path = l.paths[i]};
		struct read_opts ro = {.fields = true, .file_mtime_us = AS_TIME_NONE};
		struct diag_sink sink;
		diag_sink_init(&sink, stderr);
		struct diag why;
		struct reader *rd;
		assert_int_equal(reader_open(&rd, &src, NULL, &ro, &sink, &why), 0);
		if (strcmp(reader_format(rd)->name, want))
			fail_msg("%s read as %s, not %s", l.paths[i], reader_format(rd)->name,
				 want);
		struct batch b;
		batch_init(&b);
		int rc;
		while ((rc = reader_next(rd, &b)) > 0)
			;
		assert_int_equal(rc, 0);
		struct reader_stats st;
		reader_stats(rd, &st);
		if (st.errors)
			fail_msg("%s: %llu bad records", l.paths[i], (unsigned long long)st.errors);
		assert_true(st.events > 0);
		events += st.events;
		batch_free(&b);
		reader_close(rd);
		diag_sink_fini(&sink);
		logs++;
	}
	file_list_free(&l);
	/* org-01..06: 2 of 6 use Suricata (1 file), 4 Zeek (4) + 3 host logs each, + truth */
	assert_int_equal(logs, 2 * 4 + 4 * 7 + 1);
	assert_int_equal(events, res_a->records + res_a->n_attacks);
}

struct kind_count {
	size_t per_kind[SIM_KIND_COUNT];
	int bad;
};

static int count_kind(void *ctx, const struct json_leaf *leaf)
{
	struct kind_count *k = ctx;
	if (leaf->depth != 1 || !slice_eq_cstr(leaf->key, "kind"))
		return 0;
	for (int i = 0; i < SIM_KIND_COUNT; i++)
		if (slice_eq_cstr(leaf->value, sim_kind_name((enum sim_kind)i))) {
			k->per_kind[i]++;
			return 0;
		}
	k->bad++;
	return 0;
}

static void test_truth_matches_scenario(void **state)
{
	(void)state;
	char path[256];
	snprintf(path, sizeof path, "%s/truth.jsonl", dir_a);
	size_t n;
	char *text = slurp(path, &n);
	assert_non_null(text);
	struct kind_count k = {0};
	size_t lines = 0;
	for (char *p = text, *nl; *p; p = nl + 1) {
		nl = strchr(p, '\n');
		assert_non_null(nl);
		struct diag why;
		assert_int_equal(json_walk(slice_make(p, (size_t)(nl - p)), count_kind, &k, &why),
				 0);
		lines++;
	}
	free(text);
	assert_int_equal(k.bad, 0);
	assert_int_equal(lines, res_a->n_attacks);
	for (int i = 0; i < SIM_KIND_COUNT; i++)
		assert_int_equal(k.per_kind[i], res_a->per_kind[i]);
	/* the scenario: two brute-force runs on SSH and one on the AI service, one DDoS, the
	 * vendor plus its customers, intrusions and exploitation */
	assert_int_equal(res_a->per_kind[SIM_BRUTEFORCE], 3);
	assert_int_equal(res_a->per_kind[SIM_DDOS], 1);
	assert_true(res_a->per_kind[SIM_SUPPLY_CHAIN] >= 2);
	assert_true(res_a->per_kind[SIM_APT] >= 12);
	assert_true(res_a->per_kind[SIM_EXPLOIT] >= 3);

	/* Log4Shell was disclosed inside the period: 0-day and 1-day both occur */
	bool zero = false, one = false, newgrp = false;
	for (size_t i = 0; i < res_a->n_attacks; i++) {
		const struct sim_attack *a = &res_a->attacks[i];
		assert_true(a->first_seen <= a->last_seen);
		assert_true(a->first_seen >= time_days_from_civil(2021, 11, 1) * 86400ll * 1000000);
		for (size_t c = 0; c < a->n_cves; c++) {
			zero |= !strcmp(a->cves[c].cls, "0day");
			one |= !strcmp(a->cves[c].cls, "1day");
		}
		newgrp |= a->new_group;
		if (a->kind == SIM_APT)
			assert_true(a->n_indicators > 0 && a->n_hosts > 0 && a->records > 0);
	}
	assert_true(zero);
	assert_true(one);
	assert_true(newgrp);
}

static void test_groups_known_to_kb(void **state)
{
	(void)state;
	struct kb *kb;
	if (kb_load_default(&kb, NULL)) {
		skip();
		return;
	}
	for (size_t i = 0; i < res_a->n_attacks; i++) {
		const struct sim_attack *a = &res_a->attacks[i];
		if (a->group && !kb_group_find(kb, slice_cstr(a->group)))
			fail_msg("group %s of %s is not in the knowledge base", a->group,
				 a->campaign);
		if (a->new_group)
			assert_null(kb_group_find(kb, slice_cstr(a->campaign)));
	}
	kb_free(kb);
}

/* Which org folder (index) a path is under, or -1. */
static int org_of(const char *path)
{
	for (size_t i = 0; i < res_a->n_orgs; i++) {
		char needle[32];
		snprintf(needle, sizeof needle, "/%s/", res_a->org_dirs[i]);
		if (strstr(path, needle))
			return (int)i;
	}
	return -1;
}

static void test_ioc_finds_every_apt(void **state)
{
	(void)state;
	char path[256];
	snprintf(path, sizeof path, "%s/intel/indicators.csv", dir_a);
	struct ioc_set *set;
	assert_int_equal(ioc_set_new(&set), 0);
	struct ioc_load_stats ls = {0};
	assert_int_equal(ioc_set_load(set, path, NULL, &ls), 0);
	assert_int_equal(ls.skipped, 0);
	assert_true(ls.loaded > 20);
	assert_int_equal(ioc_set_finish(set, NULL), 0);
	struct ioc_matcher *m;
	assert_int_equal(ioc_matcher_new(set, &m), 0);

	bool *found = calloc(res_a->n_attacks, sizeof *found);
	assert_non_null(found);
	struct file_list l;
	list_files(dir_a, &l);
	for (size_t i = 0; i < l.n; i++) {
		int org = org_of(l.paths[i]);
		if (org < 0)
			continue;
		struct source src = {.path = l.paths[i]};
		struct read_opts ro = {.file_mtime_us = AS_TIME_NONE};
		struct diag why;
		struct reader *rd;
		assert_int_equal(reader_open(&rd, &src, NULL, &ro, NULL, &why), 0);
		struct batch b;
		batch_init(&b);
		while (reader_next(rd, &b) > 0) {
			for (size_t e = 0; e < b.n; e++) {
				struct ioc_hit hits[8];
				size_t nh = ioc_matcher_match(m, &b.events[e], hits, 8);
				for (size_t h = 0; h < nh; h++) {
					const struct ioc_meta *meta = ioc_hit_meta(set, &hits[h]);
					for (size_t a = 0;
					     meta && meta->label && a < res_a->n_attacks; a++)
						if (res_a->attacks[a].org == org &&
						    !strcmp(res_a->attacks[a].campaign,
							    meta->label))
							found[a] = true;
				}
			}
		}
		batch_free(&b);
		reader_close(rd);
	}
	file_list_free(&l);
	size_t apts = 0;
	for (size_t a = 0; a < res_a->n_attacks; a++) {
		const struct sim_attack *at = &res_a->attacks[a];
		if (at->kind != SIM_APT && at->kind != SIM_SUPPLY_CHAIN)
			continue;
		if (!found[a])
			fail_msg("no indicator of %s found in %s's logs", at->campaign,
				 res_a->org_dirs[at->org]);
		apts++;
	}
	assert_true(apts >= 12);
	free(found);
	ioc_matcher_free(m);
	ioc_set_free(set);
}

/* assets.csv gives every victim its organisation, sector and country: by address range, by host
 * name and by log folder. */
static void test_assets_place_every_victim(void **state)
{
	(void)state;
	char path[256];
	snprintf(path, sizeof path, "%s/assets.csv", dir_a);
	struct kb *kb;
	assert_int_equal(kb_new(&kb), 0);
	assert_int_equal(kb_assets_load(kb, path, NULL), 0);
	for (size_t i = 0; i < res_a->n_attacks; i++) {
		const struct sim_attack *a = &res_a->attacks[i];
		char ipt[32], logp[128];
		snprintf(ipt, sizeof ipt, "10.%d.1.10", 10 + a->org);
		snprintf(logp, sizeof logp, "%s/%s/web/access.log", dir_a, res_a->org_dirs[a->org]);
		struct ip ip, none = {0};
		assert_int_equal(ip_parse(slice_cstr(ipt), &ip), 0);
		const struct {
			const struct ip *ip;
			const char *host, *path;
		} ways[] = {{&ip, "", ""}, {&none, a->hosts[0], ""}, {&none, "", logp}};
		for (size_t w = 0; w < 3; w++) {
			struct kb_asset_hit hit;
			assert_int_equal(kb_asset_match(kb, ways[w].ip, slice_cstr(ways[w].host),
							slice_cstr(ways[w].path), &hit),
					 0);
			assert_non_null(hit.sector);
			assert_string_equal(intel_sector_name(hit.sector), a->sector);
			assert_string_equal(hit.country, a->country);
			assert_string_equal(hit.org, a->org_name);
		}
	}
	kb_free(kb);
}

/* The exploitation classes agree with the publication dates the project ships. */
static void test_cve_classes_follow_disclosure(void **state)
{
	(void)state;
	char path[4096];
	if (!kb_default_path(path, sizeof path)) {
		skip();
		return;
	}
	char *slash = strrchr(path, '/');
	assert_non_null(slash);
	snprintf(slash + 1, sizeof path - (size_t)(slash + 1 - path), "cve-dates.json");
	struct kb *kb;
	assert_int_equal(kb_new(&kb), 0);
	if (kb_import_file(kb, path, NULL, NULL)) {
		kb_free(kb);
		skip();
		return;
	}
	size_t checked = 0;
	for (size_t i = 0; i < res_a->n_attacks; i++) {
		const struct sim_attack *a = &res_a->attacks[i];
		for (size_t c = 0; c < a->n_cves; c++) {
			const struct kb_cve *cve = kb_cve_find(kb, slice_cstr(a->cves[c].id));
			assert_non_null(cve);
			assert_true(cve->published != AS_TIME_NONE);
			int64_t d = a->first_seen - cve->published;
			const char *cls = d < 0                        ? "0day"
					  : d < 30 * 86400ll * 1000000 ? "1day"
								       : "nday";
			assert_string_equal(a->cves[c].cls, cls);
			checked++;
		}
	}
	assert_true(checked >= 3);
	kb_free(kb);
}

static void test_bad_options(void **state)
{
	(void)state;
	struct sim_opts o;
	struct sim_result *r = NULL;
	small_opts(&o, dir_c, 1);
	o.orgs = 2;
	assert_int_equal(sim_run(&o, &r), AS_EINVAL);
	small_opts(&o, dir_c, 1);
	o.scale = 0;
	assert_int_equal(sim_run(&o, &r), AS_EINVAL);
	small_opts(&o, dir_c, 1);
	o.to_us = o.from_us;
	assert_int_equal(sim_run(&o, &r), AS_EINVAL);
	small_opts(&o, NULL, 1);
	assert_int_equal(sim_run(&o, &r), AS_EINVAL);
	assert_null(r);
	sim_result_free(NULL);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
	    cmocka_unit_test(test_same_seed_same_bytes),
	    cmocka_unit_test(test_other_seed_other_bytes),
	    cmocka_unit_test(test_every_record_reads),
	    cmocka_unit_test(test_truth_matches_scenario),
	    cmocka_unit_test(test_groups_known_to_kb),
	    cmocka_unit_test(test_ioc_finds_every_apt),
	    cmocka_unit_test(test_assets_place_every_victim),
	    cmocka_unit_test(test_cve_classes_follow_disclosure),
	    cmocka_unit_test(test_bad_options),
	};
	return cmocka_run_group_tests(tests, setup, teardown);
}
