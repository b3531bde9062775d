/*
 * fuzz_winjson.c — the Windows JSON / Sysmon for Linux reader's line() on
 * arbitrary bytes.
 *
 * The input is split on newlines like the driver does (CR stripped); each
 * line, copied to a buffer of exactly its size so that a read past its end
 * is caught, goes to format_winjson.line() with native fields on and then
 * off. Lines that do not start with '{' reach the event XML parser.
 */
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include "core/arena.h"
#include "core/error.h"
#include "read/format.h"

extern const struct format format_winjson;

static void one_line(void *st, const uint8_t *p, size_t n, struct arena *a)
{
	if (n && p[n - 1] == '\r')
		n--;
	char *copy = malloc(n ? n : 1);
	if (!copy)
		return;
	memcpy(copy, p, n);
	struct event ev;
	event_clear(&ev);
	struct diag why = {0};
	int rc = format_winjson.line(st, slice_make(copy, n), &ev, a, &why);
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
	for (int fields = 1; fields >= 0; fields--) {
		char st[64] = {0};
		struct read_opts ro = {.fields = fields};
		if (format_winjson.state_size > sizeof st)
			abort();
		if (format_winjson.init && format_winjson.init(st, &ro))
			abort();
		const uint8_t *p = data, *end = data + size;
		while (p < end) {
			const uint8_t *nl = memchr(p, '\n', (size_t)(end - p));
			size_t n = nl ? (size_t)(nl - p) : (size_t)(end - p);
			one_line(st, p, n, &a);
			p += n + (nl != NULL);
		}
	}
	format_winjson.probe(slice_make((const char *)data, size));
	arena_free(&a);
	return 0;
}
