/*
 * diag.h — reporting bad input without stopping.
 *
 * A parser that rejects a record fills a struct diag (code and reason); the
 * driver adds where it was (file, record, byte offset) and hands it to the
 * run's diag_sink, which counts every one and prints the first
 * AS_MAX_DIAG_PER_FILE per file as
 *     aptscope: FILE:RECORD: REASON
 * on its stream. Thread-safe.
 */
#ifndef AS_CORE_DIAG_H
#define AS_CORE_DIAG_H

#include <pthread.h>
#include <stdint.h>
#include <stdio.h>

#include "core/limits.h"

struct diag {
	int code; /* AS_E* */
	char msg[AS_MAX_DIAG_MSG];
};

/* Set d's code and message (printf-style); returns code, so a parser can
 * `return diag_set(why, AS_EPARSE, "…")`. */
int diag_set(struct diag *d, int code, const char *fmt, ...) __attribute__((format(printf, 3, 4)));

struct diag_sink {
	FILE *out; /* NULL: count only */
	pthread_mutex_t lock;
	uint64_t total;
};

void diag_sink_init(struct diag_sink *s, FILE *out);
/* Report one problem. record 0 means "the file as a whole". printed says how
 * many were printed for this file so far (the caller keeps it per file). */
void diag_report(struct diag_sink *s, const char *file, uint64_t record, uint64_t offset,
		 const struct diag *d, uint64_t *printed);
/* A problem that is not tied to a record (file-level or run-level). */
void diag_note(struct diag_sink *s, const char *fmt, ...) __attribute__((format(printf, 2, 3)));
void diag_sink_fini(struct diag_sink *s);

#endif
