/*
 * ddos.c — floods against one service: connection and request rates per
 * destination measured against that destination's own baseline, and
 * SYN/half-open floods from connection states.
 *
 * Per destination (address and port, or the web host name of an access
 * log) events fall into buckets of ddos.bucket seconds. When a bucket ends
 * it is a flood if it holds at least ddos.min_rate events, more than the
 * baseline mean + ddos.sigma standard deviations, from at least
 * ddos.min_sources distinct sources. The baseline is an exponentially
 * weighted mean and variance of past normal buckets (weight ddos.alpha; the
 * empty buckets between events count as zeros), so floods never teach it.
 * Half-open states (Zeek S0, REJ, RSTOS0, SH; Suricata flow "new") in a
 * bucket above synflood.min_halfopen and synflood.min_ratio of it make a
 * SYN flood. One alert per flood: the flag clears after a normal bucket.
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "core/error.h"
#include "detect/behavior/behavior_int.h"

struct dkey {
	unsigned char dst[17];
	uint8_t kind;
	uint16_t port;
	uint32_t pad;
	uint64_t name_hash;
};

struct dstate {
	int64_t bucket; /* start of the current bucket, µs; 0 none */
	uint32_t count, halfopen;
	struct beh_distinct sources;
	struct beh_top top[AS_BEH_TOP];
	double mean, var;
	uint32_t history; /* normal buckets learnt */
	uint8_t in_flood, in_syn;
	char name[AS_BEH_MAX_NAME];
	const struct source *file;
	uint64_t record;
};

struct ddos {
	struct beh_ctx *c;
	struct window *w;
};

static const char *const t_flood_net[] = {"T1498", "T1498.001", NULL};
static const char *const t_flood_app[] = {"T1499", "T1499.002", NULL};
static const char *const t_syn[] = {"T1499.001", "T1498", NULL};

static void emit(struct ddos *d, const struct dkey *k, const struct dstate *s, bool syn,
		 double threshold)
{
	struct beh_ctx *c = d->c;
	struct ip dst;
	memset(&dst, 0, sizeof dst);
	dst.family = k->dst[0];
	memcpy(dst.bytes, k->dst + 1, 16);
	char ipb[IP_STRLEN], title[240];
	const char *target = s->name[0] ? s->name : dst.family ? ip_format(&dst, ipb) : "?";
	uint32_t srcs = beh_distinct_count(&s->sources);
	if (syn)
		snprintf(title, sizeof title,
			 "SYN flood against %s:%u: %u half-open of %u in %llds", target, k->port,
			 s->halfopen, s->count, (long long)d->c->cfg->ddos_bucket);
	else
		snprintf(title, sizeof title,
			 "%s flood against %s%s%.0u: %u in %llds from %u sources",
			 k->kind == EK_HTTP ? "Request" : "Connection", target, k->port ? ":" : "",
			 k->port, s->count, (long long)d->c->cfg->ddos_bucket, srcs);
	struct beh_alert ba;
	const char *const *tech = syn ? t_syn : k->kind == EK_HTTP ? t_flood_app : t_flood_net;
	if (!beh_alert_begin(c, &ba, syn ? "behavior.syn_flood" : "behavior.ddos", title, AL_HIGH,
			     tech))
		return;
	struct alert *a = ba.a;
	a->time = s->bucket;
	a->dst_ip = dst;
	a->source = s->file;
	a->record = s->record;
	a->host = alert_strdup(a, slice_cstr(s->name));
	size_t top = 0;
	for (size_t i = 1; i < AS_BEH_TOP; i++)
		if (s->top[i].count > s->top[top].count)
			top = i;
	struct ip origin;
	memset(&origin, 0, sizeof origin);
	origin.family = (uint8_t)s->top[top].name[0];
	memcpy(origin.bytes, s->top[top].name + 1, 16);
	a->src_ip = origin;
	beh_ev_origin(c, &ba, &origin);
	if (dst.family)
		beh_ev_ip(c, &ba, "destination", &dst);
	beh_ev_str(&ba, "target", s->name);
	if (k->port)
		beh_ev_int(&ba, "dst_port", k->port);
	beh_ev_time(&ba, "bucket_start", s->bucket);
	beh_ev_int(&ba, "bucket_seconds", c->cfg->ddos_bucket);
	beh_ev_int(&ba, "events", s->count);
	beh_ev_int(&ba, "half_open", s->halfopen);
	beh_ev_int(&ba, "distinct_sources", srcs);
	beh_ev_num(&ba, "baseline_mean", s->mean);
	beh_ev_num(&ba, "baseline_stddev", sqrt(s->var));
	beh_ev_int(&ba, "baseline_buckets", s->history);
	beh_ev_num(&ba, "threshold", threshold);
	jw_key(&ba.j, "top_sources");
	beh_top_ip_json(c, &ba.j, s->top, AS_BEH_TOP);
	beh_alert_emit(c, &ba, NULL);
}

static void learn(struct dstate *s, double x, double alpha)
{
	if (!s->history) {
		s->mean = x;
		s->var = 0;
	} else {
		double diff = x - s->mean;
		s->mean += alpha * diff;
		s->var = (1 - alpha) * (s->var + alpha * diff * diff);
	}
	s->history++;
}

static void bucket_close(struct ddos *d, const struct dkey *k, struct dstate *s)
{
	const struct behavior_config *cfg = d->c->cfg;
	if (!s->bucket)
		return;
	double threshold = (double)cfg->ddos_min_rate;
	if (s->history >= 5) {
		double t = s->mean + cfg->ddos_sigma * sqrt(s->var);
		if (t > threshold)
			threshold = t;
	}
	bool flood = s->count >= threshold &&
		     beh_distinct_count(&s->sources) >= (uint32_t)cfg->ddos_min_sources;
	bool syn = s->halfopen >= (uint32_t)cfg->synflood_min_halfopen &&
		   (double)s->halfopen >= cfg->synflood_min_ratio * s->count;
	if (syn && !s->in_syn)
		emit(d, k, s, true, threshold);
	else if (flood && !syn && !s->in_flood)
		emit(d, k, s, false, threshold);
	s->in_syn = syn;
	s->in_flood = flood;
	if (!flood && !syn)
		learn(s, s->count, cfg->ddos_alpha);
}

static void ddos_evict(void *ctx, const void *key, void *value)
{
	bucket_close(ctx, key, value);
}

static bool half_open(struct slice st)
{
	return slice_eq_cstr(st, "S0") || slice_eq_cstr(st, "REJ") || slice_eq_cstr(st, "RSTOS0") ||
	       slice_eq_cstr(st, "SH") || slice_eq_cstr(st, "new");
}

static void ddos_event(void *st, struct beh_ctx *c, const struct event *ev)
{
	struct ddos *d = st;
	if (ev->kind != EK_NETWORK && ev->kind != EK_HTTP)
		return;
	struct dkey k;
	memset(&k, 0, sizeof k);
	k.kind = ev->kind;
	struct slice name = SLICE_NULL;
	if (ev->dst_ip.family) {
		beh_ip_key(k.dst, &ev->dst_ip);
		if (event_has_num(ev, EN_DST_PORT))
			k.port = (uint16_t)ev->num[EN_DST_PORT];
	} else {
		/* An access log names no server address: the host it was written on
		 * (or the virtual host) is the service. */
		name = ev->str[ES_DST_HOST].len ? ev->str[ES_DST_HOST]
		       : ev->str[ES_DOMAIN].len ? ev->str[ES_DOMAIN]
						: ev->str[ES_HOST];
		k.name_hash = hash_bytes(name.ptr, name.len) | 1;
	}
	const struct behavior_config *cfg = c->cfg;
	int64_t len = cfg->ddos_bucket * 1000000;
	int64_t b = ev->time - ((ev->time % len) + len) % len;
	struct dstate *s = window_get(d->w, &k, NULL);
	if (s->bucket && b < s->bucket) {
		if (b >= s->bucket - cfg->window_tolerance * 1000000) {
			b = s->bucket; /* late within tolerance: count it now */
		} else {
			/* Another file from earlier: a new timeline. */
			c->res->stats.late++;
			bucket_close(d, &k, s);
			memset(s, 0, sizeof *s);
		}
	}
	if (s->bucket && b > s->bucket) {
		bucket_close(d, &k, s);
		/* Quiet buckets in between are zeros for the baseline (a few at most:
		 * long silences decay it in one step). */
		int64_t gaps = (b - s->bucket) / len - 1;
		int64_t i = 0;
		for (; i < gaps && i < 16 && !s->in_flood && s->history; i++)
			learn(s, 0, cfg->ddos_alpha);
		if (i < gaps && !s->in_flood && s->history) {
			/* Past a few, zeros only decay the baseline: in one step. */
			double f = pow(1 - cfg->ddos_alpha, (double)(gaps - i));
			s->mean *= f;
			s->var *= f;
			s->history += (uint32_t)(gaps - i > 1000 ? 1000 : gaps - i);
		}
		s->count = s->halfopen = 0;
		memset(&s->sources, 0, sizeof s->sources);
		memset(s->top, 0, sizeof s->top);
	}
	s->bucket = b;
	s->count++;
	if (ev->kind == EK_NETWORK && half_open(ev->str[ES_CONN_STATE]))
		s->halfopen++;
	if (ev->src_ip.family) {
		unsigned char sk[17];
		beh_ip_key(sk, &ev->src_ip);
		uint64_t h = hash_bytes(sk, 17);
		beh_distinct_add(&s->sources, h);
		/* Top sources only matter for a bucket that may become a flood: the
		 * quiet majority of destinations skip the list. */
		if (s->count * 8 >= (uint64_t)cfg->ddos_min_rate ||
		    s->halfopen * 8 >= (uint64_t)cfg->synflood_min_halfopen)
			beh_top_add_ip(s->top, AS_BEH_TOP, &ev->src_ip, 1);
	}
	if (name.len && !s->name[0])
		beh_name(s->name, sizeof s->name, name);
	s->file = ev->source;
	s->record = ev->record;
}

static void ddos_flush(void *st, struct beh_ctx *c)
{
	struct ddos *d = st;
	const void *k;
	void *v;
	for (size_t i = 0; window_next(d->w, &i, &k, &v);) {
		bucket_close(d, k, v);
		((struct dstate *)v)->bucket = 0;
	}
}

static int ddos_new(struct beh_ctx *c, void **out)
{
	struct ddos *d = calloc(1, sizeof *d);
	if (!d)
		return AS_ENOMEM;
	d->c = c;
	size_t cap = (size_t)c->cfg->window_max_keys / 4;
	int rc = window_new(&d->w, "ddos.targets", sizeof(struct dkey), sizeof(struct dstate),
			    cap > 1024 ? cap : 1024, BEH_WINDOW_BYTES(c), ddos_evict, d);
	if (rc) {
		free(d);
		return rc;
	}
	*out = d;
	return 0;
}

static void ddos_free(void *st)
{
	struct ddos *d = st;
	if (!d)
		return;
	window_free(d->w);
	free(d);
}

static size_t ddos_windows(void *st, struct window **out, size_t room)
{
	if (!room)
		return 0;
	out[0] = ((struct ddos *)st)->w;
	return 1;
}

const struct beh_module beh_module_ddos = {
    .name = "ddos",
    .state_new = ddos_new,
    .event = ddos_event,
    .flush = ddos_flush,
    .state_free = ddos_free,
    .windows = ddos_windows,
};
