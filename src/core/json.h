/*
 * json.h — writing JSON text into a struct buf.
 *
 * Small helpers for the JSON lines aptscope prints (events, alerts,
 * incidents) and the reports: string escaping per RFC 8259 (invalid UTF-8
 * becomes U+FFFD so the output always parses), and key/value shorthands that
 * manage the commas. Reading JSON is elsewhere: core/json_scan.h.
 */
#ifndef AS_CORE_JSON_H
#define AS_CORE_JSON_H

#include <stdbool.h>
#include <stdint.h>

#include "core/buf.h"
#include "core/slice.h"

/* Append s as a quoted, escaped JSON string. */
int json_str(struct buf *b, struct slice s);
static inline int json_cstr(struct buf *b, const char *s)
{
	return s ? json_str(b, slice_cstr(s)) : buf_puts(b, "null");
}

/* An object/array writer that inserts commas: */
struct jw {
	struct buf *b;
	int depth;
	uint64_t first; /* bit d set: nothing written yet at depth d */
};

void jw_init(struct jw *w, struct buf *b);
void jw_obj(struct jw *w);                  /* { */
void jw_obj_end(struct jw *w);              /* } */
void jw_arr(struct jw *w);                  /* [ */
void jw_arr_end(struct jw *w);              /* ] */
void jw_key(struct jw *w, const char *key); /* "key": (inside an object) */
void jw_key_slice(struct jw *w, struct slice key);
void jw_str(struct jw *w, struct slice s);
void jw_cstr(struct jw *w, const char *s); /* null when s is NULL */
void jw_int(struct jw *w, int64_t v);
void jw_double(struct jw *w, double v);
void jw_bool(struct jw *w, bool v);
void jw_null(struct jw *w);
void jw_raw(struct jw *w, struct slice json); /* already-valid JSON text */
/* key + value shorthands */
static inline void jw_kstr(struct jw *w, const char *k, struct slice s)
{
	jw_key(w, k);
	jw_str(w, s);
}
static inline void jw_kcstr(struct jw *w, const char *k, const char *s)
{
	jw_key(w, k);
	jw_cstr(w, s);
}
static inline void jw_kint(struct jw *w, const char *k, int64_t v)
{
	jw_key(w, k);
	jw_int(w, v);
}

#endif
