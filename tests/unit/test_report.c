/*
 * test_report.c — the threat-landscape report: every figure of the JSON
 * report equals what the store holds, recomputed here with plain SQL
 * (json_extract, json_each) and jansson; the period comparison; lenient
 * reading of odd rows; Markdown and HTML trace every figure to an appendix
 * row; the HTML opens in headless Chromium (skipped when it is absent).
 */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>

#include <cmocka.h>
#include <jansson.h>
#include <math.h>
#include <sqlite3.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/wait.h>
#include <unistd.h>

#include "core/timeparse.h"
#include "intel/intel.h"
#include "report/report.h"
#include "test_report_fixture.h"

#define NINC 400

static const char *db_path(void)
{
	static char path[64];
	snprintf(path, sizeof path, "test_report_%d.db", (int)getpid());
	return path;
}

static int64_t day(const char *d)
{
	char b[32];
	int64_t t;
	snprintf(b, sizeof b, "%sT00:00:00Z", d);
	assert_int_equal(time_parse_rfc3339(slice_cstr(b), &t), 0);
	return t;
}

static int setup(void **state)
{
	fx_store(db_path(), NINC);
	struct store *s = NULL;
	assert_int_equal(store_open(&s, db_path(), NULL), 0);
	*state = s;
	return 0;
}

static int teardown(void **state)
{
	store_close(*state);
	char wal[96];
	remove(db_path());
	snprintf(wal, sizeof wal, "%s-wal", db_path());
	remove(wal);
	snprintf(wal, sizeof wal, "%s-shm", db_path());
	remove(wal);
	return 0;
}

static json_t *render_json(struct store *s, const char *from, const char *to, const char *pfrom,
			   const char *pto)
{
	struct landscape *l = NULL, *p = NULL;
	assert_int_equal(landscape_build(&l, s, NULL, day(from), day(to)), 0);
	if (pfrom)
		assert_int_equal(landscape_build(&p, s, NULL, day(pfrom), day(pto)), 0);
	struct buf b = BUF_INIT;
	assert_int_equal(report_json(l, p, &b), 0);
	json_error_t err;
	json_t *o = json_loadb(b.data, b.len, 0, &err);
	if (!o)
		fail_msg("report JSON does not parse: %s at %d", err.text, err.line);
	buf_free(&b);
	landscape_free(l);
	landscape_free(p);
	return o;
}

/* The incidents of [from, to) as the report should see them: valid JSON with
 * a string id, first_seen in the period. */
#define INC_CTE                                                                                    \
	"WITH inc AS (SELECT json_extract(json, '$.id') AS id, json FROM incidents "               \
	"WHERE json_valid(json) AND json_type(json, '$.id') = 'text' "                             \
	"AND json_extract(json, '$.first_seen') >= ?1 AND json_extract(json, '$.first_seen') < "   \
	"?2) "

/* key → {incident id: rows} from a query of (key, id) rows. */
static json_t *sql_map(struct store *s, const char *from, const char *to, const char *select)
{
	char sql[2048];
	snprintf(sql, sizeof sql, INC_CTE "%s", select);
	sqlite3_stmt *st = NULL;
	if (sqlite3_prepare_v2(store_sqlite(s), sql, -1, &st, NULL) != SQLITE_OK)
		fail_msg("%s: %s", sql, sqlite3_errmsg(store_sqlite(s)));
	sqlite3_bind_text(st, 1, from, -1, SQLITE_TRANSIENT);
	sqlite3_bind_text(st, 2, to, -1, SQLITE_TRANSIENT);
	json_t *m = json_object();
	while (sqlite3_step(st) == SQLITE_ROW) {
		const char *k = (const char *)sqlite3_column_text(st, 0);
		const char *id = (const char *)sqlite3_column_text(st, 1);
		json_t *ids = json_object_get(m, k);
		if (!ids)
			json_object_set_new(m, k, ids = json_object());
		json_int_t n = json_integer_value(json_object_get(ids, id));
		json_object_set_new(ids, id, json_integer(n + 1));
	}
	sqlite3_finalize(st);
	return m;
}

static long long sql_count(struct store *s, const char *from, const char *to, const char *select)
{
	char sql[2048];
	snprintf(sql, sizeof sql, INC_CTE "%s", select);
	sqlite3_stmt *st = NULL;
	if (sqlite3_prepare_v2(store_sqlite(s), sql, -1, &st, NULL) != SQLITE_OK)
		fail_msg("%s: %s", sql, sqlite3_errmsg(store_sqlite(s)));
	sqlite3_bind_text(st, 1, from, -1, SQLITE_TRANSIENT);
	sqlite3_bind_text(st, 2, to, -1, SQLITE_TRANSIENT);
	assert_int_equal(sqlite3_step(st), SQLITE_ROW);
	long long n = sqlite3_column_int64(st, 0);
	sqlite3_finalize(st);
	return n;
}

/* Every row of the report's array equals the expected map, and the other way. */
static void check_rows(json_t *rows, const char *keyname, json_t *expected, long long total)
{
	size_t i, nonzero = 0;
	json_t *r;
	assert_true(json_is_array(rows));
	json_array_foreach(rows, i, r)
	{
		const char *key = json_string_value(json_object_get(r, keyname));
		json_int_t n = json_integer_value(json_object_get(r, "incidents"));
		json_t *ids = json_object_get(r, "incident_ids"),
		       *exp = json_object_get(expected, key);
		assert_non_null(key);
		assert_int_equal(json_array_size(ids), n);
		if (!n)
			continue;
		nonzero++;
		if (!exp)
			fail_msg("%s %s: %lld in the report, none in the store", keyname, key,
				 (long long)n);
		if ((size_t)n != json_object_size(exp))
			fail_msg("%s %s: %lld in the report, %zu in the store", keyname, key,
				 (long long)n, json_object_size(exp));
		json_t *id;
		size_t j;
		json_array_foreach(ids, j, id)
		    assert_non_null(json_object_get(exp, json_string_value(id)));
		json_t *share = json_object_get(r, "share");
		if (share && total)
			assert_true(fabs(json_number_value(share) - (double)n / (double)total) <
				    0.0001);
	}
	assert_int_equal(nonzero, json_object_size(expected));
}

/* The group of an incident by the rule of docs/report.md, recomputed. */
static const char *group_of(json_t *o, const char **region)
{
	json_t *a = json_object_get(o, "attribution");
	const char *v = json_string_value(json_object_get(a, "verdict"));
	json_t *c = json_array_get(json_object_get(a, "candidates"), 0);
	const char *g = json_string_value(json_object_get(c, "group"));
	*region = NULL;
	if (v && (!strcmp(v, "attributed") || !strcmp(v, "suspected")) && g && *g) {
		*region = json_string_value(json_object_get(c, "region"));
		if (!*region)
			*region = "unknown";
		return g;
	}
	if (v && !strcmp(v, "new-cluster") && json_string_value(json_object_get(a, "cluster"))) {
		*region = "new group (origin unknown)";
		return json_string_value(json_object_get(a, "cluster"));
	}
	g = json_string_value(json_array_get(json_object_get(o, "groups"), 0));
	if (g && *g) {
		*region = "unknown";
		return g;
	}
	*region = "unattributed";
	return NULL;
}

static void test_figures_equal_store(void **state)
{
	struct store *s = *state;
	const char *from = "2025-01-01", *to = "2026-01-01";
	json_t *rep = render_json(s, from, to, NULL, NULL);
	long long total = sql_count(s, from, to, "SELECT count(*) FROM inc");
	assert_true(total > 300 && total < NINC + 1); /* the 2026 month is outside */
	json_t *h = json_object_get(rep, "headline");
	assert_int_equal(json_integer_value(json_object_get(h, "incidents")), total);
	assert_int_equal(json_array_size(json_object_get(rep, "incidents")), total);
	assert_int_equal(
	    json_integer_value(json_object_get(h, "organisations")),
	    sql_count(s, from, to,
		      "SELECT count(DISTINCT json_extract(json, '$.victim.org')) FROM inc"));
	assert_int_equal(
	    json_integer_value(json_object_get(h, "campaigns")),
	    sql_count(s, from, to,
		      "SELECT count(DISTINCT json_extract(json, '$.campaign')) FROM inc"));
	assert_int_equal(
	    json_integer_value(json_object_get(h, "supply_chain")),
	    sql_count(s, from, to,
		      "SELECT count(*) FROM inc WHERE json_type(json, '$.supply_chain') "
		      "= 'object'"));
	/* the key findings lead with the same total */
	char lead[64];
	snprintf(lead, sizeof lead, "%lld APT attacks against ", total);
	const char *f0 = json_string_value(json_array_get(json_object_get(rep, "findings"), 0));
	assert_non_null(f0);
	assert_memory_equal(f0, lead, strlen(lead));
	assert_true(json_array_size(json_object_get(rep, "findings")) >= 5);
	/* the report counts the two broken rows of 2025 as skipped */
	assert_int_equal(json_integer_value(json_object_get(h, "skipped")), 2);

	json_t *m = sql_map(s, from, to,
			    "SELECT coalesce(json_extract(json, '$.victim.sector'), 'unknown'), id "
			    "FROM inc");
	check_rows(json_object_get(rep, "sectors"), "sector", m, total);
	json_decref(m);
	m = sql_map(
	    s, from, to,
	    "SELECT coalesce(json_extract(json, '$.victim.country'), 'unknown'), id FROM inc");
	check_rows(json_object_get(rep, "countries"), "country", m, total);
	json_decref(m);
	m = sql_map(s, from, to,
		    "SELECT substr(json_extract(json, '$.first_seen'), 1, 7), id FROM inc");
	check_rows(json_object_get(rep, "months"), "month", m, total);
	assert_int_equal(json_array_size(json_object_get(rep, "months")), 12);
	json_decref(m);
	m = sql_map(s, from, to,
		    "SELECT c.value, inc.id FROM inc, json_each(inc.json, '$.sources.countries') c "
		    "WHERE json_type(inc.json, '$.sources.countries') = 'array'");
	check_rows(json_object_get(rep, "source_countries"), "country", m, total);
	json_decref(m);
	m = sql_map(s, from, to,
		    "SELECT json_extract(c.value, '$.id'), inc.id FROM inc, json_each(inc.json, "
		    "'$.cves') c WHERE json_type(inc.json, '$.cves') = 'array'");
	check_rows(json_object_get(rep, "cves"), "cve", m, total);
	json_decref(m);

	/* 0/1/n-day: (incident, CVE) pairs per class */
	m = sql_map(s, from, to,
		    "SELECT CASE WHEN json_extract(c.value, '$.class') IN ('0day', '1day', 'nday') "
		    "THEN json_extract(c.value, '$.class') ELSE 'unknown' END, inc.id "
		    "FROM inc, json_each(inc.json, '$.cves') c "
		    "WHERE json_type(inc.json, '$.cves') = 'array'");
	json_t *ex = json_object_get(rep, "exploitation");
	long long pairs = 0;
	const char *cls;
	json_t *ids;
	json_object_foreach(m, cls, ids)
	{
		const char *id;
		json_t *n;
		json_object_foreach(ids, id, n) pairs += json_integer_value(n);
	}
	assert_true(pairs > 0);
	static const char *const classes[] = {"0day", "1day", "nday", "unknown"};
	for (int c = 0; c < 4; c++) {
		json_t *e = json_object_get(ex, classes[c]), *exp = json_object_get(m, classes[c]);
		long long np = 0;
		const char *id;
		json_t *n;
		json_object_foreach(exp, id, n) np += json_integer_value(n);
		assert_int_equal(json_integer_value(json_object_get(e, "exploitations")), np);
		assert_int_equal(json_integer_value(json_object_get(e, "incidents")),
				 json_object_size(exp));
		assert_true(fabs(json_number_value(json_object_get(e, "share")) -
				 (double)np / (double)pairs) < 0.0001);
	}
	json_decref(m);

	/* groups and regions, recomputed with jansson */
	json_t *groups = json_object(), *regions = json_object(), *clusters = json_object();
	sqlite3_stmt *st = NULL;
	char sql[512];
	snprintf(sql, sizeof sql, INC_CTE "SELECT id, json FROM inc");
	assert_int_equal(sqlite3_prepare_v2(store_sqlite(s), sql, -1, &st, NULL), SQLITE_OK);
	sqlite3_bind_text(st, 1, from, -1, SQLITE_TRANSIENT);
	sqlite3_bind_text(st, 2, to, -1, SQLITE_TRANSIENT);
	while (sqlite3_step(st) == SQLITE_ROW) {
		const char *id = (const char *)sqlite3_column_text(st, 0);
		json_t *o = json_loads((const char *)sqlite3_column_text(st, 1), 0, NULL);
		const char *region, *g = group_of(o, &region);
		json_t *target = g && !strncmp(g, "UNK-", 4) ? clusters : groups;
		if (g) {
			if (!json_object_get(target, g))
				json_object_set_new(target, g, json_object());
			json_object_set_new(json_object_get(target, g), id, json_true());
		}
		if (!json_object_get(regions, region))
			json_object_set_new(regions, region, json_object());
		json_object_set_new(json_object_get(regions, region), id, json_true());
		json_decref(o);
	}
	sqlite3_finalize(st);
	check_rows(json_object_get(rep, "groups"), "group", groups, total);
	check_rows(json_object_get(rep, "new_groups"), "group", clusters, total);
	check_rows(json_object_get(rep, "regions"), "region", regions, total);
	assert_int_equal(json_integer_value(json_object_get(h, "new_groups")), 2);
	assert_int_equal(json_integer_value(json_object_get(h, "groups_active")),
			 json_object_size(groups) + json_object_size(clusters));
	/* most active first, with aliases (APT-C numbers), origin and region */
	json_t *gs = json_object_get(rep, "groups"), *g;
	size_t i;
	json_int_t prev = INT64_MAX;
	bool seen_apt32 = false;
	json_array_foreach(gs, i, g)
	{
		json_int_t n = json_integer_value(json_object_get(g, "incidents"));
		assert_true(n <= prev);
		prev = n;
		if (strcmp(json_string_value(json_object_get(g, "group")), "APT32"))
			continue;
		seen_apt32 = true;
		assert_string_equal(json_string_value(json_object_get(g, "id")), "G0050");
		assert_string_equal(json_string_value(json_object_get(g, "country")), "VN");
		assert_string_equal(json_string_value(json_object_get(g, "region")),
				    "South-eastern Asia");
		json_t *a;
		size_t j;
		bool apt_c = false;
		json_array_foreach(json_object_get(g, "aliases"), j, a) apt_c |=
		    !strcmp(json_string_value(a), "APT-C-00");
		assert_true(apt_c);
		assert_true(json_integer_value(json_object_get(g, "organisations")) > 1);
		assert_true(json_array_size(json_object_get(g, "sectors")) > 1);
	}
	assert_true(seen_apt32);
	json_decref(groups);
	json_decref(regions);
	json_decref(clusters);

	/* supply chain, services, commercial platforms */
	json_t *sc = json_array_get(json_object_get(rep, "supply_chain"), 0);
	assert_string_equal(json_string_value(json_object_get(sc, "vendor")), "SoftUpdate Ltd");
	assert_string_equal(json_string_value(json_object_get(sc, "channel")), "update-server");
	assert_int_equal(json_integer_value(json_object_get(sc, "incidents")),
			 json_integer_value(json_object_get(h, "supply_chain")));
	long long brute = sql_count(s, from, to,
				    "SELECT count(*) FROM inc WHERE json_extract(json, '$.kind') = "
				    "'bruteforce'");
	json_t *svc;
	long long seen = 0;
	json_array_foreach(
	    json_object_get(rep, "online_services"), i,
	    svc) if (!strcmp(json_string_value(json_object_get(svc, "attack")), "brute force"))
	    seen += json_integer_value(json_object_get(svc, "incidents"));
	assert_int_equal(seen, brute);
	json_t *cs = json_array_get(json_object_get(rep, "commercial_platforms"), 0);
	assert_string_equal(json_string_value(json_object_get(cs, "platform")), "Cobalt Strike");
	assert_int_equal(json_integer_value(json_object_get(cs, "incidents")),
			 sql_count(s, from, to,
				   "SELECT count(*) FROM inc WHERE json_type(json, '$.malware') = "
				   "'array' AND EXISTS (SELECT 1 FROM json_each(inc.json, "
				   "'$.malware') m WHERE m.value = 'CobaltStrike Beacon')"));
	assert_true(json_array_size(json_object_get(cs, "groups")) > 1);

	/* mobile share of the exploiting incidents, rising in the fixture */
	json_t *mob = json_object_get(rep, "mobile");
	long long expl = sql_count(s, from, to,
				   "SELECT count(*) FROM inc WHERE json_type(json, '$.cves') = "
				   "'array' AND json_array_length(json, '$.cves') > 0");
	long long mobile = sql_count(
	    s, from, to,
	    "SELECT count(*) FROM inc WHERE json_type(json, '$.cves') = 'array' AND "
	    "json_array_length(json, '$.cves') > 0 AND EXISTS (SELECT 1 FROM json_each(inc.json, "
	    "'$.platforms') p WHERE p.value IN ('android', 'ios'))");
	assert_int_equal(json_integer_value(json_object_get(mob, "exploited_incidents")), expl);
	assert_int_equal(json_integer_value(json_object_get(mob, "mobile_incidents")), mobile);
	assert_string_equal(json_string_value(json_object_get(mob, "trend")), "rising");
	json_decref(rep);
}

static void test_compare_periods(void **state)
{
	struct store *s = *state;
	json_t *rep = render_json(s, "2025-07-01", "2026-01-01", "2025-01-01", "2025-07-01");
	json_t *cmp = json_object_get(rep, "comparison");
	assert_non_null(cmp);
	json_t *now =
	    sql_map(s, "2025-07-01", "2026-01-01",
		    "SELECT coalesce(json_extract(json, '$.victim.sector'), 'unknown'), id "
		    "FROM inc");
	json_t *before =
	    sql_map(s, "2025-01-01", "2025-07-01",
		    "SELECT coalesce(json_extract(json, '$.victim.sector'), 'unknown'), "
		    "id FROM inc");
	json_t *r;
	size_t i;
	size_t n = 0;
	json_array_foreach(json_object_get(cmp, "sectors"), i, r)
	{
		const char *k = json_string_value(json_object_get(r, "sector"));
		assert_int_equal(json_integer_value(json_object_get(r, "now")),
				 json_object_size(json_object_get(now, k)));
		assert_int_equal(json_integer_value(json_object_get(r, "before")),
				 json_object_size(json_object_get(before, k)));
		assert_int_equal(json_integer_value(json_object_get(r, "change")),
				 (json_int_t)json_object_size(json_object_get(now, k)) -
				     (json_int_t)json_object_size(json_object_get(before, k)));
		n++;
	}
	assert_true(n >= json_object_size(now));
	assert_true(json_array_size(json_object_get(cmp, "groups")) > 0);
	assert_true(json_array_size(json_object_get(cmp, "exploitation")) > 0);
	json_decref(now);
	json_decref(before);
	json_decref(rep);
}

static void test_lenient(void **state)
{
	(void)state;
	struct landscape *l = NULL;
	assert_int_equal(landscape_new(&l, AS_TIME_NONE, AS_TIME_NONE), 0);
	static const char *const rows[] = {
	    "",
	    "[]",
	    "{\"id\":7}",
	    "null",
	    "{\"id\":\"a\"}",
	    "{\"id\":\"b\",\"victim\":[],\"cves\":[{\"id\":5},{}],\"tactics\":\"x\"}",
	    "{\"id\":\"c\",\"attribution\":{\"verdict\":\"new-cluster\",\"cluster\":{\"name\":"
	    "\"UNK-2025-009\"}},\"first_seen\":\"garbage\"}",
	};
	for (size_t i = 0; i < sizeof rows / sizeof rows[0]; i++)
		landscape_add_json(l, NULL, rows[i], strlen(rows[i]));
	landscape_finish(l);
	assert_int_equal(l->ninc, 3);
	assert_int_equal(l->skipped, 4);
	assert_int_equal(l->new_groups.n, 1);
	struct buf b = BUF_INIT;
	assert_int_equal(report_json(l, NULL, &b), 0);
	assert_int_equal(report_md(l, l, &b), 0);
	assert_int_equal(report_html(l, NULL, &b), 0);
	assert_int_equal(report_stix(l, 0, &b), 0);
	buf_free(&b);
	landscape_free(l);
	landscape_free(NULL);

	/* a store without an incidents table is an empty period */
	char path[64];
	snprintf(path, sizeof path, "test_report_empty_%d.db", (int)getpid());
	struct store *s = NULL;
	assert_int_equal(store_open(&s, path, NULL), 0);
	assert_int_equal(landscape_build(&l, s, NULL, AS_TIME_NONE, AS_TIME_NONE), 0);
	assert_int_equal(l->ninc, 0);
	landscape_free(l);
	store_close(s);
	remove(path);
}

/* The knowledge base names a group and fills what its incidents lack. */
static void test_kb_fills_groups(void **state)
{
	(void)state;
	struct kb *kb = NULL;
	assert_int_equal(kb_new(&kb), 0);
	static const char galaxy[] =
	    "{\"type\":\"threat-actor\",\"values\":[{\"value\":\"OceanLotus\",\"uuid\":\"u-1\","
	    "\"meta\":{\"synonyms\":[\"APT32\",\"SeaLotus\",\"APT-C-00\"],\"country\":\"VN\"}}]}";
	assert_int_equal(kb_import_mem(kb, "galaxy", galaxy, sizeof galaxy - 1, NULL, NULL), 0);
	struct landscape *l = NULL;
	assert_int_equal(landscape_new(&l, AS_TIME_NONE, AS_TIME_NONE), 0);
	static const char *const names[] = {"APT32", "APT-C-00", "oceanlotus"};
	for (int i = 0; i < 3; i++) {
		char row[512];
		int n = snprintf(row, sizeof row,
				 "{\"id\":\"i%d\",\"first_seen\":\"2025-0%d-01T00:00:00Z\","
				 "\"victim\":{\"org\":\"o%d\",\"sector\":\"government\"},"
				 "\"attribution\":{\"verdict\":\"attributed\",\"candidates\":"
				 "[{\"group\":\"%s\"}]}}",
				 i, i + 1, i, names[i]);
		assert_int_equal(landscape_add_json(l, kb, row, (size_t)n), 0);
	}
	landscape_finish(l);
	assert_int_equal(l->groups.n, 1);
	const struct rep_row *r = l->groups.order[0];
	assert_int_equal(r->ninc, 3);
	const struct kb_group *g = kb_group_find(kb, slice_cstr("APT32"));
	assert_non_null(g);
	assert_string_equal(r->key, g->name);
	assert_string_equal(r->group->country, "VN");
	assert_string_equal(r->group->region, "South-eastern Asia");
	assert_true(r->group->naliases >= 2);
	assert_string_equal(r->group->aliases[0], "APT-C-00"); /* APT-C numbers first */
	assert_non_null(rep_tally_find(&l->regions, "South-eastern Asia"));
	assert_int_equal(rep_tally_find(&l->regions, "South-eastern Asia")->ninc, 3);
	landscape_free(l);
	kb_free(kb);
}

static size_t count(const char *hay, const char *needle)
{
	size_t n = 0;
	for (const char *p = hay; (p = strstr(p, needle)); p++)
		n++;
	return n;
}

static void test_md_html_trace(void **state)
{
	struct store *s = *state;
	struct landscape *l = NULL;
	assert_int_equal(landscape_build(&l, s, NULL, day("2025-01-01"), day("2026-01-01")), 0);
	struct buf md = BUF_INIT, html = BUF_INIT;
	assert_int_equal(report_md(l, NULL, &md), 0);
	assert_int_equal(report_html(l, NULL, &html), 0);
	/* one appendix anchor per incident, and every link lands on one */
	for (size_t i = 0; i < l->ninc; i++) {
		char a[128];
		char *q = a + snprintf(a, sizeof a, "<a id=\"");
		for (const char *c = l->inc[i].id; *c && q < a + 100; c++)
			*q++ = (*c >= 'a' && *c <= 'z') || (*c >= '0' && *c <= '9') ? *c : '-';
		strcpy(q, "\"></a>");
		assert_int_equal(count(md.data, a), 1);
		q = a + snprintf(a, sizeof a, "<tr id=\"inc-");
		for (const char *c = l->inc[i].id; *c && q < a + 100; c++)
			*q++ = (*c >= 'a' && *c <= 'z') || (*c >= '0' && *c <= '9') ? *c : '-';
		strcpy(q, "\">");
		assert_int_equal(count(html.data, a), 1);
	}
	const char *p = html.data;
	size_t links = 0;
	while ((p = strstr(p, "href=\"#"))) {
		p += 7;
		const char *end = strchr(p, '"');
		assert_non_null(end);
		char target[256];
		snprintf(target, sizeof target, "id=\"%.*s\"", (int)(end - p), p);
		if (!strstr(html.data, target))
			fail_msg("HTML link #%.*s has no target", (int)(end - p), p);
		links++;
	}
	assert_true(links > l->ninc);
	for (p = md.data, links = 0; (p = strstr(p, "](#")); links++) {
		p += 3;
		const char *end = strchr(p, ')');
		assert_non_null(end);
		char target[256];
		snprintf(target, sizeof target, "<a id=\"%.*s\">", (int)(end - p), p);
		if (!strstr(md.data, target))
			fail_msg("Markdown link #%.*s has no anchor", (int)(end - p), p);
	}
	assert_true(links > 100); /* five per row */
	/* figures a manager reads, and the story escaped */
	assert_non_null(strstr(html.data, "Attacks by targeted sector"));
	assert_non_null(strstr(html.data, "<svg"));
	assert_non_null(strstr(html.data, "@media print"));
	assert_null(strstr(html.data, "<b>incident</b>"));
	assert_non_null(strstr(html.data, "&lt;b&gt;incident&lt;/b&gt; &amp; a story."));
	assert_null(strstr(html.data, "src=\"http")); /* self-contained */
	assert_non_null(strstr(md.data, "| Government | "));
	assert_non_null(strstr(md.data, "APT-C-00"));
	buf_free(&md);
	buf_free(&html);
	landscape_free(l);
}

static void test_html_in_chromium(void **state)
{
	struct store *s = *state;
	const char *data = getenv("APTSCOPE_TEST_DATA");
	if (!data)
		skip();
	struct landscape *l = NULL, *p = NULL;
	assert_int_equal(landscape_build(&l, s, NULL, day("2025-07-01"), day("2026-01-01")), 0);
	assert_int_equal(landscape_build(&p, s, NULL, day("2025-01-01"), day("2025-07-01")), 0);
	struct buf html = BUF_INIT;
	assert_int_equal(report_html(l, p, &html), 0);
	char path[64], cmd[1024];
	snprintf(path, sizeof path, "test_report_%d.html", (int)getpid());
	FILE *f = fopen(path, "wb");
	assert_non_null(f);
	assert_int_equal(fwrite(html.data, 1, html.len, f), html.len);
	fclose(f);
	buf_free(&html);
	landscape_free(l);
	landscape_free(p);
	snprintf(cmd, sizeof cmd, "sh %s/../../scripts/check-report.sh %s", data, path);
	int rc = system(cmd);
	remove(path);
	if (WIFEXITED(rc) && WEXITSTATUS(rc) == 77) {
		print_message("chromium is not installed: HTML rendering check skipped\n");
		skip();
	}
	assert_true(WIFEXITED(rc));
	assert_int_equal(WEXITSTATUS(rc), 0);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
	    cmocka_unit_test(test_figures_equal_store),
	    cmocka_unit_test(test_compare_periods),
	    cmocka_unit_test(test_lenient),
	    cmocka_unit_test(test_kb_fills_groups),
	    cmocka_unit_test(test_md_html_trace),
	    cmocka_unit_test(test_html_in_chromium),
	};
	return cmocka_run_group_tests(tests, setup, teardown);
}
