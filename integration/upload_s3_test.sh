#!/usr/bin/env bash
# upload-s3 end to end against a real S3 server on 127.0.0.1, started and stopped here:
#   ceph   — Ceph's RADOS Gateway (integration/s3/ceph.sh): proves the multipart rules (S3's
#            "-N" ETags, ListParts, Abort, BadDigest on a wrong Content-MD5, a wrong secret).
#   s3rver — an independent implementation: proves single PUTs, HEADs, bucket checks, a wrong
#            secret, and the whole-file-MD5 ETag rule (it reports that after a multipart upload).
# Every request goes through integration/s3/fault_proxy.py, which counts requests and injects
# what no server does on demand (a 500 then success, a corrupted body, a reset connection).
# The ObjectStore conformance suite (unit test binary) runs against the same server first.
# Usage: upload_s3_test.sh ceph|s3rver PATH/TO/rawbackup PATH/TO/rawbackup_tests
source "$(dirname "$0")/lib.sh"
here="$(cd "$(dirname "$0")" && pwd)"
server="$1" rb="$2" unit="$3"
source "$here/s3/harness.sh"

expect_code "conformance suite against $server" 0 env RAWBACKUP_TEST_S3_SERVER="$server" \
  "$unit" --gtest_filter="Backends/ObjectStoreConformance.*/$server"

inst="$work/instruments"
mkdir -p "$inst/astral1" "$inst/timstof1/b_PRID2_x.d/sub" "$inst/zenotof1"
head -c $((12 * 1024 * 1024 + 5)) /dev/urandom >"$inst/astral1/t_PRID1_a.raw"  # 3 parts of 5 MiB
head -c 70000 /dev/urandom >"$inst/timstof1/b_PRID2_x.d/analysis.tdf"
head -c $((6 * 1024 * 1024)) /dev/urandom >"$inst/timstof1/b_PRID2_x.d/sub/analysis.tdf_bin"
: >"$inst/timstof1/b_PRID2_x.d/sub/empty.bin"
head -c 1000 /dev/urandom >"$inst/zenotof1/s_PRID3_q.wiff2"
head -c 3000 /dev/urandom >"$inst/zenotof1/s_PRID3_q.wiff.scan"
long_id="t_PRID$(printf '1%.0s' $(seq 60))_long.raw"
head -c 10 /dev/urandom >"$inst/astral1/$long_id"
config() {  # config BACKUP_TYPE → $work/c.yaml
  cat >"$work/c.yaml" <<YAML
store: {path: store.sqlite}
checksum: {settle_seconds: 0}  # files written just now count as finished acquisitions
instruments:
  astral1: {type: thermo, path: instruments/astral1}
  timstof1: {type: bruker, path: instruments/timstof1, required_members: [analysis.tdf, sub/analysis.tdf_bin]}
  zenotof1: {type: sciex, path: instruments/zenotof1}
locations: {backup: backup}
project_pattern: "_(PRID\\\\d+)_"
backup: {backup_type: $1, s3: {region: us-east-1, bucket_prefix: rb-it, endpoint_url: "$proxy", part_size_mb: 5}}
YAML
}
c=(--config "$work/c.yaml")
config s3
for id in t_PRID1_a.raw "$long_id"; do "$rb" "${c[@]}" checksum --instrument astral1 "$id" >/dev/null 2>&1; done
must "checksum" "$rb" "${c[@]}" checksum --instrument timstof1 b_PRID2_x.d
must "checksum" "$rb" "${c[@]}" checksum --instrument zenotof1 s_PRID3_q.wiff2
s3 PUT /rb-it-prid2 -o /dev/null
s3 PUT /rb-it-prid3 -o /dev/null

# --- refusals before any upload ---
config local
expect_code "backup_type local: skipped" 0 "$rb" "${c[@]}" --json upload-s3 t_PRID1_a.raw
expect_match "outcome skipped" "$work/out" '"outcome":"skipped"'
expect_code "--skip-exit-code 99" 99 "$rb" "${c[@]}" upload-s3 --skip-exit-code 99 t_PRID1_a.raw
config s3
rules '[]'
expect_code "missing credentials" 2 env -u AWS_SECRET_ACCESS_KEY "$rb" "${c[@]}" upload-s3 t_PRID1_a.raw
expect_match "names the variables" "$work/err" 'AWS_ACCESS_KEY_ID and AWS_SECRET_ACCESS_KEY'
[ ! -s "$log" ] && pass "no request without credentials" || failure "no request without credentials"
expect_code "no checksum" 2 "$rb" "${c[@]}" upload-s3 never_checksummed.raw
expect_code "missing bucket" 1 "$rb" "${c[@]}" upload-s3 t_PRID1_a.raw
expect_match "says which bucket, region, endpoint" "$work/err" "bucket rb-it-prid1 does not exist \(region us-east-1, endpoint $proxy\)"
expect_code "status after missing bucket" 0 "$rb" "${c[@]}" --json status t_PRID1_a.raw
expect_match "backup_status failed" "$work/out" '"backup_status":"failed"'
expect_code "too-long bucket name" 2 "$rb" "${c[@]}" upload-s3 "$long_id"
expect_match "names the project" "$work/err" "project PRID1{60}"
s3 PUT /rb-it-prid1 -o /dev/null
expect_code "wrong secret" 1 env AWS_SECRET_ACCESS_KEY=wrong-secret "$rb" "${c[@]}" upload-s3 t_PRID1_a.raw
expect_match "access denied, says why" "$work/err" 'access to bucket rb-it-prid1 denied: wrong secret key'

# --- uploads, verification, re-runs ---
expect_code "dry run" 0 "$rb" "${c[@]}" --json upload-s3 --dry-run t_PRID1_a.raw
expect_match "dry run plans an upload" "$work/out" '"action":"upload"'
rules '[{"method": "PUT", "query": "partNumber=2", "fault": "500"}]'
expect_code "thermo multipart upload (500 on part 2, retried)" 0 "$rb" "${c[@]}" --json upload-s3 t_PRID1_a.raw
expect_match "result" "$work/out" '"bucket":"rb-it-prid1".*"outcome":"done".*"uploaded":1'
[ "$(grep -c 'partNumber=2.* 500 500' "$log")" -eq 1 ] && [ "$(grep -c 'partNumber=2.* 200' "$log")" -eq 1 ] \
  && pass "part 2 sent again after the 500" || failure "part 2 sent again after the 500" "$(cat "$log")"
expect_match "retry logged" "$work/err" 'InternalError \(HTTP 500\).*retry 1/4'
want_md5="$(md5sum <"$inst/astral1/t_PRID1_a.raw" | cut -d' ' -f1)"
got="$(etag_of rb-it-prid1/t_PRID1_a.raw)"
if [ "$server" = ceph ]; then
  [[ $got == *-3 ]] && pass "S3 multipart ETag (-3)" || failure "S3 multipart ETag (-3)" "$got"
else
  [ "$got" = "$want_md5" ] && pass "whole-file MD5 ETag accepted" || failure "whole-file MD5 ETag accepted" "$got"
fi
[ "$(s3 GET /rb-it-prid1/t_PRID1_a.raw | md5sum | cut -d' ' -f1)" = "$want_md5" ] && pass "object bytes identical" || failure "object bytes identical"
expect_code "status done" 0 "$rb" "${c[@]}" --json status t_PRID1_a.raw
expect_match "done with s3_upload_path" "$work/out" '"backup_status":"done".*"s3_upload_path":"s3://rb-it-prid1/"'
rules '[]'
expect_code "re-run" 0 "$rb" "${c[@]}" --json upload-s3 t_PRID1_a.raw
expect_match "re-run skips" "$work/out" '"skipped":1.*"uploaded":0'
[ "$(grep -vc '^HEAD ' "$log")" -eq 0 ] && pass "re-run makes only HEAD requests" || failure "re-run makes only HEAD requests" "$(cat "$log")"

expect_code "bruker folder" 0 "$rb" "${c[@]}" --json upload-s3 b_PRID2_x.d
expect_match "3 files" "$work/out" '"uploaded":3'
[ "$(etag_of rb-it-prid2/b_PRID2_x.d/sub/empty.bin)" = d41d8cd98f00b204e9800998ecf8427e ] && pass "nested empty file" || failure "nested empty file"
expect_code "sciex set under <id>/" 0 "$rb" "${c[@]}" --json upload-s3 s_PRID3_q.wiff2
expect_match "prefix is the id" "$work/out" '"prefix":"s_PRID3_q.wiff2/"'
[ -n "$(etag_of rb-it-prid3/s_PRID3_q.wiff2/s_PRID3_q.wiff.scan)" ] && pass "sciex scan file there" || failure "sciex scan file there"

# An object replaced behind our back is uploaded again, and logged as a change.
must "replace the object" s3_ok PUT /rb-it-prid2/b_PRID2_x.d/analysis.tdf --data-binary "other content" -o /dev/null
expect_code "differing object re-uploaded" 0 "$rb" "${c[@]}" --json upload-s3 b_PRID2_x.d
expect_match "one re-uploaded" "$work/out" '"skipped":2.*"uploaded":1'
expect_match "logged as a change" "$work/err" 'differs from the record'
[ "$(s3 GET /rb-it-prid2/b_PRID2_x.d/analysis.tdf | md5sum)" = "$(md5sum <"$inst/timstof1/b_PRID2_x.d/analysis.tdf")" ] && pass "right bytes again" || failure "right bytes again"

# Two runs at once on one id: one uploads, the other waits for the lock and skips.
s3 DELETE /rb-it-prid3/s_PRID3_q.wiff2/s_PRID3_q.wiff2 -o /dev/null
"$rb" "${c[@]}" --json upload-s3 s_PRID3_q.wiff2 >"$work/r1" 2>/dev/null & p1=$!
"$rb" "${c[@]}" --json upload-s3 s_PRID3_q.wiff2 >"$work/r2" 2>/dev/null & p2=$!
wait $p1; c1=$?; wait $p2; c2=$?
[ $c1 -eq 0 ] && [ $c2 -eq 0 ] && pass "two concurrent runs succeed" || failure "two concurrent runs succeed" "$c1 $c2"
[ "$(cat "$work/r1" "$work/r2" | grep -c '"uploaded":1')" -eq 1 ] && pass "exactly one uploads" || failure "exactly one uploads" "$(cat "$work/r1" "$work/r2")"

# --- failures: all-or-nothing, never done for data S3 does not hold ---
# A part corrupted on the way: Ceph refuses it against the recorded MD5 (BadDigest), s3rver
# stores it and its ETag gives it away. The local part still matches the record: sent again.
# Twice: a retryable failure, nothing completed, the upload kept for a re-run.
s3 DELETE /rb-it-prid1/t_PRID1_a.raw -o /dev/null
if [ "$server" = ceph ]; then refused='the server refused the bytes sent \(BadDigest'; else refused='S3 stored ETag [0-9a-f]+ for bytes sent with MD5'; fi
rules '[{"method": "PUT", "query": "partNumber=2", "fault": "corrupt"}]'
expect_code "part 2 corrupted once: sent again, done" 0 "$rb" "${c[@]}" upload-s3 t_PRID1_a.raw
expect_match "says why it is sent again" "$work/err" "part 2 of s3://rb-it-prid1/t_PRID1_a.raw: $refused.*corrupted on the way"
s3 DELETE /rb-it-prid1/t_PRID1_a.raw -o /dev/null
rules '[{"method": "PUT", "query": "partNumber=2", "fault": "corrupt", "times": 2}]'
expect_code "part 2 corrupted twice: retryable failure" 1 "$rb" "${c[@]}" upload-s3 t_PRID1_a.raw
expect_match "says corrupted on the way, resumable" "$work/err" "twice, although the local bytes match the record: corrupted on the way \(resumable"
! grep -q '^POST [^ ]*uploadId=' "$log" && pass "nothing completed" || failure "nothing completed"
[ -z "$(etag_of rb-it-prid1/t_PRID1_a.raw)" ] && pass "no object after the failure" || failure "no object after the failure"
expect_code "status after failure" 0 "$rb" "${c[@]}" --json status t_PRID1_a.raw
expect_match "failed, with the error" "$work/out" '"backup_status":"failed".*"error":"'
rules '[]'
expect_code "re-run once the corruption stopped" 0 "$rb" "${c[@]}" upload-s3 t_PRID1_a.raw
# Interrupted mid-upload (part 2 stalls): SIGTERM gives exit 130 at once and a resumable
# record; kill -9 leaves the upload too. Each re-run resumes: parts in S3 are not sent again.
# "At once" is an event, not seconds: the stall outlasts the test and the client's stall
# timeout is an hour, so only the signal can end the run while part 2 is still stalled.
sed 's/part_size_mb: 5}/part_size_mb: 5, stall_timeout_s: 3600}/' "$work/c.yaml" >"$work/patient.yaml"
parts_1_and_3_stored() { [ "$(grep -c '^PUT .*partNumber=[13].* 200' "$log")" -eq 2 ]; }
for signal in TERM KILL; do
  s3 DELETE /rb-it-prid1/t_PRID1_a.raw -o /dev/null
  rules '[{"method": "PUT", "query": "partNumber=2", "fault": "stall", "seconds": 3000}]'
  "$rb" --config "$work/patient.yaml" upload-s3 t_PRID1_a.raw >/dev/null 2>"$work/err" & pid=$!
  wait_for "$log" '^PUT [^ ]*partNumber=2.* - stalling' 120
  wait_until 600 parts_1_and_3_stored || failure "  parts 1 and 3 stored while part 2 stalls" "$(cat "$log")"
  kill -$signal $pid; { wait $pid; } 2>/dev/null; code=$?
  if [ $signal = TERM ]; then
    [ $code -eq 130 ] && pass "SIGTERM mid-upload: exit 130" || failure "SIGTERM mid-upload: exit 130" "exit $code"
    ! grep -q '^PUT [^ ]*partNumber=2.* 200' "$log" && pass "stopped while part 2 was still stalled" \
      || failure "stopped while part 2 was still stalled" "$(grep 'partNumber=2' "$log")"
    expect_code "status after SIGTERM" 0 "$rb" "${c[@]}" --json status t_PRID1_a.raw
    expect_match "failed: interrupted, resumable" "$work/out" '"backup_status":"failed".*"error":"interrupted, resumable'
  fi
  ! grep -q '^DELETE' "$log" && pass "SIG$signal: upload kept, not aborted" || failure "SIG$signal: upload kept, not aborted"
  rules '[]'
  expect_code "re-run after SIG$signal" 0 "$rb" "${c[@]}" --json upload-s3 t_PRID1_a.raw
  [ "$(s3 GET /rb-it-prid1/t_PRID1_a.raw | md5sum)" = "$(md5sum <"$inst/astral1/t_PRID1_a.raw")" ] \
    && pass "object byte-identical after SIG$signal" || failure "object byte-identical after SIG$signal"
  if [ "$server" = ceph ]; then
    sent="$(grep -o '^PUT [^ ]*partNumber=[0-9]*' "$log" | grep -o 'partNumber=[0-9]*' | tr '\n' ' ')"
    [ "$sent" = "partNumber=2 " ] && pass "SIG$signal: resumed, only part 2 sent again" || failure "SIG$signal: resumed, only part 2 sent again" "$sent"
    expect_match "resume logged" "$work/err" 'resumed: 2 part\(s\) already in S3 were kept'
  fi
done
s3 DELETE /rb-it-prid1/t_PRID1_a.raw -o /dev/null
rules '[{"method": "PUT", "fault": "500", "times": 30}]'
expect_code "500 beyond the retries" 1 "$rb" "${c[@]}" upload-s3 t_PRID1_a.raw
expect_match "gave up after 5 tries" "$work/err" 'InternalError'
rules '[{"method": "PUT", "query": "partNumber=1", "fault": "reset"}]'
expect_code "connection reset, retried" 0 "$rb" "${c[@]}" upload-s3 t_PRID1_a.raw
echo "x" >>"$inst/zenotof1/s_PRID3_q.wiff.scan"
s3 DELETE /rb-it-prid3/s_PRID3_q.wiff2/s_PRID3_q.wiff.scan -o /dev/null
rules '[]'
expect_code "file changed since checksum: a conflict (exit 3)" 3 "$rb" "${c[@]}" upload-s3 s_PRID3_q.wiff2
expect_match "names the way out" "$work/err" 'source changed since checksum \(s_PRID3_q.wiff.scan: size .*checksum --rehash --instrument zenotof1 s_PRID3_q.wiff2'
[ "$(grep -c '^PUT' "$log")" -eq 0 ] && pass "nothing uploaded from a changed file" || failure "nothing uploaded from a changed file"

# A stalled request (no bytes for stall_timeout_s) is cancelled and retried.
sed 's/part_size_mb: 5}/part_size_mb: 5, stall_timeout_s: 2}/' "$work/c.yaml" >"$work/stall.yaml"
s3 DELETE /rb-it-prid1/t_PRID1_a.raw -o /dev/null
rules '[{"method": "PUT", "query": "partNumber=1", "fault": "stall", "seconds": 3000}]'
expect_code "stalled part retried" 0 "$rb" --config "$work/stall.yaml" upload-s3 t_PRID1_a.raw
expect_match "stall cut by the client, not by the server" "$log" '^PUT [^ ]*partNumber=1.* - stalled, client gone$'
expect_match "logged as a retry" "$work/err" 'NetworkError.*retry 1/4'

# The bandwidth cap holds (12 MiB at 4 MB/s, 4 connections).
s3 DELETE /rb-it-prid1/t_PRID1_a.raw -o /dev/null
rules '[]'
expect_code "--max-bandwidth 4MB/s" 0 "$rb" "${c[@]}" --json upload-s3 --max-bandwidth 4MB/s t_PRID1_a.raw
rate="$(python3 -c 'import json,sys; r=json.load(open(sys.argv[1])); print(int(r["bytes"]/r["seconds"]))' "$work/out")"
# At most the cap (+10% for the first burst); a busy machine may be slower, never faster.
((rate <= 4400000)) && pass "rate at most 4 MB/s + 10% ($rate B/s)" || failure "rate at most 4 MB/s + 10%" "$rate B/s"
rules '[]'
expect_code "bad --max-bandwidth" 2 "$rb" "${c[@]}" upload-s3 --max-bandwidth fast t_PRID1_a.raw
[ ! -s "$log" ] && pass "bad --max-bandwidth: no request" || failure "bad --max-bandwidth: no request" "$(cat "$log")"

# An endpoint as the SDKs take it: an upper-case scheme and a path (a gateway serving S3 under
# /storage/s3, which checks each signature over the whole path with botocore's signer).
mkdir -p "$work/gateway"
/usr/bin/python3 "$here/s3/prefix_gateway.py" "$upstream" /storage/s3 "$work/gateway" 2>"$work/gateway/stderr" &
gateway_pid=$!
trap 'kill "$gateway_pid" 2>/dev/null; stop_all' EXIT
for _ in $(seq 50); do [ -f "$work/gateway/port" ] && break; sleep 0.1; done
gateway="HTTP://127.0.0.1:$(cat "$work/gateway/port")/storage/s3/"
sed "s|endpoint_url: \"[^\"]*\"|endpoint_url: \"$gateway\"|" "$work/c.yaml" >"$work/gateway.yaml"
g=(--config "$work/gateway.yaml")
s3 DELETE /rb-it-prid1/t_PRID1_a.raw -o /dev/null
expect_code "endpoint HTTP://host/storage/s3/: upload" 0 "$rb" "${g[@]}" --json upload-s3 t_PRID1_a.raw
expect_match "  every request under the path" "$work/gateway/requests.log" '^PUT /storage/s3/rb-it-prid1/t_PRID1_a.raw\?partNumber=1&uploadId=[^ ]* 200$'
[ -z "$(awk 'NF != 3' "$work/gateway/requests.log")" ] \
  && pass "  each signed over the whole path, as botocore signs" || failure "  each signed as botocore signs" "$(cat "$work/gateway/requests.log")"
[ "$(etag_of rb-it-prid1/t_PRID1_a.raw)" != "" ] && pass "  the object is in the bucket" || failure "  the object is in the bucket"
expect_code "  verify --s3 --deep through the path" 0 "$rb" "${g[@]}" verify --s3 --deep t_PRID1_a.raw
: >"$work/gateway/requests.log"
/usr/bin/aws --region us-east-1 --endpoint-url "$gateway" s3api head-object --bucket rb-it-prid1 --key t_PRID1_a.raw >/dev/null 2>&1
"$rb" "${g[@]}" verify --s3 t_PRID1_a.raw >/dev/null 2>&1
[ "$(wc -l <"$work/gateway/requests.log")" -eq 2 ] && [ "$(sort -u "$work/gateway/requests.log" | wc -l)" -eq 1 ] && pass "  the same HEAD as awscli's" \
  || failure "  the same HEAD as awscli's" "$(cat "$work/gateway/requests.log")"
expect_code "  a wrong secret: refused by the gateway" 1 env AWS_SECRET_ACCESS_KEY=wrong "$rb" "${g[@]}" verify --s3 t_PRID1_a.raw
expect_match "  as a refusal" "$work/gateway/requests.log" '^HEAD /storage/s3/rb-it-prid1/t_PRID1_a.raw 403 SignatureDoesNotMatch$'
kill "$gateway_pid"

# Nothing secret in logs or results, at the most verbose level, through retries and failures.
s3 DELETE /rb-it-prid1/t_PRID1_a.raw -o /dev/null
rules '[{"method": "PUT", "query": "partNumber=1", "fault": "503"}]'
for format in json text; do
  "$rb" "${c[@]}" --json --log-level trace --log-format $format upload-s3 t_PRID1_a.raw >>"$work/all" 2>&1
  env AWS_SECRET_ACCESS_KEY=wrong-secret "$rb" "${c[@]}" --json --log-level trace upload-s3 b_PRID2_x.d >>"$work/all" 2>&1
done
expect_match "trace logs show requests" "$work/all" 'S3 PUT /rb-it-prid1/t_PRID1_a.raw'
! grep -qF -e "$AWS_SECRET_ACCESS_KEY" -e wrong-secret -e 'Signature=' -e 'Credential=' "$work/all" \
  && pass "no secret, signature or credential in logs" || failure "no secret, signature or credential in logs"
summary
