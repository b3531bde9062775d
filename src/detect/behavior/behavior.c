/*
 * behavior.c — the behavior detector behind detect/detector.h, and what the
 * modules share: alert building with geolocated evidence, top-k lists,
 * event-time episodes, the blocklist and the country tally.
 *
 * The detector is serial: the pipeline makes one context and feeds it every
 * batch of every file, so each module keeps its windows across files. scan()
 * hands each event to every module; each module looks at the kinds it
 * knows and ignores the rest. flush() lets each module raise what its
 * windows still hold. The results (blocklist, countries, counters) live in
 * the shared state so that they outlive the context, which the pipeline
 * frees at the end of the run.
 */
#include "detect/behavior/behavior_int.h"

#include <stdlib.h>
#include <string.h>

#include "core/error.h"
#include "core/timeparse.h"
#include "intel/intel.h"

static const struct beh_module *const module_table[] = {
#define BEH_MODULE(name) &beh_module_##name,
#include "detect/behavior/behavior_list.h"
#undef BEH_MODULE
};

/* ---- helpers ---- */

void beh_name(char *dst, size_t cap, struct slice s)
{
	size_t n = s.len < cap - 1 ? s.len : cap - 1;
	if (n)
		memcpy(dst, s.ptr, n);
	dst[n] = 0;
}

double beh_entropy(struct slice s)
{
	if (!s.len)
		return 0;
	unsigned cnt[256] = {0};
	for (size_t i = 0; i < s.len; i++)
		cnt[(unsigned char)s.ptr[i]]++;
	double h = 0, n = (double)s.len;
	for (int i = 0; i < 256; i++)
		if (cnt[i]) {
			double p = cnt[i] / n;
			h -= p * log2(p);
		}
	return h;
}

static void top_add_hashed(struct beh_top *t, size_t n, uint64_t h, const void *name, size_t len,
			   uint32_t by)
{
	size_t min = 0;
	for (size_t i = 0; i < n; i++) {
		if (t[i].count && t[i].h == h) {
			t[i].count += by;
			return;
		}
		if (t[i].count < t[min].count)
			min = i;
	}
	/* Space-saving: the newcomer inherits the evicted count, so a heavy
	 * hitter that arrives late still climbs to the top. */
	uint32_t base = t[min].count;
	t[min].h = h;
	t[min].count = base + by;
	if (len > sizeof t[min].name - 1)
		len = sizeof t[min].name - 1;
	memcpy(t[min].name, name, len);
	t[min].name[len] = 0;
}

void beh_top_add(struct beh_top *t, size_t n, struct slice name, uint32_t by)
{
	top_add_hashed(t, n, hash_bytes(name.ptr, name.len), name.ptr, name.len, by);
}

void beh_top_add_ip(struct beh_top *t, size_t n, const struct ip *ip, uint32_t by)
{
	unsigned char k[17];
	beh_ip_key(k, ip);
	top_add_hashed(t, n, hash_bytes(k, sizeof k), k, sizeof k, by);
}

static size_t top_order(const struct beh_top *t, size_t n, size_t *idx)
{
	size_t m = 0;
	for (size_t i = 0; i < n; i++)
		if (t[i].count)
			idx[m++] = i;
	for (size_t i = 1; i < m; i++)
		for (size_t k = i; k > 0 && t[idx[k]].count > t[idx[k - 1]].count; k--) {
			size_t x = idx[k];
			idx[k] = idx[k - 1];
			idx[k - 1] = x;
		}
	return m;
}

void beh_top_json(struct jw *j, const struct beh_top *t, size_t n)
{
	size_t idx[32];
	size_t m = top_order(t, n < 32 ? n : 32, idx);
	jw_arr(j);
	for (size_t i = 0; i < m; i++) {
		jw_obj(j);
		jw_kcstr(j, "value", t[idx[i]].name);
		jw_kint(j, "count", t[idx[i]].count);
		jw_obj_end(j);
	}
	jw_arr_end(j);
}

static void top_ip(const struct beh_top *t, struct ip *ip)
{
	memset(ip, 0, sizeof *ip);
	ip->family = (uint8_t)t->name[0];
	memcpy(ip->bytes, t->name + 1, 16);
}

static void geo_fields(struct beh_ctx *c, struct jw *j, const struct ip *ip)
{
	struct geo_result g;
	geoip_lookup(c->sh->geo, ip, &g);
	if (g.internal)
		jw_kcstr(j, "scope", "internal");
	else {
		jw_kcstr(j, "country", g.country[0] ? g.country : NULL);
		jw_kcstr(j, "region", g.region);
	}
}

void beh_top_ip_json(struct beh_ctx *c, struct jw *j, const struct beh_top *t, size_t n)
{
	size_t idx[32];
	size_t m = top_order(t, n < 32 ? n : 32, idx);
	char s[IP_STRLEN];
	jw_arr(j);
	for (size_t i = 0; i < m; i++) {
		struct ip ip;
		top_ip(&t[idx[i]], &ip);
		jw_obj(j);
		jw_kcstr(j, "ip", ip_format(&ip, s));
		jw_kint(j, "count", t[idx[i]].count);
		geo_fields(c, j, &ip);
		jw_obj_end(j);
	}
	jw_arr_end(j);
}

bool beh_episode_joins(struct beh_ctx *c, const struct beh_episode *e, int64_t t, int64_t gap,
		       int64_t span)
{
	if (!e->events)
		return true;
	int64_t tol = c->cfg->window_tolerance * 1000000;
	if (t < e->first - tol) {
		c->res->stats.late++;
		return false;
	}
	if (gap > 0 && t > e->last + gap)
		return false;
	if (span > 0 && t > e->first + span)
		return false;
	return true;
}

void beh_episode_add(struct beh_episode *e, int64_t t)
{
	if (!e->events || t < e->first)
		e->first = t;
	if (!e->events || t > e->last)
		e->last = t;
	e->events++;
}

/* ---- alerts ---- */

bool beh_alert_begin(struct beh_ctx *c, struct beh_alert *ba, const char *rule, const char *title,
		     enum alert_level level, const char *const *techniques)
{
	ba->a = alert_new("behavior");
	if (!ba->a) {
		if (!c->rc)
			c->rc = AS_ENOMEM;
		return false;
	}
	ba->a->rule_id = rule;
	ba->a->rule_title = alert_strdup(ba->a, slice_cstr(title));
	ba->a->level = level;
	for (size_t i = 0; techniques && techniques[i]; i++)
		alert_add_technique(ba->a, slice_cstr(techniques[i]));
	buf_reset(&c->evid);
	jw_init(&ba->j, &c->evid);
	jw_obj(&ba->j);
	return true;
}

void beh_ev_time(struct beh_alert *ba, const char *key, int64_t t)
{
	char s[AS_TIME_STRLEN];
	if (t != AS_TIME_NONE)
		jw_kcstr(&ba->j, key, time_format(t, s));
}

void beh_ev_ip(struct beh_ctx *c, struct beh_alert *ba, const char *key, const struct ip *ip)
{
	char s[IP_STRLEN];
	jw_key(&ba->j, key);
	jw_obj(&ba->j);
	jw_kcstr(&ba->j, "ip", ip_format(ip, s));
	geo_fields(c, &ba->j, ip);
	jw_obj_end(&ba->j);
}

void beh_ev_str(struct beh_alert *ba, const char *key, const char *s)
{
	if (s && *s)
		jw_kcstr(&ba->j, key, s);
}

void beh_ev_int(struct beh_alert *ba, const char *key, int64_t v)
{
	jw_kint(&ba->j, key, v);
}

void beh_ev_num(struct beh_alert *ba, const char *key, double v)
{
	jw_key(&ba->j, key);
	jw_double(&ba->j, round(v * 1000) / 1000);
}

void beh_ev_origin(struct beh_ctx *c, struct beh_alert *ba, const struct ip *ip)
{
	struct geo_result g;
	geoip_lookup(c->sh->geo, ip, &g);
	if (g.internal || ip->family == IP_NONE)
		return;
	jw_kcstr(&ba->j, "country", g.country[0] ? g.country : NULL);
	jw_kcstr(&ba->j, "region", g.region);
	if (g.country[0]) {
		uint64_t v = 0;
		bool existed;
		if (map_put_new(&c->res->countries, slice_make(g.country, 2), &v, &existed) == 0)
			map_put(&c->res->countries, slice_make(g.country, 2), v + 1, NULL);
	}
}

static void block_add(struct beh_ctx *c, const struct ip *ip, const char *rule, int64_t t)
{
	if (ip->family == IP_NONE || ip_is_internal(ip))
		return;
	struct beh_results *r = c->res;
	unsigned char k[17];
	beh_ip_key(k, ip);
	uint64_t at = r->nblocks;
	bool existed = false;
	if (r->nblocks >= AS_BEH_MAX_BLOCKLIST &&
	    !map_get(&r->block_index, slice_make((char *)k, 17), &at))
		return;
	if (map_put_new(&r->block_index, slice_make((char *)k, 17), &at, &existed))
		return;
	if (!existed) {
		if (r->nblocks == r->cap) {
			size_t n = r->cap ? r->cap * 2 : 64;
			struct beh_block *nb = realloc(r->blocks, n * sizeof *nb);
			if (!nb)
				return;
			r->blocks = nb;
			r->cap = n;
		}
		memset(&r->blocks[r->nblocks], 0, sizeof r->blocks[0]);
		r->blocks[r->nblocks].ip = *ip;
		r->blocks[r->nblocks].rule = rule;
		r->nblocks++;
	}
	struct beh_block *b = &r->blocks[at];
	/* sshguard: every repeat multiplies the block time. */
	double secs = (double)c->cfg->block_base * pow(c->cfg->block_growth, (double)b->hits);
	b->hits++;
	b->seconds = secs > (double)c->cfg->block_max ? c->cfg->block_max : (int64_t)secs;
	if (t != AS_TIME_NONE && t > b->last)
		b->last = t;
}

void beh_alert_emit(struct beh_ctx *c, struct beh_alert *ba, const struct ip *block)
{
	struct alert *a = ba->a;
	if (block) {
		block_add(c, block, a->rule_id, a->time);
		uint64_t at;
		unsigned char k[17];
		beh_ip_key(k, block);
		if (map_get(&c->res->block_index, slice_make((char *)k, 17), &at))
			jw_kint(&ba->j, "block_seconds", c->res->blocks[at].seconds);
	}
	jw_obj_end(&ba->j);
	if (!c->evid.err)
		a->evidence = alert_strdup(a, buf_slice(&c->evid));
	alert_compute_id(a);
	c->res->stats.alerts++;
	int e = c->out ? c->out->emit(c->out, a) : (alert_free(a), 0);
	if (e && !c->rc)
		c->rc = e;
	ba->a = NULL;
}

/* ---- the detector ---- */

static void results_free(struct beh_results *r)
{
	if (!r)
		return;
	map_free(&r->block_index);
	map_free(&r->countries);
	free(r->blocks);
	free(r);
}

static void shared_free(void *p)
{
	struct beh_shared *sh = p;
	if (!sh)
		return;
	geoip_close(sh->geo);
	results_free(sh->res);
	free(sh);
}

static void worker_free(void *p)
{
	struct beh_ctx *c = p;
	if (!c)
		return;
	for (size_t i = 0; i < c->nmods; i++)
		c->mods[i]->state_free(c->state[i]);
	buf_free(&c->evid);
	free(c);
}

static bool module_enabled(const struct behavior_config *cfg, const char *name)
{
	if (!strcmp(name, "bruteforce"))
		return cfg->bruteforce_enabled;
	if (!strcmp(name, "ddos"))
		return cfg->ddos_enabled;
	if (!strcmp(name, "beacon"))
		return cfg->beacon_enabled;
	if (!strcmp(name, "dnstunnel"))
		return cfg->dns_enabled;
	if (!strcmp(name, "exfil"))
		return cfg->exfil_enabled;
	return true;
}

static int worker_new(const struct detector *d, void **out)
{
	const struct beh_shared *sh = d->shared;
	struct beh_ctx *c = calloc(1, sizeof *c);
	if (!c)
		return AS_ENOMEM;
	c->sh = sh;
	c->cfg = &sh->cfg;
	c->res = sh->res;
	for (size_t i = 0; i < sizeof module_table / sizeof module_table[0]; i++) {
		if (!module_enabled(c->cfg, module_table[i]->name))
			continue;
		c->mods[c->nmods] = module_table[i];
		int rc = module_table[i]->state_new(c, &c->state[c->nmods]);
		if (rc) {
			worker_free(c);
			return rc;
		}
		c->nmods++;
	}
	*out = c;
	return 0;
}

/* Memory and shedding: updated after each batch, reported once per window. */
static void account(struct beh_ctx *c)
{
	uint64_t bytes = 0, shed = 0;
	unsigned bit = 0;
	for (size_t i = 0; i < c->nmods; i++) {
		struct window *ws[8];
		size_t n = c->mods[i]->windows(c->state[i], ws, 8);
		for (size_t k = 0; k < n; k++, bit++) {
			bytes += window_memory(ws[k]);
			shed += window_shed(ws[k]);
			if (window_shed(ws[k]) && bit < 64 && !(c->shed_told >> bit & 1)) {
				c->shed_told |= 1ull << bit;
				if (c->sh->diags)
					diag_note(
					    c->sh->diags,
					    "behavior: window %s is full (%zu keys): shedding the "
					    "least recently seen keys",
					    window_name(ws[k]), window_count(ws[k]));
			}
		}
		if (c->mods[i]->extra_memory)
			bytes += c->mods[i]->extra_memory(c->state[i]);
	}
	c->res->stats.shed = shed;
	c->res->stats.bytes = bytes;
	if (bytes > c->res->stats.peak_bytes)
		c->res->stats.peak_bytes = bytes;
}

static int scan(void *p, const struct event *evs, size_t n, struct alert_sink *out)
{
	struct beh_ctx *c = p;
	c->out = out;
	c->rc = 0;
	for (size_t i = 0; i < n; i++) {
		const struct event *ev = &evs[i];
		if (ev->time == AS_TIME_NONE)
			continue;
		c->res->stats.events++;
		for (size_t m = 0; m < c->nmods; m++)
			c->mods[m]->event(c->state[m], c, ev);
	}
	account(c);
	c->out = NULL;
	return c->rc;
}

static int flush(void *p, struct alert_sink *out)
{
	struct beh_ctx *c = p;
	c->out = out;
	c->rc = 0;
	for (size_t m = 0; m < c->nmods; m++)
		c->mods[m]->flush(c->state[m], c);
	account(c);
	c->out = NULL;
	return c->rc;
}

int behavior_detector_init_config(struct detector *d, const struct behavior_config *cfg,
				  const char *geoip_db, struct diag_sink *diags)
{
	if (!d || !cfg)
		return AS_EINVAL;
	struct beh_shared *sh = calloc(1, sizeof *sh);
	if (!sh)
		return AS_ENOMEM;
	sh->cfg = *cfg;
	sh->diags = diags;
	sh->res = calloc(1, sizeof *sh->res);
	if (!sh->res) {
		shared_free(sh);
		return AS_ENOMEM;
	}
	map_init(&sh->res->block_index);
	map_init(&sh->res->countries);
	if (geoip_db) {
		int rc = geoip_open(geoip_db, &sh->geo);
		if (rc && diags)
			diag_note(diags, "behavior: geolocation off: %s: %s", geoip_db,
				  as_strerror(rc));
	}
	memset(d, 0, sizeof *d);
	d->name = "behavior";
	d->shared = sh;
	d->needs_fields = false;
	d->serial = true;
	d->worker_new = worker_new;
	d->scan = scan;
	d->flush = flush;
	d->worker_free = worker_free;
	d->shared_free = shared_free;
	return 0;
}

int behavior_detector_init(struct detector *d, const char *config_path, const char *geoip_db,
			   struct diag_sink *diags)
{
	struct behavior_config cfg;
	behavior_config_default(&cfg);
	if (config_path) {
		int rc = behavior_config_load(&cfg, config_path, diags);
		if (rc)
			return rc;
	}
	return behavior_detector_init_config(d, &cfg, geoip_db, diags);
}

void behavior_detector_stats(const struct detector *d, struct behavior_stats *st)
{
	memset(st, 0, sizeof *st);
	if (d && d->shared)
		*st = ((const struct beh_shared *)d->shared)->res->stats;
}

/* ---- outputs ---- */

struct country_row {
	char cc[3];
	uint64_t n;
};

static int cmp_country(const void *a, const void *b)
{
	const struct country_row *x = a, *y = b;
	if (x->n != y->n)
		return x->n < y->n ? 1 : -1;
	return strcmp(x->cc, y->cc);
}

int behavior_countries_write(FILE *f, const struct detector *d)
{
	if (!f || !d || !d->shared)
		return AS_EINVAL;
	const struct map *m = &((const struct beh_shared *)d->shared)->res->countries;
	size_t n = map_count(m), k = 0;
	struct country_row *rows = calloc(n ? n : 1, sizeof *rows);
	if (!rows)
		return AS_ENOMEM;
	struct slice key;
	uint64_t v;
	for (size_t it = 0; map_next(m, &it, &key, &v) && k < n; k++) {
		memcpy(rows[k].cc, key.ptr, 2);
		rows[k].n = v;
	}
	qsort(rows, k, sizeof *rows, cmp_country);
	int rc = 0;
	for (size_t i = 0; i < k; i++) {
		const char *region = intel_country_region(rows[i].cc);
		if (fprintf(f, "%s\t%s\t%llu\n", rows[i].cc, region ? region : "-",
			    (unsigned long long)rows[i].n) < 0)
			rc = AS_EIO;
	}
	free(rows);
	return rc;
}
