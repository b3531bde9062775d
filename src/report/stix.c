/*
 * stix.c — the threat-landscape report as a STIX 2.1 bundle that MISP and
 * OpenCTI import: a report object whose object_refs name everything else;
 * intrusion-sets (known groups and the period's new clusters) with their
 * origin as a location; campaigns attributed to their group; one identity
 * per targeted sector (identity_class "class" with the sectors property) and
 * per victim organisation; vulnerabilities; indicators from the incidents;
 * and one sighting per incident (of its group, else of its first indicator)
 * where the victim saw it, with the incident id as an external reference.
 *
 * Ids are UUIDv5 of the object's type and natural key under a fixed
 * namespace, so the same group or CVE gets the same id in every report and
 * an importer merges instead of duplicating.
 */
#include <jansson.h>
#include <openssl/evp.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "core/error.h"
#include "core/json.h"
#include "core/map.h"
#include "core/timeparse.h"
#include "report/report.h"

#define STIX_ID 80 /* "type--" + 36 */

/* namespace of aptscope's STIX ids (a random UUID, fixed forever) */
static const unsigned char ns[16] = {0x5b, 0x1e, 0x7c, 0x42, 0x90, 0x3d, 0x4f, 0x8a,
				     0xa6, 0x21, 0x0c, 0xd3, 0x57, 0xe9, 0x14, 0xb8};

static const char *stix_id(const char *type, const char *key, char *dst)
{
	unsigned char md[EVP_MAX_MD_SIZE];
	unsigned int n = 0;
	EVP_MD_CTX *ctx = EVP_MD_CTX_new();
	if (ctx && EVP_DigestInit_ex(ctx, EVP_sha1(), NULL)) {
		EVP_DigestUpdate(ctx, ns, sizeof ns);
		EVP_DigestUpdate(ctx, type, strlen(type));
		EVP_DigestUpdate(ctx, "|", 1);
		EVP_DigestUpdate(ctx, key, strlen(key));
		EVP_DigestFinal_ex(ctx, md, &n);
	}
	EVP_MD_CTX_free(ctx);
	if (n < 16)
		memset(md, 0, 16);
	md[6] = (unsigned char)((md[6] & 0x0f) | 0x50); /* version 5 */
	md[8] = (unsigned char)((md[8] & 0x3f) | 0x80); /* RFC 4122 variant */
	snprintf(dst, STIX_ID,
		 "%s--%02x%02x%02x%02x-%02x%02x-%02x%02x-%02x%02x-%02x%02x%02x%02x%02x%02x", type,
		 md[0], md[1], md[2], md[3], md[4], md[5], md[6], md[7], md[8], md[9], md[10],
		 md[11], md[12], md[13], md[14], md[15]);
	return dst;
}

struct stix {
	struct buf objs; /* ",{…}" per object */
	struct map seen; /* ids written */
	struct buf refs; /* ids for the report's object_refs, as JSON strings with commas */
	char created[AS_TIME_STRLEN];
	char by[STIX_ID];
	int err;
};

/* Start an object unless its id was written already; false then. */
static bool obj_begin(struct stix *s, struct jw *w, const char *type, const char *id)
{
	bool existed = false;
	uint64_t v = 0;
	if (map_put_new(&s->seen, slice_cstr(id), &v, &existed)) {
		s->err = AS_ENOMEM;
		return false;
	}
	if (existed)
		return false;
	if (s->refs.len)
		buf_putc(&s->refs, ',');
	json_cstr(&s->refs, id);
	buf_putc(&s->objs, ',');
	jw_init(w, &s->objs);
	jw_obj(w);
	jw_kcstr(w, "type", type);
	jw_kcstr(w, "spec_version", "2.1");
	jw_kcstr(w, "id", id);
	jw_kcstr(w, "created", s->created);
	jw_kcstr(w, "modified", s->created);
	if (strcmp(type, "identity") || strcmp(id, s->by))
		jw_kcstr(w, "created_by_ref", s->by);
	return true;
}

static void w_time(struct jw *w, const char *key, int64_t t)
{
	char s[AS_TIME_STRLEN];
	if (t != AS_TIME_NONE)
		jw_kcstr(w, key, time_format(t, s));
}

static void relationship(struct stix *s, const char *type, const char *src, const char *dst)
{
	char key[2 * STIX_ID + 64], id[STIX_ID];
	struct jw w;
	snprintf(key, sizeof key, "%s|%s|%s", src, type, dst);
	if (!obj_begin(s, &w, "relationship", stix_id("relationship", key, id)))
		return;
	jw_kcstr(&w, "relationship_type", type);
	jw_kcstr(&w, "source_ref", src);
	jw_kcstr(&w, "target_ref", dst);
	jw_obj_end(&w);
}

static void ext_ref(struct jw *w, const char *source, const char *external_id)
{
	jw_key(w, "external_references");
	jw_arr(w);
	jw_obj(w);
	jw_kcstr(w, "source_name", source);
	jw_kcstr(w, "external_id", external_id);
	jw_obj_end(w);
	jw_arr_end(w);
}

static const char *group_id(const struct rep_row *r, char *dst)
{
	return stix_id("intrusion-set", r->key, dst);
}

static void intrusion_set(struct stix *s, const struct landscape *l, const struct rep_row *r)
{
	const struct rep_group *g = r->group;
	char id[STIX_ID], loc[STIX_ID];
	struct jw w;
	group_id(r, id);
	if (!obj_begin(s, &w, "intrusion-set", id))
		return;
	jw_kcstr(&w, "name", r->key);
	if (g && g->naliases) {
		jw_key(&w, "aliases");
		jw_arr(&w);
		for (size_t i = 0; i < g->naliases; i++)
			jw_cstr(&w, g->aliases[i]);
		jw_arr_end(&w);
	}
	if (g && g->cluster)
		jw_kcstr(&w, "description",
			 "A new group: a cluster of unattributed incidents sharing indicators, "
			 "infrastructure, software or techniques.");
	if (g && g->first_seen != AS_TIME_NONE && g->last_seen != AS_TIME_NONE) {
		w_time(&w, "first_seen", g->first_seen);
		w_time(&w, "last_seen", g->last_seen);
	}
	if (g && g->attack_id)
		ext_ref(&w, "mitre-attack", g->attack_id);
	jw_obj_end(&w);
	if (g && g->country && strlen(g->country) == 2) {
		struct jw lw;
		stix_id("location", g->country, loc);
		if (obj_begin(s, &lw, "location", loc)) {
			jw_kcstr(&lw, "name", g->country);
			jw_kcstr(&lw, "country", g->country);
			jw_obj_end(&lw);
		}
		relationship(s, "originates-from", id, loc);
	}
	(void)l;
}

static const char *sector_identity(struct stix *s, const char *sector, char *id)
{
	struct jw w;
	stix_id("identity", sector, id);
	if (obj_begin(s, &w, "identity", id)) {
		jw_kcstr(&w, "name", rep_sector_label(sector));
		jw_kcstr(&w, "identity_class", "class");
		jw_key(&w, "sectors");
		jw_arr(&w);
		jw_cstr(&w, sector);
		jw_arr_end(&w);
		jw_obj_end(&w);
	}
	return id;
}

static const char *org_identity(struct stix *s, const struct rep_inc *ri, char *id)
{
	struct jw w;
	char key[512];
	snprintf(key, sizeof key, "org|%s", ri->org);
	stix_id("identity", key, id);
	if (obj_begin(s, &w, "identity", id)) {
		jw_kcstr(&w, "name", ri->org);
		jw_kcstr(&w, "identity_class", "organization");
		if (strcmp(ri->sector, "unknown")) {
			jw_key(&w, "sectors");
			jw_arr(&w);
			jw_cstr(&w, ri->sector);
			jw_arr_end(&w);
		}
		jw_obj_end(&w);
	}
	return id;
}

/* A STIX pattern for an indicator of the incident JSON; false when its type
 * has no STIX object. */
static bool pattern_of(const char *type, const char *value, struct buf *p)
{
	const char *obj;
	if (!strcmp(type, "ip") || !strcmp(type, "ipv4") || !strcmp(type, "ipv6"))
		obj = strchr(value, ':') ? "ipv6-addr:value" : "ipv4-addr:value";
	else if (!strcmp(type, "domain") || !strcmp(type, "hostname"))
		obj = "domain-name:value";
	else if (!strcmp(type, "url"))
		obj = "url:value";
	else if (!strcmp(type, "md5"))
		obj = "file:hashes.MD5";
	else if (!strcmp(type, "sha1"))
		obj = "file:hashes.'SHA-1'";
	else if (!strcmp(type, "sha256"))
		obj = "file:hashes.'SHA-256'";
	else if (!strcmp(type, "email"))
		obj = "email-addr:value";
	else
		return false;
	buf_printf(p, "[%s = '", obj);
	for (const char *c = value; *c; c++) {
		if (*c == '\\' || *c == '\'')
			buf_putc(p, '\\');
		buf_putc(p, *c);
	}
	buf_puts(p, "']");
	return true;
}

/* Indicators of one incident; the id of the first into first (when empty). */
static void indicators(struct stix *s, const struct rep_inc *ri, const char *group, char *first)
{
	json_t *v;
	size_t i;
	json_array_foreach(json_object_get(ri->json, "indicators"), i, v)
	{
		const char *type = json_string_value(json_object_get(v, "type"));
		const char *value = json_string_value(json_object_get(v, "value"));
		struct buf p = BUF_INIT;
		if (!type || !value || !*value || !pattern_of(type, value, &p) || p.err) {
			buf_free(&p);
			continue;
		}
		char id[STIX_ID];
		struct jw w;
		stix_id("indicator", p.data, id);
		if (obj_begin(s, &w, "indicator", id)) {
			jw_kcstr(&w, "name", value);
			jw_key(&w, "indicator_types");
			jw_arr(&w);
			jw_cstr(&w, "malicious-activity");
			jw_arr_end(&w);
			jw_kcstr(&w, "pattern", p.data);
			jw_kcstr(&w, "pattern_type", "stix");
			char t[AS_TIME_STRLEN];
			jw_kcstr(&w, "valid_from",
				 ri->first_seen != AS_TIME_NONE ? time_format(ri->first_seen, t)
								: s->created);
			jw_obj_end(&w);
		}
		if (group)
			relationship(s, "indicates", id, group);
		if (!first[0])
			strcpy(first, id);
		buf_free(&p);
	}
}

static void sighting(struct stix *s, const struct rep_inc *ri, const char *of, const char *where)
{
	char id[STIX_ID];
	struct jw w;
	if (!obj_begin(s, &w, "sighting", stix_id("sighting", ri->id, id)))
		return;
	jw_kcstr(&w, "sighting_of_ref", of);
	jw_key(&w, "where_sighted_refs");
	jw_arr(&w);
	jw_cstr(&w, where);
	jw_arr_end(&w);
	if (ri->first_seen != AS_TIME_NONE) {
		w_time(&w, "first_seen", ri->first_seen);
		if (ri->last_seen != AS_TIME_NONE && ri->last_seen >= ri->first_seen)
			w_time(&w, "last_seen", ri->last_seen);
	}
	jw_kint(&w, "count", ri->alerts > 999999999 ? 999999999 : (int64_t)ri->alerts);
	const char *story = json_string_value(json_object_get(ri->json, "story"));
	if (story && *story)
		jw_kcstr(&w, "description", story);
	ext_ref(&w, "aptscope", ri->id);
	jw_obj_end(&w);
}

int report_stix(const struct landscape *l, int64_t created, struct buf *out)
{
	struct stix s = {.objs = BUF_INIT, .refs = BUF_INIT};
	map_init(&s.seen);
	time_format(created / 1000 * 1000, s.created);
	stix_id("identity", "aptscope", s.by);
	struct jw w;
	if (obj_begin(&s, &w, "identity", s.by)) {
		jw_kcstr(&w, "name", "aptscope");
		jw_kcstr(&w, "identity_class", "system");
		jw_obj_end(&w);
	}
	/* groups, their sectors and vulnerabilities */
	const struct rep_tally *gt[] = {&l->groups, &l->new_groups};
	for (int k = 0; k < 2; k++)
		for (size_t i = 0; i < gt[k]->n; i++)
			intrusion_set(&s, l, gt[k]->order[i]);
	for (size_t i = 0; i < l->cves.n; i++) {
		const struct rep_row *r = l->cves.order[i];
		char id[STIX_ID];
		if (obj_begin(&s, &w, "vulnerability", stix_id("vulnerability", r->key, id))) {
			jw_kcstr(&w, "name", r->key);
			if (!strncmp(r->key, "CVE-", 4))
				ext_ref(&w, "cve", r->key);
			jw_obj_end(&w);
		}
	}
	for (size_t i = 0; i < l->ninc; i++) {
		const struct rep_inc *ri = &l->inc[i];
		char gid[STIX_ID] = "", sid[STIX_ID], oid[STIX_ID], first[STIX_ID] = "";
		if (ri->group)
			stix_id("intrusion-set", ri->group, gid);
		if (strcmp(ri->sector, "unknown")) {
			sector_identity(&s, ri->sector, sid);
			if (gid[0])
				relationship(&s, "targets", gid, sid);
		}
		json_t *v;
		size_t j;
		json_array_foreach(json_object_get(ri->json, "cves"), j, v)
		{
			const char *cve = json_string_value(json_object_get(v, "id"));
			char vid[STIX_ID];
			if (cve && *cve && gid[0])
				relationship(&s, "targets", gid,
					     stix_id("vulnerability", cve, vid));
		}
		indicators(&s, ri, gid[0] ? gid : NULL, first);
		if (ri->campaign) {
			char cid[STIX_ID];
			stix_id("campaign", ri->campaign, cid);
			const struct rep_row *cr = rep_tally_find(&l->campaigns, ri->campaign);
			if (obj_begin(&s, &w, "campaign", cid)) {
				jw_kcstr(&w, "name", ri->campaign);
				int64_t f = AS_TIME_NONE, z = AS_TIME_NONE;
				for (size_t c = 0; cr && c < cr->ninc; c++) {
					const struct rep_inc *x = &l->inc[cr->inc[c]];
					int64_t e = x->last_seen != AS_TIME_NONE ? x->last_seen
										 : x->first_seen;
					if (x->first_seen != AS_TIME_NONE &&
					    (f == AS_TIME_NONE || x->first_seen < f))
						f = x->first_seen;
					if (e != AS_TIME_NONE && (z == AS_TIME_NONE || e > z))
						z = e;
				}
				if (f != AS_TIME_NONE && z != AS_TIME_NONE && z >= f) {
					w_time(&w, "first_seen", f);
					w_time(&w, "last_seen", z);
				}
				jw_obj_end(&w);
			}
			if (gid[0])
				relationship(&s, "attributed-to", cid, gid);
		}
		if (strcmp(ri->org, "unknown") && (gid[0] || first[0])) {
			org_identity(&s, ri, oid);
			sighting(&s, ri, gid[0] ? gid : first, oid);
		}
	}

	char rid[STIX_ID], bid[STIX_ID], d1[AS_TIME_STRLEN], d2[AS_TIME_STRLEN], key[128];
	snprintf(key, sizeof key, "%s|%s|%s", rep_day(l->from, false, d1), rep_day(l->to, true, d2),
		 s.created);
	stix_id("report", key, rid);
	jw_init(&w, out);
	jw_obj(&w);
	jw_kcstr(&w, "type", "bundle");
	jw_kcstr(&w, "id", stix_id("bundle", key, bid));
	jw_key(&w, "objects");
	jw_arr(&w);
	jw_obj(&w);
	jw_kcstr(&w, "type", "report");
	jw_kcstr(&w, "spec_version", "2.1");
	jw_kcstr(&w, "id", rid);
	jw_kcstr(&w, "created", s.created);
	jw_kcstr(&w, "modified", s.created);
	jw_kcstr(&w, "created_by_ref", s.by);
	char name[160];
	snprintf(name, sizeof name, "Threat landscape %s to %s", rep_day(l->from, false, d1),
		 rep_day(l->to, true, d2));
	jw_kcstr(&w, "name", name);
	struct rep_headline h;
	landscape_headline(l, &h);
	char desc[512];
	snprintf(desc, sizeof desc,
		 "%llu APT attacks (incidents) against %llu organisations in %llu sectors by %llu "
		 "groups, %llu of them new.",
		 (unsigned long long)h.incidents, (unsigned long long)h.orgs,
		 (unsigned long long)h.sectors, (unsigned long long)h.groups,
		 (unsigned long long)h.new_groups);
	jw_kcstr(&w, "description", desc);
	jw_key(&w, "report_types");
	jw_arr(&w);
	jw_cstr(&w, "threat-report");
	jw_arr_end(&w);
	jw_kcstr(&w, "published", s.created);
	jw_key(&w, "object_refs");
	jw_arr(&w);
	jw_raw(&w, buf_slice(&s.refs));
	jw_arr_end(&w);
	jw_obj_end(&w);
	/* the other objects follow, each already led by its comma */
	buf_append(out, s.objs.data ? s.objs.data : "", s.objs.len);
	buf_puts(out, "]}\n");
	int rc = s.err ? s.err : s.objs.err ? s.objs.err : s.refs.err ? s.refs.err : out->err;
	buf_free(&s.objs);
	buf_free(&s.refs);
	map_free(&s.seen);
	return rc;
}
