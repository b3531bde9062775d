/*
 * prefilter.c — literal look-ups name the rules worth checking.
 *
 * For each detection rule we derive a necessary condition in conjunctive
 * form: up to eight clauses, each a set of literals, such that if the rule
 * matches an event, every clause has one of its literals in the values of
 * the field its item tests. Over the condition tree an AND joins the clauses
 * of both sides, an OR the union of every pair of clauses, one of each side
 * (keeping the eight that look rarest, see lit_p), a NOT gives nothing. A
 * literal is the longest run of plain bytes of a string value, a run of
 * plain characters that every match of a regular expression contains, or the
 * integer of a plain-number value (`EventID: 4688`); the same bytes tested
 * in two fields are two literals.
 *
 * Everything is built once when the rule set is compiled and is shared,
 * read-only, by the workers. Per field that rules name there is one Hyperscan
 * literal database holding the literals of the items that test that field;
 * the keyword literals (values without a field) have one database of their
 * own, scanned over all values of the event at once. A literal only ever
 * compared to a whole value, or as a file name (`endswith \\name`), is looked
 * up in a hash map instead of scanned for, and so is the integer of a
 * plain-number value. Each hit marks the literal and its (rule, clause)
 * pairs; a rule whose clauses are all marked becomes a candidate. The exact
 * matchers then run on candidates only, so cost grows with the literals that
 * occur, not with the number of rules. Rules without such a set (negations,
 * numeric comparisons, regexes without a plain run) are checked on every
 * event of their logsource.
 *
 * A worker gives each distinct set of logsource classes it meets its own
 * copy of the literal → pairs table keeping only the rules of those classes
 * (sigma_prefilter_subdb): hits on literals of rules that cannot see the
 * event then cost nothing.
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/mman.h>

#include "core/error.h"
#include "core/hash.h"
#include "core/limits.h"
#include "core/sort.h"
#include "detect/sigma/sigma_int.h"
#include "event/fieldname.h"

#define PF_MIN_LITERAL 3 /* shorter literals would make nearly every rule a candidate */
#define PF_MAX_SET     4096
#define PF_NUM_MINLEN  4  /* how a number literal ranks against text ones (see lit_p) */
#define PF_RARE_LEN    14 /* past this length a literal is taken to be as rare as can be */

struct lset {
	uint32_t *lit; /* literal indexes, ascending and distinct; NULL with none == true: no set */
	size_t n;
	bool none;
	double p; /* how often an event is guessed to hold one of them (see lit_p) */
};

/* The literal → (rule, clause) pairs that a scan marks: the whole set's, or
 * a worker's copy restricted to the rules of some logsource classes. */
struct sigma_pfdb {
	const uint32_t *start; /* literal id → first pair; nlit + 1 entries */
	const uint32_t *pairs;
	uint32_t *own_start, *own_pairs; /* allocated here (sub-tables) */
	bool kw;                         /* some rule of these classes has keyword literals */
	/* per field id below the prefilter's nfields: 1 when a rule of these
	 * classes tests it with a literal and it has a database or look-ups,
	 * so the scan tests one byte per field */
	uint8_t *fseen;
	hs_database_t *kwdb; /* their keyword literals alone; NULL: the whole set's */
	size_t kwmin;        /* the shortest of those: a shorter value holds none */
};

/* Literal kinds. */
enum { LK_TEXT, LK_NUM };

struct sigma_prefilter {
	struct sigma_pfdb all;
	uint32_t *rule_class; /* rule → logsource class, UINT32_MAX: not a detection rule */
	/* literal → rules (CSR) */
	uint32_t *lit_start; /* nlit + 1 */
	uint32_t *lit_rules; /* rule << 3 | clause */
	size_t nlit;
	uint8_t *full;  /* per rule: the clause mask that makes it a candidate */
	uint8_t *kind;  /* per literal: LK_TEXT or LK_NUM */
	uint8_t *kwlit; /* per literal: a keyword literal */
	char **kwtext;  /* per literal: a keyword literal's bytes, NULL for others */
	size_t *kwlen;
	bool *kwcased;
	uint32_t *kwids; /* the keyword literals, ascending */
	size_t nkw;
	/* per class: the literals its detection and filter rules use (CSR) */
	uint32_t *cls_start;
	uint32_t *cls_lits;
	size_t nclasses;
	/* per class: rules not prefiltered */
	uint32_t *always_start; /* nclasses + 1 */
	uint32_t *always;
	size_t nrules;
	/* per field id (< nfields): its database, NULL when no literal of its
	 * own is scanned for; fdb[nfields]: the keyword literals */
	uint32_t nfields;
	hs_database_t **fdb;
	hs_database_t **dbs; /* the distinct ones, to free */
	size_t ndbs;
	/* literals found by a hash look-up instead: field id + 't' + the value's
	 * tail from its last backslash, field id + 'e' + the whole value
	 * (lower-cased), or field id + 'n' + the value's integer → literal id;
	 * fhash per field: bit 0 tails, bit 1 exact values, bit 2 integers */
	struct map hashed;
	uint8_t *fhash;
	uint16_t *fmax; /* per field: the longest hashed text (longer values cannot hit) */
	uint64_t *flen; /* per field, tails then exact values: bit min(length, 63) of each text */
};

/* The value cache: per worker, the literal ids that recent (field, value)
 * pairs were found to hold, so that a value seen again costs a hash and a
 * compare instead of its scans. Slots are direct-mapped by hash; entries
 * live in a ring of bytes whose position only grows (an entry is intact
 * while the ring has not come round to it). Values repeat a great deal in
 * event logs: channel, provider, computer, user, image names, logon types. */
#define VC_SLOTS  (1u << 16)
#define VC_RING   (8u << 20)
#define VC_MAXVAL 4096u /* longer values are scanned every time */
#define VC_MAXLIT 4096u /* values holding more literals are not kept */
#define VC_MAP    (VC_SLOTS * sizeof(struct vc_slot) + VC_RING)

struct vc_slot {
	uint64_t hash;
	uint64_t pos; /* ring position of the entry + 1; 0: empty */
};

/* An entry: this head, the value's bytes padded to 4, then the n literal
 * ids that the field's own look-ups found in it. */
struct vc_entry {
	uint32_t field, len, n;
};

struct sigma_pf_scratch {
	hs_scratch_t *s;
	uint64_t *lithit;     /* literals seen in this event */
	uint32_t *littouched; /* which, to clear them */
	size_t nlittouched;
	/* per rule: the event's number << 8 | the clauses seen in it; a rule
	 * stamped with an earlier event has seen none (nothing to clear) */
	uint32_t *rstate;
	uint32_t rgen; /* the event's number, 1 .. 2^24 - 1 */
	/* value cache */
	struct vc_slot *slots;
	unsigned char *ring;
	uint64_t head;
	unsigned long long hits, misses;
	/* literal ids of the value being looked at, without repeats (stamp
	 * per literal, gen per value) */
	uint32_t *fill;
	size_t nfill;
	uint32_t *stamp;
	uint32_t gen;
	/* the event's values one after the other, for the keyword scan */
	char *kwbuf;
	size_t kwcap;
};

struct lit_table {
	struct map idx; /* (kind byte + bytes) → index */
	char **text;
	size_t *len;
	bool *cased;
	uint8_t *kind;
	size_t n, cap;
};

/* A text literal is one per item field (or keyword) and bytes: a hit in the
 * values of Image then marks only the rules that look for it in Image, not
 * those that look for the same bytes in CommandLine. A number is one per
 * value (its look-up is by value and field at once, see field_dbs). */
static int lit_add(struct lit_table *t, const struct sigma_item *it, uint8_t kind, const char *p,
		   size_t n, bool cased, uint32_t *out)
{
	char key[1024];
	size_t k = 0;
	key[k++] = kind == LK_NUM ? 'n' : cased ? 'c' : 'i';
	if (kind == LK_TEXT) {
		key[k++] = it->keyword ? 'k' : (char)it->field.nids;
		for (unsigned a = 0; !it->keyword && a < it->field.nids; a++, k += 4)
			memcpy(key + k, &it->field.ids[a], 4);
	}
	if (n + k > sizeof key)
		n = sizeof key - k; /* a prefix of a literal is still necessary */
	memcpy(key + k, p, n);
	uint64_t v = t->n;
	bool existed;
	int rc = map_put_new(&t->idx, slice_make(key, n + k), &v, &existed);
	if (rc)
		return rc;
	if (!existed) {
		if (t->n == t->cap) {
			size_t nc = t->cap ? t->cap * 2 : 1024;
			char **nt = realloc(t->text, nc * sizeof *nt);
			if (nt)
				t->text = nt;
			size_t *nl = nt ? realloc(t->len, nc * sizeof *nl) : NULL;
			if (nl)
				t->len = nl;
			bool *ncs = nl ? realloc(t->cased, nc * sizeof *ncs) : NULL;
			if (ncs)
				t->cased = ncs;
			uint8_t *nk = ncs ? realloc(t->kind, nc * sizeof *nk) : NULL;
			if (!nk)
				return AS_ENOMEM;
			t->kind = nk;
			t->cap = nc;
		}
		t->text[t->n] = malloc(n ? n : 1);
		if (!t->text[t->n])
			return AS_ENOMEM;
		memcpy(t->text[t->n], p, n);
		t->len[t->n] = n;
		t->cased[t->n] = cased;
		t->kind[t->n] = kind;
		t->n++;
	}
	*out = (uint32_t)v;
	return 0;
}

static void lset_free(struct lset *s)
{
	free(s->lit);
	s->lit = NULL;
	s->n = 0;
}

static struct lset none_set(void)
{
	return (struct lset){.none = true};
}

/* Longest run of literal bytes in a glob matcher. */
static void longest_run(const struct sigma_matcher *m, size_t *from, size_t *len)
{
	*from = 0;
	*len = m->len;
	if (m->shape != SH_GLOB)
		return;
	size_t best = 0, bestf = 0, cur = 0;
	for (size_t i = 0; i <= m->len; i++) {
		if (i == m->len || m->wild[i]) {
			if (cur > best) {
				best = cur;
				bestf = i - cur;
			}
			cur = 0;
		} else {
			cur++;
		}
	}
	*from = bestf;
	*len = best;
}

/* Regular expressions: the longest run of plain characters in the top-level
 * sequence of the pattern, which every match contains. Anything not
 * understood gives no literal (the rule then runs on every event), so this
 * only has to be right about what it accepts: escapes of punctuation are the
 * character, character-class escapes and `.`, `^`, `$`, classes and groups
 * end a run, `?`, `*` and `{0,…}` take back the character before them, `+`
 * and `{n,…}` end the run after it. A top-level `|`, an option setting after
 * the start, `\Q`, back-references and other letter escapes give up. With
 * case-insensitive matching (PCRE2 UTF) `k` and `s` also match the Kelvin
 * sign and the long s, so they end a run, as non-ASCII bytes do. */
#define RE_GIVE_UP SIZE_MAX

/* The end of the class starting at p[i] == '[', or RE_GIVE_UP. */
static size_t re_skip_class(const char *p, size_t n, size_t i)
{
	i++;
	if (i < n && p[i] == '^')
		i++;
	if (i < n && p[i] == ']')
		i++;
	while (i < n && p[i] != ']') {
		if (p[i] == '\\')
			i++;
		else if (p[i] == '[' && i + 1 < n && p[i + 1] == ':') {
			const char *e = strstr(p + i + 2, ":]");
			if (!e || (size_t)(e - p) >= n)
				return RE_GIVE_UP;
			i = (size_t)(e - p) + 1;
		}
		i++;
	}
	return i < n ? i + 1 : RE_GIVE_UP;
}

/* A quantifier {m}, {m,}, {m,n} at p[i]: its length and minimum, or 0. */
static size_t re_braces(const char *p, size_t n, size_t i, unsigned *min)
{
	size_t j = i + 1;
	unsigned v = 0;
	if (j >= n || p[j] < '0' || p[j] > '9')
		return 0;
	while (j < n && p[j] >= '0' && p[j] <= '9' && v < 100000)
		v = v * 10 + (unsigned)(p[j++] - '0');
	if (j < n && p[j] == ',') {
		j++;
		while (j < n && p[j] >= '0' && p[j] <= '9')
			j++;
	}
	if (j >= n || p[j] != '}')
		return 0;
	*min = v;
	return j + 1 - i;
}

static bool re_class_escape(char c)
{
	return strchr("dDwWsSbBhHvVRnrtfeaAzZGKNX", c) != NULL;
}

bool sigma_re_literal(const char *p, size_t n, bool *ci, char *out, size_t cap, size_t *outlen)
{
	bool caseless = *ci;
	size_t i = 0, cur = 0, best = 0;
	char run[256];
	if (n >= 4 && !memcmp(p, "(?", 2)) {
		/* leading option setting: (?i), (?s), (?m) and combinations */
		size_t j = 2;
		bool on = false;
		while (j < n && strchr("ims", p[j])) {
			on |= p[j] == 'i';
			j++;
		}
		if (j > 2 && j < n && p[j] == ')') {
			caseless |= on;
			i = j + 1;
		}
		*ci = caseless;
	}
	while (i < n) {
		unsigned char c = (unsigned char)p[i];
		bool lit = false;
		size_t next = i + 1;
		if (c == '\\') {
			if (i + 1 >= n)
				return false;
			unsigned char d = (unsigned char)p[i + 1];
			next = i + 2;
			if (d >= 0x80)
				return false;
			if ((d >= 'a' && d <= 'z') || (d >= 'A' && d <= 'Z') ||
			    (d >= '0' && d <= '9')) {
				if (d == 'x') {
					if (next < n && p[next] == '{') {
						const char *e = memchr(p + next, '}', n - next);
						if (!e)
							return false;
						next = (size_t)(e - p) + 1;
					} else {
						for (int k = 0;
						     k < 2 && next < n &&
						     strchr("0123456789abcdefABCDEF", p[next]) &&
						     p[next];
						     k++)
							next++;
					}
				} else if (!re_class_escape((char)d)) {
					return false;
				}
			} else {
				c = d;
				lit = true;
			}
		} else if (c == '[') {
			if ((next = re_skip_class(p, n, i)) == RE_GIVE_UP)
				return false;
		} else if (c == '(') {
			if (i + 2 < n && p[i + 1] == '?' && p[i + 2] == '#')
				return false; /* a comment may hold anything */
			if (i + 2 < n && p[i + 1] == '?' && strchr("imsx-^", p[i + 2])) {
				/* option setting: (?i) changes the rest; (?i:…) is a group */
				size_t j = i + 2;
				while (j < n && strchr("imsxn-^", p[j]))
					j++;
				if (j >= n || p[j] != ':')
					return false;
			}
			int depth = 0;
			size_t j = i;
			for (; j < n; j++) {
				if (p[j] == '\\') {
					j++;
				} else if (p[j] == '[') {
					size_t e = re_skip_class(p, n, j);
					if (e == RE_GIVE_UP)
						return false;
					j = e - 1;
				} else if (p[j] == '(') {
					depth++;
				} else if (p[j] == ')' && --depth == 0) {
					break;
				}
			}
			if (j >= n)
				return false;
			next = j + 1;
		} else if (c == '|' || c == ')') {
			return false;
		} else if (c == '.' || c == '^' || c == '$') {
			/* not a literal */
		} else if (c == '*' || c == '+' || c == '?' || c == '{') {
			return false; /* a quantifier with nothing before it */
		} else {
			lit = true;
		}
		if (lit &&
		    (c >= 0x80 || (caseless && (c == 'k' || c == 'K' || c == 's' || c == 'S'))))
			lit = false;
		/* a quantifier after the atom */
		unsigned min = 1;
		size_t q = 0;
		if (next < n && (p[next] == '*' || p[next] == '?')) {
			min = 0;
			q = 1;
		} else if (next < n && p[next] == '+') {
			q = 1;
		} else if (next < n && p[next] == '{') {
			if (!(q = re_braces(p, n, next, &min)))
				return false;
		}
		if (q && next + q < n && (p[next + q] == '?' || p[next + q] == '+'))
			q++;
		if (lit && min > 0 && cur < sizeof run)
			run[cur++] = caseless && c >= 'A' && c <= 'Z' ? (char)(c | 32) : (char)c;
		if (!lit || q || cur == sizeof run) {
			if (cur > best && cur <= cap) {
				memcpy(out, run, cur);
				best = cur;
			}
			cur = 0;
		}
		i = next + q;
	}
	if (cur > best && cur <= cap) {
		memcpy(out, run, cur);
		best = cur;
	}
	*outlen = best;
	return best > 0;
}

/* Two bytes still narrow well when both are rare in logs: non-ASCII (a
 * two-byte letter: Cyrillic homoglyphs, symbols) or punctuation that paths,
 * names and ordinary command lines seldom hold (`^^` of cmd obfuscation,
 * `&&`, `${`). */
static bool lit_rare(const char *p, size_t n)
{
	bool high = false, punct = n >= 2;
	for (size_t i = 0; i < n; i++) {
		high |= (unsigned char)p[i] >= 0x80;
		punct &= p[i] && strchr("^`~|&;{}<>$@!", p[i]) != NULL;
	}
	return n >= 2 && (high || punct);
}

/* Give every glob and regex matcher its literal (so it can skip early), once;
 * plain numbers of a field get their integer as a literal. */
static int matcher_lit(struct lit_table *t, const struct sigma_item *it, struct sigma_matcher *m)
{
	m->lit = UINT32_MAX;
	if (m->kind == SM_NUMEQ) {
		if (it->keyword || m->time != TM_NONE)
			return 0;
		return lit_add(t, it, LK_NUM, (const char *)&m->inum, sizeof m->inum, true,
			       &m->lit);
	}
	if (m->kind == SM_RE) {
		char lit[256];
		size_t len;
		bool ci = !m->cased;
		if (!sigma_re_literal(m->pat, m->len, &ci, lit, sizeof lit, &len) ||
		    (len < PF_MIN_LITERAL && !lit_rare(lit, len)))
			return 0;
		return lit_add(t, it, LK_TEXT, lit, len, !ci, &m->lit);
	}
	if (m->kind != SM_GLOB || m->shape == SH_ANY)
		return 0;
	size_t from, len;
	longest_run(m, &from, &len);
	if (len < PF_MIN_LITERAL && !lit_rare(m->pat + from, len))
		return 0;
	return lit_add(t, it, LK_TEXT, m->pat + from, len, m->cased, &m->lit);
}

/* The literals of an item's matchers in one array (sigma_item.lits). */
static int item_lits(struct arena *a, struct sigma_item *it)
{
	it->lits = NULL;
	it->absent_false = true;
	bool any = false;
	for (uint32_t k = 0; k < it->nm; k++) {
		const struct sigma_matcher *m = &it->m[k];
		any |= m->lit != UINT32_MAX && !m->neq;
		it->absent_false &= m->kind != SM_EXISTS && m->kind != SM_NULL;
	}
	if (!any)
		return 0;
	if (!(it->lits = arena_alloc(a, it->nm * sizeof *it->lits)))
		return AS_ENOMEM;
	for (uint32_t k = 0; k < it->nm; k++)
		it->lits[k] = it->m[k].neq ? UINT32_MAX : it->m[k].lit;
	return 0;
}

static int detection_lits(struct lit_table *t, struct arena *a, struct sigma_detection *d)
{
	int rc = 0;
	for (uint32_t s = 0; s < d->nsels; s++)
		for (uint32_t g = 0; g < d->sels[s].n; g++)
			for (uint32_t i = 0; i < d->sels[s].groups[g].n && !rc; i++) {
				struct sigma_item *it = &d->sels[s].groups[g].items[i];
				for (uint32_t k = 0; k < it->nm && !rc; k++)
					rc = matcher_lit(t, it, &it->m[k]);
				if (!rc)
					rc = item_lits(a, it);
			}
	return rc;
}

/* A guess at how often literal l occurs in an event, to choose between
 * clauses: each byte halves it, from 1/8 for three bytes. Only the order of
 * the guesses matters; with no statistics of real logs, longer is rarer. */
static double lit_p(const struct lit_table *t, uint32_t l)
{
	size_t n = t->kind[l] == LK_NUM ? PF_NUM_MINLEN : t->len[l];
	if (n < PF_MIN_LITERAL && t->kind[l] == LK_TEXT)
		n += 2; /* taken for its rare bytes (lit_rare) */
	if (n > PF_RARE_LEN)
		n = PF_RARE_LEN;
	return 1.0 / (double)(1u << n);
}

/* *out := a ∪ b, a and b kept; none when it would be too large. */
static int lset_union(const struct lit_table *t, const struct lset *a, const struct lset *b,
		      struct lset *out)
{
	*out = none_set();
	if (a->none || b->none || a->n + b->n > PF_MAX_SET)
		return 0;
	uint32_t *u = malloc((a->n + b->n) * sizeof *u);
	if (!u)
		return AS_ENOMEM;
	size_t i = 0, j = 0, n = 0;
	double p = 0;
	while (i < a->n || j < b->n) {
		uint32_t x =
		    j >= b->n || (i < a->n && a->lit[i] <= b->lit[j]) ? a->lit[i] : b->lit[j];
		i += i < a->n && a->lit[i] == x;
		j += j < b->n && b->lit[j] == x;
		u[n++] = x;
		p += lit_p(t, x);
	}
	*out = (struct lset){.lit = u, .n = n, .p = p < 1 ? p : 1};
	return 0;
}

/* Every literal of a is in b (a then implies b: b adds nothing). */
static bool lset_within(const struct lset *a, const struct lset *b)
{
	size_t j = 0;
	for (size_t i = 0; i < a->n; i++) {
		while (j < b->n && b->lit[j] < a->lit[i])
			j++;
		if (j >= b->n || b->lit[j] != a->lit[i])
			return false;
	}
	return true;
}

static bool better(const struct lset *a, const struct lset *b)
{
	if (a->none)
		return false;
	if (b->none)
		return true;
	return a->p != b->p ? a->p < b->p : a->n < b->n;
}

/* A necessary condition in conjunctive form: every clause must have one of
 * its literals in the event. n == 0: no condition (the rule always runs). */
#define PF_MAX_CLAUSES 8
struct cnf {
	struct lset cl[PF_MAX_CLAUSES];
	unsigned n;
};

static void cnf_free(struct cnf *c)
{
	for (unsigned i = 0; i < c->n; i++)
		lset_free(&c->cl[i]);
	c->n = 0;
}

/* a := a AND x (x consumed). A clause that another implies is left out;
 * when full, the weakest clause goes. */
static void cnf_add(struct cnf *a, struct lset *x)
{
	for (unsigned k = 0; k < a->n; k++) {
		if (lset_within(&a->cl[k], x)) {
			lset_free(x);
			return;
		}
	}
	for (unsigned k = 0; k < a->n;) {
		if (lset_within(x, &a->cl[k])) {
			lset_free(&a->cl[k]);
			a->cl[k] = a->cl[--a->n];
		} else {
			k++;
		}
	}
	if (a->n < PF_MAX_CLAUSES) {
		a->cl[a->n++] = *x;
		return;
	}
	unsigned worst = 0;
	for (unsigned k = 1; k < a->n; k++)
		if (better(&a->cl[worst], &a->cl[k]))
			worst = k;
	if (better(x, &a->cl[worst])) {
		lset_free(&a->cl[worst]);
		a->cl[worst] = *x;
	} else {
		lset_free(x);
	}
}

/* a := a AND b (b consumed). */
static void cnf_and(struct cnf *a, struct cnf *b)
{
	for (unsigned i = 0; i < b->n; i++)
		cnf_add(a, &b->cl[i]);
	b->n = 0;
}

/* a := a OR b (b consumed). (A1 ∧ A2) ∨ (B1 ∧ B2) implies every
 * Ai ∨ Bj: the union of each pair of clauses is one, and the best of them
 * are kept, so a rule `sel1 or sel2` still needs a literal of each item
 * that narrows. */
static int cnf_or(const struct lit_table *t, struct cnf *a, struct cnf *b)
{
	struct cnf r = {.n = 0};
	int rc = 0;
	for (unsigned i = 0; i < a->n && !rc; i++)
		for (unsigned j = 0; j < b->n && !rc; j++) {
			struct lset u;
			if (!(rc = lset_union(t, &a->cl[i], &b->cl[j], &u)) && !u.none)
				cnf_add(&r, &u);
		}
	cnf_free(a);
	cnf_free(b);
	if (rc) {
		cnf_free(&r);
		return rc;
	}
	*a = r;
	return 0;
}

/* Sorts lit[0..n) and drops repeats; the count left. */
static size_t lits_unique(uint32_t *lit, size_t n)
{
	sort_u32(lit, n);
	size_t k = 0;
	for (size_t i = 0; i < n; i++)
		if (!k || lit[k - 1] != lit[i])
			lit[k++] = lit[i];
	return k;
}

/* The OR of matchers [from, to) of an item: one clause, the union of their
 * literals, or none (true) when one of them has no literal or the union
 * passes PF_MAX_SET — the outcome of folding cnf_or over them one by one,
 * found with one sort instead of a merge per matcher (long value lists). */
static int range_cnf(struct lit_table *t, const struct sigma_item *it, uint32_t from, uint32_t to,
		     struct cnf *out)
{
	out->n = 0;
	if (from >= to)
		return 0;
	uint32_t *u = malloc((to - from) * sizeof *u);
	if (!u)
		return AS_ENOMEM;
	size_t n = 0;
	for (uint32_t i = from; i < to; i++) {
		const struct sigma_matcher *m = &it->m[i];
		if (m->lit == UINT32_MAX || m->neq) {
			free(u);
			return 0;
		}
		u[n++] = m->lit;
	}
	/* folded one by one, the union became none once it held PF_MAX_SET
	 * literals with a matcher still to come */
	if (n > 1 && lits_unique(u, n - 1) >= PF_MAX_SET) {
		free(u);
		return 0;
	}
	n = lits_unique(u, n);
	double p = 0;
	for (size_t i = 0; i < n; i++)
		p += lit_p(t, u[i]);
	out->cl[0] = (struct lset){.lit = u, .n = n, .p = p < 1 ? p : 1};
	out->n = 1;
	return 0;
}
static int item_cnf(struct lit_table *t, const struct sigma_item *it, struct cnf *out)
{
	if (!it->all)
		return range_cnf(t, it, 0, it->nm, out);
	int rc = 0;
	out->n = 0;
	for (uint32_t g = 0; g < it->ngroups && !rc; g++) {
		struct cnf gc;
		rc = range_cnf(t, it, g ? it->gend[g - 1] : 0, it->gend[g], &gc);
		if (!rc)
			cnf_and(out, &gc);
	}
	return rc;
}

static int sel_cnf(struct lit_table *t, const struct sigma_sel *sel, struct cnf *out)
{
	int rc = 0;
	out->n = 0;
	for (uint32_t g = 0; g < sel->n && !rc; g++) {
		struct cnf gc = {.n = 0};
		for (uint32_t i = 0; i < sel->groups[g].n && !rc; i++) {
			struct cnf ic;
			rc = item_cnf(t, &sel->groups[g].items[i], &ic);
			if (!rc)
				cnf_and(&gc, &ic);
		}
		if (g == 0)
			*out = gc;
		else if (!rc)
			rc = cnf_or(t, out, &gc);
		else
			cnf_free(&gc);
	}
	return rc;
}

static int cond_cnf(struct lit_table *t, const struct sigma_detection *d,
		    const struct sigma_cond *c, struct cnf *out)
{
	struct cnf a, b;
	int rc;
	out->n = 0;
	switch (c->op) {
	case C_SEL:
		return sel_cnf(t, &d->sels[c->sel], out);
	case C_NOT:
		return 0;
	case C_AND:
	case C_OR:
		if ((rc = cond_cnf(t, d, c->a, &a)))
			return rc;
		if ((rc = cond_cnf(t, d, c->b, &b))) {
			cnf_free(&a);
			return rc;
		}
		if (c->op == C_AND)
			cnf_and(&a, &b);
		else if ((rc = cnf_or(t, &a, &b)))
			return rc;
		*out = a;
		return 0;
	case C_OF:
		for (uint32_t i = 0; i < c->nof; i++) {
			if ((rc = sel_cnf(t, &d->sels[c->of[i]], &b)))
				return rc;
			if (c->need == c->nof)
				cnf_and(out, &b);
			else if (i == 0)
				*out = b;
			else if ((rc = cnf_or(t, out, &b)))
				return rc;
		}
		return 0;
	}
	return 0;
}

void sigma_prefilter_free(struct sigma_prefilter *pf)
{
	if (!pf)
		return;
	for (size_t i = 0; i < pf->ndbs; i++)
		hs_free_database(pf->dbs[i]);
	free(pf->dbs);
	free(pf->all.fseen);
	free(pf->fdb);
	free(pf->fhash);
	free(pf->fmax);
	free(pf->flen);
	map_free(&pf->hashed);
	free(pf->lit_start);
	free(pf->lit_rules);
	free(pf->always_start);
	free(pf->always);
	free(pf->full);
	free(pf->kind);
	free(pf->kwlit);
	free(pf->kwids);
	for (size_t l = 0; pf->kwtext && l < pf->nlit; l++)
		free(pf->kwtext[l]);
	free(pf->kwtext);
	free(pf->kwlen);
	free(pf->kwcased);
	free(pf->cls_start);
	free(pf->cls_lits);
	free(pf->rule_class);
	free(pf);
}

static void collect_lits(const struct sigma_detection *d, uint32_t *mark, uint32_t stamp,
			 uint32_t *out, size_t *n)
{
	for (uint32_t s = 0; s < d->nsels; s++)
		for (uint32_t g = 0; g < d->sels[s].n; g++)
			for (uint32_t i = 0; i < d->sels[s].groups[g].n; i++) {
				const struct sigma_item *it = &d->sels[s].groups[g].items[i];
				for (uint32_t k = 0; k < it->nm; k++) {
					uint32_t l = it->m[k].lit;
					if (l == UINT32_MAX || mark[l] == stamp)
						continue;
					mark[l] = stamp;
					if (out)
						out[*n] = l;
					(*n)++;
				}
			}
}

/* For each logsource class, the literals of its detection and filter rules. */
static int class_literals(struct sigma_ruleset *rs, struct sigma_prefilter *pf)
{
	uint32_t *mark = calloc(pf->nlit + 1, sizeof *mark);
	pf->nclasses = rs->nclasses;
	pf->cls_start = calloc(rs->nclasses + 1, sizeof *pf->cls_start);
	if (!mark || !pf->cls_start) {
		free(mark);
		return AS_ENOMEM;
	}
	for (int pass = 0; pass < 2; pass++) {
		size_t n = 0;
		for (size_t c = 0; c < rs->nclasses; c++) {
			pf->cls_start[c] = (uint32_t)n;
			uint32_t stamp = (uint32_t)(pass * rs->nclasses + c + 1);
			for (size_t i = 0; i < rs->nrules; i++) {
				const struct sigma_rule *r = rs->rules[i];
				if (r->kind != SK_CORRELATION && r->lsclass == c)
					collect_lits(&r->det, mark, stamp,
						     pass ? pf->cls_lits : NULL, &n);
			}
		}
		pf->cls_start[rs->nclasses] = (uint32_t)n;
		if (!pass && !(pf->cls_lits = malloc((n ? n : 1) * sizeof *pf->cls_lits))) {
			free(mark);
			return AS_ENOMEM;
		}
	}
	free(mark);
	return 0;
}

void sigma_pfdb_free(struct sigma_pfdb *d)
{
	if (!d)
		return;
	free(d->own_start);
	free(d->own_pairs);
	free(d->fseen);
	if (d->kwdb)
		hs_free_database(d->kwdb);
	free(d);
}

static bool active(const uint64_t *classes, uint32_t c)
{
	return c != UINT32_MAX && ((classes[c / 64] >> (c % 64)) & 1);
}

struct fl_pairs {
	uint64_t *v; /* field << 34 | literal << 2 | use */
	size_t n, cap;
};

static int fl_push(struct fl_pairs *p, uint64_t x)
{
	if (p->n == p->cap) {
		size_t nc = p->cap ? p->cap * 2 : 1024;
		uint64_t *nv = realloc(p->v, nc * sizeof *nv);
		if (!nv)
			return AS_ENOMEM;
		p->v = nv;
		p->cap = nc;
	}
	p->v[p->n++] = x;
	return 0;
}

/* How a matcher's literal may be found without Hyperscan: bit 0 clear when
 * "ends with it" equals "its tail from the last backslash is it", bit 1
 * clear when only an equal value matters. */
#define FL_NOTAIL  1u
#define FL_NOEXACT 2u
static unsigned lit_use(const struct sigma_matcher *m)
{
	if (m->kind != SM_GLOB || m->cased || m->len >= 1024 ||
	    (m->shape != SH_EXACT && m->shape != SH_SUFFIX))
		return FL_NOTAIL | FL_NOEXACT;
	unsigned u = m->shape == SH_EXACT ? 0 : FL_NOEXACT;
	if (m->pat[0] != '\\' || memchr(m->pat + 1, '\\', m->len - 1))
		u |= FL_NOTAIL;
	return u;
}

/* The (field, literal, use) triples of a detection; keyword literals get field nf. */
static int detection_field_lits(const struct sigma_detection *det, uint32_t nf, struct fl_pairs *p)
{
	int rc = 0;
	for (uint32_t s = 0; s < det->nsels; s++)
		for (uint32_t g = 0; g < det->sels[s].n; g++)
			for (uint32_t i = 0; i < det->sels[s].groups[g].n && !rc; i++) {
				const struct sigma_item *it = &det->sels[s].groups[g].items[i];
				for (uint32_t k = 0; k < it->nm && !rc; k++) {
					uint64_t l = it->m[k].lit;
					if (l == UINT32_MAX)
						continue;
					uint64_t u = lit_use(&it->m[k]);
					if (it->keyword) {
						rc = fl_push(p, (uint64_t)nf << 34 | l << 2 | 3);
						continue;
					}
					for (unsigned a = 0; a < it->field.nids && !rc; a++)
						if (it->field.ids[a] < nf)
							rc = fl_push(p, (uint64_t)it->field.ids[a]
										<< 34 |
									    l << 2 | u);
				}
			}
	return rc;
}

/* A look-up finds one literal per key: when another literal with the same
 * bytes already holds field f's key (items whose field aliases overlap, such
 * as file.path of TargetFilename and of ImageLoaded), *taken is set and the
 * caller scans for this one instead. */
static int hashed_put(struct sigma_prefilter *pf, uint32_t f, char tag, const char *t, size_t n,
		      uint32_t l, bool *taken)
{
	char key[1024 + 5];
	memcpy(key, &f, 4);
	key[4] = tag;
	memcpy(key + 5, t, n);
	uint64_t v = l;
	bool existed;
	int rc = map_put_new(&pf->hashed, slice_make(key, n + 5), &v, &existed);
	*taken = !rc && existed && v != l;
	if (rc || *taken)
		return rc;
	pf->fhash[f] |= tag == 't' ? 1 : tag == 'e' ? 2 : 4;
	if (tag != 'n' && n > pf->fmax[f])
		pf->fmax[f] = (uint16_t)n;
	if (tag != 'n')
		pf->flen[2 * (size_t)f + (tag == 'e')] |= 1ull << (n < 63 ? n : 63);
	return 0;
}

/* One Hyperscan database of the literals ids[0..n), whose bytes, lengths
 * and case are text[id], len[id], cased[id]. */
static int lit_db(char *const *text, const size_t *len, const bool *cased, const uint32_t *ids,
		  size_t n, hs_database_t **out)
{
	const char **exprs = malloc(n * sizeof *exprs);
	unsigned *flags = malloc(n * sizeof *flags);
	size_t *lens = malloc(n * sizeof *lens);
	int rc = 0;
	if (!exprs || !flags || !lens) {
		rc = AS_ENOMEM;
		goto exit;
	}
	for (size_t k = 0; k < n; k++) {
		exprs[k] = text[ids[k]];
		flags[k] = HS_FLAG_SINGLEMATCH | (cased[ids[k]] ? 0 : HS_FLAG_CASELESS);
		lens[k] = len[ids[k]];
	}
	rc = sigma_dbcache_compile(exprs, flags, ids, lens, (unsigned)n, out);
exit:
	free(exprs);
	free(flags);
	free(lens);
	return rc;
}

/* Per field: the literals of the items testing it, keyword literals apart
 * (they have a database of their own); those only ever compared whole or as
 * a file name, and the integers, go to the hash map. */
static int field_dbs(const struct sigma_ruleset *rs, struct sigma_prefilter *pf,
		     const struct lit_table *t)
{
	struct fl_pairs p = {0};
	uint32_t nf = fieldname_count();
	uint32_t *ids = malloc((pf->nlit + 1) * sizeof *ids);
	int rc = ids ? 0 : AS_ENOMEM;
	struct map seen; /* literal list → index into dbs */
	map_init(&seen);
	pf->nfields = nf;
	pf->kwlit = calloc(pf->nlit + 1, 1);
	pf->fdb = calloc((size_t)nf + 1, sizeof *pf->fdb);
	pf->dbs = calloc((size_t)nf + 1, sizeof *pf->dbs);
	pf->fhash = calloc((size_t)nf + 1, 1);
	pf->fmax = calloc((size_t)nf + 1, sizeof *pf->fmax);
	pf->flen = calloc(2 * ((size_t)nf + 1), sizeof *pf->flen);
	if (!rc && (!pf->kwlit || !pf->fdb || !pf->dbs || !pf->fhash || !pf->fmax || !pf->flen))
		rc = AS_ENOMEM;
	for (size_t i = 0; i < rs->nrules && !rc; i++) {
		const struct sigma_rule *r = rs->rules[i];
		if (r->kind != SK_CORRELATION)
			rc = detection_field_lits(&r->det, nf, &p);
	}
	if (!rc && p.n)
		sort_u64(p.v, p.n);
	for (size_t k = 0; !rc && k < p.n; k++)
		if ((p.v[k] >> 34) == nf)
			pf->kwlit[(uint32_t)(p.v[k] >> 2)] = 1;
	size_t n = 0;
	uint32_t cur = UINT32_MAX;
	for (size_t k = 0; !rc && k <= p.n; k++) {
		uint32_t f = k < p.n ? (uint32_t)(p.v[k] >> 34) : UINT32_MAX;
		if (f != cur && n) {
			/* the literals of field cur are complete */
			/* aliases (Image, NewProcessName, …) test the same
			 * literals: one database serves them all */
			struct slice key = slice_make((const char *)ids, n * sizeof *ids);
			uint64_t same;
			if (map_get(&seen, key, &same)) {
				pf->fdb[cur] = pf->dbs[same];
			} else if (!(rc = lit_db(t->text, t->len, t->cased, ids, n,
						 &pf->dbs[pf->ndbs]))) {
				pf->fdb[cur] = pf->dbs[pf->ndbs];
				rc = map_put(&seen, key, pf->ndbs++, NULL);
			}
			n = 0;
		}
		cur = f;
		if (k == p.n || rc)
			break;
		uint32_t l = (uint32_t)(p.v[k] >> 2) & 0xffffffffu;
		unsigned u = 0;
		size_t e = k;
		for (; e < p.n && p.v[e] >> 2 == p.v[k] >> 2; e++)
			u |= (unsigned)p.v[e] & 3;
		k = e - 1; /* one (field, literal): every use must allow the look-up */
		bool taken = false;
		if (t->kind[l] == LK_NUM) {
			/* one literal per integer: a key is never taken */
			if (f < nf)
				rc = hashed_put(pf, f, 'n', t->text[l], t->len[l], l, &taken);
			continue;
		}
		if (f < nf && pf->kwlit[l])
			continue; /* a keyword literal is scanned in every value anyway */
		if (f < nf && !(u & FL_NOTAIL))
			rc = hashed_put(pf, f, 't', t->text[l], t->len[l], l, &taken);
		else if (f < nf && !(u & FL_NOEXACT))
			rc = hashed_put(pf, f, 'e', t->text[l], t->len[l], l, &taken);
		else
			taken = true;
		if (taken)
			ids[n++] = l; /* an end or a whole value contains it: a scan finds it too */
	}
	map_free(&seen);
	free(ids);
	free(p.v);
	return rc;
}

/* The bytes of the keyword literals, for the keyword databases of
 * sigma_prefilter_subdb. */
static int keep_keywords(struct sigma_prefilter *pf, const struct lit_table *t)
{
	pf->kwtext = calloc(pf->nlit + 1, sizeof *pf->kwtext);
	pf->kwlen = calloc(pf->nlit + 1, sizeof *pf->kwlen);
	pf->kwcased = calloc(pf->nlit + 1, sizeof *pf->kwcased);
	pf->kwids = malloc((pf->nlit + 1) * sizeof *pf->kwids);
	if (!pf->kwtext || !pf->kwlen || !pf->kwcased || !pf->kwids)
		return AS_ENOMEM;
	pf->all.kwmin = 0;
	pf->nkw = 0;
	for (size_t l = 0; l < pf->nlit; l++) {
		if (!pf->kwlit[l])
			continue;
		pf->kwids[pf->nkw++] = (uint32_t)l;
		if (!(pf->kwtext[l] = malloc(t->len[l] + 1)))
			return AS_ENOMEM;
		memcpy(pf->kwtext[l], t->text[l], t->len[l]); /* t->text holds no NUL */
		pf->kwtext[l][t->len[l]] = 0;
		pf->kwlen[l] = t->len[l];
		pf->kwcased[l] = t->cased[l];
		if (!pf->all.kwmin || t->len[l] < pf->all.kwmin)
			pf->all.kwmin = t->len[l];
	}
	return 0;
}

/* The database of the keyword literals marked in mark, for the scratch s;
 * *out stays NULL when they are all the keyword literals there are (the
 * whole set's database serves). */
static int subdb_keywords(const struct sigma_prefilter *pf, const uint8_t *mark,
			  struct sigma_pf_scratch *s, hs_database_t **out, size_t *min)
{
	size_t n = 0, all = pf->nkw;
	*min = 0;
	uint32_t *ids = malloc((all + 1) * sizeof *ids);
	if (!ids)
		return AS_ENOMEM;
	for (size_t i = 0; i < all; i++) {
		uint32_t l = pf->kwids[i];
		if (!mark[l])
			continue;
		ids[n++] = l;
		if (!*min || pf->kwlen[l] < *min)
			*min = pf->kwlen[l];
	}
	int rc = 0;
	if (n && n < all) {
		rc = lit_db(pf->kwtext, pf->kwlen, pf->kwcased, ids, n, out);
		if (!rc && hs_alloc_scratch(*out, &s->s) != HS_SUCCESS) {
			hs_free_database(*out);
			*out = NULL;
			rc = AS_ENOMEM;
		}
	}
	free(ids);
	return rc;
}

/* Mark the fields that items of d test with a literal. */
static void detection_fields(const struct sigma_detection *det, uint32_t nf, uint8_t *seen)
{
	for (uint32_t s = 0; s < det->nsels; s++)
		for (uint32_t g = 0; g < det->sels[s].n; g++)
			for (uint32_t i = 0; i < det->sels[s].groups[g].n; i++) {
				const struct sigma_item *it = &det->sels[s].groups[g].items[i];
				bool lit = false;
				for (uint32_t k = 0; k < it->nm && !lit; k++)
					lit = it->m[k].lit != UINT32_MAX;
				for (unsigned a = 0; lit && a < it->field.nids; a++)
					if (it->field.ids[a] < nf)
						seen[it->field.ids[a]] = 1;
			}
}

int sigma_prefilter_subdb(const struct sigma_ruleset *rs, const uint64_t *classes,
			  struct sigma_pf_scratch *s, struct sigma_pfdb **out)
{
	const struct sigma_prefilter *pf = rs->pf;
	*out = NULL;
	struct sigma_pfdb *d = calloc(1, sizeof *d);
	uint8_t *mark = calloc(pf->nlit + 1, 1);
	int rc = 0;
	if (!d || !mark) {
		rc = AS_ENOMEM;
		goto exit;
	}
	/* room for every pair of the literals marked, counted as they are
	 * marked: the pairs are then copied in one walk of the literals */
	size_t room = 0;
	for (size_t c = 0; c < pf->nclasses; c++) {
		if (!active(classes, (uint32_t)c))
			continue;
		for (uint32_t k = pf->cls_start[c]; k < pf->cls_start[c + 1]; k++) {
			uint32_t l = pf->cls_lits[k];
			if (!mark[l])
				room += pf->lit_start[l + 1] - pf->lit_start[l];
			mark[l] = 1;
			d->kw |= pf->kwlit[l];
		}
	}
	/* the pairs of rules that can see these events only */
	d->own_start = malloc((pf->nlit + 2) * sizeof *d->own_start);
	d->own_pairs = malloc((room ? room : 1) * sizeof *d->own_pairs);
	if (!d->own_start || !d->own_pairs) {
		rc = AS_ENOMEM;
		goto exit;
	}
	uint32_t np = 0, *own = d->own_pairs;
	for (size_t l = 0; l < pf->nlit;) {
		/* most literals belong to other classes: eight unmarked at a time */
		uint64_t m8 = 0;
		if (l + 8 <= pf->nlit)
			memcpy(&m8, mark + l, 8);
		if (l + 8 <= pf->nlit && !m8) {
			for (size_t k = 0; k < 8; k++)
				d->own_start[l + k] = np;
			l += 8;
			continue;
		}
		d->own_start[l] = np;
		for (uint32_t p = pf->lit_start[l]; mark[l] && p < pf->lit_start[l + 1]; p++)
			if (active(classes, pf->rule_class[pf->lit_rules[p] >> 3]))
				own[np++] = pf->lit_rules[p];
		l++;
	}
	d->own_start[pf->nlit] = d->own_start[pf->nlit + 1] = np;
	if (np < room) { /* give back what the rules of other classes took */
		uint32_t *shrunk = realloc(own, (np ? np : 1) * sizeof *own);
		if (shrunk)
			d->own_pairs = shrunk;
	}
	d->start = d->own_start;
	d->pairs = d->own_pairs;
	if (d->kw && (rc = subdb_keywords(pf, mark, s, &d->kwdb, &d->kwmin)))
		goto exit;
	/* a field no rule of these classes tests with a literal is not looked at */
	if (!(d->fseen = calloc((size_t)pf->nfields + 1, 1))) {
		rc = AS_ENOMEM;
		goto exit;
	}
	for (size_t i = 0; i < rs->nrules; i++) {
		const struct sigma_rule *r = rs->rules[i];
		if (r->kind != SK_CORRELATION && active(classes, r->lsclass))
			detection_fields(&r->det, pf->nfields, d->fseen);
	}
	for (size_t f = 0; f < pf->nfields; f++)
		d->fseen[f] &= pf->all.fseen[f];
exit:
	free(mark);
	if (rc)
		sigma_pfdb_free(d);
	else
		*out = d;
	return rc;
}

int sigma_prefilter_build(struct sigma_ruleset *rs)
{
	struct lit_table t = {0};
	struct cnf *sets = calloc(rs->nrules ? rs->nrules : 1, sizeof *sets);
	struct sigma_prefilter *pf = calloc(1, sizeof *pf);
	int rc = 0;
	map_init(&t.idx);
	if (pf)
		map_init(&pf->hashed);
	if (!sets || !pf) {
		rc = AS_ENOMEM;
		goto exit;
	}
	pf->nrules = rs->nrules;
	pf->full = calloc(rs->nrules ? rs->nrules : 1, 1);
	if (!pf->full) {
		rc = AS_ENOMEM;
		goto exit;
	}
	size_t pairs = 0;
	for (size_t i = 0; i < rs->nrules && !rc; i++) {
		struct sigma_rule *r = rs->rules[i];
		sets[i].n = 0;
		if (r->kind != SK_CORRELATION)
			rc = detection_lits(&t, &rs->arena, &r->det);
		if (rc || r->kind != SK_DETECTION)
			continue;
		rc = cond_cnf(&t, &r->det, r->det.cond, &sets[i]);
		r->prefiltered = sets[i].n > 0;
		pf->full[i] = (uint8_t)((1u << sets[i].n) - 1);
		for (unsigned c = 0; c < sets[i].n; c++)
			pairs += sets[i].cl[c].n;
	}
	if (rc)
		goto exit;
	/* literal → rules */
	pf->nlit = t.n;
	pf->lit_start = calloc(t.n + 2, sizeof *pf->lit_start);
	pf->lit_rules = malloc((pairs ? pairs : 1) * sizeof *pf->lit_rules);
	pf->kind = malloc(t.n + 1);
	if (!pf->lit_start || !pf->lit_rules || !pf->kind) {
		rc = AS_ENOMEM;
		goto exit;
	}
	if (t.n)
		memcpy(pf->kind, t.kind, t.n);
	for (size_t i = 0; i < rs->nrules; i++)
		for (unsigned c = 0; c < sets[i].n; c++)
			for (size_t k = 0; k < sets[i].cl[c].n; k++)
				pf->lit_start[sets[i].cl[c].lit[k] + 1]++;
	for (size_t l = 0; l < t.n; l++)
		pf->lit_start[l + 1] += pf->lit_start[l];
	{
		uint32_t *fill = calloc(t.n + 1, sizeof *fill);
		if (!fill) {
			rc = AS_ENOMEM;
			goto exit;
		}
		for (size_t i = 0; i < rs->nrules; i++)
			for (unsigned c = 0; c < sets[i].n; c++)
				for (size_t k = 0; k < sets[i].cl[c].n; k++) {
					uint32_t l = sets[i].cl[c].lit[k];
					pf->lit_rules[pf->lit_start[l] + fill[l]++] =
					    (uint32_t)i << 3 | c;
				}
		free(fill);
	}
	/* per class: the rules that always run */
	pf->always_start = calloc(rs->nclasses + 2, sizeof *pf->always_start);
	pf->always = malloc((rs->nrules ? rs->nrules : 1) * sizeof *pf->always);
	if (!pf->always_start || !pf->always) {
		rc = AS_ENOMEM;
		goto exit;
	}
	{
		size_t k = 0;
		for (size_t c = 0; c < rs->nclasses; c++) {
			pf->always_start[c] = (uint32_t)k;
			for (size_t i = 0; i < rs->nrules; i++) {
				struct sigma_rule *r = rs->rules[i];
				if (r->kind == SK_DETECTION && !r->prefiltered && r->lsclass == c)
					pf->always[k++] = (uint32_t)i;
			}
		}
		pf->always_start[rs->nclasses] = (uint32_t)k;
	}
	if ((rc = class_literals(rs, pf)) || (rc = field_dbs(rs, pf, &t)) ||
	    (rc = keep_keywords(pf, &t)))
		goto exit;
	pf->rule_class = malloc((rs->nrules + 1) * sizeof *pf->rule_class);
	if (!pf->rule_class) {
		rc = AS_ENOMEM;
		goto exit;
	}
	for (size_t i = 0; i < rs->nrules; i++)
		pf->rule_class[i] =
		    rs->rules[i]->kind == SK_DETECTION ? rs->rules[i]->lsclass : UINT32_MAX;
	pf->all = (struct sigma_pfdb){
	    .start = pf->lit_start, .pairs = pf->lit_rules, .kw = true, .kwmin = pf->all.kwmin};
	if (!(pf->all.fseen = calloc(pf->nfields + 1, 1))) {
		rc = AS_ENOMEM;
		goto exit;
	}
	for (size_t f = 0; f < pf->nfields; f++)
		pf->all.fseen[f] = pf->fhash[f] || pf->fdb[f];
exit:
	for (size_t i = 0; sets && i < rs->nrules; i++)
		cnf_free(&sets[i]);
	free(sets);
	for (size_t l = 0; l < t.n; l++)
		free(t.text[l]);
	free(t.text);
	free(t.len);
	free(t.cased);
	free(t.kind);
	map_free(&t.idx);
	if (rc) {
		sigma_prefilter_free(pf);
		return rc;
	}
	rs->pf = pf;
	return 0;
}

int sigma_pf_scratch_new(const struct sigma_prefilter *pf, struct sigma_pf_scratch **out)
{
	struct sigma_pf_scratch *s = calloc(1, sizeof *s);
	if (!s)
		return AS_ENOMEM;
	s->rstate = calloc(pf->nrules + 1, sizeof *s->rstate);
	s->lithit = calloc(pf->nlit / 64 + 1, sizeof *s->lithit);
	s->littouched = malloc((pf->nlit + 1) * sizeof *s->littouched);
	s->fill = malloc((pf->nlit + 1) * sizeof *s->fill); /* a literal at most once */
	s->stamp = calloc(pf->nlit + 1, sizeof *s->stamp);
	/* slots and ring in one zeroed mapping, on huge pages where the
	 * system gives them: the look-ups go all over 9 MiB, and with small
	 * pages most of them would also miss the TLB */
	void *m = mmap(NULL, VC_MAP, PROT_READ | PROT_WRITE, MAP_PRIVATE | MAP_ANONYMOUS, -1, 0);
	if (m != MAP_FAILED) {
		madvise(m, VC_MAP, MADV_HUGEPAGE);
		s->slots = m;
		s->ring = (unsigned char *)m + VC_SLOTS * sizeof *s->slots;
	}
	int rc =
	    s->rstate && s->lithit && s->littouched && s->fill && s->stamp && s->slots && s->ring
		? 0
		: AS_ENOMEM;
	/* one scratch fits every database */
	for (size_t i = 0; !rc && i < pf->ndbs; i++)
		if (hs_alloc_scratch(pf->dbs[i], &s->s) != HS_SUCCESS)
			rc = AS_ENOMEM;
	if (rc) {
		sigma_pf_scratch_free(s);
		return rc;
	}
	*out = s;
	return 0;
}

void sigma_pf_scratch_free(struct sigma_pf_scratch *s)
{
	if (!s)
		return;
	if (s->s)
		hs_free_scratch(s->s);
	free(s->rstate);
	free(s->lithit);
	free(s->littouched);
	free(s->fill);
	free(s->stamp);
	free(s->kwbuf);
	if (s->slots)
		munmap(s->slots, VC_MAP);
	free(s);
}

void sigma_pf_scratch_forget(struct sigma_pf_scratch *s)
{
	s->head += VC_RING; /* every entry is now one ring behind: stale */
	s->hits = s->misses = 0;
}

void sigma_pf_scratch_stats(const struct sigma_pf_scratch *s, unsigned long long *hits,
			    unsigned long long *misses)
{
	*hits = s->hits;
	*misses = s->misses;
}

void sigma_pf_scratch_set_event_number(struct sigma_pf_scratch *s, uint32_t n)
{
	s->rgen = n;
}

struct hit_ctx {
	const struct sigma_prefilter *pf;
	const struct sigma_pfdb *d;
	struct sigma_pf_scratch *s;
	uint32_t *cand; /* rules whose clauses are all seen, in the order they were */
	size_t ncand;
};

/* Literal id seen in the event: mark it and its (rule, clause) pairs.
 * Inlined into the replay of a known value, where most of its calls come
 * from: the call and saving registers cost as much as its usual one pair. */
__attribute__((always_inline)) static inline void hit(struct hit_ctx *h, uint32_t id)
{
	struct sigma_pf_scratch *s = h->s;
	uint64_t *word = &s->lithit[id / 64], bit = 1ull << (id % 64);
	if (*word & bit)
		return; /* seen in an earlier value: its pairs are marked */
	*word |= bit;
	s->littouched[s->nlittouched++] = id;
	/* in locals: the stores would otherwise make the compiler read every
	 * pointer again for each pair */
	const uint32_t *p = h->d->pairs + h->d->start[id], *end = h->d->pairs + h->d->start[id + 1];
	const uint8_t *full = h->pf->full;
	uint32_t *state = s->rstate, now = s->rgen << 8, *cand = h->cand;
	size_t nc = h->ncand;
	for (; p < end; p++) {
		uint32_t r = *p >> 3, was = state[r];
		if ((was & ~0xffu) != now)
			was = now; /* first clause of this rule in this event */
		uint32_t m = was | 1u << (*p & 7);
		state[r] = m;
		if (m != was && (m & 0xff) == full[r])
			cand[nc++] = r;
	}
	h->ncand = nc;
}

/* Hyperscan's callback while a value is looked at: add the literal to the
 * current list. */
static int on_collect(unsigned id, unsigned long long from, unsigned long long to, unsigned flags,
		      void *ctx)
{
	(void)from;
	(void)to;
	(void)flags;
	struct sigma_pf_scratch *s = ctx;
	if (s->stamp[id] != s->gen) {
		s->stamp[id] = s->gen;
		s->fill[s->nfill++] = id;
	}
	return 0;
}

/* The hash look-ups of field f's value v: its file name, the whole value,
 * its integer; a length no hashed text has is not looked up. */
static void hashed_find(const struct sigma_prefilter *pf, uint32_t f, struct slice v,
			struct sigma_pf_scratch *s)
{
	char key[1024 + 5];
	uint64_t l;
	memcpy(key, &f, 4);
	if (pf->fhash[f] & 1) {
		const char *b = memrchr(v.ptr, '\\', v.len);
		size_t n = b ? v.len - (size_t)(b - v.ptr) : 0;
		if (b && n <= pf->fmax[f] && ((pf->flen[2 * (size_t)f] >> (n < 63 ? n : 63)) & 1)) {
			key[4] = 't';
			ascii_lower(key + 5, b, n);
			if (map_get(&pf->hashed, slice_make(key, n + 5), &l))
				on_collect((unsigned)l, 0, 0, 0, s);
		}
	}
	if ((pf->fhash[f] & 2) && v.len <= pf->fmax[f] &&
	    ((pf->flen[2 * (size_t)f + 1] >> (v.len < 63 ? v.len : 63)) & 1)) {
		key[4] = 'e';
		ascii_lower(key + 5, v.ptr, v.len);
		if (map_get(&pf->hashed, slice_make(key, v.len + 5), &l))
			on_collect((unsigned)l, 0, 0, 0, s);
	}
	int64_t x;
	/* the test SM_NUMEQ makes (match.c): the trimmed value as an integer */
	if ((pf->fhash[f] & 4) && !slice_to_i64(slice_trim(v), &x)) {
		key[4] = 'n';
		memcpy(key + 5, &x, sizeof x);
		if (map_get(&pf->hashed, slice_make(key, 5 + sizeof x), &l))
			on_collect((unsigned)l, 0, 0, 0, s);
	}
}

/* A new list in s->fill: the literals already there no longer count as
 * seen (on_collect keeps each literal once a list). */
static void next_list(const struct sigma_prefilter *pf, struct sigma_pf_scratch *s)
{
	if (++s->gen == 0) { /* wrapped: no stamp may look current */
		memset(s->stamp, 0, (pf->nlit + 1) * sizeof *s->stamp);
		s->gen = 1;
	}
}

/* Collect into s->fill the literals of field f's value v: its hash
 * look-ups, then its database. */
static int collect(const struct sigma_prefilter *pf, struct sigma_pf_scratch *s, uint32_t f,
		   struct slice v)
{
	s->nfill = 0;
	next_list(pf, s);
	if (pf->fhash[f])
		hashed_find(pf, f, v, s);
	if (pf->fdb[f] &&
	    hs_scan(pf->fdb[f], v.ptr, (unsigned)v.len, 0, s->s, on_collect, s) != HS_SUCCESS)
		return AS_EENGINE;
	return 0;
}

static size_t vc_size(size_t len, size_t nids)
{
	return (sizeof(struct vc_entry) + ((len + 3) & ~(size_t)3) + 4 * nids + 7) & ~(size_t)7;
}

/* The intact entry for (f, v) under hash k, or NULL. */
static const struct vc_entry *vc_find(const struct sigma_pf_scratch *s, uint64_t k, uint32_t f,
				      struct slice v)
{
	const struct vc_slot *sl = &s->slots[k & (VC_SLOTS - 1)];
	if (!sl->pos || sl->hash != k || sl->pos - 1 + VC_RING < s->head)
		return NULL;
	const struct vc_entry *e = (const void *)(s->ring + (sl->pos - 1) % VC_RING);
	if (e->field != f || e->len != v.len || memcmp(e + 1, v.ptr, v.len))
		return NULL;
	return e;
}

static const uint32_t *vc_ids(const struct vc_entry *e)
{
	return (const uint32_t *)((const unsigned char *)(e + 1) + ((e->len + 3) & ~3u));
}

/* Keep the list just collected for (f, v) under hash k. */
static void vc_store(struct sigma_pf_scratch *s, uint64_t k, uint32_t f, struct slice v)
{
	size_t size = vc_size(v.len, s->nfill);
	if (s->head % VC_RING + size > VC_RING)
		s->head += VC_RING - s->head % VC_RING; /* an entry never wraps */
	struct vc_entry *e = (void *)(s->ring + s->head % VC_RING);
	*e = (struct vc_entry){.field = f, .len = (uint32_t)v.len, .n = (uint32_t)s->nfill};
	memcpy(e + 1, v.ptr, v.len);
	memcpy((void *)vc_ids(e), s->fill, s->nfill * sizeof *s->fill);
	s->slots[k & (VC_SLOTS - 1)] = (struct vc_slot){.hash = k, .pos = s->head + 1};
	s->head += size;
}

static uint64_t vc_hash(uint32_t f, struct slice v)
{
	return hash_bytes_seeded(v.ptr, v.len, hash_seed ^ (f * HASH_K2));
}

/* Mark the literals of field f's value v, from the cache when it knows
 * them; k is vc_hash(f, v). */
static int value_lits(struct hit_ctx *h, uint32_t f, struct slice v, uint64_t k)
{
	struct sigma_pf_scratch *s = h->s;
	bool keep = v.len <= VC_MAXVAL;
	const struct vc_entry *e = keep ? vc_find(s, k, f, v) : NULL;
	if (e) {
		s->hits++;
		const uint32_t *ids = vc_ids(e);
		for (uint32_t i = 0; i < e->n; i++)
			hit(h, ids[i]);
		return 0;
	}
	s->misses++;
	int rc = collect(h->pf, s, f, v);
	if (rc)
		return rc;
	for (size_t i = 0; i < s->nfill; i++)
		hit(h, s->fill[i]);
	if (keep && s->nfill <= VC_MAXLIT)
		vc_store(s, k, f, v);
	return 0;
}

static int on_hit(unsigned id, unsigned long long from, unsigned long long to, unsigned flags,
		  void *ctx)
{
	(void)from;
	(void)to;
	(void)flags;
	hit(ctx, id);
	return 0;
}

/* The keyword scan of an event: its values one after the other, each
 * followed by a NUL, in one pass. A literal within a value is found here;
 * one found across two values only makes a rule a candidate that its
 * exact evaluation (match.c, each value alone) turns down. One pass costs
 * far less than a look-up per value: most values are seen once, and most
 * hold no keyword literal. Values shorter than every literal are left out.
 * The values are added to the buffer by the loop over the event's fields
 * that also does the field look-ups: one walk of the fields, not two. */
static int keyword_grow(struct sigma_pf_scratch *s, size_t n, size_t need)
{
	size_t cap = s->kwcap ? s->kwcap : 4096;
	while (cap < need)
		cap *= 2;
	/* on a 64-byte boundary: Hyperscan's scan of it costs up to a fifth
	 * more when it starts elsewhere */
	char *b = aligned_alloc(64, cap);
	if (!b)
		return AS_ENOMEM;
	if (n)
		memcpy(b, s->kwbuf, n);
	free(s->kwbuf);
	s->kwbuf = b;
	s->kwcap = cap;
	return 0;
}

static inline int keyword_add(struct sigma_pf_scratch *s, size_t *n, struct slice v)
{
	if (*n + v.len + 1 > s->kwcap && keyword_grow(s, *n, *n + v.len + 1))
		return AS_ENOMEM;
	memcpy(s->kwbuf + *n, v.ptr, v.len);
	*n += v.len;
	s->kwbuf[(*n)++] = 0;
	return 0;
}

int sigma_prefilter_scan_fields(const struct sigma_prefilter *pf, const struct sigma_pfdb *d,
				struct sigma_pf_scratch *s, const struct event *ev, uint32_t *cand,
				size_t *ncand)
{
	for (size_t i = 0; i < s->nlittouched; i++)
		s->lithit[s->littouched[i] / 64] = 0;
	s->nlittouched = 0;
	if (++s->rgen >= 1u << 24) {
		memset(s->rstate, 0, (pf->nrules + 1) * sizeof *s->rstate);
		s->rgen = 1;
	}
	if (!d)
		d = &pf->all;
	struct hit_ctx h = {pf, d, s, cand, 0};
	const hs_database_t *kwdb = d->kwdb ? d->kwdb : pf->fdb[pf->nfields];
	bool kw = d->kw && kwdb;
	int rc = 0;
	if (!ev->nfields) {
		/* without fields only keywords can match, on the raw record */
		if (kw && ev->raw.len && ev->raw.len <= UINT32_MAX &&
		    hs_scan(kwdb, ev->raw.ptr, (unsigned)ev->raw.len, 0, s->s, on_hit, &h) !=
			HS_SUCCESS)
			rc = AS_EENGINE;
		goto exit;
	}
	/* in batches: the cache slots and entries of a batch are fetched from
	 * memory together rather than one miss after the other */
	struct {
		struct slice v;
		uint64_t k;
		uint32_t f;
	} b[32];
	/* values this long go to the keyword scan: none without keywords */
	size_t kwmin = !kw ? SIZE_MAX : d->kwmin ? d->kwmin : 1, nkw = 0;
	for (uint32_t i = 0; i < ev->nfields && !rc;) {
		size_t nb = 0;
		for (; i < ev->nfields && nb < sizeof b / sizeof *b; i++) {
			struct slice v = ev->fields[i].value;
			uint32_t f = ev->fields[i].name;
			if (v.len >= kwmin && (rc = keyword_add(s, &nkw, v)))
				break;
			if (f >= pf->nfields || !d->fseen[f] || !v.len || v.len > UINT32_MAX)
				continue;
			uint64_t k = v.len <= VC_MAXVAL ? vc_hash(f, v) : 0;
			__builtin_prefetch(&s->slots[k & (VC_SLOTS - 1)]);
			b[nb++] = (typeof(b[0])){v, k, f};
		}
		for (size_t j = 0; j < nb; j++) {
			const struct vc_slot *sl = &s->slots[b[j].k & (VC_SLOTS - 1)];
			if (sl->pos)
				__builtin_prefetch(s->ring + (sl->pos - 1) % VC_RING);
		}
		for (size_t j = 0; j < nb && !rc; j++)
			rc = value_lits(&h, b[j].f, b[j].v, b[j].k);
	}
	if (!rc && nkw > UINT32_MAX)
		rc = AS_ETOOBIG;
	else if (!rc && nkw &&
		 hs_scan(kwdb, s->kwbuf, (unsigned)nkw, 0, s->s, on_hit, &h) != HS_SUCCESS)
		rc = AS_EENGINE;
exit:
	/* rule order, as evaluating every rule would raise their alerts; an
	 * event mostly has a few candidates */
	sort_u32(cand, h.ncand);
	*ncand = h.ncand;
	return rc;
}

const uint64_t *sigma_pf_scratch_hits(const struct sigma_pf_scratch *s)
{
	return s->lithit;
}

const uint32_t *sigma_prefilter_always(const struct sigma_prefilter *pf, uint32_t cls, size_t *n)
{
	*n = pf->always_start[cls + 1] - pf->always_start[cls];
	return pf->always + pf->always_start[cls];
}
