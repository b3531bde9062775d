/*
 * sim_int.h — what the parts of the simulator share: the random generator, the world of
 * organisations, the record streams and the log writers.
 *
 * A writer formats one log record and appends it to a stream with its time. Attack records
 * go to the organisation's pending streams while the attacks are planned (they are few);
 * background records go to the day's streams. simulate.c sorts both and merges them into the
 * files, so every file is in time order whatever order the records were made in.
 */
#ifndef AS_SIMULATE_SIM_INT_H
#define AS_SIMULATE_SIM_INT_H
#include <stdarg.h>
#include <stdint.h>
#include <stdio.h>

#include "core/buf.h"
#include "simulate/simulate.h"

#define SIM_US     1000000ll
#define SIM_MINUTE (60 * SIM_US)
#define SIM_HOUR   (3600 * SIM_US)
#define SIM_DAY    (86400 * SIM_US)

/* ---- random numbers: splitmix64, one generator per purpose ------------------------------ */

struct sim_rng {
	uint64_t s;
};

static inline uint64_t sim_rng_next(struct sim_rng *r)
{
	uint64_t z = (r->s += 0x9e3779b97f4a7c15ull);
	z = (z ^ (z >> 30)) * 0xbf58476d1ce4e5b9ull;
	z = (z ^ (z >> 27)) * 0x94d049bb133111ebull;
	return z ^ (z >> 31);
}

/* A generator for (seed, a, b): independent streams for independent purposes. */
static inline void sim_rng_init(struct sim_rng *r, uint64_t seed, uint64_t a, uint64_t b)
{
	r->s = seed ^ (a * 0xd1342543de82ef95ull) ^ (b * 0xaf251af3b0f025b5ull);
	(void)sim_rng_next(r);
}

/* Uniform in [0, n); 0 when n is 0. */
static inline uint64_t sim_rng_below(struct sim_rng *r, uint64_t n)
{
	return n ? sim_rng_next(r) % n : 0;
}

static inline double sim_rng_unit(struct sim_rng *r)
{
	return (double)(sim_rng_next(r) >> 11) * (1.0 / 9007199254740992.0);
}

static inline int64_t sim_rng_range(struct sim_rng *r, int64_t lo, int64_t hi)
{
	return hi > lo ? lo + (int64_t)sim_rng_below(r, (uint64_t)(hi - lo)) : lo;
}

#define SIM_PICK(r, arr) ((arr)[sim_rng_below((r), sizeof(arr) / sizeof((arr)[0]))])

/* ---- record streams -------------------------------------------------------------------- */

enum sim_log {
	LOG_CONN,
	LOG_DNS,
	LOG_HTTP,
	LOG_SSL,
	LOG_EVE,
	LOG_AUTH,
	LOG_ACCESS,
	LOG_SYSMON,
	LOG_COUNT
};

struct sim_rec {
	int64_t t;
	uint64_t seq; /* order of making: ties in time keep it */
	size_t off;
	size_t len;
};

struct sim_stream {
	struct buf text;
	struct sim_rec *recs;
	size_t n, cap;
	uint64_t seq;
};

void sim_stream_reset(struct sim_stream *s);
void sim_stream_free(struct sim_stream *s);
void sim_stream_sort(struct sim_stream *s);

/* ---- the world ------------------------------------------------------------------------- */

enum sim_sensor { SENSOR_ZEEK, SENSOR_EVE };
enum sim_role { ROLE_PLAIN, ROLE_VENDOR, ROLE_AI_SERVICE };

struct sim_org {
	int idx;
	char dir[16];  /* "org-07" */
	char name[80]; /* "Ministry of Finance" */
	char code[16]; /* host-name prefix, "mof" */
	char domain[64];
	const char *sector;  /* label of the sector taxonomy */
	const char *country; /* ISO 3166 alpha-2 */
	int tz_min;          /* local time offset, minutes east of UTC */
	int net;             /* second octet of 10.N.0.0/16 */
	int n_ws;            /* workstations */
	enum sim_sensor sensor;
	enum sim_role role;
	bool acme_customer; /* runs the vendor's updater */
	char public_ip[16]; /* the web server as the Internet sees it */
	struct sim_stream pend[LOG_COUNT];
	struct sim_stream day[LOG_COUNT];
};

struct sim_world {
	struct sim_opts opts;
	struct sim_org *orgs;
	size_t n_orgs;
	int vendor, ai_service; /* org indices */
	struct sim_attack *attacks;
	size_t n_attacks;
	struct buf indicators; /* intel/indicators.csv */
	int err;               /* first error of a writer (sticky) */
};

/* world.c */
int sim_world_build(struct sim_world *w);
void sim_world_free(struct sim_world *w);
int sim_assets_write(const struct sim_world *w, struct buf *out);
void sim_ws_name(const struct sim_org *o, int i, char *dst, size_t cap);
void sim_ws_ip(const struct sim_org *o, int i, char *dst, size_t cap);
const char *sim_user_name(const struct sim_org *o, int i, char *dst, size_t cap);
void sim_server_ip(const struct sim_org *o, int last_octet, char *dst, size_t cap);
/* A public address; from one of the given /16 prefixes when pfx is not NULL. */
void sim_public_ip(struct sim_rng *r, const char *pfx, char *dst, size_t cap);
/* A made-up word of n syllables (for infrastructure names that are nobody's). */
void sim_word(struct sim_rng *r, int n, char *dst, size_t cap);
/* A random time on day_start's day inside local working hours (with weight busy) or any time. */
int64_t sim_time_in_day(struct sim_rng *r, int64_t day_start, int tz_min, double busy);
/* The next working-hours instant (09:00-18:00 local, Monday to Friday) at or after t. */
int64_t sim_working_time(struct sim_rng *r, int64_t t, int tz_min);

/* writers.c: one record of one kind, in the shape of the org's sensor and logs. */
struct sim_out {
	struct sim_world *w;
	struct sim_org *org;
	struct sim_stream *s; /* org->pend or org->day */
	struct sim_rng *r;
	uint64_t *count; /* records written, may be NULL */
};
void sim_dns(struct sim_out *o, int64_t t, const char *client, const char *query,
	     const char *answer);
void sim_http(struct sim_out *o, int64_t t, const char *client, const char *server,
	      const char *host, const char *method, const char *uri, const char *ua, int status,
	      long req_len, long resp_len);
void sim_tls(struct sim_out *o, int64_t t, const char *client, const char *server, const char *sni,
	     const char *ja3, long up, long down);
void sim_conn(struct sim_out *o, int64_t t, const char *client, const char *server, int port,
	      const char *proto, const char *service, double dur, long up, long down);
void sim_proc(struct sim_out *o, int64_t t, const char *host, const char *user, const char *image,
	      const char *cmdline, const char *parent, const char *sha256);
void sim_proc_net(struct sim_out *o, int64_t t, const char *host, const char *user,
		  const char *image, const char *src_ip, const char *dst_ip, const char *dst_host,
		  int dst_port);
void sim_auth(struct sim_out *o, int64_t t, const char *host, const char *fmt, ...)
    __attribute__((format(printf, 4, 5)));
void sim_access(struct sim_out *o, int64_t t, const char *client, const char *method,
		const char *uri, int status, long len, const char *referer, const char *ua);
/* A 64-hex digest made from a label (stable across runs with the same seed). */
void sim_sha256(uint64_t seed, const char *label, char dst[65]);

/* background.c */
void sim_background_day(struct sim_world *w, struct sim_org *o, int64_t day_start);

/* campaign.c: plan every attack; writes their records into the orgs' pending streams, the
 * attacks into w->attacks and their indicators into w->indicators. */
int sim_campaigns_plan(struct sim_world *w);

/* truth.c */
int sim_truth_write(const struct sim_world *w, struct buf *out);

/* Times as the logs write them. */
void sim_fmt_time(int64_t us, int style, char *dst, size_t cap);
enum { TS_ISO_Z, TS_EVE, TS_RFC3339, TS_CLF, TS_SYSMON, TS_UTCTIME, TS_ZEEK, TS_ZEEK_OPEN };

#endif
