/*
 * cmd_report.c — `aptscope report`: the threat-landscape report of a period
 * from the incidents in the store, as HTML, Markdown, JSON or a STIX 2.1
 * bundle, optionally compared with another period.
 */
#include <getopt.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "cmd.h"
#include "core/error.h"
#include "core/timeparse.h"
#include "intel/intel.h"
#include "report/report.h"
#include "store/store.h"

#define DAY_US (86400LL * 1000000LL)

static void help(FILE *out)
{
	fprintf(out,
		"usage: aptscope report [--db F] [--from D] [--to D] [--format html|md|json|stix]\n"
		"                       [--compare-to FROM:TO|previous] [-o F]\n\n"
		"Writes the threat-landscape report of the incidents found by earlier hunts:\n"
		"attacks by sector, victim country, month and kill-chain stage; the most active\n"
		"groups with aliases, origin and region; new groups; 0/1/n-day exploitation,\n"
		"CVEs and platforms; supply-chain incidents; brute force and DDoS against\n"
		"services; commercial attack platforms. Every figure links to its incidents.\n\n"
		"  --db F             store (default ./aptscope.db)\n"
		"  --from D           first day (YYYY-MM-DD or RFC 3339); default: all\n"
		"  --to D             last day, included (YYYY-MM-DD) or an RFC 3339 end\n"
		"  --format NAME      html (default, or from -o's extension), md, json, stix\n"
		"  --compare-to P     compare with period P: FROM:TO as days, or 'previous'\n"
		"                     (the period of the same length just before)\n"
		"  -o F               output file (default standard output)\n"
		"\nExit status: 0 ok, 1 error, 2 usage.\n");
}

/* A day is a whole day: as a `to` bound it ends at the next midnight. */
static int parse_bound(const char *s, bool is_to, int64_t *us)
{
	char b[64];
	bool day = strlen(s) == 10;
	if (day) {
		snprintf(b, sizeof b, "%sT00:00:00Z", s);
		s = b;
	}
	if (time_parse_rfc3339(slice_cstr(s), us))
		return AS_EINVAL;
	if (day && is_to)
		*us += DAY_US;
	return 0;
}

static int parse_range(const char *s, int64_t *from, int64_t *to)
{
	char a[64], z[64];
	const char *sep = strstr(s, "..");
	size_t n = sep ? (size_t)(sep - s) : (strlen(s) >= 21 && s[10] == ':' ? 10 : 0);
	if (!n || n >= sizeof a)
		return AS_EINVAL;
	memcpy(a, s, n);
	a[n] = 0;
	snprintf(z, sizeof z, "%s", s + n + (sep ? 2 : 1));
	if (parse_bound(a, false, from) || parse_bound(z, true, to) || *to <= *from)
		return AS_EINVAL;
	return 0;
}

/* Start of the period of the same length just before [from, to): whole
 * calendar months when both ends fall on the first of a month (a half-year
 * compares with the half-year before, not with 184 days), else as many
 * days. */
static int64_t previous_start(int64_t from, int64_t to)
{
	char a[AS_TIME_STRLEN], z[AS_TIME_STRLEN];
	int fy, fm, fd, ty, tm, td;
	time_format(from, a);
	time_format(to, z);
	if (sscanf(a, "%d-%d-%dT", &fy, &fm, &fd) == 3 &&
	    sscanf(z, "%d-%d-%dT", &ty, &tm, &td) == 3 && fd == 1 && td == 1 &&
	    from % DAY_US == 0 && to % DAY_US == 0) {
		int months = (ty * 12 + tm) - (fy * 12 + fm);
		int k = fy * 12 + (fm - 1) - months;
		return time_days_from_civil(k / 12, (unsigned)(k % 12 + 1), 1) * DAY_US;
	}
	return from - (to - from);
}

static const char *format_of(const char *fmt, const char *out)
{
	if (fmt)
		return fmt;
	const char *dot = out ? strrchr(out, '.') : NULL;
	if (dot && !strcmp(dot, ".md"))
		return "md";
	if (dot && !strcmp(dot, ".stix"))
		return "stix";
	if (dot && !strcmp(dot, ".json"))
		return strstr(out, "stix") ? "stix" : "json";
	return "html";
}

int cmd_report(int argc, char **argv)
{
	enum { O_DB = 1000, O_FROM, O_TO, O_FORMAT, O_COMPARE };
	static const struct option opts[] = {
	    {"db", required_argument, 0, O_DB},
	    {"from", required_argument, 0, O_FROM},
	    {"to", required_argument, 0, O_TO},
	    {"format", required_argument, 0, O_FORMAT},
	    {"compare-to", required_argument, 0, O_COMPARE},
	    {"help", no_argument, 0, 'h'},
	    {0, 0, 0, 0},
	};
	const char *db = "aptscope.db", *fmt = NULL, *outp = NULL, *compare = NULL;
	int64_t from = AS_TIME_NONE, to = AS_TIME_NONE, pfrom = AS_TIME_NONE, pto = AS_TIME_NONE;
	int c;
	optind = 1;
	while ((c = getopt_long(argc, argv, "ho:", opts, NULL)) != -1) {
		switch (c) {
		case O_DB:
			db = optarg;
			break;
		case O_FROM:
			if (parse_bound(optarg, false, &from))
				goto usage;
			break;
		case O_TO:
			if (parse_bound(optarg, true, &to))
				goto usage;
			break;
		case O_FORMAT:
			fmt = optarg;
			break;
		case O_COMPARE:
			compare = optarg;
			break;
		case 'o':
			outp = optarg;
			break;
		case 'h':
			help(stdout);
			return EXIT_OK;
		default:
			goto usage;
		}
	}
	if (optind != argc)
		goto usage;
	if (from != AS_TIME_NONE && to != AS_TIME_NONE && to <= from) {
		fprintf(stderr, "aptscope report: --to is before --from\n");
		return EXIT_USAGE;
	}
	fmt = format_of(fmt, outp);
	if (strcmp(fmt, "html") && strcmp(fmt, "md") && strcmp(fmt, "json") && strcmp(fmt, "stix"))
		goto usage;
	if (compare) {
		if (!strcmp(compare, "previous")) {
			if (from == AS_TIME_NONE || to == AS_TIME_NONE) {
				fprintf(stderr,
					"aptscope report: --compare-to previous needs --from "
					"and --to\n");
				return EXIT_USAGE;
			}
			pto = from;
			pfrom = previous_start(from, to);
		} else if (parse_range(compare, &pfrom, &pto)) {
			goto usage;
		}
	}

	FILE *f = fopen(db, "rb");
	if (!f) {
		fprintf(stderr, "aptscope report: %s: no such store (run 'aptscope hunt' first)\n",
			db);
		return EXIT_ERR;
	}
	fclose(f);
	struct diag why = {0};
	struct store *st = NULL;
	if (store_open(&st, db, &why)) {
		fprintf(stderr, "aptscope report: %s\n", why.msg);
		return EXIT_ERR;
	}
	struct kb *kb = NULL;
	if (kb_open(&kb, st))
		fprintf(stderr, "aptscope report: no knowledge base; groups keep the names and "
				"profiles their incidents give\n");
	struct landscape *l = NULL, *prev = NULL;
	struct buf out = BUF_INIT;
	int status = EXIT_ERR;
	int rc = landscape_build(&l, st, kb, from, to);
	if (!rc && compare)
		rc = landscape_build(&prev, st, kb, pfrom, pto);
	if (rc) {
		fprintf(stderr, "aptscope report: %s: %s\n", db, as_strerror(rc));
		goto done;
	}
	if (!strcmp(fmt, "html"))
		rc = report_html(l, prev, &out);
	else if (!strcmp(fmt, "md"))
		rc = report_md(l, prev, &out);
	else if (!strcmp(fmt, "json"))
		rc = report_json(l, prev, &out);
	else
		rc = report_stix(l, time_now_us(), &out);
	if (rc) {
		fprintf(stderr, "aptscope report: %s\n", as_strerror(rc));
		goto done;
	}
	FILE *o = outp && strcmp(outp, "-") ? fopen(outp, "wb") : stdout;
	if (!o) {
		perror(outp);
		goto done;
	}
	bool ok = fwrite(out.data, 1, out.len, o) == out.len;
	if (o != stdout)
		ok = !fclose(o) && ok;
	else
		ok = !fflush(o) && ok;
	if (!ok) {
		fprintf(stderr, "aptscope report: %s: write failed\n", outp ? outp : "stdout");
		goto done;
	}
	if (outp && strcmp(outp, "-"))
		fprintf(stderr, "aptscope report: %zu incidents, %s written to %s\n", l->ninc, fmt,
			outp);
	status = EXIT_OK;
done:
	buf_free(&out);
	landscape_free(l);
	landscape_free(prev);
	kb_free(kb);
	store_close(st);
	return status;
usage:
	help(stderr);
	return EXIT_USAGE;
}
