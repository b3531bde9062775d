/*
 * test_read_syslog.c — the syslog reader (RFC 3164, RFC 5424, rsyslog ISO
 * time) and the journald JSON reader.
 *
 * Header tests are a table: one line, the year the reader is told, and the
 * expected fields as "key=value" pairs joined by '|' (time, host, service,
 * pid, message, kind, outcome, user, and "@name" for a native field; an
 * empty value means "absent"). Year inference is checked with files dated by
 * read_opts.file_mtime_us, and across a Dec → Jan rollover.
 *
 * tests/data/syslog/pass_auth_mixed.log is a day-boundary auth.log of 445
 * lines: an SSH brute force (40 tries against root from one address, each
 * echoed by pam_unix, in connections of six that end with sshd's "maximum
 * authentication attempts" summary), a spray of 30 invalid users from
 * another address, 8 public-key log-ins, sudo (5 commands, one 3-try
 * failure), su (one failure, one success), two console log-in failures,
 * scanners without an SSH banner, cron and logind noise. Counted by hand:
 * 74 failures (40 + 30 + 1 + 1 + 2), 14 successes (8 + 5 + 1), of the
 * failures 30 with an invalid user. It is read through the reader driver
 * and again line by line; both must agree.
 */
#include "core/error.h"
#include "read_test.h"

extern const struct format format_syslog;
extern const struct format format_journal;
extern const struct format format_jsonl;

static const char *data_path(const char *name)
{
	return test_data_path("syslog", name);
}

/* One line to the format through the feeder (read_test.h); a rejection must
 * carry its code. */
static int feed(struct line_feeder *fd, const char *line)
{
	int rc = feeder_line(fd, line, strlen(line));
	if (rc < 0)
		assert_int_equal(fd->why.code, rc);
	return rc;
}

/* ---- expectations ------------------------------------------------------- */

/* Here an empty value means "absent" and outcome is always present, unlike
 * read_test.h's check_event(). */

static bool syslog_field_text(const struct event *ev, const char *key, char *out, size_t cap)
{
	out[0] = 0;
	if (key[0] == '@') {
		const struct field *f = event_field_find(ev, slice_cstr(key + 1));
		if (!f)
			return false;
		snprintf(out, cap, SLICE_FMT, SLICE_ARG(f->value));
		return true;
	}
	if (strcmp(key, "kind") == 0) {
		snprintf(out, cap, "%s", event_kind_name((enum event_kind)ev->kind));
		return true;
	}
	if (strcmp(key, "outcome") == 0) {
		snprintf(out, cap, "%s", outcome_name((enum outcome)ev->outcome));
		return true;
	}
	if (strcmp(key, "time") == 0) {
		char t[AS_TIME_STRLEN];
		if (ev->time == AS_TIME_NONE)
			return false;
		snprintf(out, cap, "%s", time_format(ev->time, t));
		return true;
	}
	if (strcmp(key, "src_ip") == 0) {
		char t[IP_STRLEN];
		if (ev->src_ip.family == IP_NONE)
			return false;
		snprintf(out, cap, "%s", ip_format(&ev->src_ip, t));
		return true;
	}
	for (int k = 0; k < EN_COUNT; k++)
		if (strcmp(key, event_num_name((enum event_num)k)) == 0) {
			if (!event_has_num(ev, (enum event_num)k))
				return false;
			snprintf(out, cap, "%lld", (long long)ev->num[k]);
			return true;
		}
	for (int k = 0; k < ES_COUNT; k++)
		if (strcmp(key, event_str_name((enum event_str)k)) == 0) {
			if (!ev->str[k].ptr)
				return false;
			snprintf(out, cap, SLICE_FMT, SLICE_ARG(ev->str[k]));
			return true;
		}
	fail_msg("unknown key %s", key);
	return false;
}

static void syslog_check_event(const struct event *ev, const char *want, const char *what)
{
	char buf[1024];
	snprintf(buf, sizeof buf, "%s", want);
	for (char *save = NULL, *kv = strtok_r(buf, "|", &save); kv;
	     kv = strtok_r(NULL, "|", &save)) {
		char *eq = strchr(kv, '=');
		assert_non_null(eq);
		*eq = 0;
		char have[512];
		bool present = syslog_field_text(ev, kv, have, sizeof have);
		if (!eq[1] ? present : !present || strcmp(have, eq + 1) != 0)
			fail_msg("%s: %s is \"%s\"%s, want \"%s\"", what, kv, have,
				 present ? "" : " (absent)", eq + 1);
	}
}

/* ---- headers ------------------------------------------------------------ */

struct hdr_row {
	const char *line;
	int year;
	const char *want; /* NULL: rejected */
};

static const struct hdr_row hdr_rows[] = {
    {"Mar  1 12:00:00 web1 sshd[812]: Failed password for root from 203.0.113.5 port 51234 ssh2",
     2024,
     "time=2024-03-01T12:00:00Z|host=web1|service=sshd|pid=812|kind=auth|outcome=failure|user="
     "root|src_ip=203.0.113.5|src_port=51234|@program=sshd|@pid=812|@hostname=web1|@timestamp=Mar  "
     "1 12:00:00|@facility="},
    {"<38>Mar 11 02:03:04 web1 sshd[1]: Accepted password for bob from 192.0.2.1 port 2 ssh2", 2023,
     "time=2023-03-11T02:03:04Z|@facility=auth|@severity=info|outcome=success|user=bob"},
    {"Mar  1 12:00:00.250 web1 CRON[99]: (root) CMD (true)", 2024,
     "time=2024-03-01T12:00:00.250000Z|service=CRON|pid=99|message=(root) CMD (true)|kind=other"},
    {"Mar  1 12:00:00 web1 kernel: [  12.5] eth0: link up", 2024,
     "service=kernel|pid=|message=[  12.5] eth0: link up|host=web1"},
    {"Mar  1 12:00:00 web1 last message repeated 3 times", 2024,
     "host=web1|service=|message=last message repeated 3 times"},
    {"Mar  1 12:00:00 sshd[7]: Invalid user a from 192.0.2.7 port 1", 2024,
     "host=|service=sshd|pid=7|user=a|outcome=unknown|@auth_note=announces a user; attempts are "
     "counted on the Failed/Accepted lines"},
    {"Mar  1 12:00:00 web1 postfix/smtpd[2001]: connect from unknown[203.0.113.150]", 2024,
     "service=postfix/smtpd|pid=2001|kind=other"},
    {"Feb 29 01:00:00 web1 x: leap", 2024, "time=2024-02-29T01:00:00Z"},
    {"Feb 29 01:00:00 web1 x: not a leap year", 2023, NULL},
    {"2024-03-01T12:00:00.123456+01:00 web1 sshd[812]: Accepted password for alice from "
     "198.51.100.20 port 52100 ssh2",
     0, "time=2024-03-01T11:00:00.123456Z|host=web1|outcome=success|user=alice"},
    {"<86>2024-03-01T12:00:03.5Z web1 vsftpd[77]: [pid 78] [ftp] FAIL LOGIN: Client "
     "\"::ffff:203.0.113.7\"",
     0, "@severity=info|@facility=authpriv|service=vsftpd|user=ftp|src_ip=203.0.113.7"},
    {"<34>1 2003-10-11T22:14:15.003Z mymachine.example.com su - ID47 - 'su root' failed for "
     "lonvick on /dev/pts/8",
     0,
     "time=2003-10-11T22:14:15.003000Z|host=mymachine.example.com|service=su|pid=|@msgid=ID47|"
     "message='su root' failed for lonvick on /dev/pts/8|@facility=auth|@severity=crit"},
    {"<165>1 2003-10-11T22:14:15.003Z h evntslog - ID47 [exampleSDID@32473 iut=\"3\" "
     "eventSource=\"Application\"][p@1 class=\"high\"] \xEF\xBB\xBF"
     "An entry",
     0,
     "@exampleSDID@32473.iut=3|@exampleSDID@32473.eventSource=Application|@p@1.class=high|message="
     "An entry"},
    {"<38>1 2024-03-01T12:00:02Z h sshd 5 - [x@1 a=\"[b\\]\" q=\"say \\\"hi\\\"\" r=\"c:\\\\d\"] "
     "Accepted publickey for git from 192.0.2.2 port 55555 ssh2: RSA SHA256:abc",
     0, "@x@1.a=[b]|@x@1.q=say \"hi\"|@x@1.r=c:\\d|user=git|outcome=success|pid=5"},
    {"<86>1 - - - - - -", 0, "time=|host=|service=|message="},
    {"<38>1 2024-03-01T12:00:02Z h sshd 5 - [x@1 a=\"b] msg", 0, NULL},
    {"<38>1 2024-03-01T12:00:02Z h sshd 5 - [x@1 a=b] msg", 0, NULL},
    {"<38>1 2024-03-01T12:00:02Z h sshd", 0, NULL},
    {"<999>Mar  1 12:00:00 web1 x: y", 2024, NULL},
    {"<12", 2024, NULL},
    {"Foo  1 12:00:00 web1 x: y", 2024, NULL},
    {"Mar  1 12:00", 2024, NULL},
    {"2024-13-45T99:00:00Z web1 sshd[812]: x", 0, NULL},
    {"{\"MESSAGE\":\"not syslog\"}", 0, NULL},
};

static void test_headers(void **state)
{
	(void)state;
	for (size_t i = 0; i < sizeof hdr_rows / sizeof hdr_rows[0]; i++) {
		const struct hdr_row *r = &hdr_rows[i];
		for (int fields = 1; fields >= 0; fields--) {
			struct read_opts ro = {.fields = fields,
					       .default_year = r->year,
					       .file_mtime_us = AS_TIME_NONE};
			struct line_feeder fd;
			feeder_open(&fd, &format_syslog, &ro);
			int rc = feed(&fd, r->line);
			char what[160];
			snprintf(what, sizeof what, "row %zu fields=%d", i, fields);
			if (!r->want) {
				if (rc >= 0)
					fail_msg("%s: accepted, want rejected", what);
				assert_true(fd.why.msg[0] != 0);
			} else {
				if (rc != LINE_EVENT)
					fail_msg("%s: rc %d (%s)", what, rc, fd.why.msg);
				if (fields) {
					syslog_check_event(&fd.ev, r->want, what);
				} else {
					assert_int_equal(fd.ev.nfields, 0);
					/* canonical keys only */
					char w[1024], keep[1024] = "";
					snprintf(w, sizeof w, "%s", r->want);
					for (char *s = NULL, *kv = strtok_r(w, "|", &s); kv;
					     kv = strtok_r(NULL, "|", &s))
						if (kv[0] != '@') {
							strcat(keep, keep[0] ? "|" : "");
							strcat(keep, kv);
						}
					if (keep[0])
						syslog_check_event(&fd.ev, keep, what);
				}
			}
			feeder_close(&fd);
		}
	}
}

/* ---- year inference ----------------------------------------------------- */

static int64_t at(int y, int mo, int d)
{
	return time_days_from_civil(y, (unsigned)mo, (unsigned)d) * 86400LL * 1000000;
}

static void year_case(int64_t mtime, int default_year, const char *const *lines,
		      const char *const *want)
{
	struct read_opts ro = {.default_year = default_year, .file_mtime_us = mtime};
	struct line_feeder fd;
	feeder_open(&fd, &format_syslog, &ro);
	for (size_t i = 0; lines[i]; i++) {
		assert_int_equal(feed(&fd, lines[i]), LINE_EVENT);
		char t[AS_TIME_STRLEN];
		time_format(fd.ev.time, t);
		if (strncmp(t, want[i], strlen(want[i])) != 0)
			fail_msg("line %zu \"%s\": %s, want %s", i, lines[i], t, want[i]);
	}
	feeder_close(&fd);
}

static void test_year(void **state)
{
	(void)state;
	/* the file's mtime gives the year */
	const char *a[] = {"Mar  1 12:00:00 h x: a", "Mar  2 12:00:00 h x: b", NULL};
	const char *aw[] = {"2021-03-01", "2021-03-02"};
	year_case(at(2021, 6, 1), 0, a, aw);
	/* a December log read (modified) in January belongs to the year before,
	 * and rolls into the mtime's year at Jan */
	const char *b[] = {"Dec 30 23:00:00 h x: a", "Dec 31 23:59:59 h x: b",
			   "Jan  1 00:00:01 h x: c", "Jan  3 08:00:00 h x: d", NULL};
	const char *bw[] = {"2022-12-30", "2022-12-31", "2023-01-01", "2023-01-03"};
	year_case(at(2023, 1, 4), 0, b, bw);
	/* one day of slack after mtime (clock skew, time zones) stays in the year */
	const char *c[] = {"Jan  5 10:00:00 h x: a", NULL};
	const char *cw[] = {"2023-01-05"};
	year_case(at(2023, 1, 4) + 12 * 3600LL * 1000000, 0, c, cw);
	/* default_year wins over mtime, and still rolls over */
	const char *d[] = {"Nov 30 10:00:00 h x: a", "Dec 31 10:00:00 h x: b",
			   "Jan  1 10:00:00 h x: c", NULL};
	const char *dw[] = {"2019-11-30", "2019-12-31", "2020-01-01"};
	year_case(at(2023, 1, 4), 2019, d, dw);
	/* a line a little out of order does not roll the year */
	const char *e[] = {"Mar  1 00:00:00 h x: a", "Feb 28 23:59:59 h x: b",
			   "Mar  1 00:00:02 h x: c", NULL};
	const char *ew[] = {"2020-03-01", "2020-02-28", "2020-03-01"};
	year_case(AS_TIME_NONE, 2020, e, ew);
	/* two rollovers in one long file */
	const char *f[] = {"Dec 31 00:00:00 h x: a", "Jan  1 00:00:00 h x: b",
			   "Jul  1 00:00:00 h x: c", "Dec 31 00:00:00 h x: d",
			   "Jan  1 00:00:00 h x: e", NULL};
	const char *fw[] = {"2010-12-31", "2011-01-01", "2011-07-01", "2011-12-31", "2012-01-01"};
	year_case(AS_TIME_NONE, 2010, f, fw);
}

/* ---- whole files -------------------------------------------------------- */

struct counts {
	uint64_t events, errors, failures, successes, invalid_failures, auth_other, noted;
	int64_t first, last;
};

static void count_event(struct counts *c, const struct event *ev)
{
	if (c->events == 0)
		c->first = ev->time;
	c->last = ev->time;
	c->events++;
	if (ev->kind != EK_AUTH)
		return;
	if (ev->outcome == OUTCOME_FAILURE) {
		c->failures++;
		c->invalid_failures += ev->user_invalid;
	} else if (ev->outcome == OUTCOME_SUCCESS) {
		c->successes++;
	} else {
		c->auth_other++;
	}
	if (event_field_find(ev, SLICE_LIT("auth_note")))
		c->noted++;
}

static void count_each(void *ctx, const struct event *ev)
{
	count_event(ctx, ev);
}

static void read_whole(const char *name, const struct format *force, int year, bool fields,
		       struct counts *c, const struct format **detected)
{
	memset(c, 0, sizeof *c);
	struct read_opts ro = {.fields = fields, .default_year = year};
	struct read_run run;
	if (read_run(&run, data_path(name), force, &ro, count_each, c))
		fail_msg("%s: %s", name, run.open_msg);
	if (detected)
		*detected = run.fmt;
	assert_int_equal(run.end_rc, 0);
	assert_int_equal(run.st.events, c->events);
	c->errors = run.st.errors;
	read_run_free(&run);
}

static void count_line(void *ctx, int rc, const struct line_feeder *fd)
{
	if (rc < 0)
		assert_int_equal(fd->why.code, rc);
	if (rc == LINE_EVENT)
		count_event(ctx, &fd->ev);
	else if (rc < 0)
		((struct counts *)ctx)->errors++;
}

static void read_lines(const char *name, const struct format *f, int year, bool fields,
		       struct counts *c)
{
	memset(c, 0, sizeof *c);
	size_t len;
	char *text = slurp(data_path(name), &len);
	struct read_opts ro = {
	    .fields = fields, .default_year = year, .file_mtime_us = AS_TIME_NONE};
	struct line_feeder fd;
	feeder_open(&fd, f, &ro);
	feed_text(&fd, text, len, count_line, c);
	free(text);
	feeder_close(&fd);
}

static void test_auth_fixture(void **state)
{
	(void)state;
	for (int fields = 1; fields >= 0; fields--) {
		struct counts w, l;
		const struct format *det = NULL;
		read_whole("pass_auth_mixed.log", NULL, 2023, fields, &w, &det);
		assert_ptr_equal(det, &format_syslog);
		assert_int_equal(w.events, 445);
		assert_int_equal(w.errors, 0);
		assert_int_equal(w.failures, 74);
		assert_int_equal(w.successes, 14);
		assert_int_equal(w.invalid_failures, 30);
		if (fields)
			assert_int_equal(w.noted, w.auth_other);
		char t[AS_TIME_STRLEN];
		assert_string_equal(time_format(w.first, t), "2023-12-31T23:45:04Z");
		assert_true(strncmp(time_format(w.last, t), "2024-01-01T00:", 14) == 0);

		read_lines("pass_auth_mixed.log", &format_syslog, 2023, fields, &l);
		assert_int_equal(l.events, w.events);
		assert_int_equal(l.failures, w.failures);
		assert_int_equal(l.successes, w.successes);
		assert_int_equal(l.invalid_failures, w.invalid_failures);
		assert_int_equal(l.auth_other, w.auth_other);
		assert_int_equal(l.first, w.first);
		assert_int_equal(l.last, w.last);
	}
}

static void test_other_fixtures(void **state)
{
	(void)state;
	struct counts c;
	const struct format *det = NULL;
	read_whole("pass_rfc5424.log", NULL, 0, true, &c, &det);
	assert_ptr_equal(det, &format_syslog);
	assert_int_equal(c.events, 7);
	assert_int_equal(c.errors, 0);
	assert_int_equal(c.failures, 1);
	assert_int_equal(c.successes, 1);

	read_whole("pass_rsyslog_iso.log", NULL, 0, true, &c, &det);
	assert_ptr_equal(det, &format_syslog);
	assert_int_equal(c.events, 5);
	assert_int_equal(c.errors, 0);
	assert_int_equal(c.failures, 2);
	assert_int_equal(c.successes, 1);

	/* bad lines are rejected one by one and reading goes on */
	read_whole("fail_mixed.log", &format_syslog, 2024, true, &c, NULL);
	assert_int_equal(c.events, 4);
	assert_int_equal(c.errors, 5);
	assert_int_equal(c.failures, 3);

	read_whole("pass_journal.json", NULL, 0, true, &c, &det);
	assert_ptr_equal(det, &format_journal);
	assert_int_equal(c.events, 5);
	assert_int_equal(c.errors, 0);
	assert_int_equal(c.failures, 2);
	assert_int_equal(c.successes, 1);
	assert_int_equal(c.auth_other, 1);
}

/* ---- probes ------------------------------------------------------------- */

static void test_probe(void **state)
{
	(void)state;
	struct {
		const char *head;
		int syslog_min, syslog_max, journal;
	} rows[] = {
	    {"Mar  1 12:00:00 h sshd[1]: a\nMar  1 12:00:01 h sshd[1]: b\n", 60, 70, 0},
	    {"<34>1 2003-10-11T22:14:15.003Z h su - ID47 - x\n", 60, 70, 0},
	    {"2024-03-01T12:00:00.123456+01:00 h sshd[812]: x\n", 60, 70, 0},
	    {"Mar  1 12:00:00 h sshd[1]: a\nMar  1 12:0", 60, 70, 0}, /* cut mid-line */
	    {"{\"__CURSOR\":\"s=1\",\"__REALTIME_TIMESTAMP\":\"1\",\"MESSAGE\":\"x\"}\n", 0, 0, 90},
	    {"{\"__REALTIME_TIMESTAMP\":\"1709294400123456\",\"MESSAGE\":\"x\"", 0, 0, 90},
	    {"{\"timestamp\":\"2024-03-01T12:00:00Z\",\"message\":\"x\"}\n", 0, 0, 0},
	    {"192.0.2.1 - - [10/Oct/2000:13:55:36 -0700] \"GET / HTTP/1.0\" 200 2326\n", 0, 0, 0},
	    {"hello\nworld\nfoo\n", 0, 0, 0},
	    {"", 0, 0, 0},
	};
	for (size_t i = 0; i < sizeof rows / sizeof rows[0]; i++) {
		struct slice h = slice_cstr(rows[i].head);
		int s = format_syslog.probe(h), j = format_journal.probe(h);
		if (s < rows[i].syslog_min || s > rows[i].syslog_max)
			fail_msg("row %zu: syslog probe %d", i, s);
		assert_int_equal(j, rows[i].journal);
		/* the generic JSON reader scores below both on their data */
		if (s || j)
			assert_true(format_jsonl.probe(h) < (s > j ? s : j));
	}
}

/* ---- journald ----------------------------------------------------------- */

static void test_journal_lines(void **state)
{
	(void)state;
	struct {
		const char *line;
		const char *want;
	} rows[] = {
	    {"{\"__CURSOR\":\"s=1\",\"__REALTIME_TIMESTAMP\":\"1709294400123456\",\"PRIORITY\":"
	     "\"6\","
	     "\"SYSLOG_IDENTIFIER\":\"sshd\",\"_PID\":\"812\",\"_HOSTNAME\":\"bastion\","
	     "\"MESSAGE\":"
	     "\"Failed password for invalid user admin from 203.0.113.5 port 40022 ssh2\"}",
	     "time=2024-03-01T12:00:00.123456Z|host=bastion|service=sshd|pid=812|kind=auth|outcome="
	     "failure|user=admin|src_ip=203.0.113.5|src_port=40022|@PRIORITY=6|@__CURSOR=s=1"},
	    {"{\"__REALTIME_TIMESTAMP\":\"1709294403000000\",\"_COMM\":\"sshd\",\"SYSLOG_PID\":"
	     "\"9\","
	     "\"MESSAGE\":[70,97,105,108,101,100,32,112,97,115,115,119,111,114,100,32,102,111,114,"
	     "32,"
	     "114,111,255,116,32,102,114,111,109,32,49,57,50,46,48,46,50,46,57,32,112,111,114,116,"
	     "32,"
	     "50,50,32,115,115,104,50]}",
	     "service=sshd|pid=9|outcome=failure|user=ro\xFFt|src_ip=192.0.2.9|@MESSAGE=Failed "
	     "password for ro\xFFt from 192.0.2.9 port 22 ssh2"},
	    {"{\"__REALTIME_TIMESTAMP\":\"1\",\"_SYSTEMD_UNIT\":\"cron.service\",\"MESSAGE\":"
	     "\"a\\\"b "
	     "\\u00e9\"}",
	     "service=cron.service|message=a\"b "
	     "\xC3\xA9|kind=other|time=1970-01-01T00:00:00.000001Z"},
	    {"{\"__REALTIME_TIMESTAMP\":\"1\",\"SYSLOG_IDENTIFIER\":\"sudo\",\"MESSAGE\":\"   bob "
	     ": 3 "
	     "incorrect password attempts ; TTY=pts/1 ; PWD=/ ; USER=root ; COMMAND=/bin/sh\"}",
	     "outcome=failure|user=bob|@auth_attempts=3"},
	    {"{\"MESSAGE\":\"x\",\"MESSAGE\":\"y\"}", "message=x"},
	};
	for (int fields = 1; fields >= 0; fields--) {
		struct read_opts ro = {.fields = fields};
		struct line_feeder fd;
		feeder_open(&fd, &format_journal, &ro);
		for (size_t i = 0; i < sizeof rows / sizeof rows[0]; i++) {
			int rc = feed(&fd, rows[i].line);
			if (rc != LINE_EVENT)
				fail_msg("row %zu: rc %d %s", i, rc, fd.why.msg);
			char what[64];
			snprintf(what, sizeof what, "journal row %zu fields=%d", i, fields);
			if (fields)
				syslog_check_event(&fd.ev, rows[i].want, what);
			else
				assert_int_equal(fd.ev.nfields, 0);
		}
		/* bad JSON is rejected with a reason, and the next line still reads */
		assert_true(feed(&fd, "{\"MESSAGE\":") < 0);
		assert_true(fd.why.msg[0] != 0);
		assert_true(feed(&fd, "not json") < 0);
		assert_true(feed(&fd, "{\"MESSAGE\":[300]}") < 0);
		assert_true(feed(&fd, "{\"MESSAGE\":[1.5]}") < 0);
		assert_int_equal(feed(&fd, "{\"MESSAGE\":\"ok\"}"), LINE_EVENT);
		feeder_close(&fd);
	}
}

int main(void)
{
	const struct CMUnitTest tests[] = {
	    cmocka_unit_test(test_headers),      cmocka_unit_test(test_year),
	    cmocka_unit_test(test_auth_fixture), cmocka_unit_test(test_other_fixtures),
	    cmocka_unit_test(test_probe),        cmocka_unit_test(test_journal_lines),
	};
	return cmocka_run_group_tests(tests, NULL, NULL);
}
