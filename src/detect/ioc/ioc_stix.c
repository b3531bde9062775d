/*
 * ioc_stix.c — indicators from STIX 2.0 / 2.1 bundles.
 *
 * The bundle is parsed once with jansson (feeds are loaded once, never on
 * the hot path). Three passes over its objects:
 *   1. names of intrusion-set / threat-actor (→ groups) and malware / tool
 *      (→ malware) objects, by id;
 *   2. relationships "indicator --indicates--> X", by indicator id;
 *   3. each indicator's pattern, read by a small parser of the STIX
 *      patterning subset feeds use: [path = 'value'] comparisons joined by
 *      OR (any), or by AND when all of them are hashes or the name of one
 *      file (a file is known by any of them). Every other construct (other
 *      operators, AND across objects, FOLLOWEDBY, qualifiers, non-STIX
 *      pattern_type) is reported with the indicator id and the reason.
 * valid_from / valid_until, name (label), confidence (score) and the id
 * (ref) go with every indicator of the pattern.
 */
#include "detect/ioc/ioc_internal.h"

#include <jansson.h>
#include <stdlib.h>
#include <string.h>

#include "core/error.h"
#include "core/map.h"
#include "core/timeparse.h"

#define STIX_MAX_NAMES 16
#define STIX_MAX_TERMS 64

struct term {
	const char *type; /* ioc_set_add type name */
	struct slice value;
	bool file; /* a property of a file object (hash or name) */
};

struct pat {
	const char *p, *end;
	char err[160];
	struct term terms[STIX_MAX_TERMS];
	size_t n;
	bool any_and;
	char vals[8192]; /* unescaped values */
	size_t vlen;
};

static void skip_ws(struct pat *x)
{
	while (x->p < x->end && (*x->p == ' ' || *x->p == '\t' || *x->p == '\n' || *x->p == '\r'))
		x->p++;
}

static bool word(struct pat *x, const char *w)
{
	skip_ws(x);
	size_t n = strlen(w);
	if ((size_t)(x->end - x->p) >= n && !strncmp(x->p, w, n)) {
		x->p += n;
		return true;
	}
	return false;
}

static const char *path_type(struct slice path, bool *file)
{
	static const struct {
		const char *path, *type;
		bool file;
	} map[] = {
	    {"ipv4-addr:value", "ip", false},
	    {"ipv6-addr:value", "ip", false},
	    {"domain-name:value", "domain", false},
	    {"url:value", "url", false},
	    {"email-addr:value", "email", false},
	    {"email-message:from_ref.value", "email", false},
	    {"email-message:sender_ref.value", "email", false},
	    {"network-traffic:dst_ref.value", "ip", false},
	    {"network-traffic:src_ref.value", "ip", false},
	    {"file:name", "filename", true},
	    {"file:hashes.MD5", "md5", true},
	    {"file:hashes.'MD5'", "md5", true},
	    {"file:hashes.md5", "md5", true},
	    {"file:hashes.'SHA-1'", "sha1", true},
	    {"file:hashes.SHA1", "sha1", true},
	    {"file:hashes.'SHA1'", "sha1", true},
	    {"file:hashes.'SHA-256'", "sha256", true},
	    {"file:hashes.SHA256", "sha256", true},
	    {"file:hashes.'SHA256'", "sha256", true},
	    {"network-traffic:extensions.'http-request-ext'.request_header.'User-Agent'",
	     "user-agent", false},
	};
	for (size_t i = 0; i < sizeof map / sizeof *map; i++)
		if (slice_eq_cstr(path, map[i].path)) {
			*file = map[i].file;
			return map[i].type;
		}
	return NULL;
}

static bool comparison(struct pat *x)
{
	skip_ws(x);
	const char *ps = x->p;
	while (x->p < x->end && *x->p != ' ' && *x->p != '=' && *x->p != '!' && *x->p != ']' &&
	       *x->p != '<' && *x->p != '>') {
		if (*x->p == '\'') { /* quoted path component */
			x->p++;
			while (x->p < x->end && *x->p != '\'')
				x->p++;
		}
		if (x->p < x->end)
			x->p++;
	}
	struct slice path = slice_make(ps, (size_t)(x->p - ps));
	skip_ws(x);
	if (x->p >= x->end || *x->p != '=' || (x->p + 1 < x->end && x->p[1] == '=')) {
		snprintf(x->err, sizeof x->err, "operator other than = after %.*s",
			 (int)(path.len > 80 ? 80 : path.len), path.ptr);
		return false;
	}
	x->p++;
	skip_ws(x);
	if (x->p >= x->end || *x->p != '\'') {
		snprintf(x->err, sizeof x->err, "value of %.*s is not a string",
			 (int)(path.len > 80 ? 80 : path.len), path.ptr);
		return false;
	}
	x->p++;
	size_t start = x->vlen;
	while (x->p < x->end && *x->p != '\'') {
		char c = *x->p++;
		if (c == '\\' && x->p < x->end)
			c = *x->p++;
		if (x->vlen >= sizeof x->vals) {
			snprintf(x->err, sizeof x->err, "values too long");
			return false;
		}
		x->vals[x->vlen++] = c;
	}
	if (x->p >= x->end) {
		snprintf(x->err, sizeof x->err, "unterminated string");
		return false;
	}
	x->p++;
	bool file = false;
	const char *type = path_type(path, &file);
	if (!type) {
		snprintf(x->err, sizeof x->err, "object path %.*s not supported",
			 (int)(path.len > 80 ? 80 : path.len), path.ptr);
		return false;
	}
	if (x->n >= STIX_MAX_TERMS) {
		snprintf(x->err, sizeof x->err, "more than %d comparisons", STIX_MAX_TERMS);
		return false;
	}
	x->terms[x->n++] = (struct term){type, slice_make(x->vals + start, x->vlen - start), file};
	return true;
}

/* Parse the whole pattern; false with x->err set when unsupported. */
static bool pattern_parse(struct pat *x)
{
	int depth = 0;
	bool want_operand = true;
	for (;;) {
		skip_ws(x);
		if (x->p >= x->end)
			break;
		if (want_operand) {
			if (*x->p == '(') {
				x->p++;
				depth++;
				continue;
			}
			if (*x->p != '[') {
				snprintf(x->err, sizeof x->err, "expected '[' at: %.20s", x->p);
				return false;
			}
			x->p++;
			for (;;) {
				if (!comparison(x))
					return false;
				if (word(x, "]"))
					break;
				if (word(x, "OR"))
					continue;
				if (word(x, "AND")) {
					x->any_and = true;
					continue;
				}
				snprintf(x->err, sizeof x->err,
					 "unsupported construct inside an observation: %.20s",
					 x->p);
				return false;
			}
			want_operand = false;
			continue;
		}
		if (*x->p == ')' && depth > 0) {
			x->p++;
			depth--;
			continue;
		}
		if (word(x, "OR")) {
			want_operand = true;
			continue;
		}
		if (word(x, "AND")) {
			x->any_and = true;
			want_operand = true;
			continue;
		}
		snprintf(x->err, sizeof x->err, "unsupported operator or qualifier: %.24s", x->p);
		return false;
	}
	if (want_operand || depth) {
		snprintf(x->err, sizeof x->err, "incomplete pattern");
		return false;
	}
	if (x->any_and) {
		for (size_t i = 0; i < x->n; i++)
			if (!x->terms[i].file) {
				snprintf(x->err, sizeof x->err,
					 "AND across objects needs correlation, not supported");
				return false;
			}
	}
	return true;
}

static const char *str_of(json_t *o, const char *k)
{
	return json_string_value(json_object_get(o, k));
}

static int64_t time_of(json_t *o, const char *k)
{
	const char *s = str_of(o, k);
	int64_t t;
	if (s && time_parse_rfc3339(slice_cstr(s), &t) == 0)
		return t;
	return AS_TIME_NONE;
}

int ioc_load_stix(struct ioc_set *s, const char *name, const char *data, size_t n,
		  struct diag_sink *diags, struct ioc_load_stats *st)
{
	json_error_t jerr;
	struct diag d;
	uint64_t printed = 0;
	json_t *root = json_loadb(data, n, JSON_REJECT_DUPLICATES, &jerr);
	if (!root) {
		diag_set(&d, AS_EPARSE, "not JSON: %s at line %d", jerr.text, jerr.line);
		ioc_report(diags, name, jerr.line > 0 ? (uint64_t)jerr.line : 0, &d, &printed, st);
		return AS_EPARSE;
	}
	json_t *objs = json_is_array(root) ? root : json_object_get(root, "objects");
	json_t *single = NULL;
	if (!json_is_array(objs)) {
		if (json_is_object(root) && str_of(root, "pattern")) {
			single = json_array();
			json_array_append(single, root);
			objs = single;
		} else {
			diag_set(&d, AS_EFORMAT, "neither a STIX bundle nor a MISP event");
			ioc_report(diags, name, 0, &d, &printed, st);
			json_decref(root);
			return AS_EFORMAT;
		}
	}
	struct map names, rels;
	map_init(&names);
	map_init(&rels);
	size_t nobj = json_array_size(objs);
	/* 1: names by id; value = object index + 1 */
	for (size_t i = 0; i < nobj; i++) {
		json_t *o = json_array_get(objs, i);
		const char *t = str_of(o, "type"), *id = str_of(o, "id");
		if (!t || !id || !str_of(o, "name"))
			continue;
		if (!strcmp(t, "intrusion-set") || !strcmp(t, "threat-actor") ||
		    !strcmp(t, "malware") || !strcmp(t, "tool"))
			map_put(&names, slice_cstr(id), i + 1, NULL);
	}
	/* 2: relationships, chained per indicator: value = relationship index + 1,
	 * and next[] links the others of the same indicator. */
	size_t *next = calloc(nobj ? nobj : 1, sizeof *next);
	if (!next) {
		json_decref(root);
		json_decref(single);
		map_free(&names);
		map_free(&rels);
		return AS_ENOMEM;
	}
	for (size_t i = 0; i < nobj; i++) {
		json_t *o = json_array_get(objs, i);
		const char *t = str_of(o, "type"), *src = str_of(o, "source_ref");
		const char *rt = str_of(o, "relationship_type");
		if (!t || strcmp(t, "relationship") || !src || !rt || strcmp(rt, "indicates"))
			continue;
		uint64_t prev = 0;
		map_get(&rels, slice_cstr(src), &prev);
		next[i] = (size_t)prev;
		map_put(&rels, slice_cstr(src), i + 1, NULL);
	}
	/* 3: indicators */
	struct pat *x = malloc(sizeof *x);
	for (size_t i = 0; x && i < nobj; i++) {
		json_t *o = json_array_get(objs, i);
		const char *t = str_of(o, "type");
		if (!t || strcmp(t, "indicator"))
			continue;
		if (st)
			st->records++;
		const char *id = str_of(o, "id"), *pattern = str_of(o, "pattern");
		const char *ptype = str_of(o, "pattern_type");
		if (!id)
			id = "(no id)";
		if (!pattern) {
			diag_set(&d, AS_EPARSE, "indicator %.80s: no pattern", id);
			ioc_report(diags, name, i + 1, &d, &printed, st);
			continue;
		}
		if (ptype && strcmp(ptype, "stix")) {
			diag_set(&d, AS_EUNSUPPORTED,
				 "indicator %.80s: pattern_type %.40s not supported", id, ptype);
			ioc_report(diags, name, i + 1, &d, &printed, st);
			continue;
		}
		memset(x, 0, offsetof(struct pat, vals));
		x->vlen = 0;
		x->p = pattern;
		x->end = pattern + strlen(pattern);
		if (!pattern_parse(x)) {
			diag_set(&d, AS_EUNSUPPORTED, "indicator %.80s: unsupported pattern: %s",
				 id, x->err);
			ioc_report(diags, name, i + 1, &d, &printed, st);
			continue;
		}
		const char *groups[STIX_MAX_NAMES + 1], *malware[STIX_MAX_NAMES + 1];
		size_t ng = 0, nm = 0;
		uint64_t r = 0;
		map_get(&rels, slice_cstr(id), &r);
		for (size_t guard = 0; r && guard < nobj; guard++, r = next[r - 1]) {
			json_t *rel = json_array_get(objs, r - 1);
			const char *tgt = str_of(rel, "target_ref");
			uint64_t oi;
			if (!tgt || !map_get(&names, slice_cstr(tgt), &oi))
				continue;
			json_t *to = json_array_get(objs, oi - 1);
			const char *tt = str_of(to, "type"), *nm_ = str_of(to, "name");
			bool grp = !strcmp(tt, "intrusion-set") || !strcmp(tt, "threat-actor");
			if (grp && ng < STIX_MAX_NAMES)
				groups[ng++] = nm_;
			else if (!grp && nm < STIX_MAX_NAMES)
				malware[nm++] = nm_;
		}
		groups[ng] = malware[nm] = NULL;
		json_t *conf = json_object_get(o, "confidence");
		struct ioc_meta m = {
		    .source = name,
		    .label = str_of(o, "name"),
		    .groups = groups,
		    .malware = malware,
		    .ref = id,
		    .score = json_is_integer(conf) && json_integer_value(conf) >= 0 &&
				     json_integer_value(conf) <= 100
				 ? (int)json_integer_value(conf)
				 : -1,
		    .valid_from = time_of(o, "valid_from"),
		    .valid_until = time_of(o, "valid_until"),
		};
		for (size_t k = 0; k < x->n; k++) {
			int rc = ioc_set_add(s, x->terms[k].type, x->terms[k].value, &m, &d);
			if (rc < 0) {
				struct diag d2;
				diag_set(&d2, rc, "indicator %.80s: %s", id, d.msg);
				ioc_report(diags, name, i + 1, &d2, &printed, st);
			} else if (st) {
				if (rc == 0)
					st->loaded++;
				else
					st->duplicates++;
			}
		}
	}
	int rc = x ? 0 : AS_ENOMEM;
	free(x);
	free(next);
	map_free(&names);
	map_free(&rels);
	json_decref(single);
	json_decref(root);
	return rc;
}
