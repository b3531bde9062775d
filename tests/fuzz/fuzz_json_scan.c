/*
 * fuzz_json_scan.c — json_walk() and json_unescape() on arbitrary bytes.
 *
 * The input is walked as one document; every escaped leaf is unescaped into
 * a fresh arena, and the unescaped text must never be longer than its
 * escaped form (the unescaper's buffer size relies on it).
 */
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include "core/arena.h"
#include "core/json_scan.h"
#include "core/limits.h"

static int leaf(void *ctx, const struct json_leaf *l)
{
	struct arena *a = ctx;
	if (l->escaped) {
		struct slice out;
		if (json_unescape(l->value, a, &out) == 0 && out.len > l->value.len)
			abort();
	}
	if (l->depth < 1 || (l->depth > 1 && l->path.len > AS_MAX_FIELD_NAME))
		abort();
	return 0;
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	struct arena a;
	struct diag d;
	arena_init(&a, 0);
	/* exact-size copy so a read past the end shows under ASan */
	char *copy = malloc(size ? size : 1);
	if (!copy)
		return 0;
	memcpy(copy, data, size);
	json_walk(slice_make(copy, size), leaf, &a, &d);
	struct slice out;
	json_unescape(slice_make(copy, size), &a, &out);
	free(copy);
	arena_free(&a);
	return 0;
}
