/*
 * exfil.c — exfiltration: outbound volume far above a host's own baseline
 * and far above what came back, to a destination few hosts talk to.
 *
 * Three windows:
 *   hosts  {internal source}: bytes sent per span of exfil.window, with an
 *          exponentially weighted mean of past spans (the host's baseline);
 *   dests  {external destination}: how many internal hosts talk to it
 *          (distinct count) — popular services are not exfiltration targets;
 *   flows  {source, destination}: bytes out and in in the current span.
 * A flow raises behavior.exfiltration once per span when its bytes out reach
 * exfil.min_bytes, exceed exfil.ratio × its bytes in, the destination has at
 * most exfil.rare_sources internal peers, and the host's span total is above
 * exfil.baseline_factor × its baseline (when it has one). Records that send
 * less than exfil.min_bytes / 10,000 are not counted at all.
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "core/error.h"
#include "detect/behavior/behavior_int.h"

struct ipkey {
	unsigned char ip[17];
	unsigned char pad[7];
};

struct host {
	struct beh_episode ep;
	uint64_t out;
	double mean;
	uint32_t spans;
};

struct dest {
	struct beh_distinct peers;
};

struct fkey {
	unsigned char src[17];
	unsigned char dst[17];
	unsigned char pad[6];
};

struct flow {
	struct beh_episode ep;
	uint64_t out, in;
	uint32_t conns;
	uint8_t alerted;
};

struct exfil {
	struct beh_ctx *c;
	struct window *hosts, *dests, *flows;
};

static const char *const t_exfil[] = {"T1041", "T1048", NULL};

static void raise_alert(struct exfil *x, const struct event *ev, const struct flow *f,
			const struct host *h, uint32_t peers)
{
	struct beh_ctx *c = x->c;
	char a1[IP_STRLEN], a2[IP_STRLEN], title[240];
	snprintf(title, sizeof title, "Exfiltration from %s to %s: %.1f MB out, %.1f MB in",
		 ip_format(&ev->src_ip, a1), ip_format(&ev->dst_ip, a2), (double)f->out / 1e6,
		 (double)f->in / 1e6);
	struct beh_alert ba;
	if (!beh_alert_begin(c, &ba, "behavior.exfiltration", title, AL_HIGH, t_exfil))
		return;
	alert_from_event(ba.a, ev);
	beh_ev_origin(c, &ba, &ev->dst_ip);
	beh_ev_ip(c, &ba, "source", &ev->src_ip);
	beh_ev_ip(c, &ba, "destination", &ev->dst_ip);
	beh_ev_int(&ba, "bytes_out", (int64_t)f->out);
	beh_ev_int(&ba, "bytes_in", (int64_t)f->in);
	beh_ev_num(&ba, "out_in_ratio", f->in ? (double)f->out / (double)f->in : (double)f->out);
	beh_ev_int(&ba, "connections", f->conns);
	beh_ev_int(&ba, "host_bytes_out", (int64_t)h->out);
	beh_ev_num(&ba, "host_baseline", h->mean);
	beh_ev_int(&ba, "host_baseline_spans", h->spans);
	beh_ev_int(&ba, "destination_peers", peers);
	beh_ev_int(&ba, "window_seconds", c->cfg->exfil_window);
	beh_ev_time(&ba, "first", f->ep.first);
	beh_ev_time(&ba, "last", f->ep.last);
	beh_alert_emit(c, &ba, &ev->dst_ip);
}

static void exfil_event(void *st, struct beh_ctx *c, const struct event *ev)
{
	struct exfil *x = st;
	if (ev->kind != EK_NETWORK || !ev->src_ip.family || !ev->dst_ip.family)
		return;
	if (!ip_is_internal(&ev->src_ip) || ip_is_internal(&ev->dst_ip))
		return;
	const struct behavior_config *cfg = c->cfg;
	int64_t t = ev->time, span = cfg->exfil_window * 1000000;
	int64_t out = event_has_num(ev, EN_BYTES_OUT) ? ev->num[EN_BYTES_OUT] : 0;
	int64_t in = event_has_num(ev, EN_BYTES_IN) ? ev->num[EN_BYTES_IN] : 0;
	if (out < 0)
		out = 0;
	if (in < 0)
		in = 0;
	/* A record that sends less than a ten-thousandth of the line cannot move
	 * a flow toward it; skipping those (most of them: check-ins, look-ups)
	 * spares three window look-ups per record. */
	if (out * 10000 < cfg->exfil_min_bytes)
		return;

	struct ipkey dk;
	memset(&dk, 0, sizeof dk);
	beh_ip_key(dk.ip, &ev->dst_ip);
	struct dest *d = window_get(x->dests, &dk, NULL);
	unsigned char sk[17];
	beh_ip_key(sk, &ev->src_ip);
	beh_distinct_add(&d->peers, hash_bytes(sk, 17));
	uint32_t peers = beh_distinct_count(&d->peers);

	struct ipkey hk;
	memset(&hk, 0, sizeof hk);
	memcpy(hk.ip, sk, 17);
	struct host *h = window_get(x->hosts, &hk, NULL);
	if (!beh_episode_joins(c, &h->ep, t, 0, span)) {
		/* The span is over: it becomes part of the baseline. */
		h->mean = h->spans ? 0.8 * h->mean + 0.2 * (double)h->out : (double)h->out;
		h->spans++;
		h->out = 0;
		h->ep = (struct beh_episode){0};
	}
	beh_episode_add(&h->ep, t);
	h->out += (uint64_t)out;
	struct host hcopy = *h;

	struct fkey fk;
	memset(&fk, 0, sizeof fk);
	memcpy(fk.src, sk, 17);
	beh_ip_key(fk.dst, &ev->dst_ip);
	struct flow *f = window_get(x->flows, &fk, NULL);
	if (!beh_episode_joins(c, &f->ep, t, 0, span))
		memset(f, 0, sizeof *f);
	beh_episode_add(&f->ep, t);
	f->out += (uint64_t)out;
	f->in += (uint64_t)in;
	f->conns++;
	if (f->alerted || f->out < (uint64_t)cfg->exfil_min_bytes)
		return;
	if ((double)f->out < cfg->exfil_ratio * (double)f->in)
		return;
	if (peers > (uint32_t)cfg->exfil_rare_sources)
		return;
	if (hcopy.spans >= 3 && (double)hcopy.out < cfg->exfil_baseline_factor * hcopy.mean)
		return;
	f->alerted = 1;
	raise_alert(x, ev, f, &hcopy, peers);
}

static void exfil_flush(void *st, struct beh_ctx *c)
{
	(void)st;
	(void)c; /* alerts are raised as flows cross the line */
}

static int exfil_new(struct beh_ctx *c, void **out)
{
	struct exfil *x = calloc(1, sizeof *x);
	if (!x)
		return AS_ENOMEM;
	x->c = c;
	size_t cap = (size_t)c->cfg->window_max_keys;
	size_t quarter = cap / 4 > 1024 ? cap / 4 : 1024;
	int rc = window_new(&x->hosts, "exfil.hosts", sizeof(struct ipkey), sizeof(struct host),
			    quarter, BEH_WINDOW_BYTES(c), NULL, NULL);
	if (!rc)
		rc = window_new(&x->dests, "exfil.destinations", sizeof(struct ipkey),
				sizeof(struct dest), cap, BEH_WINDOW_BYTES(c), NULL, NULL);
	if (!rc)
		rc = window_new(&x->flows, "exfil.flows", sizeof(struct fkey), sizeof(struct flow),
				cap, BEH_WINDOW_BYTES(c), NULL, NULL);
	if (rc) {
		window_free(x->hosts);
		window_free(x->dests);
		free(x);
		return rc;
	}
	*out = x;
	return 0;
}

static void exfil_free(void *st)
{
	struct exfil *x = st;
	if (!x)
		return;
	window_free(x->hosts);
	window_free(x->dests);
	window_free(x->flows);
	free(x);
}

static size_t exfil_windows(void *st, struct window **out, size_t room)
{
	struct exfil *x = st;
	size_t n = 0;
	if (n < room)
		out[n++] = x->hosts;
	if (n < room)
		out[n++] = x->dests;
	if (n < room)
		out[n++] = x->flows;
	return n;
}

const struct beh_module beh_module_exfil = {
    .name = "exfil",
    .state_new = exfil_new,
    .event = exfil_event,
    .flush = exfil_flush,
    .state_free = exfil_free,
    .windows = exfil_windows,
};
