/*
 * treecache.c — the YAML trees of rule files kept on disk between runs.
 *
 * Parsing YAML is most of the cost of loading a rule set (libyaml was 42 %
 * of the instructions of a hunt over an empty file with the SigmaHQ Windows
 * rules). A file's tree (yaml.c) depends on its bytes alone, so each path
 * given to sigma_ruleset_load has one bundle in the cache folder (dbcache.c),
 * named by a hash of the path made absolute, holding for every rule file that
 * load parsed a hash of the file's bytes and its tree:
 *
 *   "aptscope trees 2\n"  yaml_get_version_string() NUL  u32 0x01020304
 *   u32 n, then n × entry:  u64 hash, u64 hash2, u32 text length, u32 tree length, tree
 *   u64 hash of all the bytes before
 *
 *   tree:  u32 documents, each one node
 *   node:  u8 kind, u8 plain, u32 line, u32 m, then
 *          scalar: m bytes, NUL;  sequence: m nodes;  map: m pairs of nodes (key, value)
 *
 * A decoded scalar points into the bytes decoded (its NUL is there), so a
 * tree taken from a bundle lives as long as the bundle and its arena: the
 * load uses each file's tree before the next file, and closes the bundle
 * last. Copying every scalar was a third of decoding.
 *
 * A bundle is untrusted input. It is used only when its header and checksum
 * hold and its entries fit it exactly; an entry is used only when its hashes
 * and length are those of the file's bytes and its tree decodes, within the
 * limits sy_parse keeps (AS_SIGMA_MAX_YAML_DEPTH, AS_SIGMA_MAX_YAML_ITEMS),
 * into exactly the entry's bytes as the encoder writes them. Anything else
 * parses the file. A file whose YAML does not parse has no entry, so its
 * report always comes from the parser. After the load, the bundle is
 * rewritten (to a temporary file, then renamed) when a file was parsed or an
 * entry went unused: it holds exactly the files of the last load. Change
 * TREE_MAGIC whenever yaml.c builds different trees from the same text.
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <unistd.h>
#include <yaml.h>

#include "core/buf.h"
#include "core/error.h"
#include "core/hash.h"
#include "core/limits.h"
#include "detect/sigma/sigma_int.h"

#define TREE_MAGIC "aptscope trees 2\n"
#define TREE_BOM   0x01020304u
#define NODE_MIN   10 /* bytes of the smallest node */
#define ENTRY_HEAD 24 /* bytes of an entry before its tree */

struct sigma_treecache {
	char path[4200];    /* the bundle; "" for one only read (tests, fuzzing) */
	unsigned char *old; /* the bundle as read, NULL when none held */
	size_t oldlen;
	size_t hdrlen;    /* bytes of the header, up to the count */
	uint32_t nold;    /* entries in old */
	uint32_t oldused; /* of which this load used */
	struct map index; /* 16 hash bytes → offset of the entry in old + 1 */
	struct map mine;  /* 16 hash bytes → offset of the entry in out + 1 */
	struct buf out;   /* the header and the entries of this load */
	uint32_t nout;
	bool added; /* an entry was made by parsing */
};

static unsigned long long n_hits, n_misses;

/* ---- trees ---- */

static void put_u32(struct buf *b, uint32_t x)
{
	buf_append(b, &x, sizeof x);
}

static void encode_node(struct buf *b, const struct sy_node *n)
{
	uint8_t head[2] = {n->kind, n->plain};
	buf_append(b, head, sizeof head);
	put_u32(b, n->line);
	if (n->kind == SY_SCALAR) {
		put_u32(b, (uint32_t)n->len);
		buf_append(b, n->s, n->len);
		buf_append(b, "", 1);
		return;
	}
	put_u32(b, (uint32_t)n->n);
	size_t items = n->kind == SY_MAP ? 2 * n->n : n->n;
	for (size_t i = 0; i < items && !b->err; i++)
		encode_node(b, n->items[i]);
}

int sigma_tree_encode(struct buf *b, struct sy_node *const *docs, size_t nd)
{
	put_u32(b, (uint32_t)nd);
	for (size_t i = 0; i < nd && !b->err; i++)
		encode_node(b, docs[i]);
	return b->err;
}

struct rd {
	const unsigned char *p, *end;
};

static bool take(struct rd *r, void *v, size_t n)
{
	if ((size_t)(r->end - r->p) < n)
		return false;
	memcpy(v, r->p, n);
	r->p += n;
	return true;
}

/* One node at nesting depth (containers around it); NULL when the bytes
 * are not a node the encoder writes within sy_parse's limits. */
static struct sy_node *decode_node(struct arena *a, struct rd *r, int depth)
{
	uint8_t head[2];
	uint32_t line, m;
	if (!take(r, head, sizeof head) || !take(r, &line, sizeof line) || !take(r, &m, sizeof m))
		return NULL;
	uint8_t kind = head[0];
	if (kind > SY_MAP || head[1] > 1 || (head[1] && kind != SY_SCALAR))
		return NULL;
	struct sy_node *n = arena_alloc(a, sizeof *n);
	if (!n)
		return NULL;
	*n = (struct sy_node){.kind = kind, .plain = head[1], .line = line};
	if (kind == SY_SCALAR) {
		if ((size_t)(r->end - r->p) <= m || r->p[m])
			return NULL;
		n->s = (const char *)r->p;
		n->len = m;
		r->p += (size_t)m + 1;
		return n;
	}
	size_t items = kind == SY_MAP ? 2 * (size_t)m : m;
	if (depth >= AS_SIGMA_MAX_YAML_DEPTH || items > 2 * (size_t)AS_SIGMA_MAX_YAML_ITEMS ||
	    items > (size_t)(r->end - r->p) / NODE_MIN)
		return NULL;
	if (items) {
		if (!(n->items = arena_alloc(a, items * sizeof *n->items)))
			return NULL;
		for (size_t i = 0; i < items; i++)
			if (!(n->items[i] = decode_node(a, r, depth + 1)))
				return NULL;
	}
	n->n = m;
	return n;
}

int sigma_tree_decode(struct arena *a, const void *p, size_t len, struct sy_node ***docs,
		      size_t *nd)
{
	struct rd r = {p, (const unsigned char *)p + len};
	uint32_t m;
	*docs = NULL;
	*nd = 0;
	if (!take(&r, &m, sizeof m) || m > 2 * (size_t)AS_SIGMA_MAX_YAML_ITEMS ||
	    m > len / NODE_MIN)
		return AS_EPARSE;
	struct sy_node **d = NULL;
	if (m && !(d = arena_alloc(a, m * sizeof *d)))
		return AS_ENOMEM;
	for (uint32_t i = 0; i < m; i++)
		if (!(d[i] = decode_node(a, &r, 0)))
			return AS_EPARSE;
	if (r.p != r.end)
		return AS_EPARSE;
	*docs = d;
	*nd = m;
	return 0;
}

/* ---- bundles ---- */

static void text_key(const char *text, size_t len, unsigned char key[16])
{
	uint64_t h[2] = {hash_bytes_seeded(text, len, HASH_K0),
			 hash_bytes_seeded(text, len, HASH_K2)};
	memcpy(key, h, sizeof h);
}

static void put_header(struct buf *b)
{
	buf_append(b, TREE_MAGIC, strlen(TREE_MAGIC));
	const char *v = yaml_get_version_string();
	buf_append(b, v, strlen(v) + 1);
	put_u32(b, TREE_BOM);
}

/* Index the entries of tc->old; false (and nothing indexed) when the
 * bundle is not one this build writes, whole. */
static bool index_old(struct sigma_treecache *tc)
{
	const unsigned char *p = tc->old;
	size_t len = tc->oldlen, off = tc->hdrlen;
	uint32_t n;
	uint64_t sum;
	if (len < off + sizeof n + sizeof sum || memcmp(p, tc->out.data, off))
		return false;
	memcpy(&sum, p + len - sizeof sum, sizeof sum);
	if (sum != hash_bytes_seeded(p, len - sizeof sum, HASH_K1))
		return false;
	len -= sizeof sum;
	memcpy(&n, p + off, sizeof n);
	off += sizeof n;
	if (n > (len - off) / ENTRY_HEAD)
		return false;
	for (uint32_t i = 0; i < n; i++) {
		uint32_t tlen;
		if (len - off < ENTRY_HEAD)
			goto bad;
		memcpy(&tlen, p + off + 20, sizeof tlen);
		if (tlen > len - off - ENTRY_HEAD)
			goto bad;
		bool existed = false;
		if (map_put(&tc->index, slice_make((const char *)p + off, 16), off + 1, &existed) ||
		    existed)
			goto bad;
		off += ENTRY_HEAD + tlen;
	}
	if (off != len)
		goto bad;
	tc->nold = n;
	return true;
bad:
	map_free(&tc->index);
	map_init(&tc->index);
	return false;
}

static struct sigma_treecache *cache_new(void)
{
	struct sigma_treecache *tc = calloc(1, sizeof *tc);
	if (!tc)
		return NULL;
	map_init(&tc->index);
	map_init(&tc->mine);
	tc->out.max = AS_SIGMA_MAX_TREECACHE;
	put_header(&tc->out);
	tc->hdrlen = tc->out.len;
	put_u32(&tc->out, 0); /* the count, set when written */
	if (tc->out.err) {
		sigma_treecache_close(tc, false);
		return NULL;
	}
	return tc;
}

struct sigma_treecache *sigma_treecache_from(const void *bytes, size_t len)
{
	struct sigma_treecache *tc = cache_new();
	if (!tc)
		return NULL;
	if (len && len <= AS_SIGMA_MAX_TREECACHE && (tc->old = malloc(len))) {
		memcpy(tc->old, bytes, len);
		tc->oldlen = len;
		if (!index_old(tc)) {
			free(tc->old);
			tc->old = NULL;
			tc->oldlen = 0;
		}
	}
	return tc;
}

/* The bytes of the bundle at path into tc->old, touched as dbcache.c
 * touches its files; false when there is none to use. */
static bool read_old(struct sigma_treecache *tc, const char *path)
{
	time_t mtime;
	if (!(tc->old = (unsigned char *)sigma_cache_read(path, 1, AS_SIGMA_MAX_TREECACHE,
							  &tc->oldlen, &mtime)))
		return false;
	if (!index_old(tc)) {
		free(tc->old);
		tc->old = NULL;
		tc->oldlen = 0;
		return false;
	}
	sigma_cache_used(path, mtime);
	return true;
}

struct sigma_treecache *sigma_treecache_open(const char *path)
{
	char dir[4096], abs[4096];
	if (!sigma_cache_dir(dir, sizeof dir))
		return NULL;
	if (path[0] == '/') {
		if (snprintf(abs, sizeof abs, "%s", path) >= (int)sizeof abs)
			return NULL;
	} else {
		char cwd[3072];
		if (!getcwd(cwd, sizeof cwd) ||
		    snprintf(abs, sizeof abs, "%s/%s", cwd, path) >= (int)sizeof abs)
			return NULL;
	}
	struct sigma_treecache *tc = cache_new();
	if (!tc)
		return NULL;
	size_t n = strlen(abs);
	snprintf(tc->path, sizeof tc->path, "%s/rt-%016llx%016llx.bin", dir,
		 (unsigned long long)hash_bytes_seeded(abs, n, HASH_K0),
		 (unsigned long long)hash_bytes_seeded(abs, n, HASH_K2));
	read_old(tc, tc->path);
	return tc;
}

/* Decode the tree of the entry at e (within bytes ending at end) if it is
 * the entry of text. */
static bool entry_docs(const unsigned char *e, const unsigned char *key, size_t textlen,
		       struct arena *a, struct sy_node ***docs, size_t *nd)
{
	uint32_t tl, trl;
	memcpy(&tl, e + 16, sizeof tl);
	memcpy(&trl, e + 20, sizeof trl);
	return !memcmp(e, key, 16) && tl == textlen &&
	       !sigma_tree_decode(a, e + ENTRY_HEAD, trl, docs, nd);
}

/* Take the entry of key that starts at off in out as one of this load's. */
static void add_entry(struct sigma_treecache *tc, const unsigned char *key, size_t off)
{
	if (tc->out.err)
		return;
	if (map_put(&tc->mine, slice_make((const char *)key, 16), off + 1, NULL))
		tc->out.err = AS_ENOMEM;
	else
		tc->nout++;
}

bool sigma_treecache_get(struct sigma_treecache *tc, struct arena *a, const char *text, size_t len,
			 struct sy_node ***docs, size_t *nd)
{
	if (!tc)
		return false;
	unsigned char key[16];
	uint64_t off;
	text_key(text, len, key);
	struct slice k = slice_make((const char *)key, 16);
	if (!tc->out.err && map_get(&tc->mine, k, &off)) {
		/* the same bytes earlier in this load */
		if (entry_docs((const unsigned char *)tc->out.data + off - 1, key, len, a, docs,
			       nd))
			goto hit;
	} else if (tc->old && map_get(&tc->index, k, &off)) {
		const unsigned char *e = tc->old + off - 1;
		if (entry_docs(e, key, len, a, docs, nd)) {
			uint32_t trl;
			memcpy(&trl, e + 20, sizeof trl);
			size_t at = tc->out.len;
			buf_append(&tc->out, e, ENTRY_HEAD + (size_t)trl);
			add_entry(tc, key, at);
			tc->oldused++;
			goto hit;
		}
	}
	n_misses++;
	return false;
hit:
	n_hits++;
	return true;
}

void sigma_treecache_put(struct sigma_treecache *tc, const char *text, size_t len,
			 struct sy_node *const *docs, size_t nd)
{
	if (!tc || tc->out.err)
		return;
	unsigned char key[16];
	text_key(text, len, key);
	if (map_get(&tc->mine, slice_make((const char *)key, 16), &(uint64_t){0}))
		return;
	size_t start = tc->out.len;
	buf_append(&tc->out, key, sizeof key);
	put_u32(&tc->out, (uint32_t)len);
	put_u32(&tc->out, 0); /* the tree's length, below */
	if (sigma_tree_encode(&tc->out, docs, nd))
		return;
	uint32_t trl = (uint32_t)(tc->out.len - start - ENTRY_HEAD);
	memcpy(tc->out.data + start + 20, &trl, sizeof trl);
	add_entry(tc, key, start);
	tc->added = true;
}

/* Write out to tc->path through a temporary file. */
static void write_out(struct sigma_treecache *tc)
{
	memcpy(tc->out.data + tc->hdrlen, &tc->nout, sizeof tc->nout);
	uint64_t sum = hash_bytes_seeded(tc->out.data, tc->out.len, HASH_K1);
	if (buf_append(&tc->out, &sum, sizeof sum))
		return;
	const void *parts[] = {tc->out.data};
	const size_t lens[] = {tc->out.len};
	if (!sigma_cache_write(tc->path, parts, lens, 1))
		return;
	char dir[4200];
	snprintf(dir, sizeof dir, "%s", tc->path);
	char *slash = strrchr(dir, '/');
	if (slash) {
		*slash = 0;
		sigma_cache_wrote(dir);
	}
}

void sigma_treecache_close(struct sigma_treecache *tc, bool write)
{
	if (!tc)
		return;
	if (write && tc->path[0] && !tc->out.err && (tc->added || tc->oldused != tc->nold))
		write_out(tc);
	free(tc->old);
	map_free(&tc->index);
	map_free(&tc->mine);
	buf_free(&tc->out);
	free(tc);
}

void sigma_treecache_stats(unsigned long long *hits, unsigned long long *misses)
{
	*hits = n_hits;
	*misses = n_misses;
}
