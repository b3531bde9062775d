/*
 * sqlite.c — the default store: one SQLite file.
 *
 * WAL journal so readers (report, serve) never block the hunt writing;
 * synchronous=NORMAL, which in WAL mode can lose the last transactions on
 * power loss but never corrupts. Alerts are written in transactions of
 * AS_STORE_TX_ROWS rows: a killed run leaves every committed batch and a
 * consistent file. Schemas are versioned per component in the table
 * schema_version and migrated in order (store_migrate).
 */
#include "store/store.h"

#include <sqlite3.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "core/buf.h"
#include "core/error.h"
#include "core/limits.h"
#include "core/timeparse.h"

struct store {
	sqlite3 *db;
	sqlite3_stmt *put_alert;
	unsigned pending; /* rows written in the open transaction */
	char err[256];
};

static const char *const core_steps[] = {
    /* 0 → 1 */
    "CREATE TABLE runs ("
    "  id INTEGER PRIMARY KEY,"
    "  command TEXT NOT NULL,"
    "  started TEXT NOT NULL,"
    "  finished TEXT,"
    "  files INTEGER, records INTEGER, events INTEGER, errors INTEGER,"
    "  alerts INTEGER, bytes INTEGER, seconds REAL);"
    "CREATE TABLE sources ("
    "  id INTEGER PRIMARY KEY,"
    "  run_id INTEGER NOT NULL REFERENCES runs(id),"
    "  path TEXT NOT NULL,"
    "  format TEXT,"
    "  records INTEGER NOT NULL, events INTEGER NOT NULL,"
    "  errors INTEGER NOT NULL, bytes INTEGER NOT NULL,"
    "  error TEXT);"
    "CREATE INDEX sources_path ON sources(path);"
    "CREATE TABLE alerts ("
    "  id TEXT NOT NULL,"
    "  run_id INTEGER NOT NULL REFERENCES runs(id),"
    "  time TEXT,"
    "  detector TEXT NOT NULL,"
    "  rule_id TEXT, rule_title TEXT, level TEXT,"
    "  host TEXT, src_ip TEXT, dst_ip TEXT, user TEXT,"
    "  file TEXT, record INTEGER,"
    "  json TEXT NOT NULL,"
    "  PRIMARY KEY (id, run_id));"
    "CREATE INDEX alerts_time ON alerts(time);"
    "CREATE INDEX alerts_rule ON alerts(detector, rule_id);",
};

static int fail(struct store *s, int code, const char *what)
{
	snprintf(s->err, sizeof s->err, "%s: %s", what,
		 s->db ? sqlite3_errmsg(s->db) : "no database");
	return code;
}

static int exec(struct store *s, const char *sql)
{
	char *msg = NULL;
	if (sqlite3_exec(s->db, sql, NULL, NULL, &msg) != SQLITE_OK) {
		snprintf(s->err, sizeof s->err, "%s", msg ? msg : "sqlite error");
		sqlite3_free(msg);
		return AS_EDB;
	}
	return 0;
}

static int begin(struct store *s)
{
	if (s->pending || sqlite3_get_autocommit(s->db) == 0)
		return 0;
	return exec(s, "BEGIN IMMEDIATE");
}

int store_flush(struct store *s)
{
	if (!s || sqlite3_get_autocommit(s->db))
		return 0;
	s->pending = 0;
	return exec(s, "COMMIT");
}

int store_migrate(struct store *s, const char *component, const char *const *steps, size_t n)
{
	int rc = store_flush(s);
	if (rc)
		return rc;
	if ((rc = exec(s, "CREATE TABLE IF NOT EXISTS schema_version ("
			  "component TEXT PRIMARY KEY, version INTEGER NOT NULL)")))
		return rc;
	if ((rc = exec(s, "BEGIN IMMEDIATE")))
		return rc;
	sqlite3_stmt *st = NULL;
	long version = 0;
	if (sqlite3_prepare_v2(s->db, "SELECT version FROM schema_version WHERE component=?", -1,
			       &st, NULL) != SQLITE_OK) {
		rc = fail(s, AS_EDB, "schema_version");
		goto rollback;
	}
	sqlite3_bind_text(st, 1, component, -1, SQLITE_STATIC);
	if (sqlite3_step(st) == SQLITE_ROW)
		version = sqlite3_column_int64(st, 0);
	sqlite3_finalize(st);
	st = NULL;
	if (version > (long)n) {
		snprintf(s->err, sizeof s->err,
			 "the database's %s schema (version %ld) is newer than this aptscope knows "
			 "(%zu)",
			 component, version, n);
		rc = AS_EDB;
		goto rollback;
	}
	for (size_t i = (size_t)version; i < n; i++)
		if ((rc = exec(s, steps[i])))
			goto rollback;
	if (sqlite3_prepare_v2(s->db,
			       "INSERT INTO schema_version(component, version) VALUES(?, ?) "
			       "ON CONFLICT(component) DO UPDATE SET version=excluded.version",
			       -1, &st, NULL) != SQLITE_OK) {
		rc = fail(s, AS_EDB, "schema_version");
		goto rollback;
	}
	sqlite3_bind_text(st, 1, component, -1, SQLITE_STATIC);
	sqlite3_bind_int64(st, 2, (sqlite3_int64)n);
	rc = sqlite3_step(st) == SQLITE_DONE ? 0 : fail(s, AS_EDB, "schema_version");
	sqlite3_finalize(st);
	if (rc)
		goto rollback;
	return exec(s, "COMMIT");
rollback:
	sqlite3_exec(s->db, "ROLLBACK", NULL, NULL, NULL);
	return rc;
}

int store_open(struct store **out, const char *path, struct diag *why)
{
	*out = NULL;
	struct store *s = calloc(1, sizeof *s);
	if (!s)
		return diag_set(why, AS_ENOMEM, "out of memory");
	int rc;
	if (sqlite3_open_v2(path, &s->db, SQLITE_OPEN_READWRITE | SQLITE_OPEN_CREATE, NULL) !=
	    SQLITE_OK) {
		rc = diag_set(why, AS_EDB, "%s: cannot open database: %s", path,
			      s->db ? sqlite3_errmsg(s->db) : "out of memory");
		goto fail;
	}
	sqlite3_busy_timeout(s->db, 10000);
	if ((rc = exec(s, "PRAGMA journal_mode=WAL; PRAGMA synchronous=NORMAL; "
			  "PRAGMA foreign_keys=ON;")) ||
	    (rc = store_migrate(s, "core", core_steps, sizeof core_steps / sizeof *core_steps))) {
		diag_set(why, rc, "%s: %s", path, s->err);
		goto fail;
	}
	if (sqlite3_prepare_v2(s->db,
			       "INSERT OR REPLACE INTO alerts(id, run_id, time, detector, rule_id, "
			       "rule_title, level, host, src_ip, dst_ip, user, file, record, json) "
			       "VALUES(?,?,?,?,?,?,?,?,?,?,?,?,?,?)",
			       -1, &s->put_alert, NULL) != SQLITE_OK) {
		rc = diag_set(why, AS_EDB, "%s: %s", path, sqlite3_errmsg(s->db));
		goto fail;
	}
	*out = s;
	return 0;
fail:
	store_close(s);
	return rc;
}

void store_close(struct store *s)
{
	if (!s)
		return;
	if (s->db)
		store_flush(s);
	sqlite3_finalize(s->put_alert);
	sqlite3_close(s->db);
	free(s);
}

int store_run_begin(struct store *s, const char *command, int64_t *run_id)
{
	char now[AS_TIME_STRLEN];
	time_format(time_now_us() / 1000000 * 1000000, now);
	int rc = store_flush(s);
	if (rc)
		return rc;
	sqlite3_stmt *st;
	if (sqlite3_prepare_v2(s->db, "INSERT INTO runs(command, started) VALUES(?, ?)", -1, &st,
			       NULL) != SQLITE_OK)
		return fail(s, AS_EDB, "runs");
	sqlite3_bind_text(st, 1, command, -1, SQLITE_TRANSIENT);
	sqlite3_bind_text(st, 2, now, -1, SQLITE_TRANSIENT);
	rc = sqlite3_step(st) == SQLITE_DONE ? 0 : fail(s, AS_EDB, "runs");
	sqlite3_finalize(st);
	if (!rc)
		*run_id = sqlite3_last_insert_rowid(s->db);
	return rc;
}

int store_run_end(struct store *s, int64_t run_id, const struct run_stats *r)
{
	char now[AS_TIME_STRLEN];
	time_format(time_now_us() / 1000000 * 1000000, now);
	int rc = store_flush(s);
	if (rc)
		return rc;
	sqlite3_stmt *st;
	if (sqlite3_prepare_v2(
		s->db,
		"UPDATE runs SET finished=?, files=?, records=?, events=?, errors=?, "
		"alerts=?, bytes=?, seconds=? WHERE id=?",
		-1, &st, NULL) != SQLITE_OK)
		return fail(s, AS_EDB, "runs");
	sqlite3_bind_text(st, 1, now, -1, SQLITE_TRANSIENT);
	sqlite3_bind_int64(st, 2, (sqlite3_int64)r->files);
	sqlite3_bind_int64(st, 3, (sqlite3_int64)r->records);
	sqlite3_bind_int64(st, 4, (sqlite3_int64)r->events);
	sqlite3_bind_int64(st, 5, (sqlite3_int64)r->errors);
	sqlite3_bind_int64(st, 6, (sqlite3_int64)r->alerts);
	sqlite3_bind_int64(st, 7, (sqlite3_int64)r->bytes);
	sqlite3_bind_double(st, 8, r->seconds);
	sqlite3_bind_int64(st, 9, run_id);
	rc = sqlite3_step(st) == SQLITE_DONE ? 0 : fail(s, AS_EDB, "runs");
	sqlite3_finalize(st);
	return rc;
}

int store_source_put(struct store *s, int64_t run_id, const struct source_stats *ss)
{
	int rc = begin(s);
	if (rc)
		return rc;
	sqlite3_stmt *st;
	if (sqlite3_prepare_v2(s->db,
			       "INSERT INTO sources(run_id, path, format, records, events, errors, "
			       "bytes, error) VALUES(?,?,?,?,?,?,?,?)",
			       -1, &st, NULL) != SQLITE_OK)
		return fail(s, AS_EDB, "sources");
	sqlite3_bind_int64(st, 1, run_id);
	sqlite3_bind_text(st, 2, ss->path, -1, SQLITE_TRANSIENT);
	sqlite3_bind_text(st, 3, ss->format, -1, SQLITE_TRANSIENT);
	sqlite3_bind_int64(st, 4, (sqlite3_int64)ss->records);
	sqlite3_bind_int64(st, 5, (sqlite3_int64)ss->events);
	sqlite3_bind_int64(st, 6, (sqlite3_int64)ss->errors);
	sqlite3_bind_int64(st, 7, (sqlite3_int64)ss->bytes);
	sqlite3_bind_text(st, 8, ss->error, -1, SQLITE_TRANSIENT);
	rc = sqlite3_step(st) == SQLITE_DONE ? 0 : fail(s, AS_EDB, "sources");
	sqlite3_finalize(st);
	if (!rc && ++s->pending >= AS_STORE_TX_ROWS)
		rc = store_flush(s);
	return rc;
}

void store_bind_opt(sqlite3_stmt *st, int i, const char *v)
{
	if (v)
		sqlite3_bind_text(st, i, v, -1, SQLITE_TRANSIENT);
	else
		sqlite3_bind_null(st, i);
}

int store_alert_put(struct store *s, int64_t run_id, const struct alert *a)
{
	struct buf json = BUF_INIT;
	int rc = alert_to_json(a, &json);
	if (rc)
		goto out;
	if ((rc = begin(s)))
		goto out;
	char t[AS_TIME_STRLEN], src[IP_STRLEN], dst[IP_STRLEN];
	sqlite3_stmt *st = s->put_alert;
	sqlite3_reset(st);
	sqlite3_bind_text(st, 1, a->id, -1, SQLITE_TRANSIENT);
	sqlite3_bind_int64(st, 2, run_id);
	store_bind_opt(st, 3, a->time != AS_TIME_NONE ? time_format(a->time, t) : NULL);
	store_bind_opt(st, 4, a->detector);
	store_bind_opt(st, 5, a->rule_id);
	store_bind_opt(st, 6, a->rule_title);
	store_bind_opt(st, 7, alert_level_name(a->level));
	store_bind_opt(st, 8, a->host);
	store_bind_opt(st, 9, a->src_ip.family ? ip_format(&a->src_ip, src) : NULL);
	store_bind_opt(st, 10, a->dst_ip.family ? ip_format(&a->dst_ip, dst) : NULL);
	store_bind_opt(st, 11, a->user);
	store_bind_opt(st, 12, a->source ? a->source->path : NULL);
	sqlite3_bind_int64(st, 13, (sqlite3_int64)a->record);
	sqlite3_bind_text(st, 14, json.data, (int)json.len, SQLITE_TRANSIENT);
	rc = sqlite3_step(st) == SQLITE_DONE ? 0 : fail(s, AS_EDB, "alerts");
	if (!rc && ++s->pending >= AS_STORE_TX_ROWS)
		rc = store_flush(s);
out:
	buf_free(&json);
	return rc;
}

struct sqlite3 *store_sqlite(struct store *s)
{
	return s->db;
}

const char *store_errmsg(struct store *s)
{
	return s && s->err[0] ? s->err : "no error";
}
