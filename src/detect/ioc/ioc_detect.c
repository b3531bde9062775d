/*
 * ioc_detect.c — the "ioc" detector: an indicator set behind the detector
 * interface of detect/detector.h.
 *
 * The set is the detector's shared, read-only state; each worker has an
 * ioc_matcher (regex scratch) and a reusable evidence buffer. An event that
 * matches nothing costs a few hash look-ups and allocates nothing; one that
 * matches becomes one alert listing every indicator it matched.
 */
#include "detect/ioc/ioc_internal.h"

#include <stdlib.h>
#include <string.h>

#include "core/buf.h"
#include "core/error.h"
#include "core/json.h"
#include "core/timeparse.h"

struct ioc_worker {
	const struct ioc_set *set;
	struct ioc_matcher *m;
	struct buf evidence;
	struct ioc_hit hits[AS_MAX_ALERT_INDICATORS];
};

static int worker_new(const struct detector *d, void **out)
{
	struct ioc_worker *w = calloc(1, sizeof *w);
	if (!w)
		return AS_ENOMEM;
	w->set = d->shared;
	int rc = ioc_matcher_new(w->set, &w->m);
	if (rc) {
		free(w);
		return rc;
	}
	*out = w;
	return 0;
}

static void worker_free(void *p)
{
	struct ioc_worker *w = p;
	if (!w)
		return;
	ioc_matcher_free(w->m);
	buf_free(&w->evidence);
	free(w);
}

static void shared_free(void *p)
{
	ioc_set_free(p);
}

static const char **copy_list(struct alert *a, const char *const *list)
{
	if (!list || !list[0])
		return NULL;
	size_t n = 0;
	while (list[n])
		n++;
	const char **out = arena_alloc(&a->arena, (n + 1) * sizeof *out);
	if (!out)
		return NULL;
	for (size_t i = 0; i < n; i++)
		out[i] = alert_strdup(a, slice_cstr(list[i]));
	out[n] = NULL;
	return out;
}

static void evidence_time(struct jw *j, const char *key, int64_t t)
{
	char ts[AS_TIME_STRLEN];
	if (t != AS_TIME_NONE)
		jw_kcstr(j, key, time_format(t, ts));
}

static struct alert *make_alert(struct ioc_worker *w, const struct event *ev, size_t n)
{
	const struct ioc_set *s = w->set;
	struct alert *a = alert_new("ioc");
	if (!a)
		return NULL;
	alert_from_event(a, ev);
	struct buf *b = &w->evidence;
	buf_reset(b);
	struct jw j;
	jw_init(&j, b);
	jw_obj(&j);
	jw_key(&j, "matches");
	jw_arr(&j);
	int level = AL_INFORMATIONAL;
	char value[AS_MAX_INDICATOR_LEN + 64];
	char title[300];
	for (size_t i = 0; i < n; i++) {
		const struct ioc_hit *h = &w->hits[i];
		const struct ioc_meta *m = ioc_hit_meta(s, h);
		size_t vl = ioc_hit_value(s, h, value, sizeof value);
		const char *field = ioc_field_name(h->field);
		int l = ioc_score_level(m->score);
		if (l > level)
			level = l;
		struct alert_indicator *ind =
		    alert_add_indicator(a, ioc_type_name(h->type), slice_make(value, vl), field);
		if (ind) {
			ind->source = alert_strdup(a, slice_cstr(m->source));
			ind->label = alert_strdup(a, slice_cstr(m->label));
			ind->groups = copy_list(a, m->groups);
			ind->malware = copy_list(a, m->malware);
		}
		if (i == 0) {
			a->rule_id = alert_strdup(a, slice_cstr(ioc_type_name(h->type)));
			snprintf(title, sizeof title, "Known %s indicator %.*s%s%.*s%s",
				 ioc_type_name(h->type), (int)(vl > 120 ? 120 : vl), value,
				 m->label ? " (" : "", m->label ? 120 : 0, m->label ? m->label : "",
				 m->label ? ")" : "");
			a->rule_title = alert_strdup(a, slice_cstr(title));
		}
		jw_obj(&j);
		jw_kcstr(&j, "field", field);
		if (h->observed.ptr)
			jw_kstr(&j, "observed", h->observed);
		else {
			char ipbuf[IP_STRLEN];
			const struct ip *ip =
			    h->field == IOC_FIELD_SRC_IP ? &ev->src_ip : &ev->dst_ip;
			jw_kcstr(&j, "observed", ip_format(ip, ipbuf));
		}
		jw_kcstr(&j, "type", ioc_type_name(h->type));
		jw_kstr(&j, "indicator", slice_make(value, vl));
		jw_kcstr(&j, "feed", m->source);
		if (m->label)
			jw_kcstr(&j, "label", m->label);
		if (m->ref)
			jw_kcstr(&j, "ref", m->ref);
		if (m->score >= 0)
			jw_kint(&j, "score", m->score);
		evidence_time(&j, "valid_from", m->valid_from);
		evidence_time(&j, "valid_until", m->valid_until);
		jw_obj_end(&j);
	}
	jw_arr_end(&j);
	jw_obj_end(&j);
	a->level = (enum alert_level)level;
	if (!b->err)
		a->evidence = alert_strdup(a, buf_slice(b));
	alert_compute_id(a);
	return a;
}

static int scan(void *p, const struct event *evs, size_t n, struct alert_sink *out)
{
	struct ioc_worker *w = p;
	int rc = 0;
	for (size_t i = 0; i < n; i++) {
		size_t nh = ioc_matcher_match(w->m, &evs[i], w->hits, AS_MAX_ALERT_INDICATORS);
		if (!nh)
			continue;
		struct alert *a = make_alert(w, &evs[i], nh);
		if (!a) {
			rc = AS_ENOMEM;
			continue;
		}
		int e = out->emit(out, a);
		if (e && !rc)
			rc = e;
	}
	return rc;
}

int ioc_detector_init(struct detector *d, struct ioc_set *s)
{
	if (!d || !s)
		return AS_EINVAL;
	int rc = ioc_set_finish(s, NULL);
	if (rc)
		return rc;
	memset(d, 0, sizeof *d);
	d->name = "ioc";
	d->shared = s;
	d->needs_fields = false;
	d->worker_new = worker_new;
	d->scan = scan;
	d->flush = NULL;
	d->worker_free = worker_free;
	d->shared_free = shared_free;
	return 0;
}
