/*
 * test_json_scan.c — the JSON walker and unescaper.
 *
 * Tables of documents: valid ones with the leaves they must produce (each
 * rendered as "path:type=value" joined by '|'), invalid ones with the byte
 * offset and the reason the walker must report. Every valid document is also
 * walked once more from a heap copy of exactly its length, so a read past
 * the end shows under the sanitizers.
 */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <cmocka.h>

#include "core/error.h"
#include "core/json_scan.h"
#include "core/limits.h"

struct collect {
	char out[4096];
	size_t n;
	int stop_after; /* stop the walk after this many leaves (0: never) */
	int seen;
};

static int collect_leaf(void *ctx, const struct json_leaf *l)
{
	struct collect *c = ctx;
	static const char tc[] = {'s', 'n', 'b', 'z'};
	int w = snprintf(c->out + c->n, sizeof c->out - c->n, "%s%.*s:%c%s=%.*s/%.*s",
			 c->n ? "|" : "", SLICE_ARG(l->path), tc[l->type], l->escaped ? "e" : "",
			 SLICE_ARG(l->value), SLICE_ARG(l->key));
	if (w > 0)
		c->n += (size_t)w;
	if (c->n >= sizeof c->out)
		c->n = sizeof c->out - 1;
	c->seen++;
	return c->stop_after && c->seen >= c->stop_after ? 7 : 0;
}

static int walk_heap(const char *doc, struct collect *c, struct diag *d)
{
	size_t n = strlen(doc);
	char *copy = malloc(n ? n : 1);
	memcpy(copy, doc, n);
	memset(c, 0, sizeof *c);
	int rc = json_walk(slice_make(copy, n), collect_leaf, c, d);
	free(copy);
	return rc;
}

struct good_case {
	const char *doc;
	const char *leaves; /* path:type=value/key joined by | */
};

static const struct good_case good[] = {
    {"{}", ""},
    {" \t\r\n{ } \n", ""},
    {"{\"a\":1}", "a:n=1/a"},
    {"{\"a\":\"x\",\"b\":true,\"c\":false,\"d\":null}",
     "a:s=x/a|b:b=true/b|c:b=false/c|d:z=null/d"},
    {"{ \"a\" : [ 1 , 2 ] , \"b\" : { } }", "a:n=1/a|a:n=2/a"},
    {"{\"dns\":{\"rrname\":\"a.b\",\"rrtype\":\"A\"}}",
     "dns.rrname:s=a.b/rrname|dns.rrtype:s=A/rrtype"},
    {"{\"tags\":[\"a\",\"b\"]}", "tags:s=a/tags|tags:s=b/tags"},
    {"{\"dns\":{\"answers\":[{\"rdata\":\"1.2.3.4\"},{\"rdata\":\"5.6.7.8\",\"ttl\":3}]}}",
     "dns.answers.rdata:s=1.2.3.4/rdata|dns.answers.rdata:s=5.6.7.8/rdata|"
     "dns.answers.ttl:n=3/ttl"},
    {"{\"a\":{\"b\":{\"c\":1},\"d\":2},\"e\":3}", "a.b.c:n=1/c|a.d:n=2/d|e:n=3/e"},
    {"{\"id.orig_h\":\"10.0.0.1\"}", "id.orig_h:s=10.0.0.1/id.orig_h"},
    {"{\"x\":{\"id.resp_p\":80}}", "x.id.resp_p:n=80/id.resp_p"},
    {"{\"m\":[[1,[2]],{\"k\":[3]}]}", "m:n=1/m|m:n=2/m|m.k:n=3/k"},
    {"{\"s\":\"a\\\"b\\\\c\\u00e9\"}", "s:se=a\\\"b\\\\c\\u00e9/s"},
    {"{\"\":{\"\":1}}", ".:n=1/"},
    {"{\"n\":[0,-0,1.5,-2e10,3E+2,4.25e-3,123456789012345678901234567890]}",
     "n:n=0/n|n:n=-0/n|n:n=1.5/n|n:n=-2e10/n|n:n=3E+2/n|n:n=4.25e-3/n|"
     "n:n=123456789012345678901234567890/n"},
    {"{\"u\":\"\xc3\xa9\xe2\x82\xac\"}", "u:s=\xc3\xa9\xe2\x82\xac/u"},
    {"{\"long\":\"0123456789abcdef0123456789abcdef0123456789\\n\"}",
     "long:se=0123456789abcdef0123456789abcdef0123456789\\n/long"},
    {"{\"a\":[],\"b\":[{}],\"c\":1}", "c:n=1/c"},
    {"{\"del\":\"\x7f\"}", "del:s=\x7f/del"},
};

static void test_walk_good(void **state)
{
	for (size_t i = 0; i < sizeof good / sizeof good[0]; i++) {
		struct collect c;
		struct diag d = {0};
		int rc = walk_heap(good[i].doc, &c, &d);
		if (rc != 0 || strcmp(c.out, good[i].leaves) != 0)
			print_error("case %zu: %s\n  rc=%d (%s)\n  got  %s\n  want %s\n", i,
				    good[i].doc, rc, d.msg, c.out, good[i].leaves);
		assert_int_equal(rc, 0);
		assert_string_equal(c.out, good[i].leaves);
	}
}

struct bad_case {
	const char *doc;
	int code;
	size_t offset;
	const char *reason; /* substring of the message */
};

static const struct bad_case bad[] = {
    {"", AS_EPARSE, 0, "empty"},
    {"   ", AS_EPARSE, 3, "empty"},
    {"[1,2]", AS_EPARSE, 0, "object expected"},
    {"\"s\"", AS_EPARSE, 0, "object expected"},
    {"{", AS_EPARSE, 1, "end"},
    {"{\"a\":1", AS_EPARSE, 6, "end"},
    {"{\"a\":1}}", AS_EPARSE, 7, "trailing"},
    {"{\"a\":1} x", AS_EPARSE, 8, "trailing"},
    {"{\"a\":1}{}", AS_EPARSE, 7, "trailing"},
    {"{\"a\" 1}", AS_EPARSE, 5, "':' expected"},
    {"{a:1}", AS_EPARSE, 1, "before key"},
    {"{\"a\":1,}", AS_EPARSE, 7, "before key"},
    {"{\"a\":[1,]}", AS_EPARSE, 8, "value expected"},
    {"{\"a\":[1}", AS_EPARSE, 7, "']'"},
    {"{\"a\":{\"b\":1]}", AS_EPARSE, 11, "'}'"},
    {"{\"a\":01}", AS_EPARSE, 6, "leading zero"},
    {"{\"a\":-01}", AS_EPARSE, 7, "leading zero"},
    {"{\"a\":1.}", AS_EPARSE, 7, "decimal point"},
    {"{\"a\":.5}", AS_EPARSE, 5, "value expected"},
    {"{\"a\":1e}", AS_EPARSE, 7, "exponent"},
    {"{\"a\":1e+}", AS_EPARSE, 8, "exponent"},
    {"{\"a\":-}", AS_EPARSE, 6, "digit expected"},
    {"{\"a\":+1}", AS_EPARSE, 5, "value expected"},
    {"{\"a\":1x}", AS_EPARSE, 6, "after number"},
    {"{\"a\":0x10}", AS_EPARSE, 6, "after number"},
    {"{\"a\":tru}", AS_EPARSE, 5, "value expected"},
    {"{\"a\":truex}", AS_EPARSE, 9, "literal"},
    {"{\"a\":nul}", AS_EPARSE, 5, "value expected"},
    {"{\"a\":NaN}", AS_EPARSE, 5, "value expected"},
    {"{\"a\":\"x}", AS_EPARSE, 8, "unterminated"},
    {"{\"a\":\"x\\", AS_EPARSE, 7, "unterminated"},
    {"{\"a\":\"\\x\"}", AS_EPARSE, 6, "bad escape"},
    {"{\"a\":\"\\'\"}", AS_EPARSE, 6, "bad escape"},
    {"{\"a\":\"\\u12\"}", AS_EPARSE, 6, "\\u"},
    {"{\"a\":\"\\u12g4\"}", AS_EPARSE, 6, "\\u"},
    {"{\"a\":\"tab\there\"}", AS_EPARSE, 9, "control"},
    {"{\"a\":\"0123456789abcdef0123456789\nabcdef\"}", AS_EPARSE, 32, "control"},
    {"{\"k\x01\":1}", AS_EPARSE, 3, "control"},
    {"{\"a\":'x'}", AS_EPARSE, 5, "value expected"},
    {"{\"a\":1,\"b\"}", AS_EPARSE, 10, "':' expected"},
    {"{\"a\" : }", AS_EPARSE, 7, "value expected"},
};

static void test_walk_bad(void **state)
{
	for (size_t i = 0; i < sizeof bad / sizeof bad[0]; i++) {
		struct collect c;
		struct diag d = {0};
		int rc = walk_heap(bad[i].doc, &c, &d);
		size_t off = (size_t)-1;
		sscanf(d.msg, "byte %zu:", &off);
		if (rc != bad[i].code || off != bad[i].offset || !strstr(d.msg, bad[i].reason))
			print_error("case %zu: %s\n  rc=%d msg '%s'; want offset %zu reason '%s'\n",
				    i, bad[i].doc, rc, d.msg, bad[i].offset, bad[i].reason);
		assert_int_equal(rc, bad[i].code);
		assert_int_equal(d.code, bad[i].code);
		assert_int_equal(off, bad[i].offset);
		assert_non_null(strstr(d.msg, bad[i].reason));
	}
}

/* A document cut anywhere is invalid, never a crash nor a read past the end. */
static void test_walk_every_prefix(void **state)
{
	const char *doc = "{\"timestamp\":\"2024-03-01T12:00:00.123456+0000\",\"flow_id\":1234,"
			  "\"dns\":{\"answers\":[{\"rrname\":\"ex\\u00e9.com\",\"ttl\":3.5e2}],"
			  "\"flags\":[true,false,null]}}";
	size_t n = strlen(doc);
	struct collect c;
	struct diag d;
	for (size_t k = 0; k < n; k++) {
		char *copy = malloc(k ? k : 1);
		memcpy(copy, doc, k);
		memset(&c, 0, sizeof c);
		assert_int_equal(json_walk(slice_make(copy, k), collect_leaf, &c, &d), AS_EPARSE);
		free(copy);
	}
	assert_int_equal(walk_heap(doc, &c, &d), 0);
	assert_int_equal(c.seen, 7);
}

static void test_walk_depth(void **state)
{
	char doc[4 * AS_MAX_JSON_DEPTH + 64];
	struct collect c;
	struct diag d;
	/* exactly AS_MAX_JSON_DEPTH containers (root included) is accepted */
	for (int depth = AS_MAX_JSON_DEPTH; depth <= AS_MAX_JSON_DEPTH + 1; depth++) {
		size_t n = 0;
		doc[n++] = '{';
		doc[n++] = '"';
		doc[n++] = 'a';
		doc[n++] = '"';
		doc[n++] = ':';
		for (int i = 1; i < depth; i++)
			doc[n++] = '[';
		doc[n++] = '1';
		for (int i = 1; i < depth; i++)
			doc[n++] = ']';
		doc[n++] = '}';
		doc[n] = '\0';
		int rc = walk_heap(doc, &c, &d);
		if (depth <= AS_MAX_JSON_DEPTH) {
			assert_int_equal(rc, 0);
			assert_string_equal(c.out, "a:n=1/a");
		} else {
			assert_int_equal(rc, AS_ETOOBIG);
			assert_non_null(strstr(d.msg, "deep"));
		}
	}
	/* a million open brackets: rejected, no stack overflow */
	size_t big = 1000000;
	char *deep = malloc(big + 8);
	memcpy(deep, "{\"a\":", 5);
	memset(deep + 5, '[', big);
	assert_int_equal(json_walk(slice_make(deep, big + 5), NULL, NULL, &d), AS_ETOOBIG);
	free(deep);
}

static void test_walk_path_limit(void **state)
{
	char doc[1024];
	char key[200];
	memset(key, 'k', sizeof key - 1);
	key[sizeof key - 1] = '\0';
	struct collect c;
	struct diag d;
	/* 199 + 1 + 56 = 256: fits exactly */
	snprintf(doc, sizeof doc, "{\"%s\":{\"%.56s\":1}}", key, key);
	assert_int_equal(walk_heap(doc, &c, &d), 0);
	snprintf(doc, sizeof doc, "{\"%s\":{\"%.57s\":1}}", key, key);
	assert_int_equal(walk_heap(doc, &c, &d), AS_ETOOBIG);
	assert_non_null(strstr(d.msg, "path"));
}

static void test_walk_stop(void **state)
{
	struct collect c;
	memset(&c, 0, sizeof c);
	c.stop_after = 2;
	const char *doc = "{\"a\":1,\"b\":2,\"c\":3}";
	assert_int_equal(json_walk(slice_cstr(doc), collect_leaf, &c, NULL), 7);
	assert_int_equal(c.seen, 2);
	/* NULL callback validates only */
	struct diag d;
	assert_int_equal(json_walk(slice_cstr(doc), NULL, NULL, &d), 0);
	assert_int_equal(json_walk(slice_cstr("{\"a\":}"), NULL, NULL, &d), AS_EPARSE);
	assert_int_equal(json_walk(SLICE_NULL, NULL, NULL, &d), AS_EPARSE);
}

struct unesc_case {
	const char *in;
	int rc;
	const char *out;
	size_t out_len;
};

static const struct unesc_case unesc[] = {
    {"plain", 0, "plain", 5},
    {"", 0, "", 0},
    {"a\\\"b", 0, "a\"b", 3},
    {"\\\\\\/\\b\\f\\n\\r\\t", 0, "\\/\b\f\n\r\t", 7},
    {"\\u0041\\u00e9\\u20ac", 0, "A\xc3\xa9\xe2\x82\xac", 6},
    {"\\u0000x", 0, "\0x", 2},
    {"\\uD83D\\uDE00", 0, "\xf0\x9f\x98\x80", 4},     /* U+1F600 */
    {"x\\ud834\\udd1ey", 0, "x\xf0\x9d\x84\x9ey", 6}, /* U+1D11E */
    {"\\ud800", 0, "\xef\xbf\xbd", 3},                /* lone high */
    {"\\ud800x", 0, "\xef\xbf\xbdx", 4},              /* high, no pair */
    {"\\udc00", 0, "\xef\xbf\xbd", 3},                /* lone low */
    {"\\ud800\\u0041", 0,
     "\xef\xbf\xbd"
     "A",
     4}, /* high + non-low */
    {"C:\\\\Windows\\\\System32", 0, "C:\\Windows\\System32", 19},
    {"\\x", AS_EPARSE, NULL, 0},
    {"\\u12", AS_EPARSE, NULL, 0},
    {"\\u12zz", AS_EPARSE, NULL, 0},
    {"abc\\", AS_EPARSE, NULL, 0},
};

static void test_unescape(void **state)
{
	struct arena a;
	arena_init(&a, 0);
	for (size_t i = 0; i < sizeof unesc / sizeof unesc[0]; i++) {
		struct slice out = SLICE_NULL;
		int rc = json_unescape(slice_cstr(unesc[i].in), &a, &out);
		if (rc != unesc[i].rc)
			print_error("case %zu: %s rc=%d\n", i, unesc[i].in, rc);
		assert_int_equal(rc, unesc[i].rc);
		if (rc == 0) {
			assert_int_equal(out.len, unesc[i].out_len);
			assert_memory_equal(out.ptr, unesc[i].out, out.len);
		}
	}
	/* without a backslash the input itself comes back: nothing copied */
	struct slice in = slice_cstr("no escapes"), out;
	assert_int_equal(json_unescape(in, &a, &out), 0);
	assert_ptr_equal(out.ptr, in.ptr);
	arena_free(&a);
}

/* The walker's escaped values go through json_unescape to the plain text. */
static int unescape_leaf(void *ctx, const struct json_leaf *l)
{
	struct arena *a = ctx;
	struct slice out;
	if (!l->escaped)
		return 0;
	if (json_unescape(l->value, a, &out))
		return 99;
	return slice_eq_cstr(out, "sub\"dir\\f\xc3\xa9") ? 1 : 98;
}

static void test_walk_then_unescape(void **state)
{
	struct arena a;
	arena_init(&a, 0);
	const char *doc = "{\"x\":1,\"p\":\"sub\\\"dir\\\\f\\u00E9\"}";
	assert_int_equal(json_walk(slice_cstr(doc), unescape_leaf, &a, NULL), 1);
	arena_free(&a);
}

/* Each leaf says whether it is an array element and how many arrays hold it. */
static char arrays_seen[256];
static int arrays_leaf(void *ctx, const struct json_leaf *l)
{
	(void)ctx;
	size_t n = strlen(arrays_seen);
	snprintf(arrays_seen + n, sizeof arrays_seen - n, "%.*s:%d%d ", (int)l->value.len,
		 l->value.ptr, l->in_array, l->arrays);
	return 0;
}

static void test_walk_arrays(void **state)
{
	(void)state;
	arrays_seen[0] = 0;
	const char *doc = "{\"a\":1,\"t\":[2,[3],{\"o\":4,\"p\":[5]}],\"m\":{\"x\":6},\"z\":7}";
	assert_int_equal(json_walk(slice_cstr(doc), arrays_leaf, NULL, NULL), 0);
	assert_string_equal(arrays_seen, "1:00 2:11 3:12 4:01 5:12 6:00 7:00 ");
}

static void test_pathmap(void **state)
{
	static const struct json_pathmap_entry e[] = {
	    {"src_ip", 1}, {"dns.rrname", 2},   {"a", 3},
	    {"", 4},       {"tls.ja3.hash", 5}, {"dns.rrtype", 6},
	};
	static struct json_pathmap m;
	assert_int_equal(json_pathmap_init(&m, e, sizeof e / sizeof e[0]), 0);
	for (size_t i = 0; i < sizeof e / sizeof e[0]; i++)
		assert_int_equal(json_pathmap_get(&m, slice_cstr(e[i].path)), e[i].action);
	assert_int_equal(json_pathmap_get(&m, SLICE_LIT("src_ipx")), 0);
	assert_int_equal(json_pathmap_get(&m, SLICE_LIT("dns.rrnam")), 0);
	assert_int_equal(json_pathmap_get(&m, SLICE_LIT("b")), 0);
	assert_int_equal(json_pathmap_get(&m, SLICE_LIT("tls.ja3s.hash")), 0);
	static const struct json_pathmap_entry dup[] = {{"x", 1}, {"x", 2}};
	assert_int_equal(json_pathmap_init(&m, dup, 2), AS_EEXISTS);
	static const struct json_pathmap_entry zero[] = {{"x", 0}};
	assert_int_equal(json_pathmap_init(&m, zero, 1), AS_ETOOBIG);
	/* half full is the most it takes, and every entry still resolves */
	static char names[JSON_PATHMAP_SLOTS / 2 + 1][16];
	static struct json_pathmap_entry many[JSON_PATHMAP_SLOTS / 2 + 1];
	for (int i = 0; i <= JSON_PATHMAP_SLOTS / 2; i++) {
		snprintf(names[i], sizeof names[i], "f%d.x", i);
		many[i] = (struct json_pathmap_entry){names[i], i + 1};
	}
	assert_int_equal(json_pathmap_init(&m, many, JSON_PATHMAP_SLOTS / 2 + 1), AS_ETOOBIG);
	assert_int_equal(json_pathmap_init(&m, many, JSON_PATHMAP_SLOTS / 2), 0);
	for (int i = 0; i < JSON_PATHMAP_SLOTS / 2; i++)
		assert_int_equal(json_pathmap_get(&m, slice_cstr(names[i])), i + 1);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
	    cmocka_unit_test(test_walk_good),         cmocka_unit_test(test_walk_bad),
	    cmocka_unit_test(test_walk_every_prefix), cmocka_unit_test(test_walk_depth),
	    cmocka_unit_test(test_walk_path_limit),   cmocka_unit_test(test_walk_stop),
	    cmocka_unit_test(test_unescape),          cmocka_unit_test(test_walk_then_unescape),
	    cmocka_unit_test(test_pathmap),           cmocka_unit_test(test_walk_arrays),
	};
	return cmocka_run_group_tests(tests, NULL, NULL);
}
