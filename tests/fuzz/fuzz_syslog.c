/*
 * fuzz_syslog.c — the syslog reader's line() on arbitrary bytes.
 *
 * The input is split on newlines like the driver does (CR stripped) and each
 * line, copied to a buffer of exactly its size, goes to format_syslog.line()
 * with native fields and a default year, then without either (the year
 * then inferred from a fixed mtime), each time with a fresh event and an
 * arena reset per line.
 */
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include "core/arena.h"
#include "core/error.h"
#include "read/format.h"

extern const struct format format_syslog;

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
	struct diag why;
	int rc = format_syslog.line(st, slice_make(copy, n), &ev, a, &why);
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
		char st[256] = {0};
		/* without a default year, the year comes from a fixed mtime */
		struct read_opts ro = {.fields = fields,
				       .default_year = fields ? 2024 : 0,
				       .file_mtime_us = 1709294400000000};
		if (format_syslog.state_size > sizeof st)
			abort();
		if (format_syslog.init && format_syslog.init(st, &ro))
			abort();
		const uint8_t *p = data, *end = data + size;
		while (p < end) {
			const uint8_t *nl = memchr(p, '\n', (size_t)(end - p));
			size_t n = nl ? (size_t)(nl - p) : (size_t)(end - p);
			one_line(st, p, n, &a);
			p += n + (nl != NULL);
		}
		format_syslog.probe(slice_make((const char *)data, size));
		if (format_syslog.fini)
			format_syslog.fini(st);
	}
	arena_free(&a);
	return 0;
}
