#!/usr/bin/env bash
# Logs: the whole demo (scripts/demo.sh: checksum, copy-local, upload-s3 incl. multipart,
# verify --deep, restore, status, a batch re-run) at trace level, once with text and once
# with JSON-lines logs, with a session token set. Proves that no access key id, secret key,
# session token or signature appears in any output (stdout or stderr, any level); that JSON
# lines carry task, id, file, bytes, rate and duration; and that the text lines say the same.
# Usage: logs_test.sh PATH/TO/rawbackup (s3rver from integration/node_modules)
source "$(dirname "$0")/lib.sh"
rb="$(cd "$(dirname "$1")" && pwd)/$(basename "$1")"
repo="$(cd "$(dirname "$0")/.." && pwd)"
export AWS_SESSION_TOKEN="FQoGZXIvYXdzELf-session-token-must-not-leak-$RANDOM$RANDOM"

for format in text json; do
  log="$work/$format.log"
  DEMO_ROOT="$work/$format" RAWBACKUP="$rb" RAWBACKUP_LOG_LEVEL=trace RAWBACKUP_LOG_FORMAT="$format" \
    "$repo/scripts/demo.sh" >"$log" 2>&1
  code=$?
  [ "$code" -eq 0 ] && pass "$format: demo at trace level" || failure "$format: demo" "exit $code: $(tail -c 600 "$log")"
  source "$work/$format/s3/env"  # the key pair the demo's s3rver used
  for name in AWS_ACCESS_KEY_ID AWS_SECRET_ACCESS_KEY AWS_SESSION_TOKEN; do
    grep -qF -- "${!name}" "$log" && failure "$format: \$$name leaked" || pass "$format: no \$$name"
  done
  for marker in 'Signature=' 'Credential=' 'X-Amz-Security-Token' 'Authorization:' 'x-amz-security-token'; do
    grep -qiF -- "$marker" "$log" && failure "$format: '$marker' in logs" || pass "$format: no '$marker'"
  done
  expect_match "$format: trace reached S3 requests" "$log" 'S3 (PUT|HEAD) /rawbackup-demo-prid00[0-9]/'
done

json="$work/json.log"
expect_match "json: lines carry task and id" "$json" '^\{.*"id":"[^"]+".*"task":"upload-s3"'
expect_match "json: a file's line has file, bytes, rate, duration" "$json" \
  '"bytes":[0-9]+,"duration_s":[0-9.]+,"file":"[^"]+".*"rate_bytes_per_s":[0-9]+'
expect_match "json: a task's last line has its outcome and duration" "$json" '"duration_s":[0-9.]+.*"msg":"finished: done"'
expect_match "text: a file's line has file, bytes, rate" "$work/text.log" 'uploaded and verified \(file [^,]+, [0-9.]+ [KMG]?i?B in [0-9.]+ [a-z]+, [0-9.]+ [KMG]?i?B/s\)'
summary
