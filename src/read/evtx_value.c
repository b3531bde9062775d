/*
 * evtx_value.c — EVTX values as text, see evtx_value.h.
 *
 * Every record holds a few dozen values, so these are the reader's inner
 * loop after the plans: decimal digits two at a time from a table, hex
 * digits eight at a time in a 64-bit word (each nibble spread to a byte,
 * then turned into its ASCII digit with no table) or sixteen at a time
 * with SSE2 (a GUID's 32 from one load, put in place by overlapping
 * stores), the date of a FILETIME kept from the previous one, ASCII
 * strings sixteen UTF-16 units at a time.
 */
#include "read/evtx_value.h"

#include <string.h>
#ifdef __SSE2__
#include <emmintrin.h>
#endif

#include "core/timeparse.h"
#include "read/winevent.h"

#ifndef __SSE2__ /* the GUID's plain path */
static inline uint32_t rd32be(const uint8_t *p)
{
	return (uint32_t)p[0] << 24 | (uint32_t)p[1] << 16 | (uint32_t)p[2] << 8 | (uint32_t)p[3];
}
#endif

/* ---- strings ---- */

/* Units i… of evtx_utf16_to_utf8 (those before are ASCII, written), one
 * at a time but for runs of ASCII; the length written. Apart so that the
 * ASCII strings most values are need no saved registers. */
static size_t __attribute__((noinline)) utf16_rest(char *d, const uint8_t *p, size_t n, size_t i0)
{
	size_t o = i0;
	for (size_t i = i0; i < n; i++) {
#if __BYTE_ORDER__ == __ORDER_LITTLE_ENDIAN__
		/* four ASCII units at a time: most of what Windows logs (the
		 * shifts read the little-endian units of a little-endian load) */
		while (i + 4 <= n) {
			uint64_t q;
			memcpy(&q, p + 2 * i, 8);
			if (q & 0xFF80FF80FF80FF80ull || !(q & 0x7F) || !(q & 0x7F0000) ||
			    !(q & 0x7F00000000ull) || !(q & 0x7F000000000000ull))
				break;
			d[o] = (char)q;
			d[o + 1] = (char)(q >> 16);
			d[o + 2] = (char)(q >> 32);
			d[o + 3] = (char)(q >> 48);
			o += 4;
			i += 4;
		}
#endif
		if (i >= n)
			break;
		uint32_t u = evtx_rd16(p + 2 * i);
		if (u == 0)
			break;
		if (u < 0x80) {
			d[o++] = (char)u;
			continue;
		}
		if (u >= 0xD800 && u <= 0xDBFF && i + 1 < n) {
			uint32_t l = evtx_rd16(p + 2 * i + 2);
			if (l >= 0xDC00 && l <= 0xDFFF) {
				o += winevent_utf8_put(d + o, 0x10000 + ((u - 0xD800) << 10) +
								  (l - 0xDC00));
				i++;
				continue;
			}
		}
		if (u >= 0xD800 && u <= 0xDFFF)
			u = 0xFFFD;
		o += winevent_utf8_put(d + o, u);
	}
	return o;
}

size_t evtx_utf16_to_utf8(char *d, const uint8_t *p, size_t n)
{
	size_t i = 0;
#ifdef __SSE2__
	/* sixteen units at a time, packed to bytes: ASCII and not NUL is a
	 * byte from 1 to 127 (packus turns larger units, signed, into 0 or
	 * 255), positive as a signed byte */
	const __m128i zero = _mm_setzero_si128();
	if (n < 4) {
		/* short values ("-", "0", "%%1"): unit by unit, here */
		while (i < n && (unsigned)(evtx_rd16(p + 2 * i) - 1) < 0x7F) {
			d[i] = (char)p[2 * i];
			i++;
		}
		return i == n ? n : utf16_rest(d, p, n, i);
	}
	if (n < 8) {
		/* the first four units and the last four, overlapping */
		__m128i b = _mm_packus_epi16(_mm_loadl_epi64((const __m128i *)p),
					     _mm_loadl_epi64((const __m128i *)(p + 2 * (n - 4))));
		if ((_mm_movemask_epi8(_mm_cmpgt_epi8(b, zero)) & 0x0F0F) != 0x0F0F)
			return utf16_rest(d, p, n, 0);
		uint32_t first = (uint32_t)_mm_cvtsi128_si32(b);
		uint32_t last = (uint32_t)_mm_cvtsi128_si32(_mm_srli_si128(b, 8));
		memcpy(d, &first, 4);
		memcpy(d + n - 4, &last, 4);
		return n;
	}
	for (; i + 16 <= n; i += 16) {
		__m128i b = _mm_packus_epi16(_mm_loadu_si128((const __m128i *)(p + 2 * i)),
					     _mm_loadu_si128((const __m128i *)(p + 2 * i + 16)));
		if (_mm_movemask_epi8(_mm_cmpgt_epi8(b, zero)) != 0xFFFF)
			break;
		_mm_storeu_si128((__m128i *)(d + i), b);
	}
	if (i + 8 <= n) {
		__m128i u = _mm_loadu_si128((const __m128i *)(p + 2 * i));
		__m128i b = _mm_packus_epi16(u, u);
		if (_mm_movemask_epi8(_mm_cmpgt_epi8(b, zero)) == 0xFFFF) {
			_mm_storel_epi64((__m128i *)(d + i), b);
			i += 8;
		}
	}
	if (i == n)
		return n;
	if (n - i < 8 && n >= 8) {
		/* the last eight units, overlapping those done: the end of an
		 * ASCII string without the unit-by-unit tail */
		__m128i u = _mm_loadu_si128((const __m128i *)(p + 2 * (n - 8)));
		__m128i b = _mm_packus_epi16(u, u);
		if (_mm_movemask_epi8(_mm_cmpgt_epi8(b, zero)) == 0xFFFF) {
			_mm_storel_epi64((__m128i *)(d + n - 8), b);
			return n;
		}
	}
#endif
	return utf16_rest(d, p, n, i);
}

/* ---- numbers ---- */

const char evtx_digit_pairs[201] = "00010203040506070809101112131415161718192021222324"
				   "25262728293031323334353637383940414243444546474849"
				   "50515253545556575859606162636465666768697071727374"
				   "75767778798081828384858687888990919293949596979899";

const uint64_t evtx_pow10[20] = {1ull,
				 10ull,
				 100ull,
				 1000ull,
				 10000ull,
				 100000ull,
				 1000000ull,
				 10000000ull,
				 100000000ull,
				 1000000000ull,
				 10000000000ull,
				 100000000000ull,
				 1000000000000ull,
				 10000000000000ull,
				 100000000000000ull,
				 1000000000000000ull,
				 10000000000000000ull,
				 100000000000000000ull,
				 1000000000000000000ull,
				 10000000000000000000ull};

static char *i64_text(char *d, int64_t v)
{
	if (v >= 0)
		return evtx_u64_text(d, (uint64_t)v);
	*d = '-';
	return evtx_u64_text(d + 1, (uint64_t)0 - (uint64_t)v);
}

/* The eight hex digits of u as a word whose bytes, stored little-endian,
 * are the digits in order: each nibble spread into a byte of its own, most
 * significant first, and 0-9 / a-f (or A-F) made from it by adding '0',
 * and 7 or 39 more where it is 10 or above. */
static inline uint64_t hex8(uint32_t u, bool upper)
{
	uint64_t x = u;
	x = (x | x << 16) & 0x0000FFFF0000FFFFull;
	x = (x | x << 8) & 0x00FF00FF00FF00FFull;
	x = (x | x << 4) & 0x0F0F0F0F0F0F0F0Full;
	x = __builtin_bswap64(x); /* nibble 7 (the first digit) into byte 0 */
	uint64_t ten = ((x + 0x0606060606060606ull) >> 4) & 0x0101010101010101ull;
	return x + 0x3030303030303030ull + ten * (upper ? 7 : 39);
}

/* The eight digits of hex8 at d. */
static inline void put8(char *d, uint64_t w)
{
#if __BYTE_ORDER__ == __ORDER_LITTLE_ENDIAN__
	memcpy(d, &w, 8);
#else
	for (int i = 0; i < 8; i++)
		d[i] = (char)(w >> (8 * i));
#endif
}

#ifdef __SSE2__
/* The hex digits of the 16 bytes of x, two a byte in order (high nibble
 * first): bytes 0-7 into *a, 8-15 into *b; upper or lower case. Each
 * nibble a byte of its own, then '0' added, and 7 (or 39) more where it
 * is above 9. */
static inline void hex_digits16(__m128i x, bool upper, __m128i *a, __m128i *b)
{
	const __m128i low = _mm_set1_epi8(0x0F), nine = _mm_set1_epi8(9);
	const __m128i zero = _mm_set1_epi8('0'), af = _mm_set1_epi8(upper ? 7 : 39);
	__m128i hi = _mm_and_si128(_mm_srli_epi16(x, 4), low), lo = _mm_and_si128(x, low);
	__m128i u = _mm_unpacklo_epi8(hi, lo), w = _mm_unpackhi_epi8(hi, lo);
	*a = _mm_add_epi8(_mm_add_epi8(u, zero), _mm_and_si128(_mm_cmpgt_epi8(u, nine), af));
	*b = _mm_add_epi8(_mm_add_epi8(w, zero), _mm_and_si128(_mm_cmpgt_epi8(w, nine), af));
}

/* The sixteen lower-case hex digits of v at d, most significant first. */
static inline void hex16_put(char *d, uint64_t v)
{
	__m128i a, b;
	uint64_t be = __builtin_bswap64(v);
	hex_digits16(_mm_loadl_epi64((const __m128i *)&be), false, &a, &b);
	(void)b;
	_mm_storeu_si128((__m128i *)d, a);
}
#else
static inline void hex16_put(char *d, uint64_t v)
{
	put8(d, hex8((uint32_t)(v >> 32), false));
	put8(d + 8, hex8((uint32_t)v, false));
}
#endif

/* "0x" and digits (8 or 16) zero-padded lower-case hex digits of v. */
static char *hex_text(char *d, uint64_t v, int digits)
{
	d[0] = '0';
	d[1] = 'x';
	if (digits == 16) {
		hex16_put(d + 2, v);
		return d + 18;
	}
	put8(d + 2, hex8((uint32_t)v, false));
	return d + 10;
}

char *evtx_hex_minimal_text(char *d, uint64_t v)
{
	unsigned n = v ? (unsigned)(67 - __builtin_clzll(v)) / 4 : 1;
	d[0] = '0';
	d[1] = 'x';
	/* the digits shifted to the top, written whole: the zeros after the
	 * n wanted fall in the room, and no copy of a variable length */
	if (n <= 8) {
		put8(d + 2, hex8((uint32_t)v << (4 * (8 - n)), false));
	} else {
		hex16_put(d + 2, v << (4 * (16 - n)));
	}
	return d + 2 + n;
}

/* {data1-data2-data3-data4[0..1]-data4[2..7]}, upper case: data1..3 are
 * little-endian integers, data4 bytes in order. */
static char *guid_text(char *d, const uint8_t *p)
{
#if defined(__SSE2__) && __BYTE_ORDER__ == __ORDER_LITTLE_ENDIAN__
	/* bytes 3 2 1 0, 5 4, 7 6 (data1..3 read as integers), then 8..15:
	 * the low words swapped round, then the bytes of each low word */
	__m128i x = _mm_loadu_si128((const __m128i *)p);
	__m128i y = _mm_shufflelo_epi16(x, _MM_SHUFFLE(3, 2, 0, 1));
	y = _mm_or_si128(_mm_slli_epi16(y, 8), _mm_srli_epi16(y, 8));
	x = _mm_castpd_si128(_mm_move_sd(_mm_castsi128_pd(x), _mm_castsi128_pd(y)));
	__m128i a, b;
	hex_digits16(x, true, &a, &b);
	/* the 32 digits are 8-4-4 in a and 4-12 in b: stores that overlap put
	 * each group in its place, the dashes after them */
	_mm_storeu_si128((__m128i *)(d + 3), a); /* a[12..15] at 15 */
	_mm_storel_epi64((__m128i *)(d + 1), a); /* a[0..7] at 1 */
	uint32_t g = (uint32_t)_mm_cvtsi128_si32(_mm_srli_si128(a, 8));
	memcpy(d + 10, &g, 4);                    /* a[8..11] at 10 */
	_mm_storeu_si128((__m128i *)(d + 21), b); /* b[4..15] at 25 */
	g = (uint32_t)_mm_cvtsi128_si32(b);
	memcpy(d + 20, &g, 4); /* b[0..3] at 20 */
	d[0] = '{';
	d[9] = '-';
	d[14] = '-';
	d[19] = '-';
	d[24] = '-';
	d[37] = '}';
	return d + 38;
#else
	uint64_t a = hex8(evtx_rd32(p), true);
	uint64_t b = hex8((uint32_t)evtx_rd16(p + 4) << 16 | evtx_rd16(p + 6), true);
	uint64_t c = hex8(rd32be(p + 8), true);
	uint64_t e = hex8(rd32be(p + 12), true);
	char bc[16];
	put8(bc, b);
	put8(bc + 8, c);
	d[0] = '{';
	put8(d + 1, a);
	d[9] = '-';
	memcpy(d + 10, bc, 4);
	d[14] = '-';
	memcpy(d + 15, bc + 4, 4);
	d[19] = '-';
	memcpy(d + 20, bc + 8, 4);
	d[24] = '-';
	memcpy(d + 25, bc + 12, 4);
	put8(d + 29, e);
	d[37] = '}';
	return d + 38;
#endif
}

/* ---- FILETIME ---- */

static inline void put2(char *d, unsigned v)
{
	memcpy(d, evtx_digit_pairs + 2 * v, 2);
}

/* "YYYY-MM-DDT" of days since 1970 into d (11 bytes); false outside the
 * years libevtx writes. */
static bool date_text(char *d, int64_t days)
{
	int64_t y;
	unsigned m, day;
	time_civil_from_days(days, &y, &m, &day);
	if (y < 1601 || y > 9999)
		return false;
	put2(d, (unsigned)y / 100);
	put2(d + 2, (unsigned)y % 100);
	d[4] = '-';
	put2(d + 5, m);
	d[7] = '-';
	put2(d + 8, day);
	d[10] = 'T';
	return true;
}

/* "YYYY-MM-DDTHH:MM:SS.fffffff00Z" as libevtx writes a FILETIME. */
static char *filetime_text(char *d, uint64_t ft, struct evtx_day_memo *memo)
{
	uint64_t secs = ft / 10000000u;
	unsigned frac = (unsigned)(ft % 10000000u);
	int64_t days = (int64_t)(secs / 86400) - 134774; /* 1601-01-01 to 1970-01-01 */
	unsigned sod = (unsigned)(secs % 86400);
	if (memo && memo->days == days + 1) {
		memcpy(d, memo->text, 11);
	} else {
		if (!date_text(d, days))
			return NULL;
		if (memo) {
			memcpy(memo->text, d, 11);
			memo->days = days + 1;
		}
	}
	put2(d + 11, sod / 3600);
	d[13] = ':';
	put2(d + 14, sod / 60 % 60);
	d[16] = ':';
	put2(d + 17, sod % 60);
	d[19] = '.';
	d[20] = (char)('0' + frac / 1000000);
	put2(d + 21, frac / 10000 % 100);
	put2(d + 23, frac / 100 % 100);
	put2(d + 25, frac % 100);
	memcpy(d + 27, "00Z", 3);
	return d + 30;
}

/* ---- the value types ---- */

bool evtx_value_bound_varies(uint8_t type)
{
	return type == 0x01 || type == 0x02 || type == 0x0E || type == 0x13;
}

char *evtx_value_text(char *d, uint8_t type, const uint8_t *p, uint32_t n,
		      struct evtx_day_memo *memo)
{
	switch (type) {
	case 0x00:
		return d;
	case 0x01:
		return d + evtx_utf16_to_utf8(d, p, n / 2);
	case 0x02:
		for (uint32_t i = 0; i < n && p[i]; i++)
			d += winevent_utf8_put(d, p[i]);
		return d;
	case 0x03:
		return n == 1 ? i64_text(d, (int8_t)p[0]) : NULL;
	case 0x04:
		return n == 1 ? evtx_u64_text(d, p[0]) : NULL;
	case 0x05:
		return n == 2 ? i64_text(d, (int16_t)evtx_rd16(p)) : NULL;
	case 0x06:
		return n == 2 ? evtx_u64_text(d, evtx_rd16(p)) : NULL;
	case 0x07:
		return n == 4 ? i64_text(d, (int32_t)evtx_rd32(p)) : NULL;
	case 0x08:
		return n == 4 ? evtx_u64_text(d, evtx_rd32(p)) : NULL;
	case 0x09:
		return n == 8 ? i64_text(d, (int64_t)evtx_rd64(p)) : NULL;
	case 0x0A:
		return n == 8 ? evtx_u64_text(d, evtx_rd64(p)) : NULL;
	case 0x0D:
		if (n != 4)
			return NULL;
		if (evtx_rd32(p)) {
			memcpy(d, "true", 4);
			return d + 4;
		}
		memcpy(d, "false", 5);
		return d + 5;
	case 0x0E: {
		static const char hex[] = "0123456789ABCDEF";
		for (uint32_t i = 0; i < n; i++, d += 2) {
			d[0] = hex[p[i] >> 4];
			d[1] = hex[p[i] & 15];
		}
		return d;
	}
	case 0x0F:
		return n == 16 ? guid_text(d, p) : NULL;
	case 0x10:
		if (n == 4)
			return hex_text(d, evtx_rd32(p), 8);
		return n == 8 ? hex_text(d, evtx_rd64(p), 16) : NULL;
	case 0x11:
		return n == 8 ? filetime_text(d, evtx_rd64(p), memo) : NULL;
	case 0x13: {
		if (n < 8 || n < 8 + 4u * p[1])
			return NULL;
		uint64_t auth = 0;
		for (int i = 2; i < 8; i++)
			auth = auth << 8 | p[i];
		d[0] = 'S';
		d[1] = '-';
		d = evtx_u64_text(d + 2, p[0]);
		*d++ = '-';
		d = evtx_u64_text(d, auth);
		for (unsigned i = 0; i < p[1]; i++) {
			*d++ = '-';
			d = evtx_u64_text(d, evtx_rd32(p + 8 + 4 * i));
		}
		return d;
	}
	case 0x14:
		return n == 4 ? hex_text(d, evtx_rd32(p), 8) : NULL;
	case 0x15:
		return n == 8 ? hex_text(d, evtx_rd64(p), 16) : NULL;
	}
	return NULL;
}

const char *evtx_value_why(uint8_t type, uint32_t n, bool *at_value)
{
	static const char *const size_of[0x16] = {
	    [0x03] = "Int8 size",   [0x04] = "UInt8 size",    [0x05] = "Int16 size",
	    [0x06] = "UInt16 size", [0x07] = "Int32 size",    [0x08] = "UInt32 size",
	    [0x09] = "Int64 size",  [0x0A] = "UInt64 size",   [0x0D] = "Bool size",
	    [0x0F] = "GUID size",   [0x10] = "SizeT size",    [0x11] = "FILETIME size",
	    [0x13] = "SID size",    [0x14] = "HexInt32 size", [0x15] = "HexInt64 size",
	};
	*at_value = true;
	if (type == 0x11 && n == 8) {
		*at_value = false;
		return "FILETIME out of range";
	}
	return type < 0x16 ? size_of[type] : NULL;
}
