/*
 * beacon.c — command-and-control beaconing, long connections and strobes,
 * over connection records (Zeek conn, Suricata flow) per (source,
 * destination address) and over TLS SNI / HTTP host names per (source,
 * name), so proxied and fronted beacons are seen too.
 *
 * Each pair keeps its connection start times and sizes (at most
 * AS_BEH_MAX_SAMPLES each, AS_BEH_SAMPLE_BUDGET over all pairs) for a
 * tumbling span of beacon.window. When the span ends (or the input does, or
 * the pair is evicted) the samples are scored after RITA v5:
 *
 *   timestamps  intervals' Bowley skew and median absolute deviation
 *               around the median (MADM): a beacon has symmetric, tight
 *               intervals, and ±50 % uniform jitter still scores 0.75;
 *   data sizes  the same over bytes sent, plus smallness;
 *   histogram   connections per hour over the pair's span: flat (low
 *               coefficient of variation) or two-valued (on/off schedules);
 *   duration    coverage of the data set's span, and the share of its hours
 *               that saw the pair (missed beats cost little here).
 *
 * The score is their mean; beacon.threshold alerts. A pair whose count
 * reaches strobe.min_conns is a strobe instead, and one connection longer
 * than long_conn.seconds raises behavior.long_connection at once.
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "core/error.h"
#include "detect/behavior/behavior_int.h"

struct pair_key {
	unsigned char src[17];
	unsigned char dst[17];
	unsigned char pad[6];
	uint64_t name_hash; /* SNI / host pairs; 0 for address pairs */
};

struct pair {
	struct beh_episode ep;
	struct beh_sample *s; /* heap, once more than fit in inl */
	struct beh_sample inl[2];
	uint32_t n, cap;
	uint64_t conns;
	uint64_t bytes_out, bytes_in;
	int64_t longest;
	uint16_t port;
	uint8_t long_alerted;
	int64_t at; /* time of the event port, file and record come from */
	char name[AS_BEH_MAX_NAME];
	char proto[8];
	const struct source *file;
	uint64_t record;
};

struct beacon {
	struct beh_ctx *c;
	struct window *w;
	uint64_t samples; /* held by all pairs */
	uint64_t dropped; /* samples not kept: budget or per-pair cap */
	int64_t data_first, data_last;
};

static const char *const t_beacon[] = {"T1071", "T1573", NULL};
static const char *const t_long[] = {"T1071", "T1571", NULL};
static const char *const t_strobe[] = {"T1071", "T1499", NULL};

/* ---- scoring ---- */

static int cmp_sample(const void *a, const void *b)
{
	const struct beh_sample *x = a, *y = b;
	return x->t < y->t ? -1 : x->t > y->t;
}

/* The k-th smallest of v[0..n) (v is reordered): Hoare's selection, so the
 * quartiles cost O(n) instead of a sort with a comparison callback. */
static double select_kth(double *v, size_t n, size_t kk)
{
	/* Wirth's selection, with signed indices so that j may pass below l. */
	long l = 0, m = (long)n - 1, k = (long)kk;
	while (l < m) {
		double x = v[k];
		long i = l, j = m;
		do {
			while (v[i] < x)
				i++;
			while (x < v[j])
				j--;
			if (i <= j) {
				double t = v[i];
				v[i] = v[j];
				v[j] = t;
				i++;
				j--;
			}
		} while (i <= j);
		if (j < k)
			l = i;
		if (k < i)
			m = j;
	}
	return v[k];
}

/* Quantile q of v with linear interpolation between order statistics. */
static double quantile(double *v, size_t n, double q)
{
	double pos = q * (double)(n - 1);
	size_t i = (size_t)pos;
	double f = pos - (double)i;
	double a = select_kth(v, n, i);
	if (f == 0 || i + 1 >= n)
		return a;
	/* After selection everything above i is >= v[i]: the next order
	 * statistic is the smallest of them. */
	double b = v[i + 1];
	for (size_t k = i + 2; k < n; k++)
		if (v[k] < b)
			b = v[k];
	return a * (1 - f) + b * f;
}

static double clamp01(double x)
{
	return x < 0 ? 0 : x > 1 ? 1 : x;
}

/* Bowley skew and MADM of v (reordered here); scratch holds n doubles. */
static void spread(double *v, size_t n, double *scratch, double *median, double *skew, double *madm)
{
	double q1 = quantile(v, n, 0.25), q2 = quantile(v, n, 0.5), q3 = quantile(v, n, 0.75);
	*median = q2;
	*skew = 0;
	/* Bowley skew is undefined when the quartiles meet: that is no skew. */
	if (q3 - q1 > 0 && q2 != q1 && q2 != q3)
		*skew = (q3 + q1 - 2 * q2) / (q3 - q1);
	for (size_t i = 0; i < n; i++)
		scratch[i] = fabs(v[i] - q2);
	*madm = quantile(scratch, n, 0.5);
}

int beacon_score_compute(struct beh_sample *s, size_t n, int64_t span_us, struct beacon_score *o)
{
	memset(o, 0, sizeof *o);
	if (n < 4)
		return AS_EINVAL;
	if (n > AS_BEH_MAX_SAMPLES)
		n = AS_BEH_MAX_SAMPLES;
	static _Thread_local double a[AS_BEH_MAX_SAMPLES], b[AS_BEH_MAX_SAMPLES];
	/* Connections mostly arrive in time order: sort only when they did not. */
	for (size_t i = 1; i < n; i++)
		if (s[i].t < s[i - 1].t) {
			qsort(s, n, sizeof *s, cmp_sample);
			break;
		}
	o->conns = (uint32_t)n;

	for (size_t i = 0; i + 1 < n; i++)
		a[i] = (double)(s[i + 1].t - s[i].t) / 1e6;
	double med;
	spread(a, n - 1, b, &med, &o->ts_skew, &o->ts_madm);
	o->interval = med;
	double ts_skew_score = 1 - fabs(o->ts_skew);
	double ts_madm_score = med > 0 ? clamp01(1 - o->ts_madm / med) : 0;
	o->ts_score = (ts_skew_score + ts_madm_score) / 2;

	for (size_t i = 0; i < n; i++)
		a[i] = (double)s[i].bytes;
	spread(a, n, b, &o->ds_median, &o->ds_skew, &o->ds_madm);
	double ds_skew_score = 1 - fabs(o->ds_skew);
	double ds_madm_score = o->ds_median > 0 ? clamp01(1 - o->ds_madm / o->ds_median) : 1;
	/* Beacons are small: check-ins, not transfers. */
	double ds_small = clamp01(1 - o->ds_median / 65535.0);
	o->ds_score = (ds_skew_score + ds_madm_score + ds_small) / 3;

	int64_t first = s[0].t, last = s[n - 1].t;
	int64_t own = last - first;
	size_t hours = (size_t)(own / 3600000000LL) + 1;
	if (hours > 24 * 31)
		hours = 24 * 31;
	static _Thread_local uint32_t hist[24 * 31];
	memset(hist, 0, hours * sizeof *hist);
	for (size_t i = 0; i < n; i++) {
		size_t h = (size_t)((s[i].t - first) / 3600000000LL);
		hist[h < hours ? h : hours - 1]++;
	}
	double mean = (double)n / (double)hours, var = 0;
	for (size_t h = 0; h < hours; h++)
		var += ((double)hist[h] - mean) * ((double)hist[h] - mean);
	double cv = hours > 1 ? sqrt(var / (double)hours) / mean : 0;
	/* Two-valued histograms (busy hours / quiet hours) are schedules too:
	 * the share of hours whose count is within one of the two commonest. */
	uint32_t m1 = 0, m2 = 0, c1 = 0, c2 = 0;
	for (size_t h = 0; h < hours; h++) {
		uint32_t c = 0;
		for (size_t k = 0; k < hours; k++)
			c += hist[k] + 1 >= hist[h] && hist[k] <= hist[h] + 1;
		if (c > c1) {
			if (hist[h] > m1 + 1 || hist[h] + 1 < m1) {
				m2 = m1;
				c2 = c1;
			}
			m1 = hist[h];
			c1 = c;
		} else if (c > c2 && (hist[h] > m1 + 1 || hist[h] + 1 < m1)) {
			m2 = hist[h];
			c2 = c;
		}
	}
	(void)m2;
	double bimodal = hours >= 4 ? clamp01((double)(c1 + c2) / (double)hours) : 0;
	o->hist_score = fmax(clamp01(1 - cv), bimodal * 0.9);

	int64_t span = span_us > own ? span_us : own;
	size_t span_hours = (size_t)(span / 3600000000LL) + (span % 3600000000LL ? 1 : 0);
	if (span_hours == 0)
		span_hours = 1;
	size_t seen = 0;
	for (size_t h = 0; h < hours; h++)
		seen += hist[h] > 0;
	o->coverage = span > 0 ? clamp01((double)own / (double)span) : 0;
	o->consistency = clamp01((double)seen / (double)span_hours);
	o->dur_score = fmax(o->coverage, o->consistency);

	o->score = (o->ts_score + o->ds_score + o->hist_score + o->dur_score) / 4;
	return 0;
}

/* ---- the module ---- */

static void pair_free_samples(struct beacon *b, struct pair *p)
{
	b->samples -= p->n;
	free(p->s);
	p->s = NULL;
	p->n = p->cap = 0;
}

static void pair_place(struct beh_alert *ba, const struct pair_key *k, const struct pair *p,
		       int64_t t)
{
	struct alert *a = ba->a;
	a->time = t;
	a->src_ip.family = k->src[0];
	memcpy(a->src_ip.bytes, k->src + 1, 16);
	a->dst_ip.family = k->dst[0];
	memcpy(a->dst_ip.bytes, k->dst + 1, 16);
	a->source = p->file;
	a->record = p->record;
}

static void pair_common(struct beh_ctx *c, struct beh_alert *ba, const struct pair *p)
{
	const struct alert *a = ba->a;
	beh_ev_ip(c, ba, "source", &a->src_ip);
	if (a->dst_ip.family) {
		beh_ev_ip(c, ba, "destination", &a->dst_ip);
		beh_ev_origin(c, ba, &a->dst_ip);
	}
	beh_ev_str(ba, "server_name", p->name);
	if (p->port)
		beh_ev_int(ba, "dst_port", p->port);
	beh_ev_str(ba, "proto", p->proto);
	beh_ev_int(ba, "connections", (int64_t)p->conns);
	beh_ev_int(ba, "bytes_out", (int64_t)p->bytes_out);
	beh_ev_int(ba, "bytes_in", (int64_t)p->bytes_in);
	beh_ev_time(ba, "first", p->ep.first);
	beh_ev_time(ba, "last", p->ep.last);
}

static void pair_title(char *title, size_t cap, const char *what, const struct pair_key *k,
		       const struct pair *p, const char *extra)
{
	struct ip s, d;
	memset(&s, 0, sizeof s);
	memset(&d, 0, sizeof d);
	s.family = k->src[0];
	memcpy(s.bytes, k->src + 1, 16);
	d.family = k->dst[0];
	memcpy(d.bytes, k->dst + 1, 16);
	char a[IP_STRLEN], bb[IP_STRLEN];
	snprintf(title, cap, "%s from %s to %s%s", what, ip_format(&s, a),
		 p->name[0] ? p->name : ip_format(&d, bb), extra);
}

static void pair_close(struct beacon *b, const struct pair_key *k, struct pair *p)
{
	struct beh_ctx *c = b->c;
	const struct behavior_config *cfg = c->cfg;
	char title[240], extra[80];
	struct ip dst;
	memset(&dst, 0, sizeof dst);
	dst.family = k->dst[0];
	memcpy(dst.bytes, k->dst + 1, 16);
	if (p->conns >= (uint64_t)cfg->strobe_min_conns) {
		snprintf(extra, sizeof extra, ": %llu connections", (unsigned long long)p->conns);
		pair_title(title, sizeof title, "Strobe", k, p, extra);
		struct beh_alert ba;
		if (beh_alert_begin(c, &ba, "behavior.strobe", title, AL_MEDIUM, t_strobe)) {
			pair_place(&ba, k, p, p->ep.last);
			pair_common(c, &ba, p);
			beh_ev_int(&ba, "strobe_min_conns", cfg->strobe_min_conns);
			beh_alert_emit(c, &ba, NULL);
		}
	} else if (p->n >= (uint32_t)cfg->beacon_min_conns) {
		struct beacon_score sc;
		int64_t span = b->data_last - b->data_first;
		if (span > cfg->beacon_window * 1000000)
			span = cfg->beacon_window * 1000000;
		if (beacon_score_compute(p->s, p->n, span, &sc) == 0 &&
		    sc.score >= cfg->beacon_threshold) {
			snprintf(extra, sizeof extra, " every %.0f s (score %.2f)", sc.interval,
				 sc.score);
			pair_title(title, sizeof title, "Beaconing", k, p, extra);
			struct beh_alert ba;
			if (beh_alert_begin(c, &ba, "behavior.beacon", title,
					    sc.score >= 0.9 ? AL_HIGH : AL_MEDIUM, t_beacon)) {
				pair_place(&ba, k, p, p->ep.last);
				pair_common(c, &ba, p);
				beh_ev_num(&ba, "score", sc.score);
				jw_key(&ba.j, "scores");
				jw_obj(&ba.j);
				beh_ev_num(&ba, "timestamps", sc.ts_score);
				beh_ev_num(&ba, "data_size", sc.ds_score);
				beh_ev_num(&ba, "histogram", sc.hist_score);
				beh_ev_num(&ba, "duration", sc.dur_score);
				jw_obj_end(&ba.j);
				beh_ev_num(&ba, "interval_seconds", sc.interval);
				beh_ev_num(&ba, "interval_madm", sc.ts_madm);
				beh_ev_num(&ba, "interval_skew", sc.ts_skew);
				beh_ev_num(&ba, "bytes_median", sc.ds_median);
				beh_ev_num(&ba, "bytes_madm", sc.ds_madm);
				beh_ev_num(&ba, "coverage", sc.coverage);
				beh_ev_num(&ba, "consistency", sc.consistency);
				beh_ev_int(&ba, "samples", sc.conns);
				beh_alert_emit(c, &ba, dst.family ? &dst : NULL);
			}
		}
	}
	pair_free_samples(b, p);
}

static void pair_evict(void *ctx, const void *key, void *value)
{
	pair_close(ctx, key, value);
}

static void long_conn(struct beacon *b, const struct pair_key *k, struct pair *p,
		      const struct event *ev)
{
	struct beh_ctx *c = b->c;
	char title[240], extra[80];
	snprintf(extra, sizeof extra, ": one connection of %lld s",
		 (long long)(ev->num[EN_DURATION_US] / 1000000));
	pair_title(title, sizeof title, "Long connection", k, p, extra);
	struct beh_alert ba;
	if (!beh_alert_begin(c, &ba, "behavior.long_connection", title, AL_MEDIUM, t_long))
		return;
	alert_from_event(ba.a, ev);
	pair_common(c, &ba, p);
	beh_ev_int(&ba, "duration_seconds", ev->num[EN_DURATION_US] / 1000000);
	beh_ev_int(&ba, "long_conn_seconds", c->cfg->long_conn_seconds);
	struct ip dst = ev->dst_ip;
	beh_alert_emit(c, &ba, dst.family && !ip_is_internal(&dst) ? &dst : NULL);
}

static void add_sample(struct beacon *b, struct pair *p, int64_t t, int64_t bytes)
{
	/* Most pairs see a connection or two: those live inside the slot and
	 * cost no allocation. */
	if (!p->s && p->n < 2) {
		p->inl[p->n++] = (struct beh_sample){t, bytes};
		b->samples++;
		return;
	}
	if (p->n >= p->cap) {
		if (p->n >= AS_BEH_MAX_SAMPLES || b->samples >= AS_BEH_SAMPLE_BUDGET) {
			b->dropped++;
			return;
		}
		uint32_t nc = p->cap ? p->cap * 2 : 8;
		if (nc > AS_BEH_MAX_SAMPLES)
			nc = AS_BEH_MAX_SAMPLES;
		struct beh_sample *ns = realloc(p->s, nc * sizeof *ns);
		if (!ns) {
			b->dropped++;
			return;
		}
		if (!p->s)
			memcpy(ns, p->inl, sizeof p->inl);
		p->s = ns;
		p->cap = nc;
	}
	p->s[p->n++] = (struct beh_sample){t, bytes};
	b->samples++;
}

static void track(struct beacon *b, const struct event *ev, const struct pair_key *k,
		  struct slice name)
{
	struct beh_ctx *c = b->c;
	int64_t t = ev->time, span = c->cfg->beacon_window * 1000000;
	struct pair *p = window_get(b->w, k, NULL);
	if (!beh_episode_joins(c, &p->ep, t, 0, span)) {
		pair_close(b, k, p);
		memset(p, 0, sizeof *p);
	}
	beh_episode_add(&p->ep, t);
	p->conns++;
	int64_t out = event_has_num(ev, EN_BYTES_OUT) ? ev->num[EN_BYTES_OUT] : 0;
	int64_t in = event_has_num(ev, EN_BYTES_IN) ? ev->num[EN_BYTES_IN] : 0;
	p->bytes_out += (uint64_t)(out > 0 ? out : 0);
	p->bytes_in += (uint64_t)(in > 0 ? in : 0);
	/* The port and the source shown are those of the pair's latest event in
	 * event time (then file and record), not of the last to arrive: files
	 * read by several threads arrive in any order, and a Sysmon connection
	 * on port 80 read after Zeek's conn.log must not relabel a 443 beacon. */
	bool latest = !p->file || t > p->at ||
		      (t == p->at && ev->source &&
		       (ev->source->id > p->file->id ||
			(ev->source->id == p->file->id && ev->record >= p->record)));
	if (latest) {
		p->at = t;
		p->file = ev->source;
		p->record = ev->record;
		if (event_has_num(ev, EN_DST_PORT))
			p->port = (uint16_t)ev->num[EN_DST_PORT];
	}
	if (name.len && !p->name[0])
		beh_name(p->name, sizeof p->name, name);
	if (!p->proto[0])
		beh_name(p->proto, sizeof p->proto, ev->str[ES_PROTO]);
	add_sample(b, p, t, out);
	if (ev->kind == EK_NETWORK && event_has_num(ev, EN_DURATION_US) &&
	    ev->num[EN_DURATION_US] >= c->cfg->long_conn_seconds * 1000000 && !p->long_alerted) {
		p->long_alerted = 1;
		long_conn(b, k, p, ev);
	}
}

static void beacon_event(void *st, struct beh_ctx *c, const struct event *ev)
{
	struct beacon *b = st;
	if (ev->kind != EK_NETWORK && ev->kind != EK_TLS && ev->kind != EK_HTTP)
		return;
	if (!ev->src_ip.family)
		return;
	if (!b->data_first || ev->time < b->data_first)
		b->data_first = ev->time;
	if (ev->time > b->data_last)
		b->data_last = ev->time;
	struct pair_key k;
	memset(&k, 0, sizeof k);
	beh_ip_key(k.src, &ev->src_ip);
	if (ev->kind == EK_NETWORK) {
		/* Talk among internal hosts is not command and control. */
		if (!ev->dst_ip.family || ip_is_internal(&ev->dst_ip))
			return;
		beh_ip_key(k.dst, &ev->dst_ip);
		track(b, ev, &k, SLICE_NULL);
		return;
	}
	struct slice name = ev->str[ES_DOMAIN];
	if (!name.len || (ev->dst_ip.family && ip_is_internal(&ev->dst_ip)))
		return;
	char low[256];
	long n = slice_lower(name, low, sizeof low);
	if (n <= 0)
		return;
	k.name_hash = hash_bytes(low, (size_t)n) | 1;
	track(b, ev, &k, slice_make(low, (size_t)n));
}

static void beacon_flush(void *st, struct beh_ctx *c)
{
	struct beacon *b = st;
	const void *k;
	void *v;
	for (size_t i = 0; window_next(b->w, &i, &k, &v);) {
		pair_close(b, k, v);
		memset(v, 0, sizeof(struct pair));
	}
}

static int beacon_new(struct beh_ctx *c, void **out)
{
	struct beacon *b = calloc(1, sizeof *b);
	if (!b)
		return AS_ENOMEM;
	b->c = c;
	int rc = window_new(&b->w, "beacon.pairs", sizeof(struct pair_key), sizeof(struct pair),
			    (size_t)c->cfg->window_max_keys, BEH_WINDOW_BYTES(c), pair_evict, b);
	if (rc) {
		free(b);
		return rc;
	}
	*out = b;
	return 0;
}

static void beacon_free(void *st)
{
	struct beacon *b = st;
	if (!b)
		return;
	const void *k;
	void *v;
	for (size_t i = 0; window_next(b->w, &i, &k, &v);)
		free(((struct pair *)v)->s);
	window_free(b->w);
	free(b);
}

static size_t beacon_windows(void *st, struct window **out, size_t room)
{
	struct beacon *b = st;
	if (!room)
		return 0;
	out[0] = b->w;
	return 1;
}

static size_t beacon_extra(void *st)
{
	struct beacon *b = st;
	return (size_t)b->samples * sizeof(struct beh_sample);
}

const struct beh_module beh_module_beacon = {
    .name = "beacon",
    .state_new = beacon_new,
    .event = beacon_event,
    .flush = beacon_flush,
    .state_free = beacon_free,
    .windows = beacon_windows,
    .extra_memory = beacon_extra,
};
