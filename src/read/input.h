/*
 * input.h — a file as a stream of bytes, decompressed when it is gzip or
 * zstd (detected from the magic bytes, not the name; concatenated gzip
 * members, as rotated and hourly Zeek logs have, are read through).
 * A truncated or corrupt compressed file yields what it holds, then
 * AS_ETRUNC / AS_EDECOMPRESS.
 */
#ifndef AS_READ_INPUT_H
#define AS_READ_INPUT_H

#include <stddef.h>
#include <stdint.h>
#include <sys/types.h>

#include "core/diag.h"

struct input;

int input_open(struct input **out, const char *path, struct diag *why);
/* An input over memory (tests, fuzzing); data must outlive the input. */
int input_open_mem(struct input **out, const void *data, size_t len);
/* Up to cap decompressed bytes: >0 count, 0 end, <0 AS_E* (AS_ETRUNC,
 * AS_EDECOMPRESS, AS_EIO, AS_ETOOBIG past AS_MAX_DECOMPRESSED). */
ssize_t input_read(struct input *in, char *buf, size_t cap);
const char *input_compression(const struct input *in); /* "none", "gzip", "zstd" */
uint64_t input_raw_bytes(const struct input *in);      /* bytes read from the file */
void input_close(struct input *in);                    /* accepts NULL */

#endif
