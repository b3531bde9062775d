/*
 * yara_rules.c — loading and compiling YARA rules, and reading their
 * metadata, see yara_engine.h.
 *
 * Most rule sets compile clean, so all files are first tried together in one
 * compiler: when none fails, that is the whole job (compiling every file
 * twice cost a measurable share of a short scan). Otherwise — a libyara
 * compiler is unusable after its first error — each queued file is compiled
 * alone in a throw-away compiler: its errors (with line) go to the report
 * and the file is left out. Files that pass are then added to
 * the one real compiler. Should that fail anyway (a rule name used in two
 * files), the file is reported and the real compiler is rebuilt from the good
 * files so far — rare, and it keeps every good rule.
 *
 * After compiling, each rule's metadata is read once into a struct
 * yara_rule_info (strings in the rules' arena), so that a scan hit costs no
 * look-up at all.
 */
#include "detect/yara/yara_int.h"

#include <ctype.h>
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>

#include "core/error.h"
#include "intel/intel.h"

static const char *const externals[] = {"filename", "filepath", "extension", "filetype", "owner"};

int yara_rules_new(struct yara_rules **out)
{
	*out = NULL;
	struct yara_rules *r = calloc(1, sizeof *r);
	if (!r)
		return AS_ENOMEM;
	if (yr_initialize() != ERROR_SUCCESS) {
		free(r);
		return AS_EENGINE;
	}
	arena_init(&r->arena, 0);
	*out = r;
	return 0;
}

void yara_rules_free(struct yara_rules *r)
{
	if (!r)
		return;
	for (size_t i = 0; i < r->nsrcs; i++) {
		free(r->srcs[i].path);
		free(r->srcs[i].text);
	}
	free(r->srcs);
	if (r->rules)
		yr_rules_destroy(r->rules);
	free(r->info);
	arena_free(&r->arena);
	yr_finalize();
	free(r);
}

void yara_load_report_free(struct yara_load_report *rep)
{
	if (!rep)
		return;
	for (size_t i = 0; i < rep->nerrors; i++) {
		free(rep->errors[i].file);
		free(rep->errors[i].reason);
	}
	free(rep->errors);
	memset(rep, 0, sizeof *rep);
}

static void report_error(struct yara_load_report *rep, const char *file, int line,
			 const char *reason)
{
	if (!rep)
		return;
	if (rep->nerrors == rep->cap) {
		size_t cap = rep->cap ? rep->cap * 2 : 16;
		struct yara_load_error *e = realloc(rep->errors, cap * sizeof *e);
		if (!e)
			return;
		rep->errors = e;
		rep->cap = cap;
	}
	struct yara_load_error *e = &rep->errors[rep->nerrors];
	e->file = strdup(file ? file : "?");
	e->reason = strdup(reason ? reason : "?");
	e->line = line;
	if (!e->file || !e->reason) {
		free(e->file);
		free(e->reason);
		return;
	}
	rep->nerrors++;
}

static int push_src(struct yara_rules *r, char *path, char *text)
{
	if (r->nsrcs >= AS_YARA_MAX_RULE_FILES)
		return AS_ETOOBIG;
	if (r->nsrcs == r->cap) {
		size_t cap = r->cap ? r->cap * 2 : 16;
		struct rule_src *s = realloc(r->srcs, cap * sizeof *s);
		if (!s)
			return AS_ENOMEM;
		r->srcs = s;
		r->cap = cap;
	}
	r->srcs[r->nsrcs++] = (struct rule_src){.path = path, .text = text};
	return 0;
}

static bool is_rule_file(const char *p)
{
	size_t n = strlen(p);
	return (n > 4 && !strcasecmp(p + n - 4, ".yar")) ||
	       (n > 5 && !strcasecmp(p + n - 5, ".yara"));
}

int yara_rules_add(struct yara_rules *r, const char *path, struct yara_load_report *rep)
{
	if (r->compiled)
		return AS_EINVAL;
	struct stat sb;
	if (stat(path, &sb)) {
		report_error(rep, path, 0, strerror(errno));
		return AS_ENOENT;
	}
	if (!S_ISDIR(sb.st_mode)) {
		char *p = strdup(path);
		if (!p)
			return AS_ENOMEM;
		int rc = push_src(r, p, NULL);
		if (rc)
			free(p);
		return rc;
	}
	struct files_list l = {0};
	char *one[1] = {(char *)path};
	int rc = files_list_build(&l, one, 1, NULL, NULL);
	for (size_t i = 0; i < l.n && !rc; i++) {
		if (!is_rule_file(l.paths[i]))
			continue;
		rc = push_src(r, l.paths[i], NULL);
		if (!rc)
			l.paths[i] = NULL; /* now owned by r */
	}
	files_list_free(&l);
	return rc;
}

int yara_rules_add_mem(struct yara_rules *r, const char *name, const char *text,
		       struct yara_load_report *rep)
{
	if (r->compiled)
		return AS_EINVAL;
	char *p = strdup(name ? name : "(memory)");
	char *t = strdup(text ? text : "");
	int rc = p && t ? push_src(r, p, t) : AS_ENOMEM;
	if (rc) {
		free(p);
		free(t);
	}
	return rc;
}

/* Errors of one compile attempt, collected by the compiler callback. */
struct compile_log {
	struct yara_load_report *rep;
	const char *file; /* the queued file, for errors libyara cannot place */
	int errors;
	bool record;
};

static void compiler_cb(int level, const char *file, int line, const YR_RULE *rule, const char *msg,
			void *user)
{
	struct compile_log *log = user;
	if (level != YARA_ERROR_LEVEL_ERROR)
		return; /* warnings (slow rules) do not stop a file loading */
	log->errors++;
	if (log->record)
		report_error(log->rep, file ? file : log->file, line, msg);
}

static int new_compiler(YR_COMPILER **out, struct compile_log *log)
{
	if (yr_compiler_create(out) != ERROR_SUCCESS)
		return AS_ENOMEM;
	for (size_t i = 0; i < sizeof externals / sizeof *externals; i++)
		if (yr_compiler_define_string_variable(*out, externals[i], "") != ERROR_SUCCESS) {
			yr_compiler_destroy(*out);
			return AS_ENOMEM;
		}
	yr_compiler_set_callback(*out, compiler_cb, log);
	return 0;
}

/* Add one source; the number of errors (or -1 when the file cannot be read). */
static int add_src(YR_COMPILER *c, const struct rule_src *s, struct compile_log *log)
{
	log->file = s->path;
	log->errors = 0;
	if (s->text)
		return yr_compiler_add_string(c, s->text, NULL);
	struct stat sb;
	if (stat(s->path, &sb) || !S_ISREG(sb.st_mode)) {
		if (log->record)
			report_error(log->rep, s->path, 0, "cannot read rule file");
		return -1;
	}
	if ((uint64_t)sb.st_size > AS_YARA_MAX_RULE_FILE) {
		if (log->record)
			report_error(log->rep, s->path, 0, "rule file larger than the limit");
		return -1;
	}
	FILE *f = fopen(s->path, "r");
	if (!f) {
		if (log->record)
			report_error(log->rep, s->path, 0, strerror(errno));
		return -1;
	}
	int n = yr_compiler_add_file(c, f, NULL, s->path);
	fclose(f);
	return n;
}

/* --- metadata -------------------------------------------------------------- */

struct names {
	const char *v[AS_YARA_MAX_NAMES];
	size_t n;
};

static void names_add(struct names *ns, struct arena *a, const char *s, size_t len)
{
	while (len && isspace((unsigned char)*s))
		s++, len--;
	while (len && isspace((unsigned char)s[len - 1]))
		len--;
	if (!len || ns->n >= AS_YARA_MAX_NAMES)
		return;
	for (size_t i = 0; i < ns->n; i++)
		if (strlen(ns->v[i]) == len && !strncasecmp(ns->v[i], s, len))
			return;
	const char *c = arena_strndup(a, s, len);
	if (c)
		ns->v[ns->n++] = c;
}

static const char *const *names_freeze(struct names *ns, struct arena *a)
{
	static const char *const empty[1] = {NULL};
	if (!ns->n)
		return empty;
	const char **out = arena_alloc(a, (ns->n + 1) * sizeof *out);
	if (!out)
		return empty;
	memcpy(out, ns->v, ns->n * sizeof *out);
	out[ns->n] = NULL;
	return out;
}

/* Split a meta value on , ; / | and add each part (canonical when kb knows it). */
static void add_list(struct names *ns, struct arena *a, const struct kb *kb, const char *v,
		     bool group)
{
	while (*v) {
		size_t n = strcspn(v, ",;/|");
		const char *canon = NULL;
		if (kb && n) {
			struct slice s = slice_trim(slice_make(v, n));
			if (group) {
				const struct kb_group *g = kb_group_find(kb, s);
				canon = g ? g->name : NULL;
			} else {
				const struct kb_software *sw = kb_software_find(kb, s);
				canon = sw ? sw->name : NULL;
			}
		}
		if (canon)
			names_add(ns, a, canon, strlen(canon));
		else
			names_add(ns, a, v, n);
		v += n;
		if (*v)
			v++;
	}
}

/* Words that are common in rule names and descriptions and never a group or a
 * family on their own, even if some knowledge base lists them as an alias. */
static bool stop_word(const char *w, size_t n)
{
	static const char *const words[] = {
	    "apt",      "detects",    "detect",   "malware",   "backdoor",   "loader",
	    "dropper",  "rule",       "rules",    "generic",   "unknown",    "windows",
	    "linux",    "file",       "files",    "string",    "strings",    "suspicious",
	    "hacktool", "exploit",    "webshell", "office",    "document",   "the",
	    "and",      "from",       "used",     "with",      "sample",     "samples",
	    "report",   "based",      "tool",     "tools",     "group",      "team",
	    "china",    "russia",     "iran",     "korea",     "north",      "south",
	    "chinese",  "russian",    "iranian",  "operation", "campaign",   "threat",
	    "actor",    "update",     "agent",    "service",   "server",     "client",
	    "shell",    "script",     "payload",  "implant",   "variant",    "version",
	    "related",  "known",      "this",     "that",      "indicator",  "packed",
	    "packer",   "module",     "plugin",   "stage",     "first",      "second",
	    "memory",   "process",    "injector", "keylogger", "stealer",    "downloader",
	    "trojan",   "ransomware", "worm",     "virus",     "attack",     "attacks",
	    "cobalt",   "strike",     "beacon",   "mimikatz",  "powershell", "macro",
	    "dll",
	};
	if (n < 4) {
		bool digit = false;
		for (size_t i = 0; i < n; i++)
			digit |= isdigit((unsigned char)w[i]) != 0;
		if (!digit)
			return true;
	}
	for (size_t i = 0; i < sizeof words / sizeof *words; i++)
		if (strlen(words[i]) == n && !strncasecmp(words[i], w, n))
			return true;
	return false;
}

/* Look phrases of free text up in the kb: three words, then two, then one;
 * a phrase that names something consumes its words (so "Cobalt Strike" is the
 * tool and its "Cobalt" is not tried again as a group's alias). */
static void lookup_text(struct names *groups, struct names *malware, struct arena *a,
			const struct kb *kb, const char *text)
{
	enum { MAXW = 64 };
	struct slice w[MAXW];
	size_t nw = 0;
	for (const char *p = text; *p && nw < MAXW;) {
		while (*p && !isalnum((unsigned char)*p))
			p++;
		const char *s = p;
		while (*p && (isalnum((unsigned char)*p) || *p == '-'))
			p++;
		if (p > s)
			w[nw++] = slice_make(s, (size_t)(p - s));
	}
	for (size_t i = 0; i < nw;) {
		size_t used = 0;
		for (size_t len = 3; len >= 1 && !used; len--) {
			if (i + len > nw)
				continue;
			if (len == 1 && stop_word(w[i].ptr, w[i].len))
				continue;
			char phrase[256];
			size_t pl = 0;
			bool fits = true;
			for (size_t k = 0; k < len; k++) {
				if (pl + w[i + k].len + 1 >= sizeof phrase) {
					fits = false;
					break;
				}
				if (k)
					phrase[pl++] = ' ';
				memcpy(phrase + pl, w[i + k].ptr, w[i + k].len);
				pl += w[i + k].len;
			}
			if (!fits)
				continue;
			struct slice ph = slice_make(phrase, pl);
			const struct kb_software *sw = kb_software_find(kb, ph);
			const struct kb_group *g = kb_group_find(kb, ph);
			if (sw)
				names_add(malware, a, sw->name, strlen(sw->name));
			if (g)
				names_add(groups, a, g->name, strlen(g->name));
			if (sw || g)
				used = len;
		}
		i += used ? used : 1;
	}
}

static bool key_in(const char *k, const char *const *list)
{
	for (; *list; list++)
		if (!strcasecmp(k, *list))
			return true;
	return false;
}

/* ATT&CK ids (T1234, T1234.001) anywhere in a meta value. */
static void add_techniques(struct names *ts, struct arena *a, const char *v)
{
	for (const char *p = v; *p; p++) {
		if ((*p != 'T' && *p != 't') || (p > v && isalnum((unsigned char)p[-1])))
			continue;
		size_t n = 1;
		while (n < 5 && isdigit((unsigned char)p[n]))
			n++;
		if (n != 5)
			continue;
		if (p[5] == '.' && isdigit((unsigned char)p[6]) && isdigit((unsigned char)p[7]) &&
		    isdigit((unsigned char)p[8]))
			n = 9;
		if (isalnum((unsigned char)p[n]))
			continue;
		char id[10];
		memcpy(id, p, n);
		id[0] = 'T';
		names_add(ts, a, id, n);
		p += n - 1;
	}
}

static void read_meta(struct yara_rules *r, const YR_RULE *rule, const struct kb *kb,
		      struct yara_rule_info *info)
{
	static const char *const k_malware[] = {"malware",      "malware_family",    "family",
						"malware_name", "malware_type_name", NULL};
	static const char *const k_groups[] = {
	    "actor",       "threat_actor", "group",        "apt_group",
	    "actor_group", "apt",          "threat_group", NULL};
	static const char *const k_tech[] = {"mitre_attack", "mitre_att", "technique", "techniques",
					     "attack_id",    "mitre",     "attack",    NULL};
	struct arena *a = &r->arena;
	struct names malware = {0}, groups = {0}, tags = {0}, techniques = {0};
	const YR_META *m;
	info->score = -1;
	yr_rule_metas_foreach(rule, m)
	{
		const char *k = m->identifier;
		if (m->type == META_TYPE_INTEGER) {
			if (!strcasecmp(k, "score"))
				info->score = m->integer < 0     ? 0
					      : m->integer > 100 ? 100
								 : (int)m->integer;
			continue;
		}
		if (m->type != META_TYPE_STRING || !m->string)
			continue;
		const char *v = m->string;
		if (!strcasecmp(k, "author") && !info->author)
			info->author = arena_strndup(a, v, strlen(v));
		else if (!strcasecmp(k, "description") && !info->description)
			info->description = arena_strndup(a, v, strlen(v));
		else if ((!strcasecmp(k, "reference") || !strcasecmp(k, "ref") ||
			  !strcasecmp(k, "url")) &&
			 !info->reference)
			info->reference = arena_strndup(a, v, strlen(v));
		else if (!strcasecmp(k, "date") && !info->date)
			info->date = arena_strndup(a, v, strlen(v));
		else if (!strcasecmp(k, "score")) {
			int64_t s;
			if (!slice_to_i64(slice_trim(slice_cstr(v)), &s))
				info->score = s < 0 ? 0 : s > 100 ? 100 : (int)s;
		} else if (key_in(k, k_malware))
			add_list(&malware, a, kb, v, false);
		else if (key_in(k, k_groups))
			add_list(&groups, a, kb, v, true);
		else if (key_in(k, k_tech))
			add_techniques(&techniques, a, v);
	}
	const char *tag;
	yr_rule_tags_foreach(rule, tag)
	{
		names_add(&tags, a, tag, strlen(tag));
		if (kb)
			lookup_text(&groups, &malware, a, kb, tag);
	}
	if (kb) {
		if (info->description)
			lookup_text(&groups, &malware, a, kb, info->description);
		lookup_text(&groups, &malware, a, kb, rule->identifier);
	}
	info->tags = names_freeze(&tags, a);
	info->malware = names_freeze(&malware, a);
	info->groups = names_freeze(&groups, a);
	info->techniques = names_freeze(&techniques, a);
}

int yara_rules_compile(struct yara_rules *r, const struct kb *kb, struct yara_load_report *rep)
{
	if (r->compiled)
		return AS_EINVAL;
	struct compile_log quiet = {.rep = rep, .record = false};
	struct compile_log loud = {.rep = rep, .record = true};
	YR_COMPILER *main_c = NULL;
	bool *good = calloc(r->nsrcs ? r->nsrcs : 1, sizeof *good);
	int rc = good ? new_compiler(&main_c, &quiet) : AS_ENOMEM;
	/* Fast path: everything at once. */
	bool clean = !rc;
	for (size_t i = 0; i < r->nsrcs && clean; i++)
		clean = add_src(main_c, &r->srcs[i], &quiet) == 0;
	if (clean) {
		if (rep)
			rep->files += r->nsrcs;
		goto compiled;
	}
	if (main_c)
		yr_compiler_destroy(main_c);
	main_c = NULL;
	rc = good ? new_compiler(&main_c, &quiet) : AS_ENOMEM;
	for (size_t i = 0; i < r->nsrcs && !rc; i++) {
		if (rep)
			rep->files++;
		YR_COMPILER *test;
		if ((rc = new_compiler(&test, &loud)))
			break;
		int n = add_src(test, &r->srcs[i], &loud);
		yr_compiler_destroy(test);
		if (n != 0) {
			if (rep)
				rep->files_failed++;
			continue;
		}
		if (add_src(main_c, &r->srcs[i], &quiet) == 0) {
			good[i] = true;
			continue;
		}
		/* It compiles alone but not with the others: say why, then rebuild. */
		yr_compiler_destroy(main_c);
		main_c = NULL;
		if ((rc = new_compiler(&main_c, &loud)))
			break;
		for (size_t j = 0; j < i; j++)
			if (good[j])
				add_src(main_c, &r->srcs[j], &quiet);
		add_src(main_c, &r->srcs[i], &loud);
		if (rep)
			rep->files_failed++;
		yr_compiler_destroy(main_c);
		main_c = NULL;
		if ((rc = new_compiler(&main_c, &quiet)))
			break;
		for (size_t j = 0; j < i; j++)
			if (good[j])
				add_src(main_c, &r->srcs[j], &quiet);
	}
compiled:
	if (!rc && yr_compiler_get_rules(main_c, &r->rules) != ERROR_SUCCESS)
		rc = AS_EENGINE;
	if (main_c)
		yr_compiler_destroy(main_c);
	free(good);
	if (rc)
		return rc;
	r->compiled = true;
	r->ninfo = r->rules->num_rules;
	r->info = calloc(r->ninfo ? r->ninfo : 1, sizeof *r->info);
	if (!r->info)
		return AS_ENOMEM;
	const YR_RULE *rule;
	yr_rules_foreach(r->rules, rule)
	{
		size_t i = (size_t)(rule - r->rules->rules_table);
		struct yara_rule_info *info = &r->info[i];
		const char *ns = rule->ns && rule->ns->name ? rule->ns->name : "default";
		char id[512];
		if (strcmp(ns, "default"))
			snprintf(id, sizeof id, "%s:%s", ns, rule->identifier);
		else
			snprintf(id, sizeof id, "%s", rule->identifier);
		info->id = arena_strndup(&r->arena, id, strlen(id));
		read_meta(r, rule, kb, info);
	}
	if (rep)
		rep->rules += r->ninfo;
	return 0;
}

size_t yara_rules_count(const struct yara_rules *r)
{
	return r ? r->ninfo : 0;
}

const struct yara_rule_info *yara_rules_info(const struct yara_rules *r, size_t i)
{
	return r && i < r->ninfo ? &r->info[i] : NULL;
}
