/*
 * correlate.c — alerts into incidents.
 *
 * Each alert is read once into a small view: which side is the victim (the
 * host that logged it, or the internal address of a network record), which
 * side is the attacker (the address an indicator matched, the source of an
 * inbound attack), and its evidence keys. One hash map indexes every key of
 * every held incident ("h:" victim, "u:" account, "i:" indicator, "e:"
 * endpoint, "m:" malware, "r:" rule, "p:"/"q:" process images and parents)
 * to the incident that last took it; a value packs the incident's slot and
 * generation, so entries of incidents pushed out go stale instead of being
 * deleted, and the map is rebuilt when stale entries dominate.
 *
 * The candidates an alert's keys find are kept when they belong to the same
 * organisation and their span, widened by the window, holds the alert's
 * time. The score of a candidate is the sum of the weights of the kinds of
 * key it shares; the best one at or above the threshold takes the alert, and
 * the kinds are counted on the alert's rule as the reasons it belongs.
 */
#include <ctype.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "core/error.h"
#include "core/hash.h"
#include "core/json_scan.h"
#include "core/map.h"
#include "core/timeparse.h"
#include "correlate/correlate_int.h"
#include "store/store.h"

/* snprintf that truncates on purpose: keys and names are bounded */
static void __attribute__((format(printf, 3, 4))) putf(char *dst, size_t cap, const char *f, ...)
{
	va_list ap;
	va_start(ap, f);
	vsnprintf(dst, cap, f, ap);
	va_end(ap);
}

/* Copy s into dst of cap bytes as snprintf's "%s" would, cut at cap - 1. */
static void put_str(char *dst, size_t cap, const char *s)
{
	slice_copy_cstr(slice_cstr(s), dst, cap);
}

#define HOUR_US (3600ll * 1000000)
#define DAY_US  (24 * HOUR_US)

void correlate_config_default(struct correlate_config *cfg)
{
	*cfg = (struct correlate_config){
	    .window = 7 * DAY_US,
	    .oneday = 30 * DAY_US,
	    .threshold = 2,
	    .w_host = 2,
	    .w_user = 1,
	    .w_indicator = 3,
	    .w_endpoint = 3,
	    .w_malware = 3,
	    .w_rule = 1,
	    .w_process = 3,
	    .w_lateral = 3,
	};
}

/* --- small sets ----------------------------------------------------------- */

bool strset_has(const struct strset *s, struct slice v)
{
	for (uint32_t i = 0; i < s->n; i++)
		if (strlen(s->v[i]) == v.len && !memcmp(s->v[i], v.ptr, v.len))
			return true;
	return false;
}

int strset_add(struct strset *s, struct slice v)
{
	if (!v.len || strset_has(s, v))
		return 0;
	if (s->n >= AS_CORR_MAX_SET) {
		s->over++;
		return AS_ETOOBIG;
	}
	if (s->n == s->cap) {
		uint32_t nc = s->cap ? s->cap * 2 : 4;
		char **nv = realloc(s->v, nc * sizeof *nv);
		if (!nv)
			return AS_ENOMEM;
		s->v = nv;
		s->cap = nc;
	}
	if (!(s->v[s->n] = strndup(v.ptr, v.len)))
		return AS_ENOMEM;
	s->n++;
	return 1;
}

void strset_free(struct strset *s)
{
	for (uint32_t i = 0; i < s->n; i++)
		free(s->v[i]);
	free(s->v);
	*s = (struct strset){0};
}

static const char *const link_names[] = {
#define X(id, name, doc) name,
    LINK_LIST(X)
#undef X
};

const char *link_name(enum link_kind k)
{
	return (unsigned)k < LINK_COUNT ? link_names[k] : "unknown";
}

int link_parse(const char *name)
{
	for (int i = 0; name && i < LINK_COUNT; i++)
		if (!strcmp(name, link_names[i]))
			return i;
	return -1;
}

void incident_free(struct incident *inc)
{
	if (!inc)
		return;
	free(inc->org);
	free(inc->sector);
	free(inc->country);
	struct strset *sets[] = {
	    &inc->hosts,         &inc->ips,       &inc->users,   &inc->techniques, &inc->indicators,
	    &inc->labels,        &inc->groups,    &inc->malware, &inc->endpoints,  &inc->src_ips,
	    &inc->src_countries, &inc->processes, &inc->files};
	for (size_t i = 0; i < sizeof sets / sizeof sets[0]; i++)
		strset_free(sets[i]);
	for (uint32_t i = 0; i < inc->nrules; i++) {
		struct inc_rule *r = &inc->rules[i];
		free(r->detector);
		free(r->rule_id);
		free(r->title);
		for (int k = 0; k < LINK_COUNT; k++)
			free(r->why_value[k]);
	}
	free(inc->rules);
	for (uint32_t i = 0; i < inc->ncves; i++)
		free(inc->cves[i].rule);
	free(inc->vendor);
	free(inc->channel);
	free(inc->campaign);
	free(inc->kind);
	free(inc->attribution);
	free(inc);
}

int incident_set_attribution(struct incident *inc, struct slice json)
{
	char *copy = malloc(json.len + 1);
	if (!copy)
		return AS_ENOMEM;
	memcpy(copy, json.ptr, json.len);
	copy[json.len] = 0;
	free(inc->attribution);
	inc->attribution = copy;
	return 0;
}

/* --- the view of one alert ------------------------------------------------ */

#define MAX_VIEW_KEYS 48
#define MAX_VIEW_VALS 8

struct view_key {
	enum link_kind kind;
	char key[AS_CORR_MAX_KEY]; /* prefix + value */
	bool lookup_only;          /* a parent process or lateral source: find, never register */
};

struct view {
	/* scalars and counts: view_reset clears them all */
	struct ip victim_ip, attacker_ip;
	bool inbound, network;
	const char *org, *sector, *country;
	unsigned nkeys;
	uint32_t stages, platforms;
	unsigned ncountries, nmalware, ncves;
	bool supply;
	bool vendor_guessed; /* vendor named after the updater process, not by a manifest */
	/* text: view_reset empties each (an alert's view is built some ten
	 * thousand times a second; clearing its 30 KB each time cost more than
	 * the rest of correlation) */
	char victim[AS_CORR_MAX_KEY]; /* host name or address text shown as the victim */
	struct view_key keys[MAX_VIEW_KEYS];
	/* from the evidence */
	char countries[MAX_VIEW_VALS][8];
	char malware[MAX_VIEW_VALS][128];
	char image[AS_CORR_MAX_KEY], parent[AS_CORR_MAX_KEY];
	/* the file the evidence is about, with its hashes (clustering links on them) */
	char md5[33], sha1[41], sha256[65], ssdeep[160], fname[160];
	char vendor[128], channel[256];
	char cves[AS_CORR_MAX_CVES][24];
};

/* What the evidence walk fills (evidence_leaf), emptied. */
static void evidence_clear(struct view *v)
{
	v->ncountries = v->nmalware = 0;
	char *text[] = {v->image,  v->parent, v->md5,    v->sha1,   v->sha256,
			v->ssdeep, v->fname,  v->vendor, v->channel};
	for (size_t i = 0; i < sizeof text / sizeof *text; i++)
		text[i][0] = 0;
}

static void view_reset(struct view *v)
{
	memset(v, 0, offsetof(struct view, victim));
	v->victim[0] = 0;
	evidence_clear(v);
}

static void lower_copy(char *dst, size_t cap, const char *s, size_t n)
{
	size_t i = 0;
	for (; i < n && i + 1 < cap; i++)
		dst[i] = (char)((s[i] >= 'A' && s[i] <= 'Z') ? s[i] + 32 : s[i]);
	dst[i] = 0;
}

static void view_key_add(struct view *v, enum link_kind kind, const char *prefix, const char *val,
			 bool lookup_only)
{
	if (!val || !*val || v->nkeys >= MAX_VIEW_KEYS)
		return;
	struct view_key *k = &v->keys[v->nkeys];
	size_t pl = strlen(prefix);
	memcpy(k->key, prefix, pl);
	lower_copy(k->key + pl, sizeof k->key - pl, val, strlen(val));
	for (unsigned i = 0; i < v->nkeys; i++)
		if (!strcmp(v->keys[i].key, k->key))
			return;
	k->kind = kind;
	k->lookup_only = lookup_only;
	v->nkeys++;
}

static void cve_found(void *ctx, const char *cve)
{
	struct view *v = ctx;
	for (unsigned i = 0; i < v->ncves; i++)
		if (!strcmp(v->cves[i], cve))
			return;
	if (v->ncves < AS_CORR_MAX_CVES)
		strcpy(v->cves[v->ncves++], cve);
}

/* Whether key k is one of names, case aside; the first letters are
 * compared before the whole (every alert's evidence leaf asks this of some
 * twenty names). */
static bool key_is(const char *k, const char *const *names)
{
	for (; *names; names++)
		if ((k[0] | 32) == ((*names)[0] | 32) && !strcasecmp(k, *names))
			return true;
	return false;
}

static const char *base_name(const char *p);

static bool all_hex(const char *s, size_t n)
{
	for (size_t i = 0; i < n; i++)
		if (!isxdigit((unsigned char)s[i]))
			return false;
	return s[n] == 0 || s[n] == ',' || s[n] == ' ';
}

/* One hash of the file the evidence is about, told by its length: an MD5, a
 * SHA-1 or a SHA-256 in hex, lower-cased; the first of each kind is kept. */
static void hash_put(struct view *v, const char *h)
{
	size_t n = strcspn(h, ", ");
	char *dst = n == 32 ? v->md5 : n == 40 ? v->sha1 : n == 64 ? v->sha256 : NULL;
	if (dst && !dst[0] && all_hex(h, n))
		lower_copy(dst, n + 1, h, n);
}

/* Hash fields of every spelling: "md5"/"sha1"/"sha256" (YARA, EVE fileinfo,
 * Zeek files.log, ECS file.hash.*), "ssdeep", and Sysmon's "Hashes"
 * ("SHA1=…,MD5=…,SHA256=…,IMPHASH=…"). True when k was a hash field. */
static bool hash_field(struct view *v, const char *k, const char *s)
{
	if (!strcasecmp(k, "md5") || !strcasecmp(k, "sha1") || !strcasecmp(k, "sha256") ||
	    !strcasecmp(k, "sha-1") || !strcasecmp(k, "sha-256")) {
		hash_put(v, s);
		return true;
	}
	if (!strcasecmp(k, "ssdeep")) {
		/* "blocksize:chunk:chunk"; anything else is not one */
		const char *c1 = strchr(s, ':'), *c2 = c1 ? strchr(c1 + 1, ':') : NULL;
		if (!v->ssdeep[0] && c1 && c2 && c1 > s && strlen(s) < sizeof v->ssdeep)
			put_str(v->ssdeep, sizeof v->ssdeep, s);
		return true;
	}
	if (!strcasecmp(k, "Hashes") || !strcasecmp(k, "hash")) {
		for (const char *p = s; p && *p; p = strchr(p, ',') ? strchr(p, ',') + 1 : NULL) {
			const char *eq = strchr(p, '=');
			const char *comma = strchr(p, ',');
			if (eq && (!comma || eq < comma) && strncasecmp(p, "IMPHASH", 7))
				hash_put(v, eq + 1);
			else if (!eq)
				hash_put(v, p);
		}
		return true;
	}
	return false;
}

struct evidence_ctx {
	struct view *v;
	uint32_t *stages;
	struct arena *a; /* unescaped keys and values */
};

/* Walk the evidence object for the fields correlation uses, wherever the
 * detector put them (top level, "matched", "event"): scalar members of
 * objects up to five deep, and the string elements of an array member for
 * the keys that take lists (countries, malware, tags). Nothing inside an
 * object in an array, or in an array in an array, is looked at. */
static int evidence_leaf(void *p, const struct json_leaf *l)
{
	static const char *const country_keys[] = {"country",   "src_country", "source_country",
						   "countries", "dst_country", NULL};
	static const char *const image_keys[] = {"Image", "NewProcessName", "process",
						 "process.executable", NULL};
	static const char *const parent_keys[] = {"ParentImage", "ParentProcessName",
						  "parent_process", "process.parent.executable",
						  NULL};
	static const char *const malware_keys[] = {"malware", "family", "malware_family", NULL};
	static const char *const file_keys[] = {"file",           "filename", "file_name",
						"TargetFilename", "Image",    NULL};
	struct evidence_ctx *c = p;
	struct view *v = c->v;
	if (l->depth > 5 || l->arrays > 1 || (l->arrays == 1 && !l->in_array))
		return 0;
	struct slice ks = l->key, vs = l->value;
	if (memchr(ks.ptr, '\\', ks.len) && json_unescape(l->key, c->a, &ks))
		return 0;
	if (l->type == JT_STRING && l->escaped && json_unescape(l->value, c->a, &vs))
		return 0;
	const char *k = arena_strndup(c->a, ks.ptr, ks.len);
	const char *s = l->type == JT_STRING ? arena_strndup(c->a, vs.ptr, vs.len) : NULL;
	if (!k || (l->type == JT_STRING && !s))
		return 0;
	if (key_is(k, country_keys)) {
		if (s && strlen(s) >= 2 && strlen(s) < 8 && v->ncountries < MAX_VIEW_VALS)
			put_str(v->countries[v->ncountries++], 8, s);
	} else if (key_is(k, malware_keys)) {
		if (s && *s && v->nmalware < MAX_VIEW_VALS)
			put_str(v->malware[v->nmalware++], 128, s);
	} else if (l->in_array) {
		/* Sigma tags name tactics too: "attack.execution" */
		int st = !strcmp(k, "tags") && s ? killchain_parse(s) : -1;
		if (st >= 0)
			*c->stages |= 1u << st;
	} else if (s && hash_field(v, k, s)) {
		return 0;
	} else if (s && key_is(k, file_keys) && !v->fname[0]) {
		put_str(v->fname, sizeof v->fname, base_name(s));
		if (key_is(k, image_keys) && !v->image[0])
			put_str(v->image, sizeof v->image, s);
	} else if (s && key_is(k, image_keys) && !v->image[0]) {
		put_str(v->image, sizeof v->image, s);
	} else if (s && key_is(k, parent_keys) && !v->parent[0]) {
		put_str(v->parent, sizeof v->parent, s);
	} else if (s && !strcasecmp(k, "vendor")) {
		put_str(v->vendor, sizeof v->vendor, s);
		v->supply = true;
	} else if (s && !strcasecmp(k, "channel")) {
		put_str(v->channel, sizeof v->channel, s);
	}
	return 0;
}

/* The evidence's fields into v, when it is one valid JSON object. One walk
 * takes them; when it ends in an error, what it took is dropped again (the
 * evidence fields are empty before it). */
static void evidence_walk(struct view *v, struct slice text, uint32_t *stages)
{
	struct arena a;
	arena_init(&a, 0);
	struct evidence_ctx c = {v, stages, &a};
	uint32_t stages_before = *stages;
	bool supply_before = v->supply;
	if (json_walk(text, evidence_leaf, &c, NULL)) {
		/* not one JSON object: nothing of it is used */
		*stages = stages_before;
		v->supply = supply_before;
		evidence_clear(v);
	}
	arena_free(&a);
}

/* The file of an alert as one record of inc->files (correlate_int.h): its
 * hashes, its name and the software the alert names, so that clustering can
 * tell a stock tool's binary from a group's own. '|' and ',' are separators,
 * so they are dropped from names. */
static void file_add(struct incident *inc, const struct view *v, const struct alert *a)
{
	char rec[AS_CORR_MAX_KEY], sw[200] = "";
	size_t n = 0;
	for (unsigned i = 0; i < v->nmalware; i++)
		n += (size_t)snprintf(sw + n, n < sizeof sw ? sizeof sw - n : 0, "%s%s",
				      n ? "," : "", v->malware[i]);
	for (unsigned i = 0; i < a->nindicators; i++)
		for (const char **m = a->indicators[i].malware; m && *m; m++)
			if (n < sizeof sw && !strstr(sw, *m))
				n += (size_t)snprintf(sw + n, sizeof sw - n, "%s%s", n ? "," : "",
						      *m);
	if (n >= sizeof sw)
		sw[sizeof sw - 1] = 0;
	char name[sizeof v->fname];
	put_str(name, sizeof name, v->fname);
	for (char *p = name; *p; p++)
		if (*p == '|' || *p == ',')
			*p = '_';
	for (char *p = sw; *p; p++)
		if (*p == '|')
			*p = '_';
	putf(rec, sizeof rec, "%s|%s|%s|%s|%s|%s", v->sha256, v->sha1, v->md5, v->ssdeep, name, sw);
	strset_add(&inc->files, slice_cstr(rec));
}

void inc_file_parse(char *s, struct inc_file *out)
{
	char **part[] = {&out->sha256, &out->sha1, &out->md5,
			 &out->ssdeep, &out->name, &out->software};
	for (size_t i = 0; i < sizeof part / sizeof *part; i++) {
		*part[i] = s;
		char *bar = i + 1 < sizeof part / sizeof *part ? strchr(s, '|') : NULL;
		if (bar) {
			*bar = 0;
			s = bar + 1;
		} else {
			s += strlen(s);
		}
	}
}

static const char *base_name(const char *p)
{
	const char *b = p;
	for (const char *q = p; *q; q++)
		if (*q == '\\' || *q == '/')
			b = q + 1;
	return b;
}

static bool format_is_network(const char *f)
{
	return f && (!strcmp(f, "eve") || !strncmp(f, "zeek", 4) || !strcmp(f, "pcap") ||
		     !strcmp(f, "netflow"));
}

static bool user_is_generic(const char *u)
{
	static const char *const generic[] = {
	    "-", "system", "n/a", "anonymous logon", "local service", "network service", NULL};
	return key_is(u, generic);
}

static void view_build(struct view *v, const struct alert *a, const struct kb *kb)
{
	view_reset(v);
	const char *fmt = a->source ? a->source->format : NULL;
	const char *path = a->source ? a->source->path : NULL;
	v->network = format_is_network(fmt);
	v->platforms = platform_of_format(fmt);

	/* stages from techniques (and, below, Sigma tactic tags) */
	bool inbound =
	    fmt && (!strcmp(fmt, "access") || !strcmp(fmt, "w3c") || !strcmp(fmt, "weberror"));
	for (unsigned i = 0; i < a->ntechniques; i++) {
		const char *t = a->techniques[i];
		v->stages |= killchain_of_technique(kb, t);
		v->platforms |= platform_of_technique(kb, t);
		static const char *const in_t[] = {"T1190", "T1133", "T1110", "T1595",
						   "T1498", "T1499", "T1078", NULL};
		for (const char *const *p = in_t; *p; p++)
			if (!strncmp(t, *p, 5))
				inbound = true;
		if (!strncmp(t, "T1195", 5))
			v->supply = true;
	}
	if (!strcmp(a->detector, "supply"))
		v->supply = true;
	bool ioc_src = false, ioc_out = false;
	for (unsigned i = 0; i < a->nindicators; i++) {
		const struct alert_indicator *in = &a->indicators[i];
		if (in->field && !strcmp(in->field, "src_ip"))
			ioc_src = true;
		else
			ioc_out = true;
	}
	if (ioc_src && !ioc_out)
		inbound = true;
	else if (ioc_out && !ioc_src && a->ntechniques == 0)
		inbound = false;

	/* the evidence: CVEs anywhere in its text, named fields by walking it */
	if (a->evidence) {
		size_t n = strnlen(a->evidence, AS_CORR_MAX_EVIDENCE);
		vuln_cves_in_text(slice_make(a->evidence, n), cve_found, v);
		if (n < AS_CORR_MAX_EVIDENCE)
			evidence_walk(v, slice_make(a->evidence, n), &v->stages);
	}
	if (a->rule_title)
		vuln_cves_in_text(slice_cstr(a->rule_title), cve_found, v);
	for (unsigned i = 0; i < a->nindicators; i++)
		if (a->indicators[i].label)
			vuln_cves_in_text(slice_cstr(a->indicators[i].label), cve_found, v);
	if (!v->stages && a->nindicators)
		/* a known-bad address or name contacted is command and control; a
		 * known-bad file on disk is an execution; a known-bad source is probing */
		for (unsigned i = 0; i < a->nindicators; i++) {
			const char *f = a->indicators[i].field ? a->indicators[i].field : "";
			const char *t = a->indicators[i].type ? a->indicators[i].type : "";
			if (!strcmp(f, "src_ip"))
				v->stages |= 1u << KC_RECONNAISSANCE;
			else if (strstr(t, "md5") || strstr(t, "sha") || strstr(t, "hash") ||
				 strstr(f, "md5") || strstr(f, "sha"))
				v->stages |= 1u << KC_EXECUTION;
			else
				v->stages |= 1u << KC_COMMAND_AND_CONTROL;
		}
	if (v->ncves)
		v->stages |= 1u << KC_INITIAL_ACCESS;
	v->inbound = inbound;

	/* victim and attacker sides */
	const struct ip *s = &a->src_ip, *d = &a->dst_ip;
	bool host_log = a->host && !v->network;
	if (host_log && !(s->family && d->family)) {
		/* a host's own log with one address names the peer: a logon's
		 * source, a download's server; the victim is the host itself */
		const struct ip *peer = s->family ? s : d;
		if (peer->family && !ip_is_internal(peer)) {
			v->attacker_ip = *peer;
			v->inbound = peer == s;
		}
	} else if (inbound) {
		v->attacker_ip = *s;
		v->victim_ip = *d;
	} else if (s->family && d->family) {
		bool si = ip_is_internal(s), di = ip_is_internal(d);
		if (!si && di) {
			v->inbound = true;
			v->attacker_ip = *s;
			v->victim_ip = *d;
		} else {
			v->victim_ip = *s;
			if (!di || ioc_out)
				v->attacker_ip = *d;
		}
	} else if (s->family) {
		if (ip_is_internal(s))
			v->victim_ip = *s;
		else
			v->attacker_ip = *s, v->inbound = true;
	} else if (d->family) {
		if (ip_is_internal(d))
			v->victim_ip = *d;
		else
			v->attacker_ip = *d;
	}
	/* an indicator matched on an address names the attacker's side for sure */
	for (unsigned i = 0; i < a->nindicators; i++) {
		const char *f = a->indicators[i].field;
		if (f && !strcmp(f, "dst_ip") && d->family) {
			v->attacker_ip = *d;
			if (s->family)
				v->victim_ip = *s;
		}
	}
	char ipt[IP_STRLEN];
	const char *host = a->host && !v->network ? a->host : NULL;
	if (host) {
		put_str(v->victim, sizeof v->victim, host);
		view_key_add(v, LINK_HOST, "h:", host, false);
	}
	if (v->victim_ip.family) {
		ip_format(&v->victim_ip, ipt);
		if (!host)
			put_str(v->victim, sizeof v->victim, ipt);
		view_key_add(v, LINK_HOST, "a:", ipt, false);
	}
	if (!v->victim[0] && path) {
		/* nothing names the victim but the log: its owner is */
		putf(v->victim, sizeof v->victim, "log:%s", path);
		view_key_add(v, LINK_HOST, "f:", path, false);
	}
	if (a->user && !user_is_generic(a->user))
		view_key_add(v, LINK_USER, "u:", a->user, false);

	struct victim_info vi;
	kbview_victim(kb, v->victim_ip.family ? &v->victim_ip : NULL, host, path, &vi);
	v->org = vi.org;
	v->sector = vi.sector;
	v->country = vi.country;

	/* evidence keys */
	char buf[AS_CORR_MAX_KEY];
	for (unsigned i = 0; i < a->nindicators; i++) {
		const struct alert_indicator *in = &a->indicators[i];
		putf(buf, sizeof buf, "%s:%s", in->type ? in->type : "?",
		     in->value ? in->value : "");
		view_key_add(v, LINK_INDICATOR, "i:", buf, false);
		for (const char **m = in->malware; m && *m; m++)
			view_key_add(v, LINK_MALWARE, "m:", *m, false);
	}
	for (unsigned i = 0; i < v->nmalware; i++)
		view_key_add(v, LINK_MALWARE, "m:", v->malware[i], false);
	if (v->attacker_ip.family && (!ip_is_internal(&v->attacker_ip) || v->inbound)) {
		ip_format(&v->attacker_ip, ipt);
		view_key_add(v, LINK_ENDPOINT, "e:", ipt, false);
	}
	if (strcmp(a->detector, "ioc") && a->rule_id) {
		putf(buf, sizeof buf, "%s:%s", a->detector, a->rule_id);
		view_key_add(v, LINK_RULE, "r:", buf, false);
	}
	const char *h = host ? host : v->victim;
	if (v->image[0]) {
		putf(buf, sizeof buf, "%s|%s", h, v->image);
		view_key_add(v, LINK_PROCESS, "p:", buf, false);
		view_key_add(v, LINK_PROCESS, "q:", buf, true);
	}
	if (v->parent[0]) {
		putf(buf, sizeof buf, "%s|%s", h, v->parent);
		view_key_add(v, LINK_PROCESS, "q:", buf, false);
		view_key_add(v, LINK_PROCESS, "p:", buf, true);
	}
	/* a host log naming an internal peer: a logon or push from that peer */
	if (host && s->family && ip_is_internal(s) &&
	    !(v->victim_ip.family && ip_equal(s, &v->victim_ip))) {
		view_key_add(v, LINK_LATERAL, "a:", ip_format(s, ipt), true);
	}
	if (v->supply && !v->vendor[0] && v->parent[0]) {
		v->vendor_guessed = true;
		put_str(v->vendor, sizeof v->vendor, base_name(v->parent));
		putf(v->channel, sizeof v->channel, "updater process %s", base_name(v->parent));
	}
	if (!v->vendor[0] && v->attacker_ip.family) {
		const char *vendor = kbview_vendor_server(kb, &v->attacker_ip, v->org);
		if (vendor) {
			v->supply = true;
			put_str(v->vendor, sizeof v->vendor, vendor);
			putf(v->channel, sizeof v->channel, "update server %s",
			     ip_format(&v->attacker_ip, ipt));
		}
	}
}

/* --- the correlator ------------------------------------------------------- */

struct correlator {
	struct correlate_config cfg;
	const struct kb *kb;
	struct store *store;
	struct incident **inc; /* slots; NULL once pushed out */
	size_t n, cap, live;
	struct map index; /* key → slot << 32 | generation */
	size_t keys;      /* keys registered since the last rebuild */
	uint32_t gen;
	void (*overflow)(void *, const struct incident *);
	void *overflow_ctx;
	const struct correlate_hooks *hooks;
	void *hooks_ctx;
	struct correlate_stats st;
	int store_err;
	struct view view;                         /* scratch: large, so not on the stack */
	char values[LINK_COUNT][AS_CORR_MAX_KEY]; /* idem: the shared value of each link kind */
};

static int resume_one(void *ctx, struct incident *inc);

static int index_put(struct correlator *c, const char *key, uint32_t slot)
{
	struct incident *inc = c->inc[slot];
	c->keys++;
	return map_put(&c->index, slice_cstr(key), ((uint64_t)slot << 32) | inc->gen, NULL);
}

static struct incident *index_get(struct correlator *c, const char *key)
{
	uint64_t v;
	if (!map_get(&c->index, slice_cstr(key), &v))
		return NULL;
	uint32_t slot = (uint32_t)(v >> 32);
	struct incident *inc = slot < c->n ? c->inc[slot] : NULL;
	return inc && inc->gen == (uint32_t)v ? inc : NULL;
}

static int slot_of(const struct correlator *c, const struct incident *inc)
{
	for (size_t i = 0; i < c->n; i++)
		if (c->inc[i] == inc)
			return (int)i;
	return -1;
}

/* Every key an incident holds, as the alerts registered them. */
static int index_incident(struct correlator *c, uint32_t slot)
{
	struct incident *inc = c->inc[slot];
	char k[AS_CORR_MAX_KEY];
	int rc = 0;
#define REG(set, prefix)                                                                           \
	for (uint32_t i = 0; !rc && i < inc->set.n; i++) {                                         \
		put_str(k, sizeof k, prefix);                                                      \
		lower_copy(k + 2, sizeof k - 2, inc->set.v[i], strlen(inc->set.v[i]));             \
		rc = index_put(c, k, slot);                                                        \
	}
	REG(hosts, "h:")
	REG(ips, "a:")
	REG(users, "u:")
	REG(indicators, "i:")
	REG(malware, "m:")
	REG(processes, "p:")
#undef REG
	for (uint32_t i = 0; !rc && i < inc->endpoints.n; i++) {
		const char *e = inc->endpoints.v[i], *sp = strchr(e, ' ');
		putf(k, sizeof k, "e:%.*s", (int)(sp ? (size_t)(sp - e) : strlen(e)), e);
		rc = index_put(c, k, slot);
	}
	for (uint32_t i = 0; !rc && i < inc->nrules; i++)
		if (strcmp(inc->rules[i].detector, "ioc") && inc->rules[i].rule_id) {
			putf(k, sizeof k, "r:%s:%s", inc->rules[i].detector, inc->rules[i].rule_id);
			lower_copy(k + 2, sizeof k - 2, k + 2, strlen(k + 2));
			rc = index_put(c, k, slot);
		}
	return rc;
}

static int index_rebuild(struct correlator *c)
{
	map_free(&c->index);
	map_init(&c->index);
	c->keys = 0;
	int rc = 0;
	for (size_t i = 0; !rc && i < c->n; i++)
		if (c->inc[i])
			rc = index_incident(c, (uint32_t)i);
	return rc;
}

int correlator_new(struct correlator **out, const struct correlate_config *cfg, const struct kb *kb,
		   struct store *store)
{
	if (!out)
		return AS_EINVAL;
	*out = NULL;
	struct correlator *c = calloc(1, sizeof *c);
	if (!c)
		return AS_ENOMEM;
	if (cfg)
		c->cfg = *cfg;
	else
		correlate_config_default(&c->cfg);
	c->kb = kb;
	c->store = store;
	map_init(&c->index);
	int rc = store ? incident_store_resume(store, c->cfg.window, resume_one, c) : 0;
	if (rc) {
		correlator_free(c);
		return rc;
	}
	*out = c;
	return 0;
}

void correlator_set_overflow(struct correlator *c, void (*fn)(void *ctx, const struct incident *),
			     void *ctx)
{
	if (!c)
		return;
	c->overflow = fn;
	c->overflow_ctx = ctx;
}

void correlator_stats(const struct correlator *c, struct correlate_stats *st)
{
	*st = c ? c->st : (struct correlate_stats){0};
}

void correlator_free(struct correlator *c)
{
	if (!c)
		return;
	for (size_t i = 0; i < c->n; i++)
		incident_free(c->inc[i]);
	free(c->inc);
	map_free(&c->index);
	free(c);
}

static void emit_early(struct correlator *c, struct incident *inc)
{
	incident_finalize(inc, c->kb, c->cfg.oneday);
	if (c->store) {
		int rc = incident_store_put(c->store, inc);
		if (rc && !c->store_err)
			c->store_err = rc;
	}
	if (c->overflow)
		c->overflow(c->overflow_ctx, inc);
	c->st.evicted++;
}

/* A free slot; when AS_CORR_MAX_INCIDENTS are held, the one seen last the
 * longest ago goes out first. */
static int slot_take(struct correlator *c, uint32_t *slot)
{
	if (c->live >= AS_CORR_MAX_INCIDENTS) {
		size_t old = 0;
		for (size_t i = 0; i < c->n; i++)
			if (c->inc[i] &&
			    (!c->inc[old] || c->inc[i]->last_seen < c->inc[old]->last_seen))
				old = i;
		emit_early(c, c->inc[old]);
		incident_free(c->inc[old]);
		c->inc[old] = NULL;
		c->live--;
		*slot = (uint32_t)old;
		if (c->keys > 4 * AS_CORR_MAX_INCIDENTS)
			return index_rebuild(c);
		return 0;
	}
	for (size_t i = 0; i < c->n; i++)
		if (!c->inc[i]) {
			*slot = (uint32_t)i;
			return 0;
		}
	if (c->n == c->cap) {
		size_t nc = c->cap ? c->cap * 2 : 64;
		struct incident **ni = realloc(c->inc, nc * sizeof *ni);
		if (!ni)
			return AS_ENOMEM;
		c->inc = ni;
		c->cap = nc;
	}
	c->inc[c->n] = NULL;
	*slot = (uint32_t)c->n++;
	return 0;
}

static int incident_place(struct correlator *c, struct incident *inc, uint32_t *slot)
{
	int rc = slot_take(c, slot);
	if (rc)
		return rc;
	inc->gen = ++c->gen;
	c->inc[*slot] = inc;
	c->live++;
	return 0;
}

static void make_id(struct incident *inc, const char *seed)
{
	uint64_t h = hash_bytes_seeded(seed, strlen(seed), 0x696e636964656e74ull);
	putf(inc->id, sizeof inc->id, "inc-%016llx", (unsigned long long)h);
}

static unsigned weight(const struct correlate_config *cfg, enum link_kind k)
{
	switch (k) {
	case LINK_HOST:
		return cfg->w_host;
	case LINK_USER:
		return cfg->w_user;
	case LINK_INDICATOR:
		return cfg->w_indicator;
	case LINK_ENDPOINT:
		return cfg->w_endpoint;
	case LINK_MALWARE:
		return cfg->w_malware;
	case LINK_RULE:
		return cfg->w_rule;
	case LINK_PROCESS:
		return cfg->w_process;
	case LINK_LATERAL:
		return cfg->w_lateral;
	default:
		return 0;
	}
}

static bool same_org(const struct incident *inc, const char *org)
{
	return !strcmp(inc->org ? inc->org : "unknown", org ? org : "unknown");
}

static bool in_window(const struct incident *inc, int64_t t, int64_t window)
{
	if (t == AS_TIME_NONE || inc->first_seen == AS_TIME_NONE)
		return true;
	return t >= inc->first_seen - window && t <= inc->last_seen + window;
}

static char *dup_or_null(const char *s)
{
	return s && *s ? strdup(s) : NULL;
}

static struct inc_rule *rule_get(struct incident *inc, const struct alert *a)
{
	for (uint32_t i = 0; i < inc->nrules; i++) {
		struct inc_rule *r = &inc->rules[i];
		if (!strcmp(r->detector, a->detector) &&
		    !strcmp(r->rule_id ? r->rule_id : "", a->rule_id ? a->rule_id : "") &&
		    !strcmp(r->title ? r->title : "", a->rule_title ? a->rule_title : ""))
			return r;
	}
	if (inc->nrules >= AS_CORR_MAX_RULES)
		return NULL;
	struct inc_rule *nr = realloc(inc->rules, (inc->nrules + 1) * sizeof *nr);
	if (!nr)
		return NULL;
	inc->rules = nr;
	struct inc_rule *r = &nr[inc->nrules];
	*r = (struct inc_rule){.first = a->time, .last = a->time, .level = a->level};
	r->detector = strdup(a->detector);
	r->rule_id = dup_or_null(a->rule_id);
	r->title = dup_or_null(a->rule_title);
	if (!r->detector)
		return NULL;
	inc->nrules++;
	return r;
}

static void rule_note(struct inc_rule *r, const struct alert *a, const uint32_t links,
		      char (*values)[AS_CORR_MAX_KEY])
{
	r->count++;
	if (a->time != AS_TIME_NONE) {
		if (r->first == AS_TIME_NONE || a->time < r->first)
			r->first = a->time;
		if (r->last == AS_TIME_NONE || a->time > r->last)
			r->last = a->time;
	}
	if (a->level > r->level)
		r->level = a->level;
	if (r->nfirst < AS_CORR_RULE_IDS) {
		memcpy(r->first_ids[r->nfirst++], a->id, 17);
	} else {
		memcpy(r->last_ids[r->last_pos], a->id, 17);
		r->last_pos = (r->last_pos + 1) % AS_CORR_RULE_IDS;
		if (r->nlast < AS_CORR_RULE_IDS)
			r->nlast++;
	}
	for (int k = 0; k < LINK_COUNT; k++)
		if (links & (1u << k)) {
			r->why[k]++;
			if (!r->why_value[k] && values[k][0])
				r->why_value[k] = strdup(values[k] + (k == LINK_OPENED ? 0 : 2));
		}
}

/* Fold the alert into the incident and register its keys. */
static int incident_absorb(struct correlator *c, uint32_t slot, const struct alert *a,
			   const struct view *v, uint32_t links, char (*values)[AS_CORR_MAX_KEY])
{
	struct incident *inc = c->inc[slot];
	if (inc->resumed && a->time != AS_TIME_NONE && a->time <= inc->resume_after)
		return 0; /* an earlier run counted it */
	inc->dirty = true;
	inc->nalerts++;
	if (a->time != AS_TIME_NONE) {
		if (inc->first_seen == AS_TIME_NONE || a->time < inc->first_seen)
			inc->first_seen = a->time;
		if (inc->last_seen == AS_TIME_NONE || a->time > inc->last_seen)
			inc->last_seen = a->time;
	}
	if (a->level > inc->max_level)
		inc->max_level = a->level;
	inc->stages |= v->stages;
	inc->platforms |= v->platforms;
	if (!inc->org && v->org) {
		inc->org = strdup(v->org);
		inc->sector = dup_or_null(v->sector);
		inc->country = dup_or_null(v->country);
	}
	char ipt[IP_STRLEN], buf[AS_CORR_MAX_KEY];
	if (v->victim[0] && strncmp(v->victim, "log:", 4))
		strset_add(v->victim_ip.family && !strcmp(v->victim, ip_format(&v->victim_ip, ipt))
			       ? &inc->ips
			       : &inc->hosts,
			   slice_cstr(v->victim));
	if (v->victim_ip.family)
		strset_add(&inc->ips, slice_cstr(ip_format(&v->victim_ip, ipt)));
	if (a->user && !user_is_generic(a->user))
		strset_add(&inc->users, slice_cstr(a->user));
	for (unsigned i = 0; i < a->ntechniques; i++)
		strset_add(&inc->techniques, slice_cstr(a->techniques[i]));
	for (unsigned i = 0; i < a->nindicators; i++) {
		const struct alert_indicator *in = &a->indicators[i];
		putf(buf, sizeof buf, "%s:%s", in->type ? in->type : "?",
		     in->value ? in->value : "");
		strset_add(&inc->indicators, slice_cstr(buf));
		if (in->label)
			strset_add(&inc->labels, slice_cstr(in->label));
		for (const char **g = in->groups; g && *g; g++)
			strset_add(&inc->groups, slice_cstr(*g));
		for (const char **m = in->malware; m && *m; m++)
			strset_add(&inc->malware, slice_cstr(*m));
	}
	for (unsigned i = 0; i < v->nmalware; i++)
		strset_add(&inc->malware, slice_cstr(v->malware[i]));
	if (v->md5[0] || v->sha1[0] || v->sha256[0] || v->ssdeep[0])
		file_add(inc, v, a);
	for (unsigned i = 0; i < v->ncountries; i++)
		strset_add(&inc->src_countries, slice_cstr(v->countries[i]));
	if (v->attacker_ip.family && (!ip_is_internal(&v->attacker_ip) || v->inbound)) {
		ip_format(&v->attacker_ip, ipt);
		if (v->ncountries)
			putf(buf, sizeof buf, "%s %s", ipt, v->countries[0]);
		else
			put_str(buf, sizeof buf, ipt);
		/* one entry per address: with its country once known */
		bool have = false;
		for (uint32_t i = 0; i < inc->endpoints.n && !have; i++) {
			size_t l = strlen(ipt);
			have = !strncmp(inc->endpoints.v[i], ipt, l) &&
			       (inc->endpoints.v[i][l] == 0 || inc->endpoints.v[i][l] == ' ');
			if (have && inc->endpoints.v[i][l] == 0 && v->ncountries) {
				char *nv = strdup(buf);
				if (nv) {
					free(inc->endpoints.v[i]);
					inc->endpoints.v[i] = nv;
				}
			}
		}
		if (!have)
			strset_add(&inc->endpoints, slice_cstr(buf));
		if (v->inbound)
			strset_add(&inc->src_ips, slice_cstr(ipt));
	}
	if (v->image[0]) {
		putf(buf, sizeof buf, "%s|%s", v->victim, v->image);
		strset_add(&inc->processes, slice_cstr(buf));
	}
	/* A vendor a manifest or an update-server asset names beats one guessed
	 * from the updater's process name, whichever alert came first. */
	if (v->supply &&
	    (!inc->supply || (inc->vendor_guessed && !v->vendor_guessed && v->vendor[0]))) {
		inc->supply = true;
		free(inc->vendor);
		free(inc->channel);
		inc->vendor = dup_or_null(v->vendor[0] ? v->vendor : NULL);
		inc->channel = dup_or_null(v->channel[0] ? v->channel : NULL);
		inc->vendor_guessed = v->vendor_guessed;
	}
	for (unsigned i = 0; i < v->ncves; i++) {
		struct inc_cve *cv = NULL;
		for (uint32_t j = 0; j < inc->ncves && !cv; j++)
			if (!strcmp(inc->cves[j].id, v->cves[i]))
				cv = &inc->cves[j];
		if (!cv) {
			if (inc->ncves >= AS_CORR_MAX_CVES)
				continue;
			cv = &inc->cves[inc->ncves++];
			*cv = (struct inc_cve){.seen = a->time};
			put_str(cv->id, sizeof cv->id, v->cves[i]);
			cv->rule = dup_or_null(a->rule_title ? a->rule_title : a->rule_id);
		} else if (a->time != AS_TIME_NONE &&
			   (cv->seen == AS_TIME_NONE || a->time < cv->seen)) {
			cv->seen = a->time;
			free(cv->rule);
			cv->rule = dup_or_null(a->rule_title ? a->rule_title : a->rule_id);
		}
	}
	struct inc_rule *r = rule_get(inc, a);
	if (r)
		rule_note(r, a, links, values);
	else
		inc->rules_over++;
	int rc = 0;
	for (unsigned i = 0; !rc && i < v->nkeys; i++)
		if (!v->keys[i].lookup_only)
			rc = index_put(c, v->keys[i].key, slot);
	return rc;
}

int correlator_add(struct correlator *c, const struct alert *a)
{
	if (!c || !a || !a->detector)
		return AS_EINVAL;
	c->st.alerts++;
	struct view *v = &c->view;
	view_build(v, a, c->kb);

	/* candidates and the kinds of key each shares */
	struct incident *cand[AS_CORR_MAX_CANDIDATES];
	uint32_t kinds[AS_CORR_MAX_CANDIDATES];
	unsigned ncand = 0;
	for (unsigned i = 0; i < v->nkeys; i++) {
		struct incident *inc = index_get(c, v->keys[i].key);
		if (!inc || !same_org(inc, v->org) || !in_window(inc, a->time, c->cfg.window))
			continue;
		unsigned j = 0;
		while (j < ncand && cand[j] != inc)
			j++;
		if (j == ncand) {
			if (ncand == AS_CORR_MAX_CANDIDATES)
				continue;
			cand[ncand] = inc;
			kinds[ncand++] = 0;
		}
		kinds[j] |= 1u << v->keys[i].kind;
	}
	int best = -1;
	unsigned best_score = 0;
	for (unsigned j = 0; j < ncand; j++) {
		unsigned score = 0;
		for (int k = 0; k < LINK_COUNT; k++)
			if (kinds[j] & (1u << k))
				score += weight(&c->cfg, k);
		if (score >= c->cfg.threshold &&
		    (best < 0 || score > best_score ||
		     (score == best_score && cand[j]->last_seen > cand[best]->last_seen))) {
			best = (int)j;
			best_score = score;
		}
	}
	/* the first shared value of each kind, for the reasons */
	char(*values)[AS_CORR_MAX_KEY] = c->values;
	for (int k = 0; k < LINK_COUNT; k++)
		values[k][0] = 0;
	uint32_t links;
	uint32_t slot;
	int rc;
	if (best >= 0) {
		links = kinds[best];
		for (unsigned i = 0; i < v->nkeys; i++)
			if ((links & (1u << v->keys[i].kind)) && !values[v->keys[i].kind][0] &&
			    index_get(c, v->keys[i].key) == cand[best])
				put_str(values[v->keys[i].kind], AS_CORR_MAX_KEY, v->keys[i].key);
		slot = (uint32_t)slot_of(c, cand[best]);
	} else {
		struct incident *inc = calloc(1, sizeof *inc);
		if (!inc)
			return AS_ENOMEM;
		inc->first_seen = inc->last_seen = AS_TIME_NONE;
		inc->resume_after = AS_TIME_NONE;
		memcpy(inc->first_alert, a->id, 17);
		char seed[AS_CORR_MAX_KEY + 32];
		putf(seed, sizeof seed, "%s|%s", a->id, v->victim);
		make_id(inc, seed);
		if ((rc = incident_place(c, inc, &slot))) {
			incident_free(inc);
			return rc;
		}
		links = 1u << LINK_OPENED;
		put_str(values[LINK_OPENED], AS_CORR_MAX_KEY, a->id);
		c->st.incidents++;
	}
	return incident_absorb(c, slot, a, v, links, values);
}

/* --- campaigns and the end -------------------------------------------------- */

static uint32_t uf_find(uint32_t *p, uint32_t i)
{
	while (p[i] != i) {
		p[i] = p[p[i]];
		i = p[i];
	}
	return i;
}

/* Incidents sharing an indicator, an external endpoint or a malware name form
 * one campaign; its id comes from the smallest key they share, so the same
 * evidence gives the same id in every run. */
static int link_campaigns(struct correlator *c, struct incident **v, size_t n)
{
	uint32_t *parent = malloc((n ? n : 1) * sizeof *parent);
	char **best = calloc(n ? n : 1, sizeof *best);
	struct map first;
	map_init(&first);
	int rc = parent && best ? 0 : AS_ENOMEM;
	for (size_t i = 0; !rc && i < n; i++)
		parent[i] = (uint32_t)i;
	char k[AS_CORR_MAX_KEY];
	for (size_t i = 0; !rc && i < n; i++) {
		struct incident *inc = v[i];
		const struct strset *sets[] = {&inc->indicators, &inc->endpoints, &inc->malware};
		const char *pre[] = {"i:", "e:", "m:"};
		for (int s = 0; s < 3 && !rc; s++)
			for (uint32_t j = 0; j < sets[s]->n && !rc; j++) {
				const char *val = sets[s]->v[j],
					   *sp = s == 1 ? strchr(val, ' ') : NULL;
				putf(k, sizeof k, "%s%.*s", pre[s],
				     (int)(sp ? (size_t)(sp - val) : strlen(val)), val);
				uint64_t other;
				bool existed;
				other = i;
				if ((rc = map_put_new(&first, slice_cstr(k), &other, &existed)))
					break;
				if (!existed || other == i)
					continue;
				uint32_t a = uf_find(parent, (uint32_t)other),
					 b = uf_find(parent, (uint32_t)i);
				/* remember the smallest shared key on the surviving root */
				const char *cur =
				    best[a] && best[b]
					? (strcmp(best[a], best[b]) < 0 ? best[a] : best[b])
					: (best[a] ? best[a] : best[b]);
				char *pick = strdup(cur && strcmp(cur, k) < 0 ? cur : k);
				if (!pick) {
					rc = AS_ENOMEM;
					break;
				}
				if (a != b)
					parent[b] = a;
				if (best[b] && a != b) {
					free(best[b]);
					best[b] = NULL;
				}
				free(best[a]);
				best[a] = pick;
			}
	}
	for (size_t i = 0; !rc && i < n; i++) {
		uint32_t r = uf_find(parent, (uint32_t)i);
		if (!best[r])
			continue;
		uint64_t h = hash_bytes_seeded(best[r], strlen(best[r]), 0x63616d706169676eull);
		char id[24];
		putf(id, sizeof id, "camp-%016llx", (unsigned long long)h);
		free(v[i]->campaign);
		v[i]->campaign = strdup(id);
		if (r == i)
			c->st.campaigns++;
	}
	for (size_t i = 0; best && i < n; i++)
		free(best[i]);
	free(best);
	free(parent);
	map_free(&first);
	return rc;
}

static int by_first_seen(const void *pa, const void *pb)
{
	const struct incident *a = *(struct incident *const *)pa,
			      *b = *(struct incident *const *)pb;
	if (a->first_seen != b->first_seen)
		return a->first_seen < b->first_seen ? -1 : 1;
	return strcmp(a->id, b->id);
}

static int resume_one(void *ctx, struct incident *inc)
{
	struct correlator *c = ctx;
	inc->resumed = true;
	inc->resume_after = inc->last_seen;
	uint32_t slot;
	int rc = incident_place(c, inc, &slot);
	if (rc) {
		incident_free(inc);
		return rc;
	}
	c->st.resumed++;
	return index_incident(c, slot);
}

void correlator_set_hooks(struct correlator *c, const struct correlate_hooks *hooks, void *ctx)
{
	c->hooks = hooks;
	c->hooks_ctx = ctx;
}

int correlator_finish(struct correlator *c, void (*on_incident)(void *ctx, const struct incident *),
		      void *ctx)
{
	if (!c)
		return AS_EINVAL;
	struct incident **v = malloc((c->live ? c->live : 1) * sizeof *v);
	if (!v)
		return AS_ENOMEM;
	size_t n = 0;
	for (size_t i = 0; i < c->n; i++)
		if (c->inc[i] && (c->inc[i]->dirty || !c->inc[i]->resumed))
			v[n++] = c->inc[i];
	int rc = link_campaigns(c, v, n);
	qsort(v, n, sizeof *v, by_first_seen);
	for (size_t i = 0; i < n; i++)
		incident_finalize(v[i], c->kb, c->cfg.oneday);
	/* The later stages (attribution, clustering) see every incident before
	 * any is stored or shown. */
	if (c->hooks) {
		for (size_t i = 0; i < n && c->hooks->each; i++)
			c->hooks->each(c->hooks_ctx, v[i]);
		if (c->hooks->all)
			c->hooks->all(c->hooks_ctx, v, n);
	}
	bool tx = c->store && n && !incident_store_tx(c->store, false);
	for (size_t i = 0; i < n; i++) {
		if (c->store) {
			int e = incident_store_put(c->store, v[i]);
			if (e && !rc)
				rc = e;
		}
		if (on_incident)
			on_incident(ctx, v[i]);
	}
	if (tx) {
		int e = incident_store_tx(c->store, true);
		if (e && !rc)
			rc = e;
	}
	free(v);
	return rc ? rc : c->store_err;
}
