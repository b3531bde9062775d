/*
 * fieldname.h — the field dictionary: native field names interned to ids.
 *
 * Every distinct field name ("id.orig_h", "CommandLine", "dns.rrname") gets
 * one small id for the whole process, so engines compare ids, not strings.
 * Interning is thread-safe: a shared table behind a mutex, fronted by a
 * per-thread direct-mapped cache so the hot path (a JSON reader interning
 * every key of every record) seldom takes the lock.
 */
#ifndef AS_EVENT_FIELDNAME_H
#define AS_EVENT_FIELDNAME_H

#include <stdint.h>

#include "core/slice.h"

#define FIELDNAME_NONE UINT32_MAX

/* Id of name, interning it if new. FIELDNAME_NONE only when out of memory. */
uint32_t fieldname_intern(struct slice name);
/* Id of name if already interned, else FIELDNAME_NONE. */
uint32_t fieldname_lookup(struct slice name);
/* Text of an id (lives for the whole process). */
struct slice fieldname_str(uint32_t id);
/* Number of interned names. */
uint32_t fieldname_count(void);

#endif
