/*
 * fuzz_behavior_conf.c — behavior.conf parsing on arbitrary bytes, then the
 * detector built from whatever was accepted.
 *
 * The text is copied to a buffer of exactly its size (no terminating NUL)
 * so a read past its end is caught. Every accepted value must lie within
 * its documented range, which the detector then relies on: a few events
 * are run through a detector made from the parsed config.
 */
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include "core/error.h"
#include "detect/behavior/behavior.h"

static int drop(struct alert_sink *s, struct alert *a)
{
	(void)s;
	alert_free(a);
	return 0;
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	char *text = malloc(size ? size : 1);
	if (!text)
		return 0;
	memcpy(text, data, size);
	struct behavior_config c;
	behavior_config_default(&c);
	unsigned nbad = 0;
	int rc = behavior_config_parse(&c, text, size, "fuzz", NULL, &nbad);
	free(text);
	if (rc)
		return 0;
#define X(s, n, t, def, lo, hi, doc)                                                               \
	if ((double)c.s##_##n < (double)(lo) || (double)c.s##_##n > (double)(hi))                  \
		abort();
	BEHAVIOR_CONF_LIST(X)
#undef X
	struct detector d;
	if (behavior_detector_init_config(&d, &c, NULL, NULL))
		return 0;
	void *w = NULL;
	if (d.worker_new(&d, &w) == 0) {
		struct event ev[64];
		for (int i = 0; i < 64; i++) {
			event_clear(&ev[i]);
			ev[i].time = 1740787200000000LL + (int64_t)i * 1000000 * (size % 97 + 1);
			ev[i].kind = (uint8_t)(i % 2 ? EK_AUTH : EK_NETWORK);
			ev[i].outcome = OUTCOME_FAILURE;
			ip_parse(slice_cstr(i % 3 ? "45.155.205.233" : "10.0.0.1"), &ev[i].src_ip);
			ip_parse(slice_cstr("93.184.216.34"), &ev[i].dst_ip);
			ev[i].str[ES_USER] = SLICE_LIT("root");
		}
		struct alert_sink sink = {drop};
		d.scan(w, ev, 64, &sink);
		d.flush(w, &sink);
		d.worker_free(w);
	}
	d.shared_free(d.shared);
	return 0;
}
