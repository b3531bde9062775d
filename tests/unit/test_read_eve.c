/*
 * test_read_eve.c — the Suricata EVE reader.
 *
 * Fixtures in tests/data/eve/ are records in the exact shape Suricata 6/7
 * writes, one file per event type (pass_*.json) plus one of broken lines
 * (fail_lines.json). Each file is read whole through the reader driver with
 * the format detected from content, with native fields on and off, and the
 * canonical fields are checked against a table. Each line is then fed to
 * the format's line() on its own and must give the same event. Tricky single
 * lines have their own table.
 *
 * Expectations are "name=value" pairs joined by '|': a canonical field by
 * its JSON name (event.h), kind, time, src_ip, dst_ip, or "!name" for a
 * field that must be absent.
 */
#include "core/buf.h"
#include "core/error.h"
#include "read_test.h"

extern const struct format format_eve;
extern const struct format format_jsonl;

static const char *data_path(const char *name)
{
	return test_data_path("eve", name);
}

struct expect {
	const char *file;
	uint64_t record;
	const char *want;
};

static const struct expect fixtures[] = {
    {"pass_alert.json", 1,
     "kind=alert|time=2023-10-02T09:15:42.318927Z|src_ip=10.20.1.55|dst_ip=185.125.190.36|"
     "src_port=49812|dst_port=443|proto=tcp|app_proto=tls|host=sensor-dmz-01|"
     "rule=ET MALWARE Cobalt Strike Beacon Observed|domain=update.example-cdn.net|"
     "ja3=72a589da586844d7f0818ce684948eea|ja3s=ae4edc6faf64d08308082ad26be60767|"
     "bytes_out=1069|bytes_in=4321|!duration_us"},
    {"pass_flow.json", 1,
     "kind=network|src_ip=10.20.1.55|dst_ip=185.125.190.36|proto=tcp|app_proto=tls|"
     "bytes_out=5402|bytes_in=19877|duration_us=3500000|conn_state=closed|host=sensor-dmz-01"},
    {"pass_flow.json", 2,
     "kind=network|src_ip=fe80::a00:27ff:fe4e:66a1|dst_ip=ff02::2|proto=icmp|!src_port|"
     "!dst_port|bytes_out=70|bytes_in=0|duration_us=0|conn_state=new|!host"},
    {"pass_netflow.json", 1,
     "kind=network|src_ip=192.168.56.101|dst_ip=8.8.8.8|src_port=53211|dst_port=53|proto=udp|"
     "app_proto=dns|bytes_out=74|!bytes_in|duration_us=250000"},
    {"pass_dns_v1.json", 1,
     "kind=dns|time=2019-03-11T13:01:12.112233Z|domain=c2.badexample.com|dns_qtype=TXT|"
     "!dns_rcode|src_port=51234|dst_port=53"},
    {"pass_dns_v1.json", 2, "kind=dns|domain=c2.badexample.com|dns_qtype=TXT|dns_rcode=NXDOMAIN"},
    {"pass_dns_v2.json", 1,
     "kind=dns|domain=www.example.com|dns_qtype=A|dns_rcode=NOERROR|src_ip=10.20.1.55"},
    {"pass_dns_v2.json", 2, "kind=dns|domain=www.example.com|dns_qtype=A|!dns_rcode"},
    {"pass_dns_v3.json", 1, "kind=dns|domain=login.microsoftonline.example|dns_qtype=AAAA"},
    {"pass_http.json", 1,
     "kind=http|domain=files.example.net|url=/dl/update.exe?id=42&t=/x|http_method=GET|"
     "http_status=200|user_agent=Mozilla/5.0 (Windows NT 10.0; Win64; x64) \"quoted\"|"
     "src_ip=10.20.1.77|dst_port=80"},
    {"pass_tls.json", 1,
     "kind=tls|domain=api.example.com|ja3=e7d705a3286e19ea42f587b344ee6865|"
     "ja3s=f4febc55ea12b31ae17cfb7e614afda8|dst_port=443"},
    {"pass_fileinfo.json", 1,
     "kind=file|file_path=/dl/update.exe|md5=44d88612fea8a8f36de82e1278abb02f|"
     "sha1=3395856ce81f2b7382dee72602f798b642f14140|"
     "sha256=275a021bbfb6489e54d471899f7db9d1663fc695ec2fe2a2c4538aabf651fd0f|"
     "domain=files.example.net|url=/dl/update.exe?id=42|app_proto=http"},
    {"pass_smtp.json", 1, "kind=network|email=invoice@sender.example|dst_port=25"},
    {"pass_ssh.json", 1, "kind=network|src_ip=45.155.205.99|dst_port=22|proto=tcp"},
    {"pass_misc.json", 1, "kind=other|message=decoder.udp.hlen_invalid|proto=udp"},
    {"pass_misc.json", 2, "kind=network|src_port=4444|dst_port=445"},
    {"pass_misc.json", 3, "kind=network|user=svc_backup|dst_port=88"},
    {"pass_misc.json", 4, "kind=network|user=adm_jdoe|file_path=ADMIN$\\PSEXESVC.exe"},
    {"pass_misc.json", 5, "kind=network|dst_port=3389"},
    {"pass_misc.json", 6, "kind=network|src_host=LAPTOP-7Q2|src_ip=0.0.0.0"},
    {"pass_misc.json", 7, "kind=other|!src_ip|time=2023-10-02T09:28:00Z"},
    {"fail_lines.json", 1, "kind=dns|domain=ok-before.example"},
    {"fail_lines.json", 6, "kind=dns|domain=ok-after.example|!src_ip"},
};

struct file_result {
	uint64_t events, errors;
	int matched;
	char *diags;
	struct buf json[16]; /* event_to_json of each event, by record */
	const char *name;
	bool fields;
	struct read_run run;
};

static void each_event(void *ctx, const struct event *ev)
{
	struct file_result *res = ctx;
	char what[128];
	snprintf(what, sizeof what, "%s:%llu fields=%d", res->name, (unsigned long long)ev->record,
		 res->fields);
	if (!res->fields)
		assert_int_equal(ev->nfields, 0);
	else
		assert_true(ev->nfields > 0);
	assert_ptr_equal(ev->source, &res->run.src);
	for (size_t k = 0; k < sizeof fixtures / sizeof fixtures[0]; k++)
		if (strcmp(fixtures[k].file, res->name) == 0 && fixtures[k].record == ev->record) {
			check_event(ev, fixtures[k].want, what);
			res->matched++;
		}
	if (ev->record < 16) {
		res->json[ev->record] = (struct buf)BUF_INIT;
		assert_int_equal(event_to_json(ev, &res->json[ev->record]), 0);
	}
}

static void read_file(const char *name, bool fields, struct file_result *res)
{
	memset(res, 0, sizeof *res);
	res->name = name;
	res->fields = fields;
	struct read_opts ro = {.fields = fields};
	if (read_run(&res->run, data_path(name), NULL, &ro, each_event, res))
		fail_msg("%s: %s", name, res->run.open_msg);
	assert_ptr_equal(res->run.fmt, &format_eve);
	assert_int_equal(res->run.end_rc, 0);
	res->events = res->run.st.events;
	res->errors = res->run.st.errors;
	res->diags = res->run.diags;
}

static void result_free(struct file_result *res)
{
	for (int i = 0; i < 16; i++)
		buf_free(&res->json[i]);
	read_run_free(&res->run);
}

static const char *const pass_files[] = {
    "pass_alert.json",    "pass_flow.json",   "pass_netflow.json", "pass_dns_v1.json",
    "pass_dns_v2.json",   "pass_dns_v3.json", "pass_http.json",    "pass_tls.json",
    "pass_fileinfo.json", "pass_smtp.json",   "pass_ssh.json",     "pass_misc.json",
};

static void test_eve_fixtures(void **state)
{
	int expected = 0;
	for (size_t k = 0; k < sizeof fixtures / sizeof fixtures[0]; k++)
		if (strncmp(fixtures[k].file, "pass_", 5) == 0)
			expected++;
	for (int fields = 0; fields <= 1; fields++) {
		int matched = 0;
		for (size_t f = 0; f < sizeof pass_files / sizeof pass_files[0]; f++) {
			struct file_result res;
			read_file(pass_files[f], fields, &res);
			if (res.errors)
				fail_msg("%s: %s", pass_files[f], res.diags);
			assert_true(res.events > 0);
			matched += res.matched;
			result_free(&res);
		}
		assert_int_equal(matched, expected);
	}
}

/* A line through line() alone gives what the driver gave for it. */
static void same_as_driver(void *ctx, int rc, const struct line_feeder *fd)
{
	struct file_result *res = ctx;
	assert_int_equal(rc, LINE_EVENT);
	struct buf j = BUF_INIT;
	assert_int_equal(event_to_json(&fd->ev, &j), 0);
	assert_true(fd->record < 16);
	if (!slice_eq(buf_slice(&j), buf_slice(&res->json[fd->record])))
		fail_msg("%s:%llu\n line:   " SLICE_FMT "\n reader: " SLICE_FMT, res->name,
			 (unsigned long long)fd->record, SLICE_ARG(buf_slice(&j)),
			 SLICE_ARG(buf_slice(&res->json[fd->record])));
	buf_free(&j);
}

/* Each line through line() alone gives what the driver gave. */
static void test_eve_line_by_line(void **state)
{
	for (size_t f = 0; f < sizeof pass_files / sizeof pass_files[0]; f++) {
		struct file_result res;
		read_file(pass_files[f], true, &res);
		size_t n;
		char *text = slurp(data_path(pass_files[f]), &n);
		struct read_opts ro = {.fields = true};
		struct line_feeder fd;
		feeder_open(&fd, &format_eve, &ro);
		struct source src = {.path = data_path(pass_files[f]), .format = "eve"};
		fd.src = &src;
		feed_text(&fd, text, n, same_as_driver, &res);
		feeder_close(&fd);
		free(text);
		result_free(&res);
	}
}

/* Bad lines are reported with their line number and reason; the rest is read. */
static void test_eve_bad_lines(void **state)
{
	struct file_result res;
	read_file("fail_lines.json", true, &res);
	assert_int_equal(res.events, 2);
	assert_int_equal(res.errors, 4);
	assert_int_equal(res.matched, 2);
	static const char *const want[] = {
	    "fail_lines.json:2: byte 137: unterminated string",
	    "fail_lines.json:3: byte 93: leading zero in number",
	    "fail_lines.json:4: byte 0: a JSON object expected",
	    "fail_lines.json:5:",
	};
	for (size_t i = 0; i < sizeof want / sizeof want[0]; i++)
		if (!strstr(res.diags, want[i]))
			fail_msg("no '%s' in diagnostics:\n%s", want[i], res.diags);
	assert_non_null(strstr(res.diags, "escape"));
	result_free(&res);
}

struct line_case {
	const char *line;
	int rc;
	const char *want; /* for LINE_EVENT */
};

static const struct line_case lines[] = {
    {"{}", LINE_EVENT, "kind=other|!time|!src_ip|nfields=0"},
    {"{\"timestamp\":\"2024-01-01T00:00:00Z\",\"event_type\":\"dns\",\"dns\":{\"rrname\":"
     "\"ex\\u0061mple.c\\u00f6m\"}}",
     LINE_EVENT, "kind=dns|domain=example.c\xc3\xb6m|time=2024-01-01T00:00:00Z"},
    /* an alert matched to_client: the flow's own direction wins */
    {"{\"event_type\":\"alert\",\"src_ip\":\"203.0.113.9\",\"src_port\":443,\"dest_ip\":"
     "\"10.0.0.5\",\"dest_port\":50000,\"direction\":\"to_client\",\"alert\":{\"signature\":"
     "\"X\"},\"flow\":{\"src_ip\":\"10.0.0.5\",\"dest_ip\":\"203.0.113.9\",\"src_port\":50000,"
     "\"dest_port\":443}}",
     LINE_EVENT,
     "kind=alert|src_ip=10.0.0.5|dst_ip=203.0.113.9|src_port=50000|dst_port=443|rule=X"},
    /* nulls, odd types and bad values do not reject the record */
    {"{\"event_type\":\"http\",\"src_ip\":\"999.1.1.1\",\"src_port\":\"x\",\"http\":{"
     "\"hostname\":null,\"status\":\"200\",\"url\":\"/\"},\"timestamp\":\"yesterday\"}",
     LINE_EVENT, "kind=http|!src_ip|!src_port|!domain|http_status=200|url=/|!time"},
    /* the query name beats an answer's name, whatever the order */
    {"{\"event_type\":\"alert\",\"dns\":{\"query\":[{\"type\":\"query\",\"rrname\":\"q.example\","
     "\"rrtype\":\"MX\"}]}}",
     LINE_EVENT, "kind=alert|domain=q.example|dns_qtype=MX"},
    {"{\"event_type\":\"smtp\",\"smtp\":{\"rcpt_to\":[\"<a@b.example>\",\"<c@d.example>\"]}}",
     LINE_EVENT, "email=a@b.example"},
    {"{\"event_type\":\"flow\",\"proto\":\"SCTP\",\"flow\":{\"start\":\"2024-01-01T00:00:02Z\","
     "\"end\":\"2024-01-01T00:00:01Z\"}}",
     LINE_EVENT, "proto=sctp|!duration_us"},
    {"{\"event_type\":\"dns\"", AS_EPARSE, NULL},
    {"{\"event_type\":\"dns\"} {}", AS_EPARSE, NULL},
    {"[{\"event_type\":\"dns\"}]", AS_EPARSE, NULL},
    {"{\"a\":\"\\ud800\\u12\"}", AS_EPARSE, NULL},
    {"", AS_EPARSE, NULL},
};

static void test_eve_lines(void **state)
{
	struct arena a;
	arena_init(&a, 0);
	for (int fields = 0; fields <= 1; fields++) {
		char st[64] = {0};
		struct read_opts ro = {.fields = fields};
		assert_int_equal(format_eve.init(st, &ro), 0);
		for (size_t i = 0; i < sizeof lines / sizeof lines[0]; i++) {
			struct event ev;
			event_clear(&ev);
			struct diag why = {0};
			int rc = format_eve.line(st, slice_cstr(lines[i].line), &ev, &a, &why);
			if (rc != lines[i].rc)
				fail_msg("case %zu: rc %d (%s), want %d", i, rc, why.msg,
					 lines[i].rc);
			if (rc < 0) {
				assert_int_equal(why.code, rc);
				assert_true(why.msg[0] != '\0');
			} else if (fields == 0) {
				char what[32];
				snprintf(what, sizeof what, "line case %zu", i);
				check_event(&ev, lines[i].want, what);
			}
			arena_reset(&a);
		}
	}
	arena_free(&a);
}

static void test_eve_native_fields(void **state)
{
	struct arena a;
	arena_init(&a, 0);
	char st[64] = {0};
	struct read_opts ro = {.fields = true};
	assert_int_equal(format_eve.init(st, &ro), 0);
	struct event ev;
	event_clear(&ev);
	struct diag why;
	const char *line =
	    "{\"event_type\":\"alert\",\"alert\":{\"signature_id\":2027863,\"severity\":1,"
	    "\"category\":\"A "
	    "\\\"Trojan\\\"\",\"metadata\":{\"malware_family\":[\"Cobalt_Strike\"]}},"
	    "\"ssh\":{\"client\":{\"software_version\":\"PuTTY\"}},\"x\":null,\"b\":false}";
	assert_int_equal(format_eve.line(st, slice_cstr(line), &ev, &a, &why), LINE_EVENT);
	const struct field *f = event_field_find(&ev, SLICE_LIT("alert.signature_id"));
	assert_non_null(f);
	assert_int_equal(f->type, FT_NUMBER);
	assert_true(slice_eq_cstr(f->value, "2027863"));
	f = event_field_find(&ev, SLICE_LIT("alert.category"));
	assert_non_null(f);
	assert_true(slice_eq_cstr(f->value, "A \"Trojan\""));
	f = event_field_find(&ev, SLICE_LIT("alert.metadata.malware_family"));
	assert_non_null(f);
	assert_true(slice_eq_cstr(f->value, "Cobalt_Strike"));
	f = event_field_find(&ev, SLICE_LIT("ssh.client.software_version"));
	assert_non_null(f);
	assert_true(slice_eq_cstr(f->value, "PuTTY"));
	f = event_field_find(&ev, SLICE_LIT("x"));
	assert_non_null(f);
	assert_int_equal(f->type, FT_NULL);
	f = event_field_find(&ev, SLICE_LIT("b"));
	assert_non_null(f);
	assert_int_equal(f->type, FT_BOOL);
	assert_int_equal(ev.nfields, 8);
	arena_free(&a);
}

static void test_eve_probe(void **state)
{
	const char *eve = "{\"timestamp\":\"2023-10-02T09:15:42.318927+0000\",\"flow_id\":1,"
			  "\"event_type\":\"dns\",\"dns\":{}}\n{\"timestamp\":";
	const char *zeek = "{\"ts\":1700000000.1,\"uid\":\"C1\",\"id.orig_h\":\"10.0.0.1\"}\n";
	assert_int_equal(format_eve.probe(slice_cstr(eve)), 90);
	assert_true(format_jsonl.probe(slice_cstr(eve)) < 90);
	assert_int_equal(format_eve.probe(slice_cstr(zeek)), 0);
	assert_int_equal(format_eve.probe(slice_cstr("Mar  1 12:00:00 host sshd[1]: x\n")), 0);
	assert_int_equal(format_eve.probe(slice_cstr("")), 0);
	/* a first line cut by the probe window */
	assert_int_equal(format_eve.probe(slice_cstr("{\"timestamp\":\"x\",\"event_type\":\"fl")),
			 80);
	/* both keys, but not JSON */
	assert_int_equal(
	    format_eve.probe(slice_cstr("{\"timestamp\":1,\"event_type\":\"dns\",}\n")), 40);
	int conf = 0;
	assert_ptr_equal(format_detect(slice_cstr(eve), &conf), &format_eve);
	assert_int_equal(conf, 90);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
	    cmocka_unit_test(test_eve_fixtures),      cmocka_unit_test(test_eve_line_by_line),
	    cmocka_unit_test(test_eve_bad_lines),     cmocka_unit_test(test_eve_lines),
	    cmocka_unit_test(test_eve_native_fields), cmocka_unit_test(test_eve_probe),
	};
	return cmocka_run_group_tests(tests, NULL, NULL);
}
