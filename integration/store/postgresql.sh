#!/usr/bin/env bash
# A throwaway PostgreSQL 15 cluster on 127.0.0.1 for tests and benchmarks (Debian's
# postgresql-15, installed by scripts/setup.sh --test-servers).
#
#   postgresql.sh start DIR     initdb in a fresh folder, start on a free port, create role and
#                               database "rawbackup" (password auth over TCP); writes DIR/env:
#                               RAWBACKUP_TEST_PG_URL (no password in it), PGPASSWORD,
#                               PG_ADMIN_URL (superuser over the Unix socket), PG_PORT
#   postgresql.sh stop DIR      fast shutdown by the postmaster's PID; removes the cluster
#   postgresql.sh halt DIR      the same, keeping the cluster (a server gone mid-task)
#   postgresql.sh resume DIR    starts a halted cluster again on the same port
#
# PostgreSQL refuses to run as root: when run as root, the cluster belongs to a system user
# "rawbackup-pg" created here. PG_DURABLE=1 keeps fsync on (benchmarks); tests run without.
set -euo pipefail
bin=/usr/lib/postgresql/15/bin
user=rawbackup-pg

as_pg() {
  if [ "$(id -u)" -eq 0 ]; then runuser -u "$user" -- "$@"; else "$@"; fi
}

free_port() {
  python3 -c 'import socket; s=socket.socket(); s.bind(("127.0.0.1",0)); print(s.getsockname()[1]); s.close()'
}

# launch DATA PORT: the postmaster in the background; waits until it takes connections.
launch() {
  local data=$1 port=$2 durable=()
  [ "${PG_DURABLE:-0}" = 1 ] || durable=(-c fsync=off -c synchronous_commit=off -c full_page_writes=off)
  as_pg "$bin/postgres" -D "$data" -p "$port" -k "$data" -c listen_addresses=127.0.0.1 "${durable[@]}" \
    >>"$data.log" 2>&1 </dev/null &
  for _ in $(seq 200); do
    as_pg "$bin/pg_isready" -q -h 127.0.0.1 -p "$port" && return 0
    sleep 0.1
  done
  echo "postgresql.sh: server did not start; log: $(tail -5 "$data.log")" >&2
  return 1
}

# halt DATA: fast shutdown (SIGINT to the postmaster), waiting until it is gone.
halt() {
  local data=$1 pid
  [ -f "$data/postmaster.pid" ] || return 0
  pid=$(head -1 "$data/postmaster.pid")
  kill -INT "$pid" 2>/dev/null || return 0
  for _ in $(seq 300); do kill -0 "$pid" 2>/dev/null || return 0; sleep 0.1; done
  kill -KILL "$pid" 2>/dev/null || true
}

case ${1:-} in
  start)
    dir=$2
    mkdir -p "$dir"
    if [ "$(id -u)" -eq 0 ] && ! id "$user" >/dev/null 2>&1; then
      useradd --system --no-create-home --shell /usr/sbin/nologin "$user" 2>/dev/null || id "$user" >/dev/null  # another test's
    fi
    data=$(mktemp -d "${TMPDIR:-/tmp}/rawbackup-pg-XXXXXX")  # outside DIR: DIR may be private to root
    [ "$(id -u)" -eq 0 ] && chown "$user" "$data"
    password=$(openssl rand -hex 16)
    printf '%s\n' "$password" >"$data.pw"
    [ "$(id -u)" -eq 0 ] && chown "$user" "$data.pw"
    as_pg "$bin/initdb" -D "$data/db" -U postgres --auth-local=trust --auth-host=scram-sha-256 \
      --pwfile="$data.pw" -E UTF8 --locale=C.UTF-8 >"$data/db.log" 2>&1 || { cat "$data/db.log" >&2; exit 1; }
    rm -f "$data.pw"
    port=$(free_port)
    launch "$data/db" "$port"
    admin="postgresql:///postgres?host=$data/db&port=$port&user=postgres"
    as_pg "$bin/psql" -q -v ON_ERROR_STOP=1 -d "$admin" \
      -c "CREATE ROLE rawbackup LOGIN PASSWORD '$password'" -c "CREATE DATABASE rawbackup OWNER rawbackup" >/dev/null
    echo "$data/db" >"$dir/data"
    echo "$port" >"$dir/port"
    cat >"$dir/env" <<EOF
export RAWBACKUP_TEST_PG_URL='postgresql://rawbackup@127.0.0.1:$port/rawbackup'
export PGPASSWORD='$password'
export PG_ADMIN_URL='$admin'
export PG_PORT=$port
EOF
    ;;
  stop)
    [ -f "$2/data" ] || exit 0
    data=$(cat "$2/data")
    halt "$data"
    rm -rf "$(dirname "$data")" "$(dirname "$data").pw"
    rm -f "$2/data" ;;
  halt)
    halt "$(cat "$2/data")" ;;
  resume)
    launch "$(cat "$2/data")" "$(cat "$2/port")" ;;
  *) echo "usage: postgresql.sh start|stop|halt|resume DIR" >&2; exit 2 ;;
esac
