#!/usr/bin/env bash
# upload-s3 meeting a 2 GiB object that awscli uploaded (8 MiB parts, so its ETag is not the
# record's at rawbackup's 64 MiB parts): adopting it (one local read at the candidate part
# sizes, zero bytes sent) side by side with re-uploading it (what rawbackup did before), same
# Ceph gateway (bluestore on a sparse file, started here on 127.0.0.1), $RUNS runs each.
# Prints median wall time, CPU, peak RSS and bytes sent, and the ratio.
# Needs: scripts/setup.sh --test-servers (Ceph, awscli).
# Usage: bench/adopt_vs_reupload.sh   (BENCH_DIR=var/bench, RUNS=3)
set -euo pipefail
cd "$(dirname "$0")/.."
size_gib=2
source bench/lib.sh
runs=${RUNS:-3}

with_ceph_and_awscli
printf '[default]\ns3 =\n  multipart_chunksize = 8MB\n  multipart_threshold = 8MB\n' >"$AWS_CONFIG_FILE"
cat >"$work/adopt.yaml" <<YAML
store: {path: adopt.sqlite}
checksum: {settle_seconds: 0}
instruments: {bench: {type: thermo, path: inst}}
locations: {backup: backup}
backup: {backup_type: s3, s3: {region: us-east-1, bucket_prefix: rbbench, endpoint_url: "$S3_ENDPOINT", part_size_mb: 64}}
YAML
c=(--config "$work/adopt.yaml")
s3 PUT /rbbench--fallback -o /dev/null
key="bench/$(date -u -r "$file" +%Y_%m)/$name"
fresh_record() { rm -f "$work/adopt.sqlite"*; "$rb" "${c[@]}" checksum --instrument bench "$name" >/dev/null 2>&1; }
sent() { "$rb" "${c[@]}" --json status "$name" >/dev/null; tail -1 "$work/$1.out" | sed -n 's/.*"bytes":\([0-9]*\).*/\1/p'; }

cat "$file" >/dev/null  # warm the page cache
for _ in $(seq "$runs"); do
  "$aws" --endpoint-url "$S3_ENDPOINT" s3 cp --only-show-errors "$file" "s3://rbbench--fallback/$key"
  fresh_record
  /usr/bin/time -f '%e %M %U %S' -a -o "$work/adopt.times" "$rb" "${c[@]}" --json upload-s3 "$name" >"$work/adopt.out" 2>/dev/null
  grep -q '"adopted":1' "$work/adopt.out" || { echo "not adopted: $(cat "$work/adopt.out")" >&2; exit 1; }
  "$aws" --endpoint-url "$S3_ENDPOINT" s3 cp --only-show-errors "$file" "s3://rbbench--fallback/$key"
  s3 DELETE "/rbbench--fallback/$key" -o /dev/null  # what re-uploading costs: every byte sent again
  fresh_record
  /usr/bin/time -f '%e %M %U %S' -a -o "$work/reupload.times" "$rb" "${c[@]}" --json upload-s3 "$name" >"$work/reupload.out" 2>/dev/null
done
printf '%-34s %8s %8s %9s %14s\n' "" "wall s" "cpu s" "peak MiB" "bytes sent"
printf '%-34s %8s %8s %9s %14s\n' "upload-s3 adopting awscli's object" "$(seconds_of adopt)" "$(cpu_of adopt)" "$(peak_rss_mib_of adopt)" "$(sent adopt)"
printf '%-34s %8s %8s %9s %14s\n' "upload-s3 re-uploading it" "$(seconds_of reupload)" "$(cpu_of reupload)" "$(peak_rss_mib_of reupload)" "$(sent reupload)"
echo "ratio (adopt / re-upload): $(echo "$(seconds_of adopt) $(seconds_of reupload)" | awk '{printf "%.2f", $1 / $2}')×"
