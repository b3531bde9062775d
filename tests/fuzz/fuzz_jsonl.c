/*
 * fuzz_jsonl.c — the jsonl reader's probe() and line() on arbitrary bytes,
 * through the shared harness (fuzz_reader.h): every line, empty ones too,
 * with native fields on and then off.
 */
#include <stdint.h>

#include "fuzz_reader.h"

extern const struct format format_jsonl;

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	return fuzz_reader_run(&format_jsonl, 0, NULL, data, size);
}
