/* test_ioc.c — indicator sets: value forms, matching per type, the detector. */
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

/* One indicator, one event field value, match or not. */
struct match_case {
	const char *type;      /* indicator type given to ioc_set_add (NULL: infer) */
	const char *indicator; /* as a feed writes it */
	const char *field;     /* event field: src_ip dst_ip domain url md5 … */
	const char *observed;  /* the event's value */
	const char *domain;    /* event domain for path URLs, may be NULL */
	int expect;            /* hits expected */
};

static const struct match_case cases[] = {
    /* IPv4 / IPv6 exact and CIDR */
    {"ipv4", "203.0.113.7", "dst_ip", "203.0.113.7", NULL, 1},
    {"ipv4", "203.0.113.7", "src_ip", "203.0.113.7", NULL, 1},
    {"ipv4", "203.0.113.7", "dst_ip", "203.0.113.8", NULL, 0},
    {NULL, "203.0.113[.]7", "dst_ip", "203.0.113.7", NULL, 1},
    {"ip-dst", "198.51.100.0/24", "dst_ip", "198.51.100.200", NULL, 1},
    {"cidr", "198.51.100.0/24", "dst_ip", "198.51.101.1", NULL, 0},
    {"cidr", "10.0.0.0/8", "dst_ip", "10.255.1.2", NULL, 1},
    {"cidr", "0.0.0.0/0", "dst_ip", "8.8.8.8", NULL, 1},
    {"cidr", "198.51.100.7/32", "dst_ip", "198.51.100.7", NULL, 1},
    {"ipv6", "2001:db8::1", "dst_ip", "2001:DB8:0:0::1", NULL, 1},
    {"ipv6", "2001:db8::1", "dst_ip", "2001:db8::2", NULL, 0},
    {"cidr", "2001:db8:abcd::/48", "src_ip", "2001:db8:abcd:12::5", NULL, 1},
    {"cidr", "2001:db8:abcd::/48", "src_ip", "2001:db8:abce::5", NULL, 0},
    {"cidr", "2001:db8:ab80::/41", "src_ip", "2001:db8:abff::1", NULL, 1},
    /* domains: exact, subdomains, case, trailing dot; not a suffix of a label */
    {"domain", "evil.com", "domain", "evil.com", NULL, 1},
    {"domain", "evil.com", "domain", "a.b.EVIL.com.", NULL, 1},
    {"domain", "evil.com", "domain", "notevil.com", NULL, 0},
    {"domain", "evil.com", "domain", "evil.com.au", NULL, 0},
    {"domain", "sub.evil.com", "domain", "evil.com", NULL, 0},
    {NULL, "evil[.]com", "domain", "www.evil.com", NULL, 1},
    {NULL, "evil(.)com", "domain", "evil.com", NULL, 1},
    {"hostname", "*.evil.org", "domain", "x.evil.org", NULL, 1},
    /* URLs: scheme, host case, default port, path joined to the domain */
    {"url", "http://evil.com/gate.php", "url", "http://EVIL.com:80/gate.php", NULL, 1},
    {"url", "hxxp://evil[.]com/gate.php", "url", "http://evil.com/gate.php", NULL, 1},
    {"url", "hxxps[:]//evil[.]com/a?b=1", "url", "https://evil.com:443/a?b=1", NULL, 1},
    {"url", "http://evil.com/gate.php", "url", "/gate.php", "evil.com", 1},
    {"url", "http://evil.com/gate.php", "url", "/gate.php", "good.com", 0},
    {"url", "http://evil.com/gate.php", "url", "/GATE.php", "evil.com", 0},
    {"url", "http://evil.com:8080/x", "url", "http://evil.com:8080/x#frag", NULL, 1},
    {"url", "http://evil.com:8080/x", "url", "http://evil.com/x", NULL, 0},
    {"url", "http://evil.com", "url", "http://evil.com/", NULL, 1},
    {NULL, "evil.com/panel/login.php", "url", "/panel/login.php", "evil.com", 1},
    /* hashes: any case, binary comparison */
    {"md5", "0c2674c3a97c53082187d930efb645c2", "md5", "0C2674C3A97C53082187D930EFB645C2", NULL, 1},
    {NULL, "0c2674c3a97c53082187d930efb645c2", "md5", "0c2674c3a97c53082187d930efb645c3", NULL, 0},
    {NULL, "a94a8fe5ccb19ba61c4c0873d391e987982fbbd3", "sha1",
     "A94A8FE5ccb19ba61c4c0873d391e987982fbbd3", NULL, 1},
    {NULL, "c03318cb12b827c03d556c8747b1e323225df97bdc4258c2756b0d6a4fd52b47", "sha256",
     "C03318CB12B827C03D556C8747B1E323225DF97BDC4258C2756B0D6A4FD52B47", NULL, 1},
    {"md5", "0c2674c3a97c53082187d930efb645c2", "sha256",
     "0c2674c3a97c53082187d930efb645c20c2674c3a97c53082187d930efb645c2", NULL, 0},
    {"ja3", "e7d705a3286e19ea42f587b344ee6865", "ja3", "E7D705A3286E19EA42F587B344EE6865", NULL, 1},
    {"ja3s", "e7d705a3286e19ea42f587b344ee6865", "ja3", "e7d705a3286e19ea42f587b344ee6865", NULL,
     0},
    {"ja3s", "e7d705a3286e19ea42f587b344ee6865", "ja3s", "e7d705a3286e19ea42f587b344ee6865", NULL,
     1},
    /* e-mail, user agent, file names */
    {NULL, "phish[@]evil.com", "email", "Phish@Evil.com", NULL, 1},
    {"email", "phish@evil.com", "email", "<phish@evil.com>", NULL, 1},
    {"email", "phish@evil.com", "email", "other@evil.com", NULL, 0},
    {"user-agent", "Mozilla/4.0 (compatible; MSIE 6.0; Evil)", "user_agent",
     "Mozilla/4.0 (compatible; MSIE 6.0; Evil)", NULL, 1},
    {"user-agent", "Mozilla/4.0 (compatible; MSIE 6.0; Evil)", "user_agent",
     "Mozilla/4.0 (compatible; MSIE 6.0; evil)", NULL, 0},
    {NULL, "mimikatz.exe", "file_path", "C:\\Users\\x\\MimiKatz.EXE", NULL, 1},
    {"filename", "mimikatz.exe", "file_path", "/tmp/mimikatz.exe.txt", NULL, 0},
    {"filename", "C:\\temp\\bad.dll", "file_path", "/srv/bad.dll", NULL, 1},
    {"filename_regex", "\\\\usbclass\\.sys", "file_path", "C:\\Windows\\usbclass.sys", NULL, 1},
    {"filename_regex", "\\\\usbclass\\.sys", "file_path", "C:\\Windows\\usbclass.sy", NULL, 0},
    {"filename_regex", "(?i)\\\\PROCDUMP(64)?\\.exe", "file_path", "c:\\t\\procdump64.exe", NULL,
     1},
    {"filename_regex", "(a)\\1\\.exe", "file_path", "c:\\aa.exe", NULL, 1}, /* PCRE2 fallback */
};

static void set_field(struct event *ev, const char *field, const char *v)
{
	struct slice s = slice_cstr(v);
	if (!strcmp(field, "src_ip"))
		assert_int_equal(ip_parse(s, &ev->src_ip), 0);
	else if (!strcmp(field, "dst_ip"))
		assert_int_equal(ip_parse(s, &ev->dst_ip), 0);
	else {
		for (int k = 0; k < ES_COUNT; k++)
			if (!strcmp(event_str_name((enum event_str)k), field)) {
				ev->str[k] = s;
				return;
			}
		fail_msg("no field %s", field);
	}
}

static void test_match_table(void **state)
{
	for (size_t i = 0; i < sizeof cases / sizeof *cases; i++) {
		const struct match_case *c = &cases[i];
		struct ioc_set *s;
		struct diag why;
		assert_int_equal(ioc_set_new(&s), 0);
		int rc = ioc_set_add(s, c->type, slice_cstr(c->indicator), NULL, &why);
		if (rc != 0)
			fail_msg("case %zu (%s): add failed: %s", i, c->indicator, why.msg);
		assert_int_equal(ioc_set_finish(s, NULL), 0);
		struct ioc_matcher *m;
		assert_int_equal(ioc_matcher_new(s, &m), 0);
		struct event ev;
		event_clear(&ev);
		set_field(&ev, c->field, c->observed);
		if (c->domain)
			ev.str[ES_DOMAIN] = slice_cstr(c->domain);
		struct ioc_hit hits[4];
		size_t n = ioc_matcher_match(m, &ev, hits, 4);
		if ((int)n != c->expect)
			fail_msg("case %zu: %s %s vs %s=%s: %zu hits, expected %d", i,
				 c->type ? c->type : "auto", c->indicator, c->field, c->observed, n,
				 c->expect);
		ioc_matcher_free(m);
		ioc_set_free(s);
	}
}

static void test_refang(void **state)
{
	static const struct {
		const char *in, *out;
	} t[] = {
	    {"evil[.]com", "evil.com"},
	    {"evil(.)com", "evil.com"},
	    {"evil[dot]com", "evil.com"},
	    {"hxxp://evil.com", "http://evil.com"},
	    {"hXXps[:]//evil[.]com/x", "https://evil.com/x"},
	    {"1.2.3[.]4", "1.2.3.4"},
	    {"a[@]b.com", "a@b.com"},
	    {"shxxp.com", "shxxp.com"},
	};
	char buf[64];
	for (size_t i = 0; i < sizeof t / sizeof *t; i++) {
		long n = ioc_refang(slice_cstr(t[i].in), buf, sizeof buf);
		assert_true(n >= 0);
		buf[n] = 0;
		assert_string_equal(buf, t[i].out);
	}
	assert_int_equal(ioc_refang(SLICE_LIT("abcdef"), buf, 3), -1);
}

static void test_infer(void **state)
{
	static const struct {
		const char *v;
		int type;
	} t[] = {
	    {"1.2.3.4", IOC_IPV4},
	    {"::1", IOC_IPV6},
	    {"10.0.0.0/8", IOC_CIDR},
	    {"evil.com", IOC_DOMAIN},
	    {"a-b.evil.co.uk", IOC_DOMAIN},
	    {"http://x.org/a", IOC_URL},
	    {"x.org/a.php", IOC_URL},
	    {"d41d8cd98f00b204e9800998ecf8427e", IOC_MD5},
	    {"da39a3ee5e6b4b0d3255bfef95601890afd80709", IOC_SHA1},
	    {"e3b0c44298fc1c149afbf4c8996fb92427ae41e4649b934ca495991b7852b855", IOC_SHA256},
	    {"a@b.com", IOC_EMAIL},
	    {"Mozilla/5.0 (X)", IOC_USER_AGENT},
	    {"evil.exe", IOC_FILENAME},
	    {"1.2.3", -1},
	    {"nodots", -1},
	    {"", -1},
	};
	for (size_t i = 0; i < sizeof t / sizeof *t; i++)
		if (ioc_type_infer(slice_cstr(t[i].v)) != t[i].type)
			fail_msg("%s: %d, expected %d", t[i].v, ioc_type_infer(slice_cstr(t[i].v)),
				 t[i].type);
}

static void test_add_errors(void **state)
{
	struct ioc_set *s;
	struct diag why;
	assert_int_equal(ioc_set_new(&s), 0);
	assert_int_equal(ioc_set_add(s, "md5", SLICE_LIT("xyz"), NULL, &why), AS_EPARSE);
	assert_non_null(strstr(why.msg, "hex"));
	assert_int_equal(ioc_set_add(s, "nope", SLICE_LIT("a.com"), NULL, &why), AS_EUNSUPPORTED);
	assert_int_equal(ioc_set_add(s, NULL, SLICE_LIT("???"), NULL, &why), AS_EPARSE);
	assert_int_equal(ioc_set_add(s, "ipv4", SLICE_LIT("1.2.3.400"), NULL, &why), AS_EPARSE);
	assert_int_equal(ioc_set_add(s, "domain", SLICE_LIT("a b.com"), NULL, &why), AS_EPARSE);
	assert_int_equal(ioc_set_add(s, NULL, SLICE_LIT(""), NULL, &why), AS_EPARSE);
	/* duplicates */
	assert_int_equal(ioc_set_add(s, NULL, SLICE_LIT("evil.com"), NULL, &why), 0);
	assert_int_equal(ioc_set_add(s, NULL, SLICE_LIT("EVIL.com"), NULL, &why), 1);
	assert_int_equal(ioc_set_count(s), 1);
	assert_int_equal(ioc_set_finish(s, NULL), 0);
	assert_int_equal(ioc_set_add(s, NULL, SLICE_LIT("x.com"), NULL, &why), AS_EINVAL);
	ioc_set_free(s);
	ioc_set_free(NULL);
	ioc_matcher_free(NULL);
}

/* One value from two feeds with different groups: both are reported. */
static void test_meta_and_dups(void **state)
{
	struct ioc_set *s;
	assert_int_equal(ioc_set_new(&s), 0);
	const char *g1[] = {"APT32", NULL}, *g2[] = {"APT28", "Sofacy", NULL};
	struct ioc_meta m1 = {.source = "a.txt",
			      .label = "OceanLotus",
			      .groups = g1,
			      .score = 80,
			      .valid_from = AS_TIME_NONE,
			      .valid_until = AS_TIME_NONE};
	struct ioc_meta m2 = {.source = "b.txt",
			      .groups = g2,
			      .score = -1,
			      .valid_from = AS_TIME_NONE,
			      .valid_until = AS_TIME_NONE};
	assert_int_equal(ioc_set_add(s, "domain", SLICE_LIT("evil.com"), &m1, NULL), 0);
	assert_int_equal(ioc_set_add(s, "domain", SLICE_LIT("other.com"), &m1, NULL), 0);
	assert_int_equal(ioc_set_add(s, "domain", SLICE_LIT("evil.com"), &m2, NULL), 0);
	assert_int_equal(ioc_set_add(s, "domain", SLICE_LIT("evil.com"), &m2, NULL), 1);
	assert_int_equal(ioc_set_count(s), 3);
	assert_int_equal(ioc_set_finish(s, NULL), 0);
	struct ioc_matcher *m;
	assert_int_equal(ioc_matcher_new(s, &m), 0);
	struct event ev;
	event_clear(&ev);
	ev.str[ES_DOMAIN] = SLICE_LIT("c2.evil.com");
	struct ioc_hit hits[4];
	assert_int_equal(ioc_matcher_match(m, &ev, hits, 4), 2);
	const struct ioc_meta *a = ioc_hit_meta(s, &hits[0]), *b = ioc_hit_meta(s, &hits[1]);
	assert_string_equal(a->source, "a.txt");
	assert_string_equal(a->label, "OceanLotus");
	assert_string_equal(a->groups[0], "APT32");
	assert_int_equal(a->score, 80);
	assert_string_equal(b->source, "b.txt");
	assert_string_equal(b->groups[1], "Sofacy");
	char v[64];
	assert_int_equal(ioc_hit_value(s, &hits[0], v, sizeof v), 8);
	assert_string_equal(v, "evil.com");
	assert_true(ioc_set_memory(s) > 0);
	ioc_matcher_free(m);
	ioc_set_free(s);
}

static void test_validity(void **state)
{
	struct ioc_set *s;
	assert_int_equal(ioc_set_new(&s), 0);
	int64_t from, until;
	assert_int_equal(time_parse_rfc3339(SLICE_LIT("2024-01-01T00:00:00Z"), &from), 0);
	assert_int_equal(time_parse_rfc3339(SLICE_LIT("2024-02-01T00:00:00Z"), &until), 0);
	struct ioc_meta m = {.score = -1, .valid_from = from, .valid_until = until};
	assert_int_equal(ioc_set_add(s, "ipv4", SLICE_LIT("192.0.2.1"), &m, NULL), 0);
	assert_int_equal(ioc_set_finish(s, NULL), 0);
	struct ioc_matcher *mt;
	assert_int_equal(ioc_matcher_new(s, &mt), 0);
	struct event ev;
	event_clear(&ev);
	ip_parse(SLICE_LIT("192.0.2.1"), &ev.dst_ip);
	struct ioc_hit h[2];
	static const struct {
		const char *t;
		size_t hits;
	} t[] = {{"2023-12-31T23:59:59Z", 0},
		 {"2024-01-01T00:00:00Z", 1},
		 {"2024-01-15T00:00:00Z", 1},
		 {"2024-02-01T00:00:00Z", 0},
		 {NULL, 1}};
	for (size_t i = 0; i < sizeof t / sizeof *t; i++) {
		ev.time = AS_TIME_NONE;
		if (t[i].t)
			assert_int_equal(time_parse_rfc3339(slice_cstr(t[i].t), &ev.time), 0);
		assert_int_equal(ioc_matcher_match(mt, &ev, h, 2), t[i].hits);
	}
	ioc_matcher_free(mt);
	ioc_set_free(s);
}

struct collect {
	struct alert_sink sink;
	struct alert *a[8];
	size_t n;
};

static int collect_emit(struct alert_sink *self, struct alert *a)
{
	struct collect *c = (struct collect *)self;
	if (c->n < 8)
		c->a[c->n++] = a;
	else
		alert_free(a);
	return 0;
}

static void test_detector(void **state)
{
	struct ioc_set *s;
	assert_int_equal(ioc_set_new(&s), 0);
	const char *g[] = {"APT32", NULL};
	struct ioc_meta m = {.source = "feed.csv",
			     .label = "OceanLotus C2",
			     .groups = g,
			     .score = 60,
			     .valid_from = AS_TIME_NONE,
			     .valid_until = AS_TIME_NONE};
	assert_int_equal(ioc_set_add(s, NULL, SLICE_LIT("evil.com"), &m, NULL), 0);
	assert_int_equal(ioc_set_add(s, NULL, SLICE_LIT("203.0.113.9"), NULL, NULL), 0);
	struct detector d;
	assert_int_equal(ioc_detector_init(&d, s), 0);
	assert_string_equal(d.name, "ioc");
	void *w;
	assert_int_equal(d.worker_new(&d, &w), 0);
	struct event evs[3];
	for (int i = 0; i < 3; i++)
		event_clear(&evs[i]);
	evs[0].str[ES_DOMAIN] = SLICE_LIT("www.evil.com");
	ip_parse(SLICE_LIT("203.0.113.9"), &evs[0].dst_ip);
	evs[1].str[ES_DOMAIN] = SLICE_LIT("good.com");
	ip_parse(SLICE_LIT("203.0.113.9"), &evs[2].src_ip);
	evs[0].record = 1;
	evs[2].record = 3;
	struct collect c = {.sink.emit = collect_emit};
	assert_int_equal(d.scan(w, evs, 3, &c.sink), 0);
	assert_int_equal(c.n, 2);
	struct alert *a = c.a[0];
	assert_string_equal(a->detector, "ioc");
	assert_int_equal(a->nindicators, 2);
	assert_int_equal(a->level, AL_HIGH); /* the unscored IP raises it to high */
	int dom = strcmp(a->indicators[0].type, "domain") == 0 ? 0 : 1;
	assert_string_equal(a->indicators[dom].value, "evil.com");
	assert_string_equal(a->indicators[dom].field, "domain");
	assert_string_equal(a->indicators[dom].source, "feed.csv");
	assert_string_equal(a->indicators[dom].groups[0], "APT32");
	assert_string_equal(a->indicators[1 - dom].field, "dst_ip");
	assert_non_null(strstr(a->evidence, "\"observed\":\"www.evil.com\""));
	assert_non_null(strstr(a->evidence, "\"label\":\"OceanLotus C2\""));
	assert_int_equal(strlen(a->id), 16);
	assert_string_equal(c.a[1]->indicators[0].field, "src_ip");
	assert_string_equal(c.a[1]->indicators[0].value, "203.0.113.9");
	for (size_t i = 0; i < c.n; i++)
		alert_free(c.a[i]);
	d.worker_free(w);
	d.shared_free(d.shared);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
	    cmocka_unit_test(test_match_table),   cmocka_unit_test(test_refang),
	    cmocka_unit_test(test_infer),         cmocka_unit_test(test_add_errors),
	    cmocka_unit_test(test_meta_and_dups), cmocka_unit_test(test_validity),
	    cmocka_unit_test(test_detector),
	};
	return cmocka_run_group_tests(tests, NULL, NULL);
}
