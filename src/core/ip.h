/*
 * ip.h — IPv4/IPv6 addresses and CIDR prefixes.
 *
 * An address is 16 bytes in network order plus its family; an IPv4 address
 * uses the first 4 bytes only (never v4-mapped), so that IPv4 look-ups cost
 * one 32-bit key. Parsing accepts what logs write: dotted quads, RFC 4291
 * text with "::" and an embedded IPv4 tail, brackets "[::1]", a zone "%eth0"
 * (dropped), and v4-mapped "::ffff:1.2.3.4" (folded to IPv4).
 */
#ifndef AS_CORE_IP_H
#define AS_CORE_IP_H

#include <stdbool.h>
#include <stdint.h>

#include "core/slice.h"

enum { IP_NONE = 0, IP_V4 = 4, IP_V6 = 6 };

struct ip {
	uint8_t family; /* IP_NONE, IP_V4, IP_V6 */
	uint8_t bytes[16];
};

struct cidr {
	struct ip addr; /* host bits cleared */
	uint8_t prefix; /* 0..32 or 0..128 */
};

#define IP_STRLEN 46

/* 0 or AS_EPARSE. */
int ip_parse(struct slice s, struct ip *out);
/* "a.b.c.d/n", "x::/n" or a bare address (full-length prefix). 0 or AS_EPARSE. */
int cidr_parse(struct slice s, struct cidr *out);
/* Canonical text (RFC 5952 for IPv6) into dst[IP_STRLEN]; returns dst. */
char *ip_format(const struct ip *ip, char *dst);
bool ip_equal(const struct ip *a, const struct ip *b);
bool cidr_contains(const struct cidr *c, const struct ip *ip);
static inline uint32_t ip_v4(const struct ip *ip)
{
	return ((uint32_t)ip->bytes[0] << 24) | ((uint32_t)ip->bytes[1] << 16) |
	       ((uint32_t)ip->bytes[2] << 8) | ip->bytes[3];
}
/* Private, loopback, link-local, CGNAT, multicast, unspecified, documentation:
 * addresses that cannot be an external attacker's. */
bool ip_is_internal(const struct ip *ip);

#endif
