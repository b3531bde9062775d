/*
 * bench_evtx.c — EVTX reading alone: files through the reader driver, with
 * native fields (what Sigma needs), nothing printed.
 *
 * Usage: bench_evtx [-r REPS] [-d] FILE…
 *
 * Each pass reads every file once (open, every record, close); the best of
 * REPS passes (default 3) is kept. Prints records, events, errors, the
 * thread's CPU seconds and records per CPU second: on a shared machine CPU
 * time is disturbed far less than wall time. APTSCOPE_EVTX=libevtx selects
 * the libevtx path, as for aptscope itself. Under
 * valgrind --tool=callgrind with -r 1 the instruction count is the steady
 * figure (bench/evtx.sh does that).
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <unistd.h>

#include "event/fieldname.h"
#include "read/reader.h"

static double cpu_now(void)
{
	struct timespec ts;
	clock_gettime(CLOCK_THREAD_CPUTIME_ID, &ts);
	return (double)ts.tv_sec + (double)ts.tv_nsec / 1e9;
}

extern const struct format format_evtx;

static uint64_t fnv(uint64_t h, const void *p, size_t n)
{
	const unsigned char *c = p;
	for (size_t i = 0; i < n; i++)
		h = (h ^ c[i]) * 0x100000001b3ull;
	return h;
}

/* A slice with its length, so that "ab","c" and "a","bc" differ. */
static uint64_t fnv_slice(uint64_t h, struct slice s)
{
	uint64_t n = s.ptr ? s.len : UINT64_MAX;
	h = fnv(h, &n, sizeof n);
	return s.ptr ? fnv(h, s.ptr, s.len) : h;
}

static uint64_t digest_batch(uint64_t h, const struct batch *b)
{
	for (size_t i = 0; i < b->n; i++) {
		const struct event *ev = &b->events[i];
		h = fnv_slice(h, ev->raw);
		h = fnv(h, &ev->time, sizeof ev->time);
		h = fnv(h, &ev->record, sizeof ev->record);
		h = fnv(h, &ev->kind, sizeof ev->kind);
		h = fnv(h, &ev->outcome, sizeof ev->outcome);
		h = fnv(h, &ev->user_invalid, sizeof ev->user_invalid);
		h = fnv(h, &ev->num_present, sizeof ev->num_present);
		for (int k = 0; k < EN_COUNT; k++)
			if (ev->num_present & 1u << k)
				h = fnv(h, &ev->num[k], sizeof ev->num[k]);
		h = fnv(h, &ev->src_ip, sizeof ev->src_ip);
		h = fnv(h, &ev->dst_ip, sizeof ev->dst_ip);
		for (int k = 0; k < ES_COUNT; k++)
			h = fnv_slice(h, ev->str[k]);
		for (uint32_t k = 0; k < ev->nfields; k++) {
			const struct field *f = &ev->fields[k];
			h = fnv_slice(h, fieldname_str(f->name));
			h = fnv(h, &f->type, sizeof f->type);
			h = fnv_slice(h, f->value);
		}
	}
	return h;
}

int main(int argc, char **argv)
{
	int reps = 3, c;
	bool digest = false;
	uint64_t h = 0xcbf29ce484222325ull;
	while ((c = getopt(argc, argv, "r:d")) != -1) {
		if (c == 'd') {
			digest = true;
			continue;
		}
		if (c != 'r') {
			fprintf(stderr, "usage: bench_evtx [-r REPS] [-d] FILE…\n");
			return 2;
		}
		reps = atoi(optarg) > 0 ? atoi(optarg) : 1;
	}
	if (optind >= argc) {
		fprintf(stderr, "usage: bench_evtx [-r REPS] [-d] FILE…\n");
		return 2;
	}
	struct diag_sink sink;
	diag_sink_init(&sink, NULL); /* count only */
	struct read_opts ro = {.fields = true};
	struct batch b;
	batch_init(&b);
	double best = 0;
	uint64_t records = 0, events = 0, errors = 0;
	for (int rep = 0; rep < reps; rep++) {
		uint64_t rec = 0, ev = 0, err = 0;
		double t0 = cpu_now();
		for (int i = optind; i < argc; i++) {
			struct source src = {.path = argv[i], .id = (uint32_t)i};
			struct reader *r = NULL;
			struct diag why = {0};
			if (reader_open(&r, &src, &format_evtx, &ro, &sink, &why)) {
				fprintf(stderr, "%s: %s\n", argv[i], why.msg);
				err++;
				continue;
			}
			while (reader_next(r, &b) > 0)
				if (digest && rep == 0)
					h = digest_batch(h, &b);
			struct reader_stats st;
			reader_stats(r, &st);
			rec += st.records;
			ev += st.events;
			err += st.errors;
			reader_close(r);
		}
		double t = cpu_now() - t0;
		if (rep == 0 || t < best)
			best = t;
		records = rec;
		events = ev;
		errors = err;
	}
	printf("files %d records %llu events %llu errors %llu cpu_s %.4f events_per_cpu_s %.0f\n",
	       argc - optind, (unsigned long long)records, (unsigned long long)events,
	       (unsigned long long)errors, best, best > 0 ? (double)events / best : 0.0);
	if (digest)
		printf("digest %016llx\n", (unsigned long long)h);
	batch_free(&b);
	diag_sink_fini(&sink);
	return 0;
}
