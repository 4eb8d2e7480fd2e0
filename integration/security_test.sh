#!/usr/bin/env bash
# Security: TLS is verified by default (a self-signed loopback HTTPS endpoint is refused, then
# accepted once its CA is given with AWS_CA_BUNDLE); files, folders and the store are created
# with the caller's umask; no credential appears in results, logs or error messages, also
# when the server refuses them. HTTPS: integration/s3/fault_proxy.py with a fresh self-signed
# certificate in front of s3rver.
# Usage: security_test.sh PATH/TO/rawbackup
source "$(dirname "$0")/lib.sh"
here="$(cd "$(dirname "$0")" && pwd)"
server=s3rver rb="$1"
source "$here/s3/harness.sh"

openssl req -x509 -newkey rsa:2048 -nodes -keyout "$work/key.pem" -out "$work/cert.pem" -days 1 \
  -subj /CN=127.0.0.1 -addext subjectAltName=IP:127.0.0.1 2>/dev/null
mkdir -p "$work/tls"
echo '[]' >"$work/tls/rules.json"
python3 "$here/s3/fault_proxy.py" "$upstream" "$work/tls" "$work/cert.pem" "$work/key.pem" &
tls_pid=$!
trap 'kill $tls_pid 2>/dev/null; stop_all' EXIT
for _ in $(seq 50); do [ -f "$work/tls/port" ] && break; sleep 0.1; done
https="https://127.0.0.1:$(cat "$work/tls/port")"

mkdir -p "$work/instruments/astral1"
head -c 3000 /dev/urandom >"$work/instruments/astral1/s_PRID1_a.raw"
config() {  # config ENDPOINT STORE BACKUP
  cat >"$work/c.yaml" <<YAML
store: {path: $2}
checksum: {settle_seconds: 0}  # files written just now count as finished acquisitions
instruments: {astral1: {type: thermo, path: $work/instruments/astral1}}
locations: {backup: $3}
project_pattern: "_(PRID\\\\d+)_"
backup: {backup_type: s3, s3: {region: us-east-1, bucket_prefix: rb-sec, endpoint_url: "$1", part_size_mb: 5}}
YAML
}
c=(--config "$work/c.yaml")
id=s_PRID1_a.raw
s3 PUT /rb-sec-prid1 -o /dev/null

# --- umask ---
for mask in 027 077; do
  config "$https" "$work/u$mask/store/s.sqlite" "$work/u$mask/backup"
  (umask $mask && "$rb" "${c[@]}" checksum --instrument astral1 "$id" && "$rb" "${c[@]}" copy-local "$id") >/dev/null 2>&1
  file_mode=$(printf '%o' $((0666 & ~8#$mask))) dir_mode=$(printf '%o' $((0777 & ~8#$mask)))
  copy="$(find "$work/u$mask/backup" -type f -name "$id")"
  modes="$(stat -c '%a' "$work/u$mask/store/s.sqlite" "$copy" "$(dirname "$copy")" "$work/u$mask/store" | tr '\n' ' ')"
  [ "$modes" = "$file_mode $file_mode $dir_mode $dir_mode " ] && pass "umask $mask: store $file_mode, copy $file_mode, folders $dir_mode" \
    || failure "umask $mask: modes" "$modes (want $file_mode $file_mode $dir_mode $dir_mode)"
done

# --- TLS ---
config "$https" "$work/store.sqlite" "$work/backup"
must "checksum" "$rb" "${c[@]}" checksum --instrument astral1 "$id"
: >"$work/tls/requests.log"
# A TLS configuration problem is exit 2 at once, not retried, the record untouched (issue 21.5).
expect_code "self-signed HTTPS endpoint refused: exit 2" 2 "$rb" "${c[@]}" upload-s3 "$id"
expect_match "  says why (certificate)" "$work/err" '[Cc]ertificate|SSL'
! grep -qi 'retry' "$work/err" && pass "  no retry" || failure "  retried" "$(grep -i -m2 retry "$work/err")"
expect_code "  the record" 0 "$rb" "${c[@]}" --json status "$id"
expect_match "  backup_status still pending" "$work/out" '"backup_status":"pending"'
[ ! -s "$work/tls/requests.log" ] && pass "  no request reached the server" || failure "  requests reached the server" "$(head -3 "$work/tls/requests.log")"
[ -z "$(etag_of "rb-sec-prid1/$id")" ] && pass "  nothing uploaded" || failure "  something uploaded"
AWS_CA_BUNDLE="$work/nope.pem" expect_code "a CA bundle that does not exist: exit 2" 2 "$rb" "${c[@]}" upload-s3 "$id"
expect_match "  names the bundle" "$work/err" 'nope.pem|CA'
grep -q '"backup_status":"pending"' <("$rb" "${c[@]}" --json status "$id") && pass "  record untouched" || failure "  record changed"
AWS_CA_BUNDLE="$work/cert.pem" expect_code "accepted with its CA in AWS_CA_BUNDLE" 0 "$rb" "${c[@]}" --json upload-s3 "$id"
[ -n "$(etag_of "rb-sec-prid1/$id")" ] && pass "  uploaded over HTTPS" || failure "  not uploaded"

# --- credentials in results, logs and errors ---
config "$proxy" "$work/store.sqlite" "$work/backup"
secret="$AWS_SECRET_ACCESS_KEY"
AWS_SECRET_ACCESS_KEY="wrong$secret" AWS_SESSION_TOKEN="session-token-do-not-print" \
  expect_code "wrong secret refused" 1 "$rb" "${c[@]}" --json --log-level trace verify --s3 --deep "$id"
AWS_SECRET_ACCESS_KEY="wrong$secret" AWS_SESSION_TOKEN="session-token-do-not-print" \
  "$rb" "${c[@]}" --json --log-level trace upload-s3 "$id" >>"$work/out" 2>>"$work/err"
"$rb" "${c[@]}" --json status "$id" >>"$work/out" 2>>"$work/err"
for name in AWS_ACCESS_KEY_ID AWS_SECRET_ACCESS_KEY; do
  ! grep -qF -- "${!name}" "$work/out" "$work/err" && pass "no \$$name in results, logs or errors" || failure "\$$name printed"
done
! grep -qF -- "wrong$secret" "$work/out" "$work/err" && ! grep -q 'session-token-do-not-print\|Signature=' "$work/out" "$work/err" \
  && pass "no wrong secret, session token or signature printed" || failure "a credential printed"
summary
