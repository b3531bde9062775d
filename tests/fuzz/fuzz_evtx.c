/*
 * fuzz_evtx.c — the EVTX reader on arbitrary bytes: file header, chunk
 * walk, record walk and resynchronisation, BinXML, and carving.
 *
 * The reader opens files by name, so the input goes into an anonymous
 * memory file (memfd) opened as /proc/self/fd/N; then every record is read
 * with native fields on, as the driver would, with an arena reset per
 * record; with free-space carving on (APTSCOPE_EVTX_RECOVER) when byte 200
 * of the input (unused in a file header) is odd. Every result must be an
 * event, the end, or a refusal with its reason set. libevtx (the fallback
 * for value types the parser does not write) leaks on some malformed
 * records: run with LSAN_OPTIONS=suppressions=tests/fuzz/lsan.supp.
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
	if (size > 200 && (data[200] & 1)) /* an unused byte of the file header */
		setenv("APTSCOPE_EVTX_RECOVER", "1", 1);
	else
		unsetenv("APTSCOPE_EVTX_RECOVER");
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
