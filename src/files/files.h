/*
 * files.h — the files a scan looks at: walking folders, opening archives,
 * naming file types, and hashing contents.
 *
 *   files_list_build  folders → a sorted list of regular files (symbolic links
 *                     followed, each folder entered once, so link loops end)
 *   files_visit       one file → a callback for the file itself and, when it is
 *                     a zip/7z/tar/cpio (optionally gzip/bzip2/xz-compressed),
 *                     for every member, recursively up to a depth, with the
 *                     member size, the bytes unpacked per file and the
 *                     unpacked:packed ratio bounded (zip bombs)
 *   files_hash        MD5, SHA-1 and SHA-256 in one pass over the bytes, and
 *                     optionally the ssdeep fuzzy hash (libfuzzy)
 *
 * Files on disk are mapped, never copied; archive members are unpacked into a
 * buffer that lives for the callback only. Everything that is skipped (too big,
 * unreadable, a bomb, too deep, a loop) is counted and reported on the diag
 * sink with the reason; the walk goes on.
 */
#ifndef AS_FILES_FILES_H
#define AS_FILES_FILES_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "core/diag.h"
#include "core/limits.h"

/* What a scan met, summed over a run (atomic adds, shared by threads). */
struct files_stats {
	uint64_t files;    /* files on disk visited */
	uint64_t members;  /* archive members visited */
	uint64_t bytes;    /* bytes handed to callbacks */
	uint64_t skipped;  /* files or members not visited, each reported */
	uint64_t archives; /* archives opened */
	uint64_t loops;    /* folders not entered again (link loops, repeats) */
};

/* --- walking --------------------------------------------------------------- */

struct files_list {
	char **paths; /* owned, sorted within each given path */
	size_t n, cap;
};

/* Append the regular files under each of paths (a file stands for itself).
 * Unreadable folders are reported and skipped. 0, AS_ENOMEM or AS_ETOOBIG past
 * AS_MAX_FILES. */
int files_list_build(struct files_list *out, char *const *paths, size_t npaths,
		     struct diag_sink *diags, struct files_stats *st);
void files_list_free(struct files_list *l); /* accepts NULL */

/* --- visiting -------------------------------------------------------------- */

struct files_opts {
	uint64_t max_size;  /* bytes of one file or member; 0: AS_MAX_SCAN_FILE */
	int max_depth;      /* archive nesting; 0: AS_MAX_ARCHIVE_DEPTH, <0: do not open archives */
	uint64_t max_total; /* bytes unpacked from one file; 0: AS_MAX_ARCHIVE_TOTAL */
};

struct file_view {
	const char *path; /* "dir/a.zip" or "dir/a.zip!docs/b.doc" (valid in the callback) */
	const char *name; /* base name of the file or member */
	const unsigned char *data; /* contents (valid in the callback) */
	size_t size;
	int depth;        /* 0 for the file on disk, 1 for its members, … */
	int64_t mtime;    /* µs since the epoch, AS_TIME_NONE when unknown */
	const char *type; /* files_type() of data */
	uint32_t index;   /* the file on disk's place in the caller's list */
};

/* Return 0 to go on, non-zero to stop (files_visit returns it). */
typedef int (*file_view_fn)(void *ctx, const struct file_view *v);

/* Visit path and, when it is an archive, its members. index is copied into
 * every view. Problems are reported on diags and counted in st (both may be
 * NULL); returns 0 unless the callback stopped the visit or memory ran out. */
int files_visit(const char *path, uint32_t index, const struct files_opts *o, file_view_fn fn,
		void *ctx, struct diag_sink *diags, struct files_stats *st);

/* --- types ----------------------------------------------------------------- */

/* A short upper-case name of the content's type from its magic bytes, as the
 * signature-base rules test the `filetype` external: "EXE", "ELF", "MACHO",
 * "PDF", "OLE", "RTF", "ZIP", "7Z", "RAR", "GZIP", "BZIP2", "XZ", "TAR", "CAB",
 * "MDMP", "LNK", "CLASS", "SCRIPT"; "" when unknown. Static; never NULL. */
const char *files_type(const unsigned char *d, size_t n);
/* Executables and documents, the types whose fuzzy hashes are worth keeping. */
bool files_type_fuzzy(const char *type);
/* The type is one files_visit opens as an archive. */
bool files_type_archive(const char *type);

/* --- hashes ---------------------------------------------------------------- */

#define FILES_SSDEEP_MAX 148 /* FUZZY_MAX_RESULT of libfuzzy */

struct file_hashes {
	char md5[33], sha1[41], sha256[65]; /* lower-case hex */
	char ssdeep[FILES_SSDEEP_MAX];      /* "" when not computed */
};

/* Hash n bytes; ssdeep too when asked. 0 or AS_ENOMEM / AS_EIO. */
int files_hash(const void *data, size_t n, bool ssdeep, struct file_hashes *out);
/* Similarity of two ssdeep hashes, 0 (none) to 100; -1 when either is malformed. */
int files_ssdeep_compare(const char *a, const char *b);
/* Single-linkage clusters of n ssdeep hashes: two samples are linked when their
 * similarity is at least threshold. cluster[i] gets the smallest index of i's
 * cluster (i itself when alone). Quadratic: meant for the unattributed few. */
void files_ssdeep_cluster(const char *const *hashes, size_t n, int threshold, size_t *cluster);

#endif
