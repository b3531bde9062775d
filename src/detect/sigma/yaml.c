/*
 * yaml.c — libyaml events to a small node tree, for rule loading only.
 *
 * Rules are small, so each file becomes a tree of scalars, sequences and
 * maps in an arena, every node carrying its line for error reports. The
 * builder keeps an explicit stack (bounded by AS_SIGMA_MAX_YAML_DEPTH) so that
 * hostile nesting cannot exhaust the C stack; aliases are refused. Trees
 * are kept on disk between runs (treecache.c): change TREE_MAGIC there when
 * the tree built from a text changes.
 */
#include <stdio.h>
#include <string.h>
#include <yaml.h>

#include "core/error.h"
#include "core/limits.h"
#include "detect/sigma/sigma_int.h"

struct growing {
	struct sy_node *node;
	struct sy_node **items;
	size_t n, cap;
};

static int push_item(struct arena *a, struct growing *g, struct sy_node *item)
{
	if (g->n == g->cap) {
		size_t ncap = g->cap ? g->cap * 2 : 8;
		if (ncap > AS_SIGMA_MAX_YAML_ITEMS * 2)
			return AS_ETOOBIG;
		struct sy_node **n = arena_alloc(a, ncap * sizeof *n);
		if (!n)
			return AS_ENOMEM;
		if (g->n)
			memcpy(n, g->items, g->n * sizeof *n);
		g->items = n;
		g->cap = ncap;
	}
	g->items[g->n++] = item;
	return 0;
}

int sy_parse(struct arena *a, const char *text, size_t len, struct sy_node ***docs, size_t *ndocs,
	     char *err, size_t errcap, unsigned *line)
{
	yaml_parser_t p;
	yaml_event_t ev;
	struct growing stack[AS_SIGMA_MAX_YAML_DEPTH + 1];
	struct growing docl = {0};
	int depth = 0, rc = 0;
	*docs = NULL;
	*ndocs = 0;
	*line = 0;
	if (!yaml_parser_initialize(&p))
		return AS_ENOMEM;
	yaml_parser_set_input_string(&p, (const unsigned char *)text, len);
	for (;;) {
		if (!yaml_parser_parse(&p, &ev)) {
			snprintf(err, errcap, "YAML: %s", p.problem ? p.problem : "syntax error");
			*line = (unsigned)p.problem_mark.line + 1;
			rc = AS_EPARSE;
			break;
		}
		yaml_event_type_t t = ev.type;
		uint32_t ln = (uint32_t)ev.start_mark.line + 1;
		struct sy_node *done = NULL;
		if (t == YAML_STREAM_END_EVENT) {
			yaml_event_delete(&ev);
			break;
		}
		switch (t) {
		case YAML_SCALAR_EVENT: {
			struct sy_node *n = arena_alloc(a, sizeof *n);
			char *s = n ? arena_strndup(a, (const char *)ev.data.scalar.value,
						    ev.data.scalar.length)
				    : NULL;
			if (!s) {
				rc = AS_ENOMEM;
				break;
			}
			*n = (struct sy_node){.kind = SY_SCALAR,
					      .plain =
						  ev.data.scalar.style == YAML_PLAIN_SCALAR_STYLE,
					      .line = ln,
					      .s = s,
					      .len = ev.data.scalar.length};
			done = n;
			break;
		}
		case YAML_SEQUENCE_START_EVENT:
		case YAML_MAPPING_START_EVENT: {
			if (depth >= AS_SIGMA_MAX_YAML_DEPTH) {
				snprintf(err, errcap, "YAML nested deeper than %d",
					 AS_SIGMA_MAX_YAML_DEPTH);
				*line = ln;
				rc = AS_ETOOBIG;
				break;
			}
			struct sy_node *n = arena_alloc(a, sizeof *n);
			if (!n) {
				rc = AS_ENOMEM;
				break;
			}
			*n = (struct sy_node){
			    .kind = t == YAML_SEQUENCE_START_EVENT ? SY_SEQ : SY_MAP, .line = ln};
			stack[++depth] = (struct growing){.node = n};
			break;
		}
		case YAML_SEQUENCE_END_EVENT:
		case YAML_MAPPING_END_EVENT: {
			struct growing *g = &stack[depth--];
			g->node->items = g->items;
			g->node->n = g->node->kind == SY_MAP ? g->n / 2 : g->n;
			done = g->node;
			break;
		}
		case YAML_ALIAS_EVENT:
			snprintf(err, errcap, "YAML aliases are not supported");
			*line = ln;
			rc = AS_EUNSUPPORTED;
			break;
		default:
			break;
		}
		yaml_event_delete(&ev);
		if (rc)
			break;
		if (done) {
			if (depth == 0)
				rc = push_item(a, &docl, done);
			else
				rc = push_item(a, &stack[depth], done);
			if (rc) {
				snprintf(err, errcap, "YAML too large");
				*line = ln;
				break;
			}
		}
	}
	yaml_parser_delete(&p);
	if (rc == AS_ENOMEM)
		snprintf(err, errcap, "out of memory");
	if (!rc) {
		*docs = docl.items;
		*ndocs = docl.n;
	}
	return rc;
}

struct sy_node *sy_get(const struct sy_node *map, const char *key)
{
	if (!map || map->kind != SY_MAP)
		return NULL;
	for (size_t i = 0; i < map->n; i++) {
		struct sy_node *k = map->items[2 * i];
		if (k->kind == SY_SCALAR && !strcmp(k->s, key))
			return map->items[2 * i + 1];
	}
	return NULL;
}

bool sy_is_null(const struct sy_node *n)
{
	return n && n->kind == SY_SCALAR && n->plain &&
	       (n->len == 0 || !strcmp(n->s, "null") || !strcmp(n->s, "~") ||
		!strcmp(n->s, "Null") || !strcmp(n->s, "NULL"));
}
