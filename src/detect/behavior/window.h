/*
 * window.h — keyed state with a hard cap, for the behaviour modules.
 *
 * A window maps fixed-size keys (an address pair, an address and a name
 * hash, …) to fixed-size values, in one open-addressing table that grows
 * by doubling up to max_keys entries or max_bytes of memory. When it is full, the least recently
 * touched quarter is evicted (the module's on_evict sees each one first, so
 * it can raise what the entry still holds) and the table is rebuilt; the
 * evicted entries are counted as shed, and a window that sheds says so once
 * on the diagnostics.
 *
 * Recency is arrival order, not event time: files come in any time order
 * (a rotated log after the current one), so event time decides what a
 * window *counts* and arrival order only decides what is *forgotten*.
 */
#ifndef AS_DETECT_BEHAVIOR_WINDOW_H
#define AS_DETECT_BEHAVIOR_WINDOW_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

struct window;

typedef void window_evict_fn(void *ctx, const void *key, void *value);

/* A window of keys of key_size bytes and values of value_size bytes (values
 * start zeroed), holding at most max_keys keys and max_bytes bytes of table
 * (0: no byte cap), whichever binds first. on_evict may be NULL; it is
 * called for evicted entries and, by window_free, for none. 0 or AS_ENOMEM /
 * AS_EINVAL. */
int window_new(struct window **out, const char *name, size_t key_size, size_t value_size,
	       size_t max_keys, size_t max_bytes, window_evict_fn *on_evict, void *ctx);
/* The value for key, created zeroed when absent (*created true). NULL only
 * when memory cannot be had even after eviction. */
void *window_get(struct window *w, const void *key, bool *created);
/* The value for key or NULL; does not touch recency. */
void *window_find(const struct window *w, const void *key);
/* Iterate: for (size_t i = 0; window_next(w, &i, &k, &v);) … */
bool window_next(const struct window *w, size_t *iter, const void **key, void **value);
size_t window_count(const struct window *w);
uint64_t window_shed(const struct window *w);
size_t window_memory(const struct window *w);
const char *window_name(const struct window *w);
void window_free(struct window *w); /* accepts NULL */

#endif
