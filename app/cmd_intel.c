/*
 * cmd_intel.c — `aptscope intel`: the threat-intel knowledge base.
 *
 *   intel import F…        add STIX, MISP, NVD, KEV or exported files to the store's kb
 *   intel stats            counts
 *   intel show NAME        one group by any alias, G-id or APT-C number (--json)
 *   intel search TEXT      groups, software and techniques whose names contain TEXT
 *   intel conflicts        every disagreement between the sources, both sides
 *   intel export [-o F]    the kb as JSON lines (the bundled default's format)
 *
 * The kb comes from the store (--db, default ./aptscope.db; seeded from the
 * bundled default on first use) or, with --kb F (repeatable), from files only.
 * After an import the store's new-group clusters (UNK-YYYY-NNN) are checked
 * against the grown kb: a cluster holding a group's own indicators, hashes
 * or exclusive software is linked to it, and so are its stored incidents.
 */
#include <getopt.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "cmd.h"
#include "core/buf.h"
#include "core/error.h"
#include "core/json.h"
#include "core/timeparse.h"
#include "attribute/attribute.h"
#include "intel/intel.h"
#include "store/cluster_store.h"
#include "store/store.h"

static void help(FILE *out)
{
	fprintf(out, "usage: aptscope intel [--db F | --kb F…] [--json] [-o F] COMMAND [ARG…]\n\n"
		     "commands:\n"
		     "  import F…      import STIX 2.x bundles, MISP galaxies/events, NVD CVE 2.0\n"
		     "                 feeds, CISA KEV (JSON/CSV) or an export into the store\n"
		     "  stats          what the knowledge base holds\n"
		     "  show NAME      a group by name, alias, ATT&CK G-id or APT-C number\n"
		     "  search TEXT    groups, software and techniques matching TEXT\n"
		     "  conflicts      disagreements between sources, both sides\n"
		     "  export         the knowledge base as JSON lines\n\n"
		     "options:\n"
		     "  --db F         store (default ./aptscope.db)\n"
		     "  --kb F         use these files as the whole knowledge (repeatable)\n"
		     "  --json         JSON output (show, search, conflicts, stats)\n"
		     "  -o F           output file (export)\n");
}

static void print_list(const char *label, const struct kb_strv *v, size_t max)
{
	if (!v->n)
		return;
	printf("  %-11s", label);
	for (uint32_t i = 0; i < v->n && i < max; i++)
		printf("%s%s", i ? ", " : "", v->v[i]);
	if (v->n > max)
		printf(", … (%u in all)", v->n);
	printf("\n");
}

static void json_list(struct jw *w, const char *key, const struct kb_strv *v)
{
	jw_key(w, key);
	jw_arr(w);
	for (uint32_t i = 0; i < v->n; i++)
		jw_cstr(w, v->v[i]);
	jw_arr_end(w);
}

static void group_json(struct jw *w, const struct kb *kb, const struct kb_group *g)
{
	char t[AS_TIME_STRLEN];
	jw_obj(w);
	jw_kcstr(w, "name", g->name);
	jw_kcstr(w, "id", g->attack_id);
	json_list(w, "aliases", &g->aliases);
	jw_kcstr(w, "country", g->country[0] ? g->country : NULL);
	jw_kcstr(w, "country_name", g->country[0] ? intel_country_name(g->country) : NULL);
	jw_kcstr(w, "region", g->region);
	jw_kcstr(w, "sponsor", g->sponsor);
	jw_kcstr(w, "first_seen",
		 g->first_seen != AS_TIME_NONE ? time_format(g->first_seen, t) : NULL);
	jw_kcstr(w, "last_seen",
		 g->last_seen != AS_TIME_NONE ? time_format(g->last_seen, t) : NULL);
	json_list(w, "sectors", &g->sectors);
	json_list(w, "victims", &g->victims);
	jw_key(w, "techniques");
	jw_arr(w);
	for (uint32_t i = 0; i < g->techniques.n; i++) {
		const struct kb_technique *te =
		    kb_technique_find(kb, slice_cstr(g->techniques.v[i]));
		jw_obj(w);
		jw_kcstr(w, "id", g->techniques.v[i]);
		jw_kcstr(w, "name", te ? te->name : NULL);
		jw_obj_end(w);
	}
	jw_arr_end(w);
	json_list(w, "software", &g->software);
	json_list(w, "campaigns", &g->campaigns);
	json_list(w, "indicators", &g->indicators);
	json_list(w, "sources", &g->sources);
	json_list(w, "refs", &g->refs);
	jw_obj_end(w);
}

static void group_text(const struct kb *kb, const struct kb_group *g)
{
	char t1[AS_TIME_STRLEN], t2[AS_TIME_STRLEN];
	printf("%s", g->name);
	if (g->attack_id)
		printf(" (%s)", g->attack_id);
	printf("\n");
	if (g->country[0])
		printf("  %-11s%s %s / %s\n", "origin", g->country, intel_country_name(g->country),
		       g->region ? g->region : "?");
	else if (g->region)
		printf("  %-11s%s (no country named)\n", "origin", g->region);
	if (g->sponsor)
		printf("  %-11s%s\n", "sponsor", g->sponsor);
	if (g->first_seen != AS_TIME_NONE || g->last_seen != AS_TIME_NONE)
		printf("  %-11s%s … %s\n", "seen",
		       g->first_seen != AS_TIME_NONE ? time_format(g->first_seen, t1) : "?",
		       g->last_seen != AS_TIME_NONE ? time_format(g->last_seen, t2) : "?");
	print_list("aliases", &g->aliases, 64);
	if (g->sectors.n) {
		printf("  %-11s", "sectors");
		for (uint32_t i = 0; i < g->sectors.n; i++)
			printf("%s%s", i ? ", " : "",
			       intel_sector_name(g->sectors.v[i])
				   ? intel_sector_name(g->sectors.v[i])
				   : g->sectors.v[i]);
		printf("\n");
	}
	print_list("victims", &g->victims, 64);
	if (g->techniques.n) {
		printf("  %-11s%u:", "techniques", g->techniques.n);
		for (uint32_t i = 0; i < g->techniques.n; i++) {
			const struct kb_technique *te =
			    kb_technique_find(kb, slice_cstr(g->techniques.v[i]));
			printf("%s %s%s%s%s", i ? "," : "", g->techniques.v[i],
			       te && te->name ? " (" : "", te && te->name ? te->name : "",
			       te && te->name ? ")" : "");
		}
		printf("\n");
	}
	print_list("software", &g->software, 200);
	print_list("campaigns", &g->campaigns, 64);
	print_list("indicators", &g->indicators, 20);
	print_list("sources", &g->sources, 16);
	print_list("refs", &g->refs, 5);
}

/* The store's clusters that the kb now names: linked, saved, their incidents
 * updated, each said on stderr with the reason. */
static int name_clusters(const struct kb *kb, struct store *st)
{
	struct attr_clusterer *c = NULL;
	const struct attr_cluster *cl;
	size_t n, bad = 0;
	int rc = attr_clusterer_new(&c);
	if (!rc)
		rc = cluster_store_load(st, c, &bad);
	if (!rc)
		rc = attr_cluster_run(c, kb, &cl, &n);
	for (size_t i = 0; !rc && i < n; i++) {
		if (!cl[i].newly_linked)
			continue;
		size_t marked = 0;
		if (!(rc = cluster_store_put(st, &cl[i])))
			rc = cluster_store_mark(st, &cl[i], &marked);
		if (!rc) {
			fprintf(stderr,
				"aptscope intel: %s is now %s (%zu incidents updated): %s\n",
				cl[i].name, cl[i].linked_group, marked,
				cl[i].linked_reason ? cl[i].linked_reason : "");
		}
	}
	if (bad)
		fprintf(stderr, "aptscope intel: %zu stored clusters unreadable, skipped\n", bad);
	attr_clusterer_free(c);
	return rc;
}

static int do_show(struct kb *kb, const char *name, bool json)
{
	const struct kb_group *g = kb_group_find(kb, slice_cstr(name));
	if (!g) {
		const struct kb_software *s = kb_software_find(kb, slice_cstr(name));
		const struct kb_technique *t = kb_technique_find(kb, slice_cstr(name));
		const struct kb_cve *c = kb_cve_find(kb, slice_cstr(name));
		if ((s || t || c) && json) {
			struct buf b = BUF_INIT;
			struct jw w;
			char tm[AS_TIME_STRLEN];
			jw_init(&w, &b);
			jw_obj(&w);
			if (s) {
				jw_kcstr(&w, "type", "software");
				jw_kcstr(&w, "name", s->name);
				jw_kcstr(&w, "id", s->attack_id);
				jw_kcstr(&w, "kind", s->type);
				json_list(&w, "aliases", &s->aliases);
				json_list(&w, "platforms", &s->platforms);
				json_list(&w, "groups", &s->groups);
			} else if (t) {
				jw_kcstr(&w, "type", "technique");
				jw_kcstr(&w, "id", t->id);
				jw_kcstr(&w, "name", t->name);
				jw_kcstr(&w, "parent", t->parent);
				json_list(&w, "tactics", &t->tactics);
				json_list(&w, "platforms", &t->platforms);
			} else {
				jw_kcstr(&w, "type", "cve");
				jw_kcstr(&w, "id", c->id);
				jw_kcstr(&w, "published",
					 c->published != AS_TIME_NONE
					     ? time_format(c->published, tm)
					     : NULL);
				jw_kcstr(&w, "fixed",
					 c->fixed != AS_TIME_NONE ? time_format(c->fixed, tm)
								  : NULL);
				jw_kcstr(&w, "kev_added",
					 c->kev_added != AS_TIME_NONE
					     ? time_format(c->kev_added, tm)
					     : NULL);
				jw_key(&w, "known_exploited");
				jw_bool(&w, c->known_exploited);
				json_list(&w, "products", &c->products);
				json_list(&w, "platforms", &c->platforms);
			}
			jw_obj_end(&w);
			buf_putc(&b, '\n');
			fwrite(b.data, 1, b.len, stdout);
			buf_free(&b);
			return EXIT_OK;
		}
		if (s) {
			printf("%s (%s%s%s)\n", s->name, s->type ? s->type : "software",
			       s->attack_id ? ", " : "", s->attack_id ? s->attack_id : "");
			print_list("aliases", &s->aliases, 64);
			print_list("platforms", &s->platforms, 16);
			print_list("groups", &s->groups, 200);
			return EXIT_OK;
		}
		if (t) {
			printf("%s %s\n", t->id, t->name ? t->name : "");
			if (t->parent)
				printf("  %-11s%s\n", "parent", t->parent);
			print_list("tactics", &t->tactics, 16);
			print_list("platforms", &t->platforms, 16);
			return EXIT_OK;
		}
		if (c) {
			char a[AS_TIME_STRLEN], b[AS_TIME_STRLEN], k[AS_TIME_STRLEN];
			printf("%s\n  published  %s\n  fixed      %s\n  kev added  %s\n  exploited "
			       " %s\n",
			       c->id,
			       c->published != AS_TIME_NONE ? time_format(c->published, a) : "?",
			       c->fixed != AS_TIME_NONE ? time_format(c->fixed, b) : "?",
			       c->kev_added != AS_TIME_NONE ? time_format(c->kev_added, k) : "-",
			       c->known_exploited ? "yes" : "not known");
			print_list("products", &c->products, 20);
			print_list("platforms", &c->platforms, 20);
			return EXIT_OK;
		}
		fprintf(stderr, "aptscope intel: no group, software, technique or CVE named '%s'\n",
			name);
		return EXIT_ERR;
	}
	if (json) {
		struct buf b = BUF_INIT;
		struct jw w;
		jw_init(&w, &b);
		group_json(&w, kb, g);
		buf_putc(&b, '\n');
		fwrite(b.data, 1, b.len, stdout);
		buf_free(&b);
	} else {
		group_text(kb, g);
	}
	return EXIT_OK;
}

static bool any_contains(const char *name, const struct kb_strv *v, struct slice needle)
{
	if (name && slice_contains_nocase(slice_cstr(name), needle))
		return true;
	for (uint32_t i = 0; v && i < v->n; i++)
		if (slice_contains_nocase(slice_cstr(v->v[i]), needle))
			return true;
	return false;
}

static int do_search(struct kb *kb, const char *text, bool json)
{
	struct slice s = slice_cstr(text);
	struct buf b = BUF_INIT;
	struct jw w;
	size_t hits = 0;
	for (size_t i = 0; i < kb_group_count(kb); i++) {
		const struct kb_group *g = kb_group_at(kb, i);
		if (!any_contains(g->name, &g->aliases, s) &&
		    !(g->attack_id && slice_eq_nocase_cstr(s, g->attack_id)))
			continue;
		hits++;
		if (json) {
			buf_reset(&b);
			jw_init(&w, &b);
			jw_obj(&w);
			jw_kcstr(&w, "type", "group");
			jw_kcstr(&w, "name", g->name);
			jw_kcstr(&w, "id", g->attack_id);
			jw_kcstr(&w, "country", g->country[0] ? g->country : NULL);
			jw_obj_end(&w);
			printf("%s\n", b.data);
		} else {
			printf("group      %-32s %-6s %s\n", g->name,
			       g->attack_id ? g->attack_id : "", g->country);
		}
	}
	for (size_t i = 0; i < kb_software_count(kb); i++) {
		const struct kb_software *sw = kb_software_at(kb, i);
		if (!any_contains(sw->name, &sw->aliases, s))
			continue;
		hits++;
		if (json) {
			buf_reset(&b);
			jw_init(&w, &b);
			jw_obj(&w);
			jw_kcstr(&w, "type", "software");
			jw_kcstr(&w, "name", sw->name);
			jw_kcstr(&w, "id", sw->attack_id);
			jw_obj_end(&w);
			printf("%s\n", b.data);
		} else {
			printf("software   %-32s %s\n", sw->name,
			       sw->attack_id ? sw->attack_id : "");
		}
	}
	for (size_t i = 0; i < kb_technique_count(kb); i++) {
		const struct kb_technique *t = kb_technique_at(kb, i);
		if (!any_contains(t->name, NULL, s) && !slice_eq_nocase_cstr(s, t->id))
			continue;
		hits++;
		if (json) {
			buf_reset(&b);
			jw_init(&w, &b);
			jw_obj(&w);
			jw_kcstr(&w, "type", "technique");
			jw_kcstr(&w, "id", t->id);
			jw_kcstr(&w, "name", t->name);
			jw_obj_end(&w);
			printf("%s\n", b.data);
		} else {
			printf("technique  %-10s %s\n", t->id, t->name ? t->name : "");
		}
	}
	buf_free(&b);
	if (!hits) {
		fprintf(stderr, "aptscope intel: nothing matches '%s'\n", text);
		return EXIT_ERR;
	}
	return EXIT_OK;
}

static int do_conflicts(struct kb *kb, bool json)
{
	struct buf b = BUF_INIT;
	for (size_t i = 0; i < kb_conflict_count(kb); i++) {
		const struct kb_conflict *c = kb_conflict_at(kb, i);
		if (json) {
			struct jw w;
			buf_reset(&b);
			jw_init(&w, &b);
			jw_obj(&w);
			jw_kcstr(&w, "kind", c->kind);
			jw_kcstr(&w, "subject", c->subject);
			jw_kcstr(&w, "kept", c->a);
			jw_kcstr(&w, "other", c->b);
			jw_obj_end(&w);
			printf("%s\n", b.data);
		} else {
			printf("%-13s %-30s kept: %s | other: %s\n", c->kind, c->subject, c->a,
			       c->b);
		}
	}
	buf_free(&b);
	return EXIT_OK;
}

static int do_stats(struct kb *kb, bool json)
{
	struct kb_stats st;
	kb_stats_get(kb, &st);
	if (json)
		printf("{\"groups\":%zu,\"aliases\":%zu,\"software\":%zu,\"techniques\":%zu,"
		       "\"campaigns\":%zu,\"cves\":%zu,\"kev\":%zu,\"conflicts\":%zu}\n",
		       st.groups, st.aliases, st.software, st.techniques, st.campaigns, st.cves,
		       st.kev, st.conflicts);
	else
		printf("groups      %zu\naliases     %zu\nsoftware    %zu\ntechniques  %zu\n"
		       "campaigns   %zu\ncves        %zu\nkev         %zu\nconflicts   %zu\n",
		       st.groups, st.aliases, st.software, st.techniques, st.campaigns, st.cves,
		       st.kev, st.conflicts);
	return EXIT_OK;
}

static int do_export(struct kb *kb, const char *out_path)
{
	struct buf b = BUF_INIT;
	b.max = (size_t)1 << 30;
	int rc = kb_export(kb, &b);
	if (rc) {
		fprintf(stderr, "aptscope intel: export: %s\n", as_strerror(rc));
		buf_free(&b);
		return EXIT_ERR;
	}
	FILE *f = out_path ? fopen(out_path, "wb") : stdout;
	if (!f) {
		perror(out_path);
		buf_free(&b);
		return EXIT_ERR;
	}
	bool ok = fwrite(b.data, 1, b.len, f) == b.len;
	if (out_path)
		ok = !fclose(f) && ok;
	buf_free(&b);
	return ok ? EXIT_OK : EXIT_ERR;
}

int cmd_intel(int argc, char **argv)
{
	enum { O_DB = 256, O_KB, O_JSON };
	static const struct option opts[] = {{"db", required_argument, 0, O_DB},
					     {"kb", required_argument, 0, O_KB},
					     {"json", no_argument, 0, O_JSON},
					     {"help", no_argument, 0, 'h'},
					     {0, 0, 0, 0}};
	const char *db_path = "aptscope.db", *out_path = NULL;
	const char **kb_files = calloc((size_t)argc + 1, sizeof *kb_files);
	size_t nkb = 0;
	bool json = false;
	int c, status = EXIT_USAGE;
	if (!kb_files)
		return EXIT_ERR;
	optind = 1;
	/* "+": options end at the subcommand, whose own arguments may look like options */
	while ((c = getopt_long(argc, argv, "+o:h", opts, NULL)) != -1) {
		switch (c) {
		case O_DB:
			db_path = optarg;
			break;
		case O_KB:
			kb_files[nkb++] = optarg;
			break;
		case O_JSON:
			json = true;
			break;
		case 'o':
			out_path = optarg;
			break;
		case 'h':
			help(stdout);
			free(kb_files);
			return EXIT_OK;
		default:
			help(stderr);
			free(kb_files);
			return EXIT_USAGE;
		}
	}
	/* options may also follow the subcommand */
	const char *sub = optind < argc ? argv[optind++] : NULL;
	const char **args = calloc((size_t)argc + 1, sizeof *args);
	size_t nargs = 0;
	if (!args) {
		free(kb_files);
		return EXIT_ERR;
	}
	for (int i = optind; i < argc; i++) {
		if (!strcmp(argv[i], "--json"))
			json = true;
		else if (!strcmp(argv[i], "--db") && i + 1 < argc)
			db_path = argv[++i];
		else if (!strcmp(argv[i], "--kb") && i + 1 < argc)
			kb_files[nkb++] = argv[++i];
		else if (!strcmp(argv[i], "-o") && i + 1 < argc)
			out_path = argv[++i];
		else
			args[nargs++] = argv[i];
	}
	static const char *const subs[] = {"import", "stats",     "show",
					   "search", "conflicts", "export"};
	bool known = false;
	for (size_t i = 0; sub && i < sizeof subs / sizeof subs[0]; i++)
		known |= !strcmp(sub, subs[i]);
	if (!known || ((!strcmp(sub, "show") || !strcmp(sub, "search")) && nargs != 1) ||
	    (!strcmp(sub, "import") && (!nargs || nkb))) {
		if (sub && !known)
			fprintf(stderr, "aptscope intel: unknown command '%s'\n", sub);
		help(stderr);
		goto out;
	}
	status = EXIT_ERR;
	struct diag_sink diags;
	diag_sink_init(&diags, stderr);
	struct store *st = NULL;
	struct kb *kb = NULL;
	int rc;
	if (nkb) {
		rc = kb_load_files(&kb, kb_files, nkb, &diags);
	} else {
		struct diag why = {0};
		if ((rc = store_open(&st, db_path, &why))) {
			fprintf(stderr, "aptscope intel: %s: %s\n", db_path,
				why.msg[0] ? why.msg : as_strerror(rc));
			goto done;
		}
		rc = kb_open(&kb, st);
	}
	if (rc) {
		fprintf(stderr, "aptscope intel: cannot load the knowledge base: %s\n",
			as_strerror(rc));
		goto done;
	}
	if (!strcmp(sub, "import")) {
		struct kb_import_stats is = {0};
		rc = kb_import_files(kb, args, nargs, &diags, &is);
		int src = kb_save(kb, st);
		fprintf(
		    stderr,
		    "aptscope intel: %llu objects: %llu groups, %llu software, %llu techniques, "
		    "%llu campaigns, %llu relationships, %llu CVEs; %llu skipped\n",
		    (unsigned long long)is.objects, (unsigned long long)is.groups,
		    (unsigned long long)is.software, (unsigned long long)is.techniques,
		    (unsigned long long)is.campaigns, (unsigned long long)is.relationships,
		    (unsigned long long)is.cves, (unsigned long long)is.skipped);
		if (src)
			fprintf(stderr, "aptscope intel: saving: %s (%s)\n", as_strerror(src),
				store_errmsg(st));
		int nrc = src ? 0 : name_clusters(kb, st);
		if (nrc)
			fprintf(stderr, "aptscope intel: naming the stored clusters: %s (%s)\n",
				as_strerror(nrc), store_errmsg(st));
		status = rc || src || nrc ? EXIT_ERR : EXIT_OK;
	} else if (!strcmp(sub, "stats")) {
		status = do_stats(kb, json);
	} else if (!strcmp(sub, "show")) {
		status = do_show(kb, args[0], json);
	} else if (!strcmp(sub, "search")) {
		status = do_search(kb, args[0], json);
	} else if (!strcmp(sub, "conflicts")) {
		status = do_conflicts(kb, json);
	} else {
		status = do_export(kb, out_path);
	}
done:
	kb_free(kb);
	store_close(st);
	diag_sink_fini(&diags);
out:
	free(kb_files);
	free(args);
	return status;
}
