/*
 * winjson.c — Windows events already exported as JSON lines, and Sysmon for
 * Linux syslog lines.
 *
 * Three shapes, told apart per leaf by the path json_walk() gives:
 *   - the XML rendered as JSON (evtx_dump, xmltodict, PowerShell, Velociraptor):
 *     {"Event":{"System":{"Provider":{"@Name"|"#attributes":{"Name"}…},
 *      "EventID":4624|{"#text":…}},"EventData":{"X":"v"}|{"Data":[{"@Name":"X",
 *      "#text":"v"}…]},"UserData":{…}}};
 *   - Winlogbeat / Elastic Agent: "winlog.event_data.X", "winlog.event_id",
 *     "winlog.channel" … beside ECS fields ("process.command_line", …);
 *   - Sysmon for Linux: a syslog line whose payload is one <Event> XML
 *     document, read by the same XML parser as EVTX records (and so is a
 *     file of rendered <Event> documents, one per line).
 * Each leaf is handed to winevent under the name the EVTX reader would give
 * it (System names, flat EventData names), so Sigma rules see one field set
 * whatever the export. Winlogbeat leaves are kept under their own path too
 * (its param1, param2 … are the unnamed <Data> elements: Data1, Data2 …
 * and Data); ECS fields fill canonical fields the Windows names left empty.
 *
 * In the {"Data":[…]} shape the walker does not mark where an array element
 * ends, so a name and a text are paired as they come: a name waits for the
 * next text, or a text for the next name; a name followed by another name
 * had no text.
 */
#include <pthread.h>
#include <string.h>

#include "core/error.h"
#include "core/ip.h"
#include "core/json_scan.h"
#include "core/limits.h"
#include "core/timeparse.h"
#include "event/fieldname.h"
#include "read/format.h"
#include "read/winevent.h"

enum wj_action {
	WJ_NONE,
	/* winlog.* → Windows names */
	WJ_EVENT_ID,
	WJ_CHANNEL,
	WJ_PROVIDER,
	WJ_PROVIDER_GUID,
	WJ_COMPUTER,
	WJ_RECORD_ID,
	WJ_EXEC_PID,
	WJ_EXEC_TID,
	WJ_USER_SID,
	WJ_VERSION,
	/* ECS fallbacks */
	WJ_TIMESTAMP,
	WJ_EVENT_CODE,
	WJ_PROCESS,
	WJ_COMMAND_LINE,
	WJ_PID,
	WJ_PARENT_PROCESS,
	WJ_PARENT_COMMAND_LINE,
	WJ_USER,
	WJ_SRC_IP,
	WJ_SRC_PORT,
	WJ_DST_IP,
	WJ_DST_PORT,
	WJ_DOMAIN,
	WJ_FILE_PATH,
	WJ_HOST,
	WJ_MD5,
	WJ_SHA1,
	WJ_SHA256,
	WJ_OUTCOME,
	WJ_CATEGORY,
	WJ_PROTO,
	WJ_COUNT
};

/* The Windows name of the winlog.* actions. */
static const char *const wj_winname[] = {
    [WJ_EVENT_ID] = "EventID",
    [WJ_CHANNEL] = "Channel",
    [WJ_PROVIDER] = "Provider_Name",
    [WJ_PROVIDER_GUID] = "Provider_Guid",
    [WJ_COMPUTER] = "Computer",
    [WJ_RECORD_ID] = "EventRecordID",
    [WJ_EXEC_PID] = "Execution_ProcessID",
    [WJ_EXEC_TID] = "Execution_ThreadID",
    [WJ_USER_SID] = "Security_UserID",
    [WJ_VERSION] = "Version",
};

static const struct json_pathmap_entry wj_paths[] = {
    {"winlog.event_id", WJ_EVENT_ID},
    {"winlog.channel", WJ_CHANNEL},
    {"winlog.provider_name", WJ_PROVIDER},
    {"winlog.provider_guid", WJ_PROVIDER_GUID},
    {"winlog.computer_name", WJ_COMPUTER},
    {"winlog.record_id", WJ_RECORD_ID},
    {"winlog.process.pid", WJ_EXEC_PID},
    {"winlog.process.thread.id", WJ_EXEC_TID},
    {"winlog.user.identifier", WJ_USER_SID},
    {"winlog.version", WJ_VERSION},
    {"@timestamp", WJ_TIMESTAMP},
    {"event.code", WJ_EVENT_CODE},
    {"process.executable", WJ_PROCESS},
    {"process.command_line", WJ_COMMAND_LINE},
    {"process.pid", WJ_PID},
    {"process.parent.executable", WJ_PARENT_PROCESS},
    {"process.parent.command_line", WJ_PARENT_COMMAND_LINE},
    {"user.name", WJ_USER},
    {"source.ip", WJ_SRC_IP},
    {"source.port", WJ_SRC_PORT},
    {"destination.ip", WJ_DST_IP},
    {"destination.port", WJ_DST_PORT},
    {"dns.question.name", WJ_DOMAIN},
    {"destination.domain", WJ_DOMAIN},
    {"file.path", WJ_FILE_PATH},
    {"host.name", WJ_HOST},
    {"host.hostname", WJ_HOST},
    {"hash.md5", WJ_MD5},
    {"process.hash.md5", WJ_MD5},
    {"file.hash.md5", WJ_MD5},
    {"hash.sha1", WJ_SHA1},
    {"process.hash.sha1", WJ_SHA1},
    {"file.hash.sha1", WJ_SHA1},
    {"hash.sha256", WJ_SHA256},
    {"process.hash.sha256", WJ_SHA256},
    {"file.hash.sha256", WJ_SHA256},
    {"event.outcome", WJ_OUTCOME},
    {"event.category", WJ_CATEGORY},
    {"network.transport", WJ_PROTO},
};

static struct json_pathmap wj_map;
static pthread_once_t wj_map_once = PTHREAD_ONCE_INIT;
static int wj_map_rc;

static void wj_map_build(void)
{
	wj_map_rc = json_pathmap_init(&wj_map, wj_paths, sizeof wj_paths / sizeof wj_paths[0]);
}

struct winjson_state {
	bool fields;
};

struct wj_walk {
	struct winevent w;
	struct arena *a;
	struct diag *why;
	struct slice ecs[WJ_COUNT];
	struct slice pend_name, pend_text; /* EventData.Data pairing, see the top */
	bool has_name, has_text;
};

static int wj_init(void *state, const struct read_opts *opts)
{
	struct winjson_state *s = state;
	s->fields = opts->fields;
	pthread_once(&wj_map_once, wj_map_build);
	return wj_map_rc;
}

/* Does head look like Windows events as JSON lines or Sysmon for Linux? */
static int wj_probe(struct slice head)
{
	size_t i = 0;
	while (i < head.len && (head.ptr[i] == ' ' || head.ptr[i] == '\n' || head.ptr[i] == '\r' ||
				head.ptr[i] == '\t' || head.ptr[i] == '['))
		i++;
	struct slice rest = slice_sub(head, i, head.len);
	if (rest.len && rest.ptr[0] == '{') {
		if (slice_contains_nocase(rest, SLICE_LIT("\"winlog\"")))
			return 90;
		if (slice_contains_nocase(rest, SLICE_LIT("\"Event\"")) &&
		    slice_contains_nocase(rest, SLICE_LIT("\"System\"")))
			return 90;
		return 0;
	}
	if (slice_contains_nocase(rest, SLICE_LIT("<Event>")) &&
	    slice_contains_nocase(rest, SLICE_LIT("<Provider Name=\"Linux-Sysmon\"")))
		return 90;
	/* one rendered event per line, as wevtutil and Get-WinEvent ToXml() write them */
	if (slice_starts(rest,
			 "<Event xmlns=\"http://schemas.microsoft.com/win/2004/08/events/event\""))
		return 85;
	return 0;
}

static enum field_type wj_type(enum json_type t)
{
	switch (t) {
	case JT_NUMBER:
		return FT_NUMBER;
	case JT_BOOL:
		return FT_BOOL;
	case JT_NULL:
		return FT_NULL;
	default:
		return FT_STRING;
	}
}

static int wj_native(struct wj_walk *k, struct slice name, enum field_type t, struct slice v)
{
	if (!k->w.fields)
		return 0;
	uint32_t id = fieldname_intern(name);
	if (id == FIELDNAME_NONE)
		return AS_ENOMEM;
	return event_field_add(k->w.ev, k->a, id, t, v);
}

/*
 * "Provider.#attributes.Name", "Provider.@Name", "EventID.#text" →
 * "Provider_Name", "Provider_Name", "EventID": attribute markers and #text
 * dropped, levels joined with '_' as the XML reader names attributes.
 * false for xmlns attributes and names that do not fit.
 */
static bool wj_flat_name(struct slice path, char *buf, size_t cap, struct slice *out)
{
	size_t n = 0;
	struct slice rest = path, comp;
	while (rest.ptr) {
		rest = slice_cut(rest, '.', &comp);
		if (slice_eq_cstr(comp, "#attributes") || slice_eq_cstr(comp, "#text"))
			continue;
		if (comp.len && comp.ptr[0] == '@')
			comp = slice_sub(comp, 1, comp.len);
		if (slice_starts(comp, "xmlns") || comp.len == 0)
			return false;
		if (n + comp.len + 1 >= cap)
			return false;
		if (n)
			buf[n++] = '_';
		memcpy(buf + n, comp.ptr, comp.len);
		n += comp.len;
	}
	if (!n)
		return false;
	*out = slice_make(buf, n);
	if (slice_eq_cstr(*out, "TimeCreated_SystemTime"))
		out->len = strlen("TimeCreated");
	return true;
}

static int wj_add(struct wj_walk *k, struct slice name, enum field_type t, struct slice v)
{
	int rc = winevent_add(&k->w, name, t, v);
	return rc ? diag_set(k->why, rc, "%s", as_strerror(rc)) : 0;
}

static int wj_flush_pair(struct wj_walk *k)
{
	int rc = 0;
	if (k->has_name)
		rc = wj_add(k, k->pend_name, FT_STRING, k->has_text ? k->pend_text : SLICE_LIT(""));
	else if (k->has_text && (rc = winevent_add_data(&k->w, k->pend_text)))
		rc = diag_set(k->why, rc, "%s", as_strerror(rc));
	k->has_name = k->has_text = false;
	return rc;
}

static int wj_eventdata(struct wj_walk *k, struct slice rest, enum field_type t, struct slice v)
{
	if (slice_eq_cstr(rest, "Data.@Name") || slice_eq_cstr(rest, "Data.Name") ||
	    slice_eq_cstr(rest, "Data.#attributes.Name")) {
		if (k->has_name) {
			int rc = wj_flush_pair(k);
			if (rc)
				return rc;
		}
		k->pend_name = v;
		k->has_name = true;
		return k->has_text ? wj_flush_pair(k) : 0;
	}
	if (slice_eq_cstr(rest, "Data.#text")) {
		if (k->has_text) {
			int rc = wj_flush_pair(k);
			if (rc)
				return rc;
		}
		k->pend_text = v;
		k->has_text = true;
		return k->has_name ? wj_flush_pair(k) : 0;
	}
	if (slice_eq_cstr(rest, "Data")) {
		int rc = winevent_add_data(&k->w, v);
		return rc ? diag_set(k->why, rc, "%s", as_strerror(rc)) : 0;
	}
	char buf[AS_MAX_FIELD_NAME];
	struct slice name;
	if (!wj_flat_name(rest, buf, sizeof buf, &name) || slice_starts(rest, "Data."))
		return 0;
	return wj_add(k, name, t, v);
}

/* UserData leaves by their element name; attributes are left out as in XML. */
static int wj_userdata(struct wj_walk *k, struct slice rest, enum field_type t, struct slice v)
{
	struct slice last = SLICE_NULL, prev = SLICE_NULL, comp;
	while (rest.ptr) {
		rest = slice_cut(rest, '.', &comp);
		if (slice_eq_cstr(comp, "#attributes") || (comp.len && comp.ptr[0] == '@'))
			return 0;
		prev = last;
		last = comp;
	}
	if (slice_eq_cstr(last, "#text"))
		last = prev;
	if (!last.ptr || !last.len)
		return 0;
	return wj_add(k, last, t, v);
}

static int wj_leaf(void *ctx, const struct json_leaf *leaf)
{
	struct wj_walk *k = ctx;
	struct slice v = leaf->value;
	if (leaf->escaped && json_unescape(leaf->value, k->a, &v))
		return diag_set(k->why, AS_EPARSE, "bad string escape in %.*s",
				SLICE_ARG(leaf->path));
	enum field_type t = wj_type(leaf->type);
	if (t == FT_NULL)
		v = slice_make("", 0);
	struct slice p = leaf->path;
	if (slice_starts(p, "Event."))
		p = slice_sub(p, 6, p.len);
	char buf[AS_MAX_FIELD_NAME];
	struct slice name;
	if (slice_starts(p, "System.")) {
		/* <Correlation/>, <Security/>: the XML reader has nothing for them either */
		if (t == FT_NULL || v.len == 0)
			return 0;
		if (wj_flat_name(slice_sub(p, 7, p.len), buf, sizeof buf, &name))
			return wj_add(k, name, t, v);
		return 0;
	}
	if (slice_starts(p, "EventData."))
		return wj_eventdata(k, slice_sub(p, 10, p.len), t, v);
	if (slice_starts(p, "UserData."))
		return wj_userdata(k, slice_sub(p, 9, p.len), t, v);
	if (slice_starts(p, "RenderingInfo.") || p.ptr != leaf->path.ptr)
		return 0; /* display strings, and the Event element's own attributes */

	/* Winlogbeat and ECS: the original name always. */
	int rc = wj_native(k, p, t, v);
	if (rc)
		return diag_set(k->why, rc, "%s", as_strerror(rc));
	if (slice_starts(p, "winlog.event_data.") || slice_starts(p, "winlog.user_data.")) {
		struct slice rest = slice_sub(p, p.ptr[7] == 'e' ? 18 : 17, p.len);
		uint64_t n;
		if (slice_starts(rest, "param") &&
		    slice_to_u64(slice_sub(rest, 5, rest.len), &n) == 0) {
			/* Winlogbeat's name for the unnamed <Data> elements */
			rc = winevent_add_data(&k->w, v);
			return rc ? diag_set(k->why, rc, "%s", as_strerror(rc)) : 0;
		}
		if (wj_flat_name(rest, buf, sizeof buf, &name)) {
			rc = winevent_add(&k->w, name, t, v);
			return rc ? diag_set(k->why, rc, "%s", as_strerror(rc)) : 0;
		}
		return 0;
	}
	int act = json_pathmap_get(&wj_map, p);
	if (act <= 0)
		return 0;
	if (act < WJ_TIMESTAMP) {
		rc = winevent_add(&k->w, slice_cstr(wj_winname[act]), t, v);
		return rc ? diag_set(k->why, rc, "%s", as_strerror(rc)) : 0;
	}
	if (!k->ecs[act].ptr)
		k->ecs[act] = v;
	return 0;
}

static void ecs_str(struct event *ev, enum event_str f, struct slice v)
{
	if (!ev->str[f].ptr && v.ptr && v.len)
		ev->str[f] = v;
}

static void ecs_num(struct event *ev, enum event_num f, struct slice v)
{
	uint64_t n;
	if (!event_has_num(ev, f) && v.ptr && slice_to_u64(v, &n) == 0 && n <= INT64_MAX)
		event_set_num(ev, f, (int64_t)n);
}

static void ecs_ip(struct ip *ip, struct slice v)
{
	if (ip->family == IP_NONE && v.ptr && ip_parse(v, ip) != 0)
		ip->family = IP_NONE;
}

/* ECS fields where the Windows names left a canonical field empty. */
static int wj_ecs(struct wj_walk *k)
{
	struct event *ev = k->w.ev;
	const struct slice *e = k->ecs;
	if (!k->w.v[WV_EVENT_ID].ptr && e[WJ_EVENT_CODE].ptr) {
		int rc = winevent_add(&k->w, SLICE_LIT("EventID"), FT_STRING, e[WJ_EVENT_CODE]);
		if (rc)
			return diag_set(k->why, rc, "%s", as_strerror(rc));
	}
	if (!k->w.v[WV_TIME].ptr && e[WJ_TIMESTAMP].ptr)
		k->w.v[WV_TIME] = e[WJ_TIMESTAMP];
	int rc = winevent_finish(&k->w);
	if (rc)
		return diag_set(k->why, rc, "%s", as_strerror(rc));
	ecs_str(ev, ES_PROCESS, e[WJ_PROCESS]);
	ecs_str(ev, ES_COMMAND_LINE, e[WJ_COMMAND_LINE]);
	ecs_num(ev, EN_PID, e[WJ_PID]);
	ecs_str(ev, ES_PARENT_PROCESS, e[WJ_PARENT_PROCESS]);
	ecs_str(ev, ES_PARENT_COMMAND_LINE, e[WJ_PARENT_COMMAND_LINE]);
	ecs_str(ev, ES_USER, e[WJ_USER]);
	ecs_ip(&ev->src_ip, e[WJ_SRC_IP]);
	ecs_num(ev, EN_SRC_PORT, e[WJ_SRC_PORT]);
	ecs_ip(&ev->dst_ip, e[WJ_DST_IP]);
	ecs_num(ev, EN_DST_PORT, e[WJ_DST_PORT]);
	ecs_str(ev, ES_DOMAIN, e[WJ_DOMAIN]);
	ecs_str(ev, ES_FILE_PATH, e[WJ_FILE_PATH]);
	ecs_str(ev, ES_HOST, e[WJ_HOST]);
	ecs_str(ev, ES_MD5, e[WJ_MD5]);
	ecs_str(ev, ES_SHA1, e[WJ_SHA1]);
	ecs_str(ev, ES_SHA256, e[WJ_SHA256]);
	ecs_str(ev, ES_PROTO, e[WJ_PROTO]);
	if (ev->outcome == OUTCOME_UNKNOWN && e[WJ_OUTCOME].ptr) {
		if (slice_eq_cstr(e[WJ_OUTCOME], "success"))
			ev->outcome = OUTCOME_SUCCESS;
		else if (slice_eq_cstr(e[WJ_OUTCOME], "failure"))
			ev->outcome = OUTCOME_FAILURE;
	}
	if (ev->kind == EK_OTHER && e[WJ_CATEGORY].ptr) {
		struct slice c = e[WJ_CATEGORY];
		ev->kind = slice_eq_cstr(c, "process")          ? EK_PROCESS
			   : slice_eq_cstr(c, "network")        ? EK_NETWORK
			   : slice_eq_cstr(c, "authentication") ? EK_AUTH
			   : slice_eq_cstr(c, "file")           ? EK_FILE
								: EK_OTHER;
	}
	return 0;
}

static int wj_line(void *state, struct slice line, struct event *ev, struct arena *a,
		   struct diag *why)
{
	struct winjson_state *s = state;
	struct slice t = slice_trim(line);
	/* one-object-per-line arrays: "[{…},", "{…},", "{…}]" */
	while (t.len && (t.ptr[0] == '[' || t.ptr[0] == ','))
		t = slice_trim(slice_sub(t, 1, t.len));
	while (t.len && (t.ptr[t.len - 1] == ']' || t.ptr[t.len - 1] == ','))
		t = slice_trim(slice_sub(t, 0, t.len - 1));
	if (!t.len)
		return LINE_SKIP;
	ev->raw = line;
	struct wj_walk k = {.a = a, .why = why};
	winevent_begin(&k.w, ev, a, s->fields);
	if (t.ptr[0] != '{') {
		/* Sysmon for Linux: "… sysmon: <Event>…</Event>" */
		const char *x = memmem(t.ptr, t.len, "<Event", 6);
		if (!x)
			return diag_set(why, AS_EPARSE,
					"neither a JSON object nor an <Event> line");
		int rc = winevent_xml_parse(&k.w, slice_make(x, t.len - (size_t)(x - t.ptr)), why);
		if (rc)
			return rc;
		if ((rc = winevent_finish(&k.w)))
			return diag_set(why, rc, "%s", as_strerror(rc));
		return LINE_EVENT;
	}
	int rc = json_walk(t, wj_leaf, &k, why);
	if (rc)
		return rc < 0 ? rc : why->code;
	if ((rc = wj_flush_pair(&k)) || (rc = wj_ecs(&k)))
		return rc;
	return LINE_EVENT;
}

const struct format format_winjson = {
    .name = "winjson",
    .summary = "Windows events as JSON (Event/System/EventData, Winlogbeat) and Sysmon for Linux",
    .probe = wj_probe,
    .state_size = sizeof(struct winjson_state),
    .init = wj_init,
    .line = wj_line,
};
