/*
 * event.h — one normalised record, whatever log it came from.
 *
 * An event has two faces:
 *   - canonical fields, typed and named the same for every source, that any
 *     detector can use without knowing the log format (time, kind, src/dst ip
 *     and port, host, user, outcome, process, domain, url, hashes, JA3 …);
 *   - native fields, the record's own names (Zeek "id.orig_h", EVE
 *     "dns.rrname", Windows "CommandLine"), interned in the field dictionary,
 *     kept for engines such as Sigma that address fields by name.
 * Values are slices into the read buffer (or the batch arena when they had
 * to be unescaped); an event lives as long as its batch. event_copy() makes
 * one that outlives it.
 *
 * Readers fill native fields only when read_opts.fields asks for them: an
 * IOC-only hunt needs the canonical fields alone and runs faster without.
 */
#ifndef AS_EVENT_EVENT_H
#define AS_EVENT_EVENT_H

#include <stdbool.h>
#include <stdint.h>

#include "core/arena.h"
#include "core/buf.h"
#include "core/ip.h"
#include "core/slice.h"

#define EVENT_KIND_LIST(X)                                                                         \
	X(OTHER, "other")                                                                          \
	X(AUTH, "auth")                                                                            \
	X(PROCESS, "process")                                                                      \
	X(NETWORK, "network")                                                                      \
	X(DNS, "dns")                                                                              \
	X(HTTP, "http")                                                                            \
	X(TLS, "tls")                                                                              \
	X(FILE, "file")                                                                            \
	X(ALERT, "alert")

enum event_kind {
#define X(id, name) EK_##id,
	EVENT_KIND_LIST(X)
#undef X
	    EK_COUNT
};

enum outcome { OUTCOME_UNKNOWN = 0, OUTCOME_SUCCESS, OUTCOME_FAILURE };

/* Canonical text fields: enum id, JSON name, what it holds. */
#define EVENT_STR_LIST(X)                                                                          \
	X(HOST, "host", "the host that wrote the log / the observed host")                         \
	X(SRC_HOST, "src_host", "source host name (workstation, client name)")                     \
	X(DST_HOST, "dst_host", "destination host name")                                           \
	X(USER, "user", "account name")                                                            \
	X(PROCESS, "process", "process image path or program name")                                \
	X(COMMAND_LINE, "command_line", "process command line")                                    \
	X(PARENT_PROCESS, "parent_process", "parent process image")                                \
	X(PARENT_COMMAND_LINE, "parent_command_line", "parent command line")                       \
	X(DOMAIN, "domain", "DNS query name, HTTP host or TLS SNI")                                \
	X(URL, "url", "URL or request URI")                                                        \
	X(USER_AGENT, "user_agent", "HTTP user agent")                                             \
	X(HTTP_METHOD, "http_method", "HTTP method")                                               \
	X(MD5, "md5", "file MD5, lower-case hex")                                                  \
	X(SHA1, "sha1", "file SHA-1, lower-case hex")                                              \
	X(SHA256, "sha256", "file SHA-256, lower-case hex")                                        \
	X(JA3, "ja3", "TLS client fingerprint (MD5 hex)")                                          \
	X(JA3S, "ja3s", "TLS server fingerprint (MD5 hex)")                                        \
	X(FILE_PATH, "file_path", "file path or name")                                             \
	X(EMAIL, "email", "e-mail address (sender or recipient)")                                  \
	X(SERVICE, "service", "service or program that logged (sshd, nginx, smtpd)")               \
	X(AUTH_METHOD, "auth_method", "authentication method (password, publickey …)")             \
	X(PROTO, "proto", "transport protocol (tcp, udp, icmp)")                                   \
	X(APP_PROTO, "app_proto", "application protocol (http, dns, tls, ssh …)")                  \
	X(CONN_STATE, "conn_state", "connection state (Zeek conn_state, flow state)")              \
	X(DNS_QTYPE, "dns_qtype", "DNS query type name (A, TXT …)")                                \
	X(DNS_RCODE, "dns_rcode", "DNS response code name (NOERROR, NXDOMAIN …)")                  \
	X(RULE, "rule", "name of the rule or signature of an alert event")                         \
	X(MESSAGE, "message", "free-text message")

#define EVENT_NUM_LIST(X)                                                                          \
	X(SRC_PORT, "src_port", "source port")                                                     \
	X(DST_PORT, "dst_port", "destination port")                                                \
	X(HTTP_STATUS, "http_status", "HTTP status code")                                          \
	X(BYTES_OUT, "bytes_out", "bytes sent by the source")                                      \
	X(BYTES_IN, "bytes_in", "bytes received by the source")                                    \
	X(DURATION_US, "duration_us", "duration in microseconds")                                  \
	X(EVENT_ID, "event_id", "Windows event id or similar code")                                \
	X(PID, "pid", "process id")

enum event_str {
#define X(id, name, doc) ES_##id,
	EVENT_STR_LIST(X)
#undef X
	    ES_COUNT
};

enum event_num {
#define X(id, name, doc) EN_##id,
	EVENT_NUM_LIST(X)
#undef X
	    EN_COUNT
};

/* Type of a native value, as the source wrote it. */
enum field_type { FT_STRING = 0, FT_NUMBER, FT_BOOL, FT_NULL };

struct field {
	uint32_t name;      /* id in the field dictionary (fieldname.h) */
	uint32_t type;      /* enum field_type */
	struct slice value; /* unescaped; for FT_NULL empty */
};

/* The file an event came from; lives for the whole run. */
struct source {
	const char *path;
	const char *format; /* reader name */
	uint32_t id;        /* index of the file in the run */
};

struct event {
	int64_t time;         /* µs since epoch UTC, AS_TIME_NONE when unknown */
	uint8_t kind;         /* enum event_kind */
	uint8_t outcome;      /* enum outcome */
	uint8_t user_invalid; /* 1: the log says the user does not exist */
	uint8_t reserved_;
	uint32_t num_present;     /* bit EN_x set when num[EN_x] holds a value */
	struct ip src_ip, dst_ip; /* family IP_NONE when absent */
	int64_t num[EN_COUNT];
	struct slice str[ES_COUNT]; /* ptr NULL when absent */
	struct field *fields;       /* native fields (arena), when asked for */
	uint32_t nfields;
	uint32_t fields_cap;
	struct slice raw; /* the record as read (a line, or a rendered record) */
	const struct source *source;
	uint64_t record; /* 1-based line number for line formats, else record number */
};

/* Reset *ev to "nothing known". */
void event_clear(struct event *ev);

static inline void event_set_num(struct event *ev, enum event_num k, int64_t v)
{
	ev->num[k] = v;
	ev->num_present |= 1u << k;
}

static inline bool event_has_num(const struct event *ev, enum event_num k)
{
	return (ev->num_present >> k) & 1u;
}

/* Append a native field (value already unescaped). AS_ENOMEM / AS_ETOOBIG
 * past AS_MAX_FIELDS. */
int event_field_add(struct event *ev, struct arena *a, uint32_t name, enum field_type type,
		    struct slice value);
/* Room for n more native fields (up to AS_MAX_FIELDS in all), so that as
 * many event_field_add calls do not grow the array one doubling at a time.
 * 0 or AS_ENOMEM. */
int event_fields_reserve(struct event *ev, struct arena *a, uint32_t n);
/* First native field with this name id, or NULL. */
const struct field *event_field_get(const struct event *ev, uint32_t name);
/* Same, by name text. */
const struct field *event_field_find(const struct event *ev, struct slice name);

const char *event_kind_name(enum event_kind k);
int event_kind_parse(struct slice s); /* -1 when unknown */
const char *event_str_name(enum event_str k);
const char *event_num_name(enum event_num k);
const char *outcome_name(enum outcome o);

/* The `aptscope events` JSON object for ev, without a newline. */
int event_to_json(const struct event *ev, struct buf *out);

/* Deep copy of ev (fields, values, raw) into arena a. */
int event_copy(struct event *dst, const struct event *src, struct arena *a);

#endif
