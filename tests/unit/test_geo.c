/* test_geo.c — country and region look-ups over a MaxMind-format database. */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include <cmocka.h>

#include "core/error.h"
#include "geo/geoip.h"
#include "intel/intel.h"

static struct geoip *db;

static int open_db(void **st)
{
	(void)st;
	const char *dir = getenv("APTSCOPE_TEST_DATA");
	char path[1024];
	snprintf(path, sizeof path, "%s/../../data/%s", dir ? dir : "tests/data", GEOIP_DEFAULT_DB);
	if (access(path, R_OK) == 0)
		assert_int_equal(geoip_open(path, &db), 0);
	return 0;
}

static int close_db(void **st)
{
	(void)st;
	geoip_close(db);
	geoip_close(NULL);
	return 0;
}

static struct geo_result look(const char *s)
{
	struct ip ip;
	assert_int_equal(ip_parse(slice_cstr(s), &ip), 0);
	struct geo_result r;
	geoip_lookup(db, &ip, &r);
	return r;
}

static void test_internal_and_errors(void **st)
{
	(void)st;
	struct geo_result r = look("10.20.1.23");
	assert_true(r.internal);
	assert_string_equal(r.country, "");
	r = look("fe80::1");
	assert_true(r.internal);
	struct ip none = {0};
	geoip_lookup(db, &none, &r);
	assert_false(r.internal);
	assert_string_equal(r.country, "");
	/* Without a database only "internal" is known. */
	geoip_lookup(NULL, &(struct ip){0}, &r);
	struct geoip *g = (struct geoip *)1;
	assert_int_equal(geoip_open("/nonexistent/x.mmdb", &g), AS_ENOENT);
	assert_null(g);
	/* Not a MaxMind database. */
	char tmp[] = "/tmp/geo_notdb_XXXXXX";
	int fd = mkstemp(tmp);
	assert_true(fd >= 0);
	assert_int_equal(write(fd, "hello, this is not a database\n", 30), 30);
	close(fd);
	assert_int_equal(geoip_open(tmp, &g), AS_EFORMAT);
	unlink(tmp);
}

/* Well-known addresses whose registration country is stable. */
static void test_countries(void **st)
{
	(void)st;
	if (!db)
		skip(); /* the database is installed by scripts/deps.sh */
	struct {
		const char *ip, *cc;
	} cases[] = {
	    {"8.8.8.8", "US"}, /* Google */
	    {"1.1.1.1", NULL}, /* APNIC research prefix: any answer is fine */
	    {"2001:4860:4860::8888", "US"},
	    {"193.0.6.139", "NL"},  /* RIPE NCC */
	    {"202.12.27.33", "JP"}, /* WIDE, M-root */
	};
	for (size_t i = 0; i < sizeof cases / sizeof cases[0]; i++) {
		struct geo_result r = look(cases[i].ip);
		assert_false(r.internal);
		if (!cases[i].cc)
			continue;
		assert_string_equal(r.country, cases[i].cc);
		assert_non_null(r.region);
		assert_string_equal(r.region, intel_country_region(cases[i].cc));
	}
	struct geo_result r = look("45.155.205.233");
	assert_int_equal(strlen(r.country), 2);
	print_message("  45.155.205.233 → %s %s\n", r.country, r.region ? r.region : "-");
}

int main(void)
{
	const struct CMUnitTest tests[] = {
	    cmocka_unit_test(test_internal_and_errors),
	    cmocka_unit_test(test_countries),
	};
	return cmocka_run_group_tests(tests, open_db, close_db);
}
