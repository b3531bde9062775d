/* jsonread.c — the JSON-lines readers' shared steps, see jsonread.h. */
#include "read/jsonread.h"

#include <string.h>

#include "core/error.h"
#include "event/fieldname.h"

int jsonread_first_line(struct slice head, struct slice *line)
{
	size_t i = 0;
	while (i < head.len && (head.ptr[i] == ' ' || head.ptr[i] == '\t' || head.ptr[i] == '\n' ||
				head.ptr[i] == '\r'))
		i++;
	if (i >= head.len || head.ptr[i] != '{')
		return JSONREAD_NO_OBJECT;
	struct slice rest = slice_sub(head, i, head.len - i);
	const char *nl = memchr(rest.ptr, '\n', rest.len);
	if (!nl) {
		*line = rest;
		return JSONREAD_CUT;
	}
	*line = slice_make(rest.ptr, (size_t)(nl - rest.ptr));
	if (line->len && line->ptr[line->len - 1] == '\r')
		line->len--;
	return JSONREAD_LINE;
}

int jsonread_leaf(const struct json_leaf *l, bool needed, bool fields, struct event *ev,
		  struct arena *a, struct diag *why, struct slice *v)
{
	*v = l->value;
	if (l->escaped && (needed || fields)) {
		int rc = json_unescape(l->value, a, v);
		if (rc)
			return diag_set(why, rc, "field %.*s: %s", SLICE_ARG(l->path),
					rc == AS_ENOMEM ? "out of memory" : "bad escape");
	}
	if (fields) {
		int rc = event_field_add(ev, a, fieldname_intern(l->path), (enum field_type)l->type,
					 l->type == JT_NULL ? SLICE_NULL : *v);
		if (rc)
			return diag_set(why, rc, "field %.*s: %s", SLICE_ARG(l->path),
					as_strerror(rc));
	}
	return 0;
}
