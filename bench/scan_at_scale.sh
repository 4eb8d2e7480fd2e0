#!/usr/bin/env bash
# `scan` of a facility's instrument folder, SQLite and PostgreSQL side by side with the by-hand
# watcher (`find -newer` for the files changed since the last look, then sqlite3/psql for
# which of them are recorded):
#   a folder of SETS Thermo sets, all but NEW of them recorded, in a store of 10 instruments'
#   records (SETS × 10 - NEW × 10 records in all, filled through RecordStore::import by
#   build/bench/store_bench);
#   the first scan (which records the NEW sets' sightings) is not timed; then RUNS scans of the
#   steady state: one listing, one store query for every name, a stat of the NEW sets only,
#   their sightings updated.
# Prints the median wall time, CPU time (user + sys) and peak RSS of each, and the ratio.
# PostgreSQL: a throwaway local cluster (integration/store/postgresql.sh, PG_DURABLE=1).
# Usage: bench/scan_at_scale.sh [SETS=10000] [NEW=10] [RUNS=11]
set -euo pipefail
cd "$(dirname "$0")/.."
sets="${1:-10000}"
new="${2:-10}"
runs="${3:-11}"
command -v sqlite3 >/dev/null || DEBIAN_FRONTEND=noninteractive apt-get install -y -qq sqlite3 >/dev/null
source bench/at_scale.sh
at_scale_setup scan
mkdir -p "$work/inst/instrument0"

# store_bench names record n thermo_run_<n>.raw on instrument<n % 10>: instrument0's folder
# holds the recorded n = 0, 10, 20, … and NEW more.
recorded=$((sets - new))
python3 - "$work/inst/instrument0" "$recorded" "$new" <<'PY'
import os, sys
folder, recorded, new = sys.argv[1], int(sys.argv[2]), int(sys.argv[3])
for i in range(recorded):
    open(os.path.join(folder, f"thermo_run_{i * 10}.raw"), "wb").close()
for i in range(new):
    with open(os.path.join(folder, f"new_run_{i}.raw"), "wb") as f:
        f.write(b"acquired" * 1000)
PY
touch -d '-1 hour' "$work/inst/instrument0"/*.raw
touch -d '-10 min' "$work/inst/instrument0"/new_run_*.raw
touch -d '-30 min' "$work/last_look"
cat >"$work/rb.yaml" <<YAML
checksum: {settle_seconds: 0}
instruments: {instrument0: {type: thermo, path: inst/instrument0}}
locations: {backup: backup}
backup: {backup_type: local, s3: {region: r, bucket_prefix: b}}
YAML

# figures LABEL COMMAND...: "label wall_ms cpu_ms rss_mib" over RUNS runs (medians; peak RSS)
figures() {
  local label=$1 figures
  shift
  figures=$(measured "$label" "$@")
  echo "$label $figures"
}

# The by-hand watcher: the .raw files changed since the last look, less the recorded ones.
by_hand_sqlite() {
  comm -23 <(find "$work/inst/instrument0" -maxdepth 1 -name '*.raw' -newer "$work/last_look" -printf '%f\n' | sort) \
    <(sqlite3 "$work/store.sqlite" "SELECT id FROM raw_files WHERE instrument_id = 'instrument0'" | sort)
}
by_hand_psql() {
  comm -23 <(find "$work/inst/instrument0" -maxdepth 1 -name '*.raw' -newer "$work/last_look" -printf '%f\n' | sort) \
    <(psql -qAtX -d "$RAWBACKUP_TEST_PG_URL" -c "SELECT id FROM raw_files WHERE instrument_id = 'instrument0'" | sort)
}
export -f by_hand_sqlite by_hand_psql
export work

# bench_backend NAME URL BY_HAND
bench_backend() {
  local name=$1 url=$2 by_hand=$3
  echo "== $name: filling $((recorded * 10)) records" >&2
  "$filler" fill "$url" "$((recorded * 10))" 0 0
  export RAWBACKUP_STORE_URL=$url
  "$rb" --config "$work/rb.yaml" --json scan >"$work/first.json" 2>"$work/err"
  python3 - "$work/first.json" "$new" <<'PY'
import json, sys
result, new = json.load(open(sys.argv[1])), int(sys.argv[2])
assert len(result["ready"]) == new, result["counts"]
PY
  local ours theirs
  ours=$(figures "scan" "$rb" --config "$work/rb.yaml" --json scan)
  grep -q "\"ready\":\[{" "$work/out" || { echo "scan found nothing ready" >&2; return 1; }
  theirs=$(figures "by-hand" bash -c "$by_hand")
  [ "$(wc -l <"$work/out")" -eq "$new" ] || { echo "by-hand found $(wc -l <"$work/out") new, not $new" >&2; return 1; }
  unset RAWBACKUP_STORE_URL
  echo "$name ($sets sets, $recorded recorded; median of $runs)"
  printf '  %-26s %9s %9s %9s\n' "" "wall ms" "CPU ms" "peak MiB"
  for row in "$ours" "$theirs"; do
    read -r label wall cpu rss <<<"$row"
    printf '  %-26s %9s %9s %9s\n' "$label" "$wall" "$cpu" "$rss"
  done
  read -r _ w1 _ <<<"$ours"
  read -r _ w2 _ <<<"$theirs"
  echo "  ratio scan / by-hand: $(awk -v a="$w1" -v b="$w2" 'BEGIN {printf "%.2f", a / b}')"
}

bench_backend sqlite "sqlite://$work/store.sqlite" by_hand_sqlite
start_bench_pg
bench_backend postgresql "$RAWBACKUP_TEST_PG_URL" by_hand_psql
