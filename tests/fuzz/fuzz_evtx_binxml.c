/*
 * fuzz_evtx_binxml.c — the native EVTX chunk and BinXML parser on arbitrary
 * bytes.
 *
 * The input is one chunk (cut or padded with zeros to 64 KiB, as the reader
 * only hands whole chunks to the parser): its header is checked, then every
 * record from byte 512 is parsed with native fields on and mapped. Every
 * record must give an event or a refusal with its reason set. Seeds are the
 * chunks of the EVTX fixtures.
 */
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include "core/arena.h"
#include "core/error.h"
#include "read/evtx_binxml.h"
#include "read/winevent.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	static struct evtx_binxml *bx;
	if (!bx && evtx_binxml_new(&bx))
		return 0;
	uint8_t *chunk = calloc(1, EVTX_CHUNK_SIZE);
	if (!chunk)
		return 0;
	memcpy(chunk, data, size < EVTX_CHUNK_SIZE ? size : EVTX_CHUNK_SIZE);
	struct evtx_chunk c;
	struct diag why = {0};
	if (evtx_chunk_open(&c, chunk, &why) == 0) {
		evtx_chunk_check(&c);
		struct arena a;
		arena_init(&a, 0);
		for (uint32_t off = EVTX_CHUNK_HEADER_SIZE; off < c.free_off;) {
			struct evtx_record r;
			if (evtx_record_open(&c, off, &r, &why))
				break;
			off += r.size;
			struct event ev;
			event_clear(&ev);
			struct winevent w;
			winevent_begin(&w, &ev, &a, true);
			struct slice raw = SLICE_NULL;
			why.code = 0;
			int rc = evtx_binxml_record(bx, &c, &r, &w, &raw, &why);
			if (rc > 0 || (rc < 0 && why.code != rc))
				abort();
			if (rc == 0 && (winevent_finish(&w) > 0 || !raw.len))
				abort();
			arena_reset(&a);
		}
		arena_free(&a);
	}
	free(chunk);
	return 0;
}
