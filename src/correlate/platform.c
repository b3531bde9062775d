/*
 * platform.c — the platform of a victim: windows, linux, macos, android, ios,
 * network (a router, firewall or VPN appliance) or cloud.
 *
 * Evidence comes from three places, weakest last: the log format (an EVTX
 * file was written by Windows), the CVEs exploited (their CPE platforms, from
 * the kb) and the techniques (only those the kb lists for one or two
 * platforms: T1190 exists everywhere and says nothing, a mobile technique
 * says android or ios). Network sensor logs (Zeek, Suricata) say nothing
 * about the victim's own platform.
 */
#include <string.h>

#include "correlate/correlate_int.h"

static const char *const names[] = {
#define X(id, name) name,
    PLATFORM_LIST(X)
#undef X
};

const char *platform_name(enum platform p)
{
	return (unsigned)p < PF_COUNT ? names[p] : "unknown";
}

int platform_parse(struct slice s)
{
	static const struct {
		const char *name;
		enum platform p;
	} alias[] = {
	    {"windows", PF_WINDOWS},
	    {"linux", PF_LINUX},
	    {"macos", PF_MACOS},
	    {"mac", PF_MACOS},
	    {"android", PF_ANDROID},
	    {"ios", PF_IOS},
	    {"ipados", PF_IOS},
	    {"network", PF_NETWORK},
	    {"network devices", PF_NETWORK},
	    {"network device", PF_NETWORK},
	    {"iaas", PF_CLOUD},
	    {"saas", PF_CLOUD},
	    {"office suite", PF_CLOUD},
	    {"identity provider", PF_CLOUD},
	    {"azure ad", PF_CLOUD},
	    {"google workspace", PF_CLOUD},
	    {"office 365", PF_CLOUD},
	    {"cloud", PF_CLOUD},
	};
	s = slice_trim(s);
	for (size_t i = 0; i < sizeof alias / sizeof alias[0]; i++)
		if (slice_eq_nocase_cstr(s, alias[i].name))
			return alias[i].p;
	return -1;
}

uint32_t platform_of_format(const char *format)
{
	if (!format)
		return 0;
	if (!strcmp(format, "evtx") || !strcmp(format, "winjson") || !strcmp(format, "w3c"))
		return 1u << PF_WINDOWS;
	if (!strcmp(format, "syslog") || !strcmp(format, "auth") || !strcmp(format, "auditd"))
		return 1u << PF_LINUX;
	if (!strncmp(format, "cloudtrail", 10) || !strncmp(format, "azure", 5) ||
	    !strncmp(format, "o365", 4) || !strncmp(format, "gcp", 3))
		return 1u << PF_CLOUD;
	return 0;
}

uint32_t platform_of_technique(const struct kb *kb, const char *technique)
{
	unsigned n = 0;
	uint32_t p = kbview_technique_platforms(kb, technique, &n);
	return n && n <= 2 ? p : 0;
}
