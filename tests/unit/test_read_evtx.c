/*
 * test_read_evtx.c — the EVTX reader, the Windows event XML parser and the
 * canonical mapping of Windows events (winevent.c).
 *
 * Fixtures in tests/data/windows/ are EVTX files from EVTX-ATTACK-SAMPLES
 * (see the README there), compressed copies and damaged copies: every file is read through
 * the reader driver with the format detected from content, the event and
 * error counts are checked, and chosen events are checked against a table
 * of "name=value" pairs joined by '|' (a canonical field by its JSON name,
 * kind, outcome, time, src_ip, dst_ip, user_invalid, record; "f.Name" for
 * a native field; "!name" for a field that must be absent).
 *
 * The XML parser and the mapping have their own tables of single events.
 * With APTSCOPE_SHARED pointing at the shared corpora, every file of
 * evtx-attack-samples is read and summarised (skipped when absent).
 */
#include "core/error.h"
#include "read/walk.h"
#include "read/winevent.h"
#include "read_test.h"

extern const struct format format_evtx;

static const char *data_path(const char *name)
{
	return test_data_path("windows", name);
}

/* Every event of one file, copied so that it outlives its batch. */
static void read_path(const char *path, const struct format *force, bool fields, struct read_run *g)
{
	struct read_opts ro = {.fields = fields};
	read_run(g, path, force, &ro, read_run_keep, g);
}

/* ---- probe ---- */

static void test_probe(void **state)
{
	static const struct {
		const char *bytes;
		size_t len;
		int want;
	} cases[] = {
	    {"ElfFile\0\0\0\0\0\0\0\0\0", 16, 100},
	    {"ElfFile\0", 8, 100},
	    {"ElfFile", 7, 0},
	    {"ElfChnk\0", 8, 0},
	    {"{\"Event\":{}}", 12, 0},
	    {"", 0, 0},
	};
	for (size_t i = 0; i < sizeof cases / sizeof cases[0]; i++)
		assert_int_equal(format_evtx.probe(slice_make(cases[i].bytes, cases[i].len)),
				 cases[i].want);
	/* detection picks evtx from content */
	int conf = 0;
	assert_ptr_equal(format_detect(slice_make("ElfFile\0xxxxxxxx", 16), &conf), &format_evtx);
	assert_int_equal(conf, 100);
}

/* ---- fixture files ---- */

static const struct {
	const char *file;
	size_t events;
	uint64_t errors;
	const char *diag; /* text every diagnostic list must contain, or NULL */
} files[] = {
    {"pass_security_4624_4625.evtx", 4, 0, NULL},
    {"pass_security_4771_spray.evtx", 12, 0, NULL},
    /* its free space holds a fragment of an older record: not an event */
    {"pass_sysmon_1_3_11.evtx", 8, 0, NULL},
    /* 4 allocated records; the 40 deleted ones in its free space are not
     * events unless APTSCOPE_EVTX_RECOVER asks for them (test_recover) */
    {"pass_recovered.evtx", 4, 0, NULL},
    /* record 3 scrambled: skipped and named, its chunk's CRC32 reported,
     * the 7 others read */
    {"fail_corrupt_record.evtx", 7, 2,
     "evtx chunk 0 record 3 (chunk offset 6704): BinXML: value data cut short"},
    /* the same file cut 20000 bytes into its chunk: the 8 records fit, the
     * scrambled one is named, the cut is reported */
    {"fail_truncated_chunk.evtx", 7, 2,
     "evtx chunk 0: the file ends after 20000 of its 65536 bytes"},
    /* compressed copies are inflated into memory first */
    {"pass_sysmon_1_3_11.evtx.gz", 8, 0, NULL},
    {"pass_security_4624_4625.evtx.zst", 4, 0, NULL},
    /* a gzip stream cut short: the 3 records it holds are read, the record
     * cut in two and the cut are reported */
    {"fail_cut.evtx.gz", 3, 3,
     "record at chunk offset 8512 (1688 bytes) goes past the file's end at 9789"},
};

static const struct {
	const char *file;
	size_t index; /* 0-based among the events of the file */
	const char *want;
} expects[] = {
    {"pass_security_4624_4625.evtx", 0,
     "kind=auth|outcome=failure|user_invalid=0|event_id=4625|user=IEUser|host=MSEDGEWIN10|"
     "auth_method=interactive|src_host=MSEDGEWIN10|time=2020-09-09T13:18:23.627952Z|"
     "f.EventID=4625|f.Channel=Security|f.Provider_Name=Microsoft-Windows-Security-Auditing|"
     "f.LogonType=2|f.Status=0xc000006d|f.SubStatus=0xc000006a|f.TargetUserName=IEUser"},
    {"pass_security_4624_4625.evtx", 1,
     "kind=auth|outcome=success|event_id=4624|user=SYSTEM|auth_method=service|!src_ip|"
     "f.SubjectLogonId=0x3e7|f.TargetLogonId=0x3e7|f.Keywords=0x8020000000000000"},
    {"pass_security_4771_spray.evtx", 0,
     "kind=other|event_id=1102|f.Channel=Security|f.SubjectUserName=a-jbrown"},
    {"pass_security_4771_spray.evtx", 1,
     "kind=auth|outcome=failure|user_invalid=1|event_id=4768|user=HD01|src_ip=172.16.66.1|"
     "src_port=55961|auth_method=kerberos|f.IpAddress=172.16.66.1|f.Status=0x6"},
    {"pass_security_4771_spray.evtx", 8,
     "kind=auth|outcome=failure|user_invalid=0|event_id=4771|user=Administrator|"
     "src_ip=172.16.66.1|src_port=55967"},
    {"pass_security_4771_spray.evtx", 10, "kind=auth|outcome=success|event_id=4768|user=normal"},
    {"pass_sysmon_1_3_11.evtx", 0,
     "kind=process|event_id=1|pid=1532|host=IEWIN7|user=IEWIN7\\IEUser|"
     "process=C:\\Windows\\System32\\cmd.exe|parent_process=C:\\Windows\\System32\\cmd.exe|"
     "sha1=EE8CBF12D87C4D388F09B4F69BED2E91682920B5|md5=AD7B9C14083B52BC532FBA5948342B98|"
     "sha256=17F746D82695FA9B35493B41859D39D786D32B23A9D2E00F4011DEC7A02402AE|"
     "time=2019-05-21T15:32:57.286254Z|record=1|"
     "f.Channel=Microsoft-Windows-Sysmon/Operational|f.EventID=1|f.EventRecordID=4125|"
     "f.TimeCreated=2019-05-21T15:32:57.286254600Z|f.Execution_ProcessID=3416|"
     "f.Execution_ThreadID=3496|f.Security_UserID=S-1-5-18|f.Version=5|f.Level=4|f.Task=1|"
     "f.Opcode=0|f.Keywords=0x8000000000000000|"
     "f.Provider_Guid={5770385F-C22A-43E0-BF4C-06F5698FFBD9}|f.RuleName=|"
     "f.IntegrityLevel=High|f.Image=C:\\Windows\\System32\\cmd.exe|!f.Correlation"},
    {"pass_sysmon_1_3_11.evtx", 3,
     "kind=network|event_id=3|src_ip=10.0.2.15|src_port=49703|dst_ip=108.179.232.58|"
     "dst_port=443|proto=tcp|domain=gator4243.hostgator.com|process=C:\\Windows\\System32\\"
     "mshta.exe|f.Initiated=true|f.DestinationPortName=https"},
    {"pass_sysmon_1_3_11.evtx", 5,
     "kind=file|event_id=11|file_path=C:\\Windows\\System32\\Tasks\\MSOFFICE_|"
     "process=C:\\Windows\\system32\\svchost.exe"},
    {"pass_recovered.evtx", 0, "event_id=13|!f.Recovered"},
    {"pass_recovered.evtx", 2,
     "kind=process|event_id=1|command_line=cmd.exe /c echo msdhch > \\\\.\\pipe\\msdhch|"
     "!f.Recovered"},
    {"pass_recovered.evtx", 3, "event_id=13|f.EventRecordID=8576|!f.Recovered"},
    {"pass_sysmon_1_3_11.evtx.gz", 3, "kind=network|dst_ip=108.179.232.58|dst_port=443"},
    {"pass_security_4624_4625.evtx.zst", 0, "kind=auth|outcome=failure|user=IEUser"},
    {"fail_corrupt_record.evtx", 1, "kind=process|event_id=1|pid=2920|record=2"},
    {"fail_corrupt_record.evtx", 2, "kind=network|event_id=3|record=4"},
    {"fail_truncated_chunk.evtx", 6, "event_id=3|record=8|f.EventRecordID=4132"},
    {"fail_cut.evtx.gz", 2, "event_id=1|record=3|f.EventRecordID=4127"},
};

static void test_fixture_files(void **state)
{
	for (size_t i = 0; i < sizeof files / sizeof files[0]; i++) {
		for (int fields = 1; fields >= 0; fields--) {
			struct read_run g;
			read_path(data_path(files[i].file), NULL, fields, &g);
			if (g.open_rc)
				fail_msg("%s: %s", files[i].file, g.open_msg);
			assert_ptr_equal(g.fmt, &format_evtx);
			if (g.n != files[i].events || g.st.errors != files[i].errors)
				fail_msg("%s: %zu events, %llu errors; want %zu, %llu\n%s",
					 files[i].file, g.n, (unsigned long long)g.st.errors,
					 files[i].events, (unsigned long long)files[i].errors,
					 g.diags);
			if (files[i].diag && !strstr(g.diags, files[i].diag))
				fail_msg("%s: diagnostics lack '%s':\n%s", files[i].file,
					 files[i].diag, g.diags);
			for (size_t k = 0; k < sizeof expects / sizeof expects[0]; k++) {
				if (strcmp(expects[k].file, files[i].file) != 0)
					continue;
				assert_true(expects[k].index < g.n);
				const struct event *ev = &g.ev[expects[k].index];
				char what[160];
				snprintf(what, sizeof what, "%s[%zu] fields=%d", files[i].file,
					 expects[k].index, fields);
				if (fields) {
					check_event(ev, expects[k].want, what);
				} else {
					/* canonical fields do not depend on native ones */
					assert_int_equal(ev->nfields, 0);
					char spec[4096], *save = NULL, keep[4096] = "";
					snprintf(spec, sizeof spec, "%s", expects[k].want);
					for (char *t = strtok_r(spec, "|", &save); t;
					     t = strtok_r(NULL, "|", &save))
						if (strncmp(t, "f.", 2) && strncmp(t, "!f.", 3)) {
							strcat(keep, t);
							strcat(keep, "|");
						}
					check_event(ev, keep, what);
				}
			}
			for (size_t k = 0; k < g.n; k++) {
				assert_true(g.ev[k].raw.len > 0);
				assert_true(event_has_num(&g.ev[k], EN_EVENT_ID));
			}
			read_run_free(&g);
		}
	}
}

/* ---- free space and damaged chunks, on copies of a fixture ---- */

/* The fixture's bytes changed by edit, written to a file of the test's own. */
static const char *edited_copy(const char *name, void (*edit)(uint8_t *file, size_t len),
			       const char *out)
{
	size_t len = 0;
	uint8_t *buf = (uint8_t *)slurp(data_path(name), &len);
	assert_non_null(buf);
	edit(buf, len);
	FILE *f = fopen(out, "wb");
	assert_non_null(f);
	assert_int_equal(fwrite(buf, 1, len, f), len);
	fclose(f);
	free(buf);
	return out;
}

static uint32_t le32(const uint8_t *p)
{
	return (uint32_t)p[0] | (uint32_t)p[1] << 8 | (uint32_t)p[2] << 16 | (uint32_t)p[3] << 24;
}

/* Record 2 of the chunk copied into its free space, as a deleted record's
 * copy would sit there. */
static void copy_into_free_space(uint8_t *file, size_t len)
{
	uint8_t *c = file + 4096;
	assert_true(len >= 4096 + 65536);
	uint32_t free_off = le32(c + 48);
	uint32_t r2 = 512 + le32(c + 512 + 4), size = le32(c + r2 + 4);
	assert_true(free_off + size <= 65536);
	memcpy(c + free_off, c + r2, size);
}

static void zap_chunk_signature(uint8_t *file, size_t len)
{
	assert_true(len > 4096 + 8);
	memcpy(file + 4096, "ElfXXXX", 8);
}

static void test_recover(void **state)
{
	setenv("APTSCOPE_EVTX_RECOVER", "1", 1);
	/* the 40 deleted records of the free space, after the 4 allocated */
	struct read_run g;
	read_path(data_path("pass_recovered.evtx"), NULL, true, &g);
	assert_int_equal(g.n, 44);
	assert_int_equal(g.st.errors, 0);
	for (size_t i = 0; i < g.n; i++) {
		bool rec = event_field_find(&g.ev[i], SLICE_LIT("Recovered")) != NULL;
		assert_int_equal(rec, i >= 4);
		char id[32], other[32];
		assert_true(field_text(&g.ev[i], "f.EventRecordID", id, sizeof id));
		for (size_t k = 0; k < i; k++) {
			assert_true(field_text(&g.ev[k], "f.EventRecordID", other, sizeof other));
			assert_string_not_equal(id, other);
		}
	}
	check_event(&g.ev[4], "event_id=10|f.Recovered=true|host=IEWIN7|f.EventRecordID=8533",
		    "recovered[4]");
	check_event(&g.ev[43], "event_id=10|f.Recovered=true", "recovered[43]");
	read_run_free(&g);

	/* a copy of an allocated record in free space is not an event twice */
	const char *dup =
	    edited_copy("pass_sysmon_1_3_11.evtx", copy_into_free_space, "test_read_evtx_dup.evtx");
	read_path(dup, NULL, true, &g);
	assert_int_equal(g.n, 8);
	assert_non_null(strstr(g.diags, "1 copies of records already read left out"));
	read_run_free(&g);
	unsetenv("APTSCOPE_EVTX_RECOVER");
	read_path(dup, NULL, true, &g);
	assert_int_equal(g.n, 8);
	assert_int_equal(g.st.errors, 0);
	read_run_free(&g);

	/* a chunk without its signature: skipped and named; its records carved
	 * when asked for */
	const char *bad = edited_copy("pass_sysmon_1_3_11.evtx", zap_chunk_signature,
				      "test_read_evtx_badchunk.evtx");
	read_path(bad, NULL, true, &g);
	assert_int_equal(g.n, 0);
	assert_int_equal(g.st.errors, 1);
	assert_non_null(strstr(g.diags, "evtx chunk 0 (file offset 4096): no chunk signature; "
					"its records are skipped"));
	read_run_free(&g);
	setenv("APTSCOPE_EVTX_RECOVER", "1", 1);
	read_path(bad, NULL, true, &g);
	assert_int_equal(g.n, 8);
	for (size_t i = 0; i < g.n; i++)
		check_event(&g.ev[i], "f.Recovered=true", "carved from a damaged chunk");
	check_event(&g.ev[3], "kind=network|event_id=3|dst_ip=108.179.232.58", "carved[3]");
	read_run_free(&g);
	unsetenv("APTSCOPE_EVTX_RECOVER");
	remove(dup);
	remove(bad);
}

static void test_not_evtx(void **state)
{
	struct read_run g;
	/* a JSON file forced through the EVTX reader: the file is refused, not a crash */
	read_path(data_path("pass_sysmon_linux.log"), &format_evtx, true, &g);
	assert_int_equal(g.open_rc, AS_EFORMAT);
	assert_non_null(strstr(g.open_msg, "evtx: cannot open"));
	read_run_free(&g);
	/* a file header cut short */
	size_t len = 0;
	char *buf = slurp(data_path("pass_sysmon_1_3_11.evtx"), &len);
	assert_non_null(buf);
	FILE *f = fopen("test_read_evtx_short.evtx", "wb");
	assert_non_null(f);
	fwrite(buf, 1, 1000, f);
	fclose(f);
	free(buf);
	read_path("test_read_evtx_short.evtx", NULL, true, &g);
	assert_int_equal(g.open_rc, AS_EFORMAT);
	assert_non_null(strstr(g.open_msg, "file header is cut short (1000 of 4096 bytes)"));
	read_run_free(&g);
	remove("test_read_evtx_short.evtx");
}

/* ---- the XML parser and the mapping, one event at a time ---- */

#define SYS(prov, chan, id)                                                                        \
	"<Event xmlns=\"http://schemas.microsoft.com/win/2004/08/events/event\"><System>"          \
	"<Provider Name=\"" prov "\"/><EventID Qualifiers=\"16384\">" id "</EventID>"              \
	"<TimeCreated SystemTime=\"2024-03-01T12:00:00.1234567Z\"/><Correlation/>"                 \
	"<Channel>" chan "</Channel><Computer>WS01.corp.example</Computer></System>"
#define SEC(id)    SYS("Microsoft-Windows-Security-Auditing", "Security", id)
#define SYSMON(id) SYS("Microsoft-Windows-Sysmon", "Microsoft-Windows-Sysmon/Operational", id)
#define D(n, v)    "<Data Name=\"" n "\">" v "</Data>"

static const struct {
	const char *xml;
	int rc;
	const char *want;
} xml_cases[] = {
    /* System names, qualifiers, time with 100 ns digits */
    {SEC("4688") "<EventData>" D("NewProcessName", "C:\\Windows\\System32\\whoami.exe")
	 D("NewProcessId", "0x1a2b") D("CommandLine", "whoami /all") D("SubjectUserName", "alice")
	     D("TargetUserName", "-") D("ParentProcessName", "C:\\Windows\\explorer.exe")
		 D("ProcessId", "0x10") "</EventData></Event>",
     0,
     "kind=process|event_id=4688|pid=6699|process=C:\\Windows\\System32\\whoami.exe|"
     "command_line=whoami /all|user=alice|parent_process=C:\\Windows\\explorer.exe|"
     "host=WS01.corp.example|time=2024-03-01T12:00:00.123456Z|f.EventID=4688|"
     "f.EventID_Qualifiers=16384|f.Channel=Security|f.TimeCreated=2024-03-01T12:00:00.1234567Z"},
    /* 4625 for an account that does not exist, from a remote address */
    {SEC("4625") "<EventData>" D("TargetUserName", "nosuchuser") D("Status", "0xc000006d")
	 D("SubStatus", "0xC0000064") D("LogonType", "3") D("IpAddress", "203.0.113.9")
	     D("IpPort", "51515") D("WorkstationName", "KALI")
		 D("AuthenticationPackageName", "NTLM") "</EventData></Event>",
     0,
     "kind=auth|outcome=failure|user_invalid=1|user=nosuchuser|src_ip=203.0.113.9|"
     "src_port=51515|src_host=KALI|auth_method=network"},
    /* 4625 with a wrong password; IpAddress "-", IpPort "-" */
    {SEC("4625") "<EventData>" D("TargetUserName", "bob") D("Status", "0xc000006d")
	 D("SubStatus", "0xc000006a") D("IpAddress", "-") D("IpPort", "-")
	     D("WorkstationName", "-") "</EventData></Event>",
     0, "kind=auth|outcome=failure|user_invalid=0|user=bob|!src_ip|!src_port|!src_host"},
    /* 4624 RDP from loopback */
    {SEC("4624") "<EventData>" D("TargetUserName", "admin") D("LogonType", "10")
	 D("IpAddress", "::1") D("IpPort", "0") "</EventData></Event>",
     0,
     "kind=auth|outcome=success|src_ip=::1|!src_port|auth_method=remote_interactive|"
     "service=rdp"},
    /* 4648 explicit credentials */
    {SEC("4648") "<EventData>" D("SubjectUserName", "alice") D("TargetUserName", "admin")
	 D("TargetServerName", "dc01.corp.example") D("IpAddress", "10.0.0.5")
	     D("IpPort", "445") "</EventData></Event>",
     0,
     "kind=auth|outcome=success|user=admin|dst_host=dc01.corp.example|src_ip=10.0.0.5|"
     "src_port=445"},
    /* 4776 NTLM validation: unknown account, then success */
    {SEC("4776") "<EventData>" D("PackageName", "MICROSOFT_AUTHENTICATION_PACKAGE_V1_0")
	 D("TargetUserName", "ghost") D("Workstation", "WS99")
	     D("Status", "0xc0000064") "</EventData></Event>",
     0, "kind=auth|outcome=failure|user_invalid=1|user=ghost|src_host=WS99|auth_method=ntlm"},
    {SEC("4776") "<EventData>" D("TargetUserName", "bob") D("Status", "0x0") "</EventData></Event>",
     0, "kind=auth|outcome=success|user_invalid=0"},
    /* 4740 lock-out: the caller computer is in TargetDomainName */
    {SEC("4740") "<EventData>" D("TargetUserName", "bob") D("TargetDomainName", "WS07")
	 D("SubjectUserName", "DC01$") "</EventData></Event>",
     0, "kind=auth|outcome=failure|user=bob|src_host=WS07"},
    /* Sysmon DNS, file, stream hash */
    {SYSMON("22") "<EventData>" D("QueryName", "c2.bad.example")
	 D("QueryResults", "type:  5 x;::ffff:1.2.3.4;")
	     D("Image", "C:\\Tools\\beacon.exe") "</EventData></Event>",
     0, "kind=dns|domain=c2.bad.example|process=C:\\Tools\\beacon.exe"},
    {SYSMON("15") "<EventData>" D("TargetFilename", "C:\\Users\\a\\Downloads\\x.exe:Zone."
						    "Identifier")
	 D("Hash", "MD5=0123456789ABCDEF0123456789ABCDEF,IMPHASH=00") "</EventData></Event>",
     0,
     "kind=file|file_path=C:\\Users\\a\\Downloads\\x.exe:Zone.Identifier|"
     "md5=0123456789ABCDEF0123456789ABCDEF|!sha1"},
    {SYSMON("26") "<EventData>" D("TargetFilename", "C:\\x.dll") "</EventData></Event>", 0,
     "kind=file|file_path=C:\\x.dll"},
    /* Sysmon network with DestinationHostname "-" */
    {SYSMON("3") "<EventData>" D("Protocol", "udp") D("SourceIp", "fe80::1") D("SourcePort", "5353")
	 D("DestinationIp", "ff02::fb") D("DestinationPort", "5353")
	     D("DestinationHostname", "-") "</EventData></Event>",
     0, "kind=network|proto=udp|src_ip=fe80::1|dst_ip=ff02::fb|dst_port=5353|!domain"},
    /* Terminal Services: RDP authentication (1149) and session logon (21, console) */
    {SYS("Microsoft-Windows-TerminalServices-RemoteConnectionManager",
	 "Microsoft-Windows-TerminalServices-RemoteConnectionManager/Operational",
	 "1149") "<UserData><EventXML xmlns=\"Event_NS\"><Param1>administrator</Param1>"
		 "<Param2>CORP</Param2><Param3>198.51.100.20</Param3></EventXML></UserData></"
		 "Event>",
     0,
     "kind=auth|outcome=success|service=rdp|user=administrator|src_ip=198.51.100.20|"
     "f.Param1=administrator|f.Param2=CORP|f.Param3=198.51.100.20|!f.EventXML"},
    {SYS("Microsoft-Windows-TerminalServices-LocalSessionManager",
	 "Microsoft-Windows-TerminalServices-LocalSessionManager/Operational",
	 "21") "<UserData><EventXML xmlns=\"Event_NS\"><User>CORP\\admin</User>"
	       "<SessionID>2</SessionID><Address>LOCAL</Address></EventXML></UserData></Event>",
     0, "kind=auth|outcome=success|user=CORP\\admin|!src_ip|f.SessionID=2"},
    /* unnamed Data, entities, CDATA, comments, a processing instruction, Binary */
    {"<?xml version=\"1.0\"?><!-- c --><Event><System><EventID>7036</EventID>"
     "<Provider Name=\"Service Control Manager\"/><Channel>System</Channel></System>"
     "<EventData><Data>Windows Update</Data><Data>running</Data><Data>&lt;a &amp; "
     "b&gt; &quot;&apos; &#65;&#x42;&#x20AC; &bogus;</Data><Data><![CDATA[<raw>]]></Data>"
     "<Binary>770075</Binary></EventData><RenderingInfo Culture=\"en-US\"><Level>Information"
     "</Level><Channel>Sys</Channel></RenderingInfo></Event>",
     0,
     "kind=other|event_id=7036|f.Data1=Windows Update|f.Data2=running|"
     "f.Data3=<a & b> \"' AB\xe2\x82\xac &bogus;|f.Data4=<raw>|f.Binary=770075|f.Channel=System|"
     "f.Data=Windows Update\nrunning\n<a & b> \"' AB\xe2\x82\xac &bogus;\n<raw>|"
     "f.Provider_Name=Service Control Manager|!f.Level"},
    /* an empty named Data is a field with an empty value; single quotes */
    {"<Event><System><EventID>1</EventID></System><EventData><Data Name='Empty'/>"
     "<Data Name=\"Image\"></Data></EventData></Event>",
     0, "f.Empty=|f.Image=|!process"},
    /* broken documents */
    {"<Event><System><EventID>1</EventID></System>", AS_EPARSE, ""},
    {"<Event><System></Sys></Event>", AS_EPARSE, ""},
    {"<Event><System><Provider Name=\"x/></System></Event>", AS_EPARSE, ""},
    {"<Event><System><Provider Name=x/></System></Event>", AS_EPARSE, ""},
    {"<Event></Event><Event></Event>", AS_EPARSE, ""},
    {"text<Event></Event>", AS_EPARSE, ""},
    {"", AS_EPARSE, ""},
    {"<", AS_EPARSE, ""},
    {"<Event><!-- never closed", AS_EPARSE, ""},
    {"<Event><![CDATA[x", AS_EPARSE, ""},
    {"<Event></", AS_EPARSE, ""},
    {"<Event><System><EventID>1</EventID></System></Event>", 0, "event_id=1"},
};

/*
 * Canonical values are trimmed of ' ', '\t', '\r' and '\n' as slice_trim
 * does, and none of the other bytes; a value that is empty or "-" once
 * trimmed is left out. Every byte before and after a value, and around "-".
 */
static void test_canonical_trim(void **state)
{
	struct arena a;
	arena_init(&a, 0);
	for (int c = 0; c < 256; c++) {
		bool ws = c == ' ' || c == '\t' || c == '\r' || c == '\n';
		for (int form = 0; form < 3; form++) {
			char text[8];
			size_t n = 0;
			text[n++] = (char)c;
			if (form == 0) {
				text[n++] = 'h';
				text[n++] = 'x';
			} else if (form == 1) {
				text[n++] = '-';
			}
			text[n++] = (char)c;
			struct event ev;
			event_clear(&ev);
			struct winevent w;
			winevent_begin(&w, &ev, &a, false);
			assert_int_equal(
			    winevent_add(&w, SLICE_LIT("Computer"), FT_STRING, slice_make(text, n)),
			    0);
			assert_int_equal(winevent_finish(&w), 0);
			struct slice h = ev.str[ES_HOST];
			if (ws && form) {
				if (h.ptr)
					fail_msg("byte %d form %d: host %.*s", c, form, (int)h.len,
						 h.ptr);
			} else {
				struct slice want =
				    ws ? slice_make(text + 1, n - 2) : slice_make(text, n);
				if (!slice_eq(h, want))
					fail_msg("byte %d form %d: host of %zu bytes", c, form,
						 h.len);
			}
			arena_reset(&a);
		}
	}
	arena_free(&a);
}

static void test_xml_table(void **state)
{
	struct arena a;
	arena_init(&a, 0);
	for (size_t i = 0; i < sizeof xml_cases / sizeof xml_cases[0]; i++) {
		struct event ev;
		event_clear(&ev);
		struct winevent w;
		winevent_begin(&w, &ev, &a, true);
		struct diag why = {0};
		int rc = winevent_xml_parse(&w, slice_cstr(xml_cases[i].xml), &why);
		char what[64];
		snprintf(what, sizeof what, "xml case %zu", i);
		if (rc != xml_cases[i].rc)
			fail_msg("%s: rc %d (%s), want %d", what, rc, why.msg, xml_cases[i].rc);
		if (rc) {
			assert_int_equal(why.code, rc);
			assert_true(why.msg[0] != 0);
			continue;
		}
		winevent_finish(&w);
		check_event(&ev, xml_cases[i].want, what);
		arena_reset(&a);
	}
	arena_free(&a);
}

static void test_xml_limits(void **state)
{
	char doc[4096];
	size_t n = 0;
	for (int i = 0; i < AS_MAX_XML_DEPTH + 1; i++)
		n += (size_t)snprintf(doc + n, sizeof doc - n, "<a>");
	for (int i = 0; i < AS_MAX_XML_DEPTH + 1; i++)
		n += (size_t)snprintf(doc + n, sizeof doc - n, "</a>");
	struct arena a;
	arena_init(&a, 0);
	struct event ev;
	event_clear(&ev);
	struct winevent w;
	winevent_begin(&w, &ev, &a, true);
	struct diag why = {0};
	assert_int_equal(winevent_xml_parse(&w, slice_make(doc, n), &why), AS_ETOOBIG);
	/* one level less is fine */
	n = 0;
	for (int i = 0; i < AS_MAX_XML_DEPTH; i++)
		n += (size_t)snprintf(doc + n, sizeof doc - n, "<a>");
	for (int i = 0; i < AS_MAX_XML_DEPTH; i++)
		n += (size_t)snprintf(doc + n, sizeof doc - n, "</a>");
	event_clear(&ev);
	winevent_begin(&w, &ev, &a, true);
	assert_int_equal(winevent_xml_parse(&w, slice_make(doc, n), &why), 0);
	/* a Data Name longer than a field name may be */
	n = (size_t)snprintf(doc, sizeof doc, "<Event><EventData><Data Name=\"");
	memset(doc + n, 'N', AS_MAX_FIELD_NAME + 1);
	n += AS_MAX_FIELD_NAME + 1;
	n += (size_t)snprintf(doc + n, sizeof doc - n, "\">v</Data></EventData></Event>");
	event_clear(&ev);
	winevent_begin(&w, &ev, &a, true);
	assert_int_equal(winevent_xml_parse(&w, slice_make(doc, n), &why), AS_ETOOBIG);
	assert_non_null(strstr(why.msg, "field NNN"));
	arena_free(&a);
}

/* Every prefix of a real record is either parsed or refused, never read past. */
static void test_xml_prefixes(void **state)
{
	const char *xml = xml_cases[0].xml;
	size_t len = strlen(xml);
	struct arena a;
	arena_init(&a, 0);
	for (size_t n = 0; n < len; n++) {
		char *copy = malloc(n ? n : 1);
		assert_non_null(copy);
		memcpy(copy, xml, n);
		struct event ev;
		event_clear(&ev);
		struct winevent w;
		winevent_begin(&w, &ev, &a, true);
		struct diag why = {0};
		assert_int_equal(winevent_xml_parse(&w, slice_make(copy, n), &why), AS_EPARSE);
		free(copy);
		arena_reset(&a);
	}
	arena_free(&a);
}

/* ---- the shared corpus ---- */

static void test_corpus(void **state)
{
	const char *shared = getenv("APTSCOPE_SHARED");
	char dir[1024];
	snprintf(dir, sizeof dir, "%s/corpora/evtx-attack-samples", shared ? shared : "");
	FILE *probe = shared ? fopen(dir, "r") : NULL;
	if (!probe) {
		print_message("SKIP: %s not found (set APTSCOPE_SHARED to the shared corpora)\n",
			      dir);
		skip();
	}
	fclose(probe);
	struct diag_sink notes;
	diag_sink_init(&notes, stderr);
	struct file_list fl = {0};
	char *roots[] = {dir};
	assert_int_equal(walk_paths(roots, 1, &fl, &notes), 0);
	size_t nfiles = 0, empty = 0, record_errors = 0;
	uint64_t events = 0, errors = 0, recovered = 0;
	for (size_t i = 0; i < fl.n; i++) {
		size_t len = strlen(fl.paths[i]);
		if (len < 5 || strcmp(fl.paths[i] + len - 5, ".evtx") != 0)
			continue;
		nfiles++;
		struct read_run g;
		read_path(fl.paths[i], NULL, true, &g);
		if (g.open_rc)
			fail_msg("%s: %s", fl.paths[i], g.open_msg);
		assert_ptr_equal(g.fmt, &format_evtx);
		uint64_t rec = 0;
		for (size_t k = 0; k < g.n; k++)
			rec += event_field_find(&g.ev[k], SLICE_LIT("Recovered")) != NULL;
		/* damage in an allocated record would be named "evtx record N" */
		if (strstr(g.diags, ": evtx record "))
			record_errors++;
		print_message("%6llu records %6zu events %6llu recovered %4llu errors  %s\n",
			      (unsigned long long)g.st.records, g.n, (unsigned long long)rec,
			      (unsigned long long)g.st.errors, fl.paths[i] + strlen(dir) + 1);
		events += g.n;
		errors += g.st.errors;
		recovered += rec;
		empty += g.n == 0;
		read_run_free(&g);
	}
	print_message("%zu files, %llu events (%llu recovered), %llu errors, %zu files without "
		      "events, %zu with damaged allocated records\n",
		      nfiles, (unsigned long long)events, (unsigned long long)recovered,
		      (unsigned long long)errors, empty, record_errors);
	assert_true(nfiles >= 270);
	assert_int_equal(empty, 0);
	assert_int_equal(record_errors, 0);
	assert_int_equal(errors, 0);
	/* allocated records only (test_read_evtx_binxml checks the count of
	 * every file against libevtx's) */
	assert_int_equal(recovered, 0);
	assert_true(events > 8000);

	/* with the free space carved: the same allocated events first, then
	 * recovered ones, no EventRecordID twice in a file */
	setenv("APTSCOPE_EVTX_RECOVER", "1", 1);
	uint64_t carved = 0, carved_files = 0;
	for (size_t i = 0; i < fl.n; i++) {
		size_t len = strlen(fl.paths[i]);
		if (len < 5 || strcmp(fl.paths[i] + len - 5, ".evtx") != 0)
			continue;
		struct read_run g;
		read_path(fl.paths[i], NULL, true, &g);
		uint64_t rec = 0;
		char(*ids)[24] = calloc(g.n ? g.n : 1, sizeof *ids);
		assert_non_null(ids);
		for (size_t k = 0; k < g.n; k++) {
			bool r = event_field_find(&g.ev[k], SLICE_LIT("Recovered")) != NULL;
			if (!r && rec)
				fail_msg("%s: an allocated event after a recovered one",
					 fl.paths[i]);
			rec += r;
			assert_true(field_text(&g.ev[k], "f.EventRecordID", ids[k], sizeof ids[k]));
			for (size_t j = 0; j < k; j++)
				if (strcmp(ids[j], ids[k]) == 0)
					fail_msg("%s: EventRecordID %s twice", fl.paths[i], ids[k]);
		}
		carved += rec;
		carved_files += rec > 0;
		free(ids);
		read_run_free(&g);
	}
	unsetenv("APTSCOPE_EVTX_RECOVER");
	print_message("APTSCOPE_EVTX_RECOVER=1: %llu recovered events in %llu files, no "
		      "EventRecordID twice\n",
		      (unsigned long long)carved, (unsigned long long)carved_files);
	assert_true(carved > 1000);
	file_list_free(&fl);
	diag_sink_fini(&notes);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
	    cmocka_unit_test(test_probe),          cmocka_unit_test(test_fixture_files),
	    cmocka_unit_test(test_not_evtx),       cmocka_unit_test(test_recover),
	    cmocka_unit_test(test_xml_table),      cmocka_unit_test(test_xml_limits),
	    cmocka_unit_test(test_xml_prefixes),   cmocka_unit_test(test_corpus),
	    cmocka_unit_test(test_canonical_trim),
	};
	return cmocka_run_group_tests(tests, NULL, NULL);
}
