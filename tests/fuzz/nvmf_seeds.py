#!/usr/bin/env python3
"""Writes fuzz_nvmf's seeds into corpus/nvmf: byte streams of one NVMe/TCP
connection each (its first byte: the size of the pieces it arrives in, 0
for all at once), as a host sends them to the target: ICReq, Connect (an I/O
queue of the fuzzer's standing controller 1, an admin queue of its own, or
discovery), then commands with data in the capsule, through R2T and
H2CData, or to be read back; with and without digests."""
import os
import struct
import sys
import zlib

SUBNQN = b"nqn.2026-11.io.vssd:fuzz"
HOST = b"fuzz"


def crc32c(data):
    crc = 0xFFFFFFFF
    for b in data:
        crc ^= b
        for _ in range(8):
            crc = (crc >> 1) ^ (0x82F63B78 if crc & 1 else 0)
    return crc ^ 0xFFFFFFFF


def pdu(ptype, header, data=b"", hd=False, dd=False, flags=0):
    hlen = 8 + len(header)
    hdl = 4 if hd else 0
    ddl = 4 if dd and data else 0
    flags |= (1 if hd else 0) | (2 if ddl else 0)
    pdo = hlen + hdl if data else 0
    plen = hlen + hdl + len(data) + ddl
    out = struct.pack("<BBBBI", ptype, flags, hlen, pdo, plen) + header
    if hd:
        out += struct.pack("<I", crc32c(out))
    out += data
    if ddl:
        out += struct.pack("<I", crc32c(data))
    return out


def icreq(hd=False, dd=False):
    return pdu(0, struct.pack("<HBBI", 0, 0, (1 if hd else 0) | (2 if dd else 0), 0) + bytes(112))


def sqe(opcode, cid, nsid=0, cdw=(0,) * 6, sgl=b"\0" * 16, fabrics=None):
    head = struct.pack("<BBHI", opcode, 0x40, cid, nsid)
    if fabrics is not None:
        head = struct.pack("<BBHB", opcode, 0x40, cid, fabrics) + bytes(3)
    body = head + bytes(16) + sgl + struct.pack("<6I", *cdw)
    assert len(body) == 64
    return body


def sgl_incapsule(n):
    return struct.pack("<QI3xB", 0, n, 0x01)


def sgl_transport(n):
    return struct.pack("<QI3xB", 0, n, 0x5A)


def capsule(s, data=b"", hd=False, dd=False):
    return pdu(4, s, data, hd, dd)


def connect(qid, cntlid, subnqn=SUBNQN, sqsize=31, hd=False, dd=False):
    data = bytes(16) + struct.pack("<H", cntlid) + bytes(238)
    data += subnqn.ljust(256, b"\0") + HOST.ljust(256, b"\0") + bytes(256)
    s = struct.pack("<BBHB", 0x7F, 0x40, 0, 0x01) + bytes(19) + sgl_incapsule(1024)
    s += struct.pack("<HHHBBI", 0, qid, sqsize, 0, 0, 0) + bytes(8)
    return capsule(s, data, hd, dd)


def rw(opcode, cid, slba, nlb, data=b"", transport=False):
    n = nlb * 4096
    sgl = sgl_transport(n) if transport or opcode == 2 else sgl_incapsule(n)
    return capsule(sqe(opcode, cid, 1, (slba, 0, nlb - 1, 0, 0, 0), sgl), data)


def h2c(cid, ttag, off, data, last):
    return pdu(6, struct.pack("<HHII4x", cid, ttag, off, len(data)), data, flags=4 if last else 0)


def prop(fctype, offset, value=0, eight=False):
    s = struct.pack("<BBHB", 0x7F, 0x40, 0, fctype) + bytes(19) + bytes(16)
    s += struct.pack("<B3xIQ", 1 if eight else 0, offset, value) + bytes(8)
    return capsule(s)


def admin(opcode, cid, cdw, n, nsid=0):
    return capsule(sqe(opcode, cid, nsid, cdw, sgl_transport(n)))


block = bytes(range(256)) * 16
seeds = {
    "icreq": b"\0" + icreq(),
    "io_write_read_flush": b"\0" + icreq() + connect(1, 1) + rw(1, 1, 0, 1, block)
    + rw(2, 2, 0, 1) + capsule(sqe(0, 3, 1)),
    "io_r2t_write": b"\x07" + icreq() + connect(1, 1) + rw(1, 5, 8, 2, transport=True)
    + h2c(5, 0, 0, block, False) + h2c(5, 0, 4096, block, True),
    "io_digests": b"\x40" + icreq(True, True) + connect(1, 1, hd=True, dd=True)
    + pdu(4, sqe(1, 1, 1, (4, 0, 0, 0, 0, 0), sgl_incapsule(4096)), block, True, True),
    "io_dsm_write_zeroes_fdp": b"\0" + icreq() + connect(2, 1)
    + capsule(sqe(9, 1, 1, (0, 4, 0, 0, 0, 0), sgl_incapsule(16)), struct.pack("<IIQ", 0, 8, 0))
    + capsule(sqe(8, 2, 1, (16, 0, 7, 0, 0, 0)))
    + capsule(sqe(1, 3, 1, (32, 0, (2 << 20), 3 << 16, 0, 0), sgl_incapsule(4096)), block)
    + capsule(sqe(0x12, 4, 1, (1, 1023, 0, 0, 0, 0), sgl_transport(4096))),
    "admin_own_controller": b"\x05" + icreq() + connect(0, 0xFFFF) + prop(4, 0, eight=True)
    + prop(0, 0x14, 1) + prop(4, 0x1C) + admin(6, 1, (1, 0, 0, 0, 0, 0), 4096)
    + admin(2, 2, (0x02 | (127 << 16), 0, 0, 0, 0, 0), 512)
    + admin(0x0A, 3, (7, 0, 0, 0, 0, 0), 0) + admin(0x09, 4, (0x0F, 5000, 0, 0, 0, 0), 0)
    + capsule(sqe(0x18, 5)) + capsule(sqe(0x0C, 6)) + prop(0, 0x14, 1 | (1 << 14)),
    "discovery": b"\0" + icreq() + connect(0, 0xFFFF, b"nqn.2014-08.org.nvmexpress.discovery")
    + admin(6, 1, (1, 0, 0, 0, 0, 0), 4096) + admin(2, 2, (0x70 | (767 << 16), 0, 0, 0, 0, 0), 3072)
    + capsule(sqe(0x0C, 3)),
    "disconnect": b"\0" + icreq() + connect(3, 1)
    + capsule(struct.pack("<BBHB", 0x7F, 0x40, 9, 0x08) + bytes(59)),
}
out = os.path.join(os.path.dirname(os.path.abspath(__file__)), "corpus", "nvmf")
os.makedirs(out, exist_ok=True)
for name, data in seeds.items():
    with open(os.path.join(out, name), "wb") as f:
        f.write(data)
print(f"{len(seeds)} seeds in {out}", file=sys.stderr)
