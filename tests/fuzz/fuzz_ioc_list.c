/* fuzz_ioc_list.c — the list/CSV/signature-base loader (first byte picks the file name) on hostile
 * input: load, finish, match once. */
#include <stdint.h>
#include <string.h>

#include "detect/ioc/ioc.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	struct ioc_set *s;
	if (ioc_set_new(&s))
		return 0;
	struct ioc_load_stats st = {0};
	/* The first byte picks the file name, which selects signature-base modes. */
	static const char *const names[] = {"fuzz.txt", "filename-iocs.txt", "keywords.txt",
					    "hash-iocs.csv"};
	const char *name = names[size ? data[0] & 3 : 0];
	ioc_set_load_mem(s, name, (const char *)data + (size ? 1 : 0), size ? size - 1 : 0, NULL,
			 &st);
	if (ioc_set_finish(s, NULL) == 0) {
		struct ioc_matcher *m;
		if (ioc_matcher_new(s, &m) == 0) {
			struct event ev;
			event_clear(&ev);
			ev.str[ES_DOMAIN] = slice_make((const char *)data, size > 64 ? 64 : size);
			ev.str[ES_URL] = ev.str[ES_DOMAIN];
			ev.str[ES_FILE_PATH] = ev.str[ES_DOMAIN];
			ev.str[ES_MD5] = ev.str[ES_DOMAIN];
			struct ioc_hit h[4];
			ioc_matcher_match(m, &ev, h, 4);
			ioc_matcher_free(m);
		}
	}
	ioc_set_free(s);
	return 0;
}
