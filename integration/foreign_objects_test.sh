#!/usr/bin/env bash
# Objects uploaded by other tools, against Ceph's RADOS Gateway (through the counting proxy):
# Debian's awscli with 8 MiB and 16 MiB parts (set in its config file) and boto3 with
# 100 MiB parts put the same bytes where rawbackup would; upload-s3 adopts them (one local
# read, no byte sent, the object's part size recorded) and verify --s3 accepts them by a
# re-hash; an object of the same size with other bytes is re-uploaded (the old ETag named)
# and found by verify; without a local copy verify says unverifiable, and --deep hashes the
# object itself. Ceph proves real multipart ETags of other clients; s3rver would not (it
# reports whole-file MD5s for multipart uploads).
# Usage: foreign_objects_test.sh PATH/TO/rawbackup
source "$(dirname "$0")/lib.sh"
here="$(cd "$(dirname "$0")" && pwd)"
server=ceph rb="$1"
source "$here/s3/harness.sh"

aws=/usr/bin/aws   # Debian's awscli v2, whatever else is on PATH
py=/usr/bin/python3  # with Debian's python3-boto3
[ -x "$aws" ] && "$py" -c 'import boto3' 2>/dev/null || { echo "needs Debian's awscli and python3-boto3 (scripts/setup.sh --test-servers)"; exit 1; }
inst="$work/instruments/astral1"
mkdir -p "$inst"
write_config "$work/c.yaml" "{backup_type: s3, s3: {region: us-east-1, bucket_prefix: rb-fo, endpoint_url: \"$proxy\", part_size_mb: 5}}"
c=(--config "$work/c.yaml")
s3 PUT /rb-fo-prid1 -o /dev/null
export AWS_DEFAULT_REGION=us-east-1 AWS_CONFIG_FILE="$work/aws.cfg"
cat >"$AWS_CONFIG_FILE" <<'CFG'
[default]
s3 =
  multipart_threshold = 8MB
  multipart_chunksize = 8MB
[profile sixteen]
s3 =
  multipart_threshold = 16MB
  multipart_chunksize = 16MB
CFG
# With --profile awscli ignores the environment's keys: the profile gets them too.
export AWS_SHARED_CREDENTIALS_FILE="$work/aws.credentials"
printf '[sixteen]\naws_access_key_id = %s\naws_secret_access_key = %s\n' "$AWS_ACCESS_KEY_ID" "$AWS_SECRET_ACCESS_KEY" >"$AWS_SHARED_CREDENTIALS_FILE"
# by_awscli FILE [PROFILE]: awscli uploads FILE to the key rawbackup uses for it
by_awscli() { "$aws" --endpoint-url "$S3_ENDPOINT" ${2:+--profile "$2"} s3 cp --only-show-errors "$1" "s3://rb-fo-prid1/$(basename "$1")"; }
by_boto3() {  # by_boto3 FILE [PART_BYTES]: 100 MiB parts unless given
  "$py" - "$S3_ENDPOINT" "$1" "${2:-104857600}" <<'PY'
import os, sys, boto3
from boto3.s3.transfer import TransferConfig
part = int(sys.argv[3])
s3 = boto3.client("s3", endpoint_url=sys.argv[1], region_name="us-east-1")
s3.upload_file(sys.argv[2], "rb-fo-prid1", os.path.basename(sys.argv[2]),
               Config=TransferConfig(multipart_threshold=part, multipart_chunksize=part))
PY
}
parts_of() { etag_of "rb-fo-prid1/$1" | sed -n 's/.*-\([0-9]*\)$/\1/p'; }
object_field() {
  "$rb" "${c[@]}" --json status "$1" |
    "$py" -c "import json,sys; f=json.load(sys.stdin)['records'][0]['file_info']['$1']; print(f.get('object', {}).get('$2', ''))"
}

head -c $((40 * 1024 * 1024 + 5)) /dev/urandom >"$inst/a_PRID1_aws8.raw"
head -c $((40 * 1024 * 1024 + 7)) /dev/urandom >"$inst/b_PRID1_aws16.raw"
head -c $((210 * 1024 * 1024 + 3)) /dev/urandom >"$inst/c_PRID1_boto100.raw"
head -c $((24 * 1024 * 1024)) /dev/urandom >"$inst/d_PRID1_other.raw"
head -c $((45 * 1024 * 1024)) /dev/urandom >"$inst/e_PRID1_boto10m.raw"
for name in a_PRID1_aws8 b_PRID1_aws16 c_PRID1_boto100 d_PRID1_other e_PRID1_boto10m; do
  must "checksum $name" "$rb" "${c[@]}" checksum --instrument astral1 "$name.raw"
  must "copy-local $name" "$rb" "${c[@]}" copy-local "$name.raw"
done
must "awscli, 8 MiB parts" by_awscli "$inst/a_PRID1_aws8.raw"
must "awscli, 16 MiB parts (its profile)" by_awscli "$inst/b_PRID1_aws16.raw" sixteen
must "boto3, 100 MiB parts" by_boto3 "$inst/c_PRID1_boto100.raw"
head -c $((24 * 1024 * 1024)) /dev/urandom >"$work/d_PRID1_other.raw"  # same size, other bytes
must "awscli, other bytes" by_awscli "$work/d_PRID1_other.raw"
[ "$(parts_of a_PRID1_aws8.raw) $(parts_of b_PRID1_aws16.raw) $(parts_of c_PRID1_boto100.raw)" = "6 3 3" ] \
  && pass "the tools' multipart ETags (6, 3, 3 parts)" || failure "the tools' ETags" "$(parts_of a_PRID1_aws8.raw) $(parts_of b_PRID1_aws16.raw) $(parts_of c_PRID1_boto100.raw)"

# --- upload-s3: adopt the same bytes, re-upload other bytes ---
expect_code "upload-s3 --dry-run" 0 "$rb" "${c[@]}" upload-s3 --dry-run a_PRID1_aws8.raw
expect_match "says a re-hash decides" "$work/out" 'replace  a_PRID1_aws8.raw  \(or adopt: its ETag fits another tool.s part size'
for set in a_PRID1_aws8:8388608 b_PRID1_aws16:16777216 c_PRID1_boto100:104857600; do
  name="${set%%:*}" part="${set#*:}"
  rules '[]'
  expect_code "upload-s3 $name" 0 "$rb" "${c[@]}" --json upload-s3 "$name.raw"
  expect_match "$name: adopted, nothing uploaded" "$work/out" '"adopted":1,.*"uploaded":0'
  grep -Eq "^(PUT|POST) " "$log" && failure "$name: sent something" "$(grep -E '^(PUT|POST) ' "$log")" || pass "$name: no PUT or POST"
  [ "$(object_field "$name.raw" part_size)" = "$part" ] && pass "$name: the object's part size recorded" || failure "$name: part size" "$(object_field "$name.raw" part_size)"
  expect_code "$name: verify --s3 (HEAD only)" 0 "$rb" "${c[@]}" verify --s3 "$name.raw"
  [ "$(grep -vc '^HEAD ' "$log")" -eq 0 ] && pass "$name: HEAD requests only" || failure "$name: requests" "$(cat "$log")"
done
expect_code "verify --s3 --deep of boto3's object" 0 "$rb" "${c[@]}" verify --s3 --deep c_PRID1_boto100.raw
old_etag="$(etag_of rb-fo-prid1/d_PRID1_other.raw)"
rules '[]'
expect_code "upload-s3 of other bytes at the same size" 0 "$rb" "${c[@]}" --json upload-s3 d_PRID1_other.raw
expect_match "re-uploaded, not adopted" "$work/out" '"adopted":0,.*"uploaded":1'
expect_match "the old ETag named" "$work/err" "differs from the record \(S3 has ETag $old_etag"
[ "$(etag_of rb-fo-prid1/d_PRID1_other.raw)" != "$old_etag" ] && pass "the object replaced" || failure "object not replaced"

# --- verify of an object another tool put over rawbackup's ---
must "awscli puts the same bytes over rawbackup's upload" by_awscli "$inst/d_PRID1_other.raw"
expect_code "verify --s3: same bytes by another tool" 0 "$rb" "${c[@]}" verify --s3 d_PRID1_other.raw
expect_match "says so" "$work/out" 's3  ok  d_PRID1_other.raw: uploaded with 8 MiB parts by another tool'
mkdir -p "$work/same" && cp "$inst/d_PRID1_other.raw" "$work/same/"
must "awscli, other bytes again" by_awscli "$work/d_PRID1_other.raw"
expect_code "verify --s3: other bytes" 4 "$rb" "${c[@]}" verify --s3 d_PRID1_other.raw
expect_match "unverifiable: other bytes or another part size" "$work/out" 'unverifiable  d_PRID1_other.raw: ETag [0-9a-f]{32}-3: the recorded file at 8 MiB parts gives .*verify --deep'
expect_code "verify --s3 --deep: other bytes" 4 "$rb" "${c[@]}" verify --s3 --deep d_PRID1_other.raw
must "awscli, the same bytes with 16 MiB parts" by_awscli "$work/same/d_PRID1_other.raw" sixteen
mv "$inst/d_PRID1_other.raw" "$work/away.raw"
mv "$(find "$work/backup" -name d_PRID1_other.raw)" "$work/away-backup.raw"
expect_code "no local copy: unverifiable" 4 "$rb" "${c[@]}" verify --s3 d_PRID1_other.raw
expect_match "unverifiable, --deep named" "$work/out" 'unverifiable  d_PRID1_other.raw: .*--deep hashes the object itself'
expect_code "no local copy, --deep: ok" 0 "$rb" "${c[@]}" verify --s3 --deep d_PRID1_other.raw
expect_code "  the object noted: a shallow verify accepts it" 0 "$rb" "${c[@]}" verify --s3 d_PRID1_other.raw

# --- a part size no convention names (boto3 at 10,000,000 bytes, issue 31.5) ---
must "boto3, 10,000,000-byte parts" by_boto3 "$inst/e_PRID1_boto10m.raw" 10000000
rules '[]'
expect_code "upload-s3 reads it instead of re-sending" 0 "$rb" "${c[@]}" --json upload-s3 e_PRID1_boto10m.raw
expect_match "  adopted" "$work/out" '"adopted":1,.*"uploaded":0'
grep -Eq "^(PUT|POST) " "$log" && failure "  sent something" "$(grep -E '^(PUT|POST) ' "$log")" || pass "  no PUT or POST"
grep -q "^GET " "$log" && pass "  its bytes read (GET)" || failure "  no GET" "$(cat "$log")"
expect_code "  then verify --s3 (HEAD only) passes" 0 "$rb" "${c[@]}" verify --s3 e_PRID1_boto10m.raw
must "boto3 again, 7,000,000-byte parts (rclone --s3-chunk-size 7M is alike)" by_boto3 "$inst/e_PRID1_boto10m.raw" 7000000
expect_code "verify --s3: unverifiable, not 'other bytes'" 4 "$rb" "${c[@]}" verify --s3 e_PRID1_boto10m.raw
expect_match "  names --deep" "$work/out" 'unverifiable  e_PRID1_boto10m.raw: .*`rawbackup verify --deep` compares its bytes'
expect_code "  verify --deep proves it" 0 "$rb" "${c[@]}" verify --s3 --deep e_PRID1_boto10m.raw
expect_code "  and notes it: verify --s3 passes" 0 "$rb" "${c[@]}" verify --s3 e_PRID1_boto10m.raw

summary
