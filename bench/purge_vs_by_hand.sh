#!/usr/bin/env bash
# purge of a Bruker .d set of many small files (FILES files of 1–64 KiB, plus one BIG_MIB
# file) with backup_type local, side by side with what an operator does by hand to the same
# effect: `md5sum -c` of the backup against a list of the recorded MD5s, then `rm -r` of the
# instrument copy. Both re-read the whole backup; purge also walks the instrument copy with
# lstat, removes file by file beneath the folder without following links, and records.
# Each run gets a fresh instrument copy (`cp -a` of a template, not timed) with the recorded
# mtimes. Prints medians, CPU (user+sys), peak RSS, the ratio. Warm page cache.
# Usage: bench/purge_vs_by_hand.sh [FILES=20000] [BIG_MIB=1024] [RUNS=3]
set -euo pipefail
cd "$(dirname "$0")/.."
files="${1:-20000}"
big_mib="${2:-1024}"
runs="${3:-3}"
command -v /usr/bin/time >/dev/null || DEBIAN_FRONTEND=noninteractive apt-get install -y -qq time >/dev/null
rb="${RAWBACKUP:-build/rawbackup}"
work="${BENCH_DIR:-var/bench}/purge"
mkdir -p "$work"
work="$(cd "$work" && pwd)"  # the by-hand side runs in the backup folder
name="purge_${files}.d"
template="$work/template/$name"
if [ ! -e "$template/.complete" ]; then
  echo "generating $template" >&2
  rm -rf "$template"
  mkdir -p "$template"
  python3 bench/make_frames.py "$template" "$files" "$big_mib"
  find "$template" -exec touch -h -d '30 days ago' {} +
  touch "$template/.complete"  # outside the set copied below
fi
mkdir -p "$work/inst"
cat >"$work/bench.yaml" <<YAML
store: {path: bench.sqlite}
instruments: {bench: {type: bruker, path: inst, required_members: []}}
locations: {backup: backup}
backup: {backup_type: local}
YAML
c=(--config "$work/bench.yaml" --log-level warn)
rm -rf "$work"/*.times "$work/bench.sqlite"* "$work/backup" "$work/inst/$name"
fresh_copy() { rm -rf "$work/inst/$name"; cp -a "$template" "$work/inst/$name"; rm -f "$work/inst/$name/.complete"; }
fresh_copy
"$rb" "${c[@]}" checksum --instrument bench "$name" >/dev/null
"$rb" "${c[@]}" copy-local "$name" >/dev/null
backup_dir="$(dirname "$(find "$work/backup" -type d -name "$name")")"
(cd "$backup_dir" && find "$name" -type f -print0 | xargs -0 md5sum) >"$work/backup.md5"

source bench/median.sh
timed() { local out="$work/$1.times"; shift; /usr/bin/time -f '%e %U %S %M' -a -o "$out" "$@" >/dev/null 2>&1; }
col() { cut -d' ' -f"$2" "$work/$1.times" | median; }
cpu() { awk '{print $2 + $3}' "$work/$1.times" | median; }
rss() { echo $(($(cut -d' ' -f4 "$work/$1.times" | sort -n | tail -1) / 1024)); }
by_hand=(bash -c 'cd "$1" && md5sum --quiet -c "$2" && rm -r "$3"' by_hand "$backup_dir" "$work/backup.md5" "$work/inst/$name")

cat "$backup_dir/$name/analysis.tdf_bin" >/dev/null  # warm the page cache
for _ in $(seq "$runs"); do
  fresh_copy
  timed by_hand "${by_hand[@]}"
  [ ! -e "$work/inst/$name" ] || { echo "by hand left the set" >&2; exit 1; }
  fresh_copy
  timed purge "$rb" "${c[@]}" purge --min-age 0 "$name"
  [ ! -e "$work/inst/$name" ] || { echo "purge left the set" >&2; exit 1; }
done
printf '%-28s %10s %10s %10s\n' "" "wall s" "cpu s" "peak MiB"
printf '%-28s %10s %10s %10s\n' "md5sum -c backup + rm -r" "$(col by_hand 1)" "$(cpu by_hand)" "$(rss by_hand)"
printf '%-28s %10s %10s %10s\n' "rawbackup purge" "$(col purge 1)" "$(cpu purge)" "$(rss purge)"
echo "ratio (purge / by hand): $(echo "$(col purge 1) $(col by_hand 1)" | awk '{printf "%.2f", $1 / $2}')×"
rm -rf "$work/inst" "$work/backup" "$work/bench.sqlite"*
