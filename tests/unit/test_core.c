/* test_core.c — slices, arena, buffers, map, IP/CIDR, time stamps, JSON output. */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <cmocka.h>

#include "core/arena.h"
#include "core/limits.h"
#include "core/buf.h"
#include "core/error.h"
#include "core/hash.h"
#include "core/ip.h"
#include "core/json.h"
#include "core/map.h"
#include "core/slice.h"
#include "core/sort.h"
#include "core/timeparse.h"

static void test_slice(void **state)
{
	struct slice head;
	struct slice rest = slice_cut(SLICE_LIT("key=value"), '=', &head);
	assert_true(slice_eq_cstr(head, "key"));
	assert_true(slice_eq_cstr(rest, "value"));
	rest = slice_cut(SLICE_LIT("novalue"), '=', &head);
	assert_null(rest.ptr);
	assert_true(slice_eq_cstr(head, "novalue"));
	assert_true(slice_eq_cstr(slice_trim(SLICE_LIT(" \t x y \r\n")), "x y"));
	assert_true(slice_eq_nocase_cstr(SLICE_LIT("SSHD"), "sshd"));
	assert_true(slice_contains_nocase(SLICE_LIT("Failed Password for"), SLICE_LIT("password")));
	assert_false(slice_contains_nocase(SLICE_LIT("pass"), SLICE_LIT("password")));
	assert_true(slice_ends_nocase(SLICE_LIT("a.EVIL.com"), ".evil.COM"));
	uint64_t u;
	int64_t i;
	assert_int_equal(slice_to_u64(SLICE_LIT("18446744073709551615"), &u), 0);
	assert_true(u == UINT64_MAX);
	assert_int_equal(slice_to_u64(SLICE_LIT("18446744073709551616"), &u), AS_EPARSE);
	assert_int_equal(slice_to_u64(SLICE_LIT(""), &u), AS_EPARSE);
	assert_int_equal(slice_to_u64(SLICE_LIT("12a"), &u), AS_EPARSE);
	assert_int_equal(slice_to_i64(SLICE_LIT("-9223372036854775808"), &i), 0);
	assert_true(i == INT64_MIN);
	assert_int_equal(slice_to_i64(SLICE_LIT("9223372036854775808"), &i), AS_EPARSE);
	char small[4];
	assert_false(slice_copy_cstr(SLICE_LIT("abcdef"), small, sizeof small));
	assert_string_equal(small, "abc");
}

static void test_arena(void **state)
{
	struct arena a;
	arena_init(&a, 1 << 20);
	char *p = arena_strndup(&a, "hello", 5);
	assert_string_equal(p, "hello");
	assert_true(((uintptr_t)arena_alloc(&a, 3) & 15) == 0);
	/* A block bigger than the default block size. */
	assert_non_null(arena_alloc(&a, 200000));
	/* Past the cap: NULL, not a crash. */
	assert_null(arena_alloc(&a, 2 << 20));
	size_t held = a.held;
	arena_reset(&a);
	assert_non_null(arena_alloc(&a, 100));
	assert_int_equal(a.held, held); /* blocks reused */
	arena_free(&a);
	arena_free(NULL);
	/* A small arena starts with a small block and doubles up to the usual size. */
	arena_init_small(&a, 1 << 20, 1024);
	assert_non_null(arena_alloc(&a, 100));
	assert_int_equal(a.held, 1024);
	assert_non_null(arena_alloc(&a, 1000));
	assert_int_equal(a.held, 1024 + 2048);
	for (int i = 0; i < 200; i++)
		assert_non_null(arena_alloc(&a, 1000));
	assert_true(a.block == AS_ARENA_BLOCK);
	assert_true(a.held < 4 * (size_t)AS_ARENA_BLOCK);
	arena_free(&a);
	/* Allocations of every size from 0 to 300, filled as they come, keep
	 * their bytes (none overlaps another), are aligned and add up. */
	arena_init_small(&a, 1 << 22, 1000);
	unsigned char *got[301];
	size_t total = 0;
	for (size_t n = 0; n <= 300; n++) {
		got[n] = arena_alloc(&a, n);
		assert_non_null(got[n]);
		assert_true(((uintptr_t)got[n] & 15) == 0);
		memset(got[n], (int)(n & 255), n);
		total += n ? (n + 15) & ~(size_t)15 : 16;
	}
	assert_int_equal(a.used_total, total);
	for (size_t n = 0; n <= 300; n++)
		for (size_t k = 0; k < n; k++)
			assert_int_equal(got[n][k], n & 255);
	/* sizes that do not fit a size_t once rounded: NULL */
	assert_null(arena_alloc(&a, SIZE_MAX));
	assert_null(arena_alloc(&a, SIZE_MAX - 14));
	assert_int_equal(a.used_total, total);
	arena_reset(&a);
	assert_int_equal(a.used_total, 0);
	assert_non_null(arena_alloc(&a, 16));
	arena_free(&a);
}

static void test_buf(void **state)
{
	struct buf b = BUF_INIT;
	b.max = 16;
	assert_int_equal(buf_puts(&b, "0123456789"), 0);
	assert_int_equal(buf_printf(&b, "%d", 12345), 0);
	assert_string_equal(b.data, "012345678912345");
	assert_int_equal(buf_puts(&b, "xy"), AS_ETOOBIG);
	assert_int_equal(buf_putc(&b, 'z'), AS_ETOOBIG); /* sticky */
	buf_reset(&b);
	assert_int_equal(buf_puts(&b, "ok"), 0);
	buf_free(&b);
	buf_free(NULL);
}

static void test_map(void **state)
{
	struct map m;
	map_init(&m);
	char key[32];
	for (int i = 0; i < 100000; i++) {
		int n = snprintf(key, sizeof key, "key-%d", i);
		assert_int_equal(map_put(&m, slice_make(key, (size_t)n), (uint64_t)i * 3, NULL), 0);
	}
	assert_int_equal(map_count(&m), 100000);
	uint64_t v;
	for (int i = 0; i < 100000; i += 997) {
		int n = snprintf(key, sizeof key, "key-%d", i);
		assert_true(map_get(&m, slice_make(key, (size_t)n), &v));
		assert_true(v == (uint64_t)i * 3);
	}
	assert_false(map_get(&m, SLICE_LIT("key-100000"), &v));
	bool existed;
	v = 7;
	assert_int_equal(map_put_new(&m, SLICE_LIT("key-5"), &v, &existed), 0);
	assert_true(existed);
	assert_true(v == 15);
	/* Iteration visits every entry once. */
	size_t seen = 0;
	struct slice k;
	for (size_t it = 0; map_next(&m, &it, &k, &v);)
		seen++;
	assert_int_equal(seen, 100000);
	/* The empty key is a key. */
	assert_int_equal(map_put(&m, SLICE_LIT(""), 1, &existed), 0);
	assert_false(existed);
	assert_true(map_get(&m, SLICE_LIT(""), &v));
	map_free(&m);
	map_free(NULL);
}

struct ip_case {
	const char *in;
	int ok;
	int family;
	const char *canon;
};

static void test_ip(void **state)
{
	static const struct ip_case cases[] = {
	    {"192.168.1.1", 1, IP_V4, "192.168.1.1"},
	    {"0.0.0.0", 1, IP_V4, "0.0.0.0"},
	    {"255.255.255.255", 1, IP_V4, "255.255.255.255"},
	    {"256.1.1.1", 0, 0, NULL},
	    {"1.2.3", 0, 0, NULL},
	    {"1.2.3.4.5", 0, 0, NULL},
	    {"1.2.3.", 0, 0, NULL},
	    {"01.2.3.4", 1, IP_V4, "1.2.3.4"},
	    {"1234.1.1.1", 0, 0, NULL},
	    {"::1", 1, IP_V6, "::1"},
	    {"::", 1, IP_V6, "::"},
	    {"2001:db8::1", 1, IP_V6, "2001:db8::1"},
	    {"2001:DB8:0:0:0:0:0:1", 1, IP_V6, "2001:db8::1"},
	    {"2001:db8:0:1:1:1:1:1", 1, IP_V6, "2001:db8:0:1:1:1:1:1"},
	    {"fe80::1%eth0", 1, IP_V6, "fe80::1"},
	    {"[2001:db8::2]", 1, IP_V6, "2001:db8::2"},
	    {"::ffff:10.0.0.1", 1, IP_V4, "10.0.0.1"},
	    {"64:ff9b::1.2.3.4", 1, IP_V6, "64:ff9b::102:304"},
	    {"1::2::3", 0, 0, NULL},
	    {"1:2:3:4:5:6:7:8:9", 0, 0, NULL},
	    {"12345::", 0, 0, NULL},
	    {":1", 0, 0, NULL},
	    {"1:", 0, 0, NULL},
	    {"", 0, 0, NULL},
	    {"-", 0, 0, NULL},
	    {"example.com", 0, 0, NULL},
	};
	for (size_t i = 0; i < sizeof cases / sizeof *cases; i++) {
		struct ip ip;
		int rc = ip_parse(slice_cstr(cases[i].in), &ip);
		if (!cases[i].ok) {
			if (rc == 0)
				fail_msg("%s parsed", cases[i].in);
			continue;
		}
		if (rc)
			fail_msg("%s did not parse", cases[i].in);
		assert_int_equal(ip.family, cases[i].family);
		char out[IP_STRLEN];
		assert_string_equal(ip_format(&ip, out), cases[i].canon);
	}
}

static void test_cidr(void **state)
{
	struct cidr c;
	struct ip ip;
	assert_int_equal(cidr_parse(SLICE_LIT("10.1.2.3/8"), &c), 0);
	assert_int_equal(c.prefix, 8);
	ip_parse(SLICE_LIT("10.200.0.1"), &ip);
	assert_true(cidr_contains(&c, &ip));
	ip_parse(SLICE_LIT("11.0.0.1"), &ip);
	assert_false(cidr_contains(&c, &ip));
	assert_int_equal(cidr_parse(SLICE_LIT("192.168.0.0/23"), &c), 0);
	ip_parse(SLICE_LIT("192.168.1.255"), &ip);
	assert_true(cidr_contains(&c, &ip));
	ip_parse(SLICE_LIT("192.168.2.0"), &ip);
	assert_false(cidr_contains(&c, &ip));
	assert_int_equal(cidr_parse(SLICE_LIT("2001:db8::/32"), &c), 0);
	ip_parse(SLICE_LIT("2001:db8:ffff::1"), &ip);
	assert_true(cidr_contains(&c, &ip));
	ip_parse(SLICE_LIT("10.0.0.1"), &ip);
	assert_false(cidr_contains(&c, &ip)); /* other family */
	assert_int_equal(cidr_parse(SLICE_LIT("0.0.0.0/0"), &c), 0);
	assert_true(cidr_contains(&c, &ip));
	assert_int_equal(cidr_parse(SLICE_LIT("1.2.3.4"), &c), 0);
	assert_int_equal(c.prefix, 32);
	assert_int_equal(cidr_parse(SLICE_LIT("1.2.3.4/33"), &c), AS_EPARSE);
	assert_int_equal(cidr_parse(SLICE_LIT("::/129"), &c), AS_EPARSE);
	assert_int_equal(cidr_parse(SLICE_LIT("1.2.3.4/"), &c), AS_EPARSE);
	static const char *internal[] = {"10.0.0.1",  "172.16.5.4",  "192.168.0.1",
					 "127.0.0.1", "169.254.1.1", "100.64.0.1",
					 "::1",       "fd00::1",     "fe80::1"};
	for (size_t i = 0; i < sizeof internal / sizeof *internal; i++) {
		ip_parse(slice_cstr(internal[i]), &ip);
		if (!ip_is_internal(&ip))
			fail_msg("%s should be internal", internal[i]);
	}
	static const char *external[] = {"8.8.8.8", "172.32.0.1", "2a00:1450::1", "1.1.1.1"};
	for (size_t i = 0; i < sizeof external / sizeof *external; i++) {
		ip_parse(slice_cstr(external[i]), &ip);
		if (ip_is_internal(&ip))
			fail_msg("%s should be external", external[i]);
	}
}

struct time_case {
	const char *in;
	int (*parse)(struct slice, int64_t *);
	int ok;
	const char *want; /* time_format of the result */
};

static int syslog2024(struct slice s, int64_t *us)
{
	return time_parse_syslog(s, 2024, us);
}

static void test_time(void **state)
{
	static const struct time_case cases[] = {
	    {"2024-03-01T12:00:00Z", time_parse_rfc3339, 1, "2024-03-01T12:00:00Z"},
	    {"2024-03-01T12:00:00.123456Z", time_parse_rfc3339, 1, "2024-03-01T12:00:00.123456Z"},
	    {"2024-03-01T12:00:00.1+01:00", time_parse_rfc3339, 1, "2024-03-01T11:00:00.100000Z"},
	    {"2024-03-01T12:00:00.123456789-0530", time_parse_rfc3339, 1,
	     "2024-03-01T17:30:00.123456Z"},
	    {"2024-03-01 12:00:00", time_parse_rfc3339, 1, "2024-03-01T12:00:00Z"},
	    {"2024-03-01", time_parse_rfc3339, 1, "2024-03-01T00:00:00Z"},
	    {"1999-12-31T23:59:59Z", time_parse_rfc3339, 1, "1999-12-31T23:59:59Z"},
	    {"2024-02-30T00:00:00Z", time_parse_rfc3339, 0, NULL},
	    {"2024-13-01T00:00:00Z", time_parse_rfc3339, 0, NULL},
	    {"2024-03-01T25:00:00Z", time_parse_rfc3339, 0, NULL},
	    {"2024-03-01T12:00:00Zjunk", time_parse_rfc3339, 0, NULL},
	    {"1709294400", time_parse_epoch, 1, "2024-03-01T12:00:00Z"},
	    {"1709294400.5", time_parse_epoch, 1, "2024-03-01T12:00:00.500000Z"},
	    {"1709294400.123456", time_parse_epoch, 1, "2024-03-01T12:00:00.123456Z"},
	    {"1709294400123", time_parse_epoch, 1, "2024-03-01T12:00:00.123000Z"},
	    {"1709294400123456", time_parse_epoch, 1, "2024-03-01T12:00:00.123456Z"},
	    {"1709294400123456789", time_parse_epoch, 1, "2024-03-01T12:00:00.123456Z"},
	    {"-5", time_parse_epoch, 0, NULL},
	    {"12abc", time_parse_epoch, 0, NULL},
	    {"Mar  1 12:00:00", syslog2024, 1, "2024-03-01T12:00:00Z"},
	    {"Mar 11 12:00:00", syslog2024, 1, "2024-03-11T12:00:00Z"},
	    {"Feb 29 00:00:01", syslog2024, 1, "2024-02-29T00:00:01Z"},
	    {"Foo  1 12:00:00", syslog2024, 0, NULL},
	    {"Mar 1 12:00:00", syslog2024, 0, NULL},
	    {"10/Oct/2000:13:55:36 -0700", time_parse_clf, 1, "2000-10-10T20:55:36Z"},
	    {"[10/Oct/2000:13:55:36 -0700]", time_parse_clf, 1, "2000-10-10T20:55:36Z"},
	    {"[01/Mar/2024:12:00:00 +0000]", time_parse_clf, 1, "2024-03-01T12:00:00Z"},
	    {"[10/Foo/2000:13:55:36 -0700]", time_parse_clf, 0, NULL},
	    {"10/Oct/2000:13:55:36", time_parse_clf, 1, "2000-10-10T13:55:36Z"},
	    {"2024-03-01T12:00:00Z", time_parse_any, 1, "2024-03-01T12:00:00Z"},
	    {"1709294400.25", time_parse_any, 1, "2024-03-01T12:00:00.250000Z"},
	};
	for (size_t i = 0; i < sizeof cases / sizeof *cases; i++) {
		int64_t us;
		int rc = cases[i].parse(slice_cstr(cases[i].in), &us);
		if (!cases[i].ok) {
			if (rc == 0)
				fail_msg("'%s' parsed", cases[i].in);
			continue;
		}
		if (rc)
			fail_msg("'%s' did not parse", cases[i].in);
		char out[AS_TIME_STRLEN];
		if (strcmp(time_format(us, out), cases[i].want))
			fail_msg("'%s' gave %s, want %s", cases[i].in, out, cases[i].want);
	}
	/* Syslog has no year: Feb 29 does not exist in 2023. */
	int64_t us;
	assert_int_equal(time_parse_syslog(SLICE_LIT("Feb 29 00:00:01"), 2023, &us), AS_EPARSE);
	assert_int_equal(time_year(0), 1970);
	assert_int_equal(time_days_from_civil(1970, 1, 1), 0);
	char out[AS_TIME_STRLEN];
	assert_string_equal(time_format(-1000000, out), "1969-12-31T23:59:59Z");
	assert_string_equal(time_format(-1, out), "1969-12-31T23:59:59.999999Z");
	assert_string_equal(time_format(1, out), "1970-01-01T00:00:00.000001Z");
	assert_string_equal(time_format(253402300799999999, out), "9999-12-31T23:59:59.999999Z");
	assert_string_equal(time_format(-62135596800000000, out), "0001-01-01T00:00:00Z");
	assert_int_equal(strlen(time_format(INT64_MAX, out)), 27);
	assert_int_equal(strlen(time_format(INT64_MIN + 1, out)), 27);
}

static void test_json_out(void **state)
{
	struct buf b = BUF_INIT;
	json_str(&b, SLICE_LIT("a\"b\\c\n\x01\xc3\xa9\xff"));
	assert_string_equal(b.data, "\"a\\\"b\\\\c\\n\\u0001\xc3\xa9\\ufffd\"");
	buf_reset(&b);
	struct jw w;
	jw_init(&w, &b);
	jw_obj(&w);
	jw_kcstr(&w, "a", "x");
	jw_key(&w, "list");
	jw_arr(&w);
	jw_int(&w, 1);
	jw_int(&w, -2);
	jw_obj(&w);
	jw_obj_end(&w);
	jw_arr_end(&w);
	jw_key(&w, "n");
	jw_null(&w);
	jw_key(&w, "t");
	jw_bool(&w, true);
	jw_obj_end(&w);
	assert_string_equal(b.data, "{\"a\":\"x\",\"list\":[1,-2,{}],\"n\":null,\"t\":true}");
	static const int64_t ints[] = {0, 9, 10, -10, 1234567890123, INT64_MAX, INT64_MIN, -1};
	for (size_t i = 0; i < sizeof ints / sizeof *ints; i++) {
		char want[32];
		snprintf(want, sizeof want, "%lld", (long long)ints[i]);
		buf_reset(&b);
		jw_init(&w, &b);
		jw_int(&w, ints[i]);
		assert_string_equal(b.data, want);
	}
	/* a byte to escape at every place of a long string: the sixteen-byte
	 * steps (json.c) must hand each one to the byte-wise path */
	static const struct {
		const char *in, *out;
	} special[] = {{"\"", "\\\""},      {"\\", "\\\\"},           {"\n", "\\n"},
		       {"\x01", "\\u0001"}, {"\xc3\xa9", "\xc3\xa9"}, {"\xff", "\\ufffd"}};
	for (size_t k = 0; k < sizeof special / sizeof *special; k++)
		for (size_t at = 0; at < 40; at++) {
			char in[64], want[80];
			memset(in, 'x', at);
			size_t n =
			    at + (size_t)snprintf(in + at, sizeof in - at, "%s", special[k].in);
			memset(in + n, 'y', 40 - at);
			n += 40 - at;
			snprintf(want, sizeof want, "\"%.*s%s%.*s\"", (int)at, in, special[k].out,
				 (int)(40 - at), in + n - (40 - at));
			buf_reset(&b);
			json_str(&b, slice_make(in, n));
			assert_string_equal(b.data, want);
		}
	buf_free(&b);
}

/* The escaping rule of json.c one byte at a time, as the reference. */
static void ref_json_str(struct buf *b, const unsigned char *p, size_t n)
{
	buf_putc(b, '"');
	for (size_t i = 0; i < n;) {
		unsigned char c = p[i];
		if (c >= 0x80) {
			/* valid two- and three-byte sequences only in this test's input */
			size_t l = (c & 0xe0) == 0xc0 ? 2 : (c & 0xf0) == 0xe0 ? 3 : 0;
			bool ok = l && i + l <= n;
			for (size_t k = 1; ok && k < l; k++)
				ok = (p[i + k] & 0xc0) == 0x80;
			if (ok && l == 2 && c < 0xc2)
				ok = false;
			if (ok && l == 3 && c == 0xe0 && p[i + 1] < 0xa0)
				ok = false;
			if (ok && l == 3 && c == 0xed && p[i + 1] >= 0xa0)
				ok = false;
			if (ok) {
				buf_append(b, p + i, l);
				i += l;
			} else {
				buf_puts(b, "\\ufffd");
				i++;
			}
			continue;
		}
		if (c == '"' || c == '\\')
			buf_printf(b, "\\%c", c);
		else if (c == '\n')
			buf_puts(b, "\\n");
		else if (c == '\r')
			buf_puts(b, "\\r");
		else if (c == '\t')
			buf_puts(b, "\\t");
		else if (c < 0x20)
			buf_printf(b, "\\u%04x", c);
		else
			buf_putc(b, (char)c);
		i++;
	}
	buf_putc(b, '"');
}

/* Long strings of every kind of byte, cut at block edges and UTF-8
 * sequences across them, come out as the byte-wise rule says; so do they
 * into a buffer whose maximum leaves no room for the worst case. */
static void test_json_long(void **state)
{
	(void)state;
	static const char *const pieces[] = {"C:\\Windows\\System32\\",
					     "\xc3\xa9",
					     "\xe2\x82\xac",
					     "\"q\"",
					     "\n\t\r\x01",
					     "\xff",
					     "\xc3",
					     "plain text "};
	unsigned seed = 7;
	unsigned char *in = malloc(20000);
	assert_non_null(in);
	for (int round = 0; round < 40; round++) {
		size_t n = 0, want = 3000 + (size_t)round * 400;
		while (n < want) {
			seed = seed * 1103515245 + 12345;
			const char *pc = pieces[(seed >> 16) % 8];
			size_t l = strlen(pc);
			memcpy(in + n, pc, l);
			n += l;
		}
		struct buf got = BUF_INIT, ref = BUF_INIT;
		json_str(&got, slice_make((const char *)in, n));
		ref_json_str(&ref, in, n);
		assert_int_equal(got.err, 0);
		assert_int_equal(got.len, ref.len);
		assert_memory_equal(got.data, ref.data, ref.len);
		/* room for the text as it comes out, not for six bytes a byte */
		struct buf tight = {.max = ref.len + 10};
		buf_append(&tight, "0123456789", 10);
		json_str(&tight, slice_make((const char *)in, n));
		assert_int_equal(tight.err, 0);
		assert_int_equal(tight.len, ref.len + 10);
		assert_memory_equal(tight.data + 10, ref.data, ref.len);
		/* one byte short: an error, never a longer buffer */
		struct buf short1 = {.max = ref.len + 9};
		buf_append(&short1, "0123456789", 10);
		json_str(&short1, slice_make((const char *)in, n));
		assert_int_equal(short1.err, AS_ETOOBIG);
		assert_true(short1.len <= short1.max);
		buf_free(&got);
		buf_free(&ref);
		buf_free(&tight);
		buf_free(&short1);
	}
	free(in);
}

static int cmp_u32_ref(const void *a, const void *b)
{
	uint32_t x = *(const uint32_t *)a, y = *(const uint32_t *)b;
	return (x > y) - (x < y);
}

static int cmp_u64_ref(const void *a, const void *b)
{
	uint64_t x = *(const uint64_t *)a, y = *(const uint64_t *)b;
	return (x > y) - (x < y);
}

/* sort_u32 and sort_u64 give qsort's order for short and long arrays,
 * keys alike in some bytes (passes left out) and in none, repeats. */
static void test_sort(void **state)
{
	(void)state;
	static const size_t sizes[] = {0, 1, 2, 47, 48, 49, 300, 5000, 70000};
	uint64_t seed = 99;
	for (size_t si = 0; si < sizeof sizes / sizeof *sizes; si++)
		for (int kind = 0; kind < 4; kind++) {
			size_t n = sizes[si];
			uint32_t *a = malloc((n + 1) * sizeof *a),
				 *ra = malloc((n + 1) * sizeof *ra);
			uint64_t *b = malloc((n + 1) * sizeof *b),
				 *rb = malloc((n + 1) * sizeof *rb);
			assert_true(a && ra && b && rb);
			for (size_t i = 0; i < n; i++) {
				seed = seed * 6364136223846793005ull + 1442695040888963407ull;
				uint64_t x = seed;
				if (kind == 1)
					x &= 0xff00ull; /* one varying byte, repeats */
				else if (kind == 2)
					x = (x & 0x3ull) << 34 | (x >> 40) << 2; /* field|lit|use */
				else if (kind == 3)
					x = n - i; /* descending */
				a[i] = ra[i] = (uint32_t)(x ^ (x >> 32));
				b[i] = rb[i] = x;
			}
			sort_u32(a, n);
			sort_u64(b, n);
			qsort(ra, n, sizeof *ra, cmp_u32_ref);
			qsort(rb, n, sizeof *rb, cmp_u64_ref);
			if (n) {
				assert_memory_equal(a, ra, n * sizeof *a);
				assert_memory_equal(b, rb, n * sizeof *b);
			}
			free(a);
			free(ra);
			free(b);
			free(rb);
		}
}

/* ascii_lower, sixteen bytes at a time and byte by byte, is the plain
 * per-byte rule for every byte at every offset and length. */
static void test_lower(void **state)
{
	(void)state;
	char src[300], dst[300];
	for (int i = 0; i < 300; i++)
		src[i] = (char)(i * 7 + 3);
	for (size_t off = 0; off < 17; off++)
		for (size_t n = 0; n + off <= 280; n += 13) {
			memset(dst, '#', sizeof dst);
			ascii_lower(dst, src + off, n);
			for (size_t i = 0; i < n; i++) {
				unsigned char c = (unsigned char)src[off + i];
				assert_int_equal((unsigned char)dst[i],
						 c >= 'A' && c <= 'Z' ? c + 32 : c);
			}
			assert_int_equal(dst[n], '#');
		}
	char t[] = "MiMiKaTz.EXE \xc3\x89";
	ascii_lower(t, t, strlen(t)); /* in place */
	assert_string_equal(t, "mimikatz.exe \xc3\x89");
}

static void test_hash(void **state)
{
	/* Same input, same hash; one byte changes it; lengths 0..40 all differ. */
	uint64_t seen[41];
	char s[41];
	memset(s, 'a', sizeof s);
	for (int n = 0; n <= 40; n++) {
		seen[n] = hash_bytes_seeded(s, (size_t)n, 1);
		assert_true(seen[n] == hash_bytes_seeded(s, (size_t)n, 1));
		for (int k = 0; k < n; k++)
			assert_true(seen[k] != seen[n]);
	}
	char t[16] = "abcdefghijklmno";
	uint64_t h = hash_bytes_seeded(t, 15, 1);
	t[7] ^= 1;
	assert_true(h != hash_bytes_seeded(t, 15, 1));
}

static void test_errors(void **state)
{
	assert_string_equal(as_strerror(0), "ok");
	assert_string_equal(as_strerror(AS_ENOMEM), "out of memory");
	assert_string_equal(as_strerror(AS_ETRUNC), "truncated input");
	assert_string_equal(as_strerror(12345), "unknown error");
}

int main(void)
{
	const struct CMUnitTest tests[] = {
	    cmocka_unit_test(test_slice),     cmocka_unit_test(test_arena),
	    cmocka_unit_test(test_buf),       cmocka_unit_test(test_map),
	    cmocka_unit_test(test_ip),        cmocka_unit_test(test_cidr),
	    cmocka_unit_test(test_time),      cmocka_unit_test(test_json_out),
	    cmocka_unit_test(test_json_long), cmocka_unit_test(test_sort),
	    cmocka_unit_test(test_lower),     cmocka_unit_test(test_hash),
	    cmocka_unit_test(test_errors),
	};
	return cmocka_run_group_tests(tests, NULL, NULL);
}
