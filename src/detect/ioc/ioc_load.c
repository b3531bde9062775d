/*
 * ioc_load.c — reading indicator feeds: format detection, plain lists,
 * signature-base lists and CSV. STIX and MISP are in ioc_stix.c / ioc_misp.c.
 *
 * A feed is read whole (feeds are small next to logs) and detected from its
 * first bytes: JSON → STIX bundle or MISP event; a first record naming a
 * "type" and a "value" column → CSV; anything else is a line list.
 *
 * Line lists follow the signature-base (LOKI) conventions, which also cover
 * plain one-per-line lists:
 *   # comment            the last comment before a block labels the block
 *   (blank line)         ends the block (and its label)
 *   VALUE[;SCORE][;DESCRIPTION]   type inferred from the value's shape
 * The file name selects a mode, as signature-base does: "filename" → each
 * VALUE is a file-path regex ("REGEX;SCORE[;EXCLUDE REGEX]"); "keyword" →
 * free-text keywords, which are not indicators of a supported type and are
 * reported as skipped.
 */
#include "detect/ioc/ioc_internal.h"

#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "core/error.h"
#include "core/limits.h"
#include "core/timeparse.h"

void ioc_report(struct diag_sink *diags, const char *name, uint64_t record, const struct diag *d,
		uint64_t *printed, struct ioc_load_stats *st)
{
	if (st)
		st->skipped++;
	if (diags)
		diag_report(diags, name, record, 0, d, printed);
}

static void count_add(struct ioc_load_stats *st, int rc)
{
	if (!st)
		return;
	if (rc == 0)
		st->loaded++;
	else if (rc == 1)
		st->duplicates++;
}

static bool parse_score(struct slice s, int *score)
{
	uint64_t v;
	s = slice_trim(s);
	if (s.len == 0 || s.len > 3 || slice_to_u64(s, &v) || v > 100)
		return false;
	*score = (int)v;
	return true;
}

static struct slice base_name(const char *path)
{
	const char *b = strrchr(path, '/');
	return slice_cstr(b ? b + 1 : path);
}

/* ---- Line lists -------------------------------------------------------------- */

enum list_mode { LIST_INFER, LIST_PATTERNS, LIST_KEYWORDS };

static int load_list(struct ioc_set *s, const char *name, const char *data, size_t n,
		     struct diag_sink *diags, struct ioc_load_stats *st)
{
	struct slice base = base_name(name);
	enum list_mode mode = LIST_INFER;
	if (slice_contains_nocase(base, SLICE_LIT("filename")))
		mode = LIST_PATTERNS;
	else if (slice_contains_nocase(base, SLICE_LIT("keyword")))
		mode = LIST_KEYWORDS;
	char label[512];
	bool have_label = false;
	uint64_t line = 0, printed = 0, keywords = 0;
	struct diag d;
	for (size_t pos = 0; pos < n;) {
		const char *nl = memchr(data + pos, '\n', n - pos);
		size_t end = nl ? (size_t)(nl - data) : n;
		struct slice l = slice_trim(slice_make(data + pos, end - pos));
		pos = end + 1;
		line++;
		if (l.len == 0) {
			have_label = false;
			continue;
		}
		if (l.ptr[0] == '#') {
			struct slice c = slice_trim(slice_sub(l, 1, l.len));
			have_label = c.len > 0 && slice_copy_cstr(c, label, sizeof label);
			continue;
		}
		if (st)
			st->records++;
		if (l.len > AS_MAX_INDICATOR_LEN) {
			diag_set(&d, AS_ETOOBIG, "value longer than %u bytes",
				 AS_MAX_INDICATOR_LEN);
			ioc_report(diags, name, line, &d, &printed, st);
			continue;
		}
		if (mode == LIST_KEYWORDS) {
			keywords++;
			if (st)
				st->skipped++;
			continue;
		}
		struct slice f1 = SLICE_NULL, f2 = SLICE_NULL, value;
		struct slice rest = slice_cut(l, ';', &value);
		int score = -1;
		if (rest.ptr) {
			struct slice tail = slice_cut(rest, ';', &f1);
			if (parse_score(f1, &score)) {
				f2 = tail.ptr ? slice_trim(tail) : SLICE_NULL;
			} else {
				f2 = slice_trim(rest); /* the whole remainder is a description */
				f1 = SLICE_NULL;
			}
		}
		char desc[512];
		struct ioc_meta m = {.source = name,
				     .score = score,
				     .valid_from = AS_TIME_NONE,
				     .valid_until = AS_TIME_NONE};
		if (have_label)
			m.label = label;
		int rc;
		if (mode == LIST_PATTERNS) {
			rc = ioc_set_add_pattern(s, value, f2, &m, &d);
		} else {
			if (f2.len && slice_copy_cstr(f2, desc, sizeof desc))
				m.label = desc;
			rc = ioc_set_add(s, NULL, value, &m, &d);
		}
		if (rc < 0)
			ioc_report(diags, name, line, &d, &printed, st);
		else
			count_add(st, rc);
	}
	if (keywords && diags) {
		diag_set(&d, AS_EUNSUPPORTED,
			 "%llu free-text keywords skipped: keywords are not indicators of a "
			 "supported type",
			 (unsigned long long)keywords);
		diag_report(diags, name, 0, 0, &d, &printed);
	}
	return 0;
}

/* ---- CSV --------------------------------------------------------------------- */

/* Split one CSV record (RFC 4180 quoting, no line breaks inside quotes) into
 * cells; quoted cells keep their doubled quotes, which unquote() removes. */
static size_t csv_split(struct slice l, char sep, struct slice *cells, size_t cap)
{
	size_t n = 0, i = 0;
	while (i <= l.len && n < cap) {
		if (i < l.len && l.ptr[i] == '"') {
			size_t j = i + 1;
			while (j < l.len) {
				if (l.ptr[j] == '"') {
					if (j + 1 < l.len && l.ptr[j + 1] == '"') {
						j += 2;
						continue;
					}
					break;
				}
				j++;
			}
			cells[n++] = slice_make(l.ptr + i + 1, j > i + 1 ? j - i - 1 : 0);
			if (j > l.len)
				j = l.len;
			i = j + 1;
			while (i < l.len && l.ptr[i] != sep)
				i++;
			i++;
		} else {
			size_t j = i;
			while (j < l.len && l.ptr[j] != sep)
				j++;
			cells[n++] = slice_trim(slice_make(l.ptr + i, j - i));
			i = j + 1;
		}
	}
	return n;
}

static struct slice unquote(struct slice c, char *buf, size_t cap)
{
	if (!memchr(c.ptr, '"', c.len))
		return c;
	size_t o = 0;
	for (size_t i = 0; i < c.len && o < cap; i++) {
		buf[o++] = c.ptr[i];
		if (c.ptr[i] == '"' && i + 1 < c.len && c.ptr[i + 1] == '"')
			i++;
	}
	return slice_make(buf, o);
}

enum csv_col {
	COL_TYPE,
	COL_VALUE,
	COL_DESC,
	COL_GROUP,
	COL_MALWARE,
	COL_SOURCE,
	COL_SCORE,
	COL_FROM,
	COL_UNTIL,
	COL_COUNT
};

static int csv_column(struct slice h)
{
	static const struct {
		const char *name;
		int col;
	} names[] = {
	    {"type", COL_TYPE},
	    {"indicator_type", COL_TYPE},
	    {"ioc_type", COL_TYPE},
	    {"value", COL_VALUE},
	    {"indicator", COL_VALUE},
	    {"ioc", COL_VALUE},
	    {"ioc_value", COL_VALUE},
	    {"description", COL_DESC},
	    {"comment", COL_DESC},
	    {"label", COL_DESC},
	    {"campaign", COL_DESC},
	    {"group", COL_GROUP},
	    {"groups", COL_GROUP},
	    {"threat_actor", COL_GROUP},
	    {"actor", COL_GROUP},
	    {"malware", COL_MALWARE},
	    {"malware_family", COL_MALWARE},
	    {"family", COL_MALWARE},
	    {"source", COL_SOURCE},
	    {"feed", COL_SOURCE},
	    {"score", COL_SCORE},
	    {"confidence", COL_SCORE},
	    {"valid_from", COL_FROM},
	    {"first_seen", COL_FROM},
	    {"valid_until", COL_UNTIL},
	    {"expiration", COL_UNTIL},
	};
	h = slice_trim(h);
	if (h.len >= 2 && h.ptr[0] == '"')
		h = slice_sub(h, 1, h.len - 2);
	for (size_t i = 0; i < sizeof names / sizeof *names; i++)
		if (slice_eq_nocase_cstr(h, names[i].name))
			return names[i].col;
	return -1;
}

/* Does this first record look like a CSV header? Fills cols (index per column). */
static bool csv_header(struct slice l, char *sep, int *cols)
{
	static const char seps[] = {',', '\t', ';'};
	for (size_t k = 0; k < sizeof seps; k++) {
		struct slice cells[AS_MAX_IOC_CSV_COLS];
		size_t n = csv_split(l, seps[k], cells, AS_MAX_IOC_CSV_COLS);
		if (n < 2)
			continue;
		for (int c = 0; c < COL_COUNT; c++)
			cols[c] = -1;
		for (size_t i = 0; i < n; i++) {
			int c = csv_column(cells[i]);
			if (c >= 0 && cols[c] < 0)
				cols[c] = (int)i;
		}
		if (cols[COL_TYPE] >= 0 && cols[COL_VALUE] >= 0) {
			*sep = seps[k];
			return true;
		}
	}
	return false;
}

/* Split a cell of names ("APT28|Sofacy", "APT28; Sofacy") into list[]. */
static void split_names(struct slice cell, char *buf, size_t cap, const char **list, size_t max)
{
	size_t n = 0, o = 0;
	size_t i = 0;
	while (i < cell.len && n + 1 < max) {
		size_t j = i;
		while (j < cell.len && cell.ptr[j] != '|' && cell.ptr[j] != ';' &&
		       cell.ptr[j] != ',')
			j++;
		struct slice one = slice_trim(slice_make(cell.ptr + i, j - i));
		if (one.len && o + one.len + 1 <= cap) {
			memcpy(buf + o, one.ptr, one.len);
			buf[o + one.len] = 0;
			list[n++] = buf + o;
			o += one.len + 1;
		}
		i = j + 1;
	}
	list[n] = NULL;
}

static int64_t cell_time(struct slice c)
{
	int64_t t;
	if (c.len && time_parse_any(c, &t) == 0)
		return t;
	return AS_TIME_NONE;
}

static int load_csv(struct ioc_set *s, const char *name, const char *data, size_t n, char sep,
		    const int *cols, size_t header_end, uint64_t header_line,
		    struct diag_sink *diags, struct ioc_load_stats *st)
{
	uint64_t line = header_line, printed = 0;
	struct diag d;
	for (size_t pos = header_end; pos < n;) {
		const char *nl = memchr(data + pos, '\n', n - pos);
		size_t end = nl ? (size_t)(nl - data) : n;
		struct slice l = slice_trim(slice_make(data + pos, end - pos));
		pos = end + 1;
		line++;
		if (l.len == 0 || l.ptr[0] == '#')
			continue;
		if (st)
			st->records++;
		struct slice cells[AS_MAX_IOC_CSV_COLS];
		size_t nc = csv_split(l, sep, cells, AS_MAX_IOC_CSV_COLS);
		struct slice v[COL_COUNT];
		char ub[COL_COUNT][512];
		for (int c = 0; c < COL_COUNT; c++) {
			v[c] = cols[c] >= 0 && (size_t)cols[c] < nc ? cells[cols[c]] : SLICE_NULL;
			if (c != COL_VALUE && v[c].ptr)
				v[c] = unquote(v[c], ub[c], sizeof ub[c]);
		}
		char type[64], label[512], source[512], gbuf[512], mbuf[512];
		char vbuf[AS_MAX_INDICATOR_LEN];
		const char *groups[17], *malware[17];
		struct slice value = v[COL_VALUE];
		if (value.ptr)
			value = unquote(value, vbuf, sizeof vbuf);
		if (!value.len) {
			diag_set(&d, AS_EPARSE, "no value in column %d", cols[COL_VALUE] + 1);
			ioc_report(diags, name, line, &d, &printed, st);
			continue;
		}
		if (!slice_copy_cstr(v[COL_TYPE], type, sizeof type))
			type[0] = 0;
		struct ioc_meta m = {.source = name,
				     .score = -1,
				     .valid_from = cell_time(v[COL_FROM]),
				     .valid_until = cell_time(v[COL_UNTIL])};
		if (v[COL_DESC].len && slice_copy_cstr(v[COL_DESC], label, sizeof label))
			m.label = label;
		if (v[COL_SOURCE].len && slice_copy_cstr(v[COL_SOURCE], source, sizeof source))
			m.source = source;
		if (v[COL_GROUP].len) {
			split_names(v[COL_GROUP], gbuf, sizeof gbuf, groups, 17);
			m.groups = groups;
		}
		if (v[COL_MALWARE].len) {
			split_names(v[COL_MALWARE], mbuf, sizeof mbuf, malware, 17);
			m.malware = malware;
		}
		if (v[COL_SCORE].len)
			parse_score(v[COL_SCORE], &m.score);
		int rc = ioc_set_add(s, type[0] ? type : NULL, value, &m, &d);
		if (rc < 0)
			ioc_report(diags, name, line, &d, &printed, st);
		else
			count_add(st, rc);
	}
	return 0;
}

/* ---- Entry points ------------------------------------------------------------ */

int ioc_set_load_mem(struct ioc_set *s, const char *name, const char *data, size_t n,
		     struct diag_sink *diags, struct ioc_load_stats *st)
{
	if (!s || (!data && n))
		return AS_EINVAL;
	if (s->finished)
		return AS_EINVAL;
	if (!name)
		name = "(indicators)";
	size_t i = 0;
	if (n >= 3 && !memcmp(data, "\xef\xbb\xbf", 3))
		i = 3;
	while (i < n && (data[i] == ' ' || data[i] == '\t' || data[i] == '\r' || data[i] == '\n'))
		i++;
	if (i < n && (data[i] == '{' || data[i] == '[')) {
		/* MISP events carry "Attribute"/"Event"; STIX bundles "objects"/"pattern". */
		size_t probe = n - i < 1 << 16 ? n - i : 1 << 16;
		struct slice head = slice_make(data + i, probe);
		if (slice_contains_nocase(head, SLICE_LIT("\"Event\"")) ||
		    slice_contains_nocase(head, SLICE_LIT("\"Attribute\"")))
			return ioc_load_misp(s, name, data + i, n - i, diags, st);
		return ioc_load_stix(s, name, data + i, n - i, diags, st);
	}
	/* CSV: the first record that is not blank or a comment is a header. */
	uint64_t line = 0;
	for (size_t pos = 0; pos < n;) {
		const char *nl = memchr(data + pos, '\n', n - pos);
		size_t end = nl ? (size_t)(nl - data) : n;
		struct slice l = slice_trim(slice_make(data + pos, end - pos));
		line++;
		if (l.len == 0 || l.ptr[0] == '#') {
			pos = end + 1;
			continue;
		}
		if (pos == 0 && l.len >= 3 && !memcmp(l.ptr, "\xef\xbb\xbf", 3))
			l = slice_sub(l, 3, l.len);
		char sep;
		int cols[COL_COUNT];
		if (csv_header(l, &sep, cols))
			return load_csv(s, name, data, n, sep, cols, end + 1, line, diags, st);
		break;
	}
	return load_list(s, name, data, n, diags, st);
}

int ioc_set_load(struct ioc_set *s, const char *path, struct diag_sink *diags,
		 struct ioc_load_stats *st)
{
	if (!s || !path)
		return AS_EINVAL;
	FILE *f = fopen(path, "rb");
	if (!f) {
		int rc = errno == ENOENT ? AS_ENOENT : AS_EIO;
		if (diags)
			diag_note(diags, "%s: %s", path, as_strerror(rc));
		return rc;
	}
	int rc = 0;
	char *data = NULL;
	size_t len = 0, cap = 0;
	for (;;) {
		if (len == cap) {
			if (cap >= AS_MAX_IOC_FILE) {
				rc = AS_ETOOBIG;
				break;
			}
			size_t nc = cap ? cap * 2 : 1 << 16;
			char *p = realloc(data, nc);
			if (!p) {
				rc = AS_ENOMEM;
				break;
			}
			data = p;
			cap = nc;
		}
		size_t got = fread(data + len, 1, cap - len, f);
		len += got;
		if (got == 0) {
			if (ferror(f))
				rc = AS_EIO;
			break;
		}
	}
	fclose(f);
	if (!rc)
		rc = ioc_set_load_mem(s, path, data, len, diags, st);
	else if (diags)
		diag_note(diags, "%s: %s", path, as_strerror(rc));
	free(data);
	return rc;
}
