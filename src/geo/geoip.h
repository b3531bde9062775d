/*
 * geoip.h — country and UN M49 region of an IP address.
 *
 * A thin wrapper over libmaxminddb: it opens any MaxMind-format database
 * (the CC0 geo-whois-asn-country database, GeoLite2-Country/City, …) and
 * reads the ISO 3166 alpha-2 code from whichever path that database uses
 * ("country_code" at the top, or "country" → "iso_code"). The region comes
 * from the knowledge base's country table (intel/geo.c), so the whole
 * project names regions one way.
 *
 * Look-ups are read-only and thread-safe on an open database. Internal
 * addresses (ip_is_internal) are never looked up.
 */
#ifndef AS_GEO_GEOIP_H
#define AS_GEO_GEOIP_H

#include <stdbool.h>

#include "core/ip.h"

struct geoip;

/* Where scripts/deps.sh installs the bundled country database, relative to
 * the data folder. */
#define GEOIP_DEFAULT_DB "geoip/geo-whois-asn-country.mmdb"

/* Open path. 0, AS_ENOENT (missing), AS_EFORMAT (not a MaxMind database)
 * or AS_ENOMEM. Free with geoip_close(). */
int geoip_open(const char *path, struct geoip **out);
void geoip_close(struct geoip *g); /* accepts NULL */

struct geo_result {
	char country[3];    /* ISO alpha-2, "" when unknown */
	const char *region; /* UN M49 sub-region (static), NULL when unknown */
	bool internal;      /* private, loopback, …: not looked up */
};

/* Fill *r for ip. g may be NULL (then only `internal` is known). Never fails:
 * an address the database does not hold gives an empty country. */
void geoip_lookup(const struct geoip *g, const struct ip *ip, struct geo_result *r);

#endif
