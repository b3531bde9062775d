/*
 * supply_detect.c — the "supply" detector: events checked against the
 * trusted-software manifest, see supply.h.
 *
 * Four checks, each a few map probes on canonical fields, so an event that
 * concerns no vendor costs nothing but the probes:
 *   update   domain (or the URL's host) and its parents → a vendor update host;
 *            then each hash of the event against the vendor's published ones
 *   install  base name of file_path (or process image) → a vendor file; in the
 *            vendor's folders when listed; hash against that file's hashes
 *   process  parent image → a vendor agent/updater; child image → shells,
 *            script hosts, network and discovery tools
 *   signing  a Signature/Signer native field on an event about a vendor image,
 *            compared with the vendor's signing subjects
 * The signing check needs native fields, so the detector only asks readers
 * for them when the manifest lists signers.
 */
#include "detect/supply/supply_int.h"

#include <fnmatch.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "core/buf.h"
#include "core/error.h"
#include "core/json.h"

static const char *const hash_field[SUPPLY_HASH_TYPES] = {"md5", "sha1", "sha256"};
static const enum event_str hash_str[SUPPLY_HASH_TYPES] = {ES_MD5, ES_SHA1, ES_SHA256};

/* What a vendor agent or updater has no business starting. */
static const char *const spawn_names[] = {
    "cmd.exe",
    "powershell.exe",
    "pwsh.exe",
    "powershell_ise.exe",
    "wscript.exe",
    "cscript.exe",
    "mshta.exe",
    "rundll32.exe",
    "regsvr32.exe",
    "certutil.exe",
    "bitsadmin.exe",
    "curl.exe",
    "wget.exe",
    "nc.exe",
    "ncat.exe",
    "net.exe",
    "net1.exe",
    "whoami.exe",
    "nltest.exe",
    "nslookup.exe",
    "ipconfig.exe",
    "systeminfo.exe",
    "tasklist.exe",
    "quser.exe",
    "plink.exe",
    "psexec.exe",
    "wmic.exe",
    "schtasks.exe",
    "reg.exe",
    "sc.exe",
    "msbuild.exe",
    "installutil.exe",
    "bash.exe",
    "wsl.exe",
    "ftp.exe",
    "tftp.exe",
    "telnet.exe",
    "ssh.exe",
    "sh",
    "bash",
    "dash",
    "zsh",
    "ksh",
    "csh",
    "tcsh",
    "python",
    "python3",
    "perl",
    "ruby",
    "php",
    "nc",
    "ncat",
    "netcat",
    "socat",
    "curl",
    "wget",
    "ssh",
    "scp",
    "telnet",
    "nmap",
    "whoami",
    "id",
    "uname",
    "base64",
    "openssl",
};

struct supply_worker {
	const struct supply_manifest *m;
	struct buf evidence;
};

static int worker_new(const struct detector *d, void **out)
{
	struct supply_worker *w = calloc(1, sizeof *w);
	if (!w)
		return AS_ENOMEM;
	w->m = d->shared;
	*out = w;
	return 0;
}

static void worker_free(void *p)
{
	struct supply_worker *w = p;
	if (!w)
		return;
	buf_free(&w->evidence);
	free(w);
}

static void shared_free(void *p)
{
	supply_manifest_free(p);
}

static bool key_get(const struct supply_manifest *m, uint64_t *v, const char *fmt, ...)
    __attribute__((format(printf, 3, 4)));

static bool key_get(const struct supply_manifest *m, uint64_t *v, const char *fmt, ...)
{
	char key[AS_MAX_INDICATOR_LEN + 700];
	va_list ap;
	va_start(ap, fmt);
	int n = vsnprintf(key, sizeof key, fmt, ap);
	va_end(ap);
	if (n < 0 || (size_t)n >= sizeof key)
		return false;
	uint64_t dummy;
	return map_get(&m->hashes, slice_make(key, (size_t)n), v ? v : &dummy);
}

struct finding {
	const struct supply_product *p;
	const char *channel;
	const char *rule_id;
	const char *title;
	enum alert_level level;
	const char *technique2; /* besides T1195.002, may be NULL */
	int htype;              /* hash type observed, -1 none */
	struct slice hash;
};

/* Start the alert and its evidence; the caller adds fields and calls finish. */
static struct alert *begin(struct supply_worker *w, const struct event *ev, const struct finding *f,
			   struct jw *j)
{
	struct alert *a = alert_new("supply");
	if (!a)
		return NULL;
	alert_from_event(a, ev);
	a->rule_id = f->rule_id;
	char title[512];
	snprintf(title, sizeof title, "%s: %s %s", f->title, f->p->vendor, f->p->product);
	a->rule_title = alert_strdup(a, slice_cstr(title));
	a->level = f->level;
	alert_add_technique(a, SLICE_LIT("T1195.002"));
	if (f->technique2)
		alert_add_technique(a, slice_cstr(f->technique2));
	if (f->htype >= 0) {
		struct alert_indicator *ind =
		    alert_add_indicator(a, hash_field[f->htype], f->hash, hash_field[f->htype]);
		if (ind)
			ind->label = alert_strdup(a, slice_cstr(title));
	}
	buf_reset(&w->evidence);
	jw_init(j, &w->evidence);
	jw_obj(j);
	jw_kcstr(j, "vendor", f->p->vendor);
	jw_kcstr(j, "product", f->p->product);
	jw_kcstr(j, "channel", f->channel);
	return a;
}

static int finish(struct supply_worker *w, struct alert *a, struct jw *j, struct alert_sink *out)
{
	jw_obj_end(j);
	if (!w->evidence.err)
		a->evidence = alert_strdup(a, buf_slice(&w->evidence));
	alert_compute_id(a);
	return out->emit(out, a);
}

static void put_if(struct jw *j, const char *k, struct slice v)
{
	if (v.ptr && v.len)
		jw_kstr(j, k, v);
}

/* The host of a URL ("http://h:80/x" → "h"), or SLICE_NULL. */
static struct slice url_host(struct slice url)
{
	const char *p = url.ptr, *end = url.ptr + url.len;
	const char *s = url.len >= 3 ? memmem(p, url.len, "://", 3) : NULL;
	if (!s)
		return SLICE_NULL;
	p = s + 3;
	const char *h = p;
	while (p < end && *p != '/' && *p != ':' && *p != '?' && *p != '#')
		p++;
	return slice_make(h, (size_t)(p - h));
}

static int check_update(struct supply_worker *w, const struct event *ev, struct alert_sink *out)
{
	const struct supply_manifest *m = w->m;
	if (!m->by_host.count)
		return 0;
	struct slice host = ev->str[ES_DOMAIN];
	if (!host.len)
		host = url_host(ev->str[ES_URL]);
	if (!host.len)
		return 0;
	char low[512];
	size_t ll = supply_lower(host, low, sizeof low, false);
	uint64_t pi;
	const char *h = low;
	bool found = false;
	while (h && *h) {
		if (map_get(&m->by_host, slice_make(h, ll - (size_t)(h - low)), &pi)) {
			found = true;
			break;
		}
		h = strchr(h, '.');
		if (h)
			h++;
	}
	if (!found)
		return 0;
	const struct supply_product *p = &m->p[pi];
	char vend[256];
	supply_lower(slice_cstr(p->vendor), vend, sizeof vend, false);
	/* Judge by the strongest hash type both the event and the vendor have. */
	for (int t = SUPPLY_SHA256; t >= SUPPLY_MD5; t--) {
		struct slice hv = ev->str[hash_str[t]];
		if (supply_hash_type(hv) != t)
			continue;
		bool vendor_lists = false;
		for (size_t i = 0; i < m->n && !vendor_lists; i++)
			vendor_lists = m->p[i].nhash[t] && !strcasecmp(m->p[i].vendor, p->vendor);
		if (!vendor_lists)
			continue;
		char hex[65];
		supply_lower(hv, hex, sizeof hex, false);
		if (key_get(m, NULL, "H%s\t%s", vend, hex))
			return 0;
		struct finding f = {.p = p,
				    .channel = "update",
				    .rule_id = "supply.update_unknown_hash",
				    .title =
					"Update from a vendor update host with an unknown hash",
				    .level = AL_CRITICAL,
				    .htype = t,
				    .hash = hv};
		struct jw j;
		struct alert *a = begin(w, ev, &f, &j);
		if (!a)
			return AS_ENOMEM;
		jw_kstr(&j, "host", host);
		put_if(&j, "url", ev->str[ES_URL]);
		put_if(&j, "file", ev->str[ES_FILE_PATH]);
		jw_kcstr(&j, "hash_type", hash_field[t]);
		jw_kstr(&j, "observed", hv);
		jw_kint(&j, "vendor_hashes", (int64_t)p->nhash[t]);
		return finish(w, a, &j, out);
	}
	return 0;
}

static bool in_paths(const struct supply_product *p, struct slice path)
{
	if (!p->paths.n)
		return true;
	char low[AS_MAX_SCAN_PATH];
	supply_lower(path, low, sizeof low, true);
	for (size_t i = 0; i < p->paths.n; i++)
		if (!fnmatch(p->paths.v[i], low, 0))
			return true;
	return false;
}

static int check_install(struct supply_worker *w, const struct event *ev, struct alert_sink *out)
{
	const struct supply_manifest *m = w->m;
	if (!m->by_file.count)
		return 0;
	struct slice path = ev->str[ES_FILE_PATH];
	if (!path.len && ev->kind == EK_PROCESS)
		path = ev->str[ES_PROCESS];
	if (!path.len)
		return 0;
	char name[512];
	size_t nl = supply_lower(supply_base(path), name, sizeof name, true);
	char *bang = strrchr(name, '!'); /* an archive member goes by its own name */
	if (bang) {
		nl = strlen(bang + 1);
		memmove(name, bang + 1, nl + 1);
	}
	uint64_t pi;
	if (!map_get(&m->by_file, slice_make(name, nl), &pi))
		return 0;
	const struct supply_product *p = &m->p[pi];
	if (!in_paths(p, path))
		return 0;
	for (int t = SUPPLY_SHA256; t >= SUPPLY_MD5; t--) {
		struct slice hv = ev->str[hash_str[t]];
		if (supply_hash_type(hv) != t)
			continue;
		if (!key_get(m, NULL, "C%zu\t%s\t%d", (size_t)pi, name, t) &&
		    !key_get(m, NULL, "C%zu\t*\t%d", (size_t)pi, t))
			continue;
		char hex[65];
		supply_lower(hv, hex, sizeof hex, false);
		if (key_get(m, NULL, "N%zu\t%s\t%s", (size_t)pi, name, hex) ||
		    key_get(m, NULL, "N%zu\t*\t%s", (size_t)pi, hex))
			return 0;
		struct finding f = {.p = p,
				    .channel = "install",
				    .rule_id = "supply.installed_hash_mismatch",
				    .title = "Vendor binary differs from every known-good version",
				    .level = AL_HIGH,
				    .htype = t,
				    .hash = hv};
		struct jw j;
		struct alert *a = begin(w, ev, &f, &j);
		if (!a)
			return AS_ENOMEM;
		jw_kstr(&j, "file", path);
		jw_kcstr(&j, "hash_type", hash_field[t]);
		jw_kstr(&j, "observed", hv);
		return finish(w, a, &j, out);
	}
	return 0;
}

static bool spawn_suspicious(const char *name)
{
	for (size_t i = 0; i < sizeof spawn_names / sizeof *spawn_names; i++)
		if (!strcmp(name, spawn_names[i]))
			return true;
	return false;
}

static int check_spawn(struct supply_worker *w, const struct event *ev, struct alert_sink *out)
{
	const struct supply_manifest *m = w->m;
	if (ev->kind != EK_PROCESS || !m->by_process.count)
		return 0;
	struct slice parent = ev->str[ES_PARENT_PROCESS], child = ev->str[ES_PROCESS];
	if (!parent.len || !child.len)
		return 0;
	char pname[512], cname[512];
	size_t pl = supply_lower(supply_base(parent), pname, sizeof pname, true);
	uint64_t pi;
	if (!map_get(&m->by_process, slice_make(pname, pl), &pi))
		return 0;
	supply_lower(supply_base(child), cname, sizeof cname, true);
	if (!spawn_suspicious(cname))
		return 0;
	struct finding f = {.p = &m->p[pi],
			    .channel = "process",
			    .rule_id = "supply.vendor_process_spawn",
			    .title = "Vendor agent or updater started a shell or tool",
			    .level = AL_HIGH,
			    .technique2 = "T1059",
			    .htype = -1};
	struct jw j;
	struct alert *a = begin(w, ev, &f, &j);
	if (!a)
		return AS_ENOMEM;
	jw_kstr(&j, "parent_process", parent);
	jw_kstr(&j, "process", child);
	put_if(&j, "command_line", ev->str[ES_COMMAND_LINE]);
	return finish(w, a, &j, out);
}

static const struct field *signer_field(const struct event *ev)
{
	static const char *const names[] = {"Signature", "Signer", "SignatureSubject",
					    "signature", "signer", "signing_subject"};
	for (size_t i = 0; i < sizeof names / sizeof *names; i++) {
		const struct field *f = event_field_find(ev, slice_cstr(names[i]));
		if (f && f->value.len)
			return f;
	}
	return NULL;
}

static int check_signer(struct supply_worker *w, const struct event *ev, struct alert_sink *out)
{
	const struct supply_manifest *m = w->m;
	if (!m->nsigners || !ev->nfields)
		return 0;
	const struct field *sig = signer_field(ev);
	if (!sig)
		return 0;
	const struct field *loaded = event_field_find(ev, SLICE_LIT("ImageLoaded"));
	struct slice image = loaded && loaded->value.len ? loaded->value
			     : ev->str[ES_FILE_PATH].len ? ev->str[ES_FILE_PATH]
							 : ev->str[ES_PROCESS];
	if (!image.len)
		return 0;
	char name[512];
	size_t nl = supply_lower(supply_base(image), name, sizeof name, true);
	uint64_t pi;
	const struct supply_product *p = NULL;
	if (map_get(&m->by_file, slice_make(name, nl), &pi) ||
	    map_get(&m->by_process, slice_make(name, nl), &pi))
		p = &m->p[pi];
	for (size_t i = 0; i < m->n && !p; i++)
		if (m->p[i].paths.n && m->p[i].signers.n && in_paths(&m->p[i], image))
			p = &m->p[i];
	if (!p || !p->signers.n)
		return 0;
	/* A subject may be written bare or as a DN ("CN=Acme Ltd, O=…"). */
	for (size_t i = 0; i < p->signers.n; i++)
		if (slice_contains_nocase(sig->value, slice_cstr(p->signers.v[i])))
			return 0;
	struct finding f = {.p = p,
			    .channel = "signing",
			    .rule_id = "supply.unexpected_signer",
			    .title = "Vendor binary signed by another subject",
			    .level = AL_HIGH,
			    .technique2 = "T1553.002",
			    .htype = -1};
	struct jw j;
	struct alert *a = begin(w, ev, &f, &j);
	if (!a)
		return AS_ENOMEM;
	jw_kstr(&j, "image", image);
	jw_kstr(&j, "signer", sig->value);
	jw_key(&j, "expected");
	jw_arr(&j);
	for (size_t i = 0; i < p->signers.n; i++)
		jw_cstr(&j, p->signers.v[i]);
	jw_arr_end(&j);
	return finish(w, a, &j, out);
}

static int scan(void *p, const struct event *evs, size_t n, struct alert_sink *out)
{
	struct supply_worker *w = p;
	int rc = 0;
	for (size_t i = 0; i < n; i++) {
		const struct event *ev = &evs[i];
		int e = check_update(w, ev, out);
		if (!e)
			e = check_install(w, ev, out);
		if (!e)
			e = check_spawn(w, ev, out);
		if (!e)
			e = check_signer(w, ev, out);
		if (e && !rc)
			rc = e;
	}
	return rc;
}

int supply_detector_init(struct detector *d, struct supply_manifest *m)
{
	if (!d || !m)
		return AS_EINVAL;
	memset(d, 0, sizeof *d);
	d->name = "supply";
	d->shared = m;
	d->needs_fields = m->nsigners > 0;
	d->worker_new = worker_new;
	d->scan = scan;
	d->worker_free = worker_free;
	d->shared_free = shared_free;
	return 0;
}
