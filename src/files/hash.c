/*
 * hash.c — content hashes and type names of files, see files.h.
 *
 * MD5, SHA-1 and SHA-256 are fed the same 64 KiB block in turn, so the bytes
 * are read from memory once and stay in cache for the other two digests. The
 * fuzzy hash (ssdeep) is a separate pass through libfuzzy and is only asked
 * for executables and documents. Types are told by magic bytes only: the
 * `filetype` external of YARA rules needs a label, not a parser.
 */
#include "files/files.h"

#include <string.h>

#include <fuzzy.h>
#include <openssl/evp.h>

#include "core/error.h"

_Static_assert(FILES_SSDEEP_MAX >= FUZZY_MAX_RESULT, "ssdeep buffer too small");

static void to_hex(const unsigned char *d, unsigned n, char *out)
{
	static const char hex[] = "0123456789abcdef";
	for (unsigned i = 0; i < n; i++) {
		out[2 * i] = hex[d[i] >> 4];
		out[2 * i + 1] = hex[d[i] & 15];
	}
	out[2 * n] = 0;
}

int files_hash(const void *data, size_t n, bool ssdeep, struct file_hashes *out)
{
	memset(out, 0, sizeof *out);
	EVP_MD_CTX *c[3] = {EVP_MD_CTX_new(), EVP_MD_CTX_new(), EVP_MD_CTX_new()};
	const EVP_MD *md[3] = {EVP_md5(), EVP_sha1(), EVP_sha256()};
	char *dst[3] = {out->md5, out->sha1, out->sha256};
	int rc = 0;
	for (int i = 0; i < 3; i++)
		if (!c[i] || !EVP_DigestInit_ex(c[i], md[i], NULL)) {
			rc = AS_ENOMEM;
			goto out;
		}
	const unsigned char *p = data;
	for (size_t off = 0; off < n;) {
		size_t k = n - off < (64u << 10) ? n - off : (64u << 10);
		for (int i = 0; i < 3; i++)
			if (!EVP_DigestUpdate(c[i], p + off, k)) {
				rc = AS_EIO;
				goto out;
			}
		off += k;
	}
	for (int i = 0; i < 3; i++) {
		unsigned char d[EVP_MAX_MD_SIZE];
		unsigned dl = 0;
		if (!EVP_DigestFinal_ex(c[i], d, &dl)) {
			rc = AS_EIO;
			goto out;
		}
		to_hex(d, dl, dst[i]);
	}
	/* libfuzzy refuses nothing but an empty input; a failure is not fatal. */
	if (ssdeep && n &&
	    fuzzy_hash_buf(data, (uint32_t)(n > UINT32_MAX ? UINT32_MAX : n), out->ssdeep) != 0)
		out->ssdeep[0] = 0;
out:
	for (int i = 0; i < 3; i++)
		EVP_MD_CTX_free(c[i]);
	return rc;
}

int files_ssdeep_compare(const char *a, const char *b)
{
	if (!a || !b || !*a || !*b)
		return -1;
	return fuzzy_compare(a, b);
}

static size_t find_root(size_t *parent, size_t i)
{
	while (parent[i] != i) {
		parent[i] = parent[parent[i]];
		i = parent[i];
	}
	return i;
}

void files_ssdeep_cluster(const char *const *hashes, size_t n, int threshold, size_t *cluster)
{
	for (size_t i = 0; i < n; i++)
		cluster[i] = i;
	for (size_t i = 0; i < n; i++)
		for (size_t j = i + 1; j < n; j++) {
			size_t ri = find_root(cluster, i), rj = find_root(cluster, j);
			if (ri == rj)
				continue;
			if (files_ssdeep_compare(hashes[i], hashes[j]) >= threshold) {
				/* The smaller index stays the root, so ids are stable. */
				if (ri < rj)
					cluster[rj] = ri;
				else
					cluster[ri] = rj;
			}
		}
	for (size_t i = 0; i < n; i++)
		cluster[i] = find_root(cluster, i);
}

static bool starts(const unsigned char *d, size_t n, const char *magic, size_t m)
{
	return n >= m && memcmp(d, magic, m) == 0;
}

const char *files_type(const unsigned char *d, size_t n)
{
	if (!d)
		return "";
	if (starts(d, n, "MZ", 2))
		return "EXE";
	if (starts(d, n,
		   "\x7f"
		   "ELF",
		   4))
		return "ELF";
	if (n >= 4) {
		uint32_t m;
		memcpy(&m, d, 4);
		if (m == 0xfeedface || m == 0xfeedfacf || m == 0xcefaedfe || m == 0xcffaedfe)
			return "MACHO";
		if (m == 0xbebafeca) /* CA FE BA BE: a Java class or a fat Mach-O */
			return "CLASS";
	}
	if (starts(d, n, "%PDF", 4))
		return "PDF";
	if (starts(d, n, "\xd0\xcf\x11\xe0\xa1\xb1\x1a\xe1", 8))
		return "OLE";
	if (starts(d, n, "{\\rt", 4))
		return "RTF";
	if (starts(d, n, "PK\x03\x04", 4) || starts(d, n, "PK\x05\x06", 4))
		return "ZIP";
	if (starts(d, n, "7z\xbc\xaf\x27\x1c", 6))
		return "7Z";
	if (starts(d, n, "Rar!\x1a\x07", 6))
		return "RAR";
	if (starts(d, n, "\x1f\x8b", 2))
		return "GZIP";
	if (starts(d, n, "BZh", 3))
		return "BZIP2";
	if (starts(d, n,
		   "\xfd"
		   "7zXZ\x00",
		   6))
		return "XZ";
	if (n >= 262 && memcmp(d + 257, "ustar", 5) == 0)
		return "TAR";
	if (starts(d, n, "070701", 6) || starts(d, n, "070707", 6))
		return "CPIO";
	if (starts(d, n, "MSCF", 4))
		return "CAB";
	if (starts(d, n, "MDMP", 4))
		return "MDMP";
	if (starts(d, n, "\x4c\x00\x00\x00\x01\x14\x02\x00", 8))
		return "LNK";
	if (starts(d, n, "#!", 2) || starts(d, n, "<?php", 5))
		return "SCRIPT";
	return "";
}

bool files_type_fuzzy(const char *t)
{
	static const char *const kinds[] = {"EXE", "ELF", "MACHO", "CLASS", "PDF",
					    "OLE", "RTF", "LNK",   "SCRIPT"};
	for (size_t i = 0; i < sizeof kinds / sizeof *kinds; i++)
		if (!strcmp(t, kinds[i]))
			return true;
	return false;
}

bool files_type_archive(const char *t)
{
	static const char *const kinds[] = {"ZIP", "7Z", "TAR", "CPIO", "GZIP", "BZIP2", "XZ"};
	for (size_t i = 0; i < sizeof kinds / sizeof *kinds; i++)
		if (!strcmp(t, kinds[i]))
			return true;
	return false;
}
