/*
 * jsonread.h — what the JSON-lines readers (eve, jsonl, journal) share: the
 * probe's look at the first line, and taking one leaf of a record into the
 * event (unescaped only when someone needs it, kept as a native field when
 * native fields are asked for).
 */
#ifndef AS_READ_JSONREAD_H
#define AS_READ_JSONREAD_H

#include <stdbool.h>

#include "core/arena.h"
#include "core/diag.h"
#include "core/json_scan.h"
#include "event/event.h"

enum { JSONREAD_NO_OBJECT = 0, JSONREAD_LINE = 1, JSONREAD_CUT = 2 };

/* The first line of a probe window that starts (after white space) with '{':
 * JSONREAD_LINE with *line the whole line (a trailing CR dropped),
 * JSONREAD_CUT when the line runs past the window (*line is what it holds),
 * JSONREAD_NO_OBJECT otherwise. */
int jsonread_first_line(struct slice head, struct slice *line);

/* Leaf l of a record: *v gets its value, unescaped into a when it is escaped
 * and needed (a canonical field takes it) or fields is set; when fields is
 * set it is added to ev as a native field named by its path. 0, or an error
 * with *why naming the field. */
int jsonread_leaf(const struct json_leaf *l, bool needed, bool fields, struct event *ev,
		  struct arena *a, struct diag *why, struct slice *v);

#endif
