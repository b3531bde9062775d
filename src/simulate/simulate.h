/*
 * simulate.h — a synthetic but realistic period of APT activity, for the demo and the tests.
 *
 * sim_run() builds a world of organisations (sectors weighted as in public APT reports, each
 * with address ranges, hosts, users and a log folder), plans the attacks of the period
 * (campaigns modelled on groups of the knowledge base, a new cluster, a supply-chain trojan,
 * CVE exploitation timed around disclosure, brute force and DDoS against an online service),
 * and then writes, organisation by organisation and day by day, the benign background merged
 * with the attack records in time order:
 *
 *   DIR/org-NN/zeek/{conn,dns,http,ssl}.log   or   DIR/org-NN/suricata/eve.json
 *   DIR/org-NN/syslog/auth.log  DIR/org-NN/web/access.log  DIR/org-NN/windows/sysmon.jsonl
 *   DIR/assets.csv  DIR/intel/indicators.csv  DIR/truth.jsonl
 *
 * Every random choice comes from generators seeded by (seed, purpose): the same options give
 * the same bytes, and the background of a day does not depend on the attacks or on the order
 * of generation.
 */
#ifndef AS_SIMULATE_SIMULATE_H
#define AS_SIMULATE_SIMULATE_H
#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "core/limits.h"

struct sim_opts {
	uint64_t seed;
	int64_t from_us; /* first instant simulated (µs, UTC) */
	int64_t to_us;   /* end, exclusive */
	int orgs;        /* organisations, 3..AS_SIM_MAX_ORGS */
	double scale;    /* background volume multiplier, (0, AS_SIM_MAX_SCALE] */
	const char *out_dir;
};

#define SIM_KIND_LIST(X)                                                                           \
	X(APT, "apt")                                                                              \
	X(BRUTEFORCE, "bruteforce")                                                                \
	X(DDOS, "ddos")                                                                            \
	X(SUPPLY_CHAIN, "supply_chain")                                                            \
	X(EXPLOIT, "exploit")

enum sim_kind {
#define X(id, name) SIM_##id,
	SIM_KIND_LIST(X)
#undef X
	    SIM_KIND_COUNT
};

struct sim_cve {
	const char *id;
	const char *cls; /* "0day", "1day", "nday" */
};

/* One simulated attack: one campaign against one organisation (one line of truth.jsonl). */
struct sim_attack {
	uint32_t id;
	enum sim_kind kind;
	const char *campaign;
	const char *group; /* knowledge-base name; NULL when unattributed or a new cluster */
	bool new_group;    /* a cluster the knowledge base does not know */
	int org;           /* index into the world's organisations */
	char org_name[80];
	const char *sector;  /* label of the sector taxonomy (static) */
	const char *country; /* ISO 3166 alpha-2 (static) */
	int64_t first_seen, last_seen;
	const char *techniques[AS_SIM_MAX_LIST];
	size_t n_techniques;
	struct sim_cve cves[AS_SIM_MAX_LIST];
	size_t n_cves;
	char indicators[AS_SIM_MAX_LIST][AS_SIM_MAX_NAME]; /* "domain:x", "ipv4:x", "sha256:x" */
	size_t n_indicators;
	char hosts[AS_SIM_MAX_LIST][AS_SIM_MAX_NAME]; /* victim hosts touched */
	size_t n_hosts;
	char sources[AS_SIM_MAX_LIST][AS_SIM_MAX_NAME]; /* attacking addresses (a sample) */
	size_t n_sources;
	uint64_t records; /* log records the attack wrote */
};

/* What a run made. */
struct sim_result {
	uint64_t files, bytes, records;
	struct sim_attack *attacks;
	size_t n_attacks;
	size_t per_kind[SIM_KIND_COUNT];
	char org_dirs[AS_SIM_MAX_ORGS][16]; /* "org-07" for each organisation */
	size_t n_orgs;
};

/* The defaults: seed 1, the last full calendar year before now, 12 organisations, scale 1. */
void sim_opts_default(struct sim_opts *o);

/* Write the simulation under o->out_dir (created if needed). On success *out holds a result
 * the caller frees with sim_result_free(). AS_EINVAL for bad options, AS_EIO when a file
 * cannot be written, AS_ENOMEM. */
int sim_run(const struct sim_opts *o, struct sim_result **out);
void sim_result_free(struct sim_result *r); /* accepts NULL */

const char *sim_kind_name(enum sim_kind k);

#endif
