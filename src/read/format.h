/*
 * format.h — one row of the reader table: what a log format reader provides.
 *
 * Most logs are lines. A line reader implements `line`: it gets one line
 * (without its newline, CR stripped) and fills one event, or says the line
 * was a header/comment, or rejects it with a reason. The driver (reader.c)
 * does everything else: files, decompression, buffering, line numbers,
 * batching, error accounting, format detection from the first bytes.
 *
 * Record formats that are not lines (EVTX, pcap) implement `open`/`next`/
 * `close` instead and read the file themselves.
 *
 * Add a format: write src/read/<name>.c defining `const struct format
 * format_<name>`, add one line to format_list.h.
 */
#ifndef AS_READ_FORMAT_H
#define AS_READ_FORMAT_H

#include <stdbool.h>
#include <stddef.h>

#include "core/arena.h"
#include "core/diag.h"
#include "core/slice.h"
#include "event/event.h"

struct read_opts {
	bool fields;           /* fill native fields (Sigma, `events`); canonical fields always */
	int default_year;      /* for year-less time stamps; 0 = infer from file time */
	const char *path;      /* the file being read (for path-dependent parsing) */
	int64_t file_mtime_us; /* the file's modification time, AS_TIME_NONE if unknown */
};

/* What line() returns besides errors (<0). */
enum { LINE_SKIP = 0, LINE_EVENT = 1 };

struct format {
	const char *name;    /* "eve", "zeek", "syslog", … (used by --format) */
	const char *summary; /* one line for `aptscope formats` */
	/* How sure (0..100) that a stream starting with head is this format.
	 * head is the first AS_PROBE_BYTES bytes, decompressed, possibly cut
	 * mid-line. 0 = certainly not. */
	int (*probe)(struct slice head);

	/* Line formats. state_size bytes of zeroed per-file state. */
	size_t state_size;
	int (*init)(void *state, const struct read_opts *opts); /* may be NULL */
	/* One line → LINE_EVENT (ev filled; ev was cleared and has source and
	 * record set by the driver), LINE_SKIP, or a negative AS_E* with *why
	 * filled. Values may point into line or into arena a (freed with the
	 * batch). */
	int (*line)(void *state, struct slice line, struct event *ev, struct arena *a,
		    struct diag *why);
	void (*fini)(void *state); /* may be NULL */

	/* Record formats (line == NULL). */
	int (*open)(void **state, const char *path, const struct read_opts *opts, struct diag *why);
	/* 1: one event; 0: end; <0: bad record (reported; reading goes on unless
	 * the returned code is AS_EIO). */
	int (*next)(void *state, struct event *ev, struct arena *a, struct diag *why);
	void (*close)(void *state);
};

/* The table, from format_list.h. */
extern const struct format *const format_table[];
extern const size_t format_count;

const struct format *format_by_name(const char *name);
/* Best format for head, or NULL when none is at least AS_PROBE_MIN sure. */
#define AS_PROBE_MIN 30
const struct format *format_detect(struct slice head, int *confidence);

#endif
