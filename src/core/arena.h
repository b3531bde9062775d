/*
 * arena.h — a bump allocator for one batch of events.
 *
 * Everything a batch needs beyond the read buffer (unescaped strings, joined
 * field names, field arrays) is carved from one arena and released at once
 * with arena_reset() when the batch is done. Blocks are kept for reuse, so a
 * steady stream allocates nothing after the first batches. An arena refuses
 * to grow past its cap (AS_MAX_ARENA by default) and returns NULL: callers
 * treat that as a bad record, not a crash.
 */
#ifndef AS_CORE_ARENA_H
#define AS_CORE_ARENA_H

#include <stddef.h>

#include "core/slice.h"

struct arena_block;

struct arena {
	struct arena_block *head; /* block being filled */
	struct arena_block *free; /* blocks kept after a reset */
	unsigned char *cur;       /* where the free part of head starts */
	size_t room;              /* and its bytes */
	size_t used_total;        /* bytes handed out since the last reset */
	size_t cap;               /* most bytes in all blocks together */
	size_t held;              /* bytes held in blocks now */
	size_t block;             /* size of the next new block; 0: AS_ARENA_BLOCK */
};

/* Initialise an empty arena that will hold at most cap bytes (0 = default). */
void arena_init(struct arena *a, size_t cap);
/* The same for an arena that usually holds little (one alert, say): its
 * first block is of first bytes, each new one twice the last, up to the
 * usual block size. */
void arena_init_small(struct arena *a, size_t cap, size_t first);

/* Memory aligned for any type, or NULL past the cap or when out of memory.
 * Inline while the block being filled has room (loading a rule set makes
 * some 600,000 allocations; the call was most of their cost). */
void *arena_alloc_slow(struct arena *a, size_t n);
static inline void *arena_alloc(struct arena *a, size_t n)
{
	size_t r = (n + 15) & ~(size_t)15;
	if (r && r <= a->room) {
		void *p = a->cur;
		a->cur += r;
		a->room -= r;
		a->used_total += r;
		return p;
	}
	return arena_alloc_slow(a, n);
}

/* Copies, NUL-terminated; NULL on failure. */
char *arena_strndup(struct arena *a, const char *s, size_t n);
struct slice arena_slice_dup(struct arena *a, struct slice s);

/* Forget every allocation; keep the blocks for reuse. */
void arena_reset(struct arena *a);

/* Release every block. Accepts NULL. */
void arena_free(struct arena *a);

#endif
