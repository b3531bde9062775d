/*
 * map.h — a hash map from byte-string keys to 64-bit values.
 *
 * Open addressing with linear probing over a power-of-two table of slots
 * {hash, key, value}; the table doubles at 70 % load. Keys are copied into
 * the map's own storage (so callers may pass slices of a buffer that will be
 * reused), values are opaque uint64 (an index, a pointer cast, a count).
 * Deletion is not supported: the maps here are built, then read.
 * Not thread-safe for writes; concurrent readers of a finished map are fine.
 */
#ifndef AS_CORE_MAP_H
#define AS_CORE_MAP_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "core/slice.h"

struct map_slot {
	uint64_t hash; /* 0 marks an empty slot */
	const char *key;
	uint32_t klen;
	uint64_t value;
};

struct map {
	struct map_slot *slots;
	size_t mask; /* slots - 1 */
	size_t count;
	size_t max; /* most entries (0 = no limit but memory) */
	struct keypool *pool;
};

void map_init(struct map *m);
/* Insert or replace. 0, AS_ENOMEM or AS_ETOOBIG. If existed is not NULL it
 * says whether the key was there (its old value is then replaced). */
int map_put(struct map *m, struct slice key, uint64_t value, bool *existed);
/* Insert only when absent; *value gets the stored value either way. */
int map_put_new(struct map *m, struct slice key, uint64_t *value, bool *existed);
bool map_get(const struct map *m, struct slice key, uint64_t *value);
static inline size_t map_count(const struct map *m)
{
	return m->count;
}
/* Iterate: for (size_t i = 0; map_next(m, &i, &k, &v);) … */
bool map_next(const struct map *m, size_t *iter, struct slice *key, uint64_t *value);
/* Bytes held by the map (table and keys). */
size_t map_memory(const struct map *m);
/* Release everything. Accepts NULL. */
void map_free(struct map *m);

#endif
