/*
 * md.c — the threat-landscape report in Markdown (GitHub/GitLab flavoured
 * tables) for wikis: the same sections as the HTML report, top
 * AS_REPORT_TOP rows per table, each row ending in the first incident ids
 * behind it (all of them are in the JSON report and the appendix here).
 */
#include <stdlib.h>
#include <string.h>

#include "core/limits.h"
#include "core/timeparse.h"
#include "intel/intel.h"
#include "report/report.h"

#define MD_IDS 5 /* incident ids shown in a table cell */

/* A table cell: pipes and line breaks would end the cell. */
static void cell(struct buf *b, const char *s)
{
	for (; s && *s; s++) {
		if (*s == '|')
			buf_puts(b, "\\|");
		else if (*s == '\n' || *s == '\r')
			buf_putc(b, ' ');
		else
			buf_putc(b, *s);
	}
}

/* An anchor name: letters, digits and '-' only, so an odd id cannot break
 * out of the attribute or the link. */
static void anchor(struct buf *b, const char *s)
{
	for (; *s; s++) {
		char c = *s;
		bool ok =
		    (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') || (c >= '0' && c <= '9');
		buf_putc(b, ok ? c : '-');
	}
}

static void ids(struct buf *b, const struct landscape *l, const struct rep_row *r)
{
	for (size_t i = 0; i < r->ninc && i < MD_IDS; i++) {
		const char *id = l->inc[r->inc[i]].id;
		buf_puts(b, i ? ", [" : "[");
		cell(b, id);
		buf_puts(b, "](#");
		anchor(b, id);
		buf_puts(b, ")");
	}
	if (r->ninc > MD_IDS)
		buf_printf(b, " and %zu more", r->ninc - MD_IDS);
}

static const char *label(const char *keyname, const char *key)
{
	if (!strcmp(keyname, "Sector"))
		return rep_sector_label(key);
	if (!strcmp(keyname, "Country")) {
		const char *n = intel_country_name(key);
		return n ? n : key;
	}
	return key;
}

static void table(struct buf *b, const struct landscape *l, const char *title,
		  const struct rep_tally *t, const char *keyname, size_t most)
{
	buf_printf(b, "## %s\n\n", title);
	if (!t->n) {
		buf_puts(b, "None in this period.\n\n");
		return;
	}
	buf_printf(b, "| %s | Incidents | Share | Incidents behind |\n|---|---:|---:|---|\n",
		   keyname);
	for (size_t i = 0; i < t->n && i < most; i++) {
		const struct rep_row *r = t->order[i];
		buf_puts(b, "| ");
		cell(b, label(keyname, r->key));
		buf_printf(b, " | %zu | %.1f %% | ", r->ninc, 100.0 * rep_share(l, r->ninc));
		ids(b, l, r);
		buf_puts(b, " |\n");
	}
	if (t->n > most)
		buf_printf(b, "\n%zu more in the JSON report.\n", t->n - most);
	buf_puts(b, "\n");
}

static void names(struct buf *b, const struct landscape *l, const struct rep_row *r,
		  enum rep_field f, size_t most)
{
	struct rep_tally t;
	if (rep_row_breakdown(l, r, f, &t))
		return;
	for (size_t i = 0; i < t.n && i < most; i++) {
		buf_puts(b, i ? ", " : "");
		cell(b, f == RF_SECTOR ? rep_sector_label(t.order[i]->key) : t.order[i]->key);
	}
	if (t.n > most)
		buf_printf(b, " and %zu more", t.n - most);
	rep_tally_free(&t);
}

static size_t distinct(const struct landscape *l, const struct rep_row *r, enum rep_field f)
{
	struct rep_tally t;
	if (rep_row_breakdown(l, r, f, &t))
		return 0;
	size_t n = 0;
	for (size_t i = 0; i < t.n; i++)
		n += strcmp(t.rows[i].key, "unknown") != 0;
	rep_tally_free(&t);
	return n;
}

static void groups(struct buf *b, const struct landscape *l, const struct rep_tally *t, bool fresh)
{
	buf_printf(b, "## %s\n\n",
		   fresh ? "New groups (clusters of the period)" : "Most active groups");
	if (!t->n) {
		buf_puts(b, fresh ? "No new group in this period.\n\n"
				  : "No attributed incident.\n\n");
		return;
	}
	if (fresh)
		buf_puts(
		    b, "| Cluster | Incidents | Organisations | Sectors | Techniques | Malware | "
		       "Nearest known | Incidents behind |\n|---|---:|---:|---|---|---|---|---|\n");
	else
		buf_puts(b, "| Group | Aliases | Origin | Region | Incidents | Organisations | "
			    "Sectors | Incidents behind |\n|---|---|---|---|---:|---:|---|---|\n");
	for (size_t i = 0; i < t->n && i < AS_REPORT_TOP; i++) {
		const struct rep_row *r = t->order[i];
		const struct rep_group *g = r->group;
		buf_puts(b, "| ");
		cell(b, r->key);
		if (fresh && g && g->named) {
			buf_puts(b, " (later named ");
			cell(b, g->named);
			buf_puts(b, ")");
		}
		if (!fresh) {
			buf_puts(b, " | ");
			for (size_t j = 0; g && j < g->naliases && j < 8; j++) {
				buf_puts(b, j ? ", " : "");
				cell(b, g->aliases[j]);
			}
			if (g && g->naliases > 8)
				buf_printf(b, " and %zu more", g->naliases - 8);
			const char *cn = g && g->country ? intel_country_name(g->country) : NULL;
			buf_puts(b, " | ");
			cell(b, cn ? cn : (g && g->country ? g->country : "unknown"));
			buf_puts(b, " | ");
			cell(b, g && g->region ? g->region : "unknown");
		}
		buf_printf(b, " | %zu | %zu | ", r->ninc, distinct(l, r, RF_ORG));
		names(b, l, r, RF_SECTOR, 4);
		if (fresh) {
			buf_puts(b, " | ");
			names(b, l, r, RF_TECHNIQUE, 6);
			buf_puts(b, " | ");
			names(b, l, r, RF_MALWARE, 4);
			buf_puts(b, " | ");
			names(b, l, r, RF_NEAREST, 3);
		}
		buf_puts(b, " | ");
		ids(b, l, r);
		buf_puts(b, " |\n");
	}
	buf_puts(b, "\n");
}

static void compare(struct buf *b, const char *title, const char *keyname,
		    const struct rep_tally *now, const struct rep_tally *before)
{
	struct rep_delta *d;
	size_t n;
	if (rep_compare(now, before, &d, &n))
		return;
	buf_printf(b, "### %s\n\n| %s | This period | Previous | Change |\n|---|---:|---:|---:|\n",
		   title, keyname);
	for (size_t i = 0; i < n && i < AS_REPORT_TOP; i++) {
		buf_puts(b, "| ");
		cell(b, !strcmp(keyname, "Sector") ? rep_sector_label(d[i].key) : d[i].key);
		long long ch = (long long)d[i].now - (long long)d[i].before;
		buf_printf(b, " | %llu | %llu | %+lld", (unsigned long long)d[i].now,
			   (unsigned long long)d[i].before, ch);
		if (d[i].before)
			buf_printf(b, " (%+.0f %%)", 100.0 * (double)ch / (double)d[i].before);
		else if (d[i].now)
			buf_puts(b, " (new)");
		buf_puts(b, " |\n");
	}
	buf_puts(b, "\n");
	free(d);
}

static void vulns(struct buf *b, const struct landscape *l)
{
	buf_puts(b, "## Vulnerabilities exploited\n\n");
	uint64_t pairs = 0;
	for (size_t i = 0; i < l->classes.n; i++)
		pairs += l->classes.rows[i].count;
	if (!pairs) {
		buf_puts(b, "No CVE exploitation seen in this period.\n\n");
	} else {
		buf_puts(
		    b,
		    "| Class | Exploitations | Share | Incidents behind |\n|---|---:|---:|---|\n");
		static const char *const cls[] = {"0day", "1day", "nday", "unknown"};
		static const char *const lbl[] = {"0-day", "1-day", "n-day", "unknown"};
		for (int c = 0; c < 4; c++) {
			const struct rep_row *r = rep_tally_find(&l->classes, cls[c]);
			buf_printf(b, "| %s | %llu | %.1f %% | ", lbl[c],
				   (unsigned long long)(r ? r->count : 0),
				   r ? 100.0 * (double)r->count / (double)pairs : 0.0);
			if (r)
				ids(b, l, r);
			buf_puts(b, " |\n");
		}
		buf_puts(b, "\n");
	}
	table(b, l, "Most exploited CVEs", &l->cves, "CVE", AS_REPORT_TOP);
	table(b, l, "Platforms", &l->platforms, "Platform", AS_REPORT_TOP);
	struct rep_trend tr;
	rep_mobile_trend(l, &tr);
	buf_printf(
	    b, "Mobile (Android, iOS): %llu of %llu exploiting incidents (%.1f %%), trend %s.\n\n",
	    (unsigned long long)tr.mobile, (unsigned long long)tr.exploited, 100.0 * tr.share,
	    tr.direction);
}

static void split_table(struct buf *b, const struct landscape *l, const char *title,
			const char *head, const struct rep_tally *t, enum rep_field f)
{
	buf_printf(b, "## %s\n\n", title);
	if (!t->n) {
		buf_puts(b, "None in this period.\n\n");
		return;
	}
	buf_printf(b, "%s\n", head);
	for (size_t i = 0; i < t->n && i < AS_REPORT_TOP; i++) {
		const struct rep_row *r = t->order[i];
		buf_puts(b, "| ");
		const char *dot = strstr(r->key, " · ");
		if (dot) {
			buf_append(b, r->key, (size_t)(dot - r->key));
			buf_puts(b, " | ");
			cell(b, dot + strlen(" · "));
		} else {
			cell(b, r->key);
		}
		buf_printf(b, " | %zu | ", r->ninc);
		if (f == RF_SRC_COUNTRY)
			buf_printf(b, "%llu | ", (unsigned long long)r->volume);
		names(b, l, r, f, 6);
		buf_puts(b, " | ");
		ids(b, l, r);
		buf_puts(b, " |\n");
	}
	buf_puts(b, "\n");
}

static void finding(void *ctx, const char *sentence)
{
	struct buf *b = ctx;
	buf_puts(b, "- ");
	cell(b, sentence);
	buf_puts(b, "\n");
}

int report_md(const struct landscape *l, const struct landscape *prev, struct buf *b)
{
	char d1[64], d2[64];
	struct rep_headline h;
	landscape_headline(l, &h);
	buf_printf(b, "# Threat landscape: %s to %s\n\n", rep_day(l->from, false, d1),
		   rep_day(l->to, true, d2));
	buf_printf(b,
		   "| Figure | Value |\n|---|---:|\n"
		   "| APT attacks (incidents) | %llu |\n| Campaigns | %llu |\n"
		   "| Organisations hit | %llu |\n| Sectors hit | %llu |\n"
		   "| Groups active | %llu |\n| New groups | %llu |\n"
		   "| Incidents exploiting a CVE | %llu |\n| Supply-chain incidents | %llu |\n\n",
		   (unsigned long long)h.incidents, (unsigned long long)h.campaigns,
		   (unsigned long long)h.orgs, (unsigned long long)h.sectors,
		   (unsigned long long)h.groups, (unsigned long long)h.new_groups,
		   (unsigned long long)h.exploited, (unsigned long long)h.supply);
	buf_puts(b, "## Key findings\n\n");
	rep_findings(l, prev, finding, b);
	buf_puts(b, "\n");
	if (l->skipped)
		buf_printf(b, "%llu stored incidents could not be read and are not counted.\n\n",
			   (unsigned long long)l->skipped);
	table(b, l, "Attacks by targeted sector", &l->sectors, "Sector", AS_REPORT_TOP);
	table(b, l, "Attacks by victim country", &l->countries, "Country", AS_REPORT_TOP);
	table(b, l, "Attacks over time", &l->months, "Month", l->months.n);
	table(b, l, "Furthest kill-chain stage reached", &l->stages, "Stage", l->stages.n);
	table(b, l, "Attack types", &l->kinds, "Type", AS_REPORT_TOP);
	groups(b, l, &l->groups, false);
	table(b, l, "Attacks by origin region of the group", &l->regions, "Region", AS_REPORT_TOP);
	table(b, l, "Attacks by source-IP country", &l->src_countries, "Country", AS_REPORT_TOP);
	groups(b, l, &l->new_groups, true);
	vulns(b, l);
	split_table(b, l, "Supply-chain incidents",
		    "| Vendor | Channel | Incidents | Victims | Incidents behind |\n"
		    "|---|---|---:|---|---|",
		    &l->supply, RF_ORG);
	split_table(
	    b, l, "Brute force and DDoS against online services",
	    "| Attack | Target | Incidents | Alerts | Source countries | Incidents behind |\n"
	    "|---|---|---:|---:|---|---|",
	    &l->services, RF_SRC_COUNTRY);
	split_table(
	    b, l, "Commercial attack platforms",
	    "| Platform | Incidents | Groups using it | Incidents behind |\n|---|---:|---|---|",
	    &l->commercial, RF_GROUP);
	if (prev) {
		buf_printf(b, "## Compared with %s to %s\n\n", rep_day(prev->from, false, d1),
			   rep_day(prev->to, true, d2));
		buf_printf(b, "APT attacks: %zu this period, %zu the previous one.\n\n", l->ninc,
			   prev->ninc);
		compare(b, "By sector", "Sector", &l->sectors, &prev->sectors);
		compare(b, "By group", "Group", &l->groups, &prev->groups);
		compare(b, "By vulnerability class", "Class", &l->classes, &prev->classes);
	}
	buf_puts(b, "## Appendix: incidents\n\n");
	buf_puts(b, "| Incident | First seen | Organisation | Sector | Kind | Stage | Group |\n"
		    "|---|---|---|---|---|---|---|\n");
	for (size_t i = 0; i < l->ninc; i++) {
		const struct rep_inc *ri = &l->inc[i];
		char t[AS_TIME_STRLEN];
		buf_puts(b, "| <a id=\"");
		anchor(b, ri->id);
		buf_puts(b, "\"></a>");
		cell(b, ri->id);
		buf_printf(b, " | %s | ", rep_day(ri->first_seen, false, t));
		cell(b, ri->org);
		buf_puts(b, " | ");
		cell(b, rep_sector_label(ri->sector));
		buf_puts(b, " | ");
		cell(b, ri->kind);
		buf_puts(b, " | ");
		cell(b, ri->stage);
		buf_puts(b, " | ");
		cell(b, ri->group ? ri->group : "unattributed");
		buf_puts(b, " |\n");
	}
	return b->err;
}
