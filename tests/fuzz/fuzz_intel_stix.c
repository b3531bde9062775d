/*
 * fuzz_intel_stix.c — the knowledge base's STIX importer on arbitrary bytes.
 *
 * The input is imported as it is (through the format detection) and again
 * as the object list of a bundle, so that mutations of single objects reach
 * the STIX passes without having to keep a whole bundle valid. Every input
 * is imported or rejected with a reason, never a crash, a leak or a hang;
 * a second import of the same bytes exercises the merge path, and whatever
 * got in must resolve by its own name.
 */
#include <stddef.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include "intel/intel.h"

static void check(struct kb *kb)
{
	for (size_t i = 0; i < kb_group_count(kb); i++) {
		const struct kb_group *g = kb_group_at(kb, i);
		if (!kb_group_find(kb, slice_cstr(g->name)))
			__builtin_trap();
	}
	struct buf b = BUF_INIT;
	kb_export(kb, &b);
	buf_free(&b);
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	static const char pre[] = "{\"type\":\"bundle\",\"objects\":[", post[] = "]}";
	struct kb *kb;
	if (size > (1u << 20) || kb_new(&kb))
		return 0;
	for (int i = 0; i < 2; i++)
		kb_import_mem(kb, "fuzz", (const char *)data, size, NULL, NULL);
	check(kb);
	char *w = malloc(sizeof pre + size + sizeof post);
	if (w) {
		memcpy(w, pre, sizeof pre - 1);
		memcpy(w + sizeof pre - 1, data, size);
		memcpy(w + sizeof pre - 1 + size, post, sizeof post - 1);
		kb_import_mem(kb, "fuzz-wrapped", w, sizeof pre - 1 + size + sizeof post - 1, NULL,
			      NULL);
		free(w);
	}
	check(kb);
	kb_free(kb);
	return 0;
}
