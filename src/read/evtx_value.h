/*
 * evtx_value.h — EVTX substitution values as text, in the form libevtx
 * gives them.
 *
 * A BinXML value is typed: UTF-16 and ANSI strings, signed and unsigned
 * integers, Bool, binary, GUID, SizeT, FILETIME, SID, HexInt32/64. libevtx
 * writes each type one way (decimal integers, "true"/"false", upper-case
 * hex bytes, "{XXXXXXXX-…}" GUIDs, zero-padded lower-case "0x…" hex,
 * "YYYY-MM-DDTHH:MM:SS.fffffff00Z", "S-1-5-…"), and the native reader must
 * give every value the same text. These writers work on the value's bytes
 * alone: the caller reserves evtx_value_bound() bytes and gets back the end
 * of the text, or NULL when the value cannot be written (a size that does
 * not fit its type, a time out of range, a type not known), and
 * evtx_value_why() then says why. They never allocate.
 */
#ifndef AS_READ_EVTX_VALUE_H
#define AS_READ_EVTX_VALUE_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

/* Little-endian reads of an EVTX file's integers (callers check bounds). */
static inline uint16_t evtx_rd16(const uint8_t *p)
{
	return (uint16_t)(p[0] | p[1] << 8);
}

static inline uint32_t evtx_rd32(const uint8_t *p)
{
	return (uint32_t)p[0] | (uint32_t)p[1] << 8 | (uint32_t)p[2] << 16 | (uint32_t)p[3] << 24;
}

static inline uint64_t evtx_rd64(const uint8_t *p)
{
	return (uint64_t)evtx_rd32(p) | (uint64_t)evtx_rd32(p + 4) << 32;
}

/* The date of the last FILETIME written (records of a log come in time
 * order, so most share their day with the one before): zero it to start. */
struct evtx_day_memo {
	int64_t days;  /* since 1970-01-01, plus one; 0 when empty */
	char text[11]; /* "YYYY-MM-DDT" */
};

/* n UTF-16LE units at p as UTF-8 into d (room for 3 bytes a unit), up to
 * the first NUL as libevtx does; the length written. An unpaired surrogate
 * becomes U+FFFD. */
size_t evtx_utf16_to_utf8(char *d, const uint8_t *p, size_t n);

extern const char evtx_digit_pairs[201]; /* "00" "01" … "99" */
extern const uint64_t evtx_pow10[20];    /* 10^k */

/* The decimal digits of v at d (room for 20); their end. Inline: most
 * values are small integers. */
static inline char *evtx_u64_text(char *d, uint64_t v)
{
	if (v < 10) {
		*d = (char)('0' + v);
		return d + 1;
	}
	if (v < 100) {
		__builtin_memcpy(d, evtx_digit_pairs + 2 * v, 2);
		return d + 2;
	}
	/* digits from the bit length: log10(2) ~ 1233 / 4096, one too many at
	 * most, which the power of ten corrects */
	unsigned t = (unsigned)(64 - __builtin_clzll(v)) * 1233 >> 12;
	unsigned n = t + 1 - (v < evtx_pow10[t]);
	char *e = d + n, *q = e;
	while (v >= 100) {
		q -= 2;
		__builtin_memcpy(q, evtx_digit_pairs + 2 * (v % 100), 2);
		v /= 100;
	}
	if (v >= 10)
		__builtin_memcpy(q - 2, evtx_digit_pairs + 2 * v, 2);
	else
		q[-1] = (char)('0' + v);
	return e;
}

/* Bytes the text of a value of this type and size may take. */
static inline size_t evtx_value_bound(uint8_t type, uint32_t size)
{
	switch (type) {
	case 0x00:
		return 0;
	case 0x01:
		return 3 * (size_t)(size / 2);
	case 0x02:
	case 0x0E:
		return 2 * (size_t)size;
	case 0x13:
		return 24 + 11 * (size_t)(size / 4);
	}
	return 40;
}

/* Whether evtx_value_bound depends on the size, not the type alone. */
bool evtx_value_bound_varies(uint8_t type);

/* The text of the value of this type whose size bytes are at p, written at
 * d (room for evtx_value_bound bytes); its end, or NULL (see
 * evtx_value_why). Type 0 (NULL) writes nothing. memo may be NULL. */
char *evtx_value_text(char *d, uint8_t type, const uint8_t *p, uint32_t size,
		      struct evtx_day_memo *memo);

/* "0x" and the fewest lower-case hex digits of v at d (room for 18, all
 * of which it may write): the text of a hex value once winevent.c has
 * shortened libevtx's padding. */
char *evtx_hex_minimal_text(char *d, uint64_t v);

/* Why evtx_value_text returned NULL for this value: a short phrase ("UInt32
 * size", "FILETIME out of range"), or NULL when the type is not one of those
 * written here. *at_value says whether the phrase is about the value's place
 * in the chunk (its size) rather than its content. */
const char *evtx_value_why(uint8_t type, uint32_t size, bool *at_value);

#endif
