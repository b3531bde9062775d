/* hash.c — the per-process hash seed. */
#include "core/hash.h"

#include <stdio.h>
#include <time.h>
#include <unistd.h>

uint64_t hash_seed = 0x2545f4914f6cdd1dull;

void hash_seed_init(void)
{
	uint64_t s = 0;
	FILE *f = fopen("/dev/urandom", "rb");
	if (f) {
		if (fread(&s, sizeof s, 1, f) != 1)
			s = 0;
		fclose(f);
	}
	if (!s)
		s = (uint64_t)time(NULL) * HASH_K0 ^ (uint64_t)getpid();
	hash_seed = s | 1;
}
