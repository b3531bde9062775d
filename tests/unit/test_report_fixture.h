/*
 * test_report_fixture.h — a realistic store for the report tests: a year
 * of incidents against organisations of several sectors and countries,
 * attributed to known groups (with APT-C aliases and regions), new clusters,
 * unattributed ones, 0/1/n-day CVEs on desktop and mobile platforms, a
 * supply-chain trojan, brute force and DDoS against a service, Cobalt
 * Strike, campaigns — plus rows the report must survive (broken JSON, an
 * incident with only an id, fields of the wrong type).
 *
 * The incidents are made by a fixed pseudo-random sequence so every run
 * writes the same store; the tests recompute the figures from it with SQL
 * and jansson, independently of src/report/.
 */
#ifndef TEST_REPORT_FIXTURE_H
#define TEST_REPORT_FIXTURE_H

#include <sqlite3.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "core/json.h"
#include "correlate/incident.h"
#include "store/store.h"

static unsigned fx_rng = 12345;
static unsigned fx_next(unsigned n)
{
	fx_rng = fx_rng * 1103515245u + 12345u;
	return (fx_rng >> 16) % n;
}

struct fx_group {
	const char *name, *id, *country, *region;
	const char *aliases[3];
};

static const struct fx_group fx_groups[] = {
    {"APT32", "G0050", "VN", "South-eastern Asia", {"OceanLotus", "APT-C-00", "SeaLotus"}},
    {"Patchwork", "G0040", "IN", "Southern Asia", {"Dropping Elephant", "APT-C-09", NULL}},
    {"APT29", "G0016", "RU", "Eastern Europe", {"Cozy Bear", "NOBELIUM", NULL}},
    {"Equation", "G0020", "US", "Northern America", {"APT-C-40", NULL, NULL}},
    {"Lazarus Group", "G0032", "KP", "Eastern Asia", {"HIDDEN COBRA", "APT-C-26", NULL}},
};
static const char *const fx_sectors[] = {"government", "government", "government", "education",
					 "education",  "research",   "defense",    "transportation",
					 "aerospace",  "finance"};
static const char *const fx_countries[] = {"CN", "CN", "CN", "VN", "DE"};
static const char *const fx_classes[] = {"0day", "1day", "nday", "nday", "unknown"};
static const char *const fx_platforms[] = {"windows", "linux", "android", "ios", "windows"};
static const char *const fx_stages[] = {"initial-access",   "execution",    "persistence",
					"lateral-movement", "exfiltration", "impact"};

static void fx_incident(struct buf *b, int i, int month, int day)
{
	struct jw w;
	char id[32], t1[32], t2[32], org[32];
	snprintf(id, sizeof id, "inc-%016x", (unsigned)(0x1000 + i));
	snprintf(t1, sizeof t1, "%04d-%02d-%02dT%02d:00:00Z", month > 12 ? 2026 : 2025,
		 (month - 1) % 12 + 1, day, fx_next(24));
	snprintf(t2, sizeof t2, "%04d-%02d-%02dT23:59:00Z", month > 12 ? 2026 : 2025,
		 (month - 1) % 12 + 1, day);
	unsigned orgn = fx_next(12);
	snprintf(org, sizeof org, "org-%02u", orgn);
	unsigned kind = fx_next(10); /* 0-5 apt, 6 supply, 7 bruteforce, 8 ddos, 9 exploit */
	jw_init(&w, b);
	jw_obj(&w);
	jw_kcstr(&w, "type", "incident");
	jw_kcstr(&w, "id", id);
	jw_kcstr(&w, "first_seen", t1);
	jw_kcstr(&w, "last_seen", t2);
	jw_kint(&w, "alert_count", 1 + fx_next(300));
	jw_key(&w, "victim");
	jw_obj(&w);
	jw_key(&w, "hosts");
	jw_arr(&w);
	jw_cstr(&w, kind == 7 || kind == 8 ? "ai-login.example" : "ws-01");
	jw_arr_end(&w);
	if (orgn != 11) { /* org-11 is an unknown victim */
		jw_kcstr(&w, "org", org);
		jw_kcstr(&w, "sector", fx_sectors[orgn % 10]);
		jw_kcstr(&w, "country", fx_countries[orgn % 5]);
	}
	jw_obj_end(&w);
	const char *stage = fx_stages[fx_next(6)];
	jw_key(&w, "tactics");
	jw_arr(&w);
	jw_cstr(&w, "initial-access");
	if (strcmp(stage, "initial-access"))
		jw_cstr(&w, stage);
	jw_arr_end(&w);
	if (fx_next(2))
		jw_kcstr(&w, "stage", stage); /* else the report derives it from tactics */
	jw_key(&w, "techniques");
	jw_arr(&w);
	jw_cstr(&w, "T1566.001");
	jw_cstr(&w, fx_next(2) ? "T1059.001" : "T1105");
	jw_arr_end(&w);
	jw_kcstr(&w, "severity", "high");
	const char *kinds[] = {"apt", "apt",          "apt",        "apt",  "apt",
			       "apt", "supply_chain", "bruteforce", "ddos", "exploit"};
	jw_kcstr(&w, "kind", kinds[kind]);
	jw_key(&w, "cves");
	jw_arr(&w);
	unsigned ncve = kind == 9 ? 2 : fx_next(3) == 0;
	for (unsigned c = 0; c < ncve; c++) {
		char cve[32];
		snprintf(cve, sizeof cve, "CVE-2025-%04u", 1000 + fx_next(6) + c * 10);
		jw_obj(&w);
		jw_kcstr(&w, "id", cve);
		jw_kcstr(&w, "class", fx_classes[fx_next(5)]);
		jw_obj_end(&w);
	}
	jw_arr_end(&w);
	jw_key(&w, "platforms");
	jw_arr(&w);
	/* mobile exploitation grows over the year */
	jw_cstr(&w, fx_next(14) < (unsigned)month ? fx_platforms[2 + fx_next(2)]
						  : fx_platforms[fx_next(2)]);
	jw_arr_end(&w);
	if (kind == 6) {
		jw_key(&w, "supply_chain");
		jw_obj(&w);
		jw_kcstr(&w, "vendor", "SoftUpdate Ltd");
		jw_kcstr(&w, "channel", "update-server");
		jw_obj_end(&w);
	}
	if (i % 7 == 0)
		jw_kcstr(&w, "campaign", i % 2 ? "camp-a" : "camp-b");
	jw_key(&w, "malware");
	jw_arr(&w);
	if (fx_next(4) == 0)
		jw_cstr(&w, "CobaltStrike Beacon");
	if (fx_next(6) == 0)
		jw_cstr(&w, "Sliver");
	jw_cstr(&w, "PlugX");
	jw_arr_end(&w);
	jw_key(&w, "indicators");
	jw_arr(&w);
	jw_obj(&w);
	jw_kcstr(&w, "type", "ipv4");
	char ip[32];
	snprintf(ip, sizeof ip, "203.0.113.%u", fx_next(250));
	jw_kcstr(&w, "value", ip);
	jw_obj_end(&w);
	jw_obj(&w);
	jw_kcstr(&w, "type", "domain");
	jw_kcstr(&w, "value", "it's-bad.example"); /* a quote to escape in STIX patterns */
	jw_obj_end(&w);
	jw_arr_end(&w);
	jw_key(&w, "sources");
	jw_obj(&w);
	jw_key(&w, "countries");
	jw_arr(&w);
	static const char *const src[] = {"US", "NL", "SG", "KR"};
	jw_cstr(&w, src[fx_next(4)]);
	if (kind == 7 || kind == 8)
		jw_cstr(&w, src[fx_next(4)]);
	jw_arr_end(&w);
	jw_obj_end(&w);
	jw_key(&w, "groups");
	jw_arr(&w);
	unsigned verdict =
	    fx_next(10); /* 0-4 attributed, 5 suspected, 6-7 cluster, 8 ioc, 9 none */
	const struct fx_group *g = &fx_groups[fx_next(5)];
	if (verdict == 8)
		jw_cstr(&w, "Turla");
	jw_arr_end(&w);
	jw_kcstr(&w, "story", "An <b>incident</b> & a story.");
	jw_key(&w, "attribution");
	jw_obj(&w);
	if (verdict <= 5) {
		jw_kcstr(&w, "verdict", verdict == 5 ? "suspected" : "attributed");
		jw_key(&w, "candidates");
		jw_arr(&w);
		jw_obj(&w);
		jw_kcstr(&w, "group", g->name);
		jw_kcstr(&w, "id", g->id);
		jw_key(&w, "aliases");
		jw_arr(&w);
		for (int a = 0; a < 3 && g->aliases[a]; a++)
			jw_cstr(&w, g->aliases[a]);
		jw_arr_end(&w);
		jw_kcstr(&w, "country", g->country);
		jw_kcstr(&w, "region", g->region);
		jw_key(&w, "confidence");
		jw_double(&w, 0.8);
		jw_obj_end(&w);
		jw_arr_end(&w);
	} else if (verdict <= 7) {
		jw_kcstr(&w, "verdict", "new-cluster");
		jw_kcstr(&w, "cluster", verdict == 6 ? "UNK-2025-001" : "UNK-2025-002");
	} else {
		jw_kcstr(&w, "verdict", "unattributed");
	}
	jw_obj_end(&w);
	jw_obj_end(&w);
	(void)t2;
}

/* A store at path with n incidents over 2025 (and one month of 2026), plus
 * three odd rows. */
static void fx_store(const char *path, int n)
{
	remove(path);
	struct store *s = NULL;
	if (store_open(&s, path, NULL))
		abort();
	FILE *null = fopen("/dev/null", "w");
	incident_store_list(s, AS_TIME_NONE, true, null); /* creates the incidents table */
	fclose(null);
	sqlite3 *db = store_sqlite(s);
	sqlite3_stmt *st = NULL;
	if (sqlite3_prepare_v2(db,
			       "INSERT INTO incidents (id, first_seen, json) VALUES "
			       "(?, json_extract(?2, '$.first_seen'), ?2)",
			       -1, &st, NULL) != SQLITE_OK)
		abort();
	sqlite3_exec(db, "BEGIN", NULL, NULL, NULL);
	fx_rng = 12345;
	for (int i = 0; i < n; i++) {
		struct buf b = BUF_INIT;
		fx_incident(&b, i, 1 + i * 13 / n, 1 + fx_next(28));
		char id[32];
		snprintf(id, sizeof id, "inc-%016x", (unsigned)(0x1000 + i));
		sqlite3_bind_text(st, 1, id, -1, SQLITE_TRANSIENT);
		sqlite3_bind_text(st, 2, b.data, (int)b.len, SQLITE_TRANSIENT);
		if (sqlite3_step(st) != SQLITE_DONE)
			abort();
		sqlite3_reset(st);
		buf_free(&b);
	}
	sqlite3_finalize(st);
	sqlite3_exec(
	    db,
	    "INSERT INTO incidents (id, first_seen, json) VALUES "
	    "('bad-1', '2025-05-01T00:00:00Z', '{not json'),"
	    "('bad-2', '2025-05-02T00:00:00Z', '{\"first_seen\":\"2025-05-02T00:00:00Z\"}'),"
	    "('odd-1', '2025-05-03T00:00:00Z', '{\"id\":\"odd-1\",\"first_seen\":"
	    "\"2025-05-03T00:00:00Z\",\"victim\":5,\"cves\":\"CVE-1\",\"platforms\":{},"
	    "\"attribution\":{\"verdict\":\"attributed\",\"candidates\":[{}]},"
	    "\"supply_chain\":true,\"malware\":[1,null]}')",
	    NULL, NULL, NULL);
	sqlite3_exec(db, "COMMIT", NULL, NULL, NULL);
	store_close(s);
}

#endif
