/* test_files.c — hashing, file types, folder walks and archive visits with their limits. */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <archive.h>
#include <archive_entry.h>
#include <cmocka.h>
#include <sys/stat.h>
#include <unistd.h>

#include "core/error.h"
#include "files/files.h"

/* A scratch folder per test run. */
static char tmp[256];

static void write_file(const char *rel, const void *data, size_t n)
{
	char p[512];
	snprintf(p, sizeof p, "%s/%s", tmp, rel);
	FILE *f = fopen(p, "wb");
	assert_non_null(f);
	assert_int_equal(fwrite(data, 1, n, f), n);
	fclose(f);
}

/* A zip (or tar) in memory with the given members. */
static unsigned char *make_archive(bool zip, const char *const *names, const void *const *data,
				   const size_t *sizes, size_t n, size_t *out_len)
{
	size_t cap = 1u << 24;
	unsigned char *buf = malloc(cap);
	assert_non_null(buf);
	struct archive *a = archive_write_new();
	if (zip)
		archive_write_set_format_zip(a);
	else
		archive_write_set_format_pax_restricted(a);
	assert_int_equal(archive_write_open_memory(a, buf, cap, out_len), ARCHIVE_OK);
	for (size_t i = 0; i < n; i++) {
		struct archive_entry *e = archive_entry_new();
		archive_entry_set_pathname(e, names[i]);
		archive_entry_set_size(e, (la_int64_t)sizes[i]);
		archive_entry_set_filetype(e, AE_IFREG);
		archive_entry_set_perm(e, 0644);
		assert_int_equal(archive_write_header(a, e), ARCHIVE_OK);
		assert_int_equal(archive_write_data(a, data[i], sizes[i]), (la_ssize_t)sizes[i]);
		archive_entry_free(e);
	}
	archive_write_close(a);
	archive_write_free(a);
	return buf;
}

static int setup(void **state)
{
	snprintf(tmp, sizeof tmp, "aptscope_test_files_XXXXXX");
	assert_non_null(mkdtemp(tmp));
	return 0;
}

static int teardown(void **state)
{
	char cmd[600];
	snprintf(cmd, sizeof cmd, "rm -rf '%s'", tmp);
	return system(cmd) == 0 ? 0 : -1;
}

static void test_hash_vectors(void **state)
{
	struct file_hashes h;
	assert_int_equal(files_hash("abc", 3, false, &h), 0);
	assert_string_equal(h.md5, "900150983cd24fb0d6963f7d28e17f72");
	assert_string_equal(h.sha1, "a9993e364706816aba3e25717850c26c9cd0d89d");
	assert_string_equal(h.sha256,
			    "ba7816bf8f01cfea414140de5dae2223b00361a396177a9cb410ff61f20015ad");
	assert_string_equal(h.ssdeep, "");
	assert_int_equal(files_hash("", 0, true, &h), 0);
	assert_string_equal(h.md5, "d41d8cd98f00b204e9800998ecf8427e");
	/* Larger than one 64 KiB block: the digests must span blocks. */
	size_t n = 200000;
	unsigned char *big = malloc(n);
	for (size_t i = 0; i < n; i++)
		big[i] = (unsigned char)(i * 7 + i / 251);
	assert_int_equal(files_hash(big, n, true, &h), 0);
	assert_int_not_equal(h.ssdeep[0], 0);
	struct file_hashes h2;
	big[n / 2] ^= 1;
	assert_int_equal(files_hash(big, n, true, &h2), 0);
	assert_string_not_equal(h.sha256, h2.sha256);
	/* One flipped byte leaves the fuzzy hashes alike. */
	assert_true(files_ssdeep_compare(h.ssdeep, h2.ssdeep) > 50);
	assert_int_equal(files_ssdeep_compare("", h.ssdeep), -1);
	const char *hs[3] = {h.ssdeep, "3:abc:def", h2.ssdeep};
	size_t cl[3];
	files_ssdeep_cluster(hs, 3, 50, cl);
	assert_int_equal(cl[0], 0);
	assert_int_equal(cl[1], 1);
	assert_int_equal(cl[2], 0);
	free(big);
}

static void test_types(void **state)
{
	static const struct {
		const char *data;
		size_t n;
		const char *type;
	} cases[] = {
	    {"MZ\x90\x00", 4, "EXE"},
	    {"\x7f"
	     "ELF\x02",
	     5, "ELF"},
	    {"%PDF-1.7", 8, "PDF"},
	    {"PK\x03\x04", 4, "ZIP"},
	    {"\xd0\xcf\x11\xe0\xa1\xb1\x1a\xe1", 8, "OLE"},
	    {"{\\rtf1", 6, "RTF"},
	    {"\x1f\x8b\x08", 3, "GZIP"},
	    {"#!/bin/sh", 9, "SCRIPT"},
	    {"hello", 5, ""},
	    {"", 0, ""},
	};
	for (size_t i = 0; i < sizeof cases / sizeof *cases; i++)
		assert_string_equal(files_type((const unsigned char *)cases[i].data, cases[i].n),
				    cases[i].type);
	assert_true(files_type_archive("ZIP"));
	assert_false(files_type_archive("EXE"));
	assert_true(files_type_fuzzy("EXE"));
	assert_false(files_type_fuzzy("ZIP"));
}

static void test_walk_loops(void **state)
{
	char p[512], q[512];
	snprintf(p, sizeof p, "%s/d", tmp);
	assert_int_equal(mkdir(p, 0755), 0);
	write_file("d/b.txt", "b", 1);
	write_file("a.txt", "a", 1);
	snprintf(p, sizeof p, "%s/d/up", tmp);
	assert_int_equal(symlink("..", p), 0); /* a loop back to the root */
	snprintf(q, sizeof q, "%s/d/dangling", tmp);
	assert_int_equal(symlink("nowhere", q), 0);
	struct files_list l = {0};
	struct files_stats st = {0};
	struct diag_sink diags;
	diag_sink_init(&diags, NULL);
	char *paths[1] = {tmp};
	assert_int_equal(files_list_build(&l, paths, 1, &diags, &st), 0);
	/* a.txt and d/b.txt once each; the loop and the dangling link skipped. */
	assert_int_equal(l.n, 2);
	assert_non_null(strstr(l.paths[0], "/a.txt"));
	assert_non_null(strstr(l.paths[1], "/d/b.txt"));
	assert_int_equal(st.loops, 1);
	assert_int_equal(st.skipped, 1);
	files_list_free(&l);
	files_list_free(NULL);
	diag_sink_fini(&diags);
}

struct seen {
	char paths[16][256];
	int depth[16];
	size_t n;
};

static int collect(void *ctx, const struct file_view *v)
{
	struct seen *s = ctx;
	if (s->n < 16) {
		const char *bang = strchr(v->path, '!');
		snprintf(s->paths[s->n], sizeof s->paths[0], "%s", bang ? bang : v->name);
		s->depth[s->n] = v->depth;
		s->n++;
	}
	return 0;
}

static void test_visit_nested(void **state)
{
	/* inner.zip holds x.exe; outer.zip holds inner.zip and y.txt. */
	const char *n1[] = {"x.exe"};
	const void *d1[] = {"MZ payload"};
	size_t s1[] = {10}, l1, l2;
	unsigned char *inner = make_archive(true, n1, d1, s1, 1, &l1);
	const char *n2[] = {"dir/inner.zip", "y.txt"};
	const void *d2[] = {inner, "why"};
	size_t s2[] = {l1, 3};
	unsigned char *outer = make_archive(false, n2, d2, s2, 2, &l2);
	write_file("outer.tar", outer, l2);
	char path[512];
	snprintf(path, sizeof path, "%s/outer.tar", tmp);

	struct seen s = {0};
	struct files_stats st = {0};
	assert_int_equal(files_visit(path, 0, NULL, collect, &s, NULL, &st), 0);
	assert_int_equal(s.n, 4);
	assert_string_equal(s.paths[0], "outer.tar");
	assert_string_equal(s.paths[1], "!dir/inner.zip");
	assert_int_equal(s.depth[1], 1);
	assert_string_equal(s.paths[2], "!dir/inner.zip!x.exe");
	assert_int_equal(s.depth[2], 2);
	assert_string_equal(s.paths[3], "!y.txt");
	assert_int_equal(st.archives, 2);
	assert_int_equal(st.members, 3);

	/* Depth 1: the inner zip is seen but not opened, and that is reported. */
	memset(&s, 0, sizeof s);
	memset(&st, 0, sizeof st);
	struct files_opts o = {.max_depth = 1};
	assert_int_equal(files_visit(path, 0, &o, collect, &s, NULL, &st), 0);
	assert_int_equal(s.n, 3);
	assert_int_equal(st.skipped, 1);
	free(inner);
	free(outer);
}

static void test_visit_limits(void **state)
{
	/* A 4 MiB member of zeros compresses to a few KiB: with a 1 MiB total
	 * budget it is treated as a bomb and the rest of the archive skipped. */
	size_t big = 4u << 20;
	char *zeros = calloc(1, big);
	const char *names[] = {"zeros.bin", "after.txt"};
	const void *data[] = {zeros, "later"};
	size_t sizes[] = {big, 5}, len;
	unsigned char *zip = make_archive(true, names, data, sizes, 2, &len);
	write_file("bomb.zip", zip, len);
	char path[512];
	snprintf(path, sizeof path, "%s/bomb.zip", tmp);
	struct seen s = {0};
	struct files_stats st = {0};
	struct files_opts o = {.max_total = 1u << 20};
	assert_int_equal(files_visit(path, 0, &o, collect, &s, NULL, &st), 0);
	assert_int_equal(s.n, 1); /* the zip itself only */
	assert_int_equal(st.skipped, 1);

	/* A member above max_size is skipped, the next one still visited. */
	memset(&s, 0, sizeof s);
	memset(&st, 0, sizeof st);
	o = (struct files_opts){.max_size = 1u << 20};
	assert_int_equal(files_visit(path, 0, &o, collect, &s, NULL, &st), 0);
	assert_int_equal(s.n, 2);
	assert_string_equal(s.paths[1], "!after.txt");
	assert_int_equal(st.skipped, 1);

	/* The file on disk above max_size is not visited at all. */
	memset(&s, 0, sizeof s);
	o = (struct files_opts){.max_size = 16};
	assert_int_equal(files_visit(path, 0, &o, collect, &s, NULL, &st), 0);
	assert_int_equal(s.n, 0);

	/* Corrupt archive and missing file: reported, no crash. */
	memcpy(zip + 30, "garbagegarbage", 14);
	write_file("bad.zip", zip, len / 2);
	snprintf(path, sizeof path, "%s/bad.zip", tmp);
	memset(&s, 0, sizeof s);
	assert_int_equal(files_visit(path, 0, NULL, collect, &s, NULL, &st), 0);
	assert_int_equal(s.n >= 1, 1);
	snprintf(path, sizeof path, "%s/none", tmp);
	assert_int_equal(files_visit(path, 0, NULL, collect, &s, NULL, &st), 0);
	free(zip);
	free(zeros);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
	    cmocka_unit_test(test_hash_vectors),
	    cmocka_unit_test(test_types),
	    cmocka_unit_test_setup_teardown(test_walk_loops, setup, teardown),
	    cmocka_unit_test_setup_teardown(test_visit_nested, setup, teardown),
	    cmocka_unit_test_setup_teardown(test_visit_limits, setup, teardown),
	};
	return cmocka_run_group_tests(tests, NULL, NULL);
}
