/* ip.c — address and prefix parsing and formatting, see ip.h. */
#include "core/ip.h"

#include <stdio.h>
#include <string.h>

#include "core/error.h"

/* Dotted quad, one to three digits a part (leading zeros allowed, as
 * inet_aton-style logs write them). Unrolled per part: addresses are in
 * nearly every record and this runs on the read hot path. */
static int parse_v4(const char *p, size_t n, uint8_t out[4])
{
	if (n < 7 || n > 15)
		return AS_EPARSE;
	const char *e = p + n;
	for (int part = 0; part < 4; part++) {
		if (p >= e)
			return AS_EPARSE;
		unsigned v = (unsigned)(unsigned char)p[0] - '0', d;
		if (v > 9)
			return AS_EPARSE;
		p++;
		if (p < e && (d = (unsigned)(unsigned char)*p - '0') <= 9) {
			v = v * 10 + d;
			p++;
			if (p < e && (d = (unsigned)(unsigned char)*p - '0') <= 9) {
				v = v * 10 + d;
				p++;
				if (v > 255)
					return AS_EPARSE;
			}
		}
		out[part] = (uint8_t)v;
		if (part < 3) {
			if (p >= e || *p != '.')
				return AS_EPARSE;
			p++;
		}
	}
	return p == e ? 0 : AS_EPARSE;
}

static int hexval(char c)
{
	if (c >= '0' && c <= '9')
		return c - '0';
	if (c >= 'a' && c <= 'f')
		return c - 'a' + 10;
	if (c >= 'A' && c <= 'F')
		return c - 'A' + 10;
	return -1;
}

static int parse_v6(const char *p, size_t n, uint8_t out[16])
{
	uint16_t words[8];
	int nw = 0, gap = -1;
	size_t i = 0;
	if (n >= 2 && p[0] == ':' && p[1] == ':') {
		gap = 0;
		i = 2;
	} else if (n && p[0] == ':') {
		return AS_EPARSE;
	}
	while (i < n) {
		/* An IPv4 tail? */
		size_t j = i;
		while (j < n && p[j] != ':' && p[j] != '.')
			j++;
		if (j < n && p[j] == '.') {
			uint8_t v4[4];
			if (nw > 6 || parse_v4(p + i, n - i, v4))
				return AS_EPARSE;
			words[nw++] = (uint16_t)(v4[0] << 8 | v4[1]);
			words[nw++] = (uint16_t)(v4[2] << 8 | v4[3]);
			i = n;
			break;
		}
		unsigned v = 0, digits = 0;
		while (i < n && hexval(p[i]) >= 0) {
			v = v << 4 | (unsigned)hexval(p[i]);
			if (++digits > 4)
				return AS_EPARSE;
			i++;
		}
		if (!digits || nw >= 8)
			return AS_EPARSE;
		words[nw++] = (uint16_t)v;
		if (i == n)
			break;
		if (p[i] != ':')
			return AS_EPARSE;
		i++;
		if (i < n && p[i] == ':') {
			if (gap >= 0)
				return AS_EPARSE;
			gap = nw;
			i++;
		} else if (i == n) {
			return AS_EPARSE; /* trailing single colon */
		}
	}
	if (gap < 0 && nw != 8)
		return AS_EPARSE;
	if (gap >= 0 && nw > 7)
		return AS_EPARSE;
	uint16_t full[8] = {0};
	if (gap < 0) {
		memcpy(full, words, sizeof full);
	} else {
		for (int k = 0; k < gap; k++)
			full[k] = words[k];
		int tail = nw - gap;
		for (int k = 0; k < tail; k++)
			full[8 - tail + k] = words[gap + k];
	}
	for (int k = 0; k < 8; k++) {
		out[2 * k] = (uint8_t)(full[k] >> 8);
		out[2 * k + 1] = (uint8_t)full[k];
	}
	return 0;
}

int ip_parse(struct slice s, struct ip *out)
{
	const char *p = s.ptr;
	size_t n = s.len;
	memset(out, 0, sizeof *out);
	if (n && p[0] == '[') {
		if (n < 2 || p[n - 1] != ']')
			return AS_EPARSE;
		p++;
		n -= 2;
	}
	if (n == 0 || n > 64)
		return AS_EPARSE;
	/* Most addresses in logs are IPv4: try that before looking for a ':'
	 * (a string that parses as a dotted quad holds no ':'). */
	if (n <= 15 && parse_v4(p, n, out->bytes) == 0) {
		out->family = IP_V4;
		return 0;
	}
	if (memchr(p, ':', n)) {
		const char *zone = memchr(p, '%', n);
		if (zone)
			n = (size_t)(zone - p);
		if (parse_v6(p, n, out->bytes))
			return AS_EPARSE;
		static const uint8_t mapped[12] = {0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0xff, 0xff};
		if (memcmp(out->bytes, mapped, 12) == 0) {
			memmove(out->bytes, out->bytes + 12, 4);
			memset(out->bytes + 4, 0, 12);
			out->family = IP_V4;
		} else {
			out->family = IP_V6;
		}
		return 0;
	}
	return AS_EPARSE;
}

static void mask_bits(uint8_t *b, int bits, int prefix)
{
	for (int i = 0; i < bits / 8; i++) {
		int keep = prefix - i * 8;
		if (keep >= 8)
			continue;
		b[i] &= keep <= 0 ? 0 : (uint8_t)(0xff << (8 - keep));
	}
}

int cidr_parse(struct slice s, struct cidr *out)
{
	struct slice addr;
	struct slice len = slice_cut(s, '/', &addr);
	memset(out, 0, sizeof *out);
	if (ip_parse(slice_trim(addr), &out->addr))
		return AS_EPARSE;
	int bits = out->addr.family == IP_V4 ? 32 : 128;
	uint64_t prefix = (uint64_t)bits;
	if (len.ptr && (slice_to_u64(slice_trim(len), &prefix) || prefix > (uint64_t)bits))
		return AS_EPARSE;
	out->prefix = (uint8_t)prefix;
	mask_bits(out->addr.bytes, bits, (int)prefix);
	return 0;
}

char *ip_format(const struct ip *ip, char *dst)
{
	if (ip->family == IP_V4) {
		snprintf(dst, IP_STRLEN, "%u.%u.%u.%u", ip->bytes[0], ip->bytes[1], ip->bytes[2],
			 ip->bytes[3]);
		return dst;
	}
	if (ip->family != IP_V6) {
		dst[0] = 0;
		return dst;
	}
	uint16_t w[8];
	for (int k = 0; k < 8; k++)
		w[k] = (uint16_t)(ip->bytes[2 * k] << 8 | ip->bytes[2 * k + 1]);
	/* Longest run of zero words (length ≥ 2) becomes "::" (RFC 5952). */
	int best = -1, bestlen = 0;
	for (int k = 0; k < 8;) {
		if (w[k]) {
			k++;
			continue;
		}
		int e = k;
		while (e < 8 && !w[e])
			e++;
		if (e - k > bestlen && e - k >= 2) {
			best = k;
			bestlen = e - k;
		}
		k = e;
	}
	char *o = dst;
	for (int k = 0; k < 8; k++) {
		if (k == best) {
			*o++ = ':';
			if (k == 0)
				*o++ = ':';
			k += bestlen - 1;
			continue;
		}
		o += sprintf(o, "%x", w[k]);
		if (k < 7)
			*o++ = ':';
	}
	*o = 0;
	return dst;
}

bool ip_equal(const struct ip *a, const struct ip *b)
{
	if (a->family != b->family)
		return false;
	return memcmp(a->bytes, b->bytes, a->family == IP_V4 ? 4 : 16) == 0;
}

bool cidr_contains(const struct cidr *c, const struct ip *ip)
{
	if (c->addr.family != ip->family)
		return false;
	int full = c->prefix / 8, rest = c->prefix % 8;
	if (memcmp(c->addr.bytes, ip->bytes, (size_t)full))
		return false;
	if (rest) {
		uint8_t m = (uint8_t)(0xff << (8 - rest));
		if ((ip->bytes[full] & m) != c->addr.bytes[full])
			return false;
	}
	return true;
}

bool ip_is_internal(const struct ip *ip)
{
	const uint8_t *b = ip->bytes;
	if (ip->family == IP_V4) {
		return b[0] == 10 || b[0] == 127 || b[0] == 0 ||
		       (b[0] == 172 && (b[1] & 0xf0) == 16) || (b[0] == 192 && b[1] == 168) ||
		       (b[0] == 169 && b[1] == 254) || (b[0] == 100 && (b[1] & 0xc0) == 64) ||
		       b[0] >= 224 || (b[0] == 192 && b[1] == 0 && b[2] == 2) ||
		       (b[0] == 198 && b[1] == 51 && b[2] == 100) ||
		       (b[0] == 203 && b[1] == 0 && b[2] == 113);
	}
	if (ip->family == IP_V6) {
		static const uint8_t zero[15] = {0};
		if (memcmp(b, zero, 15) == 0 && b[15] <= 1)
			return true;                              /* :: and ::1 */
		return (b[0] & 0xfe) == 0xfc ||                   /* fc00::/7 unique local */
		       (b[0] == 0xfe && (b[1] & 0xc0) == 0x80) || /* fe80::/10 */
		       b[0] == 0xff ||                            /* multicast */
		       (b[0] == 0x20 && b[1] == 0x01 && b[2] == 0x0d && b[3] == 0xb8);
	}
	return false;
}
