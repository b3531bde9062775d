/*
 * observe.c — what was seen, in a form attribution can score: struct
 * observations, filled from plain lists (the incident code) or parsed from a
 * document (`aptscope attribute`).
 *
 * Three documents are recognised by shape: aptscope's own JSON contract
 * (an object with any of "techniques", "software", "indicators", …), a MISP
 * event (attributes, objects, galaxy clusters and tags) and a STIX 2.x bundle
 * (attack patterns, malware, tools, indicators, identities, locations). Each
 * entry that cannot be used is reported and skipped; the rest is kept.
 */
#include <ctype.h>
#include <jansson.h>
#include <stdlib.h>
#include <string.h>

#include "attribute/attribute.h"
#include "attribute/attr_impl.h"
#include "core/error.h"
#include "core/limits.h"
#include "core/timeparse.h"

int attr_strs_add(struct attr_strs *s, struct slice v, uint32_t max)
{
	v = slice_trim(v);
	if (!v.len)
		return 0;
	if (v.len > AS_MAX_ATTR_VALUE)
		return AS_ETOOBIG;
	for (uint32_t i = 0; i < s->n; i++)
		if (slice_eq_nocase_cstr(v, s->v[i]))
			return 0;
	if (s->n >= max)
		return AS_ETOOBIG;
	if (s->n == s->cap) {
		uint32_t cap = s->cap ? s->cap * 2 : 8;
		char **nv = realloc(s->v, cap * sizeof *nv);
		if (!nv)
			return AS_ENOMEM;
		s->v = nv;
		s->cap = cap;
	}
	char *c = strndup(v.ptr, v.len);
	if (!c)
		return AS_ENOMEM;
	s->v[s->n++] = c;
	return 0;
}

void attr_strs_free(struct attr_strs *s)
{
	for (uint32_t i = 0; i < s->n; i++)
		free(s->v[i]);
	free(s->v);
	memset(s, 0, sizeof *s);
}

int observations_new(struct observations **out)
{
	*out = calloc(1, sizeof **out);
	return *out ? 0 : AS_ENOMEM;
}

void observations_free(struct observations *o)
{
	if (!o)
		return;
	for (int k = 0; k < ATTR_OBS_KINDS; k++)
		attr_strs_free(&o->list[k]);
	for (uint32_t i = 0; i < o->nind; i++) {
		free(o->ind[i].type);
		free(o->ind[i].value);
		attr_strs_free(&o->ind[i].groups);
	}
	free(o->ind);
	free(o);
}

int observations_add(struct observations *o, enum attr_obs_kind kind, struct slice value)
{
	if ((unsigned)kind >= ATTR_OBS_KINDS)
		return AS_EINVAL;
	int rc = attr_strs_add(&o->list[kind], value, AS_MAX_ATTR_OBS);
	if (rc == AS_ETOOBIG)
		o->skipped++;
	return rc;
}

int observations_add_indicator(struct observations *o, struct slice type, struct slice value,
			       const struct slice *groups, size_t ngroups)
{
	value = slice_trim(value);
	if (!value.len)
		return 0;
	if (value.len > AS_MAX_ATTR_VALUE || type.len > AS_MAX_ATTR_VALUE) {
		o->skipped++;
		return AS_ETOOBIG;
	}
	struct attr_indicator *in = NULL;
	for (uint32_t i = 0; i < o->nind && !in; i++)
		if (slice_eq_nocase_cstr(value, o->ind[i].value))
			in = &o->ind[i];
	if (!in) {
		if (o->nind >= AS_MAX_ATTR_INDICATORS) {
			o->skipped++;
			return AS_ETOOBIG;
		}
		if (o->nind == o->capind) {
			uint32_t cap = o->capind ? o->capind * 2 : 8;
			struct attr_indicator *n = realloc(o->ind, cap * sizeof *n);
			if (!n)
				return AS_ENOMEM;
			o->ind = n;
			o->capind = cap;
		}
		in = &o->ind[o->nind];
		memset(in, 0, sizeof *in);
		in->type = strndup(type.ptr ? type.ptr : "", type.len);
		in->value = strndup(value.ptr, value.len);
		if (!in->type || !in->value) {
			free(in->type);
			free(in->value);
			return AS_ENOMEM;
		}
		o->nind++;
	}
	for (size_t i = 0; i < ngroups; i++) {
		int rc = attr_strs_add(&in->groups, groups[i], AS_MAX_ATTR_OBS);
		if (rc == AS_ENOMEM)
			return rc;
	}
	return 0;
}

void observations_add_time(struct observations *o, int64_t us)
{
	if (us == AS_TIME_NONE)
		return;
	int64_t day = 86400ll * 1000000;
	int64_t r = us % day;
	if (r < 0)
		r += day;
	o->hours[r / 3600000000ll]++;
}

/* --- parsing ---------------------------------------------------------------- */

struct pctx {
	struct observations *o;
	struct diag_sink *diags;
	const char *name;
	uint64_t printed, record;
};

/* diag sinks do not take NULL; callers that only want the result pass none */
static void emit(struct pctx *p, uint64_t offset, const struct diag *d)
{
	if (p->diags)
		diag_report(p->diags, p->name, p->record, offset, d, &p->printed);
}

static void skip(struct pctx *p, const char *msg, const char *what)
{
	struct diag d;
	if (what && *what)
		diag_set(&d, AS_EPARSE, "%s: %.80s", msg, what);
	else
		diag_set(&d, AS_EPARSE, "%s", msg);
	emit(p, 0, &d);
	p->o->skipped++;
}

static const char *jstr(json_t *o, const char *k)
{
	return json_string_value(json_object_get(o, k));
}

static void add(struct pctx *p, enum attr_obs_kind k, const char *v)
{
	if (v && observations_add(p->o, k, slice_cstr(v)) == AS_ETOOBIG)
		skip(p, "value too long or too many values", v);
}

/* The ATT&CK id inside a text such as "PowerShell - T1059.001"; 0 or -1. */
static int technique_in(const char *s, char dst[16])
{
	for (const char *q = s; q && *q; q++) {
		if (*q != 'T' || (q > s && isalnum((unsigned char)q[-1])))
			continue;
		size_t n = 1;
		while (n < 6 && isdigit((unsigned char)q[n]))
			n++;
		if (n != 5)
			continue;
		if (q[5] == '.' && isdigit((unsigned char)q[6]) && isdigit((unsigned char)q[7]) &&
		    isdigit((unsigned char)q[8]))
			n = 9;
		if (isalnum((unsigned char)q[n]))
			continue;
		memcpy(dst, q, n);
		dst[n] = 0;
		return 0;
	}
	return -1;
}

static void add_list(struct pctx *p, json_t *arr, enum attr_obs_kind k, const char *key)
{
	size_t i;
	json_t *v;
	if (!arr)
		return;
	if (!json_is_array(arr)) {
		skip(p, "not an array", key);
		return;
	}
	json_array_foreach(arr, i, v)
	{
		p->record = i + 1;
		if (!json_is_string(v)) {
			skip(p, "an entry is not a string", key);
			continue;
		}
		const char *s = json_string_value(v);
		char t[16];
		if (k == ATTR_OBS_TECHNIQUE && !technique_in(s, t))
			s = t;
		add(p, k, s);
	}
	p->record = 0;
}

static void add_indicator(struct pctx *p, const char *type, const char *value, json_t *groups)
{
	struct slice g[64];
	size_t ng = 0, i;
	json_t *v;
	if (json_is_array(groups)) {
		json_array_foreach(groups, i, v)
		{
			if (json_is_string(v) && ng < 64)
				g[ng++] = slice_cstr(json_string_value(v));
		}
	} else if (json_is_string(groups)) {
		g[ng++] = slice_cstr(json_string_value(groups));
	}
	int rc = observations_add_indicator(p->o, slice_cstr(type ? type : ""), slice_cstr(value),
					    g, ng);
	if (rc == AS_ETOOBIG)
		skip(p, "indicator too long or too many", value);
}

static int parse_contract(struct pctx *p, json_t *root)
{
	static const struct {
		const char *key;
		enum attr_obs_kind kind;
	} lists[] = {
	    {"techniques", ATTR_OBS_TECHNIQUE},
	    {"software", ATTR_OBS_SOFTWARE},
	    {"malware", ATTR_OBS_SOFTWARE},
	    {"tools", ATTR_OBS_SOFTWARE},
	    {"sectors", ATTR_OBS_SECTOR},
	    {"victim_countries", ATTR_OBS_VICTIM_COUNTRY},
	    {"source_countries", ATTR_OBS_SOURCE_COUNTRY},
	    {"infrastructure", ATTR_OBS_INFRA},
	    {"ssdeep", ATTR_OBS_FUZZY},
	};
	for (size_t i = 0; i < sizeof lists / sizeof *lists; i++)
		add_list(p, json_object_get(root, lists[i].key), lists[i].kind, lists[i].key);
	json_t *ind = json_object_get(root, "indicators"), *v;
	size_t i;
	if (ind && !json_is_array(ind))
		skip(p, "not an array", "indicators");
	else if (ind) {
		json_array_foreach(ind, i, v)
		{
			p->record = i + 1;
			if (json_is_string(v))
				add_indicator(p, NULL, json_string_value(v), NULL);
			else if (json_is_object(v) && jstr(v, "value"))
				add_indicator(p, jstr(v, "type"), jstr(v, "value"),
					      json_object_get(v, "groups"));
			else
				skip(p, "indicator is neither a string nor {\"value\":…}", "");
		}
	}
	json_t *t = json_object_get(root, "times");
	json_array_foreach(t, i, v)
	{
		int64_t us;
		p->record = i + 1;
		if (json_is_string(v) && !time_parse_any(slice_cstr(json_string_value(v)), &us))
			observations_add_time(p->o, us);
		else
			skip(p, "time cannot be parsed", "");
	}
	json_t *h = json_object_get(root, "activity_hours");
	json_array_foreach(h, i, v)
	{
		p->record = i + 1;
		json_int_t n = json_integer_value(v);
		if (json_is_integer(v) && n >= 0 && n < 24)
			p->o->hours[n]++;
		else
			skip(p, "activity hour is not 0–23", "");
	}
	p->record = 0;
	return 0;
}

/* MISP attribute types that are network or file indicators vs. infrastructure
 * facts that many unrelated hosts share (ASN, registrar) and are weaker. */
static bool misp_infra_type(const char *t)
{
	return !strcmp(t, "AS") || !strcmp(t, "whois-registrar") || !strncmp(t, "ja3", 3) ||
	       !strncmp(t, "x509-fingerprint", 16) || !strcmp(t, "jarm-fingerprint");
}

static void misp_attributes(struct pctx *p, json_t *attrs, json_t *groups)
{
	size_t i;
	json_t *a;
	json_array_foreach(attrs, i, a)
	{
		const char *type = jstr(a, "type"), *value = jstr(a, "value");
		p->record = i + 1;
		if (!type || !value) {
			skip(p, "MISP attribute without type or value", "");
			continue;
		}
		if (misp_infra_type(type)) {
			char buf[AS_MAX_ATTR_VALUE + 64];
			snprintf(buf, sizeof buf, "%s:%s", type, value);
			add(p, ATTR_OBS_INFRA, buf);
		} else if (!strcmp(type, "text") || !strcmp(type, "comment") ||
			   !strcmp(type, "other") || !strcmp(type, "datetime")) {
			continue;
		} else {
			/* an ssdeep value stays an indicator (a feed may list it) and
			 * is also a fuzzy hash for clustering */
			if (!strcmp(type, "ssdeep"))
				add(p, ATTR_OBS_FUZZY, value);
			add_indicator(p, type, value, groups);
		}
	}
}

/* "misp-galaxy:mitre-malware=\"PlugX - S0013\"" → kind and the quoted value */
static void misp_tag(struct pctx *p, const char *tag, json_t *actors)
{
	static const struct {
		const char *prefix;
		int kind; /* attr_obs_kind, or -1: a group named by the event */
	} map[] = {
	    {"misp-galaxy:mitre-attack-pattern=", ATTR_OBS_TECHNIQUE},
	    {"misp-galaxy:mitre-enterprise-attack-attack-pattern=", ATTR_OBS_TECHNIQUE},
	    {"misp-galaxy:mitre-malware=", ATTR_OBS_SOFTWARE},
	    {"misp-galaxy:mitre-tool=", ATTR_OBS_SOFTWARE},
	    {"misp-galaxy:malpedia=", ATTR_OBS_SOFTWARE},
	    {"misp-galaxy:tool=", ATTR_OBS_SOFTWARE},
	    {"misp-galaxy:sector=", ATTR_OBS_SECTOR},
	    {"misp-galaxy:target-information=", ATTR_OBS_VICTIM_COUNTRY},
	    {"misp-galaxy:country=", ATTR_OBS_VICTIM_COUNTRY},
	    {"misp-galaxy:threat-actor=", -1},
	    {"misp-galaxy:mitre-intrusion-set=", -1},
	    {"misp-galaxy:360net=", -1},
	};
	for (size_t i = 0; i < sizeof map / sizeof *map; i++) {
		size_t n = strlen(map[i].prefix);
		if (strncmp(tag, map[i].prefix, n))
			continue;
		char v[AS_MAX_ATTR_VALUE];
		const char *s = tag + n;
		if (*s == '"')
			s++;
		size_t len = strcspn(s, "\"");
		if (len >= sizeof v)
			len = sizeof v - 1;
		memcpy(v, s, len);
		v[len] = 0;
		/* "PlugX - S0013": the name before the ATT&CK id */
		char *dash = strstr(v, " - ");
		if (map[i].kind == ATTR_OBS_TECHNIQUE) {
			char t[16];
			if (!technique_in(v, t))
				add(p, ATTR_OBS_TECHNIQUE, t);
		} else if (map[i].kind == -1) {
			if (dash)
				*dash = 0;
			json_array_append_new(actors, json_string(v));
		} else {
			if (dash)
				*dash = 0;
			add(p, (enum attr_obs_kind)map[i].kind, v);
		}
		return;
	}
}

static void misp_tags(struct pctx *p, json_t *tags, json_t *actors)
{
	size_t i;
	json_t *t;
	json_array_foreach(tags, i, t)
	{
		const char *name = jstr(t, "name");
		if (name)
			misp_tag(p, name, actors);
	}
}

static void misp_galaxies(struct pctx *p, json_t *gal, json_t *actors)
{
	size_t i, j;
	json_t *g, *c;
	json_array_foreach(gal, i, g)
	{
		const char *type = jstr(g, "type");
		json_array_foreach(json_object_get(g, "GalaxyCluster"), j, c)
		{
			const char *tag = jstr(c, "tag_name");
			char buf[AS_MAX_ATTR_VALUE + 64];
			if (!tag && type && jstr(c, "value")) {
				snprintf(buf, sizeof buf, "misp-galaxy:%s=\"%s\"", type,
					 jstr(c, "value"));
				tag = buf;
			}
			if (tag)
				misp_tag(p, tag, actors);
		}
	}
}

static int parse_misp_event(struct pctx *p, json_t *ev)
{
	json_t *actors = json_array();
	size_t i;
	json_t *ob;
	if (!actors)
		return AS_ENOMEM;
	misp_tags(p, json_object_get(ev, "Tag"), actors);
	misp_galaxies(p, json_object_get(ev, "Galaxy"), actors);
	misp_attributes(p, json_object_get(ev, "Attribute"), actors);
	json_array_foreach(json_object_get(ev, "Object"), i, ob)
	{
		misp_attributes(p, json_object_get(ob, "Attribute"), actors);
	}
	/* attribute-level tags can carry techniques too */
	json_array_foreach(json_object_get(ev, "Attribute"), i, ob)
	{
		misp_tags(p, json_object_get(ob, "Tag"), actors);
	}
	json_decref(actors);
	p->record = 0;
	return 0;
}

/* Values compared with '=' in a STIX pattern: [ipv4-addr:value = '1.2.3.4'] */
static void stix_pattern(struct pctx *p, const char *pat, json_t *groups)
{
	const char *q = pat;
	while (q && (q = strchr(q, '['))) {
		const char *colon = strchr(q, ':'), *eq = strchr(q, '=');
		if (!colon || !eq || colon > eq)
			break;
		const char *open = strchr(eq, '\'');
		if (!open)
			break;
		const char *close = strchr(open + 1, '\'');
		if (!close)
			break;
		char type[64], val[AS_MAX_ATTR_VALUE];
		size_t tl = (size_t)(colon - q - 1), vl = (size_t)(close - open - 1);
		if (tl < sizeof type && vl < sizeof val) {
			memcpy(type, q + 1, tl);
			type[tl] = 0;
			memcpy(val, open + 1, vl);
			val[vl] = 0;
			add_indicator(p, type, val, groups);
			/* [file:hashes.'SSDEEP' = '…'] (STIX 2.1 spells the key SSDEEP) */
			if (strcasestr(q, "'ssdeep'") && strcasestr(q, "'ssdeep'") < eq)
				add(p, ATTR_OBS_FUZZY, val);
		} else {
			skip(p, "indicator pattern value too long", "");
		}
		q = close + 1;
	}
}

static int parse_stix(struct pctx *p, json_t *objs)
{
	size_t i;
	json_t *o;
	/* indicator → intrusion-set names, from "indicates" relationships */
	json_t *names = json_object(), *ind_groups = json_object();
	if (!names || !ind_groups) {
		json_decref(names);
		json_decref(ind_groups);
		return AS_ENOMEM;
	}
	json_array_foreach(objs, i, o)
	{
		const char *type = jstr(o, "type"), *id = jstr(o, "id");
		if (type && id && jstr(o, "name") &&
		    (!strcmp(type, "intrusion-set") || !strcmp(type, "threat-actor")))
			json_object_set_new(names, id, json_string(jstr(o, "name")));
	}
	json_array_foreach(objs, i, o)
	{
		const char *src = jstr(o, "source_ref"), *dst = jstr(o, "target_ref");
		const char *rt = jstr(o, "relationship_type");
		if (!src || !dst || !rt || strcmp(rt, "indicates") || !json_object_get(names, dst))
			continue;
		json_t *arr = json_object_get(ind_groups, src);
		if (!arr) {
			arr = json_array();
			json_object_set_new(ind_groups, src, arr);
		}
		json_array_append(arr, json_object_get(names, dst));
	}
	json_array_foreach(objs, i, o)
	{
		const char *type = jstr(o, "type");
		p->record = i + 1;
		if (!type) {
			skip(p, "STIX object without a type", "");
			continue;
		}
		if (!strcmp(type, "attack-pattern")) {
			size_t j;
			json_t *r;
			bool got = false;
			json_array_foreach(json_object_get(o, "external_references"), j, r)
			{
				const char *eid = jstr(r, "external_id");
				char t[16];
				if (eid && !technique_in(eid, t)) {
					add(p, ATTR_OBS_TECHNIQUE, t);
					got = true;
				}
			}
			char t[16];
			if (!got && jstr(o, "name") && !technique_in(jstr(o, "name"), t))
				add(p, ATTR_OBS_TECHNIQUE, t);
		} else if (!strcmp(type, "malware") || !strcmp(type, "tool")) {
			add(p, ATTR_OBS_SOFTWARE, jstr(o, "name"));
		} else if (!strcmp(type, "indicator")) {
			const char *pat = jstr(o, "pattern");
			if (pat)
				stix_pattern(p, pat, json_object_get(ind_groups, jstr(o, "id")));
			else
				skip(p, "indicator without a pattern", "");
		} else if (!strcmp(type, "identity")) {
			size_t j;
			json_t *s;
			json_array_foreach(json_object_get(o, "sectors"), j, s)
			{
				add(p, ATTR_OBS_SECTOR, json_string_value(s));
			}
		} else if (!strcmp(type, "location")) {
			const char *cc = jstr(o, "country");
			add(p, ATTR_OBS_VICTIM_COUNTRY, cc ? cc : jstr(o, "name"));
		} else if (!strcmp(type, "ipv4-addr") || !strcmp(type, "ipv6-addr") ||
			   !strcmp(type, "domain-name") || !strcmp(type, "url")) {
			add_indicator(p, type, jstr(o, "value"), NULL);
		} else if (!strcmp(type, "autonomous-system")) {
			json_int_t n = json_integer_value(json_object_get(o, "number"));
			char buf[32];
			snprintf(buf, sizeof buf, "asn:AS%lld", (long long)n);
			if (n > 0)
				add(p, ATTR_OBS_INFRA, buf);
		}
	}
	json_decref(names);
	json_decref(ind_groups);
	p->record = 0;
	return 0;
}

int observations_parse(struct observations *o, const char *name, const char *data, size_t len,
		       struct diag_sink *diags)
{
	struct pctx p = {.o = o, .diags = diags, .name = name ? name : "observations"};
	json_error_t err;
	if (len > AS_MAX_ATTR_FILE) {
		struct diag d;
		diag_set(&d, AS_ETOOBIG, "larger than %u bytes", (unsigned)AS_MAX_ATTR_FILE);
		emit(&p, 0, &d);
		return AS_ETOOBIG;
	}
	json_t *root = json_loadb(data, len, JSON_REJECT_DUPLICATES | JSON_DECODE_ANY, &err);
	if (!root) {
		struct diag d;
		diag_set(&d, AS_EPARSE, "line %d column %d: %s", err.line, err.column, err.text);
		emit(&p, (uint64_t)(err.position > 0 ? err.position : 0), &d);
		return AS_EPARSE;
	}
	int rc = AS_EFORMAT;
	json_t *objs = json_object_get(root, "objects");
	json_t *resp = json_object_get(root, "response");
	const char *type = jstr(root, "type");
	if (!json_is_object(root)) {
		rc = AS_EFORMAT;
	} else if (type && !strcmp(type, "bundle") && json_is_array(objs)) {
		rc = parse_stix(&p, objs);
	} else if (json_is_object(json_object_get(root, "Event"))) {
		rc = parse_misp_event(&p, json_object_get(root, "Event"));
	} else if (json_is_array(resp)) {
		size_t i;
		json_t *e;
		rc = 0;
		json_array_foreach(resp, i, e)
		{
			json_t *ev = json_object_get(e, "Event");
			if (json_is_object(ev) && !rc)
				rc = parse_misp_event(&p, ev);
		}
	} else if (json_object_get(root, "Attribute") || json_object_get(root, "Galaxy")) {
		rc = parse_misp_event(&p, root);
	} else {
		rc = parse_contract(&p, root);
	}
	if (rc == AS_EFORMAT) {
		struct diag d;
		diag_set(&d, AS_EFORMAT, "not observations, a MISP event or a STIX bundle");
		emit(&p, 0, &d);
	}
	json_decref(root);
	return rc;
}
