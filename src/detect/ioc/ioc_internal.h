/*
 * ioc_internal.h — the inside of an indicator set, shared by the files of
 * src/detect/ioc/ only.
 *
 * Memory layout (chosen so that a million indicators cost about what their
 * feed costs on disk, and a miss costs one cache line):
 *
 *   table per type ── keys    dense, insertion order: fixed binary keys (IPv4 4 B,
 *                 │           IPv6 16, MD5/JA3 16, SHA-1 20, SHA-256 32) or, for
 *                 │           strings, a u32 offset into the set's pool
 *                 ├─ slots    open addressing, u64 each: index+1 | 32-bit hash
 *                 │           fingerprint << 32; a miss rarely touches keys; sized
 *                 │           to 70 % load when finished (any size, not a power of 2)
 *                 ├─ filter   8 bits per key, small enough for L2: most misses stop
 *                 │           there without touching the slots
 *                 ├─ runs     (first index, meta id): consecutive indicators of one
 *                 │           feed section share one metadata record
 *                 └─ dups     (first index, other index): one value listed again
 *                             with different metadata (another feed, another group)
 *   pool         string values: u16 length + bytes
 *   metas        interned struct ioc_meta, strings interned in one arena
 *   CIDRs        one table per prefix length present (keys masked)
 */
#ifndef AS_DETECT_IOC_INTERNAL_H
#define AS_DETECT_IOC_INTERNAL_H

#include <stdbool.h>
#include <stdint.h>

#include "core/arena.h"
#include "core/map.h"
#include "detect/ioc/ioc.h"

struct ioc_run {
	uint32_t first;
	uint32_t meta;
};

struct ioc_dup {
	uint32_t first;
	uint32_t other;
};

struct ioc_table {
	uint32_t keylen; /* fixed binary key length; 0: string (u32 pool offsets) */
	uint8_t *keys;
	size_t count, cap;
	uint64_t *slots;
	size_t nslots;    /* any size: position = (u32 hash × nslots) >> 32 */
	uint64_t *filter; /* one bit per key (hash bits 32..), checked before slots */
	size_t fmask;     /* filter bits - 1 */
	struct ioc_run *runs;
	size_t nruns, runs_cap;
	struct ioc_dup *dups;
	size_t ndups, dups_cap;
};

/* Extra data of a file-name pattern (same index as its table entry). */
struct ioc_pattern {
	uint32_t exclude; /* pool offset of the exclusion regex, UINT32_MAX: none */
	void *code;       /* pcre2_code * when not in the Hyperscan database */
	void *exclude_code;
};

struct ioc_set {
	bool finished;
	uint64_t seed;
	char *pool;
	size_t pool_len, pool_cap;
	struct ioc_table t[IOC_TYPE_COUNT]; /* t[IOC_CIDR] unused: see cidr4/cidr6 */
	struct ioc_table *cidr4[33], *cidr6[129];
	uint8_t cidr4_lens[33], cidr6_lens[129]; /* prefix lengths present, longest first */
	unsigned ncidr4, ncidr6;
	size_t count; /* every entry of every table */

	struct ioc_meta *metas;
	size_t nmeta, meta_cap;
	struct map meta_index; /* tuple key → meta id */
	struct map str_index;  /* interned string → pointer */
	struct arena strings;

	struct ioc_pattern *patterns; /* per t[IOC_FILENAME_RE] entry */
	size_t patterns_cap;
	void *hs_db;       /* hs_database_t *, NULL when no pattern compiled */
	uint32_t *hs_ids;  /* Hyperscan id → pattern index */
	uint32_t *re_list; /* patterns matched with PCRE2 instead */
	size_t nre;
	bool any_exclude;
};

struct ioc_matcher {
	const struct ioc_set *set;
	void *hs_scratch;
	void *match_data; /* pcre2_match_data * */
	/* scratch of one Hyperscan scan */
	uint32_t *re_hits;
	size_t nre_hits, re_hits_cap;
};

/* Add a file-name pattern (a PCRE regex as signature-base writes it) with an
 * optional exclusion regex (SLICE_NULL: none). */
int ioc_set_add_pattern(struct ioc_set *s, struct slice pattern, struct slice exclude,
			const struct ioc_meta *meta, struct diag *why);

/* Score in 0..100 → alert level; -1 → high. */
int ioc_score_level(int score);

/* ASCII lower-case in place. */
void ioc_lower(char *p, size_t n);

/* Detectors of the format of a feed, see ioc_load.c. */
int ioc_load_stix(struct ioc_set *s, const char *name, const char *data, size_t n,
		  struct diag_sink *diags, struct ioc_load_stats *st);
int ioc_load_misp(struct ioc_set *s, const char *name, const char *data, size_t n,
		  struct diag_sink *diags, struct ioc_load_stats *st);

/* Report one rejected record of a feed (line or object number). */
void ioc_report(struct diag_sink *diags, const char *name, uint64_t record, const struct diag *d,
		uint64_t *printed, struct ioc_load_stats *st);

#endif
