/*
 * visit.c — one file and the members of the archives in it, see files.h.
 *
 * The file on disk is mapped read-only and handed to the callback. When its
 * magic bytes say archive, libarchive reads it from that memory, and each
 * regular member is unpacked into a heap buffer, handed to the callback with
 * the path "outer!member", and opened in turn if it is an archive itself,
 * down to max_depth. Three bounds keep hostile archives harmless:
 *   - a member larger than max_size is skipped (declared size first, then
 *     the bytes actually produced, since headers lie);
 *   - all members of one file on disk together unpack to at most max_total;
 *   - past 64 MiB, unpacking more than AS_MAX_ARCHIVE_RATIO times the file's
 *     own size marks a zip bomb: the rest of the archive is skipped.
 * Encrypted members and corrupt archives are reported and skipped.
 */
#include "files/files.h"

#include <archive.h>
#include <archive_entry.h>
#include <errno.h>
#include <fcntl.h>
#include <stdlib.h>
#include <string.h>
#include <sys/mman.h>
#include <sys/stat.h>
#include <unistd.h>

#include "core/error.h"
#include "core/timeparse.h"

/* A sink is optional (rule loading walks folders quietly). */
#define NOTE(sink, ...)                                                                            \
	do {                                                                                       \
		if (sink)                                                                          \
			diag_note(sink, __VA_ARGS__);                                              \
	} while (0)

#define BOMB_FLOOR (64ull << 20) /* unpacked bytes always allowed before the ratio test */

struct visit {
	uint64_t max_size, max_total;
	int max_depth;
	file_view_fn fn;
	void *ctx;
	struct diag_sink *diags;
	struct files_stats *st;
	uint32_t index;
	uint64_t packed;   /* size of the file on disk */
	uint64_t unpacked; /* bytes unpacked from it so far */
	bool bomb;         /* stop unpacking anything more from this file */
};

static void count(uint64_t *field)
{
	__atomic_add_fetch(field, 1, __ATOMIC_RELAXED);
}

static void skip(struct visit *v, const char *path, const char *why)
{
	if (v->st)
		count(&v->st->skipped);
	NOTE(v->diags, "%s: %s, skipped", path, why);
}

static const char *base_name(const char *p)
{
	const char *s = strrchr(p, '/');
	const char *b = strrchr(p, '\\');
	if (b && (!s || b > s))
		s = b;
	const char *bang = strrchr(p, '!');
	if (bang && (!s || bang > s))
		s = bang;
	return s ? s + 1 : p;
}

static int visit_buffer(struct visit *v, const char *path, const unsigned char *data, size_t size,
			int depth, int64_t mtime);

/* Unpack one member into a fresh buffer; NULL with *why set when skipped. */
static unsigned char *read_member(struct visit *v, struct archive *a, struct archive_entry *e,
				  size_t *len, const char **why)
{
	*len = 0;
	if (archive_entry_size_is_set(e) && (uint64_t)archive_entry_size(e) > v->max_size) {
		*why = "member larger than the size limit";
		return NULL;
	}
	size_t cap = archive_entry_size_is_set(e) ? (size_t)archive_entry_size(e) + 1 : 65536;
	if (cap < 4096)
		cap = 4096;
	unsigned char *buf = malloc(cap);
	if (!buf) {
		*why = "out of memory";
		return NULL;
	}
	for (;;) {
		if (*len == cap) {
			if (cap >= v->max_size + 1) {
				*why = "member unpacks to more than the size limit";
				goto fail;
			}
			size_t ncap = cap * 2 > v->max_size + 1 ? v->max_size + 1 : cap * 2;
			unsigned char *p = realloc(buf, ncap);
			if (!p) {
				*why = "out of memory";
				goto fail;
			}
			buf = p;
			cap = ncap;
		}
		la_ssize_t r = archive_read_data(a, buf + *len, cap - *len);
		if (r == 0)
			break;
		if (r < 0) {
			*why = archive_error_string(a) ? archive_error_string(a) : "corrupt member";
			goto fail;
		}
		*len += (size_t)r;
		v->unpacked += (uint64_t)r;
		if (*len > v->max_size) {
			*why = "member unpacks to more than the size limit";
			goto fail;
		}
		if (v->unpacked > v->max_total ||
		    (v->unpacked > BOMB_FLOOR &&
		     v->unpacked / AS_MAX_ARCHIVE_RATIO > (v->packed ? v->packed : 1))) {
			v->bomb = true;
			*why = "archive unpacks far beyond its size (zip bomb?)";
			goto fail;
		}
	}
	return buf;
fail:
	free(buf);
	return NULL;
}

static int visit_archive(struct visit *v, const char *path, const unsigned char *data, size_t size,
			 const char *type, int depth)
{
	struct archive *a = archive_read_new();
	if (!a)
		return AS_ENOMEM;
	archive_read_support_format_zip(a);
	archive_read_support_format_7zip(a);
	archive_read_support_format_tar(a);
	archive_read_support_format_cpio(a);
	archive_read_support_filter_gzip(a);
	archive_read_support_filter_bzip2(a);
	archive_read_support_filter_xz(a);
	int rc = 0;
	bool compressed_only =
	    !strcmp(type, "GZIP") || !strcmp(type, "BZIP2") || !strcmp(type, "XZ");
	if (archive_read_open_memory(a, data, size) != ARCHIVE_OK) {
		/* A lone .gz is a compressed file, not an archive: not worth a message. */
		if (!compressed_only)
			skip(v, path, "cannot open archive");
		goto out;
	}
	if (v->st)
		count(&v->st->archives);
	struct archive_entry *e;
	unsigned members = 0;
	for (;;) {
		int r = archive_read_next_header(a, &e);
		if (r == ARCHIVE_EOF)
			break;
		if (r < ARCHIVE_WARN) {
			if (!(compressed_only && members == 0)) {
				char why[AS_MAX_DIAG_MSG];
				snprintf(why, sizeof why, "corrupt archive (%s), rest",
					 archive_error_string(a) ? archive_error_string(a) : "?");
				skip(v, path, why);
			}
			break;
		}
		if (archive_entry_filetype(e) != AE_IFREG)
			continue;
		const char *name = archive_entry_pathname(e);
		char member[AS_MAX_SCAN_PATH];
		if (snprintf(member, sizeof member, "%s!%s", path, name ? name : "?") >=
		    (int)sizeof member) {
			skip(v, path, "member path too long");
			continue;
		}
		if (++members > AS_MAX_ARCHIVE_MEMBERS) {
			skip(v, path, "too many members, rest");
			break;
		}
		if (archive_entry_is_encrypted(e)) {
			skip(v, member, "encrypted member");
			continue;
		}
		size_t len;
		const char *why = NULL;
		unsigned char *buf = read_member(v, a, e, &len, &why);
		if (!buf) {
			skip(v, member, why);
			if (v->bomb)
				break;
			continue;
		}
		int64_t mtime = archive_entry_mtime_is_set(e)
				    ? (int64_t)archive_entry_mtime(e) * 1000000 +
					  archive_entry_mtime_nsec(e) / 1000
				    : AS_TIME_NONE;
		if (v->st)
			count(&v->st->members);
		rc = visit_buffer(v, member, buf, len, depth + 1, mtime);
		free(buf);
		if (rc || v->bomb)
			break;
	}
out:
	archive_read_free(a);
	return rc;
}

static int visit_buffer(struct visit *v, const char *path, const unsigned char *data, size_t size,
			int depth, int64_t mtime)
{
	struct file_view view = {
	    .path = path,
	    .name = base_name(path),
	    .data = data,
	    .size = size,
	    .depth = depth,
	    .mtime = mtime,
	    .type = files_type(data, size),
	    .index = v->index,
	};
	if (v->st)
		__atomic_add_fetch(&v->st->bytes, size, __ATOMIC_RELAXED);
	int rc = v->fn(v->ctx, &view);
	if (rc || !files_type_archive(view.type) || v->max_depth < 0)
		return rc;
	if (depth >= v->max_depth) {
		skip(v, path, "archive nested too deep");
		return 0;
	}
	return visit_archive(v, path, data, size, view.type, depth);
}

int files_visit(const char *path, uint32_t index, const struct files_opts *o, file_view_fn fn,
		void *ctx, struct diag_sink *diags, struct files_stats *st)
{
	struct visit v = {
	    .max_size = o && o->max_size ? o->max_size : AS_MAX_SCAN_FILE,
	    .max_total = o && o->max_total ? o->max_total : AS_MAX_ARCHIVE_TOTAL,
	    .max_depth = o && o->max_depth ? o->max_depth : AS_MAX_ARCHIVE_DEPTH,
	    .fn = fn,
	    .ctx = ctx,
	    .diags = diags,
	    .st = st,
	    .index = index,
	};
	int fd = open(path, O_RDONLY | O_CLOEXEC | O_NONBLOCK);
	if (fd < 0) {
		char why[AS_MAX_DIAG_MSG];
		snprintf(why, sizeof why, "cannot open: %s", strerror(errno));
		skip(&v, path, why);
		return 0;
	}
	struct stat sb;
	int rc = 0;
	if (fstat(fd, &sb) || !S_ISREG(sb.st_mode)) {
		skip(&v, path, "not a regular file");
		goto out;
	}
	if ((uint64_t)sb.st_size > v.max_size) {
		skip(&v, path, "larger than the size limit");
		goto out;
	}
	v.packed = (uint64_t)sb.st_size;
	int64_t mtime = (int64_t)sb.st_mtim.tv_sec * 1000000 + sb.st_mtim.tv_nsec / 1000;
	if (st)
		count(&st->files);
	if (sb.st_size == 0) {
		rc = visit_buffer(&v, path, (const unsigned char *)"", 0, 0, mtime);
		goto out;
	}
	void *map = mmap(NULL, (size_t)sb.st_size, PROT_READ, MAP_PRIVATE, fd, 0);
	if (map == MAP_FAILED) {
		char why[AS_MAX_DIAG_MSG];
		snprintf(why, sizeof why, "cannot map: %s", strerror(errno));
		skip(&v, path, why);
		goto out;
	}
	rc = visit_buffer(&v, path, map, (size_t)sb.st_size, 0, mtime);
	munmap(map, (size_t)sb.st_size);
out:
	close(fd);
	return rc;
}
