/*
 * ioc_misp.c — indicators from MISP event JSON.
 *
 * Accepts {"Event":{…}}, {"response":[{"Event":{…}}…]}, an array of either,
 * or a bare event object. Each event's attributes (Event.Attribute and
 * Event.Object[].Attribute) become indicators labelled with Event.info; the
 * threat actors and malware named by the event's and the attribute's tags
 * (misp-galaxy:threat-actor="APT32", misp-galaxy:mitre-intrusion-set=
 * "APT28 - G0007", misp-galaxy:malpedia="…") and galaxies (Galaxy[].
 * GalaxyCluster[].value) become groups and malware.
 *
 * to_ids is honoured as MISP documents it: an attribute whose to_ids is false
 * is context, not meant for detection, and is skipped (counted, and reported
 * once per file). Composite types (domain|ip, filename|sha256, ip-dst|port)
 * give one indicator per usable part. Unsupported attribute types are
 * reported with the attribute's position and type.
 */
#include "detect/ioc/ioc_internal.h"

#include <jansson.h>
#include <stdlib.h>
#include <string.h>

#include "core/error.h"
#include "core/timeparse.h"

#define MISP_MAX_NAMES 16

struct names {
	const char *groups[MISP_MAX_NAMES + 1];
	const char *malware[MISP_MAX_NAMES + 1];
	size_t ng, nm;
	char buf[4096];
	size_t used;
};

static const char *str_of(json_t *o, const char *k)
{
	return json_string_value(json_object_get(o, k));
}

static void names_add(struct names *nm, bool group, struct slice v)
{
	v = slice_trim(v);
	/* "APT28 - G0007": the MITRE id is not part of the name */
	for (size_t i = 0; i + 3 < v.len; i++)
		if (v.ptr[i] == ' ' && v.ptr[i + 1] == '-' && v.ptr[i + 2] == ' ' &&
		    (v.ptr[i + 3] == 'G' || v.ptr[i + 3] == 'S')) {
			v.len = i;
			break;
		}
	if (!v.len || nm->used + v.len + 1 > sizeof nm->buf)
		return;
	size_t *n = group ? &nm->ng : &nm->nm;
	const char **list = group ? nm->groups : nm->malware;
	for (size_t i = 0; i < *n; i++)
		if (slice_eq_cstr(v, list[i]))
			return;
	if (*n >= MISP_MAX_NAMES)
		return;
	char *p = nm->buf + nm->used;
	memcpy(p, v.ptr, v.len);
	p[v.len] = 0;
	nm->used += v.len + 1;
	list[(*n)++] = p;
	list[*n] = NULL;
}

/* 1: group, 0: malware, -1: neither, by galaxy type. */
static int galaxy_kind(struct slice t)
{
	static const char *const grp[] = {"threat-actor", "mitre-intrusion-set",
					  "mitre-enterprise-attack-intrusion-set", "360net"};
	static const char *const mal[] = {"malpedia",
					  "mitre-malware",
					  "mitre-tool",
					  "tool",
					  "ransomware",
					  "backdoor",
					  "rat",
					  "banker",
					  "stealer",
					  "botnet",
					  "android",
					  "exploit-kit",
					  "mitre-enterprise-attack-malware"};
	for (size_t i = 0; i < sizeof grp / sizeof *grp; i++)
		if (slice_eq_cstr(t, grp[i]))
			return 1;
	for (size_t i = 0; i < sizeof mal / sizeof *mal; i++)
		if (slice_eq_cstr(t, mal[i]))
			return 0;
	return -1;
}

static void names_from_tags(struct names *nm, json_t *tags)
{
	size_t i;
	json_t *t;
	json_array_foreach(tags, i, t)
	{
		const char *name = str_of(t, "name");
		if (!name)
			name = json_string_value(t);
		if (!name || strncmp(name, "misp-galaxy:", 12))
			continue;
		struct slice rest = slice_cstr(name + 12), kind;
		struct slice v = slice_cut(rest, '=', &kind);
		if (!v.ptr)
			continue;
		int k = galaxy_kind(kind);
		if (k < 0)
			continue;
		if (v.len >= 2 && v.ptr[0] == '"' && v.ptr[v.len - 1] == '"')
			v = slice_sub(v, 1, v.len - 2);
		names_add(nm, k == 1, v);
	}
}

static void names_from_galaxies(struct names *nm, json_t *gal)
{
	size_t i, j;
	json_t *g, *c;
	json_array_foreach(gal, i, g)
	{
		const char *type = str_of(g, "type");
		int k = type ? galaxy_kind(slice_cstr(type)) : -1;
		if (k < 0)
			continue;
		json_array_foreach(json_object_get(g, "GalaxyCluster"), j, c)
		{
			const char *v = str_of(c, "value");
			if (v)
				names_add(nm, k == 1, slice_cstr(v));
		}
	}
}

static bool truthy(json_t *v, bool dflt)
{
	if (!v)
		return dflt;
	if (json_is_boolean(v))
		return json_is_true(v);
	if (json_is_integer(v))
		return json_integer_value(v) != 0;
	const char *s = json_string_value(v);
	if (s)
		return !(s[0] == '0' || !strcmp(s, "false") || s[0] == 0);
	return dflt;
}

struct ctx {
	struct ioc_set *s;
	const char *name;
	struct diag_sink *diags;
	struct ioc_load_stats *st;
	uint64_t printed, not_ids, record;
};

static void add_one(struct ctx *c, const char *type, struct slice v, const struct ioc_meta *m,
		    const char *mtype)
{
	struct diag d;
	int rc = ioc_set_add(c->s, type, v, m, &d);
	if (rc < 0) {
		struct diag d2;
		diag_set(&d2, rc, "attribute %s: %s", mtype, d.msg);
		ioc_report(c->diags, c->name, c->record, &d2, &c->printed, c->st);
	} else if (c->st) {
		if (rc == 0)
			c->st->loaded++;
		else
			c->st->duplicates++;
	}
}

static void attribute(struct ctx *c, json_t *a, const struct names *ev_names,
		      const struct ioc_meta *ev_meta)
{
	c->record++;
	if (c->st)
		c->st->records++;
	const char *type = str_of(a, "type"), *value = str_of(a, "value");
	struct diag d;
	if (!type || !value) {
		diag_set(&d, AS_EPARSE, "attribute without type or value");
		ioc_report(c->diags, c->name, c->record, &d, &c->printed, c->st);
		return;
	}
	if (truthy(json_object_get(a, "deleted"), false))
		return;
	if (!truthy(json_object_get(a, "to_ids"), true)) {
		c->not_ids++;
		if (c->st)
			c->st->skipped++;
		return;
	}
	struct names nm = *ev_names;
	/* the copy's pointers must point into its own buffer */
	for (size_t i = 0; i < nm.ng; i++)
		nm.groups[i] = nm.buf + (ev_names->groups[i] - ev_names->buf);
	for (size_t i = 0; i < nm.nm; i++)
		nm.malware[i] = nm.buf + (ev_names->malware[i] - ev_names->buf);
	names_from_tags(&nm, json_object_get(a, "Tag"));
	names_from_galaxies(&nm, json_object_get(a, "Galaxy"));
	struct ioc_meta m = *ev_meta;
	m.groups = nm.ng ? nm.groups : NULL;
	m.malware = nm.nm ? nm.malware : NULL;
	m.ref = str_of(a, "uuid");
	const char *comment = str_of(a, "comment");
	char label[512];
	if (comment && *comment && ev_meta->label) {
		snprintf(label, sizeof label, "%s: %s", ev_meta->label, comment);
		m.label = label;
	} else if (comment && *comment) {
		m.label = comment;
	}
	static const struct {
		const char *misp;
		const char *first, *second; /* ioc types of value parts split at '|' */
	} map[] = {
	    {"ip-src", "ip", NULL},
	    {"ip-dst", "ip", NULL},
	    {"ip-src|port", "ip", ""},
	    {"ip-dst|port", "ip", ""},
	    {"domain", "domain", NULL},
	    {"hostname", "domain", NULL},
	    {"domain|ip", "domain", "ip"},
	    {"hostname|port", "domain", ""},
	    {"url", "url", NULL},
	    {"md5", "md5", NULL},
	    {"sha1", "sha1", NULL},
	    {"sha256", "sha256", NULL},
	    {"filename", "filename", NULL},
	    {"filename|md5", "filename", "md5"},
	    {"filename|sha1", "filename", "sha1"},
	    {"filename|sha256", "filename", "sha256"},
	    {"malware-sample", "filename", "md5"},
	    {"email", "email", NULL},
	    {"email-src", "email", NULL},
	    {"email-dst", "email", NULL},
	    {"ja3-fingerprint-md5", "ja3", NULL},
	    {"ja3s-fingerprint-md5", "ja3s", NULL},
	    {"user-agent", "user-agent", NULL},
	};
	for (size_t i = 0; i < sizeof map / sizeof *map; i++) {
		if (strcmp(type, map[i].misp))
			continue;
		struct slice v = slice_cstr(value), first;
		if (!map[i].second) {
			add_one(c, map[i].first, v, &m, type);
			return;
		}
		struct slice second = slice_cut(v, '|', &first);
		if (!second.ptr) {
			diag_set(&d, AS_EPARSE, "attribute %s: value has no '|'", type);
			ioc_report(c->diags, c->name, c->record, &d, &c->printed, c->st);
			return;
		}
		add_one(c, map[i].first, first, &m, type);
		if (map[i].second[0])
			add_one(c, map[i].second, second, &m, type);
		return;
	}
	diag_set(&d, AS_EUNSUPPORTED, "attribute type %.60s not supported", type);
	ioc_report(c->diags, c->name, c->record, &d, &c->printed, c->st);
}

static void event(struct ctx *c, json_t *ev)
{
	struct names nm = {0};
	names_from_tags(&nm, json_object_get(ev, "Tag"));
	names_from_galaxies(&nm, json_object_get(ev, "Galaxy"));
	const char *tl = str_of(ev, "threat_level_id");
	int score = -1;
	if (tl && tl[0] >= '1' && tl[0] <= '3' && !tl[1])
		score = tl[0] == '1' ? 80 : tl[0] == '2' ? 60 : 30;
	struct ioc_meta m = {.source = c->name,
			     .label = str_of(ev, "info"),
			     .score = score,
			     .valid_from = AS_TIME_NONE,
			     .valid_until = AS_TIME_NONE};
	size_t i, j;
	json_t *a, *o;
	json_array_foreach(json_object_get(ev, "Attribute"), i, a) attribute(c, a, &nm, &m);
	json_array_foreach(json_object_get(ev, "Object"), i, o)
	{
		json_array_foreach(json_object_get(o, "Attribute"), j, a) attribute(c, a, &nm, &m);
	}
}

static void any(struct ctx *c, json_t *v, int depth)
{
	if (depth > 3)
		return;
	if (json_is_array(v)) {
		size_t i;
		json_t *e;
		json_array_foreach(v, i, e) any(c, e, depth + 1);
		return;
	}
	if (!json_is_object(v))
		return;
	json_t *ev = json_object_get(v, "Event");
	if (ev) {
		event(c, ev);
		return;
	}
	json_t *resp = json_object_get(v, "response");
	if (resp) {
		any(c, resp, depth + 1);
		return;
	}
	if (json_object_get(v, "Attribute"))
		event(c, v);
}

int ioc_load_misp(struct ioc_set *s, const char *name, const char *data, size_t n,
		  struct diag_sink *diags, struct ioc_load_stats *st)
{
	json_error_t jerr;
	struct ctx c = {s, name, diags, st, 0, 0, 0};
	json_t *root = json_loadb(data, n, 0, &jerr);
	if (!root) {
		struct diag d;
		diag_set(&d, AS_EPARSE, "not JSON: %s", jerr.text);
		ioc_report(diags, name, jerr.line > 0 ? (uint64_t)jerr.line : 0, &d, &c.printed,
			   st);
		return AS_EPARSE;
	}
	any(&c, root, 0);
	if (c.not_ids && diags) {
		struct diag d;
		diag_set(&d, AS_OK,
			 "%llu attributes with to_ids false skipped (context, not for detection)",
			 (unsigned long long)c.not_ids);
		diag_report(diags, name, 0, 0, &d, &c.printed);
	}
	json_decref(root);
	return 0;
}
