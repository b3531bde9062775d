/* json.c — JSON text output, see json.h. */
#include "core/json.h"

#include <math.h>
#include <string.h>
#include <stdio.h>
#ifdef __SSE2__
#include <emmintrin.h>
#endif

#include "core/limits.h"

/* Length of a valid UTF-8 sequence at p (1..4), or 0 when invalid. */
static size_t utf8_len(const unsigned char *p, size_t n)
{
	unsigned char c = p[0];
	if (c < 0x80)
		return 1;
	size_t len;
	uint32_t cp;
	if ((c & 0xe0) == 0xc0) {
		len = 2;
		cp = c & 0x1f;
	} else if ((c & 0xf0) == 0xe0) {
		len = 3;
		cp = c & 0x0f;
	} else if ((c & 0xf8) == 0xf0) {
		len = 4;
		cp = c & 0x07;
	} else {
		return 0;
	}
	if (n < len)
		return 0;
	for (size_t i = 1; i < len; i++) {
		if ((p[i] & 0xc0) != 0x80)
			return 0;
		cp = cp << 6 | (p[i] & 0x3f);
	}
	if ((len == 2 && cp < 0x80) || (len == 3 && cp < 0x800) || (len == 4 && cp < 0x10000) ||
	    cp > 0x10ffff || (cp >= 0xd800 && cp <= 0xdfff))
		return 0;
	return len;
}

static const char hex[] = "0123456789abcdef";

/* The escaped bytes of p[*at..] up to end (a UTF-8 sequence may run up to
 * three bytes past it) at o, which has room for six bytes an input byte;
 * the new end of o. */
static char *escape_run(char *o, const unsigned char *p, size_t len, size_t *at, size_t end)
{
	size_t i = *at;
	while (i < end) {
#ifdef __SSE2__
		/* sixteen bytes at a time while none needs escaping or is UTF-8 */
		while (i + 16 <= end) {
			__m128i x = _mm_loadu_si128((const __m128i *)(p + i));
			__m128i bad =
			    _mm_or_si128(_mm_or_si128(_mm_cmpeq_epi8(x, _mm_set1_epi8('"')),
						      _mm_cmpeq_epi8(x, _mm_set1_epi8('\\'))),
					 /* < 0x20 or >= 0x80: signed compare below 0x20 */
					 _mm_cmplt_epi8(x, _mm_set1_epi8(0x20)));
			_mm_storeu_si128((__m128i *)o, x); /* room for 16: see json_str */
			unsigned m = (unsigned)_mm_movemask_epi8(bad);
			if (m) { /* up to the first such byte */
				o += __builtin_ctz(m);
				i += (size_t)__builtin_ctz(m);
				break;
			}
			o += 16;
			i += 16;
		}
		if (i >= end)
			break;
#endif
		unsigned char c = p[i];
		if (c >= 0x20 && c != '"' && c != '\\' && c < 0x80) {
			*o++ = (char)c;
			i++;
			continue;
		}
		if (c >= 0x80) {
			size_t l = utf8_len(p + i, len - i);
			if (l) {
				memcpy(o, p + i, l);
				o += l;
				i += l;
			} else {
				memcpy(o, "\\ufffd", 6);
				o += 6;
				i++;
			}
			continue;
		}
		*o++ = '\\';
		switch (c) {
		case '"':
		case '\\':
			*o++ = (char)c;
			break;
		case '\n':
			*o++ = 'n';
			break;
		case '\r':
			*o++ = 'r';
			break;
		case '\t':
			*o++ = 't';
			break;
		default:
			memcpy(o, "u00", 3);
			o[3] = hex[c >> 4];
			o[4] = hex[c & 15];
			o += 5;
		}
		i++;
	}
	*at = i;
	return o;
}

/* Piece by piece, each appended as it comes: for a buffer near its
 * maximum, where room for the worst case may not be had. */
static int str_near_max(struct buf *b, const unsigned char *p, size_t len, size_t i, bool open)
{
	if (open)
		buf_putc(b, '"');
	char tmp[6 * 16 + 8];
	while (i < len && !b->err) {
		size_t end = len - i > 16 ? i + 16 : len;
		char *o = escape_run(tmp, p, len, &i, end);
		buf_append(b, tmp, (size_t)(o - tmp));
	}
	return buf_putc(b, '"');
}

/* Blocks of this many input bytes are escaped into room reserved for their
 * worst case, without an append call for each piece. */
#define STR_BLOCK 4096

int json_str(struct buf *b, struct slice s)
{
	const unsigned char *p = (const unsigned char *)s.ptr;
	size_t max = b->max ? b->max : AS_MAX_BUF, i = 0;
	bool open = true;
	if (buf_reserve(b, s.len + 2)) /* not even unescaped: nothing is written */
		return b->err;
	if (s.len <= 64 && b->len + 6 * 64 + 40 < b->cap) {
		/* a short string into room already there (keys, names, times):
		 * one pass, no reservation */
		char *o = b->data + b->len;
		*o++ = '"';
		o = escape_run(o, p, s.len, &i, s.len);
		*o++ = '"';
		b->len = (size_t)(o - b->data);
		b->data[b->len] = 0;
		return 0;
	}
	do {
		if (b->err)
			return b->err;
		size_t end = s.len - i > STR_BLOCK ? i + STR_BLOCK : s.len;
		/* six bytes an input byte (three more for a UTF-8 sequence past
		 * end), the quotes, and sixteen for the last vector store */
		size_t worst = 6 * (end - i + 3) + 2 + 16;
		if (b->len > max || worst > max - b->len)
			return str_near_max(b, p, s.len, i, open);
		if (buf_reserve(b, worst))
			return b->err;
		char *o = b->data + b->len;
		if (open)
			*o++ = '"';
		open = false;
		o = escape_run(o, p, s.len, &i, end);
		if (i >= s.len)
			*o++ = '"';
		b->len = (size_t)(o - b->data);
		b->data[b->len] = 0;
	} while (i < s.len);
	return 0;
}

void jw_init(struct jw *w, struct buf *b)
{
	w->b = b;
	w->depth = 0;
	w->first = 1;
}

static void sep(struct jw *w)
{
	uint64_t bit = 1ull << (w->depth & 63);
	if (w->first & bit)
		w->first &= ~bit;
	else
		buf_putc(w->b, ',');
}

static void open(struct jw *w, char c)
{
	sep(w);
	buf_putc(w->b, c);
	w->depth++;
	w->first |= 1ull << (w->depth & 63);
}

static void close_(struct jw *w, char c)
{
	w->depth--;
	buf_putc(w->b, c);
}

void jw_obj(struct jw *w)
{
	open(w, '{');
}
void jw_obj_end(struct jw *w)
{
	close_(w, '}');
}
void jw_arr(struct jw *w)
{
	open(w, '[');
}
void jw_arr_end(struct jw *w)
{
	close_(w, ']');
}

void jw_key(struct jw *w, const char *key)
{
	jw_key_slice(w, slice_cstr(key));
}

void jw_key_slice(struct jw *w, struct slice key)
{
	sep(w);
	json_str(w->b, key);
	buf_putc(w->b, ':');
	/* The value that follows must not add a comma. */
	w->first |= 1ull << (w->depth & 63);
}

void jw_str(struct jw *w, struct slice s)
{
	sep(w);
	json_str(w->b, s);
}

void jw_cstr(struct jw *w, const char *s)
{
	sep(w);
	json_cstr(w->b, s);
}

void jw_int(struct jw *w, int64_t v)
{
	sep(w);
	/* by hand, from the last digit: buf_printf measures, then prints */
	char t[24], *e = t + sizeof t, *p = e;
	uint64_t u = v < 0 ? 0 - (uint64_t)v : (uint64_t)v;
	do
		*--p = (char)('0' + u % 10);
	while (u /= 10);
	if (v < 0)
		*--p = '-';
	buf_append(w->b, p, (size_t)(e - p));
}

void jw_double(struct jw *w, double v)
{
	sep(w);
	if (isfinite(v))
		buf_printf(w->b, "%.6g", v);
	else
		buf_puts(w->b, "null");
}

void jw_bool(struct jw *w, bool v)
{
	sep(w);
	buf_puts(w->b, v ? "true" : "false");
}

void jw_null(struct jw *w)
{
	sep(w);
	buf_puts(w->b, "null");
}

void jw_raw(struct jw *w, struct slice json)
{
	sep(w);
	buf_append_slice(w->b, json);
}
