/*
 * fuzz_sigma_rule.c — Sigma rule loading, compiling and matching on hostile YAML.
 *
 * The input is one rule file (any number of YAML documents). It is loaded and
 * compiled, then the compiled set is run on two fixed events, so the
 * condition parser, every modifier and the matchers all see fuzzed input.
 */
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include "detect/sigma/sigma.h"
#include "event/fieldname.h"

static int drop(struct alert_sink *s, struct alert *a)
{
	alert_free(a);
	return 0;
}

static void add(struct event *ev, struct arena *a, const char *k, const char *v)
{
	event_field_add(ev, a, fieldname_intern(slice_cstr(k)), FT_STRING, slice_cstr(v));
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	/* every input is a rule set of its own: compiled databases are not
	 * kept on disk (docs/sigma.md), which would fill the cache folder */
	setenv("APTSCOPE_CACHE_DIR", "off", 1);
	struct sigma_ruleset *rs;
	struct sigma_load_report rep = {0};
	if (sigma_ruleset_new(&rs))
		return 0;
	sigma_ruleset_load_text(rs, "fuzz.yml", (const char *)data, size, &rep);
	sigma_load_report_free(&rep);
	if (sigma_ruleset_compile(rs, NULL)) {
		sigma_ruleset_free(rs);
		return 0;
	}
	struct detector d;
	void *w;
	if (sigma_detector_init(&d, rs)) {
		sigma_ruleset_free(rs);
		return 0;
	}
	if (d.worker_new(&d, &w)) {
		d.shared_free(d.shared);
		return 0;
	}
	struct arena a;
	arena_init(&a, 0);
	struct source src = {.path = "f.evtx", .format = "evtx"};
	struct event ev[2];
	for (int i = 0; i < 2; i++) {
		event_clear(&ev[i]);
		ev[i].source = &src;
		ev[i].time = 1700000000000000 + i * 1000000;
		add(&ev[i], &a, "Channel", i ? "Security" : "Microsoft-Windows-Sysmon/Operational");
		add(&ev[i], &a, "EventID", i ? "4688" : "1");
		add(&ev[i], &a, "Image", "C:\\Windows\\System32\\cmd.exe");
		add(&ev[i], &a, "CommandLine", "cmd.exe /c whoami -all & powershell -enc SQBFAFgA");
		add(&ev[i], &a, "User", "CORP\\adm_bob");
		add(&ev[i], &a, "DestinationIp", "10.1.2.3");
	}
	struct alert_sink sink = {drop};
	d.scan(w, ev, 2, &sink);
	d.flush(w, &sink);
	d.worker_free(w);
	d.shared_free(d.shared);
	arena_free(&a);
	return 0;
}
