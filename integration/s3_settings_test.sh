#!/usr/bin/env bash
# S3 as facilities configure it, against Ceph's RADOS Gateway (its `testing` KMS backend, SSE-C
# without TLS on loopback, a storage class added to the zone's placement, a bucket policy),
# through the fault proxy:
# - SSE-KMS: single PUT and multipart, with the proxy reporting opaque ETags as AWS does under
#   SSE-KMS (Ceph 16 itself reports the plaintext's MD5): uploaded, the ETag noted as encrypted,
#   a re-run sends nothing, verify --s3 and --deep pass, restore is byte-identical, a body
#   corrupted on the way is still refused by the server (Content-MD5) and sent again;
# - SSE-C: the same, the key from a file; HEAD without the key is refused by the server;
# - a storage class: objects land in it (HEAD's x-amz-storage-class), verify passes;
# - an opaque ETag without encryption is still a wrong object (deleted, never done);
# - a bucket policy denying PUT without x-amz-server-side-encryption: exit 2, the message, the
#   record as it was; with sse set it uploads;
# - archive classes through the fault proxy (HEAD and listings say DEEP_ARCHIVE, GET answers
#   InvalidObjectState): a shallow verify passes, --deep and restore say "archived" (exit 4),
#   restore --request-archive-restore asks for a copy (exit 1), exits 1 while it is being made,
#   and restores once it is readable;
# - secrets: the SSE-C key and the KMS key id appear in no log line at trace level.
# Usage: s3_settings_test.sh PATH/TO/rawbackup
source "$(dirname "$0")/lib.sh"
here="$(cd "$(dirname "$0")" && pwd)"
server=ceph rb="$1"
kms_key=$(head -c 32 /dev/urandom | base64)
export CEPH_RGW_CONF="rgw crypt s3 kms backend = testing
rgw crypt s3 kms encryption keys = testkey-1=$kms_key
rgw crypt require ssl = false"
export CEPH_STORAGE_CLASSES="COLD_TIER"
source "$here/s3/harness.sh"

inst="$work/instruments/astral1"
mkdir -p "$inst" "$work/instruments/timstof1" "$work/backup" "$work/restore"
head -c 32 /dev/urandom >"$work/sse_c.key"
customer_key_b64=$(base64 <"$work/sse_c.key")
s3_section() {  # s3_section PRID4_SETTINGS
  echo "{backup_type: s3, s3: {region: us-east-1, bucket_prefix: rb-enc, endpoint_url: \"$proxy\", part_size_mb: 5,
    sse: aws:kms, kms_key_id: testkey-1,
    projects: {PRID2: {sse: none, sse_c_key_file: sse_c.key}, PRID3: {sse: none, storage_class: COLD_TIER},
               PRID4: $1, PRID6: {sse: AES256}}}}"
}
write_config "$work/c.yaml" "$(s3_section "{sse: none}")"
c=(--config "$work/c.yaml")
for p in 1 2 3 4 5 6; do s3_ok PUT "/rb-enc-prid$p" -o /dev/null; done
opaque='[{"fault": "opaque_etags", "times": 1000000}]'
field() {  # field ID PYTHON-EXPR-OVER-r (the record) / f (its one file)
  "$rb" "${c[@]}" --json status "$1" 2>/dev/null |
    python3 -c "import json,sys; r=json.load(sys.stdin)['records'][0]; f=list(r['file_info'].values())[0]; print($2)"
}
new_set() {  # new_set NAME BYTES: a raw file, checksummed
  head -c "$2" /dev/urandom >"$inst/$1"
  must "checksum $1" "$rb" "${c[@]}" checksum --instrument astral1 "$1"
}
uploaded() {  # uploaded NAME:BYTES RULES LABEL: a new set uploaded; sets $id
  id="${1%%:*}"
  new_set "$id" "${1#*:}"
  rules "$2"
  expect_code "$3 $id: upload-s3" 0 "$rb" "${c[@]}" upload-s3 "$id"
  cat "$work/err" >>"$work/uploads.err"
}
round_trip() {  # round_trip ID LABEL: re-run, verify shallow and deep, restore
  local id="$1" what="$2"
  rules "${3:-[]}"
  expect_code "$what: a re-run" 0 "$rb" "${c[@]}" --json upload-s3 "$id"
  expect_match "$what: a re-run skips" "$work/out" '"skipped":1'
  grep -Eq '^(PUT|POST) ' "$log" && failure "$what: a re-run sends nothing" "$(cat "$log")" || pass "$what: a re-run sends nothing"
  expect_code "$what: verify --s3" 0 "$rb" "${c[@]}" verify --s3 "$id"
  expect_code "$what: verify --s3 --deep" 0 "$rb" "${c[@]}" verify --s3 --deep "$id"
  rm -rf "$work/restore/$id"
  expect_code "$what: restore" 0 "$rb" "${c[@]}" restore "$id" --from s3 --to "$work/restore"
  cmp -s "$inst/$id" "$work/restore/$id" && pass "$what: restored byte-identical" || failure "$what: restored byte-identical"
}

# --- SSE-KMS, opaque ETags ---
for set in a_PRID1_one.raw:3000000 b_PRID1_parts.raw:12000000; do
  uploaded "$set" "$opaque" SSE-KMS
  s3 HEAD "/rb-enc-prid1/$id" -I | tr -d '\r' >"$work/head"
  expect_match "SSE-KMS $id: encrypted by the server with the key" "$work/head" '^x-amz-server-side-encryption-aws-kms-key-id: testkey-1$'
  [ "$(field "$id" "f['object']['kind']")" = encrypted ] && [ "$(field "$id" "f['object']['etag'] != f['md5']")" = True ] \
    && pass "SSE-KMS $id: the opaque ETag noted as encrypted" || failure "SSE-KMS $id: noted" "$(field "$id" "f")"
  round_trip "$id" "SSE-KMS $id" "$opaque"
done
new_set c_PRID1_corrupt.raw 2000000
rules '[{"method": "PUT", "fault": "corrupt"}, {"fault": "opaque_etags", "times": 1000000}]'
expect_code "SSE-KMS: a body corrupted on the way" 0 "$rb" "${c[@]}" upload-s3 c_PRID1_corrupt.raw
expect_match "SSE-KMS: the server refused it (Content-MD5), it was sent again" "$log" '^PUT /rb-enc-prid1/c_PRID1_corrupt.raw 400 corrupt'
[ "$(etag_of rb-enc-prid1/c_PRID1_corrupt.raw)" = "$(md5sum <"$inst/c_PRID1_corrupt.raw" | cut -c1-32)" ] \
  && pass "SSE-KMS: the stored bytes are the file's" || failure "SSE-KMS: the stored bytes"

# --- SSE-C ---
for set in d_PRID2_one.raw:3000000 e_PRID2_parts.raw:12000000; do
  uploaded "$set" '[]' SSE-C
  code=$(s3 HEAD "/rb-enc-prid2/$id" -I -o /dev/null -w '%{http_code}')
  [ "$code" = 400 ] && pass "SSE-C $id: HEAD without the key is refused" || failure "SSE-C $id: HEAD without the key" "HTTP $code"
  round_trip "$id" "SSE-C $id"
done

grep -q "without the encryption asked for" "$work/uploads.err" && failure "SSE-KMS, SSE-C: no warning of unapplied encryption" \
  || pass "SSE-KMS, SSE-C: no warning of unapplied encryption"

# --- SSE-S3: applied, or warned of (Ceph 16 ignores it) ---
new_set l_PRID6_sse_s3.raw 1000000
rules '[]'
expect_code "SSE-S3: upload-s3" 0 "$rb" "${c[@]}" upload-s3 l_PRID6_sse_s3.raw
if s3 HEAD /rb-enc-prid6/l_PRID6_sse_s3.raw -I | tr -d '\r' | grep -qi '^x-amz-server-side-encryption: AES256$'; then
  pass "SSE-S3: applied by the server"
else
  expect_match "SSE-S3: the server ignored it, and that is said" "$work/err" 'stores objects in bucket rb-enc-prid6 without the encryption asked for \(AES256\)'
fi

# --- a storage class of the zone's placement ---
new_set f_PRID3_cold.raw 1000000
rules '[]'
expect_code "storage class: upload-s3" 0 "$rb" "${c[@]}" upload-s3 f_PRID3_cold.raw
s3 HEAD /rb-enc-prid3/f_PRID3_cold.raw -I | tr -d '\r' >"$work/head"
expect_match "storage class: the object is in COLD_TIER" "$work/head" '^[Xx]-[Aa]mz-[Ss]torage-[Cc]lass: COLD_TIER$'
expect_code "storage class: verify --s3" 0 "$rb" "${c[@]}" verify --s3 f_PRID3_cold.raw

# --- an opaque ETag without encryption: a wrong object ---
new_set g_PRID3_plain.raw 1000000
rules "$opaque"
expect_code "no encryption, opaque ETag: refused" 1 "$rb" "${c[@]}" upload-s3 g_PRID3_plain.raw
expect_match "no encryption, opaque ETag: named" "$work/err" 'S3 stored ETag [0-9a-f]{32} for bytes sent with MD5'
[ -z "$(etag_of rb-enc-prid3/g_PRID3_plain.raw)" ] && pass "no encryption, opaque ETag: the object deleted" \
  || failure "no encryption, opaque ETag: the object deleted"

# --- a bucket policy that requires encryption ---
cat >"$work/policy.json" <<'JSON'
{"Version": "2012-10-17", "Statement": [{"Effect": "Deny", "Principal": "*", "Action": "s3:PutObject",
  "Resource": "arn:aws:s3:::rb-enc-prid4/*",
  "Condition": {"Null": {"s3:x-amz-server-side-encryption": "true"}}}]}
JSON
must "the bucket policy" s3_ok PUT "/rb-enc-prid4?policy=" --data-binary "@$work/policy.json" -o /dev/null
new_set h_PRID4_policy.raw 1000000
rules '[]'
expect_code "policy: the upload refused (a config problem)" 2 "$rb" "${c[@]}" upload-s3 h_PRID4_policy.raw
expect_match "policy: says the bucket's policy refused it and what to set" "$work/err" "the bucket's policy refused the upload \(AccessDenied\).*backup.s3.sse"
[ "$(field h_PRID4_policy.raw "r['backup_status'], r['error'], r['s3_upload_path']")" = "pending None None" ] \
  && pass "policy: the record as it was" || failure "policy: the record" "$(field h_PRID4_policy.raw "r")"
write_config "$work/c.yaml" "$(s3_section "{sse: aws:kms, kms_key_id: testkey-1}")"
expect_code "policy: with sse set it uploads" 0 "$rb" "${c[@]}" upload-s3 h_PRID4_policy.raw

# --- archive classes ---
new_set k_PRID5_archive.raw 7000000
rules '[]'
must "upload k_PRID5_archive.raw" "$rb" "${c[@]}" upload-s3 k_PRID5_archive.raw
archive() {  # archive RESTORE-HEADER: the bucket's objects in DEEP_ARCHIVE
  rules "[{\"fault\": \"archive\", \"path\": \"/rb-enc-prid5\", \"storage_class\": \"DEEP_ARCHIVE\",
          \"restore\": $(python3 -c 'import json,sys; print(json.dumps(sys.argv[1]))' "$1"), \"times\": 1000000}]"
}
archive ""
expect_code "archived: a shallow verify passes" 0 "$rb" "${c[@]}" verify --s3 k_PRID5_archive.raw
expect_code "archived: verify --deep" 4 "$rb" "${c[@]}" verify --s3 --deep k_PRID5_archive.raw
expect_match "archived: verify --deep says what to do" "$work/out" 'is archived in DEEP_ARCHIVE: .*--request-archive-restore DAYS'
expect_code "archived: restore" 4 "$rb" "${c[@]}" restore k_PRID5_archive.raw --from s3 --to "$work/restore"
expect_match "archived: restore says what to do" "$work/err" 'is archived in DEEP_ARCHIVE: .*nothing written'
grep -q InvalidObjectState "$work/out" "$work/err" && failure "archived: never a raw InvalidObjectState" || pass "archived: never a raw InvalidObjectState"
[ ! -e "$work/restore/k_PRID5_archive.raw" ] && pass "archived: nothing written" || failure "archived: nothing written"
expect_code "archived: --request-archive-restore asks, exit 1" 1 "$rb" "${c[@]}" restore k_PRID5_archive.raw --from s3 --to "$work/restore" --request-archive-restore 3
expect_match "archived: the restore request was sent" "$log" '^POST /rb-enc-prid5/k_PRID5_archive.raw\?restore= 202 archive'
archive 'ongoing-request="true"'
expect_code "archived: while S3 restores it, exit 1" 1 "$rb" "${c[@]}" restore k_PRID5_archive.raw --from s3 --to "$work/restore" --request-archive-restore 3
expect_match "archived: says it is being restored" "$work/err" 'is being restored from DEEP_ARCHIVE'
grep -q '^POST' "$log" && failure "archived: not asked again while under way" || pass "archived: not asked again while under way"
archive 'ongoing-request="false", expiry-date="Fri, 23 Dec 2033 00:00:00 GMT"'
expect_code "archived: restored once readable" 0 "$rb" "${c[@]}" restore k_PRID5_archive.raw --from s3 --to "$work/restore" --request-archive-restore 3
cmp -s "$inst/k_PRID5_archive.raw" "$work/restore/k_PRID5_archive.raw" && pass "archived: restored byte-identical" || failure "archived: restored byte-identical"

# --- doctor ---
cat >"$work/encryption.xml" <<'XML'
<ServerSideEncryptionConfiguration><Rule><ApplyServerSideEncryptionByDefault><SSEAlgorithm>aws:kms</SSEAlgorithm><KMSMasterKeyID>testkey-1</KMSMasterKeyID></ApplyServerSideEncryptionByDefault></Rule></ServerSideEncryptionConfiguration>
XML
bucket_default=$(s3 PUT "/rb-enc-prid1?encryption=" --data-binary "@$work/encryption.xml" -o /dev/null -w '%{http_code}')
rules '[]'
expect_code "doctor" 0 "$rb" "${c[@]}" doctor --project PRID3
expect_match "doctor: each bucket's encryption and storage class" "$work/out" 'rb-enc-prid1 +exists.*objects written with SSE-KMS \(the configured key\), storage class the bucket.s default'
expect_match "doctor: a project's own settings" "$work/out" "rb-enc-prid3 +project PRID3's bucket exists.*storage class COLD_TIER"
if [ "$bucket_default" = 200 ]; then
  expect_match "doctor: the bucket's default encryption (the server reports it)" "$work/out" 'rb-enc-prid1 +exists \(default encryption aws:kms\)'
else
  echo "note: this Ceph does not take PutBucketEncryption (HTTP $bucket_default): no default encryption to show"
fi
grep -q testkey-1 "$work/out" "$work/err" && failure "doctor: no KMS key id shown" || pass "doctor: no KMS key id shown"

# --- secrets ---
new_set i_PRID2_trace.raw 6000000
new_set j_PRID1_trace.raw 6000000
rules "$opaque"
for id in i_PRID2_trace.raw j_PRID1_trace.raw; do
  "$rb" "${c[@]}" --log-level trace --log-format json upload-s3 "$id" >>"$work/trace.out" 2>>"$work/trace.log"
  "$rb" "${c[@]}" --log-level trace --log-format json verify --s3 --deep "$id" >>"$work/trace.out" 2>>"$work/trace.log"
done
grep -q '"level":"trace"\|"level":"debug"' "$work/trace.log" && pass "secrets: a trace-level log was written" || failure "secrets: a trace log"
if grep -qF -e "$customer_key_b64" -e testkey-1 -e "$kms_key" "$work/trace.log" "$work/trace.out"; then
  failure "secrets: the SSE-C key and the KMS key id are in no log or result"
else
  pass "secrets: the SSE-C key and the KMS key id are in no log or result"
fi
summary
