/*
 * cluster_store.h — candidate new groups (UNK-YYYY-NNN clusters) kept in the
 * store, so that a later hunt keeps their names and a later import can name
 * them.
 *
 * One row per cluster in the `clusters` table: the columns listings filter on
 * and the whole JSON object of attr_cluster_to_json, which is also what
 * attr_cluster_add_known takes back. When a cluster is linked to a group the
 * stored incidents behind it are updated too (their "attribution" gains
 * "linked_group" and "linked_reason"), so `incidents`, `incident show` and
 * the report see the name without re-running anything.
 */
#ifndef AS_STORE_CLUSTER_STORE_H
#define AS_STORE_CLUSTER_STORE_H

#include <stddef.h>

struct store;
struct attr_clusterer;
struct attr_cluster;

/* Every stored cluster into c (attr_cluster_add_known). A row that does not
 * parse is skipped and counted in *skipped (may be NULL). 0 or AS_EDB. */
int cluster_store_load(struct store *s, struct attr_clusterer *c, size_t *skipped);
/* Insert or replace one cluster. */
int cluster_store_put(struct store *s, const struct attr_cluster *cl);
/* Write the cluster's name and link into the attribution of each stored
 * incident behind it; *updated (may be NULL) counts the incidents changed.
 * Incidents not in the store are left alone. */
int cluster_store_mark(struct store *s, const struct attr_cluster *cl, size_t *updated);

#endif
