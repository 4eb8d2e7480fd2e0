#!/usr/bin/env bash
# The README's screenshot of `serve`'s overview (docs/serve-overview.png): a sample facility
# under var/screenshot/ — three instruments, 45 small acquisitions over 30 days (mtimes set
# back), checksummed and copied by the tasks themselves, two copies failing — served on a free
# port and photographed with Debian's headless chromium.
# Environment: RAWBACKUP (default build/rawbackup).
set -euo pipefail
cd "$(dirname "$0")/.."
rb="$PWD/${RAWBACKUP:-build/rawbackup}"
root="$PWD/var/screenshot"
rm -rf "$root"
mkdir -p "$root/backup" docs
cat >"$root/c.yaml" <<YAML
store: {path: store.sqlite}
checksum: {settle_seconds: 0}
instruments:
  astral1: {type: thermo, path: instruments/astral1}
  exploris2: {type: thermo, path: instruments/exploris2}
  timstof1: {type: bruker, path: instruments/timstof1, required_members: []}
locations: {backup: backup}
project_pattern: "_(PRID\\\\d+)_"
backup: {backup_type: local}
YAML
sed 's|locations: {backup: backup}|locations: {backup: backup_file}|' "$root/c.yaml" >"$root/broken.yaml"
echo "not a folder" >"$root/backup_file"
for i in $(seq 1 45); do
  days_ago=$(((45 - i) * 2 / 3))
  day=$(date -u -d "$days_ago days ago" +%Y%m%d)
  project="PRID00$((i % 4 + 1))"
  case $((i % 3)) in
    0) instrument=astral1 name="${day}_astral1_${project}_run$i.raw" ;;
    1) instrument=exploris2 name="${day}_exploris2_${project}_run$i.raw" ;;
    2) instrument=timstof1 name="${day}_timstof1_${project}_run$i.d" ;;
  esac
  folder="$root/instruments/$instrument"
  mkdir -p "$folder"
  if [ "$instrument" = timstof1 ]; then
    mkdir -p "$folder/$name"
    head -c $((i * 40000)) /dev/urandom >"$folder/$name/analysis.tdf_bin"
    echo tdf >"$folder/$name/analysis.tdf"
    touch -d "$days_ago days ago $((i % 7)) hours ago" "$folder/$name"/* "$folder/$name"
  else
    head -c $((i * 60000)) /dev/urandom >"$folder/$name"
    touch -d "$days_ago days ago $((i % 5)) hours ago" "$folder/$name"
  fi
  "$rb" --config "$root/c.yaml" checksum --instrument "$instrument" "$name" >/dev/null 2>&1
  config="$root/c.yaml"
  [ "$i" = 41 ] || [ "$i" = 44 ] && config="$root/broken.yaml"
  "$rb" --config "$config" copy-local "$name" >/dev/null 2>&1 || true
done
"$rb" --config "$root/c.yaml" serve --listen 127.0.0.1:0 >/dev/null 2>"$root/serve.err" &
server=$!
trap 'kill $server 2>/dev/null' EXIT
for _ in $(seq 100); do grep -q 'serving http://' "$root/serve.err" && break; sleep 0.1; done
url=$(grep -o 'http://127.0.0.1:[0-9]*/' "$root/serve.err" | head -1)
chromium --headless --no-sandbox --disable-gpu --disable-dev-shm-usage --hide-scrollbars \
  --user-data-dir="$root/chromium" --window-size=1400,520 --screenshot="$PWD/docs/serve-overview.png" "$url" 2>/dev/null
echo "docs/serve-overview.png from $url"
