/*
 * test_read_zeek.c — the Zeek TSV and JSON readers and their shared mapping.
 *
 * tests/data/zeek/pass_<log>.log holds each log type as Zeek 6 writes it
 * (header block, rows, #close); pass_<log>.json is the same records as
 * LogAscii::use_json writes them (no _path, so the log type is inferred).
 * One table of expected canonical values is checked against both, which
 * also proves the two readers agree. Files are read through the driver
 * (whole) and again fed to the format line by line.
 */
#include <unistd.h>
#include <zlib.h>

#include "core/error.h"
#include "core/ip.h"
#include "core/limits.h"
#include "read/zeek_map.h"
#include "read_test.h"

extern const struct format format_zeek, format_zeek_json;

static char tmp_dir[] = "/tmp/aptscope-test-zeek-XXXXXX";

static int setup(void **state)
{
	return mkdtemp(tmp_dir) ? 0 : -1;
}

static int teardown(void **state)
{
	char cmd[128];
	snprintf(cmd, sizeof cmd, "rm -rf %s", tmp_dir);
	return system(cmd);
}

static const char *data_path(const char *name)
{
	return test_data_path("zeek", name);
}

static const char *tmp_path(const char *name)
{
	static char p[256];
	snprintf(p, sizeof p, "%s/%s", tmp_dir, name);
	return p;
}

static void got_free(struct read_run *g)
{
	if (!g)
		return;
	read_run_free(g);
	free(g);
}

/* Keeps a copy without its source, so that the driver's events and the line
 * feeder's print alike. */
static void keep(void *ctx, const struct event *ev)
{
	struct read_run *g = ctx;
	read_run_keep(g, ev);
	g->ev[g->n - 1].source = NULL;
}

/* Through the driver: the file whole, format detected unless forced. */
static struct read_run *read_path(const char *path, const struct format *force, bool fields)
{
	struct read_run *g = malloc(sizeof *g);
	assert_non_null(g);
	struct read_opts ro = {.fields = fields};
	if (read_run(g, path, force, &ro, keep, g))
		fail_msg("%s: %s", path, g->open_msg);
	return g;
}

static void keep_line(void *ctx, int rc, const struct line_feeder *fd)
{
	struct read_run *g = ctx;
	g->st.records++;
	if (rc == LINE_EVENT) {
		struct event ev = fd->ev;
		ev.raw = SLICE_NULL;
		keep(g, &ev);
		g->st.events++;
	} else if (rc < 0) {
		assert_true(fd->why.msg[0] != 0); /* every rejection says why */
		g->st.errors++;
	}
}

/* Straight into the format, one line at a time, as a stream would give it. */
static struct read_run *feed_lines(const struct format *f, const char *text, size_t len,
				   bool fields)
{
	struct read_run *g = calloc(1, sizeof *g);
	assert_non_null(g);
	arena_init(&g->keep, 0);
	struct read_opts ro = {.fields = fields};
	struct line_feeder fd;
	feeder_open(&fd, f, &ro);
	feed_text(&fd, text, len, keep_line, g);
	feeder_close(&fd);
	return g;
}

/* Canonical value of ev by its JSON name, as text in buf[1024]; NULL when
 * absent. */
static const char *canon(const struct event *ev, const char *name, char *buf)
{
	return field_text(ev, name, buf, 1024) ? buf : NULL;
}

static const char *native(const struct event *ev, const char *name, char *buf)
{
	const struct field *f = event_field_find(ev, slice_cstr(name));
	if (!f)
		return NULL;
	static const char *const t[] = {"s", "n", "b", "null"};
	snprintf(buf, 1024, "%s:" SLICE_FMT, t[f->type], SLICE_ARG(f->value));
	return buf;
}

/* log, event index (0-based), canonical field, expected (NULL = absent) */
static const struct expect {
	const char *log;
	unsigned i;
	const char *field, *want;
} expects[] = {
    {"conn", 0, "time", "2024-03-01T12:00:00.123456Z"},
    {"conn", 0, "kind", "network"},
    {"conn", 0, "src_ip", "192.168.1.10"},
    {"conn", 0, "src_port", "49152"},
    {"conn", 0, "dst_ip", "93.184.216.34"},
    {"conn", 0, "dst_port", "443"},
    {"conn", 0, "proto", "tcp"},
    {"conn", 0, "app_proto", "ssl"},
    {"conn", 0, "duration_us", "12345678"},
    {"conn", 0, "bytes_out", "1024"},
    {"conn", 0, "bytes_in", "40960"},
    {"conn", 0, "conn_state", "SF"},
    {"conn", 1, "time", "2024-03-01T12:00:01.000001Z"},
    {"conn", 1, "duration_us", "21433"},
    {"conn", 2, "src_ip", "2001:db8::10"},
    {"conn", 2, "app_proto", NULL},
    {"conn", 2, "duration_us", NULL},
    {"conn", 2, "bytes_out", NULL},
    {"conn", 2, "conn_state", "S0"},
    {"dns", 0, "kind", "dns"},
    {"dns", 0, "domain", "www.example.com"},
    {"dns", 0, "dns_qtype", "A"},
    {"dns", 0, "dns_rcode", "NOERROR"},
    {"dns", 0, "app_proto", "dns"},
    {"dns", 0, "proto", "udp"},
    {"dns", 1, "domain", "c2.bad-domain.example"},
    {"dns", 1, "dns_qtype", "TXT"},
    {"dns", 1, "dns_rcode", "NXDOMAIN"},
    {"http", 0, "kind", "http"},
    {"http", 0, "domain", "update.example.net"},
    {"http", 0, "url", "/download/setup.exe?id=42&v=1"},
    {"http", 0, "http_method", "GET"},
    {"http", 0, "http_status", "200"},
    {"http", 0, "user_agent", "Mozilla/5.0 (Windows NT 10.0; Win64; x64)"},
    {"http", 0, "bytes_in", "73216"},
    {"http", 0, "user", NULL},
    {"http", 1, "user", "admin"},
    {"http", 1, "http_method", "POST"},
    {"http", 1, "http_status", "404"},
    {"http", 1, "user_agent", NULL},
    {"ssl", 0, "kind", "tls"},
    {"ssl", 0, "domain", "www.example.com"},
    {"ssl", 0, "ja3", "773906b0efdefa24a7f2b8eb6985bf37"},
    {"ssl", 0, "ja3s", "f4febc55ea12b31ae17cfb7e614afda8"},
    {"ssl", 0, "app_proto", "tls"},
    {"ssl", 1, "domain", NULL},
    {"x509", 0, "kind", "tls"},
    {"x509", 0, "time", "2024-03-01T12:00:06.100000Z"},
    {"x509", 0, "src_ip", NULL},
    {"files", 0, "kind", "file"},
    {"files", 0, "md5", "44d88612fea8a8f36de82e1278abb02f"},
    {"files", 0, "sha1", "3395856ce81f2b7382dee72602f798b642f14140"},
    {"files", 0, "sha256", "275a021bbfb6489e54d471899f7db9d1663fc695ec2fe2a2c4538aabf651fd0f"},
    {"files", 0, "file_path", "setup.exe"},
    {"files", 0, "src_ip", "203.0.113.80"},
    {"notice", 0, "kind", "alert"},
    {"notice", 0, "rule", "SSH::Password_Guessing"},
    {"notice", 0, "message",
     "198.51.100.23 appears to be guessing SSH passwords (seen in 30 connections)."},
    {"notice", 0, "src_ip", "198.51.100.23"}, /* from "src": no connection */
    {"notice", 0, "host", "zeek-sensor-1"},
    {"notice", 1, "rule", "SSL::Invalid_Server_Cert"},
    {"notice", 1, "src_ip", "192.168.1.10"},
    {"notice", 1, "dst_port", "443"},
    {"ssh", 0, "kind", "auth"},
    {"ssh", 0, "outcome", "failure"},
    {"ssh", 0, "src_ip", "198.51.100.23"},
    {"ssh", 0, "dst_ip", "192.168.1.20"},
    {"ssh", 0, "user_agent", "SSH-2.0-libssh_0.9.6"},
    {"ssh", 0, "service", "ssh"},
    {"ssh", 1, "kind", "auth"},
    {"ssh", 1, "outcome", "success"},
    {"ssh", 2, "kind", "network"}, /* auth_success unset: no verdict */
    {"ssh", 2, "outcome", NULL},
    {"ssh", 2, "service", NULL},
    {"weird", 0, "kind", "other"},
    {"weird", 0, "rule", "unknown_HTTP_method"},
    {"weird", 0, "message", "BREW"},
    {"weird", 0, "host", "zeek-sensor-1"},
    {"weird", 1, "rule", "truncated_IPv6"},
    {"weird", 1, "src_ip", NULL},
    {"kerberos", 0, "kind", "auth"},
    {"kerberos", 0, "outcome", "failure"},
    {"kerberos", 0, "user", "alice/CORP.EXAMPLE"},
    {"kerberos", 0, "message", "KDC_ERR_PREAUTH_FAILED"},
    {"kerberos", 0, "service", "kerberos"},
    {"kerberos", 1, "outcome", "success"},
    {"ntlm", 0, "kind", "auth"},
    {"ntlm", 0, "outcome", "failure"},
    {"ntlm", 0, "user", "Administrator"},
    {"ntlm", 0, "src_host", "WKSTN-07"},
    {"ntlm", 0, "dst_host", "fs01.corp.example"},
    {"rdp", 0, "kind", "network"},
    {"rdp", 0, "user", "administr"},
    {"rdp", 0, "app_proto", "rdp"},
    {"smtp", 0, "email", "hr@partner.example"},
    {"smtp", 0, "src_host", "mail.attacker.example"},
    {"smtp", 0, "message", "Updated salary table Q1"},
    {"smtp", 0, "user_agent", "Microsoft Outlook 16.0"},
    {"dhcp", 0, "src_ip", "192.168.1.31"}, /* assigned_addr: client_addr unset */
    {"dhcp", 0, "dst_ip", "192.168.1.1"},
    {"dhcp", 0, "src_host", "WKSTN-07"},
    {"dhcp", 0, "duration_us", "4512"},
    {"dce_rpc", 0, "dst_port", "49667"},
    {"dce_rpc", 0, "duration_us", "514"},
    {"dce_rpc", 0, "app_proto", "dce_rpc"},
    {"smb_files", 0, "kind", "file"},
    {"smb_files", 0, "file_path", "PSEXESVC.exe"},
    {"software", 0, "src_ip", "192.168.1.12"},
    {"software", 0, "src_port", NULL},
    {"known_hosts", 0, "src_ip", "192.168.1.77"},
    {"known_hosts", 0, "kind", "other"},
    {"intel", 0, "kind", "alert"},
    {"intel", 0, "message", "c2.bad-domain.example"},
    {"intel", 0, "rule", "Intel::DOMAIN"},
};

/* Native fields: TSV and JSON agree except where noted by a NULL. */
static const struct expect_native {
	const char *log;
	unsigned i;
	const char *field, *tsv, *json;
} natives[] = {
    {"conn", 0, "uid", "s:CHhAvVGS1DHFjwGM9", "s:CHhAvVGS1DHFjwGM9"},
    {"conn", 0, "id.resp_p", "n:443", "n:443"},
    {"conn", 0, "local_orig", "b:true", "b:true"},
    {"conn", 0, "duration", "n:12.345678", "n:12.345678"},
    {"conn", 0, "tunnel_parents", "null:", NULL}, /* JSON leaves unset out */
    {"dns", 0, "answers", "s:93.184.216.34,93.184.216.35", "s:93.184.216.34,93.184.216.35"},
    {"dns", 0, "TTLs", "s:3600.000000,3600.000000", "s:3600.0,3600.0"},
    {"http", 0, "tags", "s:", NULL}, /* (empty) vs [] */
    {"smb_files", 0, "path", "s:\\\\fs01\\ADMIN$", "s:\\\\fs01\\ADMIN$"},
    {"dce_rpc", 1, "named_pipe", "s:\\pipe\\ntsvcs", "s:\\pipe\\ntsvcs"},
    {"x509", 0, "certificate.subject",
     "s:CN=www.example.com,O=Example Inc.,L=Los Angeles,ST=California,C=US",
     "s:CN=www.example.com,O=Example Inc.,L=Los Angeles,ST=California,C=US"},
    {"x509", 0, "san.dns", "s:www.example.com,example.com", "s:www.example.com,example.com"},
    {"smtp", 0, "rcptto", "s:alice@corp.example,bob@corp.example",
     "s:alice@corp.example,bob@corp.example"},
};

static const char *const logs[] = {"conn",      "dns",      "http",        "ssl",   "x509",
				   "files",     "notice",   "ssh",         "weird", "kerberos",
				   "ntlm",      "rdp",      "smtp",        "dhcp",  "dce_rpc",
				   "smb_files", "software", "known_hosts", "intel"};

static void check_expects(const char *log, const struct read_run *g, const char *what)
{
	char buf[1024], name[64];
	int checked = 0;
	for (size_t i = 0; i < sizeof expects / sizeof expects[0]; i++) {
		const struct expect *e = &expects[i];
		if (strcmp(e->log, log))
			continue;
		if (e->i >= g->n)
			fail_msg("%s %s: event %u missing (%zu read)", what, log, e->i, g->n);
		const char *v = canon(&g->ev[e->i], e->field, buf);
		if (!e->want && v)
			fail_msg("%s %s[%u].%s = '%s', want absent", what, log, e->i, e->field, v);
		if (e->want && (!v || strcmp(v, e->want)))
			fail_msg("%s %s[%u].%s = '%s', want '%s'", what, log, e->i, e->field,
				 v ? v : "(absent)", e->want);
		checked++;
	}
	snprintf(name, sizeof name, "%s", log);
	assert_true(checked > 0);
}

static void test_each_log_type(void **state)
{
	for (size_t k = 0; k < sizeof logs / sizeof logs[0]; k++) {
		char name[64];
		snprintf(name, sizeof name, "pass_%s.log", logs[k]);
		struct read_run *t = read_path(data_path(name), NULL, true);
		assert_string_equal(t->src.format, "zeek");
		assert_int_equal(t->st.errors, 0);
		check_expects(logs[k], t, "tsv");
		snprintf(name, sizeof name, "pass_%s.json", logs[k]);
		struct read_run *j = read_path(data_path(name), NULL, true);
		assert_string_equal(j->src.format, "zeek_json");
		assert_int_equal(j->st.errors, 0);
		check_expects(logs[k], j, "json");
		assert_int_equal(t->n, j->n);
		got_free(t);
		got_free(j);
	}
}

static void test_native_fields(void **state)
{
	char b1[1024], b2[1024], name[64];
	for (size_t i = 0; i < sizeof natives / sizeof natives[0]; i++) {
		const struct expect_native *e = &natives[i];
		snprintf(name, sizeof name, "pass_%s.log", e->log);
		struct read_run *t = read_path(data_path(name), &format_zeek, true);
		snprintf(name, sizeof name, "pass_%s.json", e->log);
		struct read_run *j = read_path(data_path(name), &format_zeek_json, true);
		assert_true(e->i < t->n && e->i < j->n);
		const char *tv = native(&t->ev[e->i], e->field, b1);
		const char *jv = native(&j->ev[e->i], e->field, b2);
		if (!tv || strcmp(tv, e->tsv))
			fail_msg("tsv %s.%s = '%s', want '%s'", e->log, e->field, tv ? tv : "-",
				 e->tsv);
		if (e->json && (!jv || strcmp(jv, e->json)))
			fail_msg("json %s.%s = '%s', want '%s'", e->log, e->field, jv ? jv : "-",
				 e->json);
		if (!e->json && jv)
			fail_msg("json %s.%s = '%s', want absent", e->log, e->field, jv);
		got_free(t);
		got_free(j);
	}
}

/* Every row of the TSV fixture is one native field per column. */
static void test_fields_per_column(void **state)
{
	struct read_run *g = read_path(data_path("pass_conn.log"), NULL, true);
	assert_int_equal(g->n, 3);
	for (size_t i = 0; i < g->n; i++)
		assert_int_equal(g->ev[i].nfields, 21);
	got_free(g);
}

/* The IOC fast path: canonical fields the same, no native fields at all. */
static void test_no_native_fields(void **state)
{
	for (size_t k = 0; k < sizeof logs / sizeof logs[0]; k++) {
		char name[64];
		snprintf(name, sizeof name, "pass_%s.log", logs[k]);
		struct read_run *t = read_path(data_path(name), NULL, false);
		snprintf(name, sizeof name, "pass_%s.json", logs[k]);
		struct read_run *j = read_path(data_path(name), NULL, false);
		for (size_t i = 0; i < t->n; i++)
			assert_int_equal(t->ev[i].nfields, 0);
		for (size_t i = 0; i < j->n; i++)
			assert_int_equal(j->ev[i].nfields, 0);
		check_expects(logs[k], t, "tsv-fast");
		check_expects(logs[k], j, "json-fast");
		got_free(t);
		got_free(j);
	}
}

static void event_json(const struct event *ev, struct buf *out)
{
	buf_reset(out);
	assert_int_equal(event_to_json(ev, out), 0);
}

/* Whole file through the driver vs. line by line into the format. */
static void test_whole_vs_lines(void **state)
{
	static const char *const files[] = {"pass_conn.log",           "pass_ssh.log",
					    "pass_smb_files.log",      "pass_concat_rotated.log",
					    "pass_all_with_path.json", "pass_dns.json",
					    "fail_column_count.log",   "fail_json.json"};
	struct buf a = BUF_INIT, b = BUF_INIT;
	for (size_t k = 0; k < sizeof files / sizeof files[0]; k++) {
		size_t len;
		char *text = slurp(data_path(files[k]), &len);
		struct read_run *whole = read_path(data_path(files[k]), NULL, true);
		const struct format *f =
		    strcmp(whole->src.format, "zeek") ? &format_zeek_json : &format_zeek;
		struct read_run *lines = feed_lines(f, text, len, true);
		assert_int_equal(whole->n, lines->n);
		assert_int_equal(whole->st.errors, lines->st.errors);
		for (size_t i = 0; i < whole->n; i++) {
			whole->ev[i].raw = SLICE_NULL;
			event_json(&whole->ev[i], &a);
			event_json(&lines->ev[i], &b);
			assert_int_equal(a.len, b.len);
			assert_memory_equal(a.data, b.data, a.len);
		}
		got_free(whole);
		got_free(lines);
		free(text);
	}
	buf_free(&a);
	buf_free(&b);
}

static void test_concat_rotated(void **state)
{
	struct read_run *g = read_path(data_path("pass_concat_rotated.log"), NULL, true);
	assert_int_equal(g->n, 5);
	assert_int_equal(g->st.errors, 0);
	for (int i = 0; i < 3; i++)
		assert_int_equal(g->ev[i].kind, EK_NETWORK);
	for (int i = 3; i < 5; i++)
		assert_int_equal(g->ev[i].kind, EK_DNS);
	char buf[1024];
	assert_string_equal(canon(&g->ev[3], "domain", buf), "www.example.com");
	/* conn's columns are gone: dns has no conn_state column */
	assert_null(event_field_find(&g->ev[3], SLICE_LIT("conn_state")));
	assert_non_null(event_field_find(&g->ev[3], SLICE_LIT("qtype_name")));
	got_free(g);
}

static void test_fail_column_count(void **state)
{
	struct read_run *g = read_path(data_path("fail_column_count.log"), NULL, true);
	assert_int_equal(g->n, 2);
	assert_int_equal(g->st.errors, 2);
	/* The driver adds file and line; the reason names both counts. */
	assert_non_null(strstr(g->diags, "fail_column_count.log:10: row has 5 columns, #fields "
					 "declares 6"));
	assert_non_null(strstr(g->diags, "fail_column_count.log:11: row has 7 columns"));
	got_free(g);
}

static void test_fail_no_header(void **state)
{
	struct read_run *g = read_path(data_path("fail_no_fields.log"), &format_zeek, true);
	assert_int_equal(g->n, 0);
	assert_int_equal(g->st.errors, 2);
	assert_non_null(strstr(g->diags, "row before any #fields header"));
	got_free(g);
}

static void test_fail_json(void **state)
{
	struct read_run *g = read_path(data_path("fail_json.json"), NULL, true);
	assert_string_equal(g->src.format, "zeek_json");
	assert_int_equal(g->n, 2);
	assert_int_equal(g->st.errors, 2);
	got_free(g);
}

static void write_file(const char *path, const char *text)
{
	FILE *f = fopen(path, "wb");
	assert_non_null(f);
	fputs(text, f);
	fclose(f);
}

/* Escapes, markers, unknown log types, custom separators. */
static void test_tsv_values(void **state)
{
	static const char text[] = "#separator \\x09\n"
				   "#set_separator\t,\n"
				   "#empty_field\t(empty)\n"
				   "#unset_field\t-\n"
				   "#path\tmystery\n"
				   "#fields\tts\tid.orig_h\tid.resp_h\ta\tb\tc\td\n"
				   "#types\ttime\taddr\taddr\tstring\tstring\tstring\tcount\n"
				   "1709294400.5\tnot-an-ip\t10.0.0.2\tx\\x09y\\x5c\\x2d\t\\x2d\t"
				   "\\x28empty)\tzz\n"
				   "#separator \\x7c\n"
				   "#unset_field|NONE\n"
				   "#fields|ts|id.orig_h|note|msg\n"
				   "1709294401|NONE|Scan::Port_Scan|a\\x7cb\n";
	write_file(tmp_path("values.log"), text);
	struct read_run *g = read_path(tmp_path("values.log"), NULL, true);
	assert_int_equal(g->st.errors, 0);
	assert_int_equal(g->n, 2);
	char buf[1024];
	const struct event *e = &g->ev[0];
	assert_int_equal(e->kind, EK_OTHER);
	assert_int_equal(e->src_ip.family, IP_NONE); /* bad address: field empty, row kept */
	assert_string_equal(canon(e, "dst_ip", buf), "10.0.0.2");
	assert_string_equal(native(e, "a", buf), "s:x\ty\\-");
	assert_string_equal(native(e, "b", buf), "s:-"); /* an escaped "-" is not unset */
	assert_string_equal(native(e, "c", buf), "s:(empty)");
	assert_string_equal(native(e, "d", buf), "s:zz"); /* not a number: kept as text */
	e = &g->ev[1];
	assert_int_equal(e->kind, EK_ALERT); /* no #path: inferred from "note" */
	assert_string_equal(canon(e, "rule", buf), "Scan::Port_Scan");
	assert_string_equal(canon(e, "message", buf), "a|b");
	assert_string_equal(native(e, "id.orig_h", buf), "null:");
	assert_string_equal(canon(e, "time", buf), "2024-03-01T12:00:01Z");
	got_free(g);
}

static void test_tsv_bad_headers(void **state)
{
	static const struct {
		const char *text;
		int errors, events;
	} cases[] = {
	    {"#separator \\x09\\x09\n#fields\ta\n1\n", 2, 0},            /* two-byte separator */
	    {"#separator \\x09\n#types\tstring\n#fields\ta\n1\n", 1, 1}, /* types first */
	    {"#separator \\x09\n#fields\ta\tb\n#types\tstring\n1\t2\n", 1, 1},
	    {"#separator \\x09\n#fields\ta\t\tb\n1\t2\t3\n", 2, 0}, /* empty column name */
	    {"#separator \\x09\n#unset_field\t0123456789012345678901234567890123\n", 1, 0},
	    {"#separator \\x09\n#fields\tts\n#close\t2024\n\n1709294400\n", 0, 1},
	};
	for (size_t i = 0; i < sizeof cases / sizeof cases[0]; i++) {
		struct read_run *g =
		    feed_lines(&format_zeek, cases[i].text, strlen(cases[i].text), true);
		if (g->st.errors != (uint64_t)cases[i].errors || g->n != (size_t)cases[i].events)
			fail_msg("case %zu: %llu errors, %zu events", i,
				 (unsigned long long)g->st.errors, g->n);
		got_free(g);
	}
	/* More columns than AS_MAX_ZEEK_COLUMNS. */
	struct buf b = BUF_INIT;
	buf_puts(&b, "#separator \\x09\n#fields");
	for (unsigned i = 0; i <= AS_MAX_ZEEK_COLUMNS; i++)
		buf_printf(&b, "\tc%u", i);
	buf_puts(&b, "\n");
	struct read_run *g = feed_lines(&format_zeek, b.data, b.len, true);
	assert_int_equal(g->st.errors, 1);
	got_free(g);
	buf_free(&b);
}

static void test_json_values(void **state)
{
	static const char text[] =
	    "{\"_path\":\"conn\",\"_write_ts\":\"2024-03-01T12:00:05.000000Z\","
	    "\"ts\":\"2024-03-01T12:00:00.123456Z\",\"uid\":\"C1\",\"id.orig_h\":\"10.0.0.1\","
	    "\"id.orig_p\":1,\"id.resp_h\":\"10.0.0.2\",\"id.resp_p\":2,\"duration\":1e-05,"
	    "\"service\":\"http\",\"_node_name\":\"worker-1\",\"tunnel_parents\":[]}\n"
	    /* _path names dns although conn-looking columns are present */
	    "{\"_path\":\"dns\",\"ts\":1709294400,\"uid\":\"C2\",\"query\":\"a\\u0062c.example\","
	    "\"conn_state\":\"SF\",\"answers\":[\"1.2.3.4\",\"5.6\\u002e7.8\"],\"rejected\":null}\n"
	    /* unknown _path: inferred from the columns */
	    "{\"_path\":\"ssh_red\",\"ts\":1709294400.25,\"uid\":\"C3\",\"auth_success\":false}\n"
	    "{\"ts\":1709294400.25,\"uid\":\"C4\",\"nested\":{\"x\":{\"y\":1}},\"z\":[{\"k\":1}]}"
	    "\n";
	struct read_run *g = feed_lines(&format_zeek_json, text, sizeof text - 1, true);
	assert_int_equal(g->st.errors, 0);
	assert_int_equal(g->n, 4);
	char buf[1024];
	const struct event *e = &g->ev[0];
	assert_string_equal(canon(e, "time", buf), "2024-03-01T12:00:00.123456Z");
	assert_string_equal(canon(e, "duration_us", buf), "10");
	assert_string_equal(canon(e, "host", buf), "worker-1");
	assert_string_equal(canon(e, "app_proto", buf), "http");
	assert_null(native(e, "tunnel_parents", buf));
	assert_string_equal(native(e, "_path", buf), "s:conn");
	e = &g->ev[1];
	assert_int_equal(e->kind, EK_DNS);
	assert_string_equal(canon(e, "domain", buf), "abc.example");
	assert_null(canon(e, "conn_state", buf));
	assert_string_equal(native(e, "answers", buf), "s:1.2.3.4,5.6.7.8");
	assert_string_equal(native(e, "rejected", buf), "null:");
	e = &g->ev[2];
	assert_int_equal(e->kind, EK_AUTH);
	assert_int_equal(e->outcome, OUTCOME_FAILURE);
	e = &g->ev[3];
	assert_int_equal(e->kind, EK_OTHER);
	assert_string_equal(native(e, "nested.x.y", buf), "n:1");
	assert_string_equal(native(e, "z.k", buf), "n:1");
	got_free(g);
}

static void test_probes(void **state)
{
	static const struct {
		const char *head;
		const char *want; /* format detected, NULL for none of these two */
	} cases[] = {
	    {"#separator \\x09\n#set_separator\t,\n", "zeek"},
	    {"#fields\tts\tuid\n1\t2\n", "zeek"},
	    {"{\"ts\":1709294400.1,\"uid\":\"C1\",\"id.orig_h\":\"10.0.0.1\"}\n", "zeek_json"},
	    {"\n{\"_path\":\"x509\",\"ts\":\"2024-03-01T12:00:00Z\"}\n", "zeek_json"},
	    {"{\"timestamp\":\"2024-03-01T12:00:00Z\",\"event_type\":\"alert\",\"ts\":1,"
	     "\"uid\":\"x\"}\n",
	     NULL},
	    {"{\"ts\":1709294400.1,\"host\":\"a\"}\n", NULL},
	    {"{\"ts\":1709294400.1,\"certificate.subject\":\"CN=a\"}\n", "zeek_json"},
	    {"{\"ts\":1709294400.1,\"uid\":\"C1\",\"msg\":\"cut off in the middl", "zeek_json"},
	    {"# separator\n", NULL},
	    {"", NULL},
	};
	for (size_t i = 0; i < sizeof cases / sizeof cases[0]; i++) {
		struct slice h = slice_cstr(cases[i].head);
		int zs = format_zeek.probe(h), js = format_zeek_json.probe(h);
		const char *got = zs >= AS_PROBE_MIN && zs > js ? "zeek"
				  : js >= AS_PROBE_MIN          ? "zeek_json"
								: NULL;
		if ((got == NULL) != (cases[i].want == NULL) || (got && strcmp(got, cases[i].want)))
			fail_msg("probe case %zu: got %s", i, got ? got : "none");
	}
	/* The documented scores other readers are weighed against. */
	assert_int_equal(format_zeek.probe(SLICE_LIT("#separator \\x09\n")), 95);
	assert_int_equal(format_zeek_json.probe(SLICE_LIT("{\"ts\":1,\"_path\":\"conn\"}")), 80);
}

static void test_mapping_table(void **state)
{
	static const struct {
		enum zeek_log log;
		const char *name;
		uint8_t op, arg;
	} cases[] = {
	    {ZEEK_LOG_CONN, "ts", ZOP_TIME, 0},
	    {ZEEK_LOG_UNKNOWN, "id.orig_h", ZOP_SRC_IP, 0},
	    {ZEEK_LOG_DNS, "id.resp_p", ZOP_NUM, EN_DST_PORT},
	    {ZEEK_LOG_HTTP, "host", ZOP_STR, ES_DOMAIN},
	    {ZEEK_LOG_KNOWN_HOSTS, "host", ZOP_SRC_IP, 0},
	    {ZEEK_LOG_CONN, "host", ZOP_NONE, 0},
	    {ZEEK_LOG_CONN, "duration", ZOP_INTERVAL, EN_DURATION_US},
	    {ZEEK_LOG_NOTICE, "src", ZOP_SRC_IP | ZOP_IF_ABSENT, 0},
	    {ZEEK_LOG_SSH, "client", ZOP_STR, ES_USER_AGENT},
	    {ZEEK_LOG_KERBEROS, "client", ZOP_STR, ES_USER},
	    {ZEEK_LOG_SSL, "ja3s", ZOP_STR, ES_JA3S},
	    {ZEEK_LOG_CONN, "no_such_column", ZOP_NONE, 0},
	};
	for (size_t i = 0; i < sizeof cases / sizeof cases[0]; i++) {
		struct zeek_target t = zeek_map_column(cases[i].log, slice_cstr(cases[i].name));
		if (t.op != cases[i].op || (t.op != ZOP_NONE && t.arg != cases[i].arg))
			fail_msg("%s/%s: op %u arg %u", zeek_log_name(cases[i].log), cases[i].name,
				 t.op, t.arg);
	}
	static const struct {
		const char *path;
		enum zeek_log log;
	} paths[] = {{"conn", ZEEK_LOG_CONN},
		     {"smb_files", ZEEK_LOG_SMB_FILES},
		     {"conn_summary", ZEEK_LOG_UNKNOWN},
		     {"", ZEEK_LOG_UNKNOWN}};
	for (size_t i = 0; i < sizeof paths / sizeof paths[0]; i++)
		assert_int_equal(zeek_log_from_path(slice_cstr(paths[i].path)), paths[i].log);
	static const struct {
		const char *s;
		int64_t us;
		int rc;
	} iv[] = {{"0.000345", 345, 0},  {"12", 12000000, 0}, {"1.2345678", 1234567, 0},
		  {"-0.5", -500000, 0},  {"1e-05", 10, 0},    {"", 0, AS_EPARSE},
		  {"abc", 0, AS_EPARSE}, {".", 0, AS_EPARSE}};
	for (size_t i = 0; i < sizeof iv / sizeof iv[0]; i++) {
		int64_t us = 0;
		assert_int_equal(zeek_interval_parse(slice_cstr(iv[i].s), &us), iv[i].rc);
		if (!iv[i].rc)
			assert_int_equal(us, iv[i].us);
	}
}

static void gz_write(const char *path, const char *data, size_t n)
{
	gzFile g = gzopen(path, "wb");
	assert_non_null(g);
	assert_int_equal(gzwrite(g, data, (unsigned)n), (int)n);
	gzclose(g);
}

/* Hourly logs as Zeek rotates them: conn.12:00:00-13:00:00.log.gz. */
static void test_gzip(void **state)
{
	size_t len;
	char *text = slurp(data_path("pass_conn.log"), &len);
	gz_write(tmp_path("conn.12:00:00-13:00:00.log.gz"), text, len);
	struct read_run *g = read_path(tmp_path("conn.12:00:00-13:00:00.log.gz"), NULL, true);
	assert_string_equal(g->src.format, "zeek");
	assert_int_equal(g->n, 3);
	assert_int_equal(g->st.errors, 0);
	check_expects("conn", g, "gzip");
	got_free(g);
	free(text);
}

static void test_gzip_truncated(void **state)
{
	/* Enough distinct rows that half the compressed file holds some. */
	struct buf b = BUF_INIT;
	buf_puts(&b, "#separator \\x09\n#path\tconn\n#fields\tts\tuid\tid.orig_h\tconn_state\n");
	for (unsigned i = 0; i < 3000; i++)
		buf_printf(&b, "%u.%06u\tC%08x\t10.%u.%u.%u\tSF\n", 1709294400 + i,
			   i * 7919 % 1000000, i * 2654435761u, i >> 8 & 255, i & 255,
			   i * 13 & 255);
	const char *full = tmp_path("full.log.gz");
	gz_write(full, b.data, b.len);
	size_t n;
	char *gz = slurp(full, &n);
	FILE *f = fopen(tmp_path("cut.log.gz"), "wb");
	assert_int_equal(fwrite(gz, 1, n / 2, f), n / 2);
	fclose(f);
	struct read_run *g = read_path(tmp_path("cut.log.gz"), NULL, false);
	assert_string_equal(g->src.format, "zeek");
	assert_true(g->st.events > 0);    /* kept what it held */
	assert_true(g->st.events < 3000); /* but not the lost half */
	assert_true(g->st.errors >= 1);   /* and said so */
	assert_non_null(strstr(g->diags, "truncated"));
	got_free(g);
	free(gz);
	buf_free(&b);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
	    cmocka_unit_test(test_each_log_type),
	    cmocka_unit_test(test_native_fields),
	    cmocka_unit_test(test_fields_per_column),
	    cmocka_unit_test(test_no_native_fields),
	    cmocka_unit_test(test_whole_vs_lines),
	    cmocka_unit_test(test_concat_rotated),
	    cmocka_unit_test(test_fail_column_count),
	    cmocka_unit_test(test_fail_no_header),
	    cmocka_unit_test(test_fail_json),
	    cmocka_unit_test(test_tsv_values),
	    cmocka_unit_test(test_tsv_bad_headers),
	    cmocka_unit_test(test_json_values),
	    cmocka_unit_test(test_probes),
	    cmocka_unit_test(test_mapping_table),
	    cmocka_unit_test(test_gzip),
	    cmocka_unit_test(test_gzip_truncated),
	};
	return cmocka_run_group_tests(tests, setup, teardown);
}
