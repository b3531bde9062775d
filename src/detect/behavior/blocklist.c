/*
 * blocklist.c — the addresses the behavior detector accused, as a plain
 * list, an nftables set or `ipset restore` input.
 *
 * Block times follow sshguard: the first block lasts block.base seconds and
 * each further alert naming the same address multiplies it by block.growth,
 * up to block.max. nftables and ipset carry the time per element, so a
 * firewall forgets first offenders sooner than repeat ones. IPv4 and IPv6
 * go to separate sets because both firewalls type their sets by family.
 */
#include <string.h>

#include "core/error.h"
#include "detect/behavior/behavior_int.h"

int blocklist_format_parse(const char *s)
{
	if (!s)
		return -1;
	if (!strcmp(s, "plain"))
		return BLOCKLIST_PLAIN;
	if (!strcmp(s, "nft") || !strcmp(s, "nftables"))
		return BLOCKLIST_NFT;
	if (!strcmp(s, "ipset"))
		return BLOCKLIST_IPSET;
	return -1;
}

static int write_family(FILE *f, enum blocklist_format fmt, const struct beh_results *r,
			const char *set, int family)
{
	char s[IP_STRLEN];
	size_t n = 0;
	for (size_t i = 0; i < r->nblocks; i++)
		n += r->blocks[i].ip.family == family;
	if (!n && fmt != BLOCKLIST_PLAIN)
		return 0;
	const char *sfx = family == IP_V6 ? "6" : "";
	if (fmt == BLOCKLIST_NFT) {
		fprintf(f,
			"add table inet aptscope\n"
			"add set inet aptscope %s%s { type %s; flags timeout; }\n",
			set, sfx, family == IP_V6 ? "ipv6_addr" : "ipv4_addr");
	} else if (fmt == BLOCKLIST_IPSET) {
		fprintf(f, "create %s%s hash:ip family %s timeout %lld -exist\n", set, sfx,
			family == IP_V6 ? "inet6" : "inet", (long long)0);
	}
	for (size_t i = 0; i < r->nblocks; i++) {
		const struct beh_block *b = &r->blocks[i];
		if (b->ip.family != family)
			continue;
		ip_format(&b->ip, s);
		switch (fmt) {
		case BLOCKLIST_PLAIN:
			fprintf(f, "%s\n", s);
			break;
		case BLOCKLIST_NFT:
			fprintf(f, "add element inet aptscope %s%s { %s timeout %llds } # %s x%u\n",
				set, sfx, s, (long long)b->seconds, b->rule, b->hits);
			break;
		case BLOCKLIST_IPSET:
			fprintf(f, "add %s%s %s timeout %lld -exist\n", set, sfx, s,
				(long long)b->seconds);
			break;
		}
	}
	return 0;
}

int behavior_blocklist_write(FILE *f, enum blocklist_format fmt, const struct detector *d,
			     const char *set_name)
{
	if (!f || !d || !d->shared || (unsigned)fmt > BLOCKLIST_IPSET)
		return AS_EINVAL;
	const struct beh_results *r = ((const struct beh_shared *)d->shared)->res;
	const char *set = "aptscope_block";
	/* The name lands in firewall commands: take only a plain identifier. */
	if (set_name && *set_name && strlen(set_name) <= 31 &&
	    strspn(set_name, "abcdefghijklmnopqrstuvwxyzABCDEFGHIJKLMNOPQRSTUVWXYZ0123456789_-") ==
		strlen(set_name))
		set = set_name;
	write_family(f, fmt, r, set, IP_V4);
	write_family(f, fmt, r, set, IP_V6);
	return ferror(f) ? AS_EIO : 0;
}
