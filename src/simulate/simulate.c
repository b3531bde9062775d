/*
 * simulate.c — the driver of `aptscope simulate`: options, folders, the day-by-day merge.
 *
 * The attacks are planned first (campaign.c) into each organisation's pending streams,
 * sorted by time. Then each organisation is written on its own, one day at a time: the day's
 * background is made and sorted, and merged with the pending records of that day into the
 * organisation's files. Memory is therefore one day of one organisation plus the attacks,
 * whatever the scale; records outside [from, to) are dropped.
 */
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>

#include "core/error.h"
#include "core/timeparse.h"
#include "simulate/sim_int.h"

const char *sim_kind_name(enum sim_kind k)
{
	static const char *names[] = {
#define X(id, name) name,
	    SIM_KIND_LIST(X)
#undef X
	};
	return (unsigned)k < SIM_KIND_COUNT ? names[k] : "?";
}

void sim_opts_default(struct sim_opts *o)
{
	memset(o, 0, sizeof *o);
	o->seed = 1;
	int y = time_year(time_now_us()) - 1;
	o->from_us = time_days_from_civil(y, 1, 1) * SIM_DAY;
	o->to_us = time_days_from_civil(y + 1, 1, 1) * SIM_DAY;
	o->orgs = 12;
	o->scale = 1.0;
}

static int mkdir_p(const char *path)
{
	char tmp[4096];
	size_t n = strlen(path);
	if (n == 0 || n >= sizeof tmp)
		return AS_EINVAL;
	memcpy(tmp, path, n + 1);
	for (char *p = tmp + 1; *p; p++) {
		if (*p != '/')
			continue;
		*p = 0;
		if (mkdir(tmp, 0755) && errno != EEXIST)
			return AS_EIO;
		*p = '/';
	}
	if (mkdir(tmp, 0755) && errno != EEXIST)
		return AS_EIO;
	return 0;
}

/* ---- the files of one organisation ---------------------------------------------------------- */

static const struct {
	const char *sub, *file, *zeek_path, *fields, *types;
} logs[LOG_COUNT] = {
    [LOG_CONN] =
	{"zeek", "conn.log", "conn",
	 "ts\tuid\tid.orig_h\tid.orig_p\tid.resp_h\tid.resp_p\tproto\tservice\tduration\t"
	 "orig_bytes\tresp_bytes\tconn_state\tlocal_orig\tlocal_resp\tmissed_bytes\thistory\t"
	 "orig_pkts\torig_ip_bytes\tresp_pkts\tresp_ip_bytes\ttunnel_parents",
	 "time\tstring\taddr\tport\taddr\tport\tenum\tstring\tinterval\tcount\tcount\tstring\t"
	 "bool\tbool\tcount\tstring\tcount\tcount\tcount\tcount\tset[string]"},
    [LOG_DNS] =
	{"zeek", "dns.log", "dns",
	 "ts\tuid\tid.orig_h\tid.orig_p\tid.resp_h\tid.resp_p\tproto\ttrans_id\trtt\tquery\t"
	 "qclass\tqclass_name\tqtype\tqtype_name\trcode\trcode_name\tAA\tTC\tRD\tRA\tZ\t"
	 "answers\tTTLs\trejected",
	 "time\tstring\taddr\tport\taddr\tport\tenum\tcount\tinterval\tstring\tcount\tstring\t"
	 "count\tstring\tcount\tstring\tbool\tbool\tbool\tbool\tcount\tvector[string]\t"
	 "vector[interval]\tbool"},
    [LOG_HTTP] =
	{"zeek", "http.log", "http",
	 "ts\tuid\tid.orig_h\tid.orig_p\tid.resp_h\tid.resp_p\ttrans_depth\tmethod\thost\turi\t"
	 "referrer\tversion\tuser_agent\trequest_body_len\tresponse_body_len\tstatus_code\t"
	 "status_msg",
	 "time\tstring\taddr\tport\taddr\tport\tcount\tstring\tstring\tstring\tstring\tstring\t"
	 "string\tcount\tcount\tcount\tstring"},
    [LOG_SSL] =
	{"zeek", "ssl.log", "ssl",
	 "ts\tuid\tid.orig_h\tid.orig_p\tid.resp_h\tid.resp_p\tversion\tcipher\tcurve\t"
	 "server_name\tresumed\testablished\tja3\tja3s",
	 "time\tstring\taddr\tport\taddr\tport\tstring\tstring\tstring\tstring\tbool\tbool\t"
	 "string\tstring"},
    [LOG_EVE] = {"suricata", "eve.json", NULL, NULL, NULL},
    [LOG_AUTH] = {"syslog", "auth.log", NULL, NULL, NULL},
    [LOG_ACCESS] = {"web", "access.log", NULL, NULL, NULL},
    [LOG_SYSMON] = {"windows", "sysmon.jsonl", NULL, NULL, NULL},
};

static bool log_used(const struct sim_org *o, int l)
{
	if (l <= LOG_SSL)
		return o->sensor == SENSOR_ZEEK;
	if (l == LOG_EVE)
		return o->sensor == SENSOR_EVE;
	return true;
}

static void write_recs(FILE *f, const struct sim_stream *s, size_t *i, int64_t until,
		       const struct sim_opts *opt, uint64_t *records)
{
	for (; *i < s->n && s->recs[*i].t < until; (*i)++) {
		const struct sim_rec *r = &s->recs[*i];
		if (r->t < opt->from_us || r->t >= opt->to_us)
			continue;
		fwrite(s->text.data + r->off, 1, r->len, f);
		fputc('\n', f);
		(*records)++;
	}
}

static int org_write(struct sim_world *w, struct sim_org *o, struct sim_result *res)
{
	const struct sim_opts *opt = &w->opts;
	char path[4096];
	FILE *f[LOG_COUNT] = {0};
	int rc = 0;
	for (int l = 0; l < LOG_COUNT && !rc; l++) {
		if (!log_used(o, l))
			continue;
		snprintf(path, sizeof path, "%s/%s/%s", opt->out_dir, o->dir, logs[l].sub);
		if ((rc = mkdir_p(path)))
			break;
		snprintf(path, sizeof path, "%s/%s/%s/%s", opt->out_dir, o->dir, logs[l].sub,
			 logs[l].file);
		f[l] = fopen(path, "w");
		if (!f[l]) {
			rc = AS_EIO;
			break;
		}
		setvbuf(f[l], NULL, _IOFBF, 1u << 18);
		res->files++;
		if (logs[l].zeek_path) {
			char open[32];
			sim_fmt_time(opt->from_us, TS_ZEEK_OPEN, open, sizeof open);
			fprintf(f[l],
				"#separator \\x09\n#set_separator\t,\n#empty_field\t(empty)\n"
				"#unset_field\t-\n#path\t%s\n#open\t%s\n#fields\t%s\n#types\t%s\n",
				logs[l].zeek_path, open, logs[l].fields, logs[l].types);
		}
	}
	size_t pi[LOG_COUNT] = {0};
	for (int64_t day = opt->from_us; !rc && day < opt->to_us; day += SIM_DAY) {
		for (int l = 0; l < LOG_COUNT; l++)
			sim_stream_reset(&o->day[l]);
		sim_background_day(w, o, day);
		if (w->err) {
			rc = w->err;
			break;
		}
		for (int l = 0; l < LOG_COUNT; l++) {
			if (!f[l])
				continue;
			struct sim_stream *d = &o->day[l];
			sim_stream_sort(d);
			/* merge: the day's background with the pending attack records */
			for (size_t di = 0; di < d->n; di++) {
				const struct sim_rec *r = &d->recs[di];
				write_recs(f[l], &o->pend[l], &pi[l], r->t, opt, &res->records);
				if (r->t >= opt->from_us && r->t < opt->to_us) {
					fwrite(d->text.data + r->off, 1, r->len, f[l]);
					fputc('\n', f[l]);
					res->records++;
				}
			}
			write_recs(f[l], &o->pend[l], &pi[l], day + SIM_DAY, opt, &res->records);
		}
	}
	for (int l = 0; l < LOG_COUNT; l++) {
		if (!f[l])
			continue;
		if (logs[l].zeek_path && !rc) {
			char close[32];
			sim_fmt_time(opt->to_us, TS_ZEEK_OPEN, close, sizeof close);
			fprintf(f[l], "#close\t%s\n", close);
		}
		long pos = ftell(f[l]);
		if (pos > 0)
			res->bytes += (uint64_t)pos;
		if (ferror(f[l]) && !rc)
			rc = AS_EIO;
		if (fclose(f[l]) && !rc)
			rc = AS_EIO;
		/* the day streams are no longer needed: give their memory back */
		sim_stream_free(&o->day[l]);
		sim_stream_free(&o->pend[l]);
	}
	return rc;
}

static int file_put(const char *dir, const char *name, const struct buf *b, struct sim_result *res)
{
	char path[4096];
	snprintf(path, sizeof path, "%s/%s", dir, name);
	FILE *f = fopen(path, "w");
	if (!f)
		return AS_EIO;
	size_t n = b->len ? fwrite(b->data, 1, b->len, f) : 0;
	int rc = (n != b->len || fclose(f)) ? AS_EIO : 0;
	res->files++;
	res->bytes += b->len;
	return rc;
}

int sim_run(const struct sim_opts *o, struct sim_result **out)
{
	*out = NULL;
	if (!o->out_dir || !*o->out_dir || o->orgs < 3 || o->orgs > AS_SIM_MAX_ORGS ||
	    !(o->scale > 0) || o->scale > AS_SIM_MAX_SCALE || o->to_us <= o->from_us ||
	    (o->to_us - o->from_us) / SIM_DAY > AS_SIM_MAX_DAYS)
		return AS_EINVAL;
	struct sim_result *res = calloc(1, sizeof *res);
	if (!res)
		return AS_ENOMEM;
	struct sim_world w = {0};
	w.opts = *o;
	struct buf b = BUF_INIT;
	int rc = mkdir_p(o->out_dir);
	char path[4096];
	if (!rc) {
		snprintf(path, sizeof path, "%s/intel", o->out_dir);
		rc = mkdir_p(path);
	}
	if (!rc)
		rc = sim_world_build(&w);
	if (!rc)
		rc = sim_campaigns_plan(&w);
	for (size_t i = 0; !rc && i < w.n_orgs; i++)
		rc = org_write(&w, &w.orgs[i], res);
	if (!rc) {
		rc = sim_assets_write(&w, &b);
		if (!rc)
			rc = file_put(o->out_dir, "assets.csv", &b, res);
	}
	if (!rc)
		rc = file_put(o->out_dir, "intel/indicators.csv", &w.indicators, res);
	for (size_t i = 0; i < w.n_attacks; i++) {
		struct sim_attack *a = &w.attacks[i];
		if (a->first_seen < o->from_us)
			a->first_seen = o->from_us;
		if (a->last_seen >= o->to_us)
			a->last_seen = o->to_us - 1;
		if (a->last_seen < a->first_seen)
			a->last_seen = a->first_seen;
	}
	if (!rc) {
		buf_reset(&b);
		rc = sim_truth_write(&w, &b);
		if (!rc)
			rc = file_put(o->out_dir, "truth.jsonl", &b, res);
	}
	buf_free(&b);
	if (!rc) {
		res->attacks = w.attacks;
		res->n_attacks = w.n_attacks;
		w.attacks = NULL;
		for (size_t i = 0; i < res->n_attacks; i++)
			res->per_kind[res->attacks[i].kind]++;
		res->n_orgs = w.n_orgs;
		for (size_t i = 0; i < w.n_orgs; i++)
			memcpy(res->org_dirs[i], w.orgs[i].dir, sizeof res->org_dirs[i]);
	}
	sim_world_free(&w);
	if (rc) {
		sim_result_free(res);
		return rc;
	}
	*out = res;
	return 0;
}

void sim_result_free(struct sim_result *r)
{
	if (!r)
		return;
	free(r->attacks);
	free(r);
}
