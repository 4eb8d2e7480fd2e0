#!/usr/bin/env bash
# One facility, many hosts: simulated hosts (different RAWBACKUP_HOST_IDs) share one
# PostgreSQL record store and one Ceph RADOS Gateway.
#   - acquisition PC runs checksum + copy-local, a worker upload-s3, an operator verify;
#     status --history shows each host in the events;
#   - 8 processes over 3 hosts race on one raw file for each task: one does the work, all
#     end 0, the record is consistent;
#   - kill -9 of a lock holder on the acquisition PC: the worker waits, then takes over once
#     the lease expired (5 s here); on the acquisition PC itself at once;
#   - an operator's batch picks up the failures another host recorded.
# Usage: multi_host_test.sh PATH/TO/rawbackup
source "$(dirname "$0")/lib.sh"
here="$(cd "$(dirname "$0")" && pwd)"
server=ceph rb="$1"
source "$here/s3/harness.sh"
source "$here/store/harness.sh"

inst="$work/instruments/astral1"
mkdir -p "$inst"
head -c $((12 * 1024 * 1024 + 5)) /dev/urandom >"$inst/m_PRID1_a.raw"
head -c $((7 * 1024 * 1024)) /dev/urandom >"$inst/m_PRID1_race.raw"
head -c $((600 * 1024 * 1024)) /dev/zero >"$inst/m_PRID1_big.raw"
cat >"$work/c.yaml" <<YAML
store: {url: "$pg_url", lease_seconds: 5}
checksum: {settle_seconds: 0}  # files written just now count as finished acquisitions
instruments: {astral1: {type: thermo, path: instruments/astral1}}
locations: {backup: backup}
project_pattern: "_(PRID\\\\d+)_"
backup: {backup_type: s3, s3: {region: us-east-1, bucket_prefix: rb-mh, endpoint_url: "$proxy", part_size_mb: 5}}
YAML
s3 PUT /rb-mh-prid1 -o /dev/null
on() { local host=$1; shift; RAWBACKUP_HOST_ID=$host "$rb" --config "$work/c.yaml" "$@"; }
# on_code NAME CODE HOST ARGS...
on_code() { local name=$1 want=$2 host=$3; shift 3; RAWBACKUP_HOST_ID=$host expect_code "$name" "$want" "$rb" --config "$work/c.yaml" "$@"; }

# --- each host its part of the pipeline ---
on_code "acq-pc: checksum" 0 acq-pc checksum --instrument astral1 m_PRID1_a.raw
on_code "acq-pc: copy-local" 0 acq-pc copy-local m_PRID1_a.raw
on_code "worker: upload-s3 to Ceph" 0 worker --json upload-s3 m_PRID1_a.raw
expect_match "  uploaded" "$work/out" '"outcome":"done".*"uploaded":1'
on_code "operator: verify --deep" 0 operator --json verify --deep m_PRID1_a.raw
on_code "status --history" 0 laptop --json status --history m_PRID1_a.raw
hosts="$(python3 -c 'import json,sys; r=json.load(open(sys.argv[1]))["records"][0]; print(" ".join(sorted({e["host"]+":"+e["task"] for e in r["history"]})))' "$work/out")"
[ "$hosts" = "acq-pc:checksum acq-pc:copy-local operator:verify worker:upload-s3" ] \
  && pass "  every host in the events ($hosts)" || failure "  hosts in the events" "$hosts"

# --- 8 processes over 3 hosts race on one raw file, for each task ---
race() {  # race NAME ARGS...: outputs in $work/race.N, codes in $work/codes
  local name=$1 pids=() hosts=(acq-pc worker operator)
  shift
  : >"$work/codes"
  for i in 0 1 2 3 4 5 6 7; do
    ( RAWBACKUP_HOST_ID=${hosts[i % 3]} "$rb" --config "$work/c.yaml" --lock-wait 120 --json "$@" >"$work/race.$i" 2>"$work/race.$i.err"
      echo $? >>"$work/codes" ) &
    pids+=($!)
  done
  wait "${pids[@]}"
  [ "$(sort -u "$work/codes")" = 0 ] && pass "$name: all 8 end 0" || failure "$name: exit codes" "$(sort "$work/codes" | tr '\n' ' ') $(cat "$work"/race.*.err | grep -m2 error)"
}
count() { cat "$work"/race.[0-7] | grep -c -- "$1"; }
id=m_PRID1_race.raw
race "checksum" checksum --instrument astral1 "$id"
[ "$(count '"outcome":"done"')" = 1 ] && [ "$(count '"outcome":"unchanged"')" = 7 ] && pass "  one hashed, seven found it unchanged" || failure "  checksum outcomes" "$(cat "$work"/race.[0-7])"
race "copy-local" copy-local "$id"
[ "$(count '"copied":1')" = 1 ] && [ "$(count '"outcome":"skipped"')" = 7 ] && pass "  one copied, seven skipped" || failure "  copy-local outcomes" "$(cat "$work"/race.[0-7])"
rules '[]'
race "upload-s3" upload-s3 "$id"
[ "$(count '"uploaded":1')" = 1 ] && [ "$(count '"uploaded":0')" = 7 ] && pass "  one uploaded, seven found it there" || failure "  upload-s3 outcomes" "$(cat "$work"/race.[0-7])"
[ "$(grep -cE '^POST [^ ]*[?&]uploads[= ]' "$log")" = 1 ] && pass "  one multipart upload started" || failure "  uploads started"
race "verify" verify "$id"
[ "$(count '"outcome":"ok","results"')" = 8 ] && pass "  eight agree: ok" || failure "  verify outcomes" "$(cat "$work"/race.[0-7])"
on_code "record consistent" 0 laptop --json status --history "$id"
python3 - "$work/out" <<'PY' && pass "  one event chain, ends copying_done / done" || failure "  record" "$(cat "$work/out" | head -c 600)"
import json, sys
r = json.load(open(sys.argv[1]))["records"][0]
for field, last in (("status", None), ("backup_status", "pending")):  # created pending, without an event
    for e in (e for e in r["history"] if e["field"] == field):
        assert e["from"] == last, (field, e)
        last = e["to"]
    assert last == r[field], (field, last, r[field])
assert r["status"] == "copying_done" and r["backup_status"] == "done"
assert [e["to"] for e in r["history"] if e["field"] == "status"].count("copying") == 1
PY
[ "$(psql_admin "SELECT count(*) FROM record_locks")" = 0 ] && pass "  no lock left behind" || failure "  locks left"

# --- kill -9 of a lock holder ---
on acq-pc checksum --instrument astral1 m_PRID1_big.raw >/dev/null 2>&1
held_by() { psql_admin "SELECT host FROM record_locks WHERE raw_file_id = 'm_PRID1_big.raw'"; }
kill_holder() {  # kill_holder HOST: starts copy-local on HOST, kill -9 once it holds the lock
  RAWBACKUP_HOST_ID=$1 "$rb" --config "$work/c.yaml" copy-local m_PRID1_big.raw >/dev/null 2>&1 &
  local pid=$!
  for _ in $(seq 100); do [ "$(held_by)" = "$1" ] && break; sleep 0.05; done
  kill -9 "$pid"; wait "$pid" 2>/dev/null
}
kill_holder acq-pc
[ "$(held_by)" = acq-pc ] && pass "kill -9 on acq-pc leaves its lease" || failure "lease left" "$(held_by)"
started=$SECONDS
on_code "worker waits for the lease to expire, then takes over" 0 worker --lock-wait 60 copy-local m_PRID1_big.raw
waited=$((SECONDS - started))
((waited >= 3)) && pass "  waited ${waited} s (lease 5 s)" || failure "  did not wait for the lease" "${waited} s"
expect_match "  said who held it" "$work/err" 'm_PRID1_big.raw is held by copy-local on acq-pc pid [0-9]+ since .*; waiting up to 1 min 00 s'
expect_match "  took it over" "$work/err" 'took over the lock on m_PRID1_big.raw left by copy-local on acq-pc pid [0-9]+ \(no heartbeat for'
rm -rf "$work/backup/astral1/"*/m_PRID1_big.raw
kill_holder acq-pc
on_code "on acq-pc itself: taken over at once" 0 acq-pc --lock-wait 60 copy-local m_PRID1_big.raw
# At once: taken because its pid is gone, not after the lease (the event, not the seconds,
# which include copying 600 MiB on a machine that may be busy).
expect_match "  at once: its pid is gone" "$work/err" 'took over the lock on m_PRID1_big.raw left by copy-local on acq-pc pid [0-9]+ \(no longer running\)'
! grep -q 'is held by' "$work/err" && pass "  without waiting" || failure "  without waiting" "$(grep 'is held by' "$work/err")"
expect_match "  says so" "$work/err" 'took over .* \(no longer running\)'

# --- an operator's batch picks up what another host recorded as failed ---
for n in f1 f2; do head -c 3000 /dev/urandom >"$inst/${n}_PRID1_x.raw"; on acq-pc checksum --instrument astral1 "${n}_PRID1_x.raw" >/dev/null 2>&1; done
rules '[{"method": "PUT", "fault": "500", "times": 40}]'
for n in f1 f2; do on_code "worker: upload of $n fails" 1 worker upload-s3 "${n}_PRID1_x.raw"; done
rules '[]'
on_code "operator: upload-s3 --all-status failed" 0 operator --json upload-s3 --all-status failed
expect_match "  both picked up and done" "$work/out" '"counts":\{"done":2\}.*"selected":2'
on_code "status" 0 laptop --json status --history f1_PRID1_x.raw
expect_match "  failure by worker, success by operator" "$work/out" '"host":"worker".*"to":"failed".*"host":"operator".*"to":"done"'
summary
