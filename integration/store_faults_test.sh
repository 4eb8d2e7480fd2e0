#!/usr/bin/env bash
# The shared store failing under running tasks (PostgreSQL, s3rver behind the fault proxy):
#   - the server restarted while an upload runs: the task reconnects and ends done;
#   - its session killed (pg_terminate_backend) mid-upload: reconnects, done;
#   - serialization failures (40001) and a deadlock (40P01), injected by a trigger: retried;
#   - the server gone for longer than the busy timeout mid-upload: exit 1, one line, and the
#     record never says done for what the run did not record; a re-run after the server is
#     back finishes the upload.
# Usage: store_faults_test.sh PATH/TO/rawbackup
source "$(dirname "$0")/lib.sh"
here="$(cd "$(dirname "$0")" && pwd)"
server=s3rver rb="$1"
source "$here/s3/harness.sh"
source "$here/store/harness.sh"

inst="$work/instruments/astral1"
mkdir -p "$inst"
for n in a b c d; do head -c $((12 * 1024 * 1024)) /dev/urandom >"$inst/${n}_PRID1_x.raw"; done
cat >"$work/c.yaml" <<YAML
store: {url: "$pg_url"}
checksum: {settle_seconds: 0}  # files written just now count as finished acquisitions
instruments: {astral1: {type: thermo, path: instruments/astral1}}
locations: {backup: backup}
project_pattern: "_(PRID\\\\d+)_"
backup: {backup_type: s3, s3: {region: us-east-1, bucket_prefix: rb-sf, endpoint_url: "$proxy", part_size_mb: 5}}
YAML
c=(--config "$work/c.yaml")
s3 PUT /rb-sf-prid1 -o /dev/null
for n in a b c d; do "$rb" "${c[@]}" checksum --instrument astral1 "${n}_PRID1_x.raw" >/dev/null 2>&1; done
backup_status() { psql_admin "SELECT backup_status FROM raw_files WHERE id = '$1'"; }
# upload_during ID FAULT...: upload-s3 with part 2 stalling 4 s; runs FAULT meanwhile.
upload_during() {
  local id=$1
  shift
  rules '[{"method": "PUT", "query": "partNumber=2", "fault": "stall", "seconds": 4}]'
  "$rb" "${c[@]}" --json upload-s3 "$id" >"$work/out" 2>"$work/err" &
  local pid=$!
  for _ in $(seq 100); do grep -q 'partNumber=1.* 200' "$log" && break; sleep 0.1; done
  "$@"
  wait "$pid"
}

upload_during a_PRID1_x.raw bash -c "'$here/store/postgresql.sh' halt '$pg_dir' && sleep 1 && '$here/store/postgresql.sh' resume '$pg_dir'"
code=$?
[ "$code" -eq 0 ] && pass "server restarted mid-upload: done (exit 0)" || failure "restart mid-upload" "exit $code $(tail -c 400 "$work/err")"
[ "$(backup_status a_PRID1_x.raw)" = done ] && pass "  recorded done" || failure "  not done" "$(backup_status a_PRID1_x.raw)"

upload_during b_PRID1_x.raw psql_admin "SELECT count(pg_terminate_backend(pid)) FROM pg_stat_activity WHERE application_name = 'rawbackup'" postgres >/dev/null
code=$?
[ "$code" -eq 0 ] && pass "sessions terminated mid-upload: done (exit 0)" || failure "terminate mid-upload" "exit $code $(tail -c 400 "$work/err")"
[ "$(backup_status b_PRID1_x.raw)" = done ] && pass "  recorded done" || failure "  not done"

psql_admin "CREATE SEQUENCE fault_seq; CREATE FUNCTION fault() RETURNS trigger LANGUAGE plpgsql AS \$\$
BEGIN
  CASE nextval('fault_seq') WHEN 1, 2 THEN RAISE EXCEPTION 'injected' USING ERRCODE = '40001';
                            WHEN 3 THEN RAISE EXCEPTION 'injected' USING ERRCODE = '40P01'; ELSE NULL; END CASE;
  RETURN NEW;
END \$\$; CREATE TRIGGER fault BEFORE UPDATE ON raw_files FOR EACH ROW EXECUTE FUNCTION fault();
GRANT USAGE ON SEQUENCE fault_seq TO rawbackup"
rules '[]'
expect_code "serialization failures and a deadlock: retried" 0 "$rb" "${c[@]}" copy-local c_PRID1_x.raw
[ "$(psql_admin "SELECT last_value FROM fault_seq")" -ge 4 ] && pass "  the faults were hit" || failure "  faults not hit"
psql_admin "DROP TRIGGER fault ON raw_files"

upload_during d_PRID1_x.raw "$here/store/postgresql.sh" halt "$pg_dir"
code=$?
[ "$code" -eq 1 ] && pass "server gone mid-upload: exit 1 (retryable)" || failure "server gone" "exit $code $(tail -c 400 "$work/err")"
# Mid-upload the lease cannot be confirmed either: nothing more is sent (the upload stays for a re-run).
expect_match "  says the store is unreachable" "$work/out" '"error":"([^"]*: )?record store postgresql://rawbackup@127.0.0.1:[0-9]+/rawbackup is unreachable: .*gave up'
[ "$(wc -l <"$work/out")" -eq 1 ] && pass "  one JSON line" || failure "  output lines"
"$here/store/postgresql.sh" resume "$pg_dir"
[ "$(backup_status d_PRID1_x.raw)" != done ] && pass "  never recorded done ($(backup_status d_PRID1_x.raw))" || failure "  recorded done"
rules '[]'
expect_code "re-run once the server is back" 0 "$rb" "${c[@]}" --json upload-s3 d_PRID1_x.raw
[ "$(backup_status d_PRID1_x.raw)" = done ] && pass "  done" || failure "  not done"
[ "$(s3 GET /rb-sf-prid1/d_PRID1_x.raw | md5sum)" = "$(md5sum <"$inst/d_PRID1_x.raw")" ] && pass "  object identical" || failure "  object differs"
summary
