/*
 * fuzz_input.c — the decompressing input (gzip, zstd, plain) on arbitrary
 * bytes: it must yield data or an error, never crash or loop.
 */
#include <stddef.h>
#include <stdint.h>

#include "read/input.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	struct input *in;
	if (input_open_mem(&in, data, size))
		return 0;
	static char buf[65536];
	ssize_t n;
	uint64_t total = 0;
	while ((n = input_read(in, buf, sizeof buf)) > 0 && total < (64u << 20))
		total += (uint64_t)n;
	input_close(in);
	return 0;
}
