/*
 * engine.c — the Sigma rule set and its detector: loading, compiling, scanning.
 *
 * Loading walks files and directories (sorted, so reports are stable), parses
 * each YAML document into a rule (rule.c) and records every failure with its
 * file, line and reason. Compiling groups rules by logsource (logsource.c),
 * builds the Hyperscan prefilter (prefilter.c) and links filters and
 * correlations to the rules they name. Per event a worker then:
 *
 *   classes ← logsource classes of the event (cached per key)
 *   hits    ← each field value against the literals of its field (prefilter.c)
 *   for each rule in hits ∪ always-run rules, whose class holds: evaluate
 *   on a match: alert (unless only a correlation uses the rule), feed correlations
 */
#include <dirent.h>
#include <errno.h>
#include <fcntl.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include "core/error.h"
#include "core/json.h"
#include "core/limits.h"
#include "detect/sigma/sigma_int.h"
#include "event/fieldname.h"

int sigma_ruleset_new(struct sigma_ruleset **out)
{
	struct sigma_ruleset *rs = calloc(1, sizeof *rs);
	if (!rs)
		return AS_ENOMEM;
	arena_init(&rs->arena, 0);
	arena_init(&rs->ph_arena, 0);
	map_init(&rs->byid);
	map_init(&rs->placeholders);
	*out = rs;
	return 0;
}

void sigma_ruleset_free(struct sigma_ruleset *rs)
{
	if (!rs)
		return;
	for (size_t i = 0; i < rs->nres; i++)
		pcre2_code_free(rs->res[i]);
	free(rs->res);
	free(rs->rules);
	free(rs->classes);
	free(rs->ph_values);
	sigma_prefilter_free(rs->pf);
	map_free(&rs->byid);
	map_free(&rs->placeholders);
	arena_free(&rs->arena);
	arena_free(&rs->ph_arena);
	free(rs);
}

size_t sigma_ruleset_count(const struct sigma_ruleset *rs)
{
	return rs ? rs->nrules : 0;
}

void sigma_load_report_free(struct sigma_load_report *rep)
{
	if (!rep)
		return;
	for (size_t i = 0; i < rep->nerrors; i++) {
		free(rep->errors[i].file);
		free(rep->errors[i].title);
		free(rep->errors[i].reason);
	}
	free(rep->errors);
	memset(rep, 0, sizeof *rep);
}

static void report(struct sigma_load_report *rep, const char *file, unsigned line,
		   const char *title, const char *reason)
{
	if (!rep)
		return;
	if (rep->nerrors == rep->cap) {
		size_t nc = rep->cap ? rep->cap * 2 : 16;
		struct sigma_load_error *ne = realloc(rep->errors, nc * sizeof *ne);
		if (!ne)
			return;
		rep->errors = ne;
		rep->cap = nc;
	}
	struct sigma_load_error *e = &rep->errors[rep->nerrors++];
	e->file = strdup(file ? file : "");
	e->line = line;
	e->title = title ? strdup(title) : NULL;
	e->reason = strdup(reason);
}

/* The bytes of path, NUL-terminated, in *out (the caller frees): one open,
 * one fstat, one read for a rule file (stdio would fstat twice more). */
static int read_file(const char *path, char **out, size_t *len)
{
	int fd = open(path, O_RDONLY | O_CLOEXEC);
	if (fd < 0)
		return AS_ENOENT;
	struct stat st;
	if (fstat(fd, &st) || st.st_size > AS_SIGMA_MAX_FILE) {
		close(fd);
		return AS_ETOOBIG;
	}
	size_t want = (size_t)st.st_size, n = 0;
	char *b = malloc(want + 1);
	if (!b) {
		close(fd);
		return AS_ENOMEM;
	}
	while (n < want) {
		ssize_t r = read(fd, b + n, want - n);
		if (r < 0 && errno == EINTR)
			continue;
		if (r <= 0)
			break;
		n += (size_t)r;
	}
	close(fd);
	b[n] = 0;
	*out = b;
	*len = n;
	return 0;
}

int sigma_ruleset_placeholders(struct sigma_ruleset *rs, const char *path)
{
	char *text;
	size_t len;
	int rc = read_file(path, &text, &len);
	if (rc)
		return rc;
	struct sy_node **docs;
	size_t nd;
	char err[200];
	unsigned line;
	rc = sy_parse(&rs->ph_arena, text, len, &docs, &nd, err, sizeof err, &line);
	free(text);
	if (rc)
		return rc;
	if (nd != 1 || docs[0]->kind != SY_MAP)
		return AS_EPARSE;
	const struct sy_node *m = docs[0];
	for (size_t i = 0; i < m->n; i++) {
		const struct sy_node *k = m->items[2 * i], *v = m->items[2 * i + 1];
		if (k->kind != SY_SCALAR || v->kind == SY_MAP)
			return AS_EPARSE;
		if (v->kind == SY_SEQ)
			for (size_t j = 0; j < v->n; j++)
				if (v->items[j]->kind != SY_SCALAR)
					return AS_EPARSE;
		struct slice name = slice_make(k->s, k->len);
		if (name.len >= 2 && name.ptr[0] == '%' && name.ptr[name.len - 1] == '%')
			name = slice_sub(name, 1, name.len - 2);
		struct sy_node **nv = realloc(rs->ph_values, (rs->nph + 1) * sizeof *nv);
		if (!nv)
			return AS_ENOMEM;
		rs->ph_values = nv;
		rs->ph_values[rs->nph] = (struct sy_node *)v;
		if ((rc = map_put(&rs->placeholders, name, rs->nph, NULL)))
			return rc;
		rs->nph++;
	}
	return 0;
}

static int add_rule(struct sigma_ruleset *rs, struct sigma_rule *r)
{
	if (rs->nrules >= AS_SIGMA_MAX_RULES)
		return AS_ETOOBIG;
	if (rs->nrules == rs->cap) {
		size_t nc = rs->cap ? rs->cap * 2 : 256;
		struct sigma_rule **nr = realloc(rs->rules, nc * sizeof *nr);
		if (!nr)
			return AS_ENOMEM;
		rs->rules = nr;
		rs->cap = nc;
	}
	r->index = (uint32_t)rs->nrules;
	rs->rules[rs->nrules++] = r;
	return 0;
}

int sigma_ruleset_load_tree(struct sigma_ruleset *rs, const char *name, struct sy_node *const *docs,
			    size_t nd, struct sigma_load_report *rep)
{
	char err[AS_MAX_DIAG_MSG];
	unsigned line = 0;
	int rc = 0;
	if (rs->compiled)
		return AS_EINVAL;
	const char *fname = arena_strndup(&rs->arena, name, strlen(name));
	struct sigma_compile_ctx cc = {.rs = rs}; /* its scratch serves every document */
	for (size_t i = 0; i < nd && fname; i++) {
		if (sy_is_null(docs[i]))
			continue;
		if (rep)
			rep->total++;
		struct sigma_rule *r = arena_alloc(&rs->arena, sizeof *r);
		if (!r) {
			rc = AS_ENOMEM;
			break;
		}
		memset(r, 0, sizeof *r);
		r->file = fname;
		r->line = docs[i]->line;
		cc.rule = r;
		err[0] = 0;
		line = 0;
		rc = sigma_rule_parse(&cc, docs[i], err, sizeof err, &line);
		if (!rc && (r->id || r->name)) {
			bool existed = false;
			if (r->id)
				rc = map_put_new(&rs->byid, slice_cstr(r->id),
						 &(uint64_t){rs->nrules + 1}, &existed);
			if (!rc && existed) {
				snprintf(err, sizeof err, "duplicate rule id %s", r->id);
				line = r->line;
				rc = AS_EEXISTS;
			}
			if (!rc && r->name && !(r->id && !strcmp(r->id, r->name)))
				rc = map_put(&rs->byid, slice_cstr(r->name), rs->nrules + 1, NULL);
		}
		if (!rc)
			rc = add_rule(rs, r);
		if (rc == AS_ENOMEM || rc == AS_ETOOBIG) {
			if (rep)
				report(rep, name, line, r->title, as_strerror(rc));
			break;
		}
		if (rc) {
			if (!err[0])
				snprintf(err, sizeof err, "%s", as_strerror(rc));
			report(rep, name, line, r->title, err);
			rc = 0;
			continue;
		}
		if (rep)
			rep->loaded++;
	}
	sigma_valset_free(&cc.scratch);
	return rc;
}

/* Parse text into tree; a YAML error is reported against name (then
 * *docs is NULL and the result 0 unless out of memory). */
static int parse_text(struct arena *tree, const char *name, const char *text, size_t len,
		      struct sy_node ***docs, size_t *nd, struct sigma_load_report *rep)
{
	char err[AS_MAX_DIAG_MSG];
	unsigned line = 0;
	err[0] = 0;
	int rc = sy_parse(tree, text, len, docs, nd, err, sizeof err, &line);
	if (rc) {
		if (rep) {
			rep->total++;
			report(rep, name, line, NULL, err);
		}
		*docs = NULL;
		return rc == AS_ENOMEM ? rc : 0;
	}
	return 0;
}

int sigma_ruleset_load_text(struct sigma_ruleset *rs, const char *name, const char *text,
			    size_t len, struct sigma_load_report *rep)
{
	struct arena tree;
	struct sy_node **docs;
	size_t nd;
	if (rs->compiled)
		return AS_EINVAL;
	arena_init(&tree, 0);
	int rc = parse_text(&tree, name, text, len, &docs, &nd, rep);
	if (!rc && docs)
		rc = sigma_ruleset_load_tree(rs, name, docs, nd, rep);
	arena_free(&tree);
	return rc;
}

/* One sigma_ruleset_load: the tree arena, reset for each file, and the
 * trees kept from the last load of the same path. */
struct load {
	struct sigma_ruleset *rs;
	struct sigma_load_report *rep;
	struct arena tree;
	struct sigma_treecache *tc;
};

static int load_file(struct load *ld, const char *path)
{
	char *text;
	size_t len, nd;
	struct sy_node **docs;
	int rc = read_file(path, &text, &len);
	if (rc) {
		if (ld->rep) {
			ld->rep->total++;
			report(ld->rep, path, 0, NULL, as_strerror(rc));
		}
		return rc == AS_ENOMEM ? rc : 0;
	}
	arena_reset(&ld->tree);
	if (!sigma_treecache_get(ld->tc, &ld->tree, text, len, &docs, &nd)) {
		arena_reset(&ld->tree);
		rc = parse_text(&ld->tree, path, text, len, &docs, &nd, ld->rep);
		if (!rc && docs)
			sigma_treecache_put(ld->tc, text, len, docs, nd);
	}
	if (!rc && docs)
		rc = sigma_ruleset_load_tree(ld->rs, path, docs, nd, ld->rep);
	free(text);
	return rc;
}

static bool is_yaml(const char *n)
{
	size_t l = strlen(n);
	return (l > 4 && !strcmp(n + l - 4, ".yml")) || (l > 5 && !strcmp(n + l - 5, ".yaml"));
}

struct dir_entry {
	char *path;
	unsigned char type; /* d_type */
};

static int cmp_entry(const void *a, const void *b)
{
	return strcmp(((const struct dir_entry *)a)->path, ((const struct dir_entry *)b)->path);
}

/* Each entry of directory path in name order: folders recursively, YAML
 * files loaded. The entry's type from readdir spares a stat per file; only
 * symbolic links and file systems that do not give it are stat'ed. */
static int load_dir(struct load *ld, const char *path, int depth)
{
	if (depth >= AS_MAX_WALK_DEPTH)
		return 0;
	DIR *d = opendir(path);
	if (!d)
		return AS_ENOENT;
	struct dir_entry *ents = NULL;
	size_t n = 0, cap = 0;
	int rc = 0;
	struct dirent *de;
	while ((de = readdir(d))) {
		if (de->d_name[0] == '.')
			continue;
		if (n == cap) {
			cap = cap ? cap * 2 : 64;
			struct dir_entry *ne = realloc(ents, cap * sizeof *ne);
			if (!ne) {
				rc = AS_ENOMEM;
				break;
			}
			ents = ne;
		}
		if (!(ents[n].path = malloc(strlen(path) + strlen(de->d_name) + 2))) {
			rc = AS_ENOMEM;
			break;
		}
		sprintf(ents[n].path, "%s/%s", path, de->d_name);
		ents[n++].type = de->d_type;
	}
	closedir(d);
	if (n)
		qsort(ents, n, sizeof *ents, cmp_entry);
	for (size_t i = 0; i < n && !rc; i++) {
		bool dir = ents[i].type == DT_DIR, reg = ents[i].type == DT_REG;
		if (!dir && !reg) {
			struct stat cs;
			if (stat(ents[i].path, &cs))
				continue;
			dir = S_ISDIR(cs.st_mode);
		}
		if (dir)
			rc = load_dir(ld, ents[i].path, depth + 1);
		else if (is_yaml(ents[i].path))
			rc = load_file(ld, ents[i].path);
	}
	for (size_t i = 0; i < n; i++)
		free(ents[i].path);
	free(ents);
	return rc;
}

int sigma_ruleset_load(struct sigma_ruleset *rs, const char *path, struct sigma_load_report *rep)
{
	if (rs->compiled)
		return AS_EINVAL;
	struct stat st;
	if (stat(path, &st))
		return AS_ENOENT;
	struct load ld = {.rs = rs, .rep = rep, .tc = sigma_treecache_open(path)};
	arena_init(&ld.tree, 0);
	int rc = S_ISDIR(st.st_mode) ? load_dir(&ld, path, 0) : load_file(&ld, path);
	/* a load cut short would leave out the trees of the files not reached */
	sigma_treecache_close(ld.tc, !rc);
	arena_free(&ld.tree);
	return rc;
}

struct sigma_rule *sigma_ruleset_find(const struct sigma_ruleset *rs, const char *idname)
{
	uint64_t v;
	if (!map_get(&rs->byid, slice_cstr(idname), &v))
		return NULL;
	return rs->rules[v - 1];
}

static int link_filters(struct sigma_ruleset *rs, struct sigma_load_report *rep)
{
	for (size_t i = 0; i < rs->nrules; i++) {
		struct sigma_rule *f = rs->rules[i];
		if (f->kind != SK_FILTER)
			continue;
		for (uint32_t k = 0; k < f->ntargets; k++) {
			struct sigma_rule *t = sigma_ruleset_find(rs, f->filter_targets[k]);
			if (!t || t->kind != SK_DETECTION) {
				char msg[300];
				snprintf(msg, sizeof msg,
					 "filter names unknown rule '%s' (ignored)",
					 f->filter_targets[k]);
				report(rep, f->file, f->line, f->title, msg);
				continue;
			}
			struct sigma_rule **nf =
			    arena_alloc(&rs->arena, (t->nfilters + 1) * sizeof *nf);
			if (!nf)
				return AS_ENOMEM;
			if (t->nfilters)
				memcpy(nf, t->filters, t->nfilters * sizeof *nf);
			nf[t->nfilters++] = f;
			t->filters = nf;
		}
	}
	return 0;
}

int sigma_ruleset_compile(struct sigma_ruleset *rs, struct sigma_load_report *rep)
{
	int rc;
	if (rs->compiled)
		return 0;
	if ((rc = sigma_logsource_compile(rs)))
		return rc;
	if ((rc = link_filters(rs, rep)))
		return rc;
	for (size_t i = 0; i < rs->nrules; i++) {
		struct sigma_rule *r = rs->rules[i];
		if (r->kind != SK_CORRELATION)
			continue;
		char err[AS_MAX_DIAG_MSG] = "";
		rs->has_corr = true;
		if ((rc = sigma_corr_link(rs, r, err, sizeof err))) {
			if (rc == AS_ENOMEM)
				return rc;
			report(rep, r->file, r->line, r->title, err);
			if (rep && rep->loaded)
				rep->loaded--;
			r->corr = NULL; /* disabled */
		}
	}
	/* a rule named only by correlations without `generate: true` does not
	 * alert on its own (Sigma correlation specification, generate) */
	for (size_t i = 0; i < rs->nrules; i++)
		if (rs->rules[i]->genvote == 1)
			rs->rules[i]->generate = false;
	sigma_corr_number(rs);
	if ((rc = sigma_prefilter_build(rs)))
		return rc;
	rs->compiled = true;
	return 0;
}

/* ---- the detector ---- */

static void worker_free(void *p)
{
	struct sigma_worker *w = p;
	if (!w)
		return;
	free(w->slot);
	free(w->lower);
	free(w->lower_off);
	free(w->parsed);
	free(w->ival);
	free(w->ipval);
	free(w->selcache);
	free(w->classbits);
	free(w->cand);
	free(w->lsbits);
	for (size_t i = 0; i < w->ndbs; i++)
		sigma_pfdb_free(w->dbs[i]);
	free(w->dbs);
	map_free(&w->dbkeys);
	free(w->lsdb);
	free(w->lsdb_state);
	map_free(&w->lscache);
	sigma_pf_scratch_free(w->pf);
	if (w->md)
		pcre2_match_data_free(w->md);
	if (w->mctx)
		pcre2_match_context_free(w->mctx);
	sigma_corr_worker_free(w->corr);
	free(w);
}

void sigma_worker_forget(void *worker, unsigned long long *hits, unsigned long long *misses)
{
	struct sigma_worker *w = worker;
	sigma_pf_scratch_stats(w->pf, hits, misses);
	sigma_pf_scratch_forget(w->pf);
}

static int worker_new(const struct detector *d, void **out)
{
	const struct sigma_ruleset *rs = d->shared;
	struct sigma_worker *w = calloc(1, sizeof *w);
	if (!w)
		return AS_ENOMEM;
	w->rs = rs;
	map_init(&w->lscache);
	map_init(&w->dbkeys);
	size_t maxsel = 1;
	for (size_t i = 0; i < rs->nrules; i++)
		if (rs->rules[i]->det.nsels > maxsel)
			maxsel = rs->rules[i]->det.nsels;
	w->selcap = maxsel;
	w->lswords = (rs->nclasses + 63) / 64 + 1;
	w->selcache = calloc(maxsel, 1);
	w->classbits = calloc(w->lswords, sizeof *w->classbits);
	w->cand = malloc((rs->nrules + 1) * sizeof *w->cand);
	w->md = pcre2_match_data_create(1, NULL);
	w->mctx = pcre2_match_context_create(NULL);
	int rc = 0;
	if (!w->selcache || !w->classbits || !w->cand || !w->md || !w->mctx)
		rc = AS_ENOMEM;
	if (!rc) {
		pcre2_set_match_limit(w->mctx, AS_SIGMA_RE_MATCH_LIMIT);
		pcre2_set_depth_limit(w->mctx, AS_SIGMA_RE_DEPTH_LIMIT);
		rc = sigma_pf_scratch_new(rs->pf, &w->pf);
	}
	if (!rc && rs->has_corr)
		rc = sigma_corr_worker_new(&w->corr, rs);
	if (rc) {
		worker_free(w);
		return rc;
	}
	*out = w;
	return 0;
}

int sigma_alert_emit(struct sigma_worker *w, const struct sigma_rule *r, const struct event *ev,
		     const char *extra_json, struct alert_sink *out)
{
	struct alert *a = alert_new("sigma");
	if (!a)
		return AS_ENOMEM;
	a->rule_id = alert_strdup(a, slice_cstr(r->id ? r->id : r->name ? r->name : r->title));
	a->rule_title = alert_strdup(a, slice_cstr(r->title));
	a->level = r->level;
	for (unsigned i = 0; i < r->ntech; i++)
		alert_add_technique(a, slice_cstr(r->techniques[i]));
	if (ev)
		alert_from_event(a, ev);
	struct buf b = BUF_INIT;
	struct jw j;
	jw_init(&j, &b);
	jw_obj(&j);
	if (ev && w->nmatched && !extra_json) {
		jw_key(&j, "matched");
		jw_obj(&j);
		for (uint32_t i = 0; i < w->nmatched; i++) {
			const struct field *f = &ev->fields[w->matched[i]];
			jw_key_slice(&j, fieldname_str(f->name));
			jw_str(&j, f->value);
		}
		jw_obj_end(&j);
	}
	if (extra_json)
		jw_raw(&j, slice_cstr(extra_json)); /* "key":value,… written by the caller */
	if (r->evidence_tags)
		jw_raw(&j, slice_cstr(r->evidence_tags));
	if (r->status)
		jw_kcstr(&j, "status", r->status);
	jw_obj_end(&j);
	if (!b.err)
		a->evidence = alert_strdup(a, buf_slice(&b));
	buf_free(&b);
	alert_compute_id(a);
	return out->emit(out, a);
}

static int fire(struct sigma_worker *w, const struct sigma_rule *r, const struct event *ev,
		struct alert_sink *out)
{
	int rc = 0;
	if (r->generate)
		rc = sigma_alert_emit(w, r, ev, NULL, out);
	if (!rc && r->nusers)
		rc = sigma_corr_feed(w, r, ev, out);
	return rc;
}

static inline bool bit(const uint64_t *b, size_t i)
{
	return (b[i / 64] >> (i % 64)) & 1;
}

/* The prefilter pairs for events of this logsource key: only those of the
 * rules that can see them. Keys with the same classes (Security 4624, 4625,
 * …) share one table; NULL (all rules' pairs, still correct) past
 * AS_SIGMA_MAX_SUBDB distinct class sets or without memory. */
static struct sigma_pfdb *event_db(struct sigma_worker *w, size_t slot, const uint64_t *cls)
{
	if (slot == SIZE_MAX)
		return NULL;
	if (w->lsdb_state[slot] == 0) {
		w->lsdb_state[slot] = 2;
		struct slice bits = slice_make((const char *)cls, w->lswords * sizeof *cls);
		uint64_t idx;
		if (map_get(&w->dbkeys, bits, &idx)) {
			w->lsdb[slot] = w->dbs[idx];
			w->lsdb_state[slot] = 1;
			return w->lsdb[slot];
		}
		if (w->ndbs >= AS_SIGMA_MAX_SUBDB)
			return NULL;
		struct sigma_pfdb *d = NULL;
		struct sigma_pfdb **nd = realloc(w->dbs, (w->ndbs + 1) * sizeof *nd);
		if (nd)
			w->dbs = nd;
		if (nd && !sigma_prefilter_subdb(w->rs, cls, w->pf, &d)) {
			if (map_put(&w->dbkeys, bits, w->ndbs, NULL)) {
				sigma_pfdb_free(d);
			} else {
				w->dbs[w->ndbs++] = d;
				w->lsdb[slot] = d;
				w->lsdb_state[slot] = 1;
			}
		}
	}
	return w->lsdb_state[slot] == 1 ? w->lsdb[slot] : NULL;
}

static int scan_one(struct sigma_worker *w, const struct event *ev, struct alert_sink *out)
{
	const struct sigma_ruleset *rs = w->rs;
	size_t slot;
	sigma_worker_set_event(w, ev);
	const uint64_t *cls = sigma_worker_classes(w, ev, &slot);
	bool any = false;
	for (size_t i = 0; i < w->lswords; i++)
		any |= cls[i] != 0;
	if (!any)
		return 0;
	w->cur = cls;
	size_t ncand = 0;
	w->lithit = NULL;
	bool every = sigma_prefilter_scan_fields(rs->pf, event_db(w, slot, cls), w->pf, ev, w->cand,
						 &ncand) != 0;
	if (!every)
		w->lithit = sigma_pf_scratch_hits(w->pf);
	int rc = 0;
	/* without the prefilter's answer every rule is a candidate */
	for (size_t k = 0; k < (every ? rs->nrules : ncand) && !rc; k++) {
		const struct sigma_rule *r = rs->rules[every ? k : w->cand[k]];
		if (r->kind != SK_DETECTION || !r->prefiltered || !bit(cls, r->lsclass))
			continue;
		if (sigma_rule_eval(w, r))
			rc = fire(w, r, ev, out);
	}
	for (size_t wi = 0; wi < w->lswords && !rc; wi++) {
		for (uint64_t m = cls[wi]; m && !rc; m &= m - 1) {
			size_t c = wi * 64 + (size_t)__builtin_ctzll(m), n;
			if (c >= rs->nclasses)
				break;
			const uint32_t *always = sigma_prefilter_always(rs->pf, (uint32_t)c, &n);
			for (size_t k = 0; k < n && !rc; k++) {
				const struct sigma_rule *r = rs->rules[always[k]];
				if (sigma_rule_eval(w, r))
					rc = fire(w, r, ev, out);
			}
		}
	}
	return rc;
}

static int scan(void *p, const struct event *evs, size_t n, struct alert_sink *out)
{
	struct sigma_worker *w = p;
	for (size_t i = 0; i < n; i++) {
		int rc = scan_one(w, &evs[i], out);
		if (rc == AS_ENOMEM)
			return rc;
	}
	return 0;
}

int sigma_corr_flush(struct sigma_worker *w, struct alert_sink *out);

static int flush(void *p, struct alert_sink *out)
{
	struct sigma_worker *w = p;
	return w->corr ? sigma_corr_flush(w, out) : 0;
}

static void shared_free(void *p)
{
	sigma_ruleset_free(p);
}

int sigma_detector_init(struct detector *d, struct sigma_ruleset *rs)
{
	if (!rs || !rs->compiled)
		return AS_EINVAL;
	memset(d, 0, sizeof *d);
	d->name = "sigma";
	d->shared = rs;
	d->needs_fields = true;
	d->worker_new = worker_new;
	d->scan = scan;
	d->flush = flush;
	d->worker_free = worker_free;
	d->shared_free = shared_free;
	return 0;
}
