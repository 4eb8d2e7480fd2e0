# Sourced: `s3 METHOD PATH [curl args…]` sends a SigV4-signed request straight to the server
# at $S3_ENDPOINT with $AWS_ACCESS_KEY_ID/$AWS_SECRET_ACCESS_KEY (test set-up and checks), and
# `etag_of BUCKET/KEY` prints an object's ETag ("" when missing).
s3() {
  local method="$1" path="$2"
  shift 2
  curl -sS --max-time 300 --aws-sigv4 "aws:amz:us-east-1:s3" --user "$AWS_ACCESS_KEY_ID:$AWS_SECRET_ACCESS_KEY" \
    -H "x-amz-content-sha256: UNSIGNED-PAYLOAD" -X "$method" "$@" "$S3_ENDPOINT$path"
}
etag_of() { s3 HEAD "/$1" -I | tr -d '\r' | sed -n 's/^[Ee][Tt]ag: "\{0,1\}\([^"]*\)"\{0,1\}$/\1/p'; }
# `s3_ok METHOD PATH [curl args…]`: as s3, for set-up that must take effect (an object replaced
# behind rawbackup's back): sent again (up to 3 times) until the server answers 2xx; non-zero,
# naming the status, when it never does.
s3_ok() {
  local code=""
  for _ in 1 2 3; do
    code="$(s3 "$@" -w '%{http_code}')" && [[ $code == 2* ]] && return 0
    sleep 0.5
  done
  echo "s3 $1 $2: HTTP ${code:-none}" >&2
  return 1
}
