/*
 * supply_manifest.c — building the trusted-software manifest from CSV, YAML
 * and vendor hash lists, see supply.h.
 *
 * CSV rows are one fact each (vendor, product, kind, value, version, file);
 * the YAML form groups the facts of one product:
 *
 *   - vendor: Acme
 *     product: Acme Agent
 *     update_hosts: [update.acme.example]
 *     signers: ["Acme Software Ltd"]
 *     processes: [AcmeUpdater.exe]
 *     paths: ['C:\Program Files\Acme\*']
 *     hashes:
 *       - {version: 5.2.1, file: AcmeAgent.exe, sha256: 9f86d0…}
 *     versions:                      # the same, keyed by version then file
 *       "5.2.2": {AcmeAgent.exe: 60303ae2…}
 *
 * (a top-level mapping with a `products:` list is accepted too). YAML is read
 * with libyaml's document loader; aliases are not followed, so a document of
 * nested aliases cannot make the walk explode. Every entry goes through
 * supply_manifest_add(), the one place that validates and indexes.
 */
#include "detect/supply/supply_int.h"

#include <ctype.h>
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>

#include <yaml.h>

#include "core/error.h"

static const char *const kind_names[] = {
#define X(id, name) name,
    SUPPLY_KIND_LIST(X)
#undef X
};

int supply_hash_type(struct slice h)
{
	int t = h.len == 32   ? SUPPLY_MD5
		: h.len == 40 ? SUPPLY_SHA1
		: h.len == 64 ? SUPPLY_SHA256
			      : -1;
	for (size_t i = 0; t >= 0 && i < h.len; i++)
		if (!isxdigit((unsigned char)h.ptr[i]))
			return -1;
	return t;
}

size_t supply_lower(struct slice s, char *dst, size_t cap, bool paths)
{
	size_t n = s.len < cap - 1 ? s.len : cap - 1;
	for (size_t i = 0; i < n; i++) {
		char c = (char)tolower((unsigned char)s.ptr[i]);
		dst[i] = paths && c == '\\' ? '/' : c;
	}
	dst[n] = 0;
	return n;
}

struct slice supply_base(struct slice p)
{
	size_t i = p.len;
	while (i && p.ptr[i - 1] != '/' && p.ptr[i - 1] != '\\')
		i--;
	return slice_make(p.ptr + i, p.len - i);
}

int supply_manifest_new(struct supply_manifest **out)
{
	struct supply_manifest *m = calloc(1, sizeof *m);
	if (!m)
		return AS_ENOMEM;
	map_init(&m->products);
	map_init(&m->by_host);
	map_init(&m->by_process);
	map_init(&m->by_file);
	map_init(&m->hashes);
	m->hashes.max = AS_SUPPLY_MAX_ROWS * 3;
	*out = m;
	return 0;
}

static void strv_free(struct supply_strv *v)
{
	for (size_t i = 0; i < v->n; i++)
		free(v->v[i]);
	free(v->v);
}

void supply_manifest_free(struct supply_manifest *m)
{
	if (!m)
		return;
	for (size_t i = 0; i < m->n; i++) {
		struct supply_product *p = &m->p[i];
		free(p->vendor);
		free(p->product);
		strv_free(&p->hosts);
		strv_free(&p->signers);
		strv_free(&p->processes);
		strv_free(&p->paths);
	}
	free(m->p);
	map_free(&m->products);
	map_free(&m->by_host);
	map_free(&m->by_process);
	map_free(&m->by_file);
	map_free(&m->hashes);
	free(m);
}

size_t supply_manifest_products(const struct supply_manifest *m)
{
	return m ? m->n : 0;
}

size_t supply_manifest_hashes(const struct supply_manifest *m)
{
	return m ? m->nhashes : 0;
}

static int strv_add(struct supply_strv *v, const char *s, size_t n)
{
	for (size_t i = 0; i < v->n; i++)
		if (strlen(v->v[i]) == n && !memcmp(v->v[i], s, n))
			return 0;
	if (v->n == v->cap) {
		size_t cap = v->cap ? v->cap * 2 : 4;
		char **p = realloc(v->v, cap * sizeof *p);
		if (!p)
			return AS_ENOMEM;
		v->v = p;
		v->cap = cap;
	}
	if (!(v->v[v->n] = strndup(s, n)))
		return AS_ENOMEM;
	v->n++;
	return 0;
}

static int product_index(struct supply_manifest *m, const char *vendor, const char *product,
			 size_t *out)
{
	char key[1024];
	int kl = snprintf(key, sizeof key, "%s\t%s", vendor, product);
	if (kl < 0 || (size_t)kl >= sizeof key)
		return AS_ETOOBIG;
	char low[1024];
	supply_lower(slice_make(key, (size_t)kl), low, sizeof low, false);
	uint64_t v;
	if (map_get(&m->products, slice_make(low, (size_t)kl), &v)) {
		*out = (size_t)v;
		return 0;
	}
	if (m->n >= AS_SUPPLY_MAX_ROWS)
		return AS_ETOOBIG;
	if (m->n == m->cap) {
		size_t cap = m->cap ? m->cap * 2 : 8;
		struct supply_product *p = realloc(m->p, cap * sizeof *p);
		if (!p)
			return AS_ENOMEM;
		m->p = p;
		m->cap = cap;
	}
	struct supply_product *p = &m->p[m->n];
	memset(p, 0, sizeof *p);
	p->vendor = strdup(vendor);
	p->product = strdup(product);
	if (!p->vendor || !p->product) {
		free(p->vendor);
		free(p->product);
		return AS_ENOMEM;
	}
	int rc = map_put(&m->products, slice_make(low, (size_t)kl), m->n, NULL);
	if (rc) {
		free(p->vendor);
		free(p->product);
		return rc;
	}
	*out = m->n++;
	return 0;
}

static int hash_key_add(struct map *h, struct slice key, uint64_t *count)
{
	uint64_t v = 0;
	bool existed = false;
	map_get(h, key, &v);
	int rc = map_put(h, key, v + 1, &existed);
	if (count)
		*count = v + 1;
	return rc;
}

int supply_manifest_add(struct supply_manifest *m, const char *vendor, const char *product,
			enum supply_kind kind, struct slice value, const char *version,
			const char *file, struct diag *why)
{
	if (!vendor || !*vendor || !product || !*product)
		return diag_set(why, AS_EINVAL, "vendor and product are required");
	value = slice_trim(value);
	if (!value.len)
		return diag_set(why, AS_EINVAL, "empty %s", kind_names[kind]);
	if (value.len > AS_MAX_INDICATOR_LEN)
		return diag_set(why, AS_ETOOBIG, "%s longer than %u bytes", kind_names[kind],
				AS_MAX_INDICATOR_LEN);
	size_t pi;
	int rc = product_index(m, vendor, product, &pi);
	if (rc)
		return diag_set(why, rc, "cannot add product: %s", as_strerror(rc));
	struct supply_product *p = &m->p[pi];
	char low[AS_MAX_INDICATOR_LEN + 1];
	size_t ll;
	switch (kind) {
	case SUPPLY_HOST: {
		ll = supply_lower(value, low, sizeof low, false);
		while (ll && low[ll - 1] == '.')
			low[--ll] = 0;
		if (!ll || strchr(low, '/') || strchr(low, ' '))
			return diag_set(why, AS_EPARSE, "not a host name: %.*s", SLICE_ARG(value));
		if ((rc = strv_add(&p->hosts, low, ll)))
			return rc;
		bool existed;
		return map_put(&m->by_host, slice_make(low, ll), pi, &existed) == 0 || existed
			   ? 0
			   : AS_ENOMEM;
	}
	case SUPPLY_SIGNER:
		m->nsigners++;
		return strv_add(&p->signers, value.ptr, value.len);
	case SUPPLY_PROCESS: {
		ll = supply_lower(supply_base(value), low, sizeof low, true);
		if ((rc = strv_add(&p->processes, low, ll)))
			return rc;
		uint64_t old;
		if (!map_get(&m->by_process, slice_make(low, ll), &old))
			rc = map_put(&m->by_process, slice_make(low, ll), pi, NULL);
		return rc;
	}
	case SUPPLY_PATH:
		ll = supply_lower(value, low, sizeof low, true);
		return strv_add(&p->paths, low, ll);
	case SUPPLY_HASH: {
		int t = supply_hash_type(value);
		if (t < 0)
			return diag_set(why, AS_EPARSE, "not an MD5, SHA-1 or SHA-256 digest: %.*s",
					SLICE_ARG(slice_sub(value, 0, 80)));
		char hex[65];
		supply_lower(value, hex, sizeof hex, false);
		char fname[512] = "*";
		if (file && *file) {
			ll = supply_lower(supply_base(slice_cstr(file)), fname, sizeof fname, true);
			uint64_t old;
			if (!map_get(&m->by_file, slice_make(fname, ll), &old) &&
			    (rc = map_put(&m->by_file, slice_make(fname, ll), pi, NULL)))
				return rc;
		}
		char key[AS_MAX_INDICATOR_LEN + 700];
		char vend[256];
		supply_lower(slice_cstr(vendor), vend, sizeof vend, false);
		int kl = snprintf(key, sizeof key, "H%s\t%s", vend, hex);
		uint64_t count;
		if ((rc = hash_key_add(&m->hashes, slice_make(key, (size_t)kl), NULL)))
			return rc;
		kl = snprintf(key, sizeof key, "N%zu\t%s\t%s", pi, fname, hex);
		if ((rc = hash_key_add(&m->hashes, slice_make(key, (size_t)kl), &count)))
			return rc;
		if (count > 1)
			return 0; /* the same hash for another version: already counted */
		kl = snprintf(key, sizeof key, "C%zu\t%s\t%d", pi, fname, t);
		if ((rc = hash_key_add(&m->hashes, slice_make(key, (size_t)kl), NULL)))
			return rc;
		p->nhash[t]++;
		m->nhashes++;
		(void)version; /* versions name rows for people; a hash is good in any */
		return 0;
	}
	default:
		return diag_set(why, AS_EINVAL, "unknown kind");
	}
}

static int parse_kind(struct slice s)
{
	static const struct {
		const char *name;
		int kind;
	} names[] = {
	    {"update_host", SUPPLY_HOST},
	    {"update-host", SUPPLY_HOST},
	    {"host", SUPPLY_HOST},
	    {"update_hosts", SUPPLY_HOST},
	    {"signer", SUPPLY_SIGNER},
	    {"signers", SUPPLY_SIGNER},
	    {"signing_subject", SUPPLY_SIGNER},
	    {"subject", SUPPLY_SIGNER},
	    {"process", SUPPLY_PROCESS},
	    {"processes", SUPPLY_PROCESS},
	    {"updater", SUPPLY_PROCESS},
	    {"agent", SUPPLY_PROCESS},
	    {"path", SUPPLY_PATH},
	    {"paths", SUPPLY_PATH},
	    {"hash", SUPPLY_HASH},
	    {"hashes", SUPPLY_HASH},
	    {"md5", SUPPLY_HASH},
	    {"sha1", SUPPLY_HASH},
	    {"sha256", SUPPLY_HASH},
	};
	s = slice_trim(s);
	for (size_t i = 0; i < sizeof names / sizeof *names; i++)
		if (slice_eq_nocase_cstr(s, names[i].name))
			return names[i].kind;
	return -1;
}

/* --- CSV --------------------------------------------------------------------- */

enum { CSV_MAX_COLS = 16 };

/* Split one CSV line (RFC 4180 quotes, "" inside quotes) into cells copied to
 * store[cap]; returns the number of cells or -1 on an unterminated quote. */
static int csv_split(struct slice line, char *store, size_t cap, struct slice *cells, int max)
{
	int n = 0;
	size_t o = 0, i = 0;
	for (;;) {
		if (n == max)
			return n;
		size_t start = o;
		if (i < line.len && line.ptr[i] == '"') {
			i++;
			for (;;) {
				if (i >= line.len)
					return -1;
				if (line.ptr[i] == '"') {
					if (i + 1 < line.len && line.ptr[i + 1] == '"') {
						if (o < cap)
							store[o++] = '"';
						i += 2;
						continue;
					}
					i++;
					break;
				}
				if (o < cap)
					store[o++] = line.ptr[i];
				i++;
			}
			while (i < line.len && line.ptr[i] != ',')
				i++;
		} else {
			while (i < line.len && line.ptr[i] != ',') {
				if (o < cap)
					store[o++] = line.ptr[i];
				i++;
			}
		}
		cells[n++] = slice_trim(slice_make(store + start, o - start));
		if (i >= line.len)
			return n;
		i++; /* the comma */
	}
}

static void report(struct diag_sink *diags, const char *name, uint64_t line, struct diag *d,
		   uint64_t *printed, struct supply_load_stats *st)
{
	if (st)
		st->skipped++;
	if (diags)
		diag_report(diags, name, line, 0, d, printed);
}

static int load_csv(struct supply_manifest *m, const char *name, const char *data, size_t n,
		    struct diag_sink *diags, struct supply_load_stats *st)
{
	enum { C_VENDOR, C_PRODUCT, C_KIND, C_VALUE, C_VERSION, C_FILE, C_COUNT };
	static const char *const col_names[C_COUNT] = {"vendor", "product", "kind",
						       "value",  "version", "file"};
	int col[C_COUNT];
	bool header = false;
	uint64_t printed = 0, lineno = 0;
	char *store = malloc(AS_MAX_LINE);
	if (!store)
		return AS_ENOMEM;
	int rc = 0;
	for (size_t off = 0; off < n;) {
		const char *nl = memchr(data + off, '\n', n - off);
		size_t end = nl ? (size_t)(nl - data) : n;
		struct slice line = slice_trim(slice_make(data + off, end - off));
		off = end + 1;
		lineno++;
		if (!line.len || line.ptr[0] == '#')
			continue;
		struct diag d;
		if (line.len >= AS_MAX_LINE) {
			diag_set(&d, AS_ETOOBIG, "line longer than the limit");
			report(diags, name, lineno, &d, &printed, st);
			continue;
		}
		struct slice cells[CSV_MAX_COLS];
		int nc = csv_split(line, store, AS_MAX_LINE, cells, CSV_MAX_COLS);
		if (nc < 0) {
			diag_set(&d, AS_EPARSE, "unterminated quote");
			report(diags, name, lineno, &d, &printed, st);
			continue;
		}
		if (!header) {
			for (int c = 0; c < C_COUNT; c++) {
				col[c] = -1;
				for (int k = 0; k < nc; k++)
					if (slice_eq_nocase_cstr(cells[k], col_names[c]))
						col[c] = k;
			}
			if (col[C_VENDOR] < 0 || col[C_PRODUCT] < 0 || col[C_KIND] < 0 ||
			    col[C_VALUE] < 0) {
				diag_set(&d, AS_EPARSE,
					 "no CSV header with vendor, product, kind and value");
				report(diags, name, lineno, &d, &printed, st);
				rc = AS_EPARSE;
				break;
			}
			header = true;
			continue;
		}
		if (st)
			st->records++;
		struct slice v[C_COUNT];
		for (int c = 0; c < C_COUNT; c++)
			v[c] = col[c] >= 0 && col[c] < nc ? cells[col[c]] : SLICE_NULL;
		int kind = parse_kind(v[C_KIND]);
		if (kind < 0) {
			diag_set(&d, AS_EPARSE, "unknown kind '%.*s'",
				 SLICE_ARG(slice_sub(v[C_KIND], 0, 40)));
			report(diags, name, lineno, &d, &printed, st);
			continue;
		}
		char vendor[256], product[256], version[128], file[512];
		slice_copy_cstr(v[C_VENDOR], vendor, sizeof vendor);
		slice_copy_cstr(v[C_PRODUCT], product, sizeof product);
		slice_copy_cstr(v[C_VERSION], version, sizeof version);
		slice_copy_cstr(v[C_FILE], file, sizeof file);
		int arc = supply_manifest_add(m, vendor, product, (enum supply_kind)kind,
					      v[C_VALUE], version, file, &d);
		if (arc == AS_ENOMEM) {
			rc = arc;
			break;
		}
		if (arc)
			report(diags, name, lineno, &d, &printed, st);
		else if (st)
			st->loaded++;
	}
	free(store);
	return rc;
}

/* --- YAML -------------------------------------------------------------------- */

struct yctx {
	struct supply_manifest *m;
	yaml_document_t *doc;
	const char *name;
	struct diag_sink *diags;
	struct supply_load_stats *st;
	uint64_t printed;
	int rc; /* AS_ENOMEM stops */
};

static struct slice yscalar(yaml_node_t *n)
{
	if (!n || n->type != YAML_SCALAR_NODE)
		return SLICE_NULL;
	return slice_make((const char *)n->data.scalar.value, n->data.scalar.length);
}

static void yadd(struct yctx *y, const char *vendor, const char *product, enum supply_kind k,
		 struct slice v, const char *version, const char *file, yaml_node_t *at)
{
	struct diag d;
	if (y->st)
		y->st->records++;
	int rc = supply_manifest_add(y->m, vendor, product, k, v, version, file, &d);
	if (rc == AS_ENOMEM)
		y->rc = rc;
	if (rc)
		report(y->diags, y->name, at ? at->start_mark.line + 1 : 0, &d, &y->printed, y->st);
	else if (y->st)
		y->st->loaded++;
}

/* A scalar or a sequence of scalars, each one entry. */
static void ylist(struct yctx *y, const char *vendor, const char *product, enum supply_kind k,
		  yaml_node_t *n)
{
	if (n->type == YAML_SCALAR_NODE) {
		yadd(y, vendor, product, k, yscalar(n), NULL, NULL, n);
		return;
	}
	if (n->type != YAML_SEQUENCE_NODE)
		return;
	for (yaml_node_item_t *it = n->data.sequence.items.start; it < n->data.sequence.items.top;
	     it++)
		yadd(y, vendor, product, k, yscalar(yaml_document_get_node(y->doc, *it)), NULL,
		     NULL, yaml_document_get_node(y->doc, *it));
}

static yaml_node_t *yget(yaml_document_t *doc, yaml_node_t *map, const char *key)
{
	if (!map || map->type != YAML_MAPPING_NODE)
		return NULL;
	for (yaml_node_pair_t *p = map->data.mapping.pairs.start; p < map->data.mapping.pairs.top;
	     p++)
		if (slice_eq_nocase_cstr(yscalar(yaml_document_get_node(doc, p->key)), key))
			return yaml_document_get_node(doc, p->value);
	return NULL;
}

static void yhash_entry(struct yctx *y, const char *vendor, const char *product, yaml_node_t *e)
{
	char version[128] = "", file[512] = "";
	slice_copy_cstr(yscalar(yget(y->doc, e, "version")), version, sizeof version);
	slice_copy_cstr(yscalar(yget(y->doc, e, "file")), file, sizeof file);
	static const char *const keys[] = {"sha256", "sha1", "md5", "hash"};
	for (size_t k = 0; k < 4; k++) {
		yaml_node_t *h = yget(y->doc, e, keys[k]);
		if (h)
			yadd(y, vendor, product, SUPPLY_HASH, yscalar(h), version, file, h);
	}
}

static void yproduct(struct yctx *y, yaml_node_t *n)
{
	struct diag d;
	char vendor[256], product[256];
	if (!n || n->type != YAML_MAPPING_NODE ||
	    !slice_copy_cstr(yscalar(yget(y->doc, n, "vendor")), vendor, sizeof vendor) ||
	    !slice_copy_cstr(yscalar(yget(y->doc, n, "product")), product, sizeof product) ||
	    !*vendor || !*product) {
		diag_set(&d, AS_EPARSE, "product entry without vendor and product");
		report(y->diags, y->name, n ? n->start_mark.line + 1 : 0, &d, &y->printed, y->st);
		return;
	}
	static const struct {
		const char *key;
		enum supply_kind kind;
	} lists[] = {
	    {"update_hosts", SUPPLY_HOST}, {"hosts", SUPPLY_HOST},
	    {"signers", SUPPLY_SIGNER},    {"processes", SUPPLY_PROCESS},
	    {"paths", SUPPLY_PATH},        {"update_host", SUPPLY_HOST},
	    {"signer", SUPPLY_SIGNER},     {"process", SUPPLY_PROCESS},
	    {"path", SUPPLY_PATH},
	};
	for (size_t i = 0; i < sizeof lists / sizeof *lists; i++) {
		yaml_node_t *v = yget(y->doc, n, lists[i].key);
		if (v)
			ylist(y, vendor, product, lists[i].kind, v);
	}
	yaml_node_t *hs = yget(y->doc, n, "hashes");
	if (hs && hs->type == YAML_SEQUENCE_NODE)
		for (yaml_node_item_t *it = hs->data.sequence.items.start;
		     it < hs->data.sequence.items.top && !y->rc; it++)
			yhash_entry(y, vendor, product, yaml_document_get_node(y->doc, *it));
	yaml_node_t *vs = yget(y->doc, n, "versions");
	if (vs && vs->type == YAML_MAPPING_NODE)
		for (yaml_node_pair_t *p = vs->data.mapping.pairs.start;
		     p < vs->data.mapping.pairs.top && !y->rc; p++) {
			char version[128] = "";
			slice_copy_cstr(yscalar(yaml_document_get_node(y->doc, p->key)), version,
					sizeof version);
			yaml_node_t *files = yaml_document_get_node(y->doc, p->value);
			if (!files || files->type != YAML_MAPPING_NODE)
				continue;
			for (yaml_node_pair_t *f = files->data.mapping.pairs.start;
			     f < files->data.mapping.pairs.top && !y->rc; f++) {
				char file[512] = "";
				slice_copy_cstr(yscalar(yaml_document_get_node(y->doc, f->key)),
						file, sizeof file);
				yaml_node_t *h = yaml_document_get_node(y->doc, f->value);
				yadd(y, vendor, product, SUPPLY_HASH, yscalar(h), version, file, h);
			}
		}
}

static int load_yaml(struct supply_manifest *m, const char *name, const char *data, size_t n,
		     struct diag_sink *diags, struct supply_load_stats *st)
{
	yaml_parser_t parser;
	yaml_document_t doc;
	if (!yaml_parser_initialize(&parser))
		return AS_ENOMEM;
	yaml_parser_set_input_string(&parser, (const unsigned char *)data, n);
	struct yctx y = {.m = m, .doc = &doc, .name = name, .diags = diags, .st = st};
	if (!yaml_parser_load(&parser, &doc)) {
		struct diag d;
		diag_set(&d, AS_EPARSE, "YAML: %s",
			 parser.problem ? parser.problem : "syntax error");
		report(diags, name, parser.problem_mark.line + 1, &d, &y.printed, st);
		yaml_parser_delete(&parser);
		return AS_EPARSE;
	}
	yaml_node_t *root = yaml_document_get_root_node(&doc);
	yaml_node_t *list = root;
	if (root && root->type == YAML_MAPPING_NODE) {
		list = yget(&doc, root, "products");
		if (!list)
			list = yget(&doc, root, "vendors");
		if (!list && yget(&doc, root, "vendor"))
			list = root; /* a single product */
	}
	int rc = 0;
	if (!list) {
		rc = AS_EPARSE;
		struct diag d;
		diag_set(&d, AS_EPARSE, "YAML manifest is not a list of products");
		report(diags, name, 0, &d, &y.printed, st);
	} else if (list->type == YAML_MAPPING_NODE) {
		yproduct(&y, list);
	} else if (list->type == YAML_SEQUENCE_NODE) {
		for (yaml_node_item_t *it = list->data.sequence.items.start;
		     it < list->data.sequence.items.top && !y.rc; it++)
			yproduct(&y, yaml_document_get_node(&doc, *it));
	}
	yaml_document_delete(&doc);
	yaml_parser_delete(&parser);
	return rc ? rc : y.rc;
}

static bool looks_yaml(const char *name, const char *data, size_t n)
{
	size_t nl = strlen(name);
	if ((nl > 4 && !strcasecmp(name + nl - 4, ".yml")) ||
	    (nl > 5 && !strcasecmp(name + nl - 5, ".yaml")))
		return true;
	size_t i = 0;
	while (i < n && (data[i] == ' ' || data[i] == '\n' || data[i] == '\r' || data[i] == '\t'))
		i++;
	struct slice rest = slice_make(data + i, n - i);
	return slice_starts(rest, "---") || slice_starts(rest, "- ") ||
	       slice_starts(rest, "products:") || slice_starts(rest, "vendors:") ||
	       slice_starts(rest, "vendor:");
}

int supply_manifest_load_mem(struct supply_manifest *m, const char *name, const char *data,
			     size_t n, struct diag_sink *diags, struct supply_load_stats *st)
{
	if (n > AS_SUPPLY_MAX_FILE)
		return AS_ETOOBIG;
	if (looks_yaml(name, data, n))
		return load_yaml(m, name, data, n, diags, st);
	return load_csv(m, name, data, n, diags, st);
}

static int read_file(const char *path, char **out, size_t *n)
{
	*out = NULL;
	FILE *f = fopen(path, "rb");
	if (!f)
		return errno == ENOENT ? AS_ENOENT : AS_EIO;
	struct stat sb;
	if (fstat(fileno(f), &sb) || !S_ISREG(sb.st_mode)) {
		fclose(f);
		return AS_EIO;
	}
	if ((uint64_t)sb.st_size > AS_SUPPLY_MAX_FILE) {
		fclose(f);
		return AS_ETOOBIG;
	}
	char *buf = malloc((size_t)sb.st_size + 1);
	if (!buf) {
		fclose(f);
		return AS_ENOMEM;
	}
	*n = fread(buf, 1, (size_t)sb.st_size, f);
	buf[*n] = 0;
	fclose(f);
	*out = buf;
	return 0;
}

int supply_manifest_load(struct supply_manifest *m, const char *path, struct diag_sink *diags,
			 struct supply_load_stats *st)
{
	char *buf;
	size_t n;
	int rc = read_file(path, &buf, &n);
	if (rc)
		return rc;
	rc = supply_manifest_load_mem(m, path, buf, n, diags, st);
	free(buf);
	return rc;
}

/* --- vendor hash lists ----------------------------------------------------- */

int supply_manifest_import_hashes(struct supply_manifest *m, const char *vendor,
				  const char *product, const char *version, const char *name,
				  const char *data, size_t n, struct diag_sink *diags,
				  struct supply_load_stats *st)
{
	if (n > AS_SUPPLY_MAX_FILE)
		return AS_ETOOBIG;
	uint64_t printed = 0, lineno = 0;
	for (size_t off = 0; off < n;) {
		const char *nl = memchr(data + off, '\n', n - off);
		size_t end = nl ? (size_t)(nl - data) : n;
		struct slice line = slice_trim(slice_make(data + off, end - off));
		off = end + 1;
		lineno++;
		if (!line.len || line.ptr[0] == '#')
			continue;
		/* Tokens split on blanks, commas, semicolons and quotes. */
		struct slice tok[8];
		int nt = 0;
		for (size_t i = 0; i < line.len && nt < 8;) {
			while (i < line.len && strchr(" \t,;\"", line.ptr[i]))
				i++;
			size_t s = i;
			while (i < line.len && !strchr(" \t,;\"", line.ptr[i]))
				i++;
			if (i > s) {
				struct slice t = slice_make(line.ptr + s, i - s);
				if (t.ptr[t.len - 1] == ':')
					t.len--;
				tok[nt++] = t;
			}
		}
		int hi = -1;
		for (int t = 0; t < nt && hi < 0; t++)
			if (supply_hash_type(tok[t]) >= 0)
				hi = t;
		if (hi < 0) {
			if (lineno == 1)
				continue; /* a header row */
			struct diag d;
			diag_set(&d, AS_EPARSE, "no MD5, SHA-1 or SHA-256 digest on the line");
			report(diags, name, lineno, &d, &printed, st);
			continue;
		}
		if (st)
			st->records++;
		/* "HASH  FILE" keeps spaces in FILE (sha256sum); otherwise the first
		 * other token is the file ("FILE: HASH", "file,hash"). */
		struct slice f = SLICE_NULL;
		if (hi == 0) {
			f = slice_trim(slice_sub(line, (size_t)(tok[0].ptr - line.ptr) + tok[0].len,
						 line.len));
			while (f.len && strchr(",;*\"", f.ptr[0]))
				f = slice_trim(slice_sub(f, 1, f.len));
			long cut = slice_index(f, ',');
			if (cut >= 0)
				f.len = (size_t)cut;
			while (f.len && f.ptr[f.len - 1] == '"')
				f.len--;
		} else {
			f = tok[0];
		}
		char file[512] = "";
		slice_copy_cstr(slice_trim(f), file, sizeof file);
		struct diag d;
		int rc = supply_manifest_add(m, vendor, product, SUPPLY_HASH, tok[hi], version,
					     file, &d);
		if (rc == AS_ENOMEM)
			return rc;
		if (rc)
			report(diags, name, lineno, &d, &printed, st);
		else if (st)
			st->loaded++;
	}
	return 0;
}
