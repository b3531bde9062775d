/* walk.c — directory walking, see walk.h. */
#include "read/walk.h"

#include <dirent.h>
#include <errno.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>

#include "core/error.h"
#include "core/limits.h"
#include "core/map.h"

struct dir_id {
	dev_t dev;
	ino_t ino;
};

struct walk {
	struct file_list *out;
	struct diag_sink *diags;
	struct map seen; /* "dev:ino" of every file taken: a file named twice is read once */
	struct dir_id stack[AS_MAX_WALK_DEPTH + 1];
	int depth;
};

static int add(struct file_list *l, const char *path)
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

static int walk(struct walk *w, const char *path)
{
	struct stat st;
	if (stat(path, &st)) {
		diag_note(w->diags, "%s: cannot read: %s", path, strerror(errno));
		return 0;
	}
	if (S_ISREG(st.st_mode)) {
		char key[48];
		int klen = snprintf(key, sizeof key, "%llx:%llx", (unsigned long long)st.st_dev,
				    (unsigned long long)st.st_ino);
		bool existed = false;
		uint64_t one = 1;
		if (map_put_new(&w->seen, slice_make(key, (size_t)klen), &one, &existed))
			return AS_ENOMEM;
		if (existed)
			return 0;
		int rc = add(w->out, path);
		if (rc == AS_ETOOBIG) {
			diag_note(w->diags, "%s: more than %u files; the rest are skipped", path,
				  AS_MAX_FILES);
			return 0;
		}
		return rc;
	}
	if (!S_ISDIR(st.st_mode))
		return 0; /* devices, sockets, fifos: not logs */
	for (int i = 0; i < w->depth; i++)
		if (w->stack[i].dev == st.st_dev && w->stack[i].ino == st.st_ino) {
			diag_note(w->diags, "%s: directory loop, skipped", path);
			return 0;
		}
	if (w->depth >= AS_MAX_WALK_DEPTH) {
		diag_note(w->diags, "%s: deeper than %d directories, skipped", path,
			  AS_MAX_WALK_DEPTH);
		return 0;
	}
	DIR *d = opendir(path);
	if (!d) {
		diag_note(w->diags, "%s: cannot read: %s", path, strerror(errno));
		return 0;
	}
	char **names = NULL;
	size_t n = 0, cap = 0;
	struct dirent *e;
	int rc = 0;
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
	w->stack[w->depth].dev = st.st_dev;
	w->stack[w->depth].ino = st.st_ino;
	w->depth++;
	size_t plen = strlen(path);
	for (size_t i = 0; i < n && !rc; i++) {
		size_t len = plen + 1 + strlen(names[i]) + 1;
		char *child = malloc(len);
		if (!child) {
			rc = AS_ENOMEM;
			break;
		}
		snprintf(child, len, "%s%s%s", path, (plen && path[plen - 1] == '/') ? "" : "/",
			 names[i]);
		rc = walk(w, child);
		free(child);
	}
	w->depth--;
	for (size_t i = 0; i < n; i++)
		free(names[i]);
	free(names);
	return rc;
}

int walk_paths(char *const *paths, size_t n, struct file_list *out, struct diag_sink *diags)
{
	struct walk w = {.out = out, .diags = diags};
	map_init(&w.seen);
	int rc = 0;
	for (size_t i = 0; i < n && !rc; i++)
		rc = walk(&w, paths[i]);
	map_free(&w.seen);
	return rc;
}

void file_list_free(struct file_list *l)
{
	if (!l)
		return;
	for (size_t i = 0; i < l->n; i++)
		free(l->paths[i]);
	free(l->paths);
	l->paths = NULL;
	l->n = l->cap = 0;
}
