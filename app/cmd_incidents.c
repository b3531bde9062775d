/*
 * cmd_incidents.c — `aptscope incidents` lists the incidents of the store,
 * each with its story; `aptscope incident show ID` prints one with the
 * reasons its alerts belong and the timeline of its alerts.
 */
#include <getopt.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "cmd.h"
#include "core/error.h"
#include "core/timeparse.h"
#include "correlate/incident.h"
#include "store/store.h"

static void help_list(FILE *out)
{
	fprintf(out, "usage: aptscope incidents [--db F] [--json] [--since D]\n\n"
		     "Lists the incidents found by earlier hunts, newest first, each with a\n"
		     "short story: who, what, when and how far it got.\n\n"
		     "  --db F      store (default ./aptscope.db)\n"
		     "  --json      one JSON object per incident\n"
		     "  --since D   only incidents active on or after D (RFC 3339 or a date)\n"
		     "\nExit status: 0 ok, 1 error, 2 usage.\n");
}

static void help_show(FILE *out)
{
	fprintf(out, "usage: aptscope incident show [--db F] [--json] ID\n\n"
		     "Prints one incident (ID or a unique prefix of it): its story, why each\n"
		     "alert belongs, and the timeline of the first and last alerts of each rule.\n"
		     "With --json: the incident object, then its alerts, one per line.\n\n"
		     "  --db F      store (default ./aptscope.db)\n"
		     "  --json      JSON lines\n"
		     "\nExit status: 0 ok, 1 error or not found, 2 usage.\n");
}

static int parse_day(const char *s, int64_t *us)
{
	char buf[64];
	if (strlen(s) == 10) {
		snprintf(buf, sizeof buf, "%sT00:00:00Z", s);
		s = buf;
	}
	return time_parse_rfc3339(slice_cstr(s), us);
}

static int open_store(const char *path, const char *who, struct store **s)
{
	FILE *f = fopen(path, "rb");
	if (!f) {
		fprintf(stderr, "aptscope %s: %s: no such store (run 'aptscope hunt' first)\n", who,
			path);
		return EXIT_ERR;
	}
	fclose(f);
	struct diag why = {0};
	if (store_open(s, path, &why)) {
		fprintf(stderr, "aptscope %s: %s\n", who, why.msg);
		return EXIT_ERR;
	}
	return EXIT_OK;
}

static int run(int argc, char **argv, bool show)
{
	enum { O_DB = 1000, O_JSON, O_SINCE };
	static const struct option opts[] = {
	    {"db", required_argument, 0, O_DB},
	    {"json", no_argument, 0, O_JSON},
	    {"since", required_argument, 0, O_SINCE},
	    {"help", no_argument, 0, 'h'},
	    {0, 0, 0, 0},
	};
	const char *db = "aptscope.db";
	bool json = false;
	int64_t since = AS_TIME_NONE;
	int c;
	optind = 1;
	while ((c = getopt_long(argc, argv, "h", opts, NULL)) != -1) {
		switch (c) {
		case O_DB:
			db = optarg;
			break;
		case O_JSON:
			json = true;
			break;
		case O_SINCE:
			if (show || parse_day(optarg, &since)) {
				(show ? help_show : help_list)(stderr);
				return EXIT_USAGE;
			}
			break;
		case 'h':
			(show ? help_show : help_list)(stdout);
			return EXIT_OK;
		default:
			(show ? help_show : help_list)(stderr);
			return EXIT_USAGE;
		}
	}
	const char *id = NULL;
	if (show) {
		if (optind + 2 != argc || strcmp(argv[optind], "show")) {
			help_show(stderr);
			return EXIT_USAGE;
		}
		id = argv[optind + 1];
	} else if (optind != argc) {
		help_list(stderr);
		return EXIT_USAGE;
	}
	struct store *s = NULL;
	int status = open_store(db, show ? "incident" : "incidents", &s);
	if (status)
		return status;
	int rc = show ? incident_store_show(s, id, json, stdout)
		      : incident_store_list(s, since, json, stdout);
	if (rc == AS_ENOTFOUND)
		fprintf(stderr, "aptscope incident: no incident %s in %s\n", id, db);
	else if (rc == AS_EINVAL)
		fprintf(stderr, "aptscope incident: %s names more than one incident\n", id);
	else if (rc)
		fprintf(stderr, "aptscope incidents: %s: %s\n", db, store_errmsg(s));
	store_close(s);
	return rc ? EXIT_ERR : EXIT_OK;
}

int cmd_incidents(int argc, char **argv)
{
	return run(argc, argv, false);
}

int cmd_incident(int argc, char **argv)
{
	return run(argc, argv, true);
}
