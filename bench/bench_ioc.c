/*
 * bench_ioc.c — IOC matching: load time, memory per indicator and matching
 * throughput with generated feeds of 10k, 100k and 1M indicators.
 *
 * Feeds are made in the signature-base list shape (a '#' campaign header
 * every 50 values; IPv4, domains, URLs, SHA-256, MD5, CIDRs, e-mails mixed
 * in realistic proportions) by a fixed-seed generator, loaded through the
 * real loader, and matched against batches of events whose fields hit an
 * indicator about 1 % of the time.
 *
 *   bench_ioc                       the table below
 *   bench_ioc feed N FILE           write an N-indicator feed to FILE and its
 *                                   bare values (for grep -F -f) to FILE.values
 *   bench_ioc eve N LINES FILE      write LINES Suricata EVE lines (DNS, HTTP,
 *                                   TLS, flow) drawing ~1 % of values from feed N
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/resource.h>
#include <time.h>

#include "core/buf.h"
#include "core/hash.h"
#include "detect/ioc/ioc.h"

static uint64_t rng_state;

static uint64_t rnd(void)
{
	rng_state += 0x9e3779b97f4a7c15ull;
	uint64_t z = rng_state;
	z = (z ^ (z >> 30)) * 0xbf58476d1ce4e5b9ull;
	z = (z ^ (z >> 27)) * 0x94d049bb133111ebull;
	return z ^ (z >> 31);
}

static const char *const tlds[] = {"com", "net", "org", "info", "ru", "cn", "top", "xyz", "io"};
static const char *const words[] = {"update", "cdn",   "mail",  "secure", "login", "office",
				    "cloud",  "micro", "soft",  "news",   "api",   "static",
				    "portal", "sync",  "drive", "online", "web",   "srv"};

/* The i-th indicator of the generated population (deterministic in i). */
static int indicator(uint64_t i, char *dst, size_t cap)
{
	uint64_t save = rng_state;
	rng_state = hash_fold(i + 1, 0x5851f42d4c957f2dull);
	uint64_t r = rnd() % 100, a = rnd(), b = rnd();
	int n;
	if (r < 40)
		n = snprintf(dst, cap, "%u.%u.%u.%u", (unsigned)(a >> 8 & 223) + 1,
			     (unsigned)(a >> 16 & 255), (unsigned)(a >> 24 & 255),
			     (unsigned)(a >> 32 & 255));
	else if (r < 70)
		n = snprintf(dst, cap, "%s-%s%u.%s", words[a % 18], words[b % 18],
			     (unsigned)(a >> 20 & 0xffff), tlds[b >> 20 & 7]);
	else if (r < 80)
		n = snprintf(dst, cap, "http://%s%u.%s/%s/%x.php", words[a % 18],
			     (unsigned)(a >> 20 & 0xfffff), tlds[b % 9], words[b >> 8 & 15],
			     (unsigned)(b >> 32));
	else if (r < 92)
		n = snprintf(dst, cap, "%016llx%016llx%016llx%016llx", (unsigned long long)a,
			     (unsigned long long)b, (unsigned long long)rnd(),
			     (unsigned long long)rnd());
	else if (r < 97)
		n = snprintf(dst, cap, "%016llx%016llx", (unsigned long long)a,
			     (unsigned long long)b);
	else if (r < 99)
		n = snprintf(dst, cap, "%u.%u.%u.0/24", (unsigned)(a >> 8 & 223) + 1,
			     (unsigned)(a >> 16 & 255), (unsigned)(a >> 24 & 255));
	else
		n = snprintf(dst, cap, "%s%u@%s-mail.%s", words[a % 18], (unsigned)(b & 0xfff),
			     words[b >> 12 & 15], tlds[a >> 40 & 7]);
	rng_state = save;
	return n;
}

static void make_feed(struct buf *feed, struct buf *values, size_t n)
{
	char v[256];
	for (size_t i = 0; i < n; i++) {
		if (i % 50 == 0)
			buf_printf(feed, "\n# Campaign %zu report https://example.org/r/%zu\n",
				   i / 50, i);
		int k = indicator(i, v, sizeof v);
		buf_append(feed, v, (size_t)k);
		buf_putc(feed, '\n');
		if (values) {
			buf_append(values, v, (size_t)k);
			buf_putc(values, '\n');
		}
	}
}

static double now(void)
{
	struct timespec ts;
	clock_gettime(CLOCK_MONOTONIC, &ts);
	return (double)ts.tv_sec + (double)ts.tv_nsec / 1e9;
}

static long peak_rss_kb(void)
{
	struct rusage ru;
	getrusage(RUSAGE_SELF, &ru);
	return ru.ru_maxrss;
}

/* Events: strings live in store (kept for the run). */
#define NEV 4096

struct ev_store {
	char text[NEV][3][128];
};

static void make_events(struct event *evs, struct ev_store *st, size_t feed_n, uint64_t salt)
{
	char v[256];
	for (size_t i = 0; i < NEV; i++) {
		struct event *e = &evs[i];
		event_clear(e);
		e->time = 1700000000000000ll;
		uint64_t r = rnd();
		struct slice sv = {0};
		/* ~1 % of events carry a listed value */
		if (r % 100 == 0) {
			int k = indicator(rnd() % feed_n, v, sizeof v);
			memcpy(st->text[i][0], v, (size_t)k + 1);
			sv = slice_make(st->text[i][0], (size_t)k);
		}
		snprintf(st->text[i][1], 128, "%s%u.%s", words[r % 18], (unsigned)(r >> 8 & 0xffff),
			 tlds[r >> 30 & 7]);
		snprintf(st->text[i][2], 128, "/%s/%x.js", words[r >> 40 & 15],
			 (unsigned)(r >> 44 ^ salt));
		char ip[32];
		snprintf(ip, sizeof ip, "%u.%u.%u.%u", (unsigned)(r >> 8 & 223) + 1,
			 (unsigned)(r >> 16 & 255), (unsigned)(r >> 24 & 255),
			 (unsigned)(r >> 32 & 255));
		ip_parse(slice_cstr(ip), &e->dst_ip);
		ip_parse(SLICE_LIT("10.1.2.3"), &e->src_ip);
		e->str[ES_DOMAIN] = slice_cstr(st->text[i][1]);
		e->str[ES_URL] = slice_cstr(st->text[i][2]);
		if (sv.ptr) {
			int t = ioc_type_infer(sv);
			if (t == IOC_IPV4 || t == IOC_CIDR) {
				ip_parse(
				    slice_make(sv.ptr, (size_t)(strchr(sv.ptr, '/')
								    ? strchr(sv.ptr, '/') - sv.ptr
								    : (long)sv.len)),
				    &e->dst_ip);
			} else if (t == IOC_DOMAIN)
				e->str[ES_DOMAIN] = sv;
			else if (t == IOC_URL)
				e->str[ES_URL] = sv;
			else if (t == IOC_SHA256)
				e->str[ES_SHA256] = sv;
			else if (t == IOC_MD5)
				e->str[ES_MD5] = sv;
			else if (t == IOC_EMAIL)
				e->str[ES_EMAIL] = sv;
		}
		if (r >> 60 == 0)
			e->str[ES_SHA256] = SLICE_LIT(
			    "9f86d081884c7d659a2feaa0c55ad015a3bf4f1b2b0b822cd15d6c15b0f00a08");
	}
}

static int run_table(void)
{
	static const size_t sizes[] = {10000, 100000, 1000000};
	struct event *evs = calloc(NEV, sizeof *evs);
	struct ev_store *st = malloc(sizeof *st);
	if (!evs || !st)
		return 1;
	printf("%-10s %10s %10s %9s %9s %8s %12s %10s %9s\n", "indicators", "feed_MB", "mem_MB",
	       "B/ind", "mem/feed", "load_s", "events/s", "ns/event", "hits/ev");
	for (size_t k = 0; k < sizeof sizes / sizeof *sizes; k++) {
		size_t n = sizes[k];
		struct buf feed = BUF_INIT;
		make_feed(&feed, NULL, n);
		struct ioc_set *s;
		struct ioc_load_stats ls = {0};
		ioc_set_new(&s);
		double t0 = now();
		ioc_set_load_mem(s, "bench.txt", feed.data, feed.len, NULL, &ls);
		ioc_set_finish(s, NULL);
		double load = now() - t0;
		size_t mem = ioc_set_memory(s);
		struct ioc_matcher *m;
		ioc_matcher_new(s, &m);
		rng_state = 42;
		make_events(evs, st, n, k);
		struct ioc_hit hits[16];
		size_t total_hits = 0, total = 0;
		t0 = now();
		double el;
		do {
			for (size_t i = 0; i < NEV; i++)
				total_hits += ioc_matcher_match(m, &evs[i], hits, 16);
			total += NEV;
		} while ((el = now() - t0) < 1.0);
		printf("%-10zu %10.2f %10.2f %9.1f %9.2f %8.2f %12.0f %10.1f %9.4f\n", n,
		       feed.len / 1e6, mem / 1e6, (double)mem / (double)ioc_set_count(s),
		       (double)mem / (double)feed.len, load, total / el, el * 1e9 / total,
		       (double)total_hits / (double)total);
		ioc_matcher_free(m);
		ioc_set_free(s);
		buf_free(&feed);
	}
	printf("peak RSS %.1f MB\n", peak_rss_kb() / 1024.0);
	printf("(1 GB/s of EVE at ~500 B/event is 2,000,000 events/s)\n");
	free(evs);
	free(st);
	return 0;
}

static int write_file(const char *path, const struct buf *b)
{
	FILE *f = fopen(path, "wb");
	if (!f || fwrite(b->data, 1, b->len, f) != b->len) {
		perror(path);
		if (f)
			fclose(f);
		return 1;
	}
	return fclose(f) != 0;
}

static int write_eve(size_t feed_n, size_t lines, const char *path)
{
	FILE *f = fopen(path, "wb");
	if (!f) {
		perror(path);
		return 1;
	}
	rng_state = 7;
	char v[256];
	for (size_t i = 0; i < lines; i++) {
		uint64_t r = rnd(), r2 = rnd();
		char dom[128], dst[32], ts[40];
		snprintf(dom, sizeof dom, "%s%u.%s", words[r % 18], (unsigned)(r >> 8 & 0xffff),
			 tlds[r >> 30 & 7]);
		snprintf(dst, sizeof dst, "%u.%u.%u.%u", (unsigned)(r2 >> 8 & 223) + 1,
			 (unsigned)(r2 >> 16 & 255), (unsigned)(r2 >> 24 & 255),
			 (unsigned)(r2 >> 32 & 255));
		if (r2 % 100 == 0) {
			int k = indicator(rnd() % feed_n, v, sizeof v);
			int t = ioc_type_infer(slice_make(v, (size_t)k));
			if (t == IOC_IPV4)
				snprintf(dst, sizeof dst, "%.31s", v);
			else if (t == IOC_DOMAIN)
				snprintf(dom, sizeof dom, "%.127s", v);
		}
		snprintf(ts, sizeof ts, "2024-03-01T12:%02u:%02u.%06u+0000",
			 (unsigned)(i / 60000 % 60), (unsigned)(i / 1000 % 60),
			 (unsigned)(i % 1000000));
		unsigned sp = 49152 + (unsigned)(r % 16000), flow = (unsigned)(r >> 16);
		switch (r >> 60 & 3) {
		case 0:
			fprintf(f,
				"{\"timestamp\":\"%s\",\"flow_id\":%u%u,\"in_iface\":\"eth0\","
				"\"event_type\":\"dns\",\"src_ip\":\"10.0.%u.%u\",\"src_port\":%u,"
				"\"dest_ip\":\"10.0.0.53\",\"dest_port\":53,\"proto\":\"UDP\","
				"\"dns\":{\"type\":\"query\",\"id\":%u,\"rrname\":\"%s\","
				"\"rrtype\":\"A\",\"tx_id\":0}}\n",
				ts, flow, sp, (unsigned)(r >> 4 & 255), (unsigned)(r >> 12 & 255),
				sp, (unsigned)(r & 0xffff), dom);
			break;
		case 1:
			fprintf(
			    f,
			    "{\"timestamp\":\"%s\",\"flow_id\":%u%u,\"in_iface\":\"eth0\","
			    "\"event_type\":\"http\",\"src_ip\":\"10.0.%u.%u\",\"src_port\":%u,"
			    "\"dest_ip\":\"%s\",\"dest_port\":80,\"proto\":\"TCP\",\"tx_id\":0,"
			    "\"http\":{\"hostname\":\"%s\",\"url\":\"/%s/%x.js\","
			    "\"http_user_agent\":\"Mozilla/5.0 (Windows NT 10.0; Win64; x64) "
			    "AppleWebKit/537.36 (KHTML, like Gecko) Chrome/120.0 Safari/537.36\","
			    "\"http_content_type\":\"application/javascript\",\"http_method\":"
			    "\"GET\",\"protocol\":\"HTTP/1.1\",\"status\":200,\"length\":%u}}\n",
			    ts, flow, sp, (unsigned)(r >> 4 & 255), (unsigned)(r >> 12 & 255), sp,
			    dst, dom, words[r >> 40 & 15], (unsigned)(r >> 44),
			    (unsigned)(r & 0xffff));
			break;
		case 2:
			fprintf(
			    f,
			    "{\"timestamp\":\"%s\",\"flow_id\":%u%u,\"in_iface\":\"eth0\","
			    "\"event_type\":\"tls\",\"src_ip\":\"10.0.%u.%u\",\"src_port\":%u,"
			    "\"dest_ip\":\"%s\",\"dest_port\":443,\"proto\":\"TCP\",\"tls\":{"
			    "\"subject\":\"CN=%s\",\"issuerdn\":\"C=US, O=Let's Encrypt, CN=R3\","
			    "\"serial\":\"04:A1:%02X\",\"fingerprint\":\"9a:3c:%02x\",\"sni\":\"%"
			    "s\","
			    "\"version\":\"TLS 1.2\",\"notbefore\":\"2024-01-01T00:00:00\","
			    "\"notafter\":\"2024-04-01T00:00:00\",\"ja3\":{\"hash\":"
			    "\"e7d705a3286e19ea42f587b344ee6865\",\"string\":\"771,4865-4866,0-23,"
			    "29-23,0\"}}}\n",
			    ts, flow, sp, (unsigned)(r >> 4 & 255), (unsigned)(r >> 12 & 255), sp,
			    dst, dom, (unsigned)(r & 255), (unsigned)(r >> 8 & 255), dom);
			break;
		default:
			fprintf(
			    f,
			    "{\"timestamp\":\"%s\",\"flow_id\":%u%u,\"in_iface\":\"eth0\","
			    "\"event_type\":\"flow\",\"src_ip\":\"10.0.%u.%u\",\"src_port\":%u,"
			    "\"dest_ip\":\"%s\",\"dest_port\":443,\"proto\":\"TCP\",\"app_proto\":"
			    "\"tls\",\"flow\":{\"pkts_toserver\":%u,\"pkts_toclient\":%u,"
			    "\"bytes_toserver\":%u,\"bytes_toclient\":%u,\"start\":\"%s\",\"end\":"
			    "\"%s\",\"age\":1,\"state\":\"closed\",\"reason\":\"timeout\","
			    "\"alerted\":false},\"tcp\":{\"tcp_flags\":\"1b\",\"syn\":true,\"fin\":"
			    "true,\"psh\":true,\"ack\":true,\"state\":\"closed\"}}\n",
			    ts, flow, sp, (unsigned)(r >> 4 & 255), (unsigned)(r >> 12 & 255), sp,
			    dst, (unsigned)(r & 63), (unsigned)(r >> 6 & 63),
			    (unsigned)(r & 0xfffff), (unsigned)(r >> 20 & 0xfffff), ts, ts);
		}
	}
	return fclose(f) != 0;
}

int main(int argc, char **argv)
{
	hash_seed_init();
	if (argc == 4 && !strcmp(argv[1], "feed")) {
		struct buf feed = BUF_INIT, values = BUF_INIT;
		make_feed(&feed, &values, strtoul(argv[2], NULL, 10));
		char vpath[4096];
		snprintf(vpath, sizeof vpath, "%s.values", argv[3]);
		return write_file(argv[3], &feed) || write_file(vpath, &values);
	}
	if (argc == 5 && !strcmp(argv[1], "eve"))
		return write_eve(strtoul(argv[2], NULL, 10), strtoul(argv[3], NULL, 10), argv[4]);
	if (argc != 1) {
		fprintf(stderr,
			"usage: bench_ioc | bench_ioc feed N FILE | bench_ioc eve N LINES FILE\n");
		return 2;
	}
	return run_table();
}
