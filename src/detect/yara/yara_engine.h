/*
 * yara_engine.h — YARA scanning of files with libyara, and the file-scan run
 * that joins it with hash indicators and the supply-chain checks.
 *
 *   yara_rules_new ─► yara_rules_add (files, folders: *.yar *.yara) ─► yara_rules_compile
 *       shared, read-only: one YR_RULES plus what each rule's metadata says
 *       (author, description, reference, score, malware, groups, techniques)
 *   yara_scanner_new (one per thread) ─► yara_scanner_scan (one file view)
 *   yara_alert_make  a hit → a "yara" alert (struct alert, alert.h)
 *   yara_scan_run    folders → files and archive members (files/files.h) →
 *                    YARA + event detectors (ioc hashes, supply) on worker
 *                    threads → alerts in file order
 *
 * Every rule file is compiled alone first; one that does not compile is listed
 * with its line and reason and left out, the others are compiled together
 * into the default namespace (as the `yara` command does, so rules may refer
 * to each other and `include` works relative to the including file). The
 * external variables filename, filepath (the folder), extension (lower case,
 * with the dot), filetype (files_type()) and owner are defined as the
 * signature-base rules expect.
 *
 * Metadata to malware and groups: the values of malware/family keys and
 * actor/group keys are taken as written (canonical names when the knowledge
 * base knows them). With a knowledge base, the description, the tags and the
 * words of the rule name are also looked up, longest phrase first, so that
 * `rule APT_APT28_Sedreco` or `description = "Lazarus dropper"` names its
 * group. A hit's alert carries the file's SHA-256 as an indicator with those
 * groups and malware: evidence for attribution.
 */
#ifndef AS_DETECT_YARA_YARA_ENGINE_H
#define AS_DETECT_YARA_YARA_ENGINE_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "core/diag.h"
#include "detect/alert.h"
#include "detect/detector.h"
#include "files/files.h"

struct kb;
struct ioc_set;
struct yara_rules;
struct yara_scanner;

/* --- rules ---------------------------------------------------------------- */

struct yara_load_error {
	char *file;   /* rule file */
	int line;     /* 0 when not tied to a line */
	char *reason; /* libyara's message */
};

/* What loading did; errors are owned (yara_load_report_free). */
struct yara_load_report {
	size_t files;        /* rule files seen */
	size_t files_failed; /* rule files left out */
	size_t rules;        /* rules compiled */
	struct yara_load_error *errors;
	size_t nerrors, cap;
};
void yara_load_report_free(struct yara_load_report *rep); /* accepts NULL */

/* What a rule says about itself; strings live as long as the rules. */
struct yara_rule_info {
	const char *id;     /* identifier, "ns:identifier" outside the default namespace */
	const char *author; /* NULL when absent, as are the next three */
	const char *description;
	const char *reference;
	const char *date;
	int score;                     /* 0..100, -1 when absent */
	const char *const *tags;       /* NULL-terminated, never NULL */
	const char *const *malware;    /* NULL-terminated, never NULL */
	const char *const *groups;     /* NULL-terminated, never NULL */
	const char *const *techniques; /* ATT&CK ids from metadata, NULL-terminated */
};

int yara_rules_new(struct yara_rules **out);
void yara_rules_free(struct yara_rules *r); /* accepts NULL */
/* Queue a rule file, or every *.yar / *.yara under a folder. A path that cannot
 * be read is an error in rep (and AS_ENOENT when it is not there at all). */
int yara_rules_add(struct yara_rules *r, const char *path, struct yara_load_report *rep);
/* Queue rule text held in memory (tests, bundled rules). */
int yara_rules_add_mem(struct yara_rules *r, const char *name, const char *text,
		       struct yara_load_report *rep);
/* Compile what was queued. Files that do not compile are in rep->errors and left
 * out; kb (may be NULL) resolves metadata to groups and software. 0, or
 * AS_EENGINE when libyara cannot start, AS_ENOMEM. Compiling twice is AS_EINVAL. */
int yara_rules_compile(struct yara_rules *r, const struct kb *kb, struct yara_load_report *rep);
size_t yara_rules_count(const struct yara_rules *r);
const struct yara_rule_info *yara_rules_info(const struct yara_rules *r, size_t i);

/* --- scanning ------------------------------------------------------------- */

#define YARA_MATCH_DATA 64 /* bytes of a string match kept for the evidence */

struct yara_string_hit {
	const char *id; /* "$a" (lives as long as the rules) */
	uint64_t offset;
	uint32_t length;   /* of the match */
	uint32_t data_len; /* bytes in data */
	unsigned char data[YARA_MATCH_DATA];
};

struct yara_hit {
	uint32_t rule; /* index for yara_rules_info */
	unsigned nstrings;
	struct yara_string_hit strings[AS_YARA_MAX_STRINGS];
};

/* A per-thread scanner over compiled rules (which must outlive it).
 * timeout_s 0: AS_YARA_TIMEOUT_S. */
int yara_scanner_new(const struct yara_rules *r, int timeout_s, struct yara_scanner **out);
void yara_scanner_free(struct yara_scanner *s); /* accepts NULL */
/* Scan one file view; *hits (valid until the next scan) gets the rules that
 * matched, at most AS_YARA_MAX_HITS. 0, or AS_ETOOBIG with *why = "timeout"
 * (hits found before the timeout are kept), AS_EENGINE with libyara's reason. */
int yara_scanner_scan(struct yara_scanner *s, const struct file_view *v,
		      const struct yara_hit **hits, size_t *nhits, struct diag *why);

/* The "yara" alert of one hit. hashes and src may be NULL. 0 or AS_ENOMEM. */
int yara_alert_make(const struct yara_rules *r, const struct yara_hit *h, const struct file_view *v,
		    const struct file_hashes *hashes, const struct source *src, struct alert **out);

/* --- the file-scan run ------------------------------------------------------ */

/* What one file or member was, for callers that link logs to files by hash. */
struct yara_file_result {
	const struct file_view *view;
	const struct file_hashes *hashes; /* NULL when not computed */
	size_t nhits;                     /* YARA rules that matched */
};

struct yara_scan_config {
	char *const *paths; /* files and folders */
	size_t npaths;
	const struct yara_rules *rules; /* NULL: no YARA */
	/* Event detectors given one EK_FILE event per file and member (file_path,
	 * md5, sha1, sha256, time = mtime): the "ioc" detector matches hash
	 * indicators, the "supply" detector checks vendor binaries. Not owned;
	 * serial detectors are not supported here. */
	struct detector *detectors;
	size_t ndetectors;
	/* When not NULL, the hashes of every file with a YARA hit are added to this
	 * (unfinished) set with the rule's groups and malware, so that Sysmon, Zeek
	 * files.log and EVE fileinfo events naming them match in a later hunt. */
	struct ioc_set *hit_hashes;
	struct files_opts files;
	int threads;   /* 0: one per core */
	int timeout_s; /* per file; 0: AS_YARA_TIMEOUT_S */
	bool fuzzy;    /* ssdeep of executables and documents that are reported */
	bool hash_all; /* hash every file even with no detector asking (on_file) */
	/* Called under a lock in file order, once per alert; takes ownership.
	 * NULL: alerts are freed. */
	void (*on_alert)(void *ctx, struct alert *a);
	void *on_alert_ctx;
	/* Called from worker threads (not in order) for every file and member. */
	void (*on_file)(void *ctx, const struct yara_file_result *r);
	void *on_file_ctx;
	struct diag_sink *diags;
};

struct yara_scan_result {
	struct files_stats files;
	uint64_t timeouts, scan_errors, alerts;
	/* Owned: the sources alerts point at (one per file on disk). */
	struct source *sources;
	struct files_list list;
};

/* Run the scan. 0, or AS_ENOMEM / AS_ETOOBIG when the file list cannot be made
 * or a worker cannot start; bad files are reported and counted, not errors.
 * yara_scan_result_free(res) once the alerts handed out are gone. */
int yara_scan_run(const struct yara_scan_config *cfg, struct yara_scan_result *res);
void yara_scan_result_free(struct yara_scan_result *res); /* accepts NULL */

#endif
