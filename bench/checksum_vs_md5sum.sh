#!/usr/bin/env bash
# Side by side on one file with a warm page cache: `rawbackup checksum --rehash` (MD5 and
# S3 ETag in one pass) against `md5sum` (MD5 only), alternating, RUNS runs each; prints the
# medians, their ratio and both peak RSS figures.
# Usage: bench/checksum_vs_md5sum.sh [SIZE_GIB=4] [RUNS=5] [PART_SIZE_MB=500]
set -euo pipefail
cd "$(dirname "$0")/.."
size_gib="${1:-4}"
runs="${2:-5}"
part_mb="${3:-500}"
source bench/lib.sh
cat "$file" >/dev/null  # warm the page cache

for i in $(seq 1 "$runs"); do
  timed md5sum md5sum "$file"
  timed rawbackup "$rb" --config "$work/bench.yaml" --log-level warn checksum --rehash --instrument bench "$name"
done
md5_s=$(seconds_of md5sum)
rb_s=$(seconds_of rawbackup)
gib_s() { awk -v s="$1" -v g="$size_gib" 'BEGIN {printf "%.2f", g / s}'; }
echo "file: ${size_gib} GiB, part size ${part_mb} MiB, ${runs} runs each, $(nproc) cores"
echo "md5sum:             median ${md5_s} s ($(gib_s "$md5_s") GiB/s), peak RSS $(peak_rss_mib_of md5sum) MiB"
echo "rawbackup checksum: median ${rb_s} s ($(gib_s "$rb_s") GiB/s), peak RSS $(peak_rss_mib_of rawbackup) MiB"
awk -v a="$rb_s" -v b="$md5_s" 'BEGIN {printf "ratio rawbackup/md5sum: %.2fx (target <= 1.00x)\n", a / b}'
