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
#define ATTR_SUSPECTED  0.50 /* … "suspected" (likelier right than wrong); below, "unattributed" */

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

/* Clustering of unattributed incidents (cluster.c, docs/attribution.md "New
 * groups"). Incidents sharing an indicator, an infrastructure value, an exact
 * file hash, software that is not common, a close ssdeep hash or a close set
 * of distinctive techniques join one cluster. A cluster of at least two
 * incidents is a candidate new group named UNK-<year of first activity>-<NNN>;
 * clusters of earlier runs, given back with attr_cluster_add_known, keep their
 * names and are never merged with each other. With a knowledge base a cluster
 * is linked to the group whose own indicators, hashes or exclusive software
 * it holds — how a later import names it. */
struct attr_clusterer;

#define ATTR_SSDEEP_MATCH 65 /* libfuzzy score (0–100) from which two files are kin */

struct attr_cluster {
	char name[24]; /* "UNK-2024-001" */
	int64_t first_seen, last_seen;
	char **incidents; /* ids: an earlier run's first, then this run's */
	size_t nincidents;
	char **orgs; /* distinct organisations named ("unknown" left out) */
	size_t norgs;
	struct observations *profile; /* union of the members' observations */
	char *linked_group;           /* canonical name of the group it is, or NULL */
	char *linked_reason;          /* why: the evidence of that group it holds */
	bool known;                   /* named by an earlier run */
	bool grown;                   /* incidents of this run are in it */
	bool newly_linked;            /* linked by this run */
};

/* What a run did beyond the clusters: merges refused between two known
 * clusters, pairs compared (ssdeep and techniques), pairs and inverted-list
 * runs skipped for being past the limits of limits.h. */
struct attr_cluster_stats {
	uint64_t refused, compared, pairs_skipped, buckets_skipped, posts_over;
};

int attr_clusterer_new(struct attr_clusterer **out);
void attr_clusterer_free(struct attr_clusterer *c); /* accepts NULL */
/* o is copied. org may be NULL. An incident given twice keeps the first. */
int attr_cluster_add(struct attr_clusterer *c, const char *incident, const char *org, int64_t first,
		     int64_t last, const struct observations *o);
/* A cluster of an earlier run, as attr_cluster_to_json wrote it: it keeps its
 * name, its incidents and its link. AS_EPARSE when json is not one. */
int attr_cluster_add_known(struct attr_clusterer *c, const char *json, size_t len);
/* Group what was added; clusters (new ones of ≥ 2 incidents, and every known
 * one) are returned in *out, sorted by name, owned by c and valid until the
 * next call or attr_clusterer_free. kb (may be NULL) tells common software and
 * techniques, and names the clusters not linked yet. */
int attr_cluster_run(struct attr_clusterer *c, const struct kb *kb, const struct attr_cluster **out,
		     size_t *n);
void attr_clusterer_stats(const struct attr_clusterer *c, struct attr_cluster_stats *st);
/* The cluster (or NULL) holding an incident after attr_cluster_run. */
const struct attr_cluster *attr_cluster_of(const struct attr_clusterer *c, const char *incident);
/* {"name","first_seen","last_seen","incidents","organisations","organisation_names",
 *  "techniques","software","infrastructure","indicators","ssdeep","sectors",
 *  "victim_countries","linked_group","linked_reason"} */
int attr_cluster_to_json(const struct attr_cluster *cl, struct buf *out);
void attr_cluster_jw(const struct attr_cluster *cl, struct jw *w);
/* Software the kb gives to two groups or more (Mimikatz, Cobalt Strike): it
 * links no incidents, nor do the hashes of a file it names. */
bool attr_software_common(const struct kb *kb, const char *name);

#endif
