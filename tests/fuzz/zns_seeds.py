#!/usr/bin/env python3
"""Writes fuzz_sqe_zns's seeds into corpus/zns: series of fuzz_sqe's 66-byte
records (byte 0: 1 for the I/O queue; byte 1: 1 when PRP1 points into the
fuzzer's data memory; then the SQE) that drive a zoned namespace the way a
host does: writes at the write pointer and Zone Append, reads, zone reports
with filters, partial or not, and every Zone Management Send action, alone
and with Select All. Inputs that once broke the controller stay in the
corpus as regress-* files (this script does not write them)."""
import os
import struct
import sys

ZONE = 64  # LBAs a zone spans on the fuzzer's device (its capacity, 12 pages x 4 units, rounded up)


def sqe(opcode, cdw10=0, cdw11=0, cdw12=0, cdw13=0, prp1=0):
    """An SQE: opcode, NSID 1, PRP1, CDW10-15."""
    return struct.pack("<BBHI8xQQQIIIIII", opcode, 0, 0, 1, 0, prp1, 0, cdw10, cdw11, cdw12,
                       cdw13, 0, 0)


def rec(s, data=True):
    return bytes([1, 1 if data else 0]) + s


def write(slba, nlb, op=0x01):
    return rec(sqe(op, slba & 0xFFFFFFFF, slba >> 32, nlb - 1, prp1=0))


def read(slba, nlb):
    return rec(sqe(0x02, slba & 0xFFFFFFFF, slba >> 32, nlb - 1, prp1=4096))


def send(slba, action, select_all=False):
    return rec(sqe(0x79, slba, 0, 0, action | (0x100 if select_all else 0)), False)


def report(slba, bytes_, filt=0, partial=False):
    return rec(sqe(0x7A, slba, 0, bytes_ // 4 - 1, filt << 8 | (1 << 16 if partial else 0),
                   prp1=8192))


SEEDS = {
    "write-append-read": [write(0, 4), write(4, 2), write(0, 3, 0x7D), read(0, 9),
                          write(ZONE, 1, 0x08), read(ZONE - 1, 2)],
    "report": [write(ZONE, 2), report(0, 4096), report(0, 4096, 2), report(ZONE, 192, 0, True),
               report(0, 4096, 5)],
    "send-actions": [send(ZONE, 3), send(ZONE, 1), send(ZONE, 2), send(ZONE, 4),
                     send(2 * ZONE, 5), send(0, 0x10)],
    "select-all": [write(0, 1), write(ZONE, 1), send(0, 3), send(0, 1, True), send(0, 3, True),
                   send(0, 2, True), send(0, 4, True)],
    "limits": [send(i * ZONE, 3) for i in range(5)] + [write(5 * ZONE, 1), send(0, 4, True)],
}


def main():
    out = sys.argv[1] if len(sys.argv) > 1 else os.path.join(os.path.dirname(__file__),
                                                             "corpus", "zns")
    os.makedirs(out, exist_ok=True)
    for name, recs in SEEDS.items():
        with open(os.path.join(out, name), "wb") as f:
            f.write(b"".join(recs))


if __name__ == "__main__":
    main()
