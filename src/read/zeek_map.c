/*
 * zeek_map.c — the column → canonical field table of Zeek logs, see zeek_map.h.
 *
 * The mapping is written as one flat list of rows {log type, column, action}
 * (ZEEK_LOG_UNKNOWN = every log type) and a list of marker columns. On first
 * use both are folded into a small open-addressing hash keyed by column
 * name, one entry per distinct name holding its per-log actions and its
 * marker bit, so that a look-up is one hash and one compare whatever the
 * number of log types. Rows come from the field lists of Zeek 5/6 base
 * scripts (base/protocols/<proto>/main.zeek, base/frameworks/notice, intel,
 * files, software) and the ja3 package.
 */
#include "read/zeek_map.h"

#include <math.h>
#include <pthread.h>
#include <string.h>

#include "core/error.h"
#include "core/ip.h"
#include "core/timeparse.h"

#define ANY ZEEK_LOG_UNKNOWN

struct map_row {
	uint8_t log;
	const char *name;
	uint8_t op;
	uint8_t arg;
};

static const struct map_row map_rows[] = {
    /* Every log */
    {ANY, "ts", ZOP_TIME, 0},
    {ANY, "id.orig_h", ZOP_SRC_IP, 0},
    {ANY, "id.orig_p", ZOP_NUM, EN_SRC_PORT},
    {ANY, "id.resp_h", ZOP_DST_IP, 0},
    {ANY, "id.resp_p", ZOP_NUM, EN_DST_PORT},
    {ANY, "proto", ZOP_STR, ES_PROTO},
    {ANY, "_node_name", ZOP_STR, ES_HOST},
    {ANY, "username", ZOP_STR, ES_USER},
    {ANY, "user_agent", ZOP_STR, ES_USER_AGENT},
    /* conn */
    {ZEEK_LOG_CONN, "service", ZOP_STR, ES_APP_PROTO},
    {ZEEK_LOG_CONN, "duration", ZOP_INTERVAL, EN_DURATION_US},
    {ZEEK_LOG_CONN, "orig_bytes", ZOP_NUM, EN_BYTES_OUT},
    {ZEEK_LOG_CONN, "resp_bytes", ZOP_NUM, EN_BYTES_IN},
    {ZEEK_LOG_CONN, "conn_state", ZOP_STR, ES_CONN_STATE},
    /* dns */
    {ZEEK_LOG_DNS, "query", ZOP_STR, ES_DOMAIN},
    {ZEEK_LOG_DNS, "qtype_name", ZOP_STR, ES_DNS_QTYPE},
    {ZEEK_LOG_DNS, "rcode_name", ZOP_STR, ES_DNS_RCODE},
    {ZEEK_LOG_DNS, "rtt", ZOP_INTERVAL, EN_DURATION_US},
    /* http */
    {ZEEK_LOG_HTTP, "host", ZOP_STR, ES_DOMAIN},
    {ZEEK_LOG_HTTP, "uri", ZOP_STR, ES_URL},
    {ZEEK_LOG_HTTP, "method", ZOP_STR, ES_HTTP_METHOD},
    {ZEEK_LOG_HTTP, "status_code", ZOP_NUM, EN_HTTP_STATUS},
    {ZEEK_LOG_HTTP, "request_body_len", ZOP_NUM, EN_BYTES_OUT},
    {ZEEK_LOG_HTTP, "response_body_len", ZOP_NUM, EN_BYTES_IN},
    /* ssl (ja3/ja3s come from the ja3 package) */
    {ZEEK_LOG_SSL, "server_name", ZOP_STR, ES_DOMAIN},
    {ZEEK_LOG_SSL, "ja3", ZOP_STR, ES_JA3},
    {ZEEK_LOG_SSL, "ja3s", ZOP_STR, ES_JA3S},
    /* files */
    {ZEEK_LOG_FILES, "md5", ZOP_STR, ES_MD5},
    {ZEEK_LOG_FILES, "sha1", ZOP_STR, ES_SHA1},
    {ZEEK_LOG_FILES, "sha256", ZOP_STR, ES_SHA256},
    {ZEEK_LOG_FILES, "filename", ZOP_STR, ES_FILE_PATH},
    {ZEEK_LOG_FILES, "duration", ZOP_INTERVAL, EN_DURATION_US},
    /* notice: src/dst/p stand in when the notice has no connection */
    {ZEEK_LOG_NOTICE, "note", ZOP_STR, ES_RULE},
    {ZEEK_LOG_NOTICE, "msg", ZOP_STR, ES_MESSAGE},
    {ZEEK_LOG_NOTICE, "src", ZOP_SRC_IP | ZOP_IF_ABSENT, 0},
    {ZEEK_LOG_NOTICE, "dst", ZOP_DST_IP | ZOP_IF_ABSENT, 0},
    {ZEEK_LOG_NOTICE, "p", ZOP_NUM | ZOP_IF_ABSENT, EN_DST_PORT},
    {ZEEK_LOG_NOTICE, "peer_descr", ZOP_STR, ES_HOST},
    {ZEEK_LOG_NOTICE, "file_desc", ZOP_STR | ZOP_IF_ABSENT, ES_FILE_PATH},
    /* ssh */
    {ZEEK_LOG_SSH, "auth_success", ZOP_SUCCESS, 0},
    {ZEEK_LOG_SSH, "client", ZOP_STR, ES_USER_AGENT},
    /* weird */
    {ZEEK_LOG_WEIRD, "name", ZOP_STR, ES_RULE},
    {ZEEK_LOG_WEIRD, "addl", ZOP_STR, ES_MESSAGE},
    {ZEEK_LOG_WEIRD, "peer", ZOP_STR, ES_HOST},
    /* smtp */
    {ZEEK_LOG_SMTP, "mailfrom", ZOP_STR, ES_EMAIL},
    {ZEEK_LOG_SMTP, "helo", ZOP_STR, ES_SRC_HOST},
    {ZEEK_LOG_SMTP, "subject", ZOP_STR, ES_MESSAGE},
    /* dhcp (Zeek ≥ 2.6 has no id.* here) */
    {ZEEK_LOG_DHCP, "client_addr", ZOP_SRC_IP | ZOP_IF_ABSENT, 0},
    {ZEEK_LOG_DHCP, "server_addr", ZOP_DST_IP | ZOP_IF_ABSENT, 0},
    {ZEEK_LOG_DHCP, "assigned_addr", ZOP_SRC_IP | ZOP_IF_ABSENT, 0},
    {ZEEK_LOG_DHCP, "host_name", ZOP_STR, ES_SRC_HOST},
    {ZEEK_LOG_DHCP, "duration", ZOP_INTERVAL, EN_DURATION_US},
    /* dce_rpc */
    {ZEEK_LOG_DCE_RPC, "rtt", ZOP_INTERVAL, EN_DURATION_US},
    /* kerberos */
    {ZEEK_LOG_KERBEROS, "client", ZOP_STR, ES_USER},
    {ZEEK_LOG_KERBEROS, "success", ZOP_SUCCESS, 0},
    {ZEEK_LOG_KERBEROS, "error_msg", ZOP_STR, ES_MESSAGE},
    /* ntlm */
    {ZEEK_LOG_NTLM, "hostname", ZOP_STR, ES_SRC_HOST},
    {ZEEK_LOG_NTLM, "server_dns_computer_name", ZOP_STR, ES_DST_HOST},
    {ZEEK_LOG_NTLM, "success", ZOP_SUCCESS, 0},
    /* rdp: the cookie is the user name mstsc sends */
    {ZEEK_LOG_RDP, "cookie", ZOP_STR, ES_USER},
    {ZEEK_LOG_RDP, "client_name", ZOP_STR, ES_SRC_HOST},
    /* smb_files */
    {ZEEK_LOG_SMB_FILES, "name", ZOP_STR, ES_FILE_PATH},
    /* software: the host that runs it */
    {ZEEK_LOG_SOFTWARE, "host", ZOP_SRC_IP, 0},
    {ZEEK_LOG_SOFTWARE, "host_p", ZOP_NUM, EN_SRC_PORT},
    {ZEEK_LOG_SOFTWARE, "unparsed_version", ZOP_STR, ES_MESSAGE},
    /* known_hosts */
    {ZEEK_LOG_KNOWN_HOSTS, "host", ZOP_SRC_IP, 0},
    /* intel */
    {ZEEK_LOG_INTEL, "seen.indicator", ZOP_STR, ES_MESSAGE},
    {ZEEK_LOG_INTEL, "matched", ZOP_STR, ES_RULE},
    {ZEEK_LOG_INTEL, "seen.host", ZOP_SRC_IP | ZOP_IF_ABSENT, 0},
};

/* Marker columns for inferring the log type of a record without _path. */
#define MARKER_LIST(X)                                                                             \
	X(NOTE, "note")                                                                            \
	X(CONN_STATE, "conn_state")                                                                \
	X(ORIG_BYTES, "orig_bytes")                                                                \
	X(QUERY, "query")                                                                          \
	X(QTYPE_NAME, "qtype_name")                                                                \
	X(METHOD, "method")                                                                        \
	X(URI, "uri")                                                                              \
	X(SERVER_NAME, "server_name")                                                              \
	X(JA3, "ja3")                                                                              \
	X(VERSION, "version")                                                                      \
	X(CIPHER, "cipher")                                                                        \
	X(CERT_SUBJECT, "certificate.subject")                                                     \
	X(FUID, "fuid")                                                                            \
	X(MIME_TYPE, "mime_type")                                                                  \
	X(SEEN_BYTES, "seen_bytes")                                                                \
	X(AUTH_SUCCESS, "auth_success")                                                            \
	X(CLIENT, "client")                                                                        \
	X(KEX_ALG, "kex_alg")                                                                      \
	X(NAME, "name")                                                                            \
	X(ADDL, "addl")                                                                            \
	X(PEER, "peer")                                                                            \
	X(NOTICE, "notice")                                                                        \
	X(MAILFROM, "mailfrom")                                                                    \
	X(RCPTTO, "rcptto")                                                                        \
	X(HELO, "helo")                                                                            \
	X(MSG_TYPES, "msg_types")                                                                  \
	X(ASSIGNED_ADDR, "assigned_addr")                                                          \
	X(LEASE_TIME, "lease_time")                                                                \
	X(ENDPOINT, "endpoint")                                                                    \
	X(OPERATION, "operation")                                                                  \
	X(REQUEST_TYPE, "request_type")                                                            \
	X(SERVER_NB, "server_nb_computer_name")                                                    \
	X(DOMAINNAME, "domainname")                                                                \
	X(USERNAME, "username")                                                                    \
	X(COOKIE, "cookie")                                                                        \
	X(SECURITY_PROTOCOL, "security_protocol")                                                  \
	X(CLIENT_BUILD, "client_build")                                                            \
	X(ACTION, "action")                                                                        \
	X(SOFTWARE_TYPE, "software_type")                                                          \
	X(SEEN_INDICATOR, "seen.indicator")                                                        \
	X(HOST, "host")                                                                            \
	X(ID_ORIG_H, "id.orig_h")

enum {
#define X(id, name) MB_##id,
	MARKER_LIST(X)
#undef X
	    MB_COUNT
};
_Static_assert(MB_COUNT <= 64, "markers must fit in 64 bits");

#define M(id) (1ull << MB_##id)

static const char *const marker_names[] = {
#define X(id, name) name,
    MARKER_LIST(X)
#undef X
};

/* A column may be mapped in a few log types at most ("host", "duration"). */
#define NAME_TARGETS 6
#define HASH_SLOTS   512

struct zeek_name {
	struct slice name;
	uint64_t markers;
	uint8_t ntargets;
	uint8_t logs[NAME_TARGETS];
	struct zeek_target targets[NAME_TARGETS];
};

static struct zeek_name names[HASH_SLOTS / 2];
static size_t nnames;
static int16_t slots[HASH_SLOTS]; /* index into names + 1; 0 = empty */
static pthread_once_t built = PTHREAD_ONCE_INIT;

/* Every column of every record is looked up: hash the first and last four
 * bytes and the length (constant time, no per-byte multiply chain), which
 * tells Zeek's names apart well enough at this load; probing does the rest. */
static uint32_t name_hash(struct slice s)
{
	uint32_t a = 0, b = 0;
	if (s.len >= 4) {
		memcpy(&a, s.ptr, 4);
		memcpy(&b, s.ptr + s.len - 4, 4);
	} else {
		for (size_t i = 0; i < s.len; i++)
			a = a << 8 | (uint8_t)s.ptr[i];
	}
	uint32_t h = a * 0x9e3779b1u ^ (b * 0x85ebca77u + (uint32_t)s.len * 0xc2b2ae3du);
	return h ^ h >> 15;
}

static struct zeek_name *lookup(struct slice s)
{
	for (uint32_t i = name_hash(s) & (HASH_SLOTS - 1);; i = (i + 1) & (HASH_SLOTS - 1)) {
		if (!slots[i])
			return NULL;
		struct zeek_name *n = &names[slots[i] - 1];
		if (slice_eq(n->name, s))
			return n;
	}
}

/* The lists are constants sized far below the table: adding can only fail
 * when someone doubles them, which the test of every row would show. */
static struct zeek_name *add(const char *text)
{
	struct slice s = slice_cstr(text);
	struct zeek_name *n = lookup(s);
	if (n)
		return n;
	if (nnames == sizeof names / sizeof names[0])
		return NULL;
	n = &names[nnames++];
	n->name = s;
	uint32_t i = name_hash(s) & (HASH_SLOTS - 1);
	while (slots[i])
		i = (i + 1) & (HASH_SLOTS - 1);
	slots[i] = (int16_t)nnames;
	return n;
}

static void build(void)
{
	for (size_t i = 0; i < sizeof map_rows / sizeof map_rows[0]; i++) {
		struct zeek_name *n = add(map_rows[i].name);
		if (!n || n->ntargets == NAME_TARGETS)
			continue;
		n->logs[n->ntargets] = map_rows[i].log;
		n->targets[n->ntargets++] = (struct zeek_target){map_rows[i].op, map_rows[i].arg};
	}
	for (int b = 0; b < MB_COUNT; b++) {
		struct zeek_name *n = add(marker_names[b]);
		if (n)
			n->markers |= 1ull << b;
	}
}

const struct zeek_name *zeek_name_find(struct slice name)
{
	pthread_once(&built, build);
	return lookup(name);
}

struct zeek_target zeek_name_target(const struct zeek_name *n, enum zeek_log log)
{
	struct zeek_target any = {ZOP_NONE, 0};
	if (!n)
		return any;
	for (unsigned i = 0; i < n->ntargets; i++) {
		if (n->logs[i] == log)
			return n->targets[i];
		if (n->logs[i] == ANY)
			any = n->targets[i];
	}
	return any;
}

struct zeek_target zeek_map_column(enum zeek_log log, struct slice name)
{
	return zeek_name_target(zeek_name_find(name), log);
}

uint64_t zeek_name_markers(const struct zeek_name *n)
{
	return n ? n->markers : 0;
}

/* Most specific first: several logs share a generic column ("name",
 * "client", "host", "version"), so each test below names a column only its
 * log has, or a pair no other log has. */
enum zeek_log zeek_log_infer(uint64_t m)
{
#define HAS(id) ((m & M(id)) != 0)
	if (HAS(NOTE))
		return ZEEK_LOG_NOTICE;
	if (HAS(SEEN_INDICATOR))
		return ZEEK_LOG_INTEL;
	if (HAS(CONN_STATE) || HAS(ORIG_BYTES))
		return ZEEK_LOG_CONN;
	if (HAS(QTYPE_NAME) || HAS(QUERY))
		return ZEEK_LOG_DNS;
	if (HAS(METHOD) && HAS(URI))
		return ZEEK_LOG_HTTP;
	if (HAS(CERT_SUBJECT))
		return ZEEK_LOG_X509;
	if (HAS(SERVER_NAME) || HAS(JA3) || (HAS(VERSION) && HAS(CIPHER)))
		return ZEEK_LOG_SSL;
	if (HAS(FUID) && (HAS(MIME_TYPE) || HAS(SEEN_BYTES)))
		return ZEEK_LOG_FILES;
	if (HAS(REQUEST_TYPE))
		return ZEEK_LOG_KERBEROS;
	if (HAS(COOKIE) || HAS(SECURITY_PROTOCOL) || HAS(CLIENT_BUILD))
		return ZEEK_LOG_RDP;
	if (HAS(AUTH_SUCCESS) || HAS(KEX_ALG) || HAS(CLIENT))
		return ZEEK_LOG_SSH;
	if (HAS(MAILFROM) || HAS(RCPTTO) || HAS(HELO))
		return ZEEK_LOG_SMTP;
	if (HAS(MSG_TYPES) || HAS(ASSIGNED_ADDR) || HAS(LEASE_TIME))
		return ZEEK_LOG_DHCP;
	if (HAS(ENDPOINT) && HAS(OPERATION))
		return ZEEK_LOG_DCE_RPC;
	if (HAS(SERVER_NB) || (HAS(DOMAINNAME) && HAS(USERNAME)))
		return ZEEK_LOG_NTLM;
	if (HAS(SOFTWARE_TYPE))
		return ZEEK_LOG_SOFTWARE;
	if (HAS(ACTION) && HAS(NAME))
		return ZEEK_LOG_SMB_FILES;
	if (HAS(NAME) && (HAS(ADDL) || HAS(PEER) || HAS(NOTICE)))
		return ZEEK_LOG_WEIRD;
	if (HAS(HOST) && !HAS(ID_ORIG_H))
		return ZEEK_LOG_KNOWN_HOSTS;
	return ZEEK_LOG_UNKNOWN;
#undef HAS
}

static const char *const log_names[] = {
#define X(id, name, kind) name,
    ZEEK_LOG_LIST(X)
#undef X
};

static const uint8_t log_kinds[] = {
#define X(id, name, kind) kind,
    ZEEK_LOG_LIST(X)
#undef X
};

enum zeek_log zeek_log_from_path(struct slice path)
{
	for (int i = 1; i < ZEEK_LOG_COUNT; i++)
		if (slice_eq_cstr(path, log_names[i]))
			return (enum zeek_log)i;
	return ZEEK_LOG_UNKNOWN;
}

const char *zeek_log_name(enum zeek_log log)
{
	return (unsigned)log < ZEEK_LOG_COUNT ? log_names[log] : "";
}

void zeek_event_begin(struct event *ev, enum zeek_log log)
{
	ev->kind = (unsigned)log < ZEEK_LOG_COUNT ? log_kinds[log] : EK_OTHER;
}

int zeek_interval_parse(struct slice s, int64_t *us)
{
	size_t i = 0;
	bool neg = s.len && s.ptr[0] == '-';
	i = neg;
	int64_t whole = 0, frac = 0;
	size_t nd = 0, nf = 0;
	for (; i < s.len && s.ptr[i] >= '0' && s.ptr[i] <= '9'; i++)
		if (++nd > 12)
			goto slow; /* past 30,000 years: let strtod say */
		else
			whole = whole * 10 + (s.ptr[i] - '0');
	if (i < s.len && s.ptr[i] == '.')
		for (i++; i < s.len && s.ptr[i] >= '0' && s.ptr[i] <= '9'; i++)
			if (++nf <= 6)
				frac = frac * 10 + (s.ptr[i] - '0');
	if (i != s.len || nd + nf == 0)
		goto slow;
	for (; nf < 6; nf++)
		frac *= 10;
	*us = (whole * 1000000 + frac) * (neg ? -1 : 1);
	return 0;
slow:;
	/* JSON writers may use exponents ("1e-05"). */
	double d;
	if (slice_to_double(s, &d) || !isfinite(d) || fabs(d) > 9.2e12)
		return AS_EPARSE;
	*us = llround(d * 1e6);
	return 0;
}

static int time_value(struct slice v, int64_t *us)
{
	if (v.len > 4 && v.ptr[4] == '-')
		return time_parse_rfc3339(v, us);
	if (time_parse_epoch(v, us) == 0)
		return 0;
	double d;
	if (slice_to_double(v, &d) || !isfinite(d) || d < 0 || d > 9.2e12)
		return AS_EPARSE;
	*us = llround(d * 1e6);
	return 0;
}

void zeek_event_apply(struct event *ev, struct zeek_target t, struct slice v)
{
	bool if_absent = (t.op & ZOP_IF_ABSENT) != 0;
	struct ip ip;
	int64_t n;
	if (v.len == 0)
		return;
	switch (t.op & ~ZOP_IF_ABSENT) {
	case ZOP_TIME:
		if ((!if_absent || ev->time == AS_TIME_NONE) && time_value(v, &n) == 0)
			ev->time = n;
		break;
	case ZOP_SRC_IP:
		if ((!if_absent || ev->src_ip.family == IP_NONE) && ip_parse(v, &ip) == 0)
			ev->src_ip = ip;
		break;
	case ZOP_DST_IP:
		if ((!if_absent || ev->dst_ip.family == IP_NONE) && ip_parse(v, &ip) == 0)
			ev->dst_ip = ip;
		break;
	case ZOP_STR:
		if (t.arg < ES_COUNT && (!if_absent || !ev->str[t.arg].ptr))
			ev->str[t.arg] = v;
		break;
	case ZOP_NUM:
		if (t.arg < EN_COUNT && (!if_absent || !event_has_num(ev, t.arg)) &&
		    slice_to_i64(v, &n) == 0)
			event_set_num(ev, t.arg, n);
		break;
	case ZOP_INTERVAL:
		if (t.arg < EN_COUNT && (!if_absent || !event_has_num(ev, t.arg)) &&
		    zeek_interval_parse(v, &n) == 0)
			event_set_num(ev, t.arg, n);
		break;
	case ZOP_SUCCESS:
		if (slice_eq_cstr(v, "T") || slice_eq_cstr(v, "true"))
			ev->outcome = OUTCOME_SUCCESS;
		else if (slice_eq_cstr(v, "F") || slice_eq_cstr(v, "false"))
			ev->outcome = OUTCOME_FAILURE;
		else
			break;
		ev->kind = EK_AUTH;
		break;
	default:
		break;
	}
}

void zeek_event_end(struct event *ev, enum zeek_log log)
{
	static const struct {
		uint8_t log;
		const char *app_proto, *service, *auth_method;
	} per_log[] = {
	    {ZEEK_LOG_DNS, "dns", NULL, NULL},
	    {ZEEK_LOG_HTTP, "http", NULL, NULL},
	    {ZEEK_LOG_SSL, "tls", NULL, NULL},
	    {ZEEK_LOG_SSH, "ssh", "ssh", NULL},
	    {ZEEK_LOG_SMTP, "smtp", NULL, NULL},
	    {ZEEK_LOG_DHCP, "dhcp", NULL, NULL},
	    {ZEEK_LOG_DCE_RPC, "dce_rpc", NULL, NULL},
	    {ZEEK_LOG_KERBEROS, "krb", "kerberos", "kerberos"},
	    {ZEEK_LOG_NTLM, "ntlm", "ntlm", "ntlm"},
	    {ZEEK_LOG_RDP, "rdp", NULL, NULL},
	    {ZEEK_LOG_SMB_FILES, "smb", NULL, NULL},
	};
	for (size_t i = 0; i < sizeof per_log / sizeof per_log[0]; i++) {
		if (per_log[i].log != log)
			continue;
		if (!ev->str[ES_APP_PROTO].ptr)
			ev->str[ES_APP_PROTO] = slice_cstr(per_log[i].app_proto);
		/* Only an authentication carries the service it authenticated to:
		 * brute-force detectors group by it. */
		if (ev->kind == EK_AUTH && per_log[i].service && !ev->str[ES_SERVICE].ptr)
			ev->str[ES_SERVICE] = slice_cstr(per_log[i].service);
		if (ev->kind == EK_AUTH && per_log[i].auth_method && !ev->str[ES_AUTH_METHOD].ptr)
			ev->str[ES_AUTH_METHOD] = slice_cstr(per_log[i].auth_method);
		break;
	}
}
