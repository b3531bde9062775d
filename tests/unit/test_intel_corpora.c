/*
 * test_intel_corpora.c — the knowledge base against the real public corpora
 * (ATT&CK enterprise/mobile/ICS, every MISP galaxy) when ../shared is there;
 * skipped with a message otherwise.
 *
 * Every alias of every ATT&CK group must resolve to that group's G-id, every
 * name and synonym of every MISP threat-actor and 360.net cluster must
 * resolve to a group (the one its own record went into unless a conflict
 * says why not), every APT-C number must resolve, and APT-C-00 / OceanLotus
 * / G0050 must be one group from Vietnam with sectors, techniques and
 * software. The bundled default must hold the same groups.
 */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <cmocka.h>
#include <jansson.h>

#include "core/hash.h"
#include "intel/intel.h"

static char corpora[1024];
static struct kb *kb;

static bool in_conflicts(const char *alias)
{
	for (size_t i = 0; i < kb_conflict_count(kb); i++)
		if (!strcasecmp(kb_conflict_at(kb, i)->subject, alias))
			return true;
	return false;
}

static int setup(void **state)
{
	const char *shared = getenv("APTSCOPE_SHARED");
	snprintf(corpora, sizeof corpora, "%s/corpora", shared ? shared : "../shared");
	char probe[1200];
	snprintf(probe, sizeof probe, "%s/attack/enterprise-attack.json", corpora);
	FILE *f = fopen(probe, "rb");
	if (!f)
		return 0;
	fclose(f);
	static const char *const names[] = {"attack/enterprise-attack.json",
					    "attack/mobile-attack.json",
					    "attack/ics-attack.json",
					    "misp-galaxy/clusters/threat-actor.json",
					    "misp-galaxy/clusters/360net.json",
					    "misp-galaxy/clusters/mitre-intrusion-set.json",
					    "misp-galaxy/clusters/mitre-malware.json",
					    "misp-galaxy/clusters/mitre-tool.json",
					    "misp-galaxy/clusters/mitre-attack-pattern.json",
					    "misp-galaxy/clusters/malpedia.json",
					    "misp-galaxy/clusters/sector.json",
					    "misp-galaxy/clusters/region.json",
					    "misp-galaxy/clusters/country.json"};
	static char paths[13][1200];
	const char *p[13];
	for (size_t i = 0; i < 13; i++) {
		snprintf(paths[i], sizeof paths[i], "%s/%s", corpora, names[i]);
		p[i] = paths[i];
	}
	struct diag_sink sink;
	diag_sink_init(&sink, NULL);
	int rc = kb_load_files(&kb, p, 13, &sink);
	diag_sink_fini(&sink);
	return rc;
}

static int teardown(void **state)
{
	kb_free(kb);
	return 0;
}

static json_t *load(const char *rel)
{
	char path[1200];
	snprintf(path, sizeof path, "%s/%s", corpora, rel);
	json_error_t err;
	json_t *j = json_load_file(path, 0, &err);
	assert_non_null(j);
	return j;
}

static void test_attack_aliases(void **state)
{
	if (!kb)
		skip();
	json_t *root = load("attack/enterprise-attack.json");
	size_t i, k, checked = 0, bad = 0;
	json_t *o, *a;
	json_array_foreach(json_object_get(root, "objects"), i, o)
	{
		const char *type = json_string_value(json_object_get(o, "type"));
		if (!type || strcmp(type, "intrusion-set") ||
		    json_is_true(json_object_get(o, "revoked")) ||
		    json_is_true(json_object_get(o, "x_mitre_deprecated")))
			continue;
		const char *gid = NULL;
		json_array_foreach(json_object_get(o, "external_references"), k, a)
		{
			const char *src = json_string_value(json_object_get(a, "source_name"));
			if (src && !strcmp(src, "mitre-attack"))
				gid = json_string_value(json_object_get(a, "external_id"));
		}
		assert_non_null(gid);
		const struct kb_group *byid = kb_group_find(kb, slice_cstr(gid));
		assert_non_null(byid);
		assert_string_equal(byid->attack_id, gid);
		json_array_foreach(json_object_get(o, "aliases"), k, a)
		{
			const char *alias = json_string_value(a);
			const struct kb_group *g = kb_group_find(kb, slice_cstr(alias));
			checked++;
			/* ATT&CK itself gives a few aliases to two groups: then a
			 * conflict must name it */
			if (g != byid && !in_conflicts(alias)) {
				bad++;
				print_message("%s (%s) → %s\n", alias, gid,
					      g ? g->name : "nothing");
			}
		}
	}
	print_message("ATT&CK aliases checked: %zu, not resolving to their G-id: %zu\n", checked,
		      bad);
	assert_true(checked > 500);
	assert_int_equal(bad, 0);
	json_decref(root);
}

static void check_galaxy(const char *rel, bool is360)
{
	json_t *root = load(rel);
	size_t i, k, checked = 0, unreachable = 0, elsewhere = 0;
	json_t *v, *s;
	json_array_foreach(json_object_get(root, "values"), i, v)
	{
		const char *value = json_string_value(json_object_get(v, "value"));
		const char *uuid = json_string_value(json_object_get(v, "uuid"));
		char home_name[512] = "";
		const struct kb_group *home = NULL;
		/* the group its record went into: the one that lists its uuid */
		for (size_t g = 0; g < kb_group_count(kb) && !home; g++) {
			const struct kb_group *grp = kb_group_at(kb, g);
			for (uint32_t u = 0; u < grp->uuids.n; u++)
				if (uuid && !strcmp(grp->uuids.v[u], uuid))
					home = grp;
		}
		assert_non_null(home);
		snprintf(home_name, sizeof home_name, "%s", home->name);
		const char *names[2] = {value, NULL};
		char left[256], right[64];
		if (is360) { /* "海莲花 - APT-C-00" */
			const char *dash = strstr(value, " - ");
			assert_non_null(dash);
			snprintf(left, sizeof left, "%.*s", (int)(dash - value), value);
			snprintf(right, sizeof right, "%s", dash + 3);
			names[0] = left;
			names[1] = right;
			/* the APT-C number is 360.net's own: it must be its record's group */
			assert_ptr_equal(kb_group_find(kb, slice_cstr(right)), home);
		}
		for (int n = 0; n < 2 && names[n]; n++) {
			const struct kb_group *g = kb_group_find(kb, slice_cstr(names[n]));
			checked++;
			unreachable += !g;
			if (g && g != home && !in_conflicts(names[n])) {
				elsewhere++;
				print_message("%s: %s → %s without a conflict\n", home_name,
					      names[n], g->name);
			}
		}
		json_array_foreach(json_object_get(json_object_get(v, "meta"), "synonyms"), k, s)
		{
			const char *syn = json_string_value(s);
			const struct kb_group *g = kb_group_find(kb, slice_cstr(syn));
			checked++;
			if (!g) {
				unreachable++;
				print_message("%s: synonym %s unreachable\n", home_name, syn);
			} else if (g != home && !in_conflicts(syn)) {
				elsewhere++;
				print_message("%s: %s → %s without a conflict\n", home_name, syn,
					      g->name);
			}
		}
	}
	print_message("%s: %zu names checked, %zu unreachable, %zu elsewhere unexplained\n", rel,
		      checked, unreachable, elsewhere);
	assert_int_equal(unreachable, 0);
	assert_int_equal(elsewhere, 0);
	json_decref(root);
}

static void test_misp_names(void **state)
{
	if (!kb)
		skip();
	check_galaxy("misp-galaxy/clusters/threat-actor.json", false);
	check_galaxy("misp-galaxy/clusters/360net.json", true);
}

static void test_done_criteria(void **state)
{
	if (!kb)
		skip();
	const struct kb_group *g = kb_group_find(kb, slice_cstr("APT-C-00"));
	assert_non_null(g);
	assert_ptr_equal(g, kb_group_find(kb, slice_cstr("OceanLotus")));
	assert_ptr_equal(g, kb_group_find(kb, slice_cstr("G0050")));
	assert_ptr_equal(g, kb_group_find(kb, slice_cstr("海莲花")));
	assert_ptr_equal(g, kb_group_find(kb, slice_cstr("Canvas Cyclone")));
	assert_string_equal(g->country, "VN");
	assert_string_equal(g->region, "South-eastern Asia");
	assert_true(g->sectors.n > 3);
	assert_true(g->techniques.n > 30);
	assert_true(g->software.n > 5);
	const struct kb_group *c39 = kb_group_find(kb, slice_cstr("APT-C-39"));
	assert_non_null(c39);
	assert_ptr_equal(c39, kb_group_find(kb, slice_cstr("CIA")));
	assert_ptr_equal(c39, kb_group_find(kb, slice_cstr("Longhorn")));
	assert_ptr_equal(c39, kb_group_find(kb, slice_cstr("Lamberts")));
	/* 360.net tells the CIA (APT-C-39) and the NSA's Equation (APT-C-40) apart */
	assert_ptr_not_equal(c39, kb_group_find(kb, slice_cstr("APT-C-40")));
	assert_string_equal(kb_group_find(kb, slice_cstr("APT-C-40"))->attack_id, "G0020");
	assert_string_equal(c39->country, "US");
	assert_string_equal(c39->region, "Northern America");
	assert_non_null(kb_software_find(kb, slice_cstr("Cobalt Strike")));
	assert_non_null(kb_software_find(kb, slice_cstr("PoisonIvy")));
	assert_non_null(kb_software_find(kb, slice_cstr("Poison Ivy")));
	const struct kb_technique *t = kb_technique_find(kb, slice_cstr("T1059.001"));
	assert_non_null(t);
	assert_string_equal(t->name, "PowerShell");
}

static void test_sector_galaxy(void **state)
{
	if (!kb)
		skip();
	json_t *root = load("misp-galaxy/clusters/sector.json");
	size_t i, other = 0, n = 0;
	json_t *v;
	json_array_foreach(json_object_get(root, "values"), i, v)
	{
		const char *ids[8];
		const char *value = json_string_value(json_object_get(v, "value"));
		size_t k = intel_sector_map(slice_cstr(value), ids, 8);
		n++;
		if (k == 1 && !strcmp(ids[0], "other")) {
			other++;
			print_message("sector \"%s\" → other\n", value);
		}
	}
	print_message("sector.json: %zu of %zu map to \"other\"\n", other, n);
	assert_true(other <= 8);
	json_decref(root);
}

static void test_bundled_default(void **state)
{
	if (!kb)
		skip();
	struct kb *def;
	assert_int_equal(kb_load_default(&def, NULL), 0);
	size_t missing = 0;
	for (size_t i = 0; i < kb_group_count(kb); i++) {
		const struct kb_group *g = kb_group_at(kb, i);
		if (!kb_group_find(def, slice_cstr(g->name)))
			missing++;
	}
	print_message("groups of the corpora missing from the bundled default: %zu\n", missing);
	assert_int_equal(missing, 0);
	kb_free(def);
}

int main(void)
{
	hash_seed_init();
	const struct CMUnitTest tests[] = {
	    cmocka_unit_test(test_attack_aliases),  cmocka_unit_test(test_misp_names),
	    cmocka_unit_test(test_done_criteria),   cmocka_unit_test(test_sector_galaxy),
	    cmocka_unit_test(test_bundled_default),
	};
	int rc = cmocka_run_group_tests(tests, setup, teardown);
	if (!kb)
		fprintf(stderr,
			"test_intel_corpora: ATT&CK/MISP corpora not found under %s: "
			"skipped\n",
			corpora);
	return rc;
}
