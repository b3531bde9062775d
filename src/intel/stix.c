/*
 * stix.c — STIX 2.0 / 2.1 bundles (ATT&CK enterprise, mobile, ICS, or any
 * producer) into the knowledge base.
 *
 * Three passes over the bundle's objects: first the revoked-by links and
 * the objects that are revoked or deprecated, then the objects themselves
 * (techniques, software, groups, campaigns, locations, indicators), then
 * the relationships that tie them together: uses, attributed-to, targets,
 * indicates. As ATT&CK documents, a revoked object is replaced by the
 * target of its revoked-by relationship: its name becomes an alias of the
 * replacement. Deprecated objects, and relationships whose ends are unknown,
 * dead or of a kind the kb does not keep, are reported one line per record.
 */
#include <ctype.h>
#include <jansson.h>
#include <stdio.h>
#include <string.h>

#include "core/error.h"
#include "core/timeparse.h"
#include "intel/kb_impl.h"

static const char *jstr(json_t *o, const char *key)
{
	return json_string_value(json_object_get(o, key));
}

static int64_t jtime(json_t *o, const char *key)
{
	const char *s = jstr(o, key);
	int64_t us;
	if (s && !time_parse_rfc3339(slice_cstr(s), &us))
		return us;
	return AS_TIME_NONE;
}

static void jstrv(json_t *arr, struct kb_strv *out)
{
	size_t i;
	json_t *v;
	if (!json_is_array(arr))
		return;
	json_array_foreach(arr, i, v)
	{
		if (json_is_string(v))
			strv_add_cstr(out, json_string_value(v));
	}
}

/* The ATT&CK id ("G0050", "T1059.001"), and the reference URLs. */
static const char *attack_ref(json_t *o, struct kb_strv *urls)
{
	const char *id = NULL;
	size_t i;
	json_t *r;
	json_array_foreach(json_object_get(o, "external_references"), i, r)
	{
		const char *src = jstr(r, "source_name");
		const char *eid = jstr(r, "external_id");
		if (src && eid && !id && !strncmp(src, "mitre-", 6) && strstr(src, "attack"))
			id = eid;
		const char *url = jstr(r, "url");
		if (url && urls)
			strv_add_cstr(urls, url);
	}
	return id;
}

struct stix {
	struct kb *kb;
	const char *file;
	struct diag_sink *diags;
	struct kb_import_stats *st;
	struct map revoked_by;   /* uuid of a revoked object → index of the relationship */
	struct map location;     /* uuid of a location → index of the object */
	struct map identity;     /* uuid of an identity → index of the object */
	struct map indicator;    /* uuid of an indicator → index of the object */
	struct map dead;         /* uuid of a revoked or deprecated object */
	struct map attack_group; /* ATT&CK group id ("g0032") → index of the object */
	json_t *objects;
	bool attack; /* an ATT&CK bundle: its groups rank as ATT&CK */
};

static int put_id(struct map *m, const char *id, uint64_t v)
{
	return kb_uuid_register(NULL, m, slice_cstr(id), v);
}

static bool get_id(const struct map *m, const char *id, uint64_t *v)
{
	char key[128];
	if (!id || kb_key_lower(kb_uuid_part(slice_cstr(id)), key, sizeof key) < 0)
		return false;
	return map_get(m, slice_cstr(key), v);
}

static bool type_is(const char *id, const char *type)
{
	size_t n = strlen(type);
	return id && !strncmp(id, type, n) && id[n] == '-' && id[n + 1] == '-';
}

static int do_technique(struct stix *x, json_t *o, size_t rec)
{
	const char *id = attack_ref(o, NULL), *name = jstr(o, "name");
	if (!id || !name) {
		kb_skip(x->diags, x->st, x->file, rec, "attack-pattern %s: no ATT&CK id or name",
			jstr(o, "id"));
		return 0;
	}
	struct kb_technique *t;
	int rc = kb_technique_get(x->kb, slice_cstr(id), jstr(o, "id"), &t);
	if (rc)
		return rc == AS_EINVAL ? 0 : rc;
	if (!t->name && !(t->name = strdup(name)))
		return AS_ENOMEM;
	size_t i;
	json_t *k;
	json_array_foreach(json_object_get(o, "kill_chain_phases"), i, k)
	{
		const char *p = jstr(k, "phase_name");
		if (p)
			strv_add_cstr(&t->tactics, p);
	}
	jstrv(json_object_get(o, "x_mitre_platforms"), &t->platforms);
	x->st->techniques++;
	return 0;
}

static int do_software(struct stix *x, json_t *o, size_t rec, const char *type)
{
	const char *name = jstr(o, "name");
	if (!name) {
		kb_skip(x->diags, x->st, x->file, rec, "%s without a name", type);
		return 0;
	}
	struct kb_software *s;
	int rc = kb_software_get(x->kb, slice_cstr(name), jstr(o, "id"), &s);
	if (rc)
		return rc == AS_EINVAL ? 0 : rc;
	const char *aid = attack_ref(o, NULL);
	if (aid && !s->attack_id && !(s->attack_id = strdup(aid)))
		return AS_ENOMEM;
	if (!s->type && !(s->type = strdup(type)))
		return AS_ENOMEM;
	struct kb_strv al = {0};
	jstrv(json_object_get(o, "x_mitre_aliases"), &al);
	jstrv(json_object_get(o, "aliases"), &al);
	for (uint32_t i = 0; i < al.n && !rc; i++)
		rc = kb_software_alias(x->kb, s, slice_cstr(al.v[i]));
	strv_free(&al);
	if (aid && !rc)
		rc = kb_software_alias(x->kb, s, slice_cstr(aid));
	jstrv(json_object_get(o, "x_mitre_platforms"), &s->platforms);
	x->st->software++;
	return rc == AS_ETOOBIG ? 0 : rc;
}

static int do_group(struct stix *x, json_t *o, size_t rec)
{
	const char *name = jstr(o, "name");
	if (!name) {
		kb_skip(x->diags, x->st, x->file, rec, "intrusion-set without a name");
		return 0;
	}
	struct kb_strv aliases = {0}, uuids = {0}, refs = {0};
	const char *aid = attack_ref(o, &refs);
	jstrv(json_object_get(o, "aliases"), &aliases);
	strv_add_cstr(&uuids, jstr(o, "id"));
	const char *country = NULL;
	char iso[3];
	const char *cc = jstr(o, "country"); /* some producers put it on the object */
	if (cc && intel_country_parse(slice_cstr(cc), iso))
		country = iso;
	struct kb_grec r = {.source = x->attack && aid ? "attack" : "stix",
			    .rank = x->attack && aid ? KB_RANK_ATTACK : KB_RANK_STIX,
			    .name = slice_cstr(name),
			    .aliases = &aliases,
			    .attack_id = aid,
			    .uuids = &uuids,
			    .refs = &refs,
			    .country = country,
			    .country_text = cc,
			    .first_seen = jtime(o, "first_seen"),
			    .last_seen = jtime(o, "last_seen")};
	int rc = kb_group_merge(x->kb, &r, NULL);
	strv_free(&aliases);
	strv_free(&uuids);
	strv_free(&refs);
	if (rc == AS_EINVAL) {
		kb_skip(x->diags, x->st, x->file, rec, "intrusion-set: unusable name");
		return 0;
	}
	x->st->groups += !rc;
	return rc;
}

static int do_campaign(struct stix *x, json_t *o, size_t rec)
{
	const char *name = jstr(o, "name");
	if (!name) {
		kb_skip(x->diags, x->st, x->file, rec, "campaign without a name");
		return 0;
	}
	struct kb_campaign *c;
	int rc = kb_campaign_get(x->kb, slice_cstr(name), jstr(o, "id"), &c);
	if (rc)
		return rc == AS_EINVAL ? 0 : rc;
	const char *aid = attack_ref(o, NULL);
	if (aid && !c->attack_id && !(c->attack_id = strdup(aid)))
		return AS_ENOMEM;
	int64_t f = jtime(o, "first_seen"), l = jtime(o, "last_seen");
	if (f != AS_TIME_NONE && (c->first_seen == AS_TIME_NONE || f < c->first_seen))
		c->first_seen = f;
	if (l != AS_TIME_NONE && (c->last_seen == AS_TIME_NONE || l > c->last_seen))
		c->last_seen = l;
	x->st->campaigns++;
	return 0;
}

/* "[ipv4-addr:value = '1.2.3.4']" → "ipv4-addr:1.2.3.4"; only simple patterns. */
static bool indicator_value(const char *pattern, char *dst, size_t cap)
{
	const char *eq = pattern ? strstr(pattern, " = '") : NULL;
	if (!eq || pattern[0] != '[' || strstr(eq + 4, " OR ") || strstr(eq + 4, " AND "))
		return false;
	const char *colon = strchr(pattern, ':');
	const char *end = strchr(eq + 4, '\'');
	if (!colon || colon > eq || !end)
		return false;
	int n = snprintf(dst, cap, "%.*s:%.*s", (int)(colon - pattern - 1), pattern + 1,
			 (int)(end - eq - 4), eq + 4);
	return n > 0 && (size_t)n < cap;
}

static int do_relationship(struct stix *x, json_t *o, size_t rec)
{
	const char *type = jstr(o, "relationship_type");
	const char *src = jstr(o, "source_ref"), *dst = jstr(o, "target_ref");
	uint64_t v;
	if (!type || !src || !dst) {
		kb_skip(x->diags, x->st, x->file, rec, "relationship without type or ends");
		return 0;
	}
	x->st->relationships++;
	if (!strcmp(type, "revoked-by") || !strcmp(type, "subtechnique-of"))
		return 0; /* used in pass 1 / implied by the technique id */
	if (get_id(&x->dead, src, &v) || get_id(&x->dead, dst, &v)) {
		kb_skip(x->diags, x->st, x->file, rec,
			"%s relationship with a revoked or "
			"deprecated end",
			type);
		return 0;
	}
	struct kb_group *g =
	    type_is(src, "intrusion-set") ? kb_group_by_uuid(x->kb, slice_cstr(src)) : NULL;
	struct kb_campaign *c =
	    type_is(src, "campaign") ? kb_campaign_by_uuid(x->kb, slice_cstr(src)) : NULL;
	int rc = 0;
	if (!strcmp(type, "uses") && (g || c)) {
		struct kb_technique *t = kb_technique_by_uuid(x->kb, slice_cstr(dst));
		struct kb_software *s = kb_software_by_uuid(x->kb, slice_cstr(dst));
		if (t) {
			rc = strv_add_cstr(g ? &g->techniques : &c->techniques, t->id);
		} else if (s) {
			rc = strv_add_cstr(g ? &g->software : &c->software, s->name);
			if (!rc && g)
				rc = strv_add_cstr(&s->groups, g->name);
		} else {
			kb_skip(x->diags, x->st, x->file, rec, "uses: unknown target %s", dst);
		}
		return rc == AS_ETOOBIG ? 0 : rc;
	}
	if (!strcmp(type, "uses") && (type_is(src, "malware") || type_is(src, "tool"))) {
		/* what the software itself does: a group's software explains
		 * techniques seen in its intrusions that no report tied to the group */
		struct kb_software *s = kb_software_by_uuid(x->kb, slice_cstr(src));
		struct kb_technique *t = kb_technique_by_uuid(x->kb, slice_cstr(dst));
		if (s && t)
			rc = strv_add_cstr(&s->techniques, t->id);
		return rc == AS_ETOOBIG ? 0 : rc;
	}
	if (!strcmp(type, "attributed-to") && c) {
		struct kb_group *to = kb_group_by_uuid(x->kb, slice_cstr(dst));
		if (!to) {
			kb_skip(x->diags, x->st, x->file, rec, "attributed-to: unknown group %s",
				dst);
			return 0;
		}
		if (!c->group && !(c->group = strdup(to->name)))
			return AS_ENOMEM;
		rc = strv_add_cstr(&to->campaigns, c->name);
		for (uint32_t i = 0; !rc && i < c->techniques.n; i++)
			rc = strv_add_cstr(&to->techniques, c->techniques.v[i]);
		for (uint32_t i = 0; !rc && i < c->software.n; i++)
			rc = strv_add_cstr(&to->software, c->software.v[i]);
		return rc == AS_ETOOBIG ? 0 : rc;
	}
	if (!strcmp(type, "targets") && g && get_id(&x->identity, dst, &v)) {
		/* an identity a group targets carries the victims' sectors */
		size_t k;
		json_t *sec;
		json_array_foreach(json_object_get(json_array_get(x->objects, v), "sectors"), k,
				   sec)
		{
			const char *ids[8];
			size_t n =
			    json_is_string(sec)
				? intel_sector_map(slice_cstr(json_string_value(sec)), ids, 8)
				: 0;
			for (size_t j = 0; j < n && !rc; j++)
				rc = strv_add_cstr(&g->sectors, ids[j]);
		}
		return rc == AS_ETOOBIG ? 0 : rc;
	}
	if (!strcmp(type, "originates-from") && g && get_id(&x->location, dst, &v)) {
		/* STIX 2.1: where the group comes from, as a plain STIX source ranks */
		const char *cc = jstr(json_array_get(x->objects, v), "country");
		char iso[3];
		if (!cc || !intel_country_parse(slice_cstr(cc), iso)) {
			kb_skip(x->diags, x->st, x->file, rec, "originates-from: no country");
			return 0;
		}
		struct kb_grec r = {.source = "stix",
				    .rank = KB_RANK_STIX,
				    .name = slice_cstr(g->name),
				    .exact = true,
				    .country = iso,
				    .country_text = cc,
				    .first_seen = AS_TIME_NONE,
				    .last_seen = AS_TIME_NONE};
		return kb_group_merge(x->kb, &r, NULL);
	}
	if (!strcmp(type, "targets") && g && get_id(&x->location, dst, &v)) {
		json_t *loc = json_array_get(x->objects, v);
		const char *cc = jstr(loc, "country");
		char iso[3];
		if (cc && intel_country_parse(slice_cstr(cc), iso))
			rc = strv_add_cstr(&g->victims, iso);
		else if (jstr(loc, "name"))
			rc = strv_add_cstr(&g->victims, jstr(loc, "name"));
		return rc == AS_ETOOBIG ? 0 : rc;
	}
	if (!strcmp(type, "indicates") && get_id(&x->indicator, src, &v)) {
		struct kb_group *to = kb_group_by_uuid(x->kb, slice_cstr(dst));
		char val[512];
		if (!to) {
			kb_skip(x->diags, x->st, x->file, rec, "indicates: not a known group %s",
				dst);
			return 0;
		}
		if (!indicator_value(jstr(json_array_get(x->objects, v), "pattern"), val,
				     sizeof val)) {
			kb_skip(x->diags, x->st, x->file, rec, "indicator pattern too complex");
			return 0;
		}
		x->st->indicators++;
		rc = strv_add_cstr(&to->indicators, val);
		return rc == AS_ETOOBIG ? 0 : rc;
	}
	/* mitigates, detects, … are not kept: counted only */
	return 0;
}

/* ATT&CK: the revoked object's name lives on as an alias of its replacement. */
static int do_revoked(struct stix *x, json_t *o)
{
	uint64_t v;
	const char *id = jstr(o, "id"), *name = jstr(o, "name");
	if (!get_id(&x->revoked_by, id, &v) || !name)
		return 0;
	const char *to = jstr(json_array_get(x->objects, v), "target_ref");
	struct kb_group *g =
	    type_is(to, "intrusion-set") ? kb_group_by_uuid(x->kb, slice_cstr(to)) : NULL;
	if (g) {
		struct kb_strv al = {0};
		strv_add_cstr(&al, name);
		/* the old G-id too, so that mirrors of older releases (MISP's mitre-*
		 * galaxies) find the group that replaced it */
		strv_add_cstr(&al, attack_ref(o, NULL));
		struct kb_grec r = {.source = "attack-revoked",
				    .rank = KB_RANK_ATTACK,
				    .name = slice_cstr(g->name),
				    .aliases = &al,
				    .first_seen = AS_TIME_NONE,
				    .last_seen = AS_TIME_NONE};
		int rc = kb_group_merge(x->kb, &r, NULL);
		strv_free(&al);
		return rc;
	}
	struct kb_software *s = kb_software_by_uuid(x->kb, slice_cstr(to));
	if (s)
		return kb_software_alias(x->kb, s, slice_cstr(name));
	return 0;
}

/* ATT&CK software pages say who uses the software ("…has been used by
 * [Lazarus Group](https://attack.mitre.org/groups/G0032)"), also where no
 * "uses" relationship says so: the software of a campaign is often tied to
 * its group only there. A sentence linking a group counts when it says use,
 * operation, deployment or attribution, and not when it only compares
 * ("shares code with", "similar to", "overlaps"): that is another
 * family's user. */
static bool sentence_says_use(const char *p, size_t n)
{
	static const char *const yes[] = {"used by",      "operated by",    "attributed to",
					  "deployed by",  "used in",        "exclusively used",
					  "developed by", "utilized by",    "leveraged by",
					  "employed by",  "used to deploy", "used during"};
	static const char *const no[] = {"similar", "shares",   "share ", "overlap",
					 "resembl", "confused", "not ",   "sold to"};
	char low[1024];
	if (n >= sizeof low)
		n = sizeof low - 1;
	for (size_t i = 0; i < n; i++)
		low[i] = (char)tolower((unsigned char)p[i]);
	low[n] = 0;
	for (size_t i = 0; i < sizeof no / sizeof *no; i++)
		if (strstr(low, no[i]))
			return false;
	for (size_t i = 0; i < sizeof yes / sizeof *yes; i++)
		if (strstr(low, yes[i]))
			return true;
	return false;
}

static int software_description_groups(struct stix *x, json_t *o)
{
	static const char link[] = "attack.mitre.org/groups/";
	const char *d = jstr(o, "description");
	struct kb_software *s = kb_software_by_uuid(x->kb, slice_cstr(jstr(o, "id")));
	int rc = 0;
	if (!d || !s)
		return 0;
	while (*d && !rc) {
		/* a sentence ends at ". " or "(Citation" */
		const char *end = d;
		while (*end && !(end[0] == '.' && (end[1] == ' ' || !end[1])) &&
		       strncmp(end, "(Citation", 9))
			end++;
		size_t n = (size_t)(end - d);
		const char *at = d;
		bool use = false, tested = false;
		while (!rc && (at = strstr(at, link)) && at < end) {
			char gid[8] = {0};
			uint64_t v;
			at += sizeof link - 1;
			for (int i = 0; i < 5 && at[i]; i++)
				gid[i] = (char)tolower((unsigned char)at[i]);
			if (!tested) {
				use = sentence_says_use(d, n);
				tested = true;
			}
			if (!use || !map_get(&x->attack_group, slice_cstr(gid), &v))
				continue;
			json_t *go = json_array_get(x->objects, v);
			struct kb_group *g = kb_group_by_uuid(x->kb, slice_cstr(jstr(go, "id")));
			if (!g)
				continue;
			rc = strv_add_cstr(&g->software, s->name);
			if (!rc)
				rc = strv_add_cstr(&s->groups, g->name);
			rc = rc == AS_ETOOBIG ? 0 : rc;
		}
		d = *end ? end + 1 : end;
		if (!strncmp(d, "Citation", 8))
			while (*d && *d != ')')
				d++;
	}
	return rc;
}

int intel_stix_import(struct kb *kb, const char *name, json_t *root, struct diag_sink *diags,
		      struct kb_import_stats *st)
{
	struct stix x = {.kb = kb, .file = name, .diags = diags, .st = st};
	x.objects = json_object_get(root, "objects");
	if (!json_is_array(x.objects))
		return AS_EFORMAT;
	map_init(&x.revoked_by);
	map_init(&x.location);
	map_init(&x.identity);
	map_init(&x.indicator);
	map_init(&x.dead);
	map_init(&x.attack_group);
	size_t i;
	json_t *o;
	int rc = 0;
	/* pass 1: what is dead, what replaces it, what is ATT&CK */
	json_array_foreach(x.objects, i, o)
	{
		const char *type = jstr(o, "type"), *id = jstr(o, "id");
		if (!type || !id)
			continue;
		if (!strcmp(type, "relationship") && jstr(o, "relationship_type") &&
		    !strcmp(jstr(o, "relationship_type"), "revoked-by") && jstr(o, "source_ref"))
			rc = put_id(&x.revoked_by, jstr(o, "source_ref"), i);
		else if (json_is_true(json_object_get(o, "revoked")) ||
			 json_is_true(json_object_get(o, "x_mitre_deprecated")))
			rc = put_id(&x.dead, id, 1);
		else if (!strcmp(type, "location"))
			rc = put_id(&x.location, id, i);
		else if (!strcmp(type, "identity"))
			rc = put_id(&x.identity, id, i);
		else if (!strcmp(type, "indicator"))
			rc = put_id(&x.indicator, id, i);
		if (!strcmp(type, "x-mitre-collection") || !strcmp(type, "x-mitre-matrix"))
			x.attack = true;
		if (!rc && !strcmp(type, "intrusion-set") &&
		    !json_is_true(json_object_get(o, "revoked")) &&
		    !json_is_true(json_object_get(o, "x_mitre_deprecated"))) {
			const char *aid = attack_ref(o, NULL);
			if (aid && !strncmp(aid, "G", 1))
				rc = put_id(&x.attack_group, aid, i);
		}
		if (rc)
			goto out;
	}
	/* pass 2: objects */
	json_array_foreach(x.objects, i, o)
	{
		uint64_t v;
		const char *type = jstr(o, "type"), *id = jstr(o, "id");
		st->objects++;
		if (!json_is_object(o) || !type || !id) {
			kb_skip(diags, st, name, i + 1, "object without type or id");
			continue;
		}
		if (get_id(&x.dead, id, &v)) {
			if (!strcmp(type, "intrusion-set") || !strcmp(type, "malware") ||
			    !strcmp(type, "tool") || !strcmp(type, "attack-pattern") ||
			    !strcmp(type, "campaign"))
				kb_skip(diags, st, name, i + 1, "%s %s \"%s\" is %s", type, id,
					jstr(o, "name") ? jstr(o, "name") : "",
					json_is_true(json_object_get(o, "revoked")) ? "revoked"
										    : "deprecated");
			continue;
		}
		if (!strcmp(type, "attack-pattern"))
			rc = do_technique(&x, o, i + 1);
		else if (!strcmp(type, "malware") || !strcmp(type, "tool"))
			rc = do_software(&x, o, i + 1, type);
		else if (!strcmp(type, "intrusion-set"))
			rc = do_group(&x, o, i + 1);
		else if (!strcmp(type, "campaign"))
			rc = do_campaign(&x, o, i + 1);
		if (rc)
			goto out;
	}
	/* pass 3: relationships (uses before attributed-to, so campaigns carry
	 * their techniques to the group) */
	for (int round = 0; round < 2; round++)
		json_array_foreach(x.objects, i, o)
		{
			const char *type = jstr(o, "type");
			const char *rt = jstr(o, "relationship_type");
			if (!type || strcmp(type, "relationship"))
				continue;
			if ((round == 0) == (rt && !strcmp(rt, "attributed-to")))
				continue;
			if ((rc = do_relationship(&x, o, i + 1)))
				goto out;
		}
	/* software pages naming their users */
	json_array_foreach(x.objects, i, o)
	{
		const char *type = jstr(o, "type");
		uint64_t v;
		if (type && (!strcmp(type, "malware") || !strcmp(type, "tool")) &&
		    !get_id(&x.dead, jstr(o, "id"), &v) &&
		    (rc = software_description_groups(&x, o)))
			goto out;
	}
	/* revoked names become aliases of what replaced them */
	json_array_foreach(x.objects, i, o)
	{
		if (json_is_true(json_object_get(o, "revoked")) && (rc = do_revoked(&x, o)))
			goto out;
	}
out:
	map_free(&x.revoked_by);
	map_free(&x.location);
	map_free(&x.identity);
	map_free(&x.indicator);
	map_free(&x.dead);
	map_free(&x.attack_group);
	return rc == AS_ETOOBIG ? 0 : rc;
}
