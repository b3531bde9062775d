/*
 * buf.h — a growable byte buffer with a maximum size.
 *
 * Used for output (JSON lines, reports) and for records that must be
 * assembled (a line split across two reads). Growth stops at max; the
 * first failed append sets b->err and every later append is a no-op, so a
 * caller can append freely and check once.
 */
#ifndef AS_CORE_BUF_H
#define AS_CORE_BUF_H

#include <stdarg.h>
#include <stddef.h>

#include "core/slice.h"

struct buf {
	char *data; /* NUL-terminated when len < cap */
	size_t len;
	size_t cap;
	size_t max; /* 0 = AS_MAX_BUF */
	int err;    /* first error (AS_ENOMEM / AS_ETOOBIG), sticky */
};

#define BUF_INIT                                                                                   \
	{                                                                                          \
		0                                                                                  \
	}

int buf_reserve(struct buf *b, size_t extra);
int buf_append(struct buf *b, const void *p, size_t n);
int buf_append_slice(struct buf *b, struct slice s);
int buf_puts(struct buf *b, const char *s);
int buf_putc_slow(struct buf *b, char c);
/* One byte; inline while the buffer has room (JSON writing puts a comma,
 * colon or brace between every two values). */
static inline int buf_putc(struct buf *b, char c)
{
	if (!b->err && b->len + 1 < b->cap) {
		b->data[b->len++] = c;
		b->data[b->len] = 0;
		return 0;
	}
	return buf_putc_slow(b, c);
}
int buf_printf(struct buf *b, const char *fmt, ...) __attribute__((format(printf, 2, 3)));
int buf_vprintf(struct buf *b, const char *fmt, va_list ap) __attribute__((format(printf, 2, 0)));
static inline struct slice buf_slice(const struct buf *b)
{
	return slice_make(b->data, b->len);
}
/* Empty the buffer and clear the error; keeps the memory. */
void buf_reset(struct buf *b);
/* Release the memory. Accepts NULL. */
void buf_free(struct buf *b);

#endif
