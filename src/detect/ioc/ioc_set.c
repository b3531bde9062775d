/*
 * ioc_set.c — indicator tables: normalising values, storing them compactly,
 * and looking up an event's fields. See ioc_internal.h for the layout.
 *
 * Every value is brought to one comparison form when it is added (IPs
 * parsed, hashes decoded to binary, domains/e-mails/file names lower-cased,
 * URLs normalised) and the event's value is brought to the same form on a
 * stack buffer when matched, so matching is a hash look-up per field (per
 * label suffix for domains, per prefix length present for CIDRs) and
 * allocates nothing.
 */
#include "detect/ioc/ioc_internal.h"

#include <stdlib.h>
#include <string.h>

#define PCRE2_CODE_UNIT_WIDTH 8
#include <hs/hs.h>
#include <pcre2.h>

#include "core/error.h"
#include "core/hash.h"
#include "core/limits.h"
#include "core/timeparse.h"

static const char *const type_names[] = {
#define X(id, name) name,
    IOC_TYPE_LIST(X)
#undef X
};

static const struct {
	const char *name;
	int type;
} type_aliases[] = {
    {"ipv4", IOC_IPV4},
    {"ipv4-addr", IOC_IPV4},
    {"ip", IOC_IPV4}, /* family decided by the value */
    {"ip-src", IOC_IPV4},
    {"ip-dst", IOC_IPV4},
    {"ipv6", IOC_IPV4},
    {"ipv6-addr", IOC_IPV4},
    {"cidr", IOC_IPV4},
    {"ip-range", IOC_IPV4},
    {"domain", IOC_DOMAIN},
    {"domain-name", IOC_DOMAIN},
    {"hostname", IOC_DOMAIN},
    {"host", IOC_DOMAIN},
    {"fqdn", IOC_DOMAIN},
    {"url", IOC_URL},
    {"uri", IOC_URL},
    {"link", IOC_URL},
    {"md5", IOC_MD5},
    {"sha1", IOC_SHA1},
    {"sha-1", IOC_SHA1},
    {"sha256", IOC_SHA256},
    {"sha-256", IOC_SHA256},
    {"ja3", IOC_JA3},
    {"ja3-fingerprint-md5", IOC_JA3},
    {"ja3s", IOC_JA3S},
    {"ja3s-fingerprint-md5", IOC_JA3S},
    {"email", IOC_EMAIL},
    {"email-addr", IOC_EMAIL},
    {"email-src", IOC_EMAIL},
    {"email-dst", IOC_EMAIL},
    {"user_agent", IOC_USER_AGENT},
    {"user-agent", IOC_USER_AGENT},
    {"useragent", IOC_USER_AGENT},
    {"filename", IOC_FILENAME},
    {"file-name", IOC_FILENAME},
    {"file", IOC_FILENAME},
    {"filename_regex", IOC_FILENAME_RE},
    {"filename-regex", IOC_FILENAME_RE},
};

const char *ioc_type_name(enum ioc_type t)
{
	return (unsigned)t < IOC_TYPE_COUNT ? type_names[t] : "unknown";
}

int ioc_type_parse(struct slice name)
{
	name = slice_trim(name);
	for (size_t i = 0; i < sizeof type_aliases / sizeof *type_aliases; i++)
		if (slice_eq_nocase_cstr(name, type_aliases[i].name))
			return type_aliases[i].type;
	return -1;
}

const char *ioc_field_name(enum event_str field)
{
	if (field == IOC_FIELD_SRC_IP)
		return "src_ip";
	if (field == IOC_FIELD_DST_IP)
		return "dst_ip";
	return event_str_name(field);
}

int ioc_score_level(int score)
{
	if (score < 0)
		return AL_HIGH;
	if (score >= 95)
		return AL_CRITICAL;
	if (score >= 75)
		return AL_HIGH;
	if (score >= 50)
		return AL_MEDIUM;
	if (score >= 25)
		return AL_LOW;
	return AL_INFORMATIONAL;
}

void ioc_lower(char *p, size_t n)
{
	for (size_t i = 0; i < n; i++)
		if (p[i] >= 'A' && p[i] <= 'Z')
			p[i] = (char)(p[i] + 32);
}

/* ---- Value forms ----------------------------------------------------------- */

long ioc_refang(struct slice in, char *dst, size_t cap)
{
	static const struct {
		const char *from, *to;
	} rep[] = {
	    {"[.]", "."},       {"(.)", "."},     {"{.}", "."},       {"[dot]", "."},
	    {"(dot)", "."},     {"[:]", ":"},     {"[://]", "://"},   {"[/]", "/"},
	    {"[@]", "@"},       {"(@)", "@"},     {"[at]", "@"},      {"(at)", "@"},
	    {"hxxps", "https"}, {"hxxp", "http"}, {"hXXps", "https"}, {"hXXp", "http"},
	    {"fxp", "ftp"},
	};
	size_t o = 0;
	for (size_t i = 0; i < in.len;) {
		bool done = false;
		if (in.ptr[i] == '[' || in.ptr[i] == '(' || in.ptr[i] == '{' || in.ptr[i] == 'h' ||
		    in.ptr[i] == 'f') {
			for (size_t r = 0; r < sizeof rep / sizeof *rep; r++) {
				size_t fl = strlen(rep[r].from);
				if (in.len - i < fl ||
				    !slice_eq_nocase_cstr(slice_make(in.ptr + i, fl), rep[r].from))
					continue;
				/* hxxp / fxp only as a scheme */
				if ((rep[r].from[0] == 'h' || rep[r].from[0] == 'f') &&
				    (i != 0 || in.len - i < fl + 1 ||
				     (in.ptr[i + fl] != ':' && in.ptr[i + fl] != '[')))
					continue;
				size_t tl = strlen(rep[r].to);
				if (o + tl > cap)
					return -1;
				memcpy(dst + o, rep[r].to, tl);
				o += tl;
				i += fl;
				done = true;
				break;
			}
		}
		if (done)
			continue;
		if (o + 1 > cap)
			return -1;
		dst[o++] = in.ptr[i++];
	}
	return (long)o;
}

static bool is_hex(struct slice s)
{
	for (size_t i = 0; i < s.len; i++) {
		char c = s.ptr[i];
		if (!((c >= '0' && c <= '9') || (c >= 'a' && c <= 'f') || (c >= 'A' && c <= 'F')))
			return false;
	}
	return s.len > 0;
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

static bool hex_decode(struct slice s, uint8_t *out, size_t n)
{
	if (s.len != 2 * n)
		return false;
	for (size_t i = 0; i < n; i++) {
		int hi = hexval(s.ptr[2 * i]), lo = hexval(s.ptr[2 * i + 1]);
		if (hi < 0 || lo < 0)
			return false;
		out[i] = (uint8_t)(hi << 4 | lo);
	}
	return true;
}

static bool domain_char(char c)
{
	return (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') || (c >= '0' && c <= '9') ||
	       c == '-' || c == '_' || c == '.' || (unsigned char)c >= 0x80;
}

/* A host name: labels of domain characters, at least two, a top label that is
 * not all digits. */
static bool domain_shape(struct slice s)
{
	if (s.len == 0 || s.len > 253 || s.ptr[0] == '.' || s.ptr[0] == '-')
		return false;
	size_t dots = 0, last = 0;
	for (size_t i = 0; i < s.len; i++) {
		if (!domain_char(s.ptr[i]))
			return false;
		if (s.ptr[i] == '.') {
			if (i + 1 < s.len && s.ptr[i + 1] == '.')
				return false;
			dots++;
			last = i + 1;
		}
	}
	if (dots == 0 || last >= s.len)
		return false;
	for (size_t i = last; i < s.len; i++)
		if (!(s.ptr[i] >= '0' && s.ptr[i] <= '9'))
			return true;
	return false;
}

static bool file_ext(struct slice s)
{
	static const char *const ext[] = {
	    ".exe", ".dll",  ".sys",  ".bat",  ".cmd", ".ps1", ".vbs", ".vbe", ".scr",
	    ".lnk", ".hta",  ".jse",  ".wsf",  ".msi", ".tmp", ".dat", ".jar", ".js",
	    ".doc", ".docx", ".xls",  ".xlsm", ".rtf", ".pdf", ".elf", ".so",  ".sh",
	    ".php", ".jsp",  ".aspx", ".asp",  ".ocx", ".cpl", ".iso", ".img"};
	for (size_t i = 0; i < sizeof ext / sizeof *ext; i++)
		if (slice_ends_nocase(s, ext[i]))
			return true;
	return false;
}

/* "Product/1.2 (comment)": a first token with a slash followed by a digit,
 * and a space somewhere; free text is not taken for a user agent. */
static bool ua_shape(struct slice s)
{
	long sp = slice_index(s, ' ');
	long sl = slice_index(s, '/');
	if (sp < 0 || sl <= 0 || sl > sp || (size_t)sl + 1 >= s.len)
		return false;
	return s.ptr[sl + 1] >= '0' && s.ptr[sl + 1] <= '9';
}

int ioc_type_infer(struct slice v)
{
	char tmp[AS_MAX_INDICATOR_LEN];
	long n = ioc_refang(slice_trim(v), tmp, sizeof tmp);
	if (n <= 0)
		return -1;
	struct slice s = slice_make(tmp, (size_t)n);
	struct ip ip;
	struct cidr c;
	if (slice_contains_nocase(s, SLICE_LIT("://")))
		return IOC_URL;
	if (ip_parse(s, &ip) == 0)
		return ip.family == IP_V4 ? IOC_IPV4 : IOC_IPV6;
	if (slice_index(s, '/') > 0 && cidr_parse(s, &c) == 0)
		return IOC_CIDR;
	if (is_hex(s)) {
		if (s.len == 32)
			return IOC_MD5;
		if (s.len == 40)
			return IOC_SHA1;
		if (s.len == 64)
			return IOC_SHA256;
	}
	if (ua_shape(s))
		return IOC_USER_AGENT;
	long at = slice_index(s, '@');
	if (at > 0 && slice_index(s, '/') < 0 && domain_shape(slice_sub(s, (size_t)at + 1, s.len)))
		return IOC_EMAIL;
	long sl = slice_index(s, '/');
	if (sl > 0 && domain_shape(slice_sub(s, 0, (size_t)sl)))
		return IOC_URL;
	if (slice_index(s, '\\') >= 0 || (file_ext(s) && slice_index(s, '/') < 0))
		return IOC_FILENAME;
	if (domain_shape(s))
		return IOC_DOMAIN;
	return -1;
}

long ioc_url_normalise(struct slice u, struct slice host, char *dst, size_t cap)
{
	u = slice_trim(u);
	struct slice scheme = SLICE_NULL, rest = u;
	bool path_only = false;
	for (size_t i = 0; i + 2 < u.len && i < 16; i++) {
		if (u.ptr[i] == ':' && u.ptr[i + 1] == '/' && u.ptr[i + 2] == '/') {
			scheme = slice_make(u.ptr, i);
			rest = slice_sub(u, i + 3, u.len);
			break;
		}
		if (u.ptr[i] == '/' || u.ptr[i] == '?')
			break;
	}
	if (!scheme.ptr) {
		if (slice_starts(u, "//"))
			rest = slice_sub(u, 2, u.len);
		else if (u.len && u.ptr[0] == '/')
			path_only = true;
	}
	struct slice h, path;
	if (path_only) {
		h = slice_trim(host);
		path = u;
	} else {
		size_t e = 0;
		while (e < rest.len && rest.ptr[e] != '/' && rest.ptr[e] != '?' &&
		       rest.ptr[e] != '#')
			e++;
		h = slice_make(rest.ptr, e);
		path = slice_sub(rest, e, rest.len);
		for (size_t i = h.len; i > 0; i--)
			if (h.ptr[i - 1] == '@') {
				h = slice_sub(h, i, h.len);
				break;
			}
	}
	/* port */
	struct slice port = SLICE_NULL;
	for (size_t i = h.len; i > 0; i--) {
		char c = h.ptr[i - 1];
		if (c == ':') {
			port = slice_sub(h, i, h.len);
			h = slice_make(h.ptr, i - 1);
			break;
		}
		if (c < '0' || c > '9')
			break;
	}
	if (port.ptr) {
		bool http = scheme.ptr && slice_eq_nocase_cstr(scheme, "http");
		bool https = scheme.ptr && slice_eq_nocase_cstr(scheme, "https");
		bool none = !scheme.ptr;
		if (port.len == 0 || ((http || none) && slice_eq_cstr(port, "80")) ||
		    ((https || none) && slice_eq_cstr(port, "443")))
			port = SLICE_NULL;
	}
	while (h.len && h.ptr[h.len - 1] == '.')
		h.len--;
	long f = slice_index(path, '#');
	if (f >= 0)
		path.len = (size_t)f;
	size_t need = h.len + (port.ptr ? port.len + 1 : 0) + path.len + 1;
	if (need > cap)
		return -1;
	size_t o = 0;
	if (h.len)
		memcpy(dst, h.ptr, h.len);
	ioc_lower(dst, h.len);
	o = h.len;
	if (port.ptr) {
		dst[o++] = ':';
		memcpy(dst + o, port.ptr, port.len);
		o += port.len;
	}
	if (path.len == 0 || path.ptr[0] != '/')
		dst[o++] = '/';
	if (path.len + o > cap)
		return -1;
	if (path.len)
		memcpy(dst + o, path.ptr, path.len);
	o += path.len;
	return (long)o;
}

/* ---- Tables ---------------------------------------------------------------- */

static inline uint64_t key_hash(const struct ioc_set *s, const void *k, size_t n)
{
	return hash_bytes_seeded(k, n, s->seed);
}

static inline struct slice pool_get(const struct ioc_set *s, uint32_t off)
{
	uint16_t n;
	memcpy(&n, s->pool + off, 2);
	return slice_make(s->pool + off + 2, n);
}

static inline struct slice table_key(const struct ioc_set *s, const struct ioc_table *t,
				     uint32_t idx)
{
	if (t->keylen)
		return slice_make((const char *)t->keys + (size_t)idx * t->keylen, t->keylen);
	uint32_t off;
	memcpy(&off, t->keys + (size_t)idx * 4, 4);
	return pool_get(s, off);
}

static inline size_t slot_pos(uint64_t h, size_t nslots)
{
	return (size_t)(((uint64_t)(uint32_t)h * nslots) >> 32);
}

/* Index of key in t, or -1. */
static inline int64_t table_find(const struct ioc_set *s, const struct ioc_table *t, const void *k,
				 size_t n)
{
	if (!t->slots)
		return -1;
	uint64_t h = key_hash(s, k, n);
	uint32_t fp = (uint32_t)(h >> 32);
	if (t->filter && !((t->filter[(fp & t->fmask) >> 6] >> (fp & 63)) & 1))
		return -1;
	size_t pos = slot_pos(h, t->nslots);
	for (;;) {
		uint64_t slot = t->slots[pos];
		if (!slot)
			return -1;
		if ((uint32_t)(slot >> 32) == fp) {
			uint32_t idx = (uint32_t)slot - 1;
			struct slice have = table_key(s, t, idx);
			if (have.len == n && memcmp(have.ptr, k, n) == 0)
				return idx;
		}
		if (++pos == t->nslots)
			pos = 0;
	}
}

static void table_place(uint64_t *slots, size_t nslots, uint64_t h, uint32_t idx)
{
	size_t pos = slot_pos(h, nslots);
	while (slots[pos])
		if (++pos == nslots)
			pos = 0;
	slots[pos] = ((h >> 32) << 32) | (uint64_t)(idx + 1);
}

/* Rebuild the slots with n of them (n > count). */
static int table_resize(struct ioc_set *s, struct ioc_table *t, size_t n)
{
	uint64_t *slots = calloc(n, sizeof *slots);
	if (!slots)
		return AS_ENOMEM;
	/* entries that repeat an earlier value (other metadata) are not in the slots */
	uint8_t *dup = t->ndups ? calloc(t->count, 1) : NULL;
	if (t->ndups && !dup) {
		free(slots);
		return AS_ENOMEM;
	}
	for (size_t d = 0; d < t->ndups; d++)
		dup[t->dups[d].other] = 1;
	for (uint32_t idx = 0; idx < t->count; idx++) {
		if (dup && dup[idx])
			continue;
		struct slice k = table_key(s, t, idx);
		table_place(slots, n, key_hash(s, k.ptr, k.len), idx);
	}
	free(dup);
	free(t->slots);
	t->slots = slots;
	t->nslots = n;
	return 0;
}

static int table_grow(struct ioc_set *s, struct ioc_table *t)
{
	return table_resize(s, t, t->slots ? t->nslots * 2 : 16);
}

/* Freeze: slots at 70 % load, arrays trimmed, the filter built. */
static int table_compact(struct ioc_set *s, struct ioc_table *t)
{
	if (!t->count)
		return 0;
	size_t elem = t->keylen ? t->keylen : 4;
	void *p = realloc(t->keys, t->count * elem);
	if (p) {
		t->keys = p;
		t->cap = t->count;
	}
	size_t live = t->count - t->ndups;
	int rc = table_resize(s, t, live + live * 3 / 7 + 2);
	if (rc || live < 4096)
		return rc;
	size_t bits = 64;
	while (bits < live * 8)
		bits *= 2;
	t->filter = calloc(bits / 64, sizeof *t->filter);
	if (!t->filter)
		return 0; /* the filter only saves time */
	t->fmask = bits - 1;
	for (size_t i = 0; i < t->nslots; i++)
		if (t->slots[i]) {
			uint32_t fp = (uint32_t)(t->slots[i] >> 32);
			t->filter[(fp & t->fmask) >> 6] |= 1ull << (fp & 63);
		}
	return 0;
}

static int grow_array(void **p, size_t *cap, size_t need, size_t elem)
{
	if (need <= *cap)
		return 0;
	size_t n = *cap ? *cap : 16;
	while (n < need)
		n = n + n / 2 + 16;
	void *q = realloc(*p, n * elem);
	if (!q)
		return AS_ENOMEM;
	*p = q;
	*cap = n;
	return 0;
}

static uint32_t table_meta(const struct ioc_table *t, uint32_t idx)
{
	size_t lo = 0, hi = t->nruns;
	while (hi - lo > 1) {
		size_t mid = (lo + hi) / 2;
		if (t->runs[mid].first <= idx)
			lo = mid;
		else
			hi = mid;
	}
	return t->nruns ? t->runs[lo].meta : 0;
}

/* Store a pool string; its offset in *off. */
static int pool_put(struct ioc_set *s, struct slice v, uint32_t *off)
{
	if (s->pool_len + v.len + 2 > UINT32_MAX)
		return AS_ETOOBIG;
	void *p = s->pool;
	if (grow_array(&p, &s->pool_cap, s->pool_len + v.len + 2, 1))
		return AS_ENOMEM;
	s->pool = p;
	uint16_t n = (uint16_t)v.len;
	memcpy(s->pool + s->pool_len, &n, 2);
	memcpy(s->pool + s->pool_len + 2, v.ptr, v.len);
	*off = (uint32_t)s->pool_len;
	s->pool_len += v.len + 2;
	return 0;
}

/* Add key with meta id to t. *index gets its entry; *added false when the same
 * key and meta were there already. */
static int table_add(struct ioc_set *s, struct ioc_table *t, struct slice key, uint32_t meta,
		     uint32_t *index, bool *added)
{
	*added = false;
	int64_t first = table_find(s, t, key.ptr, key.len);
	if (first >= 0) {
		if (table_meta(t, (uint32_t)first) == meta) {
			*index = (uint32_t)first;
			return 0;
		}
		for (size_t i = 0; i < t->ndups; i++)
			if (t->dups[i].first == (uint32_t)first &&
			    table_meta(t, t->dups[i].other) == meta) {
				*index = t->dups[i].other;
				return 0;
			}
	}
	if (s->count >= AS_MAX_INDICATORS || t->count >= UINT32_MAX - 1)
		return AS_ETOOBIG;
	size_t elem = t->keylen ? t->keylen : 4;
	void *p = t->keys;
	if (grow_array(&p, &t->cap, t->count + 1, elem))
		return AS_ENOMEM;
	t->keys = p;
	uint32_t idx = (uint32_t)t->count;
	if (t->keylen) {
		memcpy(t->keys + (size_t)idx * elem, key.ptr, elem);
	} else {
		uint32_t off;
		int rc = pool_put(s, key, &off);
		if (rc)
			return rc;
		memcpy(t->keys + (size_t)idx * 4, &off, 4);
	}
	if (!t->nruns || t->runs[t->nruns - 1].meta != meta) {
		p = t->runs;
		if (grow_array(&p, &t->runs_cap, t->nruns + 1, sizeof *t->runs))
			return AS_ENOMEM;
		t->runs = p;
		t->runs[t->nruns++] = (struct ioc_run){idx, meta};
	}
	if (first >= 0) {
		p = t->dups;
		if (grow_array(&p, &t->dups_cap, t->ndups + 1, sizeof *t->dups))
			return AS_ENOMEM;
		t->dups = p;
		t->dups[t->ndups++] = (struct ioc_dup){(uint32_t)first, idx};
	} else {
		if ((t->count + 1) * 10 > t->nslots * 7 && table_grow(s, t))
			return AS_ENOMEM;
		table_place(t->slots, t->nslots, key_hash(s, key.ptr, key.len), idx);
	}
	t->count++;
	s->count++;
	*index = idx;
	*added = true;
	return 0;
}

static void table_free(struct ioc_table *t)
{
	free(t->keys);
	free(t->slots);
	free(t->filter);
	free(t->runs);
	free(t->dups);
}

static size_t table_memory(const struct ioc_table *t)
{
	if (!t)
		return 0;
	return t->cap * (t->keylen ? t->keylen : 4) + t->nslots * 8 +
	       (t->filter ? (t->fmask + 1) / 8 : 0) + t->runs_cap * sizeof *t->runs +
	       t->dups_cap * sizeof *t->dups;
}

/* ---- Metadata -------------------------------------------------------------- */

static const char *intern(struct ioc_set *s, const char *str)
{
	if (!str || !*str)
		return NULL;
	struct slice k = slice_cstr(str);
	uint64_t v;
	if (map_get(&s->str_index, k, &v))
		return (const char *)(uintptr_t)v;
	char *c = arena_strndup(&s->strings, str, k.len);
	if (!c || map_put(&s->str_index, k, (uint64_t)(uintptr_t)c, NULL))
		return NULL;
	return c;
}

static const char *const *intern_list(struct ioc_set *s, const char *const *list)
{
	if (!list || !list[0])
		return NULL;
	size_t n = 0;
	while (list[n] && n < 64)
		n++;
	const char **out = arena_alloc(&s->strings, (n + 1) * sizeof *out);
	if (!out)
		return NULL;
	size_t k = 0;
	for (size_t i = 0; i < n; i++) {
		const char *v = intern(s, list[i]);
		bool seen = false;
		for (size_t j = 0; j < k && v; j++)
			seen |= out[j] == v;
		if (v && !seen)
			out[k++] = v;
	}
	out[k] = NULL;
	return k ? out : NULL;
}

/* The id of meta in the set's table (interned). */
static int meta_id(struct ioc_set *s, const struct ioc_meta *m, uint32_t *id)
{
	static const struct ioc_meta none = {
	    .score = -1, .valid_from = AS_TIME_NONE, .valid_until = AS_TIME_NONE};
	if (!m)
		m = &none;
	struct ioc_meta c = *m;
	c.source = intern(s, m->source);
	c.label = intern(s, m->label);
	c.ref = intern(s, m->ref);
	c.groups = intern_list(s, m->groups);
	c.malware = intern_list(s, m->malware);
	/* Groups and malware lists are keyed by their interned members. */
	uintptr_t key[8 + 2 * 64];
	size_t n = 0;
	key[n++] = (uintptr_t)c.source;
	key[n++] = (uintptr_t)c.label;
	key[n++] = (uintptr_t)c.ref;
	key[n++] = (uintptr_t)(int64_t)c.score;
	key[n++] = (uintptr_t)c.valid_from;
	key[n++] = (uintptr_t)c.valid_until;
	for (size_t i = 0; c.groups && c.groups[i]; i++)
		key[n++] = (uintptr_t)c.groups[i];
	key[n++] = 0;
	for (size_t i = 0; c.malware && c.malware[i]; i++)
		key[n++] = (uintptr_t)c.malware[i];
	uint64_t v;
	struct slice k = slice_make((const char *)key, n * sizeof *key);
	if (map_get(&s->meta_index, k, &v)) {
		*id = (uint32_t)v;
		return 0;
	}
	if (s->nmeta >= AS_MAX_IOC_META) {
		/* Keep matching; lose the distinction between labels past the cap. */
		*id = 0;
		return 0;
	}
	void *p = s->metas;
	if (grow_array(&p, &s->meta_cap, s->nmeta + 1, sizeof *s->metas))
		return AS_ENOMEM;
	s->metas = p;
	s->metas[s->nmeta] = c;
	if (map_put(&s->meta_index, k, s->nmeta, NULL))
		return AS_ENOMEM;
	*id = (uint32_t)s->nmeta++;
	return 0;
}

/* ---- Set ------------------------------------------------------------------- */

int ioc_set_new(struct ioc_set **out)
{
	struct ioc_set *s = calloc(1, sizeof *s);
	if (!s)
		return AS_ENOMEM;
	s->seed = hash_seed ^ 0x696f6373ull;
	static const uint32_t keylen[IOC_TYPE_COUNT] = {
	    [IOC_IPV4] = 4,  [IOC_IPV6] = 16,   [IOC_CIDR] = 0, [IOC_MD5] = 16,
	    [IOC_SHA1] = 20, [IOC_SHA256] = 32, [IOC_JA3] = 16, [IOC_JA3S] = 16,
	};
	for (int i = 0; i < IOC_TYPE_COUNT; i++)
		s->t[i].keylen = keylen[i];
	map_init(&s->meta_index);
	map_init(&s->str_index);
	arena_init(&s->strings, (size_t)4 << 30);
	*out = s;
	return 0;
}

void ioc_set_free(struct ioc_set *s)
{
	if (!s)
		return;
	for (int i = 0; i < IOC_TYPE_COUNT; i++)
		table_free(&s->t[i]);
	for (int i = 0; i <= 32; i++)
		if (s->cidr4[i]) {
			table_free(s->cidr4[i]);
			free(s->cidr4[i]);
		}
	for (int i = 0; i <= 128; i++)
		if (s->cidr6[i]) {
			table_free(s->cidr6[i]);
			free(s->cidr6[i]);
		}
	for (size_t i = 0; i < s->t[IOC_FILENAME_RE].count; i++) {
		pcre2_code_free(s->patterns[i].code);
		pcre2_code_free(s->patterns[i].exclude_code);
	}
	free(s->patterns);
	hs_free_database(s->hs_db);
	free(s->hs_ids);
	free(s->re_list);
	free(s->pool);
	free(s->metas);
	map_free(&s->meta_index);
	map_free(&s->str_index);
	arena_free(&s->strings);
	free(s);
}

size_t ioc_set_count(const struct ioc_set *s)
{
	return s ? s->count : 0;
}

size_t ioc_set_count_type(const struct ioc_set *s, enum ioc_type t)
{
	if (!s || (unsigned)t >= IOC_TYPE_COUNT)
		return 0;
	if (t != IOC_CIDR)
		return s->t[t].count;
	size_t n = 0;
	for (int i = 0; i <= 32; i++)
		n += s->cidr4[i] ? s->cidr4[i]->count : 0;
	for (int i = 0; i <= 128; i++)
		n += s->cidr6[i] ? s->cidr6[i]->count : 0;
	return n;
}

size_t ioc_set_memory(const struct ioc_set *s)
{
	if (!s)
		return 0;
	size_t n = sizeof *s + s->pool_cap + s->meta_cap * sizeof *s->metas +
		   map_memory(&s->meta_index) + map_memory(&s->str_index) + s->strings.held +
		   s->patterns_cap * sizeof *s->patterns;
	for (int i = 0; i < IOC_TYPE_COUNT; i++)
		n += table_memory(&s->t[i]);
	for (int i = 0; i <= 32; i++)
		n += table_memory(s->cidr4[i]) + (s->cidr4[i] ? sizeof(struct ioc_table) : 0);
	for (int i = 0; i <= 128; i++)
		n += table_memory(s->cidr6[i]) + (s->cidr6[i] ? sizeof(struct ioc_table) : 0);
	if (s->hs_db) {
		size_t db = 0;
		if (hs_database_size(s->hs_db, &db) == HS_SUCCESS)
			n += db;
	}
	return n;
}

static int add_ip(struct ioc_set *s, struct slice v, uint32_t meta, struct diag *why, bool *added)
{
	struct cidr c;
	uint32_t idx;
	if (cidr_parse(v, &c) != 0)
		return diag_set(why, AS_EPARSE, "not an IP address or CIDR: %.*s",
				(int)(v.len > 80 ? 80 : v.len), v.ptr);
	bool v4 = c.addr.family == IP_V4;
	size_t klen = v4 ? 4 : 16;
	if (c.prefix == (v4 ? 32 : 128))
		return table_add(s, &s->t[v4 ? IOC_IPV4 : IOC_IPV6],
				 slice_make((const char *)c.addr.bytes, klen), meta, &idx, added);
	struct ioc_table **slot = v4 ? &s->cidr4[c.prefix] : &s->cidr6[c.prefix];
	if (!*slot) {
		*slot = calloc(1, sizeof **slot);
		if (!*slot)
			return AS_ENOMEM;
		(*slot)->keylen = (uint32_t)klen;
	}
	return table_add(s, *slot, slice_make((const char *)c.addr.bytes, klen), meta, &idx, added);
}

static int normalise_add(struct ioc_set *s, int type, struct slice v, uint32_t meta,
			 struct diag *why, bool *added)
{
	char buf[AS_MAX_INDICATOR_LEN + 16];
	uint8_t bin[32];
	uint32_t idx;
	size_t hl = 0;
	switch (type) {
	case IOC_IPV4:
	case IOC_IPV6:
	case IOC_CIDR:
		return add_ip(s, v, meta, why, added);
	case IOC_DOMAIN: {
		while (v.len && v.ptr[v.len - 1] == '.')
			v.len--;
		if (slice_starts(v, "*."))
			v = slice_sub(v, 2, v.len);
		while (v.len && v.ptr[0] == '.')
			v = slice_sub(v, 1, v.len);
		for (size_t i = 0; i < v.len; i++)
			if (!domain_char(v.ptr[i]) || (v.ptr[i] == '.' && i && v.ptr[i - 1] == '.'))
				return diag_set(why, AS_EPARSE, "not a domain name: %.*s",
						(int)(v.len > 80 ? 80 : v.len), v.ptr);
		if (!v.len || v.len > 253)
			return diag_set(why, AS_EPARSE, "domain name empty or longer than 253");
		memcpy(buf, v.ptr, v.len);
		ioc_lower(buf, v.len);
		return table_add(s, &s->t[type], slice_make(buf, v.len), meta, &idx, added);
	}
	case IOC_URL: {
		long n = ioc_url_normalise(v, SLICE_NULL, buf, sizeof buf);
		if (n <= 1)
			return diag_set(why, AS_EPARSE, "not a URL: %.*s",
					(int)(v.len > 80 ? 80 : v.len), v.ptr);
		return table_add(s, &s->t[type], slice_make(buf, (size_t)n), meta, &idx, added);
	}
	case IOC_MD5:
	case IOC_JA3:
	case IOC_JA3S:
		hl = 16;
		break;
	case IOC_SHA1:
		hl = 20;
		break;
	case IOC_SHA256:
		hl = 32;
		break;
	case IOC_EMAIL: {
		long at = slice_index(v, '@');
		if (at <= 0 || (size_t)at + 1 >= v.len || slice_index(v, ' ') >= 0)
			return diag_set(why, AS_EPARSE, "not an e-mail address: %.*s",
					(int)(v.len > 80 ? 80 : v.len), v.ptr);
		memcpy(buf, v.ptr, v.len);
		ioc_lower(buf, v.len);
		return table_add(s, &s->t[type], slice_make(buf, v.len), meta, &idx, added);
	}
	case IOC_USER_AGENT:
		return table_add(s, &s->t[type], v, meta, &idx, added);
	case IOC_FILENAME: {
		for (size_t i = v.len; i > 0; i--)
			if (v.ptr[i - 1] == '/' || v.ptr[i - 1] == '\\') {
				v = slice_sub(v, i, v.len);
				break;
			}
		if (!v.len)
			return diag_set(why, AS_EPARSE, "empty file name");
		memcpy(buf, v.ptr, v.len);
		ioc_lower(buf, v.len);
		return table_add(s, &s->t[type], slice_make(buf, v.len), meta, &idx, added);
	}
	default:
		return diag_set(why, AS_EINVAL, "indicator type not supported here");
	}
	if (!hex_decode(v, bin, hl))
		return diag_set(why, AS_EPARSE, "not a %zu-digit hex %s: %.*s", hl * 2,
				ioc_type_name((enum ioc_type)type), (int)(v.len > 80 ? 80 : v.len),
				v.ptr);
	return table_add(s, &s->t[type], slice_make((const char *)bin, hl), meta, &idx, added);
}

static int prepare(struct ioc_set *s, struct slice value, char *buf, size_t cap, struct slice *out,
		   struct diag *why)
{
	if (s->finished)
		return diag_set(why, AS_EINVAL, "indicator set already finished");
	value = slice_trim(value);
	if (value.len == 0)
		return diag_set(why, AS_EPARSE, "empty value");
	if (value.len > AS_MAX_INDICATOR_LEN)
		return diag_set(why, AS_ETOOBIG, "value longer than %u bytes",
				AS_MAX_INDICATOR_LEN);
	long n = ioc_refang(value, buf, cap);
	if (n <= 0)
		return diag_set(why, AS_ETOOBIG, "value too long once refanged");
	*out = slice_trim(slice_make(buf, (size_t)n));
	return 0;
}

int ioc_set_add(struct ioc_set *s, const char *type, struct slice value,
		const struct ioc_meta *meta, struct diag *why)
{
	struct diag dummy;
	if (!why)
		why = &dummy;
	if (!s)
		return diag_set(why, AS_EINVAL, "no set");
	char buf[AS_MAX_INDICATOR_LEN + 64];
	struct slice v;
	int rc = prepare(s, value, buf, sizeof buf, &v, why);
	if (rc)
		return rc;
	int t;
	if (!type || !strcmp(type, "auto")) {
		t = ioc_type_infer(v);
		if (t < 0)
			return diag_set(why, AS_EPARSE, "cannot tell the indicator type of: %.*s",
					(int)(v.len > 80 ? 80 : v.len), v.ptr);
	} else {
		t = ioc_type_parse(slice_cstr(type));
		if (t < 0)
			return diag_set(why, AS_EUNSUPPORTED, "unknown indicator type: %.80s",
					type);
	}
	if (t == IOC_FILENAME_RE)
		return ioc_set_add_pattern(s, v, SLICE_NULL, meta, why);
	uint32_t mid;
	if ((rc = meta_id(s, meta, &mid)))
		return diag_set(why, rc, "%s", as_strerror(rc));
	bool added;
	rc = normalise_add(s, t, v, mid, why, &added);
	if (rc == AS_ENOMEM || rc == AS_ETOOBIG)
		return diag_set(why, rc, "%s", as_strerror(rc));
	return rc ? rc : (added ? 0 : 1);
}

int ioc_set_add_pattern(struct ioc_set *s, struct slice pattern, struct slice exclude,
			const struct ioc_meta *meta, struct diag *why)
{
	if (s->finished)
		return diag_set(why, AS_EINVAL, "indicator set already finished");
	pattern = slice_trim(pattern);
	if (!pattern.len || pattern.len > AS_MAX_INDICATOR_LEN)
		return diag_set(why, AS_EPARSE, "empty or too long pattern");
	uint32_t mid, idx;
	bool added;
	int rc = meta_id(s, meta, &mid);
	if (!rc)
		rc = table_add(s, &s->t[IOC_FILENAME_RE], pattern, mid, &idx, &added);
	if (rc)
		return diag_set(why, rc, "%s", as_strerror(rc));
	if (!added)
		return 1;
	void *p = s->patterns;
	if (grow_array(&p, &s->patterns_cap, idx + 1, sizeof *s->patterns))
		return diag_set(why, AS_ENOMEM, "out of memory");
	s->patterns = p;
	s->patterns[idx] = (struct ioc_pattern){UINT32_MAX, NULL, NULL};
	exclude = slice_trim(exclude);
	if (exclude.len && exclude.len <= AS_MAX_INDICATOR_LEN) {
		uint32_t off;
		if (pool_put(s, exclude, &off) == 0) {
			s->patterns[idx].exclude = off;
			s->any_exclude = true;
		}
	}
	return 0;
}

/* ---- Finish: compile the file-name patterns -------------------------------- */

static pcre2_code *re_compile(struct slice pat, char *err, size_t errcap)
{
	int ec;
	PCRE2_SIZE eo;
	pcre2_code *c = pcre2_compile((PCRE2_SPTR)pat.ptr, pat.len, 0, &ec, &eo, NULL);
	if (!c) {
		PCRE2_UCHAR msg[120];
		pcre2_get_error_message(ec, msg, sizeof msg);
		snprintf(err, errcap, "at %zu: %s", (size_t)eo, (char *)msg);
		return NULL;
	}
	pcre2_jit_compile(c, PCRE2_JIT_COMPLETE);
	return c;
}

static const char *pattern_source(const struct ioc_set *s, uint32_t idx)
{
	const struct ioc_meta *m = &s->metas[table_meta(&s->t[IOC_FILENAME_RE], idx)];
	return m->source ? m->source : "(indicators)";
}

int ioc_set_finish(struct ioc_set *s, struct diag_sink *diags)
{
	if (!s)
		return AS_EINVAL;
	if (s->finished)
		return 0;
	struct ioc_table *pt = &s->t[IOC_FILENAME_RE];
	size_t np = pt->count;
	char err[200];
	/* Sort duplicate lists so a hit finds its siblings by binary search. */
	struct ioc_table *all[IOC_TYPE_COUNT + 33 + 129];
	size_t nall = 0;
	for (int i = 0; i < IOC_TYPE_COUNT; i++)
		all[nall++] = &s->t[i];
	s->ncidr4 = s->ncidr6 = 0;
	for (int i = 32; i >= 0; i--)
		if (s->cidr4[i]) {
			all[nall++] = s->cidr4[i];
			s->cidr4_lens[s->ncidr4++] = (uint8_t)i;
		}
	for (int i = 128; i >= 0; i--)
		if (s->cidr6[i]) {
			all[nall++] = s->cidr6[i];
			s->cidr6_lens[s->ncidr6++] = (uint8_t)i;
		}
	for (size_t i = 0; i < nall; i++) {
		struct ioc_table *t = all[i];
		/* insertion sort is fine: duplicates arrive nearly in order */
		for (size_t a = 1; a < t->ndups; a++) {
			struct ioc_dup d = t->dups[a];
			size_t b = a;
			while (b > 0 && t->dups[b - 1].first > d.first) {
				t->dups[b] = t->dups[b - 1];
				b--;
			}
			t->dups[b] = d;
		}
	}
	for (size_t i = 0; i < nall; i++)
		if (table_compact(s, all[i]))
			return AS_ENOMEM;
	if (s->pool_len) {
		char *p = realloc(s->pool, s->pool_len);
		if (p) {
			s->pool = p;
			s->pool_cap = s->pool_len;
		}
	}
	if (np) {
		const char **exprs = calloc(np, sizeof *exprs);
		unsigned *flags = calloc(np, sizeof *flags);
		unsigned *ids = calloc(np, sizeof *ids);
		char **copies = calloc(np, sizeof *copies);
		s->hs_ids = calloc(np, sizeof *s->hs_ids);
		s->re_list = calloc(np, sizeof *s->re_list);
		int rc = AS_ENOMEM;
		if (!exprs || !flags || !ids || !copies || !s->hs_ids || !s->re_list)
			goto out;
		size_t nhs = 0;
		for (uint32_t i = 0; i < np; i++) {
			struct slice p = table_key(s, pt, i);
			struct ioc_pattern *ip = &s->patterns[i];
			if (ip->exclude != UINT32_MAX) {
				ip->exclude_code =
				    re_compile(pool_get(s, ip->exclude), err, sizeof err);
				if (!ip->exclude_code && diags)
					diag_note(diags,
						  "%s: exclusion pattern of %.*s ignored: %s",
						  pattern_source(s, i), SLICE_ARG(p), err);
			}
			unsigned f = HS_FLAG_SINGLEMATCH | HS_FLAG_DOTALL;
			struct slice body = p;
			if (slice_starts(body, "(?i)")) {
				f |= HS_FLAG_CASELESS;
				body = slice_sub(body, 4, body.len);
			}
			copies[i] = strndup(body.ptr, body.len);
			if (!copies[i])
				goto out;
			hs_expr_info_t *info = NULL;
			hs_compile_error_t *ce = NULL;
			if (hs_expression_info(copies[i], f, &info, &ce) == HS_SUCCESS &&
			    info->min_width > 0) {
				exprs[nhs] = copies[i];
				flags[nhs] = f;
				ids[nhs] = (unsigned)nhs;
				s->hs_ids[nhs++] = i;
			} else {
				ip->code = re_compile(p, err, sizeof err);
				if (ip->code)
					s->re_list[s->nre++] = i;
				else if (diags)
					diag_note(diags, "%s: file-name pattern %.*s skipped: %s",
						  pattern_source(s, i), SLICE_ARG(p), err);
			}
			free(info);
			if (ce)
				hs_free_compile_error(ce);
		}
		rc = 0;
		if (nhs) {
			hs_compile_error_t *ce = NULL;
			hs_database_t *db = NULL;
			if (hs_compile_multi(exprs, flags, ids, (unsigned)nhs, HS_MODE_BLOCK, NULL,
					     &db, &ce) == HS_SUCCESS) {
				s->hs_db = db;
			} else {
				/* Fall back to PCRE2 for all rather than fail the run. */
				if (diags)
					diag_note(diags,
						  "file-name patterns: Hyperscan: %s; using PCRE2",
						  ce ? ce->message : "error");
				hs_free_compile_error(ce);
				for (size_t k = 0; k < nhs; k++) {
					uint32_t i = s->hs_ids[k];
					s->patterns[i].code =
					    re_compile(table_key(s, pt, i), err, sizeof err);
					if (s->patterns[i].code)
						s->re_list[s->nre++] = i;
				}
			}
		}
	out:
		for (size_t i = 0; copies && i < np; i++)
			free(copies[i]);
		free(copies);
		free(exprs);
		free(flags);
		free(ids);
		if (rc)
			return rc;
	}
	s->finished = true;
	return 0;
}

/* ---- Matching -------------------------------------------------------------- */

int ioc_matcher_new(const struct ioc_set *s, struct ioc_matcher **out)
{
	if (!s || !s->finished)
		return AS_EINVAL;
	struct ioc_matcher *m = calloc(1, sizeof *m);
	if (!m)
		return AS_ENOMEM;
	m->set = s;
	if (s->hs_db && hs_alloc_scratch(s->hs_db, (hs_scratch_t **)&m->hs_scratch) != HS_SUCCESS)
		goto fail;
	if (s->t[IOC_FILENAME_RE].count) {
		m->match_data = pcre2_match_data_create(4, NULL);
		if (!m->match_data)
			goto fail;
	}
	*out = m;
	return 0;
fail:
	ioc_matcher_free(m);
	return AS_ENOMEM;
}

void ioc_matcher_free(struct ioc_matcher *m)
{
	if (!m)
		return;
	hs_free_scratch(m->hs_scratch);
	pcre2_match_data_free(m->match_data);
	free(m->re_hits);
	free(m);
}

struct hits {
	const struct ioc_set *s;
	const struct event *ev;
	struct ioc_hit *out;
	size_t n, cap;
};

static bool meta_valid(const struct ioc_meta *m, int64_t t)
{
	if (t == AS_TIME_NONE)
		return true;
	if (m->valid_from != AS_TIME_NONE && t < m->valid_from)
		return false;
	if (m->valid_until != AS_TIME_NONE && t >= m->valid_until)
		return false;
	return true;
}

static void hit_one(struct hits *h, const struct ioc_table *t, enum ioc_type type,
		    enum event_str field, uint32_t idx, uint16_t sub, struct slice observed)
{
	if (h->n >= h->cap)
		return;
	if (!meta_valid(&h->s->metas[table_meta(t, idx)], h->ev->time))
		return;
	h->out[h->n++] = (struct ioc_hit){type, field, idx, sub, observed};
}

static void hit_add(struct hits *h, const struct ioc_table *t, enum ioc_type type,
		    enum event_str field, uint32_t idx, uint16_t sub, struct slice observed)
{
	hit_one(h, t, type, field, idx, sub, observed);
	if (!t->ndups)
		return;
	size_t lo = 0, hi = t->ndups;
	while (lo < hi) {
		size_t mid = (lo + hi) / 2;
		if (t->dups[mid].first < idx)
			lo = mid + 1;
		else
			hi = mid;
	}
	for (; lo < t->ndups && t->dups[lo].first == idx; lo++)
		hit_one(h, t, type, field, t->dups[lo].other, sub, observed);
}

static void match_ip(struct hits *h, const struct ip *ip, enum event_str field)
{
	const struct ioc_set *s = h->s;
	int64_t idx;
	struct slice none = SLICE_NULL;
	if (ip->family == IP_V4) {
		if (s->t[IOC_IPV4].count &&
		    (idx = table_find(s, &s->t[IOC_IPV4], ip->bytes, 4)) >= 0)
			hit_add(h, &s->t[IOC_IPV4], IOC_IPV4, field, (uint32_t)idx, 0, none);
		uint32_t a = ip_v4(ip);
		for (unsigned i = 0; i < s->ncidr4; i++) {
			unsigned len = s->cidr4_lens[i];
			uint32_t m = len ? a & ~(uint32_t)((1ull << (32 - len)) - 1) : 0;
			uint8_t k[4] = {(uint8_t)(m >> 24), (uint8_t)(m >> 16), (uint8_t)(m >> 8),
					(uint8_t)m};
			if ((idx = table_find(s, s->cidr4[len], k, 4)) >= 0)
				hit_add(h, s->cidr4[len], IOC_CIDR, field, (uint32_t)idx,
					(uint16_t)(len | 0x100), none);
		}
	} else if (ip->family == IP_V6) {
		if (s->t[IOC_IPV6].count &&
		    (idx = table_find(s, &s->t[IOC_IPV6], ip->bytes, 16)) >= 0)
			hit_add(h, &s->t[IOC_IPV6], IOC_IPV6, field, (uint32_t)idx, 0, none);
		for (unsigned i = 0; i < s->ncidr6; i++) {
			unsigned len = s->cidr6_lens[i];
			uint8_t k[16];
			for (unsigned b = 0; b < 16; b++) {
				unsigned bits = len > b * 8 ? len - b * 8 : 0;
				k[b] = bits >= 8 ? ip->bytes[b]
						 : (uint8_t)(ip->bytes[b] & (0xff00u >> bits));
			}
			if ((idx = table_find(s, s->cidr6[len], k, 16)) >= 0)
				hit_add(h, s->cidr6[len], IOC_CIDR, field, (uint32_t)idx,
					(uint16_t)len, none);
		}
	}
}

static void match_string(struct hits *h, enum ioc_type type, enum event_str field, const char *k,
			 size_t n, struct slice observed)
{
	const struct ioc_table *t = &h->s->t[type];
	int64_t idx = table_find(h->s, t, k, n);
	if (idx >= 0)
		hit_add(h, t, type, field, (uint32_t)idx, 0, observed);
}

static void match_hex(struct hits *h, enum ioc_type type, enum event_str field, size_t bytes)
{
	struct slice v = h->ev->str[field];
	uint8_t bin[32];
	if (!v.ptr || !h->s->t[type].count || !hex_decode(slice_trim(v), bin, bytes))
		return;
	match_string(h, type, field, (const char *)bin, bytes, v);
}

static void match_domain(struct hits *h, struct slice v, enum event_str field)
{
	char buf[260];
	while (v.len && v.ptr[v.len - 1] == '.')
		v.len--;
	if (!v.len || v.len >= sizeof buf)
		return;
	memcpy(buf, v.ptr, v.len);
	ioc_lower(buf, v.len);
	for (size_t i = 0; i < v.len;) {
		match_string(h, IOC_DOMAIN, field, buf + i, v.len - i, v);
		const char *dot = memchr(buf + i, '.', v.len - i);
		if (!dot)
			break;
		i = (size_t)(dot - buf) + 1;
	}
}

static int on_hs_match(unsigned id, unsigned long long from, unsigned long long to, unsigned flags,
		       void *ctx)
{
	struct ioc_matcher *m = ctx;
	if (m->nre_hits < m->re_hits_cap)
		m->re_hits[m->nre_hits++] = id;
	return 0;
}

static bool re_match(struct ioc_matcher *m, void *code, struct slice v)
{
	return pcre2_match(code, (PCRE2_SPTR)v.ptr, v.len, 0, 0, m->match_data, NULL) >= 0;
}

static void pattern_hit(struct ioc_matcher *m, struct hits *h, uint32_t i, struct slice path)
{
	const struct ioc_pattern *p = &m->set->patterns[i];
	if (p->exclude_code && re_match(m, p->exclude_code, path))
		return;
	hit_add(h, &m->set->t[IOC_FILENAME_RE], IOC_FILENAME_RE, ES_FILE_PATH, i, 0, path);
}

static void match_patterns(struct ioc_matcher *m, struct hits *h, struct slice path)
{
	const struct ioc_set *s = m->set;
	if (s->hs_db && m->hs_scratch) {
		if (!m->re_hits) {
			m->re_hits = malloc(64 * sizeof *m->re_hits);
			m->re_hits_cap = m->re_hits ? 64 : 0;
		}
		m->nre_hits = 0;
		hs_scan(s->hs_db, path.ptr, (unsigned)path.len, 0, m->hs_scratch, on_hs_match, m);
		for (size_t i = 0; i < m->nre_hits; i++)
			pattern_hit(m, h, s->hs_ids[m->re_hits[i]], path);
	}
	for (size_t i = 0; i < s->nre; i++)
		if (re_match(m, s->patterns[s->re_list[i]].code, path))
			pattern_hit(m, h, s->re_list[i], path);
}

size_t ioc_matcher_match(struct ioc_matcher *m, const struct event *ev, struct ioc_hit *out,
			 size_t cap)
{
	const struct ioc_set *s = m->set;
	struct hits h = {s, ev, out, 0, cap};
	char buf[AS_MAX_INDICATOR_LEN + 300];
	if (s->t[IOC_IPV4].count || s->t[IOC_IPV6].count || s->ncidr4 || s->ncidr6) {
		match_ip(&h, &ev->src_ip, IOC_FIELD_SRC_IP);
		match_ip(&h, &ev->dst_ip, IOC_FIELD_DST_IP);
	}
	const struct slice *str = ev->str;
	if (s->t[IOC_DOMAIN].count && str[ES_DOMAIN].ptr)
		match_domain(&h, str[ES_DOMAIN], ES_DOMAIN);
	if (s->t[IOC_URL].count && str[ES_URL].ptr) {
		long n = ioc_url_normalise(str[ES_URL], str[ES_DOMAIN], buf, sizeof buf);
		if (n > 0)
			match_string(&h, IOC_URL, ES_URL, buf, (size_t)n, str[ES_URL]);
	}
	match_hex(&h, IOC_MD5, ES_MD5, 16);
	match_hex(&h, IOC_SHA1, ES_SHA1, 20);
	match_hex(&h, IOC_SHA256, ES_SHA256, 32);
	match_hex(&h, IOC_JA3, ES_JA3, 16);
	match_hex(&h, IOC_JA3S, ES_JA3S, 16);
	if (s->t[IOC_EMAIL].count && str[ES_EMAIL].ptr) {
		struct slice v = slice_trim(str[ES_EMAIL]);
		if (v.len && v.ptr[0] == '<' && v.ptr[v.len - 1] == '>')
			v = slice_sub(v, 1, v.len - 2);
		if (v.len < sizeof buf) {
			memcpy(buf, v.ptr, v.len);
			ioc_lower(buf, v.len);
			match_string(&h, IOC_EMAIL, ES_EMAIL, buf, v.len, str[ES_EMAIL]);
		}
	}
	if (s->t[IOC_USER_AGENT].count && str[ES_USER_AGENT].ptr) {
		struct slice v = slice_trim(str[ES_USER_AGENT]);
		match_string(&h, IOC_USER_AGENT, ES_USER_AGENT, v.ptr, v.len, str[ES_USER_AGENT]);
	}
	struct slice path = str[ES_FILE_PATH];
	if (path.ptr && path.len) {
		if (s->t[IOC_FILENAME].count) {
			struct slice base = path;
			for (size_t i = path.len; i > 0; i--)
				if (path.ptr[i - 1] == '/' || path.ptr[i - 1] == '\\') {
					base = slice_sub(path, i, path.len);
					break;
				}
			if (base.len && base.len < sizeof buf) {
				memcpy(buf, base.ptr, base.len);
				ioc_lower(buf, base.len);
				match_string(&h, IOC_FILENAME, ES_FILE_PATH, buf, base.len, path);
			}
		}
		if (s->t[IOC_FILENAME_RE].count)
			match_patterns(m, &h, path);
	}
	return h.n;
}

static const struct ioc_table *hit_table(const struct ioc_set *s, const struct ioc_hit *hit)
{
	if (hit->type == IOC_CIDR)
		return (hit->sub & 0x100) ? s->cidr4[hit->sub & 0xff] : s->cidr6[hit->sub & 0xff];
	return &s->t[hit->type];
}

const struct ioc_meta *ioc_hit_meta(const struct ioc_set *s, const struct ioc_hit *hit)
{
	return &s->metas[table_meta(hit_table(s, hit), hit->id)];
}

size_t ioc_hit_value(const struct ioc_set *s, const struct ioc_hit *hit, char *dst, size_t cap)
{
	if (!cap)
		return 0;
	const struct ioc_table *t = hit_table(s, hit);
	struct slice k = table_key(s, t, hit->id);
	size_t n = 0;
	switch (hit->type) {
	case IOC_IPV4:
	case IOC_IPV6:
	case IOC_CIDR: {
		struct ip ip = {.family = k.len == 4 ? IP_V4 : IP_V6};
		memcpy(ip.bytes, k.ptr, k.len);
		char tmp[IP_STRLEN + 8];
		ip_format(&ip, tmp);
		if (hit->type == IOC_CIDR)
			snprintf(tmp + strlen(tmp), 8, "/%u", hit->sub & 0xff);
		n = snprintf(dst, cap, "%s", tmp);
		break;
	}
	case IOC_MD5:
	case IOC_SHA1:
	case IOC_SHA256:
	case IOC_JA3:
	case IOC_JA3S: {
		static const char hx[] = "0123456789abcdef";
		for (size_t i = 0; i < k.len && n + 2 < cap; i++) {
			dst[n++] = hx[(uint8_t)k.ptr[i] >> 4];
			dst[n++] = hx[(uint8_t)k.ptr[i] & 15];
		}
		dst[n] = 0;
		return n;
	}
	default:
		n = snprintf(dst, cap, "%.*s", SLICE_ARG(k));
	}
	return n < cap ? n : cap - 1;
}
