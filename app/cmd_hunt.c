/*
 * cmd_hunt.c — `aptscope hunt`: read every file under the paths, run every
 * engine, print the alerts (JSON lines or a table) and a summary, store them.
 */
#include <getopt.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "cmd.h"
#include "core/buf.h"
#include "core/error.h"
#include "core/ip.h"
#include "core/timeparse.h"
#include "correlate/incident.h"
#include "detect/behavior/behavior.h"
#include "detect/ioc/ioc.h"
#include "intel/intel.h"
#include "detect/yara/yara_engine.h"
#include "engines.h"
#include "hunt_attribution.h"
#include "pipeline/hunt.h"
#include "store/store.h"

static void help(FILE *out)
{
	fprintf(out,
		"usage: aptscope hunt [OPTIONS] PATH…\n\n"
		"Reads every file under PATH (format detected from content; .gz/.zst read\n"
		"through; directories walked), runs every detection engine, groups the\n"
		"alerts into incidents, prints them (JSON lines: every alert and incident)\n"
		"with a summary, and stores them.\n\n"
		"  --db F          store (default ./aptscope.db)\n"
		"  --no-db         do not store\n"
		"  --json          JSON lines, one object per alert (summary on stderr)\n"
		"  --table         a readable table (the default)\n"
		"  -o F            write the alerts to F instead of standard output\n"
		"  --format NAME   force a reader (see 'aptscope formats')\n"
		"  --threads N     worker threads (default: one per core)\n"
		"  --intel F       threat intelligence to use for this run (STIX, MISP, NVD,\n"
		"                  KEV, galaxies); repeatable, added to the knowledge base\n"
		"  --assets F      organisations of the logs: CSV kind,value,org,sector,country\n"
		"                  (kind cidr, host glob or path glob) or YAML\n"
		"  --alerts        table view: list every alert, not only the incidents\n"
		"  --no-incidents  do not correlate alerts into incidents\n"
		"  --blocklist F   write the attack sources the behavioural detectors found\n"
		"  --blocklist-format plain|nft|ipset  (default plain)\n"
		"  --evtx-recover  also read EVTX records deleted into free space whose\n"
		"                  EventRecordID no allocated record has (Recovered=true)\n"
		"  --year N        year of time stamps that have none (syslog); default: from\n"
		"                  the file's modification time\n"
		"  --progress      show a progress line on stderr (default when stderr is a\n"
		"                  terminal); --no-progress hides it\n"
		"%s"
		"\nExit status: 0 when the run completed (with or without findings), 1 on an\n"
		"error that stopped it, 2 on a usage error.\n",
		engines_help());
}

struct printer {
	FILE *out;
	bool json;
	struct buf line;
	uint64_t rows;
	struct store *store; /* for alerts that do not come through the pipeline */
	int64_t run_id;
	uint64_t store_errors;
	bool show_alerts;              /* table view: alert rows too, not only incidents */
	struct correlator *corr;       /* alerts → incidents */
	struct hunt_attribution *attr; /* incidents → groups */
	uint64_t incidents;
};

static void print_table_row(struct printer *p, const struct alert *a)
{
	char t[AS_TIME_STRLEN], s[IP_STRLEN], d[IP_STRLEN];
	if (p->rows++ == 0)
		fprintf(p->out, "%-20s %-8s %-9s %-44s %-33s %s\n", "TIME", "LEVEL", "DETECTOR",
			"RULE", "WHO", "WHAT");
	if (a->time != AS_TIME_NONE)
		time_format(a->time / 1000000 * 1000000, t);
	else
		strcpy(t, "-");
	char who[128];
	if (a->src_ip.family || a->dst_ip.family)
		snprintf(who, sizeof who, "%s > %s",
			 a->src_ip.family ? ip_format(&a->src_ip, s) : "-",
			 a->dst_ip.family ? ip_format(&a->dst_ip, d) : "-");
	else
		snprintf(who, sizeof who, "%s", a->host ? a->host : (a->user ? a->user : "-"));
	char what[160] = "";
	if (a->nindicators)
		snprintf(what, sizeof what, "%s %s", a->indicators[0].type, a->indicators[0].value);
	else if (a->ntechniques)
		snprintf(what, sizeof what, "%s", a->techniques[0]);
	fprintf(p->out, "%-20s %-8s %-9s %-44.44s %-33.33s %s\n", t, alert_level_name(a->level),
		a->detector, a->rule_title ? a->rule_title : (a->rule_id ? a->rule_id : "-"), who,
		what);
}

static void on_alert(void *ctx, struct alert *a)
{
	struct printer *p = ctx;
	if (p->corr)
		correlator_add(p->corr, a);
	if (p->json) {
		buf_reset(&p->line);
		alert_to_json(a, &p->line);
		buf_putc(&p->line, '\n');
		fwrite(p->line.data, 1, p->line.len, p->out);
	} else if (p->show_alerts) {
		print_table_row(p, a);
	}
	alert_free(a);
}

static void on_incident(void *ctx, const struct incident *inc)
{
	struct printer *p = ctx;
	p->incidents++;
	buf_reset(&p->line);
	if (p->json) {
		incident_to_json(inc, &p->line);
		buf_putc(&p->line, '\n');
	} else {
		char t[AS_TIME_STRLEN];
		buf_printf(&p->line, "%sINCIDENT %s  %s  %s  %s\n", p->incidents == 1 ? "" : "\n",
			   incident_id(inc), incident_severity(inc), incident_kind(inc),
			   time_format(incident_first_seen(inc) / 1000000 * 1000000, t));
		incident_story(inc, &p->line);
		const char *who = hunt_attribution_summary(p->attr, incident_id(inc));
		if (who)
			buf_printf(&p->line, " %s.", who);
		buf_putc(&p->line, '\n');
	}
	fwrite(p->line.data, 1, p->line.len, p->out);
}

/* Alerts of the file pass (YARA, hashes): stored here, then printed. */
static void on_file_alert(void *ctx, struct alert *a)
{
	struct printer *p = ctx;
	alert_compute_id(a);
	if (p->store && store_alert_put(p->store, p->run_id, a))
		p->store_errors++;
	on_alert(ctx, a);
}

/* The file pass: every file under the paths against the YARA rules and the
 * hash indicators; the hashes of files that hit are matched in the logs
 * afterwards (Sysmon, Zeek files.log, EVE fileinfo). */
static int file_pass(struct engines *eng, char *const *paths, size_t npaths, int threads,
		     struct printer *pr, struct diag_sink *diags, uint64_t *alerts)
{
	struct ioc_set *hits;
	int rc = ioc_set_new(&hits);
	if (rc)
		return rc;
	struct detector *ioc = NULL;
	for (size_t i = 0; i < eng->n; i++)
		if (!strcmp(eng->detectors[i].name, "ioc"))
			ioc = &eng->detectors[i];
	struct yara_scan_config cfg = {
	    .paths = paths,
	    .npaths = npaths,
	    .rules = eng->yara_rules,
	    .detectors = ioc,
	    .ndetectors = ioc ? 1 : 0,
	    .hit_hashes = hits,
	    .threads = threads,
	    .fuzzy = true,
	    .on_alert = on_file_alert,
	    .on_alert_ctx = pr,
	    .diags = diags,
	};
	struct yara_scan_result res = {0};
	rc = yara_scan_run(&cfg, &res);
	*alerts += res.alerts;
	fflush(pr->out);
	yara_scan_result_free(&res);
	if (!rc && ioc_set_count(hits) && eng->n < ENGINES_MAX) {
		if (!(rc = ioc_set_finish(hits, diags)) &&
		    !(rc = ioc_detector_init(&eng->detectors[eng->n], hits))) {
			eng->n++;
			return 0;
		}
	}
	ioc_set_free(hits);
	return rc;
}

static void summary(FILE *out, const struct hunt_result *res, size_t nengines)
{
	const struct run_stats *s = &res->stats;
	double secs = s->seconds > 0 ? s->seconds : 1e-9;
	fprintf(out,
		"aptscope: %llu files (%llu not read), %llu records, %llu bad, %llu events, "
		"%llu alerts from %zu engines in %.2f s (%.0f events/s, %.1f MB/s)\n",
		(unsigned long long)s->files, (unsigned long long)res->files_failed,
		(unsigned long long)s->records, (unsigned long long)s->errors,
		(unsigned long long)s->events, (unsigned long long)s->alerts, nengines, s->seconds,
		(double)s->events / secs, (double)s->bytes / 1e6 / secs);
}

int cmd_hunt(int argc, char **argv)
{
	enum {
		O_DB = 1000,
		O_NODB,
		O_JSON,
		O_TABLE,
		O_FORMAT,
		O_THREADS,
		O_PROGRESS,
		O_NOPROGRESS,
		O_YEAR,
		O_INTEL,
		O_ASSETS,
		O_ALERTS,
		O_NOINCIDENTS,
		O_BLOCKLIST,
		O_BLOCKLIST_FORMAT,
		O_EVTX_RECOVER
	};
	struct option opts[64] = {
	    {"db", required_argument, 0, O_DB},
	    {"no-db", no_argument, 0, O_NODB},
	    {"json", no_argument, 0, O_JSON},
	    {"table", no_argument, 0, O_TABLE},
	    {"format", required_argument, 0, O_FORMAT},
	    {"threads", required_argument, 0, O_THREADS},
	    {"progress", no_argument, 0, O_PROGRESS},
	    {"no-progress", no_argument, 0, O_NOPROGRESS},
	    {"year", required_argument, 0, O_YEAR},
	    {"intel", required_argument, 0, O_INTEL},
	    {"assets", required_argument, 0, O_ASSETS},
	    {"alerts", no_argument, 0, O_ALERTS},
	    {"no-incidents", no_argument, 0, O_NOINCIDENTS},
	    {"blocklist", required_argument, 0, O_BLOCKLIST},
	    {"blocklist-format", required_argument, 0, O_BLOCKLIST_FORMAT},
	    {"evtx-recover", no_argument, 0, O_EVTX_RECOVER},
	    {"help", no_argument, 0, 'h'},
	};
	size_t nopts = 17;
	nopts += engines_options(opts + nopts, sizeof opts / sizeof *opts - nopts - 1);
	memset(&opts[nopts], 0, sizeof opts[nopts]);

	const char *db_path = "aptscope.db", *out_path = NULL;
	bool use_db = true, json = false, show_alerts = false, incidents = true;
	const char *intel[64], *assets = NULL, *blocklist = NULL;
	int blocklist_fmt = BLOCKLIST_PLAIN;
	size_t nintel = 0;
	struct kb *kb = NULL;
	int progress = -1, threads = 0, year = 0;
	const struct format *force = NULL;
	struct engines eng;
	engines_init(&eng);
	int c, status = EXIT_OK;
	optind = 1;
	while ((c = getopt_long(argc, argv, "o:h", opts, NULL)) != -1) {
		switch (c) {
		case O_DB:
			db_path = optarg;
			break;
		case O_NODB:
			use_db = false;
			break;
		case O_JSON:
			json = true;
			break;
		case O_TABLE:
			json = false;
			break;
		case 'o':
			out_path = optarg;
			break;
		case O_FORMAT:
			if (!(force = format_by_name(optarg))) {
				fprintf(stderr, "aptscope hunt: unknown format '%s'\n", optarg);
				engines_fini(&eng);
				return EXIT_USAGE;
			}
			break;
		case O_THREADS:
			threads = atoi(optarg);
			break;
		case O_PROGRESS:
			progress = 1;
			break;
		case O_YEAR:
			year = atoi(optarg);
			break;
		case O_EVTX_RECOVER:
			/* the EVTX reader's switch (src/read/evtx.c) */
			setenv("APTSCOPE_EVTX_RECOVER", "1", 1);
			break;
		case O_INTEL:
			if (nintel < sizeof intel / sizeof *intel)
				intel[nintel++] = optarg;
			break;
		case O_ASSETS:
			assets = optarg;
			break;
		case O_ALERTS:
			show_alerts = true;
			break;
		case O_NOINCIDENTS:
			incidents = false;
			break;
		case O_BLOCKLIST:
			blocklist = optarg;
			break;
		case O_BLOCKLIST_FORMAT:
			if ((blocklist_fmt = blocklist_format_parse(optarg)) < 0) {
				fprintf(stderr,
					"aptscope hunt: blocklist format is plain, nft or ipset\n");
				engines_fini(&eng);
				return EXIT_USAGE;
			}
			break;
		case O_NOPROGRESS:
			progress = 0;
			break;
		case 'h':
			help(stdout);
			engines_fini(&eng);
			return EXIT_OK;
		default:
			if (c >= ENGINES_OPT_BASE && engines_option(&eng, c, optarg) == 0)
				break;
			help(stderr);
			engines_fini(&eng);
			return EXIT_USAGE;
		}
	}
	if (optind >= argc) {
		help(stderr);
		engines_fini(&eng);
		return EXIT_USAGE;
	}
	struct diag_sink diags;
	diag_sink_init(&diags, stderr);
	struct printer pr = {.out = stdout, .json = json};
	uint64_t file_alerts = 0;
	struct store *store = NULL;
	struct hunt_result res = {0};
	int64_t run_id = 0;
	if (out_path && !(pr.out = fopen(out_path, "w"))) {
		perror(out_path);
		status = EXIT_ERR;
		goto out;
	}
	if (use_db) {
		struct diag why = {0};
		if (store_open(&store, db_path, &why)) {
			fprintf(stderr, "aptscope hunt: %s\n", why.msg);
			status = EXIT_ERR;
			goto out;
		}
		buf_reset(&pr.line);
		for (int i = 0; i < argc; i++)
			buf_printf(&pr.line, "%s%s", i ? " " : "aptscope ", argv[i]);
		if (store_run_begin(store, pr.line.data, &run_id)) {
			fprintf(stderr, "aptscope hunt: %s: %s\n", db_path, store_errmsg(store));
			status = EXIT_ERR;
			goto out;
		}
	}
	pr.store = store;
	pr.run_id = run_id;
	pr.show_alerts = show_alerts || !incidents;
	/* The knowledge base: the store's (seeded from the bundled default), or
	 * the bundled default alone with --no-db; --intel adds to it for this run,
	 * --assets names the organisations whose logs these are. Only incidents
	 * (victims, CVE dates, attribution) and YARA metadata use it: a run with
	 * neither does not load it. */
	bool want_kb = incidents || eng.nyara || nintel || assets;
	if (want_kb && (store ? kb_open(&kb, store) : kb_load_default(&kb, &diags)) && !kb &&
	    kb_new(&kb)) {
		fprintf(stderr, "aptscope hunt: out of memory\n");
		status = EXIT_ERR;
		goto out;
	}
	if (nintel && kb_import_files(kb, intel, nintel, &diags, NULL)) {
		fprintf(stderr, "aptscope hunt: cannot import the --intel files\n");
		status = EXIT_ERR;
		goto out;
	}
	if (assets && kb_assets_load(kb, assets, &diags)) {
		fprintf(stderr, "aptscope hunt: %s: cannot load the assets\n", assets);
		status = EXIT_ERR;
		goto out;
	}
	eng.kb = kb;
	if (engines_build(&eng, &diags)) {
		status = EXIT_ERR;
		goto out;
	}
	if (incidents && (correlator_new(&pr.corr, NULL, kb, store) ||
			  hunt_attribution_new(&pr.attr, kb, store))) {
		fprintf(stderr, "aptscope hunt: cannot start correlation\n");
		status = EXIT_ERR;
		goto out;
	}
	if (pr.attr)
		correlator_set_hooks(pr.corr, hunt_attribution_hooks(), pr.attr);
	if (eng.yara_rules && file_pass(&eng, argv + optind, (size_t)(argc - optind), threads, &pr,
					&diags, &file_alerts)) {
		fprintf(stderr, "aptscope hunt: file scan failed\n");
		status = EXIT_ERR;
		goto out;
	}
	struct hunt_config cfg = {
	    .paths = argv + optind,
	    .npaths = (size_t)(argc - optind),
	    .force = force,
	    .detectors = eng.detectors,
	    .ndetectors = eng.n,
	    .threads = threads,
	    .store = store,
	    .run_id = run_id,
	    .on_alert = on_alert,
	    .on_alert_ctx = &pr,
	    .diags = &diags,
	    .progress = progress == 1 || (progress < 0 && isatty(2)),
	    .default_year = year,
	    .quiet_unknown = eng.yara_rules != NULL,
	};
	if (hunt_run(&cfg, &res)) {
		fprintf(stderr, "aptscope hunt: out of memory\n");
		status = EXIT_ERR;
	}
	res.stats.alerts += file_alerts;
	if (res.detector_errors)
		fprintf(stderr,
			"aptscope hunt: engines failed on %llu batches; findings may be missing\n",
			(unsigned long long)res.detector_errors);
	if (pr.corr && correlator_finish(pr.corr, on_incident, &pr)) {
		fprintf(stderr, "aptscope hunt: correlation failed\n");
		status = EXIT_ERR;
	}
	res.store_errors += pr.store_errors;
	if (store) {
		store_run_end(store, run_id, &res.stats);
		if (res.store_errors) {
			fprintf(stderr, "aptscope hunt: %s: %llu rows not stored: %s\n", db_path,
				(unsigned long long)res.store_errors, store_errmsg(store));
			status = EXIT_ERR;
		}
	}
	fflush(pr.out);
	summary(json || out_path ? stderr : stdout, &res, eng.n);
	if (eng.behavior && !json) {
		FILE *f = out_path ? stderr : stdout;
		char *text = NULL;
		size_t len = 0;
		FILE *mem = open_memstream(&text, &len);
		if (mem) {
			behavior_countries_write(mem, eng.behavior);
			fclose(mem);
			if (len)
				fprintf(f, "aptscope: attack sources by country:\n%s", text);
			free(text);
		}
	}
	if (eng.behavior && blocklist) {
		FILE *bl = fopen(blocklist, "w");
		if (!bl || behavior_blocklist_write(bl, blocklist_fmt, eng.behavior, NULL)) {
			fprintf(stderr, "aptscope hunt: %s: cannot write the blocklist\n",
				blocklist);
			status = EXIT_ERR;
		}
		if (bl)
			fclose(bl);
	}
out:
	correlator_free(pr.corr);
	hunt_attribution_free(pr.attr);
	hunt_result_free(&res);
	kb_free(kb);
	store_close(store);
	if (pr.out && pr.out != stdout)
		fclose(pr.out);
	buf_free(&pr.line);
	engines_fini(&eng);
	diag_sink_fini(&diags);
	return status;
}
