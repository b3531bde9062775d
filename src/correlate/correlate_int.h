/*
 * correlate_int.h — what the files of src/correlate/ share: the incident
 * record, its bounded string sets, and the knowledge-base view.
 *
 * Every collection an incident holds has a hard cap (limits.h); what does not
 * fit is counted, so an incident stays a few kilobytes whatever the number of
 * alerts it absorbs.
 */
#ifndef AS_CORRELATE_INT_H
#define AS_CORRELATE_INT_H

#include "core/ip.h"
#include "core/limits.h"
#include "correlate/incident.h"

/* A small set of owned strings, linear search (at most AS_CORR_MAX_SET). */
struct strset {
	char **v;
	uint32_t n, cap;
	uint64_t over; /* distinct values not kept */
};

/* 1 when added, 0 when present, AS_ETOOBIG when full (counted), AS_ENOMEM. */
int strset_add(struct strset *s, struct slice v);
bool strset_has(const struct strset *s, struct slice v);
void strset_free(struct strset *s);

/* Why an alert belongs to its incident. */
#define LINK_LIST(X)                                                                               \
	X(OPENED, "opened", "first alert of the incident")                                         \
	X(HOST, "same_host", "same victim host or address")                                        \
	X(USER, "same_user", "same account")                                                       \
	X(INDICATOR, "shared_indicator", "same indicator")                                         \
	X(ENDPOINT, "shared_endpoint", "same external endpoint")                                   \
	X(MALWARE, "same_malware", "same malware or tool")                                         \
	X(RULE, "same_rule", "same rule")                                                          \
	X(PROCESS, "process_chain", "parent process seen in the incident")                         \
	X(LATERAL, "lateral_movement", "logon from a compromised host")

enum link_kind {
#define X(id, name, doc) LINK_##id,
	LINK_LIST(X)
#undef X
	    LINK_COUNT
};

const char *link_name(enum link_kind k);
int link_parse(const char *name);

struct inc_rule {
	char *detector, *rule_id, *title;
	enum alert_level level;
	uint64_t count;
	int64_t first, last;
	char first_ids[AS_CORR_RULE_IDS][17];
	unsigned nfirst;
	char last_ids[AS_CORR_RULE_IDS][17]; /* a ring once full */
	unsigned nlast, last_pos;
	uint64_t why[LINK_COUNT];    /* alerts linked by each kind */
	char *why_value[LINK_COUNT]; /* the first shared value, for the story */
};

struct inc_cve {
	char id[24];
	int64_t seen; /* first exploitation seen */
	int64_t published, fixed;
	enum vuln_class cls;
	char *rule;
	bool known_exploited;
};

#define PLATFORM_LIST(X)                                                                           \
	X(WINDOWS, "windows")                                                                      \
	X(LINUX, "linux")                                                                          \
	X(MACOS, "macos")                                                                          \
	X(ANDROID, "android")                                                                      \
	X(IOS, "ios")                                                                              \
	X(NETWORK, "network")                                                                      \
	X(CLOUD, "cloud")

enum platform {
#define X(id, name) PF_##id,
	PLATFORM_LIST(X)
#undef X
	    PF_COUNT
};

const char *platform_name(enum platform p);
int platform_parse(struct slice s); /* -1 when unknown; ATT&CK and CPE spellings */
/* Platforms implied by the log format ("evtx" → windows); 0 when it says nothing. */
uint32_t platform_of_format(const char *format);
/* Platforms of a technique when it names few (≤ 2; a technique for every
 * platform says nothing), from the kb; 0 without one. */
uint32_t platform_of_technique(const struct kb *kb, const char *technique);

struct incident {
	char id[24];
	char first_alert[17];
	int64_t first_seen, last_seen;
	uint64_t nalerts;
	int64_t resume_after; /* alerts up to this time were counted by an earlier run */
	bool resumed, dirty;
	uint32_t gen; /* slot generation, for stale index entries */

	char *org, *sector, *country;
	struct strset hosts, ips, users;
	struct strset techniques, indicators, labels, groups, malware;
	struct strset endpoints; /* external addresses: "ip" or "ip CC" */
	struct strset src_ips, src_countries;
	struct strset processes; /* "host|image" lower-case */
	/* files the alerts name with their hashes: "sha256|sha1|md5|ssdeep|name|sw,sw"
	 * (any part may be empty; see inc_file_parse) */
	struct strset files;
	uint32_t stages, platforms;
	enum alert_level max_level;

	struct inc_rule *rules;
	uint32_t nrules;
	uint64_t rules_over; /* alerts of rules not listed */

	struct inc_cve cves[AS_CORR_MAX_CVES];
	uint32_t ncves;

	bool supply;
	char *vendor, *channel;
	bool vendor_guessed; /* vendor is the updater's process name, not a manifest's */
	char *campaign;
	char *kind;        /* computed at emission */
	char *attribution; /* JSON object from the attribution hook, NULL: unattributed */
};

void incident_free(struct incident *inc);
/* kind, severity and the CVE classes, from what the incident holds */
void incident_finalize(struct incident *inc, const struct kb *kb, int64_t oneday);
enum alert_level incident_severity_level(const struct incident *inc);

/* A file record of struct incident's files, split in place (s is modified). */
struct inc_file {
	char *sha256, *sha1, *md5, *ssdeep, *name, *software; /* "" when absent */
};
void inc_file_parse(char *s, struct inc_file *out);

/* --- the knowledge base, behind one small file (kbview.c) ------------------ */

struct victim_info {
	const char *org, *sector, *country; /* NULL when not in the assets */
};
void kbview_victim(const struct kb *kb, const struct ip *ip, const char *host, const char *path,
		   struct victim_info *out);
/* The vendor whose update server addr is (an asset of sector "it" of an
 * organisation other than the victim's), NULL when none. */
const char *kbview_vendor_server(const struct kb *kb, const struct ip *addr,
				 const char *victim_org);
/* Dates and platforms of a CVE; false when the kb does not know it. */
bool kbview_cve(const struct kb *kb, const char *id, int64_t *published, int64_t *fixed, bool *kev,
		uint32_t *platforms);
/* Tactic names of a technique in the kb: bits of enum killchain_stage; 0 unknown. */
uint32_t kbview_tactics(const struct kb *kb, const char *technique);
/* Platform names of a technique (bits of enum platform) and how many names
 * the kb lists; 0 unknown. */
uint32_t kbview_technique_platforms(const struct kb *kb, const char *technique, unsigned *nnames);

/* --- store (incident_store.c) ---------------------------------------------- */

int incident_store_put(struct store *s, const struct incident *inc);
/* Begin (after committing what the store holds pending) or commit a transaction. */
int incident_store_tx(struct store *s, bool commit);
/* Open incidents of earlier runs: those that ended within `window` of the
 * newest one; fn takes ownership of each. */
int incident_store_resume(struct store *s, int64_t window, int (*fn)(void *ctx, struct incident *),
			  void *ctx);
/* Rebuild an incident from its JSON (incident_to_json); NULL on bad input. */
struct incident *incident_from_json(const char *json, size_t len);

#endif
