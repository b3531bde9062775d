/*
 * fuzz_zeek.c — the zeek reader's line() on arbitrary bytes.
 *
 * The input is split on newlines as the driver splits it (CR stripped,
 * empty lines skipped) and each line, copied to a buffer of exactly its
 * size so that reading past it trips ASan, goes to format_zeek.line() with
 * native fields on and then off. State carries over between lines (headers,
 * columns), as in a file. Every event is rendered with event_to_json() so
 * that each slice it holds is read; every rejection must carry its code.
 */
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include "core/arena.h"
#include "core/buf.h"
#include "core/error.h"
#include "read/format.h"

extern const struct format format_zeek;

static void one_line(void *st, const uint8_t *p, size_t n, struct arena *a, struct buf *out)
{
	if (n && p[n - 1] == '\r')
		n--;
	if (n == 0)
		return;
	char *copy = malloc(n);
	if (!copy)
		return;
	memcpy(copy, p, n);
	struct event ev;
	event_clear(&ev);
	struct diag why = {0};
	int rc = format_zeek.line(st, slice_make(copy, n), &ev, a, &why);
	if (rc != LINE_EVENT && rc != LINE_SKIP && rc >= 0)
		abort();
	if (rc < 0 && (why.code != rc || !why.msg[0]))
		abort();
	if (rc == LINE_EVENT) {
		buf_reset(out);
		event_to_json(&ev, out);
	}
	free(copy);
	arena_reset(a);
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	struct arena a;
	arena_init(&a, 0);
	struct buf out = BUF_INIT;
	void *st = malloc(format_zeek.state_size);
	if (!st)
		return 0;
	for (int fields = 1; fields >= 0; fields--) {
		memset(st, 0, format_zeek.state_size);
		struct read_opts ro = {.fields = fields};
		if (format_zeek.init && format_zeek.init(st, &ro))
			abort();
		const uint8_t *p = data, *end = data + size;
		while (p < end) {
			const uint8_t *nl = memchr(p, '\n', (size_t)(end - p));
			size_t n = nl ? (size_t)(nl - p) : (size_t)(end - p);
			one_line(st, p, n, &a, &out);
			p += n + (nl != NULL);
		}
		if (format_zeek.fini)
			format_zeek.fini(st);
	}
	int score = format_zeek.probe(slice_make((const char *)data, size));
	if (score < 0 || score > 100)
		abort();
	free(st);
	buf_free(&out);
	arena_free(&a);
	return 0;
}
