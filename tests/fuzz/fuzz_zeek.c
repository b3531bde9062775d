/*
 * fuzz_zeek.c — the zeek reader's probe() and line() on arbitrary bytes,
 * through the shared harness (fuzz_reader.h), with native fields on and
 * then off. Empty lines are skipped as the driver skips them; every event
 * is rendered with event_to_json() so that each slice it holds is read;
 * every rejection must carry its code and a message; the probe score must
 * be within 0..100.
 */
#include <stdint.h>

#include "fuzz_reader.h"

extern const struct format format_zeek;

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	return fuzz_reader_run(&format_zeek,
			       FUZZ_READER_SKIP_EMPTY | FUZZ_READER_NEED_MSG | FUZZ_READER_TO_JSON |
				   FUZZ_READER_SCORE,
			       NULL, data, size);
}
