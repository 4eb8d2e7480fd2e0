#!/usr/bin/env bash
# Crashes: kill -9 of copy-local and of upload-s3 at 20 points each, random but seeded
# (CRASH_SEED, default 20261122), spread over the length of an uninterrupted run measured
# first. After each kill: no file under its final name that differs from the source, no
# record claiming a backup that is not there and right, no object with a wrong ETag; then a
# re-run must end done with byte-identical data and no temporary files.
# Server: Ceph's RADOS Gateway (real multipart uploads, ListParts, so re-runs resume).
# Usage: crash_test.sh PATH/TO/rawbackup
source "$(dirname "$0")/lib.sh"
here="$(cd "$(dirname "$0")" && pwd)"
server=ceph rb="$1"
source "$here/s3/harness.sh"
RANDOM="${CRASH_SEED:-20261122}"
points=20

src="$work/instruments/astral1/k_PRID1_a.raw"
mkdir -p "$(dirname "$src")"
head -c $((96 * 1024 * 1024 + 12345)) /dev/urandom >"$src"
write_config "$work/c.yaml" "{backup_type: s3, s3: {region: us-east-1, bucket_prefix: rb-crash, endpoint_url: \"$proxy\", part_size_mb: 5}}" 'instruments: {astral1: {type: thermo, path: instruments/astral1}}'
c=(--config "$work/c.yaml")
id=k_PRID1_a.raw
s3 PUT /rb-crash-prid1 -o /dev/null
must "checksum" "$rb" "${c[@]}" checksum --instrument astral1 "$id"
record_field() { "$rb" "${c[@]}" --json status "$id" | python3 -c "import json,sys; r=json.load(sys.stdin)['records'][0]; print(r$1)"; }
src_md5="$(md5sum <"$src")"

# timed COMMAND...: milliseconds an uninterrupted run takes
timed() { local t0; t0=$(date +%s%N); "$@" >/dev/null 2>&1; echo $((($(date +%s%N) - t0) / 1000000)); }
seconds_of() { printf '%d.%03d' $(($1 / 1000)) $(($1 % 1000)); }

# --- copy-local ---
dest_dir() { find "$work/backup" -type d -name astral1 2>/dev/null | head -1; }
copy_ms="$(timed "$rb" "${c[@]}" copy-local "$id")"
echo "copy-local takes ${copy_ms} ms uninterrupted"
bad=0
for i in $(seq $points); do
  rm -rf "$work/backup"
  ms=$((RANDOM * 32768 + RANDOM))
  ms=$((ms % (copy_ms + 1)))
  before="$(record_field "['updated_at']")"  # removing the copy above left the record claiming it
  "$rb" "${c[@]}" copy-local "$id" >/dev/null 2>&1 & pid=$!
  sleep "$(seconds_of "$ms")"; kill -9 "$pid" 2>/dev/null; wait "$pid" 2>/dev/null
  final="$(find "$work/backup" -name "$id" 2>/dev/null)"
  if [ -n "$final" ] && ! cmp -s "$src" "$final"; then bad=1; failure "copy-local kill at ${ms} ms: a differing file under the final name"; fi
  status="$(record_field "['status']")"
  if [ "$status" = copying_done ] && [ "$(record_field "['updated_at']")" != "$before" ] && ! cmp -s "$src" "$final" 2>/dev/null; then
    bad=1; failure "copy-local kill at ${ms} ms: the killed run recorded a copy that is not right"
  fi
  if ! "$rb" "${c[@]}" copy-local "$id" >/dev/null 2>"$work/err"; then bad=1; failure "copy-local re-run after kill at ${ms} ms" "$(tail -c 300 "$work/err")"; fi
  final="$(find "$work/backup" -name "$id")"
  cmp -s "$src" "$final" || { bad=1; failure "copy-local kill at ${ms} ms: re-run copy differs"; }
  [ "$(record_field "['status']")" = copying_done ] || { bad=1; failure "copy-local kill at ${ms} ms: re-run not done"; }
  [ -z "$(find "$work/backup" -name '*rawbackup-tmp*')" ] || { bad=1; failure "copy-local kill at ${ms} ms: temporary files left after the re-run"; }
  echo "  copy-local kill $i at ${ms} ms: $status before the re-run"
done
((bad == 0)) && pass "copy-local: $points kill -9 points, every re-run done and identical, never a wrong final file"

# --- upload-s3 (capped so the kills spread over parts; the copy above is its source) ---
up=("$rb" "${c[@]}" upload-s3 --max-bandwidth 40MB/s "$id")
s3 DELETE "/rb-crash-prid1/$id" -o /dev/null
timed "${up[@]}" >/dev/null  # the gateway's first writes are slower: warm up, then measure
s3 DELETE "/rb-crash-prid1/$id" -o /dev/null
up_ms="$(timed "${up[@]}")"
echo "upload-s3 takes ${up_ms} ms uninterrupted"
want_etag="$(record_field "['file_info']['$id']['etag']")"
bad=0
for i in $(seq $points); do
  s3 DELETE "/rb-crash-prid1/$id" -o /dev/null
  ms=$((RANDOM * 32768 + RANDOM))
  ms=$((ms % (up_ms + 1)))
  before="$(record_field "['updated_at']")"  # deleting the object above left the record claiming it
  "${up[@]}" >/dev/null 2>&1 & pid=$!
  sleep "$(seconds_of "$ms")"; kill -9 "$pid" 2>/dev/null; wait "$pid" 2>/dev/null
  etag="$(etag_of "rb-crash-prid1/$id")"
  if [ -n "$etag" ] && [ "$etag" != "$want_etag" ]; then bad=1; failure "upload-s3 kill at ${ms} ms: object with a wrong ETag" "$etag"; fi
  backup="$(record_field "['backup_status']")"
  if [ "$backup" = done ] && [ "$(record_field "['updated_at']")" != "$before" ] && [ "$etag" != "$want_etag" ]; then
    bad=1; failure "upload-s3 kill at ${ms} ms: the killed run recorded done without the object"
  fi
  if ! "${up[@]}" >/dev/null 2>"$work/err"; then bad=1; failure "upload-s3 re-run after kill at ${ms} ms" "$(tail -c 300 "$work/err")"; fi
  [ "$(etag_of "rb-crash-prid1/$id")" = "$want_etag" ] || { bad=1; failure "upload-s3 kill at ${ms} ms: re-run ETag"; }
  [ "$(record_field "['backup_status']")" = done ] || { bad=1; failure "upload-s3 kill at ${ms} ms: re-run not done"; }
  [ "$(record_field "['s3_uploads']")" = "{}" ] || { bad=1; failure "upload-s3 kill at ${ms} ms: an upload still kept after the re-run"; }
  echo "  upload-s3 kill $i at ${ms} ms: $backup before the re-run, object ${etag:-absent}"
done
[ "$(s3 GET "/rb-crash-prid1/$id" | md5sum)" = "$src_md5" ] && pass "upload-s3: object byte-identical at the end" || failure "upload-s3: object bytes differ"
((bad == 0)) && pass "upload-s3: $points kill -9 points, every re-run done with the right ETag, never done without it"
left="$(s3 GET "/rb-crash-prid1?uploads" | grep -o '<Upload>' | wc -l)"
echo "multipart uploads left in the bucket by kills before their upload ID was recorded: $left"
summary
