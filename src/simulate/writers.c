/*
 * writers.c — one simulated record in the exact shape each log writes.
 *
 * Network activity goes to the organisation's sensor: Zeek (conn.log plus dns/http/ssl.log,
 * TSV with the #fields header) or Suricata (EVE JSON: dns, http, tls, flow). Hosts write
 * Sysmon events exported as JSON (the {"Event":{"System":…,"EventData":…}} shape), sshd lines
 * with rsyslog's RFC 3339 stamps (they carry the year), and the web server the combined
 * access-log format. Records are appended to a stream with their time; see sim_int.h.
 */
#include <stdlib.h>
#include <string.h>

#include "core/error.h"
#include "core/hash.h"
#include "core/json.h"
#include "core/limits.h"
#include "simulate/sim_int.h"

/* ---- streams ----------------------------------------------------------------------------- */

void sim_stream_reset(struct sim_stream *s)
{
	buf_reset(&s->text);
	s->n = 0;
}

void sim_stream_free(struct sim_stream *s)
{
	if (!s)
		return;
	buf_free(&s->text);
	free(s->recs);
	memset(s, 0, sizeof *s);
}

static int rec_cmp(const void *a, const void *b)
{
	const struct sim_rec *x = a, *y = b;
	if (x->t != y->t)
		return x->t < y->t ? -1 : 1;
	return x->seq < y->seq ? -1 : x->seq > y->seq;
}

void sim_stream_sort(struct sim_stream *s)
{
	if (s->n > 1)
		qsort(s->recs, s->n, sizeof *s->recs, rec_cmp);
}

/* ---- times ------------------------------------------------------------------------------- */

static void civil(int64_t days, int *y, int *m, int *d)
{
	/* days since 1970-01-01 → proleptic Gregorian date (H. Hinnant's algorithm) */
	days += 719468;
	int64_t era = (days >= 0 ? days : days - 146096) / 146097;
	int64_t doe = days - era * 146097;
	int64_t yoe = (doe - doe / 1460 + doe / 36524 - doe / 146096) / 365;
	int64_t doy = doe - (365 * yoe + yoe / 4 - yoe / 100);
	int64_t mp = (5 * doy + 2) / 153;
	*d = (int)(doy - (153 * mp + 2) / 5 + 1);
	*m = (int)(mp < 10 ? mp + 3 : mp - 9);
	*y = (int)(yoe + era * 400 + (*m <= 2));
}

void sim_fmt_time(int64_t us, int style, char *dst, size_t cap)
{
	static const char *mon[] = {"Jan", "Feb", "Mar", "Apr", "May", "Jun",
				    "Jul", "Aug", "Sep", "Oct", "Nov", "Dec"};
	int64_t sec = us >= 0 ? us / SIM_US : (us - SIM_US + 1) / SIM_US;
	int64_t frac = us - sec * SIM_US;
	int64_t days = sec >= 0 ? sec / 86400 : (sec - 86399) / 86400;
	int64_t sod = sec - days * 86400;
	int y, m, d;
	civil(days, &y, &m, &d);
	int H = (int)(sod / 3600), M = (int)(sod / 60 % 60), S = (int)(sod % 60);
	switch (style) {
	case TS_EVE:
		snprintf(dst, cap, "%04d-%02d-%02dT%02d:%02d:%02d.%06lld+0000", y, m, d, H, M, S,
			 (long long)frac);
		break;
	case TS_RFC3339:
		snprintf(dst, cap, "%04d-%02d-%02dT%02d:%02d:%02d.%06lld+00:00", y, m, d, H, M, S,
			 (long long)frac);
		break;
	case TS_CLF:
		snprintf(dst, cap, "%02d/%s/%04d:%02d:%02d:%02d +0000", d, mon[m - 1], y, H, M, S);
		break;
	case TS_SYSMON:
		snprintf(dst, cap, "%04d-%02d-%02dT%02d:%02d:%02d.%06lld0Z", y, m, d, H, M, S,
			 (long long)frac);
		break;
	case TS_UTCTIME:
		snprintf(dst, cap, "%04d-%02d-%02d %02d:%02d:%02d.%03lld", y, m, d, H, M, S,
			 (long long)(frac / 1000));
		break;
	case TS_ZEEK:
		snprintf(dst, cap, "%lld.%06lld", (long long)sec, (long long)frac);
		break;
	case TS_ZEEK_OPEN:
		snprintf(dst, cap, "%04d-%02d-%02d-%02d-%02d-%02d", y, m, d, H, M, S);
		break;
	default:
		snprintf(dst, cap, "%04d-%02d-%02dT%02d:%02d:%02d.%06lldZ", y, m, d, H, M, S,
			 (long long)frac);
		break;
	}
}

/* ---- helpers ----------------------------------------------------------------------------- */

void sim_sha256(uint64_t seed, const char *label, char dst[65])
{
	uint64_t h = hash_bytes_seeded(label, strlen(label), seed ^ 0x5348413235362121ull);
	for (int i = 0; i < 4; i++) {
		h = hash_fold(h ^ HASH_K1, HASH_K2 + (uint64_t)i);
		snprintf(dst + 16 * i, 17, "%016llx", (unsigned long long)h);
	}
}

static void emit(struct sim_out *o, int log, int64_t t, const char *fmt, ...)
    __attribute__((format(printf, 4, 5)));

static void emit(struct sim_out *o, int log, int64_t t, const char *fmt, ...)
{
	struct sim_stream *s = &o->s[log];
	if (s->n == s->cap) {
		size_t cap = s->cap ? s->cap * 2 : 1024;
		struct sim_rec *n = realloc(s->recs, cap * sizeof *n);
		if (!n) {
			o->w->err = o->w->err ? o->w->err : AS_ENOMEM;
			return;
		}
		s->recs = n;
		s->cap = cap;
	}
	size_t off = s->text.len;
	va_list ap;
	va_start(ap, fmt);
	int rc = buf_vprintf(&s->text, fmt, ap);
	va_end(ap);
	if (rc < 0) {
		o->w->err = o->w->err ? o->w->err : rc;
		return;
	}
	s->recs[s->n++] = (struct sim_rec){t, s->seq++, off, s->text.len - off};
	if (o->count)
		(*o->count)++;
}

static void uid(struct sim_out *o, char dst[20])
{
	static const char al[] = "ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789";
	dst[0] = 'C';
	for (int i = 1; i < 18; i++)
		dst[i] = al[sim_rng_below(o->r, sizeof al - 1)];
	dst[18] = 0;
}

static int eph_port(struct sim_out *o)
{
	return 49152 + (int)sim_rng_below(o->r, 16000);
}

static unsigned long long flow_id(struct sim_out *o)
{
	return 100000000000000ull + sim_rng_below(o->r, 1900000000000000ull);
}

/* ---- network ------------------------------------------------------------------------------ */

static void zeek_conn(struct sim_out *o, int64_t t, const char *c, int cp, const char *s, int sp,
		      const char *proto, const char *service, double dur, long up, long down,
		      const char *u)
{
	char ts[32];
	sim_fmt_time(t, TS_ZEEK, ts, sizeof ts);
	long op = 2 + up / 1200, rp = 2 + down / 1200;
	emit(o, LOG_CONN, t,
	     "%s\t%s\t%s\t%d\t%s\t%d\t%s\t%s\t%.6f\t%ld\t%ld\t%s\tT\tF\t0\t%s\t%ld\t%ld\t%ld\t%"
	     "ld\t-",
	     ts, u, c, cp, s, sp, proto, service, dur, up, down, strcmp(proto, "udp") ? "SF" : "SF",
	     strcmp(proto, "udp") ? "ShADadFf" : "Dd", op, up + 40 * op, rp, down + 40 * rp);
}

void sim_conn(struct sim_out *o, int64_t t, const char *client, const char *server, int port,
	      const char *proto, const char *service, double dur, long up, long down)
{
	int cp = eph_port(o);
	if (o->org->sensor == SENSOR_ZEEK) {
		char u[20];
		uid(o, u);
		zeek_conn(o, t, client, cp, server, port, proto, service ? service : "-", dur, up,
			  down, u);
		return;
	}
	char ts[40], te[40];
	sim_fmt_time(t, TS_EVE, ts, sizeof ts);
	sim_fmt_time(t + (int64_t)(dur * SIM_US), TS_EVE, te, sizeof te);
	emit(o, LOG_EVE, t + (int64_t)(dur * SIM_US),
	     "{\"timestamp\":\"%s\",\"flow_id\":%llu,\"in_iface\":\"eth1\",\"event_type\":\"flow\","
	     "\"src_ip\":\"%s\",\"src_port\":%d,\"dest_ip\":\"%s\",\"dest_port\":%d,\"proto\":\"%"
	     "s\","
	     "\"app_proto\":\"%s\",\"flow\":{\"pkts_toserver\":%ld,\"pkts_toclient\":%ld,"
	     "\"bytes_toserver\":%ld,\"bytes_toclient\":%ld,\"start\":\"%s\",\"end\":\"%s\","
	     "\"age\":%d,\"state\":\"closed\",\"reason\":\"timeout\",\"alerted\":false},"
	     "\"host\":\"%s-sensor\"}",
	     te, flow_id(o), client, cp, server, port, strcmp(proto, "udp") ? "TCP" : "UDP",
	     service && strcmp(service, "-") ? service : "failed", 2 + up / 1200, 2 + down / 1200,
	     up, down, ts, te, (int)dur, o->org->code);
}

void sim_dns(struct sim_out *o, int64_t t, const char *client, const char *query,
	     const char *answer)
{
	char dnsip[20];
	sim_server_ip(o->org, 2, dnsip, sizeof dnsip);
	int cp = eph_port(o);
	int id = 1 + (int)sim_rng_below(o->r, 65535);
	if (o->org->sensor == SENSOR_ZEEK) {
		char ts[32], u[20];
		sim_fmt_time(t, TS_ZEEK, ts, sizeof ts);
		uid(o, u);
		emit(o, LOG_DNS, t,
		     "%s\t%s\t%s\t%d\t%s\t53\tudp\t%d\t0.%06d\t%s\t1\tC_"
		     "INTERNET\t1\tA\t0\tNOERROR\tF\tF\tT\tT\t0\t%s\t%d.000000\tF",
		     ts, u, client, cp, dnsip, id, 1000 + (int)sim_rng_below(o->r, 90000), query,
		     answer, 60 + 60 * (int)sim_rng_below(o->r, 60));
		return;
	}
	char ts[40];
	sim_fmt_time(t, TS_EVE, ts, sizeof ts);
	emit(o, LOG_EVE, t,
	     "{\"timestamp\":\"%s\",\"flow_id\":%llu,\"in_iface\":\"eth1\",\"event_type\":\"dns\","
	     "\"src_ip\":\"%s\",\"src_port\":%d,\"dest_ip\":\"%s\",\"dest_port\":53,\"proto\":"
	     "\"UDP\","
	     "\"dns\":{\"version\":2,\"type\":\"query\",\"id\":%d,\"rrname\":\"%s\",\"rrtype\":"
	     "\"A\","
	     "\"tx_id\":0,\"opcode\":0},\"host\":\"%s-sensor\"}",
	     ts, flow_id(o), client, cp, dnsip, id, query, o->org->code);
	int64_t ta = t + 1000 + (int64_t)sim_rng_below(o->r, 40000);
	sim_fmt_time(ta, TS_EVE, ts, sizeof ts);
	emit(o, LOG_EVE, ta,
	     "{\"timestamp\":\"%s\",\"flow_id\":%llu,\"in_iface\":\"eth1\",\"event_type\":\"dns\","
	     "\"src_ip\":\"%s\",\"src_port\":53,\"dest_ip\":\"%s\",\"dest_port\":%d,\"proto\":"
	     "\"UDP\","
	     "\"dns\":{\"version\":2,\"type\":\"answer\",\"id\":%d,\"flags\":\"8180\",\"qr\":true,"
	     "\"rd\":true,\"ra\":true,\"rrname\":\"%s\",\"rrtype\":\"A\",\"rcode\":\"NOERROR\","
	     "\"answers\":[{\"rrname\":\"%s\",\"rrtype\":\"A\",\"ttl\":300,\"rdata\":\"%s\"}]},"
	     "\"host\":\"%s-sensor\"}",
	     ts, flow_id(o), dnsip, client, cp, id, query, query, answer, o->org->code);
}

void sim_http(struct sim_out *o, int64_t t, const char *client, const char *server,
	      const char *host, const char *method, const char *uri, const char *ua, int status,
	      long req_len, long resp_len)
{
	int cp = eph_port(o);
	double dur = 0.05 + sim_rng_unit(o->r) * 2;
	if (o->org->sensor == SENSOR_ZEEK) {
		char ts[32], u[20];
		sim_fmt_time(t, TS_ZEEK, ts, sizeof ts);
		uid(o, u);
		zeek_conn(o, t, client, cp, server, 80, "tcp", "http", dur, req_len + 300,
			  resp_len + 300, u);
		emit(o, LOG_HTTP, t,
		     "%s\t%s\t%s\t%d\t%s\t80\t1\t%s\t%s\t%s\t-\t1.1\t%s\t%ld\t%ld\t%d\t%s", ts, u,
		     client, cp, server, method, host, uri, ua, req_len, resp_len, status,
		     status == 200   ? "OK"
		     : status == 404 ? "Not Found"
		     : status == 304 ? "Not Modified"
				     : "-");
		return;
	}
	char ts[40];
	sim_fmt_time(t, TS_EVE, ts, sizeof ts);
	struct buf b = BUF_INIT, bu = BUF_INIT;
	json_cstr(&b, uri);
	json_cstr(&bu, ua);
	emit(o, LOG_EVE, t,
	     "{\"timestamp\":\"%s\",\"flow_id\":%llu,\"in_iface\":\"eth1\",\"event_type\":\"http\","
	     "\"src_ip\":\"%s\",\"src_port\":%d,\"dest_ip\":\"%s\",\"dest_port\":80,\"proto\":"
	     "\"TCP\","
	     "\"tx_id\":0,\"http\":{\"hostname\":\"%s\",\"url\":%s,\"http_user_agent\":%s,"
	     "\"http_content_type\":\"%s\",\"http_method\":\"%s\",\"protocol\":\"HTTP/1.1\","
	     "\"status\":%d,\"length\":%ld},\"host\":\"%s-sensor\"}",
	     ts, flow_id(o), client, cp, server, host, b.data ? b.data : "\"/\"",
	     bu.data ? bu.data : "\"-\"",
	     strstr(uri, ".exe") || strstr(uri, ".msi") ? "application/octet-stream" : "text/html",
	     method, status, resp_len, o->org->code);
	buf_free(&b);
	buf_free(&bu);
}

void sim_tls(struct sim_out *o, int64_t t, const char *client, const char *server, const char *sni,
	     const char *ja3, long up, long down)
{
	int cp = eph_port(o);
	double dur = 0.2 + sim_rng_unit(o->r) * 20;
	if (o->org->sensor == SENSOR_ZEEK) {
		char ts[32], u[20];
		sim_fmt_time(t, TS_ZEEK, ts, sizeof ts);
		uid(o, u);
		zeek_conn(o, t, client, cp, server, 443, "tcp", "ssl", dur, up, down, u);
		emit(o, LOG_SSL, t,
		     "%s\t%s\t%s\t%d\t%s\t443\tTLSv13\tTLS_AES_128_GCM_SHA256\tx25519\t%s\tF\tT\t%"
		     "s\t%s",
		     ts, u, client, cp, server, sni, ja3, "eb1d94daa7e0344597e756a1fb6e7054");
		return;
	}
	char ts[40];
	sim_fmt_time(t, TS_EVE, ts, sizeof ts);
	emit(o, LOG_EVE, t,
	     "{\"timestamp\":\"%s\",\"flow_id\":%llu,\"in_iface\":\"eth1\",\"event_type\":\"tls\","
	     "\"src_ip\":\"%s\",\"src_port\":%d,\"dest_ip\":\"%s\",\"dest_port\":443,\"proto\":"
	     "\"TCP\","
	     "\"tls\":{\"subject\":\"CN=%s\",\"issuerdn\":\"C=US, O=Let's Encrypt, CN=R3\","
	     "\"sni\":\"%s\",\"version\":\"TLS 1.3\",\"ja3\":{\"hash\":\"%s\"},"
	     "\"ja3s\":{\"hash\":\"eb1d94daa7e0344597e756a1fb6e7054\"}},\"host\":\"%s-sensor\"}",
	     ts, flow_id(o), client, cp, server, sni, sni, ja3, o->org->code);
	(void)up;
	(void)down;
}

/* ---- hosts -------------------------------------------------------------------------------- */

static void sysmon_head(struct jw *w, int64_t t, int id, const char *host,
			const struct sim_org *org)
{
	char ts[40], comp[128];
	sim_fmt_time(t, TS_SYSMON, ts, sizeof ts);
	snprintf(comp, sizeof comp, "%s.%s", host, org->domain);
	jw_obj(w);
	jw_key(w, "Event");
	jw_obj(w);
	jw_key(w, "System");
	jw_obj(w);
	jw_key(w, "Provider");
	jw_obj(w);
	jw_kcstr(w, "@Name", "Microsoft-Windows-Sysmon");
	jw_kcstr(w, "@Guid", "{5770385F-C22A-43E0-BF4C-06F5698FFBD9}");
	jw_obj_end(w);
	jw_kint(w, "EventID", id);
	jw_kcstr(w, "Channel", "Microsoft-Windows-Sysmon/Operational");
	jw_kcstr(w, "Computer", comp);
	jw_key(w, "TimeCreated");
	jw_obj(w);
	jw_kcstr(w, "@SystemTime", ts);
	jw_obj_end(w);
	jw_obj_end(w);
	jw_key(w, "EventData");
	jw_obj(w);
	sim_fmt_time(t, TS_UTCTIME, ts, sizeof ts);
	jw_kcstr(w, "UtcTime", ts);
}

static void sysmon_end(struct sim_out *o, struct jw *w, struct buf *b, int64_t t)
{
	jw_obj_end(w);
	jw_obj_end(w);
	jw_obj_end(w);
	if (b->err) {
		o->w->err = o->w->err ? o->w->err : b->err;
		return;
	}
	emit(o, LOG_SYSMON, t, "%s", b->data);
}

static void domain_user(const struct sim_org *org, const char *user, char *dst, size_t cap)
{
	if (strchr(user, '\\'))
		snprintf(dst, cap, "%s", user);
	else
		snprintf(dst, cap, "%.8s\\%s", org->code, user);
	for (char *p = dst; *p && *p != '\\'; p++)
		if (*p >= 'a' && *p <= 'z')
			*p = (char)(*p - 32);
}

void sim_proc(struct sim_out *o, int64_t t, const char *host, const char *user, const char *image,
	      const char *cmdline, const char *parent, const char *sha256)
{
	struct buf b = BUF_INIT;
	struct jw w;
	jw_init(&w, &b);
	sysmon_head(&w, t, 1, host, o->org);
	char pid[16], ppid[16], u[160], h[80];
	snprintf(pid, sizeof pid, "%d", 1000 + 4 * (int)sim_rng_below(o->r, 4000));
	snprintf(ppid, sizeof ppid, "%d", 600 + 4 * (int)sim_rng_below(o->r, 4000));
	domain_user(o->org, user, u, sizeof u);
	snprintf(h, sizeof h, "SHA256=%s", sha256);
	jw_kcstr(&w, "ProcessId", pid);
	jw_kcstr(&w, "Image", image);
	jw_kcstr(&w, "CommandLine", cmdline);
	jw_kcstr(&w, "CurrentDirectory", "C:\\Windows\\system32\\");
	jw_kcstr(&w, "User", u);
	jw_kcstr(&w, "IntegrityLevel", strstr(user, "SYSTEM") ? "System" : "Medium");
	jw_kcstr(&w, "Hashes", h);
	jw_kcstr(&w, "ParentProcessId", ppid);
	jw_kcstr(&w, "ParentImage", parent);
	sysmon_end(o, &w, &b, t);
	buf_free(&b);
}

void sim_proc_net(struct sim_out *o, int64_t t, const char *host, const char *user,
		  const char *image, const char *src_ip, const char *dst_ip, const char *dst_host,
		  int dst_port)
{
	struct buf b = BUF_INIT;
	struct jw w;
	jw_init(&w, &b);
	sysmon_head(&w, t, 3, host, o->org);
	char u[160];
	domain_user(o->org, user, u, sizeof u);
	jw_kcstr(&w, "Image", image);
	jw_kcstr(&w, "User", u);
	jw_kcstr(&w, "Protocol", "tcp");
	jw_kcstr(&w, "Initiated", "true");
	jw_kcstr(&w, "SourceIp", src_ip);
	jw_kint(&w, "SourcePort", eph_port(o));
	jw_kcstr(&w, "DestinationIp", dst_ip);
	jw_kcstr(&w, "DestinationHostname", dst_host);
	jw_kint(&w, "DestinationPort", dst_port);
	sysmon_end(o, &w, &b, t);
	buf_free(&b);
}

void sim_auth(struct sim_out *o, int64_t t, const char *host, const char *fmt, ...)
{
	char ts[48], msg[512];
	va_list ap;
	va_start(ap, fmt);
	vsnprintf(msg, sizeof msg, fmt, ap);
	va_end(ap);
	sim_fmt_time(t, TS_RFC3339, ts, sizeof ts);
	emit(o, LOG_AUTH, t, "%s %s %s", ts, host, msg);
}

void sim_access(struct sim_out *o, int64_t t, const char *client, const char *method,
		const char *uri, int status, long len, const char *referer, const char *ua)
{
	char ts[40];
	sim_fmt_time(t, TS_CLF, ts, sizeof ts);
	emit(o, LOG_ACCESS, t, "%s - - [%s] \"%s %s HTTP/1.1\" %d %ld \"%s\" \"%s\"", client, ts,
	     method, uri, status, len, referer ? referer : "-", ua);
}
