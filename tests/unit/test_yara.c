/* test_yara.c — rule loading with failures reported, metadata to groups and malware,
 * and a scan of samples (plain and in a zip) with YARA rules and a hash list. */
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

#include "core/error.h"
#include "detect/ioc/ioc.h"
#include "detect/yara/yara_engine.h"
#include "intel/intel.h"

static char tmp[256];

static const char *rules_dir(void)
{
	static char p[512];
	const char *dir = getenv("APTSCOPE_TEST_DATA");
	snprintf(p, sizeof p, "%s/files/rules", dir ? dir : "tests/data");
	return p;
}

static void write_file(const char *rel, const void *data, size_t n)
{
	char p[512];
	snprintf(p, sizeof p, "%s/%s", tmp, rel);
	FILE *f = fopen(p, "wb");
	assert_non_null(f);
	assert_int_equal(fwrite(data, 1, n, f), n);
	fclose(f);
}

static const struct yara_rule_info *find_rule(const struct yara_rules *r, const char *id)
{
	for (size_t i = 0; i < yara_rules_count(r); i++)
		if (!strcmp(yara_rules_info(r, i)->id, id))
			return yara_rules_info(r, i);
	return NULL;
}

static bool has(const char *const *list, const char *s)
{
	for (; *list; list++)
		if (!strcmp(*list, s))
			return true;
	return false;
}

static void test_load_report(void **state)
{
	struct yara_rules *r;
	struct yara_load_report rep = {0};
	assert_int_equal(yara_rules_new(&r), 0);
	assert_int_equal(yara_rules_add(r, rules_dir(), &rep), 0);
	assert_int_equal(yara_rules_add(r, "no/such/rules.yar", &rep), AS_ENOENT);
	assert_int_equal(yara_rules_compile(r, NULL, &rep), 0);
	assert_int_equal(rep.files, 6);
	assert_int_equal(rep.files_failed, 3);
	/* Three good rules (the private include counts as one). */
	assert_int_equal(yara_rules_count(r), 4);
	bool syntax = false, undefined = false, dup = false;
	for (size_t i = 0; i < rep.nerrors; i++) {
		const struct yara_load_error *e = &rep.errors[i];
		if (strstr(e->file, "fail_syntax.yar") && e->line >= 3)
			syntax = true;
		if (strstr(e->file, "fail_undefined.yar") &&
		    strstr(e->reason, "no_such_identifier"))
			undefined = true;
		if (strstr(e->file, "fail_duplicate.yar") && strstr(e->reason, "duplicated"))
			dup = true;
	}
	assert_true(syntax);
	assert_true(undefined);
	assert_true(dup);
	const struct yara_rule_info *ol = find_rule(r, "APT_OceanLotus_Loader_Test");
	assert_non_null(ol);
	assert_true(has(ol->groups, "APT32"));
	assert_true(has(ol->malware, "Denis"));
	assert_int_equal(ol->score, 70);
	const struct yara_rule_info *lz = find_rule(r, "APT_Lazarus_Dropper_Test");
	assert_non_null(lz);
	assert_true(has(lz->techniques, "T1204.002"));
	assert_true(has(lz->techniques, "T1105"));
	assert_true(has(lz->tags, "dropper"));
	assert_string_equal(lz->reference, "https://example.org/report/lazarus");
	assert_null(lz->groups[0]); /* no knowledge base, no names from free text */
	yara_load_report_free(&rep);
	yara_rules_free(r);
	yara_rules_free(NULL);
}

static void test_metadata_kb(void **state)
{
	struct kb *kb = NULL;
	if (kb_load_default(&kb, NULL)) {
		skip(); /* the bundled knowledge base is not built */
		return;
	}
	struct yara_rules *r;
	struct yara_load_report rep = {0};
	assert_int_equal(yara_rules_new(&r), 0);
	assert_int_equal(yara_rules_add(r, rules_dir(), &rep), 0);
	assert_int_equal(yara_rules_compile(r, kb, &rep), 0);
	const struct yara_rule_info *lz = find_rule(r, "APT_Lazarus_Dropper_Test");
	const struct kb_group *g = kb_group_find(kb, SLICE_LIT("Lazarus Group"));
	assert_non_null(g);
	assert_true(has(lz->groups, g->name));
	/* APT32 is written as an alias; the canonical name replaces it. */
	const struct yara_rule_info *ol = find_rule(r, "APT_OceanLotus_Loader_Test");
	const struct kb_group *g32 = kb_group_find(kb, SLICE_LIT("APT32"));
	assert_non_null(g32);
	assert_true(has(ol->groups, g32->name));
	/* "Script in a temp folder" names nobody. */
	assert_null(find_rule(r, "Generic_Temp_Script_Test")->groups[0]);
	yara_load_report_free(&rep);
	yara_rules_free(r);
	kb_free(kb);
}

struct got {
	struct alert *a[16];
	size_t n;
};

static void on_alert(void *ctx, struct alert *a)
{
	struct got *g = ctx;
	if (g->n < 16)
		g->a[g->n++] = a;
	else
		alert_free(a);
}

static void test_scan_samples(void **state)
{
	snprintf(tmp, sizeof tmp, "aptscope_test_yara_XXXXXX");
	assert_non_null(mkdtemp(tmp));
	char p[512];
	snprintf(p, sizeof p, "%s/tmpdir", tmp);
	assert_int_equal(mkdir(p, 0755), 0);
	static const char dropper[] = "MZ\x90\x00 stub LZ_DROPPER_STAGE1 end";
	static const char loader[] = "junk O\0L\0_\0L\0O\0A\0D\0E\0R\0_\0M\0A\0R\0K\0E\0R\0 junk";
	write_file("a_dropper.exe", dropper, sizeof dropper - 1);
	write_file("tmpdir/run.sh", "#!/bin/sh\nTEMP_SCRIPT_MARKER\n", 29);
	write_file("clean.txt", "nothing here", 12);
	write_file("known.bin", "known bad sample", 16);
	/* The loader only inside a zip, as "lib.dll". */
	size_t cap = 1u << 16, len;
	unsigned char *zip = malloc(cap);
	struct archive *a = archive_write_new();
	archive_write_set_format_zip(a);
	archive_write_open_memory(a, zip, cap, &len);
	struct archive_entry *e = archive_entry_new();
	archive_entry_set_pathname(e, "x/lib.dll");
	archive_entry_set_size(e, sizeof loader - 1);
	archive_entry_set_filetype(e, AE_IFREG);
	archive_write_header(a, e);
	archive_write_data(a, loader, sizeof loader - 1);
	archive_entry_free(e);
	archive_write_close(a);
	archive_write_free(a);
	write_file("m_pack.zip", zip, len);
	free(zip);

	struct yara_rules *r;
	struct yara_load_report rep = {0};
	assert_int_equal(yara_rules_new(&r), 0);
	assert_int_equal(yara_rules_add(r, rules_dir(), &rep), 0);
	assert_int_equal(yara_rules_compile(r, NULL, &rep), 0);
	yara_load_report_free(&rep);

	/* A hash list: SHA-256 of known.bin. */
	struct file_hashes kh;
	files_hash("known bad sample", 16, false, &kh);
	char feed[200];
	int fl = snprintf(feed, sizeof feed, "%s\n", kh.sha256);
	struct ioc_set *set, *hits;
	assert_int_equal(ioc_set_new(&set), 0);
	assert_int_equal(ioc_set_load_mem(set, "hashes.txt", feed, (size_t)fl, NULL, NULL), 0);
	struct detector det;
	assert_int_equal(ioc_detector_init(&det, set), 0);
	assert_int_equal(ioc_set_new(&hits), 0);

	for (int threads = 1; threads <= 2; threads++) {
		struct got g = {0};
		char *paths[1] = {tmp};
		struct yara_scan_config cfg = {
		    .paths = paths,
		    .npaths = 1,
		    .rules = r,
		    .detectors = &det,
		    .ndetectors = 1,
		    .hit_hashes = threads == 1 ? hits : NULL,
		    .threads = threads,
		    .fuzzy = true,
		    .on_alert = on_alert,
		    .on_alert_ctx = &g,
		};
		struct yara_scan_result res;
		assert_int_equal(yara_scan_run(&cfg, &res), 0);
		assert_int_equal(res.files.files, 5);
		assert_int_equal(res.files.members, 1);
		/* In file order: dropper (yara), known.bin (ioc), zip member (yara),
		 * tmpdir/run.sh (yara) — whatever the thread count. */
		assert_int_equal(g.n, 4);
		assert_string_equal(g.a[0]->detector, "yara");
		assert_string_equal(g.a[0]->rule_id, "APT_Lazarus_Dropper_Test");
		assert_non_null(strstr(g.a[0]->evidence, "\"LZ_DROPPER_STAGE1\""));
		assert_non_null(strstr(g.a[0]->evidence, "\"ssdeep\""));
		assert_string_equal(g.a[1]->detector, "ioc");
		assert_string_equal(g.a[1]->indicators[0].value, kh.sha256);
		assert_string_equal(g.a[2]->rule_id, "APT_OceanLotus_Loader_Test");
		assert_string_equal(g.a[2]->indicators[0].groups[0], "APT32");
		assert_string_equal(g.a[2]->indicators[0].malware[0], "Denis");
		assert_non_null(strstr(g.a[2]->evidence, "m_pack.zip!x/lib.dll"));
		assert_string_equal(g.a[3]->rule_id, "Generic_Temp_Script_Test");
		assert_int_equal(g.a[3]->level, AL_LOW);
		for (size_t i = 0; i < g.n; i++)
			alert_free(g.a[i]);
		yara_scan_result_free(&res);
	}
	/* Three YARA hits → their MD5, SHA-1 and SHA-256 for hunting in logs. */
	assert_int_equal(ioc_set_count(hits), 9);
	ioc_set_free(hits);
	det.shared_free(det.shared);
	yara_rules_free(r);
	char cmd[600];
	snprintf(cmd, sizeof cmd, "rm -rf '%s'", tmp);
	assert_int_equal(system(cmd), 0);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
	    cmocka_unit_test(test_load_report),
	    cmocka_unit_test(test_metadata_kb),
	    cmocka_unit_test(test_scan_samples),
	};
	return cmocka_run_group_tests(tests, NULL, NULL);
}
