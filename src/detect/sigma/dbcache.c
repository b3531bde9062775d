/*
 * dbcache.c — compiled Hyperscan literal databases kept on disk between runs.
 *
 * Compiling the prefilter's databases is most of a rule set's start-up
 * (≈0.7 s of ≈1.3 s for the SigmaHQ Windows rules) and gives the same bytes
 * for the same literals on the same Hyperscan build and CPU. So each
 * database is written, serialized, to a file named by a hash of what it was
 * compiled from; the next run with the same literals reads it back instead.
 *
 * A file holds a header, the literal set itself and the serialized database:
 *
 *   "aptscope hsdb 1\n"  hs_version() NUL  platform string NUL
 *   u32 n, then n × (u32 id, u32 flags, u32 len, len bytes)
 *   u64 size, size bytes from hs_serialize_database, u64 hash of them
 *
 * A file is used only when its literal set equals the one asked for, byte
 * for byte (the name's hash only finds the file), its bytes hash right and
 * Hyperscan accepts them; anything else is compiled afresh and the file
 * rewritten (to a temporary name, then renamed, so readers never see half
 * a file). The cache is an optimisation only: any failure to read or write
 * it falls back to compiling, silently.
 *
 * A file read is touched, so that its time is its last use (to the hour:
 * one used within AS_SIGMA_HSCACHE_TOUCH seconds is left); after the first
 * file a process writes to a folder, when the folder's files (these and the
 * rule trees of treecache.c) pass AS_SIGMA_MAX_HSCACHE bytes, the least
 * recently used go until three quarters remain.
 *
 * Where: $APTSCOPE_CACHE_DIR, else $XDG_CACHE_HOME/aptscope, else
 * $HOME/.cache/aptscope. APTSCOPE_CACHE_DIR set to "" or "off" turns it off.
 */
#include <dirent.h>
#include <errno.h>
#include <fcntl.h>
#include <pthread.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <time.h>
#include <unistd.h>

#include "core/buf.h"
#include "core/error.h"
#include "core/hash.h"
#include "core/limits.h"
#include "detect/sigma/sigma_int.h"

#define DB_MAGIC "aptscope hsdb 1\n"

static unsigned long long n_hits, n_misses;

/* The last folder made sure of, so that a rule set's hundred databases do
 * not each try to make every folder of the path again; workers compiling
 * keyword databases may ask at once. */
static pthread_mutex_t dir_lock = PTHREAD_MUTEX_INITIALIZER;
static char dir_known[4096];

bool sigma_cache_dir(char *dir, size_t cap)
{
	const char *e = getenv("APTSCOPE_CACHE_DIR");
	int n;
	if (e) {
		if (!*e || !strcmp(e, "off"))
			return false;
		n = snprintf(dir, cap, "%s", e);
	} else if ((e = getenv("XDG_CACHE_HOME")) && *e) {
		n = snprintf(dir, cap, "%s/aptscope", e);
	} else if ((e = getenv("HOME")) && *e) {
		n = snprintf(dir, cap, "%s/.cache/aptscope", e);
	} else {
		return false;
	}
	if (n <= 0 || (size_t)n >= cap || (size_t)n >= sizeof dir_known)
		return false;
	pthread_mutex_lock(&dir_lock);
	bool known = !strcmp(dir, dir_known);
	pthread_mutex_unlock(&dir_lock);
	if (known)
		return true;
	/* the folder itself first: it is there on every run but the first */
	if (mkdir(dir, 0700) && errno != EEXIST) {
		if (errno != ENOENT)
			return false;
		/* make each missing folder of the path */
		for (char *p = dir + 1; *p; p++) {
			if (*p != '/')
				continue;
			*p = 0;
			int r = mkdir(dir, 0700);
			*p = '/';
			if (r && errno != EEXIST)
				return false;
		}
		if (mkdir(dir, 0700) && errno != EEXIST)
			return false;
	}
	pthread_mutex_lock(&dir_lock);
	memcpy(dir_known, dir, (size_t)n + 1);
	pthread_mutex_unlock(&dir_lock);
	return true;
}

static void put_u32(struct buf *b, uint32_t x)
{
	buf_append(b, &x, sizeof x);
}

/* Header and literal set: what a file must start with to be used. */
static int describe(struct buf *b, const char *const *exprs, const unsigned *flags,
		    const unsigned *ids, const size_t *lens, unsigned n)
{
	hs_platform_info_t plat;
	if (hs_populate_platform(&plat) != HS_SUCCESS)
		return AS_EENGINE;
	char ps[96];
	snprintf(ps, sizeof ps, "tune %u features %llu mode %u", plat.tune,
		 (unsigned long long)plat.cpu_features, (unsigned)HS_MODE_BLOCK);
	buf_append(b, DB_MAGIC, strlen(DB_MAGIC));
	buf_append(b, hs_version(), strlen(hs_version()) + 1);
	buf_append(b, ps, strlen(ps) + 1);
	put_u32(b, n);
	for (unsigned k = 0; k < n; k++) {
		put_u32(b, ids[k]);
		put_u32(b, flags[k]);
		put_u32(b, (uint32_t)lens[k]);
		buf_append(b, exprs[k], lens[k]);
	}
	return b->err;
}

char *sigma_cache_read(const char *path, size_t min, size_t max, size_t *len, time_t *mtime)
{
	int fd = open(path, O_RDONLY | O_CLOEXEC);
	if (fd < 0)
		return NULL;
	struct stat st;
	char *all = NULL;
	if (fstat(fd, &st) || !S_ISREG(st.st_mode) || (uint64_t)st.st_size < min ||
	    (uint64_t)st.st_size > max || !(all = malloc(st.st_size ? (size_t)st.st_size : 1)))
		goto exit;
	*len = (size_t)st.st_size;
	*mtime = st.st_mtime;
	for (size_t got = 0; got < *len;) {
		ssize_t r = read(fd, all + got, *len - got);
		if (r < 0 && errno == EINTR)
			continue;
		if (r <= 0) {
			free(all);
			all = NULL;
			break;
		}
		got += (size_t)r;
	}
exit:
	close(fd);
	return all;
}

void sigma_cache_used(const char *path, time_t mtime)
{
	struct timespec now;
	if (!clock_gettime(CLOCK_REALTIME, &now) &&
	    (mtime > now.tv_sec || now.tv_sec - mtime >= AS_SIGMA_HSCACHE_TOUCH))
		utimensat(AT_FDCWD, path, NULL, 0);
}

/* The database of file path if it was compiled from desc; NULL otherwise.
 * When used, its time is set to now unless it was used less than
 * AS_SIGMA_HSCACHE_TOUCH seconds ago (the pruning's order needs no finer
 * time, and a run spares a write per file). */
static hs_database_t *load(const char *path, const struct buf *desc)
{
	size_t fixed = desc->len + 2 * sizeof(uint64_t), len;
	time_t mtime;
	char *all = sigma_cache_read(path, fixed, fixed + AS_SIGMA_MAX_HSDB, &len, &mtime);
	if (!all)
		return NULL;
	hs_database_t *db = NULL;
	uint64_t size, h;
	const char *bytes = all + desc->len + sizeof size;
	memcpy(&size, all + desc->len, sizeof size);
	if (memcmp(all, desc->data, desc->len) || size != len - fixed)
		goto exit;
	memcpy(&h, bytes + size, sizeof h);
	if (h != hash_bytes_seeded(bytes, size, HASH_K1) ||
	    hs_deserialize_database(bytes, size, &db) != HS_SUCCESS) {
		db = NULL;
		goto exit;
	}
	sigma_cache_used(path, mtime);
exit:
	free(all);
	return db;
}

struct cached {
	char name[64];
	time_t used;
	off_t size;
};

static int cmp_used(const void *a, const void *b)
{
	const struct cached *x = a, *y = b;
	return (x->used > y->used) - (x->used < y->used);
}

/* Remove the least recently used files of dir past the size cap. */
static void prune(const char *dir)
{
	DIR *d = opendir(dir);
	if (!d)
		return;
	struct cached *all = NULL;
	size_t n = 0, cap = 0;
	unsigned long long total = 0;
	char path[4200];
	for (struct dirent *e; (e = readdir(d));) {
		struct stat st;
		if ((strncmp(e->d_name, "hs-", 3) && strncmp(e->d_name, "rt-", 3)) ||
		    strlen(e->d_name) >= sizeof all->name)
			continue;
		snprintf(path, sizeof path, "%s/%s", dir, e->d_name);
		if (stat(path, &st) || !S_ISREG(st.st_mode))
			continue;
		if (n == cap) {
			size_t nc = cap ? 2 * cap : 64;
			struct cached *na = realloc(all, nc * sizeof *na);
			if (!na)
				break;
			all = na;
			cap = nc;
		}
		snprintf(all[n].name, sizeof all[n].name, "%s", e->d_name);
		all[n].used = st.st_mtime;
		all[n].size = st.st_size;
		total += (unsigned long long)st.st_size;
		n++;
	}
	closedir(d);
	if (total > AS_SIGMA_MAX_HSCACHE) {
		qsort(all, n, sizeof *all, cmp_used);
		for (size_t i = 0; i < n && total > AS_SIGMA_MAX_HSCACHE / 4 * 3; i++) {
			snprintf(path, sizeof path, "%s/%s", dir, all[i].name);
			if (!unlink(path))
				total -= (unsigned long long)all[i].size;
		}
	}
	free(all);
}

bool sigma_cache_write(const char *path, const void *const *parts, const size_t *lens, size_t n)
{
	char tmp[4300];
	snprintf(tmp, sizeof tmp, "%s.%ld.tmp", path, (long)getpid());
	FILE *f = fopen(tmp, "wb");
	if (!f) {
		if (errno == ENOENT) { /* the folder went: make it again next time */
			pthread_mutex_lock(&dir_lock);
			dir_known[0] = 0;
			pthread_mutex_unlock(&dir_lock);
		}
		return false;
	}
	bool ok = true;
	for (size_t i = 0; i < n && ok; i++)
		ok = fwrite(parts[i], 1, lens[i], f) == lens[i];
	ok = !fclose(f) && ok;
	if (!ok || rename(tmp, path)) {
		unlink(tmp);
		return false;
	}
	return true;
}

/* Write desc and db to path. */
static void store(const char *path, const struct buf *desc, const hs_database_t *db)
{
	char *bytes = NULL;
	size_t size = 0;
	if (hs_serialize_database(db, &bytes, &size) != HS_SUCCESS)
		return;
	uint64_t sz = size, h = hash_bytes_seeded(bytes, size, HASH_K1);
	const void *parts[] = {desc->data, &sz, bytes, &h};
	const size_t lens[] = {desc->len, sizeof sz, size, sizeof h};
	sigma_cache_write(path, parts, lens, 4);
	free(bytes);
}

void sigma_cache_wrote(const char *dir)
{
	/* once per folder and process: a rule set's first compile writes a
	 * hundred files or more, and one look at the folder does */
	static char pruned[4096];
	pthread_mutex_lock(&dir_lock);
	bool seen = !strcmp(pruned, dir);
	if (!seen)
		snprintf(pruned, sizeof pruned, "%s", dir);
	pthread_mutex_unlock(&dir_lock);
	if (!seen)
		prune(dir);
}

int sigma_dbcache_compile(const char *const *exprs, const unsigned *flags, const unsigned *ids,
			  const size_t *lens, unsigned n, hs_database_t **out)
{
	char dir[4096], path[4200];
	struct buf desc = {.max = AS_SIGMA_MAX_HSDB};
	bool cached =
	    sigma_cache_dir(dir, sizeof dir) && !describe(&desc, exprs, flags, ids, lens, n);
	if (cached) {
		uint64_t a = hash_bytes_seeded(desc.data, desc.len, HASH_K0),
			 b = hash_bytes_seeded(desc.data, desc.len, HASH_K2);
		snprintf(path, sizeof path, "%s/hs-%016llx%016llx.db", dir, (unsigned long long)a,
			 (unsigned long long)b);
		if ((*out = load(path, &desc))) {
			n_hits++;
			buf_free(&desc);
			return 0;
		}
	}
	n_misses++;
	hs_compile_error_t *cerr = NULL;
	int rc = 0;
	if (hs_compile_lit_multi(exprs, flags, ids, lens, n, HS_MODE_BLOCK, NULL, out, &cerr) !=
	    HS_SUCCESS) {
		if (cerr)
			hs_free_compile_error(cerr);
		*out = NULL;
		rc = AS_EENGINE;
	} else if (cached) {
		store(path, &desc, *out);
		sigma_cache_wrote(dir);
	}
	buf_free(&desc);
	return rc;
}

void sigma_dbcache_stats(unsigned long long *hits, unsigned long long *misses)
{
	*hits = n_hits;
	*misses = n_misses;
}
