/*
 * hash.h — one fast 64-bit hash for byte strings and integers.
 *
 * Reads eight bytes at a time and mixes with 64x64→128-bit multiplies
 * (the folded-multiply construction). Not cryptographic; tables that take
 * keys from hostile input seed it per process (hash_seed) so that collisions
 * cannot be planned.
 */
#ifndef AS_CORE_HASH_H
#define AS_CORE_HASH_H

#include <stddef.h>
#include <stdint.h>
#include <string.h>

extern uint64_t hash_seed; /* set once at start-up by hash_seed_init() */

void hash_seed_init(void);

static inline uint64_t hash_fold(uint64_t a, uint64_t b)
{
	__uint128_t r = (__uint128_t)a * b;
	return (uint64_t)r ^ (uint64_t)(r >> 64);
}

static inline uint64_t hash_read64(const unsigned char *p)
{
	uint64_t v;
	memcpy(&v, p, 8);
	return v;
}

static inline uint64_t hash_read32(const unsigned char *p)
{
	uint32_t v;
	memcpy(&v, p, 4);
	return v;
}

#define HASH_K0 0x9e3779b97f4a7c15ull
#define HASH_K1 0xd6e8feb86659fd93ull
#define HASH_K2 0xca5a826395121157ull

static inline uint64_t hash_bytes_seeded(const void *data, size_t n, uint64_t seed)
{
	const unsigned char *p = data;
	uint64_t h = seed ^ (n * HASH_K0);
	while (n >= 16) {
		h = hash_fold(hash_read64(p) ^ HASH_K1 ^ h, hash_read64(p + 8) ^ HASH_K2);
		p += 16;
		n -= 16;
	}
	uint64_t a = 0, b = 0;
	if (n >= 8) {
		a = hash_read64(p);
		b = hash_read64(p + n - 8);
	} else if (n >= 4) {
		a = hash_read32(p);
		b = hash_read32(p + n - 4);
	} else if (n > 0) {
		a = ((uint64_t)p[0] << 16) | ((uint64_t)p[n >> 1] << 8) | p[n - 1];
	}
	return hash_fold(h ^ a ^ HASH_K1, b ^ HASH_K2 ^ n);
}

static inline uint64_t hash_bytes(const void *data, size_t n)
{
	return hash_bytes_seeded(data, n, hash_seed);
}

static inline uint64_t hash_u64(uint64_t x)
{
	return hash_fold(x ^ hash_seed ^ HASH_K0, HASH_K1);
}

#endif
