/*
 * cluster_store.c — the `clusters` table and the link written back into the
 * stored incidents, see cluster_store.h.
 */
#include "store/cluster_store.h"

#include <jansson.h>
#include <sqlite3.h>
#include <stdlib.h>
#include <string.h>

#include "attribute/attribute.h"
#include "core/buf.h"
#include "core/error.h"
#include "core/timeparse.h"
#include "store/store.h"

static const char *const migrations[] = {
    "CREATE TABLE clusters ("
    "  name TEXT PRIMARY KEY,"
    "  first_seen TEXT, last_seen TEXT,"
    "  incidents INTEGER, organisations INTEGER,"
    "  linked_group TEXT, linked_reason TEXT,"
    "  json TEXT NOT NULL);",
};

static int migrate(struct store *s)
{
	return store_migrate(s, "clusters", migrations, sizeof migrations / sizeof migrations[0]);
}

int cluster_store_load(struct store *s, struct attr_clusterer *c, size_t *skipped)
{
	int rc = migrate(s);
	if (rc)
		return rc;
	sqlite3 *db = store_sqlite(s);
	sqlite3_stmt *st = NULL;
	if (!db || sqlite3_prepare_v2(db, "SELECT json FROM clusters ORDER BY name", -1, &st,
				      NULL) != SQLITE_OK)
		return AS_EDB;
	size_t bad = 0;
	while (!rc && sqlite3_step(st) == SQLITE_ROW) {
		const char *j = (const char *)sqlite3_column_text(st, 0);
		int e = j ? attr_cluster_add_known(c, j, (size_t)sqlite3_column_bytes(st, 0))
			  : AS_EPARSE;
		if (e == AS_ENOMEM)
			rc = e;
		else if (e)
			bad++;
	}
	sqlite3_finalize(st);
	if (skipped)
		*skipped = bad;
	return rc;
}

int cluster_store_put(struct store *s, const struct attr_cluster *cl)
{
	int rc = migrate(s);
	if (rc)
		return rc;
	sqlite3 *db = store_sqlite(s);
	sqlite3_stmt *st = NULL;
	struct buf json = BUF_INIT;
	if ((rc = attr_cluster_to_json(cl, &json)))
		goto out;
	rc = AS_EDB;
	if (sqlite3_prepare_v2(db,
			       "INSERT OR REPLACE INTO clusters (name, first_seen, last_seen, "
			       "incidents, organisations, linked_group, linked_reason, json) "
			       "VALUES (?,?,?,?,?,?,?,?)",
			       -1, &st, NULL) != SQLITE_OK)
		goto out;
	char t1[AS_TIME_STRLEN], t2[AS_TIME_STRLEN];
	store_bind_opt(st, 1, cl->name);
	store_bind_opt(st, 2,
		       cl->first_seen != AS_TIME_NONE ? time_format(cl->first_seen, t1) : NULL);
	store_bind_opt(st, 3,
		       cl->last_seen != AS_TIME_NONE ? time_format(cl->last_seen, t2) : NULL);
	sqlite3_bind_int64(st, 4, (sqlite3_int64)cl->nincidents);
	sqlite3_bind_int64(st, 5, (sqlite3_int64)cl->norgs);
	store_bind_opt(st, 6, cl->linked_group);
	store_bind_opt(st, 7, cl->linked_reason);
	sqlite3_bind_text(st, 8, json.data, (int)json.len, SQLITE_TRANSIENT);
	rc = sqlite3_step(st) == SQLITE_DONE ? 0 : AS_EDB;
out:
	sqlite3_finalize(st);
	buf_free(&json);
	return rc;
}

/* The incidents table belongs to correlate/incident_store.c; only the
 * "attribution" member of its JSON is rewritten here. */
int cluster_store_mark(struct store *s, const struct attr_cluster *cl, size_t *updated)
{
	sqlite3 *db = store_sqlite(s);
	sqlite3_stmt *get = NULL, *put = NULL;
	size_t n = 0;
	int rc = 0;
	if (updated)
		*updated = 0;
	if (!db)
		return AS_EDB;
	if (sqlite3_prepare_v2(db, "SELECT json FROM incidents WHERE id = ?", -1, &get, NULL) !=
		SQLITE_OK ||
	    sqlite3_prepare_v2(db, "UPDATE incidents SET json = ? WHERE id = ?", -1, &put, NULL) !=
		SQLITE_OK) {
		/* no incidents table: nothing was hunted into this store yet */
		sqlite3_finalize(get);
		sqlite3_finalize(put);
		return 0;
	}
	for (size_t i = 0; i < cl->nincidents && !rc; i++) {
		sqlite3_reset(get);
		sqlite3_bind_text(get, 1, cl->incidents[i], -1, SQLITE_TRANSIENT);
		if (sqlite3_step(get) != SQLITE_ROW)
			continue;
		json_t *o = json_loads((const char *)sqlite3_column_text(get, 0), 0, NULL);
		json_t *a = json_object_get(o, "attribution");
		if (!json_is_object(a)) {
			json_decref(o);
			continue;
		}
		json_object_set_new(a, "verdict", json_string("new-cluster"));
		json_object_set_new(a, "cluster", json_string(cl->name));
		if (cl->linked_group) {
			json_object_set_new(a, "linked_group", json_string(cl->linked_group));
			json_object_set_new(
			    a, "linked_reason",
			    json_string(cl->linked_reason ? cl->linked_reason : ""));
		}
		char *text = json_dumps(o, JSON_COMPACT);
		json_decref(o);
		if (!text) {
			rc = AS_ENOMEM;
			break;
		}
		sqlite3_reset(put);
		sqlite3_bind_text(put, 1, text, -1, SQLITE_TRANSIENT);
		sqlite3_bind_text(put, 2, cl->incidents[i], -1, SQLITE_TRANSIENT);
		if (sqlite3_step(put) == SQLITE_DONE)
			n++;
		else
			rc = AS_EDB;
		free(text);
	}
	sqlite3_finalize(get);
	sqlite3_finalize(put);
	if (updated)
		*updated = n;
	return rc;
}
