/* cmd_events.c — `aptscope events`: the normalised events of logs, as JSON lines. */
#include <getopt.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "cmd.h"
#include "core/buf.h"
#include "core/error.h"
#include "read/reader.h"
#include "read/walk.h"

static void help(FILE *out)
{
	fprintf(out, "usage: aptscope events [--format NAME] [--json] [--limit N] [--evtx-recover] "
		     "PATH…\n\n"
		     "Reads every file under PATH (format detected from content, .gz/.zst read\n"
		     "through) and prints one JSON object per event: canonical fields under their\n"
		     "own names, the record's native fields under \"fields\", and\n"
		     "\"source\": {file, format, record}. Bad records are reported on stderr.\n\n"
		     "  --format NAME  force a reader (see 'aptscope formats')\n"
		     "  --json         JSON lines (the default and only output)\n"
		     "  --limit N      stop after N events\n"
		     "  --evtx-recover also EVTX records deleted into free space whose\n"
		     "                 EventRecordID no allocated record has (Recovered=true)\n");
}

int cmd_events(int argc, char **argv)
{
	static const struct option opts[] = {{"format", required_argument, 0, 'f'},
					     {"json", no_argument, 0, 'j'},
					     {"limit", required_argument, 0, 'n'},
					     {"year", required_argument, 0, 'y'},
					     {"evtx-recover", no_argument, 0, 'r'},
					     {"help", no_argument, 0, 'h'},
					     {0, 0, 0, 0}};
	const struct format *force = NULL;
	unsigned long long limit = 0;
	int year = 0;
	int c;
	optind = 1;
	while ((c = getopt_long(argc, argv, "f:jn:y:rh", opts, NULL)) != -1) {
		switch (c) {
		case 'f':
			if (!(force = format_by_name(optarg))) {
				fprintf(stderr, "aptscope events: unknown format '%s'\n", optarg);
				return EXIT_USAGE;
			}
			break;
		case 'j':
			break;
		case 'n':
			limit = strtoull(optarg, NULL, 10);
			break;
		case 'y':
			year = atoi(optarg);
			break;
		case 'r':
			/* the EVTX reader's switch (src/read/evtx.c) */
			setenv("APTSCOPE_EVTX_RECOVER", "1", 1);
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
	struct diag_sink diags;
	diag_sink_init(&diags, stderr);
	struct file_list files = {0};
	if (walk_paths(argv + optind, (size_t)(argc - optind), &files, &diags)) {
		fprintf(stderr, "aptscope events: out of memory\n");
		return EXIT_ERR;
	}
	struct read_opts ro = {.fields = true, .default_year = year};
	struct batch b;
	batch_init(&b);
	struct buf out = BUF_INIT;
	unsigned long long printed = 0;
	int status = EXIT_OK;
	for (size_t i = 0; i < files.n && (!limit || printed < limit); i++) {
		struct source src = {.path = files.paths[i], .id = (uint32_t)i};
		struct reader *r;
		struct diag why = {0};
		if (reader_open(&r, &src, force, &ro, &diags, &why)) {
			diag_note(&diags, "%s: %s", src.path, why.msg);
			status = EXIT_ERR;
			continue;
		}
		int n;
		while ((n = reader_next(r, &b)) > 0 && (!limit || printed < limit)) {
			for (int k = 0; k < n && (!limit || printed < limit); k++) {
				buf_reset(&out);
				event_to_json(&b.events[k], &out);
				buf_putc(&out, '\n');
				fwrite(out.data, 1, out.len, stdout);
				printed++;
			}
		}
		reader_close(r);
	}
	buf_free(&out);
	batch_free(&b);
	file_list_free(&files);
	diag_sink_fini(&diags);
	return status;
}
