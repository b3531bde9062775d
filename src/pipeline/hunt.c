/* hunt.c — the threaded read → detect → emit pipeline, see hunt.h. */
#include "pipeline/hunt.h"

#include <pthread.h>
#include <stdatomic.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <time.h>
#include <unistd.h>

#include "core/error.h"
#include "core/limits.h"
#include "core/timeparse.h"
#include "read/reader.h"
#include "read/walk.h"

/* Alerts of one file waiting for their turn. */
struct pending {
	struct alert **v;
	size_t n, cap;
	bool done;
	struct source_stats st;
	char *error;
};

struct run {
	const struct hunt_config *cfg;
	void **serial_ctx;           /* per detector: the one context of a serial detector */
	struct alert_sink held_sink; /* where serial detectors put their alerts */
	struct alert **held;         /* …held to the end of the run, see emit_held() */
	size_t nheld, capheld;
	pthread_mutex_t *serial_lock; /* per detector */
	struct file_list files;
	struct source *sources;
	struct pending *pend;
	_Atomic size_t next_file;
	pthread_mutex_t lock; /* emitter: next_emit, pend, output, store, stats */
	pthread_cond_t moved; /* next_emit moved on: waiting workers look again */
	size_t next_emit;
	size_t npending; /* alerts in pend of files not at the head */
	struct hunt_result *res;
	bool fields;
	_Atomic uint64_t bytes_read;
	uint64_t bytes_total;
	_Atomic int finished_workers;
};

struct worker {
	struct run *run;
	void **ctx; /* one per detector */
	struct alert_sink sink;
	size_t file; /* index being read */
	int status;
};

static void emit_one(struct run *r, struct alert *a)
{
	const struct hunt_config *cfg = r->cfg;
	alert_compute_id(a);
	r->res->stats.alerts++;
	if (cfg->store && store_alert_put(cfg->store, cfg->run_id, a))
		r->res->store_errors++;
	if (cfg->on_alert)
		cfg->on_alert(cfg->on_alert_ctx, a);
	else
		alert_free(a);
}

static void finish_file_locked(struct run *r, size_t i)
{
	struct pending *p = &r->pend[i];
	const struct hunt_config *cfg = r->cfg;
	if (cfg->store && store_source_put(cfg->store, cfg->run_id, &p->st))
		r->res->store_errors++;
	struct run_stats *s = &r->res->stats;
	s->records += p->st.records;
	s->events += p->st.events;
	s->errors += p->st.errors;
	s->bytes += p->st.bytes;
}

/* Emit every finished file at the head of the order, then what the new head
 * file has buffered so far. Called with the lock held. */
static void advance_locked(struct run *r)
{
	size_t head = r->next_emit;
	while (r->next_emit < r->files.n) {
		struct pending *p = &r->pend[r->next_emit];
		for (size_t k = 0; k < p->n; k++)
			emit_one(r, p->v[k]);
		r->npending -= p->n;
		p->n = 0;
		if (!p->done)
			break;
		finish_file_locked(r, r->next_emit);
		free(p->v);
		p->v = NULL;
		r->next_emit++;
	}
	if (r->next_emit != head)
		pthread_cond_broadcast(&r->moved);
}

/* A serial detector raises an alert in whichever worker's batch completed a
 * window, so where it would land in the file order depends on the threads.
 * Its alerts are held instead and emitted after every file, in (time, id)
 * order: the same input gives the same output, whatever the thread count. */
static int held_emit(struct alert_sink *self, struct alert *a)
{
	struct run *r = (struct run *)((char *)self - offsetof(struct run, held_sink));
	pthread_mutex_lock(&r->lock);
	int rc = 0;
	if (r->nheld == r->capheld) {
		size_t cap = r->capheld ? r->capheld * 2 : 64;
		struct alert **v = realloc(r->held, cap * sizeof *v);
		if (!v) {
			alert_free(a);
			rc = AS_ENOMEM;
			goto out;
		}
		r->held = v;
		r->capheld = cap;
	}
	alert_compute_id(a);
	r->held[r->nheld++] = a;
out:
	pthread_mutex_unlock(&r->lock);
	return rc;
}

static int by_time_id(const void *x, const void *y)
{
	const struct alert *a = *(struct alert *const *)x, *b = *(struct alert *const *)y;
	if (a->time != b->time)
		return a->time < b->time ? -1 : 1;
	return strcmp(a->id, b->id);
}

static void emit_held(struct run *r)
{
	if (!r->nheld)
		return;
	qsort(r->held, r->nheld, sizeof *r->held, by_time_id);
	for (size_t i = 0; i < r->nheld; i++)
		emit_one(r, r->held[i]);
	free(r->held);
	r->held = NULL;
	r->nheld = r->capheld = 0;
}

static int sink_emit(struct alert_sink *self, struct alert *a)
{
	struct worker *w = (struct worker *)((char *)self - offsetof(struct worker, sink));
	struct run *r = w->run;
	pthread_mutex_lock(&r->lock);
	int rc = 0;
	/* Alerts of a file ahead of the head wait for their turn, in memory;
	 * past AS_HUNT_MAX_PENDING of them this worker waits instead, until the
	 * head reaches its file. The head file's worker never waits, so the
	 * run always moves on. */
	while (w->file != r->next_emit && r->npending >= AS_HUNT_MAX_PENDING)
		pthread_cond_wait(&r->moved, &r->lock);
	if (w->file == r->next_emit) {
		emit_one(r, a);
	} else {
		struct pending *p = &r->pend[w->file];
		if (p->n == p->cap) {
			size_t cap = p->cap ? p->cap * 2 : 64;
			struct alert **v = realloc(p->v, cap * sizeof *v);
			if (!v) {
				alert_free(a);
				rc = AS_ENOMEM;
				goto out;
			}
			p->v = v;
			p->cap = cap;
		}
		p->v[p->n++] = a;
		if (++r->npending > r->res->pending_peak)
			r->res->pending_peak = r->npending;
	}
out:
	pthread_mutex_unlock(&r->lock);
	return rc;
}

static void read_file(struct worker *w, size_t i, struct batch *b)
{
	struct run *r = w->run;
	const struct hunt_config *cfg = r->cfg;
	struct source *src = &r->sources[i];
	struct read_opts ro = {.fields = r->fields, .default_year = cfg->default_year};
	struct reader *rd = NULL;
	struct diag why = {0};
	struct pending *p = &r->pend[i];
	p->st.path = src->path;
	w->file = i;
	if (reader_open(&rd, src, cfg->force, &ro, cfg->diags, &why)) {
		bool not_log = why.code == AS_EFORMAT;
		if (!(not_log && cfg->quiet_unknown))
			diag_note(cfg->diags, "%s: %s", src->path,
				  why.msg[0] ? why.msg : as_strerror(why.code));
		p->error = strdup(why.msg);
		p->st.error = p->error;
		pthread_mutex_lock(&r->lock);
		r->res->files_failed++;
		r->res->files_not_logs += not_log;
		goto done_locked;
	}
	p->st.format = src->format;
	uint64_t last_bytes = 0;
	int n;
	while ((n = reader_next(rd, b)) > 0) {
		for (size_t d = 0; d < cfg->ndetectors; d++) {
			const struct detector *det = &cfg->detectors[d];
			int drc = 0;
			if (det->serial) {
				pthread_mutex_lock(&r->serial_lock[d]);
				drc = det->scan(r->serial_ctx[d], b->events, (size_t)n,
						&r->held_sink);
				pthread_mutex_unlock(&r->serial_lock[d]);
			} else {
				drc = det->scan(w->ctx[d], b->events, (size_t)n, &w->sink);
			}
			/* A failing engine (out of memory, a limit) loses findings: count
			 * every batch it failed, and say so the first 64 times. */
			if (drc < 0 && atomic_fetch_add(&r->res->detector_errors, 1) < 64)
				diag_note(cfg->diags, "%s: %s engine: %s; findings may be missing",
					  src->path, det->name, as_strerror(drc));
		}
		struct reader_stats rs;
		reader_stats(rd, &rs);
		atomic_fetch_add(&r->bytes_read, rs.bytes - last_bytes);
		last_bytes = rs.bytes;
	}
	struct reader_stats rs;
	reader_stats(rd, &rs);
	atomic_fetch_add(&r->bytes_read, rs.bytes - last_bytes);
	reader_close(rd);
	p->st.records = rs.records;
	p->st.events = rs.events;
	p->st.errors = rs.errors;
	p->st.bytes = rs.bytes;
	pthread_mutex_lock(&r->lock);
done_locked:
	p->done = true;
	if (i == r->next_emit)
		advance_locked(r);
	pthread_mutex_unlock(&r->lock);
}

static void *worker_main(void *arg)
{
	struct worker *w = arg;
	struct run *r = w->run;
	struct batch b;
	batch_init(&b);
	for (;;) {
		size_t i = atomic_fetch_add(&r->next_file, 1);
		if (i >= r->files.n)
			break;
		read_file(w, i, &b);
	}
	batch_free(&b);
	atomic_fetch_add(&r->finished_workers, 1);
	return NULL;
}

static int online_cpus(void)
{
	long n = sysconf(_SC_NPROCESSORS_ONLN);
	return n > 0 ? (int)n : 1;
}

static void progress_line(struct run *r, int64_t start)
{
	double secs = (double)(time_now_us() - start) / 1e6;
	uint64_t done = atomic_load(&r->bytes_read);
	double pct = r->bytes_total ? 100.0 * (double)done / (double)r->bytes_total : 0;
	if (pct > 100)
		pct = 100; /* compressed inputs grow when read */
	fprintf(stderr, "\r%6.1f%%  %8.1f MB  %7.1f MB/s  %zu/%zu files ", pct, (double)done / 1e6,
		secs > 0 ? (double)done / 1e6 / secs : 0.0, r->next_emit, r->files.n);
}

int hunt_run(const struct hunt_config *cfg, struct hunt_result *res)
{
	memset(res, 0, sizeof *res);
	int64_t start = time_now_us();
	struct run r = {.cfg = cfg, .res = res, .held_sink = {.emit = held_emit}};
	int rc = 0;
	pthread_mutex_init(&r.lock, NULL);
	pthread_cond_init(&r.moved, NULL);
	for (size_t d = 0; d < cfg->ndetectors; d++)
		r.fields |= cfg->detectors[d].needs_fields;
	if ((rc = walk_paths(cfg->paths, cfg->npaths, &r.files, cfg->diags)))
		goto out;
	r.sources = calloc(r.files.n ? r.files.n : 1, sizeof *r.sources);
	r.pend = calloc(r.files.n ? r.files.n : 1, sizeof *r.pend);
	if (!r.sources || !r.pend) {
		rc = AS_ENOMEM;
		goto out;
	}
	for (size_t i = 0; i < r.files.n; i++) {
		r.sources[i].path = r.files.paths[i];
		r.sources[i].id = (uint32_t)i;
		struct stat st;
		if (stat(r.files.paths[i], &st) == 0)
			r.bytes_total += (uint64_t)st.st_size;
	}
	int nthreads = cfg->threads > 0 ? cfg->threads : online_cpus();
	if ((size_t)nthreads > r.files.n)
		nthreads = r.files.n ? (int)r.files.n : 1;
	struct worker *ws = calloc((size_t)nthreads, sizeof *ws);
	pthread_t *tids = calloc((size_t)nthreads, sizeof *tids);
	if (!ws || !tids) {
		free(ws);
		free(tids);
		rc = AS_ENOMEM;
		goto out;
	}
	int started = 0;
	size_t nd = cfg->ndetectors ? cfg->ndetectors : 1;
	r.serial_ctx = calloc(nd, sizeof *r.serial_ctx);
	r.serial_lock = calloc(nd, sizeof *r.serial_lock);
	if (!r.serial_ctx || !r.serial_lock)
		rc = AS_ENOMEM;
	for (size_t d = 0; d < cfg->ndetectors && !rc; d++) {
		pthread_mutex_init(&r.serial_lock[d], NULL);
		if (cfg->detectors[d].serial)
			rc = cfg->detectors[d].worker_new(&cfg->detectors[d], &r.serial_ctx[d]);
	}
	for (int t = 0; t < nthreads && !rc; t++) {
		ws[t].run = &r;
		ws[t].sink.emit = sink_emit;
		ws[t].ctx = calloc(nd, sizeof(void *));
		if (!ws[t].ctx) {
			rc = AS_ENOMEM;
			break;
		}
		for (size_t d = 0; d < cfg->ndetectors && !rc; d++)
			if (!cfg->detectors[d].serial)
				rc =
				    cfg->detectors[d].worker_new(&cfg->detectors[d], &ws[t].ctx[d]);
	}
	for (int t = 0; t < nthreads && !rc; t++) {
		if (pthread_create(&tids[t], NULL, worker_main, &ws[t])) {
			rc = AS_ENOMEM;
			break;
		}
		started++;
	}
	if (cfg->progress) {
		while (atomic_load(&r.finished_workers) < started) {
			progress_line(&r, start);
			struct timespec ts = {0, 250 * 1000 * 1000};
			nanosleep(&ts, NULL);
		}
	}
	for (int t = 0; t < started; t++)
		pthread_join(tids[t], NULL);
	if (cfg->progress) {
		progress_line(&r, start);
		fputc('\n', stderr);
	}
	/* End of input: stateful detectors report what their windows hold.
	 * Every file is emitted by now, so a worker whose file index is past
	 * the order emits directly. */
	r.next_emit = r.files.n;
	for (int t = 0; t < nthreads; t++) {
		ws[t].file = r.files.n;
		for (size_t d = 0; ws[t].ctx && d < cfg->ndetectors; d++) {
			if (cfg->detectors[d].flush && ws[t].ctx[d] && !rc)
				cfg->detectors[d].flush(ws[t].ctx[d], &ws[t].sink);
			cfg->detectors[d].worker_free(ws[t].ctx[d]);
		}
		free(ws[t].ctx);
	}
	for (size_t d = 0; d < cfg->ndetectors; d++) {
		if (!cfg->detectors[d].serial || !r.serial_ctx || !r.serial_ctx[d])
			continue;
		if (cfg->detectors[d].flush && !rc && nthreads > 0)
			cfg->detectors[d].flush(r.serial_ctx[d], &r.held_sink);
		cfg->detectors[d].worker_free(r.serial_ctx[d]);
	}
	emit_held(&r); /* threads are joined: no lock needed */
	for (size_t d = 0; r.serial_lock && d < cfg->ndetectors; d++)
		pthread_mutex_destroy(&r.serial_lock[d]);
	free(r.serial_ctx);
	free(r.serial_lock);
	free(ws);
	free(tids);
	res->stats.files = r.files.n;
out:
	for (size_t i = 0; i < r.nheld; i++) /* only after an early failure */
		alert_free(r.held[i]);
	free(r.held);
	res->stats.seconds = (double)(time_now_us() - start) / 1e6;
	if (cfg->store)
		store_flush(cfg->store);
	for (size_t i = 0; r.pend && i < r.files.n; i++) {
		for (size_t k = 0; k < r.pend[i].n; k++)
			alert_free(r.pend[i].v[k]);
		free(r.pend[i].v);
		free(r.pend[i].error);
	}
	free(r.pend);
	/* Alerts point at their source: the result keeps sources and paths
	 * alive until hunt_result_free(). */
	res->sources = r.sources;
	res->paths = r.files.paths;
	res->npaths = r.files.n;
	pthread_mutex_destroy(&r.lock);
	pthread_cond_destroy(&r.moved);
	return rc;
}

void hunt_result_free(struct hunt_result *res)
{
	if (!res)
		return;
	struct file_list files = {.paths = res->paths, .n = res->npaths, .cap = res->npaths};
	file_list_free(&files);
	free(res->sources);
	res->sources = NULL;
	res->paths = NULL;
	res->npaths = 0;
}
