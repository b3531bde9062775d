/*
 * reader.c — file → batches of events, see reader.h.
 *
 *   input (gz/zst) ─► buf [ consumed | lines being parsed | partial tail | free ]
 *
 * Lines are parsed in place; the batch's events point into buf. When no
 * complete line is left the partial tail moves to the front and the free
 * space is refilled — only at the start of reader_next(), after the caller
 * is done with the previous batch. A line longer than AS_MAX_LINE is
 * reported and skipped up to its newline.
 */
#include "read/reader.h"

#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>

#include "core/error.h"
#include "core/limits.h"
#include "core/timeparse.h"
#include "read/input.h"

struct reader {
	const struct format *fmt;
	struct read_opts opts;
	struct source *src;
	struct diag_sink *diags;
	uint64_t printed; /* diagnostics printed for this file */
	struct input *in;
	char *buf;
	size_t cap, start, end; /* parse position, end of valid bytes */
	uint64_t buf_offset;    /* stream offset of buf[0] */
	uint64_t line_no;
	int eof;      /* input ended */
	int skipping; /* discarding an over-long line */
	int failed;   /* file-level error already reported */
	void *state;  /* the format's per-file state */
	struct reader_stats st;
	struct event *events; /* AS_MAX_BATCH_EVENTS */
};

void batch_init(struct batch *b)
{
	b->events = NULL;
	b->n = 0;
	arena_init(&b->arena, 0);
}

void batch_free(struct batch *b)
{
	if (b)
		arena_free(&b->arena);
}

static void report(struct reader *r, uint64_t record, uint64_t offset, const struct diag *d)
{
	diag_report(r->diags, r->src->path, record, offset, d, &r->printed);
}

/* One read into the free space; reports a broken input once. */
static void read_more(struct reader *r)
{
	ssize_t n = input_read(r->in, r->buf + r->end, r->cap - r->end);
	if (n > 0) {
		r->end += (size_t)n;
		r->st.bytes += (uint64_t)n;
		return;
	}
	r->eof = 1;
	if (n == 0)
		return;
	struct diag d;
	diag_set(&d, (int)n, "%s after %llu bytes; read what it held",
		 n == AS_ETRUNC ? "truncated compressed file" : as_strerror((int)n),
		 (unsigned long long)(r->buf_offset + r->end));
	report(r, 0, 0, &d);
	r->st.errors++;
	r->failed = (int)n;
}

static void fill(struct reader *r)
{
	if (r->start > 0) {
		memmove(r->buf, r->buf + r->start, r->end - r->start);
		r->buf_offset += r->start;
		r->end -= r->start;
		r->start = 0;
	}
	if (!r->eof && r->end < r->cap)
		read_more(r); /* one read per fill keeps batches close to one chunk */
}

int reader_open(struct reader **out, struct source *src, const struct format *force,
		const struct read_opts *opts, struct diag_sink *diags, struct diag *why)
{
	*out = NULL;
	struct reader *r = calloc(1, sizeof *r);
	if (!r)
		return diag_set(why, AS_ENOMEM, "out of memory");
	r->src = src;
	r->diags = diags;
	r->opts = *opts;
	r->opts.path = src->path;
	struct stat st;
	r->opts.file_mtime_us =
	    stat(src->path, &st) == 0 ? (int64_t)st.st_mtime * 1000000 : AS_TIME_NONE;
	int rc = input_open(&r->in, src->path, why);
	if (rc)
		goto fail;
	/* Enough bytes to detect the format; the line buffer is grown to its
	 * size only for a line format (record formats read the file
	 * themselves, and most EVTX files are smaller than it). */
	r->cap = AS_PROBE_BYTES;
	r->buf = malloc(r->cap + 1);
	r->events = malloc(AS_MAX_BATCH_EVENTS * sizeof *r->events);
	if (!r->buf || !r->events) {
		rc = diag_set(why, AS_ENOMEM, "out of memory");
		goto fail;
	}
	while (!r->eof && r->end < AS_PROBE_BYTES)
		read_more(r);
	r->fmt = force;
	if (!r->fmt) {
		size_t probe = r->end < AS_PROBE_BYTES ? r->end : AS_PROBE_BYTES;
		int conf = 0;
		r->fmt = format_detect(slice_make(r->buf, probe), &conf);
		if (!r->fmt) {
			rc = diag_set(why, AS_EFORMAT,
				      r->end ? "unknown log format (no reader recognises it; "
					       "--format forces one)"
					     : "empty file");
			goto fail;
		}
	}
	src->format = r->fmt->name;
	if (r->fmt->line) {
		char *grown = realloc(r->buf, AS_MAX_LINE + AS_READ_CHUNK + 1);
		if (!grown) {
			rc = diag_set(why, AS_ENOMEM, "out of memory");
			goto fail;
		}
		r->buf = grown;
		r->cap = AS_MAX_LINE + AS_READ_CHUNK;
		if (r->fmt->state_size && !(r->state = calloc(1, r->fmt->state_size))) {
			rc = diag_set(why, AS_ENOMEM, "out of memory");
			goto fail;
		}
		if (r->fmt->init && (rc = r->fmt->init(r->state, &r->opts))) {
			diag_set(why, rc, "%s reader: %s", r->fmt->name, as_strerror(rc));
			goto fail;
		}
	} else {
		/* Record formats read the file themselves. */
		input_close(r->in);
		r->in = NULL;
		if ((rc = r->fmt->open(&r->state, src->path, &r->opts, why)))
			goto fail;
	}
	*out = r;
	return 0;
fail:
	reader_close(r);
	return rc;
}

static int next_records(struct reader *r, struct batch *b)
{
	struct diag d = {0};
	size_t n = 0;
	while (n < AS_MAX_BATCH_EVENTS) {
		struct event *ev = &r->events[n];
		event_clear(ev);
		d.msg[0] = 0;
		int rc = r->fmt->next(r->state, ev, &b->arena, &d);
		if (rc == 0)
			break;
		r->st.records++;
		if (rc < 0) {
			r->st.errors++;
			report(r, r->st.records, 0, &d);
			if (rc == AS_EIO)
				break;
			continue;
		}
		ev->source = r->src;
		if (!ev->record)
			ev->record = r->st.records;
		n++;
	}
	r->st.events += n;
	b->events = r->events;
	b->n = n;
	return (int)n;
}

int reader_next(struct reader *r, struct batch *b)
{
	arena_reset(&b->arena);
	b->n = 0;
	if (!r->fmt->line)
		return next_records(r, b);
	size_t n = 0;
	struct diag d;
	for (;;) {
		char *nl = memchr(r->buf + r->start, '\n', r->end - r->start);
		if (!nl) {
			if (r->eof) {
				if (r->start == r->end)
					break;
				nl = r->buf + r->end; /* last line without a newline */
			} else {
				if (n > 0)
					break; /* hand this batch over before moving the buffer */
				if (r->end - r->start >= AS_MAX_LINE) {
					if (!r->skipping) {
						diag_set(&d, AS_ETOOBIG,
							 "line longer than %u bytes skipped",
							 AS_MAX_LINE);
						report(r, r->line_no + 1, r->buf_offset + r->start,
						       &d);
						r->st.errors++;
						r->st.records++;
					}
					r->skipping = 1;
					r->start = r->end;
				}
				fill(r);
				continue;
			}
		}
		size_t at = r->start;
		struct slice line = slice_make(r->buf + at, (size_t)(nl - (r->buf + at)));
		r->start = (size_t)(nl - r->buf) + (nl < r->buf + r->end);
		r->line_no++;
		if (r->skipping) {
			r->skipping = 0;
			continue;
		}
		if (line.len && line.ptr[line.len - 1] == '\r')
			line.len--;
		if (line.len == 0)
			continue;
		r->st.records++;
		struct event *ev = &r->events[n];
		event_clear(ev);
		ev->source = r->src;
		ev->record = r->line_no;
		ev->raw = line;
		d.code = 0;
		d.msg[0] = 0;
		int rc = r->fmt->line(r->state, line, ev, &b->arena, &d);
		if (rc == LINE_EVENT) {
			if (++n == AS_MAX_BATCH_EVENTS)
				break;
		} else if (rc < 0) {
			r->st.errors++;
			if (!d.msg[0])
				diag_set(&d, rc, "%s", as_strerror(rc));
			report(r, r->line_no, r->buf_offset + at, &d);
		}
		if (r->start >= r->end && r->eof)
			break;
	}
	r->st.events += n;
	b->events = r->events;
	b->n = n;
	return (int)n;
}

const struct format *reader_format(const struct reader *r)
{
	return r->fmt;
}

void reader_stats(const struct reader *r, struct reader_stats *st)
{
	*st = r->st;
}

void reader_close(struct reader *r)
{
	if (!r)
		return;
	if (r->state) {
		if (r->fmt && r->fmt->line && r->fmt->fini)
			r->fmt->fini(r->state);
		else if (r->fmt && !r->fmt->line && r->fmt->close)
			r->fmt->close(r->state);
		if (r->fmt && r->fmt->line)
			free(r->state);
	}
	input_close(r->in);
	free(r->buf);
	free(r->events);
	free(r);
}
