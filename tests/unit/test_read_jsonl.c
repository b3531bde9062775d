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
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <cmocka.h>

#include "core/buf.h"
#include "core/error.h"
#include "core/timeparse.h"
#include "event/fieldname.h"
#include "read/format.h"
#include "read/reader.h"

extern const struct format format_jsonl;
extern const struct format format_eve;

static const char *data_path(const char *name)
{
	static char p[1024];
	const char *dir = getenv("APTSCOPE_TEST_DATA");
	snprintf(p, sizeof p, "%s/jsonl/%s", dir ? dir : "tests/data", name);
	return p;
}

/* The value of one expectation key on ev, as text; false when absent. */
static bool field_text(const struct event *ev, const char *key, char *out, size_t cap)
{
	if (strcmp(key, "kind") == 0) {
		snprintf(out, cap, "%s", event_kind_name((enum event_kind)ev->kind));
		return true;
	}
	if (strcmp(key, "outcome") == 0) {
		snprintf(out, cap, "%s", outcome_name((enum outcome)ev->outcome));
		return ev->outcome != OUTCOME_UNKNOWN;
	}
	if (strcmp(key, "time") == 0) {
		char t[AS_TIME_STRLEN];
		snprintf(out, cap, "%s", time_format(ev->time, t));
		return ev->time != AS_TIME_NONE;
	}
	if (strcmp(key, "src_ip") == 0 || strcmp(key, "dst_ip") == 0) {
		const struct ip *ip = key[0] == 's' ? &ev->src_ip : &ev->dst_ip;
		char t[IP_STRLEN];
		snprintf(out, cap, "%s", ip_format(ip, t));
		return ip->family != IP_NONE;
	}
	if (strcmp(key, "nfields") == 0) {
		snprintf(out, cap, "%u", ev->nfields);
		return true;
	}
	for (int k = 0; k < ES_COUNT; k++)
		if (strcmp(key, event_str_name((enum event_str)k)) == 0) {
			snprintf(out, cap, SLICE_FMT, SLICE_ARG(ev->str[k]));
			return ev->str[k].ptr != NULL;
		}
	for (int k = 0; k < EN_COUNT; k++)
		if (strcmp(key, event_num_name((enum event_num)k)) == 0) {
			snprintf(out, cap, "%lld", (long long)ev->num[k]);
			return event_has_num(ev, (enum event_num)k);
		}
	fail_msg("unknown expectation key %s", key);
	return false;
}

static void check_event(const struct event *ev, const char *want, const char *what)
{
	char spec[2048];
	snprintf(spec, sizeof spec, "%s", want);
	char *save = NULL;
	for (char *tok = strtok_r(spec, "|", &save); tok; tok = strtok_r(NULL, "|", &save)) {
		char got[1024];
		if (tok[0] == '!') {
			if (field_text(ev, tok + 1, got, sizeof got))
				fail_msg("%s: %s should be absent, is '%s'", what, tok + 1, got);
			continue;
		}
		char *eq = strchr(tok, '=');
		assert_non_null(eq);
		*eq = '\0';
		if (!field_text(ev, tok, got, sizeof got))
			fail_msg("%s: %s absent, want '%s'", what, tok, eq + 1);
		if (strcmp(got, eq + 1) != 0)
			fail_msg("%s: %s is '%s', want '%s'", what, tok, got, eq + 1);
	}
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
};

static void read_file(const char *name, bool fields, struct file_result *res)
{
	memset(res, 0, sizeof *res);
	size_t dlen = 0;
	FILE *dout = open_memstream(&res->diags, &dlen);
	struct diag_sink sink;
	diag_sink_init(&sink, dout);
	struct source src = {.path = data_path(name)};
	struct read_opts ro = {.fields = fields};
	struct reader *r = NULL;
	struct diag why = {0};
	if (reader_open(&r, &src, &format_jsonl, &ro, &sink, &why))
		fail_msg("%s: %s", name, why.msg);
	struct batch b;
	batch_init(&b);
	int n;
	while ((n = reader_next(r, &b)) > 0) {
		for (int i = 0; i < n; i++) {
			const struct event *ev = &b.events[i];
			char what[128];
			snprintf(what, sizeof what, "%s:%llu fields=%d", name,
				 (unsigned long long)ev->record, fields);
			assert_true(fields ? ev->nfields > 0 : ev->nfields == 0);
			for (size_t k = 0; k < sizeof fixtures / sizeof fixtures[0]; k++)
				if (strcmp(fixtures[k].file, name) == 0 &&
				    fixtures[k].record == ev->record) {
					check_event(ev, fixtures[k].want, what);
					res->matched++;
				}
			assert_true(ev->record < 16);
			assert_int_equal(event_to_json(ev, &res->json[ev->record]), 0);
		}
	}
	assert_int_equal(n, 0);
	struct reader_stats st;
	reader_stats(r, &st);
	res->events = st.events;
	res->errors = st.errors;
	reader_close(r);
	batch_free(&b);
	diag_sink_fini(&sink);
	fclose(dout);
}

static void result_free(struct file_result *res)
{
	for (int i = 0; i < 16; i++)
		buf_free(&res->json[i]);
	free(res->diags);
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

static void test_jsonl_line_by_line(void **state)
{
	struct arena a;
	arena_init(&a, 0);
	for (size_t f = 0; f < sizeof pass_files / sizeof pass_files[0]; f++) {
		struct file_result res;
		read_file(pass_files[f], true, &res);
		FILE *in = fopen(data_path(pass_files[f]), "r");
		assert_non_null(in);
		char st[64] = {0};
		assert_true(format_jsonl.state_size <= sizeof st);
		struct read_opts ro = {.fields = true};
		assert_int_equal(format_jsonl.init(st, &ro), 0);
		char *line = NULL;
		size_t cap = 0;
		ssize_t len;
		uint64_t rec = 0;
		struct source src = {.path = data_path(pass_files[f]), .format = "jsonl"};
		while ((len = getline(&line, &cap, in)) > 0) {
			rec++;
			while (len && (line[len - 1] == '\n' || line[len - 1] == '\r'))
				len--;
			struct event ev;
			event_clear(&ev);
			ev.source = &src;
			ev.record = rec;
			struct diag why = {0};
			char *copy = malloc((size_t)len);
			memcpy(copy, line, (size_t)len);
			assert_int_equal(
			    format_jsonl.line(st, slice_make(copy, (size_t)len), &ev, &a, &why),
			    LINE_EVENT);
			struct buf j = BUF_INIT;
			assert_int_equal(event_to_json(&ev, &j), 0);
			assert_true(slice_eq(buf_slice(&j), buf_slice(&res.json[rec])));
			buf_free(&j);
			free(copy);
			arena_reset(&a);
		}
		free(line);
		fclose(in);
		result_free(&res);
	}
	arena_free(&a);
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
