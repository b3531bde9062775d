/*
 * kbio.c — getting knowledge in and out: file import with format detection,
 * aptscope's own JSON-lines format (export and the bundled default), and
 * the copy of the kb kept in the store.
 *
 * The JSON-lines format is one object per line: a header
 * {"type":"aptscope-kb","version":1}, then groups, software, techniques,
 * campaigns, CVEs and conflicts, in the kb's own order, so exporting the
 * same knowledge twice gives the same bytes. The store keeps the same
 * objects, one row each (intel_object), with an alias table (intel_alias)
 * that SQL reports can join on; loading replays the rows through the same
 * parser. The store remembers a digest of the bundled default it took in
 * (intel_meta), so a newer default shipped with a newer aptscope is merged
 * into an existing store once, keeping what was imported. Several files given together are imported
 * in the order of precedence (our export, ATT&CK STIX, the mitre-* galaxies, the MISP threat-actor
 * galaxy, 360.net, the rest) whatever order they were named in.
 */
#include <jansson.h>
#include <sqlite3.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "core/arena.h"
#include "core/error.h"
#include "core/hash.h"
#include "core/json.h"
#include "core/json_scan.h"
#include "core/limits.h"
#include "core/timeparse.h"
#include "intel/kb_impl.h"
#include "read/input.h"
#include "read/walk.h"
#include "store/store.h"

#define KB_HEADER "{\"type\":\"aptscope-kb\",\"version\":1}"

/* --- writing ------------------------------------------------------------------ */

static void w_strv(struct jw *w, const char *key, const struct kb_strv *v)
{
	if (!v->n)
		return;
	jw_key(w, key);
	jw_arr(w);
	for (uint32_t i = 0; i < v->n; i++)
		jw_cstr(w, v->v[i]);
	jw_arr_end(w);
}

static void w_opt(struct jw *w, const char *key, const char *s)
{
	if (s && *s)
		jw_kcstr(w, key, s);
}

static void w_time(struct jw *w, const char *key, int64_t us)
{
	char t[AS_TIME_STRLEN];
	if (us != AS_TIME_NONE)
		jw_kcstr(w, key, time_format(us, t));
}

static void group_json(struct buf *b, const struct kb_group *g)
{
	struct jw w;
	jw_init(&w, b);
	jw_obj(&w);
	jw_kcstr(&w, "type", "group");
	jw_kcstr(&w, "name", g->name);
	w_opt(&w, "attack_id", g->attack_id);
	w_opt(&w, "country", g->country);
	if (g->country[0])
		jw_kint(&w, "country_rank", g->country_rank);
	else
		w_opt(&w, "region", g->region);
	w_opt(&w, "sponsor", g->sponsor);
	w_time(&w, "first_seen", g->first_seen);
	w_time(&w, "last_seen", g->last_seen);
	w_strv(&w, "aliases", &g->aliases);
	w_strv(&w, "sectors", &g->sectors);
	w_strv(&w, "victims", &g->victims);
	w_strv(&w, "techniques", &g->techniques);
	w_strv(&w, "software", &g->software);
	w_strv(&w, "campaigns", &g->campaigns);
	w_strv(&w, "indicators", &g->indicators);
	w_strv(&w, "refs", &g->refs);
	w_strv(&w, "sources", &g->sources);
	w_strv(&w, "uuids", &g->uuids);
	jw_obj_end(&w);
}

static void software_json(struct buf *b, const struct kb_software *s)
{
	struct jw w;
	jw_init(&w, b);
	jw_obj(&w);
	jw_kcstr(&w, "type", "software");
	jw_kcstr(&w, "name", s->name);
	w_opt(&w, "attack_id", s->attack_id);
	w_opt(&w, "kind", s->type);
	w_strv(&w, "aliases", &s->aliases);
	w_strv(&w, "platforms", &s->platforms);
	w_strv(&w, "groups", &s->groups);
	w_strv(&w, "techniques", &s->techniques);
	w_strv(&w, "uuids", &s->uuids);
	jw_obj_end(&w);
}

static void technique_json(struct buf *b, const struct kb_technique *t)
{
	struct jw w;
	jw_init(&w, b);
	jw_obj(&w);
	jw_kcstr(&w, "type", "technique");
	jw_kcstr(&w, "id", t->id);
	w_opt(&w, "name", t->name);
	w_opt(&w, "uuid", t->uuid);
	w_strv(&w, "tactics", &t->tactics);
	w_strv(&w, "platforms", &t->platforms);
	jw_obj_end(&w);
}

static void campaign_json(struct buf *b, const struct kb_campaign *c)
{
	struct jw w;
	jw_init(&w, b);
	jw_obj(&w);
	jw_kcstr(&w, "type", "campaign");
	jw_kcstr(&w, "name", c->name);
	w_opt(&w, "attack_id", c->attack_id);
	w_opt(&w, "group", c->group);
	w_time(&w, "first_seen", c->first_seen);
	w_time(&w, "last_seen", c->last_seen);
	w_strv(&w, "techniques", &c->techniques);
	w_strv(&w, "software", &c->software);
	w_strv(&w, "uuids", &c->uuids);
	jw_obj_end(&w);
}

static void cve_json(struct buf *b, const struct kb_cve *c)
{
	struct jw w;
	jw_init(&w, b);
	jw_obj(&w);
	jw_kcstr(&w, "type", "cve");
	jw_kcstr(&w, "id", c->id);
	w_time(&w, "published", c->published);
	w_time(&w, "fixed", c->fixed);
	w_time(&w, "kev_added", c->kev_added);
	jw_key(&w, "known_exploited");
	jw_bool(&w, c->known_exploited);
	w_strv(&w, "products", &c->products);
	w_strv(&w, "platforms", &c->platforms);
	jw_obj_end(&w);
}

static void conflict_json(struct buf *b, const struct kb_conflict *c)
{
	struct jw w;
	jw_init(&w, b);
	jw_obj(&w);
	jw_kcstr(&w, "type", "conflict");
	jw_kcstr(&w, "kind", c->kind);
	jw_kcstr(&w, "subject", c->subject);
	jw_kcstr(&w, "a", c->a);
	jw_kcstr(&w, "b", c->b);
	jw_obj_end(&w);
}

/* Call fn once per object, with its kind, name and JSON text. */
typedef int (*kb_obj_fn)(void *ctx, const char *kind, const char *name, struct slice json);

static int kb_each(const struct kb *kb, kb_obj_fn fn, void *ctx)
{
	struct buf b = BUF_INIT;
	int rc = 0;
#define EACH(arr, n, kind, namef, writer)                                                          \
	for (size_t i = 0; !rc && i < (n); i++) {                                                  \
		buf_reset(&b);                                                                     \
		writer(&b, (arr)[i]);                                                              \
		rc = b.err ? b.err : fn(ctx, kind, (arr)[i]->namef, buf_slice(&b));                \
	}
	EACH(kb->groups, kb->ngroups, "group", name, group_json)
	EACH(kb->sw, kb->nsw, "software", name, software_json)
	EACH(kb->tech, kb->ntech, "technique", id, technique_json)
	EACH(kb->camp, kb->ncamp, "campaign", name, campaign_json)
	EACH(kb->cves, kb->ncves, "cve", id, cve_json)
#undef EACH
	for (size_t i = 0; !rc && i < kb->nconf; i++) {
		buf_reset(&b);
		conflict_json(&b, &kb->conf[i]);
		rc = b.err ? b.err : fn(ctx, "conflict", kb->conf[i].subject, buf_slice(&b));
	}
	buf_free(&b);
	return rc;
}

static int export_line(void *ctx, const char *kind, const char *name, struct slice json)
{
	struct buf *out = ctx;
	buf_append_slice(out, json);
	return buf_putc(out, '\n');
}

int kb_export(const struct kb *kb, struct buf *out)
{
	buf_puts(out, KB_HEADER "\n");
	int rc = kb_each(kb, export_line, out);
	return rc ? rc : out->err;
}

/* --- reading our own format ------------------------------------------------------ */

/*
 * The fields the loaders below read from one object. A line of our own
 * format is a flat object of strings, integers, booleans and lists of
 * strings, so scan_flat reads it straight into these fields, without a
 * jansson tree (building and freeing the trees was two thirds of loading
 * the bundled default). A line scan_flat does not take whole — a \u escape,
 * a nested or null value, a key twice, a value of another type than its key
 * takes, a real number, bytes that are not UTF-8, anything jansson might see
 * otherwise — is parsed by jansson as before, into the same fields, so a
 * line loads, or is skipped with its reason, exactly as it was.
 */
#define KB_STR_KEYS(X)                                                                             \
	X(type)                                                                                    \
	X(name)                                                                                    \
	X(attack_id)                                                                               \
	X(country)                                                                                 \
	X(region)                                                                                  \
	X(sponsor)                                                                                 \
	X(first_seen)                                                                              \
	X(last_seen)                                                                               \
	X(kind)                                                                                    \
	X(id)                                                                                      \
	X(uuid)                                                                                    \
	X(group)                                                                                   \
	X(published)                                                                               \
	X(fixed)                                                                                   \
	X(kev_added)                                                                               \
	X(subject)                                                                                 \
	X(a)                                                                                       \
	X(b)
#define KB_LIST_KEYS(X)                                                                            \
	X(aliases)                                                                                 \
	X(sectors)                                                                                 \
	X(victims)                                                                                 \
	X(techniques)                                                                              \
	X(software)                                                                                \
	X(campaigns)                                                                               \
	X(indicators)                                                                              \
	X(refs)                                                                                    \
	X(sources)                                                                                 \
	X(uuids)                                                                                   \
	X(platforms)                                                                               \
	X(groups)                                                                                  \
	X(tactics)                                                                                 \
	X(products)

enum {
#define X(k) S_##k,
	KB_STR_KEYS(X)
#undef X
	    S_N
};
enum {
#define X(k) L_##k,
	KB_LIST_KEYS(X)
#undef X
	    L_N
};
/* every key of the format as one number: strings, lists, then these two */
enum { K_RANK = S_N + L_N, K_EXPLOITED, K_N };

static const char *const key_names[K_N] = {
#define X(k) #k,
    KB_STR_KEYS(X) KB_LIST_KEYS(X)
#undef X
	"country_rank",
    "known_exploited"};

struct kb_list {
	const char **v;
	uint32_t n, cap;
};

struct kb_fields {
	const char *s[S_N]; /* NULL: absent or not a string */
	struct kb_list l[L_N];
	bool has_rank, exploited;
	long long rank;
};

static int list_push(struct arena *a, struct kb_list *l, const char *s)
{
	if (l->n == l->cap) {
		uint32_t cap = l->cap ? l->cap * 2 : 8;
		const char **nv = arena_alloc(a, cap * sizeof *nv);
		if (!nv)
			return AS_ENOMEM;
		if (l->n)
			memcpy(nv, l->v, l->n * sizeof *nv);
		l->v = nv;
		l->cap = cap;
	}
	l->v[l->n++] = s;
	return 0;
}

/* The fields of a jansson object; its strings stay o's. */
static int fields_from_json(struct kb_fields *f, json_t *o, struct arena *a)
{
	memset(f, 0, sizeof *f);
	for (int i = 0; i < S_N; i++)
		f->s[i] = json_string_value(json_object_get(o, key_names[i]));
	for (int i = 0; i < L_N; i++) {
		size_t k;
		json_t *v;
		json_array_foreach(json_object_get(o, key_names[S_N + i]), k, v)
		{
			if (json_is_string(v) && list_push(a, &f->l[i], json_string_value(v)))
				return AS_ENOMEM;
		}
	}
	json_t *rank = json_object_get(o, "country_rank");
	f->has_rank = json_is_integer(rank);
	f->rank = json_integer_value(rank);
	f->exploited = json_is_true(json_object_get(o, "known_exploited"));
	return 0;
}

/* Strict UTF-8 (RFC 3629: no overlong forms, surrogates or code points
 * past U+10FFFF), as jansson demands of its input. */
static bool utf8_valid(struct slice s)
{
	const unsigned char *p = (const unsigned char *)s.ptr, *end = p + s.len;
	while (p < end) {
		unsigned c = *p, cp, min;
		size_t n;
		if (c < 0x80) {
			p++;
			continue;
		}
		if (c >= 0xc2 && c <= 0xdf) {
			n = 1, cp = c & 0x1f, min = 0x80;
		} else if (c >= 0xe0 && c <= 0xef) {
			n = 2, cp = c & 0x0f, min = 0x800;
		} else if (c >= 0xf0 && c <= 0xf4) {
			n = 3, cp = c & 0x07, min = 0x10000;
		} else {
			return false;
		}
		if ((size_t)(end - p) <= n)
			return false;
		for (size_t i = 1; i <= n; i++) {
			if ((p[i] & 0xc0) != 0x80)
				return false;
			cp = cp << 6 | (p[i] & 0x3f);
		}
		if (cp < min || cp > 0x10ffff || (cp >= 0xd800 && cp <= 0xdfff))
			return false;
		p += n + 1;
	}
	return true;
}

struct scan {
	const char *p, *end;
	struct arena *a;
};

static void skip_ws(struct scan *x)
{
	while (x->p < x->end && (*x->p == ' ' || *x->p == '\t' || *x->p == '\r' || *x->p == '\n'))
		x->p++;
}

static bool eat(struct scan *x, char c)
{
	skip_ws(x);
	if (x->p >= x->end || *x->p != c)
		return false;
	x->p++;
	return true;
}

/* A string after its opening quote, NUL-terminated in the arena, with the
 * one-character escapes undone; NULL for \u (left to jansson), a control
 * byte or no closing quote. */
static const char *scan_string(struct scan *x)
{
	const char *s = x->p;
	bool esc = false;
	for (;;) {
		x->p = json_str_stop(x->p, x->end);
		if (x->p >= x->end || (unsigned char)*x->p < 0x20)
			return NULL;
		if (*x->p == '"')
			break;
		if (x->end - x->p < 2)
			return NULL;
		esc = true; /* a backslash: the byte after it is taken as it is */
		x->p += 2;
	}
	size_t n = (size_t)(x->p - s), o = 0;
	x->p++;
	char *out = arena_alloc(x->a, n + 1);
	if (!out)
		return NULL;
	if (!esc) {
		memcpy(out, s, n);
		out[n] = 0;
		return out;
	}
	for (size_t i = 0; i < n; i++) {
		char c = s[i];
		if (c == '\\') {
			switch (s[++i]) {
			case '"':
				c = '"';
				break;
			case '\\':
				c = '\\';
				break;
			case '/':
				c = '/';
				break;
			case 'b':
				c = '\b';
				break;
			case 'f':
				c = '\f';
				break;
			case 'n':
				c = '\n';
				break;
			case 'r':
				c = '\r';
				break;
			case 't':
				c = '\t';
				break;
			default:
				return NULL;
			}
		}
		out[o++] = c;
	}
	out[o] = 0;
	return out;
}

/* An integer as JSON writes one (no fraction or exponent: jansson makes
 * those reals), of at most 18 digits so it cannot overflow. */
static bool scan_int(struct scan *x, long long *v)
{
	bool neg = x->p < x->end && *x->p == '-';
	const char *d = x->p + neg, *p = d;
	long long n = 0;
	while (p < x->end && *p >= '0' && *p <= '9') {
		if (p - d == 18)
			return false;
		n = n * 10 + (*p++ - '0');
	}
	if (p == d || (*d == '0' && p - d > 1) ||
	    (p < x->end && (*p == '.' || *p == 'e' || *p == 'E')))
		return false;
	x->p = p;
	*v = neg ? -n : n;
	return true;
}

static bool scan_word(struct scan *x, const char *w)
{
	size_t n = strlen(w);
	if ((size_t)(x->end - x->p) < n || memcmp(x->p, w, n))
		return false;
	x->p += n;
	return true;
}

#define KEY_LEN(name) (sizeof(name) - 1)
static const uint8_t key_lens[K_N] = {
#define X(k) KEY_LEN(#k),
    KB_STR_KEYS(X) KB_LIST_KEYS(X)
#undef X
	KEY_LEN("country_rank"),
    KEY_LEN("known_exploited")};

static int key_number(const char *k, size_t n)
{
	for (int i = 0; i < K_N; i++)
		if (key_lens[i] == n && !memcmp(key_names[i], k, n))
			return i;
	return -1;
}

/* One value of a key the loaders do not read: any scalar. */
static bool scan_other(struct scan *x)
{
	long long v;
	skip_ws(x);
	if (x->p < x->end && *x->p == '"') {
		x->p++;
		return scan_string(x) != NULL;
	}
	return scan_int(x, &v) || scan_word(x, "true") || scan_word(x, "false") ||
	       scan_word(x, "null");
}

/* The fields of a flat object line into f (strings in a); false: leave
 * the line to jansson. */
static bool scan_flat(struct slice line, struct arena *a, struct kb_fields *f)
{
	struct scan x = {line.ptr, line.ptr + line.len, a};
	uint64_t seen = 0;
	memset(f, 0, sizeof *f);
	if (!utf8_valid(line) || !eat(&x, '{'))
		return false;
	skip_ws(&x);
	if (x.p < x.end && *x.p == '}') {
		x.p++;
		goto end;
	}
	for (;;) {
		if (!eat(&x, '"'))
			return false;
		const char *k = x.p;
		while (x.p < x.end && *x.p != '"' && *x.p != '\\' && (unsigned char)*x.p >= 0x20)
			x.p++;
		if (x.p >= x.end || *x.p != '"')
			return false;
		int key = key_number(k, (size_t)(x.p++ - k));
		if (!eat(&x, ':'))
			return false;
		if (key >= 0) {
			if (seen >> key & 1)
				return false;
			seen |= 1ull << key;
		}
		if (key < 0) {
			if (!scan_other(&x))
				return false;
		} else if (key < S_N) {
			if (!eat(&x, '"') || !(f->s[key] = scan_string(&x)))
				return false;
		} else if (key < K_RANK) {
			struct kb_list *l = &f->l[key - S_N];
			if (!eat(&x, '['))
				return false;
			skip_ws(&x);
			if (x.p < x.end && *x.p == ']') {
				x.p++;
			} else {
				do {
					const char *s;
					if (!eat(&x, '"') || !(s = scan_string(&x)) ||
					    list_push(a, l, s))
						return false;
				} while (eat(&x, ','));
				if (!eat(&x, ']'))
					return false;
			}
		} else if (key == K_RANK) {
			skip_ws(&x);
			if (!scan_int(&x, &f->rank))
				return false;
			f->has_rank = true;
		} else {
			skip_ws(&x);
			if (scan_word(&x, "true"))
				f->exploited = true;
			else if (!scan_word(&x, "false"))
				return false;
		}
		if (eat(&x, ','))
			continue;
		if (eat(&x, '}'))
			break;
		return false;
	}
end:
	skip_ws(&x);
	return x.p == x.end;
}

static int64_t ftime(const struct kb_fields *f, int key)
{
	int64_t us;
	return f->s[key] && !time_parse_rfc3339(slice_cstr(f->s[key]), &us) ? us : AS_TIME_NONE;
}

static void fstrv(const struct kb_fields *f, int list, struct kb_strv *out)
{
	for (uint32_t i = 0; i < f->l[list].n; i++)
		strv_add_cstr(out, f->l[list].v[i]);
}

static int load_group(struct kb *kb, const struct kb_fields *f)
{
	struct kb_strv l[12] = {{0}};
	enum { AL, SE, VI, TE, SW, CA, IN, RE, SO, UU };
	static const int keys[] = {L_aliases,   L_sectors,    L_victims, L_techniques, L_software,
				   L_campaigns, L_indicators, L_refs,    L_sources,    L_uuids};
	for (int i = 0; i <= UU; i++)
		fstrv(f, keys[i], &l[i]);
	char iso[3];
	const char *cc = f->s[S_country];
	struct kb_grec r = {.source = "kb",
			    .rank = f->has_rank ? (int)f->rank : KB_RANK_STIX,
			    .name = slice_cstr(f->s[S_name]),
			    .exact = true,
			    .aliases = &l[AL],
			    .attack_id = f->s[S_attack_id],
			    .uuids = &l[UU],
			    .country = cc && intel_country_parse(slice_cstr(cc), iso) ? iso : NULL,
			    .country_text = cc,
			    .region = intel_region_name(slice_cstr(f->s[S_region])),
			    .sponsor = f->s[S_sponsor],
			    .sectors = &l[SE],
			    .victims = &l[VI],
			    .refs = &l[RE],
			    .techniques = &l[TE],
			    .software = &l[SW],
			    .campaigns = &l[CA],
			    .indicators = &l[IN],
			    .sources = &l[SO],
			    .first_seen = ftime(f, S_first_seen),
			    .last_seen = ftime(f, S_last_seen)};
	int rc = r.name.len ? kb_group_merge(kb, &r, NULL) : AS_EINVAL;
	for (int i = 0; i <= UU; i++)
		strv_free(&l[i]);
	return rc;
}

static int load_software(struct kb *kb, const struct kb_fields *f)
{
	struct kb_software *s;
	struct kb_strv uu = {0}, al = {0};
	fstrv(f, L_uuids, &uu);
	int rc = kb_software_get(kb, slice_cstr(f->s[S_name]), uu.n ? uu.v[0] : NULL, &s);
	for (uint32_t i = 1; !rc && i < uu.n; i++)
		rc = kb_software_get(kb, slice_cstr(s->name), uu.v[i], &s);
	strv_free(&uu);
	if (rc)
		return rc;
	const char *aid = f->s[S_attack_id], *kind = f->s[S_kind];
	if (aid && !s->attack_id && !(s->attack_id = strdup(aid)))
		return AS_ENOMEM;
	if (kind && !s->type && !(s->type = strdup(kind)))
		return AS_ENOMEM;
	fstrv(f, L_aliases, &al);
	if (aid)
		strv_add_cstr(&al, aid); /* resolves, but is not listed as an alias */
	for (uint32_t i = 0; !rc && i < al.n; i++)
		rc = kb_software_alias(kb, s, slice_cstr(al.v[i]));
	strv_free(&al);
	fstrv(f, L_platforms, &s->platforms);
	fstrv(f, L_groups, &s->groups);
	fstrv(f, L_techniques, &s->techniques);
	return rc == AS_ETOOBIG ? 0 : rc;
}

static int load_technique(struct kb *kb, const struct kb_fields *f)
{
	struct kb_technique *t;
	int rc = kb_technique_get(kb, slice_cstr(f->s[S_id]), f->s[S_uuid], &t);
	if (rc)
		return rc;
	const char *name = f->s[S_name];
	if (name && !t->name && !(t->name = strdup(name)))
		return AS_ENOMEM;
	fstrv(f, L_tactics, &t->tactics);
	fstrv(f, L_platforms, &t->platforms);
	return 0;
}

static int load_campaign(struct kb *kb, const struct kb_fields *f)
{
	struct kb_campaign *c;
	struct kb_strv uu = {0};
	fstrv(f, L_uuids, &uu);
	int rc = kb_campaign_get(kb, slice_cstr(f->s[S_name]), uu.n ? uu.v[0] : NULL, &c);
	for (uint32_t i = 1; !rc && i < uu.n; i++)
		rc = kb_campaign_get(kb, slice_cstr(c->name), uu.v[i], &c);
	strv_free(&uu);
	if (rc)
		return rc;
	const char *aid = f->s[S_attack_id], *g = f->s[S_group];
	if (aid && !c->attack_id && !(c->attack_id = strdup(aid)))
		return AS_ENOMEM;
	if (g && !c->group && !(c->group = strdup(g)))
		return AS_ENOMEM;
	int64_t first = ftime(f, S_first_seen), last = ftime(f, S_last_seen);
	if (first != AS_TIME_NONE)
		c->first_seen = first;
	if (last != AS_TIME_NONE)
		c->last_seen = last;
	fstrv(f, L_techniques, &c->techniques);
	fstrv(f, L_software, &c->software);
	return 0;
}

static int load_cve(struct kb *kb, const struct kb_fields *f)
{
	struct kb_cve *c;
	int rc = kb_cve_get(kb, slice_cstr(f->s[S_id]), &c);
	if (rc)
		return rc;
	int64_t t;
	if ((t = ftime(f, S_published)) != AS_TIME_NONE)
		c->published = t;
	if ((t = ftime(f, S_fixed)) != AS_TIME_NONE)
		c->fixed = t;
	if ((t = ftime(f, S_kev_added)) != AS_TIME_NONE)
		c->kev_added = t;
	c->known_exploited |= f->exploited;
	fstrv(f, L_products, &c->products);
	fstrv(f, L_platforms, &c->platforms);
	return 0;
}

static int load_object(struct kb *kb, const struct kb_fields *f)
{
	const char *type = f->s[S_type];
	if (!type)
		return AS_EINVAL;
	if (!strcmp(type, "group"))
		return load_group(kb, f);
	if (!strcmp(type, "software"))
		return load_software(kb, f);
	if (!strcmp(type, "technique"))
		return load_technique(kb, f);
	if (!strcmp(type, "campaign"))
		return load_campaign(kb, f);
	if (!strcmp(type, "cve"))
		return load_cve(kb, f);
	if (!strcmp(type, "conflict")) {
		const char *k = f->s[S_kind], *s = f->s[S_subject], *a = f->s[S_a], *b = f->s[S_b];
		bool was = kb->replaying;
		kb->replaying = false;
		int rc = k && s && a && b ? kb_conflict_add(kb, k, s, a, b) : AS_EINVAL;
		kb->replaying = was;
		return rc;
	}
	if (!strcmp(type, "aptscope-kb"))
		return 0;
	return AS_EINVAL;
}

/* One line; scratch holds its strings and is emptied for the next. */
static int load_line(struct kb *kb, struct slice line, const char *name, uint64_t rec,
		     struct diag_sink *diags, struct kb_import_stats *st, struct arena *scratch)
{
	line = slice_trim(line);
	if (!line.len)
		return 0;
	st->objects++;
	arena_reset(scratch);
	struct kb_fields f;
	json_t *o = NULL;
	if (!scan_flat(line, scratch, &f)) {
		json_error_t err;
		arena_reset(scratch);
		o = json_loadb(line.ptr, line.len, 0, &err);
		if (!json_is_object(o)) {
			kb_skip(diags, st, name, rec, "not a JSON object: %s", o ? "" : err.text);
			json_decref(o);
			return 0;
		}
		if (fields_from_json(&f, o, scratch)) {
			json_decref(o);
			return AS_ENOMEM;
		}
	}
	int rc = load_object(kb, &f);
	if (rc == AS_EINVAL || rc == AS_ETOOBIG) {
		kb_skip(diags, st, name, rec, "%s object not understood",
			f.s[S_type] ? f.s[S_type] : "untyped");
		rc = 0;
	}
	json_decref(o);
	return rc;
}

int intel_jsonl_import(struct kb *kb, const char *name, const char *data, size_t len,
		       struct diag_sink *diags, struct kb_import_stats *st)
{
	struct slice rest = slice_make(data, len), line;
	struct arena scratch;
	uint64_t rec = 0;
	int rc = 0;
	bool was = kb->replaying;
	kb->replaying = true;
	arena_init(&scratch, 0);
	while (!rc && rest.ptr) {
		rest = slice_cut(rest, '\n', &line);
		rc = load_line(kb, line, name, ++rec, diags, st, &scratch);
	}
	arena_free(&scratch);
	kb->replaying = was;
	return rc;
}

/* --- import: recognise the format ------------------------------------------------- */

int kb_import_mem(struct kb *kb, const char *name, const char *data, size_t len,
		  struct diag_sink *diags, struct kb_import_stats *st)
{
	struct kb_import_stats dummy = {0};
	if (!st)
		st = &dummy;
	struct slice s = slice_trim(slice_make(data, len));
	if (slice_starts(s, "\xef\xbb\xbf"))
		s = slice_sub(s, 3, s.len);
	if (slice_starts(s, "{\"type\":\"aptscope-kb\""))
		return intel_jsonl_import(kb, name, s.ptr, s.len, diags, st);
	if (slice_starts(s, "cveID,") || slice_starts(s, "\"cveID\","))
		return intel_kev_import_csv(kb, name, s.ptr, s.len, diags, st);
	if (!s.len || (s.ptr[0] != '{' && s.ptr[0] != '[')) {
		kb_skip(diags, st, name, 0, "not a format the knowledge base reads");
		return AS_EFORMAT;
	}
	json_error_t err;
	json_t *root = json_loadb(s.ptr, s.len, 0, &err);
	if (!root) {
		kb_skip(diags, st, name, 0, "JSON error at line %d column %d: %s", err.line,
			err.column, err.text);
		return AS_EPARSE;
	}
	int rc = AS_EFORMAT;
	const char *type = json_string_value(json_object_get(root, "type"));
	if (type && !strcmp(type, "bundle"))
		rc = intel_stix_import(kb, name, root, diags, st);
	else if (json_is_array(json_object_get(root, "values")) || json_is_array(root) ||
		 json_object_get(root, "Event") || json_object_get(root, "response"))
		rc = intel_misp_import(kb, name, root, diags, st);
	else if (json_is_array(json_object_get(root, "vulnerabilities")))
		rc = intel_cve_import_json(kb, name, root, diags, st);
	if (rc == AS_EFORMAT)
		kb_skip(diags, st, name, 0, "JSON but not STIX, MISP, NVD or KEV");
	json_decref(root);
	return rc;
}

static int read_all(const char *path, struct buf *b, struct diag *why)
{
	struct input *in;
	int rc = input_open(&in, path, why);
	if (rc)
		return rc;
	b->max = AS_MAX_KB_FILE + 1;
	for (;;) {
		if ((rc = buf_reserve(b, 1 << 20)))
			break;
		ssize_t n = input_read(in, b->data + b->len, b->cap - b->len - 1);
		if (n <= 0) {
			rc = (int)n;
			break;
		}
		b->len += (size_t)n;
		if (b->len > AS_MAX_KB_FILE) {
			rc = AS_ETOOBIG;
			break;
		}
	}
	input_close(in);
	if (!rc && b->data)
		b->data[b->len] = 0;
	return rc;
}

int kb_import_file(struct kb *kb, const char *path, struct diag_sink *diags,
		   struct kb_import_stats *st)
{
	struct kb_import_stats dummy = {0};
	if (!st)
		st = &dummy;
	struct buf b = BUF_INIT;
	struct diag why = {0};
	int rc = read_all(path, &b, &why);
	if (rc) {
		kb_skip(diags, st, path, 0, "%s", why.msg[0] ? why.msg : as_strerror(rc));
	} else {
		rc = kb_import_mem(kb, path, b.data ? b.data : "", b.len, diags, st);
	}
	buf_free(&b);
	return rc;
}

/* Where a file stands in the order of precedence, from its first bytes. */
static int file_rank(const char *path)
{
	struct input *in;
	struct diag why;
	char head[1 << 14];
	if (input_open(&in, path, &why))
		return 9;
	ssize_t n = input_read(in, head, sizeof head - 1);
	input_close(in);
	if (n <= 0)
		return 9;
	head[n] = 0;
	static const struct {
		const char *needle;
		int rank;
	} marks[] = {{"\"aptscope-kb\"", 0},         {"\"bundle\"", 1},
		     {"\"mitre-intrusion-set\"", 2}, {"\"mitre-", 2},
		     {"\"threat-actor\"", 3},        {"\"360net-threat-actor\"", 4}};
	int rank = 5;
	for (size_t i = 0; i < sizeof marks / sizeof marks[0]; i++)
		if (strstr(head, marks[i].needle) && marks[i].rank < rank)
			rank = marks[i].rank;
	return rank;
}

struct ranked {
	const char *path;
	int rank;
	size_t pos;
};

static int ranked_cmp(const void *a, const void *b)
{
	const struct ranked *x = a, *y = b;
	if (x->rank != y->rank)
		return x->rank < y->rank ? -1 : 1;
	return x->pos < y->pos ? -1 : x->pos > y->pos;
}

/* A MISP feed directory holds these beside its event files. */
static bool feed_index(const char *path)
{
	const char *base = strrchr(path, '/');
	base = base ? base + 1 : path;
	return !strcmp(base, "manifest.json") || !strcmp(base, "hashes.csv");
}

int kb_import_files(struct kb *kb, const char *const *paths, size_t n, struct diag_sink *diags,
		    struct kb_import_stats *total)
{
	/* directories (a MISP feed, a folder of galaxies) give their files */
	struct file_list files = {0};
	if (walk_paths((char *const *)paths, n, &files, diags))
		return AS_ENOMEM;
	n = files.n;
	struct ranked *r = calloc(n ? n : 1, sizeof *r);
	if (!r) {
		file_list_free(&files);
		return AS_ENOMEM;
	}
	size_t k = 0;
	for (size_t i = 0; i < n; i++) {
		if (feed_index(files.paths[i])) {
			kb_skip(diags, total, files.paths[i], 0,
				"MISP feed index: the feed's event files are read instead");
			continue;
		}
		r[k] = (struct ranked){files.paths[i], file_rank(files.paths[i]), i};
		k++;
	}
	n = k;
	qsort(r, n, sizeof *r, ranked_cmp);
	int rc = 0, first = 0;
	for (size_t i = 0; i < n && rc != AS_ENOMEM; i++) {
		struct kb_import_stats st = {0};
		rc = kb_import_file(kb, r[i].path, diags, &st);
		if (rc && !first)
			first = rc;
		if (total) {
			total->objects += st.objects;
			total->groups += st.groups;
			total->software += st.software;
			total->techniques += st.techniques;
			total->campaigns += st.campaigns;
			total->relationships += st.relationships;
			total->cves += st.cves;
			total->indicators += st.indicators;
			total->skipped += st.skipped;
		}
	}
	free(r);
	file_list_free(&files);
	return rc == AS_ENOMEM ? rc : first;
}

int kb_load_files(struct kb **out, const char *const *paths, size_t n, struct diag_sink *diags)
{
	struct kb *kb;
	int rc = kb_new(&kb);
	if (rc)
		return rc;
	if ((rc = kb_import_files(kb, paths, n, diags, NULL))) {
		kb_free(kb);
		return rc;
	}
	*out = kb;
	return 0;
}

const char *kb_default_path(char *dst, size_t cap)
{
	const char *dir = getenv("APTSCOPE_DATA");
	if (!dir || !*dir)
		dir = APTSCOPE_DATA_DIR;
	snprintf(dst, cap, "%s/intel/kb.jsonl.gz", dir);
	return dst;
}

int kb_load_default(struct kb **out, struct diag_sink *diags)
{
	char path[4096];
	const char *p = kb_default_path(path, sizeof path);
	return kb_load_files(out, &p, 1, diags);
}

/* --- the store -------------------------------------------------------------------- */

static const char *const intel_steps[] = {
    /* 0 → 1 */
    "CREATE TABLE intel_object ("
    "  seq INTEGER PRIMARY KEY,"
    "  kind TEXT NOT NULL,"
    "  name TEXT NOT NULL,"
    "  doc TEXT NOT NULL);"
    "CREATE INDEX intel_object_name ON intel_object(kind, name);"
    "CREATE TABLE intel_alias ("
    "  alias TEXT PRIMARY KEY," /* lower-case */
    "  group_name TEXT NOT NULL);"
    "CREATE TABLE intel_meta (key TEXT PRIMARY KEY, value TEXT);",
};

struct saver {
	sqlite3 *db;
	sqlite3_stmt *obj, *alias;
	const struct kb *kb;
};

static int save_object(void *ctx, const char *kind, const char *name, struct slice json)
{
	struct saver *s = ctx;
	sqlite3_reset(s->obj);
	sqlite3_bind_text(s->obj, 1, kind, -1, SQLITE_STATIC);
	sqlite3_bind_text(s->obj, 2, name, -1, SQLITE_STATIC);
	sqlite3_bind_text(s->obj, 3, json.ptr, (int)json.len, SQLITE_STATIC);
	return sqlite3_step(s->obj) == SQLITE_DONE ? 0 : AS_EDB;
}

static int exec(sqlite3 *db, const char *sql)
{
	return sqlite3_exec(db, sql, NULL, NULL, NULL) == SQLITE_OK ? 0 : AS_EDB;
}

int kb_save(const struct kb *kb, struct store *st)
{
	int rc =
	    store_migrate(st, "intel", intel_steps, sizeof intel_steps / sizeof intel_steps[0]);
	if (rc || (rc = store_flush(st)))
		return rc;
	struct saver s = {.db = store_sqlite(st), .kb = kb};
	if ((rc = exec(s.db, "BEGIN IMMEDIATE")))
		return rc;
	if ((rc = exec(s.db, "DELETE FROM intel_object; DELETE FROM intel_alias;")))
		goto out;
	if (sqlite3_prepare_v2(s.db, "INSERT INTO intel_object(kind, name, doc) VALUES (?,?,?)", -1,
			       &s.obj, NULL) != SQLITE_OK ||
	    sqlite3_prepare_v2(s.db, "INSERT OR IGNORE INTO intel_alias VALUES (?,?)", -1, &s.alias,
			       NULL) != SQLITE_OK) {
		rc = AS_EDB;
		goto out;
	}
	if ((rc = kb_each(kb, save_object, &s)))
		goto out;
	for (size_t i = 0; i < kb->ngroups && !rc; i++) {
		const struct kb_group *g = kb->groups[i];
		for (uint32_t k = 0; k <= g->aliases.n && !rc; k++) {
			const char *a = k < g->aliases.n ? g->aliases.v[k] : g->name;
			char low[AS_MAX_KB_STRING + 1];
			if (kb_key_lower(slice_cstr(a), low, sizeof low) < 0)
				continue;
			sqlite3_reset(s.alias);
			sqlite3_bind_text(s.alias, 1, low, -1, SQLITE_TRANSIENT);
			sqlite3_bind_text(s.alias, 2, g->name, -1, SQLITE_STATIC);
			rc = sqlite3_step(s.alias) == SQLITE_DONE ? 0 : AS_EDB;
		}
	}
	if (!rc)
		rc = exec(s.db, "INSERT OR REPLACE INTO intel_meta VALUES ('seeded', '1')");
out:
	sqlite3_finalize(s.obj);
	sqlite3_finalize(s.alias);
	if (!rc)
		return exec(s.db, "COMMIT");
	exec(s.db, "ROLLBACK");
	return rc;
}

/* A digest of the bundled default's bytes as stored, "" when it is missing:
 * a store seeded from an older default takes in a newer one. */
static void default_digest(char out[17])
{
	char path[4096];
	struct buf b = BUF_INIT;
	out[0] = 0;
	FILE *f = fopen(kb_default_path(path, sizeof path), "rb");
	if (!f)
		return;
	b.max = AS_MAX_KB_FILE;
	size_t n;
	while (!buf_reserve(&b, 1 << 16) && (n = fread(b.data + b.len, 1, b.cap - b.len, f)) > 0)
		b.len += n;
	fclose(f);
	if (!b.err)
		snprintf(out, 17, "%016llx",
			 (unsigned long long)hash_bytes_seeded(b.data, b.len, 0x6b622d64656661ull));
	buf_free(&b);
}

static int meta_get(sqlite3 *db, const char *key, char *val, size_t cap)
{
	sqlite3_stmt *q;
	if (sqlite3_prepare_v2(db, "SELECT value FROM intel_meta WHERE key = ?", -1, &q, NULL) !=
	    SQLITE_OK)
		return AS_EDB;
	sqlite3_bind_text(q, 1, key, -1, SQLITE_STATIC);
	int rc = AS_ENOTFOUND;
	if (sqlite3_step(q) == SQLITE_ROW) {
		const char *v = (const char *)sqlite3_column_text(q, 0);
		snprintf(val, cap, "%s", v ? v : "");
		rc = 0;
	}
	sqlite3_finalize(q);
	return rc;
}

static int meta_put(sqlite3 *db, const char *key, const char *val)
{
	sqlite3_stmt *q;
	if (sqlite3_prepare_v2(db, "INSERT OR REPLACE INTO intel_meta VALUES (?, ?)", -1, &q,
			       NULL) != SQLITE_OK)
		return AS_EDB;
	sqlite3_bind_text(q, 1, key, -1, SQLITE_STATIC);
	sqlite3_bind_text(q, 2, val, -1, SQLITE_STATIC);
	int rc = sqlite3_step(q) == SQLITE_DONE ? 0 : AS_EDB;
	sqlite3_finalize(q);
	return rc;
}

static int kb_load_store(struct kb **out, sqlite3 *db);

int kb_open(struct kb **out, struct store *st)
{
	int rc =
	    store_migrate(st, "intel", intel_steps, sizeof intel_steps / sizeof intel_steps[0]);
	if (rc)
		return rc;
	sqlite3 *db = store_sqlite(st);
	char digest[17], seen[64];
	default_digest(digest);
	bool seeded = !meta_get(db, "seeded", seen, sizeof seen);
	bool fresh =
	    digest[0] && (meta_get(db, "default", seen, sizeof seen) || strcmp(seen, digest));
	struct kb *kb;
	if (!seeded && !digest[0])
		return kb_new(out); /* no bundled default (a trimmed install): start empty */
	if ((rc = seeded ? kb_load_store(&kb, db) : kb_new(&kb)))
		return rc;
	if (fresh) {
		/* first use, or a newer bundled default: merge it in and keep it */
		char path[4096];
		if ((rc = kb_import_file(kb, kb_default_path(path, sizeof path), NULL, NULL)) ||
		    (rc = kb_save(kb, st)) || (rc = meta_put(db, "default", digest))) {
			kb_free(kb);
			return rc;
		}
	}
	*out = kb;
	return 0;
}

static int kb_load_store(struct kb **out, sqlite3 *db)
{
	sqlite3_stmt *q;
	struct kb *kb;
	int rc;
	if ((rc = kb_new(&kb)))
		return rc;
	if (sqlite3_prepare_v2(db, "SELECT doc FROM intel_object ORDER BY seq", -1, &q, NULL) !=
	    SQLITE_OK) {
		kb_free(kb);
		return AS_EDB;
	}
	struct kb_import_stats ist = {0};
	struct arena scratch;
	uint64_t rec = 0;
	int step;
	kb->replaying = true;
	arena_init(&scratch, 0);
	while (!rc && (step = sqlite3_step(q)) == SQLITE_ROW) {
		const char *doc = (const char *)sqlite3_column_text(q, 0);
		int n = sqlite3_column_bytes(q, 0);
		rc = load_line(kb, slice_make(doc ? doc : "", doc ? (size_t)n : 0), "store:intel",
			       ++rec, NULL, &ist, &scratch);
	}
	arena_free(&scratch);
	sqlite3_finalize(q);
	kb->replaying = false;
	if (rc) {
		kb_free(kb);
		return rc;
	}
	*out = kb;
	return 0;
}
