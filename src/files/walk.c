/*
 * walk.c — folders to a list of regular files, see files.h.
 *
 * Symbolic links are followed (a sample folder often links into others), so
 * a link back to an ancestor would recurse forever: every folder is known by
 * its (device, inode) and entered once only; entering one again is counted as
 * a loop and reported. Names are sorted per folder so that a scan lists its
 * findings in the same order on every machine. Depth is bounded by
 * AS_MAX_WALK_DEPTH and the list by AS_MAX_FILES.
 */
#include "files/files.h"

#include <dirent.h>
#include <errno.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>

#include "core/error.h"
#include "core/map.h"

/* A sink is optional (rule loading walks folders quietly). */
#define NOTE(sink, ...)                                                                            \
	do {                                                                                       \
		if (sink)                                                                          \
			diag_note(sink, __VA_ARGS__);                                              \
	} while (0)

struct walk {
	struct files_list *out;
	struct map seen; /* "dev:ino" of folders entered */
	struct diag_sink *diags;
	struct files_stats *st;
};

static int list_push(struct files_list *l, const char *path)
{
	if (l->n >= AS_MAX_FILES)
		return AS_ETOOBIG;
	if (l->n == l->cap) {
		size_t cap = l->cap ? l->cap * 2 : 64;
		char **p = realloc(l->paths, cap * sizeof *p);
		if (!p)
			return AS_ENOMEM;
		l->paths = p;
		l->cap = cap;
	}
	if (!(l->paths[l->n] = strdup(path)))
		return AS_ENOMEM;
	l->n++;
	return 0;
}

static int cmp_names(const void *a, const void *b)
{
	return strcmp(*(char *const *)a, *(char *const *)b);
}

static int walk_path(struct walk *w, const char *path, int depth);

static int walk_dir(struct walk *w, const char *path, const struct stat *sb, int depth)
{
	struct {
		dev_t dev;
		ino_t ino;
	} key = {sb->st_dev, sb->st_ino};
	bool existed = false;
	int rc = map_put(&w->seen, slice_make((const char *)&key, sizeof key), 1, &existed);
	if (rc)
		return rc;
	if (existed) {
		if (w->st)
			w->st->loops++;
		NOTE(w->diags, "%s: folder already walked (symbolic link loop?), skipped", path);
		return 0;
	}
	if (depth >= AS_MAX_WALK_DEPTH) {
		if (w->st)
			w->st->skipped++;
		NOTE(w->diags, "%s: deeper than %d folders, skipped", path, AS_MAX_WALK_DEPTH);
		return 0;
	}
	DIR *d = opendir(path);
	if (!d) {
		if (w->st)
			w->st->skipped++;
		NOTE(w->diags, "%s: cannot open folder: %s", path, strerror(errno));
		return 0;
	}
	char **names = NULL;
	size_t n = 0, cap = 0;
	struct dirent *e;
	while ((e = readdir(d))) {
		if (!strcmp(e->d_name, ".") || !strcmp(e->d_name, ".."))
			continue;
		if (n == cap) {
			cap = cap ? cap * 2 : 32;
			char **p = realloc(names, cap * sizeof *p);
			if (!p) {
				rc = AS_ENOMEM;
				break;
			}
			names = p;
		}
		if (!(names[n] = strdup(e->d_name))) {
			rc = AS_ENOMEM;
			break;
		}
		n++;
	}
	closedir(d);
	if (!rc)
		qsort(names, n, sizeof *names, cmp_names);
	for (size_t i = 0; i < n && !rc; i++) {
		size_t pl = strlen(path), nl = strlen(names[i]);
		size_t len = pl + nl + 2;
		if (len > AS_MAX_SCAN_PATH) {
			NOTE(w->diags, "%s/%s: path too long, skipped", path, names[i]);
			continue;
		}
		char *child = malloc(len);
		if (!child) {
			rc = AS_ENOMEM;
			break;
		}
		memcpy(child, path, pl);
		if (pl && path[pl - 1] != '/')
			child[pl++] = '/';
		memcpy(child + pl, names[i], nl + 1);
		rc = walk_path(w, child, depth + 1);
		free(child);
	}
	for (size_t i = 0; i < n; i++)
		free(names[i]);
	free(names);
	return rc;
}

static int walk_path(struct walk *w, const char *path, int depth)
{
	struct stat sb;
	if (stat(path, &sb)) {
		if (w->st)
			w->st->skipped++;
		struct stat lsb;
		if (errno == ELOOP || (!lstat(path, &lsb) && S_ISLNK(lsb.st_mode)))
			NOTE(w->diags, "%s: broken or looping symbolic link, skipped", path);
		else
			NOTE(w->diags, "%s: %s, skipped", path, strerror(errno));
		return 0;
	}
	if (S_ISDIR(sb.st_mode))
		return walk_dir(w, path, &sb, depth);
	if (!S_ISREG(sb.st_mode)) {
		/* Devices, FIFOs and sockets can block or never end. */
		if (w->st)
			w->st->skipped++;
		NOTE(w->diags, "%s: not a regular file, skipped", path);
		return 0;
	}
	return list_push(w->out, path);
}

int files_list_build(struct files_list *out, char *const *paths, size_t npaths,
		     struct diag_sink *diags, struct files_stats *st)
{
	struct walk w = {.out = out, .diags = diags, .st = st};
	map_init(&w.seen);
	int rc = 0;
	for (size_t i = 0; i < npaths && !rc; i++)
		rc = walk_path(&w, paths[i], 0);
	map_free(&w.seen);
	return rc;
}

void files_list_free(struct files_list *l)
{
	if (!l)
		return;
	for (size_t i = 0; i < l->n; i++)
		free(l->paths[i]);
	free(l->paths);
	memset(l, 0, sizeof *l);
}
