/*
 * evtx_binxml.c — EVTX chunks, records and Binary XML, see evtx_binxml.h.
 *
 * The token walk keeps a stack of open elements shaped like winevent.c's XML
 * parser, so that each value lands under the same name it gets on the
 * libevtx path (libevtx renders XML, winevent_xml_parse reads it):
 *
 *   record ─► fragment header, template instance ─► template definition
 *                 │                                   (tokens, chunk offset)
 *                 └─► value array ◄── substitution tokens in the definition
 *                        └─ BinXml value ─► nested token stream (recursion)
 *
 * A value is written as text in the form libevtx gives it (hex integers
 * zero-padded, FILETIME with 9 fraction digits, upper-case GUIDs, …: the
 * writers of evtx_value.c) and then goes through the same steps as an XML
 * value: entity references decoded, "0x0000…" shortened. The text of an element is its first run of
 * text (values, character and entity references) before a child, as in the
 * XML; a CDATA section is a run of its own.
 *
 * Anything this walk does not know (a value type, an array, a token) is an
 * error for the record, and evtx.c reads that record through libevtx.
 *
 * Plans (struct plan, below) record what the walk of a template emitted so
 * that later records of that template skip the walk; a BinXML value right
 * inside the root, or inside a child of the root other than System,
 * EventData and RenderingInfo (Windows keeps EventData and UserData there,
 * as templates of their own; plan_place), is a step of the outer plan and
 * has its own plan, and an array filling an element is one step for all
 * its items. A replay writes the raw text's "Name=value" lines, and each
 * field's value is its slice of them; a field's text form (nothing, a
 * constant, one value of a type the plan fixes) is settled when the plan is
 * made, so that a replay writes most lines straight into room reserved
 * once for the record. Plans are kept across chunks (struct lib_plan) for a
 * definition that comes back the same. test_read_evtx_binxml and
 * fuzz_evtx_binxml compare plans with the walk.
 */
#include "read/evtx_binxml.h"
#include "read/evtx_value.h"

#include <stdatomic.h>
#include <stddef.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#ifdef __SSE2__
#include <emmintrin.h>
#endif

#include "core/error.h"
#include "core/limits.h"
#include "event/fieldname.h"

/* ---- CRC32 ----
 *
 * Table-driven, eight bytes a step; on x86-64 with carry-less multiply
 * (PCLMULQDQ), 64 bytes a step: four 128-bit lanes are folded forward over
 * the data (a lane times x^k mod P is a lane k bits further on), then into
 * one lane, whose 16 bytes the table finishes (they leave the same CRC as
 * the bytes folded into them). The records' CRC32 of each chunk was an
 * eighth of reading a file. */

static uint32_t crc_table[8][256];
static bool crc_ready;

static void crc_init(void)
{
	for (uint32_t i = 0; i < 256; i++) {
		uint32_t c = i;
		for (int k = 0; k < 8; k++)
			c = c & 1 ? 0xEDB88320u ^ (c >> 1) : c >> 1;
		crc_table[0][i] = c;
	}
	for (uint32_t i = 0; i < 256; i++)
		for (int t = 1; t < 8; t++)
			crc_table[t][i] =
			    crc_table[t - 1][i] >> 8 ^ crc_table[0][crc_table[t - 1][i] & 0xFF];
	crc_ready = true;
}

/* The table walk on the inverted register. */
static uint32_t crc_bytes(uint32_t crc, const uint8_t *p, size_t n)
{
	while (n >= 8) {
		uint32_t a = crc ^ ((uint32_t)p[0] | (uint32_t)p[1] << 8 | (uint32_t)p[2] << 16 |
				    (uint32_t)p[3] << 24);
		crc = crc_table[7][a & 0xFF] ^ crc_table[6][a >> 8 & 0xFF] ^
		      crc_table[5][a >> 16 & 0xFF] ^ crc_table[4][a >> 24] ^ crc_table[3][p[4]] ^
		      crc_table[2][p[5]] ^ crc_table[1][p[6]] ^ crc_table[0][p[7]];
		p += 8;
		n -= 8;
	}
	while (n--)
		crc = crc_table[0][(crc ^ *p++) & 0xFF] ^ crc >> 8;
	return crc;
}

#if defined(__x86_64__) && (defined(__GNUC__) || defined(__clang__))
#include <immintrin.h>

#define CRC_FOLD 1

/* One lane moved forward over k bits (constants x^(k±32) mod P, bit
 * reflected) and added to the data there. */
__attribute__((target("pclmul,sse2"))) static inline __m128i fold(__m128i x, __m128i k, __m128i d)
{
	return _mm_xor_si128(
	    _mm_xor_si128(_mm_clmulepi64_si128(x, k, 0x00), _mm_clmulepi64_si128(x, k, 0x11)), d);
}

/* n >= 64 bytes; the inverted register in and out. Inlined into the two
 * below: with AVX's encoding each load of the data is an operand of its
 * XOR, a fifth fewer instructions. */
__attribute__((target("pclmul,sse2"), always_inline)) static inline uint32_t
crc_fold_body(uint32_t crc, const uint8_t *p, size_t n)
{
	const __m128i k512 = _mm_set_epi64x(0x1c6e41596, 0x154442bd4);
	const __m128i k128 = _mm_set_epi64x(0x0ccaa009e, 0x1751997d0);
	__m128i x0 = _mm_loadu_si128((const __m128i *)p);
	__m128i x1 = _mm_loadu_si128((const __m128i *)(p + 16));
	__m128i x2 = _mm_loadu_si128((const __m128i *)(p + 32));
	__m128i x3 = _mm_loadu_si128((const __m128i *)(p + 48));
	x0 = _mm_xor_si128(x0, _mm_cvtsi32_si128((int)crc));
	p += 64;
	n -= 64;
	while (n >= 64) {
		x0 = fold(x0, k512, _mm_loadu_si128((const __m128i *)p));
		x1 = fold(x1, k512, _mm_loadu_si128((const __m128i *)(p + 16)));
		x2 = fold(x2, k512, _mm_loadu_si128((const __m128i *)(p + 32)));
		x3 = fold(x3, k512, _mm_loadu_si128((const __m128i *)(p + 48)));
		p += 64;
		n -= 64;
	}
	__m128i x = fold(fold(fold(x0, k128, x1), k128, x2), k128, x3);
	while (n >= 16) {
		x = fold(x, k128, _mm_loadu_si128((const __m128i *)p));
		p += 16;
		n -= 16;
	}
	uint8_t last[16];
	_mm_storeu_si128((__m128i *)last, x);
	return crc_bytes(crc_bytes(0, last, 16), p, n);
}

__attribute__((target("pclmul,sse2"))) static uint32_t crc_fold(uint32_t crc, const uint8_t *p,
								size_t n)
{
	return crc_fold_body(crc, p, n);
}

__attribute__((target("pclmul,avx"))) static uint32_t crc_fold_avx(uint32_t crc, const uint8_t *p,
								   size_t n)
{
	return crc_fold_body(crc, p, n);
}

/* whether the CPU has PCLMULQDQ (1), and AVX too (2); -1 before asking */
static int crc_fold_ok = -1;
#endif

uint32_t evtx_crc32(uint32_t crc, const uint8_t *p, size_t n)
{
	if (!crc_ready)
		crc_init(); /* idempotent: racing threads write the same table */
#ifdef CRC_FOLD
	if (crc_fold_ok < 0) {
		__builtin_cpu_init();
		/* races write the same */
		crc_fold_ok = !__builtin_cpu_supports("pclmul") ? 0
			      : __builtin_cpu_supports("avx")   ? 2
								: 1;
	}
	if (n >= 64 && crc_fold_ok)
		return ~(crc_fold_ok == 2 ? crc_fold_avx : crc_fold)(~crc, p, n);
#endif
	return ~crc_bytes(~crc, p, n);
}

/* ---- chunks and records ---- */

static atomic_uint_fast64_t chunk_serial;

int evtx_chunk_open(struct evtx_chunk *c, const uint8_t *p, struct diag *why)
{
	memset(c, 0, sizeof *c);
	c->p = p;
	c->serial = atomic_fetch_add(&chunk_serial, 1) + 1;
	if (memcmp(p, "ElfChnk\0", 8) != 0)
		return diag_set(why, AS_EFORMAT, "no chunk signature");
	c->first_number = evtx_rd64(p + 8);
	c->last_number = evtx_rd64(p + 16);
	c->last_record_off = evtx_rd32(p + 44);
	c->free_off = evtx_rd32(p + 48);
	c->data_crc_want = evtx_rd32(p + 52);
	c->header_crc_want = evtx_rd32(p + 124);
	if (evtx_rd32(p + 40) != 128)
		return diag_set(why, AS_EFORMAT, "chunk header size %u", evtx_rd32(p + 40));
	if (c->free_off < EVTX_CHUNK_HEADER_SIZE || c->free_off > EVTX_CHUNK_SIZE)
		return diag_set(why, AS_EFORMAT, "chunk free space offset %u", c->free_off);
	return 0;
}

void evtx_chunk_raw(struct evtx_chunk *c, const uint8_t *p)
{
	memset(c, 0, sizeof *c);
	c->p = p;
	c->serial = atomic_fetch_add(&chunk_serial, 1) + 1;
	c->free_off = EVTX_CHUNK_SIZE;
}

void evtx_chunk_check(struct evtx_chunk *c)
{
	const uint8_t *p = c->p;
	c->header_crc = evtx_crc32(0, p, 120);
	c->header_crc = evtx_crc32(c->header_crc, p + 128, EVTX_CHUNK_HEADER_SIZE - 128);
	c->data_crc =
	    evtx_crc32(0, p + EVTX_CHUNK_HEADER_SIZE, c->free_off - EVTX_CHUNK_HEADER_SIZE);
	c->header_crc_ok = c->header_crc == c->header_crc_want;
	c->data_crc_ok = c->data_crc == c->data_crc_want;
}

int evtx_record_open(const struct evtx_chunk *c, uint32_t off, struct evtx_record *r,
		     struct diag *why)
{
	memset(r, 0, sizeof *r);
	r->off = off;
	if (off < EVTX_CHUNK_HEADER_SIZE || off > EVTX_CHUNK_SIZE - 28)
		return diag_set(why, AS_EPARSE, "record offset %u out of the chunk", off);
	const uint8_t *p = c->p + off;
	if (evtx_rd32(p) != 0x00002a2a)
		return diag_set(why, AS_EPARSE, "no record signature at chunk offset %u", off);
	r->size = evtx_rd32(p + 4);
	if (r->size < 28 || r->size > EVTX_CHUNK_SIZE - off)
		return diag_set(why, AS_EPARSE, "record size %u at chunk offset %u", r->size, off);
	if (evtx_rd32(p + r->size - 4) != r->size)
		return diag_set(why, AS_EPARSE, "record size copy differs at chunk offset %u", off);
	r->id = evtx_rd64(p + 8);
	r->filetime = evtx_rd64(p + 16);
	return 0;
}

/* ---- parser state ---- */

#define NAME_SLOTS 4096 /* power of two */

struct name_ent {
	uint32_t gen, off, at, len;
};

struct value {
	uint32_t off; /* in the chunk */
	uint16_t size;
	uint8_t type;
};

/* How far an element's text has got (see the comment at the top). */
enum { TEXT_NONE, TEXT_OPEN, TEXT_DONE };

enum section { SEC_ROOT, SEC_SYSTEM, SEC_EVENTDATA, SEC_OTHER, SEC_SKIP };

struct tbuf {
	char *p;
	size_t len, cap;
	uint32_t part0, nparts; /* its parts in the plan being recorded */
};

/*
 * Plans. The walk of a record depends on its template and on which of its
 * values are empty (and on their types), not on what the values hold. So
 * the first walk of a template in a chunk is recorded as a plan: the
 * fields it emitted, in order, each with its name (slot and interned id
 * looked up once) and its text as parts (constant bytes, or substitution k
 * written by put_value), and the values put nowhere but checked. A later
 * record of the same template whose values have the same types and
 * emptiness replays the plan: no tokens, names, element stack or look-ups.
 * What the plan cannot express (nested templates or BinXML values, arrays,
 * a Data Name from a value) leaves the template to the walk.
 */
struct plan_part {
	uint32_t a;   /* substitution index, or offset in plan_bytes */
	uint32_t len; /* constant bytes */
	bool subst, used;
};

/* OP_ARRAY_*: an array value filling an element, one field (named, or an
 * unnamed <Data>) or only a check per item, as the walk writes it */
enum { OP_EMIT, OP_DATA, OP_CHECK, OP_NESTED, OP_ARRAY_EMIT, OP_ARRAY_DATA, OP_ARRAY_CHECK };

/* How a replay writes the text of a field (plan_op.text): from its parts,
 * as nothing (no parts), its one constant part, or else its one
 * substitution, a value of type text (a plan's value types are fixed) */
enum { TX_PARTS = 0x100, TX_NONE, TX_CONST };

struct plan_op {
	uint32_t part0, nparts;
	uint32_t name_off, name_len; /* in plan_bytes */
	int slot;                    /* winevent slot of the name, or -1 */
	uint32_t id;                 /* its interned field name */
	uint32_t arg, arg_len;       /* TX_CONST: in plan_bytes; a value type: its index */
	uint16_t text;               /* TX_*, or the value type of the substitution */
	uint8_t kind;
	bool cond;      /* emitted only when its text is not empty */
	bool record_id; /* System/EventRecordID */
	uint8_t form;   /* FORM_*: how plan_run writes it without op_general */
	bool may_hex;   /* its text may be libevtx's padded hex (text_may_be_hex) */
	bool look;      /* cond or may_hex: plan_run looks at the text written */
};

/* The forms of plan_op.form: a named field of one value type or none, whose
 * line and field are all a replay makes of it; the rest, and values of an
 * unexpected size, go through op_general */
enum {
	FORM_GENERAL,
	FORM_NONE,
	FORM_CONST,
	FORM_UTF16,
	FORM_U8,
	FORM_U16,
	FORM_U32,
	FORM_U64,
	FORM_HEX32,
	FORM_HEX64,
	FORM_RECORD_ID, /* UInt64 System/EventRecordID */
	FORM_TIME,      /* the FILETIME of TimeCreated */
	FORM_TEXT
};

struct plan {
	uint32_t gen, def;   /* gen == evtx_binxml.gen: of this chunk */
	uint32_t sig, nvals; /* value types and emptiness, in plan_bytes */
	uint32_t op0, nops;
	uint32_t raw_const;     /* bytes of the raw text whose bound is known (names, constants,
				   values of a fixed-size type) */
	uint32_t subst, nsubst; /* the other values the fields' texts hold (u16 each, in
				   plan_bytes) */
	uint32_t nfields;       /* fields it may emit */
	uint32_t nchecks;       /* values it only checks */
	unsigned tokens;
	int depth0; /* the depth it was instantiated at: 0, or 1 inside the root */
	bool root;  /* the template opened the root element */
	bool ok;
};

#define PLAN_SLOTS 512 /* power of two */

/*
 * Plans kept across chunks. A template is stored again in every chunk that
 * uses it, at another offset, and so are the names it refers to (inside it
 * or elsewhere in the chunk). A plan is kept in a library (per thread, from
 * one file to the next) with a copy of its definition and where and which
 * names it refers to; the first instance of a template in a later chunk
 * whose definition has the same GUID and size, the same bytes but for the
 * name offsets (and the chain links of the names stored inside it), and
 * the same names at the same places (stored inside, or not, as they were)
 * takes the plan instead of walking: the walk of a template depends on
 * nothing else. At most AS_EVTX_MAX_PLAN_LIB bytes; full, it starts over.
 */
#define LIB_SLOTS    256  /* power of two */
#define LIB_MAX_REFS 1024 /* name references of one recorded definition */
#define LIB_MAX_DEF  (16u << 10)

struct name_use {
	uint32_t rel;     /* of the reference, from the definition's start */
	bool inline_name; /* the name is stored right after the reference */
	uint32_t at, len; /* its text (the chunk's names while recording, then the entry's) */
};

struct lib_plan {
	struct lib_plan *next; /* in its slot */
	uint8_t guid[16];
	uint32_t dsize, nvals;
	int depth0;
	bool root;
	unsigned tokens;
	uint32_t raw_const, nfields, nchecks, sig, subst, nsubst; /* sig, subst: in bytes */
	uint32_t nops, nparts, nbytes, nrefs;
	struct plan_op *ops; /* part0 and name_off from the entry's parts and bytes */
	struct plan_part *parts;
	struct name_use *refs;
	char *bytes;  /* plan bytes, then the names' texts */
	uint8_t *def; /* the definition after its 24-byte header */
	size_t size;  /* of the whole allocation */
};

struct frame {
	struct slice name;
	struct slice data_name;
	struct tbuf text;
	uint8_t section, tstate;
	bool has_data_name, cdata;
	bool dropped;      /* content is an empty optional value: libevtx leaves it out */
	uint32_t children; /* not left out */
	uint32_t arr;      /* 1 + the index of an array value filling it, while recording */
};

struct evtx_binxml {
	uint64_t serial; /* the chunk whose names are cached */
	uint32_t gen;
	char *names;
	size_t names_len;
	struct name_ent name_tab[NAME_SLOTS];
	struct value values[AS_EVTX_MAX_VALUES_ALL];
	size_t nvalues;
	/* per record */
	const uint8_t *p; /* the chunk */
	struct winevent *w;
	struct diag *why;
	unsigned tokens;
	int nest, depth;
	bool root_seen, in_start; /* in a start tag: attributes may follow */
	struct frame st[AS_MAX_XML_DEPTH];
	struct tbuf raw;    /* "Name=value" lines: the event's raw text */
	uint64_t record_id; /* System/EventRecordID, 0 when none */
	/* plans of the chunk (see struct plan) */
	struct plan plans[PLAN_SLOTS];
	struct plan_op *ops;
	struct plan_part *parts;
	char *pbytes;
	size_t nops, nparts, npbytes, capops, capparts, cappbytes;
	bool recording, rec_bad; /* a plan is being recorded; it cannot be */
	const struct value *rec_vals;
	size_t rec_marks[3]; /* nops, nparts, npbytes when recording began */
	uint32_t rec_sig;
	unsigned rec_suspended; /* in a BinXML value of the template recorded */
	unsigned rec_nested_tokens;
	int rec_depth0;
	uint32_t rec_def, rec_def_end; /* the definition recorded */
	struct name_use rec_refs[LIB_MAX_REFS];
	unsigned rec_nrefs;
	bool rec_refs_over;
	struct lib_plan *lib[LIB_SLOTS]; /* plans kept across chunks */
	size_t lib_bytes;
	uint64_t lib_hits; /* template instances of a chunk that took a kept plan */
	bool no_plans;     /* always walk (for the tests that compare) */
	struct diag quiet; /* for what may fail without being said */
	/* the value types and emptiness of the template instance at hand, as
	 * plans store them */
	uint8_t sig[2 * AS_EVTX_MAX_VALUES];
	uint64_t replays;         /* template instances read by a plan */
	bool unsupported;         /* the last record holds a value type not read here */
	struct evtx_day_memo day; /* the date of the last FILETIME written */
	/* the room the record before took for its raw text and its fields (at
	 * most RAW_HINT_MAX, FIELDS_HINT_MAX), made at once for the next */
	size_t raw_hint;
	uint32_t fields_hint;
};

#define RAW_HINT_MAX    4096u
#define FIELDS_HINT_MAX 128u

int evtx_binxml_new(struct evtx_binxml **out)
{
	*out = NULL;
	struct evtx_binxml *bx = calloc(1, sizeof *bx);
	if (!bx)
		return AS_ENOMEM;
	bx->names = malloc(AS_EVTX_MAX_NAMES);
	if (!bx->names) {
		free(bx);
		return AS_ENOMEM;
	}
	*out = bx;
	return 0;
}

static void lib_clear(struct evtx_binxml *bx)
{
	for (size_t i = 0; i < LIB_SLOTS; i++)
		while (bx->lib[i]) {
			struct lib_plan *e = bx->lib[i];
			bx->lib[i] = e->next;
			free(e);
		}
	bx->lib_bytes = 0;
}

void evtx_binxml_free(struct evtx_binxml *bx)
{
	if (!bx)
		return;
	lib_clear(bx);
	free(bx->names);
	free(bx->ops);
	free(bx->parts);
	free(bx->pbytes);
	free(bx);
}

void evtx_binxml_plans(struct evtx_binxml *bx, bool on)
{
	bx->no_plans = !on;
}

bool evtx_binxml_unsupported(const struct evtx_binxml *bx)
{
	return bx->unsupported;
}

uint64_t evtx_binxml_replays(const struct evtx_binxml *bx)
{
	return bx->replays;
}

uint64_t evtx_binxml_plans_kept(const struct evtx_binxml *bx)
{
	return bx->lib_hits;
}

static int bad(struct evtx_binxml *bx, uint32_t off, const char *what)
{
	return diag_set(bx->why, AS_EPARSE, "BinXML: %s at chunk offset %u", what, off);
}

/* ---- plan storage (see struct plan) ---- */

/* Room for one more of n elements of size sz in *v; false (and the plan
 * given up) when out of memory or over AS_EVTX_MAX_PLAN for the chunk. */
static bool plan_room(struct evtx_binxml *bx, void **v, size_t *cap, size_t n, size_t sz)
{
	if (n + 1 <= *cap)
		return true;
	size_t used = bx->nops * sizeof *bx->ops + bx->nparts * sizeof *bx->parts + bx->npbytes;
	size_t c = *cap ? 2 * *cap : 256;
	while (c < n + 1)
		c *= 2;
	void *d = used + (c - *cap) * sz <= AS_EVTX_MAX_PLAN ? realloc(*v, c * sz) : NULL;
	if (!d) {
		bx->rec_bad = true;
		return false;
	}
	*v = d;
	*cap = c;
	return true;
}

/* n bytes at p into plan_bytes; their offset, or UINT32_MAX. */
static uint32_t plan_bytes_add(struct evtx_binxml *bx, const void *p, size_t n)
{
	if (bx->npbytes + n > AS_EVTX_MAX_PLAN ||
	    (bx->npbytes + n > bx->cappbytes &&
	     !plan_room(bx, (void **)&bx->pbytes, &bx->cappbytes, bx->npbytes + n - 1, 1))) {
		bx->rec_bad = true;
		return UINT32_MAX;
	}
	uint32_t at = (uint32_t)bx->npbytes;
	if (n)
		memcpy(bx->pbytes + at, p, n);
	bx->npbytes += n;
	return at;
}

/* One part of t's text, recorded: substitution k, or the bytes appended to
 * t since its length was old. A buffer's parts must follow one another. */
static void rec_part(struct evtx_binxml *bx, struct tbuf *t, bool subst, uint32_t k, size_t old)
{
	if (!bx->recording || bx->rec_bad || (!subst && t && t->len == old))
		return;
	if (t && t->nparts && t->part0 + t->nparts != bx->nparts) {
		bx->rec_bad = true;
		return;
	}
	if (!plan_room(bx, (void **)&bx->parts, &bx->capparts, bx->nparts, sizeof *bx->parts))
		return;
	struct plan_part pp = {.subst = subst, .a = k};
	if (!subst) {
		pp.len = (uint32_t)(t->len - old);
		if ((pp.a = plan_bytes_add(bx, t->p + old, pp.len)) == UINT32_MAX)
			return;
	}
	if (t && !t->nparts)
		t->part0 = (uint32_t)bx->nparts;
	if (t)
		t->nparts++;
	bx->parts[bx->nparts++] = pp;
}

/* Bytes after a name in plan_bytes: '=' and zeros to round a copy up. */
#define NAME_PAD 32

/* One emitted field, recorded with its text's parts (src): the op, valid
 * until the next is recorded, or NULL when none was. */
static const struct plan_op *rec_op(struct evtx_binxml *bx, uint8_t kind, struct slice name,
				    const struct tbuf *src, bool cond, bool record_id)
{
	if (!bx->recording || bx->rec_bad)
		return NULL;
	if (!plan_room(bx, (void **)&bx->ops, &bx->capops, bx->nops, sizeof *bx->ops))
		return NULL;
	struct plan_op op = {.kind = kind, .cond = cond, .record_id = record_id, .slot = -1};
	if (src && src->nparts) {
		op.part0 = src->part0;
		op.nparts = src->nparts;
		for (uint32_t i = 0; i < op.nparts; i++)
			bx->parts[op.part0 + i].used = true;
	}
	if (kind != OP_CHECK) {
		/* the name and '=' begin its raw text line; zeros after them
		 * let a replay copy them eight bytes at a time (name_put) */
		static const char eq_pad[NAME_PAD] = "=";
		if (name.len > AS_MAX_FIELD_NAME ||
		    (op.name_off = plan_bytes_add(bx, name.ptr, name.len)) == UINT32_MAX ||
		    plan_bytes_add(bx, eq_pad, NAME_PAD) == UINT32_MAX) {
			bx->rec_bad = true;
			return NULL;
		}
		op.name_len = (uint32_t)name.len;
	}
	if (kind == OP_EMIT || kind == OP_ARRAY_EMIT) {
		op.slot = winevent_slot(name);
		if ((op.id = fieldname_intern(name)) == FIELDNAME_NONE) {
			bx->rec_bad = true;
			return NULL;
		}
	}
	bx->ops[bx->nops] = op;
	return &bx->ops[bx->nops++];
}

/* ---- text ---- */

static int tbuf_grow(struct evtx_binxml *bx, struct tbuf *t, size_t extra)
    __attribute__((noinline));

/* Room for extra more bytes in t: 0, or AS_ETOOBIG / AS_ENOMEM with why set. */
static inline int tbuf_reserve(struct evtx_binxml *bx, struct tbuf *t, size_t extra)
{
	return t->len + extra <= t->cap ? 0 : tbuf_grow(bx, t, extra);
}

static int tbuf_grow(struct evtx_binxml *bx, struct tbuf *t, size_t extra)
{
	if (t->len + extra > AS_MAX_EVTX_XML)
		return diag_set(bx->why, AS_ETOOBIG, "BinXML: a value longer than %u bytes",
				AS_MAX_EVTX_XML);
	size_t cap = t->cap ? 2 * t->cap : 64;
	while (cap < t->len + extra)
		cap *= 2;
	char *d = arena_alloc(bx->w->a, cap);
	if (!d)
		return diag_set(bx->why, AS_ENOMEM, "BinXML: out of memory");
	if (t->len)
		memcpy(d, t->p, t->len);
	t->p = d;
	t->cap = cap;
	return 0;
}

/* An empty t with room for cap bytes, cap a size tbuf_grow makes (64
 * doubled, at most AS_MAX_EVTX_XML): what tbuf_reserve(cap) gives it,
 * without doubling up to it. 0 or AS_ENOMEM with why set. */
static int tbuf_start(struct evtx_binxml *bx, struct tbuf *t, size_t cap)
{
	char *d = arena_alloc(bx->w->a, cap);
	if (!d)
		return diag_set(bx->why, AS_ENOMEM, "BinXML: out of memory");
	*t = (struct tbuf){.p = d, .cap = cap};
	return 0;
}

static inline int tbuf_utf16(struct evtx_binxml *bx, struct tbuf *t, const uint8_t *p, size_t n)
{
	if (!n)
		return 0; /* nothing to add, and t may not have a buffer yet */
	int rc = tbuf_reserve(bx, t, 3 * n);
	if (rc)
		return rc;
	t->len += evtx_utf16_to_utf8(t->p + t->len, p, n);
	return 0;
}

/* ---- names ---- */

/* The element, attribute or entity name whose structure is at chunk offset
 * off, cached for the chunk. */
static int name_get(struct evtx_binxml *bx, uint32_t off, struct slice *out)
{
	uint32_t h = (off * 2654435761u) >> 20 & (NAME_SLOTS - 1);
	for (unsigned probe = 0; probe < NAME_SLOTS; probe++) {
		struct name_ent *e = &bx->name_tab[(h + probe) & (NAME_SLOTS - 1)];
		if (e->gen == bx->gen && e->off == off) {
			*out = slice_make(bx->names + e->at, e->len);
			return 0;
		}
		if (e->gen != bx->gen) {
			if (off > EVTX_CHUNK_SIZE - 8)
				return bad(bx, off, "name out of the chunk");
			uint32_t n = evtx_rd16(bx->p + off + 6);
			if (n == 0 || (size_t)off + 8 + 2 * (size_t)n > EVTX_CHUNK_SIZE)
				return bad(bx, off, "bad name");
			if (bx->names_len + 3 * (size_t)n > AS_EVTX_MAX_NAMES)
				return diag_set(bx->why, AS_ETOOBIG,
						"BinXML: names of the chunk exceed %u bytes",
						AS_EVTX_MAX_NAMES);
			size_t len =
			    evtx_utf16_to_utf8(bx->names + bx->names_len, bx->p + off + 8, n);
			e->gen = bx->gen;
			e->off = off;
			e->at = (uint32_t)bx->names_len;
			e->len = (uint32_t)len;
			bx->names_len += len;
			*out = slice_make(bx->names + e->at, e->len);
			return 0;
		}
	}
	return diag_set(bx->why, AS_ETOOBIG, "BinXML: more than %u names in the chunk", NAME_SLOTS);
}

/* A name reference at *pos (u32 offset); skips the name when it is stored
 * right there. */
static int name_ref(struct evtx_binxml *bx, uint32_t *pos, uint32_t end, struct slice *out)
{
	if (*pos + 4 > end)
		return bad(bx, *pos, "name reference cut short");
	uint32_t field = *pos, off = evtx_rd32(bx->p + field);
	*pos += 4;
	int rc = name_get(bx, off, out);
	if (rc)
		return rc;
	if (bx->recording && field >= bx->rec_def && field < bx->rec_def_end) {
		if (bx->rec_nrefs < LIB_MAX_REFS)
			bx->rec_refs[bx->rec_nrefs++] =
			    (struct name_use){.rel = field - bx->rec_def,
					      .inline_name = off == *pos,
					      .at = (uint32_t)(out->ptr - bx->names),
					      .len = (uint32_t)out->len};
		else
			bx->rec_refs_over = true;
	}
	if (off == *pos) {
		uint32_t n = evtx_rd16(bx->p + off + 6);
		*pos += 8 + 2 * n + 2;
		if (*pos > end)
			return bad(bx, off, "inline name cut short");
	}
	return 0;
}

static struct slice local_name(struct slice s)
{
	const char *c = memchr(s.ptr, ':', s.len);
	return c ? slice_make(c + 1, s.len - (size_t)(c + 1 - s.ptr)) : s;
}

/* ---- values as libevtx writes them (evtx_value.c) ---- */

/* Why value v cannot be written, said for the record; AS_EPARSE. */
static int value_error(struct evtx_binxml *bx, const struct value *v)
{
	bool at_value;
	const char *why = evtx_value_why(v->type, v->size, &at_value);
	if (why)
		return bad(bx, at_value ? v->off : 0, why);
	bx->unsupported = true;
	return diag_set(bx->why, AS_EPARSE, "BinXML: value type 0x%02x not read natively", v->type);
}

/* One substitution value as text into t. */
static int put_value(struct evtx_binxml *bx, struct tbuf *t, const struct value *v)
{
	size_t bound = evtx_value_bound(v->type, v->size);
	if (!bound)
		return 0; /* empty text, and t may not have a buffer yet */
	int rc = tbuf_reserve(bx, t, bound);
	if (rc)
		return rc;
	char *e = evtx_value_text(t->p + t->len, v->type, bx->p + v->off, v->size, &bx->day);
	if (!e)
		return value_error(bx, v);
	t->len = (size_t)(e - t->p);
	return 0;
}

/* ---- values as winevent.c takes them from XML ---- */

/* Entity references decoded exactly as winevent.c's XML parser does. */
static int unescape(struct evtx_binxml *bx, struct slice s, struct slice *out)
{
	if (winevent_xml_unescape(bx->w->a, s, out))
		return diag_set(bx->why, AS_ENOMEM, "BinXML: out of memory");
	return 0;
}

/* "0x00000018" → "0x18", as winevent.c does for libevtx's padded hex; any
 * other text is left as it is. */
static void hex_minimal(struct slice *v)
{
	size_t digits = v->len - 2;
	if ((digits != 8 && digits != 16) || v->ptr[0] != '0' || v->ptr[1] != 'x' ||
	    v->ptr[2] != '0')
		return;
	for (size_t i = 2; i < v->len; i++) {
		char c = v->ptr[i];
		if (!((c >= '0' && c <= '9') || (c >= 'a' && c <= 'f') || (c >= 'A' && c <= 'F')))
			return;
	}
	size_t z = 2;
	while (z < v->len - 1 && v->ptr[z] == '0')
		z++;
	/* shortening in place: the value's buffer is ours */
	char *d = (char *)v->ptr;
	memmove(d + 2, d + z, v->len - z);
	v->len = 2 + v->len - z;
}

/* libevtx escapes what values hold and winevent.c decodes it again, so a
 * value's text is the value; only reference tokens are decoded (ref_put). */
static int value_final(struct evtx_binxml *bx, struct slice s, bool cdata, struct slice *out)
{
	(void)cdata;
	*out = s;
	if (out->len >= 10)
		hex_minimal(out);
	return 0;
}

/* A character or entity reference as libevtx writes it ("&#N;", "&name;"),
 * decoded as winevent.c decodes it, into t. */
static int ref_put(struct evtx_binxml *bx, struct tbuf *t, struct slice ref)
{
	struct slice d = SLICE_NULL;
	int rc = unescape(bx, ref, &d);
	if (!rc)
		rc = tbuf_reserve(bx, t, d.len);
	if (rc)
		return rc;
	memcpy(t->p + t->len, d.ptr, d.len);
	t->len += d.len;
	return 0;
}

/* One "Name=value" line of the raw text. */
static int raw_add(struct evtx_binxml *bx, struct slice name, struct slice v)
{
	int rc = tbuf_reserve(bx, &bx->raw, name.len + v.len + 2);
	if (rc)
		return rc;
	char *d = bx->raw.p + bx->raw.len;
	memcpy(d, name.ptr, name.len);
	d[name.len] = '=';
	if (v.len)
		memcpy(d + name.len + 1, v.ptr, v.len);
	d[name.len + 1 + v.len] = '\n';
	bx->raw.len += name.len + v.len + 2;
	return 0;
}

/* One field: its value as winevent.c would take it, the raw text line, the
 * field (by name, or by the slot and id a plan looked up: id !=
 * FIELDNAME_NONE). */
static int emit_field(struct evtx_binxml *bx, struct slice name, int slot, uint32_t id,
		      struct slice value)
{
	struct slice v;
	int rc = value_final(bx, value, false, &v);
	if (rc)
		return rc;
	if (!v.ptr)
		v = slice_make("", 0);
	if ((rc = raw_add(bx, name, v)))
		return rc;
	rc = id != FIELDNAME_NONE ? winevent_add_id(bx->w, slot, id, FT_STRING, v)
				  : winevent_add(bx->w, name, FT_STRING, v);
	return rc ? diag_set(bx->why, rc, "BinXML: field %.*s: %s",
			     (int)(name.len > 64 ? 64 : name.len), name.ptr, as_strerror(rc))
		  : 0;
}

/* A field of the walk, its text from src; with cond it is left out when the
 * text is empty (but recorded: another record's value may not be). */
static int emit(struct evtx_binxml *bx, struct slice name, struct slice value,
		const struct tbuf *src, bool cond, bool record_id)
{
	/* the name's slot and id as the recording just looked them up */
	const struct plan_op *op = rec_op(bx, OP_EMIT, name, src, cond, record_id);
	int slot = op ? op->slot : -1;
	uint32_t id = op ? op->id : FIELDNAME_NONE;
	if (cond && !value.len)
		return 0;
	return emit_field(bx, name, slot, id, value);
}

/* An unnamed <Data>: Data1, Data2 … and part of Data. */
static int emit_data(struct evtx_binxml *bx, struct slice name, struct slice value)
{
	struct slice v;
	int rc;
	if (!(rc = value_final(bx, value, false, &v)) && !(rc = raw_add(bx, name, v)) &&
	    (rc = winevent_add_data(bx->w, v)))
		rc = diag_set(bx->why, rc, "BinXML: %s", as_strerror(rc));
	return rc;
}

/* ---- elements ---- */

static int element_open(struct evtx_binxml *bx, struct slice name, uint32_t off)
{
	if (bx->depth == AS_MAX_XML_DEPTH)
		return diag_set(bx->why, AS_ETOOBIG, "BinXML: nested deeper than %d",
				AS_MAX_XML_DEPTH);
	if (bx->depth == 0 && bx->root_seen)
		return bad(bx, off, "second root element");
	struct frame *f = &bx->st[bx->depth];
	memset(f, 0, sizeof *f);
	f->name = local_name(name);
	if (bx->depth == 0) {
		f->section = SEC_ROOT;
		bx->root_seen = true;
	} else {
		struct frame *parent = &bx->st[bx->depth - 1];
		parent->children++;
		if (parent->tstate == TEXT_OPEN)
			parent->tstate = TEXT_DONE;
		if (bx->depth == 1)
			f->section = slice_eq_cstr(f->name, "System")          ? SEC_SYSTEM
				     : slice_eq_cstr(f->name, "EventData")     ? SEC_EVENTDATA
				     : slice_eq_cstr(f->name, "RenderingInfo") ? SEC_SKIP
									       : SEC_OTHER;
		else
			f->section = parent->section;
	}
	bx->depth++;
	return 0;
}

/* An attribute with its text from src (empty only while a plan is
 * recorded: libevtx leaves out an attribute whose value is empty). */
static int element_attr(struct evtx_binxml *bx, struct slice name, struct slice value,
			const struct tbuf *src)
{
	struct frame *f = &bx->st[bx->depth - 1];
	int d = bx->depth;
	name = local_name(name);
	if (d == 3 && f->section == SEC_SYSTEM) {
		char buf[AS_MAX_FIELD_NAME];
		if (slice_eq_cstr(f->name, "TimeCreated") && slice_eq_cstr(name, "SystemTime"))
			return emit(bx, f->name, value, src, true, false);
		if (f->name.len + 1 + name.len >= sizeof buf)
			return 0;
		memcpy(buf, f->name.ptr, f->name.len);
		buf[f->name.len] = '_';
		memcpy(buf + f->name.len + 1, name.ptr, name.len);
		return emit(bx, slice_make(buf, f->name.len + 1 + name.len), value, src, true,
			    false);
	}
	if (d == 3 && f->section == SEC_EVENTDATA && slice_eq_cstr(f->name, "Data") &&
	    slice_eq_cstr(name, "Name") && value.len) {
		for (uint32_t i = 0; bx->recording && i < src->nparts; i++)
			if (bx->parts[src->part0 + i].subst)
				bx->rec_bad = true; /* the field's name would vary */
		int rc = value_final(bx, value, false, &f->data_name);
		if (rc)
			return rc;
		if (!f->data_name.ptr)
			f->data_name = slice_make("", 0);
		f->has_data_name = true;
	}
	return 0;
}

/* The decimal number s, 0 when it is not one. */
static uint64_t decimal(struct slice s)
{
	uint64_t v = 0;
	if (!s.len || s.len > 19)
		return 0;
	for (size_t i = 0; i < s.len; i++) {
		if (s.ptr[i] < '0' || s.ptr[i] > '9')
			return 0;
		v = v * 10 + (uint64_t)(s.ptr[i] - '0');
	}
	return v;
}

static int element_close(struct evtx_binxml *bx)
{
	struct frame *f = &bx->st[bx->depth - 1];
	int d = bx->depth;
	if (f->dropped) {
		if (d > 1)
			bx->st[d - 2].children--;
		bx->depth--;
		return 0;
	}
	bool has_child = f->children > 0;
	struct slice text = f->text.len ? slice_make(f->text.p, f->text.len) : slice_make("", 0);
	bool has_text = f->tstate != TEXT_NONE && (f->text.len || f->cdata);
	int rc = 0;
	(void)has_text; /* with text.len: a run was opened (tstate) and holds text */
	/* an array's last item: recorded as one op for all the items (its
	 * fields written as they are for the other items, unrecorded) */
	bool arr = bx->recording && f->arr;
	uint8_t akind = OP_ARRAY_CHECK;
	struct slice aname = f->name;
	if (arr) {
		if (f->text.nparts || has_child)
			bx->rec_bad = true; /* more than the array in it */
		bx->recording = false;
	}
	if (f->section == SEC_SYSTEM && d == 3) {
		if (!has_child && f->tstate != TEXT_NONE) {
			bool rid = slice_eq_cstr(f->name, "EventRecordID");
			rc = emit(bx, f->name, text, &f->text, true, rid);
			if (rid && text.len)
				bx->record_id = decimal(text);
		}
	} else if (f->section == SEC_EVENTDATA && d >= 3 && !has_child) {
		if (d == 3 && slice_eq_cstr(f->name, "Data") && f->has_data_name) {
			rc = emit(bx, f->data_name, text, &f->text, false, false);
			akind = OP_ARRAY_EMIT;
			aname = f->data_name;
		} else if (d == 3 && slice_eq_cstr(f->name, "Data")) {
			rec_op(bx, OP_DATA, f->name, &f->text, false, false);
			rc = emit_data(bx, f->name, text);
			akind = OP_ARRAY_DATA;
		} else {
			rc = emit(bx, f->name, text, &f->text, false, false);
			akind = OP_ARRAY_EMIT;
		}
	} else if (f->section == SEC_OTHER && d >= 3 && !has_child) {
		rc = emit(bx, f->name, text, &f->text, false, false);
		akind = OP_ARRAY_EMIT;
	}
	bx->depth--;
	if (arr) {
		bx->recording = true;
		rec_part(bx, NULL, true, f->arr - 1, 0);
		if (!bx->rec_bad) {
			struct tbuf one = {.part0 = (uint32_t)bx->nparts - 1, .nparts = 1};
			rec_op(bx, akind, aname, &one, false, false);
		}
	}
	return rc;
}

/* The text run of the open element, or NULL when text is ignored there. */
static struct tbuf *text_run(struct evtx_binxml *bx)
{
	if (!bx->depth)
		return NULL;
	struct frame *f = &bx->st[bx->depth - 1];
	if (f->children || f->tstate == TEXT_DONE)
		return NULL;
	f->tstate = TEXT_OPEN;
	return &f->text;
}

/* ---- the token stream ---- */

static int stream(struct evtx_binxml *bx, uint32_t pos, uint32_t end, const struct value *vals,
		  uint32_t nvals, uint32_t *stop);
static int fragment(struct evtx_binxml *bx, uint32_t pos, uint32_t end);

/* Size of one item of an array of type t, 0 for strings, -1 unknown. */
static int item_size(uint8_t t)
{
	switch (t & 0x7F) {
	case 0x01:
		return 0;
	case 0x03:
	case 0x04:
		return 1;
	case 0x05:
	case 0x06:
		return 2;
	case 0x07:
	case 0x08:
	case 0x0D:
	case 0x14:
		return 4;
	case 0x09:
	case 0x0A:
	case 0x11:
	case 0x15:
		return 8;
	case 0x0F:
		return 16;
	}
	return -1;
}

/* The array item of v at *pos (items of isz bytes, or NUL-terminated UTF-16
 * strings when isz is 0), and *pos past it. */
static int array_item(struct evtx_binxml *bx, const struct value *v, int isz, uint32_t *pos,
		      uint32_t end, struct value *item)
{
	*item = (struct value){.off = *pos, .type = (uint8_t)(v->type & 0x7F)};
	if (isz == 0) {
		uint32_t e = *pos;
		while (e + 2 <= end && evtx_rd16(bx->p + e) != 0)
			e += 2;
		item->size = (uint16_t)(e - *pos);
		*pos = e + 2 <= end ? e + 2 : end;
	} else {
		if (*pos + (uint32_t)isz > end)
			return bad(bx, *pos, "array item cut short");
		item->size = (uint16_t)isz;
		*pos += (uint32_t)isz;
	}
	return 0;
}

/*
 * An array as the content of an element: libevtx writes the element once
 * per item (<Data>a</Data><Data>b</Data>), with the same name and
 * attributes. Strings are NUL-terminated one after the other.
 */
static int substitute_array(struct evtx_binxml *bx, const struct value *v, uint32_t off, uint32_t k)
{
	int isz = item_size(v->type);
	if (isz < 0) {
		bx->unsupported = true;
		return diag_set(bx->why, AS_EPARSE, "BinXML: array type 0x%02x not read natively",
				v->type);
	}
	if (!bx->depth)
		return bad(bx, off, "array outside an element");
	struct frame *f = &bx->st[bx->depth - 1];
	if (f->children || f->tstate != TEXT_NONE)
		return bad(bx, off, "array after other content");
	if (f->section == SEC_SYSTEM && bx->depth == 3)
		return bad(bx, off, "array in a System element");
	if (bx->recording && !bx->rec_bad) {
		if (f->dropped)
			bx->rec_bad = true;
		else
			f->arr = k + 1; /* recorded when the element closes */
	}
	struct frame proto = *f;
	uint32_t pos = v->off, end = v->off + v->size;
	bool first = true;
	int rc;
	while (pos < end) {
		struct value item;
		if ((rc = array_item(bx, v, isz, &pos, end, &item)))
			return rc;
		if (!first) {
			bool recording = bx->recording;
			bx->recording = false;
			rc = element_close(bx);
			bx->recording = recording;
			if (rc)
				return rc;
			bx->depth++;
			f = &bx->st[bx->depth - 1];
			*f = proto;
			f->text = (struct tbuf){0};
		}
		first = false;
		f->tstate = TEXT_OPEN;
		if (item.size && (rc = put_value(bx, &f->text, &item)))
			return rc;
	}
	return 0;
}

/* Whether a template instance or BinXML value at this depth is walked the
 * same whatever surrounds it, so that a plan may stand for its walk: at the
 * top, right inside the root, or right inside an element of the root other
 * than System, EventData and RenderingInfo (where Windows keeps UserData).
 * Such an element gives no field of its own whatever it holds, and its
 * children's fields are named by themselves alone. */
static inline bool plan_place(const struct evtx_binxml *bx)
{
	if (bx->depth == 0)
		return true;
	if (bx->st[0].section != SEC_ROOT)
		return false;
	return bx->depth == 1 || (bx->depth == 2 && bx->st[1].section == SEC_OTHER);
}

/* Substitution value k as content of the open element (or of attribute text
 * t when t is not NULL). */
static int substitute(struct evtx_binxml *bx, const struct value *v, struct tbuf *attr,
		      uint32_t off)
{
	if (v->type == 0 || v->size == 0)
		return 0;
	uint32_t k = 0;
	bool nested_op = false;
	if (bx->recording) {
		if (v < bx->rec_vals || v >= bx->rec_vals + AS_EVTX_MAX_VALUES)
			bx->rec_bad = true; /* left to the walk */
		else
			k = (uint32_t)(v - bx->rec_vals);
		/* a BinXML value right inside the root (how Windows stores
		 * EventData and UserData) is walked, or replayed by its own
		 * plan, when the plan is replayed: nothing around it depends on
		 * what it holds */
		if (v->type == 0x21) {
			nested_op = !attr && bx->depth && plan_place(bx);
			if (!nested_op)
				bx->rec_bad = true;
		}
	}
	if (v->type == 0x21) {
		if (attr)
			return bad(bx, off, "BinXML value in an attribute");
		if (bx->nest >= AS_EVTX_MAX_NESTING)
			return diag_set(bx->why, AS_ETOOBIG, "BinXML: nested deeper than %d",
					AS_EVTX_MAX_NESTING);
		if (nested_op && !bx->rec_bad) {
			rec_part(bx, NULL, true, k, 0);
			if (!bx->rec_bad && plan_room(bx, (void **)&bx->ops, &bx->capops, bx->nops,
						      sizeof *bx->ops)) {
				bx->parts[bx->nparts - 1].used = true;
				bx->ops[bx->nops++] =
				    (struct plan_op){.kind = OP_NESTED,
						     .part0 = (uint32_t)bx->nparts - 1,
						     .nparts = 1,
						     .arg = (uint32_t)bx->depth};
			}
		}
		bool suspend = bx->recording;
		unsigned tokens0 = bx->tokens;
		if (suspend) {
			bx->recording = false;
			bx->rec_suspended++;
		}
		bx->nest++;
		size_t keep = bx->nvalues;
		int rc = fragment(bx, v->off, v->off + v->size);
		bx->nvalues = keep;
		bx->nest--;
		if (suspend) {
			bx->recording = true;
			bx->rec_suspended--;
			bx->rec_nested_tokens += bx->tokens - tokens0;
		}
		return rc;
	}
	if (v->type & 0x80) {
		if (attr)
			return bad(bx, off, "array value in an attribute");
		return substitute_array(bx, v, off, k);
	}
	struct tbuf *t = attr ? attr : text_run(bx);
	int rc;
	if (!t) {
		/* text after a child: the XML path ignores it too, but the value
		 * must still be one libevtx can write */
		struct tbuf scratch = {0};
		if (!(rc = put_value(bx, &scratch, v)))
			rec_part(bx, NULL, true, k, 0);
		return rc;
	}
	if (!(rc = put_value(bx, t, v)))
		rec_part(bx, t, true, k, 0);
	return rc;
}

/* ---- plans: finding, recording, replaying (see struct plan) ---- */

static bool value_empty(const struct value *v)
{
	return v->type == 0 || v->size == 0;
}

/* The plan of template def for values of these types and emptiness, or
 * NULL; *slot is then where a new one may go (-1: nowhere). */
static const struct plan *plan_find(struct evtx_binxml *bx, uint32_t def, const struct value *vals,
				    uint32_t n, int *slot)
{
	*slot = -1;
	uint32_t h = (def * 2654435761u) >> 16 & (PLAN_SLOTS - 1);
	for (unsigned probe = 0; probe < PLAN_SLOTS / 2; probe++) {
		struct plan *pl = &bx->plans[(h + probe) & (PLAN_SLOTS - 1)];
		if (pl->gen != bx->gen) {
			*slot = (int)((h + probe) & (PLAN_SLOTS - 1));
			return NULL;
		}
		if (pl->def != def || pl->nvals != n || pl->depth0 != bx->depth)
			continue;
		(void)vals; /* bx->sig holds their types and emptiness */
		if (!memcmp(bx->pbytes + pl->sig, bx->sig, 2 * (size_t)n))
			return pl->ok ? pl : NULL;
	}
	return NULL;
}

/* ---- plans kept across chunks (see struct lib_plan) ---- */

static size_t lib_slot(const uint8_t *guid, uint32_t dsize)
{
	return (evtx_rd32(guid) ^ evtx_rd32(guid + 12) ^ dsize) * 2654435761u >> 24 &
	       (LIB_SLOTS - 1);
}

/* The plan pl just recorded, into the library (when it fits). */
static void lib_keep(struct evtx_binxml *bx, const struct plan *pl)
{
	uint32_t def = pl->def, dsize = evtx_rd32(bx->p + def + 20);
	if (bx->rec_refs_over || dsize > LIB_MAX_DEF)
		return;
	size_t nparts = bx->nparts - bx->rec_marks[1], nbytes = bx->npbytes - bx->rec_marks[2];
	size_t names = 0;
	for (unsigned i = 0; i < bx->rec_nrefs; i++)
		names += bx->rec_refs[i].len;
	size_t size = sizeof(struct lib_plan) + pl->nops * sizeof(struct plan_op) +
		      nparts * sizeof(struct plan_part) + bx->rec_nrefs * sizeof(struct name_use) +
		      nbytes + names + dsize;
	if (size > AS_EVTX_MAX_PLAN_LIB)
		return;
	if (bx->lib_bytes + size > AS_EVTX_MAX_PLAN_LIB)
		lib_clear(bx);
	struct lib_plan *e = malloc(size);
	if (!e)
		return;
	*e = (struct lib_plan){.dsize = dsize,
			       .nvals = pl->nvals,
			       .depth0 = pl->depth0,
			       .root = pl->root,
			       .tokens = pl->tokens,
			       .raw_const = pl->raw_const,
			       .nfields = pl->nfields,
			       .nchecks = pl->nchecks,
			       .sig = pl->sig - (uint32_t)bx->rec_marks[2],
			       .subst = pl->subst - (uint32_t)bx->rec_marks[2],
			       .nsubst = pl->nsubst,
			       .nops = pl->nops,
			       .nparts = (uint32_t)nparts,
			       .nbytes = (uint32_t)nbytes,
			       .nrefs = bx->rec_nrefs,
			       .size = size};
	memcpy(e->guid, bx->p + def + 4, 16);
	e->ops = (struct plan_op *)(e + 1);
	e->parts = (struct plan_part *)(e->ops + e->nops);
	e->refs = (struct name_use *)(e->parts + nparts);
	e->bytes = (char *)(e->refs + e->nrefs);
	e->def = (uint8_t *)e->bytes + nbytes + names;
	for (uint32_t i = 0; i < e->nops; i++) {
		e->ops[i] = bx->ops[pl->op0 + i];
		e->ops[i].part0 -= (uint32_t)bx->rec_marks[1];
		if (e->ops[i].kind != OP_CHECK && e->ops[i].kind != OP_NESTED)
			e->ops[i].name_off -= (uint32_t)bx->rec_marks[2];
		if (e->ops[i].text == TX_CONST)
			e->ops[i].arg -= (uint32_t)bx->rec_marks[2];
	}
	for (size_t i = 0; i < nparts; i++) {
		e->parts[i] = bx->parts[bx->rec_marks[1] + i];
		if (!e->parts[i].subst)
			e->parts[i].a -= (uint32_t)bx->rec_marks[2];
	}
	if (nbytes)
		memcpy(e->bytes, bx->pbytes + bx->rec_marks[2], nbytes);
	size_t at = nbytes;
	for (unsigned i = 0; i < e->nrefs; i++) {
		e->refs[i] = bx->rec_refs[i];
		memcpy(e->bytes + at, bx->names + e->refs[i].at, e->refs[i].len);
		e->refs[i].at = (uint32_t)at;
		at += e->refs[i].len;
	}
	memcpy(e->def, bx->p + def + 24, dsize);
	size_t h = lib_slot(e->guid, dsize);
	e->next = bx->lib[h];
	bx->lib[h] = e;
	bx->lib_bytes += size;
}

/* Whether the definition at def in this chunk is e's, as its walk sees it. */
static bool lib_same(struct evtx_binxml *bx, const struct lib_plan *e, uint32_t def)
{
	const uint8_t *d = bx->p + def + 24;
	uint32_t from = 0; /* compared up to, in the definition after its header */
	for (uint32_t i = 0; i < e->nrefs; i++) {
		const struct name_use *u = &e->refs[i];
		uint32_t at = u->rel - 24; /* the reference, after the header */
		if (u->rel < 24 || at < from || at + 4 > e->dsize ||
		    memcmp(d + from, e->def + from, at - from))
			return false;
		uint32_t off = evtx_rd32(bx->p + def + u->rel);
		if ((off == def + u->rel + 4) != u->inline_name)
			return false;
		from = at + 4;
		if (u->inline_name) {
			/* the name's chain link is the chunk's; the rest is compared
			 * with the bytes that follow */
			if (from + 4 > e->dsize)
				return false;
			from += 4;
		}
		struct slice name;
		struct diag *why = bx->why;
		bx->why = &bx->quiet; /* a name that cannot be read is the walk's to report */
		int rc = name_get(bx, off, &name);
		bx->why = why;
		if (rc || name.len != u->len || memcmp(name.ptr, e->bytes + u->at, u->len))
			return false;
	}
	return from <= e->dsize && !memcmp(d + from, e->def + from, e->dsize - from);
}

/* The kept plan for the template at def with these values, copied into
 * the chunk's plans at slot, or NULL. */
static const struct plan *lib_take(struct evtx_binxml *bx, uint32_t def, const struct value *vals,
				   uint32_t n, int slot)
{
	const uint8_t *guid = bx->p + def + 4;
	uint32_t dsize = evtx_rd32(bx->p + def + 20);
	const struct lib_plan *e = bx->lib[lib_slot(guid, dsize)];
	for (; e; e = e->next) {
		if (e->dsize != dsize || e->nvals != n || e->depth0 != bx->depth ||
		    memcmp(e->guid, guid, 16))
			continue;
		(void)vals;
		if (!memcmp(e->bytes + e->sig, bx->sig, 2 * (size_t)n) && lib_same(bx, e, def))
			break;
	}
	if (!e)
		return NULL;
	if ((e->nops && !plan_room(bx, (void **)&bx->ops, &bx->capops, bx->nops + e->nops - 1,
				   sizeof *bx->ops)) ||
	    (e->nparts && !plan_room(bx, (void **)&bx->parts, &bx->capparts,
				     bx->nparts + e->nparts - 1, sizeof *bx->parts)))
		return NULL;
	uint32_t bytes0 = plan_bytes_add(bx, e->bytes, e->nbytes);
	if (bytes0 == UINT32_MAX)
		return NULL;
	uint32_t ops0 = (uint32_t)bx->nops, parts0 = (uint32_t)bx->nparts;
	for (uint32_t i = 0; i < e->nops; i++) {
		struct plan_op op = e->ops[i];
		op.part0 += parts0;
		if (op.kind != OP_CHECK && op.kind != OP_NESTED)
			op.name_off += bytes0;
		if (op.text == TX_CONST)
			op.arg += bytes0;
		bx->ops[bx->nops++] = op;
	}
	for (uint32_t i = 0; i < e->nparts; i++) {
		struct plan_part pp = e->parts[i];
		if (!pp.subst)
			pp.a += bytes0;
		bx->parts[bx->nparts++] = pp;
	}
	bx->lib_hits++;
	bx->plans[slot] = (struct plan){.gen = bx->gen,
					.def = def,
					.sig = e->sig + bytes0,
					.nvals = n,
					.op0 = ops0,
					.nops = e->nops,
					.raw_const = e->raw_const,
					.subst = e->subst + bytes0,
					.nsubst = e->nsubst,
					.nfields = e->nfields,
					.nchecks = e->nchecks,
					.tokens = e->tokens,
					.depth0 = e->depth0,
					.root = e->root,
					.ok = true};
	return &bx->plans[slot];
}

static void plan_begin(struct evtx_binxml *bx, uint32_t def, const struct value *vals, uint32_t n)
{
	bx->rec_bad = false;
	bx->rec_def = def;
	bx->rec_def_end = def + 24 + evtx_rd32(bx->p + def + 20);
	bx->rec_nrefs = 0;
	bx->rec_refs_over = false;
	bx->rec_marks[0] = bx->nops;
	bx->rec_marks[1] = bx->nparts;
	bx->rec_marks[2] = bx->npbytes;
	uint32_t sig = plan_bytes_add(bx, NULL, 0);
	for (uint32_t i = 0; i < n && sig != UINT32_MAX; i++) {
		uint8_t b[2] = {vals[i].type, value_empty(&vals[i])};
		if (plan_bytes_add(bx, b, 2) == UINT32_MAX)
			sig = UINT32_MAX;
	}
	if (sig == UINT32_MAX) {
		bx->nops = bx->rec_marks[0];
		bx->nparts = bx->rec_marks[1];
		bx->npbytes = bx->rec_marks[2];
		return;
	}
	bx->rec_sig = sig;
	bx->rec_vals = vals;
	bx->rec_nested_tokens = 0;
	bx->rec_depth0 = bx->depth;
	bx->recording = true;
}

static size_t value_bound(const struct value *v)
{
	return evtx_value_bound(v->type, v->size);
}

/* Whether text of this form may be libevtx's padded hex, for hex_minimal:
 * the number types write no "0x", and HexInt32/64 are written short. */
static inline bool text_may_be_hex(unsigned text)
{
	return text == TX_CONST || text == TX_PARTS || text == 0x01 || text == 0x02 || text == 0x10;
}

/* How a replay is to write the text of op (plan_op.text), for values of
 * the types of vals. */
static void op_text_form(const struct evtx_binxml *bx, struct plan_op *op, const struct value *vals)
{
	op->text = TX_PARTS;
	if (op->kind != OP_EMIT && op->kind != OP_DATA)
		return;
	if (op->nparts == 0) {
		op->text = TX_NONE;
		return;
	}
	if (op->nparts != 1)
		return;
	const struct plan_part *pp = &bx->parts[op->part0];
	op->arg = pp->a;
	if (pp->subst) {
		op->text = vals[pp->a].type;
	} else {
		op->text = TX_CONST;
		op->arg_len = pp->len;
	}
}

/* plan_op.form and may_hex of op, once op_text_form has settled its text. */
static void op_form(struct plan_op *op)
{
	op->form = FORM_GENERAL;
	op->may_hex = text_may_be_hex(op->text);
	op->look = op->cond || op->may_hex;
	if (op->kind != OP_EMIT)
		return;
	if (op->record_id) {
		if (op->text == 0x0A)
			op->form = FORM_RECORD_ID;
		return;
	}
	if (op->slot == WV_TIME && op->text == 0x11) {
		op->form = FORM_TIME;
		return;
	}
	switch (op->text) {
	case TX_PARTS:
		return;
	case TX_NONE:
		op->form = FORM_NONE;
		return;
	case TX_CONST:
		op->form = FORM_CONST;
		return;
	case 0x01:
		op->form = FORM_UTF16;
		return;
	case 0x04:
		op->form = FORM_U8;
		return;
	case 0x06:
		op->form = FORM_U16;
		return;
	case 0x08:
		op->form = FORM_U32;
		return;
	case 0x0A:
		op->form = FORM_U64;
		return;
	case 0x14:
		op->form = FORM_HEX32;
		return;
	case 0x15:
		op->form = FORM_HEX64;
		return;
	}
	op->form = FORM_TEXT;
}

/* The walk of a recorded template is over (ok: without error): keep the
 * plan, with a check for each value put but not emitted, or drop it. */
static void plan_end(struct evtx_binxml *bx, int slot, uint32_t def, uint32_t n, bool ok,
		     unsigned tokens)
{
	bx->recording = false;
	size_t ops0 = bx->rec_marks[0];
	if (ok && !bx->rec_bad && bx->depth == bx->rec_depth0) {
		size_t nparts = bx->nparts;
		for (size_t i = bx->rec_marks[1]; i < nparts && !bx->rec_bad; i++) {
			if (!bx->parts[i].subst || bx->parts[i].used)
				continue;
			if (!plan_room(bx, (void **)&bx->ops, &bx->capops, bx->nops,
				       sizeof *bx->ops))
				break;
			bx->ops[bx->nops++] =
			    (struct plan_op){.kind = OP_CHECK, .part0 = (uint32_t)i, .nparts = 1};
		}
	}
	/* what the raw text of a replay takes: its constant bytes, and the
	 * values whose bounds are added up for each record */
	uint32_t raw_const = 0, nfields = 0, nsubst = 0, nchecks = 0;
	uint32_t subst = plan_bytes_add(bx, NULL, 0);
	for (size_t i = ops0; i < bx->nops && !bx->rec_bad; i++) {
		const struct plan_op *op = &bx->ops[i];
		nchecks += op->kind == OP_CHECK;
		if (op->kind != OP_EMIT && op->kind != OP_DATA)
			continue;
		nfields++;
		raw_const += op->name_len + 2;
		for (uint32_t k = 0; k < op->nparts; k++) {
			const struct plan_part *pp = &bx->parts[op->part0 + k];
			if (!pp->subst) {
				raw_const += pp->len;
				continue;
			}
			/* the types are the plan's: most bounds are known now */
			if (!evtx_value_bound_varies(bx->rec_vals[pp->a].type)) {
				raw_const += (uint32_t)value_bound(&bx->rec_vals[pp->a]);
				continue;
			}
			uint8_t b[2] = {(uint8_t)pp->a, (uint8_t)(pp->a >> 8)};
			if (plan_bytes_add(bx, b, 2) == UINT32_MAX)
				break;
			nsubst++;
		}
	}
	if (!ok || bx->rec_bad || bx->depth != bx->rec_depth0) {
		bx->nops = ops0;
		bx->nparts = bx->rec_marks[1];
		bx->npbytes = bx->rec_marks[2];
		return;
	}
	for (size_t i = ops0; i < bx->nops; i++) {
		op_text_form(bx, &bx->ops[i], bx->rec_vals);
		op_form(&bx->ops[i]);
	}
	bx->plans[slot] = (struct plan){.gen = bx->gen,
					.def = def,
					.sig = bx->rec_sig,
					.nvals = n,
					.op0 = (uint32_t)ops0,
					.nops = (uint32_t)(bx->nops - ops0),
					.raw_const = raw_const,
					.subst = subst,
					.nsubst = nsubst,
					.nfields = nfields,
					.nchecks = nchecks,
					.tokens = tokens,
					.depth0 = bx->rec_depth0,
					.root = bx->rec_depth0 == 0 && bx->root_seen,
					.ok = true};
	lib_keep(bx, &bx->plans[slot]);
}

/* "Name=" of op at d, copied 32 bytes, then sixteen at a time (plan_bytes
 * has NAME_PAD bytes after the name, d room for as many): names are short,
 * and a call of memcpy for each was a twentieth of a replay. Its end. */
static inline char *name_copy(const char *pbytes, char *d, const struct plan_op *op)
{
	size_t n = op->name_len + 1;
	const char *q = pbytes + op->name_off;
	memcpy(d, q, 32);
	for (size_t i = 32; i < n; i += 16)
		memcpy(d + i, q + i, 16);
	return d + n;
}

/* name_copy at the end of raw, with room made for it. */
static inline int name_put(struct evtx_binxml *bx, struct tbuf *raw, const struct plan_op *op)
{
	int rc = tbuf_reserve(bx, raw, op->name_len + 1 + NAME_PAD);
	if (rc)
		return rc;
	raw->len = (size_t)(name_copy(bx->pbytes, raw->p + raw->len, op) - raw->p);
	return 0;
}

/* The fields of an array value v as op says (see substitute_array): one
 * raw text line and one field a non-empty item; 0 or a negative code. */
static int plan_array(struct evtx_binxml *bx, const struct plan_op *op, const struct value *v)
{
	int isz = item_size(v->type);
	if (isz < 0) {
		bx->unsupported = true;
		return diag_set(bx->why, AS_EPARSE, "BinXML: array type 0x%02x not read natively",
				v->type);
	}
	struct tbuf *raw = &bx->raw;
	uint32_t pos = v->off, end = v->off + v->size;
	int rc;
	while (pos < end) {
		struct value item;
		if ((rc = array_item(bx, v, isz, &pos, end, &item)))
			return rc;
		if (op->kind == OP_ARRAY_CHECK) {
			struct tbuf scratch = {0};
			if (item.size && (rc = put_value(bx, &scratch, &item)))
				return rc;
			continue;
		}
		if ((rc = name_put(bx, raw, op)))
			return rc;
		size_t v0 = raw->len;
		if (item.size && (rc = put_value(bx, raw, &item)))
			return rc;
		struct slice t = slice_make(raw->p + v0, raw->len - v0);
		if (t.len >= 10)
			hex_minimal(&t);
		raw->len = v0 + t.len;
		if ((rc = tbuf_reserve(bx, raw, 1)))
			return rc;
		raw->p[raw->len++] = '\n';
		if (op->kind == OP_ARRAY_DATA) {
			if ((rc = winevent_add_data(bx->w, t)))
				return diag_set(bx->why, rc, "BinXML: %s", as_strerror(rc));
		} else if ((rc = winevent_add_id(bx->w, op->slot, op->id, FT_STRING, t))) {
			return diag_set(bx->why, rc, "BinXML: field %.*s: %s",
					(int)(op->name_len > 64 ? 64 : op->name_len),
					bx->pbytes + op->name_off, as_strerror(rc));
		}
	}
	return 0;
}

/* The text of op from its parts, at the end of raw (reserving as it
 * goes); *v0 is set to where the value begins. */
static int op_parts_put(struct evtx_binxml *bx, const struct plan_op *op, const struct value *vals,
			size_t *v0)
{
	struct tbuf *raw = &bx->raw;
	int rc = name_put(bx, raw, op);
	if (rc)
		return rc;
	*v0 = raw->len;
	for (uint32_t k = 0; k < op->nparts; k++) {
		const struct plan_part *pp = &bx->parts[op->part0 + k];
		if (pp->subst) {
			if ((rc = put_value(bx, raw, &vals[pp->a])))
				return rc;
		} else {
			if ((rc = tbuf_reserve(bx, raw, pp->len)))
				return rc;
			memcpy(raw->p + raw->len, bx->pbytes + pp->a, pp->len);
			raw->len += pp->len;
		}
	}
	return 0;
}

/* The line of op at the end of raw from its parts, reserving as it goes;
 * *t is set to its value. 0, 1 when it is left out (cond and empty), or a
 * negative code. */
static int op_slow(struct evtx_binxml *bx, const struct plan_op *op, const struct value *vals,
		   struct slice *t)
{
	struct tbuf *raw = &bx->raw;
	size_t line = raw->len, v0;
	int rc = op_parts_put(bx, op, vals, &v0);
	if (rc)
		return rc;
	if (op->cond && raw->len == v0) {
		raw->len = line;
		return 1;
	}
	*t = slice_make(raw->p + v0, raw->len - v0);
	if (t->len >= 10 && t->ptr[0] == '0' && t->ptr[1] == 'x')
		hex_minimal(t);
	raw->len = v0 + t->len;
	if ((rc = tbuf_reserve(bx, raw, 1)))
		return rc;
	t->ptr = raw->p + v0; /* the reservation may have moved it */
	raw->p[raw->len++] = '\n';
	return 0;
}

/* The line "Name=value" of op at d, with room for its bound (name, NAME_PAD,
 * value): its value's end, and *v its start; NULL with the error in *rc
 * (for a value that cannot be written). */
static inline char *op_line(struct evtx_binxml *bx, const struct plan_op *op,
			    const struct value *vals, char *d, char **v, int *rc)
{
	char *e = *v = name_copy(bx->pbytes, d, op);
	if (op->text >= TX_PARTS) {
		if (op->text == TX_NONE)
			return e;
		memcpy(e, bx->pbytes + op->arg, op->arg_len); /* TX_CONST */
		return e + op->arg_len;
	}
	const struct value *val = &vals[op->arg];
	const uint8_t *q = bx->p + val->off;
	/* the commonest forms here, the other types through evtx_value_text */
	switch (op->text) {
	case 0x01:
		return e + evtx_utf16_to_utf8(e, q, val->size / 2);
	case 0x04:
		if (val->size == 1)
			return evtx_u64_text(e, q[0]);
		break;
	case 0x06:
		if (val->size == 2)
			return evtx_u64_text(e, evtx_rd16(q));
		break;
	case 0x08:
		if (val->size == 4)
			return evtx_u64_text(e, evtx_rd32(q));
		break;
	case 0x0A:
		if (val->size == 8)
			return evtx_u64_text(e, evtx_rd64(q));
		break;
	/* hex as winevent.c shortens libevtx's padded text (hex_minimal) */
	case 0x14:
		if (val->size == 4)
			return evtx_hex_minimal_text(e, evtx_rd32(q));
		break;
	case 0x15:
		if (val->size == 8)
			return evtx_hex_minimal_text(e, evtx_rd64(q));
		break;
	}
	e = evtx_value_text(e, val->type, q, val->size, &bx->day);
	if (!e)
		*rc = value_error(bx, val);
	return e;
}

/* rc of adding op's field, said for the record. */
static int field_error(struct evtx_binxml *bx, const struct plan_op *op, int rc)
{
	return diag_set(bx->why, rc, "BinXML: field %.*s: %s",
			(int)(op->name_len > 64 ? 64 : op->name_len), bx->pbytes + op->name_off,
			as_strerror(rc));
}

/* One step of a replay that plan_run does not write itself (see
 * plan_op.form): nested values, arrays, unnamed Data, texts of several
 * parts, and every step when the record's bound was too large to reserve
 * (*room false). 0 or a negative code;
 * *room is made again after a step that took room of its own. */
static int __attribute__((noinline)) op_general(struct evtx_binxml *bx, const struct plan_op *op,
						const struct value *vals, size_t bound, bool *room)
{
	struct tbuf *raw = &bx->raw;
	struct winevent *w = bx->w;
	int rc = 0;
	switch (op->kind) {
	case OP_CHECK:
		return 0;
	case OP_NESTED: {
		/* at the depth it was recorded at (plan_place): inside the root,
		 * or inside an element of it that names none of its fields */
		int d = bx->depth, at = (int)op->arg;
		for (; bx->depth < at; bx->depth++) {
			memset(&bx->st[bx->depth], 0, sizeof bx->st[0]);
			bx->st[bx->depth].section = bx->depth ? SEC_OTHER : SEC_ROOT;
		}
		rc = substitute(bx, &vals[bx->parts[op->part0].a], NULL, 0);
		if (!rc && bx->depth != at)
			rc = bad(bx, 0, "BinXML value left elements open");
		bx->depth = d;
		if (rc)
			return rc;
		/* its lines took room of their own: make it again for ours */
		*room = raw->len + bound <= AS_MAX_EVTX_XML && !tbuf_reserve(bx, raw, bound);
		return 0;
	}
	case OP_ARRAY_EMIT:
	case OP_ARRAY_DATA:
	case OP_ARRAY_CHECK:
		if ((rc = plan_array(bx, op, &vals[bx->parts[op->part0].a])))
			return rc;
		*room = raw->len + bound <= AS_MAX_EVTX_XML && !tbuf_reserve(bx, raw, bound);
		return 0;
	}
	struct slice t;
	if (*room && op->text != TX_PARTS) {
		char *v, *e = op_line(bx, op, vals, raw->p + raw->len, &v, &rc);
		if (!e)
			return rc;
		if (op->cond && e == v)
			return 0;
		t = slice_make(v, (size_t)(e - v));
		if (op->may_hex && t.len >= 10 && v[0] == '0' && v[1] == 'x')
			hex_minimal(&t);
		v[t.len] = '\n';
		raw->len = (size_t)(v - raw->p) + t.len + 1;
	} else if ((rc = op_slow(bx, op, vals, &t)) != 0) {
		return rc < 0 ? rc : 0; /* 1: left out, empty */
	}
	if (op->kind == OP_DATA) {
		if ((rc = winevent_add_data(w, t)))
			return diag_set(bx->why, rc, "BinXML: %s", as_strerror(rc));
		return 0;
	}
	if (op->text == 0x11 && op->slot == WV_TIME && !w->v[WV_TIME].ptr) {
		/* the text is evtx_value_text's: its time without parsing it
		 * back (whole microseconds since 1970, as time_parse_rfc3339
		 * gives) */
		uint64_t ft = evtx_rd64(bx->p + vals[op->arg].off);
		w->time_known = true;
		w->time_us = (int64_t)(ft / 10) - 11644473600000000ll;
	}
	if ((rc = winevent_add_id(w, op->slot, op->id, FT_STRING, t)))
		return field_error(bx, op, rc);
	if (op->record_id)
		bx->record_id = decimal(t);
	return 0;
}

/* Steps k… of plan pl through op_general: when the record's bound is too
 * large to reserve at once. 0 or a negative code. */
static int plan_rest(struct evtx_binxml *bx, const struct plan *pl, uint32_t k,
		     const struct value *vals, size_t bound)
{
	bool room = false;
	for (; k < pl->nops; k++) {
		/* bx->ops, not a pointer kept: a plan recorded inside may grow it */
		int rc = op_general(bx, &bx->ops[pl->op0 + k], vals, bound, &room);
		if (rc)
			return rc;
	}
	return 0;
}

/*
 * The fields of a plan for the values vals; 0 or a negative code. Each
 * field's text is written once, into its line of the raw text
 * ("Name=value\n"), and the field's value is that slice of the line: one
 * reservation for the record's lines (from the values' bounds) instead of
 * a text buffer, a copy and a line a field. A field of one part (nearly
 * all) is written straight into that room by its value type, fixed for the
 * plan (plan_op.form); the rest go through op_general, and all of them
 * when the bound is too large to reserve (plan_rest).
 *
 * The loop keeps the end of the raw text, the plan bytes and the next
 * field in locals, given back to bx around op_general: the text is written
 * a byte at a time, and a byte store may alias any field of bx, which the
 * compiler would otherwise load again for every value. Not inlined into
 * stream(): there its locals went to the stack.
 */
static int __attribute__((noinline))
plan_run(struct evtx_binxml *bx, const struct plan *pl, const struct value *vals)
{
	if ((bx->tokens += pl->tokens) > AS_EVTX_MAX_TOKENS)
		return diag_set(bx->why, AS_ETOOBIG, "BinXML: more than %u tokens",
				AS_EVTX_MAX_TOKENS);
	const uint32_t nops = pl->nops;
	const struct plan_op *ops = bx->ops + pl->op0;
	int rc;
	for (uint32_t i = 0; pl->nchecks && i < nops; i++) {
		if (ops[i].kind != OP_CHECK)
			continue;
		struct tbuf scratch = {0};
		if ((rc = put_value(bx, &scratch, &vals[bx->parts[ops[i].part0].a])))
			return rc;
	}
	if (pl->root)
		bx->root_seen = true;
	size_t bound = pl->raw_const + NAME_PAD;
	const uint8_t *sv = (const uint8_t *)bx->pbytes + pl->subst;
	for (uint32_t i = 0; i < pl->nsubst; i++)
		bound += value_bound(&vals[evtx_rd16(sv + 2 * i)]);
	struct tbuf *raw = &bx->raw;
	struct winevent *w = bx->w;
	struct event *ev = w->ev;
	const bool fields = w->fields;
	/* the room the record began with (fields_hint) nearly always holds
	 * them: the call only when it does not */
	if (fields && ev->fields_cap - ev->nfields < pl->nfields &&
	    (rc = event_fields_reserve(ev, w->a, pl->nfields)))
		return diag_set(bx->why, rc, "BinXML: %s", as_strerror(rc));
	if (bound > AS_MAX_EVTX_XML)
		return plan_rest(bx, pl, 0, vals, bound);
	if ((rc = tbuf_reserve(bx, raw, bound)))
		return rc;
	const uint8_t *const chunk = bx->p;
	const char *pb = bx->pbytes;
	char *d = raw->p + raw->len;
	/* fields up to fend are reserved (none when !fields) */
	struct field *fp = NULL, *fend = NULL;
	if (fields && ev->fields) {
		fp = ev->fields + ev->nfields;
		fend = ev->fields + ev->fields_cap;
	}
	for (uint32_t i = 0; i < nops; i++) {
		const struct plan_op *op = &ops[i];
		unsigned form = op->form;
		if (form == FORM_GENERAL) {
			raw->len = (size_t)(d - raw->p);
			if (fp)
				ev->nfields = (uint32_t)(fp - ev->fields);
			bool room = true;
			if ((rc = op_general(bx, op, vals, bound, &room)))
				return rc;
			if (!room)
				return plan_rest(bx, pl, i + 1, vals, bound);
			/* a plan recorded inside may have grown the plan arrays,
			 * a step may have grown the text and the fields */
			ops = bx->ops + pl->op0;
			pb = bx->pbytes;
			d = raw->p + raw->len;
			if (fields && ev->fields) {
				fp = ev->fields + ev->nfields;
				fend = ev->fields + ev->fields_cap;
			}
			continue;
		}
		char *v = name_copy(pb, d, op), *e = v;
		/* one switch for every form (a jump table: two tests and a
		 * second switch cost a tenth of a step); a value's sizes are its
		 * own, a plan fixes types only, so each form checks its size */
		const struct value *val;
		const uint8_t *q;
		switch (form) {
		case FORM_NONE:
			goto written;
		case FORM_CONST:
			memcpy(v, pb + op->arg, op->arg_len);
			e = v + op->arg_len;
			goto written;
		case FORM_UTF16:
			val = &vals[op->arg];
			q = chunk + val->off;
			e = v + evtx_utf16_to_utf8(v, q, val->size / 2);
			goto written;
		case FORM_U8:
			val = &vals[op->arg];
			q = chunk + val->off;
			if (val->size == 1) {
				e = evtx_u64_text(v, q[0]);
				goto written;
			}
			break;
		case FORM_U16:
			val = &vals[op->arg];
			q = chunk + val->off;
			if (val->size == 2) {
				e = evtx_u64_text(v, evtx_rd16(q));
				goto written;
			}
			break;
		case FORM_U32:
			val = &vals[op->arg];
			q = chunk + val->off;
			if (val->size == 4) {
				e = evtx_u64_text(v, evtx_rd32(q));
				goto written;
			}
			break;
		case FORM_U64:
			val = &vals[op->arg];
			q = chunk + val->off;
			if (val->size == 8) {
				e = evtx_u64_text(v, evtx_rd64(q));
				goto written;
			}
			break;
		/* hex as winevent.c shortens libevtx's padded text */
		case FORM_HEX32:
			val = &vals[op->arg];
			q = chunk + val->off;
			if (val->size == 4) {
				e = evtx_hex_minimal_text(v, evtx_rd32(q));
				goto written;
			}
			break;
		case FORM_HEX64:
			val = &vals[op->arg];
			q = chunk + val->off;
			if (val->size == 8) {
				e = evtx_hex_minimal_text(v, evtx_rd64(q));
				goto written;
			}
			break;
		case FORM_RECORD_ID:
			val = &vals[op->arg];
			q = chunk + val->off;
			if (val->size == 8) {
				uint64_t x = evtx_rd64(q);
				e = evtx_u64_text(v, x);
				/* as decimal() reads the text: 19 digits at most */
				bx->record_id = x < evtx_pow10[19] ? x : 0;
				goto written;
			}
			break;
		default: /* FORM_TIME, FORM_TEXT */
			val = &vals[op->arg];
			q = chunk + val->off;
			break;
		}
		e = evtx_value_text(v, val->type, q, val->size, &bx->day);
		if (!e) {
			raw->len = (size_t)(d - raw->p);
			if (fp)
				ev->nfields = (uint32_t)(fp - ev->fields);
			return value_error(bx, val);
		}
		if (form == FORM_TIME && !w->v[WV_TIME].ptr) {
			/* the text is evtx_value_text's: its time without parsing
			 * it back (whole microseconds since 1970, as
			 * time_parse_rfc3339 gives) */
			w->time_known = true;
			w->time_us = (int64_t)(evtx_rd64(q) / 10) - 11644473600000000ll;
		}
	written:;
		size_t tlen = (size_t)(e - v);
		if (op->look) {
			if (op->cond && !tlen)
				continue;
			if (op->may_hex && tlen >= 10 && v[0] == '0' && v[1] == 'x') {
				/* it shortens in place */
				struct slice h = slice_make(v, tlen);
				hex_minimal(&h);
				tlen = h.len;
			}
		}
		v[tlen] = '\n';
		d = v + tlen + 1;
		struct slice t = slice_make(v, tlen);
		int slot = op->slot;
		if (slot >= 0 && !w->v[slot].ptr)
			w->v[slot] = t;
		if (fp < fend) {
			*fp++ = (struct field){op->id, FT_STRING, t};
			continue;
		}
		if (!fields)
			continue;
		/* beyond the room reserved: AS_MAX_FIELDS */
		raw->len = (size_t)(d - raw->p);
		if (fp)
			ev->nfields = (uint32_t)(fp - ev->fields);
		if ((rc = event_field_add(ev, w->a, op->id, FT_STRING, t)))
			return field_error(bx, op, rc);
		if (ev->fields) {
			fp = ev->fields + ev->nfields;
			fend = ev->fields + ev->fields_cap;
		}
	}
	raw->len = (size_t)(d - raw->p);
	if (fp)
		ev->nfields = (uint32_t)(fp - ev->fields);
	return 0;
}

/*
 * The n value descriptors at desc (size u16, type u8, a zero byte) into
 * vals, their data from offset data on, and their types and emptiness into
 * sig as plans store them (value_empty); the offset after their data.
 * With SSE2, four at a time: their offsets a prefix sum of their sizes in
 * the four lanes, each value's offset and descriptor stored as one struct
 * value. Every record reads two dozen values or more.
 */
static inline uint32_t values_read(const uint8_t *desc, uint32_t n, uint32_t data,
				   struct value *restrict vals, uint8_t *restrict sig)
{
	uint32_t i = 0;
#if defined(__SSE2__) && __BYTE_ORDER__ == __ORDER_LITTLE_ENDIAN__
	_Static_assert(sizeof(struct value) == 8 && offsetof(struct value, size) == 4 &&
			   offsetof(struct value, type) == 6,
		       "struct value as the descriptors' lanes fill it");
	const __m128i low16 = _mm_set1_epi32(0xFFFF), low24 = _mm_set1_epi32(0xFFFFFF);
	const __m128i zero = _mm_setzero_si128(), one = _mm_set1_epi32(1);
	__m128i base = _mm_set1_epi32((int)data);
	for (; i + 4 <= n; i += 4) {
		__m128i dsc = _mm_loadu_si128((const __m128i *)(desc + 4 * i));
		__m128i size = _mm_and_si128(dsc, low16);
		__m128i type = _mm_srli_epi32(_mm_and_si128(dsc, low24), 16);
		/* sums of the sizes up to each lane, then before it */
		__m128i sum = _mm_add_epi32(size, _mm_slli_si128(size, 4));
		sum = _mm_add_epi32(sum, _mm_slli_si128(sum, 8));
		__m128i off = _mm_add_epi32(base, _mm_sub_epi32(sum, size));
		__m128i d24 = _mm_and_si128(dsc, low24);
		_mm_storeu_si128((__m128i *)(vals + i), _mm_unpacklo_epi32(off, d24));
		_mm_storeu_si128((__m128i *)(vals + i + 2), _mm_unpackhi_epi32(off, d24));
		__m128i empty = _mm_and_si128(
		    _mm_or_si128(_mm_cmpeq_epi32(type, zero), _mm_cmpeq_epi32(size, zero)), one);
		__m128i s16 = _mm_or_si128(type, _mm_slli_epi32(empty, 8));
		_mm_storel_epi64((__m128i *)(sig + 2 * i), _mm_packs_epi32(s16, s16));
		base = _mm_add_epi32(base, _mm_shuffle_epi32(sum, 0xFF));
	}
	data = (uint32_t)_mm_cvtsi128_si32(base);
#endif
	for (; i < n; i++) {
		uint16_t size = evtx_rd16(desc + 4 * i);
		uint8_t type = desc[4 * i + 2];
		vals[i] = (struct value){.off = data, .size = size, .type = type};
		sig[2 * i] = type;
		sig[2 * i + 1] = type == 0 || size == 0; /* value_empty */
		data += size;
	}
	return data;
}

/* Template instance at pos (token 0x0C); *next is set after its values. */
static int template_instance(struct evtx_binxml *bx, uint32_t pos, uint32_t end, uint32_t *next)
{
	if (pos + 10 > end)
		return bad(bx, pos, "template instance cut short");
	uint32_t def = evtx_rd32(bx->p + pos + 6);
	pos += 10;
	if (def > EVTX_CHUNK_SIZE - 24)
		return bad(bx, pos, "template definition out of the chunk");
	uint32_t dsize = evtx_rd32(bx->p + def + 20);
	if (dsize > EVTX_CHUNK_SIZE - def - 24)
		return bad(bx, def, "template definition size");
	if (def == pos) {
		pos += 24 + dsize;
		if (pos > end)
			return bad(bx, def, "inline template cut short");
	}
	if (pos + 4 > end)
		return bad(bx, pos, "value count cut short");
	uint32_t n = evtx_rd32(bx->p + pos);
	pos += 4;
	if (n > AS_EVTX_MAX_VALUES)
		return diag_set(bx->why, AS_ETOOBIG, "BinXML: %u values in a template (limit %d)",
				n, AS_EVTX_MAX_VALUES);
	if (bx->nvalues + n > AS_EVTX_MAX_VALUES_ALL)
		return diag_set(bx->why, AS_ETOOBIG, "BinXML: more than %d values in a record",
				AS_EVTX_MAX_VALUES_ALL);
	if ((uint64_t)pos + 4ull * n > end)
		return bad(bx, pos, "value descriptors cut short");
	struct value *vals = bx->values + bx->nvalues;
	uint32_t data = pos + 4 * n;
	/* the end is checked once (the sum of n sizes cannot wrap) */
	data = values_read(bx->p + pos, n, data, vals, bx->sig);
	if (data > end) {
		uint32_t i = 0;
		while (vals[i].off + vals[i].size <= end)
			i++;
		return bad(bx, pos + 4 * i, "value data cut short");
	}
	bx->nvalues += n;
	if (bx->nest >= AS_EVTX_MAX_NESTING)
		return diag_set(bx->why, AS_ETOOBIG, "BinXML: nested deeper than %d",
				AS_EVTX_MAX_NESTING);
	if (bx->recording)
		bx->rec_bad = true; /* a template inside the one recorded */
	int slot = -1, rc;
	unsigned tokens0 = bx->tokens;
	if (!bx->no_plans && !bx->recording && plan_place(bx)) {
		const struct plan *pl = plan_find(bx, def, vals, n, &slot);
		if (!pl && slot >= 0 && !bx->rec_suspended)
			pl = lib_take(bx, def, vals, n, slot);
		if (pl) {
			bx->replays++;
			rc = plan_run(bx, pl, vals);
			bx->nvalues -= n;
			*next = data;
			return rc;
		}
		if (slot >= 0 && !bx->rec_suspended)
			plan_begin(bx, def, vals, n);
	}
	bx->nest++;
	rc = stream(bx, def + 24, def + 24 + dsize, vals, n, NULL);
	bx->nest--;
	if (bx->recording)
		plan_end(bx, slot, def, n, rc == 0, bx->tokens - tokens0 - bx->rec_nested_tokens);
	bx->nvalues -= n;
	*next = data;
	return rc;
}

/* Attribute values: the value tokens after an attribute name. */
static bool is_value_token(uint8_t t)
{
	switch (t) {
	case 0x05:
	case 0x45:
	case 0x08:
	case 0x48:
	case 0x09:
	case 0x49:
	case 0x0D:
	case 0x0E:
		return true;
	}
	return false;
}

/* One value-ish token at *pos into t (t NULL: element content). */
static int value_token(struct evtx_binxml *bx, uint32_t *pos, uint32_t end,
		       const struct value *vals, uint32_t nvals, struct tbuf *attr)
{
	uint32_t at = *pos;
	uint8_t tok = bx->p[at];
	int rc;
	switch (tok) {
	case 0x05:
	case 0x45: {
		if (at + 4 > end)
			return bad(bx, at, "value cut short");
		uint8_t type = bx->p[at + 1];
		if (type != 0x01)
			return bad(bx, at, "value text of a type other than string");
		uint32_t n = evtx_rd16(bx->p + at + 2);
		if (at + 4 + 2 * n > end)
			return bad(bx, at, "value text cut short");
		*pos = at + 4 + 2 * n;
		struct tbuf *t = attr ? attr : text_run(bx);
		if (!t)
			return 0;
		size_t old = t->len;
		if ((rc = tbuf_utf16(bx, t, bx->p + at + 4, n)))
			return rc;
		rec_part(bx, t, false, 0, old);
		return 0;
	}
	case 0x08:
	case 0x48: {
		if (at + 3 > end)
			return bad(bx, at, "character reference cut short");
		*pos = at + 3;
		struct tbuf *t = attr ? attr : text_run(bx);
		if (!t)
			return 0;
		char ref[16];
		int n = snprintf(ref, sizeof ref, "&#%u;", evtx_rd16(bx->p + at + 1));
		size_t old = t->len;
		if ((rc = ref_put(bx, t, slice_make(ref, (size_t)n))))
			return rc;
		rec_part(bx, t, false, 0, old);
		return 0;
	}
	case 0x09:
	case 0x49: {
		struct slice name;
		*pos = at + 1;
		if ((rc = name_ref(bx, pos, end, &name)))
			return rc;
		struct tbuf *t = attr ? attr : text_run(bx);
		if (!t)
			return 0;
		char ref[16];
		size_t old = t->len;
		if (name.len > sizeof ref - 2) { /* not one winevent.c decodes */
			if ((rc = tbuf_reserve(bx, t, name.len + 2)))
				return rc;
			t->p[t->len++] = '&';
			memcpy(t->p + t->len, name.ptr, name.len);
			t->len += name.len;
			t->p[t->len++] = ';';
		} else {
			ref[0] = '&';
			memcpy(ref + 1, name.ptr, name.len);
			ref[name.len + 1] = ';';
			if ((rc = ref_put(bx, t, slice_make(ref, name.len + 2))))
				return rc;
		}
		rec_part(bx, t, false, 0, old);
		return 0;
	}
	case 0x0D:
	case 0x0E: {
		if (at + 4 > end)
			return bad(bx, at, "substitution cut short");
		uint32_t k = evtx_rd16(bx->p + at + 1);
		*pos = at + 4;
		if (k >= nvals)
			return bad(bx, at, "substitution beyond the values");
		if (tok == 0x0E && !attr && bx->depth && (vals[k].type == 0 || vals[k].size == 0)) {
			struct frame *f = &bx->st[bx->depth - 1];
			if (!f->children && f->tstate == TEXT_NONE)
				f->dropped = true;
			return 0;
		}
		return substitute(bx, &vals[k], attr, at);
	}
	}
	return bad(bx, at, "not a value token");
}

static int stream(struct evtx_binxml *bx, uint32_t pos, uint32_t end, const struct value *vals,
		  uint32_t nvals, uint32_t *stop)
{
	int rc = 0;
	int base = bx->depth;
	while (pos < end) {
		if (++bx->tokens > AS_EVTX_MAX_TOKENS)
			return diag_set(bx->why, AS_ETOOBIG, "BinXML: more than %u tokens",
					AS_EVTX_MAX_TOKENS);
		uint32_t at = pos;
		uint8_t tok = bx->p[pos];
		switch (tok) {
		case 0x00:
			if (bx->depth != base)
				return bad(bx, at, "end of stream inside an element");
			if (stop)
				*stop = pos + 1;
			return 0;
		case 0x0F:
			pos += 4;
			break;
		case 0x01:
		case 0x41: {
			if (pos + 11 > end)
				return bad(bx, at, "element cut short");
			pos += 7; /* token, dependency id, data size */
			struct slice name;
			if ((rc = name_ref(bx, &pos, end, &name)))
				return rc;
			if (tok == 0x41) {
				if (pos + 4 > end)
					return bad(bx, at, "attribute list cut short");
				pos += 4;
			}
			if ((rc = element_open(bx, name, at)))
				return rc;
			/* attributes, then the end of the start tag */
			while (pos < end && (bx->p[pos] == 0x06 || bx->p[pos] == 0x46)) {
				if (++bx->tokens > AS_EVTX_MAX_TOKENS)
					return diag_set(bx->why, AS_ETOOBIG,
							"BinXML: more than %u tokens",
							AS_EVTX_MAX_TOKENS);
				struct slice an;
				pos++;
				if ((rc = name_ref(bx, &pos, end, &an)))
					return rc;
				struct tbuf t = {0};
				bool any = false;
				while (pos < end && is_value_token(bx->p[pos])) {
					if ((rc = value_token(bx, &pos, end, vals, nvals, &t)))
						return rc;
					any = true;
				}
				/* libevtx leaves out an attribute whose value is empty
				 * (recorded all the same: another record's may not be) */
				if (any && (t.len || bx->recording) &&
				    (rc = element_attr(bx, an, slice_make(t.len ? t.p : "", t.len),
						       &t)))
					return rc;
			}
			if (pos >= end)
				return bad(bx, pos, "start tag cut short");
			if (bx->p[pos] == 0x03) {
				pos++;
				if ((rc = element_close(bx)))
					return rc;
			} else if (bx->p[pos] == 0x02) {
				pos++;
			} else {
				return bad(bx, pos, "start tag not closed");
			}
			break;
		}
		case 0x04:
			if (bx->depth <= base)
				return bad(bx, at, "end of an element not opened");
			pos++;
			if ((rc = element_close(bx)))
				return rc;
			break;
		case 0x07:
		case 0x47: {
			if (pos + 3 > end)
				return bad(bx, at, "CDATA cut short");
			uint32_t n = evtx_rd16(bx->p + pos + 1);
			if (pos + 3 + 2 * n > end)
				return bad(bx, at, "CDATA cut short");
			if (bx->depth) {
				struct frame *f = &bx->st[bx->depth - 1];
				if (!f->children && f->tstate == TEXT_NONE) {
					if ((rc = tbuf_utf16(bx, &f->text, bx->p + pos + 3, n)))
						return rc;
					rec_part(bx, &f->text, false, 0, 0);
					f->cdata = true;
				}
				f->tstate = TEXT_DONE;
			}
			pos += 3 + 2 * n;
			break;
		}
		case 0x0A:
		case 0x4A: {
			struct slice pi;
			pos++;
			if ((rc = name_ref(bx, &pos, end, &pi)))
				return rc;
			break;
		}
		case 0x0B:
		case 0x4B: {
			if (pos + 3 > end)
				return bad(bx, at, "PI data cut short");
			uint32_t n = evtx_rd16(bx->p + pos + 1);
			pos += 3 + 2 * n;
			break;
		}
		case 0x0C:
			if ((rc = template_instance(bx, pos, end, &pos)))
				return rc;
			break;
		case 0x05:
		case 0x45:
		case 0x08:
		case 0x48:
		case 0x09:
		case 0x49:
		case 0x0D:
		case 0x0E:
			if ((rc = value_token(bx, &pos, end, vals, nvals, NULL)))
				return rc;
			break;
		default:
			return bad(bx, at, "unknown token");
		}
	}
	if (bx->depth != base)
		return bad(bx, pos, "stream ends inside an element");
	if (stop)
		*stop = pos;
	return 0;
}

/*
 * A fragment from pos to end, as stream() reads it (without a stop, values
 * or surroundings). Nearly every record, and every BinXML value Windows
 * keeps EventData or UserData in, is a fragment header, one template
 * instance and the end token: that shape goes straight to
 * template_instance, without the token loop (twice a record, a tenth of
 * what the replay of a record cost besides its fields). The tokens are
 * counted as stream() counts them; anything else, and a stream near its
 * token limit, goes through stream(). template_instance leaves the depth
 * where it found it whenever it succeeds.
 */
static int fragment(struct evtx_binxml *bx, uint32_t pos, uint32_t end)
{
	const uint8_t *p = bx->p;
	if (pos > end || end - pos < 5 || p[pos] != 0x0F || p[pos + 4] != 0x0C ||
	    bx->tokens > AS_EVTX_MAX_TOKENS - 2)
		return stream(bx, pos, end, NULL, 0, NULL);
	bx->tokens += 2; /* the header and the instance */
	uint32_t next;
	int rc = template_instance(bx, pos + 4, end, &next);
	if (rc)
		return rc;
	if (next < end && p[next] == 0x00) {
		if (++bx->tokens > AS_EVTX_MAX_TOKENS)
			return diag_set(bx->why, AS_ETOOBIG, "BinXML: more than %u tokens",
					AS_EVTX_MAX_TOKENS);
		return 0;
	}
	return stream(bx, next, end, NULL, 0, NULL);
}

int evtx_binxml_record(struct evtx_binxml *bx, const struct evtx_chunk *c,
		       const struct evtx_record *r, struct winevent *w, struct slice *raw,
		       struct diag *why)
{
	if (bx->serial != c->serial) {
		bx->serial = c->serial;
		bx->names_len = 0;
		bx->nops = bx->nparts = bx->npbytes = 0;
		if (++bx->gen == 0) {
			memset(bx->name_tab, 0, sizeof bx->name_tab);
			memset(bx->plans, 0, sizeof bx->plans);
			bx->gen = 1;
		}
	}
	bx->recording = false;
	bx->p = c->p;
	bx->w = w;
	bx->why = why;
	bx->tokens = 0;
	bx->nest = 0;
	bx->depth = 0;
	bx->nvalues = 0;
	bx->root_seen = false;
	bx->raw = (struct tbuf){0};
	bx->record_id = 0;
	bx->unsupported = false;
	/* most records of a log are like the one before: room for as much at
	 * once, where growing with each template copied what it held */
	int rc = bx->raw_hint ? tbuf_start(bx, &bx->raw, bx->raw_hint) : 0;
	if (!rc && w->fields && bx->fields_hint &&
	    (rc = event_fields_reserve(w->ev, w->a, bx->fields_hint)))
		rc = diag_set(why, rc, "BinXML: %s", as_strerror(rc));
	if (rc)
		return rc;
	rc = fragment(bx, r->off + 24, r->off + r->size - 4);
	bx->raw_hint = bx->raw.cap < RAW_HINT_MAX ? bx->raw.cap : RAW_HINT_MAX;
	bx->fields_hint = w->ev->nfields < FIELDS_HINT_MAX ? w->ev->nfields : FIELDS_HINT_MAX;
	if (!rc && !bx->root_seen)
		rc = bad(bx, r->off, "no element");
	if (!rc && bx->raw.len) {
		bx->raw.len--; /* the last newline */
		*raw = slice_make(bx->raw.p, bx->raw.len);
	} else if (!rc) {
		*raw = SLICE_LIT("Event=");
	}
	return rc;
}

uint64_t evtx_binxml_event_record_id(const struct evtx_binxml *bx)
{
	return bx->record_id;
}
