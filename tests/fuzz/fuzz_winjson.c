/*
 * fuzz_winjson.c — the Windows JSON / Sysmon for Linux reader's probe() and
 * line() on arbitrary bytes, through the shared harness (fuzz_reader.h):
 * every line, empty ones too, with native fields on and then off. Lines
 * that do not start with '{' reach the event XML parser.
 */
#include <stdint.h>

#include "fuzz_reader.h"

extern const struct format format_winjson;

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	return fuzz_reader_run(&format_winjson, 0, NULL, data, size);
}
