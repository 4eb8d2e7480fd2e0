#!/usr/bin/env bash
# The shared record store on a real PostgreSQL 15 (a throwaway cluster, integration/store/):
# the store conformance suite against it; the binary with store.url and RAWBACKUP_STORE_URL;
# passwords never shown; 8 binaries migrating a fresh database at once; a read-only status;
# `store copy` moving a SQLite store into PostgreSQL (dry run, re-run, refusals), after which
# status shows the same records; two hosts running `scan` at once.
# Usage: store_postgresql_test.sh PATH/TO/rawbackup PATH/TO/rawbackup_tests
source "$(dirname "$0")/lib.sh"
here="$(cd "$(dirname "$0")" && pwd)"
rb="$1" unit="$2"
source "$here/store/harness.sh"

expect_code "store conformance suite against PostgreSQL" 0 env RAWBACKUP_TEST_PG_URL="$pg_url" \
  "$unit" --gtest_filter='Backends/StoreConformance.*/postgresql'
grep -Eq 'PASSED.* [1-9][0-9]* tests' "$work/out" && ! grep -q 'SKIPPED' "$work/out" && pass "  ran every test of the suite, none skipped" || failure "  suite" "$(tail -3 "$work/out")"

mkdir -p "$work/instruments/astral1"
for n in a b c; do head -c 200000 /dev/urandom >"$work/instruments/astral1/${n}_PRID1.raw"; done
config() {  # config STORE_LINE → $work/$2.yaml
  cat >"$work/$2.yaml" <<YAML
store: $1
checksum: {settle_seconds: 0}  # files written just now count as finished acquisitions
instruments: {astral1: {type: thermo, path: instruments/astral1}}
locations: {backup: backup}
project_pattern: "_(PRID\\\\d+)_"
YAML
}
config "{url: \"$pg_url\"}" pg
config "{path: store.sqlite}" lite

# --- 8 binaries at once on a database without a schema: one migrates, the others wait ---
pids=()
for i in 1 2 3 4 5 6 7 8; do "$rb" --config "$work/pg.yaml" --json status >"$work/m.$i" 2>"$work/m.$i.err" & pids+=($!); done
codes=""; for p in "${pids[@]}"; do wait "$p"; codes+="$? "; done
[ "$codes" = "0 0 0 0 0 0 0 0 " ] && pass "8 status runs on a fresh database: all exit 0 (read-only: no schema needed)" || failure "fresh status" "$codes $(cat "$work"/m.*.err)"
pids=()
for i in 1 2 3 4 5 6 7 8; do "$rb" --config "$work/pg.yaml" --json verify --dry-run x.raw >"$work/m.$i" 2>"$work/m.$i.err" & pids+=($!); done
codes=""; for p in "${pids[@]}"; do wait "$p"; codes+="$? "; done
[ "$codes" = "2 2 2 2 2 2 2 2 " ] && pass "8 binaries migrating at once: all proceed (exit 2: no such record)" || failure "migration race" "$codes $(cat "$work"/m.*.err | head -3)"
[ "$(psql_admin "SELECT version FROM rawbackup_schema")" = 10 ] && pass "  migrated once, to version 10" || failure "  schema" "$(psql_admin "SELECT version FROM rawbackup_schema")"

# --- the tasks on PostgreSQL ---
expect_code "checksum into PostgreSQL" 0 "$rb" --config "$work/pg.yaml" checksum --instrument astral1 a_PRID1.raw
expect_code "copy-local" 0 "$rb" --config "$work/pg.yaml" copy-local a_PRID1.raw
expect_code "status" 0 "$rb" --config "$work/pg.yaml" --json status a_PRID1.raw
expect_match "  the record, from PostgreSQL" "$work/out" '"backup_status":"done".*"status":"copying_done"'
expect_code "RAWBACKUP_STORE_URL overrides the config's store" 0 env RAWBACKUP_STORE_URL="$pg_url" \
  "$rb" --config "$work/lite.yaml" --json status a_PRID1.raw
expect_match "  found in PostgreSQL" "$work/out" '"id":"a_PRID1.raw"'
[ "$(psql_admin "SELECT count(*) FROM events")" -ge 5 ] && pass "  events written to the server" || failure "  events"

# --- the server's notices go through the logger (JSON lines), never bare on stderr ---
psql_admin "CREATE FUNCTION notice() RETURNS trigger LANGUAGE plpgsql AS \$\$ BEGIN RAISE WARNING 'injected notice'; RETURN NEW; END \$\$;
  CREATE TRIGGER notice BEFORE UPDATE ON raw_files FOR EACH ROW EXECUTE FUNCTION notice()"
expect_code "a server's WARNING during verify" 0 "$rb" --config "$work/pg.yaml" --log-format json verify a_PRID1.raw
expect_match "  logged" "$work/err" '"level":"warning".*record store: WARNING:  injected notice'
python3 -c 'import json,sys; [json.loads(l) for l in open(sys.argv[1]) if l.strip()]' "$work/err" \
  && pass "  every stderr line is JSON" || failure "  bare text on stderr" "$(cat "$work/err")"
psql_admin "DROP TRIGGER notice ON raw_files; DROP FUNCTION notice()"

# --- the README's read-only role for operators: status works, a write is refused (exit 2) ---
psql_admin "CREATE ROLE rawbackup_read LOGIN PASSWORD '$PGPASSWORD'" postgres
psql_admin "GRANT CONNECT ON DATABASE rawbackup TO rawbackup_read; GRANT USAGE ON SCHEMA public TO rawbackup_read;
  GRANT SELECT ON ALL TABLES IN SCHEMA public TO rawbackup_read;
  ALTER DEFAULT PRIVILEGES FOR ROLE rawbackup IN SCHEMA public GRANT SELECT ON TABLES TO rawbackup_read"
read_url="${pg_url/rawbackup@/rawbackup_read@}"
expect_code "read-only role: status" 0 env RAWBACKUP_STORE_URL="$read_url" "$rb" --config "$work/pg.yaml" --json status a_PRID1.raw
expect_match "  sees the record" "$work/out" '"id":"a_PRID1.raw"'
expect_code "  summary and metrics" 0 env RAWBACKUP_STORE_URL="$read_url" "$rb" --config "$work/pg.yaml" status --metrics
expect_code "read-only role: a write is refused, exit 2" 2 env RAWBACKUP_STORE_URL="$read_url" "$rb" --config "$work/pg.yaml" checksum --rehash --instrument astral1 a_PRID1.raw
expect_match "  names the permission" "$work/err" 'permission denied'

# --- passwords: libpq's conventions; a URL with one is never shown ---
expect_code "wrong PGPASSWORD: exit 2, says why" 2 env PGPASSWORD=wrong "$rb" --config "$work/pg.yaml" status
expect_match "  authentication failed" "$work/err" 'password authentication failed'
mkdir -p "$work/home"
expect_code "no password at all: exit 2 (a config problem)" 2 env -u PGPASSWORD HOME="$work/home" "$rb" --config "$work/pg.yaml" status
expect_match "  one line naming PGPASSWORD and ~/.pgpass" "$work/err" 'refused the connection: .*fe_sendauth: no password supplied \(give the password in PGPASSWORD or a ~/.pgpass line'
! grep -q 'unreachable\|retrying' "$work/err" && pass "  not called unreachable, not retried" || failure "  called unreachable" "$(cat "$work/err")"
free_port="$(python3 -c 'import socket; s=socket.socket(); s.bind(("127.0.0.1", 0)); print(s.getsockname()[1])')"
expect_code "no server on the port: exit 1 after the retries" 1 env RAWBACKUP_STORE_URL="postgresql://rawbackup@127.0.0.1:$free_port/rawbackup" \
  "$rb" --config "$work/pg.yaml" --log-format json status
expect_match "  says at once that it retries, and why" "$work/err" 'is unreachable: .*; retrying for up to 10 s'
expect_match "  then gives up" "$work/err" 'gave up after 10 s of retries'
secret_url="${pg_url/rawbackup@/rawbackup:$PGPASSWORD@}"
expect_code "password in RAWBACKUP_STORE_URL works" 0 env -u PGPASSWORD RAWBACKUP_STORE_URL="$secret_url" \
  "$rb" --config "$work/lite.yaml" --log-level debug --json status a_PRID1.raw
env -u PGPASSWORD RAWBACKUP_STORE_URL="${secret_url/@127.0.0.1/x@127.0.0.1}" "$rb" --config "$work/lite.yaml" --json \
  --log-level trace copy-local a_PRID1.raw >>"$work/out" 2>>"$work/err"
"$rb" store copy "sqlite://$work/none.sqlite" "${secret_url}x" >>"$work/out" 2>>"$work/err"
! grep -qF -- "$PGPASSWORD" "$work/out" "$work/err" && pass "  the password never in results, logs or errors" || failure "  password shown" "$(grep -F -- "$PGPASSWORD" "$work/out" "$work/err" | head -2)"
grep -qF 'rawbackup:***@' "$work/err" && pass "  shown redacted" || failure "  redacted" "$(tail -3 "$work/err")"
sed "s|$pg_url|${secret_url}|" "$work/pg.yaml" >"$work/secret.yaml"
expect_code "a password in the config is refused" 2 "$rb" --config "$work/secret.yaml" status
expect_match "  names the key, not the password" "$work/err" 'store.url: must not contain a password'
! grep -qF -- "$PGPASSWORD" "$work/err" && pass "  not echoed" || failure "  echoed"

# --- store copy: SQLite → PostgreSQL ---
for n in a b c; do "$rb" --config "$work/lite.yaml" checksum --instrument astral1 "${n}_PRID1.raw" >/dev/null 2>&1; done
must "copy-local" "$rb" --config "$work/lite.yaml" copy-local b_PRID1.raw
psql_admin "CREATE DATABASE moved OWNER rawbackup" postgres
moved="${pg_url%/rawbackup}/moved"
expect_code "store copy --dry-run" 0 "$rb" --json store copy --dry-run "sqlite://$work/store.sqlite" "$moved"
expect_match "  counts, writes nothing" "$work/out" '"copied":3.*"outcome":"dry-run"'
[ "$(psql_admin "SELECT count(*) FROM pg_tables WHERE schemaname = 'public'" moved)" = 0 ] && pass "  not even the schema" || failure "  dry run made tables"
expect_code "store copy" 0 "$rb" --json store copy "sqlite://$work/store.sqlite" "$moved"
expect_match "  three records with their events" "$work/out" '"already_there":0,"copied":3,"events":[0-9]+.*"outcome":"done"'
expect_code "re-run is a no-op" 0 "$rb" --json store copy "sqlite://$work/store.sqlite" "$moved"
expect_match "  nothing copied" "$work/out" '"already_there":3,"copied":0.*"outcome":"unchanged"'
"$rb" --config "$work/lite.yaml" --json status --all >"$work/lite.json" 2>/dev/null
RAWBACKUP_STORE_URL="$moved" "$rb" --config "$work/lite.yaml" --json status --all >"$work/moved.json" 2>/dev/null
cmp -s "$work/lite.json" "$work/moved.json" && pass "status shows the same records in both" || failure "status differs" "$(diff "$work/lite.json" "$work/moved.json" | head -4)"
for id in a_PRID1.raw b_PRID1.raw; do
  "$rb" --config "$work/lite.yaml" --json status --history "$id" >"$work/h1" 2>/dev/null
  RAWBACKUP_STORE_URL="$moved" "$rb" --config "$work/lite.yaml" --json status --history "$id" >"$work/h2" 2>/dev/null
  cmp -s "$work/h1" "$work/h2" && pass "  $id: record, files and history identical" || failure "  $id differs" "$(diff "$work/h1" "$work/h2" | head -4)"
done
config "{path: other.sqlite}" other
must "checksum" "$rb" --config "$work/other.yaml" checksum --instrument astral1 c_PRID1.raw
expect_code "a target with other records is refused" 3 "$rb" store copy "sqlite://$work/other.sqlite" "$moved"
expect_match "  says why" "$work/err" 'holds [0-9]+ record\(s\) that .* does not have'
expect_code "the same store twice is refused" 2 "$rb" store copy "$pg_url" "$pg_url"
expect_code "a bad URL" 2 "$rb" store copy "sqlite://relative.sqlite" "$pg_url"
# --- two hosts scanning one folder at once: the same verdicts, one sighting per set, and no lock
# held across the listing (host 1 is held inside its listing while host 2 scans to the end) ---
cc -shared -fPIC -o "$work/kill_at.so" "$here/kill_at.c" -ldl || failure "build kill_at.so"
mkdir -p "$work/instruments/scanned"
for i in $(seq -w 1 60); do printf 'acquisition %s' "$i" >"$work/instruments/scanned/s${i}_PRID1.raw"; done
printf 'x' >"$work/instruments/scanned/bad$(printf '\x7f')_PRID1.raw"
sed -e 's|instruments: {astral1: .*|instruments: {scanned: {type: thermo, path: instruments/scanned}}|' \
  -e 's|settle_seconds: 0|settle_seconds: 3600|' "$work/pg.yaml" >"$work/scan.yaml"
for i in 01 02 03; do must "checksum s$i" "$rb" --config "$work/scan.yaml" checksum --settle 0 --instrument scanned "s${i}_PRID1.raw"; done
verdicts() { python3 -c 'import json,sys; print("\n".join(sorted(s["raw_file"]+" "+s["state"] for s in json.load(open(sys.argv[1]))["sets"])))' "$1"; }
scan_as() { RAWBACKUP_HOST_ID="$1" "$rb" --config "$work/scan.yaml" --json scan --all >"$work/$1.$2.json" 2>"$work/$1.$2.err"; }
rounds_ok=1
for round in 1 2 3 4 5; do
  scan_as host1 "$round" & p1=$!
  scan_as host2 "$round" & p2=$!
  wait "$p1"; c1=$?; wait "$p2"; c2=$?
  [ "$c1$c2" = 00 ] || { rounds_ok=0; failure "scans at once, round $round: exit $c1 and $c2" "$(cat "$work"/host?."$round".err)"; }
  [ "$(verdicts "$work/host1.$round.json")" = "$(verdicts "$work/host2.$round.json")" ] ||
    { rounds_ok=0; failure "round $round: the hosts' verdicts differ" "$(diff <(verdicts "$work/host1.$round.json") <(verdicts "$work/host2.$round.json") | head -5)"; }
done
[ "$rounds_ok" = 1 ] && pass "5 rounds of two scans at once: exit 0, the same verdicts"
verdicts "$work/host1.5.json" | awk '{print $2}' | sort | uniq -c | tr -s ' ' >"$work/states"
grep -q '^ 57 unsettled$' "$work/states" && grep -q '^ 3 recorded$' "$work/states" && grep -q '^ 1 invalid-name$' "$work/states" &&
  pass "  57 unsettled, 3 recorded, 1 invalid name" || failure "  states" "$(cat "$work/states")"
[ "$(psql_admin "SELECT count(*), count(DISTINCT name) FROM scan_sightings WHERE instrument_id = 'scanned'")" = "57|57" ] &&
  pass "  one sighting per unrecorded set" || failure "  sightings" "$(psql_admin "SELECT count(*), count(DISTINCT name) FROM scan_sightings")"
rm -f "$work/listing" "$work/go"
RAWBACKUP_HOST_ID=host1 LD_PRELOAD="$work/kill_at.so" KILL_SIGNAL=HOLD KILL_AT=opendir:instruments/scanned \
  HOLD_MARK="$work/listing" HOLD_UNTIL="$work/go" "$rb" --config "$work/scan.yaml" --json scan --all >"$work/held.json" 2>"$work/held.err" &
held=$!
wait_until 60 test -e "$work/listing" && pass "host 1 is inside its listing" || failure "host 1 never listed" "$(cat "$work/held.err")"
expect_code "  host 2 scans meanwhile (no lock held across the listing)" 0 scan_as host2 held
touch "$work/go"
wait "$held" && pass "  host 1 finishes after it" || failure "  host 1" "$(cat "$work/held.err")"
[ "$(verdicts "$work/held.json")" = "$(verdicts "$work/host2.held.json")" ] && pass "  the same verdicts" ||
  failure "  verdicts differ" "$(diff <(verdicts "$work/held.json") <(verdicts "$work/host2.held.json") | head -5)"
[ "$(psql_admin "SELECT count(*) FROM scan_sightings WHERE instrument_id = 'scanned'")" = 57 ] &&
  pass "  still one sighting per set" || failure "  sightings" "$(psql_admin "SELECT count(*) FROM scan_sightings")"
summary
