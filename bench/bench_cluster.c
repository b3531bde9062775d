/*
 * bench_cluster.c — clustering of unattributed incidents at scale: ssdeep
 * families among many unrelated files, with decoys everybody shares.
 *
 * N incidents, each holding one file (8 KiB of pseudo-random bytes, so that
 * unrelated files really are unrelated) and, as decoys, Mimikatz, Cobalt
 * Strike and the techniques every group uses. F families of K incidents hold
 * builds of one file (a few bytes patched each): those are the new groups
 * to find. Prints the clusters found against the families (every family
 * whole, nothing else), the pair comparisons made against the N(N-1)/2 of
 * all-against-all, and the time of both on the same hashes (all-pairs timed
 * on the first M and scaled by the pair count).
 *
 * usage: bench_cluster [N [F [K [M]]]] (defaults 20000 200 3 3000); the
 * bundled knowledge base tells which software and techniques are common.
 */
#include <fuzzy.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include "attribute/attribute.h"
#include "core/error.h"
#include "intel/intel.h"

static void fill(unsigned char *p, size_t n, uint64_t seed)
{
	uint64_t x = (seed ^ 0x2545f4914f6cdd1dull) * 0xbf58476d1ce4e5b9ull;
	x ^= x >> 29;
	x *= 0x94d049bb133111ebull;
	for (size_t i = 0; i < n; i++) {
		uint64_t z = (x += 0x9e3779b97f4a7c15ull);
		z = (z ^ (z >> 30)) * 0xbf58476d1ce4e5b9ull;
		z = (z ^ (z >> 27)) * 0x94d049bb133111ebull;
		p[i] = (unsigned char)(z ^ (z >> 31));
	}
}

static double now(void)
{
	struct timespec ts;
	clock_gettime(CLOCK_PROCESS_CPUTIME_ID, &ts);
	return (double)ts.tv_sec + (double)ts.tv_nsec / 1e9;
}

int main(int argc, char **argv)
{
	size_t n = argc > 1 ? strtoul(argv[1], NULL, 10) : 20000;
	size_t fam = argc > 2 ? strtoul(argv[2], NULL, 10) : 200;
	size_t k = argc > 3 ? strtoul(argv[3], NULL, 10) : 3;
	size_t m = argc > 4 ? strtoul(argv[4], NULL, 10) : 3000;
	if (fam * k > n || m > n || k < 2) {
		fprintf(stderr,
			"usage: bench_cluster [N [F [K [M]]]] with F·K ≤ N, M ≤ N, K ≥ 2\n");
		return 2;
	}
	struct kb *kb = NULL;
	if (kb_load_default(&kb, NULL) || !kb) {
		fprintf(stderr, "bench_cluster: no bundled knowledge base (APTSCOPE_DATA)\n");
		return 1;
	}
	enum { SZ = 8192 };
	unsigned char *buf = malloc(SZ);
	char(*h)[FUZZY_MAX_RESULT] = calloc(n, sizeof *h);
	struct attr_clusterer *c;
	if (!buf || !h || attr_clusterer_new(&c))
		return 1;
	static const char *const common[] = {"T1059.001", "T1105",     "T1566.001",
					     "T1204.002", "T1053.005", "T1003.001"};
	for (size_t i = 0; i < n; i++) {
		/* incident i < F·K is member i % K of family i / K */
		if (i < fam * k) {
			fill(buf, SZ, 1000000 + i / k);
			for (size_t j = 0; j < 3; j++)
				buf[(j * 2654435761u + i * 40503u) % SZ] ^=
				    (unsigned char)(1 + i % k);
		} else {
			fill(buf, SZ, i);
		}
		if (fuzzy_hash_buf(buf, SZ, h[i]))
			return 1;
		struct observations *o;
		char id[32], org[32];
		if (observations_new(&o))
			return 1;
		observations_add(o, ATTR_OBS_FUZZY, slice_cstr(h[i]));
		observations_add(o, ATTR_OBS_SOFTWARE, SLICE_LIT("Mimikatz"));
		observations_add(o, ATTR_OBS_SOFTWARE, SLICE_LIT("Cobalt Strike"));
		for (size_t t = 0; t < sizeof common / sizeof *common; t++)
			observations_add(o, ATTR_OBS_TECHNIQUE, slice_cstr(common[t]));
		snprintf(id, sizeof id, "inc-%zu", i);
		snprintf(org, sizeof org, "org-%zu", i % 97);
		if (attr_cluster_add(c, id, org, 1735689600000000ll + (int64_t)i * 1000000,
				     1735689600000000ll + (int64_t)i * 1000000, o))
			return 1;
		observations_free(o);
	}
	double t0 = now();
	const struct attr_cluster *cl;
	size_t ncl;
	if (attr_cluster_run(c, kb, &cl, &ncl))
		return 1;
	double t_ours = now() - t0;
	struct attr_cluster_stats st;
	attr_clusterer_stats(c, &st);
	/* families whole and pure */
	size_t whole = 0, impure = 0;
	for (size_t f = 0; f < fam; f++) {
		char id[32];
		snprintf(id, sizeof id, "inc-%zu", f * k);
		const struct attr_cluster *x = attr_cluster_of(c, id);
		bool ok = x && x->nincidents == k;
		for (size_t j = 1; ok && j < k; j++) {
			snprintf(id, sizeof id, "inc-%zu", f * k + j);
			ok = attr_cluster_of(c, id) == x;
		}
		whole += ok;
	}
	for (size_t i = 0; i < ncl; i++)
		impure += cl[i].nincidents != k;
	/* all pairs of the first m, timed */
	t0 = now();
	size_t hits = 0;
	for (size_t i = 0; i < m; i++)
		for (size_t j = i + 1; j < m; j++)
			hits += fuzzy_compare(h[i], h[j]) >= ATTR_SSDEEP_MATCH;
	double t_m = now() - t0;
	double pairs_m = (double)m * (double)(m - 1) / 2, pairs_n = (double)n * (double)(n - 1) / 2;
	double t_all = t_m * pairs_n / pairs_m;
	printf("incidents %zu, families %zu of %zu, clusters %zu (families whole %zu, other "
	       "clusters %zu)\n",
	       n, fam, k, ncl, whole, impure);
	printf("pair comparisons %llu of %.0f all-pairs (%.5f %%); skipped runs %llu, pairs over "
	       "budget %llu\n",
	       (unsigned long long)st.compared, pairs_n, 100.0 * (double)st.compared / pairs_n,
	       (unsigned long long)st.buckets_skipped, (unsigned long long)st.pairs_skipped);
	printf("clustering %.3f s CPU; all-pairs ssdeep alone %.3f s for %zu (%zu matches), "
	       "%.1f s scaled to %zu: %.0f x\n",
	       t_ours, t_m, m, hits, t_all, n, t_all / (t_ours > 0 ? t_ours : 1e-9));
	attr_clusterer_free(c);
	kb_free(kb);
	free(h);
	free(buf);
	return whole == fam && impure == 0 ? 0 : 1;
}
