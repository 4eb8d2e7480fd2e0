#!/usr/bin/env bash
# Faults: every fault integration/s3/fault_proxy.py injects, alone and combined, against Ceph's
# gateway (real multipart uploads, ListParts, Abort). Each case checks the end state on the
# server and in the store, not only the exit code: either done with the object's ETag and
# bytes right, or failed with no object and the multipart upload aborted (or kept for a resume
# after network trouble) — never done with wrong data.
# Usage: faults_test.sh PATH/TO/rawbackup
source "$(dirname "$0")/lib.sh"
here="$(cd "$(dirname "$0")" && pwd)"
server=ceph rb="$1"
source "$here/s3/harness.sh"

src="$work/instruments/astral1/f_PRID1_a.raw"
mkdir -p "$(dirname "$src")"
head -c $((21 * 1024 * 1024 + 7)) /dev/urandom >"$src"  # 5 parts of 5 MiB
write_config "$work/c.yaml" "{backup_type: s3, s3: {region: us-east-1, bucket_prefix: rb-fault, endpoint_url: \"$proxy\", part_size_mb: 5, stall_timeout_s: 2}}" 'instruments: {astral1: {type: thermo, path: instruments/astral1}}'
c=(--config "$work/c.yaml")
id=f_PRID1_a.raw
s3 PUT /rb-fault-prid1 -o /dev/null
must "checksum" "$rb" "${c[@]}" checksum --instrument astral1 "$id"
want="$("$rb" "${c[@]}" --json status "$id" | python3 -c "import json,sys; print(json.load(sys.stdin)['records'][0]['file_info']['$id']['etag'])")"
src_md5="$(md5sum <"$src")"
field() { "$rb" "${c[@]}" --json status "$id" | python3 -c "import json,sys; print(json.load(sys.stdin)['records'][0]$1)"; }
uploads_left() { s3 GET "/rb-fault-prid1?uploads" | grep -o '<UploadId>' | wc -l; }

# upload NAME WANT RULES: one upload through RULES, then its end state, WANT one of
#   done       exit 0, recorded done, object with the record's ETag and bytes
#   failed     exit ≠ 0, recorded failed, no object, no multipart upload left (aborted)
#   kept       the same, but the multipart upload kept for a resume
#   unverified exit ≠ 0, recorded failed; the object, if there, right (it could not be checked)
upload() {
  local name="$1" want_state="$2"
  s3 DELETE "/rb-fault-prid1/$id" -o /dev/null
  rules "$3"
  "$rb" "${c[@]}" upload-s3 "$id" >"$work/out" 2>"$work/err"
  local code=$? etag backup
  etag="$(etag_of "rb-fault-prid1/$id")"
  backup="$(field "['backup_status']")"
  case "$want_state" in
    done)
      if [ $code -eq 0 ] && [ "$backup" = done ] && [ "$etag" = "$want" ] && [ "$(s3 GET "/rb-fault-prid1/$id" | md5sum)" = "$src_md5" ]; then
        pass "$name: done through the retries, object right"
      else failure "$name" "exit $code, $backup, ETag ${etag:-none}: $(grep -m2 error "$work/err" | tail -c 300)"; fi ;;
    failed | kept)
      local left; left="$(uploads_left)"
      if [ $code -ne 0 ] && [ "$backup" = failed ] && [ -z "$etag" ] && { [ "$want_state" = kept ] || [ "$left" -eq 0 ]; }; then
        pass "$name: failed (exit $code), no object, upload $([ "$want_state" = kept ] && echo "kept for resume" || echo aborted)"
      else failure "$name" "exit $code, $backup, ETag ${etag:-none}, $left upload(s) left: $(grep -m1 error "$work/err" | tail -c 300)"; fi ;;
    unverified)
      if [ $code -ne 0 ] && [ "$backup" = failed ] && { [ -z "$etag" ] || [ "$etag" = "$want" ]; }; then
        pass "$name: failed (exit $code), not recorded done; object ${etag:+there and right}${etag:-absent}"
      else failure "$name" "exit $code, $backup, ETag ${etag:-none}"; fi ;;
  esac
  [ "$backup" = done ] && [ "$etag" != "$want" ] && failure "$name: DONE WITH WRONG DATA"
}
parts_sent() { grep -c "^PUT [^ ]*partNumber=$1&" "$log"; }

upload "3rd UploadPart fails twice (500)" done '[{"method": "PUT", "query": "partNumber=", "after": 2, "times": 2, "fault": "500"}]'
[ "$(grep -c ' 500 500$' "$log")" -eq 2 ] && pass "  the proxy failed exactly 2 requests" || failure "  failed requests" "$(grep -c ' 500 500$' "$log")"
upload "503 SlowDown on the initiate" done '[{"method": "POST", "query": "uploads", "fault": "503", "times": 3}]'
upload "reset before part 1 is read" done '[{"method": "PUT", "query": "partNumber=1&", "fault": "reset"}]'
upload "part 4 stalls past the stall timeout" done '[{"method": "PUT", "query": "partNumber=4&", "fault": "stall", "seconds": 8}]'
upload "Complete reply truncated" done '[{"method": "POST", "query": "uploadId", "fault": "truncate"}]'
upload "Complete reply reset mid-body" done '[{"method": "POST", "query": "uploadId", "fault": "reset_mid_body"}]'
upload "Complete reply with a wrong ETag" done '[{"method": "POST", "query": "uploadId", "fault": "wrong_etag"}]'
upload "combined: 503 initiate, 500 part 2, reset part 3, stall part 5, truncated Complete" done '[
  {"method": "POST", "query": "uploads", "fault": "503"},
  {"method": "PUT", "query": "partNumber=2&", "fault": "500"},
  {"method": "PUT", "query": "partNumber=3&", "fault": "reset"},
  {"method": "PUT", "query": "partNumber=5&", "fault": "stall", "seconds": 8},
  {"method": "POST", "query": "uploadId", "fault": "truncate"}]'
# A part refused (BadDigest) or stored with another ETag while the local bytes are the
# record's: corrupted on the way, sent again; twice: a transient failure, the upload kept.
upload "a part reply with a wrong ETag, once" done '[{"method": "PUT", "query": "partNumber=2&", "fault": "wrong_etag"}]'
upload "a corrupted part (BadDigest), once" done '[{"method": "PUT", "query": "partNumber=2&", "fault": "corrupt"}]'
upload "a corrupted part (BadDigest), twice" kept '[{"method": "PUT", "query": "partNumber=2&", "fault": "corrupt", "times": 2}]'
upload "re-run after the corruption stopped" done '[]'
upload "500 on every part beyond the retries" kept '[{"method": "PUT", "query": "partNumber=", "fault": "500", "times": 100}]'
upload "re-run after the network came back" done '[]'
upload "HEAD after Complete always 503" unverified '[{"method": "HEAD", "path": "f_PRID1", "after": 1, "fault": "503", "times": 100}]'
rules '[]'
expect_code "  a re-run verifies it" 0 "$rb" "${c[@]}" upload-s3 "$id"
[ "$(field "['backup_status']")" = done ] && pass "  then recorded done" || failure "  not done after the re-run"

# Restore and verify --deep through broken replies: ranged GETs retried for the missing bytes.
must "upload-s3" "$rb" "${c[@]}" upload-s3 "$id"
rules '[{"method": "GET", "fault": "reset_mid_body", "times": 2}, {"method": "GET", "fault": "truncate", "times": 2}]'
expect_code "restore through reset and truncated GETs" 0 "$rb" "${c[@]}" restore --from s3 --to "$work/restored" "$id"
cmp -s "$src" "$work/restored/$id" && pass "  restored bytes identical" || failure "  restored bytes differ"
rules '[{"method": "GET", "fault": "truncate", "times": 3}]'
expect_code "verify --deep through truncated GETs" 0 "$rb" "${c[@]}" verify --s3 --deep "$id"
rules '[]'

# The source changes while it is uploaded (from the instrument folder, capped so there is
# time): detected, failed, nothing completed.
s3 DELETE "/rb-fault-prid1/$id" -o /dev/null
"$rb" "${c[@]}" upload-s3 --max-bandwidth 5MB/s --concurrency 1 "$id" >"$work/out" 2>"$work/err" & pid=$!
wait_for "$log" "^PUT [^ ]*partNumber=1&.* 200"  # part 1 is in; the change is in part 4
python3 -c "
import os, sys
p = sys.argv[1]; st = os.stat(p)
with open(p, 'r+b') as f: f.seek(18 * 1024 * 1024); f.write(b'changed!')
os.utime(p, ns=(st.st_atime_ns, st.st_mtime_ns))  # same size and mtime: only the bytes differ" "$src"
wait $pid; code=$?
[ $code -eq 3 ] && grep -q 'source changed since checksum (part 4 of ' "$work/err" \
  && pass "source changed during the upload: refused by the server, a conflict naming the part (exit 3)" || failure "source changed during the upload" "exit $code: $(grep -m1 error "$work/err")"
[ -z "$(etag_of "rb-fault-prid1/$id")" ] && [ "$(uploads_left)" -eq 0 ] && pass "  no object, upload aborted" || failure "  object or upload left"
[ "$(field "['backup_status']")" = failed ] && pass "  recorded failed" || failure "  not recorded failed"

# SIGINT and SIGTERM while --max-bandwidth holds the body back (issue 21.2): exit 130, the
# multipart upload kept, and the re-run resumes it, sending only the parts not yet in S3.
id=g_PRID1_b.raw
head -c $((30 * 1024 * 1024)) /dev/urandom >"$work/instruments/astral1/$id"
must "checksum $id" "$rb" "${c[@]}" checksum --instrument astral1 "$id"
for signal in INT TERM; do
  rules '[]'
  "$rb" "${c[@]}" upload-s3 --max-bandwidth 5MB/s --concurrency 1 "$id" >"$work/out" 2>"$work/err" & pid=$!
  wait_for "$log" "^PUT [^ ]*partNumber=[0-9]+&.* 200"  # a part is in (the second run resumes at part 2)
  kill -$signal $pid; wait $pid; code=$?
  [ $code -eq 130 ] && pass "SIG$signal during a capped upload: exit 130" || failure "SIG$signal during a capped upload" "exit $code: $(grep -m1 error "$work/err")"
  expect_match "  says resumable" "$work/err" 'interrupted, resumable'
  [ -z "$(etag_of "rb-fault-prid1/$id")" ] && pass "  no object yet (the re-run below resumes the kept upload)" || failure "  an object was completed"
done
rules '[]'
expect_code "re-run after the interruptions" 0 "$rb" "${c[@]}" upload-s3 "$id"
expect_match "  resumed, keeping the parts in S3" "$work/err" 'resumed: [1-9][0-9]* part\(s\) already in S3 were kept'

# This machine's clock an hour behind (issue 21.1): the first request is refused (a HEAD's 403
# has no body, only the server's Date); the skew is learned from that Date and the same
# request is sent again, signed with the server's time, and the task succeeds.
cc -shared -fPIC -o "$work/shift_clock.so" "$here/shift_clock.c" -ldl || failure "cannot build shift_clock.so"
id=h_PRID1_c.raw
head -c $((12 * 1024 * 1024)) /dev/urandom >"$work/instruments/astral1/$id"
must "checksum $id" "$rb" "${c[@]}" checksum --instrument astral1 "$id"
rules '[]'
expect_code "upload-s3 with the clock 1 h behind" 0 env LD_PRELOAD="$work/shift_clock.so" CLOCK_SHIFT_S=-3600 "$rb" "${c[@]}" upload-s3 "$id"
expect_match "  says the clock is off" "$work/err" "clock is -?3[0-9]{3} s off the server's"
[ "$(field "['backup_status']")" = done ] && pass "  recorded done" || failure "  not done" "$(field "['backup_status']")"
expect_code "verify --s3 (HEAD) with the clock 1 h behind" 0 env LD_PRELOAD="$work/shift_clock.so" CLOCK_SHIFT_S=-3600 "$rb" "${c[@]}" verify --s3 "$id"
summary
