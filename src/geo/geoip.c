/*
 * geoip.c — MaxMind-format database look-ups (see geoip.h).
 *
 * The address is handed to libmaxminddb as a sockaddr, which spares a
 * round trip through text. Databases disagree on where the country code
 * lives, so the record is searched at the two paths in use; the first
 * two-letter string found wins.
 */
#include "geo/geoip.h"

#include <arpa/inet.h>
#include <ctype.h>
#include <maxminddb.h>
#include <netinet/in.h>
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>

#include "core/error.h"
#include "intel/intel.h"

struct geoip {
	MMDB_s db;
};

int geoip_open(const char *path, struct geoip **out)
{
	*out = NULL;
	if (!path)
		return AS_EINVAL;
	struct geoip *g = calloc(1, sizeof *g);
	if (!g)
		return AS_ENOMEM;
	int st = MMDB_open(path, MMDB_MODE_MMAP, &g->db);
	if (st != MMDB_SUCCESS) {
		free(g);
		if (st == MMDB_FILE_OPEN_ERROR)
			return AS_ENOENT;
		if (st == MMDB_OUT_OF_MEMORY_ERROR)
			return AS_ENOMEM;
		return AS_EFORMAT;
	}
	*out = g;
	return 0;
}

void geoip_close(struct geoip *g)
{
	if (!g)
		return;
	MMDB_close(&g->db);
	free(g);
}

/* Copy a two-letter code from entry at path into cc; false when absent. */
static bool read_code(MMDB_entry_s *e, const char *const *path, char cc[3])
{
	MMDB_entry_data_s d;
	if (MMDB_aget_value(e, &d, path) != MMDB_SUCCESS || !d.has_data ||
	    d.type != MMDB_DATA_TYPE_UTF8_STRING || d.data_size != 2)
		return false;
	if (!isalpha((unsigned char)d.utf8_string[0]) || !isalpha((unsigned char)d.utf8_string[1]))
		return false;
	cc[0] = (char)toupper((unsigned char)d.utf8_string[0]);
	cc[1] = (char)toupper((unsigned char)d.utf8_string[1]);
	cc[2] = 0;
	return true;
}

void geoip_lookup(const struct geoip *g, const struct ip *ip, struct geo_result *r)
{
	memset(r, 0, sizeof *r);
	if (!ip || ip->family == IP_NONE)
		return;
	if (ip_is_internal(ip)) {
		r->internal = true;
		return;
	}
	if (!g)
		return;
	struct sockaddr_storage ss;
	memset(&ss, 0, sizeof ss);
	if (ip->family == IP_V4) {
		struct sockaddr_in *s4 = (struct sockaddr_in *)&ss;
		s4->sin_family = AF_INET;
		memcpy(&s4->sin_addr, ip->bytes, 4);
	} else {
		struct sockaddr_in6 *s6 = (struct sockaddr_in6 *)&ss;
		s6->sin6_family = AF_INET6;
		memcpy(&s6->sin6_addr, ip->bytes, 16);
	}
	int err = 0;
	/* libmaxminddb takes a non-const MMDB_s but does not write to it. */
	MMDB_lookup_result_s res =
	    MMDB_lookup_sockaddr((MMDB_s *)&g->db, (const struct sockaddr *)&ss, &err);
	if (err != MMDB_SUCCESS || !res.found_entry)
		return;
	static const char *const flat[] = {"country_code", NULL};
	static const char *const nested[] = {"country", "iso_code", NULL};
	static const char *const registered[] = {"registered_country", "iso_code", NULL};
	if (!read_code(&res.entry, flat, r->country) &&
	    !read_code(&res.entry, nested, r->country) &&
	    !read_code(&res.entry, registered, r->country))
		return;
	r->region = intel_country_region(r->country);
}
