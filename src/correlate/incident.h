/*
 * incident.h — alerts grouped into attacks: one incident per intrusion of one
 * victim organisation, with its kill-chain stage, severity, CVE classes,
 * platforms, supply-chain flag, and the reasons every alert belongs.
 *
 *   alert ─► victim keys (host, address, account, organisation)
 *         ─► evidence keys (indicator, external endpoint, malware, rule,
 *            process, lateral-movement source)
 *         ─► candidate incidents sharing a key, within the time window
 *         ─► score = sum of the weights of the shared keys (the "why")
 *         ─► join the best candidate when score ≥ threshold, else open one
 *
 * Correlation streams: an incident keeps counts and the first/last few alert
 * ids per rule, never every alert, so memory grows with the number of
 * incidents (capped by AS_CORR_MAX_INCIDENTS) and not with the number of
 * alerts. Alerts may come in any time order (file order): the window is
 * checked on both sides of an incident's span.
 *
 * Across organisations, incidents that share evidence (an indicator, an
 * external endpoint, a malware name) are linked into one campaign when the
 * correlator finishes.
 *
 * Ownership: the correlator copies what it keeps from each alert; incidents
 * handed to callbacks belong to the correlator and are valid only during the
 * call.
 */
#ifndef AS_CORRELATE_INCIDENT_H
#define AS_CORRELATE_INCIDENT_H

#include <stdbool.h>
#include <stdint.h>
#include <stdio.h>

#include "core/buf.h"
#include "detect/alert.h"

struct kb;
struct store;
struct incident;
struct correlator;

/* Windows, weights and thresholds; correlate_config_default() documents the
 * defaults (docs/incidents.md). Times are microseconds. */
struct correlate_config {
	int64_t window;     /* largest gap between an alert and an incident's span */
	int64_t oneday;     /* a CVE exploited within this long after disclosure/fix is 1-day */
	unsigned threshold; /* score an alert needs to join an incident */
	/* weights of each shared key */
	unsigned w_host, w_user, w_indicator, w_endpoint, w_malware, w_rule, w_process, w_lateral;
};

void correlate_config_default(struct correlate_config *cfg);

/* A new correlator. kb (may be NULL) gives victims' organisations from the
 * assets, CVE dates and technique tactics; it must outlive the correlator.
 * store (may be NULL) is where incidents are saved by correlator_finish and
 * from which recent incidents are resumed, so that a later hunt extends them.
 * cfg NULL means the defaults. Free with correlator_free. */
int correlator_new(struct correlator **out, const struct correlate_config *cfg, const struct kb *kb,
		   struct store *store);

/* Optional: incidents pushed out early because AS_CORR_MAX_INCIDENTS are
 * held go to fn (and the store) at once instead of being lost. */
void correlator_set_overflow(struct correlator *c, void (*fn)(void *ctx, const struct incident *),
			     void *ctx);

/* What the stages after correlation add to incidents before they are stored
 * and shown: `each` is called for every finished incident (in first-seen
 * order), then `all` once with all of them (e.g. to cluster the
 * unattributed); both may call incident_set_attribution(). The correlator
 * itself knows nothing of attribution. */
struct correlate_hooks {
	void (*each)(void *ctx, struct incident *inc);
	void (*all)(void *ctx, struct incident *const *v, size_t n);
};
void correlator_set_hooks(struct correlator *c, const struct correlate_hooks *hooks, void *ctx);

/* The incident's "attribution" object (JSON text, copied); without one it is
 * {"verdict":"unattributed","candidates":[]}. 0 or AS_ENOMEM. */
int incident_set_attribution(struct incident *inc, struct slice json);

/* Feed one alert (any order). Copies what it keeps; a is not retained.
 * 0, AS_EINVAL or AS_ENOMEM. */
int correlator_add(struct correlator *c, const struct alert *a);

/* End of input: links campaigns, classes CVEs, writes every incident to the
 * store (when one was given) and calls on_incident (may be NULL) for each,
 * in order of first_seen. Returns 0 or the first store error; every incident
 * is still handed to on_incident. */
int correlator_finish(struct correlator *c, void (*on_incident)(void *ctx, const struct incident *),
		      void *ctx);

/* Counters, for the summary line. */
struct correlate_stats {
	uint64_t alerts;    /* alerts fed */
	uint64_t incidents; /* incidents made or extended */
	uint64_t resumed;   /* incidents taken up again from the store */
	uint64_t campaigns; /* campaigns linking two incidents or more */
	uint64_t evicted;   /* incidents pushed out early (cap reached) */
};
void correlator_stats(const struct correlator *c, struct correlate_stats *st);

void correlator_free(struct correlator *c); /* accepts NULL */

/* --- reading an incident --------------------------------------------------- */

const char *incident_id(const struct incident *inc);
int64_t incident_first_seen(const struct incident *inc);
int64_t incident_last_seen(const struct incident *inc);
uint64_t incident_alert_count(const struct incident *inc);
const char *incident_severity(const struct incident *inc); /* "low" … "critical" */
const char *incident_kind(const struct incident *inc);     /* "apt", "beacon", … */
const char *incident_org(const struct incident *inc);      /* "unknown" when none */
const char *incident_campaign(const struct incident *inc); /* NULL when none */
bool incident_supply_chain(const struct incident *inc);

/* The "incident" JSON line of DESIGN.md with the store's extra fields (kind,
 * campaign, supply_chain, malware, indicators, sources, story, links),
 * without a newline. */
int incident_to_json(const struct incident *inc, struct buf *out);
/* The one-paragraph readable story: who, what, when, how far it got. */
int incident_story(const struct incident *inc, struct buf *out);

/* --- the ATT&CK kill chain (killchain.c) ----------------------------------- */

#define KILLCHAIN_LIST(X)                                                                          \
	X(RECONNAISSANCE, "reconnaissance")                                                        \
	X(RESOURCE_DEVELOPMENT, "resource-development")                                            \
	X(INITIAL_ACCESS, "initial-access")                                                        \
	X(EXECUTION, "execution")                                                                  \
	X(PERSISTENCE, "persistence")                                                              \
	X(PRIVILEGE_ESCALATION, "privilege-escalation")                                            \
	X(DEFENSE_EVASION, "defense-evasion")                                                      \
	X(CREDENTIAL_ACCESS, "credential-access")                                                  \
	X(DISCOVERY, "discovery")                                                                  \
	X(LATERAL_MOVEMENT, "lateral-movement")                                                    \
	X(COLLECTION, "collection")                                                                \
	X(COMMAND_AND_CONTROL, "command-and-control")                                              \
	X(EXFILTRATION, "exfiltration")                                                            \
	X(IMPACT, "impact")

enum killchain_stage {
#define X(id, name) KC_##id,
	KILLCHAIN_LIST(X)
#undef X
	    KC_COUNT
};

const char *killchain_name(enum killchain_stage s);
int killchain_parse(const char *name); /* -1 when unknown; "attack.initial-access" too */
/* Stages of a technique ("T1059.001"): bit s set for stage s. The kb's
 * tactics when it knows the technique, else a built-in table of the common
 * ones; 0 when unknown. */
uint32_t killchain_of_technique(const struct kb *kb, const char *technique);
/* Severity from the furthest stage reached and the highest alert level. */
enum alert_level killchain_severity(uint32_t stages, enum alert_level max_level);

/* --- vulnerability classes (vulnclass.c) ----------------------------------- */

enum vuln_class { VC_UNKNOWN = 0, VC_0DAY, VC_1DAY, VC_NDAY };

/* "0day", "1day", "nday", "unknown" */
const char *vuln_class_name(enum vuln_class c);
/* Class of an exploitation first seen at `seen` of a CVE published at
 * `published` with a first fix at `fixed` (either AS_TIME_NONE unknown). */
enum vuln_class vuln_classify(int64_t seen, int64_t published, int64_t fixed, int64_t oneday);
/* CVE ids ("CVE-2021-44228", upper-cased) named in text: "CVE-2021-44228",
 * "cve.2021-44228" (Sigma tags), "CVE_2021_44228". Calls fn for each;
 * returns how many. */
unsigned vuln_cves_in_text(struct slice text, void (*fn)(void *ctx, const char *cve), void *ctx);

/* --- persistence (incident_store.c) ---------------------------------------- */

/* Print the incidents of the store (newest first), since `since` (µs or
 * AS_TIME_NONE): one JSON line each, or a table with each one's story. */
int incident_store_list(struct store *s, int64_t since, bool json, FILE *out);
/* One incident and the timeline of its listed alerts. AS_ENOTFOUND when no
 * incident has this id (or unique prefix of one). */
int incident_store_show(struct store *s, const char *id, bool json, FILE *out);

#endif
