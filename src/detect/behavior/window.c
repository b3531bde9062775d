/*
 * window.c — keyed windows with a hard cap (see window.h).
 *
 * Slots are laid out flat, {hash, touch, key, value}, in a power-of-two
 * table with linear probing, grown at 70 % load until it can hold max_keys.
 * A full window evicts the entries whose arrival stamp falls in the oldest
 * quarter (the quartile is estimated from a sample of stamps, so eviction
 * costs one pass), then restores the probing invariant in place: walking
 * from just after an empty slot, every survivor is lifted and put back at
 * the first free slot from its home, which is never after where it was.
 */
#include "detect/behavior/window.h"

#include <stdlib.h>
#include <string.h>

#include "core/error.h"
#include "core/hash.h"

struct window {
	const char *name;
	size_t key_size, value_size, stride;
	size_t max_keys;
	size_t nslots, mask, count, max_slots;
	unsigned char *slots;
	unsigned char *spare; /* one slot, for moves */
	uint64_t clock;       /* arrival counter */
	uint64_t shed;
	window_evict_fn *on_evict;
	void *ctx;
};

#define SLOT_HASH(s)  (*(uint64_t *)(s))
#define SLOT_TOUCH(s) (*(uint64_t *)((s) + 8))
#define SLOT_KEY(s)   ((s) + 16)

static inline unsigned char *slot_at(const struct window *w, size_t i)
{
	return w->slots + i * w->stride;
}

static inline void *slot_value(const struct window *w, unsigned char *s)
{
	return s + 16 + ((w->key_size + 7) & ~(size_t)7);
}

static size_t pow2_at_least(size_t n)
{
	size_t p = 16;
	while (p < n)
		p <<= 1;
	return p;
}

int window_new(struct window **out, const char *name, size_t key_size, size_t value_size,
	       size_t max_keys, size_t max_bytes, window_evict_fn *on_evict, void *ctx)
{
	*out = NULL;
	if (!key_size || max_keys < 4)
		return AS_EINVAL;
	struct window *w = calloc(1, sizeof *w);
	if (!w)
		return AS_ENOMEM;
	w->name = name;
	w->key_size = key_size;
	w->value_size = value_size;
	w->stride = 16 + ((key_size + 7) & ~(size_t)7) + ((value_size + 7) & ~(size_t)7);
	w->max_slots = pow2_at_least(max_keys + max_keys / 2 + 1);
	/* The byte cap bounds the table, and the table bounds the keys (70 %). */
	while (max_bytes && w->max_slots > 64 && w->max_slots * w->stride > max_bytes)
		w->max_slots >>= 1;
	if (max_keys > w->max_slots * 7 / 10)
		max_keys = w->max_slots * 7 / 10;
	w->max_keys = max_keys;
	w->nslots = 64 < w->max_slots ? 64 : w->max_slots;
	w->mask = w->nslots - 1;
	w->on_evict = on_evict;
	w->ctx = ctx;
	w->slots = calloc(w->nslots, w->stride);
	w->spare = malloc(w->stride);
	if (!w->slots || !w->spare) {
		window_free(w);
		return AS_ENOMEM;
	}
	*out = w;
	return 0;
}

void window_free(struct window *w)
{
	if (!w)
		return;
	free(w->slots);
	free(w->spare);
	free(w);
}

static uint64_t key_hash(const struct window *w, const void *key)
{
	uint64_t h = hash_bytes(key, w->key_size);
	return h ? h : 1;
}

static unsigned char *probe(const struct window *w, const void *key, uint64_t h)
{
	size_t i = h & w->mask;
	for (;;) {
		unsigned char *s = slot_at(w, i);
		if (!SLOT_HASH(s) ||
		    (SLOT_HASH(s) == h && memcmp(SLOT_KEY(s), key, w->key_size) == 0))
			return s;
		i = (i + 1) & w->mask;
	}
}

static int grow(struct window *w)
{
	size_t n = w->nslots * 2;
	unsigned char *ns = calloc(n, w->stride);
	if (!ns)
		return AS_ENOMEM;
	unsigned char *old = w->slots;
	size_t oldn = w->nslots;
	w->slots = ns;
	w->nslots = n;
	w->mask = n - 1;
	for (size_t i = 0; i < oldn; i++) {
		unsigned char *s = old + i * w->stride;
		if (!SLOT_HASH(s))
			continue;
		unsigned char *d = probe(w, SLOT_KEY(s), SLOT_HASH(s));
		memcpy(d, s, w->stride);
	}
	free(old);
	return 0;
}

static int cmp_u64(const void *a, const void *b)
{
	uint64_t x = *(const uint64_t *)a, y = *(const uint64_t *)b;
	return x < y ? -1 : x > y;
}

/* Evict the oldest quarter by arrival, then re-seat the survivors. */
static void evict(struct window *w)
{
	enum { SAMPLE = 1024 };
	uint64_t sample[SAMPLE];
	size_t ns = 0, step = w->nslots / SAMPLE ? w->nslots / SAMPLE : 1;
	for (size_t i = 0; i < w->nslots && ns < SAMPLE; i += step) {
		unsigned char *s = slot_at(w, i);
		if (SLOT_HASH(s))
			sample[ns++] = SLOT_TOUCH(s);
	}
	uint64_t cut = 0;
	if (ns) {
		qsort(sample, ns, sizeof *sample, cmp_u64);
		cut = sample[ns / 4];
	}
	size_t before = w->count;
	for (size_t i = 0; i < w->nslots; i++) {
		unsigned char *s = slot_at(w, i);
		if (!SLOT_HASH(s) || SLOT_TOUCH(s) > cut)
			continue;
		if (w->on_evict)
			w->on_evict(w->ctx, SLOT_KEY(s), slot_value(w, s));
		memset(s, 0, w->stride);
		w->count--;
	}
	w->shed += before - w->count;
	size_t start = 0;
	while (start < w->nslots && SLOT_HASH(slot_at(w, start)))
		start++;
	for (size_t k = 1; k <= w->nslots; k++) {
		unsigned char *s = slot_at(w, (start + k) & w->mask);
		if (!SLOT_HASH(s))
			continue;
		memcpy(w->spare, s, w->stride);
		memset(s, 0, w->stride);
		unsigned char *d = probe(w, SLOT_KEY(w->spare), SLOT_HASH(w->spare));
		memcpy(d, w->spare, w->stride);
	}
}

void *window_get(struct window *w, const void *key, bool *created)
{
	uint64_t h = key_hash(w, key);
	unsigned char *s = probe(w, key, h);
	if (SLOT_HASH(s)) {
		SLOT_TOUCH(s) = ++w->clock;
		if (created)
			*created = false;
		return slot_value(w, s);
	}
	if (w->count + 1 > w->nslots * 7 / 10) {
		if (w->nslots < w->max_slots && grow(w) == 0) {
			s = probe(w, key, h);
		} else if (w->count >= w->max_keys || w->count + 1 > w->nslots * 7 / 10) {
			evict(w);
			s = probe(w, key, h);
		}
	}
	if (w->count >= w->max_keys) {
		evict(w);
		s = probe(w, key, h);
	}
	SLOT_HASH(s) = h;
	SLOT_TOUCH(s) = ++w->clock;
	memcpy(SLOT_KEY(s), key, w->key_size);
	memset(slot_value(w, s), 0, w->value_size);
	w->count++;
	if (created)
		*created = true;
	return slot_value(w, s);
}

void *window_find(const struct window *w, const void *key)
{
	unsigned char *s = probe(w, key, key_hash(w, key));
	return SLOT_HASH(s) ? slot_value(w, s) : NULL;
}

bool window_next(const struct window *w, size_t *iter, const void **key, void **value)
{
	while (*iter < w->nslots) {
		unsigned char *s = slot_at(w, (*iter)++);
		if (SLOT_HASH(s)) {
			if (key)
				*key = SLOT_KEY(s);
			if (value)
				*value = slot_value(w, s);
			return true;
		}
	}
	return false;
}

size_t window_count(const struct window *w)
{
	return w->count;
}

uint64_t window_shed(const struct window *w)
{
	return w->shed;
}

size_t window_memory(const struct window *w)
{
	return sizeof *w + w->nslots * w->stride + w->stride;
}

const char *window_name(const struct window *w)
{
	return w->name;
}
