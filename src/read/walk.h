/*
 * walk.h — the files under the paths given on the command line.
 *
 * Directories are walked depth-first, entries in name order (so runs are
 * reproducible); a file reached twice (named twice, or through a link) is
 * taken once; symbolic links to files are followed, a directory reached
 * twice (a symlink loop) is skipped with a note; depth and file count are
 * bounded (AS_MAX_WALK_DEPTH, AS_MAX_FILES).
 */
#ifndef AS_READ_WALK_H
#define AS_READ_WALK_H

#include <stddef.h>

#include "core/diag.h"

struct file_list {
	char **paths;
	size_t n, cap;
};

/* Append the regular files under paths[0..n). Unreadable paths are noted on
 * the sink and skipped; returns 0, or AS_ENOMEM. */
int walk_paths(char *const *paths, size_t n, struct file_list *out, struct diag_sink *diags);
void file_list_free(struct file_list *l); /* accepts NULL */

#endif
