/*
 * fuzz_weberror.c — the weberror reader's probe() and line() on arbitrary bytes.
 *
 * The input is split on newlines as the driver splits a file (one CR
 * stripped); each line, copied to a buffer of exactly its size so that a
 * read past its end is caught, goes to format_weberror.line() with one per-file
 * state for the whole input (headers and data lines interact), once with
 * native fields on and once off. A rejected line must carry its code in
 * the diag.
 */
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include "core/arena.h"
#include "core/error.h"
#include "read/format.h"

extern const struct format format_weberror;

static void one_line(void *st, const uint8_t *p, size_t n, struct arena *a)
{
	if (n && p[n - 1] == '\r')
		n--;
	if (!n)
		return;
	char *copy = malloc(n);
	if (!copy)
		return;
	memcpy(copy, p, n);
	struct event ev;
	event_clear(&ev);
	struct diag why = {0};
	int rc = format_weberror.line(st, slice_make(copy, n), &ev, a, &why);
	if (rc != LINE_EVENT && rc != LINE_SKIP && rc >= 0)
		abort();
	if (rc < 0 && why.code != rc)
		abort();
	free(copy);
	arena_reset(a);
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	struct arena a;
	arena_init(&a, 0);
	char *head = malloc(size ? size : 1);
	if (!head)
		return 0;
	memcpy(head, data, size);
	int score = format_weberror.probe(slice_make(head, size));
	if (score < 0 || score > 100)
		abort();
	free(head);
	for (int fields = 1; fields >= 0; fields--) {
		void *st = calloc(1, format_weberror.state_size);
		struct read_opts ro = {.fields = fields};
		if (!st || (format_weberror.init && format_weberror.init(st, &ro)))
			abort();
		const uint8_t *p = data, *end = data + size;
		while (p < end) {
			const uint8_t *nl = memchr(p, '\n', (size_t)(end - p));
			size_t n = nl ? (size_t)(nl - p) : (size_t)(end - p);
			one_line(st, p, n, &a);
			p += n + (nl != NULL);
		}
		if (format_weberror.fini)
			format_weberror.fini(st);
		free(st);
	}
	arena_free(&a);
	return 0;
}
