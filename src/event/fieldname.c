/* fieldname.c — process-wide field name interning, see fieldname.h.
 *
 * Names are copied once and never freed; ids index a table of fixed blocks
 * that never move, so fieldname_str() reads without the lock (the count is
 * published with release order after the entry is written). */
#include "event/fieldname.h"

#include <pthread.h>
#include <stdatomic.h>
#include <stdlib.h>
#include <string.h>

#include "core/hash.h"
#include "core/limits.h"
#include "core/map.h"

#define BLOCK_BITS 12
#define BLOCK_SIZE (1u << BLOCK_BITS)
#define MAX_BLOCKS 256 /* 1,048,576 names */

static pthread_mutex_t lock = PTHREAD_MUTEX_INITIALIZER;
static struct map names; /* name → id */
static struct slice *blocks[MAX_BLOCKS];
static _Atomic uint32_t count;

#define CACHE_SIZE 1024
struct cache_entry {
	uint64_t hash;
	struct slice name;
	uint32_t id;
};
static _Thread_local struct cache_entry cache[CACHE_SIZE];

static uint32_t intern_locked(struct slice name, int create)
{
	uint64_t v;
	if (map_get(&names, name, &v))
		return (uint32_t)v;
	if (!create || name.len > AS_MAX_FIELD_NAME)
		return FIELDNAME_NONE;
	uint32_t id = atomic_load_explicit(&count, memory_order_relaxed);
	uint32_t b = id >> BLOCK_BITS;
	if (b >= MAX_BLOCKS)
		return FIELDNAME_NONE;
	if (!blocks[b] && !(blocks[b] = calloc(BLOCK_SIZE, sizeof(struct slice))))
		return FIELDNAME_NONE;
	char *copy = malloc(name.len + 1);
	if (!copy)
		return FIELDNAME_NONE;
	memcpy(copy, name.ptr, name.len);
	copy[name.len] = 0;
	if (map_put(&names, name, id, NULL)) {
		free(copy);
		return FIELDNAME_NONE;
	}
	blocks[b][id & (BLOCK_SIZE - 1)] = slice_make(copy, name.len);
	atomic_store_explicit(&count, id + 1, memory_order_release);
	return id;
}

static uint32_t intern(struct slice name, int create)
{
	uint64_t h = hash_bytes_seeded(name.ptr, name.len, 0x51ed27);
	struct cache_entry *e = &cache[h & (CACHE_SIZE - 1)];
	if (e->hash == h && e->name.ptr && slice_eq(e->name, name))
		return e->id;
	pthread_mutex_lock(&lock);
	uint32_t id = intern_locked(name, create);
	pthread_mutex_unlock(&lock);
	if (id != FIELDNAME_NONE) {
		e->hash = h;
		e->name = fieldname_str(id);
		e->id = id;
	}
	return id;
}

uint32_t fieldname_intern(struct slice name)
{
	return intern(name, 1);
}

uint32_t fieldname_lookup(struct slice name)
{
	return intern(name, 0);
}

struct slice fieldname_str(uint32_t id)
{
	if (id >= atomic_load_explicit(&count, memory_order_acquire))
		return SLICE_NULL;
	return blocks[id >> BLOCK_BITS][id & (BLOCK_SIZE - 1)];
}

uint32_t fieldname_count(void)
{
	return atomic_load_explicit(&count, memory_order_acquire);
}
