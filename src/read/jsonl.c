/*
 * jsonl.c — any JSON-lines log: one object per line, flat or nested.
 *
 * The catch-all for JSON that no specific reader claims (application logs,
 * ECS/Elastic exports, cloud audit trails, tool output). Nested keys are
 * addressed by their dotted path ("source.ip"), which is also how flattened
 * exports spell them, so one table of common names (json_pathmap) covers
 * both shapes. The first leaf that feeds a canonical field wins; every leaf
 * is a native field when read_opts.fields asks for them.
 *
 * Time stamps are taken in any form timeparse knows: RFC 3339 text, epoch
 * seconds/ms/µs/ns as a number or a string, CLF.
 */
#include <string.h>

#include <pthread.h>

#include "core/error.h"
#include "core/json_scan.h"
#include "core/timeparse.h"
#include "event/fieldname.h"
#include "read/format.h"
#include "read/jsonread.h"

enum jsonl_action {
	JA_NONE,
	JA_TIME,
	JA_SRC_IP,
	JA_DST_IP,
	JA_SRC_PORT,
	JA_DST_PORT,
	JA_USER,
	JA_HOST,
	JA_SRC_HOST,
	JA_DST_HOST,
	JA_URL,
	JA_DOMAIN,
	JA_UA,
	JA_METHOD,
	JA_STATUS,
	JA_MD5,
	JA_SHA1,
	JA_SHA256,
	JA_JA3,
	JA_JA3S,
	JA_FILE,
	JA_PROCESS,
	JA_CMDLINE,
	JA_PARENT,
	JA_PARENT_CMDLINE,
	JA_PID,
	JA_OUTCOME,
	JA_CATEGORY,
	JA_EMAIL,
	JA_SERVICE,
	JA_PROTO,
	JA_APP_PROTO,
	JA_BYTES_OUT,
	JA_BYTES_IN,
	JA_RULE,
	JA_MESSAGE,
	JA_EVENT_ID,
};

static const struct json_pathmap_entry jsonl_paths[] = {
    {"@timestamp", JA_TIME},
    {"timestamp", JA_TIME},
    {"time", JA_TIME},
    {"ts", JA_TIME},
    {"eventTime", JA_TIME},
    {"date", JA_TIME},
    {"datetime", JA_TIME},
    {"event.created", JA_TIME},

    {"src_ip", JA_SRC_IP},
    {"source.ip", JA_SRC_IP},
    {"client.ip", JA_SRC_IP},
    {"srcip", JA_SRC_IP},
    {"src", JA_SRC_IP},
    {"sourceIPAddress", JA_SRC_IP},
    {"client_ip", JA_SRC_IP},
    {"remote_addr", JA_SRC_IP},
    {"dst_ip", JA_DST_IP},
    {"dest_ip", JA_DST_IP},
    {"destination.ip", JA_DST_IP},
    {"server.ip", JA_DST_IP},
    {"dstip", JA_DST_IP},
    {"dst", JA_DST_IP},

    {"src_port", JA_SRC_PORT},
    {"source.port", JA_SRC_PORT},
    {"client.port", JA_SRC_PORT},
    {"srcport", JA_SRC_PORT},
    {"sport", JA_SRC_PORT},
    {"dst_port", JA_DST_PORT},
    {"dest_port", JA_DST_PORT},
    {"destination.port", JA_DST_PORT},
    {"server.port", JA_DST_PORT},
    {"dstport", JA_DST_PORT},
    {"dport", JA_DST_PORT},

    {"user", JA_USER},
    {"user.name", JA_USER},
    {"username", JA_USER},
    {"userName", JA_USER},
    {"account", JA_USER},
    {"userIdentity.userName", JA_USER},

    {"host", JA_HOST},
    {"host.name", JA_HOST},
    {"hostname", JA_HOST},
    {"computer", JA_HOST},
    {"Computer", JA_HOST},
    {"host.hostname", JA_HOST},
    {"source.domain", JA_SRC_HOST},
    {"destination.domain", JA_DST_HOST},

    {"url", JA_URL},
    {"url.original", JA_URL},
    {"url.full", JA_URL},
    {"request", JA_URL},
    {"uri", JA_URL},

    {"domain", JA_DOMAIN},
    {"query", JA_DOMAIN},
    {"dns.question.name", JA_DOMAIN},
    {"url.domain", JA_DOMAIN},
    {"server_name", JA_DOMAIN},
    {"sni", JA_DOMAIN},
    {"tls.client.server_name", JA_DOMAIN},

    {"user_agent", JA_UA},
    {"user_agent.original", JA_UA},
    {"useragent", JA_UA},
    {"userAgent", JA_UA},
    {"http_user_agent", JA_UA},
    {"method", JA_METHOD},
    {"http.request.method", JA_METHOD},
    {"http_method", JA_METHOD},
    {"status", JA_STATUS},
    {"http.response.status_code", JA_STATUS},
    {"status_code", JA_STATUS},

    {"md5", JA_MD5},
    {"file.hash.md5", JA_MD5},
    {"hash.md5", JA_MD5},
    {"process.hash.md5", JA_MD5},
    {"sha1", JA_SHA1},
    {"file.hash.sha1", JA_SHA1},
    {"hash.sha1", JA_SHA1},
    {"process.hash.sha1", JA_SHA1},
    {"sha256", JA_SHA256},
    {"file.hash.sha256", JA_SHA256},
    {"hash.sha256", JA_SHA256},
    {"process.hash.sha256", JA_SHA256},
    {"ja3", JA_JA3},
    {"tls.client.ja3", JA_JA3},
    {"ja3s", JA_JA3S},
    {"tls.server.ja3s", JA_JA3S},
    {"file.path", JA_FILE},
    {"file_path", JA_FILE},
    {"filename", JA_FILE},
    {"file.name", JA_FILE},
    {"TargetFilename", JA_FILE},

    {"process.executable", JA_PROCESS},
    {"process.name", JA_PROCESS},
    {"Image", JA_PROCESS},
    {"process", JA_PROCESS},
    {"process.command_line", JA_CMDLINE},
    {"CommandLine", JA_CMDLINE},
    {"command_line", JA_CMDLINE},
    {"cmdline", JA_CMDLINE},
    {"process.parent.executable", JA_PARENT},
    {"ParentImage", JA_PARENT},
    {"process.parent.command_line", JA_PARENT_CMDLINE},
    {"ParentCommandLine", JA_PARENT_CMDLINE},
    {"process.pid", JA_PID},
    {"pid", JA_PID},
    {"ProcessId", JA_PID},

    {"event.outcome", JA_OUTCOME},
    {"outcome", JA_OUTCOME},
    {"event.category", JA_CATEGORY},
    {"email", JA_EMAIL},
    {"email.from.address", JA_EMAIL},
    {"user.email", JA_EMAIL},
    {"service", JA_SERVICE},
    {"service.name", JA_SERVICE},
    {"program", JA_SERVICE},
    {"proto", JA_PROTO},
    {"protocol", JA_PROTO},
    {"network.transport", JA_PROTO},
    {"app_proto", JA_APP_PROTO},
    {"network.protocol", JA_APP_PROTO},
    {"bytes_out", JA_BYTES_OUT},
    {"source.bytes", JA_BYTES_OUT},
    {"bytes_in", JA_BYTES_IN},
    {"destination.bytes", JA_BYTES_IN},
    {"rule", JA_RULE},
    {"rule.name", JA_RULE},
    {"signature", JA_RULE},
    {"message", JA_MESSAGE},
    {"msg", JA_MESSAGE},
    {"event.code", JA_EVENT_ID},
    {"EventID", JA_EVENT_ID},
    {"event_id", JA_EVENT_ID},
};

static struct json_pathmap jsonl_map;
static pthread_once_t jsonl_map_once = PTHREAD_ONCE_INIT;
static int jsonl_map_rc;

static void jsonl_map_build(void)
{
	jsonl_map_rc =
	    json_pathmap_init(&jsonl_map, jsonl_paths, sizeof jsonl_paths / sizeof jsonl_paths[0]);
}

struct jsonl_state {
	bool fields;
};

struct jsonl_walk {
	struct event *ev;
	struct arena *a;
	struct diag *why;
	bool fields;
};

static int jsonl_init(void *state, const struct read_opts *opts)
{
	struct jsonl_state *st = state;
	st->fields = opts && opts->fields;
	pthread_once(&jsonl_map_once, jsonl_map_build);
	return jsonl_map_rc;
}

static void set_str(struct event *ev, enum event_str k, struct slice v)
{
	if (!ev->str[k].ptr && v.len)
		ev->str[k] = v;
}

static void set_num(struct event *ev, enum event_num k, struct slice v)
{
	int64_t n;
	if (!event_has_num(ev, k) && slice_to_i64(v, &n) == 0)
		event_set_num(ev, k, n);
}

static void set_ip(struct ip *ip, struct slice v)
{
	if (ip->family == IP_NONE && ip_parse(v, ip))
		ip->family = IP_NONE;
}

/* ECS event.category values that name one of our kinds. */
static void set_category(struct event *ev, struct slice v)
{
	if (ev->kind != EK_OTHER)
		return;
	if (slice_eq_cstr(v, "authentication"))
		ev->kind = EK_AUTH;
	else if (slice_eq_cstr(v, "network"))
		ev->kind = EK_NETWORK;
	else if (slice_eq_cstr(v, "process"))
		ev->kind = EK_PROCESS;
	else if (slice_eq_cstr(v, "file"))
		ev->kind = EK_FILE;
	else if (slice_eq_cstr(v, "web"))
		ev->kind = EK_HTTP;
	else if (slice_eq_cstr(v, "intrusion_detection"))
		ev->kind = EK_ALERT;
}

static void set_outcome(struct event *ev, struct slice v)
{
	if (slice_eq_nocase_cstr(v, "success") || slice_eq_nocase_cstr(v, "succeeded") ||
	    slice_eq_cstr(v, "true"))
		ev->outcome = OUTCOME_SUCCESS;
	else if (slice_eq_nocase_cstr(v, "failure") || slice_eq_nocase_cstr(v, "failed") ||
		 slice_eq_cstr(v, "false"))
		ev->outcome = OUTCOME_FAILURE;
}

static int jsonl_leaf(void *ctx, const struct json_leaf *l)
{
	struct jsonl_walk *w = ctx;
	struct event *ev = w->ev;
	int action = json_pathmap_get(&jsonl_map, l->path);
	struct slice v;
	int rc = jsonread_leaf(l, action != 0, w->fields, ev, w->a, w->why, &v);
	if (rc)
		return rc;
	if (!action || l->type == JT_NULL)
		return 0;

	switch (action) {
	case JA_TIME:
		if (ev->time == AS_TIME_NONE) {
			rc = l->type == JT_NUMBER ? time_parse_epoch(v, &ev->time)
						  : time_parse_any(v, &ev->time);
			if (rc)
				ev->time = AS_TIME_NONE;
		}
		break;
	case JA_SRC_IP:
		set_ip(&ev->src_ip, v);
		break;
	case JA_DST_IP:
		set_ip(&ev->dst_ip, v);
		break;
	case JA_SRC_PORT:
		set_num(ev, EN_SRC_PORT, v);
		break;
	case JA_DST_PORT:
		set_num(ev, EN_DST_PORT, v);
		break;
	case JA_USER:
		if (l->type == JT_STRING)
			set_str(ev, ES_USER, v);
		break;
	case JA_HOST:
		if (l->type == JT_STRING)
			set_str(ev, ES_HOST, v);
		break;
	case JA_SRC_HOST:
		set_str(ev, ES_SRC_HOST, v);
		break;
	case JA_DST_HOST:
		set_str(ev, ES_DST_HOST, v);
		break;
	case JA_URL:
		if (l->type == JT_STRING)
			set_str(ev, ES_URL, v);
		break;
	case JA_DOMAIN:
		if (l->type == JT_STRING)
			set_str(ev, ES_DOMAIN, v);
		break;
	case JA_UA:
		if (l->type == JT_STRING)
			set_str(ev, ES_USER_AGENT, v);
		break;
	case JA_METHOD:
		set_str(ev, ES_HTTP_METHOD, v);
		break;
	case JA_STATUS:
		set_num(ev, EN_HTTP_STATUS, v);
		break;
	case JA_MD5:
		set_str(ev, ES_MD5, v);
		break;
	case JA_SHA1:
		set_str(ev, ES_SHA1, v);
		break;
	case JA_SHA256:
		set_str(ev, ES_SHA256, v);
		break;
	case JA_JA3:
		set_str(ev, ES_JA3, v);
		break;
	case JA_JA3S:
		set_str(ev, ES_JA3S, v);
		break;
	case JA_FILE:
		set_str(ev, ES_FILE_PATH, v);
		break;
	case JA_PROCESS:
		if (l->type == JT_STRING)
			set_str(ev, ES_PROCESS, v);
		break;
	case JA_CMDLINE:
		set_str(ev, ES_COMMAND_LINE, v);
		break;
	case JA_PARENT:
		set_str(ev, ES_PARENT_PROCESS, v);
		break;
	case JA_PARENT_CMDLINE:
		set_str(ev, ES_PARENT_COMMAND_LINE, v);
		break;
	case JA_PID:
		set_num(ev, EN_PID, v);
		break;
	case JA_OUTCOME:
		if (ev->outcome == OUTCOME_UNKNOWN)
			set_outcome(ev, v);
		break;
	case JA_CATEGORY:
		set_category(ev, v);
		break;
	case JA_EMAIL:
		if (l->type == JT_STRING)
			set_str(ev, ES_EMAIL, v);
		break;
	case JA_SERVICE:
		if (l->type == JT_STRING)
			set_str(ev, ES_SERVICE, v);
		break;
	case JA_PROTO:
		set_str(ev, ES_PROTO, v);
		break;
	case JA_APP_PROTO:
		set_str(ev, ES_APP_PROTO, v);
		break;
	case JA_BYTES_OUT:
		set_num(ev, EN_BYTES_OUT, v);
		break;
	case JA_BYTES_IN:
		set_num(ev, EN_BYTES_IN, v);
		break;
	case JA_RULE:
		if (l->type == JT_STRING)
			set_str(ev, ES_RULE, v);
		break;
	case JA_MESSAGE:
		set_str(ev, ES_MESSAGE, v);
		break;
	case JA_EVENT_ID:
		set_num(ev, EN_EVENT_ID, v);
		break;
	default:
		break;
	}
	return 0;
}

static int jsonl_line(void *state, struct slice line, struct event *ev, struct arena *a,
		      struct diag *why)
{
	struct jsonl_state *st = state;
	struct jsonl_walk w = {ev, a, why, st->fields};
	ev->time = AS_TIME_NONE;
	ev->raw = line;
	int rc = json_walk(line, jsonl_leaf, &w, why);
	if (rc)
		return rc < 0 ? rc : AS_EPARSE;
	if (ev->kind == EK_OTHER && ev->outcome != OUTCOME_UNKNOWN && ev->str[ES_USER].ptr)
		ev->kind = EK_AUTH;
	return LINE_EVENT;
}

/* Any JSON object line, with low confidence so that every specific JSON
 * reader (EVE, Zeek, journald, Windows) wins on its own data. */
static int jsonl_probe(struct slice head)
{
	struct slice first;
	int got = jsonread_first_line(head, &first);
	if (got == JSONREAD_NO_OBJECT)
		return 0;
	if (got == JSONREAD_CUT)
		return 30; /* one line longer than the probe window */
	return json_walk(first, NULL, NULL, NULL) == 0 ? 35 : 0;
}

const struct format format_jsonl = {
    .name = "jsonl",
    .summary = "JSON lines: any object per line, common field names (ECS, flat or nested)",
    .probe = jsonl_probe,
    .state_size = sizeof(struct jsonl_state),
    .init = jsonl_init,
    .line = jsonl_line,
};
