/* test_supply.c — the trusted-software manifest and the supply-chain checks, with a
 * trojanised-update scenario. */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <cmocka.h>

#include "core/error.h"
#include "detect/supply/supply.h"
#include "event/fieldname.h"

#define GOOD_521 "9f86d081884c7d659a2feaa0c55ad015a3bf4f1b2b0b822cd15d6c15b0f00a08"
#define TROJAN   "deadbeef00000000000000000000000000000000000000000000000000000000"

static char path[512];

static const char *data_file(const char *name)
{
	const char *dir = getenv("APTSCOPE_TEST_DATA");
	snprintf(path, sizeof path, "%s/files/%s", dir ? dir : "tests/data", name);
	return path;
}

struct collect {
	struct alert_sink sink;
	struct alert *a[8];
	size_t n;
};

static int emit(struct alert_sink *s, struct alert *a)
{
	struct collect *c = (struct collect *)s;
	if (c->n < 8)
		c->a[c->n++] = a;
	else
		alert_free(a);
	return 0;
}

static void collect_free(struct collect *c)
{
	for (size_t i = 0; i < c->n; i++)
		alert_free(c->a[i]);
	c->n = 0;
}

/* Run the detector over one event; the alerts land in c. */
static void run(struct detector *d, const struct event *ev, struct collect *c)
{
	void *w;
	assert_int_equal(d->worker_new(d, &w), 0);
	c->sink.emit = emit;
	assert_int_equal(d->scan(w, ev, 1, &c->sink), 0);
	d->worker_free(w);
}

static void assert_channel(const struct alert *a, const char *rule, const char *channel)
{
	char want[64];
	assert_string_equal(a->detector, "supply");
	assert_string_equal(a->rule_id, rule);
	snprintf(want, sizeof want, "\"channel\":\"%s\"", channel);
	assert_non_null(strstr(a->evidence, want));
	assert_non_null(strstr(a->evidence, "\"vendor\":\"Acme Soft\""));
	assert_non_null(strstr(a->evidence, "\"product\":\"Acme Agent\""));
}

static void test_load_csv(void **state)
{
	struct supply_manifest *m;
	assert_int_equal(supply_manifest_new(&m), 0);
	struct supply_load_stats st = {0};
	struct diag_sink diags;
	diag_sink_init(&diags, NULL);
	assert_int_equal(supply_manifest_load(m, data_file("manifest.csv"), &diags, &st), 0);
	assert_int_equal(st.loaded, 6);
	assert_int_equal(st.skipped, 2); /* the unknown kind and the bad digest */
	assert_int_equal(supply_manifest_products(m), 1);
	assert_int_equal(supply_manifest_hashes(m), 2);
	/* A header without the columns is refused as a whole. */
	const char bad[] = "a,b,c\n1,2,3\n";
	assert_int_equal(supply_manifest_load_mem(m, "bad.csv", bad, sizeof bad - 1, NULL, NULL),
			 AS_EPARSE);
	supply_manifest_free(m);
	supply_manifest_free(NULL);
	diag_sink_fini(&diags);
}

static void test_load_yaml_and_list(void **state)
{
	struct supply_manifest *m;
	assert_int_equal(supply_manifest_new(&m), 0);
	struct supply_load_stats st = {0};
	assert_int_equal(supply_manifest_load(m, data_file("manifest.yml"), NULL, &st), 0);
	assert_int_equal(supply_manifest_products(m), 2);
	assert_int_equal(supply_manifest_hashes(m), 2);
	assert_int_equal(st.skipped, 1); /* the product without a vendor */
	/* A vendor's published list: sha256sum lines, '*' marks, "FILE: HASH". */
	FILE *f = fopen(data_file("vendor_hashes.sha256"), "rb");
	assert_non_null(f);
	char buf[4096];
	size_t n = fread(buf, 1, sizeof buf, f);
	fclose(f);
	struct supply_load_stats st2 = {0};
	assert_int_equal(supply_manifest_import_hashes(m, "Acme Soft", "Acme Agent", "5.3.0",
						       "vendor_hashes.sha256", buf, n, NULL, &st2),
			 0);
	assert_int_equal(st2.loaded, 3);
	assert_int_equal(st2.skipped, 1);
	assert_int_equal(supply_manifest_hashes(m), 4); /* one was known already */
	const char broken[] = "products:\n  - vendor: [unclosed\n";
	assert_int_equal(
	    supply_manifest_load_mem(m, "b.yml", broken, sizeof broken - 1, NULL, NULL), AS_EPARSE);
	supply_manifest_free(m);
}

static struct detector make_detector(void)
{
	struct supply_manifest *m;
	assert_int_equal(supply_manifest_new(&m), 0);
	assert_int_equal(supply_manifest_load(m, data_file("manifest.csv"), NULL, NULL), 0);
	struct detector d;
	assert_int_equal(supply_detector_init(&d, m), 0);
	assert_true(d.needs_fields); /* the manifest names signers */
	return d;
}

/* The scenario: the vendor's update server hands out a trojanised agent, the
 * updater installs it, and the new agent starts a shell. */
static void test_trojanised_update(void **state)
{
	struct detector d = make_detector();
	struct collect c = {0};
	struct event ev;

	/* 1. The download (EVE fileinfo / Zeek files.log shape). */
	event_clear(&ev);
	ev.kind = EK_FILE;
	ev.str[ES_DOMAIN] = SLICE_LIT("cdn1.update.acmesoft.example");
	ev.str[ES_URL] = SLICE_LIT("/dl/AcmeAgent-5.2.3.exe");
	ev.str[ES_SHA256] = SLICE_LIT(TROJAN);
	run(&d, &ev, &c);
	assert_int_equal(c.n, 1);
	assert_channel(c.a[0], "supply.update_unknown_hash", "update");
	assert_int_equal(c.a[0]->level, AL_CRITICAL);
	assert_string_equal(c.a[0]->techniques[0], "T1195.002");
	assert_string_equal(c.a[0]->indicators[0].value, TROJAN);
	collect_free(&c);

	/* The same download with the published hash (any case) is fine. */
	ev.str[ES_SHA256] =
	    SLICE_LIT("9F86D081884C7D659A2FEAA0C55AD015A3BF4F1B2B0B822CD15D6C15B0F00A08");
	run(&d, &ev, &c);
	assert_int_equal(c.n, 0);
	/* Another vendor's host, or only an MD5 the manifest cannot judge: nothing. */
	ev.str[ES_DOMAIN] = SLICE_LIT("update.other.example");
	ev.str[ES_SHA256] = SLICE_LIT(TROJAN);
	run(&d, &ev, &c);
	ev.str[ES_DOMAIN] = SLICE_NULL;
	ev.str[ES_URL] = SLICE_LIT("https://update.acmesoft.example:443/x.exe");
	ev.str[ES_SHA256] = SLICE_NULL;
	ev.str[ES_MD5] = SLICE_LIT("d41d8cd98f00b204e9800998ecf8427e");
	run(&d, &ev, &c);
	assert_int_equal(c.n, 0);

	/* 2. The installed binary (Sysmon 11/15 or a file scan). */
	event_clear(&ev);
	ev.kind = EK_FILE;
	ev.str[ES_FILE_PATH] = SLICE_LIT("C:\\Program Files\\Acme\\AcmeAgent.exe");
	ev.str[ES_SHA256] = SLICE_LIT(TROJAN);
	run(&d, &ev, &c);
	assert_int_equal(c.n, 1);
	assert_channel(c.a[0], "supply.installed_hash_mismatch", "install");
	collect_free(&c);
	ev.str[ES_SHA256] = SLICE_LIT(GOOD_521);
	run(&d, &ev, &c);
	assert_int_equal(c.n, 0);
	/* Outside the vendor's folders the name means nothing. */
	ev.str[ES_FILE_PATH] = SLICE_LIT("D:\\samples\\AcmeAgent.exe");
	ev.str[ES_SHA256] = SLICE_LIT(TROJAN);
	run(&d, &ev, &c);
	assert_int_equal(c.n, 0);

	/* 3. The updater starts a shell. */
	event_clear(&ev);
	ev.kind = EK_PROCESS;
	ev.str[ES_PARENT_PROCESS] = SLICE_LIT("C:\\Program Files\\Acme\\AcmeUpdater.exe");
	ev.str[ES_PROCESS] =
	    SLICE_LIT("C:\\Windows\\System32\\WindowsPowerShell\\v1.0\\PowerShell.exe");
	ev.str[ES_COMMAND_LINE] = SLICE_LIT("powershell -enc AAAA");
	run(&d, &ev, &c);
	assert_int_equal(c.n, 1);
	assert_channel(c.a[0], "supply.vendor_process_spawn", "process");
	collect_free(&c);
	ev.str[ES_PROCESS] = SLICE_LIT("C:\\Program Files\\Acme\\AcmeAgent.exe");
	run(&d, &ev, &c);
	assert_int_equal(c.n, 0);

	/* 4. Signed by someone else (Sysmon 7 image load). */
	struct arena ar;
	arena_init(&ar, 0);
	event_clear(&ev);
	ev.kind = EK_PROCESS;
	ev.str[ES_PROCESS] = SLICE_LIT("C:\\Program Files\\Acme\\AcmeAgent.exe");
	uint32_t sig = fieldname_intern(SLICE_LIT("Signature"));
	assert_int_equal(event_field_add(&ev, &ar, sig, FT_STRING, SLICE_LIT("Totally Legit LLC")),
			 0);
	run(&d, &ev, &c);
	assert_int_equal(c.n, 1);
	assert_channel(c.a[0], "supply.unexpected_signer", "signing");
	collect_free(&c);
	event_clear(&ev);
	ev.kind = EK_PROCESS;
	ev.str[ES_PROCESS] = SLICE_LIT("C:\\Program Files\\Acme\\AcmeAgent.exe");
	assert_int_equal(event_field_add(&ev, &ar, sig, FT_STRING,
					 SLICE_LIT("CN=\"Acme Soft, Ltd\", O=Acme Soft")),
			 0);
	run(&d, &ev, &c);
	assert_int_equal(c.n, 0);
	arena_free(&ar);
	d.shared_free(d.shared);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
	    cmocka_unit_test(test_load_csv),
	    cmocka_unit_test(test_load_yaml_and_list),
	    cmocka_unit_test(test_trojanised_update),
	};
	return cmocka_run_group_tests(tests, NULL, NULL);
}
