/* cmd_rules.c — `aptscope rules check`: load Sigma rules and list each one that cannot load. */
#include <getopt.h>
#include <stdio.h>
#include <string.h>

#include "cmd.h"
#include "core/buf.h"
#include "core/error.h"
#include "core/json.h"
#include "detect/sigma/sigma.h"

static void help(FILE *out)
{
	fprintf(out,
		"usage: aptscope rules check [--json] [--placeholders FILE] PATH…\n\n"
		"Loads every Sigma rule (*.yml, *.yaml) under PATH, compiles the set and lists\n"
		"each rule that cannot load as FILE:LINE: REASON, or with --json as one object\n"
		"{\"file\",\"line\",\"title\",\"reason\"} per line. Ends with the line\n"
		"'loaded N of M rules'. Exit status 0 when every rule loaded, 1 otherwise.\n\n"
		"  --json               one JSON object per rule that cannot load\n"
		"  --placeholders FILE  values of %%placeholders%% for |expand (YAML map)\n");
}

static int check(int argc, char **argv)
{
	static const struct option opts[] = {{"json", no_argument, 0, 'j'},
					     {"placeholders", required_argument, 0, 'p'},
					     {"help", no_argument, 0, 'h'},
					     {0, 0, 0, 0}};
	int json = 0, c;
	const char *ph = NULL;
	optind = 1;
	while ((c = getopt_long(argc, argv, "jp:h", opts, NULL)) != -1) {
		switch (c) {
		case 'j':
			json = 1;
			break;
		case 'p':
			ph = optarg;
			break;
		case 'h':
			help(stdout);
			return EXIT_OK;
		default:
			help(stderr);
			return EXIT_USAGE;
		}
	}
	if (optind >= argc) {
		help(stderr);
		return EXIT_USAGE;
	}
	struct sigma_ruleset *rs;
	struct sigma_load_report rep = {0};
	int status = EXIT_OK, rc;
	if (sigma_ruleset_new(&rs)) {
		fprintf(stderr, "aptscope rules: out of memory\n");
		return EXIT_ERR;
	}
	if (ph && (rc = sigma_ruleset_placeholders(rs, ph))) {
		fprintf(stderr, "aptscope rules: %s: %s\n", ph, as_strerror(rc));
		sigma_ruleset_free(rs);
		return EXIT_ERR;
	}
	for (int i = optind; i < argc; i++) {
		if ((rc = sigma_ruleset_load(rs, argv[i], &rep))) {
			fprintf(stderr, "aptscope rules: %s: %s\n", argv[i], as_strerror(rc));
			status = EXIT_ERR;
		}
	}
	if ((rc = sigma_ruleset_compile(rs, &rep))) {
		fprintf(stderr, "aptscope rules: cannot compile the rule set: %s\n",
			as_strerror(rc));
		status = EXIT_ERR;
	}
	struct buf b = BUF_INIT;
	for (size_t i = 0; i < rep.nerrors; i++) {
		const struct sigma_load_error *e = &rep.errors[i];
		buf_reset(&b);
		if (json) {
			struct jw w;
			jw_init(&w, &b);
			jw_obj(&w);
			jw_kcstr(&w, "file", e->file);
			jw_kint(&w, "line", e->line);
			jw_kcstr(&w, "title", e->title);
			jw_kcstr(&w, "reason", e->reason);
			jw_obj_end(&w);
		} else {
			buf_printf(&b, "%s:%u: %s", e->file, e->line, e->reason);
			if (e->title)
				buf_printf(&b, " (%s)", e->title);
		}
		buf_putc(&b, '\n');
		fwrite(b.data, 1, b.len, stdout);
	}
	buf_free(&b);
	size_t unmapped = rc ? 0 : sigma_ruleset_unmapped(rs);
	if (unmapped)
		fprintf(stderr,
			"aptscope rules: %zu loaded rules have a logsource no reader provides\n",
			unmapped);
	printf("loaded %zu of %zu rules\n", rep.loaded, rep.total);
	if (rep.loaded != rep.total)
		status = EXIT_ERR;
	sigma_load_report_free(&rep);
	sigma_ruleset_free(rs);
	return status;
}

int cmd_rules(int argc, char **argv)
{
	if (argc >= 2 && !strcmp(argv[1], "check"))
		return check(argc - 1, argv + 1);
	if (argc >= 2 && (!strcmp(argv[1], "--help") || !strcmp(argv[1], "-h"))) {
		help(stdout);
		return EXIT_OK;
	}
	help(stderr);
	return EXIT_USAGE;
}
