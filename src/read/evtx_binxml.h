/*
 * evtx_binxml.h — EVTX chunks and their Binary XML, read without libevtx.
 *
 * An .evtx file is a 4 KiB file header ("ElfFile\0") and 64 KiB chunks
 * ("ElfChnk\0"). A chunk is a 512-byte header (record numbers, offsets,
 * CRC32s, the string and template offset tables) and event records from
 * byte 512 to the free-space offset: magic 0x2a2a, size, record id,
 * FILETIME, a BinXML token stream, the size again. The token stream is
 * mostly one template instance: a template definition (elements, attributes
 * and substitution slots, stored once per chunk and referred to by offset)
 * and the record's array of typed values.
 *
 * evtx_binxml_record() walks that stream and hands each element, attribute
 * and text straight to a struct winevent, with exactly the names and value
 * texts the libevtx path produces (libevtx renders XML that winevent.c then
 * parses): no XML text is built. The first walk of each template is
 * recorded as a plan (the fields it emits and where their values come
 * from); the records after it with values of the same types and emptiness
 * replay the plan instead of walking the tokens again, writing each value's
 * text once, into the record's raw text. A plan is kept for the later
 * chunks and files the same template definition comes back in (per
 * thread). Every read is bounded by the chunk; the nesting of templates
 * and elements, the values per template, the tokens per record and the
 * plans kept are limited (core/limits.h).
 */
#ifndef AS_READ_EVTX_BINXML_H
#define AS_READ_EVTX_BINXML_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "core/diag.h"
#include "read/winevent.h"

#define EVTX_FILE_HEADER_SIZE  4096u
#define EVTX_CHUNK_SIZE        65536u
#define EVTX_CHUNK_HEADER_SIZE 512u

/* CRC32 (IEEE, reflected, as zlib computes it) of n bytes, continuing crc. */
uint32_t evtx_crc32(uint32_t crc, const uint8_t *p, size_t n);

/* One chunk's header, checked against its 64 KiB. */
struct evtx_chunk {
	const uint8_t *p; /* EVTX_CHUNK_SIZE bytes */
	uint64_t serial;  /* tells chunks apart for the parser's caches */
	uint64_t first_number, last_number;
	uint32_t last_record_off, free_off;
	bool header_crc_ok, data_crc_ok;
	uint32_t header_crc, header_crc_want, data_crc, data_crc_want;
};

/* 0, or AS_EFORMAT with *why set when p is not a usable chunk (magic, header
 * size, offsets). */
int evtx_chunk_open(struct evtx_chunk *c, const uint8_t *p, struct diag *why);

/* c for the 64 KiB at p whatever its header holds (no record range: free_off
 * is the chunk's end), for carving records out of a damaged chunk. */
void evtx_chunk_raw(struct evtx_chunk *c, const uint8_t *p);

/* The CRC32s of the header and of the records, into c (*_crc_ok): a
 * mismatch is reported, not an error. */
void evtx_chunk_check(struct evtx_chunk *c);

/* One event record header at chunk offset off. */
struct evtx_record {
	uint32_t off, size; /* in the chunk */
	uint64_t id;        /* record number (EventRecordID) */
	uint64_t filetime;
};

/* 0, or AS_EPARSE with *why set (bad magic, size out of the chunk, size
 * copy differs). */
int evtx_record_open(const struct evtx_chunk *c, uint32_t off, struct evtx_record *r,
		     struct diag *why);

/* Per-thread parser state: name and template caches of the current chunk,
 * value tables. Created by evtx_binxml_new, freed by evtx_binxml_free
 * (NULL is fine). */
struct evtx_binxml;

int evtx_binxml_new(struct evtx_binxml **out);
void evtx_binxml_free(struct evtx_binxml *bx);

/* Plans on (the default) or off: with them off every record is walked
 * token by token, for the tests that compare the two. */
void evtx_binxml_plans(struct evtx_binxml *bx, bool on);
/* Whether the last record evtx_binxml_record refused holds a value (or
 * array) type this parser does not write, rather than being damaged. */
bool evtx_binxml_unsupported(const struct evtx_binxml *bx);
/* Template instances read by replaying a plan so far. */
uint64_t evtx_binxml_replays(const struct evtx_binxml *bx);
/* Of those, the first of their template in a chunk, whose plan was kept
 * from an earlier chunk. */
uint64_t evtx_binxml_plans_kept(const struct evtx_binxml *bx);

/* The record's BinXML into w (winevent_begin done by the caller, finish
 * not). Values are written into w->a, and so is *raw: the record as text,
 * one "Name=value" line per field (the libevtx path's raw text is its XML).
 * 0, or a negative code with *why set (the record is then to be taken as
 * unread: w may hold part of it). */
int evtx_binxml_record(struct evtx_binxml *bx, const struct evtx_chunk *c,
		       const struct evtx_record *r, struct winevent *w, struct slice *raw,
		       struct diag *why);

/* The System/EventRecordID of the record last read by evtx_binxml_record
 * (with or without native fields), or 0 when it had none. */
uint64_t evtx_binxml_event_record_id(const struct evtx_binxml *bx);

/* Which path read the records, over the process (for tests and
 * APTSCOPE_EVTX_DEBUG): native parser, libevtx for a record the parser
 * rejected, libevtx for a whole file (APTSCOPE_EVTX=libevtx), recovered
 * records kept (carved natively, or libevtx's on the libevtx path), carved
 * records left out as copies of records already read. */
struct evtx_counters {
	uint64_t native, fallback_record, libevtx_file, recovered, recovered_dup;
};
void evtx_counters_get(struct evtx_counters *out);

#endif
