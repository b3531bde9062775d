/*
 * timeparse.h — the time stamps logs write, to microseconds since the epoch (UTC).
 *
 * AS_TIME_NONE marks an unknown time. Accepted forms:
 *   RFC 3339 / ISO 8601  2024-03-01T12:00:00.123456Z, …+01:00, …+0100, space for T,
 *                        no zone (taken as UTC)
 *   epoch                1709294400, 1709294400.123456 (Zeek), 1709294400123 (ms),
 *                        1709294400123456 (µs), 1709294400123456789 (ns) — unit from magnitude
 *   syslog RFC 3164      "Mar  1 12:00:00" — no year; the caller gives one
 *   Apache/CLF           "[10/Oct/2000:13:55:36 -0700]" (brackets optional)
 */
#ifndef AS_CORE_TIMEPARSE_H
#define AS_CORE_TIMEPARSE_H

#include <stdint.h>

#include "core/slice.h"

#define AS_TIME_NONE   INT64_MIN
#define AS_TIME_STRLEN 64

int time_parse_rfc3339(struct slice s, int64_t *us);
int time_parse_epoch(struct slice s, int64_t *us);
/* year: the year to assume (the reader infers it, see syslog reader). */
int time_parse_syslog(struct slice s, int year, int64_t *us);
int time_parse_clf(struct slice s, int64_t *us);
/* Try RFC 3339, epoch and CLF in turn. */
int time_parse_any(struct slice s, int64_t *us);

/* Days since 1970-01-01 of a proleptic Gregorian date, and back. */
int64_t time_days_from_civil(int64_t y, unsigned m, unsigned d);
void time_civil_from_days(int64_t days, int64_t *y, unsigned *m, unsigned *d);
/* Year of a time (UTC). */
int time_year(int64_t us);
/* "2024-03-01T12:00:00.123456Z" (fraction only when not zero) into dst[AS_TIME_STRLEN]. */
char *time_format(int64_t us, char *dst);
/* Microseconds now (wall clock). */
int64_t time_now_us(void);

#endif
