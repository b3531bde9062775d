/*
 * winevent.c — Windows event names and canonical mapping, see winevent.h.
 *
 * The slot table is a json_pathmap (one hash probe per name): readers call
 * winevent_add() for every field, and only the names of the slot list are
 * remembered for the mapping, which runs once per record at the end
 * because EventID and Channel may come after the data in JSON exports.
 *
 * The XML parser reads exactly the shape Windows renders an event in:
 *   <Event><System>…</System><EventData><Data Name="X">v</Data>…</EventData></Event>
 * It is a bounded tag scanner, not a general XML parser: no DTDs, entity
 * references limited to the five predefined ones and numeric references,
 * CDATA and comments skipped over, a stack of at most AS_MAX_XML_DEPTH open
 * elements, end tags checked against their start tags. Values are slices of
 * the input unless they hold an entity.
 */
#include "read/winevent.h"

#include <pthread.h>
#include <stdatomic.h>
#include <stdio.h>
#include <string.h>

#include "core/error.h"
#include "core/ip.h"
#include "core/json_scan.h"
#include "core/limits.h"
#include "core/timeparse.h"
#include "event/fieldname.h"

static const struct json_pathmap_entry slot_names[] = {
#define X(id, name) {name, WV_##id + 1},
    WINEVENT_SLOT_LIST(X)
#undef X
};

static struct json_pathmap slot_map;
static pthread_once_t slot_once = PTHREAD_ONCE_INIT;
static int slot_rc;

static void slot_map_build(void)
{
	slot_rc =
	    json_pathmap_init(&slot_map, slot_names, sizeof slot_names / sizeof slot_names[0]);
}

int winevent_slot(struct slice name)
{
	pthread_once(&slot_once, slot_map_build);
	if (slot_rc)
		return -1;
	int act = json_pathmap_get(&slot_map, name);
	return act > 0 ? act - 1 : -1;
}

void winevent_begin(struct winevent *w, struct event *ev, struct arena *a, bool fields)
{
	memset(w, 0, sizeof *w);
	w->ev = ev;
	w->a = a;
	w->fields = fields;
}

int winevent_add(struct winevent *w, struct slice name, enum field_type type, struct slice value)
{
	int s = winevent_slot(name);
	if (s >= 0 && !w->v[s].ptr)
		w->v[s] = value.ptr ? value : slice_make("", 0);
	if (!w->fields)
		return 0;
	if (name.len > AS_MAX_FIELD_NAME)
		return AS_ETOOBIG;
	uint32_t id = fieldname_intern(name);
	if (id == FIELDNAME_NONE)
		return AS_ENOMEM;
	return event_field_add(w->ev, w->a, id, type, value);
}

/* The interned ids of Data1 … Data64 plus one, 0 until first needed: the
 * names of unnamed <Data> are formatted and interned once per process, not
 * once per value. */
static _Atomic uint32_t data_ids[64];

int winevent_add_data(struct winevent *w, struct slice value)
{
	unsigned k = ++w->ndata;
	if (!w->fields)
		return 0;
	/* Data grows by doubling in the arena: linear in the record's size. */
	size_t need = w->data_len + (w->data_len ? 1 : 0) + value.len;
	if (need > w->data_cap) {
		size_t cap = w->data_cap ? 2 * w->data_cap : 256;
		while (cap < need)
			cap *= 2;
		char *d = arena_alloc(w->a, cap);
		if (!d)
			return AS_ENOMEM;
		if (w->data_len)
			memcpy(d, w->data_all, w->data_len);
		w->data_all = d;
		w->data_cap = cap;
	}
	if (w->data_len)
		w->data_all[w->data_len++] = '\n';
	if (value.len)
		memcpy(w->data_all + w->data_len, value.ptr, value.len);
	w->data_len += value.len;
	uint32_t id = k <= 64 ? atomic_load_explicit(&data_ids[k - 1], memory_order_relaxed) : 0;
	if (id--)
		return event_field_add(w->ev, w->a, id, FT_STRING,
				       value.ptr ? value : slice_make("", 0));
	char name[24];
	int n = snprintf(name, sizeof name, "Data%u", k);
	if ((id = fieldname_intern(slice_make(name, (size_t)n))) == FIELDNAME_NONE)
		return AS_ENOMEM;
	if (k <= 64)
		atomic_store_explicit(&data_ids[k - 1], id + 1, memory_order_relaxed);
	return event_field_add(w->ev, w->a, id, FT_STRING, value.ptr ? value : slice_make("", 0));
}

/* ---- canonical mapping ---- */

/* Whether a value trimmed is empty or "-" (what Windows writes for none). */
static inline bool none(struct slice t)
{
	return t.len == 0 || (t.len == 1 && t.ptr[0] == '-');
}

static inline bool absent(struct slice s)
{
	return !s.ptr || none(slice_trim(s));
}

/* Decimal or 0x-hex (Security writes process ids and statuses in hex). */
static bool to_u64(struct slice s, uint64_t *out)
{
	if (s.len && s.len < 19) {
		/* digits alone, as nearly every EventID and process id is: what
		 * the rest gives them, without its calls */
		uint64_t v = 0;
		size_t i = 0;
		for (; i < s.len && (unsigned char)(s.ptr[i] - '0') <= 9; i++)
			v = v * 10 + (unsigned)(s.ptr[i] - '0');
		if (i == s.len) {
			*out = v;
			return true;
		}
	}
	s = slice_trim(s);
	if (s.len > 2 && s.ptr[0] == '0' && (s.ptr[1] == 'x' || s.ptr[1] == 'X')) {
		uint64_t v = 0;
		if (s.len > 18)
			return false;
		for (size_t i = 2; i < s.len; i++) {
			char c = s.ptr[i];
			int d = c >= '0' && c <= '9'   ? c - '0'
				: c >= 'a' && c <= 'f' ? c - 'a' + 10
				: c >= 'A' && c <= 'F' ? c - 'A' + 10
						       : -1;
			if (d < 0)
				return false;
			v = v << 4 | (uint64_t)d;
		}
		*out = v;
		return true;
	}
	return slice_to_u64(s, out) == 0;
}

/* set_str of a value there, for a field not set yet. */
static void __attribute__((noinline))
set_str_put(struct event *ev, enum event_str k, struct slice v)
{
	struct slice t = slice_trim(v);
	if (!none(t))
		ev->str[k] = t;
}

/* Inline, and only the test of its slot: it runs for a dozen slots of
 * every record, most of them absent. */
static inline __attribute__((always_inline)) void set_str(struct event *ev, enum event_str k,
							  struct slice v)
{
	if (v.ptr && !ev->str[k].ptr)
		set_str_put(ev, k, v);
}

static void set_num(struct event *ev, enum event_num k, struct slice v)
{
	uint64_t n;
	if (!event_has_num(ev, k) && !absent(v) && to_u64(v, &n) && n <= INT64_MAX)
		event_set_num(ev, k, (int64_t)n);
}

static void set_ip(struct ip *ip, struct slice v)
{
	if (ip->family == IP_NONE && !absent(v) && ip_parse(slice_trim(v), ip) != 0)
		ip->family = IP_NONE;
}

static void set_port(struct event *ev, enum event_num k, struct slice v)
{
	uint64_t n;
	if (!event_has_num(ev, k) && !absent(v) && to_u64(v, &n) && n > 0 && n <= 65535)
		event_set_num(ev, k, (int64_t)n);
}

/* "SHA1=…,MD5=…,SHA256=…,IMPHASH=…" (Sysmon Hashes, Hash) or a bare value:
 * items split at commas, each at its first '='. */
static void set_hashes(struct event *ev, struct slice v)
{
	const char *p = v.ptr, *end = v.ptr + v.len;
	while (p < end) {
		const char *comma = memchr(p, ',', (size_t)(end - p));
		const char *ie = comma ? comma : end;
		const char *eq = memchr(p, '=', (size_t)(ie - p));
		if (eq) {
			struct slice key = slice_trim(slice_make(p, (size_t)(eq - p)));
			struct slice val = slice_make(eq + 1, (size_t)(ie - eq - 1));
			if (slice_eq_nocase(key, SLICE_LIT("MD5")))
				set_str(ev, ES_MD5, val);
			else if (slice_eq_nocase(key, SLICE_LIT("SHA1")))
				set_str(ev, ES_SHA1, val);
			else if (slice_eq_nocase(key, SLICE_LIT("SHA256")))
				set_str(ev, ES_SHA256, val);
		}
		if (!comma)
			break;
		p = comma + 1;
	}
}

static const char *const logon_types[] = {
    [2] = "interactive",
    [3] = "network",
    [4] = "batch",
    [5] = "service",
    [7] = "unlock",
    [8] = "network_cleartext",
    [9] = "new_credentials",
    [10] = "remote_interactive",
    [11] = "cached_interactive",
    [12] = "cached_remote_interactive",
    [13] = "cached_unlock",
};

/* NTSTATUS 0xC0000064: "the specified account does not exist". */
static bool status_no_user(struct slice s)
{
	uint64_t n;
	return to_u64(s, &n) && n == 0xC0000064u;
}

static bool status_ok(struct slice s)
{
	uint64_t n;
	return to_u64(s, &n) && n == 0;
}

enum win_source { WS_OTHER, WS_SYSMON, WS_SECURITY, WS_RDP_RCM, WS_RDP_LSM };

static enum win_source source_of_text(struct slice p, struct slice c);

/* The source of the last Provider_Name and Channel seen by this thread: a
 * log holds a handful, and the tests below ran for every record. */
struct source_memo {
	char p[96], c[96];
	size_t plen, clen;
	bool set;
	enum win_source src;
};
static _Thread_local struct source_memo source_memo;

static enum win_source source_of(const struct winevent *w)
{
	struct slice p = w->v[WV_PROVIDER], c = w->v[WV_CHANNEL];
	struct source_memo *m = &source_memo;
	if (m->set && m->plen == p.len && m->clen == c.len &&
	    (!p.len || !memcmp(m->p, p.ptr, p.len)) && (!c.len || !memcmp(m->c, c.ptr, c.len)))
		return m->src;
	enum win_source src = source_of_text(p, c);
	if (p.len <= sizeof m->p && c.len <= sizeof m->c) {
		if (p.len)
			memcpy(m->p, p.ptr, p.len);
		if (c.len)
			memcpy(m->c, c.ptr, c.len);
		m->plen = p.len;
		m->clen = c.len;
		m->src = src;
		m->set = true;
	}
	return src;
}

static enum win_source source_of_text(struct slice p, struct slice c)
{
	if (slice_ends_nocase(p, "-Sysmon") || slice_starts(c, "Microsoft-Windows-Sysmon/") ||
	    slice_starts(c, "Linux-Sysmon/"))
		return WS_SYSMON;
	if (slice_eq_nocase_cstr(p, "Microsoft-Windows-Security-Auditing") ||
	    slice_eq_nocase_cstr(c, "Security"))
		return WS_SECURITY;
	if (slice_contains_nocase(c, SLICE_LIT("TerminalServices-RemoteConnectionManager")) ||
	    slice_contains_nocase(p, SLICE_LIT("TerminalServices-RemoteConnectionManager")))
		return WS_RDP_RCM;
	if (slice_contains_nocase(c, SLICE_LIT("TerminalServices-LocalSessionManager")) ||
	    slice_contains_nocase(p, SLICE_LIT("TerminalServices-LocalSessionManager")))
		return WS_RDP_LSM;
	return WS_OTHER;
}

static void map_auth(struct winevent *w, uint64_t id)
{
	struct event *ev = w->ev;
	const struct slice *v = w->v;
	ev->kind = EK_AUTH;
	set_str(ev, ES_USER, v[WV_TARGET_USER]);
	set_ip(&ev->src_ip, v[WV_IP_ADDRESS]);
	set_port(ev, EN_SRC_PORT, v[WV_IP_PORT]);
	set_str(ev, ES_SRC_HOST, v[WV_WORKSTATION_NAME]);
	set_str(ev, ES_SRC_HOST, v[WV_WORKSTATION]);
	uint64_t lt;
	if (!absent(v[WV_LOGON_TYPE]) && to_u64(v[WV_LOGON_TYPE], &lt) && lt < 14 &&
	    logon_types[lt]) {
		ev->str[ES_AUTH_METHOD] = slice_cstr(logon_types[lt]);
		if (lt == 10)
			ev->str[ES_SERVICE] = SLICE_LIT("rdp");
	}
	switch (id) {
	case 4624:
	case 4648:
		ev->outcome = OUTCOME_SUCCESS;
		set_str(ev, ES_DST_HOST, v[WV_TARGET_SERVER]);
		break;
	case 4625:
		ev->outcome = OUTCOME_FAILURE;
		ev->user_invalid = status_no_user(v[WV_STATUS]) || status_no_user(v[WV_SUB_STATUS]);
		break;
	case 4740:
		ev->outcome = OUTCOME_FAILURE;
		set_str(ev, ES_SRC_HOST, v[WV_TARGET_DOMAIN]); /* "Caller Computer Name" */
		break;
	case 4768:
	case 4771: {
		/* Kerberos error 0x6: KDC_ERR_C_PRINCIPAL_UNKNOWN */
		uint64_t st = 1;
		bool known = !absent(v[WV_STATUS]) && to_u64(v[WV_STATUS], &st);
		ev->outcome = id == 4768 && known && st == 0 ? OUTCOME_SUCCESS : OUTCOME_FAILURE;
		ev->user_invalid = known && st == 6;
		if (!ev->str[ES_AUTH_METHOD].ptr)
			ev->str[ES_AUTH_METHOD] = SLICE_LIT("kerberos");
		break;
	}
	case 4776:
		ev->outcome = status_ok(v[WV_STATUS]) ? OUTCOME_SUCCESS : OUTCOME_FAILURE;
		ev->user_invalid = status_no_user(v[WV_STATUS]);
		if (!ev->str[ES_AUTH_METHOD].ptr)
			ev->str[ES_AUTH_METHOD] = SLICE_LIT("ntlm");
		break;
	}
	set_str(ev, ES_AUTH_METHOD, v[WV_AUTH_PACKAGE]);
}

int winevent_finish(struct winevent *w)
{
	struct event *ev = w->ev;
	const struct slice *v = w->v;
	if (w->ndata && w->fields) {
		int rc = winevent_add(w, SLICE_LIT("Data"), FT_STRING,
				      slice_make(w->data_all ? w->data_all : "", w->data_len));
		if (rc)
			return rc;
	}
	uint64_t id = 0;
	bool has_id = !absent(v[WV_EVENT_ID]) && to_u64(v[WV_EVENT_ID], &id) && id <= INT64_MAX;
	if (has_id)
		event_set_num(ev, EN_EVENT_ID, (int64_t)id);
	if (w->time_known) {
		ev->time = w->time_us;
	} else if (!absent(v[WV_TIME])) {
		int64_t t;
		struct slice ts = slice_trim(v[WV_TIME]);
		if (time_parse_rfc3339(ts, &t) == 0 || time_parse_any(ts, &t) == 0)
			ev->time = t;
	}
	set_str(ev, ES_HOST, v[WV_COMPUTER]);

	/* What most events carry, whatever their id. */
	set_str(ev, ES_PROCESS, v[WV_IMAGE]);
	set_str(ev, ES_PROCESS, v[WV_NEW_PROCESS_NAME]);
	set_str(ev, ES_COMMAND_LINE, v[WV_COMMAND_LINE]);
	set_str(ev, ES_PARENT_PROCESS, v[WV_PARENT_IMAGE]);
	set_str(ev, ES_PARENT_PROCESS, v[WV_PARENT_PROCESS_NAME]);
	set_str(ev, ES_PARENT_COMMAND_LINE, v[WV_PARENT_COMMAND_LINE]);
	set_str(ev, ES_FILE_PATH, v[WV_TARGET_FILENAME]);
	set_str(ev, ES_FILE_PATH, v[WV_IMAGE_LOADED]);
	if (!absent(v[WV_HASHES]))
		set_hashes(ev, v[WV_HASHES]);
	if (!absent(v[WV_HASH]))
		set_hashes(ev, v[WV_HASH]);

	enum win_source src = source_of(w);
	if (src == WS_SECURITY && id == 4688)
		set_num(ev, EN_PID, v[WV_NEW_PROCESS_ID]);
	set_num(ev, EN_PID, v[WV_PROCESS_ID]);

	if (src == WS_SECURITY) {
		switch (id) {
		case 4688:
			ev->kind = EK_PROCESS;
			break;
		case 4624:
		case 4625:
		case 4648:
		case 4740:
		case 4768:
		case 4771:
		case 4776:
			map_auth(w, id);
			break;
		}
	} else if (src == WS_SYSMON) {
		switch (id) {
		case 1:
			ev->kind = EK_PROCESS;
			break;
		case 3:
			ev->kind = EK_NETWORK;
			set_ip(&ev->src_ip, v[WV_SOURCE_IP]);
			set_ip(&ev->dst_ip, v[WV_DEST_IP]);
			set_port(ev, EN_SRC_PORT, v[WV_SOURCE_PORT]);
			set_port(ev, EN_DST_PORT, v[WV_DEST_PORT]);
			set_str(ev, ES_DOMAIN, v[WV_DEST_HOST]);
			set_str(ev, ES_DST_HOST, v[WV_DEST_HOST]);
			set_str(ev, ES_SRC_HOST, v[WV_SOURCE_HOST]);
			set_str(ev, ES_PROTO, v[WV_PROTOCOL]);
			break;
		case 22:
			ev->kind = EK_DNS;
			set_str(ev, ES_DOMAIN, v[WV_QUERY_NAME]);
			break;
		case 11:
		case 15:
		case 23:
		case 26:
			ev->kind = EK_FILE;
			break;
		}
	} else if (src == WS_RDP_RCM && id == 1149) {
		/* "Remote Desktop Services: User authentication succeeded" */
		ev->kind = EK_AUTH;
		ev->outcome = OUTCOME_SUCCESS;
		ev->str[ES_SERVICE] = SLICE_LIT("rdp");
		set_str(ev, ES_USER, v[WV_PARAM1]);
		set_ip(&ev->src_ip, v[WV_PARAM3]);
	} else if (src == WS_RDP_LSM && (id == 21 || id == 25)) {
		/* Session logon / reconnection succeeded; Address is "LOCAL" at the console. */
		ev->kind = EK_AUTH;
		ev->outcome = OUTCOME_SUCCESS;
		ev->str[ES_SERVICE] = SLICE_LIT("rdp");
		set_str(ev, ES_USER, v[WV_USER]);
		set_ip(&ev->src_ip, v[WV_ADDRESS]);
	}
	set_str(ev, ES_USER, v[WV_USER]);
	set_str(ev, ES_USER, v[WV_TARGET_USER]);
	set_str(ev, ES_USER, v[WV_SUBJECT_USER]);
	return 0;
}

/* ---- XML ---- */

enum xml_section { XS_ROOT, XS_SYSTEM, XS_EVENTDATA, XS_OTHER, XS_SKIP };

struct xml_frame {
	struct slice name;
	struct slice text;
	struct slice data_name; /* Name attribute of an EventData <Data> */
	bool has_child, has_text, has_data_name, text_entities;
	uint8_t section;
};

struct xml {
	struct winevent *w;
	struct diag *why;
	const char *base, *p, *end;
	int depth;
	bool root_seen;
	struct xml_frame st[AS_MAX_XML_DEPTH];
};

static bool xml_space(char c)
{
	return c == ' ' || c == '\t' || c == '\n' || c == '\r';
}

static int xml_err(struct xml *x, const char *what)
{
	return diag_set(x->why, AS_EPARSE, "event XML: %s at byte %zu", what,
			(size_t)(x->p - x->base));
}

size_t winevent_utf8_put(char *d, uint32_t c)
{
	if (c < 0x80) {
		d[0] = (char)c;
		return 1;
	}
	if (c < 0x800) {
		d[0] = (char)(0xC0 | c >> 6);
		d[1] = (char)(0x80 | (c & 0x3F));
		return 2;
	}
	if (c < 0x10000) {
		d[0] = (char)(0xE0 | c >> 12);
		d[1] = (char)(0x80 | ((c >> 6) & 0x3F));
		d[2] = (char)(0x80 | (c & 0x3F));
		return 3;
	}
	d[0] = (char)(0xF0 | c >> 18);
	d[1] = (char)(0x80 | ((c >> 12) & 0x3F));
	d[2] = (char)(0x80 | ((c >> 6) & 0x3F));
	d[3] = (char)(0x80 | (c & 0x3F));
	return 4;
}

/* Decode entity references into the arena; an unknown one is kept as written
 * (a value is evidence: better odd than lost). Output never grows: every
 * reference is at least as long as what it stands for. */
int winevent_xml_unescape(struct arena *a, struct slice s, struct slice *out)
{
	char *d = arena_alloc(a, s.len + 1);
	if (!d)
		return AS_ENOMEM;
	size_t n = 0;
	for (size_t i = 0; i < s.len;) {
		if (s.ptr[i] != '&') {
			d[n++] = s.ptr[i++];
			continue;
		}
		const char *semi = memchr(s.ptr + i, ';', s.len - i < 12 ? s.len - i : 12);
		struct slice ent =
		    semi ? slice_make(s.ptr + i + 1, (size_t)(semi - s.ptr - i - 1)) : SLICE_NULL;
		char c = 0;
		if (slice_eq_cstr(ent, "lt"))
			c = '<';
		else if (slice_eq_cstr(ent, "gt"))
			c = '>';
		else if (slice_eq_cstr(ent, "amp"))
			c = '&';
		else if (slice_eq_cstr(ent, "quot"))
			c = '"';
		else if (slice_eq_cstr(ent, "apos"))
			c = '\'';
		if (c) {
			d[n++] = c;
			i += ent.len + 2;
			continue;
		}
		if (ent.len >= 2 && ent.ptr[0] == '#') {
			uint32_t cp = 0;
			bool hex = ent.ptr[1] == 'x' || ent.ptr[1] == 'X', ok = true;
			size_t k = hex ? 2 : 1;
			if (k == ent.len)
				ok = false;
			for (; k < ent.len && ok; k++) {
				char h = ent.ptr[k];
				int dv = h >= '0' && h <= '9'          ? h - '0'
					 : hex && h >= 'a' && h <= 'f' ? h - 'a' + 10
					 : hex && h >= 'A' && h <= 'F' ? h - 'A' + 10
								       : -1;
				if (dv < 0 || cp > 0x10FFFF)
					ok = false;
				else
					cp = cp * (hex ? 16 : 10) + (uint32_t)dv;
			}
			if (ok && cp > 0 && cp <= 0x10FFFF && !(cp >= 0xD800 && cp <= 0xDFFF) &&
			    winevent_utf8_put((char[4]){0}, cp) <= ent.len + 2) {
				n += winevent_utf8_put(d + n, cp);
				i += ent.len + 2;
				continue;
			}
		}
		d[n++] = s.ptr[i++];
	}
	d[n] = 0;
	*out = slice_make(d, n);
	return 0;
}

/*
 * libevtx renders HexInt32/HexInt64 values zero-padded ("0x00000018",
 * "0x00000000000003e7") where Windows writes the fewest digits ("0x18",
 * "0x3e7"), and Sigma rules are written against Windows' text.
 */
static int hex_minimal(struct arena *a, struct slice *v)
{
	size_t digits = v->len - 2;
	if ((digits != 8 && digits != 16) || v->ptr[0] != '0' || v->ptr[1] != 'x' ||
	    v->ptr[2] != '0')
		return 0;
	for (size_t i = 2; i < v->len; i++) {
		char c = v->ptr[i];
		if (!((c >= '0' && c <= '9') || (c >= 'a' && c <= 'f') || (c >= 'A' && c <= 'F')))
			return 0;
	}
	size_t z = 2;
	while (z < v->len - 1 && v->ptr[z] == '0')
		z++;
	char *d = arena_alloc(a, 2 + v->len - z);
	if (!d)
		return AS_ENOMEM;
	d[0] = '0';
	d[1] = 'x';
	memcpy(d + 2, v->ptr + z, v->len - z);
	*v = slice_make(d, 2 + v->len - z);
	return 0;
}

static int xml_value(struct xml *x, struct slice s, bool entities, struct slice *out)
{
	int rc = 0;
	*out = s;
	if (entities)
		rc = winevent_xml_unescape(x->w->a, s, out);
	if (!rc && x->w->hex_minimal && out->len >= 10)
		rc = hex_minimal(x->w->a, out);
	return rc ? diag_set(x->why, rc, "event XML: out of memory") : 0;
}

static struct slice local_name(struct slice s)
{
	const char *c = memchr(s.ptr, ':', s.len);
	return c ? slice_make(c + 1, s.len - (size_t)(c + 1 - s.ptr)) : s;
}

static int xml_emit(struct xml *x, struct slice name, struct slice value, bool entities,
		    struct diag *why)
{
	struct slice v;
	int rc = xml_value(x, value, entities, &v);
	if (rc)
		return rc;
	rc = winevent_add(x->w, name, FT_STRING, v);
	return rc ? diag_set(why, rc, "event XML: field %.*s: %s",
			     (int)(name.len > 64 ? 64 : name.len), name.ptr, as_strerror(rc))
		  : 0;
}

/* An attribute of the element at depth d (the frame already pushed). */
static int xml_attr(struct xml *x, struct xml_frame *f, int d, struct slice name,
		    struct slice value, bool entities)
{
	if (d == 3 && f->section == XS_SYSTEM) {
		char buf[AS_MAX_FIELD_NAME];
		if (slice_eq_cstr(f->name, "TimeCreated") && slice_eq_cstr(name, "SystemTime"))
			return xml_emit(x, f->name, value, entities, x->why);
		if (f->name.len + 1 + name.len >= sizeof buf)
			return 0;
		memcpy(buf, f->name.ptr, f->name.len);
		buf[f->name.len] = '_';
		memcpy(buf + f->name.len + 1, name.ptr, name.len);
		return xml_emit(x, slice_make(buf, f->name.len + 1 + name.len), value, entities,
				x->why);
	}
	if (d == 3 && f->section == XS_EVENTDATA && slice_eq_cstr(f->name, "Data") &&
	    slice_eq_cstr(name, "Name")) {
		struct slice v;
		int rc = xml_value(x, value, entities, &v);
		if (rc)
			return rc;
		f->data_name = v;
		f->has_data_name = true;
	}
	return 0;
}

static int xml_close(struct xml *x)
{
	struct xml_frame *f = &x->st[x->depth - 1];
	int d = x->depth;
	struct slice text = f->has_text ? f->text : slice_make("", 0);
	int rc = 0;
	if (f->section == XS_SYSTEM && d == 3) {
		if (!f->has_child && f->has_text && text.len)
			rc = xml_emit(x, f->name, text, f->text_entities, x->why);
	} else if (f->section == XS_EVENTDATA && d >= 3 && !f->has_child) {
		if (d == 3 && slice_eq_cstr(f->name, "Data") && f->has_data_name) {
			rc = xml_emit(x, f->data_name, text, f->text_entities, x->why);
		} else if (d == 3 && slice_eq_cstr(f->name, "Data")) {
			struct slice v;
			if (!(rc = xml_value(x, text, f->text_entities, &v)) &&
			    (rc = winevent_add_data(x->w, v)))
				rc = diag_set(x->why, rc, "event XML: %s", as_strerror(rc));
		} else {
			rc = xml_emit(x, f->name, text, f->text_entities, x->why);
		}
	} else if (f->section == XS_OTHER && d >= 3 && !f->has_child) {
		rc = xml_emit(x, f->name, text, f->text_entities, x->why);
	}
	x->depth--;
	return rc;
}

static const char *find(const char *p, const char *end, const char *needle)
{
	size_t n = strlen(needle);
	while ((size_t)(end - p) >= n) {
		const char *q = memchr(p, needle[0], (size_t)(end - p) - n + 1);
		if (!q)
			return NULL;
		if (memcmp(q, needle, n) == 0)
			return q;
		p = q + 1;
	}
	return NULL;
}

static void xml_text(struct xml *x, struct slice s, bool entities)
{
	if (!x->depth)
		return;
	struct xml_frame *f = &x->st[x->depth - 1];
	if (f->has_text || f->has_child)
		return; /* white space between children, or text after a comment */
	f->text = s;
	f->has_text = true;
	f->text_entities = entities;
}

static int xml_start(struct xml *x)
{
	const char *p = x->p + 1, *e = x->end;
	const char *n0 = p;
	while (p < e && !xml_space(*p) && *p != '/' && *p != '>')
		p++;
	if (p == n0 || p >= e)
		return xml_err(x, "bad start tag");
	if (x->depth == AS_MAX_XML_DEPTH)
		return diag_set(x->why, AS_ETOOBIG, "event XML: nested deeper than %d",
				AS_MAX_XML_DEPTH);
	if (x->depth == 0 && x->root_seen)
		return xml_err(x, "second root element");
	struct xml_frame *f = &x->st[x->depth];
	memset(f, 0, sizeof *f);
	f->name = local_name(slice_make(n0, (size_t)(p - n0)));
	if (x->depth == 0) {
		f->section = XS_ROOT;
		x->root_seen = true;
	} else {
		struct xml_frame *parent = &x->st[x->depth - 1];
		parent->has_child = true;
		if (x->depth == 1) {
			f->section = slice_eq_cstr(f->name, "System")          ? XS_SYSTEM
				     : slice_eq_cstr(f->name, "EventData")     ? XS_EVENTDATA
				     : slice_eq_cstr(f->name, "RenderingInfo") ? XS_SKIP
									       : XS_OTHER;
		} else {
			f->section = parent->section;
		}
	}
	x->depth++;
	int d = x->depth;
	for (;;) {
		while (p < e && xml_space(*p))
			p++;
		if (p >= e) {
			x->p = p;
			return xml_err(x, "unterminated start tag");
		}
		if (*p == '>') {
			x->p = p + 1;
			return 0;
		}
		if (*p == '/') {
			if (p + 1 >= e || p[1] != '>') {
				x->p = p;
				return xml_err(x, "bad empty-element tag");
			}
			x->p = p + 2;
			return xml_close(x);
		}
		const char *a0 = p;
		while (p < e && !xml_space(*p) && *p != '=' && *p != '>' && *p != '/')
			p++;
		struct slice an = slice_make(a0, (size_t)(p - a0));
		while (p < e && xml_space(*p))
			p++;
		if (p >= e || *p != '=' || an.len == 0) {
			x->p = p;
			return xml_err(x, "bad attribute");
		}
		p++;
		while (p < e && xml_space(*p))
			p++;
		if (p >= e || (*p != '"' && *p != '\'')) {
			x->p = p;
			return xml_err(x, "attribute value without quotes");
		}
		char q = *p++;
		const char *v0 = p;
		p = memchr(p, q, (size_t)(e - p));
		if (!p) {
			x->p = e;
			return xml_err(x, "unterminated attribute value");
		}
		struct slice av = slice_make(v0, (size_t)(p - v0));
		p++;
		int rc = xml_attr(x, f, d, local_name(an), av, memchr(av.ptr, '&', av.len) != NULL);
		if (rc)
			return rc;
	}
}

static int xml_end(struct xml *x)
{
	const char *p = x->p + 2, *e = x->end;
	const char *gt = memchr(p, '>', (size_t)(e - p));
	if (!gt)
		return xml_err(x, "unterminated end tag");
	struct slice name = slice_trim(slice_make(p, (size_t)(gt - p)));
	if (!x->depth || !slice_eq(local_name(name), x->st[x->depth - 1].name))
		return xml_err(x, "end tag does not match");
	x->p = gt + 1;
	return xml_close(x);
}

int winevent_xml_parse(struct winevent *w, struct slice xml, struct diag *why)
{
	struct xml x = {
	    .w = w, .why = why, .base = xml.ptr, .p = xml.ptr, .end = xml.ptr + xml.len};
	while (x.p < x.end) {
		const char *p = x.p, *e = x.end;
		if (*p != '<') {
			const char *lt = memchr(p, '<', (size_t)(e - p));
			const char *q = lt ? lt : e;
			struct slice t = slice_make(p, (size_t)(q - p));
			if (x.depth)
				xml_text(&x, t, memchr(p, '&', t.len) != NULL);
			else if (slice_trim(t).len && !(t.len == 1 && t.ptr[0] == 0))
				return xml_err(&x, "text outside the root element");
			x.p = q;
			continue;
		}
		int rc = 0;
		if (e - p >= 2 && p[1] == '/') {
			rc = xml_end(&x);
		} else if (e - p >= 2 && p[1] == '?') {
			const char *q = find(p + 2, e, "?>");
			if (!q)
				return xml_err(&x, "unterminated processing instruction");
			x.p = q + 2;
		} else if (e - p >= 4 && memcmp(p, "<!--", 4) == 0) {
			const char *q = find(p + 4, e, "-->");
			if (!q)
				return xml_err(&x, "unterminated comment");
			x.p = q + 3;
		} else if (e - p >= 9 && memcmp(p, "<![CDATA[", 9) == 0) {
			const char *q = find(p + 9, e, "]]>");
			if (!q)
				return xml_err(&x, "unterminated CDATA");
			xml_text(&x, slice_make(p + 9, (size_t)(q - p - 9)), false);
			x.p = q + 3;
		} else if (e - p >= 2 && p[1] == '!') {
			const char *q = memchr(p, '>', (size_t)(e - p));
			if (!q)
				return xml_err(&x, "unterminated declaration");
			x.p = q + 1;
		} else {
			rc = xml_start(&x);
		}
		if (rc)
			return rc;
	}
	if (x.depth)
		return xml_err(&x, "element not closed");
	if (!x.root_seen)
		return xml_err(&x, "no element");
	return 0;
}
