/* timeparse.c — time stamp parsing without libc locale or time-zone state. */
#include "core/timeparse.h"

#include <stdio.h>
#include <time.h>

#include "core/error.h"

int64_t time_days_from_civil(int64_t y, unsigned m, unsigned d)
{
	/* Howard Hinnant's days_from_civil algorithm (public domain description). */
	y -= m <= 2;
	int64_t era = (y >= 0 ? y : y - 399) / 400;
	unsigned yoe = (unsigned)(y - era * 400);
	unsigned doy = (153 * (m + (m > 2 ? -3 : 9)) + 2) / 5 + d - 1;
	unsigned doe = yoe * 365 + yoe / 4 - yoe / 100 + doy;
	return era * 146097 + (int64_t)doe - 719468;
}

void time_civil_from_days(int64_t z, int64_t *y, unsigned *m, unsigned *d)
{
	z += 719468;
	int64_t era = (z >= 0 ? z : z - 146096) / 146097;
	unsigned doe = (unsigned)(z - era * 146097);
	unsigned yoe = (doe - doe / 1460 + doe / 36524 - doe / 146096) / 365;
	int64_t yy = (int64_t)yoe + era * 400;
	unsigned doy = doe - (365 * yoe + yoe / 4 - yoe / 100);
	unsigned mp = (5 * doy + 2) / 153;
	*d = doy - (153 * mp + 2) / 5 + 1;
	*m = mp < 10 ? mp + 3 : mp - 9;
	*y = yy + (*m <= 2);
}

static int digits(const char *p, size_t n, unsigned *out)
{
	unsigned v = 0;
	for (size_t i = 0; i < n; i++) {
		unsigned c = (unsigned)(p[i] - '0');
		if (c > 9)
			return -1;
		v = v * 10 + c;
	}
	*out = v;
	return 0;
}

static const unsigned mdays[12] = {31, 29, 31, 30, 31, 30, 31, 31, 30, 31, 30, 31};

static int make_time(int64_t y, unsigned mo, unsigned d, unsigned h, unsigned mi, unsigned s,
		     int64_t frac_us, int64_t offset_s, int64_t *us)
{
	if (mo < 1 || mo > 12 || d < 1 || d > mdays[mo - 1] || h > 23 || mi > 59 || s > 60)
		return AS_EPARSE;
	int64_t days = time_days_from_civil(y, mo, d);
	int64_t secs = days * 86400 + h * 3600 + mi * 60 + s - offset_s;
	*us = secs * 1000000 + frac_us;
	return 0;
}

/* ".123456789" → microseconds; advances *i. A local index and a scale
 * table instead of a padding loop: every time stamp with a fraction comes
 * through here. */
static inline int64_t fraction(const char *p, size_t n, size_t *i)
{
	static const int32_t scale[7] = {1000000, 100000, 10000, 1000, 100, 10, 1};
	size_t k = *i;
	if (k >= n || (p[k] != '.' && p[k] != ','))
		return 0;
	k++;
	int64_t v = 0;
	int nd = 0;
	for (; k < n; k++) {
		unsigned c = (unsigned)(unsigned char)p[k] - '0';
		if (c > 9)
			break;
		if (nd < 6) {
			v = v * 10 + c;
			nd++;
		}
	}
	*i = k;
	return v * scale[nd];
}

/* "Z", "+hh:mm", "+hhmm", "+hh", " UTC"; returns 0 and offset seconds. */
static int zone(const char *p, size_t n, size_t *i, int64_t *off)
{
	*off = 0;
	/* The usual shapes first: "Z" or "+0000" ending the text. */
	if (*i + 1 == n && (p[*i] == 'Z' || p[*i] == 'z')) {
		*i = n;
		return 0;
	}
	if (*i + 5 == n && (p[*i] == '+' || p[*i] == '-') && p[*i + 1] == '0' && p[*i + 2] == '0' &&
	    p[*i + 3] == '0' && p[*i + 4] == '0') {
		*i = n;
		return 0;
	}
	if (*i < n && p[*i] == ' ')
		(*i)++;
	if (*i >= n)
		return 0;
	if (p[*i] == 'Z' || p[*i] == 'z') {
		(*i)++;
		return 0;
	}
	if (n - *i >= 3 && (p[*i] == 'U') && p[*i + 1] == 'T' && p[*i + 2] == 'C') {
		*i += 3;
		return 0;
	}
	if (p[*i] != '+' && p[*i] != '-')
		return AS_EPARSE;
	int sign = p[*i] == '-' ? -1 : 1;
	(*i)++;
	unsigned hh, mm = 0;
	if (n - *i < 2 || digits(p + *i, 2, &hh))
		return AS_EPARSE;
	*i += 2;
	if (*i < n && p[*i] == ':')
		(*i)++;
	if (n - *i >= 2 && digits(p + *i, 2, &mm) == 0)
		*i += 2;
	if (hh > 23 || mm > 59)
		return AS_EPARSE;
	*off = sign * (int64_t)(hh * 3600 + mm * 60);
	return 0;
}

/* Two digits at p; any non-digit sets *bad. */
static inline unsigned two(const char *p, unsigned *bad)
{
	unsigned a = (unsigned)(unsigned char)p[0] - '0', b = (unsigned)(unsigned char)p[1] - '0';
	*bad |= (a > 9) | (b > 9);
	return a * 10 + b;
}

int time_parse_rfc3339(struct slice s, int64_t *us)
{
	const char *p = s.ptr;
	size_t n = s.len;
	unsigned y, mo, d, h = 0, mi = 0, sec = 0;
	/* "YYYY-MM-DDTHH:MM:SS" then fraction and zone: what EVE, JSON logs and
	 * ISO syslog write. Checked all at once, without a loop per number. */
	if (n >= 19 && p[4] == '-' && p[7] == '-' &&
	    (p[10] == 'T' || p[10] == 't' || p[10] == ' ') && p[13] == ':' && p[16] == ':') {
		unsigned bad = 0;
		y = two(p, &bad) * 100 + two(p + 2, &bad);
		mo = two(p + 5, &bad);
		d = two(p + 8, &bad);
		h = two(p + 11, &bad);
		mi = two(p + 14, &bad);
		sec = two(p + 17, &bad);
		if (bad)
			return AS_EPARSE;
		size_t i = 19;
		int64_t frac = fraction(p, n, &i), off = 0;
		if (zone(p, n, &i, &off) || i != n)
			return AS_EPARSE;
		return make_time(y, mo, d, h, mi, sec, frac, off, us);
	}
	if (n < 10 || p[4] != '-' || p[7] != '-' || digits(p, 4, &y) || digits(p + 5, 2, &mo) ||
	    digits(p + 8, 2, &d))
		return AS_EPARSE;
	size_t i = 10;
	int64_t frac = 0, off = 0;
	if (i < n && (p[i] == 'T' || p[i] == 't' || p[i] == ' ')) {
		i++;
		if (n - i < 5 || p[i + 2] != ':' || digits(p + i, 2, &h) ||
		    digits(p + i + 3, 2, &mi))
			return AS_EPARSE;
		i += 5;
		if (i < n && p[i] == ':') {
			if (n - i < 3 || digits(p + i + 1, 2, &sec))
				return AS_EPARSE;
			i += 3;
		}
		frac = fraction(p, n, &i);
		if (zone(p, n, &i, &off))
			return AS_EPARSE;
	}
	if (i != n)
		return AS_EPARSE;
	return make_time(y, mo, d, h, mi, sec, frac, off, us);
}

int time_parse_epoch(struct slice s, int64_t *us)
{
	const char *p = s.ptr;
	size_t n = s.len, i = 0;
	if (n == 0 || n > 32)
		return AS_EPARSE;
	/* Ten digits of seconds and a fraction: Zeek's "ts" and most epoch time
	 * stamps until 2286. */
	if (n >= 11 && p[10] == '.') {
		unsigned bad = 0;
		int64_t sec =
		    (int64_t)(two(p, &bad) * 100 + two(p + 2, &bad)) * 1000000 +
		    (two(p + 4, &bad) * 10000 + two(p + 6, &bad) * 100 + two(p + 8, &bad));
		i = 10;
		int64_t frac = fraction(p, n, &i);
		if (!bad && i == n) {
			*us = sec * 1000000 + frac;
			return 0;
		}
		i = 0;
	}
	int64_t whole = 0;
	size_t nd = 0;
	while (i < n && p[i] >= '0' && p[i] <= '9') {
		if (++nd > 19)
			return AS_EPARSE;
		whole = whole * 10 + (p[i] - '0');
		i++;
	}
	if (!nd)
		return AS_EPARSE;
	int64_t frac = fraction(p, n, &i);
	if (i != n)
		return AS_EPARSE;
	/* Unit from magnitude: seconds until year 5138, then ms, µs, ns. */
	if (whole < 100000000000ll)
		*us = whole * 1000000 + frac;
	else if (whole < 100000000000000ll)
		*us = whole * 1000 + frac / 1000;
	else if (whole < 100000000000000000ll)
		*us = whole;
	else
		*us = whole / 1000;
	return 0;
}

static int month_abbr(const char *p)
{
	static const char names[] = "JanFebMarAprMayJunJulAugSepOctNovDec";
	for (int m = 0; m < 12; m++) {
		const char *q = names + 3 * m;
		if ((p[0] | 32) == (q[0] | 32) && (p[1] | 32) == q[1] && (p[2] | 32) == q[2])
			return m + 1;
	}
	return 0;
}

int time_parse_syslog(struct slice s, int year, int64_t *us)
{
	const char *p = s.ptr;
	size_t n = s.len;
	/* "Mmm dd hh:mm:ss" where dd may be space-padded; optional fraction. */
	if (n < 15 || p[3] != ' ')
		return AS_EPARSE;
	int mo = month_abbr(p);
	if (!mo)
		return AS_EPARSE;
	unsigned d, h, mi, sec;
	char d0 = p[4] == ' ' ? '0' : p[4];
	char dd[2] = {d0, p[5]};
	if (digits(dd, 2, &d) || p[6] != ' ' || p[9] != ':' || p[12] != ':' ||
	    digits(p + 7, 2, &h) || digits(p + 10, 2, &mi) || digits(p + 13, 2, &sec))
		return AS_EPARSE;
	size_t i = 15;
	int64_t frac = fraction(p, n, &i);
	if (i != n)
		return AS_EPARSE;
	if (mo == 2 && d == 29 && !((year % 4 == 0 && year % 100 != 0) || year % 400 == 0))
		return AS_EPARSE;
	return make_time(year, (unsigned)mo, d, h, mi, sec, frac, 0, us);
}

int time_parse_clf(struct slice s, int64_t *us)
{
	const char *p = s.ptr;
	size_t n = s.len;
	if (n && p[0] == '[') {
		if (p[n - 1] != ']')
			return AS_EPARSE;
		p++;
		n -= 2;
	}
	/* 10/Oct/2000:13:55:36 -0700 */
	if (n < 20 || p[2] != '/' || p[6] != '/' || p[11] != ':' || p[14] != ':' || p[17] != ':')
		return AS_EPARSE;
	unsigned d, y, h, mi, sec;
	int mo = month_abbr(p + 3);
	if (!mo || digits(p, 2, &d) || digits(p + 7, 4, &y) || digits(p + 12, 2, &h) ||
	    digits(p + 15, 2, &mi) || digits(p + 18, 2, &sec))
		return AS_EPARSE;
	size_t i = 20;
	int64_t frac = fraction(p, n, &i);
	int64_t off = 0;
	if (zone(p, n, &i, &off) || i != n)
		return AS_EPARSE;
	return make_time(y, (unsigned)mo, d, h, mi, sec, frac, off, us);
}

int time_parse_any(struct slice s, int64_t *us)
{
	s = slice_trim(s);
	if (time_parse_rfc3339(s, us) == 0 || time_parse_epoch(s, us) == 0 ||
	    time_parse_clf(s, us) == 0)
		return 0;
	return AS_EPARSE;
}

int time_year(int64_t us)
{
	int64_t secs = us >= 0 ? us / 1000000 : (us - 999999) / 1000000;
	int64_t days = secs >= 0 ? secs / 86400 : (secs - 86399) / 86400;
	int64_t y;
	unsigned m, d;
	time_civil_from_days(days, &y, &m, &d);
	return (int)y;
}

/* The n last decimal digits of x at p, zero-padded; the end. */
static char *zero_padded(char *p, unsigned x, int n)
{
	for (int i = n - 1; i >= 0; i--, x /= 10)
		p[i] = (char)('0' + x % 10);
	return p + n;
}

char *time_format(int64_t us, char *dst)
{
	if (us == AS_TIME_NONE) {
		dst[0] = 0;
		return dst;
	}
	/* floor division, without the overflow us - 999999 has near INT64_MIN */
	int64_t secs = us / 1000000 - (us % 1000000 < 0);
	int64_t frac = us % 1000000 < 0 ? us % 1000000 + 1000000 : us % 1000000;
	int64_t days = secs >= 0 ? secs / 86400 : (secs - 86399) / 86400;
	int64_t rem = secs - days * 86400;
	int64_t y;
	unsigned m, d;
	time_civil_from_days(days, &y, &m, &d);
	int h = (int)(rem / 3600), mi = (int)(rem / 60 % 60), s = (int)(rem % 60);
	if (y < 0 || y > 9999)
		y = y < 0 ? 0 : 9999;
	/* by hand: every alert's time is written, snprintf cost ten times this */
	char *p = zero_padded(dst, (unsigned)y, 4);
	*p++ = '-';
	p = zero_padded(p, m, 2);
	*p++ = '-';
	p = zero_padded(p, d, 2);
	*p++ = 'T';
	p = zero_padded(p, (unsigned)h, 2);
	*p++ = ':';
	p = zero_padded(p, (unsigned)mi, 2);
	*p++ = ':';
	p = zero_padded(p, (unsigned)s, 2);
	if (frac) {
		*p++ = '.';
		p = zero_padded(p, (unsigned)frac, 6);
	}
	*p++ = 'Z';
	*p = 0;
	return dst;
}

int64_t time_now_us(void)
{
	struct timespec ts;
	clock_gettime(CLOCK_REALTIME, &ts);
	return (int64_t)ts.tv_sec * 1000000 + ts.tv_nsec / 1000;
}
