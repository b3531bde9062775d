/*
 * zeek_json.c — Zeek logs written as JSON lines (LogAscii::use_json=T).
 *
 * One flat object per line: {"_path":"conn","ts":1709294400.123456,
 * "uid":"C…","id.orig_h":"10.0.0.1",…,"tunnel_parents":["…"]}. "ts" is
 * epoch seconds or ISO 8601 (JSON::TS_ISO8601); unset fields are left out;
 * sets and vectors are arrays.
 *
 * Two passes per line, because the log type decides what a column means
 * and "_path" is optional (when absent the type is inferred from the marker
 * columns present, zeek_map.h): json_walk() collects the leaves (slices into
 * the line, nothing unescaped yet) with their map entries, then each leaf
 * is applied under the log type. Array elements come out of the walker as
 * consecutive leaves of one name; they are joined with commas into one
 * value, the way the TSV writer prints a set, so that both readers give
 * the same native fields. With read_opts.fields false, leaves that no log
 * type maps are not even kept.
 */
#include <stdbool.h>
#include <string.h>

#include "core/error.h"
#include "core/ip.h"
#include "core/json_scan.h"
#include "core/limits.h"
#include "event/fieldname.h"
#include "read/format.h"
#include "read/zeek_map.h"

struct zj_leaf {
	struct slice name;
	struct slice value; /* as written; joined array elements are plain text */
	const struct zeek_name *zn;
	uint8_t type; /* enum json_type */
	bool escaped;
};

struct zj_state {
	bool fields;
	/* per line */
	struct slice line;
	struct arena *a;
	struct slice path_value; /* "_path" */
	uint64_t markers;
	uint32_t n;
	int err;
	struct zj_leaf leaves[AS_MAX_FIELDS];
};

static int zj_init(void *state, const struct read_opts *opts)
{
	struct zj_state *st = state;
	st->fields = opts->fields;
	return 0;
}

static bool in_line(const struct zj_state *st, struct slice s)
{
	return s.ptr >= st->line.ptr && s.ptr + s.len <= st->line.ptr + st->line.len;
}

static int plain(struct zj_state *st, const struct zj_leaf *l, struct slice *out)
{
	if (!l->escaped) {
		*out = l->value;
		return 0;
	}
	return json_unescape(l->value, st->a, out);
}

/* prev.value + "," + the new element, in the arena. */
static int join(struct zj_state *st, struct zj_leaf *prev, const struct json_leaf *leaf)
{
	struct zj_leaf cur = {.value = leaf->value, .escaped = leaf->escaped};
	struct slice a, b;
	int rc;
	if ((rc = plain(st, prev, &a)) || (rc = plain(st, &cur, &b)))
		return rc;
	char *d = arena_alloc(st->a, a.len + 1 + b.len);
	if (!d)
		return AS_ENOMEM;
	memcpy(d, a.ptr, a.len);
	d[a.len] = ',';
	memcpy(d + a.len + 1, b.ptr, b.len);
	prev->value = slice_make(d, a.len + 1 + b.len);
	prev->escaped = false;
	prev->type = JT_STRING;
	return 0;
}

static int on_leaf(void *ctx, const struct json_leaf *leaf)
{
	struct zj_state *st = ctx;
	struct slice name = leaf->path;
	if (leaf->depth == 1 && slice_eq_cstr(name, "_path")) {
		st->path_value = leaf->value;
		if (!st->fields)
			return 0;
	}
	struct zj_leaf *prev = st->n ? &st->leaves[st->n - 1] : NULL;
	if (leaf->depth > 1 && prev && slice_eq(prev->name, name)) {
		if ((st->err = join(st, prev, leaf)))
			return 1;
		return 0;
	}
	const struct zeek_name *zn = zeek_name_find(name);
	st->markers |= zeek_name_markers(zn);
	if (!zn && !st->fields)
		return 0;
	if (st->n == AS_MAX_FIELDS) {
		st->err = AS_ETOOBIG;
		return 1;
	}
	/* Root members' paths point into the line; deeper ones into the
	 * walker's buffer, which the next leaf overwrites. */
	if (!in_line(st, name)) {
		name = arena_slice_dup(st->a, name);
		if (!name.ptr) {
			st->err = AS_ENOMEM;
			return 1;
		}
	}
	st->leaves[st->n++] =
	    (struct zj_leaf){name, leaf->value, zn, (uint8_t)leaf->type, leaf->escaped};
	return 0;
}

static int zj_line(void *state, struct slice line, struct event *ev, struct arena *a,
		   struct diag *why)
{
	struct zj_state *st = state;
	st->line = line;
	st->a = a;
	st->path_value = SLICE_NULL;
	st->markers = 0;
	st->n = 0;
	st->err = 0;
	int rc = json_walk(line, on_leaf, st, why);
	if (rc) {
		if (st->err == AS_ETOOBIG)
			return diag_set(why, AS_ETOOBIG, "more than %u fields", AS_MAX_FIELDS);
		if (st->err)
			return diag_set(why, st->err, "%s", as_strerror(st->err));
		return rc; /* why says where the JSON broke */
	}
	enum zeek_log log = zeek_log_from_path(st->path_value);
	if (log == ZEEK_LOG_UNKNOWN)
		log = zeek_log_infer(st->markers);
	zeek_event_begin(ev, log);
	for (uint32_t i = 0; i < st->n; i++) {
		const struct zj_leaf *l = &st->leaves[i];
		struct zeek_target t = zeek_name_target(l->zn, log);
		if (t.op == ZOP_NONE && !st->fields)
			continue;
		struct slice v;
		if (plain(st, l, &v))
			return diag_set(why, AS_EPARSE, "field " SLICE_FMT ": bad string escape",
					SLICE_ARG(l->name));
		if (l->type != JT_NULL)
			zeek_event_apply(ev, t, v);
		if (st->fields) {
			static const uint8_t ft[] = {[JT_STRING] = FT_STRING,
						     [JT_NUMBER] = FT_NUMBER,
						     [JT_BOOL] = FT_BOOL,
						     [JT_NULL] = FT_NULL};
			rc = event_field_add(ev, a, fieldname_intern(l->name), ft[l->type],
					     l->type == JT_NULL ? slice_make(l->value.ptr, 0) : v);
			if (rc)
				return diag_set(why, rc, "field " SLICE_FMT ": %s",
						SLICE_ARG(l->name), as_strerror(rc));
		}
	}
	zeek_event_end(ev, log);
	return LINE_EVENT;
}

struct probe_keys {
	bool ts, id, event_type, host_ip;
	int n; /* members of the root */
};

static int probe_leaf(void *ctx, const struct json_leaf *leaf)
{
	struct probe_keys *k = ctx;
	if (leaf->depth != 1) {
		k->id |= slice_eq_cstr(leaf->path, "uids"); /* dhcp: an array */
		return 0;
	}
	k->n++;
	struct ip ip;
	if (slice_eq_cstr(leaf->path, "ts"))
		k->ts = true;
	else if (slice_eq_cstr(leaf->path, "host"))
		k->host_ip = ip_parse(leaf->value, &ip) == 0;
	else if (slice_eq_cstr(leaf->path, "uid") || slice_eq_cstr(leaf->path, "id.orig_h") ||
		 slice_eq_cstr(leaf->path, "_path"))
		k->id = true;
	/* Logs without a connection: x509, files (before 5.0), notice, dhcp,
	 * intel, software. */
	else if (slice_eq_cstr(leaf->path, "fuid") || slice_eq_cstr(leaf->path, "note") ||
		 slice_eq_cstr(leaf->path, "certificate.subject") ||
		 slice_eq_cstr(leaf->path, "seen.indicator") ||
		 slice_eq_cstr(leaf->path, "software_type"))
		k->id = true;
	else if (slice_eq_cstr(leaf->path, "event_type"))
		k->event_type = true;
	return 0;
}

static bool contains(struct slice hay, const char *needle)
{
	return memmem(hay.ptr, hay.len, needle, strlen(needle)) != NULL;
}

static int zj_probe(struct slice head)
{
	while (head.len && (head.ptr[0] == ' ' || head.ptr[0] == '\n' || head.ptr[0] == '\r' ||
			    head.ptr[0] == '\t'))
		head = slice_sub(head, 1, head.len);
	if (!head.len || head.ptr[0] != '{')
		return 0;
	const char *nl = memchr(head.ptr, '\n', head.len);
	struct slice first = nl ? slice_make(head.ptr, (size_t)(nl - head.ptr)) : head;
	struct probe_keys k = {0};
	struct diag why;
	if (json_walk(first, probe_leaf, &k, &why) == 0)
		return k.ts && k.id && !k.event_type   ? 80
		       : k.ts && k.host_ip && k.n == 2 ? 60 /* known_hosts */
						       : 0;
	/* A first line longer than the probe window: look for the keys. */
	if (nl || !contains(first, "\"ts\":") || contains(first, "\"event_type\""))
		return 0;
	return contains(first, "\"uid\":") || contains(first, "\"id.orig_h\":") ||
		       contains(first, "\"_path\":")
		   ? 60
		   : 0;
}

const struct format format_zeek_json = {
    .name = "zeek_json",
    .summary = "Zeek logs as JSON lines (LogAscii::use_json), any log type",
    .probe = zj_probe,
    .state_size = sizeof(struct zj_state),
    .init = zj_init,
    .line = zj_line,
};
