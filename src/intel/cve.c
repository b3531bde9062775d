/*
 * cve.c — vulnerabilities: NVD CVE JSON 2.0 feeds and the CISA Known
 * Exploited Vulnerabilities catalogue (JSON or CSV) into the knowledge base.
 *
 * NVD gives the publication date, the affected products and platforms (from
 * the CPE 2.3 names of the configurations: part "a"/"h" → vendor:product,
 * part "o" → the operating system) and, for KEV entries, cisaExploitAdd.
 * KEV gives the date added and marks the CVE known-exploited. Neither gives
 * a fix date; aptscope's own export carries one when it is known.
 */
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

static int64_t date_of(struct slice s)
{
	int64_t us;
	s = slice_trim(s);
	if (s.len == 10) { /* "2021-12-10": a date alone */
		char buf[32];
		snprintf(buf, sizeof buf, "%.*sT00:00:00Z", SLICE_ARG(s));
		if (!time_parse_rfc3339(slice_cstr(buf), &us))
			return us;
		return AS_TIME_NONE;
	}
	return s.len && !time_parse_rfc3339(s, &us) ? us : AS_TIME_NONE;
}

/* The platform a CPE vendor and product name: network appliances first (Cisco
 * "ios_xe" is not Apple's iOS), then the operating systems. */
static const char *os_platform(struct slice vendor, struct slice product)
{
	static const char *const net[] = {"cisco",    "juniper", "fortinet", "paloaltonetworks",
					  "f5",       "citrix",  "ivanti",   "pulsesecure",
					  "sonicwall"};
	static const struct {
		const char *needle, *platform;
	} os[] = {{"windows", "windows"}, {"linux", "linux"},     {"mac_os", "macos"},
		  {"macos", "macos"},     {"iphone_os", "ios"},   {"ipados", "ios"},
		  {"android", "android"}, {"solaris", "solaris"}, {"freebsd", "freebsd"}};
	for (size_t i = 0; i < sizeof net / sizeof net[0]; i++)
		if (slice_eq_nocase_cstr(vendor, net[i]))
			return "network";
	for (size_t i = 0; i < sizeof os / sizeof os[0]; i++)
		if (slice_contains_nocase(product, slice_cstr(os[i].needle)))
			return os[i].platform;
	if (slice_eq_nocase_cstr(vendor, "apple") &&
	    slice_contains_nocase(product, SLICE_LIT("ios")))
		return "ios";
	return NULL;
}

/* cpe:2.3:part:vendor:product:… */
static void cpe_add(struct kb_cve *c, const char *cpe, bool vulnerable)
{
	struct slice s = slice_cstr(cpe), f[6];
	for (int i = 0; i < 6; i++)
		s = slice_cut(s, ':', &f[i]);
	if (f[0].len != 3 || f[2].len != 1)
		return;
	char buf[512];
	if (f[2].ptr[0] == 'o') {
		const char *p = os_platform(f[3], f[4]);
		if (p)
			strv_add_cstr(&c->platforms, p);
	} else if (vulnerable && f[3].len + f[4].len + 2 < sizeof buf) {
		snprintf(buf, sizeof buf, "%.*s:%.*s", SLICE_ARG(f[3]), SLICE_ARG(f[4]));
		strv_add_cstr(&c->products, buf);
		const char *p = os_platform(f[3], f[4]);
		if (p)
			strv_add_cstr(&c->platforms, p);
	}
	/* target_sw (field 10) names the platform of an application */
	struct slice t = slice_cstr(cpe), fld;
	for (int i = 0; i < 11; i++)
		t = slice_cut(t, ':', &fld);
	if (fld.len > 1 && !slice_eq_cstr(fld, "*")) {
		const char *p = os_platform(SLICE_NULL, fld);
		if (p)
			strv_add_cstr(&c->platforms, p);
	}
}

static void nodes_walk(struct kb_cve *c, json_t *nodes)
{
	size_t i, k;
	json_t *n, *m;
	json_array_foreach(nodes, i, n)
	{
		json_array_foreach(json_object_get(n, "cpeMatch"), k, m)
		{
			const char *cpe = jstr(m, "criteria");
			/* a non-vulnerable CPE is the platform the product runs on */
			if (cpe)
				cpe_add(c, cpe, json_is_true(json_object_get(m, "vulnerable")));
		}
	}
}

static int kev_entry(struct kb *kb, struct slice id, struct slice added, struct slice vendor,
		     struct slice product)
{
	struct kb_cve *c;
	int rc = kb_cve_get(kb, id, &c);
	if (rc)
		return rc;
	c->kev_added = date_of(added);
	c->known_exploited = true;
	if (vendor.len && product.len && vendor.len + product.len < 500) {
		char buf[512];
		char v[256], p[256];
		long nv = slice_lower(vendor, v, sizeof v), np = slice_lower(product, p, sizeof p);
		for (long i = 0; i < nv; i++)
			v[i] = v[i] == ' ' ? '_' : v[i];
		for (long i = 0; i < np; i++)
			p[i] = p[i] == ' ' ? '_' : p[i];
		if (nv > 0 && np > 0) {
			snprintf(buf, sizeof buf, "%s:%s", v, p);
			strv_add_cstr(&c->products, buf);
			const char *pl = os_platform(slice_cstr(v), slice_cstr(p));
			if (pl)
				strv_add_cstr(&c->platforms, pl);
		}
	}
	return 0;
}

int intel_cve_import_json(struct kb *kb, const char *name, json_t *root, struct diag_sink *diags,
			  struct kb_import_stats *st)
{
	json_t *vulns = json_object_get(root, "vulnerabilities");
	size_t i;
	json_t *v;
	if (!json_is_array(vulns))
		return AS_EFORMAT;
	json_array_foreach(vulns, i, v)
	{
		st->objects++;
		json_t *cve = json_object_get(v, "cve");
		int rc;
		if (json_is_object(cve)) { /* NVD 2.0 */
			struct kb_cve *c;
			const char *id = jstr(cve, "id");
			if (!id || (rc = kb_cve_get(kb, slice_cstr(id), &c)) == AS_EINVAL) {
				kb_skip(diags, st, name, i + 1, "NVD record without a CVE id");
				continue;
			}
			if (rc)
				return rc;
			const char *pub = jstr(cve, "published");
			if (pub)
				c->published = date_of(slice_cstr(pub));
			const char *kev = jstr(cve, "cisaExploitAdd");
			if (kev) {
				c->kev_added = date_of(slice_cstr(kev));
				c->known_exploited = true;
			}
			size_t k;
			json_t *cfg;
			json_array_foreach(json_object_get(cve, "configurations"), k, cfg)
			    nodes_walk(c, json_object_get(cfg, "nodes"));
			st->cves++;
			continue;
		}
		const char *id = jstr(v, "cveID"); /* KEV */
		if (!id) {
			kb_skip(diags, st, name, i + 1, "neither an NVD nor a KEV record");
			continue;
		}
		rc =
		    kev_entry(kb, slice_cstr(id), slice_cstr(jstr(v, "dateAdded")),
			      slice_cstr(jstr(v, "vendorProject")), slice_cstr(jstr(v, "product")));
		if (rc == AS_EINVAL) {
			kb_skip(diags, st, name, i + 1, "KEV record: bad CVE id \"%s\"", id);
			continue;
		}
		if (rc)
			return rc;
		st->cves++;
	}
	return 0;
}

int csv_record(const char **pp, const char *end, struct slice *fields, int cap, char *scratch,
	       size_t scap)
{
	const char *p = *pp;
	size_t used = 0;
	int n = 0;
	bool bad = false;
	for (;;) {
		char *start = scratch + used;
		size_t len = 0;
		if (p < end && *p == '"') {
			p++;
			for (;;) {
				if (p >= end) {
					bad = true;
					break;
				}
				if (*p == '"') {
					if (p + 1 < end && p[1] == '"') {
						p++;
					} else {
						p++;
						break;
					}
				}
				if (used + len + 1 >= scap)
					bad = true;
				else
					start[len++] = *p;
				p++;
			}
			while (p < end && *p != ',' && *p != '\n')
				p++; /* text after the closing quote: ignored */
		} else {
			while (p < end && *p != ',' && *p != '\n') {
				if (used + len + 1 >= scap)
					bad = true;
				else
					start[len++] = *p;
				p++;
			}
			if (len && start[len - 1] == '\r')
				len--;
		}
		if (n < cap)
			fields[n] = slice_make(start, len);
		else
			bad = true;
		n++;
		used += len;
		if (p >= end || *p == '\n') {
			if (p < end)
				p++;
			break;
		}
		p++; /* the comma */
	}
	*pp = p;
	return bad ? -1 : n;
}

int intel_kev_import_csv(struct kb *kb, const char *name, const char *data, size_t len,
			 struct diag_sink *diags, struct kb_import_stats *st)
{
	const char *p = data, *end = data + len;
	struct slice f[16];
	char scratch[8192];
	int col_id = -1, col_added = -1, col_vendor = -1, col_product = -1;
	int n = csv_record(&p, end, f, 16, scratch, sizeof scratch);
	for (int i = 0; i < n; i++) {
		struct slice h = slice_trim(f[i]);
		if (slice_eq_nocase_cstr(h, "cveID"))
			col_id = i;
		else if (slice_eq_nocase_cstr(h, "dateAdded"))
			col_added = i;
		else if (slice_eq_nocase_cstr(h, "vendorProject"))
			col_vendor = i;
		else if (slice_eq_nocase_cstr(h, "product"))
			col_product = i;
	}
	if (col_id < 0 || col_added < 0)
		return AS_EFORMAT;
	/* the header's fields point into scratch: keep the column numbers only */
	for (uint64_t rec = 2; p < end; rec++) {
		n = csv_record(&p, end, f, 16, scratch, sizeof scratch);
		if (n == 1 && !slice_trim(f[0]).len)
			continue;
		st->objects++;
		if (n < 0 || n <= col_id || n <= col_added) {
			kb_skip(diags, st, name, rec, "malformed KEV line");
			continue;
		}
		struct slice vendor =
		    col_vendor >= 0 && col_vendor < n ? f[col_vendor] : SLICE_NULL;
		struct slice product =
		    col_product >= 0 && col_product < n ? f[col_product] : SLICE_NULL;
		int rc = kev_entry(kb, f[col_id], f[col_added], vendor, product);
		if (rc == AS_EINVAL) {
			kb_skip(diags, st, name, rec, "KEV line: bad CVE id");
			continue;
		}
		if (rc)
			return rc;
		st->cves++;
	}
	return 0;
}
