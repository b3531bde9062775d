/*
 * json_scan.c — the zero-copy JSON walker and string unescaper (json_scan.h).
 *
 * json_walk() is an iterative recursive-descent parser: an explicit stack of
 * containers (bounded by AS_MAX_JSON_DEPTH) instead of C recursion, so a
 * hostile line cannot blow the C stack and the hot loop stays in one frame.
 * It validates RFC 8259 grammar strictly (numbers, escapes, control
 * characters, literals, brackets, trailing garbage); it does not validate
 * UTF-8, which would cost a pass over every string for no detection gain.
 *
 * Speed comes from three things:
 *   - string bodies are skipped 16 bytes at a time (SSE2, or 8 with SWAR
 *     elsewhere) looking for a quote, a backslash or a control byte at once;
 *   - a member of the root object gets the key itself as its path (a slice
 *     into the input, nothing copied); deeper paths are built in one fixed
 *     stack buffer where each container remembers the length of its prefix,
 *     so a sibling just overwrites the tail;
 *   - compact JSON (no white space, as EVE and most JSON-lines logs write it)
 *     takes the branch-free path through the white-space skips.
 *
 * leaf.depth is the number of containers around the leaf: 1 for members of
 * the root object, 2 for scalars in an array member of the root, and so on.
 * Errors name the byte offset from the start of text: "byte 17: …".
 */
#include "core/json_scan.h"

#include <stdint.h>
#include <string.h>

#include "core/error.h"
#include "core/limits.h"

#if defined(__SSE2__)
#include <emmintrin.h>
#endif

struct level {
	uint32_t base;    /* length of this container's own path in the buffer */
	uint8_t is_array; /* 1: array, 0: object */
	struct slice key; /* key this container was the value of (arrays pass it on) */
};

/* 1 for bytes that end a fast string scan: '"', '\\' and controls. */
static const uint8_t str_stop[256] = {
    1, 1, 1, 1, 1, 1, 1, 1, 1, 1, 1, 1, 1, 1, 1, 1, 1, 1, 1, 1, 1, 1, 1, 1, 1, 1, 1, 1, 1, 1, 1, 1,
    0, 0, 1, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0,
    0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 1, 0, 0, 0,
};

/* 1 for bytes that may follow a number or literal: ',', '}', ']', white space. */
static const uint8_t lit_end[256] = {
    ['\t'] = 1, ['\n'] = 1, ['\r'] = 1, [' '] = 1, [','] = 1, [']'] = 1, ['}'] = 1,
};

static inline int hexval(unsigned char c)
{
	if (c >= '0' && c <= '9')
		return c - '0';
	c |= 0x20;
	if (c >= 'a' && c <= 'f')
		return c - 'a' + 10;
	return -1;
}

/* First byte at or after p that is '"', '\\' or < 0x20, or end. */
static inline const char *str_find_stop(const char *p, const char *end)
{
#if defined(__SSE2__)
	const __m128i quote = _mm_set1_epi8('"');
	const __m128i bslash = _mm_set1_epi8('\\');
	const __m128i ctl = _mm_set1_epi8(0x1f);
	while (end - p >= 16) {
		__m128i v = _mm_loadu_si128((const __m128i *)(const void *)p);
		__m128i m = _mm_or_si128(_mm_cmpeq_epi8(v, quote), _mm_cmpeq_epi8(v, bslash));
		/* v <= 0x1f unsigned exactly when min(v, 0x1f) == v */
		m = _mm_or_si128(m, _mm_cmpeq_epi8(_mm_min_epu8(v, ctl), v));
		unsigned mask = (unsigned)_mm_movemask_epi8(m);
		if (mask)
			return p + __builtin_ctz(mask);
		p += 16;
	}
#else
	const uint64_t ones = 0x0101010101010101ull, highs = 0x8080808080808080ull;
	while (end - p >= 8) {
		uint64_t w;
		memcpy(&w, p, 8);
		uint64_t q = w ^ (ones * '"'), b = w ^ (ones * '\\');
		/* classic "has zero byte" / "has byte < n" tests, exact for the first hit */
		uint64_t hit =
		    (((q - ones) & ~q) | ((b - ones) & ~b) | ((w - ones * 0x20) & ~w)) & highs;
		if (hit) {
			for (int i = 0; i < 8; i++)
				if (str_stop[(unsigned char)p[i]])
					return p + i;
		}
		p += 8;
	}
#endif
	while (p < end && !str_stop[(unsigned char)*p])
		p++;
	return p;
}

const char *json_str_stop(const char *p, const char *end)
{
	return str_find_stop(p, end);
}

/* p points after the opening quote. Returns the closing quote, or NULL with
 * *err_at and *why set. */
static inline __attribute__((always_inline)) const char *
str_scan(const char *p, const char *end, bool *escaped, const char **err_at, const char **why)
{
	for (;;) {
		p = str_find_stop(p, end);
		if (p >= end) {
			*err_at = p;
			*why = "unterminated string";
			return NULL;
		}
		unsigned char c = (unsigned char)*p;
		if (c == '"')
			return p;
		if (c != '\\') {
			*err_at = p;
			*why = "control character in string";
			return NULL;
		}
		*escaped = true;
		if (end - p < 2) {
			*err_at = p;
			*why = "unterminated string";
			return NULL;
		}
		switch (p[1]) {
		case '"':
		case '\\':
		case '/':
		case 'b':
		case 'f':
		case 'n':
		case 'r':
		case 't':
			p += 2;
			break;
		case 'u':
			if (end - p < 6 || hexval((unsigned char)p[2]) < 0 ||
			    hexval((unsigned char)p[3]) < 0 || hexval((unsigned char)p[4]) < 0 ||
			    hexval((unsigned char)p[5]) < 0) {
				*err_at = p;
				*why = "bad \\u escape";
				return NULL;
			}
			p += 6;
			break;
		default:
			*err_at = p;
			*why = "bad escape";
			return NULL;
		}
	}
}

/* memcpy for the short keys of a path: two overlapping loads and stores
 * that stay inside [s, s + n), instead of a library call per key. */
static inline void copy_small(char *d, const char *s, size_t n)
{
	if (n >= 8 && n <= 16) {
		uint64_t a, b;
		memcpy(&a, s, 8);
		memcpy(&b, s + n - 8, 8);
		memcpy(d, &a, 8);
		memcpy(d + n - 8, &b, 8);
	} else if (n >= 4 && n < 8) {
		uint32_t a, b;
		memcpy(&a, s, 4);
		memcpy(&b, s + n - 4, 4);
		memcpy(d, &a, 4);
		memcpy(d + n - 4, &b, 4);
	} else {
		memcpy(d, s, n);
	}
}

static inline bool is_digit(unsigned char c)
{
	return (unsigned)(c - '0') < 10;
}

/* Returns the first byte after the number, or NULL with *why set. */
static const char *num_scan(const char *p, const char *end, const char **err_at, const char **why)
{
	if (*p == '-')
		p++;
	if (p >= end || !is_digit((unsigned char)*p)) {
		*err_at = p;
		*why = "digit expected in number";
		return NULL;
	}
	if (*p == '0') {
		p++;
		if (p < end && is_digit((unsigned char)*p)) {
			*err_at = p;
			*why = "leading zero in number";
			return NULL;
		}
	} else {
		while (p < end && is_digit((unsigned char)*p))
			p++;
	}
	if (p < end && *p == '.') {
		p++;
		if (p >= end || !is_digit((unsigned char)*p)) {
			*err_at = p;
			*why = "digit expected after decimal point";
			return NULL;
		}
		while (p < end && is_digit((unsigned char)*p))
			p++;
	}
	if (p < end && (*p == 'e' || *p == 'E')) {
		p++;
		if (p < end && (*p == '+' || *p == '-'))
			p++;
		if (p >= end || !is_digit((unsigned char)*p)) {
			*err_at = p;
			*why = "digit expected in exponent";
			return NULL;
		}
		while (p < end && is_digit((unsigned char)*p))
			p++;
	}
	return p;
}

static const char *ws_skip_slow(const char *p, const char *end)
{
	while (p < end && (*p == ' ' || *p == '\t' || *p == '\n' || *p == '\r'))
		p++;
	return p;
}

/* White space is all <= ' ': compact JSON pays one compare per skip. */
static inline const char *ws_skip(const char *p, const char *end)
{
	if (p < end && (unsigned char)*p > ' ')
		return p;
	return ws_skip_slow(p, end);
}

int json_walk(struct slice text, json_leaf_fn fn, void *ctx, struct diag *why)
{
	const char *const start = text.ptr;
	const char *p = text.ptr, *end = text.ptr + text.len;
	const char *err_at = p, *reason = NULL;
	int code = AS_EPARSE;
	char path[AS_MAX_FIELD_NAME];
	struct level stack[AS_MAX_JSON_DEPTH + 1];
	int depth = 0, arrays = 0;
	struct json_leaf leaf = {0};
	struct slice key = SLICE_NULL;

	if (!p)
		return diag_set(why, AS_EPARSE, "byte 0: empty input");
	p = ws_skip(p, end);
	if (p >= end || *p != '{') {
		err_at = p;
		reason = p >= end ? "empty input" : "a JSON object expected";
		goto fail;
	}
	p++;
	depth = 1;
	stack[1] = (struct level){0, 0, SLICE_NULL};

obj_first:
	p = ws_skip(p, end);
	if (p < end && *p == '}') {
		p++;
		goto pop;
	}
obj_key:
	if (p >= end || *p != '"') {
		err_at = p;
		reason = p >= end ? "unexpected end in object" : "'\"' expected before key";
		goto fail;
	}
	{
		bool kesc = false;
		const char *q = str_scan(p + 1, end, &kesc, &err_at, &reason);
		if (!q)
			goto fail;
		key = slice_make(p + 1, (size_t)(q - p - 1));
		p = q + 1;
	}
	if (p < end && *p == ':') {
		p++;
	} else {
		p = ws_skip(p, end);
		if (p >= end || *p != ':') {
			err_at = p;
			reason = "':' expected after key";
			goto fail;
		}
		p++;
	}
	p = ws_skip(p, end);
	/* Path of this member: the key itself at the root, prefix.key deeper. */
	if (depth == 1) {
		leaf.path = key;
	} else {
		uint32_t b = stack[depth].base;
		if (b + 1 + key.len > AS_MAX_FIELD_NAME) {
			err_at = key.ptr;
			reason = "field path too long";
			code = AS_ETOOBIG;
			goto fail;
		}
		path[b] = '.';
		copy_small(path + b + 1, key.ptr, key.len);
		leaf.path = slice_make(path, b + 1 + key.len);
	}
	goto value;

arr_first:
	p = ws_skip(p, end);
	if (p < end && *p == ']') {
		p++;
		goto pop;
	}
arr_elem:
	key = stack[depth].key;
	leaf.path = slice_make(path, stack[depth].base);

value:
	if (p >= end) {
		err_at = p;
		reason = "value expected";
		goto fail;
	}
	switch (*p) {
	case '"': {
		bool esc = false;
		const char *q = str_scan(p + 1, end, &esc, &err_at, &reason);
		if (!q)
			goto fail;
		leaf.value = slice_make(p + 1, (size_t)(q - p - 1));
		leaf.type = JT_STRING;
		leaf.escaped = esc;
		p = q + 1;
		goto emit;
	}
	case '{':
	case '[': {
		if (depth >= AS_MAX_JSON_DEPTH) {
			err_at = p;
			reason = "nesting too deep";
			code = AS_ETOOBIG;
			goto fail;
		}
		/* The container's own path goes into the buffer for its children. */
		if (leaf.path.ptr != path) {
			if (leaf.path.len > AS_MAX_FIELD_NAME) {
				err_at = p;
				reason = "field path too long";
				code = AS_ETOOBIG;
				goto fail;
			}
			memcpy(path, leaf.path.ptr, leaf.path.len);
		}
		uint8_t arr = *p == '[';
		arrays += arr;
		depth++;
		stack[depth] = (struct level){(uint32_t)leaf.path.len, arr, key};
		p++;
		if (arr)
			goto arr_first;
		goto obj_first;
	}
	case 't':
		if (end - p >= 4 && memcmp(p, "true", 4) == 0) {
			leaf.type = JT_BOOL;
			leaf.value = slice_make(p, 4);
			p += 4;
			goto literal;
		}
		break;
	case 'f':
		if (end - p >= 5 && memcmp(p, "false", 5) == 0) {
			leaf.type = JT_BOOL;
			leaf.value = slice_make(p, 5);
			p += 5;
			goto literal;
		}
		break;
	case 'n':
		if (end - p >= 4 && memcmp(p, "null", 4) == 0) {
			leaf.type = JT_NULL;
			leaf.value = slice_make(p, 4);
			p += 4;
			goto literal;
		}
		break;
	case '-':
	case '0':
	case '1':
	case '2':
	case '3':
	case '4':
	case '5':
	case '6':
	case '7':
	case '8':
	case '9': {
		const char *q = num_scan(p, end, &err_at, &reason);
		if (!q)
			goto fail;
		leaf.value = slice_make(p, (size_t)(q - p));
		leaf.type = JT_NUMBER;
		p = q;
		goto literal;
	}
	default:
		break;
	}
	err_at = p;
	reason = "value expected";
	goto fail;

literal:
	/* a literal or number must end at a delimiter: "01", "1x", "truex" are errors */
	if (p < end && !lit_end[(unsigned char)*p]) {
		err_at = p;
		reason = leaf.type == JT_NUMBER ? "bad character after number" : "bad literal";
		goto fail;
	}
	leaf.escaped = false;
emit:
	leaf.key = key;
	leaf.depth = depth;
	leaf.in_array = stack[depth].is_array;
	leaf.arrays = arrays;
	if (fn) {
		int r = fn(ctx, &leaf);
		if (r)
			return r;
	}

after_value:
	if (p < end && *p == ',') {
		p++;
	} else {
		p = ws_skip(p, end);
		if (p >= end) {
			err_at = p;
			reason = "unexpected end of input";
			goto fail;
		}
		if (*p != ',') {
			char close = stack[depth].is_array ? ']' : '}';
			if (*p != close) {
				err_at = p;
				reason = stack[depth].is_array ? "',' or ']' expected"
							       : "',' or '}' expected";
				goto fail;
			}
			p++;
			goto pop;
		}
		p++;
	}
	p = ws_skip(p, end);
	if (stack[depth].is_array)
		goto arr_elem;
	goto obj_key;

pop:
	arrays -= stack[depth].is_array;
	depth--;
	if (depth > 0)
		goto after_value;
	p = ws_skip(p, end);
	if (p < end) {
		err_at = p;
		reason = "trailing characters after the object";
		goto fail;
	}
	return 0;

fail:
	return diag_set(why, code, "byte %zu: %s", (size_t)(err_at - start), reason);
}

static size_t utf8_put(char *d, uint32_t cp)
{
	if (cp < 0x80) {
		d[0] = (char)cp;
		return 1;
	}
	if (cp < 0x800) {
		d[0] = (char)(0xc0 | (cp >> 6));
		d[1] = (char)(0x80 | (cp & 0x3f));
		return 2;
	}
	if (cp < 0x10000) {
		d[0] = (char)(0xe0 | (cp >> 12));
		d[1] = (char)(0x80 | ((cp >> 6) & 0x3f));
		d[2] = (char)(0x80 | (cp & 0x3f));
		return 3;
	}
	d[0] = (char)(0xf0 | (cp >> 18));
	d[1] = (char)(0x80 | ((cp >> 12) & 0x3f));
	d[2] = (char)(0x80 | ((cp >> 6) & 0x3f));
	d[3] = (char)(0x80 | (cp & 0x3f));
	return 4;
}

static int hex4(const char *p, const char *end, uint32_t *out)
{
	if (end - p < 4)
		return -1;
	uint32_t v = 0;
	for (int i = 0; i < 4; i++) {
		int h = hexval((unsigned char)p[i]);
		if (h < 0)
			return -1;
		v = v << 4 | (uint32_t)h;
	}
	*out = v;
	return 0;
}

/*
 * A lone surrogate (\ud800 without its pair) is valid JSON grammar but not
 * a character: it becomes U+FFFD rather than failing the record, because
 * Windows names carry them and one odd name must not hide an event.
 */
int json_unescape(struct slice s, struct arena *a, struct slice *out)
{
	const char *p = s.ptr, *end = s.ptr + s.len;
	const char *bs = s.len ? memchr(p, '\\', s.len) : NULL;
	if (!bs) {
		*out = s;
		return 0;
	}
	/* Every escape shrinks or keeps the length: \uXXXX (6) gives at most 3
	 * bytes, a surrogate pair (12) gives 4. */
	char *dst = arena_alloc(a, s.len + 1);
	if (!dst)
		return AS_ENOMEM;
	size_t n = (size_t)(bs - p);
	memcpy(dst, p, n);
	p = bs;
	while (p < end) {
		if (*p != '\\') {
			const char *nb = memchr(p, '\\', (size_t)(end - p));
			size_t run = (size_t)((nb ? nb : end) - p);
			memcpy(dst + n, p, run);
			n += run;
			p += run;
			continue;
		}
		if (end - p < 2)
			return AS_EPARSE;
		char c = p[1];
		p += 2;
		switch (c) {
		case '"':
		case '\\':
		case '/':
			dst[n++] = c;
			break;
		case 'b':
			dst[n++] = '\b';
			break;
		case 'f':
			dst[n++] = '\f';
			break;
		case 'n':
			dst[n++] = '\n';
			break;
		case 'r':
			dst[n++] = '\r';
			break;
		case 't':
			dst[n++] = '\t';
			break;
		case 'u': {
			uint32_t cp;
			if (hex4(p, end, &cp))
				return AS_EPARSE;
			p += 4;
			if (cp >= 0xd800 && cp <= 0xdbff) {
				uint32_t lo;
				if (end - p >= 6 && p[0] == '\\' && p[1] == 'u' &&
				    hex4(p + 2, end, &lo) == 0 && lo >= 0xdc00 && lo <= 0xdfff) {
					cp = 0x10000 + ((cp - 0xd800) << 10) + (lo - 0xdc00);
					p += 6;
				} else {
					cp = 0xfffd;
				}
			} else if (cp >= 0xdc00 && cp <= 0xdfff) {
				cp = 0xfffd;
			}
			n += utf8_put(dst + n, cp);
			break;
		}
		default:
			return AS_EPARSE;
		}
	}
	dst[n] = '\0';
	*out = slice_make(dst, n);
	return 0;
}

int json_pathmap_init(struct json_pathmap *m, const struct json_pathmap_entry *e, size_t n)
{
	memset(m, 0, sizeof *m);
	if (n > JSON_PATHMAP_SLOTS / 2)
		return AS_ETOOBIG;
	for (size_t k = 0; k < n; k++) {
		struct slice p = slice_cstr(e[k].path);
		if (p.len > UINT16_MAX || e[k].action <= 0 || e[k].action > UINT16_MAX)
			return AS_ETOOBIG;
		if (json_pathmap_get(m, p))
			return AS_EEXISTS;
		uint32_t i = json_pathmap_hash(p);
		while (m->slot[i].path)
			i = (i + 1) & (JSON_PATHMAP_SLOTS - 1);
		m->slot[i].path = e[k].path;
		m->slot[i].len = (uint16_t)p.len;
		m->slot[i].action = (uint16_t)e[k].action;
	}
	return 0;
}
