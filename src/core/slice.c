/* slice.c — comparisons and numeric conversions on borrowed byte runs. */
#include "core/slice.h"

#include <errno.h>
#include <stdlib.h>
#ifdef __SSE2__
#include <emmintrin.h>
#endif

#include "core/error.h"

static inline unsigned char lower(unsigned char c)
{
	return (c >= 'A' && c <= 'Z') ? (unsigned char)(c + 32) : c;
}

bool slice_eq_nocase(struct slice a, struct slice b)
{
	if (a.len != b.len)
		return false;
	for (size_t i = 0; i < a.len; i++)
		if (lower((unsigned char)a.ptr[i]) != lower((unsigned char)b.ptr[i]))
			return false;
	return true;
}

bool slice_eq_nocase_cstr(struct slice a, const char *s)
{
	return slice_eq_nocase(a, slice_cstr(s));
}

bool slice_ends_nocase(struct slice a, const char *suffix)
{
	size_t n = strlen(suffix);
	if (a.len < n)
		return false;
	return slice_eq_nocase(slice_make(a.ptr + a.len - n, n), slice_make(suffix, n));
}

bool slice_contains_nocase(struct slice hay, struct slice needle)
{
	if (needle.len == 0)
		return true;
	if (needle.len > hay.len)
		return false;
	unsigned char first = lower((unsigned char)needle.ptr[0]);
	for (size_t i = 0; i + needle.len <= hay.len; i++) {
		if (lower((unsigned char)hay.ptr[i]) != first)
			continue;
		if (slice_eq_nocase(slice_make(hay.ptr + i, needle.len), needle))
			return true;
	}
	return false;
}

long slice_index(struct slice s, char c)
{
	const char *p = s.len ? memchr(s.ptr, c, s.len) : NULL;
	return p ? (long)(p - s.ptr) : -1;
}

struct slice slice_cut(struct slice s, char c, struct slice *head)
{
	long i = slice_index(s, c);
	if (i < 0) {
		*head = s;
		return SLICE_NULL;
	}
	*head = slice_make(s.ptr, (size_t)i);
	return slice_make(s.ptr + i + 1, s.len - (size_t)i - 1);
}

int slice_to_u64(struct slice s, uint64_t *out)
{
	if (s.len == 0 || s.len > 20)
		return AS_EPARSE;
	/* 19 digits cannot overflow; only a 20th needs the check. */
	size_t n = s.len < 19 ? s.len : 19;
	uint64_t v = 0;
	for (size_t i = 0; i < n; i++) {
		unsigned d = (unsigned)(unsigned char)s.ptr[i] - '0';
		if (d > 9)
			return AS_EPARSE;
		v = v * 10 + d;
	}
	if (s.len == 20) {
		unsigned d = (unsigned)(unsigned char)s.ptr[19] - '0';
		if (d > 9 || v > (UINT64_MAX - d) / 10)
			return AS_EPARSE;
		v = v * 10 + d;
	}
	*out = v;
	return 0;
}

int slice_to_i64(struct slice s, int64_t *out)
{
	bool neg = s.len && s.ptr[0] == '-';
	uint64_t v;
	if (slice_to_u64(neg ? slice_sub(s, 1, s.len) : s, &v))
		return AS_EPARSE;
	if (v > (uint64_t)INT64_MAX + neg)
		return AS_EPARSE;
	*out = neg ? (int64_t)(0 - v) : (int64_t)v;
	return 0;
}

int slice_to_double(struct slice s, double *out)
{
	char tmp[64];
	if (s.len == 0 || s.len >= sizeof tmp)
		return AS_EPARSE;
	memcpy(tmp, s.ptr, s.len);
	tmp[s.len] = 0;
	char *end;
	errno = 0;
	double v = strtod(tmp, &end);
	if (*end || errno)
		return AS_EPARSE;
	*out = v;
	return 0;
}

bool slice_copy_cstr(struct slice s, char *dst, size_t cap)
{
	if (cap == 0)
		return false;
	size_t n = s.len < cap - 1 ? s.len : cap - 1;
	if (n)
		memcpy(dst, s.ptr, n);
	dst[n] = 0;
	return n == s.len;
}

bool slice_is_ascii(struct slice s)
{
	for (size_t i = 0; i < s.len; i++)
		if ((unsigned char)s.ptr[i] >= 0x80)
			return false;
	return true;
}

void ascii_lower(char *dst, const char *src, size_t n)
{
	size_t i = 0;
#ifdef __SSE2__
	/* sixteen at a time: 'A'..'Z' gets 0x20 added (a signed compare,
	 * so bytes of 0x80 and up are left alone) */
	const __m128i below = _mm_set1_epi8('A' - 1), above = _mm_set1_epi8('Z' + 1),
		      bit = _mm_set1_epi8(0x20);
	for (; i + 16 <= n; i += 16) {
		__m128i x = _mm_loadu_si128((const __m128i *)(src + i));
		__m128i up = _mm_and_si128(_mm_cmpgt_epi8(x, below), _mm_cmplt_epi8(x, above));
		_mm_storeu_si128((__m128i *)(dst + i), _mm_or_si128(x, _mm_and_si128(up, bit)));
	}
#endif
	for (; i < n; i++)
		dst[i] = (char)lower((unsigned char)src[i]);
}

long slice_lower(struct slice s, char *dst, size_t cap)
{
	if (s.len >= cap)
		return -1;
	ascii_lower(dst, s.ptr, s.len);
	dst[s.len] = 0;
	return (long)s.len;
}
