/*
 * fuzz_sigma_treecache.c — the cached YAML trees of rule files (treecache.c)
 * on hostile bytes: a cache file is input like any other.
 *
 * The input is tried three ways: as one file's encoded tree, which when it
 * decodes must encode back to exactly the same bytes and is then loaded as
 * rules and compiled; as a whole bundle, whose entries are looked up for a
 * few rule texts; and as a rule text looked up in a bundle made of it.
 */
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include "core/buf.h"
#include "detect/sigma/sigma_int.h"

static void as_tree(const uint8_t *data, size_t size)
{
	struct arena a;
	struct sy_node **docs;
	size_t nd;
	arena_init(&a, 0);
	if (!sigma_tree_decode(&a, data, size, &docs, &nd)) {
		struct buf b = {0};
		if (sigma_tree_encode(&b, docs, nd) || b.len != size || memcmp(b.data, data, size))
			abort();
		buf_free(&b);
		struct sigma_ruleset *rs;
		if (!sigma_ruleset_new(&rs)) {
			sigma_ruleset_load_tree(rs, "fuzz.yml", docs, nd, NULL);
			sigma_ruleset_compile(rs, NULL);
			sigma_ruleset_free(rs);
		}
	}
	arena_free(&a);
}

static void as_bundle(const uint8_t *data, size_t size)
{
	static const char *texts[] = {"", "title: t\n", "a: [1, 2]\n---\nb: {c: d}\n"};
	struct sigma_treecache *tc = sigma_treecache_from(data, size);
	struct arena a;
	arena_init(&a, 0);
	for (size_t i = 0; i < sizeof texts / sizeof *texts; i++) {
		struct sy_node **docs;
		size_t nd;
		sigma_treecache_get(tc, &a, texts[i], strlen(texts[i]), &docs, &nd);
	}
	arena_free(&a);
	sigma_treecache_close(tc, false);
}

static bool same(const struct sy_node *x, const struct sy_node *y)
{
	if (x->kind != y->kind || x->plain != y->plain || x->line != y->line || x->n != y->n)
		return false;
	if (x->kind == SY_SCALAR)
		return x->len == y->len && !memcmp(x->s, y->s, x->len) && !x->s[x->len] &&
		       !y->s[y->len];
	size_t items = x->kind == SY_MAP ? 2 * x->n : x->n;
	for (size_t i = 0; i < items; i++)
		if (!same(x->items[i], y->items[i]))
			return false;
	return true;
}

/* The tree a bundle gives back for a text is the tree its parse made. */
static void as_text(const uint8_t *data, size_t size)
{
	struct arena a, b;
	struct sy_node **docs, **back;
	size_t nd, nb;
	char err[200];
	unsigned line;
	arena_init(&a, 0);
	arena_init(&b, 0);
	struct sigma_treecache *tc = sigma_treecache_from(NULL, 0);
	const char *text = (const char *)data;
	if (tc && !sy_parse(&a, text, size, &docs, &nd, err, sizeof err, &line)) {
		sigma_treecache_put(tc, text, size, docs, nd);
		if (!sigma_treecache_get(tc, &b, text, size, &back, &nb) || nb != nd)
			abort();
		for (size_t i = 0; i < nd; i++)
			if (!same(docs[i], back[i]))
				abort();
	}
	sigma_treecache_close(tc, false);
	arena_free(&a);
	arena_free(&b);
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	/* every input is a rule set of its own: nothing is kept on disk */
	setenv("APTSCOPE_CACHE_DIR", "off", 1);
	as_tree(data, size);
	as_bundle(data, size);
	as_text(data, size);
	return 0;
}
