/*
 * assets.c — the organisations whose logs are hunted, and which one an event
 * belongs to.
 *
 * An assets file is CSV with the header kind,value,org,sector,country (or
 * YAML: a list of mappings with those keys, optionally under "assets:"): kind
 * cidr (an address range), host (a glob on the host name, case-insensitive)
 * or path (a glob on the log file's path). A match gives the organisation,
 * its sector (mapped onto the sector taxonomy) and its country; this is how
 * an incident learns its victim's sector. Rules are few (an organisation
 * list, not a feed), so matching scans them: the longest CIDR prefix wins,
 * then the first host glob, then the first path glob.
 */
#include <fnmatch.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>
#include <yaml.h>

#include "core/error.h"
#include "core/limits.h"
#include "intel/kb_impl.h"
#include "read/input.h"

static int asset_add(struct kb *kb, char kind, struct slice value, const struct cidr *cidr,
		     struct slice org, const char *sector, const char *country)
{
	if (kb->nassets >= AS_MAX_ASSETS)
		return AS_ETOOBIG;
	if (kb->nassets == kb->capassets) {
		size_t nc = kb->capassets ? kb->capassets * 2 : 16;
		struct asset *na = realloc(kb->assets, nc * sizeof *na);
		if (!na)
			return AS_ENOMEM;
		kb->assets = na;
		kb->capassets = nc;
	}
	struct asset *a = &kb->assets[kb->nassets];
	*a = (struct asset){.kind = kind};
	if (cidr)
		a->cidr = *cidr;
	a->value = strndup(value.ptr, value.len);
	a->org = strndup(org.ptr, org.len);
	a->sector = sector ? strdup(sector) : NULL;
	a->country = country ? strdup(country) : NULL;
	if (!a->value || !a->org || (sector && !a->sector) || (country && !a->country)) {
		free(a->value);
		free(a->org);
		free(a->sector);
		free(a->country);
		return AS_ENOMEM;
	}
	kb->nassets++;
	return 0;
}

/* One row: kind, value, org[, sector[, country]]. 0, or AS_ENOMEM / AS_ETOOBIG
 * (the caller stops); a bad row is reported and gives 0. */
static int asset_row(struct kb *kb, const char *name, uint64_t rec, const struct slice *f, int n,
		     struct diag_sink *diags, struct kb_import_stats *st)
{
	if (n < 3) {
		kb_skip(diags, st, name, rec, "want kind,value,org,sector,country");
		return 0;
	}
	struct slice kind = slice_trim(f[0]), value = slice_trim(f[1]), org = slice_trim(f[2]);
	struct slice sec = n > 3 ? slice_trim(f[3]) : SLICE_NULL;
	struct slice ctry = n > 4 ? slice_trim(f[4]) : SLICE_NULL;
	if (!value.len || !org.len) {
		kb_skip(diags, st, name, rec, "empty value or org");
		return 0;
	}
	const char *sector = NULL;
	const char *ids[1];
	if (sec.len && intel_sector_map(sec, ids, 1))
		sector = ids[0];
	char iso[3];
	const char *country = NULL;
	if (ctry.len) {
		if (!intel_country_parse(ctry, iso)) {
			kb_skip(diags, st, name, rec, "unknown country \"%.*s\"", SLICE_ARG(ctry));
			return 0;
		}
		country = iso;
	}
	struct cidr c;
	char k;
	if (slice_eq_nocase_cstr(kind, "cidr")) {
		if (cidr_parse(value, &c)) {
			kb_skip(diags, st, name, rec, "bad CIDR \"%.*s\"", SLICE_ARG(value));
			return 0;
		}
		k = 'c';
	} else if (slice_eq_nocase_cstr(kind, "host")) {
		k = 'h';
	} else if (slice_eq_nocase_cstr(kind, "path")) {
		k = 'p';
	} else {
		kb_skip(diags, st, name, rec, "kind \"%.*s\" is not cidr, host or path",
			SLICE_ARG(kind));
		return 0;
	}
	int rc = asset_add(kb, k, value, k == 'c' ? &c : NULL, org, sector, country);
	if (rc == AS_ETOOBIG)
		kb_skip(diags, st, name, rec, "more than %u assets", AS_MAX_ASSETS);
	return rc;
}

/* YAML: a list of mappings {kind, value, org, sector, country}, at the top
 * or under a key "assets". */
static int assets_yaml(struct kb *kb, const char *name, const char *data, size_t len,
		       struct diag_sink *diags, struct kb_import_stats *st)
{
	static const char *const keys[] = {"kind", "value", "org", "sector", "country"};
	yaml_parser_t p;
	yaml_event_t ev;
	if (!yaml_parser_initialize(&p))
		return AS_ENOMEM;
	yaml_parser_set_input_string(&p, (const unsigned char *)data, len);
	char *val[5] = {0};
	char stack[16]; /* 'm' mapping / 's' sequence per depth */
	int depth = 0, item = -1, field = -1, rc = 0;
	bool done = false;
	uint64_t line = 0;
	while (!done && !rc) {
		if (!yaml_parser_parse(&p, &ev)) {
			kb_skip(diags, st, name, p.problem_mark.line + 1, "YAML: %s",
				p.problem ? p.problem : "parse error");
			break;
		}
		switch (ev.type) {
		case YAML_STREAM_END_EVENT:
			done = true;
			break;
		case YAML_MAPPING_START_EVENT:
		case YAML_SEQUENCE_START_EVENT:
			if (depth >= (int)sizeof stack) {
				kb_skip(diags, st, name, ev.start_mark.line + 1, "YAML too deep");
				done = true;
				break;
			}
			/* a mapping directly in a sequence is one asset */
			if (ev.type == YAML_MAPPING_START_EVENT && item < 0 && depth > 0 &&
			    stack[depth - 1] == 's') {
				item = depth;
				line = ev.start_mark.line + 1;
				field = -1;
			}
			stack[depth++] = ev.type == YAML_MAPPING_START_EVENT ? 'm' : 's';
			break;
		case YAML_MAPPING_END_EVENT:
		case YAML_SEQUENCE_END_EVENT:
			if (depth > 0)
				depth--;
			if (item >= 0 && depth == item) {
				struct slice f[5];
				int n = 0;
				for (int i = 0; i < 5; i++) {
					f[i] = slice_cstr(val[i] ? val[i] : "");
					if (val[i])
						n = i + 1;
				}
				rc = asset_row(kb, name, line, f, n, diags, st);
				for (int i = 0; i < 5; i++) {
					free(val[i]);
					val[i] = NULL;
				}
				item = -1;
			} else if (item >= 0 && depth == item + 1) {
				field = -1; /* a container given as a value: ignored */
			}
			break;
		case YAML_SCALAR_EVENT:
			if (item >= 0 && depth == item + 1) {
				const char *v = (const char *)ev.data.scalar.value;
				if (field < 0) {
					field = 5;
					for (int i = 0; i < 5; i++)
						if (!strcasecmp(v, keys[i]))
							field = i;
				} else {
					if (field < 5 && !val[field] && !(val[field] = strdup(v)))
						rc = AS_ENOMEM;
					field = -1;
				}
			}
			break;
		default:
			break;
		}
		yaml_event_delete(&ev);
	}
	for (int i = 0; i < 5; i++)
		free(val[i]);
	yaml_parser_delete(&p);
	return rc == AS_ETOOBIG ? 0 : rc;
}

static bool looks_yaml(const char *name, struct slice s)
{
	if (name && (slice_ends_nocase(slice_cstr(name), ".yml") ||
		     slice_ends_nocase(slice_cstr(name), ".yaml")))
		return true;
	s = slice_trim(s);
	return slice_starts(s, "---") || slice_starts(s, "- ") || slice_starts(s, "assets:");
}

int kb_assets_load_mem(struct kb *kb, const char *name, const char *data, size_t len,
		       struct diag_sink *diags)
{
	struct kb_import_stats st = {0};
	if (looks_yaml(name, slice_make(data, len)))
		return assets_yaml(kb, name, data, len, diags, &st);
	const char *p = data, *end = data + len;
	struct slice f[8];
	char scratch[8192];
	uint64_t rec = 0;
	while (p < end) {
		rec++;
		int n = csv_record(&p, end, f, 8, scratch, sizeof scratch);
		if (n == 1 && !slice_trim(f[0]).len)
			continue;
		if (n >= 1 && f[0].len && f[0].ptr[0] == '#')
			continue;
		if (rec == 1 && n >= 1 && slice_eq_nocase_cstr(slice_trim(f[0]), "kind"))
			continue;
		int rc = asset_row(kb, name, rec, f, n < 0 ? 0 : n, diags, &st);
		if (rc == AS_ETOOBIG)
			break;
		if (rc)
			return rc;
	}
	return 0;
}

int kb_assets_load(struct kb *kb, const char *csv_path, struct diag_sink *diags)
{
	struct input *in;
	struct diag why = {0};
	int rc = input_open(&in, csv_path, &why);
	if (rc)
		return rc;
	struct buf b = BUF_INIT;
	b.max = AS_MAX_KB_FILE;
	for (;;) {
		if ((rc = buf_reserve(&b, 1 << 16)))
			break;
		ssize_t n = input_read(in, b.data + b.len, b.cap - b.len);
		if (n <= 0) {
			rc = (int)n;
			break;
		}
		b.len += (size_t)n;
	}
	input_close(in);
	if (!rc)
		rc = kb_assets_load_mem(kb, csv_path, b.data ? b.data : "", b.len, diags);
	buf_free(&b);
	return rc;
}

int kb_asset_match(const struct kb *kb, const struct ip *ip, struct slice host,
		   struct slice log_path, struct kb_asset_hit *out)
{
	const struct asset *best = NULL;
	char h[512], p[4096];
	bool have_h = host.len && slice_copy_cstr(host, h, sizeof h);
	bool have_p = log_path.len && slice_copy_cstr(log_path, p, sizeof p);
	if (!kb)
		return AS_ENOTFOUND;
	for (int pass = 0; pass < 3 && !best; pass++)
		for (size_t i = 0; i < kb->nassets; i++) {
			const struct asset *a = &kb->assets[i];
			if (pass == 0 && a->kind == 'c' && ip && ip->family &&
			    cidr_contains(&a->cidr, ip) &&
			    (!best || a->cidr.prefix > best->cidr.prefix))
				best = a;
			else if (pass == 1 && a->kind == 'h' && have_h &&
				 !fnmatch(a->value, h, FNM_CASEFOLD)) {
				best = a;
				break;
			} else if (pass == 2 && a->kind == 'p' && have_p &&
				   !fnmatch(a->value, p, 0)) {
				best = a;
				break;
			}
		}
	if (!best)
		return AS_ENOTFOUND;
	*out = (struct kb_asset_hit){best->org, best->sector, best->country, best->value};
	return 0;
}
