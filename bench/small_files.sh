#!/usr/bin/env bash
# A Bruker .d set of many small files (FILES files of 1–64 KiB, plus one BIG_GIB file), side
# by side with a warm page cache, RUNS runs each:
#   checksum --rehash       against  md5sum of every file
#   copy-local (fresh)      against  cp -r, sync, md5sum of every copy
#   copy-local re-run       (every copy re-read and verified)
# Prints medians, CPU (user+sys) and peak RSS of each, and the ratios. Needs room for
# 2 x RUNS copies of the set (they are removed at the end).
# Usage: bench/small_files.sh [FILES=20000] [BIG_GIB=1] [RUNS=3]
set -euo pipefail
cd "$(dirname "$0")/.."
files="${1:-20000}"
big_gib="${2:-1}"
runs="${3:-3}"
command -v /usr/bin/time >/dev/null || DEBIAN_FRONTEND=noninteractive apt-get install -y -qq time >/dev/null
rb="${RAWBACKUP:-build/rawbackup}"
work="${BENCH_DIR:-var/bench}/small"
name="small_${files}.d"
set_dir="$work/inst/$name"
if [ ! -e "$set_dir/.complete" ]; then
  echo "generating $set_dir" >&2
  rm -rf "$set_dir"
  mkdir -p "$set_dir"
  python3 bench/make_frames.py "$set_dir" "$files" "$((big_gib * 1024))"
  touch -d "@$(($(date +%s) - 600))" "$set_dir"/analysis.tdf_bin "$set_dir"/frames_*/*
  touch "$set_dir/.complete"
  touch -d "@$(($(date +%s) - 600))" "$set_dir/.complete"
fi
source bench/bruker_set.sh
md5_all() { (cd "$1" && find . -type f ! -name .complete -print0 | xargs -0 md5sum) >/dev/null; }

"$rb" "${c[@]}" checksum --instrument bench "$name" >/dev/null
cat "$set_dir/analysis.tdf_bin" >/dev/null; md5_all "$set_dir"  # warm the page cache
copy="$work/cp/$name"
# Earlier copies are moved aside, not deleted, until the end: ext4 searches long for free
# inodes next to ones deleted in the last minute, which would slow whichever side runs next.
trash=0
fresh() {
  mkdir -p "$work/trash"
  for d in cp backup; do [ -e "$work/$d" ] && mv "$work/$d" "$work/trash/$((trash += 1))"; done
  sync
}
for i in $(seq 1 "$runs"); do
  timed md5sum bash -c "$(declare -f md5_all); md5_all '$set_dir'"
  timed checksum "$rb" "${c[@]}" checksum --rehash --instrument bench "$name"
  fresh
  timed cpsync bash -c "$(declare -f md5_all); mkdir -p '$work/cp' && cp -r '$set_dir' '$copy' && sync && md5_all '$copy'"
  fresh
  timed copy "$rb" "${c[@]}" copy-local "$name"
  timed rerun "$rb" "${c[@]}" copy-local "$name"
done
fresh
rm -rf "$work/trash"
echo "set: $files files of 1-64 KiB + ${big_gib} GiB, $runs runs each, $(nproc) cores"
for t in md5sum checksum cpsync copy rerun; do
  printf '%-9s median %6.2f s  cpu %6.2f s  peak RSS %4d MiB\n' "$t" "$(col $t 1)" "$(cpu $t)" "$(rss $t)"
done
awk -v a="$(col checksum 1)" -v b="$(col md5sum 1)" 'BEGIN {printf "checksum / md5sum: %.2fx (target <= 1.0x)\n", a / b}'
awk -v a="$(col copy 1)" -v b="$(col cpsync 1)" 'BEGIN {printf "copy-local / (cp -r + sync + md5sum): %.2fx (target <= 1.0x)\n", a / b}'
