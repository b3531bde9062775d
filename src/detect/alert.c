/* alert.c — alert construction and its JSON line, see alert.h. */
#include "detect/alert.h"

#include <stdlib.h>
#include <string.h>

#include "core/error.h"
#include "core/hash.h"
#include "core/json.h"
#include "core/timeparse.h"

static const char *const level_names[] = {
#define X(id, name) name,
    ALERT_LEVEL_LIST(X)
#undef X
};

struct alert *alert_new(const char *detector)
{
	struct alert *a = calloc(1, sizeof *a);
	if (!a)
		return NULL;
	arena_init_small(&a->arena, 16u << 20, 1024); /* most alerts need a few hundred bytes */
	a->detector = detector;
	a->time = AS_TIME_NONE;
	a->level = AL_MEDIUM;
	return a;
}

void alert_free(struct alert *a)
{
	if (!a)
		return;
	arena_free(&a->arena);
	free(a);
}

const char *alert_strdup(struct alert *a, struct slice s)
{
	if (!s.ptr || !s.len)
		return NULL;
	return arena_strndup(&a->arena, s.ptr, s.len);
}

void alert_from_event(struct alert *a, const struct event *ev)
{
	a->time = ev->time;
	a->host = alert_strdup(a, ev->str[ES_HOST]);
	a->user = alert_strdup(a, ev->str[ES_USER]);
	a->src_ip = ev->src_ip;
	a->dst_ip = ev->dst_ip;
	a->source = ev->source;
	a->record = ev->record;
}

int alert_add_technique(struct alert *a, struct slice t)
{
	for (unsigned i = 0; i < a->ntechniques; i++)
		if (slice_eq_cstr(t, a->techniques[i]))
			return 0;
	if (a->ntechniques >= AS_MAX_ALERT_TECHNIQUES)
		return AS_ETOOBIG;
	const char *s = alert_strdup(a, t);
	if (!s)
		return AS_ENOMEM;
	a->techniques[a->ntechniques++] = s;
	return 0;
}

struct alert_indicator *alert_add_indicator(struct alert *a, const char *type, struct slice value,
					    const char *field)
{
	if (a->nindicators >= AS_MAX_ALERT_INDICATORS)
		return NULL;
	struct alert_indicator *ind = &a->indicators[a->nindicators];
	memset(ind, 0, sizeof *ind);
	ind->type = type;
	ind->value = alert_strdup(a, value);
	ind->field = field;
	if (!ind->value)
		return NULL;
	a->nindicators++;
	return ind;
}

static uint64_t mix_str(uint64_t h, const char *s)
{
	return s ? hash_bytes_seeded(s, strlen(s), h) : hash_bytes_seeded("", 0, h ^ 1);
}

void alert_compute_id(struct alert *a)
{
	/* A fixed seed: ids must be the same across runs and processes. */
	uint64_t h = 0x6170747363;
	h = mix_str(h, a->detector);
	h = mix_str(h, a->rule_id);
	h = mix_str(h, a->source ? a->source->path : NULL);
	h = hash_bytes_seeded(&a->record, sizeof a->record, h);
	h = hash_bytes_seeded(&a->time, sizeof a->time, h);
	for (unsigned i = 0; i < a->nindicators; i++) {
		h = mix_str(h, a->indicators[i].field);
		h = mix_str(h, a->indicators[i].value);
	}
	static const char hex[] = "0123456789abcdef";
	for (int i = 0; i < 16; i++)
		a->id[i] = hex[(h >> (60 - 4 * i)) & 15];
	a->id[16] = 0;
}

const char *alert_level_name(enum alert_level l)
{
	return (unsigned)l < AL_COUNT ? level_names[l] : "medium";
}

int alert_level_parse(struct slice s)
{
	for (int l = 0; l < AL_COUNT; l++)
		if (slice_eq_nocase_cstr(s, level_names[l]))
			return l;
	return -1;
}

static void str_list(struct jw *w, const char *key, const char **list)
{
	jw_key(w, key);
	jw_arr(w);
	for (; list && *list; list++)
		jw_cstr(w, *list);
	jw_arr_end(w);
}

int alert_to_json(const struct alert *a, struct buf *out)
{
	struct jw w;
	char tmp[AS_TIME_STRLEN > IP_STRLEN ? AS_TIME_STRLEN : IP_STRLEN];
	jw_init(&w, out);
	jw_obj(&w);
	jw_kcstr(&w, "type", "alert");
	jw_kcstr(&w, "id", a->id);
	jw_key(&w, "time");
	if (a->time != AS_TIME_NONE)
		jw_cstr(&w, time_format(a->time, tmp));
	else
		jw_null(&w);
	jw_kcstr(&w, "detector", a->detector);
	jw_key(&w, "rule");
	jw_obj(&w);
	jw_kcstr(&w, "id", a->rule_id);
	jw_kcstr(&w, "title", a->rule_title);
	jw_kcstr(&w, "level", alert_level_name(a->level));
	jw_obj_end(&w);
	jw_key(&w, "techniques");
	jw_arr(&w);
	for (unsigned i = 0; i < a->ntechniques; i++)
		jw_cstr(&w, a->techniques[i]);
	jw_arr_end(&w);
	jw_kcstr(&w, "host", a->host);
	jw_key(&w, "src_ip");
	if (a->src_ip.family)
		jw_cstr(&w, ip_format(&a->src_ip, tmp));
	else
		jw_null(&w);
	jw_key(&w, "dst_ip");
	if (a->dst_ip.family)
		jw_cstr(&w, ip_format(&a->dst_ip, tmp));
	else
		jw_null(&w);
	jw_kcstr(&w, "user", a->user);
	jw_key(&w, "indicators");
	jw_arr(&w);
	for (unsigned i = 0; i < a->nindicators; i++) {
		const struct alert_indicator *ind = &a->indicators[i];
		jw_obj(&w);
		jw_kcstr(&w, "type", ind->type);
		jw_kcstr(&w, "value", ind->value);
		if (ind->field)
			jw_kcstr(&w, "field", ind->field);
		if (ind->source)
			jw_kcstr(&w, "source", ind->source);
		if (ind->label)
			jw_kcstr(&w, "label", ind->label);
		str_list(&w, "groups", ind->groups);
		if (ind->malware)
			str_list(&w, "malware", ind->malware);
		jw_obj_end(&w);
	}
	jw_arr_end(&w);
	jw_key(&w, "source");
	jw_obj(&w);
	jw_kcstr(&w, "file", a->source ? a->source->path : NULL);
	jw_kint(&w, "record", (int64_t)a->record);
	jw_obj_end(&w);
	jw_key(&w, "evidence");
	if (a->evidence)
		jw_raw(&w, slice_cstr(a->evidence));
	else
		jw_raw(&w, SLICE_LIT("{}"));
	jw_obj_end(&w);
	return out->err;
}
