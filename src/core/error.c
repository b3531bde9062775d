/* error.c — as_strerror() from the AS_ERRNO_MAP list. */
#include "core/error.h"

const char *as_strerror(int code)
{
	switch (code) {
	case AS_OK:
		return "ok";
#define AS_ERR_CASE(name, msg)                                                                     \
	case AS_E##name:                                                                           \
		return msg;
		AS_ERRNO_MAP(AS_ERR_CASE)
#undef AS_ERR_CASE
	default:
		return "unknown error";
	}
}
