/*
 * behavior_int.h — what the behaviour modules share: the run context, the
 * module table row, and small helpers (distinct counters, top-k lists,
 * episodes in event time, alert building with geolocated evidence).
 */
#ifndef AS_DETECT_BEHAVIOR_INT_H
#define AS_DETECT_BEHAVIOR_INT_H

#include <math.h>
#include <stdbool.h>
#include <stdint.h>

#include "core/buf.h"
#include "core/hash.h"
#include "core/json.h"
#include "core/map.h"
#include "detect/behavior/behavior.h"
#include "detect/behavior/window.h"
#include "geo/geoip.h"

struct beh_ctx;

/* One row of the module table (behavior_list.h). */
struct beh_module {
	const char *name;
	int (*state_new)(struct beh_ctx *c, void **state);
	void (*event)(void *state, struct beh_ctx *c, const struct event *ev);
	void (*flush)(void *state, struct beh_ctx *c); /* emit what is left */
	void (*state_free)(void *state);               /* accepts NULL */
	/* Windows of the module, for memory and shedding reports. */
	size_t (*windows)(void *state, struct window **out, size_t room);
	size_t (*extra_memory)(void *state); /* bytes held outside windows; may be NULL */
};

#define BEH_MODULE(name) extern const struct beh_module beh_module_##name;
#include "detect/behavior/behavior_list.h"
#undef BEH_MODULE

/* An address the detector accused, for the blocklist. */
struct beh_block {
	struct ip ip;
	const char *rule; /* static */
	uint32_t hits;    /* alerts naming it */
	int64_t seconds;  /* block time: base × growth^(hits−1), capped */
	int64_t last;     /* event time of the last alert */
};

/* What a run leaves behind, read after it by the blocklist and summary
 * writers. Written only by the one serial context. */
struct beh_results {
	struct map block_index; /* ip bytes → index in blocks */
	struct beh_block *blocks;
	size_t nblocks, cap;
	struct map countries; /* "CC" → alerts */
	struct behavior_stats stats;
};

struct beh_shared {
	struct behavior_config cfg;
	struct geoip *geo;
	struct diag_sink *diags;
	struct beh_results *res; /* mutable: see beh_results */
};

#define BEH_NMODULES_MAX 8

struct beh_ctx {
	const struct beh_shared *sh;
	const struct behavior_config *cfg;
	struct beh_results *res;
	struct alert_sink *out; /* during scan and flush */
	struct buf evid;
	const struct beh_module *mods[BEH_NMODULES_MAX];
	void *state[BEH_NMODULES_MAX];
	size_t nmods;
	uint64_t shed_told; /* windows already reported as shedding (bit per window) */
	int rc;             /* first emit error */
};

/* The byte cap of each window, from window.max_mib. */
#define BEH_WINDOW_BYTES(c) ((size_t)(c)->cfg->window_max_mib << 20)

/* ---- distinct counts: 512-bit linear counting (±2 % up to ~1,500) ---- */
struct beh_distinct {
	uint64_t bits[8];
};

static inline void beh_distinct_add(struct beh_distinct *d, uint64_t h)
{
	h = hash_fold(h ^ HASH_K2, HASH_K1);
	d->bits[(h >> 6) & 7] |= 1ull << (h & 63);
}

static inline uint32_t beh_distinct_count(const struct beh_distinct *d)
{
	unsigned set = 0;
	for (int i = 0; i < 8; i++)
		set += (unsigned)__builtin_popcountll(d->bits[i]);
	if (set == 0)
		return 0;
	if (set >= 512)
		return 3200; /* saturated: m·ln m */
	double est = -512.0 * log((512.0 - set) / 512.0);
	return (uint32_t)(est + 0.5);
}

/* ---- distinct counts that decide an alert: exact up to BEH_EXACT values
 * (32-bit fingerprints of their seeded hashes, which collide about once in
 * ten million sets of 24), linear counting above. The sketch alone depends on
 * the per-process hash seed: two accounts sharing a bit in one run and not in
 * the next made a spray of exactly spray.min_users accounts come and go. ---- */
#define BEH_EXACT 24

struct beh_counted {
	struct beh_distinct sketch;
	uint32_t fp[BEH_EXACT];
	uint8_t n; /* fingerprints held; BEH_EXACT + 1: more values than that */
};

static inline void beh_counted_add(struct beh_counted *d, uint64_t h)
{
	beh_distinct_add(&d->sketch, h);
	if (d->n > BEH_EXACT)
		return;
	uint32_t f = (uint32_t)(h >> 32);
	for (unsigned i = 0; i < d->n; i++)
		if (d->fp[i] == f)
			return;
	if (d->n < BEH_EXACT)
		d->fp[d->n++] = f;
	else
		d->n = BEH_EXACT + 1;
}

static inline uint32_t beh_counted_count(const struct beh_counted *d)
{
	if (d->n <= BEH_EXACT)
		return d->n;
	uint32_t e = beh_distinct_count(&d->sketch);
	return e > BEH_EXACT ? e : BEH_EXACT + 1;
}

/* ---- top-k values (space-saving): names with counts ---- */
struct beh_top {
	uint64_t h;
	uint32_t count;
	char name[AS_BEH_MAX_NAME];
};

void beh_top_add(struct beh_top *t, size_t n, struct slice name, uint32_t by);
/* The same for addresses: the name is the address's 16 bytes + family. */
void beh_top_add_ip(struct beh_top *t, size_t n, const struct ip *ip, uint32_t by);
/* Write top values as a JSON array of {"value","count"} (count order). */
void beh_top_json(struct jw *j, const struct beh_top *t, size_t n);
/* The same for addresses, each with country and region. */
void beh_top_ip_json(struct beh_ctx *c, struct jw *j, const struct beh_top *t, size_t n);

/* ---- episodes in event time ---- */
struct beh_episode {
	int64_t first, last; /* 0/0 when empty */
	uint32_t events;
};

/* Does t belong to the episode? An episode is open while events come within
 * gap of its last one (gap > 0) and within span of its first (span > 0);
 * an event earlier than the first by more than the tolerance starts anew
 * (another file, another day). Counts late events in the stats. */
bool beh_episode_joins(struct beh_ctx *c, const struct beh_episode *e, int64_t t, int64_t gap,
		       int64_t span);
void beh_episode_add(struct beh_episode *e, int64_t t);

/* ---- alerts ---- */
struct beh_alert {
	struct alert *a;
	struct jw j; /* evidence writer over c->evid, object opened */
};

/* Begin an alert: rule id and title, level, techniques (NULL-terminated
 * list of ATT&CK ids), the last event's place. false when out of memory. */
bool beh_alert_begin(struct beh_ctx *c, struct beh_alert *ba, const char *rule, const char *title,
		     enum alert_level level, const char *const *techniques);
/* Evidence helpers. */
void beh_ev_time(struct beh_alert *ba, const char *key, int64_t t);
void beh_ev_ip(struct beh_ctx *c, struct beh_alert *ba, const char *key, const struct ip *ip);
void beh_ev_str(struct beh_alert *ba, const char *key, const char *s);
void beh_ev_int(struct beh_alert *ba, const char *key, int64_t v);
void beh_ev_num(struct beh_alert *ba, const char *key, double v);
/* Geolocate ip into the top level of the evidence ("country", "region") —
 * the attack source the incident and the report count. */
void beh_ev_origin(struct beh_ctx *c, struct beh_alert *ba, const struct ip *ip);
/* Close the evidence, compute the id, emit; block names the address to put
 * on the blocklist (NULL: none). */
void beh_alert_emit(struct beh_ctx *c, struct beh_alert *ba, const struct ip *block);

/* Copy an event's text field into a fixed buffer (cut to fit). */
void beh_name(char *dst, size_t cap, struct slice s);
/* Shannon entropy of s in bits per byte. */
double beh_entropy(struct slice s);
/* A key's bytes for an address: family + 16 bytes (zero for none). */
static inline void beh_ip_key(unsigned char out[17], const struct ip *ip)
{
	out[0] = ip->family;
	memcpy(out + 1, ip->bytes, 16);
}

/* ---- beacon scoring (beacon.c), public for tests and the benchmark ---- */
struct beh_sample {
	int64_t t;     /* connection start, µs */
	int64_t bytes; /* bytes sent by the source */
};

struct beacon_score {
	double score; /* weighted mean of the four below, 0..1 */
	double ts_score, ds_score, hist_score, dur_score;
	double ts_skew, ts_madm, interval;  /* seconds for madm and the median interval */
	double ds_skew, ds_madm, ds_median; /* bytes */
	double coverage, consistency;       /* 0..1 */
	uint32_t conns;
};

/* Score n connection samples (sorted here, in place) observed in a data set
 * spanning span_us (0: the samples' own span). 0, or AS_EINVAL below 4. */
int beacon_score_compute(struct beh_sample *s, size_t n, int64_t span_us, struct beacon_score *out);

/* The registered domain of a lower-case name (dnstunnel.c); *sub gets the
 * labels below it. */
struct slice beh_dns_registered(struct slice name, struct slice *sub);

#endif
