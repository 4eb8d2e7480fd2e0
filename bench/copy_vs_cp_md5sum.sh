#!/usr/bin/env bash
# Side by side on one file with a warm page cache: `rawbackup copy-local` (copy, bytes
# written checked against the record, fsync, rename) against `cp` then `md5sum` of the copy
# (no fsync), and against `cp`, `sync`, `md5sum` (as durable as copy-local), alternating,
# RUNS runs each; prints medians, the ratios and peak RSS.
# Usage: bench/copy_vs_cp_md5sum.sh [SIZE_GIB=4] [RUNS=5]
set -euo pipefail
cd "$(dirname "$0")/.."
size_gib="${1:-4}"
runs="${2:-5}"
source bench/lib.sh
mkdir -p "$work/cp"
"$rb" --config "$work/bench.yaml" --log-level warn checksum --instrument bench "$name" >/dev/null
cat "$file" >/dev/null  # warm the page cache

copy="$work/cp/$name"
fresh() { rm -rf "$copy" "$work/backup"; sync; }
for i in $(seq 1 "$runs"); do
  fresh
  timed cp sh -c "cp '$file' '$copy' && md5sum '$copy'"
  fresh
  timed cpsync sh -c "cp '$file' '$copy' && sync && md5sum '$copy'"
  fresh
  timed rawbackup "$rb" --config "$work/bench.yaml" --log-level warn copy-local "$name"
done
fresh
cp_s=$(seconds_of cp)
cpsync_s=$(seconds_of cpsync)
rb_s=$(seconds_of rawbackup)
echo "file: ${size_gib} GiB, ${runs} runs each, $(nproc) cores"
echo "cp + md5sum:          median ${cp_s} s, peak RSS $(peak_rss_mib_of cp) MiB"
echo "cp + sync + md5sum:   median ${cpsync_s} s"
echo "rawbackup copy-local: median ${rb_s} s, peak RSS $(peak_rss_mib_of rawbackup) MiB"
awk -v a="$rb_s" -v b="$cp_s" 'BEGIN {printf "ratio copy-local/(cp + md5sum): %.2fx (target <= 0.60x)\n", a / b}'
awk -v a="$rb_s" -v b="$cpsync_s" 'BEGIN {printf "ratio copy-local/(cp + sync + md5sum): %.2fx\n", a / b}'
