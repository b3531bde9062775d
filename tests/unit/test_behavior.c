/* test_behavior.c — the behaviour detectors: hand-made and generated event
 * sequences with known ground truth, windows under a flood of keys, the
 * config file, blocklists, and the bundled sample scenario. */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <cmocka.h>

#include "core/error.h"
#include "core/hash.h"
#include "core/timeparse.h"
#include "detect/behavior/behavior.h"
#include "detect/behavior/behavior_int.h"
#include "detect/behavior/window.h"
#include "read/reader.h"

#define MAX_ALERTS 4096
#define T0         1740787200LL /* 2025-03-01T00:00:00Z */

struct harness {
	struct alert_sink sink;
	struct alert *alerts[MAX_ALERTS];
	size_t n;
	struct detector d;
	void *w;
	struct arena arena;
	struct diag_sink diags;
	FILE *diag_out;
	char *diag_text;
	size_t diag_len;
};

static int collect(struct alert_sink *s, struct alert *a)
{
	struct harness *h = (struct harness *)s;
	if (h->n < MAX_ALERTS)
		h->alerts[h->n++] = a;
	else
		alert_free(a);
	return 0;
}

static const char *h_geo; /* MaxMind database for the next h_init, or NULL */

static void h_init(struct harness *h, const struct behavior_config *cfg)
{
	memset(h, 0, sizeof *h);
	h->sink.emit = collect;
	arena_init(&h->arena, 0);
	h->diag_out = open_memstream(&h->diag_text, &h->diag_len);
	diag_sink_init(&h->diags, h->diag_out);
	struct behavior_config def;
	behavior_config_default(&def);
	assert_int_equal(behavior_detector_init_config(&h->d, cfg ? cfg : &def, h_geo, &h->diags),
			 0);
	assert_true(h->d.serial);
	assert_int_equal(h->d.worker_new(&h->d, &h->w), 0);
}

static void h_feed(struct harness *h, const struct event *evs, size_t n)
{
	for (size_t i = 0; i < n; i += 1000)
		h->d.scan(h->w, evs + i, n - i < 1000 ? n - i : 1000, &h->sink);
}

static void h_flush(struct harness *h)
{
	assert_int_equal(h->d.flush(h->w, &h->sink), 0);
	h->d.worker_free(h->w);
	h->w = NULL;
	fflush(h->diag_out);
}

static size_t h_count(const struct harness *h, const char *rule)
{
	size_t n = 0;
	for (size_t i = 0; i < h->n; i++)
		n += strcmp(h->alerts[i]->rule_id, rule) == 0;
	return n;
}

static const struct alert *h_find(const struct harness *h, const char *rule, const char *src)
{
	for (size_t i = 0; i < h->n; i++) {
		char b[IP_STRLEN];
		if (strcmp(h->alerts[i]->rule_id, rule))
			continue;
		if (!src || !strcmp(ip_format(&h->alerts[i]->src_ip, b), src))
			return h->alerts[i];
	}
	return NULL;
}

static void h_fini(struct harness *h)
{
	if (h->w)
		h->d.worker_free(h->w);
	for (size_t i = 0; i < h->n; i++)
		alert_free(h->alerts[i]);
	h->d.shared_free(h->d.shared);
	arena_free(&h->arena);
	diag_sink_fini(&h->diags);
	fclose(h->diag_out);
	free(h->diag_text);
}

static struct slice sdup(struct harness *h, const char *s)
{
	return s ? arena_slice_dup(&h->arena, slice_cstr(s)) : SLICE_NULL;
}

static void ip_set(struct ip *ip, const char *s)
{
	if (s)
		assert_int_equal(ip_parse(slice_cstr(s), ip), 0);
}

static struct event ev_auth(struct harness *h, double t, const char *src, const char *user,
			    int outcome, const char *service)
{
	struct event e;
	event_clear(&e);
	e.time = (int64_t)((T0 + t) * 1e6);
	e.kind = EK_AUTH;
	e.outcome = (uint8_t)outcome;
	ip_set(&e.src_ip, src);
	e.str[ES_USER] = sdup(h, user);
	e.str[ES_SERVICE] = sdup(h, service);
	e.str[ES_HOST] = sdup(h, "vpn");
	return e;
}

static struct event ev_conn(double t, const char *src, const char *dst, int port, int64_t out,
			    int64_t in, double dur, const char *state)
{
	struct event e;
	event_clear(&e);
	e.time = (int64_t)((T0 + t) * 1e6);
	e.kind = EK_NETWORK;
	ip_set(&e.src_ip, src);
	ip_set(&e.dst_ip, dst);
	event_set_num(&e, EN_DST_PORT, port);
	event_set_num(&e, EN_BYTES_OUT, out);
	event_set_num(&e, EN_BYTES_IN, in);
	event_set_num(&e, EN_DURATION_US, (int64_t)(dur * 1e6));
	e.str[ES_CONN_STATE] = slice_cstr(state);
	e.str[ES_PROTO] = SLICE_LIT("tcp");
	return e;
}

static struct event ev_dns(struct harness *h, double t, const char *src, const char *name,
			   const char *qtype, const char *rcode)
{
	struct event e;
	event_clear(&e);
	e.time = (int64_t)((T0 + t) * 1e6);
	e.kind = EK_DNS;
	ip_set(&e.src_ip, src);
	ip_set(&e.dst_ip, "10.0.0.2");
	e.str[ES_DOMAIN] = sdup(h, name);
	e.str[ES_DNS_QTYPE] = slice_cstr(qtype);
	e.str[ES_DNS_RCODE] = slice_cstr(rcode);
	return e;
}

/* A small deterministic generator, so generated sequences are the same on
 * every run. */
static uint64_t rng_state = 88172645463325252ull;
static uint64_t rnd(void)
{
	rng_state ^= rng_state << 13;
	rng_state ^= rng_state >> 7;
	rng_state ^= rng_state << 17;
	return rng_state;
}
static double rnd01(void)
{
	return (double)(rnd() >> 11) / 9007199254740992.0;
}

static struct event *evbuf(size_t n)
{
	struct event *e = calloc(n, sizeof *e);
	assert_non_null(e);
	return e;
}

/* ---- config ---- */

static void test_config(void **st)
{
	(void)st;
	struct behavior_config c;
	behavior_config_default(&c);
	assert_int_equal(c.bruteforce_maxretry, 10);
	assert_int_equal(c.exfil_min_bytes, 100000000);
	const char *text =
	    "# comment\n[bruteforce]\nmaxretry = 5 ; inline\nfindtime=60\n"
	    "[beacon]\nthreshold = 0.8\nnosuch = 1\nmin_conns = 2\n"
	    "spray.min_users = 4\njunk line\n[broken\nexfil.min_bytes = 5000000000\n";
	unsigned nbad = 0;
	assert_int_equal(behavior_config_parse(&c, text, strlen(text), "t.conf", NULL, &nbad), 0);
	assert_int_equal(c.bruteforce_maxretry, 5);
	assert_int_equal(c.bruteforce_findtime, 60);
	assert_true(c.beacon_threshold > 0.79 && c.beacon_threshold < 0.81);
	assert_int_equal(c.beacon_min_conns, 20); /* 2 is below the minimum: rejected */
	assert_int_equal(c.spray_min_users, 4);
	assert_int_equal(c.exfil_min_bytes, 5000000000LL);
	assert_int_equal(nbad, 4); /* nosuch, min_conns, junk line, [broken */
	assert_int_equal(behavior_config_load(&c, "/nonexistent/behavior.conf", NULL), AS_ENOENT);
}

static void test_config_bundled(void **st)
{
	(void)st;
	/* data/behavior.conf must hold exactly the defaults, all of them known. */
	const char *dir = getenv("APTSCOPE_TEST_DATA");
	if (!dir)
		skip();
	char path[1024];
	snprintf(path, sizeof path, "%s/../../data/behavior.conf", dir);
	FILE *f = fopen(path, "rb");
	assert_non_null(f);
	char *text = malloc(1 << 20);
	size_t n = fread(text, 1, 1 << 20, f);
	fclose(f);
	struct behavior_config a, b;
	behavior_config_default(&a);
	memset(&b, 0x5a, sizeof b);
	behavior_config_default(&b);
	unsigned nbad = 1;
	assert_int_equal(behavior_config_parse(&b, text, n, path, NULL, &nbad), 0);
	assert_int_equal(nbad, 0);
	assert_memory_equal(&a, &b, sizeof a);
	free(text);
}

/* ---- windows ---- */

static unsigned evicted;
static void count_evict(void *ctx, const void *k, void *v)
{
	(void)ctx;
	(void)k;
	(void)v;
	evicted++;
}

static void test_window_cap(void **st)
{
	(void)st;
	struct window *w;
	assert_int_equal(window_new(&w, "t", 8, 16, 1000, 0, count_evict, NULL), 0);
	evicted = 0;
	for (uint64_t i = 0; i < 100000; i++) {
		uint64_t *v = window_get(w, &i, NULL);
		assert_non_null(v);
		v[0] = i;
		assert_true(window_count(w) <= 1000);
		/* Key 7 is touched all the time: it must survive every eviction. */
		uint64_t seven = 7;
		if (i >= 7) {
			bool created;
			uint64_t *s = window_get(w, &seven, &created);
			assert_false(created);
			assert_int_equal(s[0], 7);
		}
	}
	assert_true(window_shed(w) > 90000);
	assert_int_equal(evicted, window_shed(w));
	/* Every surviving key is still findable after the in-place re-seating. */
	const void *k;
	void *v;
	size_t seen = 0;
	for (size_t it = 0; window_next(w, &it, &k, &v); seen++) {
		assert_ptr_equal(window_find(w, k), v);
		assert_int_equal(*(const uint64_t *)k, ((uint64_t *)v)[0]);
	}
	assert_int_equal(seen, window_count(w));
	assert_true(window_memory(w) < 1000 * 64 * 3);
	window_free(w);
	window_free(NULL);
}

/* ---- brute force family ---- */

static void test_bruteforce_then_success(void **st)
{
	(void)st;
	struct harness h;
	h_init(&h, NULL);
	struct event e[64];
	size_t n = 0;
	for (int i = 0; i < 30; i++)
		e[n++] = ev_auth(&h, i * 4.0, "45.155.205.233", "root", OUTCOME_FAILURE, "sshd");
	/* Non-counting duplicates and a slow benign user. */
	e[n++] = ev_auth(&h, 10, "45.155.205.233", "root", OUTCOME_UNKNOWN, "sshd");
	for (int i = 0; i < 3; i++)
		e[n++] = ev_auth(&h, 50 + i * 300.0, "10.1.1.5", "alice", OUTCOME_FAILURE, "sshd");
	e[n++] = ev_auth(&h, 1000, "10.1.1.5", "alice", OUTCOME_SUCCESS, "sshd");
	e[n++] = ev_auth(&h, 125, "45.155.205.233", "deploy", OUTCOME_SUCCESS, "sshd");
	h_feed(&h, e, n);
	h_flush(&h);
	const struct alert *s = h_find(&h, "behavior.success_after_failures", "45.155.205.233");
	assert_non_null(s);
	assert_int_equal(s->level, AL_CRITICAL);
	assert_non_null(strstr(s->evidence, "\"user\":\"deploy\""));
	assert_non_null(strstr(s->evidence, "\"failures\":30"));
	const struct alert *b = h_find(&h, "behavior.bruteforce", "45.155.205.233");
	assert_non_null(b);
	assert_string_equal(b->techniques[0], "T1110.001");
	assert_non_null(strstr(b->evidence, "\"top_users\":[{\"value\":\"root\",\"count\":30}"));
	assert_non_null(strstr(b->evidence, "\"block_seconds\":"));
	assert_null(h_find(&h, "behavior.bruteforce", "10.1.1.5"));
	assert_int_equal(h.n, 2);
	h_fini(&h);
}

/* A spray of exactly spray.min_users accounts is one, and is counted so,
 * whatever the process's hash seed; the distinct counts past the exact range
 * stay near the truth. */
static void test_spray_threshold_every_seed(void **st)
{
	(void)st;
	uint64_t saved = hash_seed;
	struct behavior_config cfg;
	behavior_config_default(&cfg);
	for (uint64_t k = 0; k < 200; k++) {
		hash_seed = (k * 0x9e3779b97f4a7c15ull) | 1;
		struct harness h;
		h_init(&h, &cfg);
		struct event e[16];
		char user[32];
		size_t n = 0;
		for (int i = 0; i < cfg.spray_min_users; i++) {
			snprintf(user, sizeof user, "staff%d", i);
			e[n++] = ev_auth(&h, 100 + i * 60.0, "93.184.113.80", user, OUTCOME_FAILURE,
					 "sshd");
		}
		h_feed(&h, e, n);
		h_flush(&h);
		const struct alert *a = h_find(&h, "behavior.spray", "93.184.113.80");
		if (!a)
			fail_msg("seed %llu: no spray of %d accounts",
				 (unsigned long long)hash_seed, (int)cfg.spray_min_users);
		char want[64];
		snprintf(want, sizeof want, "against %d accounts", (int)cfg.spray_min_users);
		assert_non_null(strstr(a->rule_title, want));
		h_fini(&h);
	}
	hash_seed = saved;
	/* exact up to BEH_EXACT, an estimate above, never below BEH_EXACT + 1 */
	for (uint32_t want = 1; want <= 400; want += want < 40 ? 1 : 37) {
		struct beh_counted d;
		memset(&d, 0, sizeof d);
		for (uint32_t i = 0; i < want; i++) {
			char v[16];
			int l = snprintf(v, sizeof v, "u%u", i);
			beh_counted_add(&d, hash_bytes(v, (size_t)l));
			beh_counted_add(&d, hash_bytes(v, (size_t)l)); /* repeats count once */
		}
		uint32_t got = beh_counted_count(&d);
		if (want <= BEH_EXACT)
			assert_int_equal(got, want);
		else
			assert_true(got > BEH_EXACT && got >= want * 9 / 10 &&
				    got <= want * 11 / 10 + 1);
	}
}

/* Spraying among normal log-ins: one source, 40 accounts, one try each,
 * among 200 users logging in normally (and sometimes mistyping). */
static void test_spray_among_normal(void **st)
{
	(void)st;
	struct harness h;
	h_init(&h, NULL);
	struct event *e = evbuf(2000);
	size_t n = 0;
	char user[32], src[32];
	for (int i = 0; i < 1200; i++) {
		double t = rnd01() * 86400;
		int u = (int)(rnd() % 200);
		snprintf(user, sizeof user, "user%d", u);
		snprintf(src, sizeof src, "10.2.%d.%d", u / 200, u % 200 + 1);
		if (rnd() % 10 == 0)
			e[n++] = ev_auth(&h, t, src, user, OUTCOME_FAILURE, "sshd");
		e[n++] = ev_auth(&h, t + 5, src, user, OUTCOME_SUCCESS, "sshd");
	}
	for (int i = 0; i < 40; i++) {
		snprintf(user, sizeof user, "user%d", i * 5);
		e[n++] =
		    ev_auth(&h, 40000 + i * 20.0, "93.184.113.77", user, OUTCOME_FAILURE, "sshd");
	}
	/* A slow spray: one try every 8 minutes, never a burst. */
	for (int i = 0; i < 9; i++) {
		snprintf(user, sizeof user, "user%d", i * 7 + 1);
		e[n++] =
		    ev_auth(&h, 60000 + i * 480.0, "93.184.113.78", user, OUTCOME_FAILURE, "sshd");
	}
	h_feed(&h, e, n);
	h_flush(&h);
	assert_non_null(h_find(&h, "behavior.spray", "93.184.113.78"));
	const struct alert *a = h_find(&h, "behavior.spray", "93.184.113.77");
	assert_non_null(a);
	assert_string_equal(a->techniques[0], "T1110.003");
	assert_int_equal(h_count(&h, "behavior.spray"), 2);
	assert_int_equal(h_count(&h, "behavior.bruteforce"), 0);
	assert_int_equal(h_count(&h, "behavior.success_after_failures"), 0);
	free(e);
	h_fini(&h);
}

static void test_distributed_and_stuffing(void **st)
{
	(void)st;
	struct harness h;
	h_init(&h, NULL);
	struct event *e = evbuf(4000);
	size_t n = 0;
	char src[32], user[32];
	/* 40 sources, 4 tries each at "admin" on one service: distributed. */
	for (int s = 0; s < 40; s++)
		for (int k = 0; k < 4; k++) {
			snprintf(src, sizeof src, "91.198.100.%d", s + 1);
			e[n++] =
			    ev_auth(&h, s * 30.0 + k * 7, src, "admin", OUTCOME_FAILURE, "ftp");
		}
	/* 30 sources × 20 accounts, one try each, 2 % success: stuffing on imap. */
	for (int s = 0; s < 30; s++)
		for (int u = 0; u < 20; u++) {
			snprintf(src, sizeof src, "92.0.2.%d", s + 1);
			snprintf(user, sizeof user, "mail%d", s * 20 + u);
			int ok = (s * 20 + u) % 50 == 0;
			e[n++] = ev_auth(&h, 5000 + s * 40.0 + u, src, user,
					 ok ? OUTCOME_SUCCESS : OUTCOME_FAILURE, "imap");
		}
	h_feed(&h, e, n);
	h_flush(&h);
	assert_int_equal(h_count(&h, "behavior.distributed_bruteforce"), 1);
	assert_int_equal(h_count(&h, "behavior.stuffing"), 1);
	const struct alert *d = h_find(&h, "behavior.distributed_bruteforce", NULL);
	assert_non_null(strstr(d->evidence, "\"distinct_sources\":"));
	assert_non_null(strstr(d->evidence, "\"top_sources\":[{\"ip\":\"91.198.100."));
	const struct alert *s = h_find(&h, "behavior.stuffing", NULL);
	assert_string_equal(s->techniques[0], "T1110.004");
	/* No single source tried often enough to be a brute force. */
	assert_int_equal(h_count(&h, "behavior.bruteforce"), 0);
	free(e);
	h_fini(&h);
}

/* Events shuffled within the tolerance, and two files in reverse time order. */
static void test_out_of_order(void **st)
{
	(void)st;
	struct harness h;
	h_init(&h, NULL);
	struct event e[80];
	size_t n = 0;
	/* File 2 (later day) first, shuffled within a minute. */
	for (int i = 0; i < 20; i++)
		e[n++] = ev_auth(&h, 86400 + ((i * 7) % 20) * 3.0, "93.184.113.9", "root",
				 OUTCOME_FAILURE, "sshd");
	/* File 1 (a day earlier) afterwards. */
	for (int i = 0; i < 20; i++)
		e[n++] = ev_auth(&h, i * 3.0, "93.184.113.9", "oracle", OUTCOME_FAILURE, "sshd");
	h_feed(&h, e, n);
	h_flush(&h);
	assert_int_equal(h_count(&h, "behavior.bruteforce"), 2);
	struct behavior_stats stt;
	behavior_detector_stats(&h.d, &stt);
	assert_true(stt.late >= 1);
	h_fini(&h);
}

/* ---- beaconing ---- */

static void test_beacon_score(void **st)
{
	(void)st;
	struct beh_sample s[400];
	struct beacon_score sc;
	for (int i = 0; i < 288; i++)
		s[i] = (struct beh_sample){(int64_t)(i * 300) * 1000000, 512};
	assert_int_equal(beacon_score_compute(s, 288, 86400000000LL, &sc), 0);
	assert_true(sc.score > 0.95);
	assert_true(sc.interval > 299 && sc.interval < 301);
	/* Poisson arrivals of varied sizes: not a beacon. */
	double t = 0;
	for (int i = 0; i < 288; i++) {
		t += -log(1 - rnd01()) * 300;
		s[i] = (struct beh_sample){(int64_t)(t * 1e6), (int64_t)(rnd() % 200000)};
	}
	assert_int_equal(beacon_score_compute(s, 288, 86400000000LL, &sc), 0);
	assert_true(sc.score < 0.7);
	assert_int_equal(beacon_score_compute(s, 3, 0, &sc), AS_EINVAL);
}

/* Beacons at set intervals and jitter among background traffic. */
static void test_beacon_generated(void **st)
{
	(void)st;
	struct harness h;
	h_init(&h, NULL);
	struct event *e = evbuf(20000);
	size_t n = 0;
	char src[32], dst[32];
	for (int i = 0; i < 12000; i++) {
		snprintf(src, sizeof src, "10.3.0.%d", (int)(rnd() % 50) + 1);
		snprintf(dst, sizeof dst, "93.184.%d.%d", (int)(rnd() % 8), (int)(rnd() % 20) + 1);
		e[n++] = ev_conn(rnd01() * 86400, src, dst, 443, (int64_t)(rnd() % 100000),
				 (int64_t)(rnd() % 1000000), rnd01() * 30, "SF");
	}
	/* 600 s ± 50 % uniform jitter, 10 % of beats missed. */
	for (double t = 100; t < 86400; t += 600 * (0.5 + rnd01())) {
		if (rnd() % 10 == 0)
			continue;
		e[n++] = ev_conn(t, "10.3.0.200", "91.198.100.66", 8443,
				 400 + (int64_t)(rnd() % 40), 1200, 0.3, "SF");
	}
	/* 60 s ± 10 % from another host. */
	for (double t = 0; t < 43200; t += 60 * (0.9 + 0.2 * rnd01()))
		e[n++] = ev_conn(t, "10.3.0.201", "91.198.100.67", 443, 300, 300, 0.1, "SF");
	/* A four-hour connection. */
	e[n++] = ev_conn(500, "10.3.0.9", "93.184.113.200", 22, 10000, 10000, 4 * 3600, "SF");
	h_feed(&h, e, n);
	h_flush(&h);
	assert_non_null(h_find(&h, "behavior.beacon", "10.3.0.200"));
	assert_non_null(h_find(&h, "behavior.beacon", "10.3.0.201"));
	assert_int_equal(h_count(&h, "behavior.beacon"), 2);
	assert_int_equal(h_count(&h, "behavior.long_connection"), 1);
	const struct alert *b = h_find(&h, "behavior.beacon", "10.3.0.200");
	assert_string_equal(b->techniques[0], "T1071");
	assert_non_null(strstr(b->evidence, "\"interval_seconds\":"));
	free(e);
	h_fini(&h);
}

/* A beacon seen only through TLS server names (fronted, rotating addresses). */
static void test_beacon_sni(void **st)
{
	(void)st;
	struct harness h;
	h_init(&h, NULL);
	struct event *e = evbuf(2000);
	size_t n = 0;
	char dst[32];
	for (double t = 0; t < 86400; t += 120 * (0.8 + 0.4 * rnd01())) {
		snprintf(dst, sizeof dst, "151.101.%d.%d", (int)(rnd() % 4),
			 (int)(rnd() % 200) + 1);
		struct event x;
		event_clear(&x);
		x.time = (int64_t)((T0 + t) * 1e6);
		x.kind = EK_TLS;
		ip_set(&x.src_ip, "10.9.0.5");
		ip_set(&x.dst_ip, dst);
		x.str[ES_DOMAIN] = SLICE_LIT("Updates.Cdn-Front.example");
		e[n++] = x;
	}
	h_feed(&h, e, n);
	h_flush(&h);
	const struct alert *a = h_find(&h, "behavior.beacon", "10.9.0.5");
	assert_non_null(a);
	assert_non_null(strstr(a->evidence, "\"server_name\":\"updates.cdn-front.example\""));
	assert_int_equal(h_count(&h, "behavior.beacon"), 1);
	free(e);
	h_fini(&h);
}

/* ---- DNS ---- */

static void test_registered_domain(void **st)
{
	(void)st;
	struct {
		const char *name, *reg, *sub;
	} cases[] = {
	    {"a.b.example.com", "example.com", "a.b"},
	    {"example.com.", "example.com", ""},
	    {"www.bbc.co.uk", "bbc.co.uk", "www"},
	    {"x.y.evil.com.cn", "evil.com.cn", "x.y"},
	    {"localhost", "localhost", ""},
	    {"foo.github.io", "foo.github.io", ""},
	    {"abc.def.foo.github.io", "foo.github.io", "abc.def"},
	};
	for (size_t i = 0; i < sizeof cases / sizeof cases[0]; i++) {
		struct slice sub, reg = beh_dns_registered(slice_cstr(cases[i].name), &sub);
		char r[128], s[128];
		slice_copy_cstr(reg, r, sizeof r);
		slice_copy_cstr(sub, s, sizeof s);
		assert_string_equal(r, cases[i].reg);
		assert_string_equal(s, cases[i].sub);
	}
}

static void random_label(char *out, size_t len)
{
	static const char al[] = "abcdefghijklmnopqrstuvwxyz0123456789";
	for (size_t i = 0; i < len; i++)
		out[i] = al[rnd() % 36];
	out[len] = 0;
}

static void test_dns_tunnel_and_dga(void **st)
{
	(void)st;
	struct harness h;
	h_init(&h, NULL);
	struct event *e = evbuf(4000);
	size_t n = 0;
	char name[128], label[64];
	static const char *const normal[] = {"www.google.com", "mail.example.org",
					     "cdn.jsdelivr.net", "time.windows.com"};
	for (int i = 0; i < 1500; i++)
		e[n++] = ev_dns(&h, i * 2.0, "10.4.0.5", normal[i % 4], "A", "NOERROR");
	for (int i = 0; i < 400; i++) {
		random_label(label, 40);
		snprintf(name, sizeof name, "%s.t.tunnel-exfil.com", label);
		e[n++] = ev_dns(&h, 100 + i * 5.0, "10.4.0.66", name, "TXT", "NOERROR");
	}
	for (int i = 0; i < 60; i++) {
		random_label(label, 14);
		snprintf(name, sizeof name, "%s.net", label);
		e[n++] = ev_dns(&h, 200 + i * 10.0, "10.4.0.77", name, "A", "NXDOMAIN");
	}
	/* A host that mistypes a few names: no DGA. */
	for (int i = 0; i < 5; i++)
		e[n++] = ev_dns(&h, 300 + i, "10.4.0.5", "gogle.com", "A", "NXDOMAIN");
	h_feed(&h, e, n);
	h_flush(&h);
	const struct alert *t = h_find(&h, "behavior.dns_tunnel", "10.4.0.66");
	assert_non_null(t);
	assert_non_null(strstr(t->evidence, "\"domain\":\"tunnel-exfil.com\""));
	assert_int_equal(h_count(&h, "behavior.dns_tunnel"), 1);
	assert_non_null(h_find(&h, "behavior.dga", "10.4.0.77"));
	assert_int_equal(h_count(&h, "behavior.dga"), 1);
	free(e);
	h_fini(&h);
}

/* ---- floods ---- */

static void test_ddos_and_synflood(void **st)
{
	(void)st;
	struct harness h;
	h_init(&h, NULL);
	struct event *e = evbuf(40000);
	size_t n = 0;
	char src[32];
	/* Two hours of ~20 connections a minute to the web server. */
	for (int m = 0; m < 120; m++)
		for (int k = 0; k < 20; k++) {
			snprintf(src, sizeof src, "93.184.113.%d", (int)(rnd() % 200) + 1);
			e[n++] =
			    ev_conn(m * 60.0 + k * 3, src, "10.5.0.10", 443, 500, 5000, 1, "SF");
		}
	/* Then a minute of 6,000 completed connections from 1,000 sources. */
	for (int k = 0; k < 6000; k++) {
		snprintf(src, sizeof src, "100.%d.%d.%d", 64 + k % 3, (k / 3) % 250, k % 250 + 1);
		e[n++] = ev_conn(7200 + k * 0.01, src, "10.5.0.10", 443, 100, 100, 0.1, "SF");
	}
	/* And a SYN flood on another port a few minutes later. */
	for (int k = 0; k < 3000; k++) {
		snprintf(src, sizeof src, "98.18.%d.%d", k / 250, k % 250 + 1);
		e[n++] = ev_conn(7500 + k * 0.01, src, "10.5.0.10", 80, 0, 0, 0, "S0");
	}
	e[n++] = ev_conn(8000, "93.184.113.1", "10.5.0.10", 443, 1, 1, 1, "SF");
	h_feed(&h, e, n);
	h_flush(&h);
	const struct alert *d = h_find(&h, "behavior.ddos", NULL);
	assert_non_null(d);
	assert_int_equal(h_count(&h, "behavior.ddos"), 1);
	assert_non_null(strstr(d->evidence, "\"distinct_sources\":"));
	assert_int_equal(h_count(&h, "behavior.syn_flood"), 1);
	free(e);
	h_fini(&h);
}

/* ---- exfiltration ---- */

static void test_exfil(void **st)
{
	(void)st;
	struct harness h;
	h_init(&h, NULL);
	struct event *e = evbuf(2000);
	size_t n = 0;
	/* Five hours of ordinary use by 10 hosts to a popular service. */
	for (int i = 0; i < 1500; i++) {
		char src[32];
		snprintf(src, sizeof src, "10.6.0.%d", i % 10 + 1);
		e[n++] = ev_conn(i * 12.0, src, "93.184.113.50", 443, 20000, 400000, 2, "SF");
	}
	/* Then host .3 sends 300 MB to a destination nobody else uses. */
	for (int i = 0; i < 30; i++)
		e[n++] = ev_conn(18000 + i * 60.0, "10.6.0.3", "91.198.100.99", 443, 10000000,
				 20000, 50, "SF");
	/* A big download is not exfiltration. */
	e[n++] = ev_conn(19000, "10.6.0.4", "91.198.100.98", 443, 1000, 500000000, 60, "SF");
	h_feed(&h, e, n);
	h_flush(&h);
	const struct alert *a = h_find(&h, "behavior.exfiltration", "10.6.0.3");
	assert_non_null(a);
	assert_string_equal(a->techniques[0], "T1041");
	assert_int_equal(h_count(&h, "behavior.exfiltration"), 1);
	free(e);
	h_fini(&h);
}

/* ---- memory under a flood of spoofed sources ---- */

static void test_flood_of_sources(void **st)
{
	(void)st;
	struct behavior_config c;
	behavior_config_default(&c);
	c.window_max_keys = 4096;
	struct harness h;
	h_init(&h, &c);
	struct event *e = evbuf(1000);
	uint64_t peak = 0;
	for (int round = 0; round < 200; round++) {
		for (int i = 0; i < 1000; i++) {
			int k = round * 1000 + i;
			char src[32];
			snprintf(src, sizeof src, "%d.%d.%d.%d", 11 + k % 200, (k / 200) % 250,
				 (k / 50000) % 250, k % 250 + 1);
			e[i] = ev_conn(k * 0.001, src, "10.7.0.1", 80, 0, 0, 0, "S0");
			e[i].kind = EK_AUTH;
			e[i].outcome = OUTCOME_FAILURE;
			e[i].str[ES_USER] = SLICE_LIT("root");
		}
		h_feed(&h, e, 1000);
		struct behavior_stats s;
		behavior_detector_stats(&h.d, &s);
		if (s.bytes > peak)
			peak = s.bytes;
	}
	struct behavior_stats s;
	behavior_detector_stats(&h.d, &s);
	assert_true(s.shed > 100000);
	assert_int_equal(s.peak_bytes, peak);
	/* Every window's cap times its slot size, with room for the table's slack. */
	assert_true(peak < 64u << 20);
	fflush(h.diag_out);
	assert_non_null(h.diag_text);
	assert_non_null(strstr(h.diag_text, "shedding"));
	h_flush(&h);
	free(e);
	h_fini(&h);
}

/* ---- blocklists ---- */

static void test_blocklist(void **st)
{
	(void)st;
	struct harness h;
	h_init(&h, NULL);
	struct event e[200];
	size_t n = 0;
	/* Two episodes from the same source (block time grows), one from a v6 one. */
	for (int i = 0; i < 20; i++)
		e[n++] = ev_auth(&h, i, "93.184.113.5", "root", OUTCOME_FAILURE, "sshd");
	for (int i = 0; i < 20; i++)
		e[n++] = ev_auth(&h, 5000 + i, "93.184.113.5", "root", OUTCOME_FAILURE, "sshd");
	for (int i = 0; i < 20; i++)
		e[n++] = ev_auth(&h, 100 + i, "2a01:4f8::66", "root", OUTCOME_FAILURE, "sshd");
	for (int i = 0; i < 20; i++) /* internal sources are never blocked */
		e[n++] = ev_auth(&h, 200 + i, "10.0.0.9", "root", OUTCOME_FAILURE, "sshd");
	h_feed(&h, e, n);
	h_flush(&h);
	assert_int_equal(h_count(&h, "behavior.bruteforce"), 4);
	char *text = NULL;
	size_t len = 0;
	FILE *f = open_memstream(&text, &len);
	assert_int_equal(behavior_blocklist_write(f, BLOCKLIST_PLAIN, &h.d, NULL), 0);
	fclose(f);
	assert_string_equal(text, "93.184.113.5\n2a01:4f8::66\n");
	free(text);
	f = open_memstream(&text, &len);
	assert_int_equal(behavior_blocklist_write(f, BLOCKLIST_NFT, &h.d, "bad name;"), 0);
	fclose(f);
	assert_non_null(strstr(text, "add set inet aptscope aptscope_block { type ipv4_addr;"));
	assert_non_null(strstr(text, "{ 93.184.113.5 timeout 900s }"));
	assert_non_null(strstr(text, "add set inet aptscope aptscope_block6 { type ipv6_addr;"));
	free(text);
	f = open_memstream(&text, &len);
	assert_int_equal(behavior_blocklist_write(f, BLOCKLIST_IPSET, &h.d, "ssh_block"), 0);
	fclose(f);
	assert_non_null(strstr(text, "create ssh_block hash:ip family inet timeout 0 -exist\n"));
	assert_non_null(strstr(text, "add ssh_block 93.184.113.5 timeout 900 -exist\n"));
	assert_non_null(strstr(text, "add ssh_block6 2a01:4f8::66 timeout 600 -exist\n"));
	assert_null(strstr(text, "10.0.0.9"));
	free(text);
	assert_int_equal(blocklist_format_parse("nft"), BLOCKLIST_NFT);
	assert_int_equal(blocklist_format_parse("iptables"), -1);
	h_fini(&h);
}

/* ---- the bundled sample scenario, through the real readers ---- */

static int run_file(struct harness *h, const char *rel)
{
	const char *dir = getenv("APTSCOPE_TEST_DATA");
	/* Alerts point at their source until the end of the run, as in the pipeline. */
	static char paths[8][1024];
	static struct source srcs[8];
	static unsigned nsrc;
	char *path = paths[nsrc % 8];
	snprintf(path, 1024, "%s/../../data/sample/%s", dir ? dir : "tests/data", rel);
	struct source *src = &srcs[nsrc++ % 8];
	*src = (struct source){path, NULL, 0};
	struct read_opts opts = {0};
	opts.file_mtime_us = AS_TIME_NONE;
	struct reader *r;
	struct diag why;
	if (reader_open(&r, src, NULL, &opts, &h->diags, &why))
		return -1;
	struct batch b;
	batch_init(&b);
	int n;
	while ((n = reader_next(r, &b)) > 0)
		h->d.scan(h->w, b.events, b.n, &h->sink);
	batch_free(&b);
	reader_close(r);
	return 0;
}

static void test_sample_scenario(void **st)
{
	(void)st;
	const char *dir = getenv("APTSCOPE_TEST_DATA");
	char geo[1024];
	snprintf(geo, sizeof geo, "%s/../../data/%s", dir ? dir : "tests/data", GEOIP_DEFAULT_DB);
	FILE *gf = fopen(geo, "rb");
	if (gf)
		fclose(gf);
	h_geo = gf ? geo : NULL;
	struct harness h;
	h_init(&h, NULL);
	h_geo = NULL;
	assert_int_equal(run_file(&h, "web/access.log"), 0);
	assert_int_equal(run_file(&h, "zeek/conn.log"), 0);
	bool have_syslog = format_by_name("syslog") != NULL;
	if (have_syslog)
		assert_int_equal(run_file(&h, "syslog/auth.log"), 0);
	h_flush(&h);
	for (size_t i = 0; i < h.n; i++) {
		char s[IP_STRLEN], d[IP_STRLEN];
		print_message("  %s %s -> %s: %s\n", h.alerts[i]->rule_id,
			      ip_format(&h.alerts[i]->src_ip, s),
			      ip_format(&h.alerts[i]->dst_ip, d), h.alerts[i]->rule_title);
	}
	assert_non_null(h_find(&h, "behavior.bruteforce", "185.220.101.47"));
	const struct alert *b = h_find(&h, "behavior.beacon", "10.20.1.23");
	assert_non_null(b);
	char d[IP_STRLEN];
	assert_string_equal(ip_format(&b->dst_ip, d), "118.99.60.142");
	if (have_syslog) {
		const struct alert *s =
		    h_find(&h, "behavior.success_after_failures", "45.155.205.233");
		assert_non_null(s);
		assert_non_null(strstr(s->evidence, "\"user\":\"deploy\""));
	} else {
		print_message("  (no syslog reader in this build: auth.log part skipped)\n");
	}
	if (gf) {
		/* Attack sources carry their country and region; the tally counts them. */
		const struct alert *w = h_find(&h, "behavior.bruteforce", "185.220.101.47");
		assert_non_null(strstr(w->evidence, "\"country\":\"DE\""));
		assert_non_null(strstr(w->evidence, "\"region\":\"Western Europe\""));
		char *text = NULL;
		size_t len = 0;
		FILE *f = open_memstream(&text, &len);
		assert_int_equal(behavior_countries_write(f, &h.d), 0);
		fclose(f);
		print_message("  countries:\n%s", text);
		assert_non_null(strstr(text, "DE\tWestern Europe\t"));
		free(text);
	} else {
		print_message(
		    "  (no country database: run scripts/deps.sh; country checks skipped)\n");
	}
	h_fini(&h);
}

/* Hostile bytes in every text field never crash, and never alert on their own. */
static void test_hostile_fields(void **st)
{
	(void)st;
	struct harness h;
	h_init(&h, NULL);
	struct event e[300];
	char junk[300][80];
	for (int i = 0; i < 300; i++) {
		for (int k = 0; k < 79; k++)
			junk[i][k] = (char)(rnd() % 255 + 1);
		junk[i][79] = 0;
		e[i] = ev_dns(&h, i, "10.8.0.1", junk[i], junk[i], junk[i]);
		e[i].kind = (uint8_t)(i % EK_COUNT);
		e[i].outcome = (uint8_t)(i % 3);
		e[i].str[ES_USER] = slice_cstr(junk[i]);
		e[i].str[ES_URL] = slice_cstr(junk[i]);
		e[i].str[ES_CONN_STATE] = slice_cstr(junk[i]);
		if (i % 7 == 0)
			e[i].time = AS_TIME_NONE;
	}
	h_feed(&h, e, 300);
	h_flush(&h);
	for (size_t i = 0; i < h.n; i++)
		assert_non_null(h.alerts[i]->evidence);
	h_fini(&h);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
	    cmocka_unit_test(test_config),
	    cmocka_unit_test(test_config_bundled),
	    cmocka_unit_test(test_window_cap),
	    cmocka_unit_test(test_bruteforce_then_success),
	    cmocka_unit_test(test_spray_among_normal),
	    cmocka_unit_test(test_spray_threshold_every_seed),
	    cmocka_unit_test(test_distributed_and_stuffing),
	    cmocka_unit_test(test_out_of_order),
	    cmocka_unit_test(test_beacon_score),
	    cmocka_unit_test(test_beacon_generated),
	    cmocka_unit_test(test_beacon_sni),
	    cmocka_unit_test(test_registered_domain),
	    cmocka_unit_test(test_dns_tunnel_and_dga),
	    cmocka_unit_test(test_ddos_and_synflood),
	    cmocka_unit_test(test_exfil),
	    cmocka_unit_test(test_flood_of_sources),
	    cmocka_unit_test(test_blocklist),
	    cmocka_unit_test(test_sample_scenario),
	    cmocka_unit_test(test_hostile_fields),
	};
	return cmocka_run_group_tests(tests, NULL, NULL);
}
