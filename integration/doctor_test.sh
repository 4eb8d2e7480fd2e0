#!/usr/bin/env bash
# doctor against Ceph through the fault proxy: passes on a working set-up (text and --json),
# --write-probe leaves no object behind, no record changes; then each check's failure
# provoked, with its line and exit code: a config error (2), a missing instrument folder (1),
# a file where the backup folder should be (1), a bucket that does not exist (1), a wrong
# secret (2), the server down (1), the server's clock an hour ahead (the proxy answers with a
# far Date: 1).
# Usage: doctor_test.sh PATH/TO/rawbackup
source "$(dirname "$0")/lib.sh"
here="$(cd "$(dirname "$0")" && pwd)"
server=ceph rb="$1"
source "$here/s3/harness.sh"

mkdir -p "$work/instruments/astral1" "$work/instruments/timstof1" "$work/backup"
head -c 100000 /dev/urandom >"$work/instruments/astral1/a_PRID1_x.raw"
s3 PUT /rb-doc-prid1 -o /dev/null
s3_config() {  # s3_config FILE ENDPOINT
  write_config "$1" "{backup_type: s3, s3: {region: us-east-1, bucket_prefix: rb-doc, endpoint_url: \"$2\", part_size_mb: 5}}"
}
s3_config "$work/c.yaml" "$proxy"
c=(--config "$work/c.yaml")
must "checksum" "$rb" "${c[@]}" checksum --instrument astral1 a_PRID1_x.raw
must "upload-s3" "$rb" "${c[@]}" upload-s3 a_PRID1_x.raw
"$rb" "${c[@]}" --json status --history a_PRID1_x.raw >"$work/before.json"

line() {  # line NAME REGEX: a line of the last run's stdout
  expect_match "$1" "$work/out" "$2"
}

expect_code "a working set-up: exit 0" 0 "$rb" "${c[@]}" doctor
line "  config" "^ok   config +$work/c.yaml is valid$"
line "  store: schema version, writable" "^ok   store +sqlite://$work/store.sqlite, schema version [0-9]+, writable$"
line "  each instrument folder" "^ok   instrument timstof1 +$work/instruments/timstof1 readable \(0 entries\); on [a-z0-9.]+ \(.*\) at /"
line "  backup folder: free space" "^(ok|warn) +backup folder +$work/backup writable, [0-9.]+ [KMGT]?i?B free of"
line "  credentials: where from, accepted" "^ok   credentials +from environment, accepted by the server$"
line "  endpoint" "^ok   endpoint +$proxy answers \(HTTP 200\)$"
line "  clock" "^ok   clock +this machine's clock (agrees with|is [0-9] s (behind|ahead of)) the server's$"
line "  the store's project bucket" "^ok   bucket rb-doc-prid1 +exists \(--write-probe also checks writing\)$"
line "  closing count" "^[0-9]+ ok, [01] warning\(s\), 0 failing$"
grep -q "$AWS_SECRET_ACCESS_KEY" "$work/out" "$work/err" && failure "  no secret in the output" || pass "  no secret in the output"

rules '[]'
expect_code "--write-probe: exit 0" 0 "$rb" "${c[@]}" doctor --write-probe
line "  the bucket written" "^ok   bucket rb-doc-prid1 +exists and is writable \(a probe object written and deleted\)$"
grep -qE "^PUT /rb-doc-prid1/\.rawbackup-doctor/[^ ]+ 200" "$log" && grep -qE "^DELETE /rb-doc-prid1/\.rawbackup-doctor/[^ ]+ 204" "$log" &&
  pass "  a probe object under .rawbackup-doctor/, put then deleted" || failure "  probe requests" "$(cat "$log")"
s3 GET "/rb-doc-prid1?list-type=2" -o "$work/listing"
grep -q "rawbackup-doctor" "$work/listing" && failure "  nothing left in the bucket" || pass "  nothing left in the bucket"

expect_code "--json: exit 0" 0 "$rb" "${c[@]}" --json doctor
python3 - "$work/out" <<'PY' && pass "  one object: outcome, exit_code, checks with check/status/detail" || failure "  --json shape" "$(head -c 400 "$work/out")"
import json, sys
doc = json.load(open(sys.argv[1]))
assert doc["task"] == "doctor" and doc["exit_code"] == 0 and doc["outcome"] in ("ok", "warnings"), doc
names = [c["check"] for c in doc["checks"]]
assert names[:2] == ["config", "store"] and "bucket rb-doc-prid1" in names and "clock" in names, names
assert all(c["status"] in ("ok", "warn") and c["detail"] for c in doc["checks"]), doc
PY
"$rb" "${c[@]}" --json status --history a_PRID1_x.raw >"$work/after.json"
cmp -s "$work/before.json" "$work/after.json" && pass "no record or event changed" || failure "no record changed"

# Each failure provoked.
echo "backup: [unclosed" >"$work/bad.yaml"
expect_code "a config error: exit 2" 2 "$rb" --config "$work/bad.yaml" doctor
line "  one fail line for the config" "^fail config +$work/bad.yaml"

mv "$work/instruments/timstof1" "$work/timstof1.away"
expect_code "a missing instrument folder: exit 1" 1 "$rb" "${c[@]}" doctor
line "  says which and what to do" "^fail instrument timstof1 +$work/instruments/timstof1 does not exist: mount the instrument's share or fix instruments.timstof1.path$"
line "  the other checks still run" "^ok   bucket rb-doc-prid1"
mv "$work/timstof1.away" "$work/instruments/timstof1"

mv "$work/backup" "$work/backup.away" && echo "not a folder" >"$work/backup"
expect_code "a file where the backup folder should be: exit 1" 1 "$rb" "${c[@]}" doctor
line "  says so" "^fail backup folder +$work/backup is not a folder: mount the backup share or create the folder \(locations.backup\)$"
rm "$work/backup" && mv "$work/backup.away" "$work/backup"

head -c 1000 /dev/urandom >"$work/instruments/astral1/b_PRID2_x.raw"
must "checksum of a PRID2 file" "$rb" "${c[@]}" checksum --instrument astral1 b_PRID2_x.raw
expect_code "a bucket that does not exist: exit 1" 1 "$rb" "${c[@]}" doctor
line "  names it" "^fail bucket rb-doc-prid2 +does not exist: create it \(rawbackup never creates buckets\)"
line "  the other bucket is fine" "^ok   bucket rb-doc-prid1"
s3 PUT /rb-doc-prid2 -o /dev/null

expect_code "a wrong secret: exit 2" 2 env AWS_SECRET_ACCESS_KEY=not-the-secret "$rb" "${c[@]}" doctor
line "  credentials refused, where from" "^fail credentials +from environment, refused by the server \(SignatureDoesNotMatch\): check the access key and secret key$"
grep -q "not-the-secret" "$work/out" "$work/err" && failure "  the secret not shown" || pass "  the secret not shown"

dead_port=$(python3 -c 'import socket; s=socket.socket(); s.bind(("127.0.0.1",0)); print(s.getsockname()[1])')
s3_config "$work/down.yaml" "http://127.0.0.1:$dead_port"
expect_code "the server down: exit 1" 1 "$rb" --config "$work/down.yaml" doctor
line "  endpoint unreachable" "^fail endpoint +http://127.0.0.1:$dead_port unreachable: .*: check backup.s3.endpoint_url"

far=$(date -u -d '+1 hour' '+%a, %d %b %Y %H:%M:%S GMT')
skewed='<?xml version="1.0" encoding="UTF-8"?><Error><Code>RequestTimeTooSkewed</Code><Message>The difference between the request time and the server time is too large.</Message></Error>'
rules "[{\"method\": \"GET\", \"fault\": \"reply\", \"status\": 403, \"body\": $(printf '%s' "$skewed" | python3 -c 'import json,sys; print(json.dumps(sys.stdin.read()))'), \"headers\": {\"Date\": \"$far\"}}]"
expect_code "the server's clock an hour ahead: exit 1" 1 "$rb" "${c[@]}" doctor
line "  the offset and what to do" "^fail clock +this machine's clock is 3[56][0-9][0-9] s behind the server's \(S3 refuses signatures over 15 min off\): run a time service"
line "  credentials not judged on a skewed signature" "^warn credentials +from environment, not checked: the clock is too far off"
rules '[]'

summary
