/*
 * zeek.c — Zeek ASCII logs (tab-separated with a #-header block).
 *
 *   #separator \x09             ← a new header block starts: reset everything
 *   #set_separator  ,           ← the remaining header lines use the separator
 *   #empty_field    (empty)
 *   #unset_field    -
 *   #path   conn                ← the log type (else inferred from the columns)
 *   #fields ts  uid  id.orig_h …  ← columns: interned and mapped once, here
 *   #types  time string addr …
 *   1709294400.123456  CAbc  10.0.0.1 …   ← rows: split in one SSE2 pass
 *   #close  2024-03-01-13-00-00
 *
 * When #fields is read, every column gets its canonical action (zeek_map.h)
 * and, when native fields are asked for, its interned name and value type;
 * a row is then one vectorised pass for its separators and a switch per
 * mapped column, and
 * columns nothing needs are not even looked at. Values are slices into the
 * line; only values holding a \xNN escape are rewritten, into the arena.
 * Rotation tools concatenate logs, so a header may come back mid-file: each
 * #separator starts afresh and each #fields replaces the columns.
 */
#include <stdbool.h>
#include <string.h>
#if defined(__SSE2__)
#include <emmintrin.h>
#endif

#include "core/error.h"
#include "core/limits.h"
#include "event/fieldname.h"
#include "read/format.h"
#include "read/zeek_map.h"

#define MARK_MAX 32 /* longest #unset_field / #empty_field marker */

struct zeek_col {
	struct zeek_target t;
	uint8_t type;  /* enum field_type of the #types entry */
	uint32_t name; /* interned name when native fields are kept */
};

struct zeek_state {
	bool fields;
	char sep;
	bool sep_bad; /* this block's #separator is not one byte: skip the block */
	uint8_t unset_len, empty_len;
	char unset[MARK_MAX], empty[MARK_MAX];
	enum zeek_log log;
	bool log_named; /* #path named a known log type */
	uint32_t ncols; /* 0 until a valid #fields */
	struct zeek_col cols[AS_MAX_ZEEK_COLUMNS];
};

static void header_reset(struct zeek_state *st)
{
	st->sep = '\t';
	st->sep_bad = false;
	st->unset_len = 1;
	memcpy(st->unset, "-", 1);
	st->empty_len = 7;
	memcpy(st->empty, "(empty)", 7);
	st->log = ZEEK_LOG_UNKNOWN;
	st->log_named = false;
	st->ncols = 0;
}

static int zeek_init(void *state, const struct read_opts *opts)
{
	struct zeek_state *st = state;
	st->fields = opts->fields;
	header_reset(st);
	return 0;
}

static int hexval(char c)
{
	if (c >= '0' && c <= '9')
		return c - '0';
	c |= 0x20;
	return c >= 'a' && c <= 'f' ? c - 'a' + 10 : -1;
}

/* Bytes Zeek wrote as \xNN (separators, non-printables, "\" itself) back to
 * themselves; any other backslash stays as written. dst holds s.len bytes. */
static size_t unescape_to(struct slice s, char *dst)
{
	size_t o = 0;
	for (size_t i = 0; i < s.len; i++) {
		int hi, lo;
		if (s.ptr[i] == '\\' && i + 3 < s.len && s.ptr[i + 1] == 'x' &&
		    (hi = hexval(s.ptr[i + 2])) >= 0 && (lo = hexval(s.ptr[i + 3])) >= 0) {
			dst[o++] = (char)(hi << 4 | lo);
			i += 3;
		} else {
			dst[o++] = s.ptr[i];
		}
	}
	return o;
}

static int unescape(struct slice s, struct arena *a, struct slice *out)
{
	if (!memchr(s.ptr, '\\', s.len)) {
		*out = s;
		return 0;
	}
	char *d = arena_alloc(a, s.len ? s.len : 1);
	if (!d)
		return AS_ENOMEM;
	*out = slice_make(d, unescape_to(s, d));
	return 0;
}

/* A JSON number, as `events` prints native numbers as written. */
static bool is_number(struct slice v)
{
	size_t i = v.len && v.ptr[0] == '-', d = 0;
	for (; i < v.len && v.ptr[i] >= '0' && v.ptr[i] <= '9'; i++)
		d++;
	if (i < v.len && v.ptr[i] == '.')
		for (i++; i < v.len && v.ptr[i] >= '0' && v.ptr[i] <= '9'; i++)
			;
	if (d && i < v.len && (v.ptr[i] | 0x20) == 'e') {
		i++;
		i += i < v.len && (v.ptr[i] == '+' || v.ptr[i] == '-');
		for (d = 0; i < v.len && v.ptr[i] >= '0' && v.ptr[i] <= '9'; i++)
			d++;
	}
	return d && i == v.len;
}

/* Native values typed as the #types line says, in the JSON reader's
 * spelling (true/false), so a field means the same from either writer;
 * a value that does not fit its type stays a string. */
static enum field_type native_value(enum field_type ft, struct slice *v)
{
	if (ft == FT_BOOL) {
		if (slice_eq_cstr(*v, "T"))
			*v = SLICE_LIT("true");
		else if (slice_eq_cstr(*v, "F"))
			*v = SLICE_LIT("false");
		else
			return FT_STRING;
	} else if (ft == FT_NUMBER && !is_number(*v)) {
		return FT_STRING;
	}
	return ft;
}

static enum field_type type_of(struct slice t)
{
	static const char *const numbers[] = {"time", "interval", "count", "int", "double", "port"};
	for (size_t i = 0; i < sizeof numbers / sizeof numbers[0]; i++)
		if (slice_eq_cstr(t, numbers[i]))
			return FT_NUMBER;
	return slice_eq_cstr(t, "bool") ? FT_BOOL : FT_STRING;
}

/* Next separator-delimited item of *rest (the whole remainder when none). */
static struct slice next_item(struct slice *rest, char sep, bool *more)
{
	const char *q = memchr(rest->ptr, sep, rest->len);
	struct slice item;
	if (q) {
		item = slice_make(rest->ptr, (size_t)(q - rest->ptr));
		*rest = slice_make(q + 1, rest->len - item.len - 1);
		*more = true;
	} else {
		item = *rest;
		*rest = slice_make(rest->ptr + rest->len, 0);
		*more = false;
	}
	return item;
}

static int header_fields(struct zeek_state *st, struct slice rest, struct diag *why)
{
	st->ncols = 0;
	struct slice names[AS_MAX_ZEEK_COLUMNS];
	uint32_t n = 0;
	uint64_t markers = 0;
	bool more = true;
	while (more) {
		struct slice name = next_item(&rest, st->sep, &more);
		if (n == AS_MAX_ZEEK_COLUMNS)
			return diag_set(why, AS_ETOOBIG, "#fields declares more than %u columns",
					AS_MAX_ZEEK_COLUMNS);
		if (name.len == 0 || name.len > AS_MAX_FIELD_NAME)
			return diag_set(why, AS_EPARSE, "#fields: column %u has no usable name",
					n + 1);
		names[n++] = name;
		markers |= zeek_name_markers(zeek_name_find(name));
	}
	if (!st->log_named)
		st->log = zeek_log_infer(markers);
	for (uint32_t i = 0; i < n; i++) {
		struct zeek_col *c = &st->cols[i];
		c->t = zeek_map_column(st->log, names[i]);
		c->type = FT_STRING;
		c->name = FIELDNAME_NONE;
		if (st->fields && (c->name = fieldname_intern(names[i])) == FIELDNAME_NONE)
			return diag_set(why, AS_ENOMEM, "out of memory interning #fields");
	}
	st->ncols = n;
	return LINE_SKIP;
}

static int header_types(struct zeek_state *st, struct slice rest, struct diag *why)
{
	if (!st->ncols)
		return diag_set(why, AS_EPARSE, "#types before #fields");
	uint32_t n = 0;
	bool more = true;
	while (more) {
		struct slice t = next_item(&rest, st->sep, &more);
		if (n < st->ncols)
			st->cols[n].type = (uint8_t)type_of(t);
		n++;
	}
	if (n != st->ncols)
		return diag_set(why, AS_EPARSE, "#types has %u entries, #fields %u", n, st->ncols);
	return LINE_SKIP;
}

static int header_mark(char *dst, uint8_t *len, struct slice v, const char *what, struct diag *why)
{
	char tmp[MARK_MAX];
	if (v.len > MARK_MAX)
		return diag_set(why, AS_ETOOBIG, "%s longer than %d bytes", what, MARK_MAX);
	size_t n = unescape_to(v, tmp);
	memcpy(dst, tmp, n);
	*len = (uint8_t)n;
	return LINE_SKIP;
}

static int header_line(struct zeek_state *st, struct slice line, struct diag *why)
{
	if (slice_starts(line, "#separator ")) {
		header_reset(st);
		char sep[MARK_MAX];
		uint8_t n = 0;
		int rc = header_mark(sep, &n, slice_sub(line, 11, line.len), "#separator", why);
		if (rc < 0)
			return rc;
		if (n != 1) {
			st->sep_bad = true;
			return diag_set(why, AS_EUNSUPPORTED,
					"#separator must be one byte (got %u)", (unsigned)n);
		}
		st->sep = sep[0];
		return LINE_SKIP;
	}
	if (st->sep_bad)
		return LINE_SKIP;
	struct slice rest = line, key;
	bool more;
	key = next_item(&rest, st->sep, &more);
	if (slice_eq_cstr(key, "#fields"))
		return header_fields(st, rest, why);
	if (slice_eq_cstr(key, "#types"))
		return header_types(st, rest, why);
	if (slice_eq_cstr(key, "#path")) {
		st->log = zeek_log_from_path(rest);
		st->log_named = st->log != ZEEK_LOG_UNKNOWN;
		return LINE_SKIP;
	}
	if (slice_eq_cstr(key, "#unset_field"))
		return header_mark(st->unset, &st->unset_len, rest, "#unset_field", why);
	if (slice_eq_cstr(key, "#empty_field"))
		return header_mark(st->empty, &st->empty_len, rest, "#empty_field", why);
	/* #set_separator, #open, #close and comments: nothing to keep (sets stay
	 * one value, as written). */
	return LINE_SKIP;
}

/* Offsets of every separator in line (at most max of them) and whether the
 * line holds a backslash at all, in one pass: 16 bytes at a time with SSE2.
 * One call per row instead of one memchr per column (and another per
 * column for escapes) — the row loop below was dominated by those calls on
 * short columns. Returns the number of separators found (max + 1 when there
 * are more than max). */
static uint32_t split_row(struct slice line, char sep, uint32_t *offs, uint32_t max, bool *escaped)
{
	const unsigned char *p = (const unsigned char *)line.ptr;
	size_t n = line.len, i = 0;
	uint32_t k = 0;
	bool esc = false;
#if defined(__SSE2__)
	const __m128i vs = _mm_set1_epi8(sep), vb = _mm_set1_epi8('\\');
	for (; i + 16 <= n; i += 16) {
		__m128i v = _mm_loadu_si128((const __m128i *)(p + i));
		unsigned m = (unsigned)_mm_movemask_epi8(_mm_cmpeq_epi8(v, vs));
		esc |= _mm_movemask_epi8(_mm_cmpeq_epi8(v, vb)) != 0;
		while (m) {
			if (k == max)
				return max + 1;
			offs[k++] = (uint32_t)(i + (size_t)__builtin_ctz(m));
			m &= m - 1;
		}
	}
#endif
	for (; i < n; i++) {
		if (p[i] == (unsigned char)sep) {
			if (k == max)
				return max + 1;
			offs[k++] = (uint32_t)i;
		} else if (p[i] == '\\') {
			esc = true;
		}
	}
	*escaped = esc;
	return k;
}

static int zeek_line(void *state, struct slice line, struct event *ev, struct arena *a,
		     struct diag *why)
{
	struct zeek_state *st = state;
	if (line.len == 0)
		return LINE_SKIP;
	if (line.ptr[0] == '#') /* Zeek writes a leading '#' of a value as \x23 */
		return header_line(st, line, why);
	if (!st->ncols)
		return diag_set(why, AS_EPARSE,
				st->sep_bad ? "row under an unsupported #separator"
					    : "row before any #fields header");
	uint32_t offs[AS_MAX_ZEEK_COLUMNS];
	bool escaped = false;
	uint32_t nsep = split_row(line, st->sep, offs, AS_MAX_ZEEK_COLUMNS - 1, &escaped);
	if (nsep + 1 != st->ncols) {
		if (nsep >= AS_MAX_ZEEK_COLUMNS)
			return diag_set(why, AS_EPARSE, "row has more than %u columns",
					AS_MAX_ZEEK_COLUMNS);
		return diag_set(why, AS_EPARSE, "row has %u columns, #fields declares %u", nsep + 1,
				st->ncols);
	}
	zeek_event_begin(ev, st->log);
	const bool fields = st->fields;
	uint32_t start = 0;
	for (uint32_t i = 0; i < st->ncols; i++) {
		uint32_t stop = i < nsep ? offs[i] : (uint32_t)line.len;
		const struct zeek_col *c = &st->cols[i];
		const char *p = line.ptr + start;
		start = stop + 1;
		if (c->t.op == ZOP_NONE && !fields)
			continue;
		struct slice v = slice_make(p, (size_t)(line.ptr + stop - p));
		enum field_type ft = c->type;
		if (v.len == st->unset_len && memcmp(v.ptr, st->unset, v.len) == 0) {
			v = slice_make(p, 0);
			ft = FT_NULL;
		} else if (v.len == st->empty_len && memcmp(v.ptr, st->empty, v.len) == 0) {
			v = slice_make(p, 0);
			ft = FT_STRING;
		} else if (escaped && unescape(v, a, &v)) {
			return diag_set(why, AS_ENOMEM, "out of memory unescaping column %u",
					i + 1);
		}
		if (ft != FT_NULL)
			zeek_event_apply(ev, c->t, v);
		if (fields) {
			if (ft != FT_NULL)
				ft = native_value(ft, &v);
			int rc = event_field_add(ev, a, c->name, ft, v);
			if (rc)
				return diag_set(why, rc, "column %u: %s", i + 1, as_strerror(rc));
		}
	}
	zeek_event_end(ev, st->log);
	return LINE_EVENT;
}

static int zeek_probe(struct slice head)
{
	if (slice_starts(head, "#separator "))
		return 95;
	/* A log whose first header lines were cut off. */
	if (slice_starts(head, "#fields\t") || slice_starts(head, "#path\t"))
		return 70;
	return 0;
}

const struct format format_zeek = {
    .name = "zeek",
    .summary = "Zeek ASCII logs (TSV with #fields/#types header), any log type",
    .probe = zeek_probe,
    .state_size = sizeof(struct zeek_state),
    .init = zeek_init,
    .line = zeek_line,
};
