/*
 * fuzz_intel_misp.c — the knowledge base's MISP importer on arbitrary bytes.
 *
 * The input is imported as it is (through the format detection) and again
 * as the cluster list of a threat-actor galaxy and of a 360.net galaxy, so
 * that mutations of single clusters reach the merge without having to keep a
 * whole galaxy valid (and as a list of MISP events). Every input is imported
 * or rejected with a reason, never a crash, a leak or a hang; a second import
 * of the same bytes exercises the merge path, and whatever got in must
 * resolve by its own name.
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

static void wrapped(struct kb *kb, const char *pre, const uint8_t *data, size_t size)
{
	static const char post[] = "]}";
	size_t np = strlen(pre);
	char *w = malloc(np + size + sizeof post);
	if (!w)
		return;
	memcpy(w, pre, np);
	memcpy(w + np, data, size);
	memcpy(w + np + size, post, sizeof post - 1);
	kb_import_mem(kb, "fuzz-wrapped", w, np + size + sizeof post - 1, NULL, NULL);
	free(w);
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	struct kb *kb;
	if (size > (1u << 20) || kb_new(&kb))
		return 0;
	for (int i = 0; i < 2; i++)
		kb_import_mem(kb, "fuzz", (const char *)data, size, NULL, NULL);
	check(kb);
	wrapped(kb, "{\"type\":\"threat-actor\",\"values\":[", data, size);
	wrapped(kb, "{\"type\":\"360net-threat-actor\",\"values\":[", data, size);
	wrapped(kb, "{\"response\":[", data, size);
	check(kb);
	kb_free(kb);
	return 0;
}
