/*
 * fuzz_intel_stix.c — the knowledge base's STIX importer (and the format
 * detection in front of it) on arbitrary bytes: every input is imported or
 * rejected with a reason, never a crash, a leak or a hang; whatever got in
 * must resolve by its own name, and a second import of the same bytes (the
 * merge path) must hold up too.
 */
#include <stddef.h>
#include <stdint.h>

#include "core/hash.h"
#include "intel/intel.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	struct kb *kb;
	if (size > (1u << 20) || kb_new(&kb))
		return 0;
	for (int i = 0; i < 2; i++)
		kb_import_mem(kb, "fuzz", (const char *)data, size, NULL, NULL);
	for (size_t i = 0; i < kb_group_count(kb); i++) {
		const struct kb_group *g = kb_group_at(kb, i);
		if (!kb_group_find(kb, slice_cstr(g->name)))
			__builtin_trap();
	}
	struct buf b = BUF_INIT;
	kb_export(kb, &b);
	buf_free(&b);
	kb_free(kb);
	return 0;
}
