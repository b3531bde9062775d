/*
 * incident_store.c — incidents in the store: the `incidents` table, taking
 * open incidents up again in a later run, and the listings of
 * `aptscope incidents` and `aptscope incident show`.
 *
 * One row per incident, keyed by its id (stable across runs), with the
 * columns the report filters on and the whole JSON object. A later hunt
 * loads the incidents that ended within one window of the newest one and
 * rebuilds them from that JSON, so new alerts extend them (same id, row
 * replaced) instead of opening duplicates.
 */
#include <jansson.h>
#include <sqlite3.h>
#include <stdlib.h>
#include <string.h>

#include "core/error.h"
#include "core/json.h"
#include "core/timeparse.h"
#include "correlate/correlate_int.h"
#include "store/store.h"

static const char *const migrations[] = {
    "CREATE TABLE incidents ("
    "  id TEXT PRIMARY KEY,"
    "  first_seen TEXT,"
    "  last_seen TEXT,"
    "  org TEXT, sector TEXT, country TEXT,"
    "  severity TEXT, kind TEXT, campaign TEXT,"
    "  alert_count INTEGER, supply_chain INTEGER,"
    "  json TEXT NOT NULL);"
    "CREATE INDEX incidents_last_seen ON incidents(last_seen);"
    "CREATE INDEX incidents_campaign ON incidents(campaign);",
};

static int migrate(struct store *s)
{
	return store_migrate(s, "incidents", migrations, sizeof migrations / sizeof migrations[0]);
}

static void bind_opt(sqlite3_stmt *st, int i, const char *v)
{
	if (v)
		sqlite3_bind_text(st, i, v, -1, SQLITE_TRANSIENT);
	else
		sqlite3_bind_null(st, i);
}

int incident_store_put(struct store *s, const struct incident *inc)
{
	sqlite3 *db = store_sqlite(s);
	if (!db)
		return AS_EDB;
	struct buf json = BUF_INIT;
	int rc = incident_to_json(inc, &json);
	if (rc) {
		buf_free(&json);
		return rc;
	}
	sqlite3_stmt *st = NULL;
	if (sqlite3_prepare_v2(
		db,
		"INSERT OR REPLACE INTO incidents (id, first_seen, last_seen, org, "
		"sector, country, severity, kind, campaign, alert_count, supply_chain, "
		"json) VALUES (?,?,?,?,?,?,?,?,?,?,?,?)",
		-1, &st, NULL) != SQLITE_OK) {
		buf_free(&json);
		return AS_EDB;
	}
	char t1[AS_TIME_STRLEN], t2[AS_TIME_STRLEN];
	bind_opt(st, 1, inc->id);
	bind_opt(st, 2, inc->first_seen != AS_TIME_NONE ? time_format(inc->first_seen, t1) : NULL);
	bind_opt(st, 3, inc->last_seen != AS_TIME_NONE ? time_format(inc->last_seen, t2) : NULL);
	bind_opt(st, 4, incident_org(inc));
	bind_opt(st, 5, inc->sector ? inc->sector : "unknown");
	bind_opt(st, 6, inc->country ? inc->country : "unknown");
	bind_opt(st, 7, incident_severity(inc));
	bind_opt(st, 8, incident_kind(inc));
	bind_opt(st, 9, inc->campaign);
	sqlite3_bind_int64(st, 10, (sqlite3_int64)inc->nalerts);
	sqlite3_bind_int(st, 11, inc->supply);
	sqlite3_bind_text(st, 12, json.data, (int)json.len, SQLITE_TRANSIENT);
	rc = sqlite3_step(st) == SQLITE_DONE ? 0 : AS_EDB;
	sqlite3_finalize(st);
	buf_free(&json);
	return rc;
}

int incident_store_tx(struct store *s, bool commit)
{
	sqlite3 *db = store_sqlite(s);
	if (!db)
		return AS_EDB;
	if (!commit && store_flush(s))
		return AS_EDB;
	return sqlite3_exec(db, commit ? "COMMIT" : "BEGIN IMMEDIATE", NULL, NULL, NULL) ==
		       SQLITE_OK
		   ? 0
		   : AS_EDB;
}

/* --- from JSON ------------------------------------------------------------ */

static int64_t jtime(json_t *o, const char *key)
{
	const char *s = json_string_value(json_object_get(o, key));
	int64_t t;
	return s && !time_parse_rfc3339(slice_cstr(s), &t) ? t : AS_TIME_NONE;
}

static char *jdup(json_t *o, const char *key)
{
	const char *s = json_string_value(json_object_get(o, key));
	return s && *s ? strdup(s) : NULL;
}

static void jset(json_t *o, const char *key, struct strset *set)
{
	json_t *a = json_object_get(o, key), *v;
	size_t i;
	json_array_foreach(a, i, v)
	{
		const char *s = json_string_value(v);
		if (s)
			strset_add(set, slice_cstr(s));
	}
}

static void jids(json_t *a, char (*ids)[17], unsigned *n)
{
	json_t *v;
	size_t i;
	json_array_foreach(a, i, v)
	{
		const char *s = json_string_value(v);
		if (s && strlen(s) == 16 && *n < AS_CORR_RULE_IDS)
			memcpy(ids[(*n)++], s, 17);
	}
}

static void load_rules(struct incident *inc, json_t *links)
{
	size_t n = json_array_size(links);
	if (!n)
		return;
	if (n > AS_CORR_MAX_RULES)
		n = AS_CORR_MAX_RULES;
	if (!(inc->rules = calloc(n, sizeof *inc->rules)))
		return;
	for (size_t i = 0; i < n; i++) {
		json_t *l = json_array_get(links, i);
		const char *det = json_string_value(json_object_get(l, "detector"));
		if (!det)
			continue;
		struct inc_rule *r = &inc->rules[inc->nrules];
		r->detector = strdup(det);
		if (!r->detector)
			continue;
		inc->nrules++;
		r->rule_id = jdup(l, "rule_id");
		r->title = jdup(l, "title");
		const char *lv = json_string_value(json_object_get(l, "level"));
		int level = lv ? alert_level_parse(slice_cstr(lv)) : -1;
		r->level = level >= 0 ? (enum alert_level)level : AL_MEDIUM;
		if (r->level > inc->max_level)
			inc->max_level = r->level;
		json_int_t c = json_integer_value(json_object_get(l, "count"));
		r->count = c > 0 ? (uint64_t)c : 0;
		r->first = jtime(l, "first_seen");
		r->last = jtime(l, "last_seen");
		jids(json_object_get(l, "first"), r->first_ids, &r->nfirst);
		jids(json_object_get(l, "last"), r->last_ids, &r->nlast);
		r->last_pos = r->nlast % AS_CORR_RULE_IDS;
		json_t *w;
		size_t j;
		json_array_foreach(json_object_get(l, "why"), j, w)
		{
			int k = link_parse(json_string_value(json_object_get(w, "kind")));
			json_int_t wc = json_integer_value(json_object_get(w, "count"));
			if (k < 0 || wc <= 0)
				continue;
			r->why[k] = (uint64_t)wc;
			free(r->why_value[k]);
			r->why_value[k] = jdup(w, "value");
		}
	}
}

struct incident *incident_from_json(const char *text, size_t len)
{
	json_t *o = json_loadb(text, len, 0, NULL);
	const char *id = json_string_value(json_object_get(o, "id"));
	if (!o || !id || strlen(id) >= sizeof((struct incident *)0)->id) {
		json_decref(o);
		return NULL;
	}
	struct incident *inc = calloc(1, sizeof *inc);
	if (!inc) {
		json_decref(o);
		return NULL;
	}
	strcpy(inc->id, id);
	inc->first_seen = jtime(o, "first_seen");
	inc->last_seen = jtime(o, "last_seen");
	json_int_t n = json_integer_value(json_object_get(o, "alert_count"));
	inc->nalerts = n > 0 ? (uint64_t)n : 0;
	json_t *v = json_object_get(o, "victim");
	jset(v, "ips", &inc->ips);
	json_t *h;
	size_t i;
	json_array_foreach(json_object_get(v, "hosts"), i, h)
	{
		const char *s = json_string_value(h);
		if (s && !strset_has(&inc->ips, slice_cstr(s)))
			strset_add(&inc->hosts, slice_cstr(s));
	}
	jset(v, "users", &inc->users);
	const char *org = json_string_value(json_object_get(v, "org"));
	if (org && strcmp(org, "unknown")) {
		inc->org = strdup(org);
		inc->sector = jdup(v, "sector");
		inc->country = jdup(v, "country");
	}
	jset(o, "techniques", &inc->techniques);
	json_array_foreach(json_object_get(o, "tactics"), i, h)
	{
		int s = killchain_parse(json_string_value(h));
		if (s >= 0)
			inc->stages |= 1u << s;
	}
	json_array_foreach(json_object_get(o, "platforms"), i, h)
	{
		const char *s = json_string_value(h);
		int p = s ? platform_parse(slice_cstr(s)) : -1;
		if (p >= 0)
			inc->platforms |= 1u << p;
	}
	json_array_foreach(json_object_get(o, "cves"), i, h)
	{
		const char *cid = json_string_value(json_object_get(h, "id"));
		if (!cid || strlen(cid) >= 24 || inc->ncves >= AS_CORR_MAX_CVES)
			continue;
		struct inc_cve *cv = &inc->cves[inc->ncves++];
		strcpy(cv->id, cid);
		cv->seen = jtime(h, "first_seen");
		cv->published = cv->fixed = AS_TIME_NONE;
		cv->rule = jdup(h, "rule");
	}
	json_t *sc = json_object_get(o, "supply_chain");
	if (json_is_object(sc)) {
		inc->supply = true;
		inc->vendor = jdup(sc, "vendor");
		inc->channel = jdup(sc, "channel");
	}
	jset(o, "malware", &inc->malware);
	json_array_foreach(json_object_get(o, "indicators"), i, h)
	{
		const char *t = json_string_value(json_object_get(h, "type"));
		const char *val = json_string_value(json_object_get(h, "value"));
		char buf[AS_CORR_MAX_KEY];
		if (t && val) {
			snprintf(buf, sizeof buf, "%s:%s", t, val);
			strset_add(&inc->indicators, slice_cstr(buf));
		}
	}
	jset(o, "labels", &inc->labels);
	jset(o, "groups", &inc->groups);
	json_array_foreach(json_object_get(o, "endpoints"), i, h)
	{
		const char *ip = json_string_value(json_object_get(h, "ip"));
		const char *cc = json_string_value(json_object_get(h, "country"));
		char buf[AS_CORR_MAX_KEY];
		if (ip) {
			snprintf(buf, sizeof buf, cc ? "%s %s" : "%s", ip, cc);
			strset_add(&inc->endpoints, slice_cstr(buf));
		}
	}
	json_t *src = json_object_get(o, "sources");
	jset(src, "countries", &inc->src_countries);
	jset(src, "ips", &inc->src_ips);
	jset(o, "processes", &inc->processes);
	json_array_foreach(json_object_get(o, "files"), i, h)
	{
		/* back into the record incident_json.c splits */
		char rec[AS_CORR_MAX_KEY], sw[256] = "";
		size_t k, used = 0;
		json_t *m;
		json_array_foreach(json_object_get(h, "software"), k, m)
		{
			const char *name = json_string_value(m);
			if (name && used < sizeof sw)
				used += (size_t)snprintf(sw + used, sizeof sw - used, "%s%s",
							 used ? "," : "", name);
		}
		if (used >= sizeof sw)
			sw[sizeof sw - 1] = 0;
		const char *parts[] = {"sha256", "sha1", "md5", "ssdeep", "name"};
		const char *v5[5];
		for (size_t x = 0; x < 5; x++) {
			v5[x] = json_string_value(json_object_get(h, parts[x]));
			if (!v5[x] || strchr(v5[x], '|'))
				v5[x] = "";
		}
		snprintf(rec, sizeof rec, "%s|%s|%s|%s|%s|%s", v5[0], v5[1], v5[2], v5[3], v5[4],
			 sw);
		strset_add(&inc->files, slice_cstr(rec));
	}
	load_rules(inc, json_object_get(o, "links"));
	n = json_integer_value(json_object_get(o, "alerts_unlisted"));
	inc->rules_over = n > 0 ? (uint64_t)n : 0;
	if (inc->nrules && inc->rules[0].nfirst)
		memcpy(inc->first_alert, inc->rules[0].first_ids[0], 17);
	json_decref(o);
	return inc;
}

int incident_store_resume(struct store *s, int64_t window, int (*fn)(void *ctx, struct incident *),
			  void *ctx)
{
	int rc = migrate(s);
	if (rc)
		return rc;
	sqlite3 *db = store_sqlite(s);
	sqlite3_stmt *st = NULL;
	if (sqlite3_prepare_v2(db, "SELECT MAX(last_seen) FROM incidents", -1, &st, NULL) !=
	    SQLITE_OK)
		return AS_EDB;
	int64_t newest = AS_TIME_NONE;
	if (sqlite3_step(st) == SQLITE_ROW && sqlite3_column_text(st, 0))
		time_parse_rfc3339(slice_cstr((const char *)sqlite3_column_text(st, 0)), &newest);
	sqlite3_finalize(st);
	if (newest == AS_TIME_NONE)
		return 0;
	char since[AS_TIME_STRLEN];
	time_format(newest - window, since);
	if (sqlite3_prepare_v2(db,
			       "SELECT json FROM incidents WHERE last_seen >= ? "
			       "ORDER BY last_seen DESC LIMIT ?",
			       -1, &st, NULL) != SQLITE_OK)
		return AS_EDB;
	sqlite3_bind_text(st, 1, since, -1, SQLITE_TRANSIENT);
	sqlite3_bind_int(st, 2, AS_CORR_MAX_RESUME);
	while (!rc && sqlite3_step(st) == SQLITE_ROW) {
		const char *j = (const char *)sqlite3_column_text(st, 0);
		struct incident *inc =
		    j ? incident_from_json(j, (size_t)sqlite3_column_bytes(st, 0)) : NULL;
		if (inc)
			rc = fn(ctx, inc);
	}
	sqlite3_finalize(st);
	return rc;
}

/* --- listings --------------------------------------------------------------- */

/* Who is behind it, one line: the verdict and group, or the new-group
 * cluster and the group a later import named it as. */
static void attribution_line(json_t *o, const char *indent, FILE *out)
{
	json_t *a = json_object_get(o, "attribution");
	const char *verdict = json_string_value(json_object_get(a, "verdict"));
	const char *cluster = json_string_value(json_object_get(a, "cluster"));
	const char *linked = json_string_value(json_object_get(a, "linked_group"));
	const char *why = json_string_value(json_object_get(a, "linked_reason"));
	json_t *top = json_array_get(json_object_get(a, "candidates"), 0);
	const char *group = json_string_value(json_object_get(top, "group"));
	if (verdict && !strcmp(verdict, "new-cluster") && cluster) {
		fprintf(out, "%snew group %s", indent, cluster);
		if (linked)
			fprintf(out, ", later named %s (%s)", linked, why ? why : "");
		fputc('\n', out);
	} else if (verdict && group &&
		   (!strcmp(verdict, "attributed") || !strcmp(verdict, "suspected"))) {
		fprintf(out, "%s%s %s (confidence %.2f)\n", indent, verdict, group,
			json_number_value(json_object_get(top, "confidence")));
	}
}

int incident_store_list(struct store *s, int64_t since, bool json, FILE *out)
{
	int rc = migrate(s);
	if (rc)
		return rc;
	sqlite3 *db = store_sqlite(s);
	sqlite3_stmt *st = NULL;
	if (sqlite3_prepare_v2(
		db,
		"SELECT id, first_seen, last_seen, severity, kind, org, alert_count, "
		"json FROM incidents WHERE ? IS NULL OR last_seen >= ? "
		"ORDER BY first_seen DESC, id",
		-1, &st, NULL) != SQLITE_OK)
		return AS_EDB;
	char t[AS_TIME_STRLEN];
	if (since != AS_TIME_NONE) {
		time_format(since, t);
		sqlite3_bind_text(st, 1, t, -1, SQLITE_TRANSIENT);
		sqlite3_bind_text(st, 2, t, -1, SQLITE_TRANSIENT);
	}
	unsigned rows = 0;
	while (sqlite3_step(st) == SQLITE_ROW) {
		const char *j = (const char *)sqlite3_column_text(st, 7);
		if (json) {
			fprintf(out, "%s\n", j ? j : "{}");
			continue;
		}
		if (rows++ == 0)
			fprintf(out, "%-20s %-20s %-8s %-12s %-20s %7s\n", "ID", "FIRST SEEN",
				"SEVERITY", "KIND", "ORGANISATION", "ALERTS");
		const char *f = (const char *)sqlite3_column_text(st, 1);
		fprintf(out, "%-20s %-20.20s %-8s %-12s %-20.20s %7lld\n",
			(const char *)sqlite3_column_text(st, 0), f ? f : "-",
			(const char *)sqlite3_column_text(st, 3),
			(const char *)sqlite3_column_text(st, 4),
			(const char *)sqlite3_column_text(st, 5),
			(long long)sqlite3_column_int64(st, 6));
		json_t *o = j ? json_loads(j, 0, NULL) : NULL;
		const char *story = json_string_value(json_object_get(o, "story"));
		if (story)
			fprintf(out, "    %s\n", story);
		attribution_line(o, "    ", out);
		json_decref(o);
	}
	if (!json && rows == 0)
		fprintf(out, "no incidents\n");
	sqlite3_finalize(st);
	return 0;
}

int incident_store_show(struct store *s, const char *id, bool json, FILE *out)
{
	int rc = migrate(s);
	if (rc)
		return rc;
	sqlite3 *db = store_sqlite(s);
	sqlite3_stmt *st = NULL;
	if (sqlite3_prepare_v2(db,
			       "SELECT json FROM incidents WHERE id = ? OR id LIKE ? || '%' "
			       "ORDER BY id = ? DESC LIMIT 2",
			       -1, &st, NULL) != SQLITE_OK)
		return AS_EDB;
	sqlite3_bind_text(st, 1, id, -1, SQLITE_TRANSIENT);
	sqlite3_bind_text(st, 2, id, -1, SQLITE_TRANSIENT);
	sqlite3_bind_text(st, 3, id, -1, SQLITE_TRANSIENT);
	json_t *o = NULL;
	int found = 0;
	while (sqlite3_step(st) == SQLITE_ROW) {
		const char *j = (const char *)sqlite3_column_text(st, 0);
		if (found++ == 0 && j)
			o = json_loads(j, 0, NULL);
		else if (found == 2 && o && strcmp(json_string_value(json_object_get(o, "id")), id))
			found = -1; /* a prefix of two ids */
	}
	sqlite3_finalize(st);
	if (found <= 0 || !o) {
		json_decref(o);
		return found < 0 ? AS_EINVAL : AS_ENOTFOUND;
	}
	/* the timeline: the alerts it lists, from the alerts table, in time order */
	json_t *alerts = json_object_get(o, "alerts"), *a;
	size_t i;
	sqlite3_stmt *q = NULL;
	if (sqlite3_prepare_v2(
		db,
		"SELECT time, detector, level, rule_title, host, src_ip, dst_ip, json "
		"FROM alerts WHERE id = ? ORDER BY run_id DESC LIMIT 1",
		-1, &q, NULL) != SQLITE_OK)
		q = NULL;
	struct row {
		char *time, *line, *json;
	} *rows = calloc(json_array_size(alerts) + 1, sizeof *rows);
	size_t nrows = 0;
	json_array_foreach(alerts, i, a)
	{
		if (!q || !rows || !json_string_value(a))
			break;
		sqlite3_reset(q);
		sqlite3_bind_text(q, 1, json_string_value(a), -1, SQLITE_TRANSIENT);
		if (sqlite3_step(q) != SQLITE_ROW)
			continue;
		const char *t = (const char *)sqlite3_column_text(q, 0);
		char line[512];
		snprintf(line, sizeof line, "%-20.20s %-8s %-9s %-44.44s %s > %s", t ? t : "-",
			 sqlite3_column_text(q, 2) ? (const char *)sqlite3_column_text(q, 2) : "-",
			 (const char *)sqlite3_column_text(q, 1),
			 sqlite3_column_text(q, 3) ? (const char *)sqlite3_column_text(q, 3) : "-",
			 sqlite3_column_text(q, 5)
			     ? (const char *)sqlite3_column_text(q, 5)
			     : (sqlite3_column_text(q, 4) ? (const char *)sqlite3_column_text(q, 4)
							  : "-"),
			 sqlite3_column_text(q, 6) ? (const char *)sqlite3_column_text(q, 6) : "-");
		rows[nrows].time = strdup(t ? t : "");
		rows[nrows].line = strdup(line);
		rows[nrows].json = strdup((const char *)sqlite3_column_text(q, 7));
		nrows++;
	}
	sqlite3_finalize(q);
	/* insertion sort: the listed alerts are few */
	for (size_t x = 1; x < nrows; x++)
		for (size_t y = x; y > 0 && rows[y].time && rows[y - 1].time &&
				   strcmp(rows[y - 1].time, rows[y].time) > 0;
		     y--) {
			struct row tmp = rows[y];
			rows[y] = rows[y - 1];
			rows[y - 1] = tmp;
		}
	if (json) {
		char *text = json_dumps(o, JSON_COMPACT);
		fprintf(out, "%s\n", text ? text : "{}");
		free(text);
		for (size_t x = 0; x < nrows; x++)
			if (rows[x].json)
				fprintf(out, "%s\n", rows[x].json);
	} else {
		fprintf(out, "incident %s\n", json_string_value(json_object_get(o, "id")));
		const char *story = json_string_value(json_object_get(o, "story"));
		fprintf(out, "\n%s\n", story ? story : "");
		attribution_line(o, "\nattribution: ", out);
		fprintf(out, "\nwhy the alerts belong:\n");
		json_t *l;
		json_array_foreach(json_object_get(o, "links"), i, l)
		{
			const char *title = json_string_value(json_object_get(l, "title"));
			fprintf(out, "  %-50.50s x%-5lld", title ? title : "-",
				(long long)json_integer_value(json_object_get(l, "count")));
			json_t *w;
			size_t k;
			json_array_foreach(json_object_get(l, "why"), k, w)
			{
				const char *val = json_string_value(json_object_get(w, "value"));
				fprintf(out, "%s%s%s%s", k ? ", " : " ",
					json_string_value(json_object_get(w, "kind")),
					val ? " " : "", val ? val : "");
			}
			fputc('\n', out);
		}
		fprintf(out, "\ntimeline (first and last alerts of each rule):\n");
		for (size_t x = 0; x < nrows; x++)
			fprintf(out, "  %s\n", rows[x].line);
		if (!nrows)
			fprintf(out, "  (alerts not in this store)\n");
	}
	for (size_t x = 0; rows && x < nrows; x++) {
		free(rows[x].time);
		free(rows[x].line);
		free(rows[x].json);
	}
	free(rows);
	json_decref(o);
	return 0;
}
