/*
 * test_read_evtx_binxml.c — the native EVTX reader (evtx_binxml.c) against
 * the libevtx path.
 *
 * Every fixture of tests/data/windows/ (and, with APTSCOPE_SHARED set, every
 * file of evtx-attack-samples) is read twice through the reader driver,
 * with APTSCOPE_EVTX=libevtx and APTSCOPE_EVTX=native, with and without
 * native fields, and the two event lists are compared field by field:
 * native fields (name, type, value, order) and canonical fields. The raw
 * text differs by design (XML there, "Name=value" lines here) and is only
 * required to be non-empty. Diagnostics must be the same but for the CRC32
 * note the native path adds.
 *
 * Then the parts: CRC32, chunk and record headers, and hostile chunks
 * (fixture chunks with bytes changed, records cut short) which must give an
 * event or a reason, never a crash (run under ASan in CI).
 */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <zlib.h>

#include <cmocka.h>

#include "core/error.h"
#include "event/fieldname.h"
#include "read/evtx_binxml.h"
#include "read/format.h"
#include "read/reader.h"
#include "read/walk.h"
#include "read/winevent.h"

extern const struct format format_evtx;

static const char *data_path(const char *name)
{
	static char p[1024];
	const char *dir = getenv("APTSCOPE_TEST_DATA");
	snprintf(p, sizeof p, "%s/windows/%s", dir ? dir : "tests/data", name);
	return p;
}

struct got {
	struct event *ev;
	size_t n, cap;
	struct arena keep;
	struct reader_stats st;
	char *diags;
	int open_rc;
};

static void read_path(const char *path, const char *mode, bool fields, struct got *g)
{
	setenv("APTSCOPE_EVTX", mode, 1);
	memset(g, 0, sizeof *g);
	arena_init(&g->keep, 0);
	size_t dlen = 0;
	FILE *dout = open_memstream(&g->diags, &dlen);
	assert_non_null(dout);
	struct diag_sink sink;
	diag_sink_init(&sink, dout);
	static struct source src;
	src = (struct source){.path = path};
	struct read_opts ro = {.fields = fields};
	struct reader *r = NULL;
	struct diag why = {0};
	g->open_rc = reader_open(&r, &src, &format_evtx, &ro, &sink, &why);
	if (!g->open_rc) {
		struct batch b;
		batch_init(&b);
		int n;
		while ((n = reader_next(r, &b)) > 0) {
			for (int i = 0; i < n; i++) {
				if (g->n == g->cap) {
					g->cap = g->cap ? 2 * g->cap : 64;
					g->ev = realloc(g->ev, g->cap * sizeof *g->ev);
					assert_non_null(g->ev);
				}
				assert_int_equal(event_copy(&g->ev[g->n], &b.events[i], &g->keep),
						 0);
				g->n++;
			}
		}
		reader_stats(r, &g->st);
		batch_free(&b);
		reader_close(r);
	}
	diag_sink_fini(&sink);
	fclose(dout);
	unsetenv("APTSCOPE_EVTX");
}

static void got_free(struct got *g)
{
	free(g->ev);
	free(g->diags);
	arena_free(&g->keep);
}

/* The first difference between two events, or false. */
static bool event_differs(const struct event *a, const struct event *b, char *why, size_t cap)
{
	if (a->time != b->time || a->kind != b->kind || a->outcome != b->outcome ||
	    a->user_invalid != b->user_invalid || a->record != b->record) {
		snprintf(why, cap, "time/kind/outcome/user_invalid/record");
		return true;
	}
	if (a->num_present != b->num_present) {
		snprintf(why, cap, "numbers present");
		return true;
	}
	for (int k = 0; k < EN_COUNT; k++)
		if (event_has_num(a, (enum event_num)k) && a->num[k] != b->num[k]) {
			snprintf(why, cap, "%s", event_num_name((enum event_num)k));
			return true;
		}
	if (memcmp(&a->src_ip, &b->src_ip, sizeof a->src_ip) ||
	    memcmp(&a->dst_ip, &b->dst_ip, sizeof a->dst_ip)) {
		snprintf(why, cap, "src_ip/dst_ip");
		return true;
	}
	for (int k = 0; k < ES_COUNT; k++)
		if (!a->str[k].ptr != !b->str[k].ptr ||
		    (a->str[k].ptr && !slice_eq(a->str[k], b->str[k]))) {
			snprintf(why, cap, "%s", event_str_name((enum event_str)k));
			return true;
		}
	if (a->nfields != b->nfields) {
		snprintf(why, cap, "%u native fields, %u", a->nfields, b->nfields);
		return true;
	}
	for (uint32_t i = 0; i < a->nfields; i++) {
		const struct field *x = &a->fields[i], *y = &b->fields[i];
		if (x->name != y->name || x->type != y->type || !slice_eq(x->value, y->value)) {
			struct slice nm = fieldname_str(x->name);
			snprintf(why, cap, "native field %u (" SLICE_FMT ")", i, SLICE_ARG(nm));
			return true;
		}
	}
	if (!a->raw.len || !b->raw.len) {
		snprintf(why, cap, "empty raw text");
		return true;
	}
	return false;
}

struct tally {
	uint64_t files, compared, differ, native, fallback, whole_file, recovered;
};

/* path read both ways, fields on and off; fails on any difference (of the
 * diagnostics, their number when same_errors). */
static void compare_file(const char *path, struct tally *t, bool verbose, bool same_errors)
{
	for (int fields = 1; fields >= 0; fields--) {
		struct evtx_counters c0, c1;
		struct got lib, nat;
		read_path(path, "libevtx", fields, &lib);
		evtx_counters_get(&c0);
		read_path(path, "native", fields, &nat);
		evtx_counters_get(&c1);
		if (lib.open_rc != nat.open_rc)
			fail_msg("%s: open %d vs %d", path, lib.open_rc, nat.open_rc);
		if (lib.n != nat.n || (same_errors && lib.st.errors != nat.st.errors))
			fail_msg("%s fields=%d: libevtx %zu events %llu errors, native %zu events "
				 "%llu errors\n%s---\n%s",
				 path, fields, lib.n, (unsigned long long)lib.st.errors, nat.n,
				 (unsigned long long)nat.st.errors, lib.diags, nat.diags);
		uint64_t differ = 0;
		for (size_t i = 0; i < lib.n; i++) {
			char why[160];
			if (event_differs(&lib.ev[i], &nat.ev[i], why, sizeof why)) {
				if (!differ)
					print_message("%s fields=%d event %zu: %s\n", path, fields,
						      i, why);
				differ++;
			}
		}
		if (fields) {
			t->compared += lib.n;
			t->differ += differ;
			t->native += c1.native - c0.native;
			t->fallback += c1.fallback_record - c0.fallback_record;
			t->whole_file += c1.libevtx_file - c0.libevtx_file;
			t->recovered += c1.recovered - c0.recovered;
			t->files++;
		}
		if (verbose)
			print_message("%6zu events %6llu differ %6llu native  %s (fields=%d)\n",
				      lib.n, (unsigned long long)differ,
				      (unsigned long long)(c1.native - c0.native), path, fields);
		got_free(&lib);
		got_free(&nat);
		assert_int_equal(differ, 0);
	}
}

static void test_fixtures_same(void **state)
{
	/* libevtx reads no record of a chunk the file ends in (native: the
	 * records that fit, test_read_evtx), so the cut fixtures are not here;
	 * damage is reported in other words, so only the events of
	 * fail_corrupt_record are compared */
	static const struct {
		const char *name;
		bool same_errors;
	} files[] = {
	    {"pass_security_4624_4625.evtx", true},     {"pass_security_4771_spray.evtx", true},
	    {"pass_sysmon_1_3_11.evtx", true},          {"pass_recovered.evtx", true},
	    {"fail_corrupt_record.evtx", false},        {"pass_sysmon_1_3_11.evtx.gz", true},
	    {"pass_security_4624_4625.evtx.zst", true},
	};
	struct tally t = {0};
	for (size_t i = 0; i < sizeof files / sizeof files[0]; i++)
		compare_file(data_path(files[i].name), &t, true, files[i].same_errors);
	print_message("fixtures: %llu events compared, %llu differ, %llu read natively\n",
		      (unsigned long long)t.compared, (unsigned long long)t.differ,
		      (unsigned long long)t.native);
	/* every allocated record of the fixtures but the scrambled one */
	assert_int_equal(t.native, 4 + 12 + 8 + 4 + 7 + 8 + 4);
	assert_int_equal(t.fallback, 0);
	/* the records carved from free space are libevtx's recovered records */
	setenv("APTSCOPE_EVTX_RECOVER", "1", 1);
	struct tally r = {0};
	compare_file(data_path("pass_recovered.evtx"), &r, true, true);
	unsetenv("APTSCOPE_EVTX_RECOVER");
	assert_int_equal(r.compared, 44);
	assert_int_equal(r.recovered, 40); /* carved natively, fields on */
}

static void test_corpus_same(void **state)
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
	struct tally t = {0};
	for (size_t i = 0; i < fl.n; i++) {
		size_t len = strlen(fl.paths[i]);
		if (len >= 5 && strcmp(fl.paths[i] + len - 5, ".evtx") == 0)
			compare_file(fl.paths[i], &t, false, true);
	}
	print_message("corpus: %llu files, %llu events compared (native fields and canonical), "
		      "%llu differ; allocated records: %llu read natively, %llu by libevtx after "
		      "the parser refused them, %llu in files left to libevtx; %llu recovered "
		      "records (libevtx both ways)\n",
		      (unsigned long long)t.files, (unsigned long long)t.compared,
		      (unsigned long long)t.differ, (unsigned long long)t.native,
		      (unsigned long long)t.fallback, (unsigned long long)t.whole_file,
		      (unsigned long long)t.recovered);
	assert_true(t.files >= 270);
	assert_int_equal(t.differ, 0);
	assert_true(t.native > 8000);
	assert_int_equal(t.fallback, 0);
	assert_int_equal(t.whole_file, 0);
	file_list_free(&fl);
	diag_sink_fini(&notes);
}

/* ---- parts ---- */

static uint8_t *load(const char *name, size_t *len)
{
	FILE *f = fopen(data_path(name), "rb");
	assert_non_null(f);
	uint8_t *buf = malloc(1 << 20);
	assert_non_null(buf);
	*len = fread(buf, 1, 1 << 20, f);
	fclose(f);
	return buf;
}

static void test_crc32(void **state)
{
	assert_int_equal(evtx_crc32(0, (const uint8_t *)"123456789", 9), 0xCBF43926u);
	assert_int_equal(evtx_crc32(0, (const uint8_t *)"", 0), 0);
	/* in pieces as at once */
	uint32_t c = evtx_crc32(0, (const uint8_t *)"1234", 4);
	assert_int_equal(evtx_crc32(c, (const uint8_t *)"56789", 5), 0xCBF43926u);
	/* zlib's for every length to 300 and a chunk, at every alignment, in
	 * one piece and in two (the folding path from 64 bytes on) */
	uint8_t *buf = malloc(EVTX_CHUNK_SIZE + 16);
	assert_non_null(buf);
	uint32_t seed = 12345;
	for (size_t i = 0; i < EVTX_CHUNK_SIZE + 16; i++) {
		seed = seed * 1103515245u + 12345u;
		buf[i] = (uint8_t)(seed >> 16);
	}
	for (size_t n = 0; n <= EVTX_CHUNK_SIZE; n = n < 300 ? n + 1 : EVTX_CHUNK_SIZE) {
		for (size_t at = 0; at < 16; at++) {
			uint32_t want = (uint32_t)crc32(0, buf + at, (uInt)n);
			assert_int_equal(evtx_crc32(0, buf + at, n), want);
			assert_int_equal(
			    evtx_crc32(evtx_crc32(0, buf + at, n / 3), buf + at + n / 3, n - n / 3),
			    want);
		}
		if (n == EVTX_CHUNK_SIZE)
			break;
	}
	free(buf);
}

static void test_chunk_headers(void **state)
{
	static const struct {
		const char *file;
		bool header_ok, data_ok;
		unsigned records;
	} cases[] = {
	    {"pass_sysmon_1_3_11.evtx", true, true, 8},
	    {"pass_security_4771_spray.evtx", true, true, 12},
	    {"fail_corrupt_record.evtx", true, false, 8},
	};
	for (size_t i = 0; i < sizeof cases / sizeof cases[0]; i++) {
		size_t len;
		uint8_t *buf = load(cases[i].file, &len);
		assert_true(len >= EVTX_FILE_HEADER_SIZE + EVTX_CHUNK_SIZE);
		struct evtx_chunk c;
		struct diag why = {0};
		assert_int_equal(evtx_chunk_open(&c, buf + EVTX_FILE_HEADER_SIZE, &why), 0);
		evtx_chunk_check(&c);
		assert_int_equal(c.header_crc_ok, cases[i].header_ok);
		assert_int_equal(c.data_crc_ok, cases[i].data_ok);
		unsigned n = 0;
		for (uint32_t off = EVTX_CHUNK_HEADER_SIZE; off < c.free_off; n++) {
			struct evtx_record r;
			assert_int_equal(evtx_record_open(&c, off, &r, &why), 0);
			assert_int_equal(r.id, c.first_number + n);
			off += r.size;
		}
		assert_int_equal(n, cases[i].records);
		/* not a chunk */
		assert_int_equal(evtx_chunk_open(&c, buf, &why), AS_EFORMAT);
		free(buf);
	}
}

/* Every record of a chunk through the parser; returns the records parsed. */
static unsigned parse_chunk(struct evtx_binxml *bx, const uint8_t *chunk, struct arena *a)
{
	struct evtx_chunk c;
	struct diag why = {0};
	if (evtx_chunk_open(&c, chunk, &why))
		return 0;
	unsigned ok = 0;
	for (uint32_t off = EVTX_CHUNK_HEADER_SIZE; off < c.free_off;) {
		struct evtx_record r;
		if (evtx_record_open(&c, off, &r, &why))
			break;
		off += r.size;
		struct event ev;
		event_clear(&ev);
		struct winevent w;
		winevent_begin(&w, &ev, a, true);
		struct slice raw = SLICE_NULL;
		why.code = 0;
		int rc = evtx_binxml_record(bx, &c, &r, &w, &raw, &why);
		if (rc) {
			assert_true(rc < 0);
			assert_int_equal(why.code, rc);
			assert_true(why.msg[0] != 0);
		} else {
			assert_int_equal(winevent_finish(&w), 0);
			assert_true(raw.len > 0);
			ok++;
		}
		arena_reset(a);
	}
	return ok;
}

static void test_hostile_chunks(void **state)
{
	static const char *const names[] = {"pass_sysmon_1_3_11.evtx",
					    "pass_security_4624_4625.evtx", "pass_recovered.evtx"};
	struct evtx_binxml *bx = NULL;
	assert_int_equal(evtx_binxml_new(&bx), 0);
	struct arena a;
	arena_init(&a, 0);
	uint8_t *chunk = malloc(EVTX_CHUNK_SIZE);
	assert_non_null(chunk);
	uint32_t seed = 12345;
	for (size_t f = 0; f < sizeof names / sizeof names[0]; f++) {
		size_t len;
		uint8_t *buf = load(names[f], &len);
		const uint8_t *orig = buf + EVTX_FILE_HEADER_SIZE;
		memcpy(chunk, orig, EVTX_CHUNK_SIZE);
		unsigned whole = parse_chunk(bx, chunk, &a);
		assert_true(whole > 0);
		for (int round = 0; round < 300; round++) {
			memcpy(chunk, orig, EVTX_CHUNK_SIZE);
			int changes = 1 + round % 8;
			for (int k = 0; k < changes; k++) {
				seed = seed * 1103515245u + 12345u;
				/* mostly where the records and templates are */
				uint32_t at =
				    EVTX_CHUNK_HEADER_SIZE +
				    (seed >> 8) % (EVTX_CHUNK_SIZE / 4 - EVTX_CHUNK_HEADER_SIZE);
				seed = seed * 1103515245u + 12345u;
				chunk[at] = round & 1 ? (uint8_t)(seed >> 16) : 0xFF;
			}
			parse_chunk(bx, chunk, &a);
		}
		/* the same chunk with its records' BinXML cut at every length */
		memcpy(chunk, orig, EVTX_CHUNK_SIZE);
		struct evtx_chunk c;
		struct diag why = {0};
		assert_int_equal(evtx_chunk_open(&c, chunk, &why), 0);
		struct evtx_record r;
		assert_int_equal(evtx_record_open(&c, EVTX_CHUNK_HEADER_SIZE, &r, &why), 0);
		for (uint32_t cut = 28; cut < r.size; cut += 7) {
			struct evtx_record rc = r;
			rc.size = cut;
			struct event ev;
			event_clear(&ev);
			struct winevent w;
			winevent_begin(&w, &ev, &a, true);
			struct slice raw;
			int e = evtx_binxml_record(bx, &c, &rc, &w, &raw, &why);
			assert_true(e <= 0);
			arena_reset(&a);
		}
		free(buf);
	}
	free(chunk);
	arena_free(&a);
	evtx_binxml_free(bx);
	evtx_binxml_free(NULL);
}

/* Record off (of size) of chunk c read into *ev (fields on) with raw text
 * *raw; the return code of evtx_binxml_record. */
static int read_one(struct evtx_binxml *bx, const struct evtx_chunk *c, uint32_t off, uint32_t size,
		    struct arena *a, struct event *ev, struct slice *raw)
{
	struct evtx_record r = {.off = off, .size = size};
	struct diag why = {0};
	event_clear(ev);
	struct winevent w;
	winevent_begin(&w, ev, a, true);
	*raw = SLICE_NULL;
	int rc = evtx_binxml_record(bx, c, &r, &w, raw, &why);
	if (!rc)
		assert_int_equal(winevent_finish(&w), 0);
	ev->raw = *raw;
	return rc;
}

/*
 * A record's BinXML is read the same whatever its shape: the usual one
 * (fragment header, template instance, end token), which skips the token
 * loop, and copies of the second record of a fixture put after the
 * chunk's records with a second fragment header in front (the loop from
 * the start), without the end token (the loop after the instance), and
 * with an element after the instance (refused, as two roots).
 */
static void test_fragment_shapes(void **state)
{
	size_t len;
	uint8_t *buf = load("pass_sysmon_1_3_11.evtx", &len);
	uint8_t *chunk = buf + EVTX_FILE_HEADER_SIZE;
	struct evtx_chunk c;
	struct diag why = {0};
	assert_int_equal(evtx_chunk_open(&c, chunk, &why), 0);
	struct evtx_record r1, r2;
	assert_int_equal(evtx_record_open(&c, EVTX_CHUNK_HEADER_SIZE, &r1, &why), 0);
	assert_int_equal(evtx_record_open(&c, r1.off + r1.size, &r2, &why), 0);
	/* the second record: header, fragment header, an instance of the
	 * template defined in the first (token, 9 bytes, value count, value
	 * descriptors: size u16, type u8, pad u8), its values, the end token,
	 * padding, the size */
	const uint8_t *x = chunk + r2.off + 24;
	assert_int_equal(x[0], 0x0F);
	assert_int_equal(x[4], 0x0C);
	uint32_t nv = (uint32_t)x[14] | (uint32_t)x[15] << 8;
	uint32_t e = 18 + 4 * nv;
	for (uint32_t i = 0; i < nv; i++)
		e += (uint32_t)x[18 + 4 * i] | (uint32_t)x[19 + 4 * i] << 8;
	assert_true(e + 4 < r2.size - 24);
	assert_int_equal(x[e], 0x00);
	/* the root element's name, from the first record's template */
	const uint8_t *q = chunk + r1.off + 24 + 4 + 10 + 24 + 4;
	assert_true(q[0] == 0x01 || q[0] == 0x41);
	const uint8_t el[12] = {0x01, 0xFF, 0xFF, 0, 0, 0, 0, q[7], q[8], q[9], q[10], 0x03};
	uint32_t at = c.free_off;
	assert_true(at + r2.size + 64 <= EVTX_CHUNK_SIZE);
	struct evtx_binxml *bx = NULL;
	assert_int_equal(evtx_binxml_new(&bx), 0);
	struct arena a, b;
	arena_init(&a, 0);
	arena_init(&b, 0);
	struct event want, got;
	struct slice raw_want, raw_got;
	char differs[160];
	assert_int_equal(read_one(bx, &c, r2.off, r2.size, &a, &want, &raw_want), 0);
	assert_true(want.nfields > 10);
	for (int shape = 0; shape < 4; shape++) {
		uint8_t *d = chunk + at;
		memset(d, 0, r2.size + 64);
		memcpy(d, chunk + r2.off, 24);
		uint32_t m = 24;
		if (shape == 0) { /* two fragment headers */
			memcpy(d + m, x, 4);
			m += 4;
		}
		memcpy(d + m, x, e);
		m += e;
		if (shape == 2) { /* <Event/> after the instance */
			memcpy(d + m, el, sizeof el);
			m += sizeof el;
		}
		if (shape != 1) /* the end token, and no padding */
			d[m++] = 0x00;
		m += 4;
		int rc = read_one(bx, &c, at, m, &b, &got, &raw_got);
		if (shape == 2) {
			assert_int_equal(rc, AS_EPARSE);
		} else {
			assert_int_equal(rc, 0);
			if (event_differs(&want, &got, differs, sizeof differs))
				fail_msg("shape %d: %s", shape, differs);
			assert_true(slice_eq(raw_want, raw_got));
		}
		arena_reset(&b);
	}
	arena_free(&a);
	arena_free(&b);
	evtx_binxml_free(bx);
	free(buf);
}

/*
 * A record holding a value type the parser does not write (here the first
 * record's Execution_ProcessID, UInt32, retyped as Real32) is read through
 * libevtx, by the same record number; the other records natively; the
 * changed chunk's records CRC32 is reported.
 */
static void test_fallback(void **state)
{
	size_t len;
	uint8_t *buf = load("pass_sysmon_1_3_11.evtx", &len);
	uint8_t *c = buf + EVTX_FILE_HEADER_SIZE;
	/* record 1: header (24), fragment header (4), template instance token
	 * (10) whose definition is inline here, then the value count and the
	 * descriptors (size u16, type u8, pad u8) */
	uint32_t pos = 512 + 24 + 4;
	assert_int_equal(c[pos], 0x0C);
	uint32_t def = (uint32_t)c[pos + 6] | (uint32_t)c[pos + 7] << 8 |
		       (uint32_t)c[pos + 8] << 16 | (uint32_t)c[pos + 9] << 24;
	assert_int_equal(def, pos + 10);
	uint32_t dsize = (uint32_t)c[def + 20] | (uint32_t)c[def + 21] << 8;
	uint32_t desc = def + 24 + dsize + 4;
	assert_int_equal(c[desc + 4 * 8 + 2], 0x08); /* value 8: UInt32 */
	c[desc + 4 * 8 + 2] = 0x0B;
	const char *path = "test_read_evtx_binxml_real32.evtx";
	FILE *f = fopen(path, "wb");
	assert_non_null(f);
	assert_int_equal(fwrite(buf, 1, len, f), len);
	fclose(f);
	free(buf);
	struct evtx_counters c0, c1;
	evtx_counters_get(&c0);
	struct got nat, lib;
	read_path(path, "native", true, &nat);
	evtx_counters_get(&c1);
	read_path(path, "libevtx", true, &lib);
	assert_int_equal(nat.n, 8);
	assert_int_equal(c1.fallback_record - c0.fallback_record, 1);
	assert_int_equal(c1.native - c0.native, 7);
	assert_non_null(strstr(nat.diags, "evtx chunk 0: records CRC32"));
	assert_int_equal(lib.n, 8);
	/* the record read by libevtx is libevtx's own */
	char why[160];
	for (size_t i = 0; i < nat.n; i++)
		if (event_differs(&nat.ev[i], &lib.ev[i], why, sizeof why))
			fail_msg("event %zu: %s", i, why);
	got_free(&nat);
	got_free(&lib);
	remove(path);
}

/*
 * Plans (a template's first walk in a chunk, replayed for the records after
 * it) against walking every record, on the fixture chunks and on hostile
 * copies of them: the same records read or refused, the same fields in the
 * same order, the same raw text.
 */
static void compare_plans(struct evtx_binxml *on, struct evtx_binxml *off, const uint8_t *chunk,
			  struct arena *a, unsigned *replayed_ok)
{
	struct evtx_chunk c1, c2;
	struct diag why = {0};
	if (evtx_chunk_open(&c1, chunk, &why) || evtx_chunk_open(&c2, chunk, &why))
		return;
	for (uint32_t off_r = EVTX_CHUNK_HEADER_SIZE; off_r < c1.free_off;) {
		struct evtx_record r;
		if (evtx_record_open(&c1, off_r, &r, &why))
			break;
		off_r += r.size;
		struct event e1, e2;
		event_clear(&e1);
		event_clear(&e2);
		struct winevent w1, w2;
		winevent_begin(&w1, &e1, a, true);
		winevent_begin(&w2, &e2, a, true);
		struct slice raw1 = SLICE_NULL, raw2 = SLICE_NULL;
		struct diag d1 = {0}, d2 = {0};
		int rc1 = evtx_binxml_record(on, &c1, &r, &w1, &raw1, &d1);
		int rc2 = evtx_binxml_record(off, &c2, &r, &w2, &raw2, &d2);
		if ((rc1 == 0) != (rc2 == 0))
			fail_msg("record at %u: plans %d (%s), walk %d (%s)", r.off, rc1, d1.msg,
				 rc2, d2.msg);
		if (rc1 == 0) {
			assert_int_equal(winevent_finish(&w1), 0);
			assert_int_equal(winevent_finish(&w2), 0);
			char why_s[160];
			e1.raw = raw1;
			e2.raw = raw2;
			if (event_differs(&e1, &e2, why_s, sizeof why_s))
				fail_msg("record at %u: %s", r.off, why_s);
			assert_true(slice_eq(raw1, raw2));
			assert_int_equal(evtx_binxml_event_record_id(on),
					 evtx_binxml_event_record_id(off));
			(*replayed_ok)++;
		}
		arena_reset(a);
	}
}

static void test_plans_same(void **state)
{
	static const char *const names[] = {"pass_sysmon_1_3_11.evtx",
					    "pass_security_4624_4625.evtx",
					    "pass_security_4771_spray.evtx", "pass_recovered.evtx"};
	struct evtx_binxml *on = NULL, *off = NULL;
	assert_int_equal(evtx_binxml_new(&on), 0);
	assert_int_equal(evtx_binxml_new(&off), 0);
	evtx_binxml_plans(off, false);
	struct arena a;
	arena_init(&a, 0);
	uint8_t *chunk = malloc(EVTX_CHUNK_SIZE);
	assert_non_null(chunk);
	uint32_t seed = 777;
	unsigned ok = 0;
	for (size_t f = 0; f < sizeof names / sizeof names[0]; f++) {
		size_t len;
		uint8_t *buf = load(names[f], &len);
		const uint8_t *orig = buf + EVTX_FILE_HEADER_SIZE;
		memcpy(chunk, orig, EVTX_CHUNK_SIZE);
		unsigned before = ok;
		compare_plans(on, off, chunk, &a, &ok);
		assert_true(ok > before); /* the intact chunk is read */
		for (int round = 0; round < 400; round++) {
			memcpy(chunk, orig, EVTX_CHUNK_SIZE);
			int changes = 1 + round % 4;
			for (int k = 0; k < changes; k++) {
				seed = seed * 1103515245u + 12345u;
				uint32_t at =
				    EVTX_CHUNK_HEADER_SIZE +
				    (seed >> 8) % (EVTX_CHUNK_SIZE / 4 - EVTX_CHUNK_HEADER_SIZE);
				seed = seed * 1103515245u + 12345u;
				chunk[at] = (uint8_t)(seed >> 16);
			}
			compare_plans(on, off, chunk, &a, &ok);
		}
		free(buf);
	}
	print_message("plans and walk agree on %u records read; %llu template instances "
		      "replayed\n",
		      ok, (unsigned long long)evtx_binxml_replays(on));
	assert_true(evtx_binxml_replays(on) > ok / 2);
	assert_int_equal(evtx_binxml_replays(off), 0);
	free(chunk);
	arena_free(&a);
	evtx_binxml_free(on);
	evtx_binxml_free(off);
}

/* Plans against the walk on every chunk of the shared corpus, whose logs
 * hold templates the fixtures lack (UserData, whose BinXML value sits one
 * element below the root). */
static void test_corpus_plans_same(void **state)
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
	struct evtx_binxml *on = NULL, *off = NULL;
	assert_int_equal(evtx_binxml_new(&on), 0);
	assert_int_equal(evtx_binxml_new(&off), 0);
	evtx_binxml_plans(off, false);
	struct arena a;
	arena_init(&a, 0);
	uint8_t *chunk = malloc(EVTX_CHUNK_SIZE);
	assert_non_null(chunk);
	unsigned ok = 0;
	for (size_t i = 0; i < fl.n; i++) {
		size_t len = strlen(fl.paths[i]);
		if (len < 5 || strcmp(fl.paths[i] + len - 5, ".evtx") != 0)
			continue;
		FILE *f = fopen(fl.paths[i], "rb");
		assert_non_null(f);
		if (fseek(f, EVTX_FILE_HEADER_SIZE, SEEK_SET) == 0)
			while (fread(chunk, 1, EVTX_CHUNK_SIZE, f) == EVTX_CHUNK_SIZE)
				compare_plans(on, off, chunk, &a, &ok);
		fclose(f);
	}
	print_message("corpus: plans and walk agree on %u records read; %llu template "
		      "instances replayed\n",
		      ok, (unsigned long long)evtx_binxml_replays(on));
	assert_true(ok > 8000);
	assert_true(evtx_binxml_replays(on) > ok);
	free(chunk);
	arena_free(&a);
	evtx_binxml_free(on);
	evtx_binxml_free(off);
	file_list_free(&fl);
	diag_sink_fini(&notes);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
	    cmocka_unit_test(test_crc32),           cmocka_unit_test(test_chunk_headers),
	    cmocka_unit_test(test_hostile_chunks),  cmocka_unit_test(test_plans_same),
	    cmocka_unit_test(test_fallback),        cmocka_unit_test(test_fixtures_same),
	    cmocka_unit_test(test_corpus_same),     cmocka_unit_test(test_corpus_plans_same),
	    cmocka_unit_test(test_fragment_shapes),
	};
	return cmocka_run_group_tests(tests, NULL, NULL);
}
