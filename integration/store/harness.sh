# Sourced by tests after lib.sh, with $here (integration/) set: starts a throwaway PostgreSQL
# cluster (integration/store/postgresql.sh; free port on 127.0.0.1, stopped by PID on exit),
# and defines
#   $pg_url            the rawbackup database, no password in it (PGPASSWORD is exported)
#   psql_admin SQL [DB]  runs SQL as the superuser (over the Unix socket) in DB (default rawbackup)
#   pg_stop_all        stops the cluster (called on exit, with the S3 harness's stop_all when
#                      that was sourced first)
pg_dir="$work/pg"
pg_stop_all() { "$here/store/postgresql.sh" stop "$pg_dir" >/dev/null 2>&1; }
"$here/store/postgresql.sh" start "$pg_dir" >"$work/pg.log" 2>&1 || { cat "$work/pg.log"; echo "could not start PostgreSQL"; exit 1; }
trap 'pg_stop_all; if declare -F stop_all >/dev/null; then stop_all; fi; rm -rf "$work"' EXIT
source "$pg_dir/env"
pg_url="$RAWBACKUP_TEST_PG_URL"
psql_admin() {
  local url="${PG_ADMIN_URL/\/postgres?//${2:-rawbackup}?}" as=()
  [ "$(id -u)" -eq 0 ] && as=(runuser -u rawbackup-pg --)
  "${as[@]}" /usr/lib/postgresql/15/bin/psql -qAtX -v ON_ERROR_STOP=1 -d "$url" -c "$1"
}
