/*
 * fuzz_manifest.c — the trusted-software manifest (CSV or YAML, detected from
 * content) and a vendor's published hash list, on arbitrary bytes: they must
 * load what they can and report the rest, never crash. A successful load is
 * then turned into the supply-chain detector and freed, so the manifest's
 * compiled form is exercised too.
 */
#include <stddef.h>
#include <stdint.h>

#include "detect/detector.h"
#include "detect/supply/supply.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	struct supply_manifest *m;
	if (supply_manifest_new(&m))
		return 0;
	struct supply_load_stats st = {0};
	int rc = supply_manifest_load_mem(m, "fuzz.manifest", (const char *)data, size, NULL, &st);
	supply_manifest_import_hashes(m, "Fuzz Vendor", "Fuzz Product", "1.0", "fuzz.sha256",
				      (const char *)data, size, NULL, &st);
	if (rc == 0) {
		struct detector d = {0};
		if (supply_detector_init(&d, m) == 0) {
			d.shared_free(d.shared);
			return 0;
		}
	}
	supply_manifest_free(m);
	return 0;
}
