/*
 * fuzz_syslog.c — the syslog reader's probe() and line() on arbitrary bytes,
 * through the shared harness (fuzz_reader.h): every line, empty ones too,
 * with native fields and a default year, then without either (the year
 * then inferred from a fixed mtime).
 */
#include <stdint.h>

#include "fuzz_reader.h"

extern const struct format format_syslog;

static const struct read_opts passes[2] = {
    {.fields = true, .default_year = 2024, .file_mtime_us = 1709294400000000},
    {.fields = false, .default_year = 0, .file_mtime_us = 1709294400000000},
};

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	return fuzz_reader_run(&format_syslog, 0, passes, data, size);
}
