/*
 * truth.c — the whole pipeline scored against the simulator's truth.
 *
 * Runs `aptscope simulate` (a year, a dozen organisations), `aptscope hunt`
 * over it into a fresh database, and compares the stored incidents with
 * DIR/truth.jsonl, one simulated attack per line:
 *
 *   detection recall   a simulated attack is found when an incident of the
 *                      same organisation overlaps its time span (± 1 day)
 *   attribution        a found attack of a known group counts as right when
 *                      one of those incidents names that group first (verdict
 *                      attributed or suspected); a new group's attack, when
 *                      one of them is a "new-cluster"
 *   sector shares      the share of incidents per victim sector against the
 *                      share of simulated attacks per sector
 *
 * Tolerances (stated in docs/simulate.md): recall ≥ 0.90, attribution
 * ≥ 0.60, every sector share within 0.15 of the truth's. The figures are
 * printed whatever the outcome.
 *
 * Usage: test_e2e_truth APTSCOPE_BINARY
 */
#include <jansson.h>
#include <sqlite3.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/wait.h>
#include <unistd.h>

#include "core/slice.h"
#include "core/timeparse.h"
#include "intel/intel.h"

#define DAY (86400ll * 1000000)

struct inc {
	char org[128], sector[64], verdict[32], group[128];
	int64_t first, last;
};

static int run(char *const argv[], const char *out)
{
	pid_t pid = fork();
	if (pid == 0) {
		if (out && !freopen(out, "w", stdout))
			_exit(127);
		if (!freopen("/dev/null", "w", stderr))
			_exit(127);
		execv(argv[0], argv);
		_exit(127);
	}
	int st = 0;
	waitpid(pid, &st, 0);
	return WIFEXITED(st) ? WEXITSTATUS(st) : 128;
}

static int64_t when(const char *s)
{
	int64_t t;
	return s && time_parse_rfc3339(slice_cstr(s), &t) == 0 ? t : AS_TIME_NONE;
}

/* Canonical group name through the knowledge base (aliases resolve). */
static const char *canon(const struct kb *kb, const char *name)
{
	const struct kb_group *g = name ? kb_group_find(kb, slice_cstr(name)) : NULL;
	return g ? g->name : name;
}

static const char *sector_id(const char *text)
{
	const char *ids[4];
	return intel_sector_map(slice_cstr(text), ids, 4) ? ids[0] : text;
}

int main(int argc, char **argv)
{
	if (argc != 2) {
		fprintf(stderr, "usage: test_e2e_truth APTSCOPE\n");
		return 2;
	}
	char dir[] = "/tmp/aptscope-e2e-XXXXXX";
	if (!mkdtemp(dir))
		return 2;
	char sim[64], db[64], assets[128], ioc[128], out[64], cmd[128];
	snprintf(sim, sizeof sim, "%s/sim", dir);
	snprintf(db, sizeof db, "%s/a.db", dir);
	snprintf(assets, sizeof assets, "%s/assets.csv", sim);
	snprintf(ioc, sizeof ioc, "%s/intel/indicators.csv", sim);
	snprintf(out, sizeof out, "%s/hunt.txt", dir);
	char *simulate[] = {argv[1], "simulate",   "--seed", "99", "--from", "2021-07-01",
			    "--to",  "2022-06-30", "-o",     sim,  NULL};
	if (run(simulate, NULL)) {
		fprintf(stderr, "simulate failed\n");
		return 1;
	}
	/* The org folders only: truth.jsonl and the CSVs are not telemetry. */
	char *hunt[64] = {argv[1],    "hunt", "--db",  db, "--no-progress",
			  "--assets", assets, "--ioc", ioc};
	int h = 9;
	static char orgs[40][96];
	for (int i = 1; i <= 30 && h < 60; i++) {
		snprintf(orgs[i], sizeof orgs[i], "%s/org-%02d", sim, i);
		if (access(orgs[i], F_OK) == 0)
			hunt[h++] = orgs[i];
	}
	hunt[h] = NULL;
	if (run(hunt, out)) {
		fprintf(stderr, "hunt failed\n");
		return 1;
	}
	struct kb *kb = NULL;
	if (kb_load_default(&kb, NULL) || !kb) {
		fprintf(stderr, "no knowledge base\n");
		return 1;
	}
	/* Incidents from the store. */
	sqlite3 *sq;
	sqlite3_stmt *st;
	if (sqlite3_open(db, &sq) ||
	    sqlite3_prepare_v2(sq, "SELECT json FROM incidents", -1, &st, NULL)) {
		fprintf(stderr, "%s: no incidents table\n", db);
		return 1;
	}
	struct inc *incs = NULL;
	size_t ninc = 0;
	while (sqlite3_step(st) == SQLITE_ROW) {
		json_t *j = json_loads((const char *)sqlite3_column_text(st, 0), 0, NULL);
		if (!j)
			continue;
		incs = realloc(incs, (ninc + 1) * sizeof *incs);
		struct inc *c = &incs[ninc++];
		memset(c, 0, sizeof *c);
		json_t *v = json_object_get(j, "victim");
		snprintf(c->org, sizeof c->org, "%s",
			 json_string_value(json_object_get(v, "org")) ?: "unknown");
		snprintf(c->sector, sizeof c->sector, "%s",
			 json_string_value(json_object_get(v, "sector")) ?: "unknown");
		c->first = when(json_string_value(json_object_get(j, "first_seen")));
		c->last = when(json_string_value(json_object_get(j, "last_seen")));
		json_t *a = json_object_get(j, "attribution");
		snprintf(c->verdict, sizeof c->verdict, "%s",
			 json_string_value(json_object_get(a, "verdict")) ?: "unattributed");
		json_t *c0 = json_array_get(json_object_get(a, "candidates"), 0);
		snprintf(c->group, sizeof c->group, "%s",
			 json_string_value(json_object_get(c0, "group")) ?: "");
		json_decref(j);
	}
	sqlite3_finalize(st);
	sqlite3_close(sq);

	/* The truth, attack by attack. */
	char truth_path[128];
	snprintf(truth_path, sizeof truth_path, "%s/truth.jsonl", sim);
	FILE *tf = fopen(truth_path, "r");
	if (!tf) {
		fprintf(stderr, "%s: missing\n", truth_path);
		return 1;
	}
	char line[65536];
	int attacks = 0, found = 0, known = 0, right = 0;
	char sectors[32][64];
	int truth_n[32] = {0}, nsec = 0;
	while (fgets(line, sizeof line, tf)) {
		json_t *t = json_loads(line, 0, NULL);
		if (!t)
			continue;
		attacks++;
		const char *org = json_string_value(json_object_get(t, "org"));
		const char *group = json_string_value(json_object_get(t, "group"));
		const char *sec = sector_id(json_string_value(json_object_get(t, "sector")) ?: "");
		bool new_group = json_is_true(json_object_get(t, "new_group"));
		int64_t f = when(json_string_value(json_object_get(t, "first_seen")));
		int64_t l = when(json_string_value(json_object_get(t, "last_seen")));
		int k;
		for (k = 0; k < nsec && strcmp(sectors[k], sec); k++)
			;
		if (k == nsec && nsec < 32)
			snprintf(sectors[nsec++], sizeof sectors[0], "%s", sec);
		if (k < 32)
			truth_n[k]++;
		bool hit = false, named = false;
		for (size_t i = 0; i < ninc; i++) {
			struct inc *c = &incs[i];
			if (!org || strcmp(c->org, org) || c->first > l + DAY || c->last < f - DAY)
				continue;
			hit = true;
			if (new_group && !strcmp(c->verdict, "new-cluster"))
				named = true;
			if (!new_group && group && c->group[0] &&
			    (!strcmp(c->verdict, "attributed") ||
			     !strcmp(c->verdict, "suspected")) &&
			    !strcmp(canon(kb, c->group), canon(kb, group)))
				named = true;
		}
		found += hit;
		if (hit && (group || new_group)) {
			known++;
			right += named;
		}
		json_decref(t);
	}
	fclose(tf);
	int inc_n[32] = {0}, counted = 0;
	for (size_t i = 0; i < ninc; i++)
		for (int k = 0; k < nsec; k++)
			if (!strcmp(incs[i].sector, sectors[k])) {
				inc_n[k]++;
				counted++;
				break;
			}
	double recall = attacks ? (double)found / attacks : 0;
	double attribution = known ? (double)right / known : 0;
	printf("simulated attacks %d, found %d: recall %.2f (tolerance ≥ 0.90)\n", attacks, found,
	       recall);
	printf("attacks of known or new groups found %d, named right %d: %.2f (tolerance ≥ 0.60)\n",
	       known, right, attribution);
	printf("%-16s %8s %8s\n", "sector", "truth", "incidents");
	double worst = 0;
	for (int k = 0; k < nsec; k++) {
		double a = (double)truth_n[k] / attacks,
		       b = counted ? (double)inc_n[k] / counted : 0;
		double d = a > b ? a - b : b - a;
		if (d > worst)
			worst = d;
		printf("%-16s %7.1f%% %7.1f%%\n", sectors[k], 100 * a, 100 * b);
	}
	printf("largest sector share difference %.2f (tolerance ≤ 0.15)\n", worst);
	kb_free(kb);
	free(incs);
	snprintf(cmd, sizeof cmd, "rm -rf %s", dir);
	if (system(cmd))
		fprintf(stderr, "could not remove %s\n", dir);
	return recall >= 0.90 && attribution >= 0.60 && worst <= 0.15 ? 0 : 1;
}
