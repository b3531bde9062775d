#!/usr/bin/env python3
# evtx_synth.py — one large .evtx made of real chunks, for reading benchmarks.
#
#   evtx_synth.py CORPUS_DIR OUT.evtx [CHUNKS] [MIN_RECORDS]
#
# Takes every chunk of the .evtx files under CORPUS_DIR whose header and
# record CRC32s are right and that holds at least MIN_RECORDS (default 40)
# records, and writes CHUNKS (default 2000) of them, round robin, behind one
# file header: each chunk's records renumbered to follow on (record headers
# and chunk header), its CRC32s computed again, the file header's chunk count,
# next record number and CRC32 set. The records' BinXML is untouched, so
# each is read exactly as in its source file (the EventRecordID inside the
# XML repeats across copies; readers do not care).
import os
import struct
import sys
import zlib

HDR, CHUNK = 4096, 65536


def chunks_of(path):
    with open(path, "rb") as f:
        data = f.read()
    if data[:8] != b"ElfFile\0":
        return
    for off in range(HDR, len(data) - CHUNK + 1, CHUNK):
        c = data[off:off + CHUNK]
        if c[:8] != b"ElfChnk\0":
            continue
        free = struct.unpack_from("<I", c, 48)[0]
        if not 512 <= free <= CHUNK:
            continue
        hcrc = zlib.crc32(c[:120] + c[128:512])
        dcrc = zlib.crc32(c[512:free])
        if hcrc != struct.unpack_from("<I", c, 124)[0] or dcrc != struct.unpack_from("<I", c, 52)[0]:
            continue
        offs, p = [], 512
        while p + 24 <= free and c[p:p + 4] == b"**\0\0":
            size = struct.unpack_from("<I", c, p + 4)[0]
            if size < 28 or p + size > free:
                break
            offs.append(p)
            p += size
        if p == free and offs:
            yield c, offs


def main():
    src, out = sys.argv[1], sys.argv[2]
    want = int(sys.argv[3]) if len(sys.argv) > 3 else 2000
    least = int(sys.argv[4]) if len(sys.argv) > 4 else 40
    if not 1 <= want <= 65535:
        sys.exit("CHUNKS must be 1..65535 (the header counts chunks in 16 bits)")
    pool, header = [], None
    for root, _, files in sorted(os.walk(src)):
        for name in sorted(files):
            if not name.endswith(".evtx"):
                continue
            path = os.path.join(root, name)
            if header is None:
                with open(path, "rb") as f:
                    header = bytearray(f.read(HDR))
            pool += [(c, offs) for c, offs in chunks_of(path) if len(offs) >= least]
    if not pool:
        sys.exit("no chunk with %d records under %s" % (least, src))
    number, records = 1, 0
    with open(out, "wb") as f:
        f.write(b"\0" * HDR)
        for i in range(want):
            c, offs = pool[i % len(pool)]
            c = bytearray(c)
            for k, p in enumerate(offs):
                struct.pack_into("<Q", c, p + 8, number + k)
            struct.pack_into("<QQQQ", c, 8, number, number + len(offs) - 1, number,
                             number + len(offs) - 1)
            free = struct.unpack_from("<I", c, 48)[0]
            struct.pack_into("<I", c, 52, zlib.crc32(bytes(c[512:free])))
            struct.pack_into("<I", c, 124, zlib.crc32(bytes(c[:120] + c[128:512])))
            f.write(c)
            number += len(offs)
            records += len(offs)
        struct.pack_into("<QQQ", header, 8, 0, want - 1, number)
        struct.pack_into("<H", header, 42, want)
        struct.pack_into("<I", header, 120, 0)
        struct.pack_into("<I", header, 124, zlib.crc32(bytes(header[:120])))
        f.seek(0)
        f.write(header)
    print("%s: %d chunks (from %d distinct), %d records" % (out, want, len(pool), records))


main()
