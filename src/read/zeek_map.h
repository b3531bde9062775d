/*
 * zeek_map.h — Zeek log types and column names → canonical event fields.
 *
 * Shared by the TSV reader (zeek.c) and the JSON reader (zeek_json.c) so
 * that one Zeek record means the same event whichever way Zeek wrote it.
 *
 * A column maps to one action (struct zeek_target): put the value in a
 * canonical string or number, parse it as a time, an address, an interval,
 * a success flag. The action may depend on the log type ("host" is the HTTP
 * Host header in http.log but the observed address in known_hosts.log), so
 * look-ups take the log type; columns every log shares (ts, id.orig_h …)
 * are common entries. The TSV reader resolves each column once per #fields
 * header; the JSON reader resolves names per record through a static hash.
 *
 * When the log type is not named (#path or "_path" missing), it is inferred
 * from marker columns that only one log type has (conn_state, qtype_name,
 * certificate.subject …), see zeek_log_infer().
 */
#ifndef AS_READ_ZEEK_MAP_H
#define AS_READ_ZEEK_MAP_H

#include <stdbool.h>
#include <stdint.h>

#include "core/slice.h"
#include "event/event.h"

/* id, #path name, default event kind */
#define ZEEK_LOG_LIST(X)                                                                           \
	X(UNKNOWN, "", EK_OTHER)                                                                   \
	X(CONN, "conn", EK_NETWORK)                                                                \
	X(DNS, "dns", EK_DNS)                                                                      \
	X(HTTP, "http", EK_HTTP)                                                                   \
	X(SSL, "ssl", EK_TLS)                                                                      \
	X(X509, "x509", EK_TLS)                                                                    \
	X(FILES, "files", EK_FILE)                                                                 \
	X(NOTICE, "notice", EK_ALERT)                                                              \
	X(SSH, "ssh", EK_NETWORK)                                                                  \
	X(WEIRD, "weird", EK_OTHER)                                                                \
	X(SMTP, "smtp", EK_OTHER)                                                                  \
	X(DHCP, "dhcp", EK_NETWORK)                                                                \
	X(DCE_RPC, "dce_rpc", EK_NETWORK)                                                          \
	X(KERBEROS, "kerberos", EK_NETWORK)                                                        \
	X(NTLM, "ntlm", EK_NETWORK)                                                                \
	X(RDP, "rdp", EK_NETWORK)                                                                  \
	X(SMB_FILES, "smb_files", EK_FILE)                                                         \
	X(SOFTWARE, "software", EK_OTHER)                                                          \
	X(KNOWN_HOSTS, "known_hosts", EK_OTHER)                                                    \
	X(INTEL, "intel", EK_ALERT)

enum zeek_log {
#define X(id, name, kind) ZEEK_LOG_##id,
	ZEEK_LOG_LIST(X)
#undef X
	    ZEEK_LOG_COUNT
};

/* What to do with a column's value. ZOP_IF_ABSENT may be or-ed in: then the
 * value is used only when the target is still empty (notice.log's "src" is
 * a fallback for id.orig_h). */
enum zeek_op {
	ZOP_NONE = 0,
	ZOP_TIME,     /* epoch seconds with fraction, or ISO 8601 → ev->time */
	ZOP_SRC_IP,   /* → ev->src_ip */
	ZOP_DST_IP,   /* → ev->dst_ip */
	ZOP_STR,      /* → ev->str[arg] */
	ZOP_NUM,      /* integer → ev->num[arg] */
	ZOP_INTERVAL, /* seconds with fraction → ev->num[arg] in µs */
	ZOP_SUCCESS,  /* T/F, true/false → outcome, and the event becomes EK_AUTH */
	ZOP_IF_ABSENT = 0x80,
};

struct zeek_target {
	uint8_t op;  /* enum zeek_op */
	uint8_t arg; /* enum event_str / event_num for ZOP_STR / ZOP_NUM / ZOP_INTERVAL */
};

/* One column name, as the JSON reader keeps it between its two passes. */
struct zeek_name;

/* The entry of a column name, or NULL when no log type maps or marks it.
 * Thread-safe (the table is built once). */
const struct zeek_name *zeek_name_find(struct slice name);

/* The action for a column of a log type (ZOP_NONE when none). */
struct zeek_target zeek_name_target(const struct zeek_name *n, enum zeek_log log);
struct zeek_target zeek_map_column(enum zeek_log log, struct slice name);

/* Marker bits of a column name; or them over a record's columns and hand
 * the result to zeek_log_infer(). */
uint64_t zeek_name_markers(const struct zeek_name *n);
enum zeek_log zeek_log_infer(uint64_t markers);

/* Log type of a #path / "_path" value (ZEEK_LOG_UNKNOWN when not mapped). */
enum zeek_log zeek_log_from_path(struct slice path);
const char *zeek_log_name(enum zeek_log log);

/* Before a record's columns are applied: kind and app_proto of the log type. */
void zeek_event_begin(struct event *ev, enum zeek_log log);
/* Apply one present value (not unset, already unescaped). A value that does
 * not parse (an address, a number) leaves its field empty: that is no reason
 * to drop the record. */
void zeek_event_apply(struct event *ev, struct zeek_target t, struct slice value);
/* After: fields that depend on several columns (auth service …). */
void zeek_event_end(struct event *ev, enum zeek_log log);

/* "12.000345" seconds → µs without going through a double. 0 or AS_EPARSE. */
int zeek_interval_parse(struct slice s, int64_t *us);

#endif
