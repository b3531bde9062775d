/*
 * modifiers.c — the Sigma value modifiers: the table of modifier_list.h and
 * the transforms that change a value before it is matched.
 *
 * A value is compiled as a set of variants, each a byte string with a
 * wildcard mask (0, '*' or '?' per byte), so transforms compose in chain
 * order exactly as the specification reads them: `wide|base64offset|contains`
 * encodes UTF-16LE, then takes the three base64 offsets, then adds the
 * wildcards. Transforms that expand (windash, base64offset) multiply the
 * variants, bounded by AS_SIGMA_MAX_VARIANTS.
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "core/error.h"
#include "core/limits.h"
#include "detect/sigma/sigma_int.h"

int sigma_val_grow(struct sigma_val *v, size_t need)
{
	size_t ncap = v->cap ? v->cap : 32;
	while (ncap < need)
		ncap *= 2;
	if (ncap > AS_SIGMA_MAX_FILE)
		return AS_ETOOBIG;
	char *nb = realloc(v->b, ncap);
	if (!nb)
		return AS_ENOMEM;
	v->b = nb;
	uint8_t *nw = realloc(v->w, ncap);
	if (!nw)
		return AS_ENOMEM;
	v->w = nw;
	v->cap = ncap;
	return 0;
}

void sigma_valset_clear(struct sigma_valset *vs)
{
	size_t held = vs->n > vs->made ? vs->n : vs->made;
	for (size_t i = 0; i < held; i++) {
		free(vs->v[i].b);
		free(vs->v[i].w);
	}
	vs->n = 0;
	vs->made = 0;
}

void sigma_valset_reset(struct sigma_valset *vs)
{
	if (vs->n > vs->made)
		vs->made = vs->n;
	vs->n = 0;
}

void sigma_valset_free(struct sigma_valset *vs)
{
	sigma_valset_clear(vs);
	free(vs->v);
	vs->v = NULL;
	vs->cap = 0;
}

/* A new empty variant at the end of vs. */
struct sigma_val *sigma_valset_add(struct sigma_valset *vs)
{
	if (vs->n >= AS_SIGMA_MAX_VARIANTS)
		return NULL;
	if (vs->n == vs->cap) {
		size_t ncap = vs->cap ? vs->cap * 2 : 4;
		struct sigma_val *nv = realloc(vs->v, ncap * sizeof *nv);
		if (!nv)
			return NULL;
		vs->v = nv;
		vs->cap = ncap;
	}
	struct sigma_val *v = &vs->v[vs->n++];
	if (vs->n <= vs->made)
		v->len = 0;
	else
		memset(v, 0, sizeof *v);
	return v;
}

typedef int (*mod_fn)(struct sigma_valset *in, struct sigma_valset *out, char *err, size_t ec);

/* Wildcards at one or both ends, unless already there. Each variant gains
 * at most two bytes, so the variants are changed where they are and handed
 * on whole (a copy of every variant was most of the cost of these three
 * modifiers, which nearly every value has). */
static int wrap(struct sigma_valset *in, struct sigma_valset *out, bool front, bool back)
{
	for (size_t i = 0; i < in->n; i++) {
		struct sigma_val *s = &in->v[i];
		bool f = front && !(s->len && s->w[0] == '*');
		bool b = back && !(s->len && s->w[s->len - 1] == '*');
		size_t need = s->len + f + b;
		if (need > s->cap && sigma_val_grow(s, need))
			return AS_ENOMEM;
		if (f) {
			if (s->len) {
				memmove(s->b + 1, s->b, s->len);
				memmove(s->w + 1, s->w, s->len);
			}
			s->b[0] = '*';
			s->w[0] = '*';
			s->len++;
		}
		if (b) {
			s->b[s->len] = '*';
			s->w[s->len++] = '*';
		}
	}
	*out = *in;
	*in = (struct sigma_valset){0};
	return 0;
}

static int mod_contains(struct sigma_valset *in, struct sigma_valset *out, char *err, size_t ec)
{
	return wrap(in, out, true, true);
}

static int mod_startswith(struct sigma_valset *in, struct sigma_valset *out, char *err, size_t ec)
{
	return wrap(in, out, false, true);
}

static int mod_endswith(struct sigma_valset *in, struct sigma_valset *out, char *err, size_t ec)
{
	return wrap(in, out, true, false);
}

static bool is_word(const struct sigma_val *v, size_t i)
{
	if (v->w[i])
		return false;
	unsigned char c = (unsigned char)v->b[i];
	return c == '_' || (c >= '0' && c <= '9') || ((c | 32) >= 'a' && (c | 32) <= 'z') ||
	       c >= 0x80;
}

/* pySigma's rule: a '-' or '/' not preceded by a word character and
 * followed by one is a switch, and each switch takes every dash form. */
static int mod_windash(struct sigma_valset *in, struct sigma_valset *out, char *err, size_t ec)
{
	static const char *const dashes[] = {"-", "/", "\xe2\x80\x93", "\xe2\x80\x94",
					     "\xe2\x80\x95"};
	for (size_t i = 0; i < in->n; i++) {
		struct sigma_val *s = &in->v[i];
		size_t pos[16], np = 0;
		for (size_t k = 0; k < s->len; k++) {
			if (s->w[k] || (s->b[k] != '-' && s->b[k] != '/'))
				continue;
			if (k > 0 && is_word(s, k - 1))
				continue;
			if (k + 1 >= s->len || !is_word(s, k + 1))
				continue;
			if (np == 16) {
				snprintf(err, ec, "windash: too many switches in one value");
				return AS_ETOOBIG;
			}
			pos[np++] = k;
		}
		size_t combos = 1;
		for (size_t k = 0; k < np; k++) {
			combos *= 5;
			if (combos > AS_SIGMA_MAX_VARIANTS) {
				snprintf(err, ec, "windash: too many variants");
				return AS_ETOOBIG;
			}
		}
		for (size_t c = 0; c < combos; c++) {
			struct sigma_val *d = sigma_valset_add(out);
			if (!d) {
				snprintf(err, ec, "too many value variants");
				return AS_ETOOBIG;
			}
			size_t sel = c, p = 0;
			for (size_t k = 0; k < s->len; k++) {
				if (p < np && pos[p] == k) {
					const char *dash = dashes[sel % 5];
					sel /= 5;
					p++;
					for (; *dash; dash++)
						if (sigma_val_push(d, *dash, 0))
							return AS_ENOMEM;
				} else if (sigma_val_push(d, s->b[k], s->w[k])) {
					return AS_ENOMEM;
				}
			}
		}
	}
	return 0;
}

static bool has_wild(const struct sigma_val *v)
{
	for (size_t k = 0; k < v->len; k++)
		if (v->w[k])
			return true;
	return false;
}

static int b64(const unsigned char *p, size_t n, struct sigma_val *d)
{
	static const char tab[] =
	    "ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789+/";
	for (size_t i = 0; i < n; i += 3) {
		uint32_t x = (uint32_t)p[i] << 16;
		if (i + 1 < n)
			x |= (uint32_t)p[i + 1] << 8;
		if (i + 2 < n)
			x |= p[i + 2];
		char o[4] = {tab[(x >> 18) & 63], tab[(x >> 12) & 63],
			     i + 1 < n ? tab[(x >> 6) & 63] : '=', i + 2 < n ? tab[x & 63] : '='};
		for (int k = 0; k < 4; k++)
			if (sigma_val_push(d, o[k], 0))
				return AS_ENOMEM;
	}
	return 0;
}

static int mod_base64(struct sigma_valset *in, struct sigma_valset *out, char *err, size_t ec)
{
	for (size_t i = 0; i < in->n; i++) {
		if (has_wild(&in->v[i])) {
			snprintf(err, ec, "base64 of a value with wildcards");
			return AS_EINVAL;
		}
		struct sigma_val *d = sigma_valset_add(out);
		if (!d || b64((const unsigned char *)in->v[i].b, in->v[i].len, d))
			return AS_ENOMEM;
	}
	return 0;
}

/* The three encodings of the value at byte offsets 0, 1 and 2 of a longer
 * base64 text, trimmed to the characters that do not depend on the
 * neighbours (as pySigma computes them). */
static int mod_base64offset(struct sigma_valset *in, struct sigma_valset *out, char *err, size_t ec)
{
	static const int start[3] = {0, 2, 3};
	static const int end[3] = {0, -3, -2}; /* 0: to the end */
	for (size_t i = 0; i < in->n; i++) {
		struct sigma_val *s = &in->v[i];
		if (has_wild(s)) {
			snprintf(err, ec, "base64offset of a value with wildcards");
			return AS_EINVAL;
		}
		for (int sh = 0; sh < 3; sh++) {
			struct sigma_val tmp = {0};
			unsigned char *buf = malloc(s->len + 3);
			if (!buf)
				return AS_ENOMEM;
			memset(buf, ' ', (size_t)sh);
			memcpy(buf + sh, s->b, s->len);
			int rc = b64(buf, s->len + (size_t)sh, &tmp);
			free(buf);
			if (rc) {
				free(tmp.b);
				free(tmp.w);
				return rc;
			}
			long from = start[sh], to = (long)tmp.len + end[(s->len + (size_t)sh) % 3];
			struct sigma_val *d = sigma_valset_add(out);
			if (!d) {
				free(tmp.b);
				free(tmp.w);
				return AS_ETOOBIG;
			}
			for (long k = from; k < to; k++)
				if (sigma_val_push(d, tmp.b[k], 0)) {
					rc = AS_ENOMEM;
					break;
				}
			free(tmp.b);
			free(tmp.w);
			if (rc)
				return rc;
		}
	}
	return 0;
}

/* Decode one UTF-8 sequence at p (n bytes left); invalid bytes pass as Latin-1. */
static uint32_t utf8_next(const unsigned char *p, size_t n, size_t *used)
{
	unsigned char c = p[0];
	int need = c >= 0xf0 && c < 0xf8 ? 3 : c >= 0xe0 ? 2 : c >= 0xc0 ? 1 : 0;
	*used = 1;
	if (!need || (size_t)need >= n)
		return c;
	uint32_t cp = c & (0x3fu >> need);
	for (int k = 1; k <= need; k++) {
		if ((p[k] & 0xc0) != 0x80)
			return c;
		cp = (cp << 6) | (p[k] & 0x3f);
	}
	*used = (size_t)need + 1;
	return cp;
}

static int put16(struct sigma_val *d, uint16_t u, bool be)
{
	char lo = (char)(u & 0xff), hi = (char)(u >> 8);
	return be ? (sigma_val_push(d, hi, 0) || sigma_val_push(d, lo, 0))
		  : (sigma_val_push(d, lo, 0) || sigma_val_push(d, hi, 0));
}

static int utf16(struct sigma_valset *in, struct sigma_valset *out, bool be, bool bom)
{
	for (size_t i = 0; i < in->n; i++) {
		struct sigma_val *s = &in->v[i], *d = sigma_valset_add(out);
		if (!d)
			return AS_ETOOBIG;
		if (bom && put16(d, 0xfeff, be))
			return AS_ENOMEM;
		for (size_t k = 0; k < s->len;) {
			if (s->w[k]) {
				/* a wildcard stays one wildcard: it stands for whole characters */
				if (sigma_val_push(d, s->b[k], s->w[k]))
					return AS_ENOMEM;
				k++;
				continue;
			}
			size_t used;
			size_t run = 0;
			while (k + run < s->len && !s->w[k + run])
				run++;
			uint32_t cp = utf8_next((const unsigned char *)s->b + k, run, &used);
			k += used;
			int rc;
			if (cp >= 0x10000) {
				cp -= 0x10000;
				rc = put16(d, (uint16_t)(0xd800 | (cp >> 10)), be) ||
				     put16(d, (uint16_t)(0xdc00 | (cp & 0x3ff)), be);
			} else {
				rc = put16(d, (uint16_t)cp, be);
			}
			if (rc)
				return AS_ENOMEM;
		}
	}
	return 0;
}

static int mod_utf16le(struct sigma_valset *in, struct sigma_valset *out, char *err, size_t ec)
{
	return utf16(in, out, false, false);
}

static int mod_utf16be(struct sigma_valset *in, struct sigma_valset *out, char *err, size_t ec)
{
	return utf16(in, out, true, false);
}

static int mod_utf16(struct sigma_valset *in, struct sigma_valset *out, char *err, size_t ec)
{
	return utf16(in, out, false, true);
}

#define none NULL
static const struct {
	const char *name;
	mod_fn apply;
} mods[] = {
#define X(id, name, apply) [MOD_##id] = {name, apply},
#include "detect/sigma/modifier_list.h"
#undef X
};
#undef none

int sigma_mods_parse(const char *chain, struct sigma_mods *m, char *err, size_t errcap)
{
	memset(m, 0, sizeof *m);
	while (chain && *chain) {
		const char *bar = strchr(chain, '|');
		size_t n = bar ? (size_t)(bar - chain) : strlen(chain);
		int found = -1;
		for (int k = 0; k < MOD_COUNT; k++)
			if (strlen(mods[k].name) == n && !memcmp(mods[k].name, chain, n))
				found = k;
		if (found < 0) {
			snprintf(errcap ? err : NULL, errcap, "unknown modifier '%.*s'", (int)n,
				 chain);
			return AS_EUNSUPPORTED;
		}
		if (m->norder == SIGMA_MAX_MODS) {
			snprintf(err, errcap, "too many modifiers");
			return AS_ETOOBIG;
		}
		m->order[m->norder++] = (uint8_t)found;
		m->seen |= 1u << found;
		if (found == MOD_ALL)
			m->all = true;
		chain = bar ? bar + 1 : NULL;
	}
	/* re sub-flags only mean something after re */
	if ((m->seen & ((1u << MOD_RE_I) | (1u << MOD_RE_M) | (1u << MOD_RE_S))) &&
	    !(m->seen & (1u << MOD_RE))) {
		snprintf(err, errcap, "regex flag modifier without re");
		return AS_EINVAL;
	}
	return 0;
}

/* Run the transforms of the chain, in order, on vs (replaced in place). */
int sigma_mods_apply(const struct sigma_mods *m, struct sigma_valset *vs, char *err, size_t ec)
{
	for (unsigned i = 0; i < m->norder; i++) {
		mod_fn f = mods[m->order[i]].apply;
		if (!f)
			continue;
		struct sigma_valset out = {0};
		int rc = f(vs, &out, err, ec);
		if (rc) {
			if (!*err)
				snprintf(err, ec, "modifier %s: %s", mods[m->order[i]].name,
					 as_strerror(rc));
			sigma_valset_free(&out);
			return rc;
		}
		sigma_valset_free(vs);
		*vs = out;
	}
	return 0;
}
