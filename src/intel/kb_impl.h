/*
 * kb_impl.h — the inside of struct kb, shared by the files of src/intel/.
 *
 * Objects live in arrays of pointers (their index is their id); hash maps
 * from names, aliases and UUIDs to those indices make every look-up one
 * probe. Importers do not touch the arrays directly: they describe what a
 * source says about a group in a struct kb_grec and kb_group_merge() decides
 * which group that is, what it adds, and which disagreements to record.
 */
#ifndef AS_INTEL_KB_IMPL_H
#define AS_INTEL_KB_IMPL_H

#include "core/map.h"
#include "intel/intel.h"

/* Precedence of sources for contested facts: lower wins. */
enum {
	KB_RANK_MISP_ACTOR = 10, /* MISP threat-actor galaxy: explicit country and sponsor */
	KB_RANK_360NET = 20,     /* 360.net catalogue: owns the APT-C numbers */
	KB_RANK_ATTACK = 30,     /* ATT&CK (names and ids, no country) */
	KB_RANK_STIX = 40,       /* any other STIX bundle */
	KB_RANK_EVENT = 50,      /* MISP events and feeds */
	KB_RANK_NONE = 1000,
};

struct asset {
	char kind; /* 'c' cidr, 'h' host glob, 'p' path glob */
	struct cidr cidr;
	char *value, *org, *sector, *country;
};

struct kb {
	struct kb_group **groups;
	size_t ngroups, capgroups;
	struct kb_software **sw;
	size_t nsw, capsw;
	struct kb_technique **tech;
	size_t ntech, captech;
	struct kb_campaign **camp;
	size_t ncamp, capcamp;
	struct kb_cve **cves;
	size_t ncves, capcves;
	struct kb_conflict *conf;
	size_t nconf, capconf;
	struct asset *assets;
	size_t nassets, capassets;

	struct map alias;   /* lower-case name or alias → group */
	struct map folded;  /* folded alias (no spaces, dashes, …) → group */
	struct map uuid;    /* STIX/MISP uuid (without type prefix) → group */
	struct map pending; /* uuid named by a group's "related" before its record came */
	struct map sw_name; /* lower-case software name or alias → software */
	struct map sw_folded;
	struct map sw_uuid;
	struct map tech_id;   /* "t1059.001" → technique */
	struct map tech_uuid; /* uuid → technique */
	struct map camp_name; /* lower-case → campaign */
	struct map camp_uuid;
	struct map cve_id; /* "CVE-…" upper-case → cve */
	struct map conf_seen;
	/* loading our own export: its conflict lines are the record, so the
	 * merge must not add new ones for what it replays */
	bool replaying;
};

/* What one source says about one group. Lists are borrowed. */
struct kb_grec {
	const char *source; /* "attack", "misp:threat-actor", "360net", … */
	int rank;           /* KB_RANK_* */
	struct slice name;
	bool exact; /* our own export: match names exactly, no voting on aliases */
	const struct kb_strv *aliases;
	const struct kb_strv *apt_c; /* APT-C numbers this source is authoritative for */
	const char *attack_id;
	const struct kb_strv *uuids;   /* ids of this record */
	const struct kb_strv *related; /* ids of records the source links to it */
	const char *country;           /* ISO alpha-2 or NULL */
	const char *country_text;      /* as the source wrote it, for conflicts */
	const char *region;            /* a region without a country ("mideast"), static */
	const char *sponsor;
	const struct kb_strv *sectors, *victims, *refs, *techniques, *software, *campaigns,
	    *indicators, *sources;
	int64_t first_seen, last_seen;
};

int kb_group_merge(struct kb *kb, const struct kb_grec *r, struct kb_group **out);

/* Software/technique/campaign/CVE: find or create. */
int kb_software_get(struct kb *kb, struct slice name, const char *uuid, struct kb_software **out);
int kb_software_alias(struct kb *kb, struct kb_software *s, struct slice alias);
int kb_technique_get(struct kb *kb, struct slice id, const char *uuid, struct kb_technique **out);
int kb_campaign_get(struct kb *kb, struct slice name, const char *uuid, struct kb_campaign **out);
struct kb_campaign *kb_campaign_by_uuid(struct kb *kb, struct slice uuid);
int kb_cve_get(struct kb *kb, struct slice id, struct kb_cve **out);
struct kb_group *kb_group_by_uuid(struct kb *kb, struct slice uuid);
struct kb_software *kb_software_by_uuid(struct kb *kb, struct slice uuid);
struct kb_technique *kb_technique_by_uuid(struct kb *kb, struct slice uuid);
int kb_uuid_register(struct kb *kb, struct map *m, struct slice uuid, uint64_t idx);

int kb_conflict_add(struct kb *kb, const char *kind, const char *subject, const char *a,
		    const char *b);

/* String lists. Add copies s unless it is already there (case-insensitive);
 * 0, AS_ENOMEM or AS_ETOOBIG (past AS_MAX_KB_LIST). */
int strv_add(struct kb_strv *v, struct slice s);
int strv_add_cstr(struct kb_strv *v, const char *s);
bool strv_has(const struct kb_strv *v, struct slice s);
/* Free entry i and take it out; the entries after it keep their order when
 * keep_order, else the last takes its place. */
void strv_remove(struct kb_strv *v, uint32_t i, bool keep_order);
void strv_free(struct kb_strv *v);

/* Lower-case copy, and the folded form (also without ' ', '-', '_', '.'),
 * into dst[cap]; the length or -1 when it does not fit. */
long kb_key_lower(struct slice s, char *dst, size_t cap);
long kb_key_fold(struct slice s, char *dst, size_t cap);
/* "intrusion-set--abc" → "abc". */
struct slice kb_uuid_part(struct slice id);

/* Importers (one per source format). data is the whole file. */
struct json_t;
int intel_stix_import(struct kb *kb, const char *name, struct json_t *root, struct diag_sink *diags,
		      struct kb_import_stats *st);
int intel_misp_import(struct kb *kb, const char *name, struct json_t *root, struct diag_sink *diags,
		      struct kb_import_stats *st);
int intel_cve_import_json(struct kb *kb, const char *name, struct json_t *root,
			  struct diag_sink *diags, struct kb_import_stats *st);
int intel_kev_import_csv(struct kb *kb, const char *name, const char *data, size_t len,
			 struct diag_sink *diags, struct kb_import_stats *st);
int intel_jsonl_import(struct kb *kb, const char *name, const char *data, size_t len,
		       struct diag_sink *diags, struct kb_import_stats *st);

/* One CSV record (RFC 4180: quotes, doubled quotes, CRLF) from *p..end:
 * up to cap fields, unescaped into scratch[scap]; returns the field count,
 * or -1 on a malformed record or one that does not fit. *p moves past it. */
int csv_record(const char **p, const char *end, struct slice *fields, int cap, char *scratch,
	       size_t scap);

/* Report a skipped record: file, record number, reason. */
void kb_skip(struct diag_sink *diags, struct kb_import_stats *st, const char *file, uint64_t record,
	     const char *fmt, ...) __attribute__((format(printf, 5, 6)));

#endif
