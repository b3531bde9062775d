/*
 * bench_json.c — throughput of the JSON walker and of the EVE reader.
 *
 * Generates a realistic EVE file in memory (default 200 MB; first argument
 * in MB to change it): a mix of flow, dns (v2 answers with grouped data),
 * http, tls, alert and fileinfo records with varying addresses, names and
 * hashes, in the proportions a busy sensor writes. Then times, over every
 * line:
 *   1. json_walk() with an empty callback (validation + path building);
 *   2. format_eve.line() with native fields off (the IOC-hunt path);
 *   3. format_eve.line() with native fields on (the Sigma / events path);
 *   4. jansson's json_loadb() as the DOM peer, for a ratio.
 * Prints MB/s and records/s for each. Not a test: run it by hand.
 */
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include <jansson.h>

#include "core/arena.h"
#include "core/buf.h"
#include "core/json_scan.h"
#include "read/format.h"

extern const struct format format_eve;

static uint64_t rng = 0x9e3779b97f4a7c15ull;

static uint32_t rnd(void)
{
	rng ^= rng << 13;
	rng ^= rng >> 7;
	rng ^= rng << 17;
	return (uint32_t)rng;
}

static void hex(struct buf *b, int n)
{
	static const char d[] = "0123456789abcdef";
	for (int i = 0; i < n; i++)
		buf_putc(b, d[rnd() & 15]);
}

static void head(struct buf *b, const char *type, unsigned i)
{
	buf_printf(b,
		   "{\"timestamp\":\"2024-03-01T12:%02u:%02u.%06u+0000\",\"flow_id\":%u%u,"
		   "\"in_iface\":\"eth0\",\"event_type\":\"%s\",\"src_ip\":\"10.%u.%u.%u\","
		   "\"src_port\":%u,\"dest_ip\":\"%u.%u.%u.%u\",\"dest_port\":%u,\"proto\":\"%s\"",
		   (i / 60) % 60, i % 60, rnd() % 1000000, rnd(), rnd() % 100000, type, rnd() % 256,
		   rnd() % 256, rnd() % 256, 1024 + rnd() % 60000, rnd() % 224, rnd() % 256,
		   rnd() % 256, rnd() % 256, rnd() % 2 ? 443 : 53, rnd() % 3 ? "TCP" : "UDP");
}

static void one_record(struct buf *b, unsigned i)
{
	unsigned r = rnd() % 100;
	if (r < 40) { /* flow */
		head(b, "flow", i);
		buf_printf(
		    b,
		    ",\"app_proto\":\"tls\",\"flow\":{\"pkts_toserver\":%u,\"pkts_toclient\":%u,"
		    "\"bytes_toserver\":%u,\"bytes_toclient\":%u,"
		    "\"start\":\"2024-03-01T12:00:00.%06u+0000\",\"end\":"
		    "\"2024-03-01T12:00:05.%06u+0000\",\"age\":5,\"state\":\"closed\","
		    "\"reason\":\"timeout\",\"alerted\":false},\"tcp\":{\"tcp_flags\":\"1b\","
		    "\"tcp_flags_ts\":\"1b\",\"tcp_flags_tc\":\"1b\",\"syn\":true,\"fin\":true,"
		    "\"psh\":true,\"ack\":true,\"state\":\"closed\"},\"host\":\"sensor-01\"}",
		    rnd() % 100, rnd() % 100, rnd() % 100000, rnd() % 1000000, rnd() % 1000000,
		    rnd() % 1000000);
	} else if (r < 65) { /* dns v2 answer */
		head(b, "dns", i);
		unsigned h = rnd() % 100000;
		buf_printf(
		    b,
		    ",\"dns\":{\"version\":2,\"type\":\"answer\",\"id\":%u,\"flags\":\"8180\","
		    "\"qr\":true,\"rd\":true,\"ra\":true,\"opcode\":0,\"rrname\":"
		    "\"host%u.example%u.com\",\"rrtype\":\"A\",\"rcode\":\"NOERROR\",\"answers\":"
		    "[{\"rrname\":\"host%u.example%u.com\",\"rrtype\":\"A\",\"ttl\":%u,\"rdata\":"
		    "\"93.184.%u.%u\"}],\"grouped\":{\"A\":[\"93.184.%u.%u\"]}},"
		    "\"host\":\"sensor-01\"}",
		    rnd() % 65536, h, h % 97, h, h % 97, rnd() % 3600, rnd() % 256, rnd() % 256,
		    rnd() % 256, rnd() % 256);
	} else if (r < 80) { /* http */
		head(b, "http", i);
		buf_printf(
		    b,
		    ",\"tx_id\":0,\"http\":{\"hostname\":\"www.site%u.example\",\"url\":"
		    "\"/path/%u/index.php?id=%u&q=a%%20b\",\"http_user_agent\":\"Mozilla/5.0 "
		    "(Windows NT 10.0; Win64; x64) AppleWebKit/537.36 (KHTML, like Gecko) "
		    "Chrome/120.0 Safari/537.36\",\"http_content_type\":\"text/html\","
		    "\"http_refer\":\"https://www.site%u.example/\",\"http_method\":\"GET\","
		    "\"protocol\":\"HTTP/"
		    "1.1\",\"status\":200,\"length\":%u},\"host\":\"sensor-01\"}",
		    rnd() % 10000, rnd() % 1000, rnd(), rnd() % 10000, rnd() % 100000);
	} else if (r < 92) { /* tls */
		head(b, "tls", i);
		buf_printf(
		    b,
		    ",\"tls\":{\"subject\":\"CN=*.cdn%u.example\",\"issuerdn\":\"C=US, O=Let's "
		    "Encrypt, CN=R3\",\"serial\":\"04:A1:B2\",\"fingerprint\":\"",
		    rnd() % 1000);
		hex(b, 40);
		buf_printf(b,
			   "\",\"sni\":\"api%u.cdn.example\",\"version\":\"TLS 1.2\",\"notbefore\":"
			   "\"2024-01-01T00:00:00\",\"notafter\":\"2024-04-01T00:00:00\",\"ja3\":"
			   "{\"hash\":\"",
			   rnd() % 1000);
		hex(b, 32);
		buf_puts(b,
			 "\",\"string\":\"771,4865-4866-4867-49195,0-23-65281-10-11,29-23-24,0\"},"
			 "\"ja3s\":{\"hash\":\"");
		hex(b, 32);
		buf_puts(b, "\",\"string\":\"771,4865,51-43\"}},\"host\":\"sensor-01\"}");
	} else if (r < 96) { /* alert */
		head(b, "alert", i);
		buf_printf(
		    b,
		    ",\"alert\":{\"action\":\"allowed\",\"gid\":1,\"signature_id\":%u,\"rev\":3,"
		    "\"signature\":\"ET POLICY Observed suspicious UA %u\",\"category\":"
		    "\"Potentially Bad Traffic\",\"severity\":2,\"metadata\":{\"created_at\":"
		    "[\"2020_01_01\"],\"signature_severity\":[\"Minor\"]}},\"app_proto\":\"http\","
		    "\"flow\":{\"pkts_toserver\":4,\"pkts_toclient\":3,\"bytes_toserver\":%u,"
		    "\"bytes_toclient\":%u,\"start\":\"2024-03-01T12:00:00.000000+0000\"},"
		    "\"payload_printable\":\"GET / HTTP/1.1\\r\\nHost: x\\r\\n\\r\\n\","
		    "\"host\":\"sensor-01\"}",
		    2000000 + rnd() % 100000, rnd() % 100, rnd() % 10000, rnd() % 10000);
	} else { /* fileinfo */
		head(b, "fileinfo", i);
		buf_printf(b,
			   ",\"http\":{\"hostname\":\"dl%u.example\",\"url\":\"/f/"
			   "%u.bin\",\"status\":200},"
			   "\"app_proto\":\"http\",\"fileinfo\":{\"filename\":\"/f/"
			   "%u.bin\",\"gaps\":false,"
			   "\"state\":\"CLOSED\",\"md5\":\"",
			   rnd() % 100, rnd(), rnd());
		hex(b, 32);
		buf_puts(b, "\",\"sha1\":\"");
		hex(b, 40);
		buf_puts(b, "\",\"sha256\":\"");
		hex(b, 64);
		buf_printf(b,
			   "\",\"stored\":false,\"size\":%u,\"tx_id\":0},\"host\":\"sensor-01\"}",
			   rnd() % 1000000);
	}
	buf_putc(b, '\n');
}

static double now_s(void)
{
	struct timespec ts;
	clock_gettime(CLOCK_MONOTONIC, &ts);
	return (double)ts.tv_sec + ts.tv_nsec / 1e9;
}

static int empty_leaf(void *ctx, const struct json_leaf *l)
{
	(*(uint64_t *)ctx)++;
	return 0;
}

struct line_index {
	struct slice *lines;
	size_t n;
};

static void report(const char *what, double secs, size_t bytes, size_t n, double base)
{
	double mbs = bytes / secs / 1e6;
	printf("%-34s %8.1f MB/s %10.0f records/s", what, mbs, n / secs);
	if (base > 0)
		printf("   x%.2f vs jansson", mbs / base);
	printf("\n");
}

int main(int argc, char **argv)
{
	size_t mb = argc > 1 ? strtoul(argv[1], NULL, 10) : 200;
	struct buf data = BUF_INIT;
	unsigned i = 0;
	while (data.len < mb * 1000000)
		one_record(&data, i++);
	struct slice all = buf_slice(&data);
	struct line_index li = {malloc(sizeof(struct slice) * i), 0};
	const char *p = all.ptr, *end = all.ptr + all.len;
	while (p < end) {
		const char *nl = memchr(p, '\n', (size_t)(end - p));
		li.lines[li.n++] = slice_make(p, (size_t)(nl - p));
		p = nl + 1;
	}
	printf("generated %zu EVE records, %.1f MB\n", li.n, all.len / 1e6);

	/* jansson first, as the base of the ratios (on a tenth: it is slow) */
	size_t jn = li.n / 10, jbytes = 0;
	double t = now_s();
	for (size_t k = 0; k < jn; k++) {
		json_error_t err;
		json_t *j = json_loadb(li.lines[k].ptr, li.lines[k].len, 0, &err);
		json_decref(j);
		jbytes += li.lines[k].len + 1;
	}
	double jt = now_s() - t;
	double jmbs = jbytes / jt / 1e6;

	uint64_t leaves = 0;
	t = now_s();
	for (size_t k = 0; k < li.n; k++)
		if (json_walk(li.lines[k], empty_leaf, &leaves, NULL))
			return 1;
	report("json_walk (empty callback)", now_s() - t, all.len, li.n, jmbs);

	struct arena a;
	arena_init(&a, 0);
	for (int fields = 0; fields <= 1; fields++) {
		char st[64] = {0};
		struct read_opts ro = {.fields = fields};
		format_eve.init(st, &ro);
		uint64_t with_domain = 0;
		t = now_s();
		for (size_t k = 0; k < li.n; k++) {
			struct event ev;
			struct diag why;
			event_clear(&ev);
			if (format_eve.line(st, li.lines[k], &ev, &a, &why) != LINE_EVENT)
				return 1;
			with_domain += ev.str[ES_DOMAIN].ptr != NULL;
			if ((k & 255) == 255)
				arena_reset(&a);
		}
		report(fields ? "eve line(), fields on" : "eve line(), fields off", now_s() - t,
		       all.len, li.n, jmbs);
		if (with_domain == 0)
			return 1;
	}
	report("jansson json_loadb (peer)", jt, jbytes, jn, 0);
	printf("%.1f leaves per record\n", (double)leaves / li.n);
	arena_free(&a);
	free(li.lines);
	buf_free(&data);
	return 0;
}
