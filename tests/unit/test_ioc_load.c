/* test_ioc_load.c — indicator feeds: signature-base lists, plain/defanged lists,
 * CSV, STIX 2.0/2.1 and MISP fixtures, reports of bad records, and (when the
 * shared corpora are present) every file of signature-base/iocs. */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <cmocka.h>

#include "core/error.h"
#include "core/timeparse.h"
#include "detect/ioc/ioc.h"

struct loaded {
	struct ioc_set *set;
	struct ioc_matcher *m;
	struct ioc_load_stats st;
	char *diag_text;
	size_t diag_len;
	int rc;
};

static void path_of(char *dst, size_t cap, const char *name)
{
	const char *root = getenv("APTSCOPE_TEST_DATA");
	snprintf(dst, cap, "%s/ioc/%s", root ? root : "tests/data", name);
}

static void load(struct loaded *l, const char *name)
{
	char path[1024];
	path_of(path, sizeof path, name);
	memset(l, 0, sizeof *l);
	FILE *out = open_memstream(&l->diag_text, &l->diag_len);
	assert_non_null(out);
	struct diag_sink sink;
	diag_sink_init(&sink, out);
	assert_int_equal(ioc_set_new(&l->set), 0);
	l->rc = ioc_set_load(l->set, path, &sink, &l->st);
	assert_int_equal(ioc_set_finish(l->set, &sink), 0);
	diag_sink_fini(&sink);
	fclose(out);
	assert_int_equal(ioc_matcher_new(l->set, &l->m), 0);
}

static void unload(struct loaded *l)
{
	ioc_matcher_free(l->m);
	ioc_set_free(l->set);
	free(l->diag_text);
}

/* Hits of one event with one field set ("dst_ip", "domain", …). */
static size_t hits_of(struct loaded *l, const char *field, const char *value, const char *time,
		      struct ioc_hit *h, size_t cap)
{
	struct event ev;
	event_clear(&ev);
	if (time)
		assert_int_equal(time_parse_rfc3339(slice_cstr(time), &ev.time), 0);
	if (!strcmp(field, "dst_ip"))
		assert_int_equal(ip_parse(slice_cstr(value), &ev.dst_ip), 0);
	else
		for (int k = 0; k < ES_COUNT; k++)
			if (!strcmp(event_str_name((enum event_str)k), field))
				ev.str[k] = slice_cstr(value);
	return ioc_matcher_match(l->m, &ev, h, cap);
}

static size_t hits(struct loaded *l, const char *field, const char *value)
{
	struct ioc_hit h[8];
	return hits_of(l, field, value, NULL, h, 8);
}

static void test_signature_base_c2(void **state)
{
	struct loaded l;
	load(&l, "pass_c2-iocs.txt");
	assert_int_equal(l.rc, 0);
	assert_int_equal(l.st.skipped, 0);
	assert_int_equal(l.st.loaded, l.st.records);
	assert_int_equal(ioc_set_count(l.set), l.st.loaded);
	assert_true(ioc_set_count_type(l.set, IOC_DOMAIN) >= 8);
	assert_true(ioc_set_count_type(l.set, IOC_IPV4) >= 10);
	struct ioc_hit h[4];
	assert_int_equal(hits_of(&l, "domain", "x.suroot.com", NULL, h, 4), 1);
	const struct ioc_meta *m = ioc_hit_meta(l.set, &h[0]);
	assert_non_null(strstr(m->label, "Operation Snowman"));
	assert_non_null(strstr(m->source, "pass_c2-iocs.txt"));
	assert_int_equal(m->score, -1);
	assert_int_equal(hits_of(&l, "dst_ip", "176.123.5.126", NULL, h, 4), 1);
	m = ioc_hit_meta(l.set, &h[0]);
	assert_int_equal(m->score, 65);
	assert_non_null(strstr(m->label, "Cleo"));
	unload(&l);
}

static void test_signature_base_hash(void **state)
{
	struct loaded l;
	load(&l, "pass_hash-iocs.txt");
	assert_int_equal(l.st.skipped, 0);
	assert_int_equal(l.st.loaded, 7);
	struct ioc_hit h[4];
	assert_int_equal(hits_of(&l, "sha256",
				 "BF4F41403280C1B115650D470F9B260A5C9042C04D9BCC2A6CA504A66379B2D6",
				 NULL, h, 4),
			 1);
	const struct ioc_meta *m = ioc_hit_meta(l.set, &h[0]);
	assert_int_equal(m->score, 55);
	assert_non_null(strstr(m->label, "Log4j"));
	assert_int_equal(hits_of(&l, "sha256",
				 "87648aad45d9142d1d825d728b7aa098f92aea38698209d038ba58b7385f8df6",
				 NULL, h, 4),
			 1);
	m = ioc_hit_meta(l.set, &h[0]);
	assert_non_null(strstr(m->label, "Triton Actor TTP IOCs - KB77846376.exe - https"));
	unload(&l);
}

static void test_signature_base_filename(void **state)
{
	struct loaded l;
	load(&l, "pass_filename-iocs.txt");
	assert_int_equal(l.st.skipped, 0);
	assert_int_equal(ioc_set_count_type(l.set, IOC_FILENAME_RE), l.st.loaded);
	assert_int_equal(hits(&l, "file_path", "C:\\Windows\\system32\\drivers\\usbclass.sys"), 1);
	assert_int_equal(hits(&l, "file_path", "C:\\Windows\\usbclass.sysx"), 1);
	assert_int_equal(hits(&l, "file_path", "C:\\Windows\\notusbclass.sy"), 0);
	/* exclusion: whatsapp.exe is fine under \WhatsApp\ */
	assert_int_equal(hits(&l, "file_path", "C:\\Users\\x\\Desktop\\whatsapp.exe"), 1);
	assert_int_equal(
	    hits(&l, "file_path", "C:\\Users\\x\\AppData\\Local\\WhatsApp\\whatsapp.exe"), 0);
	/* (?i) */
	assert_int_equal(hits(&l, "file_path", "C:\\Users\\x\\APPDATA\\evil.EXE"), 1);
	unload(&l);
}

static void test_keywords_skipped(void **state)
{
	struct loaded l;
	load(&l, "pass_keywords.txt");
	assert_int_equal(ioc_set_count(l.set), 0);
	assert_true(l.st.skipped > 0);
	assert_int_equal(l.st.skipped, l.st.records);
	assert_non_null(strstr(l.diag_text, "keywords skipped"));
	unload(&l);
}

static void test_defanged(void **state)
{
	struct loaded l;
	load(&l, "pass_defanged.txt");
	assert_int_equal(l.st.skipped, 0);
	assert_int_equal(l.st.loaded, 7);
	assert_int_equal(hits(&l, "domain", "a.evil.example"), 1);
	assert_int_equal(hits(&l, "url", "http://bad.example/gate.php"), 1);
	assert_int_equal(hits(&l, "url", "https://LOGIN.bad.example/owa"), 1);
	assert_int_equal(hits(&l, "dst_ip", "198.51.100.23"), 1);
	assert_int_equal(hits(&l, "email", "phisher@bad.example"), 1);
	assert_int_equal(hits(&l, "dst_ip", "2001:db8::bad"), 1);
	assert_int_equal(hits(&l, "dst_ip", "203.0.113.99"), 1);
	unload(&l);
}

static void test_csv(void **state)
{
	struct loaded l;
	load(&l, "pass_indicators.csv");
	assert_int_equal(l.st.skipped, 0);
	assert_int_equal(l.st.loaded, 8);
	struct ioc_hit h[4];
	assert_int_equal(hits_of(&l, "domain", "c2.oceanlotus.example", NULL, h, 4), 1);
	const struct ioc_meta *m = ioc_hit_meta(l.set, &h[0]);
	assert_string_equal(m->label, "OceanLotus C2");
	assert_string_equal(m->groups[0], "APT32");
	assert_string_equal(m->groups[1], "OceanLotus");
	assert_string_equal(m->malware[0], "Cobalt Strike");
	assert_string_equal(m->source, "partner-feed");
	assert_int_equal(m->score, 90);
	assert_int_equal(hits_of(&l, "dst_ip", "192.0.2.44", "2024-06-01T00:00:00Z", h, 4), 1);
	m = ioc_hit_meta(l.set, &h[0]);
	assert_string_equal(m->label, "Sofacy relay, \"X-Agent\"");
	assert_int_equal(hits_of(&l, "dst_ip", "192.0.2.44", "2025-06-01T00:00:00Z", h, 4), 0);
	assert_int_equal(
	    hits(&l, "sha256", "e3b0c44298fc1c149afbf4c8996fb92427ae41e4649b934ca495991b7852b855"),
	    1);
	assert_int_equal(hits(&l, "url", "/patch.exe"), 0);
	assert_int_equal(hits(&l, "ja3", "E7D705A3286E19EA42F587B344EE6865"), 1);
	assert_int_equal(hits(&l, "email", "HR@recruit.example"), 1);
	assert_int_equal(hits(&l, "user_agent",
			      "Mozilla/4.0 (compatible; MSIE 7.0; Windows NT 5.1; Trident/4.0)"),
			 1);
	assert_int_equal(hits(&l, "file_path", "C:\\Windows\\Temp\\SVCH0ST.EXE"), 1);
	unload(&l);
}

static void test_fail_reported(void **state)
{
	struct loaded l;
	load(&l, "fail_indicators.csv");
	assert_int_equal(l.st.loaded, 1);
	assert_int_equal(l.st.skipped, 4);
	assert_non_null(strstr(l.diag_text, "fail_indicators.csv:3: "));
	assert_non_null(strstr(l.diag_text, "fail_indicators.csv:4: unknown indicator type"));
	assert_non_null(strstr(l.diag_text, "fail_indicators.csv:5: "));
	assert_non_null(strstr(l.diag_text, "fail_indicators.csv:6: not an IP"));
	unload(&l);
	load(&l, "fail_list.txt");
	assert_int_equal(l.st.loaded, 2);
	assert_int_equal(l.st.skipped, 2);
	assert_non_null(strstr(l.diag_text, "fail_list.txt:3: cannot tell"));
	assert_non_null(strstr(l.diag_text, "fail_list.txt:4: cannot tell"));
	unload(&l);
	load(&l, "no_such_file.txt");
	assert_int_equal(l.rc, AS_ENOENT);
	unload(&l);
}

static void test_stix21(void **state)
{
	struct loaded l;
	load(&l, "pass_stix21.json");
	assert_int_equal(l.rc, 0);
	assert_int_equal(l.st.records, 8);
	assert_int_equal(l.st.loaded, 8);
	assert_int_equal(l.st.skipped, 4);
	/* every unsupported pattern is named with its indicator id and reason */
	assert_non_null(strstr(l.diag_text, "indicator--00000000-0000-4000-8000-0000000000f1: "
					    "unsupported pattern: operator other than ="));
	assert_non_null(strstr(l.diag_text, "0000000000f2: unsupported pattern: AND across"));
	assert_non_null(strstr(l.diag_text, "0000000000f3: pattern_type sigma not supported"));
	assert_non_null(strstr(l.diag_text, "0000000000f4: unsupported pattern: object path"));
	struct ioc_hit h[4];
	assert_int_equal(hits_of(&l, "domain", "c2.lotus.example", "2024-05-01T00:00:00Z", h, 4),
			 1);
	const struct ioc_meta *m = ioc_hit_meta(l.set, &h[0]);
	assert_string_equal(m->groups[0], "APT32");
	assert_null(m->malware);
	assert_int_equal(m->score, 85);
	assert_string_equal(m->ref, "indicator--00000000-0000-4000-8000-000000000001");
	assert_string_equal(m->label, "OceanLotus C2 domain");
	/* before valid_from */
	assert_int_equal(hits_of(&l, "domain", "c2.lotus.example", "2023-05-01T00:00:00Z", h, 4),
			 0);
	assert_int_equal(hits_of(&l, "dst_ip", "198.51.100.77", "2024-05-01T00:00:00Z", h, 4), 1);
	/* hashes of one file joined by AND: either identifies it */
	assert_int_equal(hits_of(&l, "md5", "0c2674c3a97c53082187d930efb645c2", NULL, h, 4), 1);
	m = ioc_hit_meta(l.set, &h[0]);
	assert_string_equal(m->malware[0], "Cobalt Strike");
	assert_string_equal(m->groups[0], "APT32");
	/* valid_until honoured */
	assert_int_equal(hits_of(&l, "dst_ip", "203.0.113.5", "2023-03-01T00:00:00Z", h, 4), 1);
	assert_int_equal(hits_of(&l, "dst_ip", "203.0.113.5", "2024-03-01T00:00:00Z", h, 4), 0);
	assert_int_equal(hits(&l, "url", "http://portal.lotus.example/login"), 1);
	assert_int_equal(hits(&l, "email", "it@lotus.example"), 1);
	assert_int_equal(hits(&l, "dst_ip", "2001:db8:77:1::1"), 1);
	unload(&l);
	load(&l, "pass_stix20.json");
	assert_int_equal(l.st.loaded, 1);
	assert_int_equal(hits_of(&l, "domain", "drivres-update.info", NULL, h, 4), 1);
	assert_string_equal(ioc_hit_meta(l.set, &h[0])->groups[0], "APT28");
	unload(&l);
}

static void test_misp(void **state)
{
	struct loaded l;
	load(&l, "pass_misp_event.json");
	assert_int_equal(l.rc, 0);
	assert_int_equal(l.st.records, 14);
	/* 9 single-value attributes + domain|ip 2 + filename|sha256 2 (the port
	 * of ip-src|port is not an indicator) + the object's 2 */
	assert_int_equal(l.st.loaded, 13);
	assert_int_equal(l.st.skipped, 3); /* two to_ids false, one AS */
	assert_non_null(strstr(l.diag_text, "attribute type AS not supported"));
	assert_non_null(strstr(l.diag_text, "to_ids false skipped"));
	struct ioc_hit h[4];
	assert_int_equal(hits_of(&l, "dst_ip", "198.51.100.32", NULL, h, 4), 1);
	const struct ioc_meta *m = ioc_hit_meta(l.set, &h[0]);
	assert_string_equal(m->groups[0], "APT32");
	assert_null(m->groups[1]); /* "APT32 - G0050" is the same group */
	assert_string_equal(m->malware[0], "Cobalt Strike");
	assert_string_equal(m->label, "OceanLotus campaign against research institutes");
	assert_int_equal(m->score, 80);
	assert_string_equal(m->ref, "5d5e0a4c-0000-4000-8000-00000000a001");
	assert_int_equal(hits(&l, "dst_ip", "8.8.8.8"), 0);
	assert_int_equal(hits(&l, "domain", "news.lotus.example"), 1);
	assert_int_equal(hits(&l, "dst_ip", "203.0.113.32"), 1);
	assert_int_equal(hits(&l, "dst_ip", "192.0.2.32"), 1);
	assert_int_equal(hits(&l, "url", "/a.js"), 0);
	assert_int_equal(hits(&l, "file_path", "C:\\x\\update.exe"), 1);
	assert_int_equal(hits(&l, "md5", "0c2674c3a97c53082187d930efb645c2"), 1);
	assert_int_equal(hits(&l, "ja3", "72a589da586844d7f0818ce684948eea"), 1);
	assert_int_equal(hits(&l, "user_agent", "Mozilla/5.0 (LotusBot)"), 1);
	assert_int_equal(hits_of(&l, "email", "hr@lotus.example", NULL, h, 4), 1);
	m = ioc_hit_meta(l.set, &h[0]);
	assert_string_equal(m->groups[1], "OceanLotus");
	unload(&l);
}

/* A buffer whole, and the same feed cut short at every length: never a crash,
 * never more indicators than the whole. */
static void test_truncated(void **state)
{
	static const char feed[] = "# c\nevil.example;80\n1.2.3.4\n"
				   "d41d8cd98f00b204e9800998ecf8427e;x\n";
	for (size_t n = 0; n <= sizeof feed - 1; n++) {
		struct ioc_set *s;
		struct ioc_load_stats st = {0};
		assert_int_equal(ioc_set_new(&s), 0);
		ioc_set_load_mem(s, "cut.txt", feed, n, NULL, &st);
		assert_true(st.loaded <= 3);
		if (n == sizeof feed - 1)
			assert_int_equal(st.loaded, 3);
		ioc_set_free(s);
	}
}

/* Every file of signature-base/iocs loads; counts per file. */
static void test_corpus_signature_base(void **state)
{
	const char *shared = getenv("APTSCOPE_SHARED");
	char dir[1024];
	snprintf(dir, sizeof dir, "%s/corpora/signature-base/iocs", shared ? shared : "");
	FILE *probe = NULL;
	char path[1200];
	snprintf(path, sizeof path, "%s/c2-iocs.txt", dir);
	if (!shared || !(probe = fopen(path, "r"))) {
		printf("skipped: signature-base corpus not found under APTSCOPE_SHARED\n");
		skip();
	}
	fclose(probe);
	static const struct {
		const char *file;
		uint64_t min_loaded, max_skipped;
	} files[] = {
	    {"c2-iocs.txt", 1700, 0},
	    {"hash-iocs.txt", 3000, 0},
	    {"filename-iocs.txt", 3500, 0},
	    {"keywords.txt", 0, 40},
	};
	struct diag_sink sink;
	diag_sink_init(&sink, NULL);
	struct ioc_set *s;
	assert_int_equal(ioc_set_new(&s), 0);
	for (size_t i = 0; i < sizeof files / sizeof *files; i++) {
		struct ioc_load_stats st = {0};
		snprintf(path, sizeof path, "%s/%s", dir, files[i].file);
		assert_int_equal(ioc_set_load(s, path, &sink, &st), 0);
		printf("%-18s records %6llu loaded %6llu duplicates %4llu skipped %3llu\n",
		       files[i].file, (unsigned long long)st.records, (unsigned long long)st.loaded,
		       (unsigned long long)st.duplicates, (unsigned long long)st.skipped);
		assert_true(st.loaded >= files[i].min_loaded);
		assert_true(st.skipped <= files[i].max_skipped);
		assert_int_equal(st.records, st.loaded + st.duplicates + st.skipped);
	}
	assert_int_equal(ioc_set_finish(s, &sink), 0);
	printf("patterns: %zu, total %zu indicators, %zu bytes\n",
	       ioc_set_count_type(s, IOC_FILENAME_RE), ioc_set_count(s), ioc_set_memory(s));
	struct ioc_matcher *m;
	assert_int_equal(ioc_matcher_new(s, &m), 0);
	struct event ev;
	event_clear(&ev);
	ev.str[ES_DOMAIN] = SLICE_LIT("x.drivres-update.info");
	struct ioc_hit h[4];
	assert_true(ioc_matcher_match(m, &ev, h, 4) >= 1);
	ioc_matcher_free(m);
	ioc_set_free(s);
	diag_sink_fini(&sink);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
	    cmocka_unit_test(test_signature_base_c2),
	    cmocka_unit_test(test_signature_base_hash),
	    cmocka_unit_test(test_signature_base_filename),
	    cmocka_unit_test(test_keywords_skipped),
	    cmocka_unit_test(test_defanged),
	    cmocka_unit_test(test_csv),
	    cmocka_unit_test(test_fail_reported),
	    cmocka_unit_test(test_stix21),
	    cmocka_unit_test(test_misp),
	    cmocka_unit_test(test_truncated),
	    cmocka_unit_test(test_corpus_signature_base),
	};
	return cmocka_run_group_tests(tests, NULL, NULL);
}
