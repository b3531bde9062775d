/*
 * misp.c — MISP galaxy cluster files and MISP events into the knowledge base.
 *
 * Galaxies are told apart by their "type": threat-actor (country, sponsor,
 * CFR target categories and victims, synonyms, name-attribution with the
 * ATT&CK G-id), 360net-threat-actor ("海莲花 - APT-C-00": the APT-C number it
 * owns, free-text country such as "america" or "southKorea"), the mitre-*
 * mirrors of ATT&CK ("APT32 - G0050"), malpedia (software families), and
 * the taxonomies sector / region / country, which are checked against the
 * built-in tables (an unmapped value is reported, the kb keeps its own).
 * Events name their groups through galaxy clusters and tags; their to_ids
 * attributes become the group's indicators.
 */
#include <jansson.h>
#include <stdio.h>
#include <string.h>
#include <strings.h>

#include "core/error.h"
#include "core/timeparse.h"
#include "intel/kb_impl.h"

static const char *jstr(json_t *o, const char *key)
{
	return json_string_value(json_object_get(o, key));
}

static void jstrv(json_t *arr, struct kb_strv *out)
{
	size_t i;
	json_t *v;
	if (json_is_string(arr)) {
		strv_add_cstr(out, json_string_value(arr));
		return;
	}
	json_array_foreach(arr, i, v)
	{
		if (json_is_string(v))
			strv_add_cstr(out, json_string_value(v));
	}
}

struct misp {
	struct kb *kb;
	const char *file;
	struct diag_sink *diags;
	struct kb_import_stats *st;
	uint64_t unmapped; /* sector or country texts the tables do not know */
};

static void add_sectors(json_t *arr, struct kb_strv *out)
{
	struct kb_strv raw = {0};
	jstrv(arr, &raw);
	for (uint32_t i = 0; i < raw.n; i++) {
		const char *ids[8];
		size_t n = intel_sector_map(slice_cstr(raw.v[i]), ids, 8);
		for (size_t k = 0; k < n; k++)
			strv_add_cstr(out, ids[k]);
	}
	strv_free(&raw);
}

static void add_victims(json_t *arr, struct kb_strv *out)
{
	struct kb_strv raw = {0};
	jstrv(arr, &raw);
	for (uint32_t i = 0; i < raw.n; i++) {
		char iso[3];
		strv_add_cstr(out, intel_country_parse(slice_cstr(raw.v[i]), iso) ? iso : raw.v[i]);
	}
	strv_free(&raw);
}

/* "Name - G0050" / "Name - S0154" / "Name - T1059.001": the id after " - ". */
static struct slice split_id(const char *value, const char **id)
{
	const char *dash = strstr(value, " - ");
	*id = NULL;
	if (!dash)
		return slice_cstr(value);
	const char *last;
	while ((last = strstr(dash + 3, " - ")))
		dash = last;
	*id = dash + 3;
	return slice_make(value, (size_t)(dash - value));
}

/* English names of 360.net's Chinese group names, as 360.net's catalogue
 * (https://apt.360.net/aptlist) and its reports give them; they let a cluster
 * without synonyms find the group the other sources know. */
static const struct {
	const char *zh, *en;
} names360[] = {
    {"方程式", "Equation"},    {"蔓灵花", "BITTER"},
    {"盲眼鹰", "Blind Eagle"}, {"双尾蝎", "Arid Viper"},
    {"美人鱼", "Infy"},        {"黄金鼠", "Golden Rat"},
    {"海莲花", "OceanLotus"},  {"摩诃草", "Patchwork"},
    {"响尾蛇", "SideWinder"},  {"透明部落", "Transparent Tribe"},
    {"肚脑虫", "Donot"},       {"奇幻熊", "APT28"},
    {"沙虫", "Sandworm Team"},
};

static int do_actor(struct misp *x, json_t *v, size_t rec, const char *gtype)
{
	const char *value = jstr(v, "value");
	json_t *meta = json_object_get(v, "meta");
	if (!value || !*value) {
		kb_skip(x->diags, x->st, x->file, rec, "cluster without a value");
		return 0;
	}
	struct kb_strv aliases = {0}, apt_c = {0}, uuids = {0}, related = {0}, sectors = {0},
		       victims = {0}, refs = {0}, gids = {0};
	struct kb_grec r = {.first_seen = AS_TIME_NONE, .last_seen = AS_TIME_NONE};
	struct slice name = slice_cstr(value);
	const char *attack_id = NULL;
	char aid[16] = "";
	bool is360 = !strcmp(gtype, "360net-threat-actor");
	bool mitre = !strcmp(gtype, "mitre-intrusion-set");
	if (is360 || mitre) {
		const char *id;
		name = split_id(value, &id);
		if (id && is360) {
			strv_add_cstr(&apt_c, id);
			strv_add(&aliases, name);
			for (size_t k = 0; k < sizeof names360 / sizeof names360[0]; k++)
				if (slice_eq_cstr(name, names360[k].zh))
					strv_add_cstr(&aliases, names360[k].en);
			/* the Chinese name is an alias; the APT-C number names a new group */
			if (!slice_is_ascii(name))
				name = slice_cstr(id);
		} else if (id && mitre) {
			attack_id = id;
		}
	}
	jstrv(json_object_get(meta, "synonyms"), &aliases);
	const char *ext = jstr(meta, "external_id");
	if (ext && ext[0] == 'G')
		attack_id = ext;
	size_t i;
	json_t *e;
	json_array_foreach(json_object_get(meta, "name-attribution"), i, e)
	{
		const char *s = json_string_value(e);
		const char *colon = s ? strchr(s, ':') : NULL;
		struct slice n = colon ? slice_make(s, (size_t)(colon - s)) : slice_cstr(s);
		if (!s)
			continue;
		if (n.len == 5 && n.ptr[0] == 'G')
			strv_add(&gids, n);
		else
			strv_add(&aliases, n);
	}
	/* a cluster may name several G-ids (MISP's APT19 names APT19's and Deep
	 * Panda's): take the one its own name already denotes, else the first */
	if (!attack_id && gids.n) {
		const struct kb_group *own = kb_group_find(x->kb, name);
		uint32_t pick = 0;
		for (uint32_t k = 0; own && own->attack_id && k < gids.n; k++)
			if (!strcasecmp(gids.v[k], own->attack_id))
				pick = k;
		slice_copy_cstr(slice_cstr(gids.v[pick]), aid, sizeof aid);
		attack_id = aid;
		for (uint32_t k = 0; k < gids.n; k++)
			strv_add_cstr(&aliases, gids.v[k]); /* the others: conflicts if held */
	}
	const char *key;
	json_object_foreach(meta, key, e)
	{
		if (!strncmp(key, "origin:", 7))
			strv_add_cstr(&aliases, key + 7);
	}
	/* only 360.net's own numbers are authoritative; elsewhere APT-C-xx is an alias */
	strv_add_cstr(&uuids, jstr(v, "uuid"));
	json_array_foreach(json_object_get(v, "related"), i, e)
	{
		const char *t = jstr(e, "type");
		if (t && (!strcmp(t, "similar") || !strcmp(t, "same-as")))
			strv_add_cstr(&related, jstr(e, "dest-uuid"));
	}
	add_sectors(json_object_get(meta, "cfr-target-category"), &sectors);
	add_sectors(json_object_get(meta, "target-category"), &sectors);
	add_sectors(json_object_get(meta, "targeted-sector"), &sectors);
	add_victims(json_object_get(meta, "cfr-suspected-victims"), &victims);
	add_victims(json_object_get(meta, "suspected-victims"), &victims);
	jstrv(json_object_get(meta, "refs"), &refs);
	const char *ctext = jstr(meta, "country");
	char iso[3];
	const char *sponsor = jstr(meta, "cfr-suspected-state-sponsor");
	r.source = is360 ? "360net" : mitre ? "misp:mitre-intrusion-set" : "misp:threat-actor";
	r.rank = is360 ? KB_RANK_360NET : mitre ? KB_RANK_ATTACK : KB_RANK_MISP_ACTOR;
	r.name = name;
	r.aliases = &aliases;
	r.apt_c = is360 ? &apt_c : NULL;
	r.attack_id = attack_id;
	r.uuids = &uuids;
	r.related = &related;
	r.country_text = ctext;
	if (ctext && intel_country_parse(slice_cstr(ctext), iso))
		r.country = iso;
	else if (!ctext && sponsor && intel_country_parse(slice_cstr(sponsor), iso))
		r.country = iso;
	if (!r.country && ctext)
		r.region = intel_region_name(slice_cstr(ctext));
	r.sponsor = sponsor;
	r.sectors = &sectors;
	r.victims = &victims;
	r.refs = &refs;
	int rc = kb_group_merge(x->kb, &r, NULL);
	if (rc == AS_EINVAL) {
		kb_skip(x->diags, x->st, x->file, rec, "cluster \"%s\": unusable name", value);
		rc = 0;
	} else if (!rc) {
		x->st->groups++;
	}
	strv_free(&aliases);
	strv_free(&apt_c);
	strv_free(&uuids);
	strv_free(&related);
	strv_free(&sectors);
	strv_free(&victims);
	strv_free(&refs);
	strv_free(&gids);
	return rc;
}

static int do_software(struct misp *x, json_t *v, size_t rec, const char *type)
{
	const char *value = jstr(v, "value"), *id;
	json_t *meta = json_object_get(v, "meta");
	if (!value || !*value) {
		kb_skip(x->diags, x->st, x->file, rec, "cluster without a value");
		return 0;
	}
	struct slice name = split_id(value, &id);
	struct kb_software *s;
	int rc = kb_software_get(x->kb, name, jstr(v, "uuid"), &s);
	if (rc == AS_EINVAL) {
		kb_skip(x->diags, x->st, x->file, rec, "cluster \"%s\": unusable name", value);
		return 0;
	}
	if (rc)
		return rc;
	const char *ext = jstr(meta, "external_id");
	if (ext && !s->attack_id && !(s->attack_id = strdup(ext)))
		return AS_ENOMEM;
	if (!s->type && !(s->type = strdup(type)))
		return AS_ENOMEM;
	struct kb_strv al = {0};
	jstrv(json_object_get(meta, "synonyms"), &al);
	if (ext)
		strv_add_cstr(&al, ext);
	for (uint32_t i = 0; i < al.n && !rc; i++)
		rc = kb_software_alias(x->kb, s, slice_cstr(al.v[i]));
	strv_free(&al);
	x->st->software++;
	return rc == AS_ETOOBIG ? 0 : rc;
}

static int do_technique(struct misp *x, json_t *v, size_t rec)
{
	const char *value = jstr(v, "value"), *id;
	json_t *meta = json_object_get(v, "meta");
	if (!value) {
		kb_skip(x->diags, x->st, x->file, rec, "cluster without a value");
		return 0;
	}
	struct slice name = split_id(value, &id);
	const char *ext = jstr(meta, "external_id");
	if (!ext)
		ext = id;
	if (!ext || ext[0] != 'T') {
		kb_skip(x->diags, x->st, x->file, rec, "\"%s\": no technique id", value);
		return 0;
	}
	struct kb_technique *t;
	int rc = kb_technique_get(x->kb, slice_cstr(ext), jstr(v, "uuid"), &t);
	if (rc)
		return rc == AS_EINVAL ? 0 : rc;
	if (!t->name && !(t->name = strndup(name.ptr, name.len)))
		return AS_ENOMEM;
	size_t i;
	json_t *e;
	json_array_foreach(json_object_get(meta, "kill_chain"), i, e)
	{
		const char *k = json_string_value(e);
		const char *c = k ? strrchr(k, ':') : NULL;
		if (c)
			strv_add_cstr(&t->tactics, c + 1);
	}
	jstrv(json_object_get(meta, "mitre_platforms"), &t->platforms);
	x->st->techniques++;
	return 0;
}

/* Taxonomy galaxies: check every value maps; the kb keeps its own tables. */
static void do_taxonomy(struct misp *x, json_t *v, size_t rec, const char *type)
{
	const char *value = jstr(v, "value");
	if (!value)
		return;
	if (!strcmp(type, "sector")) {
		const char *ids[4];
		size_t n = intel_sector_map(slice_cstr(value), ids, 4);
		if (n == 1 && !strcmp(ids[0], "other") && strcasecmp(value, "other") &&
		    strcasecmp(value, "unknown")) {
			x->unmapped++;
			kb_skip(x->diags, x->st, x->file, rec, "sector \"%s\" maps to no sector",
				value);
		}
	} else if (!strcmp(type, "country")) {
		const char *iso = jstr(json_object_get(v, "meta"), "ISO");
		char c[3];
		if (!iso || !intel_country_parse(slice_cstr(iso), c) || !intel_country_region(c)) {
			x->unmapped++;
			kb_skip(x->diags, x->st, x->file, rec, "country \"%s\" (%s) has no region",
				value, iso ? iso : "no ISO code");
		}
	}
}

static int galaxy_import(struct misp *x, json_t *root)
{
	const char *type = jstr(root, "type");
	json_t *values = json_object_get(root, "values");
	size_t i;
	json_t *v;
	int rc = 0;
	if (!type) {
		kb_skip(x->diags, x->st, x->file, 0, "galaxy without a type");
		return 0;
	}
	bool actor = !strcmp(type, "threat-actor") || !strcmp(type, "360net-threat-actor") ||
		     !strcmp(type, "mitre-intrusion-set");
	bool sw = !strcmp(type, "mitre-malware") || !strcmp(type, "mitre-tool") ||
		  !strcmp(type, "malpedia");
	bool tech = !strcmp(type, "mitre-attack-pattern");
	bool tax = !strcmp(type, "sector") || !strcmp(type, "country") || !strcmp(type, "region");
	if (!actor && !sw && !tech && !tax) {
		kb_skip(x->diags, x->st, x->file, 0, "galaxy type \"%s\" is not used", type);
		return 0;
	}
	json_array_foreach(values, i, v)
	{
		x->st->objects++;
		if (!json_is_object(v)) {
			kb_skip(x->diags, x->st, x->file, i + 1, "cluster is not an object");
			continue;
		}
		if (actor)
			rc = do_actor(x, v, i + 1, type);
		else if (sw)
			rc = do_software(x, v, i + 1,
					 !strcmp(type, "mitre-tool") ? "tool" : "malware");
		else if (tech)
			rc = do_technique(x, v, i + 1);
		else
			do_taxonomy(x, v, i + 1, type);
		if (rc)
			return rc == AS_ETOOBIG ? 0 : rc;
	}
	/* mitre-intrusion-set links to software and techniques by uuid */
	if (!strcmp(type, "mitre-intrusion-set"))
		json_array_foreach(values, i, v)
		{
			struct kb_group *g = kb_group_by_uuid(x->kb, slice_cstr(jstr(v, "uuid")));
			size_t k;
			json_t *e;
			json_array_foreach(json_object_get(v, "related"), k, e)
			{
				const char *d = jstr(e, "dest-uuid");
				struct kb_software *s =
				    d ? kb_software_by_uuid(x->kb, slice_cstr(d)) : NULL;
				struct kb_technique *t =
				    d ? kb_technique_by_uuid(x->kb, slice_cstr(d)) : NULL;
				if (!g)
					break;
				if (s) {
					strv_add_cstr(&g->software, s->name);
					strv_add_cstr(&s->groups, g->name);
				}
				if (t)
					strv_add_cstr(&g->techniques, t->id);
			}
		}
	return 0;
}

/* 'misp-galaxy:threat-actor="APT32"' → APT32 */
static bool tag_actor(const char *tag, char *dst, size_t cap)
{
	static const char *const pre[] = {"misp-galaxy:threat-actor=\"",
					  "misp-galaxy:mitre-intrusion-set=\"",
					  "misp-galaxy:360net-threat-actor=\""};
	for (size_t i = 0; tag && i < sizeof pre / sizeof pre[0]; i++) {
		size_t n = strlen(pre[i]);
		if (strncmp(tag, pre[i], n))
			continue;
		const char *end = strchr(tag + n, '"');
		if (!end || (size_t)(end - tag - n) >= cap)
			return false;
		memcpy(dst, tag + n, (size_t)(end - tag - n));
		dst[end - tag - n] = 0;
		return true;
	}
	return false;
}

static void event_attrs(json_t *attrs, struct kb_strv *out, uint64_t *n)
{
	size_t i;
	json_t *a;
	json_array_foreach(attrs, i, a)
	{
		const char *type = jstr(a, "type"), *value = jstr(a, "value");
		json_t *ids = json_object_get(a, "to_ids");
		bool to_ids = json_is_true(ids) ||
			      (json_is_string(ids) && !strcmp(json_string_value(ids), "1"));
		if (!type || !value || !to_ids)
			continue;
		char buf[1024];
		int k = snprintf(buf, sizeof buf, "%s:%s", type, value);
		if (k > 0 && (size_t)k < sizeof buf && !strv_add_cstr(out, buf))
			(*n)++;
	}
}

static int event_import(struct misp *x, json_t *ev, size_t rec)
{
	struct kb_strv actors = {0}, sw = {0}, tech = {0}, ind = {0};
	size_t i, k;
	json_t *gal, *cl;
	int rc = 0;
	json_array_foreach(json_object_get(ev, "Galaxy"), i, gal)
	{
		const char *type = jstr(gal, "type");
		json_array_foreach(json_object_get(gal, "GalaxyCluster"), k, cl)
		{
			const char *value = jstr(cl, "value"), *id;
			if (!type || !value)
				continue;
			struct slice name = split_id(value, &id);
			if (!strcmp(type, "threat-actor") || !strcmp(type, "mitre-intrusion-set") ||
			    !strcmp(type, "360net-threat-actor"))
				strv_add(&actors, name);
			else if (!strcmp(type, "mitre-malware") || !strcmp(type, "mitre-tool") ||
				 !strcmp(type, "malpedia"))
				strv_add(&sw, name);
			else if (!strcmp(type, "mitre-attack-pattern") && id && id[0] == 'T')
				strv_add_cstr(&tech, id);
		}
	}
	json_t *tag;
	json_array_foreach(json_object_get(ev, "Tag"), i, tag)
	{
		char name[256];
		if (tag_actor(jstr(tag, "name"), name, sizeof name))
			strv_add_cstr(&actors, name);
	}
	event_attrs(json_object_get(ev, "Attribute"), &ind, &x->st->indicators);
	json_t *obj;
	json_array_foreach(json_object_get(ev, "Object"), i, obj)
	    event_attrs(json_object_get(obj, "Attribute"), &ind, &x->st->indicators);
	if (!actors.n) {
		kb_skip(x->diags, x->st, x->file, rec, "event \"%s\" names no threat actor",
			jstr(ev, "info") ? jstr(ev, "info") : "");
		goto out;
	}
	for (uint32_t a = 0; a < actors.n && !rc; a++) {
		struct kb_grec r = {.source = "misp:event",
				    .rank = KB_RANK_EVENT,
				    .name = slice_cstr(actors.v[a]),
				    .software = &sw,
				    .techniques = &tech,
				    .indicators = &ind,
				    .first_seen = AS_TIME_NONE,
				    .last_seen = AS_TIME_NONE};
		int64_t t;
		const char *date = jstr(ev, "date");
		if (date && !time_parse_rfc3339(slice_cstr(date), &t))
			r.first_seen = r.last_seen = t;
		rc = kb_group_merge(x->kb, &r, NULL);
		if (rc == AS_EINVAL)
			rc = 0;
		else if (!rc)
			x->st->groups++;
	}
out:
	strv_free(&actors);
	strv_free(&sw);
	strv_free(&tech);
	strv_free(&ind);
	return rc;
}

int intel_misp_import(struct kb *kb, const char *name, json_t *root, struct diag_sink *diags,
		      struct kb_import_stats *st)
{
	struct misp x = {.kb = kb, .file = name, .diags = diags, .st = st};
	if (json_is_object(root) && json_is_array(json_object_get(root, "values")))
		return galaxy_import(&x, root);
	/* events: {"Event":…}, {"response":[{"Event":…}]}, or [{"Event":…}, …] */
	json_t *list = json_is_array(root) ? root : json_object_get(root, "response");
	if (json_is_object(root) && json_object_get(root, "Event")) {
		st->objects++;
		return event_import(&x, json_object_get(root, "Event"), 1);
	}
	if (!json_is_array(list))
		return AS_EFORMAT;
	size_t i;
	json_t *e;
	json_array_foreach(list, i, e)
	{
		st->objects++;
		json_t *ev = json_object_get(e, "Event");
		if (!json_is_object(ev)) {
			kb_skip(diags, st, name, i + 1, "not a MISP event");
			continue;
		}
		int rc = event_import(&x, ev, i + 1);
		if (rc)
			return rc == AS_ETOOBIG ? 0 : rc;
	}
	return 0;
}
