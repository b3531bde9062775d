/*
 * cmd_scan.c — `aptscope scan`: YARA rules, hash indicators and the
 * supply-chain manifest over files, folders and the archives in them.
 *
 * Builds the shared engines once (compiled YARA rules with their metadata
 * resolved against the knowledge base, the indicator set, the manifest), hands
 * them to yara_scan_run, and prints each alert as it comes out in file order:
 * a JSON line (alert_to_json) or a table row. Rule files that do not compile
 * are listed on stderr with their reason; the scan goes on with the rest.
 */
#include <getopt.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "cmd.h"
#include "core/buf.h"
#include "core/error.h"
#include "detect/ioc/ioc.h"
#include "detect/supply/supply.h"
#include "detect/yara/yara_engine.h"
#include "intel/intel.h"

#define SCAN_MAX_INPUTS 256

static void help(FILE *out)
{
	fprintf(
	    out,
	    "usage: aptscope scan [--yara DIR|F]… [--ioc F]… [--manifest F]… [--json]\n"
	    "                     [--threads N] PATH…\n\n"
	    "Scans the regular files under PATH and the members of zip/7z/tar archives in them\n"
	    "with YARA rules, against hash indicators (MD5/SHA-1/SHA-256) and the supply-chain\n"
	    "manifest, and prints one alert per finding.\n\n"
	    "  --yara P        YARA rules: a file or a folder of *.yar/*.yara; repeatable\n"
	    "  --ioc F         indicator file (hashes are matched); repeatable\n"
	    "  --manifest F    trusted-software manifest (CSV or YAML); repeatable\n"
	    "  --kb F          knowledge base file for rule metadata (default: bundled)\n"
	    "  --no-kb         do not resolve rule metadata against a knowledge base\n"
	    "  --json          JSON lines, one alert each (default: a table)\n"
	    "  --threads N     worker threads (default: one per core)\n"
	    "  --timeout S     seconds of YARA scanning per file (default %d)\n"
	    "  --max-size N    bytes of one file or archive member (default %llu)\n"
	    "  --fuzzy         add the ssdeep hash of reported executables and documents\n",
	    AS_YARA_TIMEOUT_S, (unsigned long long)AS_MAX_SCAN_FILE);
}

struct printer {
	bool json;
	struct buf b;
	uint64_t n;
};

static void on_alert(void *ctx, struct alert *a)
{
	struct printer *p = ctx;
	buf_reset(&p->b);
	if (p->json) {
		alert_to_json(a, &p->b);
		buf_putc(&p->b, '\n');
	} else {
		const char *file = a->source ? a->source->path : "-";
		const char *ind = a->nindicators ? a->indicators[0].value : "";
		buf_printf(&p->b, "%-8s %-8s %-40s %s %s\n", a->detector,
			   alert_level_name(a->level), a->rule_id ? a->rule_id : "-", file, ind);
	}
	fwrite(p->b.data, 1, p->b.len, stdout);
	p->n++;
	alert_free(a);
}

int cmd_scan(int argc, char **argv)
{
	enum {
		O_YARA = 1000,
		O_IOC,
		O_MANIFEST,
		O_KB,
		O_NOKB,
		O_JSON,
		O_THREADS,
		O_TIMEOUT,
		O_MAXSIZE,
		O_FUZZY,
		O_HELP
	};
	static const struct option opts[] = {
	    {"yara", required_argument, 0, O_YARA},
	    {"ioc", required_argument, 0, O_IOC},
	    {"manifest", required_argument, 0, O_MANIFEST},
	    {"kb", required_argument, 0, O_KB},
	    {"no-kb", no_argument, 0, O_NOKB},
	    {"json", no_argument, 0, O_JSON},
	    {"threads", required_argument, 0, O_THREADS},
	    {"timeout", required_argument, 0, O_TIMEOUT},
	    {"max-size", required_argument, 0, O_MAXSIZE},
	    {"fuzzy", no_argument, 0, O_FUZZY},
	    {"help", no_argument, 0, O_HELP},
	    {0, 0, 0, 0},
	};
	const char *yara[SCAN_MAX_INPUTS], *ioc[SCAN_MAX_INPUTS], *man[SCAN_MAX_INPUTS];
	size_t nyara = 0, nioc = 0, nman = 0;
	const char *kbfile = NULL;
	bool no_kb = false;
	struct printer pr = {0};
	struct yara_scan_config cfg = {0};
	int c;
	optind = 1;
	while ((c = getopt_long(argc, argv, "h", opts, NULL)) != -1) {
		switch (c) {
		case O_YARA:
		case O_IOC:
		case O_MANIFEST: {
			const char **list = c == O_YARA ? yara : c == O_IOC ? ioc : man;
			size_t *n = c == O_YARA ? &nyara : c == O_IOC ? &nioc : &nman;
			if (*n >= SCAN_MAX_INPUTS) {
				fprintf(stderr, "aptscope scan: too many inputs\n");
				return EXIT_USAGE;
			}
			list[(*n)++] = optarg;
			break;
		}
		case O_KB:
			kbfile = optarg;
			break;
		case O_NOKB:
			no_kb = true;
			break;
		case O_JSON:
			pr.json = true;
			break;
		case O_THREADS:
			cfg.threads = atoi(optarg);
			break;
		case O_TIMEOUT:
			cfg.timeout_s = atoi(optarg);
			break;
		case O_MAXSIZE:
			cfg.files.max_size = strtoull(optarg, NULL, 10);
			break;
		case O_FUZZY:
			cfg.fuzzy = true;
			break;
		case 'h':
		case O_HELP:
			help(stdout);
			return EXIT_OK;
		default:
			help(stderr);
			return EXIT_USAGE;
		}
	}
	if (optind >= argc || (!nyara && !nioc && !nman)) {
		help(stderr);
		return EXIT_USAGE;
	}
	struct diag_sink diags;
	diag_sink_init(&diags, stderr);
	int status = EXIT_OK, rc = 0;
	struct kb *kb = NULL;
	struct yara_rules *rules = NULL;
	struct detector dets[2];
	size_t ndets = 0;
	if (nyara && !no_kb) {
		rc = kbfile ? kb_load_files(&kb, &kbfile, 1, &diags) : kb_load_default(&kb, NULL);
		if (rc) {
			if (kbfile)
				fprintf(stderr, "aptscope scan: %s: %s\n", kbfile, as_strerror(rc));
			kb = NULL; /* metadata as written, without the knowledge base */
		}
	}
	if (nyara) {
		struct yara_load_report rep = {0};
		if ((rc = yara_rules_new(&rules)))
			goto fail;
		for (size_t i = 0; i < nyara; i++)
			yara_rules_add(rules, yara[i], &rep);
		rc = yara_rules_compile(rules, kb, &rep);
		for (size_t i = 0; i < rep.nerrors; i++)
			fprintf(stderr, "aptscope: %s:%d: rule file not loaded: %s\n",
				rep.errors[i].file, rep.errors[i].line, rep.errors[i].reason);
		fprintf(stderr, "aptscope: YARA: %zu rules from %zu of %zu files\n", rep.rules,
			rep.files - rep.files_failed, rep.files);
		yara_load_report_free(&rep);
		if (rc)
			goto fail;
	}
	if (nioc) {
		struct ioc_set *set;
		if ((rc = ioc_set_new(&set)))
			goto fail;
		for (size_t i = 0; i < nioc; i++)
			if ((rc = ioc_set_load(set, ioc[i], &diags, NULL))) {
				fprintf(stderr, "aptscope scan: %s: %s\n", ioc[i], as_strerror(rc));
				ioc_set_free(set);
				goto fail;
			}
		if ((rc = ioc_set_finish(set, &diags)) ||
		    (rc = ioc_detector_init(&dets[ndets], set))) {
			ioc_set_free(set);
			goto fail;
		}
		ndets++;
	}
	if (nman) {
		struct supply_manifest *m;
		if ((rc = supply_manifest_new(&m)))
			goto fail;
		for (size_t i = 0; i < nman; i++)
			if ((rc = supply_manifest_load(m, man[i], &diags, NULL))) {
				fprintf(stderr, "aptscope scan: %s: %s\n", man[i], as_strerror(rc));
				supply_manifest_free(m);
				goto fail;
			}
		if ((rc = supply_detector_init(&dets[ndets], m))) {
			supply_manifest_free(m);
			goto fail;
		}
		ndets++;
	}
	cfg.paths = argv + optind;
	cfg.npaths = (size_t)(argc - optind);
	cfg.rules = rules;
	cfg.detectors = dets;
	cfg.ndetectors = ndets;
	cfg.on_alert = on_alert;
	cfg.on_alert_ctx = &pr;
	cfg.diags = &diags;
	struct yara_scan_result res;
	rc = yara_scan_run(&cfg, &res);
	fflush(stdout);
	fprintf(stderr,
		"aptscope: scanned %llu files, %llu archive members, %llu skipped; %llu alerts%s\n",
		(unsigned long long)res.files.files, (unsigned long long)res.files.members,
		(unsigned long long)res.files.skipped, (unsigned long long)pr.n,
		res.timeouts ? " (some scans timed out)" : "");
	yara_scan_result_free(&res);
	if (rc)
		goto fail;
	goto out;
fail:
	fprintf(stderr, "aptscope scan: %s\n", as_strerror(rc));
	status = EXIT_ERR;
out:
	for (size_t i = 0; i < ndets; i++)
		dets[i].shared_free(dets[i].shared);
	yara_rules_free(rules);
	kb_free(kb);
	buf_free(&pr.b);
	diag_sink_fini(&diags);
	return status;
}
