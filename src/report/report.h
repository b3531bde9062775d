/*
 * report.h — the threat-landscape report: what the incidents of a period say
 * about who attacked whom, from where, how, and with which vulnerabilities.
 *
 *   store (incidents table) ─► landscape (landscape.c): one pass over the
 *   period's incidents fills tallies ─► renderers: html.c (inline SVG),
 *   md.c, json.c, stix.c (STIX 2.1 bundle)
 *
 * A tally is a list of rows {key, count, incidents}: every figure of the
 * report is one row, and the incidents behind it are kept (as indices into
 * the landscape's incident array) so each renderer can trace it back. The
 * stored incident JSON is read leniently: an absent field counts as
 * "unknown", never as an error. The knowledge base fills a group's aliases,
 * origin country and region when the incident's attribution lacks them.
 */
#ifndef AS_REPORT_REPORT_H
#define AS_REPORT_REPORT_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "core/buf.h"
#include "core/map.h"

struct kb;
struct store;

/* One incident of the period, as the report needs it. Strings are owned by
 * the landscape; "unknown" where the incident does not say. */
struct rep_inc {
	char *id;
	int64_t first_seen, last_seen; /* µs, AS_TIME_NONE unknown */
	char *org, *sector, *country, *kind, *severity, *stage;
	char *campaign; /* NULL when none */
	char *group;    /* canonical group or cluster name, NULL when unattributed */
	char *verdict;  /* attributed, suspected, indicator, new-cluster, unattributed */
	char *nearest;  /* a new cluster's best-scoring known group, NULL when none */
	double confidence;
	uint64_t alerts;
	bool exploited; /* names at least one CVE */
	bool mobile;    /* android or ios among its platforms */
	void *json;     /* the parsed incident (json_t *), for lists read by renderers */
};

struct rep_group; /* profile of a group row (below) */

struct rep_row {
	char *key;
	uint64_t count; /* additions: incidents, or (incident, CVE) pairs for classes */
	uint32_t *inc;  /* distinct incident indices, ascending */
	size_t ninc, cap;
	uint64_t volume;         /* sum of the incidents' alert counts */
	struct rep_group *group; /* groups and new groups only */
};

enum rep_order { REP_BY_COUNT, REP_BY_KEY, REP_BY_STAGE };

struct rep_tally {
	struct rep_row *rows; /* in insertion order; rep_tally_sort fills order */
	size_t n, cap;
	struct rep_row **order; /* rows sorted for output */
	struct map idx;         /* key → row index */
	bool over;              /* AS_REPORT_MAX_KEYS reached: later keys not tallied */
};

struct rep_group {
	char *name;
	char *attack_id; /* "G0050" or NULL */
	char **aliases;  /* every other name known, APT-C numbers included */
	size_t naliases;
	char *country; /* ISO alpha-2 or NULL */
	char *region;  /* UN M49 sub-region or NULL */
	bool cluster;  /* a new group (UNK-…) found by clustering */
	char *named;   /* the known group a later import linked the cluster to, or NULL */
	int64_t first_seen, last_seen;
};

struct landscape {
	int64_t from, to; /* [from, to) µs; AS_TIME_NONE open */
	struct rep_inc *inc;
	size_t ninc, cap;
	uint64_t skipped; /* rows whose JSON could not be read, or beyond the limit */
	int err;          /* first AS_ENOMEM met while tallying */
	struct rep_tally sectors, countries, months, stages, kinds, orgs, campaigns;
	struct rep_tally groups;        /* named groups (attributed, suspected, indicator) */
	struct rep_tally new_groups;    /* clusters (verdict new-cluster) */
	struct rep_tally regions;       /* origin region of the group; "unattributed" */
	struct rep_tally origins;       /* origin country of the group */
	struct rep_tally src_countries; /* countries of the attack source addresses */
	struct rep_tally classes;       /* 0day, 1day, nday, unknown: (incident, CVE) pairs */
	struct rep_tally cves;
	struct rep_tally platforms;         /* every incident */
	struct rep_tally exploit_platforms; /* incidents that exploited a CVE */
	struct rep_tally exploit_months;    /* exploiting incidents per month */
	struct rep_tally mobile_months;     /* exploiting incidents on mobile per month */
	struct rep_tally supply;            /* "vendor · channel" */
	struct rep_tally services;          /* brute force and DDoS: "kind · target" */
	struct rep_tally commercial;        /* commercial attack platforms by malware name */
};

/* Read the incidents whose first_seen is in [from, to) (AS_TIME_NONE: open
 * end) and tally them. kb may be NULL. Free with landscape_free. */
int landscape_build(struct landscape **out, struct store *s, const struct kb *kb, int64_t from,
		    int64_t to);
/* The same over incident JSON objects given as text (tests, other stores). */
int landscape_new(struct landscape **out, int64_t from, int64_t to);
int landscape_add_json(struct landscape *l, const struct kb *kb, const char *json, size_t len);
/* After the last landscape_add_json: sort the rows, fill month gaps. */
void landscape_finish(struct landscape *l);
void landscape_free(struct landscape *l); /* accepts NULL */

/* Headline figures. */
struct rep_headline {
	uint64_t incidents, campaigns, orgs, sectors, groups, new_groups, exploited, supply;
};
void landscape_headline(const struct landscape *l, struct rep_headline *h);

/* The row of key, NULL when absent. */
const struct rep_row *rep_tally_find(const struct rep_tally *t, const char *key);
/* Share of the period's incidents, 0 … 1. */
double rep_share(const struct landscape *l, uint64_t n);

/* Breakdown of one row's incidents by another field, into out (a fresh
 * tally sorted by count; free with rep_tally_free). */
enum rep_field {
	RF_ORG,
	RF_SECTOR,
	RF_GROUP,
	RF_COUNTRY,
	RF_SRC_COUNTRY,
	RF_TECHNIQUE,
	RF_MALWARE,
	RF_NEAREST
};
int rep_row_breakdown(const struct landscape *l, const struct rep_row *r, enum rep_field f,
		      struct rep_tally *out);
void rep_tally_free(struct rep_tally *t); /* accepts NULL */

/* Mobile share of the exploiting incidents and its trend over the months
 * (least-squares slope of the monthly share; "rising", "falling", "flat"). */
struct rep_trend {
	uint64_t exploited, mobile;
	double share, slope;
	const char *direction;
};
void rep_mobile_trend(const struct landscape *l, struct rep_trend *t);

/* One key compared across two periods: the union of both tallies' keys,
 * in the order of now (then before's). Free *out with free(). */
struct rep_delta {
	const char *key;
	uint64_t now, before;
};
int rep_compare(const struct rep_tally *now, const struct rep_tally *before, struct rep_delta **out,
		size_t *n);

/* The key findings in a few plain sentences (unescaped), each given to fn. */
void rep_findings(const struct landscape *l, const struct landscape *prev,
		  void (*fn)(void *ctx, const char *sentence), void *ctx);

/* "2025-01-01" of a period bound, or "…" when open; to is shown as the
 * last day included. dst[AS_TIME_STRLEN]. */
const char *rep_day(int64_t t, bool is_to, char *dst);

/* Display label of a sector id ("government" → "Government"). */
const char *rep_sector_label(const char *id);

/* Renderers. prev (may be NULL) is the comparison period (--compare-to).
 * Each appends to out and returns 0 or out's error. */
int report_json(const struct landscape *l, const struct landscape *prev, struct buf *out);
int report_md(const struct landscape *l, const struct landscape *prev, struct buf *out);
int report_html(const struct landscape *l, const struct landscape *prev, struct buf *out);
/* created: the bundle's timestamp (µs). */
int report_stix(const struct landscape *l, int64_t created, struct buf *out);

#endif
