#!/usr/bin/env bash
# Issue 36: checksum of a Bruker-like .d of BIG large files (BIG_MIB each, more than one part)
# and SMALL files of 1-64 KiB, with a warm page cache, side by side with md5sum in one
# process per core (`xargs -0 -P N`: the large files one per process, the small ones 100 per
# process), RUNS runs each; then checksum pinned to one core (`taskset -c 0`), which must use
# one worker. Prints medians, CPU (user+sys), the cores kept busy (CPU / wall) and peak RSS.
# Usage: bench/cores_many_files.sh [BIG=16] [BIG_MIB=512] [SMALL=20000] [RUNS=3]
set -euo pipefail
cd "$(dirname "$0")/.."
big="${1:-16}"
big_mib="${2:-512}"
small="${3:-20000}"
runs="${4:-3}"
command -v /usr/bin/time >/dev/null || DEBIAN_FRONTEND=noninteractive apt-get install -y -qq time >/dev/null
rb="${RAWBACKUP:-build/rawbackup}"
work="${BENCH_DIR:-var/bench}/cores"
name="cores_${big}x${big_mib}_${small}.d"
set_dir="$work/inst/$name"
if [ ! -e "$set_dir/.complete" ]; then
  echo "generating $set_dir" >&2
  rm -rf "$work/inst"
  mkdir -p "$set_dir"
  python3 bench/make_frames.py "$set_dir" "$small" 0
  for i in $(seq -w 1 "$big"); do
    head -c $((big_mib * 1024 * 1024)) < <(openssl enc -aes-128-ctr -nosalt -pass "pass:bench$i" -pbkdf2 \
      </dev/zero 2>/dev/null) >"$set_dir/bulk_$i.tdf_bin"
  done
  touch -d "@$(($(date +%s) - 600))" "$set_dir"/bulk_* "$set_dir"/frames_*/*
  touch "$set_dir/.complete"
  touch -d "@$(($(date +%s) - 600))" "$set_dir/.complete"
fi
source bench/bruker_set.sh
busy() { awk '{print ($2 + $3) / $1}' "$work/$1.times" | median; }  # cores kept busy: CPU / wall
cores=$(nproc)
md5_parallel() {
  find "$1" -type f -size +1M -print0 | xargs -0 -P "$2" -n 1 md5sum
  find "$1" -type f -size -1M ! -name .complete -print0 | xargs -0 -P "$2" -n 100 md5sum
}

"$rb" "${c[@]}" checksum --instrument bench "$name" >/dev/null  # the record; warms the page cache
for i in $(seq 1 "$runs"); do
  timed md5sum bash -c "$(declare -f md5_parallel); md5_parallel '$set_dir' $cores >/dev/null"
  timed checksum "$rb" "${c[@]}" checksum --rehash --instrument bench "$name"
done
timed pinned taskset -c 0 "$rb" "${c[@]}" checksum --rehash --instrument bench "$name"
echo "set: $big x $big_mib MiB + $small files of 1-64 KiB, $runs runs each, $cores cores ($(grep -m1 'model name' /proc/cpuinfo | cut -d: -f2 | xargs))"
for t in md5sum checksum pinned; do
  printf '%-9s median %6.2f s  cpu %6.2f s  cores busy %5.2f  peak RSS %4d MiB\n' "$t" "$(col $t 1)" "$(cpu $t)" "$(busy $t)" "$(rss $t)"
done
awk -v a="$(col checksum 1)" -v b="$(col md5sum 1)" -v n="$cores" \
  'BEGIN {printf "checksum / md5sum -P %d: %.2fx (target <= 1.2x)\n", n, a / b}'
