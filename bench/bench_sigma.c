/*
 * bench_sigma.c — Sigma engine throughput on synthetic and on real events.
 *
 * usage: bench_sigma [--events N] [--fresh N] [--evtx DIR] RULES_PATH… [SECONDS]
 *
 * Loads and compiles every rule under each RULES_PATH (timed), then:
 *   - synthetic: builds a pool of realistic events (process creation with long
 *     command lines, network connections, registry values, file creation,
 *     Security logons and 4688), scans it once cold (the first events of each
 *     logsource pay for its prefilter), then repeatedly for SECONDS (default 3)
 *     on one thread, and prints events/s of thread CPU time and the alerts of
 *     one pass of the pool;
 *   - --events N: the timed part scans exactly N events instead (for
 *     valgrind --tool=callgrind --toggle-collect=timed_scan, repeatable);
 *   - --fresh N: N events made anew pool after pool (new random values, so
 *     new correlation keys), to show that peak memory does not grow with the
 *     input;
 *   - --evtx DIR: every EVTX file under DIR read into memory first (untimed),
 *     then the Sigma detector alone over those events: one cold pass and
 *     repeated passes for SECONDS, with the alerts of a pass.
 * Peak resident memory is printed last. The ratio to the published Zircolite
 * figure (39k events/s on 452k Sysmon events, other hardware) is only a
 * reference point; bench/sigma.sh compares against evtxexport in the same run.
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/resource.h>
#include <time.h>

#include "core/arena.h"
#include "core/diag.h"
#include "detect/sigma/sigma.h"
#include "event/fieldname.h"
#include "read/reader.h"
#include "read/walk.h"

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

static struct alert_sink sink = {count_emit};

static void scan_all(struct detector *d, void *w, const struct event *evs, size_t n)
{
	for (size_t i = 0; i < n; i += 1000)
		d->scan(w, evs + i, n - i < 1000 ? n - i : 1000, &sink);
}

/* The measured scans, apart so that callgrind can count them alone. */
__attribute__((noinline)) static void timed_scan(struct detector *d, void *w,
						 const struct event *evs, size_t n)
{
	scan_all(d, w, evs, n);
}

/* Each pass starts with an empty value cache, so that only the repetition
 * within one pass counts, as in one pass over real logs. */
static void forget(void *w)
{
	unsigned long long hits, misses;
	sigma_worker_forget(w, &hits, &misses);
}

static void print_cache(void *w)
{
	unsigned long long hits, misses;
	sigma_worker_forget(w, &hits, &misses);
	printf("value cache: %.1f %% of %llu values looked at were known\n",
	       hits + misses ? 100.0 * (double)hits / (double)(hits + misses) : 0.0, hits + misses);
}

static double peak_mib(void)
{
	struct rusage ru;
	getrusage(RUSAGE_SELF, &ru);
	return (double)ru.ru_maxrss / 1024.0;
}

/* Passes over evs for secs of CPU (or exactly `events` events); events/s. */
static double timed(struct detector *d, void *w, const struct event *evs, size_t n, double secs,
		    size_t events, size_t *done, double *spent)
{
	size_t k = 0;
	double t0 = now(), t;
	if (events) {
		for (; k + n <= events; k += n) {
			forget(w);
			timed_scan(d, w, evs, n);
		}
		if (k < events) {
			forget(w);
			timed_scan(d, w, evs, events - k);
		}
		k = events;
		t = now() - t0;
	} else {
		do {
			forget(w);
			timed_scan(d, w, evs, n);
			k += n;
		} while ((t = now() - t0) < secs);
	}
	*done = k;
	*spent = t;
	return (double)k / t;
}

static void synthetic(struct detector *d, double secs, size_t events)
{
	void *w;
	if (d->worker_new(d, &w))
		exit(1);
	struct arena a;
	arena_init(&a, 0);
	struct source src = {.path = "bench.evtx", .format = "evtx"};
	struct event *pool = malloc(POOL * sizeof *pool);
	if (!pool)
		exit(1);
	for (size_t i = 0; i < POOL; i++)
		make(&pool[i], &a, &src);
	alerts = 0;
	double t0 = now();
	scan_all(d, w, pool, POOL);
	printf("synthetic, cold pass: %d events in %.2f s CPU, %zu alerts\n", POOL, now() - t0,
	       alerts);
	alerts = 0;
	forget(w);
	scan_all(d, w, pool, POOL);
	size_t per_pass = alerts;
	size_t n;
	double t;
	alerts = 0;
	double eps = timed(d, w, pool, POOL, secs, events, &n, &t);
	printf("synthetic: %zu events in %.2f s CPU = %.0f events/s on one core (%.1f x "
	       "Zircolite's 39k)\n",
	       n, t, eps, eps / 39000.0);
	printf("synthetic alerts: %zu per pass of %d events (%.3f per event)\n", per_pass, POOL,
	       (double)per_pass / POOL);
	print_cache(w);
	free(pool);
	arena_free(&a);
	d->worker_free(w);
}

/* A long input: pools made anew (fresh random values) until n events. */
static void fresh(struct detector *d, size_t total)
{
	void *w;
	if (d->worker_new(d, &w))
		exit(1);
	struct source src = {.path = "bench.evtx", .format = "evtx"};
	struct event *pool = malloc(POOL * sizeof *pool);
	if (!pool)
		exit(1);
	size_t done = 0;
	double spent = 0;
	alerts = 0;
	while (done < total) {
		struct arena a;
		arena_init(&a, 0);
		for (size_t i = 0; i < POOL; i++)
			make(&pool[i], &a, &src);
		double t0 = now();
		scan_all(d, w, pool, POOL);
		spent += now() - t0;
		done += POOL;
		arena_free(&a);
		if (done % 1000000 == 0)
			printf("fresh: %zu events, peak memory %.1f MiB\n", done, peak_mib());
	}
	printf("fresh: %zu events in %.2f s CPU = %.0f events/s, %zu alerts\n", done, spent,
	       (double)done / spent, alerts);
	print_cache(w);
	free(pool);
	d->worker_free(w);
}

/* Every event of every EVTX file under dir, copied into arena a. */
static struct event *load_evtx(const char *dir, struct arena *a, size_t *nout, size_t *nfiles,
			       double *secs)
{
	struct diag_sink diags;
	diag_sink_init(&diags, NULL);
	struct file_list files = {0};
	char *paths[] = {(char *)dir};
	double t0 = now();
	if (walk_paths(paths, 1, &files, &diags))
		exit(1);
	struct source *srcs = calloc(files.n + 1, sizeof *srcs);
	struct read_opts ro = {.fields = true};
	struct batch b;
	batch_init(&b);
	struct event *evs = NULL;
	size_t n = 0, cap = 0, nf = 0;
	for (size_t i = 0; srcs && i < files.n; i++) {
		size_t l = strlen(files.paths[i]);
		if (l < 5 || strcmp(files.paths[i] + l - 5, ".evtx"))
			continue;
		srcs[i].path = arena_strndup(a, files.paths[i], l);
		srcs[i].id = (uint32_t)i;
		struct reader *r;
		struct diag why = {0};
		if (reader_open(&r, &srcs[i], NULL, &ro, &diags, &why))
			continue;
		nf++;
		int k;
		while ((k = reader_next(r, &b)) > 0)
			for (int j = 0; j < k; j++) {
				if (n == cap) {
					cap = cap ? cap * 2 : 4096;
					struct event *ne = realloc(evs, cap * sizeof *ne);
					if (!ne)
						exit(1);
					evs = ne;
				}
				if (event_copy(&evs[n], &b.events[j], a))
					exit(1);
				n++;
			}
		reader_close(r);
	}
	*secs = now() - t0;
	batch_free(&b);
	file_list_free(&files);
	diag_sink_fini(&diags);
	*nout = n;
	*nfiles = nf;
	return evs;
}

static void real_evtx(struct detector *d, const char *dir, double secs, size_t events)
{
	struct arena a;
	arena_init(&a, 0);
	size_t n, nf;
	double tread;
	struct event *evs = load_evtx(dir, &a, &n, &nf, &tread);
	if (!n) {
		fprintf(stderr, "bench_sigma: no EVTX events under %s\n", dir);
		exit(1);
	}
	printf("evtx: %zu events from %zu files, read in %.2f s CPU (not counted)\n", n, nf, tread);
	void *w;
	if (d->worker_new(d, &w))
		exit(1);
	alerts = 0;
	double t0 = now();
	scan_all(d, w, evs, n);
	double tc = now() - t0;
	printf("evtx, cold pass (first events of a logsource build its prefilter): %.0f "
	       "events/s, %zu alerts\n",
	       (double)n / tc, alerts);
	alerts = 0;
	forget(w);
	scan_all(d, w, evs, n);
	size_t per_pass = alerts;
	size_t done;
	double t;
	double eps = timed(d, w, evs, n, secs, events, &done, &t);
	printf("evtx: %zu events in %.2f s CPU = %.0f events/s on one core, Sigma detector "
	       "alone\n",
	       done, t, eps);
	printf("evtx alerts: %zu per pass of %zu events\n", per_pass, n);
	print_cache(w);
	d->worker_free(w);
	free(evs);
	arena_free(&a);
}

static bool is_number(const char *s)
{
	char *e;
	strtod(s, &e);
	return *s && !*e;
}

int main(int argc, char **argv)
{
	const char *evtx = NULL;
	size_t events = 0, nfresh = 0;
	double secs = 3.0;
	const char *rules[64];
	size_t nrules = 0;
	for (int i = 1; i < argc; i++) {
		if (!strcmp(argv[i], "--evtx") && i + 1 < argc)
			evtx = argv[++i];
		else if (!strcmp(argv[i], "--events") && i + 1 < argc)
			events = strtoull(argv[++i], NULL, 10);
		else if (!strcmp(argv[i], "--fresh") && i + 1 < argc)
			nfresh = strtoull(argv[++i], NULL, 10);
		else if (i == argc - 1 && nrules && is_number(argv[i]))
			secs = atof(argv[i]);
		else if (nrules < sizeof rules / sizeof *rules)
			rules[nrules++] = argv[i];
	}
	if (!nrules) {
		fprintf(stderr, "usage: bench_sigma [--events N] [--fresh N] [--evtx DIR] "
				"RULES_PATH... [SECONDS]\n");
		return 2;
	}
	struct sigma_ruleset *rs;
	struct sigma_load_report rep = {0};
	double t0 = now();
	if (sigma_ruleset_new(&rs))
		return 1;
	for (size_t i = 0; i < nrules; i++)
		if (sigma_ruleset_load(rs, rules[i], &rep)) {
			fprintf(stderr, "bench_sigma: cannot load %s\n", rules[i]);
			return 1;
		}
	if (sigma_ruleset_compile(rs, &rep)) {
		fprintf(stderr, "bench_sigma: cannot compile the rules\n");
		return 1;
	}
	double t_load = now() - t0;
	printf("rules: loaded %zu of %zu in %.2f s CPU (load + compile)\n", rep.loaded, rep.total,
	       t_load);
	sigma_load_report_free(&rep);
	struct detector d;
	if (sigma_detector_init(&d, rs))
		return 1;
	if (evtx)
		real_evtx(&d, evtx, secs, events);
	else if (nfresh)
		fresh(&d, nfresh);
	else
		synthetic(&d, secs, events);
	printf("peak memory: %.1f MiB\n", peak_mib());
	d.shared_free(d.shared);
	return 0;
}
