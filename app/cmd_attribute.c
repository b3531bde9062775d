/*
 * cmd_attribute.c — `aptscope attribute`: rank the groups behind a set of
 * observations given directly (the JSON contract, a MISP event or a STIX
 * bundle; a file or - for stdin) and print the result as one JSON object.
 *
 * With --kb F (repeatable) the knowledge base is made of those files only,
 * so an evaluation can hold data out; otherwise it is the store's (--db,
 * seeded from the bundled default on first use).
 */
#include <getopt.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "attribute/attribute.h"
#include "cmd.h"
#include "core/buf.h"
#include "core/error.h"
#include "core/limits.h"
#include "intel/intel.h"
#include "store/store.h"

static void help(FILE *out)
{
	fprintf(out,
		"usage: aptscope attribute [--kb F]… [--db F] [--exclude GROUP]… [--top N] "
		"OBSERVATIONS\n\n"
		"Ranks the known groups for the observations in OBSERVATIONS (a file, or - for\n"
		"stdin): JSON {\"techniques\",\"software\",\"indicators\",\"sectors\",\n"
		"\"victim_countries\",\"source_countries\",\"infrastructure\",\"times\"}, a MISP\n"
		"event or a STIX 2.x bundle. Prints {\"candidates\":[…],\"verdict\":…}.\n\n"
		"  --kb F          the knowledge base is these files only (repeatable)\n"
		"  --db F          store whose knowledge base is used (default ./aptscope.db)\n"
		"  --exclude GROUP never propose this group (any alias; repeatable)\n"
		"  --top N         candidates listed (default %d, at most %d)\n",
		AS_ATTR_DEFAULT_TOP, AS_ATTR_MAX_TOP);
}

static int read_input(const char *path, struct buf *b)
{
	FILE *f = strcmp(path, "-") ? fopen(path, "rb") : stdin;
	char chunk[65536];
	size_t n;
	if (!f)
		return AS_ENOENT;
	b->max = AS_MAX_ATTR_FILE;
	while ((n = fread(chunk, 1, sizeof chunk, f)) > 0)
		if (buf_append(b, chunk, n))
			break;
	int rc = b->err ? b->err : ferror(f) ? AS_EIO : 0;
	if (f != stdin)
		fclose(f);
	return rc;
}

int cmd_attribute(int argc, char **argv)
{
	enum { O_DB = 256, O_KB, O_EXCLUDE, O_TOP };
	static const struct option opts[] = {{"db", required_argument, 0, O_DB},
					     {"kb", required_argument, 0, O_KB},
					     {"exclude", required_argument, 0, O_EXCLUDE},
					     {"top", required_argument, 0, O_TOP},
					     {"help", no_argument, 0, 'h'},
					     {0, 0, 0, 0}};
	const char *db_path = "aptscope.db";
	const char **kb_files = calloc((size_t)argc + 1, sizeof *kb_files);
	const char **exclude = calloc((size_t)argc + 1, sizeof *exclude);
	size_t nkb = 0, nex = 0;
	unsigned top = AS_ATTR_DEFAULT_TOP;
	int c, status = EXIT_USAGE;
	if (!kb_files || !exclude) {
		free(kb_files);
		free(exclude);
		return EXIT_ERR;
	}
	optind = 1;
	while ((c = getopt_long(argc, argv, "h", opts, NULL)) != -1) {
		switch (c) {
		case O_DB:
			db_path = optarg;
			break;
		case O_KB:
			kb_files[nkb++] = optarg;
			break;
		case O_EXCLUDE:
			exclude[nex++] = optarg;
			break;
		case O_TOP: {
			char *end;
			unsigned long v = strtoul(optarg, &end, 10);
			if (*end || !v || v > AS_ATTR_MAX_TOP) {
				fprintf(stderr, "aptscope attribute: --top takes 1…%d\n",
					AS_ATTR_MAX_TOP);
				goto out;
			}
			top = (unsigned)v;
			break;
		}
		case 'h':
			help(stdout);
			status = EXIT_OK;
			goto out;
		default:
			help(stderr);
			goto out;
		}
	}
	if (optind != argc - 1) {
		help(stderr);
		goto out;
	}
	const char *path = argv[optind];
	struct diag_sink diags;
	struct store *st = NULL;
	struct kb *kb = NULL;
	struct attr_model *m = NULL;
	struct observations *o = NULL;
	struct attr_result res = {0};
	struct buf in = BUF_INIT, outb = BUF_INIT;
	int rc;
	status = EXIT_ERR;
	diag_sink_init(&diags, stderr);
	if ((rc = read_input(path, &in))) {
		fprintf(stderr, "aptscope attribute: %s: %s\n", path, as_strerror(rc));
		goto done;
	}
	if ((rc = observations_new(&o)))
		goto done;
	rc = observations_parse(o, strcmp(path, "-") ? path : "stdin", in.data ? in.data : "",
				in.len, &diags);
	if (rc == AS_EPARSE || rc == AS_EFORMAT || rc == AS_ETOOBIG)
		goto done; /* reported with the reason */
	if (rc)
		goto fail;
	if (nkb) {
		/* the kb's own skipped records (revoked objects, …) are intel's
		 * business: counted here, listed by `aptscope intel import` */
		struct diag_sink quiet;
		diag_sink_init(&quiet, NULL);
		rc = kb_load_files(&kb, kb_files, nkb, &quiet);
		diag_sink_fini(&quiet);
	} else {
		struct diag why = {0};
		if ((rc = store_open(&st, db_path, &why))) {
			fprintf(stderr, "aptscope attribute: %s: %s\n", db_path,
				why.msg[0] ? why.msg : as_strerror(rc));
			goto done;
		}
		rc = kb_open(&kb, st);
	}
	if (rc) {
		fprintf(stderr, "aptscope attribute: cannot load the knowledge base: %s\n",
			as_strerror(rc));
		goto done;
	}
	if ((rc = attr_model_build(&m, kb)))
		goto fail;
	struct attr_options opt = {.exclude = exclude, .nexclude = nex, .top = top};
	if ((rc = attribute_observations(m, o, &opt, &res)) ||
	    (rc = attr_result_to_json(&res, &outb)))
		goto fail;
	buf_putc(&outb, '\n');
	status = fwrite(outb.data, 1, outb.len, stdout) == outb.len ? EXIT_OK : EXIT_ERR;
	goto done;
fail:
	fprintf(stderr, "aptscope attribute: %s\n", as_strerror(rc));
done:
	attr_result_free(&res);
	attr_model_free(m);
	observations_free(o);
	kb_free(kb);
	store_close(st);
	buf_free(&in);
	buf_free(&outb);
	diag_sink_fini(&diags);
out:
	free(kb_files);
	free(exclude);
	return status;
}
