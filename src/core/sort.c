/* sort.c — insertion and radix sorts of unsigned integers, see sort.h. */
#include "core/sort.h"

#include <stdbool.h>
#include <stdlib.h>
#include <string.h>

/* Below this many keys insertion sort wins over the radix passes. */
#define SORT_SMALL 48

static int cmp32(const void *a, const void *b)
{
	uint32_t x = *(const uint32_t *)a, y = *(const uint32_t *)b;
	return (x > y) - (x < y);
}

static int cmp64(const void *a, const void *b)
{
	uint64_t x = *(const uint64_t *)a, y = *(const uint64_t *)b;
	return (x > y) - (x < y);
}

/* Key i of the array of w-byte keys at v (w is a constant where inlined). */
static inline uint64_t key_at(const void *v, size_t i, size_t w)
{
	if (w == 4)
		return ((const uint32_t *)v)[i];
	return ((const uint64_t *)v)[i];
}

static inline void key_put(void *v, size_t i, size_t w, uint64_t k)
{
	if (w == 4)
		((uint32_t *)v)[i] = (uint32_t)k;
	else
		((uint64_t *)v)[i] = k;
}

/* Sort n keys of w bytes; false without memory (nothing is changed). */
static inline bool radix(void *v, size_t n, size_t w)
{
	void *tmp = malloc(n * w);
	size_t(*cnt)[256] = calloc(w, sizeof *cnt);
	if (!tmp || !cnt) {
		free(tmp);
		free(cnt);
		return false;
	}
	/* every byte's counts in one read of the keys */
	for (size_t i = 0; i < n; i++) {
		uint64_t k = key_at(v, i, w);
		for (size_t b = 0; b < w; b++)
			cnt[b][(k >> (8 * b)) & 255]++;
	}
	void *src = v, *dst = tmp;
	for (size_t b = 0; b < w; b++) {
		size_t *c = cnt[b];
		if (c[(key_at(src, 0, w) >> (8 * b)) & 255] == n)
			continue; /* one byte value for all keys: the order stays */
		size_t sum = 0;
		for (int d = 0; d < 256; d++) {
			size_t t = c[d];
			c[d] = sum;
			sum += t;
		}
		for (size_t i = 0; i < n; i++) {
			uint64_t k = key_at(src, i, w);
			key_put(dst, c[(k >> (8 * b)) & 255]++, w, k);
		}
		void *t = src;
		src = dst;
		dst = t;
	}
	if (src != v)
		memcpy(v, src, n * w);
	free(cnt);
	free(tmp);
	return true;
}

/* Sort n keys of w bytes: by insertion when few, else by radix, else (no
 * memory) by qsort with cmp. */
static inline void sort_keys(void *v, size_t n, size_t w, int (*cmp)(const void *, const void *))
{
	if (n >= SORT_SMALL) {
		if (!radix(v, n, w))
			qsort(v, n, w, cmp);
		return;
	}
	for (size_t i = 1; i < n; i++) {
		uint64_t x = key_at(v, i, w);
		size_t j = i;
		for (; j && key_at(v, j - 1, w) > x; j--)
			key_put(v, j, w, key_at(v, j - 1, w));
		key_put(v, j, w, x);
	}
}

void sort_u32(uint32_t *v, size_t n)
{
	sort_keys(v, n, sizeof *v, cmp32);
}

void sort_u64(uint64_t *v, size_t n)
{
	sort_keys(v, n, sizeof *v, cmp64);
}
