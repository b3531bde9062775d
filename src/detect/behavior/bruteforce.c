/*
 * bruteforce.c — password guessing in auth events (sshd, PAM, FTP, mail,
 * Windows logons, web log-in forms).
 *
 * Two windows:
 *   by source  {client address}: an episode of failures that stays open while
 *              they come within bruteforce.findtime of each other (fail2ban's
 *              findtime). A leaky bucket of capacity bruteforce.maxretry that
 *              drains maxretry per findtime (CrowdSec) decides whether the
 *              rate was ever high enough (a spray needs no rate: enough
 *              distinct accounts make it); distinct accounts (linear
 *              counting) and top accounts decide the kind:
 *                few accounts                 → behavior.bruteforce
 *                many, few tries each         → behavior.spray
 *              and a success after enough failures raises at once
 *                                             → behavior.success_after_failures
 *   by target  {host or destination, service}: over tumbling spans of
 *              bruteforce.findtime × 6, distinct sources and accounts and the
 *              success rate:
 *                many accounts, many sources, few successes → behavior.stuffing
 *                many sources, few tries each, one target   → behavior.distributed_bruteforce
 * Source alerts are raised when the episode ends (a quiet gap, eviction or
 * the end of input), so that each explains the whole attack once: counts,
 * first and last time, rate, accounts tried. Only success and failure
 * outcomes count; duplicates a reader marks unknown do not.
 * docs/behavior.md gives the scoring model.
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "core/error.h"
#include "detect/behavior/behavior_int.h"

struct src_key {
	unsigned char ip[17];
	unsigned char pad[7];
	uint64_t host_hash; /* the client's host name when no address is known */
};

struct src_state {
	struct beh_episode ep;
	double level; /* leaky bucket */
	int64_t level_t;
	double peak; /* highest level of the episode */
	uint32_t failures, successes, invalid;
	struct beh_counted users;
	struct beh_top top[AS_BEH_TOP];
	char target[AS_BEH_MAX_NAME]; /* host or destination */
	char service[16];
	char method[16];
	struct ip dst;
	const struct source *file;
	uint64_t record;
	uint8_t success_alerted;
};

struct dst_key {
	unsigned char ip[17];
	unsigned char pad[7];
	uint64_t name_hash; /* host + service */
};

struct dst_state {
	struct beh_episode ep;
	uint32_t failures, successes;
	struct beh_counted sources, users;
	struct beh_top top_src[AS_BEH_TOP];
	struct beh_top top_user[AS_BEH_TOP];
	char target[AS_BEH_MAX_NAME];
	char service[16];
	struct ip dst;
	const struct source *file;
	uint64_t record;
};

struct bf {
	struct beh_ctx *c;
	struct window *src, *dst;
};

static const char *const t_bf[] = {"T1110.001", NULL};
static const char *const t_spray[] = {"T1110.003", NULL};
static const char *const t_stuff[] = {"T1110.004", NULL};
static const char *const t_success[] = {"T1110", "T1078", NULL};

static void key_ip(const unsigned char k[17], struct ip *ip)
{
	memset(ip, 0, sizeof *ip);
	ip->family = k[0];
	memcpy(ip->bytes, k + 1, 16);
}

static void place(struct beh_alert *ba, const struct ip *src, const struct ip *dst,
		  const char *host, int64_t t, const struct source *file, uint64_t record)
{
	struct alert *a = ba->a;
	a->time = t;
	if (src)
		a->src_ip = *src;
	if (dst)
		a->dst_ip = *dst;
	a->host = alert_strdup(a, slice_cstr(host));
	a->source = file;
	a->record = record;
}

static void src_common(struct beh_ctx *c, struct beh_alert *ba, const struct ip *ip,
		       const struct src_state *s)
{
	beh_ev_origin(c, ba, ip);
	beh_ev_ip(c, ba, "source", ip);
	beh_ev_int(ba, "failures", s->failures);
	beh_ev_int(ba, "successes", s->successes);
	beh_ev_int(ba, "distinct_users", beh_counted_count(&s->users));
	if (s->invalid)
		beh_ev_int(ba, "invalid_users", s->invalid);
	jw_key(&ba->j, "top_users");
	beh_top_json(&ba->j, s->top, AS_BEH_TOP);
	beh_ev_time(ba, "first", s->ep.first);
	beh_ev_time(ba, "last", s->ep.last);
	double span = (double)(s->ep.last - s->ep.first) / 1e6;
	beh_ev_int(ba, "window_seconds", (int64_t)span);
	beh_ev_num(ba, "per_minute", span > 0 ? s->failures * 60.0 / span : (double)s->failures);
	beh_ev_num(ba, "bucket_peak", s->peak);
	beh_ev_str(ba, "target", s->target);
	beh_ev_str(ba, "service", s->service);
	beh_ev_str(ba, "auth_method", s->method);
}

/* The episode of one source is over: say what it was, if anything. */
static void src_close(struct bf *b, const struct src_key *k, struct src_state *s)
{
	struct beh_ctx *c = b->c;
	const struct behavior_config *cfg = c->cfg;
	if (!s->failures)
		return;
	uint32_t users = beh_counted_count(&s->users);
	double per_user = users ? (double)s->failures / users : s->failures;
	/* A spray is slow by design: the account count, not the rate, makes it. */
	bool spray = users >= (uint32_t)cfg->spray_min_users && per_user <= cfg->spray_max_per_user;
	if (!spray && s->peak < (double)cfg->bruteforce_maxretry)
		return;
	const char *rule, *what;
	const char *const *tech;
	enum alert_level level = AL_MEDIUM;
	if (spray) {
		rule = "behavior.spray";
		what = "Password spraying";
		tech = t_spray;
		level = AL_HIGH;
	} else if (users <= (uint32_t)cfg->bruteforce_max_users ||
		   users < (uint32_t)cfg->spray_min_users) {
		rule = "behavior.bruteforce";
		what = "Brute force";
		tech = t_bf;
	} else {
		/* Many accounts, many tries each: a dictionary over a user list. */
		rule = "behavior.bruteforce";
		what = "Brute force over many accounts";
		tech = t_bf;
	}
	struct ip ip;
	key_ip(k->ip, &ip);
	char ipbuf[IP_STRLEN], title[200];
	snprintf(title, sizeof title, "%s from %s: %u failures against %u account%s%s%s", what,
		 ip.family ? ip_format(&ip, ipbuf) : "unknown source", s->failures, users,
		 users == 1 ? "" : "s", s->service[0] ? " on " : "", s->service);
	struct beh_alert ba;
	if (!beh_alert_begin(c, &ba, rule, title, level, tech))
		return;
	place(&ba, &ip, &s->dst, s->target, s->ep.last, s->file, s->record);
	src_common(c, &ba, &ip, s);
	beh_ev_num(&ba, "failures_per_user", per_user);
	beh_ev_int(&ba, "maxretry", cfg->bruteforce_maxretry);
	beh_ev_int(&ba, "findtime", cfg->bruteforce_findtime);
	beh_alert_emit(c, &ba, &ip);
}

static void src_evict(void *ctx, const void *key, void *value)
{
	src_close(ctx, key, value);
}

static void dst_close(struct bf *b, const struct dst_key *k, struct dst_state *s)
{
	struct beh_ctx *c = b->c;
	const struct behavior_config *cfg = c->cfg;
	uint32_t srcs = beh_counted_count(&s->sources), users = beh_counted_count(&s->users);
	uint32_t attempts = s->failures + s->successes;
	if (!attempts || srcs < 2)
		return;
	double rate = (double)s->successes / attempts;
	double per_src = (double)s->failures / srcs;
	const char *rule = NULL, *what = NULL;
	const char *const *tech = NULL;
	if (users >= (uint32_t)cfg->stuffing_min_users &&
	    srcs >= (uint32_t)cfg->stuffing_min_sources && rate <= cfg->stuffing_max_success_rate) {
		rule = "behavior.stuffing";
		what = "Credential stuffing";
		tech = t_stuff;
	} else if (srcs >= (uint32_t)cfg->distributed_min_sources &&
		   s->failures >= (uint32_t)cfg->distributed_min_failures &&
		   per_src <= cfg->distributed_max_per_source) {
		rule = "behavior.distributed_bruteforce";
		what = "Distributed brute force";
		tech = t_bf;
	}
	if (!rule)
		return;
	char title[200];
	snprintf(title, sizeof title, "%s against %s%s%s: %u sources, %u accounts, %u failures",
		 what, s->target[0] ? s->target : "a service", s->service[0] ? " " : "", s->service,
		 srcs, users, s->failures);
	struct beh_alert ba;
	if (!beh_alert_begin(c, &ba, rule, title, AL_HIGH, tech))
		return;
	struct ip dst;
	key_ip(k->ip, &dst);
	place(&ba, NULL, &dst, s->target, s->ep.last, s->file, s->record);
	/* The heaviest source stands for the attack's origin. */
	size_t top = 0;
	for (size_t i = 1; i < AS_BEH_TOP; i++)
		if (s->top_src[i].count > s->top_src[top].count)
			top = i;
	struct ip origin;
	key_ip((const unsigned char *)s->top_src[top].name, &origin);
	ba.a->src_ip = origin;
	beh_ev_origin(c, &ba, &origin);
	beh_ev_int(&ba, "failures", s->failures);
	beh_ev_int(&ba, "successes", s->successes);
	beh_ev_num(&ba, "success_rate", rate);
	beh_ev_int(&ba, "distinct_sources", srcs);
	beh_ev_int(&ba, "distinct_users", users);
	beh_ev_num(&ba, "failures_per_source", per_src);
	jw_key(&ba.j, "top_sources");
	beh_top_ip_json(c, &ba.j, s->top_src, AS_BEH_TOP);
	jw_key(&ba.j, "top_users");
	beh_top_json(&ba.j, s->top_user, AS_BEH_TOP);
	beh_ev_time(&ba, "first", s->ep.first);
	beh_ev_time(&ba, "last", s->ep.last);
	beh_ev_int(&ba, "window_seconds", (s->ep.last - s->ep.first) / 1000000);
	beh_ev_str(&ba, "service", s->service);
	beh_alert_emit(c, &ba, NULL);
}

static void dst_evict(void *ctx, const void *key, void *value)
{
	dst_close(ctx, key, value);
}

static int bf_new(struct beh_ctx *c, void **out)
{
	struct bf *b = calloc(1, sizeof *b);
	if (!b)
		return AS_ENOMEM;
	b->c = c;
	size_t cap = (size_t)c->cfg->window_max_keys;
	int rc = window_new(&b->src, "auth.sources", sizeof(struct src_key),
			    sizeof(struct src_state), cap, BEH_WINDOW_BYTES(c), src_evict, b);
	if (!rc)
		rc = window_new(&b->dst, "auth.targets", sizeof(struct dst_key),
				sizeof(struct dst_state), cap / 4 > 1024 ? cap / 4 : 1024,
				BEH_WINDOW_BYTES(c), dst_evict, b);
	if (rc) {
		window_free(b->src);
		window_free(b->dst);
		free(b);
		return rc;
	}
	*out = b;
	return 0;
}

static void bf_free(void *p)
{
	struct bf *b = p;
	if (!b)
		return;
	window_free(b->src);
	window_free(b->dst);
	free(b);
}

/* The account a failure was against: the user, else the log-in endpoint. */
static struct slice account_of(const struct event *ev)
{
	if (ev->str[ES_USER].len)
		return ev->str[ES_USER];
	if (ev->str[ES_URL].len) {
		struct slice path;
		slice_cut(ev->str[ES_URL], '?', &path);
		return path;
	}
	return SLICE_LIT("(unknown)");
}

static struct slice target_of(const struct event *ev, char *buf)
{
	if (ev->str[ES_DST_HOST].len)
		return ev->str[ES_DST_HOST];
	if (ev->dst_ip.family)
		return slice_cstr(ip_format(&ev->dst_ip, buf));
	return ev->str[ES_HOST];
}

static void on_success(struct bf *b, const struct event *ev, const struct src_key *k,
		       struct src_state *s, struct slice user)
{
	struct beh_ctx *c = b->c;
	if (s->success_alerted || s->failures < (uint32_t)c->cfg->success_min_failures)
		return;
	s->success_alerted = 1;
	struct ip ip;
	key_ip(k->ip, &ip);
	char ipbuf[IP_STRLEN], title[200];
	snprintf(title, sizeof title,
		 "Log-in as %.*s from %s after %u failures: the guessing succeeded",
		 (int)(user.len > 64 ? 64 : user.len), user.ptr,
		 ip.family ? ip_format(&ip, ipbuf) : "unknown source", s->failures);
	struct beh_alert ba;
	if (!beh_alert_begin(c, &ba, "behavior.success_after_failures", title, AL_CRITICAL,
			     t_success))
		return;
	alert_from_event(ba.a, ev);
	src_common(c, &ba, &ip, s);
	char u[AS_BEH_MAX_NAME];
	beh_name(u, sizeof u, user);
	beh_ev_str(&ba, "user", u);
	beh_ev_time(&ba, "success_time", ev->time);
	beh_alert_emit(c, &ba, &ip);
}

static void bf_event(void *p, struct beh_ctx *c, const struct event *ev)
{
	struct bf *b = p;
	if (ev->kind != EK_AUTH ||
	    (ev->outcome != OUTCOME_SUCCESS && ev->outcome != OUTCOME_FAILURE))
		return;
	struct src_key sk;
	memset(&sk, 0, sizeof sk);
	if (ev->src_ip.family)
		beh_ip_key(sk.ip, &ev->src_ip);
	else if (ev->str[ES_SRC_HOST].len)
		sk.host_hash = hash_bytes(ev->str[ES_SRC_HOST].ptr, ev->str[ES_SRC_HOST].len);
	else
		return;
	const struct behavior_config *cfg = c->cfg;
	int64_t t = ev->time, findtime = cfg->bruteforce_findtime * 1000000;
	struct slice user = account_of(ev);
	char tbuf[IP_STRLEN];
	struct slice target = target_of(ev, tbuf);

	struct src_state *s = window_get(b->src, &sk, NULL);
	if (!beh_episode_joins(c, &s->ep, t, findtime, 0)) {
		src_close(b, &sk, s);
		memset(s, 0, sizeof *s);
	}
	beh_episode_add(&s->ep, t);
	s->file = ev->source;
	s->record = ev->record;
	s->dst = ev->dst_ip;
	beh_name(s->target, sizeof s->target, target);
	beh_name(s->service, sizeof s->service, ev->str[ES_SERVICE]);
	if (ev->str[ES_AUTH_METHOD].len)
		beh_name(s->method, sizeof s->method, ev->str[ES_AUTH_METHOD]);
	if (ev->outcome == OUTCOME_FAILURE) {
		/* Late events within the tolerance count but never drain the bucket backwards. */
		double drain = t > s->level_t ? (double)(t - s->level_t) *
						    cfg->bruteforce_maxretry / (double)findtime
					      : 0;
		s->level = (s->level > drain ? s->level - drain : 0) + 1;
		if (t > s->level_t)
			s->level_t = t;
		if (s->level > s->peak)
			s->peak = s->level;
		s->failures++;
		s->invalid += ev->user_invalid;
		beh_counted_add(&s->users, hash_bytes(user.ptr, user.len));
		beh_top_add(s->top, AS_BEH_TOP, user, 1);
	} else {
		s->successes++;
		on_success(b, ev, &sk, s, user);
	}

	struct dst_key dk;
	memset(&dk, 0, sizeof dk);
	beh_ip_key(dk.ip, &ev->dst_ip);
	uint64_t h1 = hash_bytes(target.ptr, target.len);
	dk.name_hash = h1 ^ hash_u64(hash_bytes(ev->str[ES_SERVICE].ptr, ev->str[ES_SERVICE].len));
	struct dst_state *d = window_get(b->dst, &dk, NULL);
	if (!beh_episode_joins(c, &d->ep, t, 0, findtime * 6)) {
		dst_close(b, &dk, d);
		memset(d, 0, sizeof *d);
	}
	beh_episode_add(&d->ep, t);
	d->file = ev->source;
	d->record = ev->record;
	beh_name(d->target, sizeof d->target, target);
	beh_name(d->service, sizeof d->service, ev->str[ES_SERVICE]);
	if (ev->outcome == OUTCOME_FAILURE) {
		d->failures++;
		beh_counted_add(&d->users, hash_bytes(user.ptr, user.len));
		beh_top_add(d->top_user, AS_BEH_TOP, user, 1);
	} else {
		d->successes++;
	}
	if (ev->src_ip.family) {
		unsigned char k[17];
		beh_ip_key(k, &ev->src_ip);
		beh_counted_add(&d->sources, hash_bytes(k, 17));
		if (ev->outcome == OUTCOME_FAILURE)
			beh_top_add_ip(d->top_src, AS_BEH_TOP, &ev->src_ip, 1);
	}
}

static void bf_flush(void *p, struct beh_ctx *c)
{
	struct bf *b = p;
	const void *k;
	void *v;
	for (size_t i = 0; window_next(b->src, &i, &k, &v);) {
		src_close(b, k, v);
		memset(v, 0, sizeof(struct src_state));
	}
	for (size_t i = 0; window_next(b->dst, &i, &k, &v);) {
		dst_close(b, k, v);
		memset(v, 0, sizeof(struct dst_state));
	}
}

static size_t bf_windows(void *p, struct window **out, size_t room)
{
	struct bf *b = p;
	size_t n = 0;
	if (n < room)
		out[n++] = b->src;
	if (n < room)
		out[n++] = b->dst;
	return n;
}

const struct beh_module beh_module_bruteforce = {
    .name = "bruteforce",
    .state_new = bf_new,
    .event = bf_event,
    .flush = bf_flush,
    .state_free = bf_free,
    .windows = bf_windows,
};
