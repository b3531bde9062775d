/*
 * store.h — where runs, sources, alerts (and later incidents and the
 * knowledge base) are kept.
 *
 * The default back end is one SQLite file (sqlite.c): WAL journal, schema
 * versioned per component with ordered migrations, writes batched into
 * transactions of AS_STORE_TX_ROWS rows, so a killed run leaves a consistent
 * database holding every committed batch.
 */
#ifndef AS_STORE_STORE_H
#define AS_STORE_STORE_H

#include <stddef.h>
#include <stdint.h>

#include "core/diag.h"
#include "detect/alert.h"

struct store;
struct sqlite3;
struct sqlite3_stmt;

struct source_stats {
	const char *path;
	const char *format; /* NULL when not detected */
	uint64_t records;   /* records read */
	uint64_t events;    /* events produced */
	uint64_t errors;    /* bad records */
	uint64_t bytes;     /* bytes read (decompressed) */
	const char *error;  /* file-level error, NULL when none */
};

struct run_stats {
	uint64_t files, records, events, errors, alerts, bytes;
	double seconds;
};

/* Open (creating and migrating) the store at path. NULL *why is fine. */
int store_open(struct store **out, const char *path, struct diag *why);
/* Commit what is pending and close. Accepts NULL. */
void store_close(struct store *s);

int store_run_begin(struct store *s, const char *command, int64_t *run_id);
int store_run_end(struct store *s, int64_t run_id, const struct run_stats *st);
int store_source_put(struct store *s, int64_t run_id, const struct source_stats *ss);
/* Alerts are written in batched transactions; store_flush commits them. */
int store_alert_put(struct store *s, int64_t run_id, const struct alert *a);
int store_flush(struct store *s);

/* Schema migrations of one component ("core", "intel", …): steps[i] is the SQL
 * that takes the component from version i to i+1. Applied in one
 * transaction each; idempotent. */
int store_migrate(struct store *s, const char *component, const char *const *steps, size_t n);

/* The SQLite handle, for components that keep their own tables. */
struct sqlite3 *store_sqlite(struct store *s);
/* Bind v (copied) to parameter i of st, or NULL when v is NULL. */
void store_bind_opt(struct sqlite3_stmt *st, int i, const char *v);

/* Last error message of the back end (static or owned by the store). */
const char *store_errmsg(struct store *s);

#endif
