/*
 * attribute.h — which known group is behind a set of observations, how sure,
 * and clusters of activity nobody has named yet.
 *
 * A struct attr_model is built once from a knowledge base: every group
 * becomes a profile of tokens (techniques, their parent techniques,
 * software, indicators, victim sectors and countries), with inverted
 * postings from token to groups and each token's group frequency. Scoring
 * is a smoothed multinomial naive Bayes per evidence kind (docs/attribution.md):
 * a matched token weighs log(1 + 1/(alpha·bg)), bg being how common it is
 * among groups, so an exclusive implant outweighs a technique every group
 * uses; a group pays for the size of its profile, so a group that "uses
 * everything" does not win by default. Confidence is Platt-calibrated on
 * held-out ATT&CK activity (calibrate.c).
 *
 * The model is read-only once built and may be shared by threads; a result
 * belongs to its caller.
 */
#ifndef AS_ATTRIBUTE_ATTRIBUTE_H
#define AS_ATTRIBUTE_ATTRIBUTE_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "core/buf.h"
#include "core/diag.h"
#include "core/json.h"
#include "core/slice.h"

struct kb;
struct kb_group;
struct attr_model;

/* --- observations ----------------------------------------------------------- */

enum attr_obs_kind {
	ATTR_OBS_TECHNIQUE,      /* "T1059.001" */
	ATTR_OBS_SOFTWARE,       /* a malware or tool name, any alias */
	ATTR_OBS_SECTOR,         /* victim sector: an id or free text ("Government") */
	ATTR_OBS_VICTIM_COUNTRY, /* ISO alpha-2 or a country name */
	ATTR_OBS_SOURCE_COUNTRY, /* where the attack came from */
	ATTR_OBS_INFRA, /* "asn:AS4134", "ja3:…", "cert:…", "registrar:…", "url:…" */
	ATTR_OBS_FUZZY, /* an ssdeep hash "blocksize:chunk:chunk" of a file seen; not
			   scored (no group profile holds one), used to cluster */
	ATTR_OBS_KINDS
};

/* A growable list of owned strings, duplicates dropped (case-insensitive). */
struct attr_strs {
	char **v;
	uint32_t n, cap;
};

struct attr_indicator {
	char *type;              /* "ipv4-addr", "domain-name", "sha256", … or "" */
	char *value;             /* as observed */
	struct attr_strs groups; /* group names the feed that flagged it gives */
};

struct observations {
	struct attr_strs list[ATTR_OBS_KINDS];
	struct attr_indicator *ind;
	uint32_t nind, capind;
	uint32_t hours[24]; /* activity per UTC hour of day */
	uint64_t skipped;   /* values not taken (empty, too long, past a limit) */
};

/* An empty set. Free with observations_free. */
int observations_new(struct observations **out);
void observations_free(struct observations *o); /* accepts NULL */
/* Add one value of a kind (copied). Empty values are ignored; past
 * AS_MAX_ATTR_OBS values of a kind AS_ETOOBIG is returned and counted. */
int observations_add(struct observations *o, enum attr_obs_kind kind, struct slice value);
/* An indicator with the group names its feeds give (may be none). */
int observations_add_indicator(struct observations *o, struct slice type, struct slice value,
			       const struct slice *groups, size_t ngroups);
/* Activity at time us (µs since the epoch, UTC); AS_TIME_NONE is ignored. */
void observations_add_time(struct observations *o, int64_t us);
/* Fill o from a document: the JSON contract {"techniques","software",
 * "indicators","sectors","victim_countries","source_countries","infrastructure",
 * "ssdeep","times"}, a MISP event (bare, {"Event":…} or {"response":[…]}) or a STIX 2.x
 * bundle. Bad entries are reported to diags (may be NULL) with file and
 * reason and skipped; AS_EPARSE / AS_EFORMAT when the document is neither. */
int observations_parse(struct observations *o, const char *name, const char *data, size_t len,
		       struct diag_sink *diags);

/* --- the model -------------------------------------------------------------- */

/* Profiles of every group of kb. kb must outlive the model. Free with
 * attr_model_free. */
int attr_model_build(struct attr_model **out, const struct kb *kb);
void attr_model_free(struct attr_model *m); /* accepts NULL */
const struct kb *attr_model_kb(const struct attr_model *m);

/* Platt scaling of the top candidate: confidence = 1/(1+exp(-(a·lead +
 * b·density + c))), lead = score margin over the runner-up, density = top
 * score per observed token. The defaults come from bench_attribute. */
struct attr_calib {
	double a, b, c;
};
void attr_model_set_calib(struct attr_model *m, const struct attr_calib *c);
/* Fit a, b, c by Newton's method on n labelled cases (x[i] = {lead, density},
 * y[i] = 1 when the top candidate was right). */
int attr_calib_fit(const double (*x)[2], const int *y, size_t n, struct attr_calib *out);

/* --- attribution ------------------------------------------------------------ */

#define ATTR_ATTRIBUTED 0.80 /* confidence from which a verdict is "attributed" */
#define ATTR_SUSPECTED  0.40 /* … "suspected"; below, "unattributed" */

enum attr_verdict { ATTR_UNATTRIBUTED, ATTR_SUSPECTED_V, ATTR_ATTRIBUTED_V };
const char *attr_verdict_name(enum attr_verdict v);

struct attr_options {
	const char *const *exclude; /* group names or aliases never proposed */
	size_t nexclude;
	unsigned top; /* candidates returned; 0 = AS_ATTR_DEFAULT_TOP */
};

struct attr_evidence {
	const char *kind; /* "indicator", "software", "technique", "technique-family",
			     "sector", "victim-country", "source-country", "infrastructure",
			     "activity-hours" (static strings) */
	char *value;      /* owned */
	double weight;    /* log-likelihood ratio the item adds */
};

struct attr_candidate {
	const struct kb_group *group; /* lives as long as the model's kb */
	double score;                 /* log-likelihood against the background */
	double confidence;            /* calibrated, in [0,1] */
	struct attr_evidence *ev;     /* strongest first */
	size_t nev;
};

struct attr_result {
	struct attr_candidate *cand; /* best first */
	size_t n;
	enum attr_verdict verdict;
	double lead, density; /* the calibration features of the top candidate */
};

/* Rank the groups for o. out is overwritten (call attr_result_free after);
 * opt may be NULL. Never fails on odd observations: unknown names are
 * simply not evidence. */
int attribute_observations(const struct attr_model *m, const struct observations *o,
			   const struct attr_options *opt, struct attr_result *out);
void attr_result_free(struct attr_result *r); /* the contents; accepts NULL */

/* {"candidates":[{"group","id","aliases","country","region","confidence",
 *  "evidence":[{"kind","value","weight"}…]}…],"verdict":…} */
int attr_result_to_json(const struct attr_result *r, struct buf *out);
/* The same object written at w's position (e.g. an incident's "attribution"). */
void attr_result_jw(const struct attr_result *r, struct jw *w);

/* --- new groups ------------------------------------------------------------- */

/* Clustering of unattributed incidents (cluster.c). Each incident is given
 * with an id, its organisation, first/last time and observations; incidents
 * sharing an indicator, infrastructure value or uncommon software, or whose
 * technique sets are close (Jaccard >= 0.5 over five or more techniques),
 * join one cluster. A cluster of at least two incidents becomes a candidate
 * new group named UNK-<year of first activity>-<NNN>, numbered in order of
 * first activity so names stay stable when incidents are re-run. */
struct attr_clusterer;

struct attr_cluster {
	char name[24]; /* "UNK-2024-001" */
	int64_t first_seen, last_seen;
	uint64_t *incidents; /* ids given to attr_cluster_add */
	size_t nincidents;
	size_t norgs;                  /* distinct organisations */
	struct observations *profile;  /* union of the members' observations */
	const struct kb_group *linked; /* a known group the profile attributes to, or NULL */
	double linked_confidence;
};

int attr_clusterer_new(struct attr_clusterer **out);
void attr_clusterer_free(struct attr_clusterer *c); /* accepts NULL */
/* o is copied. org may be NULL. */
int attr_cluster_add(struct attr_clusterer *c, uint64_t incident, const char *org, int64_t first,
		     int64_t last, const struct observations *o);
/* Group the incidents added so far; clusters of ≥ 2 incidents are returned in
 * *out (owned by c, valid until the next call or attr_clusterer_free). When m
 * is not NULL each cluster's profile is attributed and linked to a known
 * group if that is "attributed" — how a later import names a cluster. */
int attr_cluster_run(struct attr_clusterer *c, const struct attr_model *m,
		     const struct attr_cluster **out, size_t *n);
/* The cluster (or NULL) holding an incident after attr_cluster_run. */
const struct attr_cluster *attr_cluster_of(const struct attr_clusterer *c, uint64_t incident);
int attr_cluster_to_json(const struct attr_cluster *cl, struct buf *out);

#endif
