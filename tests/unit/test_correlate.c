/*
 * test_correlate.c — alerts into incidents: grouping and its reasons, the
 * bounded beacon, campaigns across organisations, kill-chain order and
 * severity, CVE classes, supply chain, lateral movement, persistence and
 * resumption through the store, and hostile input.
 */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include <cmocka.h>
#include <jansson.h>

#include "core/error.h"
#include "core/timeparse.h"
#include "correlate/incident.h"
#include "detect/alert.h"
#include "intel/intel.h"
#include "store/store.h"

static struct source src_eve = {.path = "eve.json", .format = "eve", .id = 0};
static struct source src_auth = {.path = "auth.log", .format = "syslog", .id = 1};
static struct source src_evtx = {.path = "sysmon.evtx", .format = "evtx", .id = 2};
static struct source src_web = {.path = "access.log", .format = "access", .id = 3};

static int64_t T(const char *s)
{
	int64_t us;
	assert_int_equal(time_parse_rfc3339(slice_cstr(s), &us), 0);
	return us;
}

static void set_ip(struct ip *ip, const char *s)
{
	assert_int_equal(ip_parse(slice_cstr(s), ip), 0);
}

struct spec {
	const char *detector, *rule_id, *title, *time, *host, *src, *dst, *user;
	const char *techniques[4];
	const char *ind_type, *ind_value, *ind_field, *ind_label;
	const char *evidence;
	const struct source *source;
	enum alert_level level;
	uint64_t record;
};

static struct alert *mk(const struct spec *s)
{
	struct alert *a = alert_new(s->detector ? s->detector : "sigma");
	assert_non_null(a);
	a->rule_id = alert_strdup(a, slice_cstr(s->rule_id ? s->rule_id : "r1"));
	a->rule_title = alert_strdup(a, slice_cstr(s->title ? s->title : "Rule"));
	a->time = s->time ? T(s->time) : AS_TIME_NONE;
	a->level = s->level ? s->level : AL_HIGH;
	if (s->host)
		a->host = alert_strdup(a, slice_cstr(s->host));
	if (s->user)
		a->user = alert_strdup(a, slice_cstr(s->user));
	if (s->src)
		set_ip(&a->src_ip, s->src);
	if (s->dst)
		set_ip(&a->dst_ip, s->dst);
	for (int i = 0; i < 4 && s->techniques[i]; i++)
		alert_add_technique(a, slice_cstr(s->techniques[i]));
	if (s->ind_type) {
		struct alert_indicator *in =
		    alert_add_indicator(a, s->ind_type, slice_cstr(s->ind_value), s->ind_field);
		assert_non_null(in);
		if (s->ind_label)
			in->label = alert_strdup(a, slice_cstr(s->ind_label));
	}
	if (s->evidence)
		a->evidence = alert_strdup(a, slice_cstr(s->evidence));
	a->source = s->source ? s->source : &src_eve;
	a->record = s->record;
	alert_compute_id(a);
	return a;
}

static void add(struct correlator *c, const struct spec *s)
{
	struct alert *a = mk(s);
	assert_int_equal(correlator_add(c, a), 0);
	alert_free(a);
}

/* Incidents handed out, as parsed JSON. */
struct got {
	json_t *inc[64];
	size_t n;
};

static void collect(void *ctx, const struct incident *inc)
{
	struct got *g = ctx;
	struct buf b = BUF_INIT;
	assert_int_equal(incident_to_json(inc, &b), 0);
	json_error_t err;
	json_t *o = json_loadb(b.data, b.len, 0, &err);
	if (!o)
		fail_msg("incident JSON does not parse: %s\n%s", err.text, b.data);
	assert_true(g->n < 64);
	g->inc[g->n++] = o;
	buf_free(&b);
}

static void got_free(struct got *g)
{
	for (size_t i = 0; i < g->n; i++)
		json_decref(g->inc[i]);
	g->n = 0;
}

static const char *jstr(json_t *o, const char *path)
{
	/* "a.b" walks objects */
	char key[64];
	while (o && strchr(path, '.')) {
		size_t l = (size_t)(strchr(path, '.') - path);
		snprintf(key, sizeof key, "%.*s", (int)l, path);
		o = json_object_get(o, key);
		path += l + 1;
	}
	return json_string_value(json_object_get(o, path));
}

static bool jarr_has(json_t *o, const char *key, const char *value)
{
	json_t *a = json_object_get(o, key), *v;
	size_t i;
	json_array_foreach(a, i, v) if (json_is_string(v) &&
					!strcmp(json_string_value(v), value)) return true;
	return false;
}

static bool has_why(json_t *inc, const char *kind)
{
	json_t *l, *w;
	size_t i, j;
	json_array_foreach(json_object_get(inc, "links"), i, l) json_array_foreach(
	    json_object_get(l, "why"), j,
	    w) if (!strcmp(json_string_value(json_object_get(w, "kind")), kind)) return true;
	return false;
}

static struct spec beacon(const char *time, uint64_t rec)
{
	return (struct spec){.detector = "ioc",
			     .rule_id = "ipv4",
			     .title = "Known ipv4 indicator 118.99.60.142",
			     .time = time,
			     .src = "10.20.1.23",
			     .dst = "118.99.60.142",
			     .ind_type = "ipv4",
			     .ind_value = "118.99.60.142",
			     .ind_field = "dst_ip",
			     .ind_label = "Operation Snowman",
			     .record = rec};
}

/* --- tests ------------------------------------------------------------------ */

static void test_beacon_is_one_bounded_incident(void **state)
{
	struct correlator *c;
	assert_int_equal(correlator_new(&c, NULL, NULL, NULL), 0);
	char t[64];
	for (int i = 0; i < 500; i++) {
		snprintf(t, sizeof t, "2025-03-01T%02d:%02d:00Z", 10 + i / 60, i % 60);
		struct spec s = beacon(t, (uint64_t)i);
		add(c, &s);
	}
	struct got g = {0};
	assert_int_equal(correlator_finish(c, collect, &g), 0);
	assert_int_equal(g.n, 1);
	json_t *inc = g.inc[0];
	assert_int_equal(json_integer_value(json_object_get(inc, "alert_count")), 500);
	assert_string_equal(jstr(inc, "kind"), "beacon");
	assert_true(jarr_has(inc, "tactics", "command-and-control"));
	assert_true(jarr_has(json_object_get(inc, "victim"), "hosts", "10.20.1.23"));
	/* only the first and last few ids, not 500 */
	assert_true(json_array_size(json_object_get(inc, "alerts")) <= 10);
	assert_true(has_why(inc, "shared_endpoint"));
	assert_true(has_why(inc, "opened"));
	assert_string_equal(jstr(inc, "first_seen"), "2025-03-01T10:00:00Z");
	assert_string_equal(jstr(inc, "attribution.verdict"), "unattributed");
	assert_non_null(strstr(jstr(inc, "story"), "500 alerts"));
	got_free(&g);
	correlator_free(c);
}

static void test_multistage_same_host_in_killchain_order(void **state)
{
	struct correlator *c;
	assert_int_equal(correlator_new(&c, NULL, NULL, NULL), 0);
	/* the beacon first (file order), the brute force before it in time */
	struct spec s = beacon("2025-03-02T09:00:00Z", 1);
	s.src = "10.0.0.5";
	add(c, &s);
	add(c, &(struct spec){.detector = "behavior",
			      .rule_id = "ssh-bruteforce",
			      .title = "SSH brute force then success",
			      .time = "2025-03-01T22:00:00Z",
			      .src = "185.220.101.5",
			      .dst = "10.0.0.5",
			      .user = "root",
			      .techniques = {"T1110.001"},
			      .evidence = "{\"country\":\"DE\",\"failures\":240}",
			      .source = &src_auth});
	/* another host with nothing in common: its own incident */
	add(c, &(struct spec){.rule_id = "enc-ps",
			      .title = "Encoded PowerShell",
			      .time = "2025-03-02T10:00:00Z",
			      .host = "ws-07",
			      .techniques = {"T1059.001"},
			      .source = &src_evtx});
	struct got g = {0};
	assert_int_equal(correlator_finish(c, collect, &g), 0);
	assert_int_equal(g.n, 2);
	json_t *inc = g.inc[0]; /* ordered by first_seen */
	assert_int_equal(json_integer_value(json_object_get(inc, "alert_count")), 2);
	json_t *tac = json_object_get(inc, "tactics");
	assert_int_equal(json_array_size(tac), 2);
	assert_string_equal(json_string_value(json_array_get(tac, 0)), "credential-access");
	assert_string_equal(json_string_value(json_array_get(tac, 1)), "command-and-control");
	assert_true(has_why(inc, "same_host"));
	assert_true(jarr_has(json_object_get(inc, "sources"), "countries", "DE"));
	assert_true(jarr_has(json_object_get(inc, "sources"), "ips", "185.220.101.5"));
	assert_string_equal(jstr(inc, "first_seen"), "2025-03-01T22:00:00Z");
	assert_string_equal(jstr(inc, "victim.org"), "unknown");
	assert_true(jarr_has(g.inc[1], "platforms", "windows"));
	got_free(&g);
	correlator_free(c);
}

static void test_window_splits(void **state)
{
	struct correlate_config cfg;
	correlate_config_default(&cfg);
	cfg.window = 3600ll * 1000000;
	struct correlator *c;
	assert_int_equal(correlator_new(&c, &cfg, NULL, NULL), 0);
	struct spec a = beacon("2025-03-01T10:00:00Z", 1), b = beacon("2025-03-01T10:30:00Z", 2),
		    d = beacon("2025-03-05T10:00:00Z", 3);
	add(c, &a);
	add(c, &b);
	add(c, &d);
	struct got g = {0};
	assert_int_equal(correlator_finish(c, collect, &g), 0);
	assert_int_equal(g.n, 2);
	/* the same victim and endpoint, days apart, in two incidents: their ids differ
	 * but they share evidence, so one campaign links them */
	assert_string_not_equal(jstr(g.inc[0], "id"), jstr(g.inc[1], "id"));
	assert_non_null(jstr(g.inc[0], "campaign"));
	assert_string_equal(jstr(g.inc[0], "campaign"), jstr(g.inc[1], "campaign"));
	got_free(&g);
	correlator_free(c);
}

static const char assets_csv[] = "kind,value,org,sector,country\n"
				 "cidr,10.1.0.0/16,Ministry of Examples,government,VN\n"
				 "cidr,10.2.0.0/16,Example University,education,VN\n"
				 "cidr,93.184.216.0/24,Example Soft,it,CN\n";

static const char cves_jsonl[] =
    "{\"type\":\"aptscope-kb\",\"version\":1}\n"
    "{\"type\":\"cve\",\"id\":\"CVE-2021-44228\",\"published\":\"2021-12-10T00:00:00Z\","
    "\"platforms\":[\"linux\"]}\n"
    "{\"type\":\"cve\",\"id\":\"CVE-2023-0001\",\"published\":\"2023-05-01T00:00:00Z\","
    "\"fixed\":\"2023-05-20T00:00:00Z\"}\n";

static struct kb *test_kb(void)
{
	struct kb *kb;
	assert_int_equal(kb_new(&kb), 0);
	assert_int_equal(kb_assets_load_mem(kb, "assets.csv", assets_csv, strlen(assets_csv), NULL),
			 0);
	struct kb_import_stats st = {0};
	assert_int_equal(kb_import_mem(kb, "cves.jsonl", cves_jsonl, strlen(cves_jsonl), NULL, &st),
			 0);
	return kb;
}

static void test_campaign_across_organisations(void **state)
{
	struct kb *kb = test_kb();
	struct correlator *c;
	assert_int_equal(correlator_new(&c, NULL, kb, NULL), 0);
	struct spec a = beacon("2025-04-01T08:00:00Z", 1), b = beacon("2025-04-01T09:00:00Z", 2);
	a.src = "10.1.3.4";
	b.src = "10.2.9.9";
	add(c, &a);
	add(c, &b);
	struct got g = {0};
	assert_int_equal(correlator_finish(c, collect, &g), 0);
	assert_int_equal(g.n, 2); /* one per victim organisation */
	assert_string_equal(jstr(g.inc[0], "victim.org"), "Ministry of Examples");
	assert_string_equal(jstr(g.inc[0], "victim.sector"), "government");
	assert_string_equal(jstr(g.inc[0], "victim.country"), "VN");
	assert_string_equal(jstr(g.inc[1], "victim.sector"), "education");
	assert_non_null(jstr(g.inc[0], "campaign"));
	assert_string_equal(jstr(g.inc[0], "campaign"), jstr(g.inc[1], "campaign"));
	struct correlate_stats st;
	correlator_stats(c, &st);
	assert_int_equal(st.campaigns, 1);
	got_free(&g);
	correlator_free(c);
	kb_free(kb);
}

static void test_cve_classes(void **state)
{
	struct kb *kb = test_kb();
	struct correlator *c;
	assert_int_equal(correlator_new(&c, NULL, kb, NULL), 0);
	/* three victims, the same rule: before, shortly after and long after disclosure */
	const char *times[] = {"2021-12-01T00:00:00Z", "2021-12-20T00:00:00Z",
			       "2022-06-01T00:00:00Z"};
	const char *dsts[] = {"10.1.0.10", "10.1.0.11", "10.1.0.12"};
	const char *srcs[] = {"45.155.205.233", "45.155.205.234", "45.155.205.235"};
	for (int i = 0; i < 3; i++)
		add(c, &(struct spec){.rule_id = "log4shell",
				      .title = "Log4Shell Exploitation Attempt",
				      .time = times[i],
				      .src = srcs[i],
				      .dst = dsts[i],
				      .techniques = {"T1190"},
				      .evidence = "{\"cves\":[\"CVE-2021-44228\"],\"tags\":["
						  "\"attack.initial-access\",\"cve.2021-44228\"]}",
				      .source = &src_web,
				      .record = (uint64_t)i,
				      .level = AL_CRITICAL});
	/* a fix date later than publication: exploitation before the fix is a 0-day */
	add(c, &(struct spec){.rule_id = "x",
			      .title = "Exploit of CVE_2023_0001",
			      .time = "2023-05-10T00:00:00Z",
			      .dst = "10.2.0.7",
			      .src = "45.155.205.1",
			      .techniques = {"T1190"},
			      .source = &src_web});
	struct got g = {0};
	assert_int_equal(correlator_finish(c, collect, &g), 0);
	/* different attackers, different victims: one incident each */
	assert_int_equal(g.n, 4);
	json_t *cv = json_array_get(json_object_get(g.inc[0], "cves"), 0);
	assert_string_equal(jstr(cv, "id"), "CVE-2021-44228");
	assert_string_equal(jstr(cv, "class"), "0day");
	assert_string_equal(jstr(json_array_get(json_object_get(g.inc[1], "cves"), 0), "class"),
			    "1day");
	assert_string_equal(jstr(json_array_get(json_object_get(g.inc[2], "cves"), 0), "class"),
			    "nday");
	assert_string_equal(jstr(cv, "published"), "2021-12-10T00:00:00Z");
	assert_string_equal(jstr(cv, "rule"), "Log4Shell Exploitation Attempt");
	assert_true(jarr_has(g.inc[0], "platforms", "linux"));
	assert_string_equal(jstr(g.inc[0], "kind"), "exploit");
	assert_true(jarr_has(g.inc[0], "tactics", "initial-access"));
	json_t *cv2 = json_array_get(json_object_get(g.inc[3], "cves"), 0);
	assert_string_equal(jstr(cv2, "id"), "CVE-2023-0001");
	assert_string_equal(jstr(cv2, "class"), "0day");
	got_free(&g);
	correlator_free(c);
	kb_free(kb);
}

static void test_vuln_classify_table(void **state)
{
	const int64_t D = 86400ll * 1000000, pub = 100 * D, fix = 110 * D, oneday = 30 * D;
	static const struct {
		int64_t seen, pub, fix;
		enum vuln_class want;
	} cases[] = {
	    {99 * D, 100 * D, AS_TIME_NONE, VC_0DAY},
	    {100 * D, 100 * D, AS_TIME_NONE, VC_1DAY},
	    {130 * D, 100 * D, AS_TIME_NONE, VC_1DAY},
	    {131 * D, 100 * D, AS_TIME_NONE, VC_NDAY},
	    {105 * D, 100 * D, 110 * D, VC_0DAY},
	    {139 * D, 100 * D, 110 * D, VC_1DAY},
	    {141 * D, 100 * D, 110 * D, VC_NDAY},
	    {5 * D, AS_TIME_NONE, AS_TIME_NONE, VC_UNKNOWN},
	    {AS_TIME_NONE, 100 * D, 110 * D, VC_UNKNOWN},
	};
	(void)pub;
	(void)fix;
	for (size_t i = 0; i < sizeof cases / sizeof cases[0]; i++)
		assert_int_equal(vuln_classify(cases[i].seen, cases[i].pub, cases[i].fix, oneday),
				 cases[i].want);
	assert_string_equal(vuln_class_name(VC_1DAY), "1day");
}

static void cve_cat(void *ctx, const char *cve)
{
	strcat(ctx, cve);
	strcat(ctx, " ");
}

static void test_cve_text(void **state)
{
	static const struct {
		const char *text, *want;
	} cases[] = {
	    {"Log4Shell (CVE-2021-44228)", "CVE-2021-44228 "},
	    {"tags: cve.2021-44228, cve.2019-19781", "CVE-2021-44228 CVE-2019-19781 "},
	    {"ET EXPLOIT CVE_2022_26134 Confluence", "CVE-2022-26134 "},
	    {"NOTCVE-2021-44228 cve-21-1 CVE-2021-12", ""},
	    {"CVE-2024-123456789", ""},
	    {"cve-2024-1234", "CVE-2024-1234 "},
	    {"", ""},
	};
	for (size_t i = 0; i < sizeof cases / sizeof cases[0]; i++) {
		char out[256] = "";
		vuln_cves_in_text(slice_cstr(cases[i].text), cve_cat, out);
		assert_string_equal(out, cases[i].want);
	}
}

static void test_killchain(void **state)
{
	assert_int_equal(killchain_parse("attack.initial_access"), KC_INITIAL_ACCESS);
	assert_int_equal(killchain_parse("command-and-control"), KC_COMMAND_AND_CONTROL);
	assert_int_equal(killchain_parse("attack.t1059"), -1);
	assert_int_equal(killchain_of_technique(NULL, "T1059.001"), 1u << KC_EXECUTION);
	assert_int_equal(killchain_of_technique(NULL, "T1190"), 1u << KC_INITIAL_ACCESS);
	assert_int_equal(killchain_of_technique(NULL, "T9999"), 0);
	assert_int_equal(killchain_of_technique(NULL, "T10"), 0);
	assert_int_equal(killchain_severity(1u << KC_INITIAL_ACCESS, AL_LOW), AL_MEDIUM);
	assert_int_equal(killchain_severity(1u << KC_INITIAL_ACCESS, AL_CRITICAL), AL_HIGH);
	assert_int_equal(killchain_severity(1u << KC_EXFILTRATION, AL_LOW), AL_CRITICAL);
	assert_int_equal(killchain_severity(0, AL_INFORMATIONAL), AL_LOW);
}

static void test_supply_chain_and_process_chain(void **state)
{
	struct correlator *c;
	assert_int_equal(correlator_new(&c, NULL, NULL, NULL), 0);
	add(c, &(struct spec){.rule_id = "updater-shell",
			      .title = "Software Updater Starts a Shell",
			      .time = "2025-02-01T03:00:00Z",
			      .host = "FIN-PC-12",
			      .techniques = {"T1195.002", "T1059"},
			      .evidence = "{\"matched\":{\"ParentImage\":\"C:\\\\Program "
					  "Files\\\\Acme\\\\AcmeUpdater.exe\","
					  "\"Image\":\"C:\\\\Windows\\\\System32\\\\cmd.exe\"}}",
			      .source = &src_evtx});
	add(c, &(struct spec){
		   .rule_id = "lolbin",
		   .title = "LOLBin Download",
		   .time = "2025-02-01T03:01:00Z",
		   .host = "fin-pc-12",
		   .techniques = {"T1105"},
		   .evidence =
		       "{\"matched\":{\"ParentImage\":\"C:\\\\Windows\\\\System32\\\\cmd.exe\","
		       "\"Image\":\"C:\\\\Windows\\\\System32\\\\certutil.exe\"}}",
		   .source = &src_evtx});
	struct got g = {0};
	assert_int_equal(correlator_finish(c, collect, &g), 0);
	assert_int_equal(g.n, 1);
	assert_string_equal(jstr(g.inc[0], "kind"), "supply_chain");
	assert_string_equal(jstr(g.inc[0], "supply_chain.vendor"), "AcmeUpdater.exe");
	assert_non_null(strstr(jstr(g.inc[0], "supply_chain.channel"), "updater"));
	assert_true(has_why(g.inc[0], "process_chain"));
	assert_true(jarr_has(g.inc[0], "platforms", "windows"));
	got_free(&g);
	correlator_free(c);
}

static void test_lateral_movement(void **state)
{
	struct correlator *c;
	assert_int_equal(correlator_new(&c, NULL, NULL, NULL), 0);
	struct spec s = beacon("2025-03-01T10:00:00Z", 1);
	s.src = "10.0.0.5";
	add(c, &s);
	/* host B logs a remote logon from the beaconing host */
	add(c, &(struct spec){.detector = "sigma",
			      .rule_id = "psexec",
			      .title = "Remote Service Installation",
			      .time = "2025-03-01T12:00:00Z",
			      .host = "dc-01",
			      .src = "10.0.0.5",
			      .techniques = {"T1021.002"},
			      .source = &src_evtx});
	struct got g = {0};
	assert_int_equal(correlator_finish(c, collect, &g), 0);
	assert_int_equal(g.n, 1);
	assert_true(has_why(g.inc[0], "lateral_movement"));
	assert_true(jarr_has(g.inc[0], "tactics", "lateral-movement"));
	got_free(&g);
	correlator_free(c);
}

static void test_store_roundtrip_and_resume(void **state)
{
	char path[] = "/tmp/test_correlate_XXXXXX";
	int fd = mkstemp(path);
	assert_true(fd >= 0);
	close(fd);
	unlink(path);
	struct store *s;
	assert_int_equal(store_open(&s, path, NULL), 0);
	struct correlator *c;
	assert_int_equal(correlator_new(&c, NULL, NULL, s), 0);
	struct spec a = beacon("2025-03-01T10:00:00Z", 1), b = beacon("2025-03-01T11:00:00Z", 2);
	add(c, &a);
	add(c, &b);
	struct got g = {0};
	assert_int_equal(correlator_finish(c, collect, &g), 0);
	assert_int_equal(g.n, 1);
	char id[64];
	snprintf(id, sizeof id, "%s", jstr(g.inc[0], "id"));
	got_free(&g);
	correlator_free(c);

	/* a later run: the same alerts again and one new → the same incident, 3 alerts */
	assert_int_equal(correlator_new(&c, NULL, NULL, s), 0);
	struct correlate_stats st;
	correlator_stats(c, &st);
	assert_int_equal(st.resumed, 1);
	struct spec d = beacon("2025-03-01T12:00:00Z", 3);
	add(c, &a);
	add(c, &b);
	add(c, &d);
	assert_int_equal(correlator_finish(c, collect, &g), 0);
	assert_int_equal(g.n, 1);
	assert_string_equal(jstr(g.inc[0], "id"), id);
	assert_int_equal(json_integer_value(json_object_get(g.inc[0], "alert_count")), 3);
	assert_string_equal(jstr(g.inc[0], "last_seen"), "2025-03-01T12:00:00Z");
	got_free(&g);
	correlator_free(c);

	/* listings */
	FILE *out = tmpfile();
	assert_int_equal(incident_store_list(s, AS_TIME_NONE, true, out), 0);
	assert_int_equal(incident_store_show(s, id, false, out), 0);
	assert_int_equal(incident_store_show(s, "inc-nope", false, out), AS_ENOTFOUND);
	rewind(out);
	char line[8192];
	int rows = 0;
	while (fgets(line, sizeof line, out))
		rows += strstr(line, "\"type\":\"incident\"") != NULL;
	assert_int_equal(rows, 1);
	fclose(out);
	store_close(s);
	unlink(path);
}

/* The files the alerts name, with their hashes, are kept (YARA's fields and
 * Sysmon's "Hashes"), written as "files" and read back by a later run. */
static void test_files_and_hashes(void **state)
{
	char path[] = "/tmp/test_correlate_XXXXXX";
	int fd = mkstemp(path);
	assert_true(fd >= 0);
	close(fd);
	unlink(path);
	struct store *s;
	assert_int_equal(store_open(&s, path, NULL), 0);
	struct correlator *c;
	assert_int_equal(correlator_new(&c, NULL, NULL, s), 0);
	static const char sha[] =
	    "aaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaa";
	struct spec y = {.detector = "yara",
			 .rule_id = "NewLoader",
			 .time = "2025-03-01T10:00:00Z",
			 .host = "ws1",
			 .evidence =
			     "{\"file\":\"/mnt/c/Users/x/loader.dll\",\"md5\":"
			     "\"0123456789ABCDEF0123456789abcdef\",\"sha256\":\""
			     "aaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaa\","
			     "\"ssdeep\":\"96:abcdefghij:abcdefg\",\"malware\":[\"NewLoader\"]}"},
		    m = {.time = "2025-03-01T10:05:00Z",
			 .host = "ws1",
			 .rule_id = "r2",
			 .evidence = "{\"matched\":{\"Image\":\"C:\\\\t\\\\mimi|katz.exe\","
				     "\"Hashes\":\"SHA1=0000000000000000000000000000000000000001,"
				     "MD5=00000000000000000000000000000002,IMPHASH="
				     "00000000000000000000000000000003\"}}"};
	add(c, &y);
	add(c, &m);
	struct got g = {0};
	assert_int_equal(correlator_finish(c, collect, &g), 0);
	assert_int_equal(g.n, 1);
	json_t *files = json_object_get(g.inc[0], "files");
	assert_int_equal(json_array_size(files), 2);
	json_t *f0 = json_array_get(files, 0), *f1 = json_array_get(files, 1);
	assert_string_equal(jstr(f0, "sha256"), sha);
	assert_string_equal(jstr(f0, "md5"), "0123456789abcdef0123456789abcdef");
	assert_string_equal(jstr(f0, "ssdeep"), "96:abcdefghij:abcdefg");
	assert_string_equal(jstr(f0, "name"), "loader.dll");
	assert_true(jarr_has(f0, "software", "NewLoader"));
	assert_string_equal(jstr(f1, "sha1"), "0000000000000000000000000000000000000001");
	assert_string_equal(jstr(f1, "md5"), "00000000000000000000000000000002");
	assert_null(jstr(f1, "sha256"));
	assert_string_equal(jstr(f1, "name"), "mimi_katz.exe");
	got_free(&g);
	correlator_free(c);
	/* taken up again: the records survive the store */
	assert_int_equal(correlator_new(&c, NULL, NULL, s), 0);
	struct spec later = y;
	later.time = "2025-03-01T11:00:00Z";
	later.record = 9;
	add(c, &later);
	assert_int_equal(correlator_finish(c, collect, &g), 0);
	assert_int_equal(g.n, 1);
	assert_int_equal(json_array_size(json_object_get(g.inc[0], "files")), 2);
	got_free(&g);
	correlator_free(c);
	store_close(s);
	unlink(path);
}

/* Evidence that breaks off after some fields gives none of them: the same
 * alert with it whole names the updater as the vendor, with it cut short
 * names no supply channel. */
static void test_broken_evidence_gives_nothing(void **state)
{
	static const char whole[] =
	    "{\"matched\":{\"ParentImage\":\"C:\\\\Acme\\\\AcmeUpdater.exe\","
	    "\"Image\":\"C:\\\\Windows\\\\System32\\\\cmd.exe\","
	    "\"country\":\"DE\"}}";
	for (int cut = 0; cut < 2; cut++) {
		struct correlator *c;
		assert_int_equal(correlator_new(&c, NULL, NULL, NULL), 0);
		char ev[sizeof whole];
		snprintf(ev, sizeof ev, "%.*s", (int)(cut ? sizeof whole - 3 : sizeof whole - 1),
			 whole);
		add(c, &(struct spec){.rule_id = "updater-shell",
				      .title = "Software Updater Starts a Shell",
				      .time = "2025-02-01T03:00:00Z",
				      .host = "FIN-PC-12",
				      .techniques = {"T1059"},
				      .evidence = ev,
				      .source = &src_evtx});
		struct got g = {0};
		assert_int_equal(correlator_finish(c, collect, &g), 0);
		assert_int_equal(g.n, 1);
		char *dump = json_dumps(g.inc[0], 0);
		assert_non_null(dump);
		if (cut) {
			assert_null(strstr(dump, "AcmeUpdater"));
			assert_null(strstr(dump, "cmd.exe"));
		} else {
			assert_non_null(strstr(dump, "cmd.exe"));
		}
		free(dump);
		got_free(&g);
		correlator_free(c);
	}
}

static void test_hostile_input(void **state)
{
	struct correlator *c;
	assert_int_equal(correlator_new(&c, NULL, NULL, NULL), 0);
	assert_int_equal(correlator_add(c, NULL), AS_EINVAL);
	assert_int_equal(correlator_add(NULL, NULL), AS_EINVAL);
	/* no time, no host, no address, broken evidence, deep nesting */
	struct alert *a = alert_new("sigma");
	a->evidence = alert_strdup(a, SLICE_LIT("{\"cves\":[\"CVE-2021-44228\""));
	assert_int_equal(correlator_add(c, a), 0);
	alert_free(a);
	char deep[4096] = "";
	for (int i = 0; i < 1000; i++)
		strcat(deep, "[");
	a = alert_new("behavior");
	a->evidence = alert_strdup(a, slice_cstr(deep));
	a->rule_title = alert_strdup(a, SLICE_LIT("CVE-"));
	assert_int_equal(correlator_add(c, a), 0);
	alert_free(a);
	/* hundreds of distinct indicators on one victim: sets stay bounded */
	char v[64];
	for (int i = 0; i < 300; i++) {
		struct spec s = beacon("2025-03-01T10:00:00Z", (uint64_t)i);
		snprintf(v, sizeof v, "198.18.%d.%d", i / 200, i % 200);
		s.dst = v;
		s.ind_value = v;
		add(c, &s);
	}
	struct got g = {0};
	assert_int_equal(correlator_finish(c, collect, &g), 0);
	assert_true(g.n >= 1);
	for (size_t i = 0; i < g.n; i++)
		assert_true(json_array_size(json_object_get(g.inc[i], "indicators")) <= 64);
	got_free(&g);
	correlator_free(c);
	correlator_free(NULL);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
	    cmocka_unit_test(test_beacon_is_one_bounded_incident),
	    cmocka_unit_test(test_multistage_same_host_in_killchain_order),
	    cmocka_unit_test(test_window_splits),
	    cmocka_unit_test(test_campaign_across_organisations),
	    cmocka_unit_test(test_cve_classes),
	    cmocka_unit_test(test_vuln_classify_table),
	    cmocka_unit_test(test_cve_text),
	    cmocka_unit_test(test_killchain),
	    cmocka_unit_test(test_supply_chain_and_process_chain),
	    cmocka_unit_test(test_lateral_movement),
	    cmocka_unit_test(test_store_roundtrip_and_resume),
	    cmocka_unit_test(test_files_and_hashes),
	    cmocka_unit_test(test_broken_evidence_gives_nothing),
	    cmocka_unit_test(test_hostile_input),
	};
	return cmocka_run_group_tests(tests, NULL, NULL);
}
