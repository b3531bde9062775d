/*
 * test_read_evtx_value.c — EVTX values as text (evtx_value.c), table-driven:
 * each row a type, its bytes and the text libevtx gives them (or NULL for a
 * value that cannot be written, and why). The corpora hold few of the edge
 * values: negative and extreme integers, the first and last FILETIMEs
 * libevtx writes, SIDs with no and many sub-authorities, sizes that do not
 * fit their type.
 */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <string.h>

#include <cmocka.h>

#include "read/evtx_value.h"

struct row {
	uint8_t type;
	uint32_t size;
	const char *bytes; /* size bytes */
	const char *text;  /* NULL: not writable */
};

static const struct row rows[] = {
    {0x00, 0, "", ""},
    {0x01, 10, "a\0b\0c\0\0\0d\0", "abc"}, /* up to the first NUL */
    {0x01, 4, "\xe9\0\xac\x20", "\xc3\xa9\xe2\x82\xac"},
    {0x01, 4, "\x3d\xd8\x00\xde", "\xf0\x9f\x98\x80"}, /* a surrogate pair */
    {0x01, 2, "\x00\xd8", "\xef\xbf\xbd"},             /* unpaired: U+FFFD */
    {0x01, 34, "0\0001\0002\0003\0004\0005\0006\0007\0008\0009\0a\0b\0c\0d\0e\0f\0g\0",
     "0123456789abcdefg"},
    {0x02, 3, "ab\xe9", "ab\xc3\xa9"},
    {0x03, 1, "\x80", "-128"},
    {0x04, 1, "\xff", "255"},
    {0x05, 2, "\x00\x80", "-32768"},
    {0x06, 2, "\x39\x30", "12345"},
    {0x07, 4, "\xff\xff\xff\xff", "-1"},
    {0x08, 4, "\xff\xff\xff\xff", "4294967295"},
    {0x08, 4, "\x00\x00\x00\x00", "0"},
    {0x08, 4, "\x63\x00\x00\x00", "99"},
    {0x08, 4, "\x64\x00\x00\x00", "100"},
    {0x09, 8, "\x00\x00\x00\x00\x00\x00\x00\x80", "-9223372036854775808"},
    {0x0A, 8, "\xff\xff\xff\xff\xff\xff\xff\xff", "18446744073709551615"},
    {0x0A, 8, "\x00\x00\xe8\x89\x04\x23\xc7\x8a", "10000000000000000000"},
    {0x0A, 8, "\xff\xff\xe7\x89\x04\x23\xc7\x8a", "9999999999999999999"},
    {0x0D, 4, "\x01\x00\x00\x00", "true"},
    {0x0D, 4, "\x00\x00\x00\x00", "false"},
    {0x0E, 3, "\x00\xab\x7f", "00AB7F"},
    {0x0F, 16, "\x5f\x38\x70\x57\x2a\xc2\xe0\x43\xbf\x4c\x06\xf5\x69\x8f\xfb\xd9",
     "{5770385F-C22A-43E0-BF4C-06F5698FFBD9}"},
    {0x0F, 16, "\0\0\0\0\0\0\0\0\0\0\0\0\0\0\0\0", "{00000000-0000-0000-0000-000000000000}"},
    {0x0F, 16, "\xff\xff\xff\xff\xff\xff\xff\xff\xff\xff\xff\xff\xff\xff\xff\xff",
     "{FFFFFFFF-FFFF-FFFF-FFFF-FFFFFFFFFFFF}"},
    {0x0F, 16, "\x67\x45\x23\x01\xab\x89\xef\xcd\x09\x0a\x90\xa0\x9f\xa9\xf9\x9a",
     "{01234567-89AB-CDEF-090A-90A09FA9F99A}"},
    {0x10, 4, "\x18\x00\x00\x00", "0x00000018"},
    {0x10, 8, "\xe7\x03\x00\x00\x00\x00\x00\x00", "0x00000000000003e7"},
    {0x11, 8, "\x00\x00\x00\x00\x00\x00\x00\x00", "1601-01-01T00:00:00.000000000Z"},
    {0x11, 8, "\x78\x34\x91\xe8\x11\xfd\xd4\x01", "2019-04-27T15:57:25.868863200Z"},
    {0x11, 8, "\xff\x3f\xc0\xd1\x5e\x5a\xc8\x24", "9999-12-31T23:59:59.999999900Z"},
    {0x11, 8, "\x00\x40\xc0\xd1\x5e\x5a\xc8\x24", NULL}, /* year 10000 */
    {0x13, 12, "\x01\x01\x00\x00\x00\x00\x00\x05\x12\x00\x00\x00", "S-1-5-18"},
    {0x13, 8, "\x01\x00\x00\x00\x00\x00\x00\x00", "S-1-0"},
    {0x13, 12, "\x01\x02\x00\x00\x00\x00\x00\x05\x12\x00\x00\x00", NULL}, /* cut short */
    {0x14, 4, "\xef\xbe\xad\xde", "0xdeadbeef"},
    {0x15, 8, "\x00\x00\x00\x00\x00\x00\x00\x80", "0x8000000000000000"},
    {0x15, 8, "\xef\xcd\xab\x89\x67\x45\x23\x01", "0x0123456789abcdef"},
    {0x10, 8, "\xef\xcd\xab\x89\x67\x45\x23\x01", "0x0123456789abcdef"},
    {0x10, 8, "\xff\xff\xff\xff\xff\xff\xff\xff", "0xffffffffffffffff"},
    {0x04, 2, "\x01\x02", NULL},
    {0x08, 2, "\x01\x02", NULL},
    {0x0F, 15, "", NULL},
    {0x0B, 4, "\x00\x00\x80\x3f", NULL}, /* Real32: not written here */
};

static void test_rows(void **state)
{
	(void)state;
	for (size_t i = 0; i < sizeof rows / sizeof rows[0]; i++) {
		const struct row *r = &rows[i];
		char buf[256];
		memset(buf, '#', sizeof buf);
		assert_true(evtx_value_bound(r->type, r->size) <= sizeof buf);
		struct evtx_day_memo memo = {0};
		char *e = evtx_value_text(buf, r->type, (const uint8_t *)r->bytes, r->size, &memo);
		if (!r->text) {
			bool at;
			assert_null(e);
			(void)evtx_value_why(r->type, r->size, &at);
			continue;
		}
		assert_non_null(e);
		size_t n = (size_t)(e - buf);
		assert_true(n <= evtx_value_bound(r->type, r->size));
		buf[n] = 0;
		assert_string_equal(buf, r->text);
		/* the same again, the date taken from the memo */
		e = evtx_value_text(buf, r->type, (const uint8_t *)r->bytes, r->size, &memo);
		buf[e - buf] = 0;
		assert_string_equal(buf, r->text);
	}
}

static void test_why(void **state)
{
	(void)state;
	bool at;
	assert_string_equal(evtx_value_why(0x08, 2, &at), "UInt32 size");
	assert_true(at);
	assert_string_equal(evtx_value_why(0x11, 8, &at), "FILETIME out of range");
	assert_false(at);
	assert_string_equal(evtx_value_why(0x13, 12, &at), "SID size");
	assert_null(evtx_value_why(0x0B, 4, &at));
}

static void test_hex_minimal(void **state)
{
	(void)state;
	static const struct {
		uint64_t v;
		const char *text;
	} hex[] = {{0, "0x0"},
		   {0x18, "0x18"},
		   {0x3e7, "0x3e7"},
		   {0xdeadbeef, "0xdeadbeef"},
		   {0x8000000000000000ull, "0x8000000000000000"},
		   {0x0fffffffffffffffull, "0xfffffffffffffff"}};
	for (size_t i = 0; i < sizeof hex / sizeof hex[0]; i++) {
		char buf[24];
		char *e = evtx_hex_minimal_text(buf, hex[i].v);
		*e = 0;
		assert_string_equal(buf, hex[i].text);
	}
	/* 2^k - 1 and 2^k for every k: every digit count and nibble place */
	for (int k = 0; k < 64; k++) {
		uint64_t vals[2] = {(1ull << k) - 1, 1ull << k};
		for (int j = 0; j < 2; j++) {
			char buf[24], want[24];
			char *e = evtx_hex_minimal_text(buf, vals[j]);
			*e = 0;
			snprintf(want, sizeof want, "0x%llx", (unsigned long long)vals[j]);
			assert_string_equal(buf, want);
		}
	}
}

/* GUIDs of pseudo-random bytes against printf, and nothing written past
 * the 38 bytes of the text. */
static void test_guid_printf(void **state)
{
	(void)state;
	uint32_t seed = 12345;
	for (int round = 0; round < 2000; round++) {
		uint8_t g[16];
		for (int i = 0; i < 16; i++) {
			seed = seed * 1103515245u + 12345u;
			g[i] = (uint8_t)(seed >> 16);
		}
		char buf[64], want[64];
		memset(buf, '#', sizeof buf);
		char *e = evtx_value_text(buf, 0x0F, g, 16, NULL);
		assert_ptr_equal(e, buf + 38);
		assert_int_equal(buf[38], '#');
		*e = 0;
		snprintf(want, sizeof want, "{%08X-%04X-%04X-%02X%02X-%02X%02X%02X%02X%02X%02X}",
			 (unsigned)(g[0] | g[1] << 8 | g[2] << 16 | (uint32_t)g[3] << 24),
			 (unsigned)(g[4] | g[5] << 8), (unsigned)(g[6] | g[7] << 8), g[8], g[9],
			 g[10], g[11], g[12], g[13], g[14], g[15]);
		assert_string_equal(buf, want);
	}
}

static void test_u64_every_length(void **state)
{
	(void)state;
	/* 10^k - 1 and 10^k for every k: where the digit count changes */
	uint64_t p = 1;
	for (int k = 0; k < 20; k++) {
		char buf[24], want[24];
		uint64_t vals[2] = {p - 1, p};
		for (int j = 0; j < 2; j++) {
			char *e = evtx_u64_text(buf, vals[j]);
			*e = 0;
			snprintf(want, sizeof want, "%llu", (unsigned long long)vals[j]);
			assert_string_equal(buf, want);
		}
		if (k < 19)
			p *= 10;
	}
}

/* UTF-16 to UTF-8 one unit at a time, as libevtx does: the reference for
 * the sixteen- and eight-unit steps of evtx_utf16_to_utf8. */
static size_t utf16_ref(char *d, const uint16_t *u, size_t n)
{
	size_t o = 0;
	for (size_t i = 0; i < n && u[i]; i++) {
		uint32_t c = u[i];
		if (c >= 0xD800 && c <= 0xDBFF && i + 1 < n && u[i + 1] >= 0xDC00 &&
		    u[i + 1] <= 0xDFFF) {
			c = 0x10000 + ((c - 0xD800) << 10) + (u[i + 1] - 0xDC00);
			i++;
		} else if (c >= 0xD800 && c <= 0xDFFF) {
			c = 0xFFFD;
		}
		if (c < 0x80) {
			d[o++] = (char)c;
		} else if (c < 0x800) {
			d[o++] = (char)(0xC0 | c >> 6);
			d[o++] = (char)(0x80 | (c & 0x3F));
		} else if (c < 0x10000) {
			d[o++] = (char)(0xE0 | c >> 12);
			d[o++] = (char)(0x80 | (c >> 6 & 0x3F));
			d[o++] = (char)(0x80 | (c & 0x3F));
		} else {
			d[o++] = (char)(0xF0 | c >> 18);
			d[o++] = (char)(0x80 | (c >> 12 & 0x3F));
			d[o++] = (char)(0x80 | (c >> 6 & 0x3F));
			d[o++] = (char)(0x80 | (c & 0x3F));
		}
	}
	return o;
}

static void test_utf16_every_place(void **state)
{
	(void)state;
	/* one odd unit at every place of ASCII strings of every length up to
	 * past two sixteen-unit steps: NUL, the ASCII edges, units whose low
	 * byte is ASCII, units a signed pack saturates, surrogates */
	static const uint16_t odd[] = {0x0000, 0x0001, 0x007F, 0x0080, 0x00E9, 0x0100, 0x017F,
				       0x20AC, 0x7FFF, 0x8000, 0xFF41, 0xD83D, 0xDE00, 0xFFFF};
	for (size_t n = 0; n <= 40; n++)
		for (size_t k = 0; k <= n; k++)
			for (size_t j = 0; j < sizeof odd / sizeof odd[0]; j++) {
				uint16_t u[41];
				uint8_t b[82];
				for (size_t i = 0; i < n; i++)
					u[i] = (uint16_t)('A' + i % 26);
				if (k < n)
					u[k] = odd[j];
				if (k + 1 < n && odd[j] == 0xD83D)
					u[k + 1] = 0xDE00; /* a pair, across a step's end too */
				for (size_t i = 0; i < n; i++) {
					b[2 * i] = (uint8_t)u[i];
					b[2 * i + 1] = (uint8_t)(u[i] >> 8);
				}
				char got[3 * 41], want[3 * 41];
				size_t gn = evtx_utf16_to_utf8(got, b, n);
				size_t wn = utf16_ref(want, u, n);
				assert_int_equal(gn, wn);
				assert_memory_equal(got, want, wn);
			}
}

int main(void)
{
	const struct CMUnitTest tests[] = {
	    cmocka_unit_test(test_rows),
	    cmocka_unit_test(test_why),
	    cmocka_unit_test(test_hex_minimal),
	    cmocka_unit_test(test_guid_printf),
	    cmocka_unit_test(test_u64_every_length),
	    cmocka_unit_test(test_utf16_every_place),
	};
	return cmocka_run_group_tests(tests, NULL, NULL);
}
