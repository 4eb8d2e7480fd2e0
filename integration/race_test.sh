#!/usr/bin/env bash
# Races: 8 processes at once on one raw file, for each task that changes something (checksum,
# copy-local, upload-s3, restore) and for verify. Each run must succeed (the record lock makes
# the others wait, then find the work done); exactly one does the work; the store passes
# PRAGMA integrity_check and ends in one consistent state; the data is right.
# Server: s3rver (single PUTs and HEADs are what these runs need).
# Usage: race_test.sh PATH/TO/rawbackup
source "$(dirname "$0")/lib.sh"
here="$(cd "$(dirname "$0")" && pwd)"
server=s3rver rb="$1"
source "$here/s3/harness.sh"

mkdir -p "$work/instruments/astral1"
head -c $((24 * 1024 * 1024)) /dev/urandom >"$work/instruments/astral1/r_PRID1_a.raw"
write_config "$work/c.yaml" "{backup_type: s3, s3: {region: us-east-1, bucket_prefix: rb-race, endpoint_url: \"$proxy\", part_size_mb: 8}}" 'instruments: {astral1: {type: thermo, path: instruments/astral1}}'
s3 PUT /rb-race-prid1 -o /dev/null
id=r_PRID1_a.raw

# race NAME ARGS...: 8 concurrent runs with --json; their outputs in $work/race.N, codes in $work/codes
race() {
  local name="$1" pids=()
  shift
  : >"$work/codes"
  for i in 1 2 3 4 5 6 7 8; do
    ( "$rb" --config "$work/c.yaml" --lock-wait 120 --json "$@" >"$work/race.$i" 2>"$work/race.$i.err"; echo $? >>"$work/codes" ) &
    pids+=($!)
  done
  wait "${pids[@]}"
  [ "$(sort -u "$work/codes")" = 0 ] && pass "$name: all 8 runs exit 0" || failure "$name: exit codes" "$(sort "$work/codes" | tr '\n' ' ') $(cat "$work"/race.*.err | grep -m3 error)"
}
count() { cat "$work"/race.[1-8] | grep -c -- "$1"; }
integrity() {
  local got
  got="$(python3 -c "import sqlite3,sys; c=sqlite3.connect(sys.argv[1]); print(c.execute('PRAGMA integrity_check').fetchone()[0])" "$work/store.sqlite")"
  [ "$got" = ok ] && pass "$1: PRAGMA integrity_check ok" || failure "$1: integrity_check" "$got"
}
events() { python3 -c "import sqlite3,sys; c=sqlite3.connect(sys.argv[1]); print(c.execute(\"SELECT count(*) FROM events WHERE message LIKE ?\", (sys.argv[2],)).fetchone()[0])" "$work/store.sqlite" "$1"; }

race "checksum" checksum --instrument astral1 "$id"
[ "$(count '"outcome":"done"')" = 1 ] && [ "$(count '"outcome":"unchanged"')" = 7 ] \
  && pass "checksum: one hashed, seven found it unchanged" || failure "checksum: outcomes" "$(cat "$work"/race.[1-8])"
[ "$(events 'checksum started')" = 1 ] && pass "checksum: one record created" || failure "checksum: records created" "$(events 'checksum started')"
integrity checksum

race "copy-local" copy-local "$id"
[ "$(count '"copied":1')" = 1 ] && [ "$(count '"outcome":"skipped"')" = 7 ] \
  && pass "copy-local: one copied, seven skipped" || failure "copy-local: outcomes" "$(cat "$work"/race.[1-8])"
cmp -s "$work/instruments/astral1/$id" "$(find "$work/backup" -name "$id")" && pass "copy-local: copy is identical" || failure "copy-local: copy differs"
[ -z "$(find "$work/backup" -name '*.tmp*')" ] && pass "copy-local: no temporary files left" || failure "copy-local: temporary files left"
integrity copy-local

rules '[]'
race "upload-s3" upload-s3 "$id"
[ "$(count '"uploaded":1')" = 1 ] && [ "$(count '"uploaded":0')" = 7 ] \
  && pass "upload-s3: one uploaded, seven found the object there" || failure "upload-s3: outcomes" "$(cat "$work"/race.[1-8])"
[ "$(grep -cE '^POST [^ ]*[?&]uploads[= ]' "$log")" = 1 ] && pass "upload-s3: one multipart upload started" || failure "upload-s3: uploads started" "$(grep -cE '^POST [^ ]*[?&]uploads[= ]' "$log")"
[ "$(etag_of "rb-race-prid1/$id")" != "" ] && pass "upload-s3: object there" || failure "upload-s3: no object"
integrity upload-s3

race "verify" verify "$id"
[ "$(count '"outcome":"ok","results"')" = 8 ] && pass "verify: eight agree: ok" || failure "verify: outcomes" "$(cat "$work"/race.[1-8])"
integrity verify

race "restore" restore --to "$work/restored" "$id"
[ "$(count '"restored":1')" = 1 ] && [ "$(count '"outcome":"skipped"')" = 7 ] \
  && pass "restore: one restored, seven skipped" || failure "restore: outcomes" "$(cat "$work"/race.[1-8])"
cmp -s "$work/instruments/astral1/$id" "$work/restored/$id" && pass "restore: identical" || failure "restore: differs"
integrity restore

final="$("$rb" --config "$work/c.yaml" --json status "$id")"
echo "$final" | grep -q '"backup_status":"done"' && echo "$final" | grep -q '"status":"copying_done"' \
  && pass "final record: copied and uploaded" || failure "final record" "$final"
summary
