/*
 * fuzz_observations.c — parsing observations (the JSON contract, MISP events,
 * STIX bundles) and attributing them, on arbitrary bytes.
 *
 * A tiny fixed knowledge base is built once; every input is parsed (or
 * rejected with a reason), then attributed, clustered with itself and
 * written as JSON, which must never crash, leak or produce an out-of-range
 * confidence.
 */
#include <stddef.h>
#include <stdint.h>
#include <string.h>

#include "attribute/attribute.h"
#include "intel/intel.h"

static const char kb_json[] =
    "{\"type\":\"bundle\",\"id\":\"bundle--00000000-0000-4000-8000-000000000000\",\"objects\":["
    "{\"type\":\"attack-pattern\",\"id\":\"attack-pattern--00000000-0000-4000-8000-000000000001\","
    "\"name\":\"PowerShell\",\"external_references\":[{\"source_name\":\"mitre-attack\","
    "\"external_id\":\"T1059.001\"}]},"
    "{\"type\":\"tool\",\"id\":\"tool--00000000-0000-4000-8000-000000000013\",\"name\":\"Cobalt "
    "Strike\"},"
    "{\"type\":\"intrusion-set\",\"id\":\"intrusion-set--00000000-0000-4000-8000-000000000021\","
    "\"name\":\"APT32\",\"aliases\":[\"OceanLotus\"]},"
    "{\"type\":\"relationship\",\"id\":\"relationship--00000000-0000-4000-8000-000000000101\","
    "\"relationship_type\":\"uses\",\"source_ref\":\"intrusion-set--00000000-0000-4000-8000-"
    "000000000021\",\"target_ref\":\"tool--00000000-0000-4000-8000-000000000013\"},"
    "{\"type\":\"relationship\",\"id\":\"relationship--00000000-0000-4000-8000-000000000102\","
    "\"relationship_type\":\"uses\",\"source_ref\":\"intrusion-set--00000000-0000-4000-8000-"
    "000000000021\",\"target_ref\":\"attack-pattern--00000000-0000-4000-8000-000000000001\"}]}";

static struct kb *kb;
static struct attr_model *model;

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	if (!kb) {
		if (kb_new(&kb) ||
		    kb_import_mem(kb, "kb", kb_json, sizeof kb_json - 1, NULL, NULL) ||
		    attr_model_build(&model, kb))
			__builtin_trap();
	}
	struct observations *o;
	if (observations_new(&o))
		return 0;
	observations_parse(o, "fuzz", (const char *)data, size, NULL);
	struct attr_result r;
	const char *ex[] = {"OceanLotus"};
	struct attr_options opt = {.exclude = ex, .nexclude = size & 1, .top = 3};
	if (!attribute_observations(model, o, &opt, &r)) {
		for (size_t i = 0; i < r.n; i++)
			if (!(r.cand[i].confidence >= 0 && r.cand[i].confidence <= 1))
				__builtin_trap();
		struct buf b = BUF_INIT;
		attr_result_to_json(&r, &b);
		buf_free(&b);
		attr_result_free(&r);
	}
	struct attr_clusterer *c;
	if (!attr_clusterer_new(&c)) {
		const struct attr_cluster *cl;
		size_t n;
		attr_cluster_add(c, "a", "a", 0, 0, o);
		attr_cluster_add(c, "b", "b", 0, 0, o);
		/* the same bytes as a stored cluster of an earlier run */
		attr_cluster_add_known(c, (const char *)data, size);
		if (!attr_cluster_run(c, attr_model_kb(model), &cl, &n) && n) {
			struct buf b = BUF_INIT;
			attr_cluster_to_json(&cl[0], &b);
			buf_free(&b);
		}
		attr_clusterer_free(c);
	}
	observations_free(o);
	return 0;
}
