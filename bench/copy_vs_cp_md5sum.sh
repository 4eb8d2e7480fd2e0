#!/usr/bin/env bash
# Side by side on one file with a warm page cache: `rawbackup copy-local` (copy, MD5 of the
# bytes written checked against the record, fsync, rename) against `cp` then `md5sum` of the
# copy (no fsync), and against `cp`, `sync`, `md5sum` (as durable as copy-local), alternating,
# RUNS runs each; prints medians, the ratios and peak RSS.
# Usage: bench/copy_vs_cp_md5sum.sh [SIZE_GIB=4] [RUNS=5]
set -euo pipefail
cd "$(dirname "$0")/.."
size_gib="${1:-4}"
runs="${2:-5}"
command -v /usr/bin/time >/dev/null || DEBIAN_FRONTEND=noninteractive apt-get install -y -qq time >/dev/null
rb="${RAWBACKUP:-build/rawbackup}"
work="${BENCH_DIR:-var/bench}"
mkdir -p "$work/inst" "$work/cp"
name="bench_${size_gib}g.raw"
file="$work/inst/$name"
if [ ! -e "$file" ] || [ "$(stat -c %s "$file")" -ne $((size_gib * 1024 * 1024 * 1024)) ]; then
  echo "generating $file" >&2
  head -c $((size_gib * 1024 * 1024 * 1024)) < <(openssl enc -aes-128-ctr -nosalt -pass pass:bench -pbkdf2 </dev/zero 2>/dev/null) >"$file"
fi
cat >"$work/bench.yaml" <<YAML
store: {path: bench.sqlite}
instruments: {bench: {type: thermo, path: inst}}
locations: {backup: backup}
backup: {backup_type: local, s3: {region: r, bucket_prefix: b, part_size_mb: 500}}
YAML
"$rb" --config "$work/bench.yaml" --log-level warn checksum --instrument bench "$name" >/dev/null
dest="$(find "$work/backup" -name "$name" 2>/dev/null | head -1 || true)"
cat "$file" >/dev/null  # warm the page cache

rm -f "$work"/*.times
for i in $(seq 1 "$runs"); do
  rm -f "$work/cp/$name"; [ -n "$dest" ] && rm -f "$dest"; sync
  /usr/bin/time -f '%e %M' -a -o "$work/cp.times" sh -c "cp '$file' '$work/cp/$name' && md5sum '$work/cp/$name' >/dev/null"
  rm -f "$work/cp/$name"; sync
  /usr/bin/time -f '%e %M' -a -o "$work/cpsync.times" sh -c "cp '$file' '$work/cp/$name' && sync && md5sum '$work/cp/$name' >/dev/null"
  rm -f "$work/cp/$name"; sync
  /usr/bin/time -f '%e %M' -a -o "$work/rawbackup.times" "$rb" --config "$work/bench.yaml" --log-level warn copy-local "$name" >/dev/null
  dest="$(find "$work/backup" -name "$name" | head -1)"
done
median() { sort -n | awk '{a[NR]=$1} END {print (NR%2 ? a[(NR+1)/2] : (a[NR/2]+a[NR/2+1])/2)}'; }
cp_s=$(cut -d' ' -f1 "$work/cp.times" | median)
cpsync_s=$(cut -d' ' -f1 "$work/cpsync.times" | median)
rb_s=$(cut -d' ' -f1 "$work/rawbackup.times" | median)
cp_rss=$(cut -d' ' -f2 "$work/cp.times" | sort -n | tail -1)
rb_rss=$(cut -d' ' -f2 "$work/rawbackup.times" | sort -n | tail -1)
echo "file: ${size_gib} GiB, ${runs} runs each, $(nproc) cores"
echo "cp + md5sum:          median ${cp_s} s, peak RSS $((cp_rss / 1024)) MiB"
echo "cp + sync + md5sum:   median ${cpsync_s} s"
echo "rawbackup copy-local: median ${rb_s} s, peak RSS $((rb_rss / 1024)) MiB"
awk -v a="$rb_s" -v b="$cp_s" 'BEGIN {printf "ratio copy-local/(cp + md5sum): %.2fx (target <= 0.60x)\n", a / b}'
awk -v a="$rb_s" -v b="$cpsync_s" 'BEGIN {printf "ratio copy-local/(cp + sync + md5sum): %.2fx\n", a / b}'
rm -f "$work/cp/$name"
