/*
 * attr_impl.h — the inside of struct attr_model, shared by the files of
 * src/attribute/.
 *
 * Tokens are "k:value" strings (k the evidence kind, value lower-cased) mapped
 * to a dense index. Postings (token → groups holding it) and profiles
 * (group → its tokens, sorted) are both CSR arrays, so scoring one set of
 * observations touches only the postings of what was observed.
 */
#ifndef AS_ATTRIBUTE_ATTR_IMPL_H
#define AS_ATTRIBUTE_ATTR_IMPL_H

#include "attribute/attribute.h"
#include "core/map.h"

enum attr_tok_kind {
	TK_TECH,     /* technique or sub-technique, exact */
	TK_FAM,      /* technique family (the parent id) */
	TK_SW,       /* software, canonical name */
	TK_IND,      /* indicator or infrastructure value */
	TK_SECTOR,   /* victim sector id */
	TK_VCOUNTRY, /* victim country */
	TK_KINDS
};

/* Per-kind smoothing (alpha) and weight (beta): docs/attribution.md. */
struct attr_kind_param {
	double alpha, beta;
};

struct attr_model {
	const struct kb *kb;
	size_t ngroups;
	struct map tok;     /* "k:value" → token index */
	uint8_t *tok_kind;  /* per token */
	double *tok_weight; /* per token: log(1 + 1/(alpha·bg)) */
	size_t ntok;
	uint32_t *post_off, *post;    /* token → groups */
	uint32_t *prof_off, *prof;    /* group → tokens, sorted */
	uint32_t (*gcount)[TK_KINDS]; /* tokens per kind per group */
	double mean_count[TK_KINDS];  /* over groups that have any of the kind */
	double *country_share;        /* per group: share of groups from its country */
	struct attr_kind_param param[TK_KINDS];
	struct attr_calib calib;
};

extern const struct attr_kind_param attr_default_params[TK_KINDS];
extern const struct attr_calib attr_default_calib;

/* Token key "k:value" lower-cased into dst[cap]; its length or -1. */
long attr_tok_key(int kind, struct slice value, char *dst, size_t cap);
/* Index of a token or -1. */
long attr_tok_find(const struct attr_model *m, int kind, struct slice value);
/* Re-derive the token weights after a change of parameters. */
void attr_model_reweigh(struct attr_model *m);
/* For the bench: replace the per-kind parameters. */
void attr_model_set_params(struct attr_model *m, const struct attr_kind_param *p);

int attr_strs_add(struct attr_strs *s, struct slice v, uint32_t max);
void attr_strs_free(struct attr_strs *s);

/* Calibrated confidence of a top candidate. */
double attr_calib_apply(const struct attr_calib *c, double lead, double density);

#endif
