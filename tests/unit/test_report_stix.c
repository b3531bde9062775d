/*
 * test_report_stix.c — the report's STIX 2.1 bundle checked by a validator
 * written here for the rules of the objects the report emits (STIX 2.1
 * part 2 and 3): common properties, `type--UUID` ids (RFC 4122 variant),
 * RFC 3339 UTC timestamps ending in Z, modified ≥ created, first_seen ≤
 * last_seen, required properties per type, property names, relationship
 * types allowed between the two object types, sighting and report references
 * that exist in the bundle, STIX patterns with balanced quoting. The
 * validator is shown to fail on broken bundles, then run on the report of
 * the fixture store, whose object counts are checked against the JSON report.
 */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>

#include <cmocka.h>
#include <jansson.h>
#include <regex.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "core/timeparse.h"
#include "report/report.h"
#include "test_report_fixture.h"

static char verr[512]; /* why the last bundle was refused */

static bool match(const char *re, const char *s)
{
	regex_t r;
	if (!s || regcomp(&r, re, REG_EXTENDED | REG_NOSUB))
		return false;
	bool ok = regexec(&r, s, 0, NULL, 0) == 0;
	regfree(&r);
	return ok;
}

#define TS_RE   "^[0-9]{4}-[01][0-9]-[0-3][0-9]T[0-2][0-9]:[0-5][0-9]:[0-6][0-9](\\.[0-9]+)?Z$"
#define UUID_RE "--[0-9a-f]{8}-[0-9a-f]{4}-[1-8][0-9a-f]{3}-[89ab][0-9a-f]{3}-[0-9a-f]{12}$"

__attribute__((format(printf, 1, 2))) static bool bad(const char *fmt, ...)
{
	va_list ap;
	va_start(ap, fmt);
	vsnprintf(verr, sizeof verr, fmt, ap);
	va_end(ap);
	return false;
}

static const char *str(json_t *o, const char *k)
{
	return json_string_value(json_object_get(o, k));
}

static bool is_id(const char *id, const char *type)
{
	char re[160];
	snprintf(re, sizeof re, "^%s" UUID_RE, type ? type : "[a-z0-9-]+");
	return match(re, id);
}

static bool ts(json_t *o, const char *k, bool required)
{
	json_t *v = json_object_get(o, k);
	if (!v)
		return !required;
	return match(TS_RE, json_string_value(v));
}

/* Timestamps in this form compare as strings once their fractions agree;
 * parse to be safe. */
static int64_t tval(json_t *o, const char *k)
{
	int64_t t = AS_TIME_NONE;
	const char *s = str(o, k);
	if (s)
		time_parse_rfc3339(slice_cstr(s), &t);
	return t;
}

static const char *type_of(json_t *index, const char *id)
{
	return str(json_object_get(index, id ? id : ""), "type");
}

/* Source type, relationship, target type: the STIX 2.1 common relationships
 * of the objects the report emits. */
static const char *const allowed[][3] = {
    {"intrusion-set", "targets", "identity"},
    {"intrusion-set", "targets", "vulnerability"},
    {"intrusion-set", "targets", "location"},
    {"intrusion-set", "originates-from", "location"},
    {"campaign", "attributed-to", "intrusion-set"},
    {"campaign", "targets", "identity"},
    {"campaign", "targets", "vulnerability"},
    {"indicator", "indicates", "intrusion-set"},
    {"indicator", "indicates", "campaign"},
};

static bool pattern_ok(const char *p)
{
	size_t n = p ? strlen(p) : 0;
	if (n < 5 || p[0] != '[' || p[n - 1] != ']')
		return false;
	bool in = false;
	for (size_t i = 1; i + 1 < n; i++) {
		if (in && p[i] == '\\') {
			if (p[i + 1] != '\\' && p[i + 1] != '\'')
				return false;
			i++;
		} else if (p[i] == '\'') {
			in = !in;
		}
	}
	return !in && match("^\\[[a-z0-9-]+:[a-z_.A-Z'0-9-]+ = '", p);
}

static bool validate_object(json_t *o, json_t *index)
{
	const char *type = str(o, "type"), *id = str(o, "id");
	const char *k;
	json_t *v;
	json_object_foreach(o, k, v) if (!match("^[a-z0-9_]{2,250}$", k)) return bad(
	    "%s: property name %s", id, k);
	if (!type || !is_id(id, type))
		return bad("bad id %s of type %s", id, type);
	if (!str(o, "spec_version") || strcmp(str(o, "spec_version"), "2.1"))
		return bad("%s: spec_version %s", id, str(o, "spec_version"));
	if (!ts(o, "created", true) || !ts(o, "modified", true))
		return bad("%s: created/modified %s", id, str(o, "created"));
	if (tval(o, "modified") < tval(o, "created"))
		return bad("%s: modified before created%s", id, "");
	if (json_object_get(o, "created_by_ref") &&
	    !(type_of(index, str(o, "created_by_ref")) &&
	      !strcmp(type_of(index, str(o, "created_by_ref")), "identity")))
		return bad("%s: created_by_ref %s is no identity in the bundle", id,
			   str(o, "created_by_ref"));
	if (!ts(o, "first_seen", false) || !ts(o, "last_seen", false))
		return bad("%s: first_seen/last_seen %s", id, str(o, "first_seen"));
	if (json_object_get(o, "first_seen") && json_object_get(o, "last_seen") &&
	    tval(o, "last_seen") < tval(o, "first_seen"))
		return bad("%s: last_seen before first_seen%s", id, "");
	json_t *er;
	size_t i;
	json_array_foreach(json_object_get(o, "external_references"), i, er)
	{
		if (!str(er, "source_name"))
			return bad("%s: external reference without source_name%s", id, "");
		if (!strcmp(str(er, "source_name"), "cve") &&
		    !match("^CVE-[0-9]{4}-[0-9]{4,}$", str(er, "external_id")))
			return bad("%s: CVE reference %s", id, str(er, "external_id"));
	}

	if (!strcmp(type, "report")) {
		json_t *refs = json_object_get(o, "object_refs"), *r;
		if (!str(o, "name") || !ts(o, "published", true) || !json_array_size(refs))
			return bad("%s: report needs name, published, object_refs%s", id, "");
		json_array_foreach(
		    refs, i,
		    r) if (!type_of(index,
				    json_string_value(
					r))) return bad("%s: object_ref %s not in the bundle", id,
							json_string_value(r));
	} else if (!strcmp(type, "identity")) {
		if (!str(o, "name"))
			return bad("%s: identity without name%s", id, "");
		json_t *s;
		json_array_foreach(
		    json_object_get(o, "sectors"), i,
		    s) if (!match("^[a-z0-9-]+$",
				  json_string_value(s))) return bad("%s: sector %s", id,
								    json_string_value(s));
		if (!strcmp(str(o, "identity_class") ? str(o, "identity_class") : "", "class") &&
		    !json_array_size(json_object_get(o, "sectors")))
			return bad("%s: a sector identity without sectors%s", id, "");
	} else if (!strcmp(type, "intrusion-set") || !strcmp(type, "campaign")) {
		if (!str(o, "name"))
			return bad("%s: %s without name", id, type);
		json_t *a;
		json_array_foreach(json_object_get(o, "aliases"), i,
				   a) if (!json_is_string(a)) return bad("%s: alias not a string%s",
									 id, "");
	} else if (!strcmp(type, "location")) {
		const char *c = str(o, "country");
		if (!str(o, "region") && !(c && match("^[A-Z]{2}$", c)))
			return bad("%s: location without region or ISO country (%s)", id, c);
	} else if (!strcmp(type, "vulnerability")) {
		if (!str(o, "name"))
			return bad("%s: vulnerability without name%s", id, "");
	} else if (!strcmp(type, "indicator")) {
		if (!pattern_ok(str(o, "pattern")) || !str(o, "pattern_type") ||
		    !ts(o, "valid_from", true))
			return bad("%s: indicator pattern %s", id, str(o, "pattern"));
	} else if (!strcmp(type, "relationship")) {
		const char *rt = str(o, "relationship_type"), *s = str(o, "source_ref"),
			   *t = str(o, "target_ref");
		const char *st = type_of(index, s), *tt = type_of(index, t);
		if (!rt || !st || !tt)
			return bad("%s: relationship ends %s not in the bundle", id, s);
		bool ok = false;
		for (size_t a = 0; a < sizeof allowed / sizeof allowed[0]; a++)
			ok |= !strcmp(allowed[a][0], st) && !strcmp(allowed[a][1], rt) &&
			      !strcmp(allowed[a][2], tt);
		if (!ok)
			return bad("%s: relationship %s not allowed here", id, rt);
	} else if (!strcmp(type, "sighting")) {
		const char *of = type_of(index, str(o, "sighting_of_ref"));
		if (!of || !strcmp(of, "relationship") || !strcmp(of, "sighting"))
			return bad("%s: sighting_of_ref %s", id, str(o, "sighting_of_ref"));
		json_t *w = json_object_get(o, "where_sighted_refs"), *r;
		json_array_foreach(w, i, r)
		{
			const char *wt = type_of(index, json_string_value(r));
			if (!wt || (strcmp(wt, "identity") && strcmp(wt, "location")))
				return bad("%s: where_sighted_ref %s", id, json_string_value(r));
		}
		json_t *c = json_object_get(o, "count");
		if (c && (!json_is_integer(c) || json_integer_value(c) < 0 ||
			  json_integer_value(c) > 999999999))
			return bad("%s: count out of range%s", id, "");
	} else {
		return bad("%s: unexpected type %s", id, type);
	}
	return true;
}

static bool stix_validate(json_t *bundle)
{
	verr[0] = 0;
	if (!json_is_object(bundle) || !str(bundle, "type") ||
	    strcmp(str(bundle, "type"), "bundle"))
		return bad("not a bundle%s%s", "", "");
	if (!is_id(str(bundle, "id"), "bundle"))
		return bad("bundle id %s%s", str(bundle, "id"), "");
	json_t *objs = json_object_get(bundle, "objects"), *o;
	if (!json_array_size(objs))
		return bad("empty bundle%s%s", "", "");
	json_t *index = json_object();
	size_t i;
	bool ok = true;
	json_array_foreach(objs, i, o)
	{
		const char *id = str(o, "id");
		if (!id || json_object_get(index, id)) {
			ok = bad("duplicate or missing id %s%s", id, "");
			break;
		}
		json_object_set(index, id, o);
	}
	json_array_foreach(objs, i, o) if (ok && !validate_object(o, index)) ok = false;
	/* every object is named by the report */
	json_t *rep = json_array_get(objs, 0);
	if (ok && strcmp(str(rep, "type"), "report"))
		ok = bad("the first object is %s, not the report%s", str(rep, "type"), "");
	if (ok) {
		json_t *seen = json_object(), *r;
		json_array_foreach(json_object_get(rep, "object_refs"), i, r)
		    json_object_set_new(seen, json_string_value(r), json_true());
		json_array_foreach(objs, i,
				   o) if (ok && i > 0 && !json_object_get(seen, str(o, "id"))) ok =
		    bad("%s is not in the report's object_refs%s", str(o, "id"), "");
		json_decref(seen);
	}
	json_decref(index);
	return ok;
}

static json_t *count_types(json_t *bundle)
{
	json_t *n = json_object(), *o;
	size_t i;
	json_array_foreach(json_object_get(bundle, "objects"), i, o)
	{
		const char *t = str(o, "type");
		json_object_set_new(n, t,
				    json_integer(json_integer_value(json_object_get(n, t)) + 1));
	}
	return n;
}

static json_int_t n_of(json_t *counts, const char *type)
{
	return json_integer_value(json_object_get(counts, type));
}

static void test_validator_refuses_broken_bundles(void **state)
{
	(void)state;
	static const char *const good =
	    "{\"type\":\"bundle\",\"id\":\"bundle--6ba7b810-9dad-51d1-80b4-00c04fd430c8\","
	    "\"objects\":[{\"type\":\"report\",\"spec_version\":\"2.1\",\"id\":\"report--"
	    "6ba7b811-9dad-51d1-80b4-00c04fd430c8\",\"created\":\"2025-01-01T00:00:00Z\","
	    "\"modified\":\"2025-01-01T00:00:00Z\",\"name\":\"r\",\"published\":"
	    "\"2025-01-01T00:00:00Z\",\"object_refs\":[\"intrusion-set--6ba7b812-9dad-51d1-80b4-"
	    "00c04fd430c8\",\"vulnerability--6ba7b813-9dad-51d1-80b4-00c04fd430c8\","
	    "\"relationship--6ba7b814-9dad-51d1-80b4-00c04fd430c8\"]},"
	    "{\"type\":\"intrusion-set\",\"spec_version\":\"2.1\",\"id\":\"intrusion-set--"
	    "6ba7b812-9dad-51d1-80b4-00c04fd430c8\",\"created\":\"2025-01-01T00:00:00Z\","
	    "\"modified\":\"2025-01-01T00:00:00Z\",\"name\":\"APT32\"},"
	    "{\"type\":\"vulnerability\",\"spec_version\":\"2.1\",\"id\":\"vulnerability--"
	    "6ba7b813-9dad-51d1-80b4-00c04fd430c8\",\"created\":\"2025-01-01T00:00:00Z\","
	    "\"modified\":\"2025-01-01T00:00:00Z\",\"name\":\"CVE-2021-44228\"},"
	    "{\"type\":\"relationship\",\"spec_version\":\"2.1\",\"id\":\"relationship--"
	    "6ba7b814-9dad-51d1-80b4-00c04fd430c8\",\"created\":\"2025-01-01T00:00:00Z\","
	    "\"modified\":\"2025-01-01T00:00:00Z\",\"relationship_type\":\"targets\","
	    "\"source_ref\":\"intrusion-set--6ba7b812-9dad-51d1-80b4-00c04fd430c8\","
	    "\"target_ref\":\"vulnerability--6ba7b813-9dad-51d1-80b4-00c04fd430c8\"}]}";
	json_t *b = json_loads(good, 0, NULL);
	assert_non_null(b);
	assert_true(stix_validate(b));
	json_decref(b);
	/* each of these breaks one rule */
	static const char *const breaks[][2] = {
	    {"\"target_ref\":\"vulnerability--6ba7b813",
	     "\"target_ref\":\"vulnerability--7ba7b813"},
	    {"\"created\":\"2025-01-01T00:00:00Z\",\"modified\":\"2025-01-01T00:00:00Z\",\"name\":"
	     "\"APT32\"",
	     "\"created\":\"2025-01-01T00:00:00+01:00\",\"modified\":\"2025-01-01T00:00:00Z\","
	     "\"name\":\"APT32\""},
	    {"\"id\":\"intrusion-set--6ba7b812-9dad-51d1-80b4-00c04fd430c8\",",
	     "\"id\":\"intrusion-set--6ba7b812-9dad-51d1-00b4-00c04fd430c8\","},
	    {"\"relationship_type\":\"targets\"", "\"relationship_type\":\"uses\""},
	    {",\"name\":\"CVE-2021-44228\"", ""},
	    {"\"spec_version\":\"2.1\",\"id\":\"intrusion",
	     "\"spec_version\":\"2.0\",\"id\":\"intrusion"},
	    {"\"published\":\"2025-01-01T00:00:00Z\",", ""},
	};
	for (size_t i = 0; i < sizeof breaks / sizeof breaks[0]; i++) {
		const char *at = strstr(good, breaks[i][0]);
		assert_non_null(at);
		char *txt = malloc(strlen(good) + strlen(breaks[i][1]) + 1);
		size_t pre = (size_t)(at - good);
		memcpy(txt, good, pre);
		strcpy(txt + pre, breaks[i][1]);
		strcat(txt, at + strlen(breaks[i][0]));
		json_t *x = json_loads(txt, 0, NULL);
		assert_non_null(x);
		if (stix_validate(x))
			fail_msg("broken bundle %zu accepted", i);
		json_decref(x);
		free(txt);
	}
}

static void test_report_bundle_validates(void **state)
{
	(void)state;
	char path[64];
	snprintf(path, sizeof path, "test_report_stix_%d.db", (int)getpid());
	fx_store(path, 300);
	struct store *s = NULL;
	assert_int_equal(store_open(&s, path, NULL), 0);
	struct landscape *l = NULL;
	assert_int_equal(landscape_build(&l, s, NULL, AS_TIME_NONE, AS_TIME_NONE), 0);
	struct buf b = BUF_INIT, js = BUF_INIT;
	int64_t created;
	assert_int_equal(time_parse_rfc3339(slice_cstr("2026-02-01T10:00:00.123Z"), &created), 0);
	assert_int_equal(report_stix(l, created, &b), 0);
	assert_int_equal(report_json(l, NULL, &js), 0);
	json_t *bundle = json_loadb(b.data, b.len, 0, NULL),
	       *rep = json_loadb(js.data, js.len, 0, NULL);
	assert_non_null(bundle);
	assert_non_null(rep);
	if (!stix_validate(bundle))
		fail_msg("the report's bundle does not validate: %s", verr);
	json_t *n = count_types(bundle);
	assert_int_equal(n_of(n, "report"), 1);
	assert_int_equal(n_of(n, "intrusion-set"),
			 json_array_size(json_object_get(rep, "groups")) +
			     json_array_size(json_object_get(rep, "new_groups")));
	assert_int_equal(n_of(n, "vulnerability"), json_array_size(json_object_get(rep, "cves")));
	assert_int_equal(n_of(n, "campaign"), json_array_size(json_object_get(rep, "campaigns")));
	/* one identity per known sector, per known organisation, and aptscope */
	size_t sectors = 0, i;
	json_t *r;
	json_array_foreach(json_object_get(rep, "sectors"), i, r) sectors +=
	    strcmp(str(r, "sector"), "unknown") != 0;
	assert_int_equal(n_of(n, "identity"),
			 sectors +
			     json_integer_value(json_object_get(json_object_get(rep, "headline"),
								"organisations")) +
			     1);
	/* a sighting per incident of a known victim with a group or an indicator:
	 * every fixture incident has an indicator */
	size_t known = 0;
	json_array_foreach(json_object_get(rep, "incidents"), i, r) known +=
	    strcmp(str(r, "org"), "unknown") != 0 && json_object_get(r, "first_seen") &&
	    !json_is_null(json_object_get(r, "first_seen"));
	assert_int_equal(n_of(n, "sighting"), known);
	assert_true(n_of(n, "indicator") > 100);
	assert_true(n_of(n, "relationship") > 50);
	/* the same landscape gives the same ids: importers merge, not duplicate */
	struct buf b2 = BUF_INIT;
	assert_int_equal(report_stix(l, created, &b2), 0);
	assert_int_equal(b2.len, b.len);
	assert_memory_equal(b2.data, b.data, b.len);
	buf_free(&b2);
	json_decref(n);
	json_decref(bundle);
	json_decref(rep);
	buf_free(&b);
	buf_free(&js);
	landscape_free(l);
	store_close(s);
	remove(path);
	char wal[96];
	snprintf(wal, sizeof wal, "%s-wal", path);
	remove(wal);
	snprintf(wal, sizeof wal, "%s-shm", path);
	remove(wal);
}

/* Incidents as `aptscope simulate` + `hunt` store them (trimmed of the alert
 * links): the bundle of real output validates too. */
static void test_real_output_bundle_validates(void **state)
{
	(void)state;
	const char *dir = getenv("APTSCOPE_TEST_DATA");
	if (!dir)
		skip();
	char path[1024];
	snprintf(path, sizeof path, "%s/report/pass_hunt_incidents.jsonl", dir);
	FILE *f = fopen(path, "rb");
	assert_non_null(f);
	struct landscape *l = NULL;
	assert_int_equal(landscape_new(&l, AS_TIME_NONE, AS_TIME_NONE), 0);
	char *line = NULL;
	size_t cap = 0, lines = 0;
	ssize_t n;
	while ((n = getline(&line, &cap, f)) > 0) {
		assert_int_equal(landscape_add_json(l, NULL, line, (size_t)n), 0);
		lines++;
	}
	free(line);
	fclose(f);
	landscape_finish(l);
	assert_int_equal(l->ninc, lines);
	assert_int_equal(l->skipped, 0);
	const struct rep_row *unk = rep_tally_find(&l->new_groups, "UNK-2025-001");
	assert_non_null(unk);
	struct rep_tally near; /* the new group's profile names its nearest known group */
	assert_int_equal(rep_row_breakdown(l, unk, RF_NEAREST, &near), 0);
	assert_true(near.n >= 1);
	rep_tally_free(&near);
	uint64_t sum = 0;
	for (size_t i = 0; i < l->sectors.n; i++)
		sum += l->sectors.rows[i].ninc;
	assert_int_equal(sum, lines);
	struct buf b = BUF_INIT;
	assert_int_equal(report_stix(l, 0, &b), 0);
	json_t *bundle = json_loadb(b.data, b.len, 0, NULL);
	assert_non_null(bundle);
	if (!stix_validate(bundle))
		fail_msg("the bundle of real output does not validate: %s", verr);
	json_t *counts = count_types(bundle);
	assert_int_equal(n_of(counts, "intrusion-set"), l->groups.n + l->new_groups.n);
	assert_true(n_of(counts, "sighting") > 0);
	json_decref(counts);
	json_decref(bundle);
	buf_free(&b);
	landscape_free(l);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
	    cmocka_unit_test(test_validator_refuses_broken_bundles),
	    cmocka_unit_test(test_report_bundle_validates),
	    cmocka_unit_test(test_real_output_bundle_validates),
	};
	return cmocka_run_group_tests(tests, NULL, NULL);
}
