/*
 * kb.c — the knowledge base's objects, name maps and the merge of groups.
 *
 * A group record from a source is matched against the groups already known
 * by weighted evidence: its ATT&CK id (decisive), its own UUIDs, UUIDs that
 * earlier records linked to it ("related"), its name, then its aliases. The
 * best-scoring group takes it; two different ATT&CK ids never merge. Each
 * alias belongs to exactly one group: the first source to claim it keeps
 * it (sources are imported in precedence order), except that 360.net
 * records take their own APT-C numbers. Whatever is not taken is listed as
 * a conflict with both sides, so nothing is lost silently.
 */
#include <ctype.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>

#include "core/error.h"
#include "core/hash.h"
#include "core/limits.h"
#include "core/timeparse.h"
#include "intel/kb_impl.h"

/* --- string lists --------------------------------------------------------- */

/* Eight bytes with their ASCII capitals made small, all at once: a byte
 * is a capital when its low seven bits are at least 'A' (adding 0x3f sets
 * its top bit) but not above 'Z' (adding 0x25 does not) and its top bit is
 * clear; then 0x20 is set in it. */
static inline uint64_t fold8(uint64_t x)
{
	uint64_t low = x & 0x7f7f7f7f7f7f7f7full;
	uint64_t up = ((low + 0x3f3f3f3f3f3f3f3full) ^ (low + 0x2525252525252525ull)) & ~x &
		      0x8080808080808080ull;
	return x | up >> 2;
}

/* The key of s: its length and its first and last eight bytes, case
 * folded (the lists hold URLs of a hundred bytes: hashing all of every
 * string cost more than the comparisons it saves). Strings equal but for
 * ASCII case have equal keys. */
static uint32_t strv_key(struct slice s)
{
	uint64_t a = 0, b = 0;
	if (s.len >= 8) {
		memcpy(&a, s.ptr, 8);
		memcpy(&b, s.ptr + s.len - 8, 8);
	} else if (s.len) {
		memcpy(&a, s.ptr, s.len);
	}
	return (uint32_t)hash_fold(fold8(a) ^ HASH_K0, fold8(b) ^ s.len);
}

static bool strv_find(const struct kb_strv *v, struct slice s, uint32_t key)
{
	for (uint32_t i = 0; i < v->n; i++)
		if (v->keys[i] == key && slice_eq_nocase(slice_cstr(v->v[i]), s))
			return true;
	return false;
}

bool strv_has(const struct kb_strv *v, struct slice s)
{
	return v->n && strv_find(v, s, strv_key(s));
}

int strv_add(struct kb_strv *v, struct slice s)
{
	s = slice_trim(s);
	if (!s.len || s.len > AS_MAX_KB_STRING || memchr(s.ptr, 0, s.len))
		return s.len > AS_MAX_KB_STRING ? AS_ETOOBIG : 0;
	uint32_t key = strv_key(s);
	if (strv_find(v, s, key))
		return 0;
	if (v->n >= AS_MAX_KB_LIST)
		return AS_ETOOBIG;
	if (v->n == v->cap) {
		uint32_t cap = v->cap ? v->cap * 2 : 4;
		char **nv = realloc(v->v, cap * sizeof *nv);
		if (!nv)
			return AS_ENOMEM;
		v->v = nv;
		uint32_t *nk = realloc(v->keys, cap * sizeof *nk);
		if (!nk)
			return AS_ENOMEM; /* v->v is only larger than it needs to be */
		v->keys = nk;
		v->cap = cap;
	}
	char *c = strndup(s.ptr, s.len);
	if (!c)
		return AS_ENOMEM;
	v->keys[v->n] = key;
	v->v[v->n++] = c;
	return 0;
}

int strv_add_cstr(struct kb_strv *v, const char *s)
{
	return s ? strv_add(v, slice_cstr(s)) : 0;
}

void strv_remove(struct kb_strv *v, uint32_t i, bool keep_order)
{
	if (i >= v->n)
		return;
	free(v->v[i]);
	v->n--;
	if (keep_order) {
		memmove(&v->v[i], &v->v[i + 1], (v->n - i) * sizeof *v->v);
		memmove(&v->keys[i], &v->keys[i + 1], (v->n - i) * sizeof *v->keys);
	} else {
		v->v[i] = v->v[v->n];
		v->keys[i] = v->keys[v->n];
	}
}

void strv_free(struct kb_strv *v)
{
	if (!v)
		return;
	for (uint32_t i = 0; i < v->n; i++)
		free(v->v[i]);
	free(v->v);
	free(v->keys);
	*v = (struct kb_strv){0};
}

static int strv_merge(struct kb_strv *dst, const struct kb_strv *src)
{
	int rc = 0;
	for (uint32_t i = 0; src && i < src->n; i++) {
		int e = strv_add_cstr(dst, src->v[i]);
		if (e == AS_ENOMEM)
			return e;
		if (e && !rc)
			rc = e; /* too many: keep what fits, say so once */
	}
	return rc;
}

/* --- keys ------------------------------------------------------------------ */

long kb_key_lower(struct slice s, char *dst, size_t cap)
{
	return slice_lower(slice_trim(s), dst, cap);
}

long kb_key_fold(struct slice s, char *dst, size_t cap)
{
	size_t n = 0;
	s = slice_trim(s);
	for (size_t i = 0; i < s.len; i++) {
		unsigned char c = (unsigned char)s.ptr[i];
		if (c == ' ' || c == '-' || c == '_' || c == '.' || c == '\t')
			continue;
		if (n + 1 >= cap)
			return -1;
		dst[n++] = (char)tolower(c);
	}
	dst[n] = 0;
	return (long)n;
}

struct slice kb_uuid_part(struct slice id)
{
	for (size_t i = 0; i + 1 < id.len; i++)
		if (id.ptr[i] == '-' && id.ptr[i + 1] == '-')
			return slice_sub(id, i + 2, id.len);
	return id;
}

/* --- life cycle ------------------------------------------------------------ */

int kb_new(struct kb **out)
{
	struct kb *kb = calloc(1, sizeof *kb);
	if (!kb)
		return AS_ENOMEM;
	struct map *maps[] = {&kb->alias,     &kb->folded,    &kb->uuid,      &kb->pending,
			      &kb->sw_name,   &kb->sw_folded, &kb->sw_uuid,   &kb->tech_id,
			      &kb->tech_uuid, &kb->camp_name, &kb->camp_uuid, &kb->cve_id,
			      &kb->conf_seen};
	for (size_t i = 0; i < sizeof maps / sizeof maps[0]; i++) {
		map_init(maps[i]);
		maps[i]->max = AS_MAX_KB_OBJECTS;
	}
	*out = kb;
	return 0;
}

static void group_free(struct kb_group *g)
{
	if (!g)
		return;
	free(g->name);
	free(g->attack_id);
	free(g->sponsor);
	struct kb_strv *l[] = {&g->aliases,  &g->sectors,   &g->victims,    &g->techniques,
			       &g->software, &g->campaigns, &g->indicators, &g->refs,
			       &g->sources,  &g->uuids};
	for (size_t i = 0; i < sizeof l / sizeof l[0]; i++)
		strv_free(l[i]);
	free(g);
}

void kb_free(struct kb *kb)
{
	if (!kb)
		return;
	for (size_t i = 0; i < kb->ngroups; i++)
		group_free(kb->groups[i]);
	free(kb->groups);
	for (size_t i = 0; i < kb->nsw; i++) {
		struct kb_software *s = kb->sw[i];
		free(s->name);
		free(s->attack_id);
		free(s->type);
		strv_free(&s->aliases);
		strv_free(&s->platforms);
		strv_free(&s->groups);
		strv_free(&s->uuids);
		strv_free(&s->techniques);
		free(s);
	}
	free(kb->sw);
	for (size_t i = 0; i < kb->ntech; i++) {
		struct kb_technique *t = kb->tech[i];
		free(t->id);
		free(t->name);
		free(t->parent);
		free(t->uuid);
		strv_free(&t->tactics);
		strv_free(&t->platforms);
		free(t);
	}
	free(kb->tech);
	for (size_t i = 0; i < kb->ncamp; i++) {
		struct kb_campaign *c = kb->camp[i];
		free(c->name);
		free(c->attack_id);
		free(c->group);
		strv_free(&c->techniques);
		strv_free(&c->software);
		strv_free(&c->uuids);
		free(c);
	}
	free(kb->camp);
	for (size_t i = 0; i < kb->ncves; i++) {
		strv_free(&kb->cves[i]->products);
		strv_free(&kb->cves[i]->platforms);
		free(kb->cves[i]);
	}
	free(kb->cves);
	for (size_t i = 0; i < kb->nconf; i++) {
		free(kb->conf[i].kind);
		free(kb->conf[i].subject);
		free(kb->conf[i].a);
		free(kb->conf[i].b);
	}
	free(kb->conf);
	for (size_t i = 0; i < kb->nassets; i++) {
		free(kb->assets[i].value);
		free(kb->assets[i].org);
		free(kb->assets[i].sector);
		free(kb->assets[i].country);
	}
	free(kb->assets);
	struct map *maps[] = {&kb->alias,     &kb->folded,    &kb->uuid,      &kb->pending,
			      &kb->sw_name,   &kb->sw_folded, &kb->sw_uuid,   &kb->tech_id,
			      &kb->tech_uuid, &kb->camp_name, &kb->camp_uuid, &kb->cve_id,
			      &kb->conf_seen};
	for (size_t i = 0; i < sizeof maps / sizeof maps[0]; i++)
		map_free(maps[i]);
	free(kb);
}

/* Grow an array of pointers by one slot. */
static int grow(void *arrp, size_t *n, size_t *cap)
{
	void ***arr = arrp;
	if (*n >= AS_MAX_KB_OBJECTS)
		return AS_ETOOBIG;
	if (*n < *cap)
		return 0;
	size_t nc = *cap ? *cap * 2 : 64;
	void **na = realloc(*arr, nc * sizeof *na);
	if (!na)
		return AS_ENOMEM;
	*arr = na;
	*cap = nc;
	return 0;
}

/* --- conflicts -------------------------------------------------------------- */

int kb_conflict_add(struct kb *kb, const char *kind, const char *subject, const char *a,
		    const char *b)
{
	if (kb->replaying)
		return 0;
	char key[4 * 256];
	int n = snprintf(key, sizeof key, "%s\x1f%s\x1f%s\x1f%s", kind, subject, a, b);
	if (n < 0)
		return AS_EINVAL;
	bool existed = false;
	int rc = map_put(&kb->conf_seen, slice_make(key, strlen(key)), 1, &existed);
	if (rc || existed)
		return rc;
	if (kb->nconf >= AS_MAX_KB_CONFLICTS)
		return AS_ETOOBIG;
	if (kb->nconf == kb->capconf) {
		size_t nc = kb->capconf ? kb->capconf * 2 : 64;
		struct kb_conflict *na = realloc(kb->conf, nc * sizeof *na);
		if (!na)
			return AS_ENOMEM;
		kb->conf = na;
		kb->capconf = nc;
	}
	struct kb_conflict *c = &kb->conf[kb->nconf];
	c->kind = strdup(kind);
	c->subject = strdup(subject);
	c->a = strdup(a);
	c->b = strdup(b);
	if (!c->kind || !c->subject || !c->a || !c->b) {
		free(c->kind);
		free(c->subject);
		free(c->a);
		free(c->b);
		return AS_ENOMEM;
	}
	kb->nconf++;
	return 0;
}

/* --- groups ------------------------------------------------------------------ */

static bool is_apt_c(struct slice s)
{
	char f[64];
	long n = kb_key_fold(s, f, sizeof f);
	if (n < 5 || strncmp(f, "aptc", 4))
		return false;
	for (long i = 4; i < n; i++)
		if (!isdigit((unsigned char)f[i]))
			return false;
	return true;
}

static struct kb_group *lookup_group(const struct kb *kb, struct slice s, bool *folded)
{
	char key[AS_MAX_KB_STRING + 1];
	uint64_t v;
	if (folded)
		*folded = false;
	if (kb_key_lower(s, key, sizeof key) < 0)
		return NULL;
	if (map_get(&kb->alias, slice_cstr(key), &v))
		return kb->groups[v];
	long n = kb_key_fold(s, key, sizeof key);
	if (n > 0 && map_get(&kb->folded, slice_make(key, (size_t)n), &v)) {
		if (folded)
			*folded = true;
		return kb->groups[v];
	}
	return NULL;
}

/* The group whose canonical name is s with " Group" or " Team" after it
 * ("Lazarus" → Lazarus Group), other than not; NULL when there is none. */
static struct kb_group *short_name_owner(const struct kb *kb, struct slice s,
					 const struct kb_group * not )
{
	static const char *const suffix[] = {" group", " team"};
	char full[AS_MAX_KB_STRING + 1];
	s = slice_trim(s);
	for (size_t i = 0; i < sizeof suffix / sizeof *suffix; i++) {
		size_t sl = strlen(suffix[i]);
		if (!s.len || s.len + sl >= sizeof full)
			return NULL;
		memcpy(full, s.ptr, s.len);
		memcpy(full + s.len, suffix[i], sl + 1);
		struct kb_group *h = lookup_group(kb, slice_cstr(full), NULL);
		if (h && h != not &&slice_eq_nocase(slice_cstr(h->name), slice_cstr(full)))
			return h;
	}
	return NULL;
}

/* Give alias to g unless another group holds it; authoritative sources take
 * it over. Either way a disagreement becomes a conflict. */
static int alias_claim(struct kb *kb, struct kb_group *g, struct slice alias, const char *source,
		       bool authoritative)
{
	char key[AS_MAX_KB_STRING + 1];
	alias = slice_trim(alias);
	if (!alias.len || kb_key_lower(alias, key, sizeof key) < 0)
		return 0;
	uint64_t v;
	int rc;
	/* a group's own canonical name beats another group's alias (ATT&CK lists
	 * "Thrip" as an alias of Lotus Blossom and as the name of G0076) */
	if (slice_eq_nocase(slice_cstr(g->name), alias) &&
	    map_get(&kb->alias, slice_cstr(key), &v) && v != g->id &&
	    !slice_eq_nocase(slice_cstr(kb->groups[v]->name), alias))
		authoritative = true;
	/* a short name of another group's canonical name stays with g, but
	 * look-ups prefer that group (kb_group_find): say so */
	struct kb_group *owner = short_name_owner(kb, alias, g);
	if (owner && !slice_eq_nocase(slice_cstr(g->name), alias)) {
		char a[512], b[512], subj[256];
		snprintf(subj, sizeof subj, "%.*s", SLICE_ARG(alias));
		snprintf(a, sizeof a, "%s (short name)", owner->name);
		snprintf(b, sizeof b, "%s (%s)", g->name, source);
		if ((rc = kb_conflict_add(kb, "short-name", subj, a, b)))
			return rc;
	}
	if (map_get(&kb->alias, slice_cstr(key), &v) && v != g->id) {
		struct kb_group *h = kb->groups[v];
		char a[512], b[512], subj[256];
		snprintf(subj, sizeof subj, "%.*s", SLICE_ARG(alias));
		if (!authoritative) {
			snprintf(a, sizeof a, "%s", h->name);
			snprintf(b, sizeof b, "%s (%s)", g->name, source);
			return kb_conflict_add(kb, is_apt_c(alias) ? "apt-c" : "alias", subj, a, b);
		}
		snprintf(a, sizeof a, "%s (%s)", g->name, source);
		snprintf(b, sizeof b, "%s", h->name);
		if ((rc = kb_conflict_add(kb, is_apt_c(alias) ? "apt-c" : "alias", subj, a, b)))
			return rc;
		/* take it away from h: its list must not name it any more */
		for (uint32_t i = 0; i < h->aliases.n; i++)
			if (slice_eq_nocase(slice_cstr(h->aliases.v[i]), alias)) {
				strv_remove(&h->aliases, i, false);
				break;
			}
	}
	if ((rc = map_put(&kb->alias, slice_cstr(key), g->id, NULL)))
		return rc;
	long n = kb_key_fold(alias, key, sizeof key);
	if (n >= 3) {
		bool existed;
		uint64_t cur = g->id;
		if ((rc = map_put_new(&kb->folded, slice_make(key, (size_t)n), &cur, &existed)))
			return rc;
		if (existed && cur != g->id) {
			if (authoritative) {
				if ((rc = map_put(&kb->folded, slice_make(key, (size_t)n), g->id,
						  NULL)))
					return rc;
			} else {
				char b[512], subj[256];
				snprintf(subj, sizeof subj, "%.*s", SLICE_ARG(alias));
				snprintf(b, sizeof b, "%s (%s)", g->name, source);
				if ((rc = kb_conflict_add(kb, "folded-alias", subj,
							  kb->groups[cur]->name, b)))
					return rc;
			}
		}
	}
	if (!slice_eq_nocase(slice_cstr(g->name), alias) && !strv_has(&g->aliases, alias) &&
	    !(g->attack_id && slice_eq_nocase_cstr(alias, g->attack_id)))
		return strv_add(&g->aliases, alias);
	return 0;
}

int kb_uuid_register(struct kb *kb, struct map *m, struct slice uuid, uint64_t idx)
{
	char key[128];
	uuid = kb_uuid_part(slice_trim(uuid));
	if (!uuid.len || kb_key_lower(uuid, key, sizeof key) < 0)
		return 0;
	bool existed;
	uint64_t cur = idx;
	return map_put_new(m, slice_cstr(key), &cur, &existed);
}

static bool uuid_get(const struct map *m, struct slice uuid, uint64_t *v)
{
	char key[128];
	uuid = kb_uuid_part(slice_trim(uuid));
	if (!uuid.len || kb_key_lower(uuid, key, sizeof key) < 0)
		return false;
	return map_get(m, slice_cstr(key), v);
}

struct kb_group *kb_group_by_uuid(struct kb *kb, struct slice uuid)
{
	uint64_t v;
	return uuid_get(&kb->uuid, uuid, &v) ? kb->groups[v] : NULL;
}

struct cand {
	struct kb_group *g;
	int score;
	bool named; /* an id or a name says so, not only a "similar" link */
};

static void vote(struct cand *c, size_t *n, size_t cap, struct kb_group *g, int score, bool named)
{
	if (!g)
		return;
	for (size_t i = 0; i < *n; i++)
		if (c[i].g == g) {
			c[i].score += score;
			c[i].named |= named;
			return;
		}
	if (*n < cap)
		c[(*n)++] = (struct cand){g, score, named};
}

static int new_group(struct kb *kb, struct slice name, struct kb_group **out)
{
	int rc = grow(&kb->groups, &kb->ngroups, &kb->capgroups);
	if (rc)
		return rc;
	struct kb_group *g = calloc(1, sizeof *g);
	if (!g || !(g->name = strndup(name.ptr, name.len))) {
		free(g);
		return AS_ENOMEM;
	}
	g->id = (uint32_t)kb->ngroups;
	g->first_seen = g->last_seen = AS_TIME_NONE;
	g->country_rank = KB_RANK_NONE;
	kb->groups[kb->ngroups++] = g;
	*out = g;
	return 0;
}

int kb_group_merge(struct kb *kb, const struct kb_grec *r, struct kb_group **out)
{
	struct cand c[64];
	size_t nc = 0;
	uint64_t v;
	int rc;
	struct slice name = slice_trim(r->name);
	if (!name.len || name.len > AS_MAX_KB_STRING)
		return AS_EINVAL;
	/* gather the evidence */
	if (r->attack_id)
		vote(c, &nc, 64, lookup_group(kb, slice_cstr(r->attack_id), NULL), 1000, true);
	for (uint32_t i = 0; r->uuids && i < r->uuids->n; i++) {
		if (uuid_get(&kb->uuid, slice_cstr(r->uuids->v[i]), &v))
			vote(c, &nc, 64, kb->groups[v], 100, true);
		if (uuid_get(&kb->pending, slice_cstr(r->uuids->v[i]), &v))
			vote(c, &nc, 64, kb->groups[v], 20, false);
	}
	for (uint32_t i = 0; r->related && i < r->related->n; i++)
		if (uuid_get(&kb->uuid, slice_cstr(r->related->v[i]), &v))
			vote(c, &nc, 64, kb->groups[v], 20, false);
	bool folded;
	struct kb_group *byname = lookup_group(kb, name, &folded);
	/* the same canonical name is strong evidence; an alias of it less so */
	if (!r->exact || !folded) {
		int w = 10;
		if (folded)
			w = 6;
		else if (byname && slice_eq_nocase(slice_cstr(byname->name), name))
			w = 50;
		vote(c, &nc, 64, byname, w, true);
	}
	for (uint32_t i = 0; !r->exact && r->aliases && i < r->aliases->n; i++)
		vote(c, &nc, 64, lookup_group(kb, slice_cstr(r->aliases->v[i]), NULL), 3, true);
	for (uint32_t i = 0; r->apt_c && i < r->apt_c->n; i++)
		vote(c, &nc, 64, lookup_group(kb, slice_cstr(r->apt_c->v[i]), NULL), 3, true);
	/* two ATT&CK groups are never one, unless ATT&CK revoked the one id in
	 * favour of the other (then the old id is an alias of the group) */
	struct kb_group *holder =
	    r->attack_id ? lookup_group(kb, slice_cstr(r->attack_id), NULL) : NULL;
	if (r->attack_id)
		for (size_t i = 0; i < nc; i++)
			if (c[i].g->attack_id && strcasecmp(c[i].g->attack_id, r->attack_id) &&
			    c[i].g != holder)
				c[i].score = -1;
	/* a "similar" link alone does not make two groups one (MISP links
	 * Longhorn to Equation as similar; 360.net tells CIA and NSA apart) */
	struct kb_group *g = NULL;
	int best = 0;
	for (size_t i = 0; i < nc; i++)
		if (c[i].named &&
		    (c[i].score > best || (c[i].score == best && best > 0 && c[i].g->id < g->id))) {
			best = c[i].score;
			g = c[i].g;
		}
	char sname[256];
	snprintf(sname, sizeof sname, "%.*s", SLICE_ARG(name));
	for (size_t i = 0; i < nc; i++)
		if (c[i].g != g) {
			char a[512], b[512];
			snprintf(a, sizeof a, "%s %s", g ? "merged into" : "kept apart as",
				 g ? g->name : sname);
			snprintf(b, sizeof b, "%s %s (%s)",
				 c[i].named ? "also matches" : "linked as similar to", c[i].g->name,
				 r->source);
			if ((rc = kb_conflict_add(kb, "merge", sname, a, b)))
				return rc;
		}
	if (!g && (rc = new_group(kb, name, &g)))
		return rc;

	/* names */
	if ((rc = alias_claim(kb, g, name, r->source, false)))
		return rc;
	if (r->attack_id) {
		if (!g->attack_id) {
			if (!(g->attack_id = strdup(r->attack_id)))
				return AS_ENOMEM;
			/* ATT&CK names the group */
			if (strcmp(g->name, sname)) {
				char *old = g->name;
				if (!(g->name = strdup(sname))) {
					g->name = old;
					return AS_ENOMEM;
				}
				rc = alias_claim(kb, g, slice_cstr(old), r->source, false);
				free(old);
				if (rc)
					return rc;
				for (uint32_t i = 0; i < g->aliases.n; i++)
					if (!strcasecmp(g->aliases.v[i], sname)) {
						strv_remove(&g->aliases, i, false);
						break;
					}
			}
		} else if (!strcasecmp(g->attack_id, r->attack_id) && r->rank == KB_RANK_ATTACK &&
			   !r->exact && strcmp(g->name, sname) && !strcmp(r->source, "attack")) {
			/* a newer ATT&CK release renamed the group: the old name stays an alias */
			char *old = g->name;
			if (!(g->name = strdup(sname))) {
				g->name = old;
				return AS_ENOMEM;
			}
			for (uint32_t i = 0; i < g->aliases.n; i++)
				if (!strcasecmp(g->aliases.v[i], sname)) {
					strv_remove(&g->aliases, i, false);
					break;
				}
			rc = alias_claim(kb, g, slice_cstr(old), r->source, false);
			free(old);
			if (rc)
				return rc;
		} else if (strcasecmp(g->attack_id, r->attack_id) && g != holder) {
			char b[128];
			snprintf(b, sizeof b, "%s (%s)", r->attack_id, r->source);
			if ((rc = kb_conflict_add(kb, "attack-id", g->name, g->attack_id, b)))
				return rc;
		}
		if ((rc = alias_claim(kb, g, slice_cstr(r->attack_id), r->source, false)))
			return rc;
		/* the id resolves like an alias but is shown as the id, not listed */
		for (uint32_t i = 0; i < g->aliases.n; i++)
			if (!strcasecmp(g->aliases.v[i], r->attack_id)) {
				strv_remove(&g->aliases, i, true);
				break;
			}
	}
	for (uint32_t i = 0; r->aliases && i < r->aliases->n; i++)
		if ((rc = alias_claim(kb, g, slice_cstr(r->aliases->v[i]), r->source, false)) &&
		    rc != AS_ETOOBIG)
			return rc;
	for (uint32_t i = 0; r->apt_c && i < r->apt_c->n; i++)
		if ((rc = alias_claim(kb, g, slice_cstr(r->apt_c->v[i]), r->source, true)) &&
		    rc != AS_ETOOBIG)
			return rc;
	for (uint32_t i = 0; r->uuids && i < r->uuids->n; i++) {
		if ((rc = kb_uuid_register(kb, &kb->uuid, slice_cstr(r->uuids->v[i]), g->id)))
			return rc;
		strv_add_cstr(&g->uuids, r->uuids->v[i]);
	}
	for (uint32_t i = 0; r->related && i < r->related->n; i++)
		if ((rc = kb_uuid_register(kb, &kb->pending, slice_cstr(r->related->v[i]), g->id)))
			return rc;

	/* facts */
	if (r->country && r->country[0]) {
		if (!g->country[0] || r->rank < g->country_rank) {
			if (g->country[0] && strcmp(g->country, r->country)) {
				char a[128], b[128];
				snprintf(a, sizeof a, "%s (%s)", r->country, r->source);
				snprintf(b, sizeof b, "%s", g->country);
				if ((rc = kb_conflict_add(kb, "country", g->name, a, b)))
					return rc;
			}
			memcpy(g->country, r->country, 2);
			g->country[2] = 0;
			g->region = intel_country_region(g->country);
			g->country_rank = r->rank;
		} else if (strcmp(g->country, r->country)) {
			char b[256];
			snprintf(b, sizeof b, "%s \"%s\" (%s)", r->country,
				 r->country_text ? r->country_text : r->country, r->source);
			if ((rc = kb_conflict_add(kb, "country", g->name, g->country, b)))
				return rc;
		}
	} else if (r->country_text && r->country_text[0] && !g->country[0]) {
		char b[256];
		if (r->region && !g->region)
			g->region = r->region; /* better than nothing for the landscape */
		snprintf(b, sizeof b, "\"%s\" (%s): %s", r->country_text, r->source,
			 r->region ? "a region, not a country" : "not a country");
		if ((rc = kb_conflict_add(kb, "country", g->name, "unknown", b)))
			return rc;
	}
	if (!g->country[0] && r->region && !g->region)
		g->region = r->region; /* a region word, or our export's region */
	if (r->sponsor && r->sponsor[0] && !g->sponsor && !(g->sponsor = strdup(r->sponsor)))
		return AS_ENOMEM;
	if (r->first_seen != AS_TIME_NONE &&
	    (g->first_seen == AS_TIME_NONE || r->first_seen < g->first_seen))
		g->first_seen = r->first_seen;
	if (r->last_seen != AS_TIME_NONE &&
	    (g->last_seen == AS_TIME_NONE || r->last_seen > g->last_seen))
		g->last_seen = r->last_seen;
	struct {
		struct kb_strv *dst;
		const struct kb_strv *src;
	} lists[] = {{&g->sectors, r->sectors},
		     {&g->victims, r->victims},
		     {&g->refs, r->refs},
		     {&g->techniques, r->techniques},
		     {&g->software, r->software},
		     {&g->campaigns, r->campaigns},
		     {&g->indicators, r->indicators},
		     {&g->sources, r->sources}};
	for (size_t i = 0; i < sizeof lists / sizeof lists[0]; i++)
		if ((rc = strv_merge(lists[i].dst, lists[i].src)) == AS_ENOMEM)
			return rc;
	if (!r->sources && (rc = strv_add_cstr(&g->sources, r->source)) == AS_ENOMEM)
		return rc;
	if (out)
		*out = g;
	return 0;
}

/* --- software, techniques, campaigns, CVEs -------------------------------------- */

struct kb_software *kb_software_by_uuid(struct kb *kb, struct slice uuid)
{
	uint64_t v;
	return uuid_get(&kb->sw_uuid, uuid, &v) ? kb->sw[v] : NULL;
}

struct kb_technique *kb_technique_by_uuid(struct kb *kb, struct slice uuid)
{
	uint64_t v;
	return uuid_get(&kb->tech_uuid, uuid, &v) ? kb->tech[v] : NULL;
}

int kb_software_alias(struct kb *kb, struct kb_software *s, struct slice alias)
{
	char key[AS_MAX_KB_STRING + 1];
	alias = slice_trim(alias);
	if (!alias.len || kb_key_lower(alias, key, sizeof key) < 0)
		return 0;
	bool existed;
	uint64_t cur = s->id;
	int rc = map_put_new(&kb->sw_name, slice_cstr(key), &cur, &existed);
	if (rc)
		return rc;
	if (existed && cur != s->id) {
		char a[512], subj[256];
		snprintf(subj, sizeof subj, "%.*s", SLICE_ARG(alias));
		snprintf(a, sizeof a, "%s", kb->sw[cur]->name);
		return kb_conflict_add(kb, "software-alias", subj, a, s->name);
	}
	long n = kb_key_fold(alias, key, sizeof key);
	if (n >= 3) {
		cur = s->id;
		if ((rc = map_put_new(&kb->sw_folded, slice_make(key, (size_t)n), &cur, &existed)))
			return rc;
	}
	if (!slice_eq_nocase(slice_cstr(s->name), alias) &&
	    !(s->attack_id && slice_eq_nocase_cstr(alias, s->attack_id)))
		return strv_add(&s->aliases, alias);
	return 0;
}

int kb_software_get(struct kb *kb, struct slice name, const char *uuid, struct kb_software **out)
{
	name = slice_trim(name);
	if (!name.len || name.len > AS_MAX_KB_STRING)
		return AS_EINVAL;
	struct kb_software *s = uuid ? kb_software_by_uuid(kb, slice_cstr(uuid)) : NULL;
	if (!s)
		s = (struct kb_software *)kb_software_find(kb, name);
	int rc;
	if (!s) {
		if ((rc = grow(&kb->sw, &kb->nsw, &kb->capsw)))
			return rc;
		if (!(s = calloc(1, sizeof *s)) || !(s->name = strndup(name.ptr, name.len))) {
			free(s);
			return AS_ENOMEM;
		}
		s->id = (uint32_t)kb->nsw;
		kb->sw[kb->nsw++] = s;
		if ((rc = kb_software_alias(kb, s, name)))
			return rc;
	}
	if (uuid) {
		if ((rc = kb_uuid_register(kb, &kb->sw_uuid, slice_cstr(uuid), s->id)))
			return rc;
		strv_add_cstr(&s->uuids, uuid);
	}
	*out = s;
	return 0;
}

static int technique_new(struct kb *kb, struct slice id, const char *key,
			 struct kb_technique **out);

int kb_technique_get(struct kb *kb, struct slice id, const char *uuid, struct kb_technique **out)
{
	char key[64];
	id = slice_trim(id);
	if (!id.len || kb_key_lower(id, key, sizeof key) < 0)
		return AS_EINVAL;
	uint64_t v;
	int rc = 0;
	if (!map_get(&kb->tech_id, slice_cstr(key), &v)) {
		if ((rc = technique_new(kb, id, key, out)))
			return rc;
		v = kb->ntech - 1;
	}
	struct kb_technique *t = kb->tech[v];
	if (uuid && !t->uuid) {
		if (!(t->uuid = strdup(uuid)))
			return AS_ENOMEM;
	}
	if (uuid && (rc = kb_uuid_register(kb, &kb->tech_uuid, slice_cstr(uuid), v)))
		return rc;
	*out = t;
	return 0;
}

static int technique_new(struct kb *kb, struct slice id, const char *key, struct kb_technique **out)
{
	int rc = grow(&kb->tech, &kb->ntech, &kb->captech);
	if (rc)
		return rc;
	struct kb_technique *t = calloc(1, sizeof *t);
	if (!t || !(t->id = strndup(id.ptr, id.len))) {
		free(t);
		return AS_ENOMEM;
	}
	for (char *p = t->id; *p; p++)
		*p = (char)toupper((unsigned char)*p);
	char *dot = strchr(t->id, '.');
	if (dot && !(t->parent = strndup(t->id, (size_t)(dot - t->id)))) {
		free(t->id);
		free(t);
		return AS_ENOMEM;
	}
	if ((rc = map_put(&kb->tech_id, slice_cstr(key), kb->ntech, NULL))) {
		free(t->parent);
		free(t->id);
		free(t);
		return rc;
	}
	kb->tech[kb->ntech++] = t;
	*out = t;
	return 0;
}

struct kb_campaign *kb_campaign_by_uuid(struct kb *kb, struct slice uuid)
{
	uint64_t v;
	return uuid_get(&kb->camp_uuid, uuid, &v) ? kb->camp[v] : NULL;
}

static int campaign_new(struct kb *kb, struct slice name, const char *key,
			struct kb_campaign **out);

int kb_campaign_get(struct kb *kb, struct slice name, const char *uuid, struct kb_campaign **out)
{
	char key[AS_MAX_KB_STRING + 1];
	name = slice_trim(name);
	if (!name.len || kb_key_lower(name, key, sizeof key) < 0)
		return AS_EINVAL;
	uint64_t v;
	int rc;
	if (!map_get(&kb->camp_name, slice_cstr(key), &v)) {
		if ((rc = campaign_new(kb, name, key, out)))
			return rc;
		v = kb->ncamp - 1;
	}
	if (uuid) {
		if ((rc = kb_uuid_register(kb, &kb->camp_uuid, slice_cstr(uuid), v)))
			return rc;
		if ((rc = strv_add_cstr(&kb->camp[v]->uuids, uuid)) == AS_ENOMEM)
			return rc;
	}
	*out = kb->camp[v];
	return 0;
}

static int campaign_new(struct kb *kb, struct slice name, const char *key, struct kb_campaign **out)
{
	int rc = grow(&kb->camp, &kb->ncamp, &kb->capcamp);
	if (rc)
		return rc;
	struct kb_campaign *c = calloc(1, sizeof *c);
	if (!c || !(c->name = strndup(name.ptr, name.len))) {
		free(c);
		return AS_ENOMEM;
	}
	c->first_seen = c->last_seen = AS_TIME_NONE;
	if ((rc = map_put(&kb->camp_name, slice_cstr(key), kb->ncamp, NULL))) {
		free(c->name);
		free(c);
		return rc;
	}
	kb->camp[kb->ncamp++] = c;
	*out = c;
	return 0;
}

int kb_cve_get(struct kb *kb, struct slice id, struct kb_cve **out)
{
	char key[24];
	id = slice_trim(id);
	if (id.len < 9 || id.len >= sizeof key || !slice_starts(id, "CVE-"))
		return AS_EINVAL;
	for (size_t i = 0; i < id.len; i++)
		key[i] = (char)toupper((unsigned char)id.ptr[i]);
	key[id.len] = 0;
	uint64_t v;
	if (map_get(&kb->cve_id, slice_cstr(key), &v)) {
		*out = kb->cves[v];
		return 0;
	}
	int rc = grow(&kb->cves, &kb->ncves, &kb->capcves);
	if (rc)
		return rc;
	struct kb_cve *c = calloc(1, sizeof *c);
	if (!c)
		return AS_ENOMEM;
	memcpy(c->id, key, id.len + 1);
	c->published = c->fixed = c->kev_added = AS_TIME_NONE;
	if ((rc = map_put(&kb->cve_id, slice_cstr(key), kb->ncves, NULL))) {
		free(c);
		return rc;
	}
	kb->cves[kb->ncves++] = c;
	*out = c;
	return 0;
}

/* --- look-ups ------------------------------------------------------------------ */

const struct kb_group *kb_group_find(const struct kb *kb, struct slice name)
{
	if (!kb)
		return NULL;
	const struct kb_group *g = lookup_group(kb, name, NULL);
	/* A short name is the group whose canonical name it is with "Group" or
	 * "Team" after it, before it is another group's alias: feeds say
	 * "Lazarus" for Lazarus Group (G0032), while 360's APT-C-26 "Lazarus"
	 * makes it an alias of APT38. The alias stays listed, with a
	 * "short-name" conflict; only the look-up prefers the named group. */
	if (g && !slice_eq_nocase(slice_cstr(g->name), slice_trim(name))) {
		const struct kb_group *h = short_name_owner(kb, name, g);
		if (h)
			return h;
	}
	if (g)
		return g;
	uint64_t v;
	if (slice_starts(slice_trim(name), "intrusion-set--") &&
	    uuid_get(&kb->uuid, slice_trim(name), &v))
		return kb->groups[v];
	return NULL;
}

const struct kb_software *kb_software_find(const struct kb *kb, struct slice name)
{
	char key[AS_MAX_KB_STRING + 1];
	uint64_t v;
	if (!kb || kb_key_lower(name, key, sizeof key) < 0)
		return NULL;
	if (map_get(&kb->sw_name, slice_cstr(key), &v))
		return kb->sw[v];
	long n = kb_key_fold(name, key, sizeof key);
	if (n > 0 && map_get(&kb->sw_folded, slice_make(key, (size_t)n), &v))
		return kb->sw[v];
	if (uuid_get(&kb->sw_uuid, name, &v))
		return kb->sw[v];
	return NULL;
}

const struct kb_technique *kb_technique_find(const struct kb *kb, struct slice id)
{
	char key[64];
	uint64_t v;
	if (!kb || kb_key_lower(id, key, sizeof key) < 0)
		return NULL;
	return map_get(&kb->tech_id, slice_cstr(key), &v) ? kb->tech[v] : NULL;
}

const struct kb_campaign *kb_campaign_find(const struct kb *kb, struct slice name)
{
	char key[AS_MAX_KB_STRING + 1];
	uint64_t v;
	if (!kb || kb_key_lower(name, key, sizeof key) < 0)
		return NULL;
	return map_get(&kb->camp_name, slice_cstr(key), &v) ? kb->camp[v] : NULL;
}

const struct kb_cve *kb_cve_find(const struct kb *kb, struct slice id)
{
	char key[24];
	id = slice_trim(id);
	if (!kb || id.len >= sizeof key)
		return NULL;
	for (size_t i = 0; i < id.len; i++)
		key[i] = (char)toupper((unsigned char)id.ptr[i]);
	uint64_t v;
	return map_get(&kb->cve_id, slice_make(key, id.len), &v) ? kb->cves[v] : NULL;
}

const struct kb_group *kb_group_at(const struct kb *kb, size_t i)
{
	return i < kb->ngroups ? kb->groups[i] : NULL;
}
size_t kb_group_count(const struct kb *kb)
{
	return kb->ngroups;
}
const struct kb_software *kb_software_at(const struct kb *kb, size_t i)
{
	return i < kb->nsw ? kb->sw[i] : NULL;
}
size_t kb_software_count(const struct kb *kb)
{
	return kb->nsw;
}
const struct kb_technique *kb_technique_at(const struct kb *kb, size_t i)
{
	return i < kb->ntech ? kb->tech[i] : NULL;
}
size_t kb_technique_count(const struct kb *kb)
{
	return kb->ntech;
}
const struct kb_conflict *kb_conflict_at(const struct kb *kb, size_t i)
{
	return i < kb->nconf ? &kb->conf[i] : NULL;
}
size_t kb_conflict_count(const struct kb *kb)
{
	return kb->nconf;
}

void kb_stats_get(const struct kb *kb, struct kb_stats *st)
{
	*st = (struct kb_stats){.groups = kb->ngroups,
				.aliases = map_count(&kb->alias),
				.software = kb->nsw,
				.techniques = kb->ntech,
				.campaigns = kb->ncamp,
				.cves = kb->ncves,
				.conflicts = kb->nconf,
				.assets = kb->nassets};
	for (size_t i = 0; i < kb->ncves; i++)
		st->kev += kb->cves[i]->kev_added != AS_TIME_NONE;
}

void kb_skip(struct diag_sink *diags, struct kb_import_stats *st, const char *file, uint64_t record,
	     const char *fmt, ...)
{
	struct kb_import_stats dummy = {0};
	if (!st)
		st = &dummy;
	st->skipped++;
	if (!diags)
		return;
	struct diag d = {.code = AS_EPARSE};
	va_list ap;
	va_start(ap, fmt);
	vsnprintf(d.msg, sizeof d.msg, fmt, ap);
	va_end(ap);
	diag_report(diags, file, record, 0, &d, &st->printed);
}
