/*
 * supply_int.h — the manifest's layout, shared by the loader and the
 * detector. Not for use outside src/detect/supply/.
 *
 * Look-ups are hash maps from lower-cased text to a product index; hashes
 * live in one map under prefixed keys, so every question the detector asks
 * is one probe:
 *   "H<vendor>\t<hash>"          the vendor published this hash (any product)
 *   "N<p>\t<file>\t<hash>"       product p lists this hash for this file name
 *                                (file "*" when the row named no file)
 *   "C<p>\t<file>\t<t>"          how many hashes of type t product p lists for
 *                                the file: whether a hash of that type can be judged
 */
#ifndef AS_DETECT_SUPPLY_SUPPLY_INT_H
#define AS_DETECT_SUPPLY_SUPPLY_INT_H

#include "core/map.h"
#include "detect/supply/supply.h"

enum { SUPPLY_MD5, SUPPLY_SHA1, SUPPLY_SHA256, SUPPLY_HASH_TYPES };

struct supply_strv {
	char **v;
	size_t n, cap;
};

struct supply_product {
	char *vendor, *product;
	struct supply_strv hosts, signers, processes, paths; /* lower-case but signers */
	uint32_t nhash[SUPPLY_HASH_TYPES];
};

struct supply_manifest {
	struct supply_product *p;
	size_t n, cap;
	struct map products;   /* "vendor\tproduct" (lower) → index */
	struct map by_host;    /* host → index */
	struct map by_process; /* process base name → index */
	struct map by_file;    /* file base name → index */
	struct map hashes;     /* see above */
	size_t nhashes;
	size_t nsigners;
};

/* Type of a hex digest by its length, or -1 when it is not one. */
int supply_hash_type(struct slice h);
/* Lower-case copy of s into dst[cap], '\\' turned into '/' when paths is set. */
size_t supply_lower(struct slice s, char *dst, size_t cap, bool paths);
/* Base name of a Windows or POSIX path. */
struct slice supply_base(struct slice path);

#endif
