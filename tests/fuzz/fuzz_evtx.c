/*
 * fuzz_evtx.c — the EVTX reader on arbitrary bytes.
 *
 * libevtx opens files by name, so the input goes into an anonymous memory
 * file (memfd) opened as /proc/self/fd/N; then every record and recovered
 * record is read with native fields on, as the driver would, with an arena
 * reset per record. Every result must be an event, the end, or a refusal
 * with its reason set.
 */
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/mman.h>
#include <unistd.h>

#include "core/arena.h"
#include "core/error.h"
#include "read/format.h"

extern const struct format format_evtx;

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	format_evtx.probe(slice_make((const char *)data, size));
	int fd = memfd_create("fuzz_evtx", 0);
	if (fd < 0)
		return 0;
	size_t off = 0;
	while (off < size) {
		ssize_t w = write(fd, data + off, size - off);
		if (w <= 0)
			break;
		off += (size_t)w;
	}
	char path[64];
	snprintf(path, sizeof path, "/proc/self/fd/%d", fd);
	struct read_opts ro = {.fields = true};
	struct diag why = {0};
	void *st = NULL;
	int rc = format_evtx.open(&st, path, &ro, &why);
	if (rc < 0 && why.code != rc)
		abort();
	if (rc == 0) {
		struct arena a;
		arena_init(&a, 0);
		for (int i = 0; i < 100000; i++) {
			struct event ev;
			event_clear(&ev);
			why.code = 0;
			rc = format_evtx.next(st, &ev, &a, &why);
			if (rc == 0)
				break;
			if (rc < 0 && why.code != rc)
				abort();
			if (rc > 1)
				abort();
			arena_reset(&a);
		}
		format_evtx.close(st);
		arena_free(&a);
	}
	close(fd);
	return 0;
}
