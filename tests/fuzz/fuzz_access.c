/*
 * fuzz_access.c — the access reader's probe() and line() on arbitrary bytes,
 * through the shared harness (fuzz_reader.h), with native fields on and
 * then off; one per-file state for the whole input (headers and data lines
 * interact). Empty lines are skipped as the driver skips them; the probe
 * score must be within 0..100.
 */
#include <stdint.h>

#include "fuzz_reader.h"

extern const struct format format_access;

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	return fuzz_reader_run(&format_access, FUZZ_READER_SKIP_EMPTY | FUZZ_READER_SCORE, NULL,
			       data, size);
}
