/*
 * reader.h — the driver that turns one file into batches of events.
 *
 * It opens the file (decompressing), detects the format from the first
 * bytes unless one is forced, splits lines (or asks a record format for
 * records), calls the format's parser, numbers records, and reports every
 * rejected record through the diag sink while going on. A batch's events
 * point into the reader's buffer and the batch arena: they stay valid until
 * the next reader_next() on the same reader.
 */
#ifndef AS_READ_READER_H
#define AS_READ_READER_H

#include <stdint.h>

#include "core/arena.h"
#include "core/diag.h"
#include "event/event.h"
#include "read/format.h"

struct batch {
	struct event *events;
	size_t n;
	struct arena arena;
};

void batch_init(struct batch *b);
void batch_free(struct batch *b); /* accepts NULL */

struct reader_stats {
	uint64_t records; /* lines or records seen (blank lines excluded) */
	uint64_t events;  /* events produced */
	uint64_t errors;  /* records rejected */
	uint64_t bytes;   /* decompressed bytes read */
};

struct reader;

/* Open path as src->path. force: a format or NULL to detect. On a file-level
 * failure (cannot open, unknown format) returns <0 with *why set. */
int reader_open(struct reader **out, struct source *src, const struct format *force,
		const struct read_opts *opts, struct diag_sink *diags, struct diag *why);
/* The next batch: >0 events in b, 0 at end, <0 when the file cannot be read
 * further (reported through the sink; events already returned stay valid). */
int reader_next(struct reader *r, struct batch *b);
const struct format *reader_format(const struct reader *r);
void reader_stats(const struct reader *r, struct reader_stats *st);
void reader_close(struct reader *r); /* accepts NULL */

#endif
