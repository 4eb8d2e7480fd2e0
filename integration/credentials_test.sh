#!/usr/bin/env bash
# S3 credentials and settings the way awscli/boto3 users keep them, against Ceph through the
# proxy: a profile in the shared files only (no AWS_* keys in the environment), a real
# credential_process script, the precedence (environment keys over the profile; the YAML's
# region/endpoint over the profile's), AWS_REGION + AWS_ENDPOINT_URL_S3 without them in the
# YAML, and the one-line errors for no credentials and an unknown profile. No secret in any
# log at trace level. A bucket in another region (the proxy answers 301 with
# x-amz-bucket-region): exit 2 naming the region, not retried, the record untouched.
# A role (role_arn + source_profile, STS AssumeRole signed with the source profile's keys, which
# Ceph does not accept), web identity (STS), container and EC2 instance-metadata credentials
# from a stand-in on 127.0.0.1 (s3/credentials_standin.py) handing out Ceph's keys valid for
# 60 s; a two-minute capped upload refreshes them before they expire.
# Usage: credentials_test.sh PATH/TO/rawbackup
source "$(dirname "$0")/lib.sh"
here="$(cd "$(dirname "$0")" && pwd)"
server=ceph rb="$1"
source "$here/s3/harness.sh"

test_key="$AWS_ACCESS_KEY_ID" test_secret="$AWS_SECRET_ACCESS_KEY"
unset AWS_PROFILE AWS_REGION AWS_DEFAULT_REGION AWS_ENDPOINT_URL_S3
mkdir -p "$work/instruments/astral1" "$work/aws"
for n in 1 2 3 4 5 6 7 8 9 10 11; do head -c $((1 << 20)) /dev/urandom >"$work/instruments/astral1/c${n}_PRID1_x.raw"; done
s3 PUT /rb-cred-prid1 -o /dev/null

# YAML without region or endpoint: they come from the profile or the environment.
write_config "$work/c.yaml" '{backup_type: s3, s3: {bucket_prefix: rb-cred, part_size_mb: 5}}' \
  'instruments: {astral1: {type: thermo, path: instruments/astral1}}'
write_config "$work/yaml-wins.yaml" "{backup_type: s3, s3: {bucket_prefix: rb-cred, part_size_mb: 5, region: us-east-1, endpoint_url: \"$proxy\"}}" \
  'instruments: {astral1: {type: thermo, path: instruments/astral1}}'
c=(--config "$work/c.yaml")

cat >"$work/aws/vault.sh" <<SH
#!/bin/sh
# stands in for a vault client: counts its runs, prints the keys as credential_process JSON
echo run >>"$work/aws/vault.runs"
printf '{"Version": 1, "AccessKeyId": "%s", "SecretAccessKey": "%s", "Expiration": "%s"}\n' \
  "$test_key" "$test_secret" "\$(date -u -d '+1 hour' +%Y-%m-%dT%H:%M:%SZ)"
SH
cat >"$work/aws/credentials" <<INI
# keys as awscli's "aws configure" writes them
[lab]
aws_access_key_id = $test_key
aws_secret_access_key = $test_secret
[wrong]
aws_access_key_id = AKIANOTAKEY
aws_secret_access_key = not-the-secret
INI
cat >"$work/aws/config" <<INI
[profile lab]
region = us-east-1
services = local-ceph
[profile proc]
region = us-east-1
services = local-ceph
credential_process = sh $work/aws/vault.sh
[profile wrong]
region = us-east-1
services = local-ceph
[profile dead-endpoint]
region = eu-west-1
endpoint_url = http://127.0.0.1:1
[services local-ceph]
s3 =
  endpoint_url = $proxy
INI
# rawbackup as a user with only the shared files: no AWS_* keys in its environment.
rb_files() {
  env -u AWS_ACCESS_KEY_ID -u AWS_SECRET_ACCESS_KEY -u AWS_SESSION_TOKEN -u AWS_ENDPOINT_URL \
    AWS_EC2_METADATA_DISABLED=true AWS_CONFIG_FILE="$work/aws/config" AWS_SHARED_CREDENTIALS_FILE="$work/aws/credentials" \
    "$rb" "$@"
}
must "checksum" rb_files "${c[@]}" checksum --instrument astral1 c1_PRID1_x.raw
head -c $((115 << 20)) /dev/urandom >"$work/instruments/astral1/big_PRID1_x.raw"
for name in c2 c3 c4 c5 c6 c7 c8 c9 c10 c11 big; do
  must "checksum" rb_files "${c[@]}" checksum --instrument astral1 "${name}_PRID1_x.raw"
done

rules '[]'
expect_code "profile from the shared files only (--profile lab)" 0 rb_files "${c[@]}" --log-level debug --profile lab upload-s3 c1_PRID1_x.raw
expect_match "  says where the credentials came from" "$work/err" 'S3 credentials: profile lab \(static keys\)'
grep -q '^PUT /rb-cred-prid1/c1_PRID1_x.raw' "$log" && pass "  sent to the profile's services endpoint" || failure "  sent to the profile's services endpoint" "$(cat "$log")"

AWS_PROFILE=lab expect_code "AWS_PROFILE selects the profile" 0 rb_files "${c[@]}" upload-s3 c2_PRID1_x.raw

rm -f "$work/aws/vault.runs"
expect_code "credential_process (a real script)" 0 rb_files "${c[@]}" --log-level trace --profile proc upload-s3 c3_PRID1_x.raw
[ "$(wc -l <"$work/aws/vault.runs")" -eq 1 ] && pass "  the script ran once for the whole upload" || failure "  the script ran once" "$(cat "$work/aws/vault.runs" 2>/dev/null)"
! grep -qF -- "$test_secret" "$work/err" "$work/out" && pass "  no secret in the trace log" || failure "  no secret in the trace log"
expect_match "  credentials valid for an hour" "$work/err" 'S3 credentials from profile proc \(credential_process\), valid for 3[0-9]{3} s'

expect_code "environment keys beat the profile" 0 env AWS_CONFIG_FILE="$work/aws/config" AWS_SHARED_CREDENTIALS_FILE="$work/aws/credentials" \
  "$rb" "${c[@]}" --profile wrong upload-s3 c4_PRID1_x.raw
expect_code "the YAML's region and endpoint beat the profile's" 0 env AWS_CONFIG_FILE="$work/aws/config" \
  AWS_SHARED_CREDENTIALS_FILE="$work/aws/credentials" "$rb" --config "$work/yaml-wins.yaml" --profile dead-endpoint upload-s3 c5_PRID1_x.raw
expect_code "AWS_REGION and AWS_ENDPOINT_URL_S3 without them in the YAML" 0 env AWS_CONFIG_FILE=/nonexistent \
  AWS_SHARED_CREDENTIALS_FILE=/nonexistent AWS_REGION=us-east-1 AWS_ENDPOINT_URL_S3="$proxy" "$rb" "${c[@]}" upload-s3 c6_PRID1_x.raw
expect_code "AWS_DEFAULT_REGION and AWS_ENDPOINT_URL_S3 without them in the YAML" 0 env AWS_CONFIG_FILE=/nonexistent \
  AWS_SHARED_CREDENTIALS_FILE=/nonexistent AWS_DEFAULT_REGION=us-east-1 AWS_ENDPOINT_URL_S3="$proxy" "$rb" "${c[@]}" verify --s3 c6_PRID1_x.raw

expect_code "wrong keys in the profile: refused by the server" 1 rb_files "${c[@]}" --profile wrong verify --s3 c1_PRID1_x.raw
expect_code "no credentials anywhere: exit 2 before any request" 2 env -u AWS_ACCESS_KEY_ID -u AWS_SECRET_ACCESS_KEY \
  AWS_CONFIG_FILE=/nonexistent/config AWS_SHARED_CREDENTIALS_FILE=/nonexistent/credentials AWS_EC2_METADATA_DISABLED=true \
  "$rb" --config "$work/yaml-wins.yaml" upload-s3 c1_PRID1_x.raw
expect_match "  one line naming what was tried" "$work/err" 'tried: environment .*; profile default in /nonexistent/credentials and /nonexistent/config'
expect_code "an unknown --profile: exit 2" 2 rb_files "${c[@]}" --profile nosuch upload-s3 c1_PRID1_x.raw
expect_match "  names both files" "$work/err" "profile nosuch is in neither $work/aws/credentials nor $work/aws/config"
expect_code "no region anywhere: exit 2" 2 env AWS_CONFIG_FILE=/nonexistent AWS_SHARED_CREDENTIALS_FILE=/nonexistent \
  "$rb" "${c[@]}" upload-s3 c1_PRID1_x.raw
expect_match "  says where a region can be set" "$work/err" 'no S3 region: set backup.s3.region, AWS_REGION, or region in profile default'

rules '[{"method": "HEAD", "path": "/rb-cred-prid1", "fault": "reply", "status": 301, "times": 10,
         "headers": {"x-amz-bucket-region": "eu-west-1"}}]'
expect_code "a bucket in another region: exit 2" 2 rb_files "${c[@]}" --profile lab upload-s3 c10_PRID1_x.raw
expect_match "  names the bucket's region" "$work/err" 'bucket rb-cred-prid1 is in region eu-west-1, not us-east-1: set backup.s3.region \(or AWS_REGION\) to eu-west-1'
[ "$(grep -c '^HEAD /rb-cred-prid1 ' "$log")" -eq 1 ] && pass "  asked once, not retried" || failure "  asked once" "$(cat "$log")"
rb_files "${c[@]}" --json status c10_PRID1_x.raw >"$work/status.json"
expect_match "  the record untouched (backup pending)" "$work/status.json" '"backup_status":"pending"'
rules '[]'

# --- platform credentials, from the stand-in ---
mkdir -p "$work/standin"
echo "platform-token" >"$work/standin/token"
python3 "$here/s3/credentials_standin.py" "$work/standin" "$test_key" "$test_secret" 60 platform-token \
  AKIASOURCEPROFILE source-profile-secret &
standin_pid=$!
trap 'kill "$standin_pid" 2>/dev/null; stop_all' EXIT
wait_until 10 test -f "$work/standin/port"
standin="http://127.0.0.1:$(cat "$work/standin/port")"
standin_log="$work/standin/requests.log"

# A role assumed with a source profile's keys (STS at the profile's services endpoint); the
# stand-in checks the signature, Ceph does not accept the source's keys.
cat >>"$work/aws/credentials" <<INI
[source]
aws_access_key_id = AKIASOURCEPROFILE
aws_secret_access_key = source-profile-secret
[badsource]
aws_access_key_id = AKIASOURCEPROFILE
aws_secret_access_key = not-the-source-secret
INI
cat >>"$work/aws/config" <<INI
[profile role]
region = us-east-1
services = role-services
role_arn = arn:aws:iam::123456789012:role/rawbackup-upload
source_profile = source
role_session_name = nightly
[profile badrole]
region = us-east-1
services = role-services
role_arn = arn:aws:iam::123456789012:role/rawbackup-upload
source_profile = badsource
[services role-services]
s3 =
  endpoint_url = $proxy
sts =
  endpoint_url = $standin/sts
INI
expect_code "a role (role_arn + source_profile, STS AssumeRole)" 0 rb_files "${c[@]}" --log-level trace --profile role upload-s3 c11_PRID1_x.raw
expect_match "  from the role, as the source profile" "$work/err" \
  'S3 credentials: profile role \(role arn:aws:iam::123456789012:role/rawbackup-upload, as profile source \(static keys\)\)'
grep -q '^POST /sts/ 200 AssumeRole ' "$standin_log" && pass "  STS AssumeRole, signed with the source's keys" || failure "  STS AssumeRole" "$(cat "$standin_log")"
! grep -qF -e "$test_secret" -e source-profile-secret "$work/err" "$work/out" && pass "  no secret in the trace log" || failure "  no secret in the trace log"
expect_code "a role whose source's secret is wrong: refused" 1 rb_files "${c[@]}" --profile badrole verify --s3 c11_PRID1_x.raw
expect_match "  STS's refusal named" "$work/err" 'assume role arn:aws:iam::123456789012:role/rawbackup-upload: HTTP 403 from .*/sts/ \(SignatureDoesNotMatch\)'
# rb_platform VAR=VALUE... -- ARGS...: rawbackup on a platform: no keys, no profile files,
# region and endpoint from the environment, and the platform's variables.
rb_platform() {
  local vars=()
  while [ "$1" != "--" ]; do vars+=("$1"); shift; done
  shift
  env -u AWS_ACCESS_KEY_ID -u AWS_SECRET_ACCESS_KEY -u AWS_SESSION_TOKEN -u AWS_ENDPOINT_URL \
    AWS_CONFIG_FILE=/nonexistent AWS_SHARED_CREDENTIALS_FILE=/nonexistent AWS_REGION=us-east-1 \
    AWS_ENDPOINT_URL_S3="$proxy" "${vars[@]}" "$rb" "${c[@]}" --log-level debug "$@"
}
expect_code "web identity (STS AssumeRoleWithWebIdentity)" 0 rb_platform AWS_WEB_IDENTITY_TOKEN_FILE="$work/standin/token" \
  AWS_ROLE_ARN=arn:aws:iam::123456789012:role/rawbackup AWS_ENDPOINT_URL_STS="$standin/sts" AWS_EC2_METADATA_DISABLED=true \
  -- upload-s3 c7_PRID1_x.raw
expect_match "  from web identity" "$work/err" 'S3 credentials: web identity \(arn:aws:iam::123456789012:role/rawbackup, token '
grep -q '^POST /sts/ 200 AssumeRoleWithWebIdentity' "$standin_log" && pass "  STS was asked" || failure "  STS was asked" "$(cat "$standin_log")"
expect_code "container credentials (ECS)" 0 rb_platform AWS_CONTAINER_CREDENTIALS_FULL_URI="$standin/container" \
  AWS_CONTAINER_AUTHORIZATION_TOKEN_FILE="$work/standin/token" AWS_EC2_METADATA_DISABLED=true -- upload-s3 c8_PRID1_x.raw
expect_match "  from the container endpoint" "$work/err" 'S3 credentials: container credentials'
expect_code "EC2 instance metadata (IMDSv2)" 0 rb_platform AWS_EC2_METADATA_SERVICE_ENDPOINT="$standin" -- upload-s3 c9_PRID1_x.raw
expect_match "  from instance metadata" "$work/err" 'S3 credentials: EC2 instance metadata'
grep -q '^PUT /latest/api/token 200' "$standin_log" && pass "  a session token first (IMDSv2)" || failure "  a session token first" "$(cat "$standin_log")"
expect_code "no instance answering: exit 2, the instance named" 2 rb_platform AWS_EC2_METADATA_SERVICE_ENDPOINT=http://127.0.0.1:1 -- upload-s3 c9_PRID1_x.raw
expect_match "  tried the instance" "$work/err" 'EC2 instance metadata \(http://127.0.0.1:1\)'

# Refresh: 115 MiB at 1 MB/s takes about two minutes; credentials live 60 s and are fetched
# again halfway through their life, in the middle of the multipart upload.
: >"$standin_log"
expect_code "a two-minute upload outlives its 60-second credentials" 0 rb_platform AWS_CONTAINER_CREDENTIALS_FULL_URI="$standin/container" \
  AWS_CONTAINER_AUTHORIZATION_TOKEN_FILE="$work/standin/token" AWS_EC2_METADATA_DISABLED=true -- upload-s3 --max-bandwidth 1MB/s big_PRID1_x.raw
fetches=$(grep -c '^GET /container 200' "$standin_log")
[ "$fetches" -ge 4 ] && pass "  fetched again on the way ($fetches fetches)" || failure "  refreshed" "$fetches fetches: $(cat "$standin_log")"
longest=$(grep '^GET /container 200' "$standin_log" | sed 's/.* t=//' | awk 'NR > 1 && $1 - last > gap { gap = $1 - last } { last = $1 } END { print gap + 0 }')
[ "$longest" -lt 60 ] && pass "  each before the last expired (longest gap ${longest} s)" || failure "  before expiry" "$(cat "$standin_log")"
expect_match "  logged each refresh" "$work/err" 'S3 credentials from container credentials .*valid for'
! grep -qF -- "$test_secret" "$work/err" "$work/out" && pass "  no secret in the log" || failure "  no secret in the log"
summary
