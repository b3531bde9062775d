/*
 * config.c — behavior.conf: every threshold of the behaviour modules.
 *
 * The file is INI-like: "[section]" then "name = value" lines, '#' or ';'
 * comments. The table of known settings is BEHAVIOR_CONF_LIST (behavior.h),
 * which also gives each one's type, default and accepted range; a value
 * outside the range, a malformed line or an unknown name is reported with
 * its line number and skipped, so one typo never disables the detector.
 */
#include <errno.h>
#include <stddef.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "core/error.h"
#include "detect/behavior/behavior.h"

enum conf_type { CT_int, CT_int64, CT_double };

struct conf_row {
	const char *section, *name;
	enum conf_type type;
	size_t offset;
	double def, lo, hi;
};

static const struct conf_row rows[] = {
#define X(s, n, t, d, l, h, doc)                                                                   \
	{#s,          #n,          CT_##t,     offsetof(struct behavior_config, s##_##n),          \
	 (double)(d), (double)(l), (double)(h)},
    BEHAVIOR_CONF_LIST(X)
#undef X
};

void behavior_config_default(struct behavior_config *c)
{
	memset(c, 0, sizeof *c);
	for (size_t i = 0; i < sizeof rows / sizeof rows[0]; i++) {
		char *p = (char *)c + rows[i].offset;
		if (rows[i].type == CT_double)
			*(double *)p = rows[i].def;
		else
			*(int64_t *)p = (int64_t)rows[i].def;
	}
}

static void bad(struct diag_sink *d, const char *name, unsigned line, unsigned *nbad,
		const char *why, struct slice s)
{
	(*nbad)++;
	if (d)
		diag_note(d, "%s:%u: %s '%.*s'", name ? name : "behavior.conf", line, why,
			  (int)(s.len > 80 ? 80 : s.len), s.ptr);
}

static bool set_value(struct behavior_config *c, const struct conf_row *r, struct slice v)
{
	char tmp[64];
	if (!slice_copy_cstr(v, tmp, sizeof tmp) || !tmp[0])
		return false;
	char *end;
	errno = 0;
	double x = strtod(tmp, &end);
	if (*end || errno || x != x || x < r->lo || x > r->hi)
		return false;
	char *p = (char *)c + r->offset;
	if (r->type == CT_double) {
		*(double *)p = x;
	} else {
		/* Integers are parsed as integers so that large byte counts stay exact. */
		errno = 0;
		long long n = strtoll(tmp, &end, 10);
		if (*end || errno)
			return false;
		*(int64_t *)p = (int64_t)n;
	}
	return true;
}

int behavior_config_parse(struct behavior_config *c, const char *text, size_t len, const char *name,
			  struct diag_sink *diags, unsigned *nbad)
{
	unsigned dummy = 0;
	if (!nbad)
		nbad = &dummy;
	*nbad = 0;
	if (len > AS_BEH_MAX_CONF)
		return AS_ETOOBIG;
	char section[32] = "";
	struct slice rest = slice_make(text, len);
	unsigned line = 0;
	while (rest.ptr && rest.len) {
		struct slice l;
		rest = slice_cut(rest, '\n', &l);
		line++;
		long hash = slice_index(l, '#'), semi = slice_index(l, ';');
		if (hash >= 0)
			l.len = (size_t)hash;
		if (semi >= 0 && (size_t)semi < l.len)
			l.len = (size_t)semi;
		l = slice_trim(l);
		if (!l.len)
			continue;
		if (l.ptr[0] == '[') {
			if (l.ptr[l.len - 1] != ']' ||
			    !slice_copy_cstr(slice_trim(slice_sub(l, 1, l.len - 2)), section,
					     sizeof section)) {
				bad(diags, name, line, nbad, "bad section", l);
				section[0] = 0;
			}
			continue;
		}
		struct slice key;
		struct slice val = slice_cut(l, '=', &key);
		if (!val.ptr) {
			bad(diags, name, line, nbad, "expected name = value:", l);
			continue;
		}
		key = slice_trim(key);
		val = slice_trim(val);
		/* "section.name = v" works outside a section too. */
		struct slice sec = slice_cstr(section), nm = key;
		long dot = slice_index(key, '.');
		if (dot >= 0) {
			sec = slice_sub(key, 0, (size_t)dot);
			nm = slice_sub(key, (size_t)dot + 1, key.len);
		}
		const struct conf_row *r = NULL;
		for (size_t i = 0; i < sizeof rows / sizeof rows[0]; i++)
			if (slice_eq_cstr(sec, rows[i].section) &&
			    slice_eq_cstr(nm, rows[i].name)) {
				r = &rows[i];
				break;
			}
		if (!r) {
			bad(diags, name, line, nbad, "unknown setting", key);
			continue;
		}
		if (!set_value(c, r, val))
			bad(diags, name, line, nbad, "bad or out-of-range value", l);
	}
	return 0;
}

int behavior_config_load(struct behavior_config *c, const char *path, struct diag_sink *diags)
{
	FILE *f = fopen(path, "rb");
	if (!f)
		return errno == ENOENT ? AS_ENOENT : AS_EIO;
	char *text = malloc(AS_BEH_MAX_CONF + 1);
	if (!text) {
		fclose(f);
		return AS_ENOMEM;
	}
	size_t n = fread(text, 1, AS_BEH_MAX_CONF + 1, f);
	int rc = ferror(f) ? AS_EIO : 0;
	fclose(f);
	if (!rc)
		rc = behavior_config_parse(c, text, n, path, diags, NULL);
	free(text);
	return rc;
}
