/*
 * error.h — the error codes of aptscope, generated from one list.
 *
 * Functions return 0 on success or a negative AS_E* code; as_strerror()
 * names it. Add a code by adding one line to AS_ERRNO_MAP.
 */
#ifndef AS_CORE_ERROR_H
#define AS_CORE_ERROR_H

#define AS_ERRNO_MAP(X)                                                                            \
	X(NOMEM, "out of memory")                                                                  \
	X(IO, "input/output error")                                                                \
	X(NOENT, "no such file or directory")                                                      \
	X(INVAL, "invalid argument")                                                               \
	X(PARSE, "cannot parse")                                                                   \
	X(TOOBIG, "exceeds a limit")                                                               \
	X(TRUNC, "truncated input")                                                                \
	X(FORMAT, "unknown or unsupported format")                                                 \
	X(UNSUPPORTED, "unsupported feature")                                                      \
	X(DB, "database error")                                                                    \
	X(EXISTS, "already exists")                                                                \
	X(NOTFOUND, "not found")                                                                   \
	X(DECOMPRESS, "corrupt compressed data")                                                   \
	X(LOOP, "loop detected")                                                                   \
	X(ENGINE, "detection engine error")

enum {
	AS_OK = 0,
#define AS_ERR_ENUM(name, msg) AS_E##name,
	AS_ERR_FIRST_ = -1000,
	AS_ERRNO_MAP(AS_ERR_ENUM)
#undef AS_ERR_ENUM
	    AS_ERR_LAST_
};

/* A static string describing code (0 or AS_E*); never NULL. */
const char *as_strerror(int code);

#endif
