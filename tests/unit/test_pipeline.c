/*
 * test_pipeline.c — the hunt pipeline and the SQLite store together:
 * files shared out to threads, alerts emitted in input-file order, serial
 * detectors seeing every file's events in one context, flush at the end,
 * alerts, sources and runs in the database, a second run adding to it.
 *
 * A test format ("n=<number>") and two test detectors stand in for the real
 * readers and engines.
 */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sqlite3.h>
#include <unistd.h>

#include <cmocka.h>

#include "core/error.h"
#include "core/limits.h"
#include "pipeline/hunt.h"
#include "read/format.h"

static int kv_line(void *state, struct slice line, struct event *ev, struct arena *a,
		   struct diag *why)
{
	uint64_t v;
	if (!slice_starts(line, "n=") || slice_to_u64(slice_sub(line, 2, line.len), &v))
		return diag_set(why, AS_EPARSE, "not n=<number>");
	event_set_num(ev, EN_PID, (int64_t)v);
	ev->time = (int64_t)v * 1000000;
	return LINE_EVENT;
}

static const struct format kv_format = {.name = "kv", .summary = "test", .line = kv_line};

/* Alerts on every event whose number is a multiple of 100. */
static int every100_new(const struct detector *d, void **w)
{
	*w = calloc(1, sizeof(uint64_t));
	return *w ? 0 : AS_ENOMEM;
}

static int every100_scan(void *w, const struct event *evs, size_t n, struct alert_sink *out)
{
	for (size_t i = 0; i < n; i++) {
		if (evs[i].num[EN_PID] % 100)
			continue;
		struct alert *a = alert_new("test");
		alert_from_event(a, &evs[i]);
		a->rule_id = "every100";
		out->emit(out, a);
	}
	return 0;
}

/* Counts every event it sees; at the end raises one alert with the total. */
struct counter {
	uint64_t n;
};
static uint64_t serial_total;

static int count_scan(void *w, const struct event *evs, size_t n, struct alert_sink *out)
{
	((struct counter *)w)->n += n;
	return 0;
}

static int count_flush(void *w, struct alert_sink *out)
{
	serial_total = ((struct counter *)w)->n;
	struct alert *a = alert_new("test");
	a->rule_id = "total";
	out->emit(out, a);
	return 0;
}

static void worker_free_(void *w)
{
	free(w);
}

static char dir[] = "/tmp/aptscope-test-pipeline-XXXXXX";

struct collected {
	uint64_t records[4096];
	const char *files[4096];
	size_t n;
};

static void collect(void *ctx, struct alert *a)
{
	struct collected *c = ctx;
	if (c->n < 4096) {
		c->records[c->n] = a->record;
		c->files[c->n] = a->source ? a->source->path : NULL;
		c->n++;
	}
	alert_free(a);
}

static int64_t query_int(sqlite3 *db, const char *sql)
{
	sqlite3_stmt *st;
	assert_int_equal(sqlite3_prepare_v2(db, sql, -1, &st, NULL), SQLITE_OK);
	assert_int_equal(sqlite3_step(st), SQLITE_ROW);
	int64_t v = sqlite3_column_int64(st, 0);
	sqlite3_finalize(st);
	return v;
}

static void test_pipeline_order_and_store(void **state)
{
	assert_non_null(mkdtemp(dir));
	/* Four files of 1000 events each, plus one bad line each. */
	for (int f = 0; f < 4; f++) {
		char p[256];
		snprintf(p, sizeof p, "%s/f%d.log", dir, f);
		FILE *out = fopen(p, "w");
		for (int i = 1; i <= 1000; i++)
			fprintf(out, "n=%d\n", f * 1000 + i);
		fputs("garbage\n", out);
		fclose(out);
	}
	struct detector dets[2] = {
	    {.name = "every100",
	     .worker_new = every100_new,
	     .scan = every100_scan,
	     .worker_free = worker_free_},
	    {.name = "count",
	     .serial = true,
	     .worker_new = every100_new,
	     .scan = count_scan,
	     .flush = count_flush,
	     .worker_free = worker_free_},
	};
	char db_path[300];
	snprintf(db_path, sizeof db_path, "%s.db", dir);
	for (int run = 1; run <= 2; run++) {
		struct store *st;
		struct diag why = {0};
		assert_int_equal(store_open(&st, db_path, &why), 0);
		int64_t run_id;
		assert_int_equal(store_run_begin(st, "test", &run_id), 0);
		struct diag_sink diags;
		diag_sink_init(&diags, NULL);
		struct collected c = {0};
		char *paths[] = {dir};
		struct hunt_config cfg = {.paths = paths,
					  .npaths = 1,
					  .force = &kv_format,
					  .detectors = dets,
					  .ndetectors = 2,
					  .threads = 2,
					  .store = st,
					  .run_id = run_id,
					  .on_alert = collect,
					  .on_alert_ctx = &c,
					  .diags = &diags};
		struct hunt_result res;
		assert_int_equal(hunt_run(&cfg, &res), 0);
		assert_int_equal(res.stats.files, 4);
		assert_int_equal(res.stats.events, 4000);
		assert_int_equal(res.stats.errors, 4);
		assert_int_equal(res.stats.alerts, 41);
		assert_int_equal(c.n, 41);
		assert_int_equal(serial_total, 4000); /* one context saw every file */
		/* Alerts in input order: f0 records 100..1000, then f1 … then the total. */
		for (size_t i = 0; i < 40; i++) {
			assert_int_equal(c.records[i], (i % 10 + 1) * 100);
			char want[300];
			snprintf(want, sizeof want, "%s/f%zu.log", dir, i / 10);
			assert_string_equal(c.files[i], want);
		}
		assert_int_equal(store_run_end(st, run_id, &res.stats), 0);
		hunt_result_free(&res);
		store_close(st);
		diag_sink_fini(&diags);

		sqlite3 *db;
		assert_int_equal(sqlite3_open(db_path, &db), SQLITE_OK);
		/* Each run keeps its own rows; the same finding has the same id
		 * in every run (ids are stable across runs). */
		assert_int_equal(query_int(db, "SELECT count(*) FROM alerts"), 41 * run);
		assert_int_equal(query_int(db, "SELECT count(DISTINCT id) FROM alerts"), 41);
		assert_int_equal(query_int(db, "SELECT count(*) FROM runs"), run);
		assert_int_equal(query_int(db, "SELECT count(*) FROM sources"), 4 * run);
		assert_int_equal(query_int(db, "SELECT sum(errors) FROM sources"), 4 * run);
		assert_int_equal(query_int(db, "SELECT events FROM runs ORDER BY id DESC LIMIT 1"),
				 4000);
		assert_int_equal(
		    query_int(db,
			      "SELECT count(*) FROM alerts WHERE json LIKE '%\"type\":\"alert\"%'"),
		    41 * run);
		sqlite3_close(db);
	}
	char cmd[200];
	snprintf(cmd, sizeof cmd, "rm -rf %s %s.db %s.db-wal %s.db-shm", dir, dir, dir, dir);
	assert_int_equal(system(cmd), 0);
}

/* Alerts of a file ahead of the output order are held in memory only up to
 * AS_HUNT_MAX_PENDING: past it the worker waits for the head file, and every
 * alert still comes out, in file order. */
struct ordered {
	size_t n[2];
	bool out_of_order;
};

static void count_ordered(void *ctx, struct alert *a)
{
	struct ordered *o = ctx;
	size_t f = strstr(a->source->path, "/g1.log") ? 1 : 0;
	if (f == 0 && o->n[1])
		o->out_of_order = true;
	o->n[f]++;
	alert_free(a);
}

static void test_pipeline_pending_cap(void **state)
{
	char d[] = "/tmp/aptscope-test-pending-XXXXXX";
	assert_non_null(mkdtemp(d));
	/* g0: long, few alerts; g1: short, an alert per event */
	const size_t n0 = 1000000, n1 = 3 * AS_HUNT_MAX_PENDING;
	for (int f = 0; f < 2; f++) {
		char p[256];
		snprintf(p, sizeof p, "%s/g%d.log", d, f);
		FILE *out = fopen(p, "w");
		assert_non_null(out);
		for (size_t i = 1; i <= (f ? n1 : n0); i++)
			fprintf(out, "n=%zu\n", f ? i * 100 : i);
		fclose(out);
	}
	struct detector det = {.name = "every100",
			       .worker_new = every100_new,
			       .scan = every100_scan,
			       .worker_free = worker_free_};
	struct diag_sink diags;
	diag_sink_init(&diags, NULL);
	struct ordered o = {0};
	char *paths[] = {d};
	struct hunt_config cfg = {.paths = paths,
				  .npaths = 1,
				  .force = &kv_format,
				  .detectors = &det,
				  .ndetectors = 1,
				  .threads = 2,
				  .on_alert = count_ordered,
				  .on_alert_ctx = &o,
				  .diags = &diags};
	struct hunt_result res;
	assert_int_equal(hunt_run(&cfg, &res), 0);
	assert_int_equal(o.n[0], n0 / 100);
	assert_int_equal(o.n[1], n1);
	assert_false(o.out_of_order);
	assert_true(res.pending_peak <= AS_HUNT_MAX_PENDING);
	hunt_result_free(&res);
	diag_sink_fini(&diags);
	char cmd[200];
	snprintf(cmd, sizeof cmd, "rm -rf %s", d);
	assert_int_equal(system(cmd), 0);
}

static void test_store_migrations(void **state)
{
	char path[] = "/tmp/aptscope-test-store-XXXXXX";
	int fd = mkstemp(path);
	close(fd);
	unlink(path);
	struct store *st;
	struct diag why = {0};
	assert_int_equal(store_open(&st, path, &why), 0);
	static const char *const v1[] = {"CREATE TABLE t1(x)"};
	static const char *const v2[] = {"CREATE TABLE t1(x)", "CREATE TABLE t2(y)"};
	assert_int_equal(store_migrate(st, "demo", v1, 1), 0);
	assert_int_equal(store_migrate(st, "demo", v1, 1), 0); /* idempotent */
	assert_int_equal(store_migrate(st, "demo", v2, 2), 0); /* only step 2 runs */
	/* A database newer than the code is refused, not damaged. */
	assert_int_equal(store_migrate(st, "demo", v1, 1), AS_EDB);
	assert_non_null(strstr(store_errmsg(st), "newer"));
	/* A failing step leaves the version where it was. */
	static const char *const bad[] = {"CREATE TABLE t1(x)", "CREATE TABLE t2(y)", "NOT SQL"};
	assert_int_equal(store_migrate(st, "demo", bad, 3), AS_EDB);
	assert_int_equal(store_migrate(st, "demo", v2, 2), 0);
	store_close(st);
	/* Not a database. */
	FILE *f = fopen(path, "w");
	fputs("this is not a database, just text that is long enough to be read as a header....",
	      f);
	fclose(f);
	char wal[64];
	snprintf(wal, sizeof wal, "%s-wal", path);
	unlink(wal);
	assert_int_not_equal(store_open(&st, path, &why), 0);
	assert_non_null(strstr(why.msg, path));
	unlink(path);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
	    cmocka_unit_test(test_pipeline_order_and_store),
	    cmocka_unit_test(test_pipeline_pending_cap),
	    cmocka_unit_test(test_store_migrations),
	};
	return cmocka_run_group_tests(tests, NULL, NULL);
}
