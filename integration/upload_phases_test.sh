#!/usr/bin/env bash
# The upload engine with 500 MiB parts against Ceph's RADOS Gateway (real multipart uploads,
# ListParts, BadDigest on a wrong Content-MD5), through the fault proxy, which stalls the
# request of a phase so that SIGTERM lands in it and counts what each re-run sends:
#   SIGTERM while a part is sent, while the parts of the upload to resume are listed, while
#   completing, in the HEAD after Complete, and (a record without part MD5s) while a part is
#   hashed or sent: each exit 130, the upload kept (never aborted), the re-run sends only the
#   parts not yet in S3; a resume after everything was sent reads nothing locally (the source
#   is swapped for other bytes of the same size and mtime, and the resume still completes);
#   a source changed since checksum with the same size and mtime is refused by the server
#   against the recorded part MD5 before anything completes (exit 3, upload aborted);
#   verify --deep names the part whose bytes differ; restore re-fetches only that part.
# What Ceph cannot show: a server ignoring Content-MD5 (unit tests, and s3rver in
# upload_s3_test.sh).
# Usage: upload_phases_test.sh PATH/TO/rawbackup
source "$(dirname "$0")/lib.sh"
here="$(cd "$(dirname "$0")" && pwd)"
server=ceph rb="$1"
export CEPH_OBJECTSTORE=bluestore  # several GiB pass through: more than the RAM-backed default holds
source "$here/s3/harness.sh"

id=p_PRID1_big.raw
src="$work/instruments/astral1/$id"
mkdir -p "$(dirname "$src")"
head -c $((1001 << 20)) < <(openssl enc -aes-128-ctr -nosalt -pass pass:phases -pbkdf2 </dev/zero 2>/dev/null) >"$src"
touch -d '-1 hour' "$src"
write_config "$work/c.yaml" "{backup_type: s3, s3: {region: us-east-1, bucket_prefix: rb-phases, endpoint_url: \"$proxy\", part_size_mb: 500}}" 'instruments: {astral1: {type: thermo, path: instruments/astral1}}'
c=(--config "$work/c.yaml")
s3 PUT /rb-phases-prid1 -o /dev/null
must "checksum" "$rb" "${c[@]}" checksum --instrument astral1 "$id"
src_md5="$(md5sum <"$src" | cut -d' ' -f1)"
record_etag="$("$rb" "${c[@]}" --json status "$id" | python3 -c "import json,sys; print(json.load(sys.stdin)['records'][0]['file_info']['$id']['etag'])")"
part2='bytes=524288000-'

parts_sent() { grep -c '^PUT [^ ]*partNumber=.* 200' "$log"; }
upload_in_background() { "$rb" "${c[@]}" upload-s3 --concurrency 1 "$@" "$id" >/dev/null 2>"$work/err" & pid=$!; }

# interrupted NAME: SIGTERM to $pid; exit 130, nothing aborted, the record says resumable
interrupted() {
  kill -TERM "$pid"
  wait "$pid"
  local code=$?
  [ $code -eq 130 ] && pass "$1: exit 130" || failure "$1: exit 130" "exit $code; $(tail -c 300 "$work/err")"
  ! grep -q '^DELETE' "$log" && pass "$1: upload kept, not aborted" || failure "$1: upload kept, not aborted" "$(grep '^DELETE' "$log")"
  "$rb" "${c[@]}" --json status "$id" >"$work/out" 2>/dev/null
  expect_match "$1: recorded as resumable" "$work/out" '"error":"interrupted, resumable.*"s3_uploads":\{"p_PRID1_big.raw":"'
}
# resumed NAME PARTS: a re-run ends done, sending PARTS parts; the object has the record's ETag
resumed() {
  rules '[]'
  expect_code "$1: re-run done" 0 "$rb" "${c[@]}" upload-s3 --concurrency 1 "$id"
  [ "$(parts_sent)" -eq "$2" ] && pass "$1: re-run sent $2 part(s)" || failure "$1: re-run sent $2 part(s)" "$(grep '^PUT' "$log")"
  [ "$(etag_of "rb-phases-prid1/$id")" = "$record_etag" ] && pass "$1: object has the record's ETag" || failure "$1: object has the record's ETag"
}
fresh() { s3 DELETE "/rb-phases-prid1/$id" -o /dev/null; }
# Each phase: the phase's request stalls at the proxy, which logs "- stalling" once it has the
# request; the signal follows that line (an event, not a number of seconds).

# 1. While a part is in flight, then while the parts of the upload to resume are listed.
fresh
rules '[{"method": "PUT", "query": "partNumber=2", "fault": "stall", "seconds": 600}]'
upload_in_background
wait_for "$log" '^PUT [^ ]*partNumber=2.* - stalling' 120
interrupted "SIGTERM while part 2 is sent"
[ "$(parts_sent)" -eq 1 ] && pass "part 1 was in S3 before the signal" || failure "part 1 was in S3 before the signal" "$(cat "$log")"
rules '[{"method": "GET", "query": "uploadId=", "fault": "stall", "seconds": 600}]'
upload_in_background
wait_for "$log" '^GET [^ ]*uploadId=.* - stalling' 120
interrupted "SIGTERM while listing the parts to resume"
! grep -q 'uploads=' "$log" && pass "no new upload started" || failure "no new upload started" "$(cat "$log")"
resumed "resume after both" 2
expect_match "resume logged" "$work/err" 'resumed: 1 part\(s\) already in S3 were kept, 2 sent'

# 2. While completing. The resume then reads nothing: the source is swapped for other bytes of
#    the same size and mtime, and the parts in S3 are still found to be the recorded ones.
fresh
rules '[{"method": "POST", "query": "uploadId=", "fault": "stall", "seconds": 600}]'
upload_in_background
wait_for "$log" '^POST [^ ]*uploadId=.* - stalling' 120
interrupted "SIGTERM while completing"
mv "$src" "$work/original"
head -c $((1001 << 20)) /dev/zero >"$src"
touch -r "$work/original" "$src"
resumed "resume without local reads" 0
mv -f "$work/original" "$src"

# 3. In the HEAD after Complete: the object is whole; the re-run verifies it and forgets the upload.
fresh
rules '[{"method": "HEAD", "path": "/p_PRID1", "after": 1, "fault": "stall", "seconds": 600}]'
upload_in_background
wait_for "$log" '^HEAD [^ ]*p_PRID1.* - stalling' 120
interrupted "SIGTERM in the HEAD after Complete"
resumed "re-run after Complete" 0
expect_code "record done" 0 "$rb" "${c[@]}" --json status "$id"
expect_match "record done, no upload kept" "$work/out" '"backup_status":"done".*"s3_uploads":\{\}'

# 4. A record from before part MD5s were kept: each part is hashed, then sent.
fresh
python3 - "$work/store.sqlite" <<'PY'
import sqlite3, sys
db = sqlite3.connect(sys.argv[1])
db.execute("UPDATE raw_file_files SET part_md5s = x''")
db.commit()
PY
rules '[]'
upload_in_background --max-bandwidth 200MB/s
wait_for "$log" '^PUT [^ ]*partNumber=1.* 200' 120
interrupted "old record: SIGTERM while part 2 is hashed or sent"
resumed "old record: resume" 2
must "checksum" "$rb" "${c[@]}" checksum --rehash --instrument astral1 "$id"

# 5. The source changed since checksum with the same size and mtime: the server refuses part 2
#    against its recorded MD5; nothing completes, the upload is aborted.
fresh
cp -p "$src" "$work/original"
flip_byte "$src" $((600 << 20))
touch -r "$work/original" "$src"
rules '[]'
expect_code "changed source, same size and mtime: exit 3" 3 "$rb" "${c[@]}" upload-s3 --concurrency 1 "$id"
expect_match "names the part and the way out" "$work/err" 'source changed since checksum \(part 2 of s3://rb-phases-prid1/p_PRID1_big.raw \(bytes 524288000–1048575999.*checksum --rehash'
grep -q '^PUT [^ ]*partNumber=2.* 400' "$log" && pass "the server refused part 2 (BadDigest)" || failure "the server refused part 2 (BadDigest)" "$(cat "$log")"
! grep -q '^POST [^ ]*uploadId=' "$log" && pass "nothing completed" || failure "nothing completed"
grep -q '^DELETE [^ ]*uploadId=.* 204' "$log" && pass "upload aborted" || failure "upload aborted"
[ -z "$(etag_of "rb-phases-prid1/$id")" ] && pass "no object" || failure "no object"
mv -f "$work/original" "$src"
rules '[]'
expect_code "upload after the source is back" 0 "$rb" "${c[@]}" upload-s3 "$id"

# 6. verify --deep names the part whose bytes differ (corrupted on both reads); restore
#    re-fetches only the part corrupted once.
rules "[{\"method\": \"GET\", \"range\": \"$part2\", \"fault\": \"corrupt_reply\", \"times\": 2}]"
expect_code "verify --deep: a differing part is exit 4" 4 "$rb" "${c[@]}" --json verify --s3 --deep "$id"
expect_match "names part 2 and its bytes" "$work/out" 'part 2 \(bytes 524288000–1048575999\) differs from the record'
rules "[{\"method\": \"GET\", \"range\": \"$part2\", \"fault\": \"corrupt_reply\"}]"
expect_code "restore with part 2 corrupted once" 0 "$rb" "${c[@]}" restore --from s3 --to "$work/restored" "$id"
[ "$(grep -c "^GET /rb-phases-prid1/$id" "$log")" -eq 4 ] && pass "restore fetched 3 parts and part 2 again" || failure "restore fetched 3 parts and part 2 again" "$(cat "$log")"
[ "$(md5sum <"$work/restored/$id" | cut -d' ' -f1)" = "$src_md5" ] && pass "restored bytes identical" || failure "restored bytes identical"
summary
