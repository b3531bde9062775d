/*
 * eve.c — Suricata EVE JSON (one object per line, every event_type).
 *
 * Each line goes once through json_walk(). Every leaf's dotted path is looked
 * up in a fixed path map (json_pathmap) that names the canonical field it
 * feeds, if any: "dns.rrname" → domain, "tls.ja3.hash" → ja3, and so on.
 * With read_opts.fields off that look-up is all a leaf costs; with it on,
 * every leaf is also kept as a native field under its path.
 *
 * Where several paths feed one canonical field the first one written wins:
 * a DNS query name comes before the answers' names in every EVE version
 * (v1 "dns.rrname", v2 "dns.rrname"/"dns.answers", v3 and alert metadata
 * "dns.queries"/"dns.query"), and an SMTP sender before its recipients.
 * Flow duration is flow.end − flow.start, computed after the walk.
 */
#include <string.h>

#include <pthread.h>

#include "core/error.h"
#include "core/json_scan.h"
#include "core/timeparse.h"
#include "event/fieldname.h"
#include "read/format.h"
#include "read/jsonread.h"

enum eve_action {
	EA_NONE,
	EA_TIME,
	EA_EVENT_TYPE,
	EA_SRC_IP,
	EA_DST_IP,
	EA_SRC_PORT,
	EA_DST_PORT,
	EA_PROTO,
	EA_APP_PROTO,
	EA_HOST,
	EA_DOMAIN,
	EA_QTYPE,
	EA_RCODE,
	EA_URL,
	EA_UA,
	EA_METHOD,
	EA_STATUS,
	EA_JA3,
	EA_JA3S,
	EA_MD5,
	EA_SHA1,
	EA_SHA256,
	EA_FILE,
	EA_RULE,
	EA_BYTES_OUT,
	EA_BYTES_IN,
	EA_START,
	EA_END,
	EA_STATE,
	EA_EMAIL,
	EA_USER,
	EA_SRC_HOST,
	EA_MESSAGE,
	EA_FLOW_SRC_IP,
	EA_FLOW_DST_IP,
	EA_FLOW_SRC_PORT,
	EA_FLOW_DST_PORT,
};

static const struct json_pathmap_entry eve_paths[] = {
    {"timestamp", EA_TIME},
    {"event_type", EA_EVENT_TYPE},
    {"src_ip", EA_SRC_IP},
    {"dest_ip", EA_DST_IP},
    {"src_port", EA_SRC_PORT},
    {"dest_port", EA_DST_PORT},
    {"proto", EA_PROTO},
    {"app_proto", EA_APP_PROTO},
    {"host", EA_HOST},
    /* dns: v1/v2 record, v3 and alert metadata queries, then answers */
    {"dns.rrname", EA_DOMAIN},
    {"dns.queries.rrname", EA_DOMAIN},
    {"dns.query.rrname", EA_DOMAIN},
    {"dns.answers.rrname", EA_DOMAIN},
    {"dns.rrtype", EA_QTYPE},
    {"dns.queries.rrtype", EA_QTYPE},
    {"dns.query.rrtype", EA_QTYPE},
    {"dns.rcode", EA_RCODE},
    /* http (also the context of fileinfo and alert records) */
    {"http.hostname", EA_DOMAIN},
    {"http.url", EA_URL},
    {"http.http_user_agent", EA_UA},
    {"http.http_method", EA_METHOD},
    {"http.status", EA_STATUS},
    /* tls */
    {"tls.sni", EA_DOMAIN},
    {"tls.ja3.hash", EA_JA3},
    {"tls.ja3s.hash", EA_JA3S},
    /* files */
    {"fileinfo.filename", EA_FILE},
    {"fileinfo.md5", EA_MD5},
    {"fileinfo.sha1", EA_SHA1},
    {"fileinfo.sha256", EA_SHA256},
    {"smb.filename", EA_FILE},
    {"ftp_data.filename", EA_FILE},
    {"tftp.file", EA_FILE},
    /* alerts */
    {"alert.signature", EA_RULE},
    /* flows */
    {"flow.bytes_toserver", EA_BYTES_OUT},
    {"flow.bytes_toclient", EA_BYTES_IN},
    {"flow.start", EA_START},
    {"flow.end", EA_END},
    {"flow.state", EA_STATE},
    {"flow.src_ip", EA_FLOW_SRC_IP},
    {"flow.dest_ip", EA_FLOW_DST_IP},
    {"flow.src_port", EA_FLOW_SRC_PORT},
    {"flow.dest_port", EA_FLOW_DST_PORT},
    {"netflow.bytes", EA_BYTES_OUT},
    {"netflow.start", EA_START},
    {"netflow.end", EA_END},
    /* mail */
    {"smtp.mail_from", EA_EMAIL},
    {"smtp.rcpt_to", EA_EMAIL},
    {"email.from", EA_EMAIL},
    {"email.to", EA_EMAIL},
    /* accounts */
    {"krb5.cname", EA_USER},
    {"smb.ntlmssp.user", EA_USER},
    {"rdp.client.user", EA_USER},
    {"dhcp.hostname", EA_SRC_HOST},
    {"anomaly.event", EA_MESSAGE},
};

static struct json_pathmap eve_map;
static pthread_once_t eve_map_once = PTHREAD_ONCE_INIT;
static int eve_map_rc;

/* Most leaves of a record feed no canonical field (flow_id, dns.id,
 * tls.ja3.string, tcp.syn …). A bit per (path length, low six bits of the
 * last byte) says whether any mapped path has that shape, so most misses
 * cost one load and no hash. */
#define EVE_SHAPE_LEN 32
static uint64_t eve_shape[EVE_SHAPE_LEN];

static void eve_map_build(void)
{
	size_t n = sizeof eve_paths / sizeof eve_paths[0];
	for (size_t i = 0; i < n; i++) {
		size_t len = strlen(eve_paths[i].path);
		if (len < EVE_SHAPE_LEN)
			eve_shape[len] |= 1ull << (eve_paths[i].path[len - 1] & 63);
	}
	eve_map_rc = json_pathmap_init(&eve_map, eve_paths, n);
}

/* a[0..n) == b[0..n), by two overlapping words for the usual lengths;
 * reads nothing outside either run. */
static inline bool same(const char *a, const char *b, size_t n)
{
	if (n >= 8) {
		uint64_t x, y, u, v;
		memcpy(&x, a, 8);
		memcpy(&y, b, 8);
		memcpy(&u, a + n - 8, 8);
		memcpy(&v, b + n - 8, 8);
		if ((x ^ y) | (u ^ v))
			return false;
		return n <= 16 || memcmp(a + 8, b + 8, n - 16) == 0;
	}
	if (n >= 4) {
		uint32_t x, y, u, v;
		memcpy(&x, a, 4);
		memcpy(&y, b, 4);
		memcpy(&u, a + n - 4, 4);
		memcpy(&v, b + n - 4, 4);
		return !((x ^ y) | (u ^ v));
	}
	for (size_t i = 0; i < n; i++)
		if (a[i] != b[i])
			return false;
	return true;
}

static inline int eve_action(struct slice path)
{
	if (path.len == 0)
		return 0;
	if (path.len < EVE_SHAPE_LEN &&
	    !((eve_shape[path.len] >> (path.ptr[path.len - 1] & 63)) & 1))
		return 0;
	/* json_pathmap_get() with the compare inlined: most leaves that pass the
	 * shape test are hits, and a memcmp call costs more than the probe. */
	for (uint32_t i = json_pathmap_hash(path);; i = (i + 1) & (JSON_PATHMAP_SLOTS - 1)) {
		if (!eve_map.slot[i].path)
			return 0;
		if (eve_map.slot[i].len == path.len &&
		    same(eve_map.slot[i].path, path.ptr, path.len))
			return eve_map.slot[i].action;
	}
}

struct eve_state {
	bool fields;
};

struct eve_walk {
	struct event *ev;
	struct arena *a;
	struct diag *why;
	bool fields;
	struct slice start, end; /* flow start/end time stamps */
	struct slice flow_src, flow_dst, flow_sport, flow_dport;
};

static int eve_init(void *state, const struct read_opts *opts)
{
	struct eve_state *st = state;
	st->fields = opts && opts->fields;
	pthread_once(&eve_map_once, eve_map_build);
	return eve_map_rc;
}

/* event_type → kind; the frequent types first. Everything that describes
 * one connection or one application transaction on it is a network event. */
static const struct {
	const char *name;
	uint8_t len;
	uint8_t kind;
} eve_kinds[] = {
    {"flow", 4, EK_NETWORK},    {"dns", 3, EK_DNS},           {"http", 4, EK_HTTP},
    {"tls", 3, EK_TLS},         {"alert", 5, EK_ALERT},       {"fileinfo", 8, EK_FILE},
    {"netflow", 7, EK_NETWORK}, {"drop", 4, EK_NETWORK},      {"ssh", 3, EK_NETWORK},
    {"smtp", 4, EK_NETWORK},    {"email", 5, EK_NETWORK},     {"smb", 3, EK_NETWORK},
    {"krb5", 4, EK_NETWORK},    {"rdp", 3, EK_NETWORK},       {"dhcp", 4, EK_NETWORK},
    {"http2", 5, EK_HTTP},      {"ftp", 3, EK_NETWORK},       {"ftp_data", 8, EK_NETWORK},
    {"dcerpc", 6, EK_NETWORK},  {"nfs", 3, EK_NETWORK},       {"sip", 3, EK_NETWORK},
    {"ike", 3, EK_NETWORK},     {"snmp", 4, EK_NETWORK},      {"tftp", 4, EK_NETWORK},
    {"quic", 4, EK_NETWORK},    {"mqtt", 4, EK_NETWORK},      {"rfb", 3, EK_NETWORK},
    {"modbus", 6, EK_NETWORK},  {"dnp3", 4, EK_NETWORK},      {"pgsql", 5, EK_NETWORK},
    {"ldap", 4, EK_NETWORK},    {"websocket", 9, EK_NETWORK}, {"bittorrent-dht", 14, EK_NETWORK},
};

static enum event_kind eve_kind(struct slice t)
{
	for (size_t i = 0; i < sizeof eve_kinds / sizeof eve_kinds[0]; i++)
		if (eve_kinds[i].len == t.len && memcmp(eve_kinds[i].name, t.ptr, t.len) == 0)
			return (enum event_kind)eve_kinds[i].kind;
	return EK_OTHER; /* anomaly, stats, unknown */
}

/* Lower-case transport name; the common ones without copying. */
static struct slice eve_proto(struct slice p, struct arena *a)
{
	if (slice_eq_cstr(p, "TCP"))
		return SLICE_LIT("tcp");
	if (slice_eq_cstr(p, "UDP"))
		return SLICE_LIT("udp");
	if (slice_eq_cstr(p, "ICMP") || slice_eq_cstr(p, "IPv6-ICMP"))
		return SLICE_LIT("icmp");
	char *d = arena_alloc(a, p.len + 1);
	if (!d)
		return p;
	for (size_t i = 0; i < p.len; i++) {
		char c = p.ptr[i];
		d[i] = (c >= 'A' && c <= 'Z') ? (char)(c + 32) : c;
	}
	d[p.len] = '\0';
	return slice_make(d, p.len);
}

static void set_str(struct event *ev, enum event_str k, struct slice v)
{
	if (!ev->str[k].ptr)
		ev->str[k] = v;
}

static void set_num(struct event *ev, enum event_num k, struct slice v)
{
	int64_t n;
	if (!event_has_num(ev, k) && slice_to_i64(v, &n) == 0)
		event_set_num(ev, k, n);
}

static int eve_leaf(void *ctx, const struct json_leaf *l)
{
	struct eve_walk *w = ctx;
	struct event *ev = w->ev;
	int action = eve_action(l->path);
	struct slice v;
	int rc = jsonread_leaf(l, action != 0, w->fields, ev, w->a, w->why, &v);
	if (rc)
		return rc;
	if (!action || l->type == JT_NULL)
		return 0;

	switch (action) {
	case EA_TIME:
		if (ev->time == AS_TIME_NONE && time_parse_rfc3339(v, &ev->time))
			ev->time = AS_TIME_NONE;
		break;
	case EA_EVENT_TYPE:
		ev->kind = (uint8_t)eve_kind(v);
		break;
	case EA_SRC_IP:
		if (ip_parse(v, &ev->src_ip))
			ev->src_ip.family = IP_NONE;
		break;
	case EA_DST_IP:
		if (ip_parse(v, &ev->dst_ip))
			ev->dst_ip.family = IP_NONE;
		break;
	case EA_SRC_PORT:
		set_num(ev, EN_SRC_PORT, v);
		break;
	case EA_DST_PORT:
		set_num(ev, EN_DST_PORT, v);
		break;
	case EA_PROTO:
		set_str(ev, ES_PROTO, eve_proto(v, w->a));
		break;
	case EA_APP_PROTO:
		set_str(ev, ES_APP_PROTO, v);
		break;
	case EA_HOST:
		set_str(ev, ES_HOST, v);
		break;
	case EA_DOMAIN:
		set_str(ev, ES_DOMAIN, v);
		break;
	case EA_QTYPE:
		set_str(ev, ES_DNS_QTYPE, v);
		break;
	case EA_RCODE:
		set_str(ev, ES_DNS_RCODE, v);
		break;
	case EA_URL:
		set_str(ev, ES_URL, v);
		break;
	case EA_UA:
		set_str(ev, ES_USER_AGENT, v);
		break;
	case EA_METHOD:
		set_str(ev, ES_HTTP_METHOD, v);
		break;
	case EA_STATUS:
		set_num(ev, EN_HTTP_STATUS, v);
		break;
	case EA_JA3:
		set_str(ev, ES_JA3, v);
		break;
	case EA_JA3S:
		set_str(ev, ES_JA3S, v);
		break;
	case EA_MD5:
		set_str(ev, ES_MD5, v);
		break;
	case EA_SHA1:
		set_str(ev, ES_SHA1, v);
		break;
	case EA_SHA256:
		set_str(ev, ES_SHA256, v);
		break;
	case EA_FILE:
		set_str(ev, ES_FILE_PATH, v);
		break;
	case EA_RULE:
		set_str(ev, ES_RULE, v);
		break;
	case EA_BYTES_OUT:
		set_num(ev, EN_BYTES_OUT, v);
		break;
	case EA_BYTES_IN:
		set_num(ev, EN_BYTES_IN, v);
		break;
	case EA_START:
		if (!w->start.ptr)
			w->start = v;
		break;
	case EA_END:
		if (!w->end.ptr)
			w->end = v;
		break;
	case EA_STATE:
		set_str(ev, ES_CONN_STATE, v);
		break;
	case EA_EMAIL:
		/* SMTP writes "<a@b>"; the address alone is what indicators hold */
		if (v.len >= 2 && v.ptr[0] == '<' && v.ptr[v.len - 1] == '>')
			v = slice_sub(v, 1, v.len - 2);
		if (v.len)
			set_str(ev, ES_EMAIL, v);
		break;
	case EA_USER:
		set_str(ev, ES_USER, v);
		break;
	case EA_SRC_HOST:
		set_str(ev, ES_SRC_HOST, v);
		break;
	case EA_MESSAGE:
		set_str(ev, ES_MESSAGE, v);
		break;
	case EA_FLOW_SRC_IP:
		w->flow_src = v;
		break;
	case EA_FLOW_DST_IP:
		w->flow_dst = v;
		break;
	case EA_FLOW_SRC_PORT:
		w->flow_sport = v;
		break;
	case EA_FLOW_DST_PORT:
		w->flow_dport = v;
		break;
	default:
		break;
	}
	return 0;
}

static int eve_line(void *state, struct slice line, struct event *ev, struct arena *a,
		    struct diag *why)
{
	struct eve_state *st = state;
	struct eve_walk w = {.ev = ev, .a = a, .why = why, .fields = st->fields};
	ev->time = AS_TIME_NONE;
	ev->raw = line;
	int rc = json_walk(line, eve_leaf, &w, why);
	if (rc)
		return rc < 0 ? rc : AS_EPARSE;
	if (w.start.ptr && w.end.ptr) {
		int64_t s, e;
		if (time_parse_rfc3339(w.start, &s) == 0 && time_parse_rfc3339(w.end, &e) == 0 &&
		    e >= s)
			event_set_num(ev, EN_DURATION_US, e - s);
	}
	/* An alert's top-level addresses follow the packet that matched (they
	 * are swapped for a to_client match); Suricata 7 adds the flow's own
	 * direction under "flow", which is what initiator/responder means. */
	if (w.flow_src.ptr && w.flow_dst.ptr) {
		struct ip s, d;
		int64_t sp, dp;
		if (ip_parse(w.flow_src, &s) == 0 && ip_parse(w.flow_dst, &d) == 0) {
			ev->src_ip = s;
			ev->dst_ip = d;
			if (slice_to_i64(w.flow_sport, &sp) == 0 &&
			    slice_to_i64(w.flow_dport, &dp) == 0) {
				event_set_num(ev, EN_SRC_PORT, sp);
				event_set_num(ev, EN_DST_PORT, dp);
			}
		}
	}
	return LINE_EVENT;
}

/* Does the first line look like EVE? Both keys appear at the top level of
 * every EVE record Suricata writes. */
static int eve_probe(struct slice head)
{
	struct slice first;
	int got = jsonread_first_line(head, &first);
	if (got == JSONREAD_NO_OBJECT || !memmem(first.ptr, first.len, "\"event_type\":", 13) ||
	    !memmem(first.ptr, first.len, "\"timestamp\":", 12))
		return 0;
	if (got == JSONREAD_CUT)
		return 80; /* a line longer than the probe: cannot validate it */
	return json_walk(first, NULL, NULL, NULL) == 0 ? 90 : 40;
}

const struct format format_eve = {
    .name = "eve",
    .summary = "Suricata EVE JSON (alert, flow, dns, http, tls, fileinfo, smtp, ssh, …)",
    .probe = eve_probe,
    .state_size = sizeof(struct eve_state),
    .init = eve_init,
    .line = eve_line,
};
