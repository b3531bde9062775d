/*
 * intel.h — the threat-intel knowledge base: groups, software, techniques,
 * campaigns, CVEs and the organisations whose logs are hunted (assets).
 *
 * A struct kb is built by importers (STIX 2.x bundles, MISP galaxies and
 * events, NVD CVE 2.0 feeds, the CISA KEV catalogue, aptscope's own export)
 * that each add records; every record is merged into the group it names
 * (same ATT&CK id, a linked UUID, a shared alias), and every disagreement
 * between sources is kept as a conflict rather than hidden. Names resolve
 * through two hash maps: the lower-cased alias, then a folded form without
 * spaces, dashes, underscores and dots ("APT 32" = "apt-32" = "APT32").
 *
 * Precedence when sources disagree (docs/intel.md): ATT&CK names the group;
 * 360.net owns the APT-C numbers; the MISP threat-actor galaxy gives the
 * country and sponsor, then 360.net, then anything else. A finished kb is
 * read-only and may be shared by threads.
 */
#ifndef AS_INTEL_INTEL_H
#define AS_INTEL_INTEL_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "core/buf.h"
#include "core/diag.h"
#include "core/ip.h"
#include "core/slice.h"

struct kb;
struct store;

/* A growable list of owned, NUL-terminated strings (no duplicates). keys[i]
 * is a hash of v[i] with ASCII case folded, so the duplicate check of each
 * add compares a number per entry, not the strings; change the list through
 * the strv_ functions of kb_impl.h only. */
struct kb_strv {
	char **v;
	uint32_t *keys;
	uint32_t n, cap;
};

struct kb_group {
	uint32_t id;               /* index, stable for the life of the kb */
	char *name;                /* canonical name */
	char *attack_id;           /* "G0050" or NULL */
	char country[3];           /* ISO 3166 alpha-2 of the suspected origin, "" unknown */
	const char *region;        /* UN M49 sub-region of country, NULL unknown */
	char *sponsor;             /* suspected state sponsor, NULL unknown */
	int64_t first_seen;        /* µs since the epoch, AS_TIME_NONE unknown */
	int64_t last_seen;         /* idem */
	struct kb_strv aliases;    /* every other name, as the sources spell them */
	struct kb_strv sectors;    /* sector ids (intel_sector_name() gives the label) */
	struct kb_strv victims;    /* ISO alpha-2 where known, else the source's text */
	struct kb_strv techniques; /* ATT&CK ids "T1059.001" */
	struct kb_strv software;   /* canonical software names */
	struct kb_strv campaigns;  /* campaign names */
	struct kb_strv indicators; /* "type:value" */
	struct kb_strv refs;       /* reference URLs */
	struct kb_strv sources; /* which imports described it ("attack", "misp:threat-actor", …) */
	struct kb_strv uuids;   /* STIX/MISP ids that denote it (for merging) */
	int country_rank;       /* precedence of the source that set country (lower wins) */
};

struct kb_software {
	uint32_t id;
	char *name;
	char *attack_id; /* "S0154" or NULL */
	char *type;      /* "malware" or "tool" */
	struct kb_strv aliases, platforms, groups, uuids;
	struct kb_strv techniques; /* ATT&CK ids the software itself implements */
};

struct kb_technique {
	char *id;     /* "T1059.001" */
	char *name;   /* "PowerShell" */
	char *parent; /* "T1059" for a sub-technique, else NULL */
	struct kb_strv tactics, platforms;
	char *uuid; /* attack-pattern--… */
};

struct kb_campaign {
	char *name;
	char *attack_id; /* "C0024" or NULL */
	char *group;     /* canonical name of the attributed group, NULL unknown */
	int64_t first_seen, last_seen;
	struct kb_strv techniques, software, uuids;
};

struct kb_cve {
	char id[24];              /* "CVE-2021-44228" */
	int64_t published;        /* µs, AS_TIME_NONE unknown */
	int64_t fixed;            /* first fix or patch date, AS_TIME_NONE unknown */
	int64_t kev_added;        /* date added to CISA KEV, AS_TIME_NONE when not listed */
	bool known_exploited;     /* listed in KEV or flagged exploited by NVD */
	struct kb_strv products;  /* "vendor:product" */
	struct kb_strv platforms; /* operating systems named by the CPEs: "windows", "linux", … */
};

/* A disagreement between two sources, listed by `aptscope intel conflicts`. */
struct kb_conflict {
	char *kind;    /* "alias", "folded-alias", "country", "apt-c", "attack-id", "merge" */
	char *subject; /* what it is about: an alias, a group name */
	char *a;       /* the side kept, with its source */
	char *b;       /* the side not kept, with its source */
};

struct kb_asset_hit {
	const char *org;
	const char *sector;  /* sector id */
	const char *country; /* ISO alpha-2 */
	const char *rule;    /* the value that matched: a CIDR, a glob */
};

struct kb_stats {
	size_t groups, aliases, software, techniques, campaigns, cves, kev, conflicts, assets;
};

/* What one import did: counts per kind and everything skipped. */
struct kb_import_stats {
	uint64_t objects, groups, software, techniques, campaigns, relationships, cves, indicators;
	uint64_t skipped; /* records not taken, each reported to the diag sink */
	uint64_t printed; /* diagnostics printed for this file (see diag_report) */
};

/* --- building ------------------------------------------------------------ */

/* An empty kb. Free with kb_free. */
int kb_new(struct kb **out);
void kb_free(struct kb *kb); /* accepts NULL */

/* Import one file; its kind is recognised from the content: STIX 2.x bundle,
 * MISP galaxy cluster file, MISP event(s), NVD CVE 2.0 feed, CISA KEV (JSON
 * or CSV), or aptscope's export (JSON lines, .gz/.zst read through).
 * Rejected records go to diags (which may be NULL) with the reason. */
int kb_import_file(struct kb *kb, const char *path, struct diag_sink *diags,
		   struct kb_import_stats *st);
/* The same over memory; name is used in messages. */
int kb_import_mem(struct kb *kb, const char *name, const char *data, size_t len,
		  struct diag_sink *diags, struct kb_import_stats *st);

/* Import several files in the order of precedence of their sources (our
 * export, ATT&CK, mitre-* galaxies, MISP threat-actor, 360.net, the rest),
 * whatever order they are given in. total (may be NULL) sums the counts.
 * Returns the first error; every file is tried. */
int kb_import_files(struct kb *kb, const char *const *paths, size_t n, struct diag_sink *diags,
		    struct kb_import_stats *total);

/* A kb made of these files only (`attribute --kb F`). */
int kb_load_files(struct kb **out, const char *const *paths, size_t n, struct diag_sink *diags);

/* The bundled default (APTSCOPE_DATA or APTSCOPE_DATA_DIR, intel/kb.jsonl.gz). */
int kb_load_default(struct kb **out, struct diag_sink *diags);
const char *kb_default_path(char *dst, size_t cap);

/* --- persistence ---------------------------------------------------------- */

/* The kb kept in the store; on first use it is seeded from the bundled
 * default and saved, and a newer bundled default is merged in once (what was
 * imported stays). Without a bundled default an unseeded store gives an
 * empty kb. The caller frees *out with kb_free. */
int kb_open(struct kb **out, struct store *s);
/* Replace the store's knowledge base with kb (one transaction). */
int kb_save(const struct kb *kb, struct store *s);
/* The whole kb as JSON lines (the format of the bundled default). */
int kb_export(const struct kb *kb, struct buf *out);

/* --- look-ups ------------------------------------------------------------- */

/* By canonical name, any alias (case-insensitive; spaces, dashes, underscores
 * and dots ignored), ATT&CK G-id, STIX id or APT-C number. NULL when unknown. */
const struct kb_group *kb_group_find(const struct kb *kb, struct slice name);
const struct kb_software *kb_software_find(const struct kb *kb, struct slice name);
const struct kb_technique *kb_technique_find(const struct kb *kb, struct slice id);
const struct kb_campaign *kb_campaign_find(const struct kb *kb, struct slice name);
const struct kb_cve *kb_cve_find(const struct kb *kb, struct slice id);

/* Everything in the order it was first imported (deterministic for the same
 * inputs); i past the count gives NULL. */
const struct kb_group *kb_group_at(const struct kb *kb, size_t i);
size_t kb_group_count(const struct kb *kb);
const struct kb_software *kb_software_at(const struct kb *kb, size_t i);
size_t kb_software_count(const struct kb *kb);
const struct kb_technique *kb_technique_at(const struct kb *kb, size_t i);
size_t kb_technique_count(const struct kb *kb);
const struct kb_conflict *kb_conflict_at(const struct kb *kb, size_t i);
size_t kb_conflict_count(const struct kb *kb);
void kb_stats_get(const struct kb *kb, struct kb_stats *st);

/* --- assets --------------------------------------------------------------- */

/* CSV with header kind,value,org,sector,country; kind is cidr, host (glob) or
 * path (glob on the log file's path). Bad lines go to diags. */
int kb_assets_load(struct kb *kb, const char *csv_path, struct diag_sink *diags);
int kb_assets_load_mem(struct kb *kb, const char *name, const char *data, size_t len,
		       struct diag_sink *diags);
/* The organisation an event belongs to: the longest CIDR holding ip, else the
 * first host glob matching host, else the first path glob matching log_path.
 * 0 or AS_ENOTFOUND. The hit's strings live as long as the kb. */
int kb_asset_match(const struct kb *kb, const struct ip *ip, struct slice host,
		   struct slice log_path, struct kb_asset_hit *out);

/* --- taxonomies ----------------------------------------------------------- */

/* ISO alpha-2 of a country code or name ("VN", "Vietnam", "america",
 * "South Korea"); false when unknown. */
bool intel_country_parse(struct slice s, char iso2[3]);
const char *intel_country_name(const char *iso2);   /* NULL when unknown */
const char *intel_country_region(const char *iso2); /* UN M49 sub-region, NULL unknown */
/* The M49 sub-region a name or a source's region word denotes ("Eastern Asia",
 * "mideast" → "Western Asia"); a static string or NULL. */
const char *intel_region_name(struct slice s);
/* The sector ids a free-text category maps to ("Government, Administration",
 * "外交军事", "Defense"); returns how many were written to ids[cap]. */
size_t intel_sector_map(struct slice text, const char **ids, size_t cap);
const char *intel_sector_name(const char *id); /* label of a sector id, NULL unknown */

#endif
