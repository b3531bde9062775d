/* map.c — open-addressing string map, see map.h. */
#include "core/map.h"

#include <stdlib.h>
#include <string.h>

#include "core/error.h"
#include "core/hash.h"

/* Keys live in large chunks so that a million keys are not a million mallocs. */
struct keypool {
	struct keypool *next;
	size_t used, size;
	char data[];
};

static const char *pool_copy(struct map *m, struct slice key)
{
	struct keypool *p = m->pool;
	if (!p || p->size - p->used < key.len + 1) {
		size_t size = key.len + 1 > 65536 ? key.len + 1 : 65536;
		struct keypool *n = malloc(sizeof *n + size);
		if (!n)
			return NULL;
		n->next = p;
		n->used = 0;
		n->size = size;
		m->pool = p = n;
	}
	char *d = p->data + p->used;
	if (key.len)
		memcpy(d, key.ptr, key.len);
	d[key.len] = 0;
	p->used += key.len + 1;
	return d;
}

void map_init(struct map *m)
{
	memset(m, 0, sizeof *m);
}

static inline uint64_t key_hash(struct slice k)
{
	uint64_t h = hash_bytes(k.ptr, k.len);
	return h ? h : 1;
}

static int grow(struct map *m)
{
	size_t n = m->slots ? (m->mask + 1) * 2 : 16;
	struct map_slot *s = calloc(n, sizeof *s);
	if (!s)
		return AS_ENOMEM;
	if (m->slots) {
		for (size_t i = 0; i <= m->mask; i++) {
			struct map_slot *o = &m->slots[i];
			if (!o->hash)
				continue;
			size_t j = o->hash & (n - 1);
			while (s[j].hash)
				j = (j + 1) & (n - 1);
			s[j] = *o;
		}
		free(m->slots);
	}
	m->slots = s;
	m->mask = n - 1;
	return 0;
}

static struct map_slot *find(const struct map *m, struct slice key, uint64_t h)
{
	if (!m->slots)
		return NULL;
	size_t i = h & m->mask;
	for (;;) {
		struct map_slot *s = &m->slots[i];
		if (!s->hash)
			return s;
		if (s->hash == h && s->klen == key.len && memcmp(s->key, key.ptr, key.len) == 0)
			return s;
		i = (i + 1) & m->mask;
	}
}

static int insert(struct map *m, struct slice key, uint64_t *value, bool replace, bool *existed)
{
	if (key.len > UINT32_MAX)
		return AS_ETOOBIG;
	uint64_t h = key_hash(key);
	if (!m->slots || (m->count + 1) * 10 > (m->mask + 1) * 7) {
		int rc = grow(m);
		if (rc)
			return rc;
	}
	struct map_slot *s = find(m, key, h);
	if (s->hash) {
		if (existed)
			*existed = true;
		if (replace)
			s->value = *value;
		else
			*value = s->value;
		return 0;
	}
	if (m->max && m->count >= m->max)
		return AS_ETOOBIG;
	const char *k = pool_copy(m, key);
	if (!k)
		return AS_ENOMEM;
	s->hash = h;
	s->key = k;
	s->klen = (uint32_t)key.len;
	s->value = *value;
	m->count++;
	if (existed)
		*existed = false;
	return 0;
}

int map_put(struct map *m, struct slice key, uint64_t value, bool *existed)
{
	return insert(m, key, &value, true, existed);
}

int map_put_new(struct map *m, struct slice key, uint64_t *value, bool *existed)
{
	return insert(m, key, value, false, existed);
}

bool map_get(const struct map *m, struct slice key, uint64_t *value)
{
	struct map_slot *s = find(m, key, key_hash(key));
	if (!s || !s->hash)
		return false;
	if (value)
		*value = s->value;
	return true;
}

bool map_next(const struct map *m, size_t *iter, struct slice *key, uint64_t *value)
{
	if (!m->slots)
		return false;
	while (*iter <= m->mask) {
		struct map_slot *s = &m->slots[(*iter)++];
		if (s->hash) {
			if (key)
				*key = slice_make(s->key, s->klen);
			if (value)
				*value = s->value;
			return true;
		}
	}
	return false;
}

size_t map_memory(const struct map *m)
{
	size_t n = m->slots ? (m->mask + 1) * sizeof(struct map_slot) : 0;
	for (struct keypool *p = m->pool; p; p = p->next)
		n += sizeof *p + p->size;
	return n;
}

void map_free(struct map *m)
{
	if (!m)
		return;
	free(m->slots);
	while (m->pool) {
		struct keypool *p = m->pool;
		m->pool = p->next;
		free(p);
	}
	memset(m, 0, sizeof *m);
}
