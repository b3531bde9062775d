/*
 * behavior.h — the "behavior" detector: stateful detectors over event time.
 *
 * One detector behind detect/detector.h made of small modules, one file
 * each, listed in behavior_list.h:
 *   bruteforce.c  brute force, password spraying, credential stuffing,
 *                 distributed brute force, success after failures (auth events)
 *   ddos.c        request and connection floods, SYN/half-open floods
 *   beacon.c      C2 beaconing (RITA v5 score), long connections, strobes
 *   dnstunnel.c   DNS tunnelling and DGA look-ups
 *   exfil.c       outbound volume far above a host's baseline
 * State lives in keyed windows (window.h) with a hard cap; thresholds come
 * from a config file (data/behavior.conf documents every one and its
 * default). The detector is serial: one context sees every file of a run.
 * Alerts carry the external addresses' country and region (geo/geoip.h) in
 * their evidence. What it finds can be written as a blocklist.
 */
#ifndef AS_DETECT_BEHAVIOR_BEHAVIOR_H
#define AS_DETECT_BEHAVIOR_BEHAVIOR_H

#include <stdint.h>
#include <stdio.h>

#include "core/diag.h"
#include "core/limits.h"
#include "detect/detector.h"

/* Every threshold: X(section, name, type, default, min, max, doc). Times in
 * seconds, sizes in bytes. data/behavior.conf mirrors this list. */
#define BEHAVIOR_CONF_LIST(X)                                                                      \
	X(window, max_keys, int, 262144, 1024, AS_BEH_MAX_KEYS, "keys per window before shedding") \
	X(window, max_mib, int, 64, 1, 65536, "MiB of table per window, at most")                  \
	X(window, tolerance, int, 3600, 0, 86400, "out-of-order tolerance")                        \
	X(bruteforce, enabled, int, 1, 0, 1, "run the auth detectors")                             \
	X(ddos, enabled, int, 1, 0, 1, "run the flood detectors")                                  \
	X(beacon, enabled, int, 1, 0, 1, "run beaconing, long connections, strobes")               \
	X(dns, enabled, int, 1, 0, 1, "run DNS tunnelling and DGA")                                \
	X(exfil, enabled, int, 1, 0, 1, "run exfiltration")                                        \
	X(bruteforce, findtime, int, 600, 1, 604800, "window of failures")                         \
	X(bruteforce, maxretry, int, 10, 2, 1000000, "failures from one source that alert")        \
	X(bruteforce, max_users, int, 3, 1, 1000, "most accounts a brute force tries")             \
	X(spray, min_users, int, 8, 2, 1000000, "distinct accounts that make a spray")             \
	X(spray, max_per_user, double, 3.0, 1, 1000, "mean failures per account, at most")         \
	X(success, min_failures, int, 5, 1, 1000000, "failures before a success that alert")       \
	X(distributed, min_sources, int, 20, 2, 1000000, "sources against one target")             \
	X(distributed, min_failures, int, 100, 2, 1000000, "failures against one target")          \
	X(distributed, max_per_source, double, 10.0, 1, 1000000, "mean failures per source")       \
	X(stuffing, min_users, int, 20, 2, 1000000, "distinct accounts tried on one target")       \
	X(stuffing, min_sources, int, 10, 2, 1000000, "distinct sources against one target")       \
	X(stuffing, max_success_rate, double, 0.05, 0, 1, "successes / attempts, at most")         \
	X(block, base, int, 600, 1, 31536000, "first block time of a source")                      \
	X(block, growth, double, 1.5, 1, 100, "block time factor for each repeat")                 \
	X(block, max, int, 604800, 1, 31536000, "longest block time")                              \
	X(ddos, bucket, int, 60, 1, 3600, "rate bucket length")                                    \
	X(ddos, min_rate, int, 2000, 1, 1000000000,                                                \
	  "events per bucket before a flood is possible")                                          \
	X(ddos, sigma, double, 6.0, 1, 1000, "standard deviations above the baseline")             \
	X(ddos, min_sources, int, 50, 1, 1000000, "distinct sources in a flood bucket")            \
	X(ddos, alpha, double, 0.1, 0.001, 1, "weight of a new bucket in the baseline")            \
	X(synflood, min_halfopen, int, 500, 1, 1000000000, "half-open connections per bucket")     \
	X(synflood, min_ratio, double, 0.5, 0, 1, "half-open / all connections, at least")         \
	X(beacon, min_conns, int, 20, 4, AS_BEH_MAX_SAMPLES, "connections before scoring")         \
	X(beacon, threshold, double, 0.7, 0, 1, "score that alerts")                               \
	X(beacon, window, int, 86400, 3600, 2592000, "span scored")                                \
	X(long_conn, seconds, int, 3600, 60, 31536000, "duration of a long connection")            \
	X(strobe, min_conns, int, 86400, 10, 1000000000,                                           \
	  "connections of a pair per beacon window")                                               \
	X(dns, window, int, 3600, 60, 604800, "window of look-ups")                                \
	X(dns, min_subdomains, int, 100, 2, 1000000, "unique names under one domain")              \
	X(dns, min_label_len, double, 20.0, 1, 253, "mean subdomain length of a tunnel")           \
	X(dns, min_entropy, double, 3.3, 0, 8, "mean subdomain entropy (bits/char) of a tunnel")   \
	X(dns, min_txt, int, 200, 1, 1000000000, "TXT/NULL look-ups under one domain")             \
	X(dga, min_nxdomain, int, 30, 2, 1000000, "distinct NXDOMAIN domains from one host")       \
	X(dga, min_entropy, double, 3.0, 0, 8, "mean entropy of those domains' labels")            \
	X(exfil, window, int, 3600, 60, 604800, "window of outbound volume")                       \
	X(exfil, min_bytes, int64, 100000000, 1, INT64_MAX, "bytes out to one destination")        \
	X(exfil, ratio, double, 10.0, 1, 1e9, "bytes out / bytes in, at least")                    \
	X(exfil, baseline_factor, double, 10.0, 1, 1e9, "times the host's mean window volume")     \
	X(exfil, rare_sources, int, 3, 1, 1000000, "most internal hosts talking to the destination")

struct behavior_config {
#define BEH_CONF_FIELD_int(s, n)     int64_t s##_##n;
#define BEH_CONF_FIELD_int64(s, n)   int64_t s##_##n;
#define BEH_CONF_FIELD_double(s, n)  double s##_##n;
#define X(s, n, t, def, lo, hi, doc) BEH_CONF_FIELD_##t(s, n)
	BEHAVIOR_CONF_LIST(X)
#undef X
};

/* Defaults into *c. */
void behavior_config_default(struct behavior_config *c);
/* Parse a config text ("[section]" headers, "name = value" lines, '#'
 * comments) over what *c holds. Unknown names and bad values are reported
 * on diags (may be NULL) as "file:line: reason" and skipped. Returns 0, or
 * AS_ETOOBIG past AS_BEH_MAX_CONF; *nbad counts rejected lines. */
int behavior_config_parse(struct behavior_config *c, const char *text, size_t len, const char *name,
			  struct diag_sink *diags, unsigned *nbad);
/* Read path and parse it: 0, AS_ENOENT, AS_EIO, AS_ETOOBIG. */
int behavior_config_load(struct behavior_config *c, const char *path, struct diag_sink *diags);

/* Make the behavior detector in *d. config_path: a behavior.conf or NULL for
 * the defaults; geoip_db: a MaxMind-format database or NULL for none (an
 * unreadable one is reported on diags and geolocation is off). The detector
 * owns its state: d->shared_free releases it. */
int behavior_detector_init(struct detector *d, const char *config_path, const char *geoip_db,
			   struct diag_sink *diags);
/* Same with a config already in hand (tests, benchmarks). */
int behavior_detector_init_config(struct detector *d, const struct behavior_config *c,
				  const char *geoip_db, struct diag_sink *diags);

/* Counters of a run, for the end-of-run summary. */
struct behavior_stats {
	uint64_t events;     /* events looked at */
	uint64_t late;       /* older than the tolerance for their key: not counted */
	uint64_t shed;       /* keys dropped because a window was full */
	uint64_t alerts;     /* alerts raised */
	uint64_t bytes;      /* memory held by the windows now */
	uint64_t peak_bytes; /* most memory held by the windows */
};
void behavior_detector_stats(const struct detector *d, struct behavior_stats *st);

/* Which countries the attacks came from: one line per country, most alerts
 * first ("CN Eastern Asia 12"), on f. */
int behavior_countries_write(FILE *f, const struct detector *d);

/* Blocklists of the external addresses the detector accused (attack sources;
 * beacon, tunnel and exfiltration destinations), each with a block time that
 * grows for repeat offenders. */
enum blocklist_format {
	BLOCKLIST_PLAIN, /* one address a line */
	BLOCKLIST_NFT,   /* nftables: a set with per-element timeouts */
	BLOCKLIST_IPSET  /* `ipset restore` input with timeouts */
};
/* Parse "plain", "nft", "ipset"; -1 when unknown. */
int blocklist_format_parse(const char *s);
/* Write the list of detector d (after the run) to f; set_name names the
 * nftables/ipset set ("aptscope_block" when NULL). 0 or AS_EIO. */
int behavior_blocklist_write(FILE *f, enum blocklist_format fmt, const struct detector *d,
			     const char *set_name);

#endif
