/*
 * fuzz_reader.h — the harness the line-reader fuzz targets share.
 *
 * fuzz_reader_run() gives a format's probe() the whole input, then reads the
 * input twice, as one file each time: with native fields on and then off
 * (or with the two read_opts a target passes). Each pass has fresh zeroed
 * state of exactly state_size bytes, run through init() and fini(), that
 * carries over between lines (headers, columns) as in a file. The input is
 * split on '\n' as the driver splits a file (one CR stripped); each line is
 * copied to a buffer of exactly its size, so that a read past its end trips
 * ASan, and goes to line() with a cleared event, a cleared diag and an
 * arena reset after it. line() must return LINE_EVENT, LINE_SKIP or a
 * negative code that it also wrote into the diag; the FUZZ_READER_* flags
 * add what some targets check on top. Header-only: every target is linked
 * with replay.c alone.
 */
#ifndef AS_TESTS_FUZZ_READER_H
#define AS_TESTS_FUZZ_READER_H

#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include "core/arena.h"
#include "core/buf.h"
#include "core/error.h"
#include "read/format.h"

enum {
	FUZZ_READER_SKIP_EMPTY = 1 << 0, /* drop empty lines before line(), as the driver does */
	FUZZ_READER_NEED_MSG = 1 << 1,   /* a rejection must also carry a message */
	FUZZ_READER_TO_JSON = 1 << 2,    /* render each event, so every slice it holds is read */
	FUZZ_READER_SCORE = 1 << 3,      /* probe()'s score must be within 0..100 */
};

static void fuzz_reader_line(const struct format *fmt, unsigned flags, void *st, const uint8_t *p,
			     size_t n, struct arena *a, struct buf *out)
{
	if (n && p[n - 1] == '\r')
		n--;
	if (n == 0 && (flags & FUZZ_READER_SKIP_EMPTY))
		return;
	char *copy = malloc(n ? n : 1);
	if (!copy)
		return;
	memcpy(copy, p, n);
	struct event ev;
	event_clear(&ev);
	struct diag why = {0};
	int rc = fmt->line(st, slice_make(copy, n), &ev, a, &why);
	if (rc != LINE_EVENT && rc != LINE_SKIP && rc >= 0)
		abort();
	if (rc < 0 && why.code != rc)
		abort();
	if (rc < 0 && (flags & FUZZ_READER_NEED_MSG) && !why.msg[0])
		abort();
	if (rc == LINE_EVENT && (flags & FUZZ_READER_TO_JSON)) {
		buf_reset(out);
		event_to_json(&ev, out);
	}
	free(copy);
	arena_reset(a);
}

/* Runs fmt over data as described above. passes: the read_opts of the two
 * passes, or NULL for {.fields = 1} then {.fields = 0}. Aborts on a broken
 * contract; returns 0 for LLVMFuzzerTestOneInput. */
static int fuzz_reader_run(const struct format *fmt, unsigned flags,
			   const struct read_opts passes[2], const uint8_t *data, size_t size)
{
	static const struct read_opts fields_on_off[2] = {{.fields = true}, {.fields = false}};
	if (!passes)
		passes = fields_on_off;
	int score = fmt->probe(slice_make((const char *)data, size));
	if ((flags & FUZZ_READER_SCORE) && (score < 0 || score > 100))
		abort();
	struct arena a;
	arena_init(&a, 0);
	struct buf out = BUF_INIT;
	for (int pass = 0; pass < 2; pass++) {
		void *st = calloc(1, fmt->state_size ? fmt->state_size : 1);
		if (!st || (fmt->init && fmt->init(st, &passes[pass])))
			abort();
		const uint8_t *p = data, *end = data + size;
		while (p < end) {
			const uint8_t *nl = memchr(p, '\n', (size_t)(end - p));
			size_t n = nl ? (size_t)(nl - p) : (size_t)(end - p);
			fuzz_reader_line(fmt, flags, st, p, n, &a, &out);
			p += n + (nl != NULL);
		}
		if (fmt->fini)
			fmt->fini(st);
		free(st);
	}
	buf_free(&out);
	arena_free(&a);
	return 0;
}

#endif
