/*
 * bench_read.c — reader throughput on generated data of realistic shape.
 *
 * For each format it writes SIZE MB of lines (EVE mixed event types, Zeek
 * conn TSV, Zeek conn JSON, RFC 3164 sshd syslog, combined access log) to a
 * temporary file, then reads it through the real driver twice: canonical
 * fields only (the IOC fast path) and with native fields (what Sigma needs).
 * Prints MB/s and records/s, best of three runs each.
 *
 * Usage: bench_read [SIZE_MB=100] [FORMAT…]
 *
 * BENCH_READ_REPS=N changes the number of runs and BENCH_READ_MODE=canon or
 * =fields keeps one of the two passes, so that an instruction count
 * (valgrind --tool=callgrind --toggle-collect=reader_next) sees one pass
 * alone: on a loaded machine that count is the repeatable figure.
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <unistd.h>

#include "core/hash.h"
#include "read/reader.h"

static uint64_t rng = 88172645463325252ull;
static unsigned rnd(unsigned n)
{
	rng ^= rng << 13;
	rng ^= rng >> 7;
	rng ^= rng << 17;
	return (unsigned)(rng % n);
}

static const char *domains[] = {
    "www.google.com",    "update.microsoft.com",      "cdn.jsdelivr.net",
    "api.github.com",    "login.microsoftonline.com", "s3.amazonaws.com",
    "ocsp.digicert.com", "news.example.org"};
static const char *uas[] = {
    "Mozilla/5.0 (Windows NT 10.0; Win64; x64) AppleWebKit/537.36 (KHTML, like Gecko) Chrome/122.0 "
    "Safari/537.36",
    "Microsoft-CryptoAPI/10.0", "curl/8.5.0"};

static int gen_eve(char *b, size_t cap, long i)
{
	unsigned k = rnd(4);
	long t = 1740787200 + i / 50;
	const char *d = domains[rnd(8)];
	char head[256];
	snprintf(head, sizeof head,
		 "{\"timestamp\":\"2025-03-01T%02ld:%02ld:%02ld.%06u+0000\",\"flow_id\":1%05u%05u,"
		 "\"in_iface\":\"eth1\",\"src_ip\":\"10.20.%u.%u\",\"src_port\":%u,",
		 (t / 3600) % 24, (t / 60) % 60, t % 60, rnd(1000000), rnd(100000), rnd(100000),
		 rnd(250), rnd(250), 49152 + rnd(16000));
	switch (k) {
	case 0:
		return snprintf(
		    b, cap,
		    "%s\"event_type\":\"dns\",\"dest_ip\":\"10.20.0.2\",\"dest_port\":53,"
		    "\"proto\":\"UDP\",\"dns\":{\"version\":2,\"type\":\"query\",\"id\":%u,"
		    "\"rrname\":\"%s\",\"rrtype\":\"A\",\"tx_id\":0,\"opcode\":0}}\n",
		    head, rnd(65535), d);
	case 1:
		return snprintf(
		    b, cap,
		    "%s\"event_type\":\"tls\",\"dest_ip\":\"%u.%u.%u.%u\",\"dest_port\":443,"
		    "\"proto\":\"TCP\",\"tls\":{\"subject\":\"CN=%s\",\"issuerdn\":\"C=US, "
		    "O=Let's Encrypt, CN=R3\",\"sni\":\"%s\",\"version\":\"TLS 1.3\","
		    "\"ja3\":{\"hash\":\"%08x%08x%08x%08x\",\"string\":\"771,4865-4866\"},"
		    "\"ja3s\":{\"hash\":\"%08x%08x%08x%08x\",\"string\":\"771,4865\"}}}\n",
		    head, 11 + rnd(200), rnd(255), rnd(255), 1 + rnd(250), d, d, rnd(~0u), rnd(~0u),
		    rnd(~0u), rnd(~0u), rnd(~0u), rnd(~0u), rnd(~0u), rnd(~0u));
	case 2:
		return snprintf(
		    b, cap,
		    "%s\"event_type\":\"http\",\"dest_ip\":\"%u.%u.%u.%u\",\"dest_port\":80,"
		    "\"proto\":\"TCP\",\"tx_id\":0,\"http\":{\"hostname\":\"%s\",\"url\":"
		    "\"/api/v1/items?id=%u&page=%u\",\"http_user_agent\":\"%s\","
		    "\"http_content_type\":\"application/json\",\"http_method\":\"GET\","
		    "\"protocol\":\"HTTP/1.1\",\"status\":200,\"length\":%u}}\n",
		    head, 11 + rnd(200), rnd(255), rnd(255), 1 + rnd(250), d, rnd(100000), rnd(50),
		    uas[rnd(3)], rnd(90000));
	default:
		return snprintf(
		    b, cap,
		    "%s\"event_type\":\"flow\",\"dest_ip\":\"%u.%u.%u.%u\",\"dest_port\":443,"
		    "\"proto\":\"TCP\",\"app_proto\":\"tls\",\"flow\":{\"pkts_toserver\":%u,"
		    "\"pkts_toclient\":%u,\"bytes_toserver\":%u,\"bytes_toclient\":%u,"
		    "\"start\":\"2025-03-01T10:00:00.000000+0000\",\"end\":"
		    "\"2025-03-01T10:00:05.000000+0000\",\"age\":5,\"state\":\"closed\","
		    "\"reason\":\"timeout\",\"alerted\":false},\"tcp\":{\"tcp_flags\":\"1b\","
		    "\"syn\":true,\"fin\":true,\"psh\":true,\"ack\":true,\"state\":\"closed\"}}\n",
		    head, 11 + rnd(200), rnd(255), rnd(255), 1 + rnd(250), rnd(40), rnd(60),
		    rnd(5000), rnd(200000));
	}
}

static const char zeek_header[] =
    "#separator \\x09\n#set_separator\t,\n#empty_field\t(empty)\n#unset_field\t-\n#path\tconn\n"
    "#open\t2025-03-01-00-00-00\n#fields\tts\tuid\tid.orig_h\tid.orig_p\tid.resp_h\tid.resp_"
    "p\tproto"
    "\tservice\tduration\torig_bytes\tresp_bytes\tconn_state\tlocal_orig\tlocal_resp\tmissed_bytes"
    "\thistory\torig_pkts\torig_ip_bytes\tresp_pkts\tresp_ip_bytes\ttunnel_parents\n#types\ttime"
    "\tstring\taddr\tport\taddr\tport\tenum\tstring\tinterval\tcount\tcount\tstring\tbool\tbool"
    "\tcount\tstring\tcount\tcount\tcount\tcount\tset[string]\n";

static int gen_zeek(char *b, size_t cap, long i)
{
	return snprintf(
	    b, cap,
	    "%ld.%06u\tC%08x%08x\t10.20.%u.%u\t%u\t%u.%u.%u.%u\t443\ttcp\tssl\t%u.%06u\t%u\t%u"
	    "\tSF\tT\tF\t0\tShADadfF\t%u\t%u\t%u\t%u\t-\n",
	    1740787200 + i / 50, rnd(1000000), rnd(~0u), rnd(~0u), rnd(250), rnd(250),
	    49152 + rnd(16000), 11 + rnd(200), rnd(255), rnd(255), 1 + rnd(250), rnd(30),
	    rnd(1000000), rnd(5000), rnd(200000), rnd(50), rnd(9000), rnd(80), rnd(250000));
}

static int gen_zeek_json(char *b, size_t cap, long i)
{
	return snprintf(
	    b, cap,
	    "{\"ts\":%ld.%06u,\"uid\":\"C%08x%08x\",\"id.orig_h\":\"10.20.%u.%u\","
	    "\"id.orig_p\":%u,\"id.resp_h\":\"%u.%u.%u.%u\",\"id.resp_p\":443,\"proto\":"
	    "\"tcp\",\"service\":\"ssl\",\"duration\":%u.%06u,\"orig_bytes\":%u,"
	    "\"resp_bytes\":%u,\"conn_state\":\"SF\",\"local_orig\":true,\"local_resp\":"
	    "false,\"missed_bytes\":0,\"history\":\"ShADadfF\",\"orig_pkts\":%u,"
	    "\"orig_ip_bytes\":%u,\"resp_pkts\":%u,\"resp_ip_bytes\":%u}\n",
	    1740787200 + i / 50, rnd(1000000), rnd(~0u), rnd(~0u), rnd(250), rnd(250),
	    49152 + rnd(16000), 11 + rnd(200), rnd(255), rnd(255), 1 + rnd(250), rnd(30),
	    rnd(1000000), rnd(5000), rnd(200000), rnd(50), rnd(9000), rnd(80), rnd(250000));
}

static int gen_syslog(char *b, size_t cap, long i)
{
	long t = i / 20;
	static const char *users[] = {"root", "admin", "oracle", "deploy", "test", "ubuntu"};
	unsigned k = rnd(4);
	if (k == 0)
		return snprintf(
		    b, cap,
		    "Mar  1 %02ld:%02ld:%02ld vpn sshd[%u]: Failed password for %s from "
		    "%u.%u.%u.%u port %u ssh2\n",
		    (t / 3600) % 24, (t / 60) % 60, t % 60, rnd(60000), users[rnd(6)],
		    11 + rnd(200), rnd(255), rnd(255), 1 + rnd(250), 30000 + rnd(30000));
	if (k == 1)
		return snprintf(
		    b, cap,
		    "Mar  1 %02ld:%02ld:%02ld vpn sshd[%u]: Invalid user %s from %u.%u.%u.%u "
		    "port %u\n",
		    (t / 3600) % 24, (t / 60) % 60, t % 60, rnd(60000), users[rnd(6)],
		    11 + rnd(200), rnd(255), rnd(255), 1 + rnd(250), 30000 + rnd(30000));
	if (k == 2)
		return snprintf(
		    b, cap,
		    "Mar  1 %02ld:%02ld:%02ld vpn sshd[%u]: Accepted publickey for %s from "
		    "10.20.%u.%u port %u ssh2: ED25519 "
		    "SHA256:abcdefghijklmnopqrstuvwxyz0123456789ABCDEFG\n",
		    (t / 3600) % 24, (t / 60) % 60, t % 60, rnd(60000), users[rnd(6)], rnd(250),
		    rnd(250), 30000 + rnd(30000));
	return snprintf(
	    b, cap,
	    "Mar  1 %02ld:%02ld:%02ld vpn CRON[%u]: pam_unix(cron:session): session opened "
	    "for user root(uid=0) by (uid=0)\n",
	    (t / 3600) % 24, (t / 60) % 60, t % 60, rnd(60000));
}

static int gen_access(char *b, size_t cap, long i)
{
	long t = i / 20;
	return snprintf(
	    b, cap,
	    "%u.%u.%u.%u - - [01/Mar/2025:%02ld:%02ld:%02ld +0000] \"GET /news/2025/item-%u.html"
	    "?ref=%u HTTP/1.1\" %u %u \"https://www.example.gov/\" \"%s\"\n",
	    11 + rnd(200), rnd(255), rnd(255), 1 + rnd(250), (t / 3600) % 24, (t / 60) % 60, t % 60,
	    rnd(5000), rnd(100), rnd(10) ? 200 : 404, rnd(40000), uas[rnd(3)]);
}

struct gen {
	const char *format;
	const char *header;
	int (*line)(char *, size_t, long);
};

static const struct gen gens[] = {
    {"eve", NULL, gen_eve},
    {"zeek", zeek_header, gen_zeek},
    {"zeek_json", NULL, gen_zeek_json},
    {"syslog", NULL, gen_syslog},
    {"access", NULL, gen_access},
};

static double now(void)
{
	struct timespec ts;
	clock_gettime(CLOCK_MONOTONIC, &ts);
	return (double)ts.tv_sec + (double)ts.tv_nsec / 1e9;
}

static int run(const char *path, const struct format *f, bool fields, double *secs,
	       uint64_t *records, uint64_t *bytes)
{
	struct diag_sink diags;
	diag_sink_init(&diags, stderr);
	struct source src = {.path = path};
	struct read_opts ro = {.fields = fields, .default_year = 2025};
	struct reader *r;
	struct diag why = {0};
	double t0 = now();
	if (reader_open(&r, &src, f, &ro, &diags, &why)) {
		fprintf(stderr, "%s: %s\n", path, why.msg);
		return -1;
	}
	struct batch b;
	batch_init(&b);
	volatile uint64_t sink = 0;
	int n;
	while ((n = reader_next(r, &b)) > 0)
		sink += b.events[n - 1].time;
	struct reader_stats st;
	reader_stats(r, &st);
	reader_close(r);
	batch_free(&b);
	*secs = now() - t0;
	*records = st.records;
	*bytes = st.bytes;
	diag_sink_fini(&diags);
	return st.errors ? 1 : 0;
}

int main(int argc, char **argv)
{
	hash_seed_init();
	long mb = argc > 1 ? atol(argv[1]) : 100;
	const char *env = getenv("BENCH_READ_REPS");
	int reps = env && atoi(env) > 0 ? atoi(env) : 3;
	env = getenv("BENCH_READ_MODE");
	int first = env && !strcmp(env, "fields") ? 1 : 0;
	int last = env && !strcmp(env, "canon") ? 0 : 1;
	char dir[] = "/tmp/aptscope-bench-read-XXXXXX";
	if (!mkdtemp(dir))
		return 1;
	printf("%-10s %8s %12s %12s %12s %12s\n", "format", "MB", "MB/s canon", "rec/s canon",
	       "MB/s fields", "rec/s fields");
	for (size_t g = 0; g < sizeof gens / sizeof *gens; g++) {
		bool wanted = argc <= 2;
		for (int a = 2; a < argc; a++)
			wanted |= !strcmp(argv[a], gens[g].format);
		const struct format *f = format_by_name(gens[g].format);
		if (!wanted)
			continue;
		if (!f) {
			printf("%-10s (no such reader yet)\n", gens[g].format);
			continue;
		}
		char path[128];
		snprintf(path, sizeof path, "%s/%s.log", dir, gens[g].format);
		FILE *out = fopen(path, "w");
		if (gens[g].header)
			fputs(gens[g].header, out);
		char line[2048];
		size_t total = 0;
		for (long i = 0; total < (size_t)mb << 20; i++) {
			int n = gens[g].line(line, sizeof line, i);
			fwrite(line, 1, (size_t)n, out);
			total += (size_t)n;
		}
		fclose(out);
		double best[2] = {1e9, 1e9};
		uint64_t recs = 0, bytes = 0;
		for (int fields = first; fields <= last; fields++)
			for (int rep = 0; rep < reps; rep++) {
				double s;
				if (run(path, f, fields, &s, &recs, &bytes) < 0)
					return 1;
				if (s < best[fields])
					best[fields] = s;
			}
		printf("%-10s %8.0f %12.0f %12.0f %12.0f %12.0f\n", gens[g].format,
		       (double)bytes / 1e6, (double)bytes / 1e6 / best[0], (double)recs / best[0],
		       (double)bytes / 1e6 / best[1], (double)recs / best[1]);
		fflush(stdout);
		unlink(path);
	}
	rmdir(dir);
	return 0;
}
