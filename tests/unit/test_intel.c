/*
 * test_intel.c — the knowledge base: country/region and sector tables, alias
 * resolution across ATT&CK, MISP and 360.net fixtures, precedence and the
 * conflicts it records, STIX relationships and revocation, MISP events,
 * CVEs (NVD, KEV JSON and CSV), assets, malformed input, export/import
 * round trip and the store.
 */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include <cmocka.h>

#include "core/error.h"
#include "core/hash.h"
#include "core/timeparse.h"
#include "intel/intel.h"
#include "intel/kb_impl.h"
#include "store/store.h"

static char data_dir[1024];

static const char *fixture(const char *name)
{
	static char path[16][1200];
	static int k;
	k = (k + 1) % 16;
	snprintf(path[k], sizeof path[k], "%s/intel/%s", data_dir, name);
	return path[k];
}

/* The fixture kb: every source, given in an order unlike the precedence. */
static struct kb *fixture_kb(void)
{
	const char *files[] = {fixture("pass_360net.json"),
			       fixture("pass_misp_event.json"),
			       fixture("pass_threat_actor.json"),
			       fixture("pass_attack_mini.json"),
			       fixture("pass_nvd.json"),
			       fixture("pass_kev.json"),
			       fixture("pass_kev.csv")};
	struct kb *kb = NULL;
	assert_int_equal(kb_load_files(&kb, files, sizeof files / sizeof files[0], NULL), 0);
	return kb;
}

static int64_t day(int y, unsigned m, unsigned d)
{
	return time_days_from_civil(y, m, d) * 86400 * 1000000;
}

/* --- taxonomies ------------------------------------------------------------ */

/* A string list holds each string once, ASCII case aside: prefixes,
 * extensions, bytes past an embedded NUL and non-ASCII case do not count as
 * the same. */
static void test_strv(void **state)
{
	struct kb_strv v = {0};
	assert_int_equal(strv_add_cstr(&v, "T1059.001"), 0);
	assert_int_equal(strv_add_cstr(&v, "T1059"), 0);
	assert_int_equal(strv_add_cstr(&v, "t1059.001"), 0); /* held */
	assert_int_equal(strv_add_cstr(&v, "  T1059  "), 0); /* trimmed: held */
	assert_int_equal(strv_add_cstr(&v, "T105"), 0);
	assert_int_equal(strv_add_cstr(&v, "Émigré"), 0);
	assert_int_equal(strv_add_cstr(&v, "éMIGRÉ"), 0); /* not ASCII: another */
	assert_int_equal(strv_add_cstr(&v, "ÉMIGRé"), 0); /* held */
	assert_int_equal(v.n, 5);
	/* case apart, at either end and between, of every length around the
	 * eight bytes a key reads at each end; the bytes around 'A' and 'Z' */
	static const char *const same[][2] = {
	    {"HTTPS://Attack.MITRE.org/techniques/T1059/",
	     "https://attack.mitre.org/TECHNIQUES/t1059/"},
	    {"ABCDEFGH", "abcdefgh"},
	    {"ABCDEFGHI", "abcdEFGHi"},
	    {"ABCDEFGHIJKLMNOP", "abcdefghijklmnop"},
	    {"ABCDEFGHIJKLMNOPQ", "abcdefghiJKLMNOPq"},
	    {"Za", "zA"},
	    {"@[`{ZA\x7f", "@[`{za\x7f"},
	};
	for (size_t i = 0; i < sizeof same / sizeof *same; i++) {
		assert_int_equal(strv_add_cstr(&v, same[i][0]), 0);
		assert_int_equal(strv_add_cstr(&v, same[i][1]), 0);
		assert_int_equal(v.n, 6 + i);
		assert_true(strv_has(&v, slice_cstr(same[i][1])));
	}
	assert_int_equal(strv_add_cstr(&v, "`{@[za\x7f"), 0); /* not the same */
	assert_int_equal(strv_add_cstr(&v, "\xc1\xda"
					   "abcdefgh"),
			 0);
	assert_int_equal(strv_add_cstr(&v, "\xe1\xfa"
					   "abcdefgh"),
			 0);
	assert_int_equal(strv_add_cstr(&v, "https://attack.mitre.org/xechniques/t1059/"), 0);
	assert_int_equal(v.n, 16);
	for (int i = 0; i < 11; i++)
		strv_remove(&v, 5, true);
	assert_int_equal(v.n, 5);
	assert_true(strv_has(&v, slice_cstr("t1059")));
	assert_true(strv_has(&v, slice_cstr("T1059.001")));
	assert_false(strv_has(&v, slice_cstr("T1059.00")));
	assert_false(strv_has(&v, slice_cstr("T1059.0011")));
	assert_false(strv_has(&v, slice_cstr("T10")));
	assert_false(strv_has(&v, slice_cstr("")));
	assert_false(strv_has(&v, slice_make("T105\0", 5)));
	assert_false(strv_has(&v, slice_make("T1059\0.001", 10)));
	assert_true(strv_has(&v, slice_make("T1059.001x", 9)));
	assert_false(strv_has(&v, slice_cstr("émigré")));
	strv_free(&v);
	assert_false(strv_has(&v, slice_cstr("T1059")));
	/* a long list: the last of 500 is found, one more is not */
	char id[16];
	for (int i = 0; i < 500; i++) {
		snprintf(id, sizeof id, "T%04d", i);
		assert_int_equal(strv_add_cstr(&v, id), 0);
	}
	for (int i = 0; i < 500; i++) {
		snprintf(id, sizeof id, "t%04d", i);
		assert_int_equal(strv_add_cstr(&v, id), 0);
	}
	assert_int_equal(v.n, 500);
	assert_true(strv_has(&v, slice_cstr("t0499")));
	assert_false(strv_has(&v, slice_cstr("T0500")));
	/* taken out, in order or by the last: the rest is still found */
	strv_remove(&v, 10, true);
	strv_remove(&v, 20, false);
	strv_remove(&v, 5000, false); /* none: nothing happens */
	assert_int_equal(v.n, 498);
	assert_string_equal(v.v[10], "T0011");
	assert_string_equal(v.v[20], "T0499");
	assert_false(strv_has(&v, slice_cstr("t0010")));
	assert_false(strv_has(&v, slice_cstr("t0021")));
	for (int i = 0; i < 500; i++) {
		snprintf(id, sizeof id, "T%04d", i);
		assert_int_equal(strv_has(&v, slice_cstr(id)), i != 10 && i != 21);
	}
	assert_int_equal(strv_add_cstr(&v, "t0021"), 0); /* back, once */
	assert_int_equal(strv_add_cstr(&v, "T0021"), 0);
	assert_int_equal(v.n, 499);
	assert_true(strv_has(&v, slice_cstr("T0021")));
	strv_free(&v);
	(void)state;
}

static void test_region_table(void **state)
{
	static const struct {
		const char *in, *iso, *region;
	} rows[] = {
	    {"VN", "VN", "South-eastern Asia"},
	    {"vietnam", "VN", "South-eastern Asia"},
	    {"US", "US", "Northern America"},
	    {"america", "US", "Northern America"},
	    {"United States of America", "US", "Northern America"},
	    {"IN", "IN", "Southern Asia"},
	    {"india", "IN", "Southern Asia"},
	    {"CN", "CN", "Eastern Asia"},
	    {"KP", "KP", "Eastern Asia"},
	    {"KR", "KR", "Eastern Asia"},
	    {"southKorea", "KR", "Eastern Asia"},
	    {"korea", "KP", "Eastern Asia"},
	    {"Russian Federation", "RU", "Eastern Europe"},
	    {"IR", "IR", "Southern Asia"},
	    {"kaz", "KZ", "Central Asia"},
	    {"trq", "TR", "Western Asia"},
	    {"co", "CO", "Latin America and the Caribbean"},
	    {"GB", "GB", "Northern Europe"},
	    {"中国", "CN", "Eastern Asia"},
	    {" Taiwan ", "TW", "Eastern Asia"},
	    {"DZ", "DZ", "Northern Africa"},
	    {"ng", "NG", "Sub-Saharan Africa"},
	    {"au", "AU", "Australia and New Zealand"},
	};
	static const struct {
		const char *in, *region;
	} words[] = {{"mideast", "Western Asia"},
		     {"southeast", "South-eastern Asia"},
		     {"namerica", "Northern America"},
		     {"eastern asia", "Eastern Asia"},
		     {"Latin America and the Caribbean", "Latin America and the Caribbean"}};
	for (size_t i = 0; i < sizeof words / sizeof words[0]; i++)
		assert_string_equal(intel_region_name(slice_cstr(words[i].in)), words[i].region);
	assert_null(intel_region_name(slice_cstr("Atlantis")));
	for (size_t i = 0; i < sizeof rows / sizeof rows[0]; i++) {
		char iso[3];
		assert_true(intel_country_parse(slice_cstr(rows[i].in), iso));
		assert_string_equal(iso, rows[i].iso);
		assert_string_equal(intel_country_region(iso), rows[i].region);
		assert_non_null(intel_country_name(iso));
	}
	static const char *const bad[] = {"mideast",
					  "southeast",
					  "namerica",
					  "XX",
					  "",
					  "Atlantis",
					  "Association of Southeast Asian Nations"};
	for (size_t i = 0; i < sizeof bad / sizeof bad[0]; i++) {
		char iso[3];
		assert_false(intel_country_parse(slice_cstr(bad[i]), iso));
	}
	assert_null(intel_country_region("ZZ"));
	assert_null(intel_country_region(NULL));
}

static bool maps_to(const char *text, const char *id)
{
	const char *ids[8];
	size_t n = intel_sector_map(slice_cstr(text), ids, 8);
	for (size_t i = 0; i < n; i++)
		if (!strcmp(ids[i], id))
			return true;
	return false;
}

static void test_sector_map(void **state)
{
	static const struct {
		const char *text, *id;
		bool want;
	} rows[] = {
	    {"Government, Administration", "government", true},
	    {"Diplomacy", "diplomacy", true},
	    {"Academia - University", "education", true},
	    {"Research - Innovation", "research", true},
	    {"Military", "defence", true},
	    {"Military", "it", false}, /* "it" is a word, not a substring */
	    {"Defense", "defence", true},
	    {"Civil Aviation", "aviation", true},
	    {"Aerospace", "aerospace", true},
	    {"Space", "aerospace", true},
	    {"Shipbuilding", "shipbuilding", true},
	    {"Transport", "transportation", true},
	    {"Maritime", "maritime", true},
	    {"Energy", "energy", true},
	    {"Oil", "energy", true},
	    {"Automotive", "automotive", true},
	    {"Telecoms", "telecommunications", true},
	    {"IT - ISP", "it", true},
	    {"IT - ISP", "telecommunications", true},
	    {"Finance", "finance", true},
	    {"Bank", "finance", true},
	    {"Health", "healthcare", true},
	    {"Manufacturing", "manufacturing", true},
	    {"News - Media", "media", true},
	    {"Private sector", "private-sector", true},
	    {"Civil society", "civil-society", true},
	    {"外交军事", "diplomacy", true},
	    {"外交军事", "defence", true},
	    {"航空航天", "aerospace", true},
	    {"国防军工", "defence", true},
	    {"信息技术", "it", true},
	    {"科研机构", "research", true},
	    {"通信运营商", "telecommunications", true},
	    {"新能源汽车", "automotive", true},
	    {"新能源汽车", "energy", true},
	    {"材料科学", "materials", true},
	    {"government", "government", true},
	    {"Something unheard of", "other", true},
	};
	for (size_t i = 0; i < sizeof rows / sizeof rows[0]; i++) {
		if (maps_to(rows[i].text, rows[i].id) != rows[i].want)
			fail_msg("\"%s\" → %s should be %s", rows[i].text, rows[i].id,
				 rows[i].want ? "true" : "false");
	}
	assert_string_equal(intel_sector_name("defence"), "National defence and military industry");
	assert_null(intel_sector_name("nope"));
	const char *ids[1];
	assert_int_equal(intel_sector_map(slice_cstr("   "), ids, 1), 0);
}

/* --- groups ------------------------------------------------------------------ */

static void test_alias_resolution(void **state)
{
	struct kb *kb = fixture_kb();
	static const struct {
		const char *name, *canonical, *gid;
	} rows[] = {
	    {"APT32", "APT32", "G0050"},
	    {"apt32", "APT32", "G0050"},
	    {"APT 32", "APT32", "G0050"},
	    {"apt-32", "APT32", "G0050"},
	    {"Apt_32", "APT32", "G0050"},
	    {"G0050", "APT32", "G0050"},
	    {"g0050", "APT32", "G0050"},
	    {"OceanLotus", "APT32", "G0050"},
	    {"Ocean Lotus", "APT32", "G0050"},
	    {"SeaLotus", "APT32", "G0050"},
	    {"Canvas Cyclone", "APT32", "G0050"},
	    {"BISMUTH", "APT32", "G0050"},
	    {"APT-C-00", "APT32", "G0050"},
	    {"aptc00", "APT32", "G0050"},
	    {"海莲花", "APT32", "G0050"},
	    {"Cobalt Kitty", "APT32", "G0050"},
	    {"Old Name Group", "APT32", "G0050"}, /* revoked-by APT32 in the bundle */
	    {"intrusion-set--247cb30b-955f-42eb-97a5-a89fef69341e", "APT32", "G0050"},
	    {"APT28", "APT28", "G0007"},
	    {"Sofacy", "APT28", "G0007"},
	    {"Fancy Bear", "APT28", "G0007"},
	    {"奇幻熊", "APT28", "G0007"},
	    {"APT-C-20", "APT28", "G0007"},
	    {"APT-C-39", "Longhorn", NULL},
	    {"CIA", "Longhorn", NULL},
	    {"The Lamberts", "Longhorn", NULL},
	    {"Lamberts", "Longhorn", NULL},
	    {"APT-C-40", "Equation", "G0020"},
	    {"方程式", "Equation", "G0020"},
	    {"APT-C-27", "Golden Rat", NULL},
	    {"黄金鼠", "Golden Rat", NULL},
	    {"Lazarus", "Lazarus", NULL},
	    {"APT-C-26", "Lazarus", NULL},
	    {"APT38", "Lazarus", NULL},
	};
	for (size_t i = 0; i < sizeof rows / sizeof rows[0]; i++) {
		const struct kb_group *g = kb_group_find(kb, slice_cstr(rows[i].name));
		if (!g)
			fail_msg("\"%s\" does not resolve", rows[i].name);
		if (strcmp(g->name, rows[i].canonical))
			fail_msg("\"%s\" → %s, want %s", rows[i].name, g->name, rows[i].canonical);
		if (rows[i].gid)
			assert_string_equal(g->attack_id, rows[i].gid);
	}
	assert_null(kb_group_find(kb, slice_cstr("No Such Group")));
	assert_null(kb_group_find(kb, slice_cstr("")));
	assert_null(kb_group_find(kb, slice_cstr("Gone Group"))); /* deprecated */
	/* every listed alias resolves back to its own group */
	for (size_t i = 0; i < kb_group_count(kb); i++) {
		const struct kb_group *g = kb_group_at(kb, i);
		assert_ptr_equal(kb_group_find(kb, slice_cstr(g->name)), g);
		for (uint32_t k = 0; k < g->aliases.n; k++)
			if (kb_group_find(kb, slice_cstr(g->aliases.v[k])) != g)
				fail_msg("%s: alias %s resolves elsewhere", g->name,
					 g->aliases.v[k]);
	}
	kb_free(kb);
}

static void test_group_facts(void **state)
{
	struct kb *kb = fixture_kb();
	const struct kb_group *g = kb_group_find(kb, slice_cstr("APT-C-00"));
	assert_non_null(g);
	assert_ptr_equal(g, kb_group_find(kb, slice_cstr("OceanLotus")));
	assert_ptr_equal(g, kb_group_find(kb, slice_cstr("G0050")));
	assert_string_equal(g->country, "VN");
	assert_string_equal(g->region, "South-eastern Asia");
	assert_string_equal(g->sponsor, "Vietnam");
	assert_int_equal(g->first_seen, day(2014, 1, 1));
	assert_int_equal(g->last_seen, day(2021, 3, 4)); /* the MISP event is later */
	const char *sectors[] = {"government", "private-sector", "civil-society", "research",
				 "diplomacy",  "defence",        "manufacturing"};
	for (size_t i = 0; i < sizeof sectors / sizeof sectors[0]; i++) {
		bool found = false;
		for (uint32_t k = 0; k < g->sectors.n; k++)
			found |= !strcmp(g->sectors.v[k], sectors[i]);
		if (!found)
			fail_msg("APT32 lacks sector %s", sectors[i]);
	}
	bool ph = false, cn = false, asean = false;
	for (uint32_t k = 0; k < g->victims.n; k++) {
		ph |= !strcmp(g->victims.v[k], "PH");
		cn |= !strcmp(g->victims.v[k], "CN");
		asean |= !strcmp(g->victims.v[k], "Association of Southeast Asian Nations");
	}
	assert_true(ph && cn && asean);
	/* techniques from uses, from the attributed campaign and from the event */
	const char *tech[] = {"T1059.001", "T1566.002"};
	for (size_t i = 0; i < 2; i++) {
		bool found = false;
		for (uint32_t k = 0; k < g->techniques.n; k++)
			found |= !strcmp(g->techniques.v[k], tech[i]);
		if (!found)
			fail_msg("APT32 lacks technique %s", tech[i]);
	}
	assert_int_equal(g->software.n, 1);
	assert_string_equal(g->software.v[0], "Cobalt Strike");
	assert_int_equal(g->campaigns.n, 1);
	assert_string_equal(g->campaigns.v[0], "Operation Cobalt Kitty");
	bool dom = false, sha = false, ip = false;
	for (uint32_t k = 0; k < g->indicators.n; k++) {
		dom |= !strcmp(g->indicators.v[k], "domain-name:updates.example-cdn.net");
		dom |= !strcmp(g->indicators.v[k], "domain:news.example-watering.org");
		sha |= !strncmp(g->indicators.v[k], "sha256:0f3c", 11);
		ip |= !!strstr(g->indicators.v[k], "198.51.100.7");
	}
	assert_true(dom && sha && !ip);

	/* 360.net country words; regions-only words leave the country unknown */
	g = kb_group_find(kb, slice_cstr("APT-C-39"));
	assert_string_equal(g->country, "US");
	assert_string_equal(g->region, "Northern America");
	g = kb_group_find(kb, slice_cstr("APT-C-26"));
	assert_string_equal(g->country, "KP");
	g = kb_group_find(kb, slice_cstr("APT-C-27"));
	assert_string_equal(g->country, "SY"); /* threat-actor ranks above "mideast" */
	g = kb_group_find(kb, slice_cstr("APT28"));
	assert_string_equal(g->country, "RU");
	assert_string_equal(g->region, "Eastern Europe");

	/* software and techniques */
	const struct kb_software *s = kb_software_find(kb, slice_cstr("poison ivy"));
	assert_non_null(s);
	assert_string_equal(s->name, "PoisonIvy");
	assert_string_equal(s->attack_id, "S0012");
	assert_string_equal(s->groups.v[0], "APT28");
	assert_ptr_equal(s, kb_software_find(kb, slice_cstr("Darkmoon")));
	assert_ptr_equal(s, kb_software_find(kb, slice_cstr("S0012")));
	s = kb_software_find(kb, slice_cstr("cobaltstrike"));
	assert_non_null(s);
	assert_string_equal(s->type, "tool");
	const struct kb_technique *t = kb_technique_find(kb, slice_cstr("t1059.001"));
	assert_non_null(t);
	assert_string_equal(t->name, "PowerShell");
	assert_string_equal(t->parent, "T1059");
	assert_string_equal(t->tactics.v[0], "execution");
	assert_null(kb_technique_find(kb, slice_cstr("T1059"))->parent);
	const struct kb_campaign *c = kb_campaign_find(kb, slice_cstr("operation cobalt kitty"));
	assert_non_null(c);
	assert_string_equal(c->group, "APT32");
	assert_string_equal(c->attack_id, "C0900");
	kb_free(kb);
}

static bool has_conflict(const struct kb *kb, const char *kind, const char *subject,
			 const char *a_part, const char *b_part)
{
	for (size_t i = 0; i < kb_conflict_count(kb); i++) {
		const struct kb_conflict *c = kb_conflict_at(kb, i);
		if (!strcmp(c->kind, kind) && !strcmp(c->subject, subject) &&
		    strstr(c->a, a_part) && strstr(c->b, b_part))
			return true;
	}
	return false;
}

static void test_conflicts(void **state)
{
	struct kb *kb = fixture_kb();
	/* the revoked ATT&CK name "Old Name Group" is APT32's now; MISP's "Old Name
	 * Group" (CN) joins it, and the country it brings is a conflict */
	assert_true(has_conflict(kb, "country", "APT32", "VN", "CN"));
	/* Lazarus (360.net) claims APT38, which nobody else holds here: no conflict;
	 * 360.net's APT-C-39 went to the group the sources link (Longhorn) */
	assert_false(has_conflict(kb, "apt-c", "APT-C-39", "", ""));
	for (size_t i = 0; i < kb_conflict_count(kb); i++) {
		const struct kb_conflict *c = kb_conflict_at(kb, i);
		assert_true(c->kind[0] && c->subject[0] && c->a[0] && c->b[0]);
	}
	/* an APT-C number claimed by two sources: 360.net keeps it */
	struct kb *k2;
	assert_int_equal(kb_new(&k2), 0);
	static const char ta[] =
	    "{\"type\":\"threat-actor\",\"values\":[{\"value\":\"Alpha\",\"uuid\":\"u-1\","
	    "\"meta\":{\"synonyms\":[\"APT-C-99\"],\"country\":\"CN\"}},"
	    "{\"value\":\"Beta\",\"uuid\":\"u-2\",\"meta\":{\"country\":\"IN\","
	    "\"synonyms\":[\"Shared Name\"]}},"
	    "{\"value\":\"Gamma\",\"uuid\":\"u-3\",\"meta\":{\"country\":\"PK\","
	    "\"synonyms\":[\"Shared-Name\"]}},"
	    "{\"value\":\"Epsilon\",\"uuid\":\"u-5\",\"related\":[{\"dest-uuid\":\"u-1\","
	    "\"type\":\"similar\"}]}]}";
	static const char n360[] = "{\"type\":\"360net-threat-actor\",\"values\":["
				   "{\"value\":\"Beta - APT-C-99\",\"uuid\":\"u-9\","
				   "\"meta\":{\"country\":\"india\"}},"
				   "{\"value\":\"Delta - APT-C-98\",\"uuid\":\"u-8\","
				   "\"meta\":{\"country\":\"southeast\"}}]}";
	assert_int_equal(kb_import_mem(k2, "ta", ta, sizeof ta - 1, NULL, NULL), 0);
	assert_int_equal(kb_import_mem(k2, "360", n360, sizeof n360 - 1, NULL, NULL), 0);
	assert_string_equal(kb_group_find(k2, slice_cstr("APT-C-99"))->name, "Beta");
	/* a "similar" link alone keeps two groups apart, and says so */
	assert_ptr_not_equal(kb_group_find(k2, slice_cstr("Epsilon")),
			     kb_group_find(k2, slice_cstr("Alpha")));
	assert_true(has_conflict(k2, "merge", "Epsilon", "kept apart as Epsilon",
				 "linked as similar to Alpha"));
	/* 360.net's "southeast" is a region, not a country */
	assert_true(has_conflict(k2, "country", "Delta", "unknown", "southeast"));
	assert_string_equal(kb_group_find(k2, slice_cstr("APT-C-98"))->country, "");
	assert_string_equal(kb_group_find(k2, slice_cstr("APT-C-98"))->region,
			    "South-eastern Asia");
	/* and the region survives an export and a reload */
	struct buf e = BUF_INIT;
	assert_int_equal(kb_export(k2, &e), 0);
	struct kb *k3;
	assert_int_equal(kb_new(&k3), 0);
	assert_int_equal(kb_import_mem(k3, "export", e.data, e.len, NULL, NULL), 0);
	assert_string_equal(kb_group_find(k3, slice_cstr("APT-C-98"))->region,
			    "South-eastern Asia");
	kb_free(k3);
	buf_free(&e);
	assert_true(has_conflict(k2, "apt-c", "APT-C-99", "Beta (360net)", "Alpha"));
	bool listed = false;
	const struct kb_group *alpha = kb_group_find(k2, slice_cstr("Alpha"));
	for (uint32_t i = 0; i < alpha->aliases.n; i++)
		listed |= !strcmp(alpha->aliases.v[i], "APT-C-99");
	assert_false(listed);
	/* "Shared Name" and "Shared-Name" fold alike: Gamma merged into Beta by the
	 * shared alias, or, if not, a folded-alias conflict — never silence */
	const struct kb_group *gamma = kb_group_find(k2, slice_cstr("Gamma"));
	assert_non_null(gamma);
	if (gamma != kb_group_find(k2, slice_cstr("Beta")))
		assert_true(has_conflict(k2, "folded-alias", "Shared-Name", "Beta", "Gamma"));
	else
		assert_true(has_conflict(k2, "country", "Beta", "IN", "PK"));
	kb_free(k2);
	kb_free(kb);
}

static void test_order_independent(void **state)
{
	const char *a[] = {fixture("pass_attack_mini.json"), fixture("pass_threat_actor.json"),
			   fixture("pass_360net.json")};
	const char *b[] = {fixture("pass_360net.json"), fixture("pass_threat_actor.json"),
			   fixture("pass_attack_mini.json")};
	struct kb *ka, *kb;
	assert_int_equal(kb_load_files(&ka, a, 3, NULL), 0);
	assert_int_equal(kb_load_files(&kb, b, 3, NULL), 0);
	struct buf ea = BUF_INIT, eb = BUF_INIT;
	assert_int_equal(kb_export(ka, &ea), 0);
	assert_int_equal(kb_export(kb, &eb), 0);
	assert_int_equal(ea.len, eb.len);
	assert_memory_equal(ea.data, eb.data, ea.len);
	buf_free(&ea);
	buf_free(&eb);
	kb_free(ka);
	kb_free(kb);
}

static void test_stix_skips(void **state)
{
	struct kb *kb;
	struct kb_import_stats st = {0};
	struct diag_sink sink;
	diag_sink_init(&sink, NULL);
	assert_int_equal(kb_new(&kb), 0);
	assert_int_equal(kb_import_file(kb, fixture("pass_attack_mini.json"), &sink, &st), 0);
	assert_int_equal(st.groups, 3);
	assert_int_equal(st.software, 2);
	assert_int_equal(st.techniques, 3);
	assert_int_equal(st.campaigns, 1);
	assert_int_equal(st.indicators, 1);
	/* revoked group, deprecated group, no-type object, uses → unknown malware,
	 * uses from the deprecated group */
	assert_int_equal(st.skipped, 5);
	assert_int_equal(sink.total, 5);
	diag_sink_fini(&sink);
	kb_free(kb);
}

/* Software keeps its own techniques, and a software page saying who uses it
 * ties it to that group; a page that only compares it with a group's
 * malware ties nothing. Both survive export and re-import. A short name
 * finds the group named "<name> Group" before another group's alias. */
static void test_stix_software(void **state)
{
	struct kb *kb, *k2;
	struct buf a = BUF_INIT;
	assert_int_equal(kb_new(&kb), 0);
	assert_int_equal(kb_import_file(kb, fixture("pass_attack_software.json"), NULL, NULL), 0);
	assert_int_equal(kb_export(kb, &a), 0);
	assert_int_equal(kb_new(&k2), 0);
	assert_int_equal(kb_import_mem(k2, "export", a.data, a.len, NULL, NULL), 0);
	for (int i = 0; i < 2; i++) {
		struct kb *k = i ? k2 : kb;
		const struct kb_software *x = kb_software_find(k, slice_cstr("LoaderX"));
		const struct kb_software *c = kb_software_find(k, slice_cstr("S9002"));
		const struct kb_group *alpha = kb_group_find(k, slice_cstr("G9001"));
		const struct kb_group *beta = kb_group_find(k, slice_cstr("Beta Group"));
		assert_non_null(x);
		assert_non_null(c);
		assert_non_null(alpha);
		assert_non_null(beta);
		assert_int_equal(x->techniques.n, 1);
		assert_string_equal(x->techniques.v[0], "T1027");
		assert_int_equal(c->techniques.n, 1);
		assert_string_equal(c->techniques.v[0], "T1105");
		assert_int_equal(x->groups.n, 1);
		assert_string_equal(x->groups.v[0], "Alpha Group");
		assert_int_equal(alpha->software.n, 1);
		assert_string_equal(alpha->software.v[0], "LoaderX");
		assert_int_equal(c->groups.n, 0);
		assert_int_equal(beta->software.n, 0);
		assert_int_equal(beta->techniques.n, 1);
		/* "Alpha" is Beta Group's alias, but the short name of Alpha Group */
		assert_ptr_equal(kb_group_find(k, slice_cstr("alpha ")), alpha);
		assert_null(kb_group_find(k, slice_cstr("Gamma")));
	}
	buf_free(&a);
	kb_free(k2);
	kb_free(kb);
}

static void test_stix_origin(void **state)
{
	struct kb *kb;
	struct kb_import_stats st = {0};
	assert_int_equal(kb_new(&kb), 0);
	assert_int_equal(kb_import_file(kb, fixture("pass_stix_origin.json"), NULL, &st), 0);
	const struct kb_group *g = kb_group_find(kb, slice_cstr("example-1"));
	assert_non_null(g);
	assert_string_equal(g->country, "CN");
	assert_string_equal(g->region, "Eastern Asia");
	assert_null(g->attack_id);
	assert_int_equal(st.skipped, 1); /* a location without a country */
	kb_free(kb);
}

static void test_feed_and_reimport(void **state)
{
	/* a MISP feed directory: the manifest is skipped, the events are read */
	struct kb *kb = fixture_kb();
	struct diag_sink sink;
	diag_sink_init(&sink, NULL);
	const char *dir[] = {fixture("feed")};
	assert_int_equal(kb_import_files(kb, dir, 1, &sink, NULL), 0);
	const struct kb_group *g = kb_group_find(kb, slice_cstr("APT28"));
	bool ip = false, url = false;
	for (uint32_t i = 0; i < g->indicators.n; i++) {
		ip |= !strcmp(g->indicators.v[i], "ip-dst:203.0.113.9");
		url |= !strcmp(g->indicators.v[i], "url:http://login.example-mail.net/owa");
	}
	assert_true(ip && url);
	assert_int_equal(sink.total, 1); /* the note about manifest.json */
	diag_sink_fini(&sink);
	/* importing what is already there changes nothing */
	struct buf a = BUF_INIT, b = BUF_INIT;
	assert_int_equal(kb_export(kb, &a), 0);
	const char *again[] = {fixture("pass_attack_mini.json"), fixture("pass_threat_actor.json"),
			       fixture("pass_360net.json"), fixture("feed")};
	assert_int_equal(kb_import_files(kb, again, 4, NULL, NULL), 0);
	assert_int_equal(kb_export(kb, &b), 0);
	assert_int_equal(a.len, b.len);
	assert_memory_equal(a.data, b.data, a.len);
	buf_free(&a);
	buf_free(&b);
	kb_free(kb);
}

static void test_misp_skips(void **state)
{
	struct kb *kb;
	struct kb_import_stats st = {0};
	assert_int_equal(kb_new(&kb), 0);
	assert_int_equal(kb_import_file(kb, fixture("pass_threat_actor.json"), NULL, &st), 0);
	assert_int_equal(st.groups, 5);
	assert_int_equal(st.skipped, 2); /* empty value, non-object */
	memset(&st, 0, sizeof st);
	assert_int_equal(kb_import_file(kb, fixture("pass_misp_event.json"), NULL, &st), 0);
	assert_int_equal(st.skipped, 2); /* event without an actor, non-event */
	kb_free(kb);
}

/* --- malformed input ------------------------------------------------------------ */

static void test_malformed(void **state)
{
	static const struct {
		const char *text;
		int rc; /* 0: imported (maybe skipping); else the error */
	} rows[] = {
	    {"", AS_EFORMAT},
	    {"   ", AS_EFORMAT},
	    {"hello", AS_EFORMAT},
	    {"{", AS_EPARSE},
	    {"[1,2", AS_EPARSE},
	    {"{\"type\":\"bundle\"}", AS_EFORMAT},
	    {"{\"type\":\"bundle\",\"objects\":{}}", AS_EFORMAT},
	    {"{\"type\":\"bundle\",\"objects\":[1,\"x\",null,{},{\"type\":7}]}", 0},
	    {"{\"type\":\"bundle\",\"objects\":[{\"type\":\"intrusion-set\",\"id\":\"x\"}]}", 0},
	    {"{\"type\":\"bundle\",\"objects\":[{\"type\":\"intrusion-set\",\"id\":\"x\","
	     "\"name\":\"   \"}]}",
	     0},
	    {"{\"type\":\"bundle\",\"objects\":[{\"type\":\"relationship\",\"id\":\"r\","
	     "\"relationship_type\":\"uses\",\"source_ref\":\"intrusion-set--x\","
	     "\"target_ref\":\"tool--y\"}]}",
	     0},
	    {"{\"type\":\"bundle\",\"objects\":[{\"type\":\"attack-pattern\",\"id\":\"a\","
	     "\"name\":\"N\",\"external_references\":[{\"source_name\":\"mitre-attack\","
	     "\"external_id\":\"\"}]}]}",
	     0},
	    {"{\"values\":[]}", 0},
	    {"{\"type\":\"threat-actor\",\"values\":7}", AS_EFORMAT},
	    {"{\"type\":\"threat-actor\",\"values\":[{\"value\":\"A\",\"meta\":"
	     "{\"synonyms\":\"B\",\"country\":7,\"refs\":{},\"name-attribution\":[1,\":\"]}}]}",
	     0},
	    {"{\"type\":\"360net-threat-actor\",\"values\":[{\"value\":\" - \"},"
	     "{\"value\":\"x - \"}]}",
	     0},
	    {"{\"type\":\"unknown-galaxy\",\"values\":[{\"value\":\"A\"}]}", 0},
	    {"{\"Event\":{}}", 0},
	    {"{\"Event\":{\"Tag\":[{\"name\":\"misp-galaxy:threat-actor=\\\"\"}]}}", 0},
	    {"[{\"Event\":7}]", 0},
	    {"{\"vulnerabilities\":[{\"cve\":{\"id\":\"CVE-\"}},{\"cveID\":\"CVE-1\"},7]}", 0},
	    {"{\"type\":\"aptscope-kb\",\"version\":1}\n{bad json\n{\"type\":\"group\"}\n"
	     "{\"type\":\"cve\",\"id\":\"x\"}\n[]\n",
	     0},
	    {"cveID,dateAdded\n\"open quote,2020-01-01\n,\n", 0},
	    {"cveID,vendorProject\nCVE-2020-0001,x\n", AS_EFORMAT},
	};
	for (size_t i = 0; i < sizeof rows / sizeof rows[0]; i++) {
		struct kb *kb;
		assert_int_equal(kb_new(&kb), 0);
		int rc = kb_import_mem(kb, "mem", rows[i].text, strlen(rows[i].text), NULL, NULL);
		if (rc != rows[i].rc)
			fail_msg("row %zu: %s, want %s", i, as_strerror(rc),
				 as_strerror(rows[i].rc));
		/* whatever got in resolves */
		for (size_t k = 0; k < kb_group_count(kb); k++)
			assert_non_null(kb_group_find(kb, slice_cstr(kb_group_at(kb, k)->name)));
		kb_free(kb);
	}
	struct kb *kb;
	assert_int_equal(kb_new(&kb), 0);
	assert_int_equal(kb_import_file(kb, fixture("no_such_file.json"), NULL, NULL), AS_ENOENT);
	kb_free(kb);
	kb_free(NULL);
}

/* --- CVEs --------------------------------------------------------------------------- */

static void test_cves(void **state)
{
	struct kb *kb = fixture_kb();
	const struct kb_cve *c = kb_cve_find(kb, slice_cstr("cve-2021-44228"));
	assert_non_null(c);
	assert_string_equal(c->id, "CVE-2021-44228");
	assert_true(c->published >= day(2021, 12, 10) && c->published < day(2021, 12, 11));
	assert_int_equal(c->kev_added, day(2021, 12, 10));
	assert_true(c->known_exploited);
	assert_int_equal(c->fixed, AS_TIME_NONE);
	assert_string_equal(c->products.v[0], "apache:log4j");
	c = kb_cve_find(kb, slice_cstr("CVE-2023-20198"));
	assert_non_null(c);
	assert_int_equal(c->kev_added, day(2023, 10, 16)); /* from the CSV */
	assert_true(c->known_exploited);
	bool net = false;
	for (uint32_t i = 0; i < c->platforms.n; i++)
		net |= !strcmp(c->platforms.v[i], "network");
	assert_true(net);
	c = kb_cve_find(kb, slice_cstr("CVE-2024-0001"));
	assert_false(c->known_exploited);
	assert_int_equal(c->kev_added, AS_TIME_NONE);
	assert_int_equal(c->products.n, 1); /* the non-vulnerable CPE is only a platform */
	assert_string_equal(c->platforms.v[0], "windows");
	c = kb_cve_find(kb, slice_cstr("CVE-2019-0708"));
	assert_non_null(c);
	assert_int_equal(c->kev_added, day(2021, 11, 3));
	assert_int_equal(c->published, AS_TIME_NONE);
	assert_non_null(kb_cve_find(kb, slice_cstr("CVE-2022-41040")));
	assert_null(kb_cve_find(kb, slice_cstr("CVE-1999-0001")));
	struct kb_stats st;
	kb_stats_get(kb, &st);
	assert_int_equal(st.cves, 5);
	assert_int_equal(st.kev, 4);
	kb_free(kb);
}

/* --- assets --------------------------------------------------------------------------- */

static void assets_check(const char *file)
{
	struct kb *kb;
	struct diag_sink sink;
	diag_sink_init(&sink, NULL);
	assert_int_equal(kb_new(&kb), 0);
	assert_int_equal(kb_assets_load(kb, fixture(file), &sink), 0);
	assert_int_equal(sink.total, 3); /* bad CIDR, bad kind, bad country */
	static const struct {
		const char *ip, *host, *path, *org, *sector;
	} rows[] = {
	    {"10.20.1.1", "", "", "Ministry of Examples", "government"},
	    {"10.20.30.5", "", "", "Example Aerospace Institute", "aerospace"}, /* longest prefix */
	    {"", "mail.UNI.example.edu", "", "Example University", "education"},
	    {"", "dc-01.corp.example", "", "Example Energy Co", "energy"},
	    {"", "", "/var/log/shipyard/auth.log", "Example Shipbuilding", "shipbuilding"},
	    {"2001:db8::1", "", "", "Example Telecom", "telecommunications"},
	    {"192.0.2.1", "dc-001.corp.example", "/var/log/x.log", NULL, NULL},
	};
	for (size_t i = 0; i < sizeof rows / sizeof rows[0]; i++) {
		struct ip ip = {0};
		if (rows[i].ip[0])
			assert_int_equal(ip_parse(slice_cstr(rows[i].ip), &ip), 0);
		struct kb_asset_hit hit;
		int rc = kb_asset_match(kb, rows[i].ip[0] ? &ip : NULL, slice_cstr(rows[i].host),
					slice_cstr(rows[i].path), &hit);
		if (!rows[i].org) {
			assert_int_equal(rc, AS_ENOTFOUND);
			continue;
		}
		assert_int_equal(rc, 0);
		assert_string_equal(hit.org, rows[i].org);
		assert_string_equal(hit.sector, rows[i].sector);
	}
	struct kb_asset_hit hit;
	struct ip ip;
	ip_parse(slice_cstr("10.20.1.1"), &ip);
	assert_int_equal(kb_asset_match(kb, &ip, SLICE_NULL, SLICE_NULL, &hit), 0);
	assert_string_equal(hit.country, "CN");
	assert_int_equal(kb_assets_load(kb, fixture("no_such.csv"), NULL), AS_ENOENT);
	diag_sink_fini(&sink);
	kb_free(kb);
}

static void test_assets(void **state)
{
	assets_check("pass_assets.csv");
	assets_check("pass_assets.yaml");
	/* broken YAML is reported, not fatal */
	struct kb *kb;
	struct diag_sink sink;
	diag_sink_init(&sink, NULL);
	assert_int_equal(kb_new(&kb), 0);
	static const char bad[] = "assets:\n  - {kind: cidr, value: [1, 2\n";
	assert_int_equal(kb_assets_load_mem(kb, "bad.yaml", bad, sizeof bad - 1, &sink), 0);
	assert_true(sink.total >= 1);
	diag_sink_fini(&sink);
	kb_free(kb);
}

/* --- persistence ------------------------------------------------------------------------ */

static void test_export_roundtrip(void **state)
{
	struct kb *kb = fixture_kb();
	struct buf a = BUF_INIT, b = BUF_INIT;
	assert_int_equal(kb_export(kb, &a), 0);
	struct kb *k2;
	assert_int_equal(kb_new(&k2), 0);
	assert_int_equal(kb_import_mem(k2, "export", a.data, a.len, NULL, NULL), 0);
	assert_int_equal(kb_export(k2, &b), 0);
	assert_int_equal(a.len, b.len);
	assert_memory_equal(a.data, b.data, a.len);
	struct kb_stats s1, s2;
	kb_stats_get(kb, &s1);
	kb_stats_get(k2, &s2);
	assert_memory_equal(&s1, &s2, sizeof s1);
	buf_free(&a);
	buf_free(&b);
	kb_free(k2);
	kb_free(kb);
}

/* Each line of text but the header with a key jansson alone reads (an
 * escape \u) put first, so that it is parsed as it was before lines were
 * scanned. */
static void through_jansson(const char *text, size_t len, struct buf *out)
{
	const char *p = text, *end = text + len;
	for (bool header = true; p < end; header = false) {
		const char *nl = memchr(p, '\n', (size_t)(end - p));
		const char *e = nl ? nl : end;
		if (!header && e > p && *p == '{') {
			const char *q = p + 1;
			while (q < e && *q == ' ')
				q++;
			buf_puts(out, "{\"zz\":\"\\u0041\"");
			buf_puts(out, q < e && *q == '}' ? "" : ",");
			buf_append(out, p + 1, (size_t)(e - p - 1));
		} else {
			buf_append(out, p, (size_t)(e - p));
		}
		buf_putc(out, '\n');
		p = e + 1;
	}
}

/* The kb of text read line by line as scanned and as jansson reads it:
 * the same exports, counts and skipped lines. */
static void same_both_ways(const char *text, size_t len)
{
	struct buf jt = BUF_INIT, ea = BUF_INIT, eb = BUF_INIT;
	through_jansson(text, len, &jt);
	struct kb *ka, *kb;
	struct kb_import_stats sa = {0}, sb = {0};
	assert_int_equal(kb_new(&ka), 0);
	assert_int_equal(kb_new(&kb), 0);
	assert_int_equal(kb_import_mem(ka, "scan", text, len, NULL, &sa), 0);
	assert_int_equal(kb_import_mem(kb, "jansson", jt.data, jt.len, NULL, &sb), 0);
	assert_int_equal(kb_export(ka, &ea), 0);
	assert_int_equal(kb_export(kb, &eb), 0);
	if (ea.len != eb.len || memcmp(ea.data, eb.data, ea.len))
		fail_msg("scanned:\n%s\njansson:\n%s", ea.data, eb.data);
	assert_int_equal(sa.objects, sb.objects);
	assert_int_equal(sa.skipped, sb.skipped);
	struct kb_stats s1, s2;
	kb_stats_get(ka, &s1);
	kb_stats_get(kb, &s2);
	assert_memory_equal(&s1, &s2, sizeof s1);
	buf_free(&jt);
	buf_free(&ea);
	buf_free(&eb);
	kb_free(ka);
	kb_free(kb);
}

static void test_kb_lines(void **state)
{
	static const char *const lines[] = {
	    "{\"type\":\"group\",\"name\":\"G1\",\"aliases\":[\"a\",\"b\"],\"aliases\":[]}",
	    "{\"type\":\"group\",\"name\":\"G2\",\"country_rank\":20.0,\"country\":\"KP\"}",
	    "{\"type\":\"group\",\"name\":\"G3\",\"country_rank\":012}",
	    "{\"type\":\"group\",\"name\":\"G\\\"4\\/x\\\\y\\n\",\"aliases\":[\"tab\\there\"]}",
	    "{\"type\":\"group\",\"name\":\"G5\",\"sponsor\":null,\"country\":\"Iran\"}",
	    "{\"type\":\"software\",\"name\":\"S1\",\"kind\":\"tool\",\"aliases\":[\"x\",1,\"y\"]}",
	    "{\"type\":\"group\",\"name\":\"G6\xff\"}",
	    "{\"type\":\"group\",\"name\":\"G6b\xc0\xaf\"}",
	    "{\"type\":\"group\",\"name\":\"G6c\xed\xa0\x80\"}",
	    "{\"type\":\"group\",\"name\":\"G7\"} x",
	    "{\"type\":\"group\",\"name\":\"G7b\",}",
	    "{\"type\":\"technique\",\"id\":\"T1000\",\"name\":\"N\",\"tactics\":[\"a\"],"
	    "\"x\":{\"y\":1}}",
	    "{\"type\":\"cve\",\"id\":\"CVE-2020-0001\",\"known_exploited\":true,"
	    "\"published\":\"2020-01-02T00:00:00Z\",\"products\":[\"p\"]}",
	    "{\"type\":\"cve\",\"id\":\"CVE-2020-0002\",\"known_exploited\":1}",
	    "{}",
	    "[]",
	    "{\"type\":5}",
	    "{\"type\":\"group\",\"name\":\"G8\",\"country_rank\":99999999999999999999}",
	    "{\"type\":\"group\",\"name\":\"G9\",\"country_rank\":-3,\"country\":\"CN\","
	    "\"first_seen\":\"2015-01-01T00:00:00Z\"}",
	    "{\"type\":\"group\",\"name\":\"G10 \xe4\xb8\xad\xe6\x96\x87\","
	    "\"aliases\":[\"\xe6\xb5\xb7\xe8\x8e\xb2\xe8\x8a\xb1\", \"  spaced  \"]}",
	    "{\"type\":\"group\",\"name\":\"G11\",\"name\":\"G12\"}",
	    "{\"type\":\"group\",\"name\":\"G13\",\"unknown\":[1,2],\"other\":false}",
	    "  {\"type\" : \"campaign\" , \"name\" : \"C1\", \"uuids\" : [ \"u1\" , \"u2\" ],"
	    " \"group\":\"G9\", \"last_seen\":\"2016-01-01T00:00:00Z\" }  ",
	    "{\"type\":\"conflict\",\"kind\":\"country\",\"subject\":\"G9\",\"a\":\"CN\","
	    "\"b\":\"RU\"}",
	    "{\"type\":\"conflict\",\"kind\":\"country\",\"subject\":\"G9\",\"a\":\"CN\"}",
	    "{\"type\":\"group\",\"name\":\"G14\",\"aliases\":[\"\\u0041\"]}",
	    "{\"type\":\"group\",\"name\":\"G15\",\"aliases\":\"not a list\"}",
	    "{\"type\":\"group\",\"name\":\"",
	    /* strings read sixteen bytes at a time: what stops a run at, just
	     * before and just after the sixteenth byte, and at the line's end */
	    "{\"type\":\"group\",\"name\":\"G16-456789abcdef\"}",
	    "{\"type\":\"group\",\"name\":\"G17-456789abcde\\\"f0123456789abcdef\"}",
	    "{\"type\":\"group\",\"name\":\"G18-456789abcdef\\\\0123456789abcde\\/\"}",
	    "{\"type\":\"group\",\"name\":\"G19-456789abcdef0\\n23456789abcdef0123456789\"}",
	    "{\"type\":\"group\",\"name\":\"G20-456789abcdef\x01\"}",
	    "{\"type\":\"group\",\"name\":\"G21-456789abcde\x1f\"}",
	    "{\"type\":\"group\",\"name\":\"G22-456789abcdef\x20\x7f\x80\"}",
	    "{\"type\":\"group\",\"name\":\"G23-456789abcdef0123456789\\q\"}",
	    "{\"type\":\"group\",\"name\":\"G24-456789abcdef0123456789\\",
	    "{\"type\":\"group\",\"name\":\"G25-456789abcdef0123456789\\\"",
	    "{\"type\":\"group\",\"name\":\"G26\",\"aliases\":[\"0123456789abcdef\","
	    "\"0123456789abcde\\t\","
	    "\"0123456789ABCDEF\"]}",
	};
	struct buf text = BUF_INIT;
	for (size_t i = 0; i < sizeof lines / sizeof *lines; i++) {
		buf_reset(&text);
		buf_printf(&text, "{\"type\":\"aptscope-kb\",\"version\":1}\n%s\n", lines[i]);
		same_both_ways(text.data, text.len);
	}
	/* every line of the bundled default, as exported */
	struct kb *kb;
	assert_int_equal(kb_load_default(&kb, NULL), 0);
	buf_reset(&text);
	assert_int_equal(kb_export(kb, &text), 0);
	same_both_ways(text.data, text.len);
	kb_free(kb);
	buf_free(&text);
}

static void test_store(void **state)
{
	char path[] = "test_intel_XXXXXX";
	int fd = mkstemp(path);
	assert_true(fd >= 0);
	close(fd);
	unlink(path);
	char seed[1200];
	snprintf(seed, sizeof seed, "%s/intel/seed", data_dir);
	setenv("APTSCOPE_DATA", seed, 1);

	struct store *st;
	assert_int_equal(store_open(&st, path, NULL), 0);
	struct kb *kb;
	assert_int_equal(kb_open(&kb, st), 0); /* seeded from the bundled default */
	const struct kb_group *g = kb_group_find(kb, slice_cstr("APT-C-00"));
	assert_non_null(g);
	assert_string_equal(g->attack_id, "G0050");
	assert_null(kb_cve_find(kb, slice_cstr("CVE-2021-44228")));
	assert_int_equal(kb_import_file(kb, fixture("pass_kev.json"), NULL, NULL), 0);
	assert_int_equal(kb_save(kb, st), 0);
	struct buf a = BUF_INIT, b = BUF_INIT;
	assert_int_equal(kb_export(kb, &a), 0);
	kb_free(kb);
	store_close(st);

	/* a newer bundled default is merged in; what was imported stays */
	snprintf(seed, sizeof seed, "%s/intel/seed2", data_dir);
	setenv("APTSCOPE_DATA", seed, 1);
	assert_int_equal(store_open(&st, path, NULL), 0);
	assert_int_equal(kb_open(&kb, st), 0);
	assert_non_null(kb_cve_find(kb, slice_cstr("CVE-2021-44228")));
	assert_non_null(kb_group_find(kb, slice_cstr("APT-C-00")));
	assert_non_null(kb_group_find(kb, slice_cstr("Example Panda")));
	buf_reset(&a);
	assert_int_equal(kb_export(kb, &a), 0);
	kb_free(kb);
	store_close(st);

	setenv("APTSCOPE_DATA", "/nonexistent", 1); /* the store must not lose anything */
	assert_int_equal(store_open(&st, path, NULL), 0);
	assert_int_equal(kb_open(&kb, st), 0);
	assert_non_null(kb_cve_find(kb, slice_cstr("CVE-2021-44228")));
	assert_int_equal(kb_export(kb, &b), 0);
	assert_int_equal(a.len, b.len);
	assert_memory_equal(a.data, b.data, a.len);
	/* the alias table is there for SQL */
	kb_free(kb);
	store_close(st);
	buf_free(&a);
	buf_free(&b);
	unlink(path);
	char side[64];
	snprintf(side, sizeof side, "%s-wal", path);
	unlink(side);
	snprintf(side, sizeof side, "%s-shm", path);
	unlink(side);
	unsetenv("APTSCOPE_DATA");
}

int main(void)
{
	hash_seed_init();
	const char *d = getenv("APTSCOPE_TEST_DATA");
	snprintf(data_dir, sizeof data_dir, "%s", d ? d : "tests/data");
	const struct CMUnitTest tests[] = {
	    cmocka_unit_test(test_strv),
	    cmocka_unit_test(test_region_table),
	    cmocka_unit_test(test_sector_map),
	    cmocka_unit_test(test_alias_resolution),
	    cmocka_unit_test(test_group_facts),
	    cmocka_unit_test(test_conflicts),
	    cmocka_unit_test(test_order_independent),
	    cmocka_unit_test(test_stix_skips),
	    cmocka_unit_test(test_stix_origin),
	    cmocka_unit_test(test_stix_software),
	    cmocka_unit_test(test_feed_and_reimport),
	    cmocka_unit_test(test_misp_skips),
	    cmocka_unit_test(test_malformed),
	    cmocka_unit_test(test_cves),
	    cmocka_unit_test(test_assets),
	    cmocka_unit_test(test_export_roundtrip),
	    cmocka_unit_test(test_kb_lines),
	    cmocka_unit_test(test_store),
	};
	return cmocka_run_group_tests(tests, NULL, NULL);
}
