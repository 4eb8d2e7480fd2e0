#!/usr/bin/env bash
# status and batch selection at a facility's scale, SQLite and PostgreSQL side by side:
# RECORDS Thermo records (4 events each) plus BRUKER .d records of BRUKER_FILES files each,
# filled through RecordStore::import (build/bench/store_bench). For each backend:
#   store time (in process, median of RUNS): status ID, the default table (newest 50),
#     the summary, a batch selection (ids of every done record)
#   the whole command (median of RUNS, with peak RSS): status, status ID, status --summary,
#     status --all (to /dev/null), and an unchanged checksum re-run (per-task overhead)
# PostgreSQL: a throwaway local cluster (integration/store/postgresql.sh, PG_DURABLE=1).
# Usage: bench/status_at_scale.sh [RECORDS=100000] [BRUKER=50] [BRUKER_FILES=20000] [RUNS=7]
set -euo pipefail
cd "$(dirname "$0")/.."
records="${1:-100000}"
bruker="${2:-50}"
bruker_files="${3:-20000}"
runs="${4:-7}"
source bench/at_scale.sh
at_scale_setup status
mkdir -p "$work/inst/instrument0"

# One raw file for the checksum re-run, recorded once before timing.
head -c $((64 << 20)) /dev/urandom >"$work/inst/instrument0/rerun.raw"
touch -d '-1 hour' "$work/inst/instrument0/rerun.raw"
cat >"$work/rb.yaml" <<YAML
checksum: {settle_seconds: 0}
instruments: {instrument0: {type: thermo, path: inst/instrument0}}
locations: {backup: backup}
backup: {backup_type: local, s3: {region: r, bucket_prefix: b}}
YAML

# command_figures LABEL ARGS...: median wall ms and peak RSS MiB of `rawbackup ARGS` over RUNS runs
command_figures() {
  local label=$1 figures wall rss
  shift
  figures=$(measured "$label" "$rb" --config "$work/rb.yaml" "$@")
  read -r wall _ rss <<<"$figures"
  printf '  %-30s %7s ms  %4s MiB
' "$label" "$wall" "$rss"
}

# bench_backend NAME URL
bench_backend() {
  local name=$1 url=$2
  echo "== $name: filling $records + $bruker x $bruker_files-file records" >&2
  local start=$SECONDS
  "$filler" fill "$url" "$records" "$bruker" "$bruker_files"
  echo "   filled in $((SECONDS - start)) s" >&2
  export RAWBACKUP_STORE_URL=$url
  "$rb" --config "$work/rb.yaml" checksum --instrument instrument0 rerun.raw >/dev/null 2>&1
  echo "$name"
  echo "  store time (median of $runs): $("$filler" time "$url" "thermo_run_$((records / 2)).raw" "$runs")"
  command_figures "status" status
  command_figures "status ID (Thermo)" status "thermo_run_$((records / 2)).raw"
  command_figures "status ID (Bruker 20k files)" status "bruker_run_$records.d"
  command_figures "status --summary" status --summary
  command_figures "status --all (>/dev/null)" status --all
  command_figures "checksum re-run (unchanged)" checksum --instrument instrument0 rerun.raw
  command_figures "rawbackup --version" --version
  unset RAWBACKUP_STORE_URL
}

bench_backend sqlite "sqlite://$work/store.sqlite"
echo "   SQLite file: $(du -m "$work/store.sqlite" | cut -f1) MiB" >&2
start_bench_pg
bench_backend postgresql "$RAWBACKUP_TEST_PG_URL"
