/* arena.c — bump allocation in a chain of blocks, see arena.h. */
#include "core/arena.h"

#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include "core/limits.h"

struct arena_block {
	struct arena_block *next;
	size_t size;
	_Alignas(16) unsigned char data[];
};

void arena_init(struct arena *a, size_t cap)
{
	memset(a, 0, sizeof *a);
	a->cap = cap ? cap : AS_MAX_ARENA;
}

void arena_init_small(struct arena *a, size_t cap, size_t first)
{
	arena_init(a, cap);
	a->block = first ? first : 1;
}

static struct arena_block *block_take(struct arena *a, size_t need)
{
	/* Reuse a kept block that is big enough. */
	for (struct arena_block **pp = &a->free; *pp; pp = &(*pp)->next) {
		if ((*pp)->size >= need) {
			struct arena_block *b = *pp;
			*pp = b->next;
			return b;
		}
	}
	size_t want = a->block ? a->block : AS_ARENA_BLOCK;
	size_t size = need > want ? need : want;
	if (a->held + size > a->cap)
		return NULL;
	struct arena_block *b = malloc(sizeof *b + size);
	if (!b)
		return NULL;
	b->size = size;
	a->held += size;
	if (a->block && a->block < AS_ARENA_BLOCK)
		a->block = a->block * 2 < AS_ARENA_BLOCK ? a->block * 2 : AS_ARENA_BLOCK;
	return b;
}

/* The head block is full (or there is none): the next one, kept or new,
 * becomes the head; what the old head had left is not used again. */
void *arena_alloc_slow(struct arena *a, size_t n)
{
	if (n > SIZE_MAX - 15)
		return NULL;
	n = (n + 15) & ~(size_t)15;
	if (n == 0)
		n = 16;
	if (n > a->room) {
		struct arena_block *b = block_take(a, n);
		if (!b)
			return NULL;
		b->next = a->head;
		a->head = b;
		a->cur = b->data;
		a->room = b->size;
	}
	void *p = a->cur;
	a->cur += n;
	a->room -= n;
	a->used_total += n;
	return p;
}

char *arena_strndup(struct arena *a, const char *s, size_t n)
{
	char *p = arena_alloc(a, n + 1);
	if (!p)
		return NULL;
	if (n)
		memcpy(p, s, n);
	p[n] = 0;
	return p;
}

struct slice arena_slice_dup(struct arena *a, struct slice s)
{
	char *p = arena_strndup(a, s.ptr, s.len);
	return p ? slice_make(p, s.len) : SLICE_NULL;
}

void arena_reset(struct arena *a)
{
	while (a->head) {
		struct arena_block *b = a->head;
		a->head = b->next;
		b->next = a->free;
		a->free = b;
	}
	a->cur = NULL;
	a->room = 0;
	a->used_total = 0;
}

void arena_free(struct arena *a)
{
	if (!a)
		return;
	arena_reset(a);
	while (a->free) {
		struct arena_block *b = a->free;
		a->free = b->next;
		free(b);
	}
	a->held = 0;
}
