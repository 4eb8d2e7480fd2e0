#!/usr/bin/env bash
# `serve` over the P7 store (bench/status_at_scale.sh's: RECORDS Thermo records over 10
# instruments plus BRUKER .d records of BRUKER_FILES files each, filled through
# build/bench/store_bench), SQLite and PostgreSQL:
#   the overview and /metrics as computed (the first request after the 5-s summary cache
#     expired: RUNS fetches 5.2 s apart);
#   each page's time as curl sees it on loopback (median of RUNS; the server is warm):
#     the overview (cached), the records page, the records page filtered, a 20,000-file record's page,
#     the records JSON, /metrics;
#   the server's peak RSS (VmHWM) after all of it;
#   CLIENTS concurrent clients for SECONDS with wrk on the overview and the records page:
#     requests per second, latency, and every non-2xx or socket error.
# PostgreSQL: a throwaway local cluster (integration/store/postgresql.sh, PG_DURABLE=1),
# vacuumed after the fill as autovacuum keeps a store in service (else autovacuum runs
# alongside the first measurements and the first scans write the hint bits of 1M fresh rows).
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
source bench/at_scale.sh
at_scale_setup serve
mkdir -p "$work/backup"
server=""
trap '[ -n "$server" ] && kill "$server" 2>/dev/null; stop_bench_pg' EXIT
{
  echo "instruments:"
  for i in 0 1 2 3 4 5 6 7 8 9; do mkdir -p "$work/inst/instrument$i"; echo "  instrument$i: {type: thermo, path: inst/instrument$i}"; done
  echo "locations: {backup: backup}"
  echo "backup: {backup_type: local, s3: {region: r, bucket_prefix: b}}"
} >"$work/rb.yaml"

# page LABEL PATH [PAUSE]: median ms over RUNS fetches, after one to warm up, PAUSE seconds
# apart; fails on a non-200
page() {
  local label=$1 path=$2 pause=${3:-0} times="$work/times"
  rm -f "$times"
  for i in $(seq 0 "$runs"); do
    local out
    [ "$i" = 0 ] || sleep "$pause"
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
  [ "$name" = sqlite ] || psql -qX -d "$url" -c "VACUUM (ANALYZE)"
  export RAWBACKUP_STORE_URL=$url
  "$rb" --config "$work/rb.yaml" serve --listen 127.0.0.1:0 >"$work/serve.out" 2>"$work/serve.err" &
  server=$!
  for _ in $(seq 600); do grep -q 'serving http://' "$work/serve.err" && break; sleep 0.1; done
  port=$(grep -o 'http://127.0.0.1:[0-9]*' "$work/serve.err" | head -1 | sed 's/.*://')
  echo "$name ($records + $bruker x $bruker_files-file records; median of $runs)"
  page "overview /, computed" / 5.2
  page "/metrics, computed" /metrics 5.2
  page "overview /, cached" /
  page "records /records (newest 50)" /records
  page "records, filtered (instrument, status)" "/records?instrument=instrument3&status=done"
  page "records, sorted by size" "/records?sort=largest"
  page "records JSON" /api/records
  page "a record of $bruker_files files (/records/ID)" "/records/bruker_run_$records.d"
  page "/metrics, cached" /metrics
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
start_bench_pg
bench_backend postgresql "$RAWBACKUP_TEST_PG_URL"
