/*
 * detector.h — the one interface every detection engine implements.
 *
 *   shared  compiled, read-only (indicator sets, rule sets), built once by the
 *           engine's own constructor and used by every worker thread;
 *   worker  per-thread scratch (match buffers, scanners), made by worker_new;
 *   scan    one batch of events → alerts into the sink;
 *   flush   end of input: stateful engines emit what their windows hold.
 *
 * A detector whose windows must span files (brute force over rotated
 * auth logs, beaconing over hourly Zeek logs) sets `serial`: the pipeline
 * then makes ONE worker context for the whole run and every worker thread
 * feeds it under a lock, so its state sees all events of all files.
 *
 * The pipeline owns a list of struct detector (one per engine in use).
 */
#ifndef AS_DETECT_DETECTOR_H
#define AS_DETECT_DETECTOR_H

#include <stdbool.h>
#include <stddef.h>

#include "detect/alert.h"
#include "event/event.h"

struct detector {
	const char *name;  /* "ioc", "sigma", … */
	void *shared;      /* engine's compiled, read-only state */
	bool needs_fields; /* readers must fill native fields for this engine */
	bool serial;       /* one context for all files and threads (see above) */
	int (*worker_new)(const struct detector *d, void **worker);
	int (*scan)(void *worker, const struct event *evs, size_t n, struct alert_sink *out);
	int (*flush)(void *worker, struct alert_sink *out); /* may be NULL */
	void (*worker_free)(void *worker);                  /* accepts NULL */
	void (*shared_free)(void *shared);                  /* accepts NULL */
};

#endif
