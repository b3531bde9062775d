/*
 * cond.c — the `condition` of a detection, parsed into a tree.
 *
 * Grammar (precedence not > and > or, as the specification orders them):
 *   expr  = term { "or" term }
 *   term  = fact { "and" fact }
 *   fact  = "not" fact | "(" expr ")" | quant | IDENT
 *   quant = ("1" | "all" | N) "of" (PATTERN | "them")
 * A PATTERN may use `*` wildcards over selection names; `them` means every
 * selection whose name does not start with an underscore. Recursion is
 * bounded by AS_SIGMA_MAX_COND_DEPTH. The Sigma 1.x aggregation (`| count()`)
 * is refused with its own reason: correlation rules replace it.
 */
#include <ctype.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "core/error.h"
#include "core/limits.h"
#include "detect/sigma/sigma_int.h"

struct cp {
	struct arena *a;
	const char *s;
	size_t pos;
	const struct sigma_sel *sels;
	size_t nsels;
	char *err;
	size_t ec;
	int depth;
};

static void skip(struct cp *p)
{
	while (p->s[p->pos] && isspace((unsigned char)p->s[p->pos]))
		p->pos++;
}

/* Next word (identifier chars, digits, wildcards) without consuming it. */
static size_t word(struct cp *p, const char **w)
{
	skip(p);
	const char *s = p->s + p->pos;
	size_t n = 0;
	while (s[n] && (isalnum((unsigned char)s[n]) || s[n] == '_' || s[n] == '*' || s[n] == '-' ||
			s[n] == '.' || (unsigned char)s[n] >= 0x80))
		n++;
	*w = s;
	return n;
}

static bool is_kw(const char *w, size_t n, const char *kw)
{
	return strlen(kw) == n && !strncasecmp(w, kw, n);
}

static bool name_glob(const char *pat, size_t pn, const char *s)
{
	/* simple `*` glob, iterative with one backtrack point */
	size_t si = 0, pi = 0, star = (size_t)-1, mark = 0, sn = strlen(s);
	while (si < sn) {
		if (pi < pn && pat[pi] == '*') {
			star = pi++;
			mark = si;
		} else if (pi < pn && pat[pi] == s[si]) {
			pi++;
			si++;
		} else if (star != (size_t)-1) {
			pi = star + 1;
			si = ++mark;
		} else {
			return false;
		}
	}
	while (pi < pn && pat[pi] == '*')
		pi++;
	return pi == pn;
}

static struct sigma_cond *node(struct cp *p, uint8_t op)
{
	struct sigma_cond *c = arena_alloc(p->a, sizeof *c);
	if (c)
		memset(c, 0, sizeof *c);
	else
		snprintf(p->err, p->ec, "out of memory");
	if (c)
		c->op = op;
	return c;
}

static struct sigma_cond *expr(struct cp *p);

static struct sigma_cond *quant(struct cp *p, const char *w, size_t n)
{
	uint32_t need = 0;
	bool all = is_kw(w, n, "all");
	if (!all) {
		char num[16];
		if (n >= sizeof num) {
			snprintf(p->err, p->ec, "condition: bad count '%.*s'", (int)n, w);
			return NULL;
		}
		memcpy(num, w, n);
		num[n] = 0;
		need = (uint32_t)strtoul(num, NULL, 10);
		if (!need) {
			snprintf(p->err, p->ec, "condition: '0 of' is not allowed");
			return NULL;
		}
	}
	p->pos += (size_t)(w + n - (p->s + p->pos));
	const char *of;
	size_t ofn = word(p, &of);
	if (!is_kw(of, ofn, "of")) {
		snprintf(p->err, p->ec, "condition: expected 'of' after '%.*s'", (int)n, w);
		return NULL;
	}
	p->pos += (size_t)(of + ofn - (p->s + p->pos));
	const char *pat;
	size_t pn = word(p, &pat);
	if (!pn) {
		snprintf(p->err, p->ec, "condition: expected a name after 'of'");
		return NULL;
	}
	p->pos += (size_t)(pat + pn - (p->s + p->pos));
	bool them = is_kw(pat, pn, "them");
	struct sigma_cond *c = node(p, C_OF);
	if (!c)
		return NULL;
	c->of = arena_alloc(p->a, (p->nsels ? p->nsels : 1) * sizeof *c->of);
	if (!c->of)
		return NULL;
	for (size_t i = 0; i < p->nsels; i++) {
		const char *nm = p->sels[i].name;
		if (them ? nm[0] != '_' : name_glob(pat, pn, nm))
			c->of[c->nof++] = (uint32_t)i;
	}
	if (!c->nof) {
		snprintf(p->err, p->ec, "condition: '%.*s' names no search identifier", (int)pn,
			 pat);
		return NULL;
	}
	c->need = all ? c->nof : need;
	return c;
}

static struct sigma_cond *fact(struct cp *p)
{
	if (++p->depth > AS_SIGMA_MAX_COND_DEPTH) {
		snprintf(p->err, p->ec, "condition nested too deep");
		return NULL;
	}
	struct sigma_cond *r = NULL;
	skip(p);
	char c = p->s[p->pos];
	if (c == '(') {
		p->pos++;
		r = expr(p);
		skip(p);
		if (r && p->s[p->pos] != ')') {
			snprintf(p->err, p->ec, "condition: missing ')'");
			r = NULL;
		} else if (r) {
			p->pos++;
		}
	} else if (c == '|') {
		snprintf(p->err, p->ec,
			 "condition: Sigma 1.x aggregation ('|') is not supported; use a "
			 "correlation rule");
	} else {
		const char *w;
		size_t n = word(p, &w);
		if (!n) {
			if (c)
				snprintf(p->err, p->ec, "condition: unexpected '%c'", c);
			else
				snprintf(p->err, p->ec, "condition: unexpected end");
		} else if (is_kw(w, n, "not")) {
			p->pos += (size_t)(w + n - (p->s + p->pos));
			struct sigma_cond *a = fact(p);
			if (a && (r = node(p, C_NOT)))
				r->a = a;
		} else if (is_kw(w, n, "all") || (isdigit((unsigned char)w[0]) && n < 10)) {
			r = quant(p, w, n);
		} else if (is_kw(w, n, "and") || is_kw(w, n, "or") || is_kw(w, n, "of")) {
			snprintf(p->err, p->ec, "condition: unexpected '%.*s'", (int)n, w);
		} else {
			size_t i;
			for (i = 0; i < p->nsels; i++)
				if (strlen(p->sels[i].name) == n && !memcmp(p->sels[i].name, w, n))
					break;
			if (i == p->nsels) {
				snprintf(p->err, p->ec,
					 "condition: unknown search identifier '%.*s'", (int)n, w);
			} else if ((r = node(p, C_SEL))) {
				r->sel = (uint32_t)i;
				p->pos += (size_t)(w + n - (p->s + p->pos));
			}
		}
	}
	p->depth--;
	return r;
}

static struct sigma_cond *binary(struct cp *p, bool is_or)
{
	struct sigma_cond *l = is_or ? binary(p, false) : fact(p);
	while (l) {
		const char *w;
		size_t n = word(p, &w);
		if (!is_kw(w, n, is_or ? "or" : "and"))
			break;
		p->pos += (size_t)(w + n - (p->s + p->pos));
		struct sigma_cond *r = is_or ? binary(p, false) : fact(p);
		if (!r)
			return NULL;
		struct sigma_cond *c = node(p, is_or ? C_OR : C_AND);
		if (!c)
			return NULL;
		c->a = l;
		c->b = r;
		l = c;
	}
	return l;
}

static struct sigma_cond *expr(struct cp *p)
{
	return binary(p, true);
}

int sigma_cond_parse(struct arena *a, const char *text, const struct sigma_sel *sels, size_t nsels,
		     struct sigma_cond **out, char *err, size_t errcap)
{
	struct cp p = {a, text, 0, sels, nsels, err, errcap, 0};
	err[0] = 0;
	struct sigma_cond *c = expr(&p);
	if (c) {
		skip(&p);
		if (p.s[p.pos]) {
			if (p.s[p.pos] == '|')
				snprintf(err, errcap,
					 "condition: Sigma 1.x aggregation ('|') is not "
					 "supported; use a correlation rule");
			else
				snprintf(err, errcap, "condition: unexpected '%s'", p.s + p.pos);
			c = NULL;
		}
	}
	if (!c) {
		if (!err[0])
			snprintf(err, errcap, "condition: cannot parse");
		return AS_EPARSE;
	}
	*out = c;
	return 0;
}
