#!/usr/bin/env bash
# A damaged device file: bytes flipped in its data, its OOB records (each
# copy), its trim records, its checkpoint, its state blocks and its header.
# Every read through the NBD plugin returns the data written or an error,
# never other data, and every open says what it could not use. Where the
# regions lie is the file format of src/media/file.c and src/ftl/persist.c.
set -u
vssd=$1
plugin=$2
src=$3
. "$src/tests/integration/lib.sh" "$src" "$plugin"

geo=(channels=2 luns_per_channel=2 blocks_per_plane=64 pages_per_block=96 op=0.28)
sets=()
for p in "${geo[@]}"; do sets+=(--set "$p"); done

# written with verify, then a range trimmed through NBD: the data, the OOB
# and the trim records all hold something
cat >"$tmp/fill.fio" <<'JOB'
[w]
rw=randwrite
bs=4k
size=60%
verify=crc32c
JOB
if ! "$vssd" sim "${sets[@]}" --set media=file --set path="$tmp/orig.vssd" "$tmp/fill.fio" \
	>"$tmp/fill.out" 2>&1 || ! grep -q "verify: 46080 blocks checked, 0 bad" "$tmp/fill.out"; then
	bad "writing the device file"
	cat "$tmp/fill.out"
	summary
	exit
fi

# Each case: a copy of the file, damaged, then read whole through nbdkit
# and compared with what the undamaged file reads.
ASAN_PRELOAD=$asan_preload timeout 300 /usr/bin/python3 - "$plugin" "$tmp" "${geo[@]}" \
	>"$tmp/py.out" 2>&1 <<'PY'
import os, shutil, struct, subprocess, sys, zlib
import nbd

plugin, tmp, geo = sys.argv[1], sys.argv[2], sys.argv[3:]
orig = os.path.join(tmp, "orig.vssd")
failed = 0

def say(ok, what):
    global failed
    print(("ok: " if ok else "FAIL: ") + what)
    failed += not ok

# the file header (src/media/file.c)
with open(orig, "rb") as f:
    (magic, version, _, units, meta_bytes, meta_off, oob_off, oob_copy_off, data_off,
     file_bytes) = struct.unpack_from("<8sII7Q", f.read(128))
REC = 24  # per unit: lba u32, owner u16, reserved u16, seq u64, data CRC u32, CRC u32

def record(buf, ppa):
    lba, _, _, seq, _, _ = struct.unpack_from("<IHHQII", buf, ppa * REC)
    return lba, seq

h = nbd.NBD()
h.connect_command(["env", "LD_PRELOAD=" + os.environ.get("ASAN_PRELOAD", ""), "nbdkit", "-s",
                   "--exit-with-parent", plugin, "media=file", "path=" + orig] + geo)
h.trim(15 << 20, 30 << 20)  # 5% of the device from 10%
h.flush()
h.shutdown()
del h

with open(orig, "rb") as f:
    f.seek(oob_off)
    oob = f.read(units * REC)
    f.seek(meta_off)
    meta = f.read(meta_bytes)

# the live copy of each logical unit: its newest record
live = {}
for ppa in range(units):
    lba, seq = record(oob, ppa)
    if seq and (lba not in live or live[lba][1] < seq):
        live[lba] = (ppa, seq)
live_ppas = sorted(p for p, _ in live.values())

# the metadata area (src/ftl/persist.c): state blocks, two copies of
# {stamps, trim pages}, then the checkpoint ("VSCK"), found by its magic
ckpt = next(o for o in range(0, meta_bytes, 4096) if meta[o:o + 4] == b"KCSV")
blocks = 76800  # logical units of this geometry (300 MiB)
tpages = (blocks + 32767) // 32768
stamps_bytes = (tpages * 16 + 4095) // 4096 * 4096
tpage_off = [0, ckpt - tpages * 4096]
stamp_off = [0, tpage_off[1] - stamps_bytes]
tpage_off[0] = stamp_off[1] - tpages * 4096
stamp_off[0] = tpage_off[0] - stamps_bytes

def flip(path, offsets):
    with open(path, "r+b") as f:
        for off in offsets:
            f.seek(off)
            b = f.read(1)
            f.seek(off)
            f.write(bytes([b[0] ^ 0x5a]))

def serve(path):
    """The whole device through nbdkit: per 4 KiB block its bytes or None, and nbdkit's log."""
    log = path + ".log"
    env = dict(os.environ, LD_PRELOAD=os.environ.get("ASAN_PRELOAD", ""))
    h = nbd.NBD()
    cmd = ["sh", "-c", 'exec nbdkit -s --exit-with-parent "$@" 2>>"$0"', log, plugin,
           "media=file", "path=" + path] + geo
    out = []
    try:
        h.connect_command(["env", "LD_PRELOAD=" + env["LD_PRELOAD"]] + cmd)
        size = h.get_size()
        for off in range(0, size, 1 << 20):
            try:
                chunk = h.pread(1 << 20, off)
                out += [chunk[i:i + 4096] for i in range(0, len(chunk), 4096)]
            except nbd.Error:
                for o in range(off, off + (1 << 20), 4096):
                    try:
                        out.append(h.pread(4096, o))
                    except nbd.Error:
                        out.append(None)
        h.shutdown()
    except nbd.Error as e:
        out = e
    del h
    with open(log) as f:
        return out, f.read()

def damaged(name, offsets):
    path = os.path.join(tmp, name + ".vssd")
    shutil.copy(orig, path)
    flip(path, offsets)
    return serve(path)

def compare(blocks_read):
    wrong = sum(1 for a, b in zip(blocks_read, ref) if a is not None and a != b)
    errors = sum(1 for a in blocks_read if a is None)
    return wrong, errors

shutil.copy(orig, os.path.join(tmp, "ref.vssd"))
ref, _ = serve(os.path.join(tmp, "ref.vssd"))
say(isinstance(ref, list) and len(ref) == blocks and None not in ref and
    ref[(30 << 20) // 4096] == bytes(4096) and ref[(45 << 20) // 4096] != bytes(4096),
    "the undamaged file reads whole, the trimmed range as zeros")
ckpt_crc = meta_off + ckpt + 4 + 1  # a byte of the checkpoint's CRC: the open must scan

cases = [
    # name, offsets, expect read errors, needles in nbdkit's log
    ("data", [data_off + p * 4096 + 100 for p in live_ppas[::997]], True, []),
    ("checkpoint", [ckpt_crc], False, ["checkpoint was not used (its CRC does not match)"]),
    ("oob-first-copy", [ckpt_crc] + [oob_off + p * REC + 9 for p in live_ppas[::50]], False,
     ["units' OOB read from its second copy"]),
    ("oob-second-copy", [oob_copy_off + p * REC + 9 for p in live_ppas[::50]], False, []),
    ("trim-first-copy", [ckpt_crc] + [meta_off + tpage_off[0] + p * 4096 + 700 for p in range(tpages)],
     False, ["1 trim pages read from their second copy"]),
    ("trim-stamps", [ckpt_crc] + [meta_off + stamp_off[0] + p * 16 + 2 for p in range(tpages)],
     False, ["1 trim pages read from their second copy"]),
    ("state-block", [meta_off + 64], False, ["1 state blocks"]),
    # both copies of two units' records: what they held cannot be told, so
    # their logical units read older data or zeros; the open says so
    ("oob-both-copies", [ckpt_crc] + [o + p * REC + 9 for p in live_ppas[1000:1002]
                                      for o in (oob_off, oob_copy_off)], "any", ["2 units lost"]),
    ("header", [300], None, ["header is damaged"]),
]
for name, offsets, want_errors, needles in cases:
    got, log = damaged(name, offsets)
    if want_errors is None:
        say(isinstance(got, Exception) and all(n in log for n in needles),
            "%s: the open is refused: %s" % (name, log.strip().splitlines()[-1] if log.strip() else ""))
        continue
    if isinstance(got, Exception):
        say(False, "%s: the open failed: %s %s" % (name, got, log))
        continue
    wrong, errors = compare(got)
    missing = [n for n in needles if n not in log]
    say((want_errors == "any" or (wrong == 0 and (errors > 0) == want_errors)) and not missing,
        "%s: %d bytes flipped, %d blocks read wrong, %d read errors%s" %
        (name, len(offsets), wrong, errors,
         "; log lacks " + repr(missing) + ": " + log if missing else ""))

# a checkpoint whose CRC holds but whose map points past the device: the
# open scans instead of loading it (src/ftl/persist.c bad_map)
path = os.path.join(tmp, "forged.vssd")
shutil.copy(orig, path)
with open(path, "r+b") as f:
    f.seek(meta_off + ckpt)
    hdr = bytearray(f.read(24))
    body_bytes = struct.unpack_from("<Q", hdr, 16)[0]
    body = bytearray(f.read(body_bytes))
    struct.pack_into("<I", body, body_bytes - blocks * 4, 0xfffffff0)
    struct.pack_into("<I", hdr, 4, zlib.crc32(body))
    f.seek(meta_off + ckpt)
    f.write(hdr + body)
got, log = serve(path)
wrong, errors = compare(got) if isinstance(got, list) else (-1, -1)
say(wrong == 0 and errors == 0 and "a map entry outside the written lines" in log,
    "forged checkpoint: scanned instead, %d blocks wrong, %d errors" % (wrong, errors))
PY
cat "$tmp/py.out"
pass=$((pass + $(grep -c '^ok:' "$tmp/py.out")))
fail=$((fail + $(grep -c '^FAIL:' "$tmp/py.out")))
grep -q '^ok: forged checkpoint' "$tmp/py.out" || bad "the damage cases did not all run"

# the unreadable blocks are media errors in SMART, which a device keeps
# across opens (the error log is the controller's, gone with its process)
errors=$("$vssd" nvme smart-log "${sets[@]}" --set media=file --set path="$tmp/data.vssd" \
	-o json | jq .media_errors)
if [ "$errors" -gt 0 ]; then
	ok "SMART counts $errors media errors on the file with damaged data"
else
	bad "SMART media errors: $errors"
fi
summary
