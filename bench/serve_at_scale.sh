#!/usr/bin/env bash
# `serve` over the P7 store (bench/status_at_scale.sh's: RECORDS Thermo records over 10
# instruments plus BRUKER .d records of BRUKER_FILES files each, filled through
# build/bench/store_bench), SQLite and PostgreSQL:
#   each page's time as curl sees it on loopback (median of RUNS; the server is warm):
#     the overview, the records page, the records page filtered, a 20,000-file record's page,
#     the records JSON, /metrics;
#   the server's peak RSS (VmHWM) after all of it;
#   CLIENTS concurrent clients for SECONDS with wrk on the overview and the records page:
#     requests per second, latency, and every non-2xx or socket error.
# PostgreSQL: a throwaway local cluster (integration/store/postgresql.sh, PG_DURABLE=1).
# Usage: bench/serve_at_scale.sh [RECORDS=100000] [BRUKER=50] [BRUKER_FILES=20000] [RUNS=7] [CLIENTS=50] [SECONDS=30]
set -euo pipefail
cd "$(dirname "$0")/.."
records="${1:-100000}"
bruker="${2:-50}"
bruker_files="${3:-20000}"
runs="${4:-7}"
clients="${5:-50}"
seconds="${6:-30}"
command -v wrk >/dev/null || DEBIAN_FRONTEND=noninteractive apt-get install -y -qq wrk >/dev/null
rb="$PWD/${RAWBACKUP:-build/rawbackup}"
filler="$PWD/build/bench/store_bench"
work="$PWD/${BENCH_DIR:-var/bench}/serve"
rm -rf "$work"
mkdir -p "$work/backup"
pg_dir="$work/pg"
server=""
trap '[ -n "$server" ] && kill "$server" 2>/dev/null; integration/store/postgresql.sh stop "$pg_dir" >/dev/null 2>&1 || true' EXIT
{
  echo "instruments:"
  for i in 0 1 2 3 4 5 6 7 8 9; do mkdir -p "$work/inst/instrument$i"; echo "  instrument$i: {type: thermo, path: inst/instrument$i}"; done
  echo "locations: {backup: backup}"
  echo "backup: {backup_type: local, s3: {region: r, bucket_prefix: b}}"
} >"$work/rb.yaml"

source bench/median.sh
# page LABEL PATH: median ms over RUNS fetches, after one to warm up; fails on a non-200
page() {
  local label=$1 path=$2 times="$work/times"
  rm -f "$times"
  for i in $(seq 0 "$runs"); do
    local out
    out=$(curl -s -g -o /dev/null -w '%{http_code} %{time_total}' "http://127.0.0.1:$port$path")
    [ "${out%% *}" = 200 ] || { echo "$label: HTTP ${out%% *}" >&2; return 1; }
    [ "$i" = 0 ] || echo "${out#* }" | awk '{printf "%.1f\n", $1 * 1000}' >>"$times"
  done
  printf '  %-40s %8s ms\n' "$label" "$(median <"$times")"
}
# load PATH: wrk with CLIENTS connections for SECONDS: requests/s, latency, errors
load() {
  wrk -t2 -c"$clients" -d"${seconds}s" --latency "http://127.0.0.1:$port$1" >"$work/wrk" 2>&1
  local rps latency errors non2xx
  rps=$(awk '/Requests\/sec/ {print $2}' "$work/wrk")
  latency=$(awk '$1 == "99%" {print $2}' "$work/wrk")
  errors=$(grep -o 'Socket errors:.*' "$work/wrk" || echo "Socket errors: none")
  non2xx=$(awk '/Non-2xx/ {print $NF}' "$work/wrk")
  printf '  %-40s %8s req/s, p99 %s, non-2xx %s, %s\n' "wrk -c$clients ${seconds}s $1" "$rps" "$latency" "${non2xx:-0}" "$errors"
}

bench_backend() {
  local name=$1 url=$2
  echo "== $name: filling $records + $bruker x $bruker_files-file records" >&2
  "$filler" fill "$url" "$records" "$bruker" "$bruker_files"
  export RAWBACKUP_STORE_URL=$url
  "$rb" --config "$work/rb.yaml" serve --listen 127.0.0.1:0 >"$work/serve.out" 2>"$work/serve.err" &
  server=$!
  for _ in $(seq 600); do grep -q 'serving http://' "$work/serve.err" && break; sleep 0.1; done
  port=$(grep -o 'http://127.0.0.1:[0-9]*' "$work/serve.err" | head -1 | sed 's/.*://')
  echo "$name ($records + $bruker x $bruker_files-file records; median of $runs)"
  page "overview /" /
  page "records /records (newest 50)" /records
  page "records, filtered (instrument, status)" "/records?instrument=instrument3&status=done"
  page "records, sorted by size" "/records?sort=largest"
  page "records JSON" /api/records
  page "a record of $bruker_files files (/records/ID)" "/records/bruker_run_$records.d"
  page "/metrics" /metrics
  echo "  peak RSS of the server: $(($(awk '/VmHWM/ {print $2}' /proc/$server/status) / 1024)) MiB"
  load /
  load /records
  echo "  peak RSS after the load: $(($(awk '/VmHWM/ {print $2}' /proc/$server/status) / 1024)) MiB"
  kill "$server"
  wait "$server" || true
  server=""
  unset RAWBACKUP_STORE_URL
}

bench_backend sqlite "sqlite://$work/store.sqlite"
PG_DURABLE=1 integration/store/postgresql.sh start "$pg_dir" >/dev/null
# shellcheck disable=SC1091
. "$pg_dir/env"
export PGPASSWORD
bench_backend postgresql "$RAWBACKUP_TEST_PG_URL"
