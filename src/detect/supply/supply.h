/*
 * supply.h — supply-chain update integrity: the manifest of trusted software
 * and the "supply" detector that checks events against it.
 *
 * A manifest lists, per vendor and product: the host names its updates come
 * from, the subjects that sign its code, its agent and updater process names,
 * the folders it installs to (globs), and the known-good hashes (MD5, SHA-1 or
 * SHA-256) of its files per version. It is read from CSV, from YAML, or built
 * from a vendor's published hash list (sha256sum / md5sum lines or CSV).
 *
 * The detector raises an alert ("detector":"supply", evidence with "vendor",
 * "product" and "channel") when:
 *   channel "update"   a file fetched from a vendor update host (HTTP or file
 *                      events with domain/url and a hash: Zeek files.log, EVE
 *                      fileinfo) has a hash the vendor never published;
 *   channel "install"  a vendor file (its name, in the vendor's folders when
 *                      the manifest gives them) has a hash that is not the
 *                      manifest's for that file in any version (Sysmon 11/15,
 *                      file-scan events from yara_scan_run);
 *   channel "process"  a vendor agent or updater starts a shell, a script host
 *                      or a network tool (process-creation events);
 *   channel "signing"  a vendor binary is signed by a subject that is not one of
 *                      the vendor's (events with a Signature/Signer native field,
 *                      Sysmon 6/7).
 * A hash is only judged against hashes of the same type; an event whose hash
 * types the manifest does not list for that product is not judged.
 */
#ifndef AS_DETECT_SUPPLY_SUPPLY_H
#define AS_DETECT_SUPPLY_SUPPLY_H

#include <stddef.h>
#include <stdint.h>

#include "core/diag.h"
#include "core/slice.h"
#include "detect/detector.h"

struct supply_manifest;

struct supply_load_stats {
	uint64_t records; /* rows / list entries seen */
	uint64_t loaded;  /* entries added */
	uint64_t skipped; /* rejected, each reported on diags with the reason */
};

/* The kinds of entry a manifest row may hold. */
#define SUPPLY_KIND_LIST(X)                                                                        \
	X(HOST, "update_host")                                                                     \
	X(SIGNER, "signer")                                                                        \
	X(PROCESS, "process")                                                                      \
	X(PATH, "path")                                                                            \
	X(HASH, "hash")

enum supply_kind {
#define X(id, name) SUPPLY_##id,
	SUPPLY_KIND_LIST(X)
#undef X
	    SUPPLY_KIND_COUNT
};

int supply_manifest_new(struct supply_manifest **out);
void supply_manifest_free(struct supply_manifest *m); /* accepts NULL */

/* Add one entry for vendor/product. For SUPPLY_HASH, value is the hex digest
 * (type from its length), file the file name it belongs to (may be NULL: any
 * file of the product) and version may be NULL. 0, or AS_EINVAL / AS_EPARSE
 * with the reason in *why (may be NULL), AS_ETOOBIG, AS_ENOMEM. */
int supply_manifest_add(struct supply_manifest *m, const char *vendor, const char *product,
			enum supply_kind kind, struct slice value, const char *version,
			const char *file, struct diag *why);

/* Load a manifest file: YAML when it starts like YAML (or is named *.yml /
 * *.yaml), otherwise CSV with a header naming the columns vendor, product,
 * kind, value and optionally version, file. Bad rows are reported on diags as
 * FILE:LINE: REASON and skipped. 0, or AS_EIO / AS_ETOOBIG / AS_EPARSE when the
 * file as a whole cannot be used. */
int supply_manifest_load(struct supply_manifest *m, const char *path, struct diag_sink *diags,
			 struct supply_load_stats *st);
int supply_manifest_load_mem(struct supply_manifest *m, const char *name, const char *data,
			     size_t n, struct diag_sink *diags, struct supply_load_stats *st);

/* Import a vendor's published list of hashes for one product and version:
 * lines "HASH  FILE" (sha256sum, md5sum, with '*' binary marks), "FILE: HASH",
 * or CSV rows holding a hash and a file name. */
int supply_manifest_import_hashes(struct supply_manifest *m, const char *vendor,
				  const char *product, const char *version, const char *name,
				  const char *data, size_t n, struct diag_sink *diags,
				  struct supply_load_stats *st);

size_t supply_manifest_products(const struct supply_manifest *m);
size_t supply_manifest_hashes(const struct supply_manifest *m);

/* Fill *d as the "supply" detector over m. From then on d owns m:
 * d->shared_free(d->shared) frees it. */
int supply_detector_init(struct detector *d, struct supply_manifest *m);

#endif
