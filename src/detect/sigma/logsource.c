/*
 * logsource.c — which events a rule sees: the logsource table and its classes.
 *
 * Each row of the table below names a Sigma product, category or service
 * and the events it stands for, as alternatives of (reader formats, Windows
 * Channel, EventIDs, Zeek log). A rule's logsource takes the rows of its
 * product, its category and its service and needs all of them to hold.
 * Rules with the same logsource share one class; per event the classes are
 * evaluated once, and cached per worker under the key
 * format|Channel|EventID|Zeek-log, so the common case costs one map look-up.
 *
 * A logsource the table does not know is "unmapped": its rules load but see
 * no event (counted by sigma_ruleset_unmapped). Products without a reader of
 * their own (cloud, SaaS and appliance products) are read as JSON lines.
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "core/error.h"
#include "core/limits.h"
#include "detect/sigma/sigma_int.h"
#include "event/fieldname.h"

struct ls_alt {
	const char *formats;  /* space-separated reader names, NULL: any */
	const char *channel;  /* Windows channel (case-insensitive, trailing * = prefix) */
	const char *eventids; /* space-separated, NULL: any */
	const char *zeek;     /* Zeek log name (dns, http, …) */
};

#define ALTS_MAX 3
struct ls_row {
	const char *product, *category, *service;
	struct ls_alt alt[ALTS_MAX];
};

#define WIN    "evtx winjson"
#define SYSMON "Microsoft-Windows-Sysmon/Operational"
#define SYS(ids)                                                                                   \
	{                                                                                          \
		WIN, SYSMON, ids, NULL                                                             \
	}
#define CHAN(c)                                                                                    \
	{                                                                                          \
		{                                                                                  \
			WIN, c, NULL, NULL                                                         \
		}                                                                                  \
	}
#define ZEEK(l)                                                                                    \
	{                                                                                          \
		{                                                                                  \
			"zeek zeek_json", NULL, NULL, l                                            \
		}                                                                                  \
	}

/* Source: the Windows, Sysmon and Zeek mappings of the Sigma tooling
 * (pySigma pipelines, LGPL-2.1) and the Sigma taxonomy appendix. */
static const struct ls_row table[] = {
    /* products */
    {"windows", NULL, NULL, {{WIN, NULL, NULL, NULL}}},
    {"linux", NULL, NULL, {{"syslog journal jsonl winjson", NULL, NULL, NULL}}},
    {"zeek", NULL, NULL, {{"zeek zeek_json", NULL, NULL, NULL}}},
    /* Windows categories */
    {"windows", "process_creation", NULL, {SYS("1"), {WIN, "Security", "4688", NULL}}},
    {"windows", "process_termination", NULL, {SYS("5"), {WIN, "Security", "4689", NULL}}},
    {"windows", "file_change", NULL, {SYS("2")}},
    {"windows", "network_connection", NULL, {SYS("3")}},
    {"windows", "sysmon_status", NULL, {SYS("4 16")}},
    {"windows", "driver_load", NULL, {SYS("6")}},
    {"windows", "image_load", NULL, {SYS("7")}},
    {"windows", "create_remote_thread", NULL, {SYS("8")}},
    {"windows", "raw_access_thread", NULL, {SYS("9")}},
    {"windows", "process_access", NULL, {SYS("10")}},
    {"windows", "file_event", NULL, {SYS("11")}},
    {"windows", "registry_add", NULL, {SYS("12")}},
    {"windows", "registry_delete", NULL, {SYS("12")}},
    {"windows", "registry_set", NULL, {SYS("13")}},
    {"windows", "registry_rename", NULL, {SYS("14")}},
    {"windows", "registry_event", NULL, {SYS("12 13 14")}},
    {"windows", "create_stream_hash", NULL, {SYS("15")}},
    {"windows", "pipe_created", NULL, {SYS("17 18")}},
    {"windows", "wmi_event", NULL, {SYS("19 20 21")}},
    {"windows", "dns_query", NULL, {SYS("22")}},
    {"windows", "file_delete", NULL, {SYS("23 26")}},
    {"windows", "clipboard_capture", NULL, {SYS("24")}},
    {"windows", "process_tampering", NULL, {SYS("25")}},
    {"windows", "file_block_executable", NULL, {SYS("27")}},
    {"windows", "file_block_shredding", NULL, {SYS("28")}},
    {"windows", "file_executable_detected", NULL, {SYS("29")}},
    {"windows", "sysmon_error", NULL, {SYS("255")}},
    {"windows",
     "ps_module",
     NULL,
     {{WIN, "Microsoft-Windows-PowerShell/Operational", "4103", NULL}}},
    {"windows",
     "ps_script",
     NULL,
     {{WIN, "Microsoft-Windows-PowerShell/Operational", "4104", NULL}}},
    {"windows", "ps_classic_start", NULL, {{WIN, "Windows PowerShell", "400", NULL}}},
    {"windows", "ps_classic_provider_start", NULL, {{WIN, "Windows PowerShell", "600", NULL}}},
    {"windows", "ps_classic_script", NULL, {{WIN, "Windows PowerShell", "800", NULL}}},
    {"windows",
     "antivirus",
     NULL,
     {{WIN, "Microsoft-Windows-Windows Defender/Operational", "1006 1116 1015 1117", NULL}}},
    /* Windows services: channels */
    {"windows", NULL, "security", CHAN("Security")},
    {"windows", NULL, "system", CHAN("System")},
    {"windows", NULL, "application", CHAN("Application")},
    {"windows", NULL, "sysmon", CHAN(SYSMON)},
    {"windows", NULL, "powershell", CHAN("Microsoft-Windows-PowerShell/Operational")},
    {"windows", NULL, "powershell-classic", CHAN("Windows PowerShell")},
    {"windows", NULL, "taskscheduler", CHAN("Microsoft-Windows-TaskScheduler/Operational")},
    {"windows", NULL, "wmi", CHAN("Microsoft-Windows-WMI-Activity/Operational")},
    {"windows", NULL, "windefend", CHAN("Microsoft-Windows-Windows Defender/Operational")},
    {"windows", NULL, "dns-server", CHAN("DNS Server")},
    {"windows", NULL, "dns-server-analytic", CHAN("Microsoft-Windows-DNSServer/Analytical")},
    {"windows", NULL, "dns-client", CHAN("Microsoft-Windows-DNS Client Events/Operational")},
    {"windows", NULL, "bits-client", CHAN("Microsoft-Windows-Bits-Client/Operational")},
    {"windows", NULL, "codeintegrity-operational",
     CHAN("Microsoft-Windows-CodeIntegrity/Operational")},
    {"windows", NULL, "firewall-as",
     CHAN("Microsoft-Windows-Windows Firewall With Advanced Security/Firewall")},
    {"windows", NULL, "applocker", CHAN("Microsoft-Windows-AppLocker/*")},
    {"windows", NULL, "msexchange-management", CHAN("MSExchange Management")},
    {"windows", NULL, "ntlm", CHAN("Microsoft-Windows-NTLM/Operational")},
    {"windows", NULL, "appxdeployment-server",
     CHAN("Microsoft-Windows-AppXDeploymentServer/Operational")},
    {"windows", NULL, "appxpackaging-om", CHAN("Microsoft-Windows-AppxPackaging/Operational")},
    {"windows", NULL, "appmodel-runtime", CHAN("Microsoft-Windows-AppModel-Runtime/Admin")},
    {"windows", NULL, "smbclient-security", CHAN("Microsoft-Windows-SmbClient/Security")},
    {"windows", NULL, "smbclient-connectivity", CHAN("Microsoft-Windows-SmbClient/Connectivity")},
    {"windows", NULL, "smbserver-connectivity", CHAN("Microsoft-Windows-SMBServer/Connectivity")},
    {"windows", NULL, "terminalservices-localsessionmanager",
     CHAN("Microsoft-Windows-TerminalServices-LocalSessionManager/Operational")},
    {"windows", NULL, "printservice-operational",
     CHAN("Microsoft-Windows-PrintService/Operational")},
    {"windows", NULL, "printservice-admin", CHAN("Microsoft-Windows-PrintService/Admin")},
    {"windows", NULL, "security-mitigations", CHAN("Microsoft-Windows-Security-Mitigations/*")},
    {"windows", NULL, "openssh", CHAN("OpenSSH/Operational")},
    {"windows", NULL, "shell-core", CHAN("Microsoft-Windows-Shell-Core/Operational")},
    {"windows", NULL, "capi2", CHAN("Microsoft-Windows-CAPI2/Operational")},
    {"windows", NULL, "lsa-server", CHAN("Microsoft-Windows-LSA/Operational")},
    {"windows", NULL, "ldap", CHAN("Microsoft-Windows-LDAP-Client/Debug")},
    {"windows", NULL, "driver-framework",
     CHAN("Microsoft-Windows-DriverFrameworks-UserMode/Operational")},
    {"windows", NULL, "diagnosis-scripted",
     CHAN("Microsoft-Windows-Diagnosis-Scripted/Operational")},
    {"windows", NULL, "certificateservicesclient-lifecycle-system",
     CHAN("Microsoft-Windows-CertificateServicesClient-Lifecycle-System/Operational")},
    {"windows", NULL, "iis-configuration", CHAN("Microsoft-IIS-Configuration/Operational")},
    {"windows", NULL, "microsoft-servicebus-client", CHAN("Microsoft-ServiceBus-Client")},
    {"windows", NULL, "kerberos", CHAN("Microsoft-Windows-Kerberos/Operational")},
    /* Linux: Sysmon for Linux, written with the Windows Sysmon names */
    {"linux", "process_creation", NULL, {{NULL, "Linux-Sysmon/Operational", "1", NULL}}},
    {"linux", "network_connection", NULL, {{NULL, "Linux-Sysmon/Operational", "3", NULL}}},
    {"linux", "file_event", NULL, {{NULL, "Linux-Sysmon/Operational", "11", NULL}}},
    {"linux", "process_termination", NULL, {{NULL, "Linux-Sysmon/Operational", "5", NULL}}},
    {"linux", NULL, "auditd", {{"auditd jsonl", NULL, NULL, NULL}}},
    {"linux", NULL, "syslog", {{"syslog journal", NULL, NULL, NULL}}},
    {"linux", NULL, "auth", {{"syslog journal", NULL, NULL, NULL}}},
    {"linux", NULL, "sshd", {{"syslog journal", NULL, NULL, NULL}}},
    {"linux", NULL, "sudo", {{"syslog journal", NULL, NULL, NULL}}},
    {"linux", NULL, "cron", {{"syslog journal", NULL, NULL, NULL}}},
    {"linux", NULL, "vsftpd", {{"syslog journal", NULL, NULL, NULL}}},
    {"linux", NULL, "clamav", {{"syslog journal", NULL, NULL, NULL}}},
    {"linux", NULL, "guacamole", {{"syslog journal", NULL, NULL, NULL}}},
    /* Zeek services */
    {"zeek", NULL, "dns", ZEEK("dns")},
    {"zeek", NULL, "http", ZEEK("http")},
    {"zeek", NULL, "dce_rpc", ZEEK("dce_rpc")},
    {"zeek", NULL, "smb_files", ZEEK("smb_files")},
    {"zeek", NULL, "kerberos", ZEEK("kerberos")},
    {"zeek", NULL, "rdp", ZEEK("rdp")},
    {"zeek", NULL, "x509", ZEEK("x509")},
    {"zeek", NULL, "conn", ZEEK("conn")},
    /* categories and services without a product */
    {NULL,
     "antivirus",
     NULL,
     {{WIN, "Microsoft-Windows-Windows Defender/Operational", "1006 1116 1015 1117", NULL}}},
    {NULL, NULL, "apache", {{"access", NULL, NULL, NULL}}},
    {NULL, NULL, "nginx", {{"access", NULL, NULL, NULL}}},
    {NULL, "webserver", NULL, {{"access w3c", NULL, NULL, NULL}}},
    {NULL,
     "proxy",
     NULL,
     {{"access w3c", NULL, NULL, NULL}, {"zeek zeek_json", NULL, NULL, "http"}}},
    {NULL, "dns", NULL, {{"zeek zeek_json", NULL, NULL, "dns"}, {"eve", NULL, NULL, NULL}}},
    {NULL,
     "firewall",
     NULL,
     {{"eve jsonl", NULL, NULL, NULL}, {"zeek zeek_json", NULL, NULL, "conn"}}},
};

/* One distinct logsource: the rows that must all hold (NULL row: matches nothing). */
struct sigma_lsclass {
	struct sigma_logsource ls;
	const struct ls_row *rows[3];
	unsigned nrows;
	bool never;
};

static bool eq(const char *a, const char *b)
{
	return a == b || (a && b && !strcmp(a, b));
}

static const struct ls_row *find(const char *product, const char *category, const char *service)
{
	for (size_t i = 0; i < sizeof table / sizeof *table; i++)
		if (eq(table[i].product, product) && eq(table[i].category, category) &&
		    eq(table[i].service, service))
			return &table[i];
	return NULL;
}

static bool product_known(const char *p)
{
	return p && find(p, NULL, NULL);
}

static void class_build(struct sigma_lsclass *c)
{
	static const struct ls_row jsonl = {NULL, NULL, NULL, {{"jsonl", NULL, NULL, NULL}}};
	const struct sigma_logsource *ls = &c->ls;
	const struct ls_row *r;
	c->nrows = 0;
	if (ls->product) {
		r = find(ls->product, NULL, NULL);
		c->rows[c->nrows++] = r ? r : &jsonl;
	}
	if (ls->category) {
		r = find(ls->product, ls->category, NULL);
		if (!r)
			r = find(NULL, ls->category, NULL);
		if (r)
			c->rows[c->nrows++] = r;
		else if (product_known(ls->product) || !ls->product)
			c->never = true;
	}
	if (ls->service) {
		r = find(ls->product, NULL, ls->service);
		if (r)
			c->rows[c->nrows++] = r;
		else if (product_known(ls->product) || !ls->product)
			c->never = true;
	}
}

int sigma_logsource_compile(struct sigma_ruleset *rs)
{
	struct map seen;
	map_init(&seen);
	free(rs->classes);
	rs->classes = NULL;
	rs->nclasses = 0;
	size_t cap = 0;
	int rc = 0;
	for (size_t i = 0; i < rs->nrules && !rc; i++) {
		struct sigma_rule *r = rs->rules[i];
		if (r->kind == SK_CORRELATION)
			continue;
		char key[512];
		int n = snprintf(key, sizeof key, "%s|%s|%s", r->ls.product ? r->ls.product : "",
				 r->ls.category ? r->ls.category : "",
				 r->ls.service ? r->ls.service : "");
		uint64_t idx = rs->nclasses;
		bool existed;
		if ((rc = map_put_new(&seen, slice_make(key, (size_t)n), &idx, &existed)))
			break;
		if (!existed) {
			if (rs->nclasses == cap) {
				cap = cap ? cap * 2 : 64;
				struct sigma_lsclass *nc = realloc(rs->classes, cap * sizeof *nc);
				if (!nc) {
					rc = AS_ENOMEM;
					break;
				}
				rs->classes = nc;
			}
			struct sigma_lsclass *c = &rs->classes[rs->nclasses++];
			memset(c, 0, sizeof *c);
			c->ls = r->ls;
			class_build(c);
		}
		r->lsclass = (uint32_t)idx;
	}
	map_free(&seen);
	return rc;
}

size_t sigma_ruleset_unmapped(const struct sigma_ruleset *rs)
{
	size_t n = 0;
	for (size_t i = 0; i < rs->nrules; i++)
		if (rs->rules[i]->kind != SK_CORRELATION && rs->classes &&
		    rs->classes[rs->rules[i]->lsclass].never)
			n++;
	return n;
}

bool sigma_logsource_mapped(const struct sigma_ruleset *rs, const struct sigma_rule *r)
{
	return r->kind == SK_CORRELATION || !rs->classes || !rs->classes[r->lsclass].never;
}

/* Word w (length n) in the space-separated list? */
static bool in_list(const char *list, struct slice w)
{
	if (!w.ptr)
		return false;
	for (const char *p = list; *p;) {
		const char *e = strchr(p, ' ');
		size_t n = e ? (size_t)(e - p) : strlen(p);
		if (n == w.len && !strncasecmp(p, w.ptr, n))
			return true;
		p += n + (e ? 1 : 0);
	}
	return false;
}

struct ls_facts {
	struct slice format, channel, eventid, zeek;
};

static bool alt_holds(const struct ls_alt *a, const struct ls_facts *f)
{
	if (a->formats && !in_list(a->formats, f->format))
		return false;
	if (a->channel) {
		size_t n = strlen(a->channel);
		if (n && a->channel[n - 1] == '*') {
			if (f->channel.len < n - 1 ||
			    strncasecmp(f->channel.ptr, a->channel, n - 1))
				return false;
		} else if (!slice_eq_nocase_cstr(f->channel, a->channel)) {
			return false;
		}
	}
	if (a->eventids && !in_list(a->eventids, f->eventid))
		return false;
	if (a->zeek && !slice_eq_nocase_cstr(f->zeek, a->zeek))
		return false;
	return true;
}

static bool class_holds(const struct sigma_lsclass *c, const struct ls_facts *f)
{
	if (c->never)
		return false;
	for (unsigned i = 0; i < c->nrows; i++) {
		bool any = false;
		for (int k = 0; k < ALTS_MAX && !any; k++) {
			const struct ls_alt *a = &c->rows[i]->alt[k];
			if (!a->formats && !a->channel && !a->eventids && !a->zeek)
				break;
			any = alt_holds(a, f);
		}
		if (!any)
			return false;
	}
	return true;
}

/* Field name of ev (the first of that name). */
static struct slice native(const struct event *ev, const char *name, uint32_t *cache)
{
	if (*cache == FIELDNAME_NONE)
		*cache = fieldname_intern(slice_cstr(name));
	const struct field *f = event_field_get(ev, *cache);
	return f ? f->value : SLICE_NULL;
}

/* The first Channel and the first EventID of ev, in one walk of its fields
 * that stops when both are found (an EVTX event has them among its first
 * fifteen; the evaluation's index of the fields is built for one event in
 * four only). */
static void channel_eventid(const struct event *ev, uint32_t channel, uint32_t eventid,
			    struct slice *c, struct slice *e)
{
	*c = *e = SLICE_NULL;
	bool hc = false, he = false;
	for (uint32_t i = 0; i < ev->nfields && !(hc && he); i++) {
		uint32_t id = ev->fields[i].name;
		if (id == channel && !hc) {
			*c = ev->fields[i].value;
			hc = true;
		} else if (id == eventid && !he) {
			*e = ev->fields[i].value;
			he = true;
		}
	}
}

/* The facts of an event that decide its logsource, and its cache key. */
static void facts(const struct event *ev, struct ls_facts *f)
{
	static _Thread_local uint32_t id_channel = FIELDNAME_NONE, id_eventid = FIELDNAME_NONE,
				      id_path = FIELDNAME_NONE;
	static _Thread_local char num[24];
	memset(f, 0, sizeof *f);
	if (ev->source && ev->source->format)
		f->format = slice_cstr(ev->source->format);
	if (id_channel == FIELDNAME_NONE || id_eventid == FIELDNAME_NONE) {
		id_channel = fieldname_intern(slice_cstr("Channel"));
		id_eventid = fieldname_intern(slice_cstr("EventID"));
	}
	channel_eventid(ev, id_channel, id_eventid, &f->channel, &f->eventid);
	if (!f->eventid.ptr && event_has_num(ev, EN_EVENT_ID)) {
		int n = snprintf(num, sizeof num, "%lld", (long long)ev->num[EN_EVENT_ID]);
		f->eventid = slice_make(num, (size_t)n);
	}
	if (f->format.len >= 4 && !memcmp(f->format.ptr, "zeek", 4)) {
		f->zeek = native(ev, "_path", &id_path);
		if (!f->zeek.ptr && ev->source && ev->source->path) {
			const char *base = strrchr(ev->source->path, '/');
			base = base ? base + 1 : ev->source->path;
			const char *dot = strchr(base, '.');
			f->zeek = slice_make(base, dot ? (size_t)(dot - base) : strlen(base));
		}
	}
}

static void eval_bits(const struct sigma_ruleset *rs, const struct ls_facts *f, uint64_t *bits)
{
	size_t words = (rs->nclasses + 63) / 64;
	memset(bits, 0, words * sizeof *bits);
	for (size_t i = 0; i < rs->nclasses; i++)
		if (class_holds(&rs->classes[i], f))
			bits[i / 64] |= 1ull << (i % 64);
}

void sigma_logsource_eval(const struct sigma_ruleset *rs, const struct event *ev, uint64_t *bits)
{
	struct ls_facts f;
	facts(ev, &f);
	eval_bits(rs, &f, bits);
}

/* Cached per worker: the class bits of an event. */
const uint64_t *sigma_worker_classes(struct sigma_worker *w, const struct event *ev, size_t *slot)
{
	*slot = SIZE_MAX;
	struct ls_facts f;
	facts(ev, &f);
	/* format|Channel|EventID|Zeek log, written without printf (every event) */
	char key[512];
	const struct slice parts[4] = {f.format, f.channel, f.eventid, f.zeek};
	int n = 0;
	for (int i = 0; i < 4 && n >= 0; i++) {
		if (parts[i].len + 1 > sizeof key - (size_t)n) {
			n = -1;
			break;
		}
		if (parts[i].len)
			memcpy(key + n, parts[i].ptr, parts[i].len);
		n += (int)parts[i].len;
		if (i < 3)
			key[n++] = '|';
	}
	size_t words = w->lswords;
	if (n <= 0) {
		eval_bits(w->rs, &f, w->classbits);
		return w->classbits;
	}
	uint64_t idx;
	if ((size_t)n == w->lastlen && !memcmp(key, w->lastkey, (size_t)n)) {
		*slot = w->lastslot;
		return w->lsbits + w->lastslot * words;
	}
	if (map_get(&w->lscache, slice_make(key, (size_t)n), &idx)) {
		*slot = idx;
		if ((size_t)n <= sizeof w->lastkey) {
			memcpy(w->lastkey, key, (size_t)n);
			w->lastlen = (size_t)n;
			w->lastslot = idx;
		}
		return w->lsbits + idx * words;
	}
	if (w->nls >= AS_SIGMA_MAX_LSCACHE) {
		eval_bits(w->rs, &f, w->classbits);
		return w->classbits;
	}
	uint64_t *nb = realloc(w->lsbits, (w->nls + 1) * words * sizeof *nb);
	if (nb)
		w->lsbits = nb;
	struct sigma_pfdb **ndb = nb ? realloc(w->lsdb, (w->nls + 1) * sizeof *ndb) : NULL;
	if (ndb)
		w->lsdb = ndb;
	uint8_t *nst = ndb ? realloc(w->lsdb_state, w->nls + 1) : NULL;
	if (!nst) {
		eval_bits(w->rs, &f, w->classbits);
		return w->classbits;
	}
	w->lsdb_state = nst;
	w->lsdb[w->nls] = NULL;
	w->lsdb_state[w->nls] = 0;
	/* all the worker's words: eval_bits writes the classes' only, and the
	 * bits are a key of the subdatabases (event_db) */
	memset(nb + w->nls * words, 0, words * sizeof *nb);
	eval_bits(w->rs, &f, nb + w->nls * words);
	if (map_put(&w->lscache, slice_make(key, (size_t)n), w->nls, NULL)) {
		memcpy(w->classbits, nb + w->nls * words, words * sizeof *nb);
		return w->classbits;
	}
	*slot = w->nls;
	return w->lsbits + (w->nls++) * words;
}
