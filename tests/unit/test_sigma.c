/* test_sigma.c — the Sigma engine: modifiers, conditions, logsources, loading, alerts. */
#include <dirent.h>
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <sys/time.h>
#include <time.h>
#include <unistd.h>

#include <cmocka.h>
#include <jansson.h>

#include "core/buf.h"
#include "core/error.h"
#include "core/hash.h"
#include "core/limits.h"
#include "detect/sigma/sigma.h"
#include "detect/sigma/sigma_int.h"
#include "event/fieldname.h"
#include "read/reader.h"
#include "read/walk.h"

/* ---- helpers ---- */

struct collect {
	struct alert_sink sink;
	struct alert *alerts[64];
	size_t n;
};

static int collect_emit(struct alert_sink *s, struct alert *a)
{
	struct collect *c = (struct collect *)s;
	if (c->n < 64)
		c->alerts[c->n++] = a;
	else
		alert_free(a);
	return 0;
}

static void collect_free(struct collect *c)
{
	for (size_t i = 0; i < c->n; i++)
		alert_free(c->alerts[i]);
	c->n = 0;
}

/* Native fields from a flat JSON object; "_format" sets the reader name. */
static void event_from_json(struct event *ev, struct arena *a, struct source *src, const char *js)
{
	json_error_t jerr;
	json_t *o = json_loads(js, 0, &jerr);
	if (!o)
		fail_msg("bad test JSON %s: %s", js, jerr.text);
	event_clear(ev);
	src->format = "evtx";
	src->path = "test.evtx";
	const char *k;
	json_t *v;
	json_object_foreach(o, k, v)
	{
		if (!strcmp(k, "_time")) {
			ev->time = (int64_t)json_integer_value(v) * 1000000;
			continue;
		}
		if (!strcmp(k, "_format")) {
			src->format =
			    arena_strndup(a, json_string_value(v), strlen(json_string_value(v)));
			continue;
		}
		char num[64];
		struct slice val;
		enum field_type t = FT_STRING;
		if (json_is_string(v)) {
			val = slice_cstr(
			    arena_strndup(a, json_string_value(v), json_string_length(v)));
			val.len = json_string_length(v);
		} else if (json_is_integer(v)) {
			snprintf(num, sizeof num, "%lld", (long long)json_integer_value(v));
			val = slice_cstr(arena_strndup(a, num, strlen(num)));
			t = FT_NUMBER;
		} else if (json_is_boolean(v)) {
			val = slice_cstr(json_is_true(v) ? "true" : "false");
			t = FT_BOOL;
		} else {
			val = SLICE_NULL;
			t = FT_NULL;
		}
		assert_int_equal(event_field_add(ev, a, fieldname_intern(slice_cstr(k)), t, val),
				 0);
	}
	ev->source = src;
	ev->raw = slice_cstr(arena_strndup(a, js, strlen(js)));
	json_decref(o);
}

/* A rule from YAML; a text starting with '{' is a detection in flow style,
 * given a title and a Windows logsource. */
static struct sigma_ruleset *ruleset_from(const char *yaml, struct sigma_load_report *rep)
{
	char buf[8192];
	if (yaml[0] == '{') {
		snprintf(
		    buf, sizeof buf,
		    "title: t\nid: 11111111-2222-3333-4444-555555555555\nlevel: high\n"
		    "tags: [attack.execution, attack.t1059.001, attack.g0050, cve.2021-44228]\n"
		    "logsource: {product: windows}\ndetection: %s\n",
		    yaml);
		yaml = buf;
	}
	struct sigma_ruleset *rs;
	assert_int_equal(sigma_ruleset_new(&rs), 0);
	assert_int_equal(sigma_ruleset_load_text(rs, "test.yml", yaml, strlen(yaml), rep), 0);
	assert_int_equal(sigma_ruleset_compile(rs, rep), 0);
	return rs;
}

/* Number of alerts the rules raise on the events (JSON objects separated by '\n'). */
static size_t run(const char *yaml, const char *events, struct collect *c)
{
	struct sigma_load_report rep = {0};
	struct sigma_ruleset *rs = ruleset_from(yaml, &rep);
	if (rep.nerrors)
		fail_msg("rule did not load: %s:%u: %s", rep.errors[0].file, rep.errors[0].line,
			 rep.errors[0].reason);
	sigma_load_report_free(&rep);
	struct detector d;
	assert_int_equal(sigma_detector_init(&d, rs), 0);
	void *w;
	assert_int_equal(d.worker_new(&d, &w), 0);
	c->sink.emit = collect_emit;
	struct arena a;
	arena_init(&a, 0);
	struct source src;
	char *copy = strdup(events), *save = NULL;
	for (char *line = strtok_r(copy, "\n", &save); line; line = strtok_r(NULL, "\n", &save)) {
		struct event ev;
		event_from_json(&ev, &a, &src, line);
		assert_int_equal(d.scan(w, &ev, 1, &c->sink), 0);
	}
	if (d.flush)
		assert_int_equal(d.flush(w, &c->sink), 0);
	free(copy);
	d.worker_free(w);
	d.shared_free(d.shared);
	arena_free(&a);
	return c->n;
}

static void sigma_check(const char *rule, const char *event, bool want, const char *file, int line)
{
	struct collect c = {0};
	size_t n = run(rule, event, &c);
	collect_free(&c);
	if ((n > 0) != want)
		fail_msg("%s:%d: expected %s\n  rule  %s\n  event %s", file, line,
			 want ? "a match" : "no match", rule, event);
}

#define assert_sigma_match(r, e)    sigma_check(r, e, true, __FILE__, __LINE__)
#define assert_sigma_no_match(r, e) sigma_check(r, e, false, __FILE__, __LINE__)

/* ---- modifiers and values, from the specification's examples ---- */

static const struct {
	const char *det;
	const char *event;
	bool match;
} cases[] = {
    /* plain values: case-insensitive, whole value */
    {"{sel: {Image: 'C:\\Windows\\cmd.exe'}, condition: sel}",
     "{\"Image\":\"c:\\\\windows\\\\CMD.EXE\"}", true},
    {"{sel: {Image: 'cmd.exe'}, condition: sel}", "{\"Image\":\"C:\\\\cmd.exe\"}", false},
    /* wildcards and escapes */
    {"{sel: {Image: '*\\cmd.exe'}, condition: sel}", "{\"Image\":\"C:\\\\x\\\\cmd.exe\"}", true},
    {"{sel: {Image: 'prog?.exe'}, condition: sel}", "{\"Image\":\"progA.exe\"}", true},
    {"{sel: {Image: 'prog?.exe'}, condition: sel}", "{\"Image\":\"prog.exe\"}", false},
    {"{sel: {F: 'a\\*b'}, condition: sel}", "{\"F\":\"a*b\"}", true},
    {"{sel: {F: 'a\\*b'}, condition: sel}", "{\"F\":\"axxb\"}", false},
    {"{sel: {F: 'a\\\\*'}, condition: sel}", "{\"F\":\"a\\\\zzz\"}", true},
    {"{sel: {F: 'a\\?'}, condition: sel}", "{\"F\":\"a?\"}", true},
    {"{sel: {F: 'a\\?'}, condition: sel}", "{\"F\":\"ab\"}", false},
    {"{sel: {F: 'x*y*z'}, condition: sel}", "{\"F\":\"xaaybbz\"}", true},
    {"{sel: {F: 'x*y*z'}, condition: sel}", "{\"F\":\"xaazbby\"}", false},
    /* escapes and runs between them (value.c copies the runs whole) */
    {"{sel: {F: 'ab\\'}, condition: sel}", "{\"F\":\"ab\\\\\"}", true},
    {"{sel: {F: 'a\\b\\\\c'}, condition: sel}", "{\"F\":\"a\\\\b\\\\c\"}", true},
    {"{sel: {F: 'a\\b\\\\c'}, condition: sel}", "{\"F\":\"a\\\\b\\\\\\\\c\"}", false},
    {"{sel: {F: '\\*\\?\\*'}, condition: sel}", "{\"F\":\"*?*\"}", true},
    {"{sel: {F: '\\*\\?\\*'}, condition: sel}", "{\"F\":\"*x*\"}", false},
    {"{sel: {F: '*'}, condition: sel}", "{\"F\":\"\"}", true},
    {"{sel: {F: 'a-long-value-of-more-than-thirty-two-bytes?end'}, condition: sel}",
     "{\"F\":\"a-long-value-of-more-than-thirty-two-bytes!end\"}", true},
    {"{sel: {F: 'a-long-value-of-more-than-thirty-two-bytes?end'}, condition: sel}",
     "{\"F\":\"a-long-value-of-more-than-thirty-two-bytes!!end\"}", false},
    /* contains / startswith / endswith */
    {"{sel: {CommandLine|contains: 'Invoke-'}, condition: sel}",
     "{\"CommandLine\":\"powershell invoke-x\"}", true},
    {"{sel: {CommandLine|startswith: 'power'}, condition: sel}",
     "{\"CommandLine\":\"xpowershell\"}", false},
    {"{sel: {CommandLine|startswith: 'power'}, condition: sel}",
     "{\"CommandLine\":\"PowerShell -c\"}", true},
    {"{sel: {Image|endswith: '\\rundll32.exe'}, condition: sel}",
     "{\"Image\":\"C:\\\\W\\\\RUNDLL32.exe\"}", true},
    {"{sel: {Image|endswith: '\\rundll32.exe'}, condition: sel}",
     "{\"Image\":\"C:\\\\W\\\\rundll32.exe.bak\"}", false},
    /* lists: OR, and all */
    {"{sel: {CommandLine|contains: [a1, b2]}, condition: sel}", "{\"CommandLine\":\"xb2\"}", true},
    {"{sel: {CommandLine|contains|all: [a1, b2]}, condition: sel}", "{\"CommandLine\":\"xb2\"}",
     false},
    {"{sel: {CommandLine|contains|all: [a1, b2]}, condition: sel}", "{\"CommandLine\":\"b2 a1\"}",
     true},
    /* map = AND, list of maps = OR */
    {"{sel: {A: x, B: y}, condition: sel}", "{\"A\":\"x\",\"B\":\"z\"}", false},
    {"{sel: [{A: x}, {B: y}], condition: sel}", "{\"A\":\"q\",\"B\":\"y\"}", true},
    /* windash */
    {"{sel: {CommandLine|windash|contains: ' -enc '}, condition: sel}",
     "{\"CommandLine\":\"ps /enc AA\"}", true},
    {"{sel: {CommandLine|windash|contains: ' -enc '}, condition: sel}",
     "{\"CommandLine\":\"ps \xe2\x80\x93"
     "enc AA\"}",
     true},
    {"{sel: {CommandLine|windash|contains: ' -enc '}, condition: sel}",
     "{\"CommandLine\":\"ps +enc AA\"}", false},
    {"{sel: {CommandLine|contains|windash: 'a-b'}, condition: sel}", "{\"CommandLine\":\"a/b\"}",
     false},
    /* all over values whose variants are alternatives */
    {"{sel: {CommandLine|windash|contains|all: [' -a ', ' -b ']}, condition: sel}",
     "{\"CommandLine\":\"x /a -b \"}", true},
    {"{sel: {CommandLine|windash|contains|all: [' -a ', ' -b ']}, condition: sel}",
     "{\"CommandLine\":\"x /a \"}", false},
    {"{sel: {F|base64offset|contains|all: ['sh -i', 'xyz']}, condition: sel}",
     "{\"F\":\"YSBzaCAtaSBi\"}", false},
    {"{sel: {F|base64offset|contains|all: ['sh -i', 'a ']}, condition: sel}",
     "{\"F\":\"YSBzaCAtaSBi\"}", true},
    /* base64 / base64offset */
    {"{sel: {F|base64: '/bin/bash'}, condition: sel}", "{\"F\":\"L2Jpbi9iYXNo\"}", true},
    {"{sel: {F|base64: '/bin/bash'}, condition: sel}", "{\"F\":\"l2jpbi9iyxno\"}", false},
    {"{sel: {F|base64|contains: '/bin/bash'}, condition: sel}", "{\"F\":\"echo L2Jpbi9iYXNo|d\"}",
     true},
    {"{sel: {F|base64offset|contains: 'sh -i'}, condition: sel}", "{\"F\":\"x c2ggLWk= y\"}", true},
    {"{sel: {F|base64offset|contains: 'sh -i'}, condition: sel}", "{\"F\":\"YSBzaCAtaSBi\"}", true},
    {"{sel: {F|base64offset|contains: 'sh -i'}, condition: sel}", "{\"F\":\"YWIgc2ggLWkgYw==\"}",
     true},
    {"{sel: {F|base64offset|contains: 'sh -i'}, condition: sel}", "{\"F\":\"YWIgc2ggLXkgYw==\"}",
     false},
    /* utf16 / wide */
    {"{sel: {F|wide|base64: 'cmd'}, condition: sel}", "{\"F\":\"YwBtAGQA\"}", true},
    {"{sel: {F|utf16le|base64offset|contains: 'whoami'}, condition: sel}",
     "{\"F\":\"eAB4ACAAdwBoAG8AYQBtAGkA\"}", true},
    {"{sel: {F|utf16be|base64: 'cmd'}, condition: sel}", "{\"F\":\"YwBtAGQA\"}", false},
    {"{sel: {F|utf16|base64: 'cmd'}, condition: sel}", "{\"F\":\"//5jAG0AZAA=\"}", true},
    /* re and its flags */
    {"{sel: {F|re: '^ab+c$'}, condition: sel}", "{\"F\":\"abbbc\"}", true},
    {"{sel: {F|re: '^ab+c$'}, condition: sel}", "{\"F\":\"ABBC\"}", false},
    {"{sel: {F|re|i: '^ab+c$'}, condition: sel}", "{\"F\":\"ABBC\"}", true},
    {"{sel: {F|re: '^b$'}, condition: sel}", "{\"F\":\"a\\nb\"}", false},
    {"{sel: {F|re|m: '^b$'}, condition: sel}", "{\"F\":\"a\\nb\"}", true},
    {"{sel: {F|re: 'a.b'}, condition: sel}", "{\"F\":\"a\\nb\"}", false},
    {"{sel: {F|re|s: 'a.b'}, condition: sel}", "{\"F\":\"a\\nb\"}", true},
    /* the literal the prefilter takes from a regex must be in every match */
    {"{sel: {F|re: 'ipconfig\\s+/all'}, condition: sel}", "{\"F\":\"x ipconfig   /all\"}", true},
    {"{sel: {F|re: 'ipconfig\\s+/all'}, condition: sel}", "{\"F\":\"IPCONFIG /all\"}", false},
    {"{sel: {F|re: '(?i)werfault\\.exe'}, condition: sel}", "{\"F\":\"WERFAULT.EXE\"}", true},
    {"{sel: {F|re|i: 'werfault'}, condition: sel}", "{\"F\":\"WerFault\"}", true},
    {"{sel: {F|re: 'abcd?e'}, condition: sel}", "{\"F\":\"abce\"}", true},
    {"{sel: {F|re: 'abc*de'}, condition: sel}", "{\"F\":\"abde\"}", true},
    {"{sel: {F|re: 'abc{0,2}de'}, condition: sel}", "{\"F\":\"abde\"}", true},
    {"{sel: {F|re: 'abc+de'}, condition: sel}", "{\"F\":\"abcccde\"}", true},
    {"{sel: {F|re: 'abc|xyz'}, condition: sel}", "{\"F\":\"xyz\"}", true},
    {"{sel: {F|re: 'abc(def)?ghi'}, condition: sel}", "{\"F\":\"abcghi\"}", true},
    {"{sel: {F|re: 'abc(?i)DEF'}, condition: sel}", "{\"F\":\"abcdef\"}", true},
    {"{sel: {F|re: 'a[bc]de\\x41ghi'}, condition: sel}", "{\"F\":\"acdeAghi\"}", true},
    {"{sel: {F|re: 'x\\Q.*\\Eyz'}, condition: sel}", "{\"F\":\"x.*yz\"}", true},
    {"{sel: {F|re|i: 'kelvin'}, condition: sel}", "{\"F\":\"\\u212aelvin\"}", true},
    {"{sel: {F|re|i: 'longs'}, condition: sel}", "{\"F\":\"long\\u017f\"}", true},
    /* plain numbers are prefiltered by their integer: the same test as the match */
    {"{sel: {EventID: 16}, condition: sel}", "{\"EventID\":\"016\"}", true},
    {"{sel: {EventID: 16}, condition: sel}", "{\"EventID\":\" 16 \"}", true},
    {"{sel: {EventID: 16}, condition: sel}", "{\"EventID\":16}", true},
    {"{sel: {EventID: 16}, condition: sel}", "{\"EventID\":\"160\"}", false},
    {"{sel: {EventID: -5}, condition: sel}", "{\"EventID\":\"-005\"}", true},
    {"{sel: {EventID: [4688, 1]}, condition: sel}", "{\"EventID\":\"1\"}", true},
    {"{sel: {Image: 'C:\\x.exe', EventID|neq: 4}, condition: sel}",
     "{\"Image\":\"c:\\\\x.exe\",\"EventID\":\"5\"}", true},
    {"{sel: {Image: 'C:\\x.exe', EventID|neq: 4}, condition: sel}",
     "{\"Image\":\"c:\\\\x.exe\",\"EventID\":\"4\"}", false},
    /* cidr */
    {"{sel: {DestinationIp|cidr: 10.0.0.0/8}, condition: sel}", "{\"DestinationIp\":\"10.2.3.4\"}",
     true},
    {"{sel: {DestinationIp|cidr: 10.0.0.0/8}, condition: sel}", "{\"DestinationIp\":\"11.2.3.4\"}",
     false},
    {"{sel: {DestinationIp|cidr: ['fe80::/10', 127.0.0.0/8]}, condition: sel}",
     "{\"DestinationIp\":\"fe80::1\"}", true},
    /* exists */
    {"{sel: {F|exists: true}, condition: sel}", "{\"F\":\"\"}", true},
    {"{sel: {F|exists: true}, condition: sel}", "{\"G\":\"1\"}", false},
    {"{sel: {F|exists: false}, condition: sel}", "{\"G\":\"1\"}", true},
    /* null and empty */
    {"{sel: {F: null}, condition: sel}", "{\"G\":\"1\"}", true},
    {"{sel: {F: null}, condition: sel}", "{\"F\":\"1\"}", false},
    {"{sel: {F: ''}, condition: sel}", "{\"F\":\"\"}", true},
    {"{sel: {F: ''}, condition: sel}", "{\"F\":\"a\"}", false},
    /* numbers and comparisons */
    {"{sel: {EventID: 4688}, condition: sel}", "{\"EventID\":4688}", true},
    {"{sel: {EventID: 4688}, condition: sel}", "{\"EventID\":\"4688\"}", true},
    {"{sel: {EventID: [1, 4688]}, condition: sel}", "{\"EventID\":\"46880\"}", false},
    {"{sel: {N|lt: 10}, condition: sel}", "{\"N\":9}", true},
    {"{sel: {N|lt: 10}, condition: sel}", "{\"N\":10}", false},
    {"{sel: {N|lte: 10}, condition: sel}", "{\"N\":10}", true},
    {"{sel: {N|gt: 10}, condition: sel}", "{\"N\":\"11\"}", true},
    {"{sel: {N|gte: 10}, condition: sel}", "{\"N\":9}", false},
    {"{sel: {N|gte: 10}, condition: sel}", "{\"N\":\"abc\"}", false},
    /* neq */
    {"{sel: {User|neq: admin}, condition: sel}", "{\"User\":\"bob\"}", true},
    {"{sel: {User|neq: admin}, condition: sel}", "{\"User\":\"Admin\"}", false},
    {"{sel: {User|neq: [admin, root]}, condition: sel}", "{\"User\":\"root\"}", false},
    {"{sel: {User|neq: [admin, root]}, condition: sel}", "{\"User\":\"bob\"}", true},
    {"{sel: {User|neq: admin}, condition: sel}", "{\"Other\":\"bob\"}", false},
    /* fieldref */
    {"{sel: {SourceIp|fieldref: DestinationIp}, condition: sel}",
     "{\"SourceIp\":\"1.2.3.4\",\"DestinationIp\":\"1.2.3.4\"}", true},
    {"{sel: {SourceIp|fieldref: DestinationIp}, condition: sel}",
     "{\"SourceIp\":\"1.2.3.4\",\"DestinationIp\":\"1.2.3.5\"}", false},
    /* cased */
    {"{sel: {F|cased: AbC}, condition: sel}", "{\"F\":\"AbC\"}", true},
    {"{sel: {F|cased: AbC}, condition: sel}", "{\"F\":\"abc\"}", false},
    {"{sel: {F|contains|cased: AbC}, condition: sel}", "{\"F\":\"xxabcxx\"}", false},
    /* time parts */
    {"{sel: {T|hour: 3}, condition: sel}", "{\"T\":\"2024-03-01T03:15:00Z\"}", true},
    {"{sel: {T|hour|gte: 22}, condition: sel}", "{\"T\":\"2024-03-01T03:15:00Z\"}", false},
    {"{sel: {T|month: 3}, condition: sel}", "{\"T\":\"2024-03-01T03:15:00Z\"}", true},
    /* keywords */
    {"{keywords: [mimikatz, 'sekurlsa::'], condition: keywords}",
     "{\"Message\":\"run sekurlsa::logonpasswords\"}", true},
    {"{keywords: [mimikatz, 'sekurlsa::'], condition: keywords}",
     "{\"Message\":\"run sekurlsa:logon\"}", false},
    {"{keywords: [4711], condition: keywords}", "{\"Message\":\"code 47110\"}", true},
    {"{keywords: ['*sekurlsa::*'], condition: keywords}",
     "{\"Message\":\"run sekurlsa::logonpasswords\"}", true},
    {"{keywords: {'|contains|all': [foo, bar]}, condition: keywords}",
     "{\"A\":\"bar\",\"B\":\"foo\"}", true},
    {"{keywords: {'|contains|all': [foo, bar]}, condition: keywords}", "{\"A\":\"bar\"}", false},
    /* field aliases: the Security 4688 names */
    {"{sel: {Image|endswith: '\\cmd.exe'}, condition: sel}",
     "{\"NewProcessName\":\"C:\\\\cmd.exe\"}", true},
};

static void test_modifiers(void **state)
{
	for (size_t i = 0; i < sizeof cases / sizeof *cases; i++) {
		struct collect c = {0};
		size_t n = run(cases[i].det, cases[i].event, &c);
		collect_free(&c);
		if ((n > 0) != cases[i].match)
			fail_msg("case %zu: expected %s\n  rule  %s\n  event %s", i,
				 cases[i].match ? "a match" : "no match", cases[i].det,
				 cases[i].event);
	}
}

/* A rule's field name resolves to its own name, its aliases, then the two
 * nested Windows-JSON spellings, in that order; names with a dot or longer
 * than 200 bytes have no nested spellings. */
static void test_field_resolve(void **state)
{
	static const struct {
		const char *name;
		const char *ids[6];
	} fc[] = {
	    {"Image",
	     {"Image", "NewProcessName", "process.executable", "winlog.event_data.Image",
	      "EventData.Image"}},
	    {"CommandLine",
	     {"CommandLine", "process.command_line", "winlog.event_data.CommandLine",
	      "EventData.CommandLine"}},
	    {"Imagex", {"Imagex", "winlog.event_data.Imagex", "EventData.Imagex"}},
	    {"I", {"I", "winlog.event_data.I", "EventData.I"}},
	    {"a.b", {"a.b"}},
	};
	for (size_t i = 0; i < sizeof fc / sizeof *fc; i++) {
		struct sigma_field f;
		sigma_field_resolve(&f, fc[i].name);
		size_t n = 0;
		while (n < 6 && fc[i].ids[n])
			n++;
		if (f.nids != n)
			fail_msg("%s: %u ids, not %zu", fc[i].name, f.nids, n);
		for (size_t k = 0; k < n; k++)
			assert_int_equal(f.ids[k], fieldname_intern(slice_cstr(fc[i].ids[k])));
	}
	char name[202], nested[240];
	memset(name, 'x', sizeof name);
	name[200] = 0;
	struct sigma_field f;
	sigma_field_resolve(&f, name);
	assert_int_equal(f.nids, 3);
	snprintf(nested, sizeof nested, "EventData.%s", name);
	assert_int_equal(f.ids[2], fieldname_intern(slice_cstr(nested)));
	name[200] = 'x';
	name[201] = 0;
	sigma_field_resolve(&f, name);
	assert_int_equal(f.nids, 1);
	(void)state;
}

/* A reset set hands its variants out again empty, with their buffers; a
 * set reset with fewer in use, or grown past what it held, frees them all
 * (the ASan build checks that nothing leaks). */
static void test_valset_reuse(void **state)
{
	struct sigma_valset vs = {0};
	for (int k = 0; k < 3; k++) {
		struct sigma_val *v = sigma_valset_add(&vs);
		assert_non_null(v);
		for (int b = 0; b < 40; b++)
			assert_int_equal(sigma_val_push(v, (char)('a' + k), 0), 0);
	}
	char *first = vs.v[0].b;
	sigma_valset_reset(&vs);
	assert_int_equal(vs.n, 0);
	struct sigma_val *v = sigma_valset_add(&vs);
	assert_int_equal(v->len, 0);
	assert_ptr_equal(v->b, first);
	assert_int_equal(sigma_val_push(v, 'x', '*'), 0);
	assert_int_equal(v->len, 1);
	assert_int_equal(v->b[0], 'x');
	assert_int_equal(v->w[0], '*');
	sigma_valset_reset(&vs);      /* one in use of three held */
	for (int k = 0; k < 5; k++) { /* past the three */
		v = sigma_valset_add(&vs);
		assert_non_null(v);
		assert_int_equal(v->len, 0);
		assert_int_equal(sigma_val_push(v, (char)('0' + k), 0), 0);
	}
	assert_int_equal(vs.n, 5);
	for (int k = 0; k < 5; k++) {
		assert_int_equal(vs.v[k].len, 1);
		assert_int_equal(vs.v[k].b[0], '0' + k);
	}
	sigma_valset_reset(&vs);
	sigma_valset_free(&vs);
	assert_null(vs.v);
	assert_int_equal(vs.n + vs.made + vs.cap, 0);
	(void)state;
}

/* contains, startswith and endswith change the variants in place: each
 * gets its wildcards, once, with its bytes and marks kept, whatever its
 * length (past the first allocation too) and however many there are. */
static void test_wrap_variants(void **state)
{
	static const struct {
		const char *chain;
		const char *in; /* '*' marks a wildcard */
		const char *out;
	} wc[] = {
	    {"contains", "", "**"},
	    {"contains", "abc", "*abc*"},
	    {"contains", "*abc", "*abc*"},
	    {"contains", "abc*", "*abc*"},
	    {"contains", "*", "*"},
	    {"startswith", "abc", "abc*"},
	    {"startswith", "*abc", "*abc*"},
	    {"endswith", "abc", "*abc"},
	    {"endswith", "abc*", "*abc*"},
	    {"contains", "0123456789abcdef0123456789abcdef", "*0123456789abcdef0123456789abcdef*"},
	    {"endswith", "0123456789abcdef0123456789abcde", "*0123456789abcdef0123456789abcde"},
	};
	for (size_t i = 0; i < sizeof wc / sizeof *wc; i++) {
		struct sigma_mods m;
		char err[128] = "";
		assert_int_equal(sigma_mods_parse(wc[i].chain, &m, err, sizeof err), 0);
		struct sigma_valset vs = {0};
		for (int k = 0; k < 3; k++) { /* three variants, the same text */
			struct sigma_val *v = sigma_valset_add(&vs);
			assert_non_null(v);
			for (const char *c = wc[i].in; *c; c++)
				assert_int_equal(sigma_val_push(v, *c, *c == '*' ? '*' : 0), 0);
		}
		assert_int_equal(sigma_mods_apply(&m, &vs, err, sizeof err), 0);
		assert_int_equal(vs.n, 3);
		size_t n = strlen(wc[i].out);
		for (size_t k = 0; k < vs.n; k++) {
			if (vs.v[k].len != n || (n && memcmp(vs.v[k].b, wc[i].out, n)))
				fail_msg("case %zu (%s %s): got %.*s", i, wc[i].chain, wc[i].in,
					 (int)vs.v[k].len, vs.v[k].b ? vs.v[k].b : "");
			for (size_t b = 0; b < n; b++)
				assert_int_equal(vs.v[k].w[b], wc[i].out[b] == '*' ? '*' : 0);
		}
		sigma_valset_free(&vs);
	}
	/* an escaped star is a byte, not a wildcard: it gets one */
	struct sigma_mods m;
	char err[128] = "";
	assert_int_equal(sigma_mods_parse("contains", &m, err, sizeof err), 0);
	struct sigma_valset vs = {0};
	struct sigma_val *v = sigma_valset_add(&vs);
	assert_int_equal(sigma_val_push(v, '*', 0), 0);
	assert_int_equal(sigma_mods_apply(&m, &vs, err, sizeof err), 0);
	assert_int_equal(vs.v[0].len, 3);
	assert_memory_equal(vs.v[0].b, "***", 3);
	assert_memory_equal(vs.v[0].w, "*\0*", 3);
	sigma_valset_free(&vs);
	(void)state;
}

/* The literal taken from a regex, or none. */
/* Regular expressions of literals joined by `.*` are matched by finding the
 * literals in order, not by PCRE2, and others are tried only when the value
 * holds the bytes and the length that every match needs: the engine and
 * PCRE2 alone must say the same for every value.
 * Random values over a small alphabet (with newlines and a non-ASCII letter)
 * against each pattern, the engine's answer against PCRE2's own. */
static void test_re_sequence(void **state)
{
	static const struct {
		const char *det;
		const char *re;
		uint32_t opt;
		bool seq; /* the fast form applies */
	} rs_[] = {
	    {"{sel: {F|re: '\\+.*\\+.*\\+'}, condition: sel}", "\\+.*\\+.*\\+", 0, true},
	    {"{sel: {F|re: 'ab.*?ba.*a'}, condition: sel}", "ab.*?ba.*a", 0, true},
	    {"{sel: {F|re: '(?i)A.*b+'}, condition: sel}", "(?i)A.*b+", 0, false},
	    {"{sel: {F|re: '(?i)A.*Bb'}, condition: sel}", "(?i)A.*Bb", 0, true},
	    {"{sel: {F|re|i: 'K.*a'}, condition: sel}", "K.*a", PCRE2_CASELESS, true},
	    {"{sel: {F|re|s: 'a.*b.*a'}, condition: sel}", "a.*b.*a", PCRE2_DOTALL, true},
	    {"{sel: {F|re: '(?s)a.*b.*a'}, condition: sel}", "(?s)a.*b.*a", 0, true},
	    {"{sel: {F|re: 'a.*+b'}, condition: sel}", "a.*+b", 0, false},
	    {"{sel: {F|re: '^a.*b'}, condition: sel}", "^a.*b", 0, false},
	    /* not sequences: the bytes and length every match needs come first */
	    {"{sel: {F|re: 'a\\+b[ab]'}, condition: sel}", "a\\+b[ab]", 0, false},
	    {"{sel: {F|re: '(?i)k\\+[ab]'}, condition: sel}", "(?i)k\\+[ab]", 0, false},
	    {"{sel: {F|re: '[ab]{5}\\+'}, condition: sel}", "[ab]{5}\\+", 0, false},
	    {"{sel: {F|re|m: '^\\+B$'}, condition: sel}", "^\\+B$", PCRE2_MULTILINE, false},
	};
	static const char *alpha[] = {"a", "b", "A", "B", "+", "\n", "k", "\xe2\x84\xaa"};
	uint64_t rng = 0x243f6a8885a308d3ull;
	for (size_t i = 0; i < sizeof rs_ / sizeof *rs_; i++) {
		struct sigma_load_report rep = {0};
		struct sigma_ruleset *rs = ruleset_from(rs_[i].det, &rep);
		assert_int_equal(rep.nerrors, 0);
		sigma_load_report_free(&rep);
		const struct sigma_matcher *m = &rs->rules[0]->det.sels[0].groups[0].items[0].m[0];
		if ((m->seq != NULL) != rs_[i].seq)
			fail_msg("%s: sequence form %d, expected %d", rs_[i].re, m->seq != NULL,
				 rs_[i].seq);
		int ec;
		PCRE2_SIZE eo;
		pcre2_code *re =
		    pcre2_compile((PCRE2_SPTR)rs_[i].re, PCRE2_ZERO_TERMINATED,
				  rs_[i].opt | PCRE2_UTF | PCRE2_MATCH_INVALID_UTF, &ec, &eo, NULL);
		assert_non_null(re);
		pcre2_match_data *md = pcre2_match_data_create(1, NULL);
		struct detector d;
		assert_int_equal(sigma_detector_init(&d, rs), 0);
		void *wp;
		assert_int_equal(d.worker_new(&d, &wp), 0);
		struct sigma_worker *w = wp;
		struct arena a;
		arena_init(&a, 0);
		struct source src = {.path = "t.evtx", .format = "evtx"};
		uint32_t fid = fieldname_intern(slice_cstr("F"));
		for (int k = 0; k < 3000; k++) {
			char v[64];
			size_t n = 0;
			rng ^= rng << 13;
			rng ^= rng >> 7;
			rng ^= rng << 17;
			for (unsigned len = (unsigned)(rng % 14), j = 0; j < len; j++) {
				const char *c = alpha[(rng >> (4 + 3 * j)) % (k % 2 ? 8 : 7)];
				memcpy(v + n, c, strlen(c));
				n += strlen(c);
			}
			struct event ev;
			event_clear(&ev);
			ev.source = &src;
			char *copy = arena_strndup(&a, v, n);
			assert_int_equal(
			    event_field_add(&ev, &a, fid, FT_STRING, slice_make(copy, n)), 0);
			uint64_t cls[4] = {0};
			sigma_logsource_eval(rs, &ev, cls);
			w->cur = cls;
			w->lithit = NULL;
			sigma_worker_set_event(w, &ev);
			bool got = sigma_rule_eval(w, rs->rules[0]);
			bool want = pcre2_match(re, (PCRE2_SPTR)v, n, 0, 0, md, NULL) >= 0;
			if (got != want)
				fail_msg("%s on \"%.*s\": %d, PCRE2 %d", rs_[i].re, (int)n, v, got,
					 want);
		}
		pcre2_match_data_free(md);
		pcre2_code_free(re);
		d.worker_free(wp);
		d.shared_free(d.shared);
		arena_free(&a);
	}
	/* thirteen '+' of the fourteen the pattern needs, then all fourteen */
	char cl[400];
	size_t n = 0;
	for (int k = 0; k < 13; k++)
		n += (size_t)snprintf(cl + n, sizeof cl - n, "x+%.*s", k % 5, "yyyyy");
	char ev1[512];
	snprintf(ev1, sizeof ev1, "{\"F\":\"%s\"}", cl);
	const char *many =
	    "{sel: {F|re: '\\+.*\\+.*\\+.*\\+.*\\+.*\\+.*\\+.*\\+.*\\+.*\\+.*\\+.*\\+"
	    ".*\\+.*\\+'}, condition: sel}";
	assert_sigma_no_match(many, ev1);
	snprintf(ev1, sizeof ev1, "{\"F\":\"%s+\"}", cl);
	assert_sigma_match(many, ev1);
}

static void test_re_literal(void **state)
{
	static const struct {
		const char *re;
		bool ci;
		const char *lit; /* NULL: none */
		bool ci_out;
	} rl[] = {
	    {"ipconfig\\s+/all", false, "ipconfig", false},
	    {"(?i)WerFault\\.exe", false, "werfault.exe", true},
	    {"WerFault", true, "werfault", true},
	    {"abcd?efgh", false, "efgh", false}, /* d optional: "abc", "efgh" */
	    {"abcdef+gh", false, "abcdef", false},
	    {"abcdef{0,3}gh", false, "abcde", false},
	    {"abcdef{2}gh", false, "abcdef", false},
	    {"abc|defgh", false, NULL, false},
	    {"abc(?i)defgh", false, NULL, false},
	    {"abcd(?:x|y)efg", false, "abcd", false},
	    {"ab[cd]efghi", false, "efghi", false},
	    {"ab\\x41cdef", false, "cdef", false},
	    {"ab\\Qcdef", false, NULL, false},
	    {"ab\\1cdef", false, NULL, false},
	    {"mask", true, NULL, true},     /* k, s: Kelvin sign, long s */
	    {"maskabc", true, "abc", true}, /* …so runs break there */
	    {"a.bcd\\.exe", false, "bcd.exe", false},
	    {"^abc$", false, "abc", false},
	    {"x{", false, NULL, false},
	    {"(?#c)abc", false, NULL, false},
	    {"\\\\temp\\\\x", false, "\\temp\\x", false},
	};
	for (size_t i = 0; i < sizeof rl / sizeof *rl; i++) {
		char out[64];
		size_t n = 0;
		bool ci = rl[i].ci;
		bool got = sigma_re_literal(rl[i].re, strlen(rl[i].re), &ci, out, sizeof out, &n);
		bool ok = rl[i].lit ? got && n == strlen(rl[i].lit) && !memcmp(out, rl[i].lit, n) &&
					  ci == rl[i].ci_out
				    : !got || n < 3;
		if (!ok)
			fail_msg("regex %s: literal '%.*s' (%s), want '%s'", rl[i].re,
				 got ? (int)n : 0, out, got ? "found" : "none",
				 rl[i].lit ? rl[i].lit : "(none)");
	}
}

/* ---- conditions ---- */

static const struct {
	const char *cond;
	const char *event;
	bool match;
} conds[] = {
    {"sel_a and sel_b", "{\"A\":\"1\",\"B\":\"1\"}", true},
    {"sel_a and sel_b", "{\"A\":\"1\"}", false},
    {"sel_a or sel_b", "{\"B\":\"1\"}", true},
    {"sel_a and not filter", "{\"A\":\"1\",\"F\":\"1\"}", false},
    {"sel_a and not filter", "{\"A\":\"1\"}", true},
    {"not sel_a", "{\"B\":\"1\"}", true},
    {"1 of sel_*", "{\"B\":\"1\"}", true},
    {"all of sel_*", "{\"B\":\"1\"}", false},
    {"all of sel_*", "{\"A\":\"1\",\"B\":\"1\"}", true},
    {"1 of them", "{\"F\":\"1\"}", true},
    {"all of them", "{\"A\":\"1\",\"B\":\"1\"}", false},
    {"all of them", "{\"A\":\"1\",\"B\":\"1\",\"F\":\"1\"}", true},
    {"2 of them", "{\"A\":\"1\",\"F\":\"1\"}", true},
    {"2 of them", "{\"A\":\"1\"}", false},
    {"sel_a or sel_b and filter", "{\"A\":\"1\"}", true},
    {"(sel_a or sel_b) and filter", "{\"A\":\"1\"}", false},
    {"not (sel_a or sel_b)", "{\"F\":\"1\"}", true},
    {"sel_a and not 1 of filter*", "{\"A\":\"1\",\"F\":\"1\"}", false},
    {"not not sel_a", "{\"A\":\"1\"}", true},
};

static void test_conditions(void **state)
{
	for (size_t i = 0; i < sizeof conds / sizeof *conds; i++) {
		char det[512];
		snprintf(det, sizeof det,
			 "{sel_a: {A: '1'}, sel_b: {B: '1'}, filter: {F: '1'}, condition: '%s'}",
			 conds[i].cond);
		struct collect c = {0};
		size_t n = run(det, conds[i].event, &c);
		collect_free(&c);
		if ((n > 0) != conds[i].match)
			fail_msg("condition %zu '%s' on %s: expected %s", i, conds[i].cond,
				 conds[i].event, conds[i].match ? "a match" : "no match");
	}
	/* a list of conditions is their OR */
	assert_sigma_match("{a: {A: '1'}, b: {B: '1'}, condition: [a, b]}", "{\"B\":\"1\"}");
	/* identifiers starting with '_' are not part of `them` */
	assert_sigma_no_match("{a: {A: '1'}, _b: {B: '1'}, condition: 1 of them}", "{\"B\":\"1\"}");
}

/* ---- rules that must not load, with the line of the problem ---- */

static const struct {
	const char *yaml;
	unsigned line;
	const char *reason;
} bad[] = {
    {"title: t\nlogsource: {product: windows}\ndetection:\n  sel:\n    F|nosuch: x\n  condition: "
     "sel\n",
     5, "unknown modifier"},
    {"title: t\nlogsource: {product: windows}\ndetection:\n  sel:\n    F: x\n  condition: sel and "
     "nope\n",
     6, "unknown search identifier"},
    {"title: t\nlogsource: {product: windows}\ndetection:\n  sel:\n    F: x\n  condition: sel | "
     "count() > 5\n",
     6, "aggregation"},
    {"title: t\nlogsource: {product: windows}\ndetection:\n  sel:\n    F|re: 'a('\n  condition: "
     "sel\n",
     5, "re:"},
    {"title: t\nlogsource: {product: windows}\ndetection:\n  sel:\n    F|expand: '%nope%'\n  "
     "condition: sel\n",
     5, "placeholder"},
    {"title: t\nlogsource: {product: windows}\ndetection:\n  sel:\n    F|cidr: 'x/99'\n  "
     "condition: sel\n",
     5, "cidr"},
    {"title: t\nlogsource: {product: windows}\ndetection:\n  sel:\n    F: x\n", 4, "no condition"},
    {"title: t\nlogsource: {product: windows}\ndetection:\n  sel:\n    F: [x\n", 6, "YAML"},
    {"logsource: {product: windows}\ndetection: {sel: {F: x}, condition: sel}\n", 1, "title"},
    {"title: t\nlogsource: {product: windows}\ndetection: {sel: {F|lt: abc}, condition: sel}\n", 3,
     "numeric"},
};

static void test_load_errors(void **state)
{
	for (size_t i = 0; i < sizeof bad / sizeof *bad; i++) {
		struct sigma_ruleset *rs;
		struct sigma_load_report rep = {0};
		assert_int_equal(sigma_ruleset_new(&rs), 0);
		assert_int_equal(
		    sigma_ruleset_load_text(rs, "bad.yml", bad[i].yaml, strlen(bad[i].yaml), &rep),
		    0);
		if (rep.nerrors != 1)
			fail_msg("case %zu: %zu errors", i, rep.nerrors);
		assert_int_equal(rep.loaded, 0);
		assert_int_equal(rep.total, 1);
		assert_string_equal(rep.errors[0].file, "bad.yml");
		if (!strstr(rep.errors[0].reason, bad[i].reason) ||
		    rep.errors[0].line != bad[i].line)
			fail_msg("case %zu: got line %u '%s', want line %u '%s'", i,
				 rep.errors[0].line, rep.errors[0].reason, bad[i].line,
				 bad[i].reason);
		sigma_load_report_free(&rep);
		sigma_ruleset_free(rs);
	}
}

/* ---- placeholders ---- */

static void test_expand(void **state)
{
	char path[512];
	const char *data = getenv("APTSCOPE_TEST_DATA");
	snprintf(path, sizeof path, "%s/sigma/placeholders.yml", data ? data : "tests/data");
	const char *yaml = "title: t\nlogsource: {product: windows}\n"
			   "detection: {sel: {User|expand: '%Administrators%'}, condition: sel}\n";
	struct sigma_ruleset *rs;
	struct sigma_load_report rep = {0};
	assert_int_equal(sigma_ruleset_new(&rs), 0);
	assert_int_equal(sigma_ruleset_placeholders(rs, path), 0);
	assert_int_equal(sigma_ruleset_load_text(rs, "x.yml", yaml, strlen(yaml), &rep), 0);
	assert_int_equal(rep.nerrors, 0);
	assert_int_equal(sigma_ruleset_compile(rs, &rep), 0);
	struct detector d;
	assert_int_equal(sigma_detector_init(&d, rs), 0);
	void *w;
	assert_int_equal(d.worker_new(&d, &w), 0);
	struct arena a;
	arena_init(&a, 0);
	struct source src;
	struct event ev;
	struct collect c = {.sink.emit = collect_emit};
	event_from_json(&ev, &a, &src, "{\"User\":\"CORP\\\\adm_bob\"}");
	assert_int_equal(d.scan(w, &ev, 1, &c.sink), 0);
	assert_int_equal(c.n, 1);
	event_from_json(&ev, &a, &src, "{\"User\":\"CORP\\\\bob\"}");
	assert_int_equal(d.scan(w, &ev, 1, &c.sink), 0);
	assert_int_equal(c.n, 1);
	collect_free(&c);
	d.worker_free(w);
	d.shared_free(d.shared);
	arena_free(&a);
	sigma_load_report_free(&rep);
}

/* ---- logsources ---- */

static void test_logsource(void **state)
{
	const char *pc = "title: t\nlogsource: {product: windows, category: process_creation}\n"
			 "detection: {sel: {CommandLine|contains: whoami}, condition: sel}\n";
	/* Sysmon 1 and Security 4688 are process creation; Sysmon 3 is not */
	assert_sigma_match(pc, "{\"Channel\":\"Microsoft-Windows-Sysmon/Operational\","
			       "\"EventID\":1,\"CommandLine\":\"whoami /all\"}");
	assert_sigma_match(pc, "{\"Channel\":\"Security\",\"EventID\":4688,"
			       "\"CommandLine\":\"whoami /all\"}");
	assert_sigma_no_match(pc, "{\"Channel\":\"Microsoft-Windows-Sysmon/Operational\","
				  "\"EventID\":3,\"CommandLine\":\"whoami /all\"}");
	assert_sigma_no_match(pc, "{\"_format\":\"syslog\",\"Channel\":\"Security\","
				  "\"EventID\":4688,\"CommandLine\":\"whoami /all\"}");
	const char *sec = "title: t\nlogsource: {product: windows, service: security}\n"
			  "detection: {sel: {EventID: 4625}, condition: sel}\n";
	assert_sigma_match(sec, "{\"Channel\":\"Security\",\"EventID\":4625}");
	assert_sigma_no_match(sec, "{\"Channel\":\"System\",\"EventID\":4625}");
	const char *web = "title: t\nlogsource: {category: webserver}\n"
			  "detection: {sel: {cs-uri-query|contains: '../'}, condition: sel}\n";
	assert_sigma_match(web, "{\"_format\":\"access\",\"cs-uri-query\":\"a=../../etc\"}");
	assert_sigma_no_match(web, "{\"_format\":\"evtx\",\"cs-uri-query\":\"a=../../etc\"}");
	const char *zeek = "title: t\nlogsource: {product: zeek, service: dns}\n"
			   "detection: {sel: {query|endswith: '.evil.com'}, condition: sel}\n";
	assert_sigma_match(
	    zeek, "{\"_format\":\"zeek_json\",\"_path\":\"dns\",\"query\":\"a.evil.com\"}");
	assert_sigma_no_match(
	    zeek, "{\"_format\":\"zeek_json\",\"_path\":\"http\",\"query\":\"a.evil.com\"}");
}

/* ---- alerts ---- */

static void test_alert(void **state)
{
	struct collect c = {0};
	run("{sel: {CommandLine|contains: mimikatz}, condition: sel}",
	    "{\"CommandLine\":\"x mimikatz y\",\"Computer\":\"ws1\"}", &c);
	assert_int_equal(c.n, 1);
	struct alert *a = c.alerts[0];
	assert_string_equal(a->detector, "sigma");
	assert_string_equal(a->rule_id, "11111111-2222-3333-4444-555555555555");
	assert_string_equal(a->rule_title, "t");
	assert_int_equal(a->level, AL_HIGH);
	assert_int_equal(a->ntechniques, 1);
	assert_string_equal(a->techniques[0], "T1059.001");
	assert_non_null(a->evidence);
	assert_non_null(strstr(a->evidence, "\"groups\":[\"G0050\"]"));
	assert_non_null(strstr(a->evidence, "\"cves\":[\"CVE-2021-44228\"]"));
	assert_non_null(strstr(a->evidence, "\"matched\":{\"CommandLine\":\"x mimikatz y\"}"));
	json_t *j = json_loads(a->evidence, 0, NULL);
	assert_non_null(j);
	json_decref(j);
	collect_free(&c);
}

/* ---- filters ---- */

static void test_filter(void **state)
{
	const char *yaml = "title: rar\nid: 6f3e2987-db24-4c78-a860-b4f4095a7095\n"
			   "logsource: {product: windows, category: process_creation}\n"
			   "detection: {sel: {Image|endswith: '\\rar.exe'}, condition: sel}\n"
			   "---\n"
			   "title: Filter Administrator account\n"
			   "logsource: {product: windows, category: process_creation}\n"
			   "filter:\n  rules: [6f3e2987-db24-4c78-a860-b4f4095a7095]\n"
			   "  selection: {User|startswith: 'adm_'}\n  condition: selection\n";
	const char *base = "{\"Channel\":\"Microsoft-Windows-Sysmon/Operational\",\"EventID\":1,"
			   "\"Image\":\"C:\\\\rar.exe\",";
	char e1[256], e2[256];
	snprintf(e1, sizeof e1, "%s\"User\":\"adm_x\"}", base);
	snprintf(e2, sizeof e2, "%s\"User\":\"bob\"}", base);
	assert_sigma_no_match(yaml, e1);
	assert_sigma_match(yaml, e2);
}

/* ---- correlations ---- */

#define BASE_RULES                                                                                 \
	"title: failed\nname: failed\nlogsource: {product: windows, service: security}\n"          \
	"detection: {sel: {EventID: 4625}, condition: sel}\n---\n"                                 \
	"title: ok\nname: ok\nlogsource: {product: windows, service: security}\n"                  \
	"detection: {sel: {EventID: 4624}, condition: sel}\n---\n"

static size_t corr_alerts(const char *corr, const char *events, size_t *base)
{
	char yaml[4096];
	snprintf(yaml, sizeof yaml, "%stitle: corr\nid: c0ffee00-0000-4000-8000-000000000001\n%s",
		 BASE_RULES, corr);
	struct collect c = {0};
	run(yaml, events, &c);
	size_t n = 0;
	*base = 0;
	for (size_t i = 0; i < c.n; i++) {
		if (!strcmp(c.alerts[i]->rule_title, "corr"))
			n++;
		else
			(*base)++;
	}
	collect_free(&c);
	return n;
}

#define F(t, u, ip)                                                                                \
	"{\"_time\":" #t ",\"Channel\":\"Security\",\"EventID\":4625,\"TargetUserName\":\"" u      \
	"\",\"IpAddress\":\"" ip "\"}\n"
#define OK(t, u, ip)                                                                               \
	"{\"_time\":" #t ",\"Channel\":\"Security\",\"EventID\":4624,\"TargetUserName\":\"" u      \
	"\",\"IpAddress\":\"" ip "\"}\n"

static void test_correlation(void **state)
{
	size_t base;
	const char *count =
	    "correlation: {type: event_count, rules: [failed], group-by: [IpAddress], "
	    "timespan: 1m, condition: {gte: 3}}\n";
	/* three failures from one address within a minute: one alert, base rule silent */
	assert_int_equal(
	    corr_alerts(count, F(0, "a", "1.1.1.1") F(10, "b", "1.1.1.1") F(20, "c", "1.1.1.1"),
			&base),
	    1);
	assert_int_equal(base, 0);
	/* spread over more than the timespan, or over two addresses: none */
	assert_int_equal(
	    corr_alerts(count, F(0, "a", "1.1.1.1") F(50, "b", "1.1.1.1") F(100, "c", "1.1.1.1"),
			&base),
	    0);
	assert_int_equal(corr_alerts(count,
				     F(0, "a", "1.1.1.1") F(1, "b", "2.2.2.2") F(2, "c", "1.1.1.1"),
				     &base),
			 0);
	/* generate: true keeps the base rule's alerts */
	assert_int_equal(corr_alerts("correlation: {type: event_count, rules: [failed], "
				     "timespan: 1m, condition: {gte: 2}, generate: true}\n",
				     F(0, "a", "1.1.1.1") F(1, "b", "1.1.1.1"), &base),
			 1);
	assert_int_equal(base, 2);
	/* value_count: distinct users from one address */
	const char *vc = "correlation: {type: value_count, rules: [failed], group-by: [IpAddress], "
			 "timespan: 1h, condition: {field: TargetUserName, gte: 3}}\n";
	assert_int_equal(
	    corr_alerts(vc, F(0, "a", "1.1.1.1") F(1, "a", "1.1.1.1") F(2, "b", "1.1.1.1"), &base),
	    0);
	assert_int_equal(
	    corr_alerts(vc, F(0, "a", "1.1.1.1") F(1, "b", "1.1.1.1") F(2, "c", "1.1.1.1"), &base),
	    1);
	/* temporal and temporal_ordered: failure then success */
	const char *tmp =
	    "correlation: {type: temporal, rules: [failed, ok], group-by: [IpAddress], "
	    "timespan: 5m}\n";
	assert_int_equal(corr_alerts(tmp, OK(0, "a", "1.1.1.1") F(10, "a", "1.1.1.1"), &base), 1);
	assert_int_equal(corr_alerts(tmp, OK(0, "a", "1.1.1.1") F(400, "a", "1.1.1.1"), &base), 0);
	const char *ord = "correlation: {type: temporal_ordered, rules: [failed, ok], "
			  "group-by: [IpAddress], timespan: 5m}\n";
	assert_int_equal(corr_alerts(ord, OK(0, "a", "1.1.1.1") F(10, "a", "1.1.1.1"), &base), 0);
	assert_int_equal(corr_alerts(ord, F(0, "a", "1.1.1.1") OK(10, "a", "1.1.1.1"), &base), 1);
	/* aliases: the address under another name in the second rule */
	const char *al = "correlation: {type: temporal, rules: [failed, ok], group-by: [ip], "
			 "timespan: 5m, aliases: {ip: {failed: IpAddress, ok: WorkstationIp}}}\n";
	assert_int_equal(
	    corr_alerts(
		al,
		F(0, "a", "1.1.1.1") "{\"_time\":5,\"Channel\":\"Security\",\"EventID\":4624,"
				     "\"WorkstationIp\":\"1.1.1.1\"}\n",
		&base),
	    1);
	/* value_sum on arrival; value_avg and lt judged when the window closes */
	const char *sum = "correlation: {type: value_sum, rules: [failed], timespan: 1h, "
			  "condition: {field: N, gt: 10}}\n";
	assert_int_equal(
	    corr_alerts(sum,
			"{\"_time\":0,\"Channel\":\"Security\",\"EventID\":4625,\"N\":6}\n"
			"{\"_time\":1,\"Channel\":\"Security\",\"EventID\":4625,\"N\":5}\n",
			&base),
	    1);
	const char *avg = "correlation: {type: value_avg, rules: [failed], timespan: 1h, "
			  "condition: {field: N, lt: 3}}\n";
	assert_int_equal(
	    corr_alerts(avg,
			"{\"_time\":0,\"Channel\":\"Security\",\"EventID\":4625,\"N\":2}\n"
			"{\"_time\":1,\"Channel\":\"Security\",\"EventID\":4625,\"N\":3}\n",
			&base),
	    1);
	const char *few = "correlation: {type: event_count, rules: [ok], timespan: 1m, "
			  "condition: {lt: 2}}\n";
	assert_int_equal(
	    corr_alerts(few, OK(0, "a", "1.1.1.1") OK(100, "a", "1.1.1.1") OK(110, "a", "1.1.1.1"),
			&base),
	    1);
	/* a correlation naming an unknown rule is reported */
	struct sigma_ruleset *rs;
	struct sigma_load_report rep = {0};
	const char *unknown =
	    "title: c\ncorrelation: {type: event_count, rules: [nope], timespan: 1m, "
	    "condition: {gte: 1}}\n";
	assert_int_equal(sigma_ruleset_new(&rs), 0);
	assert_int_equal(sigma_ruleset_load_text(rs, "c.yml", unknown, strlen(unknown), &rep), 0);
	assert_int_equal(sigma_ruleset_compile(rs, &rep), 0);
	assert_int_equal(rep.nerrors, 1);
	assert_non_null(strstr(rep.errors[0].reason, "unknown rule"));
	assert_int_equal(rep.loaded, 0);
	sigma_load_report_free(&rep);
	sigma_ruleset_free(rs);
}

/* ---- the prefilter: which rules become candidates ---- */

/* The prefilter's requirement of a rule: is it a candidate for the event, and
 * does it match. A candidate may fail; a match is always a candidate. */
static const struct {
	const char *det;
	const char *event;
	bool candidate;
	bool match;
} pf_cases[] = {
    /* a literal counts in the field that the item tests, not in another */
    {"{sel: {CommandLine|contains: 'xyzzy'}, condition: sel}",
     "{\"Image\":\"C:\\\\xyzzy.exe\",\"CommandLine\":\"dir\"}", false, false},
    {"{sel: {CommandLine|contains: 'xyzzy'}, condition: sel}",
     "{\"Image\":\"C:\\\\a.exe\",\"CommandLine\":\"run xyzzy\"}", true, true},
    {"{sel: {Image|endswith: '\\xyzzy.exe'}, condition: sel}",
     "{\"Image\":\"C:\\\\a.exe\",\"CommandLine\":\"C:\\\\xyzzy.exe\"}", false, false},
    /* a or b needs a literal of every item of a, or one of b */
    {"{a: {Image|endswith: '\\cmd.exe', CommandLine|contains: 'frobnicate'}, "
     "b: {CommandLine|contains: 'quuxplugh'}, condition: a or b}",
     "{\"Image\":\"C:\\\\cmd.exe\",\"CommandLine\":\"dir\"}", false, false},
    {"{a: {Image|endswith: '\\cmd.exe', CommandLine|contains: 'frobnicate'}, "
     "b: {CommandLine|contains: 'quuxplugh'}, condition: a or b}",
     "{\"Image\":\"C:\\\\cmd.exe\",\"CommandLine\":\"frobnicate\"}", true, true},
    {"{a: {Image|endswith: '\\cmd.exe', CommandLine|contains: 'frobnicate'}, "
     "b: {CommandLine|contains: 'quuxplugh'}, condition: a or b}",
     "{\"Image\":\"C:\\\\x.exe\",\"CommandLine\":\"quuxplugh frobnicate\"}", true, true},
    {"{sel_a: {Image|endswith: '\\cmd.exe', CommandLine|contains: 'frobnicate'}, "
     "sel_b: {Image|endswith: '\\pwsh.exe', CommandLine|contains: 'quuxplugh'}, "
     "condition: 1 of sel_*}",
     "{\"Image\":\"C:\\\\cmd.exe\",\"CommandLine\":\"quuxplugh\"}", false, false},
    {"{sel_a: {Image|endswith: '\\cmd.exe', CommandLine|contains: 'frobnicate'}, "
     "sel_b: {Image|endswith: '\\pwsh.exe', CommandLine|contains: 'quuxplugh'}, "
     "condition: 1 of sel_*}",
     "{\"Image\":\"C:\\\\cmd.exe\",\"CommandLine\":\"dir\"}", false, false},
    {"{sel_a: {Image|endswith: '\\cmd.exe', CommandLine|contains: 'frobnicate'}, "
     "sel_b: {Image|endswith: '\\pwsh.exe', CommandLine|contains: 'quuxplugh'}, "
     "condition: 1 of sel_*}",
     "{\"Image\":\"C:\\\\pwsh.exe\",\"CommandLine\":\"quuxplugh\"}", true, true},
    /* two bytes of rare punctuation are a literal */
    {"{sel: {CommandLine|contains: ['^^', ',;,']}, condition: sel}",
     "{\"CommandLine\":\"cmd /c dir\"}", false, false},
    {"{sel: {CommandLine|contains: ['^^', ',;,']}, condition: sel}",
     "{\"CommandLine\":\"c^^md /c dir\"}", true, true},
    {"{sel: {CommandLine|re: '(?i)x.*&&\\s?y'}, condition: sel}", "{\"CommandLine\":\"x y\"}",
     false, false},
    {"{sel: {CommandLine|re: '(?i)x.*&&\\s?y'}, condition: sel}", "{\"CommandLine\":\"X && Y\"}",
     true, true},
    /* and of ors: the clauses of both sides */
    {"{a: {CommandLine|contains: [alphaone, alphatwo]}, b: {Image|endswith: '\\betaone.exe'}, "
     "condition: a and b}",
     "{\"Image\":\"C:\\\\betaone.exe\",\"CommandLine\":\"dir\"}", false, false},
    {"{a: {CommandLine|contains: [alphaone, alphatwo]}, b: {Image|endswith: '\\betaone.exe'}, "
     "condition: a and b}",
     "{\"Image\":\"C:\\\\betaone.exe\",\"CommandLine\":\"alphatwo\"}", true, true},
};

static void test_prefilter(void **state)
{
	for (size_t i = 0; i < sizeof pf_cases / sizeof *pf_cases; i++) {
		struct sigma_load_report rep = {0};
		struct sigma_ruleset *rs = ruleset_from(pf_cases[i].det, &rep);
		assert_int_equal(rep.nerrors, 0);
		sigma_load_report_free(&rep);
		struct sigma_rule *r = rs->rules[0];
		if (!r->prefiltered)
			fail_msg("case %zu: the rule is not prefiltered", i);
		struct detector d;
		assert_int_equal(sigma_detector_init(&d, rs), 0);
		void *wp;
		assert_int_equal(d.worker_new(&d, &wp), 0);
		struct sigma_worker *w = wp;
		struct arena a;
		arena_init(&a, 0);
		struct source src;
		struct event ev;
		event_from_json(&ev, &a, &src, pf_cases[i].event);
		uint64_t cls[4] = {0};
		uint32_t cands[8];
		size_t ncand = 0;
		assert_true(rs->nrules < 8); /* room for every rule */
		sigma_logsource_eval(rs, &ev, cls);
		w->cur = cls;
		sigma_worker_set_event(w, &ev);
		assert_int_equal(
		    sigma_prefilter_scan_fields(rs->pf, NULL, w->pf, &ev, cands, &ncand), 0);
		assert_true(ncand <= 1); /* one rule, once at most */
		bool cand = ncand == 1 && cands[0] == 0;
		w->lithit = NULL;
		bool match = sigma_rule_eval(w, r);
		if (cand != pf_cases[i].candidate || match != pf_cases[i].match)
			fail_msg("case %zu: candidate %d match %d, expected %d %d\n  rule  %s\n  "
				 "event %s",
				 i, cand, match, pf_cases[i].candidate, pf_cases[i].match,
				 pf_cases[i].det, pf_cases[i].event);
		struct collect c = {0};
		if ((run(pf_cases[i].det, pf_cases[i].event, &c) > 0) != pf_cases[i].match)
			fail_msg("case %zu: the scan disagrees", i);
		collect_free(&c);
		d.worker_free(wp);
		d.shared_free(d.shared);
		arena_free(&a);
	}
	/* file.path stands for both TargetFilename and ImageLoaded: a value
	 * ending in the name both look for must reach both rules */
	const char *two =
	    "title: a\nlogsource: {product: windows}\n"
	    "detection: {sel: {TargetFilename|endswith: '\\evil.dll'}, condition: sel}\n"
	    "---\n"
	    "title: b\nlogsource: {product: windows}\n"
	    "detection: {sel: {ImageLoaded|endswith: '\\evil.dll'}, condition: sel}\n";
	struct collect c = {0};
	assert_int_equal(run(two, "{\"file.path\":\"C:\\\\x\\\\evil.dll\"}", &c), 2);
	collect_free(&c);
}

/* The index of an event's fields is built when evaluation first looks one
 * up: an event set but never evaluated must not leave the index of the one
 * before it in place. */
static void test_lazy_index(void **state)
{
	(void)state;
	struct sigma_load_report rep = {0};
	struct sigma_ruleset *rs = ruleset_from("{sel: {Image: 'frob'}, condition: sel}", &rep);
	assert_int_equal(rep.nerrors, 0);
	sigma_load_report_free(&rep);
	struct detector d;
	assert_int_equal(sigma_detector_init(&d, rs), 0);
	void *wp;
	assert_int_equal(d.worker_new(&d, &wp), 0);
	struct sigma_worker *w = wp;
	struct arena a;
	arena_init(&a, 0);
	struct source src;
	static const struct {
		const char *event;
		bool eval, match;
	} seq[] = {
	    {"{\"Image\":\"frob\"}", true, true},
	    {"{\"Image\":\"other\"}", false, false},
	    /* Image's place in the first event holds another field */
	    {"{\"User\":\"frob\"}", true, false},
	    {"{\"User\":\"x\",\"Image\":\"frob\"}", true, true},
	    {"{\"Image\":\"frob\"}", false, false},
	    {"{\"User\":\"frob\",\"Image\":\"no\"}", true, false},
	};
	uint64_t cls[4] = {0};
	w->cur = cls;
	w->lithit = NULL;
	for (size_t i = 0; i < sizeof seq / sizeof *seq; i++) {
		struct event ev;
		event_from_json(&ev, &a, &src, seq[i].event);
		sigma_logsource_eval(rs, &ev, cls);
		sigma_worker_set_event(w, &ev);
		if (seq[i].eval && sigma_rule_eval(w, rs->rules[0]) != seq[i].match)
			fail_msg("event %zu %s: expected %d", i, seq[i].event, seq[i].match);
	}
	d.worker_free(wp);
	d.shared_free(d.shared);
	arena_free(&a);
}

/* Clauses seen are stamped with the event's number: one event's clauses must
 * not count in the next, also when the numbers start over. */
static void test_prefilter_stamps(void **state)
{
	(void)state;
	struct sigma_load_report rep = {0};
	struct sigma_ruleset *rs =
	    ruleset_from("{a: {Image|endswith: '\\frobnicate.exe'}, b: {CommandLine|contains: "
			 "quuxplugh}, condition: a and b}",
			 &rep);
	assert_int_equal(rep.nerrors, 0);
	sigma_load_report_free(&rep);
	struct sigma_pf_scratch *s;
	assert_int_equal(sigma_pf_scratch_new(rs->pf, &s), 0);
	struct arena a;
	arena_init(&a, 0);
	struct source src;
	struct event only_a, only_b, both;
	event_from_json(&only_a, &a, &src, "{\"Image\":\"C:\\\\frobnicate.exe\"}");
	event_from_json(&only_b, &a, &src, "{\"CommandLine\":\"quuxplugh\"}");
	event_from_json(&both, &a, &src,
			"{\"Image\":\"C:\\\\frobnicate.exe\",\"CommandLine\":\"quuxplugh\"}");
	/* before the wrap, at it (the first event number again), after it */
	static const uint32_t start[] = {0, (1u << 24) - 3, (1u << 24) - 2};
	for (size_t i = 0; i < sizeof start / sizeof *start; i++) {
		sigma_pf_scratch_set_event_number(s, start[i]);
		uint32_t cand[4];
		size_t n = 9;
		assert_int_equal(sigma_prefilter_scan_fields(rs->pf, NULL, s, &only_a, cand, &n),
				 0);
		assert_int_equal(n, 0);
		if (start[i] == 0)
			sigma_pf_scratch_set_event_number(s, (1u << 24) - 1); /* next: 1 again */
		assert_int_equal(sigma_prefilter_scan_fields(rs->pf, NULL, s, &only_b, cand, &n),
				 0);
		if (n)
			fail_msg("start %u: a clause of the event before counted", start[i]);
		assert_int_equal(sigma_prefilter_scan_fields(rs->pf, NULL, s, &both, cand, &n), 0);
		assert_int_equal(n, 1);
		assert_int_equal(cand[0], 0);
	}
	sigma_pf_scratch_free(s);
	arena_free(&a);
	sigma_ruleset_free(rs);
}

/* ---- the SigmaHQ corpus: load rate, and prefilter soundness ---- */

static void test_corpus(void **state)
{
	const char *shared = getenv("APTSCOPE_SHARED");
	char path[1024];
	snprintf(path, sizeof path, "%s/corpora/sigma/rules", shared ? shared : "../shared");
	FILE *f = fopen(path, "r");
	if (!f) {
		printf("skipped: SigmaHQ corpus not found at %s (set APTSCOPE_SHARED)\n", path);
		skip();
	}
	fclose(f);
	struct sigma_ruleset *rs;
	struct sigma_load_report rep = {0};
	assert_int_equal(sigma_ruleset_new(&rs), 0);
	static const char *dirs[] = {
	    "rules",      "rules-emerging-threats", "rules-threat-hunting", "rules-compliance",
	    "rules-dfir", "rules-placeholder"};
	for (size_t i = 0; i < sizeof dirs / sizeof *dirs; i++) {
		snprintf(path, sizeof path, "%s/corpora/sigma/%s", shared ? shared : "../shared",
			 dirs[i]);
		sigma_ruleset_load(rs, path, &rep);
	}
	assert_int_equal(sigma_ruleset_compile(rs, &rep), 0);
	printf("loaded %zu of %zu SigmaHQ rules\n", rep.loaded, rep.total);
	assert_true(rep.total > 3000);
	assert_true(rep.loaded * 100 >= rep.total * 99);

	/* every rule evaluated directly must agree with the prefiltered scan */
	struct detector d;
	assert_int_equal(sigma_detector_init(&d, rs), 0);
	void *wp;
	assert_int_equal(d.worker_new(&d, &wp), 0);
	struct sigma_worker *w = wp;
	static const char *evs[] = {
	    "{\"Channel\":\"Microsoft-Windows-Sysmon/Operational\",\"EventID\":1,"
	    "\"Image\":\"C:\\\\Windows\\\\System32\\\\rundll32.exe\",\"CommandLine\":"
	    "\"rundll32.exe C:\\\\Windows\\\\System32\\\\comsvcs.dll, MiniDump 624 C:\\\\temp\\\\"
	    "lsass.dmp full\",\"ParentImage\":\"C:\\\\Windows\\\\System32\\\\cmd.exe\"}",
	    "{\"Channel\":\"Microsoft-Windows-Sysmon/Operational\",\"EventID\":1,"
	    "\"Image\":\"C:\\\\Windows\\\\System32\\\\WindowsPowerShell\\\\v1.0\\\\powershell."
	    "exe\","
	    "\"CommandLine\":\"powershell.exe -nop -w hidden -enc "
	    "SQBFAFgAIAAoAE4AZQB3AC0ATwBiAGoA\","
	    "\"OriginalFileName\":\"PowerShell.EXE\",\"User\":\"NT AUTHORITY\\\\SYSTEM\"}",
	    "{\"Channel\":\"Microsoft-Windows-Sysmon/Operational\",\"EventID\":13,"
	    "\"TargetObject\":"
	    "\"HKLM\\\\SOFTWARE\\\\Microsoft\\\\Windows\\\\CurrentVersion\\\\Run\\\\x\","
	    "\"Details\":\"C:\\\\Users\\\\Public\\\\x.exe\",\"Image\":\"C:\\\\Users\\\\Public\\\\x."
	    "exe\"}",
	    "{\"Channel\":\"Security\",\"EventID\":4688,\"NewProcessName\":\"C:\\\\Windows\\\\"
	    "System32\\\\whoami.exe\",\"CommandLine\":\"whoami /priv\"}",
	};
	struct arena a;
	arena_init(&a, 0);
	size_t total_hits = 0;
	for (size_t e = 0; e < sizeof evs / sizeof *evs; e++) {
		struct source src;
		struct event ev;
		event_from_json(&ev, &a, &src, evs[e]);
		struct collect c = {.sink.emit = collect_emit};
		assert_int_equal(d.scan(w, &ev, 1, &c.sink), 0);
		size_t scanned = c.n;
		collect_free(&c);
		/* brute force: every detection rule whose class holds */
		uint64_t bits[64] = {0};
		assert_true(rs->nclasses <= 64 * 64);
		sigma_logsource_eval(rs, &ev, bits);
		w->cur = bits;
		w->lithit = NULL; /* no help from the prefilter */
		sigma_worker_set_event(w, &ev);
		size_t brute = 0;
		for (size_t i = 0; i < rs->nrules; i++) {
			struct sigma_rule *r = rs->rules[i];
			if (r->kind == SK_DETECTION &&
			    ((bits[r->lsclass / 64] >> (r->lsclass % 64)) & 1) &&
			    sigma_rule_eval(w, r))
				brute++;
		}
		if (brute != scanned)
			fail_msg("event %zu: prefiltered scan found %zu, brute force %zu", e,
				 scanned, brute);
		total_hits += brute;
	}
	assert_true(total_hits >= 4); /* the events were chosen to trip rules */
	d.worker_free(wp);
	d.shared_free(d.shared);
	arena_free(&a);
	sigma_load_report_free(&rep);
}

/* Every real EVTX event of the attack samples: the prefiltered scan raises
 * exactly the alerts that evaluating every rule of the event's logsource does. */
static size_t ncounted;
static int count_emit(struct alert_sink *s, struct alert *a)
{
	ncounted++;
	alert_free(a);
	return 0;
}

/* The worker's value cache (prefilter.c) remembers the literals of values it
 * has seen: the alerts must be those of looking at every value afresh,
 * whether a value is known, evicted, too long to keep, or met under another
 * field, over more distinct bytes than the cache holds. */
static void test_value_cache(void **state)
{
	(void)state;
	static const char yaml[] =
	    "title: field\nid: 11111111-0000-0000-0000-000000000001\n"
	    "logsource: {product: windows}\n"
	    "detection: {sel: {CommandLine|contains: mimikatz}, condition: sel}\n"
	    "---\n"
	    "title: image\nid: 11111111-0000-0000-0000-000000000003\n"
	    "logsource: {product: windows}\n"
	    "detection: {sel: {Image|contains: katz}, condition: sel}\n"
	    "---\n"
	    "title: keyword\nid: 11111111-0000-0000-0000-000000000002\n"
	    "logsource: {product: windows}\n"
	    "detection: {keywords: [evilword], condition: keywords}\n";
	struct sigma_load_report rep = {0};
	struct sigma_ruleset *rs = ruleset_from(yaml, &rep);
	assert_int_equal(rep.nerrors, 0);
	sigma_load_report_free(&rep);
	struct detector d;
	assert_int_equal(sigma_detector_init(&d, rs), 0);
	void *w;
	assert_int_equal(d.worker_new(&d, &w), 0);
	struct alert_sink sink = {count_emit};
	struct source src = {.path = "test.evtx", .format = "evtx"};
	enum { N = 3000, LEN = 3900 };
	uint32_t cmd = fieldname_intern(slice_cstr("CommandLine"));
	uint32_t img = fieldname_intern(slice_cstr("Image"));
	char *val = malloc(LEN + 400);
	assert_non_null(val);
	size_t want = 0;
	ncounted = 0;
	for (int pass = 0; pass < 3; pass++) {
		for (int i = 0; i < N; i++) {
			/* every third event repeats the value before it; every
			 * fifth value is longer than the cache keeps */
			int j = i % 3 == 1 ? i - 1 : i;
			size_t len = j % 5 == 4 ? LEN + 300 : LEN;
			memset(val, 'a' + j % 26, len);
			int n = snprintf(val, 32, "v%d-", j);
			val[n] = 'x';
			if (j % 7 == 0)
				memcpy(val + len - 20, "MimiKatz", 8);
			if (j % 11 == 0)
				memcpy(val + 100, "evilword", 8);
			struct arena a;
			arena_init(&a, 0);
			struct event ev;
			event_clear(&ev);
			ev.source = &src;
			/* pass 1 puts the value under Image too, pass 2 only there */
			if (pass != 2)
				assert_int_equal(
				    event_field_add(&ev, &a, cmd, FT_STRING, slice_make(val, len)),
				    0);
			if (pass >= 1)
				assert_int_equal(
				    event_field_add(&ev, &a, img, FT_STRING, slice_make(val, len)),
				    0);
			ev.raw = slice_make(val, len);
			assert_int_equal(d.scan(w, &ev, 1, &sink), 0);
			want +=
			    (pass != 2 && j % 7 == 0) + (pass >= 1 && j % 7 == 0) + (j % 11 == 0);
			arena_free(&a);
		}
		assert_int_equal(ncounted, want);
	}
	unsigned long long hits, misses;
	sigma_worker_forget(w, &hits, &misses);
	assert_true(hits > 0);   /* values were met again, under the same field */
	assert_true(misses > N); /* and more bytes than the cache holds went by */
	free(val);
	d.worker_free(w);
	d.shared_free(d.shared);
}

/* Keyword literals are searched once per event over its values joined,
 * against the keywords of the event's logsource classes alone (prefilter.c):
 * a keyword rule fires on its own events only, on a value exactly as long as
 * the shortest keyword, on a keyword inside a long value, but not on one
 * split over two values. The rules' alerts come in rule order. */
static void test_keyword_classes(void **state)
{
	(void)state;
	static const char yaml[] =
	    "title: kwsec\nid: 22222222-0000-0000-0000-000000000001\n"
	    "logsource: {product: windows, service: security}\n"
	    "detection: {keywords: ['mimikatz-a', 'sekurlsa::x'], condition: keywords}\n"
	    "---\n"
	    "title: kwsys\nid: 22222222-0000-0000-0000-000000000002\n"
	    "logsource: {product: windows, service: system}\n"
	    "detection: {keywords: [evilword-b], condition: keywords}\n"
	    "---\n"
	    "title: field\nid: 22222222-0000-0000-0000-000000000003\n"
	    "logsource: {product: windows, service: security}\n"
	    "detection: {sel: {CommandLine|contains: 'sekurlsa::x'}, condition: sel}\n";
	static const struct {
		const char *event;
		const char *rules; /* titles of the alerts, in order */
	} kwcases[] = {
	    {"{\"Channel\":\"Security\",\"EventID\":1,\"X\":\"runs sekurlsa::x now\"}", "kwsec"},
	    {"{\"Channel\":\"Security\",\"EventID\":1,\"X\":\"evilword-b\"}", ""},
	    {"{\"Channel\":\"System\",\"EventID\":1,\"X\":\"evilword-b\"}", "kwsys"},
	    {"{\"Channel\":\"System\",\"EventID\":1,\"X\":\"mimikatz-a\"}", ""},
	    /* exactly the shortest keyword: not left out as too short */
	    {"{\"Channel\":\"Security\",\"EventID\":1,\"A\":\"1\",\"X\":\"mimikatz-a\"}", "kwsec"},
	    /* split over two values */
	    {"{\"Channel\":\"Security\",\"EventID\":1,\"X\":\"xx mimikatz\",\"Y\":\"-a\"}", ""},
	    {"{\"Channel\":\"Security\",\"EventID\":1,\"X\":\"sekurlsa:\",\"Y\":\":x\"}", ""},
	    /* the keyword and the field rule together, in rule order */
	    {"{\"Channel\":\"Security\",\"EventID\":1,\"CommandLine\":\"a sekurlsa::x b\"}",
	     "kwsec,field"},
	};
	for (size_t i = 0; i < sizeof kwcases / sizeof *kwcases; i++) {
		struct collect c = {0};
		run(yaml, kwcases[i].event, &c);
		char got[256] = "";
		for (size_t k = 0; k < c.n; k++)
			snprintf(got + strlen(got), sizeof got - strlen(got), "%s%s", k ? "," : "",
				 c.alerts[k]->rule_title);
		collect_free(&c);
		if (strcmp(got, kwcases[i].rules))
			fail_msg("case %zu: alerts \"%s\", expected \"%s\"\n  event %s", i, got,
				 kwcases[i].rules, kwcases[i].event);
	}
	/* the keyword in a value after the first batch of 32 fields, behind
	 * values that outgrow the keyword buffer's first 4,096 bytes */
	static char ev[16384];
	for (size_t at = 0; at < 40; at += 13) {
		size_t n =
		    (size_t)snprintf(ev, sizeof ev, "{\"Channel\":\"Security\",\"EventID\":1");
		for (size_t f = 0; f < 40; f++) {
			n += (size_t)snprintf(ev + n, sizeof ev - n, ",\"F%zu\":\"", f);
			const char *v = f == at ? "sekurlsa::x" : "filler value";
			size_t len = f == at ? strlen(v) : f % 8 == 7 ? 1500 : strlen(v);
			for (size_t k = 0; k < len; k++)
				ev[n++] = v[k % strlen(v)];
			ev[n++] = '"';
		}
		snprintf(ev + n, sizeof ev - n, "}");
		struct collect c = {0};
		if (run(yaml, ev, &c) != 1)
			fail_msg("keyword in field %zu of 40: %zu alerts, expected 1", at, c.n);
		collect_free(&c);
	}
}

/* A class set's pairs hold the pairs of its rules' literals and only them,
 * wherever those literals fall among the others (runs of eight skipped,
 * the last few). */
static void test_subdb_pairs(void **state)
{
	(void)state;
	static char yaml[32768];
	size_t n = 0;
	/* 21 System rules, 10 Security rules, 13 System rules */
	for (int i = 0; i < 44; i++) {
		bool sec = i >= 21 && i < 31;
		n += (size_t)snprintf(yaml + n, sizeof yaml - n,
				      "%stitle: r%d\nlogsource: {product: windows, service: %s}\n"
				      "detection: {sel: {CommandLine|contains: 'tok%02dword'}, "
				      "condition: sel}\n",
				      i ? "---\n" : "", i, sec ? "security" : "system", i);
	}
	struct sigma_load_report rep = {0};
	struct sigma_ruleset *rs = ruleset_from(yaml, &rep);
	assert_int_equal(rep.nerrors, 0);
	sigma_load_report_free(&rep);
	assert_int_equal(rs->nrules, 44);
	struct sigma_pf_scratch *s;
	assert_int_equal(sigma_pf_scratch_new(rs->pf, &s), 0);
	struct arena a;
	arena_init(&a, 0);
	struct source src;
	static char js[4096];
	n = (size_t)snprintf(js, sizeof js, "{\"CommandLine\":\"");
	for (int i = 0; i < 44; i++)
		n += (size_t)snprintf(js + n, sizeof js - n, "tok%02dword ", i);
	snprintf(js + n, sizeof js - n, "\"}");
	struct event ev, other, sec, sys;
	event_from_json(&ev, &a, &src, js);
	n = (size_t)snprintf(js, sizeof js, "{\"CommandLine\":\"");
	for (int i = 0; i < 44; i++)
		if (i < 21 || i >= 31)
			n += (size_t)snprintf(js + n, sizeof js - n, "tok%02dword ", i);
	snprintf(js + n, sizeof js - n, "\"}");
	event_from_json(&other, &a, &src, js);
	event_from_json(&sec, &a, &src, "{\"Channel\":\"Security\",\"EventID\":1}");
	event_from_json(&sys, &a, &src, "{\"Channel\":\"System\",\"EventID\":1}");
	uint64_t cls_sec[4] = {0}, cls_both[4] = {0};
	sigma_logsource_eval(rs, &sec, cls_sec);
	sigma_logsource_eval(rs, &sys, cls_both);
	for (size_t i = 0; i < 4; i++)
		cls_both[i] |= cls_sec[i];
	for (int both = 0; both < 2; both++) {
		struct sigma_pfdb *d;
		assert_int_equal(sigma_prefilter_subdb(rs, both ? cls_both : cls_sec, s, &d), 0);
		uint32_t cand[64];
		size_t nc = 0;
		assert_int_equal(sigma_prefilter_scan_fields(rs->pf, d, s, &ev, cand, &nc), 0);
		assert_int_equal(nc, both ? 44 : 10);
		for (size_t k = 0; k < nc; k++)
			assert_int_equal(cand[k], both ? k : 21 + k);
		/* the literals of the other rules alone */
		assert_int_equal(sigma_prefilter_scan_fields(rs->pf, d, s, &other, cand, &nc), 0);
		assert_int_equal(nc, both ? 34 : 0);
		sigma_pfdb_free(d);
	}
	sigma_pf_scratch_free(s);
	arena_free(&a);
	sigma_ruleset_free(rs);
}

/* Events of many logsource keys (Security, EventIDs 1…300) that all have
 * the same classes share one prefilter subdatabase: the class bits are its
 * key, whole words of them. */
static void test_subdb_shared(void **state)
{
	(void)state;
	struct sigma_load_report rep = {0};
	struct sigma_ruleset *rs = ruleset_from(
	    "title: sec\nid: 33333333-0000-0000-0000-000000000001\n"
	    "logsource: {product: windows, service: security}\n"
	    "detection: {sel: {CommandLine|contains: 'sekurlsa::x'}, condition: sel}\n",
	    &rep);
	assert_int_equal(rep.nerrors, 0);
	sigma_load_report_free(&rep);
	struct detector d;
	assert_int_equal(sigma_detector_init(&d, rs), 0);
	void *wp;
	assert_int_equal(d.worker_new(&d, &wp), 0);
	struct sigma_worker *w = wp;
	struct collect c = {.sink.emit = collect_emit};
	struct arena a;
	arena_init(&a, 0);
	struct source src;
	for (int id = 1; id <= 300; id++) {
		char js[160];
		snprintf(js, sizeof js,
			 "{\"Channel\":\"Security\",\"EventID\":%d,\"CommandLine\":\"%s\"}", id,
			 id == 300 ? "a sekurlsa::x" : "b");
		struct event ev;
		event_from_json(&ev, &a, &src, js);
		assert_int_equal(d.scan(w, &ev, 1, &c.sink), 0);
	}
	assert_int_equal(c.n, 1);
	assert_int_equal(w->ndbs, 1);
	collect_free(&c);
	d.worker_free(wp);
	d.shared_free(d.shared);
	arena_free(&a);
}

/* Number of cache files in dir, and each one's path into paths (up to 16). */
static size_t cache_files(const char *dir, char paths[16][512])
{
	DIR *d = opendir(dir);
	assert_non_null(d);
	size_t n = 0;
	for (struct dirent *e; (e = readdir(d));)
		if (!strncmp(e->d_name, "hs-", 3)) {
			if (n < 16)
				snprintf(paths[n], 512, "%s/%s", dir, e->d_name);
			n++;
		}
	closedir(d);
	return n;
}

/* Alerts of a two-rule set on three events, and the databases the compile
 * read from the cache and compiled. */
static size_t cached_run(unsigned long long *hits, unsigned long long *misses)
{
	unsigned long long h0, m0;
	sigma_dbcache_stats(&h0, &m0);
	struct collect c = {0};
	size_t n =
	    run("{sel: {CommandLine|contains: [mimikatz, sekurlsa], Image|endswith: "
		"'\\\\rundll32.exe'}, condition: sel}",
		"{\"CommandLine\": \"x MIMIKATZ y\", \"Image\": \"C:\\\\a\\\\rundll32.exe\"}\n"
		"{\"CommandLine\": \"x sekurlsa y\", \"Image\": \"C:\\\\a\\\\cmd.exe\"}\n"
		"{\"CommandLine\": \"sekurlsa::x\", \"Image\": \"D:\\\\RunDll32.exe\"}",
		&c);
	collect_free(&c);
	sigma_dbcache_stats(hits, misses);
	*hits -= h0;
	*misses -= m0;
	return n;
}

/* Compiled databases are kept on disk and read back by the next compile of
 * the same literals; a damaged or foreign file is compiled over, never used. */
static void test_dbcache(void **state)
{
	(void)state;
	char dir[] = "/tmp/aptscope-dbcache-XXXXXX", paths[16][512], other[16][512];
	assert_non_null(mkdtemp(dir));
	setenv("APTSCOPE_CACHE_DIR", dir, 1);
	unsigned long long hits, misses;
	assert_int_equal(cached_run(&hits, &misses), 2);
	assert_int_equal(hits, 0);
	assert_true(misses > 0);
	size_t nfiles = cache_files(dir, paths);
	assert_int_equal(nfiles, misses);
	assert_int_equal(cached_run(&hits, &misses), 2);
	assert_int_equal(misses, 0);
	assert_int_equal(hits, nfiles);
	/* damage each file: truncated, a byte changed, a byte added */
	for (size_t i = 0; i < nfiles && i < 16; i++) {
		FILE *f = fopen(paths[i], "r+b");
		assert_non_null(f);
		fseek(f, 0, SEEK_END);
		long len = ftell(f);
		if (i % 3 == 0) {
			assert_int_equal(ftruncate(fileno(f), len - 9), 0);
		} else if (i % 3 == 1) {
			fseek(f, len / 2, SEEK_SET);
			int ch = fgetc(f);
			fseek(f, len / 2, SEEK_SET);
			fputc(ch ^ 0x20, f);
		} else {
			fputc('x', f);
		}
		fclose(f);
	}
	assert_int_equal(cached_run(&hits, &misses), 2);
	assert_int_equal(hits, 0);
	assert_int_equal(misses, nfiles);
	/* rewritten whole: read back again */
	assert_int_equal(cached_run(&hits, &misses), 2);
	assert_int_equal(hits, nfiles);
	/* a file used over AS_SIGMA_HSCACHE_TOUCH seconds ago is touched when
	 * read, one used since is left as it is */
	time_t now = time(NULL), old = now - 2 * AS_SIGMA_HSCACHE_TOUCH,
	       recent = now - AS_SIGMA_HSCACHE_TOUCH / 2;
	for (size_t i = 0; i < nfiles && i < 16; i++) {
		time_t t = i % 2 ? recent : old;
		struct timeval tv[2] = {{.tv_sec = t}, {.tv_sec = t}};
		assert_int_equal(utimes(paths[i], tv), 0);
	}
	assert_int_equal(cached_run(&hits, &misses), 2);
	assert_int_equal(hits, nfiles);
	for (size_t i = 0; i < nfiles && i < 16; i++) {
		struct stat st;
		assert_int_equal(stat(paths[i], &st), 0);
		if (i % 2)
			assert_int_equal(st.st_mtime, recent);
		else
			assert_true(st.st_mtime >= now);
	}
	/* another rule set's file under this set's names */
	struct collect c = {0};
	run("{sel: {CommandLine|contains: [procdump, comsvcs], Image|endswith: '\\\\x.exe'}, "
	    "condition: sel}",
	    "{\"CommandLine\": \"procdump\"}", &c);
	collect_free(&c);
	size_t nall = cache_files(dir, other);
	assert_int_equal(nall, 2 * nfiles);
	for (size_t i = 0; i < nall && i < 16; i++) {
		bool mine = false;
		for (size_t k = 0; k < nfiles; k++)
			mine |= !strcmp(other[i], paths[k]);
		if (!mine) {
			assert_int_equal(rename(other[i], paths[0]), 0);
			break;
		}
	}
	assert_int_equal(cached_run(&hits, &misses), 2);
	assert_int_equal(misses, 1);
	assert_int_equal(hits, nfiles - 1);
	/* turned off: nothing read, nothing written */
	nall = cache_files(dir, other);
	for (size_t i = 0; i < nall && i < 16; i++)
		assert_int_equal(unlink(other[i]), 0);
	setenv("APTSCOPE_CACHE_DIR", "off", 1);
	assert_int_equal(cached_run(&hits, &misses), 2);
	assert_int_equal(hits, 0);
	assert_int_equal(cache_files(dir, other), 0);
	unsetenv("APTSCOPE_CACHE_DIR");
	assert_int_equal(rmdir(dir), 0);
}

/* ---- YAML trees kept between runs ---- */

static bool tree_same(const struct sy_node *x, const struct sy_node *y)
{
	if (x->kind != y->kind || x->plain != y->plain || x->line != y->line || x->n != y->n)
		return false;
	if (x->kind == SY_SCALAR)
		return x->len == y->len && !memcmp(x->s, y->s, x->len + 1);
	size_t items = x->kind == SY_MAP ? 2 * x->n : x->n;
	for (size_t i = 0; i < items; i++)
		if (!tree_same(x->items[i], y->items[i]))
			return false;
	return true;
}

static void put32(unsigned char *p, uint32_t v)
{
	memcpy(p, &v, sizeof v);
}

/* Encoded trees decode to the tree parsed, and nothing else decodes. */
static void test_tree_codec(void **state)
{
	(void)state;
	static const char *texts[] = {
	    "",
	    "title: t\n",
	    "a: [1, '2', \"three\", null, ~]\n---\n---\nb: {c: d, e: [], f: {}}\n",
	    "k: \"nul \\0 inside\"\nlist:\n  - - nested\n    - x: |\n        block\n  - ''\n",
	    "? [complex, key]\n: value\n",
	};
	for (size_t i = 0; i < sizeof texts / sizeof *texts; i++) {
		struct arena a;
		struct sy_node **docs, **back;
		size_t nd, nb;
		char err[200];
		unsigned line;
		arena_init(&a, 0);
		assert_int_equal(
		    sy_parse(&a, texts[i], strlen(texts[i]), &docs, &nd, err, sizeof err, &line),
		    0);
		struct buf b = {0}, again = {0};
		assert_int_equal(sigma_tree_encode(&b, docs, nd), 0);
		assert_int_equal(sigma_tree_decode(&a, b.data, b.len, &back, &nb), 0);
		assert_int_equal(nb, nd);
		for (size_t k = 0; k < nd; k++)
			assert_true(tree_same(docs[k], back[k]));
		assert_int_equal(sigma_tree_encode(&again, back, nb), 0);
		assert_int_equal(again.len, b.len);
		assert_memory_equal(again.data, b.data, b.len);
		/* every cut, and one byte more, is refused */
		for (size_t cut = 0; cut < b.len; cut++)
			assert_int_equal(sigma_tree_decode(&a, b.data, cut, &back, &nb), AS_EPARSE);
		buf_putc(&b, 0);
		assert_int_equal(sigma_tree_decode(&a, b.data, b.len, &back, &nb), AS_EPARSE);
		buf_free(&b);
		buf_free(&again);
		arena_free(&a);
	}
	/* one document, a sequence of containers nested `depth` deep */
	unsigned char deep[4 + 10 * (AS_SIGMA_MAX_YAML_DEPTH + 2)];
	struct arena a;
	struct sy_node **docs;
	size_t nd;
	arena_init(&a, 0);
	for (int depth = AS_SIGMA_MAX_YAML_DEPTH; depth <= AS_SIGMA_MAX_YAML_DEPTH + 1; depth++) {
		size_t off = 4;
		put32(deep, 1);
		for (int k = 0; k < depth; k++, off += 10) {
			deep[off] = SY_SEQ;
			deep[off + 1] = 0;
			put32(deep + off + 2, 1);
			put32(deep + off + 6, k + 1 < depth);
		}
		assert_int_equal(sigma_tree_decode(&a, deep, off, &docs, &nd),
				 depth > AS_SIGMA_MAX_YAML_DEPTH ? AS_EPARSE : 0);
	}
	/* a scalar node: kind, plain flag, line, length, bytes, NUL; its text
	 * is read where it is */
	unsigned char one[4 + 10 + 2] = {0};
	put32(one, 1);
	put32(one + 6, 7);
	put32(one + 10, 1);
	one[14] = 'x';
	assert_int_equal(sigma_tree_decode(&a, one, sizeof one, &docs, &nd), 0);
	assert_int_equal(docs[0]->line, 7);
	assert_string_equal(docs[0]->s, "x");
	assert_ptr_equal(docs[0]->s, (const char *)one + 14);
	assert_int_equal(sigma_tree_decode(&a, one, sizeof one - 1, &docs, &nd), AS_EPARSE);
	one[15] = 'y'; /* no NUL after the text */
	assert_int_equal(sigma_tree_decode(&a, one, sizeof one, &docs, &nd), AS_EPARSE);
	one[15] = 0;
	one[5] = 2; /* plain is 0 or 1 */
	assert_int_equal(sigma_tree_decode(&a, one, sizeof one, &docs, &nd), AS_EPARSE);
	one[5] = 0;
	one[4] = 3; /* no such kind */
	assert_int_equal(sigma_tree_decode(&a, one, sizeof one, &docs, &nd), AS_EPARSE);
	one[4] = SY_MAP; /* a map holding one pair needs two nodes */
	assert_int_equal(sigma_tree_decode(&a, one, sizeof one, &docs, &nd), AS_EPARSE);
	one[4] = SY_SEQ;
	one[5] = 1; /* only scalars are plain */
	put32(one + 10, 0);
	assert_int_equal(sigma_tree_decode(&a, one, 14, &docs, &nd), AS_EPARSE);
	one[5] = 0;
	put32(one + 10, 0xffffffffu); /* more items than bytes */
	assert_int_equal(sigma_tree_decode(&a, one, 14, &docs, &nd), AS_EPARSE);
	put32(one, 0xffffffffu);
	assert_int_equal(sigma_tree_decode(&a, one, sizeof one, &docs, &nd), AS_EPARSE);
	arena_free(&a);
}

/* Write file dir/name with text. */
static void write_text(const char *dir, const char *name, const char *text)
{
	char path[600];
	snprintf(path, sizeof path, "%s/%s", dir, name);
	FILE *f = fopen(path, "wb");
	assert_non_null(f);
	assert_int_equal(fwrite(text, 1, strlen(text), f), strlen(text));
	fclose(f);
}

/* The report of loading dir, with the titles and lines of the rules that
 * loaded, as text; and the trees the load found in the cache and parsed. */
static void tree_load(const char *dir, struct buf *out, unsigned long long *hits,
		      unsigned long long *misses)
{
	unsigned long long h0, m0;
	sigma_treecache_stats(&h0, &m0);
	struct sigma_ruleset *rs;
	struct sigma_load_report rep = {0};
	assert_int_equal(sigma_ruleset_new(&rs), 0);
	assert_int_equal(sigma_ruleset_load(rs, dir, &rep), 0);
	buf_reset(out);
	buf_printf(out, "loaded %zu of %zu\n", rep.loaded, rep.total);
	for (size_t i = 0; i < rep.nerrors; i++)
		buf_printf(out, "%s:%u: %s (%s)\n", rep.errors[i].file, rep.errors[i].line,
			   rep.errors[i].reason, rep.errors[i].title ? rep.errors[i].title : "");
	for (size_t i = 0; i < sigma_ruleset_count(rs); i++) {
		const struct sigma_rule *r = rs->rules[i];
		buf_printf(out, "%s:%u %s %s %d\n", r->file, r->line, r->title, r->id ? r->id : "",
			   (int)r->level);
	}
	sigma_load_report_free(&rep);
	sigma_ruleset_free(rs);
	sigma_treecache_stats(hits, misses);
	*hits -= h0;
	*misses -= m0;
}

/* The bundle file of the cache folder into path; its bytes into b. */
static bool bundle_read(const char *dir, char *path, size_t cap, struct buf *b)
{
	DIR *d = opendir(dir);
	assert_non_null(d);
	bool found = false;
	for (struct dirent *e; (e = readdir(d));)
		if (!strncmp(e->d_name, "rt-", 3)) {
			snprintf(path, cap, "%s/%s", dir, e->d_name);
			found = true;
		}
	closedir(d);
	buf_reset(b);
	if (!found)
		return false;
	FILE *f = fopen(path, "rb");
	assert_non_null(f);
	char chunk[4096];
	for (size_t n; (n = fread(chunk, 1, sizeof chunk, f));)
		buf_append(b, chunk, n);
	fclose(f);
	return true;
}

/* Rule files load the same from their cached trees as from libyaml; a
 * changed file is parsed again, a damaged bundle is parsed over. */
static void test_treecache(void **state)
{
	(void)state;
	char rules[] = "/tmp/aptscope-trees-XXXXXX", cache[] = "/tmp/aptscope-tcache-XXXXXX";
	char sub[100], bundle[600];
	assert_non_null(mkdtemp(rules));
	assert_non_null(mkdtemp(cache));
	snprintf(sub, sizeof sub, "%s/d", rules);
	assert_int_equal(mkdir(sub, 0700), 0);
	const char *good = "title: Good\nid: 11111111-2222-3333-4444-555555555555\nlevel: high\n"
			   "logsource: {product: windows}\n"
			   "detection:\n  sel:\n    CommandLine|contains: [mimikatz, \"a\\0b\"]\n"
			   "  condition: sel\n";
	write_text(rules, "a.yml", good);
	write_text(rules, "b.yml",
		   "title: Bad\nlogsource: {product: windows}\ndetection:\n  sel: {X|nosuch: 1}\n"
		   "  condition: sel\n");
	write_text(rules, "c.yml", "title: [unclosed\n");
	write_text(sub, "e.yml",
		   "title: Two\nlogsource: {category: process_creation}\n"
		   "detection: {sel: {Image|endswith: '\\x.exe'}, condition: sel}\n---\n"
		   "title: Three\nlogsource: {category: process_creation}\n"
		   "detection: {sel: {Image: null}, condition: not sel}\n");
	write_text(rules, "f.yml", good); /* same bytes as a.yml: a duplicate id */
	struct buf want = {0}, got = {0}, b = {0}, b2 = {0};
	unsigned long long hits, misses;
	setenv("APTSCOPE_CACHE_DIR", "off", 1);
	tree_load(rules, &want, &hits, &misses);
	assert_false(bundle_read(cache, bundle, sizeof bundle, &b));
	assert_non_null(strstr(want.data, "c.yml:2: YAML"));
	assert_non_null(strstr(want.data, "f.yml:1: duplicate rule id"));
	assert_non_null(strstr(want.data, "b.yml:4:"));
	setenv("APTSCOPE_CACHE_DIR", cache, 1);
	/* first run: parsed and kept; the copy of a.yml is found in this load */
	tree_load(rules, &got, &hits, &misses);
	assert_string_equal(got.data, want.data);
	assert_int_equal(hits, 1);
	assert_int_equal(misses, 4);
	assert_true(bundle_read(cache, bundle, sizeof bundle, &b));
	/* again: all but the file that does not parse come from the bundle,
	 * which is left as it is */
	tree_load(rules, &got, &hits, &misses);
	assert_string_equal(got.data, want.data);
	assert_int_equal(hits, 4);
	assert_int_equal(misses, 1);
	assert_true(bundle_read(cache, bundle, sizeof bundle, &b2));
	assert_int_equal(b2.len, b.len);
	assert_memory_equal(b2.data, b.data, b.len);
	/* a changed file is parsed; the bundle then holds its new tree */
	write_text(sub, "e.yml",
		   "title: Two changed\nlogsource: {category: process_creation}\n\n"
		   "detection: {sel: {Image|endswith: '\\y.exe'}, condition: sel}\n");
	struct buf want2 = {0};
	setenv("APTSCOPE_CACHE_DIR", "off", 1);
	tree_load(rules, &want2, &hits, &misses);
	setenv("APTSCOPE_CACHE_DIR", cache, 1);
	tree_load(rules, &got, &hits, &misses);
	assert_string_equal(got.data, want2.data);
	assert_int_equal(hits, 3);
	assert_int_equal(misses, 2);
	tree_load(rules, &got, &hits, &misses);
	assert_string_equal(got.data, want2.data);
	assert_int_equal(hits, 4);
	/* damaged bundles: cut, a byte changed at several places, a byte added,
	 * emptied; each is parsed over, then used again */
	assert_true(bundle_read(cache, bundle, sizeof bundle, &b));
	for (int k = 0; k < 7; k++) {
		struct buf dmg = {0};
		buf_append(&dmg, b.data, b.len);
		if (k == 0)
			dmg.len -= 3;
		else if (k <= 4)
			dmg.data[dmg.len * (size_t)k / 5] ^= 0x40;
		else if (k == 5)
			buf_putc(&dmg, 'x');
		else
			dmg.len = 0;
		FILE *f = fopen(bundle, "wb");
		assert_non_null(f);
		assert_int_equal(fwrite(dmg.data, 1, dmg.len, f), dmg.len);
		fclose(f);
		buf_free(&dmg);
		tree_load(rules, &got, &hits, &misses);
		assert_string_equal(got.data, want2.data);
		assert_int_equal(hits, 1);
		assert_int_equal(misses, 4);
		tree_load(rules, &got, &hits, &misses);
		assert_string_equal(got.data, want2.data);
		assert_int_equal(hits, 4);
	}
	/* a bundle whose checksum holds but whose entry is not a tree */
	assert_true(bundle_read(cache, bundle, sizeof bundle, &b));
	struct sigma_treecache *tc = sigma_treecache_from(b.data, b.len);
	struct arena a;
	struct sy_node **docs;
	size_t nd;
	arena_init(&a, 0);
	assert_true(sigma_treecache_get(tc, &a, good, strlen(good), &docs, &nd));
	sigma_treecache_close(tc, false);
	char *p = memmem(b.data, b.len, "mimikatz", 8);
	assert_non_null(p);
	p[-10] = 7; /* the scalar's kind byte */
	uint64_t sum = hash_bytes_seeded(b.data, b.len - 8, HASH_K1);
	memcpy(b.data + b.len - 8, &sum, sizeof sum);
	tc = sigma_treecache_from(b.data, b.len);
	assert_false(sigma_treecache_get(tc, &a, good, strlen(good), &docs, &nd));
	sigma_treecache_close(tc, false);
	arena_free(&a);
	/* clean up */
	unlink(bundle);
	char path[600];
	DIR *d = opendir(cache);
	for (struct dirent *e; (e = readdir(d));)
		if (e->d_name[0] != '.') {
			snprintf(path, sizeof path, "%s/%s", cache, e->d_name);
			unlink(path);
		}
	closedir(d);
	const char *names[] = {"a.yml", "b.yml", "c.yml", "f.yml"};
	for (size_t i = 0; i < 4; i++) {
		snprintf(path, sizeof path, "%s/%s", rules, names[i]);
		assert_int_equal(unlink(path), 0);
	}
	snprintf(path, sizeof path, "%s/e.yml", sub);
	assert_int_equal(unlink(path), 0);
	assert_int_equal(rmdir(sub), 0);
	assert_int_equal(rmdir(rules), 0);
	assert_int_equal(rmdir(cache), 0);
	unsetenv("APTSCOPE_CACHE_DIR");
	buf_free(&want);
	buf_free(&want2);
	buf_free(&got);
	buf_free(&b);
	buf_free(&b2);
}

static void test_corpus_evtx(void **state)
{
	const char *shared = getenv("APTSCOPE_SHARED");
	char rules[1024], samples[1024];
	snprintf(samples, sizeof samples, "%s/corpora/evtx-attack-samples",
		 shared ? shared : "../shared");
	FILE *f = fopen(samples, "r");
	if (!f || !format_by_name("evtx")) {
		if (f)
			fclose(f);
		printf("skipped: EVTX attack samples or the evtx reader not available\n");
		skip();
	}
	fclose(f);
	struct sigma_ruleset *rs;
	struct sigma_load_report rep = {0};
	assert_int_equal(sigma_ruleset_new(&rs), 0);
	/* the SigmaHQ Windows rule set: rules/windows and the Windows rules of
	 * the emerging-threats and threat-hunting folders (their other rules
	 * never see an EVTX event) */
	static const char *dirs[] = {"rules/windows", "rules-emerging-threats",
				     "rules-threat-hunting"};
	for (size_t i = 0; i < sizeof dirs / sizeof *dirs; i++) {
		snprintf(rules, sizeof rules, "%s/corpora/sigma/%s", shared ? shared : "../shared",
			 dirs[i]);
		assert_int_equal(sigma_ruleset_load(rs, rules, &rep), 0);
	}
	assert_int_equal(sigma_ruleset_compile(rs, &rep), 0);
	assert_true(rep.loaded > 2900);
	struct detector d;
	assert_int_equal(sigma_detector_init(&d, rs), 0);
	void *wp;
	assert_int_equal(d.worker_new(&d, &wp), 0);
	struct sigma_worker *w = wp;
	struct diag_sink diags;
	diag_sink_init(&diags, NULL);
	struct file_list files = {0};
	char *paths[] = {samples};
	assert_int_equal(walk_paths(paths, 1, &files, &diags), 0);
	struct read_opts ro = {.fields = true};
	struct batch b;
	batch_init(&b);
	struct alert_sink sink = {count_emit};
	uint64_t *bits = calloc(rs->nclasses / 64 + 2, sizeof *bits);
	size_t events = 0, scanned = 0, brute = 0;
	for (size_t i = 0; i < files.n; i++) {
		struct source src = {.path = files.paths[i], .id = (uint32_t)i};
		struct reader *r;
		struct diag why = {0};
		if (reader_open(&r, &src, NULL, &ro, &diags, &why))
			continue;
		int n;
		while ((n = reader_next(r, &b)) > 0) {
			for (int k = 0; k < n; k++) {
				const struct event *ev = &b.events[k];
				ncounted = 0;
				assert_int_equal(d.scan(w, ev, 1, &sink), 0);
				sigma_logsource_eval(rs, ev, bits);
				w->cur = bits;
				w->lithit = NULL;
				sigma_worker_set_event(w, ev);
				size_t bf = 0;
				for (size_t q = 0; q < rs->nrules; q++) {
					const struct sigma_rule *rr = rs->rules[q];
					if (rr->kind == SK_DETECTION &&
					    ((bits[rr->lsclass / 64] >> (rr->lsclass % 64)) & 1) &&
					    sigma_rule_eval(w, rr))
						bf++;
				}
				if (bf != ncounted)
					fail_msg("%s record %llu: scan %zu alerts, every rule %zu",
						 files.paths[i], (unsigned long long)ev->record,
						 ncounted, bf);
				events++;
				scanned += ncounted;
				brute += bf;
			}
		}
		reader_close(r);
	}
	printf("%zu EVTX events, %zu alerts\n", events, scanned);
	assert_true(events > 10000);
	assert_true(scanned > 100); /* attack samples must trip rules */
	free(bits);
	batch_free(&b);
	file_list_free(&files);
	diag_sink_fini(&diags);
	d.worker_free(wp);
	d.shared_free(d.shared);
	sigma_load_report_free(&rep);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
	    cmocka_unit_test(test_modifiers),       cmocka_unit_test(test_re_literal),
	    cmocka_unit_test(test_re_sequence),     cmocka_unit_test(test_conditions),
	    cmocka_unit_test(test_load_errors),     cmocka_unit_test(test_expand),
	    cmocka_unit_test(test_logsource),       cmocka_unit_test(test_alert),
	    cmocka_unit_test(test_filter),          cmocka_unit_test(test_correlation),
	    cmocka_unit_test(test_prefilter),       cmocka_unit_test(test_prefilter_stamps),
	    cmocka_unit_test(test_lazy_index),      cmocka_unit_test(test_corpus),
	    cmocka_unit_test(test_corpus_evtx),     cmocka_unit_test(test_value_cache),
	    cmocka_unit_test(test_keyword_classes), cmocka_unit_test(test_subdb_shared),
	    cmocka_unit_test(test_subdb_pairs),     cmocka_unit_test(test_dbcache),
	    cmocka_unit_test(test_tree_codec),      cmocka_unit_test(test_treecache),
	    cmocka_unit_test(test_wrap_variants),   cmocka_unit_test(test_valset_reuse),
	    cmocka_unit_test(test_field_resolve),
	};
	return cmocka_run_group_tests(tests, NULL, NULL);
}
