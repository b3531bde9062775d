/*
 * json_scan.h — zero-copy JSON walking for the read hot path.
 *
 * json_walk() validates one JSON text (usually one line of EVE, Zeek JSON,
 * journald or any JSON-lines log) and calls back once per scalar leaf with
 * its dotted path: {"dns":{"rrname":"a.b"}} gives path "dns.rrname".
 * Array elements do not add to the path: every scalar element of
 * {"tags":["a","b"]} is a leaf "tags", and objects in arrays continue the
 * path ({"answers":[{"rdata":"1.2.3.4"}]} → "answers.rdata"). A key that
 * contains a dot stays as written ("id.orig_h").
 *
 * Values are slices into the input: string values without their quotes,
 * still escaped when leaf.escaped is set (json_unescape() makes the plain
 * text in an arena); numbers and literals as written. Nothing is allocated.
 * Depth is bounded by AS_MAX_JSON_DEPTH and paths by AS_MAX_FIELD_NAME.
 */
#ifndef AS_CORE_JSON_SCAN_H
#define AS_CORE_JSON_SCAN_H

#include <stdbool.h>
#include <stdint.h>
#include <string.h>

#include "core/arena.h"
#include "core/diag.h"
#include "core/slice.h"

enum json_type { JT_STRING, JT_NUMBER, JT_BOOL, JT_NULL };

struct json_leaf {
	struct slice path;  /* dotted path from the root, valid during the callback */
	struct slice key;   /* last key of the path (as written, maybe escaped) */
	struct slice value; /* string contents without quotes, or the literal text */
	enum json_type type;
	bool escaped;  /* value holds backslash escapes */
	int depth;     /* 1 for members of the root object */
	bool in_array; /* an element of an array (key is the array's) */
	int arrays;    /* how many of the containers around it are arrays */
};

/* Return 0 to go on, non-zero to stop the walk (json_walk then returns it). */
typedef int (*json_leaf_fn)(void *ctx, const struct json_leaf *leaf);

/* Walk text, which must be one JSON object (leading/trailing white space
 * allowed). 0 on success; AS_EPARSE / AS_ETOOBIG with *why naming the byte
 * offset and the reason; or the callback's non-zero value. */
int json_walk(struct slice text, json_leaf_fn fn, void *ctx, struct diag *why);

/* Plain text of an escaped JSON string body (\uXXXX with surrogate pairs to
 * UTF-8; invalid escapes are an error). Returns s itself when it holds no
 * backslash. 0, AS_EPARSE or AS_ENOMEM. */
int json_unescape(struct slice s, struct arena *a, struct slice *out);
/* The first byte from p on (before end) that ends a run of a JSON string's
 * plain text: '"', '\\' or a control byte; end when there is none. Sixteen
 * bytes at a time where SSE2 is. */
const char *json_str_stop(const char *p, const char *end);

/*
 * A fixed map from dotted paths to small action numbers, for readers that
 * pick their canonical fields out of the leaves: one hash of the path's
 * ends and length, one probe in a 512-slot table, one memcmp on a hit.
 * Built once (json_pathmap_init) and then read-only, shared by threads.
 */
#define JSON_PATHMAP_SLOTS 512

struct json_pathmap_entry {
	const char *path;
	int action; /* > 0 */
};

struct json_pathmap {
	struct {
		const char *path;
		uint16_t len;
		uint16_t action;
	} slot[JSON_PATHMAP_SLOTS];
};

/* 0, or AS_ETOOBIG when more than half the slots would fill / an action
 * does not fit / AS_EEXISTS for a duplicate path. */
int json_pathmap_init(struct json_pathmap *m, const struct json_pathmap_entry *e, size_t n);

static inline uint32_t json_pathmap_hash(struct slice s)
{
	uint32_t a = 0, b = 0;
	if (s.len >= 4) {
		memcpy(&a, s.ptr, 4);
		memcpy(&b, s.ptr + s.len - 4, 4);
	} else {
		for (size_t i = 0; i < s.len; i++)
			a = a << 8 | (unsigned char)s.ptr[i];
	}
	uint32_t h = a * 0x9e3779b1u ^ (b * 0x85ebca77u + (uint32_t)s.len * 0xc2b2ae3du);
	return (h ^ h >> 15) & (JSON_PATHMAP_SLOTS - 1);
}

/* The action of path, or 0 when it is not in the map. */
static inline int json_pathmap_get(const struct json_pathmap *m, struct slice path)
{
	for (uint32_t i = json_pathmap_hash(path);; i = (i + 1) & (JSON_PATHMAP_SLOTS - 1)) {
		if (!m->slot[i].path)
			return 0;
		if (m->slot[i].len == path.len && memcmp(m->slot[i].path, path.ptr, path.len) == 0)
			return m->slot[i].action;
	}
}

#endif
