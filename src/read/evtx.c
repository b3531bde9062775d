/*
 * evtx.c — Windows XML Event Log files (.evtx): our BinXML parser, libevtx beside it.
 *
 * A record format: open() opens the file with libevtx, next() takes the
 * records by index, then the records libevtx recovered from free space and
 * damaged chunks (marked with the native field Recovered=true, or =partial
 * when libevtx could render only their start), close() releases the file.
 * Recovered records that cannot be read at all are fragments of free space,
 * not damage: they are counted and reported once per file, at its end.
 *
 * libevtx's record API gives the System values and the EventData strings
 * by position only; the Data Name attributes and the Channel that Sigma
 * rules address exist only in the XML it renders. So each record is
 * rendered once as UTF-8 XML into the batch arena (it is also the event's
 * raw text) and read by the bounded Event-schema parser in winevent.c.
 * Measured on EVTX-ATTACK-SAMPLES, libevtx's record look-up costs about
 * two thirds of the run and its XML rendering a quarter; the parsing and
 * mapping here a few per cent. Going faster means a BinXML parser of our
 * own, not a cheaper way through libevtx.
 *
 * ev->record is the record's number in the file (its header); the
 * EventRecordID of the XML is the native field of that name.
 *
 * A gzip or zstd compressed .evtx is inflated into memory first (see
 * evtx_inflate).
 *
 * A record that libevtx cannot read or render is skipped and reported with
 * its index (and EventRecordID when known); the file goes on.
 *
 * The native path (the default; APTSCOPE_EVTX=libevtx turns it off): the
 * file is mapped and its
 * allocated records are read by our own BinXML parser (evtx_binxml.c),
 * about 30 times faster than libevtx's record look-up. libevtx still opens
 * the file: it gives the recovered records, the corrupted flag, and reads a
 * record the parser rejects (by the same index, so messages are unchanged).
 * When the chunks the parser walks do not hold as many records as libevtx
 * counts, the whole file is read through libevtx. Chunk CRC32 mismatches
 * are reported once, at the end. APTSCOPE_EVTX_DEBUG=1 prints which path
 * read how many records of each file.
 */
/* libevtx.h includes libbfio.h only for the file-io-handle functions, which
 * are not used here; Debian ships no libbfio headers with libevtx-dev. */
#include <libevtx/features.h>
#undef LIBEVTX_HAVE_BFIO
#include <libevtx.h>
#include <errno.h>
#include <stdio.h>
#include <fcntl.h>
#include <stdatomic.h>
#include <stdlib.h>
#include <string.h>
#include <sys/mman.h>
#include <sys/stat.h>
#include <unistd.h>

#include "core/error.h"
#include "core/limits.h"
#include "event/fieldname.h"
#include "read/evtx_binxml.h"
#include "read/format.h"
#include "read/input.h"
#include "read/winevent.h"

struct evtx_state {
	libevtx_file_t *file;
	int nrecords, nrecovered;
	int next;       /* index over records, then recovered records */
	int unreadable; /* recovered records libevtx could not read */
	int partial;    /* recovered records kept in part */
	bool corrupted; /* libevtx found damaged chunks */
	char unreadable_msg[96];
	bool fields;
	int memfd;             /* the inflated copy of a compressed file, or -1 */
	bool opened;           /* libevtx_file_open succeeded */
	char inflate_note[96]; /* why inflating stopped early, reported at the end */
	/* native path */
	bool native;
	const uint8_t *map;
	size_t map_len;
	struct evtx_binxml *bx;
	uint32_t chunk_i, nchunks;
	bool chunk_open;
	struct evtx_chunk chunk;
	uint32_t rec_off;
	int native_index;   /* next allocated record, numbered as libevtx does */
	char crc_note[120]; /* the first CRC32 mismatch, reported at the end */
	int crc_bad;        /* chunks with one */
	uint64_t c_native, c_fallback, c_file, c_recovered;
	char fallback_why[160]; /* why the parser rejected the first record */
	const char *path;
};

static atomic_uint_fast64_t g_native, g_fallback, g_file, g_recovered;

void evtx_counters_get(struct evtx_counters *out)
{
	out->native = atomic_load(&g_native);
	out->fallback_record = atomic_load(&g_fallback);
	out->libevtx_file = atomic_load(&g_file);
	out->recovered = atomic_load(&g_recovered);
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
	const char *dbg = getenv("APTSCOPE_EVTX_DEBUG");
	if (dbg && *dbg && strcmp(dbg, "0") != 0)
		fprintf(stderr,
			"evtx debug: %s: native %llu, libevtx for rejected records %llu (%s), "
			"libevtx for the file %llu, recovered %llu\n",
			s->path ? s->path : "-", (unsigned long long)s->c_native,
			(unsigned long long)s->c_fallback,
			s->fallback_why[0] ? s->fallback_why : "-", (unsigned long long)s->c_file,
			(unsigned long long)s->c_recovered);
	free((void *)s->path);
	evtx_binxml_free(s->bx);
	if (s->map)
		munmap((void *)s->map, s->map_len);
	if (s->file) {
		if (s->opened)
			libevtx_file_close(s->file, NULL);
		libevtx_file_free(&s->file, NULL);
	}
	if (s->memfd >= 0)
		close(s->memfd);
	free(s);
}

/*
 * libevtx reads files by name and seeks in them, so a gzip or zstd
 * compressed log (detected by the driver's input layer, which the probe saw
 * decompressed) is inflated into an anonymous memory file, at most
 * AS_MAX_EVTX_INFLATED bytes, and opened as /proc/self/fd/N. *fd stays -1
 * for a plain file.
 */
static int evtx_inflate(const char *path, int *fd, char *fdpath, size_t cap, char *note,
			size_t note_cap, struct diag *why)
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
			/* keep what was inflated: libevtx reads the whole chunks in it */
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
	snprintf(fdpath, cap, "/proc/self/fd/%d", mfd);
	*fd = mfd;
	mfd = -1;
done:
	if (mfd >= 0)
		close(mfd);
	free(buf);
	input_close(in);
	return rc;
}

static void evtx_native_open(struct evtx_state *s, const char *path);

static int evtx_open(void **state, const char *path, const struct read_opts *opts, struct diag *why)
{
	*state = NULL;
	struct evtx_state *s = calloc(1, sizeof *s);
	if (!s)
		return diag_set(why, AS_ENOMEM, "out of memory");
	s->fields = opts->fields;
	s->memfd = -1;
	libevtx_error_t *err = NULL;
	char msg[AS_MAX_DIAG_MSG];
	int rc;
	if (libevtx_file_initialize(&s->file, &err) != 1) {
		evtx_errmsg(&err, msg, sizeof msg);
		rc = diag_set(why, AS_ENOMEM, "evtx: %s", msg);
		goto fail;
	}
	char memfd_path[64];
	if ((rc = evtx_inflate(path, &s->memfd, memfd_path, sizeof memfd_path, s->inflate_note,
			       sizeof s->inflate_note, why)))
		goto fail;
	if (s->memfd >= 0)
		path = memfd_path;
	if (libevtx_file_open(s->file, path, LIBEVTX_OPEN_READ, &err) != 1) {
		evtx_errmsg(&err, msg, sizeof msg);
		libevtx_file_free(&s->file, NULL);
		rc = diag_set(why, AS_EFORMAT, "evtx: cannot open: %s", msg);
		goto fail;
	}
	s->opened = true;
	if (libevtx_file_get_number_of_records(s->file, &s->nrecords, &err) != 1 ||
	    libevtx_file_get_number_of_recovered_records(s->file, &s->nrecovered, &err) != 1) {
		evtx_errmsg(&err, msg, sizeof msg);
		rc = diag_set(why, AS_EFORMAT, "evtx: %s", msg);
		goto fail;
	}
	s->corrupted = libevtx_file_is_corrupted(s->file, NULL) == 1;
	s->path = strdup(path);
	const char *mode = getenv("APTSCOPE_EVTX");
	if (!mode || strcmp(mode, "libevtx") != 0)
		evtx_native_open(s, path);
	else
		s->c_file = (uint64_t)s->nrecords;
	*state = s;
	return 0;
fail:
	evtx_close(s);
	return rc;
}

/* Records in the chunks the parser walks, or -1 when a chunk cannot be
 * walked to its end. */
static int evtx_native_count(struct evtx_state *s)
{
	int n = 0;
	for (uint32_t i = 0; i < s->nchunks; i++) {
		struct evtx_chunk c;
		struct diag why = {0};
		const uint8_t *p = s->map + EVTX_FILE_HEADER_SIZE + (size_t)i * EVTX_CHUNK_SIZE;
		if (evtx_chunk_open(&c, p, &why))
			continue;
		for (uint32_t off = EVTX_CHUNK_HEADER_SIZE; off < c.free_off;) {
			struct evtx_record r;
			if (evtx_record_open(&c, off, &r, &why))
				return -1;
			n++;
			off += r.size;
		}
	}
	return n;
}

/* Map the file and check that the parser sees libevtx's records; otherwise
 * the file is read through libevtx (s->native stays false). */
static void evtx_native_open(struct evtx_state *s, const char *path)
{
	int fd = s->memfd >= 0 ? s->memfd : open(path, O_RDONLY | O_CLOEXEC);
	struct stat st;
	if (fd < 0)
		goto off;
	if (fstat(fd, &st) == 0 && st.st_size >= (off_t)EVTX_FILE_HEADER_SIZE &&
	    (uint64_t)st.st_size <= AS_EVTX_MAX_FILE) {
		void *m = mmap(NULL, (size_t)st.st_size, PROT_READ, MAP_PRIVATE, fd, 0);
		if (m != MAP_FAILED) {
			s->map = m;
			s->map_len = (size_t)st.st_size;
		}
	}
	if (fd != s->memfd)
		close(fd);
	if (!s->map || evtx_binxml_new(&s->bx))
		goto off;
	madvise((void *)s->map, s->map_len, MADV_SEQUENTIAL);
	s->nchunks = (uint32_t)((s->map_len - EVTX_FILE_HEADER_SIZE) / EVTX_CHUNK_SIZE);
	if (evtx_native_count(s) != s->nrecords)
		goto off;
	s->native = true;
	return;
off:
	s->c_file = (uint64_t)s->nrecords;
}

/* The next allocated record's place: 1, or 0 when there is none. */
static int evtx_native_step(struct evtx_state *s, struct evtx_record *r)
{
	for (;;) {
		if (!s->chunk_open) {
			if (s->chunk_i >= s->nchunks)
				return 0;
			struct diag why = {0};
			const uint8_t *p =
			    s->map + EVTX_FILE_HEADER_SIZE + (size_t)s->chunk_i * EVTX_CHUNK_SIZE;
			uint32_t ci = s->chunk_i++;
			if (evtx_chunk_open(&s->chunk, p, &why))
				continue;
			evtx_chunk_check(&s->chunk);
			if ((!s->chunk.header_crc_ok || !s->chunk.data_crc_ok) && !s->crc_bad++)
				snprintf(s->crc_note, sizeof s->crc_note,
					 "chunk %u %s CRC32 is 0x%08x, stored 0x%08x", ci,
					 s->chunk.header_crc_ok ? "records" : "header",
					 s->chunk.header_crc_ok ? s->chunk.data_crc
								: s->chunk.header_crc,
					 s->chunk.header_crc_ok ? s->chunk.data_crc_want
								: s->chunk.header_crc_want);
			s->chunk_open = true;
			s->rec_off = EVTX_CHUNK_HEADER_SIZE;
		}
		struct diag why = {0};
		if (s->rec_off < s->chunk.free_off &&
		    evtx_record_open(&s->chunk, s->rec_off, r, &why) == 0) {
			s->rec_off += r->size;
			return 1;
		}
		s->chunk_open = false;
	}
}

/* One allocated record by the parser; 1, or 0 when the parser rejects it
 * (ev is then as it was given). */
static int evtx_native_record(struct evtx_state *s, const struct evtx_record *r, struct event *ev,
			      struct arena *a, struct diag *why)
{
	const struct source *src = ev->source;
	struct winevent w;
	winevent_begin(&w, ev, a, s->fields);
	struct diag inner = {0};
	struct slice raw = SLICE_NULL;
	int rc = evtx_binxml_record(s->bx, &s->chunk, r, &w, &raw, &inner);
	if (!rc)
		rc = winevent_finish(&w);
	if (rc) {
		if (!s->fallback_why[0])
			snprintf(s->fallback_why, sizeof s->fallback_why, "record %d: %.100s",
				 s->native_index - 1, inner.msg[0] ? inner.msg : as_strerror(rc));
		event_clear(ev);
		ev->source = src;
		(void)why;
		return 0;
	}
	ev->raw = raw;
	if (r->id > 0)
		ev->record = r->id;
	return 1;
}

/* Render one record and map it; 1 or a negative code with *why set. */
static int evtx_record(struct evtx_state *s, libevtx_record_t *rec, int index, bool recovered,
		       struct event *ev, struct arena *a, struct diag *why)
{
	libevtx_error_t *err = NULL;
	char msg[AS_MAX_DIAG_MSG];
	uint64_t rid = 0;
	bool has_rid = libevtx_record_get_identifier(rec, &rid, NULL) == 1;
	const char *kind = recovered ? "recovered record" : "record";
	size_t size = 0;
	if (libevtx_record_get_utf8_xml_string_size(rec, &size, &err) != 1 || size == 0) {
		evtx_errmsg(&err, msg, sizeof msg);
		return diag_set(why, AS_EPARSE, "evtx %s %d (record number %llu): %s", kind, index,
				has_rid ? (unsigned long long)rid : 0ull, msg);
	}
	if (size > AS_MAX_EVTX_XML)
		return diag_set(why, AS_ETOOBIG,
				"evtx %s %d (record number %llu): %zu bytes of XML", kind, index,
				(unsigned long long)rid, size);
	char *xml = arena_alloc(a, size);
	if (!xml)
		return diag_set(why, AS_ENOMEM, "evtx %s %d: out of memory", kind, index);
	if (libevtx_record_get_utf8_xml_string(rec, (uint8_t *)xml, size, &err) != 1) {
		evtx_errmsg(&err, msg, sizeof msg);
		return diag_set(why, AS_EPARSE, "evtx %s %d (record number %llu): %s", kind, index,
				(unsigned long long)rid, msg);
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
		s->partial++;
		rc = 0;
	}
	if (rc) {
		char inner[AS_MAX_DIAG_MSG];
		snprintf(inner, sizeof inner, "%s", why->msg);
		return diag_set(why, rc, "evtx %s %d (record number %llu): %s", kind, index,
				(unsigned long long)rid, inner);
	}
	if (recovered && s->fields) {
		uint32_t id = fieldname_intern(SLICE_LIT("Recovered"));
		if (id == FIELDNAME_NONE ||
		    (rc = event_field_add(ev, a, id, FT_STRING,
					  partial ? SLICE_LIT("partial") : SLICE_LIT("true"))))
			return diag_set(why, rc ? rc : AS_ENOMEM, "evtx %s %d: %s", kind, index,
					as_strerror(rc ? rc : AS_ENOMEM));
	}
	if ((rc = winevent_finish(&w)))
		return diag_set(why, rc, "evtx %s %d: %s", kind, index, as_strerror(rc));
	return 1;
}

static int evtx_next(void *state, struct event *ev, struct arena *a, struct diag *why)
{
	struct evtx_state *s = state;
	libevtx_record_t *rec = NULL;
	libevtx_error_t *err = NULL;
	int index;
	bool recovered;
	while (s->native && s->next < s->nrecords) {
		struct evtx_record r;
		if (!evtx_native_step(s, &r)) {
			s->native = false; /* cannot happen: the records were counted */
			break;
		}
		index = s->next++;
		s->native_index = index + 1;
		uint64_t keep = ev->record;
		if (evtx_native_record(s, &r, ev, a, why)) {
			s->c_native++;
			return 1;
		}
		ev->record = keep;
		s->c_fallback++;
		if (libevtx_file_get_record_by_index(s->file, index, &rec, &err) != 1 || !rec) {
			char msg[AS_MAX_DIAG_MSG];
			evtx_errmsg(&err, msg, sizeof msg);
			return diag_set(why, AS_EPARSE, "evtx record %d: %s", index, msg);
		}
		int rc = evtx_record(s, rec, index, false, ev, a, why);
		libevtx_record_free(&rec, NULL);
		return rc;
	}
	for (;;) {
		if (s->next >= s->nrecords + s->nrecovered) {
			if (s->inflate_note[0]) {
				int rc = diag_set(why, AS_ETRUNC, "evtx: %s", s->inflate_note);
				s->inflate_note[0] = 0;
				return rc;
			}
			if (s->corrupted) {
				s->corrupted = false;
				int crc = s->crc_bad;
				s->crc_bad = 0;
				return diag_set(why, AS_EPARSE,
						"evtx: %s%s%slibevtx marks the file corrupted "
						"(damaged chunks are left out; their records may "
						"be among the %d recovered)",
						crc ? s->crc_note : "",
						crc > 1 ? " (and more)" : "", crc ? "; " : "",
						s->nrecovered);
			}
			if (s->crc_bad) {
				int crc = s->crc_bad;
				s->crc_bad = 0;
				return diag_set(why, AS_EPARSE, "evtx: %s%s", s->crc_note,
						crc > 1 ? " (and more chunks)" : "");
			}
			if (!s->unreadable && !s->partial)
				return 0;
			int n = s->unreadable, k = s->partial;
			s->unreadable = s->partial = 0;
			return diag_set(why, AS_EPARSE,
					"evtx: of %d recovered records %d unreadable, %d kept in "
					"part (Recovered=partial) (libevtx: %s)",
					s->nrecovered, n, k, n ? s->unreadable_msg : "-");
		}
		int i = s->next++;
		recovered = i >= s->nrecords;
		index = recovered ? i - s->nrecords : i;
		int ok = recovered ? libevtx_file_get_recovered_record_by_index(s->file, index,
										&rec, &err)
				   : libevtx_file_get_record_by_index(s->file, index, &rec, &err);
		if (ok == 1 && rec) {
			s->c_recovered += recovered;
			break;
		}
		char msg[AS_MAX_DIAG_MSG];
		evtx_errmsg(&err, msg, sizeof msg);
		if (!recovered)
			return diag_set(why, AS_EPARSE, "evtx record %d: %s", index, msg);
		/* Free-space scans find many fragments that were never whole records
		 * (or were overwritten): counted, said once at the end. */
		if (!s->unreadable++)
			snprintf(s->unreadable_msg, sizeof s->unreadable_msg, "%.80s", msg);
	}
	int rc = evtx_record(s, rec, index, recovered, ev, a, why);
	libevtx_record_free(&rec, NULL);
	return rc;
}

const struct format format_evtx = {
    .name = "evtx",
    .summary = "Windows XML Event Log (.evtx), own BinXML parser; libevtx for recovered records",
    .probe = evtx_probe,
    .open = evtx_open,
    .next = evtx_next,
    .close = evtx_close,
};
