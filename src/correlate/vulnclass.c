/*
 * vulnclass.c — which CVEs an alert names, and whether their exploitation
 * was a 0-day, a 1-day or an n-day.
 *
 * CVE ids come in several spellings: "CVE-2021-44228" in titles, labels and
 * Suricata metadata, "cve.2021-44228" in Sigma tags, "CVE_2021_44228" in
 * rule names. The scanner accepts any of them and prints the canonical form.
 *
 * Class of an exploitation first seen at time t: 0-day before the public
 * disclosure, or before any fix existed when the fix date is known; 1-day
 * within `oneday` after the later of the two; n-day after that; unknown
 * without dates.
 */
#include <ctype.h>
#include <stdio.h>
#include <string.h>

#include "core/timeparse.h"
#include "correlate/correlate_int.h"

const char *vuln_class_name(enum vuln_class c)
{
	switch (c) {
	case VC_0DAY:
		return "0day";
	case VC_1DAY:
		return "1day";
	case VC_NDAY:
		return "nday";
	default:
		return "unknown";
	}
}

enum vuln_class vuln_classify(int64_t seen, int64_t published, int64_t fixed, int64_t oneday)
{
	if (seen == AS_TIME_NONE || (published == AS_TIME_NONE && fixed == AS_TIME_NONE))
		return VC_UNKNOWN;
	if ((published != AS_TIME_NONE && seen < published) ||
	    (fixed != AS_TIME_NONE && seen < fixed))
		return VC_0DAY;
	int64_t ref = published;
	if (ref == AS_TIME_NONE || (fixed != AS_TIME_NONE && fixed > ref))
		ref = fixed;
	return seen - ref <= oneday ? VC_1DAY : VC_NDAY;
}

static bool sep(char c)
{
	return c == '-' || c == '.' || c == '_';
}

unsigned vuln_cves_in_text(struct slice text, void (*fn)(void *ctx, const char *cve), void *ctx)
{
	unsigned n = 0;
	const char *p = text.ptr, *end = text.ptr + text.len;
	while (p && end - p >= 12) {
		if (!((p[0] | 0x20) == 'c' && (p[1] | 0x20) == 'v' && (p[2] | 0x20) == 'e' &&
		      sep(p[3]))) {
			p++;
			continue;
		}
		/* the id must not be the tail of a longer word */
		if (p > text.ptr && isalnum((unsigned char)p[-1])) {
			p++;
			continue;
		}
		const char *q = p + 4;
		int y = 0;
		while (y < 4 && q < end && isdigit((unsigned char)*q))
			q++, y++;
		if (y != 4 || q >= end || !sep(*q)) {
			p++;
			continue;
		}
		const char *num = ++q;
		while (q < end && isdigit((unsigned char)*q) && q - num < 8)
			q++;
		if (q - num < 4 || (q < end && isalnum((unsigned char)*q))) {
			p = q;
			continue;
		}
		char id[24];
		snprintf(id, sizeof id, "CVE-%.4s-%.*s", p + 4, (int)(q - num), num);
		if (fn)
			fn(ctx, id);
		n++;
		p = q;
	}
	return n;
}
