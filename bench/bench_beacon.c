/*
 * bench_beacon.c — beacon scoring throughput over generated connection
 * records, and memory under a flood of distinct spoofed sources.
 *
 *   bench_beacon [RECORDS] [FLOOD_SOURCES]
 *
 * Part 1 generates RECORDS (default 2,000,000) Zeek-like connection events
 * over one day — 200 internal hosts talking to 50,000 external addresses,
 * with 100 beacons at 60–900 s and ±30 % jitter among them — and times the
 * whole behavior detector (every module sees every record; scoring happens
 * at flush) in records per second. It also times RITA-style scoring alone.
 * Part 2 feeds FLOOD_SOURCES (default 10,000,000) failed log-ins from
 * distinct sources and reports the windows' peak memory and keys shed.
 * Target (DESIGN.md): ≥ 1,000,000 conn records/s.
 *
 *   bench_beacon --files FILE…
 *
 * reads the files with the real readers (format detected) into the whole
 * behavior detector and prints the time, events and alerts per rule: the
 * aptscope side of bench/bruteforce.sh until `aptscope hunt` runs it.
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/resource.h>
#include <time.h>

#include "core/error.h"
#include "core/timeparse.h"
#include "detect/behavior/behavior.h"
#include "detect/behavior/behavior_int.h"
#include "read/reader.h"

static uint64_t rng = 0x9e3779b97f4a7c15ull;
static uint64_t rnd(void)
{
	rng ^= rng << 13;
	rng ^= rng >> 7;
	rng ^= rng << 17;
	return rng;
}

static double now(void)
{
	struct timespec ts;
	clock_gettime(CLOCK_MONOTONIC, &ts);
	return (double)ts.tv_sec + ts.tv_nsec / 1e9;
}

static double cpu(void)
{
	struct rusage ru;
	getrusage(RUSAGE_SELF, &ru);
	return (double)ru.ru_utime.tv_sec + ru.ru_utime.tv_usec / 1e6 + (double)ru.ru_stime.tv_sec +
	       ru.ru_stime.tv_usec / 1e6;
}

static uint64_t nalerts, nbeacons;
static int count(struct alert_sink *s, struct alert *a)
{
	(void)s;
	nalerts++;
	nbeacons += strcmp(a->rule_id, "behavior.beacon") == 0;
	alert_free(a);
	return 0;
}

static void v4(struct ip *ip, uint32_t a)
{
	memset(ip, 0, sizeof *ip);
	ip->family = IP_V4;
	ip->bytes[0] = (uint8_t)(a >> 24);
	ip->bytes[1] = (uint8_t)(a >> 16);
	ip->bytes[2] = (uint8_t)(a >> 8);
	ip->bytes[3] = (uint8_t)a;
}

static int cmp_time(const void *a, const void *b)
{
	const struct event *x = a, *y = b;
	return x->time < y->time ? -1 : x->time > y->time;
}

static const char *rules[32];
static uint64_t per_rule[32];
static int tally(struct alert_sink *s, struct alert *a)
{
	(void)s;
	for (int i = 0; i < 32; i++)
		if (!rules[i] || !strcmp(rules[i], a->rule_id)) {
			rules[i] = rules[i] ? rules[i] : a->rule_id; /* static strings */
			per_rule[i]++;
			break;
		}
	alert_free(a);
	return 0;
}

static int run_files(int argc, char **argv)
{
	struct detector d;
	struct diag_sink diags;
	diag_sink_init(&diags, stderr);
	if (behavior_detector_init(&d, NULL, NULL, &diags))
		return 1;
	void *w;
	if (d.worker_new(&d, &w))
		return 1;
	struct alert_sink sink = {tally};
	struct source *src = calloc((size_t)argc, sizeof *src);
	uint64_t events = 0, bytes = 0;
	double a = now(), ca = cpu();
	for (int i = 0; i < argc; i++) {
		src[i] = (struct source){argv[i], NULL, (uint32_t)i};
		struct read_opts opts = {0};
		opts.file_mtime_us = AS_TIME_NONE;
		struct reader *r;
		struct diag why;
		if (reader_open(&r, &src[i], NULL, &opts, &diags, &why)) {
			fprintf(stderr, "%s: %s\n", argv[i], why.msg);
			continue;
		}
		struct batch b;
		batch_init(&b);
		while (reader_next(r, &b) > 0) {
			events += b.n;
			d.scan(w, b.events, b.n, &sink);
		}
		struct reader_stats rs;
		reader_stats(r, &rs);
		bytes += rs.bytes;
		batch_free(&b);
		reader_close(r);
	}
	d.flush(w, &sink);
	double c = now(), cc = cpu();
	d.worker_free(w);
	printf("aptscope readers + behavior: %llu events, %.1f MB in %.3f s wall (%.3f s CPU)\n",
	       (unsigned long long)events, (double)bytes / 1e6, c - a, cc - ca);
	for (int i = 0; i < 32 && rules[i]; i++)
		printf("  %-36s %llu\n", rules[i], (unsigned long long)per_rule[i]);
	d.shared_free(d.shared);
	free(src);
	diag_sink_fini(&diags);
	return 0;
}

int main(int argc, char **argv)
{
	if (argc > 1 && !strcmp(argv[1], "--files"))
		return run_files(argc - 2, argv + 2);
	size_t n = argc > 1 ? strtoull(argv[1], NULL, 10) : 2000000;
	size_t flood = argc > 2 ? strtoull(argv[2], NULL, 10) : 10000000;
	const int64_t t0 = 1740787200000000LL, day = 86400000000LL;
	struct event *ev = calloc(n, sizeof *ev);
	if (!ev)
		return 1;
	size_t k = 0;
	for (int b = 0; b < 100 && k < n; b++) {
		double period = 60 + (double)(rnd() % 840);
		for (double t = (double)(rnd() % 600); t < 86400 && k < n / 10;
		     t += period * (0.7 + 0.6 * (double)(rnd() % 1000) / 1000)) {
			event_clear(&ev[k]);
			ev[k].time = t0 + (int64_t)(t * 1e6);
			v4(&ev[k].src_ip, 0x0a000000u | (uint32_t)(b + 1));
			v4(&ev[k].dst_ip, 0x5b000000u | (uint32_t)(b + 1));
			k++;
		}
	}
	for (; k < n; k++) {
		event_clear(&ev[k]);
		ev[k].time = t0 + (int64_t)(rnd() % (uint64_t)day);
		v4(&ev[k].src_ip, 0x0a010000u | (uint32_t)(rnd() % 200));
		v4(&ev[k].dst_ip, 0x5d000000u | (uint32_t)(rnd() % 50000));
	}
	for (size_t i = 0; i < n; i++) {
		ev[i].kind = EK_NETWORK;
		event_set_num(&ev[i], EN_DST_PORT, 443);
		event_set_num(&ev[i], EN_BYTES_OUT, 300 + (int64_t)(rnd() % 2000));
		event_set_num(&ev[i], EN_BYTES_IN, 1000 + (int64_t)(rnd() % 20000));
		event_set_num(&ev[i], EN_DURATION_US, (int64_t)(rnd() % 5000000));
		ev[i].str[ES_CONN_STATE] = SLICE_LIT("SF");
		ev[i].str[ES_PROTO] = SLICE_LIT("tcp");
	}
	qsort(ev, n, sizeof *ev, cmp_time);

	struct detector d;
	struct alert_sink sink = {count};
	struct behavior_stats st;
	void *w;
	for (int only = 0; only < 2; only++) {
		struct behavior_config cfg;
		behavior_config_default(&cfg);
		if (only) /* the beacon module alone */
			cfg.bruteforce_enabled = cfg.ddos_enabled = cfg.dns_enabled =
			    cfg.exfil_enabled = 0;
		nalerts = nbeacons = 0;
		if (behavior_detector_init_config(&d, &cfg, NULL, NULL) || d.worker_new(&d, &w))
			return 1;
		double a = now(), ca = cpu();
		for (size_t i = 0; i < n; i += 4096)
			d.scan(w, ev + i, n - i < 4096 ? n - i : 4096, &sink);
		double b = now();
		d.flush(w, &sink);
		double c = now(), cc = cpu();
		behavior_detector_stats(&d, &st);
		d.worker_free(w);
		d.shared_free(d.shared);
		printf(
		    "%s: %zu conn records in %.3f s (ingest %.3f s, scoring at flush %.3f s) = "
		    "%.0f records/s wall, %.0f per CPU second; %llu beacon alerts of 100 planted, "
		    "%llu alerts; peak window memory %.1f MiB\n",
		    only ? "beacon module alone" : "whole behavior detector", n, c - a, b - a,
		    c - b, (double)n / (c - a), (double)n / (cc - ca), (unsigned long long)nbeacons,
		    (unsigned long long)nalerts, (double)st.peak_bytes / 1048576.0);
	}

	/* Scoring alone: 288 samples a pair (a 5-minute beacon over a day). */
	enum { PAIRS = 20000, PER = 288 };
	struct beh_sample *s = malloc(sizeof *s * PER);
	double sum = 0, t1 = now(), c1 = cpu();
	for (int p = 0; p < PAIRS; p++) {
		for (int i = 0; i < PER; i++)
			s[i] = (struct beh_sample){(int64_t)(i * 300 + rnd() % 60) * 1000000,
						   (int64_t)(rnd() % 4000)};
		struct beacon_score sc;
		beacon_score_compute(s, PER, day, &sc);
		sum += sc.score;
	}
	double t2 = now(), c2 = cpu();
	printf("scoring alone: %d pairs x %d records in %.3f s = %.0f records/s wall, %.0f per CPU "
	       "second (mean score %.2f)\n",
	       PAIRS, PER, t2 - t1, (double)PAIRS * PER / (t2 - t1),
	       (double)PAIRS * PER / (c2 - c1), sum / PAIRS);
	free(s);
	free(ev);

	/* Part 2: the flood of spoofed sources. */
	if (!flood)
		return 0;
	if (behavior_detector_init(&d, NULL, NULL, NULL) || d.worker_new(&d, &w))
		return 1;
	struct event batch[4096];
	double f0 = now();
	for (size_t i = 0; i < flood; i += 4096) {
		size_t m = flood - i < 4096 ? flood - i : 4096;
		for (size_t j = 0; j < m; j++) {
			event_clear(&batch[j]);
			batch[j].time = t0 + (int64_t)(i + j) * 1000;
			batch[j].kind = EK_AUTH;
			batch[j].outcome = OUTCOME_FAILURE;
			v4(&batch[j].src_ip, 0x0b000000u + (uint32_t)(i + j) * 7u);
			v4(&batch[j].dst_ip, 0x0a000001u);
			batch[j].str[ES_USER] = SLICE_LIT("root");
			batch[j].str[ES_SERVICE] = SLICE_LIT("sshd");
		}
		d.scan(w, batch, m, &sink);
	}
	double f1 = now();
	d.flush(w, &sink);
	behavior_detector_stats(&d, &st);
	d.worker_free(w);
	d.shared_free(d.shared);
	printf("flood: %zu distinct sources in %.2f s; peak window memory %.1f MiB, %llu keys "
	       "shed\n",
	       flood, f1 - f0, (double)st.peak_bytes / 1048576.0, (unsigned long long)st.shed);
	return 0;
}
