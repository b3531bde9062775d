/*
 * yara_int.h — what the YARA engine's files share: the rules' layout.
 * Not for use outside src/detect/yara/.
 */
#ifndef AS_DETECT_YARA_YARA_INT_H
#define AS_DETECT_YARA_YARA_INT_H

#include <yara.h>

#include "core/arena.h"
#include "detect/yara/yara_engine.h"

/* A queued rule source: a file (text NULL) or text held in memory. */
struct rule_src {
	char *path;
	char *text;
};

struct yara_rules {
	struct rule_src *srcs;
	size_t nsrcs, cap;
	YR_RULES *rules;             /* after compiling */
	struct yara_rule_info *info; /* one per rule, in rules_table order */
	size_t ninfo;
	struct arena arena; /* strings of info */
	bool compiled;
};

#endif
