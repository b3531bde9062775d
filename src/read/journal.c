/*
 * journal.c — systemd journal exports, `journalctl -o json` (one object a line).
 *
 *   {"__CURSOR":"s=…","__REALTIME_TIMESTAMP":"1709294400123456","_HOSTNAME":"web1",
 *    "SYSLOG_IDENTIFIER":"sshd","_PID":"812","PRIORITY":"6","MESSAGE":"Failed …"}
 *
 * Every value journald exports is a string, except that a field which is
 * not valid UTF-8 is written as an array of byte values ("MESSAGE":[70,97,…])
 * and a field present several times as an array of its values. MESSAGE is
 * decoded from bytes here (collected in a per-file buffer, then copied to the
 * batch arena); other byte arrays stay as their number leaves.
 *
 * Canonical fields: time from __REALTIME_TIMESTAMP (µs), host _HOSTNAME,
 * service SYSLOG_IDENTIFIER (else _COMM, else _SYSTEMD_UNIT), pid _PID (else
 * SYSLOG_PID), message MESSAGE; the message then goes through authmsg like a
 * syslog line, so journald's sshd and PAM lines become the same auth events.
 * With read_opts.fields every key is a native field under its own name.
 */
#include <string.h>

#include <pthread.h>

#include "core/buf.h"
#include "core/error.h"
#include "core/json_scan.h"
#include "core/timeparse.h"
#include "event/fieldname.h"
#include "read/authmsg.h"
#include "read/format.h"
#include "read/jsonread.h"

enum journal_action {
	JN_NONE,
	JN_TIME,
	JN_HOST,
	JN_IDENT,
	JN_COMM,
	JN_UNIT,
	JN_PID,
	JN_SYSLOG_PID,
	JN_MESSAGE,
};

static const struct json_pathmap_entry journal_paths[] = {
    {"__REALTIME_TIMESTAMP", JN_TIME}, {"_HOSTNAME", JN_HOST},
    {"SYSLOG_IDENTIFIER", JN_IDENT},   {"_COMM", JN_COMM},
    {"_SYSTEMD_UNIT", JN_UNIT},        {"_PID", JN_PID},
    {"SYSLOG_PID", JN_SYSLOG_PID},     {"MESSAGE", JN_MESSAGE},
};

static struct json_pathmap journal_map;
static pthread_once_t journal_map_once = PTHREAD_ONCE_INIT;
static int journal_map_rc;

static void journal_map_build(void)
{
	journal_map_rc = json_pathmap_init(&journal_map, journal_paths,
					   sizeof journal_paths / sizeof journal_paths[0]);
}

struct journal_state {
	bool fields;
	struct buf bytes; /* MESSAGE written as an array of byte values */
	uint32_t id_message, id_auth_note, id_auth_attempts;
};

struct journal_walk {
	struct journal_state *st;
	struct event *ev;
	struct arena *a;
	struct diag *why;
	struct slice ident, comm, unit, pid, syslog_pid;
	bool msg_bytes; /* MESSAGE came as bytes */
};

static int journal_init(void *state, const struct read_opts *opts)
{
	struct journal_state *st = state;
	st->fields = opts && opts->fields;
	st->bytes.max = AS_MAX_LINE;
	pthread_once(&journal_map_once, journal_map_build);
	st->id_message = fieldname_intern(SLICE_LIT("MESSAGE"));
	st->id_auth_note = fieldname_intern(SLICE_LIT("auth_note"));
	st->id_auth_attempts = fieldname_intern(SLICE_LIT("auth_attempts"));
	if (st->id_message == FIELDNAME_NONE || st->id_auth_note == FIELDNAME_NONE ||
	    st->id_auth_attempts == FIELDNAME_NONE)
		return AS_ENOMEM;
	return journal_map_rc;
}

static void journal_fini(void *state)
{
	struct journal_state *st = state;
	buf_free(&st->bytes);
}

static int journal_leaf(void *ctx, const struct json_leaf *l)
{
	struct journal_walk *w = ctx;
	struct event *ev = w->ev;
	int action = l->depth == 1 || l->depth == 2 ? json_pathmap_get(&journal_map, l->path) : 0;

	if (action == JN_MESSAGE && l->type == JT_NUMBER) {
		/* one byte of a MESSAGE that is not valid UTF-8 */
		uint64_t b;
		if (slice_to_u64(l->value, &b) || b > 255)
			return diag_set(w->why, AS_EPARSE, "MESSAGE: array element is not a byte");
		if (buf_putc(&w->st->bytes, (char)b))
			return diag_set(w->why, AS_ETOOBIG, "MESSAGE: %s",
					as_strerror(w->st->bytes.err));
		w->msg_bytes = true;
		return 0;
	}

	struct slice v;
	int rc = jsonread_leaf(l, action != 0, w->st->fields, ev, w->a, w->why, &v);
	if (rc)
		return rc;
	if (!action || l->type != JT_STRING)
		return 0;
	switch (action) {
	case JN_TIME: {
		int64_t us;
		if (ev->time == AS_TIME_NONE && slice_to_i64(v, &us) == 0)
			ev->time = us;
		break;
	}
	case JN_HOST:
		if (!ev->str[ES_HOST].ptr && v.len)
			ev->str[ES_HOST] = v;
		break;
	case JN_IDENT:
		if (!w->ident.len)
			w->ident = v;
		break;
	case JN_COMM:
		if (!w->comm.len)
			w->comm = v;
		break;
	case JN_UNIT:
		if (!w->unit.len)
			w->unit = v;
		break;
	case JN_PID:
		if (!w->pid.len)
			w->pid = v;
		break;
	case JN_SYSLOG_PID:
		if (!w->syslog_pid.len)
			w->syslog_pid = v;
		break;
	case JN_MESSAGE:
		if (!ev->str[ES_MESSAGE].ptr)
			ev->str[ES_MESSAGE] = v;
		break;
	default:
		break;
	}
	return 0;
}

static int journal_line(void *state, struct slice line, struct event *ev, struct arena *a,
			struct diag *why)
{
	struct journal_state *st = state;
	struct journal_walk w = {.st = st, .ev = ev, .a = a, .why = why};
	ev->time = AS_TIME_NONE;
	ev->raw = line;
	buf_reset(&st->bytes);
	int rc = json_walk(line, journal_leaf, &w, why);
	if (rc)
		return rc < 0 ? rc : AS_EPARSE;

	if (w.msg_bytes && !ev->str[ES_MESSAGE].ptr) {
		struct slice bytes = buf_slice(&st->bytes);
		struct slice msg = arena_slice_dup(a, bytes);
		if (bytes.len && !msg.ptr)
			return diag_set(why, AS_ENOMEM, "MESSAGE: out of memory");
		ev->str[ES_MESSAGE] = msg.ptr ? msg : slice_make("", 0);
		if (st->fields && (rc = event_field_add(ev, a, st->id_message, FT_STRING, msg)))
			return diag_set(why, rc, "MESSAGE: %s", as_strerror(rc));
	}
	struct slice prog = w.ident.len ? w.ident : w.comm;
	if (prog.len)
		ev->str[ES_SERVICE] = prog;
	else if (w.unit.len)
		ev->str[ES_SERVICE] = w.unit;
	struct slice pid = w.pid.len ? w.pid : w.syslog_pid;
	uint64_t n;
	if (pid.len && slice_to_u64(pid, &n) == 0 && n <= INT64_MAX)
		event_set_num(ev, EN_PID, (int64_t)n);

	struct authmsg am = {0};
	if (authmsg_parse(prog, ev->str[ES_MESSAGE], ev, &am) && st->fields) {
		if (am.note &&
		    (rc = event_field_add(ev, a, st->id_auth_note, FT_STRING, slice_cstr(am.note))))
			return diag_set(why, rc, "auth_note: %s", as_strerror(rc));
		if (am.attempts_text.len && (rc = event_field_add(ev, a, st->id_auth_attempts,
								  FT_NUMBER, am.attempts_text)))
			return diag_set(why, rc, "auth_attempts: %s", as_strerror(rc));
	}
	return LINE_EVENT;
}

/* A JSON object line that carries journald's own keys. */
static int journal_probe(struct slice head)
{
	struct slice first;
	if (jsonread_first_line(head, &first) == JSONREAD_NO_OBJECT)
		return 0;
	if (memmem(first.ptr, first.len, "\"__REALTIME_TIMESTAMP\"", 22) ||
	    memmem(first.ptr, first.len, "\"__CURSOR\"", 10))
		return 90;
	return 0;
}

const struct format format_journal = {
    .name = "journal",
    .summary = "systemd journal: journalctl -o json export; sshd/PAM/sudo/FTP/mail log-ins",
    .probe = journal_probe,
    .state_size = sizeof(struct journal_state),
    .init = journal_init,
    .line = journal_line,
    .fini = journal_fini,
};
