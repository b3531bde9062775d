/*
 * read_test.h — what the reader unit tests (test_read_*.c) share.
 *
 * - test_data_path(): a fixture under $APTSCOPE_TEST_DATA/<dir>/.
 * - field_text() / check_event(): the expectation notation, "name=value"
 *   pairs joined by '|' — a canonical field by its JSON name (event.h),
 *   kind, outcome, time, src_ip, dst_ip, user_invalid, record, nfields,
 *   "f.Name" or "@Name" for a native field, "!name" for one that must be
 *   absent.
 * - read_run(): a file read whole through reader_open/reader_next, each
 *   event handed to a callback while its batch lives, the diagnostics
 *   printed into a string; read_run_keep() as that callback copies every
 *   event so that it outlives its batch.
 * - struct line_feeder: one format fed line by line as the driver would,
 *   each line copied to a buffer of exactly its size so that ASan sees any
 *   read past its end; feed_text() splits a text into lines for it.
 *
 * Header-only (every test is its own executable); the functions are static
 * inline so that a test may use only some of them.
 */
#ifndef AS_TESTS_READ_TEST_H
#define AS_TESTS_READ_TEST_H

#include <setjmp.h>
#include <stdarg.h>
#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <cmocka.h>

#include "core/timeparse.h"
#include "event/fieldname.h"
#include "read/format.h"
#include "read/reader.h"

/* ---- fixtures ----------------------------------------------------------- */

/* $APTSCOPE_TEST_DATA/dir/name (tests/data when unset), in a static buffer. */
static inline const char *test_data_path(const char *dir, const char *name)
{
	static char p[1024];
	const char *root = getenv("APTSCOPE_TEST_DATA");
	snprintf(p, sizeof p, "%s/%s/%s", root ? root : "tests/data", dir, name);
	return p;
}

/* The whole file, NUL-terminated; *n its length. Free with free(). */
static inline char *slurp(const char *path, size_t *n)
{
	FILE *f = fopen(path, "rb");
	if (!f)
		fail_msg("cannot open %s", path);
	fseek(f, 0, SEEK_END);
	long len = ftell(f);
	fseek(f, 0, SEEK_SET);
	char *p = malloc((size_t)len + 1);
	assert_non_null(p);
	assert_int_equal(fread(p, 1, (size_t)len, f), (size_t)len);
	fclose(f);
	p[len] = 0;
	*n = (size_t)len;
	return p;
}

/* ---- expectations ------------------------------------------------------- */

/* The value of one expectation key on ev, as text; false when absent. */
static inline bool field_text(const struct event *ev, const char *key, char *out, size_t cap)
{
	if (key[0] == '@' || strncmp(key, "f.", 2) == 0) {
		const struct field *f =
		    event_field_find(ev, slice_cstr(key + (key[0] == '@' ? 1 : 2)));
		if (!f)
			return false;
		if (f->type == FT_NULL)
			snprintf(out, cap, "null");
		else
			snprintf(out, cap, SLICE_FMT, SLICE_ARG(f->value));
		return true;
	}
	if (strcmp(key, "kind") == 0) {
		snprintf(out, cap, "%s", event_kind_name((enum event_kind)ev->kind));
		return true;
	}
	if (strcmp(key, "outcome") == 0) {
		snprintf(out, cap, "%s", outcome_name((enum outcome)ev->outcome));
		return ev->outcome != OUTCOME_UNKNOWN;
	}
	if (strcmp(key, "user_invalid") == 0) {
		snprintf(out, cap, "%d", ev->user_invalid);
		return true;
	}
	if (strcmp(key, "record") == 0) {
		snprintf(out, cap, "%llu", (unsigned long long)ev->record);
		return true;
	}
	if (strcmp(key, "nfields") == 0) {
		snprintf(out, cap, "%u", ev->nfields);
		return true;
	}
	if (strcmp(key, "time") == 0) {
		char t[AS_TIME_STRLEN];
		snprintf(out, cap, "%s", time_format(ev->time, t));
		return ev->time != AS_TIME_NONE;
	}
	if (strcmp(key, "src_ip") == 0 || strcmp(key, "dst_ip") == 0) {
		const struct ip *ip = key[0] == 's' ? &ev->src_ip : &ev->dst_ip;
		char t[IP_STRLEN];
		snprintf(out, cap, "%s", ip_format(ip, t));
		return ip->family != IP_NONE;
	}
	for (int k = 0; k < ES_COUNT; k++)
		if (strcmp(key, event_str_name((enum event_str)k)) == 0) {
			snprintf(out, cap, SLICE_FMT, SLICE_ARG(ev->str[k]));
			return ev->str[k].ptr != NULL;
		}
	for (int k = 0; k < EN_COUNT; k++)
		if (strcmp(key, event_num_name((enum event_num)k)) == 0) {
			snprintf(out, cap, "%lld", (long long)ev->num[k]);
			return event_has_num(ev, (enum event_num)k);
		}
	fail_msg("unknown expectation key %s", key);
	return false;
}

/* Fails (naming what) unless ev meets every "name=value" / "!name" of want. */
static inline void check_event(const struct event *ev, const char *want, const char *what)
{
	char spec[4096];
	snprintf(spec, sizeof spec, "%s", want);
	char *save = NULL;
	for (char *tok = strtok_r(spec, "|", &save); tok; tok = strtok_r(NULL, "|", &save)) {
		char got[2048];
		if (tok[0] == '!') {
			if (field_text(ev, tok + 1, got, sizeof got))
				fail_msg("%s: %s should be absent, is '%s'", what, tok + 1, got);
			continue;
		}
		char *eq = strchr(tok, '=');
		assert_non_null(eq);
		*eq = '\0';
		if (!field_text(ev, tok, got, sizeof got))
			fail_msg("%s: %s absent, want '%s'", what, tok, eq + 1);
		if (strcmp(got, eq + 1) != 0)
			fail_msg("%s: %s is '%s', want '%s'", what, tok, got, eq + 1);
	}
}

/* ---- a file through the driver ------------------------------------------ */

struct read_run {
	struct source src;        /* every event's source */
	const struct format *fmt; /* detected or forced; NULL when open failed */
	struct reader_stats st;   /* after the last batch */
	int open_rc;              /* reader_open's code */
	char open_msg[AS_MAX_DIAG_MSG];
	int end_rc;  /* reader_next's last code (0: end of file) */
	char *diags; /* printed diagnostics ("" when none) */
	/* copies of the events, when read_run_keep was the callback */
	struct event *ev;
	size_t n, cap;
	struct arena keep;
};

/* Reads path whole (format detected unless force), calling each(ctx, ev) on
 * every event while its batch lives (each may be NULL). Returns reader_open's
 * code; the run, which the caller frees with read_run_free(), says the rest. */
static inline int read_run(struct read_run *run, const char *path, const struct format *force,
			   const struct read_opts *ro,
			   void (*each)(void *ctx, const struct event *ev), void *ctx)
{
	memset(run, 0, sizeof *run);
	arena_init(&run->keep, 0);
	run->src.path = path;
	size_t dlen = 0;
	FILE *dout = open_memstream(&run->diags, &dlen);
	assert_non_null(dout);
	struct diag_sink sink;
	diag_sink_init(&sink, dout);
	struct reader *r = NULL;
	struct diag why = {0};
	run->open_rc = reader_open(&r, &run->src, force, ro, &sink, &why);
	if (run->open_rc) {
		snprintf(run->open_msg, sizeof run->open_msg, "%s", why.msg);
	} else {
		run->fmt = reader_format(r);
		struct batch b;
		batch_init(&b);
		while ((run->end_rc = reader_next(r, &b)) > 0)
			for (int i = 0; i < run->end_rc; i++)
				if (each)
					each(ctx, &b.events[i]);
		reader_stats(r, &run->st);
		reader_close(r);
		batch_free(&b);
	}
	diag_sink_fini(&sink);
	fclose(dout);
	return run->open_rc;
}

/* read_run's callback that copies each event into the run (ctx), so that it
 * outlives its batch: run->ev[0..n). */
static inline void read_run_keep(void *ctx, const struct event *ev)
{
	struct read_run *run = ctx;
	if (run->n == run->cap) {
		run->cap = run->cap ? 2 * run->cap : 64;
		run->ev = realloc(run->ev, run->cap * sizeof *run->ev);
		assert_non_null(run->ev);
	}
	assert_int_equal(event_copy(&run->ev[run->n], ev, &run->keep), 0);
	run->n++;
}

static inline void read_run_free(struct read_run *run)
{
	free(run->diags);
	free(run->ev);
	arena_free(&run->keep);
	memset(run, 0, sizeof *run);
}

/* ---- a format fed line by line ------------------------------------------ */

struct line_feeder {
	const struct format *f;
	void *state; /* state_size zeroed bytes, run through init() and fini() */
	struct arena a;
	const struct source *src; /* given to every event, with record */
	uint64_t record;          /* set by the caller before each line */
	struct event ev;          /* the last line's event */
	struct diag why;          /* the last line's diag */
	char *copy;               /* the last line, exactly its size */
};

static inline void feeder_open(struct line_feeder *fd, const struct format *f,
			       const struct read_opts *ro)
{
	memset(fd, 0, sizeof *fd);
	fd->f = f;
	fd->state = calloc(1, f->state_size ? f->state_size : 1);
	assert_non_null(fd->state);
	arena_init(&fd->a, 0);
	if (f->init)
		assert_int_equal(f->init(fd->state, ro), 0);
}

/* One line (without its newline) to line(), with the arena reset, the diag
 * cleared and the event cleared and given source, record and raw first, as
 * the driver does; returns line()'s code. fd->ev and fd->copy stay valid
 * until the next line. */
static inline int feeder_line(struct line_feeder *fd, const char *line, size_t n)
{
	free(fd->copy);
	fd->copy = malloc(n ? n : 1);
	assert_non_null(fd->copy);
	memcpy(fd->copy, line, n);
	arena_reset(&fd->a);
	event_clear(&fd->ev);
	fd->ev.source = fd->src;
	fd->ev.record = fd->record;
	fd->ev.raw = slice_make(fd->copy, n);
	memset(&fd->why, 0, sizeof fd->why);
	return fd->f->line(fd->state, slice_make(fd->copy, n), &fd->ev, &fd->a, &fd->why);
}

static inline void feeder_close(struct line_feeder *fd)
{
	if (fd->f->fini)
		fd->f->fini(fd->state);
	free(fd->state);
	arena_free(&fd->a);
	free(fd->copy);
}

/* Feeds text[0..len) to fd line by line as the driver splits a file: on
 * '\n', one trailing '\r' dropped, empty lines skipped (but counted in
 * fd->record, the line number). each(ctx, rc, fd) sees every fed line's
 * code, event (fd->ev) and diag (fd->why). */
static inline void feed_text(struct line_feeder *fd, const char *text, size_t len,
			     void (*each)(void *ctx, int rc, const struct line_feeder *fd),
			     void *ctx)
{
	for (size_t at = 0; at < len;) {
		const char *nl = memchr(text + at, '\n', len - at);
		size_t n = nl ? (size_t)(nl - (text + at)) : len - at;
		const char *line = text + at;
		at += n + (nl != NULL);
		fd->record++;
		if (n && line[n - 1] == '\r')
			n--;
		if (n)
			each(ctx, feeder_line(fd, line, n), fd);
	}
}

#endif
