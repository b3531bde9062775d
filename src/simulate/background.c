/*
 * background.c — one day of one organisation's benign telemetry.
 *
 * Staff browse (DNS then TLS or HTTP to common services), start programs (Sysmon process
 * events with ordinary parents), administrators log in over SSH with keys, cron opens
 * sessions, and the Internet visits the public web site. Volume follows local working hours
 * (80 % between 08:00 and 18:00, a third on weekends) and scales with --scale. Each day has
 * its own generator (seed, org, day), so the background is the same whatever else is made.
 * Nothing here may trigger a bundled rule: parents of shells are explorer or services, no
 * encoded PowerShell, no archive passwords.
 */
#include <stdio.h>
#include <string.h>

#include "simulate/sim_int.h"

static const char *benign_domains[] = {
    "www.google.com",
    "update.microsoft.com",
    "login.microsoftonline.com",
    "www.bing.com",
    "cdn.jsdelivr.net",
    "github.com",
    "api.github.com",
    "ocsp.digicert.com",
    "www.wikipedia.org",
    "fonts.gstatic.com",
    "outlook.office365.com",
    "teams.microsoft.com",
    "s3.amazonaws.com",
    "ctldl.windowsupdate.com",
    "time.windows.com",
    "www.linkedin.com",
    "zoom.us",
    "slack.com",
    "www.youtube.com",
    "docs.google.com",
    "clients4.google.com",
    "edge.microsoft.com",
    "www.baidu.com",
    "news.ycombinator.com",
};

static const char *browser_uas[] = {
    "Mozilla/5.0 (Windows NT 10.0; Win64; x64) AppleWebKit/537.36 (KHTML, like Gecko) "
    "Chrome/122.0.0.0 Safari/537.36",
    "Mozilla/5.0 (Windows NT 10.0; Win64; x64; rv:123.0) Gecko/20100101 Firefox/123.0",
    "Mozilla/5.0 (Macintosh; Intel Mac OS X 14_3) AppleWebKit/605.1.15 (KHTML, like Gecko) "
    "Version/17.3 Safari/605.1.15",
    "Mozilla/5.0 (iPhone; CPU iPhone OS 17_3 like Mac OS X) AppleWebKit/605.1.15 (KHTML, like "
    "Gecko) Version/17.3 Mobile/15E148 Safari/604.1",
    "Mozilla/5.0 (compatible; Googlebot/2.1; +http://www.google.com/bot.html)",
};

static const struct {
	const char *parent;
	const char *image;
	const char *cmd; /* %s: the user */
} programs[] = {
    {"C:\\Windows\\explorer.exe", "C:\\Program Files\\Google\\Chrome\\Application\\chrome.exe",
     "\"C:\\Program Files\\Google\\Chrome\\Application\\chrome.exe\""},
    {"C:\\Windows\\explorer.exe",
     "C:\\Program Files\\Microsoft Office\\root\\Office16\\WINWORD.EXE",
     "\"C:\\Program Files\\Microsoft Office\\root\\Office16\\WINWORD.EXE\" /n "
     "\"C:\\Users\\%s\\Documents\\minutes.docx\""},
    {"C:\\Windows\\explorer.exe", "C:\\Program Files\\Microsoft Office\\root\\Office16\\EXCEL.EXE",
     "\"C:\\Program Files\\Microsoft Office\\root\\Office16\\EXCEL.EXE\" "
     "\"C:\\Users\\%s\\Documents\\budget.xlsx\""},
    {"C:\\Windows\\explorer.exe",
     "C:\\Program Files\\Microsoft Office\\root\\Office16\\OUTLOOK.EXE",
     "\"C:\\Program Files\\Microsoft Office\\root\\Office16\\OUTLOOK.EXE\""},
    {"C:\\Program Files\\Google\\Chrome\\Application\\chrome.exe",
     "C:\\Program Files\\Google\\Chrome\\Application\\chrome.exe",
     "\"C:\\Program Files\\Google\\Chrome\\Application\\chrome.exe\" --type=renderer "
     "--lang=en-US --renderer-client-id=7"},
    {"C:\\Windows\\System32\\services.exe", "C:\\Windows\\System32\\svchost.exe",
     "C:\\Windows\\system32\\svchost.exe -k netsvcs -p -s Schedule"},
    {"C:\\Windows\\System32\\svchost.exe", "C:\\Windows\\System32\\taskhostw.exe",
     "taskhostw.exe {222A245B-E637-4AE9-A93F-A59CA119A75E}"},
    {"C:\\Windows\\explorer.exe", "C:\\Windows\\System32\\notepad.exe",
     "\"C:\\Windows\\system32\\NOTEPAD.EXE\" C:\\Users\\%s\\Desktop\\todo.txt"},
    {"C:\\Windows\\explorer.exe", "C:\\Windows\\System32\\cmd.exe",
     "\"C:\\Windows\\system32\\cmd.exe\""},
    {"C:\\Windows\\System32\\cmd.exe", "C:\\Windows\\System32\\ipconfig.exe", "ipconfig /all"},
    {"C:\\Windows\\System32\\svchost.exe", "C:\\Windows\\System32\\wuauclt.exe",
     "\"C:\\Windows\\system32\\wuauclt.exe\" /RunHandlerComServer"},
    {"C:\\Windows\\explorer.exe",
     "C:\\Users\\%s\\AppData\\Local\\Microsoft\\Teams\\current\\Teams.exe",
     "\"C:\\Users\\%s\\AppData\\Local\\Microsoft\\Teams\\current\\Teams.exe\""},
    /* near misses of the bundled rules: what administrators really run */
    {"C:\\Windows\\System32\\cmd.exe", "C:\\Program Files\\7-Zip\\7z.exe",
     "7z.exe a C:\\Backup\\documents.7z C:\\Users\\%s\\Documents"},
    {"C:\\Windows\\System32\\cmd.exe", "C:\\Windows\\System32\\certutil.exe",
     "certutil.exe -hashfile C:\\Users\\%s\\Downloads\\setup.msi SHA256"},
    {"C:\\Windows\\System32\\cmd.exe", "C:\\Windows\\System32\\schtasks.exe",
     "schtasks /query /fo LIST /v"},
    {"C:\\Windows\\explorer.exe", "C:\\Windows\\System32\\rundll32.exe",
     "\"C:\\Windows\\system32\\rundll32.exe\" shell32.dll,Control_RunDLL desk.cpl"},
    {"C:\\Program Files\\AcmeSoft\\AcmeUpdate.exe", "C:\\Program Files\\AcmeSoft\\AcmeSvc.exe",
     "\"C:\\Program Files\\AcmeSoft\\AcmeSvc.exe\" /restart"},
    {"C:\\Windows\\System32\\svchost.exe",
     "C:\\Windows\\System32\\WindowsPowerShell\\v1.0\\powershell.exe",
     "powershell.exe -NoProfile -ExecutionPolicy Bypass -File C:\\ProgramData\\it\\inventory.ps1"},
};

static const char *pages[] = {"/",
			      "/index.html",
			      "/news/",
			      "/about",
			      "/contact",
			      "/static/site.css",
			      "/static/site.js",
			      "/images/logo.png",
			      "/search?q=annual+report",
			      "/favicon.ico",
			      "/robots.txt"};

/* Poisson-like count with mean m (small m: one Bernoulli step for the fraction). */
static int count_of(struct sim_rng *r, double m)
{
	int n = (int)m;
	if (sim_rng_unit(r) < m - n)
		n++;
	return n;
}

/* A template with the user in place of each "%s" (templates are data, not formats). */
static void fill(char *dst, size_t cap, const char *tpl, const char *user)
{
	size_t n = 0, ul = strlen(user);
	for (const char *p = tpl; *p && n + 1 < cap; p++) {
		if (p[0] == '%' && p[1] == 's' && n + ul + 1 < cap) {
			memcpy(dst + n, user, ul);
			n += ul;
			p++;
			continue;
		}
		dst[n++] = *p;
	}
	dst[n] = 0;
}

void sim_background_day(struct sim_world *w, struct sim_org *org, int64_t day)
{
	struct sim_rng r;
	sim_rng_init(&r, w->opts.seed, 0x626b67ull + (uint64_t)org->idx, (uint64_t)(day / SIM_DAY));
	struct sim_out o = {w, org, org->day, &r, NULL};
	int64_t local = day + (int64_t)org->tz_min * SIM_MINUTE;
	int wday = (int)((((local / SIM_DAY) % 7) + 11) % 7);
	double f = (wday == 0 || wday == 6 ? 0.33 : 1.0) * w->opts.scale;
	double staff = org->n_ws / 30.0;
	char ws[40], wsip[20], user[64], ext[20], img[256], cmd[512], sha[65];

	int n = count_of(&r, 7 * staff * f);
	for (int i = 0; i < n; i++) {
		int64_t t = sim_time_in_day(&r, day, org->tz_min, 0.8);
		int k = (int)sim_rng_below(&r, (uint64_t)org->n_ws);
		sim_ws_ip(org, k, wsip, sizeof wsip);
		const char *dom = SIM_PICK(&r, benign_domains);
		sim_public_ip(&r, NULL, ext, sizeof ext);
		sim_dns(&o, t, wsip, dom, ext);
		if (sim_rng_below(&r, 6) == 0)
			sim_http(&o, t + 30000, wsip, ext, dom, "GET", SIM_PICK(&r, pages),
				 browser_uas[sim_rng_below(&r, 2)], 200, 0,
				 (long)sim_rng_below(&r, 60000) + 200);
		else
			sim_tls(&o, t + 30000, wsip, ext, dom, "cd08e31494f9531f560d64c695473da9",
				(long)sim_rng_below(&r, 4000) + 500,
				(long)sim_rng_below(&r, 200000) + 2000);
	}

	n = count_of(&r, 4 * staff * f);
	for (int i = 0; i < n; i++) {
		int64_t t = sim_time_in_day(&r, day, org->tz_min, 0.85);
		int k = (int)sim_rng_below(&r, (uint64_t)org->n_ws);
		sim_ws_name(org, k, ws, sizeof ws);
		sim_user_name(org, k, user, sizeof user);
		size_t p = sim_rng_below(&r, sizeof programs / sizeof programs[0]);
		fill(img, sizeof img, programs[p].image, user);
		fill(cmd, sizeof cmd, programs[p].cmd, user);
		sim_sha256(0, img, sha);
		const char *who = strstr(programs[p].parent, "services.exe") ||
					  strstr(programs[p].parent, "svchost.exe")
				      ? "NT AUTHORITY\\SYSTEM"
				      : user;
		sim_proc(&o, t, ws, who, img, cmd, programs[p].parent, sha);
	}

	if (org->acme_customer && sim_rng_below(&r, 3) != 0) {
		/* the vendor's updater checks once a day on one machine */
		int64_t t = sim_time_in_day(&r, day, org->tz_min, 0.9);
		int k = (int)sim_rng_below(&r, (uint64_t)org->n_ws);
		sim_ws_name(org, k, ws, sizeof ws);
		sim_ws_ip(org, k, wsip, sizeof wsip);
		const char *up = "C:\\Program Files\\AcmeSoft\\AcmeUpdate.exe";
		sim_sha256(0, up, sha);
		sim_proc(&o, t, ws, "NT AUTHORITY\\SYSTEM", up,
			 "\"C:\\Program Files\\AcmeSoft\\AcmeUpdate.exe\" /check /silent",
			 "C:\\Windows\\System32\\services.exe", sha);
		sim_dns(&o, t + 200000, wsip, "update.acmesoft.example",
			w->orgs[w->vendor].public_ip);
		sim_http(&o, t + 400000, wsip, w->orgs[w->vendor].public_ip,
			 "update.acmesoft.example", "GET",
			 "/api/v1/update/check?product=AcmeOffice&version=5.4.1",
			 "AcmeUpdate/5.4 (Windows NT 10.0)", 200, 0, 312);
	}

	/* SSH: administrators with keys from inside, cron sessions */
	char vpn[40], adm[20];
	snprintf(vpn, sizeof vpn, "%s-vpn-01", org->code);
	n = count_of(&r, 2 * f);
	for (int i = 0; i < n; i++) {
		int64_t t = sim_time_in_day(&r, day, org->tz_min, 0.9);
		int k = (int)sim_rng_below(&r, 3);
		sim_ws_ip(org, k, wsip, sizeof wsip);
		snprintf(adm, sizeof adm, "%s", k == 0 ? "admin" : k == 1 ? "deploy" : "backup");
		int pid = 1000 + (int)sim_rng_below(&r, 60000);
		sim_auth(&o, t, vpn,
			 "sshd[%d]: Accepted publickey for %s from %s port %d ssh2: ED25519 "
			 "SHA256:q3XnO8r1mVbH0pD2kT5wZs7yLcE9aUfGiJ4xR6nBvM0",
			 pid, adm, wsip, 40000 + (int)sim_rng_below(&r, 25000));
		sim_auth(&o, t + 200000, vpn,
			 "sshd[%d]: pam_unix(sshd:session): session opened for user %s(uid=%d) by "
			 "(uid=0)",
			 pid, adm, 1000 + k);
		sim_auth(&o, t + (int64_t)sim_rng_below(&r, (uint64_t)SIM_HOUR) + SIM_MINUTE, vpn,
			 "sshd[%d]: pam_unix(sshd:session): session closed for user %s", pid, adm);
	}
	for (int h = 0; h < 24; h += 12) {
		int64_t t =
		    day + h * SIM_HOUR + 17 * SIM_MINUTE + (int64_t)sim_rng_below(&r, SIM_US);
		sim_auth(&o, t, vpn,
			 "CRON[%d]: pam_unix(cron:session): session opened for user root(uid=0) by "
			 "(uid=0)",
			 1000 + (int)sim_rng_below(&r, 60000));
	}

	/* the public web site */
	n = count_of(&r, (org->role == ROLE_PLAIN ? 10 : 24) * f);
	for (int i = 0; i < n; i++) {
		int64_t t = sim_time_in_day(&r, day, org->tz_min, 0.6);
		sim_public_ip(&r, NULL, ext, sizeof ext);
		const char *ua = SIM_PICK(&r, browser_uas);
		if (org->role == ROLE_AI_SERVICE && i % 2) {
			int login = sim_rng_below(&r, 8) == 0;
			sim_access(&o, t, ext, "POST", login ? "/api/auth/login" : "/api/v1/chat",
				   login && sim_rng_below(&r, 10) == 0 ? 401 : 200,
				   login ? 180 : (long)sim_rng_below(&r, 8000) + 400,
				   "https://chat.nimbus-ai.example/", ua);
			continue;
		}
		if (org->role == ROLE_VENDOR && i % 2) {
			sim_access(&o, t, w->orgs[1 + sim_rng_below(&r, w->n_orgs - 1)].public_ip,
				   "GET", "/api/v1/update/check?product=AcmeOffice&version=5.4.1",
				   200, 312, NULL, "AcmeUpdate/5.4 (Windows NT 10.0)");
			continue;
		}
		const char *page = SIM_PICK(&r, pages);
		int st = sim_rng_below(&r, 10) == 0 ? 404 : sim_rng_below(&r, 5) == 0 ? 304 : 200;
		sim_access(&o, t, ext, "GET", page, st,
			   st == 304 ? 0 : (long)sim_rng_below(&r, 40000) + 200, NULL, ua);
	}
}
