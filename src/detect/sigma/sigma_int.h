/*
 * sigma_int.h — the engine's internal types, shared by the files of src/detect/sigma/.
 *
 * Compiled shape of one detection rule:
 *
 *   rule ─ cond (tree of and/or/not/x-of over selection indexes)
 *        └ sels[]   selection = OR of groups
 *             └ group = AND of items
 *                  └ item = field (or keyword) + OR/AND of matchers
 *                       └ matcher = one compiled value (glob, regex, cidr, number, …)
 *
 * Everything compiled lives in the rule set's arena; only PCRE2 codes and the
 * Hyperscan database are separately allocated (and released by the set).
 */
#ifndef AS_DETECT_SIGMA_INT_H
#define AS_DETECT_SIGMA_INT_H

#define PCRE2_CODE_UNIT_WIDTH 8

#include <hs/hs.h>
#include <pcre2.h>
#include <stdbool.h>
#include <stdint.h>
#include <time.h>

#include "core/arena.h"
#include "core/buf.h"
#include "core/ip.h"
#include "core/map.h"
#include "detect/alert.h"
#include "detect/sigma/sigma.h"
#include "event/event.h"

/* ---- YAML tree (yaml.c) ---- */
enum sy_kind { SY_SCALAR, SY_SEQ, SY_MAP };

struct sy_node {
	uint8_t kind;
	bool plain;    /* scalar written without quotes (so 12 is a number, null is null) */
	uint32_t line; /* 1-based */
	const char *s; /* scalar text, NUL-terminated */
	size_t len;
	struct sy_node **items; /* SEQ: n items; MAP: n pairs as key, value, key, value… */
	size_t n;
};

/* Parse YAML text into documents (arena a). On error *err names it and *line says where. */
int sy_parse(struct arena *a, const char *text, size_t len, struct sy_node ***docs, size_t *ndocs,
	     char *err, size_t errcap, unsigned *line);
struct sy_node *sy_get(const struct sy_node *map, const char *key);
bool sy_is_null(const struct sy_node *n);

/* ---- field references (field.c) ---- */
#define SIGMA_FIELD_ALTS 6
struct sigma_field {
	const char *name;               /* as the rule writes it */
	uint32_t ids[SIGMA_FIELD_ALTS]; /* interned names tried in order */
	uint8_t nids;
};
void sigma_field_resolve(struct sigma_field *f, const char *name);

/* ---- matchers (value.c, modifiers.c) ---- */
enum sm_kind {
	SM_GLOB,     /* string with optional wildcards */
	SM_RE,       /* PCRE2 */
	SM_CIDR,     /* ip in network */
	SM_NUMCMP,   /* lt/lte/gt/gte */
	SM_EXISTS,   /* field present or not */
	SM_NULL,     /* field absent, null or empty */
	SM_FIELDREF, /* equal to another field */
	SM_NUMEQ,    /* plain integer value: numeric equality, falls back to text */
};

enum sm_shape { SH_EXACT, SH_PREFIX, SH_SUFFIX, SH_CONTAINS, SH_GLOB, SH_ANY };

enum sm_cmp { CMP_LT, CMP_LTE, CMP_GT, CMP_GTE };

enum sm_time { TM_NONE, TM_MINUTE, TM_HOUR, TM_DAY, TM_WEEK, TM_MONTH, TM_YEAR };

struct sigma_matcher {
	uint8_t kind;  /* enum sm_kind */
	uint8_t shape; /* enum sm_shape (SM_GLOB) */
	uint8_t cmp;   /* enum sm_cmp (SM_NUMCMP) */
	uint8_t time;  /* enum sm_time: compare a part of a time value */
	bool cased;
	bool neq;            /* `neq`: true when the value does NOT match */
	bool exists;         /* SM_EXISTS */
	const char *pat;     /* SM_GLOB: literal bytes, lower-cased unless cased;
				SM_NUMEQ: the number's text; SM_RE: the expression */
	const uint8_t *wild; /* SM_GLOB/SH_GLOB: 0 literal, '?' or '*' per byte of pat */
	size_t len;
	double num;
	int64_t inum;
	struct cidr cidr;
	pcre2_code *re;
	struct sigma_field ref; /* SM_FIELDREF */
	/* SM_RE made of literals joined by `.*` only (`\+.*\+.*\+`): the
	 * literals, each after a byte of its length (lower-case when not cased),
	 * so that an ASCII value is matched by finding them in order in one
	 * line (in the whole value with seq_dotall) instead of by PCRE2 */
	const uint8_t *seq;
	uint8_t nseq;
	bool seq_dotall;
	/* SM_RE: what every match needs, tested before PCRE2 is called: this
	 * many bytes at least, and each of the bytes of need (NUL-ended) */
	uint32_t re_minlen;
	char need[4];
	uint32_t lit; /* prefilter literal that must occur for a match (SM_NUMEQ: the
			 field's integer value), or UINT32_MAX */
};

/* ---- modifiers (modifier_list.h, modifiers.c) ---- */
#define SIGMA_MAX_MODS 8
enum sigma_mod_id {
#define X(id, name, apply) MOD_##id,
#include "detect/sigma/modifier_list.h"
#undef X
	MOD_COUNT
};

/* What one item's modifier chain asks for, filled by the modifier table. */
struct sigma_mods {
	uint32_t seen; /* bit per enum sigma_mod_id */
	uint8_t order[SIGMA_MAX_MODS];
	uint8_t norder;
	bool all;
};

/* Parse "a|b|c" (the part after the field name). err gets the reason. */
int sigma_mods_parse(const char *chain, struct sigma_mods *m, char *err, size_t errcap);

/* A value being compiled: bytes with a wildcard mask, possibly several variants. */
struct sigma_val {
	char *b;
	uint8_t *w; /* 0, '*' or '?' per byte */
	size_t len, cap;
};

struct sigma_valset {
	struct sigma_val *v;
	size_t n, cap;
	size_t made; /* v[0..made) hold buffers (n of them in use), kept by sigma_valset_reset */
};

/* Room for need bytes in v; AS_ETOOBIG past a rule file's size. */
int sigma_val_grow(struct sigma_val *v, size_t need);
/* One byte c with wildcard mark w at the end of v (inline: a rule set's
 * values are built a byte at a time, some million bytes). */
static inline int sigma_val_push(struct sigma_val *v, char c, uint8_t w)
{
	if (v->len == v->cap) {
		int rc = sigma_val_grow(v, v->len + 1);
		if (rc)
			return rc;
	}
	v->b[v->len] = c;
	v->w[v->len++] = w;
	return 0;
}
/* A new empty variant at the end of vs (its buffers, if it had them
 * before a reset, kept); NULL past AS_SIGMA_MAX_VARIANTS or without memory. */
struct sigma_val *sigma_valset_add(struct sigma_valset *vs);
/* No variants, the buffers kept for the next adds (the values of a rule
 * are compiled one after the other in the same set). */
void sigma_valset_reset(struct sigma_valset *vs);
void sigma_valset_clear(struct sigma_valset *vs);
void sigma_valset_free(struct sigma_valset *vs);
/* Run the transforms of the chain in order; vs is replaced. */
int sigma_mods_apply(const struct sigma_mods *m, struct sigma_valset *vs, char *err, size_t ec);

struct sigma_compile_ctx; /* rule set + rule being compiled, see rule.c */

/* Compile one YAML value under modifiers into matchers appended to *out. */
int sigma_value_compile(struct sigma_compile_ctx *cc, const struct sigma_mods *mods,
			const struct sy_node *val, struct sigma_matcher **out, size_t *n,
			size_t *cap, char *err, size_t errcap);

/* ---- detection (rule.c) ---- */
struct sigma_item {
	struct sigma_field field; /* nids == 0 and name NULL: keyword (any field) */
	bool keyword;
	bool all; /* AND over values instead of OR */
	struct sigma_matcher *m;
	uint32_t nm;
	/* with all: value k owns matchers [gend[k-1], gend[k]) — its variants, OR-ed */
	uint32_t *gend;
	uint32_t ngroups;
	/* per matcher, packed apart from the matchers so that a long list of
	 * values is skimmed without touching them: the prefilter literal whose
	 * absence means no match, UINT32_MAX: none (or neq); NULL: no literal */
	uint32_t *lits;
	bool absent_false; /* a missing field matches none of the values */
};

struct sigma_group {
	struct sigma_item *items; /* AND */
	uint32_t n;
};

struct sigma_sel {
	const char *name;
	struct sigma_group *groups; /* OR */
	uint32_t n;
};

enum cond_op { C_SEL, C_AND, C_OR, C_NOT, C_OF };

struct sigma_cond {
	uint8_t op;
	uint32_t sel;             /* C_SEL */
	struct sigma_cond *a, *b; /* C_AND, C_OR: both; C_NOT: a */
	uint32_t *of;             /* C_OF: selection indexes */
	uint32_t nof;
	uint32_t need; /* C_OF: how many must match (nof for all) */
};

/* Parse a condition string against the selection names. */
int sigma_cond_parse(struct arena *a, const char *text, const struct sigma_sel *sels, size_t nsels,
		     struct sigma_cond **out, char *err, size_t errcap);

struct sigma_detection {
	struct sigma_sel *sels;
	uint32_t nsels;
	struct sigma_cond *cond;
};

/* ---- logsource (logsource.c) ---- */
struct sigma_logsource {
	const char *product, *category, *service; /* lower-case or NULL */
};

struct sigma_lsclass; /* one distinct logsource of the rule set */

/* ---- rules ---- */
enum sigma_kind { SK_DETECTION, SK_CORRELATION, SK_FILTER };

struct sigma_corr;

struct sigma_rule {
	uint8_t kind;
	const char *id, *name, *title, *file;
	uint32_t line;
	enum alert_level level;
	const char *status;
	const char *techniques[AS_MAX_ALERT_TECHNIQUES];
	unsigned ntech;
	const char *evidence_tags; /* JSON fragment: "groups":[…],"cves":[…],"tags":[…] */
	struct sigma_logsource ls;
	uint32_t lsclass;
	struct sigma_detection det;
	/* filters that suppress this rule (detection rules) */
	struct sigma_rule **filters;
	uint32_t nfilters;
	/* filter rules: the rules named */
	const char **filter_targets;
	uint32_t ntargets;
	struct sigma_corr *corr; /* correlation rules */
	bool generate;  /* alerts of this rule are emitted (false when a correlation says so) */
	uint32_t index; /* position in the set */
	/* correlation rules that use this rule (detection or correlation) */
	uint32_t *users;
	uint32_t nusers;
	bool prefiltered; /* runs only when the prefilter names it */
	uint8_t genvote;  /* correlations naming it: bit 0 generate false, bit 1 true */
};

/* ---- correlation (correlation.c) ---- */
struct sigma_corr_worker;
int sigma_corr_parse(struct sigma_compile_ctx *cc, struct sigma_rule *r, const struct sy_node *n,
		     char *err, size_t errcap, unsigned *line);
int sigma_corr_link(struct sigma_ruleset *rs, struct sigma_rule *r, char *err, size_t errcap);
void sigma_corr_number(struct sigma_ruleset *rs);
int sigma_corr_worker_new(struct sigma_corr_worker **out, const struct sigma_ruleset *rs);
void sigma_corr_worker_free(struct sigma_corr_worker *w);
struct sigma_worker;
/* A rule (detection or correlation) fired on ev: feed the correlations using it. */
int sigma_corr_feed(struct sigma_worker *w, const struct sigma_rule *r, const struct event *ev,
		    struct alert_sink *out);

/* ---- the set ---- */
struct sigma_prefilter;

struct sigma_ruleset {
	struct arena arena;
	struct sigma_rule **rules;
	size_t nrules, cap;
	struct map byid;         /* id and name → index + 1 */
	struct map placeholders; /* name → index into ph_values */
	struct sy_node **ph_values;
	size_t nph;
	struct arena ph_arena;
	pcre2_code **res; /* every regex compiled, to free */
	size_t nres, capres;
	struct sigma_lsclass *classes;
	size_t nclasses;
	struct sigma_prefilter *pf;
	bool compiled;
	bool has_corr;
	size_t ndetect;
};

struct sigma_compile_ctx {
	struct sigma_ruleset *rs;
	struct sigma_rule *rule;
	struct sigma_valset scratch; /* the variants of the value being compiled; the
				      * maker frees it with sigma_valset_free */
};

int sigma_rule_parse(struct sigma_compile_ctx *cc, const struct sy_node *doc, char *err,
		     size_t errcap, unsigned *line);
int sigma_detection_parse(struct sigma_compile_ctx *cc, const struct sy_node *det,
			  struct sigma_detection *out, char *err, size_t errcap, unsigned *line);

/* logsource classes */
int sigma_logsource_compile(struct sigma_ruleset *rs);
/* Which classes an event belongs to: bitset of nclasses bits. */
void sigma_logsource_eval(const struct sigma_ruleset *rs, const struct event *ev, uint64_t *bits);
bool sigma_logsource_mapped(const struct sigma_ruleset *rs, const struct sigma_rule *r);
struct sigma_worker;
/* The class bits of ev (cached); *slot gets the cache entry, or SIZE_MAX. */
const uint64_t *sigma_worker_classes(struct sigma_worker *w, const struct event *ev, size_t *slot);

/* ---- prefilter (prefilter.c) ---- */
int sigma_prefilter_build(struct sigma_ruleset *rs);
void sigma_prefilter_free(struct sigma_prefilter *pf);
struct sigma_pf_scratch;
int sigma_pf_scratch_new(const struct sigma_prefilter *pf, struct sigma_pf_scratch **out);
void sigma_pf_scratch_free(struct sigma_pf_scratch *s);
/* Drop what the scratch's value cache holds and its counts (a fresh start). */
void sigma_pf_scratch_forget(struct sigma_pf_scratch *s);
/* Values whose literals the cache knew, and values looked at afresh, since the
 * last forget. */
void sigma_pf_scratch_stats(const struct sigma_pf_scratch *s, unsigned long long *hits,
			    unsigned long long *misses);
/* For tests: the number the scratch gives its next event is n + 1 (the rules'
 * clause stamps start over after 2^24 - 1 events). */
void sigma_pf_scratch_set_event_number(struct sigma_pf_scratch *s, uint32_t n);
struct sigma_pfdb; /* literal → (rule, clause) pairs of some logsource classes */
/* A table of only the pairs of the rules of the given classes, with a
 * keyword database of their keyword literals alone (s's Hyperscan scratch
 * grown to fit it). */
int sigma_prefilter_subdb(const struct sigma_ruleset *rs, const uint64_t *classes,
			  struct sigma_pf_scratch *s, struct sigma_pfdb **out);
/* The rules whose literals all occur in the field values of ev (each value
 * against the literals of the items that test its field, and the values
 * together against the keyword literals, which may make more candidates but
 * never fewer) into cand (room for every rule), each once, in ascending
 * order; *ncand their number. d NULL: the pairs of every rule. */
int sigma_prefilter_scan_fields(const struct sigma_prefilter *pf, const struct sigma_pfdb *d,
				struct sigma_pf_scratch *s, const struct event *ev, uint32_t *cand,
				size_t *ncand);
void sigma_pfdb_free(struct sigma_pfdb *d);
/* A literal that every match of regular expression p[0..n) contains, into
 * out[0..*outlen); *ci in: matched case-insensitively, out: also when the
 * pattern starts with (?i) (the literal is then lower-case). False: none. */
bool sigma_re_literal(const char *p, size_t n, bool *ci, char *out, size_t cap, size_t *outlen);
/* The literals seen by the last scan (bitset), for matchers to skip early. */
const uint64_t *sigma_pf_scratch_hits(const struct sigma_pf_scratch *s);
/* Rules that run without the prefilter naming them, per class. */
const uint32_t *sigma_prefilter_always(const struct sigma_prefilter *pf, uint32_t cls, size_t *n);

/* ---- compiled databases kept between runs (dbcache.c) ---- */
/* hs_compile_lit_multi in block mode, or the same database read back from
 * the cache folder when these literals were compiled before. */
int sigma_dbcache_compile(const char *const *exprs, const unsigned *flags, const unsigned *ids,
			  const size_t *lens, unsigned n, hs_database_t **out);
/* Databases read from the cache, and compiled, by this process so far. */
void sigma_dbcache_stats(unsigned long long *hits, unsigned long long *misses);
/* The cache folder into dir, made when missing; false: the cache is off or
 * cannot be made. */
bool sigma_cache_dir(char *dir, size_t cap);
/* The bytes of cache file path when it is a regular file of min to max
 * bytes, in *len (malloc'd; NULL otherwise), and its time in *mtime. */
char *sigma_cache_read(const char *path, size_t min, size_t max, size_t *len, time_t *mtime);
/* Cache file path of time mtime was used: its time is set to now unless
 * it is less than AS_SIGMA_HSCACHE_TOUCH seconds old. */
void sigma_cache_used(const char *path, time_t mtime);
/* parts[0..n) one after the other into path, through a temporary file
 * renamed over it; false when it could not be written. */
bool sigma_cache_write(const char *path, const void *const *parts, const size_t *lens, size_t n);
/* A file was written into the cache folder dir: past AS_SIGMA_MAX_HSCACHE
 * the least recently used go (looked at once per folder and process). */
void sigma_cache_wrote(const char *dir);

/* The rules of the documents of file name, as sigma_ruleset_load_text
 * after its parse (engine.c); the tree stays the caller's. */
int sigma_ruleset_load_tree(struct sigma_ruleset *rs, const char *name, struct sy_node *const *docs,
			    size_t nd, struct sigma_load_report *rep);

/* ---- YAML trees of rule files kept between runs (treecache.c) ---- */
struct sigma_treecache;
/* The cached trees of the rule files under path (a folder or a file), read
 * from the cache folder; NULL when the cache is off. Freed (and written back
 * when it changed) by sigma_treecache_close. */
struct sigma_treecache *sigma_treecache_open(const char *path);
/* A cache of the bundle bytes given (copied), never written: tests, fuzzing. */
struct sigma_treecache *sigma_treecache_from(const void *bytes, size_t len);
/* The documents of a file of these bytes, built in a, when tc holds them
 * (true); false: parse it (tc may be NULL). Their scalars point into tc's
 * bytes: the documents are good until the next get or put on tc. */
bool sigma_treecache_get(struct sigma_treecache *tc, struct arena *a, const char *text, size_t len,
			 struct sy_node ***docs, size_t *nd);
/* Keep the documents sy_parse made of these bytes. */
void sigma_treecache_put(struct sigma_treecache *tc, const char *text, size_t len,
			 struct sy_node *const *docs, size_t nd);
/* With write, write the bundle back if the load changed it; free tc.
 * Accepts NULL. */
void sigma_treecache_close(struct sigma_treecache *tc, bool write);
/* A tree's encoding (the bundle's entries) and its strict decoding: 0, or
 * AS_EPARSE when the bytes are not exactly an encoding within sy_parse's
 * limits (AS_ENOMEM). The nodes are built in a, their scalars point into p. */
int sigma_tree_encode(struct buf *b, struct sy_node *const *docs, size_t nd);
int sigma_tree_decode(struct arena *a, const void *p, size_t len, struct sy_node ***docs,
		      size_t *nd);
/* Files found in, and parsed for want of, a bundle by this process so far. */
void sigma_treecache_stats(unsigned long long *hits, unsigned long long *misses);

/* ---- evaluation (match.c) ---- */
struct sigma_slot {
	uint32_t gen, pos;
};

struct sigma_worker {
	const struct sigma_ruleset *rs;
	const struct event *ev;
	/* field id → index+1 into ev->fields for the current event, valid when
	 * stamped with gen; the two side by side, so a field costs one cache line.
	 * Built when a field is first looked up (indexed). */
	struct sigma_slot *slot;
	uint32_t nslot;
	uint32_t gen;
	bool indexed;
	/* lower-cased copies of field values, made on demand */
	char *lower;
	size_t lower_len, lower_cap;
	uint32_t *lower_off; /* per event field: offset+1 into lower, 0 = not yet */
	uint32_t lower_cap_fields;
	/* per event field, parsed once when a matcher first asks: its value as an
	 * integer and as an IP address; parsed bits: PV_INT, PV_INT_OK, PV_IP, PV_IP_OK */
	uint8_t *parsed;
	int64_t *ival;
	struct ip *ipval;
	/* per-rule selection cache: 0 unknown, 1 false, 2 true */
	uint8_t *selcache;
	size_t selcap;
	uint64_t *classbits;
	uint32_t *cand;         /* the prefilter's candidate rules of the current event */
	const uint64_t *cur;    /* class bits of the current event */
	const uint64_t *lithit; /* literals present in the current event, NULL: unknown */
	struct sigma_pf_scratch *pf;
	pcre2_match_data *md;
	pcre2_match_context *mctx;
	struct sigma_corr_worker *corr;
	struct map lscache; /* logsource key → index into lsbits */
	/* the key of the last event and its entry: events of one log come in
	 * runs of the same key, which then cost a compare, not a look-up */
	char lastkey[64];
	size_t lastlen, lastslot; /* lastlen 0: none */
	uint64_t *lsbits;
	struct sigma_pfdb **lsdb; /* per cache entry: its prefilter pairs (in dbs) */
	struct map dbkeys;        /* class bits → index into dbs: keys with equal classes share */
	struct sigma_pfdb **dbs;
	size_t ndbs;
	uint8_t *lsdb_state; /* 0 not built, 1 built, 2 failed or over AS_SIGMA_MAX_SUBDB */
	size_t nls;
	size_t lswords;
	/* evidence of the last match */
	uint32_t matched[16];
	uint32_t nmatched;
};

void sigma_worker_set_event(struct sigma_worker *w, const struct event *ev);
bool sigma_rule_eval(struct sigma_worker *w, const struct sigma_rule *r);
bool sigma_detection_eval(struct sigma_worker *w, const struct sigma_detection *d);
const struct field *sigma_worker_field(struct sigma_worker *w, const struct sigma_field *f);
int sigma_alert_emit(struct sigma_worker *w, const struct sigma_rule *r, const struct event *ev,
		     const char *extra_json, struct alert_sink *out);

#endif
