/*
 * hunt.h — the one-pass pipeline: files → readers → detectors → alerts →
 * output and store.
 *
 *   paths ─walk─► file queue ─► worker 1: reader ─► batch ─► detectors ─┐
 *                           └─► worker N: reader ─► batch ─► detectors ─┤
 *                                                                       ▼
 *                    ordered emitter (file order) ─► JSON lines / table, store
 *
 * Files are shared out to worker threads (one file per worker at a time);
 * each worker has its own reader, batch arena and detector contexts
 * (detector.h: shared compiled state, per-thread scratch). Alerts come out
 * in input-file order whatever the thread count: the file at the head of the
 * order streams its alerts at once, later files hold theirs until it is
 * done, up to AS_HUNT_MAX_PENDING alerts in all; past that their workers
 * wait for the head file (which never waits), so memory stays bounded.
 * Serial (stateful) detectors' alerts come after all files, sorted by time
 * and id, once they are flushed.
 */
#ifndef AS_PIPELINE_HUNT_H
#define AS_PIPELINE_HUNT_H

#include <stdbool.h>
#include <stdio.h>

#include "core/diag.h"
#include "detect/detector.h"
#include "read/format.h"
#include "store/store.h"

struct hunt_output;

struct hunt_config {
	char *const *paths;
	size_t npaths;
	const struct format *force; /* NULL: detect per file */
	struct detector *detectors; /* engines in use (not owned) */
	size_t ndetectors;
	int threads;         /* 0: one per core */
	struct store *store; /* NULL: do not store */
	int64_t run_id;
	/* Called under the emitter's lock, in file order, once per alert, after
	 * it is stored; takes ownership of a. NULL: alerts are freed. */
	void (*on_alert)(void *ctx, struct alert *a);
	void *on_alert_ctx;
	struct diag_sink *diags;
	bool progress;      /* progress line on stderr */
	int default_year;   /* for year-less time stamps; 0: infer */
	bool quiet_unknown; /* files of no known log format are not reported
			       (a file scan looks at them instead) */
};

struct hunt_result {
	struct run_stats stats;
	uint64_t files_failed;   /* files that could not be read at all */
	uint64_t files_not_logs; /* of those, files of no known log format */
	uint64_t store_errors;
	_Atomic uint64_t detector_errors; /* batches an engine failed to scan */
	/* most alerts held at once for files ahead of the output order (at most
	 * AS_HUNT_MAX_PENDING) */
	size_t pending_peak;
	/* Owned: the sources alerts point at. Free with hunt_result_free(). */
	struct source *sources;
	char **paths;
	size_t npaths;
};

/* Run the pipeline. Returns 0 or AS_ENOMEM; unreadable files and bad records
 * are reported through cfg->diags and counted in *res, not errors. Call
 * hunt_result_free(res) once the alerts handed out are gone. */
int hunt_run(const struct hunt_config *cfg, struct hunt_result *res);
void hunt_result_free(struct hunt_result *res); /* accepts NULL */

#endif
