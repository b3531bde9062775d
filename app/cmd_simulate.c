/* cmd_simulate.c — `aptscope simulate`: write a simulated period of APT activity and its truth. */
#include <getopt.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "cmd.h"
#include "core/error.h"
#include "core/timeparse.h"
#include "simulate/simulate.h"

static void help(FILE *out)
{
	fprintf(
	    out,
	    "usage: aptscope simulate [--seed N] [--from DATE] [--to DATE] [--orgs N]\n"
	    "                         [--scale X] -o DIR\n\n"
	    "Writes the telemetry of many organisations over a period: benign background\n"
	    "(Zeek or Suricata EVE, sshd auth.log, web access.log, Sysmon as JSON) with APT\n"
	    "campaigns modelled on known groups, a new cluster, a supply-chain trojan, CVE\n"
	    "exploitation before and after disclosure, brute force and DDoS. Beside the logs:\n"
	    "DIR/assets.csv (hunt --assets), DIR/intel/indicators.csv (hunt --ioc) and\n"
	    "DIR/truth.jsonl, one object per simulated attack. The same options write the\n"
	    "same bytes.\n\n"
	    "  --seed N     random seed (default 1)\n"
	    "  --from DATE  first day, YYYY-MM-DD (default: 1 January of last year)\n"
	    "  --to DATE    last day, inclusive (default: 31 December of last year)\n"
	    "  --orgs N     organisations, 3..%d (default 12)\n"
	    "  --scale X    background volume multiplier, up to %g (default 1: a few tens of MB\n"
	    "               a year)\n"
	    "  -o DIR       output folder\n",
	    AS_SIM_MAX_ORGS, AS_SIM_MAX_SCALE);
}

static int parse_date(const char *s, int64_t *us)
{
	int64_t t;
	char buf[64];
	snprintf(buf, sizeof buf, "%sT00:00:00Z", s);
	if (strlen(s) != 10 || time_parse_rfc3339(slice_cstr(buf), &t))
		return -1;
	*us = t;
	return 0;
}

int cmd_simulate(int argc, char **argv)
{
	static const struct option opts[] = {
	    {"seed", required_argument, 0, 's'},  {"from", required_argument, 0, 'f'},
	    {"to", required_argument, 0, 't'},    {"orgs", required_argument, 0, 'n'},
	    {"scale", required_argument, 0, 'x'}, {"output", required_argument, 0, 'o'},
	    {"help", no_argument, 0, 'h'},        {0, 0, 0, 0}};
	struct sim_opts o;
	sim_opts_default(&o);
	bool from_set = false, to_set = false;
	int c;
	char *end;
	optind = 1;
	while ((c = getopt_long(argc, argv, "s:f:t:n:x:o:h", opts, NULL)) != -1) {
		switch (c) {
		case 's':
			o.seed = strtoull(optarg, &end, 10);
			if (*end)
				goto usage;
			break;
		case 'f':
			if (parse_date(optarg, &o.from_us))
				goto usage;
			from_set = true;
			break;
		case 't':
			if (parse_date(optarg, &o.to_us))
				goto usage;
			o.to_us += 86400ll * 1000000; /* inclusive */
			to_set = true;
			break;
		case 'n':
			o.orgs = (int)strtol(optarg, &end, 10);
			if (*end)
				goto usage;
			break;
		case 'x':
			o.scale = strtod(optarg, &end);
			if (*end)
				goto usage;
			break;
		case 'o':
			o.out_dir = optarg;
			break;
		case 'h':
			help(stdout);
			return EXIT_OK;
		default:
			goto usage;
		}
	}
	if (from_set && !to_set)
		o.to_us = o.from_us + 365ll * 86400 * 1000000;
	if (to_set && !from_set)
		o.from_us = o.to_us - 365ll * 86400 * 1000000;
	if (optind != argc || !o.out_dir)
		goto usage;

	struct sim_result *res;
	int rc = sim_run(&o, &res);
	if (rc == AS_EINVAL) {
		fprintf(stderr,
			"aptscope simulate: bad options (orgs 3..%d, scale (0, %g], "
			"from before to, at most %d days)\n",
			AS_SIM_MAX_ORGS, AS_SIM_MAX_SCALE, AS_SIM_MAX_DAYS);
		return EXIT_USAGE;
	}
	if (rc) {
		fprintf(stderr, "aptscope simulate: %s: %s\n", o.out_dir, as_strerror(rc));
		return EXIT_ERR;
	}
	char from[AS_TIME_STRLEN], to[AS_TIME_STRLEN];
	time_format(o.from_us, from);
	time_format(o.to_us, to);
	fprintf(
	    stderr,
	    "aptscope simulate: %zu organisations, %s .. %s: %llu files, %.1f MB, %llu records; "
	    "%zu attacks (",
	    res->n_orgs, from, to, (unsigned long long)res->files, (double)res->bytes / 1e6,
	    (unsigned long long)res->records, res->n_attacks);
	for (int k = 0; k < SIM_KIND_COUNT; k++)
		fprintf(stderr, "%s%s %zu", k ? ", " : "", sim_kind_name((enum sim_kind)k),
			res->per_kind[k]);
	fprintf(stderr, ")\n");
	sim_result_free(res);
	return EXIT_OK;
usage:
	help(stderr);
	return EXIT_USAGE;
}
