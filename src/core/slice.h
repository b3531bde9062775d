/*
 * slice.h — a borrowed run of bytes: {ptr, len}, not NUL-terminated.
 *
 * Parsers hand out slices into the caller's buffer instead of copying;
 * a slice lives as long as the buffer it points into (usually one batch).
 */
#ifndef AS_CORE_SLICE_H
#define AS_CORE_SLICE_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>
#include <string.h>

struct slice {
	const char *ptr;
	size_t len;
};

#define SLICE_LIT(s) ((struct slice){(s), sizeof(s) - 1})
#define SLICE_NULL   ((struct slice){NULL, 0})
#define SLICE_FMT    "%.*s"
#define SLICE_ARG(s) (int)(s).len, (s).ptr

static inline struct slice slice_make(const char *p, size_t n)
{
	return (struct slice){p, n};
}

static inline struct slice slice_cstr(const char *s)
{
	return (struct slice){s, s ? strlen(s) : 0};
}

static inline bool slice_empty(struct slice s)
{
	return s.len == 0;
}

static inline bool slice_eq(struct slice a, struct slice b)
{
	return a.len == b.len && (a.len == 0 || memcmp(a.ptr, b.ptr, a.len) == 0);
}

static inline bool slice_eq_cstr(struct slice a, const char *s)
{
	size_t n = strlen(s);
	return a.len == n && memcmp(a.ptr, s, n) == 0;
}

static inline bool slice_starts(struct slice a, const char *prefix)
{
	size_t n = strlen(prefix);
	return a.len >= n && memcmp(a.ptr, prefix, n) == 0;
}

static inline struct slice slice_sub(struct slice s, size_t from, size_t len)
{
	if (!s.ptr)
		return s; /* no offset on a null pointer, even a zero one */
	if (from > s.len)
		from = s.len;
	if (len > s.len - from)
		len = s.len - from;
	return (struct slice){s.ptr + from, len};
}

/* ASCII case-insensitive comparisons. */
bool slice_eq_nocase(struct slice a, struct slice b);
bool slice_eq_nocase_cstr(struct slice a, const char *s);
bool slice_ends_nocase(struct slice a, const char *suffix);
bool slice_contains_nocase(struct slice hay, struct slice needle);

/* Strip ASCII spaces, tabs, CR and LF at both ends. Inline: the Windows
 * readers trim every value of every record. The test is one compare for
 * every byte above ' ', which nearly every value starts and ends with. */
static inline bool slice_is_space(char c)
{
	unsigned u = (unsigned char)c;
	return u <= ' ' && (0x100002600ull >> u & 1);
}

static inline struct slice slice_trim(struct slice s)
{
	while (s.len && slice_is_space(s.ptr[0])) {
		s.ptr++;
		s.len--;
	}
	while (s.len && slice_is_space(s.ptr[s.len - 1]))
		s.len--;
	return s;
}

/* Index of the first c in s, or -1. */
long slice_index(struct slice s, char c);

/* Split at the first c: *head gets what precedes it, the return value what
 * follows (SLICE_NULL with ptr==NULL when c is absent; then *head == s). */
struct slice slice_cut(struct slice s, char c, struct slice *head);

/* Parse a whole slice as a decimal unsigned / signed integer. 0 or AS_EPARSE. */
int slice_to_u64(struct slice s, uint64_t *out);
int slice_to_i64(struct slice s, int64_t *out);
int slice_to_double(struct slice s, double *out);

/* Copy s into dst (size cap, always NUL-terminated); returns false when it
 * did not fit. */
bool slice_copy_cstr(struct slice s, char *dst, size_t cap);

/* ASCII lower-case copy of s into dst[cap]; returns the length or -1 when
 * it does not fit. */
long slice_lower(struct slice s, char *dst, size_t cap);
/* No byte of s is 0x80 or above. */
bool slice_is_ascii(struct slice s);
/* dst[0..n) = src[0..n) with A-Z made a-z (dst == src is allowed). */
void ascii_lower(char *dst, const char *src, size_t n);

#endif
