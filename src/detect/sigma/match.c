/*
 * match.c — evaluating a compiled detection on one event.
 *
 * The event's fields are indexed once, when evaluation first looks one up
 * (three events in four of a Windows log have no candidate rule and no
 * always-run rule, and never do): a stamped table from field id to field
 * position (so a look-up is one array read, and stale entries of earlier
 * events are ignored by their stamp, not cleared). sigma_worker_set_event()
 * makes room for lower-cased copies of values, made only when a
 * case-insensitive matcher first asks for one. Selections are memoised per rule evaluation,
 * so `1 of selection_*` and a repeated identifier cost one evaluation each.
 */
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include "core/error.h"
#include "core/limits.h"
#include "core/timeparse.h"
#include "detect/sigma/sigma_int.h"
#include "event/fieldname.h"

static int grow_slots(struct sigma_worker *w, uint32_t need)
{
	uint32_t n = w->nslot ? w->nslot : 1024;
	while (n <= need)
		n *= 2;
	struct sigma_slot *s = realloc(w->slot, n * sizeof *s);
	if (!s)
		return AS_ENOMEM;
	memset(s + w->nslot, 0, (n - w->nslot) * sizeof *s);
	w->slot = s;
	w->nslot = n;
	return 0;
}

static void index_fields(struct sigma_worker *w)
{
	const struct event *ev = w->ev;
	w->indexed = true;
	if (++w->gen == 0) {
		memset(w->slot, 0, w->nslot * sizeof *w->slot);
		w->gen = 1;
	}
	uint32_t nf = ev->nfields, gen = w->gen;
	for (uint32_t i = 0; i < nf; i++) {
		uint32_t id = ev->fields[i].name;
		if (id >= w->nslot && grow_slots(w, id))
			continue; /* out of memory: the field stays invisible */
		struct sigma_slot *s = &w->slot[id];
		if (s->gen != gen)
			*s = (struct sigma_slot){gen, i + 1};
	}
}

void sigma_worker_set_event(struct sigma_worker *w, const struct event *ev)
{
	w->ev = ev;
	w->indexed = false;
	uint32_t nf = ev->nfields;
	if (nf + 1 > w->lower_cap_fields) {
		uint32_t *o = realloc(w->lower_off, (nf + 1) * sizeof *o);
		if (o)
			w->lower_off = o;
		uint8_t *pb = o ? realloc(w->parsed, nf + 1) : NULL;
		if (pb)
			w->parsed = pb;
		int64_t *iv = pb ? realloc(w->ival, (nf + 1) * sizeof *iv) : NULL;
		if (iv)
			w->ival = iv;
		struct ip *ipv = iv ? realloc(w->ipval, (nf + 1) * sizeof *ipv) : NULL;
		if (ipv) {
			w->ipval = ipv;
			w->lower_cap_fields = nf + 1;
		}
	}
	/* (short of memory the arrays may be shorter than the event: entries
	 * past their end are computed without caching) */
	uint32_t nc = w->lower_cap_fields < nf + 1 ? w->lower_cap_fields : nf + 1;
	if (nc) {
		memset(w->lower_off, 0, nc * sizeof *w->lower_off);
		memset(w->parsed, 0, nc);
	}
	w->lower_len = 0;
}

static int field_index(struct sigma_worker *w, const struct sigma_field *f)
{
	if (!w->indexed)
		index_fields(w);
	for (unsigned i = 0; i < f->nids; i++) {
		uint32_t id = f->ids[i];
		if (id < w->nslot && w->slot[id].gen == w->gen)
			return (int)w->slot[id].pos - 1;
	}
	return -1;
}

const struct field *sigma_worker_field(struct sigma_worker *w, const struct sigma_field *f)
{
	int i = field_index(w, f);
	return i < 0 ? NULL : &w->ev->fields[i];
}

/* Value idx (nfields = the raw record), lower-cased when asked. */
static struct slice value_of(struct sigma_worker *w, uint32_t idx, bool lower)
{
	const struct event *ev = w->ev;
	struct slice v = idx < ev->nfields ? ev->fields[idx].value : ev->raw;
	if (!lower || !v.len)
		return v;
	if (w->lower_cap_fields <= idx)
		goto slow;
	if (w->lower_off[idx])
		return slice_make(w->lower + w->lower_off[idx] - 1, v.len);
	if (w->lower_len + v.len > w->lower_cap) {
		size_t nc = w->lower_cap ? w->lower_cap : 4096;
		while (nc < w->lower_len + v.len)
			nc *= 2;
		if (nc > AS_MAX_LINE * 4)
			goto slow;
		/* earlier copies move: offsets stay valid, pointers are re-derived */
		char *nl = realloc(w->lower, nc);
		if (!nl)
			goto slow;
		w->lower = nl;
		w->lower_cap = nc;
	}
	char *d = w->lower + w->lower_len;
	ascii_lower(d, v.ptr, v.len);
	w->lower_off[idx] = (uint32_t)w->lower_len + 1;
	w->lower_len += v.len;
	return slice_make(d, v.len);
slow:
	/* cannot cache: an uncached match would be wrong, so compare on a
	 * temporary is not possible here; fall back to the original bytes and
	 * let the caller's case-insensitive path handle it */
	return SLICE_NULL;
}

#define PV_INT      1u
#define PV_INT_OK   2u
#define PV_IP       4u
#define PV_IP_OK    8u
#define PV_ASCII    16u
#define PV_ASCII_OK 32u

/* Is value idx all ASCII? Asked once per event. */
static bool ascii_of(struct sigma_worker *w, uint32_t idx, struct slice raw)
{
	if (w->lower_cap_fields <= idx)
		return slice_is_ascii(raw);
	uint8_t *p = &w->parsed[idx];
	if (!(*p & PV_ASCII))
		*p |= PV_ASCII | (slice_is_ascii(raw) ? PV_ASCII_OK : 0);
	return *p & PV_ASCII_OK;
}

/* The literals of m->seq in order, each after the end of the one before,
 * within one line of v (within v with seq_dotall). */
static bool seq_match(const struct sigma_matcher *m, struct slice v)
{
	const char *s = v.ptr, *end = v.ptr + v.len;
	for (;;) {
		const char *eol = m->seq_dotall ? NULL : memchr(s, '\n', (size_t)(end - s));
		if (!eol)
			eol = end;
		const char *at = s;
		const uint8_t *lit = m->seq;
		unsigned k = 0;
		for (; k < m->nseq; k++, lit += 1 + lit[0]) {
			const char *f = memmem(at, (size_t)(eol - at), lit + 1, lit[0]);
			if (!f)
				break;
			at = f + lit[0];
		}
		if (k == m->nseq)
			return true;
		if (eol == end)
			return false;
		s = eol + 1;
	}
}

/* Value idx as an integer (the test of plain numbers), parsed once per event. */
static bool int_of(struct sigma_worker *w, uint32_t idx, struct slice raw, int64_t *out)
{
	if (w->lower_cap_fields <= idx)
		return !slice_to_i64(slice_trim(raw), out);
	uint8_t *p = &w->parsed[idx];
	if (!(*p & PV_INT)) {
		*p |= PV_INT;
		if (!slice_to_i64(slice_trim(raw), &w->ival[idx]))
			*p |= PV_INT_OK;
	}
	*out = w->ival[idx];
	return *p & PV_INT_OK;
}

/* Value idx as an IP address, parsed once per event. */
static const struct ip *ip_of(struct sigma_worker *w, uint32_t idx, struct slice raw,
			      struct ip *tmp)
{
	if (w->lower_cap_fields <= idx)
		return ip_parse(slice_trim(raw), tmp) ? NULL : tmp;
	uint8_t *p = &w->parsed[idx];
	if (!(*p & PV_IP)) {
		*p |= PV_IP;
		if (!ip_parse(slice_trim(raw), &w->ipval[idx]))
			*p |= PV_IP_OK;
	}
	return *p & PV_IP_OK ? &w->ipval[idx] : NULL;
}

static bool glob(const char *p, const uint8_t *wm, size_t pn, const char *s, size_t sn)
{
	size_t pi = 0, si = 0, star = (size_t)-1, mark = 0;
	while (si < sn) {
		if (pi < pn && wm[pi] == '*') {
			star = pi++;
			mark = si;
		} else if (pi < pn && (wm[pi] == '?' || p[pi] == s[si])) {
			pi++;
			si++;
		} else if (star != (size_t)-1) {
			pi = star + 1;
			si = ++mark;
		} else {
			return false;
		}
	}
	while (pi < pn && wm[pi] == '*')
		pi++;
	return pi == pn;
}

static bool glob_match(const struct sigma_matcher *m, struct slice v)
{
	switch (m->shape) {
	case SH_EXACT:
		return v.len == m->len && !memcmp(v.ptr, m->pat, m->len);
	case SH_PREFIX:
		return v.len >= m->len && !memcmp(v.ptr, m->pat, m->len);
	case SH_SUFFIX:
		return v.len >= m->len && !memcmp(v.ptr + v.len - m->len, m->pat, m->len);
	case SH_CONTAINS:
		return m->len == 0 || (v.len >= m->len && memmem(v.ptr, v.len, m->pat, m->len));
	case SH_ANY:
		return true;
	default:
		return glob(m->pat, m->wild, m->len, v.ptr, v.len);
	}
}

static bool time_value(const struct sigma_matcher *m, struct slice v, double *out)
{
	int64_t us;
	if (time_parse_any(v, &us))
		return false;
	time_t t = (time_t)(us / 1000000);
	struct tm tm;
	if (!gmtime_r(&t, &tm))
		return false;
	char wk[8];
	switch (m->time) {
	case TM_MINUTE:
		*out = tm.tm_min;
		break;
	case TM_HOUR:
		*out = tm.tm_hour;
		break;
	case TM_DAY:
		*out = tm.tm_mday;
		break;
	case TM_WEEK:
		strftime(wk, sizeof wk, "%V", &tm);
		*out = atoi(wk);
		break;
	case TM_MONTH:
		*out = tm.tm_mon + 1;
		break;
	default:
		*out = tm.tm_year + 1900;
		break;
	}
	return true;
}

/* One matcher against the value of field idx (present). */
static bool value_match(struct sigma_worker *w, const struct sigma_matcher *m, uint32_t idx)
{
	struct slice raw = idx < w->ev->nfields ? w->ev->fields[idx].value : w->ev->raw;
	/* the prefilter saw every literal of the event: one bit test saves a
	 * search, a regex or a number's parse */
	if (w->lithit && m->lit != UINT32_MAX && !((w->lithit[m->lit / 64] >> (m->lit % 64)) & 1))
		return false;
	switch (m->kind) {
	case SM_GLOB:
		if (m->cased)
			return glob_match(m, raw);
		{
			struct slice l = value_of(w, idx, true);
			if (!l.ptr && raw.len) {
				/* no room to cache a lower-cased copy: compare on a private one */
				char *tmp = malloc(raw.len);
				if (!tmp)
					return false;
				for (size_t i = 0; i < raw.len; i++)
					tmp[i] = (raw.ptr[i] >= 'A' && raw.ptr[i] <= 'Z')
						     ? (char)(raw.ptr[i] | 32)
						     : raw.ptr[i];
				bool r = glob_match(m, slice_make(tmp, raw.len));
				free(tmp);
				return r;
			}
			return glob_match(m, l);
		}
	case SM_RE: {
		if (m->seq && ascii_of(w, idx, raw)) {
			struct slice v = m->cased ? raw : value_of(w, idx, true);
			if (v.ptr || !raw.len)
				return v.len && seq_match(m, v);
		}
		if (raw.len < m->re_minlen)
			return false;
		for (const char *c = m->need; *c; c++)
			if (!memchr(raw.ptr, *c, raw.len))
				return false;
		int rc = pcre2_match(m->re, (PCRE2_SPTR)(raw.ptr ? raw.ptr : ""), raw.len, 0, 0,
				     w->md, w->mctx);
		return rc >= 0;
	}
	case SM_CIDR: {
		struct ip tmp;
		const struct ip *ip = ip_of(w, idx, raw, &tmp);
		return ip && cidr_contains(&m->cidr, ip);
	}
	case SM_NUMCMP: {
		double d;
		if (m->time ? !time_value(m, raw, &d) : slice_to_double(slice_trim(raw), &d))
			return false;
		switch (m->cmp) {
		case CMP_LT:
			return d < m->num;
		case CMP_LTE:
			return d <= m->num;
		case CMP_GT:
			return d > m->num;
		default:
			return d >= m->num;
		}
	}
	case SM_NUMEQ: {
		if (m->time) {
			double d;
			return time_value(m, raw, &d) && d == m->num;
		}
		int64_t x;
		if (int_of(w, idx, raw, &x))
			return x == m->inum;
		return slice_eq_nocase(raw, slice_make(m->pat, m->len));
	}
	case SM_FIELDREF: {
		const struct field *o = sigma_worker_field(w, &m->ref);
		return o && slice_eq_nocase(raw, o->value);
	}
	default:
		return false;
	}
}

static bool matcher_eval(struct sigma_worker *w, const struct sigma_matcher *m, int idx)
{
	const struct event *ev = w->ev;
	if (m->kind == SM_EXISTS)
		return (idx >= 0) == m->exists;
	if (m->kind == SM_NULL)
		return idx < 0 || ev->fields[idx].type == FT_NULL || ev->fields[idx].value.len == 0;
	if (idx < 0)
		return false;
	bool r = value_match(w, m, (uint32_t)idx);
	return m->neq ? !r : r;
}

static bool keyword_eval(struct sigma_worker *w, const struct sigma_matcher *m)
{
	const struct event *ev = w->ev;
	if (!ev->nfields)
		return value_match(w, m, 0) != m->neq;
	for (uint32_t i = 0; i < ev->nfields; i++)
		if (ev->fields[i].type != FT_NULL && value_match(w, m, i))
			return !m->neq;
	return m->neq;
}

static void note_match(struct sigma_worker *w, int idx)
{
	if (idx < 0 || w->nmatched >= sizeof w->matched / sizeof *w->matched)
		return;
	for (uint32_t i = 0; i < w->nmatched; i++)
		if (w->matched[i] == (uint32_t)idx)
			return;
	w->matched[w->nmatched++] = (uint32_t)idx;
}

/* Does value group [from, to) of the item match (any variant)? A matcher
 * whose literal the prefilter did not see in the event cannot match, and is
 * passed over from the item's array of literals. */
static bool group_eval(struct sigma_worker *w, const struct sigma_item *it, uint32_t from,
		       uint32_t to, int idx)
{
	const uint64_t *hit = w->lithit;
	const uint32_t *lits = hit ? it->lits : NULL;
	for (uint32_t i = from; i < to; i++) {
		if (lits && lits[i] != UINT32_MAX && !((hit[lits[i] / 64] >> (lits[i] % 64)) & 1))
			continue;
		if (it->keyword ? keyword_eval(w, &it->m[i]) : matcher_eval(w, &it->m[i], idx))
			return true;
	}
	return false;
}

static bool item_eval(struct sigma_worker *w, const struct sigma_item *it)
{
	int idx = it->keyword ? -1 : field_index(w, &it->field);
	if (idx < 0 && !it->keyword && it->absent_false)
		return false;
	bool r;
	if (!it->all) {
		r = group_eval(w, it, 0, it->nm, idx);
	} else {
		r = true;
		for (uint32_t g = 0; g < it->ngroups && r; g++)
			r = group_eval(w, it, g ? it->gend[g - 1] : 0, it->gend[g], idx);
	}
	if (r && !it->keyword)
		note_match(w, idx);
	return r;
}

static bool sel_eval(struct sigma_worker *w, const struct sigma_detection *d, uint32_t s)
{
	uint8_t *c = &w->selcache[s];
	if (*c)
		return *c == 2;
	const struct sigma_sel *sel = &d->sels[s];
	bool any = false;
	for (uint32_t g = 0; g < sel->n && !any; g++) {
		bool all = true;
		for (uint32_t i = 0; i < sel->groups[g].n && all; i++)
			all = item_eval(w, &sel->groups[g].items[i]);
		any = all;
	}
	*c = any ? 2 : 1;
	return any;
}

static bool cond_eval(struct sigma_worker *w, const struct sigma_detection *d,
		      const struct sigma_cond *c)
{
	switch (c->op) {
	case C_SEL:
		return sel_eval(w, d, c->sel);
	case C_AND:
		return cond_eval(w, d, c->a) && cond_eval(w, d, c->b);
	case C_OR:
		return cond_eval(w, d, c->a) || cond_eval(w, d, c->b);
	case C_NOT:
		return !cond_eval(w, d, c->a);
	case C_OF: {
		uint32_t hits = 0;
		for (uint32_t i = 0; i < c->nof; i++) {
			if (sel_eval(w, d, c->of[i]) && ++hits >= c->need)
				return true;
			if (hits + (c->nof - i - 1) < c->need)
				return false;
		}
		return false;
	}
	}
	return false;
}

bool sigma_detection_eval(struct sigma_worker *w, const struct sigma_detection *d)
{
	memset(w->selcache, 0, d->nsels);
	return cond_eval(w, d, d->cond);
}

bool sigma_rule_eval(struct sigma_worker *w, const struct sigma_rule *r)
{
	w->nmatched = 0;
	if (!sigma_detection_eval(w, &r->det))
		return false;
	uint32_t keep = w->nmatched;
	for (uint32_t i = 0; i < r->nfilters; i++) {
		const struct sigma_rule *f = r->filters[i];
		/* a filter applies to the events of its own logsource */
		const uint64_t *cb = w->cur;
		if (!((cb[f->lsclass / 64] >> (f->lsclass % 64)) & 1))
			continue;
		if (sigma_detection_eval(w, &f->det)) {
			w->nmatched = keep;
			return false;
		}
	}
	w->nmatched = keep;
	return true;
}
