/*
 * test_read_jsonl.c — the generic JSON-lines reader.
 *
 * Fixtures in tests/data/jsonl/ are nested ECS records, flat records with
 * dotted keys and epoch times, a CloudTrail record and one file of broken
 * lines. Each is read through the driver (format forced: other JSON readers
 * may rightly claim some of them), with native fields on and off, and its
 * canonical fields are checked against a table; each line is also fed to
 * line() alone. Expectations are "name=value" pairs joined by '|' ("!name":
 * absent), as in test_read_eve.c.
 */
#include "core/buf.h"
#include "core/error.h"
#include "read_test.h"

extern const struct format format_jsonl;
extern const struct format format_eve;

static const char *data_path(const char *name)
{
	return test_data_path("jsonl", name);
}

struct expect {
	const char *file;
	uint64_t record;
	const char *want;
};

static const struct expect fixtures[] = {
    {"pass_ecs.json", 1,
     "kind=auth|outcome=failure|time=2024-02-10T08:01:02.345000Z|src_ip=203.0.113.45|"
     "src_port=51515|dst_ip=10.1.2.3|dst_port=22|user=root|host=bastion-01|process=sshd|pid=4242|"
     "message=Failed password for root from 203.0.113.45 port 51515 ssh2"},
    {"pass_ecs.json", 2,
     "kind=process|process=C:\\Windows\\System32\\cmd.exe|command_line=cmd.exe /c whoami|"
     "parent_process=C:\\Windows\\explorer.exe|parent_command_line=explorer.exe|pid=812|"
     "user=CORP\\jdoe|event_id=1|"
     "sha256=b99d114b267ffd068c3289199b6df95a9ca3eb3bd7e7bc9e5e4a2e4a3b1f8c5d"},
    {"pass_ecs.json", 3,
     "kind=http|url=/wp-login.php?redirect=1|domain=blog.example.org|http_method=POST|"
     "http_status=302|user_agent=python-requests/2.31|src_ip=198.51.100.23|dst_ip=10.1.2.80|"
     "dst_port=443|ja3=6734f37431670b3ab4292b8f60f29984|!outcome"},
    {"pass_flat.json", 1,
     "kind=other|time=2024-02-10T08:01:02.500000Z|src_ip=10.0.0.8|dst_ip=192.0.2.200|dst_port=443|"
     "proto=tcp|bytes_out=1200|bytes_in=56000|domain=beacon.badexample.net|"
     "md5=d41d8cd98f00b204e9800998ecf8427e|sha1=da39a3ee5e6b4b0d3255bfef95601890afd80709"},
    {"pass_flat.json", 2,
     "kind=auth|outcome=success|time=2024-02-10T08:01:03.123000Z|src_ip=10.0.0.9|"
     "dst_ip=2001:db8::1|user=alice|host=vpn-gw|service=openvpn"},
    {"pass_flat.json", 3,
     "time=2024-02-10T07:01:05Z|src_ip=172.16.5.5|host=fw-edge|domain=cdn.example.com|"
     "user_agent=curl/8.4.0|url=https://cdn.example.com/a.js"},
    {"pass_cloudtrail.json", 1,
     "time=2024-02-10T07:59:01Z|src_ip=192.0.2.77|user=ops|user_agent=Mozilla/5.0"},
    {"fail_lines.json", 1, "user=ok-first|time=2024-02-10T08:00:00Z"},
    {"fail_lines.json", 4, "user=ok-last|!src_ip"},
};

static const char *const pass_files[] = {"pass_ecs.json", "pass_flat.json", "pass_cloudtrail.json"};

struct file_result {
	uint64_t events, errors;
	int matched;
	char *diags;
	struct buf json[16];
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
	assert_true(res->fields ? ev->nfields > 0 : ev->nfields == 0);
	for (size_t k = 0; k < sizeof fixtures / sizeof fixtures[0]; k++)
		if (strcmp(fixtures[k].file, res->name) == 0 && fixtures[k].record == ev->record) {
			check_event(ev, fixtures[k].want, what);
			res->matched++;
		}
	assert_true(ev->record < 16);
	assert_int_equal(event_to_json(ev, &res->json[ev->record]), 0);
}

static void read_file(const char *name, bool fields, struct file_result *res)
{
	memset(res, 0, sizeof *res);
	res->name = name;
	res->fields = fields;
	struct read_opts ro = {.fields = fields};
	if (read_run(&res->run, data_path(name), &format_jsonl, &ro, each_event, res))
		fail_msg("%s: %s", name, res->run.open_msg);
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

static void test_jsonl_fixtures(void **state)
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
			matched += res.matched;
			result_free(&res);
		}
		assert_int_equal(matched, expected);
	}
}

static void same_as_driver(void *ctx, int rc, const struct line_feeder *fd)
{
	struct file_result *res = ctx;
	assert_int_equal(rc, LINE_EVENT);
	struct buf j = BUF_INIT;
	assert_int_equal(event_to_json(&fd->ev, &j), 0);
	assert_true(slice_eq(buf_slice(&j), buf_slice(&res->json[fd->record])));
	buf_free(&j);
}

static void test_jsonl_line_by_line(void **state)
{
	for (size_t f = 0; f < sizeof pass_files / sizeof pass_files[0]; f++) {
		struct file_result res;
		read_file(pass_files[f], true, &res);
		size_t n;
		char *text = slurp(data_path(pass_files[f]), &n);
		struct read_opts ro = {.fields = true};
		struct line_feeder fd;
		feeder_open(&fd, &format_jsonl, &ro);
		struct source src = {.path = data_path(pass_files[f]), .format = "jsonl"};
		fd.src = &src;
		feed_text(&fd, text, n, same_as_driver, &res);
		feeder_close(&fd);
		free(text);
		result_free(&res);
	}
}

static void test_jsonl_bad_lines(void **state)
{
	struct file_result res;
	read_file("fail_lines.json", false, &res);
	assert_int_equal(res.events, 2);
	assert_int_equal(res.errors, 2);
	assert_int_equal(res.matched, 2);
	assert_non_null(strstr(res.diags, "fail_lines.json:2: byte 36: value expected"));
	assert_non_null(strstr(res.diags, "fail_lines.json:3: byte 0: a JSON object expected"));
	result_free(&res);
}

struct line_case {
	const char *line;
	int rc;
	const char *want;
};

static const struct line_case lines[] = {
    {"{}", LINE_EVENT, "kind=other|!time|nfields=0"},
    {"{\"timestamp\":1707552062}", LINE_EVENT, "time=2024-02-10T08:01:02Z"},
    {"{\"ts\":\"1707552062123456\"}", LINE_EVENT, "time=2024-02-10T08:01:02.123456Z"},
    {"{\"@timestamp\":\"not a time\",\"time\":\"2024-02-10T08:01:02+02:00\"}", LINE_EVENT,
     "time=2024-02-10T06:01:02Z"},
    /* "user" as an object is a prefix, not a value: user.name fills it */
    {"{\"user\":{\"id\":5,\"name\":\"bob\"},\"host\":{\"hostname\":\"h1\"}}", LINE_EVENT,
     "user=bob|host=h1"},
    {"{\"user\":5}", LINE_EVENT, "!user"},
    {"{\"src\":\"10.1.1.1\",\"dst\":\"bad\",\"sport\":-1,\"dport\":\"80\"}", LINE_EVENT,
     "src_ip=10.1.1.1|!dst_ip|src_port=-1|dst_port=80"},
    {"{\"file\":{\"hash\":{\"md5\":\"aa\",\"sha1\":\"bb\",\"sha256\":\"cc\"},\"path\":\"/tmp/x\"}}",
     LINE_EVENT, "md5=aa|sha1=bb|sha256=cc|file_path=/tmp/x"},
    {"{\"CommandLine\":\"powershell -enc \\u0041\",\"account\":\"svc\",\"computer\":\"DC1\"}",
     LINE_EVENT, "command_line=powershell -enc A|user=svc|host=DC1"},
    {"{\"dns\":{\"question\":{\"name\":\"evil.example\"}},\"server_name\":\"x\"}", LINE_EVENT,
     "domain=evil.example"},
    {"{\"a\":1,}", AS_EPARSE, NULL},
    {"{\"a\":1}garbage", AS_EPARSE, NULL},
    {"\"just a string\"", AS_EPARSE, NULL},
};

static void test_jsonl_lines(void **state)
{
	struct arena a;
	arena_init(&a, 0);
	char st[64] = {0};
	struct read_opts ro = {.fields = false};
	assert_int_equal(format_jsonl.init(st, &ro), 0);
	for (size_t i = 0; i < sizeof lines / sizeof lines[0]; i++) {
		struct event ev;
		event_clear(&ev);
		struct diag why = {0};
		int rc = format_jsonl.line(st, slice_cstr(lines[i].line), &ev, &a, &why);
		if (rc != lines[i].rc)
			fail_msg("case %zu: rc %d (%s), want %d", i, rc, why.msg, lines[i].rc);
		if (rc < 0) {
			assert_true(why.msg[0] != '\0');
		} else {
			char what[32];
			snprintf(what, sizeof what, "line case %zu", i);
			check_event(&ev, lines[i].want, what);
		}
		arena_reset(&a);
	}
	arena_free(&a);
}

static void test_jsonl_probe(void **state)
{
	const char *generic = "{\"level\":\"info\",\"msg\":\"started\"}\n{\"level\":";
	assert_int_equal(format_jsonl.probe(slice_cstr(generic)), 35);
	assert_int_equal(format_jsonl.probe(slice_cstr("  {\"cut\":\"in the mid")), 30);
	assert_int_equal(format_jsonl.probe(slice_cstr("{not json}\n")), 0);
	assert_int_equal(format_jsonl.probe(slice_cstr("plain text\n")), 0);
	assert_int_equal(format_jsonl.probe(slice_cstr("")), 0);
	int conf = 0;
	assert_ptr_equal(format_detect(slice_cstr(generic), &conf), &format_jsonl);
	assert_int_equal(conf, 35);
	/* the catch-all is the last row of the table */
	assert_ptr_equal(format_table[format_count - 1], &format_jsonl);
	/* EVE data goes to the EVE reader */
	const char *eve = "{\"timestamp\":\"2024-01-01T00:00:00Z\",\"event_type\":\"flow\"}\n";
	assert_ptr_equal(format_detect(slice_cstr(eve), &conf), &format_eve);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
	    cmocka_unit_test(test_jsonl_fixtures),  cmocka_unit_test(test_jsonl_line_by_line),
	    cmocka_unit_test(test_jsonl_bad_lines), cmocka_unit_test(test_jsonl_lines),
	    cmocka_unit_test(test_jsonl_probe),
	};
	return cmocka_run_group_tests(tests, NULL, NULL);
}
