# Sourced by the at-scale benchmark scripts (status, scan, serve), after `cd` to the tree:
#   at_scale_setup NAME   sets rb, filler (build/bench/store_bench), work (BENCH_DIR/NAME, made
#                         empty) and pg_dir; the throwaway PostgreSQL cluster is stopped on exit
#   start_bench_pg        starts it (PG_DURABLE=1) and exports its env (RAWBACKUP_TEST_PG_URL, PGPASSWORD)
#   measured LABEL CMD…   runs CMD RUNS times ($runs): prints "median_wall_ms median_cpu_ms
#                         peak_rss_mib"; the last run's output is in $work/out and $work/err
source bench/median.sh

at_scale_setup() {
  command -v /usr/bin/time >/dev/null || DEBIAN_FRONTEND=noninteractive apt-get install -y -qq time >/dev/null
  rb="$PWD/${RAWBACKUP:-build/rawbackup}"
  filler="$PWD/build/bench/store_bench"
  work="$PWD/${BENCH_DIR:-var/bench}/$1"
  rm -rf "$work"
  mkdir -p "$work"
  pg_dir="$work/pg"
  trap stop_bench_pg EXIT
}

stop_bench_pg() { integration/store/postgresql.sh stop "$pg_dir" >/dev/null 2>&1 || true; }

start_bench_pg() {
  PG_DURABLE=1 integration/store/postgresql.sh start "$pg_dir" >/dev/null
  # shellcheck disable=SC1091
  . "$pg_dir/env"
  export PGPASSWORD RAWBACKUP_TEST_PG_URL
}

# Wall time from EPOCHREALTIME (/usr/bin/time counts in 10 ms); CPU time and RSS from /usr/bin/time.
measured() {
  local label=$1 times="$work/times" walls="$work/walls"
  shift
  rm -f "$times" "$walls"
  for _ in $(seq "$runs"); do
    local t0=$EPOCHREALTIME
    /usr/bin/time -f '%M %U %S' -a -o "$times" "$@" >"$work/out" 2>"$work/err" ||
      { echo "$label failed: $(tail -1 "$work/err")" >&2; return 1; }
    echo "$EPOCHREALTIME $t0" | awk '{printf "%.1f\n", ($1 - $2) * 1000}' >>"$walls"
  done
  echo "$(median <"$walls") $(awk '{print ($2 + $3) * 1000}' "$times" | median) $(($(cut -d' ' -f1 "$times" | sort -n | tail -1) / 1024))"
}
