/* engines.c — building the detection engines from command options, see engines.h. */
#include "engines.h"

#include <stdio.h>
#include <string.h>

#include <dirent.h>
#include <stdlib.h>
#include <unistd.h>

#include "core/error.h"
#include "detect/behavior/behavior.h"
#include "detect/ioc/ioc.h"
#include "detect/sigma/sigma.h"
#include "detect/supply/supply.h"
#include "detect/yara/yara_engine.h"

enum {
	OPT_IOC = ENGINES_OPT_BASE,
	OPT_NO_DEFAULTS,
	OPT_RULES,
	OPT_PLACEHOLDERS,
	OPT_YARA,
	OPT_MANIFEST,
	OPT_BEHAVIOR_CONFIG,
	OPT_GEOIP,
	OPT_NO_BEHAVIOR
};

void engines_init(struct engines *e)
{
	memset(e, 0, sizeof *e);
}

size_t engines_options(struct option *opts, size_t room)
{
	static const struct option mine[] = {
	    {"ioc", required_argument, 0, OPT_IOC},
	    {"no-defaults", no_argument, 0, OPT_NO_DEFAULTS},
	    {"rules", required_argument, 0, OPT_RULES},
	    {"placeholders", required_argument, 0, OPT_PLACEHOLDERS},
	    {"yara", required_argument, 0, OPT_YARA},
	    {"manifest", required_argument, 0, OPT_MANIFEST},
	    {"behavior-config", required_argument, 0, OPT_BEHAVIOR_CONFIG},
	    {"geoip", required_argument, 0, OPT_GEOIP},
	    {"no-behavior", no_argument, 0, OPT_NO_BEHAVIOR},
	};
	size_t n = sizeof mine / sizeof *mine;
	if (n > room)
		n = room;
	memcpy(opts, mine, n * sizeof *mine);
	return n;
}

const char *engines_help(void)
{
	return "  --ioc F         indicators (list, CSV, signature-base, STIX, MISP); repeatable;\n"
	       "                  without it the bundled data/ioc/ files are used\n"
	       "  --rules P       Sigma rules (a .yml file or a folder, walked); repeatable;\n"
	       "                  without it the bundled data/rules/ are used\n"
	       "  --placeholders F  values for Sigma |expand placeholders (YAML)\n"
	       "  --yara P        YARA rules (file or folder); every file under PATH is scanned\n"
	       "                  too (archives opened), and hits' hashes are matched in logs\n"
	       "  --manifest F    trusted-software manifest (CSV/YAML): supply-chain checks\n"
	       "  --behavior-config F  thresholds of the behavioural detectors (brute force,\n"
	       "                  DDoS, beaconing, DNS tunnelling, exfiltration); default\n"
	       "                  data/behavior.conf\n"
	       "  --no-behavior   do not run the behavioural detectors\n"
	       "  --geoip F       MaxMind-format country database for attack sources; default\n"
	       "                  the CC0 database scripts/deps.sh installs\n"
	       "  --no-defaults   do not load the bundled default content\n";
}

static int add_input(const char **list, size_t *n, const char *arg)
{
	if (*n >= ENGINES_MAX_INPUTS) {
		fprintf(stderr, "aptscope: more than %d inputs for one engine\n",
			ENGINES_MAX_INPUTS);
		return -1;
	}
	list[(*n)++] = arg;
	return 0;
}

int engines_option(struct engines *e, int code, const char *arg)
{
	switch (code) {
	case OPT_IOC:
		return add_input(e->ioc, &e->nioc, arg);
	case OPT_RULES:
		return add_input(e->rules, &e->nrules, arg);
	case OPT_YARA:
		return add_input(e->yara, &e->nyara, arg);
	case OPT_MANIFEST:
		e->manifest = arg;
		return 0;
	case OPT_BEHAVIOR_CONFIG:
		e->behavior_config = arg;
		return 0;
	case OPT_GEOIP:
		e->geoip = arg;
		return 0;
	case OPT_NO_BEHAVIOR:
		e->no_behavior = 1;
		return 0;
	case OPT_PLACEHOLDERS:
		e->placeholders = arg;
		return 0;
	case OPT_NO_DEFAULTS:
		e->no_defaults = 1;
		return 0;
	default:
		return -1;
	}
}

const char *engines_data_dir(void)
{
	const char *env = getenv("APTSCOPE_DATA");
	return env && *env ? env : APTSCOPE_DATA_DIR;
}

/* The bundled indicator files: every file of data/ioc/ but the notes. */
static int default_ioc_files(char ***out, size_t *n)
{
	char dir[4096];
	snprintf(dir, sizeof dir, "%s/ioc", engines_data_dir());
	*out = NULL;
	*n = 0;
	DIR *d = opendir(dir);
	if (!d)
		return 0;
	struct dirent *ent;
	while ((ent = readdir(d))) {
		const char *name = ent->d_name;
		if (name[0] == '.' || !strncmp(name, "README", 6) || !strncmp(name, "LICENSE", 7))
			continue;
		char **grown = realloc(*out, (*n + 1) * sizeof **out);
		if (!grown)
			break;
		*out = grown;
		size_t len = strlen(dir) + strlen(name) + 2;
		if (!((*out)[*n] = malloc(len)))
			break;
		snprintf((*out)[*n], len, "%s/%s", dir, name);
		(*n)++;
	}
	closedir(d);
	return 0;
}

static int build_ioc(struct engines *e, struct diag_sink *d)
{
	char **defaults = NULL;
	size_t ndefaults = 0;
	const char *const *files = e->ioc;
	size_t nfiles = e->nioc;
	if (!nfiles && !e->no_defaults) {
		default_ioc_files(&defaults, &ndefaults);
		files = (const char *const *)defaults;
		nfiles = ndefaults;
	}
	int rc = 0;
	if (!nfiles)
		goto out;
	struct ioc_set *set;
	if ((rc = ioc_set_new(&set)))
		goto out;
	struct ioc_load_stats st = {0};
	for (size_t i = 0; i < nfiles; i++) {
		int lrc = ioc_set_load(set, files[i], d, &st);
		if (lrc) {
			diag_note(d, "%s: cannot load indicators: %s", files[i], as_strerror(lrc));
			if (e->nioc) { /* a file the user named must load */
				ioc_set_free(set);
				rc = lrc;
				goto out;
			}
		}
	}
	if ((rc = ioc_set_finish(set, d)) || (rc = ioc_detector_init(&e->detectors[e->n], set))) {
		ioc_set_free(set);
		goto out;
	}
	e->n++;
	e->ioc_count = ioc_set_count(set);
	e->ioc_skipped = st.skipped;
out:
	for (size_t i = 0; i < ndefaults; i++)
		free(defaults[i]);
	free(defaults);
	return rc;
}

static int build_sigma(struct engines *e, struct diag_sink *d)
{
	char defaults[4096];
	const char *const *paths = e->rules;
	size_t n = e->nrules;
	const char *one[1];
	if (!n && !e->no_defaults) {
		snprintf(defaults, sizeof defaults, "%s/rules", engines_data_dir());
		if (access(defaults, R_OK))
			return 0;
		one[0] = defaults;
		paths = one;
		n = 1;
	}
	if (!n)
		return 0;
	struct sigma_ruleset *rs;
	struct sigma_load_report rep = {0};
	int rc = sigma_ruleset_new(&rs);
	if (rc)
		return rc;
	if (e->placeholders && (rc = sigma_ruleset_placeholders(rs, e->placeholders))) {
		diag_note(d, "%s: cannot load placeholders: %s", e->placeholders, as_strerror(rc));
		goto fail;
	}
	for (size_t i = 0; i < n; i++) {
		if ((rc = sigma_ruleset_load(rs, paths[i], &rep))) {
			diag_note(d, "%s: cannot load rules: %s", paths[i], as_strerror(rc));
			goto fail;
		}
	}
	if ((rc = sigma_ruleset_compile(rs, &rep)))
		goto fail;
	for (size_t i = 0; i < rep.nerrors && i < 20; i++)
		diag_note(d, "%s:%u: rule not loaded: %s", rep.errors[i].file,
			  (unsigned)rep.errors[i].line, rep.errors[i].reason);
	if (rep.nerrors > 20)
		diag_note(d, "%zu more rules not loaded ('aptscope rules check' lists them)",
			  rep.nerrors - 20);
	e->sigma_loaded = rep.loaded;
	e->sigma_total = rep.total;
	if ((rc = sigma_detector_init(&e->detectors[e->n], rs)))
		goto fail;
	e->n++;
	sigma_load_report_free(&rep);
	return 0;
fail:
	sigma_load_report_free(&rep);
	sigma_ruleset_free(rs);
	return rc;
}

static int build_behavior(struct engines *e, struct diag_sink *d)
{
	if (e->no_behavior)
		return 0;
	char conf[4096], geo[4096];
	const char *cfg = e->behavior_config, *db = e->geoip;
	if (!cfg) {
		snprintf(conf, sizeof conf, "%s/behavior.conf", engines_data_dir());
		cfg = access(conf, R_OK) == 0 ? conf : NULL;
	}
	if (!db) {
		snprintf(geo, sizeof geo, "%s/geoip/geo-whois-asn-country.mmdb",
			 engines_data_dir());
		db = access(geo, R_OK) == 0 ? geo : NULL;
	}
	int rc = behavior_detector_init(&e->detectors[e->n], cfg, db, d);
	if (rc)
		return rc;
	e->behavior = &e->detectors[e->n];
	e->n++;
	return 0;
}

static int build_yara(struct engines *e, struct diag_sink *d)
{
	if (!e->nyara)
		return 0;
	struct yara_load_report rep = {0};
	int rc = yara_rules_new(&e->yara_rules);
	for (size_t i = 0; !rc && i < e->nyara; i++)
		if ((rc = yara_rules_add(e->yara_rules, e->yara[i], &rep)))
			diag_note(d, "%s: cannot load YARA rules: %s", e->yara[i], as_strerror(rc));
	if (!rc)
		rc = yara_rules_compile(e->yara_rules, e->kb, &rep);
	for (size_t i = 0; i < rep.nerrors && i < 20; i++)
		diag_note(d, "%s:%u: YARA rules not loaded: %s", rep.errors[i].file,
			  rep.errors[i].line, rep.errors[i].reason);
	yara_load_report_free(&rep);
	return rc;
}

static int build_supply(struct engines *e, struct diag_sink *d)
{
	if (!e->manifest)
		return 0;
	struct supply_manifest *m;
	int rc = supply_manifest_new(&m);
	if (rc)
		return rc;
	if ((rc = supply_manifest_load(m, e->manifest, d, NULL))) {
		diag_note(d, "%s: cannot load the manifest: %s", e->manifest, as_strerror(rc));
		supply_manifest_free(m);
		return rc;
	}
	if ((rc = supply_detector_init(&e->detectors[e->n], m))) {
		supply_manifest_free(m);
		return rc;
	}
	e->n++;
	return 0;
}

int engines_build(struct engines *e, struct diag_sink *d)
{
	int rc = build_ioc(e, d);
	if (rc) {
		fprintf(stderr, "aptscope: indicators: %s\n", as_strerror(rc));
		return rc;
	}
	if ((rc = build_sigma(e, d))) {
		fprintf(stderr, "aptscope: sigma rules: %s\n", as_strerror(rc));
		return rc;
	}
	if ((rc = build_behavior(e, d))) {
		fprintf(stderr, "aptscope: behavioural detectors: %s\n", as_strerror(rc));
		return rc;
	}
	if ((rc = build_supply(e, d))) {
		fprintf(stderr, "aptscope: manifest: %s\n", as_strerror(rc));
		return rc;
	}
	if ((rc = build_yara(e, d)))
		fprintf(stderr, "aptscope: YARA rules: %s\n", as_strerror(rc));
	return rc;
}

void engines_fini(struct engines *e)
{
	for (size_t i = 0; i < e->n; i++)
		if (e->detectors[i].shared_free)
			e->detectors[i].shared_free(e->detectors[i].shared);
	e->n = 0;
	yara_rules_free(e->yara_rules);
	e->yara_rules = NULL;
}
