/*
 * findings.c — the key findings of a landscape in a few plain sentences, the
 * lead a manager reads first: volume and its change, the sectors and groups
 * at the top, origin regions, new groups, the exploitation mix and mobile
 * trend, supply chain and commercial platforms. A sentence whose figures
 * are all zero is left out. The renderers escape and lay them out.
 */
#include <stdlib.h>
#include <string.h>

#include "intel/intel.h"
#include "report/report.h"

#define TOP 3 /* items named per sentence */

static void emit(struct buf *b, void (*fn)(void *, const char *), void *ctx)
{
	if (!b->err && b->len)
		fn(ctx, b->data);
	buf_reset(b);
}

static void shares(struct buf *b, const struct landscape *l, const struct rep_tally *t,
		   bool sectors)
{
	size_t k = 0;
	for (size_t i = 0; i < t->n && k < TOP; i++) {
		const struct rep_row *r = t->order[i];
		if (!r->ninc || !strcmp(r->key, "unknown") || !strcmp(r->key, "unattributed"))
			continue;
		buf_printf(b, "%s%s %.0f %%", k ? ", " : "",
			   sectors ? rep_sector_label(r->key) : r->key,
			   100.0 * rep_share(l, r->ninc));
		k++;
	}
}

void rep_findings(const struct landscape *l, const struct landscape *prev,
		  void (*fn)(void *ctx, const char *sentence), void *ctx)
{
	struct buf b = BUF_INIT;
	struct rep_headline h;
	landscape_headline(l, &h);
	buf_printf(&b, "%llu APT attacks against %llu organisations in %llu sectors",
		   (unsigned long long)h.incidents, (unsigned long long)h.orgs,
		   (unsigned long long)h.sectors);
	if (h.campaigns)
		buf_printf(&b, ", in %llu campaigns", (unsigned long long)h.campaigns);
	if (prev) {
		long long d = (long long)l->ninc - (long long)prev->ninc;
		buf_printf(&b, "; %zu in the previous period", prev->ninc);
		if (prev->ninc)
			buf_printf(&b, " (%+.0f %%)", 100.0 * (double)d / (double)prev->ninc);
	}
	buf_puts(&b, ".");
	emit(&b, fn, ctx);
	if (!l->ninc) {
		buf_free(&b);
		return;
	}

	buf_puts(&b, "Most targeted sectors: ");
	size_t mark = b.len;
	shares(&b, l, &l->sectors, true);
	if (b.len > mark) {
		buf_puts(&b, ".");
		emit(&b, fn, ctx);
	}
	buf_reset(&b);

	if (l->groups.n) {
		buf_puts(&b, "Most active groups: ");
		for (size_t i = 0; i < l->groups.n && i < TOP; i++) {
			const struct rep_row *r = l->groups.order[i];
			const struct rep_group *g = r->group;
			const char *cn = g && g->country ? intel_country_name(g->country) : NULL;
			buf_printf(&b, "%s%s (%zu incident%s%s%s)", i ? ", " : "", r->key, r->ninc,
				   r->ninc == 1 ? "" : "s", cn ? ", " : "", cn ? cn : "");
		}
		buf_puts(&b, ". By origin region: ");
		shares(&b, l, &l->regions, false);
		buf_puts(&b, ".");
		emit(&b, fn, ctx);
	}

	if (l->new_groups.n) {
		buf_printf(&b, "%zu new group%s: ", l->new_groups.n,
			   l->new_groups.n == 1 ? "" : "s");
		for (size_t i = 0; i < l->new_groups.n && i < TOP; i++) {
			const struct rep_row *r = l->new_groups.order[i];
			struct rep_tally orgs;
			size_t norgs = 0;
			if (!rep_row_breakdown(l, r, RF_ORG, &orgs)) {
				norgs = orgs.n;
				rep_tally_free(&orgs);
			}
			buf_printf(&b, "%s%s (%zu incident%s against %zu organisation%s)",
				   i ? ", " : "", r->key, r->ninc, r->ninc == 1 ? "" : "s", norgs,
				   norgs == 1 ? "" : "s");
		}
		buf_puts(&b, ".");
		emit(&b, fn, ctx);
	}

	uint64_t pairs = 0;
	for (size_t i = 0; i < l->classes.n; i++)
		pairs += l->classes.rows[i].count;
	if (pairs) {
		static const char *const cls[] = {"0day", "1day", "nday", "unknown"};
		static const char *const lbl[] = {"0-day", "1-day", "n-day", "unknown"};
		buf_printf(&b, "%llu vulnerability exploitations: ", (unsigned long long)pairs);
		for (int c = 0; c < 4; c++) {
			const struct rep_row *r = rep_tally_find(&l->classes, cls[c]);
			buf_printf(&b, "%s%s %.0f %%", c ? ", " : "", lbl[c],
				   r ? 100.0 * (double)r->count / (double)pairs : 0.0);
		}
		if (l->cves.n)
			buf_printf(&b, "; most exploited %s (%zu incidents)", l->cves.order[0]->key,
				   l->cves.order[0]->ninc);
		struct rep_trend tr;
		rep_mobile_trend(l, &tr);
		buf_printf(&b, "; mobile share %.0f %%, %s.", 100.0 * tr.share, tr.direction);
		emit(&b, fn, ctx);
	}

	const struct rep_row *ransom = rep_tally_find(&l->kinds, "ransomware");
	if (ransom && ransom->ninc) {
		buf_printf(&b, "%zu targeted ransomware incident%s, against ", ransom->ninc,
			   ransom->ninc == 1 ? "" : "s");
		struct rep_tally sec;
		if (!rep_row_breakdown(l, ransom, RF_SECTOR, &sec)) {
			for (size_t i = 0; i < sec.n && i < TOP; i++)
				buf_printf(&b, "%s%s", i ? ", " : "",
					   rep_sector_label(sec.order[i]->key));
			rep_tally_free(&sec);
		}
		buf_puts(&b, ".");
		emit(&b, fn, ctx);
	}

	if (l->supply.n) {
		const struct rep_row *r = l->supply.order[0];
		const char *dot = strstr(r->key, " · ");
		int vlen = dot ? (int)(dot - r->key) : (int)strlen(r->key);
		buf_printf(&b, "%llu supply-chain incidents, most through %.*s%s%s%s.",
			   (unsigned long long)h.supply, vlen, r->key, dot ? " (" : "",
			   dot ? dot + strlen(" · ") : "", dot ? ")" : "");
		emit(&b, fn, ctx);
	}
	if (l->commercial.n) {
		buf_puts(&b, "Commercial attack platforms: ");
		for (size_t i = 0; i < l->commercial.n && i < TOP; i++) {
			const struct rep_row *r = l->commercial.order[i];
			struct rep_tally g;
			size_t ng = 0;
			if (!rep_row_breakdown(l, r, RF_GROUP, &g)) {
				ng = g.n - (rep_tally_find(&g, "unattributed") != NULL);
				rep_tally_free(&g);
			}
			buf_printf(&b, "%s%s in %zu incidents (%zu group%s)", i ? ", " : "", r->key,
				   r->ninc, ng, ng == 1 ? "" : "s");
		}
		buf_puts(&b, ".");
		emit(&b, fn, ctx);
	}
	buf_free(&b);
}
