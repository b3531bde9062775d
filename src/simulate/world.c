/*
 * world.c — the simulated organisations: sector, country, addresses, hosts, users, logs.
 *
 * Sectors are dealt by largest remainder over the shares public APT reports give (government
 * about a third, education a fifth, then research, defence, …), after two organisations that
 * the scenario needs: a software vendor whose update channel is abused and an online AI
 * service whose log-in is brute-forced. Organisation N owns 10.(10+N).0.0/16, host names
 * "<code>-…" and the log folder org-NN; assets.csv says so, which is how a hunt gives each
 * victim its sector and country.
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "core/error.h"
#include "simulate/sim_int.h"

static const struct {
	const char *sector;
	int share; /* per mille of the attacks in public reports */
	const char *names[4];
	const char *codes[4];
	const char *domain_kind;
} sectors[] = {
    {"Government",
     330,
     {"Ministry of Finance", "Provincial Government Office", "Customs Administration",
      "Ministry of Foreign Affairs"},
     {"mof", "pgo", "cus", "mfa"},
     "gov"},
    {"Education",
     200,
     {"Northern Polytechnic University", "National Normal University", "Coastal University",
      "Institute of Technology"},
     {"npu", "nnu", "cu", "iot"},
     "edu"},
    {"Scientific research",
     90,
     {"Academy of Sciences", "Institute of Physics", "Nuclear Research Centre",
      "Institute of Oceanology"},
     {"acs", "iop", "nrc", "ioo"},
     "ac"},
    {"National defence and military industry",
     80,
     {"Defence Electronics Group", "Armaments Research Institute", "Naval Systems Corp",
      "Military Academy"},
     {"deg", "ari", "nsc", "mac"},
     "com"},
    {"Transportation",
     60,
     {"National Railways", "Metro Operations", "Airport Authority", "Logistics Holding"},
     {"nrw", "mop", "apa", "lgh"},
     "com"},
    {"Energy and new energy",
     50,
     {"State Grid Branch", "Solar Power Company", "Oil and Gas Pipeline", "Hydropower Station"},
     {"sgb", "spc", "ogp", "hps"},
     "com"},
    {"Healthcare",
     40,
     {"Central Hospital", "Centre for Disease Control", "Medical University Hospital",
      "Pharmaceutical Group"},
     {"chs", "cdc", "muh", "phg"},
     "org"},
    {"Finance",
     40,
     {"Commercial Bank", "Securities Exchange", "Insurance Group", "Central Bank Branch"},
     {"cbk", "sex", "ing", "cbb"},
     "com"},
    {"Telecommunications",
     30,
     {"Mobile Operator", "Fibre Network Company", "Satellite Communications",
      "Telecom Research Institute"},
     {"mob", "fnc", "sat", "tri"},
     "com"},
    {"Aerospace",
     20,
     {"Aircraft Industry Corp", "Space Technology Academy", "Aero Engine Group",
      "Satellite Launch Centre"},
     {"aic", "sta", "aeg", "slc"},
     "com"},
    {"Maritime",
     20,
     {"Shipping Group", "Port Authority", "Shipbuilding Industry", "Maritime Safety Bureau"},
     {"shg", "pta", "sbi", "msb"},
     "com"},
    {"Media",
     15,
     {"News Agency", "Broadcasting Corporation", "Daily Newspaper", "Online Media Group"},
     {"nwa", "bco", "dnp", "omg"},
     "com"},
    {"IT and software vendors",
     15,
     {"Cloud Services Provider", "Systems Integrator", "Security Software Company",
      "Data Centre Operator"},
     {"csp", "sin", "ssc", "dco"},
     "com"},
    {"Manufacturing",
     10,
     {"Heavy Machinery Group", "Semiconductor Fab", "Automotive Plant", "Chemical Works"},
     {"hmg", "sfb", "aut", "chw"},
     "com"},
};
#define N_SECTORS (sizeof sectors / sizeof sectors[0])

/* Victim countries with their local offsets (standard time: the diurnal shape only). */
static const struct {
	const char *cc;
	int tz_min;
} countries[] = {
    {"DE", 60},  {"FR", 60},  {"UA", 120},  {"PL", 60}, {"GB", 0},   {"KR", 540},
    {"JP", 540}, {"IN", 330}, {"US", -300}, {"IT", 60}, {"SG", 480}, {"NL", 60},
};
#define N_COUNTRIES (sizeof countries / sizeof countries[0])

static const char *first_names[] = {"anna", "li",   "james", "maria", "chen", "olga",  "peter",
				    "sara", "wei",  "david", "elena", "omar", "yuki",  "paul",
				    "nina", "ivan", "laura", "hans",  "mei",  "tomas", "julia"};
static const char *last_names[] = {"smith", "wang",    "mueller", "kowalski", "ito",  "garcia",
				   "novak", "zhang",   "petrov",  "rossi",    "kim",  "schmidt",
				   "brown", "fischer", "lopez",   "meyer",    "sato", "weber"};

void sim_word(struct sim_rng *r, int n, char *dst, size_t cap)
{
	static const char *on[] = {"b", "c", "d", "f", "g", "k",  "l",  "m",  "n",  "p",
				   "r", "s", "t", "v", "z", "br", "tr", "st", "kr", "pl"};
	static const char *nu[] = {"a", "e", "i", "o", "u", "ai", "eo", "ia"};
	size_t len = 0;
	dst[0] = 0;
	for (int i = 0; i < n && len + 5 < cap; i++)
		len += (size_t)snprintf(dst + len, cap - len, "%s%s", SIM_PICK(r, on),
					SIM_PICK(r, nu));
}

void sim_public_ip(struct sim_rng *r, const char *pfx, char *dst, size_t cap)
{
	/* First octets of large public allocations (hosting, ISPs): no private, reserved or
	 * documentation space, so every address geolocates somewhere. */
	static const int firsts[] = {5,   31,  37,  45,  46,  62,  77,  78,  79,  80,  81,  82,
				     83,  84,  85,  87,  88,  89,  91,  92,  93,  94,  95,  104,
				     109, 141, 151, 176, 178, 185, 188, 193, 194, 195, 212, 213,
				     217, 36,  39,  42,  49,  58,  59,  60,  61,  101, 103, 106,
				     110, 111, 112, 113, 114, 115, 116, 117, 118, 119, 120, 121};
	if (pfx) {
		snprintf(dst, cap, "%s.%d.%d", pfx, (int)sim_rng_below(r, 256),
			 1 + (int)sim_rng_below(r, 254));
		return;
	}
	snprintf(dst, cap, "%d.%d.%d.%d", SIM_PICK(r, firsts), (int)sim_rng_below(r, 256),
		 (int)sim_rng_below(r, 256), 1 + (int)sim_rng_below(r, 254));
}

void sim_ws_name(const struct sim_org *o, int i, char *dst, size_t cap)
{
	snprintf(dst, cap, "%s-ws-%03d", o->code, i + 1);
}

void sim_ws_ip(const struct sim_org *o, int i, char *dst, size_t cap)
{
	snprintf(dst, cap, "10.%d.%d.%d", o->net, 1 + i / 200, 10 + i % 200);
}

void sim_server_ip(const struct sim_org *o, int last_octet, char *dst, size_t cap)
{
	snprintf(dst, cap, "10.%d.0.%d", o->net, last_octet);
}

const char *sim_user_name(const struct sim_org *o, int i, char *dst, size_t cap)
{
	size_t nf = sizeof first_names / sizeof first_names[0];
	size_t nl = sizeof last_names / sizeof last_names[0];
	size_t k = (size_t)i + (size_t)o->idx * 7;
	snprintf(dst, cap, "%s.%s", first_names[k % nf], last_names[(k / nf + k) % nl]);
	return dst;
}

int64_t sim_time_in_day(struct sim_rng *r, int64_t day_start, int tz_min, double busy)
{
	if (sim_rng_unit(r) < busy) {
		/* 08:00-18:00 local, denser in the morning and after lunch */
		int64_t local = 8 * SIM_HOUR + (int64_t)(sim_rng_unit(r) * 10 * SIM_HOUR);
		int64_t t = day_start + local - (int64_t)tz_min * SIM_MINUTE;
		if (t < day_start)
			t += SIM_DAY;
		if (t >= day_start + SIM_DAY)
			t -= SIM_DAY;
		return t;
	}
	return day_start + (int64_t)sim_rng_below(r, (uint64_t)SIM_DAY);
}

int64_t sim_working_time(struct sim_rng *r, int64_t t, int tz_min)
{
	for (int guard = 0; guard < 14; guard++) {
		int64_t local = t + (int64_t)tz_min * SIM_MINUTE;
		int64_t day = local >= 0 ? local / SIM_DAY : (local - SIM_DAY + 1) / SIM_DAY;
		int wday = (int)(((day % 7) + 11) % 7); /* 1970-01-01 was a Thursday; 0 = Sunday */
		int64_t into = local - day * SIM_DAY;
		if (wday >= 1 && wday <= 5 && into >= 9 * SIM_HOUR && into < 18 * SIM_HOUR)
			return t;
		if (wday >= 1 && wday <= 5 && into < 9 * SIM_HOUR) {
			int64_t start = day * SIM_DAY + 9 * SIM_HOUR +
					(int64_t)sim_rng_below(r, (uint64_t)(2 * SIM_HOUR));
			return start - (int64_t)tz_min * SIM_MINUTE;
		}
		t = (day + 1) * SIM_DAY - (int64_t)tz_min * SIM_MINUTE;
	}
	return t;
}

/* Largest-remainder deal of n organisations over the sector shares. */
static void deal_sectors(size_t n, size_t *count)
{
	int total = 0;
	for (size_t i = 0; i < N_SECTORS; i++)
		total += sectors[i].share;
	size_t given = 0;
	double rem[N_SECTORS];
	for (size_t i = 0; i < N_SECTORS; i++) {
		double exact = (double)n * sectors[i].share / total;
		count[i] = (size_t)exact;
		rem[i] = exact - (double)count[i];
		given += count[i];
	}
	while (given < n) {
		size_t best = 0;
		for (size_t i = 1; i < N_SECTORS; i++)
			if (rem[i] > rem[best])
				best = i;
		count[best]++;
		rem[best] = -1;
		given++;
	}
}

static void org_fill(struct sim_world *w, struct sim_org *o, size_t sec, size_t nth,
		     struct sim_rng *r)
{
	const char *name = sectors[sec].names[nth % 4];
	const char *code = sectors[sec].codes[nth % 4];
	o->sector = sectors[sec].sector;
	if (nth < 4) {
		snprintf(o->name, sizeof o->name, "%s", name);
		snprintf(o->code, sizeof o->code, "%s", code);
	} else {
		snprintf(o->name, sizeof o->name, "%s %d", name, (int)(nth / 4 + 1) % 100);
		snprintf(o->code, sizeof o->code, "%.4s%d", code, (int)(nth / 4 + 1) % 100);
	}
	size_t c = sim_rng_below(r, N_COUNTRIES);
	o->country = countries[c].cc;
	o->tz_min = countries[c].tz_min;
	char cc[3] = {(char)(o->country[0] + 32), (char)(o->country[1] + 32), 0};
	snprintf(o->domain, sizeof o->domain, "%s.%s.%s.example", o->code, sectors[sec].domain_kind,
		 cc);
	(void)w;
}

int sim_world_build(struct sim_world *w)
{
	size_t n = (size_t)w->opts.orgs;
	w->orgs = calloc(n, sizeof *w->orgs);
	if (!w->orgs)
		return AS_ENOMEM;
	w->n_orgs = n;
	struct sim_rng r;
	sim_rng_init(&r, w->opts.seed, 0x776f726c64ull, 0);

	size_t count[N_SECTORS];
	deal_sectors(n - 2, count);
	size_t it = N_SECTORS - 2; /* "IT and software vendors" */

	/* The vendor and the AI service come first so that their folders are stable. */
	struct sim_org *v = &w->orgs[0];
	snprintf(v->name, sizeof v->name, "AcmeSoft");
	snprintf(v->code, sizeof v->code, "acme");
	snprintf(v->domain, sizeof v->domain, "acmesoft.example");
	v->sector = sectors[it].sector;
	v->country = "DE";
	v->tz_min = 60;
	v->role = ROLE_VENDOR;
	struct sim_org *a = &w->orgs[1];
	snprintf(a->name, sizeof a->name, "Nimbus AI");
	snprintf(a->code, sizeof a->code, "nimbus");
	snprintf(a->domain, sizeof a->domain, "nimbus-ai.example");
	a->sector = sectors[it].sector;
	a->country = "SG";
	a->tz_min = 480;
	a->role = ROLE_AI_SERVICE;
	w->vendor = 0;
	w->ai_service = 1;

	/* Interleave the sectors so that a small world still spans many of them. */
	size_t k = 2, nth[N_SECTORS] = {0};
	while (k < n) {
		for (size_t s = 0; s < N_SECTORS && k < n; s++) {
			if (nth[s] >= count[s])
				continue;
			org_fill(w, &w->orgs[k], s, nth[s] + (s == it ? 0 : 0), &r);
			nth[s]++;
			k++;
		}
	}
	for (size_t i = 0; i < n; i++) {
		struct sim_org *o = &w->orgs[i];
		o->idx = (int)i;
		snprintf(o->dir, sizeof o->dir, "org-%02d", (int)(i + 1) % 1000);
		o->net = 10 + (int)i % 240;
		o->n_ws = 12 + (int)sim_rng_below(&r, 36);
		o->sensor = (i % 3 == 2) ? SENSOR_EVE : SENSOR_ZEEK;
		o->acme_customer = (i != 0) && (i % 2 == 0 || i == 3);
		/* Distinct per org (the third octet is the org's index), so an address means one
		 * organisation even though the first octets are random. */
		char pfx[16];
		sim_public_ip(&r, NULL, pfx, sizeof pfx);
		unsigned p1, p2;
		if (sscanf(pfx, "%u.%u", &p1, &p2) != 2)
			p1 = 185, p2 = 1;
		snprintf(o->public_ip, sizeof o->public_ip, "%u.%u.%zu.%u", p1, p2, i % 256,
			 10 + (unsigned)sim_rng_below(&r, 200));
	}
	return 0;
}

void sim_world_free(struct sim_world *w)
{
	if (!w)
		return;
	for (size_t i = 0; i < w->n_orgs; i++)
		for (int l = 0; l < LOG_COUNT; l++) {
			sim_stream_free(&w->orgs[i].pend[l]);
			sim_stream_free(&w->orgs[i].day[l]);
		}
	free(w->orgs);
	free(w->attacks);
	buf_free(&w->indicators);
	memset(w, 0, sizeof *w);
}

int sim_assets_write(const struct sim_world *w, struct buf *out)
{
	buf_puts(out, "kind,value,org,sector,country\n");
	buf_puts(out, "# simulated organisations: address range, host names, public web server "
		      "and log folder of each\n");
	for (size_t i = 0; i < w->n_orgs; i++) {
		const struct sim_org *o = &w->orgs[i];
		buf_printf(out, "cidr,10.%d.0.0/16,%s,%s,%s\n", o->net, o->name, o->sector,
			   o->country);
		buf_printf(out, "cidr,%s/32,%s,%s,%s\n", o->public_ip, o->name, o->sector,
			   o->country);
		buf_printf(out, "host,%s-*,%s,%s,%s\n", o->code, o->name, o->sector, o->country);
		buf_printf(out, "host,*.%s,%s,%s,%s\n", o->domain, o->name, o->sector, o->country);
		buf_printf(out, "path,*/%s/*,%s,%s,%s\n", o->dir, o->name, o->sector, o->country);
	}
	return out->err;
}
