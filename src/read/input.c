/* input.c — transparent gzip/zstd decompression, see input.h. */
#include "read/input.h"

#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <zlib.h>
#include <zstd.h>

#include "core/error.h"
#include "core/limits.h"

enum comp { COMP_NONE, COMP_GZIP, COMP_ZSTD };

struct input {
	FILE *f;
	const unsigned char *mem; /* memory input */
	size_t mem_len, mem_pos;
	enum comp comp;
	unsigned char *raw; /* compressed bytes read ahead */
	size_t raw_len, raw_pos;
	uint64_t raw_total, out_total;
	int eof;      /* no more raw bytes */
	int done;     /* decompressor finished cleanly and no more input */
	int in_frame; /* a compressed member/frame is open */
	z_stream z;
	ZSTD_DStream *zs;
};

#define RAW_CAP (256u << 10)

/* The first fill reads only what format detection looks at: a record
 * format (EVTX) reads its file itself, and a small file is read once. */
static size_t raw_fill(struct input *in)
{
	if (in->raw_pos < in->raw_len || in->eof)
		return in->raw_len - in->raw_pos;
	size_t n, want = in->raw_total ? RAW_CAP : AS_PROBE_BYTES;
	if (in->f) {
		n = fread(in->raw, 1, want, in->f);
		if (n < want && ferror(in->f))
			return (size_t)-1;
	} else {
		n = in->mem_len - in->mem_pos < want ? in->mem_len - in->mem_pos : want;
		memcpy(in->raw, in->mem + in->mem_pos, n);
		in->mem_pos += n;
	}
	if (n == 0)
		in->eof = 1;
	in->raw_len = n;
	in->raw_pos = 0;
	in->raw_total += n;
	return n;
}

static int setup(struct input *in)
{
	in->raw = malloc(RAW_CAP);
	if (!in->raw)
		return AS_ENOMEM;
	size_t n = raw_fill(in);
	if (n == (size_t)-1)
		return AS_EIO;
	if (n >= 2 && in->raw[0] == 0x1f && in->raw[1] == 0x8b) {
		in->comp = COMP_GZIP;
		if (inflateInit2(&in->z, 15 + 16) != Z_OK)
			return AS_ENOMEM;
	} else if (n >= 4 && in->raw[0] == 0x28 && in->raw[1] == 0xb5 && in->raw[2] == 0x2f &&
		   in->raw[3] == 0xfd) {
		in->comp = COMP_ZSTD;
		in->zs = ZSTD_createDStream();
		if (!in->zs)
			return AS_ENOMEM;
		ZSTD_initDStream(in->zs);
	}
	return 0;
}

int input_open(struct input **out, const char *path, struct diag *why)
{
	*out = NULL;
	struct input *in = calloc(1, sizeof *in);
	if (!in)
		return diag_set(why, AS_ENOMEM, "out of memory");
	in->f = fopen(path, "rb");
	if (!in->f) {
		int code = errno == ENOENT ? AS_ENOENT : AS_EIO;
		diag_set(why, code, "cannot open: %s", strerror(errno));
		free(in);
		return code;
	}
	int rc = setup(in);
	if (rc) {
		diag_set(why, rc, "cannot read: %s", as_strerror(rc));
		input_close(in);
		return rc;
	}
	*out = in;
	return 0;
}

int input_open_mem(struct input **out, const void *data, size_t len)
{
	*out = NULL;
	struct input *in = calloc(1, sizeof *in);
	if (!in)
		return AS_ENOMEM;
	in->mem = data;
	in->mem_len = len;
	int rc = setup(in);
	if (rc) {
		input_close(in);
		return rc;
	}
	*out = in;
	return 0;
}

static ssize_t read_plain(struct input *in, char *buf, size_t cap)
{
	size_t avail = raw_fill(in);
	if (avail == (size_t)-1)
		return AS_EIO;
	if (avail == 0)
		return 0;
	size_t n = avail < cap ? avail : cap;
	memcpy(buf, in->raw + in->raw_pos, n);
	in->raw_pos += n;
	return (ssize_t)n;
}

static ssize_t read_gzip(struct input *in, char *buf, size_t cap)
{
	in->z.next_out = (unsigned char *)buf;
	in->z.avail_out = (uInt)(cap > UINT32_MAX ? UINT32_MAX : cap);
	while (in->z.avail_out == (uInt)cap) {
		if (in->done)
			return 0;
		size_t avail = raw_fill(in);
		if (avail == (size_t)-1)
			return AS_EIO;
		if (avail == 0 && in->in_frame) {
			/* Input is over: drain what inflate still holds, then say
			 * the stream was cut. */
			in->z.next_in = in->raw + in->raw_pos;
			in->z.avail_in = 0;
			int rc = inflate(&in->z, Z_NO_FLUSH);
			if (rc == Z_STREAM_END) {
				in->in_frame = 0;
				in->done = 1;
				break;
			}
			if (in->z.avail_out != (uInt)cap)
				break;
			return AS_ETRUNC;
		}
		if (avail == 0)
			return 0;
		in->z.next_in = in->raw + in->raw_pos;
		in->z.avail_in = (uInt)avail;
		in->in_frame = 1;
		int rc = inflate(&in->z, Z_NO_FLUSH);
		in->raw_pos = in->raw_len - in->z.avail_in;
		if (rc == Z_STREAM_END) {
			/* Another gzip member may follow. */
			in->in_frame = 0;
			size_t more = raw_fill(in);
			if (more == 0 || more == (size_t)-1) {
				in->done = 1;
			} else if (in->raw[in->raw_pos] != 0x1f) {
				in->done = 1; /* trailing garbage after the last member: ignore */
			} else {
				inflateReset(&in->z);
			}
		} else if (rc != Z_OK && rc != Z_BUF_ERROR) {
			return AS_EDECOMPRESS;
		}
	}
	return (ssize_t)(cap - in->z.avail_out);
}

static ssize_t read_zstd(struct input *in, char *buf, size_t cap)
{
	ZSTD_outBuffer ob = {buf, cap, 0};
	while (ob.pos == 0) {
		size_t avail = raw_fill(in);
		if (avail == (size_t)-1)
			return AS_EIO;
		if (avail == 0 && !in->in_frame)
			return 0;
		ZSTD_inBuffer ib = {in->raw + in->raw_pos, avail, 0};
		size_t rc = ZSTD_decompressStream(in->zs, &ob, &ib);
		in->raw_pos += ib.pos;
		if (ZSTD_isError(rc))
			return AS_EDECOMPRESS;
		in->in_frame = rc != 0;
		if (avail == 0 && ob.pos == 0)
			return in->in_frame ? AS_ETRUNC : 0; /* drained: the frame was cut */
	}
	return (ssize_t)ob.pos;
}

ssize_t input_read(struct input *in, char *buf, size_t cap)
{
	ssize_t n;
	switch (in->comp) {
	case COMP_GZIP:
		n = read_gzip(in, buf, cap);
		break;
	case COMP_ZSTD:
		n = read_zstd(in, buf, cap);
		break;
	default:
		n = read_plain(in, buf, cap);
	}
	if (n > 0) {
		in->out_total += (uint64_t)n;
		if (in->comp != COMP_NONE && in->out_total > AS_MAX_DECOMPRESSED)
			return AS_ETOOBIG;
	}
	return n;
}

const char *input_compression(const struct input *in)
{
	static const char *const names[] = {"none", "gzip", "zstd"};
	return names[in->comp];
}

uint64_t input_raw_bytes(const struct input *in)
{
	return in->raw_total;
}

void input_close(struct input *in)
{
	if (!in)
		return;
	if (in->comp == COMP_GZIP)
		inflateEnd(&in->z);
	if (in->zs)
		ZSTD_freeDStream(in->zs);
	if (in->f)
		fclose(in->f);
	free(in->raw);
	free(in);
}
