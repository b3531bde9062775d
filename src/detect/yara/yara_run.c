/*
 * yara_run.c — the file-scan run: folders to alerts on worker threads, see
 * yara_engine.h.
 *
 *   paths ─list─► files ─► worker 1: files_visit ─► YARA, hashes, event detectors ─┐
 *                      └─► worker N: …                                             ─┤
 *                                                                                   ▼
 *                                     per-file alert lists ─► emitted in file order
 *
 * Workers take the next file with one atomic add. A file's alerts (its own and
 * its archive members') are gathered in a list; when the file is done the
 * lists are emitted under the lock, in list order, as far as every earlier
 * file is done — the output does not depend on the number of threads.
 * Hashes are computed only when something needs them (a YARA hit, an event
 * detector, on_file with hash_all), so a YARA-only scan reads each file once
 * and spends nothing on digests of clean files.
 */
#include "detect/yara/yara_int.h"

#include <pthread.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "core/error.h"
#include "core/timeparse.h"
#include "detect/ioc/ioc.h"

struct alert_list {
	struct alert **v;
	size_t n, cap;
	bool done;
};

struct run {
	const struct yara_scan_config *cfg;
	struct yara_scan_result *res;
	size_t next; /* next file to take (atomic) */
	pthread_mutex_t lock;
	struct alert_list *lists; /* one per file */
	size_t emit_next;
	int err;
};

struct worker {
	struct alert_sink sink; /* first: the sink callback casts back */
	struct run *run;
	struct yara_scanner *ys;
	void **dctx;
	struct alert_list cur;
	uint64_t record; /* views of the current file so far */
};

static int list_push(struct alert_list *l, struct alert *a)
{
	if (l->n == l->cap) {
		size_t cap = l->cap ? l->cap * 2 : 8;
		struct alert **v = realloc(l->v, cap * sizeof *v);
		if (!v) {
			alert_free(a);
			return AS_ENOMEM;
		}
		l->v = v;
		l->cap = cap;
	}
	l->v[l->n++] = a;
	return 0;
}

static int sink_emit(struct alert_sink *self, struct alert *a)
{
	struct worker *w = (struct worker *)self;
	return list_push(&w->cur, a);
}

static void add_hit_hashes(struct run *run, const struct yara_rules *r, const struct yara_hit *h,
			   const struct file_view *v, const struct file_hashes *hs)
{
	const struct yara_rule_info *info = yara_rules_info(r, h->rule);
	char label[600];
	snprintf(label, sizeof label, "YARA %s on %s", info->id, v->name);
	struct ioc_meta meta = {
	    .source = "yara",
	    .label = label,
	    .groups = info->groups,
	    .malware = info->malware,
	    .score = info->score,
	    .valid_from = AS_TIME_NONE,
	    .valid_until = AS_TIME_NONE,
	};
	pthread_mutex_lock(&run->lock);
	ioc_set_add(run->cfg->hit_hashes, "sha256", slice_cstr(hs->sha256), &meta, NULL);
	ioc_set_add(run->cfg->hit_hashes, "sha1", slice_cstr(hs->sha1), &meta, NULL);
	ioc_set_add(run->cfg->hit_hashes, "md5", slice_cstr(hs->md5), &meta, NULL);
	pthread_mutex_unlock(&run->lock);
}

static int on_view(void *ctx, const struct file_view *v)
{
	struct worker *w = ctx;
	struct run *run = w->run;
	const struct yara_scan_config *cfg = run->cfg;
	const struct source *src = &run->res->sources[v->index];
	uint64_t record = w->record++;
	const struct yara_hit *hits = NULL;
	size_t nhits = 0;
	if (w->ys) {
		struct diag why;
		int rc = yara_scanner_scan(w->ys, v, &hits, &nhits, &why);
		if (rc) {
			__atomic_add_fetch(rc == AS_ETOOBIG ? &run->res->timeouts
							    : &run->res->scan_errors,
					   1, __ATOMIC_RELAXED);
			if (cfg->diags)
				diag_note(cfg->diags, "%s: YARA scan: %s%s", v->path, why.msg,
					  nhits ? " (hits so far kept)" : "");
		}
	}
	bool need = nhits || cfg->ndetectors || cfg->hash_all;
	struct file_hashes hs;
	bool have = false;
	if (need) {
		bool fuzzy = cfg->fuzzy && files_type_fuzzy(v->type) && (nhits || cfg->hash_all);
		have = files_hash(v->data, v->size, fuzzy, &hs) == 0;
	}
	for (size_t i = 0; i < nhits; i++) {
		struct alert *a;
		if (yara_alert_make(cfg->rules, &hits[i], v, have ? &hs : NULL, src, &a))
			return AS_ENOMEM;
		if (record) { /* archive members: tell identical findings apart */
			a->record = record;
			alert_compute_id(a);
		}
		if (list_push(&w->cur, a))
			return AS_ENOMEM;
		if (cfg->hit_hashes && have)
			add_hit_hashes(run, cfg->rules, &hits[i], v, &hs);
	}
	if (cfg->ndetectors && have) {
		struct event ev;
		event_clear(&ev);
		ev.kind = EK_FILE;
		ev.time = v->mtime;
		ev.str[ES_FILE_PATH] = slice_cstr(v->path);
		ev.str[ES_MD5] = slice_cstr(hs.md5);
		ev.str[ES_SHA1] = slice_cstr(hs.sha1);
		ev.str[ES_SHA256] = slice_cstr(hs.sha256);
		ev.source = src;
		ev.record = record;
		for (size_t i = 0; i < cfg->ndetectors; i++)
			cfg->detectors[i].scan(w->dctx[i], &ev, 1, &w->sink);
	}
	if (cfg->on_file) {
		struct yara_file_result fr = {
		    .view = v, .hashes = have ? &hs : NULL, .nhits = nhits};
		cfg->on_file(cfg->on_file_ctx, &fr);
	}
	return 0;
}

/* Hand out every finished list from the head of the order. Under the lock. */
static void emit_ready(struct run *run)
{
	size_t n = run->res->list.n;
	while (run->emit_next < n && run->lists[run->emit_next].done) {
		struct alert_list *l = &run->lists[run->emit_next];
		for (size_t i = 0; i < l->n; i++) {
			run->res->alerts++;
			if (run->cfg->on_alert)
				run->cfg->on_alert(run->cfg->on_alert_ctx, l->v[i]);
			else
				alert_free(l->v[i]);
		}
		free(l->v);
		memset(l, 0, sizeof *l);
		l->done = true;
		run->emit_next++;
	}
}

static void *worker_main(void *p)
{
	struct worker *w = p;
	struct run *run = w->run;
	const struct yara_scan_config *cfg = run->cfg;
	size_t n = run->res->list.n;
	for (;;) {
		size_t i = __atomic_fetch_add(&run->next, 1, __ATOMIC_RELAXED);
		if (i >= n)
			break;
		memset(&w->cur, 0, sizeof w->cur);
		w->record = 0;
		int rc = files_visit(run->res->list.paths[i], (uint32_t)i, &cfg->files, on_view, w,
				     cfg->diags, &run->res->files);
		pthread_mutex_lock(&run->lock);
		if (rc && !run->err)
			run->err = rc;
		run->lists[i] = w->cur;
		run->lists[i].done = true;
		emit_ready(run);
		pthread_mutex_unlock(&run->lock);
	}
	return NULL;
}

static void worker_fini(struct worker *w, const struct yara_scan_config *cfg)
{
	yara_scanner_free(w->ys);
	if (w->dctx)
		for (size_t i = 0; i < cfg->ndetectors; i++)
			if (cfg->detectors[i].worker_free)
				cfg->detectors[i].worker_free(w->dctx[i]);
	free(w->dctx);
}

static int worker_init(struct worker *w, struct run *run)
{
	const struct yara_scan_config *cfg = run->cfg;
	w->run = run;
	w->sink.emit = sink_emit;
	int rc = 0;
	if (cfg->rules && (rc = yara_scanner_new(cfg->rules, cfg->timeout_s, &w->ys)))
		return rc;
	if (!cfg->ndetectors)
		return 0;
	if (!(w->dctx = calloc(cfg->ndetectors, sizeof *w->dctx)))
		return AS_ENOMEM;
	for (size_t i = 0; i < cfg->ndetectors && !rc; i++)
		rc = cfg->detectors[i].worker_new(&cfg->detectors[i], &w->dctx[i]);
	return rc;
}

int yara_scan_run(const struct yara_scan_config *cfg, struct yara_scan_result *res)
{
	memset(res, 0, sizeof *res);
	int rc = files_list_build(&res->list, cfg->paths, cfg->npaths, cfg->diags, &res->files);
	if (rc)
		return rc;
	size_t n = res->list.n;
	res->sources = calloc(n ? n : 1, sizeof *res->sources);
	struct run run = {.cfg = cfg, .res = res};
	run.lists = calloc(n ? n : 1, sizeof *run.lists);
	if (!res->sources || !run.lists) {
		free(run.lists);
		return AS_ENOMEM;
	}
	for (size_t i = 0; i < n; i++)
		res->sources[i] = (struct source){
		    .path = res->list.paths[i], .format = "file", .id = (uint32_t)i};
	pthread_mutex_init(&run.lock, NULL);
	long cores = sysconf(_SC_NPROCESSORS_ONLN);
	size_t nt = cfg->threads > 0 ? (size_t)cfg->threads : cores > 0 ? (size_t)cores : 1;
	if (nt > n)
		nt = n ? n : 1;
	struct worker *ws = calloc(nt, sizeof *ws);
	pthread_t *tids = calloc(nt, sizeof *tids);
	if (!ws || !tids) {
		rc = AS_ENOMEM;
		goto out;
	}
	for (size_t i = 0; i < nt && !rc; i++)
		rc = worker_init(&ws[i], &run);
	if (rc)
		goto out;
	if (nt == 1) {
		worker_main(&ws[0]);
	} else {
		size_t started = 0;
		for (; started < nt; started++)
			if (pthread_create(&tids[started], NULL, worker_main, &ws[started]))
				break;
		if (!started)
			worker_main(&ws[0]);
		for (size_t i = 0; i < started; i++)
			pthread_join(tids[i], NULL);
	}
	rc = run.err;
out:
	if (ws)
		for (size_t i = 0; i < nt; i++)
			worker_fini(&ws[i], cfg);
	free(ws);
	free(tids);
	/* Lists left by a failed start: nothing was emitted from them. */
	for (size_t i = 0; i < n; i++) {
		for (size_t k = 0; k < run.lists[i].n; k++)
			alert_free(run.lists[i].v[k]);
		free(run.lists[i].v);
	}
	free(run.lists);
	pthread_mutex_destroy(&run.lock);
	return rc;
}

void yara_scan_result_free(struct yara_scan_result *res)
{
	if (!res)
		return;
	free(res->sources);
	files_list_free(&res->list);
	memset(res, 0, sizeof *res);
}
