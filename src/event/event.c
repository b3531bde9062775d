/* event.c — event helpers and the `aptscope events` JSON shape, see event.h. */
#include "event/event.h"

#include <string.h>

#include "core/error.h"
#include "core/json.h"
#include "core/limits.h"
#include "core/timeparse.h"
#include "event/fieldname.h"

static const char *const kind_names[] = {
#define X(id, name) name,
    EVENT_KIND_LIST(X)
#undef X
};

static const char *const str_names[] = {
#define X(id, name, doc) name,
    EVENT_STR_LIST(X)
#undef X
};

static const char *const num_names[] = {
#define X(id, name, doc) name,
    EVENT_NUM_LIST(X)
#undef X
};

void event_clear(struct event *ev)
{
	memset(ev, 0, sizeof *ev);
	ev->time = AS_TIME_NONE;
}

int event_field_add(struct event *ev, struct arena *a, uint32_t name, enum field_type type,
		    struct slice value)
{
	if (name == FIELDNAME_NONE)
		return AS_ENOMEM;
	if (ev->nfields == ev->fields_cap) {
		if (ev->fields_cap >= AS_MAX_FIELDS)
			return AS_ETOOBIG;
		uint32_t ncap = ev->fields_cap ? ev->fields_cap * 2 : 32;
		if (ncap > AS_MAX_FIELDS)
			ncap = AS_MAX_FIELDS;
		struct field *n = arena_alloc(a, ncap * sizeof *n);
		if (!n)
			return AS_ENOMEM;
		if (ev->nfields)
			memcpy(n, ev->fields, ev->nfields * sizeof *n);
		ev->fields = n;
		ev->fields_cap = ncap;
	}
	ev->fields[ev->nfields++] = (struct field){name, (uint32_t)type, value};
	return 0;
}

int event_fields_reserve(struct event *ev, struct arena *a, uint32_t n)
{
	if (n > AS_MAX_FIELDS - ev->nfields)
		n = AS_MAX_FIELDS - ev->nfields;
	if (ev->nfields + n <= ev->fields_cap)
		return 0;
	uint32_t ncap = ev->fields_cap ? ev->fields_cap : 32;
	while (ncap < ev->nfields + n)
		ncap *= 2;
	if (ncap > AS_MAX_FIELDS)
		ncap = AS_MAX_FIELDS;
	struct field *f = arena_alloc(a, ncap * sizeof *f);
	if (!f)
		return AS_ENOMEM;
	if (ev->nfields)
		memcpy(f, ev->fields, ev->nfields * sizeof *f);
	ev->fields = f;
	ev->fields_cap = ncap;
	return 0;
}

const struct field *event_field_get(const struct event *ev, uint32_t name)
{
	for (uint32_t i = 0; i < ev->nfields; i++)
		if (ev->fields[i].name == name)
			return &ev->fields[i];
	return NULL;
}

const struct field *event_field_find(const struct event *ev, struct slice name)
{
	uint32_t id = fieldname_lookup(name);
	return id == FIELDNAME_NONE ? NULL : event_field_get(ev, id);
}

const char *event_kind_name(enum event_kind k)
{
	return (unsigned)k < EK_COUNT ? kind_names[k] : "other";
}

int event_kind_parse(struct slice s)
{
	for (int k = 0; k < EK_COUNT; k++)
		if (slice_eq_cstr(s, kind_names[k]))
			return k;
	return -1;
}

const char *event_str_name(enum event_str k)
{
	return str_names[k];
}

const char *event_num_name(enum event_num k)
{
	return num_names[k];
}

const char *outcome_name(enum outcome o)
{
	switch (o) {
	case OUTCOME_SUCCESS:
		return "success";
	case OUTCOME_FAILURE:
		return "failure";
	default:
		return "unknown";
	}
}

int event_to_json(const struct event *ev, struct buf *out)
{
	struct jw w;
	char tmp[IP_STRLEN > AS_TIME_STRLEN ? IP_STRLEN : AS_TIME_STRLEN];
	jw_init(&w, out);
	jw_obj(&w);
	if (ev->time != AS_TIME_NONE)
		jw_kcstr(&w, "time", time_format(ev->time, tmp));
	jw_kcstr(&w, "kind", event_kind_name(ev->kind));
	if (ev->outcome != OUTCOME_UNKNOWN)
		jw_kcstr(&w, "outcome", outcome_name(ev->outcome));
	if (ev->user_invalid) {
		jw_key(&w, "user_invalid");
		jw_bool(&w, true);
	}
	if (ev->src_ip.family)
		jw_kcstr(&w, "src_ip", ip_format(&ev->src_ip, tmp));
	if (ev->dst_ip.family)
		jw_kcstr(&w, "dst_ip", ip_format(&ev->dst_ip, tmp));
	for (int k = 0; k < EN_COUNT; k++)
		if (event_has_num(ev, k))
			jw_kint(&w, num_names[k], ev->num[k]);
	for (int k = 0; k < ES_COUNT; k++)
		if (ev->str[k].ptr)
			jw_kstr(&w, str_names[k], ev->str[k]);
	if (ev->nfields) {
		jw_key(&w, "fields");
		jw_obj(&w);
		for (uint32_t i = 0; i < ev->nfields; i++) {
			const struct field *f = &ev->fields[i];
			struct slice name = fieldname_str(f->name);
			jw_key_slice(&w, name);
			switch (f->type) {
			case FT_NUMBER:
			case FT_BOOL:
				jw_raw(&w, f->value);
				break;
			case FT_NULL:
				jw_null(&w);
				break;
			default:
				jw_str(&w, f->value);
			}
		}
		jw_obj_end(&w);
	}
	if (ev->source) {
		jw_key(&w, "source");
		jw_obj(&w);
		jw_kcstr(&w, "file", ev->source->path);
		jw_kcstr(&w, "format", ev->source->format);
		jw_kint(&w, "record", (int64_t)ev->record);
		jw_obj_end(&w);
	}
	jw_obj_end(&w);
	return out->err;
}

int event_copy(struct event *dst, const struct event *src, struct arena *a)
{
	*dst = *src;
	for (int k = 0; k < ES_COUNT; k++) {
		if (!src->str[k].ptr)
			continue;
		dst->str[k] = arena_slice_dup(a, src->str[k]);
		if (!dst->str[k].ptr)
			return AS_ENOMEM;
	}
	if (src->raw.ptr && !(dst->raw = arena_slice_dup(a, src->raw)).ptr)
		return AS_ENOMEM;
	dst->fields = NULL;
	dst->nfields = dst->fields_cap = 0;
	if (src->nfields) {
		dst->fields = arena_alloc(a, src->nfields * sizeof *dst->fields);
		if (!dst->fields)
			return AS_ENOMEM;
		for (uint32_t i = 0; i < src->nfields; i++) {
			dst->fields[i] = src->fields[i];
			dst->fields[i].value = arena_slice_dup(a, src->fields[i].value);
			if (!dst->fields[i].value.ptr)
				return AS_ENOMEM;
		}
		dst->nfields = dst->fields_cap = src->nfields;
	}
	return 0;
}
