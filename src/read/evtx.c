/*
 * evtx.c — Windows XML Event Log files (.evtx): our own file header, chunk
 * and record walk and BinXML parser (evtx_binxml.c); libevtx as the
 * comparison path and for the rare record holding a value type the parser
 * does not write.
 *
 *   file ─► 4 KiB header ─► chunk 0, 1, … (64 KiB each, found by position)
 *                              └─► records from byte 512 to the chunk's
 *                                  free-space offset ─► BinXML ─► winevent
 *
 * What is read. Every allocated record once, in file order: what Event
 * Viewer shows and what evtx_dump (the Rust evtx crate behind Hayabusa and
 * Chainsaw) and evtxexport count. Chunks are found by position up to the end
 * of the file, not through the header's counts, which lag behind the chunks
 * of a dirty (not cleanly closed) file. Deleted records left in a chunk's
 * free space are not events of the log: on EVTX-ATTACK-SAMPLES libevtx
 * recovers 1,461 of them beside 8,255 allocated records (59 of 277 files),
 * 394 exact copies of allocated records and most of the rest records the
 * sample's author filtered out. Counting them would inflate alert counts,
 * so they are left alone unless APTSCOPE_EVTX_RECOVER=1: then, after the
 * allocated records, the free space of every chunk (and the whole of a chunk
 * whose header is damaged) is scanned for record signatures (0x2a2a0000, a
 * size whose copy ends the record), each is parsed, and only those whose
 * EventRecordID no allocated or earlier recovered record has are kept,
 * marked with the native field Recovered=true. Carved records that cannot be
 * parsed (fragments overwritten in part) and the copies left out are said
 * once at the end of the file.
 *
 * Damage is reported, with the chunk, the record and the reason, and
 * reading goes on:
 *   file header  signature required (else the file is refused); a CRC32
 *                mismatch or an odd header size is reported once
 *   chunk        all zeros: unused (Windows allocates ahead), skipped
 *                silently; no signature or an impossible header: reported,
 *                skipped; header or records CRC32 mismatch: reported, its
 *                records read and each checked by the parser; the last
 *                chunk cut short: reported, the records that fit read
 *   record       bad signature, size, size copy, or crossing the free-space
 *                offset: reported, the walk goes on at the next valid record
 *                signature of the chunk; a damaged record the parser
 *                rejects: reported; one whose value types the parser does
 *                not write: read through libevtx (opened on first need)
 *                when libevtx has the same record number at that place,
 *                else reported
 *
 * ev->record is the record number of the record header; the EventRecordID
 * of the XML is the native field of that name (EVTX-ATTACK-SAMPLES files
 * were saved from larger logs: 1, 2, … in the headers, the original
 * numbers in EventRecordID).
 *
 * A plain file is mapped once and read from the map (libevtx opens it only
 * for a record the parser cannot write). A gzip or zstd compressed .evtx
 * (no signature at the start of the map) is inflated into an anonymous
 * memory file first (see evtx_inflate), mapped like a plain one.
 *
 * APTSCOPE_EVTX=libevtx reads the whole file through libevtx instead: each
 * record rendered as XML and parsed by winevent.c (58 times the
 * instructions on the attack samples); libevtx's own recovered records with
 * APTSCOPE_EVTX_RECOVER=1, not de-duplicated. The equivalence test compares
 * the two paths field by field. APTSCOPE_EVTX_DEBUG=1 prints which path read
 * how many records of each file.
 */
/* libevtx.h includes libbfio.h only for the file-io-handle functions, which
 * are not used here; Debian ships no libbfio headers with libevtx-dev. */
#include <libevtx/features.h>
#undef LIBEVTX_HAVE_BFIO
#include <libevtx.h>
#include <errno.h>
#include <fcntl.h>
#include <pthread.h>
#include <stdatomic.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/mman.h>
#include <sys/stat.h>
#include <unistd.h>
#ifdef __SSE2__
#include <emmintrin.h>
#endif

#include "core/error.h"
#include "core/limits.h"
#include "event/fieldname.h"
#include "read/evtx_binxml.h"
#include "read/evtx_value.h"
#include "read/format.h"
#include "read/input.h"
#include "read/winevent.h"

/* A set of EventRecordIDs (open addressing, 0 is the empty slot), for
 * telling carved records from the records already read. */
struct idset {
	uint64_t *slot;
	size_t cap, n;
};

static void idset_free(struct idset *s)
{
	free(s->slot);
	*s = (struct idset){0};
}

static size_t idset_at(const struct idset *s, uint64_t id)
{
	size_t i = (size_t)((id * 0x9E3779B97F4A7C15ull) >> 20) & (s->cap - 1);
	while (s->slot[i] && s->slot[i] != id)
		i = (i + 1) & (s->cap - 1);
	return i;
}

static bool idset_has(const struct idset *s, uint64_t id)
{
	return s->cap && s->slot[idset_at(s, id)] == id;
}

/* 0, or AS_ENOMEM. Id 0 (no EventRecordID) is never added. */
static int idset_add(struct idset *s, uint64_t id)
{
	if (!id)
		return 0;
	if (2 * (s->n + 1) > s->cap) {
		struct idset g = {.cap = s->cap ? 2 * s->cap : 1024};
		if (!(g.slot = calloc(g.cap, sizeof *g.slot)))
			return AS_ENOMEM;
		for (size_t i = 0; i < s->cap; i++)
			if (s->slot[i])
				g.slot[idset_at(&g, s->slot[i])] = s->slot[i];
		g.n = s->n;
		free(s->slot);
		*s = g;
	}
	size_t i = idset_at(s, id);
	if (!s->slot[i]) {
		s->slot[i] = id;
		s->n++;
	}
	return 0;
}

enum chunk_kind { CHUNK_UNUSED, CHUNK_OK, CHUNK_BAD };

enum phase { PH_RECORDS, PH_RECOVER, PH_NOTES, PH_LIBEVTX };

struct evtx_state {
	bool fields, recover;
	enum phase phase;
	char *path;            /* for libevtx: the file, or /proc/self/fd/N of the memfd */
	int memfd;             /* the inflated copy of a compressed file, or -1 */
	char inflate_note[96]; /* why inflating stopped early, reported at the end */
	char header_note[160]; /* what is odd in the file header, reported first */
	bool dirty;            /* the header's dirty flag (for the debug line) */
	/* the native walk */
	const uint8_t *map;
	size_t map_len;
	size_t map_dropped; /* bytes of the map before this were given back */
	struct evtx_binxml *bx;
	uint8_t *pad; /* a last chunk cut short, zero-padded to 64 KiB */
	uint32_t nchunks, chunk_i;
	uint8_t *kinds; /* enum chunk_kind of every chunk (recovery only) */
	bool chunk_open;
	struct evtx_chunk chunk;
	uint32_t chunk_no; /* of chunk */
	uint32_t avail;    /* bytes of the chunk in the file */
	uint32_t rec_off, rec_end;
	int index; /* allocated records walked so far, as libevtx numbers them */
	/* recovery */
	struct idset ids;
	uint32_t carve_i;
	bool carve_open;
	uint32_t carve_off, carve_end;
	uint64_t carved, unreadable, dups;
	char unreadable_why[120]; /* the first carved fragment's reason */
	/* libevtx: the whole file (PH_LIBEVTX), or records the parser rejects */
	libevtx_file_t *file;
	bool lib_tried;
	int nrecords, nrecovered, next;
	int lib_unreadable, lib_partial;
	bool lib_corrupted;
	char lib_unreadable_msg[96];
	uint64_t c_native, c_fallback, c_file, c_recovered;
	char fallback_why[160]; /* why the parser rejected the first record */
};

static atomic_uint_fast64_t g_native, g_fallback, g_file, g_recovered, g_dups;

void evtx_counters_get(struct evtx_counters *out)
{
	out->native = atomic_load(&g_native);
	out->fallback_record = atomic_load(&g_fallback);
	out->libevtx_file = atomic_load(&g_file);
	out->recovered = atomic_load(&g_recovered);
	out->recovered_dup = atomic_load(&g_dups);
}

/*
 * The parser's state (caches, value table, plans: a few hundred KiB to
 * zero) is kept per thread from one file to the next instead of allocated
 * for each: most logs are small files, and zeroing it was an eighth of
 * reading the attack samples. Its caches are keyed by chunk serials, so a
 * new file starts clean. Freed when the thread ends.
 */
static pthread_key_t bx_key;
static pthread_once_t bx_once = PTHREAD_ONCE_INIT;
static bool bx_key_ok;

static void bx_key_free(void *bx)
{
	evtx_binxml_free(bx);
}

static void bx_key_make(void)
{
	bx_key_ok = pthread_key_create(&bx_key, bx_key_free) == 0;
}

static int bx_take(struct evtx_binxml **out)
{
	pthread_once(&bx_once, bx_key_make);
	struct evtx_binxml *bx = bx_key_ok ? pthread_getspecific(bx_key) : NULL;
	if (!bx)
		return evtx_binxml_new(out);
	pthread_setspecific(bx_key, NULL);
	*out = bx;
	return 0;
}

static void bx_give(struct evtx_binxml *bx)
{
	if (bx && bx_key_ok && !pthread_getspecific(bx_key) && pthread_setspecific(bx_key, bx) == 0)
		return;
	evtx_binxml_free(bx);
}

static bool env_on(const char *name)
{
	const char *v = getenv(name);
	return v && *v && strcmp(v, "0") != 0;
}

/* libevtx's message on one line (its errors are backtraces of several). */
static void evtx_errmsg(libevtx_error_t **err, char *out, size_t cap)
{
	out[0] = 0;
	if (err && *err) {
		libevtx_error_sprint(*err, out, cap);
		libevtx_error_free(err);
	}
	for (char *p = out; *p; p++)
		if (*p == '\n' || *p == '\r')
			*p = ' ';
	if (!out[0])
		snprintf(out, cap, "unknown error");
}

static int evtx_probe(struct slice head)
{
	return head.len >= 8 && memcmp(head.ptr, "ElfFile\0", 8) == 0 ? 100 : 0;
}

static void evtx_close(void *state)
{
	struct evtx_state *s = state;
	if (!s)
		return;
	atomic_fetch_add(&g_native, s->c_native);
	atomic_fetch_add(&g_fallback, s->c_fallback);
	atomic_fetch_add(&g_file, s->c_file);
	atomic_fetch_add(&g_recovered, s->c_recovered);
	atomic_fetch_add(&g_dups, s->dups);
	if (env_on("APTSCOPE_EVTX_DEBUG"))
		fprintf(stderr,
			"evtx debug: %s: native %llu, libevtx for rejected records %llu (%s), "
			"libevtx for the file %llu, recovered %llu, recovered copies left out "
			"%llu%s\n",
			s->path ? s->path : "-", (unsigned long long)s->c_native,
			(unsigned long long)s->c_fallback,
			s->fallback_why[0] ? s->fallback_why : "-", (unsigned long long)s->c_file,
			(unsigned long long)s->c_recovered, (unsigned long long)s->dups,
			s->dirty ? " (dirty)" : "");
	free(s->path);
	bx_give(s->bx);
	free(s->pad);
	free(s->kinds);
	idset_free(&s->ids);
	if (s->map)
		munmap((void *)s->map, s->map_len);
	if (s->file) {
		libevtx_file_close(s->file, NULL);
		libevtx_file_free(&s->file, NULL);
	}
	if (s->memfd >= 0)
		close(s->memfd);
	free(s);
}

/*
 * A gzip or zstd compressed log (detected by the driver's input layer,
 * which the probe saw decompressed) is inflated into an anonymous memory
 * file, at most AS_MAX_EVTX_INFLATED bytes: it is mapped as a plain file
 * is, and libevtx can open it as /proc/self/fd/N. *fd stays -1 for a plain
 * file.
 */
static int evtx_inflate(const char *path, int *fd, char *note, size_t note_cap, struct diag *why)
{
	*fd = -1;
	note[0] = 0;
	struct input *in = NULL;
	int rc = input_open(&in, path, why);
	if (rc)
		return rc;
	if (strcmp(input_compression(in), "none") == 0) {
		input_close(in);
		return 0;
	}
	char *buf = malloc(AS_READ_CHUNK);
	int mfd = memfd_create("aptscope-evtx", MFD_CLOEXEC);
	uint64_t total = 0;
	if (!buf || mfd < 0) {
		rc = diag_set(why, buf ? AS_EIO : AS_ENOMEM, "evtx: cannot inflate %s: %s",
			      input_compression(in), buf ? strerror(errno) : "out of memory");
		goto done;
	}
	for (;;) {
		ssize_t n = input_read(in, buf, AS_READ_CHUNK);
		if (n == 0)
			break;
		if (n < 0) {
			/* keep what was inflated: the records it holds are read */
			snprintf(note, note_cap, "%s data: %s after %llu bytes",
				 input_compression(in), as_strerror((int)n),
				 (unsigned long long)total);
			break;
		}
		total += (uint64_t)n;
		if (total > AS_MAX_EVTX_INFLATED) {
			rc = diag_set(why, AS_ETOOBIG, "evtx: inflates to more than %llu bytes",
				      (unsigned long long)AS_MAX_EVTX_INFLATED);
			goto done;
		}
		for (ssize_t off = 0; off < n;) {
			ssize_t w = write(mfd, buf + off, (size_t)(n - off));
			if (w <= 0) {
				rc = diag_set(why, AS_EIO, "evtx: inflating: %s", strerror(errno));
				goto done;
			}
			off += w;
		}
	}
	*fd = mfd;
	mfd = -1;
done:
	if (mfd >= 0)
		close(mfd);
	free(buf);
	input_close(in);
	return rc;
}

/* libevtx on s->path; 0 or a negative code with *why set. */
static int evtx_lib_open(struct evtx_state *s, struct diag *why)
{
	libevtx_error_t *err = NULL;
	char msg[AS_MAX_DIAG_MSG];
	s->lib_tried = true;
	if (libevtx_file_initialize(&s->file, &err) != 1) {
		evtx_errmsg(&err, msg, sizeof msg);
		s->file = NULL;
		return diag_set(why, AS_ENOMEM, "evtx: %s", msg);
	}
	if (libevtx_file_open(s->file, s->path, LIBEVTX_OPEN_READ, &err) != 1) {
		evtx_errmsg(&err, msg, sizeof msg);
		libevtx_file_free(&s->file, NULL);
		return diag_set(why, AS_EFORMAT, "evtx: cannot open: %s", msg);
	}
	if (libevtx_file_get_number_of_records(s->file, &s->nrecords, &err) != 1 ||
	    libevtx_file_get_number_of_recovered_records(s->file, &s->nrecovered, &err) != 1) {
		evtx_errmsg(&err, msg, sizeof msg);
		return diag_set(why, AS_EFORMAT, "evtx: %s", msg);
	}
	s->lib_corrupted = libevtx_file_is_corrupted(s->file, NULL) == 1;
	return 0;
}

/* The file header: 0, or AS_EFORMAT when this is not an EVTX file at all.
 * What is odd but readable goes into s->header_note. */
static int evtx_header_check(struct evtx_state *s, struct diag *why)
{
	const uint8_t *h = s->map;
	if (s->map_len < 8 || memcmp(h, "ElfFile\0", 8) != 0)
		return diag_set(why, AS_EFORMAT, "evtx: cannot open: no EVTX file signature");
	if (s->map_len < EVTX_FILE_HEADER_SIZE)
		return diag_set(why, AS_EFORMAT,
				"evtx: cannot open: the file header is cut short (%zu of %u bytes)",
				s->map_len, EVTX_FILE_HEADER_SIZE);
	uint32_t crc = evtx_crc32(0, h, 120), want = evtx_rd32(h + 124);
	uint32_t hsize = evtx_rd32(h + 32);
	uint16_t major = evtx_rd16(h + 38), nchunks = evtx_rd16(h + 42);
	uint32_t flags = evtx_rd32(h + 120);
	s->dirty = flags & 1;
	s->nchunks = (uint32_t)((s->map_len - EVTX_FILE_HEADER_SIZE + EVTX_CHUNK_SIZE - 1) /
				EVTX_CHUNK_SIZE);
	if (hsize != 128 || major != 3)
		snprintf(s->header_note, sizeof s->header_note,
			 "evtx: file header size %u, version %u (want 128, 3); chunks read anyway",
			 hsize, major);
	else if (crc != want)
		snprintf(s->header_note, sizeof s->header_note,
			 "evtx: file header CRC32 is 0x%08x, stored 0x%08x (header says %u chunks, "
			 "the file holds %u); chunks read anyway",
			 crc, want, nchunks, s->nchunks);
	return 0;
}

/* Map the file (or its inflated copy); 0 or a negative code. */
static int evtx_map(struct evtx_state *s, const char *path, struct diag *why)
{
	int fd = s->memfd >= 0 ? s->memfd : open(path, O_RDONLY | O_CLOEXEC);
	if (fd < 0)
		return diag_set(why, AS_EIO, "evtx: cannot open: %s", strerror(errno));
	struct stat st;
	int rc = 0;
	if (fstat(fd, &st) != 0) {
		rc = diag_set(why, AS_EIO, "evtx: cannot open: %s", strerror(errno));
	} else if ((uint64_t)st.st_size > AS_EVTX_MAX_FILE) {
		rc = diag_set(why, AS_ETOOBIG, "evtx: more than %llu bytes",
			      (unsigned long long)AS_EVTX_MAX_FILE);
	} else if (st.st_size > 0) {
		void *m = mmap(NULL, (size_t)st.st_size, PROT_READ, MAP_PRIVATE, fd, 0);
		if (m == MAP_FAILED) {
			rc = diag_set(why, AS_EIO, "evtx: cannot map: %s", strerror(errno));
		} else {
			s->map = m;
			s->map_len = (size_t)st.st_size;
			s->map_dropped = 0;
			madvise(m, s->map_len, MADV_SEQUENTIAL);
		}
	}
	if (fd != s->memfd)
		close(fd);
	return rc;
}

static bool has_signature(const struct evtx_state *s)
{
	return s->map_len >= 8 && memcmp(s->map, "ElfFile\0", 8) == 0;
}

static int evtx_open(void **state, const char *path, const struct read_opts *opts, struct diag *why)
{
	*state = NULL;
	struct evtx_state *s = calloc(1, sizeof *s);
	if (!s)
		return diag_set(why, AS_ENOMEM, "out of memory");
	s->fields = opts->fields;
	s->memfd = -1;
	s->recover = env_on("APTSCOPE_EVTX_RECOVER");
	const char *mode = getenv("APTSCOPE_EVTX");
	bool lib = mode && strcmp(mode, "libevtx") == 0;
	int rc;
	/* a plain file is mapped as it is; one that does not start with the
	 * signature may be compressed */
	if (!lib && (rc = evtx_map(s, path, why)))
		goto fail;
	if (lib || !has_signature(s)) {
		if (s->map)
			munmap((void *)s->map, s->map_len);
		s->map = NULL;
		s->map_len = 0;
		if ((rc = evtx_inflate(path, &s->memfd, s->inflate_note, sizeof s->inflate_note,
				       why)))
			goto fail;
		if (!lib && (rc = evtx_map(s, path, why)))
			goto fail;
	}
	char fdpath[64];
	snprintf(fdpath, sizeof fdpath, "/proc/self/fd/%d", s->memfd);
	if (!(s->path = strdup(s->memfd >= 0 ? fdpath : path))) {
		rc = diag_set(why, AS_ENOMEM, "out of memory");
		goto fail;
	}
	if (lib) {
		if ((rc = evtx_lib_open(s, why)))
			goto fail;
		s->phase = PH_LIBEVTX;
		s->c_file = (uint64_t)s->nrecords;
		if (!s->recover)
			s->nrecovered = 0;
	} else {
		if ((rc = evtx_header_check(s, why)))
			goto fail;
		if (bx_take(&s->bx)) {
			rc = diag_set(why, AS_ENOMEM, "out of memory");
			goto fail;
		}
		if (s->recover && !(s->kinds = calloc(s->nchunks ? s->nchunks : 1, 1))) {
			rc = diag_set(why, AS_ENOMEM, "out of memory");
			goto fail;
		}
	}
	*state = s;
	return 0;
fail:
	evtx_close(s);
	return rc;
}

/* Whether the n bytes at p are all zero (unused chunks are common: most
 * files are allocated ahead of their records). With SSE2 and p aligned (a
 * chunk of the map, or the pad), 256 bytes ORed together a step, each load
 * an operand of its OR; else each byte equal to the next and the first
 * zero, by libc's vectorised memcmp (which reads every byte twice). */
static bool all_zero(const uint8_t *p, size_t n)
{
#ifdef __SSE2__
	if (((uintptr_t)p & 15) == 0) {
		const __m128i *v = (const __m128i *)p;
		for (; n >= 256; n -= 256, v += 16) {
			__m128i a =
			    _mm_or_si128(_mm_or_si128(v[0], v[1]), _mm_or_si128(v[2], v[3]));
			__m128i b =
			    _mm_or_si128(_mm_or_si128(v[4], v[5]), _mm_or_si128(v[6], v[7]));
			__m128i c =
			    _mm_or_si128(_mm_or_si128(v[8], v[9]), _mm_or_si128(v[10], v[11]));
			__m128i d =
			    _mm_or_si128(_mm_or_si128(v[12], v[13]), _mm_or_si128(v[14], v[15]));
			a = _mm_or_si128(_mm_or_si128(a, b), _mm_or_si128(c, d));
			if (_mm_movemask_epi8(_mm_cmpeq_epi8(a, _mm_setzero_si128())) != 0xFFFF)
				return false;
		}
		p = (const uint8_t *)v;
	}
#endif
	return !n || (!p[0] && memcmp(p, p + 1, n - 1) == 0);
}

/* Give back the pages of the map more than AS_EVTX_MAP_KEEP behind off: the
 * walk goes forward, and a file's pages held to its end would make the
 * memory of a run as large as its biggest file. They are the file's own
 * pages, so a later look (recovery) reads them again. */
static void map_drop_behind(struct evtx_state *s, size_t off)
{
	if (off < s->map_dropped + 2 * (size_t)AS_EVTX_MAP_KEEP)
		return;
	size_t to = off - AS_EVTX_MAP_KEEP;
	to -= to % 4096;
	madvise((void *)(s->map + s->map_dropped), to - s->map_dropped, MADV_DONTNEED);
	s->map_dropped = to;
}

/* The 64 KiB of chunk i: in the map, or zero-padded in s->pad when the file
 * ends inside it; NULL on out of memory. *avail: the bytes the file has. */
static const uint8_t *chunk_bytes(struct evtx_state *s, uint32_t i, uint32_t *avail)
{
	size_t off = EVTX_FILE_HEADER_SIZE + (size_t)i * EVTX_CHUNK_SIZE;
	size_t n = s->map_len - off;
	map_drop_behind(s, off);
	if (n >= EVTX_CHUNK_SIZE) {
		*avail = EVTX_CHUNK_SIZE;
		return s->map + off;
	}
	if (!s->pad && !(s->pad = malloc(EVTX_CHUNK_SIZE)))
		return NULL;
	memcpy(s->pad, s->map + off, n);
	memset(s->pad + n, 0, EVTX_CHUNK_SIZE - n);
	*avail = (uint32_t)n;
	return s->pad;
}

/*
 * Open chunk s->chunk_i for its records. 1: open (s->chunk_open), 0:
 * nothing to read in it, <0: reported damage (*why; the chunk may still be
 * open, with what can be read of it).
 */
static int chunk_next(struct evtx_state *s, struct diag *why)
{
	uint32_t i = s->chunk_i++;
	uint32_t avail;
	const uint8_t *p = chunk_bytes(s, i, &avail);
	if (!p)
		return diag_set(why, AS_ENOMEM, "evtx chunk %u: out of memory", i);
	if (memcmp(p, "ElfChnk\0", 8) != 0 && all_zero(p, avail))
		return 0; /* allocated ahead, never written */
	struct diag bad = {0};
	if (evtx_chunk_open(&s->chunk, p, &bad)) {
		if (s->kinds)
			s->kinds[i] = CHUNK_BAD;
		return diag_set(why, AS_EPARSE,
				"evtx chunk %u (file offset %zu): %s; its records "
				"are skipped",
				i, EVTX_FILE_HEADER_SIZE + (size_t)i * EVTX_CHUNK_SIZE, bad.msg);
	}
	if (s->kinds)
		s->kinds[i] = CHUNK_OK;
	s->chunk_open = true;
	s->chunk_no = i;
	s->avail = avail;
	s->rec_off = EVTX_CHUNK_HEADER_SIZE;
	s->rec_end = s->chunk.free_off < avail ? s->chunk.free_off : avail;
	if (avail < EVTX_CHUNK_SIZE) {
		evtx_chunk_check(&s->chunk);
		return diag_set(
		    why, AS_ETRUNC,
		    "evtx chunk %u: the file ends after %u of its %u bytes; the records "
		    "that fit are read%s",
		    i, avail, EVTX_CHUNK_SIZE,
		    s->chunk.header_crc_ok ? "" : " (and its header CRC32 differs)");
	}
	evtx_chunk_check(&s->chunk);
	if (!s->chunk.header_crc_ok || !s->chunk.data_crc_ok)
		return diag_set(why, AS_EPARSE,
				"evtx chunk %u: %s CRC32 is 0x%08x, stored 0x%08x; its records are "
				"read and each checked",
				i, s->chunk.header_crc_ok ? "records" : "header",
				s->chunk.header_crc_ok ? s->chunk.data_crc : s->chunk.header_crc,
				s->chunk.header_crc_ok ? s->chunk.data_crc_want
						       : s->chunk.header_crc_want);
	return 1;
}

/* Whether a record starts at chunk offset off and ends by end: signature,
 * size, and the size copy at its end. */
static bool record_at(const struct evtx_chunk *c, uint32_t off, uint32_t end, struct evtx_record *r)
{
	struct diag why = {0};
	return off + 28 <= end && evtx_record_open(c, off, r, &why) == 0 && r->size <= end - off;
}

/* The next chunk offset from off at which a valid record starts, or end. */
static uint32_t record_find(const struct evtx_chunk *c, uint32_t off, uint32_t end)
{
	struct evtx_record r;
	for (; off + 28 <= end; off++) {
		const uint8_t *q = memchr(c->p + off, 0x2a, end - 28 - off + 1);
		if (!q)
			break;
		off = (uint32_t)(q - c->p);
		if (record_at(c, off, end, &r))
			return off;
	}
	return end;
}

/* Read a record the parser rejected through libevtx, when libevtx has it at
 * the same place; 1, or a negative code with *why set. */
static int evtx_lib_record(struct evtx_state *s, const struct evtx_record *r, struct event *ev,
			   struct arena *a, const char *reason, struct diag *why);

/* One parsed record into ev: 1, or 0 when the parser rejects it (ev is then
 * cleared; *inner says why). */
static int native_record(struct evtx_state *s, const struct evtx_chunk *c,
			 const struct evtx_record *r, struct event *ev, struct arena *a,
			 struct diag *inner)
{
	const struct source *src = ev->source;
	struct winevent w;
	winevent_begin(&w, ev, a, s->fields);
	struct slice raw = SLICE_NULL;
	int rc = evtx_binxml_record(s->bx, c, r, &w, &raw, inner);
	if (!rc && (rc = winevent_finish(&w)))
		diag_set(inner, rc, "%s", as_strerror(rc));
	if (rc) {
		event_clear(ev);
		ev->source = src;
		return 0;
	}
	ev->raw = raw;
	if (r->id > 0)
		ev->record = r->id;
	return 1;
}

/* The next allocated record: 1, 0 at the end of them, <0 reported. */
static int next_record(struct evtx_state *s, struct event *ev, struct arena *a, struct diag *why)
{
	for (;;) {
		if (!s->chunk_open) {
			if (s->chunk_i >= s->nchunks)
				return 0;
			int rc = chunk_next(s, why);
			if (rc < 0)
				return rc;
			continue;
		}
		struct evtx_chunk *c = &s->chunk;
		if (s->rec_off >= s->rec_end) {
			s->chunk_open = false;
			continue;
		}
		uint32_t off = s->rec_off;
		struct evtx_record r;
		struct diag bad; /* the message alone cleared: this runs for every record */
		bad.code = 0;
		bad.msg[0] = 0;
		/* a size that goes past the records is said as such, before the
		 * size copy that is then read from beyond them */
		uint32_t size = off + 8 <= s->rec_end ? evtx_rd32(c->p + off + 4) : 0;
		if (size >= 28 && evtx_rd32(c->p + off) == 0x2a2a && size > s->rec_end - off)
			snprintf(bad.msg, sizeof bad.msg,
				 "record at chunk offset %u (%u bytes) goes past the %s at %u", off,
				 size,
				 s->rec_end == c->free_off ? "free-space offset" : "file's end",
				 s->rec_end);
		if (bad.msg[0] || evtx_record_open(c, off, &r, &bad)) {
			s->rec_off = record_find(c, off + 1, s->rec_end);
			uint32_t skipped = s->rec_off - off;
			return diag_set(why, AS_EPARSE, "evtx chunk %u: %s; %u bytes skipped to %s",
					s->chunk_no, bad.msg, skipped,
					s->rec_off < s->rec_end ? "the next record"
								: "the chunk's end");
		}
		s->rec_off = off + r.size;
		s->index++;
		struct diag inner;
		inner.code = 0;
		inner.msg[0] = 0;
		if (native_record(s, c, &r, ev, a, &inner)) {
			s->c_native++;
			if (s->recover &&
			    idset_add(&s->ids, evtx_binxml_event_record_id(s->bx)
						   ? evtx_binxml_event_record_id(s->bx)
						   : r.id))
				return diag_set(why, AS_ENOMEM, "evtx: out of memory");
			return 1;
		}
		if (!s->fallback_why[0])
			snprintf(s->fallback_why, sizeof s->fallback_why, "record %llu: %.100s",
				 (unsigned long long)r.id, inner.msg);
		/* libevtx reads what we lack (value types not written here);
		 * damage it would refuse as well, after leaking on it */
		if (!evtx_binxml_unsupported(s->bx))
			return diag_set(why, AS_EPARSE,
					"evtx chunk %u record %llu (chunk offset %u): %s",
					s->chunk_no, (unsigned long long)r.id, r.off, inner.msg);
		return evtx_lib_record(s, &r, ev, a, inner.msg, why);
	}
}

/* The next carved record kept: 1, or 0 when the free space is exhausted. */
static int next_carved(struct evtx_state *s, struct event *ev, struct arena *a, struct diag *why)
{
	for (;;) {
		if (!s->carve_open) {
			if (s->carve_i >= s->nchunks)
				return 0;
			uint32_t i = s->carve_i++;
			if (s->kinds[i] == CHUNK_UNUSED)
				continue;
			const uint8_t *p = chunk_bytes(s, i, &s->avail);
			if (!p)
				return diag_set(why, AS_ENOMEM, "evtx chunk %u: out of memory", i);
			struct diag bad = {0};
			if (s->kinds[i] == CHUNK_BAD || evtx_chunk_open(&s->chunk, p, &bad)) {
				evtx_chunk_raw(&s->chunk, p);
				s->carve_off = EVTX_CHUNK_HEADER_SIZE;
			} else {
				s->carve_off = s->chunk.free_off;
			}
			s->carve_end = s->avail;
			s->chunk_no = i;
			s->carve_open = true;
		}
		s->carve_off = record_find(&s->chunk, s->carve_off, s->carve_end);
		if (s->carve_off >= s->carve_end) {
			s->carve_open = false;
			continue;
		}
		struct evtx_record r;
		record_at(&s->chunk, s->carve_off, s->carve_end, &r);
		s->carved++;
		struct diag inner = {0};
		if (!native_record(s, &s->chunk, &r, ev, a, &inner)) {
			if (!s->unreadable++)
				snprintf(s->unreadable_why, sizeof s->unreadable_why,
					 "chunk %u offset %u: %.80s", s->chunk_no, s->carve_off,
					 inner.msg);
			s->carve_off += 4; /* a record may start inside this fragment */
			continue;
		}
		s->carve_off += r.size;
		uint64_t id = evtx_binxml_event_record_id(s->bx);
		if (!id)
			id = r.id;
		if (idset_has(&s->ids, id)) {
			s->dups++;
			const struct source *src = ev->source;
			event_clear(ev);
			ev->source = src;
			continue;
		}
		int rc = idset_add(&s->ids, id);
		if (!rc && s->fields) {
			uint32_t name = fieldname_intern(SLICE_LIT("Recovered"));
			rc = name == FIELDNAME_NONE
				 ? AS_ENOMEM
				 : event_field_add(ev, a, name, FT_STRING, SLICE_LIT("true"));
		}
		if (rc)
			return diag_set(why, rc, "evtx chunk %u recovered record %llu: %s",
					s->chunk_no, (unsigned long long)r.id, as_strerror(rc));
		s->c_recovered++;
		return 1;
	}
}

/* Render one record through libevtx and map it; 1 or a negative code with
 * *why set. */
static int lib_render(struct evtx_state *s, libevtx_record_t *rec, const char *what, bool recovered,
		      struct event *ev, struct arena *a, struct diag *why)
{
	libevtx_error_t *err = NULL;
	char msg[AS_MAX_DIAG_MSG];
	uint64_t rid = 0;
	bool has_rid = libevtx_record_get_identifier(rec, &rid, NULL) == 1;
	size_t size = 0;
	if (libevtx_record_get_utf8_xml_string_size(rec, &size, &err) != 1 || size == 0) {
		evtx_errmsg(&err, msg, sizeof msg);
		return diag_set(why, AS_EPARSE, "%s: libevtx: %s", what, msg);
	}
	if (size > AS_MAX_EVTX_XML)
		return diag_set(why, AS_ETOOBIG, "%s: %zu bytes of XML", what, size);
	char *xml = arena_alloc(a, size);
	if (!xml)
		return diag_set(why, AS_ENOMEM, "%s: out of memory", what);
	if (libevtx_record_get_utf8_xml_string(rec, (uint8_t *)xml, size, &err) != 1) {
		evtx_errmsg(&err, msg, sizeof msg);
		return diag_set(why, AS_EPARSE, "%s: libevtx: %s", what, msg);
	}
	xml[size - 1] = 0;
	struct slice text = slice_make(xml, strlen(xml));
	ev->raw = text;
	if (has_rid && rid > 0)
		ev->record = rid;
	struct winevent w;
	winevent_begin(&w, ev, a, s->fields);
	w.hex_minimal = true;
	int rc = winevent_xml_parse(&w, text, why);
	bool partial = false;
	if (rc && recovered && w.v[WV_EVENT_ID].ptr) {
		/* libevtx renders a recovered record as far as its data lasts (often
		 * System only): keep what it gave, say it is partial. */
		partial = true;
		s->lib_partial++;
		rc = 0;
	}
	if (rc) {
		char inner[AS_MAX_DIAG_MSG];
		snprintf(inner, sizeof inner, "%s", why->msg);
		return diag_set(why, rc, "%s: %s", what, inner);
	}
	if (recovered && s->fields) {
		uint32_t id = fieldname_intern(SLICE_LIT("Recovered"));
		if (id == FIELDNAME_NONE ||
		    (rc = event_field_add(ev, a, id, FT_STRING,
					  partial ? SLICE_LIT("partial") : SLICE_LIT("true"))))
			return diag_set(why, rc ? rc : AS_ENOMEM, "%s: %s", what,
					as_strerror(rc ? rc : AS_ENOMEM));
	}
	if ((rc = winevent_finish(&w)))
		return diag_set(why, rc, "%s: %s", what, as_strerror(rc));
	return 1;
}

static int evtx_lib_record(struct evtx_state *s, const struct evtx_record *r, struct event *ev,
			   struct arena *a, const char *reason, struct diag *why)
{
	char what[96];
	snprintf(what, sizeof what, "evtx chunk %u record %llu (chunk offset %u)", s->chunk_no,
		 (unsigned long long)r->id, r->off);
	struct diag lw = {0};
	if (!s->lib_tried)
		evtx_lib_open(s, &lw);
	libevtx_record_t *rec = NULL;
	uint64_t rid = 0;
	int index = s->index - 1;
	if (s->file && index < s->nrecords &&
	    libevtx_file_get_record_by_index(s->file, index, &rec, NULL) == 1 && rec &&
	    libevtx_record_get_identifier(rec, &rid, NULL) == 1 && rid == r->id) {
		uint64_t keep = ev->record;
		int rc = lib_render(s, rec, what, false, ev, a, why);
		libevtx_record_free(&rec, NULL);
		if (rc == 1) {
			s->c_fallback++;
			return 1;
		}
		ev->record = keep;
		char lmsg[AS_MAX_DIAG_MSG];
		size_t skip = strncmp(why->msg, what, strlen(what)) == 0 ? strlen(what) : 0;
		snprintf(lmsg, sizeof lmsg, "%s", why->msg + skip);
		return diag_set(why, AS_EPARSE, "%s: %s; through libevtx%s", what, reason, lmsg);
	}
	if (rec)
		libevtx_record_free(&rec, NULL);
	return diag_set(why, AS_EPARSE, "%s: %s", what, reason);
}

/* The libevtx path: records, then (with APTSCOPE_EVTX_RECOVER) recovered
 * records; 1, 0 at the end, or a negative code. */
static int next_libevtx(struct evtx_state *s, struct event *ev, struct arena *a, struct diag *why)
{
	libevtx_record_t *rec = NULL;
	libevtx_error_t *err = NULL;
	for (;;) {
		if (s->next >= s->nrecords + s->nrecovered)
			return 0;
		int i = s->next++;
		bool recovered = i >= s->nrecords;
		int index = recovered ? i - s->nrecords : i;
		int ok = recovered ? libevtx_file_get_recovered_record_by_index(s->file, index,
										&rec, &err)
				   : libevtx_file_get_record_by_index(s->file, index, &rec, &err);
		char what[64];
		snprintf(what, sizeof what, "evtx %s %d", recovered ? "recovered record" : "record",
			 index);
		if (ok == 1 && rec) {
			int rc = lib_render(s, rec, what, recovered, ev, a, why);
			libevtx_record_free(&rec, NULL);
			s->c_recovered += recovered && rc == 1;
			return rc;
		}
		char msg[AS_MAX_DIAG_MSG];
		evtx_errmsg(&err, msg, sizeof msg);
		if (!recovered)
			return diag_set(why, AS_EPARSE, "%s: %s", what, msg);
		/* Free-space scans find many fragments that were never whole records
		 * (or were overwritten): counted, said once at the end. */
		if (!s->lib_unreadable++)
			snprintf(s->lib_unreadable_msg, sizeof s->lib_unreadable_msg, "%.80s", msg);
	}
}

/* File-level notes at the end, one per call; 0 when none is left. */
static int next_note(struct evtx_state *s, struct diag *why)
{
	if (s->inflate_note[0]) {
		int rc = diag_set(why, AS_ETRUNC, "evtx: %s", s->inflate_note);
		s->inflate_note[0] = 0;
		return rc;
	}
	if (s->lib_corrupted && s->phase == PH_NOTES && !s->bx) {
		s->lib_corrupted = false;
		return diag_set(why, AS_EPARSE,
				"evtx: libevtx marks the file corrupted (damaged chunks are left "
				"out; their records may be among the %d recovered)",
				s->nrecovered);
	}
	if (s->lib_unreadable || s->lib_partial) {
		int n = s->lib_unreadable, k = s->lib_partial;
		s->lib_unreadable = s->lib_partial = 0;
		return diag_set(why, AS_EPARSE,
				"evtx: of %d recovered records %d unreadable, %d kept in part "
				"(Recovered=partial) (libevtx: %s)",
				s->nrecovered, n, k, n ? s->lib_unreadable_msg : "-");
	}
	if (s->recover && s->bx && (s->unreadable || s->dups)) {
		uint64_t n = s->carved, u = s->unreadable, d = s->dups;
		s->unreadable = s->dups = 0;
		return diag_set(why, AS_EPARSE,
				"evtx: of %llu record signatures in free space %llu kept "
				"(Recovered=true), %llu copies of records already read left out, "
				"%llu fragments unreadable%s%s%s",
				(unsigned long long)n, (unsigned long long)(n - u - d),
				(unsigned long long)d, (unsigned long long)u, u ? " (first: " : "",
				u ? s->unreadable_why : "", u ? ")" : "");
	}
	return 0;
}

static int evtx_next(void *state, struct event *ev, struct arena *a, struct diag *why)
{
	struct evtx_state *s = state;
	int rc;
	if (s->header_note[0]) {
		rc = diag_set(why, AS_EPARSE, "%s", s->header_note);
		s->header_note[0] = 0;
		return rc;
	}
	switch (s->phase) {
	case PH_LIBEVTX:
		if ((rc = next_libevtx(s, ev, a, why)))
			return rc;
		s->phase = PH_NOTES;
		return next_note(s, why);
	case PH_RECORDS:
		if ((rc = next_record(s, ev, a, why)))
			return rc;
		s->phase = s->recover ? PH_RECOVER : PH_NOTES;
		return evtx_next(s, ev, a, why);
	case PH_RECOVER:
		if ((rc = next_carved(s, ev, a, why)))
			return rc;
		s->phase = PH_NOTES;
		return next_note(s, why);
	case PH_NOTES:
		return next_note(s, why);
	}
	return 0;
}

const struct format format_evtx = {
    .name = "evtx",
    .summary = "Windows XML Event Log (.evtx), own chunk walk and BinXML parser; allocated "
	       "records (APTSCOPE_EVTX_RECOVER=1 adds records carved from free space)",
    .probe = evtx_probe,
    .open = evtx_open,
    .next = evtx_next,
    .close = evtx_close,
};
