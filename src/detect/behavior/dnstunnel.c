/*
 * dnstunnel.c — DNS tunnelling and DGA look-ups.
 *
 * Names are split into a registered domain and the part below it. The
 * split is public-suffix aware for the suffixes that matter in practice: a
 * short table of second-level public suffixes (co.uk, com.cn, …) takes one
 * more label; anything else takes the last two.
 *
 * Per registered domain, over tumbling spans of dns.window: unique
 * subdomains (linear counting), their mean length and Shannon entropy, TXT
 * and NULL look-ups and NXDOMAIN answers. Many unique, long or random
 * subdomains — or many TXT/NULL look-ups — make behavior.dns_tunnel.
 * Per source host: distinct registered domains answered NXDOMAIN and the
 * entropy of their first label; many random ones make behavior.dga.
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "core/error.h"
#include "detect/behavior/behavior_int.h"

struct tkey {
	uint64_t h;
};

struct tstate {
	struct beh_episode ep;
	uint32_t queries, txt, nx;
	struct beh_distinct subs;
	double len_sum, ent_sum;
	uint32_t measured;
	struct beh_top top[AS_BEH_TOP];
	char name[AS_BEH_MAX_NAME];
	char sample[AS_BEH_MAX_NAME];
	struct ip resolver;
	const struct source *file;
	uint64_t record;
};

struct gkey {
	unsigned char src[17];
	unsigned char pad[7];
};

struct gstate {
	struct beh_episode ep;
	struct beh_distinct nxdomains;
	uint64_t last_h; /* skip repeats of the same name */
	double ent_sum;
	uint32_t nx, measured;
	struct beh_top top[AS_BEH_TOP];
	const struct source *file;
	uint64_t record;
};

struct dns {
	struct beh_ctx *c;
	struct window *domains, *hosts;
};

static const char *const t_tunnel[] = {"T1071.004", "T1048", "T1572", NULL};
static const char *const t_dga[] = {"T1568.002", "T1071.004", NULL};

/* Second-level public suffixes under which registrations happen. */
static const char *const suffixes2[] = {
    "co.uk",          "org.uk",
    "ac.uk",          "gov.uk",
    "com.au",         "net.au",
    "org.au",         "com.cn",
    "net.cn",         "org.cn",
    "gov.cn",         "edu.cn",
    "com.br",         "com.tw",
    "com.hk",         "co.jp",
    "ne.jp",          "or.jp",
    "co.kr",          "or.kr",
    "co.in",          "net.in",
    "com.ru",         "com.tr",
    "com.mx",         "co.za",
    "com.sg",         "com.vn",
    "co.nz",          "com.ar",
    "co.il",          "com.ua",
    "com.pl",         "blogspot.com",
    "github.io",      "herokuapp.com",
    "cloudfront.net", "azurewebsites.net",
    "appspot.com",    "duckdns.org",
    "no-ip.org",      "ddns.net",
    "ngrok.io",       "workers.dev",
    "pages.dev",      "s3.amazonaws.com",
};

/* Split lower-case name at its registered domain: returns the registered
 * domain; *sub gets what is below it (possibly empty). */
struct slice beh_dns_registered(struct slice name, struct slice *sub)
{
	while (name.len && name.ptr[name.len - 1] == '.')
		name.len--;
	size_t dots[4] = {0};
	int nd = 0;
	for (size_t i = name.len; i-- > 0 && nd < 4;)
		if (name.ptr[i] == '.')
			dots[nd++] = i;
	int take = 2;
	if (nd >= 2) {
		struct slice last2 = slice_sub(name, dots[1] + 1, name.len);
		for (size_t i = 0; i < sizeof suffixes2 / sizeof suffixes2[0]; i++)
			if (slice_eq_cstr(last2, suffixes2[i])) {
				take = 3;
				break;
			}
	}
	if (nd < take) {
		*sub = SLICE_NULL;
		return name;
	}
	size_t cut = dots[take - 1];
	*sub = slice_sub(name, 0, cut);
	return slice_sub(name, cut + 1, name.len);
}

static void tunnel_close(struct dns *d, const struct tkey *k, struct tstate *s)
{
	(void)k;
	struct beh_ctx *c = d->c;
	const struct behavior_config *cfg = c->cfg;
	uint32_t subs = beh_distinct_count(&s->subs);
	if (!s->queries || !s->measured)
		return;
	double mlen = s->len_sum / s->measured, ment = s->ent_sum / s->measured;
	bool many = subs >= (uint32_t)cfg->dns_min_subdomains &&
		    (mlen >= cfg->dns_min_label_len || ment >= cfg->dns_min_entropy);
	bool txt = s->txt >= (uint32_t)cfg->dns_min_txt && subs >= 20;
	if (!many && !txt)
		return;
	char title[240];
	snprintf(title, sizeof title,
		 "DNS tunnelling through %s: %u unique subdomains, mean length %.0f, %u TXT/NULL",
		 s->name, subs, mlen, s->txt);
	struct beh_alert ba;
	if (!beh_alert_begin(c, &ba, "behavior.dns_tunnel", title, AL_HIGH, t_tunnel))
		return;
	size_t top = 0;
	for (size_t i = 1; i < AS_BEH_TOP; i++)
		if (s->top[i].count > s->top[top].count)
			top = i;
	struct alert *a = ba.a;
	a->time = s->ep.last;
	a->src_ip.family = (uint8_t)s->top[top].name[0];
	memcpy(a->src_ip.bytes, s->top[top].name + 1, 16);
	a->dst_ip = s->resolver;
	a->source = s->file;
	a->record = s->record;
	alert_add_indicator(a, "domain", slice_cstr(s->name), "domain");
	beh_ev_str(&ba, "domain", s->name);
	beh_ev_int(&ba, "queries", s->queries);
	beh_ev_int(&ba, "unique_subdomains", subs);
	beh_ev_num(&ba, "mean_subdomain_length", mlen);
	beh_ev_num(&ba, "mean_entropy", ment);
	beh_ev_int(&ba, "txt_null", s->txt);
	beh_ev_int(&ba, "nxdomain", s->nx);
	beh_ev_str(&ba, "example", s->sample);
	jw_key(&ba.j, "top_sources");
	beh_top_ip_json(c, &ba.j, s->top, AS_BEH_TOP);
	beh_ev_time(&ba, "first", s->ep.first);
	beh_ev_time(&ba, "last", s->ep.last);
	beh_alert_emit(c, &ba, NULL);
}

static void dga_close(struct dns *d, const struct gkey *k, struct gstate *s)
{
	struct beh_ctx *c = d->c;
	const struct behavior_config *cfg = c->cfg;
	uint32_t n = beh_distinct_count(&s->nxdomains);
	if (n < (uint32_t)cfg->dga_min_nxdomain || !s->measured)
		return;
	double ment = s->ent_sum / s->measured;
	if (ment < cfg->dga_min_entropy)
		return;
	struct ip src;
	memset(&src, 0, sizeof src);
	src.family = k->src[0];
	memcpy(src.bytes, k->src + 1, 16);
	char ipb[IP_STRLEN], title[200];
	snprintf(title, sizeof title, "DGA look-ups from %s: %u random domains answered NXDOMAIN",
		 ip_format(&src, ipb), n);
	struct beh_alert ba;
	if (!beh_alert_begin(c, &ba, "behavior.dga", title, AL_HIGH, t_dga))
		return;
	ba.a->time = s->ep.last;
	ba.a->src_ip = src;
	ba.a->source = s->file;
	ba.a->record = s->record;
	beh_ev_ip(c, &ba, "source", &src);
	beh_ev_int(&ba, "nxdomain_domains", n);
	beh_ev_int(&ba, "nxdomain_answers", s->nx);
	beh_ev_num(&ba, "mean_entropy", ment);
	jw_key(&ba.j, "examples");
	beh_top_json(&ba.j, s->top, AS_BEH_TOP);
	beh_ev_time(&ba, "first", s->ep.first);
	beh_ev_time(&ba, "last", s->ep.last);
	beh_alert_emit(c, &ba, NULL);
}

static void t_evict(void *ctx, const void *key, void *value)
{
	tunnel_close(ctx, key, value);
}

static void g_evict(void *ctx, const void *key, void *value)
{
	dga_close(ctx, key, value);
}

static void dns_event(void *st, struct beh_ctx *c, const struct event *ev)
{
	struct dns *d = st;
	if (ev->kind != EK_DNS || !ev->str[ES_DOMAIN].len)
		return;
	char low[256];
	long n = slice_lower(ev->str[ES_DOMAIN], low, sizeof low);
	if (n <= 0)
		return;
	struct slice sub, reg = beh_dns_registered(slice_make(low, (size_t)n), &sub);
	if (!reg.len)
		return;
	int64_t t = ev->time, span = c->cfg->dns_window * 1000000;
	struct slice qt = ev->str[ES_DNS_QTYPE], rc = ev->str[ES_DNS_RCODE];
	bool is_txt = slice_eq_nocase_cstr(qt, "TXT") || slice_eq_nocase_cstr(qt, "NULL");
	bool is_nx = slice_eq_nocase_cstr(rc, "NXDOMAIN");

	struct tkey tk = {hash_bytes(reg.ptr, reg.len)};
	struct tstate *s = window_get(d->domains, &tk, NULL);
	if (!beh_episode_joins(c, &s->ep, t, 0, span)) {
		tunnel_close(d, &tk, s);
		memset(s, 0, sizeof *s);
	}
	beh_episode_add(&s->ep, t);
	s->queries++;
	s->txt += is_txt;
	s->nx += is_nx;
	if (sub.len) {
		uint32_t before = beh_distinct_count(&s->subs);
		beh_distinct_add(&s->subs, hash_bytes(sub.ptr, sub.len));
		/* Length and entropy of each new subdomain, not of every repeat. */
		if (beh_distinct_count(&s->subs) != before || s->measured < 16) {
			s->len_sum += (double)sub.len;
			s->ent_sum += beh_entropy(sub);
			s->measured++;
			if (!s->sample[0] || sub.len > strlen(s->sample))
				beh_name(s->sample, sizeof s->sample, slice_make(low, (size_t)n));
		}
	}
	if (!s->name[0])
		beh_name(s->name, sizeof s->name, reg);
	if (ev->src_ip.family)
		beh_top_add_ip(s->top, AS_BEH_TOP, &ev->src_ip, 1);
	s->resolver = ev->dst_ip;
	s->file = ev->source;
	s->record = ev->record;

	if (!is_nx || !ev->src_ip.family)
		return;
	struct gkey gk;
	memset(&gk, 0, sizeof gk);
	beh_ip_key(gk.src, &ev->src_ip);
	struct gstate *g = window_get(d->hosts, &gk, NULL);
	if (!beh_episode_joins(c, &g->ep, t, 0, span)) {
		dga_close(d, &gk, g);
		memset(g, 0, sizeof *g);
	}
	beh_episode_add(&g->ep, t);
	g->nx++;
	if (tk.h != g->last_h) {
		g->last_h = tk.h;
		beh_distinct_add(&g->nxdomains, tk.h);
		struct slice label;
		slice_cut(reg, '.', &label);
		g->ent_sum += beh_entropy(label) + (label.len >= 12 ? 0.5 : 0);
		g->measured++;
		beh_top_add(g->top, AS_BEH_TOP, reg, 1);
	}
	g->file = ev->source;
	g->record = ev->record;
}

static void dns_flush(void *st, struct beh_ctx *c)
{
	struct dns *d = st;
	const void *k;
	void *v;
	for (size_t i = 0; window_next(d->domains, &i, &k, &v);) {
		tunnel_close(d, k, v);
		memset(v, 0, sizeof(struct tstate));
	}
	for (size_t i = 0; window_next(d->hosts, &i, &k, &v);) {
		dga_close(d, k, v);
		memset(v, 0, sizeof(struct gstate));
	}
}

static int dns_new(struct beh_ctx *c, void **out)
{
	struct dns *d = calloc(1, sizeof *d);
	if (!d)
		return AS_ENOMEM;
	d->c = c;
	size_t cap = (size_t)c->cfg->window_max_keys;
	int rc = window_new(&d->domains, "dns.domains", sizeof(struct tkey), sizeof(struct tstate),
			    cap, BEH_WINDOW_BYTES(c), t_evict, d);
	if (!rc)
		rc = window_new(&d->hosts, "dns.hosts", sizeof(struct gkey), sizeof(struct gstate),
				cap / 4 > 1024 ? cap / 4 : 1024, BEH_WINDOW_BYTES(c), g_evict, d);
	if (rc) {
		window_free(d->domains);
		free(d);
		return rc;
	}
	*out = d;
	return 0;
}

static void dns_free(void *st)
{
	struct dns *d = st;
	if (!d)
		return;
	window_free(d->domains);
	window_free(d->hosts);
	free(d);
}

static size_t dns_windows(void *st, struct window **out, size_t room)
{
	struct dns *d = st;
	size_t n = 0;
	if (n < room)
		out[n++] = d->domains;
	if (n < room)
		out[n++] = d->hosts;
	return n;
}

const struct beh_module beh_module_dnstunnel = {
    .name = "dnstunnel",
    .state_new = dns_new,
    .event = dns_event,
    .flush = dns_flush,
    .state_free = dns_free,
    .windows = dns_windows,
};
