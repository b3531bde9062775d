/*
 * html.c — the threat-landscape report as one self-contained HTML page for
 * managers: headline figures, inline SVG charts (horizontal bars, a monthly
 * column chart, a 0/1/n-day stacked bar), tables, and an appendix with one
 * anchored row per incident. Every figure links to the incidents behind it
 * (#inc-<id>); nothing is fetched from the network, no script runs, and
 * @media print rules lay it out for PDF.
 */
#include <stdlib.h>
#include <string.h>

#include <jansson.h>

#include "core/limits.h"
#include "core/timeparse.h"
#include "intel/intel.h"
#include "report/report.h"

static const char *const palette[] = {"#1f4e79", "#2e75b6", "#c55a11", "#548235",
				      "#7f6000", "#7030a0", "#a50021", "#0e7c7b"};

static void esc(struct buf *b, const char *s)
{
	for (; s && *s; s++) {
		switch (*s) {
		case '&':
			buf_puts(b, "&amp;");
			break;
		case '<':
			buf_puts(b, "&lt;");
			break;
		case '>':
			buf_puts(b, "&gt;");
			break;
		case '"':
			buf_puts(b, "&quot;");
			break;
		case '\'':
			buf_puts(b, "&#39;");
			break;
		default:
			buf_putc(b, *s);
		}
	}
}

/* An anchor name from any text: letters and digits kept, the rest '-'. */
static void anchor(struct buf *b, const char *prefix, const char *s)
{
	buf_puts(b, prefix);
	for (; s && *s; s++) {
		char c = *s;
		bool ok =
		    (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') || (c >= '0' && c <= '9');
		buf_putc(b, ok ? c : '-');
	}
}

static const char *label(const char *kind, const char *key)
{
	if (!strncmp(kind, "sector", 6))
		return rep_sector_label(key);
	if (!strncmp(kind, "country", 7) || !strncmp(kind, "src", 3)) {
		const char *n = intel_country_name(key);
		return n ? n : key;
	}
	return key;
}

static void inc_links(struct buf *b, const struct landscape *l, const struct rep_row *r)
{
	buf_printf(b, "<details><summary>%zu incident%s</summary>", r->ninc,
		   r->ninc == 1 ? "" : "s");
	for (size_t i = 0; i < r->ninc; i++) {
		const char *id = l->inc[r->inc[i]].id;
		buf_puts(b, "<a href=\"#");
		anchor(b, "inc-", id);
		buf_puts(b, "\">");
		esc(b, id);
		buf_puts(b, "</a> ");
	}
	buf_puts(b, "</details>");
}

/* Horizontal bars, one per row, each a link to its table row. */
static void bars(struct buf *b, const char *kind, const struct rep_tally *t, size_t most)
{
	size_t n = t->n < most ? t->n : most;
	if (!n)
		return;
	size_t max = 1;
	for (size_t i = 0; i < n; i++)
		if (t->order[i]->ninc > max)
			max = t->order[i]->ninc;
	unsigned rowh = 24, w = 720, lw = 220, bw = 420;
	buf_printf(b,
		   "<svg class=\"chart\" role=\"img\" viewBox=\"0 0 %u %zu\" width=\"%u\" "
		   "height=\"%zu\" xmlns=\"http://www.w3.org/2000/svg\">",
		   w, n * rowh + 8, w, n * rowh + 8);
	for (size_t i = 0; i < n; i++) {
		const struct rep_row *r = t->order[i];
		unsigned y = (unsigned)(i * rowh + 4);
		unsigned len = (unsigned)((double)bw * (double)r->ninc / (double)max);
		buf_puts(b, "<a href=\"#");
		anchor(b, kind, r->key);
		buf_printf(b, "\"><text x=\"%u\" y=\"%u\" text-anchor=\"end\">", lw - 8, y + 16);
		esc(b, label(kind, r->key));
		buf_printf(b,
			   "</text><rect x=\"%u\" y=\"%u\" width=\"%u\" height=\"%u\" "
			   "fill=\"%s\"/><text x=\"%u\" y=\"%u\">%zu</text></a>",
			   lw, y + 3, len ? len : 1, rowh - 8, palette[i % 8], lw + len + 6, y + 16,
			   r->ninc);
	}
	buf_puts(b, "</svg>");
}

/* Table of rows: label, incidents, share, the incidents behind. */
static void table(struct buf *b, const struct landscape *l, const char *kind, const char *head,
		  const struct rep_tally *t, size_t most)
{
	if (!t->n) {
		buf_puts(b, "<p class=\"none\">None in this period.</p>");
		return;
	}
	buf_printf(b,
		   "<table><thead><tr><th>%s</th><th class=\"n\">Incidents</th><th "
		   "class=\"n\">Share</th><th>Incidents behind</th></tr></thead><tbody>",
		   head);
	for (size_t i = 0; i < t->n && i < most; i++) {
		const struct rep_row *r = t->order[i];
		buf_puts(b, "<tr id=\"");
		anchor(b, kind, r->key);
		buf_puts(b, "\"><td>");
		esc(b, label(kind, r->key));
		buf_printf(b, "</td><td class=\"n\">%zu</td><td class=\"n\">%.1f %%</td><td>",
			   r->ninc, 100.0 * rep_share(l, r->ninc));
		inc_links(b, l, r);
		buf_puts(b, "</td></tr>");
	}
	buf_puts(b, "</tbody></table>");
	if (t->n > most)
		buf_printf(b, "<p class=\"more\">%zu more in the JSON report.</p>", t->n - most);
}

static void section(struct buf *b, const char *id, const char *title)
{
	buf_printf(b, "<section id=\"%s\"><h2>%s</h2>", id, title);
}

/* Monthly columns: all incidents, and a second series (exploiting, mobile)
 * drawn inside when given. */
static void months_chart(struct buf *b, const struct rep_tally *t, const struct rep_tally *inner,
			 const char *inner_label)
{
	size_t n = 0;
	for (size_t i = 0; i < t->n; i++)
		n += strcmp(t->order[i]->key, "unknown") != 0;
	if (!n)
		return;
	size_t max = 1;
	for (size_t i = 0; i < t->n; i++)
		if (t->order[i]->ninc > max)
			max = t->order[i]->ninc;
	unsigned h = 180, top = 20, w = 720, left = 40;
	double cw = (double)(w - left - 10) / (double)n;
	buf_printf(b,
		   "<svg class=\"chart\" role=\"img\" viewBox=\"0 0 %u %u\" width=\"%u\" "
		   "height=\"%u\" xmlns=\"http://www.w3.org/2000/svg\">",
		   w, h + top + 64, w, h + top + 64);
	buf_printf(b,
		   "<line x1=\"%u\" y1=\"%u\" x2=\"%u\" y2=\"%u\" stroke=\"#888\"/>"
		   "<text x=\"%u\" y=\"%u\" text-anchor=\"end\">%zu</text>"
		   "<text x=\"%u\" y=\"%u\" text-anchor=\"end\">0</text>",
		   left, top + h, w - 10, top + h, left - 4, top + 10, max, left - 4, top + h);
	size_t k = 0;
	for (size_t i = 0; i < t->n; i++) {
		const struct rep_row *r = t->order[i];
		if (!strcmp(r->key, "unknown"))
			continue;
		double x = left + cw * (double)k + cw * 0.15, bw = cw * 0.7;
		double bh = (double)h * (double)r->ninc / (double)max;
		const struct rep_row *in = inner ? rep_tally_find(inner, r->key) : NULL;
		double ih = in ? (double)h * (double)in->ninc / (double)max : 0;
		buf_printf(b,
			   "<rect x=\"%.1f\" y=\"%.1f\" width=\"%.1f\" height=\"%.1f\" "
			   "fill=\"#2e75b6\"><title>%s: %zu</title></rect>",
			   x, top + h - bh, bw, bh, r->key, r->ninc);
		if (ih > 0)
			buf_printf(b,
				   "<rect x=\"%.1f\" y=\"%.1f\" width=\"%.1f\" height=\"%.1f\" "
				   "fill=\"#c55a11\"><title>%s %s: %zu</title></rect>",
				   x, top + h - ih, bw, ih, r->key, inner_label, in->ninc);
		if (n <= 24 || k % ((n + 23) / 24) == 0)
			buf_printf(b,
				   "<text x=\"%.1f\" y=\"%u\" text-anchor=\"end\" "
				   "transform=\"rotate(-45 %.1f %u)\">%s</text>",
				   x + bw / 2, top + h + 14, x + bw / 2, top + h + 14, r->key);
		k++;
	}
	buf_puts(b, "</svg>");
	if (inner)
		buf_printf(b,
			   "<p class=\"legend\"><span style=\"background:#2e75b6\"></span>all "
			   "<span style=\"background:#c55a11\"></span>%s</p>",
			   inner_label);
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

static void names(struct buf *b, const struct landscape *l, const struct rep_row *r,
		  enum rep_field f, size_t most)
{
	struct rep_tally t;
	if (rep_row_breakdown(l, r, f, &t))
		return;
	for (size_t i = 0; i < t.n && i < most; i++) {
		buf_puts(b, i ? ", " : "");
		esc(b, f == RF_SECTOR ? rep_sector_label(t.order[i]->key) : t.order[i]->key);
	}
	if (t.n > most)
		buf_printf(b, " and %zu more", t.n - most);
	rep_tally_free(&t);
}

static void groups(struct buf *b, const struct landscape *l, const struct rep_tally *t, bool fresh)
{
	if (!t->n) {
		buf_puts(b, fresh ? "<p class=\"none\">No new group in this period.</p>"
				  : "<p class=\"none\">No attributed incident in this period.</p>");
		return;
	}
	bars(b, fresh ? "newgroup-" : "group-", t, AS_REPORT_TOP);
	buf_puts(b, fresh
			? "<table><thead><tr><th>Cluster</th><th>Active</th><th "
			  "class=\"n\">Incidents</th><th class=\"n\">Orgs</th><th>Sectors</th>"
			  "<th>Techniques</th><th>Malware</th><th>Nearest known</th><th>Incidents "
			  "behind</th></tr>"
			  "</thead><tbody>"
			: "<table><thead><tr><th>Group</th><th>Aliases</th><th>Origin</th>"
			  "<th>Region</th><th class=\"n\">Incidents</th><th class=\"n\">Orgs</th>"
			  "<th>Sectors</th><th>Incidents behind</th></tr></thead><tbody>");
	for (size_t i = 0; i < t->n && i < AS_REPORT_TOP; i++) {
		const struct rep_row *r = t->order[i];
		const struct rep_group *g = r->group;
		buf_puts(b, "<tr id=\"");
		anchor(b, fresh ? "newgroup-" : "group-", r->key);
		buf_puts(b, "\"><td><b>");
		esc(b, r->key);
		buf_puts(b, "</b>");
		if (fresh && g && g->named) {
			buf_puts(b, " <small>later named ");
			esc(b, g->named);
			buf_puts(b, "</small>");
		}
		if (g && g->attack_id) {
			buf_puts(b, " <small>");
			esc(b, g->attack_id);
			buf_puts(b, "</small>");
		}
		buf_puts(b, "</td><td>");
		if (fresh) {
			char a[AS_TIME_STRLEN], z[AS_TIME_STRLEN];
			buf_printf(b, "%s – %s",
				   rep_day(g ? g->first_seen : AS_TIME_NONE, false, a),
				   rep_day(g ? g->last_seen : AS_TIME_NONE, false, z));
		} else {
			for (size_t j = 0; g && j < g->naliases && j < 10; j++) {
				buf_puts(b, j ? ", " : "");
				esc(b, g->aliases[j]);
			}
			if (g && g->naliases > 10)
				buf_printf(b, " and %zu more", g->naliases - 10);
			const char *cn = g && g->country ? intel_country_name(g->country) : NULL;
			buf_puts(b, "</td><td>");
			esc(b, cn ? cn : (g && g->country ? g->country : "unknown"));
			buf_puts(b, "</td><td>");
			esc(b, g && g->region ? g->region : "unknown");
		}
		buf_printf(b, "</td><td class=\"n\">%zu</td><td class=\"n\">%zu</td><td>", r->ninc,
			   distinct(l, r, RF_ORG));
		names(b, l, r, RF_SECTOR, 4);
		if (fresh) {
			buf_puts(b, "</td><td>");
			names(b, l, r, RF_TECHNIQUE, 8);
			buf_puts(b, "</td><td>");
			names(b, l, r, RF_MALWARE, 5);
			buf_puts(b, "</td><td>");
			names(b, l, r, RF_NEAREST, 3);
		}
		buf_puts(b, "</td><td>");
		inc_links(b, l, r);
		buf_puts(b, "</td></tr>");
	}
	buf_puts(b, "</tbody></table>");
}

static void classes(struct buf *b, const struct landscape *l)
{
	static const char *const cls[] = {"0day", "1day", "nday", "unknown"};
	static const char *const lbl[] = {"0-day", "1-day", "n-day", "unknown"};
	static const char *const col[] = {"#a50021", "#c55a11", "#2e75b6", "#999999"};
	uint64_t pairs = 0;
	for (size_t i = 0; i < l->classes.n; i++)
		pairs += l->classes.rows[i].count;
	if (!pairs) {
		buf_puts(b, "<p class=\"none\">No CVE exploitation seen in this period.</p>");
		return;
	}
	buf_puts(b, "<svg class=\"chart\" role=\"img\" viewBox=\"0 0 720 40\" width=\"720\" "
		    "height=\"40\" xmlns=\"http://www.w3.org/2000/svg\">");
	double x = 0;
	for (int c = 0; c < 4; c++) {
		const struct rep_row *r = rep_tally_find(&l->classes, cls[c]);
		if (!r || !r->count)
			continue;
		double w = 720.0 * (double)r->count / (double)pairs;
		buf_printf(
		    b,
		    "<a href=\"#class-%s\"><rect x=\"%.1f\" y=\"4\" width=\"%.1f\" height=\"32\" "
		    "fill=\"%s\"/>",
		    cls[c], x, w, col[c]);
		if (w > 60)
			buf_printf(
			    b,
			    "<text x=\"%.1f\" y=\"25\" fill=\"#fff\" text-anchor=\"middle\">%s "
			    "%.0f %%</text>",
			    x + w / 2, lbl[c], 100.0 * (double)r->count / (double)pairs);
		buf_puts(b, "</a>");
		x += w;
	}
	buf_puts(b, "</svg><table><thead><tr><th>Class</th><th class=\"n\">Exploitations</th><th "
		    "class=\"n\">Share</th><th>Incidents behind</th></tr></thead><tbody>");
	for (int c = 0; c < 4; c++) {
		const struct rep_row *r = rep_tally_find(&l->classes, cls[c]);
		buf_printf(
		    b,
		    "<tr id=\"class-%s\"><td><span class=\"sw\" style=\"background:%s\"></span>%s"
		    "</td><td class=\"n\">%llu</td><td class=\"n\">%.1f %%</td><td>",
		    cls[c], col[c], lbl[c], (unsigned long long)(r ? r->count : 0),
		    r ? 100.0 * (double)r->count / (double)pairs : 0.0);
		if (r)
			inc_links(b, l, r);
		buf_puts(b, "</td></tr>");
	}
	buf_puts(b, "</tbody></table>");
}

static void split_table(struct buf *b, const struct landscape *l, const char *kind,
			const char *head, const struct rep_tally *t, enum rep_field f)
{
	if (!t->n) {
		buf_puts(b, "<p class=\"none\">None in this period.</p>");
		return;
	}
	buf_printf(b, "<table><thead><tr>%s</tr></thead><tbody>", head);
	for (size_t i = 0; i < t->n && i < AS_REPORT_TOP; i++) {
		const struct rep_row *r = t->order[i];
		buf_puts(b, "<tr id=\"");
		anchor(b, kind, r->key);
		buf_puts(b, "\"><td>");
		const char *dot = strstr(r->key, " · ");
		if (dot) {
			char part[512];
			snprintf(part, sizeof part, "%.*s", (int)(dot - r->key), r->key);
			esc(b, part);
			buf_puts(b, "</td><td>");
			esc(b, dot + strlen(" · "));
		} else {
			esc(b, r->key);
		}
		buf_printf(b, "</td><td class=\"n\">%zu</td>", r->ninc);
		if (f == RF_SRC_COUNTRY)
			buf_printf(b, "<td class=\"n\">%llu</td>", (unsigned long long)r->volume);
		buf_puts(b, "<td>");
		names(b, l, r, f, 8);
		buf_puts(b, "</td><td>");
		inc_links(b, l, r);
		buf_puts(b, "</td></tr>");
	}
	buf_puts(b, "</tbody></table>");
}

static void compare(struct buf *b, const char *title, bool sector, const struct rep_tally *now,
		    const struct rep_tally *before)
{
	struct rep_delta *d;
	size_t n;
	if (rep_compare(now, before, &d, &n))
		return;
	buf_printf(b,
		   "<h3>%s</h3><table><thead><tr><th></th><th class=\"n\">This period</th><th "
		   "class=\"n\">Previous</th><th class=\"n\">Change</th></tr></thead><tbody>",
		   title);
	for (size_t i = 0; i < n && i < AS_REPORT_TOP; i++) {
		long long ch = (long long)d[i].now - (long long)d[i].before;
		buf_puts(b, "<tr><td>");
		esc(b, sector ? rep_sector_label(d[i].key) : d[i].key);
		buf_printf(b,
			   "</td><td class=\"n\">%llu</td><td class=\"n\">%llu</td><td class=\"n "
			   "%s\">%+lld",
			   (unsigned long long)d[i].now, (unsigned long long)d[i].before,
			   ch > 0   ? "up"
			   : ch < 0 ? "down"
				    : "",
			   ch);
		if (d[i].before)
			buf_printf(b, " (%+.0f %%)", 100.0 * (double)ch / (double)d[i].before);
		else if (d[i].now)
			buf_puts(b, " (new)");
		buf_puts(b, "</td></tr>");
	}
	buf_puts(b, "</tbody></table>");
	free(d);
}

static const char css[] =
    "body{font:14px/1.45 system-ui,-apple-system,'Segoe UI',Roboto,sans-serif;color:#1a1a1a;"
    "max-width:1100px;margin:0 auto;padding:24px;background:#fff}"
    "h1{font-size:26px;margin:0 0 4px}h2{font-size:19px;border-bottom:2px solid #1f4e79;"
    "padding-bottom:4px;margin-top:32px}h3{font-size:15px}"
    ".sub{color:#555;margin:0 0 16px}"
    ".cards{display:grid;grid-template-columns:repeat(4,1fr);gap:12px}"
    ".card{border:1px solid #d0d7de;border-radius:6px;padding:12px;background:#f6f8fa}"
    ".card b{display:block;font-size:28px;color:#1f4e79}.card span{color:#444}"
    ".card small{display:block;font-size:12px;margin-top:2px}"
    "table{border-collapse:collapse;width:100%;margin:8px 0 4px}"
    "th,td{border-bottom:1px solid #e1e4e8;padding:4px 8px;text-align:left;vertical-align:top}"
    "th{background:#f0f3f6}td.n,th.n{text-align:right;white-space:nowrap}"
    ".up{color:#a50021}.down{color:#548235}"
    "svg.chart{max-width:100%;height:auto;font-size:12px;display:block;margin:8px 0}"
    "svg.chart a text{fill:#1a1a1a}"
    "details summary{cursor:pointer;color:#2e75b6}details a{font-family:monospace;font-size:12px}"
    ".legend span,.sw{display:inline-block;width:10px;height:10px;margin:0 4px 0 10px}"
    ".findings li{margin:4px 0}.none,.more{color:#666}.story{font-size:12px;color:#333}"
    "@media print{body{max-width:none;padding:0;font-size:10pt}"
    "section{break-inside:avoid-page}h2{break-after:avoid}"
    "details{display:none}a{color:inherit;text-decoration:none}"
    ".cards{grid-template-columns:repeat(4,1fr)}#appendix{break-before:page}"
    "#appendix tr{break-inside:avoid}}";

static void finding(void *ctx, const char *sentence)
{
	struct buf *b = ctx;
	buf_puts(b, "<li>");
	esc(b, sentence);
	buf_puts(b, "</li>");
}

int report_html(const struct landscape *l, const struct landscape *prev, struct buf *b)
{
	char d1[AS_TIME_STRLEN], d2[AS_TIME_STRLEN];
	struct rep_headline h;
	landscape_headline(l, &h);
	rep_day(l->from, false, d1);
	rep_day(l->to, true, d2);
	buf_printf(b,
		   "<!DOCTYPE html>\n<html lang=\"en\"><head><meta charset=\"utf-8\">"
		   "<meta name=\"viewport\" content=\"width=device-width,initial-scale=1\">"
		   "<title>Threat landscape %s to %s</title><style>%s</style></head><body>"
		   "<h1>Threat landscape</h1><p class=\"sub\">Period %s to %s · %zu incidents "
		   "found by aptscope</p>",
		   d1, d2, css, d1, d2, l->ninc);
	struct rep_headline ph = {0};
	if (prev)
		landscape_headline(prev, &ph);
	struct {
		uint64_t v, before;
		const char *what;
	} cards[] = {
	    {h.incidents, ph.incidents, "APT attacks (incidents)"},
	    {h.campaigns, ph.campaigns, "campaigns"},
	    {h.orgs, ph.orgs, "organisations hit"},
	    {h.sectors, ph.sectors, "sectors hit"},
	    {h.groups, ph.groups, "groups active"},
	    {h.new_groups, ph.new_groups, "new groups"},
	    {h.exploited, ph.exploited, "incidents exploiting a CVE"},
	    {h.supply, ph.supply, "supply-chain incidents"},
	};
	buf_puts(b, "<div class=\"cards\">");
	for (size_t i = 0; i < sizeof cards / sizeof cards[0]; i++) {
		buf_printf(b, "<div class=\"card\"><b>%llu</b><span>%s</span>",
			   (unsigned long long)cards[i].v, cards[i].what);
		if (prev) {
			long long d = (long long)cards[i].v - (long long)cards[i].before;
			buf_printf(b, "<small class=\"%s\">%+lld vs previous period (%llu)</small>",
				   d > 0   ? "up"
				   : d < 0 ? "down"
					   : "",
				   d, (unsigned long long)cards[i].before);
		}
		buf_puts(b, "</div>");
	}
	buf_puts(b, "</div><h2>Key findings</h2><ul class=\"findings\">");
	rep_findings(l, prev, finding, b);
	buf_puts(b, "</ul>");
	if (l->skipped)
		buf_printf(b,
			   "<p class=\"none\">%llu stored incidents could not be read and are not "
			   "counted.</p>",
			   (unsigned long long)l->skipped);

	section(b, "sectors", "Attacks by targeted sector");
	bars(b, "sector-", &l->sectors, AS_REPORT_TOP);
	table(b, l, "sector-", "Sector", &l->sectors, AS_REPORT_TOP);
	buf_puts(b, "</section>");
	section(b, "countries", "Attacks by victim country");
	bars(b, "country-", &l->countries, AS_REPORT_TOP);
	table(b, l, "country-", "Country", &l->countries, AS_REPORT_TOP);
	buf_puts(b, "</section>");
	section(b, "time", "Attacks over time");
	months_chart(b, &l->months, NULL, NULL);
	table(b, l, "month-", "Month", &l->months, l->months.n);
	buf_puts(b, "</section>");
	section(b, "stages", "Furthest kill-chain stage reached");
	bars(b, "stage-", &l->stages, l->stages.n);
	table(b, l, "stage-", "Stage", &l->stages, l->stages.n);
	buf_puts(b, "</section>");
	section(b, "kinds", "Attack types");
	bars(b, "kind-", &l->kinds, AS_REPORT_TOP);
	table(b, l, "kind-", "Type", &l->kinds, AS_REPORT_TOP);
	buf_puts(b, "</section>");
	section(b, "groups", "Most active groups");
	groups(b, l, &l->groups, false);
	buf_puts(b, "</section>");
	section(b, "regions", "Attacks by origin region of the group");
	bars(b, "region-", &l->regions, AS_REPORT_TOP);
	table(b, l, "region-", "Region", &l->regions, AS_REPORT_TOP);
	buf_puts(b, "</section>");
	section(b, "sources", "Attacks by source-IP country");
	bars(b, "src-", &l->src_countries, AS_REPORT_TOP);
	table(b, l, "src-", "Country", &l->src_countries, AS_REPORT_TOP);
	buf_puts(b, "</section>");
	section(b, "new-groups", "New groups of the period");
	groups(b, l, &l->new_groups, true);
	buf_puts(b, "</section>");

	section(b, "vulns", "Vulnerabilities exploited");
	classes(b, l);
	buf_puts(b, "<h3>Most exploited CVEs</h3>");
	table(b, l, "cve-", "CVE", &l->cves, AS_REPORT_TOP);
	struct rep_trend tr;
	rep_mobile_trend(l, &tr);
	buf_puts(b, "<h3>Platforms</h3>");
	bars(b, "platform-", &l->platforms, AS_REPORT_TOP);
	table(b, l, "platform-", "Platform", &l->platforms, AS_REPORT_TOP);
	buf_printf(b,
		   "<h3>Exploitation over time</h3><p>Mobile (Android, iOS): %llu of %llu "
		   "exploiting incidents (%.1f %%), trend <b>%s</b>.</p>",
		   (unsigned long long)tr.mobile, (unsigned long long)tr.exploited,
		   100.0 * tr.share, tr.direction);
	months_chart(b, &l->exploit_months, &l->mobile_months, "on mobile");
	buf_puts(b, "</section>");

	section(b, "supply", "Supply-chain incidents");
	split_table(b, l, "supply-",
		    "<th>Vendor</th><th>Channel</th><th class=\"n\">Incidents</th><th>Victims</th>"
		    "<th>Incidents behind</th>",
		    &l->supply, RF_ORG);
	buf_puts(b, "</section>");
	section(b, "services", "Brute force and DDoS against online services");
	split_table(b, l, "service-",
		    "<th>Attack</th><th>Target</th><th class=\"n\">Incidents</th><th "
		    "class=\"n\">Alerts</th><th>Source countries</th><th>Incidents behind</th>",
		    &l->services, RF_SRC_COUNTRY);
	buf_puts(b, "</section>");
	section(b, "commercial", "Commercial attack platforms");
	split_table(b, l, "commercial-",
		    "<th>Platform</th><th class=\"n\">Incidents</th><th>Groups using it</th>"
		    "<th>Incidents behind</th>",
		    &l->commercial, RF_GROUP);
	buf_puts(b, "</section>");

	if (prev) {
		char p1[AS_TIME_STRLEN], p2[AS_TIME_STRLEN];
		buf_printf(b,
			   "<section id=\"compare\"><h2>Compared with %s to %s</h2><p>APT attacks: "
			   "<b>%zu</b> this period, %zu the previous one.</p>",
			   rep_day(prev->from, false, p1), rep_day(prev->to, true, p2), l->ninc,
			   prev->ninc);
		compare(b, "By sector", true, &l->sectors, &prev->sectors);
		compare(b, "By group", false, &l->groups, &prev->groups);
		compare(b, "By vulnerability class", false, &l->classes, &prev->classes);
		buf_puts(b, "</section>");
	}

	buf_puts(b, "<section id=\"appendix\"><h2>Appendix: incidents</h2><table><thead><tr>"
		    "<th>Incident</th><th>First seen</th><th>Organisation</th><th>Sector</th>"
		    "<th>Kind</th><th>Stage</th><th>Group</th></tr></thead><tbody>");
	for (size_t i = 0; i < l->ninc; i++) {
		const struct rep_inc *ri = &l->inc[i];
		char t[AS_TIME_STRLEN];
		buf_puts(b, "<tr id=\"");
		anchor(b, "inc-", ri->id);
		buf_puts(b, "\"><td><code>");
		esc(b, ri->id);
		buf_printf(b, "</code></td><td>%s</td><td>", rep_day(ri->first_seen, false, t));
		esc(b, ri->org);
		buf_puts(b, "</td><td>");
		esc(b, rep_sector_label(ri->sector));
		buf_puts(b, "</td><td>");
		esc(b, ri->kind);
		buf_puts(b, "</td><td>");
		esc(b, ri->stage);
		buf_puts(b, "</td><td>");
		esc(b, ri->group ? ri->group : "unattributed");
		if (ri->verdict && ri->group) {
			buf_puts(b, " <small>(");
			esc(b, ri->verdict);
			buf_puts(b, ")</small>");
		}
		buf_puts(b, "</td></tr>");
		const char *story = json_string_value(json_object_get(ri->json, "story"));
		if (story && *story) {
			buf_puts(b, "<tr><td></td><td colspan=\"6\" class=\"story\">");
			esc(b, story);
			buf_puts(b, "</td></tr>");
		}
	}
	buf_puts(b, "</tbody></table></section></body></html>\n");
	return b->err;
}
