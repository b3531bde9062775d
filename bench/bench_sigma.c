/*
 * bench_sigma.c — Sigma engine throughput on synthetic Sysmon/Security events.
 *
 * usage: bench_sigma RULES_DIR [SECONDS]
 * Loads and compiles every rule under RULES_DIR (timed), builds a pool of
 * realistic events (process creation with long command lines, network
 * connections, registry values, file creation, Security logons and 4688),
 * then scans the pool repeatedly on one thread for SECONDS (default 3) and
 * prints events/s, alerts, the load+compile time and the peak resident
 * memory, with the ratio to the published Zircolite figure (39k events/s on
 * 452k Sysmon events) as a reference point.
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/resource.h>
#include <time.h>

#include "core/arena.h"
#include "detect/sigma/sigma.h"
#include "event/fieldname.h"

#define POOL 20000

/* CPU time of this thread: the machine may be shared, and the figure asked
 * for is events per second of one core. */
static double now(void)
{
	struct timespec ts;
	clock_gettime(CLOCK_THREAD_CPUTIME_ID, &ts);
	return (double)ts.tv_sec + (double)ts.tv_nsec / 1e9;
}

static uint64_t rng = 0x9e3779b97f4a7c15ull;
static unsigned rnd(unsigned n)
{
	rng ^= rng << 13;
	rng ^= rng >> 7;
	rng ^= rng << 17;
	return (unsigned)(rng % n);
}

static void add(struct event *ev, struct arena *a, const char *k, const char *v)
{
	char *c = arena_strndup(a, v, strlen(v));
	event_field_add(ev, a, fieldname_intern(slice_cstr(k)), FT_STRING, slice_cstr(c));
}

static const char *images[] = {"C:\\Windows\\System32\\svchost.exe",
			       "C:\\Program Files\\Google\\Chrome\\Application\\chrome.exe",
			       "C:\\Windows\\System32\\WindowsPowerShell\\v1.0\\powershell.exe",
			       "C:\\Windows\\System32\\cmd.exe",
			       "C:\\Windows\\explorer.exe",
			       "C:\\Program Files\\Microsoft Office\\root\\Office16\\WINWORD.EXE",
			       "C:\\Windows\\System32\\rundll32.exe",
			       "C:\\Users\\alice\\AppData\\Local\\Temp\\setup_x64.exe",
			       "C:\\Windows\\System32\\conhost.exe",
			       "C:\\Program Files\\7-Zip\\7z.exe"};
static const char *cmds[] = {
    "\"C:\\Program Files\\Google\\Chrome\\Application\\chrome.exe\" --type=renderer "
    "--display-capture-permissions-policy-allowed --lang=en-US --device-scale-factor=1 "
    "--num-raster-threads=4 --enable-main-frame-before-activation --renderer-client-id=%u "
    "--time-ticks-at-unix-epoch=-1700000000000000 --launch-time-ticks=%u "
    "--mojo-platform-channel-handle=%u",
    "C:\\Windows\\system32\\svchost.exe -k netsvcs -p -s Schedule %u",
    "powershell.exe -NoProfile -ExecutionPolicy Bypass -File "
    "C:\\ProgramData\\scripts\\inventory_%u.ps1 "
    "-Server fileserver01.corp.example.com -OutputPath \\\\fileserver01\\reports$\\daily",
    "cmd.exe /c \"echo %u > C:\\Windows\\Temp\\marker.txt && dir C:\\Users\\Public\"",
    "\"C:\\Program Files\\7-Zip\\7z.exe\" a -tzip C:\\Backup\\archive_%u.zip C:\\Data\\Projects\\* "
    "-r",
    "rundll32.exe C:\\Windows\\System32\\shell32.dll,Control_RunDLL desk.cpl,,%u",
    "\"C:\\Program Files\\Microsoft Office\\root\\Office16\\WINWORD.EXE\" /n "
    "\"C:\\Users\\alice\\Documents\\Quarterly report %u.docx\" /o \"\"",
    "C:\\Windows\\system32\\conhost.exe 0xffffffff -ForceV1 %u"};

/* The template with each %u replaced by a random number. */
static void fill(char *buf, size_t cap, const char *tpl)
{
	size_t n = 0;
	for (const char *p = tpl; *p && n + 12 < cap; p++) {
		if (p[0] == '%' && p[1] == 'u') {
			n += (size_t)snprintf(buf + n, cap - n, "%u", rnd(100000));
			p++;
		} else {
			buf[n++] = *p;
		}
	}
	buf[n] = 0;
}

static void make(struct event *ev, struct arena *a, struct source *src)
{
	char buf[1024];
	event_clear(ev);
	ev->source = src;
	unsigned k = rnd(10);
	const char *sysmon = "Microsoft-Windows-Sysmon/Operational";
	add(ev, a, "Computer", "WS-0042.corp.example.com");
	add(ev, a, "Provider_Name", "Microsoft-Windows-Sysmon");
	snprintf(buf, sizeof buf, "%u", rnd(1u << 30));
	add(ev, a, "EventRecordID", buf);
	if (k < 4) { /* process creation */
		add(ev, a, "Channel", sysmon);
		add(ev, a, "EventID", "1");
		unsigned i = rnd(10);
		add(ev, a, "Image", images[i]);
		fill(buf, sizeof buf, cmds[rnd(8)]);
		add(ev, a, "CommandLine", buf);
		add(ev, a, "ParentImage", images[rnd(10)]);
		add(ev, a, "ParentCommandLine", "C:\\Windows\\Explorer.EXE");
		add(ev, a, "OriginalFileName", strrchr(images[i], '\\') + 1);
		add(ev, a, "User", "CORP\\alice");
		add(ev, a, "IntegrityLevel", "Medium");
		add(ev, a, "CurrentDirectory", "C:\\Users\\alice\\");
		add(ev, a, "Hashes",
		    "SHA256=0A1B2C3D4E5F60718293A4B5C6D7E8F90A1B2C3D4E5F60718293A4B5C6D7E8F9,"
		    "IMPHASH=00112233445566778899AABBCCDDEEFF");
		add(ev, a, "Company", "Microsoft Corporation");
		add(ev, a, "Description", "Windows host process");
	} else if (k < 6) { /* network */
		add(ev, a, "Channel", sysmon);
		add(ev, a, "EventID", "3");
		add(ev, a, "Image", images[rnd(10)]);
		snprintf(buf, sizeof buf, "10.1.%u.%u", rnd(256), rnd(256));
		add(ev, a, "SourceIp", buf);
		snprintf(buf, sizeof buf, "%u.%u.%u.%u", 20 + rnd(200), rnd(256), rnd(256),
			 rnd(256));
		add(ev, a, "DestinationIp", buf);
		snprintf(buf, sizeof buf, "%u", rnd(2) ? 443 : 49152 + rnd(10000));
		add(ev, a, "DestinationPort", buf);
		add(ev, a, "DestinationHostname", "update.example.net");
		add(ev, a, "Protocol", "tcp");
		add(ev, a, "Initiated", "true");
		add(ev, a, "User", "CORP\\alice");
	} else if (k < 8) { /* registry */
		add(ev, a, "Channel", sysmon);
		add(ev, a, "EventID", "13");
		add(ev, a, "EventType", "SetValue");
		add(ev, a, "Image", images[rnd(10)]);
		snprintf(buf, sizeof buf,
			 "HKU\\S-1-5-21-1004336348-1177238915-682003330-1001\\Software\\Microsoft\\"
			 "Windows\\CurrentVersion\\Explorer\\RecentDocs\\%u",
			 rnd(1000));
		add(ev, a, "TargetObject", buf);
		add(ev, a, "Details", "Binary Data");
	} else if (k < 9) { /* file */
		add(ev, a, "Channel", sysmon);
		add(ev, a, "EventID", "11");
		add(ev, a, "Image", images[rnd(10)]);
		snprintf(buf, sizeof buf, "C:\\Users\\alice\\AppData\\Local\\Temp\\tmp%u.tmp",
			 rnd(1u << 20));
		add(ev, a, "TargetFilename", buf);
	} else { /* Security */
		add(ev, a, "Channel", "Security");
		add(ev, a, "Provider_Name", "Microsoft-Windows-Security-Auditing");
		if (rnd(2)) {
			add(ev, a, "EventID", "4624");
			add(ev, a, "TargetUserName", "alice");
			add(ev, a, "TargetDomainName", "CORP");
			add(ev, a, "LogonType", rnd(2) ? "3" : "2");
			add(ev, a, "IpAddress", "10.1.2.3");
			add(ev, a, "AuthenticationPackageName", "Kerberos");
			add(ev, a, "WorkstationName", "WS-0042");
		} else {
			add(ev, a, "EventID", "4688");
			add(ev, a, "NewProcessName", images[rnd(10)]);
			fill(buf, sizeof buf, cmds[rnd(8)]);
			add(ev, a, "CommandLine", buf);
			add(ev, a, "ParentProcessName", images[rnd(10)]);
			add(ev, a, "SubjectUserName", "alice");
		}
	}
}

static size_t alerts;
static int count_emit(struct alert_sink *s, struct alert *a)
{
	alerts++;
	if (getenv("BENCH_SIGMA_ALERTS") && alerts < 200)
		printf("alert: %s\n", a->rule_title);
	alert_free(a);
	return 0;
}

int main(int argc, char **argv)
{
	if (argc < 2) {
		fprintf(stderr, "usage: bench_sigma RULES_DIR [SECONDS]\n");
		return 2;
	}
	double secs = argc > 2 ? atof(argv[2]) : 3.0;
	struct sigma_ruleset *rs;
	struct sigma_load_report rep = {0};
	double t0 = now();
	if (sigma_ruleset_new(&rs) || sigma_ruleset_load(rs, argv[1], &rep) ||
	    sigma_ruleset_compile(rs, &rep)) {
		fprintf(stderr, "bench_sigma: cannot load %s\n", argv[1]);
		return 1;
	}
	double t_load = now() - t0;
	printf("rules: loaded %zu of %zu in %.2f s CPU (load + compile)\n", rep.loaded, rep.total,
	       t_load);
	sigma_load_report_free(&rep);
	struct detector d;
	void *w;
	if (sigma_detector_init(&d, rs) || d.worker_new(&d, &w))
		return 1;
	struct arena a;
	arena_init(&a, 0);
	struct source src = {.path = "bench.evtx", .format = "evtx"};
	struct event *pool = malloc(POOL * sizeof *pool);
	for (size_t i = 0; i < POOL; i++)
		make(&pool[i], &a, &src);
	struct alert_sink sink = {count_emit};
	size_t n = 0;
	/* untimed passes: frequent logsources get their own prefilter database
	 * after AS_SIGMA_SUBDB_AFTER events each */
	t0 = now();
	for (int pass = 0; pass < 8; pass++)
		for (size_t i = 0; i < POOL; i += 1000)
			d.scan(w, pool + i, 1000, &sink);
	printf("warm-up: %d events in %.2f s CPU\n", 8 * POOL, now() - t0);
	alerts = 0;
	t0 = now();
	double t;
	do {
		for (size_t i = 0; i < POOL; i += 1000)
			d.scan(w, pool + i, 1000, &sink);
		n += POOL;
	} while ((t = now() - t0) < secs);
	struct rusage ru;
	getrusage(RUSAGE_SELF, &ru);
	double eps = (double)n / t;
	printf("events: %zu in %.2f s CPU = %.0f events/s on one core (%.1f x Zircolite's 39k)\n",
	       n, t, eps, eps / 39000.0);
	printf("alerts: %zu (%.3f per event)\n", alerts, (double)alerts / (double)n);
	printf("peak memory: %.1f MiB\n", (double)ru.ru_maxrss / 1024.0);
	free(pool);
	arena_free(&a);
	d.worker_free(w);
	d.shared_free(d.shared);
	return 0;
}
