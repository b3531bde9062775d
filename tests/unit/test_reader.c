/*
 * test_reader.c — the reader driver: files, gzip/zstd, truncation, line
 * splitting (CRLF, no final newline, over-long lines), record numbering
 * across batches, bad-record reporting, directory walking.
 *
 * A tiny format defined here ("n=<number>" per line) stands in for the real
 * readers, which have their own tests.
 */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>
#include <zlib.h>
#include <zstd.h>

#include <cmocka.h>

#include "core/error.h"
#include "core/limits.h"
#include "read/reader.h"
#include "read/walk.h"

static int kv_line(void *state, struct slice line, struct event *ev, struct arena *a,
		   struct diag *why)
{
	if (line.len && line.ptr[0] == '#')
		return LINE_SKIP;
	uint64_t v;
	if (!slice_starts(line, "n=") || slice_to_u64(slice_sub(line, 2, line.len), &v))
		return diag_set(why, AS_EPARSE, "not n=<number>");
	event_set_num(ev, EN_PID, (int64_t)v);
	return LINE_EVENT;
}

static const struct format kv_format = {.name = "kv", .summary = "test", .line = kv_line};

static char dir[] = "/tmp/aptscope-test-reader-XXXXXX";

static int setup(void **state)
{
	return mkdtemp(dir) ? 0 : -1;
}

static int teardown(void **state)
{
	char cmd[128];
	snprintf(cmd, sizeof cmd, "rm -rf %s", dir);
	return system(cmd);
}

static const char *path_of(const char *name)
{
	static char p[256];
	snprintf(p, sizeof p, "%s/%s", dir, name);
	return p;
}

static void write_file(const char *name, const void *data, size_t n)
{
	FILE *f = fopen(path_of(name), "wb");
	assert_non_null(f);
	assert_int_equal(fwrite(data, 1, n, f), n);
	fclose(f);
}

struct result {
	uint64_t values_sum;
	uint64_t events, errors, records;
	uint64_t last_record;
	int status;
};

static struct result read_all(const char *name)
{
	struct result res = {0};
	struct diag_sink diags;
	diag_sink_init(&diags, NULL);
	struct source src = {.path = path_of(name)};
	struct read_opts ro = {0};
	struct reader *r;
	struct diag why = {0};
	res.status = reader_open(&r, &src, &kv_format, &ro, &diags, &why);
	if (res.status) {
		diag_sink_fini(&diags);
		return res;
	}
	struct batch b;
	batch_init(&b);
	int n;
	uint64_t prev = 0;
	while ((n = reader_next(r, &b)) > 0) {
		for (int i = 0; i < n; i++) {
			res.values_sum += (uint64_t)b.events[i].num[EN_PID];
			assert_true(b.events[i].record > prev); /* increasing line numbers */
			prev = b.events[i].record;
			assert_ptr_equal(b.events[i].source, &src);
		}
	}
	res.last_record = prev;
	struct reader_stats st;
	reader_stats(r, &st);
	res.events = st.events;
	res.errors = st.errors;
	res.records = st.records;
	reader_close(r);
	batch_free(&b);
	assert_int_equal(diags.total, res.errors);
	diag_sink_fini(&diags);
	return res;
}

static void test_plain_lines(void **state)
{
	const char text[] = "n=1\r\n# comment\n\nn=2\nbad\nn=3"; /* CRLF, blank, no final \n */
	write_file("plain.log", text, sizeof text - 1);
	struct result r = read_all("plain.log");
	assert_int_equal(r.status, 0);
	assert_int_equal(r.events, 3);
	assert_int_equal(r.values_sum, 6);
	assert_int_equal(r.errors, 1);
	assert_int_equal(r.records, 5); /* blank line not a record */
	assert_int_equal(r.last_record, 6);
}

static struct buf many_lines(int n)
{
	struct buf b = BUF_INIT;
	for (int i = 1; i <= n; i++)
		buf_printf(&b, "n=%d\n", i);
	return b;
}

static void test_many_batches(void **state)
{
	int n = 3 * AS_MAX_BATCH_EVENTS + 17;
	struct buf b = many_lines(n);
	write_file("many.log", b.data, b.len);
	struct result r = read_all("many.log");
	assert_int_equal(r.events, (uint64_t)n);
	assert_true(r.values_sum == (uint64_t)n * (uint64_t)(n + 1) / 2);
	assert_int_equal(r.last_record, (uint64_t)n);
	buf_free(&b);
}

static void gz_write(const char *name, const char *data, size_t n, int members)
{
	gzFile g = gzopen(path_of(name), "wb");
	assert_non_null(g);
	assert_int_equal(gzwrite(g, data, (unsigned)n), (int)n);
	gzclose(g);
	/* Further members appended as separate gzip streams (rotated logs). */
	for (int m = 1; m < members; m++) {
		gzFile h = gzopen(path_of(name), "ab");
		gzwrite(h, data, (unsigned)n);
		gzclose(h);
	}
}

static void test_gzip(void **state)
{
	struct buf b = many_lines(10000);
	gz_write("one.log.gz", b.data, b.len, 1);
	struct result r = read_all("one.log.gz");
	assert_int_equal(r.events, 10000);
	assert_int_equal(r.errors, 0);
	gz_write("three.log.gz", b.data, b.len, 3);
	r = read_all("three.log.gz");
	assert_int_equal(r.events, 30000);
	buf_free(&b);
}

static void test_gzip_truncated(void **state)
{
	struct buf b = many_lines(50000);
	gz_write("full.gz", b.data, b.len, 1);
	FILE *f = fopen(path_of("full.gz"), "rb");
	char *data = malloc(1 << 20);
	size_t n = fread(data, 1, 1 << 20, f);
	fclose(f);
	write_file("cut.gz", data, n / 2);
	struct result r = read_all("cut.gz");
	assert_int_equal(r.status, 0);
	assert_true(r.events > 1000); /* what it held */
	assert_true(r.events < 50000);
	assert_true(r.errors >= 1); /* and an error */
	free(data);
	buf_free(&b);
}

static void test_zstd(void **state)
{
	struct buf b = many_lines(20000);
	size_t cap = ZSTD_compressBound(b.len);
	char *z = malloc(cap);
	size_t zn = ZSTD_compress(z, cap, b.data, b.len, 3);
	assert_false(ZSTD_isError(zn));
	write_file("z.log.zst", z, zn);
	struct result r = read_all("z.log.zst");
	assert_int_equal(r.events, 20000);
	assert_int_equal(r.errors, 0);
	write_file("zcut.log.zst", z, zn / 2);
	r = read_all("zcut.log.zst");
	assert_true(r.events < 20000);
	assert_true(r.errors >= 1);
	free(z);
	buf_free(&b);
}

static void test_long_line(void **state)
{
	struct buf b = BUF_INIT;
	buf_puts(&b, "n=1\nn=");
	for (size_t i = 0; i < AS_MAX_LINE + 100; i++)
		buf_putc(&b, '7');
	buf_puts(&b, "\nn=2\n");
	write_file("long.log", b.data, b.len);
	struct result r = read_all("long.log");
	assert_int_equal(r.events, 2);
	assert_int_equal(r.values_sum, 3);
	assert_int_equal(r.errors, 1);
	assert_int_equal(r.last_record, 3);
	buf_free(&b);
}

static void test_missing_and_empty(void **state)
{
	struct result r = read_all("does-not-exist.log");
	assert_int_equal(r.status, AS_ENOENT);
	write_file("empty.log", "", 0);
	/* Forced format: an empty file is zero events, not an error. */
	r = read_all("empty.log");
	assert_int_equal(r.status, 0);
	assert_int_equal(r.events, 0);
	/* Detected format: nothing to detect from. */
	struct diag_sink diags;
	diag_sink_init(&diags, NULL);
	struct source src = {.path = path_of("empty.log")};
	struct read_opts ro = {0};
	struct reader *rd;
	struct diag why = {0};
	assert_int_equal(reader_open(&rd, &src, NULL, &ro, &diags, &why), AS_EFORMAT);
	assert_non_null(strstr(why.msg, "empty"));
	diag_sink_fini(&diags);
}

static void test_walk(void **state)
{
	char sub[256], link[256];
	snprintf(sub, sizeof sub, "%s/walk/b", dir);
	assert_int_equal(system(strcat(strcpy((char[300]){0}, "mkdir -p "), sub)), 0);
	write_file("walk/z.log", "n=1\n", 4);
	write_file("walk/a.log", "n=1\n", 4);
	write_file("walk/b/c.log", "n=1\n", 4);
	snprintf(link, sizeof link, "%s/walk/b/loop", dir);
	assert_int_equal(symlink("..", link), 0);
	struct diag_sink diags;
	diag_sink_init(&diags, NULL);
	struct file_list fl = {0};
	char *paths[] = {(char *)path_of("walk")};
	char root[256];
	strcpy(root, paths[0]);
	paths[0] = root;
	assert_int_equal(walk_paths(paths, 1, &fl, &diags), 0);
	assert_int_equal(fl.n, 3); /* the loop is not followed twice */
	/* The same folder and a file in it named again: each file once. */
	char again[300];
	snprintf(again, sizeof again, "%s/a.log", root);
	char *twice[] = {root, root, again};
	struct file_list fl2 = {0};
	assert_int_equal(walk_paths(twice, 3, &fl2, &diags), 0);
	assert_int_equal(fl2.n, 3);
	file_list_free(&fl2);
	assert_non_null(strstr(fl.paths[0], "walk/a.log"));
	assert_non_null(strstr(fl.paths[1], "walk/b/c.log"));
	assert_non_null(strstr(fl.paths[2], "walk/z.log"));
	file_list_free(&fl);
	diag_sink_fini(&diags);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
	    cmocka_unit_test(test_plain_lines),
	    cmocka_unit_test(test_many_batches),
	    cmocka_unit_test(test_gzip),
	    cmocka_unit_test(test_gzip_truncated),
	    cmocka_unit_test(test_zstd),
	    cmocka_unit_test(test_long_line),
	    cmocka_unit_test(test_missing_and_empty),
	    cmocka_unit_test(test_walk),
	};
	return cmocka_run_group_tests(tests, setup, teardown);
}
