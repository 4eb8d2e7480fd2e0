#!/usr/bin/env python3
"""A Bruker-like .d folder of many small files: N files of 1-64 KiB in folders of 1,000
(frames_000/frame_000000.bin, ...), each distinct, the same for the same N (seeded); with
BIG_MIB, also analysis.tdf_bin of that many MiB of random bytes (the set's large file).
Usage: make_frames.py FOLDER N [BIG_MIB]"""
import os
import random
import sys

root, n = sys.argv[1], int(sys.argv[2])
big_mib = int(sys.argv[3]) if len(sys.argv) > 3 else 0
rng = random.Random(7)
block = os.urandom(64 * 1024)
for i in range(n):
    sub = os.path.join(root, f"frames_{i // 1000:03d}")
    os.makedirs(sub, exist_ok=True)
    size = rng.randint(1024, 64 * 1024)
    with open(os.path.join(sub, f"frame_{i:06d}.bin"), "wb") as f:
        f.write(block[:size - 8] + i.to_bytes(8, "little"))
if big_mib:
    with open(os.path.join(root, "analysis.tdf_bin"), "wb") as f:
        for _ in range(big_mib):
            f.write(os.urandom(1 << 20))
