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
command -v /usr/bin/time >/dev/null || DEBIAN_FRONTEND=noninteractive apt-get install -y -qq time >/dev/null
rb="${RAWBACKUP:-build/rawbackup}"
work="${BENCH_DIR:-var/bench}"
mkdir -p "$work/inst"
file="$work/inst/bench_${size_gib}g.raw"
if [ ! -e "$file" ] || [ "$(stat -c %s "$file")" -ne $((size_gib * 1024 * 1024 * 1024)) ]; then
  echo "generating $file" >&2
  head -c $((size_gib * 1024 * 1024 * 1024)) < <(openssl enc -aes-128-ctr -nosalt -pass pass:bench -pbkdf2 </dev/zero 2>/dev/null) >"$file"
fi
cat >"$work/bench.yaml" <<YAML
store: {path: bench.sqlite}
instruments: {bench: {type: thermo, path: inst}}
locations: {backup: backup}
backup: {backup_type: local, s3: {region: r, bucket_prefix: b, part_size_mb: $part_mb}}
YAML
cat "$file" >/dev/null  # warm the page cache

# run_timed OUT_PREFIX COMMAND...: appends "seconds max_rss_kib" to OUT_PREFIX.times
run_timed() {
  local out="$1"
  shift
  /usr/bin/time -f '%e %M' -o "$work/t.tmp" "$@" >/dev/null 2>&1
  cat "$work/t.tmp" >>"$out.times"
}
rm -f "$work"/*.times
for i in $(seq 1 "$runs"); do
  run_timed "$work/md5sum" md5sum "$file"
  run_timed "$work/rawbackup" "$rb" --config "$work/bench.yaml" --log-level warn checksum --rehash --instrument bench "$(basename "$file")"
done
median() { sort -n | awk '{a[NR]=$1} END {print (NR%2 ? a[(NR+1)/2] : (a[NR/2]+a[NR/2+1])/2)}'; }
md5_s=$(cut -d' ' -f1 "$work/md5sum.times" | median)
rb_s=$(cut -d' ' -f1 "$work/rawbackup.times" | median)
md5_rss=$(cut -d' ' -f2 "$work/md5sum.times" | sort -n | tail -1)
rb_rss=$(cut -d' ' -f2 "$work/rawbackup.times" | sort -n | tail -1)
gib_s() { awk -v s="$1" -v g="$size_gib" 'BEGIN {printf "%.2f", g / s}'; }
echo "file: ${size_gib} GiB, part size ${part_mb} MiB, ${runs} runs each, $(nproc) cores"
echo "md5sum:             median ${md5_s} s ($(gib_s "$md5_s") GiB/s), peak RSS $((md5_rss / 1024)) MiB"
echo "rawbackup checksum: median ${rb_s} s ($(gib_s "$rb_s") GiB/s), peak RSS $((rb_rss / 1024)) MiB"
awk -v a="$rb_s" -v b="$md5_s" 'BEGIN {printf "ratio rawbackup/md5sum: %.2fx (target <= 1.00x)\n", a / b}'
