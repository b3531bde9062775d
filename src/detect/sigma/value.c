/*
 * value.c — one YAML value of a detection item, compiled into matchers.
 *
 * The matching-type modifiers (exists, cidr, lt…, re, fieldref, the time
 * parts) make one special matcher; everything else is a string: Sigma
 * escapes and wildcards are parsed into a byte string with a wildcard mask,
 * `expand` placeholders are substituted, the transforms of modifiers.c run in
 * chain order, and each resulting variant becomes a glob matcher whose shape
 * (exact, prefix, suffix, contains, general glob) picks the fast path.
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "core/error.h"
#include "core/limits.h"
#include "detect/sigma/sigma_int.h"

#define HAS(m, id) (((m)->seen >> MOD_##id) & 1u)

static struct sigma_matcher *add(struct sigma_matcher **out, size_t *n, size_t *cap)
{
	if (*n == *cap) {
		size_t ncap = *cap ? *cap * 2 : 8;
		if (ncap > AS_SIGMA_MAX_VARIANTS * 4)
			return NULL;
		struct sigma_matcher *nm = realloc(*out, ncap * sizeof *nm);
		if (!nm)
			return NULL;
		*out = nm;
		*cap = ncap;
	}
	struct sigma_matcher *m = &(*out)[(*n)++];
	memset(m, 0, sizeof *m);
	m->lit = UINT32_MAX;
	return m;
}

/* Sigma string syntax: `*` and `?` are wildcards, `\` escapes them and
 * itself; a backslash before anything else is a plain backslash. The value
 * never grows, so room for all of it is made once and the bytes between
 * two special ones are copied as a run (a rule set has some million bytes
 * of values, most of them in runs). */
static int parse_wild(const char *s, size_t len, struct sigma_val *v)
{
	if (!len)
		return 0;
	if (v->cap - v->len < len) {
		int rc = sigma_val_grow(v, v->len + len);
		if (rc)
			return rc;
	}
	char *b = v->b + v->len;
	uint8_t *w = v->w + v->len;
	size_t i = 0, o = 0;
	while (i < len) {
		size_t run = i;
		while (run < len && s[run] != '\\' && s[run] != '*' && s[run] != '?')
			run++;
		memcpy(b + o, s + i, run - i);
		memset(w + o, 0, run - i);
		o += run - i;
		if ((i = run) == len)
			break;
		char c = s[i++];
		if (c != '\\') {
			b[o] = c;
			w[o++] = (uint8_t)c;
		} else if (i < len && (s[i] == '*' || s[i] == '?' || s[i] == '\\')) {
			b[o] = s[i++];
			w[o++] = 0;
		} else {
			b[o] = c;
			w[o++] = 0;
		}
	}
	v->len += o;
	return 0;
}

/* Replace %name% placeholders by every value configured for them. */
static int expand(struct sigma_compile_ctx *cc, const char *s, size_t len, struct sigma_valset *vs,
		  char *err, size_t ec)
{
	/* raw texts (wildcards not yet parsed) as a growing list of malloc'd strings */
	struct sigma_valset raw = {0};
	struct sigma_val *first = sigma_valset_add(&raw);
	if (!first)
		return AS_ENOMEM;
	int rc = 0;
	for (size_t i = 0; i < len && !rc; i++) {
		if (s[i] == '\\' && i + 1 < len && s[i + 1] == '%') {
			for (size_t k = 0; k < raw.n && !rc; k++)
				rc = sigma_val_push(&raw.v[k], '%', 0);
			i++;
			continue;
		}
		const char *close = s[i] == '%' ? memchr(s + i + 1, '%', len - i - 1) : NULL;
		if (!close) {
			for (size_t k = 0; k < raw.n && !rc; k++)
				rc = sigma_val_push(&raw.v[k], s[i], 0);
			continue;
		}
		size_t nlen = (size_t)(close - (s + i + 1));
		uint64_t idx;
		if (!map_get(&cc->rs->placeholders, slice_make(s + i + 1, nlen), &idx)) {
			snprintf(err, ec,
				 "placeholder %%%.*s%% has no value (give a placeholder file)",
				 (int)nlen, s + i + 1);
			rc = AS_EUNSUPPORTED;
			break;
		}
		const struct sy_node *pv = cc->rs->ph_values[idx];
		size_t nv = pv->kind == SY_SEQ ? pv->n : 1;
		struct sigma_valset next = {0};
		for (size_t k = 0; k < raw.n && !rc; k++) {
			for (size_t j = 0; j < nv && !rc; j++) {
				const struct sy_node *one = pv->kind == SY_SEQ ? pv->items[j] : pv;
				struct sigma_val *d = sigma_valset_add(&next);
				if (!d) {
					rc = AS_ETOOBIG;
					break;
				}
				for (size_t b = 0; b < raw.v[k].len && !rc; b++)
					rc = sigma_val_push(d, raw.v[k].b[b], 0);
				for (size_t b = 0; b < one->len && !rc; b++)
					rc = sigma_val_push(d, one->s[b], 0);
			}
		}
		sigma_valset_free(&raw);
		raw = next;
		i += nlen + 1;
	}
	for (size_t k = 0; k < raw.n && !rc; k++) {
		struct sigma_val *d = sigma_valset_add(vs);
		rc = d ? parse_wild(raw.v[k].b, raw.v[k].len, d) : AS_ETOOBIG;
	}
	sigma_valset_free(&raw);
	if (rc && !*err)
		snprintf(err, ec, "expand: %s", as_strerror(rc));
	return rc;
}

static int glob_matcher(struct sigma_compile_ctx *cc, const struct sigma_val *v, bool cased,
			struct sigma_matcher *m)
{
	struct arena *a = &cc->rs->arena;
	size_t nw = 0, first = v->len, last = 0;
	bool q = false;
	for (size_t k = 0; k < v->len; k++) {
		if (v->w[k]) {
			nw++;
			if (first == v->len)
				first = k;
			last = k;
			if (v->w[k] == '?')
				q = true;
		}
	}
	size_t from = 0, to = v->len;
	m->kind = SM_GLOB;
	m->cased = cased;
	if (nw == 0) {
		m->shape = SH_EXACT;
	} else if (!q && nw == v->len) {
		m->shape = SH_ANY;
	} else if (!q && nw == 1 && first == 0) {
		m->shape = SH_SUFFIX;
		from = 1;
	} else if (!q && nw == 1 && last == v->len - 1) {
		m->shape = SH_PREFIX;
		to = v->len - 1;
	} else if (!q && nw == 2 && first == 0 && last == v->len - 1) {
		m->shape = SH_CONTAINS;
		from = 1;
		to = v->len - 1;
	} else {
		m->shape = SH_GLOB;
	}
	char *p = arena_alloc(a, to - from + 1);
	if (!p)
		return AS_ENOMEM;
	for (size_t k = from; k < to; k++) {
		char c = v->b[k];
		p[k - from] = (!cased && c >= 'A' && c <= 'Z') ? (char)(c | 32) : c;
	}
	p[to - from] = 0;
	m->pat = p;
	m->len = to - from;
	if (m->shape == SH_GLOB) {
		uint8_t *w = arena_alloc(a, v->len + 1);
		if (!w)
			return AS_ENOMEM;
		memcpy(w, v->w, v->len);
		m->wild = w;
	}
	return 0;
}

static int time_part(const struct sigma_mods *mods)
{
	return HAS(mods, MINUTE)  ? TM_MINUTE
	       : HAS(mods, HOUR)  ? TM_HOUR
	       : HAS(mods, DAY)   ? TM_DAY
	       : HAS(mods, WEEK)  ? TM_WEEK
	       : HAS(mods, MONTH) ? TM_MONTH
	       : HAS(mods, YEAR)  ? TM_YEAR
				  : TM_NONE;
}

/* A regular expression of literals joined by `.*` (or `.*?`), such as
 * `\+.*\+.*\+`: filled into m->seq when p is one. PCRE2 backtracks over
 * every way of placing the literals when a value holds many of them but not
 * all; finding each literal after the end of the one before, in one line,
 * decides the same in one pass: the earliest placement of a literal leaves
 * the most room for the rest. Only printable ASCII literals are taken, and
 * the option settings i, m and s; the matcher uses it on ASCII values only,
 * where case folding is ASCII's and a '.' is any byte but a newline. */
static int re_seq(struct sigma_compile_ctx *cc, const pcre2_code *re, const char *p, size_t n,
		  uint32_t opt, struct sigma_matcher *m)
{
	uint32_t nl;
	if (pcre2_pattern_info(re, PCRE2_INFO_NEWLINE, &nl) || nl != PCRE2_NEWLINE_LF)
		return 0;
	bool ci = opt & PCRE2_CASELESS, dotall = opt & PCRE2_DOTALL;
	size_t i = 0;
	if (n >= 3 && p[0] == '(' && p[1] == '?') {
		size_t j = 2;
		for (; j < n && strchr("ims", p[j]); j++) {
			ci |= p[j] == 'i';
			dotall |= p[j] == 's';
		}
		if (j == 2 || j >= n || p[j] != ')')
			return 0;
		i = j + 1;
	}
	uint8_t *out = arena_alloc(&cc->rs->arena, 2 * (n - i) + 1);
	if (!out)
		return AS_ENOMEM;
	size_t o = 0, lenat = 0;
	unsigned nseq = 0;
	out[o++] = 0; /* length of the first literal */
	while (i < n) {
		unsigned char c = (unsigned char)p[i];
		if (c == '.') {
			/* `.*` or `.*?` between two literals */
			size_t q = i + 2 < n && p[i + 2] == '?' ? 3 : 2;
			if (i + 1 >= n || p[i + 1] != '*' || !out[lenat] || i + q >= n)
				return 0;
			nseq++;
			lenat = o;
			out[o++] = 0;
			i += q;
			continue;
		}
		if (c == '\\') {
			if (i + 1 >= n)
				return 0;
			c = (unsigned char)p[++i];
			if ((c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') ||
			    (c >= '0' && c <= '9'))
				return 0; /* classes, anchors, back-references, \Q… */
		} else if (strchr("*+?()[]{}|^$", c)) {
			return 0;
		}
		if (c < 0x20 || c > 0x7e || out[lenat] == 255)
			return 0;
		out[o++] = ci && c >= 'A' && c <= 'Z' ? (uint8_t)(c | 32) : c;
		out[lenat]++;
		i++;
	}
	if (!out[lenat] || nseq + 1 > 255)
		return 0;
	m->seq = out;
	m->nseq = (uint8_t)(nseq + 1);
	m->seq_dotall = dotall;
	m->cased = !ci;
	return 0;
}

/* The cheap tests of m->re_minlen and m->need: PCRE2's minimum subject
 * length (in characters, so never more than the bytes), and up to three
 * bytes of a run of plain characters that every match contains (from the
 * prefilter's analysis, sigma_re_literal). A letter could match either case
 * under caseless matching, so then only other bytes are taken. */
static void re_needs(const pcre2_code *re, const char *p, size_t n, uint32_t opt,
		     struct sigma_matcher *m)
{
	uint32_t minlen;
	if (!pcre2_pattern_info(re, PCRE2_INFO_MINLENGTH, &minlen))
		m->re_minlen = minlen;
	char lit[256];
	size_t len, k = 0;
	bool ci = opt & PCRE2_CASELESS;
	if (!sigma_re_literal(p, n, &ci, lit, sizeof lit, &len))
		return;
	for (size_t i = 0; i < len && k + 1 < sizeof m->need; i++) {
		char c = lit[i];
		bool letter = (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z');
		if ((ci && letter) || !c || (k && memchr(m->need, c, k)))
			continue;
		m->need[k++] = c;
	}
	m->need[k] = 0;
}

static bool is_int(const char *s)
{
	if (*s == '-')
		s++;
	if (!*s)
		return false;
	for (; *s; s++)
		if (*s < '0' || *s > '9')
			return false;
	return true;
}

int sigma_value_compile(struct sigma_compile_ctx *cc, const struct sigma_mods *mods,
			const struct sy_node *val, struct sigma_matcher **out, size_t *n,
			size_t *cap, char *err, size_t ec)
{
	struct sigma_matcher *m;
	if (val->kind != SY_SCALAR) {
		snprintf(err, ec, "a value must be a scalar, not a %s",
			 val->kind == SY_SEQ ? "list" : "map");
		return AS_EINVAL;
	}
	const uint32_t special = (1u << MOD_EXISTS) | (1u << MOD_CIDR) | (1u << MOD_LT) |
				 (1u << MOD_LTE) | (1u << MOD_GT) | (1u << MOD_GTE) |
				 (1u << MOD_RE) | (1u << MOD_FIELDREF);
	const uint32_t string_mods = (1u << MOD_CONTAINS) | (1u << MOD_STARTSWITH) |
				     (1u << MOD_ENDSWITH) | (1u << MOD_WINDASH) |
				     (1u << MOD_BASE64) | (1u << MOD_BASE64OFFSET) |
				     (1u << MOD_UTF16LE) | (1u << MOD_UTF16BE) | (1u << MOD_UTF16) |
				     (1u << MOD_WIDE) | (1u << MOD_EXPAND);
	uint32_t sp = mods->seen & special;
	if (sp & (sp - 1)) {
		snprintf(err, ec, "conflicting modifiers");
		return AS_EINVAL;
	}
	if (sp && (mods->seen & string_mods)) {
		snprintf(err, ec, "string modifiers combined with a matching modifier");
		return AS_EUNSUPPORTED;
	}
	if (!(m = add(out, n, cap)))
		return AS_ENOMEM;
	m->neq = HAS(mods, NEQ);
	m->time = (uint8_t)time_part(mods);
	if (HAS(mods, EXISTS)) {
		if (strcmp(val->s, "true") && strcmp(val->s, "false") && strcmp(val->s, "yes") &&
		    strcmp(val->s, "no")) {
			snprintf(err, ec, "exists needs true or false, not '%s'", val->s);
			return AS_EINVAL;
		}
		m->kind = SM_EXISTS;
		m->exists = val->s[0] == 't' || val->s[0] == 'y';
		return 0;
	}
	if (sy_is_null(val)) {
		if (mods->norder) {
			snprintf(err, ec, "null value with modifiers");
			return AS_EINVAL;
		}
		m->kind = SM_NULL;
		return 0;
	}
	if (HAS(mods, CIDR)) {
		m->kind = SM_CIDR;
		if (cidr_parse(slice_make(val->s, val->len), &m->cidr)) {
			snprintf(err, ec, "cidr: cannot parse '%s'", val->s);
			return AS_EINVAL;
		}
		return 0;
	}
	if (HAS(mods, LT) || HAS(mods, LTE) || HAS(mods, GT) || HAS(mods, GTE)) {
		m->kind = SM_NUMCMP;
		m->cmp = HAS(mods, LT)    ? CMP_LT
			 : HAS(mods, LTE) ? CMP_LTE
			 : HAS(mods, GT)  ? CMP_GT
					  : CMP_GTE;
		if (slice_to_double(slice_make(val->s, val->len), &m->num)) {
			snprintf(err, ec, "numeric modifier on non-number '%s'", val->s);
			return AS_EINVAL;
		}
		return 0;
	}
	if (HAS(mods, FIELDREF)) {
		m->kind = SM_FIELDREF;
		sigma_field_resolve(&m->ref, val->s);
		if (!m->ref.nids)
			return AS_ENOMEM;
		m->ref.name = arena_strndup(&cc->rs->arena, val->s, val->len);
		return m->ref.name ? 0 : AS_ENOMEM;
	}
	if (HAS(mods, RE)) {
		uint32_t opt = (HAS(mods, RE_I) ? PCRE2_CASELESS : 0) |
			       (HAS(mods, RE_M) ? PCRE2_MULTILINE : 0) |
			       (HAS(mods, RE_S) ? PCRE2_DOTALL : 0);
		int ecode;
		PCRE2_SIZE eoff;
		pcre2_code *re =
		    pcre2_compile((PCRE2_SPTR)val->s, val->len,
				  opt | PCRE2_UTF | PCRE2_MATCH_INVALID_UTF, &ecode, &eoff, NULL);
		if (!re) {
			PCRE2_UCHAR msg[120];
			pcre2_get_error_message(ecode, msg, sizeof msg);
			snprintf(err, ec, "re: %s at offset %zu", (char *)msg, (size_t)eoff);
			return AS_EPARSE;
		}
		struct sigma_ruleset *rs = cc->rs;
		if (rs->nres == rs->capres) {
			size_t nc = rs->capres ? rs->capres * 2 : 64;
			pcre2_code **nr = realloc(rs->res, nc * sizeof *nr);
			if (!nr) {
				pcre2_code_free(re);
				return AS_ENOMEM;
			}
			rs->res = nr;
			rs->capres = nc;
		}
		rs->res[rs->nres++] = re;
		pcre2_jit_compile(re, PCRE2_JIT_COMPLETE); /* falls back to the interpreter */
		m->kind = SM_RE;
		m->re = re;
		/* the source stays for the prefilter, which takes a literal from it */
		m->pat = arena_strndup(&cc->rs->arena, val->s, val->len);
		m->len = val->len;
		m->cased = !HAS(mods, RE_I);
		if (!m->pat)
			return AS_ENOMEM;
		re_needs(re, val->s, val->len, opt, m);
		return re_seq(cc, re, val->s, val->len, opt, m);
	}
	if (m->time != TM_NONE ||
	    (val->plain && is_int(val->s) && !(mods->seen & string_mods) && !HAS(mods, CASED))) {
		if (slice_to_i64(slice_make(val->s, val->len), &m->inum) ||
		    slice_to_double(slice_make(val->s, val->len), &m->num)) {
			snprintf(err, ec, "time modifier on non-number '%s'", val->s);
			return AS_EINVAL;
		}
		m->kind = SM_NUMEQ;
		m->pat = arena_strndup(&cc->rs->arena, val->s, val->len);
		m->len = val->len;
		return m->pat ? 0 : AS_ENOMEM;
	}
	/* strings */
	(*n)--;
	struct sigma_valset *vs = &cc->scratch;
	int rc;
	sigma_valset_reset(vs);
	if (HAS(mods, EXPAND)) {
		rc = expand(cc, val->s, val->len, vs, err, ec);
	} else {
		struct sigma_val *v = sigma_valset_add(vs);
		rc = v ? parse_wild(val->s, val->len, v) : AS_ENOMEM;
	}
	if (!rc)
		rc = sigma_mods_apply(mods, vs, err, ec);
	bool cased = HAS(mods, CASED) || HAS(mods, BASE64) || HAS(mods, BASE64OFFSET);
	for (size_t i = 0; i < vs->n && !rc; i++) {
		if (!(m = add(out, n, cap))) {
			rc = AS_ETOOBIG;
			snprintf(err, ec, "too many values");
			break;
		}
		m->neq = HAS(mods, NEQ);
		m->lit = UINT32_MAX;
		rc = glob_matcher(cc, &vs->v[i], cased, m);
	}
	sigma_valset_reset(vs);
	return rc;
}
