/* format.c — the reader table and detection by content. */
#include "read/format.h"

#include <string.h>

#define FORMAT(n) extern const struct format format_##n;
#include "read/format_list.h"
#undef FORMAT

const struct format *const format_table[] = {
#define FORMAT(n) &format_##n,
#include "read/format_list.h"
#undef FORMAT
    NULL,
};

const size_t format_count = sizeof format_table / sizeof format_table[0] - 1;

const struct format *format_by_name(const char *name)
{
	for (size_t i = 0; i < format_count; i++)
		if (strcmp(format_table[i]->name, name) == 0)
			return format_table[i];
	return NULL;
}

const struct format *format_detect(struct slice head, int *confidence)
{
	const struct format *best = NULL;
	int best_score = 0;
	for (size_t i = 0; i < format_count; i++) {
		if (!format_table[i]->probe)
			continue;
		int s = format_table[i]->probe(head);
		if (s > best_score) {
			best_score = s;
			best = format_table[i];
		}
	}
	if (confidence)
		*confidence = best_score;
	return best_score >= AS_PROBE_MIN ? best : NULL;
}
