/*
 * hunt_attribution.h — `hunt`'s bridge from incidents to attribution.
 *
 * The correlator knows nothing of attribution; it only offers hooks
 * (correlate_hooks). This fills them: every finished incident becomes a set
 * of observations (techniques, malware, indicators with the groups their
 * feeds and labels name, victim sector and country, source countries,
 * activity times), is scored against the group profiles of the knowledge
 * base, and gets its "attribution" block; the unattributed are then
 * clustered, and recurring clusters become candidate new groups
 * (verdict "new-cluster", cluster "UNK-YYYY-NNN"). With a store, the clusters
 * of earlier hunts are taken up again (their names never change) and every
 * cluster made, grown or named is saved (store/cluster_store.h).
 */
#ifndef AS_APP_HUNT_ATTRIBUTION_H
#define AS_APP_HUNT_ATTRIBUTION_H

#include <stddef.h>

#include "correlate/incident.h"

struct kb;
struct store;
struct hunt_attribution;

/* NULL *out when the knowledge base has no groups (nothing to attribute to).
 * store may be NULL (no clusters kept across runs); both must outlive h. */
int hunt_attribution_new(struct hunt_attribution **out, const struct kb *kb, struct store *store);
const struct correlate_hooks *hunt_attribution_hooks(void);
/* One line for the table view ("attributed to APT32 (0.91)", …), or NULL. */
const char *hunt_attribution_summary(const struct hunt_attribution *h, const char *incident_id);
void hunt_attribution_free(struct hunt_attribution *h); /* accepts NULL */

#endif
