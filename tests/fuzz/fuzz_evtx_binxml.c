/*
 * fuzz_evtx_binxml.c — the native EVTX chunk and BinXML parser on arbitrary
 * bytes, with its template plans checked against the plain walk.
 *
 * The input is one chunk (cut or padded with zeros to 64 KiB, as the reader
 * only hands whole chunks to the parser): its header is checked, then every
 * record from byte 512 is parsed with native fields on and mapped, twice:
 * by a parser that records and replays template plans, and by one that
 * walks every record. Every record must give an event or a refusal with its
 * reason set, and both parsers the same outcome and the same fields. Seeds
 * are the chunks of the EVTX fixtures.
 */
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include "core/arena.h"
#include "core/error.h"
#include "read/evtx_binxml.h"
#include "read/winevent.h"

/* One record by one parser: 0 (event in ev, mapped) or a negative code. */
static int parse(struct evtx_binxml *bx, const struct evtx_chunk *c, const struct evtx_record *r,
		 struct event *ev, struct arena *a, struct slice *raw)
{
	event_clear(ev);
	struct winevent w;
	winevent_begin(&w, ev, a, true);
	struct diag why = {0};
	*raw = SLICE_NULL;
	int rc = evtx_binxml_record(bx, c, r, &w, raw, &why);
	if (rc > 0 || (rc < 0 && (why.code != rc || !why.msg[0])))
		abort();
	if (rc == 0 && (winevent_finish(&w) > 0 || !raw->len))
		abort();
	return rc;
}

static bool same_fields(const struct event *x, const struct event *y)
{
	if (x->nfields != y->nfields || x->kind != y->kind || x->time != y->time)
		return false;
	for (uint32_t i = 0; i < x->nfields; i++)
		if (x->fields[i].name != y->fields[i].name ||
		    !slice_eq(x->fields[i].value, y->fields[i].value))
			return false;
	return true;
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	static struct evtx_binxml *bx, *walk;
	if (!bx && evtx_binxml_new(&bx))
		return 0;
	if (!walk) {
		if (evtx_binxml_new(&walk))
			return 0;
		evtx_binxml_plans(walk, false);
	}
	uint8_t *chunk = calloc(1, EVTX_CHUNK_SIZE);
	if (!chunk)
		return 0;
	memcpy(chunk, data, size < EVTX_CHUNK_SIZE ? size : EVTX_CHUNK_SIZE);
	struct evtx_chunk c, c2;
	struct diag why = {0};
	if (evtx_chunk_open(&c, chunk, &why) == 0 && evtx_chunk_open(&c2, chunk, &why) == 0) {
		evtx_chunk_check(&c);
		struct arena a;
		arena_init(&a, 0);
		for (uint32_t off = EVTX_CHUNK_HEADER_SIZE; off < c.free_off;) {
			struct evtx_record r;
			if (evtx_record_open(&c, off, &r, &why))
				break;
			off += r.size;
			struct event e1, e2;
			struct slice raw1, raw2;
			int rc1 = parse(bx, &c, &r, &e1, &a, &raw1);
			int rc2 = parse(walk, &c2, &r, &e2, &a, &raw2);
			if ((rc1 == 0) != (rc2 == 0))
				abort();
			if (rc1 == 0 && (!same_fields(&e1, &e2) || !slice_eq(raw1, raw2)))
				abort();
			arena_reset(&a);
		}
		arena_free(&a);
	}
	free(chunk);
	return 0;
}
